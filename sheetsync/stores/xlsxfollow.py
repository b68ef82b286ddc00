"""Everything on a moved row follows it, and no formula keeps a result that went stale.

xlsxpatch.py writes the cells of the sheets that change and moves their rows.
This module makes the rest of the workbook agree, the way a spreadsheet program
does when a user deletes or inserts rows:

- formulas in every sheet are re-pointed (shared formulas first expanded into
  plain ones where rows move under them, since one master text can no longer
  describe them all); a reference into a deleted row becomes `#REF!`;
- on a sheet whose rows move: merged ranges, conditional formats, validations,
  hyperlinks, the autofilter, row breaks, comments with their VML shapes,
  threaded comments, drawing anchors (images slide to the next row instead of
  being lost) and table ranges;
- in the whole workbook: defined names, chart series ranges, pivot cache sources;
- formulas whose result may have changed lose their cached value (LibreOffice
  computes exactly those on load; it does not honour fullCalcOnLoad), and the
  workbook asks Excel to recalculate everything when opened.

Only parts that really change are rewritten: the caller copies every other
part byte for byte. Nothing here reads the clock or the disk: parts come in and
go out as bytes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape
from xml.sax.saxutils import unescape as _sax_unescape

from openpyxl.formula.tokenizer import Token, TokenizerError
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils.cell import column_index_from_string as column_index

from .package import ATTRIBUTE, Parts
from .rowmoves import (
    LAST_ROW,
    OWN_ROW,
    FormulaNotUnderstood,
    RowMoves,
    formula_tokens,
    shift_area,
    shift_formula,
    shift_sqref,
)

LAST_COLUMN = 16384
_RELS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_XML_ENTITIES = {'"': "&quot;"}


class Unfollowable(Exception):
    """Something on a moved row cannot be moved safely; the write must not happen this way."""


@dataclass(frozen=True)
class SheetChanges:
    """What happened to one sheet: its rows' moves, cells written (in read coordinates) and
    cells written into inserted rows (where they land)."""

    moves: RowMoves
    written: frozenset[tuple[int, int]]
    added: frozenset[tuple[int, int]] = frozenset()


# -- shared formulas ---------------------------------------------------------------------------
_F_OPEN = re.compile(rb"<f\b([^>]*?)(/>|>)")
_ATTR = ATTRIBUTE


def needs_unsharing(xml: bytes, title: str, moved: Mapping[str, RowMoves]) -> bool:
    """Shared formulas whose rows move, or that read a sheet whose rows move."""
    if b't="shared"' not in xml:
        return False
    if moved.get(title):
        return True
    lowered = xml.lower()
    return any(_name_bytes(t) in lowered for t, m in moved.items() if m)


def _name_bytes(title: str) -> bytes:
    return escape(title.lower(), _XML_ENTITIES).encode("utf-8")


def unshare(xml: bytes) -> bytes:
    """Every shared formula written out in full on its own cell (same meaning, more bytes)."""
    masters: dict[bytes, tuple[str, str]] = {}
    for cell in _formula_cells(xml):
        if cell.shared_master:
            masters[cell.si] = (cell.ref, cell.text)
    out: list[bytes] = []
    pos = 0
    for cell in _formula_cells(xml):
        if not cell.shared:
            continue
        if cell.si not in masters:
            raise Unfollowable(f"a shared formula in {cell.ref} without its first cell")
        origin, text = masters[cell.si]
        formula = text if cell.ref == origin else _translated(text, origin, cell.ref)
        out.append(xml[pos:cell.f_start])
        out.append(b"<f>" + _escape(formula) + b"</f>")
        pos = cell.f_end
    out.append(xml[pos:])
    return b"".join(out)


def _translated(text: str, origin: str, target: str) -> str:
    try:
        return Translator("=" + text, origin=origin).translate_formula(target)[1:]
    except (TranslatorError, TokenizerError) as err:
        raise Unfollowable(f"the shared formula {text!r}: {err}") from None


# -- formula cells -----------------------------------------------------------------------------
@dataclass
class FormulaCell:
    ref: str
    row: int
    col: int
    start: int  # of the <c> element
    end: int
    f_start: int  # of the <f> element
    f_end: int
    attrs: dict[bytes, bytes]  # of the <f> element
    text: str  # formula without '=' (unescaped)

    @property
    def shared(self) -> bool:
        return self.attrs.get(b"t") == b"shared"

    @property
    def shared_master(self) -> bool:
        return self.shared and b"ref" in self.attrs

    @property
    def si(self) -> bytes:
        return self.attrs.get(b"si", b"")


_CELL_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")


def _formula_cells(xml: bytes) -> Iterator[FormulaCell]:
    """Every cell with a formula, found from its `<f` (proportional to formulas, not cells)."""
    pos = xml.find(b"<sheetData")
    stop = xml.find(b"</sheetData>")
    while True:
        at = xml.find(b"<f", pos, stop)
        if at < 0:
            return
        if xml[at + 2:at + 3] not in (b">", b" ", b"/"):
            pos = at + 2
            continue
        start = xml.rfind(b"<c ", 0, at)
        end = xml.find(b"</c>", at)
        if start < 0 or end < 0:
            raise Unfollowable("a formula outside a cell")
        end += 4
        opening = _F_OPEN.match(xml, at)
        if opening is None:
            raise Unfollowable("a formula element that does not read")
        attrs = dict(_ATTR.findall(opening.group(1)))
        if opening.group(2) == b"/>":
            f_end, text = opening.end(), ""
        else:
            close = xml.find(b"</f>", opening.end())
            f_end = close + 4
            text = unescape(xml[opening.end():close].decode("utf-8"))
        ref = _CELL_REF.search(xml, start, xml.find(b">", start))
        if ref is None:
            raise Unfollowable("a formula cell without its reference")
        letters, number = ref.group(1).decode(), int(ref.group(2))
        yield FormulaCell(f"{letters}{number}", number, column_index(letters), start, end, at,
                          f_end, attrs, text)
        pos = end


def _escape(text: str) -> bytes:
    return escape(text).encode("utf-8")


def unescape(text: str) -> str:
    """XML text as written by any program (LibreOffice writes `&quot;` inside formulas)."""
    return _sax_unescape(text, {"&quot;": '"', "&apos;": "'"})


# -- what a formula reads ------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    sheet: str  # casefolded title
    rows: tuple[int, int]
    cols: tuple[int, int]


EVERYWHERE = "*"  # a formula that may read anything (INDIRECT, an unknown name)
_CELL_TEXT = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COLS_TEXT = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_ROWS_TEXT = re.compile(r"^\$?(\d+):\$?(\d+)$")


def areas_read(formula: str, home: str, names: Mapping[str, list[Area]],
               tables: Mapping[str, str], row: int | None = None) -> list[Area]:
    """The areas a formula reads; an Area on sheet EVERYWHERE when it may read anything.

    `row`: the formula's own row, when known (a column of formulas is then read once).
    """
    try:
        tokens = formula_tokens(formula, row)
    except FormulaNotUnderstood:
        return [Area(EVERYWHERE, (1, LAST_ROW), (1, LAST_COLUMN))]
    found: list[Area] = []
    for kind, subtype, value in tokens:
        if kind == Token.FUNC and subtype == Token.OPEN:
            name = value.upper()
            if name.endswith(("INDIRECT(", "OFFSET(")):
                found.append(Area(EVERYWHERE, (1, LAST_ROW), (1, LAST_COLUMN)))
            if ":" in name:
                found.extend(_operand_areas(value.rpartition(":")[0], home, names, tables))
        elif kind == Token.OPERAND and subtype == Token.RANGE:
            found.extend(_operand_areas(value, home, names, tables))
    return found


def _operand_areas(operand: str, home: str, names: Mapping[str, list[Area]],
                   tables: Mapping[str, str]) -> list[Area]:
    sheet, bang, ref = operand.rpartition("!")
    target = _unquote(sheet).casefold() if bang else home
    if bang and (sheet.startswith("[") or ":" in sheet.strip("'")):
        return []  # another workbook or a span of sheets: nothing sheetsync changes here
    if "[" in ref:  # a table's structured reference
        table = tables.get(ref.split("[", 1)[0].casefold())
        if table is None:
            return [Area(EVERYWHERE, (1, LAST_ROW), (1, LAST_COLUMN))]
        return [Area(table, (1, LAST_ROW), (1, LAST_COLUMN))]
    parts = ref.split(":")
    if len(parts) == 2 and (cols := _COLS_TEXT.match(ref)):
        first, last = sorted((column_index(cols.group(1)), column_index(cols.group(2))))
        return [Area(target, (1, LAST_ROW), (first, last))]
    if len(parts) == 2 and (rows := _ROWS_TEXT.match(ref)):
        low, high = sorted((int(rows.group(1)), int(rows.group(2))))
        return [Area(target, (low, high), (1, LAST_COLUMN))]
    cells = [_CELL_TEXT.match(p) for p in parts]
    if all(cells) and len(cells) <= 2:
        rows_ = sorted(int(c.group(2)) for c in cells if c)
        cols_ = sorted(column_index(c.group(1)) for c in cells if c)
        return [Area(target, (rows_[0], rows_[-1]), (cols_[0], cols_[-1]))]
    if ref.startswith("#"):
        return []  # #REF! and the like read nothing
    named = names.get(ref.casefold())
    if named is None:
        return [Area(EVERYWHERE, (1, LAST_ROW), (1, LAST_COLUMN))]
    return named


def _unquote(sheet: str) -> str:
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        return sheet[1:-1].replace("''", "'")
    return sheet


class _Shapes:
    """areas_read once per shape: a column filled down (`A5&F5` in row 5, `A6&F6` in row 6,
    ...) reads the same areas moved to its own row."""

    def __init__(self) -> None:
        self._read: dict[tuple[str, str], list[Area]] = {}

    def areas(self, formula: str, row: int, home: str, names: Mapping[str, list[Area]],
              tables: Mapping[str, str]) -> list[Area]:
        own = str(row)
        if OWN_ROW in formula or "\0" in formula:
            return areas_read(formula, home, names, tables)
        shape = _NUMBER.sub(lambda m: "\0" if m.group() == own else m.group(), formula)
        found = self._read.get((shape, home))
        if found is None:
            probe = shape.replace("\0", OWN_ROW)
            found = self._read[(shape, home)] = areas_read(probe, home, names, tables)
        return [_on_row(area, row) for area in found]


_NUMBER = re.compile(r"\d+")


def _on_row(area: Area, row: int) -> Area:
    low, high = (row if r == int(OWN_ROW) else r for r in area.rows)
    return Area(area.sheet, (min(low, high), max(low, high)), area.cols)


def shape_changes(formula: str, home: str, moves: Mapping[str, RowMoves],
                  row: int | None = None) -> bool:
    """True when rows are deleted inside an area the formula reads, or inserted strictly inside.

    Such a formula reads other cells than before even where its text only shifted.
    """
    folded = {t.casefold(): m for t, m in moves.items() if m}
    for area in areas_read(formula, home, {}, {}, row):
        row_moves = folded.get(area.sheet)
        if row_moves is None:
            continue
        low, high = area.rows
        if any(low <= r <= high for r in row_moves.deleted):
            return True
        if any(low < r <= high for r, n in row_moves.inserted.items() if n):
            return True
    return False


# -- the whole workbook ----------------------------------------------------------------------------
_DEFINED_NAME = re.compile(rb"(<definedName\b([^>]*)>)(.*?)(</definedName>)", re.DOTALL)
_SHEET_ENTRY = re.compile(rb"<sheet\b[^>]*?/>")


def follow(package: Parts, sheet_parts: Mapping[str, str], changes: Mapping[str, SheetChanges],
           workbook_part: str, plain: Collection[str] = ()) -> None:
    """Make every part agree with the rows moved and cells written in `changes` (by title).

    `plain`: worksheets known to hold no formula (the reader saw none), not looked into.
    """
    moves = {title: c.moves for title, c in changes.items() if c.moves}
    # cells are written as values, never formulas: a plain sheet stays plain when written to
    with_formulas = {t: p for t, p in sheet_parts.items() if t not in plain}
    if moves:
        for title, part in with_formulas.items():
            if title in changes or not package.has(part):
                continue  # changed sheets were unshared by the caller before their rows moved
            xml = package.read(part)
            if needs_unsharing(xml, title, moves):
                package.write(part, unshare(xml))
        for title, row_moves in moves.items():
            # the sheet's own merges, formats and links moved when it was patched
            _follow_related(package, sheet_parts[title], row_moves)
        _follow_charts_and_pivots(package, sheet_parts, moves)
    _follow_formulas(package, sheet_parts, with_formulas, changes, moves, workbook_part)


def shift_sheet_items(xml: bytes, title: str, moves: Mapping[str, RowMoves],
                      row_moves: RowMoves) -> bytes:
    """Merged ranges, formats, validations, links, filter and breaks of a sheet whose rows move
    (all stand after its cells: `xml` may be the part of the worksheet after sheetData)."""
    def formula(text: bytes) -> bytes:
        return _escape(_shift(unescape(text.decode("utf-8")), title, moves))

    xml = _edit_elements(xml, b"mergeCell", lambda e: _moved_merge(e, row_moves))
    xml = _recount(xml, b"mergeCells", b"mergeCell")
    xml = _edit_blocks(xml, b"conditionalFormatting",
                       lambda b: _block_with_sqref(b, row_moves, formula))
    xml = _edit_blocks(xml, b"dataValidation", lambda b: _block_with_sqref(b, row_moves, formula))
    xml = _recount(xml, b"dataValidations", b"dataValidation")
    xml = _edit_elements(xml, b"hyperlink", lambda e: _with_area_attr(e, b"ref", row_moves))
    xml = _drop_empty(xml, b"hyperlinks")
    xml = _edit_elements(xml, b"autoFilter", lambda e: _with_area_attr(e, b"ref", row_moves),
                         drop=False)
    xml = _edit_elements(xml, b"brk", lambda e: _moved_break(e, row_moves))
    xml = _recount(xml, b"rowBreaks", b"brk")
    for name in (b"ignoredError", b"protectedRange"):
        xml = _edit_elements(xml, name, lambda e: _with_sqref_attr(e, row_moves))
    if b"<x14:" in xml:  # Excel's extension lists: validations reading other tabs and such
        for name in (b"x14:conditionalFormatting", b"x14:dataValidation"):
            xml = _edit_blocks(xml, name, lambda b: _ext_block(b, row_moves, formula))
        xml = _recount(xml, b"x14:dataValidations", b"x14:dataValidation")
        xml = _drop_empty(xml, b"x14:conditionalFormattings")
        xml = _drop_empty(xml, b"ext")
        xml = _drop_empty(xml, b"extLst")
    return xml


def _shift(text: str, home: str, moves: Mapping[str, RowMoves], row: int | None = None) -> str:
    try:
        return shift_formula(text, home, moves, row)
    except FormulaNotUnderstood as err:
        raise Unfollowable(f"the formula {err}") from None


def _elements(xml: bytes, name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<" + re.escape(name) + rb"\b[^>]*?(?:/>|>.*?</" + re.escape(name)
                      + rb">)", re.DOTALL)


def _edit_elements(xml: bytes, name: bytes, edit: Callable[[bytes], bytes | None],
                   drop: bool = True) -> bytes:
    """Each `<name .../>` (or `<name>...</name>`) edited; None removes it (or keeps it as is)."""
    if b"<" + name not in xml:
        return xml

    def one(match: re.Match[bytes]) -> bytes:
        edited = edit(match.group(0))
        if edited is None:
            return b"" if drop else match.group(0)
        return edited
    return _elements(xml, name).sub(one, xml)


_edit_blocks = _edit_elements


def _area_attr(element: bytes, attr: bytes) -> re.Match[bytes] | None:
    return re.search(rb"\s" + attr + rb"=\"([^\"]*)\"", element.split(b">", 1)[0])


def _with_area_attr(element: bytes, attr: bytes, row_moves: RowMoves,
                    keep_single: bool = True) -> bytes | None:
    found = _area_attr(element, attr)
    if found is None:
        return element
    moved = shift_area(found.group(1).decode(), row_moves)
    if moved is None:
        return None
    if not keep_single and moved.split(":")[0] == moved.split(":")[-1]:
        return None  # a merge of one cell is no merge
    return element[:found.start(1)] + moved.encode() + element[found.end(1):]


def _moved_merge(element: bytes, row_moves: RowMoves) -> bytes | None:
    """As LibreOffice: a merge loses its rows; it is undone when its top row goes."""
    found = _area_attr(element, b"ref")
    if found is None:
        return element
    top = re.match(r"\$?[A-Z]+\$?(\d+)", found.group(1).decode())
    if top is not None and row_moves.row(int(top.group(1))) is None:
        return None
    return _with_area_attr(element, b"ref", row_moves, keep_single=False)


def _with_sqref_attr(element: bytes, row_moves: RowMoves) -> bytes | None:
    """Formats and validations: rows inserted right below such an area join it, as in
    LibreOffice (new rows take the look of the row above them)."""
    found = _area_attr(element, b"sqref")
    if found is None:
        return element
    moved = shift_sqref(found.group(1).decode(), row_moves, grow=True)
    if not moved:
        return None
    return element[:found.start(1)] + moved.encode() + element[found.end(1):]


_FORMULA_CHILD = re.compile(rb"(<((?:\w+:)?formula[12]?|xm:f)>)(.*?)(</\2>)", re.DOTALL)


def _block_with_sqref(block: bytes, row_moves: RowMoves,
                      formula: Callable[[bytes], bytes]) -> bytes | None:
    block_ = _with_sqref_attr(block, row_moves)
    if block_ is None:
        return None
    return _FORMULA_CHILD.sub(lambda m: m.group(1) + formula(m.group(3)) + m.group(4), block_)


_XM_SQREF = re.compile(rb"(<xm:sqref>)(.*?)(</xm:sqref>)", re.DOTALL)


def _ext_block(block: bytes, row_moves: RowMoves,
               formula: Callable[[bytes], bytes]) -> bytes | None:
    found = _XM_SQREF.search(block)
    if found is not None:
        moved = shift_sqref(found.group(2).decode(), row_moves, grow=True)
        if not moved:
            return None
        block = block[:found.start(2)] + moved.encode() + block[found.end(2):]
    return _FORMULA_CHILD.sub(lambda m: m.group(1) + formula(m.group(3)) + m.group(4), block)


def _moved_break(element: bytes, row_moves: RowMoves) -> bytes | None:
    found = _area_attr(element, b"id")
    if found is None:
        return element
    row = row_moves.row(int(found.group(1)))
    if row is None:
        return None
    return element[:found.start(1)] + str(row).encode() + element[found.end(1):]


def _recount(xml: bytes, parent: bytes, child: bytes) -> bytes:
    """Keep a container's count attribute true; remove the container when it is empty."""
    pattern = re.compile(rb"<" + parent + rb"\b([^>]*?)(?:/>|>(.*?)</" + parent + rb">)",
                         re.DOTALL)
    found = pattern.search(xml)
    if found is None:
        return xml
    inner = found.group(2) or b""
    count = len(re.findall(rb"<" + child + rb"\b", inner))
    if count == 0:
        return xml[:found.start()] + xml[found.end():]
    attrs = re.sub(rb"\scount=\"\d+\"", b"", found.group(1))
    if parent == b"rowBreaks":
        attrs = re.sub(rb"\smanualBreakCount=\"\d+\"", b"", attrs)
        attrs += b' manualBreakCount="%d"' % count
    block = b"<%s count=\"%d\"%s>%s</%s>" % (parent, count, attrs, inner, parent)
    return xml[:found.start()] + block + xml[found.end():]


