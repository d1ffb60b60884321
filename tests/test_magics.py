"""``%wellml`` in a real IPython InteractiveShell whose errors are re-raised.

Every displayed payload is checked against record.v1's ``payload`` definition; every bad input
must raise a one-line ``UsageError`` and leave no display and no session record behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import nbformat
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

from jupyter_wellml.catalog import schema
from jupyter_wellml.magics import magics_of
from jupyter_wellml.records import RECORD_MIME, natural_key

ALL_PILLARS = 6


@pytest.fixture(scope="module")
def base_shell(tmp_path_factory):
    import os

    os.environ.setdefault("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    yield shell
    InteractiveShell.clear_instance()


@pytest.fixture
def shell(base_shell, tmp_path, monkeypatch, wellml_catalog):
    """The shell with a fresh ``%load_ext jupyter_wellml``, working in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    base_shell.run_line_magic("load_ext", "jupyter_wellml")
    state = magics_of(base_shell).state
    with state._lock:  # the built-in lens only, whatever the warm-up thread loads
        state._catalog = wellml_catalog
    yield base_shell
    base_shell.run_line_magic("unload_ext", "jupyter_wellml")
    base_shell.config.pop("WellMLMagics", None)  # what a test set with %config


def run(shell, code: str, **kwargs):
    """Run a cell like a user; re-raise what it raised, return what it displayed and printed."""
    with capture_output() as captured:
        result = shell.run_cell(code, **kwargs)
    if result.error_before_exec is not None:
        raise result.error_before_exec
    if result.error_in_exec is not None:
        raise result.error_in_exec
    return captured


def payloads(captured) -> list[dict]:
    return [o.data[RECORD_MIME] for o in captured.outputs if RECORD_MIME in o.data]


def recorded(captured) -> list[dict]:
    """The records displayed, after checking each payload against record.v1."""
    out = []
    for p in payloads(captured):
        assert schema.errors_for_definition("record.v1", "payload", p) == []
        out.extend(p["records"])
    for r in out:
        assert schema.errors("record.v1", r) == []
    return out


def one(shell, code: str, **kwargs) -> dict:
    captured = run(shell, code, **kwargs)
    records = recorded(captured)
    assert len(records) == 1, captured.stdout
    bundle = next(o.data for o in captured.outputs if RECORD_MIME in o.data)
    assert bundle["text/plain"].startswith("wellml recorded: ")
    assert "<ul" in bundle["text/html"]
    return records[0]


def session(shell) -> list[dict]:
    return magics_of(shell).state.records


# ---------------------------------------------------------------- each subcommand
def test_phase_maps_user_words_onto_the_six_phases(shell, wellml_catalog):
    for word in ("training", "data prep", "business goal", "monitoring", "deploy", "framing"):
        rec = one(shell, f"%wellml phase {word}")
        assert rec["phase"] == wellml_catalog.phase(word).id
        assert rec["kind"] == "phase"


def test_phase_marker_carries_the_cell_id_the_frontend_sent(shell):
    rec = one(shell, "%wellml phase training", cell_id="c-42")
    assert rec["cell_id"] == "c-42"
    rec = one(shell, "%wellml phase deployment", cell_id="c-43")
    assert rec["cell_id"] == "c-43"
    assert {r["cell_id"] for r in session(shell) if r["kind"] == "phase"} == {"c-42", "c-43"}


@pytest.mark.parametrize(
    "line",
    [
        'kpi accuracy >= 0.92 --acceptable-error 0.03 --business "fewer missed fraud cases"',
        'kpi accuracy ">=" 0.92 --acceptable-error 0.03 --business "fewer missed fraud cases"',
        'kpi accuracy>=0.92 --acceptable-error=0.03 --business="fewer missed fraud cases"',
        'kpi accuracy ">= 0.92" --business "fewer missed fraud cases" --acceptable-error 0.03',
    ],
)
def test_kpi_target_in_every_spelling(shell, line):
    rec = one(shell, f"%wellml {line}")
    assert (rec["name"], rec["op"], rec["target"]) == ("accuracy", ">=", 0.92)
    assert rec["acceptable_error"] == 0.03
    assert rec["business"] == "fewer missed fraud cases"
    assert rec["status"] == "unmeasured"


