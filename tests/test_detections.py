"""Detections of API families across platforms (issue 11, point 3): for each family a cell that
uses it (the fact is found), and a near miss that spells something alike but means something
else (no fact). The cells are small but written as real notebooks write them."""

from __future__ import annotations

import pytest

from .test_facts import facts_of, md


def kinds(facts, kind: str) -> list[dict]:
    return facts.of(kind)


def names(facts, kind: str = "metric") -> set:
    return {f.get("name") for f in facts.of(kind)}


# --------------------------------------------------------------------------- metrics
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # a metric read back by its key from what an evaluation or a run returned
        (
            "best_run_metrics = best_run.get_metrics()\n"
            "print(best_run_metrics['best_val_acc'][-1])",
            "best_val_acc",
        ),
        ('eval_results = trainer.evaluate()\nprint(eval_results["eval_rouge1"])', "eval_rouge1"),
        (
            "curve = [[a['step'], a['eval_f1_score']] for a in trainer.state.log_history]",
            "eval_f1_score",
        ),
        ("hist = model.fit(x, y)\npd.DataFrame(hist.history).plot()", "history"),
        ("plt.plot(metrics['alpha'], metrics['mse'])", "mse"),
        ('agg_metrics, _ = evaluator(iter(tss), iter(forecasts))\nagg_metrics["MASE"]', "MASE"),
        # TensorBoard scalars of a run
        (
            "from torch.utils.tensorboard import SummaryWriter\n"
            "writer = SummaryWriter()\n"
            "writer.add_scalar('val_accuracy', acc, epoch)",
            "val_accuracy",
        ),
        ("import tensorflow as tf\ntf.summary.scalar('auc', auc, step=epoch)", "auc"),
        # the best run or trial chosen by a metric
        ('best_run, fitted_model = remote_run.get_output(metric="AUC_weighted")', "AUC_weighted"),
        (
            "from ray import tune\n"
            'analysis = tune.run(train_fn, metric="mean_accuracy", mode="max", num_samples=4)',
            "mean_accuracy",
        ),
        # a SageMaker pipeline condition on the evaluation report
        (
            "from sagemaker.workflow.functions import JsonGet\n"
            "mse = JsonGet(step_name=step_eval.name, property_file=report,\n"
            '              json_path="regression_metrics.mse.value")',
            "mse",
        ),
        (
            "from sklearn.metrics import ConfusionMatrixDisplay\n"
            "ConfusionMatrixDisplay.from_predictions(y_test, y_pred)",
            "confusion_matrix",
        ),
        (
            "from sklearn.metrics import RocCurveDisplay\n"
            "RocCurveDisplay.from_estimator(clf, X_test, y_test)",
            "roc_curve",
        ),
        (
            "from azureml.core import Run\nrun = Run.get_context()\nrun.log_confusion_matrix('cm', cm)",
            "confusion_matrix",
        ),
        ("import wandb\nwandb.log({'roc': wandb.plot.roc_curve(y, probs)})", "roc_curve"),
        ('import evaluate\ntask = evaluate.evaluator("text-classification")', "evaluator"),
        (
            "import pytorch_lightning as pl\ntrainer = pl.Trainer(max_epochs=3)\n"
            "trainer.test(model, dataloaders=test_loader)",
            "test",
        ),
        (
            "from sagemaker.model_monitor import ModelQualityMonitor\n"
            "monitor = ModelQualityMonitor(role=role, instance_count=1, instance_type='ml.m5.xlarge')\n"
            "monitor.create_monitoring_schedule(endpoint_input=endpoint_input, problem_type='BinaryClassification')",
            "model_quality",
        ),
        (
            "from sagemaker.model_monitor import ModelBiasMonitor\n"
            "bias_monitor = ModelBiasMonitor(role=role, sagemaker_session=session)\n"
            "bias_monitor.suggest_baseline(model_config=model_config, data_config=data_config,\n"
            "                              bias_config=bias_config)",
            "bias",
        ),
        (
            "from sagemaker.workflow.clarify_check_step import ModelBiasCheckConfig\n"
            "cfg = ModelBiasCheckConfig(data_config=dc, data_bias_config=bc, model_config=mc,\n"
            "                           model_predicted_label_config=lc)",
            "bias",
        ),
        ('metrics_output = pipeline_run.get_pipeline_output("metrics_output")', "metrics_output"),
    ],
)
def test_metric_families(cell, expected):
    assert expected in names(facts_of(cell)), names(facts_of(cell))


