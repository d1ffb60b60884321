"""Environment facts: what is installed where the notebook's code really runs.

:func:`probe` runs ``probe.py`` (standard library only) with a given interpreter, usually a
kernel's; :func:`probe_async` does the same without blocking an event loop. Every probe is
bounded: it runs in its own process group, which is killed whole when the time limit passes
(a wrapper launcher that starts the interpreter as a child cannot outlive it), its output is
read up to :data:`MAX_OUTPUT` bytes, and its answer must fit environment.v1.
:func:`kernel_command` finds the interpreter of a kernelspec's command line (``/usr/bin/env
python``, ``conda run -n ENV python``, a wrapper script that runs ``python -m ipykernel``).
:func:`state_key` tells cheaply (a few ``stat`` calls) whether a probed environment may have
changed since. :func:`environment_facts` turns a probe result, the license policy and the
notebook's installs into the facts the lens rules match (``package``, ``license_flag``,
``gpu``, ``install_mismatch``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import WellMLError
from .licenses import LicensePolicy, license_flags, normalise

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")
#: Most bytes of probe output read (an environment of 3,000 packages prints about 1 MB).
MAX_OUTPUT = 8 << 20
#: Last bytes of the probe's standard error kept for the message of a failure.
ERROR_TAIL = 4096
_PYTHON_NAME = re.compile(r"^(?:i?python|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?$", re.I)
_IN_SCRIPT = re.compile(
    r"""(?m)(?:^|[\s;&|"'])((?:/|\$\{?\w+\}?/|\w)[^\s;&|"']*?python[\d.]*)\s+-m\s+ipykernel"""
)


class ProbeError(WellMLError):
    """The probe could not run in that interpreter (missing, too old, timed out, bad output)."""


def kernel_command(argv: Sequence[str], env: Mapping[str, str] | None = None) -> list[str]:
    """The command that runs the environment probe with a kernelspec's interpreter.

    ``argv`` is the kernelspec's command line. The interpreter is the first word that names a
    Python (``python3``, ``/opt/venv/bin/python3.11``, ``{python}``: this server's), or the word
    before ``-m ipykernel...``; what comes before it (``/usr/bin/env``, ``conda run -n ENV``,
    ``srun``) is kept as the launcher and the probe replaces the kernel's arguments. A wrapper
    script that names no interpreter on its command line is read for a ``python -m ipykernel``
    line. Otherwise the first word is run as the interpreter (the time limit still holds).
    Raises :class:`ProbeError` for an empty command line.
    """
    words = [str(w) for w in argv]
    if not words:
        raise ProbeError("the kernel has no command line to find its interpreter")
    words = [sys.executable if w == "{python}" else w for w in words]
    for i, word in enumerate(words):
        if i and "=" in word:  # NAME=VALUE of `env`, or an option's value
            continue
        if _PYTHON_NAME.match(os.path.basename(word)):
            return [*words[: i + 1], PROBE]
    for i, word in enumerate(words[1:], start=1):
        if word == "-m" and i + 1 < len(words) and words[i + 1].startswith("ipykernel"):
            return [*words[:i], PROBE]
    found = _script_interpreter(words[0], env)
    return [found, PROBE] if found else [words[0], PROBE]


def _script_interpreter(program: str, env: Mapping[str, str] | None) -> str | None:
    """The interpreter a wrapper script runs ``-m ipykernel`` with, when it names one."""
    import shutil

    path = program if os.sep in program else shutil.which(program, path=_path(env))
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    m = _IN_SCRIPT.search(head.decode("utf-8", "replace"))
    if m is None:
        return None
    word = os.path.expandvars(m.group(1))
    if os.sep in word:
        return word if os.path.isfile(word) else None
    return shutil.which(word, path=_path(env))


def _path(env: Mapping[str, str] | None) -> str | None:
    return (env or {}).get("PATH") or os.environ.get("PATH")


def probe(
    python: str | os.PathLike | Sequence[str] = sys.executable,
    *,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run the probe with ``python`` (an interpreter, or a :func:`kernel_command`) and return
    its JSON (environment.v1). :class:`ProbeError` says why it could not."""
    cmd = _command(python)
    code, out, err = _run(cmd, timeout, _env(env))
    return _parse(code, out, err, _label(cmd))


async def probe_async(
    python: str | Sequence[str], *, timeout: float = 10.0, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """:func:`probe` for an asyncio event loop: it runs in a thread, never blocking the loop,
    and is over within ``timeout`` (plus the time to kill the probe's process group)."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: probe(python, timeout=timeout, env=env)
    )


def _command(python: str | os.PathLike | Sequence[str]) -> list[str]:
    if isinstance(python, (str, os.PathLike)):
        return [_resolve(python), PROBE]
    cmd = [str(w) for w in python]
    if not cmd:
        raise ProbeError("no interpreter to run the environment probe with")
    return cmd if cmd[-1] == PROBE else [*cmd, PROBE]


def _label(cmd: Sequence[str]) -> str:
    return " ".join(cmd[:-1]) if cmd and cmd[-1] == PROBE else " ".join(cmd)


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


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run ``cmd`` in a new process group; its exit code, output (at most :data:`MAX_OUTPUT`
    bytes) and the tail of its errors. The whole group is killed when it is done, when
    ``timeout`` passes, or when it prints too much."""
    import selectors
    import subprocess
    import tempfile
    import time

    label = _label(cmd)
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tempfile.gettempdir(),
            env=env,
            start_new_session=True,  # its own process group: killed whole
        )
    except FileNotFoundError:
        raise ProbeError(f"the interpreter {label} does not exist") from None
    except PermissionError:
        raise ProbeError(f"the interpreter {label} cannot be run (permission denied)") from None
    except OSError as exc:
        raise ProbeError(f"the interpreter {label} cannot be run: {exc.strerror or exc}") from None
    deadline = time.monotonic() + timeout
    out, err = bytearray(), bytearray()
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            sel.register(proc.stderr, selectors.EVENT_READ)
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProbeError(
                        f"the environment probe in {label} took longer than {timeout:g} s"
                    )
                for key, _ in sel.select(left):
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        sel.unregister(key.fileobj)
                    elif key.fileobj is proc.stdout:
                        out += chunk
                        if len(out) > MAX_OUTPUT:
                            raise ProbeError(
                                f"the environment probe in {label} printed more than "
                                f"{MAX_OUTPUT >> 20} MiB: stopped"
                            )
                    else:
                        err += chunk
                        del err[:-ERROR_TAIL]
        try:
            code = proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            raise ProbeError(
                f"the environment probe in {label} took longer than {timeout:g} s"
            ) from None
    finally:
        _kill_group(proc)
        proc.stdout.close()
        proc.stderr.close()
    return code, bytes(out), bytes(err)


def _kill_group(proc) -> None:
    """Kill the probe's process group (the launcher and any child it left) and reap it."""
    import signal
    import subprocess

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process SIGKILL cannot end
        pass


def _parse(code: int, out: bytes, err: bytes, python) -> dict[str, Any]:
    if code != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ProbeError(f"the environment probe failed in {python} (exit {code}): {tail[0][:300]}")
    try:
        data = json.loads(out)
    except (ValueError, RecursionError):
        raise ProbeError(
            f"the environment probe in {python} printed something that is not JSON"
        ) from None
    if not isinstance(data, dict) or data.get("schema") != "wellml-environment/v1":
        raise ProbeError(f"the environment probe in {python} gave an unexpected answer")
    from ..catalog import schema

    problems = schema.errors("environment.v1", data)
    if problems:
        pointer, message = problems[0]
        raise ProbeError(
            f"the environment probe in {python} gave an answer that does not fit "
            f"environment.v1: {pointer or '/'}: {message}"
        )
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
