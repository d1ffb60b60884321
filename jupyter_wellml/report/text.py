"""Plain text: one line per gap, ``path:cell N:line M: ID [risk] message``, then a summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .common import gap_evidence, gaps, totals, where


def render_text(
    reviews: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    at_least: str = "medium",
) -> str:
    lines: list[str] = []
    for r in reviews:
        path = r["notebook"]["path"]
        if not r["notebook"]["inspected"]:
            lines.append(f"{path}: note: {r['notebook']['reason']}")
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
        ph = reviews[0]["phase"]
        phase_note = f"; phase {ph['id'] or 'unknown'} ({ph['source']}: {ph['reason']})"
    lines.append(
        f"{t['notebooks']} notebook(s): {t['high']} high and {t['medium']} medium risk gap(s), "
        f"{t['met']} practice(s) met, {t['unknown']} unknown{phase_note}"
        + (f"; {len(errors)} file(s) could not be reviewed" if errors else "")
    )
    return "\n".join(lines)
