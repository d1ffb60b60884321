"""The ipywidgets review view, built with real ipywidgets from a real review()."""

from __future__ import annotations

import re

import ipywidgets as W
import nbformat
import pytest

from jupyter_wellml.inspection.review import review
from jupyter_wellml.records import build
from jupyter_wellml.widgets import ReviewView, review_view


@pytest.fixture(scope="module")
def result(wellml_catalog):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%wellml phase training"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
            "df = pd.read_csv('s3://bucket/train.csv')\n"
            "model = RandomForestClassifier().fit(df[['a']], df['y'])"
        ),
    ]
    records = [
        build("kpi", {"name": "recall", "op": ">=", "target": 0.8, "measured": 0.7}).record,
        build(
            "waiver",
            {"practice": "MLSEC-05", "reason": "out_of_scope", "note": "synthetic data only"},
            catalog=wellml_catalog,
        ).record,
    ]
    nb.metadata["wellml"] = {"version": 1, "records": records}
    return review(nb, wellml_catalog, path="fraud.ipynb")


def rows(view: ReviewView, pillar_index: int) -> list[tuple[str, str]]:
    """``(practice id, status)`` of each row shown in one pillar section."""
    out = []
    for child in view.accordion.children[pillar_index].children:
        m = re.search(r'data-practice="([^"]+)" data-status="([^"]+)"', child.value)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def test_one_section_per_pillar_with_counts_from_the_review(result):
    view = review_view(result)
    assert isinstance(view, W.VBox)
    assert isinstance(view.accordion, W.Accordion)
    pillars = result.catalog.pillars
    assert len(view.accordion.children) == len(pillars)
    summary = {p["id"]: p for p in result.summary()["pillars"]}
    for title, pillar in zip(view.accordion.titles, pillars):
        assert title.startswith(pillar.name)
        assert f"{summary[pillar.id]['met']} met" in title
        if summary[pillar.id]["high"]:
            assert f"{summary[pillar.id]['high']} high" in title


def test_rows_show_the_status_review_gave_each_practice(result):
    view = review_view(result, show="all")
    status = {f.practice.id: f.status for f in result.findings}
    seen = {}
    for i, pillar in enumerate(result.catalog.pillars):
        for pid, shown in rows(view, i):
            assert result.catalog.get(pid).pillar == pillar.id
            seen[pid] = shown
    assert seen == status  # every practice once, with review()'s status


def test_filter_switches_between_gaps_open_and_all(result):
    view = review_view(result)
    gaps = {f.practice.id for f in result.findings if f.status == "gap"}
    open_ = {f.practice.id for f in result.findings if f.status in ("gap", "unknown")}

    def shown():
        return {pid for i in range(len(view.accordion.children)) for pid, _ in rows(view, i)}

    assert shown() == gaps
    view.filter.value = "open"
    assert shown() == open_
    view.filter.value = "all"
    assert shown() == {f.practice.id for f in result.findings}
    view.filter.value = "gaps"
    assert shown() == gaps


def test_rows_carry_guidance_evidence_and_the_waiver(result, wellml_catalog):
    view = review_view(result, show="all")
    html = "".join(c.value for section in view.accordion.children for c in section.children)
    waived = wellml_catalog.practice("MLSEC-05").id
    finding = result.finding(waived)
    assert finding.status == "not_applicable"
    assert "synthetic data only" in html
    gap = next(f for f in result.findings if f.status == "gap" and f.evidence)
    assert gap.evidence[0]["message"].split(";")[0][:40] in html.replace("&#x27;", "'")
    assert html.count("<summary>Guidance</summary>") == len(result.findings)
    assert "fraud.ipynb" in view.header.value
    assert f"Phase: <b>{result.phase.id}</b>" in view.header.value


def test_unknown_filter_value_is_refused(result):
    with pytest.raises(ValueError, match="gaps, open, all"):
        review_view(result, show="everything")
