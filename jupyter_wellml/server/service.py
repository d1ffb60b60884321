"""The services behind the REST API, built once per server: catalog, reviews, environment probes.

Reviews are CPU-bound Python, so they run in worker *processes* (never on the event loop): the
loop only hashes the request body, looks the review up in a cache keyed by content, lens,
phase and environment, and awaits the worker. Identical requests in flight share one
computation. Environment probes run the kernel's own interpreter as a subprocess (asyncio, so
the loop never blocks) and are cached per interpreter until its site folders change.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from functools import cached_property
from typing import Any

from .._version import __version__
from ..catalog import Catalog, load_catalog
from ..errors import NotebookError, WellMLError
from .monitor import LoopLagMonitor

API_VERSION = 1


class LRU(OrderedDict):
    """A tiny least-recently-used mapping."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


# --------------------------------------------------------------------------- worker side
_WORKER: dict[str, Any] = {}


def _init_worker(lens_paths: list[str], allow: list[str], deny: list[str], parent: int) -> None:
    import gc

    from ..catalog import load_catalog
    from ..inspection.licenses import LicensePolicy

    _exit_with_parent(parent)

    _WORKER["catalog"] = load_catalog(lens_paths)
    _WORKER["policy"] = LicensePolicy.from_config(allow, deny)
    # cached cell analyses are long-lived: collect young objects less often
    gc.set_threshold(20000, 20, 50)


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """End this worker soon after the server process is gone.

    A server that ends abruptly (``os._exit``, as ``jupyterlab.browser_check`` does, or a kill)
    never shuts its pool down, and a worker blocked on the pool's queue would wait forever,
    keeping the server's output pipes and memory. A daemon thread notices the new parent.
    """
    import threading

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="wellml-parent-watch", daemon=True).start()


def _warm() -> int:
    # import the engine and orjson (~20 ms) before the first request
    import orjson  # noqa: F401

    from ..inspection import review  # noqa: F401

    return os.getpid()


def _review_job(
    body: bytes, digest: str, path: str | None, phase: str | None, environment: dict | None
) -> bytes:
    """Runs in a worker: JSON body → review JSON (bytes), or raises WellMLError with the reason.

    orjson parses the body and writes the answer: 2-10x faster than the json module on these
    sizes (164 KiB in, 126 KB out for 300 cells), about 1.2 ms of each review of an edit.
    The review's ``notebook.sha256`` is ``digest``, the request body's SHA-256, which the
    server computed for its cache key.
    """
    import orjson

    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WellMLError(f"the body is not valid JSON: {exc}") from None
    return _review_data(data, digest, path, phase, environment)


def _review_data(
    data: Any, digest: str, path: str | None, phase: str | None, environment: dict | None
) -> bytes:
    """A parsed request body (``{"notebook": ...}``) → review JSON (bytes)."""
    from ..inspection import review
    from ..inspection.notebook import read_notebook

    notebook = data.get("notebook") if isinstance(data, dict) else None
    if not isinstance(notebook, dict):
        raise WellMLError("the body needs a 'notebook' object (the notebook in nbformat JSON)")
    path = path or _text_field(data, "path")
    phase = phase or _text_field(data, "phase")
    if data.get("kernel_id"):
        raise WellMLError(
            "kernel_id goes in the query string: POST /api/wellml/review?kernel_id=<id>"
        )
    nb = read_notebook(notebook, path=path, sha256=digest)
    result = review(
        nb, _WORKER["catalog"], environment, policy=_WORKER["policy"], phase=phase, path=path
    )
    return _dumps(result.to_json())


def _text_field(data: dict, key: str) -> str | None:
    """``path`` or ``phase`` of an older client that sent them in the body (a text, or nothing)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WellMLError(f"{key} must be a text")
    return value


def _review_file_job(
    content: bytes, digest: str, path: str, phase: str | None, environment: dict | None
) -> bytes:
    from ..inspection import review
    from ..inspection.notebook import read_notebook

    nb = read_notebook(content, path=path, sha256=digest)
    result = review(
        nb, _WORKER["catalog"], environment, policy=_WORKER["policy"], phase=phase, path=path
    )
    return _dumps(result.to_json())


def _dumps(review_json: dict[str, Any]) -> bytes:
    import orjson

    from ..report.verdict import with_verdict

    # the verdict (states and counts every surface shows) travels with the review
    with_verdict(review_json, _WORKER.get("catalog"))
    return orjson.dumps(review_json, option=orjson.OPT_NON_STR_KEYS)


# --------------------------------------------------------------------------- incremental reviews
# After the first review of a notebook the sidebar sends only the cells that changed, by cell id,
# against the notebook the server answered before (its ``notebook.sha256``). The server keeps
# recent notebooks' request bodies (bounded in bytes); a delta against one it no longer holds is
# answered 409 and the sidebar sends the whole notebook again.


class BaseMissing(WellMLError):
    """The notebook a delta was made against is not held (any more): send it whole."""


class NotebookStore:
    """Request bodies of recently reviewed notebooks by SHA-256, least recently used first out,
    at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, digest: str) -> bytes | None:
        body = self._items.get(digest)
        if body is not None:
            self._items.move_to_end(digest)
        return body

    def put(self, digest: str, body: bytes) -> None:
        if len(body) > self.max_bytes or digest in self._items:
            if digest in self._items:
                self._items.move_to_end(digest)
            return
        self._items[digest] = body
        self.bytes += len(body)
        while self.bytes > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self.bytes -= len(dropped)


