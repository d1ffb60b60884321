"""A notebook using every ``%wellml`` subcommand, run headless by nbclient on a real ipykernel,
then ``jupyter wellml sync``: each record once and valid; a second run changes only ``updated``
and ``history``. Then every way sync can be handed a bad notebook."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from jupyter_wellml.catalog import schema
from jupyter_wellml.records import RECORD_MIME, kpi_status, natural_key, output_records

FIXTURE = Path(__file__).parent / "fixtures" / "magics" / "every_subcommand.ipynb"
CLI = Path(sys.executable).with_name("jupyter-wellml")


def wellml(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def execute(path: Path, ipython_dir: Path) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` in its folder with a python3 kernel, as Jupyter would start it
    (``JPY_SESSION_NAME`` names the notebook), and save the outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(path.parent)}}
    )
    env = {**os.environ, "JPY_SESSION_NAME": str(path), "IPYTHONDIR": str(ipython_dir)}
    client.execute(env=env)
    nbformat.write(nb, path)
    return nb


def records_of(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["metadata"]["wellml"]["records"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 + sync, a second sync, then run 2 + sync; the notebook's JSON after each step."""
    work = tmp_path_factory.mktemp("headless")
    ipython_dir = tmp_path_factory.mktemp("ipython")
    path = work / "every_subcommand.ipynb"
    shutil.copy(FIXTURE, path)
    out: dict[str, object] = {"path": path, "work": work}
    out["executed1"] = execute(path, ipython_dir)
    out["sync1"] = wellml("sync", str(path))
    out["after1"] = path.read_bytes()
    out["sync1b"] = wellml("sync", str(path))
    out["after1b"] = path.read_bytes()
    out["executed2"] = execute(path, ipython_dir)
    out["sync2"] = wellml("sync", str(path))
    out["after2"] = path.read_bytes()
    return out


pytestmark = pytest.mark.slow


def test_every_subcommand_ran_without_error(runs):
    nb = runs["executed1"]
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    displayed = output_records(nb.cells)
    kinds = {f.record["kind"] for f in displayed}
    assert kinds == {"phase", "kpi", "data", "explain", "waiver", "attest"}
    for c in nb.cells:
        for o in c.get("outputs", []):
            if RECORD_MIME in o.get("data", {}):
                payload = o["data"][RECORD_MIME]
                assert schema.errors_for_definition("record.v1", "payload", payload) == []
                assert o["data"]["text/plain"].startswith("wellml recorded:")
                assert "text/html" in o["data"]


def test_after_sync_each_record_is_there_once_and_validates(runs):
    assert runs["sync1"].returncode == 0, runs["sync1"].stderr
    assert "written" in runs["sync1"].stdout
    nb = json.loads(runs["after1"])
    store = nb["metadata"]["wellml"]
    assert schema.errors_for_definition("record.v1", "metadata", store) == []
    records = store["records"]
    keys = [natural_key(r) for r in records]
    assert len(keys) == len(set(keys))
    displayed = {natural_key(f.record) for f in output_records(nb["cells"])}
    assert set(keys) == displayed  # every displayed decision, once
    for r in records:
        assert schema.errors("record.v1", r) == []
        if r["kind"] == "kpi":
            assert r["status"] == kpi_status(r)
    # phase markers carry the cells they were run in
    phase_cells = {r["cell_id"] for r in records if r["kind"] == "phase"}
    marker_cells = {
        c["id"] for c in nb["cells"] if "".join(c["source"]).startswith("%wellml phase")
    }
    assert phase_cells == marker_cells
    # the local file was hashed as the kernel wrote it
    train = next(r for r in records if r["kind"] == "data" and r["uri"] == "train.csv")
    body = (runs["work"] / "train.csv").read_bytes()
    assert (train["size"], train["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
    # measurements kept their targets
    accuracy = next(r for r in records if r["kind"] == "kpi" and r["name"] == "accuracy")
    assert (accuracy["op"], accuracy["target"]) == (">=", 0.92)
    assert isinstance(accuracy["measured"], float) and accuracy["measured_at"]
    # what other tools keep in the metadata survived
    assert nb["metadata"]["other_tool"] == {"keep": "me"}
    assert store["team_note"] == "kept by every sync"


def test_syncing_again_changes_nothing(runs):
    assert runs["sync1b"].returncode == 0
    assert "already in sync" in runs["sync1b"].stdout
    assert runs["after1b"] == runs["after1"]


def test_a_second_run_changes_only_updated_and_history(runs):
    assert runs["sync2"].returncode == 0, runs["sync2"].stderr
    first = {r["id"]: r for r in json.loads(runs["after1"])["metadata"]["wellml"]["records"]}
    second = {r["id"]: r for r in json.loads(runs["after2"])["metadata"]["wellml"]["records"]}
    assert first.keys() == second.keys()
    for rid, before in first.items():
        after = second[rid]
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        # rev: the id of the run-2 record whose (same) values the stored record now holds
        assert changed <= {"updated", "history", "rev"}, (before["kind"], changed)
        assert after["updated"] >= before["updated"]
    assert json.loads(runs["after2"])["metadata"]["other_tool"] == {"keep": "me"}


def test_status_in_the_second_run_reads_the_synced_notebook(runs):
    nb = runs["executed2"]
    status = next(c for c in nb.cells if "".join(c.source).strip() == "%wellml status")
    text = status.outputs[0]["data"]["text/plain"]
    text = "".join(text) if isinstance(text, list) else text
    n = len(json.loads(runs["after1"])["metadata"]["wellml"]["records"])
    assert text.startswith("wellml status of every_subcommand.ipynb")
    assert f"records ({n}, " in text
    assert "phase: model_development (recorded: %wellml phase training in cell" in text
    review = next(c for c in nb.cells if "".join(c.source).strip() == "%wellml review")
    assert "application/vnd.jupyter.widget-view+json" in review.outputs[0]["data"]


# ---------------------------------------------------------------- bad notebooks, --check
def _synced_copy(tmp_path, runs) -> Path:
    path = tmp_path / "nb.ipynb"
    path.write_bytes(runs["after1"])
    return path


def _unsynced(tmp_path, runs) -> Path:
    nb = json.loads(runs["after1"])
    nb["metadata"]["wellml"]["records"] = []
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1), "utf-8")
    return path


