"""Argument parsing of ``%wellml`` subcommands: argparse parsers whose errors are ``UsageError``.

Each subcommand has a summary, a parser and an examples transcript; ``%wellml help SUB`` and
``%wellml SUB --help`` print them. Parsers are built on first use, so ``%load_ext`` stays fast.
Values are not checked here beyond their shape: :func:`jupyter_wellml.records.build` checks
them, so a line magic and a ``%%wellml`` cell accept and refuse exactly the same values.
"""

from __future__ import annotations

import argparse
import re
import shlex
from functools import cache
from typing import Any

from IPython.core.error import UsageError

from ..records import EXPLAIN_LEVELS, KPI_OPS, PII_VALUES, WAIVER_REASONS
from ..values import Frozen


class HelpRequested(Exception):
    """``--help`` was given: the caller prints the subcommand's help instead of running it."""


class WellMLArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that raises a one-line ``UsageError`` instead of exiting."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {_one_line(message)}; see %wellml help {self.prog[8:]}")

    def exit(self, status: int = 0, message: str | None = None):
        raise HelpRequested()

    def print_help(self, file=None):
        raise HelpRequested()


class Subcommand(Frozen):
    __slots__ = ("examples", "kind", "name", "summary")

    def __init__(self, name: str, summary: str, examples: str, kind: str | None = None) -> None:
        self._set(
            name=name,
            summary=summary,
            examples=examples,
            kind=kind,  # the record kind it writes, if any
        )


