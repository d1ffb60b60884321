"""The verdict: THE function every surface uses to turn a review into states and counts.

The sidebar (through the server's review JSON), ``%wellml status`` and ``%wellml review``, the
widget, the CLI and the HTML, Markdown and text reports all show :func:`verdict` of the same
review.v1 JSON, so they agree on what is a gap, what waits for a person's answer, what is met
(and how: detected in the code, recorded, attested), what was waived and what belongs to
another phase. Nothing here looks at the notebook: only at the review.

Each practice gets one ``state``; the states come in the order people should act on them, and
gaps and the practices to answer come as the improvement plan (``jupyter wellml plan``) orders
them: by risk, lifecycle phase, pillar, then id; the other states by pillar (they are shown
folded per pillar), then phase and id.

``gap``
    a rule found something missing or wrong (high risk first, then medium);
``to_answer``
    the code cannot show it (the lens answers it by a record or an attestation) and nobody has
    answered yet: a question, and a prefilled ``%wellml`` line;
``met``
    with ``basis`` ``detected`` (the code shows it), ``recorded`` (a record shows it) or
    ``attested`` (someone wrote how it is in place, or signed it off);
``unknown``
    the code could show it but does not (yet);
``waived``
    someone recorded why it does not apply;
``out_of_phase``
    it belongs to a phase this notebook is not in.

Counts: ``in_scope`` are the practices of the notebook's phases; ``answered`` are those of them
whose state is known (gap, met or waived), as in "12 of 31 answered".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .answers import question, suggested_magic

SCHEMA = "wellml-verdict/v1"
STATES = ("gap", "to_answer", "met", "unknown", "waived", "out_of_phase")
BASES = ("detected", "recorded", "attested")
RISK_ORDER = {"high": 0, "medium": 1}
#: words for people, shared by the Python surfaces (the sidebar has the same, translated)
STATE_TEXT = {
    "gap": "gap",
    "to_answer": "needs your answer",
    "met": "met",
    "unknown": "unknown",
    "waived": "waived",
    "out_of_phase": "other phase",
}
BASIS_TEXT = {"detected": "detected", "recorded": "recorded", "attested": "attested"}
#: one mark per state and basis, with a text beside it everywhere (never colour alone)
ICONS = {
    "gap": "!",
    "to_answer": "?",
    "detected": "✓",
    "recorded": "✎",
    "attested": "☑",
    "unknown": "…",
    "waived": "⊘",
    "out_of_phase": "\u2013",  # an en dash
}
COUNT_KEYS = (
    "gap",
    "high",
    "medium",
    "to_answer",
    "met",
    "detected",
    "recorded",
    "attested",
    "unknown",
    "waived",
    "out_of_phase",
    "in_scope",
    "answered",
    "not_reviewed",
)


def state_of(practice: Mapping[str, Any]) -> tuple[str, str | None]:
    """``(state, basis)`` of one practice of a review (basis only for ``met``)."""
    status = practice["status"]
    effects = [e.get("effect") for e in practice.get("evidence") or ()]
    if status == "gap":
        return "gap", None
    if status == "met":
        sources = {
            e.get("source") for e in practice.get("evidence") or () if e.get("effect") == "met"
        }
        if "code" in sources:
            return "met", "detected"
        if "record" in sources:
            return "met", "recorded"
        if "attest" in effects or "signoff" in effects:
            return "met", "attested"  # an attestation, or a sign-off in force
        return "met", "detected"  # a met rule of an older review without sources
    if status == "not_applicable":
        return ("waived" if "waiver" in effects else "out_of_phase"), None
    if practice.get("answer") in ("record", "attest"):
        return "to_answer", None
    return "unknown", None


def _empty() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def _count(bucket: dict[str, int], entry: Mapping[str, Any], applies: bool) -> None:
    state = entry["state"]
    bucket[state] += 1
    if state == "gap":
        bucket[entry["risk"]] += 1
    if entry["basis"]:
        bucket[entry["basis"]] += 1
    if entry.get("not_reviewed"):
        bucket["not_reviewed"] += 1
    if applies and state != "out_of_phase":
        bucket["in_scope"] += 1
        if state in ("gap", "met", "waived"):
            bucket["answered"] += 1


def _pillars(review: Mapping[str, Any], catalog: Any) -> tuple[list[str], dict[str, str]]:
    """The pillar ids in the lens's order (then those only the review names), and their names."""
    pillar_ids: list[str] = []
    names: dict[str, str] = {}
    if catalog is not None:
        for p in catalog.pillars:
            pillar_ids.append(p.id)
            names[p.id] = p.name
    found = [p["id"] for p in (review.get("summary") or {}).get("pillars") or ()]
    found += [p["pillar"] for p in review["practices"]]
    for pid in found:
        if pid not in names:
            pillar_ids.append(pid)
            names[pid] = pid.replace("_", " ").capitalize()
    return pillar_ids, names


