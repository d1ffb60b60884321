"""The fact vocabulary: every kind of fact the review engine produces, declared once.

Each :class:`FactKind` says what the fact means, its fields, the key it has in a review's
``facts`` object, and how much it says about the notebook's lifecycle phase. Everything else is
derived from this table or tested against it:

- the ``fact_kind`` enum of the practice schema (``lens check`` accepts exactly these kinds:
  :func:`jupyter_wellml.catalog.schema.load_schema` fills it in from here);
- the review's ``facts`` object (:meth:`Review.facts_json`) and the review.v1 schema's list;
- the phase evidence weights (:mod:`jupyter_wellml.inspection.phase`);
- the kinds the signature tables may produce (tests/test_vocabulary.py fails on a kind that is
  not declared here, and prints the corrected lists for the schema and the docs table);
- the facts table of docs/lens-format.md.

The table is plain data (no imports beyond the value classes): the CLI's cold start reads it.
"""

from __future__ import annotations

from types import EllipsisType

from ..values import Frozen


class FactKind(Frozen):
    """One kind of fact.

    ``fields`` maps each field (beyond ``cell`` and ``line``) to a few words on its values;
    ``source`` is ``notebook`` (read from the code) or ``environment`` (the kernel's packages);
    ``key`` is the name of its list in a review's ``facts``: by default the kind's own name for
    a kind read from the notebook, none for the environment's (``None``: not listed there);
    ``phase`` is ``(phase id, weight, words for the reason)`` when the fact points to a phase;
    ``trains`` is true for the kinds that mean a model is trained.
    """

    __slots__ = ("doc", "fields", "key", "name", "phase", "source", "trains")

    def __init__(
        self,
        name: str,
        doc: str,
        fields: dict[str, str],
        *,
        key: str | EllipsisType | None = ...,
        phase: tuple[str, float, str] | None = None,
        source: str = "notebook",
        trains: bool = False,
    ) -> None:
        if key is ...:
            key = name if source == "notebook" else None
        self._set(
            name=name,
            doc=doc,
            fields=fields,
            key=key,
            phase=phase,
            source=source,
            trains=trains,
        )


def _kinds(*kinds: FactKind) -> dict[str, FactKind]:
    return {k.name: k for k in kinds}


API = {"api": "the call, qualified (`sagemaker.estimator.Estimator.fit`)"}

