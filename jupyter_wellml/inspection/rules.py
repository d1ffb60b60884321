"""The rule engine: a registry of matchers keyed by rule kind, evaluated against a notebook's facts.

A matcher takes its parameters (as written in the lens) and a :class:`Context`, and returns
``None`` when it does not hold, or the list of :class:`Hit` that make it hold (possibly empty,
for matchers without a location such as ``phase`` or ``not``). Team-lens rules use the same
registry; a kind that is not registered is a lens error caught by the schema.

Rule evaluation is bounded in time: a review gives its rules a :class:`Budget` (seconds for all
of them, :func:`default_budget`), every rule is checked against it before it runs, and every
lens regular expression runs on the ``regex`` engine with the time left as its timeout. A rule
that runs out raises :class:`RuleTimeout` naming it; the review reports it and goes on.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import os
import re
import time
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from ..catalog.model import walk_matchers
from ..records import FoundRecord
from ..values import Frozen, Value
from .facts import Facts


class Hit(Frozen):
    """Where a matcher found something, and the fields to fill a rule's message."""

    __slots__ = ("cell", "fields", "line")

    def __init__(
        self, cell: int | None, line: int | None, fields: Mapping[str, Any] | None = None
    ) -> None:
        self._set(
            cell=cell,
            line=line,
            fields={} if fields is None else fields,
        )


#: Seconds of processor time the rules of one review may take (``WELLML_RULE_BUDGET`` overrides
#: it). A review of the largest corpus notebook evaluates every built-in rule in ~0.1 s.
DEFAULT_BUDGET = 5.0
BUDGET_VARIABLE = "WELLML_RULE_BUDGET"


def default_budget() -> float:
    """``$WELLML_RULE_BUDGET`` when it is a positive number, else :data:`DEFAULT_BUDGET`."""
    try:
        value = float(os.environ.get(BUDGET_VARIABLE, ""))
    except ValueError:
        return DEFAULT_BUDGET
    return value if value > 0 else DEFAULT_BUDGET


class RuleTimeout(Exception):
    """A rule ran out of the review's time budget (the message names the rule)."""


class Budget:
    """The processor time the rules of one review may take, from when it is made.

    Processor time, not time on the clock: how far the rules get then depends on the work they
    do, not on how busy the machine is, so a notebook runs out (or not) the same way every time
    (reviews are cached by content). It is also what the ``regex`` engine's timeouts measure.
    """

    __slots__ = ("deadline", "ran_out", "seconds", "skipped", "wall_deadline")

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = default_budget() if seconds is None else float(seconds)
        self.deadline = time.thread_time() + self.seconds
        # a thread never gets more processor time than time passes on the clock: until the clock
        # reaches this, the budget cannot have run out (and the clock is far cheaper to read)
        self.wall_deadline = time.perf_counter() + self.seconds
        self.ran_out: str | None = None  # the rule that ran out (its id and source)
        self.skipped = 0  # rules not evaluated after that

    def left(self) -> float:
        return self.deadline - time.thread_time()

    def spent(self) -> bool:
        """Whether the processor time has run out (the same answer as ``left() <= 0``)."""
        return time.perf_counter() >= self.wall_deadline and self.left() <= 0


#: The budget of the rule being evaluated (read by :func:`condition`'s regular expressions).
_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "wellml_rule_budget", default=None
)


