"""Find lens folders, load and validate them, and merge them into one :class:`Catalog`.

Order: the built-in lens, then lens folders in Jupyter's data directories
(``share/jupyter/wellml/lenses/<name>/``), then the configured ``lens_paths``. A broken
practice is skipped and reported as ``file:line: pointer: message`` while the rest load;
a practice id that two lenses define is refused, naming both files; a team lens changes a
practice of another lens only through an ``override:`` file that names it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LensIssue, UnknownPracticeError
from .cache import load_catalog, load_lens_dirs  # noqa: F401 - part of this module's API (cached)
from .catalog import Catalog, normalize_id
from .model import (
    Alias,
    LensInfo,
    Phase,
    Pillar,
    Practice,
    Principle,
    Rule,
    Source,
    walk_matchers,
)

if TYPE_CHECKING:
    from .yamlsource import YamlDocument

from . import locate
from .locate import LENS_FILE, PRACTICES_DIR, lens_files  # noqa: F401 - part of this module's API


def builtin_lens_root() -> Path:
    """The folder holding the built-in lens folders (inside the wheel, or the checkout's ``lens/``)."""
    return Path(locate.builtin_lens_root())


def data_dir_lens_roots() -> list[Path]:
    return [Path(p) for p in locate.data_dir_lens_roots()]


def discover(paths: Iterable[os.PathLike | str]) -> list[Path]:
    """Lens folders below ``paths`` (see :func:`.locate.discover`)."""
    return [Path(p) for p in locate.discover(paths)]


def default_lens_dirs(
    lens_paths: Sequence[os.PathLike | str] = (), *, data_dirs: bool = True
) -> list[Path]:
    return [Path(p) for p in locate.default_lens_dirs(lens_paths, data_dirs=data_dirs)]


# --------------------------------------------------------------------------- loading
def merge_lens_dirs(dirs: Sequence[os.PathLike | str], *, fingerprint: str = "") -> Catalog:
    """Read, validate and merge these lens folders (no cache: see :func:`.cache.load_lens_dirs`)."""
    return _Merger(builtin_root=Path(builtin_lens_root())).merge(
        [Path(d) for d in dirs], fingerprint=fingerprint
    )


def check_lens_dir(path: os.PathLike | str) -> tuple[Catalog, list[LensIssue]]:
    """Load ``path`` on top of the built-in lens; return the catalog and the issues of ``path``."""
    target = Path(path)
    dirs = discover([target])
    if not dirs:
        issue = LensIssue(
            str(target), None, "", f"no {LENS_FILE} here or in a sub-folder: not a lens folder"
        )
        return load_lens_dirs(default_lens_dirs(data_dirs=False), cache=False), [issue]
    builtin = discover([builtin_lens_root()])
    mine_real = {os.path.realpath(x) for x in dirs}  # strings and Paths alike
    catalog = load_lens_dirs(
        [*(d for d in builtin if os.path.realpath(d) not in mine_real), *dirs],
        cache=False,
    )
    prefixes = tuple(str(d) for d in dirs)
    mine = [i for i in catalog.issues if i.path.startswith(prefixes)]
    return catalog, mine


class _Merger:
    """Builds one catalog from lens folders, collecting every issue instead of stopping."""

    def __init__(self, builtin_root: Path):
        self.builtin_root = builtin_root.resolve()
        self.issues: list[LensIssue] = []
        self.lenses: list[LensInfo] = []
        self.phases: list[Phase] = []
        self.phases_from: str | None = None
        self.pillars: dict[str, Pillar] = {}
        self.principles: list[Principle] = []
        self.practices: dict[str, Practice] = {}
        self.overrides: list[tuple[str, dict, YamlDocument, Path]] = []

    # ---- issues
    def issue(
        self,
        path: Path | str,
        doc: YamlDocument | None,
        pointer: str,
        message: str,
        severity="error",
    ):
        line = doc.line_of(pointer) if doc is not None else None
        self.issues.append(LensIssue(str(path), line, pointer, message, severity))

    # ---- main
    def merge(self, dirs: Sequence[Path | str], *, fingerprint: str) -> Catalog:
        for d in dirs:
            self._load_lens(Path(d))
        for lens_id, data, doc, path in self.overrides:
            self._apply_override(lens_id, data, doc, path)
        self._check_aliases()
        return Catalog(
            lenses=tuple(self.lenses),
            phases=tuple(self.phases),
            pillars=tuple(self.pillars.values()),
            principles=tuple(self.principles),
            practices=tuple(self.practices.values()),
            issues=tuple(self.issues),
            fingerprint=fingerprint,
        )

    def _read(self, path: Path) -> YamlDocument | None:
        from .yamlsource import MAX_BYTES, YamlSyntaxError, load_yaml

        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self.issue(
                    path, None, "", f"the file has {size} bytes; a lens file may have {MAX_BYTES}"
                )
                return None
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            self.issue(path, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None
        except OSError as exc:
            self.issue(path, None, "", f"cannot read: {exc.strerror or exc}")
            return None
        try:
            return load_yaml(text)
        except YamlSyntaxError as exc:
            self.issues.append(LensIssue(str(path), exc.line, "", f"YAML error: {exc}"))
            return None

    def _load_lens(self, d: Path) -> None:
        manifest = d / LENS_FILE
        doc = self._read(manifest)
        if doc is None:
            return
        from . import schema

        problems = schema.errors("lens.v1", doc.data)
        if problems:
            for pointer, message in problems:
                self.issue(manifest, doc, pointer, message)
            self.issue(manifest, doc, "", "lens skipped: its lens.yaml is not valid")
            return
        data = doc.data
        lens_id = data["id"]
        if any(x.id == lens_id for x in self.lenses):
            other = next(x for x in self.lenses if x.id == lens_id)
            self.issue(
                manifest,
                doc,
                "/id",
                f"lens id {lens_id!r} is already used by {other.path}; lens skipped",
            )
            return
        builtin = d.resolve().is_relative_to(self.builtin_root)
        self.lenses.append(
            LensInfo(
                id=lens_id,
                title=data["title"],
                path=str(d),
                edition=data.get("edition"),
                description=data.get("description"),
                docs=data.get("docs"),
                builtin=builtin,
            )
        )
        if "phases" in data:
            if self.phases:
                self.issue(
                    manifest,
                    doc,
                    "/phases",
                    f"phases are already defined by lens {self.phases_from!r}; a team lens uses "
                    "those phases and cannot define its own (ignored)",
                    "warning",
                )
            else:
                self.phases = [
                    Phase(p["id"], p["name"], p["summary"], tuple(p.get("words", ())))
                    for p in data["phases"]
                ]
                self.phases_from = lens_id
        for i, p in enumerate(data.get("pillars", ())):
            pillar = Pillar(
                p["id"], p["name"], p.get("prefix"), p.get("wa_tool_id"), p.get("summary"), lens_id
            )
            known = self.pillars.get(p["id"])
            if known is None:
                self.pillars[p["id"]] = pillar
            elif (known.name, known.prefix) != (pillar.name, pillar.prefix):
                self.issue(
                    manifest,
                    doc,
                    f"/pillars/{i}",
                    f"pillar {p['id']!r} is already defined by lens {known.lens!r} with other "
                    "values; the first definition is kept",
                    "warning",
                )
        self.principles.extend(Principle(**p) for p in data.get("design_principles", ()))
        for f in [Path(x) for x in lens_files(d)][1:]:
            self._load_practice(lens_id, f)

    def _load_practice(self, lens_id: str, path: Path) -> None:
        doc = self._read(path)
        if doc is None:
            return
        data = doc.data
        if not isinstance(data, dict):
            self.issue(
                path, doc, "", "a practice file must hold a mapping (id, title, ...); file skipped"
            )
            return
        from . import schema

        problems = schema.errors("practice.v1", data)
        if problems:
            for pointer, message in problems:
                self.issue(path, doc, pointer, message)
            label = data.get("id") or data.get("override") or path.stem
            self.issue(path, doc, "", f"practice {label} skipped because of the errors above")
            return
        if "override" in data:
            self.overrides.append((lens_id, data, doc, path))
            return
        if not self._check_semantics(data, doc, path):
            return
        pid = data["id"]
        if pid in self.practices:
            other = self.practices[pid]
            self.issue(
                path,
                doc,
                "/id",
                f"duplicate practice id {pid}: already defined at {other.source} (lens {other.lens!r}); "
                "this one is skipped. To change that practice, write `override: "
                f"{pid}` instead of `id: {pid}`",
            )
            return
        if path.stem != pid:
            self.issue(
                path, doc, "/id", f"file name {path.name} does not match the id {pid}", "warning"
            )
        practice = Practice(
            id=pid,
            title=data["title"],
            pillar=data["pillar"],
            phase=data["phase"],
            risk=data["risk"],
            summary=" ".join(data["summary"].split()),
            guidance=data["guidance"].strip(),
            evidence=data["evidence"],
            lens=lens_id,
            aliases=tuple(
                Alias(normalize_id(a["id"]), str(a["edition"])) for a in data.get("aliases", ())
            ),
            question=data.get("question"),
            docs=data.get("docs"),
            phases=tuple(data.get("phases") or (data["phase"],)),
            magic=data.get("magic"),
            rules=self._rules(pid, data.get("rules", ()), doc, path),
            source=Source(str(path), doc.line_of("/id")),
        )
        self.practices[pid] = practice

    def _rules(
        self, pid: str, rules, doc: YamlDocument, path: Path, pointer="/rules"
    ) -> tuple[Rule, ...]:
        return tuple(
            Rule(
                id=f"{pid}/{r['id']}",
                effect=r["effect"],
                message=" ".join(r["message"].split()),
                matcher={k: v for k, v in r.items() if k not in ("id", "effect", "message")},
                source=Source(str(path), doc.line_of(f"{pointer}/{i}")),
            )
            for i, r in enumerate(rules)
        )

    def _check_semantics(self, data: dict, doc: YamlDocument, path: Path) -> bool:
        ok = True
        phase_ids = {p.id for p in self.phases}
        if data["pillar"] not in self.pillars:
            self.issue(
                path,
                doc,
                "/pillar",
                f"unknown pillar {data['pillar']!r}; known: {', '.join(self.pillars)}",
            )
            ok = False
        for pointer, value in [("/phase", data["phase"])] + [
            (f"/phases/{i}", v) for i, v in enumerate(data.get("phases") or ())
        ]:
            if value not in phase_ids:
                self.issue(
                    path,
                    doc,
                    pointer,
                    f"unknown phase {value!r}; known: {', '.join(p.id for p in self.phases) or '(no phases loaded)'}",
                )
                ok = False
        ok = self._check_rules(data.get("rules", ()), doc, path, "/rules") and ok
        return ok

    def _check_rules(self, rules, doc, path, pointer) -> bool:
        ok = True
        seen: dict[str, int] = {}
        phase_ids = {p.id for p in self.phases}
        for i, rule in enumerate(rules):
            if rule["id"] in seen:
                self.issue(
                    path,
                    doc,
                    f"{pointer}/{i}/id",
                    f"rule id {rule['id']!r} is used twice in this practice (first at {pointer}/{seen[rule['id']]})",
                )
                ok = False
            seen.setdefault(rule["id"], i)
            for sub_pointer, matcher in walk_matchers(rule, f"{pointer}/{i}"):
                if matcher["kind"] == "phase":
                    for j, ph in enumerate(matcher["phases"]):
                        if ph not in phase_ids:
                            self.issue(
                                path, doc, f"{sub_pointer}/phases/{j}", f"unknown phase {ph!r}"
                            )
                            ok = False
                for pattern_pointer, pattern in _regexes(matcher, sub_pointer):
                    problem = _regex_problem(pattern)
                    if problem:
                        self.issue(path, doc, pattern_pointer, f"rule {rule['id']}: {problem}")
                        ok = False
        return ok

    def _apply_override(self, lens_id: str, data: dict, doc: YamlDocument, path: Path) -> None:
        named = data["override"]
        target = self._resolve(named)
        if target is None:
            self.issue(
                path, doc, "/override", f"override names {named!r}, which no loaded lens defines"
            )
            return
        if isinstance(target, tuple):
            target, note = target
            self.issue(path, doc, "/override", note, "warning")
        original = self.practices[target]
        if original.lens == lens_id:
            self.issue(
                path,
                doc,
                "/override",
                f"{target} is defined in this same lens; edit it instead of overriding it",
            )
            return
        if not self._check_rules(data.get("rules", ()), doc, path, "/rules"):
            self.issue(path, doc, "", f"override of {target} skipped because of the errors above")
            return
        for i, ph in enumerate(data.get("phases") or ()):
            if ph not in {p.id for p in self.phases}:
                self.issue(
                    path, doc, f"/phases/{i}", f"unknown phase {ph!r}; override of {target} skipped"
                )
                return
        rules = {r.id: r for r in original.rules}
        for rid in data.get("remove_rules", ()):
            full = rid if "/" in rid else f"{target}/{rid}"
            if rules.pop(full, None) is None:
                self.issue(
                    path, doc, "/remove_rules", f"{target} has no rule {rid!r} to remove", "warning"
                )
        for rule in self._rules(target, data.get("rules", ()), doc, path):
            rules[rule.id] = rule
        changes = {
            k: data[k]
            for k in ("title", "risk", "summary", "guidance", "docs", "evidence", "magic")
            if k in data
        }
        if "phases" in data:
            changes["phases"] = tuple(data["phases"])
        self.practices[target] = original.replace(
            **changes,
            rules=tuple(rules.values()),
            overridden_by=(*original.overridden_by, f"{lens_id} ({path})"),
        )

    def _resolve(self, text: str) -> str | tuple[str, str] | None:
        """The current id ``text`` names (any id form, the newest edition's when ambiguous,
        then with a note), or None."""
        catalog = Catalog(
            lenses=(),
            phases=(),
            pillars=(),
            principles=(),
            practices=tuple(self.practices.values()),
        )
        try:
            practice, note = catalog.resolve(text)
        except UnknownPracticeError:
            return None
        return (practice.id, note) if note else practice.id

    def _check_aliases(self) -> None:
        for p in list(self.practices.values()):
            for alias in p.aliases:
                owner = self.practices.get(alias.id)
                if owner is not None and owner.id != p.id:
                    self.issues.append(
                        LensIssue(
                            str(p.source.path if p.source else p.lens),
                            p.source.line if p.source else None,
                            "/aliases",
                            f"alias {alias.id} of {p.id} is the current id of {owner.id} ({owner.source}); "
                            "an alias may never hide a current id",
                            "warning",
                        )
                    )


def _regex_problem(pattern: object) -> str | None:
    """Why a lens regular expression is refused: invalid, or open to catastrophic backtracking."""
    import re

    from .regexsafety import backtracking_problem

    if not isinstance(pattern, str):
        return f"a regular expression must be a text, got {pattern!r:.40}"
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression: {exc}"
    problem = backtracking_problem(pattern)
    return f"the regular expression {pattern!r} is refused: {problem}" if problem else None


def _regexes(matcher: dict, pointer: str):
    """``(pointer, pattern)`` of every regular expression one matcher holds: a text rule's
    ``pattern`` and the ``regex`` conditions of ``where`` and ``keywords`` (inside ``not`` and
    lists too)."""
    if matcher.get("kind") == "text" and "pattern" in matcher:
        yield f"{pointer}/pattern", matcher["pattern"]
    for key in ("where", "keywords"):
        conditions = matcher.get(key)
        if isinstance(conditions, dict):
            for field, cond in conditions.items():
                yield from _condition_regexes(cond, f"{pointer}/{key}/{field}")


def _condition_regexes(cond, pointer: str):
    if isinstance(cond, list):
        for i, c in enumerate(cond):
            yield from _condition_regexes(c, f"{pointer}/{i}")
    elif isinstance(cond, dict):
        if "regex" in cond:
            yield f"{pointer}/regex", cond["regex"]
        if "not" in cond:
            yield from _condition_regexes(cond["not"], f"{pointer}/not")
