"""Entry point of ``jupyter-wellml`` (and of ``jupyter wellml``, which runs it).

``review`` is dispatched before any traitlets application is built, so the command CI and
pre-commit run most starts fast; every other subcommand goes through :class:`~.app.WellMLApp`.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["review"]:
        from .review import run

        sys.exit(run(args[1:]))
    from .app import WellMLApp

    WellMLApp.launch_instance(args)
