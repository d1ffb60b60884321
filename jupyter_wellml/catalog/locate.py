"""Where lenses and caches live, and the catalog's fingerprint: standard library only.

Kept apart from the loader so that ``jupyter-wellml review`` can find a cached review (whose key
includes the lens fingerprint) without importing the catalog model, YAML or jsonschema.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence

LENS_FILE = "lens.yaml"
PRACTICES_DIR = "practices"
CACHE_FORMAT = 1
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def builtin_lens_root() -> str:
    """The folder holding the built-in lens folders (inside the wheel, or the checkout's ``lens/``)."""
    packaged = os.path.join(_PACKAGE, "lens")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(_PACKAGE), "lens")


def data_dir_lens_roots() -> list[str]:
    """``<jupyter data dir>/wellml/lenses`` for every Jupyter data directory, user first.

    ``jupyter_core.paths`` (with platformdirs) costs about half of a one-notebook CLI run, so its
    answer is cached per environment: the key covers everything it reads (the interpreter's
    prefix, ``JUPYTER_*``/``XDG_*`` variables, the home folder, and the installed jupyter_core).
    """
    import json
    import sys

    key_parts = [
        sys.prefix,
        sys.base_prefix,
        os.path.expanduser("~"),
        str(os.getuid() if hasattr(os, "getuid") else ""),
    ]
    key_parts += sorted(
        f"{k}={v}"
        for k, v in os.environ.items()
        if k.startswith(("JUPYTER", "XDG_", "APPDATA", "PROGRAMDATA"))
    )
    try:
        from importlib.util import find_spec

        spec = find_spec("jupyter_core.paths")
        if spec is not None and spec.origin:
            st = os.stat(spec.origin)
            key_parts.append(f"{spec.origin}|{st.st_size}|{st.st_mtime_ns}")
    except (ImportError, OSError, ValueError):
        pass
    key = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()[:20]
    cached = os.path.join(cache_dir(), f"data-dirs-{key}.json")
    try:
        with open(cached, encoding="utf-8") as f:
            roots = json.load(f)
        if isinstance(roots, list) and all(isinstance(r, str) for r in roots):
            return roots
    except (OSError, ValueError):
        pass
    from jupyter_core.paths import jupyter_path

    roots = list(jupyter_path("wellml", "lenses"))
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        tmp = f"{cached}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(roots, f)
        os.replace(tmp, cached)
    except OSError:
        pass
    return roots


def discover(paths: Iterable[os.PathLike | str]) -> list[str]:
    """Lens folders below ``paths``: a path holding ``lens.yaml`` is one; otherwise its sub-folders that hold one."""
    found: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        path = os.path.expanduser(os.fspath(raw))
        if os.path.isfile(os.path.join(path, LENS_FILE)):
            candidates = [path]
        elif os.path.isdir(path):
            candidates = sorted(
                os.path.join(path, n)
                for n in os.listdir(path)
                if os.path.isfile(os.path.join(path, n, LENS_FILE))
            )
        else:
            candidates = []
        for c in candidates:
            key = os.path.realpath(c)
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def default_lens_dirs(
    lens_paths: Sequence[os.PathLike | str] = (), *, data_dirs: bool = True
) -> list[str]:
    roots: list[os.PathLike | str] = [builtin_lens_root()]
    if data_dirs:
        roots.extend(data_dir_lens_roots())
    roots.extend(lens_paths)
    return discover(roots)


def lens_files(d: os.PathLike | str) -> list[str]:
    d = os.fspath(d)
    files = [os.path.join(d, LENS_FILE)]
    root = os.path.join(d, PRACTICES_DIR)
    if os.path.isdir(root):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            files.extend(
                os.path.join(dirpath, n) for n in sorted(filenames) if n.endswith((".yaml", ".yml"))
            )
    return files


def fingerprint(dirs: Sequence[os.PathLike | str]) -> str:
    """A key that changes when any lens file, schema, engine module or the package version
    changes (sizes and modification times: no file is read)."""
    from .._version import __version__

    h = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}".encode())
    # the schemas, and the engine's own tables and code (the fact vocabulary, the signature
    # tables, the rules): a changed detection is never hidden behind a cached review
    for sub in ("schemas", "inspection", "catalog", "records"):
        folder = os.path.join(_PACKAGE, sub)
        for name in sorted(os.listdir(folder)):
            if name.endswith((".json", ".py")):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{sub}/{name}|{st.st_size}|{st.st_mtime_ns}".encode())
    for d in dirs:
        for f in lens_files(d):
            st = os.stat(f)
            h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def catalog_fingerprint(
    lens_paths: Sequence[os.PathLike | str] = (), *, data_dirs: bool = True
) -> str:
    """The fingerprint :func:`~.loader.load_catalog` would use, without loading anything."""
    return fingerprint(default_lens_dirs(lens_paths, data_dirs=data_dirs))


def cache_dir() -> str:
    """Where jupyter-wellml keeps its caches: ``$WELLML_CACHE_DIR`` or the user cache folder."""
    env = os.environ.get("WELLML_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jupyter-wellml")
