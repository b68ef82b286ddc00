"""Write a batch of cell changes into an .xlsx file by patching only what changed.

An .xlsx file is a zip of XML parts. This module copies every part the changes
do not touch byte for byte (its compressed bytes, not even re-compressed), and
rewrites only the worksheet XML of the tabs that change, plus styles.xml when a
date, time or money cell needs a number format the workbook lacks. So a
studio's other tabs, formulas with their cached values, charts, images, data
validations, conditional formats, frozen panes and column widths come through
untouched, and a sync costs in proportion to the tabs it changes, not to the
whole workbook.

Semantics are those of base.Store: updates in read coordinates, then row
deletions (and, through `move_rows`, insertions), the rows below moving as in
a spreadsheet program: everything on a row moves with it and every reference
to a moved cell follows it, in every part of the workbook (xlsxfollow.py).
Text is written as an inline string, never a formula, so the shared-string
table stays as it is; a written cell keeps its style, with the number format
of its kind when it has one.

Anything this module does not recognise (another workbook location, prefixed
XML, zip64, encrypted parts, rows without numbers, a formula it cannot read
on a moved row) raises `Unpatchable`; the store then refuses, unless the
studio allowed a full rewrite (--rewrite).
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, datetime, time
from typing import IO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from ..schema import Kind
from .base import Cell, InsertedRows, TabChanges, WorkbookChanges
from .layout import column_letter, plain_value
from .looks import PLAIN_MONEY
from .package import ATTRIBUTE, Parts, Pieces
from .rowmoves import RowMoves
from .xlsxfollow import (
    SheetChanges,
    Unfollowable,
    follow,
    join_part,
    needs_unsharing,
    shift_sheet_items,
    unshare,
)
from .xlsxlook import filter_ref_in, grown_filter, with_filter_databases
from .xlsxtext import xlsx_text

FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.TIME: "hh:mm",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.MONEY: PLAIN_MONEY,
    Kind.INT: "0",
    Kind.NUMBER: "0.00",
}
# Number formats every spreadsheet program knows by id (ECMA-376 18.8.30), the ones we use.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}
SHIFT_BLOCK = 1 << 20  # bytes of rows renumbered at a time
# Deflate level for the parts we rewrite: level 1 compresses a large worksheet about three
# times faster than the default 6, for files about a fifth larger.
COMPRESS_LEVEL = 1

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
CALC_CHAIN = "xl/calcChain.xml"
CONTENT_TYPES = "[Content_Types].xml"


class Unpatchable(Exception):
    """The workbook has a shape this module does not handle; write it another way."""


def patch_workbook(source: IO[bytes], target: IO[bytes], changes: WorkbookChanges, *,
                   edit: PartsEdit | None = None, plain: Collection[str] = (),
                   money_format: str = PLAIN_MONEY) -> None:
    """Write to `target` the workbook read from `source` with `changes` applied.

    `edit` (xlsxparts.py), when given, runs after the worksheets are patched: it reads and
    writes, adds or drops parts through the package's Parts and may use the styles.
    `plain`: titles of worksheets the reader found without any formula (not looked into).
    `money_format`: the number format of money cells (looks.money_format, the currency's).
    """
    moves = {title: row_moves_of(tab) for title, tab in changes.tabs.items()
             if tab.deletes or any(tab.inserts.values())}
    _patch(source, target, changes, moves, edit, plain, money_format)


def move_rows(source: IO[bytes], target: IO[bytes], moves: Mapping[str, RowMoves]) -> None:
    """Write to `target` the workbook read from `source` with rows deleted and inserted.

    Everything on a row moves with it (xlsxfollow.py), as in a spreadsheet program.
    """
    _patch(source, target, WorkbookChanges(), {t: m for t, m in moves.items() if m})


def _patch(source: IO[bytes], target: IO[bytes], changes: WorkbookChanges,
           moves: Mapping[str, RowMoves], edit: PartsEdit | None = None,
           plain: Collection[str] = (), money_format: str = PLAIN_MONEY) -> None:
    try:
        zin = zipfile.ZipFile(source)
    except zipfile.BadZipFile as err:
        raise Unpatchable(str(err)) from None
    with zin:
        names = set(zin.namelist())
        for needed in (WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES):
            if needed not in names:
                raise Unpatchable(f"no {needed}")
        workbook = zin.read(WORKBOOK)
        parts = sheet_parts(workbook, zin.read(WORKBOOK_RELS))
        epoch = CALENDAR_MAC_1904 if _date1904(workbook) else CALENDAR_WINDOWS_1900
        styles = Styles(zin.read(STYLES) if STYLES in names else None, money_format)
        package = Parts(zin.read, names)
        sheets: dict[str, SheetChanges] = {}
        filters: dict[str, str] = {}  # the ranges of the changed tabs' filters
        for title in sorted(set(changes.tabs) | set(moves)):
            tab = changes.tabs.get(title) or TabChanges()
            row_moves = moves.get(title, RowMoves())
            if not tab and not row_moves:
                continue
            if title not in parts:
                raise KeyError(f"no tab {title}")
            part = parts[title]
            if part not in names:
                raise Unpatchable(f"no part {part}")
            xml = _inflated(zin, source, zin.getinfo(part))
            try:
                if needs_unsharing(xml, title, moves):
                    xml = unshare(xml)
            except Unfollowable as err:
                raise Unpatchable(str(err)) from None
            pieces = patch_sheet(xml, tab, styles, epoch, row_moves, _items_follow(
                title, moves, row_moves))
            if not _same_bytes(xml, pieces):
                package.write_pieces(part, pieces)
                ref = filter_ref_in(pieces[-1])
                if ref is not None:
                    filters[title] = ref
            del xml, pieces  # the package holds what it needs of them
            sheets[title] = written_cells(tab, row_moves)
        try:
            follow(package, parts, sheets, WORKBOOK, plain)
        except Unfollowable as err:
            raise Unpatchable(str(err)) from None
        if filters:  # a filter's name follows its range, as it grows with appended rows
            book = package.read(WORKBOOK)
            named = with_filter_databases(book, filters)
            if named != book:
                package.write(WORKBOOK, named)
        if styles.changed and STYLES not in names:
            raise Unpatchable("no styles part")
        if CALC_CHAIN in names and package.replaced:
            # Excel's list of formula cells in calculation order; with rows moved it could
            # point at cells that are gone. Excel rebuilds it (openpyxl drops it too).
            package.drop(CALC_CHAIN)
            package.write(WORKBOOK_RELS, _without_calc_chain_rel(package.read(WORKBOOK_RELS)))
            package.write(CONTENT_TYPES, _without_calc_chain_type(package.read(CONTENT_TYPES)))
        if edit is not None:
            edit(package, styles)
        if styles.changed:
            package.write(STYLES, styles.xml())
        copy_zip(zin, source, target, package.replaced, package.dropped, package.added)


# -- the workbook's parts ------------------------------------------------------------------
def sheet_parts(workbook: bytes, rels: bytes) -> dict[str, str]:
    """Worksheet title -> zip part name."""
    try:
        book = ElementTree.fromstring(workbook)
        links = ElementTree.fromstring(rels)
    except ElementTree.ParseError as err:
        raise Unpatchable(str(err)) from None
    targets = {r.get("Id"): r.get("Target", "") for r in links.iter(f"{{{PKG_REL}}}Relationship")}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL}}}id"))
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else join_part("xl", target)
        parts[sheet.get("name", "")] = part
    return parts


def _date1904(workbook: bytes) -> bool:
    match = re.search(rb"<workbookPr\b[^>]*\bdate1904=\"(1|true)\"", workbook)
    return match is not None


def _without_calc_chain_rel(rels: bytes) -> bytes:
    return re.sub(rb"<Relationship\b[^>]*?Target=\"[^\"]*calcChain\.xml\"[^>]*/>", b"", rels)


def _without_calc_chain_type(types: bytes) -> bytes:
    return re.sub(rb"<Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*/>", b"", types)


# -- styles --------------------------------------------------------------------------------
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.DOTALL)
_CELL_XFS = re.compile(rb"<cellXfs\b[^>]*?(?:/>|>(.*?)</cellXfs>)", re.DOTALL)
_NUM_FMTS = re.compile(rb"<numFmts\b[^>]*?(?:/>|>(.*?)</numFmts>)", re.DOTALL)
_NUM_FMT = re.compile(rb"<numFmt\b[^>]*?/>")
_ATTR = ATTRIBUTE
_FONTS = re.compile(rb"<fonts\b[^>]*?(?:/>|>(.*?)</fonts>)", re.DOTALL)
_FONT = re.compile(rb"<font\b[^>]*?(?:/>|>.*?</font>)", re.DOTALL)
_BOLD = re.compile(rb"<b(?:\s+val=\"(?:1|true)\")?\s*/>")
_FONT_NAME = re.compile(rb"<name\b")


class Styles:
    """styles.xml as text: cell formats are found or appended, nothing else is rewritten."""

    def __init__(self, source: bytes | None, money_format: str = PLAIN_MONEY) -> None:
        self.source = source
        self.money_format = money_format  # of money cells: the currency's (looks.py)
        self.changed = False
        self._cache: dict[tuple[int, str], int] = {}
        if source is None:
            self.xfs: list[bytes] = []
            self.formats: dict[str, int] = {}
            return
        xfs = _CELL_XFS.search(source)
        if xfs is None:
            raise Unpatchable("styles without cellXfs")
        self.xfs = _XF.findall(xfs.group(1) or b"")
        if not self.xfs:
            raise Unpatchable("styles without cell formats")
        self.formats = {}
        fmts = _NUM_FMTS.search(source)
        for entry in _NUM_FMT.findall(fmts.group(1) or b"" if fmts else b""):
            attrs = dict(_ATTR.findall(entry))
            code = _unescape(attrs.get(b"formatCode", b""))
            self.formats.setdefault(code, int(attrs.get(b"numFmtId", b"0")))
        self._new_formats: list[bytes] = []
        self._new_xfs: list[bytes] = []

    def with_format(self, base: int, code: str) -> int:
        """The index of a cell format like `base` but with number format `code`."""
        key = (base, code)
        if key in self._cache:
            return self._cache[key]
        if self.source is None:
            raise Unpatchable("a number format is needed but the workbook has no styles")
        fmt_id = self._format_id(code)
        xf = self.xfs[base] if 0 <= base < len(self.xfs) else self.xfs[0]
        if _xf_attr(xf, b"numFmtId") == str(fmt_id).encode():
            found = base
        else:
            found = self._xf_index(_with_number_format(xf, fmt_id))
        self._cache[key] = found
        return found

    def _xf_index(self, wanted: bytes) -> int:
        """The index of a cell format equal to `wanted`, appended when there is none."""
        found = next((i for i, x in enumerate(self.xfs) if _same_xf(x, wanted)), -1)
        if found < 0:
            self.xfs.append(wanted)
            self._new_xfs.append(wanted)
            found = len(self.xfs) - 1
            self.changed = True
        return found

    def _format_id(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code in self.formats:
            return self.formats[code]
        fmt_id = max([163, *self.formats.values()]) + 1
        self.formats[code] = fmt_id
        self._new_formats.append(
            b'<numFmt numFmtId="%d" formatCode="%s"/>' % (fmt_id, _attr_escape(code)))
        self.changed = True
        return fmt_id

    def bold(self, base: int = 0) -> int:
        """The index of a cell format like `base` but bold and vertically centred (headers).

        The bold font is found in, or appended to, the fonts of the source text itself,
        which nothing else here rewrites; the cell format goes the way of `with_format`.
        """
        key = (base, "\0bold")
        if key in self._cache:
            return self._cache[key]
        if self.source is None:
            raise Unpatchable("a bold header is needed but the workbook has no styles")
        xf = self.xfs[base] if 0 <= base < len(self.xfs) else self.xfs[0]
        font_id = self._bold_font(int(_xf_attr(xf, b"fontId") or b"0"))
        head = xf.split(b">", 1)[0].rstrip(b"/")
        head = re.sub(rb"\s(fontId|applyFont|applyAlignment)=\"[^\"]*\"", b"", head)
        wanted = head + b' fontId="%d" applyFont="1" applyAlignment="1">' % font_id + \
            b'<alignment vertical="center"/></xf>'
        found = self._cache[key] = self._xf_index(wanted)
        return found

    def _bold_font(self, base_font: int) -> int:
        assert self.source is not None
        block = _FONTS.search(self.source)
        if block is None:
            raise Unpatchable("styles without fonts")
        fonts = _FONT.findall(block.group(1) or b"")
        font = fonts[base_font] if 0 <= base_font < len(fonts) else (fonts or [b"<font/>"])[0]
        if _BOLD.search(font) and _FONT_NAME.search(font):
            return base_font
        wanted = bold_font_like(font, fonts[0] if fonts else b"<font/>")
        if wanted in fonts:
            return fonts.index(wanted)
        head = re.sub(rb"\scount=\"\d+\"", b"", block.group(0).split(b">", 1)[0].rstrip(b"/"))
        new_block = head + b' count="%d">' % (len(fonts) + 1) + (block.group(1) or b"") + \
            wanted + b"</fonts>"
        self.source = self.source[:block.start()] + new_block + self.source[block.end():]
        self.changed = True
        return len(fonts)

    def xml(self) -> bytes:
        assert self.source is not None
        text = self.source
        if self._new_formats:
            added = b"".join(self._new_formats)
            fmts = _NUM_FMTS.search(text)
            if fmts is None:
                opening = re.search(rb"<styleSheet\b[^>]*>", text)
                if opening is None:
                    raise Unpatchable("styles without styleSheet")
                block = b'<numFmts count="%d">%s</numFmts>' % (len(self._new_formats), added)
                text = text[:opening.end()] + block + text[opening.end():]
            else:
                inner = fmts.group(1) or b""
                block = b'<numFmts count="%d">%s%s</numFmts>' % (
                    len(_NUM_FMT.findall(inner)) + len(self._new_formats), inner, added)
                text = text[:fmts.start()] + block + text[fmts.end():]
        if self._new_xfs:
            xfs = _CELL_XFS.search(text)
            assert xfs is not None
            inner = xfs.group(1) or b""
            head = xfs.group(0).split(b">", 1)[0].rstrip(b"/")
            head = re.sub(rb"\scount=\"\d+\"", b"", head)
            block = head + b' count="%d">' % len(self.xfs) + inner + b"".join(
                self._new_xfs) + b"</cellXfs>"
            text = text[:xfs.start()] + block + text[xfs.end():]
        return text


def bold_font_like(font: bytes, default: bytes) -> bytes:
    """A bold `<font>` in the family and size of `font`, or of the workbook's `default` font
    (its first) where `font` names none: a header without a name of its own shows in the
    program's default, a serif in LibreOffice, above sans-serif data."""
    if not _FONT_NAME.search(font) and _FONT_NAME.search(default):
        font = default
    inner = b"" if font.endswith(b"/>") else font.split(b">", 1)[1].rsplit(b"</font>", 1)[0]
    inner = re.sub(rb"<b\b[^>]*/>", b"", inner)
    return b"<font><b/>" + inner + b"</font>"


def _xf_attr(xf: bytes, name: bytes) -> bytes | None:
    opening = xf.split(b">", 1)[0]
    for key, value in _ATTR.findall(opening):
        if key == name:
            return bytes(value)
    return None


def _with_number_format(xf: bytes, fmt_id: int) -> bytes:
    head, sep, rest = xf.partition(b">")
    self_closing = head.endswith(b"/")
    head = head.rstrip(b"/")
    head = re.sub(rb"\s(numFmtId|applyNumberFormat)=\"[^\"]*\"", b"", head)
    head += b' numFmtId="%d" applyNumberFormat="1"' % fmt_id
    return head + (b"/>" if self_closing else sep + rest)


def _same_xf(a: bytes, b: bytes) -> bool:
    def canonical(xf: bytes) -> tuple[object, ...]:
        head, _, rest = xf.partition(b">")
        attrs = dict(_ATTR.findall(head))
        attrs.pop(b"applyNumberFormat", None)
        return tuple(sorted(attrs.items())), rest
    return canonical(a) == canonical(b)


def _unescape(value: bytes) -> str:
    return (value.decode("utf-8").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _attr_escape(text: str) -> bytes:
    return escape(text, {'"': "&quot;"}).encode("utf-8")


# -- one worksheet -------------------------------------------------------------------------
_SHEET_DATA_OPEN = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROW_START = re.compile(rb"<row r=\"(\d+)\"[^>]*?(/?)>")
_ANY_ROW = re.compile(rb"<row\b")
_CELL = re.compile(rb"<c(?=[\s/>])[^>]*?(?:/>|>.*?</c>)", re.DOTALL)
_CELL_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_CELL_STYLE = re.compile(rb"\bs=\"(\d+)\"")
_SHIFT_REFS = re.compile(rb"(<row r=\"|<c r=\"[A-Z]+)(\d+)\"")
_DIMENSION = re.compile(rb"<dimension ref=\"([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?\"\s*/>")


def patch_sheet(xml: bytes, changes: TabChanges, styles: Styles, epoch: datetime,
                moves: RowMoves | None = None,
                tail_edit: Callable[[bytes], bytes] | None = None) -> Pieces:
    """The worksheet XML with `changes` applied: updates in read coordinates, then the rows
    moved (`moves`, by default the deletions of `changes`), cell references renumbered.
    `tail_edit` rewrites what follows the cells (merges, formats, links: xlsxfollow.py).

    Returned in pieces, most of them views of `xml`: a large worksheet is not copied to
    change a few rows (rows below moved ones are, renumbered).
    """
    opening, first, last, closing = _sheet_data(xml)  # first, last: where the rows are
    if moves is None:
        moves = row_moves_of(changes)
    view = memoryview(xml)
    by_row, new_rows = _updates_by_row(changes)
    deletes = set(moves.deleted)
    inserted = {r: n for r, n in moves.inserted.items() if n > 0}
    if moves and xml.count(b"<c ", first, last) != xml.count(b'<c r="', first, last):
        raise Unpatchable("cells without references")  # rows move: each must carry its own
    touched = sorted(set(by_row) | deletes | set(inserted))
    found = None if moves else _touched_rows(xml, first, last, touched)
    starts, numbers, ends = found or _row_index(xml, first, last)
    rows: list[bytes | memoryview] = []
    pos = first
    shift = 0
    widest = 0
    last_row = 1  # the last row written, for the used-range hint

    def keep(end: int) -> None:
        """Rows from `pos` up to `end`, as they are but for their numbers."""
        nonlocal last_row
        if shift:
            rows.extend(_shifted(view[a:b], shift) for a, b in _blocks(starts, pos, end))
        else:
            rows.append(view[pos:end])
        j = bisect.bisect_left(starts, end) - 1
        if j >= 0 and starts[j] >= pos:
            last_row = numbers[j] + shift

    for row in touched:
        i = bisect.bisect_left(numbers, row)
        exists = i < len(numbers) and numbers[i] == row
        start = starts[i] if i < len(numbers) else last
        keep(start)
        pos = start
        looks = _looks_above(xml, starts, numbers, ends, row, deletes) if row in new_rows else {}
        for k, values in sorted(new_rows.get(row, {}).items()):
            patched, width = _patched_row(_styled_row(row + shift + k, looks), row + shift + k,
                                          values, changes, styles, epoch)
            if width:
                rows.append(patched)
                widest = max(widest, width)
                last_row = row + shift + k
        shift += inserted.get(row, 0)
        if row in deletes:
            shift -= 1
            pos = ends[i] if exists else start
            continue
        if row not in by_row:
            continue  # only rows inserted above it: it moves with the chunk after it
        if exists:
            pos = ends[i]
            patched, width = _patched_row(xml[start:ends[i]], row + shift, by_row[row],
                                          changes, styles, epoch)
        else:
            patched, width = _patched_row(b'<row r="%d">' % row, row + shift, by_row[row],
                                          changes, styles, epoch)
            if not width:
                continue  # nothing but empty cells: no row, as openpyxl writes it
        rows.append(patched)
        widest = max(widest, width)
        last_row = row + shift
    keep(last)
    rows = [piece for piece in rows if len(piece)]
    head = _with_dimension(xml[:opening], last_row, widest)
    sheet_data = [b"<sheetData>", *rows, b"</sheetData>"] if rows else [b"<sheetData/>"]
    tail = view[closing:] if tail_edit is None else tail_edit(xml[closing:])
    if numbers:  # rows appended below a filter reaching the last row: it takes them in
        tail = grown_filter(tail, numbers[-1] + shift, last_row)
    return (head, *sheet_data, tail)


def row_moves_of(changes: TabChanges) -> RowMoves:
    """The tab's inserted and deleted rows in the read's numbering (base.py: deletions
    address rows as they stand once the rows are inserted)."""
    if not changes.inserts:
        return RowMoves(frozenset(changes.deletes))
    deleted = set()
    numbering = InsertedRows(changes.inserts)
    for row in changes.deletes:
        original, k = numbering.read_row(row)
        if k is not None:
            raise ValueError(f"row {row} is inserted and deleted in the same batch")
        deleted.add(original)
    return RowMoves(frozenset(deleted), dict(changes.inserts))


def _updates_by_row(changes: TabChanges) -> tuple[dict[int, dict[int, Cell]],
                                                  dict[int, dict[int, dict[int, Cell]]]]:
    """The updates by row of the read, and those of inserted rows: row of the read -> k ->
    cells of the k-th row inserted right above it."""
    by_row: dict[int, dict[int, Cell]] = {}
    new_rows: dict[int, dict[int, dict[int, Cell]]] = {}
    numbering = InsertedRows(changes.inserts) if changes.inserts else None
    for (row, col), value in changes.updates.items():
        if numbering is None:
            by_row.setdefault(row, {})[col] = value
            continue
        original, k = numbering.read_row(row)
        if k is None:
            by_row.setdefault(original, {})[col] = value
        else:
            new_rows.setdefault(original, {}).setdefault(k, {})[col] = value
    return by_row, new_rows


def _looks_above(xml: bytes, starts: list[int], numbers: list[int], ends: list[int],
                 row: int, deletes: Collection[int]) -> dict[int, int]:
    """Column -> cell style of the row right above row `row` of the read, which rows
    inserted above `row` take ("format same as above", as LibreOffice, Excel and Google
    Sheets' inheritFromBefore do); nothing under the header or a deleted row."""
    above = row - 1
    i = bisect.bisect_left(numbers, above)
    if above < 2 or above in deletes or i >= len(numbers) or numbers[i] != above:
        return {}
    looks: dict[int, int] = {}
    column = 0
    for cell in _CELL.findall(xml, starts[i], ends[i]):
        opening = cell.split(b">", 1)[0]
        ref = _CELL_REF.search(opening)
        column = column_index_from_string(ref.group(1).decode()) if ref else column + 1
        style = _CELL_STYLE.search(opening)
        if style is not None and style.group(1) != b"0":
            looks[column] = int(style.group(1))
    return looks


def _styled_row(number: int, looks: Mapping[int, int]) -> bytes:
    """An empty row element holding only the styled empty cells of `looks`."""
    cells = b"".join(b'<c r="%s%d" s="%d"/>' % (column_letter(col).encode(), number, style)
                     for col, style in sorted(looks.items()))
    return b'<row r="%d">%s</row>' % (number, cells)


def written_cells(changes: TabChanges, moves: RowMoves) -> SheetChanges:
    """The cells `changes` write: those of rows of the read in its numbering, those of
    inserted rows where they land."""
    if not changes.inserts:
        return SheetChanges(moves, frozenset(changes.updates))
    kept: set[tuple[int, int]] = set()
    added: set[tuple[int, int]] = set()
    numbering = InsertedRows(changes.inserts)
    for row, col in changes.updates:
        original, k = numbering.read_row(row)
        if k is None:
            kept.add((original, col))
        else:  # the rows inserted above `original` land right above where it lands
            added.add((moves.anchor_row(original) - changes.inserts[original] + k, col))
    return SheetChanges(moves, frozenset(kept), frozenset(added))


def _sheet_data(xml: bytes) -> tuple[int, int, int, int]:
    """Where sheetData starts, where its rows start and end, and where it ends. Found by
    plain search: a lazy regex across a worksheet of hundreds of MB takes seconds."""
    at = xml.find(b"<sheetData")
    opening = _SHEET_DATA_OPEN.match(xml, at) if at >= 0 else None
    if opening is None:
        raise Unpatchable("worksheet without sheetData")
    if opening.group(1):  # <sheetData/>: no rows
        return at, opening.end(), opening.end(), opening.end()
    close = xml.find(b"</sheetData>", opening.end())
    if close < 0:
        raise Unpatchable("worksheet without the end of sheetData")
    return at, opening.end(), close, close + len(b"</sheetData>")


def _items_follow(title: str, moves: Mapping[str, RowMoves],
                  row_moves: RowMoves) -> Callable[[bytes], bytes] | None:
    """How what follows a sheet's cells moves with its rows (None: its rows stay)."""
    if not row_moves:
        return None

    def edit(tail: bytes) -> bytes:
        try:
            return shift_sheet_items(tail, title, moves, row_moves)
        except Unfollowable as err:
            raise Unpatchable(str(err)) from None
    return edit


def _same_bytes(data: bytes, pieces: Pieces) -> bool:
    """Whether `pieces` joined would equal `data` (without joining them)."""
    if sum(len(p) for p in pieces) != len(data):
        return False
    view, at = memoryview(data), 0
    for piece in pieces:
        if view[at:at + len(piece)] != piece:
            return False
        at += len(piece)
    return True


def _touched_rows(xml: bytes, first: int, last: int, touched: list[int]
                  ) -> tuple[list[int], list[int], list[int]] | None:
    """`_row_index` of only the `touched` rows and the bottom row, found by plain byte search
    in one pass: enough to patch rows in place and to append rows below the bottom one,
    when nothing moves. Rows are taken to be in ascending order, as the format requires and
    every spreadsheet program writes them (the full index, which rows that move need,
    checks it). None when a search is not enough (a touched row missing above the bottom
    row, or a bottom row without its number): the full index decides then."""
    starts: list[int] = []
    numbers: list[int] = []
    ends: list[int] = []
    bottom = xml.rfind(b'<row r="', first, last)
    bottom_row = _row_span(xml, bottom, last) if bottom >= 0 else None
    if xml.find(b"<row", bottom_row[1] if bottom_row else first, last) >= 0:
        return None  # a row below the last numbered one: its number is implied
    last_number = bottom_row[0] if bottom_row else 0
    at = first
    for row in touched:
        if row >= last_number:
            break
        start = xml.find(b'<row r="%d"' % row, at, last)
        if start < 0:
            return None
        number, end = _row_span(xml, start, last)
        starts.append(start)
        numbers.append(number)
        ends.append(end)
        at = end
    if bottom_row is not None:
        if bottom < at:
            return None  # rows out of order
        starts.append(bottom)
        numbers.append(last_number)
        ends.append(bottom_row[1])
    return starts, numbers, ends


def _row_span(xml: bytes, start: int, last: int) -> tuple[int, int]:
    """The number and the end of the row element starting at `start`."""
    match = _ROW_START.match(xml, start)
    if match is None:
        raise Unpatchable("a row without a leading row number")
    if match.group(2):
        return int(match.group(1)), match.end()
    end = xml.find(b"</row>", match.end(), last)
    if end < 0:
        raise Unpatchable("a row without its end")
    return int(match.group(1)), end + 6


def _row_index(xml: bytes, first: int, last: int) -> tuple[list[int], list[int], list[int]]:
    """Where each row element between `first` and `last` starts and ends, by row number;
    rows must be numbered, in order."""
    starts: list[int] = []
    numbers: list[int] = []
    ends: list[int] = []
    for match in _ROW_START.finditer(xml, first, last):
        starts.append(match.start())
        numbers.append(int(match.group(1)))
        if match.group(2):
            ends.append(match.end())
        else:
            end = xml.find(b"</row>", match.end(), last)
            if end < 0:
                raise Unpatchable("a row without its end")
            ends.append(end + 6)
    if len(starts) != sum(1 for _ in _ANY_ROW.finditer(xml, first, last)):
        raise Unpatchable("rows without a leading row number")
    if any(b <= a for a, b in itertools.pairwise(numbers)):
        raise Unpatchable("rows out of order")
    return starts, numbers, ends


def _blocks(starts: list[int], first: int, end: int) -> Iterator[tuple[int, int]]:
    """[first, end) cut at row starts into blocks of about SHIFT_BLOCK bytes: renumbering
    a block at a time keeps its short-lived pieces few."""
    while end - first > SHIFT_BLOCK:
        cut = starts[bisect.bisect_left(starts, first + SHIFT_BLOCK) - 1]
        if cut <= first:
            break
        yield first, cut
        first = cut
    yield first, end


def _shifted(chunk: memoryview, shift: int) -> bytes | memoryview:
    """Rows below deleted (or inserted) ones move: renumber rows and cell references."""
    if not shift or not chunk:
        return chunk
    return _SHIFT_REFS.sub(lambda m: m.group(1) + b"%d\"" % (int(m.group(2)) + shift), chunk)


def _patched_row(row_xml: bytes, number: int, values: dict[int, Cell], changes: TabChanges,
                 styles: Styles, epoch: datetime) -> tuple[bytes, int]:
    """The row element with `values` written, and the last column that has a cell."""
    opening_end = row_xml.index(b">") + 1
    opening = row_xml[:opening_end]
    self_closing = opening.endswith(b"/>")
    inner = b"" if self_closing else row_xml[opening_end:-len(b"</row>")]
    head = opening[:-2] if self_closing else opening[:-1]
    head = re.sub(rb"\sspans=\"[^\"]*\"", b"", head)  # an optional hint we would falsify
    head = re.sub(rb"^<row r=\"\d+\"", b'<row r="%d"' % number, head)
    cells: dict[int, bytes] = {}
    column = 0
    for cell in _CELL.findall(inner):
        ref = _CELL_REF.search(cell.split(b">", 1)[0])
        column = column_index_from_string(ref.group(1).decode()) if ref else column + 1
        cells[column] = cell
    for col, value in values.items():
        old = cells.get(col)
        style = 0
        if old is not None:
            found = _CELL_STYLE.search(old.split(b">", 1)[0])
            style = int(found.group(1)) if found else 0
        new = cell_xml(f"{column_letter(col)}{number}", value, style, changes.kinds.get(col),
                       styles, epoch)
        if new is None:
            cells.pop(col, None)
        else:
            cells[col] = new
    if number != _row_number(opening):
        # an unchanged cell of a row that moved up: renumber its reference
        for col, cell in cells.items():
            if col not in values:
                cells[col] = _CELL_REF.sub(lambda m: b'r="%s%d"' % (m.group(1), number), cell,
                                           count=1)
    columns = sorted(cells)
    return (head + b">" + b"".join(cells[c] for c in columns) + b"</row>",
            columns[-1] if columns else 0)


def _row_number(opening: bytes) -> int:
    match = re.match(rb"<row r=\"(\d+)\"", opening)
    return int(match.group(1)) if match else -1


def cell_xml(ref: str, value: Cell, style: int, kind: Kind | None, styles: Styles,
             epoch: datetime) -> bytes | None:
    """One `<c>` element, or None for an empty cell that has no style of its own."""
    value = plain_value(value)
    if isinstance(value, str):
        value = xlsx_text(value)  # control characters and `_xHHHH_` escaped, within the limit
    if value is None or value == "":
        return b'<c r="%s" s="%d"/>' % (ref.encode(), style) if style else None
    if isinstance(value, str):
        text = escape(value).encode("utf-8")
        return (b'<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                % (ref.encode(), _s(style), text))
    if isinstance(value, bool):
        return b'<c r="%s"%s t="b"><v>%d</v></c>' % (ref.encode(), _s(style), value)
    code = styles.money_format if kind is Kind.MONEY else _format_code(value, kind)
    if code is not None:
        style = styles.with_format(style, code)
    if isinstance(value, datetime | date | time):
        number: float | int = to_excel(value, epoch)
    elif isinstance(value, int | float):
        number = value
    else:
        raise Unpatchable(f"a value of type {type(value).__name__}")
    if isinstance(number, float) and not math.isfinite(number):
        raise Unpatchable("a number that is not finite")
    if isinstance(number, float) and isinstance(value, date | time) and number.is_integer():
        number = int(number)
    shown = repr(number) if isinstance(number, float) else str(number)
    return b'<c r="%s"%s><v>%s</v></c>' % (ref.encode(), _s(style), shown.encode())


def _s(style: int) -> bytes:
    return b' s="%d"' % style if style else b""


def _format_code(value: Cell, kind: Kind | None) -> str | None:
    """The number format the openpyxl path gives a cell of this value and column kind."""
    if kind is not None and kind in FORMATS:
        return FORMATS[kind]
    if isinstance(value, datetime):
        return FORMATS[Kind.DATETIME]
    if isinstance(value, date):
        return FORMATS[Kind.DATE]
    if isinstance(value, time):
        return FORMATS[Kind.TIME]
    return None


def _with_dimension(head: bytes, last_row: int, widest: int) -> bytes:
    """Keep the used-range hint (in the part before sheetData) true: some readers size their
    grid from it."""
    found = _DIMENSION.search(head)
    if found is None:
        return head
    first_col = found.group(1) or b"A"
    first_row = found.group(2) or b"1"
    old_col = column_index_from_string((found.group(3) or first_col).decode())
    width = max(old_col, widest, 1)
    ref = b"%s%s:%s%d" % (first_col, first_row, column_letter(width).encode(), max(last_row, 1))
    return head[:found.start()] + b'<dimension ref="%s"/>' % ref + head[found.end():]


# -- the zip file --------------------------------------------------------------------------
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


def copy_zip(zin: zipfile.ZipFile, source: IO[bytes], target: IO[bytes],
             replaced: dict[str, bytes | Pieces], dropped: set[str],
             added: dict[str, bytes] | None = None) -> None:
    """Copy the zip entry by entry: raw bytes for kept parts, deflated `replaced` ones, and
    the `added` parts last (deflated, stamped with the time of the workbook part)."""
    central: list[bytes] = []
    offset = target.tell()
    infos = [i for i in zin.infolist() if i.filename not in dropped]
    infos += _new_entries(zin, added or {}, replaced)
    if len(infos) >= 0xFFFF:
        raise Unpatchable("too many parts for a plain zip")
    for info in infos:
        if info.flag_bits & 0x1:
            raise Unpatchable("an encrypted part")
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0
        if info.filename in replaced:
            raw, crc, size = _deflated(replaced[info.filename])
            method = zipfile.ZIP_DEFLATED
        else:
            raw = _raw_bytes(source, info)
            crc, method, size = info.CRC, info.compress_type, info.file_size
        if max(size, len(raw), offset) >= 0xFFFFFFFF:
            raise Unpatchable("a part too large for a plain zip")
        stamp = _dos_time(info.date_time)
        header = _LOCAL.pack(0x04034B50, 20, flags, method, stamp[1], stamp[0], crc, len(raw),
                             size, len(name), 0)
        target.write(header + name)
        target.write(raw)
        central.append(_CENTRAL.pack(
            0x02014B50, (info.create_system << 8) | 20, 20, flags, method, stamp[1], stamp[0],
            crc, len(raw), size, len(name), 0, 0, 0, 0, info.external_attr, offset) + name)
        offset += len(header) + len(name) + len(raw)
    directory = b"".join(central)
    target.write(directory)
    target.write(_END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory),
                           offset, 0))


def _deflated(data: bytes | Pieces) -> tuple[bytes, int, int]:
    """The raw deflate stream of a part, its CRC-32 and its size, piece by piece."""
    packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    out: list[bytes] = []
    crc = size = 0
    for piece in (data,) if isinstance(data, bytes) else data:
        out.append(packer.compress(piece))
        crc = zlib.crc32(piece, crc)
        size += len(piece)
    out.append(packer.flush())
    return b"".join(out), crc, size


def _new_entries(zin: zipfile.ZipFile, added: dict[str, bytes],
                 replaced: dict[str, bytes | Pieces]) -> list[zipfile.ZipInfo]:
    """Zip entries for new parts; their bytes go into `replaced`, which copy_zip deflates."""
    present = set(zin.namelist())
    clash = present & added.keys()
    if clash:
        raise Unpatchable(f"a part added twice ({', '.join(sorted(clash))})")
    stamp = zin.getinfo(WORKBOOK).date_time if WORKBOOK in present else (1980, 1, 1, 0, 0, 0)
    entries = []
    for name, data in added.items():
        entries.append(zipfile.ZipInfo(name, stamp))
        replaced[name] = data
    return entries


def _inflated(zin: zipfile.ZipFile, source: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, inflated into one buffer of its size (zipfile's read holds two)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
        return zin.read(info)
    try:
        data = zlib.decompress(_raw_bytes(source, info), -15, max(info.file_size, 1))
    except zlib.error:
        raise Unpatchable("a damaged zip entry") from None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise Unpatchable("a damaged zip entry")
    return data


def _raw_bytes(source: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    source.seek(info.header_offset)
    header = source.read(30)
    if header[:4] != b"PK\x03\x04":
        raise Unpatchable("a damaged zip entry")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    raw = source.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise Unpatchable("a truncated zip entry")
    return raw


def _dos_time(stamp: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    year = max(year, 1980)
    return ((year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2)


def iter_parts(path: str) -> Iterator[tuple[str, bytes]]:
    """Every part of an .xlsx file with its uncompressed bytes (for tests and tools)."""
    with zipfile.ZipFile(path) as zin:
        for info in zin.infolist():
            yield info.filename, zin.read(info)


Writer = Callable[[IO[bytes]], None]
# Extra part edits for patch_workbook: (zip as read, replaced parts, dropped parts, styles)
# -> parts to add. See xlsxparts.py.
PartsEdit = Callable[[Parts, "Styles"], None]  # more than cells: new tabs, columns, a chart
