"""Precision and recall of the review's detections against notebooks labelled by hand.

The labels (tests/labels, written from tests/labels/README.md without looking at the engine's
output) are split once into a tuning half and a check half (tests/labels/selection.tsv). Rules
are tuned on the tuning half only; the floors below are asserted on the check half, so they
measure how detections generalise to notebooks nobody tuned on. bench/accuracy.py prints both
halves (and the tuning half's misses; never the check half's).
"""

from __future__ import annotations

import pytest

from .conftest import CORPORA
from .labels import scoring

#: (precision, recall) floors on the check half, per detection. The aim is 0.95 / 0.90 for
#: each; where the check half is below it, the floor is the measured figure less 0.03 (rounded
#: down), so a regression fails here while bench/accuracy.py shows the distance to the aim.
#: Measured on 2026-12-02 on the 80-notebook check half (16 notebooks were drawn and labelled
#: blind into it that day): training precision 0.95 (70 of 74), data sources 0.83 / 0.87,
#: metric recall 0.85, explainability recall 0.54 (7 of 13).
CHECK_FLOORS = {
    "training": (0.91, 0.90),
    "data_source": (0.79, 0.83),
    "metric": (0.91, 0.81),
    "explainability": (0.95, 0.51),
    "seed": (0.95, 0.90),
    "unpinned_install": (0.95, 0.90),
}
SECRET_PRECISION = 0.95
PHASE_FLOOR = 0.85


def test_labels_are_well_formed_and_cover_the_selection(wellml_catalog):
    labels = scoring.load_labels()
    phases = [p.id for p in wellml_catalog.phases]
    new = [lb for lb in labels if not lb["_file"].startswith("expectations/")]
    problems = {lb["_file"]: scoring.check_label(lb, phases) for lb in new}
    assert {k: v for k, v in problems.items() if v} == {}
    selected = scoring.selection()
    assert sorted(lb["notebook"] for lb in new) == sorted(selected)
    for corpus in ("azure-ml-notebooks", "vertex-ai-official", "hf-notebooks"):
        assert sum(1 for p in selected if p.startswith(corpus + "/")) >= 25, corpus
    assert len(new) >= 120
    assert {"tuning", "check"} == set(selected.values())
    for lb in labels:
        assert lb.get("notes"), f"{lb['_file']}: say what was read"


def test_scoring_counts_what_it_should():
    """The scoring itself, on a made-up label and review: one hit, one miss, one extra each."""
    label = {
        "_file": "x/made-up.yaml",
        "_kinds": scoring.KINDS,
        "notebook": "x/made-up.ipynb",
        "phase": "model_development",
        "phase_also": ["deployment"],
        "trains_model": True,
        "training": [5, 9],
        "data_sources": [{"cell": 2, "kind": "local", "uri": "a.csv"}, {"cell": 3, "kind": "s3"}],
        "metrics": [{"cell": 7, "name": "F1_Score"}],
        "explainability": [],
        "seeds": [[1, 2]],
        "pip_installs": [{"cell": 0, "name": "X_Y", "pin": "unpinned"}],
        "secrets": [],
    }
    doc = {
        "phase": {"id": "deployment", "reason": ""},
        "facts": {
            "trains_model": True,
            "training": [{"cell": 5}],
            "tuning": [{"cell": 6}],
            "data_sources": [
                {"cell": 2, "uri": "a.csv", "kind": "local"},
                {"cell": 4, "uri": "(computed)", "kind": "unknown"},
            ],
            "metrics": [{"cell": 7, "name": "f1_score"}, {"cell": 8, "name": "auc"}],
            "explainability": [],
            "seeds": [{"cell": 1, "line": 2}],
            "pip_installs": [{"cell": 0, "name": "x-y", "pin": "unpinned"}],
            "secrets": [],
        },
    }
    result = scoring.measure([label], scoring.Path("."), lambda _path: doc)
    s = result.scores
    assert (s["training"].tp, s["training"].fp, s["training"].fn) == (1, 1, 1)
    assert (s["data_source"].tp, s["data_source"].fp, s["data_source"].fn) == (1, 1, 1)
    assert (s["metric"].tp, s["metric"].fp, s["metric"].fn) == (1, 1, 0)
    assert (s["metric_name"].tp, s["metric_name"].fp) == (1, 1)
    assert (s["unpinned_install"].tp, s["seed"].tp) == (1, 1)
    assert s["data_source_uri"].tp == 1 and s["data_source_kind"].tp == 1
    assert result.phase_right == 1 and result.phase_total == 1


@pytest.fixture(scope="module")
def halves(wellml_catalog):
    from jupyter_wellml.inspection import review

    labels = scoring.load_labels()
    missing = [lb["notebook"] for lb in labels if not (CORPORA / lb["notebook"]).exists()]
    if missing:
        pytest.skip(f"corpus notebooks not available: {missing[:3]}")

    def review_json(path):
        return review(str(path), wellml_catalog).to_json()

    return {
        split: scoring.measure([lb for lb in labels if lb["_split"] == split], CORPORA, review_json)
        for split in ("tuning", "check")
    }


def test_check_half_floors(halves):
    """The detections on notebooks nobody tuned rules on (misses are not printed: looking at
    them would be tuning on the check half)."""
    check = halves["check"]
    print("\ncheck half:\n" + scoring.table(check))
    for kind, (p_floor, r_floor) in CHECK_FLOORS.items():
        s = check.scores[kind]
        assert s.precision is not None and s.precision >= p_floor, (kind, s.precision)
        assert s.recall is not None and s.recall >= r_floor, (kind, s.recall)
    assert check.phase_accuracy >= PHASE_FLOOR, check.phase_accuracy


def test_tuning_half_is_not_far_above_the_check_half(halves):
    """A rule fitted to the tuning notebooks shows as a check-half recall far below theirs
    (compared where the check half labels at least 20 items of a detection)."""
    tuning, check = halves["tuning"], halves["check"]
    print("\ntuning half:\n" + scoring.table(tuning))
    for kind in CHECK_FLOORS:
        c = check.scores[kind]
        if c.tp + c.fn < 20:
            continue
        t = tuning.scores[kind].recall
        assert t is None or c.recall >= t - 0.10, (kind, t, c.recall)
