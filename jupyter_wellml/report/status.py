"""``%wellml status``: what the kernel read, the phase, the verdict's counts, the records, the
open gaps and what waits for an answer (the sidebar's order and counts), as text and HTML.

The phase and the counts are worded as in the CLI's text report (:func:`.common.phase_text`,
:func:`.verdict.counts_text`), so the kernel and ``jupyter wellml review`` say the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from html import escape
from typing import Any, NamedTuple

from ..inspection.review import Review
from ..records import describe
from .common import phase_text
from .verdict import counts_text, progress_text, verdict


class _Status(NamedTuple):
    name: str
    read: str | None
    notes: list[str]
    phase: Any
    counts: Mapping[str, int]
    records: list[str]
    session: int
    gaps: list[Any]  # findings, in the verdict's order
    asked: list[tuple[str, str, str]]  # (id, title, question)

    @property
    def label(self) -> str:
        return self.phase.id or "the notebook"


def _first_gap_message(finding) -> str:
    return next(
        (e["message"] for e in finding.evidence if e.get("effect") in ("gap", "expect")), ""
    )


def set_aside(result: Review) -> list[str]:
    """One line for each part of the notebook the review set aside (a malformed output or record,
    code over the size inspected, a rule out of time), for a note under the status or review."""
    return [
        (f"cell {e['cell'] + 1}: " if isinstance(e.get("cell"), int) else "") + e["message"]
        for e in result.facts.errors
        if not e["message"].startswith("syntax error")
    ]


def _status(
    result: Review, path: str | None, problem: str | None, session: int, read: str | None
) -> _Status:
    v = verdict(result.to_json(), result.catalog)
    by_id = {f.practice.id: f for f in result.findings}
    return _Status(
        name=os.path.basename(path) if path else "this session (notebook file not known)",
        read=read,
        notes=[n for n in (problem, v["note"]) if n] + set_aside(result),
        phase=result.phase,
        counts=v["counts"],
        records=[describe(r.record) for r in result.records],
        session=session,
        gaps=[by_id[e["id"]] for e in v["practices"] if e["state"] == "gap"],
        asked=[
            (e["id"], by_id[e["id"]].practice.title, e["question"])
            for e in v["practices"]
            if e["state"] == "to_answer"
        ],
    )


def _text(s: _Status) -> str:
    ph = s.phase
    lines = [f"wellml status of {s.name}"]
    if s.read:
        lines.append(f"read: {s.read}")
    lines += [f"note: {n}" for n in s.notes]
    lines.append("phase: " + phase_text({"id": ph.id, "source": ph.source, "reason": ph.reason}))
    lines.append(f"{progress_text(s.counts)}: {counts_text(s.counts)}")
    lines.append(f"records ({len(s.records)}, {s.session} from this session):")
    lines += [f"  {r}" for r in s.records] or ["  none yet"]
    lines.append(f"open gaps of {s.label} ({len(s.gaps)}):")
    lines += [
        f"  [{f.practice.risk}] {f.practice.id} {f.practice.title}: {_first_gap_message(f)}".rstrip(
            ": "
        )
        for f in s.gaps
    ] or ["  none"]
    lines.append(f"needs your answer ({len(s.asked)}):")
    lines += [f"  {pid} {title}: {q}" for pid, title, q in s.asked] or ["  nothing"]
    return "\n".join(lines)


def _items(items: list[str], empty: str) -> str:
    return "<ul>" + ("".join(items) or f"<li>{empty}</li>") + "</ul>"


def _html(s: _Status) -> str:
    ph = s.phase
    gaps = [
        f"<li><b>{escape(f.practice.id)}</b> [{escape(f.practice.risk)}] "
        f"{escape(f.practice.title)}</li>"
        for f in s.gaps
    ]
    asked = [
        f"<li><b>{escape(pid)}</b> {escape(title)}: {escape(q)}</li>" for pid, title, q in s.asked
    ]
    return (
        f'<div class="jp-wellml-status"><b>wellml status</b> of {escape(s.name)}<br>'
        + (f"<i>read: {escape(s.read)}</i><br>" if s.read else "")
        + "".join(f"<i>{escape(n)}</i><br>" for n in s.notes)
        + f"phase: <b>{escape(ph.id or 'unknown')}</b> ({escape(ph.source)}: {escape(ph.reason)})"
        + f"<br>{escape(progress_text(s.counts))}: {escape(counts_text(s.counts))}"
        + f"<br>records ({len(s.records)}):"
        + _items([f"<li>{escape(r)}</li>" for r in s.records], "none yet")
        + f"open gaps of {escape(s.label)} ({len(s.gaps)}):"
        + _items(gaps, "none")
        + f"needs your answer ({len(s.asked)}):"
        + _items(asked, "nothing")
        + "</div>"
    )


def status_bundle(
    result: Review, path: str | None, problem: str | None, session: int, read: str | None = None
) -> dict[str, str]:
    """``%wellml status`` of a reviewed notebook as text/plain and text/html; ``session`` is how
    many of its records this kernel session made, ``read`` which version of the file was read,
    ``problem`` why the file on disk could not be read."""
    s = _status(result, path, problem, session, read)
    return {"text/plain": _text(s), "text/html": _html(s)}


def status_text(
    result: Review, path: str | None, problem: str | None, session: int, read: str | None = None
) -> str:
    """The text/plain part of :func:`status_bundle`."""
    return _text(_status(result, path, problem, session, read))


__all__ = ["status_bundle", "status_text"]
