"""Plain text: one line per gap, ``path:cell N:line M: ID [risk] message``, then a summary."""

from __future__ import annotations

from .common import Reviews, Unreviewed, gap_evidence, gaps, phase_text, totals, verdict_of, where
from .verdict import counts_text


def render_text(reviews: Reviews, errors: Unreviewed = (), *, at_least: str = "medium") -> str:
    lines: list[str] = []
    for r in reviews:
        path = r["notebook"]["path"]
        v = verdict_of(r)
        if v["note"]:
            lines.append(f"{path}: note: {v['note']}")
        for e in r["errors"]:
            loc = where(path, e)
            lines.append(f"{loc}: note: {e['message']}")
        for p in gaps(r, at_least):
            for e in gap_evidence(p)[:5]:
                lines.append(f"{where(path, e)}: {p['id']} [{p['lens_risk']}] {e['message']}")
    for err in errors:
        lines.append(f"{err['path']}: error: {err['message']}")
    t = totals(reviews)
    phase_note = ""
    if len(reviews) == 1:
        phase_note = f"; phase {phase_text(reviews[0]['phase'])}"
    not_reviewed = f", {t['not_reviewed']} not reviewed" if t["not_reviewed"] else ""
    lines.append(
        f"{t['notebooks']} notebook(s): {counts_text(t)}{not_reviewed}{phase_note}"
        + (f"; {len(errors)} file(s) could not be reviewed" if errors else "")
    )
    return "\n".join(lines)
