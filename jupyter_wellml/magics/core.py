"""``%wellml`` and ``%%wellml``: write decisions down where the work lives, and review it.

Every record-writing subcommand builds and validates its records first (a wrong argument is a
one-line ``UsageError`` and nothing is displayed or remembered), then displays them as the
``application/vnd.jupyter.wellml.record+json`` MIME bundle with text and HTML fallbacks. The
JupyterLab sidebar writes that bundle into ``metadata["wellml"]``; ``jupyter wellml sync`` does
the same for notebooks run anywhere else.
"""

from __future__ import annotations

import os
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import List, Unicode, observe

from ..errors import RecordError, WellMLError
from ..records import KIND_WORDS, build, mimebundle
from .parsing import SUBCOMMANDS, HelpRequested, help_text, parse, split
from .state import KernelState

RECORDING = {name: sub.kind for name, sub in SUBCOMMANDS.items() if sub.kind}


def _default_author() -> str | None:
    from ..records.authors import os_user

    return os_user()


@magics_class
class WellMLMagics(Magics):
    """The ``%wellml`` magics. Configure with ``%config WellMLMagics.author = "ana"``."""

    author = Unicode(
        None, allow_none=True, help="Author written into records (default: the login name)."
    ).tag(config=True)
    lens_paths = List(Unicode(), help="Team lens folders to load after the built-in lens.").tag(
        config=True
    )

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        if self.author is None:
            self.author = _default_author()
        self.state = KernelState(self.lens_paths, getattr(shell, "user_ns", None))
        self.last: list[dict[str, Any]] = []
        self._raw_cell: str | None = None

    @observe("lens_paths")
    def _lens_paths_changed(self, change) -> None:
        """``%config WellMLMagics.lens_paths = [...]``: the next magic reloads the catalog."""
        state = getattr(self, "state", None)
        if state is not None:
            with state._lock:
                state.lens_paths = list(change["new"])
                state._catalog = None

    # ----------------------------------------------------------------- events
    def pre_run_cell(self, info) -> None:
        """Remember the running cell (JupyterLab sends its id) for phase markers."""
        self.state.cell_id = getattr(info, "cell_id", None) or None
        self._raw_cell = getattr(info, "raw_cell", None)

    # ----------------------------------------------------------------- the magic
    @line_cell_magic
    def wellml(self, line: str, cell: str | None = None):
        """Record ML decisions in the notebook, and review it against the Well-Architected ML Lens.

        Usage::

          %wellml phase PHASE
          %wellml kpi NAME [OP TARGET] [--acceptable-error X] [--business TEXT] [--unit U]
                       [--error-cost TEXT]
          %wellml kpi NAME --measured X          (X may be {variable})
          %wellml data URI [--name N] [--owner WHO] [--pii yes|no|unknown] [--license L]
                           [--description TEXT] [--no-hash]
          %wellml explain --level global|local|both|none [--method M] [--audience WHO]
                          [--rationale TEXT]
          %wellml waive PRACTICE --reason out_of_scope|business_priorities|
                                          architecture_constraints|other NOTE
          %wellml attest PRACTICE NOTE
          %wellml frame --question TEXT [--task T] [--label L] [--feature F ...]
                        [--baseline TEXT] [--production TEXT]
          %wellml signoff PRACTICE --approver "NAME, ROLE" [--expires YYYY-MM-DD] [--note TEXT]
          %wellml status
          %wellml review [--phase PHASE] [--all]
          %wellml help [SUBCOMMAND]
          %%wellml [KIND]        (a YAML body: several records at once)

        PRACTICE is any id form: MLOPS01-BP02, MLOE-02, mlsec-5, MLREL-01@2021.
        Each record is shown as application/vnd.jupyter.wellml.record+json; the JupyterLab
        sidebar saves it in the notebook's metadata, elsewhere run ``jupyter wellml sync NB``.

        Examples
        --------
        ::

          In [1]: %load_ext jupyter_wellml
          In [2]: %wellml phase training
          wellml recorded: phase: model_development from this cell on
          In [3]: %wellml kpi accuracy >= 0.92 --acceptable-error 0.03 --business "fewer missed fraud cases"
          In [4]: %wellml kpi accuracy --measured {acc}
          In [5]: %wellml data s3://bucket/train.csv --name train --owner "Data team" --pii no --license CC-BY-4.0
          In [6]: %wellml explain --level global --method shap --audience "loan officers" --rationale "..."
          In [7]: %wellml waive MLSEC-05 --reason out_of_scope "no personal data in this set"
          In [8]: %wellml attest MLOPS02-BP03 "lineage kept in the data catalog"
          In [9]: %wellml kpi accuracy >= 0.92 --pii no
          UsageError: %wellml kpi: unrecognized arguments: --pii no; see %wellml help kpi
          In [10]: %%wellml kpi
              ...: - {name: recall, op: ">=", target: 0.85, acceptable_error: 0.02}
              ...: - {name: latency_ms, target: "<= 200", unit: ms}
        """
        refuse_placeholder(line if cell is None else f"{line}\n{cell}")
        if cell is not None:
            return self._cell(line, cell)
        words = split(line)
        if not words:
            raise UsageError(
                f"%wellml: give a subcommand: {', '.join(SUBCOMMANDS)} (see %wellml help)"
            )
        name, rest = words[0].lower(), words[1:]
        if name not in SUBCOMMANDS:
            raise UsageError(
                f"%wellml: unknown subcommand {words[0]!r}; use one of: {', '.join(SUBCOMMANDS)}"
            )
        try:
            values = parse(name, rest)
        except HelpRequested:
            print(help_text(name))
            return None
        if name == "help":
            print(help_text(values.get("topic")))
            return None
        if name == "status":
            return self._status()
        if name == "review":
            return self._review(values.get("phase"), values.get("all", False))
        self._record([(RECORDING[name], values, f"%wellml {name}")])
        return None

    # ----------------------------------------------------------------- recording
    def _record(self, items: list[tuple[str, dict[str, Any], str]]) -> None:
        """Build and validate every record, then (only then) display and remember them."""
        built, notes = [], []
        catalog = None
        cell_id = self.state.running_cell_id(self._raw_cell)
        for kind, values, label in items:
            if kind in ("phase", "waiver", "attest", "signoff") and catalog is None:
                catalog = self._catalog(label)
            try:
                result = build(
                    kind,
                    values,
                    catalog=catalog,
                    base_dir=os.getcwd(),
                    known=self.state.known,
                    author=self.author,
                    cell_id=cell_id,
                    where=label,
                )
            except RecordError as exc:
                raise UsageError(" ".join(str(exc).split())) from None
            built.append(result.record)
            notes.extend(result.notes)
            if result.record.get("status") == "no_target" and values.get("measured") is not None:
                _, problem = self.state.notebook_and_problem()
                if problem:  # never a silent no_target because the file could not be read
                    notes.append(
                        f"{label}: no target is known for {result.record['name']}: {problem}"
                    )
        from IPython.display import display

        display(mimebundle(built), raw=True)
        for note in notes:
            print(f"note: {note}")
        self.state.remember(built)
        self.last = built

    def _catalog(self, label: str):
        try:
            return self.state.catalog()
        except WellMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{label}: the lens could not be loaded: {first}") from None

    def _cell(self, line: str, body: str) -> None:
        words = split(line, "%%wellml")
        kind = None
        if words:
            kind = KIND_WORDS.get(words[0].lower())
            if kind is None or len(words) > 1:
                raise UsageError(
                    f"%%wellml: the line takes at most one KIND, one of: "
                    f"{', '.join(sorted(set(KIND_WORDS.values())))} (got {' '.join(words)!r})"
                )
        from ..catalog.yamlsource import YamlSyntaxError, safe_load

        try:
            data = safe_load(body)
        except YamlSyntaxError as exc:
            where = f" at line {exc.line}" if exc.line else ""
            raise UsageError(f"%%wellml: the cell is not valid YAML{where}: {exc}") from None
        items = _cell_items(data, kind)
        self._record(items)

    # ----------------------------------------------------------------- status and review
    def _status(self) -> None:
        from IPython.display import display

        from ..inspection.review import review
        from ..report.status import status_bundle

        catalog = self._catalog("%wellml status")
        nb, path, problem = self.state.merged()
        result = review(nb, catalog, path=path)
        bundle = status_bundle(
            result, path, problem, len(self.state.records), read=self.state.read_version()
        )
        display(bundle, raw=True)

    def _review(self, phase: str | None, show_all: bool):
        from IPython.display import display

        from ..inspection.review import review
        from ..widgets import review_view

        catalog = self._catalog("%wellml review")
        if phase and catalog.phase(phase) is None:
            raise UsageError(
                f"%wellml review: --phase {phase!r} is not a lifecycle phase; use one of: "
                f"{', '.join(catalog.phase_choices())}"
            )
        nb, path, problem = self.state.merged()
        result = review(nb, catalog, phase=phase, path=path)
        view = review_view(
            result, show="all" if show_all else "gaps", read=self.state.read_version()
        )
        display(view)
        from ..report.status import set_aside

        for note in ([problem] if problem else []) + set_aside(result):
            print(f"note: {note}")
        return None


