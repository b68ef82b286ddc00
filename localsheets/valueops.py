"""The spreadsheets.values.* methods on the model: get, batchGet, update,
batchUpdate, append, clear, batchClear.

Each function validates its input like Google (raising ApiError with Google's
wording), changes the given Spreadsheet in place, and returns the reply body
plus, for writes, the number of cells written. Callers wanting atomicity pass a
clone and keep it only when no ApiError was raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .a1 import cell_name, col_letters, format_range
from .errors import ApiError, bad_request, invalid_value, unknown_field
from .model import Sheet, Spreadsheet, Target, grid_limit_error
from .values import (
    DATE_TIME_RENDER_OPTIONS,
    VALUE_INPUT_OPTIONS,
    VALUE_RENDER_OPTIONS,
    Cell,
    number_format,
    raw_value,
    render,
    user_entered_value,
)

MAJOR_DIMENSIONS = ("ROWS", "COLUMNS")
INSERT_DATA_OPTIONS = ("OVERWRITE", "INSERT_ROWS")
VALUE_RANGE_FIELDS = ("range", "majorDimension", "values")
LIST_VALUE = "type.googleapis.com/google.protobuf.ListValue"


@dataclass(frozen=True)
class ReadOptions:
    value_render: str = "FORMATTED_VALUE"
    date_time_render: str = "SERIAL_NUMBER"
    major_dimension: str = "ROWS"


@dataclass
class Written:
    """Cells one write touched, for the updated* counters."""

    sheet: Sheet
    cells: list[tuple[int, int]]

    def summary(self, spreadsheet_id: str, fallback_range: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if not self.cells:
            out["updatedRange"] = fallback_range
            return out
        rows = {r for r, _ in self.cells}
        cols = {c for _, c in self.cells}
        out["updatedRange"] = format_range(
            self.sheet.title, min(rows), max(rows) + 1, min(cols), max(cols) + 1
        )
        out["updatedRows"] = len(rows)
        out["updatedColumns"] = len(cols)
        out["updatedCells"] = len(self.cells)
        return out


def check_enum(value: str | None, allowed: Iterable[str], field: str, type_name: str) -> str:
    allowed = tuple(allowed)
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise invalid_value(
            field, f"type.googleapis.com/google.apps.sheets.v4.{type_name}", json.dumps(value)
        )
    return value


def read_options(params: dict[str, str]) -> ReadOptions:
    return ReadOptions(
        check_enum(
            params.get("valueRenderOption"),
            VALUE_RENDER_OPTIONS,
            "value_render_option",
            "ValueRenderOption",
        ),
        check_enum(
            params.get("dateTimeRenderOption"),
            DATE_TIME_RENDER_OPTIONS,
            "date_time_render_option",
            "DateTimeRenderOption",
        ),
        check_enum(params.get("majorDimension"), MAJOR_DIMENSIONS, "major_dimension", "Dimension"),
    )


def read_values(book: Spreadsheet, target: Target, options: ReadOptions) -> dict[str, Any]:
    """A ValueRange for values.get: requested range (cut to the grid), trailing blanks dropped."""
    target.check_inside_grid()
    start_row, end_row, start_col, end_col = target.clipped()
    sheet = target.sheet
    keys = [
        key
        for key, cell in sheet.cells.items()
        if "userEnteredValue" in cell
        and start_row <= key[0] < end_row
        and start_col <= key[1] < end_col
    ]
    out: dict[str, Any] = {
        "range": format_range(sheet.title, start_row, end_row, start_col, end_col),
        "majorDimension": options.major_dimension,
    }
    if not keys:
        return out
    rows_major = options.major_dimension == "ROWS"
    outer = 0 if rows_major else 1
    outer_start = start_row if rows_major else start_col
    inner_start = start_col if rows_major else start_row
    last_inner: dict[int, int] = {}
    for key in keys:
        last_inner[key[outer]] = max(last_inner.get(key[outer], -1), key[1 - outer])
    values: list[list[Any]] = []
    for line in range(outer_start, max(last_inner) + 1):
        if line not in last_inner:
            values.append([])
            continue
        row = []
        for pos in range(inner_start, last_inner[line] + 1):
            r, c = (line, pos) if rows_major else (pos, line)
            cell = sheet.cell(r, c)
            value = book.effective(sheet, r, c) if cell else None
            row.append(render(value, cell, options.value_render, options.date_time_render))
        values.append(row)
    out["values"] = values
    return out


def values_get(book: Spreadsheet, range_text: str, params: dict[str, str]) -> dict[str, Any]:
    return read_values(book, book.resolve(range_text), read_options(params))


def values_batch_get(
    book: Spreadsheet, ranges: list[str], params: dict[str, str]
) -> dict[str, Any]:
    options = read_options(params)
    targets = [book.resolve(r) for r in ranges]
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if targets:
        out["valueRanges"] = [read_values(book, t, options) for t in targets]
    return out


def _check_value_range(body: Any, where: str) -> tuple[list[list[Any]], str]:
    """Validate a ValueRange body; returns (values, majorDimension)."""
    if not isinstance(body, dict):
        raise invalid_value(
            where, "type.googleapis.com/google.apps.sheets.v4.ValueRange", json.dumps(body)
        )
    for key in body:
        if key not in VALUE_RANGE_FIELDS:
            raise unknown_field(key, where if where != "data" else None)
    values = body.get("values")
    if values is None:
        values = []
    if not isinstance(values, list):
        raise invalid_value(f"{where}.values", LIST_VALUE, json.dumps(values))
    for i, row in enumerate(values):
        if not isinstance(row, list):
            raise invalid_value(f"{where}.values[{i}]", LIST_VALUE, json.dumps(row))
        for j, item in enumerate(row):
            if item is not None and not isinstance(item, str | int | float | bool):
                raise bad_request(f"Invalid values[{i}][{j}]: {json.dumps(item)}")
    major = body.get("majorDimension") or "ROWS"
    if major not in MAJOR_DIMENSIONS:
        raise invalid_value(
            f"{where}.major_dimension",
            "type.googleapis.com/google.apps.sheets.v4.Dimension",
            json.dumps(major),
        )
    return values, major


def _new_cell(old: Cell, value: Any, input_option: str, locale: str) -> Cell:
    if input_option == "RAW":
        entered, inferred = raw_value(value), None
    else:
        entered, inferred = user_entered_value(value, locale)
    cell = dict(old)
    if entered is None:
        cell.pop("userEnteredValue", None)
    else:
        cell["userEnteredValue"] = entered
    if inferred is not None and number_format(old) is None:
        cell["userEnteredFormat"] = {
            **(old.get("userEnteredFormat") or {}),
            "numberFormat": inferred,
        }
    return cell


def _placements(
    values: list[list[Any]], major: str, row0: int, col0: int
) -> list[tuple[int, int, Any]]:
    out = []
    for i, line in enumerate(values):
        for j, value in enumerate(line):
            if value is None:
                continue
            r, c = (row0 + i, col0 + j) if major == "ROWS" else (row0 + j, col0 + i)
            out.append((r, c, value))
    return out


def write_values(
    book: Spreadsheet,
    target: Target,
    values: list[list[Any]],
    major: str,
    input_option: str,
    anchor: tuple[int, int] | None = None,
) -> Written:
    """Write a 2-D array at the range's top-left, checking range and grid limits."""
    sheet = target.sheet
    bounds = target.bounds
    row0, col0 = anchor or (bounds.start_row or 0, bounds.start_col or 0)
    placements = _placements(values, major, row0, col0)
    if anchor is None and not target.single_cell:
        for r, c, _ in placements:
            if bounds.end_row is not None and r >= bounds.end_row:
                raise bad_request(
                    f"Requested writing within range [{target.normalized()}], "
                    f"but tried writing to row [{r + 1}]"
                )
            if bounds.end_col is not None and c >= bounds.end_col:
                raise bad_request(
                    f"Requested writing within range [{target.normalized()}], "
                    f"but tried writing to column [{col_letters(c)}]"
                )
    for r, c, _ in placements:
        if r >= sheet.row_count or c >= sheet.column_count:
            raise grid_limit_error(sheet, target.cells_text or cell_name(row0, col0))
    for r, c, value in placements:
        sheet.put(r, c, _new_cell(sheet.cell(r, c), value, input_option, book.locale))
    return Written(sheet, [(r, c) for r, c, _ in placements])


