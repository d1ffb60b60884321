"""ipywidgets views of jupyter-wellml results, for the kernel surface only.

``ipywidgets`` is imported on first use of a view, not with this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ReviewView", "review_view"]

if TYPE_CHECKING:
    from .review import ReviewView, review_view


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import review

        return getattr(review, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
