"""Shared pieces of the ``jupyter wellml`` subcommands: options, catalog loading, output, exit codes.

Exit codes: 0 success, 1 findings at or above ``--fail-on`` (review) or an invalid lens (check),
2 a usage or input error (message on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jupyter_core.application import JupyterApp
from traitlets import Bool, Enum, List, Unicode

from .._version import __version__
from .main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE  # noqa: F401 - re-exported


class UsageProblem(Exception):
    """A wrong argument or unreadable input: printed as one line, exit code 2."""


def text_option(help: str) -> Unicode:
    """A command's option that takes a string (empty when not given)."""
    return Unicode("", help=help).tag(config=True)


class WellMLCommand(JupyterApp):
    """Base of every subcommand.

    A command's docstring is its ``description``: the paragraph its ``--help`` opens with, and
    its line in the help of the command above it.
    """

    version = __version__
    # JupyterApp reads jupyter_<name>_config files; keep the CLI independent of server config
    config_file_name = Unicode("jupyter_wellml_config")

    lens_paths = List(
        Unicode(),
        help="Team lens folders to load after the built-in lens (repeat --lens-path).",
    ).tag(config=True)
    no_data_dirs = Bool(
        False,
        help="Do not load lenses from Jupyter data directories (share/jupyter/wellml/lenses).",
    ).tag(config=True)
    output = text_option("Write the output to this file instead of standard output.")

    aliases = {
        "lens-path": "WellMLCommand.lens_paths",
        "output": "WellMLCommand.output",
        "o": "WellMLCommand.output",
    }
    flags = {
        "no-data-dirs": (
            {"WellMLCommand": {"no_data_dirs": True}},
            "Ignore lenses in Jupyter data directories.",
        ),
        "debug": ({"Application": {"log_level": 10}}, "Log debugging messages."),
    }

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__:  # a class's own docstring: None when it has none, never inherited
            cls.description = " ".join(cls.__doc__.split())

    @classmethod
    def aliases_with(cls, owner: str, *options: str) -> dict[str, str]:
        """The ``aliases`` of a subclass: this class's, then ``--option`` for each of ``options``,
        setting the trait of that name of the class named ``owner`` (dashes read as underscores)."""
        return {**cls.aliases, **{o: f"{owner}.{o.replace('-', '_')}" for o in options}}

    @staticmethod
    def subcommands_of(group: str, *commands: type[WellMLCommand]) -> dict[str, tuple]:
        """The ``subcommands`` of the command named ``group``: ``commands``, in the help's order,
        each named by what its own ``name`` adds to ``group``'s."""
        return {c.name.removeprefix(f"{group}-"): (c, c.description) for c in commands}

    def parse_command_line(self, argv=None):
        # traitlets answers a bad option value with a log line and exit code 1; the CLI promises
        # exit code 2 and a one-line message for every usage error
        from argparse import ArgumentError

        from traitlets import TraitError
        from traitlets.config import Application

        try:
            return Application.parse_command_line.__wrapped__(self, argv)
        except (TraitError, ArgumentError) as exc:
            self.fail(str(exc).replace(f"of a {type(self).__name__} instance ", ""))

    def load_config_file(self, *args, **kwargs):  # the CLI takes no config files by default
        return None

    def catalog(self):
        from ..catalog import load_catalog

        catalog = load_catalog(self.lens_paths, data_dirs=not self.no_data_dirs)
        for issue in catalog.issues:
            if issue.severity == "error":
                print(f"warning: lens: {issue}", file=sys.stderr)
        return catalog

    def emit_json(self, doc: Any, *, ascii: bool = True) -> None:
        """Write ``doc`` as indented JSON; ``ascii=False`` keeps non-ASCII characters as they are."""
        self.emit(json.dumps(doc, indent=2, ensure_ascii=ascii))

    def emit(self, text: str) -> None:
        if self.output:
            try:
                Path(self.output).write_text(text if text.endswith("\n") else text + "\n", "utf-8")
            except OSError as exc:
                raise UsageProblem(f"cannot write {self.output}: {exc.strerror or exc}") from None
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()

    @property
    def command(self) -> str:
        return self.name.replace("jupyter-wellml", "jupyter wellml").replace("-", " ")

    def fail(self, message: str, code: int = EXIT_USAGE) -> None:
        print(f"{self.command}: error: {message}", file=sys.stderr)
        self.exit(code)

    def start(self) -> None:
        if self.subapp is not None:
            self.subapp.start()
            return
        try:
            code = self.run()
        except UsageProblem as exc:
            self.fail(str(exc))
            return
        self.exit(code or EXIT_OK)

    def run(self) -> int:
        """Called without a subcommand: every command that does something overrides this."""
        raise UsageProblem(f"choose a subcommand: {', '.join(self.subcommands)} (see --help)")


def format_enum(*values: str, default: str) -> Enum:
    return Enum(
        list(values), default_value=default, help=f"Output format: {', '.join(values)}."
    ).tag(config=True)