def test_measurement_through_variable_expansion_keeps_the_target(shell):
    one(shell, "%wellml kpi accuracy >= 0.92 --acceptable-error 0.03")
    shell.user_ns["acc"] = 0.935
    rec = one(shell, "%wellml kpi accuracy --measured {acc}")
    assert rec["measured"] == 0.935
    assert (rec["op"], rec["target"], rec["status"]) == (">=", 0.92, "met")
    shell.user_ns["acc"] = 0.90
    assert one(shell, "%wellml kpi accuracy --measured {acc}")["status"] == "within_tolerance"
    shell.user_ns["acc"] = 0.85
    assert one(shell, "%wellml kpi accuracy --measured {acc}")["status"] == "missed"
    kpis = [r for r in session(shell) if r["kind"] == "kpi"]
    assert len(kpis) == 1  # upserted by name, never duplicated
    assert [h["values"]["measured"] for h in kpis[0]["history"]] == [None, 0.935, 0.90]
    assert kpis[0]["measured"] == 0.85


def test_data_local_file_gets_size_and_sha256(shell, tmp_path):
    body = b"id,amount\n" + b"".join(b"%d,%d\n" % (i, i * 7) for i in range(50_000))
    (tmp_path / "train.csv").write_bytes(body)
    rec = one(
        shell,
        '%wellml data train.csv --name train --owner "Data team" --pii no --license CC-BY-4.0',
    )
    assert rec["size"] == len(body)
    assert rec["sha256"] == hashlib.sha256(body).hexdigest()
    assert (rec["source_kind"], rec["pii"], rec["owner"]) == ("local", "no", "Data team")
    assert rec["hashed_at"]


def test_data_remote_uri_is_recorded_without_network(shell):
    rec = one(
        shell,
        '%wellml data s3://bucket/train.csv --name train --owner "Data team" --pii no '
        "--license CC-BY-4.0",
    )
    assert rec["uri"] == "s3://bucket/train.csv"
    assert rec["source_kind"] == "s3"
    assert "sha256" not in rec and "size" not in rec


def test_data_no_hash_records_a_missing_path(shell):
    rec = one(shell, "%wellml data later/features.parquet --no-hash --pii unknown")
    assert rec["uri"] == "later/features.parquet"
    assert "sha256" not in rec


def test_explain(shell):
    rec = one(
        shell,
        '%wellml explain --level global --method shap --audience "loan officers" '
        '--rationale "officers must justify refusals"',
    )
    assert (rec["level"], rec["method"], rec["audience"]) == ("global", "shap", "loan officers")
    assert rec["rationale"] == "officers must justify refusals"
    # one explainability decision per notebook: a second one updates it
    one(shell, "%wellml explain local --method lime")
    explains = [r for r in session(shell) if r["kind"] == "explain"]
    assert len(explains) == 1 and explains[0]["level"] == "local"
    assert explains[0]["audience"] == "loan officers"  # fields not given are kept


def test_waive_accepts_any_id_form_and_says_how_it_read_it(shell, wellml_catalog):
    captured = run(
        shell, '%wellml waive MLSEC-05 --reason out_of_scope "no personal data in this set"'
    )
    (rec,) = recorded(captured)
    practice, note = wellml_catalog.resolve("MLSEC-05")
    assert rec["practice"] == practice.id
    assert (rec["reason"], rec["note"]) == ("out_of_scope", "no personal data in this set")
    if note:
        assert note in captured.stdout
    lower = one(shell, '%wellml waive mlsec-05 --reason other "same practice, new reason"')
    assert lower["practice"] == practice.id
    assert len([r for r in session(shell) if r["kind"] == "waiver"]) == 1