def refuse_placeholder(text: str) -> None:
    """A suggested line still holding a placeholder (``<license>``) records nothing."""
    from ..report.answers import placeholder_in

    found = placeholder_in(text)
    if found:
        raise UsageError(
            f"%wellml: replace the placeholder {found} with what is true (nothing was recorded)"
        )


def _entries(k: str, value: Any, label: str) -> list[tuple[str, dict[str, Any], str]]:
    """The records of one kind in a ``%%wellml`` body: a mapping, or a list of them."""
    entries = value if isinstance(value, list) else [value]
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"%%wellml {label} item {i}" if isinstance(value, list) else f"%%wellml {label}"
        if k == "phase" and isinstance(entry, str):
            entry = {"phase": entry}
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: expected a mapping of fields, got {entry!r}")
        out.append((k, {str(f).replace("-", "_"): v for f, v in entry.items()}, where))
    return out


def _kinds_text() -> str:
    return ", ".join(sorted(set(KIND_WORDS.values())))


def _items_by_kind(data: dict) -> list[tuple[str, dict[str, Any], str]]:
    """A body that maps kinds to their records (``kpi: {...}``)."""
    items = []
    for key, value in data.items():
        k = KIND_WORDS.get(str(key).lower())
        if k is None:
            raise UsageError(f"%%wellml: unknown kind {key!r}; use one of: {_kinds_text()}")
        items += _entries(k, value, str(key))
    return items


