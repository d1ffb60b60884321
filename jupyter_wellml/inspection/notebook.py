"""Read a notebook without executing or importing it: cells, sources, kernel language.

``nbformat`` is deliberately not imported here (its validator costs over a second to import):
notebooks are parsed with :mod:`json` and checked for the structure a review needs, and any
problem is a :class:`~jupyter_wellml.errors.NotebookError` naming what is wrong and where.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

from ..errors import NotebookError
from ..values import Value

PYTHON_NAMES = ("python", "python2", "python3", "ipython", "ipython3", "pyspark", "pysparkkernel")


class Cell(Value):
    __slots__ = ("cell_type", "execution_count", "id", "index", "outputs", "source")

    def __init__(
        self,
        index: int,
        cell_type: str,
        source: str,
        id: str | None = None,
        execution_count: int | None = None,
        outputs: list | None = None,
    ) -> None:
        self.index = index
        self.cell_type = cell_type
        self.source = source
        self.id = id
        self.execution_count = execution_count
        self.outputs = [] if outputs is None else outputs


class Notebook(Value):
    """A notebook as the review engine sees it."""

    __slots__ = ("cells", "data", "kernel_language", "path", "sha256")

    def __init__(
        self,
        data: dict[str, Any],
        cells: list[Cell],
        path: str | None,
        sha256: str,
        kernel_language: str | None,
    ) -> None:
        self.data = data
        self.cells = cells
        self.path = path
        self.sha256 = sha256
        self.kernel_language = kernel_language

    @property
    def metadata(self) -> dict[str, Any]:
        return self.data.get("metadata") or {}

    @property
    def is_python(self) -> bool:
        return self.kernel_language is None or self.kernel_language.lower() in PYTHON_NAMES

    @property
    def name(self) -> str | None:
        return os.path.basename(self.path) if self.path else None


def read_notebook(
    source: Mapping[str, Any] | str | os.PathLike | bytes,
    *,
    path: str | None = None,
    sha256: str | None = None,
) -> Notebook:
    """Read a notebook from a path, JSON text/bytes or an nbformat dict.

    ``sha256`` identifies the content: by default, of the file or bytes read, or of a dict's
    canonical JSON (sorted keys); a caller that has the bytes the dict came from passes theirs.
    Raises :class:`NotebookError` with the reason for anything that is not a notebook.
    """
    if isinstance(source, Mapping):
        data = dict(source)
        digest = (
            sha256
            or hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        )
    else:
        if isinstance(source, (str, os.PathLike)) and not (
            isinstance(source, str) and source.lstrip().startswith("{")
        ):
            path = path or str(source)
            raw = _read_file(source, path)
        else:
            raw = source.encode() if isinstance(source, str) else bytes(source)
        digest = sha256 or hashlib.sha256(raw).hexdigest()
        data = _parse(raw, path)
    _check_top_level(data, path)
    cells = _cells(data, path)
    return Notebook(
        data=data, cells=cells, path=path, sha256=digest, kernel_language=_language(data)
    )


def load_notebook_json(file: str | os.PathLike) -> dict[str, Any]:
    """The notebook file's JSON as it is (every key kept), for code that rewrites notebooks.

    The file is checked as :func:`read_notebook` checks it, with the same messages: a
    :class:`NotebookError` says what is wrong (not JSON, no cells list, a bad cell) and where.
    """
    path = str(file)
    data = _parse(_read_file(file, path), path)
    _check_top_level(data, path)
    _cells(data, path)
    return data


def _read_file(file: str | os.PathLike, path: str) -> bytes:
    try:
        with open(file, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise NotebookError("no such file", path) from None
    except IsADirectoryError:
        raise NotebookError("is a folder, not a notebook", path) from None
    except OSError as exc:
        raise NotebookError(f"cannot read: {exc.strerror or exc}", path) from None


def _parse(raw: bytes, path: str | None) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path
        ) from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply", path) from None


def _check_top_level(data: Any, path: str | None) -> None:
    if not isinstance(data, dict):
        raise NotebookError(
            f"not a notebook: the JSON is a {type(data).__name__}, not an object", path
        )
    if "metadata" in data and not isinstance(data["metadata"], dict):
        raise NotebookError(
            f"not a notebook: 'metadata' is a {type(data['metadata']).__name__}, not an object",
            path,
        )


def _cells(data: dict, path: str | None) -> list[Cell]:
    raw_cells = data.get("cells")
    if raw_cells is None and isinstance(data.get("worksheets"), list):  # nbformat 3
        raw_cells = [
            c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells") or []
        ]
    if not isinstance(raw_cells, list):
        raise NotebookError("not a notebook: it has no 'cells' list", path)
    cells: list[Cell] = []
    for i, c in enumerate(raw_cells):
        if not isinstance(c, dict):
            raise NotebookError(f"cell {i}: is a {type(c).__name__}, not an object", path)
        ctype = c.get("cell_type")
        if ctype not in ("code", "markdown", "raw", "heading"):
            raise NotebookError(
                f"cell {i}: unknown cell_type {ctype!r} (code, markdown or raw)", path
            )
        src = c.get("source", c.get("input", ""))
        if isinstance(src, list):
            try:
                src = "".join(src)
            except TypeError:
                raise NotebookError(
                    f"cell {i}: 'source' must be text or a list of text", path
                ) from None
        elif not isinstance(src, str):
            raise NotebookError(f"cell {i}: 'source' must be text or a list of text", path)
        outputs = c.get("outputs") if ctype == "code" else []
        if outputs is not None and not isinstance(outputs, list):
            raise NotebookError(f"cell {i}: 'outputs' must be a list", path)
        ec = c.get("execution_count", c.get("prompt_number"))
        cells.append(
            Cell(
                index=i,
                cell_type="markdown" if ctype == "heading" else ctype,
                source=src,
                id=c.get("id") if isinstance(c.get("id"), str) else None,
                execution_count=ec if isinstance(ec, int) and not isinstance(ec, bool) else None,
                outputs=[o for o in outputs or [] if isinstance(o, dict)],
            )
        )
    return cells


def _language(data: dict) -> str | None:
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return None
    ks = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    li = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    lang = ks.get("language") or li.get("name")
    if isinstance(lang, str) and lang:
        return lang.lower()
    name = str(ks.get("name") or "").lower()
    if name in ("ir", "r") or name.startswith("ir"):
        return "r"
    if "python" in name or name.startswith(("conda_", "py")):
        return "python"
    return None


def output_text(output: Mapping[str, Any]) -> str:
    """The text of an output that a person can read (stream text, text/plain, error traceback)."""
    otype = output.get("output_type")
    if otype == "stream":
        text = output.get("text", "")
    elif otype in ("display_data", "execute_result", "update_display_data"):
        text = (output.get("data") or {}).get("text/plain", "")
    elif otype in ("error", "pyerr"):
        text = "\n".join(output.get("traceback") or [])
    else:
        text = ""
    if isinstance(text, list):
        text = "".join(t for t in text if isinstance(t, str))
    return text if isinstance(text, str) else ""
