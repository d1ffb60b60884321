"""Facts from a cell's magics and shell lines, its text (:mod:`.lines`), its string literals
and the literal dicts and lists it assigns."""

from __future__ import annotations

import re
from typing import Any

from . import signatures as sig
from .callfacts import (
    _HUB_ID,
    TOOLING_PACKAGES,
    argument_uris,
    data_source_read,
    defined_metrics,
    hub_key_kind,
)
from .factbase import Facts
from .installs import classify, index_options, installs_in_command
from .lines import jvm_reads, line_facts, looks_like_sql, sql_facts
from .pyscan import ABSENT, CellScan, Scanner
from .rfacts import r_cell_facts
from .shell import command_facts, expand
from .source import SQL_MAGICS, CellCode

_ABS_PATH = re.compile(
    r"^(?:/(?!tmp/|tmp$|opt/ml|opt/program|opt/conda|usr/|etc/|dev/|proc/|sys/|bin/|lib|sbin/|var/run|invocations|ping)[\w.@~+-]+(?:/[\w.@~+ -]*)+|[A-Za-z]:\\[^\"'<>|?*\n]+|~/[\w.@+-][^\s\"']*)$"
)


_WELLML_PHASE = re.compile(r"^\s*%?wellml\s+phase\s+(?P<word>[\w -]+?)\s*(?:#.*)?$")


# --------------------------------------------------------------------------- magics and shell
def _command_of(m) -> tuple[str, str] | None:
    """``(command, form)`` of a line that runs a shell or package command, else None."""
    if m.kind == "shell":
        return m.args, "shell"
    if m.kind == "magic" and m.name in ("pip", "conda", "mamba", "uv"):
        return f"{m.name} {m.args}", m.form
    if m.kind == "magic" and m.name in ("sx", "system"):
        return m.args, "shell"
    if m.kind == "magic" and m.name == "run":
        return f"python {m.args}", "shell"  # `%run train.py --epochs 5` runs a script
    return None


def _command_facts(cell: int, m, command: str, form: str, facts: Facts, lookup) -> None:
    """The installs a command makes and, for shell commands, what else it does."""
    index = index_options(command)
    for tool, token, _ in installs_in_command(command):
        info = classify(tool, token)
        if info["name"] not in TOOLING_PACKAGES:
            facts.add("pip_install", cell, m.line, tool=tool, form=form, **info, **index)
    if m.kind == "shell" or form == "shell":
        if m.form != "cell_shell":  # IPython expands $name and {name} in `!` lines only
            command = expand(command, lookup)
        for kind, fields in command_facts(command):
            facts.add(kind, cell, m.line, **fields)


def magic_facts(cell: int, code: CellCode, facts: Facts, lookup: ConstLookup) -> None:
    if code.writefile:
        facts.add("writefile", cell, 1, path=code.writefile)
    for m in code.magics:
        if m.kind == "shell":
            facts.add("shell", cell, m.line, command=m.name)
        elif m.kind == "magic" and m.name == "wellml":
            pm = _WELLML_PHASE.match(f"wellml {m.args}")
            if pm:
                facts.phase_lines.append((cell, m.line, pm.group("word").strip()))
            continue
        found = _command_of(m)
        if found is not None:
            _command_facts(cell, m, *found, facts, lookup)


class ConstLookup:
    """Looks up the notebook's string constants for shell lines, noting which it read (the
    cell's facts then depend on them, like the scan's own reads)."""

    def __init__(self, scanner: Scanner, scan: CellScan | None) -> None:
        self.consts = scanner.index.consts
        self.own = {k for k, _ in scan.writes[1]} if scan is not None else set()
        self.read: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        value = dict.get(self.consts, name)
        if name not in self.own:
            self.read[name] = dict.get(self.consts, name, ABSENT)
        return value


def text_facts(source: str, code: CellCode, facts: Facts) -> None:
    """Facts in the cell's text: seeds in parameter dicts and command lines, training-history
    metrics, feature importances (Python cells), and SQL bodies (``%%bigquery``...)."""
    if code.language == "python":
        for kind, line, fields in line_facts(source):
            facts.add(kind, None, line, **fields)
    elif code.language == "sql" or (
        code.magics and code.magics[0].kind == "cell_magic" and code.magics[0].name in SQL_MAGICS
    ):
        body = source.partition("\n")[2]
        for kind, line, fields in sql_facts(body, 2):
            facts.add(kind, None, line, **fields)
    elif code.language in ("scala", "csharp"):
        # a Spark session's reads written in Scala or C#: `spark.read.csv("wasbs://...")`
        body = source.partition("\n")[2]
        for kind, line, fields in jvm_reads(body, 2):
            facts.add(kind, None, line, **fields)
    elif code.language == "r" or (
        code.magics and code.magics[0].kind == "cell_magic" and code.magics[0].name == "R"
    ):
        # rpy2's `%%R`: the body is R; a blank first line keeps the cell's line numbers
        body = "\n" + source.partition("\n")[2]
        r_cell_facts(body, 0, {}, facts.add, data_source_read)


# --------------------------------------------------------------------------- strings
#: an IAM role named by its ARN in code; its name says what it may do
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


_BROAD_ROLE = re.compile(r"admin|full[-_ ]?access|poweruser|power[-_]user|root|superuser", re.I)


