"""Browser fixtures: real `jupyter lab` subprocesses and Debian chromium driven by Playwright.

The recipe is /work/shared/RECIPE.md section 5. Nothing is mocked: the server extension, the
kernels and the built labextension are the real ones. Without chromium the tests fail (never
skip) and say how to install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from ..builders import free_port, lab_flags

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
CHROMIUM = os.environ.get("WELLML_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class LabServer:
    """A running `jupyter lab` subprocess: its URL, token, root folder and log."""

    def __init__(self, url: str, token: str, root: Path, log: Path):
        self.url, self.token, self.root, self.log = url, token, root, log

    def api(self, method: str, path: str, body: object | None = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else None

    def review(self, nb: dict) -> dict:
        return self.api("POST", "/api/wellml/review", {"notebook": nb})

    def new_notebook(self, sources: list[str], metadata: dict | None = None) -> tuple[str, Path]:
        name = f"nb-{uuid.uuid4().hex[:8]}.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata.update(metadata or {})
        nbformat.write(nb, self.root / name)
        return name, self.root / name


def _start_lab(base: Path, extra_args: list[str], ready: str = "/api/wellml/info"):
    root = base / "root"
    root.mkdir()
    token = uuid.uuid4().hex
    settings = base / "settings"
    # no "get Jupyter news?" toast (RECIPE.md section 6, item 14)
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True)
    notif.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        *lab_flags(port, token, root),
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        *extra_args,
    ]
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        IPYTHONDIR=str(base / "ipython"),
        WELLML_CACHE_DIR=str(base / "cache"),
    )
    log_path = base / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            req = urllib.request.Request(
                f"{url}{ready}", headers={"Authorization": f"token {token}"}
            )
            urllib.request.urlopen(req, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log.close()
                raise RuntimeError(
                    "jupyter lab did not start:\n" + log_path.read_text()[-4000:]
                ) from None
            time.sleep(0.3)
    try:
        yield LabServer(url, token, root, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A real `jupyter lab` with the built-in lens."""
    yield from _start_lab(tmp_path_factory.mktemp("lab"), [])


@pytest.fixture(scope="session")
def forgetful_lab_server(tmp_path_factory):
    """A `jupyter lab` that holds no reviewed notebooks: every incremental request is 409."""
    yield from _start_lab(
        tmp_path_factory.mktemp("lab-forgetful"), ["--WellMLExtension.notebooks_held_bytes=0"]
    )


@pytest.fixture(scope="session")
def canary_lab_server(tmp_path_factory):
    """A second `jupyter lab` that also loads the untrusted canary team lens."""
    lens = FIXTURES / "canary-lens"
    yield from _start_lab(
        tmp_path_factory.mktemp("lab-canary"), [f"--WellMLExtension.lens_paths={lens}"]
    )


@pytest.fixture(scope="session")
def bare_lab_server(tmp_path_factory):
    """A `jupyter lab` whose jupyter_wellml server extension is turned off."""
    yield from _start_lab(
        tmp_path_factory.mktemp("lab-bare"),
        ["--ServerApp.jpserver_extensions=jupyter_wellml=False"],
        ready="/api/status",
    )


OTHER_VERSION = "0.0.0-other"


@pytest.fixture(scope="session")
def mismatched_lab_server(tmp_path_factory):
    """A `jupyter lab` serving a copy of the built sidebar that says it is another version."""
    import re

    base = tmp_path_factory.mktemp("lab-mismatch")
    built = Path(__file__).resolve().parents[2] / "jupyter_wellml" / "labextension"
    copy = base / "labextensions" / "jupyter-wellml"
    shutil.copytree(built, copy)
    patched = 0
    for chunk in (copy / "static").glob("*.js"):
        text = chunk.read_text()
        new, n = re.subn(
            r'exports=\{version:"[^"]+"\}', f'exports={{version:"{OTHER_VERSION}"}}', text
        )
        if n:
            chunk.write_text(new)
            patched += n
    assert patched == 1, f"the built sidebar's version module was not found in {copy}/static"
    yield from _start_lab(base, [f"--LabApp.extra_labextensions_path={copy.parent}"])


def launch_chromium(playwright, profile: Path, *, home: Path):
    """Debian chromium, headless, with a fresh profile and nothing reaching the network
    (the flags of CHROMIUM_ARGS); shared by the browser tests and bench/sidebar.py."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 900},
        env={**os.environ, "HOME": str(home)},
    )


@pytest.fixture
def page(tmp_path):
    """A fresh Debian chromium (fresh profile) per test; page errors are collected."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"chromium not found at {CHROMIUM}: run `make chromium` "
            "(or apt-get install -y chromium); the browser tests never download a browser"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        ctx = launch_chromium(p, tmp_path / "chromium-profile", home=tmp_path)
        ctx.set_default_timeout(60_000)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.wellml_errors = []
        page.on("pageerror", lambda error: page.wellml_errors.append(str(error)))
        page.wellml_dialogs = []

        def on_dialog(dialog):
            page.wellml_dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        try:
            yield page
        finally:
            ctx.close()
