"""The report on a local .xlsx workbook: the Commissions tab's chart survives every sync, and
the .csv and .xlsx exports are safe to open."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from sheetsync import engine
from sheetsync.month import Month
from sheetsync.read import read_snapshot
from sheetsync.report import CommissionReport, commission_report
from sheetsync.report_files import safe_text, save
from sheetsync.report_tab import publish
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsx_chart import CHART_TITLE, draw_commission_chart
from tests.december import (
    DECEMBER,
    FIRST_OF_JANUARY,
    charts,
    december_studio,
    december_workbook,
)
from tests.libreoffice import convert, needs_libreoffice
from tests.studio import edit

NOVEMBER = Month(2026, 11)


def report_on(store: XlsxStore, month: Month) -> CommissionReport:
    tables = store.read()
    result = commission_report(read_snapshot(tables), month, FIRST_OF_JANUARY)
    publish(store, tables, result)
    return result


def chart_ranges(xml: str) -> list[str]:
    return re.findall(r"<f>([^<]+)</f>", xml)


# -- the chart on the Commissions tab --------------------------------------------------------
def test_the_chart_survives_every_sync(tmp_path: Path):
    store = december_workbook(tmp_path / "studio.xlsx")
    assert charts(store.path) == []  # no report yet, no chart
    report_on(store, DECEMBER)
    (chart,) = charts(store.path)
    assert f"{CHART_TITLE}, 2026-12" in chart
    assert chart_ranges(chart) == ["'Commissions'!$C$2:$C$3", "'Commissions'!$F$2:$F$3"]
    report = engine.sync(store, datetime(2027, 1, 2, 9, 0), started_at=FIRST_OF_JANUARY)
    assert report.wrote
    assert charts(store.path) == [chart]
    engine.sync(store, datetime(2027, 1, 9, 9, 0), started_at=FIRST_OF_JANUARY)
    assert charts(store.path) == [chart]


def test_the_chart_follows_the_rows_of_the_latest_month(tmp_path: Path):
    store = december_workbook(tmp_path / "studio.xlsx")
    report_on(store, DECEMBER)
    report_on(store, NOVEMBER)  # goes above December, which moves down a row
    (chart,) = charts(store.path)
    assert f"{CHART_TITLE}, 2026-12" in chart
    assert chart_ranges(chart) == ["'Commissions'!$C$3:$C$4", "'Commissions'!$F$3:$F$4"]


def test_a_chart_of_the_studios_own_stays_beside_ours(tmp_path: Path):
    store = december_workbook(tmp_path / "studio.xlsx")
    report_on(store, DECEMBER)
    wb = openpyxl.load_workbook(store.path)
    ws = wb["Commissions"]
    own = BarChart()
    own.title = "Revenue per staff member"
    own.add_data(Reference(ws, min_col=5, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(own, "H20")
    wb.save(store.path)
    engine.sync(XlsxStore(store.path), datetime(2027, 1, 2, 9, 0), started_at=FIRST_OF_JANUARY)
    titles = sorted(re.search(r"<a:t>([^<]+)</a:t>", xml)[1] for xml in charts(store.path))
    assert titles == ["Commission per staff member, 2026-12", "Revenue per staff member"]


def test_no_chart_when_the_latest_month_is_not_one_block():
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["month", "staff_id", "staff_name", "commission"], ["2026-12", "ST1", "A", 1],
                ["2026-11", "ST2", "B", 2], ["2026-12", "ST2", "B", 3]):
        ws.append(row)
    assert draw_commission_chart(ws) is None
    ws.delete_rows(3)
    assert draw_commission_chart(ws) == DECEMBER
    assert draw_commission_chart(ws) == DECEMBER and len(ws._charts) == 1


# -- the exports -----------------------------------------------------------------------------
CSV_LINES = [
    "month,staff_id,staff_name,sessions,revenue,commission,currency",
    "2026-12,ST2,Can,5,1360.00,376.00,TRY",
    "2026-12,ST1,Elif,10,3409.99,1363.99,TRY",
    ",,Total,15,4769.99,1739.99,TRY",
    "",
    "month,staff_id,staff_name,package_id,package_name,sessions,revenue,commission,currency",
    "2026-12,ST2,Can,PHY10,10-Session Physiotherapy Package,1,360.00,126.00,TRY",
    "2026-12,ST2,Can,PIL4,4-Class Group Pilates,4,1000.00,250.00,TRY",
    "2026-12,ST1,Elif,PHY10,10-Session Physiotherapy Package,7,2410.00,964.00,TRY",
    "2026-12,ST1,Elif,PT3,3-Session Personal Training,3,999.99,399.99,TRY",
    ",,Total,,,15,4769.99,1739.99,TRY",
]


def december(store: MemoryStore | None = None) -> CommissionReport:
    store = store or december_studio()
    return commission_report(read_snapshot(store.read()), DECEMBER, FIRST_OF_JANUARY)


def test_the_csv_export_holds_both_tables_with_cents(tmp_path: Path):
    path = tmp_path / "december.csv"
    save(december(), path, "TRY")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 that spreadsheet programs recognise
    assert raw.decode("utf-8-sig").split("\r\n") == [*CSV_LINES, ""]


def test_an_empty_month_is_a_valid_csv_and_xlsx(tmp_path: Path):
    empty = commission_report(read_snapshot(december_studio().read()), Month(2026, 10),
                              FIRST_OF_JANUARY)
    save(empty, tmp_path / "october.csv", "")
    with (tmp_path / "october.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[:2] == [CSV_LINES[0].split(","), ["", "", "Total", "0", "0.00", "0.00", ""]]
    save(empty, tmp_path / "october.xlsx", "")
    wb = openpyxl.load_workbook(tmp_path / "october.xlsx")
    assert [c.value for c in wb["Commissions"][2]] == [None, None, "Total", 0, 0, 0]
    assert charts(tmp_path / "october.xlsx") == []


@pytest.mark.parametrize("risky", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path, risky: str):
    store = december_studio()
    edit(store, "Staff", {"staff_id": "ST2"}, name=risky)
    result = december(store)
    save(result, tmp_path / "r.csv", "")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = [row[2] for row in csv.reader(handle) if len(row) > 2]
    assert "'" + risky in names and risky not in names
    save(result, tmp_path / "r.xlsx", "")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        assert not any("<f>" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("xl/worksheets/"))


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("Elif Demir") == "Elif Demir"
    assert safe_text("Ayşe = 1") == "Ayşe = 1"
    assert safe_text("=1") == "'=1"


@pytest.mark.parametrize("risky", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_safe_text_neutralises_every_risky_start(risky: str):
    # Names are trimmed when read, so a leading tab or CR only reaches the export this way.
    assert safe_text(risky) == "'" + risky


def test_the_xlsx_export_has_the_table_the_chart_the_packages_and_the_sessions(tmp_path):
    path = tmp_path / "december.xlsx"
    save(december(), path, "TRY")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Commissions", "By package", "Sessions"]
    ws = wb["Commissions"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["month", "staff_id", "staff_name", "sessions", "revenue", "commission"],
        ["2026-12", "ST2", "Can", 5, 1360, 376],
        ["2026-12", "ST1", "Elif", 10, 3409.99, 1363.99],
        [None, None, "Total", 15, 4769.99, 1739.99],
    ]
    assert ws["E2"].number_format == '#,##0.00 "TRY"' and ws["C2"].data_type == "s"
    assert wb["By package"].max_row == 6
    assert wb["Sessions"].max_row == 16
    (chart,) = charts(path)
    assert "2026-12 (TRY)" in chart
    assert chart_ranges(chart) == ["'Commissions'!$C$2:$C$3", "'Commissions'!$F$2:$F$3"]


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_draws_the_chart_of_a_synced_workbook(tmp_path: Path):
    store = december_workbook(tmp_path / "studio.xlsx")
    report_on(store, DECEMBER)
    engine.sync(store, datetime(2027, 1, 2, 9, 0), started_at=FIRST_OF_JANUARY)
    out = tmp_path / "html"
    convert(store.path, out, "html", tmp_path)
    assert len(list(out.glob("*.png"))) == 1  # the chart, drawn as a picture