class Context(Value):
    """What the matchers can look at, and the time they have."""

    __slots__ = ("_present", "budget", "cell_types", "environment", "facts", "phases", "records")

    def __init__(
        self,
        facts: Facts,
        records: list[FoundRecord],
        phases: frozenset[str],
        environment: Mapping[str, list[dict[str, Any]]] | None = None,
        cell_types: Mapping[int, str] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.facts = facts
        self.records = records
        self.phases = phases
        self.environment = {} if environment is None else environment
        self.cell_types = {} if cell_types is None else cell_types
        self.budget = Budget() if budget is None else budget
        self._present: frozenset[tuple[str, str]] | None = None

    def env(self, kind: str) -> list[dict[str, Any]]:
        return list(self.environment.get(kind, ()))

    def present(self) -> frozenset[tuple[str, str]]:
        """What this notebook has at all, as precheck keys (see :func:`may_hold`): ``("fact",
        kind)`` and ``("env", kind)`` for each kind with facts, ``("record", kind)`` for each
        kind of record (computed once)."""
        if self._present is None:
            keys = {("fact", k) for k, items in self.facts.items.items() if items}
            keys.update(("env", k) for k, items in self.environment.items() if items)
            keys.update(("record", r.record.get("kind")) for r in self.records)
            self._present = frozenset(keys)
        return self._present


Matcher = Callable[[Mapping[str, Any], Context], "list[Hit] | None"]
MATCHERS: dict[str, Matcher] = {}
ENVIRONMENT_FACTS = frozenset({"package", "license_flag", "gpu", "install_mismatch"})


def matcher(kind: str):
    """Register a matcher function for rule ``kind``."""

    def register(fn: Matcher) -> Matcher:
        MATCHERS[kind] = fn
        return fn

    return register


def evaluate(m: Mapping[str, Any], ctx: Context) -> list[Hit] | None:
    fn = MATCHERS.get(m["kind"])
    if fn is None:
        raise KeyError(f"no matcher is registered for rule kind {m['kind']!r}")
    return fn(m, ctx)


def evaluate_rule(rule, ctx: Context) -> list[Hit] | None:
    """:func:`evaluate` one lens rule within the review's budget; :class:`RuleTimeout` when
    the budget is spent (by this rule, or before it: then the rule is counted as skipped)."""
    if not may_hold(rule.matcher, ctx):
        return None
    budget = ctx.budget
    if budget.ran_out is not None or budget.spent():
        if budget.ran_out is None:
            budget.ran_out = _rule_name(rule)
        else:
            budget.skipped += 1
        raise RuleTimeout(_out_of_time(budget))
    # a review sets its budget once for all its rules (budget_scope); alone, a rule sets it
    token = _BUDGET.set(budget) if _BUDGET.get() is not budget else None
    try:
        return evaluate(rule.matcher, ctx)
    except RuleTimeout:
        budget.ran_out = _rule_name(rule)
        raise RuleTimeout(_out_of_time(budget)) from None
    finally:
        if token is not None:
            _BUDGET.reset(token)


@contextlib.contextmanager
def budget_scope(budget: Budget):
    """The rules evaluated inside share ``budget`` (their regular expressions' time limit)."""
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _rule_name(rule) -> str:
    source = getattr(rule, "source", None)
    where = f" ({source.path}:{source.line})" if source is not None and source.line else ""
    return f"{rule.id}{where}"


def _out_of_time(budget: Budget) -> str:
    return (
        f"not evaluated: the review's rules ran out of their time budget of {budget.seconds:g} s "
        f"of processor time at rule {budget.ran_out} (${BUDGET_VARIABLE} sets the budget)"
    )


def budget_error(budget: Budget) -> dict[str, Any] | None:
    """The review ``errors`` entry saying which rule ran out of time, or None."""
    if budget.ran_out is None:
        return None
    return {
        "cell": None,
        "line": None,
        "message": f"rule {budget.ran_out} ran out of the review's time budget of "
        f"{budget.seconds:g} s of processor time; it and {budget.skipped} later rule(s) were not "
        f"evaluated, so their practices are unknown (${BUDGET_VARIABLE} sets the budget)",
    }


# --------------------------------------------------------------------------- prechecks
# Most rules look for what a notebook does not have at all (a kind of fact, a call, a record).
# Each matcher has a precheck, derived once from its parameters: clauses that must all hold
# for the matcher to hold, each satisfied by one of its keys being present in the notebook
# (:meth:`Context.present`) or by one of its call globs naming a call. A rule whose precheck
# fails is not evaluated: its answer (None) is known. Matchers that can hold on nothing (``not``,
# ``min: 0``, ``text``, ``phase``) have no clauses and are always evaluated.
Clause = tuple[frozenset[tuple[str, str]], tuple[tuple[str, ...], ...]]

#: id of a lens matcher (or of a practice's rules) -> (it, its clauses)
_CLAUSES: dict[int, tuple[Any, tuple[Clause, ...]]] = {}
_CLAUSES_MAX = 16384


def clauses(m: Mapping[str, Any]) -> tuple[Clause, ...]:
    """The precheck of matcher ``m``: necessary conditions for it to hold (none: it may hold)."""
    kind = m.get("kind")
    key = _KEY_OF.get(kind)
    if key is not None:
        return ((frozenset({key(m)}), ()),)
    if kind == "fact":
        if m.get("min", 1) < 1:
            return ()
        scope = "env" if m["fact"] in ENVIRONMENT_FACTS else "fact"
        return ((frozenset({(scope, m["fact"])}), ()),)
    if kind == "call":
        return ((frozenset(), (tuple(m["names"]),)),)
    if kind == "all":  # every sub-rule holds: each one's conditions are necessary
        return tuple(c for sub in m["rules"] for c in clauses(sub))
    if kind == "any":  # one sub-rule holds: the union of each one's first condition is necessary
        firsts = [clauses(sub) for sub in m["rules"]]
        if not firsts or not all(firsts):
            return ()
        keys = frozenset().union(*(c[0][0] for c in firsts))
        return ((keys, tuple(g for c in firsts for g in c[0][1])),)
    return ()


_KEY_OF: dict[str, Callable[[Mapping[str, Any]], tuple[str, str]]] = {
    "import": lambda m: ("fact", "import"),
    "record": lambda m: ("record", m["record"]),
    "package": lambda m: ("env", "package"),
    "license": lambda m: ("env", "license_flag"),
}


def may_hold(m: Mapping[str, Any], ctx: Context) -> bool:
    """False when matcher ``m`` cannot hold on this notebook (its precheck fails), else True."""
    return _satisfied(_clauses_of(m, clauses), ctx)


def may_any_hold(rules: tuple | list, ctx: Context) -> bool:
    """False when none of ``rules`` (lens rules, a practice's) can hold on this notebook."""
    return _satisfied(_clauses_of(rules, _any_clauses), ctx)


def _any_clauses(rules) -> tuple[Clause, ...]:
    return clauses({"kind": "any", "rules": [r.matcher for r in rules]})


def _clauses_of(key, derive) -> tuple[Clause, ...]:
    """The clauses of a matcher or of a practice's rules, derived once (by identity)."""
    entry = _CLAUSES.get(id(key))
    if entry is None or entry[0] is not key:
        if len(_CLAUSES) >= _CLAUSES_MAX:
            _CLAUSES.clear()
        entry = _CLAUSES[id(key)] = (key, derive(key))
    return entry[1]


def _satisfied(found: tuple[Clause, ...], ctx: Context) -> bool:
    if not found:
        return True
    present = ctx.present()
    for keys, globs in found:
        if keys and not keys.isdisjoint(present):
            continue
        if globs and any(_call_names(g, ctx) for g in globs):
            continue
        return False
    return True


# --------------------------------------------------------------------------- dependencies
# What a matcher's answer depends on, as keys (:func:`dependencies`) whose values a review can
# give (:func:`dependency_value`). A review of an edited notebook reuses the previous review's
# finding for a practice whose rules' dependencies all have equal values (see review.py).
_UNKNOWN_DEPENDENCY = ("unknown",)


def dependencies(m: Mapping[str, Any]) -> frozenset[tuple]:
    """The keys whose values decide matcher ``m``'s answer: those of every matcher in it."""
    return frozenset(
        _dependency(sub) for _, sub in walk_matchers(m) if sub.get("kind") not in _COMBINERS
    )


_COMBINERS = frozenset({"all", "any", "not"})


def _dependency(m: Mapping[str, Any]) -> tuple:
    kind = m.get("kind")
    if kind == "fact":
        return ("env" if m["fact"] in ENVIRONMENT_FACTS else "fact", m["fact"])
    if kind == "record":
        return ("records",)
    key = _KEY_OF.get(kind)
    if key is not None:
        return key(m)
    if kind == "call":
        return ("calls", tuple(m["names"]))
    if kind == "text":
        return ("text",)
    if kind == "phase":
        return ("phases",)
    return _UNKNOWN_DEPENDENCY  # never equal: such a rule is always evaluated


def dependency_value(key: tuple, ctx: Context) -> Any:
    """The value of a dependency key in this review (compared with ``==`` across reviews)."""
    scope = key[0]
    if scope == "fact":
        return ctx.facts.items.get(key[1])
    if scope == "env":
        return ctx.environment.get(key[1])
    if scope == "records":
        return ctx.records
    if scope == "calls":
        by_name = ctx.facts.calls_by_name()
        return [(name, by_name[name]) for name in sorted(_call_names(key[1], ctx))]
    if scope == "text":
        return ctx.facts.cell_lines, ctx.cell_types
    if scope == "phases":
        return ctx.phases
    return object()


# --------------------------------------------------------------------------- conditions
_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})


