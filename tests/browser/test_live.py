"""Live review, evidence, records and actions of the sidebar, in a real JupyterLab and chromium."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
from playwright.sync_api import expect

from .helpers import (
    SIDEBAR,
    TRAINING,
    add_cell_below,
    expand_practice,
    open_folds,
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
    open_folds(page)
    before = panel_statuses(page)
    assert all(before[t] != "met" for t in targets)

    add_cell_below(page, panel, SHAP)
    wait_rendered_after(page, seq)
    open_folds(page)
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
    expect(page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="waiver"]')).to_have_count(1)
    open_folds(page)
    expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
        "data-status", "not_applicable"
    )
    expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
        "data-verdict", "waived"
    )
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "waiver"))
    (waiver,) = _records(meta, "waiver")
    assert waiver["practice"] == target
    assert waiver["reason"] == "business_priorities"
    assert waiver["note"] == "Prototype only; revisit before launch."
    assert rendered_seq(page) > seq


def test_markers_name_the_notebooks_phases_and_other_phases_unfold(page, lab_server):
    name, _ = lab_server.new_notebook(
        [
            "%load_ext jupyter_wellml\n%wellml phase data_processing",
            "import pandas as pd\ndf = pd.read_csv('train.csv')",
            "%wellml phase training",
            TRAINING,
        ]
    )
    open_notebook(page, lab_server, name, kernel=False)
    sidebar = open_sidebar(page)
    wait_first_review(page)
    lens = lab_server.api("GET", "/api/wellml/lens")
    # markers in cells that have not run are the author's word, not yet a record
    own = lab_server.review(nbformat.read(lab_server.root / name, as_version=4))["phase"]
    label = "Recorded" if own["source"] == "recorded" else "Inferred"
    expect(sidebar.locator(".jp-wellml-phase-select option").first).to_have_text(
        f"{label}: Data processing, Model development"
    )
    expect(sidebar.locator(".jp-wellml-badge")).to_have_text(own["source"])
    if own["source"] == "inferred":  # the %wellml phase cells never ran: read, not recorded
        expect(sidebar.locator(".jp-wellml-badge")).to_have_attribute(
            "title", re.compile("not recorded yet")
        )
    other = [
        p["id"]
        for p in lens["practices"]
        if not {"data_processing", "model_development"} & set(p["phases"])
    ]
    other_rows = sidebar.locator('[data-verdict="out_of_phase"]')
    expect(other_rows).to_have_count(0)  # folded behind a count
    fold = sidebar.locator('[data-fold="out_of_phase"] .jp-wellml-fold-button')
    expect(fold).to_contain_text(f"Other phases ({len(other)})")
    fold.click()
    expect(other_rows).to_have_count(len(other))
    fold.click()
    expect(other_rows).to_have_count(0)


def test_insert_magic_prefills_the_notebooks_values_and_attest(page, lab_server):
    name, path = lab_server.new_notebook(
        [
            "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('s3://fraud/train.csv')\n"
            "model = LogisticRegression().fit(df[['a']], df['y'])"
        ]
    )
    panel = open_notebook(page, lab_server, name, kernel=False)
    open_sidebar(page)
    seq = wait_first_review(page)
    review = lab_server.review(nbformat.read(path, as_version=4))
    target = next(
        e
        for e in review["verdict"]["practices"]
        if e["state"] == "gap" and (e.get("magic") or "").startswith("%wellml data")
    )
    # the notebook's own URI; what only a person knows is an obvious placeholder
    assert target["magic"].startswith("%wellml data s3://fraud/train.csv --name train ")
    assert "<license>" in target["magic"] and "<yes|no>" in target["magic"]
    panel.locator(".jp-Cell").first.locator(".jp-InputPrompt").click()
    row = expand_practice(page, target["id"])
    row.locator(".jp-wellml-insert").click()
    cells = panel.locator(".jp-Cell")
    expect(cells).to_have_count(2)
    expect(cells.nth(1)).to_have_class(ACTIVE)
    source = cells.nth(1).locator(".cm-content").inner_text()
    assert source.splitlines()[0] == "%load_ext jupyter_wellml"
    assert source.splitlines()[1] == target["magic"]

    seq = wait_rendered_after(page, seq)
    asked = next(
        e["id"]
        for e in review["verdict"]["practices"]
        if e["state"] == "to_answer" and e["id"] != target["id"]
    )
    page.locator(f'{SIDEBAR} [data-practice-id="{asked}"] .jp-wellml-attest').click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("textarea.jp-wellml-note").fill("Checked with the team on Monday.")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(page.locator(f'{SIDEBAR} .jp-wellml-record[data-kind="attest"]')).to_have_count(1)
    row = page.locator(f'{SIDEBAR} [data-practice-id="{asked}"]')
    expect(row).to_have_attribute("data-basis", "attested")
    expect(row.locator(".jp-wellml-mark")).to_have_text("☑attested")
    save(page)
    meta = read_metadata(path, predicate=lambda m: _records(m, "attest"))
    (attest,) = _records(meta, "attest")
    assert attest["practice"] == asked and attest["note"] == "Checked with the team on Monday."


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
        assert len(seqs) <= last - seq
        for target in targets:
            expect(page.locator(f'{SIDEBAR} [data-practice-id="{target}"]')).to_have_attribute(
                "data-status", "met"
            )
    finally:
        lab_server.api("PUT", "/lab/api/settings/jupyter-wellml:plugin", {"raw": "{}"})


def test_review_requests_carry_the_kernel_and_follow_a_kernel_change(page, lab_server):
    name, _ = lab_server.new_notebook([TRAINING])
    queries = []

    def on_request(request):
        url = urlsplit(request.url)
        if request.method == "POST" and url.path.endswith("/api/wellml/review"):
            queries.append({k: v[0] for k, v in parse_qs(url.query).items()})

    page.on("request", on_request)
    open_notebook(page, lab_server, name)
    open_sidebar(page)
    wait_first_review(page)

    def kernel_of_session() -> str:
        sessions = lab_server.api("GET", "/api/sessions")
        (session,) = [s for s in sessions if s["path"].endswith(name)]
        return session["kernel"]["id"]

    first = kernel_of_session()
    wait_until(lambda: any(q.get("kernel_id") == first for q in queries), page)
    assert all(q["path"] == name for q in queries)  # query parameters: the body is not peeked

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
    wait_until(lambda: any(q.get("kernel_id") == second for q in queries), page)


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
