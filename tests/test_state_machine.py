"""The whole engine under random studio edits of every kind, on the memory and .xlsx stores.

Edits a studio really makes: statuses and moves, junk typed into any cell, rows deleted,
headers renamed, columns swapped, columns of its own added. Syncs run in between at
advancing times. After every sync:

- it did not crash (a bad workbook is reported, never a traceback);
- the Problems tab says exactly what the sync reported;
- no appointment disappeared except a pending one after now (SPEC section 2, steps 2-3);
- every balance row matches the appointments it counts;
- planning again at the same now finds nothing to do;
- the studio's tabs, and the studio's own columns in sheetsync's tabs, are untouched.
"""

from __future__ import annotations

import os
import random
import string
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sheetsync import cells, engine
from sheetsync.read import read_snapshot
from sheetsync.schema import STUDIO_TABS, TABS_BY_NAME, header_key
from sheetsync.stores.base import Layout, Table
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from tests.junk import junk
from tests.reliability import record
from tests.studio import parse_tables
from tests.studios import EVERY_TAB

START = datetime(2026, 11, 1, 8, 0)
EDITABLE_TABS = [t.name for t in STUDIO_TABS] + ["Appointments"]


class Book:
    """A workbook as the studio edits it: by hand, cell by cell, between syncs."""

    store: Any

    def tables(self) -> dict[str, Table]:
        return self.store.read()

    def set_cell(self, tab: str, row: int, col: int, value: object) -> None:
        raise NotImplementedError

    def delete_row(self, tab: str, row: int) -> None:
        raise NotImplementedError

    def swap_columns(self, tab: str, a: int, b: int) -> None:
        raise NotImplementedError


class MemoryBook(Book):
    def __init__(self, tables: dict[str, Table]) -> None:
        self.store = MemoryStore(tables)

    def _table(self, tab: str) -> Table:
        return self.store.tables[tab]

    def set_cell(self, tab: str, row: int, col: int, value: object) -> None:
        table = self._table(tab)
        target = table.header if row == 1 else table.rows[row - 2]
        target.extend([None] * (col - len(target)))
        target[col - 1] = value

    def delete_row(self, tab: str, row: int) -> None:
        del self._table(tab).rows[row - 2]

    def swap_columns(self, tab: str, a: int, b: int) -> None:
        table = self._table(tab)
        for values in [table.header, *table.rows]:
            values.extend([None] * (max(a, b) - len(values)))
            values[a - 1], values[b - 1] = values[b - 1], values[a - 1]


class XlsxBook(Book):
    def __init__(self, tables: dict[str, Table], folder: Path) -> None:
        self.path = folder / "studio.xlsx"
        self.store = XlsxStore(self.path)
        self.store.lay_out(Layout(tabs=tuple(TABS_BY_NAME.values())))
        wb = openpyxl.load_workbook(self.path)
        for name, table in tables.items():
            ws = wb[name]
            for r, values in enumerate([table.header, *table.rows], start=1):
                for c, value in enumerate(values, start=1):
                    _put(ws.cell(r, c), value)
        wb.save(self.path)

    def _edit(self, tab: str, change: Any) -> None:
        wb = openpyxl.load_workbook(self.path)
        change(wb[tab])
        wb.save(self.path)

    def set_cell(self, tab: str, row: int, col: int, value: object) -> None:
        self._edit(tab, lambda ws: _put(ws.cell(row, col), value))

    def delete_row(self, tab: str, row: int) -> None:
        self._edit(tab, lambda ws: ws.delete_rows(row))

    def swap_columns(self, tab: str, a: int, b: int) -> None:
        def swap(ws: Any) -> None:
            for r in range(1, ws.max_row + 1):
                first, second = ws.cell(r, a), ws.cell(r, b)
                va, vb = first.value, second.value
                _put(first, vb)
                _put(second, va)
        self._edit(tab, swap)


def _put(cell: Any, value: object) -> None:
    if isinstance(value, str):
        value = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a studio typing "=1/0" into a text cell


def base_tables() -> dict[str, Table]:
    given = parse_tables(EVERY_TAB)
    tables = {t.name: Table(t.name, list(t.column_names), []) for t in TABS_BY_NAME.values()}
    tables.update(given)
    return tables


