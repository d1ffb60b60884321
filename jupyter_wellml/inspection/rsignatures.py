"""What R calls mean: the table that turns R code into facts (the R counterpart of
:mod:`.signatures`). Keys are function names as written, bare (``read.csv``) or with their
package (``readr::read_csv``); a bare name also matches its package-qualified form.

Each entry is ``(fact kind, fields)``; a field may be a function of the :class:`~.pyscan.Call`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .pyscan import Call

Fields = dict[str, Any]


def first(*keys: str) -> Callable[[Call], Any]:
    """The first positional argument, or the first of ``keys`` given by name."""

    def get(call: Call) -> Any:
        for k in keys:
            if k in call.keywords:
                return call.keywords[k]
        return call.args[0] if call.args else None

    return get


def _read(kind: str | None = None, *keys: str) -> tuple[str, Fields]:
    fields: Fields = {"uri": first(*(keys or ("file", "path"))), "via": lambda c: c.name}
    if kind:
        fields["kind"] = kind
    return ("data_source", fields)


def _train(framework: str) -> tuple[str, Fields]:
    return ("training", {"api": lambda c: c.name, "framework": framework, "managed": False})


def _metric(name: str | None = None) -> tuple[str, Fields]:
    return ("metric", {"name": name or (lambda c: c.name.split("::")[-1]), "api": lambda c: c.name})


def _explain(method: str) -> tuple[str, Fields]:
    return ("explainability", {"method": method, "api": lambda c: c.name})


R_CALLS: dict[str, tuple[str, Fields]] = {
    # ---- reading data
    **{
        n: _read()
        for n in (
            "read.csv",
            "read.csv2",
            "read.table",
            "read.delim",
            "readRDS",
            "load",
            "scan",
            "readr::read_csv",
            "read_csv",
            "read_tsv",
            "read_delim",
            "read_rds",
            "read_lines",
            "data.table::fread",
            "fread",
            "readxl::read_excel",
            "read_excel",
            "arrow::read_parquet",
            "read_parquet",
            "read_feather",
            "haven::read_sas",
            "read_sas",
            "read_spss",
            "read_dta",
            "vroom::vroom",
            "vroom",
            "jsonlite::fromJSON",
            "fromJSON",
            "jsonlite::read_json",
            "read_json",
            "spark_read_csv",
            "spark_read_parquet",
        )
    },
    **{n: _read("http", "url") for n in ("download.file", "curl_download", "GET")},
    **{
        n: _read("s3", "object") for n in ("s3read_using", "get_object", "save_object", "s3readRDS")
    },
    **{
        n: ("data_source", {"uri": lambda c: c.name, "kind": "warehouse", "via": lambda c: c.name})
        for n in (
            "bigrquery::bq_project_query",
            "bq_project_query",
            "bq_table_download",
            "bq_dataset_query",
            "query_exec",
        )
    },
    **{
        n: ("data_source", {"uri": lambda c: c.name, "kind": "database", "via": lambda c: c.name})
        for n in ("DBI::dbGetQuery", "dbGetQuery", "dbReadTable", "dbSendQuery", "sqlQuery")
    },
    "data": ("data_source", {"uri": first(), "kind": "dataset", "via": lambda c: c.name}),
    # ---- training (models that learn from data)
    **{n: _train("stats") for n in ("lm", "glm", "nls", "loess", "kmeans", "prcomp_model")},
    **{n: _train("caret") for n in ("caret::train", "train")},
    **{n: _train("randomForest") for n in ("randomForest", "randomForest::randomForest")},
    **{n: _train("ranger") for n in ("ranger", "ranger::ranger")},
    **{n: _train("xgboost") for n in ("xgboost", "xgb.train", "xgboost::xgboost", "xgb.cv")},
    **{n: _train("lightgbm") for n in ("lgb.train", "lightgbm", "lgb.cv")},
    **{
        n: _train("r")
        for n in (
            "svm",
            "e1071::svm",
            "rpart",
            "rpart::rpart",
            "gbm",
            "glmnet",
            "cv.glmnet",
            "nnet",
            "naiveBayes",
            "knn",
            "C5.0",
            "cforest",
            "ctree",
            "earth",
            "fit",
            "fit_resamples",
            "tune_grid",
            "last_fit",
            "h2o.gbm",
            "h2o.randomForest",
            "h2o.glm",
            "h2o.deeplearning",
            "h2o.xgboost",
            "prophet",
            "auto.arima",
            "arima",
            "ets",
        )
    },
    "h2o.automl": ("automl", {"api": lambda c: c.name}),
    # ---- evaluation
    **{
        n: _metric()
        for n in (
            "confusionMatrix",
            "caret::confusionMatrix",
            "postResample",
            "RMSE",
            "MAE",
            "R2",
            "rmse",
            "mae",
            "mape",
            "accuracy",
            "roc_auc",
            "precision",
            "recall",
            "f_meas",
            "yardstick::metrics",
            "metrics",
            "roc",
            "pROC::roc",
            "auc",
            "pROC::auc",
            "logLoss",
            "h2o.performance",
            "collect_metrics",
            "metric_set",
        )
    },
    "evaluate": _metric("evaluate"),
    # ---- explainability
    **{
        n: _explain("dalex")
        for n in ("DALEX::explain", "explain", "model_parts", "model_profile", "predict_parts")
    },
    **{n: _explain("iml") for n in ("Predictor$new", "FeatureImp$new", "Shapley$new")},
    **{n: _explain("lime") for n in ("lime", "lime::lime")},
    **{n: _explain("shap") for n in ("shapr", "fastshap::explain", "kernelshap", "shapviz")},
    **{n: _explain("feature_importance") for n in ("varImp", "vip", "vip::vip", "importance")},
    "partial": _explain("partial_dependence"),
    # ---- reproducibility
    "set.seed": ("seed", {"library": "r", "value": first("seed"), "api": "set.seed"}),
    "tensorflow::set_random_seed": ("seed", {"library": "tensorflow", "api": "set_random_seed"}),
    "set_random_seed": ("seed", {"library": "tensorflow", "api": "set_random_seed"}),
    # ---- deployment
    **{
        n: ("deployment", {"api": lambda c: c.name, "target": "local"})
        for n in ("plumber::pr_run", "pr_run", "plumb", "vetiver_api", "vetiver_deploy_rsconnect")
    },
    # ---- models saved
    "saveRDS": (
        "artifact",
        {
            "path": lambda c: c.args[1] if len(c.args) > 1 else c.keywords.get("file"),
            "format": "rds",
        },
    ),
    "save_model_hdf5": (
        "artifact",
        {"path": lambda c: c.args[1] if len(c.args) > 1 else None, "format": "keras"},
    ),
    "xgb.save": (
        "artifact",
        {"path": lambda c: c.args[1] if len(c.args) > 1 else None, "format": "xgboost"},
    ),
}
#: R functions that install packages, and how the version is given
INSTALLERS = {
    "install.packages": "cran",
    "utils::install.packages": "cran",
    "remotes::install_version": "version",
    "devtools::install_version": "version",
    "install_version": "version",
    "remotes::install_github": "url",
    "devtools::install_github": "url",
    "install_github": "url",
    "BiocManager::install": "cran",
    "pak::pkg_install": "pak",
    "pak::pak": "pak",
    "renv::install": "pak",
}
