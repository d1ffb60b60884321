"""The import contracts in pyproject.toml hold on the tree and catch each kind of violation.

Each violation is written into a copy of the package and ``lint-imports`` (import-linter, the
tool ``make lint`` runs) is run on that copy: it must fail, naming the broken contract.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "jupyter_wellml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
FRAMEWORKS = ("tornado", "jupyter_server", "IPython", "ipywidgets", "traitlets")
ENGINE = ("catalog", "records", "inspection", "report")

# (module of the copy, line added at its top, contract that must break)
VIOLATIONS = {
    "magics import tornado": (
        "magics/core.py",
        "import tornado",
        "The kernel surface (magics, widgets) imports no web server framework",
    ),
    "magics import jupyter_server": (
        "magics/core.py",
        "import jupyter_server",
        "The kernel surface (magics, widgets) imports no web server framework",
    ),
    "widgets import jupyter_server": (
        "widgets/review.py",
        "from jupyter_server.utils import ensure_async",
        "The kernel surface (magics, widgets) imports no web server framework",
    ),
    "server imports IPython": (
        "server/service.py",
        "import IPython",
        "The server imports no kernel framework",
    ),
    "server imports ipywidgets": (
        "server/handlers.py",
        "import ipywidgets",
        "Only the kernel surface shows widgets",
    ),
    "catalog imports IPython": (
        "catalog/model.py",
        "import IPython",
        "The engine and the base modules import no Jupyter framework",
    ),
    "inspection imports IPython outside source.py": (
        "inspection/rules.py",
        "from IPython.core.inputtransformer2 import TransformerManager",
        "The engine and the base modules import no Jupyter framework",
    ),
    "records import traitlets": (
        "records/model.py",
        "import traitlets",
        "The engine and the base modules import no Jupyter framework",
    ),
    "report imports tornado": (
        "report/common.py",
        "from tornado import web",
        "The engine and the base modules import no Jupyter framework",
    ),
    "values import tornado": (
        "values.py",
        "import tornado",
        "The engine and the base modules import no Jupyter framework",
    ),
    "a layer imports the package root": (
        "catalog/locate.py",
        "from jupyter_wellml import __version__",
        "One-way data flow",
    ),
    "a base module imports the catalog": (
        "errors.py",
        "from jupyter_wellml.catalog import model",
        "One-way data flow",
    ),
    "the engine imports a surface": (
        "report/text.py",
        "from jupyter_wellml.cli import base",
        "One-way data flow",
    ),
}


def _copy_package(dst: Path) -> Path:
    shutil.copytree(
        PACKAGE,
        dst / "jupyter_wellml",
        ignore=shutil.ignore_patterns("__pycache__", "labextension"),
    )
    shutil.copyfile(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # the copy comes first on sys.path, so grimp reads it and not the installed package
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _inject(path: Path, line: str) -> None:
    text = path.read_text("utf-8")
    tree = ast.parse(text)
    # after the docstring and `from __future__`, which must stay first
    first = next(
        (
            node
            for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        ),
        None,
    )
    lines = text.splitlines(keepends=True)
    at = (first.lineno - 1) if first is not None else len(lines)
    lines.insert(at, f"{line}  # injected by test_contracts\n")
    path.write_text("".join(lines), "utf-8")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return _copy_package(tmp_path_factory.mktemp("contracts"))


def test_contracts_hold_on_the_tree():
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_contracts_hold_on_the_copy(pristine):
    done = _lint_imports(pristine)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_lint_imports_fails_on_each_violation(case, pristine, tmp_path):
    module, line, contract = VIOLATIONS[case]
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    target = tree / "jupyter_wellml" / module
    _inject(target, line)
    compile(target.read_text("utf-8"), str(target), "exec")  # still valid Python

    done = _lint_imports(tree)

    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, done.stdout
    assert f"jupyter_wellml.{module[:-3].replace('/', '.')}" in broken


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every imported top-level package in ``path`` with the functions the import sits in."""
    tree = ast.parse(path.read_text("utf-8"))
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        if isinstance(node, ast.Import):
            found.extend((a.name.split(".")[0], scope) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], scope))
        inner = [*scope, node.name] if isinstance(node, ast.FunctionDef | ast.ClassDef) else scope
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [])
    return found


def test_the_engine_imports_ipython_in_one_documented_place_only():
    """The contract's one exception is inspection/source.py, inside ``_transformer()``."""
    places = []
    for layer in ENGINE:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for name, scope in _imports(path):
                if name in FRAMEWORKS:
                    places.append((str(path.relative_to(PACKAGE)), name, scope))
    assert places == [("inspection/source.py", "IPython", ["_transformer"])]


def test_reviewing_the_demo_notebooks_loads_no_jupyter_framework():
    """Plain Python and simple magics never reach the documented IPython exception."""
    code = (
        "import glob, sys\n"
        "from jupyter_wellml.catalog import load_catalog\n"
        "from jupyter_wellml.inspection import review\n"
        "from jupyter_wellml.report.markdown import render_markdown\n"
        "catalog = load_catalog(data_dirs=False)\n"
        "docs = [review(p, catalog).to_json() for p in sorted(glob.glob('binder/*.ipynb'))]\n"
        "assert len(docs) == 5, docs\n"
        "render_markdown(docs, [], catalog=catalog)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FRAMEWORKS!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
