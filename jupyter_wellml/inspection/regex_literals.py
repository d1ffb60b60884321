"""Literals that every match of a regular expression must contain.

``required_literals(pattern)`` returns a set of strings such that any match of ``pattern``
contains at least one of them (lower-cased when the pattern ignores case), or ``None`` when no
such set can be proven. The secrets prefilter uses it to run expensive detector patterns only on
the few lines that contain one of their literals; for a pattern it cannot analyse it returns
``None`` and the pattern runs on every line, so results never change, only the cost.
"""

from __future__ import annotations

import re

try:  # Python >= 3.11
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

MIN_LITERAL = 2


def required_literals(pattern: re.Pattern) -> set[str] | None:
    try:
        tree = P.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    found = _seq(list(tree), ignore_case)
    if not found or any(len(x) < MIN_LITERAL for x in found):
        return None
    return found


def _seq(items, icase: bool) -> set[str] | None:
    """Best required set of a sequence: the longest run of literal chars, or a required sub-item."""
    best: set[str] | None = None
    run = ""

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        long_enough = candidate and all(len(c) >= MIN_LITERAL for c in candidate)
        if long_enough and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, av in items:
        if op is C.LITERAL:
            run += chr(av).lower() if icase else chr(av)
            continue
        consider({run} if run else None)
        run = ""
        if op is C.SUBPATTERN:
            sub_flags = av[1] | 0
            consider(_seq(list(av[-1]), icase or bool(sub_flags & re.IGNORECASE)))
        elif op is C.BRANCH:
            consider(_branch(av[1], icase))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            if lo >= 1:
                consider(_seq(list(sub), icase))
        elif hasattr(C, "ATOMIC_GROUP") and op is C.ATOMIC_GROUP:
            consider(_seq(list(av), icase))
        # assertions, classes, anchors, groups references: nothing required from them
    consider({run} if run else None)
    return best


def _branch(branches, icase: bool) -> set[str] | None:
    out: set[str] = set()
    for b in branches:
        sub = _seq(list(b), icase)
        if not sub:
            return None  # one branch can match without any literal
        out |= sub
    return out
