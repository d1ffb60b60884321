"""``jupyter wellml wa answers|import-answers`` and ``jupyter wellml signoff``.

``wa answers`` writes what the AWS Well-Architected Tool's ``UpdateAnswer`` takes, per question
of the custom lens ``lens export`` writes; ``--format aws-cli`` writes the ``aws`` calls as a
script for the user to run (jupyter-wellml never calls AWS). ``wa import-answers`` reads the
Tool's answers back as attestations and waivers in a notebook of the workload. ``signoff``
records an approval in a notebook without a kernel. Every failure is one line, exit code 2, and
nothing is written.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..errors import WellMLError
from .base import EXIT_OK, UsageProblem, WellMLCommand, format_enum, text_option
from .milestone import WorkloadCommand

WORKLOAD_ID = re.compile(r"[0-9a-f]{32}")


class WaAnswers(WorkloadCommand):
    """Write the workload's answers for the AWS Well-Architected Tool: an UpdateAnswer body per
    question of the custom lens `lens export` writes (JSON), or a script of aws CLI calls."""

    name = "jupyter-wellml-wa-answers"
    examples = """
    jupyter wellml wa answers notebooks/ --lens-alias arn:aws:wellarchitected:eu-west-1:111122223333:lens/abc -o answers.json
    jupyter wellml wa answers notebooks/ --lens-alias ARN --format aws-cli --workload-id 0123456789abcdef0123456789abcdef -o answers.sh
    """
    format = format_enum("json", "aws-cli", default="json")
    lens_alias = text_option("The custom lens's ARN (or alias) in the WA Tool.")
    workload_id = text_option("The WA Tool workload id, for --format aws-cli.")
    aliases = WorkloadCommand.aliases_with("WaAnswers", "format", "lens-alias", "workload-id")

    def run(self) -> int:
        from ..interop.wa_answers import answer_problems, aws_cli_script, wa_answers
        from ..records import now

        if len(self.extra_args) > 1:
            raise UsageProblem(
                "give at most one workload folder: wa answers [DIR] --lens-alias ARN"
            )
        if answer_problems(self.lens_alias, "LensAlias"):
            raise UsageProblem(
                "--lens-alias ARN is required: the ARN of the custom lens imported from "
                "`jupyter wellml lens export` (1 to 128 characters, no spaces)"
            )
        if self.workload_id and not WORKLOAD_ID.fullmatch(self.workload_id):
            raise UsageProblem(
                f"--workload-id {self.workload_id!r} is not a WA Tool workload id (32 hex digits)"
            )
        run = self.workload_run((self.extra_args or ["."])[0])
        try:
            doc = wa_answers(run.section, run.catalog, lens_alias=self.lens_alias, generated=now())
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        if self.format == "aws-cli":
            self.emit(aws_cli_script(doc, self.workload_id or None))
        else:
            self.emit_json(doc, ascii=False)
        return EXIT_OK


class WaImportAnswers(WorkloadCommand):
    """Read the WA Tool's answers (aws wellarchitected get-answer or list-answers JSON) back as
    attestations and waivers, marked as coming from the Tool, in a notebook of the workload."""

    name = "jupyter-wellml-wa-import-answers"
    examples = """
    aws wellarchitected list-answers --workload-id ID --lens-alias ARN > tool.json
    jupyter wellml wa import-answers tool.json notebooks/ --notebook notebooks/01-framing.ipynb
    """
    notebook = text_option(
        "The notebook to write the records into (default: the workload's first)."
    )
    lens_alias = text_option("Refuse answers for another lens alias than this one.")
    aliases = WorkloadCommand.aliases_with("WaImportAnswers", "notebook", "lens-alias")

    def run(self) -> int:
        from ..interop.wa_answers import answer_records, read_answers

        if not 1 <= len(self.extra_args) <= 2:
            raise UsageProblem(
                "give the answers file and, optionally, the workload folder: wa import-answers FILE [DIR]"
            )
        source = Path(self.extra_args[0])
        workload = self.workload((self.extra_args[1:] or ["."])[0])
        target = self._target(workload)
        catalog = self.catalog()
        try:
            alias, answers = read_answers(source)
            if self.lens_alias and alias and alias != self.lens_alias:
                raise WellMLError(
                    f"{source}: answers for another lens: LensAlias {alias!r}, not {self.lens_alias!r}"
                )
            records = answer_records(source, answers, catalog, author=_author())
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        counts = _write_records(target, records)
        print(
            f"{target}: {counts['attest']} attestation(s) and {counts['waiver']} waiver(s) from "
            f"the AWS WA Tool ({counts['added']} added, {counts['updated']} updated)"
        )
        return EXIT_OK

    @property
    def command(self) -> str:
        return "jupyter wellml wa import-answers"

    def _target(self, workload) -> Path:
        if self.notebook:
            path = Path(self.notebook)
            if not path.is_file():
                raise UsageProblem(f"--notebook {self.notebook}: no such notebook")
            return path
        listed = workload.notebooks or sorted(
            p for p in workload.root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
        )
        if not listed:
            raise UsageProblem(
                f"{workload.root}: no notebook to write the records into (--notebook NB)"
            )
        return Path(listed[0])


def _author() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return None


def _write_records(path: Path, records: list[dict]) -> dict[str, int]:
    """Upsert ``records`` into the notebook's metadata; write it once, atomically."""
    from ..errors import RecordError
    from ..records import ensure_store, upsert
    from .records import dumps_notebook, read_notebook_json, write_atomic

    nb = read_notebook_json(path)
    counts = {"added": 0, "updated": 0, "unchanged": 0, "attest": 0, "waiver": 0}
    try:
        store = ensure_store(nb.setdefault("metadata", {}))
    except RecordError as exc:
        raise UsageProblem(f"{path}: {exc}") from None
    for record in records:
        counts[upsert(store, record)] += 1
        counts[record["kind"]] = counts.get(record["kind"], 0) + 1
    if counts["added"] or counts["updated"]:
        try:
            write_atomic(path, dumps_notebook(nb))
        except OSError as exc:
            raise UsageProblem(f"{path}: cannot write: {exc.strerror or exc}") from None
    return counts


