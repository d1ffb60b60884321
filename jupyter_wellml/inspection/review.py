"""``review()``: THE function every surface calls (CLI, server, magics, widgets).

A notebook (path, JSON text, or nbformat dict), the catalog, and optionally the kernel's
environment facts go in; a :class:`Review` comes out, whose :meth:`Review.to_json` is the
review.v1 contract (docs/review-format.md). Nothing in the notebook is executed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from ..catalog import Catalog, Practice
from ..records import FoundRecord, notebook_records
from ..records.approvals import approval_message, approvals, expired_message
from ..values import Value
from .environment import environment_facts
from .facts import FACT_KEYS, Facts, gather
from .licenses import LicensePolicy
from .notebook import Notebook, read_notebook
from .phase import PhaseResult, infer_phase
from .rules import (
    Budget,
    Context,
    Hit,
    RuleTimeout,
    budget_error,
    budget_scope,
    dependencies,
    dependency_value,
    evaluate_rule,
    may_any_hold,
    render,
)

STATUSES = ("met", "gap", "unknown", "not_applicable")
MAX_EVIDENCE = 20


class Finding(Value):
    """The status of one practice in one notebook, with its evidence."""

    __slots__ = ("applies", "evidence", "practice", "status")

    def __init__(
        self,
        practice: Practice,
        status: str,
        applies: bool,
        evidence: list[dict[str, Any]] | None = None,
    ) -> None:
        self.practice = practice
        self.status = status
        self.applies = applies
        self.evidence = [] if evidence is None else evidence

    @property
    def risk(self) -> str | None:
        return self.practice.risk if self.status == "gap" else None

    def to_json(self) -> dict[str, Any]:
        p = self.practice
        return {
            "id": p.id,
            "aliases": [a.to_json() for a in p.aliases],
            "title": p.title,
            "pillar": p.pillar,
            "phase": p.phase,
            "phases": list(p.phases),
            "risk": self.risk,
            "lens_risk": p.risk,
            "status": self.status,
            "applies": self.applies,
            "answer": p.evidence,
            "evidence": self.evidence,
        }


class Review(Value):
    __slots__ = (
        "_state",
        "catalog",
        "elapsed_ms",
        "environment",
        "facts",
        "findings",
        "notebook",
        "phase",
        "records",
    )

    def __init__(
        self,
        notebook: Notebook,
        catalog: Catalog,
        phase: PhaseResult,
        facts: Facts,
        records: list[FoundRecord],
        findings: list[Finding],
        environment: Mapping[str, Any] | None = None,
        elapsed_ms: float = 0.0,
    ) -> None:
        self.notebook = notebook
        self.catalog = catalog
        self.phase = phase
        self.facts = facts
        self.records = records
        self.findings = findings
        self.environment = environment
        self.elapsed_ms = elapsed_ms
        self._state: _State | None = None  # what the rules saw and said (the next review's reuse)

    def finding(self, practice_id: str) -> Finding:
        pid = self.catalog.practice(practice_id).id
        return next(f for f in self.findings if f.practice.id == pid)

    def gaps(self, at_least: str = "medium") -> list[Finding]:
        order = {"medium": 1, "high": 2}
        return [
            f
            for f in self.findings
            if f.status == "gap" and order[f.practice.risk] >= order[at_least]
        ]

    def summary(self) -> dict[str, Any]:
        def empty(key: str | None = None) -> dict[str, Any]:
            base = dict.fromkeys(STATUSES, 0) | {
                "high": 0,
                "medium": 0,
                "waived": 0,
                "out_of_phase": 0,
            }
            return {"id": key, **base} if key else base

        total = empty()
        pillars = {p.id: empty(p.id) for p in self.catalog.pillars}
        phases = {p.id: empty(p.id) for p in self.catalog.phases}
        for f in self.findings:
            for bucket in (total, pillars.get(f.practice.pillar), phases.get(f.practice.phase)):
                if bucket is None:
                    continue
                bucket[f.status] += 1
                if f.status == "gap":
                    bucket[f.practice.risk] += 1
                elif f.status == "not_applicable":
                    # a waiver someone wrote is a decision; a practice of another phase is not
                    waiver = bool(f.evidence) and f.evidence[0].get("effect") == "waiver"
                    bucket["waived" if waiver else "out_of_phase"] += 1
        return {"total": total, "pillars": list(pillars.values()), "phases": list(phases.values())}

    def facts_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kernel_language": self.notebook.kernel_language,
            "trains_model": self.facts.trains_model,
        }
        items = self.facts.items
        for kind, key in FACT_KEYS.items():  # every listed kind, in vocabulary order
            found = items.get(kind)
            out[key] = [dict(i) for i in found] if found else []
        return out

    def to_json(self) -> dict[str, Any]:
        nb = self.notebook
        return {
            "schema": "wellml-review/v1",
            "notebook": {
                "path": nb.path,
                "name": nb.name,
                "cells": len(nb.cells),
                "code_cells": sum(1 for c in nb.cells if c.cell_type == "code"),
                "kernel_language": nb.kernel_language,
                "inspected": self.facts.inspected,
                "reason": self.facts.reason,
                "sha256": nb.sha256,
            },
            "lens": {
                "fingerprint": self.catalog.fingerprint,
                "lenses": [x.id for x in self.catalog.lenses],
            },
            "phase": self.phase.to_json(),
            "facts": self.facts_json(),
            "environment": _environment_summary(self.environment),
            "records": [
                {"record": r.record, "origin": r.origin, "cell": r.cell} for r in self.records
            ],
            "practices": [f.to_json() for f in self.findings],
            "summary": self.summary(),
            "errors": list(self.facts.errors),
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


def review(
    notebook: Mapping[str, Any] | str | os.PathLike | bytes | Notebook,
    catalog: Catalog,
    environment: Mapping[str, Any] | None = None,
    *,
    policy: LicensePolicy | None = None,
    phase: str | None = None,
    path: str | None = None,
    rule_budget: float | None = None,
    previous: Review | None = None,
) -> Review:
    """Review a notebook against the catalog.

    Parameters
    ----------
    notebook
        A path, JSON text or bytes, an nbformat dict, or a :class:`Notebook` already read.
    catalog
        The loaded lenses (:func:`jupyter_wellml.catalog.load_catalog`).
    environment
        A probe result (environment.v1) of the kernel's interpreter, or None.
    policy
        The license policy for the environment's packages (default: :class:`LicensePolicy`).
    phase
        A phase (id or user word) to review against instead of the recorded or inferred one.
    path
        The notebook's path when ``notebook`` is content, for the report.
    rule_budget
        Seconds all rules together may take (default :func:`.rules.default_budget`); a rule
        that runs out makes its practice and the later ones ``unknown``, with an ``errors``
        entry naming it.
    previous
        The review of this notebook before its last edit (the sidebar's incremental reviews):
        a practice whose rules read only what the edit left equal keeps that review's finding.

    Raises
    ------
    NotebookError
        When ``notebook`` is not a readable notebook (the message says why).
    """
    started = time.perf_counter()
    nb = notebook if isinstance(notebook, Notebook) else read_notebook(notebook, path=path)
    if path and not nb.path:
        nb.path = path
    facts = gather(nb)
    facts.errors[:0] = nb.problems  # what was malformed or too large, found while reading
    records = _canonical_records(_read_records(nb, facts), catalog)
    requested = None
    if phase:
        found = catalog.phase(phase)
        if found is None:
            from ..errors import WellMLError

            raise WellMLError(
                f"unknown phase {phase!r}; use one of: {', '.join(catalog.phase_choices())}"
            )
        requested = found.id
    phase_result = infer_phase(
        len(nb.cells), facts, records, catalog, requested=requested, title=_title(nb)
    )
    env_facts = (
        environment_facts(environment, policy, facts.of("pip_install")) if environment else {}
    )
    ctx = Context(
        facts=facts,
        records=records,
        phases=phase_result.phases,
        environment=env_facts,
        cell_types={c.index: c.cell_type for c in nb.cells},
        budget=Budget(rule_budget),
    )
    # a removed waiver or attestation is out of force (its record and history are kept)
    in_force = [r for r in records if not withdrawn(r.record)]
    waived = {r.record.get("practice"): r for r in in_force if r.record.get("kind") == "waiver"}
    attested, expired = approvals(in_force)  # attestations and sign-offs; sign-offs that ran out
    cell_ids = {c.index: c.id for c in nb.cells}
    state = _State(ctx, waived, attested)
    reuse = _Reuse.of(previous, state, catalog)
    with budget_scope(ctx.budget):
        for i, p in enumerate(catalog.practices):
            finding = reuse.finding(i, p, cell_ids) if reuse else None
            if finding is None:
                w, a = waived.get(p.id), attested.get(p.id)
                finding = _evaluate(p, ctx, phase_result, w, a, facts, cell_ids)
            state.findings.append(finding)
    findings = state.findings
    if expired:
        findings = [_expired(f, expired.get(f.practice.id), cell_ids) for f in findings]
    ran_out = budget_error(ctx.budget)
    if ran_out:
        facts.errors.append(ran_out)
    result = Review(nb, catalog, phase_result, facts, records, findings, environment)
    result._state = state
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


class _State:
    """What a review's rules saw, the answers in force, and its findings before sign-offs that
    ran out were applied: what the next review of the notebook may reuse."""

    __slots__ = ("attested", "ctx", "findings", "values", "waived")

    def __init__(self, ctx: Context, waived: dict, attested: dict) -> None:
        self.ctx = ctx
        self.waived = waived
        self.attested = attested
        self.findings: list[Finding] = []
        self.values: dict[tuple, Any] = {}  # dependency values, once computed

    def value(self, key: tuple) -> Any:
        found = self.values.get(key, _UNSET)
        if found is _UNSET:
            found = self.values[key] = dependency_value(key, self.ctx)
        return found


_UNSET = object()


class _Reuse:
    """The findings of the previous review of a notebook (an edit ago) that still hold: a
    practice's finding is kept when every value its rules read (:func:`.rules.dependencies`),
    the records (waivers, attestations) and the phase are equal, and its evidence still points
    at the same cells and lines of code."""

    #: id(catalog) -> (catalog, each practice's dependencies, all of them)
    _DEPENDENCIES: dict[int, tuple[Catalog, list[frozenset], frozenset]] = {}

    def __init__(self, before: _State, now: _State, catalog: Catalog) -> None:
        self.before = before
        self.now = now
        self.needs, every = self._dependencies(catalog)
        # each value compared once: what every practice's rules read and the edit left equal
        self.unchanged = frozenset(k for k in every if now.value(k) == before.value(k))
        self.cells: dict[int, bool] = {}  # cell index -> its lines are the same as before

    @classmethod
    def of(cls, previous: Review | None, now: _State, catalog: Catalog) -> _Reuse | None:
        before = previous._state if previous is not None else None
        if before is None or previous.catalog is not catalog or before.ctx.budget.ran_out:
            return None
        return cls(before, now, catalog)

    def finding(
        self, i: int, practice: Practice, cell_ids: Mapping[int, str | None]
    ) -> Finding | None:
        before, now = self.before, self.now
        old = before.findings[i] if i < len(before.findings) else None
        if old is None or old.practice is not practice or not self.needs[i] <= self.unchanged:
            return None
        pid = practice.id
        # a waiver, attestation or sign-off in force then and not now (one ran out), or the reverse
        if before.waived.get(pid) != now.waived.get(pid):
            return None
        if before.attested.get(pid) != now.attested.get(pid):
            return None
        for ev in old.evidence:
            cell = ev.get("cell")
            if ev.get("effect") == "timeout":
                return None
            if cell is None:
                continue
            if cell_ids.get(cell) != ev.get("cell_id") or not self.same_cell(cell):
                return None  # the cell moved, or its text changed (so may the evidence's line)
        return old

    def same_cell(self, cell: int) -> bool:
        same = self.cells.get(cell)
        if same is None:
            lines_now = self.now.ctx.facts.cell_lines.get(cell)
            same = self.cells[cell] = lines_now == self.before.ctx.facts.cell_lines.get(cell)
        return same

    @classmethod
    def _dependencies(cls, catalog: Catalog) -> tuple[list[frozenset], frozenset]:
        entry = cls._DEPENDENCIES.get(id(catalog))
        if entry is None or entry[0] is not catalog:
            if len(cls._DEPENDENCIES) >= 64:
                cls._DEPENDENCIES.clear()
            base = frozenset({("records",), ("phases",)})
            needs = [
                base.union(*(dependencies(r.matcher) for r in p.rules)) for p in catalog.practices
            ]
            entry = cls._DEPENDENCIES[id(catalog)] = (catalog, needs, frozenset().union(*needs))
        return entry[1], entry[2]


def withdrawn(record: Mapping[str, Any]) -> bool:
    """A waiver or attestation someone removed: its ``removed`` time is not older than its
    ``updated`` time (recording it again moves ``updated`` on and puts it back in force)."""
    removed = record.get("removed")
    return isinstance(removed, str) and removed >= str(record.get("updated") or "")


def _title(nb: Notebook) -> str | None:
    """The notebook's title: the first Markdown heading among its first cells."""
    for cell in nb.cells[:6]:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.split("\n")[:20]:
            stripped = line.strip()
            if stripped.startswith("#"):
                return stripped.lstrip("#").strip()[:200] or None
    return None


def _read_records(nb: Notebook, facts: Facts) -> list[FoundRecord]:
    """The notebook's records; malformed ones (and a ``metadata.wellml`` of the wrong shape)
    become ``errors`` entries and are left out (never a crash)."""
    cells = [{"cell_type": c.cell_type, "id": c.id, "outputs": c.outputs} for c in nb.cells]
    problems: list[tuple[int | None, str]] = []
    found = notebook_records({"metadata": nb.metadata, "cells": cells}, problems)
    for cell, message in problems:
        facts.errors.append({"cell": cell, "line": None, "message": message})
    return found


def _canonical_records(records: list[FoundRecord], catalog: Catalog) -> list[FoundRecord]:
    """Waivers and attestations may name a practice by any of its ids: use the current one."""
    out = []
    for r in records:
        pid = r.record.get("practice")
        if pid and r.record.get("kind") in ("waiver", "attest", "signoff"):
            matches = catalog.lookup(str(pid))
            if len(matches) == 1 and matches[0].practice.id != pid:
                r = FoundRecord({**r.record, "practice": matches[0].practice.id}, r.origin, r.cell)
        out.append(r)
    return out


def _evaluate(
    practice: Practice,
    ctx: Context,
    phase: PhaseResult,
    waiver: FoundRecord | None,
    attest: FoundRecord | None,
    facts: Facts,
    cell_ids: Mapping[int, str | None],
) -> Finding:
    """One practice's finding: waived, or its rules' evidence weighed (see :func:`_weigh`)."""
    applies = not phase.phases or bool(phase.phases & set(practice.phases))

    def evidence(hit: Hit | None, message: str, rule: str | None, effect: str) -> dict[str, Any]:
        cell = hit.cell if hit else None
        line = hit.line if hit else None
        in_output = bool(hit and hit.fields.get("where") == "output")
        return {
            "cell": cell,
            "cell_id": cell_ids.get(cell) if cell is not None else None,
            "line": line,
            "message": message,
            # a finding in an output: its line is a line of the output, not of the source
            "snippet": None if in_output else facts.snippet(cell, line),
            "rule": rule,
            "effect": effect,
            # what a met or gap rule saw: the notebook's code and outputs, or a record
            "source": None
            if hit is None or effect not in ("met", "gap", "expect")
            else ("record" if "origin" in hit.fields else "code"),
        }

    if waiver is not None:
        rec = waiver.record
        msg = f"waived ({rec.get('reason', 'other').replace('_', ' ')}): {rec.get('note', '')}".strip()
        return Finding(
            practice,
            "not_applicable",
            applies,
            [evidence(Hit(waiver.cell, None), msg, None, "waiver")],
        )
    try:
        found = _rule_evidence(practice, ctx, evidence)
    except RuleTimeout as exc:  # the review's time for rules is spent: say so, go on
        message, rule_id = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        timeout = evidence(None, message, rule_id, "timeout")
        return Finding(practice, "unknown", applies, [timeout])
    if attest is not None:
        kind = attest.record.get("kind", "attest")
        found.met.append(evidence(Hit(attest.cell, None), approval_message(attest), None, kind))
    status, shown = _weigh(found, applies, answered=attest is not None)
    if status is not None:
        return Finding(practice, status, applies, shown)
    if not applies:
        where = ", ".join(practice.phases)
        now = ", ".join(sorted(phase.phases)) or "none"
        msg = f"applies to {where}; this notebook is {now}"
        return Finding(practice, "not_applicable", False, [evidence(None, msg, None, "phase")])
    return Finding(practice, "unknown", True, [])


class _Evidence:
    """A practice's evidence, by what its rules say: met, gap, expected, and expectations that
    only named met rules answer (``met_by``)."""

    __slots__ = ("expects", "gaps", "met", "met_rules", "pointed")

    def __init__(self) -> None:
        self.met: list[dict[str, Any]] = []
        self.gaps: list[dict[str, Any]] = []
        self.expects: list[dict[str, Any]] = []
        # other evidence of the practice does not answer these (a managed training job is met
        # evidence, yet on-demand it still expects spot)
        self.pointed: list[tuple[frozenset[str], list[dict[str, Any]]]] = []
        self.met_rules: set[str] = set()


def _rule_evidence(practice: Practice, ctx: Context, evidence) -> _Evidence:
    """Every rule of the practice, evaluated; :class:`RuleTimeout` (with the rule's id as its
    second argument) when the review's time for rules is spent."""
    found = _Evidence()
    if not may_any_hold(practice.rules, ctx):  # no rule can hold on this notebook
        return found
    for rule in practice.rules:
        try:
            hits = evaluate_rule(rule, ctx)
        except RuleTimeout as exc:
            raise RuleTimeout(str(exc), rule.id) from None
        if hits is None:
            continue
        if rule.effect == "met":
            target = found.met
            found.met_rules.add(rule.id.rsplit("/", 1)[-1])
        elif rule.effect == "gap":
            target = found.gaps
        elif rule.matcher.get("met_by"):
            target = []
            found.pointed.append((frozenset(rule.matcher["met_by"]), target))
        else:
            target = found.expects
        if not hits:
            target.append(evidence(None, render(rule.message, None), rule.id, rule.effect))
        for hit in hits[:MAX_EVIDENCE]:
            target.append(evidence(hit, render(rule.message, hit), rule.id, rule.effect))
    return found


def _weigh(found: _Evidence, applies: bool, *, answered: bool) -> tuple[str | None, list]:
    """The status the evidence gives and the evidence shown; None when it gives none (the
    practice is then out of phase, or unknown)."""
    met = found.met
    open_expects = (
        []
        if answered
        else [e for by, pointed in found.pointed if not by & found.met_rules for e in pointed]
    )
    if found.gaps:
        return "gap", found.gaps[:MAX_EVIDENCE] + met[:5]
    if open_expects and applies:
        # with no met evidence, the practice's other expectations are open too
        shown = open_expects + ([] if met else found.expects)
        return "gap", shown[:MAX_EVIDENCE] + met[:5]
    if met:
        return "met", met[:MAX_EVIDENCE]
    if found.expects and applies:
        # absence of evidence is a gap only where the practice applies: a business-goal notebook
        # that records an explainability decision is not expected to compute explanations yet
        return "gap", found.expects[:MAX_EVIDENCE]
    return None, []


def _expired(finding: Finding, signoff: FoundRecord | None, cell_ids) -> Finding:
    """A practice left to answer because its sign-off ran out says so."""
    if signoff is None or finding.status != "unknown":
        return finding
    note = {
        "cell": signoff.cell,
        "cell_id": cell_ids.get(signoff.cell) if signoff.cell is not None else None,
        "line": None,
        "message": expired_message(signoff),
        "snippet": None,
        "rule": None,
        "effect": "signoff_expired",
    }
    return Finding(finding.practice, "unknown", finding.applies, [note])


def _environment_summary(env: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not env:
        return None
    return {
        "python": env.get("python"),
        "platform": env.get("platform"),
        "packages": len(env.get("packages", ())),
        "gpu": env.get("gpu", []),
    }
