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
from .notebook import Notebook, output_text
from .pyscan import NOT_LITERAL, Call, CellScan, Scanner
from .source import CellCode, analyse_cell

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
_SHELL_DATA = re.compile(
    r"(?:aws\s+s3\s+(?:cp|sync|mv)|gsutil\s+(?:-m\s+)?cp|wget|curl|azcopy\s+copy)\s+(.*)"
)
_URI_TOKEN = re.compile(r"""((?:s3|gs|https?|ftp|hdfs|abfss?|wasbs?)://[^\s'"`)]+)""")
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
        facts.inspected = False
        facts.reason = (
            f"the kernel language is {nb.kernel_language!r}: only Python code is inspected"
        )
        _execution_order(nb, facts)
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
    _execution_order(nb, facts)
    if secrets:
        _secret_facts(nb, facts)
    _dedupe(facts)
    return facts


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
    _magic_facts(cell, code, rec)  # type: ignore[arg-type]
    magic = rec.take()
    logs: list[FactLog] = [(), (), ()]
    if scan is not None:
        _import_facts(scan.imports, rec)  # type: ignore[arg-type]
        logs[0] = rec.take()
        _call_facts(list(scan.calls), rec)  # type: ignore[arg-type]
        logs[1] = rec.take()
        _path_facts(scan.strings, rec)  # type: ignore[arg-type]
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
def _magic_facts(cell: int, code: CellCode, facts: Facts) -> None:
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
        sm = _SHELL_DATA.search(command)
        if sm:
            uris = _URI_TOKEN.findall(sm.group(1))
            if (
                uris
                and ("cp" in command or "sync" in command or "mv" in command)
                and not command.strip().startswith("aws s3 cp .")
            ):
                uri = uris[0]
                # `aws s3 cp LOCAL s3://...` uploads: only a source first counts as a read
                first = sm.group(1).split()
                if first and _URI_TOKEN.match(first[0].strip("'\"")):
                    facts.add(
                        "data_source", cell, m.line, uri=uri, kind=sig.uri_kind(uri), via=m.name
                    )
            elif uris:
                facts.add(
                    "data_source", cell, m.line, uri=uris[0], kind=sig.uri_kind(uris[0]), via=m.name
                )


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
            if kind == "data_source" and not _data_source(call, values):
                continue
            if kind == "metric" and not isinstance(values.get("name"), str):
                continue  # a metric named by a computed value
            facts.add(kind, call.cell, call.line, **values)
        if call.args and service_call:
            service = call.args[0] if isinstance(call.args[0], str) else call.kw("service_name")
            if isinstance(service, str) and service in sig.SERVICES:
                kind, fields = sig.SERVICES[service]
                facts.add(kind, call.cell, call.line, **fields)
        if name.startswith(("subprocess.", "os.system")):
            _subprocess_installs(call, facts)
        if name.startswith("sagemaker.") and name.endswith(".fit"):
            _fit_inputs(call, facts)
        for kw, value in call.keywords.items():
            if kw in sig.METRIC_KEYWORDS:
                for metric in value if isinstance(value, list) else [value]:
                    if isinstance(metric, str) and metric:
                        facts.add("metric", call.cell, call.line, name=metric, api=name)
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
                _dict_keys(call, value, facts, depth=0)
            elif type(value) is list:  # ProductionVariants=[{...}], InputDataConfig=[{...}]
                for item in value[:16]:
                    if type(item) is dict:
                        _dict_keys(call, item, facts, depth=1)
        _instance_fact(call, facts)


def _fit_inputs(call: Call, facts: Facts) -> None:
    """The channels of a SageMaker job given as URIs (``est.fit({"train": "s3://..."})``)."""
    inputs = call.args[0] if call.args else call.kw("inputs")
    uris = [inputs] if isinstance(inputs, str) else []
    if isinstance(inputs, dict):
        uris = [v for v in inputs.values() if isinstance(v, str)]
    for uri in uris:
        facts.add(
            "data_source", call.cell, call.line, via=call.name, uri=uri, kind=sig.uri_kind(uri)
        )


def _data_source(call: Call, values: dict[str, Any]) -> bool:
    """Fill ``uri`` and ``kind`` of a data-source fact; False when the call is not a read."""
    name = call.name
    if name in ("open", "io.open"):
        mode = call.args[1] if len(call.args) > 1 else call.kw("mode", "r")
        if not isinstance(mode, str) or any(ch in mode for ch in "wax+"):
            return False
    uri = values.get("uri")
    if isinstance(uri, dict):  # TrainingInput-style {"train": "s3://..."} passed positionally
        uri = next((v for v in uri.values() if isinstance(v, str)), None)
    if isinstance(uri, list):
        uri = next((v for v in uri if isinstance(v, str)), None)
    if uri is None or uri is NOT_LITERAL or not isinstance(uri, str):
        values["uri"] = "(computed)"
        values.setdefault("kind", "s3" if name in sig.S3_READERS else "unknown")
        return True
    base = uri.rstrip("/").rsplit("/", 1)[-1]
    if _MODEL_FILE.search(base) and not base.lower().endswith(_DATA_EXTENSIONS):
        return False  # `open("model/xgb-model.tar.gz", "rb")`: a model artifact, not data
    values["uri"] = uri
    values.setdefault("kind", sig.uri_kind(uri))
    return True


def _dict_keys(call: Call, value: dict, facts: Facts, depth: int) -> None:
    """Keys of literal dicts passed to a call (boto3-style ``ResourceConfig={...}``, hyperparameters)."""
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
            key in ("seed", "random_state", "random_seed")
            and isinstance(inner, (int, str))
            and str(inner).isdigit()
        ):
            facts.add("seed", call.cell, call.line, library="other", value=inner, api=call.name)
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
            _dict_keys(call, inner, facts, depth + 1)
        elif type(inner) is list and depth < 3:
            for item in inner[:16]:
                if type(item) is dict:
                    _dict_keys(call, item, facts, depth + 1)


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
        if (
            (v[0] in "/~" or (len(v) > 2 and v[1] == ":"))
            and "\n" not in v
            and len(v) < 400
            and _ABS_PATH.match(v)
        ):
            facts.add("absolute_path", lit.cell, lit.line, path=v)


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
        for line, kind in _SECRETS_CACHE.get(text, ()):
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
