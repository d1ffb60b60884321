"""People, not hashes: who records are attributed to, on every surface."""

from __future__ import annotations

import nbformat

from jupyter_wellml.inspection.review import review
from jupyter_wellml.records.authors import is_anonymous_id, os_user
from jupyter_wellml.records.model import make_record
from jupyter_wellml.report.card import build_card


def test_the_model_card_names_people_not_anonymous_ids(wellml_catalog):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd")]
    nb.metadata["wellml"] = {
        "version": 1,
        "records": [
            # what sidebars before issue 14 wrote: JupyterLab's anonymous identity id
            make_record("kpi", {"name": "recall"}, author="85913a2b" * 4),
            make_record("kpi", {"name": "f1"}, author="Ana Lima"),
        ],
    }
    card = build_card(review(nb, wellml_catalog))
    assert card["model_details"]["owners"] == ["Ana Lima"]


def test_anonymous_ids_and_the_os_user(monkeypatch):
    assert is_anonymous_id("85913a2b" * 4)
    assert not is_anonymous_id("ana") and not is_anonymous_id("Ana Lima")
    assert not is_anonymous_id("85913A2B" * 4) and not is_anonymous_id(None)
    monkeypatch.setenv("WELLML_AUTHOR", "Data team")
    assert os_user() == "Data team"
    monkeypatch.delenv("WELLML_AUTHOR")
    monkeypatch.setenv("JUPYTERHUB_USER", "bo")
    assert os_user() == "bo"
