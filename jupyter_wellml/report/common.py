"""What every report format shares: ordering gaps, locations for people, risk weights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

#: what every renderer of reviews takes: the reviews (review.v1 JSON), and the files that could
#: not be reviewed (``{"path", "message"}``)
Reviews = Sequence[Mapping[str, Any]]
Unreviewed = Sequence[Mapping[str, str]]

RISK_ORDER = {"high": 2, "medium": 1}
STATUS_LABEL = {"met": "met", "gap": "gap", "unknown": "unknown", "not_applicable": "n/a"}


def gaps(review: Mapping[str, Any], at_least: str = "medium") -> list[Mapping[str, Any]]:
    """Practices with status gap at or above ``at_least`` risk, high first, then by pillar order."""
    floor = RISK_ORDER.get(at_least, 1)
    found = [
        p
        for p in review["practices"]
        if p["status"] == "gap" and RISK_ORDER.get(p["lens_risk"], 1) >= floor
    ]
    return sorted(found, key=lambda p: -RISK_ORDER.get(p["lens_risk"], 1))


def gap_evidence(practice: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The evidence that makes a practice a gap (not the met evidence listed after it)."""
    items = [e for e in practice["evidence"] if e.get("effect") in ("gap", "expect")]
    return items or list(practice["evidence"][:1])


def where(path: str | None, evidence: Mapping[str, Any]) -> str:
    """``path:cell N:line M`` with cells and lines counted from 1, as people read them."""
    parts = [path or "<notebook>"]
    if evidence.get("cell") is not None:
        parts.append(f"cell {evidence['cell'] + 1}")
        if evidence.get("line") is not None:
            parts.append(f"line {evidence['line']}")
    return ":".join(parts)


def verdict_of(review: Mapping[str, Any], catalog=None) -> Mapping[str, Any]:
    """The review's verdict: the one it carries (server, CLI), else computed now."""
    found = review.get("verdict")
    if found is not None and (catalog is None or found.get("schema")):
        return found
    from .verdict import verdict

    return verdict(review, catalog)


def totals(reviews: Iterable[Mapping[str, Any]], catalog=None) -> dict[str, int]:
    """The verdict counts of ``reviews`` added up (with ``notebooks``)."""
    from .verdict import totals as add_up

    return add_up(verdict_of(r, catalog) for r in reviews)


def phase_text(phase: Mapping[str, Any]) -> str:
    """``training (recorded: %wellml phase in cell 2)``, or ``unknown (why)`` without a phase."""
    if phase.get("id"):
        return f"{phase['id']} ({phase['source']}: {phase['reason']})"
    return f"unknown ({phase['reason']})"


#: the title of every review report
REPORT_TITLE = "Well-Architected ML review"


class NotebookHead(NamedTuple):
    """What every report says at the head of one notebook's section."""

    index: int
    path: str
    review: Mapping[str, Any]
    verdict: Mapping[str, Any]
    #: practice id -> title, for the verdict's entries (which carry ids only)
    titles: Mapping[str, str]
    #: the verdict's entries that wait for a person's answer, in the verdict's order
    asked: list[Mapping[str, Any]]

    @property
    def phase(self) -> Mapping[str, Any]:
        return self.review["phase"]

    @property
    def phase_id(self) -> str:
        return self.review["phase"]["id"] or "unknown"


def notebook_heads(
    reviews: Sequence[Mapping[str, Any]], catalog=None, *, unnamed: str = "notebook"
) -> list[NotebookHead]:
    """One :class:`NotebookHead` per review; ``unnamed`` (``{n}``: its number from 1) names a
    notebook without a path."""
    heads = []
    for i, r in enumerate(reviews):
        v = verdict_of(r, catalog)
        heads.append(
            NotebookHead(
                index=i,
                path=r["notebook"]["path"] or unnamed.format(n=i + 1),
                review=r,
                verdict=v,
                titles={p["id"]: p["title"] for p in r["practices"]},
                asked=[e for e in v["practices"] if e["state"] == "to_answer"],
            )
        )
    return heads


def pillar_names(review: Mapping[str, Any], catalog=None) -> dict[str, str]:
    names = {}
    if catalog is not None:
        names = {p.id: p.name for p in catalog.pillars}
    for p in review["summary"]["pillars"]:
        names.setdefault(p["id"], p["id"].replace("_", " ").capitalize())
    return names


def pillar_table_markdown(
    pillars: Iterable[Mapping[str, Any]], names: Mapping[str, str], *, unknown: str = "Unknown"
) -> list[str]:
    """A Markdown table of risk and status counts per pillar (a review's or a workload's)."""
    out = [
        f"| Pillar | High | Medium | Met | {unknown} | N/A |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in pillars:
        name = str(names.get(p["id"], p["id"])).replace("|", "\\|")
        out.append(
            f"| {name} | {p['high']} | {p['medium']} | {p['met']} | {p['unknown']} | "
            f"{p['not_applicable']} |"
        )
    return out
