"""The scenario suite's backends: every scenario runs on memory, on an .xlsx file and on Google.

A scenario test takes the `studio` fixture and builds its studio with `studio(PHYSIO)`; the
fixture is parametrized over the backends (`backend`), so the same test runs once on each:

- memory: the MemoryStore of tests/studio.py itself;
- xlsx: a `Twin` of that memory store and an .xlsx file holding the same cells, typed in with
  openpyxl as a studio would;
- google: a `Twin` of the memory store and a Google Sheet on the local Sheets API, typed in
  through gspread as the studio's own client (RAW, like typing text); in the slow lane
  (`-m slow`), as it takes as long as the other two together.

A twin gives every edit and every sync's write to both; every read checks that the workbook
holds exactly what memory holds (dates and times as serial numbers), so the same input gives
the same appointments, balances and problems on every backend. The scenario inspects the
memory side with the helpers of tests/studio.py.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import gspread
import openpyxl
import pytest

from localsheets import LocalSheets
from sheetsync.cells import to_serial
from sheetsync.schema import header_key
from sheetsync.stores.base import Cell, Layout, Store, Table, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_wire import a1, to_json
from sheetsync.stores.layout import plain_value
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import studio as memory_studio

# The scenarios on Google take the slow lane; tests/test_scenario_backends.py keeps a month of
# syncs on Google in the fast one.
BACKENDS = ("memory", "xlsx", pytest.param("google", marks=pytest.mark.slow))
Typist = Callable[[str, dict[tuple[int, int], Cell]], None]


def normal(value: Cell) -> Cell:
    """A cell as every store can hold it: dates and times as serial numbers, "" as None."""
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


def assert_same(memory: dict[str, Table], other: dict[str, Table]) -> None:
    assert list(other) == list(memory)
    for title, table in memory.items():
        assert rows_of(other[title]) == rows_of(table), title


class Twin:
    """A MemoryStore and a real workbook given the same edits and writes."""

    def __init__(self, memory: MemoryStore, other: Store, typist: Typist) -> None:
        self.memory, self.other, self.typist = memory, other, typist
        self.label = f"memory + {other.label}"

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
        assert_same(mine, self.other.read())
        return mine

    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        return self.memory.requests_for(changes)  # the counts it reports are the memory's

    def write(self, changes: WorkbookChanges) -> None:
        self.memory.write(changes)
        self.other.write(changes)

    def check_writable(self) -> None:
        self.other.check_writable()

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return self.other.lock()

    def claim(self) -> None:
        self.other.claim()

    def lay_out(self, layout: Layout) -> list[str]:
        added = self.memory.lay_out(layout)
        assert self.other.lay_out(layout) == added
        return added

    def set(self, title: str, row: int, column: str, value: Cell) -> None:
        self.memory.set(title, row, column, value)
        self.typist(title, {(row, self._position(title, column)): value})

    def append(self, title: str, values: dict[str, Cell]) -> int:
        row = self.memory.append(title, values)
        self.typist(title, {(row, self._position(title, k)): v for k, v in values.items()
                            if v is not None})
        return row

    def _position(self, title: str, column: str) -> int:
        keys = [header_key(h) for h in self.memory.tables[title].header]
        return keys.index(header_key(column)) + 1


def _grid(table: Table) -> list[list[Cell]]:
    return [table.header, *table.rows]


def google_twin(memory: MemoryStore, server: LocalSheets, account: ServiceAccount,
                client: gspread.Client) -> Twin:
    """`memory`'s cells typed into a new Google Sheet by the studio's gspread client."""
    tables = memory.tables
    specs = [{"title": title, "gridProperties": {
        "rowCount": max(1000, len(t.rows) + 1),
        "columnCount": max(26, len(t.header), *(len(r) for r in t.rows))}}
        for title, t in tables.items()]
    spreadsheet = server.create_spreadsheet("Studio", specs)
    book = client.open_by_key(spreadsheet)
    data = [{"range": a1(title, 1, 1, len(t.rows) + 1, max(1, len(t.header))),
             "values": [[to_json(v) for v in row] for row in _grid(t)]}
            for title, t in tables.items() if t.header or t.rows]
    if data:
        book.values_batch_update({"valueInputOption": "RAW", "data": data})

    def type_into_the_sheet(title: str, cells: dict[tuple[int, int], Cell]) -> None:
        book.values_batch_update({"valueInputOption": "RAW", "data": [
            {"range": a1(title, r, c, r, c), "values": [[to_json(v)]]}
            for (r, c), v in cells.items()]})

    google = GoogleStore(spreadsheet, account, endpoint=server.base_url)
    return Twin(memory, google, type_into_the_sheet)


def _type_cell(ws: Any, row: int, column: int, value: Cell) -> None:
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # typed text, never a formula


def xlsx_twin(memory: MemoryStore, path: Path) -> Twin:
    """`memory`'s cells typed into a new .xlsx file with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, table in memory.tables.items():
        ws = wb.create_sheet(title)
        for r, values in enumerate(_grid(table), start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    _type_cell(ws, r, c, value)
    wb.save(path)

    def type_into_the_file(title: str, cells: dict[tuple[int, int], Cell]) -> None:
        book = openpyxl.load_workbook(path)
        for (r, c), value in cells.items():
            _type_cell(book[title], r, c, value)
        book.save(path)

    return Twin(memory, XlsxStore(path), type_into_the_file)


StudioBuilder = Callable[..., Any]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend a scenario runs on: memory, xlsx or google."""
    return str(request.param)


@pytest.fixture
def studio(backend: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> StudioBuilder:
    """`studio(source, missing=...)` on the backend of this run of the test."""
    if backend == "memory":
        return memory_studio
    if backend == "xlsx":
        folder = tmp_path_factory.mktemp("studio")
        made = itertools.count()

        def on_xlsx(source: str = "", *, missing: tuple[str, ...] = ()) -> Twin:
            path = folder / f"studio{next(made)}.xlsx"
            return xlsx_twin(memory_studio(source, missing=missing), path)

        return on_xlsx
    server = request.getfixturevalue("server")
    account = request.getfixturevalue("account")
    client = request.getfixturevalue("studio_client")

    def on_google(source: str = "", *, missing: tuple[str, ...] = ()) -> Twin:
        return google_twin(memory_studio(source, missing=missing), server, account, client)

    return on_google
