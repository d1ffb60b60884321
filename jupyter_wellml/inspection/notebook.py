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
#: The newest nbformat major version this reader knows.
NBFORMAT = 4
#: Code a review inspects: at most this much source per cell, and in the whole notebook (the
#: largest notebook of the public corpora has 47 KB of code). Beyond, the rest of a cell is
#: not inspected and the review says so: reviewing stays bounded in time and memory (about
#: 1 s and 120 MB per MB of code).
MAX_CELL_SOURCE = 1 << 20
MAX_NOTEBOOK_SOURCE = 2 << 20
_DISPLAY_TYPES = ("display_data", "execute_result", "update_display_data", "pyout")


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
    """A notebook as the review engine sees it.

    ``problems`` lists what was wrong but did not stop the review (a malformed output, an
    unknown nbformat, code over the size inspected), as review ``errors`` entries.
    """

    __slots__ = ("cells", "data", "kernel_language", "path", "problems", "sha256")

    def __init__(
        self,
        data: dict[str, Any],
        cells: list[Cell],
        path: str | None,
        sha256: str,
        kernel_language: str | None,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        self.data = data
        self.cells = cells
        self.path = path
        self.sha256 = sha256
        self.kernel_language = kernel_language
        self.problems = [] if problems is None else problems

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
    previous: Notebook | None = None,
) -> Notebook:
    """Read a notebook from a path, JSON text/bytes or an nbformat dict.

    ``sha256`` identifies the content: by default, of the file or bytes read, or of a dict's
    canonical JSON (sorted keys); a caller that has the bytes the dict came from passes theirs.
    ``previous``: a notebook read before from a dict that shares cell dicts with this one (an
    edit applied to it); its cells that are the same objects at the same place are taken as
    read, not read again.
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
    problems: list[dict[str, Any]] = []
    cells = _cells(data, path, problems, _reusable(previous))
    _check_version(data, problems)
    _bound_sources(cells, problems)
    return Notebook(
        data=data,
        cells=cells,
        path=path,
        sha256=digest,
        kernel_language=_language(data),
        problems=problems,
    )


def load_notebook_json(file: str | os.PathLike) -> dict[str, Any]:
    """The notebook file's JSON as it is (every key kept), for code that rewrites notebooks.

    The file is checked as :func:`read_notebook` checks it, with the same messages: a
    :class:`NotebookError` says what is wrong (not JSON, no cells list, a bad cell) and where.
    """
    path = str(file)
    return parse_notebook_json(_read_file(file, path), path)


def parse_notebook_json(raw: bytes, path: str | None = None) -> dict[str, Any]:
    """:func:`load_notebook_json` for bytes already read (``path`` names them in messages)."""
    data = _parse(raw, path)
    _check_top_level(data, path)
    _cells(data, path)
    return data


def read_bytes(file: str | os.PathLike) -> bytes:
    """The bytes of a notebook file; :class:`NotebookError` says why they cannot be read."""
    return _read_file(file, str(file))


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


def _reusable(previous: Notebook | None) -> dict[int, tuple[Any, Cell, list]] | None:
    """``previous``'s cells by index: (its cell dict, the cell read, its output problems); None
    when a cell of it was cut to the inspected size (then every cell is read again)."""
    if previous is None or not isinstance(previous.data.get("cells"), list):
        return None
    raw = previous.data["cells"]
    if len(raw) != len(previous.cells):  # nbformat 3 worksheets
        return None
    problems: dict[int | None, list] = {}
    for p in previous.problems:
        problems.setdefault(p.get("cell"), []).append(p)
        if p.get("cell") is not None and str(p.get("message", "")).startswith("this cell has"):
            return None
    return {
        c.index: (raw[c.index], c, [dict(p) for p in problems.get(c.index, ())])
        for c in previous.cells
    }


def _cells(
    data: dict, path: str | None, problems: list | None = None, reuse: dict | None = None
) -> list[Cell]:
    raw_cells = data.get("cells")
    if raw_cells is None and isinstance(data.get("worksheets"), list):  # nbformat 3
        raw_cells = [
            c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells") or []
        ]
    if not isinstance(raw_cells, list):
        raise NotebookError("not a notebook: it has no 'cells' list", path)
    cells: list[Cell] = []
    for i, c in enumerate(raw_cells):
        before = reuse.get(i) if reuse else None
        if before is not None and before[0] is c:  # the same cell, unchanged, in the same place
            cells.append(before[1])
            if problems is not None:
                problems.extend(before[2])
            continue
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
                outputs=_outputs(i, outputs or [], problems),
            )
        )
    return cells


def _outputs(cell: int, outputs: list, problems: list | None) -> list[dict]:
    """The outputs of a cell that have the shape nbformat gives them; each other one is left out
    and described in ``problems`` (an output whose ``data`` is a string, a traceback of numbers...)."""
    kept = []
    for n, output in enumerate(outputs, start=1):
        problem = output_problem(output)
        if problem is None:
            kept.append(output)
        elif problems is not None:
            problems.append(
                {"cell": cell, "line": None, "message": f"output {n} is ignored: {problem}"}
            )
    return kept


def _texts(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(t, str) for t in value)
    )


def output_problem(output: Any) -> str | None:
    """What is wrong with the shape of one cell output, or None (nbformat 4, and 3's names)."""
    if not isinstance(output, dict):
        return f"it is a {type(output).__name__}, not an object"
    otype = output.get("output_type")
    if not isinstance(otype, str):
        return f"its output_type is {otype!r:.40}, not a text"
    if otype == "stream" and not _texts(output.get("text", "")):
        return f"its text is a {type(output.get('text')).__name__}, not a text"
    if otype in _DISPLAY_TYPES:
        data = output.get("data", {})
        if not isinstance(data, dict):
            return f"its data is a {type(data).__name__}, not an object"
        if not _texts(data.get("text/plain", "")):
            return f"its text/plain is a {type(data.get('text/plain')).__name__}, not a text"
    if otype in ("error", "pyerr"):
        traceback = output.get("traceback", [])
        if not isinstance(traceback, list) or not all(isinstance(t, str) for t in traceback):
            return "its traceback is not a list of texts"
    return None


def _check_version(data: dict, problems: list) -> None:
    major = data.get("nbformat")
    if major is None:
        return
    if isinstance(major, bool) or not isinstance(major, int):
        problems.append(
            {
                "cell": None,
                "line": None,
                "message": f"nbformat is {major!r:.40}, not a whole number; read as nbformat {NBFORMAT}",
            }
        )
    elif major > NBFORMAT:
        problems.append(
            {
                "cell": None,
                "line": None,
                "message": f"nbformat {major} is newer than this version of jupyter-wellml reads "
                f"({NBFORMAT}); it was read as nbformat {NBFORMAT}, so parts may be missed",
            }
        )
    elif major < 3:
        problems.append(
            {
                "cell": None,
                "line": None,
                "message": f"nbformat {major} is older than this version reads (3 and 4); "
                "parts may be missed",
            }
        )


def _bound_sources(cells: list[Cell], problems: list) -> None:
    """Cut code over :data:`MAX_CELL_SOURCE` per cell or :data:`MAX_NOTEBOOK_SOURCE` in all at
    a line end, saying so: the rest is not inspected."""
    left = MAX_NOTEBOOK_SOURCE
    for k, cell in enumerate(cells):
        size = len(cell.source)
        allowed = min(MAX_CELL_SOURCE, max(left, 0))
        if size > allowed:
            cut = cell.source.rfind("\n", 0, allowed + 1)
            # a copy: the cell read may be shared with a notebook read before (read_notebook)
            cell = cells[k] = Cell(
                cell.index,
                cell.cell_type,
                cell.source[: max(cut, 0)],
                cell.id,
                cell.execution_count,
                cell.outputs,
            )
            limit = "per cell" if allowed == MAX_CELL_SOURCE else "in a notebook"
            problems.append(
                {
                    "cell": cell.index,
                    "line": None,
                    "message": f"this cell has {_size(size)} of source; only "
                    f"the first {_size(len(cell.source))} were inspected (at most "
                    f"{_size(allowed if limit == 'per cell' else MAX_NOTEBOOK_SOURCE)} {limit})",
                }
            )
        left -= len(cell.source)


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1000 * 1024 else f"{n / 1024:.0f} KiB"


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
    """The text of an output that a person can read (stream text, text/plain, error traceback).

    An output of the wrong shape has no text (never an error)."""
    if output_problem(output) is not None:
        return ""
    otype = output.get("output_type")
    if otype == "stream":
        text = output.get("text", "")
    elif otype in _DISPLAY_TYPES:
        text = (output.get("data") or {}).get("text/plain", "")
    elif otype in ("error", "pyerr"):
        text = "\n".join(output.get("traceback") or [])
    else:
        text = ""
    if isinstance(text, list):
        text = "".join(t for t in text if isinstance(t, str))
    return text if isinstance(text, str) else ""
