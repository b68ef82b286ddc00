"""New tabs, new columns and the Commissions chart, made as .xlsx parts on the patch path.

`init`, `demo` and `report commissions` change more than cells: a tab is added, headers are
added to a tab, the Commissions tab's bar chart is drawn. This module makes those changes as
bytes-in / bytes-out edits of the package's XML parts, handed to xlsxpatch.patch_workbook as
its `edit`, so they take the same path as every sync: every part they do not name is copied
byte for byte (images, other charts, drawings, pivot tables, custom XML, printer settings,
saved formula results).

Invariants:
- a new tab is a worksheet part registered in workbook.xml (fresh sheetId and r:id),
  workbook.xml.rels, [Content_Types].xml and, when it lists them, docProps/app.xml;
- new columns never move a cell: headers go into row 1, widths split the `<col>` ranges
  they fall into (the rest of a range keeps its attributes), drop-downs join the tab's
  `<dataValidations>`; new elements are placed in CT_Worksheet's schema order;
- a new tab filters its headers and prints landscape one page wide with row 1 repeated
  (xlsxlook.py); NewLooks adds only the missing ones of those to an existing tab;
- only sheetsync's own chart (its title starts with CHART_TITLE in a shipped language) is
  rewritten or removed; any other chart or drawing object stays byte-identical in its parts;
- a brand-new workbook starts as `skeleton()` and is laid out the same way.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string

from ..i18n import DEFAULT, translations
from ..month import Month, month_of
from ..schema import Column, Kind, header_key
from .layout import NewTab, Step, choices_error, column_letter
from .package import ATTRIBUTE, Parts
from .xlsx_chart import (
    commission_axis_title,
    commission_chart_title,
    is_commission_chart,
)
from .xlsxfollow import join_part
from .xlsxlook import (
    auto_filter,
    filter_ref_in,
    has_filter,
    has_filter_name,
    has_page_setup,
    has_print_titles,
    lacks_looks,
    page_setup,
    sheet_properties,
    widened_filter,
    with_filter_database,
    with_fit_to_page,
    with_print_titles,
)
from .xlsxpatch import (
    CONTENT_TYPES,
    FORMATS,
    MAIN,
    PKG_REL,
    REL,
    STYLES,
    WORKBOOK,
    WORKBOOK_RELS,
    PartsEdit,
    Styles,
    Unpatchable,
    sheet_parts,
)

LAST_ROW = 1048576
APP = "docProps/app.xml"
SHARED_STRINGS_TYPE = f"{REL}/sharedStrings"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CHART_SIZE = (5760000, 3060000)  # EMU: 16 cm x 8.5 cm, as xlsx_chart.py draws it
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# CT_Worksheet's children in schema order (ECMA-376 part 1, 18.3.1.99).
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
)


# -- a brand-new workbook --------------------------------------------------------------------
def skeleton() -> bytes:
    """The smallest package Excel and LibreOffice open once it has a tab: no tab yet."""
    parts = {
        CONTENT_TYPES: (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"'
            '/><Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            'openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"'
            '/></Types>'),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/'
            'officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://'
            'schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            f'Target="docProps/core.xml"/><Relationship Id="rId3" Type="{REL}/'
            'extended-properties" Target="docProps/app.xml"/></Relationships>'),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:creator>sheetsync</dc:creator></cp:coreProperties>'),
        APP: (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>sheetsync</Application></Properties>'),
        WORKBOOK: (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr/><bookViews>'
            '<workbookView activeTab="0"/></bookViews><sheets></sheets><calcPr calcId="191029"/>'
            '</workbook>'),
        WORKBOOK_RELS: (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/styles" '
            'Target="styles.xml"/></Relationships>'),
        STYLES: (
            f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/>'
            '<name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill>'
            '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle '
            'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, text in parts.items():
            zout.writestr(name, DECLARATION + text.encode("utf-8"))
    return out.getvalue()


# -- the layout: new tabs, new columns -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NewLooks:
    """An existing tab of sheetsync's given the filter and print setup it lacks (xlsx only)."""

    title: str


def package_edit(steps: Sequence[Step | NewLooks] = (), chart: tuple[str, str] | None = None,
                 locale: str = DEFAULT) -> PartsEdit:
    """The edit that adds the tabs and columns of `steps` (layout.layout_steps) and the
    filters and print setup of NewLooks, then, when `chart` names a Commissions tab (and the
    currency), draws that tab's chart again; the drop-downs' warnings and the chart's titles
    in `locale`."""
    def edit(parts: Parts, styles: Styles) -> None:
        for step in steps:
            if isinstance(step, NewTab):
                add_worksheet(parts, step.tab.name, new_sheet_xml(step.tab.columns, styles,
                                                                  locale))
                _with_print_titles(parts, step.tab.name)
                _with_filter_name(parts, step.tab.name)
            elif isinstance(step, NewLooks):
                part = _sheet_part(parts, step.title)
                parts.write(part, with_missing_looks(parts.read(part), locale))
                _with_print_titles(parts, step.title)
                _with_filter_name(parts, step.title)
            else:
                part = _sheet_part(parts, step.title)
                parts.write(part, with_columns(parts.read(part), step.columns, step.first,
                                               styles, locale))
                _with_filter_name(parts, step.title)
        if chart is not None:
            refresh_chart(parts, *chart, locale=locale)
    return edit


