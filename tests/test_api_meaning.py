"""What each API means, family by family (issue 11, point 3): for every construct the labelling
guide (tests/labels/README.md) names, and its siblings in the same libraries, a small cell whose
fact the guide asks for, and the guide's "do not count" cases (writes, uploads, model artifacts,
configuration, listings, a job's own outputs read back) that must give none. The cells are
written the way notebooks write them; a tuple is several cells of one notebook."""

from __future__ import annotations

import pytest

from .test_facts import facts_of

TRAINING_KINDS = ("training", "tuning", "automl")


def _facts(cells):
    return facts_of(*((cells,) if isinstance(cells, str) else cells))


METRICS = [
    (
        "from sklearn.metrics import accuracy_score\nacc = accuracy_score(y_test, y_pred)",
        "accuracy_score",
    ),
    (
        "from sklearn import metrics\nprint(metrics.f1_score(y_test, y_pred, average='macro'))",
        "f1_score",
    ),
    ("import sklearn.metrics as skm\nskm.roc_auc_score(y, p)", "roc_auc_score"),
    (
        "from sklearn.metrics import mean_squared_error\nrmse = mean_squared_error(y, p, squared=False)",
        "mean_squared_error",
    ),
    (
        "from sklearn.metrics import mean_absolute_error, r2_score\nprint(mean_absolute_error(y, p), r2_score(y, p))",
        "r2_score",
    ),
    (
        "from sklearn.metrics import classification_report\nprint(classification_report(y_test, preds))",
        "classification_report",
    ),
    (
        "from sklearn.metrics import confusion_matrix\ncm = confusion_matrix(y_test, preds)",
        "confusion_matrix",
    ),
    ("from sklearn.metrics import log_loss\nlog_loss(y, proba)", "log_loss"),
    (
        "from sklearn.metrics import precision_recall_curve\np, r, t = precision_recall_curve(y, s)",
        "precision_recall_curve",
    ),
    (
        "from sklearn.metrics import roc_curve, auc\nfpr, tpr, _ = roc_curve(y, s)\nauc(fpr, tpr)",
        "auc",
    ),
    ("from sklearn.metrics import matthews_corrcoef\nmatthews_corrcoef(y, p)", "matthews_corrcoef"),
    (
        "from sklearn.metrics import silhouette_score\nsilhouette_score(X, labels)",
        "silhouette_score",
    ),
    (
        "from sklearn.metrics import mean_absolute_percentage_error\nmean_absolute_percentage_error(y, p)",
        "mean_absolute_percentage_error",
    ),
    (
        "from sklearn.metrics import balanced_accuracy_score as bas\nbas(y, p)",
        "balanced_accuracy_score",
    ),
    (
        "from sklearn.metrics import precision_recall_fscore_support\nprecision_recall_fscore_support(y, p)",
        "precision_recall_fscore_support",
    ),
    (
        "from sklearn.metrics import ConfusionMatrixDisplay\nConfusionMatrixDisplay.from_estimator(clf, X, y)",
        "confusion_matrix",
    ),
    (
        "from sklearn.metrics import PrecisionRecallDisplay\nPrecisionRecallDisplay.from_predictions(y, s)",
        "precision_recall",
    ),
    (
        "from sklearn.metrics import make_scorer, f1_score\nscorer = make_scorer(f1_score)",
        "f1_score",
    ),
    (
        "from sklearn.model_selection import GridSearchCV\ngs = GridSearchCV(clf, grid, scoring='roc_auc', cv=5)",
        "roc_auc",
    ),
    (
        "from sklearn.model_selection import cross_val_score\nscores = cross_val_score(clf, X, y, cv=5)",
        "cross_val_score",
    ),
    (
        "from sklearn.model_selection import cross_validate\nres = cross_validate(clf, X, y, scoring=['accuracy', 'f1'])",
        "cross_validate",
    ),
    (
        "from sklearn.ensemble import RandomForestClassifier\nclf = RandomForestClassifier()\nclf.fit(X, y)\nprint(clf.score(X_test, y_test))",
        "score",
    ),
    (
        "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
        "accuracy",
    ),
    (
        "import tensorflow as tf\nmodel.compile(optimizer='adam', loss='mse', metrics=[tf.keras.metrics.RootMeanSquaredError()])",
        "RootMeanSquaredError",
    ),
    ("from tensorflow import keras\nm = keras.metrics.AUC(name='auc')", "AUC"),
    ("loss, acc = model.evaluate(x_test, y_test)", "evaluate"),
    ("import xgboost as xgb\nclf = xgb.XGBClassifier(eval_metric='auc')", "auc"),
    (
        "import xgboost as xgb\nparams = {'objective': 'binary:logistic', 'eval_metric': 'logloss'}\nbst = xgb.train(params, dtrain)",
        "logloss",
    ),
    (
        "import lightgbm as lgb\nparams = {'objective': 'binary', 'metric': 'auc'}\nbst = lgb.train(params, train_set)",
        "auc",
    ),
    ("import lightgbm as lgb\nclf = lgb.LGBMClassifier(metric='binary_logloss')", "binary_logloss"),
    ("from catboost import CatBoostClassifier\nm = CatBoostClassifier(eval_metric='AUC')", "AUC"),
    (
        "from sagemaker.tuner import HyperparameterTuner\ntuner = HyperparameterTuner(est, 'validation:auc', ranges, max_jobs=4)",
        "validation:auc",
    ),
    (
        "from google.cloud import aiplatform\nfrom google.cloud.aiplatform import hyperparameter_tuning as hpt\njob = aiplatform.HyperparameterTuningJob(display_name='t', custom_job=cj, metric_spec={'accuracy': 'maximize'}, parameter_spec=ps, max_trial_count=4, parallel_trial_count=2)",
        "accuracy",
    ),
    (
        "from azureml.train.automl import AutoMLConfig\ncfg = AutoMLConfig(task='classification', primary_metric='AUC_weighted', training_data=ds, label_column_name='y')",
        "AUC_weighted",
    ),
    (
        "from azure.ai.ml import automl\njob = automl.classification(training_data=d, target_column_name='y', primary_metric='accuracy')",
        "accuracy",
    ),
    (
        "from transformers import TrainingArguments\nargs = TrainingArguments('out', metric_for_best_model='f1', load_best_model_at_end=True)",
        "f1",
    ),
    ("import evaluate\nmetric = evaluate.load('rouge')", "rouge"),
    (
        "import evaluate\nacc = evaluate.load('accuracy')\nacc.compute(predictions=p, references=r)",
        "accuracy",
    ),
    (
        "import torchmetrics\nacc = torchmetrics.Accuracy(task='multiclass', num_classes=10)",
        "Accuracy",
    ),
    (
        "from torchmetrics.classification import BinaryF1Score\nf1 = BinaryF1Score()",
        "BinaryF1Score",
    ),
    (
        "from torchmetrics.functional import accuracy\naccuracy(preds, target, task='binary')",
        "accuracy",
    ),
    ("import mlflow\nmlflow.log_metric('rmse', rmse)", "rmse"),
    ("import mlflow\nmlflow.log_metrics({'accuracy': acc, 'f1': f1})", "accuracy"),
    ("import wandb\nwandb.log({'val_acc': acc})", "val_acc"),
    (
        "from azureml.core import Run\nrun = Run.get_context()\nrun.log('accuracy', np.float(acc))",
        "accuracy",
    ),
    (
        "from sagemaker.experiments.run import Run\nwith Run(experiment_name='e', sagemaker_session=s) as run:\n    run.log_metric(name='test:acc', value=0.9)",
        "test:acc",
    ),
    (
        "from sagemaker.experiments import load_run\nwith load_run() as run:\n    run.log_metric(name='test:loss', value=l)",
        "test:loss",
    ),
    ("import matplotlib.pyplot as plt\nplt.plot(history.history['val_accuracy'])", "val_accuracy"),
    ("from google.cloud import aiplatform\naiplatform.log_metrics({'accuracy': 0.9})", "accuracy"),
    (
        "from google.cloud import aiplatform\nmodel = aiplatform.Model(model_name)\nevals = model.list_model_evaluations()",
        "model_evaluation",
    ),
    (
        "from sagemaker import clarify\nproc = clarify.SageMakerClarifyProcessor(role=role, instance_count=1, instance_type='ml.m5.xlarge', sagemaker_session=s)\nproc.run_bias(data_config=dc, bias_config=bc, model_config=mc, model_predicted_label_config=pl)",
        "bias",
    ),
    (
        "from sagemaker.model_monitor import ModelQualityMonitor\nm = ModelQualityMonitor(role=role, instance_count=1, instance_type='ml.m5.xlarge')\nm.suggest_baseline(baseline_dataset=u, dataset_format=f, problem_type='BinaryClassification', inference_attribute='prediction', ground_truth_attribute='label')",
        "model_quality",
    ),
    ("results = trainer.evaluate()", "evaluate"),
    (
        "from pyspark.ml.evaluation import BinaryClassificationEvaluator\nev = BinaryClassificationEvaluator(metricName='areaUnderROC')\nauc = ev.evaluate(preds)",
        "areaUnderROC",
    ),
    ("from sklearn.metrics import ndcg_score\nndcg_score(y, s)", "ndcg_score"),
    (
        "from seqeval.metrics import classification_report\nprint(classification_report(y_true, y_pred))",
        "classification_report",
    ),
    (
        "import keras\nmodel.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=[keras.metrics.SparseCategoricalAccuracy()])",
        "SparseCategoricalAccuracy",
    ),
    (
        "from tensorflow.keras.metrics import Precision, Recall\nmodel.compile(loss='bce', metrics=[Precision(), Recall()])",
        "Precision",
    ),
    (
        "import mlflow\nmlflow.evaluate(model_uri, data, targets='label', model_type='classifier')",
        "evaluate",
    ),
    (
        "from ray import tune\ntuner = tune.Tuner(trainable, tune_config=tune.TuneConfig(metric='mean_loss', mode='min'))",
        "mean_loss",
    ),
    (
        "def masked_accuracy(y_true, y_pred):\n    return 0.0\nmodel.compile(optimizer='adam', metrics=[masked_accuracy])",
        "masked_accuracy",
    ),
    (
        "import tensorflow as tf\nmodel.compile('adam', 'mse', metrics=[tf.keras.metrics.mean_absolute_error])",
        "mean_absolute_error",
    ),
    (
        "def eval_step(params, batch):\n    loss = loss_fn(params, batch)\n    metrics = {'loss': loss, 'perplexity': jnp.exp(loss)}\n    return metrics",
        "perplexity",
    ),
    ("champion_metrics = {'logLoss': 1.3, 'auPrc': 0.86}", "logLoss"),
    ("from sklearn.metrics import get_scorer\ns = get_scorer('r2')", "r2"),
    ("best = run.get_metrics(name='accuracy')", "accuracy"),
    (
        "from sklearn.model_selection import GridSearchCV\ngs = GridSearchCV(clf, grid)\ngs.fit(X, y)\nprint(gs.best_score_)",
        "best_score_",
    ),
    ("res = pd.DataFrame(search.cv_results_)", "cv_results_"),
    ("print(dict(zip(model.metrics_names, scores)))", "metrics_names"),
    ("import mlflow\nrun = mlflow.get_run(run_id)\nprint(run.data.metrics)", "run_metrics"),
    ("import mlflow\nruns = mlflow.search_runs(order_by=['metrics.rmse ASC'])", "rmse"),
    ("df = est.training_job_analytics.dataframe()", "training_job_analytics"),
    (
        "from sagemaker.analytics import ExperimentAnalytics\ntrials = ExperimentAnalytics(experiment_name='e')",
        "experiment_analytics",
    ),
    (
        "from sklearn.model_selection import learning_curve\nsizes, tr, va = learning_curve(clf, X, y)",
        "learning_curve",
    ),
    (
        "from sklearn.model_selection import LearningCurveDisplay\nLearningCurveDisplay.from_estimator(clf, X, y)",
        "learning_curve",
    ),
    (
        "from prophet.diagnostics import cross_validation, performance_metrics\ndf_cv = cross_validation(m, horizon='30 days')\ndf_p = performance_metrics(df_cv)",
        "performance_metrics",
    ),
    ("perf = model.model_performance(test)", "model_performance"),
    ("lb = predictor.leaderboard(test_data)", "leaderboard"),
    (
        "analysis_config = {'dataset_type': 'text/csv', 'label': 'y', 'methods': {'post_training_bias': {'methods': 'all'}}}",
        "bias",
    ),
    (
        "from pyspark.mllib.evaluation import BinaryClassificationMetrics\nm = BinaryClassificationMetrics(pred_and_labels)",
        "BinaryClassificationMetrics",
    ),
    ("from sklearn.metrics import *\nprint(accuracy_score(y_test, y_pred))", "accuracy_score"),
    ("from scipy import stats\ncorr = stats.spearmanr(predicted, gold)", "spearmanr"),
    (
        "import lightgbm as lgb\nparams = {'objective': 'multiclass', 'metric': {'multi_error'}}\ngbm = lgb.train(params, ds)",
        "multi_error",
    ),
    (
        "from scripts.helper import compute_metrics\nmetrics_df = compute_metrics(fcst_df=fcst_df, metric_name=None)",
        "compute_metrics",
    ),
    ("accuracy = evaluate_model(model, test_data, test_labels)", "evaluate_model"),
    ("name = create_processing_job(bias_analysis_config_path, bias_analysis_result_path)", "bias"),
    ("optimization_objective = 'minimize-mae'", "minimize-mae"),
    ("metric_name = 'p@k(10)'", "p@k(10)"),
    ("model.metadata['accuracy'] = 0.9", "accuracy"),
]

