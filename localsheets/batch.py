"""spreadsheets.batchUpdate: the request types, applied all-or-nothing.

:func:`batch_update` applies every request to a clone of the spreadsheet and
returns the clone only when all succeeded; the caller swaps it in. A handler
signals a bad request by raising :class:`RequestError` with Google's wording;
the error reaching the client names the request (``Invalid
requests[1].deleteDimension: ...``). Handlers return the reply for their request
(``None`` for the empty reply ``{}``).

The cell cap is checked after each request, as Google does (it applies a
rowCount change, then counts): a request that grows the spreadsheet's grid past
``Context.cell_limit`` fails the whole batch with Google's message.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .a1 import format_range
from .errors import bad_request, unknown_field
from .fieldmask import apply_mask, parse_mask
from .limits import grid_cells, over_cell_limit
from .model import Sheet, Spreadsheet, sheet_properties_json
from .moves import Move, follow

OUTPUT_ONLY_CELL_FIELDS = ("effectiveValue", "formattedValue", "effectiveFormat")
EXTENDED_VALUE_KEYS = ("stringValue", "numberValue", "boolValue", "formulaValue", "errorValue")

GOOGLE_REQUEST_TYPES = frozenset(
    {
        "updateSpreadsheetProperties",
        "updateSheetProperties",
        "updateDimensionProperties",
        "updateNamedRange",
        "repeatCell",
        "addNamedRange",
        "deleteNamedRange",
        "addSheet",
        "deleteSheet",
        "autoFill",
        "cutPaste",
        "copyPaste",
        "mergeCells",
        "unmergeCells",
        "updateBorders",
        "updateCells",
        "addFilterView",
        "appendCells",
        "clearBasicFilter",
        "deleteDimension",
        "deleteEmbeddedObject",
        "deleteFilterView",
        "duplicateFilterView",
        "duplicateSheet",
        "findReplace",
        "insertDimension",
        "insertRange",
        "moveDimension",
        "updateEmbeddedObjectPosition",
        "pasteData",
        "textToColumns",
        "updateFilterView",
        "deleteRange",
        "appendDimension",
        "addConditionalFormatRule",
        "updateConditionalFormatRule",
        "deleteConditionalFormatRule",
        "sortRange",
        "setDataValidation",
        "setBasicFilter",
        "addProtectedRange",
        "updateProtectedRange",
        "deleteProtectedRange",
        "autoResizeDimensions",
        "addChart",
        "updateChartSpec",
        "updateBanding",
        "addBanding",
        "deleteBanding",
        "createDeveloperMetadata",
        "updateDeveloperMetadata",
        "deleteDeveloperMetadata",
        "randomizeRange",
        "addDimensionGroup",
        "deleteDimensionGroup",
        "updateDimensionGroup",
        "trimWhitespace",
        "deleteDuplicates",
        "updateEmbeddedObjectBorder",
        "addSlicer",
        "updateSlicerSpec",
        "addDataSource",
        "updateDataSource",
        "deleteDataSource",
        "refreshDataSource",
        "cancelDataSourceRefresh",
        "addTable",
        "updateTable",
        "deleteTable",
    }
)


class RequestError(ValueError):
    """A request that Google would reject; the message is Google's text after the prefix."""


@dataclass
class Context:
    book: Spreadsheet
    cells_written: int = 0
    cell_limit: int | None = None


