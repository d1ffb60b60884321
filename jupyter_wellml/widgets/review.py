"""The review as ipywidgets, for frontends without the sidebar (Notebook 7, VS Code, Colab).

Built only from core widgets (VBox, HTML, ToggleButtons), so no JavaScript of our own is
needed. It shows a :class:`~jupyter_wellml.inspection.review.Review` through the verdict
(:func:`jupyter_wellml.report.verdict.verdict`), as the sidebar, the CLI and the reports do:
gaps by risk first, then what needs an answer, then met practices; unknown ones are folded per
pillar, waivers and practices of other phases are folded too.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as W

from ..inspection.review import Review
from ..report.verdict import BASIS_TEXT, ICONS, STATE_TEXT, counts_text, progress_text, verdict

SHOW = ("gaps", "to_answer", "all")
# text colours with at least 4.5:1 contrast on white and on JupyterLab's dark background
STATE_CLASS = {
    "gap": "gap",
    "to_answer": "answer",
    "met": "met",
    "unknown": "unknown",
    "waived": "waived",
    "out_of_phase": "other",
}
STYLE = """<style>
.jp-wellml-review{--wm-gap:#b3261e;--wm-answer:#8a4b00;--wm-met:#116329;--wm-muted:#57606a}
[data-jp-theme-light='false'] .jp-wellml-review{--wm-gap:#ffa198;--wm-answer:#f5c16c;
--wm-met:#7ee2a8;--wm-muted:#b0b8c1}
.jp-wellml-review .wm-gap{color:var(--wm-gap)}.jp-wellml-review .wm-answer{color:var(--wm-answer)}
.jp-wellml-review .wm-met{color:var(--wm-met)}.jp-wellml-review .wm-muted{color:var(--wm-muted)}
.jp-wellml-review .wm-row{margin:4px 0}.jp-wellml-review table{border-collapse:collapse}
.jp-wellml-review td,.jp-wellml-review th{padding:0 8px 0 0;text-align:left}
</style>"""


class ReviewView(W.VBox):
    """A header (progress, risk per pillar), a filter (gaps / to answer / all) and the list."""

    def __init__(self, result: Review, *, show: str = "all", read: str | None = None, **kwargs):
        if show not in SHOW:
            raise ValueError(f"show must be one of: {', '.join(SHOW)} (got {show!r})")
        self.result = result
        self.verdict = verdict(result.to_json(), result.catalog)
        counts = self.verdict["counts"]
        self.header = W.HTML(STYLE + _header(result, self.verdict, read))
        self.filter = W.ToggleButtons(
            options=[
                (f"Gaps ({counts['gap']})", "gaps"),
                (f"To answer ({counts['to_answer']})", "to_answer"),
                ("All", "all"),
            ],
            value=show,
            description="Show:",
            style={"button_width": "auto"},
        )
        self.body = W.HTML()
        self.filter.observe(lambda _change: self.refresh(), names="value")
        super().__init__(children=[self.header, self.filter, self.body], **kwargs)
        self.add_class("jp-wellml-review")
        self.refresh()

    def shown(self) -> list[Mapping[str, Any]]:
        """The verdict entries the filter lets through, in the verdict's order."""
        wanted = {
            "gaps": {"gap"},
            "to_answer": {"to_answer"},
            "all": set(STATE_TEXT),
        }[self.filter.value]
        return [e for e in self.verdict["practices"] if e["state"] in wanted]

    def refresh(self) -> None:
        findings = {f.practice.id: f for f in self.result.findings}
        entries = self.shown()
        parts = []
        for state, title in (
            ("gap", "Gaps"),
            ("to_answer", "Needs your answer"),
            ("met", "Met"),
        ):
            rows = [e for e in entries if e["state"] == state]
            if rows:
                parts.append(f"<h4>{title} ({len(rows)})</h4>")
                parts += [_row(e, findings[e["id"]]) for e in rows]
        unknown = [e for e in entries if e["state"] == "unknown"]
        if unknown:
            parts.append(f"<h4>Unknown ({len(unknown)})</h4>")
            names = {p.id: p.name for p in self.result.catalog.pillars}
            for pillar in self.result.catalog.pillars:
                rows = [e for e in unknown if e["pillar"] == pillar.id]
                if rows:
                    inner = "".join(_row(e, findings[e["id"]]) for e in rows)
                    parts.append(
                        f"<details><summary>{html.escape(names[pillar.id])}: "
                        f"{len(rows)} unknown</summary>{inner}</details>"
                    )
        for state, title in (("waived", "Waived"), ("out_of_phase", "Other phases")):
            rows = [e for e in entries if e["state"] == state]
            if rows:
                inner = "".join(_row(e, findings[e["id"]]) for e in rows)
                parts.append(f"<details><summary>{title} ({len(rows)})</summary>{inner}</details>")
        if not parts:
            parts.append("<i>Nothing to show with this filter.</i>")
        self.body.value = "".join(parts)


def review_view(result: Review, *, show: str = "all", read: str | None = None) -> ReviewView:
    """The widget of ``result`` (what ``%wellml review`` displays); ``read`` says which version
    of the notebook was reviewed."""
    return ReviewView(result, show=show, read=read)


def _header(result: Review, v: Mapping[str, Any], read: str | None = None) -> str:
    nb = result.notebook
    ph = result.phase
    c = v["counts"]
    esc = html.escape
    name = esc(nb.name or nb.path or "this notebook")
    rows = "".join(
        f"<tr><td>{esc(p['name'])}</td><td class='wm-gap'>{p['high']} high</td>"
        f"<td class='wm-answer'>{p['medium']} medium</td></tr>"
        for p in v["pillars"]
        if p["high"] or p["medium"]
    )
    note = f"<br><i>{esc(v['note'])}</i>" if v["note"] else ""
    if read:
        note = f"<br><i>Read: {esc(read)}</i>{note}"
    return (
        f'<div class="jp-wellml-review-header"><b>Well-Architected ML review</b> of {name}<br>'
        f"Phase: <b>{esc(ph.id or 'unknown')}</b> ({esc(ph.source)}: {esc(ph.reason)})<br>"
        f"<b>{esc(progress_text(c))}</b>: {esc(counts_text(c))} · "
        f"{len(result.records)} records{note}"
        + (f"<table><tr><th>Risk per pillar</th></tr>{rows}</table>" if rows else "")
        + "</div>"
    )


def _label(entry: Mapping[str, Any]) -> str:
    if entry["state"] == "met":
        basis = entry["basis"] or "detected"
        return f"{ICONS[basis]} {BASIS_TEXT[basis]}"
    return f"{ICONS[entry['state']]} {STATE_TEXT[entry['state']]}"


def _row(entry: Mapping[str, Any], f) -> str:
    p = f.practice
    esc = html.escape
    cls = STATE_CLASS[entry["state"]]
    risk = f" <small>[{esc(p.risk)} risk]</small>" if entry["state"] == "gap" else ""
    question = f"<br><i>{esc(entry['question'])}</i>" if entry.get("question") else ""
    evidence = "".join(f"<li>{_evidence(e)}</li>" for e in f.evidence[:5])
    guidance = esc(p.guidance.split("\n\n")[0].replace("\n", " "))
    record = (
        f"<br>Record it: <code>{esc(entry['magic'])}</code> (replace each &lt;placeholder&gt;)"
        if entry.get("magic")
        else ""
    )
    docs = f' <a href="{esc(p.docs)}" target="_blank" rel="noopener">lens</a>' if p.docs else ""
    return (
        f'<div class="jp-wellml-practice wm-row" data-practice="{esc(p.id)}" '
        f'data-status="{f.status}" data-state="{entry["state"]}">'
        f'<b class="wm-{cls}">{esc(_label(entry))}</b> <b>{esc(p.id)}</b> {esc(p.title)}{risk}'
        f"{question}"
        + (f'<ul style="margin:2px 0">{evidence}</ul>' if evidence else "")
        + f"<details><summary>Guidance</summary>{guidance}{record}{docs}</details></div>"
    )


def _evidence(e: dict) -> str:
    esc = html.escape
    where = ""
    if e.get("cell") is not None:
        where = f"cell {e['cell'] + 1}" + (f", line {e['line']}" if e.get("line") else "") + ": "
    snippet = f" <code>{esc(e['snippet'])}</code>" if e.get("snippet") else ""
    return f"{esc(where)}{esc(e.get('message') or '')}{snippet}"
