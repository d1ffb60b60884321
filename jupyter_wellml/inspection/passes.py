"""Passes over a whole notebook's facts, once every cell is read: what one cell's facts mean
in the light of the others (a training loop, a spot job's limits, an overwrite), the execution
order, and duplicates removed."""

from __future__ import annotations

import re
from typing import Any

from . import signatures as sig
from .factbase import Facts
from .notebook import Notebook
from .pyscan import Call

_VERSIONED_PATH = re.compile(
    r"(\{[^}]*(?:version|ver|time|date|stamp|now|hash|sha|digest|run|uuid|commit|git|job|id)[^}]*\})"
    r"|(?<![a-z])v\d+(?:[._]\d+)*(?![a-z])|\d{8}|\d{4}-\d{2}-\d{2}|[0-9a-f]{12,}",
    re.I,
)


#: optimizer updates of JAX (optax) and TensorFlow/Flax (``apply_gradients``)
_UPDATES = ("optax.apply_updates", ".apply_updates", ".apply_gradients")
#: a step of training run by a loop: ``train_step(state, batch)``, ``p_train_step`` (pmapped)
_TRAIN_STEP = re.compile(r"\b(?:[a-z]+_)?train(?:ing)?_(?:one_)?(?:step|epoch|batch)s?\s*\(")


def training_loops(calls: list[Call], facts: Facts) -> None:
    """Hand-written training loops: ``loss.backward()`` and ``optimizer.step()`` in one cell
    (PyTorch); an optimizer update inside a loop (``optax.apply_updates``,
    ``apply_gradients``); or a loop that runs a training step defined elsewhere
    (``for batch in loader: state = p_train_step(state, batch)``) in a notebook that updates
    an optimizer somewhere."""
    trained_cells = {f["cell"] for f in facts.of("training")} if facts.of("training") else set()
    found: dict[int, tuple[Call, str]] = {}
    backward: dict[int, Call] = {}
    steps: set[int] = set()
    updates = False
    for call in calls:
        name = call.name
        if name.endswith(".backward"):
            backward.setdefault(call.cell, call)
        elif name.endswith(".step") and "lr_scheduler" not in name:
            steps.add(call.cell)
        elif name.endswith(_UPDATES):
            updates = True
            if call.in_loop:
                found.setdefault(call.cell, (call, "training loop (optimizer update)"))
    for cell, call in backward.items():
        if cell in steps:
            updates = True
            found.setdefault(cell, (call, "training loop (backward + step)"))
    if updates:
        _train_step_loops(calls, facts, found)
    for cell in sorted(found):
        if cell in trained_cells:
            continue
        call, api = found[cell]
        facts.add(
            "training",
            cell,
            call.line,
            api=api,
            framework="torch" if "backward" in api else None,
            managed=False,
        )


def _train_step_loops(calls: list[Call], facts: Facts, found: dict) -> None:
    """Loops that call a training step by its name. The name is read as written:
    ``p_train_step = jax.pmap(train_step)`` makes ``p_train_step(...)`` a call of what
    ``jax.pmap`` returned."""
    for call in calls:
        if call.in_loop and (call.name.endswith(".__call__") or "." not in call.name):
            lines = facts.cell_lines.get(call.cell) or ()
            text = lines[call.line - 1] if 0 < call.line <= len(lines) else ""
            if _TRAIN_STEP.search(text):
                found.setdefault(call.cell, (call, "training loop (train step)"))


#: Spark ML learners: a Spark pipeline that fits none of them only transforms features
_SPARK_LEARNERS = (
    "pyspark.ml.classification.",
    "pyspark.ml.regression.",
    "pyspark.ml.clustering.",
    "pyspark.ml.recommendation.",
    "pyspark.ml.fpm.",
    "sparkxgb",
    "xgboost.spark.",
    "synapse.ml.",
)


def job_images(facts: Facts) -> None:
    """A job whose container comes from ``image_uris.retrieve(framework, ...)`` runs that
    framework, when the notebook retrieves one framework's containers only."""
    pending = [f for f in facts.of("instance") if f.get("framework") == "image"]
    if not pending:
        return
    retrieved = {
        str(c.args[0] if c.args else c.kw("framework")).lower()
        for c in facts.calls
        if c.name.endswith(("image_uris.retrieve", "get_image_uri"))
        and isinstance(c.args[0] if c.args else c.kw("framework"), str)
    }
    framework = next(iter(retrieved)) if len(retrieved) == 1 else None
    for f in pending:
        f["framework"] = framework


