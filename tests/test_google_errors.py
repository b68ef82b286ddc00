"""On a Google Sheet, error cells (#N/A, #DIV/0!) are problems, never text or ids.

values.batchGet reads an error cell as its text, the same as a studio that typed that
text; the store asks Google which it is with one more spreadsheets.get, made only when
some cell reads exactly as an error code. Everything runs against the local Sheets API:
the studio types formulas (USER_ENTERED) and text (RAW) with its own gspread client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import gspread

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.cells import Unusable, error_value
from sheetsync.schema import ALL_TABS
from sheetsync.stores import gsheets_errors
from sheetsync.stores.base import Layout, Table
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from tests.google_fixtures import account, server, studio_client
from tests.studio import parse_tables

__all__ = ["account", "server", "studio_client"]  # fixtures

STUDIO = """
Packages
package_id | name      | sessions | price
P10        | Physio 10 | 10       | 4000
P5         | Pilates 5 | 5        | 2000

Staff
staff_id | name | commission_rate
ST1      | Elif | 40%

Clients
client_id | name
C1        | Ayse
C2        | Deniz
C3        | Can

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | P10        | 2026-11-30 | ST1      | Mon 14:00
E2            | C2        | P5         | 2026-11-30 | ST1      | Tue 10:00
E3            | C3        | P5         | 2026-11-30 | ST1      | Wed 10:00
"""
FIRST = datetime(2026, 11, 29, 12, 0)
LATER = datetime(2026, 12, 10, 12, 0)  # two Tuesdays, two Wednesdays and two Mondays held
DIVIDE_BY_ZERO = "price shows the error #DIV/0!: fix the formula or type the value."
NOT_AVAILABLE = "client_id shows the error #N/A: fix the formula or type the value."


def new_studio(server: LocalSheets, account: ServiceAccount, source: str = STUDIO) -> str:
    """A Google Sheet laid out by init with the studio's rows, synced once at FIRST."""
    sheet = server.create_spreadsheet("Studio")
    rows = {name: [dict(zip(t.header, r, strict=True)) for r in t.rows]
            for name, t in parse_tables(source).items()}
    GoogleStore(sheet, account, endpoint=server.base_url).lay_out(Layout(ALL_TABS, rows))
    engine.sync(store(server, account, sheet), FIRST, started_at=FIRST)
    return sheet


def store(server: LocalSheets, account: ServiceAccount, sheet: str) -> GoogleStore:
    return GoogleStore(sheet, account, endpoint=server.base_url)


def type_in(client: gspread.Client, sheet: str, tab: str, cell: str, value: str, *,
            formula: bool) -> None:
    """The studio types into one cell: a formula is entered as in the Sheets editor."""
    client.open_by_key(sheet).worksheet(tab).update(
        [[value]], cell, value_input_option="USER_ENTERED" if formula else "RAW")


def rows_of(server: LocalSheets, sheet: str, tab: str,
            render: str = "UNFORMATTED_VALUE") -> list[dict[str, Any]]:
    values = server.values(sheet, tab, render)
    return [dict(zip(values[0], row + [""] * (len(values[0]) - len(row)), strict=True))
            for row in values[1:]]


def appointments(server: LocalSheets, sheet: str, enrollment_id: str) -> list[dict[str, Any]]:
    return [r for r in rows_of(server, sheet, "Appointments") if r["enrollment_id"] == enrollment_id]


def balances(server: LocalSheets, sheet: str, enrollments: tuple[str, ...]) \
        -> list[dict[str, Any]]:
    return [b for b in rows_of(server, sheet, "Balances") if b["enrollment_id"] in enrollments]


def requests_of(server: LocalSheets) -> dict[str, int]:
    return dict(server.stats()["requests"])


def problems_of(report: engine.SyncReport | engine.CheckReport) -> list[tuple[Any, ...]]:
    return [(p.tab, p.row, p.column, p.value, p.problem) for p in report.problems]


