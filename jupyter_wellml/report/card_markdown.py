"""The model card (:mod:`.card`) as Markdown, for people (the JSON form is for tools).

One function per section of the card, in the order they print: the header, intended use,
metrics against their KPI targets, problem framing, data, explainability, considerations, the
environment and what is not recorded yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .card import num_text


def _cell(x: Any) -> str:
    return "" if x is None else str(x).replace("|", "\\|").replace("\n", " ")


def _opt(x: Any) -> str:
    return "" if x is None else num_text(x)


def _header(card: Mapping[str, Any]) -> list[str]:
    md = card["model_details"]
    nb = card["notebook"]
    return [
        f"# Model card: {_cell(md['name'])}",
        "",
        md["overview"],
        "",
        f"- Notebook: `{_cell(nb['path'] or nb['name'])}` (sha256 {_cell((nb['sha256'] or '')[:12])})",
        f"- Owners: {', '.join(md['owners']) or 'not recorded'}",
        f"- Lifecycle phase: {md['phase'] or 'unknown'} ({md['phase_source']})",
        f"- Last recorded decision: {md['last_recorded'] or 'none'}",
        f"- Generated {card['generated']} against lens {', '.join(md['lens']['lenses'])} "
        f"({md['lens']['fingerprint'][:12]})",
        "",
    ]


def _intended_use(use: Mapping[str, Any]) -> list[str]:
    out = ["## Intended use", "", f"Purpose: {use['purpose'] or 'not recorded'}", ""]
    if use["users"]:
        out += [f"Intended users: {', '.join(use['users'])}", ""]
    return [*out, f"Risk rating: **{use['risk_rating']}** ({use['risk_rating_explanation']})", ""]


def _metric_row(m: Mapping[str, Any]) -> str:
    target = f"{m['op']} {num_text(m['target'])}" if m.get("op") else "none"
    if m.get("unit"):
        target += f" {m['unit']}"
    return (
        f"| {_cell(m['name'])} | {_cell(target)} | {_cell(_opt(m['acceptable_error']))} | "
        f"{_cell(_opt(m['measured']))} | {_cell((m['status'] or '').replace('_', ' '))} | "
        f"{_cell(m['business'])} |"
    )


def _metrics(card: Mapping[str, Any]) -> list[str]:
    out = ["## Metrics against KPI targets", ""]
    metrics = card["metrics"]
    if metrics:
        out += [
            "| KPI | Target | Acceptable error | Measured | Status | Business outcome |",
            "| --- | --- | ---: | ---: | --- | --- |",
            *(_metric_row(m) for m in metrics),
            "",
        ]
        costs = [
            f"{_cell(m['name'])}: {_cell(m['error_cost'])}" for m in metrics if m.get("error_cost")
        ]
        if costs:
            out += ["Cost of an error:", "", *(f"- {c}" for c in costs), ""]
    else:
        out += ["No KPI recorded.", ""]
    if card["metrics_in_code"]:
        out += [f"Metrics computed in the code: {', '.join(card['metrics_in_code'])}", ""]
    return out


def _framing(framing: Mapping[str, Any] | None) -> list[str]:
    out = ["## Problem framing", ""]
    if not framing:
        return [*out, "No problem framing recorded (`%wellml frame --question ...`).", ""]
    labels = (
        ("question", "Business question"),
        ("task", "ML task"),
        ("label", "Label"),
        ("baseline", "Baseline to beat"),
        ("production", "Path to production"),
    )
    out += [f"- {word}: {_cell(framing[k])}" for k, word in labels if framing.get(k)]
    if framing.get("features"):
        out.append(f"- Must-have features: {_cell(', '.join(framing['features']))}")
    return [*out, ""]


def _data_row(d: Mapping[str, Any]) -> str:
    if not d["recorded"]:
        return f"| `{_cell(d['uri'])}` | (read in cell {_cell(d.get('cell'))}, not recorded) | | | | | |"
    digest = ("`" + d["sha256"] + "`") if d.get("sha256") else ""
    return (
        f"| `{_cell(d['uri'])}` | {_cell(d.get('name'))} | {_cell(d.get('owner'))} | "
        f"{_cell(d.get('pii') or 'not said')} | {_cell(d.get('license'))} | "
        f"{_cell(_opt(d.get('size')))} | {digest} |"
    )


def _data(data: list[Mapping[str, Any]]) -> list[str]:
    if not data:
        return ["## Data", "", "No data source recorded.", ""]
    return [
        "## Data",
        "",
        "| Source | Name | Owner | Personal data | License | Size | SHA-256 |",
        "| --- | --- | --- | --- | --- | ---: | --- |",
        *(_data_row(d) for d in data),
        "",
    ]


def _explainability(ex: Mapping[str, Any] | None) -> list[str]:
    out = ["## Explainability", ""]
    if not ex:
        return [*out, "No explainability decision recorded.", ""]
    out.append(
        f"Level: **{ex['level']}**" + (f", method {ex['method']}" if ex.get("method") else "")
    )
    if ex.get("audience"):
        out.append(f"Audience: {ex['audience']}")
    if ex.get("rationale"):
        out.append(f"Rationale: {ex['rationale']}")
    return [*out, ""]


def _signoff_text(a: Mapping[str, Any]) -> str:
    until = f" until {a['expires']}" if a.get("expires") else ""
    return f"{a['practice']} {_cell(a['title'])}: by {_cell(a['approver'])}{until}"


def _considerations(cons: Mapping[str, Any]) -> list[str]:
    out = ["## Considerations", ""]
    sections = (
        (
            "Practices waived:",
            [
                f"{w['practice']} {_cell(w['title'])}: {w['reason'].replace('_', ' ')}. "
                f"{_cell(w['note'])}"
                for w in cons["waivers"]
            ],
        ),
        (
            "Practices attested:",
            [
                f"{a['practice']} {_cell(a['title'])}: {_cell(a['note'])}"
                for a in cons["attestations"]
            ],
        ),
        ("Practices signed off:", [_signoff_text(a) for a in cons["signoffs"]]),
        (
            "Sensitive data:",
            [f"`{d['uri']}`: personal data {d['pii']}" for d in cons["sensitive_data"]],
        ),
        (
            "Open lens gaps for this phase:",
            [
                f"[{g['risk']}] {g['practice']} {_cell(g['title'])}: {_cell(g['message'])}"
                for g in cons["open_gaps"]
            ],
        ),
    )
    for heading, items in sections:
        if items:
            out += [heading, "", *(f"- {item}" for item in items), ""]
    if not any(cons.values()):
        out += ["None recorded.", ""]
    return out


def _environment(env: Mapping[str, Any]) -> list[str]:
    lang = " ".join(str(x) for x in (env.get("language"), env.get("language_version")) if x)
    out = [
        "## Environment",
        "",
        f"- Kernel: {env.get('kernel_display_name') or env.get('kernel') or 'unknown'}",
        f"- Language: {lang or 'unknown'}",
        f"- Packages imported: {', '.join(env['imports']) or 'none'}",
    ]
    if env["installs"]:
        out.append(
            "- Installed in the notebook: "
            + ", ".join(f"{i['spec'] or i['name']} ({i['pin']})" for i in env["installs"])
        )
    if env.get("probe"):
        p = env["probe"]
        out.append(
            f"- Probed: Python {p.get('python')} on {p.get('platform')}, {p['packages']} packages"
        )
    return [*out, ""]


def _missing(missing: list[Mapping[str, Any]]) -> list[str]:
    if not missing:
        return []
    return ["## Not recorded yet", "", *(f"- {m['field']}: `{m['fix']}`" for m in missing), ""]


def render_card_markdown(card: Mapping[str, Any]) -> str:
    """The card as Markdown, section by section."""
    out = [
        *_header(card),
        *_intended_use(card["intended_use"]),
        *_metrics(card),
        *_framing(card.get("problem_framing")),
        *_data(card["data"]),
        *_explainability(card["explainability"]),
        *_considerations(card["considerations"]),
        *_environment(card["environment"]),
        *_missing(card["missing"]),
    ]
    return "\n".join(out)


__all__ = ["render_card_markdown"]