def add_worksheet(parts: Parts, title: str, xml: bytes) -> str:
    """Register a new worksheet part holding `xml` as the last tab `title`; its part name."""
    if title in sheet_parts(parts.read(WORKBOOK), parts.read(WORKBOOK_RELS)):
        raise Unpatchable(f"a tab named {title} is there already")
    part = parts.free_name("xl/worksheets/sheet%d.xml")
    parts.write(part, xml)
    rels, rid = with_relationship(parts.read(WORKBOOK_RELS), "worksheet",
                                  "/" + part if not part.startswith("xl/") else part[3:])
    parts.write(WORKBOOK_RELS, rels)
    parts.write(WORKBOOK, with_sheet_entry(parts.read(WORKBOOK), title, rid))
    parts.write(CONTENT_TYPES, with_override(parts.read(CONTENT_TYPES), part, WORKSHEET_TYPE))
    if parts.has(APP):
        parts.write(APP, with_title_in_app(parts.read(APP), title))
    return part


def _with_print_titles(parts: Parts, title: str) -> None:
    workbook = parts.read(WORKBOOK)
    if not has_print_titles(workbook, title):
        parts.write(WORKBOOK, with_print_titles(workbook, title))


def _with_filter_name(parts: Parts, title: str) -> None:
    """The tab's filter named in workbook.xml as Excel names it (LibreOffice needs the name)."""
    sheet = parts.read(_sheet_part(parts, title))
    ref = filter_ref_in(sheet[max(sheet.rfind(b"</sheetData>"), 0):])
    if ref is not None:
        workbook = parts.read(WORKBOOK)
        named = with_filter_database(workbook, title, ref)
        if named != workbook:
            parts.write(WORKBOOK, named)


def tabs_lacking_looks(source: bytes, titles: Iterable[str]) -> list[NewLooks]:
    """The tabs among `titles` that lack a filter, print setup or print titles."""
    lacking = []
    with zipfile.ZipFile(io.BytesIO(source)) as zin:
        workbook = zin.read(WORKBOOK)
        parts = sheet_parts(workbook, zin.read(WORKBOOK_RELS))
        names = set(zin.namelist())
        for title in titles:
            part = parts.get(title)
            if part is None or part not in names:
                continue
            sheet = zin.read(part)
            if not has_print_titles(workbook, title) or lacks_looks(sheet) or \
                    not has_filter_name(workbook, title, sheet):
                lacking.append(NewLooks(title))
    return lacking


def with_missing_looks(xml: bytes, locale: str = DEFAULT) -> bytes:
    """The worksheet with a filter over its headers and rows, and landscape pages one page
    wide (on `locale`'s paper), where it has none; a filter or print setup of the studio's
    is kept as it is."""
    if _prefixed(xml):
        raise Unpatchable("worksheet XML with prefixed elements")
    if not has_filter(xml):
        xml = insert_in_order(xml, "autoFilter", auto_filter(*_used_extent(xml)))
    if not has_page_setup(xml):
        xml = insert_in_order(xml, "pageSetup", page_setup(locale))
        fitted = with_fit_to_page(xml)
        xml = fitted if fitted is not None else insert_in_order(xml, "sheetPr",
                                                                sheet_properties())
    return xml


def _used_extent(xml: bytes) -> tuple[int, int]:
    """The last column of the header row and the last row number of a worksheet."""
    data = re.search(rb"<sheetData\s*/>|<sheetData\b[^>]*>", xml)
    row1 = _ROW1.search(xml, data.end()) if data is not None else None
    columns = [column_index_from_string(m.group(1).decode())
               for m in _CELL_COLUMN.finditer(row1.group(1) or b"")] if row1 else []
    close = xml.rfind(b"</sheetData>")
    last = xml.rfind(b'<row r="', 0, close) if close >= 0 else -1
    bottom = re.match(rb'<row r="(\d+)"', xml[last:last + 32]) if last >= 0 else None
    return max(columns, default=1), int(bottom.group(1)) if bottom else 1


def _sheet_part(parts: Parts, title: str) -> str:
    found = sheet_parts(parts.read(WORKBOOK), parts.read(WORKBOOK_RELS)).get(title)
    if found is None or not parts.has(found):
        raise Unpatchable(f"no worksheet part for the tab {title}")
    return found