@lru_cache(maxsize=4096)
def _regex(pattern: str):
    """A lens regular expression, on the ``regex`` engine (``re``'s syntax, with timeouts)."""
    import regex

    return regex.compile(pattern, regex.I | regex.V0)


def _search(rx, text: str):
    """``rx.search(text)`` within the time the rule being evaluated has left."""
    budget = _BUDGET.get()
    if budget is None:
        return rx.search(text)
    try:
        return rx.search(text, timeout=max(budget.left(), 0.001))
    except TimeoutError:
        raise RuleTimeout from None


def _mapping_condition(value: Any, cond: Mapping[str, Any]) -> bool:
    """``{exists, not, regex, min, max}``: every key given must hold."""
    if "exists" in cond and (value is not None) != bool(cond["exists"]):
        return False
    if "not" in cond and condition(value, cond["not"]):
        return False
    if "regex" in cond and (value is None or not _search(_regex(cond["regex"]), str(value))):
        return False
    number = _number(value) if ("min" in cond or "max" in cond) else None
    if "min" in cond and not (number is not None and number >= cond["min"]):
        return False
    return not ("max" in cond and not (number is not None and number <= cond["max"]))


def _bool_condition(value: Any, cond: bool) -> bool:
    """``true``/``false``: a boolean, or a word for one (yes, no, on, off...)."""
    if isinstance(value, bool):
        return value is cond
    if isinstance(value, str):
        return value.strip().lower() in (_TRUE_WORDS if cond else _FALSE_WORDS)
    return False


