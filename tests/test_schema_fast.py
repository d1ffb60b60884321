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
