"""Notebook facts: everything the lens's rules can ask about a notebook, gathered statically.

:func:`gather` reads every cell once (nothing is executed) and returns :class:`Facts`: per fact
kind, a list of plain dicts with ``cell`` (0-based index) and ``line`` (1-based line in the
cell) and the fields the lens format documents (docs/lens-format.md). The reading is split by
what it reads: calls (:mod:`.callfacts`), magics, text and literals (:mod:`.textfacts`), R code
(:mod:`.rfacts`), then passes over the whole notebook (:mod:`.passes`).
"""

from __future__ import annotations

from typing import Any

from ..values import Frozen
from .callfacts import _DISPATCH, call_facts, data_source_read, import_facts
from .factbase import (
    _CALL_INDEXES,
    FACT_KEYS,
    CallIndex,
    Facts,
    drop_oldest,
    iter_facts,
    plain,
    plain_fields,
)
from .notebook import Notebook, output_text
from .passes import (
    artifact_versions,
    dedupe,
    describe_is_profiling,
    endpoint_targets,
    execution_order,
    feature_pipelines,
    job_images,
    job_output_reads,
    metric_objects,
    overwrites,
    own_outputs_read_back,
    spark_runs,
    spot_details,
    training_loops,
)
from .pyscan import CellScan, Scanner
from .rfacts import r_cell_facts
from .source import analyse_cell
from .textfacts import ConstLookup, assigned_facts, magic_facts, path_facts, text_facts

__all__ = [
    "FACT_KEYS",
    "CallIndex",
    "Facts",
    "clear_caches",
    "gather",
    "iter_facts",
    "plain",
    "plain_fields",
    "secret_texts",
]


def gather(nb: Notebook, *, secrets: bool = True) -> Facts:
    """Every notebook fact, in cell order. Never raises for odd code: unparsable cells become ``errors``."""
    facts = Facts()
    for cell in nb.cells:
        facts.cell_lines[cell.index] = cell.source.split("\n")
    if nb.is_python:
        _python_notebook(nb, facts)
    elif nb.kernel_language in R_NAMES:
        _r_notebook(nb, facts)
    else:
        facts.inspected = False
        facts.reason = (
            f"the kernel language is {nb.kernel_language!r}: only Python and R code are "
            "inspected, so this notebook's code was not reviewed"
        )
    if nb.is_python or nb.kernel_language not in R_NAMES:
        execution_order(nb, facts)
    if secrets:
        _secret_facts(nb, facts)
    dedupe(facts)
    return facts


def _read_cells(scanner: Scanner, nb: Notebook, facts: Facts) -> list[tuple[int, _CellFacts]]:
    """Each code cell's facts (cached per source); its errors, phase lines and magics' facts
    are added to ``facts`` now, in cell order."""
    done: list[tuple[int, _CellFacts]] = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        try:
            found = _cell_facts(scanner, cell.source, cell.index)
        except (RecursionError, MemoryError, ValueError, TypeError) as exc:
            # an engine limit or defect on odd code: this cell is not read, the others are
            facts.errors.append({"cell": cell.index, "line": None, "message": _not_inspected(exc)})
            continue
        done.append((cell.index, found))
        if found.error is not None:
            line, message = found.error
            facts.errors.append(
                {
                    "cell": cell.index,
                    "line": line,
                    "message": f"syntax error: {message}; the cell's code was not inspected",
                }
            )
        for line, word in found.phase_lines:
            # a `%wellml phase` line in a cell that never ran is written, not recorded
            facts.phase_lines.append((cell.index, line, word, cell.execution_count is not None))
        _replay(found.magic, cell.index, facts)
    return done


