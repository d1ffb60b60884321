"""jupyter-wellml: the AWS Well-Architected Machine Learning Lens inside Jupyter.

This module holds only entry points. No module of the package imports it (the version comes
from :mod:`._version`), so it may import the surfaces it starts; it does so inside the entry
points, which keeps ``import jupyter_wellml`` cheap for the CLI and for kernels.
"""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built or installed
    __version__ = "0.0.0.dev0"


def __getattr__(name: str) -> Any:
    # RECORD_MIME (the MIME type of the records the %wellml magics display) is defined once, in
    # records.model; it is read from there on first use so that importing the package stays cheap
    if name == "RECORD_MIME":
        from .records.model import RECORD_MIME

        return RECORD_MIME
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-wellml"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .server.app import WellMLExtension

    return [{"module": "jupyter_wellml", "app": WellMLExtension}]


def load_ipython_extension(ipython) -> None:
    """``%load_ext jupyter_wellml``: register the ``%wellml`` magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext jupyter_wellml``: remove the ``%wellml`` magics."""
    from .magics import unload_ipython_extension as unload

    unload(ipython)