NOT_METRICS = [
    "fetched_run.get_metrics(name='scale factor')",
    "import optuna\nstudy = optuna.create_study(direction='maximize')",
    "from transformers import Trainer\ntrainer = Trainer(model=model, args=args, train_dataset=tr, eval_dataset=ev, compute_metrics=compute_metrics)",
    "metrics_server = {'host': 'localhost', 'port': 8080}",
    "params = {'metric': 'cosine', 'n_neighbors': 5}",
    "from sklearn.neighbors import KNeighborsClassifier\nknn = KNeighborsClassifier(metric='euclidean')",
    "from sklearn.cluster import AgglomerativeClustering\nAgglomerativeClustering(metric='cosine')",
    "from scipy.spatial.distance import cdist\ncdist(a, b, metric='cosine')",
    "import boto3\ncw = boto3.client('cloudwatch')\ncw.put_metric_data(Namespace='x', MetricData=[{'MetricName': 'Latency', 'Value': 1}])",
    "import boto3\ncw = boto3.client('cloudwatch')\ncw.get_metric_statistics(Namespace='AWS/SageMaker', MetricName='Invocations', Period=60, Statistics=['Sum'])",
    "import xgboost as xgb\nparams = {'objective': 'binary:logistic', 'max_depth': 5}",
    "import torch.nn as nn\ncriterion = nn.CrossEntropyLoss()\nloss = criterion(out, y)",
    "import faiss\nindex = faiss.IndexFlatL2(d)",
    "import umap\nreducer = umap.UMAP(metric='cosine')",
    "from sklearn.metrics.pairwise import cosine_similarity\ncosine_similarity(a, b)",
    "from sklearn.metrics import pairwise_distances\npairwise_distances(X, metric='cosine')",
    "import hdbscan\nh = hdbscan.HDBSCAN(metric='euclidean')",
    "print(best_score)",
    "params = {'metrics': 'all'}",
    "path = os.path.join(model_dir, 'metrics.json')",
    "metric_name = 'Invocations'",
    "model.metadata['framework'] = 'Tensorflow'",
    "if model.metadata['accuracy'] == 1: pass",
]

