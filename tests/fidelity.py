"""The fidelity corpus: studio workbooks full of the studio's own content, and the checker.

A studio's workbook holds more than sheetsync's cells: formula columns beside the
appointments, notes, hyperlinks, merged cells, coloured rows, row heights, hidden
rows, images, a dashboard over Appointments and Balances, shared (filled-down)
formulas, conditional formats, validations, defined names, filters and tables.
This module builds such a workbook three ways (openpyxl, xlsxwriter, LibreOffice)
and reads every studio object back at the XML level (zipfile + ElementTree), so a
test can compare the workbook before and after each sheetsync command.

The comparison is the one a spreadsheet program makes true when rows are deleted or
inserted: `expected(before)` is `before` with the rows sheetsync deleted taken out (an
object on a deleted row goes with it, an image moves to the next row that stays, a
reference into a deleted row becomes #REF!, a range shrinks), the rows it inserted (a
renewal's Balances row beside its earlier period) put in, and every other row number
moved up or down; it must equal `after`. The watched balance's row carries a note, a
link, merged cells and an image, so the renewals inserted above it show each moving down. Rows hold records (an appointment_id, a
balance's enrollment and period), so a record found anywhere but where its row
moved to is reported too, and objects are named by the record on their row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from sheetsync.schema import ALL_TABS, OWNED_TABS, TABS_BY_NAME, Kind
from sheetsync.stores.base import Table
from tests.libreoffice import EVERY_SHEET_AS_SHOWN
from tests.studio import STARTED, studio

# -- the studio ----------------------------------------------------------------------------
STUDIO = """
    Packages
    package_id | name               | sessions | price | commission_rate
    P4         | 4-Session Training | 4        | 2000  |
    P6         | 6-Session Physio   | 6        | 3000  | 40%

    Clients
    client_id | name          | email              | status | file
    C1        | Ayşe Çelik    | ayse@example.com   | active |
    C2        | Mehmet Öztürk | mehmet@example.com | active |
    C3        | Selin Arslan  | selin@example.com  | active |
    C4        | Deniz Şahin   | deniz@example.com  | active |

    Staff
    staff_id | name | email            | role    | commission_rate
    ST1      | Elif | elif@example.com | staff   | 30%
    ST2      | Can  | can@example.com  | manager | 25%

    Enrollments
    enrollment_id | client_id | package_id | start_date | staff_id | schedule             | status
    E1            | C1        | P4         | 2026-03-02 | ST1      | Mon 14:00, Thu 14:00 | active
    E2            | C2        | P6         | 2026-03-03 | ST2      | Tue 09:00, Fri 09:00 | active
    E3            | C3        | P4         | 2026-03-04 | ST1      | Wed 18:00            | active
    E4            | C4        | P4         | 2026-03-07 | ST2      | Sat 10:00            | active

    Payments
    enrollment_id | amount | date
    E1            | 2000   | 2026-03-02
    E2            | 1500   | 2026-03-03
"""
# The studio's history before the corpus starts: sheetsync ran at these moments.
HISTORY = (datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 13, 9, 0))
SHEETSYNC_TABS = {t.name for t in OWNED_TABS}
# sheetsync's own tabs that hold nothing of the studio's (their objects are sheetsync's).
OWN_ONLY = ("Notifications", "Commissions", "Problems", "Runs")
STUDIO_TABS_ADDED = ("Dashboard", "Rooms", "Prices")

# Appointments: sheetsync's columns are A..Q; the studio's own start at R.
APPOINTMENT_COLUMNS = {
    "R": "label", "S": "done", "T": "ticket", "U": "file", "V": "room", "W": "room note",
}
FILLED_TO = 60  # the studio filled its formula columns down to this row, ahead of the data
LABEL = 'IF(A{r}="","",A{r}&" "&F{r})'
DONE = 'IF(A{r}="","",COUNTIFS($B$2:B{r},B{r},$L$2:L{r},"completed"))'
TICKET = 'IF(B{r}="","",B{r}&"#"&D{r})'  # filled down as one shared formula
BALANCE_CHECK = 'IF(A{r}="","",Q{r}-R{r}-S{r})'  # Balances U: price - paid - due

# Rows named by the appointment on them (the studio put its objects there).
KEPT_ABOVE = "E2-1-02"  # stays where it is
DELETED = "E4-1-04"  # deleted when its client is closed
MOVING = ("E1-2-01", "E1-2-02", "E1-2-03", "E1-2-04")  # below DELETED: they move up
WATCHED = "E1-2-03"  # the Dashboard points at this appointment's status
WATCHED_BALANCE = ("E2", 1)

DASHBOARD = (  # (cell, label, formula); {row} is the WATCHED row, {brow} the balance's
    ("B3", "completed", 'COUNTIF(Appointments!L2:L500,"completed")'),
    ("B4", f"status of {WATCHED}", "Appointments!L{row}"),
    ("B5", "due", "SUM(Balances!S2:S100)"),
    ("B6", "pending", 'COUNTIF(Statuses,"pending")'),
    ("B7", "appointments", "COUNTA(Appointments!A2:A500)"),
    ("B8", f"status of {WATCHED}, by name", "Booking"),
    ("B9", "E2 remaining", "Balances!L{brow}"),
)
NAMES = {"Statuses": "Appointments!$L$2:$L$500", "Booking": "Appointments!$L${row}",
         "E2Due": "Balances!$S${brow}"}
# Balances: the studio's own objects on the watched balance's row (V: a link, W:X merged,
# Y an image) and over its rows (a validation in Z, a conditional format on due), so
# renewals inserted above that row show each of them moving down with it.
BALANCE_LINK = "https://files.example.com/contracts/E2-1"
BALANCE_VALIDATION, BALANCE_CHECKED = "Z2:Z100", "S2:S100"


def studio_tables() -> dict[str, Table]:
    """The studio's tabs as sheetsync left them after HISTORY (every cell typed)."""
    from sheetsync import engine

    store = studio(STUDIO)
    for moment in HISTORY:
        engine.sync(store, moment, started_at=STARTED)
    return store.read()


def row_of(tables: dict[str, Table], tab: str, **match: Any) -> int:
    rows = [i + 2 for i, r in enumerate(records_of(tables[tab]))
            if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) == 1, (tab, match, rows)
    return rows[0]


def records_of(table: Table) -> list[dict[str, Any]]:
    names = [str(h) for h in table.header]
    return [dict(zip(names, row + [None] * (len(names) - len(row)), strict=False))
            for row in table.rows]


@dataclass
class Places:
    """Where the studio's objects go, as sheet rows."""

    kept_above: int
    deleted: int
    moving: tuple[int, ...]
    watched: int
    balance: int
    balances: int  # last Balances row

    @classmethod
    def of(cls, tables: dict[str, Table]) -> Places:
        def at(aid: str) -> int:
            return row_of(tables, "Appointments", appointment_id=aid)
        eid, period = WATCHED_BALANCE
        return cls(at(KEPT_ABOVE), at(DELETED), tuple(at(a) for a in MOVING), at(WATCHED),
                   row_of(tables, "Balances", enrollment_id=eid, period=period),
                   tables["Balances"].last_row)


