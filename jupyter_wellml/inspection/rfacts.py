"""Facts of R code (R kernels, and ``%%R`` cells of Python notebooks), from :mod:`.rlang`'s
calls through :data:`.rsignatures.R_CALLS`: the same fact kinds, fields and review keys as
Python's, so the lens's rules read R notebooks unchanged."""

from __future__ import annotations

import re
from typing import Any

from .pyscan import Call
from .rlang import scan_r
from .rsignatures import INSTALLERS, R_CALLS

_VERSION = re.compile(r"^\d+(?:\.\d+)*(?:-\d+)?$")


def r_cell_facts(source: str, cell: int, consts: dict[str, Any], add, data_source) -> None:
    """Add the facts of one cell of R code through ``add(kind, cell, line, **fields)``;
    ``data_source(call, values)`` fills and checks a read, as for Python."""
    scan = scan_r(source, cell, consts)
    for module, line in scan.libraries:
        add("import", cell, line, module=module, name=None, alias=module)
    for call in scan.calls:
        _call(call, add, data_source)


def _call(call: Call, add, data_source) -> None:
    name = call.name
    bare = name.rsplit("::", 1)[-1]
    if name in INSTALLERS or bare in INSTALLERS:
        _installs(call, INSTALLERS.get(name) or INSTALLERS[bare], add)
        return
    entry = R_CALLS.get(name) or R_CALLS.get(bare)
    if entry is None:
        return
    kind, fields = entry
    values = {k: (v(call) if callable(v) else v) for k, v in fields.items()}
    if kind == "data_source" and not data_source(call, values):
        return
    if kind == "metric" and not isinstance(values.get("name"), str):
        return
    add(kind, call.cell, call.line, **values)


def _installs(call: Call, how: str, add) -> None:
    packages = (
        call.args[0] if call.args else call.keywords.get("pkgs") or call.keywords.get("package")
    )
    names = packages if isinstance(packages, list) else [packages]
    version = call.keywords.get("version")
    if version is None and how == "version" and len(call.args) > 1:
        version = call.args[1]
    for pkg in names:
        if not isinstance(pkg, str) or not pkg:
            continue
        spec, name, pin = pkg, pkg, "unpinned"
        if how == "version":
            pin = "exact" if isinstance(version, str) and _VERSION.match(version) else "unpinned"
            spec = f"{pkg}=={version}" if pin == "exact" else pkg
        elif how == "url":
            name, pin = pkg.rstrip("/").split("@")[0].rsplit("/", 1)[-1], "url"
        elif how == "pak" and "@" in pkg:
            name, _, ver = pkg.partition("@")
            pin = "exact" if _VERSION.match(ver) else "range"
        add(
            "pip_install",
            call.cell,
            call.line,
            spec=spec,
            name=name.lower(),
            pin=pin,
            tool="r",
            form="r",
        )
