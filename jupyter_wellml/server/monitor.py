"""A cheap event-loop lag monitor: how long the server's loop was kept from running callbacks.

A callback re-arms itself every ``interval`` seconds with ``loop.call_at``; when it runs, the
difference between the time it ran and the time it was due is the loop's lag at that moment
(time some other callback or coroutine step held the loop). The monitor keeps the largest lag
since it started and the largest lag of each of the last few minutes' seconds, so a benchmark
can read the worst stall of a time window. It holds nothing but numbers.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class LoopLagMonitor:
    """Measures event-loop lag with one timer callback every ``interval`` seconds.

    Parameters
    ----------
    interval:
        Seconds between checks (default 0.01: 100 cheap callbacks a second).
    history:
        How many one-second buckets of maximum lag to keep (default 300: five minutes).
    """

    def __init__(self, interval: float = 0.01, history: int = 300):
        self.interval = interval
        self.max_lag = 0.0
        self.checks = 0
        self._seconds: deque[tuple[int, float]] = deque(maxlen=history)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._due = 0.0
        self.started_at: float | None = None

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start on ``loop`` (the running loop by default); starting twice does nothing."""
        if self._handle is not None:
            return
        self._loop = loop or asyncio.get_running_loop()
        self.started_at = time.time()
        self._arm()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self) -> None:
        assert self._loop is not None
        self._due = self._loop.time() + self.interval
        self._handle = self._loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        assert self._loop is not None
        lag = max(0.0, self._loop.time() - self._due)
        self.checks += 1
        if lag > self.max_lag:
            self.max_lag = lag
        second = int(time.monotonic())
        if self._seconds and self._seconds[-1][0] == second:
            if lag > self._seconds[-1][1]:
                self._seconds[-1] = (second, lag)
        else:
            self._seconds.append((second, lag))
        self._arm()

    def max_lag_since(self, seconds_ago: float) -> float:
        """Largest lag (s) measured in the last ``seconds_ago`` seconds (whole seconds, rounded up)."""
        oldest = int(time.monotonic() - seconds_ago)
        return max((lag for second, lag in self._seconds if second >= oldest), default=0.0)

    def to_json(self) -> dict:
        """The figures for ``GET /api/wellml/info`` (``stats.loop``), in milliseconds."""
        now = int(time.monotonic())
        return {
            "running": self.running,
            "interval_ms": round(self.interval * 1000, 3),
            "checks": self.checks,
            "max_lag_ms": round(self.max_lag * 1000, 3),
            # [age in whole seconds (0 = the current second), largest lag in that second (ms)]
            # for the last minute, newest first
            "recent": [
                [now - second, round(lag * 1000, 3)]
                for second, lag in reversed(self._seconds)
                if second > now - 60
            ],
        }