def png(width: int = 24, height: int = 12) -> bytes:
    """A small green PNG, made by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x20\xa0\x40" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _openpyxl_png() -> Any:
    """An openpyxl image of png() without Pillow (openpyxl only needs its size and bytes)."""
    from openpyxl.drawing.image import Image

    class Png(Image):  # type: ignore[misc]
        def __init__(self) -> None:
            self.ref, self.width, self.height, self.format = png(), 24, 12, "png"

        def _data(self) -> bytes:
            return bytes(self.ref)
    return Png()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _kind(tab: str, header: Any) -> Kind | None:
    known = TABS_BY_NAME.get(tab)
    if known is None or not isinstance(header, str):
        return None
    try:
        return known.column(header).kind
    except (KeyError, ValueError, StopIteration):
        return None


NUMBER_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.TIME: "hh:mm", Kind.DATETIME: "yyyy-mm-dd hh:mm",
                  Kind.MONEY: "#,##0.00", Kind.NUMBER: "0.00"}


# -- builder (a): openpyxl -----------------------------------------------------------------
def build_with_openpyxl(path: Path) -> Path:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table as SheetTable

    tables = studio_tables()
    at = Places.of(tables)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for tab in [t.name for t in ALL_TABS]:
        ws = wb.create_sheet(tab)
        table = tables[tab]
        ws.append(list(table.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in table.rows:
            ws.append([_plain(v) for v in values])
        for col, header in enumerate(table.header, 1):
            kind = _kind(tab, header)
            if kind in NUMBER_FORMATS:
                for row in range(2, table.last_row + 1):
                    ws.cell(row, col).number_format = NUMBER_FORMATS[kind]  # type: ignore[index]
        ws.freeze_panes = "A2"
    yellow = PatternFill("solid", fgColor="FFFF00")
    grey = PatternFill("solid", fgColor="D9D9D9")

    ap = wb["Appointments"]
    for letter, header in APPOINTMENT_COLUMNS.items():
        ap[f"{letter}1"] = header
    for r in range(2, FILLED_TO + 1):
        ap[f"R{r}"] = "=" + LABEL.format(r=r)
        ap[f"S{r}"] = "=" + DONE.format(r=r)
        ap[f"T{r}"] = "=" + TICKET.format(r=r)
    ap.cell(at.deleted, 12).comment = Comment("Client asked to confirm by phone", "Studio")
    ap.cell(at.moving[1], 15).comment = Comment("Bring the knee brace", "Studio")
    ap.cell(at.kept_above, 6).comment = Comment("Prefers mornings", "Studio")
    for r in (at.moving[2], at.deleted):
        ap[f"U{r}"] = "session file"
        ap[f"U{r}"].hyperlink = f"https://files.example.com/sessions/{ap[f'A{r}'].value}"
    ap[f"V{at.moving[0]}"] = "Room A"
    ap.merge_cells(f"V{at.moving[0]}:W{at.moving[1]}")
    for r in (at.moving[2], at.deleted):
        ap.row_dimensions[r].fill = yellow
        for col in range(1, 24):
            ap.cell(r, col).fill = yellow
    ap.row_dimensions[at.moving[3]].height = 30
    ap.row_dimensions[at.moving[1]].hidden = True
    for r in (at.deleted, at.moving[2]):
        ap.add_image(_openpyxl_png(), f"X{r}")
    ap.conditional_formatting.add("L2:L500", CellIsRule(operator="equal", formula=['"cancelled"'],
                                                        fill=grey))
    ap.conditional_formatting.add("R2:R500", FormulaRule(formula=['$L2="pending"'], fill=yellow))
    rooms = DataValidation(type="list", formula1='"Room A,Room B"', allow_blank=True)
    rooms.add("V2:V500")
    ap.add_data_validation(rooms)

    ba = wb["Balances"]
    ba["U1"] = "check"
    for r in range(2, at.balances + 6):
        ba[f"U{r}"] = "=" + BALANCE_CHECK.format(r=r)
    ba[f"U{at.balance}"].comment = Comment("Second instalment promised", "Studio")
    ba.row_dimensions[at.balance].fill = grey
    for col in range(1, 22):
        ba.cell(at.balance, col).fill = grey
    ba["V1"], ba["W1"], ba["Z1"] = "contract", "plan", "method"
    ba[f"V{at.balance}"] = "signed"
    ba[f"V{at.balance}"].hyperlink = BALANCE_LINK
    ba[f"W{at.balance}"] = "two instalments"
    ba.merge_cells(f"W{at.balance}:X{at.balance}")
    ba.add_image(_openpyxl_png(), f"Y{at.balance}")
    methods = DataValidation(type="list", formula1='"cash,card"', allow_blank=True)
    methods.add(BALANCE_VALIDATION)
    ba.add_data_validation(methods)
    ba.conditional_formatting.add(BALANCE_CHECKED, CellIsRule(operator="greaterThan",
                                                              formula=["0"], fill=yellow))

    cl = wb["Clients"]
    for r in range(2, tables["Clients"].last_row + 1):
        cl[f"E{r}"] = "file"
        cl[f"E{r}"].hyperlink = f"https://files.example.com/clients/{cl[f'A{r}'].value}"
    cl["B2"].comment = Comment("Referred by Selin", "Studio")

    da = wb.create_sheet("Dashboard")
    da["A1"] = "Studio dashboard"
    da.merge_cells("A1:D1")
    da["A1"].font = Font(bold=True, size=14)
    da["A3"].comment = Comment("Counts every completed session", "Studio")
    for cell, label, formula in DASHBOARD:
        da[f"A{cell[1:]}"] = label
        da[cell] = "=" + formula.format(row=at.watched, brow=at.balance)
    da.add_image(_openpyxl_png(), "F2")
    for name, text in NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=text.format(row=at.watched,
                                                                         brow=at.balance))

    ro = wb.create_sheet("Rooms")
    for values in (["room", "floor", "seats"], ["Room A", 1, 6], ["Room B", 1, 4],
                   ["Studio", 2, 12]):
        ro.append(values)
    ro.auto_filter.ref = "A1:C4"
    ro.row_dimensions[3].hidden = True
    pr = wb.create_sheet("Prices")
    for values in (["package", "price", "per session"], ["P4", 2000, "=B2/4"],
                   ["P6", 3000, "=B3/6"], ["P8", 3600, "=B4/8"]):
        pr.append(values)
    pr.add_table(SheetTable(displayName="PriceList", ref="A1:C4"))
    wb.save(path)
    finish(path, shared_ticket=True)
    return path


# -- builder (b): xlsxwriter ---------------------------------------------------------------
def build_with_xlsxwriter(path: Path) -> Path:
    import xlsxwriter

    tables = studio_tables()
    at = Places.of(tables)
    book = xlsxwriter.Workbook(str(path))
    formats: dict[tuple[Any, str | None], Any] = {}

    def fmt(kind: Kind | None, fill: str | None = None) -> Any:
        key = (kind, fill)
        if key not in formats:
            spec: dict[str, Any] = {}
            if kind in NUMBER_FORMATS:
                spec["num_format"] = NUMBER_FORMATS[kind]  # type: ignore[index]
            if fill:
                spec.update(pattern=1, bg_color=fill)
            formats[key] = book.add_format(spec) if spec else None
        return formats[key]

    fills = {"Appointments": {at.moving[2]: "#FFFF00", at.deleted: "#FFFF00"},
             "Balances": {at.balance: "#D9D9D9"}}
    bold = book.add_format({"bold": True})
    sheets: dict[str, Any] = {}
    for tab in [t.name for t in ALL_TABS]:
        ws = sheets[tab] = book.add_worksheet(tab)
        table = tables[tab]
        ws.freeze_panes(1, 0)
        for col, header in enumerate(table.header):
            ws.write(0, col, header, bold)
        filled = fills.get(tab, {})
        for r, values in enumerate(table.rows, 2):
            fill = filled.get(r)
            if fill:
                ws.set_row(r - 1, None, fmt(None, fill))
            width = max(len(values), 23 if tab == "Appointments" else 21) if fill else len(values)
            for col in range(width):
                value = _plain(values[col]) if col < len(values) else None
                style = fmt(_kind(tab, table.header[col] if col < len(table.header) else None),
                            fill)
                if value is None:
                    if fill:
                        ws.write_blank(r - 1, col, None, style)
                elif isinstance(value, datetime | date | time):
                    ws.write_datetime(r - 1, col, value, style)
                elif isinstance(value, str):
                    ws.write_string(r - 1, col, value, style)
                else:
                    ws.write_number(r - 1, col, value, style)

    ap = sheets["Appointments"]
    ids = {r: tables["Appointments"].cell(r, 1) for r in range(2, at.balances + 40)}
    for i, header in enumerate(APPOINTMENT_COLUMNS.values()):
        ap.write_string(0, 17 + i, header, bold)
    shown = _computed(tables)  # xlsxwriter stores what Excel would have computed
    for r in range(2, FILLED_TO + 1):
        style = fmt(None, fills["Appointments"].get(r))
        for letter, formula in (("R", LABEL), ("S", DONE), ("T", TICKET)):
            ap.write_formula(f"{letter}{r}", "=" + formula.format(r=r), style,
                             shown.get(f"{letter}{r}", ""))
    ap.write_comment(at.deleted - 1, 11, "Client asked to confirm by phone", {"author": "Studio"})
    ap.write_comment(at.moving[1] - 1, 14, "Bring the knee brace", {"author": "Studio"})
    ap.write_comment(at.kept_above - 1, 5, "Prefers mornings", {"author": "Studio"})
    for r in (at.moving[2], at.deleted):
        ap.write_url(f"U{r}", f"https://files.example.com/sessions/{ids[r]}",
                     fmt(None, fills["Appointments"].get(r)), string="session file")
    ap.merge_range(f"V{at.moving[0]}:W{at.moving[1]}", "Room A")
    ap.set_row(at.moving[3] - 1, 30)
    ap.set_row(at.moving[1] - 1, None, None, {"hidden": True})
    for r in (at.deleted, at.moving[2]):
        ap.insert_image(f"X{r}", "logo.png", {"image_data": io.BytesIO(png())})
    grey = book.add_format({"bg_color": "#D9D9D9"})
    yellow = book.add_format({"bg_color": "#FFFF00"})
    ap.conditional_format("L2:L500", {"type": "cell", "criteria": "==", "value": '"cancelled"',
                                      "format": grey})
    ap.conditional_format("R2:R500", {"type": "formula", "criteria": '=$L2="pending"',
                                      "format": yellow})
    ap.data_validation("V2:V500", {"validate": "list", "source": ["Room A", "Room B"]})

    ba = sheets["Balances"]
    ba.write_string(0, 20, "check", bold)
    for r in range(2, at.balances + 6):
        ba.write_formula(f"U{r}", "=" + BALANCE_CHECK.format(r=r),
                         fmt(None, fills["Balances"].get(r)), 0 if r <= at.balances else "")
    ba.write_comment(at.balance - 1, 20, "Second instalment promised", {"author": "Studio"})
    for letter, header in (("V", "contract"), ("W", "plan"), ("Z", "method")):
        ba.write_string(f"{letter}1", header, bold)
    ba.write_url(f"V{at.balance}", BALANCE_LINK, fmt(None, fills["Balances"][at.balance]),
                 string="signed")
    ba.merge_range(f"W{at.balance}:X{at.balance}", "two instalments",
                   fmt(None, fills["Balances"][at.balance]))
    ba.insert_image(f"Y{at.balance}", "logo.png", {"image_data": io.BytesIO(png())})
    ba.data_validation(BALANCE_VALIDATION, {"validate": "list", "source": ["cash", "card"]})
    ba.conditional_format(BALANCE_CHECKED, {"type": "cell", "criteria": ">", "value": 0,
                                            "format": yellow})

    cl = sheets["Clients"]
    for r in range(2, tables["Clients"].last_row + 1):
        cl.write_url(f"E{r}", f"https://files.example.com/clients/{tables['Clients'].cell(r, 1)}",
                     string="file")
    cl.write_comment("B2", "Referred by Selin", {"author": "Studio"})

    da = book.add_worksheet("Dashboard")
    da.merge_range("A1:D1", "Studio dashboard", book.add_format({"bold": True, "font_size": 14}))
    da.write_comment("A3", "Counts every completed session", {"author": "Studio"})
    for cell, label, formula in DASHBOARD:
        da.write_string(f"A{cell[1:]}", label)
        da.write_formula(cell, "=" + formula.format(row=at.watched, brow=at.balance), None,
                         _dashboard(tables)[cell])
    da.insert_image("F2", "logo.png", {"image_data": io.BytesIO(png())})
    for name, text in NAMES.items():
        book.define_name(name, "=" + text.format(row=at.watched, brow=at.balance))

    ro = book.add_worksheet("Rooms")
    for r, values in enumerate((["room", "floor", "seats"], ["Room A", 1, 6], ["Room B", 1, 4],
                                ["Studio", 2, 12])):
        ro.write_row(r, 0, values)
    ro.autofilter("A1:C4")
    ro.set_row(2, None, None, {"hidden": True})
    pr = book.add_worksheet("Prices")
    pr.add_table("A1:C4", {"name": "PriceList", "columns": [
        {"header": "package"}, {"header": "price"}, {"header": "per session"}],
        "data": [["P4", 2000], ["P6", 3000], ["P8", 3600]]})
    for r, divisor in ((2, 4), (3, 6), (4, 8)):
        pr.write_formula(f"C{r}", f"=B{r}/{divisor}")
    book.close()
    finish(path, shared_ticket=True)
    return path


def _computed(tables: dict[str, Table]) -> dict[str, Any]:
    """The values of the studio's Appointments formulas on the rows that hold appointments."""
    values: dict[str, Any] = {}
    done: dict[str, int] = {}
    for r, a in enumerate(records_of(tables["Appointments"]), 2):
        if a["status"] == "completed":
            done[a["enrollment_id"]] = done.get(a["enrollment_id"], 0) + 1
        values[f"R{r}"] = f"{a['appointment_id']} {a['client_name']}"
        values[f"S{r}"] = done.get(a["enrollment_id"], 0)
        values[f"T{r}"] = f"{a['enrollment_id']}#{a['session']}"
    return values


