"""A large worksheet is patched without being copied, and rows below a deletion renumber right.

The patcher hands back a worksheet as pieces, most of them views of the XML it read,
so a sync that changes a few cells of a 200 MB Appointments sheet does not hold it
several times over (BENCHMARKS.md has the peak memory). Rows below a deleted row are
renumbered a block of about a megabyte at a time; every row and every cell reference
must come out right across the block edges.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest

from sheetsync.stores import xlsxpatch
from sheetsync.stores.base import TabChanges, WorkbookChanges
from sheetsync.stores.package import Parts
from sheetsync.stores.xlsxpatch import (
    SHIFT_BLOCK,
    Styles,
    Unpatchable,
    _row_index,
    _sheet_data,
    _touched_rows,
    patch_sheet,
    patch_workbook,
)

EPOCH = datetime(1899, 12, 30)
ROWS = 12_000  # about 2.5 blocks of rows at ~250 bytes each
SHEET = "xl/worksheets/sheet1.xml"


def big_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Appointments"
    sheet.append(["appointment_id", "client_id", "status", "note"])
    for n in range(2, ROWS + 1):
        sheet.append([f"A{n:06d}", f"C{n % 97:03d}", "pending", f"row {n} " + "x" * 150])
    sheet["F3"] = "=A3"  # a studio formula on a row that moves up
    sheet.merge_cells(f"E{ROWS - 5}:F{ROWS - 4}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return big_workbook()


def sheet_xml(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as zin:
        return zin.read(SHEET)


def test_the_sheet_is_larger_than_several_blocks(workbook: bytes) -> None:
    assert len(sheet_xml(workbook)) > 2 * SHIFT_BLOCK


def test_a_few_changed_cells_copy_a_few_rows_not_the_sheet(workbook: bytes) -> None:
    xml = sheet_xml(workbook)
    changes = TabChanges(updates={(5_000, 3): "cancelled", (9_000, 3): "completed"})

    pieces = patch_sheet(xml, changes, Styles(None), EPOCH)

    copied = sum(len(p) for p in pieces if not (isinstance(p, memoryview) and p.obj is xml))
    assert copied < 4096, f"{copied:,} bytes copied to change two cells"
    joined = b"".join(pieces)
    assert re.search(rb'<c r="C5000" t="inlineStr"><is><t[^>]*>cancelled</t>', joined)
    assert joined.count(b"<row ") == xml.count(b"<row ")


def test_rows_below_a_deletion_renumber_across_every_block(workbook: bytes) -> None:
    changes = WorkbookChanges()
    changes.tabs["Appointments"] = TabChanges(updates={(7_000, 3): "cancelled"},
                                              deletes={2, 4_000})
    out = io.BytesIO()
    patch_workbook(io.BytesIO(workbook), out, changes)

    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Appointments"]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True)]
    expected = [f"A{n:06d}" for n in range(2, ROWS + 1) if n not in (2, 4_000)]
    assert ids == expected
    assert sheet["C6998"].value == "cancelled"  # row 7000, two rows up
    assert sheet["F2"].value == "=A2"  # the formula moved up with its row and reads it
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"E{ROWS - 7}:F{ROWS - 6}"]
    with zipfile.ZipFile(out) as zin:
        xml = zin.read(SHEET)
    for row in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.DOTALL):
        cells = re.findall(rb'<c r="[A-Z]+(\d+)"', row.group(0))
        assert set(cells) <= {row.group(1)}, row.group(0)[:200]
    assert xml.count(b"<row ") == ROWS - 2


def test_writing_what_is_there_leaves_the_sheet_part_as_it_was(workbook: bytes) -> None:
    changes = WorkbookChanges()
    changes.tabs["Appointments"] = TabChanges(updates={(5_000, 3): "cancelled"})
    once = io.BytesIO()
    patch_workbook(io.BytesIO(workbook), once, changes)
    twice = io.BytesIO()
    patch_workbook(io.BytesIO(once.getvalue()), twice, changes)
    with zipfile.ZipFile(once) as first, zipfile.ZipFile(twice) as second:
        assert second.getinfo(SHEET).compress_size == first.getinfo(SHEET).compress_size
        assert second.read(SHEET) == first.read(SHEET)
    assert twice.getvalue() == once.getvalue()  # copied byte for byte, not re-deflated


def test_a_part_written_in_pieces_reads_back_whole() -> None:
    parts = Parts({"a.xml": b"<a>old</a>"}.__getitem__, ["a.xml"])
    data = b"<a>new</a>"
    parts.write_pieces("a.xml", (data[:3], memoryview(data)[3:]))
    assert parts.read("a.xml") == data
    assert parts.replaced == {"a.xml": data}


@pytest.mark.parametrize("damage", ["flipped byte", "wrong checksum"])
def test_a_damaged_worksheet_is_refused_not_patched(workbook: bytes, damage: str) -> None:
    with zipfile.ZipFile(io.BytesIO(workbook)) as zin:
        info = zin.getinfo(SHEET)
    data = bytearray(workbook)
    name_length, extra_length = int.from_bytes(data[info.header_offset + 26:][:2], "little"), \
        int.from_bytes(data[info.header_offset + 28:][:2], "little")
    body = info.header_offset + 30 + name_length + extra_length
    if damage == "flipped byte":
        data[body + info.compress_size // 2] ^= 0xFF
    else:  # the CRC-32 the central directory gives for the part
        entry = data.index(b"PK\x01\x02")
        while data[entry + 46:entry + 46 + len(SHEET)] != SHEET.encode():
            entry = data.index(b"PK\x01\x02", entry + 4)
        data[entry + 16] ^= 0xFF
    changes = WorkbookChanges()
    changes.tabs["Appointments"] = TabChanges(updates={(5, 3): "cancelled"})
    with pytest.raises(Unpatchable, match="damaged"):
        patch_workbook(io.BytesIO(bytes(data)), io.BytesIO(), changes)


@pytest.mark.parametrize("empty", [b"<sheetData/>", b"<sheetData />"])
def test_a_sheet_without_rows_gets_its_first_row_inside_sheet_data(empty: bytes) -> None:
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1"/>' + empty + b'<pageMargins left="0.7"/></worksheet>')
    changes = TabChanges(updates={(1, 1): "appointment_id", (1, 2): "client_id"})

    patched = b"".join(patch_sheet(xml, changes, Styles(None), EPOCH))

    assert patched.count(b"<sheetData") == 1
    assert re.search(rb'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t[^>]*>'
                     rb"appointment_id</t></is></c><c r=\"B1\"", patched)
    assert patched.endswith(b'</row></sheetData><pageMargins left="0.7"/></worksheet>')
    assert b'<dimension ref="A1:B1"/>' in patched


# -- finding only the touched rows -------------------------------------------------------------
def index_of(xml: bytes) -> dict[int, tuple[int, int]]:
    _, first, last, _ = _sheet_data(xml)
    starts, numbers, ends = _row_index(xml, first, last)
    return {n: (s, e) for s, n, e in zip(starts, numbers, ends, strict=True)}


def test_touched_rows_are_found_where_the_full_index_has_them(workbook: bytes) -> None:
    xml = sheet_xml(workbook)
    _, first, last, _ = _sheet_data(xml)
    full = index_of(xml)

    found = _touched_rows(xml, first, last, [2, 3, 5_000, 11_999, ROWS, ROWS + 1, ROWS + 7])

    assert found is not None
    starts, numbers, ends = found
    assert numbers == [2, 3, 5_000, 11_999, ROWS]  # the last row closes the index
    assert [(s, e) for s, e in zip(starts, ends, strict=True)] == [full[n] for n in numbers]


def sheet(rows: str) -> bytes:
    return (b'<worksheet><sheetData>' + rows.encode() + b"</sheetData></worksheet>")


@pytest.mark.parametrize(("rows", "touched"), [
    ('<row r="2"><c r="A2"><v>1</v></c></row><row r="4"/>', [3]),  # missing above the bottom
    ('<row r="2"/><row spans="1:2" r="3"/><row r="4"/>', [3]),  # its number not first
    ('<row r="2"/><row r="3"/><row><c><v>1</v></c></row>', [9]),  # the bottom row unnumbered
])
def test_the_full_index_decides_when_a_search_is_not_enough(rows: str,
                                                           touched: list[int]) -> None:
    xml = sheet(rows)
    _, first, last, _ = _sheet_data(xml)

    assert _touched_rows(xml, first, last, touched) is None


def test_a_self_closed_row_and_rows_appended_below_an_empty_sheet() -> None:
    xml = sheet('<row r="2" spans="1:3"/><row r="3"><c r="A3"><v>1</v></c></row>')
    _, first, last, _ = _sheet_data(xml)
    assert _touched_rows(xml, first, last, [2, 9]) == (
        [xml.index(b'<row r="2"'), xml.index(b'<row r="3"')], [2, 3],
        [xml.index(b"/>") + 2, xml.index(b"</row>") + 6])
    empty = sheet("")
    _, first, last, _ = _sheet_data(empty)
    assert _touched_rows(empty, first, last, [2, 3]) == ([], [], [])


def test_patching_by_the_touched_rows_gives_what_the_full_index_gives(
        workbook: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    xml = sheet_xml(workbook)
    changes = TabChanges(updates={(2, 3): "completed", (6_000, 4): "moved", (ROWS, 3): "x",
                                  (ROWS + 2, 1): "A-new"})
    by_search = b"".join(patch_sheet(xml, changes, Styles(None), EPOCH))

    monkeypatch.setattr(xlsxpatch, "_touched_rows", lambda *_: None)  # the full index only
    by_index = b"".join(patch_sheet(xml, changes, Styles(None), EPOCH))

    assert by_search == by_index
    assert by_search.count(b'<row r="12002"') == 1