def _entry(
    p: Mapping[str, Any], review: Mapping[str, Any], catalog: Any, inspected: bool, memo: dict
) -> dict[str, Any]:
    """The verdict entry of one practice of the review."""
    state, basis = state_of(p)
    entry: dict[str, Any] = {
        "id": p["id"],
        "pillar": p["pillar"],
        "state": state,
        "basis": basis,
        "risk": p.get("lens_risk") if state == "gap" else None,
        "applies": bool(p.get("applies", True)),
    }
    # the code was not read (an R kernel): what the code would have shown is not reviewed
    if not inspected and state == "unknown":
        entry["not_reviewed"] = True
    lens = catalog.get(p["id"]) if catalog is not None else None
    if state in ("to_answer", "gap", "unknown") and lens is not None:
        magic = suggested_magic(lens, review, memo)
        if magic:
            entry["magic"] = magic
    if state == "to_answer":
        entry["question"] = question(lens) if lens is not None else question(None)
    return entry


def verdict(review: Mapping[str, Any], catalog: Any = None) -> dict[str, Any]:
    """The states, order and counts of ``review`` (review.v1 JSON) for every surface.

    ``catalog`` (the lens) adds pillar names, and for practices that wait for an answer a
    plain-words question and a prefilled ``%wellml`` line.
    """
    inspected = bool((review.get("notebook") or {}).get("inspected", True))
    pillar_ids, names = _pillars(review, catalog)
    pillar_rank = {pid: i for i, pid in enumerate(pillar_ids)}
    # within a state: risk, lifecycle phase, pillar, id, as the improvement plan orders them
    phase_ids = [ph.id for ph in catalog.phases] if catalog is not None else []
    phase_ids += [ph["id"] for ph in (review.get("summary") or {}).get("phases") or ()]
    phase_rank = {pid: i for i, pid in enumerate(dict.fromkeys(phase_ids))}
    memo: dict = {}  # magic lines several practices share
    entries = [
        (
            (
                RISK_ORDER.get(p.get("lens_risk") or "", 2),
                phase_rank.get(p.get("phase"), len(phase_rank)),
            ),
            _entry(p, review, catalog, inspected, memo),
        )
        for p in review["practices"]
    ]

    def key(item: tuple[tuple[int, int], dict[str, Any]]) -> tuple:
        (risk, phase_index), e = item
        pillar = pillar_rank.get(e["pillar"], len(pillar_rank))
        if e["state"] in ("gap", "to_answer"):  # what to do next: the plan's order
            return (STATES.index(e["state"]), risk, phase_index, pillar, e["id"])
        # the rest is shown folded per pillar
        return (STATES.index(e["state"]), 2, pillar, phase_index, e["id"])

    ordered = [e for _, e in sorted(entries, key=key)]
    total = _empty()
    pillars = {pid: {"id": pid, "name": names[pid], **_empty()} for pid in pillar_ids}
    for e in ordered:
        _count(total, e, e["applies"])
        _count(pillars[e["pillar"]], e, e["applies"])
    phase = review.get("phase") or {}
    return {
        "schema": SCHEMA,
        "phase": {"id": phase.get("id"), "source": phase.get("source")},
        "inspected": inspected,
        "note": None if inspected else not_reviewed_note(review, total["not_reviewed"]),
        "counts": total,
        "pillars": list(pillars.values()),
        "practices": ordered,
    }


def with_verdict(review: dict[str, Any], catalog: Any = None) -> dict[str, Any]:
    """``review`` with its ``verdict`` added (what the server and the CLI's JSON carry)."""
    review["verdict"] = verdict(review, catalog)
    return review


def not_reviewed_note(review: Mapping[str, Any], count: int) -> str:
    """Why the code was not read, and how many practices that leaves unreviewed."""
    nb = review.get("notebook") or {}
    language = nb.get("kernel_language") or "not Python"
    reason = nb.get("reason") or f"the kernel's language is {language}; only Python is read"
    return (
        f"{reason.rstrip('.')}; {count} practice(s) that the code would show were not reviewed "
        "(records, attestations and waivers still count)"
    )


def totals(verdicts: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The counts of several notebooks added up."""
    out = {"notebooks": 0, **_empty()}
    for v in verdicts:
        out["notebooks"] += 1
        for k in COUNT_KEYS:
            out[k] += v["counts"][k]
    return out


def progress_text(counts: Mapping[str, int]) -> str:
    """``12 of 31 answered`` (practices of the notebook's phases whose state is known)."""
    return f"{counts['answered']} of {counts['in_scope']} answered"


def counts_text(counts: Mapping[str, int]) -> str:
    """One line of counts, the same words on every surface."""
    parts = [
        f"{counts['high']} high and {counts['medium']} medium risk gap(s)",
        f"{counts['to_answer']} to answer",
        f"{counts['met']} met",
        f"{counts['unknown']} unknown",
        f"{counts['waived']} waived",
        f"{counts['out_of_phase']} of other phases",
    ]
    return ", ".join(parts)
