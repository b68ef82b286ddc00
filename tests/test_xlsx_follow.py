"""Everything on a row moves with it when the .xlsx patcher deletes or inserts rows.

Each test builds a workbook the way a studio would (openpyxl, or raw XML where
openpyxl cannot write the thing, such as shared formulas), moves rows with the
patcher, and reads the result back with openpyxl and, where it matters, with
LibreOffice.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from sheetsync.stores.base import TabChanges, WorkbookChanges
from sheetsync.stores.rowmoves import RowMoves
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsxpatch import move_rows
from tests.libreoffice import needs_libreoffice, sheets_as_shown

ROWS = 11  # Appointments rows 2..11 hold appointments A2..A11


def studio_book() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Appointments"
    ws.append(["appointment_id", "client_name", "label", "count"])
    for r in range(2, ROWS + 1):
        ws.append([f"A{r}", f"client{r}", f'=A{r}&"/"&B{r}'])
    return wb


def moved(tmp_path: Path, wb: openpyxl.Workbook, moves: dict[str, RowMoves]) -> Path:
    source, target = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb.save(source)
    return moved_file(source, target, moves)


def moved_file(source: Path, target: Path, moves: dict[str, RowMoves]) -> Path:
    out = io.BytesIO()
    with source.open("rb") as handle:
        move_rows(handle, out, moves)
    target.write_bytes(out.getvalue())
    return target


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


DELETE_5_AND_6 = {"Appointments": RowMoves(frozenset({5, 6}))}


def test_a_formula_keeps_describing_its_own_row_and_other_tabs_follow(tmp_path: Path):
    wb = studio_book()
    ws = wb["Appointments"]
    ws["D1"] = "=COUNTA(A2:A11)"
    dash = wb.create_sheet("Dashboard")
    dash["A1"] = "=COUNTA(Appointments!A2:A11)"
    dash["A2"] = "=Appointments!A7"
    dash["A3"] = "=Appointments!$A$5"
    dash["A4"] = "='Appointments'!B3&\" Appointments!A9 \""
    dash["A5"] = "=SUM(Appointments!D:D)"
    out = openpyxl.load_workbook(moved(tmp_path, wb, DELETE_5_AND_6))
    ws, dash = out["Appointments"], out["Dashboard"]
    for row in range(2, ROWS - 1):
        appointment = ws.cell(row, 1).value
        assert ws.cell(row, 3).value == f'=A{row}&"/"&B{row}', appointment
    assert [ws.cell(r, 1).value for r in range(2, ROWS - 1)] == \
        [f"A{r}" for r in (2, 3, 4, 7, 8, 9, 10, 11)]
    assert ws["D1"].value == "=COUNTA(A2:A9)"
    assert dash["A1"].value == "=COUNTA(Appointments!A2:A9)"
    assert dash["A2"].value == "=Appointments!A5"  # the same appointment, A7
    assert dash["A3"].value == "=#REF!"  # its row is gone, as in LibreOffice
    assert dash["A4"].value == "='Appointments'!B3&\" Appointments!A9 \""  # text stays text
    assert dash["A5"].value == "=SUM(Appointments!D:D)"


def test_inserted_rows_push_references_down_and_widen_ranges_inside(tmp_path: Path):
    wb = studio_book()
    dash = wb.create_sheet("Dashboard")
    dash["A1"] = "=COUNTA(Appointments!A2:A11)"
    dash["A2"] = "=Appointments!A7"
    dash["A3"] = "=Appointments!A4"
    out = openpyxl.load_workbook(moved(tmp_path, wb, {
        "Appointments": RowMoves(inserted={5: 2})}))
    dash, ws = out["Dashboard"], out["Appointments"]
    assert dash["A1"].value == "=COUNTA(Appointments!A2:A13)"
    assert dash["A2"].value == "=Appointments!A9"
    assert dash["A3"].value == "=Appointments!A4"
    assert ws["A9"].value == "A7" and ws["C9"].value == '=A9&"/"&B9'
    assert ws["A5"].value is None and ws["A6"].value is None


def test_notes_links_merges_formats_validations_names_filters_and_row_looks_move(
        tmp_path: Path):
    wb = studio_book()
    ws = wb["Appointments"]
    ws["B5"].comment = Comment("note on a deleted row", "studio")
    ws["B9"].comment = Comment("note on A9", "studio")
    ws["B8"].hyperlink = "https://files.example/clients/8"
    ws.merge_cells("F7:F9")
    ws.merge_cells("F5:F6")
    red = PatternFill("solid", fgColor="FFFF0000")
    ws.conditional_formatting.add("C2:C11", CellIsRule(operator="equal", formula=['"x"'],
                                                       fill=red))
    ws.conditional_formatting.add("E5:E6", CellIsRule(operator="equal", formula=['"y"'],
                                                      fill=red))
    dv = DataValidation(type="list", formula1='"yes,no"')
    dv.add("E2:E11")
    ws.add_data_validation(dv)
    ws.row_dimensions[8].height = 33
    ws.row_dimensions[10].hidden = True
    for cell in ws[7]:
        cell.fill = red
    ws.auto_filter.ref = "A1:C11"
    wb.defined_names["Names"] = DefinedName("Names", attr_text="Appointments!$B$2:$B$11")
    out = openpyxl.load_workbook(moved(tmp_path, wb, DELETE_5_AND_6))
    ws = out["Appointments"]
    notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert notes == {"B7": "note on A9"}
    assert {c.coordinate: c.hyperlink.target for row in ws.iter_rows() for c in row
            if c.hyperlink} == {"B6": "https://files.example/clients/8"}
    assert [str(r) for r in ws.merged_cells.ranges] == ["F5:F7"]
    assert sorted(str(r.sqref) for r in ws.conditional_formatting) == ["C2:C9"]
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["E2:E9"]
    assert ws.row_dimensions[6].height == 33 and ws.row_dimensions[8].hidden
    assert ws["A5"].value == "A7" and ws["A5"].fill.fgColor.rgb == "FFFF0000"
    assert ws.auto_filter.ref == "A1:C9"
    assert out.defined_names["Names"].attr_text == "Appointments!$B$2:$B$9"
    vml = part(tmp_path / "out.xlsx", "xl/drawings/commentsDrawing1.vml")
    assert re.findall(rb"<(?:\w+:)?Row>(\d+)<", vml) == [b"6"]  # B7, 0-based; B5's is gone


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + \
        chunk(b"IEND", b"")


def test_images_move_with_their_rows_and_one_on_a_deleted_row_is_kept(tmp_path: Path):
    source = tmp_path / "images.xlsx"
    book = xlsxwriter.Workbook(source)
    ws = book.add_worksheet("Appointments")
    for r in range(1, ROWS + 1):
        ws.write_string(r - 1, 0, f"A{r}")
    picture = tmp_path / "logo.png"
    picture.write_bytes(tiny_png())
    for anchor in ("H9", "H5", "H3"):
        ws.insert_image(anchor, str(picture))
    book.close()
    out = moved_file(source, tmp_path / "out.xlsx", DELETE_5_AND_6)
    drawing = part(out, "xl/drawings/drawing1.xml")
    rows = [int(r) for r in re.findall(rb"<xdr:from>.*?<xdr:row>(\d+)</xdr:row>", drawing,
                                       re.DOTALL)]
    assert rows == [6, 4, 2]  # H7 (was H9); H5 slides to where row 7 landed; H3 stays
    assert part(out, "xl/media/image1.png") == tiny_png()


def test_a_table_on_a_moved_sheet_shrinks_with_it(tmp_path: Path):
    wb = studio_book()
    wb["Appointments"].add_table(Table(displayName="Sessions", ref="A1:C11"))
    out = openpyxl.load_workbook(moved(tmp_path, wb, DELETE_5_AND_6))
    assert out["Appointments"].tables["Sessions"].ref == "A1:C9"


def rewritten(path: Path, edit: Callable[[dict[str, bytes]], None]) -> None:
    """Let `edit` change the package's parts (by name), and save them again."""
    with zipfile.ZipFile(path) as z:
        data = {name: z.read(name) for name in z.namelist()}
    edit(data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)


