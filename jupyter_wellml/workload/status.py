"""One status per practice over a workload, from the reviews of its notebooks.

The notebooks are reviewed one by one, as always (:func:`jupyter_wellml.inspection.review`);
this module combines their review.v1 JSON, so a cached review serves a workload review too.
A practice is, over the workload:

``met``
    when any notebook meets it (by code, a record or an attestation); the evidence names the
    notebook, cell and line;
``not_applicable`` (reason ``waived``)
    when no notebook meets it and a notebook waives it: records and waivers count for the whole
    workload, wherever they were made;
``gap``
    when no notebook meets or waives it and a notebook shows the gap: a notebook of a phase
    where the practice applies that lacks it, or any notebook where a rule detects the problem
    itself (a hard-coded secret is a gap in every phase);
``unknown`` (reason ``unanswered``)
    when it applies to a notebook but nothing shows it either way (it is to answer);
``not_applicable`` (reason ``out_of_phase``)
    when it applies to no notebook of the workload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .config import Workload

SCHEMA = "wellml-workload-review/v1"
MAX_EVIDENCE = 10
STATUSES = ("met", "gap", "unknown", "not_applicable")
_MET_EFFECTS = ("met", "attest", "signoff")


def workload_review(
    reviews: Sequence[Mapping[str, Any]], catalog, workload: Workload
) -> dict[str, Any]:
    """The ``workload`` section (``workload.v1#/$defs/review``) of the notebooks' reviews.

    Parameters
    ----------
    reviews
        review.v1 JSON of each notebook of the workload.
    catalog
        The catalog the reviews were made with (pillar and phase order, titles).
    workload
        The workload (:func:`~.config.load_workload`).
    """
    names = [workload.relative(r["notebook"]["path"] or r["notebook"]["name"]) for r in reviews]
    entries: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for name, r in zip(names, reviews):
        for p in r["practices"]:
            entries.setdefault(p["id"], []).append((name, p))
    practices = [
        _combine(practice, entries[practice.id])
        for practice in catalog.practices
        if practice.id in entries
    ]
    return {
        "schema": SCHEMA,
        **workload.to_json(),
        "notebooks": names,
        "lens": reviews[0]["lens"] if reviews else {},
        "practices": practices,
        "records": [
            {"notebook": name, **rec} for name, r in zip(names, reviews) for rec in r["records"]
        ],
        "summary": summary(practices, catalog),
    }


def _combine(practice, entries: list[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    status, reason, chosen = _status(entries)
    evidence = [
        {"notebook": name, **_evidence(e)} for name, p in chosen for e in _relevant(p, status)
    ][:MAX_EVIDENCE]
    return {
        "id": practice.id,
        "title": practice.title,
        "pillar": practice.pillar,
        "phase": practice.phase,
        "lens_risk": practice.risk,
        "risk": practice.risk if status == "gap" else None,
        "status": status,
        "reason": reason,
        "answer": practice.evidence,
        "evidence": evidence,
        "notebooks": {name: p["status"] for name, p in entries},
    }


def _status(entries) -> tuple[str, str, list]:
    """The workload status, its reason, and the notebooks whose evidence shows it."""
    met = [(n, p) for n, p in entries if p["status"] == "met"]
    if met:
        return "met", "met", met
    waived = [(n, p) for n, p in entries if _waived(p)]
    if waived:
        return "not_applicable", "waived", waived
    gaps = [(n, p) for n, p in entries if p["status"] == "gap" and (p["applies"] or _detected(p))]
    if gaps:
        return "gap", "gap", gaps
    open_ = [(n, p) for n, p in entries if p["applies"]]
    if open_:
        return "unknown", "unanswered", open_
    return "not_applicable", "out_of_phase", []


def _waived(p: Mapping[str, Any]) -> bool:
    return p["status"] == "not_applicable" and any(
        e.get("effect") == "waiver" for e in p["evidence"]
    )


def _detected(p: Mapping[str, Any]) -> bool:
    """A rule found the problem itself (not only the absence of the practice)."""
    return any(e.get("effect") == "gap" for e in p["evidence"])


def _relevant(p: Mapping[str, Any], status: str) -> list[Mapping[str, Any]]:
    if status == "met":
        return [e for e in p["evidence"] if e.get("effect") in _MET_EFFECTS]
    if status == "gap":
        return [e for e in p["evidence"] if e.get("effect") in ("gap", "expect")]
    return list(p["evidence"])


def _evidence(e: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "cell": e.get("cell"),
        "cell_id": e.get("cell_id"),
        "line": e.get("line"),
        "message": e.get("message", ""),
        "rule": e.get("rule"),
        "effect": e.get("effect", ""),
    }


def empty_counts(key: str | None = None) -> dict[str, Any]:
    base = dict.fromkeys(STATUSES, 0) | {"high": 0, "medium": 0}
    return {"id": key, **base} if key else base


def summary(practices: Sequence[Mapping[str, Any]], catalog) -> dict[str, Any]:
    """Counts per status and risk, in total, per pillar and per phase (the review's shape)."""
    total = empty_counts()
    pillars = {p.id: empty_counts(p.id) for p in catalog.pillars}
    phases = {p.id: empty_counts(p.id) for p in catalog.phases}
    for p in practices:
        for bucket in (total, pillars.get(p["pillar"]), phases.get(p["phase"])):
            if bucket is None:
                continue
            bucket[p["status"]] += 1
            if p["status"] == "gap":
                bucket[p["lens_risk"]] += 1
    return {"total": total, "pillars": list(pillars.values()), "phases": list(phases.values())}
