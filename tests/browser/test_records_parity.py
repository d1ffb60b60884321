"""The sidebar's TypeScript upsert (labextension/src/records.ts, built to lib/records.js) against
the Python one (jupyter_wellml/records/store.py): the same sequences of records must give the same
metadata and the same outcomes. Runs the built module in Node, no browser needed."""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from jupyter_wellml.records.store import upsert

LIB = Path(__file__).resolve().parents[2] / "labextension" / "lib" / "records.js"

RUNNER = """
const chunks = [];
process.stdin.on('data', c => chunks.push(c));
process.stdin.on('end', async () => {
  const { upsert, naturalKey, kpiStatus } = await import(process.argv[1]);
  const cases = JSON.parse(Buffer.concat(chunks).toString());
  const out = cases.map(({ store, incoming }) => {
    const outcomes = incoming.map(r => upsert(store, r));
    return { store, outcomes };
  });
  process.stdout.write(JSON.stringify(out));
});
"""

TIMES = [f"2026-11-2{d}T10:0{m}:00Z" for d in (1, 2) for m in (0, 5)]


def _record(rng: random.Random) -> dict:
    kind = rng.choice(["kpi", "kpi", "data", "waiver", "attest", "phase", "explain"])
    created = rng.choice(TIMES)
    record = {
        "id": rng.choice(["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]),
        "kind": kind,
        "created": created,
        "updated": max(created, rng.choice(TIMES)),
    }
    if rng.random() < 0.2:
        del record["id"]
    if rng.random() < 0.5:
        record["author"] = rng.choice(["ana", "bo", ""])
    if rng.random() < 0.4:
        record["cell_id"] = rng.choice(["c1", "c2", None])
    pick = rng.choice
    if kind == "kpi":
        record["name"] = pick(["accuracy", "Accuracy", "f1"])
        for field, values in [
            ("op", [">=", "<=", ">", "<", "=="]),
            ("target", [0.9, 1, 0.5]),
            ("measured", [0.92, 0.88, 1.0, None]),
            ("acceptable_error", [0.03, 0]),
        ]:
            if rng.random() < 0.6:
                record[field] = pick(values)
    elif kind == "data":
        record["uri"] = pick(["s3://b/x.csv", "s3://b/x.csv/", " s3://b/x.csv", "data.csv"])
        if rng.random() < 0.7:
            record["pii"] = pick(["yes", "no", "unknown"])
        if rng.random() < 0.3:
            record["tags"] = pick([["a"], ["a", "b"], {"k": 1}])
    elif kind in ("waiver", "attest"):
        record["practice"] = pick(["MLOPS01-BP01", "MLSEC01-BP01"])
        record["note"] = pick(["n1", "n2"])
        if kind == "waiver":
            record["reason"] = pick(["out_of_scope", "other"])
    elif kind == "phase":
        record["phase"] = pick(["data_processing", "model_development"])
    else:
        record["level"] = pick(["global", "local", "none"])
    return record


def test_typescript_upsert_matches_python():
    node = shutil.which("node")
    if node is None or not LIB.exists():
        pytest.fail(f"needs node and the built {LIB} (cd labextension && jlpm build)")
    rng = random.Random(20261129)
    cases = []
    for _ in range(400):
        existing = [_record(rng) for _ in range(rng.randint(0, 3))]
        store = {"version": 1, "records": [], "other": {"keep": True}}
        for r in existing:
            upsert(store, r)
        cases.append({"store": store, "incoming": [_record(rng) for _ in range(rng.randint(1, 4))]})
    expected = []
    for case in cases:
        store = copy.deepcopy(case["store"])
        outcomes = [upsert(store, copy.deepcopy(r)) for r in case["incoming"]]
        expected.append({"store": store, "outcomes": outcomes})
    done = subprocess.run(
        [node, "-e", RUNNER, LIB.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    got = json.loads(done.stdout)
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g == json.loads(json.dumps(e)), f"case {i}: {json.dumps(cases[i])}"
    # the sequences exercised every outcome
    seen = {o for e in expected for o in e["outcomes"]}
    assert seen == {"added", "updated", "unchanged"}
