"""Review speed over the shared corpus, as ratios to baselines measured in the same run.

1. In-process: median time of ``review()`` per notebook (engine caches cleared before each, so
   nothing is reused between notebooks) / median "floor" per notebook: ``json.load`` plus
   ``ast.parse`` of every code cell after IPython's ``TransformerManager`` (what any static
   reader of notebooks must do at least). Target: <= 2x.
2. The CLI on the whole corpus: ``jupyter-wellml review CORPUS --jobs 2 --no-cache``. Target: <= 10 s.
3. One notebook through the CLI, as a process, / ``python -c pass``, median of repeated runs:
   cold (``--no-cache``; the catalog cache is warm, as after any first run) and warm (the
   review cache holds the notebook, as in CI re-runs and pre-commit). Target: <= 6x.
4. The sidebar and server case: a 300-cell notebook (``bench/make_notebook.py``) reviewed again
   after each one-cell edit (a comment in one of 16 code cells changes), in-process, as a server
   worker does it (``json.loads`` of the body, ``review()``): median and p95 over ``--edits``
   edits, / the median floor of the same edits: ``json.loads`` of the body, every cell's source
   joined, and the edited cell through ``TransformerManager`` and ``ast.parse`` (the work no
   reviewer of an edited notebook can skip). Serialising the review JSON is shown apart.

5. The corpus as one workload: ``review CORPUS --jobs 2 --no-cache`` with ``--workload`` /
   without it, median of alternated runs. Target: <= 1.10x.

Usage: ``python bench/review.py [--corpus DIR] [--runs N] [--edits N] [--only-edit]
[--only-workload] [--pairs N]``
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.builders import corpus_review_argv

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "sagemaker-examples"


def floor_ms(raw: bytes, tm) -> float:
    started = time.perf_counter()
    nb = json.loads(raw)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        try:
            ast.parse(tm.transform_cell(src))
        except Exception:  # unparsable cells count as parsed-and-failed, like in a review
            pass
    return (time.perf_counter() - started) * 1000


def in_process(files: list[Path]) -> dict:
    from IPython.core.inputtransformer2 import TransformerManager

    from jupyter_wellml.catalog import load_catalog
    from jupyter_wellml.inspection import facts as facts_module
    from jupyter_wellml.inspection import review

    catalog = load_catalog(data_dirs=False)
    tm = TransformerManager()
    raws = [f.read_bytes() for f in files]
    review(raws[0], catalog)  # imports and one-time setup out of the measurement
    floors, cold, warm, crashes = [], [], [], 0
    for raw in raws:
        floors.append(min(floor_ms(raw, tm) for _ in range(3)))
        times = []
        for _ in range(3):
            facts_module.clear_caches()
            started = time.perf_counter()
            try:
                review(raw, catalog)
            except Exception:  # counted and reported
                crashes += 1
                break
            times.append((time.perf_counter() - started) * 1000)
        cold.append(min(times) if times else float("nan"))
        started = time.perf_counter()
        review(raw, catalog)
        warm.append((time.perf_counter() - started) * 1000)
    return {
        "notebooks": len(raws),
        "crashes": crashes,
        "floor_median_ms": statistics.median(floors),
        "review_median_ms": statistics.median(cold),
        "review_warm_median_ms": statistics.median(warm),
        "ratio": statistics.median(cold) / statistics.median(floors),
        "per_notebook_ratio_median": statistics.median(
            c / f for c, f in zip(cold, floors) if f > 0
        ),
    }


def edit_bodies(edits: int) -> tuple[list[bytes], list[int]]:
    """Request bodies of the 300-cell notebook, each with one more comment edit, and the index
    of the cell each one edited."""
    sys.path.insert(0, str(HERE))
    from make_notebook import big_notebook

    nb = big_notebook(300)
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    targets = code[:: max(1, len(code) // 16)][:16]
    for i in targets:
        src = nb["cells"][i]["source"]
        nb["cells"][i]["source"] = "".join(src) if isinstance(src, list) else src
    bodies, edited = [], []
    for n in range(edits):
        i = targets[n % len(targets)]
        cell = nb["cells"][i]
        cell["source"] = cell["source"].split("\n# wellml-bench-edit ", 1)[0]
        cell["source"] += f"\n# wellml-bench-edit {n:09d}"
        bodies.append(json.dumps(nb).encode())
        edited.append(i)
    return bodies, edited


def one_cell_edit(edits: int) -> dict:
    from IPython.core.inputtransformer2 import TransformerManager

    from jupyter_wellml.catalog import load_catalog
    from jupyter_wellml.inspection import review

    catalog = load_catalog(data_dirs=False)
    tm = TransformerManager()
    warmup = 16
    bodies, edited = edit_bodies(edits + warmup)
    review(json.loads(bodies[0]), catalog)  # imports and the first, cold review
    floors, times, dumps = [], [], []
    for n, (raw, index) in enumerate(zip(bodies, edited)):
        started = time.perf_counter()
        nb = json.loads(raw)
        sources = [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"]
        ]
        try:
            ast.parse(tm.transform_cell(sources[index]))
        except SyntaxError:  # parsed and failed, like in a review
            pass
        floor = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        result = review(json.loads(raw), catalog)
        took = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        json.dumps(result.to_json())
        if n >= warmup:  # every edited cell once seen: the steady state of an editing session
            floors.append(floor)
            times.append(took)
            dumps.append((time.perf_counter() - started) * 1000)
    return {
        "edits": len(times),
        "floor_median_ms": statistics.median(floors),
        "review_median_ms": statistics.median(times),
        "review_p95_ms": statistics.quantiles(times, n=20)[18],
        "json_median_ms": statistics.median(dumps),
        "ratio": statistics.median(times) / statistics.median(floors),
    }


def median_process_ms(cmd: list[str], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
        )
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def workload_overhead(exe: str, corpus: Path, env: dict, pairs: int) -> dict:
    """``review CORPUS --jobs 2 --no-cache`` with and without ``--workload``, runs alternated."""
    base = [exe, "review", str(corpus), "--jobs", "2", "--no-cache", "--format", "json",
            "--fail-on", "never", "--no-data-dirs", "--progress", "never"]  # fmt: skip
    plain, workload, counted = [], [], 0
    for i in range(pairs):
        order = [(base, plain), ([*base, "--workload"], workload)]
        for cmd, times in order if i % 2 == 0 else order[::-1]:  # ABBA: neither always goes first
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, env=env, check=False)
            times.append(time.perf_counter() - started)
            doc = json.loads(done.stdout) if done.stdout else {}
            counted = max(counted, len(doc.get("reviews", ())))
            if "--workload" in cmd and "workload" not in doc:
                raise SystemExit(f"--workload gave no workload section: {done.stderr[-300:]!r}")
    section_ms = workload_section_ms(done_reviews(base, env), corpus)
    p, w = statistics.median(plain), statistics.median(workload)
    best = min(workload) / min(plain)
    return {"notebooks": counted, "plain_s": p, "workload_s": w, "ratio": w / p, "pairs": pairs,
            "best_ratio": best, "section_ms": section_ms}  # fmt: skip


def done_reviews(cmd: list[str], env: dict) -> list[dict]:
    done = subprocess.run(cmd, capture_output=True, env=env, check=False)
    return json.loads(done.stdout)["reviews"]


def workload_section_ms(reviews: list[dict], corpus: Path) -> float:
    """What --workload adds in the process, measured alone: the section and its JSON."""
    from jupyter_wellml.catalog import load_catalog
    from jupyter_wellml.workload import load_workload, workload_review

    catalog, workload = load_catalog(data_dirs=False), load_workload(corpus)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        json.dumps(workload_review(reviews, catalog, workload), indent=2)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=21, help="process runs per CLI measurement")
    parser.add_argument("--edits", type=int, default=200, help="edits of the 300-cell notebook")
    parser.add_argument("--only-edit", action="store_true", help="only the one-cell-edit figure")
    parser.add_argument("--only-workload", action="store_true", help="only the --workload figure")
    parser.add_argument("--pairs", type=int, default=3, help="runs with and without --workload")
    args = parser.parse_args()
    if args.only_workload:
        return print_workload(args)
    e = one_cell_edit(args.edits)
    print(f"300-cell notebook, one-cell edit, in-process, {e['edits']} edits:")
    print(
        f"  floor (json.loads + sources + edited cell parsed) median: {e['floor_median_ms']:.2f} ms"
    )
    print(
        f"  json.loads + review() median: {e['review_median_ms']:.2f} ms, p95 {e['review_p95_ms']:.2f} ms"
        f" = {e['ratio']:.1f}x the floor;  review JSON serialised: {e['json_median_ms']:.2f} ms"
    )
    if args.only_edit:
        return 0
    files = sorted(args.corpus.rglob("*.ipynb"))
    if not files:
        print(f"no notebooks under {args.corpus}", file=sys.stderr)
        return 2
    cache = tempfile.mkdtemp(prefix="wellml-bench-")
    # processes run as from an installed package: with a bytecode cache (kept out of the tree).
    # Without one (PYTHONDONTWRITEBYTECODE, as in some sandboxes) every run recompiles ~30 modules.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(WELLML_CACHE_DIR=cache, PYTHONPYCACHEPREFIX=os.path.join(cache, "pycache"))
    os.environ["WELLML_CACHE_DIR"] = cache
    exe = str(Path(sys.executable).parent / "jupyter-wellml")

    r = in_process(files)
    print(f"in-process review over {r['notebooks']} notebooks ({r['crashes']} crashes)")
    print(
        f"  floor (json.load + TransformerManager + ast.parse) median: {r['floor_median_ms']:.2f} ms"
    )
    print(
        f"  review() median (engine caches cleared):               {r['review_median_ms']:.2f} ms"
    )
    print(
        f"  ratio review/floor: {r['ratio']:.2f}x (median of per-notebook ratios {r['per_notebook_ratio_median']:.2f}x; target <= 2x)"
    )
    print(
        f"  review() median, same notebook again (server and sidebar case): {r['review_warm_median_ms']:.2f} ms"
    )

    subprocess.run(
        [exe, "lens", "list", "--no-data-dirs"], stdout=subprocess.DEVNULL, env=env, check=False
    )  # catalog cache
    subprocess.run(
        [exe, "review", str(files[0]), "--no-cache", "--no-data-dirs"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    )  # bytecode and secrets-prefilter caches
    started = time.perf_counter()
    done = subprocess.run(
        corpus_review_argv(exe, args.corpus),
        capture_output=True,
        env=env,
        check=False,
    )
    corpus_s = time.perf_counter() - started
    reviewed = len(json.loads(done.stdout)["reviews"]) if done.stdout else 0
    print(
        f"CLI, whole corpus, --jobs 2: {reviewed} notebooks in {corpus_s:.2f} s (exit {done.returncode}; target <= 10 s)"
    )

    print_workload(args, env=env)

    sizes = sorted(files, key=lambda f: f.stat().st_size)
    typical = sizes[len(sizes) // 2]
    bare = median_process_ms([sys.executable, "-c", "pass"], args.runs, env)
    cold = median_process_ms(
        [exe, "review", str(typical), "--no-cache", "--no-data-dirs"], args.runs, env
    )
    subprocess.run(
        [exe, "review", str(typical), "--no-data-dirs"],
        stdout=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    warm = median_process_ms([exe, "review", str(typical), "--no-data-dirs"], args.runs, env)
    probe_imports = (
        "import sys\nfrom jupyter_wellml.cli.review import run\n"
        f"run([{str(typical)!r}, '--no-cache', '--no-data-dirs', '--output', '/dev/null'])\n"
        "print(*(m in sys.modules for m in ('detect_secrets', 'IPython', 'nbformat', 'packaging.requirements')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe_imports], capture_output=True, text=True, env=env, check=False
    )
    flags = loaded.stdout.split()
    print(
        f"one-notebook CLI process ({typical.name}, the median-size corpus notebook), median of {args.runs} runs:"
    )
    if len(flags) == 4:
        print(
            f"  cold path imports detect-secrets: {flags[0]}, IPython: {flags[1]}, nbformat: {flags[2]}, packaging.requirements: {flags[3]}"
        )
    print(f"  python -c pass: {bare:.1f} ms")
    print(
        f"  cold (--no-cache): {cold:.1f} ms = {cold / bare:.1f}x;  warm (cached review): {warm:.1f} ms = {warm / bare:.1f}x  (target <= 6x)"
    )
    return 0


def print_workload(args, env: dict | None = None) -> int:
    """5. The corpus as one workload: what ``--workload`` adds to a ``--jobs 2`` review."""
    if env is None:
        cache = tempfile.mkdtemp(prefix="wellml-bench-")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(WELLML_CACHE_DIR=cache, PYTHONPYCACHEPREFIX=os.path.join(cache, "pycache"))
    exe = str(Path(sys.executable).parent / "jupyter-wellml")
    subprocess.run(
        [exe, "lens", "list", "--no-data-dirs"], stdout=subprocess.DEVNULL, env=env, check=False
    )
    w = workload_overhead(exe, args.corpus, env, args.pairs)
    print(
        f"CLI, whole corpus as one workload, --jobs 2 --no-cache, median of {w['pairs']} alternated runs:"
    )
    print(
        f"  {w['notebooks']} notebooks: without --workload {w['plain_s']:.2f} s, with {w['workload_s']:.2f} s"
        f" = {w['ratio']:.3f}x (fastest runs: {w['best_ratio']:.3f}x; target <= 1.10x)"
    )
    share = w["section_ms"] / (w["plain_s"] * 1000)
    print(
        f"  the workload section itself (computed and written as JSON, in-process): "
        f"{w['section_ms']:.1f} ms = {share:.2%} of the run without it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