SUBCOMMANDS: dict[str, Subcommand] = {
    s.name: s
    for s in (
        Subcommand(
            "phase",
            "Mark the lifecycle phase of the work from this cell on.",
            """
In [1]: %wellml phase training
wellml recorded: phase: model_development from this cell on

In [2]: %wellml phase cooking
UsageError: %wellml phase: 'cooking' is not a lifecycle phase; use one of: business_goal, ...""",
            "phase",
        ),
        Subcommand(
            "kpi",
            "Record a KPI with its target and acceptable error, or a measurement of it.",
            """
In [1]: %wellml kpi accuracy >= 0.92 --acceptable-error 0.03 --business "fewer missed fraud cases"
wellml recorded: KPI accuracy >= 0.92 (acceptable error 0.03) - fewer missed fraud cases

In [2]: acc = 0.93
In [3]: %wellml kpi accuracy --measured {acc}
wellml recorded: KPI accuracy >= 0.92 (acceptable error 0.03) measured 0.93: met ...

In [4]: %wellml kpi accuracy => 0.9
UsageError: %wellml kpi: OP '=>' ... use one of: >=, <=, >, <, ==""",
            "kpi",
        ),
        Subcommand(
            "data",
            "Record a data source: owner, personal data, license; size and SHA-256 of local files.",
            """
In [1]: %wellml data s3://bucket/train.csv --name train --owner "Data team" --pii no --license CC-BY-4.0
wellml recorded: data s3://bucket/train.csv (name=train, owner=Data team, pii=no, license=CC-BY-4.0)

In [2]: %wellml data data/train.csv --pii no
wellml recorded: data data/train.csv (pii=no, sha256=6b86b273ff34…, 1024 bytes)

In [3]: %wellml data s3://bucket/x.csv --pii maybe
UsageError: %wellml data: --pii 'maybe' is not accepted; use one of: yes, no, unknown""",
            "data",
        ),
        Subcommand(
            "explain",
            "Record the explainability decision: level, method, audience and why.",
            """
In [1]: %wellml explain --level global --method shap --audience "loan officers" --rationale "officers must justify refusals"
wellml recorded: explainability: global, method shap, audience loan officers

In [2]: %wellml explain --level total
UsageError: %wellml explain: --level 'total' is not accepted; use one of: global, local, both, none""",
            "explain",
        ),
        Subcommand(
            "waive",
            "Record that a practice does not apply, with the AWS Well-Architected Tool's reason.",
            """
In [1]: %wellml waive MLSEC03-BP03 --reason out_of_scope "no personal data in this set"
wellml recorded: waiver MLSEC03-BP03: out_of_scope - no personal data in this set

In [2]: %wellml waive MLSEC03-BP03 --reason lazy "later"
UsageError: %wellml waive: --reason 'lazy' is not accepted; use one of: out_of_scope, business_priorities, architecture_constraints, other""",
            "waiver",
        ),
        Subcommand(
            "attest",
            "Record how a practice the code cannot show is met (any id form of the practice).",
            """
In [1]: %wellml attest MLOPS02-BP03 "lineage kept in the data catalog"
wellml recorded: attested MLOPS02-BP03: lineage kept in the data catalog

In [2]: %wellml attest MLOE-99 "x"
UsageError: %wellml attest: no practice has the id 'MLOE-99'; ...""",
            "attest",
        ),
        Subcommand(
            "frame",
            "Record the problem framing: the business question, ML task and label, must-have "
            "features, the baseline to beat, the path to production.",
            """
In [1]: %wellml frame --question "Which claims should an investigator open first?" --task classification --label is_fraud --feature amount --feature merchant_age --baseline "rules engine: recall 0.61" --production "nightly batch scores in the case tool"
wellml recorded: framing: Which claims should an investigator open first?; task classification, label is_fraud; ...

In [2]: %wellml frame --task classification
UsageError: %wellml frame: --question (the business question) is missing""",
            "frame",
        ),
        Subcommand(
            "signoff",
            "Record an approval of a practice: who approved it and until when.",
            """
In [1]: %wellml signoff MLOPS02-BP06 --approver "Dana Smith, head of risk" --expires 2027-06-30
wellml recorded: signed off MLOPS02-BP06 by Dana Smith, head of risk until 2027-06-30

In [2]: %wellml signoff MLOPS02-BP06 --approver "Dana Smith" --expires 2020-01-01
UsageError: %wellml signoff: --expires 2020-01-01 is in the past; ...""",
            "signoff",
        ),
        Subcommand(
            "status",
            "Show the phase, the records, and the open gaps of the phase.",
            """
In [1]: %wellml status
wellml status of fraud.ipynb
phase: model_development (recorded: %wellml phase training in cell 3)
records (4): ...
open gaps of model_development (2): ...""",
        ),
        Subcommand(
            "review",
            "Show the review as a widget: one section per pillar, status, guidance, evidence.",
            """
In [1]: %wellml review
In [2]: %wellml review --phase deployment --all""",
        ),
        Subcommand(
            "help",
            "Show this help, or one subcommand's (%wellml help kpi).",
            """
In [1]: %wellml help kpi""",
        ),
    )
}
CELL_EXAMPLE = """
In [1]: %%wellml kpi
   ...: - {name: recall, op: ">=", target: 0.85, acceptable_error: 0.02, business: "catch fraud"}
   ...: - {name: latency_ms, target: "<= 200", unit: ms}

In [2]: %%wellml
   ...: phase: training
   ...: data:
   ...:   - {uri: s3://bucket/train.csv, owner: Data team, pii: no}
   ...: explain: {level: global, method: shap}"""


def _phase_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("phase", nargs="*", metavar="PHASE", help="a phase or a word for one")


def _kpi_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help="the KPI (accuracy, recall...)")
    p.add_argument(
        "target",
        nargs="*",
        metavar="OP TARGET",
        help=f"the target, OP one of {' '.join(KPI_OPS)} (quote it if you like)",
    )
    p.add_argument("--acceptable-error", metavar="X", help="how far below target is tolerable")
    p.add_argument("--business", metavar="TEXT", help="the business outcome it stands for")
    p.add_argument("--unit", metavar="UNIT", help="unit of the values (%%, ms...)")
    p.add_argument("--measured", metavar="X", help="a measured value ({variable} works)")
    p.add_argument(
        "--error-cost", metavar="TEXT", help="what an error costs (a miss, a false alarm)"
    )


def _data_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("uri", nargs="?", metavar="URI", help="s3://..., a database URL, a path")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--owner", metavar="WHO")
    p.add_argument("--pii", metavar="{" + ",".join(PII_VALUES) + "}", help="personal data?")
    p.add_argument("--license", metavar="LICENSE", help="e.g. CC-BY-4.0, internal")
    p.add_argument("--description", metavar="TEXT")
    p.add_argument(
        "--no-hash", action="store_true", help="do not hash a local file (record the path only)"
    )


