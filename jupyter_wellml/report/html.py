"""A self-contained HTML report that people read: it opens with the risk totals and the gaps.

Layout: the totals per notebook (which is also the table of contents, with an anchor per
notebook), high and medium risk per pillar drawn as inline SVG, every gap with its evidence,
then one section per notebook with what waits for an answer; met practices, unknown ones,
waivers and practices of other phases are folded (``<details>``). Statuses and counts are the
verdict's (:mod:`.verdict`), as on every other surface.

No scripts, fonts, images or styles are fetched: the file works offline, in a mail client and
on paper (print styles keep items whole). Every piece of notebook or lens text is HTML-escaped
(team lenses are untrusted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .._version import __version__
from .common import (
    REPORT_TITLE,
    NotebookHead,
    Reviews,
    Unreviewed,
    gap_evidence,
    notebook_heads,
    where,
)
from .verdict import BASIS_TEXT, ICONS, STATE_TEXT, progress_text, totals

# colours reach 4.5:1 against their background in both schemes
STYLE = """
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#fff;--gap:#b3261e;--met:#1a7f37;
--answer:#8a4b00;--link:#0550ae;--high:#b3261e;--medium:#8a4b00;--chip:#f6f8fa}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--bg:#0d1117;
--gap:#ff8a80;--met:#7ee2a8;--answer:#f5c16c;--link:#79b8ff;--high:#ff8a80;--medium:#f5c16c;--chip:#161b22}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:62rem;
color:var(--fg);background:var(--bg);padding:0 1rem}
a{color:var(--link)}h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.2rem;margin:1.6rem 0 .4rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}p{margin:.3rem 0}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
td,th{border-bottom:1px solid var(--line);padding:.2rem .4rem;text-align:left;vertical-align:top}
th{font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}.gap,.high{color:var(--gap)}.medium,.answer{color:var(--answer)}.met{color:var(--met)}
.risk{font-weight:600;font-size:.85rem;text-transform:uppercase}
ul.items{list-style:none;padding:0;margin:.2rem 0}ul.items>li{padding:.25rem 0;border-bottom:1px solid var(--line)}
.ev{font-family:ui-monospace,monospace;font-size:.85rem;color:var(--muted)}
code{font-family:ui-monospace,monospace;font-size:.85rem;background:var(--chip);padding:0 .2rem;border-radius:3px;
overflow-wrap:anywhere}
details{margin:.3rem 0}summary{cursor:pointer;color:var(--muted)}
.compact{columns:2 22rem;column-gap:2rem;padding:0;list-style:none;margin:.2rem 0}
.compact li{break-inside:avoid;padding:.05rem 0}.guide{white-space:pre-wrap;margin:.2rem 0 .2rem 1rem}
.nb{margin-top:1.2rem}
@media print{body{margin:0;max-width:none;font-size:11pt;color:#000;background:#fff}a{color:#000}
li,tr,.nb h2{break-inside:avoid}h2,h3{break-after:avoid}details>summary{color:#000}
.gap,.high{color:#8b0000}.met{color:#0b5a25}}
"""


def _risk_chart(pillars: Sequence[Mapping[str, Any]]) -> str:
    """High and medium risk gaps per pillar as inline SVG (a row per pillar, numbers as text)."""
    width, row, label_w = 620, 22, 210
    longest = max([p["high"] + p["medium"] for p in pillars] + [1])
    scale = (width - label_w - 150) / longest
    height = row * len(pillars) + 24
    parts = [
        f'<svg role="img" aria-label="High and medium risk gaps per pillar" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, p in enumerate(pillars):
        y = 4 + i * row
        hw, mw = p["high"] * scale, p["medium"] * scale
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="13" '
            f'fill="currentColor">{escape(p["name"])}</text>'
        )
        if hw:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{hw:.1f}" height="14" style="fill:var(--high)"/>'
            )
        if mw:
            parts.append(
                f'<rect x="{label_w + hw:.1f}" y="{y + 3}" width="{mw:.1f}" height="14" '
                'style="fill:var(--medium)"/>'
            )
        parts.append(
            f'<text x="{label_w + hw + mw + 6:.1f}" y="{y + 14}" font-size="13" '
            f'fill="currentColor">{p["high"]} high, {p["medium"]} medium</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _anchor(i: int) -> str:
    return f"nb-{i + 1}"


def _state_label(entry: Mapping[str, Any]) -> str:
    if entry["state"] == "met":
        basis = entry["basis"] or "detected"
        return f"{ICONS[basis]} {BASIS_TEXT[basis]}"
    icon = ICONS.get(entry["state"], "")
    return f"{icon} {STATE_TEXT[entry['state']]}"


def _place(e: Mapping[str, Any]) -> str:
    if e.get("cell") is None:
        return ""
    line = f", line {e['line']}" if e.get("line") is not None else ""
    return f"cell {e['cell'] + 1}{line}"


def _gap_item(p: Mapping[str, Any], catalog) -> str:
    # one line per message, with every place it was found
    messages: dict[str, list[str]] = {}
    for e in gap_evidence(p)[:8]:
        messages.setdefault(e["message"], []).append(_place(e))
    evidence = "".join(
        '<div class="ev">'
        + escape("; ".join(x for x in dict.fromkeys(places) if x))
        + (": " if any(places) else "")
        + f"{escape(message)}</div>"
        for message, places in list(messages.items())[:3]
    )
    guide = ""
    practice = catalog.get(p["id"]) if catalog is not None else None
    if practice is not None:
        guide = (
            f'<details><summary>What to do</summary><div class="guide">'
            f"{escape(practice.guidance)}</div></details>"
        )
    return (
        f'<li><span class="risk {escape(p["lens_risk"])}">{escape(p["lens_risk"])}</span> '
        f"<strong>{escape(p['id'])}</strong> {escape(p['title'])}{evidence}{guide}</li>"
    )


def _folded(title: str, entries: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> str:
    if not entries:
        return ""
    items = "".join(
        f"<li>{escape(_state_label(e))} · <strong>{escape(e['id'])}</strong> "
        f"{escape(titles.get(e['id'], ''))}</li>"
        for e in entries
    )
    return (
        f"<details><summary>{escape(title)} ({len(entries)})</summary>"
        f'<ul class="compact">{items}</ul></details>'
    )


def _summary(t: Mapping[str, int]) -> str:
    return (
        f"<header><h1>{REPORT_TITLE}</h1>"
        f'<p><strong class="high">{t["high"]} high</strong> and '
        f'<strong class="medium">{t["medium"]} medium</strong> risk gaps in '
        f"{t['notebooks']} notebook(s); {t['to_answer']} practices need your answer, "
        f"{t['met']} are met, {t['unknown']} unknown; {t['waived']} waived, "
        f"{t['out_of_phase']} of other phases.</p></header>"
    )


def _toc(heads: Sequence[NotebookHead]) -> str:
    """The totals table, which is the table of contents."""
    rows = []
    for h in heads:
        c = h.verdict["counts"]
        rows.append(
            f'<tr><td><a href="#{_anchor(h.index)}">{escape(h.path)}</a></td>'
            f"<td>{escape(h.phase_id)}</td>"
            f'<td class="num high">{c["high"]}</td><td class="num medium">{c["medium"]}</td>'
            f'<td class="num">{c["to_answer"]}</td><td class="num">{c["met"]}</td>'
            f"<td>{escape(progress_text(c))}</td></tr>"
        )
    return (
        '<nav aria-labelledby="toc"><h2 id="toc">Notebooks and risk totals</h2><table>'
        '<tr><th>Notebook</th><th>Phase</th><th class="num">High</th><th class="num">Medium</th>'
        '<th class="num">To answer</th><th class="num">Met</th><th>Progress</th></tr>'
        + "".join(rows)
        + "</table></nav>"
    )


def _pillar_risk(heads: Sequence[NotebookHead]) -> str:
    """High and medium risk per pillar, added up over the notebooks."""
    pillars: dict[str, dict[str, Any]] = {}
    for h in heads:
        for p in h.verdict["pillars"]:
            agg = pillars.setdefault(p["id"], {"name": p["name"], "high": 0, "medium": 0})
            agg["high"] += p["high"]
            agg["medium"] += p["medium"]
    return "<h2>Risk per pillar</h2>" + _risk_chart(list(pillars.values()))


def _gaps(heads: Sequence[NotebookHead], catalog, at_least: str) -> str:
    """Every gap, high risk first, notebook by notebook."""
    floor = 2 if at_least == "high" else 1
    parts = ['<h2 id="gaps">Gaps</h2>']
    for h in heads:
        by_id = {p["id"]: p for p in h.review["practices"]}
        order = [by_id[e["id"]] for e in h.verdict["practices"] if e["state"] == "gap"]
        order = [p for p in order if (2 if p["lens_risk"] == "high" else 1) >= floor]
        if order:
            parts.append(
                f'<h3><a href="#{_anchor(h.index)}">{escape(h.path)}</a></h3><ul class="items">'
                + "".join(_gap_item(p, catalog) for p in order)
                + "</ul>"
            )
    if len(parts) == 1:
        parts.append('<p class="met">No gaps.</p>')
    return "".join(parts)


def _asked(h: NotebookHead) -> str:
    if not h.asked:
        return ""
    items = "".join(
        f"<li><strong>{escape(e['id'])}</strong> {escape(h.titles.get(e['id'], ''))}: "
        f"{escape(e['question'])}"
        + (f"<br><code>{escape(e['magic'].splitlines()[0])}</code>" if e.get("magic") else "")
        + "</li>"
        for e in h.asked
    )
    return f'<h3>Needs your answer ({len(h.asked)})</h3><ul class="items">{items}</ul>'


def _not_inspected(errors: Sequence[Mapping[str, Any]]) -> str:
    if not errors:
        return ""
    return (
        "<details><summary>Cells not inspected</summary><ul>"
        + "".join(f"<li>{escape(where(None, e))}: {escape(e['message'])}</li>" for e in errors)
        + "</ul></details>"
    )


def _notebook(h: NotebookHead) -> str:
    """One notebook's section: its phase and progress, what waits for an answer, the rest folded."""
    ph, v = h.phase, h.verdict
    c = v["counts"]
    section = [
        f'<section class="nb" id="{_anchor(h.index)}"><h2>{escape(h.path)}</h2>',
        f"<p>Phase <strong>{escape(h.phase_id)}</strong> "
        f'<span class="muted">({escape(ph["source"])}: {escape(ph["reason"])})</span> · '
        f"{escape(progress_text(c))} · "
        f'<span class="high">{c["high"]} high</span>, '
        f'<span class="medium">{c["medium"]} medium</span> risk gaps</p>',
    ]
    if v["note"]:
        section.append(f'<p class="muted">{escape(v["note"])}</p>')
    section.append(_asked(h))
    for state, title in _FOLDED:
        section.append(_folded(title, [e for e in v["practices"] if e["state"] == state], h.titles))
    section.append(_not_inspected(h.review["errors"]))
    section.append("</section>")
    return "".join(section)


_FOLDED = (
    ("met", "Met"),
    ("unknown", "Unknown"),
    ("waived", "Waived"),
    ("out_of_phase", "Other phases"),
)


def render_html(
    reviews: Reviews, errors: Unreviewed = (), *, catalog=None, at_least: str = "medium"
) -> str:
    heads = notebook_heads(reviews, catalog, unnamed="notebook {n}")
    body = [_summary(totals(h.verdict for h in heads)), _toc(heads)]
    if heads:
        body.append(_pillar_risk(heads))
    body.append(_gaps(heads, catalog, at_least))
    body += [_notebook(h) for h in heads]
    if errors:
        body.append("<h2>Files not reviewed</h2><ul>")
        body += [f"<li>{escape(e['path'])}: {escape(e['message'])}</li>" for e in errors]
        body.append("</ul>")
    body.append(f'<p class="muted">jupyter-wellml {escape(__version__)}</p>')
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        "<title>Well-Architected ML review</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
