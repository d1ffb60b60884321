"""Issue 12's hostile inputs, each bounded: time and peak memory, and the server meanwhile.

What it does (all on this machine, the server on 127.0.0.1):

1. CLI, each in a fresh process (peak resident memory from ``getrusage`` of that child):
   - baseline: ``jupyter wellml review`` of an ordinary 300-cell notebook;
   - the catastrophic regex ``(a+)+$`` in a team lens: ``lens check`` (refused by file:line)
     and a review with that lens; the slow regex ``(a|a)*$`` (it passes the static check):
     a review bounded by the rule budget;
   - a ~350-byte "billion laughs" practice: ``lens check`` (refused by file:line);
   - a 20 MB single-cell notebook: ``jupyter wellml review``;
   - the environment probe through a wrapper kernelspec that starts Python as its child
     (resolved), and through one that never answers (stopped at the probe limit).
2. A real ``jupyter server`` (the slow lens loaded): a client posts ordinary reviews (each one
   edited, so each is computed) for ``--seconds``, first alone, then while an attacker sends the
   slow-regex notebook, the 20 MB notebook and environment requests for a wrapper kernel and a
   hanging one; prints p50/p95 of the ordinary reviews in both phases, their ratio, errors, and
   the peak memory of the review workers.
3. SIGTERM to the server: seconds until it exits, and the processes it leaves (must be 0).

Usage: ``python bench/bounds.py [--seconds 20]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from make_notebook import big_notebook
from server import edited, free_port, notebook_bodies, percentile, start_server

from tests.builders import one_cell_notebook, review_workers, text_rule_practice, write_lens

CLI = str(Path(sys.executable).with_name("jupyter-wellml"))
PYTHON = sys.executable
MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps([done.returncode, done.stdout[-3000:], done.stderr[-3000:], "
    "time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
)


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd`` as the only child of a fresh interpreter: seconds, peak MiB, exit, output."""
    out = subprocess.run(
        [PYTHON, "-c", MEASURE, *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    code, stdout, stderr, seconds, peak_kb = json.loads(out.stdout)
    return {"code": code, "out": stdout, "err": stderr, "s": seconds, "mib": peak_kb / 1024}


def lens(folder: Path, name: str, files: dict[str, str]) -> Path:
    return write_lens(folder, name, f"Bench lens {name}", files)


LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
)


def twenty_mb() -> dict:
    lines, total, i = [], 0, 0
    while total < 20_000_000:
        line = f"df_{i} = pd.read_csv('s3://bucket/file_{i}.csv')\n"
        lines.append(line)
        total += len(line)
        i += 1
    return one_cell_notebook("".join(lines))


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def line(label: str, r: dict, extra: str = "") -> None:
    print(f"  {label:<46} {r['s']:7.2f} s {r['mib']:8.1f} MiB peak  exit {r['code']}{extra}")


# ------------------------------------------------------------------------- 1. CLI
def cli_bounds(work: Path) -> dict:
    print("CLI (each a fresh process)")
    ordinary = work / "ordinary.ipynb"
    ordinary.write_text(json.dumps(big_notebook(300)))
    base = measure([CLI, "review", str(ordinary), "--no-cache", "-o", os.devnull])
    line("baseline: review of a 300-cell notebook", base)
    evil = lens(work, "evil", {"EVIL-SEC-01.yaml": text_rule_practice("EVIL-SEC-01", "(a+)+$")})
    slow = lens(work, "slow", {"SLOW-SEC-01.yaml": text_rule_practice("SLOW-SEC-01", "(a|a)*$")})
    laughs = lens(work, "laughs", {"LOL-SEC-01.yaml": LAUGHS})
    attack = work / "attack.ipynb"
    attack.write_text(json.dumps(one_cell_notebook("x = 1\n# " + "a" * 40 + "!\n")))
    r = measure([CLI, "lens", "check", str(evil)])
    where = next((x.split(": /")[0] for x in r["out"].splitlines() if "exponential" in x), "?")
    line("catastrophic (a+)+$: lens check", r, f"  refused at {Path(where).name}")
    line(
        "catastrophic (a+)+$: review with that lens",
        measure(
            [CLI, "review", "--lens-path", str(evil), str(attack), "--no-cache", "-o", os.devnull]
        ),
    )
    r = measure(
        [CLI, "review", "--lens-path", str(slow), str(attack), "--no-cache", "--format", "json"]
    )
    budget = "rule budget ran out" if "time budget" in r["out"] else "?"
    line("slow (a|a)*$ (passes the check): review", r, f"  {budget}")
    r = measure([CLI, "lens", "check", str(laughs)])
    where = next((x.split(": /")[0] for x in r["out"].splitlines() if "billion" in x), "?")
    line(f"billion laughs ({len(LAUGHS)} bytes): lens check", r, f"  refused at {Path(where).name}")
    big = work / "big.ipynb"
    big.write_text(json.dumps(twenty_mb()))
    r = measure([CLI, "review", str(big), "--no-cache", "-o", os.devnull])
    line(
        f"20 MB single cell ({big.stat().st_size / 1e6:.1f} MB): review",
        r,
        f"  x{r['s'] / base['s']:.1f} time, x{r['mib'] / base['mib']:.1f} memory of the baseline",
    )
    wrapper = script(work / "start-kernel", f'{PYTHON} -m ipykernel_launcher "$@"\necho stopped\n')
    hang = script(
        work / "hang",
        'if [ "$1" = "-f" ]; then exec "$PYBIN" -m ipykernel_launcher "$@"; fi\nsleep 600\n',
    )
    probe = (
        "import sys; from jupyter_wellml.inspection.environment import kernel_command, probe\n"
        "argv = [sys.argv[1], '-f', '{connection_file}']\n"
        "try:\n    probe(kernel_command(argv), timeout=10); print('answered')\n"
        "except Exception as exc:\n    print(exc)\n"
    )
    r = measure([PYTHON, "-c", probe, str(wrapper)])
    line("probe through a wrapper kernelspec (child)", r, f"  {r['out'].strip()[:60]}")
    r = measure([PYTHON, "-c", probe, str(hang)])
    line("probe through a wrapper that never answers", r, f"  {r['out'].strip()[-40:]}")
    return {
        "work": work,
        "slow": slow,
        "attack": attack,
        "big": big,
        "wrapper": wrapper,
        "hang": hang,
    }


# ------------------------------------------------------------------------- 2. server
def workers_of(server: subprocess.Popen) -> list[psutil.Process]:
    return review_workers(server.pid)


def server_bounds(setup: dict, seconds: float) -> None:
    work: Path = setup["work"]
    root, data = work / "root", work / "data"
    root.mkdir()
    # lens folders in a Jupyter data dir load by themselves: the slow lens is there
    shutil.copytree(setup["slow"], data / "wellml" / "lenses" / "slow")
    for name, argv, env in (
        ("wrapped", [str(setup["wrapper"]), "-f", "{connection_file}"], {}),
        ("hanging", [str(setup["hang"]), "-f", "{connection_file}"], {"PYBIN": PYTHON}),
    ):
        spec = data / "kernels" / name
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": name, "language": "python", "env": env})
        )
    port, token = free_port(), os.urandom(16).hex()
    log = work / "server.log"
    os.environ["JUPYTER_DATA_DIR"] = str(data)
    os.environ["WELLML_CACHE_DIR"] = str(work / "cache")
    proc = start_server(port, token, root, log, None)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    client = httpx.Client(base_url=base, headers=headers, timeout=300)
    deadline = time.monotonic() + 120
    while True:
        try:
            if client.get("/api/wellml/info").is_success:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(log.read_text()[-2000:])
        time.sleep(0.3)
    body, markers = notebook_bodies(300)
    counter = iter(range(10**9))
    peak = {"mib": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for w in workers_of(proc):
                try:
                    peak["mib"] = max(peak["mib"], w.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(0.05)

    def ordinary(duration: float) -> tuple[list[float], int]:
        latencies, errors = [], 0
        end = time.monotonic() + duration
        while time.monotonic() < end:
            content = edited(body, markers, next(counter))
            started = time.monotonic()
            r = client.post(
                "/api/wellml/review", content=content, headers={"Content-Type": "application/json"}
            )
            latencies.append(time.monotonic() - started)
            errors += r.status_code != 200
        return latencies, errors

    threading.Thread(target=sample, daemon=True).start()
    print(f"\nserver ({len(workers_of(proc))} review workers, lens {setup['slow'].name} loaded)")
    ordinary(3)  # warm the workers' caches
    alone, errors_alone = ordinary(seconds)
    attacks: list[str] = []

    def attacker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=300) as c:

            def timed(label, fn):
                started = time.monotonic()
                r = fn()
                attacks.append(
                    f"{label}: {r.status_code} in {time.monotonic() - started:.2f} s"
                    f" {r.text[:90] if r.status_code != 200 else ''}".rstrip()
                )

            slow_nb = json.loads(setup["attack"].read_text())
            timed(
                "slow regex review",
                lambda: c.post("/api/wellml/review", json={"notebook": slow_nb}),
            )
            big = setup["big"].read_bytes()
            timed(
                "20 MB single cell",
                lambda: c.post(
                    "/api/wellml/review",
                    content=b'{"notebook": ' + big + b"}",
                    headers={"Content-Type": "application/json"},
                ),
            )
            for name in ("wrapped", "hanging"):
                kernel = c.post("/api/kernels", json={"name": name}).json()["id"]
                try:
                    for attempt in ("first", "again"):
                        timed(
                            f"environment, {name} kernel ({attempt})",
                            lambda k=kernel: c.get(
                                "/api/wellml/environment", params={"kernel_id": k}
                            ),
                        )
                finally:
                    c.delete(f"/api/kernels/{kernel}")
            timed(
                "slow regex review (again)",
                lambda: c.post("/api/wellml/review", json={"notebook": slow_nb}),
            )

    attack = threading.Thread(target=attacker)
    attack.start()
    under, errors_under = ordinary(seconds)
    attack.join()
    for a in attacks:
        print(f"  attack {a}")
    p50a, p95a = percentile(alone, 50) * 1000, percentile(alone, 95) * 1000
    p50u, p95u = percentile(under, 50) * 1000, percentile(under, 95) * 1000
    print(
        f"  ordinary reviews alone:          n={len(alone):4d} p50 {p50a:7.1f} ms  p95 {p95a:7.1f} ms  errors {errors_alone}"
    )
    print(
        f"  ordinary reviews under attacks:  n={len(under):4d} p50 {p50u:7.1f} ms  p95 {p95u:7.1f} ms  errors {errors_under}"
    )
    within = sum(1 for x in under if x * 1000 <= p95a) / max(len(under), 1)
    print(
        f"  under attacks / alone: p50 x{p50u / p50a:.2f}, p95 x{p95u / p95a:.2f}; "
        f"{within:.0%} of the reviews under attack answered within the p95 alone"
    )
    info = client.get("/api/wellml/info").json()["stats"]["reviews"]
    print(
        f"  review workers: peak {peak['mib']:.0f} MiB resident; restarts {info.get('worker_restarts')}"
    )
    stop.set()
    client.close()
    # ---- 3. stop
    children = psutil.Process(proc.pid).children(recursive=True)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
    stopped = time.monotonic() - started
    time.sleep(0.5)
    left = [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    print(
        f"\nserver stop (SIGTERM): exited in {stopped:.2f} s; processes left: {len(left)} {left or ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="each server phase")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wellml-bounds-"))
    try:
        setup = cli_bounds(work)
        server_bounds(setup, args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