def _python_notebook(nb: Notebook, facts: Facts) -> None:
    scanner = Scanner()
    done = _read_cells(scanner, nb, facts)
    # the per-cell facts, in the order passes over the whole notebook's imports, then calls,
    # (then training loops), then strings add them
    for index, found in done:
        _replay(found.imports, index, facts)
    for index, found in done:
        _replay(found.calls, index, facts)
    facts.calls = scanner.index.calls
    training_loops(facts.calls, facts)
    for index, found in done:
        _replay(found.paths, index, facts)
    artifact_versions(facts)
    endpoint_targets(facts)
    feature_pipelines(facts)
    spark_runs(facts)
    metric_objects(facts)
    job_output_reads(facts)
    own_outputs_read_back(facts)
    job_images(facts)
    spot_details(facts)
    overwrites(facts)
    describe_is_profiling(facts)


#: kernel languages read as R
R_NAMES = frozenset({"r"})


def _r_notebook(nb: Notebook, facts: Facts) -> None:
    """An R notebook: every code cell through the R reader (no per-cell cache: R notebooks are
    rare and the reader is fast)."""
    consts: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        try:
            r_cell_facts(cell.source, cell.index, consts, facts.add, data_source_read)
        except (RecursionError, MemoryError, ValueError, TypeError) as exc:
            facts.errors.append({"cell": cell.index, "line": None, "message": _not_inspected(exc)})
    execution_order(nb, facts)


