"""Pure translation between the store interface and Sheets API v4 bodies. No I/O.

- reading: spreadsheets.get -> `SheetInfo` per tab; values.batchGet (UNFORMATTED_VALUE,
  SERIAL_NUMBER) -> `Table` (empty cells are None, dates stay serial numbers). The read
  is split by the grid sizes so no reply holds more than READ_CELLS grid cells: small
  tabs share a request, a big tab is read in blocks of rows (`read_requests`); the
  blocks join into what one unsplit read gives (`joined`), and the last block, read to
  the grid's end, shows whether rows were inserted or deleted meanwhile;
- writing: `TabChanges` -> a `WritePlan`: the spreadsheets.batchUpdate requests for
  structure (insertDimension and deleteDimension bottom-up, grid growth whose new
  rows get the columns' number formats and drop-downs) and the values.batchUpdate
  ValueRanges (RAW) in the coordinates that hold once the rows are inserted and
  deleted;
- guarding: the ranges to re-read before writing (whole columns, in blocks of rows
  within the same budget), and the verdict on them;
- init: the one spreadsheets.batchUpdate that adds tabs, headers, formats,
  widths, drop-downs and rows.

Grid sizes count against Google's cap of 10 million cells per spreadsheet (rowCount x
columnCount of every tab, empty cells included), so a new tab is exactly as wide as its
columns and growth adds exactly the columns a write or a new column needs (rows get
GROWTH_SLACK more, so growth is rare). An existing tab's empty rows and columns are never
trimmed to save cells (rows go only as the deletions of rows a plan removes): the studio's
own formats, notes or validation may sit in cells that read as empty.

Row and column numbers are 1-based as on the sheet, except inside API bodies
(GridRange indices are 0-based, end exclusive).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from ..cells import to_serial
from ..i18n import translations
from ..schema import ALL_TABS, ENGLISH, Column, Kind, Tab, choice_words, find_tab, header_key
from .base import Cell, InsertedRows, Layout, TabChanges, Table, WorkbookChanges
from .layout import NewColumns, NewTab, Step, choices_prompt, column_letter, plain_value
from .looks import PLAIN_MONEY

JSON = Any
METADATA_FIELDS = ("properties(title),sheets(properties(sheetId,title,index,"
                   "gridProperties(rowCount,columnCount)))")
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE",
               "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}
NUMBER_FORMATS = {
    Kind.DATE: {"type": "DATE", "pattern": "yyyy-mm-dd"},
    Kind.TIME: {"type": "TIME", "pattern": "hh:mm"},
    Kind.DATETIME: {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
    Kind.MONEY: {"type": "NUMBER", "pattern": "#,##0.00"},
    Kind.NUMBER: {"type": "NUMBER", "pattern": "0.00"},
}
NEW_TAB_ROWS = 1000
GROWTH_SLACK = 500  # rows added beyond what a write needs, so growth is rare
# Grid cells per values.batchGet (rowCount x columnCount; empty cells cost nothing in a
# reply). Measured (benchmarks/run.py, BENCHMARKS.md): filled Appointments rows cost about
# 10.3 bytes a cell of compact JSON, so a reply is at most about 6.2 MB (0.6 MB gzipped);
# the benchmark's S studio (455,552 grid cells, 3.6 MB) still reads in one request.
READ_CELLS = 600_000
PIXELS_PER_CHARACTER = 7


# -- values ------------------------------------------------------------------------------
def quote(title: str) -> str:
    """A sheet title as an A1 range prefix: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return (f"{quote(title)}!{column_letter(first_col)}{first_row}:"
            f"{column_letter(last_col)}{last_row}")


def to_json(value: Cell) -> JSON:
    """A cell value as sent with valueInputOption RAW: "" clears, text stays text."""
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, datetime | date | time):
        serial = to_serial(value)
        return int(serial) if serial == int(serial) else serial
    return str(value)


def extended_value(value: Cell) -> dict[str, JSON] | None:
    """A cell value as a batchUpdate ExtendedValue (never a formula)."""
    sent = to_json(value)
    if sent == "":
        return None
    if isinstance(sent, bool):
        return {"boolValue": sent}
    if isinstance(sent, int | float):
        return {"numberValue": sent}
    return {"stringValue": sent}


