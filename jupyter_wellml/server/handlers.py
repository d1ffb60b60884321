"""REST handlers under ``/api/wellml``. Every verb is authenticated and authorized.

Errors are raised as ``HTTPError(status, message)``: jupyter-server's ``APIHandler`` turns them
into ``{"message": ..., "reason": ...}``. Bad input (malformed JSON, a broken notebook, a path
outside the server root, an oversized body, an unknown kernel) is always a 4xx with the reason,
never a 500. Notebook code is never executed: reviews are static.

| route | auth resource | what |
| --- | --- | --- |
| GET /api/wellml/info | wellml (read) | versions, for the frontend/server handshake |
| GET /api/wellml/lens | wellml (read) | the merged catalog |
| POST /api/wellml/review?path=&phase=&kernel_id=&base= | wellml (read) | review of the notebook in the body (unsaved state); with ``base``, the body holds only the cells that changed since that notebook |
| GET /api/wellml/review?path= | contents (read) | review of a saved notebook |
| GET /api/wellml/environment?kernel_id= | kernels (read) | the kernel's environment facts |
| GET /api/wellml/workload?path= | contents (read) | the workload status (server/workload.py) |
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import ensure_async
from tornado import web

from ..errors import NotebookError, WellMLError
from .service import BaseMissing, ReviewService, ReviewTimeout, WorkerDied, WorkerMemoryError

AUTH_RESOURCE = "wellml"


class WellMLHandler(ExtensionHandlerMixin, APIHandler):
    """Base: the shared :class:`ReviewService`, the ``wellml`` auth resource, JSON answers."""

    auth_resource = AUTH_RESOURCE

    @property
    def service(self) -> ReviewService:
        return self.settings["wellml_service"]

    async def prepare(self) -> None:
        await super().prepare()
        # servers started without ``_post_start`` (embedded, pytest-jupyter) start it here
        self.service.monitor.start()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON errors as jupyter-server writes them, with the message as it was written (its
        ``log_message`` has every ``%`` doubled when the message was given without arguments)."""
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if not isinstance(exc, web.HTTPError):
            super().write_error(status_code, **kwargs)
            return
        from http.client import responses

        message = exc.get_message() or responses.get(status_code, "Unknown HTTP Error")
        self.set_header("Content-Type", "application/json")
        self.log.warning("wrote error: %r", message)
        self.finish(json.dumps({"message": message, "reason": exc.reason}))

    def write_json(self, body: bytes | dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(body if isinstance(body, bytes) else json.dumps(body))

    def path_argument(self, example: str) -> str:
        """The notebook's ``path`` query argument; 400 with ``example`` (a URL) when it is missing."""
        path = self.get_query_argument("path", None)
        if not path:
            raise web.HTTPError(400, f"give the notebook's path: {example}")
        return path

    def phase_argument(self, phase: Any) -> str | None:
        if phase in (None, ""):
            return None
        if not isinstance(phase, str):
            raise web.HTTPError(400, "phase must be a text (a phase id or word such as training)")
        found = self.service.catalog.phase(phase)
        if found is None:
            raise web.HTTPError(
                400,
                f"unknown phase {phase!r}; use one of: {', '.join(self.service.catalog.phase_choices())}",
            )
        return found.id

    async def kernel_environment(self, kernel_id: str) -> dict[str, Any]:
        """Probe the environment of a running kernel with its own interpreter (cached)."""
        from ..inspection.environment import ProbeError, kernel_command

        if not isinstance(kernel_id, str) or not kernel_id:
            raise web.HTTPError(400, "kernel_id must be a kernel id")
        try:
            km = self.kernel_manager.get_kernel(kernel_id)
        except (KeyError, web.HTTPError):  # the kernel manager raises either for an unknown id
            raise web.HTTPError(404, f"no running kernel has the id {kernel_id!r}") from None
        spec = km.kernel_spec
        language = (getattr(spec, "language", "") or "").lower()
        if language and language != "python":
            raise web.HTTPError(
                422,
                f"kernel {kernel_id} runs {spec.language}: the environment probe needs a Python kernel",
            )
        argv = list(getattr(spec, "argv", []) or [])
        if not argv:
            raise web.HTTPError(
                422, f"kernel {kernel_id} has no command line to find its interpreter"
            )
        env = getattr(spec, "env", None) or None
        try:
            command = kernel_command(argv, env)
            return await self.service.environment(command, env=env)
        except ProbeError as exc:
            status = 504 if "longer than" in str(exc) else 502
            raise web.HTTPError(status, str(exc)) from None

    async def run_review(self, coro) -> None:
        try:
            body = await coro
        except NotebookError as exc:
            raise web.HTTPError(400, f"the notebook cannot be reviewed: {exc.reason}") from None
        except BaseMissing as exc:
            raise web.HTTPError(409, str(exc)) from None
        except ReviewTimeout:
            raise web.HTTPError(
                504,
                f"the review took longer than {self.service.review_timeout:g} s "
                "(WellMLExtension.review_timeout): its worker was stopped and replaced",
            ) from None
        except WorkerMemoryError as exc:
            raise web.HTTPError(
                413,
                f"{exc} (WellMLExtension.worker_memory_mb): the notebook is too large to review",
            ) from None
        except (BrokenProcessPool, WorkerDied):
            raise web.HTTPError(
                503, "the review worker stopped; it restarts with the next request"
            ) from None
        except WellMLError as exc:
            raise web.HTTPError(400, str(exc)) from None
        except RecursionError:
            raise web.HTTPError(400, "the notebook is nested too deeply to inspect") from None
        except Exception as exc:  # an engine defect: say what failed, never a bare 500
            self.log.error("wellml: review failed", exc_info=exc)
            raise web.HTTPError(
                500, f"the review failed inside jupyter-wellml ({type(exc).__name__}: {exc})"
            ) from None
        self.write_json(body)


class InfoHandler(WellMLHandler):
    """GET /api/wellml/info: versions, for the frontend/server handshake."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        info = self.service.info()
        author, source = author_of(self.current_user, self.settings.get("wellml_author"))
        info["user"] = {"author": author, "source": source}
        self.write_json(info)


def author_of(user: Any, configured: str | None = None) -> tuple[str | None, str]:
    """The author to write into records for ``user``, and where it comes from.

    ``WellMLExtension.author`` when set; else the server identity's display name or user name;
    but a token user without identity (jupyter-server makes up a random id and "Anonymous Io")
    is nobody: then the user running the server, as for ``%wellml`` magics in its kernels.
    """
    if configured:
        return configured, "config"
    from ..records.authors import is_anonymous_id, os_user

    username = getattr(user, "username", None) or ""
    name = getattr(user, "display_name", None) or getattr(user, "name", None) or ""
    anonymous = is_anonymous_id(username) and (not name or name.startswith("Anonymous "))
    if user is not None and not anonymous:
        return (name or username or None), "identity"

    found = os_user()
    return found, ("os" if found else "none")


class LensHandler(WellMLHandler):
    """GET /api/wellml/lens[?rules=1]: the merged catalog (phases, pillars, practices, issues)."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        rules = self.get_query_argument("rules", "0")
        if rules not in ("0", "1"):
            raise web.HTTPError(400, f"rules={rules!r} is not accepted: use 0 or 1")
        self.write_json(
            self.service.lens_json_with_rules if rules == "1" else self.service.lens_json
        )


@web.stream_request_body
class ReviewHandler(WellMLHandler):
    """POST /api/wellml/review: review unsaved notebook JSON.
    GET /api/wellml/review?path=: review a saved notebook through the contents manager."""

    _chunks: list[bytes]
    _received: int

    @property
    def limit(self) -> int:
        return int(self.settings.get("wellml_max_request_bytes", 20 * 1024 * 1024))

    async def prepare(self) -> None:
        await super().prepare()
        self._chunks, self._received = [], 0
        if self.request.method != "POST":
            return
        if not self.current_user:
            raise web.HTTPError(403, "authentication is required")
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            raise web.HTTPError(
                413,
                f"the request body has {int(length)} bytes; the limit is {self.limit} bytes (WellMLExtension.max_request_bytes)",
            )
        # a body without Content-Length (chunked) is counted as it comes, and its excess read
        # and dropped, so that it gets the 413 below rather than tornado's bare 400 (which it
        # still gets past 4 times the limit)
        chunked = length is None
        self.request.connection.set_max_body_size(self.limit * (4 if chunked else 1) + 1)

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received <= self.limit:
            self._chunks.append(chunk)
        else:
            self._chunks.clear()  # over the limit: nothing more is kept

    def _over_limit(self) -> None:
        if self._received > self.limit:
            raise web.HTTPError(
                413,
                f"the request body is over the limit of {self.limit} bytes (WellMLExtension.max_request_bytes)",
            )

    @web.authenticated
    @authorized("read")
    async def post(self) -> None:
        """The notebook (or, with ``base``, the cells that changed) is the body; ``path``,
        ``phase``, ``kernel_id`` and ``base`` are query parameters: the body is never parsed on
        the event loop, a worker reads it."""
        self._over_limit()
        body = b"".join(self._chunks)
        if not body.strip():
            raise web.HTTPError(400, 'the body is empty: send {"notebook": <nbformat JSON>}')
        if body.lstrip().startswith(b"["):
            raise web.HTTPError(
                400, 'the body must be a JSON object: {"notebook": <nbformat JSON>}'
            )
        path = self.get_query_argument("path", None) or None
        phase = self.phase_argument(self.get_query_argument("phase", None))
        kernel_id = self.get_query_argument("kernel_id", None)
        base = self.get_query_argument("base", None)
        if base is not None and not re.fullmatch(r"[0-9a-f]{64}", base):
            raise web.HTTPError(400, "base must be the notebook.sha256 of an earlier review")
        environment = await self.kernel_environment(kernel_id) if kernel_id else None
        if base:
            coro = self.service.review_delta(
                base, body, path=path, phase=phase, environment=environment
            )
        else:
            coro = self.service.review_body(body, path=path, phase=phase, environment=environment)
        await self.run_review(coro)

    @web.authenticated
    @authorized("read", resource="contents")
    async def get(self) -> None:
        path = self.path_argument("/api/wellml/review?path=folder/notebook.ipynb")
        phase = self.phase_argument(self.get_query_argument("phase", None))
        kernel_id = self.get_query_argument("kernel_id", None)
        content = await self._read_saved(path)
        environment = await self.kernel_environment(kernel_id) if kernel_id else None
        await self.run_review(
            self.service.review_file(content, path=path, phase=phase, environment=environment)
        )

    async def _read_saved(self, path: str) -> bytes:
        cm = self.contents_manager
        clean = path.strip("/")
        if not clean.endswith(".ipynb"):
            raise web.HTTPError(400, f"{path!r} is not a notebook (.ipynb)")
        if any(part == ".." for part in clean.replace("\\", "/").split("/")):
            raise web.HTTPError(403, f"{path!r} leaves the server's root folder")
        root = getattr(cm, "root_dir", None)
        if root:  # symlinks must not lead outside the root either
            real_root = os.path.realpath(root)
            real = os.path.realpath(os.path.join(root, clean))
            if not (real == real_root or real.startswith(real_root + os.sep)):
                raise web.HTTPError(403, f"{path!r} leads outside the server's root folder")
        try:
            model = await ensure_async(cm.get(clean, content=True, type="file", format="text"))
        except web.HTTPError as exc:
            if exc.status_code == 404:
                raise web.HTTPError(404, f"no notebook at {path!r}") from None
            raise
        return model["content"].encode("utf-8")


class EnvironmentHandler(WellMLHandler):
    """GET /api/wellml/environment?kernel_id=: that kernel's environment facts (cached)."""

    auth_resource = "kernels"

    @web.authenticated
    @authorized("read")
    async def get(self) -> None:
        kernel_id = self.get_query_argument("kernel_id", None)
        if not kernel_id:
            raise web.HTTPError(400, "give the kernel: /api/wellml/environment?kernel_id=<id>")
        env = await self.kernel_environment(kernel_id)
        self.write_json(self.service.environment_body(env))


default_handlers = [
    (r"/api/wellml/info", InfoHandler),
    (r"/api/wellml/lens", LensHandler),
    (r"/api/wellml/review", ReviewHandler),
    (r"/api/wellml/environment", EnvironmentHandler),
]
