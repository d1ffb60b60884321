"""From what a person typed to a record's fields, with errors that name the field and the choices.

The ``%wellml`` magics (one record per line) and ``%%wellml`` cells (YAML, several records) both
come through :func:`build`, so a value is accepted or refused the same way whichever form it
arrived in. Nothing here displays or stores anything: a :class:`~..errors.RecordError` leaves
no trace.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import RecordError, UnknownPracticeError
from ..values import Value
from .lineage import file_lineage, local_path, source_kind
from .model import (
    EXPLAIN_LEVELS,
    KPI_OPS,
    PII_VALUES,
    WAIVER_REASONS,
    make_record,
    natural_key,
    now,
)

#: The fields each kind takes from a person (the rest is bookkeeping or derived).
FIELDS: dict[str, tuple[str, ...]] = {
    "phase": ("phase",),
    "kpi": (
        "name",
        "op",
        "target",
        "acceptable_error",
        "business",
        "unit",
        "measured",
        "error_cost",
    ),
    "data": ("uri", "name", "owner", "pii", "license", "description", "hash"),
    "explain": ("level", "method", "audience", "rationale"),
    "waiver": ("practice", "reason", "note"),
    "attest": ("practice", "note"),
    "frame": ("question", "task", "label", "features", "baseline", "production"),
    "signoff": ("practice", "approver", "expires", "note"),
}
#: Words a ``%%wellml`` cell may use for a kind (the subcommand, the kind, plurals).
KIND_WORDS = {
    "phase": "phase",
    "kpi": "kpi",
    "kpis": "kpi",
    "data": "data",
    "dataset": "data",
    "datasets": "data",
    "explain": "explain",
    "explainability": "explain",
    "waive": "waiver",
    "waiver": "waiver",
    "waivers": "waiver",
    "attest": "attest",
    "attests": "attest",
    "attestation": "attest",
    "attestations": "attest",
    "frame": "frame",
    "framing": "frame",
    "signoff": "signoff",
    "signoffs": "signoff",
    "sign_off": "signoff",
}
KPI_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:/-]{0,63}$")
TARGET = re.compile(r"^\s*(?P<op>[<>=!]=?|=>|=<)\s*(?P<num>\S+)\s*$")

#: ``known(natural_key)`` → the record already stored (this session or the notebook on disk)
Known = Callable[[tuple], "Mapping[str, Any] | None"]


class Built(Value):
    """A validated record and the notes worth telling the user (an id read as another edition's)."""

    __slots__ = ("notes", "record")

    def __init__(self, record: dict[str, Any], notes: list[str] | None = None) -> None:
        self.record = record
        self.notes = [] if notes is None else notes


def build(
    kind: str,
    values: Mapping[str, Any],
    *,
    catalog=None,
    base_dir: str | None = None,
    known: Known | None = None,
    author: str | None = None,
    cell_id: str | None = None,
    where: str = "",
) -> Built:
    """A validated record of ``kind`` from user ``values``; :class:`RecordError` names what is wrong.

    ``where`` prefixes messages (``"%%wellml kpi item 2"``); ``known`` lets a measurement keep its
    KPI's target and lets unchanged measurements and hashes keep their timestamps.
    """
    label = where or kind
    if kind not in FIELDS:
        raise RecordError(f"{label}: unknown kind {kind!r}; use one of: {', '.join(FIELDS)}")
    unknown = [k for k in values if k not in FIELDS[kind]]
    if unknown:
        raise RecordError(
            f"{label}: unknown field {unknown[0]!r}; {kind} takes: {', '.join(FIELDS[kind])}"
        )
    notes: list[str] = []
    maker = _MAKERS[kind]
    fields = maker(dict(values), label=label, catalog=catalog, base_dir=base_dir, notes=notes)
    previous = known(natural_key({"kind": kind, **fields})) if known else None
    if previous:
        _carry(kind, fields, previous)
    try:
        record = make_record(kind, fields, author=author, cell_id=cell_id)
    except RecordError as exc:
        raise RecordError(f"{label}: {exc}") from None
    return Built(record, notes)


def _carry(kind: str, fields: dict[str, Any], previous: Mapping[str, Any]) -> None:
    """Keep what the stored record already says when this input does not change it."""
    if kind == "kpi":
        if "measured" in fields and "op" not in fields and "target" not in fields:
            for k in ("op", "target", "acceptable_error"):
                if previous.get(k) is not None:
                    fields[k] = previous[k]
        if (
            fields.get("measured") is not None
            and previous.get("measured") == fields["measured"]
            and previous.get("measured_at")
        ):
            fields["measured_at"] = previous["measured_at"]
    if (
        kind == "data"
        and fields.get("sha256")
        and previous.get("sha256") == fields["sha256"]
        and previous.get("hashed_at")
    ):
        fields["hashed_at"] = previous["hashed_at"]


# ---------------------------------------------------------------- one function per kind
def _phase(values, *, label, catalog, notes, **_):
    word = _text(values.get("phase"), "PHASE", label, required=True)
    if catalog is None:  # pragma: no cover - every caller passes the catalog
        raise RecordError(f"{label}: no lens is loaded to know the phases")
    found = catalog.phase(word)
    if found is None:
        raise RecordError(
            f"{label}: {word!r} is not a lifecycle phase; use one of: "
            f"{', '.join(catalog.phase_choices())} (or a word such as training, deployment)"
        )
    out = {"phase": found.id}
    if word.strip().lower() != found.id:
        out["word"] = word.strip()[:64]
    return out


def _kpi(values, *, label, notes, **_):
    name = _text(values.get("name"), "NAME", label, required=True)
    if not KPI_NAME.match(name):
        raise RecordError(
            f"{label}: NAME {name!r} must start with a letter or _ and use only letters, digits "
            "and _ . : / - (64 characters at most), e.g. accuracy or recall_at_5"
        )
    out: dict[str, Any] = {"name": name}
    op, target = values.get("op"), values.get("target")
    if isinstance(target, str) and op is None and TARGET.match(target):
        m = TARGET.match(target)
        op, target = m.group("op"), m.group("num")
    if op is not None or target is not None:
        if op is None or target is None:
            raise RecordError(
                f"{label}: give the target as OP NUMBER, e.g. `{name} >= 0.92`; "
                f"OP is one of: {', '.join(KPI_OPS)}"
            )
        op = str(op).strip()
        if op not in KPI_OPS:
            raise RecordError(
                f"{label}: OP {op!r} is not a comparison; use one of: {', '.join(KPI_OPS)}"
            )
        out["op"] = op
        out["target"] = _number(target, "TARGET", label)
    if values.get("acceptable_error") is not None:
        out["acceptable_error"] = _number(
            values["acceptable_error"], "--acceptable-error", label, minimum=0
        )
    if values.get("measured") is not None:
        out["measured"] = _number(values["measured"], "--measured", label)
        out["measured_at"] = now()
    for key, flag in (
        ("business", "--business"),
        ("unit", "--unit"),
        ("error_cost", "--error-cost"),
    ):
        if values.get(key) is not None:
            out[key] = _text(values[key], flag, label)
    return out


def _data(values, *, label, base_dir, **_):
    uri = _text(values.get("uri"), "URI", label, required=True).rstrip("/") or "/"
    kind = source_kind(uri)
    if kind == "local" and not uri.lower().startswith("file:"):
        uri = os.path.normpath(uri)  # ./data/x.csv and data/x.csv are the same source
    out: dict[str, Any] = {"uri": uri, "source_kind": kind}
    for key in ("name", "owner", "license", "description"):
        if values.get(key) is not None:
            out[key] = _text(values[key], f"--{key}", label)
    if values.get("pii") is not None:
        pii = _choice(values["pii"], PII_VALUES, "--pii", label, aliases=_YES_NO)
        out["pii"] = pii
    hashing = values.get("hash", True)
    if not isinstance(hashing, bool):
        raise RecordError(f"{label}: hash must be true or false, got {hashing!r}")
    path = local_path(uri, base_dir)
    if path is not None and hashing:
        try:
            out.update(file_lineage(path))
        except RecordError as exc:
            raise RecordError(f"{label}: {str(exc).removeprefix('data: ')}") from None
        out["hashed_at"] = now()
    return out


def _explain(values, *, label, **_):
    out: dict[str, Any] = {
        "level": _choice(values.get("level"), EXPLAIN_LEVELS, "--level", label, required=True)
    }
    for key in ("method", "audience", "rationale"):
        if values.get(key) is not None:
            out[key] = _text(values[key], f"--{key}", label)
    return out


def _practice(values, *, label, catalog, notes):
    text = _text(values.get("practice"), "PRACTICE", label, required=True)
    try:
        practice, note = catalog.resolve(text)
    except UnknownPracticeError as exc:
        raise RecordError(f"{label}: {exc}") from None
    if note:
        notes.append(note)
    return practice.id


def _waiver(values, *, label, catalog, notes, **_):
    return {
        "practice": _practice(values, label=label, catalog=catalog, notes=notes),
        "reason": _choice(values.get("reason"), WAIVER_REASONS, "--reason", label, required=True),
        "note": _text(values.get("note"), "NOTE (why it does not apply)", label, required=True),
    }


def _attest(values, *, label, catalog, notes, **_):
    return {
        "practice": _practice(values, label=label, catalog=catalog, notes=notes),
        "note": _text(values.get("note"), "NOTE (how the practice is met)", label, required=True),
    }


def _frame(values, *, label, **_):
    out: dict[str, Any] = {
        "question": _text(
            values.get("question"), "--question (the business question)", label, required=True
        )
    }
    for key in ("task", "label", "baseline", "production"):
        if values.get(key) is not None:
            out[key] = _text(values[key], f"--{key}", label)
    features = values.get("features")
    if features is not None:
        items = features if isinstance(features, list | tuple) else str(features).split(",")
        out["features"] = [_text(f, "--feature", label) for f in items if str(f).strip()]
    return out


def _signoff(values, *, label, catalog, notes, **_):
    out: dict[str, Any] = {
        "practice": _practice(values, label=label, catalog=catalog, notes=notes),
        "approver": _text(
            values.get("approver"), '--approver ("name, role")', label, required=True
        ),
    }
    if values.get("expires") is not None:
        out["expires"] = _future_date(values["expires"], "--expires", label)
    if values.get("note") is not None:
        out["note"] = _text(values["note"], "--note", label)
    return out


_MAKERS = {
    "phase": _phase,
    "kpi": _kpi,
    "data": _data,
    "explain": _explain,
    "waiver": _waiver,
    "attest": _attest,
    "frame": _frame,
    "signoff": _signoff,
}
_YES_NO = {"true": "yes", "false": "no", "y": "yes", "n": "no"}


# ---------------------------------------------------------------- value checks
def _text(value: Any, name: str, label: str, *, required: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError(f"{label}: {name} is missing")
        raise RecordError(f"{label}: {name} is empty")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{label}: {name} must be text, got {value!r}")
    return str(value).strip()


def _future_date(value: Any, name: str, label: str) -> str:
    """``value`` as ``YYYY-MM-DD``, today or later: an approval that has run out approves nothing."""
    import datetime as _dt

    text = str(value).strip()
    try:
        day = _dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise RecordError(f"{label}: {name} {value!r} is not a date; write it as YYYY-MM-DD")
    if day < _dt.date.today():
        raise RecordError(
            f"{label}: {name} {text} is in the past; a sign-off must hold until today or later"
        )
    return text


def _number(value: Any, name: str, label: str, *, minimum: float | None = None) -> float | int:
    if isinstance(value, bool):
        raise RecordError(f"{label}: {name} must be a number, got {value!r}")
    try:
        number = value if isinstance(value, int | float) else float(str(value).strip())
    except (TypeError, ValueError):
        raise RecordError(f"{label}: {name} must be a number, got {value!r}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise RecordError(f"{label}: {name} must be a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise RecordError(f"{label}: {name} must be at least {minimum:g}, got {value!r}")
    return number


def _choice(
    value: Any,
    choices: tuple[str, ...],
    name: str,
    label: str,
    *,
    required: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> str:
    if value is None:
        if required:
            raise RecordError(f"{label}: {name} is missing; use one of: {', '.join(choices)}")
        return ""
    if isinstance(value, bool) and aliases:  # YAML reads yes/no as booleans
        value = "yes" if value else "no"
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    key = (aliases or {}).get(key, key)
    if key not in choices:
        raise RecordError(
            f"{label}: {name} {value!r} is not accepted; use one of: {', '.join(choices)}"
        )
    return key