def test_attest(shell, wellml_catalog):
    rec = one(shell, '%wellml attest MLOPS02-BP03 "lineage kept in the data catalog"')
    assert rec["practice"] == wellml_catalog.practice("MLOPS02-BP03").id
    assert rec["note"] == "lineage kept in the data catalog"
    alias = next(p for p in wellml_catalog.practices if len(p.aliases) == 1)
    rec = one(shell, f"%wellml attest {alias.aliases[0].id}@{alias.aliases[0].edition} done")
    assert rec["practice"] == alias.id


def test_cell_magic_records_several_at_once(shell):
    captured = run(
        shell,
        "%%wellml\n"
        "phase: training\n"
        "kpi:\n"
        '  - {name: recall, op: ">=", target: 0.85, acceptable_error: 0.02, business: catch fraud}\n'
        '  - {name: latency_ms, target: "<= 200", unit: ms}\n'
        "data:\n"
        "  - {uri: s3://bucket/train.csv, owner: Data team, pii: no}\n"
        "explain: {level: global, method: shap}\n"
        "waive: [{practice: MLSEC-05, reason: out_of_scope, note: no personal data}]\n",
    )
    assert len(payloads(captured)) == 1  # one display for the whole cell
    kinds = [r["kind"] for r in recorded(captured)]
    assert kinds == ["phase", "kpi", "kpi", "data", "explain", "waiver"]
    latency = next(r for r in recorded(captured) if r.get("name") == "latency_ms")
    assert (latency["op"], latency["target"], latency["unit"]) == ("<=", 200, "ms")
    data = next(r for r in recorded(captured) if r["kind"] == "data")
    assert data["pii"] == "no"  # YAML's boolean no is read as the word


def test_cell_magic_with_a_kind_and_a_list_with_kinds(shell):
    captured = run(shell, "%%wellml kpis\n- name: f1\n  target: '>= 0.8'\n- name: auc\n")
    assert [r["name"] for r in recorded(captured)] == ["f1", "auc"]
    captured = run(
        shell,
        "%%wellml\n- {kind: attest, practice: MLOPS02-BP03, note: kept}\n"
        "- {kind: kpi, name: auc, measured: 0.91}\n",
    )
    assert [r["kind"] for r in recorded(captured)] == ["attest", "kpi"]


def test_every_magic_the_lens_suggests_runs(shell, wellml_catalog):
    """The lens tells users which magic records each practice; each of those must work."""
    suggested = [p for p in wellml_catalog.practices if p.magic]
    assert suggested
    for p in suggested:
        assert p.magic.startswith("%wellml "), p.id
        rec = one(shell, p.magic)
        if rec["kind"] in ("waiver", "attest"):
            assert rec["practice"] == wellml_catalog.practice(p.magic.split()[2]).id


def test_rerunning_never_duplicates(shell):
    for _ in range(3):
        run(shell, "%wellml kpi accuracy >= 0.92")
        run(shell, "%wellml data s3://bucket/train.csv --pii no")
    keys = [natural_key(r) for r in session(shell)]
    assert len(keys) == len(set(keys)) == 2


# ---------------------------------------------------------------- bad input
# nine aliases of nine aliases ... of nine strings: 9**9 values once expanded
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


