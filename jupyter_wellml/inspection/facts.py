"""Notebook facts: everything the lens's rules can ask about a notebook, gathered statically.

:func:`gather` reads every cell once (nothing is executed) and returns :class:`Facts`: per fact
kind, a list of plain dicts with ``cell`` (0-based index) and ``line`` (1-based line in the
cell) and the fields the lens format documents (docs/lens-format.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..catalog.vocabulary import REVIEW_KEYS, TRAINING_KINDS
from ..values import Frozen, Value
from . import signatures as sig
from .installs import classify, installs_in_args, installs_in_command
from .lines import line_facts, looks_like_sql, sql_facts
from .notebook import Notebook, output_text
from .pyscan import ABSENT, CONST_REF, NOT_LITERAL, Call, CellScan, Scanner
from .rfacts import r_cell_facts
from .shell import command_facts, expand, is_code_file
from .source import SQL_MAGICS, CellCode, analyse_cell

#: Fact kinds and the key each has in the review's ``facts`` object (the vocabulary's).
FACT_KEYS = REVIEW_KEYS
TOOLING_PACKAGES = frozenset({"pip", "setuptools", "wheel"})
_ABS_PATH = re.compile(
    r"^(?:/(?!tmp/|tmp$|opt/ml|opt/program|opt/conda|usr/|etc/|dev/|proc/|sys/|bin/|lib|sbin/|var/run|invocations|ping)[\w.@~+-]+(?:/[\w.@~+ -]*)+|[A-Za-z]:\\[^\"'<>|?*\n]+|~/[\w.@+-][^\s\"']*)$"
)
_VERSIONED_PATH = re.compile(
    r"(\{[^}]*(?:version|ver|time|date|stamp|now|hash|sha|digest|run|uuid|commit|git|job|id)[^}]*\})"
    r"|(?<![a-z])v\d+(?:[._]\d+)*(?![a-z])|\d{8}|\d{4}-\d{2}-\d{2}|[0-9a-f]{12,}",
    re.I,
)
OBJECTIVE_TYPES = ("Maximize", "Minimize")
#: paths that name a trained model, read to deploy or inspect it: not data sets
_MODEL_FILE = re.compile(r"model", re.I)
_DATA_EXTENSIONS = (".csv", ".tsv", ".parquet", ".json", ".jsonl", ".txt", ".libsvm", ".xlsx")
_WELLML_PHASE = re.compile(r"^\s*%?wellml\s+phase\s+(?P<word>[\w -]+?)\s*(?:#.*)?$")


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})
#: containers in a fact are cut to this many items (a fact is evidence, not a copy of the data)
PLAIN_ITEMS = 64


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data: what is not a literal (:data:`~.pyscan.NOT_LITERAL`, bytes,
    ``...``, objects) becomes ``None``; tuples become lists; dict keys become text; containers
    are cut to :data:`PLAIN_ITEMS` items and nest at most four deep."""
    t = type(value)
    if t in _PLAIN_TYPES:
        return value
    if t is float:
        return value if value - value == 0 else None  # inf and nan have no JSON form
    if depth >= 4:
        return None
    if t is list or t is tuple:
        return [plain(v, depth + 1) for v in value[:PLAIN_ITEMS]]
    if t is dict:
        out = {}
        for k, v in value.items():
            if len(out) >= PLAIN_ITEMS:
                break
            if type(k) in _PLAIN_TYPES or type(k) is float:
                out[str(k)] = plain(v, depth + 1)
        return out
    return None


def plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A fact's fields as JSON data (see :func:`plain`); the common all-plain case is returned as is."""
    for v in fields.values():
        if type(v) not in _PLAIN_TYPES:
            return {k: plain(v) for k, v in fields.items()}
    return fields


