"""What calls, imports and keywords mean: the tables that turn code into facts.

Each entry of :data:`CALLS` maps qualified-name globs to a fact kind and its fields. A field
value may be a constant or a function of the :class:`~.pyscan.Call`. Globs follow
:func:`fnmatch.fnmatchcase`; ``*.fit`` also matches ``.fit`` (a method on an unknown object).
The tables are data: adding a library is adding a line, and ``tests/test_vocabulary.py`` checks
every kind against the fact vocabulary of the lens format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import translate
from typing import Any

from .pyscan import NOT_LITERAL, Call

Fields = dict[str, Any]


def arg(i: int, *keys: str) -> Callable[[Call], Any]:
    """The literal value of positional argument ``i`` or of the first keyword in ``keys``."""

    def get(call: Call) -> Any:
        for k in keys:
            v = call.keywords.get(k)
            if v is not None and v is not NOT_LITERAL:
                return v
        if i < len(call.args) and call.args[i] is not NOT_LITERAL:
            return call.args[i]
        return None

    return get


def last_segment(call: Call) -> str:
    return call.last


def api(call: Call) -> str:
    return call.name


# --------------------------------------------------------------------------- data sources
#: readers whose input is always in S3, even when the notebook computes the URI
S3_READERS = (
    "sagemaker.s3.S3Downloader.download",
    "sagemaker.s3.S3Downloader.read_file",
    "sagemaker.inputs.TrainingInput",
    "sagemaker.TrainingInput",
    "sagemaker.session.s3_input",
    "sagemaker.s3_input",
    "sagemaker.inputs.TransformInput",
)

READERS = (
    "pandas.read_csv",
    "pandas.read_parquet",
    "pandas.read_json",
    "pandas.read_excel",
    "pandas.read_table",
    "pandas.read_feather",
    "pandas.read_pickle",
    "pandas.read_hdf",
    "pandas.read_orc",
    "pandas.read_fwf",
    "pandas.read_xml",
    "pandas.read_html",
    "pandas.read_sas",
    "pandas.read_stata",
    "pandas.read_spss",
    "polars.read_*",
    "polars.scan_*",
    "dask.dataframe.read_*",
    "pyarrow.parquet.read_table",
    "pyarrow.csv.read_csv",
    "numpy.load",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "open",
    "io.open",
    "awswrangler.s3.read_*",
    "*.read.csv",
    "*.read.parquet",
    "*.read.json",
    "*.read.load",
    "*.read.text",
    "*.read.orc",
    "*.read.*.csv",
    "*.read.*.parquet",
    "*.read.*.json",
    "*.read.*.load",
    "*.read.*.text",
    "*.read.*.orc",
    "*.read.*.table",
    "tensorflow.io.read_file",
    "*.load_table_from_uri",
    "*.read_csv",
    "*.read_parquet",
    "*.read_json",
    "PIL.Image.open",
    "cv2.imread",
    "mxnet.image.imread",
    "imageio.imread",
    "librosa.load",
    "soundfile.read",
    *S3_READERS,
    "sagemaker.processing.ProcessingInput",
    "tensorflow.data.TFRecordDataset",
    "tensorflow.data.experimental.make_csv_dataset",
    "datasets.load_from_disk",
    "torchvision.datasets.ImageFolder",
    "torchvision.datasets.DatasetFolder",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tensorflow.io.gfile.GFile",
    "tensorflow.gfile.GFile",
    "tensorflow.data.TextLineDataset",
    "tensorflow.data.experimental.CsvDataset",
    "xgboost.DMatrix",
    "langchain*.document_loaders.*Loader",
    "langchain_community.document_loaders.*",
    "llama_index.*SimpleDirectoryReader",
    "scipy.io.loadmat",
    "h5py.File",
    # image, audio and array files of the notebook's machine, by their libraries' readers
    "torchvision.io.read_image",
    "torchvision.io.decode_image",
    "torchaudio.load",
    "skimage.io.imread",
    "matplotlib.image.imread",
    "matplotlib.pyplot.imread",
    "imageio.v2.imread",
    "imageio.v3.imread",
    "tifffile.imread",
    "pydicom.dcmread",
    "nibabel.load",
    "scipy.io.wavfile.read",
    "pyarrow.dataset.dataset",
    "pyarrow.parquet.ParquetDataset",
    "pyarrow.json.read_json",
    "pyarrow.feather.read_table",
    "pyarrow.feather.read_feather",
    "ray.data.read_*",
    # folders of labelled files read as a data set (Keras utilities, generators)
    "keras.utils.image_dataset_from_directory",
    "keras.utils.text_dataset_from_directory",
    "keras.utils.audio_dataset_from_directory",
    "keras.preprocessing.image_dataset_from_directory",
    "keras.preprocessing.text_dataset_from_directory",
    "tensorflow.keras.utils.image_dataset_from_directory",
    "tensorflow.keras.utils.text_dataset_from_directory",
    "tensorflow.keras.utils.audio_dataset_from_directory",
    "tensorflow.keras.preprocessing.image_dataset_from_directory",
    "tensorflow.keras.preprocessing.text_dataset_from_directory",
    "*.ImageDataGenerator.flow_from_directory",
    # Hugging Face data sets made from files
    "datasets.Dataset.from_csv",
    "datasets.Dataset.from_json",
    "datasets.Dataset.from_parquet",
    "datasets.Dataset.from_text",
    # files of object storage opened through a file-system layer (read modes only)
    "s3fs.S3FileSystem.open",
    "s3fs.core.S3FileSystem.open",
    "gcsfs.GCSFileSystem.open",
    "gcsfs.core.GCSFileSystem.open",
    "adlfs.AzureBlobFileSystem.open",
    "fsspec.open",
    "fsspec.filesystem.open",
    "smart_open.open",
)
#: Folder readers of DATASETS' namespaces: the user's own files, not bundled data sets
LOCAL_FOLDER_DATASETS = ("torchvision.datasets.ImageFolder", "torchvision.datasets.DatasetFolder")
DATASETS = (
    "azureml.opendatasets.*",
    "keras.datasets.*.get_word_index",
    "tensorflow.keras.datasets.*.get_word_index",
    "shap.datasets.*",
    "fastai.*.untar_data",
    "tensorflow_datasets.builder",
    "torch_geometric.datasets.*",
    "sklearn.datasets.load_*",
    "sklearn.datasets.fetch_*",
    "sklearn.datasets.make_*",
    "datasets.load_dataset",
    "tensorflow_datasets.load",
    "torchvision.datasets.*",
    "torchtext.datasets.*",
    "torchaudio.datasets.*",
    "keras.datasets.*.load_data",
    "tensorflow.keras.datasets.*.load_data",
    "seaborn.load_dataset",
    "openml.datasets.get_dataset",
    "statsmodels.datasets.*",
    # sample data bundled with a library
    "skimage.data.*",
    "scipy.datasets.*",
    "mxnet.gluon.data.vision.datasets.*",
    "mxnet.gluon.data.vision.MNIST",
    "mxnet.gluon.data.vision.FashionMNIST",
    "mxnet.gluon.data.vision.CIFAR10",
    "mxnet.gluon.data.vision.CIFAR100",
    "gluoncv.data.*Detection",
    "gluoncv.data.*Segmentation",
    "torch_geometric.datasets.*",
)
DATABASES = (
    "pandas.read_sql",
    "pandas.read_sql_query",
    "pandas.read_sql_table",
    "sqlalchemy.create_engine",
    "psycopg2.connect",
    "pymysql.connect",
    "sqlite3.connect",
    "pyodbc.connect",
    "cx_Oracle.connect",
    "mysql.connector.connect",
    "azureml.data.sql_data_reference.SqlDataReference",
)
WAREHOUSES = (
    "pandas.read_gbq",
    "google.cloud.bigquery.Client.list_rows",
    "google.cloud.bigquery.Client.query_and_wait",
    "google.cloud.bigquery_storage*.BigQueryReadClient.*",
    "tensorflow_io.bigquery.BigQueryClient.read_session",
    "bigframes.pandas.read_gbq*",
    "*.read_gbq",
    "awswrangler.athena.*",
    "awswrangler.redshift.*",
    "redshift_connector.connect",
    "pyathena.connect",
    "snowflake.connector.connect",
    "google.cloud.bigquery.Client.query",
    "*.start_query_execution",
    "*.redshift-data.execute_statement",
    "*.redshift-data.batch_execute_statement",
    "databricks.sql.connect",
)
#: Azure ML data sets and data references: the data is read through Azure ML (kind ``azure``)
AZURE_DATASETS = (
    "azureml.core.Dataset.Tabular.from_*",
    "azureml.core.Dataset.File.from_files",
    "azureml.core.dataset.Dataset.Tabular.from_*",
    "azureml.core.dataset.Dataset.File.from_files",
    "azureml.data.dataset_factory.*DatasetFactory.from_*",
    "azureml.core.Dataset.get_by_name",
    "azureml.core.Dataset.get_by_id",
    "azureml.core.dataset.Dataset.get_by_name",
    "azureml.core.dataset.Dataset.get_by_id",
    "azureml.data.datapath.DataPath",
    "azureml.data.data_reference.DataReference",
    "azureml.core.Datastore.get.path",
    "azure.ai.ml.Input",
    "azure.ai.ml.MLClient.data.get",
    "mltable.from_*",
    "mltable.load",
    # a data asset fetched by name and version through a client made otherwise
    "azure.ai.ml.MLClient*.data.get",
)
#: Vertex AI managed data sets made from storage or BigQuery (``gcs_source=``/``bq_source=``)
VERTEX_DATASETS = (
    "google_cloud_pipeline_components.*DatasetCreateOp",
    "google_cloud_pipeline_components.*dataset_create*",
    "vertexai.*.tune_model",
    "vertexai.*sft.train",
    "vertexai.*TuningEvaluationSpec",
    "vertexai.*Evaluation*Spec",
    "vertexai.*.evaluate",
    "google.cloud.aiplatform.*Dataset.create",
    "google.cloud.aiplatform.*Dataset.import_data",
    "vertexai.*Dataset.create",
)
FEATURE_STORE_READS = (
    "sagemaker.feature_store.*.athena_query",
    "*.as_dataframe",
    "*.get_record",
    "*.batch_get_record",
    "feast.FeatureStore.get_historical_features",
    "feast.FeatureStore.get_online_features",
    "google.cloud.aiplatform.*Featurestore*.read",
    "google.cloud.aiplatform.*EntityType.read",
    "google.cloud.aiplatform.*FeatureView.read",
    "*.fetch_feature_values",
)
#: consumers of streams: data coming in, not a feature store
STREAMS = (
    "kafka.KafkaConsumer",
    "confluent_kafka.Consumer",
    "aiokafka.AIOKafkaConsumer",
    "*.get_records",
    "*.get_shard_iterator",
    "*.subscribe_to_shard",
    "amazon_kclpy.*",
    "pyspark.sql.SparkSession.readStream.*",
    "*.readStream.*",
    "*.start_replication_task",
    "*.create_replication_task",
)
DOWNLOADS = (
    "*.download_file",
    "*.download_fileobj",
    "*.get_object",
    "sagemaker.*Session.download_data",
    "requests.get",
    "httpx.get",
    "urllib.request.urlretrieve",
    "urllib.request.urlopen",
    "wget.download",
    "gdown.download",
    "tensorflow.keras.utils.get_file",
    "keras.utils.get_file",
    "torchvision.datasets.utils.download_url",
    "google.cloud.storage.Blob.download_to_filename",
    "google.cloud.storage.Client.bucket.blob.download_to_filename",
    "*.blob.download_to_filename",
    "*.download_as_string",
    "*.download_as_bytes",
    "*.download_as_text",
)

# --------------------------------------------------------------------------- the call table
SKLEARN_PREPROCESSING = (
    "pyspark.ml.feature.*",
    "sklearn.compose.ColumnTransformer*",
    "sklearn.preprocessing.*",
    "sklearn.feature_extraction.*",
    "sklearn.impute.*",
    "sklearn.feature_selection.*",
    "sklearn.decomposition.*",
    "category_encoders.*",
    "*Scaler.fit",
    "*Encoder.fit",
    "*Vectorizer.fit",
    "*Imputer.fit",
    "*Tokenizer.fit",
    "*.preprocessing.*",
    "*.Normalization.adapt",
)
SAGEMAKER_TRAINING = (
    "sagemaker.*.fit",
    "sagemaker.*.HyperparameterTuner.fit",
    "sagemaker.Estimator.fit",
)


#: Hugging Face ``load_dataset`` builders that read the files they are given
#: (``load_dataset("csv", data_files="train.csv")``), not a data set named on the hub
FILE_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "imagefolder",
        "audiofolder",
        "webdataset",
        "pandas",
    }
)


def _builder_files(call: Call) -> Any:
    """The files a file builder reads (the first literal of ``data_files``/``data_dir``), or
    ``NOT_LITERAL`` when computed; None when the call names a data set instead."""
    if call.name != "datasets.load_dataset" or arg(0, "path")(call) not in FILE_BUILDERS:
        return None
    for key in ("data_files", "data_dir"):
        value = call.keywords.get(key)
        if isinstance(value, dict):
            value = next(iter(value.values()), None)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str):
            return value
    return NOT_LITERAL


def _dataset_kind(call: Call) -> str:
    files = _builder_files(call)
    if files is None:
        return "dataset"
    return uri_kind(files) if isinstance(files, str) else "local"


def _dataset_uri(call: Call) -> Any:
    files = _builder_files(call)
    if files is None:
        return arg(0, "path", "name")(call) or call.name
    return files if isinstance(files, str) else None


def _tuning_method(call: Call) -> str:
    name = call.name.lower()
    if "grid" in name:
        return "grid"
    if "random" in name:
        return "random"
    strategy = str(call.kw("strategy", "") or "").lower()
    if strategy:
        return {
            "bayesian": "bayesian",
            "random": "random",
            "hyperband": "hyperband",
            "grid": "grid",
        }.get(strategy, strategy)
    if "hyperparametertuner" in name:
        return "bayesian"  # SageMaker's default strategy
    if name.startswith(("optuna", "hyperopt", "skopt")) or "bayes" in name:
        return "bayesian"
    if "hyperband" in name:
        return "hyperband"
    return "other"


def _instance_family(itype: Any) -> str | None:
    if not isinstance(itype, str):
        return None
    t = itype.lower()
    if t.startswith("local"):
        return "local_gpu" if "gpu" in t else "local"
    fam = t.split(".")[1] if t.startswith("ml.") and t.count(".") >= 2 else t.split(".")[0]
    if fam.startswith(("inf", "ml_inf")):
        return "inferentia"
    if fam.startswith("trn"):
        return "trainium"
    if fam.startswith(("p2", "p3", "p4", "p5", "g4", "g5", "g6", "g3", "p6", "gr6")):
        return "gpu"
    if re.match(r"^[a-z]+\d+g[a-z]*$", fam):
        return "graviton"
    return "cpu"


def _deploy_target(call: Call) -> str:
    kws = call.keywords
    if "serverless_inference_config" in kws:
        return "serverless"
    if "async_inference_config" in kws:
        return "async"
    itype = call.kw("instance_type")
    if isinstance(itype, str) and itype.startswith("local"):
        return "local"
    if "multidatamodel" in call.name.lower():
        return "multi_model"
    return "realtime"


def _endpoint_config_target(call: Call) -> str:
    """boto3 ``create_endpoint_config``: async with ``AsyncInferenceConfig``, serverless when a
    production variant (as a literal) has a ``ServerlessConfig``, else real-time."""
    if "AsyncInferenceConfig" in call.keywords:
        return "async"
    variants = call.kw("ProductionVariants")
    if isinstance(variants, (list, tuple)) and any(
        isinstance(v, dict) and "ServerlessConfig" in v for v in variants
    ):
        return "serverless"
    return "realtime"


#: keyword arguments that name what a cloud job or managed data set reads, and its kind when
#: the value is not a literal URI (``gcs_source=[IMPORT_FILE]``, ``bigquery_source=...``)
SOURCE_KEYWORDS = {
    "gcs_source": "gcs",
    "gcs_source_uris": "gcs",
    "gcs_uri": "gcs",
    "bq_source": "warehouse",
    "bigquery_source": "warehouse",
    "bigquery_uri": "warehouse",
    "bq_uri": "warehouse",
    "InputLocation": "s3",
    "input_location": "s3",
    "training_data": None,
    "train_dataset": None,
    "validation_dataset": None,
    "evaluation_data": None,
    "ground_truth_data": None,
    "model_garden_source_model_name": "model_hub",
    "data_source": None,  # model_monitoring.SkewDetectionConfig(data_source="bq://...")
    "data": None,  # Transformer.transform(data=...)
}


def source_of(call: Call) -> tuple[str, Any]:
    """(kind, uri) of what a job or managed data set reads, from its source keyword."""
    for key, kind in SOURCE_KEYWORDS.items():
        if key not in call.keywords:
            continue
        value = call.keywords[key]
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str)), NOT_LITERAL)
        if isinstance(value, str):
            found = uri_kind(value)
            if value.startswith("bq://"):
                return "warehouse", value
            # a template (`f"{BUCKET_URI}/x.csv"`) or an id: the keyword says what it is
            return (kind if kind and found == "local" else found), value
        return (kind or ("s3" if call.name.startswith("sagemaker.") else "unknown")), None
    return "none", None  # no source given: not a read (a job on a registered data set)


def _job_data_kind(call: Call, *keys: str) -> str:
    """The kind of what a SageMaker job reads from a keyword: from its URI when a literal,
    else S3 (where SageMaker jobs read their data); ``"none"`` when no data is given."""
    for key in keys:
        if key in call.keywords:
            value = call.kw(key)
            return uri_kind(value) if isinstance(value, str) else "s3"
    return "none"


_WRITTEN_DIRECTORY = re.compile(r"(?:^|/)(?:output|outputs|logs?|checkpoints?)(?:[/-]|$)", re.I)


def _file_system_kind(call: Call) -> str:
    """A file-system channel of a SageMaker job (EFS, FSx) is a local read, unless it is where
    the job writes: an output, log or checkpoint folder, or a computed folder mounted
    read-write."""
    path = call.kw("directory_path")
    if isinstance(path, str):
        return "none" if _WRITTEN_DIRECTORY.search(path) else "local"
    return "none" if call.kw("file_system_access_mode") == "rw" else "local"


def _read_source(call: Call) -> Any:
    return source_of(call)[1]


def _read_kind(call: Call) -> str:
    return source_of(call)[0]


def submitted_kind(call: Call) -> str | None:
    """The fact kind of an Azure ML ``Experiment.submit(config)`` or ``jobs.create_or_update(job)``,
    from what the configuration was made by: an AutoML config trains through AutoML, a
    HyperDrive or sweep configuration tunes, a pipeline is a pipeline run (no fact here), and a
    script run, estimator or command job trains. ``None``: not a training kind."""
    ref = (call.ref(0) or call.ref("config") or call.ref("job") or "").lower()
    if "pipeline" in ref or ref.endswith(".spark"):
        return None  # a pipeline runs its own steps; a Spark job processes data
    if "automl" in ref:
        return "automl"
    if "hyperdrive" in ref or "sweep" in ref:
        return "tuning"
    if ref.startswith("azure.ai.ml.entities") and "job" not in ref:
        return None  # compute, environments, data assets
    return "training"


#: words of evaluation metrics: a value logged through a general logging call (Azure ML's
#: ``run.log``, ``wandb.log``) is a metric when its name says so (``alpha`` or ``framework``
#: logged the same way are parameters)
METRIC_WORDS = re.compile(
    r"(?-i:(?<![a-z])acc|Acc|ACC)|loss|auc|f1|precision|recall|rmse|mse|mae|mape|r2|error|score"
    r"|bleu|rouge|wer\b|cer\b|iou|\bmap\b|ndcg|perplexity|reward|logloss|entropy|corr|dice"
    r"|jaccard|exact_match|mcc|kappa|top_?\d|hit_?rate|roc|pr_curve|confusion|mean_average"
    r"|mase|smape|wape|crps|quantile_?loss",
    re.I,
)
#: what a ``metric=`` keyword names when it is a distance between samples (nearest neighbours,
#: clustering, embeddings), not a measure of a model's quality
DISTANCES = frozenset(
    {
        "euclidean",
        "sqeuclidean",
        "seuclidean",
        "nan_euclidean",
        "cosine",
        "manhattan",
        "cityblock",
        "minkowski",
        "wminkowski",
        "chebyshev",
        "haversine",
        "hamming",
        "jaccard",
        "dice",
        "correlation",
        "braycurtis",
        "canberra",
        "mahalanobis",
        "precomputed",
        "l1",
        "l2",
        "dot",
        "dot_product",
        "ip",
        "inner_product",
        "angular",
        "kulsinski",
        "rogerstanimoto",
        "russellrao",
        "sokalmichener",
        "sokalsneath",
        "yule",
    }
)
#: libraries whose ``metric=`` names the evaluation metric of training or tuning
#: (LightGBM's ``metric="auc"``, Ray Tune's ``metric="mean_loss"``), whatever the name
EVAL_METRIC_LIBRARIES = (
    "lightgbm.",
    "xgboost.",
    "catboost.",
    "ray.",
    "optuna.",
    "keras_tuner.",
    "kerastuner.",
    "autogluon.",
    "flaml.",
    "h2o.",
    "prophet.",
    "sktime.",
    "darts.",
    "gluonts.",
)


def evaluation_metric(value: Any, api: str = "") -> Any:
    """The metric(s) a ``metric=`` setting names, when they are evaluation metrics: any name
    on a training or tuning library (:data:`EVAL_METRIC_LIBRARIES`), elsewhere a name that
    reads as one (``"auc"``, ``"val_loss"``) and is not a distance (``"cosine"``)."""
    names = value if isinstance(value, list) else [value]
    names = [n for n in names[:16] if isinstance(n, str) and n]
    if not api.startswith(EVAL_METRIC_LIBRARIES):
        names = [n for n in names if METRIC_WORDS.search(n) and n.lower() not in DISTANCES]
    return names or None


#: logging calls that log parameters and metrics alike
_GENERAL_LOGS = (".log", ".log_list", ".log_row", ".log_table", "wandb.log")


def _logged_metric(call: Call) -> Any:
    """The name of a metric logged to a tracker: ``log_metric("rmse", v)``, ``name=``, or the
    keys of ``log_metrics({...})`` / ``wandb.log({...})``."""
    value = arg(0, "name", "key", "metric_name", "hyperparameter_metric_tag", "metrics")(call)
    names = [k for k in value if isinstance(k, str)] if isinstance(value, dict) else [value]
    names = [n for n in names if isinstance(n, str)]
    if call.name.endswith(_GENERAL_LOGS):
        names = [n for n in names if METRIC_WORDS.search(n)]
    return names or None


def _zoo_model(call: Call) -> Any:
    """``model_zoo.get_model("yolo3_darknet53_coco", pretrained=True)``: a pre-trained model
    of a library's zoo, by its name."""
    if call.kw("pretrained") is not True:
        return None
    return arg(0, "name")(call)