def _drop_empty(xml: bytes, parent: bytes) -> bytes:
    return re.sub(rb"<" + parent + rb"\b[^>]*?(?:/>|>\s*</" + parent + rb">)", b"", xml)


# -- parts hanging off a moved sheet -----------------------------------------------------------
_REL = re.compile(rb"<Relationship\b[^>]*?/>")


def related_parts(package: Parts, part: str) -> dict[str, list[str]]:
    """The parts a sheet links to, by relationship type (the last word of its URI)."""
    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels"
    found: dict[str, list[str]] = {}
    if not package.has(rels):
        return found
    for element in _REL.findall(package.read(rels)):
        attrs = dict(_ATTR.findall(element))
        if attrs.get(b"TargetMode") == b"External":
            continue
        kind = attrs.get(b"Type", b"").decode().rsplit("/", 1)[-1]
        target = attrs.get(b"Target", b"").decode()
        path = target.lstrip("/") if target.startswith("/") else join_part(folder, target)
        found.setdefault(kind, []).append(path)
    return found


def join_part(folder: str, target: str) -> str:
    """A relationship's target, relative to the folder of its source part, as a part name."""
    pieces = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if pieces:
                pieces.pop()
        elif piece not in ("", "."):
            pieces.append(piece)
    return "/".join(pieces)


