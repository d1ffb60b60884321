"""A workload: a folder of notebooks, optionally described by ``wellml-workload.yaml`` at its root.

The file names the workload and may list its notebooks, owner, environment and team lens
folders (schema ``workload.v1``, ``#/$defs/config``). Every problem with it is one line naming
the file, the line and the JSON pointer: ``wellml-workload.yaml:4: /environment: ...``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..catalog import schema
from ..catalog.yamlsource import YamlSyntaxError, load_yaml
from ..errors import WorkloadError
from ..values import Value

CONFIG_FILE = "wellml-workload.yaml"
STATE_DIR = ".wellml"
MAX_CONFIG_BYTES = 256 * 1024


class Workload(Value):
    """What the workload file says, with defaults for a folder that has none.

    Attributes
    ----------
    root : Path
        The workload folder.
    config : Path or None
        Its ``wellml-workload.yaml``, when there is one.
    name : str
        The workload's name (default: the folder's name).
    description, owner, environment : str or None
        As the file gives them (``environment``: ``PRODUCTION`` or ``PREPRODUCTION``).
    notebooks : list of Path or None
        The notebooks the file lists, or None: every notebook below the folder.
    lenses : list of Path
        Team lens folders the file lists.
    """

    __slots__ = (
        "config",
        "description",
        "environment",
        "lenses",
        "name",
        "notebooks",
        "owner",
        "root",
    )

    def __init__(
        self,
        root: Path,
        config: Path | None = None,
        name: str = "",
        description: str | None = None,
        owner: str | None = None,
        environment: str | None = None,
        notebooks: list[Path] | None = None,
        lenses: list[Path] | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self.name = name or root.resolve().name or str(root)
        self.description = description
        self.owner = owner
        self.environment = environment
        self.notebooks = notebooks
        self.lenses = [] if lenses is None else lenses

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` as the workload names its notebooks: relative to the root, ``/``-separated."""
        try:
            rel = os.path.relpath(path, self.root)
        except ValueError:  # another drive on Windows
            return str(path)
        return str(path) if rel.startswith("..") else Path(rel).as_posix()

    def state_dir(self) -> Path:
        """``ROOT/.wellml``: where milestones are kept."""
        return self.root / STATE_DIR

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "root": str(self.root),
            "config": str(self.config) if self.config else None,
            "owner": self.owner,
            "environment": self.environment,
            "description": self.description,
        }


def load_workload(root: str | os.PathLike) -> Workload:
    """The workload at ``root``: its ``wellml-workload.yaml`` read and checked, or defaults.

    Raises
    ------
    WorkloadError
        When ``root`` is not a folder, or the file is not valid YAML, breaks the schema, or
        lists a notebook or lens folder that is not there; one line with file, line and pointer.
    """
    folder = Path(root)
    if not folder.is_dir():
        raise WorkloadError(f"{folder}: not a folder; a workload is a folder of notebooks")
    path = folder / CONFIG_FILE
    if not path.is_file():
        return Workload(folder)
    doc = _read(path)
    data = doc.data if doc.data is not None else {}
    problems = schema.errors("workload.v1", data)
    if problems:
        pointer, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise WorkloadError(f"{_at(path, doc, pointer)}: {pointer}: {message}{more}")
    return Workload(
        folder,
        path,
        name=data.get("name", ""),
        description=data.get("description"),
        owner=data.get("owner"),
        environment=data.get("environment"),
        notebooks=_paths(path, doc, folder, data.get("notebooks"), "notebooks", Path.is_file),
        lenses=_paths(path, doc, folder, data.get("lenses", []), "lenses", Path.is_dir),
    )


def _read(path: Path):
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise WorkloadError(
                f"{path}: {size:,} bytes; a workload file holds at most {MAX_CONFIG_BYTES:,}"
            )
        text = path.read_text("utf-8")
    except OSError as exc:
        raise WorkloadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise WorkloadError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return load_yaml(text)
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise WorkloadError(f"{where}: not valid YAML: {exc}") from None


def _at(path: Path, doc, pointer: str) -> str:
    line = doc.line_of("" if pointer == "/" else pointer)
    return f"{path}:{line}" if line else str(path)


def _paths(path, doc, folder: Path, items, key: str, exists) -> list[Path] | None:
    """The listed paths under ``folder``; each must exist and stay inside the folder."""
    if items is None:
        return None
    out = []
    inside = folder.resolve()
    for i, item in enumerate(items):
        target = folder / item
        pointer = f"/{key}/{i}"
        if not exists(target):
            what = "notebook" if key == "notebooks" else "lens folder"
            raise WorkloadError(f"{_at(path, doc, pointer)}: {pointer}: no {what} {item!r} here")
        if not target.resolve().is_relative_to(inside):
            raise WorkloadError(
                f"{_at(path, doc, pointer)}: {pointer}: {item!r} is outside the workload folder"
            )
        out.append(target)
    return out