def test_check_reports_out_of_sync_without_writing(tmp_path, runs):
    path = _unsynced(tmp_path, runs)
    os.chmod(path, 0o640)
    before = path.read_bytes()
    res = wellml("sync", str(path), "--check")
    assert res.returncode == 1 and "out of sync" in res.stdout
    assert path.read_bytes() == before
    res = wellml("sync", str(path))
    assert res.returncode == 0 and "written" in res.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]  # no temporary file left
    assert wellml("sync", str(path), "--check").returncode == 0


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON: "),
        (lambda text: json.dumps({"metadata": {}}), "not a notebook"),
        (
            lambda text: text.replace('"wellml": {', '"wellml": "handwritten", "was": {', 1),
            "metadata.wellml is str, not an object",
        ),
        (
            lambda text: text.replace('"target": 0.92', '"target": "high"', 1),
            "kpi record, field target",
        ),
    ],
    ids=["truncated", "no-cells", "wellml-not-an-object", "invalid-record"],
)
def test_bad_notebooks_are_refused_and_left_untouched(tmp_path, runs, damage, expected):
    path = _synced_copy(tmp_path, runs)
    text = damage(path.read_text("utf-8"))
    assert text != path.read_text("utf-8")
    path.write_text(text, "utf-8")
    res = wellml("sync", str(path))
    assert res.returncode == 2
    assert expected in res.stderr and str(path) in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert path.read_text("utf-8") == text


def test_missing_arguments_and_files(tmp_path):
    res = wellml("sync")
    assert res.returncode == 2 and "give one or more notebooks" in res.stderr
    res = wellml("sync", str(tmp_path / "none.ipynb"))
    assert res.returncode == 2 and "no such file" in res.stderr


# ---------------------------------------------------------------- issue 12: sync never loses
def _measured_notebook(path: Path, values=(0.85, 0.91, 0.95)) -> Path:
    """Three ``%wellml kpi accuracy --measured`` outputs after the target, as a run leaves them."""
    from jupyter_wellml.records import build, mimebundle

    target = build("kpi", {"name": "accuracy", "op": ">=", "target": 0.9}).record
    records = [target] + [
        build("kpi", {"name": "accuracy", "measured": v}, known=lambda _: target).record
        for v in values
    ]
    cells = [
        {
            "cell_type": "code",
            "id": f"m{i}",
            "metadata": {},
            "execution_count": i + 1,
            "source": "%wellml kpi accuracy",
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": mimebundle([r])}],
        }
        for i, r in enumerate(records)
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"keep": 1}, "cells": cells}
    path.write_text(json.dumps(nb, indent=1))
    return path


def test_sync_is_idempotent_after_three_measurements(tmp_path):
    path = _measured_notebook(tmp_path / "kpi.ipynb")
    first = wellml("sync", str(path))
    assert first.returncode == 0 and "written" in first.stdout, first.stderr
    after = path.read_bytes()
    (record,) = json.loads(after)["metadata"]["wellml"]["records"]
    assert (record["measured"], record["status"]) == (0.95, "met")
    for _ in range(3):
        again = wellml("sync", str(path))
        assert again.returncode == 0 and "up to date" in again.stdout, again.stdout
        assert path.read_bytes() == after
    check = wellml("sync", "--check", str(path))
    assert check.returncode == 0, check.stdout


