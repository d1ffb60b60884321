"""The REST API under concurrent load, on a real ``jupyter server`` subprocess on loopback.

What it does:

1. starts ``jupyter server`` (the extension enabled, a random token, a fresh root folder) on
   127.0.0.1 and waits for it to answer;
2. builds a 300-cell notebook from the shared corpus (``bench/make_notebook.py``);
3. for each number of clients (10, then 50), runs two phases of ``--seconds`` each:
   - ``edited``: every request changes one line of one code cell (a counter in a comment), so
     the content-hash cache cannot answer and a worker reviews the notebook (its per-cell caches
     still help, as they do when a user types);
   - ``sidebar``: the same edits, but each client waits the sidebar's debounce (150 ms by
     default, ``--debounce-ms``) after an answer before sending the next, as a user typing
     steadily with the sidebar open would (``edited`` is the saturation test beyond that);
   - ``cached``: every request sends the same notebook, answered from the review cache;
   - ``incremental``: each client is a user with a notebook of their own (its first request
     sends it whole, with a comment that differs per client); then, as the sidebar does after
     its first review, it sends only the edited cell (by id) against the notebook the server
     answered last (``?base=<sha256>``), back to back. The server sends each delta to the
     worker that holds its notebook, so ten clients of one identical notebook would all land
     on one worker;
   while one more client measures ``GET /api/status`` (jupyter-server's own cheapest route)
   under the same load: the baseline the review latency is divided by;
4. prints p50 / p95 / max latency, requests/s, errors, and the longest event-loop stall measured
   inside the server by the extension's loop-lag monitor (``stats.loop`` of
   ``GET /api/wellml/info``) during that phase.

Targets (issue 5): 10 clients: p95 <= 100 ms (checked for both the saturated ``edited`` and the
paced ``sidebar`` phases) and loop stall <= 50 ms; 50 clients: 0 errors. (Issue 14) 10 clients
back to back with incremental requests: p95 <= 50 ms.

Usage: ``python bench/server.py [--clients 10 50] [--seconds 10] [--cells 300] [--workers N]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h11
import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_notebook import big_notebook

MARKERS = 16  # code cells carrying an editable counter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, token: str, root: Path, log: Path, workers: int | None):
    traits = {
        "ServerApp.ip": "127.0.0.1",
        "ServerApp.port": port,
        "ServerApp.port_retries": 0,
        "ServerApp.open_browser": False,
        "ServerApp.root_dir": root,
        "ServerApp.jpserver_extensions": "{'jupyter_wellml': True}",
        "IdentityProvider.token": token,
    }
    cmd = [str(Path(sys.executable).parent / "jupyter"), "server"]
    cmd += [f"--{name}={value}" for name, value in traits.items()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root
    if workers:
        cmd.append(f"--WellMLExtension.review_workers={workers}")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)


def notebook_bodies(cells: int) -> tuple[bytes, list[bytes]]:
    """The request body, and for each marker the bytes a per-request edit replaces."""
    nb = big_notebook(cells)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    markers = []
    for k, cell in enumerate(code[:: max(1, len(code) // MARKERS)][:MARKERS]):
        marker = f"# wellml-bench-edit-{k:02d}-{0:09d}"
        src = cell["source"]
        cell["source"] = [*src, f"\n{marker}"] if isinstance(src, list) else f"{src}\n{marker}"
        markers.append(marker.encode())
    body = json.dumps({"path": "bench/big.ipynb", "notebook": nb}).encode()
    return body, markers


class Deltas:
    """Incremental request bodies: one edited code cell by id, as the sidebar sends them."""

    def __init__(self, cells: int):
        nb = big_notebook(cells)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        self.cells = code[:: max(1, len(code) // MARKERS)][:MARKERS]

    def body(self, n: int) -> bytes:
        cell = dict(self.cells[n % len(self.cells)])
        src = cell["source"]
        text = "".join(src) if isinstance(src, list) else src
        cell["source"] = f"{text}\n# wellml-bench-delta-{n:09d}"
        return json.dumps({"cells": {cell["id"]: cell}}).encode()


SHA256 = re.compile(rb'"sha256":\s*"([0-9a-f]{64})"')


def edited(body: bytes, markers: list[bytes], n: int) -> bytes:
    """``body`` with one comment changed: a different notebook for every ``n``."""
    marker = markers[n % len(markers)]
    return body.replace(marker, marker[:-9] + f"{n:09d}".encode(), 1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def cpu_seconds(server: psutil.Process) -> dict[str, float]:
    """CPU time used so far by the server process, its review workers, and this client."""
    t = server.cpu_times()
    workers = 0.0
    for child in server.children(recursive=True):
        try:
            c = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        workers += c.user + c.system
    me = psutil.Process().cpu_times()
    return {"server": t.user + t.system, "workers": workers, "client": me.user + me.system}


class Connection:
    """One keep-alive HTTP/1.1 connection (h11 over asyncio streams): a cheap load client, so
    the load generator leaves the machine's cores to the server it measures."""

    def __init__(self, host: str, port: int, headers: dict[str, str]):
        self.host, self.port = host, port
        self.headers = [("Host", f"{host}:{port}"), *headers.items()]
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.conn: h11.Connection | None = None

    async def request(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.conn is None or self.conn.our_state is not h11.IDLE:
            await self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.conn = h11.Connection(h11.CLIENT)
        conn = self.conn
        headers = [*self.headers, ("Content-Length", str(len(body)))]
        if body:
            headers.append(("Content-Type", "application/json"))
        data = conn.send(h11.Request(method=method, target=target, headers=headers))
        data += conn.send(h11.Data(data=body)) if body else b""
        data += conn.send(h11.EndOfMessage())
        self.writer.write(data)
        await self.writer.drain()
        status, chunks = 0, []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                received = await self.reader.read(1 << 18)
                if not received:
                    raise ConnectionError("the server closed the connection")
                conn.receive_data(received)
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        return status, b"".join(chunks)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = self.conn = None


async def phase(
    host: str,
    port: int,
    headers: dict,
    clients: int,
    seconds: float,
    make_body,
    server,
    think: float = 0.0,
    deltas: Deltas | None = None,
) -> dict:
    """``clients`` connections posting reviews for ``seconds``: back to back (``think`` 0, a
    saturation test) or, like the sidebar, waiting ``think`` seconds (its debounce) after each
    answer before the next edit is reviewed."""
    latencies: list[float] = []
    status_latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(10**12))
    connections = [Connection(host, port, headers) for _ in range(clients + 1)]
    deadline = time.perf_counter() + seconds

    async def reviewer(conn: Connection) -> None:
        base = None  # incremental: the notebook the server answered last
        while time.perf_counter() < deadline:
            n = next(counter)
            target = "/api/wellml/review"
            if deltas is not None and base is not None:
                content, target = deltas.body(n), f"{target}?base={base}"
            else:
                content = make_body(n)
            started = time.perf_counter()
            try:
                code, answer = await conn.request("POST", target, content)
                if deltas is not None:
                    found = SHA256.search(answer[:4096]) if code == 200 else None
                    base = found.group(1).decode() if found else None
                ok = code == 200 and answer.startswith(b"{")
                reason = str(code)
            except (OSError, h11.ProtocolError) as exc:
                ok, reason = False, type(exc).__name__
                await conn.close()
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors[reason] = errors.get(reason, 0) + 1
            if think:
                await asyncio.sleep(think)

    async def status_probe(conn: Connection) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            code, _ = await conn.request("GET", "/api/status")
            if code == 200:
                status_latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)

    cpu_before = cpu_seconds(server)
    began = time.perf_counter()
    await asyncio.gather(status_probe(connections[0]), *(reviewer(c) for c in connections[1:]))
    elapsed = time.perf_counter() - began
    cpu_after = cpu_seconds(server)
    _, answer = await connections[0].request("GET", "/api/wellml/info")
    info = json.loads(answer)
    for conn in connections:
        await conn.close()
    window = seconds + 1
    stall = max((ms for age, ms in info["stats"]["loop"]["recent"] if age <= window), default=0.0)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "max": max(latencies, default=float("nan")) * 1000,
        "status_p50": percentile(status_latencies, 50) * 1000,
        "status_p95": percentile(status_latencies, 95) * 1000,
        "stall_ms": stall,
        "stats": info["stats"]["reviews"],
        # cores busy on average during the phase (the machine's cores are shared by all three)
        "cpu": {k: (cpu_after[k] - cpu_before[k]) / elapsed for k in cpu_after},
        # CPU time the workers and the server spent per answered request: does not depend on
        # how much of the machine other work took
        "worker_ms_per_request": (cpu_after["workers"] - cpu_before["workers"])
        * 1000
        / max(1, len(latencies)),
        "server_ms_per_request": (cpu_after["server"] - cpu_before["server"])
        * 1000
        / max(1, len(latencies)),
    }


