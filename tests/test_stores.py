"""One suite, every backend: what any store must do (read, write, lay out) the same way.

A backend joins by subclassing `StoreContract` and giving `make_store`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from localsheets import LocalSheets
from sheetsync.schema import ALL_TABS, APPOINTMENTS, CLIENTS, Kind
from sheetsync.sheet import same_cell
from sheetsync.stores.base import Layout, Store, TabChanges, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount, service_account
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore

TRICKY_TEXT = [
    '=HYPERLINK("http://x","y")', "+90 532 000 0001", "-5", "@home", "#N/A", "0012",
    "1e5", "TRUE", "2026-12-01", "Ayşe Çelik", "multi\nline", "  spaced  ",
]


class StoreContract:
    def make_store(self, tmp_path: Path) -> Store:
        raise NotImplementedError

    @pytest.fixture
    def store(self, tmp_path: Path) -> Store:
        store = self.make_store(tmp_path)
        store.lay_out(Layout(tabs=ALL_TABS))
        return store

    def test_lay_out_creates_every_tab_with_its_headers(self, store: Store):
        tables = store.read()
        for tab in ALL_TABS:
            assert [str(h) for h in tables[tab.name].header] == list(tab.column_names)
            assert tables[tab.name].rows == []

    def test_lay_out_again_changes_nothing(self, store: Store):
        assert store.lay_out(Layout(tabs=ALL_TABS)) == []

    def test_lay_out_adds_missing_columns_after_the_data_without_moving_it(self, store: Store):
        store.write(WorkbookChanges({"Clients": TabChanges(updates={
            (2, 1): "C1", (2, 2): "Ayse", (1, 7): "studio notes", (2, 7): "likes mornings"})}))
        # A tab from an older version without the phone column: drop it from the header.
        store.write(WorkbookChanges({"Clients": TabChanges(updates={(1, 4): None})}))
        added = store.lay_out(Layout(tabs=(CLIENTS,)))
        assert added == ["added column(s) phone to Clients"]
        table = store.read()["Clients"]
        assert [str(h) if h else None for h in table.header] == [
            "client_id", "name", "email", None, "status", None, "studio notes", "phone"]
        assert table.rows[0][:7] == ["C1", "Ayse", None, None, None, None, "likes mornings"]

    def test_lay_out_fills_records_under_the_right_headers(self, store: Store):
        store.lay_out(Layout(tabs=(CLIENTS,), rows={"Clients": [
            {"name": "Ayse", "client_id": "C1", "status": "active"},
            {"client_id": "C2", "name": "Mehmet"}]}))
        rows = store.read()["Clients"].rows
        assert [r[:5] for r in rows] == [["C1", "Ayse", None, None, "active"],
                                          ["C2", "Mehmet", None, None, None]]

    def test_text_is_written_and_read_back_as_the_same_text(self, store: Store):
        updates = {(i + 2, 15): value for i, value in enumerate(TRICKY_TEXT)}
        store.write(WorkbookChanges({"Appointments": TabChanges(updates=updates)}))
        read = [r[14] for r in store.read()["Appointments"].rows]
        assert read == TRICKY_TEXT

    def test_typed_cells_round_trip(self, store: Store):
        values = {9: date(2026, 12, 1), 10: time(14, 0), 11: time(15, 30), 13: Decimal("133.33"),
                  3: 2, 14: Decimal("1000")}
        kinds = {c: APPOINTMENTS.columns[c - 1].kind for c in values}
        store.write(WorkbookChanges({"Appointments": TabChanges(
            updates={(2, c): v for c, v in values.items()}, kinds=kinds)}))
        row = store.read()["Appointments"].rows[0]
        for col, wanted in values.items():
            assert same_cell(kinds[col], row[col - 1], wanted), (col, row[col - 1], wanted)

    def test_datetimes_round_trip(self, store: Store):
        moment = datetime(2026, 3, 29, 14, 30)
        store.write(WorkbookChanges({"Runs": TabChanges(updates={(2, 1): moment, (2, 3): "sync"},
                                                        kinds={1: Kind.DATETIME})}))
        assert same_cell(Kind.DATETIME, store.read()["Runs"].rows[0][0], moment)

    def test_updates_then_deletions_in_read_coordinates(self, store: Store):
        rows = {(r, 1): f"row{r}" for r in range(2, 8)}
        store.write(WorkbookChanges({"Problems": TabChanges(updates=rows)}))
        # Update row 5, add row 8, delete rows 3, 4 and 6: all numbered as read.
        store.write(WorkbookChanges({"Problems": TabChanges(
            updates={(5, 2): 42, (8, 1): "row8"}, deletes={3, 4, 6})}))
        table = store.read()["Problems"]
        assert [r[0] for r in table.rows] == ["row2", "row5", "row7", "row8"]
        assert table.rows[1][1] == 42

    def test_empty_rows_in_the_middle_keep_their_place(self, store: Store):
        store.write(WorkbookChanges({"Clients": TabChanges(updates={
            (2, 1): "C1", (2, 2): "A", (4, 1): "C3", (4, 2): "C"})}))
        rows = store.read()["Clients"].rows
        assert len(rows) == 3
        assert rows[0][0] == "C1" and rows[2][0] == "C3"
        assert all(v in (None, "") for v in rows[1])

    def test_trailing_rows_emptied_are_not_rows(self, store: Store):
        store.write(WorkbookChanges({"Problems": TabChanges(updates={(2, 1): "a", (3, 1): "b"})}))
        store.write(WorkbookChanges({"Problems": TabChanges(updates={(3, 1): None})}))
        assert len(store.read()["Problems"].rows) == 1


class TestMemoryStore(StoreContract):
    def make_store(self, tmp_path: Path) -> Store:
        return MemoryStore()


class TestXlsxStore(StoreContract):
    """calamine reads, patched writes."""

    def make_store(self, tmp_path: Path) -> Store:
        return XlsxStore(tmp_path / "studio.xlsx")


@pytest.fixture(scope="module")
def sheets_server() -> Iterator[LocalSheets]:
    with LocalSheets(quota_per_minute=None) as server:
        yield server


@pytest.fixture(scope="module")
def sheets_account(sheets_server: LocalSheets) -> ServiceAccount:
    return service_account(sheets_server.service_account_info())


@pytest.mark.slow
class TestGoogleStore(StoreContract):
    """The same contract over HTTP: google-auth's service-account flow, gspread, localsheets."""

    @pytest.fixture(autouse=True)
    def _server(self, sheets_server: LocalSheets, sheets_account: ServiceAccount) -> None:
        self.server, self.account = sheets_server, sheets_account

    def make_store(self, tmp_path: Path) -> Store:
        spreadsheet = self.server.create_spreadsheet("Studio")
        return GoogleStore(spreadsheet, self.account, endpoint=self.server.base_url)


class TestXlsxStoreOpenpyxl(StoreContract):
    """The fallback for workbooks the fast paths do not recognise: openpyxl both ways."""

    def make_store(self, tmp_path: Path) -> Store:
        return XlsxStore(tmp_path / "studio.xlsx", fast=False, rewrite=True)
