"""Lineage of a data source: what kind of location a URI names and, for local files, size and hash.

Nothing here touches the network: a remote URI (``s3://``, ``https://``, a database URL...) is
only classified. A local file is hashed in fixed-size chunks, so files larger than memory are
fine. A local folder is hashed as a manifest: the sorted list of its files' relative paths and
their own SHA-256, so the same content gives the same hash on any machine.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import RecordError

if TYPE_CHECKING:  # pathlib, urllib and hashlib are imported when a file is hashed
    from pathlib import Path

CHUNK = 1 << 20

#: URI scheme → the record's ``source_kind``
SCHEMES = {
    "s3": "s3",
    "s3a": "s3",
    "s3n": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "abfs": "azure",
    "abfss": "azure",
    "wasb": "azure",
    "wasbs": "azure",
    "az": "azure",
    "adl": "azure",
    "http": "http",
    "https": "http",
    "ftp": "http",
    "hdfs": "hdfs",
    "postgres": "database",
    "postgresql": "database",
    "mysql": "database",
    "mssql": "database",
    "oracle": "database",
    "sqlite": "database",
    "redshift": "warehouse",
    "snowflake": "warehouse",
    "bigquery": "warehouse",
    "athena": "warehouse",
    "hf": "dataset",
    "huggingface": "dataset",
    "featurestore": "feature_store",
}


def source_kind(uri: str) -> str:
    """``local``, ``s3``, ``gcs``, ``azure``, ``http``, ``database``... for ``uri``."""
    scheme = _scheme(uri)
    if scheme in ("", "file"):
        return "local"
    base = scheme.split("+", 1)[0]
    return SCHEMES.get(scheme) or SCHEMES.get(base) or "other"


def local_path(uri: str, base_dir: str | os.PathLike | None = None) -> Path | None:
    """The file a local URI names (relative to ``base_dir``), or None for a remote URI."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    scheme = _scheme(uri)
    if scheme == "file":
        path = Path(unquote(urlsplit(uri).path))
    elif scheme == "":
        path = Path(os.path.expanduser(uri))
    else:
        return None
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    return path


def file_lineage(path: str | os.PathLike) -> dict[str, Any]:
    """``{"size": bytes, "sha256": hex}`` of a file, or of a folder's files as a manifest.

    Raises :class:`RecordError` when the path does not exist or cannot be read.
    """
    from pathlib import Path

    p = Path(path)
    try:
        if p.is_dir():
            return _folder_lineage(p)
        if not p.exists():
            raise RecordError(
                f"data: no file or folder at {str(p)!r}; check the path, or record it without "
                "hashing with --no-hash"
            )
        return {"size": p.stat().st_size, "sha256": _sha256(p)}
    except PermissionError as exc:
        raise RecordError(f"data: cannot read {str(p)!r} to hash it: {exc.strerror}") from None


def _folder_lineage(folder: Path) -> dict[str, Any]:
    import hashlib

    manifest = hashlib.sha256()
    total = 0
    files = sorted(
        (f for f in folder.rglob("*") if f.is_file()),
        key=lambda f: f.relative_to(folder).as_posix(),
    )
    for f in files:
        total += f.stat().st_size
        manifest.update(f"{_sha256(f)}  {f.relative_to(folder).as_posix()}\n".encode())
    return {"size": total, "sha256": manifest.hexdigest()}


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as fh:
        if hasattr(hashlib, "file_digest"):
            return hashlib.file_digest(fh, "sha256").hexdigest()
        digest = hashlib.sha256()  # pragma: no cover - Python 3.10
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
        return digest.hexdigest()


def _scheme(uri: str) -> str:
    text = uri.strip()
    if len(text) > 2 and text[1] == ":" and text[0].isalpha() and text[2] in "\\/":
        return ""  # a Windows drive letter, not a scheme
    head, sep, _ = text.partition("://")
    if sep and head and all(c.isalnum() or c in "+.-" for c in head):
        return head.lower()
    if text.lower().startswith("file:"):
        return "file"
    return ""
