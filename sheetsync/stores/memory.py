"""An in-memory workbook: the reference backend for tests of the core and the shared store suite.

It holds plain Python values, like a spreadsheet: Decimals become numbers, text
stays text. Reads hand out copies, so a caller can never change it by accident.
"""

from __future__ import annotations

import contextlib

from ..schema import find_tab, header_key
from .base import Cell, Layout, TabChanges, Table, WorkbookChanges
from .layout import NewColumns, NewTab, describe, layout_steps, plain_value


class MemoryStore:
    label = "memory"

    def __init__(self, tables: dict[str, Table] | None = None) -> None:
        self.tables: dict[str, Table] = tables or {}
        self.reads = 0
        self.writes = 0

    def read(self) -> dict[str, Table]:
        self.reads += 1
        return {title: _padded(_trimmed(_copied(t))) for title, t in self.tables.items()}

    def check_writable(self) -> None:
        return None

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def claim(self) -> None:
        return None

    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        return 0, 1  # one write, nothing read

    def write(self, changes: WorkbookChanges) -> None:
        for title in changes.tabs:
            if title not in self.tables:
                raise KeyError(f"no tab {title}")
        self.writes += 1
        for title, tab_changes in changes.tabs.items():
            apply_to_table(self.tables[title], tab_changes)

    def lay_out(self, layout: Layout) -> list[str]:
        steps = layout_steps(self.read(), layout.tabs)
        for step in steps:
            if isinstance(step, NewTab):
                self.tables[step.tab.name] = Table(step.tab.name, list(step.tab.column_names), [])
            elif isinstance(step, NewColumns):
                header = self.tables[step.title].header
                header.extend([None] * (step.first - 1 - len(header)))
                header.extend(c.name for c in step.columns)
        for tab in layout.tabs:
            title = find_tab(list(self.tables), tab)
            for record in layout.rows.get(tab.name, []):
                assert title is not None
                self.append(title, record)
        return [describe(s, layout.locale) for s in steps]

    # Helpers for tests: edit the workbook the way a studio would.
    def set(self, title: str, row: int, column: str, value: Cell) -> None:
        table = self.tables[title]
        col = [header_key(h) for h in table.header].index(header_key(column)) + 1
        apply_to_table(table, TabChanges(updates={(row, col): value}))

    def append(self, title: str, values: dict[str, Cell]) -> int:
        table = _trimmed(self.tables[title])
        row = table.last_row + 1
        positions = {header_key(h): i + 1 for i, h in enumerate(table.header) if h is not None}
        updates = {(row, positions[header_key(k)]): v for k, v in values.items() if v is not None}
        apply_to_table(table, TabChanges(updates=updates))
        return row


def apply_to_table(table: Table, changes: TabChanges) -> None:
    """Rows inserted, then updates, then deletions bottom-up: the semantics every store
    shares (base.py)."""
    for row, count in sorted(changes.inserts.items(), reverse=True):
        if count > 0 and row >= 2:
            while len(table.rows) < row - 2:
                table.rows.append([])
            table.rows[row - 2:row - 2] = [[] for _ in range(count)]
    for (row, col), value in changes.updates.items():
        if row == 1:
            target = table.header
        else:
            while len(table.rows) < row - 1:
                table.rows.append([])
            target = table.rows[row - 2]
        if len(target) < col:
            target.extend([None] * (col - len(target)))
        target[col - 1] = plain_value(value)
    for row in sorted(changes.deletes, reverse=True):
        if 2 <= row <= len(table.rows) + 1:
            del table.rows[row - 2]
    _trimmed(table)


def _copied(table: Table) -> Table:
    """A copy no caller can change the store through. Cell values are immutable (text,
    numbers, dates, times), so copying the lists is enough: 20 times faster than deepcopy."""
    return Table(table.title, list(table.header), [list(r) for r in table.rows])


def _padded(table: Table) -> Table:
    """Every row as wide as the widest, the way spreadsheets hand rows out."""
    width = max([len(table.header)] + [len(r) for r in table.rows])
    for values in [table.header, *table.rows]:
        values.extend([None] * (width - len(values)))
    return table


def _trimmed(table: Table) -> Table:
    while table.rows and all(v is None or v == "" for v in table.rows[-1]):
        table.rows.pop()
    return table