def _items_of_list(data: list) -> list[tuple[str, dict[str, Any], str]]:
    """A body that lists records, each naming its ``kind``."""
    items = []
    for i, entry in enumerate(data, 1):
        k = KIND_WORDS.get(str(entry.get("kind", "")).lower()) if isinstance(entry, dict) else None
        if k is None:
            raise UsageError(
                f"%%wellml item {i}: give each item a kind ({_kinds_text()}), or name the kind on "
                "the first line: %%wellml kpi"
            )
        fields = {f: v for f, v in entry.items() if f != "kind"}
        items += _entries(k, [fields], f"item {i} ({k})")
    return items


def _cell_items(data: Any, kind: str | None) -> list[tuple[str, dict[str, Any], str]]:
    """``(kind, values, label)`` for each record of a ``%%wellml`` body."""
    if data is None:
        raise UsageError(
            "%%wellml: the cell is empty; write the records as YAML (%wellml help cell)"
        )
    if kind is not None:
        items = _entries(kind, data, kind)
    elif isinstance(data, dict):
        items = _items_by_kind(data)
    elif isinstance(data, list):
        items = _items_of_list(data)
    else:
        raise UsageError(
            f"%%wellml: expected a mapping of kinds ({_kinds_text()}) or a list of records, "
            f"got {data!r}"
        )
    if not items:
        raise UsageError("%%wellml: no records in the cell")
    return items
