"""Lens folders → one validated, immutable catalog of practices."""

from .catalog import Catalog, IdMatch, normalize_id
from .loader import builtin_lens_root, check_lens_dir, default_lens_dirs, discover, load_catalog
from .model import Alias, LensInfo, Phase, Pillar, Practice, Principle, Rule, Source

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
