"""Every sync scenario of the core, run on a Google Sheet and on memory side by side.

The scenario tests of test_sync_rules.py and test_problems.py build their studio
with `studio(...)`; here that builds a `Twin`: the memory store they expect plus a
Google Sheet on the local server holding the same cells, typed in through gspread
as a studio would. Every sync writes the same changes to both, and every read
checks that the sheet holds exactly what memory holds (dates as serial numbers),
so same input gives the same appointments, balances and problems on both.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time
from typing import Any

import gspread
import pytest

from localsheets import LocalSheets
from sheetsync.cells import to_serial
from sheetsync.schema import header_key
from sheetsync.stores.base import Cell, Layout, Table, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_wire import a1, to_json
from sheetsync.stores.layout import plain_value
from sheetsync.stores.memory import MemoryStore
from tests import studio as studio_helpers
from tests import test_problems, test_sync_rules
from tests.studios import PHYSIO


def normal(value: Cell) -> Cell:
    """A cell as both stores can hold it: dates and times as serial numbers, "" as None."""
    value = plain_value(value)
    if isinstance(value, datetime | date | time):
        value = to_serial(value)
    if isinstance(value, float):
        return round(value, 9)
    return None if value == "" else value


def rows_of(table: Table) -> list[list[Cell]]:
    rows = [[normal(v) for v in row] for row in [table.header, *table.rows]]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def assert_same(memory: dict[str, Table], google: dict[str, Table]) -> None:
    assert list(google) == list(memory)
    for title, table in memory.items():
        assert rows_of(google[title]) == rows_of(table), title


class Twin:
    """A MemoryStore and a GoogleStore given the same edits and writes."""

    label = "memory + Google Sheet"

    def __init__(self, memory: MemoryStore, google: GoogleStore, book: gspread.Spreadsheet):
        self.memory, self.google, self.book = memory, google, book

    @property
    def tables(self) -> dict[str, Table]:
        return self.memory.tables

    @property
    def reads(self) -> int:
        return self.memory.reads

    @property
    def writes(self) -> int:
        return self.memory.writes

    def read(self) -> dict[str, Table]:
        mine = self.memory.read()
        assert_same(mine, self.google.read())
        return mine

    def write(self, changes: WorkbookChanges) -> None:
        self.memory.write(changes)
        self.google.write(changes)

    def check_writable(self) -> None:
        self.google.check_writable()

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return self.google.lock()

    def claim(self) -> None:
        self.google.claim()

    def lay_out(self, layout: Layout) -> list[str]:
        added = self.memory.lay_out(layout)
        assert self.google.lay_out(layout) == added
        return added

    def set(self, title: str, row: int, column: str, value: Cell) -> None:
        self.memory.set(title, row, column, value)
        self._type(title, {(row, self._position(title, column)): value})

    def append(self, title: str, values: dict[str, Cell]) -> int:
        row = self.memory.append(title, values)
        self._type(title, {(row, self._position(title, k)): v for k, v in values.items()
                           if v is not None})
        return row

    def _position(self, title: str, column: str) -> int:
        keys = [header_key(h) for h in self.memory.tables[title].header]
        return keys.index(header_key(column)) + 1

    def _type(self, title: str, cells: dict[tuple[int, int], Cell]) -> None:
        """What the studio types, through gspread as its own client (RAW, like typing text)."""
        self.book.values_batch_update({"valueInputOption": "RAW", "data": [
            {"range": a1(title, r, c, r, c), "values": [[to_json(v)]]}
            for (r, c), v in cells.items()]})


def twin_of(memory: MemoryStore, server: LocalSheets, account: ServiceAccount,
            client: gspread.Client) -> Twin:
    tables = memory.tables
    specs = [{"title": title, "gridProperties": {
        "rowCount": max(1000, len(t.rows) + 1),
        "columnCount": max(26, len(t.header), *(len(r) for r in t.rows))}}
        for title, t in tables.items()]
    spreadsheet = server.create_spreadsheet("Studio", specs)
    book = client.open_by_key(spreadsheet)
    data = [{"range": a1(title, 1, 1, len(t.rows) + 1, max(1, len(t.header))),
             "values": [[to_json(v) for v in row] for row in [t.header, *t.rows]]}
            for title, t in tables.items() if t.header or t.rows]
    if data:
        book.values_batch_update({"valueInputOption": "RAW", "data": data})
    google = GoogleStore(spreadsheet, account, endpoint=server.base_url)
    return Twin(memory, google, book)


@pytest.fixture(autouse=True)
def scenarios_on_google(monkeypatch: pytest.MonkeyPatch, server: LocalSheets,
                        account: ServiceAccount, studio_client: gspread.Client) -> None:
    def twin_studio(source: str = "", *, missing: tuple[str, ...] = ()) -> Any:
        return twin_of(studio_helpers.studio(source, missing=missing), server, account,
                       studio_client)

    monkeypatch.setattr(test_sync_rules, "studio", twin_studio)
    monkeypatch.setattr(test_problems, "studio", twin_studio)


def _scenarios() -> dict[str, Any]:
    found = {}
    for module in (test_sync_rules, test_problems):
        for name, func in vars(module).items():
            if name.startswith("test_") and callable(func):
                found[name] = func
    return found


globals().update(_scenarios())


def test_the_twin_notices_a_difference(server: LocalSheets, account: ServiceAccount,
                                       studio_client: gspread.Client) -> None:
    twin = twin_of(studio_helpers.studio(PHYSIO), server, account,
                   studio_client)
    twin.read()
    twin.memory.set("Clients", 2, "name", "Someone else")
    with pytest.raises(AssertionError):
        twin.read()


def test_same_cells_after_a_month_of_syncs(server: LocalSheets, account: ServiceAccount,
                                           studio_client: gspread.Client) -> None:
    twin = twin_of(studio_helpers.studio(PHYSIO), server, account,
                   studio_client)
    for day in ("2026-11-29T12:00", "2026-12-05T09:00", "2026-12-20T09:00", "2027-01-05T09:00"):
        studio_helpers.sync(twin, datetime.fromisoformat(day))  # type: ignore[arg-type]
        twin.read()
    sheet = twin.google.read()["Appointments"]
    assert len(sheet.rows) == len(twin.memory.read()["Appointments"].rows) > 10
