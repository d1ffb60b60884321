"""Convert between jupyter-wellml lenses and AWS Well-Architected Tool custom-lens JSON.

Export (:func:`export_wa_lens`)
    Catalog → one custom lens the Tool can import. Each pillar becomes a Tool pillar (its
    ``wa_tool_id``), each lifecycle phase that holds practices of the pillar becomes one question
    (split into parts ``(1 of 2)`` … when it would exceed 15 choices), each practice becomes one
    choice (id ``MLCOST04-BP01`` → ``MLCOST04_BP01``), and every question ends with a "None of
    these" choice ``<question>_no``. Risk rules: every practice selected → ``NO_RISK``; every
    high-risk practice selected → ``MEDIUM_RISK`` (only when the question mixes high and medium
    practices); ``default`` → ``HIGH_RISK`` when the question has a high-risk practice, else
    ``MEDIUM_RISK``. The result is checked with :func:`validate_wa_lens`; a catalog that cannot fit
    the Tool's limits raises :class:`WaLensError` instead of producing a file the Tool refuses.

Import (:func:`import_wa_lens`)
    Tool JSON → a lens folder (``lens.yaml`` and ``practices/<pillar>/<ID>.yaml``), one practice
    per choice; ``_no`` choices are skipped. Framework pillar ids (``operationalExcellence`` …) map
    onto the built-in pillars; any other pillar id becomes a pillar of the new lens.

    *Practice ids* are ``<LENS PREFIX>-<QUESTION>-<CHOICE>``: the lens prefix is the first
    distinctive word of the lens id (``amazon-ecs-lens`` → ``ECS``) unless given; the choice
    part drops the question id when the choice id repeats it (question ``NET3``, choice
    ``NET3_1`` → ``ECS-NET03-01``). Ids are upper case, ``-``-separated and zero-padded exactly as
    :func:`~jupyter_wellml.catalog.normalize_id` writes them (so any spelling a user types finds
    them), at most 40 characters (the question part is shortened first, on word boundaries), and
    made unique with a counter (``-02``, ``-03`` …) against each other and against every id, old
    or current, of the built-in lens.

    *Risk* is "the risk when the practice is missing": the question's rules are evaluated, in
    order, with every other (non-``_no``) choice selected and this one not. If that gives
    ``HIGH_RISK`` (and selecting every choice does not), the practice is ``high``; otherwise
    ``medium``. A question without a ``default`` rule is evaluated as if its default were
    ``HIGH_RISK``. When a condition cannot be parsed, or selecting every choice is already high
    risk, a syntactic rule is used instead: a choice is ``high`` when it appears (not negated) in
    a ``NO_RISK`` or ``MEDIUM_RISK`` condition of a question whose default is ``HIGH_RISK``, or
    appears negated (``!X``) in a ``HIGH_RISK`` condition; otherwise ``medium``. Informational
    questions (only ``NO_RISK`` rules) give ``medium`` practices.

    Quirks of real files (empty-string URLs, a choice-level ``description``, a missing
    ``default`` rule, repeated conditions, file names with spaces, ``NO_RISK``-only lenses,
    missing optional fields) are tolerated and reported in :attr:`ImportResult.warnings`.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import WellMLError
from ..values import Frozen, Value
from .catalog import Catalog, normalize_id
from .loader import LENS_FILE, PRACTICES_DIR, builtin_lens_root, discover
from .model import Phase, Pillar, Practice

__all__ = [
    "FRAMEWORK_PILLARS",
    "SCHEMA_VERSION",
    "ImportResult",
    "WaLensError",
    "dumps_wa_lens",
    "export_wa_lens",
    "import_wa_lens",
    "validate_wa_lens",
]

SCHEMA_VERSION = "2021-11-01"
"""The only ``schemaVersion`` the Tool's template uses."""

FRAMEWORK_PILLARS = {
    "operationalExcellence": "operational_excellence",
    "security": "security",
    "reliability": "reliability",
    "performance": "performance_efficiency",
    "costOptimization": "cost_optimization",
    "sustainability": "sustainability",
}
"""Framework pillar ids of the Tool → pillar ids of the built-in lens (fallback when the
built-in ``lens.yaml`` cannot be read; normally its ``wa_tool_id`` fields are used)."""

MAX_PILLARS = 10
MAX_QUESTIONS = 20
MAX_CHOICES = 15
MAX_RULES = 3
MAX_NAME = 128
MAX_TITLE = 128
MAX_TEXT = 2048
MAX_EXTRA_RESOURCES = 5
MAX_BYTES = 500_000
RISK_LEVELS = ("NO_RISK", "MEDIUM_RISK", "HIGH_RISK")
RESOURCE_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")

# our lens format (schemas/lens.v1.json and practice.v1.json)
_PRACTICE_ID_MAX = 40
_PRACTICE_ID = re.compile(r"[A-Z][A-Z0-9_-]{2,39}")
_LENS_ID = re.compile(r"[a-z][a-z0-9_-]{1,63}")
_SLUG = re.compile(r"[a-z][a-z0-9_]{1,63}")
_PREFIX = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_DOCS_URL = re.compile(r"https?://\S+")
_SUMMARY_MIN, _SUMMARY_MAX = 10, 300
_GUIDANCE_MIN, _GUIDANCE_MAX = 40, 4000
_PILLAR_NAME_MAX = 64
_QUESTION_PART_MAX = 14  # characters of the question part in an imported practice id

_WA_ID = re.compile(r"[A-Za-z0-9_]{3,128}")
_URL_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*(?=\s|$)")
_PREFIX_STOP_WORDS = frozenset(
    {
        "a", "an", "and", "architected", "aws", "amazon", "best", "custom", "for", "lens",
        "lenses", "of", "on", "practice", "practices", "published", "sample", "the", "tool",
        "v", "wa", "well", "whitepaper", "with",
    }
)  # fmt: skip
_BUILTIN_PHASES = (
    "business_goal",
    "ml_problem_framing",
    "data_processing",
    "model_development",
    "deployment",
    "monitoring",
)


class WaLensError(WellMLError):
    """A Well-Architected Tool custom lens that cannot be read, written or produced."""