def from_json(value: JSON) -> Cell:
    return None if value == "" else value


def table_from_values(title: str, values: list[list[JSON]]) -> Table:
    """Rows as values.batchGet returns them -> a Table: trimmed, padded, blanks as None."""
    rows = [[from_json(v) for v in row] for row in values]
    while len(rows) > 1 and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    return Table(title, rows[0] if rows else [], rows[1:])


@dataclass(frozen=True, slots=True)
class Block:
    """Rows first..last (1-based) of columns first_col..last_col of a tab.

    `whole`: the whole tab, named by its title alone (a read that fits one request);
    `to_end`: the range runs to the grid's last row, so the reply's range tells how many
    rows the tab has now (the last block of a split read or of a guard re-read).
    """

    title: str
    first: int
    last: int
    first_col: int
    last_col: int
    whole: bool = False
    to_end: bool = False

    @property
    def cells(self) -> int:
        return (self.last - self.first + 1) * (self.last_col - self.first_col + 1)

    @property
    def range(self) -> str:
        if self.whole:
            return quote(self.title)
        left, right = column_letter(self.first_col), column_letter(self.last_col)
        if self.to_end:
            top = "" if self.first == 1 else str(self.first)
            return f"{quote(self.title)}!{left}{top}:{right}"
        return a1(self.title, self.first, self.first_col, self.last, self.last_col)