def _dashboard(tables: dict[str, Table]) -> dict[str, Any]:
    appointments = records_of(tables["Appointments"])
    balances = records_of(tables["Balances"])
    statuses = [a["status"] for a in appointments]
    watched = next(a for a in appointments if a["appointment_id"] == WATCHED)
    eid, period = WATCHED_BALANCE
    balance = next(b for b in balances if (b["enrollment_id"], b["period"]) == (eid, period))
    return {"B3": statuses.count("completed"), "B4": watched["status"],
            "B5": float(sum(b["due"] for b in balances)), "B6": statuses.count("pending"),
            "B7": len(appointments), "B8": watched["status"], "B9": balance["remaining"]}


# -- builder (c): LibreOffice --------------------------------------------------------------
def build_with_libreoffice(path: Path, folder: Path) -> Path:
    """The openpyxl workbook opened and saved again by LibreOffice (as a studio would)."""
    source = build_with_openpyxl(folder / "from-openpyxl.xlsx")
    out = folder / "lo-out"
    soffice("xlsx", out, [source], folder)
    shutil.move(str(out / source.name), path)
    finish(path, shared_ticket=not _has_shared_formulas(path, "Appointments"))
    return path


BUILDERS: dict[str, Callable[[Path, Path], Path]] = {
    "openpyxl": lambda path, folder: build_with_openpyxl(path),
    "xlsxwriter": lambda path, folder: build_with_xlsxwriter(path),
    "libreoffice": build_with_libreoffice,
}


