"""Balances kept grouped by client, enrollment and period (issue 16): a renewed period's row is
inserted right below the client's earlier periods, not appended at the bottom, and the rows
below move down by the insert instead of being rewritten, on every store.

THREE: Ayse (C1) comes Mon and Thu, Mehmet (C2) takes 4 Pilates classes on Tuesdays, Selin
(C3) comes on Wednesdays, all from Mon 30 Nov 2026. Balances reads E1/1, E2/1, E3/1 (rows
2-4). Mehmet's fourth class (Tue 22 Dec, 10:00-11:00) ends his period: the sync at 11:30 ends
E2/1 and renews it, and nobody else has a session in between, so E2/1 and the new E2/2 are
all that change. E2/2 goes into a row inserted above Selin's, at row 4; her row moves to 5.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import gspread
import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.apply import new_row_above
from sheetsync.schema import BALANCES
from sheetsync.sheet import TabWriter, locate
from sheetsync.stores.base import Table, WorkbookChanges, placed_row, read_row
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_wire import sheets_from_metadata, write_plan
from sheetsync.stores.memory import apply_to_table
from sheetsync.stores.xlsx import XlsxStore
from tests.backends import google_twin, xlsx_twin
from tests.google_fixtures import account, server, studio_client
from tests.lo_rows import Case, LibreOfficeRows, needs_libreoffice_uno, steps_for
from tests.studio import STARTED, appointments, records, studio, sync, xlsx_studio
from tests.studios import BASE

__all__ = ["account", "server", "studio_client"]

THREE = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
E2            | C2        | PIL4       | 2026-11-30 | ST2      | Tue 10:00
E3            | C3        | PHY10      | 2026-11-30 | ST1      | Wed 16:00
"""
BEFORE = datetime(2026, 12, 22, 10, 30)  # Mehmet's last class is under way
AFTER = datetime(2026, 12, 22, 11, 30)  # ... and over: E2/1 ends, E2/2 is planned
OWN = 21  # column U: the studio's own column beside Balances' twenty
GROUPED = [("E1", 1), ("E2", 1), ("E2", 2), ("E3", 1)]


def keys(tables: dict[str, Table]) -> list[tuple[object, object]]:
    return [(r[0], r[5]) for r in tables["Balances"].rows if r[0] is not None]


def rows_written(changes: WorkbookChanges, title: str = "Balances") -> set[int]:
    return {row for row, _ in changes.tabs[title].updates}


# ---------------------------------------------------------------------------
# Where a new row goes (pure)


def test_a_new_period_goes_below_its_enrollments_earlier_period():
    assert new_row_above(3, [(1, 5), (2, 9)], client_last=12) == 10
    assert new_row_above(2, [(1, 5), (3, 9)], client_last=12) == 6  # periods in order
    assert new_row_above(1, [(2, 5), (3, 9)], client_last=12) == 5  # above a later period


def test_a_new_enrollment_goes_below_its_clients_last_row_else_at_the_bottom():
    assert new_row_above(1, [], client_last=7) == 8
    assert new_row_above(1, [], client_last=None) is None


def test_inserted_rows_and_the_rows_of_the_read_in_the_coordinates_of_the_changes():
    inserts = {5: 2, 8: 1}
    assert [placed_row(inserts, r) for r in (4, 5, 8, 9)] == [4, 7, 11, 12]
    assert [read_row(inserts, r) for r in (4, 5, 6, 7, 10, 11)] == [
        (4, None), (5, 0), (5, 1), (5, None), (8, 0), (8, None)]


def test_the_writer_numbers_rows_after_its_inserts_and_the_memory_store_agrees():
    store = studio(THREE)
    sync(store, BEFORE)
    tables = store.read()
    cols, _ = locate(tables, BALANCES)
    assert cols is not None
    changes = WorkbookChanges()
    writer = TabWriter(cols, changes)
    writer.delete(2)  # E1/1, in the read's numbering
    assert writer.insert_before(3, {"enrollment_id": "N1"}) == 3
    assert writer.insert_before(3, {"enrollment_id": "N2"}) == 4  # below the first
    assert writer.insert_before(99, {"enrollment_id": "N3"}) == 7  # past the end: appended
    tab = changes.tabs["Balances"]
    assert tab.inserts == {3: 2} and tab.deletes == {2}
    table = tables["Balances"]
    apply_to_table(table, tab)
    assert [r[0] for r in table.rows] == ["N1", "N2", "E2", "E3", "N3"]


