"""The notebook's lifecycle phase, and the phase of each run of cells.

A recorded phase always wins: ``%wellml phase X`` (in metadata, in a record output, or as a line
of source) marks its cell and the cells after it, up to the next marker; a phase record without a
cell (what the sidebar writes) is the notebook's phase before any marker. Otherwise the phase is
inferred from the facts of each cell, weighted (training weighs more than reading a file), with
the reason a person can check ("training call in cell 12").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..catalog.vocabulary import PHASE_EVIDENCE
from ..records import FoundRecord
from ..values import Frozen
from .facts import Facts

#: fact kind → (phase, weight, words for the reason), from the fact vocabulary
EVIDENCE: dict[str, tuple[str, float, str]] = PHASE_EVIDENCE


REPEAT_BONUS = 0.1  # each further fact of a kind adds 10% of its weight ...
MAX_REPEATS = 5  # ... up to five times
LATER_PHASE_SHARE = 0.85  # a later phase with 85% of the top score is the notebook's phase


class Region(Frozen):
    __slots__ = ("end", "phase", "reason", "source", "start")

    def __init__(self, start: int, end: int, phase: str | None, source: str, reason: str) -> None:
        self._set(
            start=start,
            end=end,
            phase=phase,
            source=source,  # recorded | inferred | requested | none
            reason=reason,
        )

    def to_json(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "phase": self.phase,
            "source": self.source,
            "reason": self.reason,
        }


class PhaseResult(Frozen):
    __slots__ = ("_phases", "confidence", "id", "reason", "regions", "source")

    def __init__(
        self,
        id: str | None,
        source: str,
        confidence: float,
        reason: str,
        regions: tuple[Region, ...],
    ) -> None:
        found = {r.phase for r in regions if r.phase}
        if id:
            found.add(id)
        self._set(
            id=id,
            source=source,
            confidence=confidence,
            reason=reason,
            regions=regions,
            _phases=frozenset(found),
        )

    @property
    def phases(self) -> frozenset[str]:
        """Every phase of the notebook: its phase and those of its regions."""
        return self._phases

    def at(self, cell: int) -> str | None:
        for r in self.regions:
            if r.start <= cell <= r.end:
                return r.phase
        return self.id

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "confidence": round(self.confidence, 2),
            "reason": self.reason,
            "regions": [r.to_json() for r in self.regions],
        }


#: the title's say on the phase: less than one training call (4) or deployment (3), enough to
#: decide between phases the code supports about equally ("Deploy ..." that trains first)
TITLE_WEIGHT = 2.0
#: phase words too general to tell a phase by in a title ("model", "data" are everywhere)
_GENERIC_TITLE_WORDS = frozenset(
    {
        "model",
        "data",
        "development",
        "processing",
        "design",
        "problem",
        "production",
        "operations",
        "release",
        "scope",
        "planning",
        "goal",
        "goals",
        "requirements",
        "business",
        "objective",
        "features",
        "experiment",
        "experiments",
        "prep",
        "serve",
    }
)


def title_phase(title: str | None, catalog) -> tuple[str, str] | None:
    """The phase a notebook's title names (``"Deploy a model with ..."`` → deployment), with the
    word that says so; None when it names none or several equally."""
    if not title:
        return None
    text = " " + re.sub(r"[^a-z0-9]+", " ", title.lower()) + " "
    tokens = text.split()
    counts: dict[str, tuple[int, str]] = {}
    for phase in catalog.phases:
        found = []
        for word in getattr(phase, "words", ()) or ():
            w = word.lower()
            if w in _GENERIC_TITLE_WORDS or len(w) < 3:
                continue
            if " " in w:
                hit = f" {w} " in text
            else:
                hit = any(t == w or (len(w) >= 5 and t.startswith(w)) for t in tokens)
            if hit:
                found.append(w)
        if found:
            counts[phase.id] = (len(found), found[0])
    if not counts:
        return None
    top = max(n for n, _ in counts.values())
    best = [p for p, (n, _) in counts.items() if n == top]
    if len(best) != 1:
        return None
    return best[0], counts[best[0]][1]


def _largest(regions: Sequence[Region], catalog) -> tuple[str, str]:
    """The phase of ``regions`` that covers most cells (the later one on a tie), and the reason
    of its first region."""
    sizes: dict[str, int] = {}
    for r in regions:
        sizes[r.phase] = sizes.get(r.phase, 0) + (r.end - r.start + 1)
    order = [p.id for p in catalog.phases]
    best = max(sizes, key=lambda p: (sizes[p], order.index(p) if p in order else -1))
    return best, next(r for r in regions if r.phase == best).reason


def _evidence_scores(facts: Facts) -> tuple[dict[str, float], dict[str, tuple[float, str]]]:
    """Each phase's score from the code's facts, and its strongest reason (weight, words).

    Each kind of evidence counts once, with a small bonus for repeats: twenty file reads do not
    outweigh one training call."""
    scores: dict[str, float] = {}
    first_reason: dict[str, tuple[float, str]] = {}
    for kind, (phase, weight, words) in EVIDENCE.items():
        found = [f for f in facts.of(kind) if _weight(kind, f, weight) > 0]
        if found:
            bonus = 1 + REPEAT_BONUS * min(len(found) - 1, MAX_REPEATS)
            kind_weight = max(_weight(kind, f, weight) for f in found)
            scores[phase] = scores.get(phase, 0.0) + kind_weight * bonus
        for f in found:
            cell = f.get("cell")
            if cell is None:
                continue
            label = f.get("api") or f.get("method") or f.get("name") or f.get("uri") or ""
            label = f" ({label})" if label and len(str(label)) < 60 else ""
            candidate = (_weight(kind, f, weight), f"{words}{label} in cell {cell + 1}")
            best = first_reason.get(phase)
            if best is None or candidate[0] > best[0]:
                first_reason[phase] = candidate
    return scores, first_reason


def infer_phase(
    n_cells: int,
    facts: Facts,
    records: Sequence[FoundRecord],
    catalog,
    *,
    requested: str | None = None,
    title: str | None = None,
) -> PhaseResult:
    """The notebook's phase and its regions. ``requested`` (a phase id) overrides everything;
    ``title`` (the notebook's first heading) adds its say when no phase is recorded."""
    if n_cells == 0:
        n_cells = 1
    if requested:
        region = Region(0, n_cells - 1, requested, "requested", f"phase {requested} was asked for")
        return PhaseResult(requested, "requested", 1.0, region.reason, (region,))
    markers = _markers(facts, records, catalog)
    inferred = _inferred_cells(n_cells, facts)
    regions = _regions(n_cells, markers, inferred)
    recorded = [r for r in regions if r.source == "recorded"]
    if recorded:
        best, reason = _largest(recorded, catalog)
        return PhaseResult(best, "recorded", 1.0, reason, tuple(regions))
    written = [r for r in regions if "not recorded yet" in r.reason]
    if written:
        # the author wrote the phase but has not run it: the best guess, not a record
        best, reason = _largest(written, catalog)
        return PhaseResult(best, "inferred", 0.9, reason, tuple(regions))
    scores, first_reason = _evidence_scores(facts)
    named = title_phase(title, catalog)
    if named:
        phase, word = named
        scores[phase] = scores.get(phase, 0.0) + TITLE_WEIGHT
        if phase not in first_reason:
            first_reason[phase] = (TITLE_WEIGHT, f"the title says {word!r}")
    if not scores:
        reason = "no code shows a lifecycle phase; record one with %wellml phase"
        return PhaseResult(None, "none", 0.0, reason, tuple(regions))
    # A later phase whose evidence is nearly as strong as the strongest wins, since later
    # phases set up earlier ones first (train a model to deploy it, deploy an endpoint to
    # monitor it).
    order = [p.id for p in catalog.phases]
    top = max(scores.values())
    best = max(
        (p for p in scores if scores[p] >= LATER_PHASE_SHARE * top),
        key=lambda p: (order.index(p) if p in order else -1, scores[p]),
    )
    total = sum(scores.values())
    reason = first_reason.get(best, (0, f"{best} facts"))[1]
    return PhaseResult(best, "inferred", scores[best] / total, reason, tuple(regions))


#: monitoring facts that are weaker signs of the monitoring phase: capturing endpoint data is
#: set up at deployment, and CloudWatch metrics and alarms also guard deployments
MONITORING_WEIGHTS = {"data_capture": 1.0, "metrics": 2.0, "alarm": 2.0}


def _weight(kind: str, fact, weight: float) -> float:
    if kind == "monitoring":
        return MONITORING_WEIGHTS.get(fact.get("kind"), weight)
    if kind == "pipeline" and fact.get("tool") == "sklearn":
        return 0.0  # a scikit-learn Pipeline chains preprocessing: not an ML workflow
    return weight


def _markers(facts: Facts, records: Sequence[FoundRecord], catalog) -> list[tuple[int, str, str]]:
    """``(cell, phase, reason)`` for every recorded phase marker; cell -1 for the notebook-level one."""
    found: dict[int, tuple[str, str]] = {}
    for r in records:
        rec = r.record
        if rec.get("kind") != "phase" or not rec.get("phase"):
            continue
        phase = rec["phase"]
        if rec.get("cell_id") and r.cell is not None:
            found[r.cell] = (
                phase,
                f"%wellml phase {rec.get('word') or phase} in cell {r.cell + 1}",
            )
        elif not rec.get("cell_id"):
            found[-1] = (phase, f"phase {phase} recorded for the notebook")
        elif r.cell is not None:
            found[r.cell] = (phase, f"%wellml phase {phase} in cell {r.cell + 1}")
    out = [(c, p, why, "recorded") for c, (p, why) in found.items()]
    for cell, _line, word, ran in facts.phase_lines:
        ph = catalog.phase(word)
        if ph is None or cell in found:
            continue
        found[cell] = (ph.id, "")
        if ran:
            out.append((cell, ph.id, f"%wellml phase {word} in cell {cell + 1}", "recorded"))
        else:
            why = (
                f"%wellml phase {word} in cell {cell + 1}, not recorded yet (the cell has not run)"
            )
            out.append((cell, ph.id, why, "inferred"))
    return sorted(out)


def _inferred_cells(n_cells: int, facts: Facts) -> list[tuple[str | None, str]]:
    per_cell: dict[int, dict[str, float]] = {}
    why: dict[int, dict[str, tuple[float, str]]] = {}
    for kind, (phase, weight, words) in EVIDENCE.items():
        for f in facts.of(kind):
            cell = f.get("cell")
            if cell is None:
                continue
            w = _weight(kind, f, weight)
            per_cell.setdefault(cell, {})
            per_cell[cell][phase] = per_cell[cell].get(phase, 0.0) + w
            best = why.setdefault(cell, {}).get(phase)
            if best is None or w > best[0]:
                why[cell][phase] = (w, f"{words} in cell {cell + 1}")
    out: list[tuple[str | None, str]] = []
    current: tuple[str | None, str] = (None, "")
    for i in range(n_cells):
        scores = per_cell.get(i)
        if scores and max(scores.values()) >= 1:
            phase = max(scores, key=lambda p: scores[p])
            current = (phase, why[i][phase][1])
        out.append(current)
    return out  # cells before the first evidence stay None: _regions fills them


def _regions(n_cells: int, markers, inferred) -> list[Region]:
    cells: list[tuple[str | None, str, str]] = []
    active: tuple[str, str, str] | None = None
    marks = {c: (p, why, src) for c, p, why, src in markers if c >= 0}
    notebook = next(((p, why, src) for c, p, why, src in markers if c == -1), None)
    if notebook:
        active = notebook
    # cells before the first evidence take the first phase seen, a recorded marker included
    first: tuple[str, str, str] | None = None
    for i in range(n_cells):
        if i in marks:
            first = (marks[i][0], marks[i][2], marks[i][1])
            break
        if inferred[i][0]:
            first = (inferred[i][0], "inferred", inferred[i][1])
            break
    for i in range(n_cells):
        if i in marks:
            active = marks[i]
        if active:
            cells.append((active[0], active[2], active[1]))
        elif inferred[i][0] is None and first is not None:
            cells.append(first)
        else:
            phase, reason = inferred[i]
            cells.append(
                (phase, "inferred" if phase else "none", reason or "no code shows a phase here")
            )
    # runs of cells with the same phase and source (and reason, for recorded ones) make a region
    regions: list[Region] = []
    start = 0
    for i in range(1, len(cells) + 1):
        if i < len(cells):
            phase, source, reason = cells[i]
            head = cells[start]
            if (
                phase == head[0]
                and source == head[1]
                and (source != "recorded" or reason == head[2])
            ):
                continue
        regions.append(Region(start, i - 1, *cells[start]))
        start = i
    return regions