def _input_option(value: str | None, batch: bool = False) -> str:
    if value is None:
        if batch:
            raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        raise bad_request("'valueInputOption' is required but not specified")
    return check_enum(value, VALUE_INPUT_OPTIONS, "value_input_option", "ValueInputOption")


def _response_options(params: dict[str, Any]) -> ReadOptions:
    return ReadOptions(
        check_enum(
            params.get("responseValueRenderOption"),
            VALUE_RENDER_OPTIONS,
            "response_value_render_option",
            "ValueRenderOption",
        ),
        check_enum(
            params.get("responseDateTimeRenderOption"),
            DATE_TIME_RENDER_OPTIONS,
            "response_date_time_render_option",
            "DateTimeRenderOption",
        ),
    )


def _wants_values(flag: Any) -> bool:
    return str(flag).lower() == "true"


def _updated_data(book: Spreadsheet, written: Written, options: ReadOptions) -> dict[str, Any]:
    summary = written.summary(book.spreadsheet_id, "")
    return read_values(book, book.resolve(summary["updatedRange"]), options)


def values_update(
    book: Spreadsheet, range_text: str, body: Any, params: dict[str, str]
) -> tuple[dict[str, Any], int]:
    values, major = _check_value_range(body, "data")
    input_option = _input_option(params.get("valueInputOption"))
    target = book.resolve(range_text)
    written = write_values(book, target, values, major, input_option)
    out = written.summary(book.spreadsheet_id, target.normalized())
    if _wants_values(params.get("includeValuesInResponse")) and written.cells:
        out["updatedData"] = _updated_data(book, written, _response_options(params))
    return out, len(written.cells)


