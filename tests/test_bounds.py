"""Issue 12's attacks, each turned into a test: records never stale, malformed content never a
crash, every input bounded in time and memory (lens YAML, team-lens regexes, rule evaluation,
huge notebooks, environment probes). Real files, real subprocesses, the real CLI."""

from __future__ import annotations

import copy
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from jupyter_wellml.catalog import check_lens_dir, load_catalog
from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.environment import ProbeError, kernel_command, probe
from jupyter_wellml.records import (
    RECORD_MIME,
    build,
    mimebundle,
    notebook_records,
    record_time,
    time_key,
    upsert,
    version,
)

from .builders import text_rule_practice, write_lens
from .conftest import FIXTURES

CLI = Path(sys.executable).with_name("jupyter-wellml")
VENV_PYTHON = Path(sys.executable)


def wellml(*args: str, timeout: float = 120, env: dict | None = None, **kw):
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
        **kw,
    )


def notebook(cells=(), metadata=None, nbformat=4) -> dict:
    return {
        "nbformat": nbformat,
        "nbformat_minor": 5,
        "metadata": metadata or {},
        "cells": list(cells),
    }


def code(source: str, outputs=(), cell_id: str | None = None) -> dict:
    return {
        "cell_type": "code",
        "id": cell_id or f"c{abs(hash(source)) % 10**8}",
        "metadata": {},
        "execution_count": 1,
        "outputs": list(outputs),
        "source": source,
    }


def shown(records) -> dict:
    """A display_data output of ``records``, as a ``%wellml`` magic leaves it."""
    return {"output_type": "display_data", "metadata": {}, "data": mimebundle(list(records))}


def kpi(measured, *, updated: str, rid: str) -> dict:
    record = build("kpi", {"name": "accuracy", "op": ">=", "target": 0.9}).record
    record.update(id=rid, created=updated, updated=updated, measured=measured)
    record["status"] = "met" if measured >= 0.9 else "missed"
    return record


# ---------------------------------------------------------------- records: newest wins
def test_an_older_output_never_overwrites_a_newer_metadata_value(wellml_catalog):
    """Metadata holds 0.95 (newer); a saved output still holds 0.85 (older, another id)."""
    newer = kpi(0.95, updated="2026-11-22T10:05:00Z", rid="bbbbbbbbbbbb")
    older = kpi(0.85, updated="2026-11-22T10:00:00Z", rid="aaaaaaaaaaaa")
    nb = notebook(
        [code("%wellml kpi accuracy --measured 0.85", [shown([older])])],
        {"wellml": {"version": 1, "records": [newer]}},
    )
    (found,) = review(nb, wellml_catalog).records
    assert (found.record["measured"], found.record["status"]) == (0.95, "met")
    assert found.record["updated"] == newer["updated"]


def test_editions_of_the_same_instant_merge_alike_in_any_order():
    """Three measurements in the same second (the old second-precision stamps): whatever the
    order they arrive in, the same one wins, and merging them again changes nothing."""
    editions = [
        kpi(m, updated="2026-11-22T10:00:00Z", rid=rid)
        for m, rid in ((0.91, "cccccccccccc"), (0.85, "aaaaaaaaaaaa"), (0.97, "bbbbbbbbbbbb"))
    ]
    results = set()
    for order in itertools.permutations(editions):
        store = {"version": 1, "records": []}
        for r in order:
            upsert(store, copy.deepcopy(r))
        before = json.dumps(store, sort_keys=True)
        assert {upsert(store, copy.deepcopy(r)) for r in editions} == {"unchanged"}
        assert json.dumps(store, sort_keys=True) == before
        results.add(store["records"][0]["measured"])
    assert results == {0.91}  # the largest id of the same instant: cccccccccccc


def test_record_times_are_precise_and_always_increase():
    stamps = [record_time() for _ in range(200)]
    keys = [time_key(s) for s in stamps]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(s.endswith("Z") and "." in s for s in stamps)
    a = build("kpi", {"name": "f1", "measured": 0.1}).record
    b = build("kpi", {"name": "f1", "measured": 0.2}).record
    assert version(b) > version(a)


