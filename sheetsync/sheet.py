"""Workbook coordinates: where sheetsync's columns stand in a tab, and the cells to write.

Read and write meet here. `locate` finds a tab and its known columns (matched by
header, in any order, among the studio's own); `TabWriter` turns wanted values
into cell changes in the coordinates of the read, writing a cell only when its
value or its type differs (`same_cell`). A row with nothing in any known column
(only the studio's own cells, e.g. a formula filled down in advance) is no
record, and is where the next new record goes. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from . import cells
from .model import Problem
from .schema import Kind, Tab, find_tab, header_key
from .stores.base import Cell, TabChanges, Table, WorkbookChanges


@dataclass(frozen=True, slots=True)
class Columns:
    """A tab as found in the workbook: its title and where each known column stands."""

    tab: Tab
    table: Table
    index: dict[str, int]  # canonical column name -> 0-based position

    def position(self, name: str) -> int | None:
        """1-based sheet column of `name`, or None when the tab lacks it."""
        i = self.index.get(name)
        return None if i is None else i + 1


def locate(tables: dict[str, Table], tab: Tab) -> tuple[Columns | None, list[Problem]]:
    """Find `tab` and its columns; problems for a missing tab or column are structural."""
    title = find_tab(list(tables), tab)
    if title is None:
        return None, [Problem(tab.name, None, "", "", f"The {tab.name} tab is missing; "
                              "run 'sheetsync init' on this workbook to add it.")]
    table = tables[title]
    wanted = {header_key(c.name): c.name for c in tab.columns}
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, header in enumerate(table.header):
        name = wanted.get(header_key(header))
        if name is None:
            continue
        if name in index:
            problems.append(Problem(tab.name, 1, cells.text(header), cells.text(header),
                                    f"Two columns are called {name}; rename or delete one."))
        index[name] = i
    needed = tab.column_names if tab.owned else tab.required
    for name in needed:
        if name not in index:
            problems.append(Problem(tab.name, 1, name, "",
                                    f"The {name} column is missing; "
                                    + ("run 'sheetsync init' to add it." if tab.owned
                                       else "add it to the header row.")))
    return Columns(tab, table, index), problems


def empty_row(values: list[object], read: list[int]) -> bool:
    """Nothing in any column sheetsync knows (an unusable cell there is something)."""
    return all(cells.is_blank(values[i]) for i in read if i < len(values))


def holds_nothing_known(cols: Columns, values: list[object]) -> bool:
    """True for a row with nothing in any column sheetsync knows."""
    return empty_row(values, sorted(cols.index.values()))


def last_used_row(cols: Columns) -> int:
    """The sheet row of the last row holding something in a known column (1: none)."""
    read = sorted(cols.index.values())
    for offset in range(len(cols.table.rows) - 1, -1, -1):
        if not empty_row(cols.table.rows[offset], read):
            return offset + 2
    return 1


_EXACT = {Kind.TEXT: str, Kind.INT: int, Kind.DATE: date}


def same_cell(kind: Kind, raw: Cell, wanted: Cell) -> bool:
    """True when the cell already holds `wanted` as the right type of cell."""
    exact = _EXACT.get(kind)
    if exact is not None and type(raw) is exact and type(wanted) is exact and wanted != "":
        return raw == wanted  # the common case, decided as below but without conversions
    if wanted is None or wanted == "":
        return cells.is_blank(raw)
    if isinstance(raw, str) and kind is not Kind.TEXT:
        return False  # a date or number typed as text is rewritten as a real cell
    try:
        if kind is Kind.TEXT:
            return isinstance(raw, str) and raw == wanted
        if kind is Kind.INT:
            return _number(raw) == Decimal(str(wanted))
        if kind in (Kind.MONEY, Kind.NUMBER):
            return _number(raw) == Decimal(str(wanted))
        if kind is Kind.DATE:
            assert isinstance(wanted, date)
            return _as_datetime(raw) == datetime.combine(wanted, time())
        if kind is Kind.TIME:
            assert isinstance(wanted, time)
            return _as_time(raw) == wanted
        if kind is Kind.DATETIME:
            got = _as_datetime(raw)
            return got is not None and isinstance(wanted, datetime) and (
                got.replace(second=0, microsecond=0) == wanted.replace(second=0, microsecond=0))
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        return False
    return False


def _number(raw: Cell) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    return Decimal(str(raw))


def _as_datetime(raw: Cell) -> datetime | None:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        moment = cells.from_serial(float(raw))
        return moment.replace(microsecond=0) if moment.microsecond < 500000 else moment
    return None


def _as_time(raw: Cell) -> time | None:
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, datetime) and raw.date() <= date(1900, 1, 1):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw < 1:
        minutes = round(float(raw) * 1440)
        return time(minutes // 60 % 24, minutes % 60)
    return None


class TabWriter:
    """Collects the changes for one tab, in the coordinates of the read."""

    def __init__(self, cols: Columns, changes: WorkbookChanges) -> None:
        self.cols = cols
        self.out: TabChanges = changes.tab(cols.table.title)
        # column name -> (1-based position, kind), for the columns the tab has
        self.targets: dict[str, tuple[int, Kind]] = {}
        for column in cols.tab.columns:
            position = cols.position(column.name)
            if position is not None:
                self.targets[column.name] = (position, column.kind)
                if column.kind is not Kind.TEXT:
                    self.out.kinds[position] = column.kind
        # below the last row sheetsync can read: rows that hold nothing but the studio's own
        # columns (a formula filled down in advance) take new records, keeping those cells
        self.next_row = last_used_row(cols) + 1

    def update(self, row: int, values: Mapping[str, Cell]) -> bool:
        """Write the cells of `values` that differ from what row `row` holds; any written?"""
        table = self.cols.table
        held = (table.header if row == 1 else
                table.rows[row - 2] if 2 <= row <= len(table.rows) + 1 else [])
        width = len(held)
        changed = False
        for name, wanted in values.items():
            target = self.targets.get(name)
            if target is None:
                continue
            position, kind = target
            raw = held[position - 1] if position <= width else None
            if not same_cell(kind, raw, wanted):
                self.out.updates[(row, position)] = _blank_as_none(wanted)
                changed = True
        return changed

    def append(self, values: Mapping[str, Cell]) -> int:
        row = self.next_row
        self.next_row += 1
        for name, wanted in values.items():
            position = self.cols.position(name)
            if position is not None and wanted is not None and wanted != "":
                self.out.updates[(row, position)] = wanted
        return row

    def delete(self, row: int) -> None:
        self.out.deletes.add(row)


def _blank_as_none(value: Cell) -> Cell:
    return None if value == "" else value