EXPLAINERS = [
    ("import shap\nexplainer = shap.Explainer(model, X)\nsv = explainer(X)", "shap"),
    ("import shap\ne = shap.KernelExplainer(model.predict_proba, X_train[:50])", "shap"),
    ("import shap\ne = shap.DeepExplainer(model, background)", "shap"),
    ("import shap\ne = shap.GradientExplainer(model, background)", "shap"),
    ("import shap\ne = shap.LinearExplainer(model, X)", "shap"),
    ("import shap\nshap.plots.waterfall(sv[0])", "shap"),
    ("import shap\nshap.plots.beeswarm(sv)", "shap"),
    ("import shap\nshap.force_plot(e.expected_value, sv[0], X.iloc[0])", "shap"),
    ("from shap import TreeExplainer\ne = TreeExplainer(model)", "shap"),
    ("import shap\ne = shap.TreeExplainer(m)", "shap"),
    (
        (
            "import shap\nexplainer = shap.TreeExplainer(model)",
            "shap_values = explainer.shap_values(X_test)",
        ),
        "shap",
    ),
    (
        "from lime.lime_tabular import LimeTabularExplainer\ne = LimeTabularExplainer(X_train.values, feature_names=cols)",
        "lime",
    ),
    ("from lime import lime_text\ne = lime_text.LimeTextExplainer(class_names=names)", "lime"),
    ("import lime.lime_image\ne = lime.lime_image.LimeImageExplainer()", "lime"),
    (
        "from sklearn.inspection import permutation_importance\nr = permutation_importance(model, X_val, y_val, n_repeats=10)",
        "permutation_importance",
    ),
    (
        "from sklearn.inspection import PartialDependenceDisplay\nPartialDependenceDisplay.from_estimator(clf, X, [0, 1])",
        "partial_dependence",
    ),
    (
        "from sklearn.inspection import partial_dependence\npd_res = partial_dependence(clf, X, [0])",
        "partial_dependence",
    ),
    (
        "from sklearn import inspection\ninspection.permutation_importance(m, X, y)",
        "permutation_importance",
    ),
    (
        "from captum.attr import IntegratedGradients\nig = IntegratedGradients(model)\nattr = ig.attribute(inputs, target=0)",
        "captum",
    ),
    ("from captum.attr import LayerGradCam\ngc = LayerGradCam(model, model.layer4)", "captum"),
    (
        "from captum.attr import Saliency, DeepLift\ns = Saliency(model)\nd = DeepLift(model)",
        "captum",
    ),
    (
        "from interpret.glassbox import ExplainableBoostingClassifier\nebm = ExplainableBoostingClassifier()\nebm.fit(X, y)\nglobal_exp = ebm.explain_global()",
        "interpret",
    ),
    ("from interpret import show\nshow(ebm.explain_local(X[:5], y[:5]))", "interpret"),
    (
        "from interpret.blackbox import LimeTabular\nlime = LimeTabular(model.predict_proba, X)",
        "interpret",
    ),
    (
        "from interpret_community import TabularExplainer\ne = TabularExplainer(model, X_train)\nge = e.explain_global(X_test)",
        "interpret",
    ),
    (
        "from interpret.ext.blackbox import TabularExplainer\ne = TabularExplainer(model, X_train, features=cols)",
        "interpret",
    ),
    (
        "from interpret_community.mimic import MimicExplainer\nfrom interpret_community.mimic.models import LGBMExplainableModel\ne = MimicExplainer(model, X, LGBMExplainableModel)",
        "interpret",
    ),
    (
        "from azureml.interpret import ExplanationClient\nclient = ExplanationClient.from_run(run)\nclient.upload_model_explanation(global_explanation, comment='x')",
        "interpret",
    ),
    (
        "from azureml.train.automl.runtime.automl_explain_utilities import automl_setup_model_explanations\nsetup = automl_setup_model_explanations(fitted_model, X=X_train, X_test=X_test, y=y_train, task='classification')",
        "interpret",
    ),
    (
        "from responsibleai import RAIInsights\nrai = RAIInsights(model, train, test, 'y', 'classification')\nrai.explainer.add()\nrai.compute()",
        "interpret",
    ),
    (
        "from alibi.explainers import AnchorTabular\nexplainer = AnchorTabular(predict_fn, feature_names)",
        "alibi",
    ),
    ("from alibi.explainers import KernelShap\ne = KernelShap(predict_fn)", "alibi"),
    (
        "import dice_ml\nd = dice_ml.Data(dataframe=df, continuous_features=cols, outcome_name='y')\nexp = dice_ml.Dice(d, m)",
        "dice",
    ),
    ("import eli5\neli5.show_weights(clf, feature_names=cols)", "eli5"),
    (
        "from eli5.sklearn import PermutationImportance\nperm = PermutationImportance(model).fit(X, y)",
        "permutation_importance",
    ),
    ("print(model.feature_importances_)", "feature_importance"),
    ("imp = pd.Series(rf.feature_importances_, index=cols).sort_values()", "feature_importance"),
    ("import xgboost as xgb\nxgb.plot_importance(bst)", "feature_importance"),
    (
        "from xgboost import plot_importance\nplot_importance(model, max_num_features=10)",
        "feature_importance",
    ),
    ("import lightgbm as lgb\nlgb.plot_importance(gbm)", "feature_importance"),
    ("fi = model.get_feature_importance(prettified=True)", "feature_importance"),
    ("scores = bst.get_score(importance_type='gain')", "feature_importance"),
    ("imp = gbm.feature_importance(importance_type='gain')", "feature_importance"),
    (
        "from sagemaker import clarify\nshap_config = clarify.SHAPConfig(baseline=[row], num_samples=100, agg_method='mean_abs')",
        "clarify_shap",
    ),
    (
        "proc.run_explainability(data_config=dc, model_config=mc, explainability_config=shap_config)",
        "clarify_shap",
    ),
    (
        "from google.cloud import aiplatform\nparams = aiplatform.explain.ExplanationParameters({'sampled_shapley_attribution': {'path_count': 10}})",
        "vertex_xai",
    ),
    (
        "from google.cloud import aiplatform\nmeta = aiplatform.explain.ExplanationMetadata(inputs=ins, outputs=outs)",
        "vertex_xai",
    ),
    (
        "from google.cloud import aiplatform\nendpoint = aiplatform.Endpoint(ep)\nresp = endpoint.explain(instances=[x])",
        "vertex_xai",
    ),
    (
        "from google.cloud import aiplatform\nmodel = aiplatform.Model.upload(display_name='m', artifact_uri=u, serving_container_image_uri=img, explanation_metadata=meta, explanation_parameters=params)",
        "vertex_xai",
    ),
    (
        "from google.cloud.aiplatform import explain\nxai = explain.ExplanationParameters(xrai_attribution={'step_count': 50})",
        "vertex_xai",
    ),
    (
        "from sagemaker.debugger import CollectionConfig\ncc = CollectionConfig(name='full_shap', parameters={'save_interval': '10'})",
        "clarify_shap",
    ),
    (
        "from pytorch_grad_cam import GradCAM\ncam = GradCAM(model=model, target_layers=[layer])",
        "pytorchgradcam",
    ),
    ("from tf_explain.core.grad_cam import GradCAM\nexplainer = GradCAM()", "tfexplain"),
    ("import dalex as dx\nexp = dx.Explainer(model, X, y)\nexp.model_parts()", "dalex"),
    (
        "from explainerdashboard import ClassifierExplainer\nexp = ClassifierExplainer(model, X, y)",
        "explainerdashboard",
    ),
    (
        "from transformers_interpret import SequenceClassificationExplainer\ne = SequenceClassificationExplainer(model, tok)",
        "transformersinterpret",
    ),
    ("import shap\nshap.summary_plot(shap_values, X_test, plot_type='bar')", "shap"),
    ("import shap\nshap.dependence_plot('age', sv, X)", "shap"),
    (
        "from omnixai.explainers.tabular import TabularExplainer\ne = TabularExplainer(explainers=['lime', 'shap'], mode='classification', data=d, model=m)",
        "omnixai",
    ),
    ("import h2o\nmodel.varimp_plot()", "feature_importance"),
    (
        "from raiwidgets import ExplanationDashboard\nExplanationDashboard(global_explanation, model, dataset=X_test)",
        "interpret",
    ),
    ("result = endpoint.explain([example])", "vertex_xai"),
    ("sv = explainer.shap_values(X_test)", "shap"),
    ("exp = explainer.explain_instance(X_test[0], model.predict_proba, num_features=5)", "lime"),
    ("global_explanation = explainer.explain_global(x_test)", "interpret"),
    ("cf = exp.generate_counterfactuals(query, total_CFs=4, desired_class='opposite')", "dice"),
    (
        "engineered = explainer.explain(['local', 'global'], eval_dataset=X_test_transform)",
        "interpret",
    ),
    (
        "from sagemaker.model_monitor import ModelExplainabilityMonitor\nm = ModelExplainabilityMonitor(role=role, sagemaker_session=s, max_runtime_in_seconds=1800)",
        "clarify_shap",
    ),
    (
        "name = create_processing_job(explainability_analysis_config_path, explainability_analysis_result_path)",
        "clarify_shap",
    ),
    ("print(output['engineered_local_importance_values'])", "interpret"),
    ("from bertviz import head_view\nhead_view(attention, tokens)", "bertviz"),
    (
        "from yellowbrick.model_selection import FeatureImportances\nviz = FeatureImportances(model)\nviz.fit(X, y)",
        "feature_importance",
    ),
    ("model.shap_summary_plot(test)", "shap"),
    (
        "rai_explanation_component = ml_client_registry.components.get(name='microsoft_azureml_rai_tabular_explanation', version=version)",
        "interpret",
    ),
]

