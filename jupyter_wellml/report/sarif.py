"""SARIF 2.1.0, for code-scanning dashboards: one rule per practice, one result per gap."""

from __future__ import annotations

from typing import Any

from .._version import __version__
from .common import Reviews, Unreviewed, gap_evidence, gaps

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"high": "error", "medium": "warning"}


def render_sarif(
    reviews: Reviews, errors: Unreviewed = (), *, catalog=None, at_least: str = "medium"
) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for r in reviews:
        path = r["notebook"]["path"] or "notebook.ipynb"
        for p in gaps(r, at_least):
            if p["id"] not in rules:
                practice = catalog.get(p["id"]) if catalog is not None else None
                rule = {
                    "id": p["id"],
                    "name": p["title"],
                    "shortDescription": {"text": p["title"]},
                    "defaultConfiguration": {"level": LEVEL.get(p["lens_risk"], "warning")},
                    "properties": {
                        "pillar": p["pillar"],
                        "phase": p["phase"],
                        "aliases": [a["id"] for a in p["aliases"]],
                        "risk": p["lens_risk"],
                    },
                }
                if practice is not None:
                    rule["fullDescription"] = {"text": practice.summary}
                    rule["help"] = {"text": practice.guidance, "markdown": practice.guidance}
                    if practice.docs:
                        rule["helpUri"] = practice.docs
                rules[p["id"]] = rule
            for e in gap_evidence(p)[:5]:
                location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": path}}}
                if e.get("cell") is not None:
                    location["logicalLocations"] = [
                        {
                            # SARIF's `index` points into run.logicalLocations, so the cell's
                            # index stays in the result's properties
                            "name": f"cell {e['cell'] + 1}",
                            "fullyQualifiedName": f"{path}:cell {e['cell'] + 1}",
                            "kind": "notebookCell",
                        }
                    ]
                results.append(
                    {
                        "ruleId": p["id"],
                        "level": LEVEL.get(p["lens_risk"], "warning"),
                        "message": {"text": e["message"]},
                        "locations": [location],
                        "properties": {
                            "cell": e.get("cell"),
                            "cellId": e.get("cell_id"),
                            "cellLine": e.get("line"),
                            "snippet": e.get("snippet"),
                            "rule": e.get("rule"),
                        },
                    }
                )
    notifications = [
        {"level": "error", "message": {"text": f"{err['path']}: {err['message']}"}}
        for err in errors
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "jupyter-wellml",
                        "version": __version__,
                        "informationUri": "https://github.com/jupyter-wellml/jupyter-wellml",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "invocations": [
                    {"executionSuccessful": not errors, "toolExecutionNotifications": notifications}
                ],
            }
        ],
    }