def row_blocks(title: str, rows: int, first_col: int, last_col: int,
               budget: int) -> list[Block]:
    """Columns of a tab in blocks of rows of at most `budget` cells, the last to the end."""
    step = max(1, budget // (last_col - first_col + 1))
    firsts = range(1, max(rows, 1) + 1, step)
    return [Block(title, first, min(first + step - 1, rows), first_col, last_col,
                  to_end=first == firsts[-1]) for first in firsts]


def packed(blocks: Iterable[Block], budget: int = READ_CELLS) -> list[list[Block]]:
    """Blocks in order, packed into requests of at most `budget` cells."""
    requests: list[list[Block]] = []
    cells = 0
    for block in blocks:
        if requests and cells + block.cells <= budget:
            requests[-1].append(block)
            cells += block.cells
        else:
            requests.append([block])
            cells = block.cells
    return requests


def read_requests(sheets: Iterable[SheetInfo], budget: int = READ_CELLS) -> list[list[Block]]:
    """The ranges of every tab, in tab order, in batchGets of at most `budget` grid cells.

    A tab that fits one request is read whole, with the tabs before it when there is room;
    a bigger one in blocks of rows, the first filling the room the request before it left.
    """
    requests: list[list[Block]] = []
    cells = budget  # cells taken in the last request (none yet: full)
    for info in sheets:
        if info.rows * info.columns <= budget:
            whole = Block(info.title, 1, info.rows, 1, info.columns, whole=True)
            if cells + whole.cells > budget:
                requests.append([])
                cells = 0
            requests[-1].append(whole)
            cells += whole.cells
            continue
        first = 1
        while first <= info.rows:
            step = (budget - cells) // info.columns
            if step < 1:
                requests.append([])
                cells = 0
                step = max(1, budget // info.columns)
            last = min(info.rows, first + step - 1)
            block = Block(info.title, first, last, 1, info.columns, to_end=last == info.rows)
            requests[-1].append(block)
            cells += block.cells
            first = last + 1
    return requests


def joined(blocks: list[tuple[Block, Mapping[str, JSON]]]) -> dict[str, JSON]:
    """The replies of consecutive blocks of the same columns as the reply of one range.

    Google leaves out a range's trailing empty rows, so every block but the last is
    padded back to its height before the next one follows; the range is the last one's.
    Raises RowsMoved when the last block shows the tab has another number of rows.
    """
    values: list[list[JSON]] = []
    for i, (block, reply) in enumerate(blocks):
        rows = reply.get("values") or []
        values.extend(rows)
        if i < len(blocks) - 1:
            values.extend([] for _ in range(block.last - block.first + 1 - len(rows)))
    last, reply = blocks[-1]
    if last.to_end and grid_end(reply) != last.last:
        raise RowsMoved(f"{last.title} has {grid_end(reply)} rows instead of {last.last}")
    return {"range": reply.get("range", ""), "values": values}


def grid_end(reply: Mapping[str, JSON]) -> int | None:
    """The last row of the range a values.batchGet reply names."""
    end = _RANGE_END_ROW.search(str(reply.get("range", "")))
    return int(end[1]) if end else None


# -- metadata ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SheetInfo:
    sheet_id: int
    title: str
    rows: int
    columns: int


Dims = dict[int, tuple[int, int]]  # sheetId -> (rowCount, columnCount)


def sheets_from_metadata(body: Mapping[str, JSON]) -> dict[str, SheetInfo]:
    sheets = sorted(body.get("sheets") or [], key=lambda s: s["properties"].get("index", 0))
    out: dict[str, SheetInfo] = {}
    for sheet in sheets:
        props = sheet["properties"]
        grid = props.get("gridProperties") or {}
        out[props["title"]] = SheetInfo(int(props.get("sheetId", 0)), props["title"],
                                        int(grid.get("rowCount", 0)),
                                        int(grid.get("columnCount", 0)))
    return out


def dims_of(sheets: Mapping[str, SheetInfo]) -> Dims:
    return {s.sheet_id: (s.rows, s.columns) for s in sheets.values()}


# -- the schema a tab follows ------------------------------------------------------------
def schema_tab(title: str) -> Tab | None:
    for tab in ALL_TABS:
        if find_tab([title], tab) is not None:
            return tab
    return None


def column_positions(tab: Tab, header: Iterable[Cell]) -> dict[int, Column]:
    """Sheet column -> the schema column its header names."""
    by_key = {header_key(c.name): c for c in tab.columns}
    return {i + 1: by_key[header_key(h)] for i, h in enumerate(header)
            if h is not None and header_key(h) in by_key}


def choices_of(table: Table, locale: str = ENGLISH) -> dict[int, tuple[str, ...]]:
    """Sheet column -> drop-down choices (in `locale`'s words: `evet`, `iptal`), for the
    tab's columns that have them."""
    tab = schema_tab(table.title)
    if tab is None:
        return {}
    return {col: choice_words(c, locale)
            for col, c in column_positions(tab, table.header).items() if c.choices}


def key_column(table: Table) -> int:
    """The column that names a row (appointment_id in Appointments): it must not move."""
    tab = schema_tab(table.title)
    if tab is not None:
        for col, column in column_positions(tab, table.header).items():
            if column is tab.columns[0]:
                return col
    return 1


# -- requests that lay out columns -------------------------------------------------------
def grid(sheet_id: int, first_row: int, end_row: int, col: int, end_col: int | None = None) \
        -> dict[str, int]:
    """A GridRange from 0-based start row to end row (exclusive), for 1-based columns."""
    return {"sheetId": sheet_id, "startRowIndex": first_row, "endRowIndex": end_row,
            "startColumnIndex": col - 1, "endColumnIndex": end_col or col}


def number_format(kind: Kind, money: str = PLAIN_MONEY) -> dict[str, str]:
    """A column kind's NumberFormat; money in the currency's pattern (looks.money_format)."""
    if kind is Kind.MONEY and money != PLAIN_MONEY:
        return {"type": "CURRENCY", "pattern": money}
    return NUMBER_FORMATS[kind]


def number_format_request(sheet_id: int, first_row: int, end_row: int, col: int,
                          kind: Kind, money: str = PLAIN_MONEY) -> dict[str, JSON]:
    return {"repeatCell": {
        "range": grid(sheet_id, first_row, end_row, col),
        "cell": {"userEnteredFormat": {"numberFormat": number_format(kind, money)}},
        "fields": "userEnteredFormat.numberFormat"}}


FILTER_FIELDS = "sheets(properties(title),basicFilter(range))"  # which tabs have a filter


def without_filter(body: Mapping[str, JSON], titles: Iterable[str]) -> list[str]:
    """The tabs among `titles` that have no filter, by a spreadsheets.get of FILTER_FIELDS."""
    filtered = {s["properties"]["title"] for s in body.get("sheets") or []
                if s.get("basicFilter")}
    return [title for title in titles if title not in filtered]


def basic_filter_request(sheet_id: int, columns: int) -> dict[str, JSON]:
    """A filter over the tab's header row and every row under it: no endRowIndex, so the
    rows a sync appends are in it, as in a spreadsheet program's filter over whole columns.
    The Sheets API has no print setup (orientation, fit to width, repeated rows): those are
    chosen in Google's print dialog each time (it repeats the frozen header row)."""
    return {"setBasicFilter": {"filter": {"range": {
        "sheetId": sheet_id, "startRowIndex": 0, "startColumnIndex": 0,
        "endColumnIndex": max(columns, 1)}}}}


def drop_down_request(sheet_id: int, first_row: int, end_row: int, col: int,
                      choices: tuple[str, ...], locale: str = ENGLISH) -> dict[str, JSON]:
    """A drop-down of `choices` (not strict: other text is kept), its prompt in `locale`."""
    return {"setDataValidation": {
        "range": grid(sheet_id, first_row, end_row, col),
        "rule": {"condition": {"type": "ONE_OF_LIST",
                               "values": [{"userEnteredValue": c} for c in choices]},
                 "inputMessage": choices_prompt(choices, locale),
                 "strict": False, "showCustomUi": True}}}


def row_formats(sheet_id: int, first_row: int, end_row: int, kinds: Mapping[int, Kind],
                choices: Mapping[int, tuple[str, ...]],
                locale: str = ENGLISH, money: str = PLAIN_MONEY) -> list[dict[str, JSON]]:
    """Number formats (money's `money`) and drop-downs (prompts in `locale`) for rows
    [first_row, end_row) (0-based) of the columns."""
    requests = [number_format_request(sheet_id, first_row, end_row, col, kind, money)
                for col, kind in sorted(kinds.items()) if kind in NUMBER_FORMATS]
    requests += [drop_down_request(sheet_id, first_row, end_row, col, options, locale)
                 for col, options in sorted(choices.items())]
    return requests


def column_requests(sheet_id: int, rows: int, columns: tuple[Column, ...],
                    first: int, locale: str = ENGLISH,
                    money: str = PLAIN_MONEY) -> list[dict[str, JSON]]:
    """Bold headers, widths, number formats and drop-downs of new columns from `first`."""
    header = {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first - 1},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": c.name},
                              "userEnteredFormat": {"textFormat": {"bold": True}}}
                             for c in columns]}],
        "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}}
    requests: list[dict[str, JSON]] = [header]
    for offset, column in enumerate(columns):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                      "startIndex": first - 1 + offset, "endIndex": first + offset},
            "properties": {"pixelSize": column.width * PIXELS_PER_CHARACTER},
            "fields": "pixelSize"}})
    kinds = {first + i: c.kind for i, c in enumerate(columns)}
    choices = {first + i: c.choices for i, c in enumerate(columns) if c.choices}
    return requests + row_formats(sheet_id, 1, rows, kinds, choices, locale, money)


