"""The Well-Architected ML sidebar in a real JupyterLab, driven through Debian chromium."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from .conftest import OTHER_VERSION
from .helpers import (
    SIDEBAR,
    TRAINING,
    expand_practice,
    met_by_adding,
    open_folds,
    open_notebook,
    open_palette,
    open_sidebar,
    panel_statuses,
    panel_verdicts,
    wait_first_review,
)

pytestmark = pytest.mark.browser
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def test_sidebar_lists_every_practice_in_the_verdicts_order(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    nb = nbformat.read(path, as_version=4)
    # a plot in the output: the sidebar sends raster images emptied, the review is the same
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"})
    ]
    nbformat.write(nb, path)
    review = lab_server.review(nb)
    assert review["phase"]["id"] == "model_development"

    open_notebook(page, lab_server, name)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    expect(sidebar.locator(".jp-wellml-notebook")).to_have_text(name)
    expect(sidebar.locator(".jp-wellml-phase-select")).to_have_value("")
    expect(sidebar.locator(".jp-wellml-phase-select option").first).to_have_text(
        "Inferred: Model development"
    )
    expect(sidebar.locator(".jp-wellml-badge")).to_have_text("inferred")
    # what to do next first: gaps, then what needs an answer, then met; the rest folded
    groups = sidebar.locator(".jp-wellml-group").evaluate_all("gs => gs.map(g => g.dataset.group)")
    states = [e["state"] for e in review["verdict"]["practices"]]
    assert groups == list(dict.fromkeys(states)), groups  # gap, to_answer, met, unknown, ...
    assert groups[:2] == ["gap", "to_answer"]
    shown = panel_verdicts(page)
    folded = {"unknown", "waived", "out_of_phase"}
    assert not folded & set(shown.values())
    open_folds(page)
    assert panel_statuses(page) == {p["id"]: p["status"] for p in review["practices"]}
    rows = page.locator(f"{SIDEBAR} [data-practice-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.practiceId)"
    )
    assert rows == [e["id"] for e in review["verdict"]["practices"]]
    assert sidebar.locator(".jp-wellml-mod-error, .jp-wellml-mod-warn").count() == 0
    assert page.wellml_errors == []


CANARY_GLOBALS = [
    "__wellmlCanaryTitle",
    "__wellmlCanarySummary",
    "__wellmlCanaryScript",
    "__wellmlCanaryImg",
    "__wellmlCanaryHover",
    "__wellmlCanaryLink",
    "__wellmlCanaryRawLink",
    "__wellmlCanaryFrame",
    "__wellmlCanarySvg",
]


def test_canary_team_lens_is_inert(page, canary_lab_server):
    server = canary_lab_server
    lens = server.api("GET", "/api/wellml/lens")
    canary = next(p for p in lens["practices"] if p["id"] == "CANARY-OPS-01")
    assert "<script>" in canary["guidance"] and "onerror" in canary["guidance"]
    name, _ = server.new_notebook([TRAINING])
    open_notebook(page, server, name, kernel=False)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    row = expand_practice(page, "CANARY-OPS-01")
    guidance = row.locator(".jp-wellml-guidance")
    expect(guidance).to_contain_text("Canary guidance")
    expect(guidance).to_contain_text("hover target")
    # untrusted text in titles and summaries shows as text
    expect(row.locator(".jp-wellml-title")).to_contain_text("<img")
    guidance.get_by_text("hover target").hover()
    for link in guidance.locator("a").all():
        link.click(modifiers=["Control"], no_wait_after=True, timeout=5_000)
    page.wait_for_timeout(1500)
    found = page.evaluate(f"() => {CANARY_GLOBALS}.filter(k => k in window)")
    assert found == []
    assert page.wellml_dialogs == []
    assert page.locator(".jp-Dialog").count() == 0
    assert sidebar.locator("script, iframe, [onerror], [onmouseover], [onload]").count() == 0
    hrefs = sidebar.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert page.wellml_errors == []


def test_missing_server_extension_is_explained(page, bare_lab_server):
    name, _ = bare_lab_server.new_notebook(["print(1)"])
    open_notebook(page, bare_lab_server, name, kernel=False)
    sidebar = open_sidebar(page)
    expect(sidebar).to_have_attribute("data-state", "error")
    banner = sidebar.locator(".jp-wellml-banner")
    expect(banner).to_contain_text("server extension is not running")
    expect(banner).to_contain_text("jupyter server extension enable jupyter_wellml")
    expect(page.locator(".jp-Notification-Toast, .Toastify__toast").first).to_be_visible()


def test_version_mismatch_is_reported(page, mismatched_lab_server):
    server = mismatched_lab_server
    version = server.api("GET", "/api/wellml/info")["version"]
    name, _ = server.new_notebook([TRAINING])
    open_notebook(page, server, name, kernel=False)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    warning = sidebar.locator(".jp-wellml-mod-warn")
    expect(warning).to_contain_text(
        f"is version {version} but this sidebar is version {OTHER_VERSION}"
    )
    # the panel still works
    assert panel_statuses(page)


def test_sidebar_works_in_notebook_7(page, lab_server):
    """The same extension in Jupyter Notebook 7's notebook page: the panel opens from the
    command palette into the left area and reviews the notebook."""
    name, _ = lab_server.new_notebook([TRAINING, "import shap\nexplainer = shap.Explainer(model)"])
    page.goto(f"{lab_server.url}/notebooks/{name}?token={lab_server.token}")
    expect(page.locator(".jp-NotebookPanel").first).to_be_visible(timeout=60_000)
    palette = open_palette(page)
    page.keyboard.insert_text("Open the Well-Architected ML Panel")
    item = palette.locator(".lm-CommandPalette-item", has_text="Open the Well-Architected ML Panel")
    expect(item).to_have_class(re.compile(r"\blm-mod-active\b"))
    # Enter runs the active item (the palette redraws while the kernel starts: a click can miss)
    page.keyboard.press("Enter")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    wait_first_review(page)
    expect(sidebar.locator(".jp-wellml-notebook")).to_have_text(name)
    (target, *_) = met_by_adding(
        lab_server, [TRAINING], "import shap\nexplainer = shap.Explainer(model)"
    )
    expect(sidebar.locator(f'[data-practice-id="{target}"]')).to_have_attribute(
        "data-status", "met"
    )