def test_sync_writes_the_real_file_behind_a_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    real = _measured_notebook(tmp_path / "real" / "kpi.ipynb")
    link = tmp_path / "link.ipynb"
    link.symlink_to(real)
    done = wellml("sync", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["metadata"]["wellml"]["records"][0]["measured"] == 0.95
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["kpi.ipynb"]  # no temp file left


def test_sync_never_loses_a_save_made_while_it_runs(tmp_path):
    """Another program keeps reading the file, appending a cell and saving it (in place, as
    jupyter-server does, and by rename) while sync runs 20 times: every appended cell is in the
    file at the end."""
    import threading

    path = _measured_notebook(tmp_path / "busy.ipynb")
    model = json.loads(path.read_text())
    # a notebook of some size: sync's read-to-write window is then as long as a real one's
    model["cells"] += [
        {"cell_type": "markdown", "id": f"p{i}", "metadata": {}, "source": "text " * 40}
        for i in range(3000)
    ]
    path.write_text(json.dumps(model, indent=1))
    stop = threading.Event()
    appended: list[str] = []

    def editor() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            model = json.loads(path.read_text())
            model["cells"].append(
                {"cell_type": "markdown", "id": f"e{n}", "metadata": {}, "source": f"edit {n}"}
            )
            text = json.dumps(model, indent=1)
            if n % 2:
                with open(path, "w", encoding="utf-8") as fh:  # in place, not atomic
                    fh.write(text)
            else:
                tmp = path.with_suffix(".tmp")
                tmp.write_text(text)
                os.replace(tmp, path)
            appended.append(f"e{n}")
            time.sleep(0.002)

    thread = threading.Thread(target=editor)
    thread.start()
    outcomes = []
    try:
        for _ in range(20):
            done = wellml("sync", str(path))
            assert "Traceback" not in done.stderr, done.stderr
            outcomes.append(done.returncode)
    finally:
        stop.set()
        thread.join()
    assert set(outcomes) <= {0, 2}
    ids = {c.get("id") for c in json.loads(path.read_text())["cells"]}
    lost = [i for i in appended if i not in ids]
    assert lost == [], f"{len(lost)} of {len(appended)} appended cells lost"


def _run_limited(args, **limits):
    """Run the CLI with resource limits (RLIMIT_FSIZE: the largest file it may write)."""
    import resource

    def limit() -> None:
        for name, value in limits.items():
            resource.setrlimit(getattr(resource, name), (value, value))

    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=120, preexec_fn=limit
    )


def test_sync_on_a_full_disk_is_one_line_and_exit_2_and_changes_nothing(tmp_path):
    path = _measured_notebook(tmp_path / "full.ipynb")
    before = path.read_bytes()
    done = _run_limited(["sync", str(path)], RLIMIT_FSIZE=len(before) // 2)
    assert done.returncode == 2, (done.stdout, done.stderr)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"jupyter wellml sync: error: {path}: cannot write: File too large")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["full.ipynb"]


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder sync cannot write in: a read-only tmpfs as root, a folder without write
    permission otherwise."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        yield folder, lambda: folder.chmod(0o555), lambda: folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)])
    if mounted.returncode != 0:
        pytest.skip("root without the right to mount a tmpfs: no read-only folder to test with")
    try:
        yield (
            folder,
            lambda: subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True),
            lambda: None,
        )
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_sync_in_a_read_only_folder_is_one_line_and_exit_2(read_only_folder):
    folder, lock, unlock = read_only_folder
    path = _measured_notebook(folder / "ro.ipynb")
    before = path.read_bytes()
    lock()
    try:
        done = wellml("sync", str(path))
    finally:
        unlock()
    assert done.returncode == 2, (done.stdout, done.stderr)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"jupyter wellml sync: error: {path}: cannot write: ")
    assert path.read_bytes() == before


def test_sync_attempts_every_file_and_reports_each(tmp_path):
    good = _measured_notebook(tmp_path / "good.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    missing = tmp_path / "missing.ipynb"
    done = wellml("sync", str(broken), str(missing), str(good))
    assert done.returncode == 2
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 2 and "broken.ipynb" in errors[0] and "missing.ipynb" in errors[1]
    assert f"{good}: 1 added, 3 updated; written" in done.stdout
    assert json.loads(good.read_text())["metadata"]["wellml"]["records"][0]["measured"] == 0.95
