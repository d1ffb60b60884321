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

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "labextension" / "lib" / "records.js"

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


def _kpi(rng: random.Random) -> dict:
    record = {"name": rng.choice(["accuracy", "Accuracy", "f1"])}
    for field, values in [
        ("op", [">=", "<=", ">", "<", "=="]),
        ("target", [0.9, 1, 0.5]),
        ("measured", [0.92, 0.88, 1.0, None]),
        ("acceptable_error", [0.03, 0]),
    ]:
        if rng.random() < 0.6:
            record[field] = rng.choice(values)
    return record


def _data(rng: random.Random) -> dict:
    record = {"uri": rng.choice(["s3://b/x.csv", "s3://b/x.csv/", " s3://b/x.csv", "data.csv"])}
    if rng.random() < 0.7:
        record["pii"] = rng.choice(["yes", "no", "unknown"])
    if rng.random() < 0.3:
        record["tags"] = rng.choice([["a"], ["a", "b"], {"k": 1}])
    return record


def _practice_note(rng: random.Random) -> dict:
    return {
        "practice": rng.choice(["MLOPS01-BP01", "MLSEC01-BP01"]),
        "note": rng.choice(["n1", "n2"]),
    }


def _frame(rng: random.Random) -> dict:
    record = {"question": rng.choice(["Which claims first?", "Which claims first? "])}
    for field, values in [
        ("task", ["classification", "ranking"]),
        ("label", ["is_fraud", "fraud"]),
        ("features", [["amount"], ["amount", "merchant_age"], []]),
        ("baseline", ["rules engine: recall 0.61", None]),
    ]:
        if rng.random() < 0.6:
            record[field] = rng.choice(values)
    return record


def _signoff(rng: random.Random) -> dict:
    record = {
        "practice": rng.choice(["MLOPS01-BP01", "MLSEC01-BP01", None]),
        "approver": rng.choice(["Ana, risk officer", "Bo, DPO"]),
    }
    if rng.random() < 0.5:
        record["expires"] = rng.choice(["2027-01-31", "2026-12-01"])
    if rng.random() < 0.3:
        record["note"] = rng.choice(["on the bias report", "n2"])
    return record


#: the fields of each record kind (a kind record.v1 knows and this table does not fails the test)
FIELDS = {
    "kpi": _kpi,
    "data": _data,
    "waiver": lambda rng: {**_practice_note(rng), "reason": rng.choice(["out_of_scope", "other"])},
    "attest": _practice_note,
    "phase": lambda rng: {"phase": rng.choice(["data_processing", "model_development"])},
    "explain": lambda rng: {"level": rng.choice(["global", "local", "none"])},
    "frame": _frame,
    "signoff": _signoff,
}


def _schema_kinds() -> list[str]:
    """Every record kind record.v1 knows, in its order."""
    schema = json.loads((ROOT / "jupyter_wellml" / "schemas" / "record.v1.json").read_text())
    return list(schema["$defs"]["record"]["properties"]["kind"]["enum"])


KINDS = _schema_kinds()


def _record(rng: random.Random) -> dict:
    kind = rng.choice([*KINDS, "kpi"])  # KPIs twice as often: they carry the most fields
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
    return {**record, **FIELDS[kind](rng)}


def test_the_parity_cases_cover_every_record_kind_of_the_schema():
    assert KINDS, "record.v1 lists no kinds"
    missing = [k for k in KINDS if k not in FIELDS]
    assert not missing, f"record kinds without parity cases: {missing} (add them to FIELDS)"
    assert set(FIELDS) == set(KINDS), (
        f"FIELDS has kinds record.v1 does not: {set(FIELDS) - set(KINDS)}"
    )


def test_typescript_upsert_matches_python():
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
    got = _run_node(cases)
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g == json.loads(json.dumps(e)), f"case {i}: {json.dumps(cases[i])}"
    # the sequences exercised every outcome, and every kind of record.v1
    seen = {o for e in expected for o in e["outcomes"]}
    assert seen == {"added", "updated", "unchanged"}
    kinds = {r["kind"] for case in cases for r in case["incoming"]}
    assert kinds == set(KINDS)


