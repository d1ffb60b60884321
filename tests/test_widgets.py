"""The ipywidgets review view, built with real ipywidgets from a real review()."""

from __future__ import annotations

import re

import nbformat
import pytest

from jupyter_wellml.inspection.review import review
from jupyter_wellml.records import build
from jupyter_wellml.report.verdict import STATES, verdict
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


def rows(view: ReviewView) -> list[tuple[str, str, str]]:
    """``(practice id, review status, verdict state)`` of each row shown, in order."""
    return re.findall(
        r'data-practice="([^"]+)" data-status="([^"]+)" data-state="([^"]+)"', view.body.value
    )


def test_rows_follow_the_verdict_in_order_with_the_review_status(result):
    view = review_view(result, show="all")
    v = verdict(result.to_json(), result.catalog)
    status = {f.practice.id: f.status for f in result.findings}
    shown = rows(view)
    # every practice once, in the verdict's order, with review()'s status and the verdict's state
    assert [pid for pid, _, _ in shown] == [e["id"] for e in v["practices"]]
    assert {pid: st for pid, st, _ in shown} == status
    assert {pid: state for pid, _, state in shown} == {e["id"]: e["state"] for e in v["practices"]}
    states = [state for _, _, state in shown]
    assert states == sorted(states, key=STATES.index)  # gaps, to answer, met, unknown, ...
    assert f"{v['counts']['answered']} of {v['counts']['in_scope']} answered" in view.header.value


def test_filter_switches_between_gaps_to_answer_and_all(result):
    view = review_view(result, show="gaps")
    v = verdict(result.to_json(), result.catalog)

    def shown():
        return {pid for pid, _, _ in rows(view)}

    def of(*states):
        return {e["id"] for e in v["practices"] if e["state"] in states}

    assert shown() == of("gap") and shown()
    view.filter.value = "to_answer"
    assert shown() == of("to_answer") and shown()
    view.filter.value = "all"
    assert shown() == {f.practice.id for f in result.findings}
    view.filter.value = "gaps"
    assert shown() == of("gap")
    assert view.filter.options[0][0] == f"Gaps ({v['counts']['gap']})"


def test_unknown_and_other_phases_are_folded(result):
    view = review_view(result, show="all")
    html = view.body.value
    v = verdict(result.to_json(), result.catalog)
    for pillar in v["pillars"]:
        if pillar["unknown"]:
            assert f"{pillar['name']}: {pillar['unknown']} unknown</summary>" in html
    assert f"Other phases ({v['counts']['out_of_phase']})</summary>" in html


def test_rows_carry_guidance_evidence_the_waiver_and_a_prefilled_magic(result, wellml_catalog):
    view = review_view(result, show="all")
    html = view.body.value
    waived = wellml_catalog.practice("MLSEC-05").id
    finding = result.finding(waived)
    assert finding.status == "not_applicable"
    assert re.search(
        rf'data-practice="{waived}" data-status="not_applicable" data-state="waived"', html
    )
    assert "synthetic data only" in html
    gap = next(f for f in result.findings if f.status == "gap" and f.evidence)
    assert gap.evidence[0]["message"].split(";")[0][:40] in html.replace("&#x27;", "'")
    assert html.count("<summary>Guidance</summary>") == len(result.findings)
    # the data source the notebook reads is prefilled; what nobody can know is a placeholder
    assert "%wellml data s3://bucket/train.csv" in html
    assert "&lt;license&gt;" in html
    assert "fraud.ipynb" in view.header.value
    assert f"Phase: <b>{result.phase.id}</b>" in view.header.value


def test_unknown_filter_value_is_refused(result):
    with pytest.raises(ValueError, match="gaps, to_answer, all"):
        review_view(result, show="everything")


# ---------------------------------------------------------------- rendered in JupyterLab
@pytest.mark.browser
@pytest.mark.slow
def test_review_widget_renders_in_jupyterlab(lab_server, page, wellml_catalog):
    """`%wellml review` in a real JupyterLab, in Debian chromium: gaps by default, the filter
    re-renders the rows in the verdict's order, unknown practices folded."""
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
    rows = view.locator(".jp-wellml-practice")
    expect(rows.first).to_be_attached()
    gaps_only = rows.count()
    assert gaps_only and all(
        s == "gap" for s in rows.evaluate_all("rs => rs.map(r => r.dataset.state)")
    )
    view.get_by_role("button", name="All", exact=True).click()
    expect(rows).to_have_count(len(wellml_catalog.practices))
    states = rows.evaluate_all("rs => rs.map(r => r.dataset.state)")
    assert states == sorted(states, key=STATES.index)
    # unknown practices are folded per pillar: not visible until opened
    unknown = view.locator('.jp-wellml-practice[data-state="unknown"]')
    if unknown.count():
        expect(unknown.first).to_be_hidden()
    assert page.wellml_errors == []


def test_the_header_says_which_version_was_read(result):
    view = review_view(result, read="the saved file from 14:02; unsaved edits are not included")
    assert "Read: the saved file from 14:02; unsaved edits are not included" in view.header.value