def values_batch_update(book: Spreadsheet, body: Any) -> tuple[dict[str, Any], int]:
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received.")
    allowed = (
        "valueInputOption",
        "data",
        "includeValuesInResponse",
        "responseValueRenderOption",
        "responseDateTimeRenderOption",
    )
    for key in body:
        if key not in allowed:
            raise unknown_field(key)
    input_option = _input_option(body.get("valueInputOption"), batch=True)
    data = body.get("data") or []
    if not isinstance(data, list):
        raise invalid_value(
            "data", "type.googleapis.com/google.apps.sheets.v4.ValueRange", json.dumps(data)
        )
    responses, all_written = [], []
    for i, item in enumerate(data):
        values, major = _check_value_range(item, f"data[{i}]")
        range_text = item.get("range") if isinstance(item, dict) else None
        if not range_text:
            raise bad_request(f"Invalid data[{i}]: No range specified.")
        try:
            target = book.resolve(range_text)
            written = write_values(book, target, values, major, input_option)
        except ApiError as error:
            raise bad_request(f"Invalid data[{i}]: {error.message}") from None
        response = written.summary(book.spreadsheet_id, target.normalized())
        if _wants_values(body.get("includeValuesInResponse")) and written.cells:
            response["updatedData"] = _updated_data(book, written, _response_options(body))
        responses.append(response)
        all_written.append(written)
    cells = {(w.sheet.sheet_id, r, c) for w in all_written for r, c in w.cells}
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if cells:
        out["totalUpdatedRows"] = len({(s, r) for s, r, _ in cells})
        out["totalUpdatedColumns"] = len({(s, c) for s, _, c in cells})
        out["totalUpdatedCells"] = len(cells)
        out["totalUpdatedSheets"] = len({s for s, _, _ in cells})
    if responses:
        out["responses"] = responses
    return out, sum(len(w.cells) for w in all_written)