#: column names that hold personal data (a literal used as a column, a field, a feature)
_PERSONAL_COLUMN = re.compile(
    r"^(?:ssn|social[-_ ]?security(?:[-_ ]?(?:number|no))?|national[-_ ]?(?:id|insurance(?:[-_ ]?number)?)"
    r"|nino|tax[-_ ]?id|passport(?:[-_ ]?(?:number|no))?|driver'?s?[-_ ]?licen[cs]e(?:[-_ ]?number)?"
    r"|date[-_ ]?of[-_ ]?birth|dob|birth[-_ ]?date|birthdate|e[-_]?mail(?:[-_ ]?address)?"
    r"|phone(?:[-_ ]?(?:number|no))?|telephone|mobile(?:[-_ ]?(?:number|phone))?"
    r"|credit[-_ ]?card(?:[-_ ]?(?:number|no))?|card[-_ ]?number|iban|home[-_ ]?address"
    r"|street[-_ ]?address|full[-_ ]?name|first[-_ ]?name|last[-_ ]?name|surname)$",
    re.I,
)


def path_facts(strings, facts: Facts) -> None:
    for lit in strings:
        v = lit.value
        if len(v) < 64 and _PERSONAL_COLUMN.match(v):
            facts.add("personal_data", lit.cell, lit.line, column=v)
        if v.startswith("arn:"):
            m = _ROLE_ARN.match(v)
            if m:
                broad = bool(_BROAD_ROLE.search(m.group(1)))
                facts.add("role_arn", lit.cell, lit.line, arn=v, name=m.group(1), broad=broad)
        if len(v) > 20 and looks_like_sql(v):
            for kind, line, fields in sql_facts(v, lit.line):
                facts.add(kind, lit.cell, line, **fields)
        if (
            (v[0] in "/~" or (len(v) > 2 and v[1] == ":"))
            and "\n" not in v
            and len(v) < 400
            and _ABS_PATH.match(v)
        ):
            facts.add("absolute_path", lit.cell, lit.line, path=v)


#: keys of a job's hyperparameters (beside a model id, they show the dict configures training):
#: epochs, batch sizes, learning rates, steps, sequence lengths, as scripts spell them
_TRAINING_KEY = re.compile(
    r"epoch|batch_size|learning_rate|^lr$|(?:^|_)steps?(?:_|$)|warmup|^do_train$|^hf_task$"
    r"|seq(?:uence)?_len",
    re.I,
)


def _configures_training(value: dict) -> bool:
    return any(_TRAINING_KEY.search(k.replace("-", "_")) for k in list(value)[:64])


#: keys of settings dicts that name the metric a job optimises or reports
_METRIC_KEYS = (
    "metric",
    "primary_metric",
    "eval_metric",
    "objective_metric_name",
    "metric_for_best_model",
    "metric_name",
    "primary_metric_name",
)


#: an operational metric's name (CloudWatch: ``Invocations``, ``ModelLatency``)
_CLOUDWATCH_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)*$")
#: a Clarify analysis configuration's bias methods
_BIAS_METHODS = frozenset({"pre_training_bias", "post_training_bias"})
#: a name that holds metrics (``metrics``, ``eval_metrics``, ``champion_metrics``)
_METRICS_NAME = re.compile(r"(?:^|_)metrics?$", re.I)
#: keys too plain to name a metric alone
_PLAIN_METRIC_NAMES = frozenset({"score", "scores", "error", "errors"})


def assigned_facts(assigned, facts: Facts) -> None:
    """Literal dicts and lists assigned to a name: a container's environment naming a hub model
    (``hub = {"HF_MODEL_ID": ...}``), a job's hyperparameters naming a model or data set, a
    job's settings naming its metric (``automl_settings = {"primary_metric": ...}``), metric
    definitions, and command-line options that hand a job its data."""
    for target, value, cell, line in assigned:
        for metric in defined_metrics(value):
            facts.add("metric", cell, line, name=metric, api="metric definitions")
        if (
            isinstance(value, str)
            and value
            and target.lower() in sig.METRIC_KEYWORDS
            and not (target.lower() == "metric_name" and _CLOUDWATCH_NAME.match(value))
        ):
            # `optimization_objective = "minimize-mae"`, later passed by name: named here
            facts.add("metric", cell, line, name=value, api=f"constant:{target}")
        if type(value) is list:
            for uri in argument_uris(value):
                facts.add(
                    "data_source", cell, line, uri=uri, kind=sig.uri_kind(uri), via="arguments"
                )
        elif type(value) is dict:
            _settings_metrics(target, value, cell, line, facts)
            methods = value.get("methods")
            if isinstance(methods, dict) and ("shap" in methods or "pdp" in methods):
                # a SageMaker Clarify analysis configuration, run through a processing job
                facts.add(
                    "explainability", cell, line, method="clarify_shap", api="analysis config"
                )
            if isinstance(methods, dict) and _BIAS_METHODS.intersection(methods):
                facts.add("metric", cell, line, name="bias", api="analysis config")
            training = _configures_training(value)
            for key, inner in value.items():
                kind = hub_key_kind(key, training)
                if kind and isinstance(inner, str) and _HUB_ID.match(inner):
                    facts.add("data_source", cell, line, uri=inner, kind=kind, via=f"dict:{key}")


def _settings_metrics(target: str, value: dict, cell: int, line: int, facts: Facts) -> None:
    """Metrics a dict names: a job's metric setting (``{"primary_metric": "AUC_weighted"}``,
    ``{"metric": "auc"}`` unless a distance), or the keys of a dict of computed metrics
    (``metrics = {"loss": loss, "perplexity": ...}``)."""
    for key in _METRIC_KEYS:
        names = value.get(key)
        if key == "metric":  # also a distance (`{"metric": "cosine"}`)
            names = sig.evaluation_metric(names)
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str) and name:
                facts.add("metric", cell, line, name=name, api=f"settings:{key}")
    if _METRICS_NAME.search(target):
        for key in list(value)[:16]:
            if sig.METRIC_WORDS.search(key) and key.lower() not in _PLAIN_METRIC_NAMES:
                facts.add("metric", cell, line, name=key, api="metrics dict")
