"""Precision and recall of the review's facts against the hand-written labels (tests/labels).

The labels follow tests/labels/README.md; ``selection.tsv`` says which half each notebook is in.
The labels written before the split (tests/fixtures/expectations, SageMaker notebooks the engine
was tuned on) count in the tuning half, for the detections their format has.

What is compared, per notebook, as sets (a thing found twice counts once):

| detection | item | engine side |
| --- | --- | --- |
| ``training`` | cell | cells of ``training``, ``tuning`` and ``automl`` facts |
| ``data_source`` | cell | cells of ``data_sources`` |
| ``metric`` | cell | cells of ``metrics`` |
| ``explainability`` | cell | cells of ``explainability`` |
| ``seed`` | (cell, line) | ``seeds`` |
| ``unpinned_install`` | (cell, package) | ``pip_installs`` pinned ``unpinned``, ``lower_bound`` or ``range`` |
| ``secret`` | (cell, line) | ``secrets`` |
| ``trains_model`` | yes/no | ``facts.trains_model`` |
| ``data_source_uri`` | literal URI or path | ``uri`` of reads of a URI kind, when literal |
| ``data_source_kind`` | kind | kinds of every read |
| ``metric_name`` | name, lower case | ``metrics[].name`` |
| ``explain_method`` | method | ``explainability[].method`` |
| ``install_pin`` | (cell, package, pin) | ``pip_installs`` |

Phase: the engine's phase is right when it is the label's ``phase`` or one of ``phase_also``.
Nothing here imports the engine at module level: ``measure`` takes the review function.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LEGACY = HERE.parent / "fixtures" / "expectations"
LEGACY_CORPUS = "sagemaker-examples"
CELL_KINDS = ("training", "data_source", "metric", "explainability")
PRIMARY = (*CELL_KINDS, "seed", "unpinned_install", "secret")
SECONDARY = (
    "trains_model",
    "data_source_uri",
    "data_source_kind",
    "metric_name",
    "explain_method",
    "install_pin",
)
KINDS = (*PRIMARY, *SECONDARY)
#: what the legacy labels can be scored on (their reads, metrics and explainers carry no cell)
LEGACY_KINDS = ("seed", "secret", *SECONDARY[:5])
URI_KINDS = frozenset({"local", "s3", "gcs", "azure", "http", "hdfs", "database"})
NOT_PINNED = frozenset({"unpinned", "lower_bound", "range"})
TRAINING_FACTS = ("training", "tuning", "automl")
REQUIRED = (
    "notebook",
    "kernel_language",
    "phase",
    "phase_also",
    "trains_model",
    "training",
    "data_sources",
    "metrics",
    "explainability",
    "seeds",
    "pip_installs",
    "secrets",
    "notes",
)


def selection() -> dict[str, str]:
    """notebook path (under the corpora folder) -> ``tuning`` or ``check``."""
    with open(HERE / "selection.tsv", newline="", encoding="utf-8") as fh:
        return {row["notebook"]: row["split"] for row in csv.DictReader(fh, delimiter="\t")}


def load_labels() -> list[dict[str, Any]]:
    """Every label, each with ``_file``, ``_split`` and ``_kinds`` (what it can be scored on)."""
    split = selection()
    out = []
    for path in sorted(HERE.glob("*/*.yaml")):
        label = yaml.safe_load(path.read_text(encoding="utf-8"))
        label["_file"] = f"{path.parent.name}/{path.name}"
        label["_split"] = split.get(label.get("notebook"), "unlisted")
        label["_kinds"] = KINDS
        out.append(label)
    for path in sorted(LEGACY.glob("*.yaml")):
        label = yaml.safe_load(path.read_text(encoding="utf-8"))
        label["notebook"] = f"{LEGACY_CORPUS}/{label['notebook']}"
        label["_file"] = f"expectations/{path.name}"
        label["_split"] = "tuning"
        scored = {_LEGACY_NAMES.get(k, k) for k in label.get("scored") or LEGACY_KINDS}
        label["_kinds"] = tuple(k for k in LEGACY_KINDS if k in scored)
        out.append(label)
    return out


#: the legacy labels' names for the detections they list in ``scored``
_LEGACY_NAMES = {"metric": "metric_name", "explainability": "explain_method"}


def expected(label: Mapping[str, Any]) -> dict[str, set]:
    """The label's items per detection kind."""
    if label["_file"].startswith("expectations/"):
        return _expected_legacy(label)
    reads = label.get("data_sources") or []
    installs = label.get("pip_installs") or []
    return {
        "training": set(label.get("training") or []),
        "data_source": {d["cell"] for d in reads},
        "metric": {m["cell"] for m in label.get("metrics") or []},
        "explainability": {e["cell"] for e in label.get("explainability") or []},
        "seed": {tuple(s) for s in label.get("seeds") or []},
        "unpinned_install": {
            (p["cell"], _package(p["name"])) for p in installs if p.get("pin") in NOT_PINNED
        },
        "secret": {tuple(s) for s in label.get("secrets") or []},
        "trains_model": {True} if label.get("trains_model") else set(),
        "data_source_uri": {
            str(d["uri"]) for d in reads if d.get("uri") and d.get("kind") in URI_KINDS
        },
        "data_source_kind": {d["kind"] for d in reads},
        "metric_name": {str(m["name"]).lower() for m in label.get("metrics") or []},
        "explain_method": {e["method"] for e in label.get("explainability") or []},
        "install_pin": {
            (p["cell"], _package(p["name"]), p["pin"]) for p in installs if p.get("name")
        },
    }


