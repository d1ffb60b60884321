"""``jupyter wellml sync`` and ``jupyter wellml card``: records on the command line.

``sync`` moves the records ``%wellml`` magics displayed (cell outputs) into
``metadata["wellml"]``, for notebooks run without the JupyterLab sidebar (nbclient, papermill,
VS Code, Notebook 7). It is idempotent, writes through a temporary file and an atomic rename,
and leaves the file untouched when nothing changes or anything is wrong.

``card`` writes a model card from the records, offline.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from traitlets import Bool

from .base import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageProblem,
    WellMLCommand,
    format_enum,
    text_option,
)


def read_notebook_json(path: Path) -> dict[str, Any]:
    """The notebook at ``path`` as plain JSON (every key kept); a usage problem says what is wrong."""
    from ..errors import NotebookError
    from ..inspection.notebook import load_notebook_json

    try:
        return load_notebook_json(path)
    except NotebookError as exc:
        raise UsageProblem(str(exc)) from None


class Changed(Exception):
    """The file changed between the time it was read and the time it would have been replaced."""


def write_atomic(path: Path, text: str, *, expected: bytes | None = None) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    A symbolic link is followed: the file it points to is replaced, the link stays. With
    ``expected`` (the bytes the caller read), the file is only replaced if it still holds them,
    else :class:`Changed` is raised and the file is left as it is. On Linux the check cannot
    race with another writer: the new file is swapped in with ``renameat2(RENAME_EXCHANGE)``,
    the file swapped out is compared with what was read, and swapped back if it differs (a save
    that happened, or was still being written, in between is kept).
    """
    real = Path(os.path.realpath(path))
    mode = real.stat().st_mode & 0o777 if real.exists() else None
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if expected is None:
            os.replace(tmp, real)
        else:
            _replace_if_unchanged(tmp, real, expected)
        _fsync_dir(real.parent)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _replace_if_unchanged(tmp: str, real: Path, expected: bytes) -> None:
    if _read(real) != expected:
        raise Changed
    if not _exchange(tmp, real):  # no RENAME_EXCHANGE here: check, then rename
        os.replace(tmp, real)
        return
    if _read(Path(tmp)) != expected:  # another save landed before the swap: put it back
        _exchange(tmp, real)
        raise Changed


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: str | Path, b: str | Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2``); False when the system cannot."""
    import ctypes
    import errno

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def dumps_notebook(nb: dict[str, Any]) -> str:
    """JSON text as nbformat writes it (one-space indent, sorted keys, UTF-8, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _wellml_json(nb: dict[str, Any]) -> str:
    meta = nb.get("metadata")
    return json.dumps(meta.get("wellml") if isinstance(meta, dict) else None, sort_keys=True)


class SyncApp(WellMLCommand):
    """Move the records %wellml magics displayed (cell outputs) into the notebook's metadata.
    Idempotent; the file is only rewritten when something changes, atomically."""

    name = "jupyter-wellml-sync"
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
        if not self.extra_args:
            raise UsageProblem("give one or more notebooks, e.g. `jupyter wellml sync NB.ipynb`")
        out_of_sync, failed, lines = 0, 0, []
        for arg in self.extra_args:  # every file is attempted; a problem is one line each
            try:
                line, changed = self._sync(Path(arg))
            except UsageProblem as exc:
                failed += 1
                print(f"{self.command}: error: {exc}", file=sys.stderr)
                continue
            out_of_sync += changed
            lines.append(line)
        if lines:
            self.emit("\n".join(lines))
        if failed:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.check and out_of_sync else EXIT_OK

    def _sync(self, path: Path) -> tuple[str, bool]:
        """Sync one notebook: its report line, and whether it was (or, with --check, would be)
        rewritten. Any problem is a :class:`UsageProblem` naming the file; the file is then
        left exactly as it was."""
        from ..errors import NotebookError, RecordError
        from ..inspection.notebook import parse_notebook_json, read_bytes
        from ..records import sync_notebook

        try:
            raw = read_bytes(path)
            nb = parse_notebook_json(raw, str(path))
        except NotebookError as exc:
            raise UsageProblem(str(exc)) from None
        before = _wellml_json(nb)
        try:
            counts = sync_notebook(nb)
        except RecordError as exc:
            raise UsageProblem(f"{path}: {exc}") from None
        summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "no records"
        if _wellml_json(nb) == before:
            return f"{path}: up to date ({summary}; already in sync, not written)", False
        if self.check:
            return f"{path}: {summary}; out of sync (not written: --check)", True
        try:
            write_atomic(path, dumps_notebook(nb), expected=raw)
        except Changed:
            raise UsageProblem(
                f"{path}: the file changed while it was synced (saved by another program?); "
                "nothing was written, run sync again"
            ) from None
        except OSError as exc:
            raise UsageProblem(
                f"{path}: cannot write: {_reason(exc)} (the file was left as it was)"
            ) from None
        why = "" if counts["added"] or counts["updated"] else " (newer times only)"
        return f"{path}: {summary}; written{why}", True


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class CardApp(WellMLCommand):
    """Write a model card from a notebook's records (KPIs, data sources, explainability, waivers),
    offline; JSON also carries SageMaker Model Card and Model Card Toolkit fields."""

    name = "jupyter-wellml-card"
    examples = """
    jupyter wellml card analysis.ipynb
    jupyter wellml card analysis.ipynb --format json --output card.json
    """
    format = format_enum("markdown", "json", default="markdown")
    model_name = text_option("The model's name (default: the notebook's file name).")
    aliases = {**WellMLCommand.aliases_with("CardApp", "format"), "name": "CardApp.model_name"}
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
        for e in result.facts.errors:
            if not e["message"].startswith("syntax error"):
                cell = f"cell {e['cell'] + 1}: " if isinstance(e.get("cell"), int) else ""
                print(f"{self.command}: note: {path}: {cell}{e['message']}", file=sys.stderr)
        card = build_card(result, name=self.model_name or None)
        return self._emit_card(card)

    def _emit_card(self, card) -> int:
        from ..report.card_markdown import render_card_markdown

        if self.format == "json":
            self.emit_json(card, ascii=False)
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
