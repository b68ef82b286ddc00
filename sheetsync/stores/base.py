"""The one interface every workbook backend implements.

A store reads every tab in one go (`read`) and writes one batch of cell
changes (`write`). A tab's changes are applied in three steps: empty rows
inserted (`TabChanges.inserts`, keyed by rows of the read), then cell updates
(new rows are updates below the last row, or into inserted rows), then row
deletions, bottom-up, so no row shifts under another. Updates, deletions and
guards address rows as they stand once the rows are inserted (`placed_row`,
`read_row`); without inserts that is the numbering of the read. Everything on a
row moves with it, as when a spreadsheet program inserts or deletes rows. A
store writes text as text, never as a formula, and gives date/time columns real
date/time cells.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from ..schema import Kind, Tab

Cell = object  # None, str, int, float, Decimal, bool, date, time or datetime


@dataclass(slots=True)
class Table:
    """One tab as read: `rows[i]` is sheet row `i + 2` (row 1 holds the headers)."""

    title: str
    header: list[Cell]
    rows: list[list[Cell]]

    @property
    def last_row(self) -> int:
        """The sheet row number of the last non-empty row (1 when only headers)."""
        return len(self.rows) + 1

    def cell(self, row: int, col: int) -> Cell:
        """1-based row and column, as on the sheet."""
        if row == 1:
            return self.header[col - 1] if col <= len(self.header) else None
        values = self.rows[row - 2] if 2 <= row <= len(self.rows) + 1 else []
        return values[col - 1] if col <= len(values) else None


@dataclass(slots=True)
class TabChanges:
    updates: dict[tuple[int, int], Cell] = field(default_factory=dict)
    deletes: set[int] = field(default_factory=set)
    kinds: dict[int, Kind] = field(default_factory=dict)  # column -> how to format its cells
    # Rows the studio may be editing while sheetsync works: row -> the columns to re-check.
    # A store that cannot lock the workbook re-reads those cells right before writing and
    # leaves the whole row alone (no update, no deletion) when any of them moved on.
    guards: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Empty rows inserted before anything else: row r of the read -> n rows right above it
    # (rowmoves.RowMoves' convention). An inserted row is never deleted in the same batch.
    inserts: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.updates or self.deletes or any(self.inserts.values()))

    @property
    def cells_written(self) -> int:
        return len(self.updates)


class InsertedRows:
    """A tab's inserted rows (`TabChanges.inserts`), numbering rows both ways in O(log n)."""

    __slots__ = ("_above", "_at", "_ends", "_starts")

    def __init__(self, inserts: Mapping[int, int]) -> None:
        at = sorted((r, n) for r, n in inserts.items() if n > 0)
        self._at = [r for r, _ in at]
        self._above: list[int] = []  # rows inserted at or above each of `_at`
        self._starts: list[int] = []  # where each block of inserted rows starts, once in
        self._ends: list[int] = []
        total = 0
        for r, n in at:
            self._starts.append(r + total)
            total += n
            self._above.append(total)
            self._ends.append(r + total)

    def placed(self, row: int) -> int:
        """Where row `row` of the read stands once the rows are inserted."""
        i = bisect.bisect_right(self._at, row)
        return row + (self._above[i - 1] if i else 0)

    def read_row(self, row: int) -> tuple[int, int | None]:
        """What stands at `row` once the rows are inserted: (r, None) for row r of the read,
        or (r, k) for the k-th (0-based) of the rows inserted right above row r."""
        i = bisect.bisect_right(self._starts, row) - 1
        if i < 0:
            return row, None
        if row < self._ends[i]:
            return self._at[i], row - self._starts[i]
        return row - self._above[i], None


def placed_row(inserts: Mapping[int, int], row: int) -> int:
    """Where row `row` of the read stands once `inserts` are made."""
    return InsertedRows(inserts).placed(row)


def read_row(inserts: Mapping[int, int], row: int) -> tuple[int, int | None]:
    """What stands at `row` once `inserts` are made (`InsertedRows.read_row`)."""
    return InsertedRows(inserts).read_row(row)


@dataclass(slots=True)
class WorkbookChanges:
    tabs: dict[str, TabChanges] = field(default_factory=dict)  # by the workbook's tab title

    def tab(self, title: str) -> TabChanges:
        return self.tabs.setdefault(title, TabChanges())

    def __bool__(self) -> bool:
        return any(self.tabs.values())

    @property
    def cells_written(self) -> int:
        return sum(t.cells_written for t in self.tabs.values())


@dataclass(frozen=True, slots=True)
class Layout:
    """What `init` lays out: tabs to create or complete, and rows to fill them with."""

    tabs: tuple[Tab, ...]
    rows: dict[str, list[dict[str, Cell]]] = field(default_factory=dict)  # tab name -> records
    locale: str = "en"  # the language of the tabs' titles and of the sentences saying so


class Store(Protocol):
    label: str
    reads: int
    writes: int

    def read(self) -> dict[str, Table]:
        """Every tab, by title."""
        ...

    def write(self, changes: WorkbookChanges) -> None:
        """Apply one batch of changes; all or nothing."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Hold the workbook for one sync: a second sync waits, then refuses (WorkbookBusy)."""
        ...

    def check_writable(self) -> None:
        """Raise WorkbookBusy now if a write is sure to be refused (e.g. a lock file)."""
        ...

    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        """(reads, writes) that `write(changes)` will cost, so a sync's Runs row can count
        its own write: a file or memory store writes once and reads nothing; a Google Sheet
        counts its API requests."""
        ...

    def claim(self) -> None:
        """Make this sync the only one that may send alerts, right before it sends them.

        Raises WorkbookBusy when another sync holds the workbook or worked on it since
        this one read it. A no-op where `lock()` already keeps a second sync out (memory,
        .xlsx); a Google Sheet claims it here (gsheets_lock.py), and the store's next
        `write` ends the claim.
        """
        ...

    def lay_out(self, layout: Layout) -> list[str]:
        """Create missing tabs and columns with headers, formats and drop-downs.

        Never touches existing data; returns a sentence for each thing it added.
        """
        ...