def _follow_related(package: Parts, part: str, row_moves: RowMoves) -> None:
    related = related_parts(package, part)
    deleted_notes: set[tuple[int, int]] = set()
    for comments in related.get("comments", []):
        if package.has(comments):
            xml, gone = _moved_comments(package.read(comments), row_moves)
            package.write(comments, xml)
            deleted_notes |= gone
    for vml in related.get("vmlDrawing", []):
        if package.has(vml):
            package.write(vml, _moved_vml(package.read(vml), row_moves, deleted_notes))
    for threaded in related.get("threadedComment", []):
        if package.has(threaded):
            xml, _ = _moved_comments(package.read(threaded), row_moves, b"threadedComment")
            package.write(threaded, xml)
    for drawing in related.get("drawing", []):
        if package.has(drawing):
            package.write(drawing, _moved_anchors(package.read(drawing), row_moves))
    for table in related.get("table", []):
        if package.has(table):
            package.write(table, _moved_table(package.read(table), row_moves))


def _moved_comments(xml: bytes, row_moves: RowMoves,
                    element: bytes = b"comment") -> tuple[bytes, set[tuple[int, int]]]:
    """Comments re-pointed; those on deleted rows removed (returned as 0-based row, col)."""
    gone: set[tuple[int, int]] = set()

    def one(found: bytes) -> bytes | None:
        ref = _area_attr(found, b"ref")
        if ref is None:
            return found
        cell = re.fullmatch(r"([A-Z]+)(\d+)", ref.group(1).decode())
        if cell is None:
            return found
        row = row_moves.row(int(cell.group(2)))
        if row is None:
            gone.add((int(cell.group(2)) - 1, column_index(cell.group(1)) - 1))
            return None
        moved = f"{cell.group(1)}{row}".encode()
        return found[:ref.start(1)] + moved + found[ref.end(1):]
    return _edit_elements(xml, element, one), gone


