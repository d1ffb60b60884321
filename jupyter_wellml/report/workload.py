"""Workload reports: the workload section of a review, the improvement plan, milestone diffs.

Text, Markdown and a self-contained HTML fragment (the review's HTML report embeds it, with the
trend over the workload's milestones as inline SVG). Every notebook or lens text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .common import pillar_names, pillar_table_markdown, where

HIGH, MEDIUM = "#cf222e", "#9a6700"


def _loc(e: Mapping[str, Any]) -> str:
    return where(e.get("notebook"), e)


def _headline(section: Mapping[str, Any]) -> str:
    t = section["summary"]["total"]
    waived = sum(1 for p in section["practices"] if p["reason"] == "waived")
    return (
        f"workload {section['name']} ({len(section['notebooks'])} notebook(s)): "
        f"{t['high']} high and {t['medium']} medium risk gap(s), {t['met']} practice(s) met, "
        f"{t['unknown']} to answer, {waived} waived"
    )


def workload_text(section: Mapping[str, Any], *, at_least: str = "medium") -> str:
    """One line per workload gap (``ID [risk] message (notebook:cell N:line M)``), then totals."""
    lines = []
    for p in _gaps(section, at_least):
        by_message: dict[str, list[str]] = {}
        for e in p["evidence"]:
            by_message.setdefault(e["message"], []).append(_loc(e))
        for message, found in list(by_message.items())[:3] or [(p["title"], [])]:
            places = list(dict.fromkeys(found))
            shown = "; ".join(places[:3]) + (
                f"; +{len(places) - 3} more" if len(places) > 3 else ""
            )
            lines.append(
                f"workload: {p['id']} [{p['lens_risk']}] {message}"
                + (f" ({shown})" if shown else "")
            )
    lines.append(_headline(section))
    return "\n".join(lines)


def _gaps(section: Mapping[str, Any], at_least: str) -> list[Mapping[str, Any]]:
    floor = {"high": 2, "medium": 1}.get(at_least, 1)
    rank = {"high": 2, "medium": 1}
    return [
        p
        for p in section["practices"]
        if p["status"] == "gap" and rank.get(p["lens_risk"], 1) >= floor
    ]


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def workload_markdown(section: Mapping[str, Any], catalog=None) -> str:
    """A ``## Workload`` section: totals per pillar, then the workload's gaps with evidence."""
    names = pillar_names(section, catalog)
    out = [f"## Workload {_md(section['name'])}", "", _md(_headline(section)) + ".", ""]
    out += [*pillar_table_markdown(section["summary"]["pillars"], names, unknown="To answer"), ""]
    gaps = _gaps(section, "medium")
    if gaps:
        out += ["### Workload gaps", ""]
        for p in gaps:
            out.append(f"- **{p['id']}** [{p['lens_risk']}] {_md(p['title'])}")
            out += [f"  - `{_loc(e)}`: {_md(e['message'])}" for e in p["evidence"][:3]]
        out.append("")
    return "\n".join(out)


def workload_html(
    section: Mapping[str, Any], catalog=None, trend: Sequence[Mapping[str, Any]] = ()
) -> str:
    """An HTML fragment: totals per pillar, the trend over milestones, the workload's gaps."""
    names = pillar_names(section, catalog)
    rows = "".join(
        f'<tr><td>{escape(names[p["id"]])}</td><td class="num">{p["high"]}</td>'
        f'<td class="num">{p["medium"]}</td><td class="num">{p["met"]}</td>'
        f'<td class="num">{p["unknown"]}</td></tr>'
        for p in section["summary"]["pillars"]
    )
    parts = [
        '<section id="workload">',
        f"<h2>Workload {escape(section['name'])}</h2>",
        f"<p>{escape(_headline(section))}.</p>",
        "<table><tr><th>Pillar</th><th>High</th><th>Medium</th><th>Met</th><th>To answer</th></tr>",
        rows,
        "</table>",
    ]
    if trend:
        parts.append(trend_html(trend, section))
    gaps = _gaps(section, "medium")
    if gaps:
        parts.append("<h3>Workload gaps</h3><table>")
        for p in gaps:
            ev = "".join(
                f'<div class="ev">{escape(_loc(e))} {escape(e["message"])}</div>'
                for e in p["evidence"][:3]
            )
            parts.append(
                f'<tr><td><span class="tag gap">gap</span></td><td>{escape(p["id"])}</td>'
                f'<td>{escape(p["title"])}{ev}</td><td class="muted">{escape(p["lens_risk"])}</td></tr>'
            )
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


def trend_html(trend: Sequence[Mapping[str, Any]], now: Mapping[str, Any] | None = None) -> str:
    """High and medium risk gaps over the milestones (and now), as a table and an SVG line chart."""
    points = [(m["name"], m["total"]) for m in trend]
    if now is not None:
        points.append(("now", now["summary"]["total"]))
    rows = "".join(
        f'<tr><td>{escape(name)}</td><td class="num">{t["high"]}</td>'
        f'<td class="num">{t["medium"]}</td><td class="num">{t["met"]}</td></tr>'
        for name, t in points
    )
    return (
        "<h3>Trend over milestones</h3>"
        + _trend_svg(points)
        + "<table><tr><th>Milestone</th><th>High</th><th>Medium</th><th>Met</th></tr>"
        + rows
        + "</table>"
    )


