"""The sidebar's speed in a real browser, and the size of the built labextension.

1. Edit -> updated panel: JupyterLab (a `jupyter lab` subprocess) with Debian chromium driven by
   Playwright; a notebook of the shared corpus is opened with the panel shown, then N edits are
   typed into a code cell, one keystroke each, waiting for the panel each time. The time runs in
   the browser from the keydown to the moment the panel root's `data-rendered-seq` attribute shows
   a review asked after that keydown (and none newer is pending). It includes the debounce
   setting (default 150 ms), `model.toJSON()`, the POST /api/wellml/review round trip and
   rendering. Target: p95 <= 300 ms.
   Baseline, same run, same notebook: the bare POST /api/wellml/review round trip made by
   `fetch` in the page with freshly edited content each time (the server caches reviews by
   content), without debounce or rendering; the ratio shows what the panel adds.
2. Size of this extension's own code: `jupyter_wellml/labextension/static`, the remoteEntry and
   the chunks holding this package's modules; chunks with only shared/vendor code (the packages
   JupyterLab provides are not bundled at all) are listed apart. Target: <= 100 KB.

Usage: ``python bench/sidebar.py [--edits N] [--notebook FILE.ipynb]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, _start_lab, launch_chromium
from tests.browser.helpers import SIDEBAR, open_notebook, open_sidebar, wait_first_review

CORPUS = ROOT.parent / "shared" / "corpus" / "sagemaker-examples"
STATIC = ROOT / "jupyter_wellml" / "labextension" / "static"

WATCH = """() => {
  const el = document.querySelector('SIDEBAR_SELECTOR');
  const b = (window.__bench = { t0: null, after: 0, done: null });
  document.addEventListener('keydown', () => {
    if (b.t0 === null) { b.t0 = performance.now(); b.after = +el.dataset.reviewSeq; }
  }, true);
  new MutationObserver(() => {
    const seq = +el.dataset.renderedSeq;
    if (b.t0 !== null && b.done === null && seq > b.after && seq === +el.dataset.reviewSeq) {
      b.done = performance.now();
    }
  }).observe(el, { attributes: true, attributeFilter: ['data-rendered-seq'] });
}""".replace("SIDEBAR_SELECTOR", SIDEBAR)

ROUND_TRIP = """async ([url, token, nb, n]) => {
  // new content each time, as after an edit: the server caches reviews by content
  const cell = nb.cells.filter(c => c.cell_type === 'code').pop();
  cell.source = [].concat(cell.source).join('') + '\\n# edit ' + n + ' ' + Math.random();
  const t0 = performance.now();
  const r = await fetch(url + '/api/wellml/review', { method: 'POST',
    headers: { Authorization: 'token ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ notebook: nb }) });
  await r.json();
  return performance.now() - t0;
}"""


def pick_notebook() -> Path:
    """A middle-sized notebook of the corpus (by code cells), so the figure is typical."""
    files = []
    for path in sorted(CORPUS.rglob("*.ipynb")):
        try:
            nb = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
        if code:
            files.append((len(code), str(path)))
    files.sort()
    return Path(files[len(files) // 2][1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure_browser(edits: int, notebook: Path) -> dict:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="wellml-bench-sidebar-"))
    servers = _start_lab(base, [])
    server = next(servers)
    try:
        name = "bench.ipynb"
        nb = json.loads(notebook.read_text())
        nb.setdefault("metadata", {})["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        (server.root / name).write_text(json.dumps(nb))
        code_cells = [i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]
        with sync_playwright() as p:
            ctx = launch_chromium(p, base / "profile", home=base)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            panel = open_notebook(page, server, name, kernel=False)
            open_sidebar(page)
            wait_first_review(page)
            page.wait_for_timeout(500)
            cell = panel.locator(".jp-Cell").nth(code_cells[-1])
            cell.scroll_into_view_if_needed()
            cell.locator(".cm-content").click()
            page.keyboard.press("Control+End")
            page.keyboard.press("Enter")
            page.keyboard.insert_text("#")
            page.wait_for_timeout(800)
            page.evaluate(WATCH)
            times = []
            for i in range(edits):
                page.evaluate("() => { window.__bench.t0 = null; window.__bench.done = null; }")
                page.keyboard.type("abcdefghij"[i % 10])
                page.wait_for_function("() => window.__bench.done !== null", timeout=30_000)
                times.append(page.evaluate("() => window.__bench.done - window.__bench.t0"))
                page.wait_for_timeout(50)
            body = page.evaluate(
                "() => document.querySelector('.jp-NotebookPanel') && 1"
            )  # the page is still alive
            assert body == 1
            current = json.loads((server.root / name).read_text())
            trips = [
                page.evaluate(ROUND_TRIP, [server.url, server.token, current, n])
                for n in range(max(5, edits // 2))
            ]
            ctx.close()
    finally:
        servers.close()
        shutil.rmtree(base, ignore_errors=True)
    return {"times": times, "trips": trips}


def bundle_size() -> dict:
    own, vendor = [], []
    for path in sorted(STATIC.glob("*.js")):
        text = path.read_text(errors="replace")
        is_own = path.name.startswith("remoteEntry") or "wellml" in text
        (own if is_own else vendor).append(path)
    raw = sum(p.stat().st_size for p in own)
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in own)
    return {
        "own_files": [p.name for p in own],
        "vendor_files": [p.name for p in vendor],
        "own_bytes": raw,
        "own_gzip": gz,
        "vendor_bytes": sum(p.stat().st_size for p in vendor),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--notebook", type=Path)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"chromium not found at {CHROMIUM}: run `make chromium`", file=sys.stderr)
        return 2
    if not STATIC.is_dir():
        print(
            f"{STATIC} missing: build the labextension first (cd labextension && jlpm build:prod)"
        )
        return 2
    notebook = args.notebook or pick_notebook()
    cells = len(json.loads(notebook.read_text()).get("cells", []))
    size = bundle_size()
    print(f"notebook: {notebook} ({cells} cells, {notebook.stat().st_size / 1024:.0f} KB)")
    result = measure_browser(args.edits, notebook)
    times, trips = result["times"], result["trips"]
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    trip = statistics.median(trips)
    print(f"edit -> updated panel, {len(times)} edits (debounce included):")
    print(f"  p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {max(times):.0f} ms   target p95 <= 300 ms")
    print(f"baseline: bare POST /api/wellml/review from the page, median {trip:.0f} ms")
    print(f"  ratio p50 / baseline: {p50 / trip:.1f}x  (the 150 ms debounce is most of it)")
    print(f"  panel overhead over debounce + baseline, p50: {p50 - 150 - trip:.0f} ms")
    print("labextension's own code (jupyter_wellml/labextension/static):")
    print(f"  {', '.join(size['own_files'])}")
    print(
        f"  {size['own_bytes'] / 1024:.1f} KB ({size['own_gzip'] / 1024:.1f} KB gzip)"
        f"   target <= 100 KB"
    )
    if size["vendor_files"]:
        print(f"  vendor-only chunks, not counted: {', '.join(size['vendor_files'])}")
    ok = p95 <= 300 and size["own_bytes"] <= 100 * 1024
    print("PASS" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
