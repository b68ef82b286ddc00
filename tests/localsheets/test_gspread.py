"""gspread 6 end to end over HTTP, authenticated by google-auth's real service-account flow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest
from google.auth.exceptions import RefreshError
from gspread.utils import ValidationConditionType

from localsheets import LocalSheets, gspread_client, service_account_info


@pytest.fixture
def gc(server: LocalSheets) -> gspread.Client:
    return gspread_client(server.base_url, server.service_account_info())


@pytest.fixture
def book(gc: gspread.Client) -> Iterator[gspread.Spreadsheet]:
    spreadsheet = gc.create("Studio bookings")
    yield spreadsheet
    gc.del_spreadsheet(spreadsheet.id)


def test_create_open_and_delete(server: LocalSheets, gc: gspread.Client) -> None:
    created = gc.create("Packages")
    assert server.spreadsheet_ids() == [created.id]
    assert gc.open_by_key(created.id).title == "Packages"
    assert gc.open("Packages").id == created.id
    assert [s["name"] for s in gc.list_spreadsheet_files()] == ["Packages"]
    gc.del_spreadsheet(created.id)
    assert server.spreadsheet_ids() == []
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key(created.id)


def test_values_round_trip(book: gspread.Spreadsheet) -> None:
    ws = book.sheet1
    ws.update([["Client", "Date", "Sessions"], ["Ana", "2024-03-05", 10]], "A1",
              value_input_option="USER_ENTERED")  # fmt: skip
    ws.append_row(["Bo", "2024-03-06", "=C2+2"], value_input_option="USER_ENTERED")
    assert ws.get_all_values() == [
        ["Client", "Date", "Sessions"],
        ["Ana", "2024-03-05", "10"],
        ["Bo", "2024-03-06", "12"],
    ]
    assert ws.get_all_records() == [
        {"Client": "Ana", "Date": "2024-03-05", "Sessions": 10},
        {"Client": "Bo", "Date": "2024-03-06", "Sessions": 12},
    ]
    assert ws.get("B2:C3", value_render_option="UNFORMATTED_VALUE") == [[45356, 10], [45357, 12]]
    assert ws.acell("C3", value_render_option="FORMULA").value == "=C2+2"
    assert ws.col_values(1) == ["Client", "Ana", "Bo"]
    assert ws.batch_get(["A1:A2", "C3"]) == [[["Client"], ["Ana"]], [["12"]]]
    ws.batch_update([{"range": "A2", "values": [["Ann"]]}, {"range": "A3", "values": [["Bob"]]}])
    assert ws.col_values(1) == ["Client", "Ann", "Bob"]
    assert ws.find("Bob").row == 3


def test_row_operations(book: gspread.Spreadsheet) -> None:
    ws = book.sheet1
    ws.update([[f"r{i}"] for i in range(1, 6)], "A1")
    ws.delete_rows(2, 3)
    assert ws.col_values(1) == ["r1", "r4", "r5"]
    ws.insert_row(["new"], 2)
    assert ws.col_values(1) == ["r1", "new", "r4", "r5"]
    ws.add_rows(10)
    assert book.worksheet("Sheet1").row_count == 1000 - 2 + 1 + 10
    ws.resize(rows=4, cols=3)
    assert book.worksheet("Sheet1").col_count == 3
    ws.batch_clear(["A1:A2"])
    assert ws.col_values(1) == ["", "", "r4", "r5"]


def test_worksheets_formats_validation_and_freeze(
    server: LocalSheets, book: gspread.Spreadsheet
) -> None:
    ws = book.add_worksheet("Bob's sessions", rows=20, cols=5)
    ws.update([["Paid?"]], "A1")
    ws.format("A1:B1", {"textFormat": {"bold": True}, "backgroundColor": {"red": 1}})
    ws.add_validation("B2:B20", ValidationConditionType.one_of_list, ["yes", "no"], strict=True)
    ws.freeze(rows=1, cols=1)
    ws.update_title("Sessions 2024")
    assert [w.title for w in book.worksheets()] == ["Sheet1", "Sessions 2024"]
    fresh = book.worksheet("Sessions 2024")
    assert (fresh.frozen_row_count, fresh.frozen_col_count) == (1, 1)
    sheet = server.spreadsheet(book.id).find_title("Sessions 2024")
    assert sheet is not None
    assert sheet.cell(0, 0)["userEnteredFormat"]["textFormat"] == {"bold": True}
    rule = sheet.cell(5, 1)["dataValidation"]
    assert rule["condition"]["type"] == "ONE_OF_LIST" and rule["strict"] is True
    assert server.values(book.id, "Sessions 2024") == [["Paid?"]]
    book.del_worksheet(fresh)
    assert [w.title for w in book.worksheets()] == ["Sheet1"]


def test_api_errors_surface_as_gspread_errors(book: gspread.Spreadsheet) -> None:
    with pytest.raises(gspread.exceptions.APIError) as raised:
        book.values_get("Missing!A1")
    assert raised.value.code == 400
    assert "Unable to parse range: Missing!A1" in str(raised.value)
    with pytest.raises(gspread.WorksheetNotFound):
        book.worksheet("Missing")


def test_trust_mode_with_gspread(tmp_path: Path) -> None:
    trusted = service_account_info("http://127.0.0.1:1", email="studio@example.com")
    trusted["token_uri"] = "https://oauth2.googleapis.com/token"  # as in a real key file
    key_file = tmp_path / "studio.json"
    key_file.write_text(json.dumps(trusted))
    with LocalSheets(quota_per_minute=None, trust=[key_file]) as server:
        good = gspread_client(server.base_url, trusted)
        assert good.create("Trusted").title == "Trusted"
        impostor = gspread_client(
            server.base_url, service_account_info(server.base_url, email="studio@example.com")
        )
        with pytest.raises(RefreshError, match="Invalid JWT Signature"):
            impostor.open("Trusted")