def test_inserting_many_at_once_is_inserting_them_one_by_one():
    """write_balances inserts a sync's new rows in one batch (n log n); the rows and cells come
    out as from one insert_before after another, around updates and deletions made before."""
    store = studio(THREE)
    sync(store, BEFORE)
    tables = store.read()
    cols, _ = locate(tables, BALANCES)
    assert cols is not None
    records = [(3, {"enrollment_id": "N1"}), (2, {"enrollment_id": "N2"}),
               (3, {"enrollment_id": "N3"}), (99, {"enrollment_id": "N4"}),
               (4, {"enrollment_id": "N5"})]
    outcomes = []
    for batch in (True, False):
        changes = WorkbookChanges()
        writer = TabWriter(cols, changes)
        writer.update(3, {"state": "ended"})
        writer.delete(4)
        if batch:
            rows = writer.insert_before_each(records)  # where each stands once all are in
        else:
            for row, values in records:
                writer.insert_before(row, values)
        tab = changes.tabs["Balances"]
        outcomes.append((tab.inserts, tab.updates, tab.deletes))
    assert outcomes[0] == outcomes[1]
    inserts, updates, deletes = outcomes[0]
    assert rows == [4, 2, 5, 9, 7] and inserts == {2: 1, 3: 2, 4: 1} and deletes == {8}
    assert [updates[(row, 1)] for row in rows] == ["N1", "N2", "N3", "N4", "N5"]
    assert {r for r, _ in updates} == {*rows, 6}  # E2's state, where E2 now stands


# ---------------------------------------------------------------------------
# The memory store: the semantics every store shares


def test_a_renewal_lands_beside_the_clients_earlier_period():
    store = studio(THREE)
    sync(store, BEFORE)
    assert keys(store.read()) == [("E1", 1), ("E2", 1), ("E3", 1)]
    own = {2: "Ayse's note", 3: "Mehmet's note", 4: "Selin's note"}
    for row, note in own.items():
        store.tables["Balances"].rows[row - 2].extend([None] * (OWN - 20))
        store.tables["Balances"].rows[row - 2][OWN - 1] = note
    appointments_before = [a for a in appointments(store, "E2") if a["period"] == 1]

    report = sync(store, AFTER)

    assert keys(store.read()) == GROUPED
    assert [r[OWN - 1] if len(r) >= OWN else None for r in store.tables["Balances"].rows] == [
        "Ayse's note", "Mehmet's note", None, "Selin's note"]  # the studio's cells moved along
    balances = report.changes.tabs["Balances"]
    assert balances.inserts == {4: 1} and not balances.deletes
    assert rows_written(report.changes) == {3, 4}  # E2/1's changed cells and the new row only
    assert {c for r, c in balances.updates if r == 3} <= {8, 11, 12, 13, 15, 16, 20}
    new_row = records(store, "Balances")[2]
    assert new_row["period"] == 2 and new_row["state"] == "active" and new_row["due"] == 1000
    assert not report.changes.tabs["Appointments"].inserts  # appointments stay where they are
    after = [a for a in appointments(store, "E2") if a["period"] == 1]
    assert [a["appointment_id"] for a in after] == [a["appointment_id"] for a in
                                                    appointments_before]
    assert [a["status"] for a in after] == ["completed"] * 4


def test_a_second_sync_writes_nothing_and_nothing_is_resorted():
    store = studio(THREE)
    sync(store, BEFORE)
    sync(store, AFTER)
    again = sync(store, AFTER)
    assert not again.changes.tabs["Balances"] and not again.changes.tabs["Appointments"]
    assert keys(store.read()) == GROUPED


def test_a_studio_that_sorted_balances_its_own_way_keeps_its_order():
    store = studio(THREE)
    sync(store, BEFORE)
    rows = store.tables["Balances"].rows
    rows[:] = [rows[2], rows[1], rows[0]]  # E3, E2, E1: the studio sorted by name, descending
    report = sync(store, AFTER)
    assert keys(store.read()) == [("E3", 1), ("E2", 1), ("E2", 2), ("E1", 1)]
    assert report.changes.tabs["Balances"].inserts == {4: 1}


def test_a_new_enrollment_of_a_known_client_goes_below_that_clients_rows():
    store = studio(THREE)
    sync(store, BEFORE)
    store.append("Enrollments", {"enrollment_id": "E4", "client_id": "C1", "package_id": "PIL4",
                                 "start_date": "2026-12-01", "staff_id": "ST2",
                                 "schedule": "Tue 12:00"})
    report = sync(store, BEFORE)
    assert keys(store.read()) == [("E1", 1), ("E4", 1), ("E2", 1), ("E3", 1)]
    assert report.changes.tabs["Balances"].inserts == {3: 1}