FACTS: dict[str, FactKind] = _kinds(
    # ---- code structure
    FactKind(
        "import",
        "`import x as y`, `from a import b`",
        {"module": "the module", "name": "the name imported from it", "alias": "its local name"},
        key="imports",
    ),
    FactKind(
        "call",
        "every call (for `fact` rules; `call` rules read calls directly)",
        {
            "name": "qualified, aliases resolved (`pandas.read_csv`; `.fit` on an unknown object)",
            "keywords": "the keyword names",
        },
        key=None,
    ),
    FactKind(
        "shell",
        "`!` and `%%bash` commands, by first word",
        {"command": "the command's first word"},
        key=None,
    ),
    FactKind(
        "writefile",
        "`%%writefile path` (the body is inspected as code when it is Python)",
        {"path": "the file written"},
    ),
    FactKind(
        "absolute_path",
        "string literals that are absolute local paths (`/home/...`, `C:\\...`), outside `/tmp` "
        "and `/opt/ml` conventions",
        {"path": "the path"},
        key="absolute_paths",
    ),
    FactKind(
        "execution_order",
        "execution counts that are not increasing top to bottom, or code cells never run in a "
        "saved, run notebook",
        {"issue": "`out_of_order`, `not_executed`, `restarted`"},
    ),
    # ---- data
    FactKind(
        "data_source",
        "readers (`pd.read_*`, `open`, downloads, `!aws s3 cp`, `gsutil cp`, job inputs such as "
        "`TrainingInput`, library data sets, SQL and warehouse queries, feature-store reads, "
        "streams, model weights from a hub)",
        {
            "uri": "the path, URI, data-set name or model id when literal, else `(computed)` or "
            "a template with `{unknown}` parts",
            "kind": "`local`, `s3`, `gcs`, `azure`, `http`, `hdfs`, `database`, `warehouse`, "
            "`dataset`, `feature_store`, `stream`, `model_hub`, `unknown`",
            "via": "the reading call or command",
        },
        key="data_sources",
        phase=("data_processing", 0.5, "data read"),
    ),
    FactKind(
        "profiling",
        "`df.describe()`, `df.info()`, `value_counts`, `isnull/isna`, `ydata_profiling`, "
        "`sweetviz`, Data Wrangler, Deequ `AnalysisRunner`",
        API,
        phase=("data_processing", 0.5, "data profiling"),
    ),
    FactKind(
        "data_validation",
        "`great_expectations`, `pandera`, Deequ `VerificationSuite`, `tfdv`",
        API,
        phase=("data_processing", 2, "data validation"),
    ),
    FactKind(
        "feature_store",
        "SageMaker Feature Store (`FeatureGroup`, `ingest`, `athena_query`), `feast`",
        API,
        phase=("data_processing", 2, "feature store use"),
    ),
    FactKind(
        "labeling",
        "Ground Truth (`create_labeling_job`), `label_studio`",
        API,
        phase=("data_processing", 3, "labeling job"),
    ),
    FactKind(
        "processing",
        "SageMaker `Processor`s and processing jobs, Glue, EMR, `pyspark`",
        {**API, "managed": "true for a cloud job"},
        phase=("data_processing", 2, "data processing job"),
    ),
    FactKind(
        "data_catalog",
        "Glue Data Catalog (`glue.get_table`, `create_database`), `awswrangler.catalog`, "
        "Lake Formation",
        API,
        phase=("data_processing", 1, "data catalog use"),
    ),
    FactKind(
        "lineage",
        "SageMaker ML Lineage (`sagemaker.lineage`), `LineageQuery`, `mlflow.log_input`, DVC",
        API,
    ),
    # ---- model development
    FactKind(
        "training",
        "`.fit(...)` of models, `Trainer.train`, `xgboost.train`, `lightgbm.train`, training "
        "loops, managed training jobs (SageMaker, Vertex AI, Azure ML, BigQuery ML)",
        {**API, "framework": "the library or platform", "managed": "true for a cloud job"},
        phase=("model_development", 4, "training call"),
        trains=True,
    ),
    FactKind(
        "tuning",
        "`GridSearchCV`, `RandomizedSearchCV`, `HyperparameterTuner`, `optuna`, `ray.tune`, "
        "`keras_tuner`, cloud tuning jobs",
        {
            **API,
            "method": "`grid`, `random`, `bayesian`, `hyperband`, `other`",
            "warm_start": "true when the search starts from an earlier one",
        },
        phase=("model_development", 4, "hyperparameter tuning"),
        trains=True,
    ),
    FactKind(
        "automl",
        "SageMaker Autopilot, Vertex AutoML, Azure AutoML, `autogluon`, `auto-sklearn`, "
        "`flaml`, `tpot`",
        API,
        phase=("model_development", 4, "AutoML job"),
        trains=True,
    ),
    FactKind(
        "metric",
        "`sklearn.metrics.*`, `evaluate.load`, `torchmetrics`, `model.evaluate`, "
        "`keras.metrics`, metrics named in configuration or logged to a tracker",
        {"name": "the metric, as the code names it", "api": "the call"},
        key="metrics",
        phase=("model_development", 1, "evaluation metric"),
    ),
    FactKind(
        "explainability",
        "SHAP, LIME, permutation importance, partial dependence, Captum, Clarify `SHAPConfig`, "
        "Vertex Explainable AI, Azure ML interpret",
        {
            "method": "`shap`, `lime`, `clarify_shap`, `permutation_importance`, "
            "`partial_dependence`, `captum`, `eli5`, `interpret`, `alibi`, "
            "`feature_importance`, `dice`, `vertex_xai`"
        },
        phase=("model_development", 1, "explainability method"),
    ),
    FactKind(
        "bias_check",
        "Clarify bias (`BiasConfig`, `run_bias`), `fairlearn`, `aif360`",
        {"method": "`clarify_bias`, `fairlearn`, `aif360`"},
        phase=("model_development", 1, "bias check"),
    ),
    FactKind(
        "seed",
        "`random.seed`, `np.random.seed`, `torch.manual_seed`, `tf.random.set_seed`, "
        "`set_seed`, a literal `random_state=`/`seed=`, seeds in parameter dicts and command lines",
        {
            "library": "`random`, `numpy`, `torch`, `tensorflow`, `random_state`, "
            "`transformers`, `r` (`set.seed`), `other`",
            "value": "the seed, when literal",
        },
        key="seeds",
    ),
    FactKind(
        "checkpoint",
        "`checkpoint_s3_uri`, `ModelCheckpoint`, `save_checkpoint`, tuner `warm_start_config`",
        API,
        phase=("model_development", 0.5, "checkpointing"),
    ),
    FactKind(
        "early_stopping",
        '`early_stopping_type="Auto"`, `EarlyStopping` callbacks, `early_stopping_rounds`, '
        "`n_iter_no_change`",
        API,
        phase=("model_development", 0.5, "early stopping"),
    ),
    FactKind(
        "distributed",
        "`distribution=`, `instance_count>1` for training, `torch.distributed`, `horovod`, "
        "`DistributedDataParallel`",
        API,
    ),
    FactKind(
        "tracking",
        "experiment trackers' run and log calls",
        {
            "tool": "`mlflow`, `wandb`, `sagemaker_experiments`, `tensorboard`, `neptune`, "
            "`comet`, `dvc`, `clearml`, `aim`, `vertex_experiments`, `azureml`"
        },
    ),
    FactKind(
        "pipeline",
        "pipeline definitions (SageMaker `Pipeline`, `stepfunctions`, DAGs, Vertex and Azure ML "
        "pipelines; `sklearn` for `sklearn.pipeline.Pipeline`)",
        {
            "tool": "`sagemaker_pipelines`, `step_functions`, `airflow`, `kubeflow`, `prefect`, "
            "`dagster`, `metaflow`, `zenml`, `sklearn`, `azureml`"
        },
        phase=("model_development", 2, "ML pipeline definition"),
    ),
    FactKind(
        "debugging",
        "SageMaker Debugger `rules`/`debugger_hook_config`, `ProfilerConfig`, `logging` "
        "configuration, `tensorboard_output_config`",
        API,
    ),
    FactKind(
        "pretrained_model",
        "`from_pretrained`, `torchvision.models.*(pretrained=/weights=)`, `JumpStartModel`, "
        "`tensorflow_hub`, `timm.create_model(pretrained=True)`",
        {**API, "source": "the model id or library, when literal"},
    ),
    FactKind(
        "artifact",
        "model save calls; versioned when the path carries a version/timestamp/hash, or the "
        "model is registered/logged",
        {
            "path": "where the model is saved",
            "format": "`joblib`, `pickle`, `torch`, `keras`, `onnx`, `savedmodel`, `xgboost`, "
            "`model_data`...",
            "versioned": "bool",
            "how": "`hash`, `version`, `timestamp`, `registry`, `tracking`, `none`",
        },
        key="artifacts",
    ),
    FactKind(
        "model_registry",
        "`ModelPackage`/`register()`, `create_model_package`, `mlflow.register_model`, "
        "`ModelMetrics`",
        API,
    ),
    # ---- deployment
    FactKind(
        "deployment",
        "`.deploy()`, `create_endpoint`, `Transformer`, `ServerlessInferenceConfig`, "
        "`AsyncInferenceConfig`, `MultiDataModel`, local serving (`flask`, `fastapi`)",
        {
            **API,
            "target": "`realtime`, `serverless`, `async`, `batch`, `multi_model`, `edge`, `local`",
        },
        phase=("deployment", 3, "deployment call"),
    ),
    FactKind(
        "deployment_strategy",
        "`DeploymentConfig`, production variants with weights, shadow tests, `update_endpoint` "
        "with alarms",
        {
            **API,
            "strategy": "`blue_green`, `canary`, `linear`, `shadow`, `ab_test`, `rollback`",
        },
        phase=("deployment", 2, "deployment strategy"),
    ),
    FactKind(
        "autoscaling",
        "`application-autoscaling` `register_scalable_target`/`put_scaling_policy`",
        API,
        phase=("deployment", 2, "endpoint autoscaling"),
    ),
    FactKind(
        "model_optimization",
        "`compile_model`, Neo, `torch.quantization`, `onnx` export, `optimum`, TensorRT",
        {**API, "method": "`compilation`, `quantization`, `pruning`, `distillation`, `onnx`"},
        phase=("deployment", 1, "model optimization for inference"),
    ),
    FactKind(
        "inference_validation",
        "`pydantic`, `jsonschema.validate`, `pandera` in inference code",
        API,
        phase=("deployment", 1, "inference input validation"),
    ),
    FactKind(
        "endpoint_invocation",
        "a deployed model called: `invoke_endpoint`, `invoke_endpoint_async`, "
        "`invoke_endpoint_with_response_stream`",
        API,
        phase=("deployment", 1, "endpoint invoked"),
    ),
    FactKind(
        "cleanup",
        "`delete_endpoint`, `delete_model`, `delete_endpoint_config`, `predictor.delete_*`, "
        "stopping jobs",
        API,
    ),
    # ---- monitoring
    FactKind(
        "monitoring",
        "`DefaultModelMonitor`, `ModelQualityMonitor`, `ModelBiasMonitor`, "
        "`ModelExplainabilityMonitor`, `DataCaptureConfig`, CloudWatch alarms/metrics, drift "
        "tests (`evidently`, `alibi_detect`, `nannyml`, `scipy.stats.ks_2samp`...)",
        {
            **API,
            "kind": "`data_quality`, `model_quality`, `bias_drift`, `explainability_drift`, "
            "`drift`, `data_capture`, `alarm`, `metrics`",
        },
        phase=("monitoring", 4, "monitoring setup"),
    ),
    FactKind(
        "human_review",
        "Amazon A2I (`sagemaker-a2i-runtime`, `start_human_loop`), flow definitions",
        API,
        phase=("monitoring", 2, "human review loop"),
    ),
    # ---- security, cost, environment of jobs
    FactKind(
        "secret",
        "the detect-secrets library over code and text outputs (network verification off; "
        "placeholders like `<token>` are ignored)",
        {"kind": "the detector's type, e.g. `AWS Access Key`", "where": "`code` or `output`"},
        key="secrets",
    ),
    FactKind(
        "pip_install",
        "`%pip`, `!pip`, `pip install` (automagic), `!{sys.executable} -m pip`, `subprocess` "
        "pip, `%conda`, `uv pip`",
        {
            "spec": "the requirement as written",
            "name": "the package",
            "pin": "`exact`, `lower_bound`, `range`, `unpinned`, `requirements_file`, `url`, "
            "`local`",
            "tool": "`pip`, `conda`, `uv`, `mamba`, `r` (`install.packages`, `remotes`, `pak`)",
            "form": "`magic`, `shell`, `automagic`, `subprocess`, `r`",
        },
        key="pip_installs",
    ),
    FactKind(
        "encryption",
        "KMS keys, inter-container traffic encryption, server-side encryption arguments",
        {**API, "keyword": "the keyword or key (`kms_key`, `VolumeKmsKeyId`, ...)"},
    ),
    FactKind(
        "network_isolation",
        "`enable_network_isolation`, `subnets`, `security_group_ids`, `vpc_config`, VPC "
        "endpoints (`ec2.create_vpc_endpoint`)",
        {
            **API,
            "keyword": "the keyword or key (`vpc_endpoint` for a VPC endpoint)",
            "policy": "bool: a VPC endpoint with an endpoint policy",
        },
    ),
    FactKind(
        "iam",
        "`get_execution_role`, IAM policy calls, `role=` arguments",
        {
            **API,
            "policy": "the policy attached or written, when literal",
            "broad": "bool: the policy grants full or administrator access (`*FullAccess`, `*`)",
        },
    ),
    FactKind(
        "role_arn",
        "an IAM role named by its literal ARN in code",
        {
            "arn": "the ARN",
            "name": "the role's name",
            "broad": "bool: the name says administrator or full access",
        },
        key="role_arns",
    ),
    FactKind(
        "environment_access",
        "SageMaker notebook instances (`create_notebook_instance`) and Studio domains "
        "(`create_domain`)",
        {
            **API,
            "internet": "`enabled` or `disabled` (direct internet access; Studio: not VpcOnly)",
            "root": "`enabled`, `disabled` or `unknown` (root access)",
            "vpc_only": "bool: the environment is in the user's VPC only",
        },
    ),
    FactKind(
        "insecure_transport",
        "an AWS client with `use_ssl=False` or `verify=False`",
        {**API, "keyword": "`use_ssl` or `verify`"},
    ),
    FactKind(
        "personal_data",
        "column names that hold personal data (national id, date of birth, e-mail, phone...)",
        {"column": "the name as written"},
    ),
    FactKind(
        "data_write",
        "data written out: `to_csv`, `to_parquet`, uploads (`upload_file`, `put_object`, "
        "`S3Uploader.upload`)",
        {**API, "uri": "where, when literal"},
        key="data_writes",
    ),
    FactKind(
        "data_overwrite",
        "data written back to the path or URI it was read from",
        {**API, "uri": "the path or URI"},
        key="data_overwrites",
    ),
    FactKind(
        "data_versioning",
        "S3 bucket versioning (`put_bucket_versioning`) and reads pinned to a `VersionId`",
        {**API, "how": "`bucket versioning` or `object version`"},
    ),
    FactKind(
        "storage_lifecycle",
        "S3 lifecycle rules, Intelligent-Tiering and storage-class analysis",
        API,
    ),
    FactKind("tagging", "`tags=` on jobs and endpoints", API, key="tagging"),
    FactKind(
        "instance",
        "`instance_type=`/`instance_count=` literals",
        {
            "type": "the instance type",
            "count": "the instance count, when literal",
            "purpose": "`training`, `inference`, `processing`, `notebook`",
            "family": "`gpu`, `cpu`, `inferentia`, `trainium`, `graviton`, `local`",
            "gpu": "bool",
        },
    ),
    FactKind("spot", "`use_spot_instances=True`", API, key="spot"),
    FactKind("hashing", "`hashlib` digests (of data or artifacts)", API, key="hashing"),
    FactKind(
        "ai_service",
        "AWS AI services through boto3 (`comprehend`, `rekognition`, `textract`, `bedrock-runtime`...)",
        {"service": "the boto3 service name"},
    ),
    # ---- the kernel's environment (probe and license policy)
    FactKind(
        "package",
        "an installed package of the kernel's interpreter",
        {"name": "", "version": "", "license": "", "editable": "bool"},
        source="environment",
    ),
    FactKind(
        "license_flag",
        "a package whose license the policy denies or asks to review",
        {
            "package": "",
            "version": "",
            "license": "",
            "verdict": "`deny` or `review`",
            "reason": "",
        },
        source="environment",
    ),
    FactKind(
        "gpu",
        "a GPU library in the environment",
        {"library": "", "version": ""},
        source="environment",
    ),
    FactKind(
        "install_mismatch",
        "a notebook install that the environment does not satisfy",
        {"name": "", "spec": "", "installed": ""},
        source="environment",
    ),
)

#: the kinds a lens rule may name (``fact: X``), in declaration order
FACT_KINDS: tuple[str, ...] = tuple(FACTS)
#: kinds listed in a review's ``facts`` object, with their key there
REVIEW_KEYS: dict[str, str] = {k.name: k.key for k in FACTS.values() if k.key}
#: kinds that mean a model is trained
TRAINING_KINDS: tuple[str, ...] = tuple(k.name for k in FACTS.values() if k.trains)
#: kind -> (phase, weight, words), for the phase inference
PHASE_EVIDENCE: dict[str, tuple[str, float, str]] = {
    k.name: k.phase for k in FACTS.values() if k.phase
}