class Facts(Value):
    """The facts of one notebook."""

    __slots__ = (
        "_memo",
        "calls",
        "cell_lines",
        "errors",
        "inspected",
        "items",
        "phase_lines",
        "reason",
    )

    def __init__(
        self,
        items: dict[str, list[dict[str, Any]]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        inspected: bool = True,
        reason: str | None = None,
        phase_lines: list[tuple[int, int, str]] | None = None,
        calls: list | None = None,
        cell_lines: dict[int, list[str]] | None = None,
    ) -> None:
        self.items = {} if items is None else items
        self.errors = [] if errors is None else errors
        self.inspected = inspected
        self.reason = reason
        self.phase_lines = (
            [] if phase_lines is None else phase_lines
        )  # (cell, line, word) of %wellml phase
        self.calls = [] if calls is None else calls  # every call (pyscan.Call), for `call` rules
        self.cell_lines = {} if cell_lines is None else cell_lines  # source lines of every cell
        self._memo: dict[str, Any] = {}

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.items.get(kind, [])

    def memo(self) -> dict[str, Any]:
        """Values computed once from these facts (by the rules, say), by name."""
        return self._memo

    def call_index(self) -> CallIndex:
        """Distinct call names indexed for glob lookups (computed once).

        The index depends only on the set of names, which an edit rarely changes: the indexes of
        the last few name sets are kept, with the glob matches they remember.
        """
        index = self._memo.get("call_index")
        if index is None:
            names = self.calls_by_name()
            key = frozenset(names)
            index = _CALL_INDEXES.pop(key, None)
            if index is None:
                index = CallIndex(names)
            _CALL_INDEXES[key] = index  # most recently used last
            while len(_CALL_INDEXES) > _CALL_INDEXES_MAX:
                _drop_oldest(_CALL_INDEXES)
            self._memo["call_index"] = index
        return index

    def calls_by_name(self) -> dict[str, list]:
        """Calls grouped by qualified name (computed once)."""
        grouped = self._memo.get("calls_by_name")
        if grouped is None:
            grouped = {}
            for call in self.calls:
                grouped.setdefault(call.name, []).append(call)
            self._memo["calls_by_name"] = grouped
        return grouped

    def add(self, fact: str, cell: int | None, line: int | None, /, **fields: Any) -> None:
        self.items.setdefault(fact, []).append({"cell": cell, "line": line, **plain_fields(fields)})

    @property
    def trains_model(self) -> bool:
        """Training calls, and tuning or AutoML jobs (they train models too)."""
        return any(self.items.get(k) for k in TRAINING_KINDS)

    def snippet(self, cell: int | None, line: int | None) -> str | None:
        if cell is None or line is None:
            return None
        lines = self.cell_lines.get(cell)
        if not lines or not (1 <= line <= len(lines)):
            return None
        text = lines[line - 1].strip()
        return text[:160] + ("…" if len(text) > 160 else "")


def _drop_oldest(cache: dict) -> None:
    """Remove a cache's oldest entry (tolerating another thread doing the same)."""
    try:
        cache.pop(next(iter(cache)), None)
    except (StopIteration, RuntimeError):
        pass


_CALL_INDEXES: dict[frozenset, CallIndex] = {}
_CALL_INDEXES_MAX = 8


class CallIndex:
    """Distinct call names by last and first segment, so a glob only tests names that can match."""

    def __init__(self, names):
        self.names = list(names)
        self.by_last: dict[str, list[str]] = {}
        self.by_first: dict[str, list[str]] = {}
        for n in self.names:
            self.by_last.setdefault(n.rsplit(".", 1)[-1], []).append(n)
            self.by_first.setdefault(n.split(".", 1)[0], []).append(n)

    def matching(self, glob) -> tuple[str, ...]:
        """The call names a glob matches (remembered: many rules share globs)."""
        if glob.kind == "exact":  # most lens globs name one call: a set lookup
            names = self.__dict__.get("_names")
            if names is None:
                names = self.__dict__["_names"] = frozenset(self.names)
            return (glob.text,) if glob.text in names else ()
        memo = self.__dict__.setdefault("_memo", {})
        found = memo.get(glob.pattern)
        if found is None:
            found = memo[glob.pattern] = tuple(n for n in self.candidates(glob) if glob.match(n))
        return found

    def candidates(self, glob) -> list[str]:
        pattern = glob.pattern
        last = pattern.rsplit(".", 1)[-1]
        if not any(ch in last for ch in "*?["):
            return self.by_last.get(last, [])
        first = pattern.split(".", 1)[0]
        if "." in pattern and first and not any(ch in first for ch in "*?["):
            return self.by_first.get(first, [])
        return self.names


@lru_cache(maxsize=1)
def _call_index():
    return sig.index_calls()


_DISPATCH: dict[str, tuple] = {}
_DISPATCH_MAX = 65536


def _dispatch(name: str) -> tuple[tuple, bool]:
    """The :data:`signatures.CALLS` entries a call name matches (deny globs applied), and
    whether it is a service-client call: a pure function of the name, remembered."""
    found = _DISPATCH.get(name)
    if found is None:
        by_last, by_first, anywhere = _call_index()
        candidates = by_last.get(name.rsplit(".", 1)[-1], ())
        first = name.split(".", 1)[0]
        if first:
            candidates = (*candidates, *by_first.get(first, ()))
        if anywhere:
            candidates = (*candidates, *anywhere)
        entries = tuple(
            (kind, fields)
            for pattern, kind, fields, deny in candidates
            if pattern.match(name) and not (deny is not None and deny.match(name))
        )
        if len(_DISPATCH) >= _DISPATCH_MAX:
            _DISPATCH.clear()
        found = _DISPATCH[name] = (entries, _service_calls().match(name))
    return found


@lru_cache(maxsize=1)
def _service_calls():
    return sig.compile_globs(sig.SERVICE_CALLS)


def gather(nb: Notebook, *, secrets: bool = True) -> Facts:
    """Every notebook fact, in cell order. Never raises for odd code: unparsable cells become ``errors``."""
    facts = Facts()
    for cell in nb.cells:
        facts.cell_lines[cell.index] = cell.source.split("\n")
    if not nb.is_python:
        if nb.kernel_language in R_NAMES:
            _r_notebook(nb, facts)
        else:
            facts.inspected = False
            facts.reason = (
                f"the kernel language is {nb.kernel_language!r}: only Python and R code are "
                "inspected, so this notebook's code was not reviewed"
            )
            _execution_order(nb, facts)
        if secrets:
            _secret_facts(nb, facts)
        _dedupe(facts)
        return facts
    scanner = Scanner()
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
                {"cell": cell.index, "line": line, "message": f"syntax error: {message}"}
            )
        for line, word in found.phase_lines:
            facts.phase_lines.append((cell.index, line, word))
        _replay(found.magic, cell.index, facts)
    # the per-cell facts, in the order passes over the whole notebook's imports, then calls,
    # (then training loops), then strings add them
    for index, found in done:
        _replay(found.imports, index, facts)
    for index, found in done:
        _replay(found.calls, index, facts)
    facts.calls = scanner.index.calls
    _training_loops(facts.calls, facts)
    for index, found in done:
        _replay(found.paths, index, facts)
    _artifact_versions(facts)
    _endpoint_targets(facts)
    _feature_pipelines(facts)
    _metric_objects(facts)
    _execution_order(nb, facts)
    if secrets:
        _secret_facts(nb, facts)
    _dedupe(facts)
    return facts


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
            r_cell_facts(cell.source, cell.index, consts, facts.add, _data_source)
        except (RecursionError, MemoryError, ValueError, TypeError) as exc:
            facts.errors.append({"cell": cell.index, "line": None, "message": _not_inspected(exc)})
    _execution_order(nb, facts)


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
    lookup = _ConstLookup(scanner, scan)
    _magic_facts(cell, code, rec, lookup)  # type: ignore[arg-type]
    _text_facts(source, code, rec)  # type: ignore[arg-type]
    magic = rec.take()
    if scan is not None and lookup.read:
        scan = scan.with_reads(lookup.read)
    logs: list[FactLog] = [(), (), ()]
    if scan is not None:
        _import_facts(scan.imports, rec)  # type: ignore[arg-type]
        logs[0] = rec.take()
        _call_facts(list(scan.calls), rec)  # type: ignore[arg-type]
        logs[1] = rec.take()
        _path_facts(scan.strings, rec)  # type: ignore[arg-type]
        _assigned_facts(scan.assigned, rec)  # type: ignore[arg-type]
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
            _drop_oldest(_CELL_CACHE)
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


