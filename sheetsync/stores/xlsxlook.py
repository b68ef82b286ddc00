"""The filter and print setup of sheetsync's tabs, as worksheet and workbook XML.

A tab sheetsync lays out filters and prints as a spreadsheet user expects: an autoFilter over
its header row and data, landscape pages one page wide (as many pages down as it takes:
`fitToHeight="0"`, with `<pageSetUpPr fitToPage="1"/>` to switch fitting on), and row 1
repeated on every page (the `_xlnm.Print_Titles` name of the sheet in workbook.xml). The
filter's range is also the sheet's hidden `_xlnm._FilterDatabase` name, as Excel writes it:
LibreOffice shows no filter without it.

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
PAGE_SETUP = b'<pageSetup%s orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
# Paper: A4 (paperSize 9) where the studio's language is spoken on it; English keeps the
# format's default, US Letter (English studios print on both).
A4_LOCALES = frozenset({"tr", "de"})
PRINT_TITLES = "_xlnm.Print_Titles"
FILTER_DATABASE = "_xlnm._FilterDatabase"

_FILTER_REF = re.compile(rb'(<autoFilter\b[^>]*?\bref=")\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)"')


def prints_on_a4(locale: str) -> bool:
    """Whether pages of a studio speaking `locale` are A4 (else the format's Letter)."""
    return locale.split("_")[0] in A4_LOCALES


def page_setup(locale: str) -> bytes:
    """Landscape, one page wide and as many down as it takes, on the locale's paper."""
    return PAGE_SETUP % (b' paperSize="9"' if prints_on_a4(locale) else b"")


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


def _sheet_name(workbook: bytes, name: str, index: int) -> re.Match[bytes] | None:
    """The definedName `name` of the sheet at `index`, in workbook.xml."""
    names = _DEFINED_NAMES.search(workbook)
    if names is None:
        return None
    mine = re.compile(rb'<definedName\b(?=[^>]*\bname="%s")(?=[^>]*\blocalSheetId="%d")'
                      rb"[^>]*>[^<]*</definedName>" % (re.escape(name.encode()), index))
    return mine.search(workbook, names.start(), names.end())


def has_print_titles(workbook: bytes, title: str) -> bool:
    """Whether tab `title` has print titles (any) or is not in the workbook at all."""
    index = sheet_index(workbook, title)
    return index is None or _sheet_name(workbook, PRINT_TITLES, index) is not None


def with_print_titles(workbook: bytes, title: str) -> bytes:
    """workbook.xml with row 1 of tab `title` as its print titles, unless it has some."""
    index = sheet_index(workbook, title)
    if index is None or has_print_titles(workbook, title):
        return workbook
    return _with_name(workbook, b'<definedName name="%s" localSheetId="%d">%s</definedName>' % (
        PRINT_TITLES.encode(), index, escape(print_titles(title)).encode("utf-8")))


def with_filter_database(workbook: bytes, title: str, ref: str, *, add: bool = True) -> bytes:
    """workbook.xml with the hidden `_xlnm._FilterDatabase` name of tab `title` over `ref`
    (its autoFilter's range): LibreOffice finds a filter through that name, Excel writes it
    with every filter. `add=False`: only a name that is there is kept up to date."""
    index = sheet_index(workbook, title)
    if index is None:
        return workbook
    entry = b'<definedName name="%s" localSheetId="%d" hidden="1">%s</definedName>' % (
        FILTER_DATABASE.encode(), index, escape(filter_database(title, ref)).encode("utf-8"))
    found = _sheet_name(workbook, FILTER_DATABASE, index)
    if found is not None:
        if _named_range(found.group(0)) == ref:
            return workbook  # written as the studio's program wrote it
        return workbook[:found.start()] + entry + workbook[found.end():]
    return _with_name(workbook, entry) if add else workbook


def has_filter_name(workbook: bytes, title: str, sheet: bytes) -> bool:
    """Whether the tab's filter, if it has one, is named as its range (as LibreOffice needs)."""
    ref = filter_ref_in(sheet[max(sheet.rfind(b"</sheetData>"), 0):])
    return ref is None or with_filter_database(workbook, title, ref) == workbook


def with_filter_databases(workbook: bytes, refs: dict[str, str]) -> bytes:
    """workbook.xml with the filter names that are there following their tabs' filters."""
    for title, ref in refs.items():
        workbook = with_filter_database(workbook, title, ref, add=False)
    return workbook


def filter_ref_in(xml: bytes | memoryview) -> str | None:
    """The range of the autoFilter in worksheet XML (or the part of it after the cells)."""
    found = _FILTER_REF.search(bytes(xml))
    if found is None:
        return None
    left, top, right, bottom = (g.decode() for g in found.groups()[1:])
    return f"{left}{top}:{right}{bottom}"


def _named_range(element: bytes) -> str:
    """`A1:Q55` of `<definedName ...>'Tab'!$A$1:$Q$55</definedName>`."""
    text = unescape(element.split(b">", 1)[1].rsplit(b"<", 1)[0].decode("utf-8"))
    return text.rpartition("!")[2].replace("$", "")


def filter_database(title: str, ref: str) -> str:
    """`'Tab'!$A$1:$Q$55`: the absolute range of a filter, as the name holds it."""
    corners = [re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", corner) for corner in ref.split(":")]
    return "'" + title.replace("'", "''") + "'!" + ":".join(corners)


def _with_name(workbook: bytes, entry: bytes) -> bytes:
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