# -- the zip, its parts and their relationships --------------------------------------------
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DML = "http://schemas.openxmlformats.org/drawingml/2006/main"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
LAST_ROW = 1048576


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> None:
    order = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n.startswith("xl/media")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            z.writestr(name, parts[name])


def _join(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    pieces = [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            pieces.pop()
        elif piece not in ("", "."):
            pieces.append(piece)
    return "/".join(pieces)


def rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


@dataclass(frozen=True)
class Link:
    kind: str  # the relationship type's last word: comments, drawing, image, hyperlink ...
    target: str  # a part name, or the URL of an external target


def links(parts: dict[str, bytes], part: str) -> dict[str, Link]:
    xml = parts.get(rels_name(part))
    if xml is None:
        return {}
    folder = part.rpartition("/")[0]
    found = {}
    for rel in ET.fromstring(xml).iter(f"{{{PKG}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = _join(folder, target)
        found[rel.get("Id", "")] = Link(rel.get("Type", "").rsplit("/", 1)[-1], target)
    return found


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Worksheet title -> part, in the workbook's order."""
    book = ET.fromstring(parts["xl/workbook.xml"])
    targets = links(parts, "xl/workbook.xml")
    return {s.get("name", ""): targets[s.get(f"{{{REL}}}id", "")].target
            for s in book.iter(f"{{{MAIN}}}sheet")}


def shared_strings(parts: dict[str, bytes]) -> list[str]:
    found = [t.target for t in links(parts, "xl/workbook.xml").values()
             if t.kind == "sharedStrings"]
    if not found or found[0] not in parts:
        return []
    root = ET.fromstring(parts[found[0]])
    return ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t"))
            for si in root.iter(f"{{{MAIN}}}si")]


# -- cell references -----------------------------------------------------------------------
_STRING = re.compile(r'"(?:[^"]|"")*"')
_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!"
_REF = re.compile(
    rf"(?<![\w.$!'])(?P<sheet>{_SHEET})?(?P<c1>\$?[A-Z]{{1,3}})(?P<r1>\$?\d+)"
    r"(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?(?![\w(!])")
_BROKEN = re.compile(rf"(?:{_SHEET})?#REF!")


def split_ref(ref: str) -> tuple[int, int]:
    """'$AB$12' -> (row 12, column 28)."""
    found = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    assert found, ref
    return int(found.group(2)), column_index_from_string(found.group(1))


letters = get_column_letter  # 28 -> 'AB'


def _outside_strings(formula: str, change: Callable[[str], str]) -> str:
    out, pos = [], 0
    for found in _STRING.finditer(formula):
        out.append(change(formula[pos:found.start()]))
        out.append(found.group(0))
        pos = found.end()
    out.append(change(formula[pos:]))
    return "".join(out)


def shifted_formula(formula: str, rows: int, cols: int) -> str:
    """The formula of a shared group's master as it reads `rows` down, `cols` right."""
    def part(col: str, row: str) -> str:
        c = col if col.startswith("$") else letters(split_ref(col + "1")[1] + cols)
        r = row if row.startswith("$") else str(int(row) + rows)
        return c + r

    def one(found: re.Match[str]) -> str:
        text = (found.group("sheet") or "") + part(found.group("c1"), found.group("r1"))
        if found.group("c2"):
            text += ":" + part(found.group("c2"), found.group("r2"))
        return text
    return _outside_strings(formula, lambda chunk: _REF.sub(one, chunk))


def unquoted(sheet: str) -> str:
    sheet = sheet.rstrip("!")
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


# -- the row map of one sheetsync command --------------------------------------------------
@dataclass
class Rows:
    """Where each row of `before` stands after the command: rows deleted, the rest moved up,
    and moved down by the rows inserted above them (`inserted`: rows of `after`).

    The identity when nothing was deleted or inserted (how `after` maps onto itself)."""

    deleted: dict[str, list[int]] = field(default_factory=dict)
    inserted: dict[str, list[int]] = field(default_factory=dict)

    def _above(self, sheet: str, row: int) -> int:
        return sum(1 for d in self.deleted.get(sheet, ()) if d < row)

    def _moved(self, sheet: str, row: int) -> int:
        row -= self._above(sheet, row)
        for new in sorted(self.inserted.get(sheet, ())):
            if new <= row:
                row += 1
        return row

    def cell(self, sheet: str, row: int) -> int | None:
        if row > LAST_ROW - 1000:
            return LAST_ROW  # "to the end of the sheet", however a writer keeps it
        if row in self.deleted.get(sheet, ()):
            return None
        return self._moved(sheet, row)

    def anchor(self, sheet: str, row: int) -> int:
        """A drawing on a deleted row moves to the next row that stays, as in a spreadsheet."""
        return self._moved(sheet, row)

    def span(self, sheet: str, first: int, last: int) -> tuple[int, int] | None:
        gone = self.deleted.get(sheet, ())
        kept = [r for r in range(first, min(last, first + 5000) + 1) if r not in gone]
        if not kept:
            return None
        low = self.cell(sheet, kept[0])
        high = LAST_ROW if last > LAST_ROW - 1000 else self.cell(sheet, kept[-1])
        assert low is not None and high is not None
        return low, high

    def formula(self, formula: str, sheet: str) -> str:
        """The formula with every reference spelled with its sheet and its row moved."""
        def one(found: re.Match[str]) -> str:
            where = unquoted(found.group("sheet")) if found.group("sheet") else sheet
            r1 = int(found.group("r1").lstrip("$"))
            dollar1 = "$" if found.group("r1").startswith("$") else ""
            if not found.group("c2"):
                row = self.cell(where, r1)
                if row is None:
                    return "#REF!"
                return f"{where}!{found.group('c1')}{dollar1}{row}"
            r2 = int(found.group("r2").lstrip("$"))
            dollar2 = "$" if found.group("r2").startswith("$") else ""
            span = self.span(where, r1, r2)
            if span is None:
                return "#REF!"
            return (f"{where}!{found.group('c1')}{dollar1}{span[0]}:"
                    f"{found.group('c2')}{dollar2}{span[1]}")
        text = _outside_strings(formula.lstrip("="), lambda c: _BROKEN.sub("#REF!", c))
        return _outside_strings(text, lambda chunk: _REF.sub(one, chunk)).replace(" ", "")

    def sqref(self, sqref: str, sheet: str) -> str | None:
        kept = []
        for piece in sqref.split():
            first, _, last = piece.partition(":")
            (r1, c1), (r2, c2) = split_ref(first), split_ref(last or first)
            span = self.span(sheet, r1, r2)
            if span is not None:
                kept.append(f"{letters(c1)}{span[0]}:{letters(c2)}{span[1]}")
        return " ".join(kept) or None


# -- the studio's objects, read at the XML level -------------------------------------------
Key = tuple[str, str, int, int, str]  # (sheet, kind, row, column, name): rows after the command
# Kinds that must not appear where they were not (an object moved to another row shows here).
PLACED_KINDS = {"formula", "comment", "note box", "hyperlink", "merge", "row", "drawing"}
STUDIO_COLUMNS_FROM = {"Appointments": 18, "Balances": 21}  # R and U: the studio's own columns
VML_NOTE = re.compile(rb'ObjectType="Note".*?<(?:\w+:)?Row>(\d+)</(?:\w+:)?Row>\s*'
                      rb"<(?:\w+:)?Column>(\d+)</(?:\w+:)?Column>", re.DOTALL)


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def _canonical(element: ET.Element | None) -> str:
    if element is None:
        return ""
    attrs = ",".join(f"{k.rsplit('}', 1)[-1]}={v}" for k, v in sorted(element.attrib.items()))
    inner = "".join(_canonical(child) for child in element)
    return f"<{element.tag.rsplit('}', 1)[-1]} {attrs}>{inner}"


class Styles:
    """A cell format's look (fill, font, border), whatever its index or number format."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        root = ET.fromstring(parts["xl/styles.xml"]) if "xl/styles.xml" in parts else None

        def listed(name: str, item: str) -> list[ET.Element]:
            found = root.find(f"{{{MAIN}}}{name}") if root is not None else None
            return list(found.iter(f"{{{MAIN}}}{item}")) if found is not None else []
        fills, fonts, borders = listed("fills", "fill"), listed("fonts", "font"), \
            listed("borders", "border")

        def look(xf: ET.Element) -> str:
            def pick(items: list[ET.Element], attr: str) -> ET.Element | None:
                i = int(xf.get(attr, "0"))
                return items[i] if i < len(items) else None
            return (_canonical(pick(fills, "fillId")) + _canonical(pick(fonts, "fontId"))
                    + _canonical(pick(borders, "borderId")))
        self.looks = [look(xf) for xf in listed("cellXfs", "xf")]

    def look(self, index: str | None) -> str | None:
        """None for the workbook's default look."""
        i = int(index or 0)
        if not self.looks or i >= len(self.looks) or self.looks[i] == self.looks[0]:
            return None
        return self.looks[i]


def cell_text(cell: ET.Element, strings: list[str]) -> str | None:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{{{MAIN}}}t"))
    value = cell.find(f"{{{MAIN}}}v")
    if value is None or value.text is None:
        return None
    if kind == "s":
        return strings[int(value.text)]
    return value.text


def grid(parts: dict[str, bytes], sheet: str) -> dict[tuple[int, int], str]:
    """Every cell's value as text, by (row, column); formulas by their cached value."""
    strings = shared_strings(parts)
    root = ET.fromstring(parts[sheet_parts(parts)[sheet]])
    cells = {}
    for cell in root.iter(f"{{{MAIN}}}c"):
        text = cell_text(cell, strings)
        if text is not None:
            cells[split_ref(cell.get("r", ""))] = text
    return cells


def record_rows(parts: dict[str, bytes]) -> dict[str, dict[str, int]]:
    """For Appointments and Balances: each record's label -> its sheet row."""
    found: dict[str, dict[str, int]] = {}
    for sheet, key_columns in (("Appointments", ("appointment_id",)),
                               ("Balances", ("enrollment_id", "period"))):
        cells = grid(parts, sheet)
        header = {v: c for (r, c), v in cells.items() if r == 1}
        columns = [header[k] for k in key_columns]
        rows = sorted({r for (r, _c) in cells if r > 1})
        labels: dict[str, int] = {}
        for row in rows:
            values = [cells.get((row, c), "") for c in columns]
            if values[0]:
                labels["/".join(values)] = row
        found[sheet] = labels
    return found


def row_map(before: dict[str, bytes], after: dict[str, bytes]) -> tuple[Rows, list[str]]:
    """The rows sheetsync deleted (records gone) and inserted (new records above records
    that were there), and every record that is not where it should be once those rows are
    gone and in (each one a problem)."""
    old, new = record_rows(before), record_rows(after)
    inserted = {}
    for sheet, labels in new.items():
        bottom = max((r for label, r in labels.items() if label in old[sheet]), default=0)
        inserted[sheet] = sorted(r for label, r in labels.items()
                                 if label not in old[sheet] and r < bottom)
    rows = Rows({sheet: sorted(r for label, r in labels.items() if label not in new[sheet])
                 for sheet, labels in old.items()}, inserted)
    problems = []
    for sheet, labels in old.items():
        for label, row in labels.items():
            if label in new[sheet] and new[sheet][label] != rows.cell(sheet, row):
                problems.append(f"{sheet}: the record {label} stands on row "
                                f"{new[sheet][label]}, not on row {rows.cell(sheet, row)}")
    return rows, problems


def studio_objects(parts: dict[str, bytes], rows: Rows) -> dict[Key, str]:
    """Every object of the studio's, at the row it must stand on after `rows` took effect."""
    objects: dict[Key, str] = {}
    strings, styles = shared_strings(parts), Styles(parts)
    for sheet, part in sheet_parts(parts).items():
        if sheet in OWN_ONLY:
            continue
        _sheet_objects(parts, sheet, part, rows, strings, styles, objects)
    book = ET.fromstring(parts["xl/workbook.xml"])
    for name in book.iter(f"{{{MAIN}}}definedName"):
        label = f"{name.get('name')}@{name.get('localSheetId', '')}"
        objects[("", "defined name", 0, 0, label)] = rows.formula(name.text or "", "")
    return objects


def _sheet_objects(parts: dict[str, bytes], sheet: str, part: str, rows: Rows,
                   strings: list[str], styles: Styles, objects: dict[Key, str]) -> None:
    root = ET.fromstring(parts[part])
    related = links(parts, part)
    values_from = STUDIO_COLUMNS_FROM.get(sheet, 1)
    masters: dict[str, tuple[int, int, str]] = {}
    for cell in root.iter(f"{{{MAIN}}}c"):
        f = cell.find(f"{{{MAIN}}}f")
        if f is not None and f.get("t") == "shared" and f.text:
            masters[f.get("si", "")] = (*split_ref(cell.get("r", "")), f.text)
    for row in root.iter(f"{{{MAIN}}}row"):
        number = int(row.get("r", "0"))
        at = rows.cell(sheet, number)
        if at is None:
            continue  # the row was deleted, and everything on it
        shape = []
        if _true(row.get("customHeight")):
            shape.append(f"height {float(row.get('ht', '0')):g}")
        if _true(row.get("hidden")):
            shape.append("hidden")
        if _true(row.get("customFormat")) and styles.look(row.get("s")):
            shape.append(f"look {styles.look(row.get('s'))}")
        if shape:
            objects[(sheet, "row", at, 0, "")] = "; ".join(shape)
        for cell in row.iter(f"{{{MAIN}}}c"):
            r, col = split_ref(cell.get("r", ""))
            f = cell.find(f"{{{MAIN}}}f")
            if f is not None:
                text = f.text or ""
                if f.get("t") == "shared" and not text:
                    mr, mc, master = masters[f.get("si", "")]
                    text = shifted_formula(master, r - mr, col - mc)
                objects[(sheet, "formula", at, col, "")] = rows.formula(text, sheet)
            elif col >= values_from and (value := cell_text(cell, strings)) is not None:
                objects[(sheet, "value", at, col, "")] = value
            look = styles.look(cell.get("s"))
            if look:
                objects[(sheet, "look", at, col, "")] = look
    for link in root.iter(f"{{{MAIN}}}hyperlink"):
        r, col = split_ref(link.get("ref", "").split(":")[0])
        at = rows.cell(sheet, r)
        if at is not None:
            target = related.get(link.get(f"{{{REL}}}id", ""))
            where = target.target if target else rows.formula(link.get("location", ""), sheet)
            objects[(sheet, "hyperlink", at, col, "")] = where
    for merge in root.iter(f"{{{MAIN}}}mergeCell"):
        if (ref := rows.sqref(merge.get("ref", ""), sheet)) is not None:
            objects[(sheet, "merge", *split_ref(ref.split(":")[0]), "")] = ref
    for i, block in enumerate(root.iter(f"{{{MAIN}}}conditionalFormatting")):
        if (ref := rows.sqref(block.get("sqref", ""), sheet)) is not None:
            rules = [f"{rule.get('type')} {rule.get('operator', '')} " + " ".join(
                rows.formula(x.text or "", sheet) for x in rule.iter(f"{{{MAIN}}}formula"))
                for rule in block.iter(f"{{{MAIN}}}cfRule")]
            objects[(sheet, "conditional format", 0, 0, str(i))] = f"{ref}: {rules}"
    for i, check in enumerate(root.iter(f"{{{MAIN}}}dataValidation")):
        if (ref := rows.sqref(check.get("sqref", ""), sheet)) is not None:
            rule = " ".join(rows.formula(x.text or "", sheet) for x in check
                            if x.tag.endswith("formula1") or x.tag.endswith("formula2"))
            objects[(sheet, "validation", 0, 0, str(i))] = f"{ref}: {check.get('type')} {rule}"
    autofilter = root.find(f"{{{MAIN}}}autoFilter")
    if autofilter is not None:
        objects[(sheet, "autofilter", 0, 0, "")] = str(rows.sqref(autofilter.get("ref", ""), sheet))
    for link in related.values():
        if link.kind == "comments" and link.target in parts:
            _comments(parts[link.target], sheet, rows, objects)
        elif link.kind == "vmlDrawing" and link.target in parts:
            for found in VML_NOTE.finditer(parts[link.target]):
                at = rows.cell(sheet, int(found.group(1)) + 1)
                if at is not None:
                    objects[(sheet, "note box", at, int(found.group(2)) + 1, "")] = "note"
        elif link.kind == "drawing" and link.target in parts:
            _drawings(parts, link.target, sheet, rows, objects)
        elif link.kind == "table" and link.target in parts:
            table = ET.fromstring(parts[link.target])
            objects[(sheet, "table", 0, 0, table.get("displayName", ""))] = str(
                rows.sqref(table.get("ref", ""), sheet))


def _comments(xml: bytes, sheet: str, rows: Rows, objects: dict[Key, str]) -> None:
    root = ET.fromstring(xml)
    authors = [a.text or "" for a in root.iter(f"{{{MAIN}}}author")]
    for comment in root.iter(f"{{{MAIN}}}comment"):
        r, col = split_ref(comment.get("ref", ""))
        at = rows.cell(sheet, r)
        if at is not None:
            author = authors[int(comment.get("authorId", "0"))] if authors else ""
            text = "".join(t.text or "" for t in comment.iter(f"{{{MAIN}}}t"))
            objects[(sheet, "comment", at, col, "")] = f"{author}: {text.strip()}"


def _drawings(parts: dict[str, bytes], part: str, sheet: str, rows: Rows,
              objects: dict[Key, str]) -> None:
    related = links(parts, part)
    root = ET.fromstring(parts[part])
    anchors = [a for a in root if a.tag.rsplit("}", 1)[-1] in ("twoCellAnchor", "oneCellAnchor")]
    for i, anchor in enumerate(anchors):
        where = []
        for end in ("from", "to"):
            marker = anchor.find(f"{{{XDR}}}{end}")
            if marker is not None:
                row = int(marker.findtext(f"{{{XDR}}}row", "0")) + 1
                col = int(marker.findtext(f"{{{XDR}}}col", "0")) + 1
                where.append(f"{end} {letters(col)}{rows.anchor(sheet, row)}")
        what = []
        for blip in anchor.iter(f"{{{DML}}}blip"):
            media = related.get(blip.get(f"{{{REL}}}embed", ""))
            if media and media.target in parts:
                what.append("image " + hashlib.sha1(parts[media.target]).hexdigest()[:12])
        for chart in anchor.iter(f"{{{CHART}}}chart"):
            target = related.get(chart.get(f"{{{REL}}}id", ""))
            if target and target.target in parts:
                series = ET.fromstring(parts[target.target]).iter(f"{{{CHART}}}f")
                what.append("chart " + " ".join(rows.formula(f.text or "", sheet)
                                                for f in series))
        objects[(sheet, "drawing", 0, 0, str(i))] = " ".join(where + what)


# -- what is compared after each command ---------------------------------------------------
@dataclass
class Comparison:
    checked: int = 0
    problems: list[str] = field(default_factory=list)


def untouchable(parts: dict[str, bytes], edited: tuple[str, ...] = ()) -> set[str]:
    """Parts sheetsync has no reason to touch: media, custom XML, printer settings, themes,
    and every studio tab (with its notes, drawings and tables) without a formula over
    sheetsync's tabs, except those the command itself must edit (`edited`)."""
    keep = {n for n in parts if n.startswith(("xl/media/", "customXml/", "xl/printerSettings/",
                                              "xl/theme/"))}
    over_ours = re.compile("|".join(re.escape(t) for t in sorted(SHEETSYNC_TABS)).encode()
                           + b"|" + b"|".join(n.encode() for n in NAMES))
    for sheet, part in sheet_parts(parts).items():
        if sheet in SHEETSYNC_TABS or sheet in edited or over_ours.search(
                b"".join(re.findall(rb"<f\b[^>]*>[^<]*</f>", parts[part]))):
            continue
        todo = [part]
        while todo:
            name = todo.pop()
            if name in keep or name not in parts:
                continue
            keep.add(name)
            if rels_name(name) in parts:
                keep.add(rels_name(name))
                todo.extend(link.target for link in links(parts, name).values())
    return keep


def own_row_problems(objects: dict[Key, str]) -> list[str]:
    """A formula in a studio column of Appointments or Balances reads its own row."""
    problems = []
    for (sheet, kind, row, col, _name), formula in objects.items():
        if kind != "formula" or col < STUDIO_COLUMNS_FROM.get(sheet, 10**6):
            continue
        for found in re.finditer(r"\$?[A-Z]{1,3}(\$?)(\d+)", formula):
            if not found.group(1) and int(found.group(2)) != row:
                problems.append(f"{sheet}!{letters(col)}{row}: {formula} reads another row")
                break
    return problems


def describe(key: Key, labels: dict[str, dict[int, str]]) -> str:
    sheet, kind, row, col, name = key
    where = labels.get(sheet, {}).get(row, f"row {row}") if row else ""
    cell = f"{letters(col)} " if col else ""
    return f"{kind} {name} in {sheet or 'the workbook'} {cell}{where}".replace("  ", " ")


def compare(before: dict[str, bytes], after: dict[str, bytes],
            edited: tuple[str, ...] = ()) -> Comparison:
    """Every studio object of `before`, at the row it must have moved to, is in `after`."""
    rows, problems = row_map(before, after)
    expected = studio_objects(before, rows)
    actual = studio_objects(after, Rows())
    labels = {sheet: {r: label for label, r in found.items()}
              for sheet, found in record_rows(after).items()}
    for key, payload in expected.items():
        if key not in actual:
            problems.append(f"lost: {describe(key, labels)} ({payload[:120]})")
        elif actual[key] != payload:
            problems.append(f"changed: {describe(key, labels)}: {payload[:160]} -> "
                            f"{actual[key][:160]}")
    for key in actual.keys() - expected.keys():
        if key[1] in PLACED_KINDS and key[0] in STUDIO_TABS_ADDED + tuple(STUDIO_COLUMNS_FROM):
            problems.append(f"appeared: {describe(key, labels)} ({actual[key][:120]})")
    problems += own_row_problems(actual)
    kept = untouchable(before, edited)
    for name in sorted(kept):
        if after.get(name) != before[name]:
            problems.append(f"touched: {name} is no longer byte for byte as it was")
    return Comparison(len(expected) + len(kept), problems)


def tabs_init_completes(parts: dict[str, bytes]) -> tuple[str, ...]:
    """The studio tabs lacking a column of sheetsync's (init adds its header: a reason to
    touch them)."""
    from sheetsync.schema import STUDIO_TABS, header_key

    lacking = []
    for tab in STUDIO_TABS:
        if tab.name not in sheet_parts(parts):
            continue
        have = {header_key(v) for (r, _c), v in grid(parts, tab.name).items() if r == 1}
        if any(header_key(c) not in have for c in tab.column_names):
            lacking.append(tab.name)
    return tuple(lacking)


def recalculates_on_load(parts: dict[str, bytes]) -> bool:
    calc = ET.fromstring(parts["xl/workbook.xml"]).find(f"{{{MAIN}}}calcPr")
    return calc is not None and _true(calc.get("fullCalcOnLoad"))


# -- the values the studio's formulas must show --------------------------------------------
def current_values(parts: dict[str, bytes]) -> dict[tuple[str, int, int], str]:
    """What each studio formula must show, computed from the cells of Appointments and
    Balances as they are, at the formula cells as they stand in `parts`."""
    objects = studio_objects(parts, Rows())
    appointments = _rows_by_header(grid(parts, "Appointments"))
    balances = _rows_by_header(grid(parts, "Balances"))
    by_id = {a["appointment_id"]: a for a in appointments.values() if a.get("appointment_id")}
    statuses = [a.get("status") for a in by_id.values()]
    balance = next(b for b in balances.values()
                   if (b.get("enrollment_id"), b.get("period")) == ("E2", "1"))
    dashboard = {
        3: str(statuses.count("completed")),
        4: by_id[WATCHED]["status"],
        5: _number(sum(float(b.get("due") or 0) for b in balances.values())),
        6: str(statuses.count("pending")),
        7: str(len(by_id)),
        8: by_id[WATCHED]["status"],
        9: balance["remaining"],
    }
    wanted: dict[tuple[str, int, int], str] = {}
    for sheet, kind, row, col, _name in objects:
        if kind != "formula":
            continue
        if sheet == "Dashboard" and col == 2 and row in dashboard:
            wanted[(sheet, row, col)] = dashboard[row]
        elif sheet == "Appointments" and col in (18, 19, 20):
            wanted[(sheet, row, col)] = _appointment_value(appointments, row, col)
        elif sheet == "Balances" and col == 21:
            b = balances.get(row, {})
            wanted[(sheet, row, col)] = _number(
                float(b["price"]) - float(b.get("paid") or 0) - float(b["due"])) if b.get(
                "enrollment_id") else ""
    return wanted


def _rows_by_header(cells: dict[tuple[int, int], str]) -> dict[int, dict[str, str]]:
    header = {c: v for (r, c), v in cells.items() if r == 1}
    rows: dict[int, dict[str, str]] = {}
    for (r, c), value in cells.items():
        if r > 1 and c in header:
            rows.setdefault(r, {})[header[c]] = value
    return rows


def _appointment_value(appointments: dict[int, dict[str, str]], row: int, col: int) -> str:
    a = appointments.get(row, {})
    if not a.get("appointment_id"):
        return ""
    if col == 18:
        return f"{a['appointment_id']} {a['client_name']}"
    if col == 20:
        return f"{a['enrollment_id']}#{a['session']}"
    done = sum(1 for r, b in appointments.items() if r <= row and
               b.get("enrollment_id") == a["enrollment_id"] and b.get("status") == "completed")
    return str(done)


def _number(value: float) -> str:
    return f"{value:g}"


def same_value(shown: str | None, wanted: str) -> bool:
    shown = (shown or "").strip()
    if shown == wanted:
        return True
    try:
        return float(shown.replace(",", "")) == float(wanted)
    except ValueError:
        return False


def stale_values(parts: dict[str, bytes]) -> list[str]:
    """Formula cells whose cached value says something else than the cells they read."""
    problems = []
    strings = shared_strings(parts)
    wanted = current_values(parts)
    cached: dict[tuple[str, int, int], str | None] = {}
    for sheet in {w[0] for w in wanted}:
        root = ET.fromstring(parts[sheet_parts(parts)[sheet]])
        for cell in root.iter(f"{{{MAIN}}}c"):
            if cell.find(f"{{{MAIN}}}f") is not None:
                row, col = split_ref(cell.get("r", ""))
                cached[(sheet, row, col)] = cell_text(cell, strings)
    for key, value in wanted.items():
        have = cached.get(key)
        if have is not None and not same_value(have, value):
            problems.append(f"stale: {key[0]}!{letters(key[2])}{key[1]} keeps {have!r} "
                            f"but its cells say {value!r}")
    return problems


# -- LibreOffice ---------------------------------------------------------------------------
def soffice(to: str, out: Path, workbooks: list[Path], folder: Path) -> None:
    """Convert several workbooks in one LibreOffice start (each start costs seconds)."""
    done = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/lo",
         "--convert-to", to, "--outdir", str(out), *map(str, workbooks)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def shown_by_libreoffice(workbooks: list[Path], folder: Path) -> dict[Path, dict[str, Path]]:
    """Each workbook's sheets as LibreOffice shows them: one CSV per sheet, by sheet name."""
    out = folder / "shown"
    soffice(EVERY_SHEET_AS_SHOWN, out, workbooks, folder)
    return {book: {p.stem.removeprefix(book.stem + "-"): p
                   for p in out.glob(f"{glob_escape(book.stem)}-*.csv")} for book in workbooks}


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def shown_problems(parts: dict[str, bytes], sheets: dict[str, Path]) -> tuple[int, list[str]]:
    """LibreOffice opened the workbook (every sheet there) and shows current values."""
    titles = list(sheet_parts(parts))
    if set(sheets) != set(titles):
        return 1, [f"LibreOffice showed the sheets {sorted(sheets)}, not {sorted(titles)}"]
    grids = {}
    for title in ("Dashboard", "Appointments", "Balances"):
        with sheets[title].open(newline="", encoding="utf-8") as handle:
            grids[title] = list(csv.reader(handle))
    wanted = current_values(parts)
    problems = []
    for (sheet, row, col), value in sorted(wanted.items()):
        lines = grids[sheet]
        shown = lines[row - 1][col - 1] if row <= len(lines) and col <= len(lines[row - 1]) \
            else ""
        if not same_value(shown, value):
            problems.append(f"LibreOffice shows {shown!r} at {sheet}!{letters(col)}{row}, "
                            f"the cells say {value!r}")
    return len(wanted) + 1, problems


# -- finishing touches a studio's tools leave, injected at the XML level -------------------
PRINTER_SETTINGS = b"studio printer\x00" + bytes(range(64))
CUSTOM_XML = b'<?xml version="1.0" encoding="UTF-8"?><studio xmlns="urn:example:studio">' \
             b"<owner>Elif</owner><licence>2026</licence></studio>"
CUSTOM_XML_PROPS = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem '
                    b'ds:itemID="{6C3C6A5E-3F0B-4B4E-9A55-2B0D5E0C1A11}" xmlns:ds='
                    b'"http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                    b"<ds:schemaRefs/></ds:datastoreItem>")


def finish(path: Path, *, shared_ticket: bool) -> None:
    parts = read_parts(path)
    sheets = sheet_parts(parts)
    if shared_ticket:
        part = sheets["Appointments"]
        parts[part] = as_shared_formula(parts[part], "T", 2, FILLED_TO)
    _add_custom_xml(parts)
    _add_printer_settings(parts, sheets["Rooms"])
    write_parts(path, parts)


def as_shared_formula(xml: bytes, column: str, first: int, last: int) -> bytes:
    """The column's formulas as one shared formula (how Excel stores a filled-down column)."""
    taken = [int(s) for s in re.findall(rb'<f\b[^>]*t="shared"[^>]*si="(\d+)"', xml)]
    group = max(taken, default=-1) + 1
    cell = re.compile(rb'(<c r="' + column.encode() + rb'(\d+)"[^>]*>)<f\b[^>]*>([^<]*)</f>')

    def one(found: re.Match[bytes]) -> bytes:
        row = int(found.group(2))
        if not first <= row <= last:
            return found.group(0)
        if row == first:
            return found.group(1) + b'<f t="shared" ref="%s%d:%s%d" si="%d">%s</f>' % (
                column.encode(), first, column.encode(), last, group, found.group(3))
        return found.group(1) + b'<f t="shared" si="%d"/>' % group
    return cell.sub(one, xml)


def _content_type(parts: dict[str, bytes], default: tuple[str, str] | None = None,
                  override: tuple[str, str] | None = None) -> None:
    types = parts["[Content_Types].xml"]
    if default and f'Extension="{default[0]}"'.encode() not in types:
        types = types.replace(b"</Types>", b'<Default Extension="%s" ContentType="%s"/></Types>'
                              % (default[0].encode(), default[1].encode()))
    if override:
        types = types.replace(b"</Types>", b'<Override PartName="%s" ContentType="%s"/></Types>'
                              % (override[0].encode(), override[1].encode()))
    parts["[Content_Types].xml"] = types


def _add_relationship(parts: dict[str, bytes], part: str, rid: str, kind: str,
                      target: str) -> None:
    name = rels_name(part)
    rels = parts.get(name, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                           f'<Relationships xmlns="{PKG}"></Relationships>'.encode())
    parts[name] = rels.replace(b"</Relationships>", b'<Relationship Id="%s" Type="%s/%s" '
                               b'Target="%s"/></Relationships>' % (
                                   rid.encode(), REL.encode(), kind.encode(), target.encode()))


def _add_custom_xml(parts: dict[str, bytes]) -> None:
    parts["customXml/item1.xml"] = CUSTOM_XML
    parts["customXml/itemProps1.xml"] = CUSTOM_XML_PROPS
    _add_relationship(parts, "customXml/item1.xml", "rId1", "customXmlProps", "itemProps1.xml")
    _add_relationship(parts, "xl/workbook.xml", "rIdStudioXml", "customXml",
                      "../customXml/item1.xml")
    _content_type(parts, default=("xml", "application/xml"), override=(
        "/customXml/itemProps1.xml", "application/vnd.openxmlformats-officedocument."
        "customXmlProperties+xml"))


def _add_printer_settings(parts: dict[str, bytes], sheet_part: str) -> None:
    parts["xl/printerSettings/printerSettings1.bin"] = PRINTER_SETTINGS
    _add_relationship(parts, sheet_part, "rIdStudioPrinter", "printerSettings",
                      "../printerSettings/printerSettings1.bin")
    _content_type(parts, default=("bin", "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.printerSettings"))
    xml = parts[sheet_part]
    opening = re.search(rb"<worksheet\b[^>]*>", xml)
    assert opening
    if b'xmlns:r="' not in opening.group(0):
        xml = xml.replace(opening.group(0), opening.group(0)[:-1] + b' xmlns:r="%s">'
                          % REL.encode(), 1)
    setup = b'<pageSetup paperSize="9" orientation="landscape" r:id="rIdStudioPrinter"/>'
    if re.search(rb"<pageSetup\b[^>]*/>", xml):
        xml = re.sub(rb"<pageSetup\b[^>]*/>", setup, xml, count=1)
    else:
        xml = re.sub(rb"(<pageMargins\b[^>]*/>)", rb"\1" + setup, xml, count=1)
    assert setup in xml
    parts[sheet_part] = xml


def _has_shared_formulas(path: Path, sheet: str) -> bool:
    parts = read_parts(path)
    return b't="shared"' in parts[sheet_parts(parts)[sheet]]


# -- what the studio types between commands ------------------------------------------------
def type_into(path: Path, sheet: str, match: dict[str, str], **values: str | float) -> None:
    """Set cells of the one row whose cells equal `match`, at the XML level (nothing else in
    the file changes), as a studio types into its spreadsheet program."""
    parts = read_parts(path)
    cells = grid(parts, sheet)
    header = {v: c for (r, c), v in cells.items() if r == 1}
    rows = [r for r in {r for r, _c in cells if r > 1}
            if all(cells.get((r, header[k])) == v for k, v in match.items())]
    assert len(rows) == 1, (sheet, match, rows)
    part = sheet_parts(parts)[sheet]
    xml = parts[part]
    for name, value in values.items():
        xml = _set_cell(xml, f"{letters(header[name])}{rows[0]}", value)
    parts[part] = xml
    write_parts(path, parts)


def _set_cell(xml: bytes, ref: str, value: str | float) -> bytes:
    row, col = split_ref(ref)
    if isinstance(value, str):
        inner = b' t="inlineStr"><is><t>%s</t></is></c>' % value.encode()
    else:
        inner = b"><v>%s</v></c>" % repr(value).encode()
    existing = re.compile(rb'<c r="%s"([^>]*?)(?:/>|>.*?</c>)' % ref.encode(), re.DOTALL)
    found = existing.search(xml)
    if found:
        style = re.search(rb'\bs="\d+"', found.group(1))
        new = b'<c r="%s"%s' % (ref.encode(), b" " + style.group(0) if style else b"") + inner
        return xml[:found.start()] + new + xml[found.end():]
    row_xml = re.search(rb'<row r="%d"[^>]*>(.*?)</row>' % row, xml, re.DOTALL)
    assert row_xml, ref
    position = row_xml.end(1)
    for cell in re.finditer(rb'<c r="([A-Z]+)\d+"', row_xml.group(1)):
        if split_ref(cell.group(1).decode() + "1")[1] > col:
            position = row_xml.start(1) + cell.start()
            break
    return xml[:position] + b'<c r="%s"' % ref.encode() + inner + xml[position:]

