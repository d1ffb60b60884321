"""Worker processes for the review service: a pool whose jobs each run within a time limit.

:class:`WorkerPool` starts ``spawn`` processes (the server has threads: never fork), one per
slot, each served by a daemon thread of the server that hands it the slot's jobs one at a time.
A job goes to the least busy slot, or to a given one (:meth:`WorkerPool.submit_to`: the worker
that holds what the job needs). A worker over its time is killed and replaced; it is replaced
too after a number of jobs, when it holds too much memory, when a job needs more than its
memory limit, and when it dies. Workers die with the server, even when it is killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from concurrent.futures import Executor, Future
from typing import Any

from ..errors import WellMLError

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


def _warm() -> int:
    return os.getpid()
