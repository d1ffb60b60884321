"""The catalog's immutable model: lenses, phases, pillars, principles, practices and their rules."""

from __future__ import annotations

from typing import Any

from ..values import Frozen

EFFECTS = ("met", "gap", "expect")
RISKS = ("high", "medium")
EVIDENCE = ("detect", "record", "attest")


class Source(Frozen):
    """Where a catalog item was defined (for messages and for ``lens show``)."""

    __slots__ = ("line", "path")

    def __init__(self, path: str, line: int | None = None) -> None:
        self._set(
            path=path,
            line=line,
        )

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Phase(Frozen):
    __slots__ = ("id", "name", "summary", "words")

    def __init__(self, id: str, name: str, summary: str, words: tuple[str, ...] = ()) -> None:
        self._set(
            id=id,
            name=name,
            summary=summary,
            words=words,
        )

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "words": list(self.words),
        }


class Pillar(Frozen):
    __slots__ = ("id", "lens", "name", "prefix", "summary", "wa_tool_id")

    def __init__(
        self,
        id: str,
        name: str,
        prefix: str | None = None,
        wa_tool_id: str | None = None,
        summary: str | None = None,
        lens: str = "",
    ) -> None:
        self._set(
            id=id,
            name=name,
            prefix=prefix,
            wa_tool_id=wa_tool_id,
            summary=summary,
            lens=lens,
        )

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "wa_tool_id": self.wa_tool_id,
            "summary": self.summary,
        }


class Principle(Frozen):
    __slots__ = ("id", "name", "summary")

    def __init__(self, id: str, name: str, summary: str) -> None:
        self._set(
            id=id,
            name=name,
            summary=summary,
        )

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "summary": self.summary}


class Alias(Frozen):
    __slots__ = ("edition", "id")

    def __init__(self, id: str, edition: str) -> None:
        self._set(
            id=id,
            edition=edition,
        )

    def to_json(self) -> dict:
        return {"id": self.id, "edition": self.edition}


class Rule(Frozen):
    """One declarative detection rule of a practice.

    ``matcher`` is the rule's matcher as written in the lens (``kind`` plus its
    parameters); the review engine evaluates it against the notebook's facts.
    """

    __slots__ = ("effect", "id", "matcher", "message", "source")

    def __init__(
        self,
        id: str,
        effect: str,
        message: str,
        matcher: dict[str, Any],
        source: Source | None = None,
    ) -> None:
        self._set(
            id=id,
            effect=effect,
            message=message,
            matcher=matcher,
            source=source,
        )

    @property
    def kind(self) -> str:
        return self.matcher["kind"]

    def to_json(self) -> dict:
        return {"id": self.id, "effect": self.effect, "message": self.message, **self.matcher}


class Practice(Frozen):
    __slots__ = (
        "aliases",
        "docs",
        "evidence",
        "guidance",
        "id",
        "lens",
        "magic",
        "overridden_by",
        "phase",
        "phases",
        "pillar",
        "question",
        "risk",
        "rules",
        "source",
        "summary",
        "title",
    )
    # which override changed a practice is not part of what the practice is
    _compare = tuple(name for name in __slots__ if name != "overridden_by")

    def __init__(
        self,
        id: str,
        title: str,
        pillar: str,
        phase: str,
        risk: str,
        summary: str,
        guidance: str,
        evidence: str,
        lens: str,
        aliases: tuple[Alias, ...] = (),
        question: str | None = None,
        docs: str | None = None,
        phases: tuple[str, ...] = (),
        magic: str | None = None,
        rules: tuple[Rule, ...] = (),
        source: Source | None = None,
        overridden_by: tuple[str, ...] = (),
    ) -> None:
        self._set(
            id=id,
            title=title,
            pillar=pillar,
            phase=phase,
            risk=risk,
            summary=summary,
            guidance=guidance,
            evidence=evidence,
            lens=lens,
            aliases=aliases,
            question=question,
            docs=docs,
            phases=phases,
            magic=magic,
            rules=rules,
            source=source,
            overridden_by=overridden_by,
        )

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


class LensInfo(Frozen):
    __slots__ = ("builtin", "description", "docs", "edition", "id", "path", "title")

    def __init__(
        self,
        id: str,
        title: str,
        path: str,
        edition: str | None = None,
        description: str | None = None,
        docs: str | None = None,
        builtin: bool = False,
    ) -> None:
        self._set(
            id=id,
            title=title,
            path=path,
            edition=edition,
            description=description,
            docs=docs,
            builtin=builtin,
        )

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


def walk_matchers(matcher: dict[str, Any], pointer: str = ""):
    """A rule's matcher and every matcher inside it (``all``/``any`` rules, a ``not`` rule), as
    ``(JSON pointer, matcher)`` pairs, outermost first."""
    yield pointer, matcher
    if matcher.get("kind") in ("all", "any"):
        for i, sub in enumerate(matcher["rules"]):
            yield from walk_matchers(sub, f"{pointer}/rules/{i}")
    elif matcher.get("kind") == "not":
        yield from walk_matchers(matcher["rule"], f"{pointer}/rule")
