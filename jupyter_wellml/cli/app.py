"""``jupyter wellml``: the top-level command and its subcommands."""

from __future__ import annotations

from .base import UsageProblem, WellMLCommand


class WellMLApp(WellMLCommand):
    """Review Jupyter notebooks against the AWS Well-Architected Machine Learning Lens, headless (CI,
    pre-commit), and work with lenses, records and model cards."""

    name = "jupyter-wellml"
    examples = """
    jupyter wellml review notebooks/ --fail-on high
    jupyter wellml lens list --phase training
    jupyter wellml lens show MLOE-02
    jupyter wellml sync analysis.ipynb
    jupyter wellml card analysis.ipynb --format markdown
    jupyter wellml review notebooks/ --workload
    jupyter wellml milestone save before-launch notebooks/
    jupyter wellml plan notebooks/
    jupyter wellml wa answers notebooks/ --lens-alias ARN -o answers.json
    """
    subcommands = {
        "lens": (
            "jupyter_wellml.cli.lens.LensApp",
            "Work with the lens catalog: list, show, check, export, import.",
        ),
        "review": (
            "jupyter_wellml.cli.review_app.ReviewApp",
            "Review notebooks and report gaps (text, json, markdown, sarif, html).",
        ),
        "sync": (
            "jupyter_wellml.cli.records.SyncApp",
            "Move %wellml records from cell outputs into notebook metadata.",
        ),
        "card": (
            "jupyter_wellml.cli.records.CardApp",
            "Write a model card from a notebook's records.",
        ),
        "milestone": (
            "jupyter_wellml.cli.milestone.MilestoneApp",
            "Milestones of a workload: save the review under a name, list them, compare two.",
        ),
        "plan": (
            "jupyter_wellml.cli.milestone.PlanApp",
            "The improvement plan of a workload, in the order to work on it.",
        ),
        "wa": (
            "jupyter_wellml.cli.wa.WaApp",
            "Answers for the AWS Well-Architected Tool: write them, or read the Tool's back.",
        ),
        "signoff": (
            "jupyter_wellml.cli.wa.SignoffApp",
            "Record in a notebook that a person approved a practice, until a date.",
        ),
    }

    def run(self) -> int:
        raise UsageProblem(
            f"choose a subcommand: {', '.join(self.subcommands)} (see jupyter wellml --help)"
        )


def main(argv: list[str] | None = None) -> None:
    """Kept for ``python -m jupyter_wellml`` callers; see :func:`jupyter_wellml.cli.main.main`."""
    from .main import main as _main

    _main(argv)