def condition(value: Any, cond: Any) -> bool:
    """Does a fact's field ``value`` satisfy the lens condition ``cond``? (docs/lens-format.md)"""
    if isinstance(value, (list, tuple, set, frozenset)) and not isinstance(cond, dict):
        return any(condition(v, cond) for v in value)
    if isinstance(cond, list):
        return any(condition(value, c) for c in cond)
    if isinstance(cond, dict):
        return _mapping_condition(value, cond)
    if cond is None:
        return value is None
    if isinstance(cond, bool):
        return _bool_condition(value, cond)
    if isinstance(cond, (int, float)):
        return _number(value) == cond
    if value is None:
        return False
    if isinstance(value, bool):
        word = str(cond).lower()
        return word in (_TRUE_WORDS if value else _FALSE_WORDS)
    return fnmatchcase(str(value).lower(), str(cond).lower())


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def where(item: Mapping[str, Any], conditions: Mapping[str, Any] | None) -> bool:
    if not conditions:
        return True
    return all(condition(item.get(k), c) for k, c in conditions.items())


def _hits(items, *, key_cell="cell", key_line="line") -> list[Hit]:
    return [Hit(i.get(key_cell), i.get(key_line), i) for i in items]


_SCALARS = frozenset({str, int, float, bool, type(None)})
#: id of a lens ``where`` mapping -> (the mapping, its keys, memo of results by field values)
_WHERE_MEMOS: dict[int, tuple[Mapping[str, Any], tuple[str, ...], dict]] = {}
_WHERE_MEMO_MAX = 4096


