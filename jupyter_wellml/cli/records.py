"""``jupyter wellml sync`` and ``jupyter wellml card``: records on the command line.

``sync`` moves the records ``%wellml`` magics displayed (cell outputs) into
``metadata["wellml"]``, for notebooks run without the JupyterLab sidebar (nbclient, papermill,
VS Code, Notebook 7). It is idempotent, writes through a temporary file and an atomic rename,
and leaves the file untouched when nothing changes or anything is wrong.

``card`` writes a model card from the records, offline.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from traitlets import Bool, Unicode

from .base import EXIT_FINDINGS, EXIT_OK, UsageProblem, WellMLCommand, format_enum


def read_notebook_json(path: Path) -> dict[str, Any]:
    """The notebook at ``path`` as plain JSON (every key kept); a usage problem says what is wrong."""
    from ..errors import NotebookError
    from ..inspection.notebook import load_notebook_json

    try:
        return load_notebook_json(path)
    except NotebookError as exc:
        raise UsageProblem(str(exc)) from None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def dumps_notebook(nb: dict[str, Any]) -> str:
    """JSON text as nbformat writes it (one-space indent, sorted keys, UTF-8, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


class SyncApp(WellMLCommand):
    name = "jupyter-wellml-sync"
    description = (
        "Move the records %wellml magics displayed (cell outputs) into the notebook's metadata. "
        "Idempotent; the file is only rewritten when something changes, atomically."
    )
    examples = """
    jupyter wellml sync analysis.ipynb
    jupyter wellml sync notebooks/*.ipynb --check     # exit 1 if a notebook is out of sync
    """
    check = Bool(False, help="Change nothing; exit 1 when a notebook is not in sync.").tag(
        config=True
    )
    flags = {
        **WellMLCommand.flags,
        "check": ({"SyncApp": {"check": True}}, "Only check; exit 1 when out of sync."),
    }

    def run(self) -> int:
        from ..errors import RecordError
        from ..records import sync_notebook

        if not self.extra_args:
            raise UsageProblem("give one or more notebooks, e.g. `jupyter wellml sync NB.ipynb`")
        out_of_sync = 0
        lines = []
        for arg in self.extra_args:
            path = Path(arg)
            nb = read_notebook_json(path)
            before = copy.deepcopy(nb)
            try:
                counts = sync_notebook(nb)
            except RecordError as exc:
                raise UsageProblem(f"{path}: {exc}") from None
            changed = nb != before
            summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "no records"
            if not changed:
                lines.append(f"{path}: {summary}; already in sync")
                continue
            out_of_sync += 1
            if self.check:
                lines.append(f"{path}: {summary}; out of sync (not written: --check)")
                continue
            write_atomic(path, dumps_notebook(nb))
            why = "" if counts["added"] or counts["updated"] else " (newer times only)"
            lines.append(f"{path}: {summary}; written{why}")
        self.emit("\n".join(lines))
        return EXIT_FINDINGS if self.check and out_of_sync else EXIT_OK


class CardApp(WellMLCommand):
    name = "jupyter-wellml-card"
    description = (
        "Write a model card from a notebook's records (KPIs, data sources, explainability, "
        "waivers), offline; JSON also carries SageMaker Model Card and Model Card Toolkit fields."
    )
    examples = """
    jupyter wellml card analysis.ipynb
    jupyter wellml card analysis.ipynb --format json --output card.json
    """
    format = format_enum("markdown", "json", default="markdown")
    model_name = Unicode("", help="The model's name (default: the notebook's file name).").tag(
        config=True
    )
    aliases = {
        **WellMLCommand.aliases,
        "format": "CardApp.format",
        "name": "CardApp.model_name",
    }
    workload = Bool(False, help="DIR is a workload: one card from every notebook's records.").tag(
        config=True
    )
    flags = {
        **WellMLCommand.flags,
        "workload": (
            {"CardApp": {"workload": True}},
            "DIR is a workload: one card from all its notebooks.",
        ),
    }

    def run(self) -> int:
        if self.workload:
            return self._workload_card()
        from ..errors import NotebookError
        from ..inspection.review import review
        from ..report.card import build_card

        if len(self.extra_args) != 1:
            raise UsageProblem("give one notebook, e.g. `jupyter wellml card NB.ipynb`")
        path = Path(self.extra_args[0])
        if not path.is_file():
            raise UsageProblem(f"{path}: no such file")
        catalog = self.catalog()
        try:
            result = review(str(path), catalog)
        except NotebookError as exc:
            raise UsageProblem(str(exc)) from None
        card = build_card(result, name=self.model_name or None)
        return self._emit_card(card)

    def _emit_card(self, card) -> int:
        from ..report.card import render_card_markdown

        if self.format == "json":
            self.emit(json.dumps(card, indent=2, ensure_ascii=False))
        else:
            self.emit(render_card_markdown(card))
        return EXIT_OK

    def _workload_card(self) -> int:
        from ..errors import WellMLError
        from .workload import workload_card

        if len(self.extra_args) != 1:
            raise UsageProblem(
                "give the workload folder, e.g. `jupyter wellml card DIR --workload`"
            )
        try:
            card = workload_card(
                self.extra_args[0],
                lens_paths=self.lens_paths,
                data_dirs=not self.no_data_dirs,
                name=self.model_name or None,
            )
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        return self._emit_card(card)