def with_shared_formulas(path: Path) -> None:
    """Rewrite column C as one shared formula filled down from C2, as Excel saves it."""
    rewritten(path, shared_formulas)


def shared_formulas(data: dict[str, bytes]) -> None:
    sheet = "xl/worksheets/sheet1.xml"

    def shared(match: re.Match[bytes]) -> bytes:
        row = int(match.group(1))
        if row == 2:
            return b'<c r="C2"><f t="shared" ref="C2:C11" si="0">A2&amp;"/"&amp;B2</f></c>'
        return b'<c r="C%d"><f t="shared" si="0"/></c>' % row
    data[sheet] = re.sub(rb'<c r="C(\d+)"><f>[^<]*</f><v\s*/></c>', shared, data[sheet])
    assert data[sheet].count(b't="shared"') == ROWS - 1


def test_shared_formulas_are_written_out_where_rows_move_under_them(tmp_path: Path):
    source = tmp_path / "shared.xlsx"
    studio_book().save(source)
    with_shared_formulas(source)
    out = moved_file(source, tmp_path / "out.xlsx", {"Appointments": RowMoves(frozenset({2}))})
    ws = openpyxl.load_workbook(out)["Appointments"]
    for row in range(2, ROWS):
        assert ws.cell(row, 3).value == f'=A{row}&"/"&B{row}'
    assert b't="shared"' not in part(out, "xl/worksheets/sheet1.xml")


