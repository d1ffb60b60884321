"""jupyter-wellml: the AWS Well-Architected Machine Learning Lens inside Jupyter.

This module holds only entry points; everything heavy is imported lazily so that
``import jupyter_wellml`` stays cheap for the CLI and for kernels.
"""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built or installed
    __version__ = "0.0.0.dev0"

RECORD_MIME = "application/vnd.jupyter.wellml.record+json"
"""MIME type of the records the ``%wellml`` magics display (payload: record.v1)."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-wellml"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    # imported by name, like the magics below: every layer imports the package root
    from importlib import import_module

    app = import_module(f"{__name__}.server.app").WellMLExtension
    return [{"module": "jupyter_wellml", "app": app}]


def load_ipython_extension(ipython) -> None:
    """``%load_ext jupyter_wellml``: register the ``%wellml`` magics."""
    # imported by name: the package root is imported by every layer, the magics are a surface
    from importlib import import_module

    import_module(f"{__name__}.magics").load_ipython_extension(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext jupyter_wellml``: remove the ``%wellml`` magics."""
    from importlib import import_module

    import_module(f"{__name__}.magics").unload_ipython_extension(ipython)