BAD = [
    ("%wellml", ["give a subcommand", "phase, kpi, data"]),
    ("%wellml cook", ["unknown subcommand 'cook'", "phase, kpi, data, explain"]),
    ("%wellml phase", ["PHASE is missing"]),
    ("%wellml phase cooking", ["'cooking' is not a lifecycle phase", "business_goal"]),
    ("%wellml kpi", ["NAME is missing"]),
    ("%wellml kpi 9lives >= 1", ["NAME '9lives'", "letter"]),
    ("%wellml kpi accuracy => 0.9", ["OP '=>'", ">=, <=, >, <, =="]),
    ("%wellml kpi accuracy >= high", ["TARGET must be a number", "'high'"]),
    ("%wellml kpi accuracy 0.9", ["OP NUMBER", ">=, <=, >, <, =="]),
    ("%wellml kpi accuracy >= 0.9 0.3", ["too many words after NAME"]),
    ("%wellml kpi accuracy --measured abc", ["--measured must be a number", "'abc'"]),
    ("%wellml kpi accuracy --measured nan", ["--measured must be a finite number"]),
    ("%wellml kpi accuracy >= 0.9 --acceptable-error -1", ["--acceptable-error", "at least 0"]),
    ("%wellml kpi accuracy >= 0.9 --pii no", ["unrecognized arguments: --pii no"]),
    ("%wellml kpi accuracy >= 0.9 --business", ["--business", "expected one argument"]),
    ('%wellml kpi accuracy --business "unclosed', ["No closing quotation"]),
    ("%wellml data", ["URI is missing"]),
    ("%wellml data s3://b/x.csv --pii maybe", ["--pii 'maybe'", "yes, no, unknown"]),
    ("%wellml data missing.csv", ["no file or folder", "missing.csv", "--no-hash"]),
    ("%wellml explain", ["--level is missing", "global, local, both, none"]),
    ("%wellml explain --level total", ["--level 'total'", "global, local, both, none"]),
    ("%wellml explain global --level local", ["level given twice"]),
    ("%wellml waive MLSEC-05 note", ["--reason is missing", "out_of_scope, business_priorities"]),
    ("%wellml waive MLSEC-05 --reason lazy x", ["--reason 'lazy'", "architecture_constraints"]),
    ("%wellml waive MLSEC-05 --reason other", ["NOTE (why it does not apply) is missing"]),
    ("%wellml waive --reason other x", ["no practice has the id 'x'"]),
    ("%wellml attest MLOE-99 done", ["no practice has the id 'MLOE-99'", "lens list"]),
    ("%wellml attest MLOPS02-BP03", ["NOTE (how the practice is met) is missing"]),
    ("%wellml review --phase nowhere", ["--phase 'nowhere' is not a lifecycle phase"]),
    ("%wellml help nothing", ["no subcommand 'nothing'", "phase, kpi"]),
    ("%%wellml\n# nothing yet\n", ["the cell is empty"]),
    ("%%wellml\nkpi: [name: x\n", ["not valid YAML", "line"]),
    # a billion laughs is refused at once, not expanded
    ("%%wellml\n" + LAUGHS, ["not valid YAML", "line"]),
    ("%%wellml\nkpi: {name: acc, tgt: 0.9}\n", ["unknown field 'tgt'", "op, target"]),
    ("%%wellml\nnotes: {a: 1}\n", ["unknown kind 'notes'", "kpi"]),
    ("%%wellml kpi extra\n- {name: a}\n", ["at most one KIND"]),
    ("%%wellml\n- {name: acc}\n", ["item 1", "give each item a kind"]),
    # the second item is wrong: the first must not be displayed or remembered either
    ("%%wellml kpi\n- {name: ok, target: '>= 1'}\n- {name: bad, op: '>='}\n", ["item 2", "OP"]),
    ("%%wellml\nphase: [training, nowhere]\n", ["phase item 2", "'nowhere'"]),
]


@pytest.mark.parametrize(("code", "expected"), BAD, ids=[c.split("\n")[0] for c, _ in BAD])
def test_bad_input_is_one_line_usage_error_and_writes_nothing(shell, code, expected):
    before = json.dumps(session(shell))
    with capture_output() as captured, pytest.raises(UsageError) as info:
        result = shell.run_cell(code)
        raise result.error_in_exec or result.error_before_exec or AssertionError("no error")
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, message
    assert payloads(captured) == []
    assert json.dumps(session(shell)) == before


def test_usage_error_is_shown_without_a_traceback(shell):
    with capture_output() as captured:
        result = shell.run_cell("%wellml data s3://x --pii maybe")
    assert isinstance(result.error_in_exec, UsageError)
    shown = captured.stdout + captured.stderr
    assert "UsageError: %wellml data: --pii 'maybe' is not accepted" in shown
    assert "Traceback" not in shown


# ---------------------------------------------------------------- help
def test_help_lists_every_subcommand_and_the_cell_form(shell):
    from jupyter_wellml.magics.parsing import SUBCOMMANDS

    out = run(shell, "%wellml help").stdout
    for name in SUBCOMMANDS:
        assert re.search(rf"^  {name}\s", out, re.M), name
    assert "%%wellml" in out


