"""The small value classes that stand in for dataclasses (jupyter_wellml.values)."""

from __future__ import annotations

import pickle

import pytest

from jupyter_wellml.catalog.model import Practice, Rule, Source
from jupyter_wellml.inspection.phase import PhaseResult, Region
from jupyter_wellml.inspection.pyscan import CodeIndex


def practice(**changes):
    values = {
        "id": "MLX-01",
        "title": "t",
        "pillar": "security",
        "phase": "deployment",
        "risk": "high",
        "summary": "s",
        "guidance": "g",
        "evidence": "detect",
        "lens": "ml",
        "rules": (
            Rule("MLX-01/r", "met", "m", {"kind": "import", "modules": ["x"]}, Source("f", 3)),
        ),
    }
    values.update(changes)
    return Practice(**values)


def test_frozen_values_compare_hash_and_refuse_changes():
    a, b = practice(), practice()
    assert a == b and a is not b
    assert practice(risk="medium") != a
    assert Source("f", 3) in {Source("f", 3)}
    assert hash(Source("f", 3)) == hash(Source("f", 3))
    with pytest.raises(AttributeError, match="Practice is immutable: cannot set 'risk'"):
        a.risk = "medium"
    with pytest.raises(AttributeError, match="immutable"):
        del a.title
    assert a.risk == "high"


def test_fields_left_out_of_equality_and_derived_slots():
    # which override changed a practice does not make it another practice
    assert practice(overridden_by=("team (x.yaml)",)) == practice()
    result = PhaseResult(
        "deployment", "inferred", 0.8, "r", (Region(0, 3, "data_processing", "inferred", "r"),)
    )
    assert result.phases == {"deployment", "data_processing"}
    assert "_phases" not in repr(result) and "regions=(Region(" in repr(result)


def test_replace_copies_with_changes_and_names_unknown_fields():
    a = practice()
    b = a.replace(risk="medium", phases=("deployment",))
    assert (b.risk, b.phases, b.title) == ("medium", ("deployment",), "t")
    assert a.risk == "high"
    with pytest.raises(TypeError, match="Practice has no field 'colour'"):
        a.replace(colour="red")


def test_values_pickle_through_init():
    a = practice()
    assert pickle.loads(pickle.dumps(a)) == a
    result = PhaseResult("training", "recorded", 1.0, "r", ())
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again.phases == {"training"}


def test_mutable_values_are_not_hashable_and_get_fresh_defaults():
    one, two = CodeIndex(), CodeIndex()
    one.imports.append("x")
    assert two.imports == [] and one != two
    with pytest.raises(TypeError):
        hash(one)