#: calls that load a pre-trained model by its id, and where the id is (position, keywords);
#: ``pipeline(task, model)`` names the model second
_HUB_ARGS = {
    "transformers.pipeline": (1, ("model",)),
    "timm.create_model": (0, ("model_name",)),
    "torch.hub.load": (0, ("repo_or_dir",)),
    "sentence_transformers.SentenceTransformer": (0, ("model_name_or_path",)),
    # exported to ONNX straight from the hub
    "transformers.convert_graph_to_onnx.convert": (99, ("model",)),
    "optimum.exporters.onnx.main_export": (0, ("model_name_or_path",)),
}


def hub_id(call: Call) -> Any:
    """The hub id of the model a call loads: a text, ``None`` when computed, ``False`` when the
    call loads no model from a hub (``timm.create_model(..., pretrained=False)``, a pipeline
    with the task's default model, a model retrieved without an id)."""
    name = call.name
    if name.startswith(("vertexai.", "google.cloud.aiplatform.")):
        return False  # a model hosted behind Google's API: called, not fetched
    if name.endswith(("Config.from_pretrained", "GenerationConfig.from_pretrained")):
        return False  # a model's configuration only, not its weights
    position, keys = _HUB_ARGS.get(name, (0, ("pretrained_model_name_or_path", "model_id")))
    if name == "timm.create_model" and call.kw("pretrained") is not True:
        return False
    if name.startswith("sagemaker."):
        position, keys = 99, ("model_id",)  # JumpStart: the model_id keyword
    if name.startswith(("tensorflow_hub.", "keras.applications", "tensorflow.keras.applications")):
        position, keys = 0, ("handle",)
    value = arg(position, *keys)(call)
    if value is None:
        given = any(k in call.keywords for k in keys) or position < len(call.args)
        if given and _local_or_loaded(call, position, keys):
            return False
        return None if given else False
    if isinstance(value, str) and value.startswith("{"):
        # a path built on a variable (`os.path.join(output_dir, "checkpoint-500")`): a local
        # folder when the variable names one, else a computed id
        return False if _PATH_NAME.search(value[1:].split("}", 1)[0]) else None
    return value if isinstance(value, str) else None


#: names of what holds a folder on the notebook's machine (``model_dir``, ``output_path``)
_PATH_NAME = re.compile(
    r"(?:^|[._])(?:\w*_)?(?:dir|directory|folder|output|outputs|local)(?:_\w*)?$"
    r"|(?:^|[._])(?:\w*_)?(?<!name_or_)path$"
    r"|^(?:os\.path|pathlib|tempfile)\.",
    re.I,
)


def _local_or_loaded(call: Call, position: int, keys: tuple[str, ...]) -> bool:
    """The model argument is a local folder (``from_pretrained(model_dir)``) or a model
    object loaded by another call (``pipeline(model=AutoModel.from_pretrained(...))``, counted
    where it was loaded): not a hub id."""
    refs = [call.ref(k) for k in keys if k in call.keywords]
    if position < len(call.args):
        refs.append(call.ref(position))
    for ref in refs:
        if not ref:
            continue
        if ref.endswith((".from_pretrained", ".load", ".create_model")) or _PATH_NAME.search(ref):
            return True
    return False


def _explains_instances(call: Call) -> bool:
    """``endpoint.explain(instances=[...])`` or ``endpoint.explain([x])``: instances to explain
    (Spark's ``df.explain()`` takes nothing or a mode: ``True``, ``"formatted"``)."""
    if "instances" in call.keywords:
        return True
    return bool(call.args) and not isinstance(call.args[0], (bool, str))


def _clarify_job(call: Call, *words: str) -> bool:
    """A processing job whose arguments (literal or by name) mention one of ``words``
    (``create_processing_job(explainability_analysis_config_path, ...)``)."""
    texts = [str(v) for v in (*call.args, *call.keywords.values()) if isinstance(v, str)]
    texts += [str(r) for r in (call.refs or {}).values()]
    return any(w in t.lower() for t in texts for w in words)