# VML prefixes vary by writer (Excel `v:`/`x:`, openpyxl `ns1:`/`ns2:`): match any
_VML_SHAPE = re.compile(rb"<((?:\w+:)?)shape\b.*?</\1shape>", re.DOTALL)
_VML_ROW = re.compile(rb"(<(?:\w+:)?Row>)(\d+)(</(?:\w+:)?Row>)")
_VML_COLUMN = re.compile(rb"<(?:\w+:)?Column>(\d+)</(?:\w+:)?Column>")
_VML_ANCHOR = re.compile(rb"(<(?:\w+:)?Anchor>)([^<]*)(</(?:\w+:)?Anchor>)")


def _moved_vml(xml: bytes, row_moves: RowMoves, deleted: set[tuple[int, int]]) -> bytes:
    """Note shapes follow their cells; the shapes of deleted notes go with them."""
    def one(match: re.Match[bytes]) -> bytes:
        shape = match.group(0)
        row = _VML_ROW.search(shape)
        column = _VML_COLUMN.search(shape)
        if row is not None and column is not None:
            if (int(row.group(2)), int(column.group(1))) in deleted:
                return b""
            new = row_moves.row(int(row.group(2)) + 1)
            if new is not None:
                shape = _VML_ROW.sub(lambda m: m.group(1) + b"%d" % (new - 1) + m.group(3),
                                     shape)
        return _VML_ANCHOR.sub(lambda m: m.group(1) + _moved_vml_anchor(m.group(2), row_moves)
                               + m.group(3), shape)
    return _VML_SHAPE.sub(one, xml)


