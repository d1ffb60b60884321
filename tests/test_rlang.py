"""R notebooks are read for the same facts as Python ones: reads, training, metrics, seeds,
installs with their pins, explanations and the phase, by a tokenizer that knows R's strings,
raw strings, comments and ``pkg::fn`` names (tests/fixtures/notebooks/r: three notebooks in the
styles R users write on SageMaker, Vertex AI and with tidymodels), and ``%%R`` cells of Python
notebooks the same way."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.rlang import scan_r, tokenize

from .conftest import FIXTURES

R = FIXTURES / "notebooks" / "r"


def facts(path, catalog) -> dict:
    doc = review(str(path), catalog).to_json()
    assert doc["notebook"]["inspected"] is True and doc["errors"] == []
    return doc


def items(doc, key, *fields):
    return {tuple(f.get(x) for x in ("cell", "line", *fields)) for f in doc["facts"][key]}


def test_tokens_know_strings_comments_raw_strings_and_namespaces():
    src = (
        's <- "a # not a comment \\" still"  # a comment\n'
        "r <- r\"(raw 'x' \\ y)\"\n"
        "x <- readr::read_csv(`my file`)\n"
        "n <- 1e-3L"
    )
    toks = tokenize(src)
    strings = [t.value for t in toks if t.kind == "string"]
    assert strings == ['a # not a comment " still', "raw 'x' \\ y"]
    names = [t.text for t in toks if t.kind == "name"]
    assert "readr::read_csv" in names and "my file" in names and "comment" not in names
    assert [t.line for t in toks if t.text == "n"] == [4]


def test_calls_take_literal_arguments_and_constants_from_earlier_cells():
    consts: dict = {}
    scan_r('path <- "data/train.csv"\nbucket = "b"', 0, consts)
    second = scan_r("df <- read.csv(path, header = TRUE)\nm <- lm(y ~ x,\n  data = df)", 1, consts)
    read, lm = second.calls[0], second.calls[1]
    assert (read.name, read.args, read.keywords, read.line) == (
        "read.csv",
        ["data/train.csv"],
        {"header": True},
        1,
    )
    assert (lm.name, lm.line) == ("lm", 2)


def test_a_caret_churn_notebook(wellml_catalog):
    doc = facts(R / "churn_caret.ipynb", wellml_catalog)
    assert doc["phase"]["id"] == "model_development"
    assert doc["facts"]["trains_model"] is True
    assert items(doc, "training", "api") == {(4, 4, "train")}
    reads = items(doc, "data_sources", "uri", "kind")
    assert (3, 3, "churn/train.csv", "s3") in reads and (3, 4, "data/holdout.csv", "local") in reads
    assert items(doc, "seeds", "value") == {(3, 1, 2024)}
    assert {m["name"] for m in doc["facts"]["metrics"]} == {"confusionMatrix", "roc", "auc"}
    assert items(doc, "explainability", "method") == {(5, 5, "feature_importance")}
    pins = {(p["name"], p["pin"]) for p in doc["facts"]["pip_installs"]}
    assert pins == {
        ("caret", "unpinned"),
        ("randomforest", "unpinned"),
        ("proc", "unpinned"),
        ("xgboost", "exact"),
    }
    assert {i["module"] for i in doc["facts"]["imports"]} >= {"caret", "randomForest", "aws.s3"}
    assert items(doc, "artifacts", "path") == {(6, 1, "model/rf-churn.rds")}


def test_a_bigquery_xgboost_notebook(wellml_catalog):
    doc = facts(R / "bigquery_xgboost.ipynb", wellml_catalog)
    kinds = {(d["cell"], d["kind"]) for d in doc["facts"]["data_sources"]}
    assert {(2, "warehouse"), (2, "http")} <= kinds
    assert items(doc, "training", "api") == {(3, 2, "xgb.train")}
    assert doc["phase"]["id"] == "model_development"


def test_a_tidymodels_notebook_explained_with_dalex(wellml_catalog):
    doc = facts(R / "tidymodels_dalex.ipynb", wellml_catalog)
    assert items(doc, "training", "api") == {(3, 1, "fit")}
    assert (2, 2, "penguins", "dataset") in items(doc, "data_sources", "uri", "kind")
    assert {e["method"] for e in doc["facts"]["explainability"]} == {"dalex"}
    assert items(doc, "seeds", "value") == {(2, 1, 123)}
    assert ("vetiver", "exact") in {(p["name"], p["pin"]) for p in doc["facts"]["pip_installs"]}
    assert {d["target"] for d in doc["facts"]["deployment"]} == {"local"}


def test_r_cells_of_a_python_notebook(wellml_catalog):
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "cells": [
            {
                "cell_type": "code",
                "id": "a",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": "%load_ext rpy2.ipython",
            },
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": '%%R\nset.seed(7)\ndf <- read.csv("data/r.csv")\nfit <- glm(y ~ ., data = df)',
            },
        ],
    }
    doc = review(json.dumps(nb), wellml_catalog).to_json()
    assert items(doc, "seeds", "value") == {(1, 2, 7)}
    assert items(doc, "data_sources", "uri") == {(1, 3, "data/r.csv")}
    assert items(doc, "training", "api") == {(1, 4, "glm")}


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab1._ (){}[]=<-\"'`#\\\n,$%>|r:")), max_size=120))
def test_the_r_reader_never_fails_on_any_text(text):
    scan = scan_r(text, 0, {})
    for call in scan.calls:
        assert call.line >= 1
