"""The AWS WA Tool custom-lens format: its JSON Schema and the rules a schema cannot say."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from jupyter_wellml.interop.wa_format import SCHEMA_FILE, validate_wa_lens

from .conftest import WA_LENSES

FIXTURES = Path(__file__).parent / "fixtures" / "wa"
CORPUS = Path(os.environ.get("WELLML_WA_CORPUS", WA_LENSES))
CORPUS_FILES = [
    "Amazon-ECS-Lens_Amazon_ECS_Lens.json",
    "DynamoDB_custom-lensddb-v1.0.json",
    "ORR-Lens_ORR-Whitepaper-Sample-PUBLISHED.json",
    "Personalize_custom-lens-personalize-v1.0.json",
    "SageMaker-Flower-Lens_custom-lens-sagemaker-flower-v1.0.json",
]


def _corpus(name: str, tmp_path: Path) -> Path:
    src = CORPUS / name
    if not src.is_file():
        pytest.skip(f"shared lens corpus not found at {CORPUS} (set WELLML_SHARED)")
    dst = tmp_path / "in" / name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


# --------------------------------------------------------------------------- validation
def _minimal() -> dict:
    return json.loads((FIXTURES / "minimal.json").read_text("utf-8"))


def _choice(cid: str) -> dict:
    return {"id": cid, "title": f"Choice {cid}", "improvementPlan": {"displayText": "Do it."}}


def _q(doc):
    return doc["pillars"][0]["questions"][0]


def _set(path_fn, key, value):
    def mutate(doc):
        path_fn(doc)[key] = value

    return mutate


def _delete(path_fn, key):
    def mutate(doc):
        del path_fn(doc)[key]

    return mutate


def _many_pillars(doc):
    doc["pillars"] = [{**copy.deepcopy(doc["pillars"][1]), "id": f"pillar_{i}"} for i in range(11)]
    for i, pillar in enumerate(doc["pillars"]):
        pillar["questions"][0]["id"] = f"q_{i}"


def _many_questions(doc):
    template = doc["pillars"][1]["questions"][0]
    doc["pillars"][1]["questions"] = [
        {**copy.deepcopy(template), "id": f"q_{i}"} for i in range(21)
    ]


def _many_choices(doc):
    question = doc["pillars"][1]["questions"][0]
    question["choices"] = [_choice(f"c_{i:02d}") for i in range(16)]
    question["riskRules"] = [
        {"condition": "c_00", "risk": "NO_RISK"},
        {"condition": "default", "risk": "HIGH_RISK"},
    ]


def _too_many_extras(doc):
    content = [{"displayText": f"Link {i}", "url": f"https://example.org/{i}"} for i in range(6)]
    _q(doc)["choices"][0]["additionalResources"] = [
        {"type": "HELPFUL_RESOURCE", "content": content}
    ]


def _four_rules(doc):
    _q(doc)["riskRules"].insert(0, {"condition": "nbops_01_env", "risk": "NO_RISK"})


def _too_big(doc):
    template = doc["pillars"][1]["questions"][0]
    for i in range(20):
        question = copy.deepcopy(template)
        question["id"] = f"big_{i}"
        question["description"] = "x" * 2048
        for choice in question["choices"]:
            choice["helpfulResource"] = {"displayText": "y" * 2048}
            if "improvementPlan" in choice:
                choice["improvementPlan"]["displayText"] = "z" * 2048
        question["choices"].extend(
            {**_choice(f"extra_{k}"), "improvementPlan": {"displayText": "w" * 2048}}
            for k in range(8)
        )
        doc["pillars"][1]["questions"].append(question)
    doc["pillars"][1]["questions"] = doc["pillars"][1]["questions"][:20]


BAD_DOCS = {
    "schema version missing": (_delete(lambda d: d, "schemaVersion"), "schemaVersion: missing"),
    "schema version changed": (_set(lambda d: d, "schemaVersion", "2023-01-01"), "'2023-01-01'"),
    "name missing": (_delete(lambda d: d, "name"), "name: missing"),
    "name too long": (
        _set(lambda d: d, "name", "n" * 129),
        "name: is 129 characters long; the limit is 128",
    ),
    "description missing": (_delete(lambda d: d, "description"), "description: missing"),
    "description too long": (_set(lambda d: d, "description", "d" * 2049), "the limit is 2048"),
    "no pillars": (_set(lambda d: d, "pillars", []), "pillars: has no pillars"),
    "too many pillars": (_many_pillars, "has 11 pillars; the limit is 10"),
    "pillar id characters": (
        _set(lambda d: d["pillars"][1], "id", "nb-hygiene"),
        "must be 3 to 128 characters",
    ),
    "pillar id too short": (_set(lambda d: d["pillars"][1], "id", "nb"), "'nb' must be 3 to 128"),
    "pillar id twice": (
        _set(lambda d: d["pillars"][1], "id", "operationalExcellence"),
        "pillar id 'operationalExcellence' is used twice",
    ),
    "pillar name too long": (
        _set(lambda d: d["pillars"][1], "name", "p" * 129),
        "pillars[1](notebook_hygiene).name: is 129",
    ),
    "too many questions": (_many_questions, "has 21 questions; the limit is 20"),
    "question id twice": (
        _set(lambda d: d["pillars"][1]["questions"][0], "id", "nbops_01"),
        "question id 'nbops_01' is used twice",
    ),
    "question title too long": (
        _set(_q, "title", "t" * 129),
        "questions[0](nbops_01).title: is 129",
    ),
    "question description too long": (_set(_q, "description", "q" * 2049), ".description: is 2049"),
    "too many choices": (_many_choices, "has 16 choices; the limit is 15"),
    "choice id characters": (
        _set(lambda d: _q(d)["choices"][1], "id", "nbops 01 env"),
        "'nbops 01 env' must be 3 to 128",
    ),
    "choice id twice": (
        _set(lambda d: _q(d)["choices"][1], "id", "nbops_01_data"),
        "choice id 'nbops_01_data' is used twice",
    ),
    "choice title too long": (
        _set(lambda d: _q(d)["choices"][0], "title", "c" * 129),
        "(nbops_01_data).title: is 129",
    ),
    "improvement plan missing": (
        _delete(lambda d: _q(d)["choices"][2], "improvementPlan"),
        "improvementPlan: missing; every choice except",
    ),
    "improvement plan text missing": (
        _set(lambda d: _q(d)["choices"][2], "improvementPlan", {"url": "https://example.org"}),
        "improvementPlan.displayText: missing",
    ),
    "improvement plan too long": (
        _set(lambda d: _q(d)["choices"][2]["improvementPlan"], "displayText", "i" * 2049),
        "improvementPlan.displayText: is 2049",
    ),
    "helpful url without text": (
        _set(lambda d: _q(d)["choices"][0], "helpfulResource", {"url": "https://example.org"}),
        "helpfulResource.displayText: missing",
    ),
    "url scheme": (
        _set(lambda d: _q(d)["helpfulResource"], "url", "ftp://example.org/x"),
        "'ftp://example.org/x' must start with http:// or https://",
    ),
    "extra resource type": (
        _set(lambda d: _q(d)["choices"][1]["additionalResources"][0], "type", "LINK"),
        "'LINK' must be one of",
    ),
    "extra resource url without text": (
        _set(
            lambda d: _q(d)["choices"][1]["additionalResources"][0],
            "content",
            [{"url": "https://example.org"}],
        ),
        "content[0].displayText: missing",
    ),
    "too many extra resources": (_too_many_extras, "6 HELPFUL_RESOURCE items; the limit is 5"),
    "no default rule": (
        _set(_q, "riskRules", [{"condition": "nbops_01_data", "risk": "NO_RISK"}]),
        "has no rule with condition 'default'",
    ),
    "two rules of one level": (
        _set(lambda d: _q(d)["riskRules"][1], "risk", "NO_RISK"),
        "a second NO_RISK rule",
    ),
    "two default rules": (
        _set(lambda d: _q(d)["riskRules"][0], "condition", "default"),
        "has 2 'default' rules",
    ),
    "too many rules": (_four_rules, "has 4 risk rules; the limit is 3"),
    "unknown risk": (
        _set(lambda d: _q(d)["riskRules"][1], "risk", "LOW_RISK"),
        "'LOW_RISK' must be one of",
    ),
    "unknown choice in condition": (
        _set(lambda d: _q(d)["riskRules"][0], "condition", "nbops_01_data && nbops_01_typo"),
        "names nbops_01_typo, which is not a choice id",
    ),
    "condition syntax": (
        _set(lambda d: _q(d)["riskRules"][0], "condition", "nbops_01_data && (nbops_01_env"),
        "is not a valid expression",
    ),
    "condition empty": (
        _set(lambda d: _q(d)["riskRules"][0], "condition", " "),
        "condition: missing or empty",
    ),
    "document too big": (_too_big, "the Tool imports at most 500 KB"),
}


def test_validate_accepts_valid_documents():
    assert validate_wa_lens(_minimal()) == []


@pytest.mark.parametrize("case", sorted(BAD_DOCS))
def test_validate_reports_each_rule(case):
    mutate, expected = BAD_DOCS[case]
    doc = _minimal()
    mutate(doc)
    problems = validate_wa_lens(doc)
    assert any(expected in p for p in problems), problems
    assert len(problems) <= 3, problems  # the broken rule, and at most what follows from it


# what only Python checks: ids unique in their scope, risk-rule semantics, extra resources per
# type, the size of the whole document; everything else is the JSON Schema's
BEYOND_THE_SCHEMA = {
    "pillar id twice",
    "question id twice",
    "choice id twice",
    "too many extra resources",
    "no default rule",
    "two rules of one level",
    "two default rules",
    "unknown choice in condition",
    "condition syntax",
    "document too big",
}


@pytest.mark.parametrize("case", sorted(set(BAD_DOCS) - BEYOND_THE_SCHEMA))
def test_the_json_schema_alone_refuses_each_broken_limit(case):
    """The format's limits live in schemas/wa-custom-lens.json, readable by any JSON Schema tool."""
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(_minimal())) == []
    doc = _minimal()
    BAD_DOCS[case][0](doc)
    assert list(validator.iter_errors(doc)), case


def test_validate_handles_documents_that_are_not_lenses():
    assert validate_wa_lens([1, 2]) == ["the document must be a JSON object, not list"]
    problems = validate_wa_lens({"pillars": ["x", {"id": "abc", "name": "A", "questions": [7]}]})
    assert "pillars[0]: a pillar must be an object, not str" in problems
    assert "pillars[1](abc).questions[0]: a question must be an object, not int" in problems


def test_validate_reports_the_ecs_lens_missing_default(tmp_path):
    doc = json.loads(_corpus(CORPUS_FILES[0], tmp_path).read_text("utf-8"))
    assert validate_wa_lens(doc) == [
        "pillars[1](NET).questions[2](NET3).riskRules: has no rule with condition 'default' "
        "(required)"
    ]
