"""The facts of one notebook (:class:`Facts`) and the values they hold: JSON data only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..catalog.vocabulary import REVIEW_KEYS, TRAINING_KINDS
from ..values import Value

#: Fact kinds and the key each has in the review's ``facts`` object (the vocabulary's).
FACT_KEYS = REVIEW_KEYS


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


#: containers in a fact are cut to this many items (a fact is evidence, not a copy of the data)
PLAIN_ITEMS = 64


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data: what is not a literal (:data:`~.pyscan.NOT_LITERAL`, bytes,
    ``...``, objects) becomes ``None``; tuples become lists; dict keys become text; containers
    are cut to :data:`PLAIN_ITEMS` items and nest at most four deep."""
    t = type(value)
    if t in _PLAIN_TYPES:
        return value
    if t is float:
        return value if value - value == 0 else None  # inf and nan have no JSON form
    if depth >= 4:
        return None
    if t is list or t is tuple:
        return [plain(v, depth + 1) for v in value[:PLAIN_ITEMS]]
    if t is dict:
        out = {}
        for k, v in value.items():
            if len(out) >= PLAIN_ITEMS:
                break
            if type(k) in _PLAIN_TYPES or type(k) is float:
                out[str(k)] = plain(v, depth + 1)
        return out
    return None


def plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A fact's fields as JSON data (see :func:`plain`); the common all-plain case is returned as is."""
    for v in fields.values():
        if type(v) not in _PLAIN_TYPES:
            return {k: plain(v) for k, v in fields.items()}
    return fields


