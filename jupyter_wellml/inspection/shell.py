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


def is_code_file(path: str) -> bool:
    """A file of code, configuration or a package (``train.py``, ``env.yml``), not data."""
    base = path.rstrip("/").rsplit("/", 1)[-1].lower().split("?", 1)[0]
    return base.endswith(NOT_DATA) or base in NOT_DATA


def command_facts(command: str) -> list[tuple[str, dict[str, Any]]]:
    """The facts of one shell command line: ``(kind, fields)`` pairs (no cell or line)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for words in _commands(command):
        tool = words[0].rsplit("/", 1)[-1]
        lowered = [tool, *words[1:6]]
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
