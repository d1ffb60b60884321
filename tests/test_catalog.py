"""The lens as data: every file valid, the facts of the public lens, id resolution, loader errors."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from jupyter_wellml.catalog import check_lens_dir, load_catalog
from jupyter_wellml.catalog.loader import builtin_lens_root, discover, load_lens_dirs
from jupyter_wellml.catalog.schema import errors
from jupyter_wellml.errors import UnknownPracticeError

from .conftest import SHARED

FACTS = SHARED / "lens-facts" / "ml-lens-catalog.yaml"


@pytest.fixture(scope="module")
def public_lens() -> dict:
    """The reference facts of the public lens: the source the expected phases, pillars and
    principles are read from (no hand-kept copy of them in the tests)."""
    if not FACTS.exists():
        pytest.skip("shared lens facts not available")
    return yaml.safe_load(FACTS.read_text())


def test_every_lens_file_validates_against_its_schema():
    root = builtin_lens_root() / "ml"
    manifest = yaml.safe_load((root / "lens.yaml").read_text())
    assert errors("lens.v1", manifest) == []
    files = sorted((root / "practices").rglob("*.yaml"))
    assert len(files) == 105
    problems = {str(f): errors("practice.v1", yaml.safe_load(f.read_text())) for f in files}
    assert {f: p for f, p in problems.items() if p} == {}


def test_builtin_catalog_loads_all_105_practices_without_issue(wellml_catalog):
    assert [str(i) for i in wellml_catalog.issues] == []
    assert len(wellml_catalog) == 105
    phases = [p.id for p in wellml_catalog.phases]
    assert {p.phase for p in wellml_catalog} == set(phases)
    assert set(Counter(p.pillar for p in wellml_catalog)) == {p.id for p in wellml_catalog.pillars}


def test_phases_pillars_and_principles_are_those_of_the_public_lens(wellml_catalog, public_lens):
    pillar_counts = Counter(ref["pillar"] for ref in public_lens["practices"]["2025"])
    assert Counter(p.pillar for p in wellml_catalog) == pillar_counts
    assert [p.id for p in wellml_catalog.pillars] == [p["id"] for p in public_lens["pillars"]]
    assert [p.wa_tool_id for p in wellml_catalog.pillars] == [
        p["wa_tool_pillar_id"] for p in public_lens["pillars"]
    ]
    phases = [p.id for p in wellml_catalog.phases]
    assert phases == [p["id"] for p in public_lens["lifecycle_phases"]]
    assert [p.name for p in wellml_catalog.principles] == [
        p["name"] for p in public_lens["design_principles"]
    ]
    assert len(wellml_catalog.principles) == 10


@pytest.mark.skipif(not FACTS.exists(), reason="shared lens facts not available")
def test_ids_titles_phases_pillars_and_risk_match_the_public_lens(wellml_catalog):
    """Drift test: prints the exact fix when data and the reference facts disagree."""
    facts = yaml.safe_load(FACTS.read_text())
    crosswalk = {x["id_2025"]: x for x in facts["id_crosswalk"] if x.get("id_2025")}
    fixes = []
    for ref in facts["practices"]["2025"]:
        p = wellml_catalog.get(ref["id"])
        if p is None:
            fixes.append(f"{ref['id']}: missing")
            continue
        for field, want in (
            ("title", ref["title"]),
            ("phase", ref["phase"]),
            ("pillar", ref["pillar"]),
            ("question", ref["question"]),
        ):
            if getattr(p, field) != want:
                fixes.append(f"{p.id}: {field} should be {want!r}, is {getattr(p, field)!r}")
        if ref.get("risk_if_not_established") and p.risk != ref["risk_if_not_established"]:
            fixes.append(f"{p.id}: risk should be {ref['risk_if_not_established']}")
        cw = crosswalk[ref["id"]]
        want_aliases = {(cw["id_2023"], "2023")} | (
            {(cw["id_2021"], "2021")} if cw.get("id_2021") else set()
        )
        if {(a.id, a.edition) for a in p.aliases} != want_aliases:
            fixes.append(f"{p.id}: aliases should be {sorted(want_aliases)}")
        if p.docs != ref["docs_url"]:
            fixes.append(f"{p.id}: docs should be {ref['docs_url']}")
    assert fixes == [], "\n".join(fixes)


def test_every_practice_has_our_prose_and_answerable_evidence(wellml_catalog):
    for p in wellml_catalog:
        assert len(p.summary) >= 20 and len(p.guidance) >= 150, p.id
        assert p.phase in p.phases, p.id
        if p.evidence == "attest":
            assert p.rules == (), p.id
        else:
            assert p.rules, p.id
        if p.evidence == "record":
            assert any(_kinds(r.matcher) & {"record"} for r in p.rules), p.id


def _kinds(m) -> set[str]:
    out = {m["kind"]}
    for sub in m.get("rules", ()):
        out |= _kinds(sub)
    if "rule" in m:
        out |= _kinds(m["rule"])
    return out


def test_rule_kinds_in_the_schema_are_the_registered_matchers():
    from jupyter_wellml.catalog.schema import load_schema
    from jupyter_wellml.inspection.rules import MATCHERS

    assert set(load_schema("practice.v1")["$defs"]["matcher_kind"]["enum"]) == set(MATCHERS)


@pytest.mark.parametrize(
    "typed",
    [
        "MLOPS01-BP02",
        "MLOE-02",
        "mloe-2",
        "MLOE_02",
        "MLREL-01@2021",
        "2021:MLREL-01",
        "mlops01_bp02",
    ],
)
def test_any_id_form_resolves_to_the_explainability_agreement(wellml_catalog, typed):
    assert wellml_catalog.practice(typed).id == "MLOPS01-BP02"


def test_old_ids_reused_across_editions_are_resolved_to_the_newest_with_a_note(wellml_catalog):
    matches = wellml_catalog.lookup("MLREL-01")
    assert {m.practice.id for m in matches} == {"MLREL01-BP01", "MLOPS01-BP02"}
    practice, note = wellml_catalog.resolve("MLSEC-05")
    assert practice.title == "Protect sensitive data privacy"
    assert "MLSEC-05@2021 is MLSEC03-BP04" in note
    assert wellml_catalog.resolve("MLSEC-05@2021")[0].id == "MLSEC03-BP04"
    assert wellml_catalog.resolve("MLOPS01-BP02")[1] is None


def test_unknown_id_is_a_clear_error(wellml_catalog):
    with pytest.raises(UnknownPracticeError, match=r"no practice has the id 'MLXX-99'"):
        wellml_catalog.practice("MLXX-99")


@pytest.mark.parametrize(
    "word, phase",
    [
        ("training", "model_development"),
        ("tuning", "model_development"),
        ("evaluation", "model_development"),
        ("EDA", "data_processing"),
        ("feature engineering", "data_processing"),
        ("serving", "deployment"),
        ("drift", "monitoring"),
        ("kpi", "business_goal"),
        ("framing", "ml_problem_framing"),
        ("Model Development", "model_development"),
    ],
)
def test_user_words_map_to_phases(wellml_catalog, word, phase):
    assert wellml_catalog.phase(word).id == phase


def test_unknown_phase_word(wellml_catalog):
    assert wellml_catalog.phase("cooking") is None


# ----------------------------------------------------------------------- bad lens folders
def test_yaml_syntax_error_names_file_and_line_and_the_rest_loads(wellml_lens_copy):
    lens = wellml_lens_copy("bad-syntax")
    catalog, issues = check_lens_dir(lens)
    assert [str(i) for i in issues] == [
        f"{lens}/practices/security/BROKEN-01.yaml:5: /: YAML error: did not find expected ',' or ']'"
    ]
    assert catalog.get("GOOD-01") is not None and catalog.get("BROKEN-01") is None
    assert len(catalog) == 106


def test_unknown_phase_is_reported_with_pointer_and_choices(wellml_lens_copy):
    lens = wellml_lens_copy("bad-phase")
    _, issues = check_lens_dir(lens)
    known = ", ".join(ph.id for ph in load_catalog(data_dirs=False).phases)
    assert [str(i) for i in issues] == [
        f"{lens}/practices/security/PHASE-01.yaml:4: /phase: unknown phase 'data_cooking'; known: "
        f"{known}"
    ]


def test_duplicate_id_across_lenses_is_refused_naming_both_places(wellml_lens_copy):
    lens = wellml_lens_copy("duplicate")
    catalog, issues = check_lens_dir(lens)
    (issue,) = issues
    assert str(issue).startswith(
        f"{lens}/practices/security/MLSEC03-BP03.yaml:1: /id: duplicate practice id MLSEC03-BP03"
    )
    assert "lens/ml/practices/security/MLSEC03-BP03.yaml:1 (lens 'ml')" in issue.message
    assert "override: MLSEC03-BP03" in issue.message
    assert catalog.get("MLSEC03-BP03").lens == "ml"


def test_unsafe_yaml_tag_is_refused_and_never_executed(wellml_lens_copy, tmp_path):
    canary = Path("/tmp/wellml-pwned-by-lens")
    canary.unlink(missing_ok=True)
    lens = wellml_lens_copy("unsafe-tag")
    _, issues = check_lens_dir(lens)
    (issue,) = issues
    assert issue.line == 2
    assert "unsafe or unknown YAML tag" in issue.message and "python/object/apply" in issue.message
    assert not canary.exists()


def test_malformed_manifest_skips_the_lens_with_every_problem(wellml_lens_copy):
    lens = wellml_lens_copy("bad-manifest")
    _, issues = check_lens_dir(lens)
    text = [str(i) for i in issues]
    assert f"{lens}/lens.yaml:1: /: 'title' is missing (it is required)" in text
    assert f"{lens}/lens.yaml:1: /schema: 'wellml-lens/v2' must be 'wellml-lens/v1'" in text
    assert any("/id:" in t and "'Bad Manifest'" in t for t in text)
    assert text[-1].endswith("lens skipped: its lens.yaml is not valid")


def test_unknown_rule_kind_lists_the_known_ones(wellml_lens_copy):
    lens = wellml_lens_copy("bad-rule")
    _, issues = check_lens_dir(lens)
    assert str(issues[0]) == (
        f"{lens}/practices/security/RULE-01.yaml:12: /rules/0/kind: 'telepathy' is not accepted here; "
        "use one of: fact, import, call, record, package, license, text, phase, all, any, not"
    )


def test_team_lens_adds_practices_and_changes_a_builtin_only_by_naming_it(wellml_lens_copy):
    lens = wellml_lens_copy("team-ok")
    catalog, issues = check_lens_dir(lens)
    assert issues == []
    added = catalog.get("AGENCY-SEC-01")
    assert added.lens == "agency" and added.phases == ("data_processing", "model_development")
    changed = catalog.get("MLSEC03-BP03")
    assert changed.lens == "ml" and changed.guidance.startswith("Agency rule")
    assert any(r.id == "MLSEC03-BP03/agency-pii-stated" for r in changed.rules)
    assert len([r for r in changed.rules if r.id.endswith("agency-pii-stated")]) == 1
    assert changed.overridden_by and "agency" in changed.overridden_by[0]
    assert len(catalog) == 106


def test_team_lenses_load_from_jupyter_data_dirs_and_config(
    wellml_lens_copy, tmp_path, monkeypatch
):
    lens = wellml_lens_copy("team-ok")
    data = tmp_path / "share"
    (data / "wellml" / "lenses").mkdir(parents=True)
    os.rename(lens, data / "wellml" / "lenses" / "agency")
    monkeypatch.setenv("JUPYTER_PATH", str(data))
    assert load_catalog(cache=False).get("AGENCY-SEC-01") is not None
    assert load_catalog(cache=False, data_dirs=False).get("AGENCY-SEC-01") is None
    assert (
        load_catalog([data / "wellml" / "lenses"], cache=False, data_dirs=False).get(
            "AGENCY-SEC-01"
        )
        is not None
    )


def test_catalog_cache_is_used_and_invalidated_by_a_change(wellml_lens_copy, tmp_path):
    lens = wellml_lens_copy("team-ok")
    dirs = discover([builtin_lens_root(), lens])
    first = load_lens_dirs(dirs)
    cached = list((tmp_path.parent).glob("**/catalog-*.json")) or list(
        Path(os.environ["WELLML_CACHE_DIR"]).glob("catalog-*.json")
    )
    assert cached, "the catalog was not cached"
    again = load_lens_dirs(dirs)
    assert (
        again.fingerprint == first.fingerprint
        and again.get("AGENCY-SEC-01").title == first.get("AGENCY-SEC-01").title
    )
    practice = lens / "practices" / "security" / "AGENCY-SEC-01.yaml"
    practice.write_text(
        practice.read_text().replace("Register every dataset", "Register each dataset")
    )
    changed = load_lens_dirs(dirs)
    assert changed.fingerprint != first.fingerprint
    assert changed.get("AGENCY-SEC-01").title.startswith("Register each dataset")


def test_catalog_json_round_trips(wellml_catalog):
    from jupyter_wellml.catalog import Catalog

    data = json.loads(json.dumps(wellml_catalog.to_json()))
    again = Catalog.from_json(data)
    assert [p.to_json() for p in again] == [p.to_json() for p in wellml_catalog]


def test_validators_skip_the_iri_grammar_and_leave_it_importable():
    """jsonschema is imported without compiling rfc3987-syntax's parser (seconds in a kernel),
    validation still works, and user code can import that module afterwards."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from jupyter_wellml.catalog.schema import errors\n"
        "assert errors('record.v1', {'kind': 'kpi'}), 'validation must still find problems'\n"
        "assert 'rfc3987_syntax' not in sys.modules\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('rfc3987_syntax') is not None\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_data_dir_lens_roots_are_cached_per_environment(tmp_path):
    """The CLI's fast path finds team-lens data dirs without importing jupyter_core.paths once
    they are cached; a different JUPYTER_PATH is a different cache entry, never a stale answer."""
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from jupyter_wellml.catalog.locate import data_dir_lens_roots\n"
        "roots = data_dir_lens_roots()\n"
        "print(json.dumps([roots, 'jupyter_core.paths' in sys.modules]))\n"
    )

    def run(jupyter_path):
        env = {
            **os.environ,
            "WELLML_CACHE_DIR": str(tmp_path / "cache"),
            "JUPYTER_PATH": jupyter_path,
        }
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first_dir, second_dir = str(tmp_path / "a"), str(tmp_path / "b")
    roots, imported = run(first_dir)
    assert imported and roots[0] == os.path.join(first_dir, "wellml", "lenses")
    roots_again, imported_again = run(first_dir)
    assert roots_again == roots and not imported_again
    other, imported_other = run(second_dir)
    assert imported_other and other[0] == os.path.join(second_dir, "wellml", "lenses")
