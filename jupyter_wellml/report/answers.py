"""How a person answers a practice the code cannot show: a short question, and a `%wellml` line
prefilled with what the review saw (the notebook's own data URIs, metric names, explanation
method) and with obvious placeholders, such as ``<license>``, for what only a person knows.

A magic line that still holds a placeholder is refused by ``%wellml`` (:func:`placeholder_in`),
so running a suggestion unchanged never records a made-up fact.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

#: ``<license>``, ``<yes|no>``, ``<why it does not apply>``: lower-case words in angle brackets
PLACEHOLDER = re.compile(r"<[a-z][a-z0-9 _|,.'/-]*>")
MAX_LINES = 5  # suggested records per practice (one per data source, at most)

QUESTIONS = {
    "kpi": "Which business metric shows this model works, and what target is good enough?",
    "data": "Where does the data come from, who owns it, may it hold personal data, "
    "and under which license?",
    "explain": "How explainable must the model be, and to whom?",
    "waive": "Does this practice apply to this work at all?",
    "attest": "Is this done outside the notebook? Say how, and where it is written down.",
    "phase": "Which phase of the ML lifecycle is this notebook?",
}

_WAIVER_REASONS = "<out_of_scope|business_priorities|architecture_constraints|other>"
_METRIC_SUFFIXES = ("_score", "_error", "_loss")
_NOT_KPIS = ("curve", "report", "matrix", "display")


def placeholder_in(text: str) -> str | None:
    """The first placeholder left in ``text`` (``<license>``), or None."""
    m = PLACEHOLDER.search(text)
    return m.group(0) if m else None


def question(practice: Any) -> str:
    """The plain-words question of a practice answered by a record or an attestation."""
    kind = _subcommand(getattr(practice, "magic", None))
    if getattr(practice, "evidence", None) == "attest" or kind is None:
        return QUESTIONS["attest"]
    return QUESTIONS.get(kind, QUESTIONS["attest"])


def suggested_magic(
    practice: Any, review: Mapping[str, Any], memo: dict | None = None
) -> str | None:
    """The ``%wellml`` line(s) to answer ``practice``, prefilled from ``review`` (review.v1).

    None when the practice has no magic in the lens. Several data sources give several lines.
    ``memo`` (one dict per review) keeps lines that several practices share.
    """
    template = getattr(practice, "magic", None)
    kind = _subcommand(template)
    if kind is None:
        return None
    memo = {} if memo is None else memo
    if kind in ("data", "kpi", "explain"):
        key = (kind, _flags(template), "--measured" in _words(template))
        if key not in memo:
            memo[key] = _shared_line(kind, template, review)
        return memo[key]
    pid = practice.id
    if kind == "attest":
        return f'%wellml attest {pid} "<how it is in place, and where that is written>"'
    if kind == "waive":
        return f'%wellml waive {pid} --reason {_WAIVER_REASONS} "<why it does not apply>"'
    if kind == "phase":
        return "%wellml phase <phase>"
    return None


def _shared_line(kind: str, template: str, review: Mapping[str, Any]) -> str:
    """A data, KPI or explainability line: the same for every practice of the review."""
    facts = review.get("facts") or {}
    recorded = [r.get("record", {}) for r in review.get("records") or []]
    if kind == "data":
        return "\n".join(_data_lines(template, facts, recorded))
    if kind == "kpi":
        return _kpi_line(template, facts, recorded)
    methods = _values(facts.get("explainability"), "method")
    method = methods[0] if methods else "<method>"
    return (
        f"%wellml explain --level <global|local|both|none> --method {_quote(method)} "
        '--audience "<who reads the explanations>" --rationale "<why this level>"'
    )


@lru_cache(maxsize=512)
def _flags(template: str) -> frozenset[str]:
    return frozenset(w for w in _words(template) if w.startswith("--"))


@lru_cache(maxsize=512)
def _subcommand(template: str | None) -> str | None:
    if not template:
        return None
    words = template.split()
    if len(words) < 2 or words[0] != "%wellml":
        return None
    return words[1]


@lru_cache(maxsize=512)
def _words(template: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(template))
    except ValueError:
        return tuple(template.split())


def _values(items: Sequence[Mapping[str, Any]] | None, key: str) -> list[str]:
    out: dict[str, None] = {}  # insertion-ordered, and a set for the test
    for item in items or ():
        value = item.get(key)
        if isinstance(value, str) and value:
            out.setdefault(value)
    return list(out)


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_.:/@{}<>|,-]+", text) else shlex.quote(text)


def _data_lines(template: str, facts: Mapping[str, Any], recorded: list[Mapping]) -> list[str]:
    flags = _flags(template)
    done = {str(r.get("uri", "")).rstrip("/") for r in recorded if r.get("kind") == "data"}
    uris: list[str] = []
    for source in facts.get("data_sources") or ():
        uri, via = source.get("uri"), source.get("via")
        if not isinstance(uri, str) or not uri or "(computed)" in uri:
            continue
        if source.get("kind") == "dataset" and uri != via:
            continue  # a value taken from a loaded dataset, not where it was loaded from
        if uri.rstrip("/") in done or uri in uris:
            continue
        if any(uri.startswith(kept + ".") for kept in uris):
            continue  # a method called on a dataset already listed
        uris.append(uri)
        if len(uris) == MAX_LINES:
            break  # no more are shown: a notebook of 100,000 reads costs no more than one of ten
    lines = []
    for uri in uris[:MAX_LINES] or ["<uri>"]:
        parts = ["%wellml data", _quote(uri)]
        if "--name" in flags:
            last = re.split(r"[/\\]", uri.rstrip("/"))[-1]
            # a file's name without extensions; a dotted dataset name's last part
            stem = last.split(".")[0] if re.search(r"[/\\]", uri) else last.split(".")[-1]
            name = stem if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", stem or "") else "<name>"
            parts += ["--name", name]
        parts += ["--owner", '"<owner>"', "--pii", "<yes|no>", "--license", "<license>"]
        lines.append(" ".join(parts))
    return lines


def _kpi_name(metric: str) -> str | None:
    name = metric.rsplit(".", 1)[-1]
    if any(word in name for word in _NOT_KPIS):
        return None
    for suffix in _METRIC_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] if suffix == "_score" else name
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", name) else None


def _kpi_line(template: str, facts: Mapping[str, Any], recorded: list[Mapping]) -> str:
    kpis = {str(r.get("name", "")).lower() for r in recorded if r.get("kind") == "kpi"}
    names = [n for n in (_kpi_name(m) for m in _values(facts.get("metrics"), "name")) if n]
    fresh = [n for n in names if n.lower() not in kpis]
    words = _words(template)
    if "--measured" in words:
        # a measurement of a KPI already agreed: name it as recorded
        name = next(iter(sorted(kpis)), None) or (names[0] if names else "<kpi name>")
        return f"%wellml kpi {name} --measured {{<variable>}}"
    name = fresh[0] if fresh else "<kpi name>"
    op = next((w for w in words if w in (">=", "<=", ">", "<", "==")), ">=")
    return (
        f'%wellml kpi {name} "{op}" <target> --acceptable-error <error> '
        '--business "<what the KPI protects>"'
    )