# -- init --------------------------------------------------------------------------------
@dataclass(slots=True)
class LayoutPlan:
    requests: list[dict[str, JSON]] = field(default_factory=list)
    expected: Dims = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def layout_plan(steps: list[Step], layout: Layout, sheets: Mapping[str, SheetInfo],
                tables: Mapping[str, Table], money: str = PLAIN_MONEY,
                unfiltered: Sequence[str] = ()) -> LayoutPlan:
    """One spreadsheets.batchUpdate for `init`: new tabs (each with its filter) and columns,
    a filter on each `unfiltered` tab, then the layout's rows; money columns in the `money`
    number format."""
    out = LayoutPlan(expected=dims_of(sheets))
    infos = dict(sheets)
    headers = {title: list(t.header) for title, t in tables.items()}
    next_id = max([s.sheet_id for s in sheets.values()] + [0]) + 1
    for step in steps:
        if isinstance(step, NewTab):
            tab = step.tab
            info = SheetInfo(next_id, tab.name, NEW_TAB_ROWS, len(tab.columns))
            next_id += 1
            out.requests.append({"addSheet": {"properties": {
                "sheetId": info.sheet_id, "title": tab.name,
                "gridProperties": {"rowCount": info.rows, "columnCount": info.columns,
                                   "frozenRowCount": 1}}}})
            out.requests += column_requests(info.sheet_id, info.rows, tab.columns, 1,
                                            layout.locale, money)
            out.requests.append(basic_filter_request(info.sheet_id, len(tab.columns)))
            infos[tab.name] = info
            headers[tab.name] = list(tab.column_names)
        elif isinstance(step, NewColumns):
            info = infos[step.title]
            last = step.first + len(step.columns) - 1
            if last > info.columns:
                out.requests.append({"appendDimension": {
                    "sheetId": info.sheet_id, "dimension": "COLUMNS",
                    "length": last - info.columns}})
                info = SheetInfo(info.sheet_id, info.title, info.rows, last)
                infos[step.title] = info
            out.requests += column_requests(info.sheet_id, info.rows, step.columns, step.first,
                                            layout.locale, money)
            header = headers[step.title]
            header.extend([None] * (step.first - 1 - len(header)))
            header.extend(c.name for c in step.columns)
    for name in unfiltered:
        out.requests.append(basic_filter_request(infos[name].sheet_id, len(headers[name])))
    for tab in layout.tabs:
        records = layout.rows.get(tab.name)
        title = find_tab(list(infos), tab)
        if records and title is not None:
            info = _fill(out, infos[title], tab, headers[title], tables.get(title), records,
                         layout.locale, money)
            infos[title] = info
    if any(isinstance(s, NewTab) for s in steps):
        out.requests += _drop_empty_default(sheets, tables, out.notes, layout.locale)
    out.expected = {s.sheet_id: (s.rows, s.columns) for s in infos.values()
                    if not any("deleteSheet" in r and r["deleteSheet"]["sheetId"] == s.sheet_id
                               for r in out.requests)}
    return out