# =========================================================================== text helpers
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int, *, sentences: bool = True) -> str:
    """``text`` cut to at most ``limit`` characters.

    With ``sentences``, cut after the last complete sentence that fits (when that keeps at
    least a third of the limit); otherwise cut on a word boundary and end with an ellipsis.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    if sentences:
        best = 0
        for m in _SENTENCE_END.finditer(text):
            if m.end() > limit:
                break
            best = m.end()
        if best >= limit // 3:
            return text[:best].rstrip()
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n\t,;:-") + "…"


def _title(text: str, limit: int = MAX_TITLE) -> str:
    return _clip(_one_line(text), limit, sentences=False)


def _http_url(value: Any) -> str | None:
    """``value`` as an http(s) URL, or None (``""``, other schemes and non-strings)."""
    if not isinstance(value, str):
        return None
    url = value.strip().replace(" ", "%20")
    if not _URL_SCHEME.match(url) or len(url) > MAX_TEXT or not _DOCS_URL.fullmatch(url):
        return None
    return url


def _wa_safe(text: str, limit: int = 128) -> str:
    """``text`` as a Tool id: letters, digits and ``_``, 3 to ``limit`` characters."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not out:
        out = "id"
    if len(out) < 3:
        out = out + "_" * (3 - len(out))
    return out[:limit]


