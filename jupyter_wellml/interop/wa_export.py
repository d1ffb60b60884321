"""A loaded catalog → one AWS Well-Architected Tool custom lens (:func:`export_wa_lens`).

Each pillar becomes a Tool pillar (its ``wa_tool_id``), each lifecycle phase that holds
practices of the pillar becomes one question (split into parts ``(1 of 2)`` … when it would
exceed 15 choices), each practice becomes one choice (id ``MLCOST04-BP01`` →
``MLCOST04_BP01``), and every question ends with a "None of these" choice ``<question>_no``.
Risk rules: every practice selected → ``NO_RISK``; every high-risk practice selected →
``MEDIUM_RISK`` (only when the question mixes high and medium practices); ``default`` →
``HIGH_RISK`` when the question has a high-risk practice, else ``MEDIUM_RISK``. The result is
checked with :func:`~.wa_format.validate_wa_lens`; a catalog that cannot fit the Tool's
limits raises :class:`~.wa_format.WaLensError` instead of producing a file the Tool refuses.

:func:`export_layout` gives the same walk as data (pillar, phase, question id, choice ids), so
the answers for a workload use exactly the question and choice ids of the exported lens.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from ..catalog import Catalog
from ..catalog.model import LensInfo, Phase, Pillar, Practice
from ..values import Value
from .wa_format import (
    MAX_CHOICES,
    MAX_NAME,
    MAX_PILLARS,
    MAX_QUESTIONS,
    MAX_TEXT,
    MAX_TITLE,
    SCHEMA_VERSION,
    WA_ID,
    WaLensError,
    validate_wa_lens,
)
from .wa_text import clip, http_url, one_line, title_line, unique, wa_safe

__all__ = ["QuestionLayout", "export_layout", "export_wa_lens"]


def export_wa_lens(
    catalog: Catalog,
    *,
    lens_ids: Sequence[str] | None = None,
    name: str | None = None,
    description: str | None = None,
) -> dict:
    """The catalog as an AWS Well-Architected Tool custom lens.

    Parameters
    ----------
    catalog : Catalog
        A loaded catalog (:func:`~jupyter_wellml.catalog.load_catalog`).
    lens_ids : sequence of str, optional
        Export only the practices of these lenses (default: every practice in the catalog).
    name : str, optional
        Lens name shown by the Tool (default: the exported lenses' titles followed by
        ``(jupyter-wellml)``, so it is not mistaken for the official AWS lens); cut to 128
        characters.
    description : str, optional
        Lens description (default: the exported lens's description); cut to 2048 characters.

    Returns
    -------
    dict
        A custom-lens document: pillars in catalog order, one question per lifecycle phase
        that has practices in the pillar (split into parts of at most 14 practices), one
        choice per practice plus a ``<question>_no`` "None of these" choice, and risk rules
        derived from the practices' risk levels. The same catalog always gives the same
        document; write it with :func:`~.wa_format.dumps_wa_lens`.

    Raises
    ------
    WaLensError
        When a lens id is unknown, nothing is left to export, or the catalog cannot fit the
        Tool's limits (more than 10 pillars, more than 20 questions in a pillar, more than
        500 KB); the message says what to narrow.
    """
    practices = _selected(catalog, lens_ids)
    used_lenses = [lens for lens in catalog.lenses if any(p.lens == lens.id for p in practices)]
    lens_name, lens_description = _lens_texts(used_lenses, name, description)
    docs = next((u for lens in used_lenses if (u := http_url(lens.docs))), None)
    out_pillars = [
        {
            "id": layout[0].wa_pillar,
            "name": title_line(pillar.name, MAX_NAME),
            "questions": [_question(q, docs) for q in layout],
        }
        for pillar, layout in _pillar_layouts(catalog, practices)
    ]
    if len(out_pillars) > MAX_PILLARS:
        raise WaLensError(
            f"the export has {len(out_pillars)} pillars; the Tool allows {MAX_PILLARS}. "
            "Export fewer lenses (lens_ids=...)"
        )
    doc = {
        "schemaVersion": SCHEMA_VERSION,
        "name": lens_name,
        "description": lens_description,
        "pillars": out_pillars,
    }
    problems = validate_wa_lens(doc)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise WaLensError(f"the exported lens does not fit the Tool's format: {shown}")
    return doc


class QuestionLayout(Value):
    """One exported question: where it sits and which practice each choice id stands for.

    Attributes
    ----------
    pillar, phase : Pillar, Phase
        The catalog's pillar and phase the question groups.
    wa_pillar, qid : str
        The Tool's pillar id and question id.
    part, parts : int
        Which part of its phase the question is (1 of 1 unless the phase was split).
    choices : list of (str, Practice)
        Each choice id with the practice it stands for, in order.
    no_choice : str
        The id of the "None of these" choice.
    """

    __slots__ = ("choices", "no_choice", "part", "parts", "phase", "pillar", "qid", "wa_pillar")

    def __init__(
        self,
        pillar: Pillar,
        wa_pillar: str,
        phase: Phase,
        qid: str,
        part: int,
        parts: int,
        choices: list[tuple[str, Practice]],
        no_choice: str,
    ) -> None:
        self.pillar = pillar
        self.wa_pillar = wa_pillar
        self.phase = phase
        self.qid = qid
        self.part = part
        self.parts = parts
        self.choices = choices
        self.no_choice = no_choice


def export_layout(
    catalog: Catalog, *, lens_ids: Sequence[str] | None = None
) -> list[QuestionLayout]:
    """The questions :func:`export_wa_lens` writes for ``catalog``, with their ids, in order.

    Raises
    ------
    WaLensError
        As :func:`export_wa_lens`, for an unknown lens id or nothing to export.
    """
    practices = _selected(catalog, lens_ids)
    return [q for _, layout in _pillar_layouts(catalog, practices) for q in layout]


def _selected(catalog: Catalog, lens_ids: Sequence[str] | None) -> list[Practice]:
    """The practices to export, or :class:`WaLensError` when there is none."""
    if lens_ids is not None:
        known = {lens.id for lens in catalog.lenses}
        wanted = list(dict.fromkeys(lens_ids))
        unknown = [x for x in wanted if x not in known]
        if unknown:
            raise WaLensError(
                f"no loaded lens has the id {', '.join(map(repr, unknown))}; "
                f"loaded lenses: {', '.join(sorted(known)) or '(none)'}"
            )
        practices = [p for p in catalog.practices if p.lens in wanted]
    else:
        practices = list(catalog.practices)
    if not practices:
        raise WaLensError(
            "there is no practice to export"
            + (f" in lens {', '.join(lens_ids)}" if lens_ids else "")
            + (
                f" ({len(catalog.issues)} lens issue(s) were reported while loading; see "
                "`jupyter wellml lens check`)"
                if catalog.issues
                else ""
            )
        )
    return practices


def _lens_texts(
    used_lenses: list[LensInfo], name: str | None, description: str | None
) -> tuple[str, str]:
    if name is None:
        name = " + ".join(lens.title for lens in used_lenses) + " (jupyter-wellml)"
    lens_name = title_line(name, MAX_NAME)
    if description is None:
        texts = [lens.description for lens in used_lenses if lens.description]
        description = " ".join(one_line(t) for t in texts) or (
            f"{lens_name}: best practices by pillar and ML lifecycle phase, exported by "
            "jupyter-wellml."
        )
    lens_description = clip(description, MAX_TEXT)
    if not lens_name or not lens_description:
        raise WaLensError("the custom lens needs a non-empty name and description")
    return lens_name, lens_description


def _phases_and_pillars(
    catalog: Catalog, practices: list[Practice]
) -> tuple[list[Phase], list[Pillar]]:
    """The catalog's phases and pillars, plus any a practice names that the catalog lacks."""
    phases = list(catalog.phases)
    known_phases = {ph.id for ph in phases}
    for extra in dict.fromkeys(p.phase for p in practices if p.phase not in known_phases):
        phases.append(Phase(extra, extra.replace("_", " ").capitalize(), ""))
    pillars = list(catalog.pillars)
    known_pillars = {pl.id for pl in pillars}
    for extra in dict.fromkeys(p.pillar for p in practices if p.pillar not in known_pillars):
        pillars.append(Pillar(extra, extra.replace("_", " ").capitalize()))
    return phases, pillars


