"""The pure model: values.* semantics, grid limits, and atomic batchUpdate requests."""

from __future__ import annotations

from typing import Any

import pytest

from localsheets import valueops as v
from localsheets.batch import batch_update
from localsheets.errors import ApiError
from localsheets.model import Spreadsheet

RAW = {"valueInputOption": "RAW"}
USER = {"valueInputOption": "USER_ENTERED"}


@pytest.fixture
def book() -> Spreadsheet:
    return Spreadsheet.new("Studio", [{"title": "Sheet1"}])


def put(book: Spreadsheet, rng: str, values: list[list[Any]], params: Any = RAW) -> dict[str, Any]:
    reply, _ = v.values_update(book, rng, {"values": values}, params)
    return reply


def get(book: Spreadsheet, rng: str, **params: str) -> dict[str, Any]:
    return v.values_get(book, rng, params)


def apply(book: Spreadsheet, *requests: dict[str, Any]) -> tuple[Spreadsheet, dict[str, Any]]:
    new, reply, _ = batch_update(book, {"requests": list(requests)})
    return new, reply


def test_values_get_drops_trailing_blanks_but_keeps_inner_ones(book: Spreadsheet) -> None:
    put(book, "A1", [["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""], ["A4"]])
    assert get(book, "Sheet1") == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4"]],
    }
    assert get(book, "Sheet1!A5:B6") == {"range": "Sheet1!A5:B6", "majorDimension": "ROWS"}


def test_columns_major_dimension(book: Spreadsheet) -> None:
    put(book, "A1", [["a", "b"], ["c"]])
    reply = get(book, "A1:C3", majorDimension="COLUMNS")
    assert reply["values"] == [["a", "c"], ["b"]]
    v.values_update(book, "E1", {"values": [["p", "q"]], "majorDimension": "COLUMNS"}, RAW)
    assert get(book, "E1:E2")["values"] == [["p"], ["q"]]


def test_update_counts_cells_and_reports_bounding_range(book: Spreadsheet) -> None:
    reply = put(book, "'Sheet1'!B2", [["a", None, "c"], ["d"]])
    assert reply["updatedRange"] == "Sheet1!B2:D3"
    assert (reply["updatedRows"], reply["updatedColumns"], reply["updatedCells"]) == (2, 2, 3)
    assert get(book, "B2:D3")["values"] == [["a", "", "c"], ["d"]]


def test_null_skips_and_empty_string_clears(book: Spreadsheet) -> None:
    put(book, "A1", [["keep", "clear"]])
    put(book, "A1", [[None, ""]])
    assert get(book, "A1:B1")["values"] == [["keep"]]


def test_user_entered_sets_a_number_format_only_on_unformatted_cells(book: Spreadsheet) -> None:
    put(book, "A1", [["2024-03-05", "=A1+1", "5%"]], USER)
    assert get(book, "A1:C1")["values"] == [["2024-03-05", "45357", "5%"]]
    assert get(book, "A1:C1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        [45356, 45357, 0.05]
    ]
    put(book, "A1", [["06/01/2024"]], USER)
    assert get(book, "A1")["values"] == [["2024-06-01"]]


def test_write_outside_the_range_is_refused(book: Spreadsheet) -> None:
    with pytest.raises(ApiError, match=r"within range \[Sheet1!A1:B1\].*column \[C\]"):
        put(book, "A1:B1", [["a", "b", "c"]])
    with pytest.raises(ApiError, match=r"within range \[Sheet1!A1:B1\].*row \[2\]"):
        put(book, "A1:B1", [["a"], ["b"]])


def test_grid_limits(book: Spreadsheet) -> None:
    with pytest.raises(ApiError) as raised:
        put(book, "A1000", [["a"], ["b"]])
    assert raised.value.message == (
        "Range (Sheet1!A1000) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    with pytest.raises(ApiError, match="exceeds grid limits"):
        get(book, "Sheet1!AA1")
    assert get(book, "Sheet1!A999:B2000")["range"] == "Sheet1!A999:B1000"


def test_bad_values_are_rejected_like_google(book: Spreadsheet) -> None:
    with pytest.raises(ApiError) as raised:
        v.values_update(book, "A1", {"values": "X", "majorDimension": None}, RAW)
    assert raised.value.body()["error"]["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    with pytest.raises(ApiError, match="'valueInputOption' is required"):
        v.values_update(book, "A1", {"values": [["a"]]}, {})
    with pytest.raises(ApiError, match='Unknown name "value"'):
        v.values_update(book, "A1", {"value": [["a"]]}, RAW)


def test_append_follows_the_table(book: Spreadsheet) -> None:
    first, _ = v.values_append(book, "Sheet1", {"values": [["a", "b"]]}, RAW)
    assert "tableRange" not in first and first["updates"]["updatedRange"] == "Sheet1!A1:B1"
    second, _ = v.values_append(book, "Sheet1", {"values": [["c", "d", "e"]]}, RAW)
    assert second["tableRange"] == "Sheet1!A1:B1"
    assert second["updates"]["updatedRange"] == "Sheet1!A2:C2"
    third, _ = v.values_append(book, "A1", {"values": [["f"]]}, RAW)
    assert third["tableRange"] == "Sheet1!A1:C2"
    assert third["updates"]["updatedRange"] == "Sheet1!A3"
    empty_row, _ = v.values_append(book, "A5", {"values": [["g"]]}, RAW)
    assert empty_row["updates"]["updatedRange"] == "Sheet1!A5"


def test_append_grows_the_grid_and_can_insert_rows(book: Spreadsheet) -> None:
    book.sheets[0].grid.update(rowCount=2, columnCount=2)
    put(book, "A1", [["h1", "h2"], ["r1", "x"]])
    v.values_append(book, "Sheet1", {"values": [["r2", "y", "z"]]}, RAW)
    assert (book.sheets[0].row_count, book.sheets[0].column_count) == (3, 3)
    v.values_append(book, "A1", {"values": [["new"]]}, {**RAW, "insertDataOption": "INSERT_ROWS"})
    assert get(book, "Sheet1")["values"][-1] == ["new"]
    assert book.sheets[0].row_count == 4


def test_clear_keeps_formats(book: Spreadsheet) -> None:
    put(book, "A1", [["2024-01-01"]], USER)
    assert v.values_clear(book, "Sheet1")["clearedRange"] == "Sheet1!A1:Z1000"
    assert get(book, "A1") == {"range": "Sheet1!A1", "majorDimension": "ROWS"}
    assert book.sheets[0].cell(0, 0)["userEnteredFormat"]["numberFormat"]["type"] == "DATE"


def test_batch_update_values_is_all_or_nothing_per_call(book: Spreadsheet) -> None:
    body = {
        "valueInputOption": "RAW",
        "data": [{"range": "A1", "values": [["ok"]]}, {"range": "Nope!A1", "values": [["x"]]}],
    }
    work = book.clone()
    with pytest.raises(ApiError, match=r"Invalid data\[1\]: Unable to parse range: Nope!A1"):
        v.values_batch_update(work, body)
    assert get(book, "A1") == {"range": "Sheet1!A1", "majorDimension": "ROWS"}


def test_batch_update_is_atomic(book: Spreadsheet) -> None:
    put(book, "A1", [["r1"], ["r2"], ["r3"]])
    before = book.to_dict()
    with pytest.raises(ApiError) as raised:
        apply(
            book,
            {"addSheet": {"properties": {"title": "New"}}},
            {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 5,
                                           "endIndex": 2000}}},
        )  # fmt: skip
    assert raised.value.status == 400
    assert raised.value.message.startswith("Invalid requests[1].deleteDimension: ")
    assert book.to_dict() == before


def test_unknown_and_unsupported_request_types(book: Spreadsheet) -> None:
    with pytest.raises(ApiError) as unknown:
        apply(book, {"explodeSheet": {}})
    assert unknown.value.message == (
        "Invalid JSON payload received. Unknown name \"explodeSheet\" at 'requests[0]': "
        "Cannot find field."
    )
    with pytest.raises(ApiError, match=r"requests\[0\]\.sortRange: localsheets does not"):
        apply(book, {"sortRange": {}})


@pytest.mark.parametrize(
    ("start", "end", "left"),
    [(0, 1, ["r2", "r3", "r4"]), (1, 3, ["r1", "r4"]), (3, 4, ["r1", "r2", "r3"])],
)
def test_delete_dimension_rows(book: Spreadsheet, start: int, end: int, left: list[str]) -> None:
    put(book, "A1", [["r1"], ["r2"], ["r3"], ["r4"]])
    new, reply = apply(
        book,
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": start,
                                       "endIndex": end}}},
    )  # fmt: skip
    assert reply["replies"] == [{}]
    assert [row[0] for row in get(new, "Sheet1")["values"]] == left
    assert new.sheets[0].row_count == 1000 - (end - start)


