"""``review()`` end to end: one practice per rule kind (good and bad fixture notebooks), the
status rules of docs/review-format.md, the JSON contract, and bad input never losing data."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from jupyter_wellml.catalog import load_catalog
from jupyter_wellml.errors import NotebookError, WellMLError
from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.environment import probe
from jupyter_wellml.inspection.licenses import LicensePolicy, normalise

from .conftest import FIXTURES, ROOT

RULES = FIXTURES / "rules"
RULE_NOTEBOOKS = sorted((RULES / "notebooks").glob("*.ipynb"))
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
SCHEMA = json.loads((ROOT / "jupyter_wellml" / "schemas" / "review.v1.json").read_text())


@pytest.fixture(scope="module")
def rule_catalog():
    """The built-in lens plus the test lens with one RULEKIND-<KIND> practice per matcher."""
    return load_catalog([RULES / "lens"], data_dirs=False)


@lru_cache(maxsize=1)
def venv_probe() -> dict:
    return probe(VENV_PYTHON)


def case_environment(nb: dict) -> tuple[dict | None, LicensePolicy | None]:
    """The environment and license policy a rule-kind fixture asks for (metadata.wellml_case)."""
    want = (nb["metadata"].get("wellml_case") or {}).get("environment")
    if want in (None, "NO_ENV"):
        return None, None
    env = venv_probe()
    if want == "ENV":
        return env, None
    assert want == "ENV_DENY", f"unknown wellml_case.environment {want!r}"
    # deny a license that really is in the venv: the one ipykernel declares
    ipykernel = next(p for p in env["packages"] if p["name"] == "ipykernel")
    license_id, _ = normalise(ipykernel)
    return env, LicensePolicy.from_config(deny=[license_id])


def validate(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_every_rule_kind_has_a_good_and_a_bad_notebook(rule_catalog):
    kinds = {p.stem.rsplit("-", 1)[0] for p in RULE_NOTEBOOKS}
    for kind in kinds:
        assert (RULES / "notebooks" / f"{kind}-good.ipynb").exists()
        assert (RULES / "notebooks" / f"{kind}-bad.ipynb").exists()
    from jupyter_wellml.inspection.rules import MATCHERS

    assert set(MATCHERS) <= {k.lower() for k in kinds} | {"phase"}, (
        "a registered matcher has no fixture pair"
    )
    for kind in kinds:
        assert rule_catalog.practice(f"RULEKIND-{kind.upper()}") is not None


@pytest.mark.parametrize("path", RULE_NOTEBOOKS, ids=[p.stem for p in RULE_NOTEBOOKS])
def test_rule_kind_fixture(path: Path, rule_catalog):
    kind, verdict = path.stem.rsplit("-", 1)
    nb = json.loads(path.read_text())
    env, policy = case_environment(nb)
    result = review(nb, rule_catalog, env, policy=policy, path=str(path))
    finding = result.finding(f"RULEKIND-{kind.upper()}")
    if verdict == "good":
        assert finding.status == "met", finding.evidence
        assert finding.evidence and all(e["effect"] == "met" for e in finding.evidence)
        assert any(e["rule"] and e["rule"].endswith(f"{kind}-holds") for e in finding.evidence)
    else:
        assert verdict == "bad"
        # the test practices have only a `met` rule: without evidence they stay unknown
        assert finding.status in ("gap", "unknown"), finding.evidence
        assert finding.status != "met"
    validate(result.to_json())


def test_located_evidence_points_at_the_cell_and_line(rule_catalog):
    path = RULES / "notebooks" / "call-good.ipynb"
    nb = json.loads(path.read_text())
    result = review(nb, rule_catalog, path=str(path))
    ev = result.finding("RULEKIND-CALL").evidence[0]
    line = nb["cells"][ev["cell"]]["source"]
    line = ("".join(line) if isinstance(line, list) else line).split("\n")[ev["line"] - 1]
    assert "average" in line and ev["snippet"] == line.strip()
    assert ev["cell_id"] == nb["cells"][ev["cell"]].get("id")


# --------------------------------------------------------------------------- small notebooks
def notebook(*cells, metadata=None, language="python") -> dict:
    out = []
    for i, c in enumerate(cells):
        if isinstance(c, str):
            c = {"cell_type": "code", "source": c}
        c = {"metadata": {}, "id": f"c{i}", **c}
        if c["cell_type"] == "code":
            c.setdefault("outputs", [])
            c.setdefault("execution_count", None)
        out.append(c)
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": language}}
    meta.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": out}


def test_review_json_validates_and_summary_adds_up(wellml_catalog):
    nb = notebook(
        "import pandas as pd\ndf = pd.read_csv('s3://bucket/train.csv')",
        "from sklearn.linear_model import LogisticRegression\n"
        "m = LogisticRegression(random_state=0).fit(df, df.y)",
    )
    doc = review(nb, wellml_catalog, path="x.ipynb").to_json()
    validate(doc)
    total = doc["summary"]["total"]
    statuses = [p["status"] for p in doc["practices"]]
    for status in ("met", "gap", "unknown", "not_applicable"):
        assert total[status] == statuses.count(status)
    assert total["high"] + total["medium"] == total["gap"]
    assert sum(p["gap"] for p in doc["summary"]["pillars"]) == total["gap"]
    assert all((p["risk"] is not None) == (p["status"] == "gap") for p in doc["practices"])
    assert doc["facts"]["trains_model"] is True
    assert doc["phase"]["id"] == "model_development" and doc["phase"]["source"] == "inferred"


def test_waiver_makes_a_practice_not_applicable_and_attestation_met(rule_catalog):
    records = [
        {
            "id": "wv0000000001",
            "kind": "waiver",
            "created": "2026-11-01T10:00:00Z",
            "updated": "2026-11-01T10:00:00Z",
            "practice": "RULEKIND-IMPORT",
            "reason": "not_applicable",
            "note": "no lime here",
        },
        {
            "id": "at0000000001",
            "kind": "attest",
            "created": "2026-11-01T10:00:00Z",
            "updated": "2026-11-01T10:00:00Z",
            "practice": "RULEKIND-TEXT",
            "note": "data card kept in the wiki",
        },
    ]
    nb = notebook("print(1)", metadata={"wellml": {"version": 1, "records": records}})
    result = review(nb, rule_catalog)
    waived = result.finding("RULEKIND-IMPORT")
    assert waived.status == "not_applicable"
    assert (
        waived.evidence[0]["effect"] == "waiver" and "no lime here" in waived.evidence[0]["message"]
    )
    attested = result.finding("RULEKIND-TEXT")
    assert attested.status == "met" and attested.evidence[0]["effect"] == "attest"


def test_requested_phase_overrides_and_bad_phase_is_a_clear_error(wellml_catalog):
    nb = notebook("import pandas as pd\npd.read_csv('a.csv')")
    result = review(nb, wellml_catalog, phase="deployment")
    assert result.phase.id == "deployment" and result.phase.source == "requested"
    with pytest.raises(WellMLError, match=r"unknown phase 'brewing'.*model_development"):
        review(nb, wellml_catalog, phase="brewing")


def test_review_never_modifies_the_notebook_or_its_records(wellml_catalog):
    path = RULES / "notebooks" / "record-good.ipynb"
    nb = json.loads(path.read_text())
    before = copy.deepcopy(nb)
    review(nb, wellml_catalog)
    assert nb == before
    review(str(path), wellml_catalog)
    assert json.loads(path.read_text()) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00junk", "not UTF-8"),
        (b"[1, 2]", "the JSON is a list"),
        (b'{"metadata": {}}', "no 'cells' list"),
        (b'{"cells": [7]}', "cell 0: is a int"),
        (b'{"cells": [{"cell_type": "video"}]}', "cell 0: unknown cell_type 'video'"),
        (b'{"cells": [{"cell_type": "code", "source": 5}]}', "cell 0: 'source' must be text"),
        (b'{"cells": [{"cell_type": "code", "source": "", "outputs": {}}]}', "'outputs' must be"),
    ],
)
def test_malformed_notebooks_raise_a_notebook_error_with_the_reason(
    content, reason, wellml_catalog, tmp_path
):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError) as info:
        review(str(path), wellml_catalog)
    assert reason in str(info.value)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content  # nothing rewritten


def test_missing_file_and_folder_are_reported_by_name(wellml_catalog, tmp_path):
    with pytest.raises(NotebookError, match="no such file"):
        review(str(tmp_path / "nope.ipynb"), wellml_catalog)
    with pytest.raises(NotebookError, match="is a folder"):
        review(str(tmp_path), wellml_catalog)


def test_unparsable_cell_is_an_error_entry_and_the_rest_is_reviewed(wellml_catalog):
    nb = notebook("def broken(:\n    pass", "import shap\nshap.TreeExplainer(m)")
    doc = review(nb, wellml_catalog).to_json()
    assert [(e["cell"], e["line"]) for e in doc["errors"]] == [(0, 1)]
    assert "syntax error" in doc["errors"][0]["message"]
    assert {e["method"] for e in doc["facts"]["explainability"]} == {"shap"}
    validate(doc)


def test_import_rule_patterns_match_like_module_globs():
    """The matcher of an import rule's globs (a set lookup, or a regular expression when a
    glob has wildcards) agrees with the plain definition."""
    from fnmatch import fnmatchcase

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jupyter_wellml.inspection.rules import _module_matcher

    def _module_match(name: str, glob: str) -> bool:
        """The plain definition: the module itself, a submodule, or an fnmatch-style glob."""
        return name == glob or name.startswith(glob + ".") or fnmatchcase(name, glob)

    part = st.text(alphabet="abcx1_", min_size=1, max_size=4)
    name = st.lists(part, min_size=1, max_size=4).map(".".join)
    glob = st.lists(part | st.sampled_from(["*", "?", "a*", "[ab]x"]), min_size=1, max_size=3).map(
        ".".join
    )

    @settings(max_examples=300, deadline=None)
    @given(name=name, globs=st.lists(glob, min_size=1, max_size=3))
    def check(name, globs):
        expected = any(_module_match(name, g) for g in globs)
        assert bool(_module_matcher(tuple(globs))(name)) == expected

    check()


def test_call_globs_match_exactly_like_fnmatch():
    from fnmatch import fnmatchcase

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jupyter_wellml.inspection.signatures import Glob

    text = st.text(alphabet="ab.*", max_size=8)

    @settings(max_examples=500, deadline=None)
    @given(pattern=text, name=st.text(alphabet="ab.", max_size=10))
    def check(pattern, name):
        assert Glob(pattern).match(name) == fnmatchcase(name, pattern)

    check()


@pytest.mark.parametrize(
    ("phase_word", "status"),
    [("business_goal", "not_applicable"), ("model_development", "gap")],
)
def test_expected_evidence_is_a_gap_only_where_the_practice_applies(
    wellml_catalog, phase_word, status
):
    """An agreed level of explainability expects explanations (MLPERF06-BP02, which applies to
    model development and monitoring): a business-goal notebook is not expected to compute them."""
    from jupyter_wellml.records.model import make_record

    explain = make_record(
        "explain", {"level": "global", "method": "shap", "audience": "officers", "rationale": "r"}
    )
    phase = make_record("phase", {"phase": phase_word})
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
            "wellml": {"version": 1, "records": [phase, explain]},
        },
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "metadata": {},
                "source": "x = 1",
                "outputs": [],
                "execution_count": None,
            }
        ],
    }
    doc = review(nb, wellml_catalog).to_json()
    validate(doc)
    assert doc["phase"]["id"] == phase_word
    found = next(p for p in doc["practices"] if p["id"] == "MLPERF06-BP02")
    assert found["status"] == status


def test_a_notebook_read_after_an_edit_reuses_only_the_cells_that_did_not_change():
    """``read_notebook(previous=...)`` takes unchanged cells (the same dicts in the same place)
    as read, with their output problems; what it gives equals reading the edit from scratch."""
    from jupyter_wellml.inspection.notebook import read_notebook

    def cell(i, source, outputs=()):
        return {"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
                "outputs": list(outputs), "source": source}  # fmt: skip

    bad = {"output_type": "display_data", "data": "not an object", "metadata": {}}
    cells = [cell(i, f"x{i} = {i}", [bad] if i == 1 else []) for i in range(4)]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    first = read_notebook(nb, sha256="a")
    edited = {**nb, "cells": [cells[0], cells[1], cell(2, "import pandas as pd"), cells[3]]}
    again = read_notebook(edited, sha256="b", previous=first)
    fresh = read_notebook(copy.deepcopy(edited), sha256="b")
    assert [vars_of(c) for c in again.cells] == [vars_of(c) for c in fresh.cells]
    assert (
        again.problems == fresh.problems and "output 1 is ignored" in again.problems[0]["message"]
    )
    assert again.cells[0] is first.cells[0] and again.cells[2] is not first.cells[2]
    # a cell moved: read again, at its new place
    moved = {**nb, "cells": [cells[1], cells[0], cells[2], cells[3]]}
    shifted = read_notebook(moved, sha256="c", previous=first)
    assert [c.index for c in shifted.cells] == [0, 1, 2, 3]
    assert shifted.problems[0]["cell"] == 0 and shifted.cells[0] is not first.cells[1]
    assert shifted.cells[2] is first.cells[2]


def vars_of(cell) -> dict:
    return {k: getattr(cell, k) for k in cell.__slots__}