#: where a job's spot capacity is bounded by a maximum wait
_MAX_WAIT = frozenset(
    {"max_wait", "max_wait_time_in_seconds", "MaxWaitTimeInSeconds", "max_wait_time"}
)


def spot_details(facts: Facts) -> None:
    """Managed spot training needs a bound on how long to wait for capacity (``max_wait``) and
    checkpoints to resume from after an interruption: noted on each spot fact."""
    spots = facts.of("spot")
    if not spots:
        return
    waits = any(
        _MAX_WAIT & set(c.keywords)
        or any(_MAX_WAIT & _dict_key_set(v) for v in c.keywords.values())
        for c in facts.calls
    )
    checkpoints = bool(facts.of("checkpoint"))
    for f in spots:
        f["max_wait"] = waits
        f["checkpoints"] = checkpoints


def _dict_key_set(value: Any, depth: int = 0) -> set:
    if type(value) is dict:
        keys = set(value)
        if depth < 2:
            for inner in value.values():
                keys |= _dict_key_set(inner, depth + 1)
        return keys
    return set()


def overwrites(facts: Facts) -> None:
    """Data written back where the notebook read it from: the earlier version is gone unless
    the store keeps versions."""
    writes = facts.of("data_write")
    if not writes:
        return
    read = {
        d["uri"]
        for d in facts.of("data_source")
        if isinstance(d.get("uri"), str) and "{" not in d["uri"] and d["uri"] != "(computed)"
    }
    for w in writes:
        if w.get("uri") in read:
            facts.add("data_overwrite", w["cell"], w["line"], uri=w["uri"], api=w.get("api"))


#: libraries whose data frames' ``describe()`` profiles data
_FRAME_LIBRARIES = ("pandas", "polars", "dask", "pyspark", "modin", "cudf", "numpy")


def describe_is_profiling(facts: Facts) -> None:
    """``df.describe()`` profiles data; ``job.describe()`` reads a job's status. A describe on
    an object of unknown origin counts only in a notebook that works with data frames."""
    profiling = facts.items.get("profiling")
    if not profiling:
        return
    frames = any(i.get("module", "").split(".")[0] in _FRAME_LIBRARIES for i in facts.of("import"))
    if frames:
        return
    kept = [p for p in profiling if p.get("api") != ".describe"]
    if kept:
        facts.items["profiling"] = kept
    else:
        del facts.items["profiling"]


def metric_objects(facts: Facts) -> None:
    """``metric = evaluate.load("rouge")`` then ``metric.compute(...)``: the computation is of
    the metric the notebook loaded (when it loads one only)."""
    metrics = facts.items.get("metric")
    if not metrics:
        return
    loaded = {m["name"] for m in metrics if m.get("api") in _METRIC_LOADERS}
    if len(loaded) != 1:
        return
    (name,) = loaded
    for m in metrics:
        if m.get("name") == "compute":
            m["name"] = name


_METRIC_LOADERS = ("evaluate.load", "datasets.load_metric", "datasets.load.load_metric")


#: where a job leaves what it produced: reading from there reads the job's results back
#: (predictions, metrics files, reports), not data the notebook works on
_JOB_OUTPUTS = re.compile(
    r"iter_outputs|get_pipeline_output|get_output_data|path_on_datastore|output_info"
    r"|\bmodel_data\b|download_model_explanation"
    # what a model monitor produced: its baselines, executions' reports, captured traffic
    r"|suggested_constraints|suggested_statistics|baseline_statistics|latest_baselining_job"
    r"|list_executions|output\.destination|capture",
)
#: a file whose name says it holds results (``eval_results.json``, ``summary.json``,
#: ``train_output.csv``): written by a job or script and read back to show them (predictions
#: read back are evaluated against labels: those stay reads)
_RESULT_FILE = re.compile(r"(?:^|[_.-])(?:results?|outputs?|summary|report)(?:[_.-]|$)", re.I)


def _uri_is_local(uri: str) -> bool:
    """A path on this machine: no scheme (``s3://``), and not a location the code computes."""
    return "://" not in uri and uri != "(computed)"


