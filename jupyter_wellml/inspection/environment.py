"""Environment facts: what is installed where the notebook's code really runs.

:func:`probe` runs ``probe.py`` (standard library only) with a given interpreter, usually a
kernel's; :func:`probe_async` does the same without blocking an event loop. :func:`state_key`
tells cheaply (a few ``stat`` calls) whether a probed environment may have changed since.
:func:`environment_facts` turns a probe result, the license policy and the notebook's installs
into the facts the lens rules match (``package``, ``license_flag``, ``gpu``, ``install_mismatch``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import WellMLError
from .licenses import LicensePolicy, license_flags, normalise

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")


class ProbeError(WellMLError):
    """The probe could not run in that interpreter (missing, too old, timed out, bad output)."""


def probe(
    python: str | os.PathLike = sys.executable,
    *,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run the probe with ``python`` and return its JSON (environment.v1)."""
    import subprocess
    import tempfile

    cmd = [_resolve(python), PROBE]
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            timeout=timeout,
            cwd=tempfile.gettempdir(),
            env=_env(env),
            check=False,
        )
    except FileNotFoundError:
        raise ProbeError(f"the interpreter {python} does not exist") from None
    except PermissionError:
        raise ProbeError(f"the interpreter {python} cannot be run (permission denied)") from None
    except subprocess.TimeoutExpired:
        raise ProbeError(
            f"the environment probe in {python} took longer than {timeout:g} s"
        ) from None
    return _parse(done.returncode, done.stdout, done.stderr, python)


async def probe_async(
    python: str, *, timeout: float = 10.0, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """:func:`probe` for an asyncio event loop: the subprocess never blocks the loop."""
    import asyncio
    import tempfile

    try:
        proc = await asyncio.create_subprocess_exec(
            _resolve(python),
            str(PROBE),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=tempfile.gettempdir(),
            env=_env(env),
        )
    except FileNotFoundError:
        raise ProbeError(f"the interpreter {python} does not exist") from None
    except PermissionError:
        raise ProbeError(f"the interpreter {python} cannot be run (permission denied)") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise ProbeError(
            f"the environment probe in {python} took longer than {timeout:g} s"
        ) from None
    return _parse(proc.returncode or 0, out, err, python)


def _resolve(python: str | os.PathLike) -> str:
    """A relative interpreter path is relative to our working folder, not the probe's."""
    text = os.fspath(python)
    return os.path.abspath(text) if os.sep in text else text


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTHON") or k in ("PYTHONPATH", "PYTHONHOME")
    }
    if extra:
        env.update({str(k): str(v) for k, v in extra.items()})
    return env


def _parse(code: int, out: bytes, err: bytes, python) -> dict[str, Any]:
    if code != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ProbeError(f"the environment probe failed in {python} (exit {code}): {tail[0][:300]}")
    try:
        data = json.loads(out)
    except ValueError:
        raise ProbeError(
            f"the environment probe in {python} printed something that is not JSON"
        ) from None
    if not isinstance(data, dict) or data.get("schema") != "wellml-environment/v1":
        raise ProbeError(f"the environment probe in {python} gave an unexpected answer")
    return data


def state_key(env: Mapping[str, Any]) -> tuple:
    """The current modification times of the site folders a probe saw: a changed key means re-probe."""
    key = []
    for entry in env.get("paths", ()):
        try:
            key.append((entry["path"], os.stat(entry["path"]).st_mtime_ns))
        except OSError:
            key.append((entry["path"], None))
    return tuple(key)


def environment_facts(
    env: Mapping[str, Any] | None,
    policy: LicensePolicy | None = None,
    installs: Iterable[Mapping[str, Any]] = (),
) -> dict[str, list[dict[str, Any]]]:
    """Facts for the rules from a probe result: packages, license flags, GPU libraries, install mismatches."""
    if not env:
        return {}
    policy = policy or LicensePolicy()
    packages = []
    for p in env.get("packages", ()):
        lic, _ = normalise(p)
        packages.append(
            {
                "cell": None,
                "line": None,
                "name": p.get("name"),
                "version": p.get("version"),
                "license": lic,
                "editable": bool(p.get("editable")),
            }
        )
    facts = {
        "package": packages,
        "license_flag": license_flags(env.get("packages", ()), policy),
        "gpu": [{"cell": None, "line": None, **g} for g in env.get("gpu", ())],
        "install_mismatch": _mismatches(installs, {p["name"]: p.get("version") for p in packages}),
    }
    return facts


def _mismatches(
    installs: Iterable[Mapping[str, Any]], installed: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    out = []
    specs = [
        i
        for i in installs
        if i.get("name") and i.get("pin") in ("exact", "lower_bound", "range", "unpinned")
    ]
    if not specs:
        return out
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    for inst in specs:
        name = str(inst["name"]).lower().replace("_", "-")
        version = installed.get(name)
        if version is None:
            out.append(
                {
                    "cell": inst.get("cell"),
                    "line": inst.get("line"),
                    "name": name,
                    "spec": inst.get("spec"),
                    "installed": None,
                    "reason": "not installed in the kernel's environment",
                }
            )
            continue
        try:
            req = Requirement(str(inst["spec"]))
            ok = (
                req.specifier.contains(Version(version), prereleases=True)
                if req.specifier
                else True
            )
        except (InvalidRequirement, InvalidVersion):
            continue
        if not ok:
            out.append(
                {
                    "cell": inst.get("cell"),
                    "line": inst.get("line"),
                    "name": name,
                    "spec": inst.get("spec"),
                    "installed": version,
                    "reason": f"{version} is installed, which does not satisfy {inst.get('spec')}",
                }
            )
    return out