def _moved_vml_anchor(anchor: bytes, row_moves: RowMoves) -> bytes:
    numbers = [p.strip() for p in anchor.split(b",")]
    if len(numbers) != 8 or not all(n.isdigit() for n in numbers):
        return anchor
    for i in (2, 6):
        numbers[i] = b"%d" % (row_moves.anchor_row(int(numbers[i]) + 1) - 1)
    return b", ".join(numbers)


_ANCHOR_ROW = re.compile(rb"(<(xdr:)?(from|to)>.*?<(?:xdr:)?row>)(\d+)(</(?:xdr:)?row>)",
                         re.DOTALL)


def _moved_anchors(xml: bytes, row_moves: RowMoves) -> bytes:
    """Pictures and charts anchored to cells move with their rows, never disappear."""
    return _ANCHOR_ROW.sub(
        lambda m: m.group(1) + b"%d" % (row_moves.anchor_row(int(m.group(4)) + 1) - 1)
        + m.group(5), xml)


_REF_ATTR = re.compile(rb"(\sref=\")([^\"]*)(\")")


def _moved_table(xml: bytes, row_moves: RowMoves) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        moved = shift_area(match.group(2).decode(), row_moves)
        if moved is None:
            raise Unfollowable("a table whose every row would be deleted")
        return match.group(1) + moved.encode() + match.group(3)
    return _REF_ATTR.sub(one, xml)


