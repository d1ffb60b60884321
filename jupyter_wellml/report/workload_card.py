"""The model card of a workload (``jupyter wellml card DIR --workload``): every notebook's records.

The notebooks are read as one: their cells one after another and the records of all of them
(newest wins, as for one notebook), reviewed by the same ``review()`` and carded by the same
:func:`~.card.build_card`. What the card says of the workload as a whole comes from the workload
review: its name, owner and notebooks, and its open gaps (a gap one notebook shows and another
closes is no gap of the workload).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..inspection.notebook import load_notebook_json
from ..inspection.review import review
from ..records import METADATA_KEY, ensure_store, metadata_records, upsert
from .card import build_card


def combined_notebook(paths: Sequence[Path]) -> dict[str, Any]:
    """The notebooks at ``paths`` as one nbformat dict: cells in order, metadata records merged."""
    cells: list[dict[str, Any]] = []
    metadata: dict[str, Any] = {}
    store: dict[str, Any] = {}
    for path in paths:
        nb = load_notebook_json(path)
        cells.extend(nb.get("cells", []))
        if not metadata:
            metadata = {k: v for k, v in nb.get("metadata", {}).items() if k != METADATA_KEY}
        for record in metadata_records(nb.get("metadata", {})):
            upsert(store, record)
    ensure_store(metadata)
    metadata[METADATA_KEY]["records"] = store.get("records", [])
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}


def build_workload_card(
    paths: Sequence[Path], section: Mapping[str, Any], catalog, *, name: str | None = None
) -> dict[str, Any]:
    """The model card of the workload whose notebooks are ``paths`` and review ``section``."""
    result = review(combined_notebook(paths), catalog, path=str(section["root"]))
    card = build_card(result, name=name or section["name"])
    card["notebook"] = {"path": str(section["root"]), "name": section["name"], "sha256": None}
    card["workload"] = {
        "name": section["name"],
        "owner": section.get("owner"),
        "environment": section.get("environment"),
        "notebooks": list(section["notebooks"]),
    }
    if section.get("owner") and section["owner"] not in card["model_details"]["owners"]:
        card["model_details"]["owners"].insert(0, section["owner"])
    card["considerations"]["open_gaps"] = [
        {
            "practice": p["id"],
            "title": p["title"],
            "risk": p["lens_risk"],
            "message": next((e["message"] for e in p["evidence"]), ""),
        }
        for p in sorted(
            (p for p in section["practices"] if p["status"] == "gap"),
            key=lambda p: (0 if p["lens_risk"] == "high" else 1, p["id"]),
        )
    ]
    return card
