"""The AWS Well-Architected Tool custom-lens format: its limits, its JSON Schema, its risk rules.

:func:`validate_wa_lens` checks a document in two steps. The JSON Schema
``schemas/wa-custom-lens.json`` holds what JSON Schema can say: the structure, the required
fields, types, lengths, counts, id and URL forms, and the improvement plan every choice but the
``_no`` one needs. This module adds what it cannot say: ids unique in their scope, risk-rule
conditions that parse and name choices of their question, one rule per risk level and exactly
one ``default``, at most five extra resources of each type per choice, and the 500 KB size.
Every problem reads ``<where>: <what>``, ``where`` being the path to the value with the ids met
on the way (``pillars[1](NET).questions[2](NET3).riskRules``).

Risk-rule conditions (``a && (b || !c)``) are parsed by :func:`parse_condition` into a small
tree that :func:`evaluate` and :func:`condition_names` read; the import uses them too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..catalog.schema import _jsonschema
from ..errors import WellMLError

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "wa-custom-lens.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text("utf-8"))
"""The format's JSON Schema: the one source of its limits, read into the names below."""
_DEFS = SCHEMA["$defs"]

SCHEMA_VERSION: str = SCHEMA["properties"]["schemaVersion"]["const"]
"""The only ``schemaVersion`` the Tool's template uses."""
MAX_PILLARS: int = SCHEMA["properties"]["pillars"]["maxItems"]
MAX_QUESTIONS: int = _DEFS["pillar"]["properties"]["questions"]["maxItems"]
MAX_CHOICES: int = _DEFS["question"]["properties"]["choices"]["maxItems"]
MAX_RULES: int = _DEFS["question"]["properties"]["riskRules"]["maxItems"]
MAX_NAME = MAX_TITLE = _DEFS["title"]["maxLength"]
MAX_TEXT: int = _DEFS["requiredText"]["maxLength"]
RISK_LEVELS: tuple[str, ...] = tuple(_DEFS["riskRule"]["properties"]["risk"]["enum"])
RESOURCE_TYPES: tuple[str, ...] = tuple(_DEFS["additionalResource"]["properties"]["type"]["enum"])
WA_ID = re.compile(_DEFS["id"]["pattern"].strip("^$"))
# what JSON Schema cannot say (checked below)
MAX_EXTRA_RESOURCES = 5  # of each type per choice
MAX_BYTES = 500_000  # the whole document, as ImportLens takes it


class WaLensError(WellMLError):
    """A Well-Architected Tool custom lens that cannot be read, written or produced."""


def dumps_wa_lens(doc: dict) -> str:
    """The document as the JSON text to write (UTF-8, indented, stable key order).

    Parameters
    ----------
    doc : dict
        A custom-lens document, for example from :func:`~.wa_export.export_wa_lens`.

    Returns
    -------
    str
        JSON text ending with a newline; :func:`validate_wa_lens` measures this text against
        the 500 KB limit.
    """
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# =========================================================================== conditions
class ConditionError(ValueError):
    """A risk-rule condition that is not a well-formed expression."""


_TOKEN = re.compile(r"\s*(&&|\|\||[()!]|[A-Za-z0-9_]+)")
_NAME = re.compile(r"[A-Za-z0-9_]+")