def _interpret_kind(call: Call) -> str | None:
    """InterpretML's glass-box models (``ExplainableBoostingClassifier``) are models: fitting or
    predicting with one explains nothing, asking it for ``explain_global``/``explain_local``
    does."""
    if call.name.startswith("interpret.glassbox.") and not call.last.startswith("explain"):
        return None
    return "explainability"


def _shap_collection(call: Call) -> bool:
    name = arg(0, "name")(call)
    return isinstance(name, str) and name in ("average_shap", "full_shap", "feature_importance")


#: metric names that are not worth a fact on their own: a prediction's score, an error field
_NOT_METRIC_NAMES = frozenset({"score", "scores", "error", "errors", "errormessage"})


def _named_metric(*keys: str, position: int = 99) -> Callable[[Call], Any]:
    """The metric a call names by a literal argument (``add_scalar("val/accuracy", v)``,
    ``get_output(metric="AUC_weighted")``), when the name reads as an evaluation metric."""
    get = arg(position, *keys)

    def name(call: Call) -> Any:
        value = get(call)
        if (
            isinstance(value, str)
            and METRIC_WORDS.search(value)
            and value.lower() not in _NOT_METRIC_NAMES
        ):
            return value
        return None

    return name


def _fetched_metrics(call: Call) -> Any:
    """``run.get_metrics()`` fetches a run's metrics; ``get_metrics(name="scale factor")`` one
    logged value, a metric only when its name says so."""
    name = arg(0, "name")(call)
    if isinstance(name, str):
        return name if METRIC_WORDS.search(name) else None
    return "get_metrics"


def _scorer_metric(call: Call) -> Any:
    """The metric a scikit-learn scorer is made of: a metric function given by name
    (``make_scorer(fbeta_score, beta=2)``) or a scorer's name (``get_scorer("roc_auc")``)."""
    value = arg(0, "score_func", "scoring")(call)
    if isinstance(value, str):
        return value
    ref = call.ref(0) or call.ref("score_func") or ""
    return ref.rsplit(".", 1)[-1] or None


def _text_naming(value: Any, word: str) -> Any:
    """``value`` when it is a text holding ``word`` (case aside), else None."""
    return value if isinstance(value, str) and word in value.lower() else None


def _json_path_metric(call: Call) -> Any:
    """A pipeline condition reading an evaluation report: ``JsonGet(...,
    json_path="regression_metrics.mse.value")`` reads the metric ``mse``."""
    path = arg(99, "json_path")(call)
    if not isinstance(path, str):
        return None
    parts = [p for p in re.split(r"[.\[\]'\"]+", path) if p and p not in ("value", "$")]
    named = [p for p in parts if METRIC_WORDS.search(p) and not p.endswith("_metrics")]
    return named[-1] if named else (path if METRIC_WORDS.search(path) else None)


def _display_metric(call: Call) -> str:
    """``ConfusionMatrixDisplay.from_predictions`` computes a confusion matrix: its name."""
    cls = call.name.rsplit(".", 2)[-2]
    words = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.removesuffix("Display")).lower()
    return {"roc_curve": "roc_curve", "det_curve": "det_curve"}.get(words, words)


def _logged_chart(call: Call) -> str:
    """``run.log_confusion_matrix(...)``, ``wandb.plot.roc_curve(...)``: the chart's metric."""
    return call.last.removeprefix("log_").removeprefix("plot_")


def _metric_names(*keys: str) -> Callable[[Call], Any]:
    """Metric names given as a string, a list of strings, or the keys of a dict."""

    def get(call: Call) -> Any:
        for k in keys:
            v = call.keywords.get(k)
            if isinstance(v, (str, list, dict)):
                return v
        return None

    return get