def test_time_keys_compare_instants_not_text():
    assert time_key("2026-11-22T12:00:00+02:00") == time_key("2026-11-22T10:00:00Z")
    assert time_key("2026-11-22T10:00:00Z") < time_key("2026-11-22T10:00:00.5Z")
    assert time_key("2026-11-22T09:59:59.999Z") < time_key("2026-11-22T10:00:00Z")
    assert time_key("yesterday") == time_key(None) == ""


# ---------------------------------------------------------------- malformed content
MALFORMED = {
    "data is a string": (
        notebook(
            [code("print(1)", [{"output_type": "display_data", "data": "oops", "metadata": {}}])]
        ),
        "its data is a str",
    ),
    "traceback of numbers": (
        notebook(
            [
                code(
                    "1/0",
                    [{"output_type": "error", "ename": "E", "evalue": "v", "traceback": [1, 2]}],
                )
            ]
        ),
        "traceback is not a list of texts",
    ),
    "waiver reason null": (
        notebook(
            [code("x = 1")],
            {
                "wellml": {
                    "version": 1,
                    "records": [
                        {
                            "id": "abcdef123456",
                            "kind": "waiver",
                            "created": "2026-01-01T00:00:00Z",
                            "updated": "2026-01-01T00:00:00Z",
                            "practice": "MLSEC03-BP03",
                            "reason": None,
                            "note": "x",
                        }
                    ],
                }
            },
        ),
        "field reason must be text, got null",
    ),
    "kpi target text": (
        notebook(
            [
                code(
                    "x = 1",
                    [
                        shown(
                            [
                                dict(
                                    kpi(0.5, updated="2026-01-01T00:00:00Z", rid="dddddddddddd"),
                                    target="high",
                                )
                            ]
                        )
                    ],
                )
            ]
        ),
        "field target must be a number",
    ),
    "nbformat 99": (notebook([code("x = 1")], nbformat=99), "nbformat 99 is newer"),
    "metadata.wellml a string": (
        notebook([code("x = 1")], {"wellml": "hello"}),
        "metadata.wellml is a str",
    ),
    "metadata.wellml a list": (
        notebook([code("x = 1")], {"wellml": [1, 2]}),
        "metadata.wellml is a list",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_content_is_an_errors_entry_and_the_notebook_is_still_reviewed(
    case, wellml_catalog
):
    nb, expected = MALFORMED[case]
    result = review(copy.deepcopy(nb), wellml_catalog)
    messages = [e["message"] for e in result.to_json()["errors"]]
    assert any(expected in m for m in messages), messages
    assert len(result.findings) == len(wellml_catalog)


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_content_never_gives_a_traceback_on_the_cli(case, tmp_path):
    nb, expected = MALFORMED[case]
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(nb))
    done = wellml("review", str(path), "--format", "json", "--no-cache")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert expected in done.stdout
    card = wellml("card", str(path))
    assert card.returncode == 0 and "Traceback" not in card.stderr, card.stderr
    notes = [line for line in card.stderr.splitlines() if "note:" in line]
    assert notes and all(expected in n or "note:" in n for n in notes), card.stderr
    assert any(expected in n for n in notes)


def test_a_malformed_output_never_stops_sync_or_record_reading():
    bad = {"output_type": "display_data", "data": "oops", "metadata": {}}
    good = kpi(0.95, updated="2026-11-22T10:05:00Z", rid="bbbbbbbbbbbb")
    nb = notebook([code("x", [bad, shown([good]), 7])])
    problems: list = []
    found = notebook_records(nb, problems)
    assert [f.record["measured"] for f in found] == [0.95]


@pytest.mark.parametrize("command", ["review", "card", "sync"])
def test_output_into_a_missing_folder_is_one_line_and_exit_2(command, tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook([code("x = 1")])))
    done = wellml(command, str(path), "-o", str(tmp_path / "missing" / "out.txt"))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "cannot write" in line and "No such file or directory" in line, line
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- YAML bounds
BILLION_LAUGHS = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def _team_lens(tmp_path: Path, name: str, practice_text: str) -> Path:
    lens = tmp_path / name
    shutil.copytree(FIXTURES / "lenses" / "team-ok", lens)
    shutil.rmtree(lens / "practices" / "overrides")
    (lens / "practices" / "security" / "AGENCY-SEC-01.yaml").write_text(practice_text)
    return lens


