"""Facts read from the text of a cell, where the meaning sits in the text itself rather than
in a call: seeds in parameter dicts and command-line arguments, metrics read from a training
history, a model's own feature importances or coefficients, Vertex Explainable AI attribution
methods, and SQL statements (BigQuery ML's ``CREATE MODEL``, ``ML.EVALUATE``,
``ML.EXPLAIN_PREDICT``, and the tables a query reads).

Each pattern is anchored on an API's own vocabulary (a ``"random_state": 0`` key, ``--seed 42``,
``history.history["val_loss"]``, ``.feature_importances_``), and comment lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .signatures import METRIC_WORDS, uri_kind

Found = list[tuple[str, int, dict[str, Any]]]
Fields = Callable[[re.Match], dict[str, Any] | None]


#: metric names too plain to count alone (a prediction's ``score``, a response's ``error``)
_PLAIN_NAMES = frozenset({"score", "scores", "error", "errors"})


def _metric_key(group: int, api: str) -> Fields:
    """A metric read by its key from what an evaluation returned, when the key names one."""

    def fields(m: re.Match) -> dict[str, Any] | None:
        key = m.group(group)
        if METRIC_WORDS.search(key) and key.lower() not in _PLAIN_NAMES:
            return {"name": key, "api": api}
        return None

    return fields


def _seed(api: str) -> Fields:
    return lambda m: {"library": "other", "value": int(m.group(1)), "api": api}


#: (pattern, fact kind, fields of a match) for Python code
CODE_PATTERNS: tuple[tuple[re.Pattern, str, Fields], ...] = (
    (
        re.compile(
            r"""["'](?:random_state|random_seed|seed|rng_seed|random-seed)["']\s*:\s*(\d+)\b"""
        ),
        "seed",
        _seed("parameters"),
    ),
    (
        re.compile(r"""--(?:random[_-]?)?seed(?:["']\s*,\s*["']?|\s*=\s*|\s+)(\d+)\b"""),
        "seed",
        _seed("command line"),
    ),
    (
        re.compile(r"""\.(?:history|metrics)\s*\[\s*["']([A-Za-z_][\w:/.-]*)["']\s*\]"""),
        "metric",
        lambda m: {"name": m.group(1), "api": "history"},
    ),
    (
        # `best_run_metrics["best_val_acc"]`, `eval_results["eval_rouge1"]`, `scores["test_f1"]`
        re.compile(
            r"""\b\w*(?:metrics?|results?|scores?|history|evals?|evaluation)\s*\[\s*"""
            r"""["']([A-Za-z_][\w:/.@()-]*)["']\s*\]""",
            re.I,
        ),
        "metric",
        _metric_key(1, "metrics read"),
    ),
    (
        # a metric stored on a pipeline artifact's metadata (`model.metadata["accuracy"] = 0.9`)
        re.compile(r"""\.metadata\s*\[\s*["']([A-Za-z_][\w:/.-]*)["']\s*\]\s*=(?!=)"""),
        "metric",
        _metric_key(1, "artifact metadata"),
    ),
    (
        # what Trainer and Keras report, by its prefixed key: `log["eval_f1"]`, `r["val_acc"]`
        re.compile(r"""\[\s*["']((?:eval|test|val|valid|validation)_[\w/.-]+)["']\s*\]"""),
        "metric",
        _metric_key(1, "metrics read"),
    ),
    (
        # a Trainer's log of evaluation metrics, or a Keras history read whole
        re.compile(r"\.(log_history)\b|\b(hist\w*)\.history\b(?!\s*\[)"),
        "metric",
        lambda m: {"name": "log_history" if m.group(1) else "history", "api": "history"},
    ),
    (
        re.compile(
            r"""["'](Final(?:MetricDataList|AutoMLJobObjectiveMetric|"""
            r"""HyperParameterTuningJobObjectiveMetric))["']"""
        ),
        "metric",
        lambda m: {"name": m.group(1), "api": "job description"},
    ),
    (
        # scores a fitted search or booster keeps (`grid.best_score_`, `grid.cv_results_`,
        # `model.evals_result_`), the names of a Keras model's metrics, an MLflow run's metrics
        re.compile(
            r"\.(best_score_?|cv_results_|evals_result_|metrics_names)\b|\.data\.(metrics)\b"
            r"""|["']metrics\.(?!(?:json|csv|txt|ya?ml|pkl|parquet)["'])([A-Za-z_][\w.-]*?)"""
            r"""(?:\s+(?:ASC|DESC))?["']"""
        ),
        "metric",
        lambda m: {"name": m.group(1) or m.group(3) or "run_metrics", "api": "metrics read"},
    ),
    (
        # the explanation an Azure ML scoring explainer returns, read by its key
        re.compile(r"""["']((?:engineered_|raw_)?(?:local|global)_importance_values)["']"""),
        "explainability",
        lambda m: {"method": "interpret", "api": m.group(1)},
    ),
    (
        re.compile(r"\.(feature_importances_)\b"),
        "explainability",
        lambda m: {"method": "feature_importance", "api": m.group(1)},
    ),
    (
        re.compile(
            r"""["'](sampled_shapley|integrated_gradients|xrai)_attribution["']"""
            r"""|--explanation-method[= ](\S+)"""
        ),
        "explainability",
        lambda m: {"method": "vertex_xai", "api": m.group(1) or m.group(2)},
    ),
)
#: (pattern, fact kind, fields of a match) for SQL
SQL_PATTERNS: tuple[tuple[re.Pattern, str, Fields], ...] = (
    (
        re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?MODEL\b", re.I),
        "training",
        lambda m: {"api": "CREATE MODEL", "framework": "bigquery_ml", "managed": True},
    ),
    (
        re.compile(r"\bML\.(EVALUATE|ROC_CURVE|CONFUSION_MATRIX|ARIMA_EVALUATE)\s*\(", re.I),
        "metric",
        lambda m: {"name": f"ml.{m.group(1).lower()}", "api": "BigQuery ML"},
    ),
    (
        re.compile(
            r"\bML\.(EXPLAIN_PREDICT|GLOBAL_EXPLAIN|FEATURE_IMPORTANCE|EXPLAIN_FORECAST)\b", re.I
        ),
        "explainability",
        lambda m: {"method": "bigquery_ml", "api": f"ML.{m.group(1).upper()}"},
    ),
    (
        re.compile(r"\bFROM\s+`([\w.-]+\.[\w.-]+)`", re.I),
        "data_source",
        lambda m: {"uri": m.group(1), "kind": "warehouse", "via": "sql"},
    ),
)


