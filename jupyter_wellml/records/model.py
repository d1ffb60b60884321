"""Records: decisions written down in a notebook (phase, KPI, data source, explainability, waiver, attestation).

A record is a plain JSON object (record.v1). This module builds, validates, keys and describes
records; :mod:`.store` upserts them into ``metadata["wellml"]``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import RecordError

RECORD_MIME = "application/vnd.jupyter.wellml.record+json"
PAYLOAD_SCHEMA = "wellml-record/v1"
METADATA_KEY = "wellml"
METADATA_VERSION = 1
KINDS = ("phase", "kpi", "data", "explain", "waiver", "attest", "frame", "signoff")
WAIVER_REASONS = ("out_of_scope", "business_priorities", "architecture_constraints", "other")
EXPLAIN_LEVELS = ("global", "local", "both", "none")
KPI_OPS = (">=", "<=", ">", "<", "==")
PII_VALUES = ("yes", "no", "unknown")

#: Fields every record has that are bookkeeping, not content.
BOOKKEEPING = frozenset({"id", "kind", "created", "updated", "author", "history", "cell_id", "rev"})
#: Content fields derived from others; never a reason for a history entry on their own.
DERIVED = frozenset({"status"})
#: A record.v1 timestamp: date, time, optional fraction of a second, ``Z`` or an offset.
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$"
)


def now() -> str:
    """The current UTC time as record.v1 writes it (second precision, ``Z``)."""
    import datetime as _dt  # here, like html and uuid below: not needed to read records

    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


_LAST_STAMP = [""]
_STAMP_LOCK = threading.Lock()


def record_time() -> str:
    """The time a new record is made: UTC to the millisecond, and always later than the previous
    one this process made, so two records made in the same millisecond still have an order
    (the newest wins a merge, docs/records.md)."""
    import datetime as _dt

    with _STAMP_LOCK:
        moment = _dt.datetime.now(_dt.timezone.utc)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        if time_key(text) <= time_key(_LAST_STAMP[0]):
            moment = _parse_utc(_LAST_STAMP[0]) + _dt.timedelta(milliseconds=1)
            text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        _LAST_STAMP[0] = text
        return text


def _parse_utc(text: str):
    import datetime as _dt

    return _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=_dt.timezone.utc)


def time_key(value: Any) -> str:
    """A text that sorts as the instant ``value`` (a record.v1 timestamp) names, whatever its
    precision or offset: ``2026-01-01T10:00:00.5Z`` after ``2026-01-01T10:00:00Z``, and
    ``12:00:00+02:00`` equal to ``10:00:00Z``. Anything else sorts first (``""``).

    The sidebar computes the same text (labextension/src/records.ts), so both sides order
    records alike.
    """
    if not isinstance(value, str):
        return ""
    m = TIMESTAMP.match(value)
    if m is None:
        return ""
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    if m.group(9):
        offset = int(m.group(10)) * 3600 + int(m.group(11)) * 60
        seconds -= offset if m.group(9) == "+" else -offset
    fraction = ((m.group(7) or "") + "000000000")[:9]
    return f"{max(seconds, 0):013d}.{fraction}"


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 0000-03-01 to a proleptic Gregorian date (integer arithmetic only, so the
    TypeScript twin gives the same number)."""
    year -= 1 if month <= 2 else 0
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe


def version(record: Mapping[str, Any]) -> tuple[str, str]:
    """What orders two editions of one decision: the time the values were written, then (for
    the same instant) the id of the record that wrote them; the larger wins a merge."""
    rev = record.get("rev") or record.get("id")
    return (time_key(record.get("updated")), rev if isinstance(rev, str) else "")


def new_id() -> str:
    """12 random hex digits (uuid would import platform: 10 ms of a kernel's first magic)."""
    import os

    return os.urandom(6).hex()


