"""Every notebook of every shared corpus (308 SageMaker examples, 96 Azure ML, 196 Vertex AI and
93 Hugging Face notebooks, automagic and `%%writefile` ones included): no crash, every review JSON
valid, the secrets prefilter equal to detect-secrets on every line, and the CLI over all of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.facts import secret_texts
from jupyter_wellml.inspection.notebook import read_notebook

from .builders import corpus_review_argv
from .conftest import CORPORA, FIXTURES, ROOT, all_corpus_notebooks, corpus_notebooks

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not corpus_notebooks(), reason="shared corpus not available"),
]
SCHEMA = json.loads((ROOT / "jupyter_wellml" / "schemas" / "review.v1.json").read_text())


def test_every_corpus_notebook_reviews_without_crash_and_validates(wellml_catalog):
    files = all_corpus_notebooks()
    validator = jsonschema.Draft202012Validator(SCHEMA)
    crashes: dict[str, str] = {}
    invalid: dict[str, str] = {}
    r_notebooks = 0
    for path in files:
        try:
            doc = review(str(path), wellml_catalog).to_json()
        except Exception as exc:  # every crash is collected and reported
            crashes[str(path)] = f"{type(exc).__name__}: {exc}"
            continue
        problems = [e.message for e in validator.iter_errors(doc)]
        if problems:
            invalid[str(path)] = problems[0]
        if doc["notebook"]["kernel_language"] == "r":
            r_notebooks += 1
            assert doc["errors"] == [], path  # R code is never reported as Python syntax errors
        assert doc["notebook"]["inspected"] is True, path
    print(f"\n{len(files)} corpus notebooks, {len(crashes)} crashes, {r_notebooks} R notebooks")
    assert len(files) >= 690
    assert crashes == {}
    assert invalid == {}
    # the corpus's R example (r_in_sagemaker_processing) runs R in a job from a Python kernel;
    # notebooks whose kernel is R are reviewed here from the fixtures (tests/test_rlang.py too)
    r_doc = review(str(FIXTURES / "notebooks" / "cli" / "sub" / "r_kernel.ipynb"), wellml_catalog)
    assert r_doc.to_json()["notebook"]["inspected"] is True and r_doc.facts.errors == []


def test_secrets_prefilter_equals_detect_secrets_over_the_whole_corpus():
    from jupyter_wellml.inspection.secrets import scan_lines, scanner

    differ = []
    for path in all_corpus_notebooks():
        nb = read_notebook(str(path))
        # the same texts the engine scans (code sources, text outputs)
        lines = [line for _, _, text in secret_texts(nb) for line in text.split("\n")]
        numbered = list(enumerate(lines, start=1))
        if scan_lines(numbered) != scanner().scan(numbered, prefilter=False):
            differ.append(str(path))
    assert differ == []


def test_cli_reviews_every_corpus_folder_with_two_jobs(tmp_path):
    env = {**os.environ, "WELLML_CACHE_DIR": str(tmp_path)}
    exe = Path(sys.executable).parent / "jupyter-wellml"
    done = subprocess.run(
        corpus_review_argv(exe, CORPORA),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout)
    assert doc["errors"] == []
    assert len(doc["reviews"]) == len(all_corpus_notebooks())
