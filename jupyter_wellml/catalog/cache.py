"""Load the catalog, from the on-disk cache when no lens file changed.

The cached path needs only the standard library and the catalog model: YAML, jsonschema and
:mod:`pathlib` are imported by :mod:`.loader` when the lenses must really be read and merged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from . import locate
from .catalog import Catalog


def load_catalog(
    lens_paths: Sequence[os.PathLike | str] = (),
    *,
    data_dirs: bool = True,
    cache: bool = True,
    fingerprint: str | None = None,
) -> Catalog:
    """The catalog of the built-in lens plus team lenses (data dirs and ``lens_paths``).

    Problems never raise: they are in ``catalog.issues``. The result is cached on disk
    (``$WELLML_CACHE_DIR`` or the user cache directory), keyed by every lens file's path,
    size and modification time, so an unchanged catalog loads without YAML or jsonschema.
    ``fingerprint``, when the caller has just computed it with
    :func:`.locate.catalog_fingerprint` for the same arguments, saves computing it again.
    """
    dirs = locate.default_lens_dirs(lens_paths, data_dirs=data_dirs)
    return load_lens_dirs(dirs, cache=cache, fingerprint=fingerprint)


def load_lens_dirs(
    dirs: Sequence[os.PathLike | str], *, cache: bool = True, fingerprint: str | None = None
) -> Catalog:
    """The catalog of exactly these lens folders, in this order."""
    key = fingerprint or locate.fingerprint(dirs)
    cache_file = os.path.join(locate.cache_dir(), f"catalog-{key}.json") if cache else None
    if cache_file is not None:
        try:
            with open(cache_file, encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("format") == locate.CACHE_FORMAT:
                return Catalog.from_json(data["catalog"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    from .loader import merge_lens_dirs

    catalog = merge_lens_dirs(dirs, fingerprint=key)
    if cache_file is not None:
        try:
            os.makedirs(os.path.dirname(cache_file), exist_ok=True)
            tmp = f"{cache_file}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"format": locate.CACHE_FORMAT, "catalog": catalog.to_json()}, fh)
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a read-only home must not break reviews
    return catalog