def with_relationship(rels: bytes, kind: str, target: str) -> tuple[bytes, str]:
    """The relationships part with one more relationship of `kind`, and its fresh id."""
    taken = set(re.findall(rb'\bId="([^"]+)"', rels))
    number = len(taken) + 1
    while b"rId%d" % number in taken:
        number += 1
    rid = f"rId{number}"
    entry = (f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{_attr(target)}"/>'
             .encode())
    return _before_closing(rels, b"Relationships", entry), rid


def with_sheet_entry(workbook: bytes, title: str, rid: str) -> bytes:
    """workbook.xml with a `<sheet>` for `title` at the end of `<sheets>`, fresh sheetId."""
    ids = [int(i) for i in re.findall(rb'<sheet\b[^>]*?\bsheetId="(\d+)"', workbook)]
    prefix = _prefix_of(workbook, REL)
    declare = b"" if prefix else b' xmlns:r="%s"' % REL.encode()
    entry = b'<sheet name="%s" sheetId="%d"%s %s:id="%s"/>' % (
        _attr(title).encode(), max(ids, default=0) + 1, declare, prefix or b"r", rid.encode())
    return _before_closing(workbook, b"sheets", entry)


def with_override(types: bytes, part: str, content_type: str) -> bytes:
    entry = f'<Override PartName="/{_attr(part)}" ContentType="{content_type}"/>'.encode()
    return _before_closing(types, b"Types", entry)


def with_title_in_app(app: bytes, title: str) -> bytes:
    """docProps/app.xml with the new tab counted and named, when it lists the worksheets.

    Excel writes the count of worksheets in HeadingPairs and their names first in
    TitlesOfParts; a part of another shape (or none of that) is left as it is.
    """
    count = re.search(rb"(<vt:lpstr>Worksheets</vt:lpstr></vt:variant>\s*<vt:variant>\s*"
                      rb"<vt:i4>)(\d+)(</vt:i4>)", app)
    titles = re.search(rb'(<TitlesOfParts>\s*<vt:vector size=")(\d+)("[^>]*>)(.*?)'
                       rb"(</vt:vector>)", app, re.DOTALL)
    if count is None or titles is None:
        return app
    sheets = int(count.group(2))
    names = re.findall(rb"<vt:lpstr>.*?</vt:lpstr>", titles.group(4), re.DOTALL)
    if len(names) < sheets:
        return app
    names.insert(sheets, b"<vt:lpstr>%s</vt:lpstr>" % escape(title).encode())
    vector = (titles.group(1) + b"%d" % (int(titles.group(2)) + 1) + titles.group(3) +
              b"".join(names) + titles.group(5))
    app = app[:titles.start()] + vector + app[titles.end():]
    return re.sub(rb"(<vt:lpstr>Worksheets</vt:lpstr></vt:variant>\s*<vt:variant>\s*<vt:i4>)"
                  rb"\d+", lambda m: m.group(1) + b"%d" % (sheets + 1), app, count=1)


@dataclass(frozen=True, slots=True)
class ColumnLook:
    """What a new column gets: its header, width, number format style and drop-down."""

    index: int  # 1-based
    column: Column
    style: int  # the cell format of the whole column (its number format), 0 for none


def _looks(columns: Iterable[Column], first: int, styles: Styles) -> list[ColumnLook]:
    looks = []
    for offset, column in enumerate(columns):
        style = 0
        if column.kind is Kind.MONEY:
            style = styles.with_format(0, styles.money_format)  # the currency's
        elif column.kind in FORMATS and column.kind is not Kind.INT:
            style = styles.with_format(0, FORMATS[column.kind])  # what the studio types too
        looks.append(ColumnLook(first + offset, column, style))
    return looks


def new_sheet_xml(columns: Sequence[Column], styles: Styles, locale: str = DEFAULT) -> bytes:
    """A worksheet with bold frozen headers, widths, number formats and drop-downs (their
    warnings in `locale`), a filter over its headers and landscape pages one page wide."""
    looks = _looks(columns, 1, styles)
    bold = styles.bold()
    last = column_letter(len(columns)) if columns else "A"
    return (DECLARATION + b'<worksheet xmlns="%s" xmlns:r="%s">' % (MAIN.encode(), REL.encode())
            + sheet_properties()
            + b'<dimension ref="A1:%s1"/>' % last.encode()
            + b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
              b'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
              b'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            + b'<sheetFormatPr defaultRowHeight="15"/>'
            + (b"<cols>" + b"".join(_col(look) for look in looks) + b"</cols>" if looks else b"")
            + b'<sheetData><row r="1">' + b"".join(_header_cell(look, bold) for look in looks)
            + b"</row></sheetData>"
            + auto_filter(len(columns), 1)
            + _validations_block(looks, locale)
            + b'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
              b'footer="0.5"/>' + page_setup(locale) + b"</worksheet>")


