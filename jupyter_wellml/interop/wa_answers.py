"""A workload review → answers for the AWS Well-Architected Tool, and the Tool's answers → records.

:func:`wa_answers` writes, per question of the custom lens that ``lens export`` produces (the
same question and choice ids, from :func:`~.wa_export.export_layout`), the body of an
``UpdateAnswer`` request: ``SelectedChoices`` (the practices the workload meets), one
``ChoiceUpdate`` per choice (``SELECTED``, ``NOT_APPLICABLE`` with the waiver's reason, or
``UNSELECTED``) with notes that cite the evidence, question notes, and ``IsApplicable``. Every
body is checked against ``schemas/wa-answers.json`` (the API's shapes and limits: choice notes
of at most 250 characters, question notes of at most 2,084). :func:`aws_cli_script` turns them
into ``aws wellarchitected update-answer`` calls for the user to run: nothing here calls AWS.

:func:`read_answers` reads what ``aws wellarchitected get-answer`` or ``list-answers`` prints
(or our own answers file) for that lens, and :func:`answer_records` turns it into attestations
and waivers marked ``source: wa_tool``.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..catalog.schema import _jsonschema
from ..records import WAIVER_REASONS, make_record
from ..values import Value
from .wa_export import QuestionLayout, export_layout, export_wa_lens
from .wa_format import WaLensError
from .wa_text import clip, one_line

SCHEMA = "wellml-wa-answers/v1"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "wa-answers.json"
ANSWERS_SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text("utf-8"))
_DEFS = ANSWERS_SCHEMA["$defs"]
MAX_CHOICE_NOTES: int = _DEFS["ChoiceUpdate"]["properties"]["Notes"]["maxLength"]
MAX_NOTES: int = _DEFS["UpdateAnswer"]["properties"]["Notes"]["maxLength"]
REASONS: tuple[str, ...] = tuple(_DEFS["Reason"]["enum"])
MAX_FILE_BYTES = 32 * 1024 * 1024


@cache
def _validator(definition: str | None = None):
    jsonschema = _jsonschema()
    schema = ANSWERS_SCHEMA
    if definition is not None:  # that definition alone
        keep = ("$schema", "$id", "$defs")
        schema = {**{k: ANSWERS_SCHEMA[k] for k in keep}, "$ref": f"#/$defs/{definition}"}
    cls = jsonschema.validators.validator_for(ANSWERS_SCHEMA)
    return cls(schema)


def answer_problems(doc: Any, definition: str | None = None) -> list[str]:
    """``pointer: message`` for each way ``doc`` breaks the API's shapes and limits."""
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(definition).iter_errors(doc)
    ]


# =========================================================================== answers
def wa_answers(
    section: Mapping[str, Any], catalog: Catalog, *, lens_alias: str, generated: str | None = None
) -> dict[str, Any]:
    """The answers file for a workload review ``section`` (see the module docstring).

    Raises
    ------
    WaLensError
        When the catalog cannot be exported, or an answer would break the API's limits.
    """
    by_id = {p["id"]: p for p in section["practices"]}
    waivers = {
        r["record"].get("practice"): r["record"]
        for r in section.get("records", ())
        if r["record"].get("kind") == "waiver"
    }
    context = _context(section)
    answers = [
        {
            "QuestionId": q.qid,
            "PillarId": q.wa_pillar,
            "QuestionTitle": f"{q.phase.name}: {q.pillar.name}",
            "UpdateAnswer": _update_answer(q, by_id, waivers, context),
        }
        for q in export_layout(catalog)
    ]
    doc = {
        "schema": SCHEMA,
        "LensAlias": lens_alias,
        "generated": generated or "",
        "workload": {k: section.get(k) for k in ("name", "owner", "environment", "description")},
        "lens": {
            "fingerprint": str((section.get("lens") or {}).get("fingerprint", "")),
            "name": export_wa_lens(catalog)["name"],
        },
        "answers": answers,
    }
    problems = answer_problems(doc)
    if problems:
        raise WaLensError(f"the answers break the WA Tool API's limits: {problems[0]}")
    return doc


def _context(section: Mapping[str, Any]) -> str:
    fingerprint = str((section.get("lens") or {}).get("fingerprint", ""))[:12]
    return (
        f"jupyter-wellml review of workload {section.get('name')} "
        f"({len(section.get('notebooks', ()))} notebook(s), lens {fingerprint})"
    )


def _where(e: Mapping[str, Any]) -> str:
    parts = [str(e.get("notebook") or "")]
    if e.get("cell") is not None:
        parts.append(f"cell {e['cell'] + 1}")
        if e.get("line") is not None:
            parts.append(f"line {e['line']}")
    return ":".join(p for p in parts if p)


