"""``jupyter wellml milestone save|list|diff`` and ``jupyter wellml plan``: a workload over time.

Every command reviews the workload first (as ``review DIR --workload``, with the same cache) and
fails with one line and exit code 2, writing nothing, when the workload or a notebook cannot be
reviewed or a milestone is missing.
"""

from __future__ import annotations

import os
from typing import Any

from traitlets import Bool, Int

from ..errors import WellMLError
from .base import EXIT_OK, UsageProblem, WellMLCommand, format_enum


class WorkloadCommand(WellMLCommand):
    """Base of the commands that start from a workload review."""

    jobs = Int(1, help="Review N notebooks in parallel processes.").tag(config=True)
    aliases = {**WellMLCommand.aliases, "jobs": "WorkloadCommand.jobs", "j": "WorkloadCommand.jobs"}

    def workload_run(self, root: str):
        from .workload import review_workload

        if self.jobs < 1:
            raise UsageProblem("--jobs must be 1 or more")
        try:
            return review_workload(
                root, lens_paths=self.lens_paths, data_dirs=not self.no_data_dirs, jobs=self.jobs
            )
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None

    def workload(self, root: str):
        from ..workload import load_workload

        try:
            return load_workload(root)
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None


def _now_milestone(run) -> dict[str, Any]:
    """The workload as it is now, in a milestone's shape (for ``diff A`` without B)."""
    from ..workload import git_commit, make_milestone, saved_now

    return make_milestone("now", run.section, saved_now(), git_commit(run.workload.root))


class MilestoneSave(WorkloadCommand):
    """Save the workload's review as milestone NAME (DIR/.wellml/milestones/NAME.json)."""

    name = "jupyter-wellml-milestone-save"
    examples = """
    jupyter wellml milestone save before-launch notebooks/
    jupyter wellml milestone save 2026-q1 --force       # replace an existing milestone
    """
    force = Bool(False, help="Replace a milestone of the same name.").tag(config=True)
    flags = {
        **WellMLCommand.flags,
        "force": ({"MilestoneSave": {"force": True}}, "Replace a milestone of the same name."),
    }

    def run(self) -> int:
        from ..workload import check_name, git_commit, make_milestone, save_milestone, saved_now

        if not 1 <= len(self.extra_args) <= 2:
            raise UsageProblem(
                "give a name and, optionally, the workload folder: milestone save NAME [DIR]"
            )
        name, root = self.extra_args[0], (self.extra_args[1:] or ["."])[0]
        try:
            check_name(name)
            run = self.workload_run(root)
            milestone = make_milestone(
                name, run.section, saved_now(), git_commit(run.workload.root)
            )
            path = save_milestone(run.workload, milestone, force=self.force)
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        t = run.section["summary"]["total"]
        commit = (milestone["git"] or {}).get("commit", "")[:12] or "no git commit"
        print(
            f"saved milestone {name} of {run.workload.name} ({commit}): {t['high']} high and "
            f"{t['medium']} medium risk gap(s), {t['met']} met; {path}"
        )
        return EXIT_OK


class MilestoneList(WorkloadCommand):
    """List the milestones of a workload, oldest first, with their risk counts."""

    name = "jupyter-wellml-milestone-list"
    examples = """
    jupyter wellml milestone list notebooks/
    """
    format = format_enum("text", "json", default="text")
    aliases = WorkloadCommand.aliases_with("MilestoneList", "format")

    def run(self) -> int:
        from ..report.workload import milestones_text
        from ..workload import list_milestones

        if len(self.extra_args) > 1:
            raise UsageProblem("give at most one workload folder: milestone list [DIR]")
        root = (self.extra_args or ["."])[0]
        milestones = list_milestones(self.workload(root))
        if self.format == "json":
            self.emit_json({"workload": root, "milestones": milestones})
        else:
            self.emit(milestones_text(milestones, root))
        return EXIT_OK


class MilestoneDiff(WorkloadCommand):
    """What changed from milestone A to B (default: now): practices whose status changed, high and
    medium risk counts per pillar before and after."""

    name = "jupyter-wellml-milestone-diff"
    examples = """
    jupyter wellml milestone diff before-launch              # against the workload now
    jupyter wellml milestone diff 2026-q1 2026-q2 notebooks/ --format markdown
    """
    format = format_enum("text", "json", "markdown", default="text")
    aliases = WorkloadCommand.aliases_with("MilestoneDiff", "format")

    def run(self) -> int:
        from ..report.workload import diff_markdown, diff_text
        from ..workload import diff_milestones, load_milestone

        first, second, root = self._arguments()
        workload = self.workload(root)
        try:
            before = load_milestone(workload, first)
            after = load_milestone(workload, second) if second != "now" else None
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        if after is None:
            after = _now_milestone(self.workload_run(root))
        diff = diff_milestones(before, after)
        if self.format == "json":
            self.emit_json(diff)
        else:
            self.emit(diff_markdown(diff) if self.format == "markdown" else diff_text(diff))
        return EXIT_OK

    def _arguments(self) -> tuple[str, str, str]:
        """``A``, ``B`` (``now`` unless given) and the folder: ``A [B] [DIR]``."""
        args = list(self.extra_args)
        if not 1 <= len(args) <= 3:
            raise UsageProblem(
                "give one or two milestones and, optionally, the folder: milestone diff A [B] [DIR]"
            )
        root = "."
        if len(args) == 3 or (len(args) == 2 and os.path.isdir(args[1])):
            root = args.pop()
        return args[0], (args[1:] or ["now"])[0], root


class MilestoneApp(WellMLCommand):
    """Milestones of a workload: save the review under a name, list them, compare two."""

    name = "jupyter-wellml-milestone"
    subcommands = WellMLCommand.subcommands_of(name, MilestoneSave, MilestoneList, MilestoneDiff)


class PlanApp(WorkloadCommand):
    """The improvement plan of a workload: open gaps (high risk first, then by lifecycle phase and
    pillar), then practices to answer, each with guidance, evidence and next step."""

    name = "jupyter-wellml-plan"
    examples = """
    jupyter wellml plan notebooks/
    jupyter wellml plan notebooks/ --format markdown --output PLAN.md
    """
    format = format_enum("text", "markdown", "json", default="text")
    aliases = WorkloadCommand.aliases_with("PlanApp", "format")

    def run(self) -> int:
        from ..report.workload import plan_markdown, plan_text
        from ..workload import improvement_plan

        if len(self.extra_args) > 1:
            raise UsageProblem("give at most one workload folder: plan [DIR]")
        run = self.workload_run((self.extra_args or ["."])[0])
        plan = improvement_plan(run.section, run.catalog)
        if self.format == "json":
            self.emit_json(plan, ascii=False)
        else:
            self.emit(plan_markdown(plan) if self.format == "markdown" else plan_text(plan))
        return EXIT_OK
