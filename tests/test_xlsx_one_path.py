"""One write path for .xlsx: `init`, `sync` and `report commissions` keep every part of a
studio's workbook they need not change byte for byte (images, the studio's charts, custom
XML, printer settings, defined names, saved formula results), and refuse, unless told
`--rewrite`, a workbook they cannot edit in place."""

from __future__ import annotations

import io
import re
import shutil
import stat
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from sheetsync.demo import demo_layout
from sheetsync.stores.xlsx import XlsxStore
from tests.libreoffice import convert, needs_libreoffice, sheets_as_shown

NOW = "2026-12-20T20:00"
# Tabs sheetsync writes at a sync or a report; a studio's own tabs are never among them.
WRITTEN_TABS = {"Appointments", "Balances", "Notifications", "Commissions", "Problems", "Runs"}
PACKAGE_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                 "docProps/app.xml", "xl/styles.xml"}


# -- a studio's workbook, as Excel-like programs write it ------------------------------------
def tiny_png() -> bytes:
    """A 2x2 red PNG, made here."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def studio_workbook(path: Path) -> Path:
    """A studio typed in a spreadsheet program: formulas with saved results, a logo, a chart
    of its own, a defined name; some tabs and columns sheetsync wants are missing."""
    wb = xlsxwriter.Workbook(str(path))
    packages = wb.add_worksheet("Packages")
    packages.write_row(0, 0, ["package_id", "name", "sessions", "price"])
    packages.write_row(1, 0, ["P8", "Physio 8"])
    packages.write_formula(1, 2, "=4*2", None, 8)
    packages.write_formula(1, 3, "=2000*2", None, 4000)  # the price only a formula gives
    clients = wb.add_worksheet("Clients")
    clients.write_row(0, 0, ["client_id", "name", "email"])
    clients.write_row(1, 0, ["C1", "Ayse", "ayse@example.com"])
    clients.write_row(2, 0, ["C2", "Mehmet", "mehmet@example.com"])
    clients.insert_image("F2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    staff = wb.add_worksheet("Staff")
    staff.write_row(0, 0, ["staff_id", "name", "commission_rate"])
    staff.write_row(1, 0, ["ST1", "Elif", 0.4])
    staff.write_row(2, 0, ["ST2", "Can", 0.3])
    staff.set_landscape()  # a page setup, which gets printer settings below
    enrollments = wb.add_worksheet("Enrollments")
    enrollments.write_row(0, 0, ["enrollment_id", "client_id", "package_id", "start_date",
                                 "staff_id", "schedule"])
    enrollments.write_row(1, 0, ["E1", "C1", "P8", "2026-11-02", "ST1", "Mon 14:00, Thu 14:00"])
    enrollments.write_row(2, 0, ["E2", "C2", "P8", "2026-11-03", "ST2", "Tue 10:00"])
    prices = wb.add_worksheet("Prices")
    prices.write_row(0, 0, ["package", "price", "with tax"])
    prices.write_row(1, 0, ["Physio 8", 4000])
    prices.write_formula(1, 2, "=B2*1.2", None, 4800)
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"categories": "=Prices!$A$2:$A$2", "values": "=Prices!$B$2:$B$2"})
    chart.set_title({"name": "Our prices"})
    prices.insert_chart("E2", chart)
    wb.define_name("TopPrice", "=Packages!$D$2")
    wb.close()
    return with_custom_xml_and_printer_settings(path)


def with_custom_xml_and_printer_settings(path: Path) -> Path:
    """Add what xlsxwriter does not write: a custom XML part and the Staff tab's printer
    settings (a binary part the worksheet's pageSetup points at)."""
    with zipfile.ZipFile(path) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts["customXml/item1.xml"] = b'<?xml version="1.0"?><studio><owner>Ayse</owner></studio>'
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.'
        b'org/officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/>'
        b"</Relationships>")
    parts["xl/printerSettings/printerSettings1.bin"] = bytes(range(256)) * 4
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.printerSettings"/><Default ', 1)
    staff = "xl/worksheets/sheet3.xml"
    assert b"orientation=" in parts[staff] and "xl/worksheets/_rels/sheet3.xml.rels" not in parts
    parts[staff] = re.sub(rb"<pageSetup\b([^>]*?)/>", rb'<pageSetup\1 r:id="rId1"/>',
                          parts[staff])
    parts["xl/worksheets/_rels/sheet3.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/printerSettings" '
        b'Target="../printerSettings/printerSettings1.bin"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


def libreoffice_written(path: Path, folder: Path) -> Path:
    """The same studio after LibreOffice opened and saved it (its own XML dialect)."""
    convert(path, folder / "lo", "xlsx", folder)
    return shutil.move(folder / "lo" / path.name, folder / "studio-lo.xlsx")


# -- reading the package -----------------------------------------------------------------------
def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zin:
        return {n: zin.read(n) for n in zin.namelist()}


def tab_parts(path: Path) -> dict[str, str]:
    """Tab title -> worksheet part."""
    wb_parts = parts(path)
    rels: dict[bytes, bytes] = {}
    for entry in re.findall(rb"<Relationship\b[^>]*>", wb_parts["xl/_rels/workbook.xml.rels"]):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', entry))
        rels[attrs[b"Id"]] = attrs[b"Target"]
    titles = {}
    for sheet in re.findall(rb"<sheet\b[^>]*>", wb_parts["xl/workbook.xml"]):
        name = re.search(rb'name="([^"]+)"', sheet)[1].decode()
        target = rels[re.search(rb'r:id="([^"]+)"', sheet)[1]].decode()
        titles[name] = target.lstrip("/") if target.startswith("/xl/") else "xl/" + target
    return titles


def saved_results(xml: bytes) -> list[bytes]:
    """Every formula cell with its saved result, as written."""
    return re.findall(rb"<c\b[^>]*>\s*<f\b[^>]*>.*?</f>\s*<v>[^<]*</v>", xml, re.DOTALL)


def assert_only_changed(before: dict[str, bytes], after: dict[str, bytes],
                        may_change: set[str]) -> None:
    changed = {n for n in before if n in after and before[n] != after[n]}
    assert changed <= may_change, sorted(changed - may_change)
    assert set(before) <= set(after), sorted(set(before) - set(after))


def chart_parts(path: Path) -> dict[str, str]:
    return {n: d.decode() for n, d in parts(path).items()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}


# -- init, sync and two reports keep the studio's parts ---------------------------------------
@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("writer", ["xlsxwriter", "libreoffice"])
def test_init_sync_and_reports_keep_every_part_they_need_not_change(run, tmp_path: Path,
                                                                   writer: str):
    book = studio_workbook(tmp_path / "studio.xlsx")
    if writer == "libreoffice":
        book = libreoffice_written(book, tmp_path)
    original = parts(book)
    studio_tabs = tab_parts(book)
    formulas = {t: saved_results(original[p]) for t, p in studio_tabs.items()}
    assert sum(map(len, formulas.values())) == 3
    studio_charts = chart_parts(book)
    assert len(studio_charts) == 1

    result = run("init", str(book))
    assert result.exit_code == 0, result.output
    assert "added column(s) duration_min, commission_rate, active to Packages" in result.output
    laid = parts(book)
    tabs = tab_parts(book)
    assert set(tabs) - set(studio_tabs) == {"Groups", "Payments", "Closures", "Appointments",
                                            "Balances", "Notifications", "Commissions",
                                            "Problems", "Runs"}
    assert_only_changed(original, laid, PACKAGE_PARTS | {
        studio_tabs[t] for t in ("Packages", "Clients", "Staff", "Enrollments")})
    for tab, found in formulas.items():
        assert saved_results(laid[tabs[tab]]) == found  # the same cells, the same results

    result = run("sync", str(book), "--now", NOW)
    assert result.exit_code == 0, result.output
    synced = parts(book)
    assert_only_changed(laid, synced, {"xl/styles.xml", "xl/workbook.xml"} |
                        {tabs[t] for t in WRITTEN_TABS})
    # a sync may ask for a recalculation on opening, and a filter's name follows the rows
    # appended under the filter
    calc = re.compile(rb"<calcPr\b[^>]*>|<definedName name=\"_xlnm._FilterDatabase\"[^>]*>"
                      rb"[^<]*</definedName>")
    assert calc.sub(b"", synced["xl/workbook.xml"]) == calc.sub(b"", laid["xl/workbook.xml"])
    table = XlsxStore(book).read()
    assert table["Appointments"].rows
    prices = {row[16] for row in table["Balances"].rows}
    assert prices == {4000}  # the formula's saved price, never read as empty
    assert table["Problems"].rows == []

    for month in ("2026-11", "2026-12"):
        result = run("report", "commissions", str(book), "--month", month, "--now", NOW)
        assert result.exit_code == 0, result.output
    reported = parts(book)
    assert_only_changed(synced, reported, PACKAGE_PARTS | {tabs["Commissions"]})
    for name, xml in studio_charts.items():  # the studio's chart, its drawing and the logo
        assert reported[name].decode() == xml
    for name in original:
        if name.startswith(("xl/media/", "xl/drawings/", "customXml/", "xl/printerSettings/")):
            assert reported[name] == original[name], name
    for tab, found in formulas.items():
        assert saved_results(reported[tabs[tab]]) == found
    assert b"TopPrice" in reported["xl/workbook.xml"]

    ours = {n: x for n, x in chart_parts(book).items() if n not in studio_charts}
    (chart,) = ours.values()
    assert "Commission per staff member, 2026-12" in chart
    december = [r for r, row in enumerate(XlsxStore(book).read()["Commissions"].rows, start=2)
                if row[0] == "2026-12"]
    assert re.findall(r"<f>([^<]+)</f>", chart) == [
        f"'Commissions'!${c}${december[0]}:${c}${december[-1]}" for c in "CF"]
    assert december[0] == 4  # November's two rows above, December's block below them

    shown = sheets_as_shown(book, tmp_path)
    packages = shown["Packages"].read_text().splitlines()
    assert packages[0].split(",")[-3:] == ["duration_min", "commission_rate", "active"]
    assert "4,000.00" in packages[1] or "4000" in packages[1]
    assert "Elif" in shown["Commissions"].read_text()
    assert len(shown["Appointments"].read_text().splitlines()) == len(table["Appointments"].rows) + 1

    convert(book, tmp_path / "again", "xlsx", tmp_path)  # LibreOffice reads our chart
    seen = "".join(chart_parts(tmp_path / "again" / book.name).values())
    assert f"Commissions!$C${december[0]}:$C${december[-1]}" in seen
    assert "Commission per staff member, 2026-12" in seen


# -- a new workbook is laid out through the same path -----------------------------------------
@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("demo", [False, True], ids=["init", "demo"])
def test_a_new_workbook_opens_in_libreoffice_with_its_layout(run, tmp_path: Path, demo: bool):
    args = ("init", "new.xlsx", "--demo") if demo else ("init", "new.xlsx")
    assert run(*args).exit_code == 0
    book = tmp_path / "new.xlsx"
    assert stat.S_IMODE(book.stat().st_mode) & 0o044 == 0o044  # readable as any new file
    convert(book, tmp_path / "lo", "xlsx", tmp_path)
    assert openpyxl.load_workbook(book)["Appointments"].freeze_panes == "A2"
    for path in (book, tmp_path / "lo" / "new.xlsx"):  # ours, and as LibreOffice saved it
        # (headless LibreOffice saves no view settings, frozen panes among them)
        wb = openpyxl.load_workbook(path)
        appointments = wb["Appointments"]
        assert all(c.font.b for c in appointments[1] if c.value)
        assert appointments.column_dimensions["I"].width == pytest.approx(12, abs=0.8)
        assert appointments.column_dimensions["J"].number_format == "hh:mm"
        assert wb["Packages"].column_dimensions["D"].number_format == "#,##0.00"
        lists = {str(dv.sqref).split(":")[0]: dv.formula1
                 for dv in appointments.data_validations.dataValidation}
        assert lists["L2"] == '"pending,completed,cancelled,paid_cancel"'
    if demo:
        shown = sheets_as_shown(book, tmp_path)
        assert len(shown["Clients"].read_text().splitlines()) == 7  # headers and 6 clients


def test_demo_rows_get_number_formats_of_their_columns(tmp_path: Path):
    store = XlsxStore(tmp_path / "demo.xlsx")
    store.lay_out(demo_layout(date(2026, 12, 4)))
    assert store.wrote_with == "patch"
    wb = openpyxl.load_workbook(store.path)
    assert wb["Packages"]["D2"].number_format == "#,##0.00"
    assert wb["Enrollments"]["D2"].is_date


# -- a workbook the patcher cannot edit is refused, or rewritten when the studio says so ---------
def prefixed(path: Path) -> Path:
    """Every worksheet's elements written with an `x:` prefix, as some generators do."""
    book = parts(path)
    for part in tab_parts(path).values():
        xml = book[part].replace(b' xmlns="http://schemas', b' xmlns:x="http://schemas', 1)
        book[part] = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", xml)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in book.items():
            zout.writestr(name, data)
    return path


def test_a_workbook_it_cannot_edit_in_place_is_refused_unless_rewrite(run, tmp_path: Path):
    store = XlsxStore(tmp_path / "studio.xlsx")
    store.lay_out(demo_layout(date(2026, 12, 4)))
    book = prefixed(store.path)
    before = book.read_bytes()
    refused = run("sync", str(book), "--now", "2026-12-04T10:00")
    assert refused.exit_code == 2, refused.output
    assert "cannot edit in place" in refused.output and "--rewrite" in refused.output
    assert "nothing was written" in refused.output and "Traceback" not in refused.output
    assert book.read_bytes() == before
    rewritten = run("sync", str(book), "--now", "2026-12-04T10:00", "--rewrite")
    assert rewritten.exit_code in (0, 1), rewritten.output
    assert XlsxStore(book).read()["Appointments"].rows
    assert "--rewrite" in run("sync", "--help").output
    assert "--rewrite" in run("init", "--help").output
    assert "--rewrite" in run("report", "commissions", "--help").output
