"""A self-contained HTML report: risk per pillar drawn as inline SVG, practices with evidence.

No scripts, fonts, images or styles are fetched: the file works offline and in a mail client.
Every piece of notebook or lens text is HTML-escaped (team lenses are untrusted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .._version import __version__
from .common import RISK_ORDER, gap_evidence, pillar_names, totals, where

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#1f2328;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border-bottom:1px solid #eaeef2;padding:.3rem .4rem;text-align:left;vertical-align:top}
.num{text-align:right}.met{color:#1a7f37}.gap{color:#cf222e}.unknown{color:#6e7781}.not_applicable{color:#8c959f}
.tag{display:inline-block;border-radius:1rem;padding:0 .5rem;font-size:.8rem;border:1px solid currentColor}
.ev{font-family:ui-monospace,monospace;font-size:.85rem;color:#57606a}.muted{color:#6e7781}
details{margin:.2rem 0}summary{cursor:pointer}.guide{white-space:pre-wrap;margin:.3rem 0 .6rem 1rem;color:#24292f}
@media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}td,th{border-color:#30363d}
.guide{color:#c9d1d9}h2{border-color:#30363d}}
"""
HIGH, MEDIUM = "#cf222e", "#d4a72c"


def _bar_chart(pillars: list[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """Horizontal bars of high and medium risk gaps per pillar, as inline SVG."""
    width, row, label_w = 560, 26, 190
    longest = max([p["high"] + p["medium"] for p in pillars] + [1])
    scale = (width - label_w - 40) / longest
    height = row * len(pillars) + 30
    parts = [
        f'<svg role="img" aria-label="High and medium risk gaps per pillar" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, p in enumerate(pillars):
        y = 10 + i * row
        name = escape(names.get(p["id"], p["id"]))
        hw, mw = p["high"] * scale, p["medium"] * scale
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12" fill="currentColor">{name}</text>'
        )
        if hw:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{hw:.1f}" height="16" fill="{HIGH}"><title>{p["high"]} high</title></rect>'
            )
        if mw:
            parts.append(
                f'<rect x="{label_w + hw:.1f}" y="{y + 3}" width="{mw:.1f}" height="16" fill="{MEDIUM}"><title>{p["medium"]} medium</title></rect>'
            )
        parts.append(
            f'<text x="{label_w + hw + mw + 6:.1f}" y="{y + 15}" font-size="12" fill="currentColor">{p["high"]} / {p["medium"]}</text>'
        )
    y = 10 + len(pillars) * row
    parts.append(f'<rect x="{label_w}" y="{y + 4}" width="10" height="10" fill="{HIGH}"/>')
    parts.append(
        f'<text x="{label_w + 14}" y="{y + 13}" font-size="11" fill="currentColor">high</text>'
    )
    parts.append(f'<rect x="{label_w + 56}" y="{y + 4}" width="10" height="10" fill="{MEDIUM}"/>')
    parts.append(
        f'<text x="{label_w + 70}" y="{y + 13}" font-size="11" fill="currentColor">medium</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    reviews: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    catalog=None,
    at_least: str = "medium",
) -> str:
    t = totals(reviews)
    body = [
        "<h1>Well-Architected ML review</h1>",
        f'<p>{t["notebooks"]} notebook(s): <strong class="gap">{t["high"]} high</strong> and '
        f'<strong class="gap">{t["medium"]} medium</strong> risk gaps, <span class="met">{t["met"]} met</span>, '
        f'<span class="unknown">{t["unknown"]} unknown</span>.</p>',
    ]
    for r in reviews:
        path = r["notebook"]["path"] or "notebook"
        names = pillar_names(r, catalog)
        ph = r["phase"]
        body.append(f"<h2>{escape(path)}</h2>")
        body.append(
            f'<p>Phase <strong>{escape(ph["id"] or "unknown")}</strong> <span class="muted">({escape(ph["source"])}: '
            f"{escape(ph['reason'])})</span></p>"
        )
        if not r["notebook"]["inspected"]:
            body.append(f'<p class="muted">{escape(r["notebook"]["reason"] or "")}</p>')
        body.append(_bar_chart(r["summary"]["pillars"], names))
        by_pillar: dict[str, list[Mapping[str, Any]]] = {}
        for p in r["practices"]:
            by_pillar.setdefault(p["pillar"], []).append(p)
        for pillar_id, practices in by_pillar.items():
            body.append(f"<h3>{escape(names.get(pillar_id, pillar_id))}</h3><table>")
            ordered = sorted(
                practices,
                key=lambda p: (p["status"] != "gap", -RISK_ORDER.get(p["lens_risk"], 1), p["id"]),
            )
            for p in ordered:
                status = p["status"]
                label = "n/a" if status == "not_applicable" else status
                evidence = gap_evidence(p) if status == "gap" else p["evidence"]
                ev = "".join(
                    f'<div class="ev">{escape(where(None, e).replace("<notebook>:", "").replace("<notebook>", ""))} '
                    f"{escape(e['message'])}</div>"
                    for e in evidence[:5]
                )
                guide = ""
                practice = catalog.get(p["id"]) if catalog is not None else None
                if practice is not None and status in ("gap", "unknown"):
                    guide = f'<details><summary>Guidance</summary><div class="guide">{escape(practice.guidance)}</div></details>'
                body.append(
                    f'<tr><td><span class="tag {status}">{label}</span></td><td>{escape(p["id"])}</td>'
                    f'<td>{escape(p["title"])}{ev}{guide}</td><td class="muted">{escape(p["lens_risk"])}</td></tr>'
                )
            body.append("</table>")
    if errors:
        body.append("<h2>Files not reviewed</h2><ul>")
        body += [f"<li>{escape(e['path'])}: {escape(e['message'])}</li>" for e in errors]
        body.append("</ul>")
    body.append(f'<p class="muted">jupyter-wellml {escape(__version__)}</p>')
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Well-Architected ML review</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
