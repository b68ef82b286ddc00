"""Tabs that filter, print and read well (issue 16): what sheetsync writes into the workbook.

Every tab `init` lays out has a filter over its headers and rows, prints landscape one page
wide with row 1 on every page, shows its headers bold in the workbook's own font, and its
money in the studio's currency. A sync keeps the filter over the rows it appends; a filter or
print setup of the studio's stays as it is. Real .xlsx files read back at the XML level
(tests/tablooks.py), and the local Sheets API for a Google Sheet. The same workbooks printed
and filtered by LibreOffice: tests/test_tab_looks_libreoffice.py.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import gspread
import openpyxl
import pytest

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.demo import demo_layout
from sheetsync.schema import (
    ALL_TABS,
    APPOINTMENTS,
    BALANCES,
    CLIENTS,
    RUNS,
    column_title,
    tab_title,
)
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.looks import money_format
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsxpatch import bold_font_like
from tests.google_fixtures import account, server, studio_client  # noqa: F401  (fixtures)
from tests.tablooks import (
    Styles,
    cell_style,
    column_style,
    filter_names,
    filter_ref,
    header_style,
    last_column,
    last_row,
    page_setup,
    parts,
    print_titles,
    sheet,
    titles,
)

LANDSCAPE_ONE_PAGE_WIDE = {"orientation": "landscape", "fitToWidth": "1", "fitToHeight": "0",
                           "fitToPage": "1"}
ON_A4 = {**LANDSCAPE_ONE_PAGE_WIDE, "paperSize": "9"}  # a Turkish or German studio's paper
TODAY = date(2026, 12, 1)


def demo_workbook(path: Path, currency: str, locale: str) -> XlsxStore:
    """The demo studio in `locale`, laid out and synced once on TODAY."""
    store = XlsxStore(path, currency=currency, locale=locale)
    store.lay_out(localized_layout(demo_layout(TODAY, locale), locale))
    now = datetime(2026, 12, 1, 23, 0)
    engine.sync(store, now, started_at=now, locale=locale)
    return store


def column_index(tab_name: str, column: str) -> int:
    tab = next(t for t in ALL_TABS if t.name == tab_name)
    return tab.column_names.index(column) + 1


def with_sheet_edited(path: Path, title: str, edit: dict[bytes, bytes]) -> None:
    """Edit the worksheet XML of tab `title` as the studio's spreadsheet program would."""
    found = parts(path)
    part = next(name for name in found if name.startswith("xl/worksheets/sheet")
                and _is_tab(found, name, title))
    with_part_edited(path, part, edit)


def with_part_edited(path: Path, part: str, edit: dict[bytes, bytes]) -> None:
    found = parts(path)
    xml = found[part]
    for pattern, replacement in edit.items():
        xml, count = re.subn(pattern, replacement, xml, count=1)
        assert count == 1, pattern
    found[part] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in found.items():
            zout.writestr(name, data)


def _is_tab(found: dict[str, bytes], part: str, title: str) -> bool:
    from sheetsync.stores.xlsxpatch import sheet_parts

    return sheet_parts(found["xl/workbook.xml"], found["xl/_rels/workbook.xml.rels"])[title] \
        == part


# -- the money format ------------------------------------------------------------------------
@pytest.mark.parametrize(("currency", "locale", "expected"), [
    ("TRY", "tr", '"₺"#,##0.00'),
    ("EUR", "de", '#,##0.00 "€"'),
    ("USD", "en", '"$"#,##0.00'),
    ("TRY", "en", '"TRY" #,##0.00'),  # a letter code keeps off the digits
    ("CHF", "de", '#,##0.00 "CHF"'),
    ("JPY", "en", '"¥"#,##0'),  # no decimals for the yen
    ("", "tr", "#,##0.00"),  # no currency configured: as before
])
def test_money_takes_the_currency_symbol_where_the_locale_puts_it(currency: str, locale: str,
                                                                  expected: str):
    assert money_format(currency, locale) == expected