#: (name globs, fact kind, fields) or (name globs, fact kind, fields, unless-globs): a call that
#: matches the globs and none of the unless-globs gives a fact of that kind
CALLS: list[
    tuple[tuple[str, ...], str, Fields] | tuple[tuple[str, ...], str, Fields, tuple[str, ...]]
] = [
    # ---- data
    (
        READERS,
        "data_source",
        {
            "via": api,
            "uri": arg(
                0, "filepath_or_buffer", "path", "s3_data", "source", "file", "fname", "uri", "root"
            ),
        },
    ),
    (
        DATASETS,
        "data_source",
        {"via": api, "kind": lambda c: _dataset_kind(c), "uri": lambda c: _dataset_uri(c)},
        LOCAL_FOLDER_DATASETS,
    ),
    (DATABASES, "data_source", {"via": api, "kind": "database", "uri": lambda c: _db_uri(c)}),
    (
        AZURE_DATASETS,
        "data_source",
        {
            "via": api,
            "kind": "azure",
            "uri": arg(0, "path", "path_on_datastore", "name", "id", "uri", "url"),
        },
        ("*.to_pandas_dataframe", "*.as_named_input", "*.as_mount", "*.as_download"),
    ),
    (VERTEX_DATASETS, "data_source", {"via": api, "kind": _read_kind, "uri": _read_source}),
    (
        (
            "google.cloud.aiplatform.*Model.batch_predict",
            "google.cloud.aiplatform.*.batch_predict",
            "*.batch_predict",
            "google.cloud.aiplatform.Model.evaluate",
            "google.cloud.aiplatform.*Model*.evaluate",
            "google.cloud.aiplatform.*TrainingJob.run.evaluate",
            "*.invoke_endpoint_async",
            "vertexai.*MonitoringInput",
            "google.cloud.aiplatform.*BatchPredictionJob.create",
            "google.cloud.aiplatform.Model.upload",
            # the training data a deployed model's inputs are compared with
            "google.cloud.aiplatform.model_monitoring.SkewDetectionConfig",
        ),
        "data_source",
        {"via": api, "kind": _read_kind, "uri": _read_source},
    ),
    (
        (
            "sagemaker.clarify.DataConfig",
            "sagemaker.model_monitor.*Monitor.suggest_baseline",
        ),
        "data_source",
        {
            "via": api,
            "uri": arg(99, "s3_data_input_path", "baseline_dataset"),
            "kind": lambda c: _job_data_kind(c, "s3_data_input_path", "baseline_dataset"),
        },
    ),
    (
        (
            # the data an Azure AutoML run trains on (a registered or computed data set)
            "azureml.train.automl.AutoMLConfig",
            "azureml.train.automl.automlconfig.AutoMLConfig",
        ),
        "data_source",
        {
            "via": api,
            "uri": lambda c: None,
            "kind": lambda c: "azure" if "training_data" in c.keywords else "none",
        },
    ),
    (
        # an Azure ML data set handed to a run or step: mounted, downloaded or named as input
        ("*.as_mount", "*.as_download", "*.as_named_input"),
        "data_source",
        {"via": api, "uri": lambda c: None, "kind": "azure"},
        ("*.as_named_input.as_mount", "*.as_named_input.as_download"),
    ),
    (
        ("joblib.load",),
        "data_source",
        {
            # arrays saved by the notebook and read back by name (a model file is left out)
            "_kind": lambda c: "data_source" if isinstance(arg(0, "filename")(c), str) else None,
            "via": api,
            "uri": arg(0, "filename"),
        },
    ),
    (
        ("sagemaker.inputs.FileSystemInput", "sagemaker.FileSystemInput"),
        "data_source",
        {
            "via": api,
            "uri": arg(99, "directory_path"),
            "kind": _file_system_kind,
        },
    ),
    (STREAMS, "data_source", {"via": api, "kind": "stream", "uri": lambda c: c.name}),
    (
        # an object copied from a bucket (often a public one) into the notebook's own
        ("boto3.client.s3.copy", "boto3.client.s3.copy_object", "*.s3.copy", "*.s3.copy_object"),
        "data_source",
        {"via": api, "kind": "s3", "uri": lambda c: _copy_source(c)},
    ),
    (
        (
            # files or whole repositories of a hub, by their id
            "huggingface_hub.hf_hub_download",
            "huggingface_hub.snapshot_download",
            "huggingface_hub.*.hf_hub_download",
            "huggingface_hub.*.snapshot_download",
            "kagglehub.*_download",
            "kaggle.api.dataset_download_*",
            "kaggle.api.competition_download_*",
            "*.dataset_download_files",
            "*.competition_download_files",
        ),
        "data_source",
        {
            "via": api,
            "kind": lambda c: (
                "model_hub"
                if c.last == "model_download"
                or (c.name.startswith("huggingface_hub") and arg(99, "repo_type")(c) != "dataset")
                else "dataset"
            ),
            "uri": arg(0, "repo_id", "handle", "dataset", "competition"),
        },
    ),
    (
        ("kfp.dsl.importer", "kfp.v2.dsl.importer"),
        "data_source",
        {"via": api, "uri": arg(0, "artifact_uri")},
    ),
    (WAREHOUSES, "data_source", {"via": api, "kind": "warehouse", "uri": lambda c: c.name}),
    (
        FEATURE_STORE_READS,
        "data_source",
        {"via": api, "kind": "feature_store", "uri": lambda c: c.name},
    ),
    (
        DOWNLOADS,
        "data_source",
        {
            "_kind": lambda c: "data_source" if _from_storage(c) else None,
            "via": api,
            "uri": lambda c: _download_uri(c),
            "kind": lambda c: (
                "gcs"
                if c.name.startswith("google.cloud.storage") or ".blob.download_" in c.name
                else None
            ),
        },
    ),
    # ---- training, tuning, automl
    (
        SAGEMAKER_TRAINING,
        "training",
        {"api": api, "framework": "sagemaker", "managed": True},
        ("sagemaker.*Processor*", "sagemaker.*Transformer*"),
    ),
    (
        ("*.fit", "*.partial_fit", "*.fit_generator"),
        "training",
        {"api": api, "framework": lambda c: c.name.split(".")[0] or None, "managed": False},
        # a quantizer's `fit` calibrates activation ranges of a trained model: not training
        (*SKLEARN_PREPROCESSING, "sagemaker.*", "*Quantizer*", "optimum.*"),
    ),
    (
        (
            "xgboost.train",
            "lightgbm.train",
            "xgboost.cv",
            "lightgbm.cv",
            "catboost.train",
            "catboost.cv",
            "xgboost.dask.train",
            "xgboost.spark.*.fit",
            "sklearn.model_selection.cross_val_score",
            "sklearn.model_selection.cross_validate",
            "sklearn.model_selection.cross_val_predict",
        ),
        "training",
        {"api": api, "framework": lambda c: c.name.split(".")[0], "managed": False},
    ),
    (
        (
            "transformers.Trainer.train",
            "*.Trainer.train",
            "*.SFTTrainer.train",
            "*Trainer.train",
            "setfit.*.train",
            "*.TabularPredictor.fit",
            "gluonts.*.train",
            "*.Estimator.train",
        ),
        "training",
        {"api": api, "framework": lambda c: c.name.split(".")[0] or None, "managed": False},
        ("sagemaker.*",),  # SageMaker's ModelTrainer.train starts a managed job (below)
    ),
    (
        ("*.create_training_job",),
        "training",
        {"api": api, "framework": "sagemaker", "managed": True},
    ),
    (
        (
            "sagemaker.workflow.steps.TrainingStep",
            "sagemaker.workflow.steps.TuningStep",
            "sagemaker.workflow.automl_step.AutoMLStep",
            "azureml.pipeline.steps.EstimatorStep",
            "azureml.pipeline.steps.HyperDriveStep",
            "azureml.pipeline.steps.AutoMLStep",
            "azureml.train.automl.runtime.AutoMLStep",
        ),
        "training",
        {
            "_kind": lambda c: (
                "tuning"
                if c.last in ("TuningStep", "HyperDriveStep")
                else ("automl" if c.last == "AutoMLStep" else "training")
            ),
            "api": api,
            "framework": lambda c: "sagemaker" if c.name.startswith("sagemaker") else "azureml",
            "managed": True,
            "pipeline_step": True,
        },
    ),
    (
        ("sagemaker.*CheckpointConfig", "sagemaker.modules.configs.CheckpointConfig"),
        "checkpoint",
        {"api": api},
    ),
    (
        (
            "sagemaker.*ModelTrainer.train",
            "sagemaker.modules.*.train",
            "sagemaker.train.*.train",
        ),
        "training",
        {"api": api, "framework": "sagemaker", "managed": True},
    ),
    (
        (
            "google.cloud.aiplatform.*TrainingJob.run",
            "google.cloud.aiplatform.*TrainingJob.submit",
            "google.cloud.aiplatform.CustomJob.run",
            "google.cloud.aiplatform.CustomJob.submit",
            "google.cloud.aiplatform.CustomJob.from_local_script.run",
            "google.cloud.aiplatform.CustomJob.from_local_script.submit",
            "google.cloud.aiplatform.jobs.CustomJob.run",
            "google.cloud.aiplatform.jobs.CustomJob.submit",
            "google.cloud.aiplatform*.JobServiceClient.create_custom_job",
            "google.cloud.aiplatform*.PipelineServiceClient.create_training_pipeline",
            "*.create_custom_job",
            "*.create_training_pipeline",
            "vertexai.*.tune_model",
            "vertexai.*sft.train",
            "vertexai.*.sft.preview_train",
            "vertexai.*distillation.*train",
            "google_cloud_pipeline_components.*CustomTrainingJobOp",
            "google_cloud_pipeline_components.*Custom*TrainingJobRunOp",
            "google_cloud_pipeline_components.*create_custom_training_job_*",
        ),
        "training",
        {"api": api, "framework": "vertex_ai", "managed": True},
        ("google.cloud.aiplatform.AutoML*",),
    ),
    (
        (
            "azureml.core.*Experiment.submit",
            "azureml.core.experiment.Experiment.submit",
            "azure.ai.ml.MLClient.jobs.create_or_update",
            # a job sent through a client made otherwise (`MLClient.from_config(...)`, a helper)
            "*.jobs.create_or_update",
        ),
        "training",
        {"_kind": submitted_kind, "api": api, "framework": "azureml", "managed": True},
    ),
    (
        ("*.fine_tune", "*.fit_one_cycle", "*.fit_flat_cos", "*.fit_sgdr"),
        "training",
        {"api": api, "framework": lambda c: c.name.split(".")[0] or None, "managed": False},
    ),
    (
        (
            "sklearn.model_selection.GridSearchCV",
            "sklearn.model_selection.RandomizedSearchCV",
            "sklearn.model_selection.HalvingGridSearchCV",
            "sklearn.model_selection.HalvingRandomSearchCV",
            "sagemaker.tuner.HyperparameterTuner",
            "sagemaker.HyperparameterTuner",
            "optuna.create_study",
            "hyperopt.fmin",
            "skopt.BayesSearchCV",
            "skopt.gp_minimize",
            "ray.tune.Tuner",
            "ray.tune.run",
            "keras_tuner.*",
            "kerastuner.*",
            "*.create_hyper_parameter_tuning_job",
            "google.cloud.aiplatform.HyperparameterTuningJob.run",
            "google.cloud.aiplatform.HyperparameterTuningJob.submit",
            "google.cloud.aiplatform.jobs.HyperparameterTuningJob.run",
            "*.create_hyperparameter_tuning_job",
            "google_cloud_pipeline_components.*HyperparameterTuningJobRunOp",
        ),
        "tuning",
        {
            "api": api,
            "method": _tuning_method,
            "warm_start": lambda c: (
                "warm_start_config" in c.keywords or "WarmStartConfig" in c.keywords
            ),
        },
    ),
    (
        (
            "sagemaker.automl.*",
            "sagemaker.AutoML",
            "sagemaker.AutoMLV2",
            "*.create_auto_ml_job",
            "*.create_auto_ml_job_v2",
            "autogluon.*",
            "autosklearn.*",
            "flaml.AutoML",
            "tpot.*",
            "h2o.automl.*",
            "pycaret.*.setup",
            "google.cloud.aiplatform.AutoML*TrainingJob.run",
            "google.cloud.aiplatform.AutoML*TrainingJob.submit",
            "google_cloud_pipeline_components.*AutoML*Op",
            "google_cloud_pipeline_components.*automl.*",
        ),
        "automl",
        {"api": api},
    ),
    # ---- evaluation
    (
        ("sklearn.metrics.*",),
        "metric",
        {"name": last_segment},
        (
            "sklearn.metrics.*Display*",
            "sklearn.metrics.make_scorer",
            "sklearn.metrics.get_scorer",
            # distances and kernels between samples, not measures of a model
            "sklearn.metrics.pairwise*",
            "sklearn.metrics.DistanceMetric*",
            "sklearn.metrics.*.*",  # methods on a metric's result: `cm.astype`, `cm.sum`
        ),
    ),
    (
        ("sagemaker.tuner.HyperparameterTuner", "sagemaker.HyperparameterTuner"),
        "metric",
        {"name": arg(1, "objective_metric_name")},
    ),
    (
        # a scorer made of a metric function (`make_scorer(f1_score)`) or named (`get_scorer("r2")`)
        ("sklearn.metrics.make_scorer", "sklearn.metrics.get_scorer"),
        "metric",
        {"name": lambda c: _scorer_metric(c)},
    ),
    (
        ("evaluate.load", "evaluate.combine"),
        "metric",
        {"name": lambda c: arg(0, "path")(c) or "evaluate"},
    ),
    (
        ("torchmetrics.*", "keras.metrics.*", "tensorflow.keras.metrics.*", "tensorflow.metrics.*"),
        "metric",
        {"name": last_segment},
    ),
    (
        ("*.evaluate",),
        "metric",
        {"name": "evaluate"},
        ("*.evaluation*", "sagemaker.*"),
    ),
    (
        ("pyspark.ml.evaluation.*Evaluator", "pyspark.ml.evaluation.*Evaluator.evaluate"),
        "metric",
        {"name": lambda c: arg(99, "metricName")(c) or "evaluate"},
    ),
    (
        (
            "sagemaker.model_metrics.ModelMetrics",
            "sagemaker.model_metrics.MetricsSource",
            "sagemaker.MetricsSource",
            "sagemaker.ModelMetrics",
        ),
        "metric",
        {"name": "model_metrics"},
    ),
    (
        (
            "*.import_model_evaluation",
            "google.cloud.aiplatform.gapic.ModelEvaluation",
            "google_cloud_pipeline_components.*ModelEvaluation*Op",
            "google_cloud_pipeline_components.*evaluation.*",
        ),
        "metric",
        {"name": "model_evaluation"},
        ("*GetVertexModelOp",),
    ),
    (
        (
            "azureml.automl.runtime.shared.score.scoring.*",
            "azureml.train.automl.run.AutoMLRun.get_best_child",
        ),
        "metric",
        {"name": "primary_metric"},
    ),
    (
        (
            "google.cloud.aiplatform.vizier.*MetricInformation",
            "transformers.keras_callbacks.KerasMetricCallback",
        ),
        "metric",
        {"name": lambda c: arg(99, "name")(c) or c.last},
    ),
    (
        ("datasets.load_metric", "datasets.load.load_metric"),
        "metric",
        {"name": lambda c: arg(0, "path")(c) or "load_metric"},
    ),
    (
        (
            "evaluate.load.compute",
            "evaluate.load.add_batch",
            "datasets.load_metric.compute",
            "datasets.load_metric.add_batch",
            "evaluate.combine.compute",
        ),
        "metric",
        {"name": "compute"},
    ),
    (
        (
            "mlflow.log_metric",
            "mlflow.log_metrics",
            "mlflow.MlflowClient.log_metric",
            "mlflow.tracking.MlflowClient.log_metric",
            "wandb.log",
            "wandb.*.log",
            "azureml.core.Run.log",
            "azureml.core.Run.get_context.log",
            "azureml.core.run.Run.get_context.log",
            "azureml.core.Run.log_list",
            "azureml.core.Run.log_row",
            "azureml.core.Run.log_table",
            "azureml.core.Experiment.start_logging.log",
            "azureml.core.Experiment.start_logging.log_list",
            "sagemaker.experiments.*.log_metric",
            "sagemaker.experiments.*.log_metrics",
            "sagemaker.experiments.*.log_precision_recall",
            "sagemaker.experiments.*.log_roc_curve",
            "sagemaker.experiments.*.log_confusion_matrix",
            "google.cloud.aiplatform.log_metrics",
            "google.cloud.aiplatform.log_classification_metrics",
            "google.cloud.aiplatform.log_time_series_metrics",
            "hypertune.HyperTune.report_hyperparameter_tuning_metric",
            "kfp.*.Metrics.log_metric",
            "*.log_metric",
            "*.log_metrics",
        ),
        "metric",
        {"name": _logged_metric},
        ("*.log_metric_data", "boto3.*", "*Trainer.log_metrics", "*.trainer.log_metrics"),
    ),
    (
        (
            "azureml.core.Run.get_metrics",
            "azureml.core.*Experiment.submit.get_metrics",
            "azureml.core.run.Run.get_metrics",
            "*.get_metrics",
            "mlflow.MlflowClient.get_metric_history",
            "mlflow.tracking.MlflowClient.get_metric_history",
        ),
        "metric",
        {"name": lambda c: _fetched_metrics(c)},
    ),
    (("mlflow.autolog", "mlflow.*.autolog"), "metric", {"name": "autolog"}),
    (
        (
            "seqeval.metrics.*",
            "nltk.translate.bleu_score.*",
            "rouge_score.*",
            "sacrebleu.*",
            "jiwer.*",
            "pycocotools.cocoeval.COCOeval",
            "sentence_transformers.evaluation.*",
        ),
        "metric",
        {"name": last_segment},
    ),
    (
        (
            "sagemaker.analytics.HyperparameterTuningJobAnalytics",
            "sagemaker.HyperparameterTuningJobAnalytics",
            "sagemaker.tuner.HyperparameterTuner.analytics",
            "sagemaker.*HyperparameterTuner.analytics",
            "*.evals_result",
        ),
        "metric",
        {"name": lambda c: "evals_result" if c.last == "evals_result" else "tuning_job_analytics"},
    ),
    (("*.evaluation_loop", "*.prediction_loop"), "metric", {"name": lambda c: c.last}),
    (
        # a helper named for computing metrics (`compute_metrics(fcst_df=...)`,
        # `accuracy = evaluate_model(model, x, y)`), the notebook's own or a module's
        (
            "compute_metrics",
            "compute_metric",
            "calculate_metrics",
            "calc_metrics",
            "evaluate_model",
            "*.compute_metrics",
            "*.calculate_metrics",
            "*.evaluate_model",
        ),
        "metric",
        {"name": last_segment},
        ("transformers.*", "sagemaker.*", "pycaret.*"),
    ),
    (
        (
            "*.list_model_evaluations",
            "*.get_model_evaluation",
            "google.cloud.aiplatform.model_evaluation.*",
        ),
        "metric",
        {"name": "model_evaluation"},
    ),
    (
        ("sagemaker.analytics.TrainingJobAnalytics", "sagemaker.TrainingJobAnalytics"),
        "metric",
        {"name": lambda c: arg(1, "metric_names")(c) or "training_job_analytics"},
    ),
    (
        (
            # a job's or an experiment's metrics read back (`est.training_job_analytics.dataframe()`)
            "*.training_job_analytics.*",
            "sagemaker.analytics.ExperimentAnalytics",
            "sagemaker.ExperimentAnalytics",
        ),
        "metric",
        {
            "name": lambda c: (
                "experiment_analytics" if "Experiment" in c.name else "training_job_analytics"
            )
        },
    ),
    (
        (
            # scores computed over resamplings or candidate models
            "sklearn.model_selection.learning_curve",
            "sklearn.model_selection.validation_curve",
            "sklearn.model_selection.permutation_test_score",
            "prophet.diagnostics.cross_validation",
            "prophet.diagnostics.performance_metrics",
            "pycaret.*.compare_models",
            "pycaret.*.evaluate_model",
            "*.model_performance",
            "*.leaderboard",
            # agreement of predicted and gold scores (semantic similarity, ranking)
            "scipy.stats.spearmanr",
            "scipy.stats.pearsonr",
            "scipy.stats.kendalltau",
            # metric libraries
            "bert_score.*",
            "fmeval.*",
            "pyspark.mllib.evaluation.*",
            "sktime.performance_metrics.*",
        ),
        "metric",
        {"name": last_segment},
    ),
    (
        (
            "sagemaker.clarify.*.run_bias",
            "sagemaker.clarify.*.run_pre_training_bias",
            "sagemaker.clarify.*.run_post_training_bias",
            "*.run_bias",
            "*.run_pre_training_bias",
            "*.run_post_training_bias",
        ),
        "metric",
        {"name": "bias"},
    ),
    (
        (
            "sagemaker.model_monitor.ModelQualityMonitor",
            "sagemaker.model_monitor.ModelQualityMonitor.suggest_baseline",
            "*.create_model_quality_job_definition",
        ),
        "metric",
        {"name": "model_quality"},
    ),
    (
        (
            "sklearn.model_selection.cross_val_score",
            "sklearn.model_selection.cross_validate",
            "*.score",
        ),
        "metric",
        {"name": last_segment},
        ("*.Scaler.score", "re.*", "*.fuzz.*"),
    ),
    (
        (
            # TensorBoard scalars of a run (PyTorch, tensorboardX, TensorFlow summaries)
            "torch.utils.tensorboard.SummaryWriter.add_scalar",
            "torch.utils.tensorboard.SummaryWriter.add_scalars",
            "tensorboardX.SummaryWriter.add_scalar",
            "tensorboardX.SummaryWriter.add_scalars",
            "*.add_scalar",
            "*.add_scalars",
            "tensorflow.summary.scalar",
            "tensorflow.compat.v2.summary.scalar",
        ),
        "metric",
        {"name": _named_metric("tag", "main_tag", "name", position=0)},
    ),
    (
        (
            # the best run or trial chosen by a metric (Azure AutoML, Ray Tune)
            "azureml.*.get_output",
            "*.get_output",
            "*.get_best_child",
            "*.get_best_result",
            "*.get_best_trial",
            "*.get_best_config",
            "ray.tune.run",
            "ray.tune.TuneConfig",
            "ray.tune.tune_config.TuneConfig",
            "ray.air.config.CheckpointConfig",
            "ray.train.CheckpointConfig",
        ),
        "metric",
        {"name": _named_metric("metric", "checkpoint_score_attribute")},
    ),
    (
        # an Azure ML pipeline's metrics output fetched back (`get_pipeline_output("metrics_output")`)
        ("*.get_pipeline_output",),
        "metric",
        {"name": lambda c: _text_naming(arg(0, "pipeline_output_name")(c), "metric")},
    ),
    (
        ("sagemaker.workflow.functions.JsonGet", "sagemaker.workflow.JsonGet"),
        "metric",
        {"name": _json_path_metric},
    ),
    (
        (
            "sklearn.metrics.*Display.from_estimator",
            "sklearn.metrics.*Display.from_predictions",
            "sklearn.model_selection.*CurveDisplay.from_estimator",
        ),
        "metric",
        {"name": _display_metric},
    ),
    (
        (
            "*.log_confusion_matrix",
            "*.log_roc_curve",
            "*.log_precision_recall",
            "*.log_accuracy_table",
            "*.log_residuals",
            "*.log_classification_metrics",
            "wandb.plot.confusion_matrix",
            "wandb.plot.roc_curve",
            "wandb.plot.pr_curve",
            "wandb.sklearn.plot_confusion_matrix",
            "wandb.sklearn.plot_roc",
            "wandb.sklearn.plot_precision_recall",
        ),
        "metric",
        {"name": _logged_chart},
    ),
    (
        (
            "evaluate.evaluator",
            "evaluate.evaluator.compute",
            "gluonts.evaluation.Evaluator",
            "gluonts.evaluation.MultivariateEvaluator",
            "gluonts.evaluation.backtest.backtest_metrics",
            "tensorflow_model_analysis.run_model_analysis",
            "tensorflow_model_analysis.EvalConfig",
            "tensorflow_model_analysis.MetricsSpec",
            "pytorch_lightning.Trainer.test",
            "pytorch_lightning.Trainer.validate",
            "lightning.Trainer.test",
            "lightning.Trainer.validate",
            "lightning.pytorch.Trainer.test",
            "lightning.pytorch.Trainer.validate",
            "*.evaluate_generator",
            "vertexai.*EvalTask.evaluate",
            "sagemaker.jumpstart.*.evaluate",
        ),
        "metric",
        {"name": lambda c: c.last if c.last[:1].islower() else c.last.lower()},
    ),
    (
        ("vertexai.*evaluation.EvalTask", "vertexai.*EvalTask"),
        "metric",
        {"name": lambda c: _metric_names("metrics")(c) or "eval_task"},
    ),
    (
        (
            # Model Monitor and pipeline checks of a model's quality and bias (Clarify)
            "sagemaker.model_monitor.ModelQualityMonitor.create_monitoring_schedule",
            "sagemaker.workflow.quality_check_step.ModelQualityCheckConfig",
            "sagemaker.workflow.check_job_config.ModelQualityCheckConfig",
        ),
        "metric",
        {"name": "model_quality"},
    ),
    (
        (
            "sagemaker.model_monitor.ModelBiasMonitor.suggest_baseline",
            "sagemaker.model_monitor.ModelBiasMonitor.create_monitoring_schedule",
            "sagemaker.workflow.clarify_check_step.ModelBiasCheckConfig",
            "sagemaker.workflow.clarify_check_step.DataBiasCheckConfig",
            "*.create_model_bias_job_definition",
        ),
        "metric",
        {"name": "bias"},
    ),
    # ---- explainability and bias
    (
        (
            "sagemaker.model_monitor.ModelExplainabilityMonitor",
            "sagemaker.model_monitor.ModelExplainabilityMonitor.create_monitoring_schedule",
            "*.create_model_explainability_job_definition",
            "sagemaker.explainer.*",
            "sagemaker.explainer.clarify_explainer_config.*",
        ),
        "explainability",
        {"method": "clarify_shap"},
    ),
    (
        ("sagemaker.model_metrics.ModelMetrics", "sagemaker.ModelMetrics"),
        "explainability",
        {
            # a model's metrics that carry a Clarify explainability report
            "_kind": lambda c: "explainability" if "explainability" in c.keywords else None,
            "method": "clarify_shap",
        },
    ),
    (
        (
            "google.cloud.aiplatform*.PredictionServiceClient.explain",
            "google.cloud.aiplatform.gapic.PredictionServiceClient.explain",
            "google_cloud_pipeline_components.*FeatureAttribution*",
            "google_cloud_pipeline_components.*feature_attribution*",
        ),
        "explainability",
        {"method": "vertex_xai"},
    ),
    # the library's bundled data sets are data, not explanations
    (("shap.*",), "explainability", {"method": "shap"}, ("shap.datasets.*",)),
    (("lime.*",), "explainability", {"method": "lime"}),
    (("captum.*",), "explainability", {"method": "captum"}, ("captum.attr.visualization.*",)),
    (("eli5.*",), "explainability", {"method": "eli5"}),
    (
        (
            "tf_explain.*",
            "pytorch_grad_cam.*",
            "innvestigate.*",
            "omnixai.*",
            "explainerdashboard.*",
            "treeinterpreter.*",
            "dalex.*",
            "anchor.*",
            "shapash.*",
            "pdpbox.*",
            "transformers_interpret.*",
            "interpret_text.*",
            "lofo.*",
            "explainable_ai_sdk.*",
            "h2o.*.explain",
            "responsibleai.*.explainer.*",
            "*integrated_gradients",
            "*saliency_map*",
            "*grad_cam*",
            "*gradcam*",
            "*smooth_grad*",
        ),
        "explainability",
        {"method": lambda c: c.name.split(".")[0].replace("_", "") or "other"},
    ),
    (
        (
            "sagemaker.model_monitor.ModelExplainabilityMonitor.suggest_baseline",
            "sagemaker.model_monitor.ExplainabilityAnalysisConfig",
        ),
        "explainability",
        {"method": "clarify_shap"},
    ),
    (
        (
            "interpret.*",
            "interpret_community.*",
            "azureml.interpret.*",
            "azureml.train.automl.runtime.automl_explain_utilities.*",
            "raiwidgets.ExplanationDashboard",
            "raiwidgets.ResponsibleAIDashboard",
            "responsibleai.RAIInsights.explainer.add",
        ),
        "explainability",
        {"_kind": lambda c: _interpret_kind(c), "method": "interpret"},
        # reading the values of an explanation made elsewhere, or listing stored ones
        ("*.get_ranked_*", "*.get_feature_importance_dict", "*.list_model_explanations"),
    ),
    (
        (
            "google.cloud.aiplatform.explain.*",
            "google.cloud.aiplatform*.ExplanationMetadata",
            "google.cloud.aiplatform*.ExplanationParameters",
            "google.cloud.aiplatform*.ExplanationSpec",
            "google.cloud.aiplatform*.types.ExplanationMetadata",
            "google.cloud.aiplatform*.types.ExplanationParameters",
            "google.cloud.aiplatform*.types.ExplanationSpec",
            "google.cloud.aiplatform.Endpoint.explain",
            "google.cloud.aiplatform.*Endpoint*.explain",
            "google.cloud.aiplatform.*.deploy.explain",
            "vertexai.*.explain",
            "google.cloud.aiplatform.model_monitoring.ExplanationConfig",
            "google.cloud.aiplatform.model_monitoring.*Attribution*",
        ),
        "explainability",
        {"method": "vertex_xai"},
    ),
    (
        ("sagemaker.debugger.CollectionConfig", "smdebug.*CollectionConfig"),
        "explainability",
        {
            "_kind": lambda c: "explainability" if _shap_collection(c) else None,
            "method": "clarify_shap",
        },
    ),
    (("alibi.explainers.*",), "explainability", {"method": "alibi"}),
    (
        # explainers' own methods, on an explainer made where the reader cannot see it
        ("*.shap_values", "*.shap_interaction_values"),
        "explainability",
        {"method": "shap"},
    ),
    (("*.explain_instance",), "explainability", {"method": "lime"}),
    (("*.explain_global", "*.explain_local"), "explainability", {"method": "interpret"}),
    (("*.generate_counterfactuals",), "explainability", {"method": "dice"}),
    (
        (
            "*.shap_summary_plot",
            "*.shap_explain_row_plot",
            "*.explain_row",
        ),
        "explainability",
        {"method": "shap"},
    ),
    (
        (
            "bertviz.*",
            "skater.*",
            "yellowbrick.*FeatureImportances",
            "yellowbrick.model_selection.feature_importances",
        ),
        "explainability",
        {
            "method": lambda c: (
                "feature_importance" if "importance" in c.name.lower() else c.name.split(".")[0]
            )
        },
    ),
    (
        # an Azure ML Responsible AI component that explains, fetched by its name
        ("*.components.get",),
        "explainability",
        {
            "_kind": lambda c: (
                "explainability" if "explanation" in str(arg(0, "name")(c) or "") else None
            ),
            "method": "interpret",
        },
    ),
    (("dice_ml.*",), "explainability", {"method": "dice"}),
    (
        # a SageMaker Clarify processing job sent through boto3 (or a helper of that name),
        # known by the analysis configuration it is given
        ("*.create_processing_job", "create_processing_job"),
        "explainability",
        {
            "_kind": lambda c: "explainability" if _clarify_job(c, "explainab", "shap") else None,
            "method": "clarify_shap",
        },
    ),
    (
        ("*.create_processing_job", "create_processing_job"),
        "metric",
        {"name": lambda c: "bias" if _clarify_job(c, "bias") else None},
    ),
    (
        ("sklearn.inspection.permutation_importance", "eli5.sklearn.PermutationImportance"),
        "explainability",
        {"method": "permutation_importance"},
    ),
    (
        (
            "sklearn.inspection.partial_dependence",
            "sklearn.inspection.PartialDependenceDisplay",
            "sklearn.inspection.PartialDependenceDisplay.*",
            "sklearn.inspection.plot_partial_dependence",
            "sklearn.ensemble.partial_dependence.*",
        ),
        "explainability",
        {"method": "partial_dependence"},
    ),
    (
        (
            "xgboost.plot_importance",
            "lightgbm.plot_importance",
            "catboost.*.plot_feature_importance*",
            "*.get_feature_importance",
            "*.get_fscore",
            "*.feature_importance",
            "*.varimp",
            "*.varimp_plot",
            "h2o.*.varimp*",
        ),
        "explainability",
        {"method": "feature_importance"},
    ),
    (
        # an XGBoost booster's importances (`bst.get_score(importance_type="gain")`); other
        # `get_score` methods (a similarity, a prediction) are not
        ("*.get_score",),
        "explainability",
        {
            "_kind": lambda c: (
                "explainability"
                if c.name.startswith("xgboost.")
                or ".get_booster." in c.name
                or "importance_type" in c.keywords
                else None
            ),
            "method": "feature_importance",
        },
    ),
    (
        # a Vertex AI endpoint asked to explain instances (`endpoint.explain(instances=[...])`;
        # Spark's `df.explain()` prints a query plan and takes none)
        ("*.explain",),
        "explainability",
        {
            "_kind": lambda c: "explainability" if _explains_instances(c) else None,
            # an Azure MimicWrapper's `explain(["local", "global"], eval_dataset=...)`
            "method": lambda c: "interpret" if "eval_dataset" in c.keywords else "vertex_xai",
        },
    ),
    (
        (
            "sagemaker.clarify.SHAPConfig",
            "*.run_explainability",
            "sagemaker.clarify.PDPConfig",
            "sagemaker.*.SHAPConfig",
            "sagemaker.*.ModelExplainabilityCheckConfig",
        ),
        "explainability",
        {"method": "clarify_shap"},
    ),
    (
        (
            "sagemaker.clarify.BiasConfig",
            "*.run_bias",
            "*.run_pre_training_bias",
            "*.run_post_training_bias",
        ),
        "bias_check",
        {"method": "clarify_bias"},
    ),
    (("fairlearn.*",), "bias_check", {"method": "fairlearn"}),
    (("aif360.*",), "bias_check", {"method": "aif360"}),
    # ---- reproducibility
    (("random.seed",), "seed", {"library": "random"}),
    (
        ("numpy.random.seed", "numpy.random.default_rng", "numpy.random.RandomState"),
        "seed",
        {"library": "numpy"},
    ),
    (
        (
            "torch.manual_seed",
            "torch.cuda.manual_seed",
            "torch.cuda.manual_seed_all",
            "torch.use_deterministic_algorithms",
        ),
        "seed",
        {"library": "torch"},
    ),
    (
        (
            "tensorflow.random.set_seed",
            "tensorflow.set_random_seed",
            "tensorflow.compat.v1.set_random_seed",
            "keras.utils.set_random_seed",
            "tensorflow.keras.utils.set_random_seed",
        ),
        "seed",
        {"library": "tensorflow"},
    ),
    (
        ("jax.random.PRNGKey", "jax.random.key", "flax.*PRNGKey"),
        "seed",
        {"library": "other"},
    ),
    (
        ("transformers.set_seed", "transformers.trainer_utils.set_seed"),
        "seed",
        {"library": "transformers"},
    ),
    (
        (
            "pytorch_lightning.seed_everything",
            "lightning.seed_everything",
            "lightning.pytorch.seed_everything",
            "mxnet.random.seed",
            "sklearn.utils.check_random_state",
        ),
        "seed",
        {"library": "other"},
    ),
    # ---- artifacts and registries
    (
        ("joblib.dump", "sklearn.externals.joblib.dump"),
        "artifact",
        {"format": "joblib", "path": arg(1, "filename")},
    ),
    (
        ("pickle.dump", "cloudpickle.dump", "dill.dump"),
        "artifact",
        {"format": "pickle", "path": lambda c: None},
    ),
    (("torch.save", "torch.jit.save"), "artifact", {"format": "torch", "path": arg(1, "f")}),
    (
        (
            "tensorflow.saved_model.save",
            "tensorflow.keras.models.save_model",
            "keras.models.save_model",
        ),
        "artifact",
        {"format": "savedmodel", "path": arg(1, "filepath", "export_dir")},
    ),
    (
        ("*.save_model",),
        "artifact",
        {
            "format": lambda c: c.name.split(".")[0] if not c.name.startswith(".") else "model",
            "path": arg(0, "fname", "path", "filepath"),
        },
        ("mlflow.*",),
    ),
    (
        ("*.save_pretrained",),
        "artifact",
        {"format": "transformers", "path": arg(0, "save_directory")},
    ),
    (
        (
            "torch.onnx.export",
            "onnx.save",
            "onnx.save_model",
            "skl2onnx.convert_sklearn",
            "tf2onnx.convert.*",
        ),
        "artifact",
        {"format": "onnx", "path": arg(2, "f", "output_path")},
    ),
    (("skops.io.dump",), "artifact", {"format": "skops", "path": arg(1, "file")}),
    (
        ("mlflow.*.log_model",),
        "artifact",
        {"format": "mlflow", "path": arg(1, "artifact_path", "name"), "registered": True},
    ),
    (("mlflow.*.save_model",), "artifact", {"format": "mlflow", "path": arg(1, "path")}),
    (
        (
            "*.register",
            "*.create_model_package",
            "*.create_model_package_group",
            "mlflow.register_model",
            "sagemaker.model_metrics.ModelMetrics",
            "sagemaker.workflow.step_collections.RegisterModel",
            "sagemaker.workflow.model_step.ModelStep",
            "*.transition_model_version_stage",
            "mlflow.MlflowClient.create_registered_model",
        ),
        "model_registry",
        {"api": api},
        ("atexit.register", "*.codecs.register", "*.tf.register*", "*.signal.*", "*.atexit.*"),
    ),
    # ---- deployment
    (("*.deploy",), "deployment", {"api": api, "target": _deploy_target}),
    (
        (
            "google.cloud.aiplatform.*.batch_predict",
            "google.cloud.aiplatform.BatchPredictionJob.create",
            "google.cloud.aiplatform.jobs.BatchPredictionJob.create",
            "*.create_batch_prediction_job",
            "azureml.pipeline.steps.ParallelRunStep",
            "azureml.pipeline.steps.ParallelRunConfig",
            "azure.ai.ml.MLClient.batch_endpoints.*",
            "azure.ai.ml.MLClient.batch_deployments.*",
            "google_cloud_pipeline_components.*ModelBatchPredictOp",
        ),
        "deployment",
        {"api": api, "target": "batch"},
    ),
    (
        (
            "google.cloud.aiplatform.Endpoint.create",
            "google.cloud.aiplatform.Model.upload",
            "google.cloud.aiplatform.PrivateEndpoint.create",
            "google_cloud_pipeline_components.*EndpointCreateOp",
            "google_cloud_pipeline_components.*ModelDeployOp",
            "azureml.core.webservice.*Webservice.deploy_configuration",
            "azureml.core.model.InferenceConfig",
            "azure.ai.ml.MLClient.online_endpoints.*",
            "azure.ai.ml.MLClient.online_deployments.*",
            "azure.ai.ml.MLClient.begin_create_or_update",
            "*.create_endpoint_async",
        ),
        "deployment",
        {"api": api, "target": "realtime"},
        ("*.get", "*.list", "*.delete"),
    ),
    (
        ("*.create_endpoint_config",),
        "deployment",
        {"api": api, "target": _endpoint_config_target},
    ),
    (("*.create_endpoint",), "deployment", {"api": api, "target": "realtime"}),
    (
        (
            "*.transformer",
            "sagemaker.transformer.Transformer",
            "*.create_transform_job",
            "*.Transformer.transform",
        ),
        "deployment",
        {"api": api, "target": "batch"},
        ("*.transformers.*",),
    ),
    (
        ("sagemaker.multidatamodel.MultiDataModel",),
        "deployment",
        {"api": api, "target": "multi_model"},
    ),
    (
        ("sagemaker.serverless.ServerlessInferenceConfig", "sagemaker.serverless.*"),
        "deployment",
        {"api": api, "target": "serverless"},
    ),
    (
        ("sagemaker.async_inference.AsyncInferenceConfig",),
        "deployment",
        {"api": api, "target": "async"},
    ),
    (
        (
            "flask.Flask",
            "fastapi.FastAPI",
            "bentoml.*",
            "*.serve.run",
            "gradio.Interface.launch",
            "mlflow.pyfunc.load_model",
        ),
        "deployment",
        {"api": api, "target": "local"},
    ),
    (
        (
            "*.create_edge_packaging_job",
            "*.create_device_fleet",
            "sagemaker.edge.*",
            "tensorflow.lite.TFLiteConverter.*",
        ),
        "deployment",
        {"api": api, "target": "edge"},
    ),
    (
        ("*.create_inference_experiment", "*.ShadowProductionVariants"),
        "deployment_strategy",
        {"api": api, "strategy": "shadow"},
    ),
    (
        (
            "sagemaker.deployment_config.*",
            "*.BlueGreenUpdatePolicy",
            "sagemaker.model.DeploymentConfig",
        ),
        "deployment_strategy",
        {"api": api, "strategy": "blue_green"},
    ),
    (
        ("*.update_endpoint",),
        "deployment_strategy",
        {
            "api": api,
            "strategy": lambda c: (
                "rollback" if any("Rollback" in k for k in c.keywords) else "blue_green"
            ),
        },
    ),
    (
        (
            "sagemaker.session.production_variant",
            "sagemaker.production_variant",
            "*.update_endpoint_weights_and_capacities",
        ),
        "deployment_strategy",
        {"api": api, "strategy": "ab_test"},
    ),
    # ---- monitoring
    (
        (
            "sagemaker.model_monitor.DefaultModelMonitor",
            "sagemaker.model_monitor.ModelMonitor",
            "*.suggest_baseline",
            "sagemaker.model_monitor.*DataQuality*",
            "whylogs.*",
        ),
        "monitoring",
        {"api": api, "kind": "data_quality"},
    ),
    (
        ("sagemaker.model_monitor.ModelQualityMonitor",),
        "monitoring",
        {"api": api, "kind": "model_quality"},
    ),
    (
        ("sagemaker.model_monitor.ModelBiasMonitor", "sagemaker.model_monitor.BiasAnalysisConfig"),
        "monitoring",
        {"api": api, "kind": "bias_drift"},
    ),
    (
        (
            "sagemaker.model_monitor.ModelExplainabilityMonitor",
            "sagemaker.model_monitor.ExplainabilityAnalysisConfig",
        ),
        "monitoring",
        {"api": api, "kind": "explainability_drift"},
    ),
    (
        (
            "sagemaker.model_monitor.DataCaptureConfig",
            "sagemaker.DataCaptureConfig",
            "*.enable_data_capture",
        ),
        "monitoring",
        {"api": api, "kind": "data_capture"},
    ),
    (
        (
            "*.create_monitoring_schedule",
            "*.create_data_quality_job_definition",
            "*.create_model_quality_job_definition",
        ),
        "monitoring",
        {"api": api, "kind": "data_quality"},
    ),
    (
        ("*.put_metric_alarm", "*.put_composite_alarm"),
        "monitoring",
        {"api": api, "kind": "alarm"},
    ),
    (
        ("*.put_metric_data", "*.get_metric_statistics", "*.get_metric_data"),
        "monitoring",
        {"api": api, "kind": "metrics"},
    ),
    (
        (
            "google.cloud.aiplatform.ModelDeploymentMonitoringJob.*",
            "google.cloud.aiplatform.model_monitoring.*",
            "vertexai.*ml_monitoring.*ModelMonitor*",
            "vertexai.*ml_monitoring.spec.*Spec",
            "vertexai.*ml_monitoring.spec.*Config",
            "azureml.datadrift.*",
            "evidently.*",
            "alibi_detect.*",
            "nannyml.*",
            "deepchecks.*",
            "scipy.stats.ks_2samp",
            "scipy.stats.chisquare",
            "scipy.stats.wasserstein_distance",
            "scipy.spatial.distance.jensenshannon",
            "scipy.stats.chi2_contingency",
        ),
        "monitoring",
        {"api": api, "kind": "drift"},
    ),
    # ---- tracking, pipelines, lineage
    (
        (
            "mlflow.start_run",
            "mlflow.log_*",
            "mlflow.autolog",
            "mlflow.*.autolog",
            "mlflow.set_experiment",
            "mlflow.set_tracking_uri",
        ),
        "tracking",
        {"tool": "mlflow"},
        ("mlflow.log_input",),
    ),
    (("wandb.init", "wandb.log", "wandb.*.log"), "tracking", {"tool": "wandb"}),
    (
        (
            "sagemaker.experiments.*",
            "smexperiments.*",
            "sagemaker.experiments.run.Run",
            "*.load_run",
        ),
        "tracking",
        {"tool": "sagemaker_experiments"},
    ),
    (
        (
            "torch.utils.tensorboard.SummaryWriter",
            "tensorflow.keras.callbacks.TensorBoard",
            "keras.callbacks.TensorBoard",
            "tensorboardX.SummaryWriter",
            "sagemaker.debugger.TensorBoardOutputConfig",
        ),
        "tracking",
        {"tool": "tensorboard"},
    ),
    (("neptune.init*", "neptune.new.init*"), "tracking", {"tool": "neptune"}),
    (("comet_ml.Experiment", "comet_ml.start"), "tracking", {"tool": "comet"}),
    (("clearml.Task.init",), "tracking", {"tool": "clearml"}),
    (("aim.Run",), "tracking", {"tool": "aim"}),
    (("dvc.api.*",), "tracking", {"tool": "dvc"}),
    (
        (
            "sagemaker.workflow.pipeline.Pipeline",
            "sagemaker.workflow.steps.*",
            "sagemaker.workflow.*.Pipeline",
        ),
        "pipeline",
        {"tool": "sagemaker_pipelines"},
    ),
    (("stepfunctions.*",), "pipeline", {"tool": "step_functions"}),
    (
        ("airflow.DAG", "airflow.models.DAG", "airflow.decorators.dag"),
        "pipeline",
        {"tool": "airflow"},
    ),
    (("kfp.*",), "pipeline", {"tool": "kubeflow"}),
    (
        (
            "azureml.pipeline.core.Pipeline",
            "azureml.pipeline.core.PublishedPipeline*",
            "azureml.pipeline.core.PipelineEndpoint*",
            "azureml.pipeline.steps.*",
            "azure.ai.ml.dsl.pipeline",
        ),
        "pipeline",
        {"tool": "azureml"},
    ),
    (
        (
            "google.cloud.aiplatform.PipelineJob",
            "google.cloud.aiplatform.pipeline_jobs.PipelineJob",
        ),
        "pipeline",
        {"tool": "kubeflow"},
    ),
    (("prefect.flow", "prefect.Flow"), "pipeline", {"tool": "prefect"}),
    (
        ("dagster.job", "dagster.pipeline", "dagster.Definitions"),
        "pipeline",
        {"tool": "dagster"},
    ),
    (("zenml.pipeline", "zenml.pipelines.*"), "pipeline", {"tool": "zenml"}),
    (
        ("sklearn.pipeline.Pipeline", "sklearn.pipeline.make_pipeline"),
        "pipeline",
        {"tool": "sklearn"},
    ),
    (
        (
            "sagemaker.lineage.*",
            "*.LineageQuery",
            "mlflow.log_input",
            "*.add_association",
            "*.create_artifact",
            "*.create_context",
        ),
        "lineage",
        {"api": api},
    ),
    # ---- data work
    (
        (
            "*.describe",
            "*.info",
            "*.value_counts",
            "*.isnull",
            "*.isna",
            "*.nunique",
            "*.corr",
            "*.hist",
            "seaborn.pairplot",
            "seaborn.histplot",
            "seaborn.heatmap",
            "ydata_profiling.*",
            "pandas_profiling.*",
            "sweetviz.*",
            "dtale.show",
            "*.profile_report",
            "pydeequ.analyzers.*",
            "*.AnalysisRunner",
            "*.ColumnProfilerRunner",
        ),
        "profiling",
        {"api": api},
        (
            "logging.*",
            "*.getLogger.*",
            "*.logger.*",
            "*.log.info",
            "*.describe_*",
            "boto3.*",
            "sagemaker.*",
            "*.client.*",
            "*.session.*",
            "*.Session.*",
            "sys.*",
            "platform.*",
            "*.Logger.*",
        ),
    ),
    (
        (
            "great_expectations.*",
            "pandera.*",
            "pydeequ.checks.*",
            "pydeequ.verification.*",
            "*.VerificationSuite",
            "tensorflow_data_validation.*",
            "*.validate_statistics",
            "*.infer_schema",
        ),
        "data_validation",
        {"api": api},
    ),
    (
        (
            "sagemaker.feature_store.*",
            "feast.*",
            "*.ingest",
            "*.create_feature_group",
            "*.sagemaker-featurestore-runtime.put_record",
            "*.sagemaker-featurestore-runtime.delete_record",
        ),
        "feature_store",
        {"api": api},
        ("*.glue.*",),
    ),
    (
        ("*.create_labeling_job", "label_studio_sdk.*", "sagemaker.groundtruth.*"),
        "labeling",
        {"api": api},
    ),
    (
        (
            "sagemaker.processing.*",
            "sagemaker.sklearn.processing.*",
            "sagemaker.spark.processing.*",
            "sagemaker.*.processing.*",
            "*.create_processing_job",
            "sagemaker.wrangler.*",
            "*.start_job_run",
            "*.run_job_flow",
            "*.add_job_flow_steps",
        ),
        "processing",
        {"api": api, "managed": True},
        ("sagemaker.processing.ProcessingInput", "sagemaker.processing.ProcessingOutput"),
    ),
    (
        (
            "pyspark.sql.SparkSession.builder.*",
            "pyspark.SparkContext",
            "dask.distributed.Client",
            "ray.init",
        ),
        "processing",
        {"api": api, "managed": False},
    ),
    (
        (
            "*.get_table",
            "*.get_tables",
            "*.create_database",
            "*.create_table",
            "*.create_crawler",
            "*.start_crawler",
            "awswrangler.catalog.*",
            "*.grant_permissions",
            "*.get_databases",
        ),
        "data_catalog",
        {"api": api},
        ("sqlalchemy.*",),
    ),
    # ---- cost, performance, sustainability
    (
        (
            "sagemaker.debugger.*",
            "smdebug.*",
            "logging.basicConfig",
            "sagemaker.debugger.rule_configs.*",
        ),
        "debugging",
        {"api": api},
    ),
    (
        (
            "*.compile_model",
            "torch.quantization.*",
            "torch.ao.quantization.*",
            "optimum.*",
            "tensorrt.*",
            "torch_tensorrt.*",
            "onnxruntime.quantization.*",
            "*.right_size",
            "torch.compile",
        ),
        "model_optimization",
        {
            "api": api,
            "method": lambda c: (
                "quantization"
                if "quant" in c.name or c.name.startswith("optimum")
                else ("right_size" if c.name.endswith("right_size") else "compilation")
            ),
        },
    ),
    (("torch.nn.utils.prune.*",), "model_optimization", {"api": api, "method": "pruning"}),
    (("*.register_scalable_target", "*.put_scaling_policy"), "autoscaling", {"api": api}),
    (
        ("*.create_vpc_endpoint", "*.ec2.create_vpc_endpoint"),
        "network_isolation",
        {"api": api, "keyword": "vpc_endpoint", "policy": lambda c: "PolicyDocument" in c.keywords},
    ),
    (
        ("*.create_notebook_instance", "*.update_notebook_instance"),
        "environment_access",
        {
            "api": api,
            "internet": lambda c: str(c.kw("DirectInternetAccess") or "Enabled").lower(),
            "root": lambda c: str(c.kw("RootAccess") or "Enabled").lower(),
            "vpc_only": lambda c: bool(c.kw("SubnetId")),
        },
    ),
    (
        ("*.sagemaker.create_domain", "sagemaker.*.create_domain", ".create_domain"),
        "environment_access",
        {
            "api": api,
            "internet": lambda c: (
                "disabled" if c.kw("AppNetworkAccessType") == "VpcOnly" else "enabled"
            ),
            "root": lambda c: "unknown",
            "vpc_only": lambda c: c.kw("AppNetworkAccessType") == "VpcOnly",
        },
    ),
    (
        ("*.put_bucket_versioning", "*.Bucket.Versioning.enable", "*.BucketVersioning.enable"),
        "data_versioning",
        {"api": api, "how": "bucket versioning"},
    ),
    (
        (
            "*.put_bucket_lifecycle_configuration",
            "*.put_bucket_intelligent_tiering_configuration",
            "*.put_bucket_analytics_configuration",
            "*.BucketLifecycleConfiguration.put",
        ),
        "storage_lifecycle",
        {"api": api},
    ),
    (
        (
            "pandas.*.to_csv",
            "pandas.*.to_parquet",
            "pandas.*.to_json",
            "pandas.*.to_excel",
            ".to_csv",
            ".to_parquet",
            "*.upload_file",
            "*.put_object",
            "sagemaker.s3.S3Uploader.upload*",
            "sagemaker.*Session.upload_data",
            "*.upload_data",
        ),
        "data_write",
        {"api": api, "uri": lambda c: _write_uri(c)},
    ),
    (
        (
            "sagemaker.get_execution_role",
            "sagemaker.session.get_execution_role",
            "*.create_role",
            "*.put_role_policy",
            "*.attach_role_policy",
            "*.assume_role",
            "*.create_policy",
        ),
        "iam",
        {
            "api": api,
            "policy": arg(99, "PolicyArn", "PolicyName"),
            "broad": lambda c: bool(
                re.search(
                    r"FullAccess|AdministratorAccess|PowerUserAccess|\*",
                    str(c.kw("PolicyArn") or c.kw("PolicyDocument") or ""),
                )
            ),
        },
    ),
    (
        (
            "*.delete_endpoint",
            "*.delete_model",
            "*.delete_endpoint_config",
            "*.delete_predictor",
            "*.delete_monitoring_schedule",
            "*.stop_training_job",
            "*.stop_notebook_instance",
            "*.delete_pipeline",
            "*.delete_feature_group",
            "*.stop_monitoring_schedule",
            "*.delete_model_package",
            "*.stop_processing_job",
            "*.stop_transform_job",
            "*.delete_all_monitoring_schedules",
        ),
        "cleanup",
        {"api": api},
    ),
    (
        (
            "*.invoke_endpoint",
            "*.invoke_model",
            "*.invoke_model_with_response_stream",
            "google.cloud.aiplatform.Endpoint.predict",
            "google.cloud.aiplatform.*Endpoint*.predict",
            "google.cloud.aiplatform*.PredictionServiceClient.predict",
            "vertexai.*.generate_content",
            "vertexai.*.get_embeddings",
            "vertexai.*Model.predict",
            "vertexai.*Model.from_pretrained.predict",
            "azureml.core.webservice.*Webservice.run",
            "azure.ai.ml.MLClient.online_endpoints.invoke",
            "*.invoke_endpoint_async",
            "*.invoke_endpoint_with_response_stream",
        ),
        "endpoint_invocation",
        {"api": api},
    ),
    (("hashlib.*",), "hashing", {"api": api}),
    (
        ("pydantic.*", "jsonschema.validate", "jsonschema.Draft*Validator*"),
        "inference_validation",
        {"api": api},
    ),
    (
        (
            "*.from_pretrained",
            "sagemaker.jumpstart.*Model",
            "sagemaker.jumpstart.*Estimator",
            "sagemaker.jumpstart.*.JumpStartModel",
            "sagemaker.jumpstart.*.JumpStartEstimator",
            "tensorflow_hub.*",
            "timm.create_model",
            "sentence_transformers.SentenceTransformer",
            "keras.applications.*",
            "tensorflow.keras.applications.*",
            "transformers.pipeline",
            "torch.hub.load",
            "open_clip.*",
            "transformers.convert_graph_to_onnx.convert",
            "optimum.exporters.onnx.main_export",
        ),
        "pretrained_model",
        {"api": api, "source": lambda c: hub_id(c) or None},
    ),
    (("torchvision.models.*",), "pretrained_model", {"api": api, "source": "torchvision"}),
    (
        (
            "gluoncv.model_zoo.get_model",
            "mxnet.gluon.model_zoo.vision.get_model",
            "*.model_zoo.get_model",
        ),
        "data_source",
        {
            "_kind": lambda c: "data_source" if _zoo_model(c) else None,
            "via": api,
            "kind": "model_hub",
            "uri": _zoo_model,
        },
    ),
    (
        ("sagemaker.model_uris.retrieve",),
        "pretrained_model",
        {"api": api, "source": arg(99, "model_id")},
    ),
    (
        ("*.start_human_loop", "*.create_flow_definition", "*.create_human_task_ui"),
        "human_review",
        {"api": api},
    ),
    (
        (
            "torch.distributed.*",
            "torch.nn.parallel.DistributedDataParallel",
            "horovod.*",
            "smdistributed.*",
            "deepspeed.*",
            "accelerate.Accelerator",
            "torch.nn.DataParallel",
        ),
        "distributed",
        {"api": api},
    ),
    (
        (
            "*.callbacks.EarlyStopping",
            "transformers.EarlyStoppingCallback",
            "lightgbm.early_stopping",
            "xgboost.callback.EarlyStopping",
            "pytorch_lightning.callbacks.EarlyStopping",
            "lightning.pytorch.callbacks.EarlyStopping",
        ),
        "early_stopping",
        {"api": api},
    ),
    (
        (
            "*.callbacks.ModelCheckpoint",
            "pytorch_lightning.callbacks.ModelCheckpoint",
            "lightning.pytorch.callbacks.ModelCheckpoint",
            "*.save_checkpoint",
            "tensorflow.train.Checkpoint",
            "sagemaker.tuner.WarmStartConfig",
        ),
        "checkpoint",
        {"api": api},
    ),
]

