"""Shared fixtures. Server tests run against pytest-jupyter's real in-process jupyter-server,
with authentication required; nothing here is mocked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shared() -> Path:
    """The workplace's shared folder (corpus, lens facts): $WELLML_SHARED, else ../shared beside
    the checkout, else /work/shared (a clone elsewhere, such as CI's, still finds it)."""
    for candidate in (os.environ.get("WELLML_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "corpus").is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


SHARED = _shared()
CORPORA = SHARED / "corpus"
CORPUS = CORPORA / "sagemaker-examples"
WA_LENSES = SHARED / "corpus" / "wa-lenses"


@pytest.fixture(autouse=True, scope="session")
def wellml_cache_dir(tmp_path_factory):
    """Every test session gets its own cache folder: nothing is written to ~/.cache."""
    path = tmp_path_factory.mktemp("wellml-cache")
    old = os.environ.get("WELLML_CACHE_DIR")
    os.environ["WELLML_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("WELLML_CACHE_DIR", None)
    else:
        os.environ["WELLML_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def wellml_catalog():
    """The built-in catalog (no team lenses from data dirs)."""
    from jupyter_wellml.catalog import load_catalog

    return load_catalog(data_dirs=False)


@pytest.fixture
def wellml_lens_copy(tmp_path):
    """A copy of a fixture lens folder in tmp: ``wellml_lens_copy("bad-syntax")``."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(FIXTURES / "lenses" / name, dest)
        return dest

    return copy


@pytest.fixture
def jp_server_config(jp_server_config):
    """The extension enabled, and every request must be authenticated."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_wellml": True},
            "allow_unauthenticated_access": False,
        }
    }


def corpus_notebooks() -> list[Path]:
    return sorted(CORPUS.rglob("*.ipynb")) if CORPUS.is_dir() else []


def all_corpus_notebooks() -> list[Path]:
    """Every notebook of every corpus in the shared folder (SageMaker, Azure ML, Vertex AI,
    Hugging Face collections)."""
    return sorted(CORPORA.rglob("*.ipynb")) if CORPORA.is_dir() else []
