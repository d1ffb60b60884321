"""Notebook and environment facts on small, focused notebooks (everything static: nothing here
runs a notebook), the secrets prefilter against plain detect-secrets, and generated junk that
must never crash the engine."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_wellml.errors import NotebookError
from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.environment import ProbeError, environment_facts, probe
from jupyter_wellml.inspection.facts import gather
from jupyter_wellml.inspection.licenses import LicensePolicy
from jupyter_wellml.inspection.notebook import read_notebook
from jupyter_wellml.inspection.source import _python_cell, _simple_magics, _transformer

from .conftest import ROOT, corpus_notebooks

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def code(source: str, *, count: int | None = None, outputs=None) -> dict:
    return {
        "cell_type": "code",
        "source": source,
        "metadata": {},
        "execution_count": count,
        "outputs": outputs or [],
    }


def md(source: str) -> dict:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def notebook(*cells, language: str = "python", metadata=None) -> dict:
    cells = [code(c) if isinstance(c, str) else c for c in cells]
    meta = {"kernelspec": {"name": language, "display_name": language, "language": language}}
    meta.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": cells}


def facts_of(*cells, **kw):
    return gather(read_notebook(notebook(*cells, **kw)))


def where(items, **fields):
    return [i for i in items if all(i.get(k) == v for k, v in fields.items())]


# --------------------------------------------------------------------------- IPython syntax
def test_ipython_syntax_goes_through_and_python_keeps_its_line_numbers():
    f = facts_of(
        "%matplotlib inline\n"
        "files = !ls data\n"
        "x = %env HOME\n"
        "import pandas as pd\n"
        "df?\n"
        "pd.read_csv('s3://bucket/a.csv')"
    )
    assert f.errors == []
    assert [(d["uri"], d["line"]) for d in f.of("data_source")] == [("s3://bucket/a.csv", 6)]


def test_automagic_lines_are_magics_not_syntax_errors():
    f = facts_of("pip install pandas==2.0\ncd data\nimport os\nls\nprint(os.getcwd())")
    assert f.errors == []
    assert where(f.of("pip_install"), name="pandas", pin="exact", form="automagic", line=1)


def test_a_python_name_that_looks_like_a_magic_stays_python():
    f = facts_of("cd = 3\nenv = {'a': 1}\nprint(cd, env)")
    assert f.errors == [] and f.of("pip_install") == []


def test_quick_magic_rewrite_equals_transformer_manager():
    """The engine writes simple magic lines as IPython would; the trees must be the same."""
    import ast

    cells = [
        "!pip install x\nimport os",
        "files = !ls -l\nx = %env HOME",
        "%cd /home/u/data\n! mkdir out  ",
        "if True:\n    !pip install $package\n    %time f(1)",
        "!!ls\n%matplotlib inline  # comment",
    ]
    for src in cells:
        lines = src.split("\n")
        quick = _simple_magics(lines, _python_cell(src, 0).magics, 0)
        assert quick is not None, src
        ref = _transformer().transform_cell(src)
        assert ast.dump(ast.parse(quick)) == ast.dump(ast.parse(ref)), src


def test_help_syntax_and_continued_magics_use_ipython_itself():
    f = facts_of("import shap\nshap.TreeExplainer?\n!pip install \\\n    lime==0.2")
    assert f.errors == []
    assert where(f.of("import"), module="shap", line=1)
    # asking for help computes nothing, and an import alone is not an explanation
    assert f.of("explainability") == []
    assert where(f.of("pip_install"), name="lime", pin="exact", line=3)


def test_writefile_python_body_is_inspected_as_code():
    f = facts_of(
        "%%writefile train.py\nimport xgboost as xgb\nbst = xgb.train(params, dtrain)\n",
        "%%writefile requirements.txt\nshap==0.44\n",
    )
    assert where(f.of("writefile"), path="train.py")
    train = f.of("training")
    assert [(t["cell"], t["line"], t["framework"]) for t in train] == [(0, 3, "xgboost")]
    assert f.errors == []  # the requirements file is not read as Python


def test_bash_cell_magic_body_is_shell():
    f = facts_of("%%bash\npip install boto3==1.34\naws s3 cp s3://bkt/in.csv data/\n")
    assert where(f.of("pip_install"), name="boto3", pin="exact", line=2)
    assert where(f.of("data_source"), uri="s3://bkt/in.csv", kind="s3")


def test_a_kernel_language_the_engine_does_not_read_is_not_inspected(wellml_catalog):
    nb = notebook('using CSV\ndf = CSV.read("data/train.csv", DataFrame)', language="julia")
    doc = review(nb, wellml_catalog).to_json()
    assert doc["notebook"]["inspected"] is False
    assert "'julia'" in doc["notebook"]["reason"] and "Python and R" in doc["notebook"]["reason"]
    assert doc["errors"] == []
    assert all(doc["facts"][k] == [] for k in ("data_sources", "metrics", "pip_installs"))


def test_ir_kernel_name_without_language_is_r_and_read_as_r():
    nb = notebook('x <- read.csv("data/x.csv")')
    nb["metadata"] = {"kernelspec": {"name": "ir", "display_name": "R"}}
    assert read_notebook(nb).kernel_language == "r"
    facts = gather(read_notebook(nb))
    assert facts.inspected is True and facts.errors == []
    assert where(facts.of("data_source"), uri="data/x.csv", kind="local", line=1)


# --------------------------------------------------------------------------- installs
INSTALLS = [
    (
        "!pip install 'numpy>=1.2' scikit-learn",
        [("numpy", "lower_bound"), ("scikit-learn", "unpinned")],
    ),
    ("%pip install torch==2.1.0", [("torch", "exact")]),
    ("pip install pandas", [("pandas", "unpinned")]),
    ("!{sys.executable} -m pip install xgboost==1.7.6 --quiet", [("xgboost", "exact")]),
    (
        "import subprocess, sys\n"
        "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'lightgbm<5'])",
        [("lightgbm", "range")],
    ),
    (
        "import subprocess\nsubprocess.run('pip install shap==0.44.0', shell=True)",
        [("shap", "exact")],
    ),
    ("%conda install -y -c conda-forge lightgbm=4.1.0", [("lightgbm", "exact")]),
    ("!conda install -y catboost", [("catboost", "unpinned")]),
    ("!uv pip install 'polars>=0.20'", [("polars", "lower_bound")]),
    # unquoted, the shell reads `>=2.15` as a redirection: sagemaker is installed unpinned
    ("%pip install -U sagemaker>=2.15", [("sagemaker", "unpinned")]),
    ("!pip install lime==0.2 -q 2>&1 > /dev/null  # quiet", [("lime", "exact")]),
    ("%pip install -r requirements.txt", [(None, "requirements_file")]),
    (
        "!pip install -q --upgrade pip setuptools && pip install sagemaker==2.200",
        [("sagemaker", "exact")],
    ),
    ("!pip install git+https://github.com/org/repo.git", [(None, "url")]),
    # pip refuses a wildcard after >=, but what was meant is a lower bound
    ('!pip install "boto3>=1.24.*" "pandas~=2.0"', [("boto3", "lower_bound"), ("pandas", "range")]),
    # a subshell, continued over lines
    (
        "! (pip3 install --upgrade --quiet \\\n    google-cloud-aiplatform \\\n    pandas==2.0)",
        [("google-cloud-aiplatform", "unpinned"), ("pandas", "exact")],
    ),
    # words IPython fills in from variables are not packages
    ("!pip install shapely {USER_FLAG} -q", [("shapely", "unpinned")]),
    ("%pip install $EXTRA torch==2.1", [("torch", "exact")]),
]


@pytest.mark.parametrize(("source", "expected"), INSTALLS, ids=[s for s, _ in INSTALLS])
def test_every_install_form_and_pin_kind(source, expected):
    found = facts_of(source).of("pip_install")
    assert [(i["name"], i["pin"]) for i in found] == expected
    for i in found:
        assert i["cell"] == 0 and i["spec"]


def test_requirements_file_spec_names_the_file():
    (item,) = facts_of("!pip install -r requirements/dev.txt").of("pip_install")
    assert item["spec"] == "-r requirements/dev.txt"


# --------------------------------------------------------------------------- calls and data
def test_aliases_resolve_to_qualified_names():
    f = facts_of(
        "import pandas as pd\nfrom sklearn import metrics as skm\n"
        "df = pd.read_csv('train.csv')\nskm.f1_score(y, p)"
    )
    assert [d["via"] for d in f.of("data_source")] == ["pandas.read_csv"]
    names = {c.name for c in f.calls}
    assert {"pandas.read_csv", "sklearn.metrics.f1_score"} <= names
    assert where(f.of("metric"), name="f1_score", line=4)


DATA = [
    ("import pandas as pd\npd.read_csv('s3://b/k/train.csv')", "s3://b/k/train.csv", "s3"),
    ("import pandas as pd\npd.read_parquet('data/local.parquet')", "data/local.parquet", "local"),
    (
        "import requests\nrequests.get('https://example.com/d.json')",
        "https://example.com/d.json",
        "http",
    ),
    (
        "import pandas as pd\npd.read_sql('select 1', 'postgresql://u@h/db')",
        "postgresql://u@h/db",
        "database",
    ),
    (
        "from sklearn.datasets import load_iris\nload_iris()",
        "sklearn.datasets.load_iris",
        "dataset",
    ),
    (
        "import boto3\nboto3.client('s3').download_file('bkt', 'a/b.csv', 'b.csv')",
        "s3://bkt/a/b.csv",
        "s3",
    ),
    ("!aws s3 cp s3://bucket/raw.csv .", "s3://bucket/raw.csv", "s3"),
    ("with open('notes.txt') as fh:\n    pass", "notes.txt", "local"),
]


@pytest.mark.parametrize(("source", "uri", "kind"), DATA, ids=[k for _, _, k in DATA])
def test_data_source_kinds(source, uri, kind):
    found = facts_of(source).of("data_source")
    assert [(d["uri"], d["kind"]) for d in found] == [(uri, kind)]


def test_feature_store_reads_are_feature_store_sources():
    f = facts_of(
        "from sagemaker.feature_store.feature_group import FeatureGroup\n"
        "fg = FeatureGroup(name='x', sagemaker_session=s)\n"
        "q = fg.athena_query()"
    )
    assert [d["kind"] for d in f.of("data_source")] == ["feature_store"]


def test_writes_and_uploads_are_not_reads():
    f = facts_of(
        "with open('out.txt', 'w') as fh:\n    fh.write('x')\n"
        "!aws s3 cp model.tar.gz s3://bucket/model.tar.gz"
    )
    assert f.of("data_source") == []


def test_training_metrics_and_seeds():
    f = facts_of(
        "import numpy as np, random, torch\nimport tensorflow as tf\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.metrics import f1_score, accuracy_score\n"
        "np.random.seed(1)\nrandom.seed(2)\ntorch.manual_seed(3)\ntf.random.set_seed(4)\n"
        "m = RandomForestClassifier(random_state=42)\nm.fit(X, y)\n"
        "print(f1_score(y, m.predict(X)), accuracy_score(y, p))"
    )
    assert {(s["library"], s["line"]) for s in f.of("seed")} == {
        ("numpy", 5),
        ("random", 6),
        ("torch", 7),
        ("tensorflow", 8),
        ("random_state", 9),
    }
    assert [(t["api"], t["line"]) for t in f.of("training")] == [
        ("sklearn.ensemble.RandomForestClassifier.fit", 10)
    ]
    assert {m["name"] for m in f.of("metric")} == {"f1_score", "accuracy_score"}
    assert f.trains_model


def test_no_training_without_a_fit():
    f = facts_of("import pandas as pd\ndf = pd.DataFrame({'a': [1]})\ndf.describe()")
    assert not f.trains_model and f.of("metric") == [] and f.of("seed") == []


def test_managed_training_and_hand_written_loop():
    f = facts_of(
        "from sagemaker.estimator import Estimator\n"
        "est = Estimator(image_uri='x', role=r, instance_count=1, instance_type='ml.m5.xlarge')\n"
        "est.fit({'train': 's3://b/train'})",
        "for xb, yb in loader:\n    loss = crit(net(xb), yb)\n    loss.backward()\n"
        "    optimizer.step()",
    )
    kinds = {(t["cell"], t["managed"]) for t in f.of("training")}
    assert kinds == {(0, True), (1, False)}


def test_explainability_shap_lime_and_clarify_shap():
    f = facts_of(
        "import shap\nex = shap.TreeExplainer(m)",
        "from lime.lime_tabular import LimeTabularExplainer\nLimeTabularExplainer(X)",
        "from sagemaker import clarify\n"
        "shap_config = clarify.SHAPConfig(baseline=[b], num_samples=10)\n"
        "proc.run_explainability(data_config=d, model_config=m, explainability_config=shap_config)",
    )
    assert {(e["cell"], e["method"]) for e in f.of("explainability")} >= {
        (0, "shap"),
        (1, "lime"),
        (2, "clarify_shap"),
    }
    assert f.of("bias_check") == []


def test_clarify_bias_only_is_a_bias_check_not_explainability():
    f = facts_of(
        "from sagemaker import clarify\n"
        "bias_config = clarify.BiasConfig(label_values_or_threshold=[1], facet_name='Sex')\n"
        "proc = clarify.SageMakerClarifyProcessor(role=r, instance_count=1,"
        " instance_type='ml.c5.xlarge', sagemaker_session=s)\n"
        "proc.run_pre_training_bias(data_config=d, data_bias_config=bias_config)"
    )
    assert f.of("explainability") == []
    assert {b["method"] for b in f.of("bias_check")} == {"clarify_bias"}


# --------------------------------------------------------------------------- secrets
FAKE_AWS_KEY = "AKIA" + "Z5QJ7V4NWRXT2MPQ"  # built here so the file itself holds no key


def test_real_looking_aws_key_in_code_and_in_output_is_found():
    f = facts_of(
        f'aws_access_key_id = "{FAKE_AWS_KEY}"\nprint(1)',
        code(
            "print(k)",
            count=1,
            outputs=[{"output_type": "stream", "name": "stdout", "text": f"key {FAKE_AWS_KEY}\n"}],
        ),
    )
    found = {(s["cell"], s["line"], s["kind"], s["where"]) for s in f.of("secret")}
    assert found == {(0, 1, "AWS Access Key", "code"), (1, 1, "AWS Access Key", "output")}


@pytest.mark.parametrize(
    "value",
    ["<token>", "YourToken", "xxxx", "${API_TOKEN}", "your-api-key", "changeme", "<YOUR_KEY>"],
)
def test_placeholders_are_not_secrets(value):
    f = facts_of(f'api_token = "{value}"\npassword = "{value}"\nsecret = "{value}"')
    assert f.of("secret") == []


def test_high_entropy_password_is_found():
    value = "q8Zr2Lm9vTx4Kp7Wn3Yb6Hd1"
    f = facts_of(f'db_password = "{value}"')
    assert f.of("secret"), "a keyword assignment with a random value is a secret"


def test_identifiers_and_arns_are_not_secrets_but_credentials_in_logs_are():
    host_id = "4dG71u5c61SZRxK8fIEuxA2ZngcVu88iWmS3mhH0Rzc8DuxjMplqWFw7ZdqXS+w+R4FAyKBZb/o="
    log = (
        f"'x-amz-id-2': '{host_id}',\n"
        f"'HostId': '{host_id}',\n"
        "headers={'Authorization': b'AWS4-HMAC-SHA256 Credential=ASIA"
        + "2ATYEUMKLLIXRTUU/20210604/us-west-2/sts/aws4_request'}\n"
    )
    f = facts_of(
        'kms_key = "arn:aws:kms:us-west-2:000000000000:1234abcd-12ab-34cd-56ef-1234567890ab"',
        code(
            "print(r)", count=1, outputs=[{"output_type": "stream", "name": "stdout", "text": log}]
        ),
    )
    assert {(s["cell"], s["line"], s["kind"]) for s in f.of("secret")} == {(1, 3, "AWS Access Key")}


def test_prefilter_gives_the_same_secrets_as_detect_secrets_on_every_line():
    from jupyter_wellml.inspection.secrets import scan_lines, scanner

    lines = [
        f'key = "{FAKE_AWS_KEY}"',
        'password = "hunter2hunter2"',
        'token = "<token>"',
        "x = 'ghp_" + "a" * 36 + "'",
        "s = '3f9a1c0e7b2d4a6f8e0c1b3d5a7f9e2c'",
        "plain = 'hello world'",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc",
        "print('nothing to see')",
    ] * 3
    numbered = list(enumerate(lines, start=1))
    assert scan_lines(numbered) == scanner().scan(numbered, prefilter=False)
    assert scan_lines(numbered)  # and there is something to find


SAMPLE = corpus_notebooks()[::10]


@pytest.mark.skipif(not SAMPLE, reason="shared corpus not available")
def test_prefilter_equals_detect_secrets_on_a_corpus_sample():
    """Every 10th corpus notebook: code and outputs, prefiltered vs detect-secrets on all lines."""
    from jupyter_wellml.inspection.facts import secret_texts
    from jupyter_wellml.inspection.secrets import scan_lines, scanner

    for path in SAMPLE:
        nb = read_notebook(str(path))
        # the same texts the engine scans (code sources, text outputs)
        lines = [line for _, _, text in secret_texts(nb) for line in text.split("\n")]
        numbered = list(enumerate(lines, start=1))
        assert scan_lines(numbered) == scanner().scan(numbered, prefilter=False), path


def test_no_detect_secrets_import_when_nothing_could_be_a_secret(tmp_path):
    """A notebook with no candidate line reviews without importing detect-secrets (cold start)."""
    nb = tmp_path / "plain.ipynb"
    nb.write_text(json.dumps(notebook("import pandas as pd\ndf = pd.read_csv('a.csv')")))
    secretful = tmp_path / "secret.ipynb"
    secretful.write_text(json.dumps(notebook(f'k = "{FAKE_AWS_KEY}"')))
    script = (
        "import sys\n"
        "from jupyter_wellml.catalog import load_catalog\n"
        "from jupyter_wellml.inspection import review\n"
        "c = load_catalog(data_dirs=False)\n"
        "r = review(sys.argv[1], c)\n"
        "print(len(r.facts.of('secret')), 'detect_secrets' in sys.modules)\n"
    )
    env_cache = {"WELLML_CACHE_DIR": str(tmp_path / "cache")}
    import os

    env = {**os.environ, **env_cache}
    first = subprocess.run(
        [sys.executable, "-c", script, str(secretful)],
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    assert first.stdout.split() == ["1", "True"]
    plain = subprocess.run(
        [sys.executable, "-c", script, str(nb)], env=env, text=True, capture_output=True, check=True
    )
    assert plain.stdout.split() == ["0", "False"]


# --------------------------------------------------------------------------- paths, order, artifacts
def test_absolute_paths_but_not_system_or_scratch_paths():
    f = facts_of(
        "import pandas as pd\n"
        "df = pd.read_csv('/home/alice/data/train.csv')\n"
        "tmp = '/tmp/scratch.csv'\nml = '/opt/ml/model'\nwin = 'C:\\\\Users\\\\bob\\\\x.csv'"
    )
    assert {p["path"] for p in f.of("absolute_path")} == {
        "/home/alice/data/train.csv",
        "C:\\Users\\bob\\x.csv",
    }


def test_execution_order_anomalies():
    f = facts_of(
        code("a = 1", count=3),
        code("b = 2", count=1),
        code("c = 3", count=None),
        code("d = 4", count=4),
    )
    issues = {(e["cell"], e["issue"]) for e in f.of("execution_order")}
    assert issues == {(1, "out_of_order"), (2, "not_executed")}


def test_never_executed_notebook_has_no_order_anomaly():
    assert facts_of("a = 1", "b = 2").of("execution_order") == []


def test_artifacts_versioned_or_not():
    f = facts_of(
        "import joblib, torch\n"
        "joblib.dump(m, 'model.joblib')\n"
        "joblib.dump(m, f'model-{version}.joblib')\n"
        "torch.save(net.state_dict(), 'model_v2.pt')"
    )
    arts = {a["path"]: (a["versioned"], a["how"]) for a in f.of("artifact")}
    assert arts["model.joblib"] == (False, "none")
    assert arts["model-{version}.joblib"][0] is True
    assert arts["model_v2.pt"] == (True, "version")


def test_artifact_with_model_registry_counts_as_versioned():
    f = facts_of(
        "import joblib\njoblib.dump(m, 'model.joblib')\n"
        "import mlflow\nmlflow.register_model('runs:/1/model', 'churn')"
    )
    (art,) = f.of("artifact")
    assert art["versioned"] is True and art["how"] == "registry"


# --------------------------------------------------------------------------- phase
def test_recorded_marker_wins_over_inferred_phase(wellml_catalog):
    nb = notebook(
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)",
        metadata={
            "wellml": {
                "version": 1,
                "records": [
                    {
                        "id": "ph0000000001",
                        "kind": "phase",
                        "created": "2026-11-01T10:00:00Z",
                        "updated": "2026-11-01T10:00:00Z",
                        "phase": "deployment",
                    }
                ],
            }
        },
    )
    phase = review(nb, wellml_catalog).phase
    assert (phase.id, phase.source) == ("deployment", "recorded")


def test_phase_regions_from_wellml_phase_cells(wellml_catalog):
    nb = notebook(
        code("%wellml phase data processing", count=1),
        "import pandas as pd\ndf = pd.read_csv('a.csv')",
        code("%wellml phase training", count=2),
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)",
        "print('still training')",
    )
    phase = review(nb, wellml_catalog).phase
    regions = [(r.start, r.end, r.phase, r.source) for r in phase.regions]
    assert regions == [
        (0, 1, "data_processing", "recorded"),
        (2, 4, "model_development", "recorded"),
    ]
    assert phase.source == "recorded" and phase.id == "model_development"
    assert "cell 3" in phase.regions[1].reason


def test_a_phase_magic_that_never_ran_is_written_not_recorded(wellml_catalog):
    nb = notebook(
        "%wellml phase deployment",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)",
    )
    phase = review(nb, wellml_catalog).phase
    assert (phase.id, phase.source) == ("deployment", "inferred")
    assert "not recorded yet" in phase.reason and "cell 1" in phase.reason
    assert all(r.source != "recorded" for r in phase.regions)


def test_inferred_phase_names_the_cell(wellml_catalog):
    nb = notebook(
        md("# Churn"),
        "import pandas as pd\ndf = pd.read_csv('a.csv')",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)",
    )
    phase = review(nb, wellml_catalog).phase
    assert (phase.id, phase.source) == ("model_development", "inferred")
    assert "training call" in phase.reason and "in cell 3" in phase.reason
    assert 0 < phase.confidence <= 1


def test_user_words_map_to_phases(wellml_catalog):
    for word, expected in [
        ("training", "model_development"),
        ("tuning", "model_development"),
        ("evaluation", "model_development"),
        ("deployment", "deployment"),
        ("monitoring", "monitoring"),
    ]:
        assert wellml_catalog.phase(word).id == expected, word


def test_nothing_shows_a_phase():
    from jupyter_wellml.inspection.phase import infer_phase

    nb = read_notebook(notebook(md("# notes"), "print('hi')"))
    from jupyter_wellml.catalog import load_catalog

    result = infer_phase(len(nb.cells), gather(nb), [], load_catalog(data_dirs=False))
    assert result.id is None and result.source == "none" and "%wellml phase" in result.reason


# --------------------------------------------------------------------------- environment
@lru_cache(maxsize=1)
def venv_env() -> dict:
    return probe(VENV_PYTHON)


def test_probe_of_the_venv_lists_packages_with_versions_and_licenses():
    env = venv_env()
    names = {p["name"]: p for p in env["packages"]}
    import importlib.metadata as md_

    assert names["ipykernel"]["version"] == md_.version("ipykernel")
    assert names["jupyter-wellml"]["editable"] is True
    assert env["python"]["executable"].startswith(str(ROOT / ".venv"))


def test_probe_of_another_interpreter_without_jupyter_wellml(tmp_path):
    """The probe is standard library only: it runs where jupyter_wellml is not installed."""
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bare = venv / "bin" / "python"
    check = subprocess.run(
        [str(bare), "-c", "import jupyter_wellml"], capture_output=True, cwd=tmp_path
    )
    assert check.returncode != 0
    env = probe(bare)
    assert env["schema"] == "wellml-environment/v1"
    assert "jupyter-wellml" not in {p["name"] for p in env["packages"]}
    facts = environment_facts(env)
    assert set(facts) == {"package", "license_flag", "gpu", "install_mismatch"}


def test_probe_of_a_missing_interpreter_is_a_clear_error(tmp_path):
    with pytest.raises(ProbeError, match="does not exist"):
        probe(tmp_path / "no-python")


def test_default_license_policy_flags_gpl_and_unknown_for_review():
    policy = LicensePolicy()
    assert policy.verdict("GPL-3.0")[0] == "review"
    assert policy.verdict("AGPL-3.0")[0] == "review"
    assert policy.verdict("UNKNOWN")[0] == "review"
    assert policy.verdict("MIT")[0] == "allow"
    assert policy.verdict("LGPL-3.0")[0] == "allow"
    assert policy.verdict("GPL-2.0 OR MIT")[0] == "allow"
    assert policy.verdict("MIT AND GPL-3.0")[0] == "review"


def test_allow_and_deny_lists():
    policy = LicensePolicy.from_config(allow=["MIT"], deny=["Apache-*"])
    assert policy.verdict("Apache-2.0")[0] == "deny"
    assert policy.verdict("MIT")[0] == "allow"
    assert policy.verdict("BSD-3-Clause")[0] == "review"  # not on this team's allow list


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/python3"), reason="no system python")
def test_system_interpreter_gpl_packages_are_flagged_and_deny_list_applies():
    env = probe("/usr/bin/python3")
    flags = environment_facts(env)["license_flag"]
    from jupyter_wellml.inspection.licenses import normalise

    gpl = [p["name"] for p in env["packages"] if normalise(p)[0].upper().startswith("GPL")]
    flagged = {f["package"]: f["verdict"] for f in flags}
    for name in gpl:
        assert flagged.get(name) == "review", name
    # a deny list turns them into deny
    denied = environment_facts(env, LicensePolicy.from_config(deny=["GPL*"]))["license_flag"]
    assert {f["package"] for f in denied if f["verdict"] == "deny"} == set(gpl)


def test_venv_licenses_pass_the_default_policy_or_are_flagged_with_a_reason():
    env = venv_env()
    for flag in environment_facts(env)["license_flag"]:
        assert flag["verdict"] in ("review", "deny") and flag["reason"]


def test_notebook_installs_compared_with_installed_versions():
    import importlib.metadata as md_

    have = md_.version("ipykernel")
    nb = read_notebook(
        notebook(
            f"%pip install ipykernel=={have}\n"
            "%pip install ipykernel==0.0.1\n"
            "%pip install surely-not-installed-pkg\n"
            "%pip install -r requirements.txt"
        )
    )
    mismatches = environment_facts(venv_env(), None, gather(nb).of("pip_install"))[
        "install_mismatch"
    ]
    got = {(m["line"], m["installed"]) for m in mismatches}
    assert got == {(2, have), (3, None)}
    assert any("does not satisfy ipykernel==0.0.1" in m["reason"] for m in mismatches)


# --------------------------------------------------------------------------- junk never crashes
json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
code_lines = st.sampled_from(
    [
        "import pandas as pd",
        "df = pd.read_csv('s3://b/x.csv')",
        "!pip install x==1",
        "%pip install -r r.txt",
        "pip install y",
        "%%writefile a.py",
        "%%bash",
        "cd data",
        "def f(:",
        "model.fit(X, y)",
        "x = !ls",
        "obj?",
        "'''unterminated",
        "\\",
        "%wellml phase training",
        f"k = '{FAKE_AWS_KEY}'",
        "    indented = 1",
        "\x00\x07",
    ]
)
cell_source = st.one_of(
    st.lists(code_lines | st.text(max_size=30), max_size=6).map("\n".join),
    st.lists(st.text(max_size=10), max_size=3),
    json_value,
)
output = st.one_of(
    st.fixed_dictionaries(
        {
            "output_type": st.just("stream"),
            "name": st.just("stdout"),
            "text": st.text(max_size=40) | json_value,
        }
    ),
    st.fixed_dictionaries(
        {
            "output_type": st.just("execute_result"),
            "data": st.dictionaries(st.text(max_size=10), json_value, max_size=2),
        }
    ),
    json_value,
)
cell = st.fixed_dictionaries(
    {
        "cell_type": st.sampled_from(["code", "markdown", "raw", "heading"]) | json_value,
        "source": cell_source,
    },
    optional={
        "outputs": st.lists(output, max_size=3) | json_value,
        "execution_count": st.integers() | st.none() | json_value,
        "metadata": json_value,
        "id": json_value,
    },
)
record = st.fixed_dictionaries(
    {"kind": st.sampled_from(["kpi", "waiver", "attest", "phase", "data", "explain"]) | json_value},
    optional={
        "practice": st.just("MLSEC01-BP01") | json_value,
        "cell_id": st.just("c0") | json_value,
        "phase": st.just("deployment") | json_value,
        "name": json_value,
        "status": json_value,
        "uri": json_value,
    },
)
wellml_meta = (
    st.fixed_dictionaries({"records": st.lists(record, max_size=3) | json_value}) | json_value
)
notebook_dict = st.fixed_dictionaries(
    {"cells": st.lists(cell, max_size=6) | json_value},
    optional={
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "kernelspec": st.fixed_dictionaries(
                    {}, optional={"language": json_value, "name": json_value}
                )
                | json_value,
                "wellml": wellml_meta,
            },
        )
        | json_value,
        "nbformat": json_value,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nb=notebook_dict)
def test_generated_notebooks_never_crash(nb, wellml_catalog):
    try:
        result = review(nb, wellml_catalog)
    except NotebookError as exc:
        assert str(exc)  # a broken notebook says why
        return
    doc = result.to_json()
    json.dumps(doc)  # serialisable
    assert len(doc["practices"]) == len(wellml_catalog.practices)


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_binary_junk_is_a_notebook_error_not_a_crash(raw, wellml_catalog):
    try:
        review(raw, wellml_catalog)
    except NotebookError as exc:
        assert str(exc)


@settings(max_examples=100, deadline=None)
@given(src=st.text(alphabet=string.printable + "é€%!?", max_size=200))
def test_any_cell_text_is_facts_or_an_error_entry(src):
    f = gather(read_notebook(notebook(src)))
    for e in f.errors:
        assert e["cell"] == 0 and e["message"]


def test_s3_data_distribution_is_not_distributed_training():
    """``TrainingInput(distribution=...)`` spreads S3 data over instances; an estimator's
    ``distribution=`` turns on distributed training."""
    facts = facts_of(
        code(
            "from sagemaker.inputs import TrainingInput\n"
            "from sagemaker.pytorch import PyTorch\n"
            "train = TrainingInput('s3://b/train', distribution='ShardedByS3Key')\n"
            "est = PyTorch(entry_point='t.py', distribution={'torch_distributed': {'enabled': True}})\n"
        )
    )
    assert [f["line"] for f in facts.of("distributed")] == [4]


# --------------------------------------------------------------------------- boto3 endpoints
@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            'sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{"ModelName": m,'
            ' "VariantName": "v", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}])',
            "serverless",
        ),
        (
            "sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=variants,"
            ' AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": out}})',
            "async",
        ),
        (
            'sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{"ModelName": m,'
            ' "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])',
            "realtime",
        ),
    ],
    ids=["serverless", "async", "realtime"],
)
def test_boto3_endpoints_take_the_kind_their_configuration_sets_up(config, expected):
    f = facts_of(
        "import boto3\nsm = boto3.client('sagemaker')",
        config,
        "sm.create_endpoint(EndpointName=name, EndpointConfigName=name)",
    )
    targets = [(d["api"].rsplit(".", 1)[-1], d["target"], d["cell"]) for d in f.of("deployment")]
    assert ("create_endpoint_config", expected, 1) in targets
    assert ("create_endpoint", expected, 2) in targets
    assert not [t for t in targets if t[1] != expected]


def test_boto3_endpoint_stays_real_time_when_configurations_disagree():
    f = facts_of(
        "import boto3\nsm = boto3.client('sagemaker')",
        'sm.create_endpoint_config(EndpointConfigName="a", ProductionVariants=[{"ServerlessConfig": {}}])',
        'sm.create_endpoint_config(EndpointConfigName="b", ProductionVariants=[{"InstanceType": "ml.m5.large"}])',
        'sm.create_endpoint(EndpointName="e", EndpointConfigName=which)',
    )
    endpoint = [d for d in f.of("deployment") if d["api"].endswith(".create_endpoint")]
    assert [d["target"] for d in endpoint] == ["realtime"]


def test_endpoint_invocations_are_facts_and_count_for_the_deployment_phase(wellml_catalog):
    cells = (
        "import boto3\nfrom sagemaker.estimator import Estimator\nsm = boto3.client('sagemaker')\n"
        "runtime = boto3.client('sagemaker-runtime')",
        "est = Estimator(image, role, instance_count=1, instance_type='ml.m5.xlarge')\nest.fit(inputs)",
        'sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{"ServerlessConfig": {}}])',
        "sm.create_endpoint(EndpointName=name, EndpointConfigName=name)",
    )
    f = facts_of(*cells, "runtime.invoke_endpoint(EndpointName=name, Body=payload)")
    # a boto3 client names its service: this invoke_endpoint is the SageMaker runtime's
    assert [(i["api"], i["cell"]) for i in f.of("endpoint_invocation")] == [
        ("boto3.client.sagemaker-runtime.invoke_endpoint", 4)
    ]
    invoked = notebook(*cells, "runtime.invoke_endpoint(EndpointName=name, Body=payload)")
    with_call = review(invoked, wellml_catalog)
    without = review(notebook(*cells), wellml_catalog)
    # training outweighs setting an endpoint up; calling the endpoint shows what the notebook is for
    assert (without.phase.id, with_call.phase.id) == ("model_development", "deployment")