def with_columns(xml: bytes, columns: Sequence[Column], first: int, styles: Styles,
                 locale: str = DEFAULT) -> bytes:
    """The worksheet with `columns` added from column `first` on: headers, widths, drop-downs
    (their warnings in `locale`)."""
    if _prefixed(xml):
        raise Unpatchable("worksheet XML with prefixed elements")
    looks = _looks(columns, first, styles)
    xml = _with_headers(xml, looks, styles.bold())
    xml = _with_cols(xml, looks)
    validations = b"".join(_validation(look, locale) for look in looks if look.column.choices)
    if validations:
        xml = _with_validations(xml, validations)
    xml = widened_filter(xml, first - 1, first + len(columns) - 1)
    return _wider_dimension(xml, first + len(columns) - 1)


def _prefixed(xml: bytes) -> bool:
    return re.search(rb"<\w+:worksheet\b", xml[:2048]) is not None


def _col(look: ColumnLook) -> bytes:
    style = b' style="%d"' % look.style if look.style else b""
    return b'<col min="%d" max="%d" width="%s" customWidth="1"%s/>' % (
        look.index, look.index, _number(look.column.width), style)


def _number(value: float) -> bytes:
    return (b"%d" % value) if float(value).is_integer() else repr(float(value)).encode()


def _header_cell(look: ColumnLook, bold: int) -> bytes:
    return b'<c r="%s1" s="%d" t="inlineStr"><is><t>%s</t></is></c>' % (
        column_letter(look.index).encode(), bold, escape(look.column.name).encode())


def _validation(look: ColumnLook, locale: str = DEFAULT) -> bytes:
    column, letter = look.column, column_letter(look.index)
    choices = ",".join(column.choices)
    return (b'<dataValidation type="list" errorStyle="warning" allowBlank="1" '
            b'showErrorMessage="1" errorTitle="%s" error="%s" sqref="%s2:%s%d">'
            b"<formula1>%s</formula1></dataValidation>" % (
                _attr(column.name).encode(), _attr(choices_error(column.choices, locale))
                .encode(), letter.encode(), letter.encode(), LAST_ROW,
                escape(f'"{choices}"').encode()))


def _validations_block(looks: Sequence[ColumnLook], locale: str = DEFAULT) -> bytes:
    items = [_validation(look, locale) for look in looks if look.column.choices]
    if not items:
        return b""
    return b'<dataValidations count="%d">%s</dataValidations>' % (len(items), b"".join(items))


_ROW1 = re.compile(rb'<row\b[^>]*?\br="1"[^>]*?(?:/>|>(.*?)</row>)', re.DOTALL)
_CELL = re.compile(rb"<c(?=[\s/>])[^>]*?(?:/>|>.*?</c>)", re.DOTALL)
_CELL_COLUMN = re.compile(rb'\br="([A-Z]+)\d+"')


def _with_headers(xml: bytes, looks: Sequence[ColumnLook], bold: int) -> bytes:
    """Row 1 with the new header cells in column order (the other cells untouched)."""
    data = re.search(rb"<sheetData\s*/>|<sheetData\b[^>]*>", xml)
    if data is None:
        raise Unpatchable("worksheet without sheetData")
    found = _ROW1.search(xml, data.end())
    new = {look.index: _header_cell(look, bold) for look in looks}
    if found is None:
        row = b'<row r="1">' + b"".join(new[i] for i in sorted(new)) + b"</row>"
        if data.group(0).endswith(b"/>"):
            return xml[:data.start()] + b"<sheetData>" + row + b"</sheetData>" + \
                xml[data.end():]
        return xml[:data.end()] + row + xml[data.end():]
    cells: dict[int, bytes] = {}
    position = 0
    for cell in _CELL.findall(found.group(1) or b""):
        ref = _CELL_COLUMN.search(cell.split(b">", 1)[0])
        position = column_index_from_string(ref.group(1).decode()) if ref else position + 1
        cells[position] = cell
    cells.update(new)
    opening = found.group(0).split(b">", 1)[0].rstrip(b"/")
    opening = re.sub(rb"\sspans=\"[^\"]*\"", b"", opening)  # a hint we would falsify
    row = opening + b">" + b"".join(cells[i] for i in sorted(cells)) + b"</row>"
    return xml[:found.start()] + row + xml[found.end():]


_COLS = re.compile(rb"<cols\b[^>]*?(?:/>|>(.*?)</cols>)", re.DOTALL)
_COL = re.compile(rb"<col\b[^>]*?/>")
_ATTRS = ATTRIBUTE


def _with_cols(xml: bytes, looks: Sequence[ColumnLook]) -> bytes:
    found = _COLS.search(xml)
    if found is None:
        block = b"<cols>" + b"".join(_col(look) for look in looks) + b"</cols>"
        return insert_in_order(xml, "cols", block)
    return xml[:found.start()] + b"<cols>" + merged_cols(found.group(1) or b"", looks) + \
        b"</cols>" + xml[found.end():]


