"""The sidebar's speed in a real browser, and the size of the built labextension.

1. Edit -> updated panel: JupyterLab (a `jupyter lab` subprocess) with Debian chromium driven by
   Playwright; a 300-cell notebook built from the shared corpus (bench/make_notebook.py) is
   opened with the panel shown, then N edits are typed into a code cell, one keystroke each,
   waiting for the panel each time. The time runs in the browser from the keydown to the moment
   the panel root's `data-rendered-seq` attribute shows a review asked after that keydown (and
   none newer is pending). It includes the scheduling (an edit after a quiet moment is reviewed
   at once; edits in quick succession wait for the 150 ms debounce), the incremental request
   (only the changed cell, by id), the review and the rendering. Target: p95 <= 150 ms.
   Baselines, same run, same notebook: the bare POST /api/wellml/review round trip made by
   `fetch` in the page with the whole notebook, and with a delta of one cell.
2. Notebook opened -> first practices shown: the notebook is opened M times in a fresh page with
   the panel set to come forward (`openOnNotebookOpen`); the time runs from the moment its first
   cell is rendered to the moment the panel shows its first practice row. Target: p95 <= 400 ms.
3. Size of this extension's own code: `jupyter_wellml/labextension/static`, the remoteEntry and
   the chunks holding this package's modules; chunks with only shared/vendor code (the packages
   JupyterLab provides are not bundled at all) are listed apart. Target: <= 100 KB.

Usage: ``python bench/sidebar.py [--edits N] [--opens M] [--cells 300 | --notebook FILE.ipynb]``
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
sys.path.insert(0, str(HERE))

from make_notebook import big_notebook

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

ROUND_TRIP = """async ([url, token, nb, n, base]) => {
  // new content each time, as after an edit: the server caches reviews by content
  const cell = nb.cells.filter(c => c.cell_type === 'code').pop();
  cell.source = [].concat(cell.source).join('') + '\\n# edit ' + n + ' ' + Math.random();
  const t0 = performance.now();
  const query = base ? '?base=' + base : '';
  const body = base ? { cells: { [cell.id]: cell } } : { notebook: nb };
  const r = await fetch(url + '/api/wellml/review' + query, { method: 'POST',
    headers: { Authorization: 'token ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify(body) });
  const review = await r.json();
  return [performance.now() - t0, review.notebook.sha256];
}"""

OPEN_WATCH = """() => {
  const b = (window.__open = { cell: null, row: null });
  new MutationObserver(() => {
    if (b.cell === null && document.querySelector('.jp-Notebook .jp-Cell .jp-InputArea')) {
      b.cell = performance.now();
    }
    if (b.row === null && document.querySelector('SIDEBAR_SELECTOR [data-practice-id]')) {
      b.row = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
}""".replace("SIDEBAR_SELECTOR", SIDEBAR)


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


def measure_browser(edits: int, opens: int, nb: dict) -> dict:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="wellml-bench-sidebar-"))
    servers = _start_lab(base, [])
    server = next(servers)
    try:
        name = "bench.ipynb"
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
            bodies = {"whole": 0, "incremental": 0}

            def on_request(request):
                if request.method == "POST" and "/api/wellml/review" in request.url:
                    bodies["incremental" if "base=" in request.url else "whole"] += 1

            page.on("request", on_request)
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
            before = dict(bodies)
            times = []
            for i in range(edits):
                page.evaluate("() => { window.__bench.t0 = null; window.__bench.done = null; }")
                page.keyboard.type("abcdefghij"[i % 10])
                page.wait_for_function("() => window.__bench.done !== null", timeout=30_000)
                times.append(page.evaluate("() => window.__bench.done - window.__bench.t0"))
                page.wait_for_timeout(200)  # a person pauses between edits
            sent = {k: bodies[k] - before[k] for k in bodies}
            current = json.loads((server.root / name).read_text())
            trips, deltas = [], []
            digest = None
            for n in range(max(5, edits // 2)):
                ms, digest = page.evaluate(ROUND_TRIP, [server.url, server.token, current, n, None])
                trips.append(ms)
            for n in range(max(5, edits // 2)):
                ms, digest = page.evaluate(
                    ROUND_TRIP, [server.url, server.token, current, 10_000 + n, digest]
                )
                deltas.append(ms)
            ctx.close()
            # notebook opened -> first practices, the panel coming forward by itself
            server.api(
                "PUT",
                "/lab/api/settings/jupyter-wellml:plugin",
                {"raw": json.dumps({"openOnNotebookOpen": True})},
            )
            firsts = []
            ctx = launch_chromium(p, base / "profile-open", home=base)
            for i in range(opens):
                tab = ctx.new_page()
                tab.add_init_script(f"({OPEN_WATCH})()")
                tab.goto(f"{server.url}/lab/workspaces/open{i}/tree/{name}?token={server.token}")
                tab.wait_for_function(
                    "() => window.__open && window.__open.row !== null", timeout=60_000
                )
                firsts.append(tab.evaluate("() => window.__open.row - window.__open.cell"))
                tab.close(run_before_unload=False)
            ctx.close()
    finally:
        servers.close()
        shutil.rmtree(base, ignore_errors=True)
    return {"times": times, "trips": trips, "deltas": deltas, "sent": sent, "firsts": firsts}


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
    parser.add_argument("--opens", type=int, default=10)
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--notebook", type=Path, help="a notebook instead of the built one")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"chromium not found at {CHROMIUM}: run `make chromium`", file=sys.stderr)
        return 2
    if not STATIC.is_dir():
        print(
            f"{STATIC} missing: build the labextension first (cd labextension && jlpm build:prod)"
        )
        return 2
    if args.notebook:
        nb = json.loads(args.notebook.read_text())
        label = str(args.notebook)
    else:
        nb = big_notebook(args.cells)
        label = f"{args.cells} cells from the corpus (bench/make_notebook.py)"
    size = bundle_size()
    print(f"notebook: {label}: {len(nb['cells'])} cells, {len(json.dumps(nb)) / 1024:.0f} KB")
    result = measure_browser(args.edits, args.opens, nb)
    times, trips, deltas, firsts = (
        result["times"],
        result["trips"],
        result["deltas"],
        result["firsts"],
    )
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    trip, delta = statistics.median(trips), statistics.median(deltas)
    f50, f95 = statistics.median(firsts), percentile(firsts, 0.95)
    print(f"edit -> updated panel, {len(times)} edits:")
    print(f"  p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {max(times):.0f} ms   target p95 <= 150 ms")
    print(
        f"  requests while editing: {result['sent']['incremental']} incremental, "
        f"{result['sent']['whole']} whole notebooks"
    )
    print(
        f"baseline: bare POST /api/wellml/review from the page, whole notebook, median {trip:.0f} ms"
    )
    print(f"          the same with a one-cell delta (base=...), median {delta:.0f} ms")
    print(f"  ratio p50 / whole-notebook round trip: {p50 / trip:.2f}x")
    print(
        f"notebook opened -> first practices shown, {len(firsts)} opens (after its first cell renders):"
    )
    print(
        f"  p50 {f50:.0f} ms   p95 {f95:.0f} ms   max {max(firsts):.0f} ms   target p95 <= 400 ms"
    )
    print("labextension's own code (jupyter_wellml/labextension/static):")
    print(f"  {', '.join(size['own_files'])}")
    print(
        f"  {size['own_bytes'] / 1024:.1f} KB ({size['own_gzip'] / 1024:.1f} KB gzip)"
        f"   target <= 100 KB"
    )
    if size["vendor_files"]:
        print(f"  vendor-only chunks, not counted: {', '.join(size['vendor_files'])}")
    ok = p95 <= 150 and f95 <= 400 and size["own_bytes"] <= 100 * 1024
    print("PASS" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
