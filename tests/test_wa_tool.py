"""Conversion between our lenses and AWS Well-Architected Tool custom-lens JSON (real files)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from jupyter_wellml.catalog import builtin_lens_root, check_lens_dir, load_catalog, normalize_id
from jupyter_wellml.catalog.loader import load_lens_dirs
from jupyter_wellml.catalog.schema import errors as schema_errors
from jupyter_wellml.errors import WellMLError
from jupyter_wellml.interop.wa_export import export_wa_lens
from jupyter_wellml.interop.wa_format import (
    WaLensError,
    dumps_wa_lens,
    validate_wa_lens,
)
from jupyter_wellml.interop.wa_import import ImportResult, import_wa_lens

from .test_wa_format import CORPUS_FILES, FIXTURES, _corpus, _minimal, _q

BUILTIN_DIR = builtin_lens_root() / "ml"
PRACTICE_ID = re.compile(r"[A-Z][A-Z0-9_-]{2,39}")


def _phases() -> list[str]:
    """The built-in lens's phases: the lens is their one source."""
    return [ph.id for ph in load_catalog(data_dirs=False).phases]


# --------------------------------------------------------------------------- helpers
def _complete_builtin_copy(dst: Path) -> Path:
    """A copy of the built-in lens where practices still being written get placeholder text.

    Other people fill in the built-in practices while these tests run; the copy keeps every
    real id, title, pillar, phase, risk and docs link and only fills what is missing, so the
    export is tested on all practices whatever their state.
    """
    shutil.copytree(BUILTIN_DIR, dst)
    for f in sorted((dst / "practices").rglob("*.yaml")):
        try:
            data = yaml.safe_load(f.read_text("utf-8"))
        except yaml.YAMLError:
            f.unlink()  # caught mid-edit
            continue
        if not isinstance(data, dict) or not schema_errors("practice.v1", data):
            continue
        if not isinstance(data.get("summary"), str) or len(data["summary"]) < 10:
            data["summary"] = f"{data.get('title', 'Practice')} in an ML workload."
        if not isinstance(data.get("guidance"), str) or len(data["guidance"]) < 40:
            data["guidance"] = (
                "Placeholder guidance written by the test. It has several sentences. " * 40
            )
        data["evidence"] = "attest"
        data.pop("rules", None)
        f.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return dst


@pytest.fixture(scope="module")
def completed_catalog(tmp_path_factory):
    folder = _complete_builtin_copy(tmp_path_factory.mktemp("builtin") / "ml")
    catalog = load_lens_dirs([folder], cache=False)
    assert len(catalog) > 0
    return catalog


@pytest.fixture(params=["builtin", "builtin-completed"])
def ml_catalog(request, completed_catalog):
    if request.param == "builtin-completed":
        return completed_catalog
    catalog = load_catalog(cache=False, data_dirs=False)
    assert len(catalog) == 105, [str(i) for i in catalog.issues][:5]
    return catalog