def merged_cols(inner: bytes, looks: Sequence[ColumnLook]) -> bytes:
    """`<col>` ranges with each new column cut out of the range it falls into.

    The new column keeps the attributes of the range it was in (hidden, outline level ...)
    with sheetsync's width and number format; the rest of the range keeps everything.
    """
    ranges: list[tuple[int, int, list[tuple[bytes, bytes]]]] = []
    for col in _COL.findall(inner):
        attrs = [(k, v) for k, v in _ATTRS.findall(col)]
        values = dict(attrs)
        ranges.append((int(values.get(b"min", b"1")), int(values.get(b"max", b"1")), attrs))
    for look in looks:
        ranges = _cut(ranges, look)
    ranges.sort(key=lambda r: r[0])
    return b"".join(_col_element(low, high, attrs) for low, high, attrs in ranges)


def _cut(ranges: list[tuple[int, int, list[tuple[bytes, bytes]]]], look: ColumnLook,
         ) -> list[tuple[int, int, list[tuple[bytes, bytes]]]]:
    index = look.index
    out = []
    base: list[tuple[bytes, bytes]] = []
    for low, high, attrs in ranges:
        if low <= index <= high:
            base = attrs
            if low < index:
                out.append((low, index - 1, attrs))
            if index < high:
                out.append((index + 1, high, attrs))
        else:
            out.append((low, high, attrs))
    mine = {b"width": _number(look.column.width), b"customWidth": b"1"}
    if look.style:
        mine[b"style"] = b"%d" % look.style
    attrs = [(k, mine.pop(k, v)) for k, v in base if k not in (b"min", b"max")]
    attrs += list(mine.items())
    out.append((index, index, attrs))
    return out


def _col_element(low: int, high: int, attrs: list[tuple[bytes, bytes]]) -> bytes:
    rest = b"".join(b' %s="%s"' % (k, v) for k, v in attrs if k not in (b"min", b"max"))
    return b'<col min="%d" max="%d"%s/>' % (low, high, rest)


_VALIDATIONS = re.compile(rb"<dataValidations\b([^>]*?)(?:/>|>(.*?)</dataValidations>)",
                          re.DOTALL)


def _with_validations(xml: bytes, items: bytes) -> bytes:
    data_end = xml.find(b"</sheetData>")
    found = _VALIDATIONS.search(xml, max(data_end, 0))
    if found is None:
        count = items.count(b"<dataValidation ")
        return insert_in_order(xml, "dataValidations",
                               b'<dataValidations count="%d">%s</dataValidations>' % (count,
                                                                                     items))
    inner = (found.group(2) or b"") + items
    head = re.sub(rb'\scount="\d+"', b"", found.group(1))
    block = b'<dataValidations%s count="%d">%s</dataValidations>' % (
        head, inner.count(b"<dataValidation "), inner)
    return xml[:found.start()] + block + xml[found.end():]


def insert_in_order(xml: bytes, name: str, element: bytes) -> bytes:
    """The worksheet with `element` (a top-level `name`) placed where CT_Worksheet wants it."""
    later = WORKSHEET_ORDER[WORKSHEET_ORDER.index(name) + 1:]
    data = re.search(rb"</sheetData>|<sheetData\s*/>", xml)
    for follower in later:
        start = 0 if WORKSHEET_ORDER.index(follower) <= WORKSHEET_ORDER.index("sheetData") \
            else (data.end() if data else 0)
        found = re.compile(rb"<%s[\s/>]" % follower.encode()).search(xml, start)
        if found is not None:
            return xml[:found.start()] + element + xml[found.start():]
    return _before_closing(xml, b"worksheet", element)


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')


def _wider_dimension(xml: bytes, last_column: int) -> bytes:
    found = _DIMENSION.search(xml[:4096])
    if found is None:
        return xml
    right = found.group(3) or found.group(1)
    bottom = found.group(4) or found.group(2)
    if column_index_from_string(right.decode()) >= last_column:
        return xml
    ref = b"%s%s:%s%s" % (found.group(1), found.group(2), column_letter(last_column).encode(),
                         bottom)
    return xml[:found.start()] + b'<dimension ref="%s"/>' % ref + xml[found.end():]


# -- the Commissions chart -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChartPlan:
    """Where the latest month's rows of a Commissions sheet are, and where its chart goes."""

    month: Month
    first: int  # rows of the block, 1-based
    last: int
    names: int  # 1-based columns
    values: int
    anchor_column: int  # 1-based column of the chart's top-left corner