NOT_EXPLAINERS = [
    "df = spark.read.parquet(path)\ndf.explain()",
    "sim = model.get_score(user, item)",
    "import shap",
    "from fairlearn.metrics import MetricFrame\nmf = MetricFrame(metrics=accuracy_score, y_true=y, y_pred=p, sensitive_features=s)",
    "from sklearn.metrics import confusion_matrix\nconfusion_matrix(y, p)",
    "import seaborn as sns\nsns.heatmap(df.corr())",
    "from sagemaker import clarify\nbias_config = clarify.BiasConfig(label_values_or_threshold=[1], facet_name='sex')",
    "import shap\nX, y = shap.datasets.adult()",
    "from sklearn.feature_selection import SelectKBest\nsel = SelectKBest(k=10).fit(X, y)",
    "from interpret.glassbox import ExplainableBoostingClassifier\nebm = ExplainableBoostingClassifier()\nebm.fit(X, y)",
    "df.explain(True)",
    "df.explain('formatted')",
    "import boto3\nsm = boto3.client('sagemaker')\nsm.create_processing_job(ProcessingJobName=name, ProcessingInputs=inputs, AppSpecification=app, RoleArn=role, ProcessingResources=res)",
    "from azureml.core import ScriptRunConfig\nsrc = ScriptRunConfig(source_directory='.', script='train.py')",
    "train_component = ml_client.components.get(name='train_model', version='1')",
    "from vertexai.resources.preview import ml_monitoring\nspec = ml_monitoring.spec.FeatureAttributionSpec(default_alert_threshold=0.0003)",
]

