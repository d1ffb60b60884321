"""Lens folders → one validated, immutable catalog of practices.

Names are imported on first use (PEP 562), so ``jupyter_wellml.catalog.locate`` (lens
locations and the fingerprint) can be used without loading the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Catalog": ".catalog",
    "IdMatch": ".catalog",
    "normalize_id": ".catalog",
    "builtin_lens_root": ".loader",
    "default_lens_dirs": ".loader",
    "discover": ".loader",
    "check_lens_dir": ".loader",
    "load_catalog": ".cache",
    "Alias": ".model",
    "LensInfo": ".model",
    "Phase": ".model",
    "Pillar": ".model",
    "Practice": ".model",
    "Principle": ".model",
    "Rule": ".model",
    "Source": ".model",
}
__all__ = [
    "Alias",
    "Catalog",
    "IdMatch",
    "LensInfo",
    "Phase",
    "Pillar",
    "Practice",
    "Principle",
    "Rule",
    "Source",
    "builtin_lens_root",
    "check_lens_dir",
    "default_lens_dirs",
    "discover",
    "load_catalog",
    "normalize_id",
]

if TYPE_CHECKING:
    from .cache import load_catalog
    from .catalog import Catalog, IdMatch, normalize_id
    from .loader import builtin_lens_root, check_lens_dir, default_lens_dirs, discover
    from .model import Alias, LensInfo, Phase, Pillar, Practice, Principle, Rule, Source


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
