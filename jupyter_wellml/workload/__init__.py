"""Workloads: a folder of notebooks reviewed as one, milestones over time, an improvement plan.

- :mod:`.config`: the folder and its optional ``wellml-workload.yaml``;
- :mod:`.status`: one status per practice over the workload, from the notebooks' reviews;
- :mod:`.order`: the order of what to do next, shared by the plan, reports and sidebar;
- :mod:`.plan`: the improvement plan;
- :mod:`.milestone`: snapshots under ``.wellml/milestones/`` and their differences.

The layer sits above the review engine (it reads review.v1 JSON, never a notebook) and below
the reports and the interop wing; it imports no Jupyter framework.
"""

from .config import CONFIG_FILE, Workload, load_workload
from .milestone import (
    check_name,
    diff_milestones,
    git_commit,
    list_milestones,
    load_milestone,
    make_milestone,
    save_milestone,
    saved_now,
    trend,
)
from .order import next_step_key, order_next_steps
from .plan import improvement_plan
from .status import workload_review

__all__ = [
    "CONFIG_FILE",
    "Workload",
    "check_name",
    "diff_milestones",
    "git_commit",
    "improvement_plan",
    "list_milestones",
    "load_milestone",
    "load_workload",
    "make_milestone",
    "next_step_key",
    "order_next_steps",
    "save_milestone",
    "saved_now",
    "trend",
    "workload_review",
]
