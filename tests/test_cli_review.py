"""``jupyter wellml review`` as a real process: formats, exit codes, folders, --output, --jobs,
bad paths. Fixture notebooks: tests/fixtures/notebooks/cli (risky.ipynb has high and medium
gaps, sub/unpinned.ipynb only a medium one, sub/plain.ipynb none, sub/r_kernel.ipynb is R,
sub/julia_kernel.ipynb is in a language the engine does not read)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from .conftest import FIXTURES, ROOT

CLI = FIXTURES / "notebooks" / "cli"
RISKY = CLI / "risky.ipynb"
UNPINNED = CLI / "sub" / "unpinned.ipynb"
PLAIN = CLI / "sub" / "plain.ipynb"
R_KERNEL = CLI / "sub" / "r_kernel.ipynb"
JULIA_KERNEL = CLI / "sub" / "julia_kernel.ipynb"
EXE = Path(sys.executable).parent / "jupyter-wellml"
SCHEMA = json.loads((ROOT / "jupyter_wellml" / "schemas" / "review.v1.json").read_text())
TEXT_LINE = re.compile(
    r"^(?P<path>[^:]+\.ipynb):cell (?P<cell>\d+):line (?P<line>\d+): "
    r"(?P<id>[A-Z]+\d+-BP\d+) \[(?P<risk>high|medium)\] (?P<message>.+)$"
)


def run(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if cache is not None:
        env["WELLML_CACHE_DIR"] = str(cache)
    cmd = [str(EXE), "review", "--no-data-dirs", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def validate(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_text_lines_have_the_documented_shape():
    done = run(str(RISKY), "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    gap_lines = [line for line in lines if TEXT_LINE.match(line)]
    assert gap_lines, done.stdout
    nb = json.loads(RISKY.read_text())
    for line in gap_lines:
        m = TEXT_LINE.match(line)
        assert m["path"] == str(RISKY)
        cell = int(m["cell"])  # counted from 1 for people
        assert 1 <= cell <= len(nb["cells"])
        assert int(m["line"]) <= len(nb["cells"][cell - 1]["source"].split("\n"))
    # the secret is reported where it is: cell 3 (1-based), line 2
    assert any(
        "MLSEC03-BP02 [high]" in line and line.startswith(f"{RISKY}:cell 3:line 2:")
        for line in gap_lines
    )
    assert lines[-1].startswith("1 notebook(s):") and "high" in lines[-1]


def test_json_for_one_file_validates_against_review_v1():
    done = run(str(RISKY), "--format", "json", "--fail-on", "never")
    doc = json.loads(done.stdout)
    validate(doc)
    assert doc["notebook"]["path"] == str(RISKY)
    assert any(s["kind"] == "AWS Access Key" for s in doc["facts"]["secrets"])


def test_folders_are_searched_recursively_and_json_lists_every_review():
    done = run(str(CLI), "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema"] == "wellml-reviews/v1" and doc["errors"] == []
    paths = sorted(r["notebook"]["path"] for r in doc["reviews"])
    assert paths == sorted(str(p) for p in (RISKY, UNPINNED, PLAIN, R_KERNEL, JULIA_KERNEL))
    for r in doc["reviews"]:
        validate(r)
    r_review = next(r for r in doc["reviews"] if r["notebook"]["path"] == str(R_KERNEL))
    assert r_review["notebook"]["inspected"] is True and r_review["errors"] == []
    assert [i["module"] for i in r_review["facts"]["imports"]] == ["ggplot2"]
    julia = next(r for r in doc["reviews"] if r["notebook"]["path"] == str(JULIA_KERNEL))
    assert julia["notebook"]["inspected"] is False and julia["errors"] == []


def test_r_notebook_is_read_as_r_not_python():
    done = run(str(R_KERNEL), "--format", "json", "--fail-on", "never")
    doc = json.loads(done.stdout)
    assert doc["notebook"]["inspected"] is True and doc["errors"] == []
    assert "syntax error" not in done.stdout


def test_a_notebook_the_engine_cannot_read_is_not_a_silent_pass():
    done = run(str(JULIA_KERNEL))
    assert done.returncode == 1, done.stderr
    assert "not reviewed" in done.stderr and "'julia'" in done.stderr
    passed = run(str(JULIA_KERNEL), "--not-inspected", "pass")
    assert passed.returncode == 0 and "not reviewed" in passed.stderr
    assert run(str(JULIA_KERNEL), "--fail-on", "never").returncode == 0


@pytest.mark.parametrize(
    ("path", "fail_on", "code"),
    [
        (RISKY, "high", 1),
        (RISKY, "medium", 1),
        (RISKY, "never", 0),
        (UNPINNED, "high", 0),
        (UNPINNED, "medium", 1),
        (PLAIN, "medium", 0),
    ],
)
def test_fail_on_exit_codes(path, fail_on, code):
    assert run(str(path), "--fail-on", fail_on).returncode == code


def test_bad_paths_exit_2_and_the_others_are_still_reviewed(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    missing = tmp_path / "missing.ipynb"
    done = run(str(PLAIN), str(broken), str(missing), "--format", "json")
    assert done.returncode == 2
    doc = json.loads(done.stdout)
    assert [r["notebook"]["path"] for r in doc["reviews"]] == [str(PLAIN)]
    errors = {e["path"]: e["message"] for e in doc["errors"]}
    assert "not valid JSON" in errors[str(broken)]
    assert errors[str(missing)] == "no such file or folder"
    assert f"{broken}: " in done.stderr and "not valid JSON" in done.stderr
    assert broken.read_text() == "{ not json"  # nothing rewritten


def test_usage_errors_exit_2_with_a_message():
    done = run(str(PLAIN), "--phase", "brewing")
    assert done.returncode == 2 and "'brewing' is not a lifecycle phase" in done.stderr
    done = run(str(PLAIN), "--jobs", "0")
    assert done.returncode == 2 and "--jobs must be 1 or more" in done.stderr
    done = run(str(PLAIN), "--format", "pdf")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_empty_folder_is_an_error(tmp_path):
    done = run(str(tmp_path))
    assert done.returncode == 2 and "no notebooks" in done.stderr


def test_output_file_gets_the_report(tmp_path):
    out = tmp_path / "report.json"
    done = run(str(RISKY), "--format", "json", "--output", str(out), "--fail-on", "never")
    assert done.returncode == 0 and done.stdout == ""
    validate(json.loads(out.read_text()))


def test_jobs_2_gives_the_same_results_as_jobs_1(tmp_path):
    one = run(str(CLI), "--format", "json", "--jobs", "1", "--no-cache", "--fail-on", "never")
    two = run(str(CLI), "--format", "json", "--jobs", "2", "--no-cache", "--fail-on", "never")

    def stable(doc):
        for r in doc["reviews"]:
            r.pop("elapsed_ms")
        return doc

    assert stable(json.loads(one.stdout)) == stable(json.loads(two.stdout))


def test_cached_review_equals_a_fresh_one(tmp_path):
    cache = tmp_path / "cache"
    first = run(str(RISKY), "--format", "json", "--fail-on", "never", cache=cache)
    again = run(str(RISKY), "--format", "json", "--fail-on", "never", cache=cache)
    assert any((cache / "reviews").iterdir())
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    a.pop("elapsed_ms"), b.pop("elapsed_ms")
    assert a == b


def test_sarif_2_1_0_structure():
    done = run(str(RISKY), str(UNPINNED), "--format", "sarif", "--fail-on", "never")
    doc = json.loads(done.stdout)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    (run_,) = doc["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] and driver["rules"]
    rule_ids = {r["id"] for r in driver["rules"]}
    assert {"MLSEC03-BP02", "MLOPS04-BP02"} <= rule_ids
    levels = {"error", "warning", "note", "none"}
    for result in run_["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in levels
        assert result["message"]["text"]
        (loc,) = result["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"].endswith(".ipynb")
        if "region" in phys:
            assert phys["region"]["startLine"] >= 1
        if result["properties"]["cell"] is not None:
            (logical,) = loc["logicalLocations"]
            assert logical["name"] == f"cell {result['properties']['cell'] + 1}"
            assert "index" not in logical  # SARIF: an index into run.logicalLocations
    secret = next(r for r in run_["results"] if r["ruleId"] == "MLSEC03-BP02")
    assert secret["level"] == "error"


def test_markdown_report():
    done = run(str(RISKY), "--format", "markdown", "--fail-on", "never")
    text = done.stdout
    assert text.lstrip().startswith("#")
    assert "MLSEC03-BP02" in text and "|" in text  # a table of gaps
    assert "risky.ipynb" in text


def test_html_report_is_self_contained_with_inline_svg(tmp_path):
    out = tmp_path / "report.html"
    run(str(RISKY), str(PLAIN), "--format", "html", "--output", str(out), "--fail-on", "never")
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<svg" in html and "</svg>" in html
    assert "MLSEC03-BP02" in html
    # no resource fetched from anywhere: no http(s) in src/href/url(), no external scripts
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert not re.search(r"@import", html)
    assert "<script src" not in html.lower() and "<link" not in html.lower()


def test_a_cold_review_imports_nothing_heavy(tmp_path):
    """The quick start (issue: a one-notebook CLI run within 6x a bare Python): a review without
    any cache imports neither the notebook, YAML and schema libraries nor dataclasses, pathlib
    or shutil, and finishes through the console script's own ``main``."""
    probe = (
        "import sys\n"
        "from jupyter_wellml.cli import main as m\n"
        "try:\n"
        f"    m.main(['review', {str(UNPINNED)!r}, '--no-cache', '--no-data-dirs', '--fail-on', 'never',"
        " '--output', '/dev/null'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('nbformat', 'IPython', 'traitlets', 'jupyter_core', 'yaml', 'jsonschema',\n"
        "         'detect_secrets', 'packaging', 'dataclasses', 'inspect', 'pathlib', 'shutil')\n"
        "print(code, sorted(h for h in heavy if h in sys.modules))\n"
    )
    env = {**os.environ, "WELLML_CACHE_DIR": str(tmp_path)}
    # the first run fills the catalog and secrets-prefilter caches, as after any first use
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert again.stdout.split() == ["0", "[]"], again.stdout + again.stderr