class Facts(Value):
    """The facts of one notebook."""

    __slots__ = (
        "_memo",
        "calls",
        "cell_lines",
        "errors",
        "inspected",
        "items",
        "phase_lines",
        "reason",
    )

    def __init__(
        self,
        items: dict[str, list[dict[str, Any]]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        inspected: bool = True,
        reason: str | None = None,
        phase_lines: list[tuple[int, int, str]] | None = None,
        calls: list | None = None,
        cell_lines: dict[int, list[str]] | None = None,
    ) -> None:
        self.items = {} if items is None else items
        self.errors = [] if errors is None else errors
        self.inspected = inspected
        self.reason = reason
        self.phase_lines = (
            [] if phase_lines is None else phase_lines
        )  # (cell, line, word, ran) of %wellml phase
        self.calls = [] if calls is None else calls  # every call (pyscan.Call), for `call` rules
        self.cell_lines = {} if cell_lines is None else cell_lines  # source lines of every cell
        self._memo: dict[str, Any] = {}

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.items.get(kind, [])

    def memo(self) -> dict[str, Any]:
        """Values computed once from these facts (by the rules, say), by name."""
        return self._memo

    def call_index(self) -> CallIndex:
        """Distinct call names indexed for glob lookups (computed once).

        The index depends only on the set of names, which an edit rarely changes: the indexes of
        the last few name sets are kept, with the glob matches they remember.
        """
        index = self._memo.get("call_index")
        if index is None:
            names = self.calls_by_name()
            key = frozenset(names)
            index = _CALL_INDEXES.pop(key, None)
            if index is None:
                index = CallIndex(names)
            _CALL_INDEXES[key] = index  # most recently used last
            while len(_CALL_INDEXES) > _CALL_INDEXES_MAX:
                drop_oldest(_CALL_INDEXES)
            self._memo["call_index"] = index
        return index

    def calls_by_name(self) -> dict[str, list]:
        """Calls grouped by qualified name (computed once)."""
        grouped = self._memo.get("calls_by_name")
        if grouped is None:
            grouped = {}
            for call in self.calls:
                grouped.setdefault(call.name, []).append(call)
            self._memo["calls_by_name"] = grouped
        return grouped

    def add(self, fact: str, cell: int | None, line: int | None, /, **fields: Any) -> None:
        self.items.setdefault(fact, []).append({"cell": cell, "line": line, **plain_fields(fields)})

    @property
    def trains_model(self) -> bool:
        """Training calls, and tuning or AutoML jobs (they train models too)."""
        return any(self.items.get(k) for k in TRAINING_KINDS)

    def snippet(self, cell: int | None, line: int | None) -> str | None:
        if cell is None or line is None:
            return None
        lines = self.cell_lines.get(cell)
        if not lines or not (1 <= line <= len(lines)):
            return None
        text = lines[line - 1].strip()
        return text[:160] + ("…" if len(text) > 160 else "")


def drop_oldest(cache: dict) -> None:
    """Remove a cache's oldest entry (tolerating another thread doing the same)."""
    try:
        cache.pop(next(iter(cache)), None)
    except (StopIteration, RuntimeError):
        pass


_CALL_INDEXES: dict[frozenset, CallIndex] = {}


_CALL_INDEXES_MAX = 8


#: glob kinds whose only wildcard is ``*`` (see :class:`.signatures.Glob`)
_STAR_KINDS = frozenset({"suffix", "prefix", "name_prefix", "parts"})


class CallIndex:
    """Distinct call names by last and first segment, so a glob only tests names that can match."""

    def __init__(self, names):
        self.names = list(names)
        self.by_last: dict[str, list[str]] = {}
        self.by_first: dict[str, list[str]] = {}
        for n in self.names:
            self.by_last.setdefault(n.rsplit(".", 1)[-1], []).append(n)
            self.by_first.setdefault(n.split(".", 1)[0], []).append(n)

    def matching(self, glob) -> tuple[str, ...]:
        """The call names a glob matches (remembered: many rules share globs)."""
        if glob.kind == "exact":  # most lens globs name one call: a set lookup
            names = self.__dict__.get("_names")
            if names is None:
                names = self.__dict__["_names"] = frozenset(self.names)
            return (glob.text,) if glob.text in names else ()
        memo = self.__dict__.setdefault("_memo", {})
        found = memo.get(glob.pattern)
        if found is None:
            star = glob.kind in _STAR_KINDS
            text = self.__dict__.get("_text") if star else None
            if star and text is None:
                text = self.__dict__["_text"] = "\n".join(self.names)
            if star and not all(piece in text for piece in glob.pieces):
                # a literal piece of the glob is in no name (one search in C): nothing matches
                found = ()
            else:
                candidates = self.candidates(glob)
                if star and len(candidates) > 64 and not self._multiline():
                    # one scan in C over the names, a line each, instead of a test per name
                    found = tuple(
                        m.group(0) for m in _line_pattern(glob.pattern, glob.kind).finditer(text)
                    )
                else:
                    found = tuple(n for n in candidates if glob.match(n))
            memo[glob.pattern] = found
        return found

    def _multiline(self) -> bool:
        """Whether a name holds a line break (then names are tested one by one)."""
        multi = self.__dict__.get("_multi")
        if multi is None:
            multi = self.__dict__["_multi"] = any("\n" in n for n in self.names)
        return multi

    def candidates(self, glob) -> list[str]:
        pattern = glob.pattern
        last = pattern.rsplit(".", 1)[-1]
        if not any(ch in last for ch in "*?["):
            return self.by_last.get(last, [])
        first = pattern.split(".", 1)[0]
        if "." in pattern and first and not any(ch in first for ch in "*?["):
            return self.by_first.get(first, [])
        return self.names


def iter_facts(facts: Facts) -> Iterable[tuple[str, dict[str, Any]]]:
    for kind, items in facts.items.items():
        for f in items:
            yield kind, f


@lru_cache(maxsize=4096)
def _line_pattern(pattern: str, kind: str) -> re.Pattern:
    """A ``*``-only glob (kinds suffix, prefix, name_prefix, parts) as a regular expression
    matching whole lines: what :meth:`Glob.match` accepts, for names without line breaks."""
    regex = "[^\\n]*".join(re.escape(piece) for piece in pattern.split("*"))
    if kind == "name_prefix":  # the wildcard stays within the last name
        regex = regex.removesuffix("[^\\n]*") + "[^\\n.]*"
    return re.compile(f"^(?:{regex})$", re.M)
