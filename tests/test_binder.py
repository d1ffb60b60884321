"""The Binder demo: every notebook in binder/ runs offline on a real kernel, its records sync into
the metadata, and its review shows the notebook's phase with the phase's detectable practices met.
A second test runs binder's install steps in a fresh virtual environment and starts JupyterLab.

Nothing is written into the repository: the notebooks run in a copy of binder/ in tmp.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from jupyter_wellml import RECORD_MIME
from jupyter_wellml.catalog import load_catalog
from jupyter_wellml.inspection.review import review
from jupyter_wellml.records.store import metadata_records, sync_notebook

from .builders import free_port, lab_flags

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"

#: notebook → (the phase its review must show, every phase it marks)
PHASES = {
    "01-business-goal-and-framing": ("business_goal", {"business_goal", "ml_problem_framing"}),
    "02-data-processing": ("data_processing", {"data_processing"}),
    "03-model-development": ("model_development", {"model_development"}),
    "04-deployment": ("deployment", {"deployment"}),
    "05-monitoring": ("monitoring", {"monitoring"}),
}

#: detectable practices (evidence detect or record) of the notebook's phases that its review
#: must show as met
MET = {
    "01-business-goal-and-framing": [
        "MLOPS01-BP02",  # %wellml explain: the agreed level of explainability
        "MLSEC01-BP01",  # %wellml data: the data's license and personal-data status
        "MLPERF01-BP01",  # %wellml kpi with targets
        "MLPERF02-BP01",  # the KPIs name model metrics (recall, accuracy)
        "MLCOST01-BP01",  # a return KPI (overtime saving)
        "MLCOST02-BP01",  # %wellml frame names the baseline to beat
        "MLSUS01-BP01",  # an environmental KPI (training energy)
        "MLSUS04-BP01",  # model KPIs with acceptable error
    ],
    "02-data-processing": [
        "MLOPS02-BP04",  # data snapshots recorded with their sha256 (lineage)
        "MLOPS03-BP01",  # describe / isna / value_counts profile the data
        "MLSEC01-BP01",  # license and pii recorded
        "MLSEC03-BP03",  # every data source is recorded as holding no personal data
        "MLSEC03-BP04",  # hashed data sources
        "MLSEC04-BP03",  # the data is pinned by its hash
        "MLREL02-BP03",  # fingerprinted data
        "MLSUS03-BP03",  # compressed snapshots
    ],
    "03-model-development": [
        "MLOPS01-BP02",  # permutation importance computed
        "MLOPS01-BP03",  # KPIs measured on held-out data, on target or within tolerance
        "MLOPS02-BP04",  # training data recorded with its hash
        "MLOPS03-BP02",  # the model is saved under a versioned name
        "MLSEC01-BP01",
        "MLSEC03-BP03",
        "MLSEC03-BP04",
        "MLSEC04-BP03",
        "MLREL02-BP03",
        "MLREL03-BP02",  # preprocessing and model in one sklearn pipeline, saved together
        "MLREL03-BP03",  # train/test split and metrics on the held-out part
        "MLPERF01-BP01",
        "MLPERF02-BP01",  # sklearn metrics computed
        "MLPERF04-BP02",  # a hyperparameter search
        "MLPERF04-BP05",  # precision-recall curve for the threshold
        "MLPERF06-BP02",  # explanations computed
        "MLCOST04-BP03",  # attested: local training
        "MLCOST04-BP09",  # attested: the halving search starts on small subsets
        "MLCOST04-BP11",  # hyperparameter optimisation
        "MLSUS01-BP01",  # training energy measured against its KPI
        "MLSUS04-BP01",
        "MLSUS04-BP04",  # successive halving instead of a full grid
    ],
    "04-deployment": [
        "MLOPS02-BP04",  # the release's training data recorded with its hash
        "MLSEC05-BP01",  # requests validated with jsonschema before inference
        "MLREL05-BP02",  # versioned release artifact
    ],
    "05-monitoring": [
        "MLOPS01-BP03",  # KPIs measured again on the labelled batch
        "MLPERF06-BP02",  # permutation importance on the new batch
        "MLPERF06-BP03",  # ks_2samp per feature
        "MLPERF06-BP04",  # KPIs measured in a monitoring notebook
        "MLCOST06-BP02",  # the saving measured against its target
        "MLSUS06-BP01",  # CPU milliseconds per case measured
        "MLSUS06-BP02",  # attested: the retraining trigger
    ],
}

#: gaps a notebook's review may show, with the reason; any other gap fails the test
KNOWN_GAPS = {
    "01-business-goal-and-framing": {
        "MLOPS01-BP03": "KPIs have targets but no measurement before a model exists (notebook 3)",
        # not a practice of these phases: the agreed explanations are computed in notebook 3
        "MLPERF06-BP02": "explanations are agreed here and computed in notebook 3",
    },
}

# Detectable practices of each notebook's phases that a local, offline scikit-learn demo cannot
# honestly meet, with the reason. The test checks the lists stay complete: a practice added to
# the lens must be placed in MET or here.
_CLOUD = "needs a cloud service, an endpoint or an orchestrator; the demo runs offline on one CPU"
_ONLY_GAPS = "its rules find problems only (keys or secrets in code); none here, so it is unknown"
_PINNED = "packages are pinned in binder/environment.yml, not installed from cells"
_NO_GROUPS = "WDBC has no patient attributes (age, ethnicity, site) to compare groups on"
_PROFILER = "a profiling report tool (ydata-profiling, whylogs) is not in the demo image"
_PRETRAINED = "a 30-feature tabular task: no pre-trained model or AI service fits it"
EXCLUDED: dict[str, dict[str, str]] = {
    "01-business-goal-and-framing": {
        "MLOPS01-BP03": "KPIs are measured in notebooks 3 and 5; here they are targets only",
        "MLOPS02-BP04": "lineage is recorded once data is snapshotted (notebook 2)",
        "MLOPS02-BP06": "no model yet to review for fairness or explanations",
        "MLSEC02-BP01": "no personal data (recorded pii: no), so no encryption plan is asked for",
        "MLSEC03-BP02": _ONLY_GAPS,
        "MLPERF02-BP02": _PRETRAINED,
        "MLCOST01-BP02": _CLOUD,
        "MLCOST02-BP02": _PRETRAINED,
        "MLSUS02-BP01": _PRETRAINED,
    },
    "02-data-processing": {
        "MLOPS02-BP06": "no model yet: explanations are reviewed in notebook 3",
        "MLOPS03-BP02": "models are versioned in notebooks 3 and 4; data is pinned by sha256 here",
        "MLOPS04-BP02": _PINNED,
        "MLSEC02-BP01": "no personal data, no keys to manage on a local disk",
        "MLSEC03-BP01": _ONLY_GAPS,
        "MLSEC03-BP02": _ONLY_GAPS,
        "MLREL02-BP01": _CLOUD,
        "MLREL02-BP02": _CLOUD,
        "MLREL03-BP02": "the preprocessing pipeline is built with the model in notebook 3",
        "MLREL03-BP04": _NO_GROUPS,
        "MLPERF04-BP04": _PROFILER,
        "MLCOST01-BP02": _CLOUD,
        "MLCOST03-BP01": "the labels ship with the data set: nothing to label",
        "MLCOST03-BP02": _PROFILER,
        "MLCOST03-BP03": _CLOUD,
        "MLCOST03-BP04": "one model, one small table: no feature store",
        "MLCOST04-BP09": "applies to training: the halving search in notebook 3 (attested there)",
        "MLCOST04-BP13": _CLOUD,
        "MLSUS03-BP01": _CLOUD,
        "MLSUS03-BP02": "storage lifecycle rules are bucket settings in the cloud; the data here is local",
    },
    "03-model-development": {
        "MLOPS02-BP06": "waived in the notebook: " + _NO_GROUPS,
        "MLOPS04-BP01": _CLOUD,
        "MLOPS04-BP02": _PINNED,
        "MLSEC03-BP01": _ONLY_GAPS,
        "MLSEC03-BP02": _ONLY_GAPS,
        "MLSEC04-BP02": "single-machine training: no traffic between nodes",
        "MLSEC05-BP01": "requests are validated on the inference path (notebook 4)",
        "MLREL03-BP01": _CLOUD,
        "MLREL03-BP04": "waived in the notebook: " + _NO_GROUPS,
        "MLPERF04-BP01": _CLOUD,
        "MLPERF04-BP03": _CLOUD,
        "MLPERF04-BP04": _PROFILER,
        "MLPERF04-BP06": "no pre-trained model is fine-tuned",
        "MLCOST01-BP02": _CLOUD,
        "MLCOST02-BP02": _PRETRAINED,
        "MLCOST03-BP04": "one model, one small table: no feature store",
        "MLCOST04-BP01": _CLOUD,
        "MLCOST04-BP04": "no deep-learning framework to compile or run in mixed precision",
        "MLCOST04-BP05": "AutoML is not in the demo image; a halving search is used instead",
        "MLCOST04-BP06": _CLOUD,
        "MLCOST04-BP07": "seconds of CPU: nothing to distribute",
        "MLCOST04-BP08": _CLOUD,
        "MLCOST04-BP10": "the search takes seconds: no checkpoints or warm starts needed",
        "MLCOST04-BP12": _CLOUD,
        "MLCOST04-BP13": _CLOUD,
        "MLCOST06-BP04": _CLOUD,
        "MLSUS02-BP01": _PRETRAINED,
        "MLSUS03-BP02": _CLOUD,
        "MLSUS04-BP02": "a linear model is already the light option; nothing to prune or distil",
        "MLSUS04-BP03": "one small candidate artifact is kept; nothing to archive",
        "MLSUS05-BP02": _CLOUD,
        "MLSUS05-BP03": "a linear model scores in microseconds; no compilation or ONNX export",
    },
    "04-deployment": {
        "MLOPS04-BP01": _CLOUD,
        "MLOPS04-BP02": _PINNED,
        "MLOPS05-BP01": _CLOUD,
        "MLOPS06-BP01": _CLOUD,
        "MLOPS06-BP02": _CLOUD,
        "MLSEC03-BP01": _ONLY_GAPS,
        "MLSEC03-BP02": _ONLY_GAPS,
        "MLSEC06-BP01": _CLOUD,
        "MLREL03-BP01": _CLOUD,
        "MLREL03-BP02": "the pipeline is built in notebook 3; this notebook only loads it",
        "MLREL04-BP01": _CLOUD,
        "MLREL04-BP02": _CLOUD,
        "MLREL05-BP01": _CLOUD,
        "MLPERF04-BP01": _CLOUD,
        "MLPERF05-BP01": _CLOUD,
        "MLPERF05-BP02": _CLOUD,
        "MLCOST01-BP02": _CLOUD,
        "MLCOST04-BP08": _CLOUD,
        "MLCOST04-BP12": _CLOUD,
        "MLCOST05-BP01": _CLOUD,
        "MLCOST05-BP02": _CLOUD,
        "MLCOST05-BP03": _CLOUD,
        "MLSUS03-BP03": "the release is one small joblib file; the data is compressed in notebook 2",
        "MLSUS05-BP01": _CLOUD,
        "MLSUS05-BP02": _CLOUD,
        "MLSUS05-BP03": "a linear model scores in microseconds; no compilation or ONNX export",
        "MLSUS05-BP04": _CLOUD,
        "MLPERF06-BP03": "no inference data is captured here; drift is checked per feature in notebook 5",
    },
    "05-monitoring": {
        "MLOPS02-BP06": "waived in the notebook: " + _NO_GROUPS,
        "MLOPS04-BP02": _PINNED,
        "MLOPS05-BP01": _CLOUD,
        "MLOPS06-BP01": _CLOUD,
        "MLOPS06-BP02": "the lens asks for an always-on monitor, not a one-off scipy test",
        "MLSEC03-BP01": _ONLY_GAPS,
        "MLSEC03-BP02": _ONLY_GAPS,
        "MLSEC05-BP01": "requests are validated on the inference path (notebook 4)",
        "MLSEC06-BP01": _CLOUD,
        "MLREL03-BP04": _NO_GROUPS,
        "MLREL05-BP01": _CLOUD,
        "MLREL05-BP02": "the monitored release is versioned in notebook 4; nothing is saved here",
        "MLPERF04-BP04": _PROFILER,
        "MLPERF06-BP01": _CLOUD,
        "MLPERF06-BP05": "the trigger writes a request; a scheduled retraining pipeline needs an orchestrator",
        "MLCOST04-BP08": _CLOUD,
        "MLCOST05-BP03": _CLOUD,
        "MLCOST06-BP01": _CLOUD,
        "MLCOST06-BP03": "waived in the notebook: the model is scored in-process, no endpoint",
        "MLCOST06-BP04": _CLOUD,
        "MLSUS03-BP03": "the batch is read, not stored; the data is compressed in notebook 2",
    },
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(data_dirs=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Run every demo notebook, in order, in a tmp copy of binder/; then sync its records.

    Returns ``{name: (executed notebook, error text or None, sync counts, workdir)}``.
    """
    before = _snapshot(BINDER)
    work = tmp_path_factory.mktemp("binder") / "binder"
    shutil.copytree(BINDER, work, ignore=shutil.ignore_patterns("artifacts", ".ipynb_checkpoints"))
    results = {}
    for name in PHASES:
        nb = nbformat.read(work / f"{name}.ipynb", as_version=4)
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=300,
            resources={"metadata": {"path": str(work)}},
        )
        error = None
        try:
            client.execute()
        except Exception as err:  # the notebook's own error, reported by its test
            error = f"{type(err).__name__}: {err}"
        counts = sync_notebook(nb)
        nbformat.write(nb, work / f"{name}.ipynb")
        results[name] = (nb, error, counts, work)
    results["_before"] = before
    return results


