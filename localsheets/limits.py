"""Per-user quota, fault injection and request statistics.

Quota: a rolling 60-second window per (account, Read|Write), like Google's
"requests per minute per user"; a rejected request does not use quota. The clock
is injected so tests can move time. Faults: a plan of what the N-th API request
(1-based, API requests only, token and stats requests excluded) or the next
requests should suffer: an error status, a cut connection, a delay. None of these
classes lock; the service calls them under its lock.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import quota_exceeded

WINDOW_SECONDS = 60.0


class Quota:
    def __init__(self, per_minute: int | None, clock: Callable[[], float]) -> None:
        self.per_minute = per_minute or None
        self.clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def check(self, user: str, kind: str) -> None:
        """Record one request of ``kind`` ("Read"/"Write"); raises the 429 when over."""
        if self.per_minute is None:
            return
        now = self.clock()
        window = self._seen.setdefault((user, kind), deque())
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.per_minute:
            raise quota_exceeded(kind, self.per_minute)
        window.append(now)

    def reset(self) -> None:
        self._seen.clear()


@dataclass(frozen=True)
class Fault:
    """What to do to one request: answer ``status``, cut the connection, or wait first."""

    status: int | None = None
    cut: bool = False
    delay: float = 0.0


class FaultPlan:
    def __init__(self) -> None:
        self.at: dict[int, Fault] = {}
        self.upcoming: deque[Fault] = deque()

    def add_at(self, position: int, fault: Fault) -> None:
        if position < 1:
            raise ValueError("request positions start at 1")
        self.at[position] = fault

    def add_next(self, fault: Fault, count: int = 1) -> None:
        self.upcoming.extend([fault] * count)

    def take(self, position: int) -> Fault | None:
        """The fault for the request at ``position``, consuming it."""
        fault = self.at.pop(position, None)
        if fault is None and self.upcoming:
            fault = self.upcoming.popleft()
        return fault

    def clear(self) -> None:
        self.at.clear()
        self.upcoming.clear()


def parse_fail_option(text: str) -> tuple[int, int]:
    """``"3:503"`` -> (3, 503), for ``--fail N:STATUS``."""
    position, sep, status = text.partition(":")
    if not sep or not position.isdigit() or not status.isdigit() or int(position) < 1:
        raise ValueError(f"expected N:STATUS with N >= 1, got {text!r}")
    return int(position), int(status)


class Stats:
    def __init__(self) -> None:
        self.total = 0
        self.requests: Counter[str] = Counter()
        self.cells_written = 0

    def count(self, name: str) -> None:
        self.total += 1
        self.requests[name] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "requests": dict(sorted(self.requests.items())),
            "cells_written": self.cells_written,
        }