async def idle_baseline(base: str, headers: dict, body: bytes, markers, offset: int) -> dict:
    """One client, nothing else running: GET /api/status and a single edited review."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        status, review = [], []
        for _ in range(30):
            started = time.perf_counter()
            await client.get("/api/status")
            status.append(time.perf_counter() - started)
        for i in range(30):
            started = time.perf_counter()
            r = await client.post("/api/wellml/review", content=edited(body, markers, offset + i))
            r.raise_for_status()
            review.append(time.perf_counter() - started)
    return {
        "status_ms": statistics.median(status) * 1000,
        "review_ms": statistics.median(review) * 1000,
    }


async def run(args) -> int:
    token = secrets.token_hex(16)
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="wellml-bench-server-"))
    log = root / "server.log"
    proc = start_server(port, token, root, log, args.workers)
    server = psutil.Process(proc.pid)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    try:
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=5) as client:
            while True:
                if proc.poll() is not None:
                    print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
                    print("the server stopped before answering", file=sys.stderr)
                    return 2
                try:
                    if (await client.get("/api/wellml/info")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - started > 60:
                    print("the server did not answer within 60 s", file=sys.stderr)
                    return 2
                await asyncio.sleep(0.2)
            info = (await client.get("/api/wellml/info")).json()
        print(
            f"jupyter server on 127.0.0.1:{port} ready in {time.perf_counter() - started:.1f} s; "
            f"jupyter-wellml {info['version']}, {info['stats']['reviews']['workers']} review "
            f"workers, {os.cpu_count()} CPUs; load average before the run "
            f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares these CPUs)"
        )
        body, markers = notebook_bodies(args.cells)
        print(f"notebook: {args.cells} cells, request body {len(body) / 1024:.0f} KiB")
        # warm-up: the first review of the notebook fills the workers' per-cell caches
        await idle_baseline(base, headers, body, markers, 10**11)
        idle = await idle_baseline(base, headers, body, markers, 2 * 10**11)
        print(
            f"idle, one client: GET /api/status {idle['status_ms']:.2f} ms, "
            f"POST /api/wellml/review (edited) {idle['review_ms']:.1f} ms (medians of 30)"
        )
        header = (
            f"{'clients':>7} {'mode':>7} {'reqs':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'max ms':>8} {'errors':>6} {'stall ms':>8} {'status p95':>10} {'p95/status':>10}"
            f"  {'cores server/workers/client':>27}  {'CPU ms/req server+workers':>25}"
        )
        print(header)
        results = {}
        for clients in args.clients:
            for mode in args.modes:
                if mode in ("edited", "sidebar", "incremental"):
                    offset = clients * 10**7

                    def make(n, offset=offset):
                        return edited(body, markers, offset + n)
                else:

                    def make(n):
                        return body

                think = args.debounce_ms / 1000 if mode == "sidebar" else 0.0
                r = await phase(
                    "127.0.0.1",
                    port,
                    headers,
                    clients,
                    args.seconds,
                    make,
                    server,
                    think,
                    Deltas(args.cells) if mode == "incremental" else None,
                )
                results[(clients, mode)] = r
                errs = sum(r["errors"].values())
                print(
                    f"{clients:>7} {mode:>7} {r['requests']:>6} {r['rps']:>7.1f} {r['p50']:>8.1f} "
                    f"{r['p95']:>8.1f} {r['max']:>8.1f} {errs:>6} {r['stall_ms']:>8.1f} "
                    f"{r['status_p95']:>10.1f} {r['p95'] / r['status_p95']:>9.1f}x"
                    f"  {r['cpu']['server']:>9.2f}/{r['cpu']['workers']:.2f}/{r['cpu']['client']:.2f}"
                    f"  {r['server_ms_per_request']:>15.2f} + {r['worker_ms_per_request']:.2f}"
                    + (f"  {r['errors']}" if errs else "")
                )
        print("targets:")
        verdicts = []
        if (10, "edited") in results:
            r = results[(10, "edited")]
            verdicts.append(
                ("10 clients, edited: p95 <= 100 ms", r["p95"] <= 100, f"{r['p95']:.1f} ms")
            )
            verdicts.append(
                (
                    "10 clients, edited: loop stall <= 50 ms",
                    r["stall_ms"] <= 50,
                    f"{r['stall_ms']:.1f} ms",
                )
            )
        if (10, "sidebar") in results:
            r = results[(10, "sidebar")]
            verdicts.append(
                (
                    f"10 clients, sidebar pacing ({args.debounce_ms:.0f} ms debounce): p95 <= 100 ms",
                    r["p95"] <= 100,
                    f"{r['p95']:.1f} ms",
                )
            )
        if (10, "incremental") in results:
            r = results[(10, "incremental")]
            verdicts.append(
                (
                    "10 clients, incremental, back to back: p95 <= 50 ms",
                    r["p95"] <= 50,
                    f"{r['p95']:.1f} ms",
                )
            )
        if 50 in args.clients:
            errs = sum(
                sum(results[(50, m)]["errors"].values())
                for m in ("edited", "sidebar", "cached", "incremental")
            )
            verdicts.append(("50 clients: 0 errors", errs == 0, f"{errs} errors"))
        for text, ok, figure in verdicts:
            print(f"  {'PASS' if ok else 'MISS'}  {text}: {figure}")
        counts = json.dumps(list(results.values())[-1]["stats"])
        print(f"server review counters at the end: {counts}")
        return 0 if all(ok for _, ok, _ in verdicts) else 1
    finally:
        server.terminate()  # the server stops its review workers itself
        for left in psutil.wait_procs([server], timeout=15)[1]:
            left.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument(
        "--debounce-ms",
        type=float,
        default=150.0,
        help="sidebar mode: pause after each answer, as the sidebar's default debounce",
    )
    parser.add_argument("--workers", type=int, default=None, help="WellMLExtension.review_workers")
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=("edited", "sidebar", "cached", "incremental"),
        default=["edited", "sidebar", "cached", "incremental"],
    )
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