def test_a_sync_that_deletes_rows_keeps_shared_formulas_through_the_store(tmp_path: Path):
    path = tmp_path / "studio.xlsx"
    studio_book().save(path)
    with_shared_formulas(path)
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(deletes={4, 5})}))
    assert store.wrote_with == "patch"
    ws = openpyxl.load_workbook(path)["Appointments"]
    assert [ws.cell(r, 1).value for r in (4, 5)] == ["A6", "A7"]
    assert [ws.cell(r, 3).value for r in (4, 5)] == ['=A4&"/"&B4', '=A5&"/"&B5']


def cached(path: Path, sheet_part: str) -> dict[str, bytes | None]:
    """Formula cells -> their cached value (None when there is none)."""
    xml = part(path, sheet_part)
    found = {}
    for match in re.finditer(rb'<c r="([A-Z]+\d+)"[^>]*>(.*?)</c>', xml, re.DOTALL):
        if b"<f" in match.group(2):
            value = re.search(rb"<v>([^<]*)</v>", match.group(2))
            found[match.group(1).decode()] = value.group(1) if value else None
    return found


def saved_by_a_spreadsheet(tmp_path: Path) -> Path:
    """A studio workbook whose formulas carry cached results, as Excel saves them."""
    wb = studio_book()
    dash = wb.create_sheet("Dashboard")
    dash["A1"] = "=COUNTIF(Appointments!B2:B11,\"client7\")"
    dash["A2"] = "=A1*10"
    dash["A3"] = "=Appointments!B3"
    dash["A4"] = "=LEN(\"constant\")"
    path = tmp_path / "cached.xlsx"
    wb.save(path)
    values = {b"A1": b"1", b"A2": b"10", b"A3": b"client3", b"A4": b"8"}

    def with_results(data: dict[str, bytes]) -> None:
        data["xl/worksheets/sheet2.xml"] = re.sub(
            rb'(<c r="(A\d)")([^>]*>)(<f>[^<]*</f>)<v\s*/>',
            lambda m: m.group(1) + (b' t="str"' if m.group(2) == b"A3" else b"") + m.group(3)
            + m.group(4) + b"<v>" + values[m.group(2)] + b"</v>",
            data["xl/worksheets/sheet2.xml"])
    rewritten(path, with_results)
    return path