def apply_delta(base: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """The notebook ``base`` (nbformat JSON) with the changes of ``delta`` applied.

    ``delta`` holds ``cells`` (changed or new cells by id), optionally ``order`` (every cell id
    in order, when cells were added, removed or moved) and ``metadata`` (when it changed).
    Raises :class:`BaseMissing` when a cell id is neither in ``base`` nor in ``cells``.
    """
    changed = delta.get("cells") or {}
    if not isinstance(changed, dict) or not all(isinstance(c, dict) for c in changed.values()):
        raise WellMLError("the delta's 'cells' must map cell ids to cells (nbformat JSON)")
    old_cells = base.get("cells") or []
    by_id = {c.get("id"): c for c in old_cells if isinstance(c, dict)}
    order = delta.get("order")
    if order is None:
        order = [c.get("id") for c in old_cells if isinstance(c, dict)]
    elif not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise WellMLError("the delta's 'order' must list cell ids")
    cells = []
    for cell_id in order:
        cell = changed[cell_id] if cell_id in changed else by_id.get(cell_id)
        if cell is None:
            raise BaseMissing(f"cell {cell_id!r} is neither in the previous notebook nor sent")
        cells.append(cell)
    out = dict(base)
    out["cells"] = cells
    if "metadata" in delta:
        if not isinstance(delta["metadata"], dict):
            raise WellMLError("the delta's 'metadata' must be an object")
        out["metadata"] = delta["metadata"]
    return out


def _without_body(result: tuple[bytes, str, bytes | None]) -> tuple[bytes, str, None]:
    """What the review cache keeps of a delta's result: not the whole notebook again."""
    return result[0], result[1], None


def _review_delta_job(
    base_body: bytes, delta: bytes, path: str | None, phase: str | None, environment: dict | None
) -> tuple[bytes, str, bytes]:
    """Runs in a worker: the previous body and a delta → (review JSON, new digest, new body)."""
    import orjson

    try:
        change = orjson.loads(delta)
    except orjson.JSONDecodeError as exc:
        raise WellMLError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(change, dict):
        raise WellMLError('the body must be a JSON object: {"cells": {...}, "order": [...]}')
    base = orjson.loads(base_body)
    data = {"notebook": apply_delta(base["notebook"], change)}
    body = orjson.dumps(data)
    digest = hashlib.sha256(body).hexdigest()
    return _review_data(data, digest, path, phase, environment), digest, body


# --------------------------------------------------------------------------- the service
class ReviewService:
    """Holds the catalog, the worker pool and the caches; the handlers call it."""

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
        notebook_store_bytes: int = 64 * 1024 * 1024,
    ):
        self.lens_paths = lens_paths
        self.license_allow = license_allow
        self.license_deny = license_deny
        self.probe_timeout = probe_timeout
        self.workers = workers
        self.log = log or logging.getLogger(__name__)
        self.catalog: Catalog = load_catalog(lens_paths)
        self.reviews: LRU = LRU(cache_size)
        self.environments: LRU = LRU(max(cache_size, 8))
        self._environment_bodies: LRU = LRU(max(cache_size, 8))
        self._inflight: dict[str, asyncio.Future] = {}
        self.notebooks = NotebookStore(notebook_store_bytes)
        self._pool: ProcessPoolExecutor | None = None
        self.monitor = LoopLagMonitor()
        # counts only (no paths, no content): exposed as ``stats`` in GET /api/wellml/info
        self.counts = {"computed": 0, "cache_hits": 0, "shared": 0, "failed": 0, "incremental": 0}

    # ---- lens and info
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
            "schemas": {
                "review": "wellml-review/v1",
                "record": "wellml-record/v1",
                "environment": "wellml-environment/v1",
            },
            "lens": {
                "fingerprint": c.fingerprint,
                "practices": len(c),
                "lenses": [lens.id for lens in c.lenses],
                "issues": len(c.issues),
            },
            "stats": self.stats(),
        }

    def stats(self) -> dict:
        """Counters and event-loop figures; nothing about users, paths or notebook content."""
        return {
            "reviews": {
                **self.counts,
                "cached": len(self.reviews),
                "in_flight": len(self._inflight),
                "notebooks_held": len(self.notebooks),
                "workers": self.workers,
            },
            "environments_cached": len(self.environments),
            "loop": self.monitor.to_json(),
        }

    # ---- worker pool
    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the server has threads (and ZMQ) that a fork must not copy
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(self.lens_paths, self.license_allow, self.license_deny, os.getpid()),
            )
        return self._pool

    def warm(self) -> None:
        """Start the workers now, so the first review does not pay for their start."""
        for _ in range(self.workers):
            self.pool.submit(_warm)

    async def _cached(self, key: str, job, *args, keep=None):
        """``job(*args)`` in a worker, shared by identical requests in flight and cached by
        ``key``; ``keep`` picks what of the result the cache holds (default: all of it)."""
        hit = self.reviews.get(key)
        if hit is not None:
            self.counts["cache_hits"] += 1
            return hit
        running = self._inflight.get(key)
        if running is not None:
            self.counts["shared"] += 1
            return await asyncio.shield(running)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.pool, job, *args)
        self._inflight[key] = future
        try:
            result = await future
        except BaseException:
            self.counts["failed"] += 1
            raise
        finally:
            self._inflight.pop(key, None)
        self.counts["computed"] += 1
        self.reviews.put(key, result if keep is None else keep(result))
        return result

    async def review_body(
        self, body: bytes, *, path: str | None, phase: str | None, environment: dict | None
    ) -> bytes:
        """Review the notebook in a request body (unsaved state)."""
        digest = hashlib.sha256(body).hexdigest()
        key = self._key(digest, path, phase, environment)
        answer = await self._cached(key, _review_job, body, digest, path, phase, environment)
        self.notebooks.put(digest, body)  # the base of the next incremental request
        return answer

    async def review_delta(
        self,
        base: str,
        delta: bytes,
        *,
        path: str | None,
        phase: str | None,
        environment: dict | None,
    ) -> bytes:
        """Review the notebook ``base`` (a digest the server answered) with ``delta`` applied.

        Raises :class:`BaseMissing` when ``base`` is not held any more.
        """
        base_body = self.notebooks.get(base)
        if base_body is None:
            raise BaseMissing(f"the server no longer holds notebook {base[:12]}: send it whole")
        change = hashlib.sha256(delta).hexdigest()
        key = self._key(f"{base}+{change}", path, phase, environment, kind="delta")
        answer, digest, body = await self._cached(
            key,
            _review_delta_job,
            base_body,
            delta,
            path,
            phase,
            environment,
            keep=_without_body,
        )
        if body is not None:  # computed now, not from the cache
            self.counts["incremental"] += 1
            self.notebooks.put(digest, body)
        return answer

    async def review_file(
        self, content: bytes, *, path: str, phase: str | None, environment: dict | None
    ) -> bytes:
        """Review a saved notebook's bytes."""
        digest = hashlib.sha256(content).hexdigest()
        key = self._key(digest, path, phase, environment, kind="file")
        return await self._cached(key, _review_file_job, content, digest, path, phase, environment)

    def _key(self, digest: str, path, phase, environment, kind: str = "body") -> str:
        """The review cache key: the content's SHA-256 (hashed once, and handed to the worker as
        the review's ``notebook.sha256``) with what else changes the review."""
        extra = environment.get("_key", "") if environment else ""
        day = datetime.date.today().isoformat()  # a sign-off that runs out changes the review
        text = f"{digest}|{kind}|{path}|{phase}|{self.catalog.fingerprint}|{extra}|{day}"
        return hashlib.sha256(text.encode()).hexdigest()

    # ---- environments
    async def environment(self, python: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The probe result for ``python``, re-probed only when its site folders changed."""
        from ..inspection.environment import probe_async, state_key

        resolved = shutil.which(python) or python
        cached = self.environments.get(resolved)
        if cached is not None and state_key(cached) == cached["_state"]:
            return cached
        started = time.perf_counter()
        result = await probe_async(resolved, timeout=self.probe_timeout, env=env)
        result["_state"] = state_key(result)
        result["_key"] = hashlib.sha256(
            json.dumps([resolved, result["_state"]], default=str).encode()
        ).hexdigest()[:16]
        result["_probe_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self.environments.put(resolved, result)
        return result

    def environment_body(self, env: dict[str, Any]) -> bytes:
        """The ``GET /api/wellml/environment`` answer for a probe result, built once per probe."""
        from ..inspection.environment import environment_facts
        from ..inspection.licenses import LicensePolicy

        key = env["_key"]
        body = self._environment_bodies.get(key)
        if body is None:
            policy = LicensePolicy.from_config(self.license_allow, self.license_deny)
            facts = environment_facts(env, policy)
            answer = {k: v for k, v in env.items() if not k.startswith("_")}
            answer["license_flags"] = facts["license_flag"]
            answer["probe_ms"] = env.get("_probe_ms")
            body = json.dumps(answer).encode()
            self._environment_bodies.put(key, body)
        return body

    def close(self) -> None:
        """Release worker processes and stop the monitor (called when the server stops)."""
        self.monitor.stop()
        self.close_pool()

    def close_pool(self) -> None:
        """Release worker processes; the next review starts new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


__all__ = ["API_VERSION", "NotebookError", "ReviewService", "WellMLError"]
