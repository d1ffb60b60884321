"""The fact vocabulary (jupyter_wellml/catalog/vocabulary.py) is the one list of fact kinds.

Everything that names fact kinds is derived from it or checked against it here: the signature
tables and the engine's own ``facts.add`` calls, the practice schema's enum (which `lens check`
uses), the review schema's ``facts`` object, the phase weights and the docs table. A drift test
prints the corrected text; ``WELLML_UPDATE_GENERATED=1 pytest tests/test_vocabulary.py`` writes it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from jupyter_wellml.catalog import schema as schema_module
from jupyter_wellml.catalog import vocabulary
from jupyter_wellml.catalog.vocabulary import FACTS, REVIEW_KEYS, FactKind
from jupyter_wellml.inspection import phase, signatures

from .conftest import ROOT

SCHEMAS = ROOT / "jupyter_wellml" / "schemas"
DOC = ROOT / "docs" / "lens-format.md"
UPDATE = os.environ.get("WELLML_UPDATE_GENERATED") == "1"
ENGINE = ROOT / "jupyter_wellml" / "inspection"


def _drift(path: Path, current: str, wanted: str, what: str) -> None:
    if current == wanted:
        return
    if UPDATE:
        path.write_text(wanted, encoding="utf-8")
        return
    pytest.fail(
        f"{path.relative_to(ROOT)}: {what} differs from the fact vocabulary. The corrected text "
        f"(or run WELLML_UPDATE_GENERATED=1 pytest {Path(__file__).name}):\n\n{wanted}"
    )


def produced_kinds() -> dict[str, str]:
    """Every kind the engine can produce -> where (tables, and literal ``add("kind"`` calls)."""
    found: dict[str, str] = {}
    for _, kind, *_ in signatures.CALLS:
        found.setdefault(kind, "signatures.CALLS")
    for table in ("SERVICES", "KEYWORDS", "IMPORT_FACTS"):
        for kind, _ in getattr(signatures, table).values():
            found.setdefault(kind, f"signatures.{table}")
    for path in sorted(ENGINE.glob("*.py")):
        for kind in re.findall(r"\badd\(\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8")):
            found.setdefault(kind, path.name)
    return found


def test_every_kind_the_engine_produces_is_declared():
    undeclared = {k: where for k, where in produced_kinds().items() if k not in FACTS}
    assert undeclared == {}, f"declare these in catalog/vocabulary.py: {undeclared}"


def test_every_declared_notebook_kind_is_produced_or_read_by_the_engine():
    produced = set(produced_kinds())
    idle = [
        k.name
        for k in FACTS.values()
        if k.source == "notebook" and k.name not in produced and k.name != "call"
    ]
    assert idle == [], f"declared but never produced: {idle}"


def test_declarations_are_complete(wellml_catalog):
    phases = {p.id for p in wellml_catalog.phases}
    for kind in FACTS.values():
        assert kind.doc and kind.fields, kind.name
        assert kind.source in ("notebook", "environment"), kind.name
        if kind.phase:
            assert kind.phase[0] in phases, kind.name
            assert kind.phase[1] > 0
    keys = [k.key for k in FACTS.values() if k.key]
    assert len(keys) == len(set(keys)), "two kinds share a review key"


def test_phase_weights_come_from_the_vocabulary():
    assert {k.name: k.phase for k in FACTS.values() if k.phase} == phase.EVIDENCE


def test_practice_schema_file_lists_the_vocabulary():
    path = SCHEMAS / "practice.v1.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    data["$defs"]["fact_kind"]["enum"] = list(FACTS)
    _drift(path, text, json.dumps(data, indent=2) + "\n", "$defs.fact_kind.enum")


def test_review_schema_lists_every_review_key():
    path = SCHEMAS / "review.v1.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    facts = data["properties"]["facts"]
    props = facts["properties"]
    for kind, key in REVIEW_KEYS.items():
        entry = props.get(key) or {"type": "array", "items": {"$ref": "#/$defs/fact"}}
        entry["description"] = f"`{kind}` facts: {FACTS[kind].doc}"
        props[key] = entry
    for key in list(props):
        if key not in ("kernel_language", "trains_model") and key not in REVIEW_KEYS.values():
            del props[key]
    facts["required"] = ["kernel_language", "trains_model", *REVIEW_KEYS.values()]
    _drift(path, text, json.dumps(data, indent=2) + "\n", "properties.facts")


def docs_table() -> str:
    rows = ["| fact | fields | produced by |", "| --- | --- | --- |"]
    for kind in FACTS.values():
        if kind.source != "notebook":
            continue
        fields = "; ".join(
            f"`{name}`: {text}" if text else f"`{name}`" for name, text in kind.fields.items()
        )
        rows.append(f"| `{kind.name}` | {fields} | {kind.doc} |")
    rows.append("")
    rows.append("Environment facts come from the kernel's interpreter and the license policy:")
    rows.append("")
    rows.append("| fact | fields | produced by |")
    rows.append("| --- | --- | --- |")
    for kind in FACTS.values():
        if kind.source == "environment":
            fields = "; ".join(f"`{n}`: {t}" if t else f"`{n}`" for n, t in kind.fields.items())
            rows.append(f"| `{kind.name}` | {fields} | {kind.doc} |")
    return "\n".join(rows)


BEGIN = "<!-- facts table: generated from catalog/vocabulary.py by tests/test_vocabulary.py -->"
END = "<!-- end of facts table -->"


def test_docs_table_lists_the_vocabulary():
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{DOC.name} needs the markers {BEGIN} ... {END}"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    _drift(DOC, text, f"{head}{BEGIN}\n{docs_table()}\n{END}{tail}", "the facts table")


TEAM_PRACTICE = """\
id: TEAM-NEW-01
title: A practice that reads a brand-new fact
pillar: operational_excellence
phase: model_development
risk: medium
summary: Reads a fact kind the vocabulary may not know.
guidance: Used by tests only.
evidence: detect
rules:
  - id: reads-new
    effect: met
    kind: fact
    fact: brand_new_fact
    message: found it
"""


def _team_lens(tmp_path: Path) -> Path:
    lens = tmp_path / "team"
    (lens / "practices").mkdir(parents=True)
    (lens / "lens.yaml").write_text(
        "schema: wellml-lens/v1\nid: team\ntitle: Team lens\ndescription: test\n",
        encoding="utf-8",
    )
    (lens / "practices" / "TEAM-NEW-01.yaml").write_text(TEAM_PRACTICE, encoding="utf-8")
    return lens


def _clear_schema_caches() -> None:
    for fn in (
        schema_module.load_schema,
        schema_module.validator,
        schema_module._definition_validator,
    ):
        fn.cache_clear()


def test_a_kind_added_to_the_vocabulary_alone_is_accepted_by_lens_check(tmp_path, monkeypatch):
    from jupyter_wellml.catalog import check_lens_dir

    lens = _team_lens(tmp_path)
    _clear_schema_caches()
    _, before = check_lens_dir(lens)
    assert any("brand_new_fact" in str(issue) for issue in before), before
    monkeypatch.setitem(
        vocabulary.FACTS,
        "brand_new_fact",
        FactKind("brand_new_fact", "a test kind", {"api": "the call"}),
    )
    _clear_schema_caches()
    try:
        _, after = check_lens_dir(lens)
    finally:
        monkeypatch.undo()
        _clear_schema_caches()
    assert not any("brand_new_fact" in str(issue) for issue in after), after
