"""``review DIR --workload``, and the workload review the other workload commands start from.

The notebooks are reviewed exactly as ``jupyter wellml review`` reviews them (same options,
cache and worker processes); the workload section is computed from their review JSON by
:func:`jupyter_wellml.workload.workload_review`.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import WellMLError


def prepare_workload(args: argparse.Namespace) -> str | None:
    """Read the workload ``args.paths[0]`` names; point ``args`` at its notebooks and lenses.

    Returns a one-line problem, or None. Sets ``args.workload_obj``.
    """
    if getattr(args, "workload_obj", None) is not None:
        return None
    if len(args.paths) != 1 or not os.path.isdir(args.paths[0]):
        return "--workload takes one folder: the workload (its notebooks are found below it)"
    from ..workload import load_workload

    try:
        workload = load_workload(args.paths[0])
    except WellMLError as exc:
        return str(exc)
    args.workload_obj = workload
    if workload.notebooks is not None:
        args.paths = [str(p) for p in workload.notebooks]
    args.lens_path = [*args.lens_path, *(str(p) for p in workload.lenses)]
    return None


def render_workload(
    reviews: Sequence[dict[str, Any]],
    errors: Sequence[dict[str, str]],
    args: argparse.Namespace,
    catalog,
    render_notebooks: Callable[..., str],
) -> str:
    """The report of ``review DIR --workload``: each notebook's, then the workload's section."""
    from ..workload import trend, workload_review

    section = workload_review(reviews, catalog, args.workload_obj)
    args.workload_section = section
    if args.format == "json":
        body = {"schema": "wellml-reviews/v1", "reviews": reviews, "errors": errors}
        return json.dumps({**body, "workload": section}, indent=2)
    plain = render_notebooks(reviews, errors, args)
    if args.format == "text":
        from ..report.workload import workload_text

        return f"{plain.rstrip()}\n{workload_text(section, at_least='medium')}"
    if args.format == "markdown":
        from ..report.workload import workload_markdown

        return f"{plain.rstrip()}\n\n{workload_markdown(section, catalog)}"
    if args.format == "html":
        from ..report.workload import workload_html

        fragment = workload_html(section, catalog, trend(args.workload_obj))
        head, tail = plain.rsplit("</body>", 1)
        return f"{head}{fragment}</body>{tail}"
    return plain  # sarif: results per notebook file only


class WorkloadRun:
    """A workload reviewed for a command other than ``review``: reviews, section, catalog."""

    def __init__(self, args: argparse.Namespace, reviews: list, errors: list, catalog) -> None:
        from ..workload import workload_review

        self.args = args
        self.workload = args.workload_obj
        self.reviews = reviews
        self.errors = errors
        self.catalog = catalog
        self.section = workload_review(reviews, catalog, self.workload)


def review_workload(
    root: str, *, lens_paths: Sequence[str] = (), data_dirs: bool = True, jobs: int = 1
) -> WorkloadRun:
    """Review the workload at ``root``; :class:`WellMLError` (one line) when it cannot be.

    A notebook that cannot be reviewed makes the whole run fail: a milestone, a plan or WA
    answers from part of a workload would be wrong without saying so.
    """
    from .review import _catalog, build_parser, collect

    argv = [root, "--workload", "--jobs", str(jobs), "--progress", "never"]
    argv += [x for path in lens_paths for x in ("--lens-path", path)]
    argv += [] if data_dirs else ["--no-data-dirs"]
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = prepare_workload(args)
    if problem:
        raise WellMLError(problem)
    collected = collect(args, parser)
    if isinstance(collected, int):  # pragma: no cover - prepared above, no other option given
        raise WellMLError(f"{root}: the workload could not be reviewed")
    reviews, errors = collected
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise WellMLError(f"{first['path']}: {first['message']}{more}")
    catalog = _catalog(args.lens_path, data_dirs, args.fingerprint)
    return WorkloadRun(args, reviews, errors, catalog)


def workload_card(root: str, *, lens_paths, data_dirs: bool, name: str | None) -> dict[str, Any]:
    """``card DIR --workload``: one model card from the records of every notebook of the workload."""
    from pathlib import Path

    from ..report.workload_card import build_workload_card

    run = review_workload(root, lens_paths=lens_paths, data_dirs=data_dirs)
    paths = [Path(r["notebook"]["path"]) for r in run.reviews]
    return build_workload_card(paths, run.section, run.catalog, name=name)