def test_a_billion_laughs_practice_is_refused_at_once_with_its_line(tmp_path):
    lens = _team_lens(tmp_path, "laughs", BILLION_LAUGHS)
    started = time.monotonic()
    done = wellml("lens", "check", str(lens), timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert "AGENCY-SEC-01.yaml:5: /: YAML error: the aliases of this value expand" in done.stdout


def test_a_billion_laughs_lens_in_a_data_dir_does_not_stop_loading(tmp_path, monkeypatch):
    """Lens folders in Jupyter data dirs load by themselves: one such file must not hang every
    server that starts; the rest of the catalog loads and the file is reported."""
    data = tmp_path / "data"
    lens_root = data / "wellml" / "lenses"
    lens_root.mkdir(parents=True)
    _team_lens(lens_root, "laughs", BILLION_LAUGHS)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    monkeypatch.setenv("WELLML_CACHE_DIR", str(tmp_path / "cache"))
    started = time.monotonic()
    catalog = load_catalog([])
    assert time.monotonic() - started < 30
    assert len(catalog) >= 105
    assert any("billion laughs" in str(i) for i in catalog.issues)


def test_a_recursive_alias_and_an_oversized_file_are_refused(tmp_path):
    lens = _team_lens(tmp_path, "loop", "a: &a [1, *a]\n")
    _, issues = check_lens_dir(lens)
    assert any("recursive alias" in i.message and i.line == 1 for i in issues), issues
    big = _team_lens(tmp_path, "big", "x: " + "y" * (2 << 20) + "\n")
    _, issues = check_lens_dir(big)
    assert any("a lens file may have" in i.message for i in issues), issues


# ---------------------------------------------------------------- regexes and the rule budget
def _regex_lens(tmp_path: Path, name: str, pattern: str) -> Path:
    practice = text_rule_practice("EVIL-SEC-01", pattern)
    return write_lens(tmp_path, name, "A lens with one text rule", {"EVIL-SEC-01.yaml": practice})


def _evil_notebook(tmp_path: Path) -> Path:
    path = tmp_path / "evil.ipynb"
    path.write_text(json.dumps(notebook([code("x = 1\n# " + "a" * 40 + "!\n")])))
    return path


def test_lens_check_reports_a_catastrophic_regex_by_file_and_line(tmp_path):
    lens = _regex_lens(tmp_path, "evil", "(a+)+$")
    done = wellml("lens", "check", str(lens), timeout=60)
    assert done.returncode == 1
    assert "EVIL-SEC-01.yaml:13: /rules/0/pattern: rule evil:" in done.stdout
    assert "exponential" in done.stdout


def test_a_catastrophic_regex_lens_does_not_hang_the_cli(tmp_path):
    lens = _regex_lens(tmp_path, "evil", "(a+)+$")
    started = time.monotonic()
    done = wellml(
        "review", "--lens-path", str(lens), str(_evil_notebook(tmp_path)), "--no-cache", timeout=90
    )
    assert time.monotonic() - started < 30
    assert done.returncode in (0, 1), done.stderr


def test_a_slow_regex_the_check_lets_through_stops_at_the_rule_budget(tmp_path):
    """``(a|a)*$`` passes the static check (the parser folds it into a class) but is slow on a
    backtracking engine: the budget stops it and the review names the rule and its line."""
    lens = _regex_lens(tmp_path, "slow", "(a|a)*$")
    assert check_lens_dir(lens)[1] == []
    started = time.monotonic()
    done = wellml(
        "review",
        "--lens-path",
        str(lens),
        str(_evil_notebook(tmp_path)),
        "--format",
        "json",
        "--no-cache",
        env={"WELLML_RULE_BUDGET": "1"},
        timeout=90,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed
    out = json.loads(done.stdout)
    (ran_out,) = [e for e in out["errors"] if "time budget" in e["message"]]
    assert "rule EVIL-SEC-01/evil (" in ran_out["message"]
    assert "EVIL-SEC-01.yaml:10)" in ran_out["message"]
    evil = next(p for p in out["practices"] if p["id"] == "EVIL-SEC-01")
    assert evil["status"] == "unknown" and evil["evidence"][0]["effect"] == "timeout"


# ---------------------------------------------------------------- size and memory
def _peak_of(cmd: list[str], timeout: float) -> tuple[int, str, float, int]:
    """Run ``cmd`` as the only child of a fresh interpreter: its exit code, the end of its
    standard error, its seconds and its peak resident memory in bytes."""
    script = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "print(json.dumps([done.returncode, done.stderr.decode()[-5000:], "
        "time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    outer = subprocess.run(
        [sys.executable, "-c", script, *cmd], capture_output=True, text=True, timeout=timeout
    )
    assert outer.returncode == 0, outer.stderr
    returncode, err, seconds, peak_kb = json.loads(outer.stdout)
    return returncode, err, seconds, peak_kb * 1024


def _big_single_cell(path: Path, size: int = 20_000_000) -> Path:
    lines, total, i = [], 0, 0
    while total < size:
        line = f"df_{i} = pd.read_csv('s3://bucket/file_{i}.csv')\n"
        lines.append(line)
        total += len(line)
        i += 1
    path.write_text(json.dumps(notebook([code("".join(lines), cell_id="big")])))
    return path


@pytest.mark.slow
def test_a_20_mb_single_cell_notebook_is_reviewed_in_bounded_time_and_memory(tmp_path):
    path = _big_single_cell(tmp_path / "big.ipynb")
    report = tmp_path / "review.json"
    returncode, err, seconds, peak = _peak_of(
        [str(CLI), "review", str(path), "--format", "json", "--no-cache", "-o", str(report)],
        timeout=300,
    )
    assert returncode in (0, 1), err
    assert seconds < 15, seconds
    assert peak < 600 << 20, f"{peak >> 20} MiB"
    out = json.loads(report.read_text())
    (cut,) = [e for e in out["errors"] if "were inspected" in e["message"]]
    assert cut["cell"] == 0 and "19.1 MiB of source" in cut["message"]


# ---------------------------------------------------------------- environment probes
def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def _leftovers(marker: str) -> list[int]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in part for part in p.info["cmdline"] or ()):
                found.append(p.pid)
        except psutil.Error:
            continue
    return found