def _explain_args(p: argparse.ArgumentParser, name: str) -> None:
    levels = "{" + ",".join(EXPLAIN_LEVELS) + "}"
    p.add_argument("level_word", nargs="?", metavar="LEVEL", help=f"same as --level {levels}")
    p.add_argument("--level", metavar=levels)
    p.add_argument("--method", metavar="METHOD", help="shap, lime, feature importance...")
    p.add_argument("--audience", metavar="WHO", help="who must understand the predictions")
    p.add_argument("--rationale", metavar="TEXT", help="why this level")


def _waive_attest_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("practice", nargs="?", metavar="PRACTICE", help="any id form of a practice")
    p.add_argument("note", nargs="*", metavar="NOTE", help="why / how, in words")
    p.add_argument("--note", dest="note_option", metavar="TEXT", help="same as NOTE")
    if name == "waive":
        p.add_argument("--reason", metavar="{" + ",".join(WAIVER_REASONS) + "}")


def _frame_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("--question", metavar="TEXT", help="the business question")
    p.add_argument("--task", metavar="TASK", help="classification, regression, ranking...")
    p.add_argument("--label", metavar="LABEL", help="what is predicted")
    p.add_argument(
        "--feature", action="append", metavar="NAME", help="a must-have feature (repeat)"
    )
    p.add_argument("--baseline", metavar="TEXT", help="the baseline to beat, with its score")
    p.add_argument("--production", metavar="TEXT", help="how predictions reach their users")


def _signoff_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("practice", nargs="?", metavar="PRACTICE", help="any id form of a practice")
    p.add_argument("--approver", metavar='"NAME, ROLE"', help="who approved it")
    p.add_argument("--expires", metavar="YYYY-MM-DD", help="the last day the approval holds")
    p.add_argument("--note", metavar="TEXT", help="what was approved, or on which evidence")


def _review_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("--phase", metavar="PHASE", help="review against this phase")
    p.add_argument("--all", action="store_true", help="list every practice, not only gaps")


def _help_args(p: argparse.ArgumentParser, name: str) -> None:
    p.add_argument("topic", nargs="?", metavar="SUBCOMMAND")


#: the arguments of each subcommand (one that takes none is not listed)
_ARGUMENTS = {
    "phase": _phase_args,
    "kpi": _kpi_args,
    "data": _data_args,
    "explain": _explain_args,
    "waive": _waive_attest_args,
    "attest": _waive_attest_args,
    "frame": _frame_args,
    "signoff": _signoff_args,
    "review": _review_args,
    "help": _help_args,
}


@cache
def parser(name: str) -> WellMLArgumentParser:
    """The parser of subcommand ``name`` (built once)."""
    sub = SUBCOMMANDS[name]
    p = WellMLArgumentParser(
        prog=f"%wellml {name}",
        description=sub.summary,
        allow_abbrev=False,
        add_help=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples\n--------" + sub.examples,
    )
    p.add_argument("-h", "--help", action="store_true", help="show this help")
    add = _ARGUMENTS.get(name)
    if add is not None:
        add(p, name)
    return p


def split(line: str, prog: str = "%wellml") -> list[str]:
    """Shell-like words of ``line``; an unbalanced quote is a ``UsageError``."""
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise UsageError(f"{prog}: {exc} in: {line.strip()}") from None


def _phase(ns, name: str) -> dict[str, Any]:
    return {"phase": " ".join(ns.phase) or None}


def _take(ns, *names: str | tuple[str, str]) -> dict[str, Any]:
    """The parsed arguments as values, in this order (``(value, argument)`` renames one)."""
    pairs = [(n, n) if isinstance(n, str) else n for n in names]
    return {value: getattr(ns, argument) for value, argument in pairs}


def _data(ns, name: str) -> dict[str, Any]:
    return {
        **_take(ns, "uri", "name", "owner", "pii", "license", "description"),
        "hash": not ns.no_hash,
    }


def _explain(ns, name: str) -> dict[str, Any]:
    if ns.level_word and ns.level and ns.level_word != ns.level:
        raise UsageError(
            f"%wellml explain: level given twice ({ns.level_word!r} and --level {ns.level!r})"
        )
    return {
        "level": ns.level or ns.level_word,
        "method": ns.method,
        "audience": ns.audience,
        "rationale": ns.rationale,
    }


