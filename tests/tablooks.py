"""Reading how an .xlsx file's tabs filter, print and look, straight from its XML parts.

Helpers of tests/test_tab_looks.py and tests/test_tab_looks_libreoffice.py: the filter's
range, the page setup, the print titles, the fonts and number formats as the file holds them
(no openpyxl in between, which would fill in defaults of its own).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils.cell import column_index_from_string

from sheetsync.stores.xlsxpatch import BUILTIN_FORMATS, sheet_parts

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zin:
        return {name: zin.read(name) for name in zin.namelist()}


def sheet(path: Path, title: str) -> ElementTree.Element:
    found = parts(path)
    part = sheet_parts(found["xl/workbook.xml"], found["xl/_rels/workbook.xml.rels"])[title]
    return ElementTree.fromstring(found[part])


def titles(path: Path) -> list[str]:
    book = ElementTree.fromstring(parts(path)["xl/workbook.xml"])
    return [s.get("name", "") for s in book.iter(f"{MAIN}sheet")]


def filter_ref(path: Path, title: str) -> str | None:
    found = sheet(path, title).find(f"{MAIN}autoFilter")
    return None if found is None else found.get("ref")


def page_setup(path: Path, title: str) -> dict[str, str]:
    """The pageSetup's attributes, with the sheet's fitToPage (from pageSetUpPr)."""
    root = sheet(path, title)
    found = root.find(f"{MAIN}pageSetup")
    setup = dict(found.attrib) if found is not None else {}
    fit = root.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr")
    if fit is not None and fit.get("fitToPage") is not None:
        setup["fitToPage"] = fit.get("fitToPage", "")
    return setup


def print_titles(path: Path) -> dict[str, str]:
    """Tab title -> its _xlnm.Print_Titles reference."""
    return sheet_names(path, "_xlnm.Print_Titles")


def filter_names(path: Path) -> dict[str, str]:
    """Tab title -> its _xlnm._FilterDatabase range (how LibreOffice finds a filter)."""
    return sheet_names(path, "_xlnm._FilterDatabase")


def sheet_names(path: Path, name: str) -> dict[str, str]:
    book = ElementTree.fromstring(parts(path)["xl/workbook.xml"])
    names = [s.get("name", "") for s in book.iter(f"{MAIN}sheet")]
    return {names[int(d.get("localSheetId", "-1"))]: d.text or ""
            for d in book.iter(f"{MAIN}definedName")
            if d.get("name") == name and d.get("localSheetId") is not None}


def last_row(path: Path, title: str) -> int:
    return max((int(r.get("r", "0")) for r in sheet(path, title).iter(f"{MAIN}row")), default=0)


def last_column(path: Path, title: str) -> str:
    """The letter of the last header cell."""
    row1 = next(r for r in sheet(path, title).iter(f"{MAIN}row") if r.get("r") == "1")
    refs = [re.match(r"[A-Z]+", c.get("r", "")) for c in row1.iter(f"{MAIN}c")]
    return max((m.group(0) for m in refs if m), key=column_index_from_string)


class Styles:
    """The cell formats, fonts and number formats of styles.xml."""

    def __init__(self, path: Path) -> None:
        root = ElementTree.fromstring(parts(path)["xl/styles.xml"])
        self.xfs = list(root.find(f"{MAIN}cellXfs") or [])
        self.fonts = list(root.find(f"{MAIN}fonts") or [])
        codes = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
                 for f in root.iter(f"{MAIN}numFmt")}
        self.codes = {**{i: c for c, i in BUILTIN_FORMATS.items()}, **codes}

    def font(self, style: int) -> dict[str, str]:
        """A cell format's font: name, size, and bold ('1') when it is."""
        font = self.fonts[int(self.xfs[style].get("fontId", "0"))]
        return self.describe(font)

    @staticmethod
    def describe(font: ElementTree.Element) -> dict[str, str]:
        out = {child.tag.removeprefix(MAIN): child.get("val", "1") for child in font}
        return {k: v for k, v in out.items() if k in ("name", "sz", "b")}

    def number_format(self, style: int) -> str:
        return self.codes.get(int(self.xfs[style].get("numFmtId", "0")), "General")


def header_style(path: Path, title: str, column: str = "A") -> int:
    row1 = next(r for r in sheet(path, title).iter(f"{MAIN}row") if r.get("r") == "1")
    cell = next(c for c in row1.iter(f"{MAIN}c") if c.get("r") == f"{column}1")
    return int(cell.get("s", "0"))


def column_style(path: Path, title: str, index: int) -> int:
    """The style of whole column `index` (what the studio types there gets)."""
    for col in sheet(path, title).iter(f"{MAIN}col"):
        if int(col.get("min", "0")) <= index <= int(col.get("max", "0")):
            return int(col.get("style", "0"))
    return 0


def cell_style(path: Path, title: str, ref: str) -> int:
    cell = next(c for c in sheet(path, title).iter(f"{MAIN}c") if c.get("r") == ref)
    return int(cell.get("s", "0"))
