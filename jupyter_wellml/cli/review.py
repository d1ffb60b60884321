"""``jupyter wellml review PATH...``: review notebooks headless, for CI and pre-commit.

Exit codes: 0 no gap at or above ``--fail-on``; 1 such a gap exists, or a notebook's code could not
be inspected (its kernel language is neither Python nor R; ``--not-inspected pass`` lets it pass
with a note); 2 a usage error or a file that could not be reviewed (the others are still reviewed
and reported).

This module parses its own arguments with :mod:`argparse` and imports the review engine only
when a notebook must really be reviewed: ``jupyter-wellml review`` starts without traitlets,
and results are cached (like ruff or mypy do) by notebook content, lens and options, so an
unchanged notebook is reported without parsing it again (``--no-cache`` turns this off).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .._version import __version__
from .main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

FORMATS = ("text", "json", "markdown", "sarif", "html")
SKIP_DIRS = {
    ".ipynb_checkpoints",
    "node_modules",
    "__pycache__",
    ".git",
    ".venv",
    "venv",
    ".tox",
    "site-packages",
}
ENGINE = f"{__version__}-2"  # bump the suffix when review output changes without a version change


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help formatter, given the terminal's width.

    Left to itself, argparse asks :func:`shutil.get_terminal_size` at every ``add_argument``, and
    importing :mod:`shutil` (with bz2 and lzma) costs about 3 ms of every run. This reads the
    width the same way: ``$COLUMNS``, else the terminal of standard output, else 80.
    """
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 80
    return argparse.HelpFormatter(prog, width=max(width - 2, 20))


# The options, by kind (the help lists them in this order).
#: (flags, choices, help): one of a few values, the first by default
_CHOICES = (
    (("--format", "-f"), FORMATS, "report format (default: text)"),
    (
        ("--fail-on",),
        ("high", "medium", "never"),
        "exit 1 when a gap of this risk or higher exists (default: high)",
    ),
    (
        ("--not-inspected",),
        ("fail", "pass"),
        "a notebook whose kernel language is not inspected (neither Python nor R) counts "
        "as a failure for --fail-on (default), or passes with a note",
    ),
    (("--progress",), ("auto", "always", "never"), "progress bar on standard error"),
)
#: (flags, metavar, help): a value
_VALUED = (
    (("--output", "-o"), "FILE", "write the report to FILE instead of standard output"),
    (("--phase",), "PHASE", "review against this phase (any phase word: training, deployment...)"),
    (
        ("--python",),
        "INTERPRETER",
        "probe this interpreter's packages (e.g. the kernel's) for license and install checks",
    ),
)
#: (flag, metavar, help): a value that may be given again, each appended to a list
_REPEATABLE = (
    ("--lens-path", "DIR", "a team lens folder (repeatable)"),
    ("--license-allow", "GLOB", "licenses to allow (repeatable)"),
    ("--license-deny", "GLOB", "licenses to refuse (repeatable)"),
)
#: (flag, help): a switch, off unless given
_SWITCHES = (
    ("--no-data-dirs", "ignore lenses in Jupyter data directories"),
    ("--no-cache", "do not read or write the review cache"),
    (
        "--workload",
        "PATH is one folder reviewed as a workload (wellml-workload.yaml): add its status",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter wellml review",
        formatter_class=_help_formatter,
        description="Review notebooks against the AWS Well-Architected Machine Learning Lens.",
        epilog=(
            "Text lines read PATH:cell N:line M: ID [risk] message (cells and lines counted from 1). "
            "Exit 0: no gap at or above --fail-on; 1: such gaps; 2: usage or input errors."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="notebooks, or folders searched recursively for *.ipynb",
    )
    for flags, choices, help in _CHOICES:
        parser.add_argument(*flags, choices=choices, default=choices[0], help=help)
    for flags, metavar, help in _VALUED:
        parser.add_argument(*flags, metavar=metavar, help=help)
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="review N notebooks in parallel processes",
    )
    for flag, metavar, help in _REPEATABLE:
        parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)
    for flag, help in _SWITCHES:
        parser.add_argument(flag, action="store_true", help=help)
    parser.add_argument("--version", action="version", version=f"jupyter-wellml {__version__}")
    return parser