def _pillar_layouts(
    catalog: Catalog, practices: list[Practice]
) -> Iterator[tuple[Pillar, list[QuestionLayout]]]:
    phases, pillars = _phases_and_pillars(catalog, practices)
    used_pillar_ids: set[str] = set()
    used_question_ids: set[str] = set()
    for pillar in pillars:
        mine = [p for p in practices if p.pillar == pillar.id]
        if not mine:
            continue
        wa_id = (
            pillar.wa_tool_id if pillar.wa_tool_id and WA_ID.fullmatch(pillar.wa_tool_id) else None
        )
        wa_id = unique(wa_id or wa_safe(pillar.id), used_pillar_ids, 128)
        layout = []
        for phase in phases:
            group = [p for p in mine if p.phase == phase.id]
            layout.extend(_question_layouts(pillar, wa_id, phase, group, used_question_ids))
        if len(layout) > MAX_QUESTIONS:
            raise WaLensError(
                f"pillar {pillar.id!r} needs {len(layout)} questions; the Tool allows "
                f"{MAX_QUESTIONS} per pillar. Export fewer lenses (lens_ids=...)"
            )
        yield pillar, layout


def _split(items: list, size: int) -> list[list]:
    """``items`` in consecutive, evenly sized parts of at most ``size``."""
    if not items:
        return []
    parts = math.ceil(len(items) / size)
    base, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + base + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def _question_layouts(
    pillar: Pillar, wa_pillar: str, phase: Phase, group: list[Practice], used_question_ids: set[str]
) -> list[QuestionLayout]:
    chunks = _split(group, MAX_CHOICES - 1)
    prefix = pillar.prefix or pillar.id.upper()
    out = []
    for part, chunk in enumerate(chunks, 1):
        # the _no choice appends 3 characters to the question id
        qid = unique(wa_safe(f"{prefix}_{phase.id}_{part}", 125), used_question_ids, 125)
        used_choice_ids: set[str] = set()
        choices = []
        for practice in chunk:
            cid = wa_safe(practice.id)
            if cid.lower().endswith("_no"):
                cid += "_bp"  # an id ending in _no would read as "None of these"
            choices.append((unique(cid, used_choice_ids, 128), practice))
        no_id = unique(f"{qid}_no", used_choice_ids, 128)
        out.append(QuestionLayout(pillar, wa_pillar, phase, qid, part, len(chunks), choices, no_id))
    return out