def test_only_formulas_that_read_a_changed_cell_lose_their_cached_result(tmp_path: Path):
    path = saved_by_a_spreadsheet(tmp_path)
    assert cached(path, "xl/worksheets/sheet2.xml") == {
        "A1": b"1", "A2": b"10", "A3": b"client3", "A4": b"8"}
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(updates={(7, 2): "renamed"})}))
    after = cached(path, "xl/worksheets/sheet2.xml")
    # A1 reads B7, A2 reads A1: both stale; A3 reads B3 and A4 reads nothing: kept
    assert after == {"A1": None, "A2": None, "A3": b"client3", "A4": b"8"}
    assert b'fullCalcOnLoad="1"' in part(path, "xl/workbook.xml")


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_shows_current_results_after_a_sync_changed_cells_and_rows(
        tmp_path: Path):
    path = saved_by_a_spreadsheet(tmp_path)
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(
        updates={(8, 2): "client7"}, deletes={3})}))
    shown = sheets_as_shown(path, tmp_path)
    dashboard = shown["Dashboard"].read_text().splitlines()
    # client7 is now on two rows; A3's row is gone; A4 never depended on anything
    assert dashboard == ["2", "20", "#REF!", "8"]


def test_nothing_moves_nor_drops_when_no_row_moves_and_no_formula_reads_the_change(
        tmp_path: Path):
    path = saved_by_a_spreadsheet(tmp_path)
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist()}
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(updates={(2, 4): 1})}))
    with zipfile.ZipFile(path) as z:
        after = {n: z.read(n) for n in z.namelist()}
    assert after["xl/worksheets/sheet2.xml"] == before["xl/worksheets/sheet2.xml"]


@pytest.mark.parametrize("deleted", [{2}, {11}, {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}])
def test_rows_at_the_edges_or_all_of_them(tmp_path: Path, deleted: set[int]):
    wb = studio_book()
    dash = wb.create_sheet("Dashboard")
    dash["A1"] = "=COUNTA(Appointments!A2:A11)"
    out = openpyxl.load_workbook(moved(tmp_path, wb, {
        "Appointments": RowMoves(frozenset(deleted))}))
    left = ROWS - 1 - len(deleted)
    expected = f"=COUNTA(Appointments!A2:A{1 + left})" if left else \
        "=COUNTA(#REF!)"
    assert out["Dashboard"]["A1"].value == expected
    ws = out["Appointments"]
    assert ws.max_row == 1 + left


def test_a_studio_chart_over_moved_rows_keeps_reading_the_rows_that_remain(tmp_path: Path):
    wb = studio_book()
    ws = wb["Appointments"]
    for r in range(2, ROWS + 1):
        ws.cell(r, 4, r * 10)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=2, max_row=ROWS))
    wb.create_sheet("Dashboard").add_chart(chart, "B2")
    out = moved(tmp_path, wb, DELETE_5_AND_6)
    assert b"<f>'Appointments'!$D$2:$D$9</f>" in part(out, "xl/charts/chart1.xml")


