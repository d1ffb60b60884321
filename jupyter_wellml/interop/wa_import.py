"""A WA Tool custom lens (JSON) → a lens folder of ours (:func:`import_wa_lens`).

``lens.yaml`` and ``practices/<pillar>/<ID>.yaml``, one practice per choice; ``_no`` choices
are skipped. Framework pillar ids (``operationalExcellence`` …) map onto the built-in pillars
(their ``wa_tool_id``); any other pillar id becomes a pillar of the new lens. Practice ids are
made as :mod:`.wa_import_ids` says.

*Risk* is "the risk when the practice is missing": the question's rules are evaluated, in order,
with every other (non-``_no``) choice selected and this one not. If that gives ``HIGH_RISK``
(and selecting every choice does not), the practice is ``high``; otherwise ``medium``. A
question without a ``default`` rule is evaluated as if its default were ``HIGH_RISK``. When a
condition cannot be parsed, or selecting every choice is already high risk, a syntactic rule
is used instead: a choice is ``high`` when it appears (not negated) in a ``NO_RISK`` or
``MEDIUM_RISK`` condition of a question whose default is ``HIGH_RISK``, or appears negated
(``!X``) in a ``HIGH_RISK`` condition; otherwise ``medium``. Informational questions (only
``NO_RISK`` rules) give ``medium`` practices.

Quirks of real files (empty-string URLs, a choice-level ``description``, a missing ``default``
rule, repeated conditions, file names with spaces, ``NO_RISK``-only lenses, missing optional
fields) are tolerated and reported in :attr:`ImportResult.warnings`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..catalog import normalize_id
from ..catalog.loader import LENS_FILE, PRACTICES_DIR
from ..values import Value
from .wa_format import (
    MAX_CHOICES,
    MAX_NAME,
    MAX_QUESTIONS,
    MAX_RULES,
    MAX_TEXT,
    MAX_TITLE,
    RISK_LEVELS,
    SCHEMA_VERSION,
    ConditionError,
    WaLensError,
    condition_names,
    condition_names_by_tokens,
    evaluate,
    parse_condition,
)
from .wa_import_ids import (
    LENS_ID,
    PREFIX,
    Builtin,
    builtin,
    lens_id_from,
    lens_prefix,
    pillar_prefix,
    practice_id,
    question_field,
    read_lens_file,
    slug_of,
)
from .wa_text import clip, http_url, one_line, title_line

__all__ = ["ImportResult", "import_wa_lens"]

# our lens format (schemas/lens.v1.json and practice.v1.json)
_SUMMARY_MIN, _SUMMARY_MAX = 10, 300
_GUIDANCE_MIN, _GUIDANCE_MAX = 40, 4000
_PILLAR_NAME_MAX = 64


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


def import_wa_lens(
    path: str | Path,
    out_dir: str | Path,
    *,
    lens_id: str | None = None,
    phase: str | None = None,
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
    phase : str, optional
        Lifecycle phase the practices are placed in (Tool lenses have no phases; default: the
        built-in lens's first phase); every practice lists all phases in ``phases`` so it
        shows in any notebook.
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
    known = builtin()
    if phase is None:
        phase = known.phases[0]
    if phase not in known.phases:
        raise WaLensError(f"unknown phase {phase!r}; known: {', '.join(known.phases)}")
    if lens_id is None:
        lens_id = lens_id_from(src.stem, known)
    elif not LENS_ID.fullmatch(lens_id):
        raise WaLensError(
            f"lens id {lens_id!r} must be 2 to 64 characters: a lower-case letter, then lower-case "
            "letters, digits, - or _"
        )
    elif lens_id in known.lens_ids:
        raise WaLensError(f"lens id {lens_id!r} is the built-in lens's id; choose another")
    if prefix is None:
        prefix = lens_prefix(lens_id)
    elif not PREFIX.fullmatch(prefix):
        raise WaLensError(
            f"prefix {prefix!r} must be 2 to 16 characters: an upper-case letter, then upper-case "
            "letters or digits"
        )
    doc = read_lens_file(src)
    importer = _Importer(src, doc, lens_id, normalize_id(prefix), phase, known)
    importer.run()
    return importer.write(folder, overwrite=overwrite)


#: a read risk rule: (condition tree | "default" | None when unreadable, risk, condition text)
_Rule = tuple[Any, str, str]


def _names(tree: Any, condition: str) -> Iterable[tuple[str, bool]]:
    """``(choice id, negated)`` named by a condition (by its tokens when it could not be read)."""
    return (
        condition_names(tree) if isinstance(tree, tuple) else condition_names_by_tokens(condition)
    )


def _risk_of(parsed: list[_Rule], default: str, selected: set[str]) -> str:
    """The risk the rules give when ``selected`` are the selected choices."""
    for tree, risk, _ in parsed:
        if tree == "default" or (isinstance(tree, tuple) and evaluate(tree, selected)):
            return risk
    return default


def _risk_by_position(ids: list[str], parsed: list[_Rule], default: str) -> dict[str, str]:
    """Risk levels from where each choice appears in the conditions (when leaving one choice
    out cannot tell: a condition is unreadable, or selecting all is still high risk)."""
    out = dict.fromkeys(ids, "medium")
    for tree, risk, condition in parsed:
        if tree == "default":
            continue
        for name, negated in _names(tree, condition):
            if name not in out:
                continue
            if (risk in ("NO_RISK", "MEDIUM_RISK") and not negated and default == "HIGH_RISK") or (
                risk == "HIGH_RISK" and negated
            ):
                out[name] = "high"
    return out


class _Importer:
    def __init__(self, src: Path, doc: dict, lens_id: str, prefix: str, phase: str, builtin):
        self.src = src
        self.doc = doc
        self.lens_id = lens_id
        self.prefix = prefix
        self.phase = phase
        self.builtin: Builtin = builtin
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

    def items(self, label: str, value: Any, what: str, limit: int) -> list | None:
        """``value``, the list of ``what`` of ``label``; None, with a warning that it is skipped,
        when it is no list or empty. Over the format's ``limit``, a warning too."""
        if not isinstance(value, list) or not value:
            self.warn(f"{label} has no {what}; skipped")
            return None
        if len(value) > limit:
            self.warn(f"{label} has {len(value)} {what} (the format allows {limit})")
        return value

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
        if not isinstance(name, str) or len(one_line(name)) < 3:
            self.warn(
                "the lens has no usable name; the title is taken from the file name "
                f"{self.src.name!r}"
            )
            name = self.src.stem.strip() or self.lens_id
        if len(one_line(name)) > MAX_NAME:
            self.warn(f"the lens name is longer than {MAX_NAME} characters; cut")
        self.lens_name = title_line(name, MAX_NAME)
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
        questions = self.items(label, pillar.get("questions"), "questions", MAX_QUESTIONS)
        if questions is None:
            return
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
        slug = slug_of(wa_id)
        taken = self.builtin.pillars | set(self.new_pillars)
        if slug in taken:
            base = slug_of(f"{self.lens_id}_{slug}")
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
        name = one_line(raw_name) if isinstance(raw_name, str) and raw_name.strip() else wa_id
        if len(name) > _PILLAR_NAME_MAX:
            self.warn(f"{label}: name longer than {_PILLAR_NAME_MAX} characters; cut")
        entry = {
            "id": slug,
            "name": title_line(name, _PILLAR_NAME_MAX),
            "prefix": pillar_prefix(wa_id),
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
        qtitle = one_line(qtitle)
        choices = self.items(label, question.get("choices"), "choices", MAX_CHOICES)
        if choices is None:
            return
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
        parsed, ok = self.read_rules(label, ids, rules)
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
        self.warn_raising(label, ids, parsed)
        everything = set(ids)
        if ok and _risk_of(parsed, default, everything) != "HIGH_RISK":
            return {
                c: "high"
                if _risk_of(parsed, default, everything - {c}) == "HIGH_RISK"
                else "medium"
                for c in ids
            }
        if ok:
            self.warn(
                f"{label}: selecting every choice is still HIGH_RISK; risk levels are derived "
                "from where each choice appears in the conditions"
            )
        return _risk_by_position(ids, parsed, default)

    def read_rules(self, label: str, ids: list[str], rules: list) -> tuple[list[_Rule], bool]:
        """The usable risk rules of a question, and whether every condition could be read."""
        parsed: list[_Rule] = []
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
            parsed.append(self.read_condition(label, ids, risk, condition))
            ok = ok and parsed[-1][0] is not None
        return parsed, ok

    def read_condition(self, label: str, ids: list[str], risk: str, condition: str) -> _Rule:
        """``(tree | "default" | None, risk, text)`` of one rule (None: it cannot be read)."""
        if condition.strip() == "default":
            return ("default", risk, condition)
        try:
            tree = parse_condition(condition)
        except ConditionError as exc:
            self.warn(f"{label}: condition {condition!r} cannot be read ({exc})")
            return (None, risk, condition)
        unknown = sorted({n for n, _ in condition_names(tree) if n not in ids})
        if unknown:
            self.warn(
                f"{label}: condition {condition!r} names {', '.join(unknown)}, "
                "which is no choice of the question (read as never selected)"
            )
        return (tree, risk, condition)

    def warn_raising(self, label: str, ids: list[str], parsed: list[_Rule]) -> None:
        """A warning for each choice whose selection raises the risk (a HIGH_RISK condition)."""
        raising: dict[str, None] = {}
        for tree, risk, condition in parsed:
            if risk != "HIGH_RISK" or tree == "default":
                continue
            raising.update(
                (n, None) for n, negated in _names(tree, condition) if not negated and n in ids
            )
        for name in raising:
            self.warn(
                f"{label}: selecting choice {name} raises the risk (it is in a HIGH_RISK "
                "condition); it is imported as a practice, so check its wording"
            )

    # ---- practices
    def url_of(self, resource: Any) -> str | None:
        if not isinstance(resource, dict) or "url" not in resource:
            return None
        value = resource["url"]
        if isinstance(value, str) and not value.strip():
            self.empty_urls += 1
            return None
        url = http_url(value)
        if url is None:
            self.warn(f"url {value!r} is not an http(s) URL; ignored")
        return url

    @staticmethod
    def text_of(resource: Any) -> str:
        if isinstance(resource, dict) and isinstance(resource.get("displayText"), str):
            return resource["displayText"].strip()
        return ""

    def practice_title(self, label: str, cid: str, qtitle: str, choice: dict) -> str:
        title = choice.get("title")
        if not isinstance(title, str) or len(one_line(title)) < 3:
            self.warn(f"{label} has no usable title; its id is used")
            title = cid if len(cid) >= 3 else f"{qtitle} {cid}"
        if len(one_line(title)) > MAX_TITLE:
            self.warn(f"{label}: title longer than {MAX_TITLE} characters; cut")
        return title_line(title)

    def further_resources(self, label: str, extras: Any, urls: list[str | None]) -> str | None:
        """The choice's additionalResources as a list of lines (their URLs added to ``urls``)."""
        if not isinstance(extras, list):
            if extras is not None:
                self.warn(f"{label}: additionalResources is not an array; ignored")
            return None
        lines = []
        for extra in extras:
            content = extra.get("content") if isinstance(extra, dict) else None
            for item in content if isinstance(content, list) else ():
                text, url = self.text_of(item), self.url_of(item)
                urls.append(url)
                if text and url:
                    lines.append(f"- {one_line(text)} ({url})")
                elif text or url:
                    lines.append(f"- {one_line(text or url)}")
        return "Further resources:\n" + "\n".join(lines) if lines else None

    def guidance(self, qid: str, qtitle: str, parts: list[str]) -> str:
        """The practice's guidance from its parts, with where it came from when that is short."""
        guidance = "\n\n".join(parts)
        if len(guidance.strip()) < _GUIDANCE_MIN:
            source = (
                f'Imported from the AWS Well-Architected Tool custom lens "{self.lens_name}", '
                f"question {qid}: {qtitle}"
            )
            source += "" if source.endswith((".", "?", "!")) else "."
            guidance = f"{guidance}\n\n{source}".strip()
        return clip(guidance, _GUIDANCE_MAX)

    def practice(self, pillar: str, qid: str, qtitle: str, choice: dict, risk: str, q_url):
        cid = choice["id"]
        label = f"question {qid}, choice {cid}"
        title = self.practice_title(label, cid, qtitle, choice)

        helpful = choice.get("helpfulResource")
        plan = choice.get("improvementPlan")
        description = choice.get("description")
        if "description" in choice:
            self.choice_descriptions += 1
        description = description.strip() if isinstance(description, str) else ""

        summary_source = self.text_of(helpful) or description or title
        summary = clip(one_line(summary_source), _SUMMARY_MAX)
        if len(summary) < _SUMMARY_MIN:
            summary = clip(f"{summary} (practice from {self.lens_name})", _SUMMARY_MAX)

        guidance_parts = []
        plan_text = self.text_of(plan)
        if plan is None:
            self.warn(f"{label} has no improvementPlan (the format requires one)")
        if plan_text:
            guidance_parts.append(plan_text)
        if description and description != summary_source:
            guidance_parts.append(description)
        urls = [self.url_of(helpful), self.url_of(plan)]
        further = self.further_resources(label, choice.get("additionalResources"), urls)
        if further:
            guidance_parts.append(further)
        guidance = self.guidance(qid, qtitle, guidance_parts)
        docs = next((u for u in [*urls, q_url] if u), None)

        pid = practice_id(self.prefix, qid, cid, self.used_ids)
        practice: dict[str, Any] = {
            "id": pid,
            "title": title,
            "pillar": pillar,
            "phase": self.phase,
            "phases": list(self.builtin.phases),
            "question": question_field(qid),
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
            description = clip(description, MAX_TEXT)
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
            f"{one_line(self.src.name)}\n"
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
