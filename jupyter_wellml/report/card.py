"""A model card built from a notebook's records, offline (``jupyter wellml card``).

The card is assembled from what the notebook already says: the KPI records give the intended
use and the metrics against their targets, the data records the sources with their hashes, the
explain record the explainability decision, waivers and attestations the considerations, and
the review (the same ``review()`` as everywhere) the phase, the open gaps, what the code trains
and reads, and an environment summary. Nothing is fetched.

Its JSON (``wellml-model-card/v1``) also carries the same content arranged as the two common
model card formats: ``sagemaker_model_card`` follows the field names of the Amazon SageMaker
Model Card JSON schema, ``model_card_toolkit`` those of Google's Model Card Toolkit, so the card
can be pasted into either. ``missing`` lists what the records do not say yet, with the magic
that would say it. docs/model-card.md maps every field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..inspection.review import Review
from ..records import now
from ..records.authors import is_anonymous_id

CARD_SCHEMA = "wellml-model-card/v1"
OPS_WORDS = {">=": "at least", "<=": "at most", ">": "above", "<": "below", "==": "exactly"}


def build_card(result: Review, *, name: str | None = None) -> dict[str, Any]:
    """The model card of a reviewed notebook (``review(nb, catalog)``)."""
    records = [r.record for r in result.records]
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        by_kind.setdefault(r["kind"], []).append(r)
    nb = result.notebook
    facts = result.facts_json()
    catalog = result.catalog
    kpis = by_kind.get("kpi", [])
    data = by_kind.get("data", [])
    explain = (by_kind.get("explain") or [None])[-1]
    title = name or (nb.name or "notebook").rsplit(".", 1)[0]

    # people, not the anonymous ids older sidebars wrote
    authors = sorted(
        {r["author"] for r in records if r.get("author") and not is_anonymous_id(r["author"])}
    )
    updated = max((r.get("updated", "") for r in records), default="") or None
    goals = [k["business"] for k in kpis if k.get("business")]
    training = facts.get("training", [])
    frameworks = sorted({t.get("framework") for t in training if t.get("framework")})
    algorithms = sorted({_estimator(t["api"]) for t in training if t.get("api")})

    metrics = [_metric(k) for k in kpis]
    recorded_uris = {str(d.get("uri", "")).rstrip("/") for d in data}
    unrecorded = []
    for s in facts.get("data_sources", []):
        uri = str(s.get("uri") or "").rstrip("/")
        if uri and uri not in recorded_uris and uri not in {u["uri"] for u in unrecorded}:
            unrecorded.append(
                {"uri": uri, "cell": _cell(s.get("cell")), "via": s.get("via"), "recorded": False}
            )
    gaps = sorted(
        (f for f in result.findings if f.status == "gap" and f.applies),
        key=lambda f: (0 if f.practice.risk == "high" else 1, f.practice.id),
    )
    rating, rating_why = _risk(gaps, kpis)

    card: dict[str, Any] = {
        "schema": CARD_SCHEMA,
        "generated": now(),
        "notebook": {"path": nb.path, "name": nb.name, "sha256": nb.sha256},
        "model_details": {
            "name": title,
            "overview": _overview(title, goals, algorithms, result.phase.id),
            "owners": authors,
            "phase": result.phase.id,
            "phase_source": result.phase.source,
            "frameworks": frameworks,
            "algorithms": algorithms,
            "last_recorded": updated,
            "lens": {
                "fingerprint": catalog.fingerprint,
                "lenses": [x.id for x in catalog.lenses],
            },
        },
        "intended_use": {
            "business_goals": goals,
            "purpose": "; ".join(goals) or None,
            "kpis": [
                {k: m[k] for k in ("name", "op", "target", "acceptable_error", "unit", "business")}
                for m in metrics
            ],
            "users": [explain["audience"]] if explain and explain.get("audience") else [],
            "risk_rating": rating,
            "risk_rating_explanation": rating_why,
        },
        "problem_framing": _framing((by_kind.get("frame") or [None])[-1]),
        "data": [_dataset(d) for d in data] + unrecorded,
        "metrics": metrics,
        "metrics_in_code": sorted({m["name"] for m in facts.get("metrics", []) if m.get("name")}),
        "explainability": (
            {k: explain.get(k) for k in ("level", "method", "audience", "rationale")}
            if explain
            else None
        ),
        "considerations": {
            "waivers": [
                {
                    "practice": w["practice"],
                    "title": _title(catalog, w["practice"]),
                    "reason": w["reason"],
                    "note": w["note"],
                }
                for w in by_kind.get("waiver", [])
            ],
            "attestations": [
                {
                    "practice": a["practice"],
                    "title": _title(catalog, a["practice"]),
                    "note": a["note"],
                }
                for a in by_kind.get("attest", [])
            ],
            "signoffs": [
                {
                    "practice": a["practice"],
                    "title": _title(catalog, a["practice"]),
                    "approver": a["approver"],
                    "expires": a.get("expires"),
                    "note": a.get("note"),
                }
                for a in by_kind.get("signoff", [])
            ],
            "sensitive_data": [
                {"uri": d["uri"], "pii": d["pii"]}
                for d in data
                if d.get("pii") in ("yes", "unknown")
            ],
            "open_gaps": [
                {
                    "practice": f.practice.id,
                    "title": f.practice.title,
                    "risk": f.practice.risk,
                    "message": next(
                        (e["message"] for e in f.evidence if e.get("effect") in ("gap", "expect")),
                        "",
                    ),
                }
                for f in gaps
            ],
        },
        "environment": _environment(result, facts),
        "records": len(records),
    }
    card["missing"] = _missing(card)
    card["sagemaker_model_card"] = _sagemaker(card)
    card["model_card_toolkit"] = _mct(card)
    return card


# ------------------------------------------------------------------ pieces
def _framing(frame: Mapping[str, Any] | None) -> dict[str, Any] | None:
    keys = ("question", "task", "label", "features", "baseline", "production")
    return {k: frame.get(k) for k in keys} if frame else None


def _metric(k: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": k["name"],
        "op": k.get("op"),
        "target": k.get("target"),
        "acceptable_error": k.get("acceptable_error"),
        "unit": k.get("unit"),
        "business": k.get("business"),
        "measured": k.get("measured"),
        "measured_at": k.get("measured_at"),
        "status": k.get("status"),
        "error_cost": k.get("error_cost"),
    }


def _dataset(d: Mapping[str, Any]) -> dict[str, Any]:
    keys = (
        "uri",
        "name",
        "source_kind",
        "owner",
        "pii",
        "license",
        "description",
        "size",
        "sha256",
        "hashed_at",
    )
    return {**{k: d.get(k) for k in keys}, "recorded": True}


def _estimator(api: str) -> str:
    """``sklearn.linear_model.LogisticRegression.fit`` → ``sklearn.linear_model.LogisticRegression``."""
    head, _, last = api.rpartition(".")
    return head if head and last[:1].islower() and head.rpartition(".")[2][:1].isupper() else api


def _title(catalog, practice_id: str) -> str | None:
    p = catalog.get(practice_id)
    return p.title if p else None


def _cell(index: int | None) -> int | None:
    return index + 1 if index is not None else None


def _overview(title: str, goals: Sequence[str], algorithms: Sequence[str], phase) -> str:
    parts = [f"{title}"]
    if algorithms:
        parts.append(f"trains {', '.join(algorithms[:3])}")
    if goals:
        parts.append(f"to serve: {goals[0]}")
    text = " ".join(parts)
    if phase:
        text += f" (lifecycle phase: {phase.replace('_', ' ')})"
    return text + "."


def _risk(gaps, kpis) -> tuple[str, str]:
    """A starting risk rating for the card: from open high-risk gaps and missed KPIs."""
    high = [f.practice.id for f in gaps if f.practice.risk == "high"]
    missed = [k["name"] for k in kpis if k.get("status") == "missed"]
    if high or missed:
        why = []
        if high:
            why.append(f"{len(high)} high-risk lens gaps open ({', '.join(high[:5])})")
        if missed:
            why.append(f"KPI missed: {', '.join(missed)}")
        return "High", "; ".join(why)
    if gaps:
        return "Medium", f"{len(gaps)} medium-risk lens gaps open"
    if not kpis:
        return "Unknown", "no KPI recorded, so fitness for purpose cannot be judged"
    return "Low", "no open lens gaps for this phase and every measured KPI meets its target"


def _environment(result: Review, facts: Mapping[str, Any]) -> dict[str, Any]:
    meta = result.notebook.data.get("metadata") or {}
    kernel = meta.get("kernelspec") or {}
    lang = meta.get("language_info") or {}
    packages = sorted(
        {
            str(i.get("module") or "").split(".")[0]
            for i in facts.get("imports", [])
            if i.get("module") and not str(i["module"]).startswith(".")
        }
    )
    out: dict[str, Any] = {
        "kernel": kernel.get("name"),
        "kernel_display_name": kernel.get("display_name"),
        "language": lang.get("name") or result.notebook.kernel_language,
        "language_version": lang.get("version"),
        "imports": packages,
        "installs": [
            {"name": p.get("name"), "spec": p.get("spec"), "pin": p.get("pin")}
            for p in facts.get("pip_installs", [])
        ],
    }
    env = result.environment
    if env:
        out["probe"] = {
            "python": env.get("python"),
            "platform": env.get("platform"),
            "packages": len(env.get("packages", ())),
            "gpu": env.get("gpu", []),
        }
    return out


def _missing(card: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    if not card["intended_use"]["kpis"]:
        out.append(
            {
                "field": "intended_use",
                "fix": '%wellml kpi NAME >= TARGET --business "the outcome it stands for"',
            }
        )
    elif not card["intended_use"]["business_goals"]:
        out.append({"field": "intended_use.purpose", "fix": '%wellml kpi NAME --business "..."'})
    if card["metrics"] and all(m["measured"] is None for m in card["metrics"]):
        out.append({"field": "metrics.measured", "fix": "%wellml kpi NAME --measured {value}"})
    if not any(d["recorded"] for d in card["data"]):
        out.append(
            {"field": "data", "fix": "%wellml data URI --owner WHO --pii yes|no --license L"}
        )
    elif any(d["recorded"] and d.get("pii") is None for d in card["data"]):
        out.append({"field": "data.pii", "fix": "%wellml data URI --pii yes|no|unknown"})
    if any(not d["recorded"] for d in card["data"]):
        out.append({"field": "data (read in code, not recorded)", "fix": "%wellml data URI ..."})
    if card["explainability"] is None:
        out.append(
            {"field": "explainability", "fix": "%wellml explain --level global|local|both|none"}
        )
    return out


def _sagemaker(card: Mapping[str, Any]) -> dict[str, Any]:
    """The card in the field names of the SageMaker Model Card JSON schema (content only)."""
    md, use = card["model_details"], card["intended_use"]
    ex = card["explainability"]
    metric_data = []
    for m in card["metrics"]:
        if m["measured"] is None:
            continue
        note = _target_text(m)
        metric_data.append(
            {"name": m["name"], "type": "number", "value": m["measured"], "notes": note}
        )
    datasets = [d.get("uri") for d in card["data"] if d.get("uri")]
    cons = card["considerations"]
    ethical = [f"{d['uri']}: personal data {d['pii']}" for d in cons["sensitive_data"]]
    if ex:
        ethical.append(
            f"Explainability {ex['level']}"
            + (f" ({ex['rationale']})" if ex.get("rationale") else "")
        )
    caveats = [f"{w['practice']} waived ({w['reason']}): {w['note']}" for w in cons["waivers"]]
    caveats += [f"Open gap {g['practice']} [{g['risk']}]: {g['title']}" for g in cons["open_gaps"]]
    env = card["environment"]
    out: dict[str, Any] = {
        "model_overview": {
            "model_description": md["overview"],
            "model_owner": ", ".join(md["owners"]) or None,
            "algorithm_type": ", ".join(md["algorithms"]) or None,
            "inference_environment": None,
        },
        "intended_uses": {
            "purpose_of_model": use["purpose"],
            "intended_uses": "; ".join(
                f"{k['name']} {_target_text(k)}" for k in use["kpis"] if k.get("op")
            )
            or None,
            "risk_rating": use["risk_rating"],
            "explanations_for_risk_rating": use["risk_rating_explanation"],
        },
        "business_details": {
            "business_problem": use["purpose"],
            "business_stakeholders": ", ".join(use["users"]) or None,
        },
        "training_details": {
            "training_observations": f"Data sources: {', '.join(datasets)}" if datasets else None,
            "training_job_details": {
                "training_datasets": datasets,
                "training_environment": {
                    "container_image": [],
                },
            },
        },
        "evaluation_details": [
            {
                "name": f"{md['name']} KPIs",
                "datasets": datasets,
                "metric_groups": [{"name": "KPIs", "metric_data": metric_data}],
            }
        ]
        if metric_data
        else [],
        "additional_information": {
            "ethical_considerations": "; ".join(ethical) or None,
            "caveats_and_recommendations": "; ".join(caveats) or None,
            "custom_details": {
                "kernel": env.get("kernel_display_name") or env.get("kernel"),
                "language": " ".join(
                    str(x) for x in (env.get("language"), env.get("language_version")) if x
                ),
                "packages": ", ".join(env["imports"]),
                "lens_fingerprint": md["lens"]["fingerprint"],
            },
        },
    }
    return _prune(_clip_sagemaker(out))


#: maximum lengths of the SageMaker Model Card text fields this card fills
SAGEMAKER_LIMITS = {
    ("model_overview", "model_description"): 1024,
    ("model_overview", "model_owner"): 1024,
    ("model_overview", "algorithm_type"): 1024,
    ("intended_uses", "purpose_of_model"): 2048,
    ("intended_uses", "intended_uses"): 2048,
    ("intended_uses", "explanations_for_risk_rating"): 2048,
    ("business_details", "business_problem"): 2048,
    ("business_details", "business_stakeholders"): 2048,
    ("training_details", "training_observations"): 1024,
    ("additional_information", "ethical_considerations"): 2048,
    ("additional_information", "caveats_and_recommendations"): 2048,
}


def _clip_sagemaker(out: dict[str, Any]) -> dict[str, Any]:
    for (section, key), limit in SAGEMAKER_LIMITS.items():
        text = out.get(section, {}).get(key)
        if isinstance(text, str) and len(text) > limit:
            out[section][key] = text[: limit - 1] + "…"
    return out


def _mct(card: Mapping[str, Any]) -> dict[str, Any]:
    """The card in the field names of Google's Model Card Toolkit (its JSON/proto form)."""
    md, use, cons = card["model_details"], card["intended_use"], card["considerations"]
    licenses = sorted({d["license"] for d in card["data"] if d.get("license")})
    out = {
        "model_details": {
            "name": md["name"],
            "overview": md["overview"],
            "owners": [{"name": o} for o in md["owners"]],
            "version": {
                "name": (card["notebook"]["sha256"] or "")[:12],
                "date": md["last_recorded"],
            },
            "licenses": [{"custom_text": f"data: {x}"} for x in licenses],
            "path": card["notebook"]["path"],
        },
        "model_parameters": {
            "model_architecture": ", ".join(md["algorithms"]) or None,
            "data": [
                {
                    "name": d.get("name") or d["uri"],
                    "link": d["uri"],
                    "sensitive": {"sensitive_data": ["personal data"]}
                    if d.get("pii") == "yes"
                    else None,
                }
                for d in card["data"]
            ],
        },
        "quantitative_analysis": {
            "performance_metrics": [
                {
                    "type": m["name"],
                    "value": str(m["measured"]),
                    "threshold": f"{m['op']} {m['target']}" if m.get("op") else None,
                }
                for m in card["metrics"]
                if m["measured"] is not None
            ]
        },
        "considerations": {
            "users": [{"description": u} for u in use["users"]],
            "use_cases": [{"description": g} for g in use["business_goals"]],
            "limitations": [
                {"description": f"{g['practice']} {g['title']}: {g['message']}"}
                for g in cons["open_gaps"]
            ],
            "tradeoffs": [
                {"description": f"{w['practice']} waived ({w['reason']}): {w['note']}"}
                for w in cons["waivers"]
            ],
            "ethical_considerations": [
                {"name": f"personal data in {d['uri']} ({d['pii']})"}
                for d in cons["sensitive_data"]
            ],
        },
    }
    return _prune(out)


def _target_text(m: Mapping[str, Any]) -> str:
    if not m.get("op"):
        return "no target"
    text = f"target {m['op']} {num_text(m['target'])}"
    if m.get("acceptable_error") is not None:
        text += f" (acceptable error {num_text(m['acceptable_error'])})"
    if m.get("status"):
        text += f": {m['status'].replace('_', ' ')}"
    return text


def _prune(value: Any) -> Any:
    """Drop None and empty values, as both formats treat absent fields as unknown."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(x) for x in value) if v not in (None, "", [], {})]
    return value


def num_text(x: Any) -> str:
    """A number as people write it (no trailing .0)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


__all__ = ["CARD_SCHEMA", "build_card", "num_text"]