def test_help_of_a_subcommand_has_options_and_examples(shell):
    out = run(shell, "%wellml help kpi").stdout
    assert "--acceptable-error" in out and "--measured" in out
    assert "Examples" in out and "%wellml kpi accuracy >= 0.92" in out
    assert run(shell, "%wellml kpi --help").stdout == out
    assert session(shell) == []


def test_question_mark_shows_usage_with_examples(shell):
    info = shell.object_inspect("%wellml")
    assert info["found"]
    text = shell.object_inspect_text("%wellml")
    for needle in ("%wellml kpi NAME", "%wellml waive PRACTICE", "Examples", "UsageError"):
        assert needle in text


# ---------------------------------------------------------------- status and review
def _notebook_on_disk(path, records=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%wellml phase training"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('s3://bucket/train.csv')\n"
            "model = LogisticRegression().fit(df[['a']], df['y'])"
        ),
    ]
    nb.metadata["wellml"] = {"version": 1, "records": list(records)}
    nbformat.write(nb, path)
    return nb


def test_status_merges_the_notebook_on_disk_with_the_session(
    shell, tmp_path, monkeypatch, wellml_catalog
):
    from jupyter_wellml.inspection.review import review
    from jupyter_wellml.records import build, merged_notebook

    saved = build("data", {"uri": "s3://bucket/train.csv", "pii": "yes"}).record
    nb = _notebook_on_disk(tmp_path / "fraud.ipynb", [saved])
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "fraud.ipynb"))
    kpi = one(shell, "%wellml kpi accuracy >= 0.92", cell_id=nb.cells[0].id)
    captured = run(shell, "%wellml status")
    text = captured.outputs[-1].data["text/plain"]
    assert text.startswith("wellml status of fraud.ipynb")
    assert "records (2, 1 from this session)" in text
    assert "data s3://bucket/train.csv" in text and "KPI accuracy >= 0.92" in text
    # the same review() on the same merged notebook gives the gaps the status lists
    expected = review(merged_notebook(nb, [kpi]), wellml_catalog)
    assert f"phase: {expected.phase.id} " in text
    gaps = [f for f in expected.findings if f.status == "gap" and f.applies]
    assert f"open gaps of {expected.phase.id} ({len(gaps)}):" in text
    for f in gaps:
        assert f.practice.id in text
    assert "<b>wellml status</b>" in captured.outputs[-1].data["text/html"]
    assert payloads(captured) == []


def test_status_finds_the_notebook_vs_code_names(shell, tmp_path):
    saved = {
        "id": "abcdef654321",
        "kind": "explain",
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-01-01T00:00:00Z",
        "level": "local",
    }
    _notebook_on_disk(tmp_path / "vs.ipynb", [saved])
    shell.user_ns["__vsc_ipynb_file__"] = str(tmp_path / "vs.ipynb")
    try:
        text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    finally:
        del shell.user_ns["__vsc_ipynb_file__"]
    assert text.startswith("wellml status of vs.ipynb")
    assert "explainability: local" in text


def test_status_without_a_notebook_file(shell, monkeypatch, tmp_path):
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "gone.ipynb"))
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    assert "not found on disk" in text
    assert "records (0, 0 from this session)" in text