def _where_all(items: list[dict[str, Any]], conditions: Mapping[str, Any] | None) -> list:
    """The items that satisfy ``conditions``. A condition's result depends only on the values
    of the fields it names, so results are remembered by those values (and their types: ``1``
    is not ``True``) when they are plain scalars; facts repeat a lot within and across reviews."""
    if not conditions:
        return list(items)
    entry = _WHERE_MEMOS.get(id(conditions))
    if entry is None or entry[0] is not conditions:
        if len(_WHERE_MEMOS) >= _WHERE_MEMO_MAX:
            _WHERE_MEMOS.clear()
        entry = _WHERE_MEMOS[id(conditions)] = (conditions, tuple(conditions), {})
    _, keys, memo = entry
    scalars = _SCALARS
    found = []
    for item in items:
        values = tuple([item.get(k) for k in keys])
        types = tuple([type(v) for v in values])
        if scalars.issuperset(types):
            key = (values, types)
            ok = memo.get(key)
            if ok is None:
                if len(memo) >= _WHERE_MEMO_MAX:
                    memo.clear()
                ok = memo[key] = where(item, conditions)
        else:
            ok = where(item, conditions)
        if ok:
            found.append(item)
    return found


# --------------------------------------------------------------------------- matchers
@matcher("fact")
def _fact(m, ctx: Context):
    kind = m["fact"]
    items = ctx.env(kind) if kind in ENVIRONMENT_FACTS else ctx.facts.of(kind)
    found = _where_all(items, m.get("where"))
    return _hits(found) if len(found) >= m.get("min", 1) else None


@matcher("import")
def _import(m, ctx: Context):
    matches = _module_matcher(tuple(m["modules"]))
    found = [imp for imp, names in _import_names(ctx.facts) if any(map(matches, names))]
    return _hits(found) or None


def _import_names(facts: Facts) -> list[tuple[dict, tuple[str, ...]]]:
    """Each import with the lower-case names a module glob may match (computed once)."""
    names = facts.memo().get("import_names")
    if names is None:
        names = []
        for imp in facts.of("import"):
            found = [str(imp.get("module") or "").lower()]
            if imp.get("name"):
                found.append(f"{imp['module']}.{imp['name']}".lower())
            names.append((imp, tuple(found)))
        facts.memo()["import_names"] = names
    return names


