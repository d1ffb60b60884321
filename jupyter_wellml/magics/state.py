"""What the kernel knows: this session's records, the running cell, the notebook on disk.

Jupyter sets ``JPY_SESSION_NAME`` to the notebook's path when it starts a kernel for it (VS Code
puts it in ``__vsc_ipynb_file__``); the notebook is read from there (again only when the file changed) so ``%wellml status`` and the
review see the records already saved in it, merged with the ones this session displayed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..records import merged_notebook, natural_key, notebook_records, upsert
from ..records.model import METADATA_VERSION

#: A notebook that cannot be parsed is read again this many times, this many seconds apart:
#: another program (an editor saving in place) may be writing it.
SAVE_RETRIES = 5
SAVE_WAIT = 0.1


class KernelState:
    """The session's records (upserted like the notebook's) and access to the notebook file."""

    def __init__(self, lens_paths: list[str] | None = None, user_ns: dict | None = None):
        self.store: dict[str, Any] = {"version": METADATA_VERSION, "records": []}
        self.cell_id: str | None = None
        self.lens_paths = list(lens_paths or [])
        self.user_ns = user_ns if user_ns is not None else {}
        self._catalog = None
        self._lock = threading.Lock()
        self._disk: tuple[tuple, dict[str, Any] | None, str | None] | None = None
        self._good: tuple[str, dict[str, Any]] | None = None  # the last notebook read whole

    # ------------------------------------------------------------- catalog
    def catalog(self):
        """The lens catalog, loaded once per kernel (a warm-up thread may have loaded it)."""
        with self._lock:
            if self._catalog is None:
                from ..catalog import load_catalog

                self._catalog = load_catalog(self.lens_paths)
            return self._catalog

    def warm_up(self) -> None:
        """Load the record schema's validator and the catalog (run in a background thread)."""
        try:
            from ..catalog import schema

            schema._compiled("record.v1")
            self.catalog()
        except Exception:  # a broken lens is reported when a magic needs it, not here
            pass

    # ------------------------------------------------------------- session records
    def remember(self, records: list[Mapping[str, Any]]) -> None:
        for r in records:
            upsert(self.store, r)

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(self.store["records"])

    def known(self, key: tuple) -> Mapping[str, Any] | None:
        """What is known of the record with natural key ``key``: the notebook's, with this
        session's fields over it (a session record may carry only some fields)."""
        found: dict[str, Any] = {}
        nb = self.notebook()
        if nb is not None:
            for f in notebook_records(nb):
                if natural_key(f.record) == key:
                    found.update(f.record)
                    break
        for r in self.store["records"]:
            if natural_key(r) == key:
                found.update(r)
                break
        return found or None

    def running_cell_id(self, raw_cell: str | None) -> str | None:
        """The id of the running cell: what the frontend sent, else the one cell of the notebook
        on disk with this source (nbclient and papermill send no cell id)."""
        if self.cell_id or not raw_cell:
            return self.cell_id
        nb = self.notebook()
        if nb is None:
            return None
        source = raw_cell.strip()
        ids = [
            c.get("id")
            for c in nb["cells"]
            if isinstance(c, dict) and c.get("cell_type") == "code" and _source(c).strip() == source
        ]
        return ids[0] if len(ids) == 1 and isinstance(ids[0], str) else None

    # ------------------------------------------------------------- the notebook on disk
    def session_name(self) -> str | None:
        """The notebook path the frontend told the kernel: ``JPY_SESSION_NAME`` (Jupyter), else
        ``__vsc_ipynb_file__`` (VS Code sets it in the user namespace)."""
        name = os.environ.get("JPY_SESSION_NAME") or self.user_ns.get("__vsc_ipynb_file__")
        return name if isinstance(name, str) and name else None

    def notebook_path(self) -> Path | None:
        """The notebook this kernel runs for, when it can be found on disk."""
        name = self.session_name()
        if not name:
            return None
        path = Path(name)
        candidates = [path] if path.is_absolute() else [Path.cwd() / path, Path.cwd() / path.name]
        return next((c for c in candidates if c.is_file()), None)

    def notebook(self) -> dict[str, Any] | None:
        """The notebook on disk as JSON (re-read only when the file changed), or None."""
        nb, _ = self.notebook_and_problem()
        return nb

    def notebook_and_problem(self) -> tuple[dict[str, Any] | None, str | None]:
        path = self.notebook_path()
        if path is None:
            name = self.session_name()
            return None, (f"notebook {name!r} not found on disk" if name else None)
        try:
            st = path.stat()
        except OSError as exc:
            return None, f"cannot read {path}: {exc.strerror}"
        stamp = (str(path), st.st_mtime_ns, st.st_size)
        if self._disk is not None and self._disk[0] == stamp:
            return self._disk[1], self._disk[2]
        from ..errors import NotebookError
        from ..inspection.notebook import load_notebook_json  # the engine: not at %load_ext

        nb: dict[str, Any] | None = None
        problem = None
        for attempt in range(SAVE_RETRIES + 1):
            try:
                nb = load_notebook_json(path)
                problem = None
                break
            except NotebookError as exc:  # often a save still being written: read it again
                problem = f"{path.name}: {exc.reason}"
                if attempt < SAVE_RETRIES:
                    time.sleep(SAVE_WAIT)
        try:
            st = path.stat()
            stamp = (str(path), st.st_mtime_ns, st.st_size)
        except OSError:
            pass
        if nb is not None:
            self._good = (str(path), nb)
        elif self._good is not None and self._good[0] == str(path):
            nb = self._good[1]  # the last copy read whole, rather than nothing
            problem = f"{problem} (using the copy read before)"
        self._disk = (stamp, nb, problem)
        return nb, problem

    def merged(self) -> tuple[dict[str, Any], str | None, str | None]:
        """The notebook on disk (or an empty one) with this session's records upserted.

        A phase marker recorded in a cell the saved file does not have yet (the notebook was
        not saved since) still tells the phase: it counts as the notebook's phase.
        Returns ``(notebook, path, problem)``.
        """
        nb, problem = self.notebook_and_problem()
        path = self.notebook_path()
        base = nb if nb is not None else {"cells": [], "metadata": {}, "nbformat": 4}
        saved_ids = {c.get("id") for c in base.get("cells") or [] if isinstance(c, dict)}
        session = [
            {**r, "cell_id": None}
            if r.get("kind") == "phase" and r.get("cell_id") and r["cell_id"] not in saved_ids
            else r
            for r in self.records
        ]
        return merged_notebook(base, session), (str(path) if path else None), problem

    def read_version(self) -> str:
        """Which version of the notebook the kernel reviews, in words for ``%wellml status``."""
        path = self.notebook_path()
        session = len(self.store["records"])
        mine = f"{session} record(s) made in this session" if session else "no records made here"
        if path is None:
            name = self.session_name()
            where = f"{name} is not on disk" if name else "the notebook file is not known"
            return f"this session only ({where}): {mine}"
        import datetime as _dt

        saved = _dt.datetime.fromtimestamp(path.stat().st_mtime)
        today = _dt.date.today()
        when = (
            saved.strftime("%H:%M") if saved.date() == today else saved.strftime("%Y-%m-%d %H:%M")
        )
        return (
            f"the saved file from {when} with {mine}; unsaved edits are not included "
            "(save the notebook, or look at the sidebar)"
        )


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)
