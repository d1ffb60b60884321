"""Milestones: a workload review frozen under a name, to compare over time.

A milestone is ``ROOT/.wellml/milestones/NAME.json`` (schema ``workload.v1#/$defs/milestone``):
the workload review, the lens fingerprint, the git commit of the folder when it is in a
repository, and the date. :func:`diff_milestones` lists the practices whose status changed and
the high and medium risk counts per pillar before and after.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..catalog import schema
from ..errors import WorkloadError
from .config import Workload

SCHEMA = "wellml-milestone/v1"
DIFF_SCHEMA = "wellml-milestone-diff/v1"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_BYTES = 64 * 1024 * 1024


def milestone_dir(workload: Workload) -> Path:
    return workload.state_dir() / "milestones"


def check_name(name: str) -> str:
    """``name`` when it can name a milestone file, else :class:`WorkloadError`."""
    if not NAME.fullmatch(name) or name.endswith(".json"):
        raise WorkloadError(
            f"milestone name {name!r}: use 1 to 100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. 2026-q1 or before-launch)"
        )
    return name


def saved_now() -> str:
    """The current UTC time to the microsecond: two milestones saved within one second still
    list in the order they were saved."""
    return (
        datetime.datetime.now(datetime.timezone.utc)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def _saved_order(milestone: Mapping[str, Any]) -> tuple:
    """Sort key: the time saved (parsed, so whole seconds and fractions compare right), then the
    name; an unreadable milestone sorts first."""
    try:
        when = datetime.datetime.fromisoformat(milestone["saved"].replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        when = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return when, milestone["name"]


def make_milestone(name: str, section: Mapping[str, Any], saved: str, git: dict | None) -> dict:
    """The milestone document for a workload review ``section`` (not yet written)."""
    return {
        "schema": SCHEMA,
        "name": check_name(name),
        "saved": saved,
        "git": git,
        "lens": dict(section.get("lens") or {"fingerprint": ""}),
        "workload": dict(section),
    }


def git_commit(folder: Path) -> dict[str, Any] | None:
    """``{"commit": sha, "dirty": bool}`` of the repository holding ``folder``, or None."""
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        return None
    return {"commit": commit, "dirty": bool(status.stdout.strip())}


def save_milestone(
    workload: Workload, milestone: Mapping[str, Any], *, force: bool = False
) -> Path:
    """Write ``milestone`` atomically; an existing one of that name is kept unless ``force``."""
    target = milestone_dir(workload) / f"{milestone['name']}.json"
    if target.exists() and not force:
        raise WorkloadError(
            f"{target}: milestone {milestone['name']!r} exists; choose another name or --force"
        )
    problems = schema.errors_for_definition("workload.v1", "milestone", dict(milestone))
    if problems:  # pragma: no cover - make_milestone builds valid documents
        raise WorkloadError(f"milestone {milestone['name']!r}: {problems[0][0]}: {problems[0][1]}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(milestone, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, target)
    except OSError as exc:
        raise WorkloadError(f"{target}: cannot write: {exc.strerror or exc}") from None
    return target


def load_milestone(workload: Workload, name: str) -> dict[str, Any]:
    """The milestone ``name`` of the workload; :class:`WorkloadError` when missing or damaged."""
    path = milestone_dir(workload) / f"{check_name(name)}.json"
    if not path.is_file():
        saved = ", ".join(m["name"] for m in list_milestones(workload)) or "none yet"
        raise WorkloadError(f"{path}: no milestone {name!r} in {workload.root} (saved: {saved})")
    return _read(path)


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise WorkloadError(f"{path}: larger than {MAX_BYTES:,} bytes; not a milestone")
        doc = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise WorkloadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise WorkloadError(f"{path}: not a milestone: not valid JSON ({exc})") from None
    problems = schema.errors_for_definition("workload.v1", "milestone", doc)
    if problems:
        pointer, message = problems[0]
        raise WorkloadError(f"{path}: not a milestone: {pointer}: {message}")
    return doc


def list_milestones(workload: Workload) -> list[dict[str, Any]]:
    """Every readable milestone of the workload, oldest first, with its totals."""
    folder = milestone_dir(workload)
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            doc = _read(path)
        except WorkloadError as exc:
            out.append({"name": path.stem, "saved": "", "error": str(exc)})
            continue
        out.append(
            {
                "name": doc["name"],
                "saved": doc["saved"],
                "commit": (doc["git"] or {}).get("commit"),
                "total": doc["workload"]["summary"]["total"],
            }
        )
    return sorted(out, key=_saved_order)


def diff_milestones(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from milestone ``before`` to ``after`` (a milestone, or now as one)."""
    old = {p["id"]: p for p in before["workload"]["practices"]}
    new = {p["id"]: p for p in after["workload"]["practices"]}
    changed = [
        {
            "id": pid,
            "title": p["title"],
            "pillar": p["pillar"],
            "lens_risk": p["lens_risk"],
            "before": old[pid]["status"] if pid in old else None,
            "after": p["status"],
        }
        for pid, p in new.items()
        if pid not in old or old[pid]["status"] != p["status"]
    ]
    changed += [
        {
            **{k: p[k] for k in ("id", "title", "pillar", "lens_risk")},
            "before": p["status"],
            "after": None,
        }
        for pid, p in old.items()
        if pid not in new
    ]
    return {
        "schema": DIFF_SCHEMA,
        "from": _label(before),
        "to": _label(after),
        "lens_changed": before["lens"].get("fingerprint") != after["lens"].get("fingerprint"),
        "changed": changed,
        "pillars": _pillar_risks(before, after),
        "total": {
            "before": _risks(before["workload"]["summary"]["total"]),
            "after": _risks(after["workload"]["summary"]["total"]),
        },
    }


def _label(m: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": m["name"], "saved": m["saved"], "commit": (m.get("git") or {}).get("commit")}


def _risks(counts: Mapping[str, Any]) -> dict[str, int]:
    return {"high": counts["high"], "medium": counts["medium"], "met": counts["met"]}


def _pillar_risks(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    old = {p["id"]: p for p in before["workload"]["summary"]["pillars"]}
    new = {p["id"]: p for p in after["workload"]["summary"]["pillars"]}
    zero = {"high": 0, "medium": 0, "met": 0}
    return [
        {
            "id": pid,
            "before": _risks(old[pid]) if pid in old else zero,
            "after": _risks(new[pid]) if pid in new else zero,
        }
        for pid in dict.fromkeys([*new, *old])
    ]


def trend(workload: Workload) -> list[dict[str, Any]]:
    """The totals of each readable milestone, oldest first (for the HTML report's trend)."""
    return [m for m in list_milestones(workload) if "error" not in m]
