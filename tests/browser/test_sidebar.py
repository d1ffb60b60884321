"""The Well-Architected ML sidebar in a real JupyterLab, driven through Debian chromium."""

from __future__ import annotations

import os
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
    open_notebook,
    open_palette,
    open_sidebar,
    panel_statuses,
    set_theme,
    wait_first_review,
    widen_sidebar,
)

pytestmark = pytest.mark.browser
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def expected_rows(review: dict) -> dict[str, str]:
    phase = review["phase"]["id"]
    return {p["id"]: p["status"] for p in review["practices"] if phase in p["phases"]}


def test_sidebar_lists_the_phase_practices_by_pillar(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    nb = nbformat.read(path, as_version=4)
    # a plot in the output: the sidebar sends raster images emptied, the review is the same
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"})
    ]
    nbformat.write(nb, path)
    review = lab_server.review(nb)
    assert review["phase"]["id"] == "model_development"
    expected = expected_rows(review)
    assert expected, "the lens has no practice for the phase"

    open_notebook(page, lab_server, name)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    expect(sidebar.locator(".jp-wellml-notebook")).to_have_text(name)
    expect(sidebar.locator(".jp-wellml-phase-select")).to_have_value("model_development")
    expect(sidebar.locator(".jp-wellml-badge")).to_have_text("inferred")
    assert panel_statuses(page) == expected
    assert sidebar.locator(".jp-wellml-mod-error, .jp-wellml-mod-warn").count() == 0
    # each row sits in its pillar's section
    for pid, pillar in page.locator(f"{SIDEBAR} [data-practice-id]").evaluate_all(
        "rows => rows.map(r => [r.dataset.practiceId, r.closest('[data-pillar]').dataset.pillar])"
    ):
        practice = next(p for p in review["practices"] if p["id"] == pid)
        assert practice["pillar"] == pillar
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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(page, lab_server, theme, tmp_path):
    """The documentation's screenshots, in JupyterLab's light and dark themes.

    Written to a temporary folder; with WELLML_UPDATE_SCREENSHOTS=1 they replace docs/images.
    """
    from jupyter_wellml.records.model import make_record

    records = [
        make_record(
            "kpi",
            {
                "name": "f1",
                "op": ">=",
                "target": 0.85,
                "acceptable_error": 0.02,
                "measured": 0.87,
                "business": "fewer missed fraud cases",
            },
        ),
        make_record(
            "data",
            {
                "uri": "s3://fraud-team/transactions/2026-10.parquet",
                "owner": "payments-data",
                "pii": "yes",
            },
        ),
    ]
    name, _ = lab_server.new_notebook(
        [TRAINING, "import shap\nexplainer = shap.Explainer(model)"],
        metadata={"wellml": {"version": 1, "records": records}},
    )
    set_theme(lab_server, "JupyterLab Dark" if theme == "dark" else "JupyterLab Light")
    try:
        open_notebook(page, lab_server, name, kernel=False)
        open_sidebar(page)
        wait_first_review(page)
        widen_sidebar(page, 180)
        statuses = panel_statuses(page)
        gap = next(pid for pid, status in sorted(statuses.items()) if status == "gap")
        expand_practice(page, gap)
        expect(page.locator(f"{SIDEBAR} .jp-wellml-guidance").first).to_be_visible()
        if theme == "dark":
            expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        images = IMAGES if os.environ.get("WELLML_UPDATE_SCREENSHOTS") else tmp_path
        images.mkdir(parents=True, exist_ok=True)
        shot = images / f"sidebar-{theme}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000  # a real picture, not an empty page
    finally:
        set_theme(lab_server, "JupyterLab Light")


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
    # SHAP evaluates explainability; the agreement on its level is still to be recorded
    shap = sidebar.locator('[data-practice-id="MLPERF06-BP02"]')
    expect(shap).to_have_attribute("data-status", "met")
    agreement = sidebar.locator('[data-practice-id="MLOPS01-BP02"]')
    expect(agreement).to_have_attribute("data-status", "gap")
