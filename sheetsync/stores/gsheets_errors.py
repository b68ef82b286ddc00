"""Telling a Google Sheet's error cells from text that reads the same. No I/O.

values.batchGet (UNFORMATTED_VALUE) answers an error cell with its text: a formula
giving #N/A reads "#N/A", exactly as a client named "#N/A" typed as text. Only a value
that reads exactly as one of Google's error codes can be an error, so only such cells
are asked about, in one spreadsheets.get of their effectiveValue (one range per tab and
column, from its first such cell to its last, split where GAP rows hold none), sent only
when the read found one. So that the reply stays a few MB however big the studio, the
ranges go in one request per ERROR_CELLS cells (a cell's effectiveValue is about 45
bytes of compact JSON).

- a cell whose effectiveValue is an errorValue becomes `cells.Unusable`, with the cause
  the .xlsx reader gives (`cells.error_value`), and shows the text values.batchGet read;
- a cell stays text only when its effectiveValue is that same text: a cell that changed
  between the two requests is never taken for text (the next sync reads it anew).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from typing import Any

from ..cells import ERROR_CODES, error_value
from .base import Table
from .gsheets_wire import quote
from .layout import column_letter

GOOGLE_ERROR_CODES = ERROR_CODES - {"#SPILL!", "#CALC!"}  # those two are Excel's alone
FIELDS = "sheets(properties(title),data(startRow,startColumn,rowData(values(effectiveValue))))"

GAP = 1_000  # rows without a suspect that end a range (every row of a range is sent back)
ERROR_CELLS = 100_000  # cells of ranges per spreadsheets.get

Spot = tuple[str, int, int]  # tab title, sheet row (1 = the headers), sheet column; 1-based


def suspects(tables: Mapping[str, Table]) -> list[Spot]:
    """Every cell whose value reads exactly as an error code, headers included."""
    return [(title, row, col) for title, table in tables.items()
            for row, values in enumerate([table.header, *table.rows], start=1)
            for col, value in enumerate(values, start=1)
            if type(value) is str and value in GOOGLE_ERROR_CODES]


def runs(spots: Iterable[Spot]) -> list[tuple[str, int, int, int]]:
    """(tab, column, first row, last row) covering the spots: per tab and column, first row
    to last, split where more than GAP rows hold no spot."""
    rows: dict[tuple[str, int], list[int]] = {}
    for title, row, col in spots:
        rows.setdefault((title, col), []).append(row)
    out: list[tuple[str, int, int, int]] = []
    for (title, col), found in rows.items():
        found.sort()
        first = found[0]
        for before, row in pairwise(found):
            if row - before > GAP:
                out.append((title, col, first, before))
                first = row
        out.append((title, col, first, found[-1]))
    return out


def _a1(title: str, col: int, first: int, last: int) -> str:
    return f"{quote(title)}!{column_letter(col)}{first}:{column_letter(col)}{last}"


def ranges_of(spots: Iterable[Spot]) -> list[str]:
    """A1 ranges covering the spots (see `runs`)."""
    return [_a1(*run) for run in runs(spots)]


def requests_of(spots: Iterable[Spot], budget: int = ERROR_CELLS) -> list[list[str]]:
    """The ranges packed into requests of at most `budget` cells; a longer run is cut."""
    requests: list[list[str]] = [[]]
    cells = 0
    for title, col, first, last in runs(spots):
        while first <= last:
            if cells >= budget:
                requests.append([])
                cells = 0
            end = min(last, first + budget - cells - 1)
            requests[-1].append(_a1(title, col, first, end))
            cells += end - first + 1
            first = end + 1
    return [r for r in requests if r]


def effective_values(body: Mapping[str, Any]) -> Iterator[tuple[Spot, Mapping[str, Any]]]:
    """Each cell of a spreadsheets.get reply (FIELDS) with its effectiveValue."""
    for sheet in body.get("sheets") or []:
        title = (sheet.get("properties") or {}).get("title", "")
        for grid in sheet.get("data") or []:
            top, left = int(grid.get("startRow", 0)), int(grid.get("startColumn", 0))
            for r, row_data in enumerate(grid.get("rowData") or []):
                for c, cell in enumerate(row_data.get("values") or []):
                    yield (title, top + r + 1, left + c + 1), cell.get("effectiveValue") or {}


def mark_errors(tables: Mapping[str, Table], spots: Iterable[Spot],
                body: Mapping[str, Any]) -> int:
    """Make every spot the reply does not show as that same text `Unusable`; how many."""
    shown = {spot: tables[spot[0]].cell(spot[1], spot[2]) for spot in spots}
    texts = {spot for spot, value in effective_values(body)
             if spot in shown and _is_text(value, shown[spot])}
    for title, row, col in shown.keys() - texts:
        _put(tables[title], row, col)
    return len(shown) - len(texts)


def _is_text(effective: Mapping[str, Any], shown: object) -> bool:
    return "errorValue" not in effective and effective.get("stringValue") == shown


def _put(table: Table, row: int, col: int) -> None:
    values = table.header if row == 1 else table.rows[row - 2]
    values[col - 1] = error_value(str(values[col - 1]))