def test_delete_dimension_columns_and_limits(book: Spreadsheet) -> None:
    put(book, "A1", [["a", "b", "c"]])
    new, _ = apply(
        book, {"deleteDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS",
                                             "startIndex": 0, "endIndex": 2}}}
    )  # fmt: skip
    assert get(new, "Sheet1")["values"] == [["c"]]
    assert new.sheets[0].column_count == 24
    with pytest.raises(ApiError, match=r"You can't delete all the rows on the sheet\."):
        apply(book, {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS"}}})
    with pytest.raises(ApiError, match="No grid with id: 7"):
        apply(book, {"deleteDimension": {"range": {"sheetId": 7, "dimension": "ROWS",
                                                   "startIndex": 0, "endIndex": 1}}})  # fmt: skip


def test_insert_and_append_dimension(book: Spreadsheet) -> None:
    put(book, "A1", [["r1"], ["r2"]])
    new, _ = apply(
        book,
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1,
                                       "endIndex": 3}, "inheritFromBefore": True}},
        {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}},
    )  # fmt: skip
    assert get(new, "Sheet1!A1:A4")["values"] == [["r1"], [], [], ["r2"]]
    assert (new.sheets[0].row_count, new.sheets[0].column_count) == (1002, 30)


def test_sheets_add_update_delete(book: Spreadsheet) -> None:
    new, reply = apply(
        book,
        {"addSheet": {"properties": {"title": "Bookings", "gridProperties": {"rowCount": 5}}}},
    )
    props = reply["replies"][0]["addSheet"]["properties"]
    assert props["title"] == "Bookings" and props["index"] == 1
    assert props["gridProperties"] == {"rowCount": 5, "columnCount": 26}
    sheet_id = props["sheetId"]
    new, _ = apply(
        new,
        {"updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "title": "Sessions", "index": 0,
                           "gridProperties": {"frozenRowCount": 1}},
            "fields": "title,index,gridProperties.frozenRowCount"}},
    )  # fmt: skip
    meta = new.to_json()
    assert [s["properties"]["title"] for s in meta["sheets"]] == ["Sessions", "Sheet1"]
    assert meta["sheets"][0]["properties"]["gridProperties"]["frozenRowCount"] == 1
    with pytest.raises(ApiError, match='A sheet with the name "sheet1" already exists'):
        apply(new, {"addSheet": {"properties": {"title": "sheet1"}}})
    new, _ = apply(new, {"deleteSheet": {"sheetId": sheet_id}})
    with pytest.raises(ApiError, match="You can't remove all the sheets"):
        apply(new, {"deleteSheet": {"sheetId": 0}})


