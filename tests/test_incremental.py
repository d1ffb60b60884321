"""A review of an edited notebook that reuses the review before the edit says exactly what a
review from scratch says: on real notebooks, through chains of edits of every kind (comments,
changed code, comments after code, cells removed, copied and moved, records added, a waiver,
another phase)."""

from __future__ import annotations

import copy
import json
import random

import pytest

from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.notebook import read_notebook

from .conftest import FIXTURES, ROOT, all_corpus_notebooks

pytestmark = pytest.mark.skipif(not all_corpus_notebooks(), reason="shared corpus not available")


def _said(result) -> dict:
    out = result.to_json()
    out.pop("elapsed_ms", None)
    return out


def _code_cells(nb: dict) -> list[int]:
    return [i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _edit(nb: dict, rng: random.Random, step: int) -> dict:
    """One edit of the notebook (a copy), of a kind chosen by ``step``."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    code = _code_cells(nb)
    kind = step % 8
    if not code or kind == 0:  # a comment typed at the end of a cell
        i = rng.choice(code) if code else 0
        if cells:
            cells[i]["source"] = _source(cells[i]) + f"\n# edit {step}"
    elif kind == 1:  # a line of code changed: the first line of a cell loses a character
        i = rng.choice(code)
        lines = _source(cells[i]).split("\n")
        lines[0] = lines[0][:-1]
        cells[i]["source"] = "\n".join(lines)
    elif kind == 2:  # a cell removed
        del cells[rng.choice(code)]
    elif kind == 3:  # a cell copied further down
        i = rng.choice(code)
        cells.insert(rng.randrange(i, len(cells) + 1), copy.deepcopy(cells[i]))
    elif kind == 4:  # two cells swapped
        i, j = rng.choice(code), rng.randrange(len(cells))
        cells[i], cells[j] = cells[j], cells[i]
    elif kind == 7:  # comments after calls: the lines' text changes, not what the code does
        i = rng.choice(code)
        lines = _source(cells[i]).split("\n")
        cells[i]["source"] = "\n".join(f"{x}  # ok" if x.endswith(")") else x for x in lines)
    elif kind == 5:  # records: a KPI and a waiver of the first practice the lens lists
        nb.setdefault("metadata", {})["wellml"] = {
            "version": 1,
            "records": [
                {"kind": "kpi", "name": "recall", "target": ">= 0.9", "recorded": "2026-01-01"},
                {
                    "kind": "waiver",
                    "practice": "MLOE01-BP01",
                    "reason": "other",
                    "note": "decided elsewhere",
                    "recorded": "2026-01-01",
                },
            ],
        }
    else:  # code that trains a model, with a literal secret and a data read, appended
        cells.append(
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "import pandas as pd\nfrom sklearn.svm import SVC\n"
                f"df = pd.read_csv('s3://bucket/{step}.csv')\nSVC().fit(df, df.y)\n"
                "api_key = 'AKIAIOSFODNN7EXAMPLF'\n",
            }
        )
    return nb


def _chain(path, catalog, rng, steps: int, phase=None) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    held = read_notebook(nb)
    previous = review(held, catalog, phase=phase)
    reused = 0
    for step in range(steps):
        nb = _edit(nb, rng, step)
        now = read_notebook(nb, previous=held)
        incremental = review(now, catalog, phase=phase, previous=previous)
        scratch = review(read_notebook(copy.deepcopy(nb)), catalog, phase=phase)
        assert _said(incremental) == _said(scratch), f"{path.name}, edit {step}"
        reused += sum(a is b for a, b in zip(incremental.findings, previous.findings))
        held, previous = now, incremental
    return reused


def test_reviews_that_reuse_the_previous_one_say_what_a_review_from_scratch_says(wellml_catalog):
    files = all_corpus_notebooks()
    sample = files[:: max(1, len(files) // 24)] + sorted((ROOT / "binder").glob("*.ipynb"))
    sample.append(FIXTURES / "magics" / "every_subcommand.ipynb")
    rng = random.Random(14)
    reused = sum(_chain(path, wellml_catalog, rng, 9) for path in sample)
    reused += _chain(sample[0], wellml_catalog, rng, 4, phase="deployment")
    assert reused > len(sample) * 8 * 40  # most findings are kept across an edit


def test_a_review_does_not_reuse_findings_of_another_phase_or_lens(wellml_catalog):
    path = sorted((ROOT / "binder").glob("*.ipynb"))[2]
    first = review(str(path), wellml_catalog)
    deployed = review(str(path), wellml_catalog, phase="deployment", previous=first)
    assert _said(deployed) == _said(review(str(path), wellml_catalog, phase="deployment"))
    assert any(a is not b for a, b in zip(deployed.findings, first.findings))
