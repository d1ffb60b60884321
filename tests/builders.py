"""Builders the tests and the benchmarks share (bench/ imports this module): a one-cell
notebook, a team lens whose one practice has a text rule, the review worker processes of a
server, and the command line that reviews a corpus with the CLI."""

from __future__ import annotations

import json
import os
import socket
import textwrap
from pathlib import Path


def code_cell(cell_id: str, source: str) -> dict:
    """An nbformat 4.5 code cell, not run."""
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }


def one_cell_notebook(source: str, cell_id: str = "c1") -> dict:
    """An nbformat 4.5 Python notebook with one code cell holding ``source``."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "cells": [code_cell(cell_id, source)],
    }


def text_rule_practice(pid: str, pattern: str) -> str:
    """The YAML of practice ``pid``, whose one rule is the regular expression ``pattern``."""
    return textwrap.dedent(
        f"""\
        id: {pid}
        title: A text rule of a team lens
        pillar: security
        phase: data_processing
        risk: high
        summary: A practice whose one rule is a regular expression over the code.
        guidance: Nothing to do here; this lens exists to exercise the rule engine bounds.
        evidence: detect
        rules:
          - id: evil
            effect: gap
            kind: text
            pattern: {json.dumps(pattern)}
            message: matched
        """
    )


def write_lens(folder: Path, name: str, title: str, files: dict[str, str]) -> Path:
    """The lens folder ``folder/name``: its lens.yaml, and ``files`` (name: text) as practices."""
    practices = folder / name / "practices" / "security"
    practices.mkdir(parents=True)
    (folder / name / "lens.yaml").write_text(
        f"schema: wellml-lens/v1\nid: {name}\ntitle: {title}\n"
    )
    for file, text in files.items():
        (practices / file).write_text(text)
    return folder / name


def review_workers(pid: int) -> list:
    """The review worker processes (:class:`psutil.Process`) among the children of ``pid``."""
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


def corpus_review_argv(exe: str | Path, corpus: str | Path) -> list[str]:
    """``jupyter-wellml review`` of a whole corpus: two jobs, no cache, JSON, never failing."""
    return [
        str(exe),
        "review",
        str(corpus),
        "--jobs",
        "2",
        "--no-cache",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-data-dirs",
    ]


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_flags(port: int, token: str, root: str | Path) -> list[str]:
    """``jupyter lab`` on 127.0.0.1:``port`` only (no other port tried), with ``token``, serving
    ``root``, no browser opened; ``--allow-root`` when the tests run as root."""
    flags = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--allow-root")
    return flags
