"""Text in an .xlsx cell reads back exactly as written: the `_xHHHH_` escaping (ECMA-376),
control characters, surrogates and Excel's 32,767-character limit, through both writers
(the patch and openpyxl), both readers (calamine and openpyxl) and LibreOffice."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.month import Month
from sheetsync.report import PACKAGE_COLUMNS, SESSION_COLUMNS, STAFF_COLUMNS, CommissionReport
from sheetsync.report_files import save
from sheetsync.stores.base import TabChanges, WorkbookChanges
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsxtext import (
    MAX_TEXT,
    cell_text,
    escaped,
    openpyxl_text,
    unescaped,
    xlsx_text,
)
from tests.libreoffice import needs_libreoffice, sheets_as_shown

# Characters XML 1.0 cannot carry at all (https://www.w3.org/TR/xml/#charsets).
NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PIECES = ["_x0041_", "_x005F_", "_x005f_", "x005F_", "_x00e9_", "_X0041_", "_x", "_x0041",
          "_x20AC_", "_xD83D__xDE00_", "_", "\r", "\r\n", "\t", "\x00", "\x01", "\x1f", "\x7f",
          "😀", "\ud83d", "\ude00", "\ufffe", "\uffff", "&<>\"'", "  ", "Ayşe", "=1+1"]
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES),
                           st.text(st.characters(blacklist_categories=()), max_size=8)),
                 max_size=8).map("".join)
SAMPLES = ["_x0041_", "_x005F_x0041_", "_x0041_x0042_", "_x0041\x01", "abx005F_cd",
           "price _x00e9_ ok", "bell\x07", "a\rb", "a\r\nb", "a\nb", "tab\there", "😀 émoji",
           "\x00", "half \ud83d pair", "=HYPERLINK(\"http://x\",\"y\")", "  spaced  ", "\t",
           " ", " \u2003 ", " \t\n "]


def blank_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "note"
    wb.save(path)
    return path


def written(path: Path, texts: list[str], *, fast: bool) -> XlsxStore:
    """`texts` written below the header of column A, by the patch or by openpyxl."""
    store = XlsxStore(path, fast=fast, rewrite=not fast)
    store.read()
    updates = {(row, 1): text for row, text in enumerate(texts, start=2)}
    store.write(WorkbookChanges({"Notes": TabChanges(updates=updates)}))
    assert store.wrote_with == ("patch" if fast else "openpyxl")
    return store


def read_back(path: Path, *, fast: bool) -> list[str | None]:
    return [row[0] for row in XlsxStore(path, fast=fast).read()["Notes"].rows]


def trimmed_by_openpyxl(text: str) -> bool:
    """Text of nothing but spaces (and blanks XML does not trim): openpyxl writes it without
    xml:space="preserve", so calamine trims its spaces (see xlsxtext.openpyxl_text)."""
    written = openpyxl_text(text)
    return bool(written) and not written.strip()


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown_column(shown: Path) -> list[str]:
    with shown.open(encoding="utf-8", newline="") as handle:
        return [row[0] if row else "" for row in csv.reader(handle)][1:]


# -- the rule itself -------------------------------------------------------------------------
@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_escaped_text_decodes_to_what_the_cell_holds_and_is_valid_xml(text: str) -> None:
    held = cell_text(text)
    out = xlsx_text(text)
    assert unescaped(out) == held
    assert unescaped(openpyxl_text(text)) == held
    assert NOT_XML.search(out) is None
    out.encode("utf-8")  # no lone surrogate left to fail the encoding
    assert cell_text(held) == held
    if not re.search(r"[\ud800-\udfff\ufffe\uffff]", text):
        assert held == text  # nothing but the form of the text changes
    assert utf16_units(held) <= MAX_TEXT


def test_the_escapes_excel_writes():
    assert escaped("_x0041_") == "_x005F_x0041_"
    assert escaped("a\x01b\rc\td\ne") == "a_x0001_b_x000D_c\td\ne"
    assert escaped("_x0041\x01") == "_x005F_x0041_x0001_"  # the escape must not form _x0041_
    assert escaped("_X0041_ _x0041 x005F_ _x20AC") == "_X0041_ _x0041 x005F_ _x20AC"
    assert cell_text("a\ud83d\ude00\ud800") == "a😀\ufffd"
    assert openpyxl_text(" \t") == " _x0009_"  # openpyxl would let readers trim the tab
    assert openpyxl_text(" a ") == " a "


@pytest.mark.parametrize("fill", ["a", "é", "😀"])
def test_text_is_cut_at_32767_utf16_units_never_inside_a_pair(fill: str):
    long = "x" + fill * 40000
    held = cell_text(long)
    assert utf16_units(held) in (MAX_TEXT, MAX_TEXT - 1)  # one less when a pair would split
    assert long.startswith(held)
    exact = ("b" * (MAX_TEXT - 2)) + "😀"
    assert cell_text(exact) == exact


# -- real files --------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(st.lists(TEXTS.filter(bool), min_size=1, max_size=12))
def test_every_text_reads_back_as_written_through_both_writers_and_readers(
        tmp_path_factory: Any, texts: list[str]) -> None:
    folder = tmp_path_factory.mktemp("text")
    for fast in (True, False):
        kept = [t for t in texts if fast or not trimmed_by_openpyxl(t)]
        want = [cell_text(t) for t in kept]
        path = blank_workbook(folder / f"writer-{fast}.xlsx")
        written(path, kept, fast=fast)
        for reader in (True, False):
            assert read_back(path, fast=reader) == want, (fast, reader)


def test_long_text_is_cut_in_the_file_by_both_writers(tmp_path: Path):
    long = "😀" * 20000
    for fast in (True, False):
        path = blank_workbook(tmp_path / f"long-{fast}.xlsx")
        written(path, [long], fast=fast)
        for reader in (True, False):
            got = read_back(path, fast=reader)[0]
            assert got == "😀" * (MAX_TEXT // 2), (fast, reader)


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_shows_exactly_the_text(tmp_path: Path):
    for fast in (True, False):
        path = blank_workbook(tmp_path / f"shown-{fast}.xlsx")
        samples = [t for t in SAMPLES if fast or not trimmed_by_openpyxl(t)]
        written(path, samples, fast=fast)
        shown = sheets_as_shown(path, tmp_path / f"lo-{fast}")
        # LibreOffice keeps a lone CR but shows CR LF as one line break (its own paragraphs)
        assert shown_column(shown["Notes"]) == [
            cell_text(t).replace("\r\n", "\n") for t in samples], fast


def excel_like(path: Path, texts: list[str]) -> Path:
    """A workbook saved as Excel saves it: text in the shared-string table, escaped."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Notes")
    sheet.write_string(0, 0, "note")
    for row, text in enumerate(texts, start=1):
        sheet.write_string(row, 0, text)
    book.close()
    return path


