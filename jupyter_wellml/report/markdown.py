"""Markdown: the verdict per pillar, then the gaps with their evidence and guidance, then what
waits for an answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import (
    REPORT_TITLE,
    NotebookHead,
    Reviews,
    Unreviewed,
    gap_evidence,
    gaps,
    notebook_heads,
    totals,
    where,
)
from .verdict import counts_text


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pillar_table(v: Mapping[str, Any]) -> list[str]:
    out = [
        "| Pillar | High | Medium | To answer | Met | Unknown | Waived | Other phases |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in v["pillars"]:
        out.append(
            f"| {_cell(p['name'])} | {p['high']} | {p['medium']} | {p['to_answer']} | "
            f"{p['met']} | {p['unknown']} | {p['waived']} | {p['out_of_phase']} |"
        )
    return [*out, ""]


def _gaps(head: NotebookHead, catalog, at_least: str) -> list[str]:
    found = gaps(head.review, at_least)
    if not found:
        return []
    out = ["### Gaps", ""]
    for p in found:
        out.append(f"- **{p['id']}** [{p['lens_risk']}] {_cell(p['title'])}")
        for e in gap_evidence(p)[:5]:
            out.append(f"  - `{where(head.path, e)}`: {_cell(e['message'])}")
        practice = catalog.get(p["id"]) if catalog is not None else None
        if practice is not None:
            first = practice.guidance.split("\n\n")[0].replace("\n", " ")
            out.append(f"  - Guidance: {first}")
    return [*out, ""]


def _asked(head: NotebookHead) -> list[str]:
    if not head.asked:
        return []
    out = ["### Needs your answer", ""]
    for e in head.asked:
        out.append(f"- **{e['id']}** {_cell(head.titles.get(e['id'], ''))}: {e['question']}")
        if e.get("magic"):
            out.append(f"  - `{_cell(e['magic'].splitlines()[0])}`")
    return [*out, ""]


def _notebook(head: NotebookHead, catalog, at_least: str) -> list[str]:
    ph = head.phase
    out = [
        f"## {_cell(head.path)}",
        "",
        f"Phase: **{head.phase_id}** ({ph['source']}: {_cell(ph['reason'])})",
        "",
    ]
    if head.verdict["note"]:
        out += [f"> {head.verdict['note']}", ""]
    out += _pillar_table(head.verdict) + _gaps(head, catalog, at_least) + _asked(head)
    errors = head.review["errors"]
    if errors:
        out += ["### Cells not inspected", ""]
        out += [f"- `{where(head.path, e)}`: {_cell(e['message'])}" for e in errors]
        out.append("")
    return out


def render_markdown(
    reviews: Reviews, errors: Unreviewed = (), *, catalog=None, at_least: str = "medium"
) -> str:
    t = totals(reviews, catalog)
    out = [f"# {REPORT_TITLE}", "", f"{t['notebooks']} notebook(s): {counts_text(t)}.", ""]
    for head in notebook_heads(reviews, catalog):
        out += _notebook(head, catalog, at_least)
    if errors:
        out += (
            ["## Files not reviewed", ""]
            + [f"- `{_cell(e['path'])}`: {_cell(e['message'])}" for e in errors]
            + [""]
        )
    return "\n".join(out)
