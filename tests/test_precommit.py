"""The published pre-commit hook, run by pre-commit itself on a fixture git repository.

The manifest (.pre-commit-hooks.yaml) is checked with pre-commit's own schema. The hook is then
run by ``pre-commit run`` in a fresh git repository holding two notebooks: one with a hard-coded
AWS key (a high-risk gap) and a clean one. The repository's config declares the hook as a
``repo: local`` hook built from the published manifest entry (same id, files, args and entry),
with ``language: system`` pointing at this environment's ``jupyter-wellml``: pre-commit's
``language: python`` would build a virtual environment and the labextension with network access,
which tests here must not need.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "precommit"
BIN = Path(sys.executable).parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _published_hook() -> dict:
    hooks = yaml.safe_load(MANIFEST.read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "jupyter-wellml"]
    return hook


def _run(cmd: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def hook_repo(tmp_path, wellml_cache_dir):
    """A git repository with the two fixture notebooks and the hook in its pre-commit config."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to run pre-commit")
    repo = tmp_path / "project"
    repo.mkdir()
    for name in ("hardcoded-aws-key.ipynb", "clean.ipynb"):
        shutil.copy(FIXTURES / name, repo / name)
    (repo / "notes.txt").write_text("not a notebook: the hook must not look at it\n")
    published = _published_hook()
    local = {
        "id": published["id"],
        "name": published["name"],
        # the published entry, run from this environment (language: system finds it on PATH)
        "entry": published["entry"],
        "language": "system",
        "files": published["files"],
        "args": published["args"],
    }
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}, sort_keys=False)
    )
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "wellml test",
        "GIT_AUTHOR_EMAIL": "wellml@example.invalid",
        "GIT_COMMITTER_NAME": "wellml test",
        "GIT_COMMITTER_EMAIL": "wellml@example.invalid",
        "WELLML_CACHE_DIR": str(wellml_cache_dir),
    }
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "."]):
        done = _run(cmd, repo, env)
        assert done.returncode == 0, done.stderr
    return repo, env


def test_manifest_is_valid_for_pre_commit_and_publishes_the_review(tmp_path):
    done = _run([*PRE_COMMIT, "validate-manifest", str(MANIFEST)], ROOT, os.environ.copy())
    assert done.returncode == 0, done.stdout + done.stderr
    hook = _published_hook()
    assert hook["entry"] == "jupyter-wellml review"
    assert hook["language"] == "python"
    assert hook["args"] == ["--fail-on", "high"]
    assert hook["files"] == r"\.ipynb$"
    # the validator is real: the same manifest without an entry is refused, naming the field
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(
        yaml.safe_dump([{k: v for k, v in hook.items() if k != "entry"}], sort_keys=False)
    )
    done = _run([*PRE_COMMIT, "validate-manifest", str(broken)], tmp_path, os.environ.copy())
    assert done.returncode != 0
    assert "entry" in done.stdout + done.stderr


def test_hook_refuses_a_notebook_with_a_high_risk_gap(hook_repo):
    repo, env = hook_repo
    done = _run(
        [*PRE_COMMIT, "run", "jupyter-wellml", "--files", "hardcoded-aws-key.ipynb"], repo, env
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "jupyter-wellml review" in out and "Failed" in out, out
    assert "hardcoded-aws-key.ipynb:cell 2:line 5: MLSEC03-BP02 [high]" in out, out
    assert "Secret in the code (AWS Access Key" in out, out
    assert "clean.ipynb" not in out


def test_hook_passes_a_clean_notebook_and_ignores_other_files(hook_repo):
    repo, env = hook_repo
    done = _run(
        [*PRE_COMMIT, "run", "jupyter-wellml", "--files", "clean.ipynb", "notes.txt"], repo, env
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Passed" in out, out


def test_hook_blocks_a_real_commit_until_the_key_is_removed(hook_repo):
    repo, env = hook_repo
    assert _run([*PRE_COMMIT, "install"], repo, env).returncode == 0
    refused = _run(["git", "commit", "-q", "-m", "add notebooks"], repo, env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "MLSEC03-BP02" in refused.stdout + refused.stderr
    assert _run(["git", "rev-parse", "--verify", "HEAD"], repo, env).returncode != 0
    # unstage the notebook with the key: the commit of the clean one goes through
    assert (
        _run(["git", "rm", "-q", "--cached", "hardcoded-aws-key.ipynb"], repo, env).returncode == 0
    )
    accepted = _run(["git", "commit", "-q", "-m", "add the clean notebook"], repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    files = _run(["git", "ls-files"], repo, env).stdout.split()
    assert "clean.ipynb" in files and "hardcoded-aws-key.ipynb" not in files