# -- the local API answers as Google does ---------------------------------------------------
def test_the_local_api_answers_error_cells_as_google_does(server: LocalSheets,
                                                          account: ServiceAccount,
                                                          studio_client: gspread.Client):
    sheet = server.create_spreadsheet("Cells", ["Tab"])
    book = studio_client.open_by_key(sheet).worksheet("Tab")
    book.update([["=1/0", "=NA()", '="#N/A"']], "A1", value_input_option="USER_ENTERED")
    book.update([["#N/A"]], "D1", value_input_option="RAW")
    assert server.values(sheet, "Tab", "UNFORMATTED_VALUE") == [
        ["#DIV/0!", "#N/A", "#N/A", "#N/A"]]
    body = studio_client.http_client.fetch_sheet_metadata(
        sheet, params={"ranges": ["'Tab'!A1:D1"], "fields": gsheets_errors.FIELDS})
    [grid] = body["sheets"][0]["data"]
    effective = [v["effectiveValue"] for v in grid["rowData"][0]["values"]]
    assert [e.get("errorValue", {}).get("type") for e in effective] == [
        "DIVIDE_BY_ZERO", "N_A", None, None]
    assert all(e["errorValue"]["message"] not in ("#DIV/0!", "#N/A") for e in effective[:2])
    assert effective[2:] == [{"stringValue": "#N/A"}, {"stringValue": "#N/A"}]


# -- error cells are problems that hold their rows -----------------------------------------
def test_error_formulas_are_problems_that_hold_their_rows(server: LocalSheets,
                                                          account: ServiceAccount,
                                                          studio_client: gspread.Client):
    sheet = new_studio(server, account)
    held = ("E1", "E3")
    before = ({e: appointments(server, sheet, e) for e in held}, balances(server, sheet, held))
    type_in(studio_client, sheet, "Packages", "D2", "=D3*2/0", formula=True)  # P10's price
    type_in(studio_client, sheet, "Enrollments", "B4", "=NA()", formula=True)  # E3's client

    checked = engine.check(store(server, account, sheet), LATER)
    synced = engine.sync(store(server, account, sheet), LATER, started_at=LATER)

    for report in (checked, synced):
        assert report.exit_code == 1
        found = problems_of(report)
        assert ("Packages", 2, "price", "#DIV/0!", DIVIDE_BY_ZERO) in found
        assert ("Enrollments", 4, "client_id", "#N/A", NOT_AVAILABLE) in found
        assert not [p for p in found if p[1:3] == (4, "client_id") and p[4] != NOT_AVAILABLE]
    # E1 (its package's price) and E3 (its client) are held: their past sessions stay
    # pending, nothing is re-planned; E2 goes on as usual.
    assert ({e: appointments(server, sheet, e) for e in held},
            balances(server, sheet, held)) == before
    assert [a["status"] for a in appointments(server, sheet, "E2")][:2] == ["completed"] * 2
    problems = rows_of(server, sheet, "Problems")
    assert {(p["tab"], p["row"], p["column"], p["problem"]) for p in problems} >= {
        ("Packages", 2, "price", DIVIDE_BY_ZERO), ("Enrollments", 4, "client_id", NOT_AVAILABLE)}
    # the studio's formulas are where it typed them
    assert rows_of(server, sheet, "Packages", "FORMULA")[0]["price"] == "=D3*2/0"
    assert rows_of(server, sheet, "Enrollments", "FORMULA")[2]["client_id"] == "=NA()"


def test_a_client_named_like_an_error_stays_a_name(server: LocalSheets, account: ServiceAccount,
                                                   studio_client: gspread.Client):
    sheet = new_studio(server, account, STUDIO.replace("C2        | Deniz", "C2        | #N/A"))
    type_in(studio_client, sheet, "Clients", "B4", "#REF!", formula=False)  # C3, typed as text
    tables = store(server, account, sheet).read()
    assert [r[1] for r in tables["Clients"].rows] == ["Ayse", "#N/A", "#REF!"]

    report = engine.sync(store(server, account, sheet), LATER, started_at=LATER)
    assert report.problems == []
    names = {b["enrollment_id"]: b["client_name"] for b in rows_of(server, sheet, "Balances")}
    assert names == {"E1": "Ayse", "E2": "#N/A", "E3": "#REF!"}
    assert {a["client_name"] for a in appointments(server, sheet, "E2")} == {"#N/A"}
    assert [a["status"] for a in appointments(server, sheet, "E3")][:2] == ["completed"] * 2


