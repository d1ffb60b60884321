"""The records the lens asks for: the problem framing, sign-offs with an expiry, a KPI's error cost.

Made by the ``%wellml`` magics in a real IPython shell, read by the review (the practices that
use them), and shown in the model card.
"""

from __future__ import annotations

import datetime
import json

import nbformat
import pytest
from IPython.core.error import UsageError

from jupyter_wellml.catalog import schema
from jupyter_wellml.inspection.review import review
from jupyter_wellml.records import RECORD_MIME, make_record
from jupyter_wellml.report.card import build_card
from jupyter_wellml.report.card_markdown import render_card_markdown

from .test_magics import base_shell, recorded, run, shell  # noqa: F401 - fixtures

FRAME = (
    '%wellml frame --question "Which claims should an investigator open first?" '
    "--task classification --label is_fraud --feature amount --feature merchant_age "
    '--baseline "rules engine: recall 0.61" --production "nightly scores in the case tool"'
)


def _payload(out) -> list[dict]:
    return recorded(out)


def _text(out) -> str:
    return "\n".join(o.data.get("text/plain", "") for o in out.outputs if RECORD_MIME in o.data)


def test_frame_records_the_problem_framing(shell):  # noqa: F811
    out = run(shell, FRAME)
    (record,) = _payload(out)
    assert record["kind"] == "frame"
    assert record["features"] == ["amount", "merchant_age"]
    assert record["baseline"] == "rules engine: recall 0.61"
    assert "framing: Which claims should an investigator open first?" in _text(out)
    with pytest.raises(UsageError, match=r"--question \(the business question\) is missing"):
        run(shell, "%wellml frame --task classification")


def test_signoff_with_an_expiry_and_the_past_refused(shell):  # noqa: F811
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    out = run(
        shell, f'%wellml signoff MLOE-02 --approver "Dana Smith, head of risk" --expires {later}'
    )
    (record,) = _payload(out)
    assert record["kind"] == "signoff" and record["practice"] == "MLOPS01-BP02"
    assert record["expires"] == later and record["approver"] == "Dana Smith, head of risk"
    with pytest.raises(UsageError, match="--expires 2020-01-31 is in the past") as info:
        run(shell, '%wellml signoff MLOPS01-BP02 --approver "Dana" --expires 2020-01-31')
    assert "\n" not in str(info.value)
    with pytest.raises(UsageError, match="is not a date"):
        run(shell, '%wellml signoff MLOPS01-BP02 --approver "Dana" --expires tomorrow')
    with pytest.raises(UsageError, match="--approver"):
        run(shell, "%wellml signoff MLOPS01-BP02")


def test_kpi_error_cost(shell):  # noqa: F811
    out = run(
        shell,
        '%wellml kpi recall ">=" 0.85 --error-cost "a missed fraud costs 1,200 EUR, a false alarm 15"',
    )
    (record,) = _payload(out)
    assert record["error_cost"] == "a missed fraud costs 1,200 EUR, a false alarm 15"
    assert "(cost of an error: a missed fraud costs" in _text(out)


def test_yaml_cell_takes_the_new_kinds(shell):  # noqa: F811
    out = run(
        shell,
        "%%wellml\n"
        "frame: {question: 'Is this claim fraud?', task: classification, features: [amount]}\n"
        "signoff: {practice: MLSEC01-BP01, approver: 'Lee, DPO'}\n",
    )
    assert [r["kind"] for r in _payload(out)] == ["frame", "signoff"]


def _notebook(*records: dict) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\ndf = pd.read_csv('claims.csv')")]
    nb.metadata["wellml"] = {"version": 1, "records": list(records)}
    return json.loads(nbformat.writes(nb))


def test_the_review_reads_framing_error_cost_and_signoffs(wellml_catalog):
    frame = make_record("frame", {"question": "Is it fraud?", "baseline": "rules: recall 0.61"})
    kpi = make_record(
        "kpi", {"name": "recall", "op": ">=", "target": 0.85, "error_cost": "1200 EUR a miss"}
    )
    signoff = make_record(
        "signoff", {"practice": "MLOPS02-BP01", "approver": "Dana, lead", "expires": "2999-01-01"}
    )
    result = review(_notebook(frame, kpi, signoff), wellml_catalog, phase="ml_problem_framing")
    framing = result.finding("MLCOST02-BP01")
    assert framing.status == "met"
    assert "names the baseline ML must beat: rules: recall 0.61" in framing.evidence[0]["message"]
    metric = result.finding("MLPERF02-BP01")
    assert metric.status == "met" and "1200 EUR a miss" in metric.evidence[0]["message"]
    roles = result.finding("MLOPS02-BP01")
    assert roles.status == "met" and roles.evidence[-1]["effect"] == "signoff"
    assert "signed off by Dana, lead until 2999-01-01" in roles.evidence[-1]["message"]


def test_an_expired_signoff_leaves_the_practice_to_answer(wellml_catalog):
    old = make_record("signoff", {"practice": "MLOPS02-BP01", "approver": "Dana, lead"})
    old["expires"] = "2020-01-31"  # recorded back then; it has run out since
    result = review(_notebook(old), wellml_catalog, phase="ml_problem_framing")
    roles = result.finding("MLOPS02-BP01")
    assert roles.status == "unknown"
    (note,) = roles.evidence
    assert note["effect"] == "signoff_expired"
    assert "the sign-off by Dana, lead expired on 2020-01-31" in note["message"]
    assert "%wellml signoff MLOPS02-BP01" in note["message"]
    doc = result.to_json()
    assert schema.errors("review.v1", doc) == []


def test_the_card_shows_framing_signoffs_and_error_cost(wellml_catalog):
    frame = make_record(
        "frame",
        {
            "question": "Is it fraud?",
            "task": "classification",
            "label": "is_fraud",
            "features": ["amount"],
        },
    )
    kpi = make_record(
        "kpi", {"name": "recall", "op": ">=", "target": 0.85, "error_cost": "1200 EUR a miss"}
    )
    signoff = make_record(
        "signoff", {"practice": "MLSEC01-BP01", "approver": "Lee, DPO", "expires": "2999-01-01"}
    )
    card = build_card(review(_notebook(frame, kpi, signoff), wellml_catalog))
    assert card["problem_framing"]["label"] == "is_fraud"
    assert card["considerations"]["signoffs"][0]["approver"] == "Lee, DPO"
    assert card["metrics"][0]["error_cost"] == "1200 EUR a miss"
    text = render_card_markdown(card)
    assert "## Problem framing" in text and "- Business question: Is it fraud?" in text
    assert "MLSEC01-BP01" in text and "by Lee, DPO until 2999-01-01" in text
    assert "- recall: 1200 EUR a miss" in text