def _question(layout: QuestionLayout, docs: str | None) -> dict:
    pillar, phase = layout.pillar, layout.phase
    suffix = f" ({layout.part} of {layout.parts})" if layout.parts > 1 else ""
    title = (
        title_line(
            f"{phase.name}: which {pillar.name.lower()} practices are in place?",
            MAX_TITLE - len(suffix),
        )
        + suffix
    )
    described = f"{pillar.name} practices for the {phase.name.lower()} phase of the ML lifecycle."
    if phase.summary:
        described += f" {one_line(phase.summary)}"
    question: dict[str, Any] = {
        "id": layout.qid,
        "title": title,
        "description": clip(described, MAX_TEXT),
    }
    helpful = one_line(pillar.summary or phase.summary or "")
    if helpful:
        question["helpfulResource"] = {"displayText": clip(helpful, MAX_TEXT)}
        if docs:
            question["helpfulResource"]["url"] = docs
    question["choices"] = [_choice(cid, practice) for cid, practice in layout.choices]
    question["choices"].append(
        {
            "id": layout.no_choice,
            "title": "None of these",
            "helpfulResource": {
                "displayText": "Choose this when none of the practices above is in place yet."
            },
        }
    )
    question["riskRules"] = _risk_rules(layout)
    return question


def _risk_rules(layout: QuestionLayout) -> list[dict[str, str]]:
    ids = [cid for cid, _ in layout.choices]
    high = [cid for cid, practice in layout.choices if practice.risk == "high"]
    rules = [{"condition": " && ".join(ids), "risk": "NO_RISK"}]
    if high and len(high) < len(ids):
        rules.append({"condition": " && ".join(high), "risk": "MEDIUM_RISK"})
    rules.append({"condition": "default", "risk": "HIGH_RISK" if high else "MEDIUM_RISK"})
    return rules


def _choice(cid: str, practice: Practice) -> dict:
    url = http_url(practice.docs)
    summary = one_line(practice.summary or "") or one_line(practice.title)
    helpful: dict[str, str] = {"displayText": clip(summary, MAX_TEXT)}
    guidance = (practice.guidance or "").strip() or summary
    plan: dict[str, str] = {"displayText": clip(guidance, MAX_TEXT)}
    if url:
        helpful["url"] = url
        plan["url"] = url
    return {
        "id": cid,
        "title": title_line(practice.title),
        "helpfulResource": helpful,
        "improvementPlan": plan,
    }
