"""Reading a local .xlsx workbook into Tables: python-calamine first, openpyxl as the fallback.

Both readers hand the core the same values: empty cells as None, whole numbers as
int, date cells as datetime, cached values of formulas. A cell that holds no usable
value becomes `cells.Unusable`, whichever reader ran, so the core reports it instead
of taking it for text, an id or an empty cell:
- an error cell (`t="e"`: #N/A, #DIV/0!, ...), which calamine reads as "";
- a formula without a cached result (`<f>` without `<v>`, as a program that does not
  calculate writes it), which both readers read as empty;
- a negative date serial, which calamine reads as a time of day and openpyxl as a day
  of 1899 (a serial past 9999-12-31 stays a number and is refused as a date later).

Each worksheet part is first scanned as a stream for the markers (`t="e"`,
`<f>`, `<f `, `<v>-`) and parsed only when it holds one. A serial far below zero makes
calamine panic (pyo3's PanicException is a BaseException): such a workbook is read
with openpyxl straight away, and any other panic falls back to openpyxl too.
"""

from __future__ import annotations

import html
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .. import collector
from ..cells import Unusable, absurd_serial, error_value, uncached_formula
from ..errors import UserError
from ..i18n import DEFAULT, translations
from .base import Cell, Table
from .xlsxpatch import WORKBOOK, WORKBOOK_RELS, Unpatchable, sheet_parts
from .xlsxtext import decoded_cell

ERROR, UNCACHED, NEGATIVE = "error", "uncached", "negative"
LOWEST_SAFE_SERIAL = -2958465.0  # far below this calamine may panic on a date cell


@dataclass(frozen=True, slots=True)
class Mark:
    """A cell whose reading the scan corrects: 1-based row and column, kind, raw XML text."""

    row: int
    col: int
    kind: str
    raw: str


# -- calamine --------------------------------------------------------------------------------
def read_calamine(path: Path, plain: set[str] | None = None) -> dict[str, Table] | None:
    """Every worksheet through python-calamine, or None to read it with openpyxl instead.

    `plain`, when given, receives the titles of worksheets that hold no formula at all
    (the writer need not look into them again).
    """
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum
    except ImportError:
        return None
    try:
        marks = scan_marks(path, plain)
    except (OSError, KeyError, zipfile.BadZipFile, Unpatchable):
        return None
    if any(_may_panic(m) for found in marks.values() for m in found):
        return None
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # anything calamine cannot open, openpyxl judges
        return None
    try:
        with collector.paused():  # millions of cells and no cycle to collect
            tables: dict[str, Table] = {}
            for meta in wb.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue
                rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                tables[meta.name] = _rows_table(meta.name, rows)
    except Exception:
        return None
    except BaseException as err:  # a Rust panic; never swallow an interrupt or an exit
        if isinstance(err, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        return None
    finally:
        wb.close()
    apply_marks(tables, marks)
    return tables


def _may_panic(mark: Mark) -> bool:
    if mark.kind != NEGATIVE:
        return False
    try:
        return float(mark.raw) < LOWEST_SAFE_SERIAL
    except ValueError:
        return True


_BIGGEST_EXACT = 2.0**53


def _as_openpyxl(value: Cell) -> Cell:
    """A calamine value as openpyxl delivers it."""
    kind = type(value)
    if kind is float:
        number: float = value  # type: ignore[assignment]
        return int(number) if number.is_integer() and abs(number) < _BIGGEST_EXACT else number
    if kind is str:
        return value or None
    if kind is date:
        day: date = value  # type: ignore[assignment]
        return datetime(day.year, day.month, day.day)
    return value


def _rows_table(title: str, rows: Sequence[Sequence[Cell]]) -> Table:
    convert = _as_openpyxl
    values = [[v if type(v) is str and v else convert(v) for v in row] for row in rows]
    header = values[0] if values else []
    body = values[1:]
    while body and all(v is None for v in body[-1]):
        body.pop()
    return Table(title, list(header), body)


# -- openpyxl --------------------------------------------------------------------------------
def read_openpyxl(wb: Workbook, path: Path, locale: str = DEFAULT) -> dict[str, Table]:
    """Every worksheet of a workbook openpyxl opened (read-only, cached values); a cell no
    reader understands is refused in `locale`."""
    try:
        with warnings.catch_warnings():  # a date serial out of range: marked below, not shown
            warnings.simplefilter("ignore", UserWarning)
            tables = {ws.title: table_of(ws) for ws in wb.worksheets}
    except (ValueError, OverflowError) as err:  # e.g. a number cell holding "NaN"
        raise UserError(translations(locale).gettext(
            "%(workbook)s holds a cell no .xlsx reader understands (%(error)s); open it in your "
            "spreadsheet program, save it and run sheetsync again.") % {
                "workbook": path.name, "error": err}) from None
    try:
        marks = scan_marks(path)
    except (OSError, KeyError, zipfile.BadZipFile, Unpatchable):
        return tables  # error cells are marked already; uncached formulas read as empty
    apply_marks(tables, marks)
    return tables


def table_of(ws: Worksheet) -> Table:
    rows = [[error_value(str(c.value)) if c.data_type == "e" else decoded_cell(c.value) for c in r]
            for r in ws.iter_rows()]
    header = rows[0] if rows else []
    body = rows[1:]
    while body and all(v is None or v == "" for v in body[-1]):
        body.pop()
    return Table(ws.title, list(header), body)


# -- the scan --------------------------------------------------------------------------------
_MARKERS = (b't="e"', b"<f>", b"<f ", b"<v>-")  # never <formula1> of a drop-down
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>|<v\s*/>")
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>([^<]*)</f>)")