def test_a_wrapper_that_starts_python_as_a_child_is_resolved_and_probed(tmp_path):
    """The kernelspec runs a wrapper script (no exec: Python is its child); the probe reads the
    script for its ``python -m ipykernel`` line and runs that interpreter directly."""
    wrapper = _script(
        tmp_path / "start-kernel", f'{VENV_PYTHON} -m ipykernel_launcher "$@"\necho done\n'
    )
    command = kernel_command([str(wrapper), "-f", "{connection_file}"])
    assert command[0] == str(VENV_PYTHON)
    started = time.monotonic()
    env = probe(command)
    assert time.monotonic() - started < 10
    assert env["python"]["executable"].startswith(str(VENV_PYTHON.parent.parent))


def test_a_launcher_that_never_answers_is_stopped_with_its_children(tmp_path):
    marker = f"wellml-hang-{os.getpid()}"
    sleeper = f"{VENV_PYTHON} -c 'import time; time.sleep(300)' {marker}"
    hang = _script(tmp_path / "hang", f"{sleeper} &\n{sleeper}\n")
    started = time.monotonic()
    with pytest.raises(ProbeError, match="took longer than 2 s"):
        probe([str(hang)], timeout=2)
    assert time.monotonic() - started < 6
    time.sleep(0.2)
    assert _leftovers(marker) == []


def test_a_probe_printing_without_end_is_stopped_at_the_output_limit(tmp_path):
    flood = _script(tmp_path / "flood", "exec yes wellml-flood-line\n")
    started = time.monotonic()
    with pytest.raises(ProbeError, match="printed more than 8 MiB"):
        probe([str(flood)], timeout=30)
    assert time.monotonic() - started < 10


