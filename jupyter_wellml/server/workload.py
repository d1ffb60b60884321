"""GET /api/wellml/workload?path=: the workload status of the practices, for the open notebook.

A notebook belongs to a workload when a ``wellml-workload.yaml`` sits in its folder or a folder
above it (inside the server's root) and, if the file lists notebooks, lists it. The answer
(``workload.v1#/$defs/status``) holds each practice's status over the workload (the same
:func:`~jupyter_wellml.workload.workload_review` as ``review DIR --workload``, from the same
cached reviews of the saved notebooks) with the first pieces of its evidence (notebook, cell,
line: what the sidebar names and opens), and ``next_steps``: the open practices in the order of
what to do next (:func:`~jupyter_wellml.workload.order_next_steps`), which the sidebar follows.
A notebook of no workload gets ``{"workload": null}``.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import NotebookError, WellMLError
from .handlers import ReviewHandler

MAX_NOTEBOOKS = 200
#: per practice, the first pieces of evidence of its workload status the sidebar names and links
MAX_EVIDENCE = 3
EVIDENCE_KEYS = ("notebook", "cell", "cell_id", "line", "message", "effect")
SKIP = {".ipynb_checkpoints", "node_modules", "__pycache__"}


class WorkloadHandler(ReviewHandler):
    """The workload of ``path`` and its practices' status over the workload."""

    @web.authenticated
    async def post(self) -> None:
        raise web.HTTPError(405, "use GET /api/wellml/workload?path=folder/notebook.ipynb")

    @web.authenticated
    @authorized("read", resource="contents")
    async def get(self) -> None:
        path = self.path_argument("/api/wellml/workload?path=folder/nb.ipynb")
        await self._read_saved(path)  # the same checks as a review: inside the root, a notebook
        root_dir = Path(getattr(self.contents_manager, "root_dir", "") or ".")
        clean = PurePosixPath(path.strip("/"))
        found = _find_workload(root_dir, clean)
        if found is None:
            return self.write_json({"workload": None})
        workload, notebooks = found
        if clean.as_posix() not in notebooks:
            return self.write_json({"workload": None})
        self.write_json(await self._status(workload, notebooks, clean.as_posix()))

    async def _status(self, workload, notebooks: list[str], path: str) -> dict[str, Any]:
        from ..workload import order_next_steps, workload_review

        catalog = self.service.catalog
        results = await asyncio.gather(*(self._review(nb) for nb in notebooks))
        reviews = [r for r in results if isinstance(r, dict)]
        errors = [r for r in results if isinstance(r, str)]
        section = workload_review(reviews, catalog, workload)
        open_ = [p for p in section["practices"] if p["status"] in ("gap", "unknown")]
        return {
            "workload": {
                k: section[k] for k in ("name", "root", "owner", "environment", "notebooks")
            },
            "notebook": workload.relative(path),
            "practices": {
                p["id"]: {
                    **{k: p[k] for k in ("status", "reason", "risk", "lens_risk", "notebooks")},
                    "evidence": [
                        {k: e[k] for k in EVIDENCE_KEYS} for e in p["evidence"][:MAX_EVIDENCE]
                    ],
                }
                for p in section["practices"]
            },
            "summary": section["summary"],
            "next_steps": [p["id"] for p in order_next_steps(open_, catalog)],
            "errors": errors,
        }

    async def _review(self, path: str) -> dict[str, Any] | str:
        try:
            content = await self._read_saved(path)
            body = await self.service.review_file(content, path=path, phase=None, environment=None)
        except (NotebookError, WellMLError, web.HTTPError) as exc:
            return f"{path}: {getattr(exc, 'reason', None) or getattr(exc, 'log_message', None) or exc}"
        return json.loads(body)


def _find_workload(root_dir: Path, notebook: PurePosixPath):
    """The workload holding ``notebook`` (root-relative), and its notebooks, or None."""
    from ..workload import CONFIG_FILE, load_workload

    for folder in notebook.parents:
        if not (root_dir / folder / CONFIG_FILE).is_file():
            continue
        try:
            loaded = load_workload(root_dir / folder)
        except WellMLError as exc:
            shown = str(exc).replace(str(root_dir) + os.sep, "")
            raise web.HTTPError(400, f"the workload file cannot be read: {shown}") from None
        listed = (
            [_relative(root_dir, p) for p in loaded.notebooks]
            if loaded.notebooks is not None
            else _discover(root_dir, folder)
        )
        if len(listed) > MAX_NOTEBOOKS:
            raise web.HTTPError(
                400,
                f"the workload {folder} has {len(listed)} notebooks; the sidebar shows at most {MAX_NOTEBOOKS}",
            )
        workload = loaded.replace(root=Path(folder.as_posix() or "."), config=None)
        return workload, listed
    return None


def _relative(root_dir: Path, path: Path) -> str:
    return Path(os.path.relpath(path, root_dir)).as_posix()


def _discover(root_dir: Path, folder: PurePosixPath) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root_dir / folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP and not d.startswith("."))
        found += [
            _relative(root_dir, Path(dirpath) / f)
            for f in sorted(filenames)
            if f.endswith(".ipynb")
        ]
    return found


workload_handlers = [(r"/api/wellml/workload", WorkloadHandler)]