@pytest.mark.parametrize("backend", ["xlsx", "google"])
def test_a_new_row_takes_the_place_of_a_deleted_one_alike_on_every_store(
        backend, tmp_path, request):
    """Selin's enrollment is renamed E9 as E2 renews: E3/1 goes, and E2/2 is inserted right
    above it, where it stood. The twin checks the workbook holds what memory holds."""
    memory = studio(THREE)
    twin = xlsx_twin(memory, tmp_path / "studio.xlsx") if backend == "xlsx" else google_twin(
        memory, request.getfixturevalue("server"), request.getfixturevalue("account"),
        request.getfixturevalue("studio_client"))
    sync(twin, BEFORE)  # type: ignore[arg-type]
    twin.set("Enrollments", 4, "enrollment_id", "E9")
    report = sync(twin, AFTER)  # type: ignore[arg-type]
    balances = report.changes.tabs["Balances"]
    assert balances.inserts == {4: 1} and balances.deletes == {5}
    assert keys(twin.read()) == [("E1", 1), ("E2", 1), ("E2", 2), ("E9", 1)]


# ---------------------------------------------------------------------------
# A real .xlsx file: the studio's formulas follow their records


def _with_studio_formulas(path: Path) -> None:
    """A formula in the studio's own Balances column, and a Dashboard reading Selin's row;
    Mehmet's row painted yellow, his remaining sessions in bold."""
    book = openpyxl.load_workbook(path)
    balances = book["Balances"]
    balances.cell(1, OWN, "Label")
    for row in (2, 3, 4):
        balances.cell(row, OWN, f'=A{row}&" "&L{row}')
    for col in range(1, OWN + 1):
        balances.cell(3, col).fill = PatternFill("solid", fgColor="FFFF00")
    balances.cell(3, 12).font = Font(bold=True)
    dashboard = book.create_sheet("Dashboard")
    dashboard["A1"] = "=Balances!A4"
    dashboard["A2"] = "=SUM(Balances!L2:L4)"
    book.save(path)


def _synced_xlsx(tmp_path: Path) -> tuple[Path, XlsxStore]:
    path = xlsx_studio(tmp_path / "studio.xlsx", THREE)
    store = XlsxStore(path)
    engine.sync(store, BEFORE, started_at=STARTED)
    _with_studio_formulas(path)
    return path, store


def _looks(path: Path) -> list[tuple[object, ...]]:
    """Rows 2-5 of Balances: each row's fill colours (RGB) and bold cells."""
    sheet = openpyxl.load_workbook(path)["Balances"]
    return [(r, *(sheet.cell(r, c).fill.fgColor.rgb[-6:] for c in (1, 12, OWN)),
             sheet.cell(r, 12).font.b) for r in range(2, 6)]


LOOKS = [(2, "000000", "000000", "000000", False),
         (3, "FFFF00", "FFFF00", "FFFF00", True),
         (4, "FFFF00", "FFFF00", "FFFF00", True),  # the new row: formats as above
         (5, "000000", "000000", "000000", False)]


def _formulas(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path)
    out: dict[str, object] = {f"Balances!U{r}": book["Balances"].cell(r, OWN).value
                              for r in range(2, 6)}
    out |= {f"Dashboard!{c}": book["Dashboard"][c].value for c in ("A1", "A2")}
    return out


EXPECTED_FORMULAS = {
    "Balances!U2": '=A2&" "&L2', "Balances!U3": '=A3&" "&L3', "Balances!U4": None,
    "Balances!U5": '=A5&" "&L5',  # Selin's row moved down with its formula
    "Dashboard!A1": "=Balances!A5", "Dashboard!A2": "=SUM(Balances!L2:L5)"}


def test_on_an_xlsx_file_the_row_is_inserted_and_formulas_follow_their_records(tmp_path):
    path, store = _synced_xlsx(tmp_path)
    report = engine.sync(store, AFTER, started_at=STARTED)
    assert store.wrote_with == "patch"
    assert keys(store.read()) == GROUPED
    assert rows_written(report.changes) == {3, 4}
    assert _formulas(path) == EXPECTED_FORMULAS
    assert _looks(path) == LOOKS
    again = engine.sync(store, AFTER, started_at=STARTED)
    assert not again.changes.tabs["Balances"]
    assert _formulas(path) == EXPECTED_FORMULAS


