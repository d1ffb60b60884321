"""The services behind the REST API, built once per server: catalog, reviews, environment probes."""

from __future__ import annotations

import json
import logging
from functools import cached_property

from .. import __version__
from ..catalog import Catalog, load_catalog

API_VERSION = 1


class ReviewService:
    """Holds the catalog and runs reviews and environment probes for the handlers."""

    def __init__(
        self,
        *,
        lens_paths: list[str],
        license_allow: list[str],
        license_deny: list[str],
        probe_timeout: float,
        cache_size: int,
        workers: int,
        log: logging.Logger | None = None,
    ):
        self.lens_paths = lens_paths
        self.license_allow = license_allow
        self.license_deny = license_deny
        self.probe_timeout = probe_timeout
        self.cache_size = cache_size
        self.workers = workers
        self.log = log or logging.getLogger(__name__)
        self.catalog: Catalog = load_catalog(lens_paths)

    @cached_property
    def lens_json(self) -> bytes:
        return json.dumps(self.catalog.to_json(rules=False)).encode()

    @cached_property
    def lens_json_with_rules(self) -> bytes:
        return json.dumps(self.catalog.to_json(rules=True)).encode()

    def info(self) -> dict:
        c = self.catalog
        return {
            "name": "jupyter-wellml",
            "version": __version__,
            "api_version": API_VERSION,
            "schemas": {"review": "wellml-review/v1", "record": "wellml-record/v1"},
            "lens": {
                "fingerprint": c.fingerprint,
                "practices": len(c),
                "lenses": [lens.id for lens in c.lenses],
                "issues": len(c.issues),
            },
        }

    def close(self) -> None:
        """Release worker processes (called when the server stops)."""