@pytest.mark.parametrize(
    "cell",
    [
        # keys of a prediction or a response, and names that only look alike
        'result = classifier("I love this")[0]\nprint(result["score"])',
        'response = client.invoke(body)\nif response["error"]:\n    raise SystemExit(1)',
        'results = job.describe()\nprint(results["TrainingJobStatus"])',
        'splits = {"test_size": 0.2}\nprint(splits["test_size"])',
        "chat.history.append(message)\nprint(chat.history)",
        # a learning rate on TensorBoard, a distance metric, a run's other logs
        "from torch.utils.tensorboard import SummaryWriter\n"
        "writer = SummaryWriter()\nwriter.add_scalar('learning_rate', lr, step)",
        "from sklearn.neighbors import NearestNeighbors\n"
        'nn = NearestNeighbors(n_neighbors=5, metric="cosine").fit(X)\n'
        'best = runs.get_output(metric="cosine")',
        "from azureml.core import Run\nrun = Run.get_context()\n"
        "run.log_list(name='Fibonacci', value=[1, 1, 2, 3, 5])",
        "from sagemaker.workflow.functions import JsonGet\n"
        'status = JsonGet(step_name=s.name, property_file=f, json_path="status.value")',
        "from sklearn.metrics import ConfusionMatrixDisplay\n"
        "ConfusionMatrixDisplay(confusion_matrix=cm_values).plot()",
        'out = pipeline_run.get_pipeline_output("model_output")',
    ],
)
def test_metric_near_misses(cell):
    assert not kinds(facts_of(cell), "metric"), kinds(facts_of(cell), "metric")


# --------------------------------------------------------------------------- explainability
@pytest.mark.parametrize(
    ("cell", "method"),
    [
        (
            "from sagemaker.model_monitor import ModelExplainabilityMonitor\n"
            "mon = ModelExplainabilityMonitor(role=role, sagemaker_session=session)\n"
            "mon.create_monitoring_schedule(analysis_config=analysis_config, endpoint_input=ep)",
            "clarify_shap",
        ),
        (
            "from sagemaker.explainer import ClarifyExplainerConfig, ClarifyShapConfig\n"
            "shap_config = ClarifyShapConfig(shap_baseline_config=baseline_config)",
            "clarify_shap",
        ),
        (
            "from sagemaker.model_metrics import MetricsSource, ModelMetrics\n"
            "metrics = ModelMetrics(explainability=MetricsSource(s3_uri=report_uri,\n"
            '                                                  content_type="application/json"))',
            "clarify_shap",
        ),
        (
            "from google.cloud import aiplatform\n"
            'client = aiplatform.gapic.PredictionServiceClient(client_options={"api_endpoint": api})\n'
            "response = client.explain(endpoint=endpoint_name, instances=instances)",
            "vertex_xai",
        ),
        (
            "! gcloud ai endpoints explain $ENDPOINT_ID --region=us-central1 --json-request=req.json",
            "vertex_xai",
        ),
        (
            "from azureml.train.automl import AutoMLConfig\n"
            'cfg = AutoMLConfig(task="classification", training_data=train_ds,\n'
            '                   label_column_name="y", model_explainability=True)',
            "interpret",
        ),
    ],
)
def test_explainability_families(cell, method):
    found = kinds(facts_of(cell), "explainability")
    assert method in {f["method"] for f in found}, found


