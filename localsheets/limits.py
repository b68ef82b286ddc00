"""Per-user quota, the cell cap, fault injection and request statistics.

Quota: a rolling 60-second window per (account, Read|Write), like Google's
"requests per minute per user"; a rejected request does not use quota. The clock
is injected so tests can move time. Faults: a plan of what the N-th API request
(1-based, API requests only, token and stats requests excluded) or the next
requests should suffer: an error status, a cut connection, a delay. None of these
classes lock; the service calls them under its lock.

The cell cap: Google refuses any request that would leave a spreadsheet with more grid
cells (rowCount x columnCount, summed over its sheets, empty cells included) than
10,000,000, with a 400 naming the limit; a request that does not grow the grid passes
even above the cap. `GOOGLE_CELL_LIMIT` is the default; a server may set a smaller cap.
Statistics also keep the largest request body and reply of each method, as served
(indented JSON) and on the wire (gzip when the client asked for it).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import cell_limit_message, quota_exceeded

WINDOW_SECONDS = 60.0
GOOGLE_CELL_LIMIT = 10_000_000


def grid_cells(sheets: Iterable[Any]) -> int:
    """The cells the cap counts: every sheet's rowCount x columnCount."""
    return sum(sheet.row_count * sheet.column_count for sheet in sheets)


def over_cell_limit(before: int, after: int, limit: int | None) -> str | None:
    """Google's message when growing from `before` to `after` cells breaks the cap."""
    if limit is None or after <= before or after <= limit:
        return None
    return cell_limit_message(limit)


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


@dataclass
class Sizes:
    """Bytes of one method's requests and replies: the largest, and the sums."""

    requests: int = 0
    largest_request: int = 0
    largest_reply: int = 0  # as served: the JSON before any compression
    largest_reply_on_wire: int = 0
    replies: int = 0
    replies_on_wire: int = 0
    gzipped: int = 0  # replies sent with Content-Encoding: gzip

    def add(self, request: int, served: int, on_wire: int, gzipped: bool) -> None:
        self.requests += request
        self.largest_request = max(self.largest_request, request)
        self.largest_reply = max(self.largest_reply, served)
        self.largest_reply_on_wire = max(self.largest_reply_on_wire, on_wire)
        self.replies += served
        self.replies_on_wire += on_wire
        self.gzipped += gzipped


class Stats:
    def __init__(self) -> None:
        self.total = 0
        self.requests: Counter[str] = Counter()
        self.cells_written = 0
        self.bytes: dict[str, Sizes] = {}

    def count(self, name: str) -> None:
        self.total += 1
        self.requests[name] += 1

    def sizes(self, name: str, request: int, served: int, on_wire: int, gzipped: bool) -> None:
        self.bytes.setdefault(name, Sizes()).add(request, served, on_wire, gzipped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "requests": dict(sorted(self.requests.items())),
            "cells_written": self.cells_written,
        }

    def traffic(self) -> dict[str, dict[str, int]]:
        """Bytes per method: the largest request body and reply, as served and on the wire."""
        return {name: vars(s).copy() for name, s in sorted(self.bytes.items())}