def _fill(out: LayoutPlan, info: SheetInfo, tab: Tab, header: list[Cell], table: Table | None,
          records: list[dict[str, Cell]], locale: str = ENGLISH,
          money: str = PLAIN_MONEY) -> SheetInfo:
    """Records under the tab's own headers, below its last used row."""
    positions = {header_key(h): i + 1 for i, h in enumerate(header) if h is not None}
    start = (table.last_row if table is not None else 1) + 1
    end = start + len(records) - 1
    if end > info.rows:
        grow = end - info.rows + GROWTH_SLACK
        out.requests.append({"appendDimension": {"sheetId": info.sheet_id,
                                                 "dimension": "ROWS", "length": grow}})
        kinds = {positions[header_key(c.name)]: c.kind for c in tab.columns
                 if header_key(c.name) in positions}
        choices = {positions[header_key(c.name)]: c.choices for c in tab.columns
                   if c.choices and header_key(c.name) in positions}
        out.requests += row_formats(info.sheet_id, info.rows, info.rows + grow, kinds, choices,
                                    locale, money)
        info = SheetInfo(info.sheet_id, info.title, info.rows + grow, info.columns)
    width = max(positions.values(), default=0)
    rows = []
    for record in records:
        cells: list[dict[str, JSON]] = [{} for _ in range(width)]
        for name, value in record.items():
            entered = extended_value(value)
            if entered is not None:
                cells[positions[header_key(name)] - 1] = {"userEnteredValue": entered}
        rows.append({"values": cells})
    out.requests.append({"updateCells": {
        "start": {"sheetId": info.sheet_id, "rowIndex": start - 1, "columnIndex": 0},
        "rows": rows, "fields": "userEnteredValue"}})
    return info


def _drop_empty_default(sheets: Mapping[str, SheetInfo], tables: Mapping[str, Table],
                        notes: list[str], locale: str = ENGLISH) -> list[dict[str, JSON]]:
    """A new spreadsheet's lone empty sheet (Sheet1) goes once the real tabs are there; the
    note saying so is in `locale`."""
    if len(sheets) != 1:
        return []
    (info,) = sheets.values()
    table = tables.get(info.title)
    if schema_tab(info.title) is not None or table is None or table.rows or any(
            h is not None for h in table.header):
        return []
    notes.append(translations(locale).gettext("removed the empty sheet %(tab)s") % {
        "tab": info.title})
    return [{"deleteSheet": {"sheetId": info.sheet_id}}]


