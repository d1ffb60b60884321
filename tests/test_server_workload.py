"""GET /api/wellml/workload on a real jupyter-server: the open notebook's workload status agrees
with ``jupyter wellml review DIR --workload``, and the order of what to do next with the plan."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_wellml.catalog.schema import errors_for_definition

from .conftest import ROOT

DEMOS = sorted((ROOT / "binder").glob("*.ipynb"))
EXE = Path(sys.executable).parent / "jupyter-wellml"


def _workload(root: Path, config: str = "name: Claims triage\nowner: Dana\n") -> Path:
    folder = root / "claims"
    folder.mkdir()
    for nb in DEMOS:
        shutil.copyfile(nb, folder / nb.name)
    (folder / "wellml-workload.yaml").write_text(config, "utf-8")
    return folder


def _valid(body: dict) -> dict:
    """``body`` once it validates against the answer's schema (workload.v1#/$defs/status)."""
    assert errors_for_definition("workload.v1", "status", body) == []
    return body


def _cli(*args: str) -> dict:
    done = subprocess.run(
        [str(EXE), *args, "--no-data-dirs"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_workload_status_of_the_open_notebook(jp_fetch, jp_root_dir):
    folder = _workload(jp_root_dir)
    response = await jp_fetch(
        "api", "wellml", "workload", params={"path": f"claims/{DEMOS[2].name}"}
    )
    body = _valid(json.loads(response.body))
    assert body["workload"]["name"] == "Claims triage" and body["workload"]["owner"] == "Dana"
    assert body["notebook"] == DEMOS[2].name and body["errors"] == []
    assert body["workload"]["notebooks"] == [nb.name for nb in DEMOS]
    cli = _cli("review", str(folder), "--workload", "--format", "json", "--fail-on", "never")
    section = cli["workload"]
    assert {pid: p["status"] for pid, p in body["practices"].items()} == {
        p["id"]: p["status"] for p in section["practices"]
    }
    assert body["summary"] == section["summary"]
    # the first three pieces of evidence of each status, as the CLI's section gives them
    for p in section["practices"]:
        keys = ("notebook", "cell", "cell_id", "line", "message", "effect")
        assert body["practices"][p["id"]]["evidence"] == [
            {k: e[k] for k in keys} for e in p["evidence"][:3]
        ]
    met_elsewhere = [
        pid
        for pid, p in body["practices"].items()
        if p["status"] == "met" and p["notebooks"][DEMOS[2].name] != "met"
    ]
    assert met_elsewhere  # the demos meet practices in one notebook that another lacks
    for pid in met_elsewhere:
        evidence = body["practices"][pid]["evidence"]
        assert evidence and all(
            body["practices"][pid]["notebooks"][e["notebook"]] == "met" for e in evidence
        )
    plan = _cli("plan", str(folder), "--format", "json")
    assert body["next_steps"] == [item["id"] for item in plan["items"]]


async def test_a_notebook_of_no_workload(jp_fetch, jp_root_dir):
    shutil.copyfile(DEMOS[0], jp_root_dir / "alone.ipynb")
    body = json.loads(
        (await jp_fetch("api", "wellml", "workload", params={"path": "alone.ipynb"})).body
    )
    assert _valid(body) == {"workload": None}
    _workload(jp_root_dir, f"name: Two of them\nnotebooks: [{DEMOS[0].name}, {DEMOS[1].name}]\n")
    listed = await jp_fetch("api", "wellml", "workload", params={"path": f"claims/{DEMOS[0].name}"})
    assert _valid(json.loads(listed.body))["workload"]["notebooks"] == [
        DEMOS[0].name,
        DEMOS[1].name,
    ]
    unlisted = await jp_fetch(
        "api", "wellml", "workload", params={"path": f"claims/{DEMOS[4].name}"}
    )
    assert _valid(json.loads(unlisted.body)) == {"workload": None}


async def test_a_broken_workload_file_is_a_400_with_the_line(jp_fetch, jp_root_dir):
    _workload(jp_root_dir, "name: x\nenvironment: PROD\n")
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("api", "wellml", "workload", params={"path": f"claims/{DEMOS[0].name}"})
    assert info.value.code == 400
    message = json.loads(info.value.response.body)["message"]
    assert "claims/wellml-workload.yaml:2: /environment" in message
    assert str(jp_root_dir) not in message  # no server path is shown