# --------------------------------------------------------------------------- magics and shell
def _magic_facts(cell: int, code: CellCode, facts: Facts, lookup: _ConstLookup) -> None:
    if code.writefile:
        facts.add("writefile", cell, 1, path=code.writefile)
    for m in code.magics:
        if m.kind == "shell":
            facts.add("shell", cell, m.line, command=m.name)
            command = m.args
            form = "shell"
        elif m.kind == "magic" and m.name in ("pip", "conda", "mamba", "uv"):
            command = f"{m.name} {m.args}"
            form = m.form
        elif m.kind == "magic" and m.name == "wellml":
            pm = _WELLML_PHASE.match(f"wellml {m.args}")
            if pm:
                facts.phase_lines.append((cell, m.line, pm.group("word").strip()))
            continue
        elif m.kind == "magic" and m.name in ("sx", "system"):
            command, form = m.args, "shell"
        else:
            continue
        for tool, token, _ in installs_in_command(command):
            info = classify(tool, token)
            if info["name"] in TOOLING_PACKAGES:
                continue
            facts.add("pip_install", cell, m.line, tool=tool, form=form, **info)
        if m.kind == "shell" or form == "shell":
            if m.form != "cell_shell":  # IPython expands $name and {name} in `!` lines only
                command = expand(command, lookup)
            for kind, fields in command_facts(command):
                facts.add(kind, cell, m.line, **fields)


class _ConstLookup:
    """Looks up the notebook's string constants for shell lines, noting which it read (the
    cell's facts then depend on them, like the scan's own reads)."""

    def __init__(self, scanner: Scanner, scan: CellScan | None) -> None:
        self.consts = scanner.index.consts
        self.own = {k for k, _ in scan.writes[1]} if scan is not None else set()
        self.read: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        value = dict.get(self.consts, name)
        if name not in self.own:
            self.read[name] = dict.get(self.consts, name, ABSENT)
        return value