def test_a_bold_header_font_keeps_the_family_and_size_of_the_workbook_font():
    default = b'<font><sz val="10"/><name val="Arial"/><family val="2"/></font>'
    assert bold_font_like(default, default) == \
        b'<font><b/><sz val="10"/><name val="Arial"/><family val="2"/></font>'
    # a font without a name (a bare <font/> or one with only <b/>) takes the default's
    assert bold_font_like(b"<font/>", default) == bold_font_like(default, default)
    assert bold_font_like(b'<font><b val="1"/></font>', default) == \
        bold_font_like(default, default)


# -- a new workbook --------------------------------------------------------------------------
def test_a_new_workbook_filters_and_prints_every_tab_and_shows_lira(tmp_path: Path):
    path = tmp_path / "stüdyo.xlsx"
    XlsxStore(path, currency="TRY", locale="tr").lay_out(localized_layout(Layout(ALL_TABS), "tr"))
    tabs = titles(path)
    assert len(tabs) == len(ALL_TABS)
    for title in tabs:
        assert filter_ref(path, title) == f"A1:{last_column(path, title)}1", title
        assert page_setup(path, title) == ON_A4, title
    assert print_titles(path) == {title: f"'{title}'!$1:$1" for title in tabs}
    assert filter_names(path) == {title: f"'{title}'!$A$1:${last_column(path, title)}$1"
                                  for title in tabs}
    styles = Styles(path)
    default = Styles.describe(styles.fonts[0])
    assert default["name"] == "Calibri"
    for title in tabs:
        assert styles.font(header_style(path, title)) == {**default, "b": "1"}, title
    appointments = tab_title(APPOINTMENTS, "tr")
    price = column_style(path, appointments, column_index("Appointments", "price"))
    assert styles.number_format(price) == '"₺"#,##0.00'


def test_a_synced_demo_filters_its_rows_and_writes_euros(tmp_path: Path):
    path = tmp_path / "demo.xlsx"
    demo_workbook(path, "EUR", "de")
    balances = tab_title(BALANCES, "de")
    for title in titles(path):
        assert filter_ref(path, title) == f"A1:{last_column(path, title)}{last_row(path, title)}"
    assert last_row(path, tab_title(APPOINTMENTS, "de")) > 40
    due = f"{_letter(column_index('Balances', 'due'))}2"
    assert Styles(path).number_format(cell_style(path, balances, due)) == '#,##0.00 "€"'


def _letter(index: int) -> str:
    return openpyxl.utils.get_column_letter(index)


# -- a sync keeps the filter over the data ---------------------------------------------------
def test_a_filter_over_the_data_grows_with_the_rows_a_sync_appends(tmp_path: Path):
    path = tmp_path / "demo.xlsx"
    store = demo_workbook(path, "TRY", "en")
    runs = last_row(path, "Runs")
    appointments = last_row(path, "Appointments")
    later = datetime(2027, 1, 20, 23, 0)  # sessions held, packages renewed: rows appended
    engine.sync(store, later, started_at=later)
    assert last_row(path, "Runs") == runs + 1
    assert last_row(path, "Appointments") > appointments
    for title in ("Runs", "Appointments", "Balances", "Notifications"):
        column, row = last_column(path, title), last_row(path, title)
        assert filter_ref(path, title) == f"A1:{column}{row}"
        assert filter_names(path)[title] == f"'{title}'!$A$1:${column}${row}"


def test_the_studios_own_filter_and_print_setup_stay_as_they_are(tmp_path: Path):
    path = tmp_path / "demo.xlsx"
    store = demo_workbook(path, "TRY", "en")
    with_sheet_edited(path, "Appointments", {  # the studio filters a part, prints on A4
        rb'<autoFilter ref="[^"]*"/>': b'<autoFilter ref="B1:D20"/>',
        rb"<pageSetup\b[^>]*/>": b'<pageSetup paperSize="9" orientation="portrait"/>',
        rb"<pageSetUpPr\b[^>]*/>": b"<pageSetUpPr/>"})
    with_sheet_edited(path, "Runs", {rb'<autoFilter ref="A1:([A-Z]+)\d+"/>':
                                     rb'<autoFilter ref="A1:\g<1>200"/>'})  # room to spare
    tail = sheet_tail(path, "Appointments")
    store = XlsxStore(path, currency="TRY")
    later = datetime(2027, 1, 20, 23, 0)
    engine.sync(store, later, started_at=later)
    assert sheet_tail(path, "Appointments") == tail
    assert filter_ref(path, "Runs") == f"A1:{last_column(path, 'Runs')}200"
    assert page_setup(path, "Appointments") == {"paperSize": "9", "orientation": "portrait"}
    before = path.read_bytes()
    assert store.lay_out(Layout(ALL_TABS)) == []  # init: nothing is missing
    assert path.read_bytes() == before


