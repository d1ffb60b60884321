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
import multiprocessing
import os
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor, Future
from functools import cached_property
from typing import Any

from .._version import __version__
from ..catalog import Catalog, load_catalog
from ..errors import NotebookError, WellMLError
from .monitor import LoopLagMonitor

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


# --------------------------------------------------------------------------- worker processes
#: A job still running after this many seconds is long (a huge notebook, a slow team-lens
#: rule): its worker runs on at a lower priority (``nice`` +10) so that short reviews on the
#: other workers keep their latency, and is replaced by a fresh one after that job.
LONG_JOB = 1.0
LONG_JOB_NICE = 10
#: Seconds a new worker may take to start and load the lens.
STARTUP_TIMEOUT = 120.0


class ReviewTimeout(WellMLError):
    """A job ran past its time budget: its worker was killed and replaced."""


class WorkerMemoryError(WellMLError):
    """A job needed more memory than a worker may use."""


class WorkerDied(WellMLError):
    """The worker running a job ended (killed from outside, or crashed)."""


def _worker_main(conn, parent: int, memory_bytes: int, init, initargs) -> None:
    """A worker process: run ``(fn, args, kwargs)`` jobs from ``conn`` until told to stop.

    Answers ``(status, value, rss)``: ``ok`` and the result, ``error`` and the exception (with
    its traceback text), or ``memory`` (the worker then ends: the pool starts another).
    """
    import signal
    import traceback

    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    if memory_bytes:
        _limit_memory(memory_bytes)
    init(*initargs)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args, kwargs = message
        try:
            answer: tuple = ("ok", fn(*args, **kwargs))
        except MemoryError:
            answer = ("memory", None)
        except BaseException as exc:
            answer = ("error", _picklable(exc), traceback.format_exc(limit=8))
        try:
            conn.send((*answer, _rss()))
        except MemoryError:  # pragma: no cover - no memory even for the answer
            os._exit(3)
        if answer[0] == "memory":
            return


def _picklable(exc: BaseException) -> BaseException:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return WellMLError(f"{type(exc).__name__}: {exc}")


def _die_with_parent(parent: int) -> None:
    """End this process when the server does, however the server ends.

    On Linux the kernel sends SIGKILL the moment the parent dies (``PR_SET_PDEATHSIG``): a
    worker busy in C code that never lets a Python thread run still dies. Elsewhere a daemon
    thread polls for a new parent.
    """
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(0)
    _exit_with_parent(parent)


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """End this worker soon after the server process is gone (where PDEATHSIG does not exist)."""

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="wellml-parent-watch", daemon=True).start()


def _limit_memory(nbytes: int) -> None:
    """Cap this process's data memory (heap and private mappings): past it, allocations fail
    with MemoryError instead of the machine swapping."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (nbytes, nbytes))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no such limit here
        pass


def _rss() -> int:
    """Resident memory of this process in bytes (0 when it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.jobs = 0
        self.rss = 0
        self.lowered = False  # it ran a long job at a lower priority: replace it after

    def run(self, fn, args, kwargs, timeout: float | None, *, lower: bool = True):
        try:
            self.conn.send((fn, args, kwargs))
        except (OSError, EOFError):
            raise WorkerDied("the review worker ended before it got the job") from None
        try:
            answered = self.conn.poll(LONG_JOB if timeout is None else min(timeout, LONG_JOB))
            if not answered:  # a long job: let the short ones on other workers go first
                if lower:
                    self._lower()
                left = None if timeout is None else max(timeout - LONG_JOB, 0)
                answered = self.conn.poll(left)
            answer = self.conn.recv() if answered else None
        except (EOFError, OSError):
            raise WorkerDied("the review worker ended during the job") from None
        if not answered:
            raise ReviewTimeout(f"the job took longer than {timeout:g} s")
        self.jobs += 1
        self.rss = answer[-1]
        return answer

    def _lower(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, LONG_JOB_NICE)
            self.lowered = True
        except (OSError, AttributeError):  # pragma: no cover - no priorities here
            pass

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, EOFError):
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():  # pragma: no cover - SIGKILL cannot be refused
            self.process.kill()
            self.process.join(1)
        try:
            self.conn.close()
        except OSError:  # pragma: no cover - already closed
            pass