class EngineMachine(RuleBasedStateMachine):
    backend = "memory"

    @initialize(seed=st.integers(0, 2**32 - 1))
    def make(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = START
        if self.backend == "xlsx":
            self.folder = tempfile.TemporaryDirectory()
            self.book: Book = XlsxBook(base_tables(), Path(self.folder.name))
        else:
            self.book = MemoryBook(base_tables())
        self.synced = False
        self.edits = Counter[str]()
        self.do_sync()

    def teardown(self) -> None:
        if hasattr(self, "folder"):
            self.folder.cleanup()
        record(f"state machine ({self.backend})", syncs=getattr(self, "syncs", 0),
               edits=sum(self.edits.values()), crashes=0, data_lost=0)

    # -- syncs -----------------------------------------------------------------------------
    @rule(hours=st.integers(0, 24 * 10))
    def sync_later(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        self.do_sync()

    def do_sync(self) -> None:
        self.before = self.book.tables()
        self.report = engine.sync(self.book.store, self.now, started_at=self.now)
        self.after = self.book.tables()
        self.synced = True
        self.syncs = getattr(self, "syncs", 0) + 1

    # -- edits -----------------------------------------------------------------------------
    def _edited(self, kind: str) -> None:
        self.edits[kind] += 1
        self.synced = False

    def _pick(self, data: st.DataObject, tab: str) -> tuple[Table, int] | None:
        table = self.book.tables().get(tab)
        if table is None or not table.rows:
            return None
        return table, data.draw(st.integers(2, len(table.rows) + 1))

    @rule(data=st.data())
    def type_junk(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from(EDITABLE_TABS))
        picked = self._pick(data, tab)
        if picked:
            table, row = picked
            col = data.draw(st.integers(1, max(1, len(table.header))))
            self.book.set_cell(tab, row, col, junk(self.rng))
            self._edited("junk")

    @rule(data=st.data(), status=st.sampled_from(
        ["cancelled", "paid cancel", "completed", "pending", "Canceled", "no-show"]))
    def change_status(self, data: st.DataObject, status: str) -> None:
        picked = self._pick(data, "Appointments")
        if picked:
            table, row = picked
            self.book.set_cell("Appointments", row, _col(table, "status"), status)
            self._edited("status")

    @rule(data=st.data(), days=st.integers(-3, 9))
    def move_by_hand(self, data: st.DataObject, days: int) -> None:
        picked = self._pick(data, "Appointments")
        if picked:
            table, row = picked
            try:
                day = cells.parse_date(table.cell(row, _col(table, "date")))
            except cells.CellError:
                return
            self.book.set_cell("Appointments", row, _col(table, "date"),
                               (day + timedelta(days=days)).isoformat())
            self._edited("move")

    @rule(data=st.data())
    def delete_a_row(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from(EDITABLE_TABS))
        picked = self._pick(data, tab)
        if picked:
            self.book.delete_row(tab, picked[1])
            self._edited("delete row")

    @rule(data=st.data())
    def swap_two_columns(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from(EDITABLE_TABS))
        table = self.book.tables()[tab]
        width = len(table.header)
        a, b = data.draw(st.integers(1, width)), data.draw(st.integers(1, width))
        if a != b:
            self.book.swap_columns(tab, a, b)
            self._edited("swap columns")

    @rule(data=st.data(), spelling=st.sampled_from(["upper", "spaces", "other"]))
    def rename_a_header(self, data: st.DataObject, spelling: str) -> None:
        tab = data.draw(st.sampled_from(EDITABLE_TABS))
        table = self.book.tables()[tab]
        col = data.draw(st.integers(1, len(table.header)))
        name = cells.text(table.header[col - 1])
        renamed = {"upper": name.upper(), "spaces": name.replace("_", " ").title(),
                   "other": name + "_old"}[spelling]
        self.book.set_cell(tab, 1, col, renamed)
        self._edited("rename header")

    @rule(data=st.data())
    def add_a_column_of_its_own(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from([*EDITABLE_TABS, "Balances"]))
        table = self.book.tables()[tab]
        col = len(table.header) + 1
        self.book.set_cell(tab, 1, col, "studio " + "".join(
            self.rng.choice(string.ascii_lowercase) for _ in range(5)))
        for row in range(2, len(table.rows) + 2):
            self.book.set_cell(tab, row, col, f"note {row}")
        self._edited("add column")

    # -- invariants after every sync ---------------------------------------------------------
    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def problems_tab_says_what_the_sync_reported(self) -> None:
        if self.report.structural:
            assert not self.report.wrote
            assert _studio_view(self.after) == _studio_view(self.before)
            return
        problems = self.after.get(_title(self.after, "Problems"))
        assert problems is not None
        shown = [cells.text(_value(problems, r, "problem")) for r in range(2, problems.last_row + 1)]
        assert shown == [p.problem for p in self.report.problems]

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def appointments_disappear_only_as_spec_allows(self) -> None:
        before, after = _appointments(self.before), _appointments(self.after)
        for appointment_id in set(before) - set(after):
            status, starts = before[appointment_id]
            assert status == "pending" and starts is not None and starts > self.now, \
                (appointment_id, status, starts)

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def balances_match_their_appointments(self) -> None:
        if self.report.structural:
            return
        snap = read_snapshot(self.after)
        counted = Counter((a.enrollment_id, a.period, a.status) for a in snap.appointments)
        balances = self.after[_title(self.after, "Balances")]
        for r in range(2, balances.last_row + 1):
            enrollment_id = cells.text(_value(balances, r, "enrollment_id"))
            if enrollment_id in snap.held or enrollment_id not in snap.enrollments:
                continue
            period = _value(balances, r, "period")
            for status in ("completed", "paid_cancel", "cancelled", "pending"):
                assert _value(balances, r, status) == counted[(enrollment_id, period, status)]
            assert _value(balances, r, "used") + _value(balances, r, "remaining") == \
                _value(balances, r, "sessions")

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def planning_again_finds_nothing_to_do(self) -> None:
        if self.report.structural:
            return
        again = engine.sync(self.book.store, self.now, started_at=self.now, dry_run=True)
        assert again.plan.empty
        written = {t for t, c in again.changes.tabs.items() if c}
        assert written <= {"Runs"}, written

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def the_studios_cells_are_untouched(self) -> None:
        assert _studio_view(self.after) == _studio_view(self.before)
        kept = _ids(self.after) & _ids(self.before)
        assert {k: v for k, v in _own_columns(self.after).items() if k[1] in kept} == {
            k: v for k, v in _own_columns(self.before).items() if k[1] in kept}


def _title(tables: dict[str, Table], name: str) -> str:
    return next(t for t in tables if header_key(t) == header_key(name))


def _col(table: Table, name: str) -> int:
    keys = [header_key(h) for h in table.header]
    return keys.index(header_key(name)) + 1 if header_key(name) in keys else 1


def _value(table: Table, row: int, name: str) -> Any:
    return table.cell(row, _col(table, name))


def _appointments(tables: dict[str, Table]) -> dict[str, tuple[str, datetime | None]]:
    table = tables[_title(tables, "Appointments")]
    found: dict[str, tuple[str, datetime | None]] = {}
    for r in range(2, table.last_row + 1):
        appointment_id = cells.text(_value(table, r, "appointment_id"))
        if not appointment_id:
            continue
        try:
            status = cells.parse_status(_value(table, r, "status"))
            starts = datetime.combine(cells.parse_date(_value(table, r, "date")),
                                      cells.parse_time(_value(table, r, "start")))
        except cells.CellError:
            status, starts = "unreadable", None
        found[appointment_id] = (status, starts)
    return found


def _studio_view(tables: dict[str, Table]) -> dict[str, list[list[Any]]]:
    """The studio's own tabs exactly as they are (sheetsync never writes them)."""
    view = {}
    for title, table in tables.items():
        if any(header_key(title) == header_key(t.name) for t in STUDIO_TABS):
            view[title] = [list(table.header), *[list(r) for r in table.rows]]
    return view


def _ids(tables: dict[str, Table]) -> set[str]:
    return set(_appointments(tables))


def _own_columns(tables: dict[str, Table]) -> dict[tuple[str, str, str], Any]:
    """Cells of columns the studio added to Appointments, by appointment id."""
    table = tables[_title(tables, "Appointments")]
    known = {header_key(c) for c in TABS_BY_NAME["Appointments"].column_names}
    extra = [i + 1 for i, h in enumerate(table.header)
             if h is not None and header_key(h) not in known]
    found = {}
    for r in range(2, table.last_row + 1):
        appointment_id = cells.text(_value(table, r, "appointment_id"))
        for col in extra:
            found[(cells.text(table.header[col - 1]), appointment_id, str(r))] = table.cell(r, col)
    return {(k[0], k[1], ""): v for k, v in found.items() if k[1]}


class XlsxEngineMachine(EngineMachine):
    backend = "xlsx"


TestEngineOnMemory = EngineMachine.TestCase
TestEngineOnXlsx = pytest.mark.slow(XlsxEngineMachine.TestCase)
# Every step rewrites a real file: fewer examples than on memory (more with the long profile).
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
TestEngineOnXlsx.settings = settings(max_examples=300 if LONG else 12,
                                     stateful_step_count=20 if LONG else 10, deadline=None)
