"""Records: decisions written down in a notebook (phase, KPI, data source, explainability, waiver, attestation).

A record is a plain JSON object (record.v1). This module builds, validates, keys and describes
records; :mod:`.store` upserts them into ``metadata["wellml"]``.
"""

from __future__ import annotations

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
BOOKKEEPING = frozenset({"id", "kind", "created", "updated", "author", "history", "cell_id"})
#: Content fields derived from others; never a reason for a history entry on their own.
DERIVED = frozenset({"status"})


def now() -> str:
    """The current UTC time as record.v1 writes it (second precision, ``Z``)."""
    import datetime as _dt  # here, like html and uuid below: not needed to read records

    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


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
    ts = timestamp or now()
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
    """met / within_tolerance / missed / unmeasured / no_target for a KPI record."""
    if record.get("target") is None or record.get("op") is None:
        return "no_target"
    measured = record.get("measured")
    if measured is None:
        return "unmeasured"
    target, op = float(record["target"]), record["op"]
    checks = {
        ">=": measured >= target,
        "<=": measured <= target,
        ">": measured > target,
        "<": measured < target,
        "==": abs(measured - target) <= 1e-12,
    }
    if checks[op]:
        return "met"
    tolerance = record.get("acceptable_error")
    if tolerance is not None and abs(measured - target) <= float(tolerance) + 1e-12:
        return "within_tolerance"
    return "missed"


def payload(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON of one ``application/vnd.jupyter.wellml.record+json`` display."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "version": METADATA_VERSION,
        "action": "upsert",
        "records": [dict(r) for r in records],
    }


def describe(record: Mapping[str, Any]) -> str:
    """One readable line for a record (the text/plain fallback and CLI output)."""
    kind = record.get("kind")
    if kind == "phase":
        where = " from this cell on" if record.get("cell_id") else ""
        return f"phase: {record['phase']}{where}"
    if kind == "kpi":
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
    if kind == "data":
        bits = [f"data {record['uri']}"]
        extra = [f"{k}={record[k]}" for k in ("name", "owner", "pii", "license") if record.get(k)]
        if record.get("sha256"):
            extra.append(f"sha256={record['sha256'][:12]}…")
        if record.get("size") is not None:
            extra.append(f"{record['size']} bytes")
        return " ".join(bits + ([f"({', '.join(extra)})"] if extra else []))
    if kind == "explain":
        bits = [f"explainability: {record['level']}"]
        for k in ("method", "audience"):
            if record.get(k):
                bits.append(f"{k} {record[k]}")
        return ", ".join(bits)
    if kind == "waiver":
        return f"waiver {record['practice']}: {record['reason']} - {record['note']}" + _from(record)
    if kind == "attest":
        return f"attested {record['practice']}: {record['note']}" + _from(record)
    if kind == "frame":
        return describe_frame(record)
    if kind == "signoff":
        until = f" until {record['expires']}" if record.get("expires") else ""
        return f"signed off {record['practice']} by {record['approver']}{until}" + _from(record)
    return f"{kind} record"


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