def test_env_python_kernelspecs_are_probed(tmp_path):
    command = kernel_command(
        ["/usr/bin/env", "python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    )
    assert command[:2] == ["/usr/bin/env", "python3"]
    env = probe(command, env={"PATH": f"{VENV_PYTHON.parent}:{os.environ.get('PATH', '')}"})
    assert env["python"]["executable"].startswith(str(VENV_PYTHON.parent.parent))


def test_a_probe_answer_of_the_wrong_types_is_a_probe_error(tmp_path):
    answer = {
        "schema": "wellml-environment/v1",
        "python": {"version": "3", "implementation": "x", "executable": "x", "prefix": "x"},
        "platform": {"system": 1, "machine": [], "release": None},
        "paths": [{"path": 5, "mtime_ns": "yesterday"}],
        "packages": [],
        "gpu": [{"library": {}, "version": 3}],
    }
    liar = _script(tmp_path / "liar", f"cat <<'EOF'\n{json.dumps(answer)}\nEOF\n")
    with pytest.raises(ProbeError, match=r"does not fit environment\.v1"):
        probe([str(liar)])


# ---------------------------------------------------------------- the kernel
from . import test_magics as _magics  # noqa: E402 - the real-shell fixtures and helper

base_shell, shell, run = _magics.base_shell, _magics.shell, _magics.run


def _saved(path: Path, records_in_outputs=(), metadata_records=()) -> Path:
    nb = notebook(
        [
            code("%wellml kpi accuracy", [shown([r])], cell_id=f"k{i}")
            for i, r in enumerate(records_in_outputs)
        ]
        + [code("x = 1", cell_id="plain")],
        {"wellml": {"version": 1, "records": list(metadata_records)}},
    )
    path.write_text(json.dumps(nb, indent=1))
    return path


def test_status_after_a_measurement_shows_it_not_an_older_saved_output(
    shell, tmp_path, monkeypatch
):
    older = kpi(0.85, updated="2026-01-01T10:00:00Z", rid="aaaaaaaaaaaa")
    path = _saved(tmp_path / "nb.ipynb", records_in_outputs=[older])
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(shell, "%wellml kpi accuracy --measured 0.95")
    text = run(shell, "%wellml status").outputs[0].data["text/plain"]
    assert "KPI accuracy >= 0.9 measured 0.95: met" in text, text
    assert "0.85" not in text


def test_review_of_an_unreadable_notebook_says_so(shell, tmp_path, monkeypatch):
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [')
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    captured = run(shell, "%wellml review")
    assert "note: nb.ipynb: not valid JSON" in captured.stdout, captured.stdout


def test_a_measurement_while_the_notebook_is_being_saved_keeps_its_target(
    shell, tmp_path, monkeypatch
):
    """Another program saves the notebook in place: the magic reads a half-written file."""
    target = kpi(0.5, updated="2026-01-01T10:00:00Z", rid="aaaaaaaaaaaa")
    del target["measured"]
    target["status"] = "unmeasured"
    path = _saved(tmp_path / "nb.ipynb", metadata_records=[target])
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    run(shell, "%wellml status")  # the kernel has read the notebook whole once
    whole = path.read_text()
    path.write_text(whole[: len(whole) // 2])  # a save in progress
    captured = run(shell, "%wellml kpi accuracy --measured 0.95")
    (record,) = [
        r for o in captured.outputs for r in o.data.get(RECORD_MIME, {}).get("records", [])
    ]
    assert (record["op"], record["target"], record["status"]) == (">=", 0.9, "met")


def test_a_measurement_with_no_readable_notebook_says_why_it_has_no_target(
    shell, tmp_path, monkeypatch
):
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [')  # never readable: no copy read before either
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    captured = run(shell, "%wellml kpi accuracy --measured 0.95")
    assert "note: %wellml kpi: no target is known for accuracy: nb.ipynb: not valid JSON" in (
        captured.stdout
    ), captured.stdout
