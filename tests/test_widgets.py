"""The ipywidgets review view, built with real ipywidgets from a real review()."""

from __future__ import annotations

import re

import ipywidgets as W
import nbformat
import pytest

from jupyter_wellml.inspection.review import review
from jupyter_wellml.records import build
from jupyter_wellml.widgets import ReviewView, review_view
from tests.browser import conftest as browser

# the browser tests' fixtures: a real `jupyter lab` and Debian chromium (tests/browser)
lab_server = browser.lab_server
page = browser.page


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


# ---------------------------------------------------------------- rendered in JupyterLab
@pytest.mark.browser
@pytest.mark.slow
def test_review_widget_renders_in_jupyterlab(lab_server, page, wellml_catalog):
    """`%wellml review` in a real JupyterLab, in Debian chromium: one section per pillar, and the
    filter re-renders the rows with review()'s statuses."""
    from playwright.sync_api import expect

    from tests.browser.helpers import TRAINING, open_notebook

    name, _ = lab_server.new_notebook(
        [TRAINING, "%load_ext jupyter_wellml\n%wellml kpi recall >= 0.8\n%wellml review"]
    )
    panel = open_notebook(page, lab_server, name)
    panel.locator(".jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    view = panel.locator(".jp-wellml-review")
    expect(view).to_be_visible(timeout=90_000)
    expect(view.locator(".jp-wellml-review-header")).to_contain_text("Well-Architected ML review")
    headers = view.locator(".jupyter-widget-Collapse-header")
    pillars = [p.name for p in wellml_catalog.pillars]
    expect(headers).to_have_count(len(pillars))
    for i, pillar in enumerate(pillars):
        expect(headers.nth(i)).to_contain_text(pillar)
    headers.first.click()
    rows = view.locator(".jp-wellml-practice:visible")
    gaps_only = rows.count()
    assert all(s == "gap" for s in rows.evaluate_all("rs => rs.map(r => r.dataset.status)"))
    view.get_by_role("button", name="All", exact=True).click()
    first_pillar = [p for p in wellml_catalog.practices if p.pillar == wellml_catalog.pillars[0].id]
    expect(rows).to_have_count(len(first_pillar))
    assert len(first_pillar) >= gaps_only
    assert page.wellml_errors == []
