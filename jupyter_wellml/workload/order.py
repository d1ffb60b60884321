"""The order of what to do next, shared by the improvement plan, the reports and the sidebar.

Open gaps come first, high risk before medium; then the practices that need an answer (the code
cannot show them and nobody has recorded, attested or waived them); then met and not applicable
ones. Within each group: by lifecycle phase, then by pillar (both in the lens's order), then by
id. Every surface sorts with :func:`next_step_key`, so they agree on the order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

STATUS_RANK = {"gap": 0, "unknown": 1, "met": 2, "not_applicable": 3}
RISK_RANK = {"high": 0, "medium": 1}


def next_step_key(practice: Mapping[str, Any], catalog) -> tuple:
    """The sort key of a practice of a review (review.v1 or a workload review's practice)."""
    return _key(practice, *_ranks(catalog))


def order_next_steps(practices: Iterable[Mapping[str, Any]], catalog) -> list[Mapping[str, Any]]:
    """``practices`` in the order of what to do next (see the module docstring)."""
    phases, pillars = _ranks(catalog)
    return sorted(practices, key=lambda p: _key(p, phases, pillars))


def _ranks(catalog) -> tuple[dict[str, int], dict[str, int]]:
    return (
        {ph.id: i for i, ph in enumerate(catalog.phases)},
        {pl.id: i for i, pl in enumerate(catalog.pillars)},
    )


def _key(p: Mapping[str, Any], phases: Mapping[str, int], pillars: Mapping[str, int]) -> tuple:
    return (
        STATUS_RANK.get(p["status"], len(STATUS_RANK)),
        RISK_RANK.get(p.get("lens_risk"), len(RISK_RANK)),
        phases.get(p.get("phase"), len(phases)),
        pillars.get(p.get("pillar"), len(pillars)),
        p["id"],
    )