Handler = Callable[[Context, dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class Rect:
    sheet: Sheet
    start_row: int
    end_row: int
    start_col: int
    end_col: int

    def cells(self) -> list[tuple[int, int]]:
        return [
            (r, c)
            for r in range(self.start_row, self.end_row)
            for c in range(self.start_col, self.end_col)
        ]


def _sheet(book: Spreadsheet, sheet_id: Any) -> Sheet:
    sheet = book.find_id(int(sheet_id or 0))
    if sheet is None:
        raise RequestError(f"No grid with id: {int(sheet_id or 0)}")
    return sheet


def grid_rect(book: Spreadsheet, grid_range: dict[str, Any]) -> Rect:
    """GridRange -> Rect; missing indices mean the whole extent, like Google."""
    sheet = _sheet(book, grid_range.get("sheetId"))
    start_row = int(grid_range.get("startRowIndex", 0))
    end_row = int(grid_range.get("endRowIndex", sheet.row_count))
    start_col = int(grid_range.get("startColumnIndex", 0))
    end_col = int(grid_range.get("endColumnIndex", sheet.column_count))
    if start_row < 0 or start_col < 0 or end_row < start_row or end_col < start_col:
        raise RequestError("Invalid range: start index must not exceed end index.")
    if end_row > sheet.row_count or end_col > sheet.column_count:
        where = format_range(
            sheet.title,
            start_row,
            max(end_row, start_row + 1),
            start_col,
            max(end_col, start_col + 1),
        )
        raise RequestError(
            f"Range ({where}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    return Rect(sheet, start_row, end_row, start_col, end_col)


def _with_styles(fmt: dict[str, Any]) -> dict[str, Any]:
    """Google mirrors colors into their *Style twins (and back) when storing formats."""
    fmt = copy.deepcopy(fmt)
    _mirror(fmt, "backgroundColor", "backgroundColorStyle")
    text = fmt.get("textFormat")
    if isinstance(text, dict):
        _mirror(text, "foregroundColor", "foregroundColorStyle")
    return fmt


def _mirror(obj: dict[str, Any], color: str, style: str) -> None:
    if color in obj and style not in obj:
        obj[style] = {"rgbColor": copy.deepcopy(obj[color])}
    elif style in obj and color not in obj and "rgbColor" in obj[style]:
        obj[color] = copy.deepcopy(obj[style]["rgbColor"])


def _check_extended(value: Any) -> None:
    if (
        not isinstance(value, dict)
        or len(value) != 1
        or next(iter(value)) not in (EXTENDED_VALUE_KEYS)
    ):
        raise RequestError(
            "userEnteredValue must set exactly one of stringValue, "
            "numberValue, boolValue, formulaValue."
        )


def _write_cell(
    ctx: Context, sheet: Sheet, row: int, col: int, data: dict[str, Any], mask: dict[str, Any]
) -> None:
    old = sheet.cell(row, col)
    new = apply_mask(old, data, mask)
    for key in OUTPUT_ONLY_CELL_FIELDS:
        new.pop(key, None)
    if "userEnteredFormat" in new:
        new["userEnteredFormat"] = _with_styles(new["userEnteredFormat"])
    if new.get("userEnteredValue") != old.get("userEnteredValue"):
        ctx.cells_written += 1
    sheet.put(row, col, new)


def _mask(body: dict[str, Any]) -> dict[str, Any]:
    fields = body.get("fields")
    if not fields:
        raise RequestError("At least one field must be specified in 'fields'.")
    try:
        return parse_mask(str(fields))
    except ValueError:
        raise RequestError(f"Invalid field mask: {fields}") from None


def add_sheet(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    try:
        sheet = ctx.book.add_sheet(body.get("properties") or {})
    except ValueError as error:
        raise RequestError(str(error)) from None
    return {"properties": sheet_properties_json(sheet.properties)}


def delete_sheet(ctx: Context, body: dict[str, Any]) -> None:
    sheet_id = int(body.get("sheetId", 0))
    sheet = ctx.book.find_id(sheet_id)
    if sheet is None:
        raise RequestError(f"No sheet with id: {sheet_id}")
    if len(ctx.book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    ctx.book.sheets.remove(sheet)
    ctx.book.reindex()


def update_sheet_properties(ctx: Context, body: dict[str, Any]) -> None:
    props = body.get("properties") or {}
    sheet = _sheet(ctx.book, props.get("sheetId"))
    updated = apply_mask(sheet.properties, props, _mask(body))
    updated["sheetId"] = sheet.sheet_id
    title = updated.get("title")
    if not title:
        raise RequestError("Sheet title must not be empty.")
    clash = ctx.book.find_title(title)
    if clash is not None and clash is not sheet:
        raise RequestError(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    grid = updated.setdefault("gridProperties", {})
    grid.setdefault("rowCount", sheet.row_count)
    grid.setdefault("columnCount", sheet.column_count)
    if int(grid["rowCount"]) < 1 or int(grid["columnCount"]) < 1:
        raise RequestError("Sheets must have at least one row and one column.")
    if int(grid.get("frozenRowCount", 0)) > int(grid["rowCount"]) or int(
        grid.get("frozenColumnCount", 0)
    ) > int(grid["columnCount"]):
        raise RequestError("Frozen rows or columns cannot exceed the sheet's size.")
    new_index = int(updated.get("index", sheet.properties["index"]))
    sheet.properties = updated
    sheet.trim_to_grid()
    ctx.book.sheets.remove(sheet)
    ctx.book.sheets.insert(max(0, min(new_index, len(ctx.book.sheets))), sheet)
    ctx.book.reindex()


def update_spreadsheet_properties(ctx: Context, body: dict[str, Any]) -> None:
    props = body.get("properties") or {}
    ctx.book.properties = apply_mask(ctx.book.properties, props, _mask(body))


def _dimension_range(ctx: Context, body: dict[str, Any]) -> tuple[Sheet, bool, int, int]:
    sheet = _sheet(ctx.book, body.get("sheetId"))
    dimension = body.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestError("range.dimension must be ROWS or COLUMNS.")
    rows = dimension == "ROWS"
    count = sheet.row_count if rows else sheet.column_count
    start = int(body.get("startIndex", 0))
    end = int(body.get("endIndex", count))
    if start < 0 or end <= start:
        raise RequestError("range.endIndex must be greater than range.startIndex.")
    return sheet, rows, start, end


def insert_dimension(ctx: Context, body: dict[str, Any]) -> None:
    sheet, rows, start, end = _dimension_range(ctx, body.get("range") or {})
    count = sheet.row_count if rows else sheet.column_count
    if start > count:
        raise RequestError(
            f"range.startIndex ({start}) must be less than or equal to the sheet's "
            f"{'row' if rows else 'column'} count ({count})."
        )
    inherit_before = bool(body.get("inheritFromBefore"))
    if inherit_before and start == 0:
        raise RequestError("Cannot inherit from before when inserting at the start.")
    sheet.insert_dimension(rows, start, end - start)
    follow(ctx.book, Move(sheet.sheet_id, sheet.title, rows, start, end - start, deleted=False))
    source = start - 1 if inherit_before else end
    _inherit_formats(sheet, rows, source, start, end)


def _inherit_formats(sheet: Sheet, rows: bool, source: int, start: int, end: int) -> None:
    axis = 0 if rows else 1
    formats = {
        key[1 - axis]: cell["userEnteredFormat"]
        for key, cell in sheet.cells.items()
        if key[axis] == source and "userEnteredFormat" in cell
    }
    for line in range(start, end):
        for other, fmt in formats.items():
            r, c = (line, other) if rows else (other, line)
            sheet.put(r, c, {"userEnteredFormat": fmt})


def delete_dimension(ctx: Context, body: dict[str, Any]) -> None:
    sheet, rows, start, end = _dimension_range(ctx, body.get("range") or {})
    count = sheet.row_count if rows else sheet.column_count
    noun = "rows" if rows else "columns"
    if end > count:
        raise RequestError(
            f"range.endIndex ({end}) must be less than or equal to the sheet's "
            f"{noun[:-1]} count ({count})."
        )
    if start == 0 and end == count:
        raise RequestError(f"You can't delete all the {noun} on the sheet.")
    sheet.delete_dimension(rows, start, end)
    follow(ctx.book, Move(sheet.sheet_id, sheet.title, rows, start, end - start, deleted=True))


def append_dimension(ctx: Context, body: dict[str, Any]) -> None:
    sheet = _sheet(ctx.book, body.get("sheetId"))
    dimension = body.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestError("dimension must be ROWS or COLUMNS.")
    length = int(body.get("length", 0))
    if length <= 0:
        raise RequestError("length must be greater than 0.")
    name = "rowCount" if dimension == "ROWS" else "columnCount"
    sheet.grid[name] = int(sheet.grid[name]) + length


def repeat_cell(ctx: Context, body: dict[str, Any]) -> None:
    rect = grid_rect(ctx.book, body.get("range") or {})
    mask = _mask(body)
    data = body.get("cell") or {}
    if "userEnteredValue" in data:
        _check_extended(data["userEnteredValue"])
    for r, c in rect.cells():
        _write_cell(ctx, rect.sheet, r, c, data, mask)


def set_data_validation(ctx: Context, body: dict[str, Any]) -> None:
    rect = grid_rect(ctx.book, body.get("range") or {})
    rule = body.get("rule")
    if rule is not None and not (rule.get("condition") or {}).get("type"):
        raise RequestError("rule.condition.type is required.")
    data = {"dataValidation": rule} if rule else {}
    for r, c in rect.cells():
        _write_cell(ctx, rect.sheet, r, c, data, {"dataValidation": {}})


def update_cells(ctx: Context, body: dict[str, Any]) -> None:
    mask = _mask(body)
    rows = body.get("rows") or []
    if "range" in body:
        rect = grid_rect(ctx.book, body["range"])
        sheet, row0, col0 = rect.sheet, rect.start_row, rect.start_col
        positions = rect.cells()
    elif "start" in body:
        start = body["start"]
        sheet = _sheet(ctx.book, start.get("sheetId"))
        row0, col0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        positions = [
            (row0 + i, col0 + j)
            for i, row in enumerate(rows)
            for j in range(len((row or {}).get("values") or []))
        ]
    else:
        raise RequestError("Either start or range must be specified.")
    for r, c in positions:
        if r >= sheet.row_count or c >= sheet.column_count:
            where = format_range(sheet.title, r, r + 1, c, c + 1)
            raise RequestError(
                f"Range ({where}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.column_count}"
            )
    for r, c in positions:
        row_values = (rows[r - row0] or {}).get("values") or [] if r - row0 < len(rows) else []
        data = row_values[c - col0] if c - col0 < len(row_values) else {}
        if "userEnteredValue" in (data or {}):
            _check_extended(data["userEnteredValue"])
        _write_cell(ctx, sheet, r, c, data or {}, mask)


def _new_object_id(book: Spreadsheet) -> int:
    taken = {
        int(obj.get("chartId", 0))
        for sheet in book.sheets
        for obj in sheet.extras.get("charts", [])
    }
    while True:
        candidate = secrets.randbelow(2**31 - 2) + 1
        if candidate not in taken:
            return candidate


def add_chart(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(body.get("chart") or {})
    if "spec" not in chart:
        raise RequestError("chart.spec is required.")
    position = chart.get("position") or {}
    if position.get("newSheet"):
        raise RequestError("localsheets places charts on existing sheets only (newSheet).")
    anchor = (position.get("overlayPosition") or {}).get("anchorCell") or {}
    sheet = _sheet(ctx.book, position.get("sheetId", anchor.get("sheetId")))
    chart.setdefault("chartId", _new_object_id(ctx.book))
    sheet.extras.setdefault("charts", []).append(chart)
    return {"chart": copy.deepcopy(chart)}


def _find_chart(book: Spreadsheet, chart_id: int) -> tuple[Sheet, dict[str, Any]]:
    for sheet in book.sheets:
        for chart in sheet.extras.get("charts", []):
            if int(chart.get("chartId", -1)) == chart_id:
                return sheet, chart
    raise RequestError(f"No chart with id: {chart_id}")


def update_chart_spec(ctx: Context, body: dict[str, Any]) -> None:
    _, chart = _find_chart(ctx.book, int(body.get("chartId", 0)))
    chart["spec"] = copy.deepcopy(body.get("spec") or {})


def delete_embedded_object(ctx: Context, body: dict[str, Any]) -> None:
    sheet, chart = _find_chart(ctx.book, int(body.get("objectId", 0)))
    sheet.extras["charts"].remove(chart)
    if not sheet.extras["charts"]:
        del sheet.extras["charts"]


def merge_cells(ctx: Context, body: dict[str, Any]) -> None:
    grid_range = body.get("range") or {}
    rect = grid_rect(ctx.book, grid_range)
    kind = body.get("mergeType", "MERGE_ALL")
    pieces: list[tuple[int, int, int, int]]
    if kind == "MERGE_ROWS":
        pieces = [
            (r, r + 1, rect.start_col, rect.end_col) for r in range(rect.start_row, rect.end_row)
        ]
    elif kind == "MERGE_COLUMNS":
        pieces = [
            (rect.start_row, rect.end_row, c, c + 1) for c in range(rect.start_col, rect.end_col)
        ]
    else:
        pieces = [(rect.start_row, rect.end_row, rect.start_col, rect.end_col)]
    merges = rect.sheet.extras.setdefault("merges", [])
    for r0, r1, c0, c1 in pieces:
        if (r1 - r0) * (c1 - c0) > 1:
            merges.append(
                {
                    "sheetId": rect.sheet.sheet_id,
                    "startRowIndex": r0,
                    "endRowIndex": r1,
                    "startColumnIndex": c0,
                    "endColumnIndex": c1,
                }
            )


def unmerge_cells(ctx: Context, body: dict[str, Any]) -> None:
    rect = grid_rect(ctx.book, body.get("range") or {})
    merges = rect.sheet.extras.get("merges", [])
    kept = [
        m
        for m in merges
        if not (
            rect.start_row <= m["startRowIndex"]
            and m["endRowIndex"] <= rect.end_row
            and rect.start_col <= m["startColumnIndex"]
            and m["endColumnIndex"] <= rect.end_col
        )
    ]
    if kept:
        rect.sheet.extras["merges"] = kept
    else:
        rect.sheet.extras.pop("merges", None)


def accept_dimension_properties(ctx: Context, body: dict[str, Any]) -> None:
    """Row heights / column widths: validated, then ignored (nothing reads them back)."""
    if "dataSourceSheetRange" in body:
        raise RequestError("localsheets does not support data source sheets.")
    _dimension_range(ctx, body.get("range") or body.get("dimensions") or {})


def add_conditional_format_rule(ctx: Context, body: dict[str, Any]) -> None:
    rule = copy.deepcopy(body.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise RequestError("rule.ranges must not be empty.")
    sheet = grid_rect(ctx.book, ranges[0]).sheet
    rules = sheet.extras.setdefault("conditionalFormats", [])
    rules.insert(int(body.get("index", len(rules))), rule)


def delete_conditional_format_rule(ctx: Context, body: dict[str, Any]) -> None:
    sheet = _sheet(ctx.book, body.get("sheetId"))
    rules = sheet.extras.get("conditionalFormats", [])
    index = int(body.get("index", 0))
    if not 0 <= index < len(rules):
        raise RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    rules.pop(index)
    if not rules:
        sheet.extras.pop("conditionalFormats", None)


def add_named_range(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    named = copy.deepcopy(body.get("namedRange") or {})
    grid_rect(ctx.book, named.get("range") or {})
    named.setdefault("namedRangeId", secrets.token_hex(6))
    ctx.book.extras.setdefault("namedRanges", []).append(named)
    return {"namedRange": copy.deepcopy(named)}


def delete_named_range(ctx: Context, body: dict[str, Any]) -> None:
    ranges = ctx.book.extras.get("namedRanges", [])
    kept = [r for r in ranges if r.get("namedRangeId") != body.get("namedRangeId")]
    if len(kept) == len(ranges):
        raise RequestError(f"No named range with id: {body.get('namedRangeId')}")
    ctx.book.extras["namedRanges"] = kept
    if not kept:
        del ctx.book.extras["namedRanges"]


def add_protected_range(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    protected = copy.deepcopy(body.get("protectedRange") or {})
    sheet = grid_rect(ctx.book, protected.get("range") or {}).sheet
    protected.setdefault("protectedRangeId", secrets.randbelow(2**31 - 2) + 1)
    sheet.extras.setdefault("protectedRanges", []).append(protected)
    return {"protectedRange": copy.deepcopy(protected)}


def delete_protected_range(ctx: Context, body: dict[str, Any]) -> None:
    wanted = int(body.get("protectedRangeId", 0))
    for sheet in ctx.book.sheets:
        ranges = sheet.extras.get("protectedRanges", [])
        kept = [r for r in ranges if int(r.get("protectedRangeId", -1)) != wanted]
        if len(kept) != len(ranges):
            sheet.extras["protectedRanges"] = kept
            if not kept:
                del sheet.extras["protectedRanges"]
            return
    raise RequestError(f"No protected range with id: {wanted}")


def set_basic_filter(ctx: Context, body: dict[str, Any]) -> None:
    flt = copy.deepcopy(body.get("filter") or {})
    rect = grid_rect(ctx.book, flt.get("range") or {})
    rect.sheet.extras["basicFilter"] = flt


def clear_basic_filter(ctx: Context, body: dict[str, Any]) -> None:
    _sheet(ctx.book, body.get("sheetId")).extras.pop("basicFilter", None)


def accept_without_effect(ctx: Context, body: dict[str, Any]) -> None:
    """Requests that only change presentation the local server does not model."""
    _dimension_range(ctx, body.get("dimensions") or {})


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "appendDimension": append_dimension,
    "repeatCell": repeat_cell,
    "setDataValidation": set_data_validation,
    "updateCells": update_cells,
    "addChart": add_chart,
    "updateChartSpec": update_chart_spec,
    "deleteEmbeddedObject": delete_embedded_object,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "updateDimensionProperties": accept_dimension_properties,
    "autoResizeDimensions": accept_without_effect,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
}

BODY_FIELDS = (
    "requests",
    "includeSpreadsheetInResponse",
    "responseRanges",
    "responseIncludeGridData",
)


def _apply_one(ctx: Context, index: int, request: Any) -> dict[str, Any]:
    if not isinstance(request, dict) or not request:
        raise bad_request(f"Invalid requests[{index}]: No request set.")
    for kind in request:
        if kind not in GOOGLE_REQUEST_TYPES:
            raise unknown_field(kind, f"requests[{index}]")
    if len(request) != 1:
        raise bad_request(f"Invalid requests[{index}]: More than one request set.")
    kind, body = next(iter(request.items()))
    handler = HANDLERS.get(kind)
    if handler is None:
        raise bad_request(
            f"Invalid requests[{index}].{kind}: localsheets does not support this request type."
        )
    try:
        before = grid_cells(ctx.book.sheets)
        reply = handler(ctx, body if isinstance(body, dict) else {})
        over = over_cell_limit(before, grid_cells(ctx.book.sheets), ctx.cell_limit)
        if over:
            raise RequestError(over)
    except (RequestError, TypeError, KeyError) as error:
        message = str(error) if isinstance(error, RequestError) else f"Malformed request: {error}"
        raise bad_request(f"Invalid requests[{index}].{kind}: {message}") from None
    return {kind: reply} if reply else {}


def batch_update(
    book: Spreadsheet, body: Any, cell_limit: int | None = None
) -> tuple[Spreadsheet, dict[str, Any], int]:
    """Apply a batchUpdate body to a copy; returns (new state, reply, cells written)."""
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received.")
    for key in body:
        if key not in BODY_FIELDS:
            raise unknown_field(key)
    requests = body.get("requests") or []
    if not isinstance(requests, list) or not requests:
        raise bad_request("Must specify at least one request.")
    ctx = Context(book.clone(), cell_limit=cell_limit)
    replies = [_apply_one(ctx, i, request) for i, request in enumerate(requests)]
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = ctx.book.to_json(
            include_grid=bool(body.get("responseIncludeGridData")),
            ranges=body.get("responseRanges") or None,
        )
    return ctx.book, out, ctx.cells_written
