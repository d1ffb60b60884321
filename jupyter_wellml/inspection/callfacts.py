"""Facts from the calls of a cell: what each call means through the signature tables
(:mod:`.signatures`), its keywords, the literal dicts it is given, the instance it asks for."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from . import signatures as sig
from .factbase import Facts
from .installs import classify, installs_in_args, installs_in_command
from .pyscan import CONST_REF, NOT_LITERAL, Call
from .shell import is_code_file

TOOLING_PACKAGES = frozenset({"pip", "setuptools", "wheel"})


OBJECTIVE_TYPES = ("Maximize", "Minimize")


#: paths that name a trained model, read to deploy or inspect it: not data sets
_MODEL_FILE = re.compile(r"model", re.I)


_DATA_EXTENSIONS = (".csv", ".tsv", ".parquet", ".json", ".jsonl", ".txt", ".libsvm", ".xlsx")


@lru_cache(maxsize=1)
def _call_index():
    return sig.index_calls()


_DISPATCH: dict[str, tuple] = {}


_DISPATCH_MAX = 65536


def _dispatch(name: str) -> tuple[tuple, bool]:
    """The :data:`signatures.CALLS` entries a call name matches (deny globs applied), and
    whether it is a service-client call: a pure function of the name, remembered."""
    found = _DISPATCH.get(name)
    if found is None:
        by_last, by_first, anywhere = _call_index()
        candidates = by_last.get(name.rsplit(".", 1)[-1], ())
        first = name.split(".", 1)[0]
        if first and first in by_first and _may_match(first, name):
            candidates = (*candidates, *by_first[first])
        if anywhere and _may_match(None, name):
            candidates = (*candidates, *anywhere)
        entries = tuple(
            (kind, fields)
            for pattern, kind, fields, deny in candidates
            if pattern.match(name) and not (deny is not None and deny.match(name))
        )
        if len(_DISPATCH) >= _DISPATCH_MAX:
            _DISPATCH.clear()
        found = _DISPATCH[name] = (entries, _service_calls().match(name))
    return found


@cache
def _needles(first: str | None) -> tuple[str, ...] | None:
    """For the ``by_first[first]`` bucket of call globs (``anywhere`` for None): the longest
    literal piece of each glob. A name an entry matches holds its glob's pieces, so a name that
    holds none of these needs no test per entry. None: some glob has no literal piece."""
    _, by_first, anywhere = _call_index()
    needles = set()
    for glob, *_ in anywhere if first is None else by_first[first]:
        if glob.kind == "regex" or not glob.pieces:
            return None
        needles.add(glob.pieces[0])
    return tuple(needles)


def _may_match(first: str | None, name: str) -> bool:
    needles = _needles(first)
    return needles is None or any(n in name for n in needles)


@lru_cache(maxsize=1)
def _service_calls():
    return sig.compile_globs(sig.SERVICE_CALLS)


# --------------------------------------------------------------------------- imports and calls
def import_facts(imports, facts: Facts) -> None:
    for imp in imports:
        facts.add("import", imp.cell, imp.line, module=imp.module, name=imp.name, alias=imp.alias)
        top = imp.module.split(".", 1)[0]
        mapped = sig.IMPORT_FACTS.get(top)
        if mapped is None and imp.name:
            mapped = sig.IMPORT_FACTS.get(imp.qualified.split(".", 1)[0])
        if mapped is not None:
            kind, fields = mapped
            facts.add(kind, imp.cell, imp.line, via="import", **fields)


def call_facts(calls: list[Call], facts: Facts) -> None:
    for call in calls:
        name = call.name
        entries, service_call = _dispatch(name)
        _signature_facts(call, entries, facts)
        if not entries and call.args and _LOADER.match(call.last):
            _loader_read(call, facts)
        if call.args and service_call:
            _service_fact(call, facts)
        if name.startswith(("subprocess.", "os.system")):
            _subprocess_installs(call, facts)
        if name.startswith("sagemaker.") and name.endswith((".fit", ".transform")):
            _job_inputs(call, facts)
        for kw, value in call.keywords.items():
            _keyword_facts(call, kw, value, facts)
        _instance_fact(call, facts)
        if service_call and (call.kw("use_ssl") is False or call.kw("verify") is False):
            keyword = "use_ssl" if call.kw("use_ssl") is False else "verify"
            facts.add("insecure_transport", call.cell, call.line, api=name, keyword=keyword)
        if "VersionId" in call.keywords or _version_pinned(call):
            facts.add("data_versioning", call.cell, call.line, api=name, how="object version")


def _signature_facts(call: Call, entries, facts: Facts) -> None:
    """The facts the signature tables give for the called name."""
    for kind, fields in entries:
        values = {k: (v(call) if callable(v) else v) for k, v in fields.items()}
        if "kind" in values and values["kind"] is None:
            del values["kind"]  # no kind of its own: a read's comes from its location
        if "_kind" in values:
            kind = values.pop("_kind")
            if kind is None:
                continue
        if kind == "data_source" and not data_source_read(call, values):
            continue
        if kind == "metric":
            _metrics(call, values.pop("name", None), facts, **values)
            continue
        if call.in_loop and kind in ("training", "deployment"):
            values["in_loop"] = True  # one job or endpoint per pass of a loop
        facts.add(kind, call.cell, call.line, **values)
        if kind == "pretrained_model":
            _hub_model(call, facts)


def _service_fact(call: Call, facts: Facts) -> None:
    """``boto3.client("sagemaker")``: the service a client is for."""
    service = call.args[0] if isinstance(call.args[0], str) else call.kw("service_name")
    if isinstance(service, str) and service in sig.SERVICES:
        kind, fields = sig.SERVICES[service]
        facts.add(kind, call.cell, call.line, **fields)


def _metric_keyword(call: Call, kw: str, value: Any, facts: Facts) -> None:
    name = call.name
    if (call.ref(kw) or "").startswith(CONST_REF) and kw in (*sig.METRIC_KEYWORDS, "metric"):
        return  # a metric named once in a constant is counted where it is assigned
    if kw in sig.METRIC_KEYWORDS:
        _metrics(call, value, facts, api=name)
    elif kw == "metric_definitions" and not (call.ref(kw) or "").startswith(CONST_REF):
        _metrics(call, defined_metrics(value), facts, api=name)
    elif kw == "metrics" and _metrics_keyword_call(name):
        _metrics(call, _metric_objects(call, kw, value), facts, api=name)
    elif kw == "metric" and not name.startswith(_NOT_EVALUATION):
        _metrics(call, sig.evaluation_metric(value, name), facts, api=name)


#: calls whose ``metric=`` is a distance or a similarity whatever its name
_NOT_EVALUATION = ("sklearn.metrics.pairwise", "sklearn.neighbors.", "scipy.spatial.")


def _metric_objects(call: Call, kw: str, value: Any) -> Any:
    """What ``metrics=`` names: texts (``["accuracy"]``), a metric object or function given by
    name (``metrics=error_rate``), or functions in a list (``metrics=[masked_accuracy]``)."""
    if value is NOT_LITERAL:
        return call.ref(kw)
    if isinstance(value, list) and NOT_LITERAL in value:
        named = call.ref(f"{kw}[]")
        return [v for v in value if isinstance(v, str)] + (named.split(",") if named else [])
    return value


def _keyword_facts(call: Call, kw: str, value: Any, facts: Facts) -> None:
    """The facts one keyword argument of a call gives: metrics, a keyword the tables know, a
    seed, and the keys of dicts (or lists of them) passed to it."""
    name = call.name
    _metric_keyword(call, kw, value, facts)
    if kw in sig.READ_KEYWORDS and value not in sig.OFF_VALUES:
        uri = value if isinstance(value, str) and "{" not in value else "(computed)"
        kind = sig.uri_kind(uri) if uri.startswith(("gs://", "s3://")) else sig.READ_KEYWORDS[kw]
        facts.add("data_source", call.cell, call.line, uri=uri, kind=kind, via=f"{name}:{kw}")
    if (
        kw in sig.KEYWORDS
        and value not in sig.OFF_VALUES
        and call.last not in sig.KEYWORD_NOT_FROM.get(kw, ())
        and (kw not in sig.KEYWORD_ONLY_FROM or sig.KEYWORD_ONLY_FROM[kw](name, kw))
    ):
        kind, fields = sig.KEYWORDS[kw]
        facts.add(kind, call.cell, call.line, api=name, **fields)
    elif kw in sig.SEED_KEYWORDS and isinstance(value, int) and not isinstance(value, bool):
        library = "random_state" if kw == "random_state" else "other"
        facts.add("seed", call.cell, call.line, library=library, value=value, api=name)
    elif type(value) is dict:
        _dict_keys(call, value, facts, depth=0, keyword=kw)
    elif type(value) is list:  # ProductionVariants=[{...}], InputDataConfig=[{...}]
        _list_keyword(call, kw, value, facts)


def _list_keyword(call: Call, kw: str, value: list, facts: Facts) -> None:
    for item in value[:16]:
        if type(item) is dict:
            _dict_keys(call, item, facts, depth=1, keyword=kw)
    if kw in ("args", "arguments") and not (call.ref(kw) or "").startswith(CONST_REF):
        for uri in argument_uris(value):
            facts.add(
                "data_source",
                call.cell,
                call.line,
                uri=uri,
                kind=sig.uri_kind(uri),
                via=f"{call.name}:{kw}",
            )


def _version_pinned(call: Call) -> bool:
    """``download_file(..., ExtraArgs={"VersionId": ...})``: a read pinned to a version."""
    extra = call.kw("ExtraArgs")
    return isinstance(extra, dict) and "VersionId" in extra


@lru_cache(maxsize=1)
def _metrics_keyword_globs():
    return sig.compile_globs(sig.METRICS_KEYWORD_CALLS)


def _metrics_keyword_call(name: str) -> bool:
    return _metrics_keyword_globs().match(name)


def _metrics(call: Call, names: Any, facts: Facts, **fields: Any) -> None:
    """One ``metric`` fact per name: a text, a list of texts, the keys of a dict (a tuning
    job's ``metric_spec``), or a reference to a metric object (``metrics=error_rate``)."""
    if isinstance(names, dict):
        names = list(names)
    elif not isinstance(names, list):
        names = [names]
    fields.setdefault("api", call.name)
    seen = set()
    for metric in names[:16]:
        if isinstance(metric, str) and metric and "{" not in metric and metric not in seen:
            seen.add(metric)
            # `tf.keras.metrics.AUC` -> AUC; "evaluate-metric/mase" (a hub namespace) -> mase
            short = metric.rsplit("/", 1)[-1] if "/" in metric else metric.rsplit(".", 1)[-1]
            facts.add("metric", call.cell, call.line, name=short, **fields)


_LOCAL_MODEL = re.compile(
    r"^(?:\.{1,2}/|/|~|[A-Za-z]:\\)|(?:^|/)(?:output|outputs|model|models|checkpoint[-\w]*)/?$"
)


def _hub_model(call: Call, facts: Facts) -> None:
    """A pre-trained model fetched by its hub id is an input of the notebook (a ``model_hub``
    read); a model loaded from a folder on this machine (``"./"``, ``"outputs/model"``) is a
    model artifact the notebook has, not data it reads."""
    ident = sig.hub_id(call)
    if ident is False:
        return
    if isinstance(ident, str) and ident:
        if _LOCAL_MODEL.search(ident):
            return
        kind = sig.uri_kind(ident)
        facts.add(
            "data_source",
            call.cell,
            call.line,
            uri=ident,
            kind="model_hub" if kind == "local" else kind,
            via=call.name,
        )
    else:
        facts.add(
            "data_source", call.cell, call.line, uri="(computed)", kind="model_hub", via=call.name
        )


def _job_inputs(call: Call, facts: Facts) -> None:
    """What a SageMaker job reads: the channels of ``fit`` (``est.fit({"train": "s3://..."})``,
    or channels built elsewhere) and the data of a batch ``transform``."""
    key = "data" if call.name.endswith(".transform") else "inputs"
    if call.args:
        inputs, ref = call.args[0], call.ref(0)
    elif key in call.keywords:
        inputs, ref = call.keywords[key], call.ref(key)
    else:
        return  # `fit()` with no data: a job that reads nothing (or its defaults)
    uris = [inputs] if isinstance(inputs, str) else []
    if isinstance(inputs, dict):
        # a channel named for a model or a checkpoint hands the job a trained model (to
        # evaluate or to resume from), not data
        data = {k: v for k, v in inputs.items() if not _MODEL_CHANNEL.search(k)}
        inputs = None if inputs and not data else data
        uris = [v for v in (inputs or {}).values() if isinstance(v, str)]
    for uri in uris:
        facts.add(
            "data_source", call.cell, call.line, via=call.name, uri=uri, kind=sig.uri_kind(uri)
        )
    if not uris and inputs is not None:
        kind = "local" if (ref or "").endswith("FileSystemInput") else "s3"
        facts.add("data_source", call.cell, call.line, via=call.name, uri="(computed)", kind=kind)


#: channel names of a job's inputs that hold a model: ``model``, ``checkpoint``, ``pretrained``
_MODEL_CHANNEL = re.compile(
    r"^(?:model|models|checkpoints?|pretrained(?:_model)?|base_model)$", re.I
)


#: a loader the notebook or a helper module defines (``load_data(path)``, ``read_images``)
_LOADER = re.compile(
    r"^_?(?:load|read)(?:_(?!.*(?:model|weight|checkpoint|state|config|token|env|ext|secret))"
    r"[a-z0-9]+)*$"
)
#: files a loader reads as data, by their extension
_LOADED_DATA = re.compile(
    r"\.(?:csv|tsv|parquet|jsonl?|txt|npy|npz|h5|hdf5|tfrecords?|avro|orc|xlsx?|gz|zip|"
    r"tar|bz2|xz|mat|arff|data|libsvm|ubyte|wav|flac|mp3|jpe?g|png)$",
    re.I,
)


def _loader_read(call: Call, facts: Facts) -> None:
    """``load_data(os.path.join(data_folder, "train-images-idx3-ubyte.gz"))``: a loader of the
    notebook's own, given a data file by its path, reads that file."""
    path = call.args[0]
    if not isinstance(path, str) or not _LOADED_DATA.search(path.rstrip("/")):
        return
    values: dict[str, Any] = {"via": call.name, "uri": None if "{" in path else path}
    if data_source_read(call, values):
        values["kind"] = sig.uri_kind(path)
        facts.add("data_source", call.cell, call.line, **values)


#: first arguments that hold data in memory, not a location to read from
_IN_MEMORY = ("io.StringIO", "io.BytesIO", "json.dumps", "StringIO", "BytesIO")


def data_source_read(call: Call, values: dict[str, Any]) -> bool:
    """Fill ``uri`` and ``kind`` of a data-source fact; False when the call is not a read."""
    name = call.name
    if values.get("kind") == "none":
        return False
    if name in ("open", "io.open") or name.endswith(("GFile", ".open")):
        mode = call.args[1] if len(call.args) > 1 else call.kw("mode", "r")
        if not isinstance(mode, str) or any(ch in mode for ch in "wax+"):
            return False
    if name.startswith("azureml.") and ("download" in name or name.endswith(".get_file")):
        return False  # a run's own output files, fetched back: not an input
    ref = call.ref(0)
    if ref and ref.endswith(_IN_MEMORY):
        return False
    uri = values.get("uri")
    if isinstance(uri, dict):  # TrainingInput-style {"train": "s3://..."} passed positionally
        uri = next((v for v in uri.values() if isinstance(v, str)), None)
    if isinstance(uri, list):
        uri = next((v for v in uri if isinstance(v, str)), None)
    if uri is None or uri is NOT_LITERAL or not isinstance(uri, str):
        values["uri"] = "(computed)"
        values.setdefault("kind", "s3" if name in sig.S3_READERS else "unknown")
        return name != "xgboost.DMatrix"  # a DMatrix made of arrays in memory reads nothing
    base = uri.rstrip("/").rsplit("/", 1)[-1]
    if base.endswith(".out"):
        return False  # a batch transform's output (`x.csv.out`), read back: not an input
    if _MODEL_FILE.search(base) and not base.lower().endswith(_DATA_EXTENSIONS):
        return False  # `open("model/xgb-model.tar.gz", "rb")`: a model artifact, not data
    if is_code_file(uri):
        return False  # `open("train.py")`, `open("env.yml")`: code and configuration
    values["uri"] = uri
    values.setdefault("kind", sig.uri_kind(uri))
    return True


#: dictionary keys naming what a job or container fetches from a hub
_HUB_KEYS = {
    "HF_MODEL_ID": "model_hub",
    "MODEL_ID": "model_hub",
    "HF_MODEL_NAME": "model_hub",
}


#: keys of a job's hyperparameters or environment that name a hub model or data set
_JOB_HUB_KEYS = {
    "model_name": "model_hub",
    "model_name_or_path": "model_hub",
    "model_id": "model_hub",
    "pretrained_model_name_or_path": "model_hub",
    "model_checkpoint": "model_hub",
    "base_model": "model_hub",
    "dataset_name": "dataset",
    "dataset_id": "dataset",
}


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?$")


def hub_key_kind(key: str, job: bool) -> str | None:
    """The kind of read a settings key names (``HF_MODEL_ID`` → ``model_hub``), spelt as a
    script's option too (``"model-name"``); a job's keys (``model_name``, ``dataset_name``)
    only when ``job`` (the dict configures a training job)."""
    kind = _HUB_KEYS.get(key)
    if kind is None and job:
        kind = _JOB_HUB_KEYS.get(key.replace("-", "_").lower())
    return kind


#: settings keys naming what a job reads from a warehouse or storage (Vertex AI resources
#: written as dicts: ``feature_view={"big_query_source": {"uri": "bq://..."}}``)
_SOURCE_KEYS = {
    "big_query_source": "warehouse",
    "bigquery_source": "warehouse",
    "bq_source": "warehouse",
    "gcs_source": "gcs",
}


def _source_key(call: Call, key: str, inner: dict, facts: Facts) -> None:
    """A resource's source written in the API's own form (``{"big_query_source": {"uri":
    "bq://..."}}``, ``{"gcs_source": {"uris": [...]}}``)."""
    inner = next((inner[k] for k in ("uri", "input_uri", "input_uris", "uris") if k in inner), None)
    if isinstance(inner, list):
        inner = next((v for v in inner if isinstance(v, str)), None)
    uri = inner if isinstance(inner, str) and "{" not in inner else "(computed)"
    kind = _SOURCE_KEYS[key]
    if uri.startswith(("gs://", "s3://")):
        kind = sig.uri_kind(uri)
    facts.add("data_source", call.cell, call.line, uri=uri, kind=kind, via=f"{call.name}:{key}")


def _read_key(call: Call, key: str, inner: Any, keyword: str, facts: Facts) -> bool:
    """A settings key that names what is read (``big_query_source``, ``HF_MODEL_ID``, a job's
    ``model_name``): its read added, True. A dict assigned to a name first is counted where it
    is assigned (:func:`.textfacts.assigned_facts`), not where it is passed."""
    if (call.ref(keyword) or "").startswith(CONST_REF):
        return False
    if key in _SOURCE_KEYS and isinstance(inner, dict):
        _source_key(call, key, inner, facts)
        return True
    kind = hub_key_kind(key, keyword in _JOB_KEYWORDS)
    if kind is None or not isinstance(inner, str) or not _HUB_ID.match(inner):
        return False
    facts.add("data_source", call.cell, call.line, uri=inner, kind=kind, via=f"{call.name}:{key}")
    return True


def _dict_keys(call: Call, value: dict, facts: Facts, depth: int, keyword: str = "") -> None:
    """Keys of literal dicts passed to calls (boto3-style ``ResourceConfig={...}``, hyperparameters)."""
    for key, inner in value.items():
        if key in sig.KEYWORDS and inner not in sig.OFF_VALUES:
            kind, fields = sig.KEYWORDS[key]
            facts.add(kind, call.cell, call.line, api=call.name, **fields)
        elif key in ("InstanceType",) and isinstance(inner, str):
            facts.add(
                "instance",
                call.cell,
                call.line,
                type=inner,
                count=value.get("InstanceCount")
                if isinstance(value.get("InstanceCount"), int)
                else None,
                purpose=_purpose(call.name),
                family=sig._instance_family(inner),
                gpu=sig._instance_family(inner) in ("gpu", "local_gpu"),
            )
        elif _read_key(call, key, inner, keyword, facts):
            pass
        elif (key in ("eval_metric", "objective_metric_name") and isinstance(inner, str)) or (
            key == "MetricName" and isinstance(inner, str) and value.get("Type") in OBJECTIVE_TYPES
        ):
            # MetricName only in a tuning objective ({"Type": "Maximize", "MetricName": ...}):
            # elsewhere (CloudWatch alarms, autoscaling) it names an operational metric
            facts.add("metric", call.cell, call.line, name=inner)
        elif key == "AutoMLJobObjective" and isinstance(inner, dict):
            if isinstance(inner.get("MetricName"), str):
                facts.add("metric", call.cell, call.line, name=inner["MetricName"])
        elif type(inner) is dict and depth < 3:
            _dict_keys(call, inner, facts, depth + 1, keyword)
        elif type(inner) is list and depth < 3:
            for item in inner[:16]:
                if type(item) is dict:
                    _dict_keys(call, item, facts, depth + 1, keyword)


#: keywords whose dicts are a job's settings (its hyperparameters, its container's environment)
_JOB_KEYWORDS = frozenset({"hyperparameters", "env", "environment", "environment_variables"})


def _purpose(name: str) -> str:
    low = name.lower()
    if "processor" in low or "processing" in low:
        return "processing"
    if (
        "deploy" in low
        or "model" in low.rsplit(".", 1)[-1]
        or "endpoint" in low
        or "transformer" in low
        or "predictor" in low
    ):
        return "inference"
    if "notebook" in low:
        return "notebook"
    return "training"


def _instance_fact(call: Call, facts: Facts) -> None:
    itype = call.kw("instance_type") or call.kw("train_instance_type") or call.kw("InstanceType")
    if not isinstance(itype, str):
        return
    count = (
        call.kw("instance_count")
        or call.kw("initial_instance_count")
        or call.kw("train_instance_count")
    )
    family = sig._instance_family(itype)
    purpose = _purpose(call.name)
    facts.add(
        "instance",
        call.cell,
        call.line,
        type=itype,
        count=count if isinstance(count, int) else None,
        purpose=purpose,
        family=family,
        gpu=family in ("gpu", "local_gpu"),
        api=call.name,
        framework=sig.job_framework(call),
    )
    if purpose == "training" and isinstance(count, int) and count > 1:
        facts.add("distributed", call.cell, call.line, api=call.name, instances=count)


def _subprocess_installs(call: Call, facts: Facts) -> None:
    args = call.args[0] if call.args else call.kw("args")
    if isinstance(args, str):
        found = installs_in_command(args)
    elif isinstance(args, list):
        found = installs_in_args(args)
    else:
        return
    for tool, token, _ in found:
        info = classify(tool, token)
        if info["name"] not in TOOLING_PACKAGES:
            facts.add("pip_install", call.cell, call.line, tool=tool, form="subprocess", **info)


#: a job's command-line option that hands it data: ``--train-data=gs://...``, ``--dataset-url``
_DATA_OPTION = re.compile(
    r"^--?[\w-]*(?:data|train|test|valid|eval|input|file|csv|label|corpus)[\w-]*[= ]"
    r"((?:gs|s3|s3a|abfss?|wasbs?|https?)://\S+)$",
    re.I,
)


def argument_uris(args: list) -> list[str]:
    """Storage URIs a job is given as data options (``["--data-url=gs://b/train.csv"]``, or
    ``["--train", "s3://b/train"]``)."""
    found = []
    for i, item in enumerate(args[:64]):
        if not isinstance(item, str):
            continue
        m = _DATA_OPTION.match(item)
        if m:
            found.append(m.group(1))
        elif (
            i > 0
            and isinstance(args[i - 1], str)
            and "=" not in args[i - 1]  # `--data-url gs://...`: a bare option, then its value
            and _DATA_OPTION.match(f"{args[i - 1]}={item}")
        ):
            found.append(item)
    return found


def defined_metrics(value: Any) -> list[str]:
    """Metric names of SageMaker metric definitions (``[{"Name": ..., "Regex": ...}]``, also
    under a tuning objective's ``"metrics"``): the evaluation ones, not throughput or epochs."""
    if isinstance(value, dict):
        value = value.get("metrics")
    if not isinstance(value, list):
        return []
    names = [d.get("Name") for d in value[:32] if isinstance(d, dict) and "Regex" in d]
    return [n for n in names if isinstance(n, str) and sig.METRIC_WORDS.search(n)]
