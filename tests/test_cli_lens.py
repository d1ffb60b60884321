"""`jupyter wellml lens ...` as users run it: real subprocesses, exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_wellml.catalog import load_catalog
from jupyter_wellml.interop.wa_format import validate_wa_lens

from .conftest import FIXTURES, ROOT, WA_LENSES

BIN = Path(sys.executable).parent


def wellml(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "jupyter-wellml"), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_jupyter_command_dispatches_to_wellml():
    done = subprocess.run(
        [str(BIN / "jupyter"), "wellml", "lens", "list", "--no-data-dirs"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("105 practices")


def test_lens_list_json_has_105_practices_per_pillar():
    done = wellml("lens", "list", "--format", "json", "--no-data-dirs")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["count"] == 105
    counts: dict[str, int] = {}
    for p in data["practices"]:
        counts[p["pillar"]] = counts.get(p["pillar"], 0) + 1
    catalog = load_catalog(data_dirs=False)
    assert counts == {pl.id: len(catalog.select(pillar=pl.id)) for pl in catalog.pillars}
    assert list(counts.values()) == [16, 13, 13, 18, 29, 16]
    assert {p["phase"] for p in data["practices"]} >= {ph.id for ph in catalog.phases}


def test_lens_list_filters_by_phase_word_and_pillar():
    done = wellml(
        "lens",
        "list",
        "--phase",
        "training",
        "--pillar",
        "security",
        "--format",
        "json",
        "--no-data-dirs",
    )
    data = json.loads(done.stdout)
    assert data["phase"] == "model_development" and data["pillar"] == "security"
    assert data["count"] >= 3
    assert all(
        p["pillar"] == "security" and "model_development" in p["phases"] for p in data["practices"]
    )


def test_lens_list_refuses_an_unknown_phase():
    done = wellml("lens", "list", "--phase", "cooking")
    assert done.returncode == 2
    assert "--phase 'cooking' is not a lifecycle phase; use one of: business_goal" in done.stderr


@pytest.mark.parametrize("typed", ["MLOE-02", "MLOPS01-BP02", "MLREL-01"])
def test_lens_show_any_id_shows_the_explainability_agreement(typed):
    done = wellml("lens", "show", typed, "--no-data-dirs")
    assert done.returncode == 0, done.stderr
    assert "MLOPS01-BP02: Discuss and agree on the level of model explainability" in done.stdout
    assert "Guidance:" in done.stdout


def test_lens_show_explains_an_id_two_editions_used():
    done = wellml("lens", "show", "MLREL-01", "--no-data-dirs")
    assert "MLREL-01 names 2 practices in different lens editions" in done.stdout
    assert "MLREL01-BP01: Use APIs to abstract change" in done.stdout
    single = wellml("lens", "show", "MLREL-01@2021", "--format", "json", "--no-data-dirs")
    assert json.loads(single.stdout)["id"] == "MLOPS01-BP02"


def test_lens_show_unknown_id():
    done = wellml("lens", "show", "NOPE-01")
    assert done.returncode == 2
    assert "no practice has the id 'NOPE-01'" in done.stderr


def test_lens_check_builtin_is_valid():
    done = wellml("lens", "check", "lens/ml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lens/ml: valid: 0 error(s)" in done.stderr


def test_lens_check_exits_1_with_the_messages():
    bad = FIXTURES / "lenses" / "bad-syntax"
    done = wellml("lens", "check", str(bad))
    assert done.returncode == 1
    assert f"{bad}/practices/security/BROKEN-01.yaml:5: /: YAML error" in done.stdout
    assert "invalid: 1 error(s)" in done.stderr


def test_lens_export_passes_every_limit_of_the_wa_format(tmp_path):
    out = tmp_path / "ml-lens.json"
    done = wellml(
        "lens", "export", "--format", "aws-wa-json", "--output", str(out), "--no-data-dirs"
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert validate_wa_lens(doc) == []
    choices = [
        c
        for p in doc["pillars"]
        for q in p["questions"]
        for c in q["choices"]
        if not c["id"].endswith("_no")
    ]
    assert len(choices) == 105
    assert out.stat().st_size <= 500 * 1024


@pytest.mark.skipif(not WA_LENSES.is_dir(), reason="shared WA lenses not available")
def test_lens_import_then_check(tmp_path):
    source = sorted(WA_LENSES.glob("*.json"))[0]
    out = tmp_path / "imported"
    done = wellml("lens", "import", str(source), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    check = wellml("lens", "check", str(out))
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_subcommand_lists_the_choices():
    done = wellml()
    assert done.returncode == 2
    assert "choose a subcommand: lens, review, sync, card" in done.stderr


@pytest.mark.parametrize(
    "args",
    [("lens", "list", "--format", "yaml"), ("card", "--format", "pdf", "x.ipynb")],
)
def test_a_bad_option_value_is_a_usage_error_with_exit_code_2(args):
    done = wellml(*args)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"jupyter wellml {args[0]}")
    assert "error:" in line and repr(args[-2] if args[0] == "card" else args[-1]) in line


def test_every_subcommand_class_imports():
    """The traitlets path (``WellMLApp``) names each subcommand by a dotted path: all must exist."""
    from traitlets.utils.importstring import import_item

    from jupyter_wellml.cli.app import WellMLApp
    from jupyter_wellml.cli.base import WellMLCommand

    for name, (path, _help) in WellMLApp.subcommands.items():
        cls = import_item(path)
        assert issubclass(cls, WellMLCommand), name


def test_every_command_is_described_by_its_docstring():
    """A command's ``--help`` opens with its docstring, whatever its depth."""
    from traitlets.utils.importstring import import_item

    from jupyter_wellml.cli.app import WellMLApp

    seen = []
    todo = [WellMLApp]
    while todo:
        cls = todo.pop()
        seen.append(cls.name)
        assert "__doc__" in vars(cls) and cls.__doc__, cls.name
        assert cls.description == " ".join(cls.__doc__.split()), cls.name
        for target, _help in vars(cls).get("subcommands", {}).values():
            todo.append(import_item(target) if isinstance(target, str) else target)
    assert len(seen) >= 19 and "jupyter-wellml-wa-import-answers" in seen