def _tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[0]
            raise ConditionError(f"unexpected character {bad!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


class _Parser:
    """Recursive descent over ``||`` (lowest), ``&&``, ``!`` and parentheses."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        if self.pos >= len(self.tokens):
            raise ConditionError("the condition ends too early")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def or_expr(self):
        return self.chain("||", "or", self.and_expr)

    def and_expr(self):
        return self.chain("&&", "and", self.unary)

    def chain(self, token: str, op: str, operand):
        """``operand (token operand)*``, grouped from the left as ``(op, left, right)`` nodes."""
        node = operand()
        while self.peek() == token:
            self.take()
            node = (op, node, operand())
        return node

    def unary(self):
        tok = self.take()
        if tok == "!":
            return ("not", self.unary())
        if tok == "(":
            node = self.or_expr()
            if self.take() != ")":
                raise ConditionError("a '(' is not closed")
            return node
        if _NAME.fullmatch(tok):
            return ("id", tok)
        raise ConditionError(f"unexpected {tok!r}")


def parse_condition(text: str):
    """A condition as a tree: ``("id", name)``, ``("not", x)``, ``("and"|"or", a, b)``.

    Raises
    ------
    ConditionError
        When ``text`` is empty or not a well-formed expression (the message says where).
    """
    tokens = _tokenize(text)
    if not tokens:
        raise ConditionError("empty condition")
    parser = _Parser(tokens)
    node = parser.or_expr()
    if parser.pos != len(tokens):
        raise ConditionError(f"unexpected {tokens[parser.pos]!r}")
    return node


def evaluate(node, selected: set[str]) -> bool:
    """Whether the condition tree holds when exactly the choices ``selected`` are selected."""
    kind = node[0]
    if kind == "id":
        return node[1] in selected
    if kind == "not":
        return not evaluate(node[1], selected)
    if kind == "and":
        return evaluate(node[1], selected) and evaluate(node[2], selected)
    return evaluate(node[1], selected) or evaluate(node[2], selected)


def condition_names(node, negated: bool = False) -> Iterable[tuple[str, bool]]:
    """Every choice id in a condition tree with whether it is negated there."""
    if node[0] == "id":
        yield node[1], negated
    elif node[0] == "not":
        yield from condition_names(node[1], not negated)
    else:
        yield from condition_names(node[1], negated)
        yield from condition_names(node[2], negated)


def condition_names_by_tokens(text: str) -> list[tuple[str, bool]]:
    """Like :func:`condition_names` for a condition that does not parse (best effort)."""
    out: list[tuple[str, bool]] = []
    stack, pending = [False], False
    for m in re.finditer(r"\(|\)|!|[A-Za-z0-9_]+", text):
        tok = m.group(0)
        if tok == "!":
            pending = not pending
        elif tok == "(":
            stack.append(stack[-1] ^ pending)
            pending = False
        elif tok == ")":
            if len(stack) > 1:
                stack.pop()
        else:
            out.append((tok, stack[-1] ^ pending))
            pending = False
    return out


# =========================================================================== validation
def validate_wa_lens(doc: Any) -> list[str]:
    """Check a custom-lens document against the limits and rules of the Tool's format.

    Parameters
    ----------
    doc : Any
        The parsed JSON document (normally a dict).

    Returns
    -------
    list of str
        One readable problem per broken rule, in document order, each starting with where it
        is, with the ids met on the way (``pillars[1](NET).questions[2](NET3).riskRules: ...``);
        an empty list when the document is valid. Checked: ``schemaVersion``; ``name`` (at
        most 128 characters) and ``description`` (at most 2048); 1 to 10 pillars, 1 to 20
        questions per pillar, 1 to 15 choices per question (the ``_no`` choice included); ids
        of 3 to 128 letters, digits and ``_``, unique (pillars and questions in the lens,
        choices in their question); titles of at most 128 characters, texts of at most 2048; a
        helpful-resource text whenever a URL is given; URLs starting with ``http://`` or
        ``https://`` (an empty string counts as no URL: published AWS samples use it); an
        improvement plan on every choice whose id does not end in ``_no``; at most five extra
        resources of each type per choice; 1 to 3 risk rules per question, one per risk
        level, exactly one ``default``, every other condition a well-formed expression over
        the question's choice ids; and the whole document at most 500 KB.
    """
    if not isinstance(doc, dict):
        return [f"the document must be a JSON object, not {type(doc).__name__}"]
    found: list[tuple[tuple, str]] = []
    for err in _validator().iter_errors(doc):
        found.extend((tuple(path), msg) for path, msg in _schema_problems(err))
    found.extend(_RuleChecker(doc).problems())
    found.extend(((), msg) for msg in _size_problems(doc))
    ordered = sorted(dict.fromkeys(found), key=lambda pm: _order(pm[0]))
    return [_where(path, doc, msg) for path, msg in ordered]


@cache
def _validator():
    jsonschema = _jsonschema()
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA)


def _kind(value: Any) -> str:
    return type(value).__name__


_OBJECT_WANTED = {
    "pillar": "a pillar must be an object, not {kind}",
    "question": "a question must be an object, not {kind}",
    "choice": "a choice must be an object, not {kind}",
    "resource": "must be an object with displayText and url, not {kind}",
    "riskRule": "a risk rule must be an object with condition and risk",
    "additionalResource": "must be an object with type and content",
    "additionalResources": "must be an array",
    "content": "must be a non-empty array of {{displayText, url}}",
    "condition": "missing or empty",
}
_COUNTED = {"pillars", "questions", "choices", "risk rules"}


def _schema_problems(err) -> Iterator[tuple[list, str]]:
    """``(path, message)`` for one JSON Schema error, in the words of the format's rules."""
    path, title, keyword, value = (
        list(err.absolute_path),
        err.schema.get("title"),
        err.validator,
        err.instance,
    )
    if keyword == "required":
        for key in err.validator_value:
            if key not in value:
                yield [*path, key], _missing(title, key)
        return
    yield path, _wording(err, keyword, title, value)


def _type_wording(title: str | None, value: Any) -> str | None:
    if title in _OBJECT_WANTED:
        return _OBJECT_WANTED[title].format(kind=_kind(value))
    if title in _COUNTED:
        return f"must be an array, not {_kind(value)}"
    if title in ("text", "url"):
        return f"must be a string, not {_kind(value)}"
    return None


def _size_wording(keyword: str, title: str | None, value: Any, limit: Any) -> str | None:
    if keyword == "maxLength":
        return f"is {len(value)} characters long; the limit is {limit}"
    if keyword == "minItems" and title in _COUNTED:
        return f"has no {title}; at least {limit} is needed"
    if keyword == "maxItems" and title in _COUNTED:
        return f"has {len(value)} {title}; the limit is {limit}"
    return None


def _wording(err, keyword: str, title: str | None, value: Any) -> str:
    """The message of one schema error other than a missing key, tried in this order."""
    if value is None and title in ("id", "text", *_COUNTED):
        return "missing (required)"  # a null counts as absent
    found = _type_wording(title, value) if keyword == "type" else None
    if found is None and title == "id":
        found = f"{value!r} must be 3 to 128 characters of letters, digits and _"
    if found is None and keyword == "pattern" and title in ("url", "text"):
        found = f"{value!r} must start with http:// or https://" if title == "url" else "is empty"
    if found is None:
        found = _size_wording(keyword, title, value, err.validator_value)
    if found is None and title in _OBJECT_WANTED:  # content: too short
        found = _OBJECT_WANTED[title].format(kind=_kind(value))
    if found is None and keyword in ("enum", "const"):
        found = _not_allowed(title, value, err.validator_value)
    # every keyword of the schema is worded above
    return err.message if found is None else found


def _missing(title: str | None, key: str) -> str:
    if key == "schemaVersion":
        return f"missing (required; the template uses {SCHEMA_VERSION!r})"
    if key == "improvementPlan":
        return "missing; every choice except the one whose id ends in _no needs one"
    if key == "content":
        return _OBJECT_WANTED["content"]
    if key == "condition":
        return _OBJECT_WANTED["condition"]
    return "missing (required)"


def _not_allowed(title: str | None, value: Any, allowed: Any) -> str:
    if title == "schemaVersion":
        return f"{value!r}; the Tool's template uses {SCHEMA_VERSION!r}"
    return f"{value!r} must be one of {', '.join(allowed)}"


class _RuleChecker:
    """What the schema cannot say: unique ids, risk-rule semantics, extra resources per type."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.found: list[tuple[tuple, str]] = []

    def add(self, path: tuple, message: str) -> None:
        self.found.append((path, message))

    def problems(self) -> list[tuple[tuple, str]]:
        pillar_ids: dict[str, None] = {}
        question_ids: dict[str, None] = {}
        for i, pillar in _items(self.doc, "pillars"):
            self.unique(("pillars", i), pillar, pillar_ids, "pillar id {!r} is used twice")
            for j, question in _items(pillar, "questions"):
                where = ("pillars", i, "questions", j)
                self.unique(where, question, question_ids, "question id {!r} is used twice")
                self.question(where, question)
        return self.found

    def unique(self, where: tuple, obj: dict, seen: dict, message: str) -> None:
        value = obj.get("id")
        if not isinstance(value, str):
            return
        if value in seen:
            self.add((*where, "id"), message.format(value))
        seen[value] = None

    def question(self, where: tuple, question: dict) -> None:
        choice_ids: dict[str, None] = {}
        for k, choice in _items(question, "choices"):
            self.unique(
                (*where, "choices", k),
                choice,
                choice_ids,
                "choice id {!r} is used twice in this question",
            )
            self.extras((*where, "choices", k), choice)
        self.rules(where, question, set(choice_ids))

    def extras(self, where: tuple, choice: dict) -> None:
        counts = dict.fromkeys(RESOURCE_TYPES, 0)
        for _, extra in _items(choice, "additionalResources"):
            content = extra.get("content")
            if extra.get("type") in counts and isinstance(content, list) and content:
                counts[extra["type"]] += len(content)
        for kind, count in counts.items():
            if count > MAX_EXTRA_RESOURCES:
                self.add(
                    (*where, "additionalResources"),
                    f"{count} {kind} items; the limit is {MAX_EXTRA_RESOURCES} per choice",
                )

    def rules(self, where: tuple, question: dict, choice_ids: set[str]) -> None:
        rules = question.get("riskRules")
        if not isinstance(rules, list):
            return
        defaults = 0
        first_of: dict[str, int] = {}
        for r, rule in _items(question, "riskRules"):
            label = (*where, "riskRules", r)
            self.risk_level(label, rule.get("risk"), r, first_of)
            condition = rule.get("condition")
            if isinstance(condition, str) and condition.strip() == "default":
                defaults += 1
            elif isinstance(condition, str) and condition.strip():
                self.condition((*label, "condition"), condition, choice_ids)
        after = (*where, "riskRules", _AFTER)
        if rules and defaults == 0:
            self.add(after, "has no rule with condition 'default' (required)")
        elif defaults > 1:
            self.add(after, f"has {defaults} 'default' rules; exactly one is allowed")

    def risk_level(self, label: tuple, risk: Any, r: int, first_of: dict[str, int]) -> None:
        if risk not in RISK_LEVELS:
            return
        if risk in first_of:
            self.add(
                (*label, "risk"),
                f"a second {risk} rule (first at riskRules[{first_of[risk]}]); "
                "at most one rule per risk level",
            )
        else:
            first_of[risk] = r

    def condition(self, where: tuple, condition: str, choice_ids: set[str]) -> None:
        try:
            tree = parse_condition(condition)
        except ConditionError as exc:
            self.add(where, f"{condition!r} is not a valid expression: {exc}")
            return
        unknown = sorted({n for n, _ in condition_names(tree) if n not in choice_ids})
        if unknown:
            self.add(
                where,
                f"names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
                "not a choice id of this question",
            )


def _items(obj: Any, key: str) -> Iterator[tuple[int, dict]]:
    """The objects of the array ``obj[key]`` with their index (anything else is skipped)."""
    value = obj.get(key) if isinstance(obj, dict) else None
    for i, item in enumerate(value if isinstance(value, list) else ()):
        if isinstance(item, dict):
            yield i, item


def _size_problems(doc: dict) -> list[str]:
    try:
        size = len(dumps_wa_lens(doc).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        return [f"cannot be written as JSON: {exc}"]
    if size > MAX_BYTES:
        return [f"the document is {size:,} bytes; the Tool imports at most 500 KB"]
    return []


# ---- where a problem is, and in which order problems are told
_AFTER = "\uffff"  # a path step after every child: summaries of an array come after its items
_KEY_ORDER = {
    key: n
    for n, key in enumerate(
        (
            "schemaVersion", "id", "name", "title", "description", "helpfulResource",
            "improvementPlan", "additionalResources", "type", "content", "displayText", "url",
            "questions", "choices", "riskRules", "risk", "condition", "pillars",
        )
    )
}  # fmt: skip


def _order(path: tuple) -> tuple:
    """Document order: each object's fields in the order the format lists them."""
    key: list[tuple[int, Any]] = []
    for step in path:
        if isinstance(step, int):
            key.append((1, step))
        elif step == _AFTER:
            key.append((3, 0))
        else:
            key.append((1, _KEY_ORDER.get(step, len(_KEY_ORDER))))
    return (*key, (0, 0))  # the value itself before its children


def _where(path: tuple, doc: Any, message: str) -> str:
    """``pillars[1](NET).questions[2](NET3).riskRules: message`` for a path into ``doc``."""
    steps = [s for s in path if s != _AFTER]
    out, node = "", doc
    for n, step in enumerate(steps):
        node = node[step] if _has(node, step) else None
        if isinstance(step, int):
            out += f"[{step}]"
            named = isinstance(node, dict) and isinstance(node.get("id"), str)
            if named and steps[n + 1 :] != ["id"]:
                out += f"({node['id']})"
        else:
            out += f".{step}" if out else step
    return f"{out}: {message}" if out else message


def _has(node: Any, step: Any) -> bool:
    if isinstance(step, int):
        return isinstance(node, list) and 0 <= step < len(node)
    return isinstance(node, dict) and step in node