#: boto3 service names → fact kind and fields (``boto3.client("textract")``).
SERVICES: dict[str, tuple[str, Fields]] = {
    **{
        s: ("ai_service", {"service": s})
        for s in (
            "comprehend",
            "comprehendmedical",
            "rekognition",
            "textract",
            "transcribe",
            "translate",
            "polly",
            "lex-runtime",
            "lexv2-runtime",
            "personalize",
            "personalize-runtime",
            "forecast",
            "forecastquery",
            "kendra",
            "frauddetector",
            "lookoutvision",
            "lookoutmetrics",
            "lookoutequipment",
            "bedrock",
            "bedrock-runtime",
            "bedrock-agent-runtime",
            "codeguru-reviewer",
            "healthlake",
            "qbusiness",
        )
    },
    "sagemaker-a2i-runtime": ("human_review", {"service": "sagemaker-a2i-runtime"}),
    "sagemaker-featurestore-runtime": ("feature_store", {"api": "sagemaker-featurestore-runtime"}),
    "application-autoscaling": ("autoscaling", {"api": "application-autoscaling"}),
    "iam": ("iam", {"api": "iam"}),
    "glue": ("data_catalog", {"api": "glue"}),
    "lakeformation": ("data_catalog", {"api": "lakeformation"}),
    "cloudwatch": ("monitoring", {"api": "cloudwatch", "kind": "metrics"}),
}
SERVICE_CALLS = (
    "boto3.client",
    "boto3.resource",
    "boto3.Session.client",
    "boto3.session.Session.client",
    "*.boto_session.client",
    "*.Session.client",
    "*.session.client",
    "boto3.Session.resource",
)