#: calls that fetch a job's outputs: computed reads in their cell read those outputs
_OUTPUT_FETCHES = (".iter_outputs", ".get_pipeline_output", ".get_output_data")
#: the reads a notebook makes itself (a job's inputs are data given to it, whatever their origin)
_OWN_READS = (
    "open",
    "io.open",
    "pandas.read_",
    "tensorflow.io.gfile.GFile",
    "tensorflow.gfile.GFile",
    "sagemaker.s3.S3Downloader.",
    "json.load",
    "PIL.Image.open",
)


def job_output_reads(facts: Facts) -> None:
    """A read of what one of the notebook's jobs produced (a batch prediction's output files,
    a pipeline step's output, a training job's model artifact) reads results back: not a
    data source. Known by where the read's location comes from."""
    reads = facts.items.get("data_source")
    if not reads or not facts.calls:
        return
    fetching = {c.cell for c in facts.calls if c.name.endswith(_OUTPUT_FETCHES)}
    by_line: dict[tuple, list] = {}
    for c in facts.calls:
        if c.refs and c.name.startswith(_OWN_READS):
            by_line.setdefault((c.cell, c.line), []).extend(str(v) for v in c.refs.values())
    kept = []
    for d in reads:
        via, uri = str(d.get("via") or ""), str(d.get("uri") or "")
        if via.startswith(_OWN_READS):
            computed = uri == "(computed)" or "{" in uri
            origin = " ".join([uri, *by_line.get((d["cell"], d["line"]), ())])
            if _JOB_OUTPUTS.search(origin) or (computed and d["cell"] in fetching):
                continue
            if _uri_is_local(uri) and any(_RESULT_FILE.search(p) for p in uri.split("/")):
                continue  # `eval_results.json`, `cv_analysis_result/shap_1.jpeg`
        kept.append(d)
    if len(kept) != len(reads):
        facts.items["data_source"] = kept


#: calls that save a model to a folder, and where the folder is (position, keywords)
_MODEL_SAVES = {
    "save_pretrained": (0, ("save_directory",)),
    "save_model": (0, ("output_dir", "path")),
}


def _model_folders(facts: Facts) -> dict[str, tuple[int, int]]:
    """Folders the notebook saves models to (``save_pretrained(path)``, ``trainer.save_model(
    path)``, a trainer's ``output_dir``), each with where it is first named."""
    folders: dict[str, tuple[int, int]] = {}
    for c in facts.calls:
        where = _MODEL_SAVES.get(c.last)
        if where is None and (
            c.last.endswith(("TrainingArguments", "Config")) or "output_dir" in c.keywords
        ):
            where = (0 if c.last.endswith("TrainingArguments") else 99, ("output_dir",))
        if where is not None:
            path = sig.arg(where[0], *where[1])(c)
            if isinstance(path, str) and path and "{" not in path:
                folders.setdefault(path.rstrip("/"), (c.cell, c.line))
    return folders


def own_outputs_read_back(facts: Facts) -> None:
    """A model loaded, after the notebook saved or trained into a folder, by that folder's name
    (``from_pretrained("bert-finetuned")`` after ``TrainingArguments("bert-finetuned")`` or
    ``save_pretrained``) is the notebook's own model, not one fetched from a hub by its id. A
    load before the save fetches it (``from_pretrained(id)`` then ``save_pretrained(id)`` to
    package it); a read of a local folder stays a local read."""
    reads = facts.items.get("data_source")
    if not reads or not facts.calls:
        return
    folders = _model_folders(facts)
    if not folders:
        return
    kept = []
    for d in reads:
        uri = str(d.get("uri") or "").rstrip("/")
        saved = folders.get(uri) or next(
            (at for f, at in folders.items() if uri.startswith(f + "/")), None
        )
        if (
            saved is not None
            and d.get("kind") == "model_hub"
            and str(d.get("via") or "").endswith((".from_pretrained", "pipeline"))
            and (d["cell"], d.get("line") or 0) > saved
        ):
            continue
        kept.append(d)
    if len(kept) != len(reads):
        facts.items["data_source"] = kept