def refresh_chart(parts: Parts, title: str, currency: str,
                  locale: str = DEFAULT) -> Month | None:
    """Draw the chart of the latest month's block of tab `title` (its titles in `locale`);
    that month, if any."""
    part = _sheet_part(parts, title)
    sheet = parts.read(part)
    plan = chart_plan(_sheet_values(sheet, _shared_strings(parts)))
    chart_bytes = None
    if plan is not None:
        chart_bytes = chart_xml(commission_chart_title(plan.month, currency, locale),
                                sheet_range(title, plan.names, plan.first, plan.last),
                                sheet_range(title, plan.values, plan.first, plan.last),
                                commission_axis_title(currency, locale),
                                translations(locale).gettext("commission"))
    drawing = _drawing_of(parts, part, sheet)
    ours = _our_chart(parts, drawing) if drawing else None
    if chart_bytes is None:
        if ours is not None and drawing is not None:
            _remove_chart(parts, drawing, *ours)
        return None
    assert plan is not None
    if ours is not None and drawing is not None:
        chart_part, rid = ours
        parts.write(chart_part, chart_bytes)
        xml = parts.read(drawing)
        parts.write(drawing, _replace_anchor(xml, rid, anchor_xml(plan, rid, _next_id(xml))))
        return plan.month
    if drawing is None:
        drawing = parts.free_name("xl/drawings/drawing%d.xml")
        parts.write(drawing, DECLARATION + b'<xdr:wsDr xmlns:xdr="%s" xmlns:a="%s"/>' % (
            DRAWING_NS.encode(), A_NS.encode()))
        parts.write(CONTENT_TYPES, with_override(parts.read(CONTENT_TYPES), drawing,
                                                 DRAWING_TYPE))
        rels = _rels_name(part)
        old = parts.read(rels) if parts.has(rels) else _empty_rels()
        new_rels, rid = with_relationship(old, "drawing", _relative(part, drawing))
        parts.write(rels, new_rels)
        prefix = _prefix_of(sheet, REL)
        declare = b"" if prefix else b' xmlns:r="%s"' % REL.encode()
        parts.write(part, insert_in_order(sheet, "drawing", b'<drawing%s %s:id="%s"/>' % (
            declare, prefix or b"r", rid.encode())))
    chart_part = parts.free_name("xl/charts/chart%d.xml")
    parts.write(chart_part, chart_bytes)
    parts.write(CONTENT_TYPES, with_override(parts.read(CONTENT_TYPES), chart_part, CHART_TYPE))
    rels = _rels_name(drawing)
    old = parts.read(rels) if parts.has(rels) else _empty_rels()
    new_rels, rid = with_relationship(old, "chart", _relative(drawing, chart_part))
    parts.write(rels, new_rels)
    xml = parts.read(drawing)
    parts.write(drawing, _add_anchor(xml, anchor_xml(plan, rid, _next_id(xml))))
    return plan.month


def chart_plan(rows: dict[int, dict[int, object]]) -> ChartPlan | None:
    """The latest month's block, as xlsx_chart.draw_commission_chart finds it.

    None when the sheet lacks the columns or no month is there, or when the latest
    month's rows are not one block (a studio sorted the tab).
    """
    header = rows.get(1, {})
    columns = {header_key(v): c for c, v in header.items() if v is not None}
    month_col, value_col = columns.get("month"), columns.get("commission")
    name_col = columns.get("staffname") or columns.get("staffid")
    if month_col is None or value_col is None or name_col is None:
        return None
    months = {r: month_of(values.get(month_col)) for r, values in sorted(rows.items()) if r > 1}
    found = [m for m in months.values() if m is not None]
    if not found:
        return None
    latest = max(found)
    block = [r for r, m in months.items() if m == latest]
    if block[-1] - block[0] + 1 != len(block):
        return None
    widest = max(max(values, default=0) for values in rows.values())
    return ChartPlan(latest, block[0], block[-1], name_col, value_col, widest + 2)


def sheet_range(title: str, column: int, first: int, last: int) -> str:
    letter = column_letter(column)
    return f"'{title.replace(chr(39), chr(39) * 2)}'!${letter}${first}:${letter}${last}"


def _shared_strings(parts: Parts) -> list[str]:
    rels = ElementTree.fromstring(parts.read(WORKBOOK_RELS))
    for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("Type") == SHARED_STRINGS_TYPE:
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else join_part("xl", target)
            if parts.has(name):
                table = ElementTree.fromstring(parts.read(name))
                return ["".join(t.text or "" for t in item.iter(f"{{{MAIN}}}t"))
                        for item in table.iter(f"{{{MAIN}}}si")]
    return []


def _sheet_values(sheet: bytes, shared: list[str]) -> dict[int, dict[int, object]]:
    """Row -> column -> value of every cell (text, number, or None for an empty cell)."""
    try:
        root = ElementTree.fromstring(sheet)
    except ElementTree.ParseError as err:
        raise Unpatchable(str(err)) from None
    rows: dict[int, dict[int, object]] = {}
    for row in root.iter(f"{{{MAIN}}}row"):
        number = int(row.get("r", "0"))
        values = rows.setdefault(number, {})
        for cell in row.iter(f"{{{MAIN}}}c"):
            ref = re.match(r"([A-Z]+)", cell.get("r", ""))
            if ref is None:
                raise Unpatchable("a cell without its reference")
            values[column_index_from_string(ref.group(1))] = _value(cell, shared)
    return rows