def _practice(pid: str, pillar: str, phase: str, risk: str = "medium", **extra) -> dict:
    data = {
        "id": pid,
        "title": f"Team practice {pid}",
        "pillar": pillar,
        "phase": phase,
        "risk": risk,
        "summary": f"Summary of team practice {pid}.",
        "guidance": f"Guidance of team practice {pid}. Do the thing, then check it was done.",
        "docs": f"https://example.org/{pid.lower()}",
        "evidence": "attest",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _team_lens(root: Path, practices: list[dict], *, lens_id="team", pillars=None) -> Path:
    folder = root / lens_id
    (folder / "practices").mkdir(parents=True)
    manifest = {"schema": "wellml-lens/v1", "id": lens_id, "title": f"Team lens {lens_id}"}
    if pillars:
        manifest["pillars"] = pillars
    (folder / "lens.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    for p in practices:
        target = folder / "practices" / p["pillar"] / f"{p['id']}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(p, sort_keys=False), "utf-8")
    return folder


def _load_with_builtin(*folders: Path):
    catalog = load_lens_dirs([BUILTIN_DIR, *folders], cache=False)
    mine = [i for i in catalog.issues if i.path.startswith(tuple(str(f) for f in folders))]
    assert not [i for i in mine if i.severity == "error"], [str(i) for i in mine]
    return catalog


def _questions(doc: dict):
    for pillar in doc["pillars"]:
        for question in pillar["questions"]:
            yield pillar, question


def _practice_choices(question: dict) -> list[dict]:
    return [c for c in question["choices"] if not c["id"].endswith("_no")]


def _non_no_choices(doc: dict) -> int:
    return sum(len(_practice_choices(q)) for _, q in _questions(doc))


def _assert_loads(result: ImportResult):
    catalog, issues = check_lens_dir(result.folder)
    errors = [str(i) for i in issues if i.severity == "error"]
    assert errors == []
    mine = [p for p in catalog if p.lens == result.lens_id]
    assert len(mine) == result.practices
    return catalog, mine


# --------------------------------------------------------------------------- export
def test_export_of_the_builtin_catalog_is_valid_and_complete(ml_catalog):
    doc = export_wa_lens(ml_catalog)

    assert validate_wa_lens(doc) == []
    assert doc["schemaVersion"] == "2021-11-01"
    assert len(dumps_wa_lens(doc).encode()) <= 500_000
    expected_pillars = [
        pl.wa_tool_id for pl in ml_catalog.pillars if any(p.pillar == pl.id for p in ml_catalog)
    ]
    assert [p["id"] for p in doc["pillars"]] == expected_pillars
    for _, question in _questions(doc):
        assert len(question["choices"]) <= 15
        *practices, none = question["choices"]
        assert none["id"] == f"{question['id']}_no" and none["title"] == "None of these"
        assert "improvementPlan" not in none
        assert practices and not any(c["id"].lower().endswith("_no") for c in practices)
        assert len(question["title"]) <= 128
        assert question["riskRules"][-1]["condition"] == "default"
    choice_ids = Counter(c["id"] for _, q in _questions(doc) for c in _practice_choices(q))
    assert choice_ids == Counter(p.id.replace("-", "_") for p in ml_catalog)
    assert all(n == 1 for n in choice_ids.values())


def test_export_questions_follow_phases_and_risks(completed_catalog):
    doc = export_wa_lens(completed_catalog)
    by_choice = {p.id.replace("-", "_"): p for p in completed_catalog}
    phase_rank = {ph.id: i for i, ph in enumerate(completed_catalog.phases)}
    for pillar, question in _questions(doc):
        practices = [by_choice[c["id"]] for c in _practice_choices(question)]
        phase = {p.phase for p in practices}
        assert len(phase) == 1
        (phase,) = phase
        ours = {pl.wa_tool_id: pl for pl in completed_catalog.pillars}[pillar["id"]]
        assert re.fullmatch(rf"{ours.prefix}_{phase}_\d+", question["id"])
        assert {p.pillar for p in practices} == {ours.id}
        assert question["title"].startswith(completed_catalog.phase(phase).name)
        ids = [c["id"] for c in _practice_choices(question)]
        high = [c for c in ids if by_choice[c].risk == "high"]
        rules = question["riskRules"]
        assert rules[0] == {"condition": " && ".join(ids), "risk": "NO_RISK"}
        assert rules[-1] == {
            "condition": "default",
            "risk": "HIGH_RISK" if high else "MEDIUM_RISK",
        }
        if high and len(high) < len(ids):
            assert rules[1] == {"condition": " && ".join(high), "risk": "MEDIUM_RISK"}
        else:
            assert len(rules) == 2
        for choice, practice in zip(_practice_choices(question), practices):
            assert choice["title"] == practice.title
            assert choice["helpfulResource"] == {
                "displayText": practice.summary,
                "url": practice.docs,
            }
            assert choice["improvementPlan"]["url"] == practice.docs
            assert practice.guidance.startswith(choice["improvementPlan"]["displayText"])
    # questions of a pillar come in lifecycle order
    for pillar in doc["pillars"]:
        ranks = [
            phase_rank[by_choice[_practice_choices(q)[0]["id"]].phase] for q in pillar["questions"]
        ]
        assert ranks == sorted(ranks)


def test_export_is_deterministic(tmp_path):
    first = load_lens_dirs([_complete_builtin_copy(tmp_path / "a" / "ml")], cache=False)
    second = load_lens_dirs([_complete_builtin_copy(tmp_path / "b" / "ml")], cache=False)
    text = dumps_wa_lens(export_wa_lens(first))
    assert text == dumps_wa_lens(export_wa_lens(first))
    assert text == dumps_wa_lens(export_wa_lens(second))
    assert json.loads(text) == export_wa_lens(first)


def test_export_splits_a_crowded_phase_into_parts(tmp_path):
    crowded = [
        _practice(f"TEAM-SPLIT-{i:02d}", "security", "deployment", "high" if i % 3 else "medium")
        for i in range(1, 18)
    ]
    hygiene = [
        _practice("NBH-CLEAN-01", "notebook_hygiene", "data_processing", "high"),
        _practice("NBH-REVIEW-NO", "notebook_hygiene", "data_processing"),
    ]
    team = _team_lens(
        tmp_path,
        crowded + hygiene,
        pillars=[{"id": "notebook_hygiene", "name": "Notebook hygiene", "prefix": "NBH"}],
    )
    catalog = _load_with_builtin(team)

    doc = export_wa_lens(catalog, lens_ids=["team"])

    assert validate_wa_lens(doc) == []
    assert doc["name"] == "Team lens team (jupyter-wellml)"
    assert [p["id"] for p in doc["pillars"]] == ["security", "notebook_hygiene"]
    security = doc["pillars"][0]["questions"]
    assert [q["id"] for q in security] == ["MLSEC_deployment_1", "MLSEC_deployment_2"]
    assert [len(q["choices"]) for q in security] == [10, 9]  # 9 + 8 practices, each + _no
    assert security[0]["title"].endswith("(1 of 2)")
    assert security[1]["title"].endswith("(2 of 2)")
    assert all(len(q["title"]) <= 128 for q in security)
    exported = [c["id"] for q in security for c in _practice_choices(q)]
    assert exported == [p["id"].replace("-", "_") for p in crowded]
    hygiene_q = doc["pillars"][1]["questions"]
    assert [q["id"] for q in hygiene_q] == ["NBH_data_processing_1"]
    ids = [c["id"] for c in hygiene_q[0]["choices"]]
    # a practice id ending in -NO must not turn into a "None of these" choice
    assert ids == ["NBH_CLEAN_01", "NBH_REVIEW_NO_bp", "NBH_data_processing_1_no"]

    everything = export_wa_lens(catalog)
    assert validate_wa_lens(everything) == []
    assert _non_no_choices(everything) == len(catalog)


def test_export_trims_texts_to_the_tool_limits(tmp_path):
    sentences = " ".join(
        f"Sentence number {i} explains one more step of the practice." for i in range(65)
    )
    assert 3000 < len(sentences) <= 4000
    no_stop = " ".join(["word"] * 790)  # no sentence end anywhere
    team = _team_lens(
        tmp_path,
        [
            _practice("TEAM-LONG-01", "reliability", "monitoring", guidance=sentences),
            _practice("TEAM-LONG-02", "reliability", "monitoring", guidance=no_stop),
            _practice("TEAM-LONG-03", "reliability", "monitoring", title="T" * 128, docs=None),
        ],
    )
    catalog = _load_with_builtin(team)

    doc = export_wa_lens(catalog, lens_ids=["team"], name="N" * 300, description="Why. " * 1000)

    assert validate_wa_lens(doc) == []
    assert len(doc["name"]) <= 128 and doc["name"].startswith("NNN")
    assert len(doc["description"]) <= 2048 and doc["description"].endswith("Why.")
    choices = {c["id"]: c for _, q in _questions(doc) for c in q["choices"]}
    long_plan = choices["TEAM_LONG_01"]["improvementPlan"]["displayText"]
    assert 2048 // 2 < len(long_plan) <= 2048
    assert long_plan.endswith("of the practice.") and sentences.startswith(long_plan)
    cut_plan = choices["TEAM_LONG_02"]["improvementPlan"]["displayText"]
    assert len(cut_plan) <= 2048 and cut_plan.endswith("word…")
    no_docs = choices["TEAM_LONG_03"]
    assert "url" not in no_docs["helpfulResource"] and "url" not in no_docs["improvementPlan"]
    assert len(no_docs["title"]) == 128


def test_export_refuses_what_the_tool_cannot_take(tmp_path):
    catalog = _load_with_builtin(_team_lens(tmp_path / "empty", []))
    with pytest.raises(WaLensError, match="no practice to export"):
        export_wa_lens(catalog, lens_ids=["team"])
    with pytest.raises(WaLensError, match="no loaded lens has the id 'nope'"):
        export_wa_lens(catalog, lens_ids=["nope"])

    pillars = [
        {"id": f"extra_{i:02d}", "name": f"Extra {i}", "prefix": f"EX{i:02d}"} for i in range(11)
    ]
    practices = [_practice(f"EX{i:02d}-ONE", f"extra_{i:02d}", "deployment") for i in range(11)]
    wide = _load_with_builtin(
        _team_lens(tmp_path / "wide", practices, lens_id="wide", pillars=pillars)
    )
    with pytest.raises(WaLensError, match="11 pillars; the Tool allows 10") as info:
        export_wa_lens(wide, lens_ids=["wide"])
    assert isinstance(info.value, WellMLError)


# --------------------------------------------------------------------------- import
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_import_of_each_shared_lens_loads(name, tmp_path):
    src = _corpus(name, tmp_path)
    doc = json.loads(src.read_text("utf-8"))

    result = import_wa_lens(src, tmp_path / "out")

    assert result.folder == tmp_path / "out"
    assert result.practices == _non_no_choices(doc)
    assert result.skipped_choices == sum(
        c["id"].endswith("_no") for _, q in _questions(doc) for c in q["choices"]
    )
    assert result.questions == sum(1 for _ in _questions(doc))
    assert result.pillars == len(doc["pillars"])
    assert result.files[0] == tmp_path / "out" / "lens.yaml"
    assert len(result.files) == result.practices + 1
    catalog, mine = _assert_loads(result)
    lens = next(x for x in catalog.lenses if x.id == result.lens_id)
    assert lens.title == doc["name"]
    builtin_ids = {p.id for p in catalog if p.lens == "ml"} | {
        a.id for p in catalog if p.lens == "ml" for a in p.aliases
    }
    for practice in mine:
        assert PRACTICE_ID.fullmatch(practice.id)
        assert normalize_id(practice.id) == practice.id  # any spelling a user types finds it
        assert catalog.practice(practice.id.lower().replace("-", "_")).id == practice.id
        assert practice.id not in builtin_ids
        assert practice.phase == _phases()[0] and list(practice.phases) == _phases()
        assert practice.evidence == "attest" and practice.rules == ()
        assert 10 <= len(practice.summary) <= 300 and "\n" not in practice.summary
        assert 40 <= len(practice.guidance) <= 4000
        assert practice.docs is None or practice.docs.startswith(("http://", "https://"))
        assert practice.risk in ("high", "medium")
        assert practice.source.path.endswith(f"{practice.pillar}/{practice.id}.yaml")
    assert len({p.id for p in mine}) == len(mine)
    titles = Counter(p.title for p in mine)
    expected_titles = Counter(
        " ".join(c["title"].split())[:128] for _, q in _questions(doc) for c in _practice_choices(q)
    )
    assert titles == expected_titles


def test_import_names_lens_and_pillars_from_the_file(tmp_path):
    result = import_wa_lens(_corpus(CORPUS_FILES[0], tmp_path), tmp_path / "ecs")
    assert result.lens_id == "amazon-ecs-lens"  # "Folder_File" name with a repeated half
    assert result.new_pillars == ("run", "net", "auto", "sto", "perf", "ops", "sec")
    manifest = yaml.safe_load((tmp_path / "ecs" / "lens.yaml").read_text("utf-8"))
    assert manifest["schema"] == "wellml-lens/v1"
    assert manifest["pillars"][1] == {"id": "net", "name": "Networking", "prefix": "NET"}
    practice = yaml.safe_load(
        (tmp_path / "ecs" / "practices" / "net" / "ECS-NET02-01.yaml").read_text("utf-8")
    )
    assert list(practice) == [
        "id",
        "title",
        "pillar",
        "phase",
        "phases",
        "question",
        "risk",
        "summary",
        "guidance",
        "docs",
        "evidence",
    ]
    assert practice["question"] == "NET2"
    assert practice["title"] == "Use an Application Load Balancer for public HTTP services"


def test_import_warns_about_the_ecs_missing_default(tmp_path):
    result = import_wa_lens(_corpus(CORPUS_FILES[0], tmp_path), tmp_path / "ecs")
    warnings = [w for w in result.warnings if "NET3" in w]
    assert any("no 'default' risk rule" in w for w in warnings), result.warnings
    _, mine = _assert_loads(result)
    assert {p.id: p.risk for p in mine if p.question == "NET3"} == {
        "ECS-NET03-01": "medium",
        "ECS-NET03-02": "medium",
        "ECS-NET03-03": "medium",
    }


def test_import_maps_framework_pillars(tmp_path):
    result = import_wa_lens(FIXTURES / "minimal.json", tmp_path / "out")
    _, mine = _assert_loads(result)
    assert result.new_pillars == ("notebook_hygiene",)
    assert {p.id: p.pillar for p in mine} == {
        "MINIMAL-NBOPS-01-DATA": "operational_excellence",
        "MINIMAL-NBOPS-01-ENV": "operational_excellence",
        "MINIMAL-NBOPS-01-LINEAGE": "operational_excellence",
        "MINIMAL-NBH-01-STORE": "notebook_hygiene",
        "MINIMAL-NBH-01-SCAN": "notebook_hygiene",
    }
    env = next(p for p in mine if p.id == "MINIMAL-NBOPS-01-ENV")
    assert "Lock files explained (https://example.org/lock-files)" in env.guidance
    assert "Why pinning matters for reproducibility." in env.guidance
    assert env.docs == "https://example.org/lock-files"
    lineage = next(p for p in mine if p.id == "MINIMAL-NBOPS-01-LINEAGE")
    assert lineage.docs == "https://example.org/reproducibility"  # the question's link
    assert result.warnings == []


def test_import_derives_risk_from_the_rules(tmp_path):
    result = import_wa_lens(FIXTURES / "risk-rules.json", tmp_path / "out")
    _, mine = _assert_loads(result)
    assert {p.id: p.risk for p in mine} == {
        # all → no risk; a → medium; default high: only a's absence is high
        "RISK-EXP01-A": "high",
        "RISK-EXP01-B": "medium",
        "RISK-EXP01-C": "medium",
        # default medium, (!a) || (!b) → high
        "RISK-NEG01-A": "high",
        "RISK-NEG01-B": "high",
        "RISK-NEG01-C": "medium",
        # missing one of two is medium, missing both is high
        "RISK-XOR01-DIAGRAM": "medium",
        "RISK-XOR01-FLOW": "medium",
        "RISK-ONE01-01": "high",
        # unreadable condition: syntactic fallback (named in a NO_RISK rule, default high)
        "RISK-BAD01-A": "high",
        "RISK-BAD01-B": "high",
    }
    assert any("BAD1" in w and "cannot be read" in w for w in result.warnings)


def test_import_tolerates_the_quirks_of_real_files(tmp_path):
    result = import_wa_lens(FIXTURES / "quirky lens.json", tmp_path / "out")

    assert result.lens_id == "quirky-lens"  # from a file name with a space
    assert result.practices == 9 and result.skipped_choices == 1
    expected = [
        "top-level keys outside the format are ignored: _version",
        "question SECQ1 has no 'default' risk rule",
        "selecting choice SECQ1_1 raises the risk",
        "Framework pillar ids are case-sensitive: 'security'",
        "riskRules[1] repeats the condition of riskRules[0]",
        "choice DUP1_alert: title longer than 128 characters; cut",
        "choice DUP1_alert has no improvementPlan",
        "'ftp://example.org/runbook' is not an http(s) URL",
        "question INFO1 is informational (only NO_RISK rules)",
        "pillars[3] is not an object; skipped",
        "4 empty-string url value(s) were read as 'no url'",
        "1 choice(s) carry a 'description' key",
        "the lens has no description",
    ]
    for fragment in expected:
        assert any(fragment in w for w in result.warnings), (fragment, result.warnings)
    catalog, mine = _assert_loads(result)
    by_id = {p.id: p for p in mine}
    assert set(by_id) == {
        "QUIRKY-SECQ01-01",
        "QUIRKY-SECQ01-02",
        "QUIRKY-SECQ01-03",
        "QUIRKY-DUP01-ROTATE",
        "QUIRKY-DUP01-ALERT",
        "QUIRKY-A-VERY-LONG-OPTION-NUMBER-ONE-IS",
        "QUIRKY-A-VERY-LONG-OPTION-NUMBER-ONE-02",  # clipped ids that collide get a counter
        "QUIRKY-INFO01-PRICING",
        "QUIRKY-INFO01-TIERS",
    }
    assert catalog.pillar("quirky_lens_security").name == "Security, spelled as a custom pillar"
    assert by_id["QUIRKY-SECQ01-01"].pillar == "security"
    assert by_id["QUIRKY-SECQ01-01"].docs is None  # "" is no URL
    assert by_id["QUIRKY-SECQ01-02"].summary.startswith("Outbound traffic only")
    assert by_id["QUIRKY-SECQ01-03"].docs == "https://example.org/vpc-endpoints"
    assert by_id["QUIRKY-DUP01-ROTATE"].risk == by_id["QUIRKY-DUP01-ALERT"].risk == "high"
    cut = by_id["QUIRKY-DUP01-ALERT"].title
    assert len(cut) <= 128 and cut.endswith("workload rather…")  # cut on a word boundary
    assert by_id["QUIRKY-DUP01-ALERT"].docs == "https://example.org/rotation"
    assert by_id["QUIRKY-INFO01-PRICING"].risk == by_id["QUIRKY-INFO01-TIERS"].risk == "medium"
    short = by_id["QUIRKY-INFO01-TIERS"].guidance  # no improvement plan: padded
    assert short == (
        'Imported from the AWS Well-Architected Tool custom lens "Quirky lens (test fixture)", '
        "question INFO1: Which of these business practices do you follow?"
    )


def test_import_cuts_over_long_texts(tmp_path):
    doc = _minimal()
    doc["name"] = "L" * 300
    doc["description"] = "A sentence of the description. " * 200
    choice = _q(doc)["choices"][0]
    choice["title"] = "A title that goes on " * 20
    choice["helpfulResource"] = {"displayText": "Helpful text in sentences. " * 300}
    choice["improvementPlan"] = {"displayText": "Improve this step by step. " * 400}
    src = tmp_path / "long.json"
    src.write_text(json.dumps(doc), "utf-8")

    result = import_wa_lens(src, tmp_path / "out")

    _, mine = _assert_loads(result)
    manifest = yaml.safe_load((tmp_path / "out" / "lens.yaml").read_text("utf-8"))
    assert len(manifest["title"]) <= 128 and len(manifest["description"]) <= 2048
    data = next(p for p in mine if p.id == "LONG-NBOPS-01-DATA")
    assert len(data.title) <= 128 and data.title.endswith("…")
    assert len(data.summary) <= 300 and data.summary.endswith("sentences.")
    assert len(data.guidance) <= 4000 and data.guidance.endswith("step by step.")


def test_import_options_and_determinism(tmp_path):
    src = FIXTURES / "minimal.json"
    one = import_wa_lens(
        src, tmp_path / "one", lens_id="nb-checks", phase="deployment", prefix="NB"
    )
    two = import_wa_lens(
        src, tmp_path / "two", lens_id="nb-checks", phase="deployment", prefix="NB"
    )
    assert [f.relative_to(one.folder) for f in one.files] == [
        f.relative_to(two.folder) for f in two.files
    ]
    for a, b in zip(one.files, two.files):
        assert a.read_text("utf-8") == b.read_text("utf-8")
    _, mine = _assert_loads(one)
    assert {p.lens for p in mine} == {"nb-checks"}
    assert all(p.id.startswith("NB-") and p.phase == "deployment" for p in mine)


def test_import_refuses_to_mix_with_an_existing_folder(tmp_path):
    out = tmp_path / "out"
    import_wa_lens(FIXTURES / "risk-rules.json", out)
    with pytest.raises(WaLensError, match="not empty"):
        import_wa_lens(FIXTURES / "minimal.json", out)
    result = import_wa_lens(FIXTURES / "minimal.json", out, overwrite=True)
    written = sorted(p.name for p in (out / "practices").rglob("*.yaml"))
    assert written == sorted(f.name for f in result.files[1:])  # nothing left of the first
    _assert_loads(result)


def test_round_trip_export_import_load(tmp_path, completed_catalog):
    exported = tmp_path / "ml lens export.json"
    exported.write_text(dumps_wa_lens(export_wa_lens(completed_catalog)), "utf-8")

    result = import_wa_lens(exported, tmp_path / "back")

    assert result.warnings == []
    assert result.practices == len(completed_catalog)
    assert result.new_pillars == ()
    catalog, mine = _assert_loads(result)

    def key(p):
        return (p.pillar, p.title, p.risk, p.docs, p.summary)

    assert Counter(key(p) for p in mine) == Counter(key(p) for p in completed_catalog)
    again = export_wa_lens(catalog, lens_ids=[result.lens_id])
    assert validate_wa_lens(again) == []
    assert _non_no_choices(again) == len(completed_catalog)


def test_imported_lens_exports_again(tmp_path):
    result = import_wa_lens(_corpus(CORPUS_FILES[0], tmp_path), tmp_path / "ecs")
    catalog, mine = _assert_loads(result)
    doc = export_wa_lens(catalog, lens_ids=[result.lens_id])
    assert validate_wa_lens(doc) == []
    assert _non_no_choices(doc) == len(mine) == 115
    assert [p["id"] for p in doc["pillars"]] == ["run", "net", "auto", "sto", "perf", "ops", "sec"]
    sec = doc["pillars"][-1]["questions"]
    assert len(sec) > 1 and all(len(q["choices"]) <= 15 for q in sec)
    assert sec[0]["title"].endswith(f"(1 of {len(sec)})")


# --------------------------------------------------------------------------- errors
def test_import_of_a_file_that_is_not_json(tmp_path):
    bad = tmp_path / "lens notes.json"
    bad.write_text("this is { not json", "utf-8")
    with pytest.raises(WaLensError) as info:
        import_wa_lens(bad, tmp_path / "out")
    message = str(info.value)
    assert str(bad) in message and "not valid JSON (line 1, column 1" in message
    assert isinstance(info.value, WellMLError)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"name": "jupyter-wellml", "version": "1.0.0"}', "it has no 'pillars' array"),
        ("[1, 2, 3]", "the JSON is an array"),
        ('"pillars"', "the JSON is a string"),
        ('{"name": "x", "pillars": {"id": "sec"}}', "'pillars' is not an array"),
        (
            '{"name": "x", "pillars": [{"id": "sec", "questions": []}]}',
            "no pillar holds a question",
        ),
    ],
)
def test_import_of_json_that_is_not_a_lens(tmp_path, content, expected):
    bad = tmp_path / "package.json"
    bad.write_text(content, "utf-8")
    with pytest.raises(WaLensError) as info:
        import_wa_lens(bad, tmp_path / "out")
    assert str(info.value).startswith(f"{bad}: not a Well-Architected custom lens: ")
    assert expected in str(info.value)