def test_notebooks_are_stored_without_outputs():
    names = sorted(p.stem for p in BINDER.glob("*.ipynb"))
    assert names == sorted(PHASES)
    for name in names:
        nb = nbformat.read(BINDER / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3", name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (name, cell.id)
        assert "wellml" not in nb.metadata, f"{name} ships with records already in its metadata"


@pytest.mark.parametrize("name", list(PHASES))
def test_demo_notebook_runs_and_reviews(name, demo, catalog):
    nb, error, counts, _ = demo[name]
    assert error is None, f"{name} failed under nbclient: {error}"
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors, errors

    # every %wellml magic displayed its record, and sync moved them into the metadata
    shown = [o for c in nb.cells for o in c.get("outputs", ()) if RECORD_MIME in o.get("data", {})]
    assert shown, f"{name}: no %wellml record was displayed"
    assert counts["added"] > 0, counts
    stored = metadata_records(nb.metadata)
    assert {r["kind"] for r in stored} >= {"phase"}
    again = sync_notebook(nb)
    assert again["added"] == 0 and again["updated"] == 0, f"sync is not idempotent: {again}"

    result = review(nb, catalog)
    expected_phase, marked = PHASES[name]
    assert result.phase.id == expected_phase, result.phase.to_json()
    assert result.phase.source == "recorded"
    assert {r.phase for r in result.phase.regions if r.phase} == marked

    detectable = {
        p.id
        for p in catalog.practices
        if p.evidence in ("detect", "record") and marked & set(p.phases)
    }
    met, excluded = set(MET[name]), set(EXCLUDED[name])
    assert not met & excluded
    assert detectable == met | excluded, (
        "place each detectable practice of the phase in MET or EXCLUDED: "
        f"unlisted {sorted(detectable - met - excluded)}, not detectable {sorted((met | excluded) - detectable)}"
    )
    status = {f.practice.id: f for f in result.findings}
    gaps = {f.practice.id: f.evidence[0]["message"] for f in result.findings if f.status == "gap"}
    unexpected = {pid: why for pid, why in gaps.items() if pid not in KNOWN_GAPS.get(name, {})}
    assert not unexpected, f"{name}: unexpected gaps: {unexpected}"
    not_met = {
        pid: (status[pid].status, status[pid].evidence[:1])
        for pid in met
        if status[pid].status != "met"
    }
    assert not not_met, f"{name}: practices expected met are not: {not_met}"


def test_kpis_and_artifacts_of_the_story(demo):
    """The story's numbers come from the run: KPIs measured in 3 and 5, files versioned and hashed."""
    work = demo["05-monitoring"][3]
    for name in ("03-model-development", "05-monitoring"):
        kpis = {
            r["name"]: r for r in metadata_records(demo[name][0].metadata) if r["kind"] == "kpi"
        }
        assert {"recall", "accuracy"} <= set(kpis)
        for kpi in kpis.values():
            assert isinstance(kpi["measured"], (int, float)), kpi
            assert kpi["target"] is not None and kpi["status"] in ("met", "within_tolerance"), kpi
        for model_kpi in ("recall", "accuracy"):
            assert 0 <= kpis[model_kpi]["measured"] <= 1
    data = {
        r["name"]: r
        for r in metadata_records(demo["02-data-processing"][0].metadata)
        if r["kind"] == "data"
    }
    assert set(data) == {"wdbc-dev", "wdbc-later"}
    for record in data.values():
        local = work / record["uri"]
        assert record["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
        assert record["size"] == local.stat().st_size
    # notebooks 3 and 4 record the same snapshot, so the model's lineage points at these bytes
    for later in ("03-model-development", "04-deployment"):
        again = {
            r["name"]: r for r in metadata_records(demo[later][0].metadata) if r["kind"] == "data"
        }
        assert again["wdbc-dev"]["sha256"] == data["wdbc-dev"]["sha256"], later
    release = json.loads((work / "artifacts/releases/wdbc-triage-1.0.0.json").read_text())
    shipped = work / "artifacts/releases" / release["file"]
    assert release["sha256"] == hashlib.sha256(shipped.read_bytes()).hexdigest()
    # the retraining trigger fires on the simulated recalibration only
    assert (work / "artifacts/models/retrain-request-later-v1-recalibrated.json").is_file()
    assert not (work / "artifacts/models/retrain-request-later-v1.json").exists()


def test_demo_writes_nothing_into_the_repository(demo):
    assert _snapshot(BINDER) == demo["_before"], "running the demo changed files in binder/"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- binder install


def _tracked_copy(dest: Path) -> None:
    """A fresh-clone copy: the files git tracks, plus the already built labextension."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        src = ROOT / raw.decode()
        if src.is_file():
            (dest / raw.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / raw.decode())
    for extra in ("binder",):  # binder/ itself, in case it is not committed yet
        shutil.copytree(
            ROOT / extra,
            dest / extra,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("artifacts", ".ipynb_checkpoints"),
        )
    shutil.copytree(
        ROOT / "jupyter_wellml" / "labextension", dest / "jupyter_wellml" / "labextension"
    )


def test_postbuild_stops_at_the_first_failing_step(tmp_path):
    """A repository that cannot be installed stops the build with pip's status, naming the step;
    the extension checks after it never run."""
    repo = tmp_path / "broken-clone"
    (repo / "binder").mkdir(parents=True)
    shutil.copy2(BINDER / "postBuild", repo / "binder" / "postBuild")
    (repo / "pyproject.toml").write_text('[project\nname = "broken"\n')  # not TOML
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    done = subprocess.run(
        [env_dir / "bin" / "python", repo / "binder" / "postBuild"],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    assert done.returncode != 0
    assert f"pip install {repo} failed with exit status {done.returncode}" in done.stdout
    assert "No broken requirements found." in done.stdout  # the first pip check ran
    assert "server extension list" not in done.stdout


def test_binder_install_in_fresh_venv_serves_lab(tmp_path):
    built = ROOT / "jupyter_wellml" / "labextension" / "static" / "style.js"
    assert built.is_file(), "build the labextension first (make install): postBuild reuses it"
    repo = tmp_path / "clone"
    _tracked_copy(repo)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    isolated = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(env_dir),
    }
    isolated.pop("PYTHONPATH", None)
    # what repo2docker does: environment.yml's pip dependencies, then postBuild
    spec = yaml.safe_load((repo / "binder" / "environment.yml").read_text())
    pip_deps = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
    python_dep = next(
        d for d in spec["dependencies"] if isinstance(d, str) and d.startswith("python=")
    )
    assert python_dep == "python=3.11"
    subprocess.run([python, "-m", "pip", "install", "-q", *pip_deps], check=True, env=isolated)
    build = subprocess.run(
        [python, repo / "binder" / "postBuild"], env=isolated, capture_output=True, text=True
    )
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    assert "No broken requirements found." in build.stdout
    assert "jupyter-wellml is installed" in build.stdout

    port, token = free_port(), "binder-test-token"
    args = [env_dir / "bin" / "jupyter", "lab", *lab_flags(port, token, repo / "binder")]
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        lab = subprocess.Popen(args, env=isolated, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        info = _wait_json(f"{base}/api/wellml/info", token, lab, log)
        assert info["name"] == "jupyter-wellml"
        version = subprocess.run(
            [python, "-c", "import jupyter_wellml; print(jupyter_wellml.__version__)"],
            env=isolated,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert info["version"] == version
        assert info["lens"]["practices"] > 0
        page = _get(f"{base}/lab", token).decode()
        assert "jupyter-wellml" in page, "the labextension is not in JupyterLab's page config"
        tree = json.loads(_get(f"{base}/api/contents/", token))
        assert {"01-business-goal-and-framing.ipynb", "05-monitoring.ipynb"} <= {
            item["name"] for item in tree["content"]
        }
    finally:
        lab.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.wait(timeout=20)
        lab.kill()  # a no-op once it has exited
        lab.wait()


def _get(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read()


def _wait_json(url: str, token: str, proc: subprocess.Popen, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return json.loads(_get(url, token))
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout}s:\n{log.read_text()}")