def sheet_tail(path: Path, title: str) -> list[tuple[str, dict[str, str]]]:
    """What follows the cells: filter, validations, margins, page setup (tag, attributes)."""
    root = sheet(path, title)
    tags = ("autoFilter", "pageMargins", "pageSetup", "sheetPr")
    return [(child.tag.split("}")[1], dict(child.attrib)) for child in root
            if child.tag.split("}")[1] in tags]


# -- init on a workbook the studio made ------------------------------------------------------
def test_init_gives_sheetsyncs_own_tabs_what_they_lack_and_leaves_the_studios(tmp_path: Path):
    path = tmp_path / "studio.xlsx"
    wb = openpyxl.Workbook()
    clients = wb.active
    clients.title = "Clients"
    clients.append(list(CLIENTS.column_names))
    clients.append(["C1", "Ayşe"])
    appointments = wb.create_sheet("Appointments")
    appointments.append(list(APPOINTMENTS.column_names))
    for n in range(1, 4):
        appointments.append([f"E1-1-0{n}", "E1", 1, n])
    wb.save(path)
    arial(path)
    studio_tab = parts_of_tab(path, "Clients")
    store = XlsxStore(path, currency="EUR", locale="de")
    said = store.lay_out(Layout(ALL_TABS, locale="de"))
    assert "Tabellenblatt Appointments: Filter und Druckeinstellungen eingerichtet" in said
    assert parts_of_tab(path, "Clients") == studio_tab  # the studio's tab: not a byte moved
    assert filter_ref(path, "Clients") is None
    assert filter_ref(path, "Appointments") == f"A1:{last_column(path, 'Appointments')}4"
    assert page_setup(path, "Appointments") == ON_A4
    titles_now = print_titles(path)
    assert titles_now["Appointments"] == "'Appointments'!$1:$1"
    assert "Clients" not in titles_now
    new_tab = tab_title(RUNS, "en")
    assert filter_ref(path, new_tab) == f"A1:{last_column(path, new_tab)}1"
    styles = Styles(path)
    assert styles.font(header_style(path, new_tab)) == {"name": "Arial", "sz": "10", "b": "1"}
    before = path.read_bytes()
    assert XlsxStore(path).lay_out(Layout(ALL_TABS)) == []  # a second init has nothing to add
    assert path.read_bytes() == before


def arial(path: Path) -> None:
    """The workbook's default font made Arial 10, as a studio's template may have it."""
    found = parts(path)
    found["xl/styles.xml"] = re.sub(rb"<font>.*?</font>",
                                    b'<font><sz val="10"/><name val="Arial"/><family val="2"/>'
                                    b"</font>", found["xl/styles.xml"], count=1, flags=re.DOTALL)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in found.items():
            zout.writestr(name, data)


def parts_of_tab(path: Path, title: str) -> bytes:
    from sheetsync.stores.xlsxpatch import sheet_parts

    found = parts(path)
    return found[sheet_parts(found["xl/workbook.xml"], found["xl/_rels/workbook.xml.rels"])[title]]


def test_new_columns_join_the_tabs_filter(tmp_path: Path):
    path = tmp_path / "studio.xlsx"
    XlsxStore(path).lay_out(Layout(ALL_TABS))
    with_sheet_edited(path, "Runs", {  # an older Runs tab: its last two columns not yet there
        rb'<c r="L1"[^>]*>.*?</c><c r="M1"[^>]*>.*?</c>': b"",
        rb'<autoFilter ref="A1:M1"/>': b'<autoFilter ref="A1:K1"/>'})
    with_part_edited(path, "xl/workbook.xml", {rb"'Runs'!\$A\$1:\$M\$1": b"'Runs'!$A$1:$K$1"})
    said = XlsxStore(path).lay_out(Layout(ALL_TABS))
    assert said == ["added column(s) seconds, result to Runs"]
    assert filter_ref(path, "Runs") == "A1:M1"


