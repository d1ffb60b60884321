"""Steps shared by the browser tests and bench/sidebar.py."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import nbformat
from playwright.sync_api import Page, expect

SIDEBAR = "#jupyter-wellml-sidebar"
AXE = (
    Path(__file__).resolve().parents[2]
    / "labextension"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
TRAINING = (
    "from sklearn.datasets import load_iris\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "X, y = load_iris(return_X_y=True)\n"
    "model = LogisticRegression(max_iter=200).fit(X, y)"
)


def open_notebook(page: Page, server, name: str, *, kernel: bool = True):
    """Open `name` in a fresh workspace; wait for the kernel to be idle when asked."""
    page.goto(
        f"{server.url}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/{name}?token={server.token}"
    )
    panel = page.locator(".jp-NotebookPanel").first
    expect(panel).to_be_visible()
    if kernel:
        expect(page.locator("#jp-main-statusbar")).to_contain_text(
            re.compile(r"Python 3 \(ipykernel\) \| Idle"), timeout=60_000
        )
    return panel


def open_sidebar(page: Page):
    page.locator(f'.jp-SideBar .lm-TabBar-tab[data-id="{SIDEBAR[1:]}"]').click()
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    return sidebar


def open_palette(page: Page, tries: int = 3):
    """Open the command palette with its shortcut, as a user would: pressed again when the first
    press went nowhere (seen in CI: a page still settling focus after a click swallows it)."""
    palette = page.locator("#command-palette")
    for _ in range(tries - 1):
        page.keyboard.press("Control+Shift+c")
        try:
            expect(palette).to_be_visible(timeout=5_000)
            return palette
        except AssertionError:
            continue
    page.keyboard.press("Control+Shift+c")
    expect(palette).to_be_visible()
    return palette


def rendered_seq(page: Page) -> int:
    return int(page.locator(SIDEBAR).get_attribute("data-rendered-seq") or 0)


def wait_rendered_after(page: Page, seq: int, timeout: float = 30) -> int:
    """Wait until the panel shows a review newer than `seq` and no newer one is pending."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        node = page.locator(SIDEBAR)
        done = int(node.get_attribute("data-rendered-seq") or 0)
        asked = int(node.get_attribute("data-review-seq") or 0)
        if done > seq and done == asked:
            return done
        time.sleep(0.05)
    raise AssertionError(f"the sidebar showed no review newer than #{seq} within {timeout} s")


def wait_first_review(page: Page) -> int:
    return wait_rendered_after(page, 0, timeout=60)


def panel_statuses(page: Page) -> dict[str, str]:
    """data-practice-id -> data-status of every row the panel shows (folded groups hide theirs:
    see open_folds)."""
    return page.locator(f"{SIDEBAR} [data-practice-id]").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => [r.dataset.practiceId, r.dataset.status]))"
    )


def panel_verdicts(page: Page) -> dict[str, str]:
    """data-practice-id -> data-verdict (the verdict's state) of every row the panel shows."""
    return page.locator(f"{SIDEBAR} [data-practice-id]").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => [r.dataset.practiceId, r.dataset.verdict]))"
    )


def open_folds(page: Page) -> None:
    """Open every folded group of the panel (unknown per pillar, waived, other phases); they
    stay open across reviews."""
    folds = page.locator(f'{SIDEBAR} .jp-wellml-fold-button[aria-expanded="false"]')
    for _ in range(50):
        if not folds.count():
            return
        folds.first.click()
    raise AssertionError("folded groups keep appearing")


def type_into_cell(page: Page, panel, index: int, code: str) -> None:
    panel.locator(".jp-Cell").nth(index).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def add_cell_below(page: Page, panel, code: str) -> None:
    """A new code cell at the end, holding `code` (typed as a user would)."""
    cells = panel.locator(".jp-Cell")
    count = cells.count()
    cells.nth(count - 1).locator(".cm-content").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(cells).to_have_count(count + 1)
    type_into_cell(page, panel, count, code)


def save(page: Page) -> None:
    page.keyboard.press("Control+s")


def read_metadata(path: Path, key: str = "wellml", timeout: float = 30, predicate=None) -> dict:
    """The notebook's metadata[key] once the saved file has it (and `predicate` holds)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = nbformat.read(path, as_version=4).metadata.get(key)
        except Exception:  # the file is being written
            last = None
        if last is not None and (predicate is None or predicate(last)):
            return last
        time.sleep(0.2)
    raise AssertionError(f"{path.name}: metadata[{key!r}] never matched; last seen {last!r}")


def widen_sidebar(page: Page, pixels: int = 160) -> None:
    """Drag the left area's split handle, for readable screenshots."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    box = handle.bounding_box()
    if box is None:
        return
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + pixels, y, steps=5)
    page.mouse.up()


def expand_practice(page: Page, practice_id: str):
    row = page.locator(f'{SIDEBAR} [data-practice-id="{practice_id}"]')
    if not row.count():
        open_folds(page)
    button = row.locator(".jp-wellml-row")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    expect(row.locator(".jp-wellml-detail")).to_be_visible()
    return row


def set_theme(server, theme: str) -> None:
    server.api(
        "PUT",
        "/lab/api/settings/@jupyterlab/apputils-extension:themes",
        {"raw": json.dumps({"theme": theme})},
    )


def met_by_adding(server, sources: list[str], added: str) -> list[str]:
    """The practices the server's review turns met when a cell holding `added` is appended to a
    notebook of `sources` (asked of the engine, never hard-coded)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    before = {p["id"]: p["status"] for p in server.review(nb)["practices"]}
    nb.cells.append(nbformat.v4.new_code_cell(added))
    after = server.review(nb)["practices"]
    found = [p["id"] for p in after if p["status"] == "met" and before[p["id"]] != "met"]
    assert found, f"no practice is met by adding {added!r}"
    return found


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations in the panel (axe-core is a dev dependency of the labextension)."""
    assert AXE.is_file(), "axe-core is a dev dependency of the labextension: run make install"
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          const r = await axe.run(document.querySelector('#jupyter-wellml-sidebar'),
                                  { resultTypes: ['violations'] });
          return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                          help: v.help, target: v.nodes[0].target.join(' ') }));
        }"""
    )