def notebooks(paths: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Notebook files under ``paths`` (sorted), and an error for each path that is neither."""
    found: list[str] = []
    errors: list[dict[str, str]] = []
    for raw in paths:
        if os.path.isdir(raw):
            for dirpath, dirnames, filenames in os.walk(raw):
                dirnames[:] = sorted(
                    d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
                )
                found.extend(
                    os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".ipynb")
                )
        elif os.path.isfile(raw):
            found.append(raw)
        else:
            errors.append({"path": raw, "message": "no such file or folder"})
    return list(dict.fromkeys(found)), errors


class _Cache:
    """Reviews on disk, keyed by notebook content + lens fingerprint + options + engine version."""

    def __init__(self, enabled: bool, fingerprint: str, options: str):
        from ..catalog.locate import cache_dir

        self.dir = os.path.join(cache_dir(), "reviews")
        self.enabled = enabled
        self.prefix = f"{ENGINE}|{fingerprint}|{options}|"

    def key(self, content: bytes) -> str:
        return cache_key(self.prefix, content)

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            with open(os.path.join(self.dir, f"{key}.json"), encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def put(self, key: str, review: dict[str, Any]) -> None:
        if not self.enabled:
            return
        try:
            os.makedirs(self.dir, exist_ok=True)
            tmp = os.path.join(self.dir, f"{key}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(review, fh)
            os.replace(tmp, os.path.join(self.dir, f"{key}.json"))
        except OSError:
            pass


def cache_key(prefix: str, content: bytes) -> str:
    import hashlib

    return hashlib.sha256(prefix.encode() + content).hexdigest()[:40]


# ------------------------------------------------------------------------- workers
_STATE: dict[str, Any] = {}


def _catalog(lens_paths: list[str], data_dirs: bool, fingerprint: str):
    """The catalog, loaded once per process (``fingerprint``: of these lens folders, just computed)."""
    key = (tuple(lens_paths), data_dirs, fingerprint)
    if _STATE.get("catalog_key") != key:
        from ..catalog.cache import load_catalog

        _STATE["catalog"] = load_catalog(lens_paths, data_dirs=data_dirs, fingerprint=fingerprint)
        _STATE["catalog_key"] = key
    return _STATE["catalog"]


def _init_worker(
    lens_paths: list[str],
    data_dirs: bool,
    fingerprint: str,
    environment,
    allow: list[str],
    deny: list[str],
) -> None:
    from ..inspection.licenses import LicensePolicy

    _catalog(lens_paths, data_dirs, fingerprint)
    _STATE["environment"] = environment
    _STATE["policy"] = LicensePolicy.from_config(allow, deny)


def _review_one(
    path: str, phase: str | None, prefix: str
) -> tuple[str, dict[str, Any] | None, str | None, str | None]:
    """Read and review one notebook: (path, review, problem, cache key of the bytes read).
    The notebook is read here, in the worker, so a run over many notebooks holds one at a time."""
    try:
        with open(path, "rb") as fh:
            content = fh.read()
    except OSError as exc:
        return path, None, f"cannot read: {exc.strerror or exc}", None
    key = cache_key(prefix, content)
    return (*_review_content(path, content, phase), key)


def _review_content(
    path: str, content: bytes, phase: str | None
) -> tuple[str, dict[str, Any] | None, str | None]:
    from ..errors import WellMLError
    from ..inspection import review
    from ..report.verdict import with_verdict

    try:
        result = review(
            content,
            _STATE["catalog"],
            _STATE["environment"],
            policy=_STATE["policy"],
            phase=phase,
            path=path,
        )
        doc = with_verdict(result.to_json(), _STATE["catalog"])
        json.dumps(doc, allow_nan=False)  # what cannot be written is an error now, not later
        return path, doc, None
    except WellMLError as exc:
        return path, None, getattr(exc, "reason", None) or str(exc)
    except RecursionError:
        return path, None, "the notebook is nested too deeply to inspect"
    except (
        Exception
    ) as exc:  # an engine defect: this notebook is listed under errors, the run goes on
        return path, None, f"the review failed inside jupyter-wellml ({type(exc).__name__}: {exc})"


# ------------------------------------------------------------------------- main
def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and review; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    collected = collect(args, parser)
    if isinstance(collected, int):
        return collected
    ordered, errors = collected
    try:
        _write(_render(ordered, errors, args), args.output)
    except OSError as exc:  # -o into a missing folder, a full disk...
        print(
            f"jupyter wellml review: error: cannot write {args.output}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if errors:
        for e in errors:
            print(f"jupyter wellml review: error: {e['path']}: {e['message']}", file=sys.stderr)
        return EXIT_USAGE
    unread = [r for r in ordered if not r["notebook"].get("inspected", True)]
    for r in unread:
        print(
            f"jupyter wellml review: note: {r['notebook']['path']}: not reviewed: "
            f"{r['notebook'].get('reason') or 'its code was not inspected'}",
            file=sys.stderr,
        )
    if args.fail_on != "never":
        from ..report.common import gaps

        # with --workload, a gap of one notebook that another meets is no gap of the workload
        judged = [args.workload_section] if args.workload else ordered
        if any(gaps(r, args.fail_on) for r in judged):
            return EXIT_FINDINGS
        if unread and args.not_inspected == "fail":
            return EXIT_FINDINGS
    return EXIT_OK


def collect(args: argparse.Namespace, parser: argparse.ArgumentParser):
    """The reviews of the notebooks ``args`` names, in path order, and the files that failed;
    or an exit code after a usage error (already printed)."""
    if args.workload:
        from .workload import prepare_workload

        problem = prepare_workload(args)
        if problem:
            print(f"jupyter wellml review: error: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.jobs < 1:
        return _usage(parser, "--jobs must be 1 or more")
    paths, errors = notebooks(args.paths)
    settings = _settings(args, parser)
    if isinstance(settings, int):
        return settings
    phase_word, environment, data_dirs = settings
    cache = _Cache(not args.no_cache, args.fingerprint, _options_key(args, phase_word, environment))
    reviews, todo = _from_cache(paths, cache, errors)
    if todo:
        reviewed = _review_all(todo, args, data_dirs, environment, phase_word, cache.prefix)
        for path, result, problem, key in reviewed:
            if result is None:
                errors.append({"path": path, "message": problem or "could not be reviewed"})
                continue
            reviews[path] = result
            if key is not None:
                cache.put(key, result)
    ordered = [reviews[p] for p in paths if p in reviews]
    if not ordered and not errors:
        errors.append({"path": " ".join(args.paths), "message": "no notebooks (*.ipynb) found"})
    return ordered, errors


def _settings(args: argparse.Namespace, parser: argparse.ArgumentParser):
    """``(phase id, probed environment, data_dirs)`` of a run (``args.fingerprint`` set), or an
    exit code after a usage error (already printed)."""
    from ..catalog.locate import catalog_fingerprint

    data_dirs = not args.no_data_dirs
    args.fingerprint = catalog_fingerprint(args.lens_path, data_dirs=data_dirs)
    phase_word = args.phase
    if phase_word:
        catalog = _catalog(args.lens_path, data_dirs, args.fingerprint)
        found = catalog.phase(phase_word)
        if found is None:
            return _usage(
                parser,
                f"--phase {phase_word!r} is not a lifecycle phase; use one of: {', '.join(catalog.phase_choices())}",
            )
        phase_word = found.id
    environment = None
    if args.python:
        from ..inspection.environment import ProbeError, probe

        try:
            environment = probe(args.python)
        except ProbeError as exc:
            return _usage(parser, str(exc))
    return phase_word, environment, data_dirs


def _options_key(args: argparse.Namespace, phase_word: str | None, environment) -> str:
    """What besides the notebook and the lens changes a review (part of its cache key)."""
    return json.dumps(
        [
            phase_word,
            sorted(args.license_allow),
            sorted(args.license_deny),
            environment and environment.get("packages"),
            _today(),  # a sign-off that runs out changes the review from one day to the next
        ],
        sort_keys=True,
        default=str,
    )


def _from_cache(
    paths: list[str], cache: _Cache, errors: list[dict[str, str]]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The cached reviews of ``paths``, and the paths still to review (unreadable files are
    added to ``errors``)."""
    reviews: dict[str, dict[str, Any]] = {}
    todo: list[str] = []
    for path in paths:
        cached = None
        if cache.enabled:
            try:
                with open(path, "rb") as fh:
                    cached = cache.get(cache.key(fh.read()))
            except OSError as exc:
                errors.append({"path": path, "message": f"cannot read: {exc.strerror or exc}"})
                continue
        if cached is not None:
            cached["notebook"]["path"] = path
            cached["notebook"]["name"] = os.path.basename(path)
            reviews[path] = cached
        else:
            todo.append(path)
    return reviews, todo


def _today() -> str:
    import datetime

    return datetime.date.today().isoformat()


def _review_all(
    todo, args, data_dirs, environment, phase, prefix
) -> Iterator[tuple[str, dict | None, str | None, str | None]]:
    show = args.progress == "always" or (
        args.progress == "auto" and sys.stderr.isatty() and len(todo) > 1
    )
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="nb", file=sys.stderr, desc="reviewing", leave=False)
    init = (
        args.lens_path,
        data_dirs,
        args.fingerprint,
        environment,
        args.license_allow,
        args.license_deny,
    )
    try:
        if args.jobs == 1 or len(todo) == 1:
            _init_worker(*init)
            for path in todo:
                yield _review_one(path, phase, prefix)
                if bar is not None:
                    bar.update()
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(
            max_workers=min(args.jobs, len(todo)), initializer=_init_worker, initargs=init
        ) as pool:
            futures = [pool.submit(_review_one, path, phase, prefix) for path in todo]
            for fut in as_completed(futures):
                yield fut.result()
                if bar is not None:
                    bar.update()
    finally:
        if bar is not None:
            bar.close()


