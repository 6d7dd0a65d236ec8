"""The chat's own rate limit: messages per minute per conversation and per client address.

nginx limits requests per second in front of the app (deploy/nginx.conf); this limit is the
app's own, so it also holds without nginx, and per conversation. A sliding window: a message
is refused while the last `limit` accepted ones of the same key all fall within the window, so
there is no boundary at which a client gets twice the limit. Kept in memory: per worker
process, forgotten on restart, which is fine for a limit meant to slow floods down.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence

WINDOW_S = 60.0
# Above this many keys the expired ones are dropped, so a flood of new sender ids cannot grow
# the table without bound (each key's deque holds at most its limit of timestamps).
SWEEP_ABOVE = 10_000


class SlidingWindow:
    def __init__(self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def admit(self, limits: Sequence[tuple[str, int]]) -> float:
        """Counts one message against every (key, limit) when all allow it and returns 0;
        otherwise counts nothing and returns the seconds until it would be allowed.
        A limit of 0 means none. Synchronous, so atomic within the event loop."""
        now = self.clock()
        wait = 0.0
        for key, limit in limits:
            if limit <= 0:
                continue
            hits = self._recent(key, now)
            if len(hits) >= limit:
                wait = max(wait, hits[-limit] + self.window_s - now)
        if wait > 0:
            return wait
        for key, limit in limits:
            if limit > 0:
                self._hits[key].append(now)
                while len(self._hits[key]) > limit:
                    self._hits[key].popleft()
        if len(self._hits) > SWEEP_ABOVE:
            self._sweep(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not self._recent(k, now)]:
            del self._hits[key]


def retry_after(wait_s: float) -> str:
    """The Retry-After header: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