def _scan(text: str, first_line: int, comment: str, patterns, needles) -> Found:
    # each pattern needs a word of its own in the text (a cheap test): most cells have none
    lowered = text.lower()
    active = [p for p, needle in zip(patterns, needles) if any(n in lowered for n in needle)]
    if not active:
        return []
    out: Found = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        stripped = line.lstrip()
        if not stripped or stripped.startswith(comment):
            continue
        for pattern, kind, fields in active:
            for m in pattern.finditer(line):
                found = fields(m)
                if found is not None:
                    out.append((kind, number, found))
    return out


#: per pattern of CODE_PATTERNS / SQL_PATTERNS, lower-case words one of which its match holds
CODE_NEEDLES = (
    ("seed",),
    ("seed",),
    (".history", ".metrics"),
    (
        "metric[",
        "metrics[",
        "result[",
        "results[",
        "score[",
        "scores[",
        "history[",
        "eval[",
        "evals[",
        "evaluation[",
    ),
    (".metadata",),
    ("['eval_", '["eval_', "['test_", '["test_', "['val", '["val'),
    ("log_history", ".history"),
    ("final",),
    ("best_score", "cv_results_", "evals_result_", "metrics_names", ".data.metrics", "metrics."),
    ("importance_values",),
    ("feature_importances_",),
    ("_attribution", "explanation-method"),
)
SQL_NEEDLES = (("model",), ("ml.",), ("ml.",), ("from",))


assert len(CODE_NEEDLES) == len(CODE_PATTERNS) and len(SQL_NEEDLES) == len(SQL_PATTERNS)


#: a Spark reader's call on a literal location, in Scala or C# (`spark.read.csv("...")`,
#: `.load("abfss://...")`, `.Parquet("...")`)
_JVM_READ = re.compile(
    r"""\.read\b.*?\.(?:csv|parquet|json|orc|text|load|table)\s*\(\s*"([^"]+)"\s*\)""", re.I
)


def jvm_reads(body: str, first_line: int) -> Found:
    """Reads of a Spark session in a Scala or C# cell body (``// comments`` skipped)."""
    out: Found = []
    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.lstrip().startswith("//"):
            continue
        for m in _JVM_READ.finditer(line):
            uri = m.group(1)
            out.append(("data_source", number, {"uri": uri, "kind": uri_kind(uri), "via": "spark"}))
    return out


def line_facts(source: str, offset: int = 0) -> Found:
    """``(kind, line, fields)`` for :data:`CODE_PATTERNS` in Python code (``offset``: lines
    before the code in the cell, as for a cell magic's body)."""
    return _scan(source, 1 + offset, "#", CODE_PATTERNS, CODE_NEEDLES)


def sql_facts(sql: str, first_line: int) -> Found:
    """Facts of a SQL text (a ``%%bigquery`` body or a query string) starting at ``first_line``."""
    return _scan(sql, first_line, "--", SQL_PATTERNS, SQL_NEEDLES)


def looks_like_sql(text: str) -> bool:
    """A string literal that is a SQL statement for BigQuery ML or a warehouse."""
    head = text.lstrip()[:12].upper()
    return head.startswith(("SELECT", "CREATE", "WITH", "INSERT", "MERGE")) or "ML." in text