def _not_inspected(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the cell is nested too deeply to inspect; it was skipped"
    if isinstance(exc, MemoryError):
        return "the cell is too large to inspect; it was skipped"
    return (
        f"the cell could not be inspected ({type(exc).__name__}: {str(exc)[:160]}); it was skipped"
    )


FactLog = tuple[tuple[str, "int | None", dict[str, Any]], ...]  # (kind, line, fields)


class _CellFacts(Frozen):
    """The facts one code cell gives, without its cell index (added when they are replayed)."""

    __slots__ = ("calls", "error", "imports", "magic", "paths", "phase_lines", "scan")

    def __init__(
        self,
        scan: CellScan | None,
        error: tuple[int | None, str] | None,
        phase_lines: tuple[tuple[int, str], ...],
        magic: FactLog,
        imports: FactLog,
        calls: FactLog,
        paths: FactLog,
    ) -> None:
        self._set(
            scan=scan,
            error=error,
            phase_lines=phase_lines,
            magic=magic,
            imports=imports,
            calls=calls,
            paths=paths,
        )


class _Recorder:
    """Stands in for :class:`Facts` while one cell's facts are worked out, to log them."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int | None, dict[str, Any]]] = []
        self.phase_lines: list[tuple[int, int, str]] = []

    def add(self, fact: str, cell: int | None, line: int | None, /, **fields: Any) -> None:
        self.log.append((fact, line, plain_fields(fields)))

    def take(self) -> FactLog:
        out, self.log = tuple(self.log), []
        return out


#: cell source -> the facts it gave with the aliases and constants it read (a few per source)
_CELL_CACHE: dict[str, list[_CellFacts]] = {}


_CELL_CACHE_MAX = 4096


_CELL_VARIANTS = 4


def _cell_facts(scanner: Scanner, source: str, cell: int) -> _CellFacts:
    """One code cell's facts, fed through ``scanner``.

    They are a pure function of the cell's source and of what the cell read from the aliases
    and constants of the cells above (``import pandas as pd`` in cell 1 decides what
    ``pd.read_csv`` in cell 40 is), so they are remembered under the source together with those
    reads, and replayed when a later review's earlier cells leave the same values for them.
    """
    variants = _CELL_CACHE.get(source)
    if variants:
        for found in variants:
            if found.scan is None:
                return found
            if scanner.can_replay(found.scan):
                scan = scanner.replay(found.scan, cell)
                return found if scan is found.scan else _replace_scan(found, scan)
    code = analyse_cell(source)
    scan = scanner.scan(code.nodes, cell, code.offset) if code.nodes is not None else None
    error = code.error if code.nodes is None and code.language == "python" else None
    rec = _Recorder()
    lookup = ConstLookup(scanner, scan)
    magic_facts(cell, code, rec, lookup)  # type: ignore[arg-type]
    text_facts(source, code, rec)  # type: ignore[arg-type]
    magic = rec.take()
    if scan is not None and lookup.read:
        scan = scan.with_reads(lookup.read)
    logs: list[FactLog] = [(), (), ()]
    if scan is not None:
        import_facts(scan.imports, rec)  # type: ignore[arg-type]
        logs[0] = rec.take()
        call_facts(list(scan.calls), rec)  # type: ignore[arg-type]
        logs[1] = rec.take()
        path_facts(scan.strings, rec)  # type: ignore[arg-type]
        assigned_facts(scan.assigned, rec)  # type: ignore[arg-type]
        logs[2] = rec.take()
    found = _CellFacts(
        scan,
        error,
        tuple((line, word) for _, line, word in rec.phase_lines),
        magic,
        *logs,
    )
    if variants is None:
        while len(_CELL_CACHE) >= _CELL_CACHE_MAX:  # the oldest source goes first
            drop_oldest(_CELL_CACHE)
        variants = _CELL_CACHE[source] = []
    variants.insert(0, found)
    del variants[_CELL_VARIANTS:]
    return found


def clear_caches() -> None:
    """Forget everything remembered between reviews (for benchmarks of a first review)."""
    analyse_cell.cache_clear()
    _CELL_CACHE.clear()
    _CALL_INDEXES.clear()
    _DISPATCH.clear()
    _SECRETS_CACHE.clear()


def _replace_scan(found: _CellFacts, scan: CellScan) -> _CellFacts:
    return _CellFacts(
        scan,
        found.error,
        found.phase_lines,
        found.magic,
        found.imports,
        found.calls,
        found.paths,
    )


def _replay(log: FactLog, cell: int, facts: Facts) -> None:
    items = facts.items
    for kind, line, fields in log:
        found = items.get(kind)
        if found is None:
            found = items[kind] = []
        found.append({"cell": cell, "line": line, **fields})


_SECRETS_CACHE: dict[str, tuple] = {}


_SECRETS_CACHE_MAX = 16384


def secret_texts(nb: Notebook) -> list[tuple[int, str, str]]:
    """What the secrets scan reads: ``(cell index, "code" | "output", text)`` for every code
    cell's source and every text output, in notebook order."""
    texts: list[tuple[int, str, str]] = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source:
            texts.append((cell.index, "code", cell.source))
        for out in cell.outputs:
            text = output_text(out)
            if text:
                texts.append((cell.index, "output", text))
    return texts


def _secret_facts(nb: Notebook, facts: Facts) -> None:
    """Secrets in code cells and text outputs. Each text is scanned once per process (cached by
    content), and all texts not seen yet are scanned together in one pass."""
    texts = secret_texts(nb)
    todo = [t for t in texts if t[2] not in _SECRETS_CACHE]
    if todo:
        from .secrets import scan_lines

        numbered: list[tuple[int, str]] = []
        owner: list[tuple[str, int]] = []  # (text, line in text)
        for _, _, text in todo:
            for i, line in enumerate(text.split("\n")[:5000], start=1):
                numbered.append((len(numbered) + 1, line))
                owner.append((text, i))
        found: dict[str, list[tuple[int, str]]] = {t[2]: [] for t in todo}
        for s in scan_lines(numbered):
            text, line = owner[s.line - 1]
            found[text].append((line, s.kind))
        if len(_SECRETS_CACHE) + len(found) > _SECRETS_CACHE_MAX:
            _SECRETS_CACHE.clear()
        for text, hits in found.items():
            _SECRETS_CACHE[text] = tuple(hits)
    for cell, where, text in texts:
        hits = _SECRETS_CACHE.get(text, ())
        if not hits:
            continue
        from .secrets import credible

        lines = text.split("\n")
        for line, kind in hits:
            if credible(kind, where, lines[line - 1] if line <= len(lines) else ""):
                facts.add("secret", cell, line, kind=kind, where=where)
