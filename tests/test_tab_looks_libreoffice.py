"""The workbook prints and filters as a spreadsheet user expects, shown by LibreOffice (issue 16).

The demo workbook and one with 200 appointments, laid out and synced by sheetsync, are printed
to PDF by LibreOffice headless and read back with poppler's tools: every page is landscape,
a tab's columns all stand on each of its pages (one column of pages, no page for the right-
hand columns), the header row is on every page, and headers and data are in one font family.
The same workbooks saved again by LibreOffice keep a filter over exactly the data and the
print setup. Slow lane: each test starts LibreOffice.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from sheetsync import engine
from sheetsync.demo import demo_layout
from sheetsync.schema import APPOINTMENTS
from sheetsync.stores.base import Cell, Layout
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.xlsx import XlsxStore
from tests.libreoffice import convert, needs_libreoffice
from tests.tablooks import (
    MAIN,
    filter_ref,
    last_column,
    last_row,
    page_setup,
    print_titles,
    sheet,
    titles,
)

pytestmark = [
    pytest.mark.slow,
    needs_libreoffice,
    pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                       reason="poppler-utils is not installed (.ci/run installs it)"),
]

TODAY = date(2026, 12, 1)
# Rows of 15 points on a landscape US Letter page (612 points high, 1 inch margins) at 100%:
# fitting a tab to the page width only shrinks them, so a tab needs at most this many pages
# per this many rows, plus one.
ROWS_PER_PAGE_AT_FULL_SIZE = (612 - 2 * 72) // 15


def pdf_pages(workbook: Path, folder: Path) -> list[tuple[float, float, str]]:
    """Each printed page as LibreOffice prints the workbook: (width, height, its text)."""
    convert(workbook, folder / "pdf", "pdf", folder)
    pdf = folder / "pdf" / (workbook.stem + ".pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:len(sizes)]
    assert len(pages) == len(sizes)
    return [(w, h, page) for (w, h), page in zip(sizes, pages, strict=True)]


def pdf_font_families(workbook: Path, folder: Path) -> set[str]:
    pdf = folder / "pdf" / (workbook.stem + ".pdf")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listing if line.strip()}
    return {re.sub(r"[-,]?(Bold|Italic|Regular|BoldItalic)$", "", name) for name in names}


def appointments(count: int) -> list[dict[str, Cell]]:
    """`count` appointments of one client, twice a week, as sheetsync writes them."""
    out: list[dict[str, Cell]] = []
    day = date(2026, 1, 5)
    for n in range(1, count + 1):
        out.append({"appointment_id": f"E1-{(n - 1) // 10 + 1}-{(n - 1) % 10 + 1:02d}",
                    "enrollment_id": "E1", "period": (n - 1) // 10 + 1,
                    "session": (n - 1) % 10 + 1, "client_id": "C1",
                    "client_name": "Ayşe Yılmaz Karaca", "staff_id": "ST1",
                    "date": day, "start": time(14, 0), "end": time(14, 50),
                    "status": "completed", "price": 400, "commission": 160,
                    "note": "a note the studio wrote about this session"})
        day += timedelta(days=3 if n % 2 else 4)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "sheetsync-demo.xlsx"
    store = XlsxStore(path, currency="TRY")
    store.lay_out(localized_layout(demo_layout(TODAY, "en"), "en"))
    now = datetime(2026, 12, 1, 23, 0)
    engine.sync(store, now, started_at=now)
    return path


def test_the_demo_prints_landscape_one_page_wide_in_one_font_family(demo: Path, tmp_path: Path):
    pages = pdf_pages(demo, tmp_path)
    assert all(width > height for width, height, _ in pages)
    tabs = titles(demo)
    # one page per tab: before issue 16 the demo printed on about 40 portrait pages
    assert len(tabs) <= len(pages) <= len(tabs) + 2
    for tab in ("Appointments", "Balances", "Runs"):  # each tab's columns all on one page
        names = headers(demo, tab)
        assert any(all(name in text for name in names) for _, _, text in pages), tab
    assert len(pdf_font_families(demo, tmp_path)) == 1  # bold headers in the data's family


def headers(path: Path, tab: str) -> list[str]:
    row1 = next(r for r in sheet(path, tab).iter(f"{MAIN}row") if r.get("r") == "1")
    return ["".join(t.text or "" for t in c.iter(f"{MAIN}t")) for c in row1.iter(f"{MAIN}c")]


def test_200_appointments_print_in_one_column_of_pages_each_with_the_header(tmp_path: Path):
    path = tmp_path / "appointments.xlsx"
    records = appointments(200)
    XlsxStore(path, currency="TRY").lay_out(Layout((APPOINTMENTS,),
                                                   {"Appointments": records}))
    assert filter_ref(path, "Appointments") == "A1:Q201"
    pages = pdf_pages(path, tmp_path)
    assert all(width > height for width, height, _ in pages)
    assert 2 <= len(pages) <= math.ceil(200 / ROWS_PER_PAGE_AT_FULL_SIZE) + 1
    for _, _, text in pages:  # every column on every page, under the repeated header row
        assert "appointment_id" in text and "commission" in text and "note" in text
    shown = "".join(text for _, _, text in pages)
    assert all(r["appointment_id"] in shown for r in records)  # one column of pages: all rows
    assert "TRY 400.00" in shown  # money in the currency's format (English: its code)


def test_libreoffice_reads_the_filters_over_the_data_and_the_print_setup(demo: Path,
                                                                          tmp_path: Path):
    convert(demo, tmp_path / "saved", "xlsx", tmp_path)
    saved = tmp_path / "saved" / demo.name
    assert titles(saved) == titles(demo)
    for tab in titles(demo):
        data = f"A1:{last_column(demo, tab)}{last_row(demo, tab)}"
        assert filter_ref(saved, tab) == data, tab
        setup = page_setup(saved, tab)
        assert setup["orientation"] == "landscape", tab
        assert (setup.get("fitToWidth", "1"), setup["fitToHeight"]) == ("1", "0"), tab
    assert set(print_titles(saved)) == set(titles(demo))
    assert all(ref.endswith("!$1:$1") for ref in print_titles(saved).values())