def with_parts(path: Path, extra: dict[str, bytes], sheet_rels: bytes) -> None:
    """Add parts to a package, and relationships to the first worksheet's rels."""
    def edit(data: dict[str, bytes]) -> None:
        data.update(extra)
        rels = "xl/worksheets/_rels/sheet1.xml.rels"
        data[rels] = data.get(rels, (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"></Relationships>')).replace(b"</Relationships>",
                                                          sheet_rels + b"</Relationships>")
    rewritten(path, edit)


def test_threaded_comments_and_pivot_sources_follow_their_rows(tmp_path: Path):
    source = tmp_path / "in.xlsx"
    studio_book().save(source)
    threaded = (b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/'
                b'2018/threadedcomments">'
                b'<threadedComment ref="B5" id="{1}" personId="{9}"><text>gone</text>'
                b'</threadedComment>'
                b'<threadedComment ref="B9" id="{2}" personId="{9}"><text>A9</text>'
                b'</threadedComment></ThreadedComments>')
    pivot = (b'<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main" recordCount="10"><cacheSource type="worksheet">'
             b'<worksheetSource ref="A1:C11" sheet="Appointments"/></cacheSource>'
             b'</pivotCacheDefinition>')
    with_parts(source, {"xl/threadedComments/threadedComment1.xml": threaded,
                        "xl/pivotCache/pivotCacheDefinition1.xml": pivot},
               b'<Relationship Id="rIdT" Type="http://schemas.microsoft.com/office/2017/10/'
               b'relationships/threadedComment" Target="../threadedComments/'
               b'threadedComment1.xml"/>')
    out = moved_file(source, tmp_path / "out.xlsx", DELETE_5_AND_6)
    after = part(out, "xl/threadedComments/threadedComment1.xml")
    assert re.findall(rb'ref="(\w+)"', after) == [b"B7"] and b"gone" not in after
    cache = part(out, "xl/pivotCache/pivotCacheDefinition1.xml")
    assert b'<worksheetSource ref="A1:C9" sheet="Appointments"/>' in cache
    assert b'refreshOnLoad="1"' in cache  # its saved summary is stale: rebuilt when opened


@pytest.mark.filterwarnings("ignore:Data Validation extension is not supported")
def test_excel_extension_formats_and_validations_follow_and_go_with_their_rows(
        tmp_path: Path):
    """Excel keeps validations that read another tab in an extension list (x14)."""
    source = tmp_path / "in.xlsx"
    studio_book().save(source)
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://'
           b'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations '
           b'count="2" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           b'<x14:dataValidation type="list"><x14:formula1><xm:f>Staff!$A$2:$A$9</xm:f>'
           b'</x14:formula1><xm:sqref>E2:E11</xm:sqref></x14:dataValidation>'
           b'<x14:dataValidation type="list"><x14:formula1><xm:f>Staff!$A$2:$A$9</xm:f>'
           b'</x14:formula1><xm:sqref>G5:G6</xm:sqref></x14:dataValidation>'
           b'</x14:dataValidations></ext></extLst>')

    def with_ext(data: dict[str, bytes]) -> None:
        sheet = "xl/worksheets/sheet1.xml"
        data[sheet] = data[sheet].replace(b"</worksheet>", ext + b"</worksheet>")
    rewritten(source, with_ext)
    out = moved_file(source, tmp_path / "out.xlsx", DELETE_5_AND_6)
    sheet = part(out, "xl/worksheets/sheet1.xml")
    assert re.findall(rb"<xm:sqref>([^<]*)</xm:sqref>", sheet) == [b"E2:E9"]
    assert b'<x14:dataValidations count="1"' in sheet
    ws = openpyxl.load_workbook(out)["Appointments"]  # still a workbook that reads
    assert ws["A5"].value == "A7"
    shutil.copy(out, tmp_path / "left.xlsx")
    empty = moved_file(tmp_path / "left.xlsx", tmp_path / "none.xlsx",
                       {"Appointments": RowMoves(frozenset(range(2, 10)))})
    assert b"<extLst>" not in part(empty, "xl/worksheets/sheet1.xml")


def test_a_workbook_without_formulas_keeps_its_workbook_part_byte_for_byte(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active.title = "Appointments"
    wb.active.append(["appointment_id", "status"])
    wb.active.append(["A2", "pending"])
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    before = part(path, "xl/workbook.xml")
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(updates={(2, 2): "completed"})}))
    assert part(path, "xl/workbook.xml") == before  # nothing to recalculate: not touched
    with_formula = studio_book()
    with_formula.save(path)
    store = XlsxStore(path)
    store.read()
    store.write(WorkbookChanges({"Appointments": TabChanges(updates={(2, 2): "renamed"})}))
    assert b'fullCalcOnLoad="1"' in part(path, "xl/workbook.xml")