def _value(cell: ElementTree.Element, shared: list[str]) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{{{MAIN}}}t"))
    found = cell.find(f"{{{MAIN}}}v")
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        index = int(text)
        return shared[index] if 0 <= index < len(shared) else None
    if kind in ("str", "e", "b"):
        return text
    try:
        return float(text)
    except ValueError:
        return text


def _drawing_of(parts: Parts, part: str, sheet: bytes) -> str | None:
    found = re.search(rb'<drawing\b[^>]*?\b\w+:id="([^"]+)"', sheet)
    rels = _rels_name(part)
    if found is None or not parts.has(rels):
        return None
    target = _target(parts.read(rels), found.group(1).decode())
    return _resolve(part, target) if target else None


def _our_chart(parts: Parts, drawing: str) -> tuple[str, str] | None:
    """sheetsync's chart in the drawing: (chart part, its relationship id), if there."""
    rels = _rels_name(drawing)
    if not parts.has(rels):
        return None
    xml = parts.read(drawing)
    for rid in re.findall(rb'<(?:\w+:)?chart\b[^>]*?\b\w+:id="([^"]+)"', xml):
        target = _target(parts.read(rels), rid.decode())
        if not target:
            continue
        chart = _resolve(drawing, target)
        if parts.has(chart) and is_commission_chart(chart_title(parts.read(chart))):
            return chart, rid.decode()
    return None


def chart_title(xml: bytes) -> str:
    """The plain text of a chart part's title ('' when it has none)."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return ""
    title = root.find(f"{{{CHART_NS}}}chart/{{{CHART_NS}}}title")
    if title is None:
        return ""
    return "".join(t.text or "" for t in title.iter(f"{{{A_NS}}}t"))


def _remove_chart(parts: Parts, drawing: str, chart: str, rid: str) -> None:
    parts.write(drawing, _replace_anchor(parts.read(drawing), rid, b""))
    rels = _rels_name(drawing)
    parts.write(rels, re.sub(rb'<Relationship\b[^>]*?\bId="%s"[^>]*/>' % re.escape(rid.encode()),
                             b"", parts.read(rels)))
    parts.drop(chart)
    parts.write(CONTENT_TYPES, re.sub(
        rb'<Override\b[^>]*?PartName="/%s"[^>]*/>' % re.escape(chart.encode()), b"",
        parts.read(CONTENT_TYPES)))


_ANCHOR = re.compile(rb"<(\w+:)?(oneCellAnchor|twoCellAnchor|absoluteAnchor)\b.*?</\1\2>",
                     re.DOTALL)


def _replace_anchor(xml: bytes, rid: str, anchor: bytes) -> bytes:
    mark = re.compile(rb'<(?:\w+:)?chart\b[^>]*?\b\w+:id="%s"' % re.escape(rid.encode()))
    for found in _ANCHOR.finditer(xml):
        if mark.search(found.group(0)):
            return xml[:found.start()] + anchor + xml[found.end():]
    raise Unpatchable("sheetsync's chart has no anchor in its drawing")


def _add_anchor(xml: bytes, anchor: bytes) -> bytes:
    closing = re.search(rb"</(\w+:)?wsDr>\s*$", xml)
    if closing is not None:
        return xml[:closing.start()] + anchor + xml[closing.start():]
    empty = re.search(rb"<((?:\w+:)?wsDr)\b([^>]*?)/>\s*$", xml)
    if empty is None:
        raise Unpatchable("a drawing part of an unknown shape")
    return xml[:empty.start()] + b"<%s%s>" % (empty.group(1), empty.group(2)) + anchor + \
        b"</%s>" % empty.group(1)


def _next_id(drawing: bytes) -> int:
    ids = [int(i) for i in re.findall(rb'<(?:\w+:)?cNvPr\b[^>]*?\bid="(\d+)"', drawing)]
    return max(ids, default=0) + 1


def anchor_xml(plan: ChartPlan, rid: str, shape_id: int) -> bytes:
    """A oneCellAnchor holding the chart `rid`, beside the block's first row."""
    width, height = CHART_SIZE
    return (b'<xdr:oneCellAnchor xmlns:xdr="%s" xmlns:a="%s" xmlns:c="%s" xmlns:r="%s">'
            b"<xdr:from><xdr:col>%d</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>%d</xdr:row>"
            b'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="%d" cy="%d"/>'
            b'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="%d" '
            b'name="Chart %d"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm>'
            b'<a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
            b'<a:graphicData uri="%s"><c:chart r:id="%s"/></a:graphicData></a:graphic>'
            b"</xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>" % (
                DRAWING_NS.encode(), A_NS.encode(), CHART_NS.encode(), REL.encode(),
                plan.anchor_column - 1, plan.first - 1, width, height, shape_id, shape_id,
                CHART_NS.encode(), rid.encode()))


