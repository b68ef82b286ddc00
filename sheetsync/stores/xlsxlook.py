"""The filter and print setup of sheetsync's tabs, as worksheet and workbook XML.

A tab sheetsync lays out filters and prints as a spreadsheet user expects: an autoFilter over
its header row and data, landscape pages one page wide (as many pages down as it takes:
`fitToHeight="0"`, with `<pageSetUpPr fitToPage="1"/>` to switch fitting on), and row 1
repeated on every page (the `_xlnm.Print_Titles` name of the sheet in workbook.xml).

Invariants:
- only what is missing is added; a filter, print setup or print titles the studio set up
  is kept as it is (never widened, narrowed or replaced), but for `grown_filter`;
- `grown_filter`: a filter reaching down to the old last row grows to the new last row when
  rows are appended below it, as LibreOffice grows a filtered range typed under; a filter
  over part of the rows stays where it is;
- pure bytes-in / bytes-out, so the patch path (xlsxpatch, xlsxparts) and its tests share it.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, unescape

from openpyxl.utils.cell import column_index_from_string

from .layout import column_letter
from .looks import print_titles

FIT_TO_PAGE = b'<pageSetUpPr fitToPage="1"/>'
PAGE_SETUP = b'<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
PRINT_TITLES = "_xlnm.Print_Titles"

_FILTER_REF = re.compile(rb'(<autoFilter\b[^>]*?\bref=")\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)"')


def auto_filter(last_column: int, last_row: int) -> bytes:
    """A filter over the header row and the rows under it, from column A."""
    return b'<autoFilter ref="A1:%s%d"/>' % (column_letter(max(last_column, 1)).encode(),
                                               max(last_row, 1))


def sheet_properties() -> bytes:
    return b"<sheetPr>" + FIT_TO_PAGE + b"</sheetPr>"


def grown_filter(tail: bytes | memoryview, old_bottom: int, new_bottom: int,
                 ) -> bytes | memoryview:
    """The part of a worksheet after its cells, its filter grown to `new_bottom` when it
    reached down to `old_bottom` (the last row before rows were appended)."""
    if new_bottom <= old_bottom or old_bottom < 1:
        return tail
    text = bytes(tail)
    found = _FILTER_REF.search(text)
    if found is None:
        return tail
    top, bottom = int(found.group(3)), int(found.group(5))
    if not top <= old_bottom <= bottom < new_bottom:
        return tail
    ref = b"%s%s%d:%s%d\"" % (found.group(1), found.group(2), top, found.group(4), new_bottom)
    return text[:found.start()] + ref + text[found.end():]


def widened_filter(xml: bytes, old_last_column: int, new_last_column: int) -> bytes:
    """The worksheet with its filter reaching to `new_last_column` when it ended at the old
    last column (new columns join the tab's filter); any other filter as it is."""
    found = _FILTER_REF.search(xml, max(xml.find(b"</sheetData>"), 0))
    if found is None or column_index_from_string(found.group(4).decode()) != old_last_column:
        return xml
    ref = b"%s%s%s:%s%s\"" % (found.group(1), found.group(2), found.group(3),
                              column_letter(new_last_column).encode(), found.group(5))
    return xml[:found.start()] + ref + xml[found.end():]


_DEFINED_NAMES = re.compile(rb"<definedNames\b[^>]*?(?:/>|>(.*?)</definedNames>)", re.DOTALL)
_SHEET = re.compile(rb"<sheet\b[^>]*?/>")
_NAME_ATTR = re.compile(rb'\bname="([^"]*)"')
# What may follow definedNames in CT_Workbook (ECMA-376 18.2.27).
_AFTER_DEFINED_NAMES = re.compile(
    rb"<(calcPr|oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
    rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b")


def sheet_index(workbook: bytes, title: str) -> int | None:
    """The 0-based place of tab `title` among the workbook's sheets."""
    for index, entry in enumerate(_SHEET.findall(workbook)):
        name = _NAME_ATTR.search(entry)
        if name is not None and _unescaped(name.group(1)) == title:
            return index
    return None


def _unescaped(value: bytes) -> str:
    return unescape(value.decode("utf-8"), {"&quot;": '"', "&apos;": "'"})


def has_print_titles(workbook: bytes, title: str) -> bool:
    """Whether tab `title` has print titles (any) or is not in the workbook at all."""
    index = sheet_index(workbook, title)
    if index is None:
        return True
    names = _DEFINED_NAMES.search(workbook)
    inner = (names.group(1) or b"") if names else b""
    mine = re.compile(rb'<definedName\b(?=[^>]*\bname="%s")(?=[^>]*\blocalSheetId="%d")'
                      % (PRINT_TITLES.encode(), index))
    return mine.search(inner) is not None


def with_print_titles(workbook: bytes, title: str) -> bytes:
    """workbook.xml with row 1 of tab `title` as its print titles, unless it has some."""
    index = sheet_index(workbook, title)
    if index is None or has_print_titles(workbook, title):
        return workbook
    entry = b'<definedName name="%s" localSheetId="%d">%s</definedName>' % (
        PRINT_TITLES.encode(), index, escape(print_titles(title)).encode("utf-8"))
    names = _DEFINED_NAMES.search(workbook)
    if names is not None:
        block = (names.group(0).split(b">", 1)[0].rstrip(b"/") + b">" + (names.group(1) or b"")
                 + entry + b"</definedNames>")
        return workbook[:names.start()] + block + workbook[names.end():]
    block = b"<definedNames>" + entry + b"</definedNames>"
    after = _AFTER_DEFINED_NAMES.search(workbook)
    at = after.start() if after is not None else workbook.rfind(b"</workbook>")
    if at < 0:
        return workbook
    return workbook[:at] + block + workbook[at:]


_PAGE_SETUP = re.compile(rb"<pageSetup[\s/>]")
_AUTO_FILTER = re.compile(rb"<autoFilter[\s/>]")


def lacks_looks(xml: bytes) -> bool:
    """Whether a worksheet has no filter or no print setup (looked for after its cells)."""
    return not has_filter(xml) or not has_page_setup(xml)


def has_filter(xml: bytes) -> bool:
    return _AUTO_FILTER.search(xml, max(xml.rfind(b"</sheetData>"), 0)) is not None


def has_page_setup(xml: bytes) -> bool:
    return _PAGE_SETUP.search(xml, max(xml.rfind(b"</sheetData>"), 0)) is not None


_SHEET_PR = re.compile(rb"<sheetPr\b([^>]*?)(/?)>")
_PAGE_SETUP_PR = re.compile(rb"<pageSetUpPr\b([^>]*?/?>)")


def with_fit_to_page(xml: bytes) -> bytes | None:
    """The worksheet with `<pageSetUpPr fitToPage="1"/>` in its sheetPr (None: it has no
    sheetPr, one must be inserted in schema order); a fitToPage of its own is kept."""
    found = _SHEET_PR.search(xml, 0, max(xml.find(b"<sheetData"), 0))
    if found is None:
        return None
    if found.group(2):  # <sheetPr .../>
        element = b"<sheetPr%s>%s</sheetPr>" % (found.group(1), FIT_TO_PAGE)
        return xml[:found.start()] + element + xml[found.end():]
    closing = xml.find(b"</sheetPr>", found.end())
    if closing < 0:
        return xml
    own = _PAGE_SETUP_PR.search(xml, found.end(), closing)
    if own is None:
        return xml[:closing] + FIT_TO_PAGE + xml[closing:]
    if b"fitToPage=" in own.group(0):
        return xml
    return xml[:own.start()] + b'<pageSetUpPr fitToPage="1"' + own.group(1) + xml[own.end():]
