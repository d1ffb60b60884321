"""Environment probe speed: cold (a fresh interpreter process, nothing cached) and cached.

Measured two ways, each next to a baseline taken in the same run:

1. in-process, with the library: ``probe(python)`` (a new interpreter process every time) against
   ``python -c pass`` with the same interpreter (the cost of starting any process of it); then
   ``ReviewService.environment`` asked again for the same interpreter (the cache checks the
   site folders' modification times, a few ``stat`` calls);
2. through the server: a real ``jupyter server`` subprocess, a real ``python3`` kernel started
   through ``POST /api/kernels`` (and left to become idle, so its own start-up is not counted),
   then ``GET /api/wellml/environment?kernel_id=`` (the first request of a fresh server is cold;
   the next ones are cached) against ``GET /api/status`` measured alternately with it.

Targets (issue 5): cold <= 1 s, cached <= 5 ms.

Usage: ``python bench/environment.py [--runs N] [--servers N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from server import free_port, start_server

from jupyter_wellml.inspection.environment import probe


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def in_process(runs: int) -> dict:
    from jupyter_wellml.server.service import ReviewService

    python = sys.executable
    bare = timed(lambda: subprocess.run([python, "-c", "pass"], check=True), runs)
    cold = timed(lambda: probe(python), runs)
    service = ReviewService(
        lens_paths=[], license_allow=[], license_deny=[], probe_timeout=10, cache_size=8, workers=1
    )

    async def service_figures() -> tuple[float, list[float]]:
        started = time.perf_counter()
        first = await service.environment(python)
        first_s = time.perf_counter() - started
        cached = []
        for _ in range(200):
            started = time.perf_counter()
            again = await service.environment(python)
            cached.append(time.perf_counter() - started)
            assert again is first, "the cache did not answer"
        return first_s, cached

    try:
        first, cached = asyncio.run(service_figures())
    finally:
        service.close()
    return {"bare": bare, "cold": cold, "service_cold": first, "cached": cached}


async def through_server(servers: int, repeats: int, args_settle: float) -> dict:
    colds, cached, status, probe_ms = [], [], [], []
    for _ in range(servers):
        token = secrets.token_hex(16)
        port = free_port()
        root = Path(tempfile.mkdtemp(prefix="wellml-bench-env-"))
        proc = start_server(port, token, root, root / "server.log", 1)
        server = psutil.Process(proc.pid)
        headers = {"Authorization": f"token {token}"}
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30
            ) as client:
                deadline = time.perf_counter() + 60
                while True:
                    try:
                        if (await client.get("/api/status")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if proc.poll() is not None or time.perf_counter() > deadline:
                        raise SystemExit(f"the server did not start; see {root / 'server.log'}")
                    await asyncio.sleep(0.2)
                kernel = (await client.post("/api/kernels", json={"name": "python3"})).json()
                # measure the probe, not the kernel's own start: wait until it is idle
                for _ in range(300):
                    model = (await client.get(f"/api/kernels/{kernel['id']}")).json()
                    if model.get("execution_state") == "idle":
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(args_settle)
                route = f"/api/wellml/environment?kernel_id={kernel['id']}"
                started = time.perf_counter()
                first = await client.get(route)
                colds.append(time.perf_counter() - started)
                first.raise_for_status()
                probe_ms.append(first.json()["probe_ms"])
                for _ in range(repeats):
                    started = time.perf_counter()
                    r = await client.get("/api/status")
                    status.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    r = await client.get(route)
                    cached.append(time.perf_counter() - started)
                    r.raise_for_status()
                await client.delete(f"/api/kernels/{kernel['id']}")
        finally:
            server.terminate()
            for left in psutil.wait_procs([server], timeout=15)[1]:
                left.kill()
    return {"cold": colds, "cached": cached, "status": status, "probe_ms": probe_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="cold probes in-process")
    parser.add_argument("--servers", type=int, default=3, help="fresh servers (one cold each)")
    parser.add_argument("--repeats", type=int, default=100, help="cached requests per server")
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds to wait after the kernel is idle"
    )
    args = parser.parse_args()
    med = statistics.median

    print(
        f"{os.cpu_count()} CPUs; load average before the run "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares these CPUs)"
    )
    r = in_process(args.runs)
    print(f"in-process, interpreter {sys.executable}:")
    print(f"  python -c pass (baseline):  median {ms(med(r['bare'])):7.1f} ms")
    print(
        f"  probe(), cold:              median {ms(med(r['cold'])):7.1f} ms, max "
        f"{ms(max(r['cold'])):7.1f} ms = {med(r['cold']) / med(r['bare']):.1f}x baseline"
    )
    print(f"  ReviewService, first call:  {ms(r['service_cold']):7.1f} ms")
    print(
        f"  ReviewService, cached:      median {ms(med(r['cached'])):7.3f} ms, max "
        f"{ms(max(r['cached'])):7.3f} ms (200 calls)"
    )

    s = asyncio.run(through_server(args.servers, args.repeats, args.settle))
    p95 = sorted(s["cached"])[int(0.95 * (len(s["cached"]) - 1))]
    print(
        f"through GET /api/wellml/environment, {args.servers} fresh servers, real python3 kernels:"
    )
    print(
        f"  cold (first request):  median {ms(med(s['cold'])):7.1f} ms, max {ms(max(s['cold'])):7.1f}"
        f" ms (probe inside: {', '.join(f'{p:.0f}' for p in s['probe_ms'])} ms)"
    )
    print(
        f"  cached:                median {ms(med(s['cached'])):7.2f} ms, p95 {ms(p95):7.2f} ms "
        f"({len(s['cached'])} requests)"
    )
    print(
        f"  GET /api/status (baseline): median {ms(med(s['status'])):7.2f} ms; cached environment "
        f"= {med(s['cached']) / med(s['status']):.1f}x status"
    )
    verdicts = [
        ("cold <= 1 s (in-process, worst)", max(r["cold"]) <= 1.0),
        ("cold <= 1 s (through the route, worst)", max(s["cold"]) <= 1.0),
        ("cached <= 5 ms (in-process, median)", med(r["cached"]) <= 0.005),
        ("cached <= 5 ms (through the route, median)", med(s["cached"]) <= 0.005),
    ]
    print("targets:")
    for text, ok in verdicts:
        print(f"  {'PASS' if ok else 'MISS'}  {text}")
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
