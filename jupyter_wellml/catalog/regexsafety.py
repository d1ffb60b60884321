"""A static check of a lens's regular expressions for catastrophic backtracking.

Python's ``re`` (and any backtracking engine) can take time exponential in the length of a line
for patterns such as ``(a+)+$``: a repetition whose every iteration can be split in more than
one way. :func:`backtracking_problem` looks at the parsed pattern (the standard library's own
parser) for the two shapes behind nearly every such pattern:

* a repetition of something that itself repeats, when what else each iteration must match can
  be matched by the inner repetition too: ``(a+)+``, ``(\\w+\\s?)+``, ``(\\w+\\d)+``;
* a repetition of alternatives that can begin with the same character: ``(a|a)*``,
  ``(\\w|\\d)+``.

It is conservative (a pattern it names may in fact be fast on some engines) and the loader
refuses the rule, naming its file and line, so a lens author rewrites it once rather than every
review paying for it. Rule evaluation is bounded anyway (a per-review time budget,
:mod:`jupyter_wellml.inspection.rules`): this check is the first line, not the only one.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

#: A repetition with more iterations than this counts as unbounded.
UNBOUNDED = 16
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_POSSESSIVE = {getattr(_c, "POSSESSIVE_REPEAT", None), getattr(_c, "ATOMIC_GROUP", None)} - {None}
_CATEGORIES = {
    _c.CATEGORY_DIGIT: re.compile(r"\d"),
    _c.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _c.CATEGORY_SPACE: re.compile(r"\s"),
    _c.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    _c.CATEGORY_WORD: re.compile(r"\w"),
    _c.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
#: Characters tried to tell whether two character sets overlap (plus the pattern's literals).
_SAMPLE = frozenset(
    [chr(i) for i in range(9, 127)] + ["\u00a0", "\u00e9", "\u00df", "\u0663", "\u2003", "\u4e00"]
)


def backtracking_problem(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack catastrophically, or None (also for an invalid pattern:
    ``re.compile`` reports that)."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    sample = set(_SAMPLE)
    _literals(parsed, sample)
    try:
        return _walk(parsed, frozenset(sample))
    except RecursionError:
        return "the pattern is nested too deeply to check"


def _literals(seq, sample: set) -> None:
    for op, av in seq:
        if op in (_c.LITERAL, _c.NOT_LITERAL):
            sample.add(chr(av))
        for sub in _subsequences(op, av):
            _literals(sub, sample)


def _subsequences(op, av) -> list:
    """The sub-patterns directly inside one element."""
    if op == _c.SUBPATTERN:
        return [av[-1]]
    if op == _c.BRANCH:
        return list(av[1])
    if op == getattr(_c, "ATOMIC_GROUP", None):
        return [av]
    if op in _REPEATS or op in _POSSESSIVE:
        return [av[-1]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op == _c.GROUPREF_EXISTS:
        return [s for s in av[1:] if s is not None]
    return []


def _walk(seq, sample: frozenset) -> str | None:
    for op, av in seq:
        if op in _REPEATS and (av[1] is _c.MAXREPEAT or av[1] > UNBOUNDED):
            problem = _repeat_problem(av[2], sample)
            if problem:
                return problem
        if op in _POSSESSIVE:
            continue  # an atomic group or possessive repeat never backtracks into itself
        for sub in _subsequences(op, av):
            problem = _walk(sub, sample)
            if problem:
                return problem
    return None


def _repeat_problem(body, sample: frozenset) -> str | None:
    """The problem of an unbounded repetition of ``body``: an element of varying length (a
    repetition, an option, alternatives) whose text the rest of each iteration can match too
    lets one line be split between iterations in exponentially many ways."""
    items = _flatten(body)
    for i, item in enumerate(items):
        if not _varies(item):
            continue
        mine = _chars([item], sample)
        others = [x for j, x in enumerate(items) if j != i and not _can_be_empty([x])]
        if mine and all(_chars([x], sample) & mine for x in others):
            return (
                "a repeated group holds a part of varying length that can match the same text "
                "as the rest of the group, so a line that almost matches takes exponential time "
                "to fail; repeat once (e.g. (a+)+ as a+) or make the parts distinct"
            )
    for op, av in items:
        if op != _c.BRANCH:
            continue
        firsts = [_first(alt, sample) for alt in av[1]]
        for a in range(len(firsts)):
            for b in range(a + 1, len(firsts)):
                if firsts[a] & firsts[b]:
                    return (
                        "a repeated group of alternatives that can start with the same "
                        "character, so a line that almost matches takes exponential time to "
                        "fail; make the alternatives start differently, e.g. (a|ab)* as (ab?)*"
                    )
    return None


def _varies(item) -> bool:
    """Can this element match texts of different lengths (and not only the empty one)?"""
    op, av = item
    if op in _REPEATS:
        return av[0] != av[1] and not _can_be_empty(av[2])
    if op == _c.BRANCH:
        return len(av[1]) > 1
    return op == _c.GROUPREF


def _flatten(seq) -> list:
    """The elements of a sequence, with plain groups opened up."""
    out = []
    for op, av in seq:
        if op == _c.SUBPATTERN:
            out.extend(_flatten(av[-1]))
        else:
            out.append((op, av))
    return out


def _atom_can_be_empty(op, av) -> bool:
    """Can one node of a parsed pattern match the empty string?"""
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT, _c.GROUPREF):
        return True
    if op == _c.SUBPATTERN:
        return _can_be_empty(av[-1])
    if op == _c.BRANCH:
        return any(_can_be_empty(alt) for alt in av[1])
    if op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
        return av[0] == 0 or _can_be_empty(av[2])
    if op == getattr(_c, "ATOMIC_GROUP", None):
        return _can_be_empty(av)
    if op == _c.GROUPREF_EXISTS:
        return all(s is None or _can_be_empty(s) for s in av[1:])
    return False


def _can_be_empty(seq) -> bool:
    return all(_atom_can_be_empty(op, av) for op, av in seq)


def _first(seq, sample: frozenset) -> frozenset:
    """The characters a match of ``seq`` can start with (within ``sample``)."""
    found: set = set()
    for op, av in seq:
        found |= _chars_of_atom(op, av, sample, first=True)
        if not _can_be_empty([(op, av)]):
            break
    return frozenset(found)


def _chars(seq, sample: frozenset) -> frozenset:
    """Every character a match of ``seq`` can contain (within ``sample``)."""
    found: set = set()
    for op, av in seq:
        found |= _chars_of_atom(op, av, sample, first=False)
    return frozenset(found)


def _chars_of_atom(op, av, sample: frozenset, *, first: bool) -> frozenset:
    if op == _c.LITERAL:
        return frozenset({chr(av)})
    if op == _c.NOT_LITERAL:
        return sample - {chr(av)}
    if op == _c.ANY:
        return sample - {"\n"}
    if op == _c.IN:
        return frozenset(ch for ch in sample if _in_set(ch, av))
    if op == _c.GROUPREF:
        return sample
    pick = _first if first else _chars
    if op == _c.BRANCH:
        return frozenset().union(*(pick(alt, sample) for alt in av[1]))
    if op == getattr(_c, "ATOMIC_GROUP", None):
        return pick(av, sample)
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return frozenset()
    subs = _subsequences(op, av)
    return frozenset().union(*(pick(s, sample) for s in subs)) if subs else frozenset()


def _in_set(ch: str, items: list[tuple[Any, Any]]) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op == _c.NEGATE:
            negate = True
        elif op == _c.LITERAL:
            hit = hit or ch == chr(av)
        elif op == _c.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op == _c.CATEGORY:
            rx = _CATEGORIES.get(av)
            hit = hit or (rx.match(ch) is not None if rx is not None else True)
        else:  # an item this check does not know: assume it matches
            hit = True
    return hit != negate