TRAINING = [
    "from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression(max_iter=1000)\nclf.fit(X_train, y_train)",
    "from sklearn.ensemble import RandomForestRegressor as RF\nm = RF()\nm.fit(X, y)",
    "from sklearn.cluster import KMeans\nkm = KMeans(n_clusters=3).fit(X)",
    "from sklearn.ensemble import IsolationForest\niso = IsolationForest().fit(X)",
    "from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.svm import SVC\npipe = Pipeline([('s', StandardScaler()), ('clf', SVC())])\npipe.fit(X, y)",
    "from sklearn.pipeline import make_pipeline\npipe = make_pipeline(StandardScaler(), LogisticRegression())\npipe.fit(X, y)",
    "from sklearn.model_selection import GridSearchCV\ngs = GridSearchCV(SVC(), {'C': [1, 10]})\ngs.fit(X, y)",
    "from sklearn.model_selection import cross_val_score\ncross_val_score(clf, X, y)",
    "model.fit(x_train, y_train, epochs=5, validation_split=0.1)",
    "for epoch in range(3):\n    for xb, yb in loader:\n        opt.zero_grad()\n        loss = loss_fn(model(xb), yb)\n        loss.backward()\n        opt.step()",
    "import xgboost as xgb\nbst = xgb.train(params, dtrain, num_boost_round=100)",
    "import lightgbm as lgb\ngbm = lgb.train(params, train_set)",
    "from catboost import CatBoostClassifier\ncb = CatBoostClassifier(iterations=100)\ncb.fit(X, y)",
    "from transformers import Trainer\ntrainer = Trainer(model=model, args=args, train_dataset=ds)\ntrainer.train()",
    "from trl import SFTTrainer\ntrainer = SFTTrainer(model=model, train_dataset=ds)\ntrainer.train()",
    "import pytorch_lightning as pl\ntrainer = pl.Trainer(max_epochs=3)\ntrainer.fit(model, dm)",
    "import statsmodels.api as sm\nres = sm.OLS(y, X).fit()",
    "import statsmodels.formula.api as smf\nres = smf.logit('y ~ x', data=df).fit()",
    "from prophet import Prophet\nm = Prophet()\nm.fit(df)",
    "from autogluon.tabular import TabularPredictor\npredictor = TabularPredictor(label='y').fit(train_data)",
    "from ray import tune\ntuner = tune.Tuner(trainable, param_space=space)\nresults = tuner.fit()",
    "from ray.train.torch import TorchTrainer\ntrainer = TorchTrainer(train_loop, scaling_config=sc)\nresult = trainer.fit()",
    "from google.cloud import aiplatform\njob = aiplatform.CustomTrainingJob(display_name='t', script_path='task.py', container_uri=img)\nmodel = job.run(replica_count=1, machine_type='n1-standard-4')",
    "from google.cloud import aiplatform\njob = aiplatform.CustomContainerTrainingJob(display_name='t', container_uri=img)\njob.run()",
    "from google.cloud import aiplatform\njob = aiplatform.AutoMLTabularTrainingJob(display_name='t', optimization_prediction_type='classification')\nmodel = job.run(dataset=ds, target_column='y')",
    "from google.cloud import aiplatform\njob = aiplatform.CustomJob(display_name='j', worker_pool_specs=specs)\njob.run()",
    "from google.cloud import aiplatform\nhpt_job = aiplatform.HyperparameterTuningJob(display_name='h', custom_job=job, metric_spec={'acc': 'maximize'}, parameter_spec=ps, max_trial_count=4, parallel_trial_count=2)\nhpt_job.run()",
    "from azureml.core import Experiment, ScriptRunConfig\nsrc = ScriptRunConfig(source_directory='.', script='train.py', compute_target=ct)\nrun = Experiment(ws, 'e').submit(src)",
    "from azure.ai.ml import command\njob = command(code='./src', command='python train.py', environment=env, compute='cpu')\nml_client.jobs.create_or_update(job)",
    "from sagemaker.estimator import Estimator\nest = Estimator(image_uri=img, role=role, instance_count=1, instance_type='ml.m5.xlarge')\nest.fit({'train': 's3://b/train'})",
    "from sagemaker.jumpstart.estimator import JumpStartEstimator\nest = JumpStartEstimator(model_id='huggingface-llm-falcon-7b')\nest.fit({'training': train_uri})",
    "from sagemaker.modules.train import ModelTrainer\ntrainer = ModelTrainer(training_image=img, role=role)\ntrainer.train(input_data_config=[d])",
    "import boto3\nsm = boto3.client('sagemaker')\nsm.create_training_job(TrainingJobName='x', AlgorithmSpecification=a, RoleArn=r, OutputDataConfig=o, ResourceConfig=rc, StoppingCondition=s)",
    "%%bigquery\nCREATE OR REPLACE MODEL `d.m` OPTIONS(model_type='logistic_reg') AS SELECT * FROM `d.t`",
    "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile('adam', 'mse')\nmodel.fit(ds, epochs=3)",
    "from sklearn.naive_bayes import GaussianNB\nnb = GaussianNB()\nnb.partial_fit(X, y, classes=[0, 1])",
    "from sklearn.neighbors import KNeighborsClassifier\nknn = KNeighborsClassifier(3)\nknn.fit(X, y)",
    "import jax\nimport optax\nfor step in range(100):\n    grads = jax.grad(loss_fn)(params, batch)\n    updates, opt_state = optimizer.update(grads, opt_state)\n    params = optax.apply_updates(params, updates)",
    "from accelerate import Accelerator\naccelerator = Accelerator()\nfor batch in loader:\n    loss = model(**batch).loss\n    accelerator.backward(loss)\n    optimizer.step()",
    "from sklearn.mixture import GaussianMixture\ngm = GaussianMixture(3).fit(X)",
    "from sagemaker.workflow.steps import TrainingStep\nstep = TrainingStep(name='t', estimator=est, inputs={'train': ti})",
    "from google.cloud import aiplatform_v1\nclient = aiplatform_v1.PipelineServiceClient()\nclient.create_training_pipeline(parent=p, training_pipeline=tp)",
    "from sklearn.tree import DecisionTreeClassifier\ntree = DecisionTreeClassifier().fit(X, y)",
    "%run trainer/task.py --epochs 5 --no-cuda",
    "!python train.py --epochs 3 --lr 0.01",
    "! docker run --rm $IMAGE --epochs=5 --model-dir=./",
    "!torchrun --nproc_per_node 2 run_clm.py --max_steps 100",
    "import jax, optax\nfor batch in loader:\n    grads = jax.grad(loss_fn)(params, batch)\n    updates, opt_state = tx.update(grads, opt_state)\n    params = optax.apply_updates(params, updates)",
    (
        "def train_step(state, batch):\n    grads = jax.grad(loss_fn)(state.params, batch)\n    return state.apply_gradients(grads=grads)",
        "p_train_step = jax.pmap(train_step, 'batch')\nfor batch in loader:\n    state = p_train_step(state, batch)",
    ),
    " from azureml.core import Experiment\n exp = Experiment(ws, 'e')\n run = exp.submit(config=src)\n\n try:\n     run.wait_for_completion()\n except Exception as ex:\n     print(ex)",
    "from azureml.core.runconfig import RunConfiguration\nfrom azureml.core import Experiment, ScriptRunConfig\nrc = RunConfiguration(framework='python')\nsrc = ScriptRunConfig(source_directory='.', script='train.py', run_config=rc)\nrun = Experiment(ws, 'e').submit(config=src)",
]

NOT_TRAINING = [
    "from sklearn.preprocessing import StandardScaler\nsc = StandardScaler()\nsc.fit(X)",
    "from sklearn.preprocessing import OneHotEncoder\nenc = OneHotEncoder().fit(df[['c']])",
    "from sklearn.feature_extraction.text import TfidfVectorizer\nv = TfidfVectorizer()\nv.fit(texts)",
    "from sklearn.impute import SimpleImputer\nSimpleImputer().fit(X)",
    "from sklearn.decomposition import PCA\npca = PCA(2).fit(X)",
    "from sklearn.preprocessing import LabelEncoder\nle = LabelEncoder()\nle.fit(y)",
    "model.compile(optimizer='adam', loss='mse')",
    "preds = model.predict(X_test)",
    "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')",
    "from keras.preprocessing.text import Tokenizer\ntok = Tokenizer()\ntok.fit_on_texts(texts)",
    "from sklearn.preprocessing import MinMaxScaler\nX = MinMaxScaler().fit_transform(X)",
    "predictor = est.deploy(initial_instance_count=1, instance_type='ml.m5.xlarge')",
    "from sklearn.compose import ColumnTransformer\nct = ColumnTransformer([('n', StandardScaler(), cols)])\nct.fit(X)",
    "from tensorflow.keras.layers import TextVectorization\nvec = TextVectorization()\nvec.adapt(texts)",
    "import tensorflow as tf\nnorm = tf.keras.layers.Normalization()\nnorm.adapt(X)",
    "from sklearn.feature_extraction.text import CountVectorizer\ncv = CountVectorizer()\nX = cv.fit_transform(docs)",
    "from sklearn.preprocessing import PolynomialFeatures\nPolynomialFeatures(2).fit(X)",
    "from sklearn.manifold import TSNE\nemb = TSNE(2).fit_transform(X)",
    "import umap\nreducer = umap.UMAP()\nemb = reducer.fit_transform(X)",
    "!python preprocess.py --input data.csv",
    "%run helpers.py",
    "! docker build -t $IMAGE .",
    "!python -m http.server --epochs-not-an-option",
    "from optimum.onnxruntime import ORTQuantizer\nquantizer = ORTQuantizer.from_pretrained(model_dir)\nranges = quantizer.fit(dataset=calib, calibration_config=cfg, operators_to_quantize=ops)",
    "def train_step(state, batch):\n    grads = jax.grad(loss_fn)(state.params, batch)\n    return state.apply_gradients(grads=grads)",
    "from azureml.core.runconfig import RunConfiguration\nfrom azureml.core import Experiment, ScriptRunConfig\nrc = RunConfiguration(framework='pyspark')\nsrc = ScriptRunConfig(source_directory='.', script='wordcount.py', run_config=rc)\nrun = Experiment(ws, 'spark').submit(config=src)",
]

