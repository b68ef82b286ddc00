"""A studio editing the sheet while a sync runs: its edits are kept, shifted rows stop the write.

The studio's edit lands between the sync's read and its write: it is made from the
progress callback the engine calls right before writing, through gspread as the
studio's own client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import gspread
import pytest

from localsheets import LocalSheets
from localsheets.model import new_spreadsheet_id
from sheetsync import engine
from sheetsync.errors import WorkbookBusy
from sheetsync.schema import ALL_TABS
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from tests.google_studio import records
from tests.studios import TWO_CLIENTS

FIRST = datetime(2026, 11, 29, 12, 0)
LATER = datetime(2026, 12, 4, 12, 0)  # E1's first two sessions and E2's first are over


@pytest.fixture(scope="module")
def synced(server: LocalSheets, account: ServiceAccount) -> str:
    spreadsheet = server.create_spreadsheet("Studio")
    store = GoogleStore(spreadsheet, account, endpoint=server.base_url)
    store.lay_out(Layout(ALL_TABS, records(TWO_CLIENTS)))
    engine.sync(store, FIRST, started_at=FIRST)
    return spreadsheet


@pytest.fixture
def sheet(server: LocalSheets, synced: str) -> str:
    """A copy of the studio as synced at FIRST."""
    with server.service.lock:
        book = server.service.book(synced).clone()
        book.spreadsheet_id = new_spreadsheet_id()
        server.service.commit(book)
    return book.spreadsheet_id


def sync(server: LocalSheets, account: ServiceAccount, sheet: str, now: datetime = LATER,
         meanwhile: Callable[[], None] | None = None) -> tuple[GoogleStore, engine.SyncReport]:
    store = GoogleStore(sheet, account, endpoint=server.base_url)

    def progress(message: str) -> None:
        if message.startswith("Saving") and meanwhile is not None:
            meanwhile()

    return store, engine.sync(store, now, started_at=now, progress=progress)


def appointments(server: LocalSheets, sheet: str) -> dict[str, dict[str, Any]]:
    rows = server.values(sheet, "Appointments", "UNFORMATTED_VALUE")
    header = rows[0]
    return {r[0]: dict(zip(header, r + [""] * (len(header) - len(r)), strict=True))
            for r in rows[1:] if r}


def row_of(server: LocalSheets, sheet: str, appointment_id: str) -> int:
    rows = server.values(sheet, "Appointments")
    return next(i + 1 for i, r in enumerate(rows) if r and r[0] == appointment_id)


def type_status(client: gspread.Client, server: LocalSheets, sheet: str, appointment_id: str,
                status: str) -> Callable[[], None]:
    def edit() -> None:
        row = row_of(server, sheet, appointment_id)
        client.open_by_key(sheet).worksheet("Appointments").update_cell(row, 12, status)
    return edit


def test_a_status_typed_during_the_sync_is_kept(server, account, studio_client, sheet):
    """The sync would complete E1-1-01; the studio marks it cancelled meanwhile."""
    store, report = sync(server, account, sheet,
                         meanwhile=type_status(studio_client, server, sheet, "E1-1-01",
                                               "cancelled"))
    assert "E1-1-01" in {c.after.appointment_id for c in report.plan.completed}
    assert store.rows_left_alone == 1
    after = appointments(server, sheet)
    assert after["E1-1-01"]["status"] == "cancelled"
    assert after["E1-1-02"]["status"] == "completed"  # the rest was written
    # The next sync takes the cancel into account: a make-up is planned.
    _, again = sync(server, account, sheet)
    assert [a.appointment_id for a in again.plan.added] == ["E1-1-11"]
    assert appointments(server, sheet)["E1-1-01"]["status"] == "cancelled"


def test_an_appointment_moved_during_the_sync_is_not_deleted(server, account, studio_client,
                                                            sheet):
    """The client is closed, so E2's future sessions go; the studio moves one meanwhile."""
    ws = studio_client.open_by_key(sheet).worksheet("Clients")
    ws.update_cell(3, 5, "closed")  # C2's status

    def move() -> None:
        row = row_of(server, sheet, "E2-1-05")
        studio_client.open_by_key(sheet).worksheet("Appointments").update_cell(row, 9, 46400)

    store, report = sync(server, account, sheet, meanwhile=move)
    assert "E2-1-05" in {a.appointment_id for a in report.plan.deleted}
    after = appointments(server, sheet)
    assert after["E2-1-05"]["date"] == 46400
    assert "E2-1-06" not in after
    assert store.rows_left_alone == 1


def test_an_edit_to_a_cell_sheetsync_does_not_own_does_not_hold_the_row(
        server, account, studio_client, sheet):
    def note() -> None:
        row = row_of(server, sheet, "E1-1-01")
        studio_client.open_by_key(sheet).worksheet("Appointments").update_cell(row, 15, "late")

    store, _ = sync(server, account, sheet, meanwhile=note)
    assert store.rows_left_alone == 0
    after = appointments(server, sheet)
    assert (after["E1-1-01"]["status"], after["E1-1-01"]["note"]) == ("completed", "late")


@pytest.mark.parametrize("change", ["insert a row", "delete a row", "type below the last row"])
def test_rows_that_moved_during_the_sync_stop_the_write(server, account, studio_client, sheet,
                                                       change):
    ws = studio_client.open_by_key(sheet).worksheet("Appointments")

    seen: list[list[list[object]]] = []

    def meanwhile() -> None:
        if change == "insert a row":
            ws.insert_row(["X-1", "E9"], index=3)
        elif change == "delete a row":
            ws.delete_rows(5)
        else:
            ws.update_cell(len(ws.col_values(1)) + 1, 1, "typed by hand")
        seen.append(server.values(sheet, "Appointments"))

    with pytest.raises(WorkbookBusy, match="so that tab was left as it is"):
        sync(server, account, sheet, meanwhile=meanwhile)
    assert server.values(sheet, "Appointments") == seen[0]  # exactly as the studio left it
    assert len(server.values(sheet, "Runs")) == 3  # the rest was written
    # The next sync works on the sheet as it now is.
    _, report = sync(server, account, sheet)
    assert report.wrote


def test_without_edits_nothing_is_left_alone_and_the_guard_costs_one_read(
        server, account, sheet):
    server.reset_stats()
    store, report = sync(server, account, sheet)
    assert report.plan.completed and store.rows_left_alone == 0
    assert server.stats()["requests"]["values.batchGet"] == 2


def test_a_tab_renamed_during_the_sync_stops_it_with_a_sentence(server, account, studio_client,
                                                               sheet):
    def rename() -> None:
        studio_client.open_by_key(sheet).worksheet("Balances").update_title("Old balances")

    with pytest.raises(WorkbookBusy, match="renamed or removed"):
        sync(server, account, sheet, meanwhile=rename)