def test_shrinking_the_grid_drops_cells(book: Spreadsheet) -> None:
    put(book, "A1", [["a", "b"], ["c", "d"]])
    new, _ = apply(
        book,
        {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {
            "rowCount": 1, "columnCount": 1}},
            "fields": "gridProperties/rowCount,gridProperties/columnCount"}},
    )  # fmt: skip
    assert get(new, "Sheet1") == {"range": "Sheet1!A1", "majorDimension": "ROWS",
                                  "values": [["a"]]}  # fmt: skip


def test_repeat_cell_and_update_cells(book: Spreadsheet) -> None:
    new, _ = apply(
        book,
        {"repeatCell": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True},
                                                       "backgroundColor": {"red": 1}}},
                        "fields": "userEnteredFormat(textFormat,backgroundColor)"}},
        {"updateCells": {"start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 0},
                         "rows": [{"values": [
                             {"userEnteredValue": {"stringValue": "x"}},
                             {"userEnteredValue": {"numberValue": 45356},
                              "userEnteredFormat": {"numberFormat": {"type": "DATE",
                                                                     "pattern": "dd/mm/yyyy"}}},
                         ]}],
                         "fields": "userEnteredValue,userEnteredFormat.numberFormat"}},
    )  # fmt: skip
    fmt = new.sheets[0].cell(0, 25)["userEnteredFormat"]
    assert fmt["textFormat"] == {"bold": True}
    assert fmt["backgroundColorStyle"] == {"rgbColor": {"red": 1}}
    assert get(new, "A2:B2")["values"] == [["x", "05/03/2024"]]


def test_set_data_validation_and_add_chart(book: Spreadsheet) -> None:
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "y"}]},
            "strict": True}  # fmt: skip
    new, reply = apply(
        book,
        {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2,
                                         "startColumnIndex": 0, "endColumnIndex": 1},
                               "rule": rule}},
        {"addChart": {"chart": {"spec": {"title": "Sessions"},
                                "position": {"overlayPosition": {"anchorCell": {"sheetId": 0}}}}}},
    )  # fmt: skip
    assert new.sheets[0].cell(1, 0)["dataValidation"] == rule
    chart = reply["replies"][1]["addChart"]["chart"]
    assert chart["spec"] == {"title": "Sessions"} and chart["chartId"] > 0
    assert new.to_json()["sheets"][0]["charts"] == [chart]
    cleared, _ = apply(new, {"setDataValidation": {"range": {"sheetId": 0}}})
    assert "dataValidation" not in cleared.sheets[0].cell(1, 0)


def test_grid_data_and_field_masks(book: Spreadsheet) -> None:
    put(book, "A1", [["text", 2, True, "=B1*2"]], USER)
    meta = book.to_json(include_grid=True, ranges=["Sheet1!A1:D1"])
    cells = meta["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert [c["userEnteredValue"] for c in cells] == [
        {"stringValue": "text"}, {"numberValue": 2}, {"boolValue": True},
        {"formulaValue": "=B1*2"},
    ]  # fmt: skip
    assert cells[3]["effectiveValue"] == {"numberValue": 4}
    assert cells[3]["formattedValue"] == "4"
    masked = book.to_json(fields="sheets.properties.title,spreadsheetId")
    assert masked == {"spreadsheetId": book.spreadsheet_id,
                      "sheets": [{"properties": {"title": "Sheet1"}}]}  # fmt: skip