@pytest.mark.slow
@needs_libreoffice
def test_the_studios_own_text_survives_a_write_by_either_writer(tmp_path: Path):
    typed = ["_x0041_", "abx005F_cd", "bell\x07", "price _x00e9_ ok"]
    for fast in (True, False):
        path = excel_like(tmp_path / f"studio-{fast}.xlsx", typed)
        store = XlsxStore(path, fast=fast, rewrite=not fast)
        store.read()
        store.write(WorkbookChanges({"Notes": TabChanges(updates={(2, 2): "sheetsync"})}))
        for reader in (True, False):
            assert read_back(path, fast=reader) == typed, (fast, reader)
        shown = sheets_as_shown(path, tmp_path / f"lo-{fast}")
        assert shown_column(shown["Notes"]) == typed, fast


def test_the_report_export_writes_text_as_the_studio_typed_it(tmp_path: Path):
    name = "_x0041_ Elif\x07"
    report = CommissionReport(
        month=Month(2026, 12), now=datetime(2027, 1, 1),
        sessions=pd.DataFrame([("A1", "E1", "_x005F_ Ayşe", date(2026, 12, 3), "completed",
                                "ST1", name, "PHY10", "Physio", Decimal("360.00"),
                                Decimal("144.00"))], columns=list(SESSION_COLUMNS)),
        by_staff=pd.DataFrame([("ST1", name, 1, Decimal("360.00"), Decimal("144.00"))],
                              columns=list(STAFF_COLUMNS)),
        by_package=pd.DataFrame([("ST1", name, "PHY10", "Physio", 1, Decimal("360.00"),
                                  Decimal("144.00"))], columns=list(PACKAGE_COLUMNS)))
    path = tmp_path / "report.xlsx"
    save(report, path, "TRY")
    tables = XlsxStore(path).read()
    assert tables["Commissions"].rows[0][2] == name
    assert tables["Sessions"].rows[0][3] == "_x005F_ Ayşe"
    assert XlsxStore(path, fast=False).read()["Commissions"].rows[0][2] == name