# -- charts and pivot tables -------------------------------------------------------------------
_CHART_F = re.compile(rb"(<((?:\w+:)?)f>)(.*?)(</\2f>)", re.DOTALL)  # c:f, or unprefixed
_PIVOT_SOURCE = re.compile(rb"<worksheetSource\b[^>]*?/>")


def _follow_charts_and_pivots(package: Parts, sheet_parts: Mapping[str, str],
                              moves: Mapping[str, RowMoves]) -> None:
    folded = {t.casefold(): m for t, m in moves.items()}
    for part in package.names():
        if part.startswith("xl/charts/chart") and part.endswith(".xml"):
            xml = package.read(part)
            package.write(part, _CHART_F.sub(
                lambda m: m.group(1) + _escape(_shift(unescape(m.group(3).decode()), "", moves))
                + m.group(4), xml))
        elif part.startswith("xl/pivotCache/pivotCacheDefinition") and part.endswith(".xml"):
            xml = package.read(part)
            package.write(part, _moved_pivot_source(xml, folded))


def _moved_pivot_source(xml: bytes, moves: Mapping[str, RowMoves]) -> bytes:
    found = _PIVOT_SOURCE.search(xml)
    if found is None:
        return xml
    attrs = dict(_ATTR.findall(found.group(0)))
    sheet = unescape(attrs.get(b"sheet", b"").decode()).casefold()
    if sheet not in moves or b"ref" not in attrs:
        return xml
    source = _with_area_attr(found.group(0), b"ref", moves[sheet])
    if source is None:
        raise Unfollowable("a pivot table whose every source row would be deleted")
    xml = xml[:found.start()] + source + xml[found.end():]
    return _refresh_on_load(xml)


def _refresh_on_load(xml: bytes) -> bytes:
    head = re.search(rb"<pivotCacheDefinition\b[^>]*>", xml)
    if head is None or b"refreshOnLoad=" in head.group(0):
        return xml
    opening = head.group(0)[:-1] + b' refreshOnLoad="1">'
    return xml[:head.start()] + opening + xml[head.end():]


