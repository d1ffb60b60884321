"""REST handlers under ``/api/wellml``. Every verb is authenticated and authorized.

Errors are raised as ``HTTPError(status, message)``: jupyter-server's ``APIHandler`` turns them
into ``{"message": ..., "reason": ...}``. Bad input never yields a 500.
"""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from .service import ReviewService

AUTH_RESOURCE = "wellml"


class WellMLHandler(ExtensionHandlerMixin, APIHandler):
    """Base: the shared :class:`ReviewService` and the ``wellml`` auth resource."""

    auth_resource = AUTH_RESOURCE

    @property
    def service(self) -> ReviewService:
        return self.settings["wellml_service"]

    def write_json(self, body: bytes | dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(body if isinstance(body, bytes) else json.dumps(body))


class InfoHandler(WellMLHandler):
    """GET /api/wellml/info: versions, for the frontend/server handshake."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(self.service.info())


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


default_handlers = [
    (r"/api/wellml/info", InfoHandler),
    (r"/api/wellml/lens", LensHandler),
]
