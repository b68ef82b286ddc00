"""The fast .xlsx path: calamine reads and patched writes keep the studio's workbook intact.

A studio's workbook holds more than sheetsync's tabs: its own tabs, formulas with
their cached values, charts, images, comments, validations, conditional formats,
frozen panes and column widths. A sync must change the cells it owns and nothing
else, and read back exactly as the openpyxl path would have written it.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
import zipfile
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from benchmarks.generate import NOW, generate, write_xlsx
from sheetsync import engine
from sheetsync.cells import error_value, uncached_formula
from sheetsync.schema import ALL_TABS, Kind
from sheetsync.stores.base import Cell, Layout, TabChanges, WorkbookChanges
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsxpatch import sheet_parts
from tests.libreoffice import needs_libreoffice, sheets_as_shown

LATER = NOW + timedelta(days=20)
OWNED = ("Appointments", "Balances", "Notifications", "Problems", "Runs")


def png() -> bytes:
    """A 2x2 red PNG, made by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def studio_extras(book: Any, sheets: dict[str, Any]) -> None:
    """What a studio adds by hand: its own tab, formulas, a chart, an image, and more."""
    notes = book.add_worksheet("Studio notes")
    bold = book.add_format({"bold": True, "bg_color": "#FFFF00"})
    notes.write_row(0, 0, ["month", "revenue", "note"], bold)
    for r, (month, amount) in enumerate([("2026-03", 10), ("2026-04", 20), ("2026-05", 30)], 1):
        notes.write_string(r, 0, month)
        notes.write_number(r, 1, amount)
    notes.write_formula(4, 1, "=SUM(B2:B4)", None, 60)  # with its cached value
    notes.merge_range("C2:C4", "spring term", bold)
    notes.write_url(5, 0, "https://studio.example/", string="our site")
    notes.write_comment("A1", "months as the accountant wants them")
    notes.set_column(0, 0, 21)
    notes.freeze_panes(1, 1)
    notes.data_validation("D2:D10", {"validate": "list", "source": ["open", "done"]})
    notes.conditional_format("B2:B4", {"type": "cell", "criteria": ">", "value": 15,
                                       "format": bold})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='Studio notes'!$B$2:$B$4",
                      "categories": "='Studio notes'!$A$2:$A$4"})
    notes.insert_chart("E2", chart)
    notes.insert_image("E20", "logo.png", {"image_data": io.BytesIO(png())})
    book.define_name("Revenue", "='Studio notes'!$B$2:$B$4")
    appointments = sheets["Appointments"]
    appointments.write_string(0, 17, "room")
    appointments.write_string(1, 17, "Room 2")
    appointments.write_formula(1, 18, '=IF(L2="completed",1,0)', None, 1)
    appointments.write_formula(2, 18, '=IF(L3="completed",1,0)', None, 1)
    appointments.conditional_format("L2:L5000", {
        "type": "cell", "criteria": "==", "value": '"cancelled"', "format": bold})
    appointments.write_comment("L1", "pending, completed, cancelled or paid_cancel")
    sheets["Clients"].set_column(1, 1, 40)


def studio_workbook(path: Path, clients: int = 4) -> Path:
    write_xlsx(generate(clients=clients), path, constant_memory=False, extras=studio_extras)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def raw_parts(path: Path) -> dict[str, tuple[int, int]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i.CRC, i.compress_size) for i in z.infolist()}


