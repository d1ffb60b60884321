"""Workloads through the real CLI, on the five demo notebooks of binder/ as one workload.

Review with --workload, milestones before and after a record, the diff, the plan, the WA Tool
answers (checked against the API's shapes and limits) and their import back; then bad input:
each is one line on standard error, exit code 2, and nothing written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from jupyter_wellml.catalog import load_catalog
from jupyter_wellml.catalog.schema import registry
from jupyter_wellml.interop.wa_answers import ANSWERS_SCHEMA, MAX_CHOICE_NOTES, MAX_NOTES
from jupyter_wellml.interop.wa_export import export_layout, export_wa_lens

from .conftest import ROOT

EXE = Path(sys.executable).parent / "jupyter-wellml"
DEMOS = sorted((ROOT / "binder").glob("*.ipynb"))
SCHEMA = json.loads((ROOT / "jupyter_wellml" / "schemas" / "workload.v1.json").read_text())
ALIAS = "arn:aws:wellarchitected:eu-west-1:111122223333:lens/0123456789abcdef0123456789abcdef"
CONFIG = """\
schema: wellml-workload/v1
name: Claims triage
description: Fraud scoring of insurance claims, from framing to monitoring.
owner: Dana Smith, ML lead
environment: PREPRODUCTION
notebooks:
{notebooks}
"""


def wellml(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EXE), *args, "--no-data-dirs"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=os.environ.copy(),
    )


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def _definition(name: str) -> dict:
    """workload.v1's definition ``name``; validate with ``registry()`` (its references into
    review.v1 resolve from the package's files)."""
    return {**SCHEMA, "$ref": f"#/$defs/{name}"}


@pytest.fixture
def workload(tmp_path) -> Path:
    root = tmp_path / "claims"
    root.mkdir()
    for nb in DEMOS:
        shutil.copyfile(nb, root / nb.name)
    listed = "\n".join(f"  - {nb.name}" for nb in DEMOS)
    (root / "wellml-workload.yaml").write_text(CONFIG.format(notebooks=listed), "utf-8")
    return root


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(data_dirs=False)