@lru_cache(maxsize=1024)
def _module_matcher(globs: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a (lower-case) module name matches one of ``globs``: a glob names a module and
    its submodules, or is an fnmatch pattern (``sklearn.*``). Globs without wildcards (all of
    the built-in lens's) are looked up in a set, the module and each parent package, with no
    regular expression to compile (a fresh CLI process would spend a millisecond on each)."""
    if any(ch in g for g in globs for ch in "*?["):
        return _module_pattern(globs).match  # type: ignore[return-value]
    names = frozenset(g.lower() for g in globs)

    def matches(name: str) -> bool:
        if name in names:
            return True
        at = name.find(".")
        while at != -1:
            if name[:at] in names:
                return True
            at = name.find(".", at + 1)
        return False

    return matches


@lru_cache(maxsize=1024)
def _module_pattern(globs: tuple[str, ...]) -> re.Pattern:
    """A glob matches a module, its submodules (``glob.*``) or fnmatch-style (``sklearn.*``)."""
    parts = []
    for g in globs:
        g = g.lower()
        parts.append(re.escape(g) + r"(?:\..*)?")
        parts.append(
            fnmatch.translate(g).removesuffix(r"\Z").removeprefix("(?s:").removesuffix(")")
        )
    return re.compile(r"(?s:" + "|".join(f"(?:{p})" for p in parts) + r")\Z")


@lru_cache(maxsize=1024)
def _globs(globs: tuple[str, ...]):
    from .signatures import Glob

    return tuple(Glob(g) for g in globs)


@matcher("call")
def _call(m, ctx: Context):
    kws = m.get("keywords") or {}
    names = _call_names(tuple(m["names"]), ctx)
    if not names:
        return None
    by_name = ctx.facts.calls_by_name()
    first = next(iter(kws), None)  # tested alone first: most calls do not have it
    found = []
    for name in names:
        for call in by_name[name]:
            if first is not None and first not in call.keywords:
                continue
            if kws and not all(
                k in call.keywords and condition(call.kw(k, call.keywords[k]), c)
                for k, c in kws.items()
            ):
                continue
            found.append(Hit(call.cell, call.line, {"name": name, "api": name}))
    found.sort(key=_cell_line)
    return found or None


def _call_names(globs: tuple[str, ...], ctx: Context) -> set[str]:
    """The notebook's call names that any of ``globs`` matches (remembered by the call index:
    the same for every notebook with these call names)."""
    index = ctx.facts.call_index()
    memo = index.__dict__.setdefault("_rule_names", {})
    names = memo.get(globs)
    if names is None:
        names = set()
        for glob in _globs(globs):
            names.update(index.matching(glob))
        memo[globs] = names
    return names


def _cell_line(hit: Hit) -> tuple:
    return (hit.cell, hit.line)


@matcher("record")
def _record(m, ctx: Context):
    found = [
        Hit(r.cell, None, {**r.record, "origin": r.origin})
        for r in ctx.records
        if r.record.get("kind") == m["record"] and where(r.record, m.get("where"))
    ]
    return found or None


@matcher("package")
def _package(m, ctx: Context):
    globs = [g.lower() for g in m["names"]]
    found = [
        Hit(None, None, p)
        for p in ctx.env("package")
        if any(fnmatchcase(str(p.get("name", "")).lower(), g) for g in globs)
        and where(p, m.get("where"))
    ]
    return found or None


@matcher("license")
def _license(m, ctx: Context):
    verdicts = set(m["verdicts"])
    found = [Hit(None, None, f) for f in ctx.env("license_flag") if f.get("verdict") in verdicts]
    return found or None


@matcher("text")
def _text(m, ctx: Context):
    rx = _regex(m["pattern"])
    cells = m.get("cells", "code")
    found = []
    for index, lines in ctx.facts.cell_lines.items():
        ctype = ctx.cell_types.get(index)
        if cells != "any" and ctype != cells:
            continue
        for n, line in enumerate(lines, start=1):
            hit = _search(rx, line)
            if hit:
                found.append(Hit(index, n, {"match": hit.group(0)[:80]}))
    return found or None


@matcher("phase")
def _phase(m, ctx: Context):
    return [] if ctx.phases & set(m["phases"]) else None


@matcher("all")
def _all(m, ctx: Context):
    hits: list[Hit] = []
    for sub in m["rules"]:
        found = evaluate(sub, ctx)
        if found is None:
            return None
        hits.extend(found)
    return hits


@matcher("any")
def _any(m, ctx: Context):
    hits: list[Hit] | None = None
    for sub in m["rules"]:
        found = evaluate(sub, ctx)
        if found is not None:
            hits = (hits or []) + found
    return hits


@matcher("not")
def _not(m, ctx: Context):
    return [] if evaluate(m["rule"], ctx) is None else None


# --------------------------------------------------------------------------- messages
class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(message: str, hit: Hit | None) -> str:
    """Fill ``{field}`` placeholders from the hit; ``{cell}``/``{line}`` are 1-based for people."""
    if "{" not in message:
        return message
    values = _Fields()
    if hit is not None:
        for k, v in hit.fields.items():
            if v is not None and not isinstance(v, (dict, list)):
                values[k] = v
        if hit.cell is not None:
            values["cell"] = hit.cell + 1
        if hit.line is not None:
            values["line"] = hit.line
    try:
        return message.format_map(values)
    except (ValueError, IndexError, AttributeError):  # a stray brace in a team lens message
        return message
