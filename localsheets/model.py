"""The spreadsheet state: sheets, grid sizes, cells; range resolution and reading.

Invariants:
- a sheet's cells live in ``Sheet.cells`` keyed by 0-based (row, col), always
  inside the grid (rowCount x columnCount); empty cells are absent;
- cell dicts are immutable once stored (writers store new dicts), so
  :meth:`Spreadsheet.clone` can copy the cell maps shallowly, which is what
  makes batchUpdate's apply-on-a-copy cheap;
- sheet ``index`` properties always equal the sheet's position in the list.
"""

from __future__ import annotations

import copy
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from . import defaults
from .a1 import A1, Bounds, format_range, parse_a1, quote_title
from .errors import ApiError, bad_request
from .fieldmask import filter_fields, parse_mask
from .formulas import FormulaError, Unsupported, evaluate
from .values import Cell, UnsupportedFormula, formatted, json_number

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"
MAX_FORMULA_DEPTH = 64


def new_spreadsheet_id() -> str:
    return "1" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(43))


@dataclass
class Sheet:
    properties: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    def clone(self) -> Sheet:
        return Sheet(copy.deepcopy(self.properties), dict(self.cells), copy.deepcopy(self.extras))

    def cell(self, row: int, col: int) -> Cell:
        return self.cells.get((row, col), {})

    def put(self, row: int, col: int, cell: Cell) -> None:
        """Store a cell; a cell with nothing left in it is removed."""
        if any(cell.get(k) not in (None, {}) for k in cell):
            self.cells[(row, col)] = cell
        else:
            self.cells.pop((row, col), None)

    def insert_dimension(self, rows: bool, start: int, count: int) -> None:
        """Insert ``count`` empty rows/columns before index ``start``."""
        axis = 0 if rows else 1
        moved: dict[tuple[int, int], Cell] = {}
        for key, cell in self.cells.items():
            if key[axis] >= start:
                key = (key[0] + count, key[1]) if rows else (key[0], key[1] + count)
            moved[key] = cell
        self.cells = moved
        name = "rowCount" if rows else "columnCount"
        self.grid[name] = int(self.grid.get(name, 0)) + count

    def delete_dimension(self, rows: bool, start: int, end: int) -> None:
        """Delete rows/columns ``start`` to ``end`` (exclusive), shifting the rest."""
        axis = 0 if rows else 1
        count = end - start
        kept: dict[tuple[int, int], Cell] = {}
        for key, cell in self.cells.items():
            if start <= key[axis] < end:
                continue
            if key[axis] >= end:
                key = (key[0] - count, key[1]) if rows else (key[0], key[1] - count)
            kept[key] = cell
        self.cells = kept
        name = "rowCount" if rows else "columnCount"
        self.grid[name] = int(self.grid.get(name, 0)) - count
        frozen = "frozenRowCount" if rows else "frozenColumnCount"
        if frozen in self.grid:
            self.grid[frozen] = min(int(self.grid[frozen]), int(self.grid[name]))

    def trim_to_grid(self) -> None:
        rows, cols = self.row_count, self.column_count
        for key in [k for k in self.cells if k[0] >= rows or k[1] >= cols]:
            del self.cells[key]


@dataclass(frozen=True)
class Target:
    """A resolved range: a sheet and a rectangle whose open sides are ``None``."""

    sheet: Sheet
    bounds: Bounds
    single_cell: bool
    cells_text: str

    def clipped(self) -> tuple[int, int, int, int]:
        """(start_row, end_row, start_col, end_col) cut to the grid."""
        b = self.bounds
        rows, cols = self.sheet.row_count, self.sheet.column_count
        start_row = b.start_row or 0
        start_col = b.start_col or 0
        end_row = rows if b.end_row is None else min(b.end_row, rows)
        end_col = cols if b.end_col is None else min(b.end_col, cols)
        return start_row, end_row, start_col, end_col

    def check_inside_grid(self) -> None:
        b = self.bounds
        rows, cols = self.sheet.row_count, self.sheet.column_count
        if (b.start_row or 0) >= rows or (b.start_col or 0) >= cols:
            raise grid_limit_error(self.sheet, self.cells_text)

    def normalized(self) -> str:
        start_row, end_row, start_col, end_col = self.clipped()
        return format_range(self.sheet.title, start_row, end_row, start_col, end_col)