def _frame(ns, name: str) -> dict[str, Any]:
    return _take(ns, "question", "task", "label", ("features", "feature"), "baseline", "production")


def _signoff(ns, name: str) -> dict[str, Any]:
    return _take(ns, "practice", "approver", "expires", "note")


def _waive_attest(ns, name: str) -> dict[str, Any]:
    note = " ".join(ns.note) or None
    if note and ns.note_option:
        raise UsageError(f"%wellml {name}: NOTE given twice (as words and as --note)")
    out = {"practice": ns.practice, "note": note or ns.note_option}
    if name == "waive":
        out["reason"] = ns.reason
    return out


def parse(name: str, words: list[str]) -> dict[str, Any]:
    """The values of subcommand ``name`` as :func:`~jupyter_wellml.records.build` takes them."""
    p = parser(name)
    try:
        ns = p.parse_intermixed_args(words)
    except HelpRequested:
        raise
    if getattr(ns, "help", False):
        raise HelpRequested()
    values = _VALUES.get(name)
    return vars(ns) if values is None else values(ns, name)


_INLINE = re.compile(r"^(?P<name>[^<>=!]+?)\s*(?P<op>[<>=!]=?|=>|=<)\s*(?P<num>.+)$")


def _kpi(ns, name: str = "kpi") -> dict[str, Any]:
    name, rest = ns.name, list(ns.target)
    if name:
        m = _INLINE.match(name)
        if m:  # accuracy>=0.92 written as one word
            name, rest = m.group("name"), [m.group("op"), m.group("num"), *rest]
    op = target = None
    if len(rest) == 1:
        m = re.match(r"^\s*(?P<op>[<>=!]=?|=>|=<)\s*(?P<num>\S+)\s*$", rest[0])
        if not m:
            raise UsageError(
                f"%wellml kpi: give the target as OP NUMBER, e.g. `{name} >= 0.92`; "
                f"OP is one of: {', '.join(KPI_OPS)} (got {rest[0]!r})"
            )
        op, target = m.group("op"), m.group("num")
    elif len(rest) == 2:
        op, target = rest
    elif rest:
        raise UsageError(
            f"%wellml kpi: too many words after NAME ({' '.join(rest)!r}); give OP NUMBER, "
            f'e.g. `{name} >= 0.92`, and quote texts: --business "..."'
        )
    return {
        "name": name,
        "op": op,
        "target": target,
        "acceptable_error": ns.acceptable_error,
        "business": ns.business,
        "unit": ns.unit,
        "measured": ns.measured,
        "error_cost": ns.error_cost,
    }


def help_text(name: str | None = None) -> str:
    """``%wellml help`` (every subcommand) or ``%wellml help NAME`` (usage, options, examples)."""
    if name is None:
        width = max(len(n) for n in SUBCOMMANDS)
        lines = [
            "%wellml SUBCOMMAND ...: record decisions in the notebook and review it against the",
            "AWS Well-Architected Machine Learning Lens.",
            "",
            "Subcommands:",
        ]
        lines += [f"  {n:<{width}}  {s.summary}" for n, s in SUBCOMMANDS.items()]
        lines += [
            "",
            "%%wellml [KIND] with a YAML body records several at once:" + CELL_EXAMPLE,
            "",
            "%wellml help SUBCOMMAND shows its options and examples.",
        ]
        return "\n".join(lines)
    if name in ("cell", "%%wellml", "yaml"):
        return "%%wellml [KIND]: several records from a YAML body." + CELL_EXAMPLE
    if name not in SUBCOMMANDS:
        raise UsageError(
            f"%wellml help: no subcommand {name!r}; use one of: {', '.join(SUBCOMMANDS)}"
        )
    return parser(name).format_help().rstrip()


def _one_line(message: str) -> str:
    return " ".join(message.split())


#: the values of each subcommand from its parsed arguments (the others: the arguments as they are)
_VALUES = {
    "phase": _phase,
    "kpi": _kpi,
    "data": _data,
    "explain": _explain,
    "frame": _frame,
    "signoff": _signoff,
    "waive": _waive_attest,
    "attest": _waive_attest,
}
