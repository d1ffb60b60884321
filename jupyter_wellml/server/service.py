"""The services behind the REST API, built once per server: catalog, reviews, environment probes.

Reviews are CPU-bound Python, so they run in worker *processes* (never on the event loop): the
loop only hashes the request body, looks the review up in a cache keyed by content, lens,
phase and environment, and awaits the worker. Identical requests in flight share one
computation. Environment probes run the kernel's own interpreter as a subprocess (in a thread,
so the loop never blocks) and are cached per interpreter until its site folders change; a
failed probe is remembered for :data:`PROBE_FAILURE_TTL` seconds.

Bounds (docs/configuration.md): each review has ``review_timeout`` seconds in its worker, which
is killed and replaced when it runs over; a worker may use ``worker_memory_mb`` of data memory
(a review needing more is refused); workers are recycled after ``worker_max_reviews`` reviews or
when they hold more than ``worker_recycle_mb`` after one; workers die with the server, even when
it is killed; the review cache is bounded by bytes as well as by entries.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import time
from collections import OrderedDict
from functools import cached_property
from typing import Any

from .._version import __version__
from ..catalog import Catalog, load_catalog
from ..errors import NotebookError, WellMLError
from .jobs import (
    BaseMissing,
    CellMissing,
    HeldBy,
    NotebookStore,
    _as_cached,
    _init_worker,
    _review_delta_job,
    _review_file_job,
    _review_job,
)
from .monitor import LoopLagMonitor
from .workers import ReviewTimeout, WorkerDied, WorkerMemoryError, WorkerPool

__all__ = [
    "LRU",
    "BaseMissing",
    "CellMissing",
    "NotebookStore",
    "ReviewService",
    "ReviewTimeout",
    "WorkerDied",
    "WorkerMemoryError",
    "WorkerPool",
]

API_VERSION = 1
#: Seconds a failed environment probe is remembered (requests do not each wait for it again).
PROBE_FAILURE_TTL = 30.0
#: Seconds a review that ran out of time or memory is remembered: the same content is not
#: handed to a worker again meanwhile.
REVIEW_FAILURE_TTL = 60.0


class LRU(OrderedDict):
    """A least-recently-used mapping bounded by entries and, with ``max_bytes``, by the bytes of
    its values (``len`` of a bytes value, else the ``size`` given to :meth:`put`); a value over
    a quarter of ``max_bytes`` is not kept."""

    def __init__(self, size: int, max_bytes: int | None = None):
        super().__init__()
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._sizes: dict[Any, int] = {}

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key, value, size: int | None = None) -> None:
        if self.size <= 0:
            return
        nbytes = size if size is not None else (len(value) if isinstance(value, bytes) else 0)
        if self.max_bytes is not None and nbytes > self.max_bytes // 4:
            return  # one answer may not take more than a quarter of the cache (nor flush it)
        if key in self:
            self.bytes -= self._sizes.pop(key, 0)
        self[key] = value
        self._sizes[key] = nbytes
        self.bytes += nbytes
        self.move_to_end(key)
        while len(self) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
            old, _ = self.popitem(last=False)
            self.bytes -= self._sizes.pop(old, 0)

    def clear(self) -> None:
        super().clear()
        self._sizes.clear()
        self.bytes = 0


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
        cache_bytes: int = 64 << 20,
        review_timeout: float = 60.0,
        rule_budget: float | None = None,
        worker_memory_mb: int = 1024,
        worker_max_reviews: int = 5000,
        worker_recycle_mb: int = 512,
        notebook_store_bytes: int = 64 * 1024 * 1024,
    ):
        self.lens_paths = lens_paths
        self.license_allow = license_allow
        self.license_deny = license_deny
        self.probe_timeout = probe_timeout
        self.workers = workers
        self.review_timeout = review_timeout
        self.rule_budget = rule_budget
        self.worker_memory_mb = worker_memory_mb
        self.worker_max_reviews = worker_max_reviews
        self.worker_recycle_mb = worker_recycle_mb
        self.log = log or logging.getLogger(__name__)
        self.catalog: Catalog = load_catalog(lens_paths)
        self.reviews: LRU = LRU(cache_size, cache_bytes)
        self.environments: LRU = LRU(max(cache_size, 8), cache_bytes)
        self._environment_bodies: LRU = LRU(max(cache_size, 8), cache_bytes)
        self._probe_failures: dict[str, tuple[float, Exception]] = {}
        self._review_failures: LRU = LRU(64)
        self._inflight: dict[str, asyncio.Future] = {}
        self.notebook_store_bytes = notebook_store_bytes
        self.notebooks = HeldBy()  # which worker holds each notebook a delta may be sent against
        self._pool: WorkerPool | None = None
        self.monitor = LoopLagMonitor()
        # counts only (no paths, no content): exposed as ``stats`` in GET /api/wellml/info
        self.counts = {"computed": 0, "cache_hits": 0, "shared": 0, "failed": 0, "incremental": 0}
        self._restarts = {"killed": 0, "recycled": 0, "died": 0}

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
        restarts = dict(self._restarts)
        if self._pool is not None:
            for k in restarts:
                restarts[k] += self._pool.counts[k]
        return {
            "reviews": {
                **self.counts,
                "cached": len(self.reviews),
                "cached_bytes": self.reviews.bytes,
                "in_flight": len(self._inflight),
                "notebooks_held": len(self.notebooks),
                "workers": self.workers,
                "worker_restarts": restarts,
            },
            "environments_cached": len(self.environments),
            "loop": self.monitor.to_json(),
        }

    # ---- worker pool
    @property
    def pool(self) -> WorkerPool:
        if self._pool is None:
            self._pool = WorkerPool(
                self.workers,
                _init_worker,
                (
                    self.lens_paths,
                    self.license_allow,
                    self.license_deny,
                    self.rule_budget,
                    self.notebook_store_bytes // max(1, self.workers),
                ),
                timeout=self.review_timeout,
                max_jobs=self.worker_max_reviews,
                recycle_bytes=self.worker_recycle_mb << 20,
                memory_bytes=self.worker_memory_mb << 20,
                log=self.log,
            )
        return self._pool

    def warm(self) -> None:
        """Start the workers now, so the first review does not pay for their start."""
        self.pool  # noqa: B018 - the pool starts its workers as it is made

    async def _cached(self, key: str, job, *args, keep=None, slot=None, use_cache=True):
        """``job(*args)`` in a worker (the one of ``slot``, or the least busy), shared by
        identical requests in flight and cached by ``key``; ``keep`` picks what of the result
        the cache holds (default: all of it); ``use_cache=False`` computes it again."""
        hit = self.reviews.get(key) if use_cache else None
        if hit is not None:
            self.counts["cache_hits"] += 1
            return hit
        failed = self._review_failures.get(key)
        if failed is not None and time.monotonic() - failed[0] < REVIEW_FAILURE_TTL:
            self.counts["cache_hits"] += 1
            raise failed[1]  # the same content ran out of time or memory a moment ago
        running = self._inflight.get(key)
        if running is not None:
            self.counts["shared"] += 1
            return await asyncio.shield(running)
        if slot is None:
            future = asyncio.get_running_loop().run_in_executor(self.pool, job, *args)
        else:
            future = asyncio.wrap_future(self.pool.submit_to(slot, job, *args))
        self._inflight[key] = future
        try:
            result = await future
        except (ReviewTimeout, WorkerMemoryError) as exc:
            self.counts["failed"] += 1
            self._review_failures.put(key, (time.monotonic(), exc))
            raise
        except BaseException:
            self.counts["failed"] += 1
            raise
        finally:
            self._inflight.pop(key, None)
        self.counts["computed"] += 1
        kept = result if keep is None else keep(result)
        # a delta's answer is (review bytes, digest, None): count the review's bytes
        self.reviews.put(key, kept, size=len(kept[0]) if isinstance(kept, tuple) else None)
        return result

    async def review_body(
        self, body: bytes, *, path: str | None, phase: str | None, environment: dict | None
    ) -> bytes:
        """Review the notebook in a request body (unsaved state). The worker that reviews it
        keeps it for the deltas that follow (see :meth:`review_delta`)."""
        digest = hashlib.sha256(body).hexdigest()
        key = self._key(digest, path, phase, environment)
        hold = self.notebook_store_bytes > 0
        held = digest in self.notebooks
        slot = self.notebooks[digest] if held else self.pool.least_loaded()
        if hold and key not in self._inflight:  # (else the request in flight names the slot)
            self.notebooks.put(digest, slot)
        # a cached answer for a notebook no worker holds is computed again, so one holds it
        return await self._cached(
            key, _review_job, body, digest, path, phase, environment, hold,
            slot=slot, use_cache=held or not hold,
        )  # fmt: skip

    async def review_delta(
        self,
        base: str,
        delta: bytes,
        *,
        path: str | None,
        phase: str | None,
        environment: dict | None,
    ) -> bytes:
        """Review the notebook ``base`` (a digest the server answered) with ``delta`` applied,
        in the worker that holds ``base``.

        Raises :class:`BaseMissing` when no worker holds ``base`` any more.
        """
        slot = self.notebooks.get(base)
        if slot is None:
            raise BaseMissing(f"the server no longer holds notebook {base[:12]}: send it whole")
        change = hashlib.sha256(delta).hexdigest()
        key = self._key(f"{base}+{change}", path, phase, environment, kind="delta")
        try:
            answer, digest, computed = await self._cached(
                key, _review_delta_job, base, delta, path, phase, environment,
                keep=_as_cached, slot=slot,
            )  # fmt: skip
        except CellMissing:
            raise
        except BaseMissing:
            self.notebooks.forget(base)  # that worker was replaced, or let it go
            raise
        if computed:
            self.counts["incremental"] += 1
        self.notebooks.put(digest, slot)
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
    async def environment(
        self, python: str | list[str], env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The probe result for ``python`` (an interpreter, or the command of
        :func:`~..inspection.environment.kernel_command`), re-probed only when its site folders
        changed. A failed probe raises the same :class:`ProbeError` again for
        :data:`PROBE_FAILURE_TTL` seconds without running."""
        import shutil

        from ..inspection.environment import probe_async, state_key

        command = [shutil.which(python) or python] if isinstance(python, str) else list(python)
        resolved = json.dumps([command, sorted((env or {}).items())])
        cached = self.environments.get(resolved)
        if cached is not None and state_key(cached) == cached["_state"]:
            return cached
        failed = self._probe_failures.get(resolved)
        if failed is not None and time.monotonic() - failed[0] < PROBE_FAILURE_TTL:
            raise failed[1]
        started = time.perf_counter()
        try:
            result = await probe_async(command, timeout=self.probe_timeout, env=env)
        except WellMLError as exc:
            if len(self._probe_failures) > 256:
                self._probe_failures.clear()
            self._probe_failures[resolved] = (time.monotonic(), exc)
            raise
        self._probe_failures.pop(resolved, None)
        result["_state"] = state_key(result)
        result["_key"] = hashlib.sha256(
            json.dumps([resolved, result["_state"]], default=str).encode()
        ).hexdigest()[:16]
        result["_probe_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self.environments.put(resolved, result, len(json.dumps(result, default=str)))
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
        """Stop the worker processes now (busy ones are killed); the next review starts new ones."""
        if self._pool is not None:
            for k in self._restarts:
                self._restarts[k] += self._pool.counts[k]
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


__all__ = [
    "API_VERSION",
    "NotebookError",
    "ReviewService",
    "ReviewTimeout",
    "WellMLError",
    "WorkerDied",
    "WorkerMemoryError",
    "WorkerPool",
]
