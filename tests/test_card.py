"""``jupyter wellml card``: a model card from a notebook's records, Markdown and JSON."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from jupyter_wellml.inspection.review import review
from jupyter_wellml.records import build, kpi_status, mimebundle
from jupyter_wellml.report.card import SAGEMAKER_LIMITS, build_card

CLI = Path(sys.executable).with_name("jupyter-wellml")
SAGEMAKER_SECTIONS = {
    "model_overview",
    "intended_uses",
    "business_details",
    "training_details",
    "evaluation_details",
    "additional_information",
}
MCT_SECTIONS = {"model_details", "model_parameters", "quantitative_analysis", "considerations"}


def card_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), "card", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def notebook(tmp_path, wellml_catalog) -> Path:
    """A notebook with records in its metadata and one still in a cell output (not synced)."""
    data = tmp_path / "train.csv"
    data.write_bytes(b"a,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(1000)))
    cwd_records = [
        build(
            "kpi",
            {
                "name": "recall",
                "op": ">=",
                "target": 0.85,
                "acceptable_error": 0.02,
                "business": "catch most fraudulent claims",
                "measured": 0.84,
            },
            author="ana",
        ).record,
        build(
            "kpi", {"name": "latency_ms", "op": "<=", "target": 200, "unit": "ms"}, author="bo"
        ).record,
        build(
            "data",
            {"uri": "train.csv", "owner": "Data team", "pii": "no", "license": "CC-BY-4.0"},
            base_dir=str(tmp_path),
        ).record,
        build("data", {"uri": "s3://bucket/claims.csv", "pii": "yes"}).record,
        build(
            "waiver",
            {"practice": "MLREL03-BP04", "reason": "out_of_scope", "note": "no people affected"},
            catalog=wellml_catalog,
        ).record,
        build(
            "attest",
            {"practice": "MLOPS02-BP03", "note": "lineage kept in the data catalog"},
            catalog=wellml_catalog,
        ).record,
    ]
    explain = build(
        "explain",
        {"level": "global", "method": "shap", "audience": "claims officers", "rationale": "why"},
    ).record
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("%wellml explain --level global --method shap ...")
    cell.outputs = [nbformat.v4.new_output("display_data", data=mimebundle([explain]))]
    nb.cells = [
        cell,
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "from sklearn.metrics import recall_score\n"
            "df = pd.read_csv('train.csv')\nraw = pd.read_csv('s3://bucket/other.csv')\n"
            "m = LogisticRegression().fit(df[['a']], df['y'])\n"
            "print(recall_score(df['y'], m.predict(df[['a']])))"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["wellml"] = {"version": 1, "records": cwd_records}
    path = tmp_path / "fraud.ipynb"
    nbformat.write(nb, path)
    return path


def test_json_card_from_the_records(notebook, wellml_catalog):
    res = card_cli(str(notebook), "--format", "json")
    assert res.returncode == 0, res.stderr
    card = json.loads(res.stdout)
    assert card["schema"] == "wellml-model-card/v1"
    assert card["model_details"]["name"] == "fraud"
    assert card["model_details"]["owners"] == ["ana", "bo"]
    use = card["intended_use"]
    assert use["business_goals"] == ["catch most fraudulent claims"]
    assert use["users"] == ["claims officers"]
    metrics = {m["name"]: m for m in card["metrics"]}
    recall = metrics["recall"]
    assert (recall["op"], recall["target"], recall["measured"]) == (">=", 0.85, 0.84)
    assert recall["status"] == kpi_status(recall) == "within_tolerance"
    assert metrics["latency_ms"]["status"] == "unmeasured"
    body = (notebook.parent / "train.csv").read_bytes()
    data = {d["uri"]: d for d in card["data"]}
    assert data["train.csv"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert data["train.csv"]["size"] == len(body)
    assert data["s3://bucket/other.csv"]["recorded"] is False  # read in code, not recorded
    assert card["explainability"]["level"] == "global"  # from the output, not yet synced
    waiver = card["considerations"]["waivers"][0]
    assert waiver["reason"] == "out_of_scope"
    assert waiver["title"] == wellml_catalog.practice("MLREL03-BP04").title
    assert card["considerations"]["sensitive_data"] == [
        {"uri": "s3://bucket/claims.csv", "pii": "yes"}
    ]
    env = card["environment"]
    assert env["kernel_display_name"] == "Python 3 (ipykernel)"
    assert env["language_version"] == "3.11.7"
    assert {"pandas", "sklearn"} <= set(env["imports"])
    assert card["metrics_in_code"] == ["recall_score"]
    # the risk rating follows the review's open gaps
    result = review(str(notebook), wellml_catalog)
    high = [
        f for f in result.findings if f.status == "gap" and f.applies and f.practice.risk == "high"
    ]
    assert use["risk_rating"] == ("High" if high else use["risk_rating"])
    assert [g["practice"] for g in card["considerations"]["open_gaps"]] == sorted(
        (f.practice.id for f in result.findings if f.status == "gap" and f.applies),
        key=lambda pid: (0 if wellml_catalog.get(pid).risk == "high" else 1, pid),
    )


def test_json_card_carries_sagemaker_and_model_card_toolkit_fields(notebook):
    card = json.loads(card_cli(str(notebook), "--format", "json").stdout)
    sm = card["sagemaker_model_card"]
    assert set(sm) == SAGEMAKER_SECTIONS
    assert sm["intended_uses"]["risk_rating"] in ("High", "Medium", "Low", "Unknown")
    assert sm["intended_uses"]["purpose_of_model"] == "catch most fraudulent claims"
    (metric,) = sm["evaluation_details"][0]["metric_groups"][0]["metric_data"]
    assert (metric["name"], metric["type"], metric["value"]) == ("recall", "number", 0.84)
    assert "train.csv" in sm["training_details"]["training_job_details"]["training_datasets"]
    assert "MLREL03-BP04 waived" in sm["additional_information"]["caveats_and_recommendations"]
    assert sm["model_overview"]["algorithm_type"] == "sklearn.linear_model.LogisticRegression"
    for (section, key), limit in SAGEMAKER_LIMITS.items():
        assert len(sm.get(section, {}).get(key) or "") <= limit
    mct = card["model_card_toolkit"]
    assert set(mct) == MCT_SECTIONS
    assert mct["quantitative_analysis"]["performance_metrics"] == [
        {"type": "recall", "value": "0.84", "threshold": ">= 0.85"}
    ]
    assert {"description": "catch most fraudulent claims"} in mct["considerations"]["use_cases"]


def test_markdown_card(notebook, tmp_path):
    out = tmp_path / "card.md"
    res = card_cli(str(notebook), "--output", str(out), "--name", "Fraud triage")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    text = out.read_text("utf-8")
    assert text.startswith("# Model card: Fraud triage")
    for heading in ("## Intended use", "## Metrics against KPI targets", "## Data"):
        assert heading in text
    assert (
        "| recall | >= 0.85 | 0.02 | 0.84 | within tolerance | catch most fraudulent claims |"
        in text
    )
    body = (notebook.parent / "train.csv").read_bytes()
    assert hashlib.sha256(body).hexdigest() in text
    assert "MLREL03-BP04" in text and "out of scope" in text
    assert "Level: **global**, method shap" in text
    assert "Kernel: Python 3 (ipykernel)" in text


def test_a_notebook_without_records_says_what_is_missing(tmp_path, wellml_catalog):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\ndf = pd.read_csv('x.csv')")]
    card = build_card(review(nb, wellml_catalog))
    fields = {m["field"] for m in card["missing"]}
    assert {"intended_use", "data", "explainability"} <= fields
    assert card["intended_use"]["purpose"] is None
    assert card["metrics"] == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "give one notebook"),
        (("nowhere.ipynb",), "no such file"),
        (("{bad}",), "not valid JSON"),
    ],
)
def test_bad_input(tmp_path, notebook, args, expected):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ not json", "utf-8")
    args = tuple(a.format(bad=bad, nb=notebook) for a in args)
    res = card_cli(*args)
    assert res.returncode == 2
    assert expected in res.stderr


def test_unknown_format_names_the_choices(notebook):
    # traitlets refuses the value while parsing the command line (exit code 1, as for every
    # jupyter wellml subcommand's options), naming the accepted ones
    res = card_cli(str(notebook), "--format", "pdf")
    assert res.returncode != 0
    assert "'markdown', 'json'" in res.stderr and "'pdf'" in res.stderr


def test_long_texts_fit_the_sagemaker_limits(tmp_path, wellml_catalog):
    nb = nbformat.v4.new_notebook()
    goals = [
        build("kpi", {"name": f"k{i}", "op": ">=", "target": 1, "business": "x" * 1500}).record
        for i in range(3)
    ]
    nb.metadata["wellml"] = {"version": 1, "records": goals}
    sm = build_card(review(nb, wellml_catalog))["sagemaker_model_card"]
    purpose = sm["intended_uses"]["purpose_of_model"]
    assert len(purpose) == SAGEMAKER_LIMITS[("intended_uses", "purpose_of_model")]
    assert purpose.endswith("…")