def _text_facts(source: str, code: CellCode, facts: Facts) -> None:
    """Facts in the cell's text: seeds in parameter dicts and command lines, training-history
    metrics, feature importances (Python cells), and SQL bodies (``%%bigquery``...)."""
    if code.language == "python":
        for kind, line, fields in line_facts(source):
            facts.add(kind, None, line, **fields)
    elif code.magics and code.magics[0].kind == "cell_magic" and code.magics[0].name in SQL_MAGICS:
        body = source.partition("\n")[2]
        for kind, line, fields in sql_facts(body, 2):
            facts.add(kind, None, line, **fields)
    elif code.magics and code.magics[0].kind == "cell_magic" and code.magics[0].name == "R":
        # rpy2's `%%R`: the body is R; a blank first line keeps the cell's line numbers
        body = "\n" + source.partition("\n")[2]
        r_cell_facts(body, 0, {}, facts.add, _data_source)


# --------------------------------------------------------------------------- imports and calls
def _import_facts(imports, facts: Facts) -> None:
    for imp in imports:
        facts.add("import", imp.cell, imp.line, module=imp.module, name=imp.name, alias=imp.alias)
        top = imp.module.split(".", 1)[0]
        mapped = sig.IMPORT_FACTS.get(top)
        if mapped is None and imp.name:
            mapped = sig.IMPORT_FACTS.get(imp.qualified.split(".", 1)[0])
        if mapped is not None:
            kind, fields = mapped
            facts.add(kind, imp.cell, imp.line, via="import", **fields)


def _call_facts(calls: list[Call], facts: Facts) -> None:
    keywords = sig.KEYWORDS
    seed_keywords = sig.SEED_KEYWORDS
    for call in calls:
        name = call.name
        entries, service_call = _dispatch(name)
        for kind, fields in entries:
            values = {k: (v(call) if callable(v) else v) for k, v in fields.items()}
            if "_kind" in values:
                kind = values.pop("_kind")
                if kind is None:
                    continue
            if kind == "data_source" and not _data_source(call, values):
                continue
            if kind == "metric":
                _metrics(call, values.pop("name", None), facts, **values)
                continue
            facts.add(kind, call.cell, call.line, **values)
            if kind == "pretrained_model":
                _hub_model(call, facts)
        if call.args and service_call:
            service = call.args[0] if isinstance(call.args[0], str) else call.kw("service_name")
            if isinstance(service, str) and service in sig.SERVICES:
                kind, fields = sig.SERVICES[service]
                facts.add(kind, call.cell, call.line, **fields)
        if name.startswith(("subprocess.", "os.system")):
            _subprocess_installs(call, facts)
        if name.startswith("sagemaker.") and name.endswith((".fit", ".transform")):
            _job_inputs(call, facts)
        for kw, value in call.keywords.items():
            if kw in sig.METRIC_KEYWORDS:
                _metrics(call, value, facts, api=name)
            elif kw == "metric_definitions" and not (call.ref(kw) or "").startswith(CONST_REF):
                _metrics(call, _defined_metrics(value), facts, api=name)
            elif kw == "metrics" and _metrics_keyword_call(name):
                _metrics(call, value if value is not NOT_LITERAL else call.ref(kw), facts, api=name)
            if (
                kw in keywords
                and value not in sig.OFF_VALUES
                and call.last not in sig.KEYWORD_NOT_FROM.get(kw, ())
            ):
                kind, fields = keywords[kw]
                facts.add(kind, call.cell, call.line, api=name, **fields)
            elif kw in seed_keywords and isinstance(value, int) and not isinstance(value, bool):
                facts.add(
                    "seed",
                    call.cell,
                    call.line,
                    library="random_state" if kw == "random_state" else "other",
                    value=value,
                    api=name,
                )
            elif type(value) is dict:
                _dict_keys(call, value, facts, depth=0, keyword=kw)
            elif type(value) is list:  # ProductionVariants=[{...}], InputDataConfig=[{...}]
                for item in value[:16]:
                    if type(item) is dict:
                        _dict_keys(call, item, facts, depth=1, keyword=kw)
                if kw in ("args", "arguments") and not (call.ref(kw) or "").startswith(CONST_REF):
                    for uri in _argument_uris(value):
                        facts.add(
                            "data_source",
                            call.cell,
                            call.line,
                            uri=uri,
                            kind=sig.uri_kind(uri),
                            via=f"{name}:{kw}",
                        )
        _instance_fact(call, facts)


@lru_cache(maxsize=1)
def _metrics_keyword_globs():
    return sig.compile_globs(sig.METRICS_KEYWORD_CALLS)


def _metrics_keyword_call(name: str) -> bool:
    return _metrics_keyword_globs().match(name)


def _metrics(call: Call, names: Any, facts: Facts, **fields: Any) -> None:
    """One ``metric`` fact per name: a text, a list of texts, the keys of a dict (a tuning
    job's ``metric_spec``), or a reference to a metric object (``metrics=error_rate``)."""
    if isinstance(names, dict):
        names = list(names)
    elif not isinstance(names, list):
        names = [names]
    fields.setdefault("api", call.name)
    seen = set()
    for metric in names[:16]:
        if isinstance(metric, str) and metric and "{" not in metric and metric not in seen:
            seen.add(metric)
            # `tf.keras.metrics.AUC` -> AUC; "evaluate-metric/mase" (a hub namespace) -> mase
            short = metric.rsplit("/", 1)[-1] if "/" in metric else metric.rsplit(".", 1)[-1]
            facts.add("metric", call.cell, call.line, name=short, **fields)