#: Keyword arguments (on any call, and keys of literal dicts passed to calls) → fact kind.
KEYWORDS: dict[str, tuple[str, Fields]] = {
    **{
        k: ("encryption", {"keyword": k})
        for k in (
            "kms_key",
            "output_kms_key",
            "volume_kms_key",
            "kms_key_id",
            "s3_kms_key",
            "KmsKeyId",
            "VolumeKmsKeyId",
            "SSEKMSKeyId",
            "ServerSideEncryption",
            "encrypt_inter_container_traffic",
            "EnableInterContainerTrafficEncryption",
            "enable_inter_container_traffic_encryption",
            "sse_kms_key",
            "volume_kms_key_id",
            "output_kms_key_id",
            "kms_key_arn",
            "encryption_spec_key_name",
            "customer_managed_key",
        )
    },
    **{
        k: ("network_isolation", {"keyword": k})
        for k in (
            "enable_network_isolation",
            "EnableNetworkIsolation",
            "subnets",
            "security_group_ids",
            "vpc_config",
            "VpcConfig",
            "Subnets",
            "SecurityGroupIds",
        )
    },
    **{
        k: ("spot", {"keyword": k})
        for k in (
            "use_spot_instances",
            "train_use_spot_instances",
            "EnableManagedSpotTraining",
            "enable_managed_spot_training",
        )
    },
    **{
        k: ("checkpoint", {"keyword": k})
        for k in (
            "checkpoint_s3_uri",
            "checkpoint_local_path",
            "CheckpointConfig",
            "checkpoint_config",
            "warm_start_config",
        )
    },
    **{
        k: ("early_stopping", {"keyword": k})
        for k in (
            "early_stopping_type",
            "early_stopping_rounds",
            "n_iter_no_change",
            "early_stopping",
            "TrainingJobEarlyStoppingType",
        )
    },
    **{k: ("distributed", {"keyword": k}) for k in ("distribution", "DistributionStrategy")},
    **{
        k: ("debugging", {"keyword": k})
        for k in (
            "rules",
            "debugger_hook_config",
            "profiler_config",
            "DebugHookConfig",
            "ProfilerConfig",
        )
    },
    **{k: ("tagging", {"keyword": k}) for k in ("tags", "Tags")},
    **{
        k: ("monitoring", {"keyword": k, "kind": "data_capture"})
        for k in ("data_capture_config", "DataCaptureConfig")
    },
    # online explanations of an endpoint (boto3 ExplainerConfig / SDK explainer_config)
    **{
        k: ("explainability", {"method": "clarify_shap", "keyword": k})
        for k in ("ClarifyExplainerConfig", "explainer_config")
    },
    # Vertex Explainable AI: explanations asked of a batch prediction, an evaluation or a model
    **{
        k: ("explainability", {"method": "vertex_xai", "keyword": k})
        for k in (
            "generate_explanation",
            "generate_feature_attributions",
            "explanation_metadata",
            "explanation_parameters",
            "explanation_spec",
            "explanation_config",
        )
    },
    # Azure AutoML explains its best model when asked (`AutoMLConfig(model_explainability=True)`)
    "model_explainability": (
        "explainability",
        {"method": "interpret", "keyword": "model_explainability"},
    ),
    # per-prediction feature contributions (SHAP values) computed by the model library itself
    **{
        k: ("explainability", {"method": "shap", "keyword": k})
        for k in ("pred_contribs", "pred_interactions", "pred_contrib")
    },
    **{
        k: ("deployment", {"keyword": k, "target": "serverless"})
        for k in ("ServerlessConfig", "serverless_inference_config")
    },
}