def grid_limit_error(sheet: Sheet, cells_text: str) -> ApiError:
    where = f"{quote_title(sheet.title)}!{cells_text}" if cells_text else quote_title(sheet.title)
    return bad_request(
        f"Range ({where}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.column_count}"
    )


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet]
    drive: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(
        cls,
        title: str,
        sheet_specs: list[dict[str, Any]] | None = None,
        spreadsheet_id: str | None = None,
        locale: str | None = None,
        time_zone: str | None = None,
    ) -> Spreadsheet:
        properties = {
            "title": title,
            "locale": locale or defaults.DEFAULT_LOCALE,
            "autoRecalc": "ON_CHANGE",
            "timeZone": time_zone or defaults.DEFAULT_TIME_ZONE,
        }
        book = cls(spreadsheet_id or new_spreadsheet_id(), properties, [])
        for i, spec in enumerate(sheet_specs or [{}]):
            props = dict(spec.get("properties", spec))
            if i == 0:
                props.setdefault("sheetId", 0)
            book.add_sheet(props)
        return book

    def clone(self) -> Spreadsheet:
        return Spreadsheet(
            self.spreadsheet_id,
            copy.deepcopy(self.properties),
            [s.clone() for s in self.sheets],
            copy.deepcopy(self.drive),
            copy.deepcopy(self.extras),
        )

    @property
    def title(self) -> str:
        return str(self.properties.get("title", ""))

    @property
    def locale(self) -> str:
        return str(self.properties.get("locale", defaults.DEFAULT_LOCALE))

    def new_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while True:
            candidate = secrets.randbelow(2**31 - 2) + 1
            if candidate not in taken:
                return candidate

    def default_sheet_title(self) -> str:
        taken = {s.title.lower() for s in self.sheets}
        n = len(self.sheets) + 1
        while f"sheet{n}" in taken:
            n += 1
        return f"Sheet{n}"

    def add_sheet(self, props: dict[str, Any]) -> Sheet:
        """Add a sheet from SheetProperties; raises ValueError with Google's wording."""
        props = copy.deepcopy(props)
        title = props.get("title") or self.default_sheet_title()
        if self.find_title(title) is not None:
            raise ValueError(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = self.new_sheet_id()
        elif self.find_id(int(sheet_id)) is not None:
            raise ValueError(f"A sheet with the id {sheet_id} already exists.")
        index = props.get("index")
        position = len(self.sheets) if index is None else max(0, min(int(index), len(self.sheets)))
        grid = dict(props.get("gridProperties") or {})
        grid.setdefault("rowCount", defaults.DEFAULT_ROW_COUNT)
        grid.setdefault("columnCount", defaults.DEFAULT_COLUMN_COUNT)
        if grid["rowCount"] <= 0 or grid["columnCount"] <= 0:
            raise ValueError("Sheets must have at least one row and one column.")
        properties: dict[str, Any] = {
            "sheetId": int(sheet_id),
            "title": title,
            "index": position,
            "sheetType": props.get("sheetType", "GRID"),
            "gridProperties": grid,
        }
        for key, value in props.items():
            properties.setdefault(key, value)
        sheet = Sheet(properties)
        self.sheets.insert(position, sheet)
        self.reindex()
        return sheet

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    def find_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def find_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        lowered = title.lower()
        return next((s for s in self.sheets if s.title.lower() == lowered), None)

    def resolve(self, text: str) -> Target:
        """A1 text -> Target; 400 "Unable to parse range" as Google when it cannot."""
        try:
            parsed = parse_a1(text)
        except ValueError:
            raise bad_request(f"Unable to parse range: {text}") from None
        target = self._resolve_parsed(parsed)
        if target is None:
            raise bad_request(f"Unable to parse range: {text}")
        return target

    def _resolve_parsed(self, parsed: A1) -> Target | None:
        whole = Bounds()
        if parsed.sheet is not None:
            sheet = self.find_title(parsed.sheet)
            if sheet is None:
                return None
            cells_text = parsed.text.strip().rpartition("!")[2] if parsed.cells else ""
            return Target(sheet, parsed.cells or whole, _is_single(cells_text), cells_text)
        if parsed.bare is not None:
            sheet = self.find_title(parsed.bare)
            if sheet is not None:
                return Target(sheet, whole, False, "")
        if parsed.cells is not None and self.sheets:
            text = parsed.text.strip()
            return Target(self.sheets[0], parsed.cells, _is_single(text), text)
        return None

    def effective(self, sheet: Sheet, row: int, col: int, depth: int = 0) -> Any:
        """The value a cell shows: its entered value, or its formula's result."""
        entered = sheet.cell(row, col).get("userEnteredValue") or {}
        if "formulaValue" in entered:
            if depth > MAX_FORMULA_DEPTH:
                return FormulaError("#REF!")
            try:
                return evaluate(entered["formulaValue"], _Resolver(self, sheet, depth + 1))
            except Unsupported:
                return UnsupportedFormula(entered["formulaValue"])
        for key in ("stringValue", "numberValue", "boolValue"):
            if key in entered:
                return entered[key]
        return None

    def to_json(
        self,
        include_grid: bool = False,
        ranges: list[str] | None = None,
        fields: str | None = None,
    ) -> dict[str, Any]:
        """The Spreadsheet resource as spreadsheets.get returns it."""
        mask = parse_mask(fields) if fields else None
        if mask is not None:
            include_grid = _mask_wants_grid(mask)
        targets = [self.resolve(r) for r in ranges or []]
        sheets = self.sheets
        if targets:
            wanted = {t.sheet.sheet_id for t in targets}
            sheets = [s for s in self.sheets if s.sheet_id in wanted]
        properties = dict(self.properties)
        properties["defaultFormat"] = copy.deepcopy(defaults.DEFAULT_FORMAT)
        properties["spreadsheetTheme"] = copy.deepcopy(defaults.SPREADSHEET_THEME)
        body: dict[str, Any] = {
            "spreadsheetId": self.spreadsheet_id,
            "properties": properties,
            "sheets": [self._sheet_json(s, include_grid, targets) for s in sheets],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }
        body.update(copy.deepcopy(self.extras))
        return filter_fields(body, mask) if mask is not None else body

    def _sheet_json(
        self, sheet: Sheet, include_grid: bool, targets: list[Target]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"properties": sheet_properties_json(sheet.properties)}
        if include_grid:
            rects = [t.clipped() for t in targets if t.sheet is sheet] or [
                (0, sheet.row_count, 0, sheet.column_count)
            ]
            out["data"] = [self._grid_data(sheet, *rect) for rect in rects]
        out.update(copy.deepcopy(sheet.extras))
        return out

    def _grid_data(
        self, sheet: Sheet, start_row: int, end_row: int, start_col: int, end_col: int
    ) -> dict[str, Any]:
        keys = [
            k for k in sheet.cells if start_row <= k[0] < end_row and start_col <= k[1] < end_col
        ]
        data: dict[str, Any] = {}
        if start_row:
            data["startRow"] = start_row
        if start_col:
            data["startColumn"] = start_col
        if keys:
            last_row = max(k[0] for k in keys)
            rows: list[dict[str, Any]] = []
            for row in range(start_row, last_row + 1):
                cols = [k[1] for k in keys if k[0] == row]
                if not cols:
                    rows.append({})
                    continue
                values = [self.cell_data(sheet, row, c) for c in range(start_col, max(cols) + 1)]
                rows.append({"values": values})
            data["rowData"] = rows
        data["rowMetadata"] = [{"pixelSize": 21} for _ in range(start_row, end_row)]
        data["columnMetadata"] = [{"pixelSize": 100} for _ in range(start_col, end_col)]
        return data

    def cell_data(self, sheet: Sheet, row: int, col: int) -> dict[str, Any]:
        """CellData as includeGridData returns it."""
        cell = sheet.cell(row, col)
        out: dict[str, Any] = {}
        if "userEnteredValue" in cell:
            out["userEnteredValue"] = _json_extended(cell["userEnteredValue"])
            value = self.effective(sheet, row, col)
            effective = _effective_json(value)
            if effective is not None:
                out["effectiveValue"] = effective
            out["formattedValue"] = formatted(value, cell)
        for key in ("userEnteredFormat", "dataValidation", "note", "hyperlink"):
            if key in cell:
                out[key] = copy.deepcopy(cell[key])
        return out

    def to_dict(self) -> dict[str, Any]:
        """Serializable state, for persistence."""
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": self.properties,
            "drive": self.drive,
            "extras": self.extras,
            "sheets": [
                {
                    "properties": s.properties,
                    "extras": s.extras,
                    "cells": [[r, c, cell] for (r, c), cell in sorted(s.cells.items())],
                }
                for s in self.sheets
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Spreadsheet:
        sheets = [
            Sheet(
                s["properties"],
                {(int(r), int(c)): cell for r, c, cell in s.get("cells", [])},
                s.get("extras", {}),
            )
            for s in data["sheets"]
        ]
        return cls(
            data["spreadsheetId"],
            data["properties"],
            sheets,
            data.get("drive", {}),
            data.get("extras", {}),
        )


class _Resolver:
    """Lets formulas read other cells of the same spreadsheet."""

    def __init__(self, book: Spreadsheet, sheet: Sheet, depth: int) -> None:
        self.book, self.sheet, self.depth = book, sheet, depth

    def _sheet(self, title: str | None) -> Sheet:
        if title is None:
            return self.sheet
        sheet = self.book.find_title(title)
        if sheet is None:
            raise Unsupported(title)
        return sheet

    def cell_value(self, sheet: str | None, row: int, col: int) -> Any:
        return self.book.effective(self._sheet(sheet), row, col, self.depth)

    def range_values(self, sheet: str | None, bounds: Bounds) -> list[Any]:
        target = self._sheet(sheet)
        rect = Target(target, bounds, False, "").clipped()
        keys = sorted(
            k for k in target.cells if rect[0] <= k[0] < rect[1] and rect[2] <= k[1] < rect[3]
        )
        return [self.book.effective(target, r, c, self.depth) for r, c in keys]


def _is_single(cells_text: str) -> bool:
    return bool(cells_text) and ":" not in cells_text


def _mask_wants_grid(mask: dict[str, Any]) -> bool:
    sheets = mask.get("sheets")
    return "*" in mask or (sheets is not None and (not sheets or "data" in sheets))


def _json_extended(value: dict[str, Any]) -> dict[str, Any]:
    if "numberValue" in value:
        return {"numberValue": json_number(float(value["numberValue"]))}
    return dict(value)


# ErrorValue as Google gives it: the ErrorType of the code, and a message of its own (in
# the spreadsheet's locale, naming the function: the wording here is only close to it).
ERROR_VALUES = {
    "#ERROR!": ("ERROR", "Formula parse error."),
    "#NULL!": ("NULL_VALUE", "The ranges do not intersect."),
    "#DIV/0!": ("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero."),
    "#VALUE!": ("VALUE", "A parameter is of the wrong type."),
    "#REF!": ("REF", "Reference does not exist."),
    "#NAME?": ("NAME", "Unknown function or range name."),
    "#NUM!": ("NUM", "The result is not a number a sheet can hold."),
    "#N/A": ("N_A", "Value not available."),
}


def _effective_json(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, UnsupportedFormula):
        return {"stringValue": value.text}
    if isinstance(value, FormulaError):
        kind, message = ERROR_VALUES.get(value.code, ERROR_VALUES["#ERROR!"])
        return {"errorValue": {"type": kind, "message": message}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": json_number(float(value))}
    return {"stringValue": str(value)}


_GRID_DEFAULTS = {
    "frozenRowCount": 0,
    "frozenColumnCount": 0,
    "hideGridlines": False,
    "rowGroupControlAfter": False,
    "columnGroupControlAfter": False,
}


def sheet_properties_json(properties: dict[str, Any]) -> dict[str, Any]:
    """SheetProperties without default-valued fields, as Google's JSON omits them."""
    out = copy.deepcopy(properties)
    grid = out.get("gridProperties")
    if isinstance(grid, dict):
        for key, default in _GRID_DEFAULTS.items():
            if grid.get(key, default) == default:
                grid.pop(key, None)
    for key in ("hidden", "rightToLeft"):
        if out.get(key) is False:
            out.pop(key)
    return out
