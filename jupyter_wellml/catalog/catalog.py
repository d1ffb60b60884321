"""The loaded catalog: ordered phases, pillars and practices, and practice-id resolution.

Any id a user types resolves: the current id (``MLOPS01-BP02``), an earlier edition's id
(``MLOE-02``), with an optional edition qualifier (``MLREL-01@2021``), in any case, with ``_``
for ``-`` and without zero padding (``mloe-2``). Earlier editions reused numbers, so a bare old id
can name two practices; then every candidate is returned by :meth:`Catalog.lookup` and
:meth:`Catalog.practice` refuses to guess.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import LensIssue, UnknownPracticeError
from ..values import Frozen
from .model import Alias, LensInfo, Phase, Pillar, Practice, Principle, Rule, Source

_QUALIFIED = re.compile(
    r"^(?:(?P<pre>[A-Za-z0-9_-]+):)?(?P<id>[A-Za-z0-9_-]+?)(?:@(?P<post>[A-Za-z0-9_-]+))?$"
)
_NUMBERED = re.compile(r"^(?P<head>[A-Z]+)(?P<num>\d+)$")


def normalize_id(text: str) -> str:
    """Upper-case, ``_`` → ``-``, and zero-pad the numeric parts (``mloe-2`` → ``MLOE-02``)."""
    raw = text.strip().upper().replace("_", "-")
    parts = []
    for part in raw.split("-"):
        m = _NUMBERED.match(part)
        if m and len(m.group("num")) < 2:
            part = f"{m.group('head')}{int(m.group('num')):02d}"
        elif part.isdigit() and len(part) < 2:
            part = f"{int(part):02d}"
        parts.append(part)
    return "-".join(parts)


class IdMatch(Frozen):
    """A practice that an id names, and how: ``current`` or the edition of the alias."""

    __slots__ = ("how", "practice")

    def __init__(self, practice: Practice, how: str) -> None:
        self._set(
            practice=practice,
            how=how,
        )


class Catalog:
    """All loaded lenses merged: the one catalog every surface reviews against."""

    def __init__(
        self,
        *,
        lenses: tuple[LensInfo, ...],
        phases: tuple[Phase, ...],
        pillars: tuple[Pillar, ...],
        principles: tuple[Principle, ...],
        practices: tuple[Practice, ...],
        issues: tuple[LensIssue, ...] = (),
        fingerprint: str = "",
    ):
        self.lenses = lenses
        self.phases = phases
        self.pillars = pillars
        self.principles = principles
        self.issues = issues
        self.fingerprint = fingerprint
        phase_rank = {p.id: i for i, p in enumerate(phases)}
        pillar_rank = {p.id: i for i, p in enumerate(pillars)}
        self.practices = tuple(
            sorted(
                practices,
                key=lambda p: (pillar_rank.get(p.pillar, 99), phase_rank.get(p.phase, 99), p.id),
            )
        )
        self._by_id = {p.id: p for p in self.practices}
        self._aliases: dict[str, list[IdMatch]] = {}
        for p in self.practices:
            for alias in p.aliases:
                self._aliases.setdefault(alias.id, []).append(IdMatch(p, alias.edition))
        self._phase_words: dict[str, str] = {}
        for ph in phases:
            for word in (ph.id, ph.name, *ph.words):
                self._phase_words[_word_key(word)] = ph.id

    # ----------------------------------------------------------------- lookups
    def __len__(self) -> int:
        return len(self.practices)

    def __iter__(self):
        return iter(self.practices)

    def lookup(self, text: str) -> list[IdMatch]:
        """Every practice ``text`` names (empty when none, two or more when ambiguous)."""
        m = _QUALIFIED.match(text.strip())
        if not m:
            return []
        edition = (m.group("pre") or m.group("post") or "").lower() or None
        key = normalize_id(m.group("id"))
        if edition is None and key in self._by_id:
            return [IdMatch(self._by_id[key], "current")]
        matches: list[IdMatch] = []
        for x in self._aliases.get(key, []):
            if edition in (None, x.how.lower()) and all(
                m.practice.id != x.practice.id for m in matches
            ):
                matches.append(x)
        if edition is not None and not matches and key in self._by_id:
            return [IdMatch(self._by_id[key], "current")]
        return matches

    def resolve(self, text: str) -> tuple[Practice, str | None]:
        """The practice ``text`` names, and a note when an old id had to be disambiguated.

        A bare old id that two editions used for different practices is read as the newest
        edition's (``MLSEC-05`` is the 2023 "Protect sensitive data privacy"); the note says so
        and how to name the other one (``MLSEC-05@2021``). Raises :class:`UnknownPracticeError`
        when no practice has the id.
        """
        matches = self.lookup(text)
        if not matches:
            raise UnknownPracticeError(
                f"no practice has the id {text.strip()!r}; "
                f"see `jupyter wellml lens list` for the ids (any edition's id works, e.g. "
                f"{self.practices[0].id if self.practices else 'MLOPS01-BP01'})"
            )
        if len(matches) == 1:
            return matches[0].practice, None
        ranked = sorted(matches, key=lambda m: _edition_rank(m.how), reverse=True)
        chosen, others = ranked[0], ranked[1:]
        base = normalize_id(text.split("@")[0].split(":")[-1])
        other = "; ".join(f"{base}@{m.how} is {m.practice.id} ({m.practice.title})" for m in others)
        note = (
            f"{text.strip()} is read as its {chosen.how} id: {chosen.practice.id} ({chosen.practice.title}). "
            f"{other[0].upper() + other[1:]}."
        )
        return chosen.practice, note

    def practice(self, text: str) -> Practice:
        """The one practice ``text`` names (see :meth:`resolve`); :class:`UnknownPracticeError` otherwise."""
        return self.resolve(text)[0]

    def get(self, practice_id: str) -> Practice | None:
        """The practice with this exact canonical id."""
        return self._by_id.get(practice_id)

    def phase(self, word: str) -> Phase | None:
        """The phase a user word names (``training`` → model development), or None."""
        pid = self._phase_words.get(_word_key(word))
        return next((p for p in self.phases if p.id == pid), None)

    def phase_choices(self) -> list[str]:
        return [p.id for p in self.phases]

    def pillar(self, pillar_id: str) -> Pillar | None:
        return next((p for p in self.pillars if p.id == pillar_id), None)

    def select(self, *, phase: str | None = None, pillar: str | None = None) -> list[Practice]:
        """Practices that apply to ``phase`` (their lens phase or any phase they list) and sit in ``pillar``."""
        return [
            p
            for p in self.practices
            if (phase is None or p.applies_to(phase)) and (pillar is None or p.pillar == pillar)
        ]

    # ----------------------------------------------------------------- JSON
    def to_json(self, *, rules: bool = True) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "lenses": [lens.to_json() for lens in self.lenses],
            "phases": [p.to_json() for p in self.phases],
            "pillars": [p.to_json() for p in self.pillars],
            "design_principles": [p.to_json() for p in self.principles],
            "practices": [p.to_json(rules=rules) for p in self.practices],
            "issues": [i.to_json() for i in self.issues],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        """Rebuild a catalog from :meth:`to_json` output (the on-disk cache)."""

        def source(text):
            if not text:
                return None
            path, _, line = text.rpartition(":")
            return Source(path, int(line)) if line.isdigit() and path else Source(text)

        practices = []
        for p in data["practices"]:
            rules = tuple(
                Rule(
                    id=r["id"],
                    effect=r["effect"],
                    message=r["message"],
                    matcher={k: v for k, v in r.items() if k not in ("id", "effect", "message")},
                )
                for r in p.get("rules", ())
            )
            practices.append(
                Practice(
                    id=p["id"],
                    title=p["title"],
                    pillar=p["pillar"],
                    phase=p["phase"],
                    risk=p["risk"],
                    summary=p["summary"],
                    guidance=p["guidance"],
                    evidence=p["evidence"],
                    lens=p["lens"],
                    aliases=tuple(Alias(a["id"], a["edition"]) for a in p["aliases"]),
                    question=p.get("question"),
                    docs=p.get("docs"),
                    phases=tuple(p["phases"]),
                    magic=p.get("magic"),
                    rules=rules,
                    source=source(p.get("source")),
                    overridden_by=tuple(p.get("overridden_by", ())),
                )
            )
        return cls(
            lenses=tuple(LensInfo(**x) for x in data["lenses"]),
            phases=tuple(
                Phase(x["id"], x["name"], x["summary"], tuple(x.get("words", ())))
                for x in data["phases"]
            ),
            pillars=tuple(Pillar(**x) for x in data["pillars"]),
            principles=tuple(Principle(**x) for x in data["design_principles"]),
            practices=tuple(practices),
            issues=tuple(
                LensIssue(i["path"], i["line"], i["pointer"], i["message"], i["severity"])
                for i in data["issues"]
            ),
            fingerprint=data.get("fingerprint", ""),
        )


def _edition_rank(edition: str) -> tuple[int, str]:
    return (int(edition), edition) if edition.isdigit() else (0, edition)


def _word_key(word: str) -> str:
    return re.sub(r"[\s_-]+", " ", word.strip().lower())
