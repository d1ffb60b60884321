"""The review as ipywidgets, for frontends without the sidebar (Notebook 7, VS Code, Colab).

Built only from core widgets (VBox, HTML, ToggleButtons, Accordion), so no JavaScript of our
own is needed. It shows a :class:`~jupyter_wellml.inspection.review.Review` as it is: the
statuses come from ``review()``, never from a second copy of its logic.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import ipywidgets as W

from ..inspection.review import Finding, Review

STATUS_COLORS = {
    "gap": "#c62828",
    "met": "#2e7d32",
    "unknown": "#6d6d6d",
    "not_applicable": "#5c6bc0",
}
STATUS_LABELS = {"gap": "gap", "met": "met", "unknown": "unknown", "not_applicable": "n/a"}
SHOW = ("gaps", "open", "all")


class ReviewView(W.VBox):
    """A header, a filter (gaps / gaps and unknown / all) and one accordion section per pillar."""

    def __init__(self, result: Review, *, show: str = "gaps", **kwargs):
        if show not in SHOW:
            raise ValueError(f"show must be one of: {', '.join(SHOW)} (got {show!r})")
        self.result = result
        self.header = W.HTML(_header(result))
        self.filter = W.ToggleButtons(
            options=[("Gaps", "gaps"), ("Gaps and unknown", "open"), ("All", "all")],
            value=show,
            description="Show:",
            style={"button_width": "auto"},
        )
        self.accordion = W.Accordion()
        self.filter.observe(lambda _change: self.refresh(), names="value")
        super().__init__(children=[self.header, self.filter, self.accordion], **kwargs)
        self.add_class("jp-wellml-review")
        self.refresh()

    @property
    def pillars(self) -> list[str]:
        return [p.id for p in self.result.catalog.pillars]

    def shown(self, pillar: str) -> list[Finding]:
        """The findings of ``pillar`` the filter lets through, high risk first."""
        wanted = {
            "gaps": {"gap"},
            "open": {"gap", "unknown"},
            "all": set(STATUS_LABELS),
        }[self.filter.value]
        rank = {"gap": 0, "unknown": 1, "met": 2, "not_applicable": 3}
        found = [
            f for f in self.result.findings if f.practice.pillar == pillar and f.status in wanted
        ]
        return sorted(
            found,
            key=lambda f: (
                rank[f.status],
                0 if f.practice.risk == "high" else 1,
                f.practice.id,
            ),
        )

    def refresh(self) -> None:
        children, titles = [], []
        summary = {p["id"]: p for p in self.result.summary()["pillars"]}
        for pillar in self.result.catalog.pillars:
            rows = [W.HTML(_row(self.result, f)) for f in self.shown(pillar.id)]
            if not rows:
                rows = [W.HTML("<i>Nothing to show with this filter.</i>")]
            children.append(W.VBox(rows))
            titles.append(_title(pillar.name, summary.get(pillar.id)))
        self.accordion.children = children
        self.accordion.titles = tuple(titles)


def review_view(result: Review, *, show: str = "gaps") -> ReviewView:
    """The widget of ``result`` (what ``%wellml review`` displays)."""
    return ReviewView(result, show=show)


def _title(name: str, counts) -> str:
    if not counts:
        return name
    gaps = []
    if counts["high"]:
        gaps.append(f"{counts['high']} high")
    if counts["medium"]:
        gaps.append(f"{counts['medium']} medium")
    parts = [f"{' and '.join(gaps)} risk gaps" if gaps else "no gaps"]
    parts.append(f"{counts['met']} met")
    if counts["unknown"]:
        parts.append(f"{counts['unknown']} unknown")
    return f"{name}: {', '.join(parts)}"


def _header(result: Review) -> str:
    nb = result.notebook
    ph = result.phase
    total = result.summary()["total"]
    name = html.escape(nb.name or nb.path or "this notebook")
    phase = html.escape(ph.id or "unknown")
    return (
        f'<div class="jp-wellml-review-header"><b>Well-Architected ML review</b> of {name}<br>'
        f"Phase: <b>{phase}</b> ({html.escape(ph.source)}: {html.escape(ph.reason)})<br>"
        f"<b>{total['high']}</b> high and <b>{total['medium']}</b> medium risk gaps, "
        f"{total['met']} met, {total['unknown']} unknown, {total['not_applicable']} not applicable"
        f" · {len(result.records)} records</div>"
    )


def _row(result: Review, f: Finding) -> str:
    p = f.practice
    esc = html.escape
    color = STATUS_COLORS[f.status]
    chip = (
        f'<span style="background:{color};color:white;border-radius:8px;padding:0 6px;'
        f'font-size:85%">{STATUS_LABELS[f.status]}</span>'
    )
    risk = f" <small>[{esc(p.risk)} risk]</small>" if f.status == "gap" else ""
    evidence = "".join(f"<li>{_evidence(e)}</li>" for e in _evidence_items(f))
    guidance = esc(p.guidance.split("\n\n")[0].replace("\n", " "))
    record = (
        f"<br>Record it: <code>{esc(p.magic)}</code>"
        if p.magic and f.status in ("gap", "unknown")
        else ""
    )
    docs = f' <a href="{esc(p.docs)}" target="_blank" rel="noopener">lens</a>' if p.docs else ""
    return (
        f'<div class="jp-wellml-practice" data-practice="{esc(p.id)}" data-status="{f.status}" '
        f'style="margin:4px 0">{chip} <b>{esc(p.id)}</b> {esc(p.title)}{risk}'
        + (f'<ul style="margin:2px 0">{evidence}</ul>' if evidence else "")
        + f"<details><summary>Guidance</summary>{guidance}{record}{docs}</details></div>"
    )


def _evidence_items(f: Finding) -> Iterable[dict]:
    return f.evidence[:5]


def _evidence(e: dict) -> str:
    esc = html.escape
    where = ""
    if e.get("cell") is not None:
        where = f"cell {e['cell'] + 1}" + (f", line {e['line']}" if e.get("line") else "") + ": "
    snippet = f" <code>{esc(e['snippet'])}</code>" if e.get("snippet") else ""
    return f"{esc(where)}{esc(e.get('message') or '')}{snippet}"