# -- writing -----------------------------------------------------------------------------
@dataclass(slots=True)
class WritePlan:
    structure: list[dict[str, JSON]] = field(default_factory=list)  # spreadsheets.batchUpdate
    data: list[dict[str, JSON]] = field(default_factory=list)  # values.batchUpdate ValueRanges
    expected: Dims = field(default_factory=dict)  # every sheet's size once written

    @property
    def cells(self) -> int:
        return sum(v is not None for d in self.data for row in d["values"] for v in row)


def deletion_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Rows as (first, count) runs of consecutive rows, bottom-up."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows), reverse=True):
        if runs and runs[-1][0] == row + 1:
            runs[-1] = (row, runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs


def remap(row: int, deleted: list[int]) -> int:
    """Where row `row` (not deleted) stands once the sorted rows `deleted` are gone."""
    return row - bisect.bisect_left(deleted, row)


def value_ranges(title: str, cells: Mapping[tuple[int, int], JSON]) -> list[dict[str, JSON]]:
    """ValueRanges for cells: one per run of consecutive rows, null where nothing changes."""
    by_row: dict[int, dict[int, JSON]] = {}
    for (row, col), value in cells.items():
        by_row.setdefault(row, {})[col] = value
    ranges: list[dict[str, JSON]] = []
    block: list[int] = []
    for row in sorted(by_row):
        if block and row != block[-1] + 1:
            ranges.append(_block(title, block, by_row))
            block = []
        block.append(row)
    if block:
        ranges.append(_block(title, block, by_row))
    return ranges


def _block(title: str, rows: list[int], by_row: Mapping[int, Mapping[int, JSON]]) \
        -> dict[str, JSON]:
    first = min(min(by_row[r]) for r in rows)
    last = max(max(by_row[r]) for r in rows)
    values = [[by_row[r].get(c) for c in range(first, last + 1)] for r in rows]
    return {"range": a1(title, rows[0], first, rows[-1], last), "values": values}


def write_plan(changes: WorkbookChanges, sheets: Mapping[str, SheetInfo],
               choices: Mapping[str, Mapping[int, tuple[str, ...]]] | None = None,
               locale: str = ENGLISH, money: str = PLAIN_MONEY) -> WritePlan:
    """The requests that apply `changes` (rows inserted, updates, deletions: base.py); the
    drop-downs of rows it adds prompt in `locale`, their money cells in `money`'s format."""
    out = WritePlan(expected=dims_of(sheets))
    for title, tab in changes.tabs.items():
        if tab:
            _plan_tab(out, sheets[title], tab, (choices or {}).get(title, {}), locale, money)
    return out


def _plan_tab(out: WritePlan, info: SheetInfo, tab: TabChanges,
              choices: Mapping[int, tuple[str, ...]], locale: str = ENGLISH,
              money: str = PLAIN_MONEY) -> None:
    out.structure += insert_requests(info.sheet_id, tab.inserts)
    added = sum(n for n in tab.inserts.values() if n > 0)
    deleted = sorted(r for r in tab.deletes if 2 <= r <= info.rows + added)
    gone = set(deleted)
    for first, count in deletion_runs(deleted):
        out.structure.append({"deleteDimension": {"range": {
            "sheetId": info.sheet_id, "dimension": "ROWS",
            "startIndex": first - 1, "endIndex": first - 1 + count}}})
    cells = {(remap(row, deleted), col): to_json(value)
             for (row, col), value in tab.updates.items() if row not in gone}
    rows = info.rows + added - len(deleted)
    columns = info.columns
    needed_rows = max((r for r, _ in cells), default=0)
    needed_columns = max((c for _, c in cells), default=0)
    grow = needed_rows - rows + GROWTH_SLACK if needed_rows > rows else 0
    if (grow or added) and rows + grow == info.rows:
        grow += 1  # the size must tell whether this batch was applied
    if grow:
        out.structure.append({"appendDimension": {"sheetId": info.sheet_id,
                                                  "dimension": "ROWS", "length": grow}})
        out.structure += row_formats(info.sheet_id, rows, rows + grow, tab.kinds, choices,
                                     locale, money)
        rows += grow
    if needed_columns > columns:
        out.structure.append({"appendDimension": {"sheetId": info.sheet_id,
                                                  "dimension": "COLUMNS",
                                                  "length": needed_columns - columns}})
        columns = needed_columns
    out.expected[info.sheet_id] = (rows, columns)
    out.data += value_ranges(info.title, cells)


def insert_requests(sheet_id: int, inserts: Mapping[int, int]) -> list[dict[str, JSON]]:
    """insertDimension requests for rows inserted above rows of the read, bottom-up so each
    leaves the rows above it where the read saw them. A new row takes the formats of the row
    above it (inheritFromBefore), as a row the studio inserts below a record does."""
    return [{"insertDimension": {
        "range": {"sheetId": sheet_id, "dimension": "ROWS",
                  "startIndex": row - 1, "endIndex": row - 1 + count},
        "inheritFromBefore": row > 2}}
        for row, count in sorted(inserts.items(), reverse=True) if count > 0]


# -- guarding ----------------------------------------------------------------------------
class RowsMoved(Exception):
    """Rows were inserted, deleted or typed below the data since the read."""


def spans(columns: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted columns as (first, last) runs of consecutive columns."""
    out: list[tuple[int, int]] = []
    for col in sorted(set(columns)):
        if out and out[-1][1] == col - 1:
            out[-1] = (out[-1][0], col)
        else:
            out.append((col, col))
    return out


def guard_spans(tab: TabChanges, key: int) -> list[tuple[int, int]]:
    return spans({c for cols in tab.guards.values() for c in cols} | {key})


def guard_blocks(title: str, column_spans: list[tuple[int, int]], rows: int,
                 budget: int = READ_CELLS) -> list[list[Block]]:
    """Per span, its columns to the grid's end (the last reply tells the grid's row count),
    in blocks of rows when the whole columns are over the budget."""
    return [row_blocks(title, rows, a, b, budget) for a, b in column_spans]


_RANGE_END_ROW = re.compile(r"[A-Z]+(\d+)$")


def checked_guards(table: Table, grid_rows: int, tab: TabChanges, key: int,
                   column_spans: list[tuple[int, int]],
                   replies: Sequence[Mapping[str, JSON]]) -> set[int]:
    """The guarded rows whose guarded cells moved on since the read.

    Raises RowsMoved when rows were inserted or deleted (the grid's size or the
    key column changed) or something was typed below the last row.
    """
    now: dict[tuple[int, int], Cell] = {}
    for (first, _), reply in zip(column_spans, replies, strict=True):
        end = grid_end(reply)
        if end != grid_rows:
            raise RowsMoved(f"{table.title} has {end or '?'} rows instead of {grid_rows}")
        for r, values in enumerate(reply.get("values") or [], start=1):
            for offset, value in enumerate(values):
                cell = from_json(value)
                if cell is not None and r > table.last_row:
                    raise RowsMoved(f"row {r} of {table.title} was filled in")
                now[(r, first + offset)] = cell
    for row in range(2, table.last_row + 1):
        if now.get((row, key)) != table.cell(row, key):
            raise RowsMoved(f"row {row} of {table.title} now holds another row")
    numbering = InsertedRows(tab.inserts)
    return {row for row, cols in tab.guards.items()
            if _moved_on(as_read(numbering, row), cols, now, table)}


def as_read(numbering: InsertedRows, row: int) -> int | None:
    """Row `row` of the changes as the read numbered it (None: a row the changes insert)."""
    original, k = numbering.read_row(row)
    return original if k is None else None


def _moved_on(row: int | None, cols: tuple[int, ...], now: Mapping[tuple[int, int], Cell],
              table: Table) -> bool:
    return row is not None and any(now.get((row, c)) != table.cell(row, c) for c in cols)


def without_rows(tab: TabChanges, rows: set[int]) -> TabChanges:
    """The changes of a tab less every update and deletion of `rows`."""
    return TabChanges(
        updates={k: v for k, v in tab.updates.items() if k[0] not in rows},
        deletes=tab.deletes - rows, kinds=tab.kinds,
        guards={r: c for r, c in tab.guards.items() if r not in rows}, inserts=tab.inserts)


# -- verifying an uncertain write --------------------------------------------------------
def verdict(before: Dims, expected: Dims, now: Dims) -> bool | None:
    """Was a structure batch applied? True, False, or None when someone else changed sizes."""
    if now == expected:
        return True
    if now == before:
        return False
    return None