READS = [
    ("import pandas as pd\ndf = pd.read_csv('data/train.csv')", "local", "data/train.csv"),
    (
        "import pandas as pd\ndf = pd.read_parquet('s3://bucket/data/train.parquet')",
        "s3",
        "s3://bucket/data/train.parquet",
    ),
    (
        "import pandas as pd\ndf = pd.read_json('https://example.com/data.json', lines=True)",
        "http",
        "https://example.com/data.json",
    ),
    ("import pandas as pd\ndf = pd.read_excel('sales.xlsx')", "local", "sales.xlsx"),
    (
        "import polars as pl\ndf = pl.read_csv('gs://bucket/data.csv')",
        "gcs",
        "gs://bucket/data.csv",
    ),
    ("import polars as pl\nlf = pl.scan_parquet('data/*.parquet')", "local", "data/*.parquet"),
    (
        "import pyarrow.parquet as pq\nt = pq.read_table('data/part-0.parquet')",
        "local",
        "data/part-0.parquet",
    ),
    ("import numpy as np\nX = np.load('features.npy')", "local", "features.npy"),
    ("import numpy as np\nA = np.loadtxt('matrix.txt')", "local", "matrix.txt"),
    ("from PIL import Image\nimg = Image.open('images/cat.jpg')", "local", "images/cat.jpg"),
    ("import cv2\nimg = cv2.imread('photo.png')", "local", "photo.png"),
    (
        "import torchvision\nds = torchvision.datasets.CIFAR10(root='./data', train=True, download=True)",
        "dataset",
        None,
    ),
    (
        "from torchvision import datasets\nds = datasets.MNIST('data', download=True)",
        "dataset",
        None,
    ),
    (
        "from torchvision.datasets import ImageFolder\nds = ImageFolder('data/train')",
        "local",
        "data/train",
    ),
    (
        "import tensorflow_datasets as tfds\nds = tfds.load('mnist', split='train')",
        "dataset",
        "mnist",
    ),
    ("from datasets import load_dataset\nds = load_dataset('imdb')", "dataset", "imdb"),
    (
        "from datasets import load_dataset\nds = load_dataset('csv', data_files='data/train.csv')",
        "local",
        "data/train.csv",
    ),
    ("from sklearn.datasets import load_iris\nX, y = load_iris(return_X_y=True)", "dataset", None),
    (
        "from sklearn import datasets\nX, y = datasets.fetch_california_housing(return_X_y=True)",
        "dataset",
        None,
    ),
    ("from tensorflow import keras\n(x, y), _ = keras.datasets.mnist.load_data()", "dataset", None),
    ("import shap\nX, y = shap.datasets.adult()", "dataset", None),
    ("import seaborn as sns\ndf = sns.load_dataset('titanic')", "dataset", "titanic"),
    (
        "from google.cloud import bigquery\nclient = bigquery.Client()\ndf = client.query('SELECT * FROM `p.d.t`').to_dataframe()",
        "warehouse",
        None,
    ),
    (
        "%%bigquery df\nSELECT * FROM `bigquery-public-data.samples.natality` LIMIT 100",
        "warehouse",
        None,
    ),
    (
        "import awswrangler as wr\ndf = wr.athena.read_sql_query('SELECT * FROM t', database='db')",
        "warehouse",
        None,
    ),
    (
        "from pyathena import connect\nconn = connect(s3_staging_dir='s3://b/tmp/', region_name='us-east-1')",
        "warehouse",
        None,
    ),
    (
        "import pandas as pd\nimport sqlalchemy\nengine = sqlalchemy.create_engine('postgresql://u@h/db')\ndf = pd.read_sql('SELECT * FROM t', engine)",
        "database",
        None,
    ),
    ("df = spark.read.csv('s3a://bucket/data/', header=True)", "s3", "s3a://bucket/data/"),
    (
        "df = spark.read.format('parquet').load('abfss://c@acct.dfs.core.windows.net/data')",
        "azure",
        None,
    ),
    (
        "from azureml.core import Dataset\nds = Dataset.get_by_name(ws, name='credit')",
        "azure",
        None,
    ),
    (
        "from azureml.core import Dataset\nds = Dataset.Tabular.from_delimited_files(path='https://x.blob.core.windows.net/d/train.csv')",
        "azure",
        None,
    ),
    (
        "from azure.ai.ml import Input\ninp = Input(type='uri_file', path='azureml://datastores/blob/paths/data.csv')",
        "azure",
        None,
    ),
    (
        "from google.cloud import aiplatform\nds = aiplatform.TabularDataset.create(display_name='d', gcs_source=['gs://b/data.csv'])",
        "gcs",
        "gs://b/data.csv",
    ),
    (
        "from google.cloud import aiplatform\nds = aiplatform.TabularDataset.create(display_name='d', bq_source='bq://p.d.t')",
        "warehouse",
        None,
    ),
    ("!aws s3 cp s3://bucket/data/train.csv .", "s3", "s3://bucket/data/train.csv"),
    ("!gsutil cp gs://bucket/data.csv .", "gcs", "gs://bucket/data.csv"),
    ("!gcloud storage cp gs://bucket/data.csv ./data.csv", "gcs", "gs://bucket/data.csv"),
    ("!wget https://example.com/data.zip", "http", "https://example.com/data.zip"),
    (
        "import requests\nr = requests.get('https://example.com/data.csv')",
        "http",
        "https://example.com/data.csv",
    ),
    (
        "import urllib.request\nurllib.request.urlretrieve('https://example.com/x.csv', 'x.csv')",
        "http",
        "https://example.com/x.csv",
    ),
    (
        "import boto3\ns3 = boto3.client('s3')\ns3.download_file('bucket', 'data/train.csv', 'train.csv')",
        "s3",
        "s3://bucket/data/train.csv",
    ),
    (
        "from sagemaker.inputs import TrainingInput\ntrain = TrainingInput('s3://bucket/train/', content_type='text/csv')",
        "s3",
        "s3://bucket/train/",
    ),
    (
        "from sagemaker.estimator import Estimator\nest = Estimator(image_uri=img, role=role, instance_count=1, instance_type='ml.m5.xlarge')\nest.fit({'train': 's3://bucket/train/'})",
        "s3",
        "s3://bucket/train/",
    ),
    (
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')",
        "model_hub",
        "bert-base-uncased",
    ),
    (
        "from transformers import pipeline\np = pipeline('sentiment-analysis', model='distilbert-base-uncased-finetuned-sst-2-english')",
        "model_hub",
        "distilbert-base-uncased-finetuned-sst-2-english",
    ),
    (
        "from sagemaker.huggingface import HuggingFaceModel\nm = HuggingFaceModel(env={'HF_MODEL_ID': 'google/flan-t5-xl', 'HF_TASK': 'text2text-generation'}, role=role, transformers_version='4.26', pytorch_version='1.13', py_version='py39')",
        "model_hub",
        "google/flan-t5-xl",
    ),
    (
        "hub = {}\nhub['HF_MODEL_ID'] = 'distilbert-base-uncased'",
        "model_hub",
        "distilbert-base-uncased",
    ),
    (
        "from sagemaker.huggingface import HuggingFace\nest = HuggingFace(entry_point='train.py', hyperparameters={'model-name': 'google/pegasus-xsum', 'epochs': 1}, role=role)",
        "model_hub",
        "google/pegasus-xsum",
    ),
    (
        "hyperparameters = {'model_name_or_path': 'gpt2', 'per_device_train_batch_size_max': 128}",
        "model_hub",
        "gpt2",
    ),
    (
        "from sagemaker.jumpstart.model import JumpStartModel\nm = JumpStartModel(model_id='huggingface-llm-falcon-7b-instruct-bf16')",
        "model_hub",
        "huggingface-llm-falcon-7b-instruct-bf16",
    ),
    (
        "from transformers.convert_graph_to_onnx import convert\nconvert(framework='pt', model='bert-base-cased', output=out, opset=11)",
        "model_hub",
        "bert-base-cased",
    ),
    (
        "!python run_benchmark.py --models deepset/roberta-base-squad2 bert-base-cased --batch_sizes 8",
        "model_hub",
        "deepset/roberta-base-squad2",
    ),
    (
        "from google.cloud import aiplatform_v1\nclient.create_feature_view(parent=p, feature_view={'big_query_source': {'uri': 'bq://p.d.t', 'entity_id_columns': ['id']}})",
        "warehouse",
        None,
    ),
    (
        "from kafka import KafkaConsumer\nc = KafkaConsumer('topic', bootstrap_servers='b:9092')",
        "stream",
        None,
    ),
    (
        "import json\nwith open('data/records.jsonl') as f:\n    rows = [json.loads(l) for l in f]",
        "local",
        "data/records.jsonl",
    ),
    ("import h5py\nf = h5py.File('data.h5', 'r')", "local", "data.h5"),
    ("import scipy.io\nm = scipy.io.loadmat('data.mat')", "local", "data.mat"),
    ("import librosa\ny, sr = librosa.load('audio.wav')", "local", "audio.wav"),
    ("from fastai.vision.all import *\npath = untar_data(URLs.PETS)", "dataset", None),
    (
        "import os\nfrom utils import load_data\nX = load_data(os.path.join(data_folder, 'train-images-idx3-ubyte.gz'), False)",
        "local",
        None,
    ),
    (
        "from huggingface_hub import hf_hub_download\np = hf_hub_download(repo_id='org/dataset', filename='train.csv', repo_type='dataset')",
        "dataset",
        None,
    ),
    (
        "from huggingface_hub import snapshot_download\nsnapshot_download(repo_id='meta-llama/Llama-2-7b-hf')",
        "model_hub",
        "meta-llama/Llama-2-7b-hf",
    ),
    ("import kagglehub\npath = kagglehub.dataset_download('uciml/iris')", "dataset", "uciml/iris"),
    ("import ray\nds = ray.data.read_images('s3://bucket/images/')", "s3", "s3://bucket/images/"),
    ("import ray\nds = ray.data.read_parquet('data/')", "local", "data/"),
    (
        "from azure.ai.ml import MLClient\nml_client = MLClient.from_config(credential)\ndata = ml_client.data.get(name='credit', version='1')",
        "azure",
        None,
    ),
    ("import mltable\ntbl = mltable.load('./data')", "azure", None),
    (
        "import torchaudio\nds = torchaudio.datasets.SPEECHCOMMANDS('./data', download=True)",
        "dataset",
        None,
    ),
    (
        "from google.cloud import bigquery\nclient = bigquery.Client()\nrows = client.list_rows('p.d.t', max_results=10)",
        "warehouse",
        None,
    ),
    ("import pandas_gbq\ndf = pandas_gbq.read_gbq('SELECT 1', project_id='p')", "warehouse", None),
    ("import bigframes.pandas as bpd\ndf = bpd.read_gbq('p.d.t')", "warehouse", None),
    (
        "import redshift_connector\nconn = redshift_connector.connect(host='h', database='dev', user='u', password=pw)",
        "warehouse",
        None,
    ),
    (
        "from sagemaker.s3 import S3Downloader\nS3Downloader.download('s3://bucket/data/', 'data')",
        "s3",
        "s3://bucket/data/",
    ),
    (
        "from sagemaker.feature_store.feature_group import FeatureGroup\nfg = FeatureGroup(name='fg', sagemaker_session=s)\nq = fg.athena_query()\nq.run(query_string='SELECT * FROM t', output_location='s3://b/q/')",
        "feature_store",
        None,
    ),
    (
        "import boto3\nfs = boto3.client('sagemaker-featurestore-runtime')\nrec = fs.get_record(FeatureGroupName='fg', RecordIdentifierValueAsString='1')",
        "feature_store",
        None,
    ),
    (
        "from google.cloud import aiplatform\nds = aiplatform.ImageDataset.create(display_name='flowers', gcs_source='gs://b/flowers.csv', import_schema_uri=s)",
        "gcs",
        "gs://b/flowers.csv",
    ),
    (
        "import tensorflow as tf\nds = tf.data.TFRecordDataset(['gs://b/train.tfrecord'])",
        "gcs",
        None,
    ),
    (
        "import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv')",
        "http",
        "https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv",
    ),
    ("%%bash\naws s3 cp s3://bucket/train.csv data/", "s3", "s3://bucket/train.csv"),
    ("!curl -o data.csv https://example.com/data.csv", "http", "https://example.com/data.csv"),
    (
        "from datasets import load_dataset\nds = load_dataset('json', data_files={'train': 's3://b/train.jsonl'})",
        "s3",
        "s3://b/train.jsonl",
    ),
    (
        "import sagemaker\nsess = sagemaker.Session()\nsess.download_data(path='data', bucket='b', key_prefix='train/')",
        "s3",
        None,
    ),
    ("import skimage\nimage = skimage.data.astronaut()", "dataset", None),
    (
        "from gluoncv import model_zoo\nnet = model_zoo.get_model('yolo3_darknet53_coco', pretrained=True)",
        "model_hub",
        "yolo3_darknet53_coco",
    ),
    ("from mxnet import image\nimg = image.imread('test.jpg')", "local", "test.jpg"),
    (
        "import httpx\nresp = httpx.get('https://example.com/doc.pdf')",
        "http",
        "https://example.com/doc.pdf",
    ),
    (
        "from google.cloud.aiplatform import model_monitoring\nskew = model_monitoring.SkewDetectionConfig(data_source='bq://p.d.train', skew_thresholds=t, target_field='y')",
        "warehouse",
        "bq://p.d.train",
    ),
    (
        "(tpl, params) = utils.get_prophet_train_pipeline_and_parameters(project=p, data_source_bigquery_table_path='bq://p.d.t', target_column='y')",
        "warehouse",
        "bq://p.d.t",
    ),
    (
        "from azureml.data.sql_data_reference import SqlDataReference\nref = SqlDataReference(datastore=ds, data_reference_name='q', sql_query='select top 1 * from T')",
        "database",
        None,
    ),
    (
        "import boto3\ns3 = boto3.client('s3')\ns3.copy({'Bucket': 'nyc-tlc', 'Key': 'trip data/yellow.csv'}, bucket, 'taxi/yellow.csv')",
        "s3",
        "s3://nyc-tlc/trip data/yellow.csv",
    ),
    (
        "import os, glob\nfrom utils import load_data\nX = load_data(glob.glob(os.path.join(data_folder, '**/train-images-idx3-ubyte.gz'), recursive=True)[0], False)",
        "local",
        None,
    ),
    (
        "MODEL = 'distilbert-base-uncased'\nhyperparameters = {'model_name': MODEL, 'epochs': 1}",
        "model_hub",
        "distilbert-base-uncased",
    ),
    (
        (
            "MODEL_ID = 'google/flan-t5-small'",
            "from transformers import pipeline\np = pipeline('text2text-generation', model=MODEL_ID)",
        ),
        "model_hub",
        "google/flan-t5-small",
    ),
    (
        "model_name = 'bert-base-uncased'\nfrom sagemaker.huggingface import HuggingFace\nest = HuggingFace(entry_point='train.py', hyperparameters={'model-name': model_name, 'epochs': 1}, role=role)",
        "model_hub",
        "bert-base-uncased",
    ),
    (
        "from google.cloud import storage\nblob = storage.Client().bucket('b').blob('data/train.csv')\nblob.download_to_filename('train.csv')",
        "gcs",
        None,
    ),
]

