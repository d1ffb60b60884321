"""A real ``jupyter server`` process on loopback for tests that need one of their own (signals,
its worker processes, a long soak): started with the extension enabled and a random token,
stopped and waited for by the context manager."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from .builders import free_port, review_workers


class Server:
    def __init__(self, process: subprocess.Popen, url: str, token: str, log: Path):
        self.process = process
        self.url = url
        self.token = token
        self.log = log

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=120, **kw)

    def workers(self) -> list[int]:
        """The review worker processes among the server's children."""
        return [p.pid for p in review_workers(self.process.pid)]


@contextlib.contextmanager
def jupyter_server(root: Path, *options: str, env: dict | None = None) -> Iterator[Server]:
    """``jupyter server`` on 127.0.0.1 serving ``root``; ``options`` are more ``--Name.trait=x``."""
    port, token = free_port(), secrets.token_hex(16)
    log = root.parent / f"jupyter-server-{port}.log"
    cmd = [
        str(Path(sys.executable).with_name("jupyter")),
        "server",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.jpserver_extensions={'jupyter_wellml': True}",
        f"--IdentityProvider.token={token}",
        *options,
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    full_env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(root.parent / f"runtime-{port}")}
    full_env.update(env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=full_env
        )
    server = Server(process, f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter server ended: {log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{server.url}/api/wellml/info", headers=server.headers).is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter server did not answer: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def os_author() -> str:
    """Who records made without a named identity should name: the user running the server, as
    the docs say (computed here from the environment, not by the product's own code)."""
    import getpass

    names = ("WELLML_AUTHOR", "JUPYTERHUB_USER", "USER", "USERNAME")
    return next((os.environ[v] for v in names if os.environ.get(v)), None) or getpass.getuser()