def _choice_note(p: Mapping[str, Any] | None) -> str:
    if p is None:
        return "not reviewed"
    word = {"met": "met", "gap": "gap", "waived": "waived", "unanswered": "to answer"}.get(
        p["reason"], "no notebook of its phase"
    )
    first = next(iter(p["evidence"]), None)
    cite = f": {_where(first)}: {one_line(first['message'])}" if first else ""
    return clip(f"{word}{cite}", MAX_CHOICE_NOTES, sentences=False)


def _choice_update(p: Mapping[str, Any] | None, waiver: Mapping[str, Any] | None) -> dict:
    status = p["status"] if p is not None else "unknown"
    if status == "met":
        return {"Status": "SELECTED", "Notes": _choice_note(p)}
    if p is not None and p["reason"] == "waived":
        reason = str((waiver or {}).get("reason", "other")).upper()
        return {
            "Status": "NOT_APPLICABLE",
            "Reason": reason if reason in REASONS else "OTHER",
            "Notes": clip(
                f"waived: {one_line((waiver or {}).get('note', ''))}",
                MAX_CHOICE_NOTES,
                sentences=False,
            ),
        }
    return {"Status": "UNSELECTED", "Notes": _choice_note(p)}


def _update_answer(q: QuestionLayout, by_id, waivers, context: str) -> dict[str, Any]:
    updates = {cid: _choice_update(by_id.get(pr.id), waivers.get(pr.id)) for cid, pr in q.choices}
    selected = [cid for cid, u in updates.items() if u["Status"] == "SELECTED"]
    statuses = [by_id.get(pr.id, {}).get("status") for _, pr in q.choices]
    if not selected and "gap" in statuses and set(statuses) <= {"gap", "not_applicable"}:
        selected = [q.no_choice]  # every practice is known to be missing: "None of these"
    body: dict[str, Any] = {
        "SelectedChoices": selected,
        "ChoiceUpdates": updates,
        "Notes": _question_notes(q, by_id, context),
        "IsApplicable": True,
    }
    reasons = {u.get("Reason") for u in updates.values()}
    if all(u["Status"] == "NOT_APPLICABLE" for u in updates.values()):
        body["IsApplicable"] = False
        body["Reason"] = reasons.pop() if len(reasons) == 1 else "OTHER"
        body["SelectedChoices"] = []
    return body


def _question_notes(q: QuestionLayout, by_id, context: str) -> str:
    found = [by_id[pr.id] for _, pr in q.choices if pr.id in by_id]
    counts = {s: sum(1 for p in found if p["status"] == s) for s in ("met", "gap", "unknown")}
    lines = [
        f"{context}: {counts['met']} of {len(q.choices)} practice(s) met, {counts['gap']} gap(s), "
        f"{counts['unknown']} to answer."
    ]
    for p in found:
        for e in p["evidence"][:2]:
            lines.append(f"{p['id']} {p['status']}: {_where(e)}: {one_line(e['message'])}")
    return clip("\n".join(lines), MAX_NOTES, sentences=False)


def aws_cli_script(doc: Mapping[str, Any], workload_id: str | None = None) -> str:
    """A POSIX shell script of ``aws wellarchitected update-answer`` calls, one per answer."""
    wid = shlex.quote(workload_id) if workload_id else '"${1:?usage: sh $0 WORKLOAD_ID}"'
    lines = [
        "#!/bin/sh",
        f"# Answers of workload {one_line(str(doc['workload'].get('name')))} for the AWS "
        "Well-Architected Tool, written by jupyter-wellml.",
        "# jupyter-wellml never calls AWS: read this script, then run it with your credentials.",
        "set -eu",
        f"WORKLOAD_ID={wid}",
    ]
    for answer in doc["answers"]:
        body = json.dumps(answer["UpdateAnswer"], ensure_ascii=False, separators=(",", ":"))
        lines.append(
            'aws wellarchitected update-answer --workload-id "$WORKLOAD_ID" '
            f"--lens-alias {shlex.quote(doc['LensAlias'])} "
            f"--question-id {shlex.quote(answer['QuestionId'])} --cli-input-json {shlex.quote(body)}"
        )
    return "\n".join(lines) + "\n"


# =========================================================================== import
class ToolAnswer(Value):
    """One question as the Tool answered it.

    Attributes
    ----------
    qid : str
        The question id.
    selected : set of str
        The selected choice ids.
    choices : dict
        Choice id → what the Tool says of it (``Status``, ``Reason``, ``Notes``).
    applicable : bool
        False when the whole question is marked not applicable.
    reason, notes : str or None
        The question's reason (when not applicable) and notes.
    """

    __slots__ = ("applicable", "choices", "notes", "qid", "reason", "selected")

    def __init__(
        self,
        qid: str,
        selected: set[str],
        choices: dict[str, dict[str, Any]],
        applicable: bool = True,
        reason: str | None = None,
        notes: str | None = None,
    ) -> None:
        self.qid = qid
        self.selected = set(selected)
        self.choices = choices
        self.applicable = applicable
        self.reason = reason
        self.notes = notes or ""