# ---------------------------------------------------------------- the merge rule: newest wins
MERGE_TIMES = [
    "2026-11-21T10:00:00Z",
    "2026-11-21T10:00:00.000Z",  # the same instant written with a fraction
    "2026-11-21T10:00:00.5Z",
    "2026-11-21T10:00:00.250Z",
    "2026-11-21T12:00:00.250+02:00",  # 10:00:00.250Z again, with an offset
    "2026-11-21T09:59:59.999999Z",
    "2026-11-21T10:00:01-00:30",
    "1999-12-31T23:59:59Z",
    "not a time",
]


def _edition(rng: random.Random, n: int) -> dict:
    """A complete KPI edition, as the magics write them: ties in time are common."""
    record = {
        "id": rng.choice(["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc", f"e{n:011d}"]),
        "kind": "kpi",
        "created": "2026-11-21T09:00:00Z",
        "updated": rng.choice(MERGE_TIMES),
        "name": "accuracy",
        "op": ">=",
        "target": 0.9,
        "measured": rng.choice([0.85, 0.91, 0.95, 1, "high", None]),
    }
    if rng.random() < 0.1:
        del record["id"]
    if rng.random() < 0.1:
        record["op"] = rng.choice(["~", None])
    if rng.random() < 0.1:
        record["rev"] = rng.choice(["dddddddddddd", "aaaaaaaaaaaa"])
    return record


def _run_node(cases: list[dict]) -> list[dict]:
    node = shutil.which("node")
    if node is None or not LIB.exists():
        pytest.fail(f"needs node and the built {LIB} (cd labextension && jlpm build)")
    done = subprocess.run(
        [node, "-e", RUNNER, LIB.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_typescript_merge_keeps_the_newest_edition_like_python():
    """Editions with equal instants written differently, fractions, offsets, id ties, ``rev``
    and values of the wrong type: both sides keep the same (newest) values, and merging the
    same editions again changes nothing in either."""
    from jupyter_wellml.records import version

    rng = random.Random(20261201)
    cases, expected = [], []
    for _ in range(300):
        editions = [_edition(rng, n) for n in range(rng.randint(1, 6))]
        incoming = editions + [copy.deepcopy(e) for e in rng.sample(editions, len(editions))]
        cases.append({"store": {"version": 1, "records": []}, "incoming": incoming})
        store = {"version": 1, "records": []}
        outcomes = [upsert(store, copy.deepcopy(r)) for r in incoming]
        expected.append({"store": store, "outcomes": outcomes})
        # Python: the second pass over the same editions changes nothing
        assert set(outcomes[len(editions) :]) == {"unchanged"}
        (merged,) = store["records"]
        newest = max(editions, key=version)
        if version(newest) > version(editions[0]):
            assert merged["measured"] == newest["measured"], (editions, merged)
    got = _run_node(cases)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g == json.loads(json.dumps(e)), f"case {i}: {json.dumps(cases[i])}"


def test_time_keys_agree_between_python_and_typescript():
    from jupyter_wellml.records import time_key

    node = shutil.which("node")
    if node is None or not LIB.exists():
        pytest.fail(f"needs node and the built {LIB} (cd labextension && jlpm build)")
    values = [*MERGE_TIMES, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.123456789Z", None, 5]
    script = (
        "import(process.argv[1]).then(m => process.stdout.write(JSON.stringify("
        f"{json.dumps(values)}.map(m.timeKey))))"
    )
    done = subprocess.run(
        [node, "-e", script, LIB.as_uri()], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [time_key(v) for v in values]
    assert time_key("2026-11-21T12:00:00.250+02:00") == time_key("2026-11-21T10:00:00.25Z")
    assert time_key("2026-11-21T10:00:00Z") < time_key("2026-11-21T10:00:00.001Z")