def feature_pipelines(facts: Facts) -> None:
    """``pyspark.ml.Pipeline(stages=[indexer, encoder, assembler]).fit(df)`` fits feature
    transformers, not a model: it is training only when the notebook builds a Spark learner."""
    training = facts.items.get("training")
    if not training or not any(
        str(t.get("api", "")).startswith("pyspark.ml.Pipeline") for t in training
    ):
        return
    if any(c.name.startswith(_SPARK_LEARNERS) for c in facts.calls):
        return
    kept = [t for t in training if not str(t.get("api", "")).startswith("pyspark.ml.Pipeline")]
    if kept:
        facts.items["training"] = kept
    else:
        del facts.items["training"]


def spark_runs(facts: Facts) -> None:
    """Azure ML runs configured for Spark (every ``RunConfiguration`` of the notebook says
    ``framework="pyspark"``, as Synapse Spark jobs do) process data: their submissions are not
    training jobs."""
    training = facts.items.get("training")
    if not training:
        return
    frameworks = {
        str(c.kw("framework")).lower()
        for c in facts.calls
        if c.last == "RunConfiguration" and c.name.startswith("azureml.")
    }
    if frameworks != {"pyspark"}:
        return
    kept = [t for t in training if not str(t.get("api", "")).endswith("Experiment.submit")]
    if len(kept) != len(training):
        facts.items["training"] = kept


def endpoint_targets(facts: Facts) -> None:
    """boto3 makes an endpoint (``create_endpoint``) from a configuration made by another call
    (``create_endpoint_config``): when the notebook's configurations all set up one kind of
    inference other than real-time (serverless, async), its endpoints are of that kind."""
    deployments = facts.of("deployment")
    configured = {
        d.get("target")
        for d in deployments
        if str(d.get("api") or "").endswith(".create_endpoint_config")
    }
    if len(configured) != 1 or configured == {"realtime"}:
        return
    (target,) = configured
    for d in deployments:
        if str(d.get("api") or "").endswith(".create_endpoint"):
            d["target"] = target


def artifact_versions(facts: Facts) -> None:
    registered = bool(facts.of("model_registry"))
    tracked = bool(facts.of("tracking"))
    hashed_cells = [f["cell"] for f in facts.of("hashing")]
    for art in facts.of("artifact"):
        path = art.get("path")
        how = "none"
        if art.pop("registered", False):
            how = "tracking"
        elif isinstance(path, str) and _VERSIONED_PATH.search(path):
            how = (
                "timestamp"
                if re.search(r"time|date|stamp|now|\d{8}|\d{4}-\d{2}", path, re.I)
                else (
                    "hash" if re.search(r"hash|sha|digest|[0-9a-f]{12,}", path, re.I) else "version"
                )
            )
        elif registered:
            how = "registry"
        elif any(c >= art["cell"] for c in hashed_cells):
            how = "hash"
        elif tracked:
            how = "tracking"
        art["versioned"] = how != "none"
        art["how"] = how


# --------------------------------------------------------------------------- order and secrets
def execution_order(nb: Notebook, facts: Facts) -> None:
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    if not any(x is not None for x in counts):
        return
    last = 0
    for c in code:
        if c.execution_count is None:
            facts.add("execution_order", c.index, None, issue="not_executed")
            continue
        if c.execution_count < last:
            facts.add(
                "execution_order",
                c.index,
                None,
                issue="out_of_order",
                count=c.execution_count,
                after=last,
            )
        last = max(last, c.execution_count)


#: kinds whose duplicates are told apart by a few fields (other kinds: by all but via/api)
_DEDUPE_BY_FIELDS = frozenset(
    {
        "training",
        "explainability",
        "bias_check",
        "metric",
        "monitoring",
        "tracking",
        "deployment",
        "data_source",
        "pipeline",
        "tuning",
        "automl",
        "model_registry",
        "artifact",
    }
)


def dedupe(facts: Facts) -> None:
    for kind, items in facts.items.items():
        seen: set = set()
        kept = []
        by_fields = kind in _DEDUPE_BY_FIELDS
        for f in items:
            if by_fields:
                get = f.get
                key = (
                    get("cell"),
                    get("line"),
                    get("method"),
                    get("name"),
                    get("kind"),
                    get("tool"),
                    get("uri"),
                    get("target"),
                    get("format"),
                )
            else:
                key = tuple(sorted((k, str(v)) for k, v in f.items() if k not in ("via", "api")))
            if key in seen:
                continue
            seen.add(key)
            kept.append(f)
        items[:] = kept