def read_answers(path: Path) -> tuple[str | None, list[ToolAnswer]]:
    """The lens alias and the answers in a ``get-answer`` / ``list-answers`` / answers file.

    Raises
    ------
    WaLensError
        One line naming the file: unreadable, not JSON, or not answers.
    """
    doc = _load(path)
    if isinstance(doc, dict) and doc.get("schema") == SCHEMA:
        problems = answer_problems(doc)
        if problems:
            raise WaLensError(f"{path}: not a valid answers file: {problems[0]}")
        items = [{"QuestionId": a["QuestionId"], **a["UpdateAnswer"]} for a in doc["answers"]]
    elif isinstance(doc, dict) and isinstance(doc.get("Answer"), dict):
        items = [doc["Answer"]]
    elif isinstance(doc, dict) and isinstance(doc.get("AnswerSummaries"), list):
        items = doc["AnswerSummaries"]
    else:
        raise WaLensError(
            f"{path}: not WA Tool answers: expected the JSON of `aws wellarchitected get-answer` "
            "(Answer) or `list-answers` (AnswerSummaries), or a `jupyter wellml wa answers` file"
        )
    return doc.get("LensAlias"), [_tool_answer(path, i, item) for i, item in enumerate(items)]


def _load(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise WaLensError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes; not WA Tool answers")
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise WaLensError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise WaLensError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise WaLensError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def _tool_answer(path: Path, i: int, item: Any) -> ToolAnswer:
    if not isinstance(item, dict) or not isinstance(item.get("QuestionId"), str):
        raise WaLensError(f"{path}: answer {i} has no QuestionId")
    choices: dict[str, dict[str, Any]] = {}
    for c in item.get("ChoiceAnswers") or item.get("ChoiceAnswerSummaries") or ():
        if isinstance(c, dict) and isinstance(c.get("ChoiceId"), str):
            choices[c["ChoiceId"]] = c
    for cid, c in (item.get("ChoiceUpdates") or {}).items():
        choices[cid] = {"ChoiceId": cid, **c}
    selected = [c for c in item.get("SelectedChoices") or () if isinstance(c, str)]
    return ToolAnswer(
        item["QuestionId"],
        set(selected),
        choices,
        item.get("IsApplicable", True) is not False,
        item.get("Reason"),
        item.get("Notes"),
    )


def answer_records(
    path: Path, answers: Sequence[ToolAnswer], catalog: Catalog, *, author: str | None = None
) -> list[dict[str, Any]]:
    """Attestations (selected choices) and waivers (not applicable) of ``answers``, validated.

    Raises
    ------
    WaLensError
        When a question or choice is not one of the lens ``lens export`` writes for ``catalog``
        (answers for another lens), naming the first one.
    """
    layout = {q.qid: q for q in export_layout(catalog)}
    out: list[dict[str, Any]] = []
    for answer in answers:
        q = layout.get(answer.qid)
        if q is None:
            known = ", ".join(list(layout)[:3])
            raise WaLensError(
                f"{path}: answers for another lens: question {answer.qid!r} is not in the lens "
                f"`jupyter wellml lens export` writes (its questions: {known}, ...)"
            )
        out.extend(_question_records(path, answer, q, author))
    return out


def _question_records(path: Path, answer: ToolAnswer, q: QuestionLayout, author) -> list[dict]:
    practices = dict(q.choices)
    unknown = [
        c for c in [*answer.selected, *answer.choices] if c not in practices and c != q.no_choice
    ]
    if unknown:
        raise WaLensError(
            f"{path}: answers for another lens: choice {unknown[0]!r} is not a choice of "
            f"question {q.qid!r} in the lens `jupyter wellml lens export` writes"
        )
    records = []
    for cid, practice in q.choices:
        status = answer.choices.get(cid, {}).get("Status")
        notes = one_line(answer.choices.get(cid, {}).get("Notes") or "")
        if not answer.applicable or status == "NOT_APPLICABLE":
            reason = (answer.choices.get(cid, {}).get("Reason") or answer.reason or "OTHER").lower()
            fields = {
                "practice": practice.id,
                "reason": reason if reason in WAIVER_REASONS else "other",
                "note": clip(notes or "not applicable in the AWS Well-Architected Tool", 2000),
            }
            records.append(make_record("waiver", {**fields, "source": "wa_tool"}, author=author))
        elif cid in answer.selected or status == "SELECTED":
            note = "selected in the AWS Well-Architected Tool" + (f": {notes}" if notes else "")
            fields = {"practice": practice.id, "note": clip(note, 2000), "source": "wa_tool"}
            records.append(make_record("attest", fields, author=author))
    return records
