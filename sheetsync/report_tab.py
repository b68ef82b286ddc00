"""A month's rows into the Commissions tab, replacing only that month.

Pure but for `publish`: the tab as read + the month's rows -> WorkbookChanges in
read coordinates (`month_changes`), which the caller hands to the store.

Invariants:
- rows of other months, and rows whose month cannot be read, are kept with
  every cell (a column the studio added included), and never lost;
- the month's rows form one block, ordered by staff name, where the month's old
  rows stood (or, for a month not in the tab yet, before the first later
  month, else at the end), so a tab written month by month stays in order;
- a staff member's row keeps the studio's own cells of that month's old row;
- only cells that differ are written: a re-run with the same data writes
  nothing. Rows below a block that grows or shrinks move down or up with all
  their cells (as values: a formula in a studio column of a row that moves
  keeps only its value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import cells
from .errors import UserError
from .i18n import DEFAULT, translations
from .month import Month, month_of
from .report import CommissionReport
from .schema import COMMISSIONS
from .sheet import Columns, TabWriter, locate
from .stores.base import Cell, Store, Table, WorkbookChanges

Placement = tuple[int | None, Mapping[str, Cell] | None]  # (old row offset, new record)


def commission_changes(cols: Columns, month: Month, rows: Sequence[Mapping[str, Cell]],
                       changes: WorkbookChanges | None = None) -> WorkbookChanges:
    """Make the tab hold `rows` as `month`'s rows and keep everything else."""
    changes = changes if changes is not None else WorkbookChanges()
    table = cols.table
    month_at, staff_at = cols.index["month"], cols.index["staff_id"]
    kept: list[int] = []  # offsets of the rows that stay, in order
    old_rows: dict[str, int] = {}  # staff_id -> offset of the month's first old row for them
    block_at: int | None = None
    for offset, values in enumerate(table.rows):
        if month_of(_at(values, month_at)) == month:
            old_rows.setdefault(cells.text(_at(values, staff_at)), offset)
            block_at = len(kept) if block_at is None else block_at
        else:
            kept.append(offset)
    if block_at is None:
        later = (i for i, offset in enumerate(kept)
                 if (found := month_of(_at(table.rows[offset], month_at))) and found > month)
        block_at = next(later, len(kept))
    block: list[Placement] = [(old_rows.get(cells.text(r["staff_id"])), r) for r in rows]
    placements: list[Placement] = [(offset, None) for offset in kept]
    placements[block_at:block_at] = block
    _write(cols, placements, changes)
    return changes


def _write(cols: Columns, placements: list[Placement], changes: WorkbookChanges) -> None:
    writer = TabWriter(cols, changes)
    table = cols.table
    ours = set(cols.index.values())
    width = max([len(table.header), *(len(r) for r in table.rows)])
    for position, (source, record) in enumerate(placements):
        row = position + 2
        if record is not None:
            writer.update(row, record)
        origin = table.rows[source] if source is not None else []
        for i in range(width):
            if record is not None and i in ours:
                continue
            wanted = _at(origin, i)
            if not _same_raw(table.cell(row, i + 1), wanted):
                writer.out.updates[(row, i + 1)] = wanted
    for row in range(len(placements) + 2, table.last_row + 1):
        writer.delete(row)


def _at(values: Sequence[Cell], i: int) -> Cell:
    return values[i] if i < len(values) else None


def _same_raw(have: Cell, wanted: Cell) -> bool:
    """A cell moved as it is: same value and same type (1 is not True, 2 is not '2')."""
    if cells.is_blank(have) and cells.is_blank(wanted):
        return True
    return type(have) is type(wanted) and have == wanted


def month_changes(tables: dict[str, Table], report: CommissionReport,
                  locale: str = DEFAULT) -> WorkbookChanges:
    """The changes that make the Commissions tab hold the report's month; nothing is written.

    Empty when the tab already says the same. The error when it cannot is in `locale`.
    """
    cols = locate(tables, COMMISSIONS)[0]
    if cols is None or not {"month", "staff_id"} <= cols.index.keys():
        raise UserError(translations(locale).gettext(
            "The Commissions tab or its month and staff_id columns are missing; run 'sheetsync "
            "init' on this workbook to add them."))
    return commission_changes(cols, report.month, report.tab_rows())


def publish(store: Store, tables: dict[str, Table], report: CommissionReport) -> WorkbookChanges:
    """Write the report's month into the Commissions tab through `store`; what was written.

    Nothing is written when the tab already says the same (`store.write` is not called).
    The command line writes through usecases.commissions, under the store's lock.
    """
    changes = month_changes(tables, report)
    if changes:
        store.write(changes)
    return changes