#: Calls whose keyword of the same name means something else: ``TrainingInput(distribution=...)``
#: is how S3 data is spread over instances, not distributed training.
KEYWORD_NOT_FROM = {
    "distribution": ("TrainingInput", "s3_input", "ProcessingInput", "FileSystemInput"),
}


def _aws_call(name: str) -> bool:
    """A call of the AWS SDKs (the SageMaker SDK, boto3, a boto session's client)."""
    return name.startswith(("sagemaker.", "boto3", "botocore", "smexperiments")) or (
        "boto_session" in name
    )


def _aws_or_unknown_capitalised(name: str, keyword: str) -> bool:
    # boto3's own spelling (`Tags=[...]`) on a client of unknown origin is AWS too
    return _aws_call(name) or (name.startswith(".") and keyword[:1].isupper())


#: keywords that mean their fact only on some calls: `tags=` of MLflow or Vertex is not AWS
#: resource tagging, `rules=` of an unrelated function is not SageMaker Debugger
KEYWORD_ONLY_FROM: dict[str, Callable[[str, str], bool]] = {
    **dict.fromkeys(("tags", "Tags"), _aws_or_unknown_capitalised),
    **dict.fromkeys(
        ("rules", "debugger_hook_config", "profiler_config", "DebugHookConfig", "ProfilerConfig"),
        _aws_or_unknown_capitalised,
    ),
}
#: keywords (and literal dict keys) naming the metric a job reports or optimises
METRIC_KEYWORDS = frozenset(
    {
        "eval_metric",
        "objective_metric_name",
        "metric_name",
        "metric_for_best_model",
        "primary_metric",
        "optimization_objective",
        "hyperparameter_metric_tag",
        "scoring",
        "metric_spec",
        "metric_names",
        "primary_metric_name",
    }
)
#: calls whose ``metrics=`` keyword names evaluation metrics (Keras ``compile``, fastai learners)
METRICS_KEYWORD_CALLS = ("*.compile", "*_learner", "*.Learner", "*.TabularPredictor", "*.fit")
#: keywords whose literal False/None/"Off" means the feature is *off*
OFF_VALUES = (False, None, "Off", "off", "None", "", 0, [])

