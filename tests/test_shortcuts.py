"""The engine's shortcuts answer as the plain evaluation does, on real notebooks.

Three shortcuts keep a review fast: rule prechecks (a rule whose fact kinds, records or calls the
notebook lacks is not evaluated), the call index's literal gate (a glob whose literal piece is in
no call name matches nothing) and the one-walk reading of a cell's tree (loop bodies walked once).
Each is checked here against the slow, obvious version on a sample of every corpus, and each
must actually take effect (a shortcut that never fires would pass vacuously).
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase

import pytest

from jupyter_wellml.catalog.model import walk_matchers
from jupyter_wellml.inspection import review
from jupyter_wellml.inspection.factbase import CallIndex
from jupyter_wellml.inspection.pyscan import _KEEP, _LOOPS, LoopedCall, interesting_nodes
from jupyter_wellml.inspection.rules import Context, clauses, evaluate, may_any_hold, may_hold
from jupyter_wellml.inspection.signatures import Glob

from .conftest import FIXTURES, ROOT, all_corpus_notebooks

pytestmark = pytest.mark.skipif(not all_corpus_notebooks(), reason="shared corpus not available")


def _sample() -> list:
    """Every 60th corpus notebook, the demo notebooks and notebooks that hold records."""
    files = all_corpus_notebooks()
    with_records = [
        FIXTURES / "magics" / "every_subcommand.ipynb",
        FIXTURES / "rules" / "notebooks" / "record-good.ipynb",
    ]
    return (
        files[:: max(1, len(files) // 60)]
        + sorted((ROOT / "binder").glob("*.ipynb"))
        + with_records
    )


def _lens_call_globs(catalog) -> set[str]:
    return {
        name
        for practice in catalog.practices
        for rule in practice.rules
        for _, m in walk_matchers(rule.matcher)
        if m.get("kind") == "call"
        for name in m["names"]
    }


def test_a_rule_ruled_out_by_its_precheck_never_holds(wellml_catalog):
    skipped = evaluated = 0
    for path in _sample():
        result = review(str(path), wellml_catalog)
        ctx = Context(result.facts, result.records, result.phase.phases)
        for practice in wellml_catalog.practices:
            holds = [evaluate(rule.matcher, ctx) is not None for rule in practice.rules]
            for rule, held in zip(practice.rules, holds):
                if may_hold(rule.matcher, ctx):
                    evaluated += 1
                else:
                    skipped += 1
                    assert not held, f"{path.name}: {rule.id} holds but its precheck ruled it out"
            if not may_any_hold(practice.rules, ctx):
                assert not any(holds), f"{path.name}: {practice.id} was ruled out but a rule holds"
    assert skipped > evaluated > 0  # most rules are ruled out on a typical notebook


def test_matchers_that_hold_on_nothing_have_no_precheck():
    fact = {"kind": "fact", "fact": "training"}
    assert clauses({"kind": "not", "rule": fact}) == ()
    assert clauses({"kind": "fact", "fact": "training", "min": 0}) == ()
    assert (
        clauses({"kind": "any", "rules": [fact, {"kind": "phase", "phases": ["deployment"]}]}) == ()
    )
    assert clauses({"kind": "text", "pattern": "x"}) == ()
    both = clauses({"kind": "all", "rules": [fact, {"kind": "record", "record": "kpi"}]})
    assert [sorted(keys) for keys, _ in both] == [[("fact", "training")], [("record", "kpi")]]


def test_the_call_index_matches_every_lens_glob_as_fnmatch_does(wellml_catalog):
    globs = [Glob(g) for g in sorted(_lens_call_globs(wellml_catalog))]
    gated = 0
    for path in _sample():
        names = list(review(str(path), wellml_catalog).facts.calls_by_name())
        index = CallIndex(names)
        for glob in globs:
            expected = {n for n in names if fnmatchcase(n, glob.pattern)}
            assert set(index.matching(glob)) == expected, (path.name, glob.pattern)
            gated += glob.kind != "exact" and not expected
    assert gated > 0


def _reference_nodes(tree: ast.Module) -> list[tuple[type, ast.AST]]:
    """What :func:`interesting_nodes` reads, the obvious way: ast.walk, loop bodies walked again."""
    out = []
    looped: set[int] = set()
    for stmt in tree.body:
        for node in ast.walk(stmt):
            t = type(node)
            if t in _LOOPS:
                for part in (*node.body, *node.orelse):
                    looped.update(id(n) for n in ast.walk(part) if type(n) is ast.Call)
            if t in _KEEP:
                out.append((LoopedCall if t is ast.Call and id(node) in looped else t, node))
            elif (
                (t is ast.Constant and type(node.value) is str and 3 <= len(node.value) <= 2048)
                or (t is ast.AnnAssign and node.value is not None)
                or (t is ast.withitem and node.optional_vars is not None)
            ):
                out.append((t, node))
    return out


def test_one_walk_reads_the_nodes_ast_walk_reads(wellml_catalog):
    from jupyter_wellml.inspection.source import analyse_cell

    trees = looped = 0
    for path in _sample():
        result = review(str(path), wellml_catalog)
        for cell in result.notebook.cells:
            if cell.cell_type != "code":
                continue
            tree = analyse_cell(cell.source).tree
            if tree is None:
                continue
            trees += 1
            got = [(t, ast.dump(n)) for t, n in interesting_nodes(tree)]
            assert got == [(t, ast.dump(n)) for t, n in _reference_nodes(tree)], path.name
            looped += sum(t is LoopedCall for t, _ in got)
    assert trees > 100 and looped > 0


def test_the_signature_dispatch_gates_drop_no_entry(wellml_catalog):
    """A call name's signature entries, with the per-bucket gates, are those every entry of its
    buckets tested one by one gives."""
    from jupyter_wellml.inspection import callfacts

    by_last, by_first, anywhere = callfacts._call_index()
    gated = 0
    for path in _sample():
        for name in review(str(path), wellml_catalog).facts.calls_by_name():
            first = name.split(".", 1)[0]
            candidates = (*by_last.get(name.rsplit(".", 1)[-1], ()), *by_first.get(first, ()))
            expected = tuple(
                (kind, fields)
                for pattern, kind, fields, deny in (*candidates, *anywhere)
                if pattern.match(name) and not (deny is not None and deny.match(name))
            )
            callfacts._DISPATCH.pop(name, None)
            assert callfacts._dispatch(name)[0] == expected, name
            gated += first in by_first and not callfacts._may_match(first, name)
    assert gated > 0