def test_import_of_a_lens_with_only_no_choices(tmp_path):
    doc = _minimal()
    for _, question in _questions(doc):
        question["choices"] = [c for c in question["choices"] if c["id"].endswith("_no")]
    src = tmp_path / "empty.json"
    src.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(WaLensError, match="no practice to import"):
        import_wa_lens(src, tmp_path / "out")


def test_import_argument_errors(tmp_path):
    src = FIXTURES / "minimal.json"
    with pytest.raises(WaLensError, match="cannot read the file"):
        import_wa_lens(tmp_path / "missing.json", tmp_path / "out")
    with pytest.raises(WaLensError, match="unknown phase 'training'; known: business_goal"):
        import_wa_lens(src, tmp_path / "out", phase="training")
    with pytest.raises(WaLensError, match="lens id 'Bad Id' must be"):
        import_wa_lens(src, tmp_path / "out", lens_id="Bad Id")
    with pytest.raises(WaLensError, match="built-in lens's id"):
        import_wa_lens(src, tmp_path / "out", lens_id="ml")
    with pytest.raises(WaLensError, match="prefix 'nb' must be"):
        import_wa_lens(src, tmp_path / "out", prefix="nb")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(WaLensError, match="not a folder"):
        import_wa_lens(src, not_a_folder)
