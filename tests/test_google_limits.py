"""Google's limits, over real HTTP to the local Sheets API.

- the read is split so no values.batchGet covers more than READ_CELLS grid cells, and the
  Table it builds is the one an unsplit read builds;
- a studio of about 16,000 appointments still syncs in 3 requests when nothing changed;
- tabs made by `init` are as wide as their columns (empty columns count against the cap);
- a write refused for the 10-million-cell cap is one sentence and exit 2, and nothing of
  it was written;
- replies travel gzipped and compact (prettyPrint=false);
- the guard re-read and the question about error cells are split the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.cli import cli
from sheetsync.errors import WorkbookBusy
from sheetsync.schema import ALL_TABS
from sheetsync.stores import gsheets_errors, gsheets_http
from sheetsync.stores import gsheets_wire as wire
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount, service_account
from sheetsync.stores.gsheets_http import RetryPolicy, SheetFull
from tests.google_fixtures import account, server, studio_client
from tests.google_studio import records, studio_of

__all__ = ["account", "server", "studio_client"]  # fixtures
FIRST = datetime(2026, 11, 29, 12, 0)
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.05, connect_timeout=2, read_timeout=30)


def grid_sizes(server: LocalSheets, sheet: str) -> dict[str, tuple[int, int]]:
    return {s["properties"]["title"]: (s["properties"]["gridProperties"]["rowCount"],
                                       s["properties"]["gridProperties"]["columnCount"])
            for s in server.metadata(sheet)["sheets"]}


def new_store(server: LocalSheets, account: ServiceAccount, sheet: str) -> GoogleStore:
    return GoogleStore(sheet, account, endpoint=server.base_url, policy=FAST)


# -- split reads --------------------------------------------------------------------------
def _big_tab(server: LocalSheets) -> str:
    """Big: 130 rows x 4 columns with empty rows across block borders and at the end,
    ragged rows, a column empty but for one cell; Small: 3 rows."""
    rows: list[list[Any]] = [["id", "name", "n", "note"]]
    for r in range(2, 121):
        if r % 25 in (0, 1, 2) or 60 <= r <= 80:  # empty around the borders of 25-row blocks
            rows.append([])
        elif r % 7 == 0:
            rows.append([f"A{r}"])
        else:
            rows.append([f"A{r}", f"name {r}", r * 1.5, "x" if r == 99 else ""])
    sheet = server.create_spreadsheet("Split", [
        {"title": "Small", "gridProperties": {"rowCount": 10, "columnCount": 3}},
        {"title": "Big", "gridProperties": {"rowCount": 130, "columnCount": 4}},
        {"title": "Empty", "gridProperties": {"rowCount": 60, "columnCount": 2}}])
    with server.service.lock:
        book = server.service.book(sheet)
        small, big = book.sheets[0], book.sheets[1]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    kind = "numberValue" if isinstance(value, float) else "stringValue"
                    big.put(r, c, {"userEnteredValue": {kind: value}})
        for r, row in enumerate([["a", "b"], ["1", ""], ["", "2"]]):
            for c, value in enumerate(row):
                if value:
                    small.put(r, c, {"userEnteredValue": {"stringValue": value}})
    return sheet


def test_a_tab_bigger_than_one_request_reads_as_one_unsplit_read(
        server: LocalSheets, account: ServiceAccount) -> None:
    sheet = _big_tab(server)
    whole = new_store(server, account, sheet)
    server.reset_stats()
    expected = whole.read()
    assert server.stats()["requests"]["values.batchGet"] == 1
    assert len(expected["Big"].rows) == 119  # row 120 is its last filled row

    for budget in (100, 77, 600, 4):
        split = new_store(server, account, sheet)
        split.read_cells = budget
        server.reset_stats()
        tables = split.read()
        assert {t: (v.header, v.rows) for t, v in tables.items()} == {
            t: (v.header, v.rows) for t, v in expected.items()}, budget
        batch_gets = server.stats()["requests"]["values.batchGet"]
        assert batch_gets == len(wire.read_requests(split._sheets.values(), budget))
        assert batch_gets > 1
    assert wire.read_requests(split._sheets.values(), 100) == [  # each fills the room left
        [wire.Block("Small", 1, 10, 1, 3, whole=True), wire.Block("Big", 1, 17, 1, 4)],
        *([wire.Block("Big", first, first + 24, 1, 4)] for first in (18, 43, 68, 93)),
        [wire.Block("Big", 118, 130, 1, 4, to_end=True), wire.Block("Empty", 1, 24, 1, 2)],
        [wire.Block("Empty", 25, 60, 1, 2, to_end=True)]]
    assert wire.read_requests(split._sheets.values(), 600) == [  # small tabs share one
        [wire.Block("Small", 1, 10, 1, 3, whole=True), wire.Block("Big", 1, 130, 1, 4, whole=True)],
        [wire.Block("Empty", 1, 60, 1, 2, whole=True)]]


def test_the_last_block_of_a_split_read_notices_rows_added_meanwhile() -> None:
    first = wire.Block("Big", 1, 25, 1, 4)
    last = wire.Block("Big", 26, 40, 1, 4, to_end=True)
    assert last.range == "'Big'!A26:D" and first.range == "'Big'!A1:D25"
    joined = wire.joined([(first, {"range": "Big!A1:D25", "values": [["id"], ["1"]]}),
                          (last, {"range": "Big!A26:D40", "values": [[], ["26"]]})])
    assert joined["values"] == [["id"], ["1"]] + [[]] * 23 + [[], ["26"]]
    with pytest.raises(wire.RowsMoved):
        wire.joined([(first, {"range": "Big!A1:D25"}), (last, {"range": "Big!A26:D41"})])


def test_a_guard_re_read_of_a_big_tab_is_split_too() -> None:
    spans = wire.guard_blocks("Appointments", [(1, 1), (5, 6)], 1000, budget=1200)
    assert [[b.range for b in span] for span in spans] == [
        ["'Appointments'!A:A"], ["'Appointments'!E1:F600", "'Appointments'!E601:F"]]
    spans = wire.guard_blocks("Appointments", [(1, 1), (3, 3), (5, 6)], 1000, budget=2000)
    assert [[b.range for b in r] for r in wire.packed([b for s in spans for b in s], 2000)] == [
        ["'Appointments'!A:A", "'Appointments'!C:C"], ["'Appointments'!E:F"]]


# -- request counts at the benchmark's S ---------------------------------------------------
def test_a_studio_of_16000_appointments_syncs_in_three_requests_when_nothing_changed(
        server: LocalSheets, account: ServiceAccount, studio_client: Any) -> None:
    """The benchmark's S studio has 16,676 appointment rows: its grid, as `init` and
    growth size it, still reads in one values.batchGet (26 columns a tab did not)."""
    sheet = server.create_spreadsheet("Studio")
    new_store(server, account, sheet).lay_out(Layout(ALL_TABS, records(studio_of(3))))
    engine.sync(new_store(server, account, sheet), FIRST, started_at=FIRST)
    sizes = grid_sizes(server, sheet)
    assert {t.name: sizes[t.name][1] for t in ALL_TABS} == {t.name: len(t.columns)
                                                           for t in ALL_TABS}
    book = studio_client.open_by_key(sheet)
    rows = {"Appointments": 17_177, "Payments": 2_621, "Balances": 2_467,
            "Notifications": 2_393, "Runs": 1_597}  # S as generated, plus growth's slack
    for title, height in rows.items():
        book.worksheet(title).add_rows(height - sizes[title][0])
    grid = sum(r * c for r, c in grid_sizes(server, sheet).values())
    assert wire.READ_CELLS >= grid > 450_000

    server.reset_stats()
    report = engine.sync(new_store(server, account, sheet), FIRST, started_at=FIRST)
    assert report.plan.empty
    assert server.stats()["requests"] == {"spreadsheets.get": 1, "values.batchGet": 1,
                                          "values.batchUpdate": 1}


# -- gzip and compact JSON on the wire -----------------------------------------------------
def test_replies_travel_gzipped_and_compact(server: LocalSheets,
                                            account: ServiceAccount) -> None:
    sheet = server.create_spreadsheet("Studio")
    new_store(server, account, sheet).lay_out(Layout(ALL_TABS, records(studio_of(40))))
    engine.sync(new_store(server, account, sheet), FIRST, started_at=FIRST)
    server.reset_stats()
    read = new_store(server, account, sheet).read()
    traffic = server.traffic()
    assert {name: t["gzipped"] for name, t in traffic.items()} == {
        "spreadsheets.get": 1, "values.batchGet": 1}
    batch_get = traffic["values.batchGet"]
    assert batch_get["largest_reply_on_wire"] * 5 < batch_get["largest_reply"]
    compact = json.dumps({"valueRanges": [{"values": [[v for v in r] for r in t.rows]}
                                          for t in read.values()]}, separators=(",", ":"))
    assert batch_get["largest_reply"] < 1.5 * len(compact.encode())  # not indented


# -- the cell cap --------------------------------------------------------------------------
@pytest.fixture
def capped() -> Iterator[LocalSheets]:
    with LocalSheets(quota_per_minute=None) as running:
        yield running


def test_a_sync_refused_for_the_cell_cap_says_so_in_one_sentence_and_writes_nothing(
        capped: LocalSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = service_account(capped.service_account_info())
    sheet = capped.create_spreadsheet("Studio")
    new_store(capped, owner, sheet).lay_out(Layout(ALL_TABS, records(studio_of(110))))
    laid_out = sum(r * c for r, c in grid_sizes(capped, sheet).values())
    assert laid_out == sum(1000 * len(t.columns) for t in ALL_TABS)  # no empty columns
    capped.set_cell_limit(laid_out + 5_000)  # 1,100 appointments need 601 more rows of 17
    before = {t.name: capped.values(sheet, t.name) for t in ALL_TABS}

    key = tmp_path / "key.json"
    key.write_text(json.dumps(capped.service_account_info()), encoding="utf-8")
    key.chmod(0o600)
    (tmp_path / "sheetsync.yaml").write_text(yaml.safe_dump({
        "timezone": "Europe/Istanbul", "currency": "TRY",
        "google": {"credentials": key.name, "endpoint": capped.base_url}}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETSYNC_CONFIG", raising=False)
    monkeypatch.setattr(gsheets_http, "DEFAULT_POLICY", FAST)
    result = CliRunner().invoke(cli, ["--quiet", "sync", sheet, "--now", "2026-11-29T12:00"],
                                catch_exceptions=False)
    assert result.exit_code == 2, result.output
    first = result.output.strip().splitlines()[0]
    assert first == (
        f"Error: The Google Sheet {sheet} is full: Google allows {laid_out + 5_000:,} cells per "
        "spreadsheet and sheetsync needed room for more, so nothing was written; archive old "
        "appointments or move past months' history to another spreadsheet, then run "
        "sheetsync again.")
    assert "Traceback" not in result.output
    assert {t.name: capped.values(sheet, t.name) for t in ALL_TABS} == before
    assert grid_sizes(capped, sheet)["Appointments"] == (1000, 17)

    capped.set_cell_limit(laid_out + 20_000)  # room again: the same sync goes through
    result = CliRunner().invoke(cli, ["--quiet", "sync", sheet, "--now", "2026-11-29T12:00"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert len(capped.values(sheet, "Appointments")) == 1 + 1_100


def test_google_s_own_cap_reads_as_ten_million_and_init_says_what_was_left() -> None:
    full = SheetFull("1abc", 10_000_000).left("no tab, column or row was added")
    assert str(full) == (
        "The Google Sheet 1abc is full: Google allows 10 million cells per spreadsheet and "
        "sheetsync needed room for more, so no tab, column or row was added; archive old "
        "appointments or move past months' history to another spreadsheet, then run "
        "sheetsync again.")


def test_the_error_cell_question_stays_bounded_however_many_rows_lie_between() -> None:
    spots = [("Clients", 2, 2), ("Clients", 900, 2), ("Clients", 600_000, 2),
             ("Appointments", 5, 8)] + [("Balances", r, 3) for r in range(2, 250_002)]
    assert gsheets_errors.ranges_of(spots) == [
        "'Clients'!B2:B900", "'Clients'!B600000:B600000", "'Appointments'!H5:H5",
        "'Balances'!C2:C250001"]
    assert gsheets_errors.requests_of(spots, budget=100_000) == [
        ["'Clients'!B2:B900", "'Clients'!B600000:B600000", "'Appointments'!H5:H5",
         "'Balances'!C2:C99100"],
        ["'Balances'!C99101:C199100"], ["'Balances'!C199101:C250001"]]


def test_a_sync_whose_reads_and_guard_re_read_are_split_writes_what_an_unsplit_one_writes(
        server: LocalSheets, account: ServiceAccount) -> None:
    later = datetime(2026, 12, 9, 12, 0)  # sessions held: their rows are guarded
    sheets = []
    for budget in (wire.READ_CELLS, 2_000):
        sheet = server.create_spreadsheet("Studio")
        new_store(server, account, sheet).lay_out(Layout(ALL_TABS, records(studio_of(6))))
        for now in (FIRST, later):
            store = new_store(server, account, sheet)
            store.read_cells = budget
            server.reset_stats()
            report = engine.sync(store, now, started_at=now)
        assert report.plan.completed and store.rows_left_alone == 0
        sheets.append((sheet, server.stats()["requests"]))
    (whole, unsplit), (split, requests) = sheets
    assert unsplit == {"spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1}
    assert requests["values.batchGet"] > 20  # 2,000 grid cells a request
    runs = server.values(split, "Runs", "UNFORMATTED_VALUE")
    last = dict(zip(runs[0], runs[-1], strict=False))
    assert (last["reads"], last["writes"]) == (
        requests["spreadsheets.get"] + requests["values.batchGet"], 1)  # guard re-reads too
    for tab in ALL_TABS:
        if tab.name != "Runs":
            assert server.values(split, tab.name) == server.values(whole, tab.name), tab.name


def test_rows_removed_between_the_requests_of_a_split_read_mean_run_again(
        server: LocalSheets, account: ServiceAccount) -> None:
    sheet = server.create_spreadsheet("Rows", [
        {"title": "Big", "gridProperties": {"rowCount": 100, "columnCount": 4}}])
    store = new_store(server, account, sheet)
    store.read()  # the sizes, as the first request of a read sees them
    with server.service.lock:  # the studio deletes 30 rows before the last block is read
        server.service.book(sheet).sheets[0].delete_dimension(True, 0, 30)
    with pytest.raises(WorkbookBusy, match="Rows were removed in the Google Sheet while "
                                           "sheetsync was reading it; nothing was written"):
        store._get_blocks([[wire.Block("Big", 76, 100, 1, 4, to_end=True)]])
