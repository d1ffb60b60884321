"""Markdown: the verdict per pillar, then the gaps with their evidence and guidance, then what
waits for an answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .common import gap_evidence, gaps, totals, verdict_of, where
from .verdict import counts_text


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(
    reviews: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    catalog=None,
    at_least: str = "medium",
) -> str:
    t = totals(reviews, catalog)
    out = [
        "# Well-Architected ML review",
        "",
        f"{t['notebooks']} notebook(s): {counts_text(t)}.",
        "",
    ]
    for r in reviews:
        path = r["notebook"]["path"] or "notebook"
        v = verdict_of(r, catalog)
        ph = r["phase"]
        out += [
            f"## {_cell(path)}",
            "",
            f"Phase: **{ph['id'] or 'unknown'}** ({ph['source']}: {_cell(ph['reason'])})",
            "",
        ]
        if v["note"]:
            out += [f"> {v['note']}", ""]
        out += [
            "| Pillar | High | Medium | To answer | Met | Unknown | Waived | Other phases |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in v["pillars"]:
            out.append(
                f"| {_cell(p['name'])} | {p['high']} | {p['medium']} | {p['to_answer']} | "
                f"{p['met']} | {p['unknown']} | {p['waived']} | {p['out_of_phase']} |"
            )
        out.append("")
        found = gaps(r, at_least)
        if found:
            out += ["### Gaps", ""]
            for p in found:
                out.append(f"- **{p['id']}** [{p['lens_risk']}] {_cell(p['title'])}")
                for e in gap_evidence(p)[:5]:
                    out.append(f"  - `{where(path, e)}`: {_cell(e['message'])}")
                practice = catalog.get(p["id"]) if catalog is not None else None
                if practice is not None:
                    first = practice.guidance.split("\n\n")[0].replace("\n", " ")
                    out.append(f"  - Guidance: {first}")
            out.append("")
        titles = {p["id"]: p["title"] for p in r["practices"]}
        asked = [e for e in v["practices"] if e["state"] == "to_answer"]
        if asked:
            out += ["### Needs your answer", ""]
            for e in asked:
                out.append(f"- **{e['id']}** {_cell(titles.get(e['id'], ''))}: {e['question']}")
                if e.get("magic"):
                    out.append(f"  - `{_cell(e['magic'].splitlines()[0])}`")
            out.append("")
        if r["errors"]:
            out += ["### Cells not inspected", ""]
            out += [f"- `{where(path, e)}`: {_cell(e['message'])}" for e in r["errors"]]
            out.append("")
    if errors:
        out += (
            ["## Files not reviewed", ""]
            + [f"- `{_cell(e['path'])}`: {_cell(e['message'])}" for e in errors]
            + [""]
        )
    return "\n".join(out)