@pytest.mark.parametrize(
    "cell",
    [
        "from sagemaker.model_metrics import MetricsSource, ModelMetrics\n"
        "metrics = ModelMetrics(model_statistics=MetricsSource(s3_uri=uri, content_type='application/json'))",
        "from azureml.train.automl import AutoMLConfig\n"
        'cfg = AutoMLConfig(task="regression", training_data=train_ds, label_column_name="y",\n'
        "                   model_explainability=False)",
        # reading the values of an explanation computed elsewhere, or listing stored ones
        "! gcloud ai endpoints predict $ENDPOINT_ID --region=us-central1 --json-request=req.json",
    ],
)
def test_explainability_near_misses(cell):
    assert not kinds(facts_of(cell), "explainability"), kinds(facts_of(cell), "explainability")


def test_reading_an_explanation_made_elsewhere_is_not_explaining_again():
    found = facts_of(
        "from azureml.interpret import ExplanationClient\n"
        "client = ExplanationClient.from_run(run)\n"
        "explanation = client.download_model_explanation()",
        "print(explanation.get_ranked_global_values())\n"
        "print(explanation.get_feature_importance_dict())",
        "for e in client.list_model_explanations():\n    print(e['comment'])",
    ).of("explainability")
    assert {f["cell"] for f in found} == {0}, found


# --------------------------------------------------------------------------- data sources
def reads(*cells) -> list[dict]:
    return facts_of(*cells).of("data_source")


@pytest.mark.parametrize(
    ("cell", "kind", "uri"),
    [
        (
            "from sagemaker import clarify\n"
            "data_config = clarify.DataConfig(s3_data_input_path=train_uri, s3_output_path=out,\n"
            '                                 label="target", dataset_type="text/csv")',
            "s3",
            "(computed)",
        ),
        (
            "from sagemaker import clarify\n"
            'dc = clarify.DataConfig(s3_data_input_path="s3://bucket/clarify/train.csv",\n'
            '                        s3_output_path="s3://bucket/clarify/out", dataset_type="text/csv")',
            "s3",
            "s3://bucket/clarify/train.csv",
        ),
        (
            "from sagemaker.inputs import FileSystemInput\n"
            'train = FileSystemInput(file_system_id="fs-0123", file_system_type="EFS",\n'
            '                        directory_path="/mask-rcnn/input/train", file_system_access_mode="ro")',
            "local",
            "/mask-rcnn/input/train",
        ),
        (
            "import tensorflow as tf\n"
            'train_ds = tf.keras.utils.image_dataset_from_directory("flower_photos", image_size=(180, 180))',
            "local",
            "flower_photos",
        ),
        (
            'from datasets import Dataset\nds = Dataset.from_csv("data/reviews.csv")',
            "local",
            "data/reviews.csv",
        ),
        (
            "import s3fs\nfs = s3fs.S3FileSystem()\n"
            'with fs.open("s3://bucket/data/train.csv", "rb") as f:\n    df = pd.read_csv(f)',
            "s3",
            "s3://bucket/data/train.csv",
        ),
        (
            "import boto3\nclient = boto3.client('redshift-data')\n"
            "client.execute_statement(ClusterIdentifier=cid, Database=db, Sql=query)",
            "warehouse",
            None,
        ),
        (
            "from azureml.train.automl import AutoMLConfig\n"
            'cfg = AutoMLConfig(task="classification", training_data=train_ds, label_column_name="y")',
            "azure",
            "(computed)",
        ),
        (
            "from azureml.core import ScriptRunConfig\n"
            "args = ['--data-folder', dataset.as_mount(), '--regularization', 0.5]\n"
            "src = ScriptRunConfig(source_directory='.', script='train.py', arguments=args)",
            "azure",
            "(computed)",
        ),
        (
            "import joblib\nx_test = joblib.load('x_test_california_housing.pkl')",
            "local",
            "x_test_california_housing.pkl",
        ),
        (
            "from google.cloud import aiplatform\n"
            "job = aiplatform.AutoMLTabularTrainingJob(display_name='pets', optimization_prediction_type='classification')\n"
            "model = job.run(dataset=ds, target_column='Adopted')\n"
            'model.evaluate(prediction_type="classification", target_field_name="Adopted",\n'
            '               gcs_source_uris=["gs://cloud-samples-data/pets/test.csv"])',
            "gcs",
            "gs://cloud-samples-data/pets/test.csv",
        ),
        (
            "!git clone https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
            "model_hub",
            "sentence-transformers/all-MiniLM-L6-v2",
        ),
        ("!git clone https://huggingface.co/datasets/imdb", "dataset", "imdb"),
    ],
)
def test_read_families(cell, kind, uri):
    found = reads(cell)
    assert any(r["kind"] == kind and (uri is None or r["uri"] == uri) for r in found), found


