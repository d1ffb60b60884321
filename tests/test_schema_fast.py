"""The compiled validator (jsonschema-rs) that answers "valid?" for the first magic agrees with
jsonschema, which names the problems: on records of every kind, broken in every usual way, and
on reviews of real notebooks."""

from __future__ import annotations

import copy
import json

import pytest

from jupyter_wellml.catalog import schema
from jupyter_wellml.records import build

from .conftest import corpus_notebooks


def python_valid(name: str, instance) -> bool:
    return not any(True for _ in schema.validator(name).iter_errors(instance))


def records(catalog) -> list[dict]:
    out = [
        build("phase", {"phase": "training"}, catalog=catalog).record,
        build("kpi", {"name": "recall", "op": ">=", "target": "0.9", "measured": "0.93"}).record,
        build("data", {"uri": "s3://b/train.csv", "pii": "no", "license": "CC-BY-4.0"}).record,
        build("explain", {"level": "global", "method": "shap"}).record,
        build(
            "waiver",
            {"practice": "MLSEC-05", "reason": "out_of_scope", "note": "no people"},
            catalog=catalog,
        ).record,
        build("attest", {"practice": "MLOE-02", "note": "in README"}, catalog=catalog).record,
    ]
    removed = copy.deepcopy(out[4])
    removed["removed"] = removed["updated"]
    return [*out, removed]


def broken(record: dict) -> list[dict]:
    """The same record broken in the ways people and tools break them."""
    variants = []
    for field in list(record):
        if field in ("id", "kind", "created", "updated"):
            v = copy.deepcopy(record)
            del v[field]
            variants.append(v)
    for field, value in [
        ("kind", "opinion"),
        ("id", "UPPER case"),
        ("updated", "yesterday"),
        ("extra", 1),
        ("author", 5),
        ("pii", "maybe"),
        ("op", "=>"),
        ("reason", "lazy"),
        ("practice", "not an id"),
        ("removed", "soon"),
        ("level", "total"),
        ("target", "high"),
        ("history", [{"values": {}}]),
    ]:
        v = copy.deepcopy(record)
        v[field] = value
        variants.append(v)
    return variants


def test_record_validity_agrees_with_jsonschema(wellml_catalog):
    checked = 0
    for record in records(wellml_catalog):
        assert schema.is_valid("record.v1", record) and python_valid("record.v1", record)
        for variant in broken(record):
            assert schema.is_valid("record.v1", variant) == python_valid("record.v1", variant), (
                variant
            )
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("path", list(corpus_notebooks()[::40]), ids=lambda p: p.name)
def test_review_validity_agrees_with_jsonschema(path, wellml_catalog):
    from jupyter_wellml.inspection.review import review
    from jupyter_wellml.report.verdict import with_verdict

    data = json.loads(
        json.dumps(with_verdict(review(path, wellml_catalog).to_json(), wellml_catalog))
    )
    assert schema.is_valid("review.v1", data) and python_valid("review.v1", data)
    data["verdict"]["practices"][0]["state"] = "perhaps"
    assert not schema.is_valid("review.v1", data) and not python_valid("review.v1", data)
    assert schema.errors("review.v1", data)[0][0] == "/verdict/practices/0/state"


COUNTS = {"met": 1, "gap": 0, "unknown": 0, "not_applicable": 0, "high": 0, "medium": 0}


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection, recorded and refused."""
    import socket

    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError(f"no network in this test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_a_definition_shared_across_files_is_checked_by_both_validators(no_network):
    """workload.v1's counts are review.v1's (a `$ref` between the files), read from the package:
    a field only review.v1 spells out (`waived`) is checked in a workload summary too."""
    good = {"total": COUNTS, "pillars": [{**COUNTS, "id": "security"}], "phases": []}
    assert schema.errors_for_definition("workload.v1", "summary", good) == []
    bad = {**good, "total": {**COUNTS, "waived": -1}}
    assert schema.errors_for_definition("workload.v1", "summary", bad) == [
        ("/total/waived", "-1 is less than the minimum of 0")
    ]
    config = {"schema": "wellml-workload/v1", "name": "n"}
    assert schema.is_valid("workload.v1", config) and python_valid("workload.v1", config)
    # catalog.v1's practices carry review.v1's practice identity
    practice = {"id": "P-1", "risk": "high", "summary": "", "guidance": "", "evidence": "detect"}
    problems = schema.errors("catalog.v1", {"practices": [{**practice, "lens": "x"}]})
    assert ("/practices/0", "'pillar' is missing (it is required)") in problems
    assert no_network == []


def test_a_reference_outside_the_package_is_refused_not_fetched(no_network):
    import jsonschema
    import jsonschema_rs
    from referencing.exceptions import Unresolvable

    foreign = "https://example.com/schemas/counts.json"
    with pytest.raises(LookupError, match="never fetched"):
        schema.retrieve(foreign)
    with pytest.raises(LookupError):
        schema.retrieve(schema.BASE_URI + "../secrets.json")
    doc = {"$id": schema.BASE_URI + "t.json", "$ref": foreign}
    with pytest.raises(jsonschema_rs.ValidationError, match="not a schema of jupyter-wellml"):
        jsonschema_rs.validator_for(doc, retriever=schema.retrieve)
    validator = jsonschema.Draft202012Validator(doc, registry=schema.registry())
    with pytest.raises(Unresolvable):
        validator.is_valid(1)
    assert no_network == []