NOT_READS = [
    "import pandas as pd\ndf.to_csv('out/train.csv', index=False)",
    "df.to_parquet('s3://bucket/processed/train.parquet')",
    "with open('submission.csv', 'w') as f:\n    f.write(text)",
    "import boto3\ns3 = boto3.client('s3')\ns3.upload_file('train.csv', 'bucket', 'data/train.csv')",
    "import sagemaker\nsess = sagemaker.Session()\nsess.upload_data('data', bucket='b', key_prefix='p')",
    "from sagemaker.s3 import S3Uploader\nS3Uploader.upload('train.csv', 's3://b/p')",
    "!aws s3 cp train.csv s3://bucket/data/",
    "!gsutil cp data.csv gs://bucket/",
    "import boto3\ns3 = boto3.client('s3')\nresp = s3.list_objects_v2(Bucket='b', Prefix='data/')",
    "!aws s3 ls s3://bucket/data/",
    "import xgboost as xgb\nbst = xgb.Booster()\nbst.load_model('model.json')",
    "import tarfile\nwith tarfile.open('model.tar.gz') as t:\n    t.extractall()",
    "import joblib\nclf = joblib.load('model.joblib')",
    "import json\nwith open('config.json') as f:\n    cfg = json.load(f)",
    "import yaml\nwith open('params.yaml') as f:\n    params = yaml.safe_load(f)",
    "with open('train.py') as f:\n    print(f.read())",
    "!cat requirements.txt",
    "!wget https://raw.githubusercontent.com/org/repo/main/ds_config_zero_stage_1.json",
    (
        "from transformers import AutoModel\nmodel.save_pretrained('my-finetuned-model')",
        "m = AutoModel.from_pretrained('my-finetuned-model')",
    ),
    (
        "from transformers import TrainingArguments, AutoModelForQuestionAnswering\nargs = TrainingArguments('deberta-base-finetuned-squad', num_train_epochs=1)",
        "m = AutoModelForQuestionAnswering.from_pretrained('deberta-base-finetuned-squad')",
    ),
    "best_run.download_file('outputs/engineered_feature_names.json', 'engineered_feature_names.json')",
    "from sagemaker.rl import RLEstimator\nest = RLEstimator(entry_point='evaluate.py', role=role, instance_count=1, instance_type='ml.m5.xlarge')\nest.fit({'model': checkpoint_path})",
    "import configparser\ncp = configparser.ConfigParser()\ncp.read('settings.ini')",
    "import os\ncreds = open(os.path.expanduser('~/.aws/credentials')).read()",
    "from PIL import Image\nimg.save('out.png')",
    "from fastai.vision.all import *\nprint(len(files))\nx = open_image_from_memory(buf)",
    "from sagemaker.model import Model\nm = Model(image_uri=img, model_data='s3://b/output/model.tar.gz', role=role)",
    "from sagemaker.s3 import S3Downloader\nS3Downloader.download('s3://b/output/model.tar.gz', '.')",
    "import boto3\ns3 = boto3.resource('s3')\nfor obj in s3.Bucket('b').objects.filter(Prefix='data/'):\n    print(obj.key)",
    "from google.cloud import storage\nclient = storage.Client()\nblobs = client.list_blobs('bucket')",
    "!gsutil ls gs://bucket/data/",
    "!aws s3 sync ./data s3://bucket/data",
    "from google.cloud import storage\nblob = storage.Client().bucket('b').blob('data/train.csv')\nblob.upload_from_filename('train.csv')",
    "import pandas as pd\nimport io\ndf = pd.read_csv(io.StringIO(csv_text))",
    "from datasets import Dataset\nds = Dataset.from_pandas(df)",
    "import torch\ntorch.save(model.state_dict(), 'model.pt')",
    "import torch\nmodel.load_state_dict(torch.load('model.pt'))",
    "import joblib\njoblib.dump(clf, 'model.joblib')",
    "import tensorflow as tf\nmodel = tf.keras.models.load_model('saved_model/my_model')",
    "import pickle\nwith open('model.pkl', 'rb') as f:\n    model = pickle.load(f)",
    "!cat ~/.kaggle/kaggle.json",
    "from dotenv import load_dotenv\nload_dotenv('.env')",
    "from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained('./', unk_token='[UNK]')",
    "from transformers import pipeline\np = pipeline('text-classification', model='./outputs/model')",
    "from sagemaker.s3 import S3Downloader\nfiles = S3Downloader.list('s3://bucket/reports/')",
    "from sagemaker.s3 import S3Downloader\nfrom sagemaker.model_monitor import ModelBiasMonitor\nm = ModelBiasMonitor(role=role)\nc = m.suggested_constraints()\nprint(S3Downloader.read_file(c.file_s3_uri))",
    "from gluoncv import model_zoo\nnet = model_zoo.get_model('resnet50_v1', pretrained=False)",
    "import nltk\nnltk.download('punkt')",
]