# -- formulas: moved, and their stale results dropped ------------------------------------------
def _follow_formulas(package: Parts, sheet_parts: Mapping[str, str],
                     with_formulas: Mapping[str, str],
                     changes: Mapping[str, SheetChanges], moves: Mapping[str, RowMoves],
                     workbook_part: str) -> None:
    workbook = package.read(workbook_part)
    workbook = _moved_names(workbook, moves) if moves else workbook
    titles = {title.casefold(): title for title in sheet_parts}
    names = _names(workbook, titles)
    tables = _tables(package, sheet_parts)
    sheets: dict[str, list[FormulaCell]] = {}
    texts: dict[str, bytes] = {}
    for title, part in with_formulas.items():
        if not package.has(part):
            continue
        xml = package.read(part)
        if b"<f" not in xml:
            continue
        texts[title] = xml
        sheets[title] = list(_formula_cells(xml))
    if not sheets and not changes:
        return
    # what each formula now says, and whether rows moved inside what it reads
    new_text: dict[tuple[str, int], str] = {}
    reshaped: set[tuple[str, int]] = set()
    for title, cells in sheets.items():
        origins = _origins(cells, moves.get(title))
        for i, cell in enumerate(cells):
            if cell.shared and not cell.shared_master:
                continue
            origin = origins[i]
            shifted = _shift(cell.text, title, moves, origin) if moves else cell.text
            new_text[(title, i)] = shifted
            if moves and shifted != cell.text and shape_changes(cell.text, title, moves,
                                                                origin):
                reshaped.add((title, i))
    stale = _stale_formulas(sheets, new_text, reshaped, changes, names, tables)
    for title, cells in sheets.items():
        xml = _rewritten(texts[title], cells, new_text, stale, title, moves.get(title))
        package.write(sheet_parts[title], xml)
    if changes and sheets:  # a workbook without formulas has nothing to recalculate
        workbook = _with_full_calc_on_load(workbook)
    package.write(workbook_part, workbook)


def _origins(cells: list[FormulaCell], row_moves: RowMoves | None) -> list[int | None]:
    """The row each formula stood on before its sheet's rows moved (cells in sheet order)."""
    if not row_moves:
        return [cell.row for cell in cells]
    found: list[int | None] = []
    original = 1
    for cell in cells:
        while original <= LAST_ROW and (row_moves.row(original) or 0) < cell.row:
            original += 1
        found.append(original if row_moves.row(original) == cell.row else None)
    return found


def _moved_names(workbook: bytes, moves: Mapping[str, RowMoves]) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        text = unescape(match.group(3).decode("utf-8"))
        return match.group(1) + _escape(_shift(text, "", moves)) + match.group(4)
    return _DEFINED_NAME.sub(one, workbook)


def _names(workbook: bytes, titles: Mapping[str, str]) -> dict[str, list[Area]]:
    """Defined names -> the areas they stand for (one level; names of names read anything)."""
    found: dict[str, list[Area]] = {}
    for match in _DEFINED_NAME.finditer(workbook):
        attrs = dict(_ATTR.findall(match.group(2)))
        name = attrs.get(b"name", b"").decode().casefold()
        text = unescape(match.group(3).decode("utf-8"))
        found[name] = areas_read(text, "", {}, {})
    return found


_TABLE_NAME = re.compile(rb"<table\b[^>]*?\b(?:displayName|name)=\"([^\"]*)\"")


def _tables(package: Parts, sheet_parts: Mapping[str, str]) -> dict[str, str]:
    """Table names -> the casefolded title of the sheet that holds them."""
    found: dict[str, str] = {}
    for title, part in sheet_parts.items():
        if not package.has(part):
            continue
        for table in related_parts(package, part).get("table", []):
            if package.has(table):
                for name in _TABLE_NAME.findall(package.read(table)):
                    found[unescape(name.decode()).casefold()] = title.casefold()
    return found


@dataclass
class _Changed:
    """Cells whose value changed on one sheet, in the sheet's new coordinates."""

    rows: dict[int, set[int]] = field(default_factory=dict)
    everything: bool = False
    _sorted: list[int] | None = None

    def add(self, row: int, col: int) -> None:
        self.rows.setdefault(row, set()).add(col)
        self._sorted = None

    def touches(self, area: Area) -> bool:
        if self.everything:
            return True
        if self._sorted is None:
            self._sorted = sorted(self.rows)
        low, high = area.rows
        i = bisect.bisect_left(self._sorted, low)
        first_col, last_col = area.cols
        while i < len(self._sorted) and self._sorted[i] <= high:
            if any(first_col <= c <= last_col for c in self.rows[self._sorted[i]]):
                return True
            i += 1
        return False


def _stale_formulas(sheets: Mapping[str, list[FormulaCell]],
                    new_text: Mapping[tuple[str, int], str], reshaped: set[tuple[str, int]],
                    changes: Mapping[str, SheetChanges], names: Mapping[str, list[Area]],
                    tables: Mapping[str, str]) -> set[tuple[str, int]]:
    """Formulas whose cached result may be wrong now: they read a changed cell, directly or
    through another such formula, or rows moved inside what they read."""
    changed: dict[str, _Changed] = {}
    for title, sheet in changes.items():
        record = changed.setdefault(title.casefold(), _Changed())
        for row, col in sheet.written:
            new = sheet.moves.row(row)
            if new is not None:
                record.add(new, col)
        for row, col in sheet.added:
            record.add(row, col)
    if not changed:
        return set()
    reads: dict[tuple[str, int], list[Area]] = {}
    groups: dict[tuple[str, bytes], list[int]] = {}
    shapes = _Shapes()
    for title, cells in sheets.items():
        for i, cell in enumerate(cells):
            if cell.shared:
                groups.setdefault((title, cell.si), []).append(i)
            if (title, i) in new_text:
                reads[(title, i)] = _group_areas(shapes.areas(
                    new_text[(title, i)], cell.row, title.casefold(), names, tables), cell)
    stale: set[tuple[str, int]] = set(reshaped)
    while True:
        grew = False
        for key, areas in reads.items():
            if key in stale:
                continue
            if any(_touches(changed, a) for a in areas):
                stale.add(key)
                grew = True
        for key in list(stale):
            title, i = key
            members = groups.get((title, sheets[title][i].si), [i]) \
                if sheets[title][i].shared else [i]
            for j in members:
                cell = sheets[title][j]
                record = changed.setdefault(title.casefold(), _Changed())
                if cell.col not in record.rows.get(cell.row, set()):
                    record.add(cell.row, cell.col)
                    grew = True
                stale.add((title, j))
        if not grew:
            return stale