def _expected_legacy(label: Mapping[str, Any]) -> dict[str, set]:
    return {
        "seed": {tuple(s) for s in label.get("seeds") or []},
        "secret": {(s["cell"], s["line"]) for s in label.get("secrets") or []},
        "trains_model": {True} if label.get("trains_model") else set(),
        "data_source_uri": {str(d["uri"]) for d in label.get("data_sources") or []},
        "data_source_kind": set(label.get("data_source_kinds") or []),
        "metric_name": {str(m).lower() for m in label.get("metrics") or []},
        "explain_method": set(label.get("explainability") or []),
    }


def found(doc: Mapping[str, Any]) -> dict[str, set]:
    """The review's items per detection kind (``doc``: a review.v1 JSON)."""
    facts = doc["facts"]
    reads = facts.get("data_sources") or []
    installs = facts.get("pip_installs") or []
    trained = {f["cell"] for k in TRAINING_FACTS for f in facts.get(k) or []}
    return {
        "training": trained,
        "data_source": {d["cell"] for d in reads},
        "metric": {m["cell"] for m in facts.get("metrics") or []},
        "explainability": {e["cell"] for e in facts.get("explainability") or []},
        "seed": {(s["cell"], s["line"]) for s in facts.get("seeds") or []},
        "unpinned_install": {
            (p["cell"], _package(p["name"]))
            for p in installs
            if p.get("pin") in NOT_PINNED and p.get("name")
        },
        "secret": {(s["cell"], s["line"]) for s in facts.get("secrets") or []},
        "trains_model": {True} if facts.get("trains_model") else set(),
        "data_source_uri": {
            d["uri"]
            for d in reads
            if d.get("kind") in URI_KINDS
            and isinstance(d.get("uri"), str)
            and d["uri"] != "(computed)"
            and d.get("uri") != d.get("via")
            and "{" not in d["uri"]  # a template of a computed URI: not a literal one
        },
        "data_source_kind": {d["kind"] for d in reads if d.get("kind") not in (None, "unknown")},
        "metric_name": {str(m["name"]).lower() for m in facts.get("metrics") or []},
        "explain_method": {e["method"] for e in facts.get("explainability") or []},
        "install_pin": {
            (p["cell"], _package(p["name"]), p["pin"]) for p in installs if p.get("name")
        },
    }


