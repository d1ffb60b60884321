"""How fast ``%load_ext jupyter_wellml`` and one ``%wellml`` magic are.

Targets (issue 4): ``%load_ext jupyter_wellml`` <= 150 ms in a fresh process, one magic <= 10 ms;
(issue 14) the first ``%wellml`` magic after ``%load_ext`` <= 50 ms (it used to wait for
``jsonschema`` to load: 126-172 ms). Baselines measured in the same run: a bare ``import IPython``
in a fresh process for the load, IPython's own ``%pwd`` line magic for one magic.

    .venv/bin/python bench/magics.py [--runs 7] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

FRESH_IMPORT = """
import time, json
t = time.perf_counter()
import IPython
from IPython.core.interactiveshell import InteractiveShell
print(json.dumps({"import_ipython_ms": (time.perf_counter() - t) * 1000}))
"""

FRESH_LOAD = """
import time, json
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
shell = InteractiveShell.instance()
t = time.perf_counter()
shell.run_line_magic("load_ext", "jupyter_wellml")
load = (time.perf_counter() - t) * 1000
with capture_output():
    t = time.perf_counter()
    shell.run_line_magic("wellml", "kpi accuracy >= 0.92 --acceptable-error 0.03")
first = (time.perf_counter() - t) * 1000
print(json.dumps({"load_ext_ms": load, "first_magic_ms": first}))
"""

MAGICS = """
import json, os, statistics, sys, time
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from jupyter_wellml.magics import magics_of

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "jupyter_wellml")
calls = int(sys.argv[1])
data_file = sys.argv[2]

def timed(line, n=calls):
    out = []
    with capture_output():
        for _ in range(n):
            t = time.perf_counter()
            shell.run_line_magic(*line.split(" ", 1))
            out.append((time.perf_counter() - t) * 1000)
    return out

with capture_output():
    shell.run_line_magic("wellml", "kpi warmup >= 0.5")
magics_of(shell).state.catalog()  # the warm-up thread's work, done
res = {
    "pwd_ms": statistics.median(timed("pwd ")),
    "kpi_ms": statistics.median(
        timed('wellml kpi accuracy >= 0.92 --acceptable-error 0.03 --business "fewer missed fraud cases"')
    ),
    "measured_ms": statistics.median(timed("wellml kpi accuracy --measured 0.93")),
    "phase_ms": statistics.median(timed("wellml phase training")),
    "attest_ms": statistics.median(timed('wellml attest MLOE-02 "documented in README"')),
    "data_s3_ms": statistics.median(timed("wellml data s3://bucket/train.csv --pii no")),
    "data_local_ms": statistics.median(timed(f"wellml data {data_file} --pii no", 20)),
}
print(json.dumps(res))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="fresh processes per measurement")
    ap.add_argument("--calls", type=int, default=200, help="calls per magic")
    args = ap.parse_args()

    imports = [run(FRESH_IMPORT)["import_ipython_ms"] for _ in range(args.runs)]
    fresh = [run(FRESH_LOAD) for _ in range(args.runs)]
    loads = [f["load_ext_ms"] for f in fresh]
    firsts = [f["first_magic_ms"] for f in fresh]
    base, load = statistics.median(imports), statistics.median(loads)
    print(f"fresh process, median of {args.runs}:")
    print(f"  import IPython (baseline)      {base:8.1f} ms")
    print(
        f"  %load_ext jupyter_wellml       {load:8.1f} ms  ({load / base:.2f}x the baseline; "
        f"target <= 150 ms: {'ok' if load <= 150 else 'MISSED'})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.csv"
        data.write_bytes(b"1,2\n" * ((8 << 20) // 4))  # 8 MiB
        m = run(MAGICS, str(args.calls), str(data))
    pwd = m["pwd_ms"]
    print(f"one magic, median of {args.calls} calls (catalog loaded):")
    print(f"  %pwd (baseline)                {pwd:8.3f} ms")
    for key, label in (
        ("kpi_ms", "%wellml kpi NAME >= X ..."),
        ("measured_ms", "%wellml kpi NAME --measured X"),
        ("phase_ms", "%wellml phase training"),
        ("attest_ms", "%wellml attest MLOE-02 ..."),
        ("data_s3_ms", "%wellml data s3://..."),
    ):
        v = m[key]
        print(
            f"  {label:<30} {v:8.3f} ms  ({v / pwd:.0f}x the baseline; "
            f"target <= 10 ms: {'ok' if v <= 10 else 'MISSED'})"
        )
    print(f"  %wellml data (8 MiB local file, hashed) {m['data_local_ms']:8.3f} ms  (no target)")
    first = statistics.median(firsts)
    print(
        f"first %wellml kpi right after %load_ext, fresh process, median of {args.runs}: "
        f"{first:.1f} ms (max {max(firsts):.1f}; {first / pwd:.0f}x %pwd; "
        f"target <= 50 ms: {'ok' if first <= 50 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
