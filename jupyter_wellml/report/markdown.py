"""Markdown: a summary table per pillar, then the gaps with their evidence and guidance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .common import gap_evidence, gaps, pillar_names, pillar_table_markdown, totals, where


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(
    reviews: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    catalog=None,
    at_least: str = "medium",
) -> str:
    t = totals(reviews)
    out = [
        "# Well-Architected ML review",
        "",
        f"{t['notebooks']} notebook(s): **{t['high']} high** and **{t['medium']} medium** risk gaps, "
        f"{t['met']} practices met, {t['unknown']} unknown.",
        "",
    ]
    for r in reviews:
        path = r["notebook"]["path"] or "notebook"
        ph = r["phase"]
        out += [
            f"## {_cell(path)}",
            "",
            f"Phase: **{ph['id'] or 'unknown'}** ({ph['source']}: {_cell(ph['reason'])})",
            "",
        ]
        if not r["notebook"]["inspected"]:
            out += [f"> {r['notebook']['reason']}", ""]
        names = pillar_names(r, catalog)
        out += pillar_table_markdown(r["summary"]["pillars"], names)
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