_LOCAL_MODEL = re.compile(
    r"^(?:\.{1,2}/|/|~|[A-Za-z]:\\)|(?:^|/)(?:output|outputs|model|models|checkpoint[-\w]*)/?$"
)


def _hub_model(call: Call, facts: Facts) -> None:
    """A pre-trained model fetched by its hub id is an input of the notebook (a ``model_hub``
    read); a model loaded from a local folder is a ``local`` one."""
    ident = sig.hub_id(call)
    if ident is False:
        return
    if isinstance(ident, str) and ident:
        kind = "local" if _LOCAL_MODEL.search(ident) else sig.uri_kind(ident)
        if kind == "local" and not _LOCAL_MODEL.search(ident):
            kind = "model_hub"
        facts.add("data_source", call.cell, call.line, uri=ident, kind=kind, via=call.name)
    else:
        facts.add(
            "data_source", call.cell, call.line, uri="(computed)", kind="model_hub", via=call.name
        )


def _job_inputs(call: Call, facts: Facts) -> None:
    """What a SageMaker job reads: the channels of ``fit`` (``est.fit({"train": "s3://..."})``,
    or channels built elsewhere) and the data of a batch ``transform``."""
    key = "data" if call.name.endswith(".transform") else "inputs"
    if call.args:
        inputs, ref = call.args[0], call.ref(0)
    elif key in call.keywords:
        inputs, ref = call.keywords[key], call.ref(key)
    else:
        return  # `fit()` with no data: a job that reads nothing (or its defaults)
    uris = [inputs] if isinstance(inputs, str) else []
    if isinstance(inputs, dict):
        uris = [v for v in inputs.values() if isinstance(v, str)]
    for uri in uris:
        facts.add(
            "data_source", call.cell, call.line, via=call.name, uri=uri, kind=sig.uri_kind(uri)
        )
    if not uris and inputs is not None:
        kind = "local" if (ref or "").endswith("FileSystemInput") else "s3"
        facts.add("data_source", call.cell, call.line, via=call.name, uri="(computed)", kind=kind)


#: first arguments that hold data in memory, not a location to read from
_IN_MEMORY = ("io.StringIO", "io.BytesIO", "json.dumps", "StringIO", "BytesIO")


def _data_source(call: Call, values: dict[str, Any]) -> bool:
    """Fill ``uri`` and ``kind`` of a data-source fact; False when the call is not a read."""
    name = call.name
    if values.get("kind") == "none":
        return False
    if name in ("open", "io.open") or name.endswith(("GFile", ".open")):
        mode = call.args[1] if len(call.args) > 1 else call.kw("mode", "r")
        if not isinstance(mode, str) or any(ch in mode for ch in "wax+"):
            return False
    if name.startswith("azureml.") and ("download" in name or name.endswith(".get_file")):
        return False  # a run's own output files, fetched back: not an input
    ref = call.ref(0)
    if ref and ref.endswith(_IN_MEMORY):
        return False
    uri = values.get("uri")
    if isinstance(uri, dict):  # TrainingInput-style {"train": "s3://..."} passed positionally
        uri = next((v for v in uri.values() if isinstance(v, str)), None)
    if isinstance(uri, list):
        uri = next((v for v in uri if isinstance(v, str)), None)
    if uri is None or uri is NOT_LITERAL or not isinstance(uri, str):
        values["uri"] = "(computed)"
        values.setdefault("kind", "s3" if name in sig.S3_READERS else "unknown")
        return name != "xgboost.DMatrix"  # a DMatrix made of arrays in memory reads nothing
    base = uri.rstrip("/").rsplit("/", 1)[-1]
    if base.endswith(".out"):
        return False  # a batch transform's output (`x.csv.out`), read back: not an input
    if _MODEL_FILE.search(base) and not base.lower().endswith(_DATA_EXTENSIONS):
        return False  # `open("model/xgb-model.tar.gz", "rb")`: a model artifact, not data
    if is_code_file(base):
        return False  # `open("train.py")`, `open("env.yml")`: code and configuration
    values["uri"] = uri
    values.setdefault("kind", sig.uri_kind(uri))
    return True