class WorkerPool(Executor):
    """Worker processes (``spawn``) that run submitted functions, each job within ``timeout``.

    One daemon thread serves each worker slot: it hands the next job to its worker and waits
    for the answer at most ``timeout`` seconds; a worker past it is killed and replaced (the
    job fails with :class:`ReviewTimeout`). A worker is also replaced after ``max_jobs`` jobs,
    when it holds more than ``recycle_bytes`` after a job, when a job needed more than
    ``memory_bytes`` (:class:`WorkerMemoryError`), and when it dies (:class:`WorkerDied`).
    The threads are daemons and never delay the server's exit; the workers die with it.
    """

    def __init__(
        self,
        workers: int,
        init=None,
        initargs: tuple = (),
        *,
        timeout: float | None = None,
        max_jobs: int = 0,
        recycle_bytes: int = 0,
        memory_bytes: int = 0,
        log: logging.Logger | None = None,
    ):
        self.timeout = timeout
        self.max_jobs = max_jobs
        self.recycle_bytes = recycle_bytes
        self.memory_bytes = memory_bytes
        self.log = log or logging.getLogger(__name__)
        self._init = init or _no_init
        self._initargs = initargs
        # one queue per slot: a job goes to the slot with the fewest jobs waiting or running, or
        # to the slot whose worker holds what it needs (:meth:`submit_to`)
        self._queues: list[queue.SimpleQueue] = [
            queue.SimpleQueue() for _ in range(max(1, workers))
        ]
        self._load = [0] * max(1, workers)
        self._lock = threading.Lock()
        self._workers: dict[int, _Worker] = {}
        self._closed = False
        self._ctx = multiprocessing.get_context("spawn")  # the server has threads: never fork
        self.counts = {"started": 0, "killed": 0, "recycled": 0, "died": 0}
        self._first = threading.Semaphore(0)  # released once per slot when its worker started
        self._waiting_first = max(1, workers)
        self._threads = [
            threading.Thread(target=self._serve, args=(i,), name=f"wellml-worker-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for t in self._threads:
            t.start()

    @property
    def _processes(self) -> dict[int, Any]:
        """pid → process of the live workers (as :class:`ProcessPoolExecutor` names it); the
        first time, once every slot has started its first worker."""
        while self._waiting_first and self._first.acquire(timeout=60):
            self._waiting_first -= 1
        with self._lock:
            return {pid: w.process for pid, w in self._workers.items()}

    @property
    def slots(self) -> int:
        return len(self._queues)

    def least_loaded(self) -> int:
        """The slot with the fewest jobs waiting or running (the first of equals)."""
        with self._lock:
            return min(range(len(self._load)), key=self._load.__getitem__)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self.submit_to(self.least_loaded(), fn, *args, **kwargs)

    def submit_to(self, slot: int, fn, /, *args, **kwargs) -> Future:
        """Run ``fn(*args, **kwargs)`` on the worker of ``slot`` (after the jobs before it)."""
        future: Future = Future()
        if self._closed:
            raise RuntimeError("the review workers are shut down")
        slot %= len(self._queues)
        with self._lock:
            self._load[slot] += 1
        future.add_done_callback(lambda _: self._done(slot))
        self._queues[slot].put((future, fn, args, kwargs))
        return future

    def _done(self, slot: int) -> None:
        with self._lock:
            self._load[slot] -= 1

    def _start(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main,
            args=(child_end, os.getpid(), self.memory_bytes, self._init, self._initargs),
            name="wellml-review-worker",
            daemon=True,
        )
        process.start()  # from this slot's thread, which lives as long as its workers
        child_end.close()
        worker = _Worker(process, parent_end)
        with self._lock:
            self._workers[process.pid] = worker
            self.counts["started"] += 1
        # ready (lens loaded) before this slot takes a job: meanwhile the others serve them
        try:
            answer = worker.run(_warm, (), {}, STARTUP_TIMEOUT, lower=False)
        except WellMLError:
            self._retire(worker, kill=True, why="died")
            raise
        if answer[0] != "ok":
            self._retire(worker, kill=True, why="died")
            raise WorkerDied(f"the review worker could not start: {answer[1]}")
        worker.jobs = 0
        return worker

    def _retire(self, worker: _Worker, *, kill: bool, why: str) -> None:
        with self._lock:
            self._workers.pop(worker.process.pid, None)
            self.counts[why] += 1
        worker.stop(kill=kill)

    def _serve(self, slot: int) -> None:
        """The loop of one slot's thread: start a worker when there is none, run the slot's
        jobs on it one by one, replace it when it must be."""
        jobs = self._queues[slot]
        worker: _Worker | None = None
        first = True
        while not self._closed:
            if worker is None:
                try:
                    worker = self._start()
                except Exception as exc:  # no worker: the next job fails at once, then retry
                    if not self._fail_next(jobs, exc):
                        break
                    continue
                finally:
                    if first:
                        first = False
                        self._first.release()
            item = jobs.get()
            if item is None or self._closed:
                break
            worker = self._run(worker, *item)
        if worker is not None:
            self._retire(worker, kill=True, why="recycled")

    def _fail_next(self, jobs: queue.SimpleQueue, exc: Exception) -> bool:
        """No worker could start: the next job fails with the reason. False when stopping."""
        self.log.error("jupyter-wellml: cannot start a review worker: %s", exc)
        item = jobs.get()
        if item is None or self._closed:
            return False
        if item[0].set_running_or_notify_cancel():
            _settle(item[0], exc=WorkerDied(f"no review worker could start: {exc}"))
        return True

    def _run(self, worker: _Worker, future: Future, fn, args, kwargs) -> _Worker | None:
        """One job on ``worker``; the worker to go on with (None: it was retired)."""
        if not future.set_running_or_notify_cancel():
            return worker
        try:
            answer = worker.run(fn, args, kwargs, self.timeout)
        except (ReviewTimeout, WorkerDied) as exc:
            why = "killed" if isinstance(exc, ReviewTimeout) else "died"
            self._retire(worker, kill=True, why=why)
            _settle(future, exc=exc)
            return None
        except BaseException as exc:  # the job could not be sent (not picklable...)
            _settle(future, exc=exc)
            return worker
        status, value = answer[0], answer[1]
        if status == "memory":
            self._retire(worker, kill=True, why="recycled")
            limit = self.memory_bytes >> 20
            _settle(
                future, exc=WorkerMemoryError(f"the review needed more than {limit} MB of memory")
            )
            return None
        if status == "ok":
            _settle(future, result=value)
        else:
            if not isinstance(value, (WellMLError, RecursionError)):
                self.log.error("jupyter-wellml: a review failed:\n%s", answer[2])
            _settle(future, exc=value)
        if self._worn_out(worker):
            self._retire(worker, kill=False, why="recycled")
            return None
        return worker

    def _worn_out(self, worker: _Worker) -> bool:
        """Replace the worker after this job: it ran a long one, enough, or holds too much."""
        return bool(
            worker.lowered
            or (self.max_jobs and worker.jobs >= self.max_jobs)
            or (self.recycle_bytes and worker.rss > self.recycle_bytes)
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop every worker now (a busy one is killed) and fail the jobs still queued."""
        self._closed = True
        pending = []
        for jobs in self._queues:
            while True:
                try:
                    pending.append(jobs.get_nowait())
                except queue.Empty:
                    break
        for item in pending:
            if item is not None:
                item[0].cancel()
        for jobs in self._queues:
            jobs.put(None)
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for w in workers:  # kill at once: a worker busy in a long job never reads a stop
            w.process.kill()
        for w in workers:  # their slot threads see them end and close their pipes
            w.process.join(2 if wait else 0.5)


def _no_init() -> None:
    return None


def _settle(future: Future, *, result: Any = None, exc: BaseException | None = None) -> None:
    """Give a job's future its outcome, unless it was cancelled meanwhile (a shutdown)."""
    from concurrent.futures import InvalidStateError

    try:
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)
    except InvalidStateError:
        pass


# --------------------------------------------------------------------------- worker side
_WORKER: dict[str, Any] = {}


def _init_worker(
    lens_paths: list[str],
    allow: list[str],
    deny: list[str],
    rule_budget: float | None = None,
    held_bytes: int = 0,
) -> None:
    import gc

    import orjson  # noqa: F401 - imported now, not by the first review

    from ..catalog import load_catalog
    from ..inspection import review  # noqa: F401
    from ..inspection.licenses import LicensePolicy

    _WORKER["catalog"] = load_catalog(lens_paths)
    _WORKER["policy"] = LicensePolicy.from_config(allow, deny)
    _WORKER["rule_budget"] = rule_budget
    _WORKER["held"] = NotebookStore(held_bytes)  # notebooks the next deltas are made against
    # cached cell analyses are long-lived: collect young objects less often
    gc.set_threshold(20000, 20, 50)


def _warm() -> int:
    return os.getpid()


def _review_job(
    body: bytes,
    digest: str,
    path: str | None,
    phase: str | None,
    environment: dict | None,
    hold: bool = False,
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
        if "not enough memory" in str(exc).lower():  # orjson says so instead of MemoryError
            raise MemoryError(str(exc)) from None
        raise WellMLError(f"the body is not valid JSON: {exc}") from None
    answer, nb = _review_data(data, digest, path, phase, environment)
    if hold:  # the base of the sidebar's next, incremental, request
        _hold(digest, (data["notebook"], nb), len(body))
    return answer


def _review_data(
    data: Any,
    digest: str,
    path: str | None,
    phase: str | None,
    environment: dict | None,
    previous=None,
) -> tuple[bytes, Any]:
    """A parsed request body (``{"notebook": ...}``) → (review JSON (bytes), the notebook read);
    ``previous`` is the notebook read before, whose unchanged cells need no reading again."""
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
    nb = read_notebook(notebook, path=path, sha256=digest, previous=previous)
    return _review_read(nb, phase, environment), nb


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
    from ..inspection.notebook import read_notebook

    return _review_read(read_notebook(content, path=path, sha256=digest), phase, environment)


def _review_read(nb, phase: str | None, environment: dict | None) -> bytes:
    """Review a notebook already read, with this worker's catalog, policy and rule budget."""
    from ..inspection import review

    result = review(
        nb,
        _WORKER["catalog"],
        environment,
        policy=_WORKER["policy"],
        phase=phase,
        path=nb.path,
        rule_budget=_WORKER.get("rule_budget"),
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
# against the notebook the server answered before (its ``notebook.sha256``). The worker that
# reviewed a notebook keeps it, parsed (bounded in bytes), and the server sends each delta to the
# worker that holds its base: neither the notebook nor its parsing travels again. A delta
# against a notebook no worker holds (any more) is answered 409 and the sidebar sends the whole
# notebook again.


class BaseMissing(WellMLError):
    """The notebook a delta was made against is not held (any more): send it whole."""


class CellMissing(BaseMissing):
    """A delta names a cell that is neither in the notebook held nor sent: the client's copy
    drifted from it (the notebook is still held)."""


class NotebookStore:
    """Values (parsed notebooks) by SHA-256, least recently used first out, at most
    ``max_bytes`` in all (each value's size is given: the request body it came from)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, digest: str) -> Any:
        item = self._items.get(digest)
        if item is None:
            return None
        self._items.move_to_end(digest)
        return item[0]

    def put(self, digest: str, value: Any, size: int) -> None:
        if digest in self._items:
            self._items.move_to_end(digest)
            return
        if size > self.max_bytes:
            return
        self._items[digest] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped


class HeldBy(OrderedDict):
    """Server side: which worker slot holds each notebook (by SHA-256), the most recent
    ``max_entries`` of them."""

    def __init__(self, max_entries: int = 4096):
        super().__init__()
        self.max_entries = max_entries

    def put(self, digest: str, slot: int) -> None:
        self[digest] = slot
        self.move_to_end(digest)
        while len(self) > self.max_entries:
            self.popitem(last=False)

    def forget(self, digest: str) -> None:
        self.pop(digest, None)


def apply_delta(base: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """The notebook ``base`` (nbformat JSON) with the changes of ``delta`` applied.

    ``delta`` holds ``cells`` (changed or new cells by id), optionally ``order`` (every cell id
    in order, when cells were added, removed or moved) and ``metadata`` (when it changed).
    Raises :class:`CellMissing` when a cell id is neither in ``base`` nor in ``cells``.
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
            raise CellMissing(f"cell {cell_id!r} is neither in the previous notebook nor sent")
        cells.append(cell)
    out = dict(base)
    out["cells"] = cells
    if "metadata" in delta:
        if not isinstance(delta["metadata"], dict):
            raise WellMLError("the delta's 'metadata' must be an object")
        out["metadata"] = delta["metadata"]
    return out


def _as_cached(result: tuple[bytes, str, bool]) -> tuple[bytes, str, bool]:
    """What the review cache keeps of a delta's result: marked as not computed now."""
    return result[0], result[1], False


def _hold(digest: str, notebook: dict[str, Any], size: int) -> None:
    store = _WORKER.get("held")
    if store is not None:
        store.put(digest, notebook, size)


def _review_delta_job(
    base: str, delta: bytes, path: str | None, phase: str | None, environment: dict | None
) -> tuple[bytes, str, bool]:
    """Runs in the worker that holds notebook ``base``: that notebook with ``delta`` applied →
    (review JSON, the new notebook's digest, True); the new notebook is held in turn."""
    import orjson

    store = _WORKER.get("held")
    held = store.get(base) if store is not None else None  # (the notebook's dict, as read)
    if held is None:
        raise BaseMissing(f"the server no longer holds notebook {base[:12]}: send it whole")
    try:
        change = orjson.loads(delta)
    except orjson.JSONDecodeError as exc:
        raise WellMLError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(change, dict):
        raise WellMLError('the body must be a JSON object: {"cells": {...}, "order": [...]}')
    data = {"notebook": apply_delta(held[0], change)}
    body = orjson.dumps(data)  # the digest names the content, whichever way it came
    digest = hashlib.sha256(body).hexdigest()
    answer, nb = _review_data(data, digest, path, phase, environment, previous=held[1])
    _hold(digest, (data["notebook"], nb), len(body))
    return answer, digest, True


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