# -- what it costs ----------------------------------------------------------------------------
def test_the_extra_request_is_made_only_when_a_value_reads_as_an_error_code(
        server: LocalSheets, account: ServiceAccount, studio_client: gspread.Client):
    sheet = new_studio(server, account)
    server.reset_stats()
    engine.sync(store(server, account, sheet), FIRST, started_at=FIRST)
    assert requests_of(server) == {"spreadsheets.get": 1, "values.batchGet": 1,
                                   "values.batchUpdate": 1}

    type_in(studio_client, sheet, "Clients", "B3", "#N/A", formula=False)
    server.reset_stats()
    engine.sync(store(server, account, sheet), FIRST, started_at=FIRST)
    assert requests_of(server)["spreadsheets.get"] == 2  # typed text: asked, stays text

    # error cells in many rows of two tabs (a lookup column of the studio's own, never
    # read, and a price): still one more request
    book = studio_client.open_by_key(sheet)
    book.worksheet("Clients").add_cols(3)  # init makes a tab as wide as its columns
    book.worksheet("Clients").update([["=NA()"]] * 3, "H2", value_input_option="USER_ENTERED")
    type_in(studio_client, sheet, "Packages", "D3", "=1/0", formula=True)
    server.reset_stats()
    report = engine.sync(store(server, account, sheet), FIRST, started_at=FIRST)
    assert requests_of(server)["spreadsheets.get"] == 2
    runs = rows_of(server, sheet, "Runs")
    stats = requests_of(server)
    assert runs[-1]["reads"] == stats["spreadsheets.get"] + stats["values.batchGet"]
    assert sorted(p[:3] for p in problems_of(report)) == [
        ("Enrollments", 3, "package_id"), ("Enrollments", 4, "package_id"),
        ("Packages", 3, "price")]


def test_the_guard_re_read_compares_what_the_read_read(server: LocalSheets,
                                                       account: ServiceAccount,
                                                       studio_client: gspread.Client):
    """An appointment whose price shows an error is still completed, the formula kept:
    the guard re-read sees "#DIV/0!" where the read saw "#DIV/0!", so nothing moved on."""
    sheet = new_studio(server, account)
    row = 2 + [r["appointment_id"] for r in rows_of(server, sheet, "Appointments")].index(
        "E2-1-01")
    type_in(studio_client, sheet, "Appointments", f"M{row}", "=1/0", formula=True)
    google = store(server, account, sheet)
    report = engine.sync(google, LATER, started_at=LATER)
    assert problems_of(report) == [("Appointments", row, "price", "#DIV/0!", DIVIDE_BY_ZERO)]
    assert google.rows_left_alone == 0 and google.tabs_left_alone == []
    [first] = [a for a in appointments(server, sheet, "E2") if a["appointment_id"] == "E2-1-01"]
    assert first["status"] == "completed"
    assert rows_of(server, sheet, "Appointments", "FORMULA")[row - 2]["price"] == "=1/0"


# -- the pure parts ---------------------------------------------------------------------------
def test_only_google_error_codes_are_suspects():
    codes = set(gsheets_errors.GOOGLE_ERROR_CODES)
    assert codes == {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                     "#ERROR!", "#GETTING_DATA"}
    table = Table("Clients", ["client_id", "#N/A"],
                  [["#N/A ", "#n/a", 7, "#SPILL!"], [None, "#DIV/0!"]])
    assert gsheets_errors.suspects({"Clients": table}) == [("Clients", 1, 2), ("Clients", 3, 2)]


def test_one_range_per_tab_and_column():
    spots = [("Clients", 2, 2), ("Clients", 9, 2), ("It's", 4, 28), ("Clients", 5, 1)]
    assert gsheets_errors.ranges_of(spots) == ["'Clients'!B2:B9", "'It''s'!AB4:AB4",
                                               "'Clients'!A5:A5"]


def test_a_cell_is_text_only_when_google_shows_that_same_text():
    table = Table("T", ["a", "b", "c"], [["#N/A", "#N/A", "#REF!"]])
    reply = {"sheets": [{"properties": {"title": "T"}, "data": [
        {"startRow": 1, "rowData": [{"values": [
            {"effectiveValue": {"errorValue": {"type": "N_A", "message": "x"}}},
            {"effectiveValue": {"stringValue": "#N/A"}},
            {"effectiveValue": {"numberValue": 5}}]}]}]}]}  # c changed between the reads
    spots = gsheets_errors.suspects({"T": table})
    assert gsheets_errors.mark_errors({"T": table}, spots, reply) == 2
    assert table.rows == [[error_value("#N/A"), "#N/A", error_value("#REF!")]]
    assert isinstance(table.rows[0][0], Unusable)