def test_status_names_what_is_wrong_with_a_broken_notebook_file(shell, monkeypatch, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [], "metadata": ', "utf-8")  # cut short while saving
    monkeypatch.setenv("JPY_SESSION_NAME", str(broken))
    run(shell, "%wellml kpi accuracy >= 0.9")
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    # the same reason the CLI and the server give, and this session's record is kept
    assert "note: broken.ipynb: not valid JSON: Expecting value at line 1 column" in text
    assert "records (1, 1 from this session)" in text
    assert broken.read_text("utf-8") == '{"cells": [], "metadata": '


def test_status_and_review_note_malformed_outputs_and_records(shell, monkeypatch, tmp_path):
    """A saved output whose data is a string and a waiver with no reason are set aside with a
    one-line note in the kernel: the notebook is still reviewed, nothing crashes."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "wellml": {
                "version": 1,
                "records": [
                    {"id": "abcdef123456", "kind": "waiver", "created": "2026-01-01T00:00:00Z",
                     "updated": "2026-01-01T00:00:00Z", "practice": "MLSEC03-BP03",
                     "reason": None, "note": "x"}
                ],
            }
        },
        "cells": [
            {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
             "source": "import pandas as pd\ndf = pd.read_csv('train.csv')",
             "outputs": [{"output_type": "display_data", "data": "oops", "metadata": {}}]}
        ],
    }  # fmt: skip
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb), "utf-8")
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    notes = [line for line in text.splitlines() if line.startswith("note:")]
    assert any("cell 1: output 1 is ignored: its data is a str" in n for n in notes), text
    assert any("reason must be text, got null" in n for n in notes), text
    assert "Traceback" not in text
    printed = run(shell, "%wellml review").stdout
    assert "note: cell 1: output 1 is ignored: its data is a str" in printed


def test_kernel_finds_the_cell_id_of_a_headless_run_from_the_notebook_on_disk(
    shell, tmp_path, monkeypatch
):
    nb = _notebook_on_disk(tmp_path / "fraud.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", "fraud.ipynb")  # relative, as some servers set it
    rec = one(shell, "%wellml phase training")  # no cell id sent, as with nbclient
    assert rec["cell_id"] == nb.cells[0].id


def test_known_values_come_from_the_notebook_on_disk(shell, tmp_path, monkeypatch):
    saved = {
        "id": "abcdef123456",
        "kind": "kpi",
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-01-01T00:00:00Z",
        "name": "recall",
        "op": ">=",
        "target": 0.8,
        "measured": 0.85,
        "measured_at": "2026-01-01T00:00:00Z",
        "status": "met",
    }
    _notebook_on_disk(tmp_path / "nb.ipynb", [saved])
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "nb.ipynb"))
    same = one(shell, "%wellml kpi recall --measured 0.85")
    assert same["measured_at"] == saved["measured_at"]  # unchanged measurement, same time
    assert (same["op"], same["target"], same["status"]) == (">=", 0.8, "met")
    new = one(shell, "%wellml kpi recall --measured 0.7")
    assert new["measured_at"] != saved["measured_at"] and new["status"] == "missed"


def test_review_displays_the_widget_view(shell, tmp_path, monkeypatch):
    _notebook_on_disk(tmp_path / "nb.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "nb.ipynb"))
    captured = run(shell, "%wellml review --all")
    views = [o for o in captured.outputs if "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(views) == 1
    assert "ReviewView" in views[0].data["text/plain"]


# ---------------------------------------------------------------- loading
def test_load_twice_registers_once_and_unload_removes(shell):
    shell.run_line_magic("reload_ext", "jupyter_wellml")
    assert shell.find_magic("wellml", "line") is not None
    assert shell.find_magic("wellml", "cell") is not None
    callbacks = shell.events.callbacks["pre_run_cell"]
    assert sum(getattr(c, "__name__", "") == "pre_run_cell" for c in callbacks) == 1
    shell.run_line_magic("unload_ext", "jupyter_wellml")
    assert shell.find_magic("wellml", "line") is None
    shell.run_line_magic("load_ext", "jupyter_wellml")


def test_configuring_team_lenses_reloads_the_catalog(shell, tmp_path):
    from jupyter_wellml.catalog import load_catalog

    magics = magics_of(shell)
    shell.run_line_magic("config", f"WellMLMagics.lens_paths = [{str(tmp_path)!r}]")
    assert magics.state._catalog is None and magics.state.lens_paths == [str(tmp_path)]
    catalog = magics.state.catalog()
    assert catalog.fingerprint == load_catalog([str(tmp_path)]).fingerprint
    shell.run_line_magic("config", "WellMLMagics.author = 'ana'")
    assert one(shell, "%wellml kpi auc")["author"] == "ana"


def test_load_ext_imports_neither_ipywidgets_nor_the_review_engine():
    """%load_ext stays quick: the widgets and the review engine come with the first magic that
    needs them (the warm-up thread loads only the catalog and the record schema)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "s = InteractiveShell.instance()\n"
        "s.run_line_magic('load_ext', 'jupyter_wellml')\n"
        "print([m for m in ('ipywidgets', 'jupyter_wellml.inspection.review') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- a kernel started by Jupyter
@pytest.mark.slow
@pytest.mark.parametrize("with_name", [True, False], ids=["path-and-name", "path-only"])
async def test_a_kernel_jupyter_starts_reads_its_notebook(
    jp_fetch, jp_root_dir, jp_serverapp, with_name
):
    """The server sets JPY_SESSION_NAME when it starts a kernel for a notebook; %wellml status
    in that kernel reads the notebook's saved records."""
    from jupyter_wellml.records import build

    (jp_root_dir / "team").mkdir()
    saved = build("data", {"uri": "s3://bucket/claims.csv", "pii": "yes"}).record
    _notebook_on_disk(jp_root_dir / "team" / "claims.ipynb", [saved])
    body = {"path": "team/claims.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    if with_name:
        body["name"] = "claims.ipynb"
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(body))
    session_model = json.loads(response.body)
    km = jp_serverapp.kernel_manager.get_kernel(session_model["kernel"]["id"])
    client = km.client()
    client.start_channels()
    shown: list[dict] = []
    try:
        await client.wait_for_ready(timeout=120)
        code = "%load_ext jupyter_wellml\n%wellml kpi recall >= 0.8\n%wellml status"

        def keep(msg):
            if msg["msg_type"] in ("display_data", "error", "stream"):
                shown.append(msg["content"])

        reply = await client.execute_interactive(code, output_hook=keep, timeout=120)
        assert reply["content"]["status"] == "ok", shown
    finally:
        client.stop_channels()
        await jp_fetch("api", "sessions", session_model["id"], method="DELETE")
    records = [c["data"][RECORD_MIME] for c in shown if RECORD_MIME in c.get("data", {})]
    assert len(records) == 1 and records[0]["records"][0]["name"] == "recall"
    status = next(c["data"]["text/plain"] for c in shown if "wellml status" in str(c.get("data")))
    assert status.startswith("wellml status of claims.ipynb")
    assert "records (2, 1 from this session)" in status
    assert "data s3://bucket/claims.csv" in status and "pii=yes" in status


# ---------------------------------------------------------------- issue 14: honest answers, one verdict
def test_a_suggested_line_with_a_placeholder_left_in_records_nothing(shell, wellml_catalog):
    """The sidebar's and the widget's suggestions mark what only a person knows; run unchanged,
    %wellml refuses them with one line and displays no record."""
    from jupyter_wellml.report.answers import suggested_magic

    practice = next(
        p for p in wellml_catalog.practices if (p.magic or "").startswith("%wellml data")
    )
    review = {
        "facts": {
            "data_sources": [{"uri": "s3://fraud/train.csv", "kind": "s3", "via": "pd.read_csv"}]
        },
        "records": [],
    }
    line = suggested_magic(practice, review)
    assert line.startswith("%wellml data s3://fraud/train.csv ") and "<license>" in line
    with capture_output() as captured:
        result = shell.run_cell(line)
    error = result.error_in_exec or result.error_before_exec
    assert error is not None
    assert str(error).splitlines() == [
        "%wellml: replace the placeholder <owner> with what is true (nothing was recorded)"
    ]
    assert payloads(captured) == []
    # filled in, the same line records the data source
    filled = (
        line.replace('"<owner>"', "fraud-team")
        .replace("<yes|no>", "no")
        .replace("<license>", "internal")
    )
    rec = one(shell, filled)
    assert (rec["uri"], rec["owner"], rec["pii"], rec["license"]) == (
        "s3://fraud/train.csv",
        "fraud-team",
        "no",
        "internal",
    )
    with pytest.raises(UsageError, match="placeholder <target>"):
        run(shell, "%%wellml kpi\n- {name: recall, op: '>=', target: <target>}")


def test_status_counts_are_the_verdict_and_say_which_version_was_read(
    shell, tmp_path, monkeypatch, wellml_catalog
):
    from jupyter_wellml.inspection.review import review
    from jupyter_wellml.records import merged_notebook
    from jupyter_wellml.report.verdict import counts_text, progress_text, verdict

    nb = _notebook_on_disk(tmp_path / "fraud.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "fraud.ipynb"))
    kpi = one(shell, "%wellml kpi accuracy >= 0.92", cell_id=nb.cells[0].id)
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    v = verdict(review(merged_notebook(nb, [kpi]), wellml_catalog).to_json(), wellml_catalog)
    assert f"{progress_text(v['counts'])}: {counts_text(v['counts'])}" in text
    assert f"needs your answer ({v['counts']['to_answer']}):" in text
    saved = __import__("datetime").datetime.fromtimestamp(
        (tmp_path / "fraud.ipynb").stat().st_mtime
    )
    assert (
        f"read: the saved file from {saved:%H:%M} with 1 record(s) made in this session; "
        "unsaved edits are not included" in text
    )


@pytest.mark.parametrize("name", ["03-model-development.ipynb", "02-data-processing.ipynb"])
def test_status_is_the_report_status_and_says_what_the_cli_says(
    shell, tmp_path, monkeypatch, wellml_catalog, name
):
    """A real notebook: ``%wellml status`` is report.status's text of the same review, and its
    phase and counts are worded as ``jupyter wellml review`` words them for the saved file."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from jupyter_wellml.inspection.review import review
    from jupyter_wellml.report.common import phase_text
    from jupyter_wellml.report.status import status_text
    from jupyter_wellml.report.verdict import counts_text, verdict

    from .conftest import ROOT

    path = tmp_path / name
    shutil.copy(ROOT / "binder" / name, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]

    state = magics_of(shell).state
    nb, found, problem = state.merged()
    result = review(nb, wellml_catalog, path=found)
    assert text == status_text(result, found, problem, 0, read=state.read_version())

    cli = subprocess.run(
        [
            str(Path(sys.executable).parent / "jupyter-wellml"),
            "review",
            "--no-data-dirs",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = cli.stdout.strip().splitlines()[-1]
    review_json = result.to_json()
    counts = verdict(review_json, wellml_catalog)["counts"]
    assert f"phase: {phase_text(review_json['phase'])}\n" in text
    assert summary.endswith(f"; phase {phase_text(review_json['phase'])}")
    assert f": {counts_text(counts)}\n" in text
    assert f"1 notebook(s): {counts_text(counts)}; phase " in summary


def test_status_before_a_save_keeps_the_phase_recorded_in_this_session(
    shell, tmp_path, monkeypatch
):
    """`%wellml phase training` ran in a cell the saved file does not have yet: the status still
    reviews the work as model development, not as a notebook without a phase."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd")]
    nbformat.write(nb, tmp_path / "draft.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "draft.ipynb"))
    one(shell, "%wellml phase training", cell_id="not-saved-yet")
    text = run(shell, "%wellml status").outputs[-1].data["text/plain"]
    assert "phase: model_development (recorded" in text
    assert "open gaps of model_development (" in text
    assert "needs your answer (0)" not in text  # the phase's questions are asked


def test_magic_records_carry_the_os_user_or_the_configured_author(shell, monkeypatch):
    import getpass

    monkeypatch.setenv("WELLML_AUTHOR", "Ana Lima")
    shell.run_line_magic("reload_ext", "jupyter_wellml")
    try:
        assert one(shell, "%wellml kpi auc")["author"] == "Ana Lima"
    finally:
        monkeypatch.delenv("WELLML_AUTHOR")
        shell.run_line_magic("reload_ext", "jupyter_wellml")
    author = one(shell, "%wellml kpi auc")["author"]
    expected = (
        next(
            (os.environ[v] for v in ("JUPYTERHUB_USER", "USER", "USERNAME") if os.environ.get(v)),
            None,
        )
        or getpass.getuser()
    )
    assert author == expected
