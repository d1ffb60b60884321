"""The Well-Architected ML sidebar in a real JupyterLab, driven through Debian chromium."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from .helpers import (
    SIDEBAR,
    TRAINING,
    open_notebook,
    open_sidebar,
    panel_statuses,
    wait_first_review,
)

pytestmark = pytest.mark.browser
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def expected_rows(review: dict) -> dict[str, str]:
    phase = review["phase"]["id"]
    return {p["id"]: p["status"] for p in review["practices"] if phase in p["phases"]}


def test_sidebar_lists_the_phase_practices_by_pillar(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    review = lab_server.review(nbformat.read(path, as_version=4))
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
    # each row sits in its pillar's section
    for pid, pillar in page.locator(f"{SIDEBAR} [data-practice-id]").evaluate_all(
        "rows => rows.map(r => [r.dataset.practiceId, r.closest('[data-pillar]').dataset.pillar])"
    ):
        practice = next(p for p in review["practices"] if p["id"] == pid)
        assert practice["pillar"] == pillar
    assert page.wellml_errors == []
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "sidebar-light.png"))