class WaApp(WellMLCommand):
    """Answers for the AWS Well-Architected Tool: write them, or read the Tool's back."""

    name = "jupyter-wellml-wa"
    subcommands = WellMLCommand.subcommands_of(name, WaAnswers, WaImportAnswers)


class SignoffApp(WellMLCommand):
    """Record in a notebook that a person approved a practice (an attestation with approver and
    expiry), without a kernel; the same record as %wellml signoff."""

    name = "jupyter-wellml-signoff"
    examples = """
    jupyter wellml signoff model.ipynb MLOPS02-BP06 --approver "Dana Smith, head of risk" --expires 2027-06-30
    """
    approver = text_option('Who approved: "name, role".')
    expires = text_option("The last day the approval holds (YYYY-MM-DD).")
    note = text_option("What was approved, or on which evidence.")
    aliases = WellMLCommand.aliases_with("SignoffApp", "approver", "expires", "note")

    def run(self) -> int:
        from ..records import build

        if len(self.extra_args) != 2:
            raise UsageProblem(
                'give the notebook and the practice: signoff NB PRACTICE --approver "name, role"'
            )
        path, practice = Path(self.extra_args[0]), self.extra_args[1]
        if not path.is_file():
            raise UsageProblem(f"{path}: no such notebook")
        values = {"practice": practice, "approver": self.approver or None}
        values |= {"expires": self.expires or None, "note": self.note or None}
        try:
            built = build(
                "signoff", values, catalog=self.catalog(), author=_author(), where="signoff"
            )
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        for note in built.notes:
            print(f"note: {note}", file=sys.stderr)
        counts = _write_records(path, [built.record])
        state = "recorded" if counts["added"] or counts["updated"] else "already recorded"
        print(f"{path}: {state}: {_describe(built.record)}")
        return EXIT_OK


def _describe(record: dict) -> str:
    from ..records import describe

    return describe(record)