def _review(root: Path) -> dict:
    done = wellml("review", str(root), "--workload", "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --------------------------------------------------------------------------- review
def test_workload_review_combines_the_notebooks(workload, catalog):
    doc = _review(workload)
    section = doc["workload"]
    jsonschema.validate(
        section, _definition("review"), cls=jsonschema.Draft202012Validator, registry=registry()
    )
    assert len(doc["reviews"]) == 5 and section["name"] == "Claims triage"
    assert section["notebooks"] == [nb.name for nb in DEMOS]
    assert section["owner"] == "Dana Smith, ML lead" and section["environment"] == "PREPRODUCTION"
    assert [p["id"] for p in section["practices"]] == [p.id for p in catalog.practices]
    by_notebook = {
        os.path.basename(r["notebook"]["path"]): {p["id"]: p for p in r["practices"]}
        for r in doc["reviews"]
    }
    for p in section["practices"]:
        own = {nb: by_notebook[nb][p["id"]] for nb in by_notebook}
        assert p["notebooks"] == {nb: q["status"] for nb, q in own.items()}
        met = [nb for nb, q in own.items() if q["status"] == "met"]
        assert (p["status"] == "met") == bool(met), p["id"]
        if p["status"] == "met":
            assert {e["notebook"] for e in p["evidence"]} <= set(met)
        if p["status"] == "gap":
            assert not met
            assert any(q["status"] == "gap" for q in own.values())
            assert p["risk"] == p["lens_risk"]
            located = [e for e in p["evidence"] if e["cell"] is not None]
            for e in located:  # the evidence names notebook, cell and line
                assert e["notebook"] in by_notebook and e["line"] is not None
        if p["reason"] == "out_of_phase":
            assert not any(q["applies"] for q in own.values())
    counts = section["summary"]["total"]
    assert counts["gap"] == counts["high"] + counts["medium"]
    assert sum(counts[s] for s in ("met", "gap", "unknown", "not_applicable")) == 105
    # a practice met in one notebook and a gap in another is met for the workload
    mixed = [
        p for p in section["practices"] if p["status"] == "met" and "gap" in p["notebooks"].values()
    ]
    per_notebook_high = sum(r["summary"]["total"]["high"] for r in doc["reviews"])
    assert counts["high"] < per_notebook_high
    assert mixed or counts["high"] < per_notebook_high


def test_workload_review_in_text_markdown_and_html(workload, tmp_path):
    text = wellml("review", str(workload), "--workload", "--fail-on", "never")
    assert text.returncode == 0, text.stderr
    assert "workload Claims triage (5 notebook(s)):" in text.stdout.splitlines()[-1]
    md = wellml("review", str(workload), "--workload", "-f", "markdown", "--fail-on", "never")
    assert "## Workload Claims triage" in md.stdout and "| Pillar | High |" in md.stdout
    out = tmp_path / "report.html"
    html = wellml(
        "review", str(workload), "--workload", "-f", "html", "-o", str(out), "--fail-on", "never"
    )
    assert html.returncode == 0, html.stderr
    page = out.read_text("utf-8")
    assert page.index('<section id="workload">') < page.index("</body>")


def test_fail_on_judges_the_workload(workload):
    doc = _review(workload)
    high = doc["workload"]["summary"]["total"]["high"]
    done = wellml("review", str(workload), "--workload")
    assert done.returncode == (1 if high else 0)


# --------------------------------------------------------------------------- milestones
def _add_kpi(notebook: Path) -> None:
    """A record a person makes: a return-on-investment KPI with a target."""
    done = wellml(
        "signoff", str(notebook), "MLCOST01-BP01", "--approver", "Ada Lovelace, CFO",
        "--expires", "2999-12-31", "--note", "ROI case approved at 250k EUR a year",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_milestones_before_and_after_a_record(workload):
    first = wellml("milestone", "save", "before", str(workload))
    assert first.returncode == 0, first.stderr
    assert (workload / ".wellml" / "milestones" / "before.json").is_file()
    _add_kpi(workload / DEMOS[0].name)
    second = wellml("milestone", "save", "after", str(workload))
    assert second.returncode == 0, second.stderr
    for name in ("before", "after"):
        doc = json.loads((workload / ".wellml" / "milestones" / f"{name}.json").read_text())
        jsonschema.validate(
            doc, _definition("milestone"), cls=jsonschema.Draft202012Validator, registry=registry()
        )
        assert doc["lens"]["fingerprint"] and doc["workload"]["name"] == "Claims triage"

    listed = wellml("milestone", "list", str(workload), "--format", "json")
    assert [m["name"] for m in json.loads(listed.stdout)["milestones"]] == ["before", "after"]

    diff = wellml("milestone", "diff", "before", "after", str(workload), "--format", "json")
    assert diff.returncode == 0, diff.stderr
    changed = json.loads(diff.stdout)
    assert changed["from"]["name"] == "before" and changed["to"]["name"] == "after"
    assert [(c["id"], c["before"], c["after"]) for c in changed["changed"]] == [
        ("MLCOST01-BP01", "gap", "met")
    ]
    cost = next(p for p in changed["pillars"] if p["id"] == "cost_optimization")
    assert cost["after"]["high"] == cost["before"]["high"] - 1
    assert changed["total"]["after"]["high"] == changed["total"]["before"]["high"] - 1

    text = wellml("milestone", "diff", "before", "after", str(workload))
    assert "MLCOST01-BP01 [high] gap -> met" in text.stdout
    md = wellml("milestone", "diff", "before", str(workload), "--format", "markdown")
    assert md.returncode == 0, md.stderr  # B defaults to now
    assert "| MLCOST01-BP01 | high | gap | met |" in md.stdout


def test_the_html_report_shows_the_trend_over_milestones(workload, tmp_path):
    assert wellml("milestone", "save", "m1", str(workload)).returncode == 0
    _add_kpi(workload / DEMOS[0].name)
    assert wellml("milestone", "save", "m2", str(workload)).returncode == 0
    out = tmp_path / "r.html"
    done = wellml(
        "review", str(workload), "--workload", "-f", "html", "-o", str(out), "--fail-on", "never"
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text("utf-8")
    assert "Trend over milestones" in page and "<polyline" in page
    assert page.index(">m1<") < page.index(">m2<") < page.index(">now<")


# --------------------------------------------------------------------------- plan
def test_the_plan_orders_gaps_then_answers(workload, catalog):
    done = wellml("plan", str(workload), "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    items = plan["items"]
    section = _review(workload)["workload"]
    gaps = [p["id"] for p in section["practices"] if p["status"] == "gap"]
    assert sorted(i["id"] for i in items if i["kind"] == "gap") == sorted(gaps)
    phases = {ph.id: i for i, ph in enumerate(catalog.phases)}
    pillars = {pl.id: i for i, pl in enumerate(catalog.pillars)}
    keys = [
        (i["kind"] != "gap", i["risk"] != "high", phases[i["phase"]], pillars[i["pillar"]], i["id"])
        for i in items
    ]
    assert keys == sorted(keys)
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    for item in items:
        assert item["guidance"] and item["next_step"]["text"]
        practice = catalog.get(item["id"])
        kind = item["next_step"]["kind"]
        assert kind == {"record": "magic", "detect": "code", "attest": "attest"}[
            practice.evidence
        ] or (kind == "attest" and not practice.magic)
        if item["kind"] == "gap":
            assert item["evidence"]
    text = wellml("plan", str(workload))
    assert (
        text.stdout.splitlines()[1].lstrip().startswith(f"1. {items[0]['id']} [{items[0]['risk']}]")
    )
    md = wellml("plan", str(workload), "--format", "markdown")
    assert md.stdout.startswith("# Improvement plan: Claims triage")


@pytest.mark.parametrize("demo", DEMOS, ids=lambda p: p.stem)
def test_one_notebook_s_verdict_lists_what_to_do_next_in_the_plan_s_order(demo, catalog):
    """The sidebar, the status magic and the reports follow the verdict; for one notebook its
    gaps and questions come in the improvement plan's order (risk, phase, pillar, id)."""
    from jupyter_wellml.inspection import review
    from jupyter_wellml.report.verdict import verdict
    from jupyter_wellml.workload import order_next_steps

    result = review(demo, catalog).to_json()
    v = verdict(result, catalog)
    by_id = {p["id"]: p for p in result["practices"]}
    for state in ("gap", "to_answer"):
        shown = [e["id"] for e in v["practices"] if e["state"] == state]
        planned = [p["id"] for p in order_next_steps([by_id[i] for i in shown], catalog)]
        assert shown == planned, state
    assert any(e["state"] == "gap" for e in v["practices"]), "the demo has no gap to order"


# --------------------------------------------------------------------------- WA Tool answers
def _answers(root: Path, out: Path) -> dict:
    done = wellml("wa", "answers", str(root), "--lens-alias", ALIAS, "-o", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text("utf-8"))


def test_wa_answers_fit_the_api_and_the_exported_lens(workload, tmp_path, catalog):
    doc = _answers(workload, tmp_path / "answers.json")
    jsonschema.validate(doc, ANSWERS_SCHEMA, cls=jsonschema.Draft202012Validator)
    lens = export_wa_lens(catalog)
    questions = {q["id"]: q for p in lens["pillars"] for q in p["questions"]}
    assert [a["QuestionId"] for a in doc["answers"]] == list(questions)
    section = _review(workload)["workload"]
    status = {p["id"]: p for p in section["practices"]}
    layout = {q.qid: q for q in export_layout(catalog)}
    for answer in doc["answers"]:
        body, q = answer["UpdateAnswer"], layout[answer["QuestionId"]]
        choice_ids = {c["id"] for c in questions[answer["QuestionId"]]["choices"]}
        assert set(body["ChoiceUpdates"]) == choice_ids - {q.no_choice}
        assert set(body["SelectedChoices"]) <= choice_ids
        assert len(body["Notes"]) <= MAX_NOTES
        for cid, practice in q.choices:
            update = body["ChoiceUpdates"][cid]
            assert len(update["Notes"]) <= MAX_CHOICE_NOTES
            want = {"met": "SELECTED", "waived": "NOT_APPLICABLE"}.get(
                status[practice.id]["reason"], "UNSELECTED"
            )
            assert update["Status"] == want
            assert (cid in body["SelectedChoices"]) == (want == "SELECTED")
        assert body["IsApplicable"] is True
    assert any(a["UpdateAnswer"]["SelectedChoices"] for a in doc["answers"])


def test_wa_answers_as_an_aws_cli_script(workload, tmp_path):
    out = tmp_path / "answers.sh"
    done = wellml(
        "wa", "answers", str(workload), "--lens-alias", ALIAS, "--format", "aws-cli",
        "--workload-id", "0123456789abcdef0123456789abcdef", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    script = out.read_text("utf-8")
    calls = [
        line for line in script.splitlines() if line.startswith("aws wellarchitected update-answer")
    ]
    assert len(calls) == len(export_layout(load_catalog(data_dirs=False)))
    assert all('--workload-id "$WORKLOAD_ID"' in c and "--cli-input-json" in c for c in calls)
    assert subprocess.run(["sh", "-n", str(out)], capture_output=True).returncode == 0


def test_wa_answers_round_trip_through_import(workload, tmp_path):
    first = _answers(workload, tmp_path / "a1.json")
    copy = tmp_path / "copy"
    shutil.copytree(workload, copy)
    target = copy / DEMOS[-1].name
    done = wellml(
        "wa", "import-answers", str(tmp_path / "a1.json"), str(copy), "--notebook", str(target)
    )
    assert done.returncode == 0, done.stderr
    selected = sum(len(a["UpdateAnswer"]["SelectedChoices"]) for a in first["answers"])
    records = json.loads(target.read_text())["metadata"]["wellml"]["records"]
    from_tool = [r for r in records if r.get("source") == "wa_tool"]
    assert len(from_tool) == selected - sum(
        1
        for a in first["answers"]
        for c in a["UpdateAnswer"]["SelectedChoices"]
        if c.endswith("_no")
    )
    assert {r["kind"] for r in from_tool} == {"attest"}
    second = _answers(copy, tmp_path / "a2.json")
    assert [a["UpdateAnswer"]["SelectedChoices"] for a in second["answers"]] == [
        a["UpdateAnswer"]["SelectedChoices"] for a in first["answers"]
    ]
    again = wellml(
        "wa", "import-answers", str(tmp_path / "a1.json"), str(copy), "--notebook", str(target)
    )
    assert "0 added, 0 updated" in again.stdout  # importing twice changes nothing


def test_wa_import_reads_the_tools_own_json(workload, tmp_path, catalog):
    before = {p["id"]: p["status"] for p in _review(workload)["workload"]["practices"]}
    q = next(
        q for q in export_layout(catalog) if sum(before[p.id] != "met" for _, p in q.choices) >= 2
    )
    (cid_a, pa), (cid_b, pb) = [(c, p) for c, p in q.choices if before[p.id] != "met"][:2]
    tool = {
        "WorkloadId": "0123456789abcdef0123456789abcdef",
        "LensAlias": ALIAS,
        "Answer": {
            "QuestionId": q.qid,
            "PillarId": q.wa_pillar,
            "SelectedChoices": [cid_a],
            "ChoiceAnswers": [
                {"ChoiceId": cid_a, "Status": "SELECTED", "Notes": "owner named in the charter"},
                {
                    "ChoiceId": cid_b,
                    "Status": "NOT_APPLICABLE",
                    "Reason": "BUSINESS_PRIORITIES",
                    "Notes": "later",
                },
            ],
            "IsApplicable": True,
            "Risk": "HIGH",
        },
    }
    src = tmp_path / "get-answer.json"
    src.write_text(json.dumps(tool), "utf-8")
    target = workload / DEMOS[0].name
    done = wellml("wa", "import-answers", str(src), str(workload), "--notebook", str(target))
    assert done.returncode == 0, done.stderr
    records = {
        r["practice"]: r for r in json.loads(target.read_text())["metadata"]["wellml"]["records"]
    }
    assert (
        records[pa.id]["kind"] == "attest"
        and "owner named in the charter" in records[pa.id]["note"]
    )
    assert records[pb.id]["kind"] == "waiver" and records[pb.id]["reason"] == "business_priorities"
    assert records[pa.id]["source"] == records[pb.id]["source"] == "wa_tool"
    section = _review(workload)["workload"]
    status = {p["id"]: p["status"] for p in section["practices"]}
    assert status[pa.id] == "met" and status[pb.id] == "not_applicable"


# --------------------------------------------------------------------------- bad input
def test_a_malformed_workload_file_is_one_line(workload, tmp_path):
    out = tmp_path / "report.json"
    (workload / "wellml-workload.yaml").write_text("name: x\nenvironment: PROD\n", "utf-8")
    done = wellml("review", str(workload), "--workload", "-f", "json", "-o", str(out))
    line = one_line_error(done)
    assert "wellml-workload.yaml:2: /environment: 'PROD' is not accepted here" in line
    assert not out.exists()
    (workload / "wellml-workload.yaml").write_text("name: [unclosed\n", "utf-8")
    line = one_line_error(wellml("milestone", "save", "m", str(workload)))
    assert "wellml-workload.yaml:" in line and "not valid YAML" in line
    assert not (workload / ".wellml").exists()
    (workload / "wellml-workload.yaml").write_text("notebooks: [missing.ipynb]\n", "utf-8")
    line = one_line_error(wellml("plan", str(workload)))
    assert "wellml-workload.yaml:1: /notebooks/0: no notebook 'missing.ipynb' here" in line


def test_a_missing_milestone_is_one_line(workload, tmp_path):
    out = tmp_path / "diff.txt"
    assert wellml("milestone", "save", "known", str(workload)).returncode == 0
    line = one_line_error(wellml("milestone", "diff", "unknown", str(workload), "-o", str(out)))
    assert "no milestone 'unknown'" in line and "(saved: known)" in line
    assert not out.exists()


def test_answers_for_another_lens_are_one_line(workload, tmp_path):
    other = {
        "LensAlias": "arn:aws:wellarchitected::aws:lens/serverless",
        "AnswerSummaries": [
            {"QuestionId": "SLS_OPS1", "SelectedChoices": ["sls_ops1_a"], "IsApplicable": True}
        ],
    }
    src = tmp_path / "serverless.json"
    src.write_text(json.dumps(other), "utf-8")
    before = {nb.name: (workload / nb.name).read_bytes() for nb in DEMOS}
    line = one_line_error(wellml("wa", "import-answers", str(src), str(workload)))
    assert "answers for another lens: question 'SLS_OPS1'" in line
    assert {nb.name: (workload / nb.name).read_bytes() for nb in DEMOS} == before


def test_an_expired_signoff_is_one_line(workload):
    target = workload / DEMOS[0].name
    before = target.read_bytes()
    line = one_line_error(
        wellml(
            "signoff",
            str(target),
            "MLOPS01-BP01",
            "--approver",
            "Dana, lead",
            "--expires",
            "2020-01-31",
        )
    )
    assert "--expires 2020-01-31 is in the past" in line
    assert target.read_bytes() == before
