"""docs/recommendations.yaml: every concrete recommendation of the lens and of the public-sector
ML guidance, and how the product knows it is followed. This test checks that each row names
practices, rules and fixtures that exist, runs every fixture (a met notebook must be credited by
the row's met rule and not found against; a gap notebook must be reported by its gap rule; a trap
must not be credited), and keeps docs/recommendations.md, generated from the YAML, in step
(``WELLML_UPDATE_GENERATED=1`` rewrites it)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from jupyter_wellml.inspection import review

from .conftest import ROOT

DATA = ROOT / "docs" / "recommendations.yaml"
DOC = ROOT / "docs" / "recommendations.md"
FIXTURES = ROOT / "tests" / "fixtures" / "recommendations"
HOWS = ("detect", "record", "attest", "none")


def areas() -> list[dict]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def rows() -> list[dict]:
    return [row for area in areas() for row in area["rows"]]


def fixture(name: str) -> dict:
    return yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))


def notebook(part) -> dict:
    cells, records = (part, []) if isinstance(part, list) else (part["cells"], part["records"])
    stamp = "2026-12-01T00:00:00Z"
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python"},
            "wellml": {
                "version": 1,
                "records": [
                    {"id": f"r{i}", "created": stamp, "updated": stamp, **r}
                    for i, r in enumerate(records)
                ],
            },
        },
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "source": src,
                "outputs": [],
                "execution_count": i + 1,
            }
            for i, src in enumerate(cells)
        ],
    }


def finding(catalog, part, phase: str, practice: str) -> dict:
    doc = review(notebook(part), catalog, phase=phase).to_json()
    assert doc["errors"] == [], doc["errors"]
    return next(p for p in doc["practices"] if p["id"] == practice)


def fired(found: dict) -> set[str]:
    return {e["rule"] for e in found["evidence"] if e["rule"]}


def test_rows_name_practices_rules_and_fixtures_that_exist(wellml_catalog):
    ids = [r["id"] for r in rows()]
    assert len(ids) == len(set(ids)), "two rows share an id"
    for row in rows():
        assert row["how"] in HOWS, row["id"]
        assert row["recommendation"] and row["signals"], row["id"]
        practices = [wellml_catalog.practice(p) for p in row["practices"]]
        assert all(practices), (row["id"], row["practices"])
        for key in ("met", "gap"):
            ref = row.get(key)
            if ref in (None, "none"):
                continue
            pid, rule = ref.split("/")
            assert pid in row["practices"], (row["id"], ref)
            practice = wellml_catalog.practice(pid)
            assert f"{pid}/{rule}" in {r.id for r in practice.rules}, (row["id"], ref)
        if row["how"] == "detect":
            assert row.get("fixture") or row.get("traps"), (
                f"{row['id']}: a detect row needs a fixture"
            )
        if row.get("fixture"):
            data = fixture(row["fixture"])
            assert {"met", "gap"} <= set(data), (row["id"], "a met and a gap notebook")
        for trap in row.get("traps") or []:
            assert (FIXTURES / f"{trap['fixture']}.yaml").is_file(), trap


def _fixture_rows():
    return [r for r in rows() if r.get("fixture")]


@pytest.mark.parametrize("row", _fixture_rows(), ids=lambda r: r["id"])
def test_met_and_gap_fixtures(row, wellml_catalog):
    data = fixture(row["fixture"])
    pid = (row.get("gap") if row.get("gap") not in (None, "none") else row["met"]).split("/")[0]
    met = finding(wellml_catalog, data["met"], data["phase"], pid)
    if row.get("met") not in (None, "none"):
        assert met["status"] == "met", (row["id"], met["status"], met["evidence"])
        assert row["met"] in fired(met), (row["id"], fired(met))
    if row.get("gap") not in (None, "none"):
        assert row["gap"] not in fired(met), (row["id"], "the met notebook is found against")
        gap = finding(wellml_catalog, data["gap"], data["phase"], pid)
        assert gap["status"] == "gap", (row["id"], gap["status"], gap["evidence"])
        assert row["gap"] in fired(gap), (row["id"], fired(gap))
    else:
        gap = finding(wellml_catalog, data["gap"], data["phase"], pid)
        assert row["met"] not in fired(gap), (row["id"], "the gap notebook is credited")


def _traps():
    return [(r, t) for r in rows() for t in r.get("traps") or []]


@pytest.mark.parametrize(
    ("row", "trap"), _traps(), ids=lambda x: x["id"] if "id" in x else x["fixture"]
)
def test_traps_get_no_credit(row, trap, wellml_catalog):
    data = fixture(trap["fixture"])
    pid = trap["rule"].split("/")[0]
    found = finding(wellml_catalog, data["trap"], data["phase"], pid)
    assert trap["rule"] not in fired(found), (row["id"], found["evidence"])


def counts() -> Counter:
    return Counter(r["how"] for r in rows())


def render() -> str:
    c = counts()
    lines = [
        "# Recommendations and how jupyter-wellml knows them",
        "",
        "<!-- generated from docs/recommendations.yaml by tests/test_recommendations.py -->",
        "",
        "One row per concrete recommendation of the AWS Well-Architected Machine Learning Lens and",
        "of the public-sector ML guidance built on it (data ingestion and preparation, training and",
        "tuning, MLOps, governance, security and compliance, cost across prepare, build, train and",
        "deploy, bias and explainability, Debugger), in this project's words. **How** says how the",
        "review knows: `detect` (from the code), `record` (a decision written with a `%wellml`",
        "magic), `attest` (confirmed by a person) or `none` (no verdict yet). Every `detect` row has",
        "a met and a gap notebook under `tests/fixtures/recommendations/`, run by `make test`.",
        "",
        f"**{len(rows())} recommendations**: {c['detect']} detected, {c['record']} recorded, "
        f"{c['attest']} attested, {c['none']} without a verdict.",
        "",
    ]
    for area in areas():
        lines += [
            f"## {area['area']}",
            "",
            "| recommendation | practices | how | signals read | proof |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in area["rows"]:
            proof = []
            if row.get("met") not in (None, "none"):
                proof.append(f"met: `{row['met']}`")
            if row.get("gap") not in (None, "none"):
                proof.append(f"gap: `{row['gap']}`")
            if row.get("fixture"):
                proof.append(f"fixture `{row['fixture']}`")
            for trap in row.get("traps") or []:
                proof.append(f"no credit: `{trap['fixture']}`")
            signals = row["signals"].replace("|", "\\|")
            practices = ", ".join(row["practices"])
            lines.append(
                f"| {row['recommendation']} | {practices} | {row['how']} | {signals} | "
                f"{'; '.join(proof) or '—'} |"
            )
        lines.append("")
    return "\n".join(lines)


def test_the_markdown_table_is_generated_from_the_yaml():
    wanted = render()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if current != wanted:
        if os.environ.get("WELLML_UPDATE_GENERATED") == "1":
            DOC.write_text(wanted, encoding="utf-8")
            return
        pytest.fail(
            f"{DOC.name} is out of date; run WELLML_UPDATE_GENERATED=1 pytest {Path(__file__).name}"
        )