def _package(name: Any) -> str:
    return str(name).lower().replace("_", "-")


class Score:
    """True and false positives and negatives of one detection, with what was missed or extra."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.misses: list[str] = []

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


class Result:
    """Scores of a group of labels, and its phase accuracy."""

    def __init__(self) -> None:
        self.scores = {k: Score() for k in KINDS}
        self.phase_right = 0
        self.phase_total = 0
        self.phase_misses: list[str] = []
        self.notebooks = 0

    @property
    def phase_accuracy(self) -> float | None:
        return self.phase_right / self.phase_total if self.phase_total else None


def measure(
    labels: Iterable[Mapping[str, Any]],
    corpora: Path,
    review_json: Callable[[Path], Mapping[str, Any]],
) -> Result:
    """Score ``labels``; ``review_json(path)`` gives the review.v1 JSON of a notebook."""
    result = Result()
    for label in labels:
        doc = review_json(corpora / label["notebook"])
        want, got = expected(label), found(doc)
        result.notebooks += 1
        name = label["_file"].removesuffix(".yaml")
        for kind in label["_kinds"]:
            s = result.scores[kind]
            s.tp += len(want[kind] & got[kind])
            for item in sorted(got[kind] - want[kind], key=repr):
                s.fp += 1
                s.misses.append(f"{name}: unexpected {item!r}")
            for item in sorted(want[kind] - got[kind], key=repr):
                s.fn += 1
                s.misses.append(f"{name}: missed {item!r}")
        if "phase" not in label:
            continue
        accepted = label["phase"] if isinstance(label["phase"], list) else [label["phase"]]
        accepted = [*accepted, *(label.get("phase_also") or [])]
        result.phase_total += 1
        if doc["phase"]["id"] in accepted:
            result.phase_right += 1
        else:
            result.phase_misses.append(
                f"{name}: {doc['phase']['id']} ({doc['phase']['reason']}), expected {accepted}"
            )
    return result


def table(result: Result) -> str:
    def fmt(x: float | None) -> str:
        return "  n/a" if x is None else f"{x:5.2f}"

    lines = [f"{'detection':<18} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}"]
    for kind, s in result.scores.items():
        if kind == SECONDARY[0]:
            lines.append("  (secondary: names, kinds and pins)")
        lines.append(
            f"{kind:<18} {s.tp:>4} {s.fp:>4} {s.fn:>4} {fmt(s.precision):>6} {fmt(s.recall):>6}"
        )
    acc = result.phase_accuracy
    lines.append(
        f"{'phase (top-1)':<18} {result.phase_right:>4}/{result.phase_total:<4} {fmt(acc).strip()}"
    )
    return "\n".join(lines)


def check_label(label: Mapping[str, Any], phases: Iterable[str]) -> list[str]:
    """What is wrong with a label file's shape (an empty list when it is well formed)."""
    problems = [f"no {key!r}" for key in REQUIRED if key not in label]
    if problems:
        return problems
    known = set(phases)
    for p in [label["phase"], *(label["phase_also"] or [])]:
        if p not in known:
            problems.append(f"unknown phase {p!r}")
    if bool(label["trains_model"]) != bool(label["training"]):
        problems.append("trains_model disagrees with training")
    for key, fields in (
        ("data_sources", ("cell", "kind")),
        ("metrics", ("cell", "name")),
        ("explainability", ("cell", "method")),
        ("pip_installs", ("cell", "name", "pin")),
    ):
        for entry in label[key] or []:
            missing = [f for f in fields if f not in entry]
            if missing:
                problems.append(f"{key} entry {entry!r} has no {missing[0]!r}")
    for key in ("seeds", "secrets"):
        for entry in label[key] or []:
            if not (isinstance(entry, list) and len(entry) == 2):
                problems.append(f"{key} entry {entry!r} is not [cell, line]")
    return problems
