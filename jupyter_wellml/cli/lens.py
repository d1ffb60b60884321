"""``jupyter wellml lens list|show|check|export|import``: the catalog on the command line."""

from __future__ import annotations

import sys
import textwrap

from .base import EXIT_FINDINGS, EXIT_OK, UsageProblem, WellMLCommand, format_enum, text_option


class LensList(WellMLCommand):
    """List the practices of the loaded lenses, optionally for one phase or pillar."""

    name = "jupyter-wellml-lens-list"
    examples = """
    jupyter wellml lens list
    jupyter wellml lens list --phase training --pillar security
    jupyter wellml lens list --format json
    """
    format = format_enum("text", "json", default="text")
    phase = text_option(
        "Only practices that apply to this phase (any phase word: training, deployment...)."
    )
    pillar = text_option("Only practices of this pillar (id or name).")
    aliases = WellMLCommand.aliases_with("LensList", "format", "phase", "pillar")

    def run(self) -> int:
        catalog = self.catalog()
        phase = pillar = None
        if self.phase:
            found = catalog.phase(self.phase)
            if found is None:
                raise UsageProblem(
                    f"--phase {self.phase!r} is not a lifecycle phase; use one of: {', '.join(catalog.phase_choices())}"
                )
            phase = found.id
        if self.pillar:
            key = self.pillar.strip().lower().replace(" ", "_").replace("-", "_")
            match = [
                p
                for p in catalog.pillars
                if key in (p.id, p.name.lower().replace(" ", "_"), (p.wa_tool_id or "").lower())
            ]
            if not match:
                raise UsageProblem(
                    f"--pillar {self.pillar!r} is not a pillar; use one of: {', '.join(p.id for p in catalog.pillars)}"
                )
            pillar = match[0].id
        practices = catalog.select(phase=phase, pillar=pillar)
        if self.format == "json":
            body = [p.to_json(rules=False) for p in practices]
            self.emit_json(
                {"phase": phase, "pillar": pillar, "count": len(body), "practices": body}
            )
            return EXIT_OK
        lines = []
        current = None
        for p in practices:
            if p.pillar != current:
                current = p.pillar
                name = catalog.pillar(p.pillar).name if catalog.pillar(p.pillar) else p.pillar
                lines.append(f"{name}")
            old = ", ".join(a.id for a in p.aliases)
            lines.append(
                f"  {p.id:<14} {p.risk:<6} {p.phase:<19} {p.title}" + (f"  [{old}]" if old else "")
            )
        lines.append(f"{len(practices)} practices")
        self.emit("\n".join(lines))
        return EXIT_OK


class LensShow(WellMLCommand):
    """Show one practice by any of its ids (current, 2023 or 2021; MLREL-01@2021 picks an edition)."""

    name = "jupyter-wellml-lens-show"
    examples = """
    jupyter wellml lens show MLOPS01-BP02
    jupyter wellml lens show MLOE-02
    jupyter wellml lens show MLREL-01@2021 --format json
    """
    format = format_enum("text", "json", default="text")
    aliases = WellMLCommand.aliases_with("LensShow", "format")

    def run(self) -> int:
        if len(self.extra_args) != 1:
            raise UsageProblem("give one practice id, e.g. `jupyter wellml lens show MLOPS01-BP02`")
        catalog = self.catalog()
        text = self.extra_args[0]
        matches = catalog.lookup(text)
        if not matches:
            from ..errors import UnknownPracticeError

            try:
                catalog.practice(text)
            except UnknownPracticeError as exc:
                raise UsageProblem(str(exc)) from None
        if self.format == "json":
            body = [dict(m.practice.to_json(), matched_as=m.how) for m in matches]
            self.emit_json(body[0] if len(body) == 1 else body)
            return EXIT_OK
        parts = []
        if len(matches) > 1:
            parts.append(
                f"{text} names {len(matches)} practices in different lens editions:\n"
                + "\n".join(f"  {m.practice.id} (its {m.how} id)" for m in matches)
                + f"\nQualify the edition to pick one, e.g. {text.split('@')[0]}@{matches[0].how}.\n"
            )
        for m in matches:
            parts.append(_describe(catalog, m.practice, m.how, text))
        self.emit("\n".join(parts))
        return EXIT_OK


