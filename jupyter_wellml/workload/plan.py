"""The improvement plan: the open gaps, then the practices to answer, in the order of what to do next.

Each item carries its guidance, the evidence, and the concrete next step: the magic to run
(practices a record answers), the code change (practices the code shows: what the review found
missing), or the attestation to make (practices no code can show).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .order import order_next_steps

SCHEMA = "wellml-plan/v1"
MAX_EVIDENCE = 5


def improvement_plan(section: Mapping[str, Any], catalog) -> dict[str, Any]:
    """The plan for a workload review section (or any review with ``practices`` and ``name``)."""
    open_ = [p for p in section["practices"] if p["status"] in ("gap", "unknown")]
    items = [_item(n, p, catalog) for n, p in enumerate(order_next_steps(open_, catalog), 1)]
    gaps = [i for i in items if i["kind"] == "gap"]
    return {
        "schema": SCHEMA,
        "workload": section.get("name"),
        "counts": {
            "gaps": len(gaps),
            "high": sum(1 for i in gaps if i["risk"] == "high"),
            "medium": sum(1 for i in gaps if i["risk"] == "medium"),
            "to_answer": len(items) - len(gaps),
        },
        "items": items,
    }


def _item(rank: int, p: Mapping[str, Any], catalog) -> dict[str, Any]:
    practice = catalog.get(p["id"])
    guidance = practice.guidance.strip() if practice is not None else ""
    return {
        "rank": rank,
        "id": p["id"],
        "title": p["title"],
        "pillar": p["pillar"],
        "phase": p["phase"],
        "risk": p["lens_risk"],
        "kind": "gap" if p["status"] == "gap" else "to_answer",
        "guidance": guidance,
        "docs": practice.docs if practice is not None else None,
        "evidence": list(p["evidence"][:MAX_EVIDENCE]),
        "next_step": next_step(p, practice),
    }


def next_step(p: Mapping[str, Any], practice) -> dict[str, str]:
    """``{"kind": "magic" | "code" | "attest", "text": ...}``: what to do about ``p``."""
    answer = practice.evidence if practice is not None else p.get("answer", "attest")
    if answer == "record" and practice is not None and practice.magic:
        return {"kind": "magic", "text": practice.magic}
    if answer == "detect":
        found = [e["message"] for e in p["evidence"] if e.get("effect") in ("gap", "expect")]
        text = found[0] if found else f"Change the code so that it shows {p['title'].lower()}."
        return {"kind": "code", "text": text}
    return {
        "kind": "attest",
        "text": f'%wellml attest {p["id"]} "how it is met"  '
        f'(or %wellml signoff {p["id"]} --approver "name, role")',
    }
