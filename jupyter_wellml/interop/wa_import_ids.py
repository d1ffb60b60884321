"""What the WA Tool import needs besides the conversion: the file read, ids made, the built-in lens.

*Practice ids* are ``<LENS PREFIX>-<QUESTION>-<CHOICE>``: the lens prefix is the first
distinctive word of the lens id (``amazon-ecs-lens`` → ``ECS``) unless given; the choice part
drops the question id when the choice id repeats it (question ``NET3``, choice ``NET3_1`` →
``ECS-NET03-01``). Ids are upper case, ``-``-separated and zero-padded exactly as
:func:`~jupyter_wellml.catalog.normalize_id` writes them (so any spelling a user types finds
them), at most 40 characters (the question part is shortened first, on word boundaries), and
made unique with a counter (``-02``, ``-03`` …) against each other and against every id, old
or current, of the built-in lens.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..catalog import load_catalog, normalize_id
from ..values import Frozen
from .wa_format import WaLensError

PRACTICE_ID_MAX = 40
QUESTION_PART_MAX = 14  # characters of the question part in an imported practice id
LENS_ID = re.compile(r"[a-z][a-z0-9_-]{1,63}")
PREFIX = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_PREFIX_STOP_WORDS = frozenset(
    {
        "a", "an", "and", "architected", "aws", "amazon", "best", "custom", "for", "lens",
        "lenses", "of", "on", "practice", "practices", "published", "sample", "the", "tool",
        "v", "wa", "well", "whitepaper", "with",
    }
)  # fmt: skip


class Builtin(Frozen):
    """The ids of the built-in lens an import must map onto or stay clear of.

    Attributes
    ----------
    lens_ids : frozenset of str
        Lens ids the new lens may not take.
    phases : tuple of str
        The lifecycle phases, in order.
    pillars : frozenset of str
        Pillar ids a new pillar may not take.
    framework : dict
        The Tool's Framework pillar id → our pillar id (from the pillars' ``wa_tool_id``).
    practice_ids : frozenset of str
        Every practice id, current or old, normalised.
    """

    __slots__ = ("framework", "lens_ids", "phases", "pillars", "practice_ids")

    def __init__(
        self,
        lens_ids: frozenset[str],
        phases: tuple[str, ...],
        pillars: frozenset[str],
        framework: dict[str, str],
        practice_ids: frozenset[str],
    ) -> None:
        self._set(
            lens_ids=lens_ids,
            phases=phases,
            pillars=pillars,
            framework=framework,
            practice_ids=practice_ids,
        )


def builtin() -> Builtin:
    """The ids of the built-in lens, from the loaded lens (the one source of its phases and pillars)."""
    catalog = load_catalog(data_dirs=False)
    practice_ids = {normalize_id(p.id) for p in catalog.practices}
    practice_ids |= {normalize_id(a.id) for p in catalog.practices for a in p.aliases}
    return Builtin(
        lens_ids=frozenset(lens.id for lens in catalog.lenses),
        phases=tuple(ph.id for ph in catalog.phases),
        pillars=frozenset(pl.id for pl in catalog.pillars),
        framework={pl.wa_tool_id: pl.id for pl in catalog.pillars if pl.wa_tool_id},
        practice_ids=frozenset(practice_ids),
    )


def read_lens_file(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WaLensError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WaLensError(
            f"{path}: not a Well-Architected custom lens: not UTF-8 text "
            f"({exc.reason} at byte {exc.start})"
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WaLensError(
            f"{path}: not a Well-Architected custom lens: not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    expected = "an object with schemaVersion, name, description and pillars"
    if not isinstance(doc, dict):
        raise WaLensError(
            f"{path}: not a Well-Architected custom lens: the JSON is {_json_kind(doc)}, "
            f"expected {expected}"
        )
    pillars = doc.get("pillars")
    if not isinstance(pillars, list):
        raise WaLensError(
            f"{path}: not a Well-Architected custom lens: "
            + ("it has no 'pillars' array" if pillars is None else "'pillars' is not an array")
            + f"; expected {expected}"
        )
    has_choice = any(
        isinstance(q, dict) and isinstance(q.get("choices"), list) and q["choices"]
        for p in pillars
        if isinstance(p, dict) and isinstance(p.get("questions"), list)
        for q in p["questions"]
    )
    if not has_choice:
        raise WaLensError(
            f"{path}: not a Well-Architected custom lens: no pillar holds a question with "
            "choices, so there is nothing to import"
        )
    return doc


def _json_kind(value: Any) -> str:
    return {
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }.get(type(value), "null" if value is None else type(value).__name__)


def lens_id_from(stem: str, builtin: Builtin) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", stem.lower()) if w]
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        words = words[:half]  # "Amazon-ECS-Lens_Amazon_ECS_Lens" (folder_file) → amazon-ecs-lens
    slug = "-".join(words)
    if not slug or not slug[0].isalpha():
        slug = f"wa-{slug}".rstrip("-")
    slug = slug[:64].rstrip("-_")
    if len(slug) < 2:
        slug = "wa-lens"
    if slug in builtin.lens_ids:
        slug = f"{slug[:61]}-wa"
    return slug


def lens_prefix(lens_id: str) -> str:
    for word in re.split(r"[^a-z0-9]+", lens_id):
        word = word.lstrip("0123456789")
        if len(word) < 2 or word in _PREFIX_STOP_WORDS or re.fullmatch(r"v\d*", word):
            continue
        return word.upper()[:12]
    return "WA"


def slug_of(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)  # camelCase → camel_case
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"p_{slug}".rstrip("_")
    if len(slug) < 2:
        slug += "_p"
    return slug[:64].rstrip("_")


def pillar_prefix(text: str) -> str:
    prefix = re.sub(r"[^A-Z0-9]", "", text.upper()).lstrip("0123456789")
    if len(prefix) < 2:
        prefix = ("P" + prefix + "X")[:2] if prefix else "PX"
    return prefix[:16]


def question_field(qid: str) -> str:
    out = re.sub(r"[^A-Z0-9_-]+", "_", qid.upper()).strip("_-")
    if not out or not out[0].isalpha():
        out = f"Q{out}"
    return out.ljust(3, "_")[:PRACTICE_ID_MAX]


def _id_parts(text: str) -> list[str]:
    raw = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return [p for p in normalize_id(raw).split("-") if p] if raw else []


def _fit_part(part: str, budget: int) -> str:
    while budget > 0:
        candidate = normalize_id(part[:budget])
        if len(candidate) <= budget and normalize_id(candidate) == candidate:
            return candidate
        budget -= 1
    return ""


def _fit_parts(parts: list[str], budget: int) -> list[str]:
    """Leading parts of ``parts`` whose ``-``-join fits ``budget`` (the first may be cut)."""
    out: list[str] = []
    for part in parts:
        room = budget - len("-".join(out)) - (1 if out else 0)
        if len(part) <= room:
            out.append(part)
            continue
        if not out:
            cut = _fit_part(part, room)
            if cut:
                out.append(cut)
        break
    return out


def practice_id(prefix: str, qid: str, cid: str, used: set[str]) -> str:
    q_parts = _id_parts(qid)
    rest = cid[len(qid) :] if cid.upper().startswith(qid.upper()) and len(cid) > len(qid) else cid
    c_parts = _id_parts(rest) or _id_parts(cid) or ["C"]
    parts = [prefix, *q_parts, *c_parts]
    if len("-".join(parts)) > PRACTICE_ID_MAX:
        q_fit = _fit_parts(q_parts, QUESTION_PART_MAX)
        room = PRACTICE_ID_MAX - len(prefix) - 1 - (len("-".join(q_fit)) + 1 if q_fit else 0)
        parts = [prefix, *q_fit, *(_fit_parts(c_parts, room) or ["C"])]
    base = "-".join(parts)
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n:02d}"
        candidate = "-".join(_fit_parts(base.split("-"), PRACTICE_ID_MAX - len(suffix))) + suffix
        n += 1
    used.add(candidate)
    return candidate