def scan_marks(path: Path, plain: set[str] | None = None) -> dict[str, list[Mark]]:
    """The cells of each worksheet that need correcting, by worksheet title.

    Worksheets with no marker at all (so no formula) are added to `plain` when given.
    """
    marks: dict[str, list[Mark]] = {}
    with zipfile.ZipFile(path) as book:
        parts = sheet_parts(book.read(WORKBOOK), book.read(WORKBOOK_RELS))
        for title, part in parts.items():
            if not _has_markers(book, part):
                if plain is not None:
                    plain.add(title)
            else:
                found = list(_marks(book.read(part)))
                if found:
                    marks[title] = found
    return marks


def _has_markers(book: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(1 << 23):
            window = tail + chunk
            if any(marker in window for marker in _MARKERS):
                return True
            tail = chunk[-8:]
    return False


def _marks(xml: bytes) -> Iterator[Mark]:
    for found in _CELL.finditer(xml):
        body = found.group(4)
        if not body:
            continue
        kind = _TYPE.search(found.group(3))
        cell_type = kind.group(1) if kind else b"n"
        found_value = _VALUE.search(body)
        value = found_value.group(1) or b"" if found_value else b""
        row, col = int(found.group(2)), column_index_from_string(found.group(1).decode())
        if cell_type == b"e":
            yield Mark(row, col, ERROR, _text(value) or "#N/A")
        elif _uncached(cell_type, value) and (formula := _FORMULA.search(body)) is not None:
            yield Mark(row, col, UNCACHED, _text(formula.group(1) or b""))
        elif cell_type == b"n" and value.startswith(b"-"):
            yield Mark(row, col, NEGATIVE, _text(value))


def _uncached(cell_type: bytes, value: bytes) -> bool:
    """No cached result: no `<v>` or an empty one, unless the result is empty text."""
    return not value and cell_type != b"str"


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


def apply_marks(tables: dict[str, Table], marks: dict[str, list[Mark]]) -> None:
    """Put `Unusable` where the scan found a cell without a usable value."""
    for title, found in marks.items():
        table = tables.get(title)
        if table is None:
            continue
        for mark in found:
            _apply(table, mark)
        width = max(len(v) for v in [table.header, *table.rows])
        for values in [table.header, *table.rows]:
            values.extend([None] * (width - len(values)))  # as wide as the reader's rows


def _apply(table: Table, mark: Mark) -> None:
    if mark.kind == NEGATIVE and not isinstance(table.cell(mark.row, mark.col),
                                                 date | time | Unusable):
        return  # a negative amount, not a date-formatted cell
    while mark.row - 1 > len(table.rows):
        table.rows.append([])  # a trailing row with nothing but such cells
    values = table.header if mark.row == 1 else table.rows[mark.row - 2]
    values.extend([None] * (mark.col - len(values)))
    values[mark.col - 1] = _unusable(mark)


def _unusable(mark: Mark) -> Unusable:
    if mark.kind == ERROR:
        return error_value(mark.raw)
    if mark.kind == UNCACHED:
        return uncached_formula(mark.raw)
    return absurd_serial(mark.raw)