def chart_xml(title: str, categories: str, values: str, axis_title: str,
              series: str = "commission") -> bytes:
    """A clustered column chart of `values` over `categories`, as xlsx_chart.py draws it."""
    def rich(text: str) -> str:
        return (f"<tx><rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{escape(text)}"
                "</a:t></a:r></a:p></rich></tx>")
    xml = (
        f'<chartSpace xmlns="{CHART_NS}" xmlns:a="{A_NS}" xmlns:r="{REL}">'
        '<roundedCorners val="0"/><chart>'
        f'<title>{rich(title)}<overlay val="0"/></title><autoTitleDeleted val="0"/>'
        '<plotArea><layout/><barChart><barDir val="col"/><grouping val="clustered"/>'
        '<varyColors val="0"/><ser><idx val="0"/><order val="0"/>'
        f"<tx><v>{escape(series)}</v></tx>"
        '<spPr><a:ln><a:prstDash val="solid"/></a:ln></spPr><invertIfNegative val="0"/>'
        f"<cat><strRef><f>{escape(categories)}</f></strRef></cat>"
        f"<val><numRef><f>{escape(values)}</f></numRef></val></ser>"
        '<dLbls><numFmt formatCode="#,##0.00" sourceLinked="0"/><showLegendKey val="0"/>'
        '<showVal val="1"/><showCatName val="0"/><showSerName val="0"/><showPercent val="0"/>'
        '<showBubbleSize val="0"/></dLbls><gapWidth val="150"/><axId val="10"/>'
        '<axId val="100"/></barChart>'
        '<catAx><axId val="10"/><scaling><orientation val="minMax"/></scaling>'
        '<delete val="0"/><axPos val="b"/><numFmt formatCode="General" sourceLinked="0"/>'
        '<majorTickMark val="none"/><minorTickMark val="none"/><tickLblPos val="nextTo"/>'
        '<crossAx val="100"/><crosses val="autoZero"/><auto val="1"/><lblAlgn val="ctr"/>'
        '<lblOffset val="100"/><noMultiLvlLbl val="0"/></catAx>'
        '<valAx><axId val="100"/><scaling><orientation val="minMax"/></scaling>'
        f'<delete val="0"/><axPos val="l"/><majorGridlines/><title>{rich(axis_title)}'
        '<overlay val="0"/></title><numFmt formatCode="#,##0.00" sourceLinked="0"/>'
        '<majorTickMark val="none"/><minorTickMark val="none"/><tickLblPos val="nextTo"/>'
        '<crossAx val="10"/><crosses val="autoZero"/><crossBetween val="between"/></valAx>'
        '</plotArea><plotVisOnly val="1"/><dispBlanksAs val="gap"/></chart></chartSpace>')
    return DECLARATION + xml.encode("utf-8")


# -- small XML and package helpers -----------------------------------------------------------
def _before_closing(xml: bytes, name: bytes, entry: bytes) -> bytes:
    closing = re.search(rb"</(\w+:)?%s>" % name, xml)
    if closing is not None:
        return xml[:closing.start()] + entry + xml[closing.start():]
    empty = re.search(rb"<((?:\w+:)?%s)\b([^>]*?)/>" % name, xml)
    if empty is None:
        raise Unpatchable(f"no {name.decode()} element")
    return xml[:empty.start()] + b"<%s%s>" % (empty.group(1), empty.group(2)) + entry + \
        b"</%s>" % empty.group(1) + xml[empty.end():]


def _prefix_of(xml: bytes, namespace: str) -> bytes | None:
    found = re.search(rb'xmlns:(\w+)="%s"' % re.escape(namespace.encode()), xml[:4096])
    return found.group(1) if found else None


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _empty_rels() -> bytes:
    return DECLARATION + f'<Relationships xmlns="{PKG_REL}"></Relationships>'.encode()


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _target(rels: bytes, rid: str) -> str | None:
    for entry in re.findall(rb"<Relationship\b[^>]*/>", rels):
        attrs = dict(_ATTRS.findall(entry))
        if attrs.get(b"Id") == rid.encode():
            return attrs.get(b"Target", b"").decode()
    return None


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return join_part(source_part.rpartition("/")[0], target)


def _relative(source_part: str, target_part: str) -> str:
    """The target as a relationship of `source_part` writes it: `../charts/chart1.xml`."""
    source = source_part.split("/")[:-1]
    target = target_part.split("/")
    common = 0
    while common < min(len(source), len(target) - 1) and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])