@pytest.mark.parametrize(
    "cell",
    [
        # where a job writes: an output folder mounted for logs
        "from sagemaker.inputs import FileSystemInput\n"
        'log = FileSystemInput(file_system_id="fs-0123", file_system_type="EFS",\n'
        '                      directory_path="/mask-rcnn/output/log", file_system_access_mode="rw")',
        "import s3fs\nfs = s3fs.S3FileSystem()\n"
        'with fs.open("s3://bucket/out/preds.csv", "wb") as f:\n    f.write(body)',
        "from azureml.train.automl import AutoMLConfig\n"
        'cfg = AutoMLConfig(task="classification", label_column_name="y")',
        # a model, not data: by its file name, or by a path computed elsewhere
        "import joblib\nclf = joblib.load('model.joblib')",
        "import joblib\nclf = joblib.load(os.path.join(model_dir, name))",
        # a job's results read back, and a trained model copied down
        "from google.cloud import aiplatform\n"
        "job = aiplatform.BatchPredictionJob(job_name)\n"
        "for blob in job.iter_outputs():\n"
        "    with tf.io.gfile.GFile(name=f'gs://{blob.bucket.name}/{blob.name}', mode='r') as g:\n"
        "        print(g.read())",
        "!aws s3 cp {estimator.model_data} model.tar.gz",
        "import json\nwith open('eval_results.json') as f:\n    print(json.load(f))",
        # a code repository cloned, a model from a local folder
        "!git clone https://github.com/huggingface/transformers.git",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(model_dir)",
        "import os\nfrom transformers import AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained(os.path.join(output_dir, 'checkpoint-500'))",
    ],
)
def test_read_near_misses(cell):
    assert not reads(cell), reads(cell)


def test_a_model_object_handed_to_a_pipeline_is_counted_where_it_was_loaded():
    found = reads(
        "from transformers import AutoModelForImageClassification, pipeline\n"
        'm = AutoModelForImageClassification.from_pretrained("google/vit-base-patch16-224")\n'
        "pipe = pipeline('image-classification', model=m)"
    )
    assert [(r["line"], r["uri"]) for r in found] == [(2, "google/vit-base-patch16-224")]


def test_predictions_read_back_to_be_scored_stay_a_read():
    found = reads(md("# Score the forecast"), "fcst = pd.read_csv('predictions.csv')")
    assert [r["uri"] for r in found] == ["predictions.csv"]


# --------------------------------------------------------------------------- installs
@pytest.mark.parametrize(
    "cell",
    [
        "!pip -q install gputil",
        "%pip --quiet install gputil",
        "!python -m pip --disable-pip-version-check install gputil",
    ],
)
def test_pip_options_before_the_command(cell):
    found = facts_of(cell).of("pip_install")
    assert [(p["name"], p["pin"]) for p in found] == [("gputil", "unpinned")]


def test_pip_commands_that_install_nothing():
    assert not facts_of("!pip -q uninstall -y gputil\n!pip show install").of("pip_install")
