"""Live review, evidence, records and actions of the sidebar, in a real JupyterLab and chromium."""

from __future__ import annotations

import json
import re
import time

import nbformat
import pytest
from playwright.sync_api import expect

from .helpers import (
    SIDEBAR,
    TRAINING,
    add_cell_below,
    expand_practice,
    open_notebook,
    open_palette,
    open_sidebar,
    panel_statuses,
    read_metadata,
    rendered_seq,
    save,
    wait_first_review,
    wait_rendered_after,
)

pytestmark = pytest.mark.browser
ACTIVE = re.compile(r"\bjp-mod-active\b")
SHAP = "import shap\nexplainer = shap.Explainer(model)"


def _records(meta: dict, kind: str) -> list[dict]:
    return [r for r in meta.get("records", []) if r.get("kind") == kind]


def _shap_practices(server) -> list[str]:
    """The model-development practices the server turns `met` by the shap cell (not hard-coded)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(TRAINING)]
    before = {p["id"]: p["status"] for p in server.review(nb)["practices"]}
    nb.cells.append(nbformat.v4.new_code_cell(SHAP))
    after = server.review(nb)["practices"]
    return [
        p["id"]
        for p in after
        if p["status"] == "met"
        and before[p["id"]] != "met"
        and "model_development" in p["phases"]
        and any("shap" in (e.get("snippet") or "") for e in p["evidence"])
    ]


def test_import_shap_turns_explainability_met_and_evidence_activates_the_cell(page, lab_server):
    targets = _shap_practices(lab_server)
    assert targets, "no practice of the lens is met by computing shap explanations"
    name, _ = lab_server.new_notebook([TRAINING])
    panel = open_notebook(page, lab_server, name, kernel=False)
    open_sidebar(page)
    seq = wait_first_review(page)
    before = panel_statuses(page)
    assert all(before[t] != "met" for t in targets)

    add_cell_below(page, panel, SHAP)
    wait_rendered_after(page, seq)
    after = panel_statuses(page)
    for target in targets:
        expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
            "data-status", "met"
        )
    assert set(after) == set(before)

    # evidence: from the first cell, a click on the evidence activates the shap cell
    panel.locator(".jp-Cell").first.locator(".jp-InputPrompt").click()
    expect(panel.locator(".jp-Cell").first).to_have_class(ACTIVE)
    row = expand_practice(page, targets[0])
    link = row.locator(".jp-wellml-evidence-link").first
    assert link.get_attribute("data-cell") == "1"
    line = int(link.get_attribute("data-line"))
    link.click()
    shap_cell = panel.locator(".jp-Cell").nth(1)
    expect(shap_cell).to_have_class(ACTIVE)
    expect(panel.locator(".jp-Cell.jp-mod-active")).to_have_count(1)
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected.strip() == SHAP.splitlines()[line - 1].strip()
    assert page.wellml_errors == []


def test_kpi_magic_is_recorded_once_in_metadata(page, lab_server):
    name, path = lab_server.new_notebook(
        [
            "%load_ext jupyter_wellml\n%wellml kpi accuracy >= 0.92 --acceptable-error 0.03",
            "print('another cell')",
        ]
    )
    panel = open_notebook(page, lab_server, name)
    open_sidebar(page)
    wait_first_review(page)
    panel.locator(".jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(panel.locator(".jp-wellml-RecordOutput .jp-wellml-chip").first).to_be_visible()
    kpi = page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="kpi"][data-key="accuracy"]')
    expect(kpi).to_have_count(1)
    expect(kpi).to_contain_text(">= 0.92")
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "kpi"))
    first = _records(meta, "kpi")
    assert len(first) == 1 and first[0]["target"] == 0.92 and first[0]["acceptable_error"] == 0.03
    cell_id = nbformat.read(path, as_version=4).cells[0].id
    assert first[0]["cell_id"] == cell_id
    # the record links to the cell that recorded it
    panel.locator(".jp-Cell").nth(1).locator(".jp-InputPrompt").click()
    expect(panel.locator(".jp-Cell").first).not_to_have_class(ACTIVE)
    kpi.locator(".jp-wellml-link").click()
    expect(panel.locator(".jp-Cell").first).to_have_class(ACTIVE)

    # run it again: still one KPI, same id
    panel.locator(".jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(panel.locator(".jp-Cell").first.locator(".jp-InputPrompt")).to_contain_text("[2]")
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "kpi"))
    again = _records(meta, "kpi")
    assert len(again) == 1
    assert again[0]["id"] == first[0]["id"]
    expect(kpi).to_have_count(1)


def test_raw_record_payload_upserts_by_natural_key(page, lab_server):
    """The documented payload, displayed by hand: added once, updated in place, history kept."""
    code = (
        "from IPython.display import display\n"
        "import datetime\n"
        "ts = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')\n"
        "import uuid\n"
        "rec = {'id': uuid.uuid4().hex[:12], 'kind': 'data', 'created': ts, 'updated': ts,\n"
        "       'uri': 's3://bucket/train.csv', 'pii': PII}\n"
        "display({'application/vnd.jupyter.wellml.record+json': {'schema': 'wellml-record/v1',\n"
        "         'version': 1, 'action': 'upsert', 'records': [rec]},\n"
        "         'text/plain': 'recorded'}, raw=True)"
    )
    name, path = lab_server.new_notebook(
        ["PII = 'no'", code],
        metadata={"wellml": {"version": 1, "records": [], "team": {"keep": True}}},
    )
    panel = open_notebook(page, lab_server, name)
    open_sidebar(page)
    wait_first_review(page)
    panel.locator(".jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    expect(page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="data"]')).to_have_count(1)
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "data"))
    assert meta["team"] == {"keep": True}
    (first,) = _records(meta, "data")
    assert first["pii"] == "no" and first["history"] == []

    # a second run with another value: updated in place, old value in history
    page.wait_for_timeout(1100)  # record timestamps have second precision
    cells = panel.locator(".jp-Cell")
    cells.first.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("PII = 'yes'")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(1).locator(".jp-InputPrompt")).to_contain_text("[4]")
    save(page)
    meta = read_metadata(
        path, predicate=lambda m: [r for r in _records(m, "data") if r["pii"] == "yes"]
    )
    (second,) = _records(meta, "data")
    assert second["id"] == first["id"]
    assert second["history"][-1]["values"] == {"pii": "no"}
    assert meta["team"] == {"keep": True}


def test_phase_selector_writes_the_phase_into_metadata(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    open_notebook(page, lab_server, name, kernel=False)
    sidebar = open_sidebar(page)
    seq = wait_first_review(page)
    expect(sidebar.locator(".jp-wellml-badge")).to_have_text("inferred")
    sidebar.locator(".jp-wellml-phase-select").select_option("data_processing")
    wait_rendered_after(page, seq)
    expect(sidebar.locator(".jp-wellml-badge")).to_have_text("recorded")
    expect(sidebar.locator(".jp-wellml-phase-select")).to_have_value("data_processing")
    shown = panel_statuses(page)
    lens = lab_server.api("GET", "/api/wellml/lens")
    assert set(shown) == {p["id"] for p in lens["practices"] if "data_processing" in p["phases"]}
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "phase"))
    (phase,) = _records(meta, "phase")
    assert phase["phase"] == "data_processing"
    assert not phase.get("cell_id")


def test_not_applicable_dialog_records_a_waiver(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    open_notebook(page, lab_server, name, kernel=False)
    open_sidebar(page)
    seq = wait_first_review(page)
    statuses = panel_statuses(page)
    target = next(pid for pid, status in sorted(statuses.items()) if status == "gap")
    row = expand_practice(page, target)
    row.locator(".jp-wellml-waive").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select.jp-wellml-reason").select_option("business_priorities")
    dialog.locator("textarea.jp-wellml-note").fill("Prototype only; revisit before launch.")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    wait_rendered_after(page, seq)
    expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
        "data-status", "not_applicable"
    )
    expect(page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="waiver"]')).to_have_count(1)
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "waiver"))
    (waiver,) = _records(meta, "waiver")
    assert waiver["practice"] == target
    assert waiver["reason"] == "business_priorities"
    assert waiver["note"] == "Prototype only; revisit before launch."
    assert rendered_seq(page) > seq


def test_phase_follows_the_active_cell_and_show_all_phases(page, lab_server):
    name, _ = lab_server.new_notebook(
        [
            "%load_ext jupyter_wellml\n%wellml phase data_processing",
            "import pandas as pd\ndf = pd.read_csv('train.csv')",
            "%wellml phase training",
            TRAINING,
        ]
    )
    panel = open_notebook(page, lab_server, name, kernel=False)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    lens = lab_server.api("GET", "/api/wellml/lens")
    select = sidebar.locator(".jp-wellml-phase-select")
    cells = panel.locator(".jp-Cell")
    for index, phase in [(1, "data_processing"), (3, "model_development"), (0, "data_processing")]:
        cells.nth(index).locator(".jp-InputPrompt").click()
        expect(select).to_have_value(phase)
        # the %wellml phase cells never ran: the phase is read from them, not recorded
        expect(sidebar.locator(".jp-wellml-badge")).to_have_text("inferred")
        expect(sidebar.locator(".jp-wellml-badge")).to_have_attribute("title", re.compile("not recorded yet"))
        shown = panel_statuses(page)
        assert set(shown) == {p["id"] for p in lens["practices"] if phase in p["phases"]}
    sidebar.locator("input.jp-wellml-all-phases").check()
    expect(sidebar.locator("[data-practice-id]")).to_have_count(len(lens["practices"]))
    sidebar.locator("input.jp-wellml-all-phases").uncheck()
    assert set(panel_statuses(page)) != {p["id"] for p in lens["practices"]}


def test_insert_magic_and_attest(page, lab_server):
    name, path = lab_server.new_notebook([TRAINING])
    panel = open_notebook(page, lab_server, name, kernel=False)
    open_sidebar(page)
    seq = wait_first_review(page)
    lens = {p["id"]: p for p in lab_server.api("GET", "/api/wellml/lens")["practices"]}
    statuses = panel_statuses(page)
    target = next(
        pid for pid in sorted(statuses) if statuses[pid] != "met" and lens[pid].get("magic")
    )
    panel.locator(".jp-Cell").first.locator(".jp-InputPrompt").click()
    row = expand_practice(page, target)
    row.locator(".jp-wellml-insert").click()
    cells = panel.locator(".jp-Cell")
    expect(cells).to_have_count(2)
    expect(cells.nth(1)).to_have_class(ACTIVE)
    source = cells.nth(1).locator(".cm-content").inner_text()
    assert lens[target]["magic"] in source
    assert "%load_ext jupyter_wellml" in source

    seq = wait_rendered_after(page, seq)
    row = page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')
    if not row.locator(".jp-wellml-detail").count():
        row = expand_practice(page, target)
    row.locator(".jp-wellml-attest").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("textarea.jp-wellml-note").fill("Checked with the team on Monday.")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="attest"]')).to_have_count(1)
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "attest"))
    (attest,) = _records(meta, "attest")
    assert attest["practice"] == target and attest["note"] == "Checked with the team on Monday."


def wait_until(condition, page, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "condition not met in time"
        page.wait_for_timeout(100)


WATCH_ORDER = """() => {
  const el = document.querySelector('#jupyter-wellml-sidebar');
  window.__renderedSeqs = [];
  new MutationObserver(() => window.__renderedSeqs.push(+el.dataset.renderedSeq)).observe(
    el, { attributes: true, attributeFilter: ['data-rendered-seq'] });
}"""


def test_no_debounce_fast_typing_never_shows_a_stale_review(page, lab_server):
    """With the debounce setting at 0 every keystroke asks for a review; answers may come back
    out of order, and the panel must only ever move forward and end on the newest content."""
    lab_server.api(
        "PUT", "/lab/api/settings/jupyter-wellml:plugin", {"raw": json.dumps({"debounce": 0})}
    )
    try:
        targets = _shap_practices(lab_server)
        name, _ = lab_server.new_notebook([TRAINING])
        panel = open_notebook(page, lab_server, name, kernel=False)
        open_sidebar(page)
        seq = wait_first_review(page)
        page.evaluate(WATCH_ORDER)
        add_cell_below(page, panel, "")
        first, second = SHAP.split("\n")
        # 20 ms apart: quicker than a review round trip, slow enough for one request per key
        page.keyboard.type(first, delay=20)
        page.keyboard.insert_text("\n")
        page.keyboard.type(second, delay=20)
        page.wait_for_timeout(300)  # the last keystroke's request is on its way
        last = wait_rendered_after(page, seq)
        seqs = page.evaluate("() => window.__renderedSeqs")
        # keystrokes asked for reviews (a busy page may let a few share one timer tick) ...
        assert last - seq >= len(SHAP) // 3
        # ... answers that a newer request overtook were dropped, never shown after a newer one
        assert seqs and seqs == sorted(seqs) and seqs[-1] == last, seqs
        assert len(seqs) < last - seq
        for target in targets:
            expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
                "data-status", "met"
            )
    finally:
        lab_server.api("PUT", "/lab/api/settings/jupyter-wellml:plugin", {"raw": "{}"})


def test_review_requests_carry_the_kernel_and_follow_a_kernel_change(page, lab_server):
    name, _ = lab_server.new_notebook([TRAINING])
    bodies = []

    def on_request(request):
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/wellml/review"):
            bodies.append(json.loads(request.post_data))

    page.on("request", on_request)
    open_notebook(page, lab_server, name)
    open_sidebar(page)
    wait_first_review(page)

    def kernel_of_session() -> str:
        sessions = lab_server.api("GET", "/api/sessions")
        (session,) = [s for s in sessions if s["path"].endswith(name)]
        return session["kernel"]["id"]

    first = kernel_of_session()
    wait_until(lambda: any(b.get("kernel_id") == first for b in bodies), page)
    assert all(list(b)[-1] == "notebook" for b in bodies)  # small fields first, as documented

    # start another python3 kernel from the toolbar: a new review with its id
    page.locator(".jp-KernelName").first.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select").select_option(value='{"name":"python3"}')  # a new python3 kernel
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(page.locator("#jp-main-statusbar")).to_contain_text(
        re.compile(r"Python 3 \(ipykernel\) \| Idle"), timeout=60_000
    )
    second = kernel_of_session()
    assert second != first
    wait_until(lambda: any(b.get("kernel_id") == second for b in bodies), page)


def test_palette_commands(page, lab_server):
    name, _ = lab_server.new_notebook([TRAINING])
    panel = open_notebook(page, lab_server, name, kernel=False)
    open_sidebar(page)
    wait_first_review(page)
    panel.locator(".jp-Cell").first.locator(".jp-InputPrompt").click()
    palette = open_palette(page)
    page.keyboard.insert_text("Well-Architected")
    items = palette.locator(".lm-CommandPalette-item")
    expect(items.filter(has_text="Insert a KPI Record Cell")).to_have_count(1)
    expect(items.filter(has_text="Show Practices of All Phases")).to_have_count(1)
    expect(items.filter(has_text="Review the Notebook Against the ML Lens")).to_have_count(1)
    items.filter(has_text="Insert a KPI Record Cell").click()
    cells = panel.locator(".jp-Cell")
    expect(cells).to_have_count(2)
    expect(cells.nth(1).locator(".cm-content")).to_contain_text("%wellml kpi")


def test_open_on_notebook_open_brings_the_panel_forward(page, lab_server):
    """The ``openOnNotebookOpen`` setting: off by default (the left area is left alone); on, the
    panel comes forward for a notebook opened with the page and for one opened later."""
    first, _ = lab_server.new_notebook([TRAINING])
    second, _ = lab_server.new_notebook(["import pandas as pd"])
    sidebar = page.locator(SIDEBAR)
    open_notebook(page, lab_server, first, kernel=False)
    expect(page.locator(".jp-DirListing-item", has_text=second)).to_be_visible()
    expect(sidebar).to_be_hidden()
    lab_server.api(
        "PUT",
        "/lab/api/settings/jupyter-wellml:plugin",
        {"raw": json.dumps({"openOnNotebookOpen": True})},
    )
    try:
        # a second page (leaving the first could be held up by Lab's "leave the page?" prompt)
        later = page.context.new_page()
        sidebar = later.locator(SIDEBAR)
        open_notebook(later, lab_server, first, kernel=False)  # the setting is on
        expect(sidebar).to_be_visible()
        later.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]').click()
        expect(sidebar).to_be_hidden()
        later.locator(".jp-DirListing-item", has_text=second).dblclick()
        expect(later.locator(".jp-NotebookPanel-notebook").nth(1)).to_be_attached()
        expect(sidebar).to_be_visible()
        expect(sidebar.locator(".jp-wellml-notebook")).to_have_text(second)
    finally:
        lab_server.api("PUT", "/lab/api/settings/jupyter-wellml:plugin", {"raw": "{}"})