def _unique(base: str, used: set[str], limit: int) -> str:
    candidate, n = base[:limit], 2
    while candidate in used:
        suffix = f"_{n}"
        candidate = base[: limit - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


# =========================================================================== conditions
class _ConditionError(ValueError):
    pass


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
            raise _ConditionError(f"unexpected character {bad!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def _parse_condition(text: str):
    """A condition as a tree: ``("id", name)``, ``("not", x)``, ``("and"|"or", a, b)``."""
    tokens = _tokenize(text)
    if not tokens:
        raise _ConditionError("empty condition")
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        if pos >= len(tokens):
            raise _ConditionError("the condition ends too early")
        pos += 1
        return tokens[pos - 1]

    def or_expr():
        node = and_expr()
        while peek() == "||":
            take()
            node = ("or", node, and_expr())
        return node

    def and_expr():
        node = unary()
        while peek() == "&&":
            take()
            node = ("and", node, unary())
        return node

    def unary():
        tok = take()
        if tok == "!":
            return ("not", unary())
        if tok == "(":
            node = or_expr()
            if take() != ")":
                raise _ConditionError("a '(' is not closed")
            return node
        if _NAME.fullmatch(tok):
            return ("id", tok)
        raise _ConditionError(f"unexpected {tok!r}")

    node = or_expr()
    if pos != len(tokens):
        raise _ConditionError(f"unexpected {tokens[pos]!r}")
    return node


def _evaluate(node, selected: set[str]) -> bool:
    kind = node[0]
    if kind == "id":
        return node[1] in selected
    if kind == "not":
        return not _evaluate(node[1], selected)
    if kind == "and":
        return _evaluate(node[1], selected) and _evaluate(node[2], selected)
    return _evaluate(node[1], selected) or _evaluate(node[2], selected)


def _names(node, negated: bool = False) -> Iterable[tuple[str, bool]]:
    """Every choice id in a condition tree with whether it is negated there."""
    if node[0] == "id":
        yield node[1], negated
    elif node[0] == "not":
        yield from _names(node[1], not negated)
    else:
        yield from _names(node[1], negated)
        yield from _names(node[2], negated)


def _names_by_tokens(text: str) -> list[tuple[str, bool]]:
    """Like :func:`_names` for a condition that does not parse (best effort)."""
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
        One readable problem per broken rule, each starting with where it is, with the ids
        met on the way (``pillars[1](NET).questions[2](NET3).riskRules: ...``); an empty list
        when the document is valid. Checked: ``schemaVersion``; ``name`` (at most 128
        characters) and ``description`` (at most 2048); 1 to 10 pillars, 1 to 20 questions
        per pillar, 1 to 15 choices per question (the ``_no`` choice included); ids of 3 to
        128 letters, digits and ``_``, unique (pillars and questions in the lens, choices in
        their question); titles of at most 128 characters, texts of at most 2048; a
        helpful-resource text whenever a URL is given; URLs starting with ``http://`` or
        ``https://`` (an empty string counts as no URL: published AWS samples use it); an
        improvement plan on every choice whose id does not end in ``_no``; at most five extra
        resources of each type per choice; 1 to 3 risk rules per question, one per risk
        level, exactly one ``default``, every other condition a well-formed expression over
        the question's choice ids; and the whole document at most 500 KB.
    """
    return _Validator().lens(doc)


class _Validator:
    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    # ---- primitives
    def text(self, where, obj, key, limit, *, required=True) -> str | None:
        value = obj.get(key)
        label = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.add(label, "missing (required)")
            return None
        if not isinstance(value, str):
            self.add(label, f"must be a string, not {type(value).__name__}")
            return None
        if required and not value.strip():
            self.add(label, "is empty")
        if len(value) > limit:
            self.add(label, f"is {len(value)} characters long; the limit is {limit}")
        return value

    def ident(self, where, obj) -> str | None:
        value = obj.get("id")
        if value is None:
            self.add(f"{where}.id", "missing (required)")
            return None
        if not isinstance(value, str) or not _WA_ID.fullmatch(value):
            self.add(
                f"{where}.id",
                f"{value!r} must be 3 to 128 characters of letters, digits and _",
            )
        return value if isinstance(value, str) else None

    def url(self, where, value) -> None:
        if not isinstance(value, str):
            self.add(where, f"must be a string, not {type(value).__name__}")
        elif not _URL_SCHEME.match(value):
            self.add(where, f"{value!r} must start with http:// or https://")
        elif len(value) > MAX_TEXT:
            self.add(where, f"is {len(value)} characters long; the limit is {MAX_TEXT}")

    def resource(self, where, obj, *, text_required=False) -> None:
        if not isinstance(obj, dict):
            self.add(where, f"must be an object with displayText and url, not {type(obj).__name__}")
            return
        has_url = obj.get("url", "") != ""  # "" means no URL (published samples use it)
        self.text(where, obj, "displayText", MAX_TEXT, required=text_required or has_url)
        if has_url:
            self.url(f"{where}.url", obj["url"])

    def array(self, where, obj, key, low, high, what) -> list:
        value = obj.get(key)
        label = f"{where}.{key}" if where else key
        if value is None:
            self.add(label, "missing (required)")
            return []
        if not isinstance(value, list):
            self.add(label, f"must be an array, not {type(value).__name__}")
            return []
        if len(value) < low:
            self.add(label, f"has no {what}; at least {low} is needed")
        if len(value) > high:
            self.add(label, f"has {len(value)} {what}; the limit is {high}")
        return value

    # ---- structure
    def lens(self, doc) -> list[str]:
        if not isinstance(doc, dict):
            self.add("", f"the document must be a JSON object, not {type(doc).__name__}")
            return self.problems
        version = doc.get("schemaVersion")
        if version is None:
            self.add("schemaVersion", f"missing (required; the template uses {SCHEMA_VERSION!r})")
        elif version != SCHEMA_VERSION:
            self.add("schemaVersion", f"{version!r}; the Tool's template uses {SCHEMA_VERSION!r}")
        self.text("", doc, "name", MAX_NAME)
        self.text("", doc, "description", MAX_TEXT)
        pillar_ids: set[str] = set()
        question_ids: set[str] = set()
        for i, pillar in enumerate(self.array("", doc, "pillars", 1, MAX_PILLARS, "pillars")):
            self.pillar(f"pillars[{i}]", pillar, pillar_ids, question_ids)
        try:
            size = len(dumps_wa_lens(doc).encode("utf-8"))
        except (TypeError, ValueError) as exc:
            self.add("", f"cannot be written as JSON: {exc}")
        else:
            if size > MAX_BYTES:
                self.add("", f"the document is {size:,} bytes; the Tool imports at most 500 KB")
        return self.problems

    def pillar(self, where, pillar, pillar_ids, question_ids) -> None:
        if not isinstance(pillar, dict):
            self.add(where, f"a pillar must be an object, not {type(pillar).__name__}")
            return
        pid = self.ident(where, pillar)
        if pid is not None:
            if pid in pillar_ids:
                self.add(f"{where}.id", f"pillar id {pid!r} is used twice")
            pillar_ids.add(pid)
            where = f"{where}({pid})"
        self.text(where, pillar, "name", MAX_NAME)
        questions = self.array(where, pillar, "questions", 1, MAX_QUESTIONS, "questions")
        for j, question in enumerate(questions):
            self.question(f"{where}.questions[{j}]", question, question_ids)

    def question(self, where, question, question_ids) -> None:
        if not isinstance(question, dict):
            self.add(where, f"a question must be an object, not {type(question).__name__}")
            return
        qid = self.ident(where, question)
        if qid is not None:
            if qid in question_ids:
                self.add(f"{where}.id", f"question id {qid!r} is used twice")
            question_ids.add(qid)
            where = f"{where}({qid})"
        self.text(where, question, "title", MAX_TITLE)
        self.text(where, question, "description", MAX_TEXT, required=False)
        if "helpfulResource" in question:
            self.resource(f"{where}.helpfulResource", question["helpfulResource"])
        choice_ids: set[str] = set()
        choices = self.array(where, question, "choices", 1, MAX_CHOICES, "choices")
        for k, choice in enumerate(choices):
            self.choice(f"{where}.choices[{k}]", choice, choice_ids)
        self.rules(where, question, choice_ids)

    def choice(self, where, choice, choice_ids) -> None:
        if not isinstance(choice, dict):
            self.add(where, f"a choice must be an object, not {type(choice).__name__}")
            return
        cid = self.ident(where, choice)
        if cid is not None:
            if cid in choice_ids:
                self.add(f"{where}.id", f"choice id {cid!r} is used twice in this question")
            choice_ids.add(cid)
            where = f"{where}({cid})"
        self.text(where, choice, "title", MAX_TITLE)
        if "helpfulResource" in choice:
            self.resource(f"{where}.helpfulResource", choice["helpfulResource"])
        if "improvementPlan" in choice:
            self.resource(f"{where}.improvementPlan", choice["improvementPlan"], text_required=True)
        elif not (cid or "").endswith("_no"):
            self.add(
                f"{where}.improvementPlan",
                "missing; every choice except the one whose id ends in _no needs one",
            )
        extras = choice.get("additionalResources")
        if extras is None:
            return
        if not isinstance(extras, list):
            self.add(f"{where}.additionalResources", "must be an array")
            return
        counts = dict.fromkeys(RESOURCE_TYPES, 0)
        for m, extra in enumerate(extras):
            label = f"{where}.additionalResources[{m}]"
            if not isinstance(extra, dict):
                self.add(label, "must be an object with type and content")
                continue
            kind = extra.get("type")
            if kind not in RESOURCE_TYPES:
                self.add(f"{label}.type", f"{kind!r} must be one of {', '.join(RESOURCE_TYPES)}")
            content = extra.get("content")
            if not isinstance(content, list) or not content:
                self.add(f"{label}.content", "must be a non-empty array of {displayText, url}")
                continue
            for n, item in enumerate(content):
                self.resource(f"{label}.content[{n}]", item, text_required=True)
            if kind in counts:
                counts[kind] += len(content)
        for kind, count in counts.items():
            if count > MAX_EXTRA_RESOURCES:
                self.add(
                    f"{where}.additionalResources",
                    f"{count} {kind} items; the limit is {MAX_EXTRA_RESOURCES} per choice",
                )

    def rules(self, where, question, choice_ids) -> None:
        rules = self.array(where, question, "riskRules", 1, MAX_RULES, "risk rules")
        defaults = 0
        seen_risks: dict[str, int] = {}
        for r, rule in enumerate(rules):
            label = f"{where}.riskRules[{r}]"
            if not isinstance(rule, dict):
                self.add(label, "a risk rule must be an object with condition and risk")
                continue
            risk = rule.get("risk")
            if risk not in RISK_LEVELS:
                self.add(f"{label}.risk", f"{risk!r} must be one of {', '.join(RISK_LEVELS)}")
            elif risk in seen_risks:
                self.add(
                    f"{label}.risk",
                    f"a second {risk} rule (first at riskRules[{seen_risks[risk]}]); "
                    "at most one rule per risk level",
                )
            else:
                seen_risks[risk] = r
            condition = rule.get("condition")
            if not isinstance(condition, str) or not condition.strip():
                self.add(f"{label}.condition", "missing or empty")
                continue
            if condition.strip() == "default":
                defaults += 1
                continue
            try:
                tree = _parse_condition(condition)
            except _ConditionError as exc:
                self.add(f"{label}.condition", f"{condition!r} is not a valid expression: {exc}")
                continue
            unknown = sorted({n for n, _ in _names(tree) if n not in choice_ids})
            if unknown:
                self.add(
                    f"{label}.condition",
                    f"names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
                    "not a choice id of this question",
                )
        if rules and defaults == 0:
            self.add(f"{where}.riskRules", "has no rule with condition 'default' (required)")
        elif defaults > 1:
            self.add(
                f"{where}.riskRules", f"has {defaults} 'default' rules; exactly one is allowed"
            )


def dumps_wa_lens(doc: dict) -> str:
    """The document as the JSON text to write (UTF-8, indented, stable key order).

    Parameters
    ----------
    doc : dict
        A custom-lens document, for example from :func:`export_wa_lens`.

    Returns
    -------
    str
        JSON text ending with a newline; :func:`validate_wa_lens` measures this text against
        the 500 KB limit.
    """
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# =========================================================================== export
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
        document; write it with :func:`dumps_wa_lens`.

    Raises
    ------
    WaLensError
        When a lens id is unknown, nothing is left to export, or the catalog cannot fit the
        Tool's limits (more than 10 pillars, more than 20 questions in a pillar, more than
        500 KB); the message says what to narrow.
    """
    known = {lens.id for lens in catalog.lenses}
    if lens_ids is not None:
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
    used_lenses = [lens for lens in catalog.lenses if any(p.lens == lens.id for p in practices)]
    if name is None:
        name = " + ".join(lens.title for lens in used_lenses) + " (jupyter-wellml)"
    lens_name = _title(name, MAX_NAME)
    if description is None:
        texts = [lens.description for lens in used_lenses if lens.description]
        description = " ".join(_one_line(t) for t in texts) or (
            f"{lens_name}: best practices by pillar and ML lifecycle phase, exported by "
            "jupyter-wellml."
        )
    lens_description = _clip(description, MAX_TEXT)
    if not lens_name or not lens_description:
        raise WaLensError("the custom lens needs a non-empty name and description")
    docs = next((u for lens in used_lenses if (u := _http_url(lens.docs))), None)

    phases = list(catalog.phases)
    known_phases = {ph.id for ph in phases}
    for extra in dict.fromkeys(p.phase for p in practices if p.phase not in known_phases):
        phases.append(Phase(extra, extra.replace("_", " ").capitalize(), ""))
    pillars = list(catalog.pillars)
    known_pillars = {pl.id for pl in pillars}
    for extra in dict.fromkeys(p.pillar for p in practices if p.pillar not in known_pillars):
        pillars.append(Pillar(extra, extra.replace("_", " ").capitalize()))

    used_pillar_ids: set[str] = set()
    used_question_ids: set[str] = set()
    out_pillars = []
    for pillar in pillars:
        mine = [p for p in practices if p.pillar == pillar.id]
        if not mine:
            continue
        wa_id = (
            pillar.wa_tool_id if pillar.wa_tool_id and _WA_ID.fullmatch(pillar.wa_tool_id) else None
        )
        wa_id = _unique(wa_id or _wa_safe(pillar.id), used_pillar_ids, 128)
        questions = []
        for phase in phases:
            group = [p for p in mine if p.phase == phase.id]
            questions.extend(_export_questions(pillar, phase, group, docs, used_question_ids))
        if len(questions) > MAX_QUESTIONS:
            raise WaLensError(
                f"pillar {pillar.id!r} needs {len(questions)} questions; the Tool allows "
                f"{MAX_QUESTIONS} per pillar. Export fewer lenses (lens_ids=...)"
            )
        out_pillars.append(
            {"id": wa_id, "name": _title(pillar.name, MAX_NAME), "questions": questions}
        )
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


def _export_questions(
    pillar: Pillar,
    phase: Phase,
    group: list[Practice],
    docs: str | None,
    used_question_ids: set[str],
) -> list[dict]:
    chunks = _split(group, MAX_CHOICES - 1)
    prefix = pillar.prefix or pillar.id.upper()
    out = []
    for part, chunk in enumerate(chunks, 1):
        # the _no choice appends 3 characters to the question id
        qid = _unique(_wa_safe(f"{prefix}_{phase.id}_{part}", 125), used_question_ids, 125)
        suffix = f" ({part} of {len(chunks)})" if len(chunks) > 1 else ""
        title = (
            _title(
                f"{phase.name}: which {pillar.name.lower()} practices are in place?",
                MAX_TITLE - len(suffix),
            )
            + suffix
        )
        described = (
            f"{pillar.name} practices for the {phase.name.lower()} phase of the ML lifecycle."
        )
        if phase.summary:
            described += f" {_one_line(phase.summary)}"
        question: dict[str, Any] = {
            "id": qid,
            "title": title,
            "description": _clip(described, MAX_TEXT),
        }
        helpful = _one_line(pillar.summary or phase.summary or "")
        if helpful:
            question["helpfulResource"] = {"displayText": _clip(helpful, MAX_TEXT)}
            if docs:
                question["helpfulResource"]["url"] = docs
        used_choice_ids: set[str] = set()
        choices, high = [], []
        for practice in chunk:
            cid = _wa_safe(practice.id)
            if cid.lower().endswith("_no"):
                cid += "_bp"  # an id ending in _no would read as "None of these"
            cid = _unique(cid, used_choice_ids, 128)
            choices.append(_export_choice(cid, practice))
            if practice.risk == "high":
                high.append(cid)
        ids = [c["id"] for c in choices]
        no_id = _unique(f"{qid}_no", used_choice_ids, 128)
        choices.append(
            {
                "id": no_id,
                "title": "None of these",
                "helpfulResource": {
                    "displayText": "Choose this when none of the practices above is in place yet."
                },
            }
        )
        rules = [{"condition": " && ".join(ids), "risk": "NO_RISK"}]
        if high and len(high) < len(ids):
            rules.append({"condition": " && ".join(high), "risk": "MEDIUM_RISK"})
        rules.append({"condition": "default", "risk": "HIGH_RISK" if high else "MEDIUM_RISK"})
        question["choices"] = choices
        question["riskRules"] = rules
        out.append(question)
    return out


def _export_choice(cid: str, practice: Practice) -> dict:
    url = _http_url(practice.docs)
    summary = _one_line(practice.summary or "") or _one_line(practice.title)
    helpful: dict[str, str] = {"displayText": _clip(summary, MAX_TEXT)}
    guidance = (practice.guidance or "").strip() or summary
    plan: dict[str, str] = {"displayText": _clip(guidance, MAX_TEXT)}
    if url:
        helpful["url"] = url
        plan["url"] = url
    return {
        "id": cid,
        "title": _title(practice.title),
        "helpfulResource": helpful,
        "improvementPlan": plan,
    }


# =========================================================================== import
class ImportResult(Value):
    """What :func:`import_wa_lens` wrote.

    Attributes
    ----------
    folder : Path
        The lens folder (holds ``lens.yaml`` and ``practices/``).
    lens_id, title : str
        Id and title written to ``lens.yaml``.
    pillars, questions : int
        Pillars and questions read from the file.
    practices : int
        Practice files written (one per choice that does not end in ``_no``).
    skipped_choices : int
        ``_no`` ("None of these") choices, which become no practice.
    new_pillars : tuple of str
        Pillar ids the lens defines (Tool pillars that are not Framework pillars).
    files : tuple of Path
        Every file written, ``lens.yaml`` first.
    warnings : list of str
        Quirks of the file that were tolerated, and what was done about each.
    """

    __slots__ = (
        "files",
        "folder",
        "lens_id",
        "new_pillars",
        "pillars",
        "practices",
        "questions",
        "skipped_choices",
        "title",
        "warnings",
    )

    def __init__(
        self,
        folder: Path,
        lens_id: str,
        title: str,
        pillars: int = 0,
        questions: int = 0,
        practices: int = 0,
        skipped_choices: int = 0,
        new_pillars: tuple[str, ...] = (),
        files: tuple[Path, ...] = (),
        warnings: list[str] | None = None,
    ) -> None:
        self.folder = folder
        self.lens_id = lens_id
        self.title = title
        self.pillars = pillars
        self.questions = questions
        self.practices = practices
        self.skipped_choices = skipped_choices
        self.new_pillars = new_pillars
        self.files = files
        self.warnings = [] if warnings is None else warnings


class _Builtin(Frozen):
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


_ID_IN_YAML = re.compile(r"\b(?:id|override):\s*[\"']?([A-Za-z][A-Za-z0-9_-]+)")


def _builtin() -> _Builtin:
    """Ids of the built-in lens, read from its files (practices need not be complete)."""
    lens_ids: set[str] = set()
    phases: list[str] = []
    pillars: set[str] = set()
    framework: dict[str, str] = {}
    practice_ids: set[str] = set()
    for folder in discover([builtin_lens_root()]):
        try:
            data = yaml.safe_load((folder / LENS_FILE).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            data = None
        if isinstance(data, dict):
            if isinstance(data.get("id"), str):
                lens_ids.add(data["id"])
            if not phases:  # only the base lens defines phases
                phases = [
                    ph["id"]
                    for ph in data.get("phases") or ()
                    if isinstance(ph, dict) and isinstance(ph.get("id"), str)
                ]
            for pl in data.get("pillars") or ():
                if isinstance(pl, dict) and isinstance(pl.get("id"), str):
                    pillars.add(pl["id"])
                    if isinstance(pl.get("wa_tool_id"), str):
                        framework[pl["wa_tool_id"]] = pl["id"]
        root = folder / PRACTICES_DIR
        for f in sorted(root.rglob("*.y*ml")) if root.is_dir() else ():
            try:
                text = f.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            practice_ids.update(normalize_id(m.group(1)) for m in _ID_IN_YAML.finditer(text))
            practice_ids.add(normalize_id(f.stem))
    for wa_id, ours in FRAMEWORK_PILLARS.items():
        framework.setdefault(wa_id, ours)
    return _Builtin(
        lens_ids=frozenset(lens_ids or {"ml"}),
        phases=tuple(phases) or _BUILTIN_PHASES,
        pillars=frozenset(pillars | set(FRAMEWORK_PILLARS.values())),
        framework=framework,
        practice_ids=frozenset(practice_ids),
    )


def _read_lens_file(path: Path) -> dict:
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


def _lens_id_from(stem: str, builtin: _Builtin) -> str:
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


def _lens_prefix(lens_id: str) -> str:
    for word in re.split(r"[^a-z0-9]+", lens_id):
        word = word.lstrip("0123456789")
        if len(word) < 2 or word in _PREFIX_STOP_WORDS or re.fullmatch(r"v\d*", word):
            continue
        return word.upper()[:12]
    return "WA"


def _slug(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)  # camelCase → camel_case
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"p_{slug}".rstrip("_")
    if len(slug) < 2:
        slug += "_p"
    return slug[:64].rstrip("_")


def _pillar_prefix(text: str) -> str:
    prefix = re.sub(r"[^A-Z0-9]", "", text.upper()).lstrip("0123456789")
    if len(prefix) < 2:
        prefix = ("P" + prefix + "X")[:2] if prefix else "PX"
    return prefix[:16]


def _question_field(qid: str) -> str:
    out = re.sub(r"[^A-Z0-9_-]+", "_", qid.upper()).strip("_-")
    if not out or not out[0].isalpha():
        out = f"Q{out}"
    return out.ljust(3, "_")[:_PRACTICE_ID_MAX]


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


def _practice_id(prefix: str, qid: str, cid: str, used: set[str]) -> str:
    q_parts = _id_parts(qid)
    rest = cid[len(qid) :] if cid.upper().startswith(qid.upper()) and len(cid) > len(qid) else cid
    c_parts = _id_parts(rest) or _id_parts(cid) or ["C"]
    parts = [prefix, *q_parts, *c_parts]
    if len("-".join(parts)) > _PRACTICE_ID_MAX:
        q_fit = _fit_parts(q_parts, _QUESTION_PART_MAX)
        room = _PRACTICE_ID_MAX - len(prefix) - 1 - (len("-".join(q_fit)) + 1 if q_fit else 0)
        parts = [prefix, *q_fit, *(_fit_parts(c_parts, room) or ["C"])]
    base = "-".join(parts)
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n:02d}"
        candidate = "-".join(_fit_parts(base.split("-"), _PRACTICE_ID_MAX - len(suffix))) + suffix
        n += 1
    used.add(candidate)
    return candidate


def import_wa_lens(
    path: str | Path,
    out_dir: str | Path,
    *,
    lens_id: str | None = None,
    phase: str = "business_goal",
    prefix: str | None = None,
    overwrite: bool = False,
) -> ImportResult:
    """Turn an AWS Well-Architected Tool custom lens (JSON) into a lens folder of ours.

    Parameters
    ----------
    path : str or Path
        The custom-lens JSON file (spaces in the name are fine).
    out_dir : str or Path
        The lens folder to write: ``lens.yaml`` and ``practices/<pillar>/<ID>.yaml``. It must
        be empty or missing unless ``overwrite`` is true.
    lens_id : str, optional
        Id of the new lens (``^[a-z][a-z0-9_-]{1,63}$``, not a built-in lens id). Default: made
        from the file name (``Amazon_ECS_Lens.json`` → ``amazon-ecs-lens``).
    phase : str, default "business_goal"
        Lifecycle phase the practices are placed in (Tool lenses have no phases); every
        practice lists all phases in ``phases`` so it shows in any notebook.
    prefix : str, optional
        First part of every practice id (``^[A-Z][A-Z0-9]{1,15}$``). Default: the first
        distinctive word of the lens id (``ECS``, ``DYNAMODB``, ``ORR``), or ``WA``.
    overwrite : bool, default False
        Replace the ``lens.yaml`` and ``practices/`` of an existing lens folder.

    Returns
    -------
    ImportResult
        The folder, counts, files written and warnings about tolerated quirks.

    Raises
    ------
    WaLensError
        When the file cannot be read, is not JSON, is not a custom lens (no pillars, no
        question with choices), or an argument or the output folder is unusable. The message
        names the file and the problem.
    """
    src = Path(path)
    folder = Path(out_dir)
    builtin = _builtin()
    if phase not in builtin.phases:
        raise WaLensError(f"unknown phase {phase!r}; known: {', '.join(builtin.phases)}")
    if lens_id is None:
        lens_id = _lens_id_from(src.stem, builtin)
    elif not _LENS_ID.fullmatch(lens_id):
        raise WaLensError(
            f"lens id {lens_id!r} must be 2 to 64 characters: a lower-case letter, then lower-case "
            "letters, digits, - or _"
        )
    elif lens_id in builtin.lens_ids:
        raise WaLensError(f"lens id {lens_id!r} is the built-in lens's id; choose another")
    if prefix is None:
        prefix = _lens_prefix(lens_id)
    elif not _PREFIX.fullmatch(prefix):
        raise WaLensError(
            f"prefix {prefix!r} must be 2 to 16 characters: an upper-case letter, then upper-case "
            "letters or digits"
        )
    doc = _read_lens_file(src)
    importer = _Importer(src, doc, lens_id, normalize_id(prefix), phase, builtin)
    importer.run()
    return importer.write(folder, overwrite=overwrite)


class _Importer:
    def __init__(self, src: Path, doc: dict, lens_id: str, prefix: str, phase: str, builtin):
        self.src = src
        self.doc = doc
        self.lens_id = lens_id
        self.prefix = prefix
        self.phase = phase
        self.builtin: _Builtin = builtin
        self.warnings: list[str] = []
        self.used_ids: set[str] = set(builtin.practice_ids)
        self.pillar_map: dict[str, str] = {}  # Tool pillar id → ours
        self.new_pillars: dict[str, dict] = {}
        self.practices: list[dict] = []
        self.n_pillars = self.n_questions = self.n_no = 0
        self.empty_urls = 0
        self.choice_descriptions = 0
        self.lens_name = ""

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # ---- the lens
    def run(self) -> None:
        doc = self.doc
        version = doc.get("schemaVersion")
        if version != SCHEMA_VERSION:
            self.warn(
                f"schemaVersion is {version!r}, not {SCHEMA_VERSION!r}; read it as {SCHEMA_VERSION}"
                if version is not None
                else f"schemaVersion is missing; read as {SCHEMA_VERSION}"
            )
        extra = sorted(
            k for k in doc if k not in ("schemaVersion", "name", "description", "pillars")
        )
        if extra:
            self.warn(f"top-level keys outside the format are ignored: {', '.join(extra)}")
        name = doc.get("name")
        if not isinstance(name, str) or len(_one_line(name)) < 3:
            self.warn(
                "the lens has no usable name; the title is taken from the file name "
                f"{self.src.name!r}"
            )
            name = self.src.stem.strip() or self.lens_id
        if len(_one_line(name)) > MAX_NAME:
            self.warn(f"the lens name is longer than {MAX_NAME} characters; cut")
        self.lens_name = _title(name, MAX_NAME)
        if len(self.lens_name) < 3:
            self.lens_name = self.lens_id
        for i, pillar in enumerate(doc["pillars"]):
            if not isinstance(pillar, dict):
                self.warn(f"pillars[{i}] is not an object; skipped")
                continue
            self.pillar(i, pillar)
        if self.empty_urls:
            self.warn(f"{self.empty_urls} empty-string url value(s) were read as 'no url'")
        if self.choice_descriptions:
            self.warn(
                f"{self.choice_descriptions} choice(s) carry a 'description' key, which the format "
                "does not define; its text was used as summary/guidance"
            )
        if not self.practices:
            raise WaLensError(
                f"{self.src}: no practice to import: every choice is a '_no' choice or unreadable"
            )

    def pillar(self, i: int, pillar: dict) -> None:
        self.n_pillars += 1
        wa_id = pillar.get("id")
        label = f"pillar {wa_id!r}" if isinstance(wa_id, str) else f"pillars[{i}]"
        if not isinstance(wa_id, str) or not wa_id.strip():
            self.warn(f"{label} has no id; its name is used instead")
            wa_id = str(pillar.get("name") or f"pillar_{i + 1}")
        ours = self.pillar_id(wa_id, pillar, label)
        questions = pillar.get("questions")
        if not isinstance(questions, list) or not questions:
            self.warn(f"{label} has no questions; skipped")
            return
        if len(questions) > MAX_QUESTIONS:
            self.warn(f"{label} has {len(questions)} questions (the format allows {MAX_QUESTIONS})")
        for j, question in enumerate(questions):
            if not isinstance(question, dict):
                self.warn(f"{label}, questions[{j}] is not an object; skipped")
                continue
            self.question(ours, j, question, label)

    def pillar_id(self, wa_id: str, pillar: dict, label: str) -> str:
        if wa_id in self.pillar_map:
            return self.pillar_map[wa_id]
        framework = self.builtin.framework.get(wa_id)
        if framework is not None:
            self.pillar_map[wa_id] = framework
            return framework
        slug = _slug(wa_id)
        taken = self.builtin.pillars | set(self.new_pillars)
        if slug in taken:
            base = _slug(f"{self.lens_id}_{slug}")
            slug, n = base, 2
            while slug in taken:
                slug = f"{base[:60]}_{n}"
                n += 1
            framework_like = [k for k in self.builtin.framework if k.lower() == wa_id.lower()]
            hint = (
                f" (Framework pillar ids are case-sensitive: {framework_like[0]!r})"
                if framework_like
                else ""
            )
            self.warn(
                f"{label} is not a Framework pillar id{hint} and its slug collides with a "
                f"built-in pillar; imported as the new pillar {slug!r}"
            )
        raw_name = pillar.get("name")
        name = _one_line(raw_name) if isinstance(raw_name, str) and raw_name.strip() else wa_id
        if len(name) > _PILLAR_NAME_MAX:
            self.warn(f"{label}: name longer than {_PILLAR_NAME_MAX} characters; cut")
        entry = {
            "id": slug,
            "name": _title(name, _PILLAR_NAME_MAX),
            "prefix": _pillar_prefix(wa_id),
        }
        self.new_pillars[slug] = entry
        self.pillar_map[wa_id] = slug
        return slug

    # ---- questions
    def question(self, pillar: str, j: int, question: dict, pillar_label: str) -> None:
        self.n_questions += 1
        qid = question.get("id")
        if not isinstance(qid, str) or not qid.strip():
            qid = f"Q{self.n_questions}"
            self.warn(f"{pillar_label}, questions[{j}] has no id; called {qid}")
        label = f"question {qid}"
        qtitle = question.get("title")
        if not isinstance(qtitle, str) or not qtitle.strip():
            self.warn(f"{label} has no title")
            qtitle = qid
        qtitle = _one_line(qtitle)
        choices = question.get("choices")
        if not isinstance(choices, list) or not choices:
            self.warn(f"{label} has no choices; skipped")
            return
        if len(choices) > MAX_CHOICES:
            self.warn(f"{label} has {len(choices)} choices (the format allows {MAX_CHOICES})")
        readable: list[dict] = []
        seen: set[str] = set()
        for k, choice in enumerate(choices):
            if (
                not isinstance(choice, dict)
                or not isinstance(choice.get("id"), str)
                or not choice["id"].strip()
            ):
                self.warn(f"{label}, choices[{k}] has no id; skipped")
                continue
            if choice["id"] in seen:
                self.warn(f"{label}: choice id {choice['id']!r} is used twice; both are imported")
            seen.add(choice["id"])
            if choice["id"].endswith("_no"):
                self.n_no += 1
                continue
            readable.append(choice)
        risks = self.risks(label, [c["id"] for c in readable], question.get("riskRules"))
        q_url = self.url_of(question.get("helpfulResource"))
        for choice in readable:
            self.practice(pillar, qid, qtitle, choice, risks[choice["id"]], q_url)

    def risks(self, label: str, ids: list[str], rules: Any) -> dict[str, str]:
        """Risk level of every choice (see the module docstring for the rule)."""
        if not isinstance(rules, list) or not rules:
            self.warn(f"{label} has no risk rules; its practices are imported as medium risk")
            return dict.fromkeys(ids, "medium")
        parsed: list[tuple[Any, str, str]] = []  # (tree | "default" | None, risk, text)
        seen_conditions: dict[str, int] = {}
        seen_risks: set[str] = set()
        ok = True
        for r, rule in enumerate(rules):
            if not isinstance(rule, dict):
                self.warn(f"{label}: riskRules[{r}] is not an object; ignored")
                continue
            risk, condition = rule.get("risk"), rule.get("condition")
            if risk not in RISK_LEVELS or not isinstance(condition, str) or not condition.strip():
                self.warn(f"{label}: riskRules[{r}] has no valid risk or condition; ignored")
                continue
            if risk in seen_risks:
                self.warn(f"{label}: more than one {risk} rule (the format allows one per level)")
            seen_risks.add(risk)
            key = "".join(condition.split())
            if key in seen_conditions:
                self.warn(
                    f"{label}: riskRules[{r}] repeats the condition of riskRules"
                    f"[{seen_conditions[key]}]; only the first of them can ever apply"
                )
            seen_conditions.setdefault(key, r)
            if condition.strip() == "default":
                parsed.append(("default", risk, condition))
                continue
            try:
                tree = _parse_condition(condition)
            except _ConditionError as exc:
                self.warn(f"{label}: condition {condition!r} cannot be read ({exc})")
                parsed.append((None, risk, condition))
                ok = False
                continue
            unknown = sorted({n for n, _ in _names(tree) if n not in ids})
            if unknown:
                self.warn(
                    f"{label}: condition {condition!r} names {', '.join(unknown)}, "
                    "which is no choice of the question (read as never selected)"
                )
            parsed.append((tree, risk, condition))
        if len(rules) > MAX_RULES:
            self.warn(f"{label} has {len(rules)} risk rules (the format allows {MAX_RULES})")
        if not parsed:
            self.warn(f"{label} has no usable risk rule; its practices are imported as medium risk")
            return dict.fromkeys(ids, "medium")
        defaults = [risk for tree, risk, _ in parsed if tree == "default"]
        if not defaults:
            self.warn(
                f"{label} has no 'default' risk rule (the format requires one); the import "
                "assumes HIGH_RISK when no condition holds"
            )
        default = defaults[0] if defaults else "HIGH_RISK"
        if parsed and all(risk == "NO_RISK" for _, risk, _ in parsed):
            self.warn(
                f"{label} is informational (only NO_RISK rules): answering never raises risk; "
                "its practices are imported as medium risk"
            )
            return dict.fromkeys(ids, "medium")
        raising: dict[str, None] = {}
        for tree, risk, condition in parsed:
            if risk != "HIGH_RISK" or tree == "default":
                continue
            names = _names(tree) if isinstance(tree, tuple) else _names_by_tokens(condition)
            raising.update((n, None) for n, negated in names if not negated and n in ids)
        for name in raising:
            self.warn(
                f"{label}: selecting choice {name} raises the risk (it is in a HIGH_RISK "
                "condition); it is imported as a practice, so check its wording"
            )

        def risk_of(selected: set[str]) -> str:
            for tree, risk, _ in parsed:
                if tree == "default" or (isinstance(tree, tuple) and _evaluate(tree, selected)):
                    return risk
            return default

        everything = set(ids)
        if ok and risk_of(everything) != "HIGH_RISK":
            return {
                c: "high" if risk_of(everything - {c}) == "HIGH_RISK" else "medium" for c in ids
            }
        if ok:
            self.warn(
                f"{label}: selecting every choice is still HIGH_RISK; risk levels are derived "
                "from where each choice appears in the conditions"
            )
        out = dict.fromkeys(ids, "medium")
        for tree, risk, condition in parsed:
            if tree == "default":
                continue
            names = _names(tree) if isinstance(tree, tuple) else _names_by_tokens(condition)
            for name, negated in names:
                if name not in out:
                    continue
                if (
                    risk in ("NO_RISK", "MEDIUM_RISK") and not negated and default == "HIGH_RISK"
                ) or (risk == "HIGH_RISK" and negated):
                    out[name] = "high"
        return out

    # ---- practices
    def url_of(self, resource: Any) -> str | None:
        if not isinstance(resource, dict) or "url" not in resource:
            return None
        value = resource["url"]
        if isinstance(value, str) and not value.strip():
            self.empty_urls += 1
            return None
        url = _http_url(value)
        if url is None:
            self.warn(f"url {value!r} is not an http(s) URL; ignored")
        return url

    @staticmethod
    def text_of(resource: Any) -> str:
        if isinstance(resource, dict) and isinstance(resource.get("displayText"), str):
            return resource["displayText"].strip()
        return ""

    def practice(self, pillar: str, qid: str, qtitle: str, choice: dict, risk: str, q_url):
        cid = choice["id"]
        label = f"question {qid}, choice {cid}"
        title = choice.get("title")
        if not isinstance(title, str) or len(_one_line(title)) < 3:
            self.warn(f"{label} has no usable title; its id is used")
            title = cid if len(cid) >= 3 else f"{qtitle} {cid}"
        if len(_one_line(title)) > MAX_TITLE:
            self.warn(f"{label}: title longer than {MAX_TITLE} characters; cut")
        title = _title(title)

        helpful = choice.get("helpfulResource")
        plan = choice.get("improvementPlan")
        description = choice.get("description")
        if "description" in choice:
            self.choice_descriptions += 1
        description = description.strip() if isinstance(description, str) else ""

        summary_source = self.text_of(helpful) or description or title
        summary = _clip(_one_line(summary_source), _SUMMARY_MAX)
        if len(summary) < _SUMMARY_MIN:
            summary = _clip(f"{summary} (practice from {self.lens_name})", _SUMMARY_MAX)

        guidance_parts = []
        plan_text = self.text_of(plan)
        if plan is None:
            self.warn(f"{label} has no improvementPlan (the format requires one)")
        if plan_text:
            guidance_parts.append(plan_text)
        if description and description != summary_source:
            guidance_parts.append(description)
        urls = [self.url_of(helpful), self.url_of(plan)]
        extras = choice.get("additionalResources")
        if isinstance(extras, list):
            lines = []
            for extra in extras:
                content = extra.get("content") if isinstance(extra, dict) else None
                for item in content if isinstance(content, list) else ():
                    text, url = self.text_of(item), self.url_of(item)
                    urls.append(url)
                    if text and url:
                        lines.append(f"- {_one_line(text)} ({url})")
                    elif text or url:
                        lines.append(f"- {_one_line(text or url)}")
            if lines:
                guidance_parts.append("Further resources:\n" + "\n".join(lines))
        elif extras is not None:
            self.warn(f"{label}: additionalResources is not an array; ignored")
        guidance = "\n\n".join(guidance_parts)
        if len(guidance.strip()) < _GUIDANCE_MIN:
            source = (
                f'Imported from the AWS Well-Architected Tool custom lens "{self.lens_name}", '
                f"question {qid}: {qtitle}"
            )
            source += "" if source.endswith((".", "?", "!")) else "."
            guidance = f"{guidance}\n\n{source}".strip()
        guidance = _clip(guidance, _GUIDANCE_MAX)
        docs = next((u for u in [*urls, q_url] if u), None)

        pid = _practice_id(self.prefix, qid, cid, self.used_ids)
        practice: dict[str, Any] = {
            "id": pid,
            "title": title,
            "pillar": pillar,
            "phase": self.phase,
            "phases": list(self.builtin.phases),
            "question": _question_field(qid),
            "risk": risk,
            "summary": summary,
            "guidance": guidance,
        }
        if docs:
            practice["docs"] = docs
        practice["evidence"] = "attest"
        self.practices.append(practice)

    # ---- output
    def write(self, folder: Path, *, overwrite: bool) -> ImportResult:
        manifest = folder / LENS_FILE
        practices_dir = folder / PRACTICES_DIR
        if folder.exists() and not folder.is_dir():
            raise WaLensError(f"{folder}: exists and is not a folder")
        if folder.is_dir() and any(folder.iterdir()):
            if not overwrite:
                raise WaLensError(
                    f"{folder}: the folder is not empty; choose a new folder or overwrite it"
                )
            if manifest.is_file():
                manifest.unlink()
            if practices_dir.is_dir():
                shutil.rmtree(practices_dir)
        description = self.doc.get("description")
        if isinstance(description, str) and description.strip():
            if len(description) > MAX_TEXT:
                self.warn(f"the lens description is longer than {MAX_TEXT} characters; cut")
            description = _clip(description, MAX_TEXT)
        else:
            self.warn("the lens has no description")
            description = (
                f"Imported from the AWS Well-Architected Tool custom lens {self.src.name}."
            )
        lens: dict[str, Any] = {
            "schema": "wellml-lens/v1",
            "id": self.lens_id,
            "title": self.lens_name,
            "description": description,
        }
        if self.new_pillars:
            lens["pillars"] = list(self.new_pillars.values())
        header = (
            f"# Imported by jupyter-wellml from the AWS Well-Architected Tool custom lens "
            f"{_one_line(self.src.name)}\n"
        )
        files = [manifest]
        practices_dir.mkdir(parents=True, exist_ok=True)
        _write_yaml(manifest, lens, header)
        for practice in self.practices:
            target = practices_dir / practice["pillar"] / f"{practice['id']}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_yaml(target, practice)
            files.append(target)
        return ImportResult(
            folder=folder,
            lens_id=self.lens_id,
            title=self.lens_name,
            pillars=self.n_pillars,
            questions=self.n_questions,
            practices=len(self.practices),
            skipped_choices=self.n_no,
            new_pillars=tuple(self.new_pillars),
            files=tuple(files),
            warnings=list(self.warnings),
        )


def _write_yaml(path: Path, data: dict, header: str = "") -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)
    path.write_text(header + text, "utf-8")