def outside_sheet_data(xml: bytes) -> bytes:
    xml = re.sub(rb"<sheetData\s*/>|<sheetData\b[^>]*>.*?</sheetData>", b"", xml, flags=re.DOTALL)
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def sheet_part_names(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return sheet_parts(z.read("xl/workbook.xml"), z.read("xl/_rels/workbook.xml.rels"))


def close_a_client(store: XlsxStore) -> None:
    """The studio closes the first active client (typed in, as LibreOffice would)."""
    tables = store.read()
    clients = tables["Clients"]
    status = clients.header.index("status") + 1
    row = next(i + 2 for i, r in enumerate(clients.rows) if r[status - 1] == "active")
    store.write(WorkbookChanges({"Clients": TabChanges(updates={(row, status): "closed"})}))


def test_a_sync_changes_only_the_tabs_it_owns_and_keeps_everything_else_byte_for_byte(
        tmp_path: Path):
    store = XlsxStore(studio_workbook(tmp_path / "studio.xlsx"))
    close_a_client(store)
    before, before_raw = parts(store.path), raw_parts(store.path)
    report = engine.sync(XlsxStore(store.path), LATER, started_at=LATER)
    assert report.plan.deleted and report.plan.added and report.plan.completed
    after, after_raw = parts(store.path), raw_parts(store.path)
    names = sheet_part_names(store.path)
    rewritten = {names[t] for t in OWNED} | {"xl/styles.xml"}
    assert set(after) == set(before)
    for name in set(before) - rewritten:
        assert after[name] == before[name], name
        assert after_raw[name] == before_raw[name], name  # not even re-compressed
    deleted = len(report.plan.deleted)
    for title in OWNED:
        part = names[title]
        if title == "Appointments":  # its rows were deleted: the format's range shrinks with them
            assert b'<conditionalFormatting sqref="L2:L5000">' in before[part]
            shrunk = b'<conditionalFormatting sqref="L2:L%d">' % (5000 - deleted)
            assert shrunk in after[part]
            after[part] = after[part].replace(shrunk, b'<conditionalFormatting sqref="L2:L5000">')
        assert outside_sheet_data(after[part]) == outside_sheet_data(before[part]), title
    for drawing in ("xl/charts/chart1.xml", "xl/media/image1.png", "xl/drawings/drawing1.xml"):
        assert after[drawing] == before[drawing]


def test_formulas_keep_their_text_and_cached_values(tmp_path: Path):
    store = XlsxStore(studio_workbook(tmp_path / "studio.xlsx"))
    engine.sync(store, LATER, started_at=LATER)
    tables = XlsxStore(store.path).read()
    assert tables["Studio notes"].rows[3][1] == 60  # the cached value, through calamine
    assert tables["Appointments"].rows[0][17:19] == ["Room 2", 1]
    wb = openpyxl.load_workbook(store.path)
    assert wb["Studio notes"]["B5"].value == "=SUM(B2:B4)"
    assert wb["Appointments"]["S2"].value == '=IF(L2="completed",1,0)'
    assert wb["Appointments"].freeze_panes == "A2"
    assert wb["Clients"].column_dimensions["B"].width > 39
    assert wb["Studio notes"].freeze_panes == "B2"
    assert [str(r) for r in wb["Studio notes"].merged_cells.ranges] == ["C2:C4"]
    assert wb["Studio notes"].data_validations.dataValidation
    assert "Revenue" in wb.defined_names


@pytest.mark.slow
def test_a_patched_sync_reads_back_exactly_like_the_openpyxl_one(tmp_path: Path):
    fast = XlsxStore(studio_workbook(tmp_path / "fast.xlsx"))
    close_a_client(fast)
    slow = XlsxStore(shutil.copy(fast.path, tmp_path / "slow.xlsx"), fast=False,
                     rewrite=True)  # openpyxl both ways: the reference
    for now in (LATER, LATER + timedelta(days=30)):
        a = engine.sync(fast, now, started_at=now)
        b = engine.sync(slow, now, started_at=now)
        assert fast.wrote_with == "patch" and slow.wrote_with == "openpyxl"
        assert {t: c for t, c in a.changes.tabs.items() if t != "Runs"} == {
            t: c for t, c in b.changes.tabs.items() if t != "Runs"}
    runs = "Runs"
    for reader in (True, False):
        left = XlsxStore(fast.path, fast=reader).read()
        right = XlsxStore(slow.path, fast=reader).read()
        # openpyxl saves formulas without their cached values (read as such); the patch keeps
        assert left["Studio notes"].rows[3][1] == 60
        assert right["Studio notes"].rows[3][1] == uncached_formula("SUM(B2:B4)")
        for title in set(left) - {"Studio notes"}:
            rows_left, rows_right = left[title].rows, right[title].rows
            if title == runs:  # seconds, and reads and writes of the store objects, differ
                rows_left = [r[:9] for r in rows_left]
                rows_right = [r[:9] for r in rows_right]
            if title == "Appointments":  # the formula column, as above
                rows_left = [r[:18] for r in rows_left]
                rows_right = [r[:18] for r in rows_right]
            assert rows_left == rows_right, title


def test_written_cells_get_real_types_and_formats(tmp_path: Path):
    store = XlsxStore(studio_workbook(tmp_path / "studio.xlsx"))
    engine.sync(store, LATER, started_at=LATER)
    ws = openpyxl.load_workbook(store.path)["Appointments"]
    last = ws.max_row
    row = {c.column: c for c in ws[last]}
    assert row[9].is_date and row[9].number_format == "yyyy-mm-dd"
    assert isinstance(row[10].value, time) and row[10].number_format == "hh:mm"
    assert row[12].value in ("pending", "completed") and row[12].data_type == "s"
    runs = openpyxl.load_workbook(store.path)["Runs"]
    assert runs.cell(runs.max_row, 1).number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.slow
def test_text_is_never_a_formula_and_the_shared_strings_stay_as_they_were(tmp_path: Path):
    store = XlsxStore(studio_workbook(tmp_path / "studio.xlsx"))
    strings = parts(store.path)["xl/sharedStrings.xml"]
    tricky = '=HYPERLINK("http://evil.example","click")'
    store.read()
    store.write(WorkbookChanges({"Problems": TabChanges(updates={
        (2, 1): tricky, (2, 2): 7, (2, 3): "  spaced <&> \"quoted\"  ", (2, 4): "Ayşe\nÇelik",
        (2, 5): "\x01bell"})}))
    assert parts(store.path)["xl/sharedStrings.xml"] == strings
    cells = openpyxl.load_workbook(store.path)["Problems"]
    assert cells["A2"].value == tricky and cells["A2"].data_type == "s"
    assert [cells[c].value for c in ("B2", "C2", "D2", "E2")] == [
        7, '  spaced <&> "quoted"  ', "Ayşe\nÇelik", "_x0001_bell"]  # openpyxl shows escapes
    assert XlsxStore(store.path).read()["Problems"].rows[0][4] == "\x01bell"


@pytest.mark.slow
@needs_libreoffice
def test_the_patched_workbook_opens_cleanly_in_libreoffice(tmp_path: Path):
    store = XlsxStore(studio_workbook(tmp_path / "studio.xlsx"))
    close_a_client(store)
    engine.sync(XlsxStore(store.path), LATER, started_at=LATER)
    sheets = sheets_as_shown(store.path, tmp_path)
    assert len(sheets) == 14
    with sheets["Appointments"].open(newline="") as handle:
        shown = list(csv.DictReader(handle))
    assert len(shown) == len(XlsxStore(store.path).read()["Appointments"].rows)
    assert datetime.strptime(shown[-1]["date"], "%Y-%m-%d")
    assert len(shown[-1]["start"]) == 5 and shown[-1]["start"][2] == ":"
    with sheets["Studio notes"].open(newline="") as handle:
        notes = list(csv.reader(handle))
    assert notes[4][1] == "60"


def test_an_array_formula_over_moved_rows_keeps_the_rows_that_remain(tmp_path: Path):
    """Rows that move up under a formula spanning rows: its range shrinks, as in LibreOffice."""
    path = tmp_path / "studio.xlsx"
    store = XlsxStore(path)
    store.lay_out(Layout(tabs=ALL_TABS))
    store.read()
    store.write(WorkbookChanges({"Problems": TabChanges(updates={
        (r, 1): f"row{r}" for r in range(2, 6)})}))
    assert store.wrote_with == "patch"
    # An array formula over rows (its ref would go stale if rows moved under it).
    data = parts(path)
    part = sheet_part_names(path)["Problems"]
    data[part] = re.sub(rb'(<row r="2"[^>]*>.*?)</row>',
                        rb'\1<c r="B2"><f t="array" ref="B2:B3">1</f><v>1</v></c></row>',
                        data[part], count=1, flags=re.DOTALL)
    assert b't="array"' in data[part]
    with zipfile.ZipFile(path, "w") as z:
        for name, content in data.items():
            z.writestr(name, content)
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Problems": TabChanges(deletes={3})}))
    assert store.wrote_with == "patch"
    assert [r[0] for r in XlsxStore(path).read()["Problems"].rows] == ["row2", "row4", "row5"]
    assert b'<f t="array" ref="B2:B2">1</f>' in parts(path)[part]


@pytest.mark.slow
def test_calamine_reads_what_openpyxl_reads(tmp_path: Path):
    path = tmp_path / "typed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tab"
    ws.append(["text", "number", "date", "time", "moment", "flag", "money"])
    ws.append(["0012", 5, date(2026, 12, 1), time(14, 0), datetime(2026, 12, 1, 14, 30), True,
               133.33])
    link = ws.cell(3, 1, '=HYPERLINK("http://x","y")')
    link.data_type = "s"
    ws.cell(3, 2, 2.5)
    ws.cell(5, 3, "2026-12-01")
    ws.cell(5, 7, 1000)
    ws["C2"].number_format = "yyyy-mm-dd"
    ws["D2"].number_format = "hh:mm"
    ws["E2"].number_format = "yyyy-mm-dd hh:mm"
    ws["G5"].number_format = "#,##0.00"
    ws.cell(4, 2, "#N/A")  # openpyxl stores these as error cells, as a spreadsheet shows them
    ws.cell(7, 7, "#DIV/0!")
    wb.save(path)
    assert XlsxStore(path).read() == XlsxStore(path, fast=False).read()
    rows = XlsxStore(path).read()["Tab"].rows
    # never mistaken for empty cells, nor for text
    assert (rows[2][1], rows[5][6]) == (error_value("#N/A"), error_value("#DIV/0!"))
    generated = tmp_path / "generated.xlsx"
    write_xlsx(generate(clients=3), generated)
    assert XlsxStore(generated).read() == XlsxStore(generated, fast=False).read()


# -- differential: the patch against openpyxl and the memory store, on random changes ------
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
               max_size=12)
