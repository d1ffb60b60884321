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
        import gc

        own_process = argv is None  # the command itself, not a caller's process: tune its GC
        if own_process:
            # A review allocates many short-lived containers (syntax trees, facts) and few
            # cycles: collecting every 700 allocations costs ~5% of a one-notebook run for
            # nothing. Fewer, larger collections keep memory bounded on runs over folders.
            gc.set_threshold(50_000, 10, 10)
        from .review import run

        code = run(args[1:])
        if own_process:
            gc.freeze()  # leaving: spare the interpreter's final collection over every object
        sys.exit(code)
    from .app import WellMLApp

    WellMLApp.launch_instance(args)