def _describe(catalog, p, how: str, typed: str) -> str:
    pillar = catalog.pillar(p.pillar)
    phase = next((x for x in catalog.phases if x.id == p.phase), None)
    wrap = lambda s: textwrap.fill(s, 96, initial_indent="  ", subsequent_indent="  ")  # noqa: E731
    lines = [
        f"{p.id}: {p.title}",
        f"  aliases:  {', '.join(f'{a.id} ({a.edition})' for a in p.aliases) or '-'}",
        f"  pillar:   {pillar.name if pillar else p.pillar}",
        f"  phase:    {phase.name if phase else p.phase}"
        + (f" (applies to: {', '.join(p.phases)})" if tuple(p.phases) != (p.phase,) else ""),
        f"  risk:     {p.risk} if not in place",
        f"  answered: {p.evidence}",
        f"  lens:     {p.lens}"
        + (f" (overridden by {', '.join(p.overridden_by)})" if p.overridden_by else ""),
    ]
    if how != "current":
        lines.insert(1, f"  (matched {typed!r} as its {how} id)")
    if p.docs:
        lines.append(f"  docs:     {p.docs}")
    lines += ["", wrap(p.summary), "", "  Guidance:"]
    for para in p.guidance.split("\n\n"):
        lines.append(
            textwrap.fill(
                " ".join(para.split()), 96, initial_indent="    ", subsequent_indent="    "
            )
        )
    if p.magic:
        lines += ["", f"  Record it: {p.magic}"]
    if p.rules:
        lines += ["", "  Rules:"]
        for r in p.rules:
            lines.append(f"    {r.id.split('/', 1)[1]:<24} {r.effect:<6} {r.kind:<7} {r.message}")
    return "\n".join(lines) + "\n"


class LensCheck(WellMLCommand):
    """Validate a lens folder (with the built-in lens loaded below it). Exit 1 with the messages when
    it has errors."""

    name = "jupyter-wellml-lens-check"
    examples = """
    jupyter wellml lens check path/to/team-lens
    """

    def run(self) -> int:
        if not self.extra_args:
            raise UsageProblem(
                "give the lens folder to check, e.g. `jupyter wellml lens check lens/ml`"
            )
        from ..catalog import check_lens_dir

        worst = EXIT_OK
        for path in self.extra_args:
            catalog, issues = check_lens_dir(path)
            errors = [i for i in issues if i.severity == "error"]
            for i in issues:
                print(f"{i}" if i.severity == "error" else f"{i} (warning)")
            mine = [
                p
                for p in catalog.practices
                if p.source and str(p.source.path).startswith(str(path).rstrip("/"))
            ]
            state = "invalid" if errors else "valid"
            print(
                f"{path}: {state}: {len(errors)} error(s), {len(issues) - len(errors)} warning(s), {len(mine)} practice(s) loaded",
                file=sys.stderr,
            )
            if errors:
                worst = EXIT_FINDINGS
        return worst


class LensExport(WellMLCommand):
    """Export the loaded lenses as an AWS Well-Architected Tool custom lens (JSON)."""

    name = "jupyter-wellml-lens-export"
    examples = """
    jupyter wellml lens export --format aws-wa-json --output ml-lens.json
    """
    format = format_enum("aws-wa-json", default="aws-wa-json")
    lens = text_option("Export only this lens id (default: all loaded lenses).")
    aliases = WellMLCommand.aliases_with("LensExport", "format", "lens")

    def run(self) -> int:
        from ..interop.wa_export import export_wa_lens
        from ..interop.wa_format import validate_wa_lens

        catalog = self.catalog()
        if self.lens and self.lens not in {x.id for x in catalog.lenses}:
            raise UsageProblem(
                f"--lens {self.lens!r} is not loaded; loaded: {', '.join(x.id for x in catalog.lenses)}"
            )
        doc = export_wa_lens(catalog, lens_ids=[self.lens] if self.lens else None)
        problems = validate_wa_lens(doc)
        if problems:  # never write a file the WA Tool would refuse
            raise UsageProblem("the export breaks the WA Tool format: " + "; ".join(problems[:5]))
        self.emit_json(doc, ascii=False)
        return EXIT_OK


class LensImport(WellMLCommand):
    """Turn an AWS Well-Architected Tool custom lens (JSON) into a jupyter-wellml lens folder."""

    name = "jupyter-wellml-lens-import"
    examples = """
    jupyter wellml lens import my-lens.json --output lenses/my-lens
    """
    phase = text_option(
        "Lifecycle phase given to the imported practices (WA lenses have none; "
        "default: the lens's first phase)."
    )
    lens = text_option("Id of the new lens (default: from the file name).")
    aliases = WellMLCommand.aliases_with("LensImport", "phase", "lens")

    def run(self) -> int:
        if len(self.extra_args) != 1:
            raise UsageProblem(
                "give one WA Tool lens file, e.g. `jupyter wellml lens import lens.json --output lenses/team`"
            )
        if not self.output:
            raise UsageProblem("--output DIR is required: the folder to write the lens into")
        from ..errors import WellMLError
        from ..interop.wa_import import import_wa_lens

        try:
            result = import_wa_lens(
                self.extra_args[0], self.output, lens_id=self.lens or None, phase=self.phase or None
            )
        except WellMLError as exc:
            raise UsageProblem(str(exc)) from None
        for w in result.warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(f"wrote {result.practices} practices to {result.folder}")
        return EXIT_OK

    def emit(self, text: str) -> None:  # --output is the folder here
        sys.stdout.write(text + "\n")


class LensApp(WellMLCommand):
    """Work with the lens catalog: list, show, check, export, import."""

    name = "jupyter-wellml-lens"
    subcommands = WellMLCommand.subcommands_of(
        name, LensList, LensShow, LensCheck, LensExport, LensImport
    )
