"""On a Google Sheet, rows that move take the studio's cells along, and references follow.

The local Sheets API does what Google does on deleteDimension / insertDimension:
every cell of a row moves with it (formula, note, format, hyperlink, validation),
merges and stored ranges move, and formulas in every tab that point at moved
cells are adjusted (a range shrinks or grows, a reference into a deleted row
becomes #REF!). The last tests run a real sync that deletes a closed client's
rows and check that the studio's formulas, notes and dashboard stay with their
appointments.
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from localsheets import LocalSheets
from sheetsync.stores.gsheets_access import ServiceAccount
from tests.google_fixtures import account, server, studio_client
from tests.studio_rows import (
    DASHBOARD,
    GONE,
    LABEL_COLUMN,
    NOTES,
    ROOM,
    GoogleStudio,
    dashboard_formulas,
    run_closing_sequence,
)

__all__ = ["account", "server", "studio_client"]

SHEET = "Appointments"


@pytest.fixture
def book(server: LocalSheets, studio_client: gspread.Client) -> gspread.Spreadsheet:
    """Appointments (ten rows: A = a1..a10, B = 1..10) and a tab named 'My tab'."""
    spreadsheet = server.create_spreadsheet("Rows", [
        {"title": SHEET, "gridProperties": {"rowCount": 20, "columnCount": 8}},
        {"title": "My tab", "gridProperties": {"rowCount": 20, "columnCount": 8}},
    ])
    opened = studio_client.open_by_key(spreadsheet)
    opened.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": f"{SHEET}!A1:B10", "values": [[f"a{r}", r] for r in range(1, 11)]}]})
    return opened


def type_in(book: gspread.Spreadsheet, cells: dict[str, Any]) -> None:
    """Cells typed as a person types them (formulas stay formulas)."""
    book.values_batch_update({"valueInputOption": "USER_ENTERED", "data": [
        {"range": where, "values": [[value]]} for where, value in cells.items()]})


def formulas(book: gspread.Spreadsheet, *cells: str) -> list[Any]:
    return [_one(book, cell, "FORMULA") for cell in cells]


def shown(book: gspread.Spreadsheet, *cells: str) -> list[Any]:
    return [_one(book, cell, "FORMATTED_VALUE") for cell in cells]


def _one(book: gspread.Spreadsheet, cell: str, render: str) -> Any:
    values = book.values_get(cell, params={"valueRenderOption": render}).get("values")
    return values[0][0] if values else None


def sheet_id(book: gspread.Spreadsheet, title: str) -> int:
    return int(book.worksheet(title).id)


def delete_rows(book: gspread.Spreadsheet, first: int, last: int, title: str = SHEET) -> None:
    """Delete sheet rows first..last (1-based, inclusive) with deleteDimension."""
    book.batch_update({"requests": [{"deleteDimension": {"range": {
        "sheetId": sheet_id(book, title), "dimension": "ROWS",
        "startIndex": first - 1, "endIndex": last}}}]})


def insert_rows(book: gspread.Spreadsheet, before: int, count: int, title: str = SHEET) -> None:
    """Insert `count` empty rows before sheet row `before` with insertDimension."""
    book.batch_update({"requests": [{"insertDimension": {"range": {
        "sheetId": sheet_id(book, title), "dimension": "ROWS",
        "startIndex": before - 1, "endIndex": before - 1 + count}}}]})


def metadata(book: gspread.Spreadsheet, title: str = SHEET) -> dict[str, Any]:
    sheets = book.fetch_sheet_metadata()["sheets"]
    found: dict[str, Any] = next(s for s in sheets if s["properties"]["title"] == title)
    return found


# -- the emulator's row moves ----------------------------------------------------------
def test_a_row_formula_below_deleted_rows_moves_up_and_still_reads_its_own_row(book):
    type_in(book, {f"{SHEET}!C{r}": f'=A{r}&" / "&B{r}' for r in range(1, 11)})
    delete_rows(book, 4, 5)
    assert formulas(book, f"{SHEET}!C3", f"{SHEET}!C4", f"{SHEET}!C8") == [
        '=A3&" / "&B3', '=A4&" / "&B4', '=A8&" / "&B8']
    assert shown(book, f"{SHEET}!C3", f"{SHEET}!C4", f"{SHEET}!C8") == [
        "a3 / 3", "a6 / 6", "a10 / 10"]
    assert formulas(book, f"{SHEET}!C9") == [None]


def test_ranges_shrink_references_into_deleted_rows_become_ref_errors(book):
    type_in(book, {
        f"{SHEET}!D1": "=SUM(B1:B10)",  # around the deleted rows: shrinks
        f"{SHEET}!D2": "=SUM(B5:B8)",  # starts inside: its first surviving row
        f"{SHEET}!D3": "=SUM(B4:B5)",  # wholly deleted
        f"{SHEET}!D6": "=B4",  # a deleted cell
        f"{SHEET}!D7": "=SUM(B:B)",  # whole column: stays
        f"{SHEET}!D8": "=COUNTA(A7:A)",  # open-ended below: its start moves
        f"{SHEET}!D9": '="B7"&B2',  # text is never a reference
    })
    delete_rows(book, 4, 5)
    assert formulas(book, *(f"{SHEET}!D{r}" for r in (1, 2, 3, 4, 5, 6, 7))) == [
        "=SUM(B1:B8)", "=SUM(B4:B6)", "=SUM(#REF!)", "=#REF!", "=SUM(B:B)", "=COUNTA(A5:A)",
        '="B7"&B2']
    assert shown(book, f"{SHEET}!D1", f"{SHEET}!D2", f"{SHEET}!D3", f"{SHEET}!D4") == [
        "46", "21", "#REF!", "#REF!"]


def test_formulas_in_another_tab_follow_only_references_to_the_moved_tab(book):
    type_in(book, {
        "'My tab'!A1": f"={SHEET}!B7",
        "'My tab'!A2": f"='{SHEET}'!$A$2:$B$9",
        "'My tab'!A3": "=B7",  # My tab's own B7: rows of Appointments do not move it
        "'My tab'!A4": f"={SHEET}!A5",
        "'My tab'!A5": f"=SUM({SHEET}!B1:B10)",
    })
    type_in(book, {f"{SHEET}!E9": "='My tab'!A1&'My tab'!B9"})
    delete_rows(book, 4, 5)
    assert formulas(book, *(f"'My tab'!A{r}" for r in range(1, 6))) == [
        f"={SHEET}!B5", f"='{SHEET}'!$A$2:$B$7", "=B7", "=#REF!", f"=SUM({SHEET}!B1:B8)"]
    assert shown(book, "'My tab'!A1", "'My tab'!A5") == ["7", "46"]
    assert formulas(book, f"{SHEET}!E7") == ["='My tab'!A1&'My tab'!B9"]


def test_rows_deleted_in_another_tab_leave_these_formulas_alone(book):
    type_in(book, {f"{SHEET}!C9": "=B9*2", "'My tab'!A9": "x"})
    delete_rows(book, 2, 3, title="My tab")
    assert formulas(book, f"{SHEET}!C9") == ["=B9*2"]


def test_notes_formats_hyperlinks_and_merges_move_with_their_rows(book):
    sheet = book.worksheet(SHEET)
    sheet.update_notes({"A8": "call back", "A4": "gone with its row"})
    sheet.format("B8", {"backgroundColor": {"red": 1, "green": 1, "blue": 0}})
    type_in(book, {f"{SHEET}!F8": '=HYPERLINK("https://studio.example/8","site")'})
    sheet.merge_cells("C8:D8")  # below: moves up
    sheet.merge_cells("C2:C5")  # across the deleted rows: shrinks
    sheet.merge_cells("E4:F5")  # inside them: gone
    delete_rows(book, 4, 5)
    assert sheet.get_note("A6") == "call back"
    assert sheet.get_note("A4") == ""
    cell = book.fetch_sheet_metadata({"includeGridData": "true", "ranges": f"{SHEET}!B6"})
    fmt = cell["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert fmt["backgroundColor"] == {"red": 1, "green": 1, "blue": 0}
    assert formulas(book, f"{SHEET}!F6") == ['=HYPERLINK("https://studio.example/8","site")']
    merges = {(m["startRowIndex"], m["endRowIndex"], m["startColumnIndex"], m["endColumnIndex"])
              for m in metadata(book).get("merges", [])}
    assert merges == {(5, 6, 2, 4), (1, 3, 2, 3)}


def test_inserted_rows_push_cells_and_references_down_and_grow_ranges_around_them(book):
    type_in(book, {
        f"{SHEET}!C6": "=A6&B6",
        f"{SHEET}!D1": "=SUM(B2:B9)",  # around the insertion: grows
        f"{SHEET}!D2": "=B3",  # above: stays
        "'My tab'!A1": f"={SHEET}!B6",
    })
    book.worksheet(SHEET).update_notes({"A6": "moved down"})
    book.worksheet(SHEET).merge_cells("E6:F6")
    insert_rows(book, 5, 2)
    assert formulas(book, f"{SHEET}!C8", f"{SHEET}!D1", f"{SHEET}!D2", "'My tab'!A1") == [
        "=A8&B8", "=SUM(B2:B11)", "=B3", f"={SHEET}!B8"]
    assert shown(book, f"{SHEET}!C8", f"{SHEET}!D1", "'My tab'!A1") == ["a66", "44", "6"]
    assert book.worksheet(SHEET).get_note("A8") == "moved down"
    assert [(m["startRowIndex"], m["endRowIndex"]) for m in metadata(book)["merges"]] == [(7, 8)]


def test_stored_ranges_follow_deleted_rows(book):
    sid = sheet_id(book, SHEET)

    def rows(first: int, last: int) -> dict[str, int]:
        return {"sheetId": sid, "startRowIndex": first - 1, "endRowIndex": last,
                "startColumnIndex": 0, "endColumnIndex": 2}

    book.batch_update({"requests": [
        {"addConditionalFormatRule": {"rule": {"ranges": [rows(2, 10)], "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=$B7>2"}]},
            "format": {"textFormat": {"bold": True}}}}}},
        {"addConditionalFormatRule": {"rule": {"ranges": [rows(4, 5)], "booleanRule": {
            "condition": {"type": "NOT_BLANK"}, "format": {"textFormat": {"bold": True}}}}}},
        {"addNamedRange": {"namedRange": {"name": "Late", "range": rows(7, 9)}}},
        {"setBasicFilter": {"filter": {"range": rows(1, 10)}}},
        {"setDataValidation": {"range": rows(8, 8), "rule": {"condition": {
            "type": "ONE_OF_RANGE", "values": [{"userEnteredValue": f"={SHEET}!$A$6:$A$9"}]}}}},
    ]})
    delete_rows(book, 4, 5)
    meta = metadata(book)
    [rule] = meta["conditionalFormats"]
    assert rule["ranges"] == [rows(2, 8)]
    assert rule["booleanRule"]["condition"]["values"] == [{"userEnteredValue": "=$B5>2"}]
    [named] = book.fetch_sheet_metadata()["namedRanges"]
    assert named["range"] == rows(5, 7)
    assert meta["basicFilter"]["range"] == rows(1, 8)
    cell = book.fetch_sheet_metadata({"includeGridData": "true", "ranges": f"{SHEET}!A6"})
    validation = cell["sheets"][0]["data"][0]["rowData"][0]["values"][0]["dataValidation"]
    assert validation["condition"]["values"] == [{"userEnteredValue": f"={SHEET}!$A$4:$A$7"}]


# -- a sync that deletes a closed client's rows ----------------------------------------
@pytest.fixture
def synced(server: LocalSheets, account: ServiceAccount,
           studio_client: gspread.Client) -> tuple[GoogleStudio, dict[str, Any], dict[str, Any]]:
    studio = GoogleStudio(server, account, studio_client)
    before, after = run_closing_sequence(studio)
    return studio, before, after


def test_a_sync_deleting_a_closed_clients_rows_keeps_the_studios_cells_on_their_rows(synced):
    studio, before, after = synced
    gone = set(before) - set(after)
    assert gone == {f"E1-1-{n:02d}" for n in range(3, 11)}
    assert after["E2-1-01"].row == before["E2-1-01"].row - len(gone)
    for appointment, cells in after.items():
        assert cells.label == f'=A{cells.row}&" / "&H{cells.row}', appointment
        assert cells.note == before[appointment].note == NOTES.get(appointment), appointment
        assert cells.merged_room == (appointment == ROOM[0]), appointment
    shown_values = studio.values(SHEET, "FORMATTED_VALUE")
    staff = {"E1": "ST1", "E2": "ST2"}
    for appointment, cells in after.items():
        label = shown_values[cells.row - 1][LABEL_COLUMN - 1]
        assert label == f"{appointment} / {staff[appointment[:2]]}"


def test_the_dashboard_still_points_at_the_same_appointments(synced):
    studio, _, after = synced
    rows = {appointment: cells.row for appointment, cells in after.items()}
    assert studio.dashboard() == dashboard_formulas(rows)
    assert GONE not in rows and studio.dashboard()["B6"] == "=#REF!"
    values = studio.values(DASHBOARD, "FORMATTED_VALUE")
    assert [line[1] for line in values[1:]] == [
        "E2-1-03", "E2-1-03 / ST2", str(len(rows)), str(len(rows) + 1), "#REF!", "55"]