VALUES = st.one_of(
    st.none(), TEXT, st.sampled_from(['=SUM(A1:A2)', "0012", "#N/A", "TRUE", "  x  "]),
    # numbers a date-formatted column could still show as dates
    st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 4)),
    st.decimals(0, 10**5, places=2, allow_nan=False, allow_infinity=False),
    st.dates(date(1990, 1, 1), date(2060, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.datetimes(datetime(1990, 1, 1), datetime(2060, 1, 1)).map(
        lambda d: d.replace(second=0, microsecond=0)),
    st.booleans(),
)
KINDS = st.sampled_from([None, Kind.TEXT, Kind.DATE, Kind.TIME, Kind.DATETIME, Kind.MONEY,
                         Kind.INT, Kind.NUMBER])


@st.composite
def batches(draw: Any) -> tuple[list[list[Cell]], list[TabChanges]]:
    width = draw(st.integers(1, 5))
    start = draw(st.lists(st.lists(VALUES, min_size=width, max_size=width), max_size=6))
    result = []
    for _ in range(draw(st.integers(1, 2))):
        height = len(start) + 4
        updates = draw(st.dictionaries(
            st.tuples(st.integers(2, height + 2), st.integers(1, width + 1)), VALUES,
            max_size=8))
        deletes = draw(st.sets(st.integers(2, height + 1), max_size=3))
        kinds = draw(st.dictionaries(st.integers(1, width + 1), KINDS.filter(bool), max_size=3))
        result.append(TabChanges(updates=updates, deletes=deletes, kinds=kinds))
    return start, result


def _values(table: Any) -> list[list[Cell]]:
    """Rows without their trailing empty cells: how wide a reader pads them is no value.

    Floats are compared to 9 places: openpyxl writes them to 16 significant digits, the
    patch writes their exact repr.
    """
    rows = [[round(v, 9) if isinstance(v, float) else v for v in row]
            for row in [table.header, *table.rows]]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def _comparable(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return float(value)
    return value


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(batches())
def test_patched_changes_read_back_like_openpyxl_and_the_memory_store(tmp_path_factory: Any,
                                                                      batch: Any) -> None:
    start, changes = batch
    folder = tmp_path_factory.mktemp("diff")
    base = folder / "base.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tab"
    ws.append([f"h{i}" for i in range(1, len(start[0]) + 1)] if start else ["h1"])
    for values in start:
        for col, value in enumerate(values, 1):
            cell = ws.cell(ws.max_row + (col == 1), col)
            value = _comparable(value)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"
    wb.save(base)
    fast = XlsxStore(shutil.copy(base, folder / "fast.xlsx"))
    slow = XlsxStore(shutil.copy(base, folder / "slow.xlsx"), fast=False,
                     rewrite=True)
    memory = MemoryStore(XlsxStore(base, fast=False).read())
    for tab in changes:
        for store in (fast, slow, memory):
            store.read()
            store.write(WorkbookChanges({"Tab": TabChanges(dict(tab.updates), set(tab.deletes),
                                                           dict(tab.kinds))}))
        assert fast.wrote_with == "patch"
    for reader in (False, True):
        got = XlsxStore(fast.path, fast=reader).read()["Tab"]
        want = XlsxStore(slow.path, fast=reader).read()["Tab"]
        assert _values(got) == _values(want)
    got = XlsxStore(fast.path, fast=False).read()["Tab"]
    kept = memory.read()["Tab"]
    assert len(got.rows) == len(kept.rows)