def _group_areas(areas: list[Area], cell: FormulaCell) -> list[Area]:
    """A shared master reads, over its whole group, as far as its group reaches."""
    if not cell.shared_master:
        return areas
    span = cell.attrs[b"ref"].decode().split(":")
    last = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", span[-1])
    if last is None:
        return [Area(EVERYWHERE, (1, LAST_ROW), (1, LAST_COLUMN))]
    down = int(last.group(2)) - cell.row
    right = column_index(last.group(1)) - cell.col
    return [Area(a.sheet, (a.rows[0], min(a.rows[1] + down, LAST_ROW)),
                 (a.cols[0], min(a.cols[1] + right, LAST_COLUMN))) for a in areas]


def _touches(changed: Mapping[str, _Changed], area: Area) -> bool:
    if area.sheet == EVERYWHERE:
        return True
    record = changed.get(area.sheet)
    return record is not None and record.touches(area)


_CELL_TYPE = re.compile(rb"\st=\"[^\"]*\"")
_CACHED = re.compile(rb"<v>.*?</v>|<v\s*/>", re.DOTALL)


def _rewritten(xml: bytes, cells: list[FormulaCell], new_text: Mapping[tuple[str, int], str],
               stale: set[tuple[str, int]], title: str, row_moves: RowMoves | None) -> bytes:
    """The sheet with formulas re-pointed, array ranges moved and stale results dropped."""
    out: list[bytes] = []
    pos = 0
    for i, cell in enumerate(cells):
        text = new_text.get((title, i), cell.text)
        spans = row_moves is not None and b"ref" in cell.attrs and not cell.shared
        if text == cell.text and (title, i) not in stale and not spans:
            continue
        element = xml[cell.start:cell.end]
        f_rel = cell.f_start - cell.start
        opening = _F_OPEN.match(element, f_rel)
        assert opening is not None
        head = opening.group(0)
        if spans:
            assert row_moves is not None
            head = _with_area_attr(head, b"ref", row_moves) or re.sub(
                rb"\s(ref|t)=\"[^\"]*\"", b"", head)  # its range is gone: a plain formula
        if text != cell.text or spans:
            closing = element[f_rel:].find(b"</f>")
            rest = element[f_rel + closing + 4:] if opening.group(2) == b">" else \
                element[opening.end():]
            body = head[:-2] + b">" if head.endswith(b"/>") else head
            element = element[:f_rel] + body + _escape(text) + b"</f>" + rest
        if (title, i) in stale:
            head_end = element.find(b">")
            head = _CELL_TYPE.sub(b"", element[:head_end])
            element = head + _CACHED.sub(b"", element[head_end:])
        out.append(xml[pos:cell.start])
        out.append(element)
        pos = cell.end
    if not out:
        return xml
    out.append(xml[pos:])
    return b"".join(out)


_CALC_PR = re.compile(rb"<calcPr\b[^>]*?/>|<calcPr\b[^>]*>.*?</calcPr>", re.DOTALL)


def _with_full_calc_on_load(workbook: bytes) -> bytes:
    """Ask Excel (and any program that honours it) to recalculate the workbook when opened."""
    found = _CALC_PR.search(workbook)
    if found is None:
        end = workbook.rfind(b"</workbook>")
        if end < 0:
            return workbook
        # calcPr sits after definedNames and before oleSize etc.; before those tail parts
        tail = re.search(rb"<(oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
                         rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b", workbook)
        at = tail.start() if tail else end
        return workbook[:at] + b'<calcPr fullCalcOnLoad="1"/>' + workbook[at:]
    element = found.group(0)
    if b'fullCalcOnLoad="1"' in element:
        return workbook
    head, sep, rest = element.partition(b">")
    self_closing = head.endswith(b"/")
    head = re.sub(rb"\sfullCalcOnLoad=\"[^\"]*\"", b"", head.rstrip(b"/"))
    head += b' fullCalcOnLoad="1"'
    element = head + (b"/>" if self_closing else sep + rest)
    return workbook[:found.start()] + element + workbook[found.end():]