#: dictionary keys naming what a job or container fetches from a hub
_HUB_KEYS = {
    "HF_MODEL_ID": "model_hub",
    "MODEL_ID": "model_hub",
    "HF_MODEL_NAME": "model_hub",
}
#: keys of a job's hyperparameters or environment that name a hub model or data set
_JOB_HUB_KEYS = {
    "model_name": "model_hub",
    "model_name_or_path": "model_hub",
    "model_id": "model_hub",
    "pretrained_model_name_or_path": "model_hub",
    "model_checkpoint": "model_hub",
    "base_model": "model_hub",
    "dataset_name": "dataset",
    "dataset_id": "dataset",
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?$")


def _dict_keys(call: Call, value: dict, facts: Facts, depth: int, keyword: str = "") -> None:
    """Keys of literal dicts passed to calls (boto3-style ``ResourceConfig={...}``, hyperparameters)."""
    for key, inner in value.items():
        if key in sig.KEYWORDS and inner not in sig.OFF_VALUES:
            kind, fields = sig.KEYWORDS[key]
            facts.add(kind, call.cell, call.line, api=call.name, **fields)
        elif key in ("InstanceType",) and isinstance(inner, str):
            facts.add(
                "instance",
                call.cell,
                call.line,
                type=inner,
                count=value.get("InstanceCount")
                if isinstance(value.get("InstanceCount"), int)
                else None,
                purpose=_purpose(call.name),
                family=sig._instance_family(inner),
                gpu=sig._instance_family(inner) in ("gpu", "local_gpu"),
            )
        elif (
            (key in _HUB_KEYS or (key in _JOB_HUB_KEYS and keyword in _JOB_KEYWORDS))
            and isinstance(inner, str)
            and _HUB_ID.match(inner)
            and not (call.ref(keyword) or "").startswith(CONST_REF)  # counted where assigned
        ):
            kind = _HUB_KEYS.get(key) or _JOB_HUB_KEYS[key]
            facts.add(
                "data_source", call.cell, call.line, uri=inner, kind=kind, via=f"{call.name}:{key}"
            )
        elif (key in ("eval_metric", "objective_metric_name") and isinstance(inner, str)) or (
            key == "MetricName" and isinstance(inner, str) and value.get("Type") in OBJECTIVE_TYPES
        ):
            # MetricName only in a tuning objective ({"Type": "Maximize", "MetricName": ...}):
            # elsewhere (CloudWatch alarms, autoscaling) it names an operational metric
            facts.add("metric", call.cell, call.line, name=inner)
        elif key == "AutoMLJobObjective" and isinstance(inner, dict):
            if isinstance(inner.get("MetricName"), str):
                facts.add("metric", call.cell, call.line, name=inner["MetricName"])
        elif type(inner) is dict and depth < 3:
            _dict_keys(call, inner, facts, depth + 1, keyword)
        elif type(inner) is list and depth < 3:
            for item in inner[:16]:
                if type(item) is dict:
                    _dict_keys(call, item, facts, depth + 1, keyword)


#: keywords whose dicts are a job's settings (its hyperparameters, its container's environment)
_JOB_KEYWORDS = frozenset({"hyperparameters", "env", "environment", "environment_variables"})


def _purpose(name: str) -> str:
    low = name.lower()
    if "processor" in low or "processing" in low:
        return "processing"
    if (
        "deploy" in low
        or "model" in low.rsplit(".", 1)[-1]
        or "endpoint" in low
        or "transformer" in low
        or "predictor" in low
    ):
        return "inference"
    if "notebook" in low:
        return "notebook"
    return "training"


def _instance_fact(call: Call, facts: Facts) -> None:
    itype = call.kw("instance_type") or call.kw("train_instance_type") or call.kw("InstanceType")
    if not isinstance(itype, str):
        return
    count = (
        call.kw("instance_count")
        or call.kw("initial_instance_count")
        or call.kw("train_instance_count")
    )
    family = sig._instance_family(itype)
    purpose = _purpose(call.name)
    facts.add(
        "instance",
        call.cell,
        call.line,
        type=itype,
        count=count if isinstance(count, int) else None,
        purpose=purpose,
        family=family,
        gpu=family in ("gpu", "local_gpu"),
        api=call.name,
    )
    if purpose == "training" and isinstance(count, int) and count > 1:
        facts.add("distributed", call.cell, call.line, api=call.name, instances=count)


def _subprocess_installs(call: Call, facts: Facts) -> None:
    args = call.args[0] if call.args else call.kw("args")
    if isinstance(args, str):
        found = installs_in_command(args)
    elif isinstance(args, list):
        found = installs_in_args(args)
    else:
        return
    for tool, token, _ in found:
        info = classify(tool, token)
        if info["name"] not in TOOLING_PACKAGES:
            facts.add("pip_install", call.cell, call.line, tool=tool, form="subprocess", **info)


def _training_loops(calls: list[Call], facts: Facts) -> None:
    """A hand-written PyTorch-style loop: ``loss.backward()`` and ``optimizer.step()`` in one cell."""
    trained_cells = {f["cell"] for f in facts.of("training")} if facts.of("training") else set()
    backward: dict[int, Call] = {}
    steps: set[int] = set()
    for call in calls:
        if call.name.endswith(".backward"):
            backward.setdefault(call.cell, call)
        elif call.name.endswith(".step") and "lr_scheduler" not in call.name:
            steps.add(call.cell)
    for cell, call in backward.items():
        if cell in steps and cell not in trained_cells:
            facts.add(
                "training",
                cell,
                call.line,
                api="training loop (backward + step)",
                framework="torch",
                managed=False,
            )


# --------------------------------------------------------------------------- strings
def _path_facts(strings, facts: Facts) -> None:
    for lit in strings:
        v = lit.value
        if len(v) > 20 and looks_like_sql(v):
            for kind, line, fields in sql_facts(v, lit.line):
                facts.add(kind, lit.cell, line, **fields)
        if (
            (v[0] in "/~" or (len(v) > 2 and v[1] == ":"))
            and "\n" not in v
            and len(v) < 400
            and _ABS_PATH.match(v)
        ):
            facts.add("absolute_path", lit.cell, lit.line, path=v)


#: keys of a job's hyperparameters (beside a model id, they show the dict configures training)
_TRAINING_KEYS = frozenset(
    {
        "epochs",
        "num_train_epochs",
        "epoch",
        "learning_rate",
        "lr",
        "batch_size",
        "train_batch_size",
        "per_device_train_batch_size",
        "max_steps",
        "train_steps",
        "HF_TASK",
        "do_train",
        "max_seq_length",
        "warmup_steps",
    }
)


#: a job's command-line option that hands it data: ``--train-data=gs://...``, ``--dataset-url``
_DATA_OPTION = re.compile(
    r"^--?[\w-]*(?:data|train|test|valid|eval|input|file|csv|label|corpus)[\w-]*[= ]"
    r"((?:gs|s3|s3a|abfss?|wasbs?|https?)://\S+)$",
    re.I,
)


def _argument_uris(args: list) -> list[str]:
    """Storage URIs a job is given as data options (``["--data-url=gs://b/train.csv"]``, or
    ``["--train", "s3://b/train"]``)."""
    found = []
    for i, item in enumerate(args[:64]):
        if not isinstance(item, str):
            continue
        m = _DATA_OPTION.match(item)
        if m:
            found.append(m.group(1))
        elif (
            i > 0
            and isinstance(args[i - 1], str)
            and "=" not in args[i - 1]  # `--data-url gs://...`: a bare option, then its value
            and _DATA_OPTION.match(f"{args[i - 1]}={item}")
        ):
            found.append(item)
    return found


def _defined_metrics(value: Any) -> list[str]:
    """Metric names of SageMaker metric definitions (``[{"Name": ..., "Regex": ...}]``, also
    under a tuning objective's ``"metrics"``): the evaluation ones, not throughput or epochs."""
    if isinstance(value, dict):
        value = value.get("metrics")
    if not isinstance(value, list):
        return []
    names = [d.get("Name") for d in value[:32] if isinstance(d, dict) and "Regex" in d]
    return [n for n in names if isinstance(n, str) and sig.METRIC_WORDS.search(n)]


#: keys of settings dicts that name the metric a job optimises or reports
_METRIC_KEYS = (
    "metric",
    "primary_metric",
    "eval_metric",
    "objective_metric_name",
    "metric_for_best_model",
    "metric_name",
    "primary_metric_name",
)


def _assigned_facts(assigned, facts: Facts) -> None:
    """Literal dicts and lists assigned to a name: a container's environment naming a hub model
    (``hub = {"HF_MODEL_ID": ...}``), a job's hyperparameters naming a model or data set, a
    job's settings naming its metric (``automl_settings = {"primary_metric": ...}``), metric
    definitions, and command-line options that hand a job its data."""
    for _target, value, cell, line in assigned:
        for metric in _defined_metrics(value):
            facts.add("metric", cell, line, name=metric, api="metric definitions")
        if type(value) is dict:
            for key in _METRIC_KEYS:
                if isinstance(value.get(key), str) and value[key]:
                    facts.add("metric", cell, line, name=value[key], api=f"settings:{key}")
            methods = value.get("methods")
            if isinstance(methods, dict) and ("shap" in methods or "pdp" in methods):
                # a SageMaker Clarify analysis configuration, run through a processing job
                facts.add(
                    "explainability", cell, line, method="clarify_shap", api="analysis config"
                )
        if type(value) is list:
            for uri in _argument_uris(value):
                facts.add(
                    "data_source", cell, line, uri=uri, kind=sig.uri_kind(uri), via="arguments"
                )
            continue
        if type(value) is not dict:
            continue
        training = not _TRAINING_KEYS.isdisjoint(value)
        for key, inner in value.items():
            kind = _HUB_KEYS.get(key) or (_JOB_HUB_KEYS.get(key) if training else None)
            if kind and isinstance(inner, str) and _HUB_ID.match(inner):
                facts.add("data_source", cell, line, uri=inner, kind=kind, via=f"dict:{key}")


#: Spark ML learners: a Spark pipeline that fits none of them only transforms features
_SPARK_LEARNERS = (
    "pyspark.ml.classification.",
    "pyspark.ml.regression.",
    "pyspark.ml.clustering.",
    "pyspark.ml.recommendation.",
    "pyspark.ml.fpm.",
    "sparkxgb",
    "xgboost.spark.",
    "synapse.ml.",
)


def _metric_objects(facts: Facts) -> None:
    """``metric = evaluate.load("rouge")`` then ``metric.compute(...)``: the computation is of
    the metric the notebook loaded (when it loads one only)."""
    metrics = facts.items.get("metric")
    if not metrics:
        return
    loaded = {m["name"] for m in metrics if m.get("api") in _METRIC_LOADERS}
    if len(loaded) != 1:
        return
    (name,) = loaded
    for m in metrics:
        if m.get("name") == "compute":
            m["name"] = name


_METRIC_LOADERS = ("evaluate.load", "datasets.load_metric", "datasets.load.load_metric")


def _feature_pipelines(facts: Facts) -> None:
    """``pyspark.ml.Pipeline(stages=[indexer, encoder, assembler]).fit(df)`` fits feature
    transformers, not a model: it is training only when the notebook builds a Spark learner."""
    training = facts.items.get("training")
    if not training or not any(
        str(t.get("api", "")).startswith("pyspark.ml.Pipeline") for t in training
    ):
        return
    if any(c.name.startswith(_SPARK_LEARNERS) for c in facts.calls):
        return
    kept = [t for t in training if not str(t.get("api", "")).startswith("pyspark.ml.Pipeline")]
    if kept:
        facts.items["training"] = kept
    else:
        del facts.items["training"]


def _endpoint_targets(facts: Facts) -> None:
    """boto3 makes an endpoint (``create_endpoint``) from a configuration made by another call
    (``create_endpoint_config``): when the notebook's configurations all set up one kind of
    inference other than real-time (serverless, async), its endpoints are of that kind."""
    deployments = facts.of("deployment")
    configured = {
        d.get("target")
        for d in deployments
        if str(d.get("api") or "").endswith(".create_endpoint_config")
    }
    if len(configured) != 1 or configured == {"realtime"}:
        return
    (target,) = configured
    for d in deployments:
        if str(d.get("api") or "").endswith(".create_endpoint"):
            d["target"] = target


def _artifact_versions(facts: Facts) -> None:
    registered = bool(facts.of("model_registry"))
    tracked = bool(facts.of("tracking"))
    hashed_cells = [f["cell"] for f in facts.of("hashing")]
    for art in facts.of("artifact"):
        path = art.get("path")
        how = "none"
        if art.pop("registered", False):
            how = "tracking"
        elif isinstance(path, str) and _VERSIONED_PATH.search(path):
            how = (
                "timestamp"
                if re.search(r"time|date|stamp|now|\d{8}|\d{4}-\d{2}", path, re.I)
                else (
                    "hash" if re.search(r"hash|sha|digest|[0-9a-f]{12,}", path, re.I) else "version"
                )
            )
        elif registered:
            how = "registry"
        elif any(c >= art["cell"] for c in hashed_cells):
            how = "hash"
        elif tracked:
            how = "tracking"
        art["versioned"] = how != "none"
        art["how"] = how


# --------------------------------------------------------------------------- order and secrets
def _execution_order(nb: Notebook, facts: Facts) -> None:
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    if not any(x is not None for x in counts):
        return
    last = 0
    for c in code:
        if c.execution_count is None:
            facts.add("execution_order", c.index, None, issue="not_executed")
            continue
        if c.execution_count < last:
            facts.add(
                "execution_order",
                c.index,
                None,
                issue="out_of_order",
                count=c.execution_count,
                after=last,
            )
        last = max(last, c.execution_count)


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


#: kinds whose duplicates are told apart by a few fields (other kinds: by all but via/api)
_DEDUPE_BY_FIELDS = frozenset(
    {
        "training",
        "explainability",
        "bias_check",
        "metric",
        "monitoring",
        "tracking",
        "deployment",
        "data_source",
        "pipeline",
        "tuning",
        "automl",
        "model_registry",
        "artifact",
    }
)


def _dedupe(facts: Facts) -> None:
    for kind, items in facts.items.items():
        seen: set = set()
        kept = []
        by_fields = kind in _DEDUPE_BY_FIELDS
        for f in items:
            if by_fields:
                get = f.get
                key = (
                    get("cell"),
                    get("line"),
                    get("method"),
                    get("name"),
                    get("kind"),
                    get("tool"),
                    get("uri"),
                    get("target"),
                    get("format"),
                )
            else:
                key = tuple(sorted((k, str(v)) for k, v in f.items() if k not in ("via", "api")))
            if key in seen:
                continue
            seen.add(key)
            kept.append(f)
        items[:] = kept


def iter_facts(facts: Facts) -> Iterable[tuple[str, dict[str, Any]]]:
    for kind, items in facts.items.items():
        for f in items:
            yield kind, f
