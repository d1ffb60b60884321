"""What a shell command in a notebook does, for the facts: data it reads, jobs it starts.

``!aws s3 cp s3://b/k.csv .`` reads data, ``!gsutil cp data.csv gs://b/`` only uploads it,
``!gcloud ai custom-jobs create ...`` starts a training job. IPython expands ``$name`` and
``{name}`` in ``!`` lines from the kernel's variables; :func:`expand` does the same with the
string constants the notebook assigns, so ``!aws s3 cp $SOURCE .`` is read with its URI.
Nothing is run.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from typing import Any

#: (the command's first words, what the remaining arguments are) for copies and reads
_COPIES = {
    tuple(command.split()): what
    for what, commands in {
        "copy": (
            "aws s3 cp", "aws s3 sync", "aws s3 mv",
            "gsutil cp", "gsutil copy", "gsutil rsync", "gsutil mv",
            "gcloud storage cp", "gcloud storage rsync", "gcloud storage mv",
            "azcopy copy", "azcopy cp", "azcopy sync",
            "hdfs dfs -get", "hdfs dfs -copyToLocal",
        ),
        "read": ("gsutil cat", "gcloud storage cat", "hdfs dfs -cat", "wget", "curl"),
        "dataset": ("kaggle datasets download", "kaggle competitions download"),
        "hub_clone": ("git clone",),
        "model_hub": ("huggingface-cli download", "hf download"),
        "warehouse": ("bq query", "bq extract", "bq head"),
        "local": ("head", "cat", "tail", "less", "wc"),
    }.items()
    for command in commands
}  # fmt: skip
#: commands that start a job, and the fact kind of the job
JOBS = {
    ("gcloud", "ai", "custom-jobs", "create"): ("training", "vertex_ai"),
    ("gcloud", "ai", "hp-tuning-jobs", "create"): ("tuning", "vertex_ai"),
    ("gcloud", "ai-platform", "jobs", "submit", "training"): ("training", "vertex_ai"),
    ("aws", "sagemaker", "create-training-job"): ("training", "sagemaker"),
    ("aws", "sagemaker", "create-hyper-parameter-tuning-job"): ("tuning", "sagemaker"),
    ("aws", "sagemaker", "create-auto-ml-job"): ("automl", "sagemaker"),
    ("az", "ml", "job", "create"): ("training", "azureml"),
}
#: commands that ask a deployed model for explanations, and the method
EXPLAINS = {
    ("gcloud", "ai", "endpoints", "explain"): "vertex_xai",
    ("gcloud", "beta", "ai", "endpoints", "explain"): "vertex_xai",
}
#: options that take a value (the value is not a path)
_VALUED = frozenset(
    {
        "--exclude",
        "--include",
        "--region",
        "--profile",
        "--acl",
        "--sse",
        "--sse-kms-key-id",
        "--storage-class",
        "--endpoint-url",
        "--content-type",
        "-o",
        "-O",
        "-P",
        "--output",
        "--output-document",
        "--directory-prefix",
        "-H",
        "--header",
        "-d",
        "--data",
        "-u",
        "--user",
        "-n",
        "--lines",
        "-c",
        "--bytes",
        "--project_id",
        "--location",
        "--format",
        "--destination_format",
        "--max_rows",
        "-p",
        "--path",
        "--local-dir",
        "--repo-type",
        "--revision",
    }
)
_REMOTE = re.compile(r"^(?:s3a?|gs|https?|ftp|abfss?|wasbs?|az|hdfs)://", re.I)
#: files that are code, configuration or packages: fetching or printing them reads no data
NOT_DATA = (
    ".py",
    ".sh",
    ".ipynb",
    ".r",
    ".js",
    ".ps1",
    ".rb",
    ".pl",
    ".deb",
    ".rpm",
    ".whl",
    ".exe",
    ".msi",
    ".jar",
    ".yml",
    ".yaml",
    ".cfg",
    ".ini",
    ".toml",
    ".md",
    ".html",
    ".css",
    ".log",
    ".gpg",
    ".pem",
    ".key",
    "dockerfile",
    "requirements.txt",
    "license",
    "license.txt",
    ".gitignore",
)
#: local files a shell read counts as data (``!head data/train.csv``)
DATA_FILES = (
    ".csv",
    ".tsv",
    ".json",
    ".jsonl",
    ".txt",
    ".parquet",
    ".libsvm",
    ".data",
    ".xlsx",
    ".avro",
    ".orc",
    ".gz",
    ".zip",
    ".tar",
    ".npy",
    ".npz",
    ".pkl",
)
#: a curl command that calls an API (a method other than GET, a body, credentials) rather than
#: downloading a file
_API_CALL = re.compile(
    r"\s(?:-X|--request)\s+(?!GET\b)|\s(?:-d|--data\S*|--json|-F|--form)\s|Authorization:", re.I
)
_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)|\{(\w+)\}")


def expand(command: str, lookup: Callable[[str], Any]) -> str:
    """``$name``, ``${name}`` and ``{name}`` replaced by the text constant ``lookup(name)`` gives
    (others kept as written, so the command still shows what is unknown)."""

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        value = lookup(name)
        return value if isinstance(value, str) and "\n" not in value else m.group(0)

    return _VAR.sub(sub, command) if ("$" in command or "{" in command) else command


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return command.split()


def _commands(command: str) -> Iterator[list[str]]:
    """The simple commands of a line (split at ``;``, ``&&``, ``||``; a pipe's first part)."""
    for part in re.split(r";|&&|\|\|", command):
        head = part.split("|", 1)
        words = _words(head[0])
        if words and len(head) > 1 and re.search(r"\|\s*(?:sudo\s+)?(?:ba|z)?sh\b", part):
            continue  # `curl https://.../install.sh | bash`: installs software, reads no data
        if words and words[0] == "curl" and _API_CALL.search(head[0]):
            continue  # `curl -X POST -H "Authorization: ..." https://.../v1/...`: a REST call
        while words and words[0] in ("sudo", "time", "nohup", "env"):
            words = words[1:]
        if words:
            yield words


def _paths(words: list[str]) -> list[str]:
    out = []
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w in _VALUED:
            skip = True
            continue
        if w.startswith("-"):
            continue
        out.append(w)
    return out


def kind_of(uri: str) -> str:
    u = uri.lower()
    if u.startswith(("s3://", "s3a://")):
        return "s3"
    if u.startswith("gs://"):
        return "gcs"
    if u.startswith(("abfs://", "abfss://", "wasb://", "wasbs://", "az://")) or ".blob.core." in u:
        return "azure"
    if u.startswith("hdfs://"):
        return "hdfs"
    if u.startswith(("http://", "https://", "ftp://")):
        return "http"
    return "local"


#: a file named for settings or credentials (``config.json``, ``ds_config_zero_stage_1.json``,
#: ``~/.aws/credentials``, ``settings.ini``), in a format settings are written in
_CONFIG_NAME = re.compile(
    r"(?:^|[_.-])(?:config|configuration|conf|settings|credentials|secrets?|"
    r"hyperparameters|params|env)(?:[_-][\w-]*)?(?:\.(?:json|ini|cfg|conf|txt|properties|env))?$"
)


#: the settings folders of tools in a home directory (``~/.aws/credentials``,
#: ``~/.kaggle/kaggle.json``)
_TOOL_SETTINGS = re.compile(r"(?:^|/)\.(?:aws|kaggle|ssh|config|docker|azure|gcloud|netrc)(?:/|$)")


def is_code_file(path: str) -> bool:
    """A file of code, configuration, credentials or a package (``train.py``, ``env.yml``,
    ``config.json``, ``~/.kaggle/kaggle.json``), not data."""
    base = path.rstrip("/").rsplit("/", 1)[-1].lower().split("?", 1)[0]
    return (
        base.endswith(NOT_DATA)
        or base in NOT_DATA
        or bool(_CONFIG_NAME.search(base))
        or bool(_TOOL_SETTINGS.search(path))
    )


#: programs that run a training script or container given on their command line
_RUNNERS = frozenset(
    {"python", "python3", "torchrun", "accelerate", "deepspeed", "docker", "horovodrun", "mpirun"}
)
#: options that set how long training runs: a script run with one trains a model
_TRAINING_OPTION = re.compile(
    r"^--(?:num[_-]?(?:train[_-])?epochs|n[_-]epochs|epochs?|max[_-]steps|train[_-]steps"
    r"|num[_-]train[_-]steps)(?:=|$)"
)


def _runs_script(tool: str, words: list[str]) -> bool:
    """``python train.py ...``, ``docker run IMAGE ...``, ``torchrun ...``: a local run of a
    script or container, whose options say what it does (``--epochs 5``: it trains)."""
    if tool.rstrip("0123456789.") not in _RUNNERS:  # python3.10 is python
        return False
    return tool != "docker" or (len(words) > 1 and words[1] == "run")


#: a script's options that name models or data sets of a hub, by their ids
_HUB_OPTIONS = {
    **dict.fromkeys(
        (
            "--model_name_or_path",
            "--model-name-or-path",
            "--model_id",
            "--model-id",
            "--model_name",
            "--model-name",
            "--model",
            "--models",
            "--tokenizer_name",
            "--tokenizer-name",
            "--base_model",
            "--base-model",
        ),
        "model_hub",
    ),
    **dict.fromkeys(("--dataset_name", "--dataset-name"), "dataset"),
}
_HUB_VALUE = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?$")


def _hub_options(words: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """``python run.py --model_name_or_path gpt2 --models a/b c/d``: the hub ids a script is
    given, each value up to the next option (a path, a file or a variable is not an id)."""
    found = []
    kind = None  # the kind of the hub option whose values follow
    for word in words[1:64]:
        if word.startswith("-"):
            option, eq, value = word.partition("=")
            kind = _HUB_OPTIONS.get(option)
            if not eq:
                continue
            values, now, kind = [value], kind, None
        else:
            values, now = [word], kind
        for v in values:
            if now and _HUB_VALUE.match(v) and not is_code_file(v) and not v.endswith(DATA_FILES):
                found.append(("data_source", {"uri": v, "kind": now, "via": words[0]}))
    return found


def command_facts(command: str) -> list[tuple[str, dict[str, Any]]]:
    """The facts of one shell command line: ``(kind, fields)`` pairs (no cell or line)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for words in _commands(command):
        tool = words[0].rsplit("/", 1)[-1]
        lowered = [tool, *words[1:6]]
        if _runs_script(tool, words):
            if any(_TRAINING_OPTION.match(w) for w in words[1:64]):
                out.append(
                    ("training", {"api": f"{tool} (script)", "framework": None, "managed": False})
                )
            out.extend(_hub_options(words))
        for prefix, (kind, framework) in JOBS.items():
            if tuple(lowered[: len(prefix)]) == prefix:
                out.append(
                    (kind, {"api": " ".join(prefix), "framework": framework, "managed": True})
                )
        for prefix, method in EXPLAINS.items():
            if tuple(lowered[: len(prefix)]) == prefix:
                out.append(("explainability", {"method": method, "api": " ".join(prefix)}))
        for prefix, what in _COPIES.items():
            if tuple(lowered[: len(prefix)]) != prefix:
                continue
            out.extend(_reads(prefix, what, _paths(words[len(prefix) :])))
            break
    return out


_STORES = {"gsutil": "gcs", "gcloud": "gcs", "aws": "s3", "azcopy": "azure"}


_MODEL_ARTIFACT = re.compile(r"\bmodel_data\b|model_artifacts?\b|ModelArtifacts")


def _copied(prefix: tuple[str, ...], via: str, paths: list[str]) -> list[tuple[str, dict]]:
    """A copy command: its remote sources, or a computed source copied to a local folder."""
    sources = paths[:-1] if len(paths) > 1 else paths
    dest = paths[-1] if len(paths) > 1 else ""
    to_local = bool(dest) and not _REMOTE.match(dest) and not dest.startswith(("$", "{"))
    found = []
    for src in sources:
        if _MODEL_ARTIFACT.search(src):
            continue  # `aws s3 cp {estimator.model_data} .`: a trained model, not data
        if _REMOTE.match(src):
            if not is_code_file(src):
                found.append(("data_source", {"uri": src, "kind": kind_of(src), "via": via}))
        elif src.startswith(("$", "{")) and to_local:
            # an unknown source copied to a local folder is a download from the tool's store
            kind = _STORES.get(prefix[0], "unknown")
            found.append(("data_source", {"uri": "(computed)", "kind": kind, "via": via}))
    return found


def _read(prefix: tuple[str, ...], via: str, paths: list[str]) -> list[tuple[str, dict]]:
    """A command that reads what it is given (curl reads one)."""
    found = []
    for p in paths:
        if _REMOTE.match(p) and not is_code_file(p):
            found.append(("data_source", {"uri": p, "kind": kind_of(p), "via": via}))
        elif prefix[0] in ("gsutil", "gcloud") and p.startswith(("$", "{")):
            found.append(("data_source", {"uri": "(computed)", "kind": "gcs", "via": via}))
    return found[:1] if prefix == ("curl",) else found


_HUB_REPO = re.compile(r"^https?://(?:huggingface\.co|hf\.co)/(datasets/)?(.+?)(?:\.git)?/?$")


def _hub_clone(url: str, via: str) -> list[tuple[str, dict]]:
    """``git clone https://huggingface.co/org/model``: a model (or data set) from the hub; a
    clone of a code repository elsewhere reads code, not data."""
    m = _HUB_REPO.match(url)
    if not m:
        return []
    repo = m.group(2)
    uri = "(computed)" if repo.startswith(("$", "{")) else repo
    return [
        ("data_source", {"uri": uri, "kind": "dataset" if m.group(1) else "model_hub", "via": via})
    ]


def _reads(prefix: tuple[str, ...], what: str, paths: list[str]) -> list[tuple[str, dict]]:
    via = " ".join(prefix)
    if not paths:
        return []
    if what == "copy":
        return _copied(prefix, via, paths)
    if what == "read":
        return _read(prefix, via, paths)
    if what == "local":
        return [
            ("data_source", {"uri": p, "kind": "local", "via": via})
            for p in paths
            if p.lower().endswith(DATA_FILES) and not is_code_file(p) and not _REMOTE.match(p)
        ][:1]
    if what == "hub_clone":
        return _hub_clone(paths[0], via)
    if what == "warehouse":
        uri = via if prefix[1] == "query" else paths[0]
        return [("data_source", {"uri": uri, "kind": "warehouse", "via": via})]
    return [("data_source", {"uri": paths[0], "kind": what, "via": via})]