#: (fact kinds, cells, fields one of the facts has; None: any value)
FOUND = [
    *((("metric",), cells, {"name": name}) for cells, name in METRICS),
    *((("explainability",), cells, {"method": method}) for cells, method in EXPLAINERS),
    *((TRAINING_KINDS, cells, {}) for cells in TRAINING),
    *((("data_source",), cells, {"kind": kind, "uri": uri}) for cells, kind, uri in READS),
]
#: (fact kinds, cells) where none of those facts may be found
NOT_FOUND = [
    *((("metric",), cells) for cells in NOT_METRICS),
    *((("explainability",), cells) for cells in NOT_EXPLAINERS),
    *((TRAINING_KINDS, cells) for cells in NOT_TRAINING),
    *((("data_source",), cells) for cells in NOT_READS),
]


@pytest.mark.parametrize(("kinds", "cells", "fields"), FOUND)
def test_what_the_guide_counts_is_found(kinds, cells, fields):
    facts = _facts(cells)
    found = [f for k in kinds for f in facts.of(k)]
    assert any(all(v is None or f.get(k) == v for k, v in fields.items()) for f in found), (
        fields,
        found,
    )


@pytest.mark.parametrize(("kinds", "cells"), NOT_FOUND)
def test_what_the_guide_does_not_count_is_not_found(kinds, cells):
    facts = _facts(cells)
    found = [f for k in kinds for f in facts.of(k)]
    assert not found, found


def test_results_read_back_are_not_data():
    """A job's or an analysis's results downloaded and shown (a Clarify report's images, a
    file under a results folder) are not a data source; the data next to them is."""
    found = _facts(
        "from PIL import Image\n"
        "im = Image.open('cv_analysis_result/shap_064_box1_object.jpeg')\n"
        "photo = Image.open('images/064_0003.jpeg')"
    ).of("data_source")
    assert [(r["line"], r["uri"]) for r in found] == [(3, "images/064_0003.jpeg")]


def test_a_metric_named_in_a_constant_counts_where_it_is_named():
    found = _facts(
        (
            "optimization_objective = 'minimize-mae'",
            "job = aiplatform.AutoMLForecastingTrainingJob(\n"
            "    display_name='f', optimization_objective=optimization_objective)",
        )
    ).of("metric")
    assert [(m["cell"], m["name"]) for m in found] == [(0, "minimize-mae")]