def find_table(target: Target) -> tuple[int, int, int, int] | None:
    """Google's append table detection, approximately.

    The table starts at the first cell with a value inside the range; it goes down
    while rows have values (in the range's columns, or in any column when the
    range is a single cell) and spans the columns those rows use.
    """
    sheet = target.sheet
    start_row, end_row, start_col, end_col = target.clipped()
    filled: dict[int, set[int]] = {}
    for (r, c), cell in sheet.cells.items():
        if "userEnteredValue" in cell and (target.single_cell or start_col <= c < end_col):
            filled.setdefault(r, set()).add(c)
    first = min(
        (
            r
            for r, cols in filled.items()
            if start_row <= r < end_row and any(start_col <= c < end_col for c in cols)
        ),
        default=None,
    )
    if first is None:
        return None
    row = first
    columns: set[int] = set()
    while row in filled:
        columns |= filled[row]
        row += 1
    return first, row, min(columns), max(columns) + 1


def values_append(
    book: Spreadsheet, range_text: str, body: Any, params: dict[str, str]
) -> tuple[dict[str, Any], int]:
    values, major = _check_value_range(body, "data")
    input_option = _input_option(params.get("valueInputOption"))
    insert = check_enum(
        params.get("insertDataOption"),
        INSERT_DATA_OPTIONS,
        "insert_data_option",
        "InsertDataOption",
    )
    target = book.resolve(range_text)
    target.check_inside_grid()
    sheet = target.sheet
    table = find_table(target)
    if table is None:
        row0, col0 = target.bounds.start_row or 0, target.bounds.start_col or 0
    else:
        row0, col0 = table[1], table[2]
    height = len(values) if major == "ROWS" else max((len(v) for v in values), default=0)
    width = max((len(v) for v in values), default=0) if major == "ROWS" else len(values)
    if insert == "INSERT_ROWS" and height:
        sheet.insert_dimension(True, min(row0, sheet.row_count), height)
    if row0 + height > sheet.row_count:
        sheet.grid["rowCount"] = row0 + height
    if col0 + width > sheet.column_count:
        sheet.grid["columnCount"] = col0 + width
    written = write_values(book, target, values, major, input_option, anchor=(row0, col0))
    updates = written.summary(
        book.spreadsheet_id, format_range(sheet.title, row0, row0 + 1, col0, col0 + 1)
    )
    if _wants_values(params.get("includeValuesInResponse")) and written.cells:
        updates["updatedData"] = _updated_data(book, written, _response_options(params))
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if table is not None:
        out["tableRange"] = format_range(sheet.title, *table)
    out["updates"] = updates
    return out, len(written.cells)


def clear_range(target: Target) -> str:
    target.check_inside_grid()
    start_row, end_row, start_col, end_col = target.clipped()
    sheet = target.sheet
    for key in [
        k for k in sheet.cells if start_row <= k[0] < end_row and start_col <= k[1] < end_col
    ]:
        cell = dict(sheet.cells[key])
        cell.pop("userEnteredValue", None)
        sheet.put(key[0], key[1], cell)
    return target.normalized()


def values_clear(book: Spreadsheet, range_text: str) -> dict[str, Any]:
    return {
        "spreadsheetId": book.spreadsheet_id,
        "clearedRange": clear_range(book.resolve(range_text)),
    }


def values_batch_clear(book: Spreadsheet, body: Any) -> dict[str, Any]:
    ranges = body.get("ranges", []) if isinstance(body, dict) else None
    if not isinstance(ranges, list):
        raise invalid_value("ranges", "TYPE_STRING", json.dumps(ranges))
    cleared = [clear_range(book.resolve(r)) for r in ranges]
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if cleared:
        out["clearedRanges"] = cleared
    return out
