"""Soak (issue 12): for 60 s, on the same two notebooks at once,

* a real kernel per notebook runs ``%wellml kpi ... --measured`` with ever larger values (and
  ``%wellml status`` now and then), and a "frontend" saves each executed cell into the notebook
  in place, as jupyter-server saves (read, append, write: not atomic);
* a sidebar-style client reviews the notebooks as they are on disk through the REST API of a
  real ``jupyter server``;
* ``jupyter wellml sync`` runs over both, unlocked (racing the saves), then twice more while the
  frontend holds its saves: the second of those must change nothing.

Then: 0 records lost (every executed cell and every KPI's last value are in the file), 0 stale
values (no review and no status shows a value older than the newest it was given), every sync
of already-synced content a no-op. ``SOAK_SECONDS`` shortens or lengthens the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jupyter_wellml.records import RECORD_MIME

from .builders import one_cell_notebook
from .servers import jupyter_server

pytestmark = pytest.mark.slow

CLI = Path(sys.executable).with_name("jupyter-wellml")
SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
KPIS = ("k0", "k1", "k2")


def _notebook() -> dict:
    return one_cell_notebook(
        "import pandas as pd\ndf = pd.read_csv('s3://bucket/train.csv')", "setup"
    )


def _records(nb: dict) -> list[dict]:
    """Every record in a notebook: its metadata's and its outputs'."""
    found = list(((nb.get("metadata") or {}).get("wellml") or {}).get("records") or [])
    for cell in nb.get("cells", []):
        for out in cell.get("outputs") or []:
            payload = (out.get("data") or {}).get(RECORD_MIME)
            if payload:
                found.extend(payload.get("records", []))
    return found


def _newest(nb: dict) -> dict[str, float]:
    """The newest measurement of each KPI the notebook holds (values only grow in this test)."""
    best: dict[str, float] = {}
    for r in _records(nb):
        if r.get("kind") == "kpi" and r.get("measured") is not None:
            best[r["name"]] = max(best.get(r["name"], -1), r["measured"])
    return best


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = {
            "magics": 0,
            "saves": 0,
            "reviews": 0,
            "review_errors": 0,
            "stale_reviews": 0,
            "statuses": 0,
            "stale_statuses": 0,
            "syncs": 0,
            "sync_refusals": 0,
            "sync_failures": 0,
            "noop_checks": 0,
            "noop_failures": 0,
        }
        self.problems: list[str] = []

    def add(self, key: str, problem: str | None = None) -> None:
        with self.lock:
            self.counts[key] += 1
            if problem and len(self.problems) < 20:
                self.problems.append(problem)


class Frontend(threading.Thread):
    """A kernel for one notebook and the program that saves its executed cells."""

    def __init__(self, path: Path, ipython_dir: Path, tally: Tally, save_lock, stop) -> None:
        super().__init__(daemon=True)
        self.path, self.tally, self.save_lock, self.stop = path, tally, save_lock, stop
        self.ipython_dir = ipython_dir
        self.last: dict[str, float] = {}
        self.cells: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from jupyter_client import KernelManager

        km = KernelManager(kernel_name="python3")
        env = {
            **os.environ,
            "JPY_SESSION_NAME": str(self.path),
            "IPYTHONDIR": str(self.ipython_dir),
        }
        km.start_kernel(env=env, cwd=str(self.path.parent))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            self._execute(kc, "%load_ext jupyter_wellml", keep=False)
            for name in KPIS:
                self._execute(kc, f"%wellml kpi {name} >= 0.5")
            i = 0
            while not self.stop.is_set():
                i += 1
                name = KPIS[i % len(KPIS)]
                value = round(i / 1000, 3)
                self._execute(kc, f"%wellml kpi {name} --measured {value}")
                self.last[name] = value
                if i % 10 == 0:
                    self._status(kc)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def _execute(self, kc, code: str, keep: bool = True) -> list[dict]:
        outputs: list[dict] = []

        def hook(msg) -> None:
            kind = msg["msg_type"]
            if kind in ("display_data", "execute_result"):
                content = msg["content"]
                out = {"output_type": "display_data", "data": content["data"], "metadata": {}}
                outputs.append(out)
            elif kind == "error":
                raise AssertionError(f"{code}: {msg['content']['evalue']}")

        reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
        assert reply["content"]["status"] == "ok", (code, reply["content"])
        self.tally.add("magics")
        if keep:
            self._save(code, outputs)
        return outputs

    def _save(self, code: str, outputs: list[dict]) -> None:
        cell_id = f"x{len(self.cells)}"
        cell = {
            "cell_type": "code",
            "id": cell_id,
            "metadata": {},
            "execution_count": len(self.cells) + 1,
            "outputs": outputs,
            "source": code,
        }
        with self.save_lock:
            nb = json.loads(self.path.read_text("utf-8"))
            nb["cells"].append(cell)
            with open(self.path, "w", encoding="utf-8") as fh:  # in place, as jupyter-server
                fh.write(json.dumps(nb, indent=1))
        self.cells.append(cell_id)
        self.tally.add("saves")

    def _status(self, kc) -> None:
        (out,) = self._execute(kc, "%wellml status", keep=False)
        text = out["data"]["text/plain"]
        for name, value in self.last.items():
            line = next((x for x in text.splitlines() if f"KPI {name} " in x), "")
            if f"measured {value:g}:" not in line:
                self.tally.add("stale_statuses", f"{self.path.name}: {line!r}, last {value}")
        self.tally.add("statuses")


def _reviewer(server, paths: list[Path], tally: Tally, stop) -> None:
    with server.client() as client:
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                nb = json.loads(path.read_text("utf-8"))
            except ValueError:
                continue  # caught mid-save: the sidebar reviews its own model, never half a file
            response = client.post("/api/wellml/review", json={"notebook": nb, "path": path.name})
            if response.status_code != 200:
                tally.add("review_errors", f"{response.status_code}: {response.text[:200]}")
                continue
            newest = _newest(nb)
            for found in response.json()["records"]:
                r = found["record"]
                if r["kind"] == "kpi" and r.get("measured") != newest.get(r["name"]):
                    tally.add(
                        "stale_reviews", f"{r['name']}: {r.get('measured')} != {newest[r['name']]}"
                    )
            tally.add("reviews")


def _sync(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), "sync", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _syncer(paths: list[Path], tally: Tally, save_lock, stop) -> None:
    while not stop.is_set():
        free = _sync(*map(str, paths))  # racing the saves
        if free.returncode == 2 and all(
            "changed while it was synced" in line or "not valid JSON" in line
            for line in free.stderr.strip().splitlines()
        ):
            tally.add("sync_refusals")
        elif free.returncode != 0:
            tally.add("sync_failures", free.stderr.strip())
        tally.add("syncs")
        with save_lock:  # the saves wait: a sync of synced content must change nothing
            first = _sync(*map(str, paths))
            before = [p.read_bytes() for p in paths]
            again = _sync(*map(str, paths))
            check = _sync("--check", *map(str, paths))
            after = [p.read_bytes() for p in paths]
        tally.add("syncs")
        if first.returncode != 0:
            tally.add("sync_failures", first.stderr.strip())
            continue
        tally.add("noop_checks")
        if (
            again.returncode != 0
            or again.stdout.count("up to date") != len(paths)
            or check.returncode != 0
            or before != after
        ):
            tally.add("noop_failures", again.stdout + again.stderr + check.stdout)
        time.sleep(0.2)


def test_soak_magics_reviews_and_sync_on_the_same_notebooks(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    paths = [root / f"nb{i}.ipynb" for i in range(2)]
    for p in paths:
        p.write_text(json.dumps(_notebook(), indent=1))
    tally, stop, save_lock = Tally(), threading.Event(), threading.Lock()
    with jupyter_server(root, "--WellMLExtension.review_workers=2") as server:
        frontends = [
            Frontend(p, tmp_path / f"ipython{i}", tally, save_lock, stop)
            for i, p in enumerate(paths)
        ]
        for f in frontends:
            f.start()
        others = [
            threading.Thread(target=_reviewer, args=(server, paths, tally, stop), daemon=True),
            threading.Thread(target=_syncer, args=(paths, tally, save_lock, stop), daemon=True),
        ]
        for t in others:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in [*frontends, *others]:
            t.join(180)
    for f in frontends:
        assert f.error is None, repr(f.error)
    # quiet now: one sync brings every record in, every later one changes nothing
    assert _sync(*map(str, paths)).returncode == 0
    settled = [p.read_bytes() for p in paths]
    for _ in range(3):
        again = _sync(*map(str, paths))
        assert again.stdout.count("up to date") == len(paths), again.stdout
    assert _sync("--check", *map(str, paths)).returncode == 0
    assert [p.read_bytes() for p in paths] == settled
    lost = []
    for f in frontends:
        nb = json.loads(f.path.read_text("utf-8"))
        cells = {c.get("id") for c in nb["cells"]}
        lost += [c for c in f.cells if c not in cells]
        stored = {r["name"]: r for r in nb["metadata"]["wellml"]["records"] if r["kind"] == "kpi"}
        for name, value in f.last.items():
            if stored.get(name, {}).get("measured") != value:
                lost.append(f"{f.path.name} {name}: {stored.get(name)} != {value}")
    c = tally.counts
    print(f"\nsoak {SECONDS:g} s: {json.dumps(c)}")
    assert lost == [], lost
    assert c["stale_reviews"] == 0 and c["stale_statuses"] == 0, tally.problems
    assert c["review_errors"] == 0 and c["sync_failures"] == 0, tally.problems
    assert c["noop_failures"] == 0, tally.problems
    assert c["magics"] > SECONDS and c["reviews"] > SECONDS / 2 and c["noop_checks"] >= 2, c
