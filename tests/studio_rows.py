"""One studio with its own cells on sheetsync's rows, built on an .xlsx file or a Google Sheet.

Two physiotherapy clients, E1 (rows 2-11 of Appointments after the first sync) and
E2 (rows 12-21). After that sync the studio adds, by hand, what a studio adds:

- a `label` column (after sheetsync's columns) whose every row holds a formula over that row's own cells,
  `=A{row}&" / "&H{row}` (appointment id / staff id);
- notes on the client_name cell of three appointments: one above the rows that
  will go, one on a row that will go, one below;
- a `room` cell merged with its right neighbour on a row below the rows that will go;
- a Dashboard tab with formulas over Appointments (one cell, a shrinking range,
  a whole column, a cell that will be deleted).

Then client C1 is closed: the next sync deletes E1's eight future rows (4-11) and
every studio cell must still sit on the row of its appointment. Both backends are
driven through the same small interface (`GoogleStudio`, `XlsxStudio`) so one test
can run the same sequence on both and compare them appointment by appointment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import gspread
import openpyxl
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.schema import ALL_TABS, TABS_BY_NAME
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_wire import a1, to_json
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import parse_tables, xlsx_studio

TWO_CLIENTS = """
Packages
package_id | name                              | sessions | price | duration_min
PHY10      | 10-Session Physiotherapy Package  | 10       | 4000  | 60

Clients
client_id | name   | email          | status
C1        | Ayse   | ayse@x.example | active
C2        | Mehmet |                | active