@pytest.mark.slow
@needs_libreoffice_uno
def test_sheetsyncs_insert_matches_libreoffices(tmp_path):
    """LibreOffice inserts one row above row 4 of Balances in the same workbook; every formula
    reads the same as after sheetsync's insert, and the new row is formatted as the one above
    it in both."""
    path, store = _synced_xlsx(tmp_path)
    source = tmp_path / "before.xlsx"
    shutil.copy(path, source)
    theirs = tmp_path / "libreoffice.xlsx"
    case = Case(source, theirs, steps_for({"Balances": _Inserted({4: 1})}))
    with LibreOfficeRows(tmp_path / "lo") as office:
        office.apply([case])
    assert case.error is None, case.error
    engine.sync(store, AFTER, started_at=STARTED)
    assert _formulas(path) == _formulas(theirs) == EXPECTED_FORMULAS
    assert _looks(path) == _looks(theirs) == LOOKS


class _Inserted:
    """Rows inserted, none deleted: what tests/lo_rows.steps_for takes."""

    def __init__(self, inserted: dict[int, int]) -> None:
        self.inserted = inserted
        self.deleted: frozenset[int] = frozenset()


# ---------------------------------------------------------------------------
# A Google Sheet on the local Sheets API, over HTTP


def test_on_a_google_sheet_it_is_one_insertdimension_and_the_same_rows_as_in_memory(
        server: LocalSheets, account: ServiceAccount, studio_client: gspread.Client):
    twin = google_twin(studio(THREE), server, account, studio_client)
    sync(twin, BEFORE)  # type: ignore[arg-type]
    sheet = twin.other.spreadsheet_id  # type: ignore[attr-defined]
    sheets = sheets_from_metadata(server.metadata(sheet))
    server.reset_stats()
    report = sync(twin, AFTER)  # type: ignore[arg-type]
    assert server.stats()["requests"]["spreadsheets.batchUpdate"] == 1  # the insert, no claim
    assert keys(twin.read()) == GROUPED  # the twin checks Google holds what memory holds
    sent = write_plan(report.changes, sheets)
    assert [r for r in sent.structure if "insertDimension" in r] == [{"insertDimension": {
        "range": {"sheetId": sheets["Balances"].sheet_id, "dimension": "ROWS",
                  "startIndex": 3, "endIndex": 4}, "inheritFromBefore": True}}]
    balances = [d["range"] for d in sent.data if d["range"].startswith("'Balances'")]
    assert len(balances) == 1 and balances[0].split("!")[1].endswith("4")  # rows 3-4 only
    assert rows_written(report.changes) == {3, 4}
    again = sync(twin, AFTER)  # type: ignore[arg-type]
    assert not again.changes.tabs["Balances"]


def test_on_a_google_sheet_the_studios_formulas_follow_their_records(
        server: LocalSheets, account: ServiceAccount, studio_client: gspread.Client):
    twin = google_twin(studio(THREE), server, account, studio_client)
    google = twin.other
    engine.sync(google, BEFORE, started_at=STARTED)
    book = studio_client.open_by_key(google.spreadsheet_id)
    book.worksheet("Balances").update(
        [["Label"], *[[f'=A{r}&" "&L{r}'] for r in (2, 3, 4)]], "U1:U4",
        value_input_option="USER_ENTERED")
    book.add_worksheet("Dashboard", 10, 5).update(
        [["=Balances!A4"], ["=SUM(Balances!L2:L4)"]], "A1:A2", value_input_option="USER_ENTERED")
    book.worksheet("Balances").update_notes({"C4": "Selin pays in cash"})
    engine.sync(google, AFTER, started_at=STARTED)
    notes = book.worksheet("Balances").get_notes()
    assert [(r, c) for r, row in enumerate(notes, 1) for c, n in enumerate(row, 1) if n] == [
        (5, 3)]  # the note went down with Selin's row
    column = server.values(google.spreadsheet_id, "Balances", "FORMULA")
    assert [(r[0], r[5], r[OWN - 1] if len(r) >= OWN else None) for r in column[1:5]] == [
        ("E1", 1, '=A2&" "&L2'), ("E2", 1, '=A3&" "&L3'), ("E2", 2, None),
        ("E3", 1, '=A5&" "&L5')]
    assert server.values(google.spreadsheet_id, "Dashboard", "FORMULA") == [
        ["=Balances!A5"], ["=SUM(Balances!L2:L5)"]]
