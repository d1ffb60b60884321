"""No input crashes the review: every notebook ends in a review.v1 that serialises and validates,
or in a one-line error naming what is wrong.

- The values a static reading cannot know (the scanner's NOT_LITERAL sentinel, bytes, ``...``,
  complex and infinite numbers) never reach a review: the cases real notebooks showed are pinned.
- A directory run lists every notebook: reviewed ones under ``reviews``, the others under
  ``errors`` with the reason, and exits 2 when one could not be reviewed.
- Property-based tests (hypothesis) generate code cells (literals of every kind, nested calls,
  dicts of names, IPython syntax, multi-line statements) and notebooks of broken shapes. They run
  deterministically (the same cases each run) in the slow suite: 10,000 cases in all.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_wellml.errors import WellMLError
from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.pyscan import NOT_LITERAL, NotLiteral

from .conftest import ROOT

# the strategies below are large: hypothesis warns when it prints them on a failure
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
SCHEMA = json.loads((ROOT / "jupyter_wellml" / "schemas" / "review.v1.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def notebook(*sources: str, language: str = "python") -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": language}},
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "source": s,
                "outputs": [],
                "execution_count": None,
            }
            for i, s in enumerate(sources)
        ],
    }


def valid_json(doc: dict) -> str:
    text = json.dumps(doc, allow_nan=False)  # no NaN/Infinity either: strict JSON
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)
    ]
    assert problems == [], problems[:3]
    return text


# ----------------------------------------------------------------------------- pinned cases
LEAKS = {
    "jumpstart estimator fit with a dict of names": (
        "from sagemaker.jumpstart.estimator import JumpStartEstimator\n"
        'JumpStartEstimator(model_id=model_id).fit({"training": loc})'
    ),
    "jumpstart model predict with a dict of names": (
        "from sagemaker.jumpstart.model import JumpStartModel\n"
        'JumpStartModel(model_id=x).predict({"a": some_var})'
    ),
    "torch.save into a dict of names": 'import torch\ntorch.save(m, {"k": v})',
    "bytes literal": 'from transformers import AutoModel\nAutoModel.from_pretrained(b"bert")',
    "ellipsis": "import joblib\njoblib.dump(m, ...)",
    "infinite float, tuple key, complex": (
        "import pandas as pd\npd.read_csv(1e999)\npd.read_csv({(1, 2): 3})\npd.read_csv(1j)\n"
        'pd.read_csv("s3://b/k", sep={"x": [b"y", ..., 2j]})'
    ),
}


@pytest.mark.parametrize("source", LEAKS.values(), ids=list(LEAKS))
def test_values_a_static_reading_cannot_know_never_reach_the_review(source, wellml_catalog):
    doc = review(notebook(source), wellml_catalog).to_json()
    text = valid_json(doc)
    assert "<expr>" not in text and "NotLiteral" not in text
    assert doc["errors"] == [], doc["errors"]  # read, not skipped


def test_not_literal_is_one_picklable_singleton():
    assert NotLiteral() is NOT_LITERAL
    assert pickle.loads(pickle.dumps(NOT_LITERAL)) is NOT_LITERAL
    assert repr(NOT_LITERAL) == "<expr>"


def test_a_deeply_nested_cell_is_skipped_with_an_error_and_the_rest_is_reviewed(wellml_catalog):
    deep = "x = " + "(" * 400 + "1" + ")" * 400
    doc = review(notebook(deep, "import pandas as pd\npd.read_csv('data/a.csv')"), wellml_catalog)
    out = doc.to_json()
    valid_json(out)
    assert [e["cell"] for e in out["errors"]] == [0]
    assert (
        "nested too deeply" in out["errors"][0]["message"]
        or "syntax" in out["errors"][0]["message"]
    )
    assert [d["uri"] for d in out["facts"]["data_sources"]] == ["data/a.csv"]


def _cli(*args: str, cwd: Path, env_cache: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "jupyter-wellml"
    env = {**os.environ, "WELLML_CACHE_DIR": str(env_cache)}
    return subprocess.run(
        [str(exe), "review", *args, "--no-data-dirs"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_directory_run_lists_every_notebook_and_exits_2(tmp_path, jobs):
    folder = tmp_path / "nbs"
    folder.mkdir()
    (folder / "good.ipynb").write_text(json.dumps(notebook(LEAKS["ellipsis"])))
    (folder / "leaky.ipynb").write_text(json.dumps(notebook(*LEAKS.values())))
    (folder / "broken.ipynb").write_text('{"cells": [')
    done = _cli(
        str(folder),
        "--format",
        "json",
        "--jobs",
        jobs,
        "--fail-on",
        "never",
        cwd=tmp_path,
        env_cache=tmp_path / "cache",
    )
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)
    reviewed = sorted(Path(r["notebook"]["path"]).name for r in doc["reviews"])
    failed = [(Path(e["path"]).name, e["message"]) for e in doc["errors"]]
    assert reviewed == ["good.ipynb", "leaky.ipynb"]
    assert [name for name, _ in failed] == ["broken.ipynb"]
    assert "not valid JSON" in failed[0][1]
    assert "broken.ipynb" in done.stderr and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- generated code
NAMES = [
    "pd",
    "np",
    "est",
    "model",
    "x",
    "loc",
    "ll",
    "ls",
    "df",
    "sagemaker",
    "boto3",
    "sm",
    "torch",
    "opt",
    "run",
    "client",
    "aiplatform",
    "job",
    "trainer",
    "ds",
]
MODULES = [
    "pandas as pd",
    "numpy as np",
    "sagemaker",
    "boto3",
    "torch",
    "shap",
    "joblib",
    "sklearn.ensemble",
    "google.cloud.aiplatform as aiplatform",
    "datasets",
    "transformers",
    "xgboost as xgb",
    "mlflow",
    "azureml.core",
    "evaluate",
]
ATTRS = [
    "fit",
    "read_csv",
    "deploy",
    "train",
    "run",
    "predict",
    "log_metric",
    "from_pretrained",
    "load_dataset",
    "seed",
    "client",
    "create_training_job",
    "evaluate",
    "step",
    "backward",
    "submit",
    "explain",
    "estimator.Estimator",
    "HyperparameterTuner",
    "CustomTrainingJob",
    "invoke_endpoint",
    "save",
    "Run",
]

atoms = st.one_of(
    st.integers(-(10**20), 10**20).map(repr),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: f"float({str(f)!r})"),
    st.sampled_from(["1e999", "-1e999", "1j", "...", "None", "True", "False", "0x1F", "1_000"]),
    st.text(max_size=30).map(repr),
    st.binary(max_size=12).map(repr),
    st.sampled_from(
        [
            "'s3://bucket/key.csv'",
            "'gs://b/k'",
            "'data/train.csv'",
            "'abfss://c@a/p'",
            "f's3://{bucket}/train'",
            "'--seed=0'",
            "'sklearn'",
            "'ml.p4d.24xlarge'",
        ]
    ),
    st.sampled_from(NAMES),
)


def _call(children):
    func = st.builds(
        lambda n, a: f"{n}.{a}" if a else n,
        st.sampled_from(NAMES),
        st.one_of(st.none(), st.sampled_from(ATTRS)),
    )
    args = st.lists(children, max_size=3)
    kwargs = st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "random_state",
                    "seed",
                    "model_id",
                    "instance_type",
                    "inputs",
                    "hyperparameters",
                    "env",
                    "tags",
                    "metrics",
                    "role",
                    "x",
                ]
            ),
            children,
        ),
        max_size=3,
        unique_by=lambda kv: kv[0],
    )
    return st.builds(
        lambda f, a, k: f"{f}({', '.join([*a, *(f'{n}={v}' for n, v in k)])})", func, args, kwargs
    )


expressions = st.recursive(
    atoms,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(children, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ",)"),
        st.lists(st.tuples(children, children), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        _call(children),
        st.tuples(children, children).map(lambda ab: f"{ab[0]} + {ab[1]}"),
        children.map(lambda e: f"f'x{{{e}}}y'"),
        children.map(lambda e: f"'{{}}/{{}}'.format({e}, bucket)"),
    ),
    max_leaves=12,
)

statements = st.one_of(
    st.builds(lambda n, e: f"{n} = {e}", st.sampled_from(NAMES), expressions),
    st.builds(lambda n, e: f"{n} = [\n    {e},\n    2,\n]", st.sampled_from(NAMES), expressions),
    st.builds(lambda n, e: f"{n} = Estimator(\n    {e}\n)", st.sampled_from(NAMES), expressions),
    expressions,
    st.sampled_from(MODULES).map(lambda m: f"import {m}"),
    st.builds(
        lambda m, n: f"from {m.split()[0]} import {n}",
        st.sampled_from(MODULES),
        st.sampled_from(ATTRS[:8]),
    ),
    st.builds(lambda e: f"for batch in {e}:\n    loss.backward()\n    opt.step()", expressions),
    st.builds(lambda e: f"with open({e}) as fh:\n    data = fh.read()", expressions),
    st.builds(lambda e: f"def f(a={e}):\n    return a", expressions),
    st.sampled_from(
        [
            "%pip install pandas==2.0 'xgboost>=1.7' git+https://x/y.git",
            "!pip install -q sagemaker --upgrade",
            "pip install torch",
            "!aws s3 cp s3://bucket/data.csv .",
            "!gsutil cp gs://b/k.csv data/",
            "%matplotlib inline",
            "ls -la",
            "ll = 3",
            "?pd.read_csv",
            "pd.read_csv??",
            "!{sys.executable} -m pip install -r requirements.txt",
            "%env AWS_SECRET_ACCESS_KEY=abc",
            "%wellml phase training",
            "%time model.fit(X, y)",
            "x = !ls",
            "%%bash\necho hi",
            "%%writefile train.py\nimport sklearn\nmodel.fit(X, y)",
            "%%sql\nSELECT * FROM t",
            "set.seed(42)\nlibrary(caret)",
        ]
    ),
    st.text(max_size=80),
)

#: the same cases every run (CI must not turn red on a new random draw), nothing stored on disk
GENERATED = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

# deferred: the strategy's repr (shown on a failure) stays short
cells = st.deferred(lambda: st.lists(statements, min_size=1, max_size=6).map("\n".join))


@pytest.mark.slow
@settings(max_examples=6000, **GENERATED)
@given(st.lists(cells, min_size=1, max_size=4))
def test_generated_code_cells_always_review_to_valid_json(wellml_catalog, sources):
    doc = review(notebook(*sources), wellml_catalog).to_json()
    valid_json(doc)
    for err in doc["errors"]:  # a skipped cell would be an engine defect on valid syntax
        assert "could not be inspected" not in err["message"], (sources, err)


# ----------------------------------------------------------------------------- broken shapes
junk = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=10), children, max_size=3),
    ),
    max_leaves=8,
)
outputs = st.one_of(
    junk,
    st.fixed_dictionaries(
        {
            "output_type": st.sampled_from(
                ["stream", "error", "execute_result", "display_data", "x"]
            )
        },
        optional={
            "text": junk,
            "data": junk,
            "traceback": junk,
            "name": junk,
            "ename": junk,
            "evalue": junk,
            "metadata": junk,
        },
    ),
)
cell_shapes = st.one_of(
    junk,
    st.fixed_dictionaries(
        {"cell_type": st.sampled_from(["code", "markdown", "raw", 3, None])},
        optional={
            "source": st.one_of(cells, st.lists(st.text(max_size=20)), junk),
            "outputs": st.one_of(st.lists(outputs, max_size=3), junk),
            "id": junk,
            "execution_count": junk,
            "metadata": junk,
        },
    ),
)
wellml_meta = st.one_of(
    junk,
    st.fixed_dictionaries(
        {},
        optional={
            "phase": junk,
            "records": st.one_of(st.lists(junk, max_size=3), junk),
            "version": junk,
        },
    ),
)
notebooks = st.deferred(lambda: _notebooks)
_notebooks = st.fixed_dictionaries(
    {"cells": st.one_of(st.lists(cell_shapes, max_size=4), junk)},
    optional={
        "nbformat": st.one_of(st.sampled_from([4, 3, 99]), junk),
        "nbformat_minor": junk,
        "metadata": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"kernelspec": junk, "language_info": junk, "wellml": wellml_meta}
            ),
            junk,
        ),
    },
)


@pytest.mark.slow
@settings(max_examples=4000, **GENERATED)
@given(notebooks)
def test_notebooks_of_any_shape_review_or_fail_with_one_line(wellml_catalog, data):
    try:
        doc = review(data, wellml_catalog).to_json()
    except WellMLError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return
    valid_json(doc)


def test_the_hosts_warning_filters_never_change_a_review(wellml_catalog):
    """`"\\d"` in a string is a SyntaxWarning; a process that turns warnings into errors (pytest,
    some kernels) must read the cell exactly as one that does not."""
    import warnings

    source = 'import re, pandas as pd\npat = re.compile("\\d+")\ndf = pd.read_csv("data/a.csv")'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strict = review(notebook(source), wellml_catalog).to_json()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lenient = review(notebook(source + "\n"), wellml_catalog).to_json()
    assert strict["errors"] == [] and lenient["errors"] == []
    assert [d["uri"] for d in strict["facts"]["data_sources"]] == ["data/a.csv"]
    assert strict["facts"]["data_sources"] == lenient["facts"]["data_sources"]
