"""The catalog's immutable model: lenses, phases, pillars, principles, practices and their rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EFFECTS = ("met", "gap", "expect")
RISKS = ("high", "medium")
EVIDENCE = ("detect", "record", "attest")


@dataclass(frozen=True)
class Source:
    """Where a catalog item was defined (for messages and for ``lens show``)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    summary: str
    words: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "words": list(self.words),
        }


@dataclass(frozen=True)
class Pillar:
    id: str
    name: str
    prefix: str | None = None
    wa_tool_id: str | None = None
    summary: str | None = None
    lens: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "wa_tool_id": self.wa_tool_id,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    summary: str

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "summary": self.summary}


@dataclass(frozen=True)
class Alias:
    id: str
    edition: str

    def to_json(self) -> dict:
        return {"id": self.id, "edition": self.edition}


@dataclass(frozen=True)
class Rule:
    """One declarative detection rule of a practice.

    ``matcher`` is the rule's matcher as written in the lens (``kind`` plus its
    parameters); the review engine evaluates it against the notebook's facts.
    """

    id: str  # "<PRACTICE-ID>/<rule-id>"
    effect: str
    message: str
    matcher: dict[str, Any]
    source: Source | None = None

    @property
    def kind(self) -> str:
        return self.matcher["kind"]

    def to_json(self) -> dict:
        return {"id": self.id, "effect": self.effect, "message": self.message, **self.matcher}


@dataclass(frozen=True)
class Practice:
    id: str
    title: str
    pillar: str
    phase: str
    risk: str
    summary: str
    guidance: str
    evidence: str
    lens: str
    aliases: tuple[Alias, ...] = ()
    question: str | None = None
    docs: str | None = None
    phases: tuple[str, ...] = ()
    magic: str | None = None
    rules: tuple[Rule, ...] = ()
    source: Source | None = None
    overridden_by: tuple[str, ...] = field(default=(), compare=False)

    @property
    def all_ids(self) -> tuple[str, ...]:
        return (self.id, *(a.id for a in self.aliases))

    def applies_to(self, phase: str) -> bool:
        return phase in self.phases

    def to_json(self, *, rules: bool = True) -> dict:
        out = {
            "id": self.id,
            "aliases": [a.to_json() for a in self.aliases],
            "title": self.title,
            "pillar": self.pillar,
            "phase": self.phase,
            "phases": list(self.phases),
            "question": self.question,
            "risk": self.risk,
            "summary": self.summary,
            "guidance": self.guidance,
            "evidence": self.evidence,
            "docs": self.docs,
            "magic": self.magic,
            "lens": self.lens,
            "source": str(self.source) if self.source else None,
        }
        if self.overridden_by:
            out["overridden_by"] = list(self.overridden_by)
        if rules:
            out["rules"] = [r.to_json() for r in self.rules]
        return out


@dataclass(frozen=True)
class LensInfo:
    id: str
    title: str
    path: str
    edition: str | None = None
    description: str | None = None
    docs: str | None = None
    builtin: bool = False

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "edition": self.edition,
            "description": self.description,
            "docs": self.docs,
            "builtin": self.builtin,
        }