def _render(reviews, errors, args) -> str:
    if args.workload:
        from .workload import render_workload

        catalog = _catalog(args.lens_path, not args.no_data_dirs, args.fingerprint)
        return render_workload(reviews, errors, args, catalog, _render_notebooks)
    return _render_notebooks(reviews, errors, args)


def _render_notebooks(reviews, errors, args) -> str:
    fmt = args.format
    if fmt == "json":
        if (
            len(reviews) == 1
            and not errors
            and len(args.paths) == 1
            and os.path.isfile(args.paths[0])
        ):
            return json.dumps(reviews[0], indent=2)
        return json.dumps(
            {"schema": "wellml-reviews/v1", "reviews": reviews, "errors": errors}, indent=2
        )
    if fmt == "text":
        from ..report.text import render_text

        return render_text(reviews, errors)
    catalog = _catalog(args.lens_path, not args.no_data_dirs, args.fingerprint)
    if fmt == "markdown":
        from ..report.markdown import render_markdown

        return render_markdown(reviews, errors, catalog=catalog)
    if fmt == "sarif":
        from ..report.sarif import render_sarif

        return json.dumps(render_sarif(reviews, errors, catalog=catalog), indent=2)
    from ..report.html import render_html

    return render_html(reviews, errors, catalog=catalog)


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def _usage(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"jupyter wellml review: error: {message}", file=sys.stderr)
    return EXIT_USAGE
