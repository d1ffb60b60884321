"""``jupyter wellml review`` as a JupyterApp subcommand: the same options and code as :mod:`.review`."""

from __future__ import annotations

import sys

from .base import WellMLCommand
from .review import run


class ReviewApp(WellMLCommand):
    """Review notebooks and report gaps (text, json, markdown, sarif, html)."""

    # hands its arguments, untouched, to :func:`jupyter_wellml.cli.review.run`
    name = "jupyter-wellml-review"

    def parse_command_line(self, argv=None):
        self._review_argv = list(argv if argv is not None else sys.argv[1:])

    def start(self) -> None:
        self.exit(run(getattr(self, "_review_argv", [])))