EXPLAIN_IMPORTS = {
    "shap": "shap",
    "lime": "lime",
    "captum": "captum",
    "eli5": "eli5",
    "interpret": "interpret",
    "alibi": "alibi",
    "dice_ml": "dice",
    "omnixai": "omnixai",
    "explainerdashboard": "explainerdashboard",
}
BIAS_IMPORTS = {"fairlearn": "fairlearn", "aif360": "aif360"}
# explainers and bias checks are facts where they are called (``shap.TreeExplainer(...)``), not
# where they are imported: an import alone computes nothing
IMPORT_FACTS: dict[str, tuple[str, Fields]] = {
    "ydata_profiling": ("profiling", {"api": "ydata_profiling"}),
    "pandas_profiling": ("profiling", {"api": "pandas_profiling"}),
    "sweetviz": ("profiling", {"api": "sweetviz"}),
    "great_expectations": ("data_validation", {"api": "great_expectations"}),
    "pandera": ("data_validation", {"api": "pandera"}),
    "evidently": ("monitoring", {"api": "evidently", "kind": "drift"}),
    "alibi_detect": ("monitoring", {"api": "alibi_detect", "kind": "drift"}),
    "nannyml": ("monitoring", {"api": "nannyml", "kind": "drift"}),
    "mlflow": ("tracking", {"tool": "mlflow"}),
    "wandb": ("tracking", {"tool": "wandb"}),
}

SEED_KEYWORDS = ("random_state", "seed", "random_seed", "rng_seed")

# --------------------------------------------------------------------------- helpers


def uri_kind(uri: Any) -> str:
    """local, s3, gcs, azure, http, hdfs or database, from the form of a URI."""
    if not isinstance(uri, str):
        return "local"
    u = uri.strip().lower()
    if u.startswith(("s3://", "s3a://", "s3n://", "arn:aws:s3")):
        return "s3"
    if u.startswith("gs://"):
        return "gcs"
    if u.startswith(("abfs://", "abfss://", "wasb://", "wasbs://", "az://", "adl://")):
        return "azure"
    if u.startswith(("http://", "https://", "ftp://")):
        return "http"
    if u.startswith("hdfs://"):
        return "hdfs"
    if re.match(
        r"^(postgres(ql)?|mysql|mssql|oracle|sqlite|redshift|snowflake|jdbc|mongodb|db2)(\+\w+)?:",
        u,
    ):
        return "database"
    return "local"


def _db_uri(call: Call) -> str:
    for v in (
        *call.args[:2],
        call.keywords.get("con"),
        call.keywords.get("url"),
        call.keywords.get("database"),
    ):
        if isinstance(v, str) and uri_kind(v) == "database":
            return v
    if call.name == "sqlite3.connect" and call.args and isinstance(call.args[0], str):
        return f"sqlite:///{call.args[0]}"
    return call.name


def _copy_source(call: Call) -> Any:
    """The ``s3://`` location an S3 copy reads (``CopySource={"Bucket": ..., "Key": ...}``)."""
    source = arg(0, "CopySource")(call)
    if isinstance(source, dict):
        return _s3(source.get("Bucket"), source.get("Key"))
    return source if isinstance(source, str) else None


#: keywords that hand a managed workflow the data it trains or predicts on (Vertex AI's
#: tabular workflows: ``data_source_bigquery_table_path="bq://..."``)
READ_KEYWORDS = {
    "data_source_bigquery_table_path": "warehouse",
    "data_source_csv_filenames": "gcs",
    "bigquery_source_input_uri": "warehouse",
}


def _download_uri(call: Call) -> str | None:
    """The s3:// URI of an S3 download; unknown parts as ``{bucket}``/``{key}`` (a template)."""
    name = call.name
    if name.startswith("google.cloud.storage") or ".blob.download_" in name:
        # a Cloud Storage blob: what is read is the blob (named where it was made), not the
        # local file it is written to
        return None
    if name.endswith("download_data"):  # sagemaker Session.download_data(path, bucket, key_prefix)
        bucket = call.kw("bucket") if "bucket" in call.keywords else _nth(call, 1)
        key = call.kw("key_prefix") if "key_prefix" in call.keywords else _nth(call, 2)
        return _s3(bucket, key)
    if name.endswith(("download_file", "download_fileobj", "get_object")):
        if ".Bucket." in name or ".Object." in name:
            # a boto3 resource: Bucket(name).download_file(Key, Filename)
            key = call.kw("Key") if "Key" in call.keywords else _nth(call, 0)
            return _s3(None, key if ".Bucket." in name else None)
        bucket = call.kw("Bucket") if "Bucket" in call.keywords else _nth(call, 0)
        key = call.kw("Key") if "Key" in call.keywords else _nth(call, 1)
        return _s3(bucket, key)
    return arg(0, "url", "origin", "fname")(call)


#: parts of a call name that show an S3 client or resource (boto3, a session's client, s3fs)
_S3_CLIENTS = ("boto3", ".client", "resource", ".Bucket", ".Object", "s3", "S3")


def _from_storage(call: Call) -> bool:
    """A download from object storage, not a run's or a job's own ``download_file`` (Azure ML
    runs, helper objects): the receiver is an S3 client or resource, or unknown."""
    name = call.name
    if not name.endswith(("download_file", "download_fileobj", "get_object")):
        return True
    if name.startswith(".") and ".Bucket." not in name:
        # `run.download_file("outputs/x.json", "x.json")`: a bucket name has no "/", so the
        # first argument is a file of a run, not S3's `download_file(Bucket, Key, Filename)`
        first = _nth(call, 0)
        return not (isinstance(first, str) and "/" in first)
    return name.startswith(".") or any(part in name for part in _S3_CLIENTS)


def _write_uri(call: Call) -> Any:
    """Where a write puts data: a path, or an ``s3://`` URI for uploads."""
    name = call.name
    if name.endswith(("upload_file",)):
        bucket = call.kw("Bucket") if "Bucket" in call.keywords else _nth(call, 1)
        key = call.kw("Key") if "Key" in call.keywords else _nth(call, 2)
        return _s3(bucket, key) if isinstance(key, str) else None
    if name.endswith("put_object"):
        return _s3(call.kw("Bucket"), call.kw("Key")) if isinstance(call.kw("Key"), str) else None
    value = arg(0, "path", "path_or_buf", "local_path", "filepath_or_buffer")(call)
    return value if isinstance(value, str) else None


#: SageMaker SDK classes and container names by the framework they run
_FRAMEWORKS = (
    ("sklearn", "sklearn"),
    ("SKLearn", "sklearn"),
    ("xgboost", "xgboost"),
    ("XGBoost", "xgboost"),
    ("pytorch", "pytorch"),
    ("PyTorch", "pytorch"),
    ("tensorflow", "tensorflow"),
    ("TensorFlow", "tensorflow"),
    ("huggingface", "huggingface"),
    ("HuggingFace", "huggingface"),
    ("mxnet", "mxnet"),
    ("MXNet", "mxnet"),
    ("djl", "djl"),
)


def job_framework(call: Call) -> str | None:
    """The framework a SageMaker job or model runs: from its class (``SKLearn``, ``PyTorch``),
    or from its container (an ``image_uri`` naming one, or made by ``image_uris.retrieve`` —
    then ``"image"``, which the notebook's own ``retrieve`` calls settle)."""
    name = call.name
    if not name.startswith("sagemaker."):
        return None
    cls = name.split(".")[-1] if not name.endswith((".fit", ".deploy")) else name.split(".")[-2]
    for needle, framework in _FRAMEWORKS:
        if needle in cls:
            return framework
    image = call.kw("image_uri") or call.kw("image_name") or call.kw("image")
    if isinstance(image, str):
        low = image.lower()
        return next((f for needle, f in _FRAMEWORKS if needle in low), None)
    ref = call.ref("image_uri") or call.ref("image_name") or ""
    if ref.endswith(("image_uris.retrieve", "get_image_uri")):
        return "image"
    return None


def _nth(call: Call, i: int) -> Any:
    return call.args[i] if i < len(call.args) else None


def _s3(bucket: Any, key: Any) -> str:
    b = bucket if isinstance(bucket, str) and bucket else "{bucket}"
    k = key if isinstance(key, str) else ("{key}" if key is not None else "")
    return f"s3://{b}/{k}".rstrip("/") if k else f"s3://{b}"


class Glob:
    """A shell glob over qualified names, matched with string operations when it is simple.

    ``a.b.c`` (exact), ``*.c`` (suffix) and ``a.*`` (prefix) need no regular expression; other
    globs are compiled on first use. Compiling hundreds of patterns up front would cost a fresh
    CLI process more than reviewing a notebook.
    """

    __slots__ = ("_regex", "kind", "parts", "pattern", "pieces", "text")

    def __init__(self, pattern: str, *, api: bool = False):
        self.pattern = pattern
        self._regex = None
        self.parts: tuple[str, ...] = ()
        # a ``*``-only glob's literal pieces, longest first: every name it matches holds each
        # (what the call index and the signature dispatch test first, in one search each)
        self.pieces = tuple(sorted((p for p in pattern.split("*") if p), key=len, reverse=True))
        star = pattern.count("*")
        if not any(ch in pattern for ch in "*?["):
            self.kind, self.text = "exact", pattern
        elif star == 1 and pattern.startswith("*") and not any(ch in pattern for ch in "?["):
            self.kind, self.text = "suffix", pattern[1:]
        elif star == 1 and pattern.endswith("*") and not any(ch in pattern for ch in "?["):
            self.kind, self.text = "prefix", pattern[:-1]
            if api and not self.text.endswith("."):
                # a signature's `pandas.read_*` names the reader, not methods on what it returns
                # (`pandas.read_csv.describe`): the wildcard stays within the last name
                self.kind = "name_prefix"
        elif not any(ch in pattern for ch in "?["):
            # only `*` wildcards (`sagemaker.*.fit`, `*Scaler*`): literal pieces in order
            self.kind, self.text, self.parts = "parts", pattern, tuple(pattern.split("*"))
        else:
            self.kind, self.text = "regex", pattern

    def match(self, name: str) -> bool:
        kind = self.kind
        if kind == "exact":
            return name == self.text
        if kind == "suffix":
            return name.endswith(self.text)
        if kind == "prefix":
            return name.startswith(self.text)
        if kind == "name_prefix":
            return name.startswith(self.text) and "." not in name[len(self.text) :]
        if kind == "parts":
            return _pieces_in_order(name, self.parts)
        if self._regex is None:
            self._regex = re.compile(translate(self.pattern))
        return self._regex.match(name) is not None


def _pieces_in_order(name: str, parts: tuple[str, ...]) -> bool:
    """``*``-only glob: the first piece starts the name, the last ends it, the others follow in
    order between them without overlapping (what fnmatch's ``.*`` does)."""
    first, last = parts[0], parts[-1]
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    pos, end = len(first), len(name) - len(last)
    for piece in parts[1:-1]:
        found = name.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


class GlobSet:
    """Any of several globs."""

    __slots__ = ("globs",)

    def __init__(self, patterns: tuple[str, ...]):
        self.globs = tuple(Glob(p) for p in patterns)

    def match(self, name: str) -> bool:
        return any(g.match(name) for g in self.globs)


def compile_globs(globs: tuple[str, ...]) -> GlobSet:
    return GlobSet(globs)


def index_calls():
    """Index :data:`CALLS` for dispatch: by last name segment, by first segment, and the rest."""
    by_last: dict[str, list] = {}
    by_first: dict[str, list] = {}
    anywhere: list = []
    for globs, kind, fields, *rest in CALLS:
        unless = rest[0] if rest else ()
        deny = GlobSet(unless) if unless else None
        for g in globs:
            entry = (Glob(g, api=True), kind, fields, deny)
            last = g.rsplit(".", 1)[-1]
            first = g.split(".", 1)[0]
            if not any(ch in last for ch in "*?["):
                by_last.setdefault(last, []).append(entry)
            elif first and not any(ch in first for ch in "*?["):
                by_first.setdefault(first, []).append(entry)
            else:
                anywhere.append(entry)
    return by_last, by_first, anywhere