def make_record(
    kind: str,
    fields: Mapping[str, Any],
    *,
    author: str | None = None,
    cell_id: str | None = None,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """A new, validated record of ``kind`` with ``fields`` (None values are dropped)."""
    if kind not in KINDS:
        raise RecordError(f"unknown record kind {kind!r}; use one of: {', '.join(KINDS)}")
    ts = timestamp or record_time()
    record: dict[str, Any] = {"id": new_id(), "kind": kind, "created": ts, "updated": ts}
    if author:
        record["author"] = author
    if cell_id:
        record["cell_id"] = cell_id
    record.update({k: v for k, v in fields.items() if v is not None})
    if kind == "kpi":
        record["status"] = kpi_status(record)
    validate(record)
    return record


def validate(record: Mapping[str, Any]) -> None:
    """Raise :class:`RecordError` naming the field and what is accepted, if ``record`` breaks record.v1."""
    from ..catalog import schema

    problems = schema.errors("record.v1", dict(record))
    if problems:
        pointer, message = problems[0]
        field = pointer.strip("/").replace("/", ".") or "record"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RecordError(f"{record.get('kind', 'record')} record, field {field}: {message}{more}")


def validate_payload(payload: Mapping[str, Any]) -> None:
    from ..catalog import schema

    problems = schema.errors_for_definition("record.v1", "payload", dict(payload))
    if problems:
        pointer, message = problems[0]
        raise RecordError(f"record payload {pointer}: {message}")


def natural_key(record: Mapping[str, Any]) -> tuple:
    """What makes two records the same decision: re-recording it updates instead of adding."""
    kind = record.get("kind")
    if not isinstance(kind, str):
        kind = repr(kind)  # a malformed record still gets a hashable key (it fails validation)
    if kind == "kpi":
        return (kind, str(record.get("name", "")).lower())
    if kind == "data":
        return (kind, str(record.get("uri", "")).strip().rstrip("/"))
    if kind in ("waiver", "attest", "signoff"):
        return (kind, str(record.get("practice")))
    if kind == "phase":
        return (kind, str(record.get("cell_id") or ""))
    return (kind,)  # explain, frame: one decision per notebook


def content(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in BOOKKEEPING}


def kpi_status(record: Mapping[str, Any]) -> str:
    """met / within_tolerance / missed / unmeasured / no_target for a KPI record.

    A value of the wrong type (someone's hand edit) counts as absent: this never raises.
    """
    target, op = _real(record.get("target")), record.get("op")
    if target is None or op not in KPI_OPS:
        return "no_target"
    measured = _real(record.get("measured"))
    if measured is None:
        return "unmeasured"
    checks = {
        ">=": measured >= target,
        "<=": measured <= target,
        ">": measured > target,
        "<": measured < target,
        "==": abs(measured - target) <= 1e-12,
    }
    if checks[op]:
        return "met"
    tolerance = _real(record.get("acceptable_error"))
    if tolerance is not None and abs(measured - target) <= tolerance + 1e-12:
        return "within_tolerance"
    return "missed"


def _real(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


#: Fields each kind needs, and the type their value must have for a record to be usable.
_NEEDED: dict[str, tuple[str, ...]] = {
    "phase": ("phase",),
    "kpi": ("name",),
    "data": ("uri",),
    "explain": ("level",),
    "waiver": ("practice", "reason", "note"),
    "attest": ("practice", "note"),
    "frame": ("question",),
    "signoff": ("practice", "approver"),
}
_TEXT_FIELDS = ("id", "created", "updated", "author", "cell_id", "rev", "word", "unit", "expires")
_NUMBER_FIELDS = ("target", "measured", "acceptable_error")


def record_problem(record: Any) -> str | None:
    """Why a record read from a notebook cannot be used (a field missing or of the wrong type),
    or None. Lighter than :func:`validate`: fields this version does not know are fine."""
    if not isinstance(record, Mapping):
        return f"a record is a {type(record).__name__}, not an object"
    kind = record.get("kind")
    if kind not in KINDS:
        return f"unknown record kind {kind!r}; use one of: {', '.join(KINDS)}"
    for field in _NEEDED.get(kind, ()):
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            got = (
                "nothing"
                if field not in record
                else ("null" if value is None else f"{type(value).__name__} {value!r:.40}")
            )
            return f"{kind} record: field {field} must be text, got {got}"
    for field in _TEXT_FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            return f"{kind} record: field {field} must be text, got {type(value).__name__}"
    if kind == "kpi":
        for field in _NUMBER_FIELDS:
            value = record.get(field)
            if value is not None and _real(value) is None:
                return f"kpi record: field {field} must be a number, got {value!r:.40}"
        if record.get("op") is not None and record.get("op") not in KPI_OPS:
            return f"kpi record: field op must be one of {', '.join(KPI_OPS)}, got {record.get('op')!r:.40}"
    history = record.get("history")
    if history is not None and not isinstance(history, list):
        return f"{kind} record: field history must be a list"
    return None


def payload(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON of one ``application/vnd.jupyter.wellml.record+json`` display."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "version": METADATA_VERSION,
        "action": "upsert",
        "records": [dict(r) for r in records],
    }


def _describe_phase(record: Mapping[str, Any]) -> str:
    where = " from this cell on" if record.get("cell_id") else ""
    return f"phase: {record['phase']}{where}"


def _describe_kpi(record: Mapping[str, Any]) -> str:
    parts = [f"KPI {record['name']}"]
    if record.get("op") is not None and record.get("target") is not None:
        parts.append(f"{record['op']} {_num(record['target'])}")
    if record.get("acceptable_error") is not None:
        parts.append(f"(acceptable error {_num(record['acceptable_error'])})")
    if record.get("measured") is not None:
        parts.append(
            f"measured {_num(record['measured'])}: {record.get('status', '').replace('_', ' ')}"
        )
    if record.get("business"):
        parts.append(f"- {record['business']}")
    if record.get("error_cost"):
        parts.append(f"(cost of an error: {record['error_cost']})")
    return " ".join(parts)


def _describe_data(record: Mapping[str, Any]) -> str:
    bits = [f"data {record['uri']}"]
    extra = [f"{k}={record[k]}" for k in ("name", "owner", "pii", "license") if record.get(k)]
    if record.get("sha256"):
        extra.append(f"sha256={record['sha256'][:12]}…")
    if record.get("size") is not None:
        extra.append(f"{record['size']} bytes")
    return " ".join(bits + ([f"({', '.join(extra)})"] if extra else []))


def _describe_explain(record: Mapping[str, Any]) -> str:
    bits = [f"explainability: {record['level']}"]
    bits += [f"{k} {record[k]}" for k in ("method", "audience") if record.get(k)]
    return ", ".join(bits)


def _describe_waiver(record: Mapping[str, Any]) -> str:
    return f"waiver {record['practice']}: {record['reason']} - {record['note']}" + _from(record)


def _describe_attest(record: Mapping[str, Any]) -> str:
    return f"attested {record['practice']}: {record['note']}" + _from(record)


def _describe_signoff(record: Mapping[str, Any]) -> str:
    until = f" until {record['expires']}" if record.get("expires") else ""
    return f"signed off {record['practice']} by {record['approver']}{until}" + _from(record)


def describe(record: Mapping[str, Any]) -> str:
    """One readable line for a record (the text/plain fallback and CLI output)."""
    kind = record.get("kind")
    line = _DESCRIBE.get(kind) if isinstance(kind, str) else None
    return f"{kind} record" if line is None else line(record)


def describe_frame(record: Mapping[str, Any]) -> str:
    """The problem framing on one line: question, task and label, features, baseline, path."""
    bits = [f"framing: {record['question']}"]
    if record.get("task") or record.get("label"):
        label = f", label {record['label']}" if record.get("label") else ""
        bits.append(f"task {record.get('task', '?')}{label}")
    if record.get("features"):
        bits.append(f"features {', '.join(record['features'])}")
    for key, word in (("baseline", "baseline"), ("production", "to production")):
        if record.get(key):
            bits.append(f"{word}: {record[key]}")
    return "; ".join(bits)


def _from(record: Mapping[str, Any]) -> str:
    return " (from the AWS WA Tool)" if record.get("source") == "wa_tool" else ""


#: one line per record kind
_DESCRIBE = {
    "phase": _describe_phase,
    "kpi": _describe_kpi,
    "data": _describe_data,
    "explain": _describe_explain,
    "waiver": _describe_waiver,
    "attest": _describe_attest,
    "frame": describe_frame,
    "signoff": _describe_signoff,
}


def mimebundle(records: list[Mapping[str, Any]], *, verb: str = "recorded") -> dict[str, Any]:
    """The MIME bundle a magic displays: the record payload plus readable fallbacks."""
    import html

    lines = [describe(r) for r in records]
    text = "\n".join(f"wellml {verb}: {line}" for line in lines)
    items = "".join(
        f'<li><span class="jp-wellml-chip" style="border:1px solid var(--jp-border-color2,#ccc);'
        f'border-radius:8px;padding:0 6px;font-size:85%">wellml</span> {html.escape(line)}</li>'
        for line in lines
    )
    return {
        RECORD_MIME: payload(records),
        "text/plain": text,
        "text/html": f'<ul class="jp-wellml-recorded" style="list-style:none;padding-left:0;margin:0">{items}</ul>',
    }


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)