def _trend_svg(points: Sequence[tuple[str, Mapping[str, int]]]) -> str:
    width, height, pad = 560, 160, 30
    top = max([t["high"] + t["medium"] for _, t in points] + [1])
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def line(key: str, colour: str) -> str:
        xy = " ".join(
            f"{pad + i * step:.1f},{height - pad - t[key] / top * (height - 2 * pad):.1f}"
            for i, (_, t) in enumerate(points)
        )
        return f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="2"/>'

    labels = "".join(
        f'<text x="{pad + i * step:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
        f'fill="currentColor">{escape(name)}</text>'
        for i, (name, _) in enumerate(points)
    )
    return (
        f'<svg role="img" aria-label="High and medium risk gaps over milestones" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"{line('high', HIGH)}{line('medium', MEDIUM)}{labels}</svg>"
    )


# --------------------------------------------------------------------------- plan
def plan_text(plan: Mapping[str, Any]) -> str:
    c = plan["counts"]
    lines = [
        f"improvement plan for {plan['workload']}: {c['high']} high and {c['medium']} medium "
        f"risk gap(s), {c['to_answer']} practice(s) to answer"
    ]
    for item in plan["items"]:
        what = "gap" if item["kind"] == "gap" else "to answer"
        lines.append(
            f"{item['rank']:>3}. {item['id']} [{item['risk']}] {what}, {item['phase']}, "
            f"{item['pillar']}: {item['title']}"
        )
        lines += [f"       evidence: {_loc(e)}: {e['message']}" for e in item["evidence"][:2]]
        lines.append(f"       next ({item['next_step']['kind']}): {item['next_step']['text']}")
    return "\n".join(lines)


def plan_markdown(plan: Mapping[str, Any]) -> str:
    c = plan["counts"]
    out = [
        f"# Improvement plan: {_md(plan['workload'])}",
        "",
        f"**{c['high']} high** and **{c['medium']} medium** risk gaps, {c['to_answer']} "
        "practices to answer, in the order to work on them.",
        "",
    ]
    for item in plan["items"]:
        what = "gap" if item["kind"] == "gap" else "to answer"
        out.append(
            f"{item['rank']}. **{item['id']}** [{item['risk']}, {what}] {_md(item['title'])}"
        )
        out.append(f"   - Phase {item['phase']}, pillar {item['pillar']}")
        out += [f"   - Evidence `{_loc(e)}`: {_md(e['message'])}" for e in item["evidence"][:3]]
        out.append(
            f"   - Next step ({item['next_step']['kind']}): `{_md(item['next_step']['text'])}`"
        )
        first = item["guidance"].split("\n\n")[0]
        if first:
            out.append(f"   - Guidance: {_md(first)}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- milestones
def milestones_text(milestones: Sequence[Mapping[str, Any]], root: str) -> str:
    if not milestones:
        return f"no milestones in {root} (jupyter wellml milestone save NAME {root})"
    lines = []
    for m in milestones:
        if "error" in m:
            lines.append(f"{m['name']}: unreadable: {m['error']}")
            continue
        t = m["total"]
        commit = (m["commit"] or "")[:12] or "no commit"
        lines.append(
            f"{m['name']}  {m['saved']}  {commit}  {t['high']} high, {t['medium']} medium, "
            f"{t['met']} met"
        )
    return "\n".join(lines)


def _change(before: str | None, after: str | None) -> str:
    return f"{before or 'absent'} -> {after or 'absent'}"


def diff_text(diff: Mapping[str, Any]) -> str:
    a, b = diff["from"]["name"], diff["to"]["name"]
    lines = [f"milestone {a} -> {b}: {len(diff['changed'])} practice(s) changed status"]
    if diff["lens_changed"]:
        lines.append("note: the lens changed between them (another fingerprint)")
    lines += [
        f"  {c['id']} [{c['lens_risk']}] {_change(c['before'], c['after'])}: {c['title']}"
        for c in diff["changed"]
    ]
    lines.append("high/medium risk gaps per pillar (before -> after):")
    for p in diff["pillars"]:
        x, y = p["before"], p["after"]
        lines.append(f"  {p['id']}: {x['high']}/{x['medium']} -> {y['high']}/{y['medium']}")
    x, y = diff["total"]["before"], diff["total"]["after"]
    lines.append(f"  total: {x['high']}/{x['medium']} -> {y['high']}/{y['medium']}")
    return "\n".join(lines)


def diff_markdown(diff: Mapping[str, Any]) -> str:
    a, b = diff["from"]["name"], diff["to"]["name"]
    out = [f"# Milestone {_md(a)} → {_md(b)}", ""]
    if diff["lens_changed"]:
        out += ["> The lens changed between the two (another fingerprint).", ""]
    out += ["| Practice | Risk | Before | After | Title |", "| --- | --- | --- | --- | --- |"]
    out += [
        f"| {c['id']} | {c['lens_risk']} | {c['before'] or '-'} | {c['after'] or '-'} | {_md(c['title'])} |"
        for c in diff["changed"]
    ]
    out += ["", "| Pillar | High before | High after | Medium before | Medium after |"]
    out.append("| --- | ---: | ---: | ---: | ---: |")
    out += [
        f"| {p['id']} | {p['before']['high']} | {p['after']['high']} | "
        f"{p['before']['medium']} | {p['after']['medium']} |"
        for p in diff["pillars"]
    ]
    return "\n".join(out) + "\n"