# -- a Google Sheet --------------------------------------------------------------------------
def test_a_google_sheet_gets_a_filter_on_every_tab_and_lira_in_money_columns(
        server: LocalSheets, account: ServiceAccount):  # noqa: F811
    sheet_id = server.create_spreadsheet("Stüdyo")
    store = GoogleStore(sheet_id, account, endpoint=server.base_url, locale="tr",
                        currency="TRY")
    layout = localized_layout(Layout((CLIENTS, APPOINTMENTS, RUNS)), "tr")
    store.lay_out(layout)
    book = server.spreadsheet(sheet_id)
    for tab in layout.tabs:
        found = book.find_title(tab.name)
        assert found is not None
        assert found.extras["basicFilter"]["range"] == {
            "sheetId": found.sheet_id, "startRowIndex": 0, "startColumnIndex": 0,
            "endColumnIndex": len(tab.columns)}
    appointments = book.find_title(tab_title(APPOINTMENTS, "tr"))
    assert appointments is not None
    price = column_index("Appointments", "price") - 1
    assert appointments.cell(0, price)["userEnteredValue"]["stringValue"] == column_title(
        APPOINTMENTS.column("price"), "tr")
    assert appointments.cell(1, price)["userEnteredFormat"]["numberFormat"] == {
        "type": "CURRENCY", "pattern": '"₺"#,##0.00'}


def test_init_gives_a_google_sheets_own_tabs_the_filter_they_lack(
        server: LocalSheets, account: ServiceAccount,  # noqa: F811
        studio_client: gspread.Client):  # noqa: F811
    sheet_id = server.create_spreadsheet("Studio")
    GoogleStore(sheet_id, account, endpoint=server.base_url).lay_out(Layout((CLIENTS, RUNS)))
    studio = studio_client.open_by_key(sheet_id)
    for title in ("Clients", "Runs"):  # the studio removes both filters
        studio.worksheet(title).clear_basic_filter()
    again = GoogleStore(sheet_id, account, endpoint=server.base_url, locale="de")
    assert again.lay_out(Layout((CLIENTS, RUNS), locale="de")) == [
        "Tabellenblatt Runs: Filter eingerichtet"]
    book = server.spreadsheet(sheet_id)
    runs, clients = book.find_title("Runs"), book.find_title("Clients")
    assert runs is not None and clients is not None
    assert runs.extras["basicFilter"]["range"]["endColumnIndex"] == len(RUNS.columns)
    assert "basicFilter" not in clients.extras  # the studio's own tab: left as they made it
    assert again.lay_out(Layout((CLIENTS, RUNS))) == []


# -- a workbook only openpyxl can rewrite (--rewrite) gets the same ----------------------------
def test_a_rewritten_workbook_gets_the_same_filters_print_setup_fonts_and_money(tmp_path: Path):
    path = tmp_path / "studio.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Appointments"
    wb.active.append(list(APPOINTMENTS.column_names))
    wb.active.append(["E1-1-01", "E1", 1, 1])
    wb.save(path)
    with_part_edited(path, "xl/worksheets/sheet1.xml", {  # elements with a prefix: no patching
        rb' xmlns="http://schemas': b' xmlns:x="http://schemas'})
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    with_part_edited(path, "xl/worksheets/sheet1.xml", {
        re.escape(xml): re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", xml)})
    store = XlsxStore(path, currency="EUR", locale="de", rewrite=True)
    store.lay_out(Layout(ALL_TABS, locale="de"))
    assert store.wrote_with == "openpyxl"
    for title in ("Appointments", "Runs"):
        column, row = last_column(path, title), last_row(path, title)
        assert filter_ref(path, title) == f"A1:{column}{row}"
        assert filter_names(path)[title] == f"'{title}'!$A$1:${column}${row}"
        assert page_setup(path, title) == ON_A4
        assert print_titles(path)[title] == f"'{title}'!$1:$1"
    styles = Styles(path)
    default = Styles.describe(styles.fonts[0])
    assert styles.font(header_style(path, "Runs")) == {**default, "b": "1"}
    price = column_style(path, "Balances", column_index("Balances", "price"))
    assert styles.number_format(price) == '#,##0.00 "€"'