Staff
staff_id | name   | role    | commission_rate
ST1      | Elif   | staff   | 40%
ST2      | Can    | staff   | 30%

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
E2            | C2        | PHY10      | 2026-12-01 | ST2      | Tue 10:00, Fri 10:00
"""

FIRST_SYNC = datetime(2026, 11, 29, 12, 0)
CLOSING_SYNC = datetime(2026, 12, 4, 10, 0)
CLOSED_CLIENT = "C1"

LABEL_COLUMN = len(TABS_BY_NAME["Appointments"].column_names) + 1  # after sheetsync's columns
ROOM_COLUMN = LABEL_COLUMN + 1  # merged with the column after it
NOTE_COLUMN = 6  # F, client_name
NOTES = {
    "E1-1-02": "first visit went well",  # above the rows that go
    "E1-1-05": "asked to reschedule",  # on a row that goes
    "E2-1-03": "prefers the morning room",  # below the rows that go
}
ROOM = ("E2-1-05", "Room 2")
DASHBOARD = "Dashboard"
GONE = "E1-1-05"  # the dashboard's pointer into a row that is deleted


def label_formula(row: int) -> str:
    return f'=A{row}&" / "&H{row}'


def dashboard_formulas(rows: dict[str, int]) -> dict[str, str]:
    """Dashboard cell -> formula, for appointments standing on `rows` (id -> sheet row)."""
    last = max(rows.values())
    return {
        "B2": f"=Appointments!A{rows['E2-1-03']}",
        "B3": f"=Appointments!{get_column_letter(LABEL_COLUMN)}{rows['E2-1-03']}",
        "B4": f"=COUNTA(Appointments!A2:A{last})",
        "B5": "=COUNTA(Appointments!A:A)",
        "B6": f"=Appointments!A{rows[GONE]}" if GONE in rows else "=#REF!",
        "B7": f"=SUM(Appointments!D{rows['E2-1-01']}:D{last})",
    }


@dataclass(frozen=True)
class StudioRow:
    """The studio's own cells on one appointment's row."""

    row: int
    label: str | None  # the formula text in the label column
    note: str | None  # the note on the client_name cell
    merged_room: bool  # whether the room cell of this row is merged with its neighbour


class Studio(Protocol):
    def sync(self, now: datetime) -> engine.SyncReport: ...

    def add_studio_content(self) -> None: ...

    def close_client(self, client_id: str) -> None: ...

    def studio_rows(self) -> dict[str, StudioRow]: ...

    def dashboard(self) -> dict[str, str]: ...


def _ids_by_row(values: list[list[Any]]) -> dict[str, int]:
    """appointment_id -> sheet row, from the Appointments values (header first)."""
    return {str(row[0]): r for r, row in enumerate(values[1:], start=2) if row and row[0]}


def _cell(values: list[list[Any]], row: int, col: int) -> Any:
    line = values[row - 1] if row - 1 < len(values) else []
    value = line[col - 1] if col - 1 < len(line) else None
    return None if value in ("", None) else value


def _merge_rows(merges: list[tuple[int, int, int, int]]) -> set[int]:
    """Rows whose room cell and its neighbour are exactly one merge; merges as 1-based (r1, c1, r2, c2)."""
    return {r1 for r1, c1, r2, c2 in merges
            if r1 == r2 and (c1, c2) == (ROOM_COLUMN, ROOM_COLUMN + 1)}


# -- Google Sheets ---------------------------------------------------------------------
class GoogleStudio:
    """The studio on the local Sheets API; the studio types through its own gspread client."""

    def __init__(self, server: LocalSheets, account: ServiceAccount,
                 client: gspread.Client, source: str = TWO_CLIENTS) -> None:
        tables = parse_tables(source)
        titles = [tab.name for tab in ALL_TABS] + [DASHBOARD]
        specs = [{"title": t, "gridProperties": {"rowCount": 100, "columnCount": 26}}
                 for t in titles]
        self.spreadsheet_id = server.create_spreadsheet("Studio", specs)
        self.book = client.open_by_key(self.spreadsheet_id)
        data = []
        for tab in ALL_TABS:
            table = tables.get(tab.name)
            rows: list[list[Any]] = [list(tab.column_names)]
            if table is not None:
                rows = [table.header, *table.rows]
            data.append({"range": a1(tab.name, 1, 1, len(rows), len(rows[0])),
                         "values": [[to_json(v) for v in row] for row in rows]})
        self.book.values_batch_update({"valueInputOption": "RAW", "data": data})
        self.store = GoogleStore(self.spreadsheet_id, account, endpoint=server.base_url)

    def sync(self, now: datetime) -> engine.SyncReport:
        return engine.sync(self.store, now, started_at=now)

    def values(self, title: str, render: str = "FORMULA") -> list[list[Any]]:
        reply = self.book.values_get(f"'{title}'", params={"valueRenderOption": render})
        rows: list[list[Any]] = reply.get("values", [])
        return rows

    def add_studio_content(self) -> None:
        rows = _ids_by_row(self.values("Appointments"))
        data = [{"range": a1("Appointments", 1, LABEL_COLUMN, 1, ROOM_COLUMN),
                 "values": [["label", "room"]]}]
        data += [{"range": a1("Appointments", r, LABEL_COLUMN, r, LABEL_COLUMN),
                  "values": [[label_formula(r)]]} for r in rows.values()]
        room_row = rows[ROOM[0]]
        data.append({"range": a1("Appointments", room_row, ROOM_COLUMN, room_row, ROOM_COLUMN),
                     "values": [[ROOM[1]]]})
        dashboard = dashboard_formulas(rows)
        data += [{"range": f"{DASHBOARD}!{cell}", "values": [[formula]]}
                 for cell, formula in dashboard.items()]
        self.book.values_batch_update({"valueInputOption": "USER_ENTERED", "data": data})
        sheet = self.book.worksheet("Appointments")
        sheet.update_notes({f"F{rows[i]}": text for i, text in NOTES.items()})
        room = get_column_letter(ROOM_COLUMN)
        sheet.merge_cells(f"{room}{room_row}:{get_column_letter(ROOM_COLUMN + 1)}{room_row}")

    def close_client(self, client_id: str) -> None:
        clients = self.values("Clients")
        row = next(r for r, line in enumerate(clients, start=1) if line[0] == client_id)
        status = [str(h) for h in clients[0]].index("status") + 1
        self.book.values_batch_update({"valueInputOption": "RAW", "data": [
            {"range": a1("Clients", row, status, row, status), "values": [["closed"]]}]})

    def studio_rows(self) -> dict[str, StudioRow]:
        values = self.values("Appointments")
        notes = self.book.worksheet("Appointments").get_notes()
        sheets = self.book.fetch_sheet_metadata()["sheets"]
        merges = next(s.get("merges", []) for s in sheets
                      if s["properties"]["title"] == "Appointments")
        merged = _merge_rows([(m["startRowIndex"] + 1, m["startColumnIndex"] + 1,
                               m["endRowIndex"], m["endColumnIndex"]) for m in merges])
        return {i: StudioRow(r, _cell(values, r, LABEL_COLUMN), _cell(notes, r, NOTE_COLUMN),
                             r in merged)
                for i, r in _ids_by_row(values).items()}

    def dashboard(self) -> dict[str, str]:
        values = self.values(DASHBOARD)
        return {f"B{r}": str(line[1]) for r, line in enumerate(values, start=1)
                if len(line) > 1 and line[1] != ""}


# -- .xlsx -----------------------------------------------------------------------------
class XlsxStudio:
    """The studio as an .xlsx file; the studio types with openpyxl, as by hand."""

    def __init__(self, path: Path, source: str = TWO_CLIENTS) -> None:
        self.path = xlsx_studio(path, source)
        wb = openpyxl.load_workbook(path)
        wb.create_sheet(DASHBOARD)
        wb.save(path)

    def sync(self, now: datetime) -> engine.SyncReport:
        return engine.sync(XlsxStore(self.path), now, started_at=now)

    def _appointment_ids(self, ws: Any) -> dict[str, int]:
        return {str(ws.cell(r, 1).value): r for r in range(2, ws.max_row + 1)
                if ws.cell(r, 1).value}

    def add_studio_content(self) -> None:
        wb = openpyxl.load_workbook(self.path)
        ws = wb["Appointments"]
        rows = self._appointment_ids(ws)
        ws.cell(1, LABEL_COLUMN, "label")
        ws.cell(1, ROOM_COLUMN, "room")
        for r in rows.values():
            ws.cell(r, LABEL_COLUMN, label_formula(r))
        for appointment, text in NOTES.items():
            ws.cell(rows[appointment], NOTE_COLUMN).comment = Comment(text, "studio")
        room_row = rows[ROOM[0]]
        ws.cell(room_row, ROOM_COLUMN, ROOM[1])
        ws.merge_cells(start_row=room_row, start_column=ROOM_COLUMN,
                       end_row=room_row, end_column=ROOM_COLUMN + 1)
        dashboard = wb[DASHBOARD]
        for cell, formula in dashboard_formulas(rows).items():
            dashboard[cell] = formula
        wb.save(self.path)

    def close_client(self, client_id: str) -> None:
        wb = openpyxl.load_workbook(self.path)
        ws = wb["Clients"]
        status = [c.value for c in ws[1]].index("status") + 1
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == client_id)
        ws.cell(row, status, "closed")
        wb.save(self.path)

    def studio_rows(self) -> dict[str, StudioRow]:
        wb = openpyxl.load_workbook(self.path, data_only=False)
        ws = wb["Appointments"]
        merged = _merge_rows([(m.min_row, m.min_col, m.max_row, m.max_col)
                              for m in ws.merged_cells.ranges])
        out = {}
        for appointment, r in self._appointment_ids(ws).items():
            comment = ws.cell(r, NOTE_COLUMN).comment
            label = ws.cell(r, LABEL_COLUMN).value
            out[appointment] = StudioRow(r, None if label is None else str(label),
                                         None if comment is None else comment.text,
                                         r in merged)
        return out

    def dashboard(self) -> dict[str, str]:
        ws = openpyxl.load_workbook(self.path, data_only=False)[DASHBOARD]
        return {f"B{r}": str(ws.cell(r, 2).value) for r in range(1, ws.max_row + 1)
                if ws.cell(r, 2).value is not None}


def run_closing_sequence(studio: Studio) -> tuple[dict[str, StudioRow], dict[str, StudioRow]]:
    """First sync, the studio's own cells, client C1 closed, second sync: (before, after)."""
    studio.sync(FIRST_SYNC)
    studio.add_studio_content()
    before = studio.studio_rows()
    studio.close_client(CLOSED_CLIENT)
    studio.sync(CLOSING_SYNC)
    return before, studio.studio_rows()


def referenced_row(formula: str) -> int | None:
    """The row of a single-cell formula such as `=Appointments!A6`; None otherwise."""
    match = re.fullmatch(r"=(?:'?Appointments'?!)?\$?[A-Z]+\$?(\d+)", formula)
    return int(match[1]) if match else None
