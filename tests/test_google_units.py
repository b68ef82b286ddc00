"""The pure parts of the Google backend: addresses, keys, A1 ranges, bodies, remapping, retries."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from localsheets.a1 import parse_a1
from sheetsync.errors import UserError
from sheetsync.schema import APPOINTMENTS, CLIENTS, Kind
from sheetsync.stores.base import TabChanges, Table, WorkbookChanges
from sheetsync.stores.gsheets_access import (
    api_base,
    load_service_account,
    service_account,
    spreadsheet_id,
)
from sheetsync.stores.gsheets_http import (
    RetryPolicy,
    _never_connected,
    is_idempotent,
)
from sheetsync.stores.gsheets_wire import (
    RowsMoved,
    SheetInfo,
    a1,
    checked_guards,
    choices_of,
    deletion_runs,
    key_column,
    quote,
    remap,
    table_from_values,
    to_json,
    value_ranges,
    verdict,
    write_plan,
)
from sheetsync.stores.memory import apply_to_table

ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcd"


# -- addresses and keys ------------------------------------------------------------------
@pytest.mark.parametrize("workbook", [
    ID, f"https://docs.google.com/spreadsheets/d/{ID}", f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0",
    f"https://docs.google.com/spreadsheets/u/1/d/{ID}/edit?usp=sharing"])  # fmt: skip
def test_a_spreadsheet_id_comes_from_a_url_or_stands_alone(workbook: str):
    assert spreadsheet_id(workbook) == ID


@pytest.mark.parametrize("workbook", ["https://example.com/x", "ftp://docs.google.com/spreadsheets/d/" + ID, "studio.ods", "short"])  # fmt: skip
def test_anything_else_is_not_a_google_sheet(workbook: str):
    with pytest.raises(UserError):
        spreadsheet_id(workbook)


@pytest.mark.parametrize("endpoint, base", [
    (None, "https://sheets.googleapis.com"), ("https://proxy.example/", "https://proxy.example"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"), ("http://localhost:1", "http://localhost:1"),
    ("http://[::1]:9", "http://[::1]:9"), ("http://127.8.0.1", "http://127.8.0.1")])  # fmt: skip
def test_the_endpoint_is_https_or_this_machine(endpoint: str | None, base: str):
    assert api_base(endpoint) == base


@pytest.mark.parametrize("endpoint", ["http://10.0.0.5", "http://sheets.example", "ftp://x", "http://localhost.example"])  # fmt: skip
def test_plain_http_elsewhere_is_refused(endpoint: str):
    with pytest.raises(UserError, match="must start with https://"):
        api_base(endpoint)


def test_a_key_file_is_found_and_checked(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(UserError, match=r"google\.credentials"):
        load_service_account(None)
    with pytest.raises(UserError, match="does not exist"):
        load_service_account(str(tmp_path / "missing.json"))
    info = {"type": "service_account", "client_email": "a@p.iam.gserviceaccount.com",
            "private_key": "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n",
            "token_uri": "https://oauth2.googleapis.com/token"}
    account = service_account(info)
    assert account.email == "a@p.iam.gserviceaccount.com"
    with pytest.raises(UserError) as err:
        account.credentials()
    assert "secret" not in str(err.value) and "cannot be read" in str(err.value)


# -- values ------------------------------------------------------------------------------
def test_values_are_sent_raw_with_dates_as_serial_numbers():
    assert to_json(None) == ""
    assert to_json("=SUM(A1)") == "=SUM(A1)"
    assert to_json(Decimal("133.33")) == 133.33 and to_json(Decimal("1000")) == 1000
    assert to_json(date(2026, 12, 1)) == 46357
    assert to_json(time(14, 0)) == pytest.approx(14 / 24)
    assert to_json(datetime(2026, 12, 1, 18, 0)) == 46357.75
    assert to_json(True) is True


def test_a_table_is_trimmed_padded_and_blank_cells_are_none():
    table = table_from_values("T", [["a", "b"], ["x"], [], ["", 2, "", ""], [""], []])
    assert table.header == ["a", "b", None, None]
    assert table.rows == [["x", None, None, None], [None] * 4, [None, 2, None, None]]
    assert table_from_values("T", []).header == []


@pytest.mark.parametrize("title", ["Appointments", "Studio's tab", "A1", "with space"])
def test_a1_ranges_quote_every_title(title: str):
    text = a1(title, 2, 1, 5, 16)
    assert text.startswith(quote(title) + "!")
    parsed = parse_a1(text)
    assert parsed.sheet == title


def test_cells_become_one_value_range_per_run_of_rows_with_nulls_where_nothing_changes():
    cells = {(2, 12): "completed", (3, 12): "completed", (3, 9): 46357, (7, 1): "x"}
    assert value_ranges("Appointments", cells) == [
        {"range": "'Appointments'!I2:L3",
         "values": [[None, None, None, "completed"], [46357, None, None, "completed"]]},
        {"range": "'Appointments'!A7:A7", "values": [["x"]]},
    ]


def test_deletions_go_bottom_up_in_runs():
    assert deletion_runs({3, 4, 6, 9, 10, 11}) == [(9, 3), (6, 1), (3, 2)]
    assert remap(8, [3, 4, 6]) == 5 and remap(2, [3, 4, 6]) == 2 and remap(5, [3, 4, 6]) == 3


rows_strategy = st.lists(st.lists(st.one_of(st.none(), st.text(min_size=1, max_size=3),
                                            st.integers(-5, 5)), max_size=4), max_size=8)


@given(rows_strategy, st.sets(st.integers(2, 12)),
       st.dictionaries(st.tuples(st.integers(2, 14), st.integers(1, 5)),
                       st.one_of(st.none(), st.text(min_size=1, max_size=3)), max_size=12))
def test_a_write_plan_does_what_memory_does(rows, deletes, updates):
    """Structure then remapped values, replayed on a grid, equals the reference semantics.

    Deletions name rows of the table as read, as every change does.
    """
    deletes = {d for d in deletes if d <= len(rows) + 1}
    reference = Table("T", ["h1", "h2"], [list(r) for r in rows])
    changes = TabChanges(updates=dict(updates), deletes=deletes)
    apply_to_table(reference, changes)
    grid = [["h1", "h2"], *[list(r) for r in rows]]
    info = SheetInfo(7, "T", rows=len(grid) + 3, columns=5)
    plan = write_plan(WorkbookChanges({"T": changes}), {"T": info})
    for request in plan.structure:
        if "deleteDimension" in request:
            span = request["deleteDimension"]["range"]
            del grid[span["startIndex"]:span["endIndex"]]
    for value_range in plan.data:
        start, _, _ = value_range["range"].partition(":")
        first_row = int("".join(ch for ch in start.split("!")[1] if ch.isdigit()))
        first_col = ord(start.split("!")[1][0]) - 64
        for i, line in enumerate(value_range["values"]):
            r = first_row + i - 1
            while len(grid) <= r:
                grid.append([])
            for j, value in enumerate(line):
                if value is not None:
                    row = grid[r]
                    row.extend([None] * (first_col + j - len(row)))
                    row[first_col + j - 1] = None if value == "" else value
    body = [[v for v in row] for row in grid[1:]]
    while body and all(v is None for v in body[-1]):
        body.pop()
    expected = [list(r) for r in reference.rows]

    def strip(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return row

    assert [strip(r) for r in body] == [strip(r) for r in expected]


def test_growth_adds_rows_with_formats_and_drop_downs_and_changes_the_size():
    changes = TabChanges(updates={(1001, 1): "E1-1-01", (1001, 9): date(2027, 1, 4)},
                         deletes={5}, kinds={9: Kind.DATE, 10: Kind.TIME})
    info = SheetInfo(3, "Appointments", rows=1000, columns=16)
    plan = write_plan(WorkbookChanges({"Appointments": changes}), {"Appointments": info},
                      {"Appointments": {12: ("pending", "completed")}})
    kinds = [next(iter(r)) for r in plan.structure]
    assert kinds == ["deleteDimension", "appendDimension", "repeatCell", "repeatCell",
                     "setDataValidation"]
    growth = plan.structure[1]["appendDimension"]["length"]
    assert plan.expected[3] == (999 + growth, 16) != (1000, 16)
    assert plan.structure[2]["repeatCell"]["range"]["startRowIndex"] == 999
    assert plan.data[0]["range"] == "'Appointments'!A1000:I1000"


def test_a_write_that_fits_needs_no_structure_request():
    changes = TabChanges(updates={(2, 12): "completed", (40, 1): "E1-1-39"})
    plan = write_plan(WorkbookChanges({"A": changes}), {"A": SheetInfo(0, "A", 1000, 26)})
    assert plan.structure == [] and plan.cells == 2


def test_the_key_column_and_drop_downs_follow_the_headers_wherever_they_stand():
    table = Table("appointments", ["note", "Appointment ID", "Status"], [])
    assert key_column(table) == 2
    assert choices_of(table) == {3: APPOINTMENTS.column("status").choices}
    assert choices_of(Table("Clients", ["status"], [])) == {1: CLIENTS.column("status").choices}
    assert key_column(Table("My own tab", ["x"], [])) == 1


# -- guards ------------------------------------------------------------------------------
TABLE = Table("Appointments", ["appointment_id", "status"],
              [["E1-1-01", "pending"], ["E1-1-02", "pending"], ["E1-1-03", "pending"]])
GUARDS = TabChanges(updates={(2, 2): "completed", (3, 2): "completed"},
                    guards={2: (2,), 3: (2,)})


def reply(rows: int, values: list[list[object]]) -> dict[str, object]:
    return {"range": f"Appointments!A1:B{rows}", "values": values}


def test_a_guarded_cell_that_moved_on_drops_its_row():
    now = [["appointment_id", "status"], ["E1-1-01", "pending"], ["E1-1-02", "cancelled"],
           ["E1-1-03", "pending"]]
    assert checked_guards(TABLE, 1000, GUARDS, 1, [(1, 2)], [reply(1000, now)]) == {3}


@pytest.mark.parametrize("now, rows", [
    ([["appointment_id"], ["E1-1-02"], ["E1-1-03"]], 999),  # a row deleted
    ([["appointment_id"], ["X"], ["E1-1-01"], ["E1-1-02"], ["E1-1-03"]], 1001),  # inserted
    ([["appointment_id"], ["E1-1-01"], ["E1-1-03"], ["E1-1-02"]], 1000),  # sorted
    ([["appointment_id"], ["E1-1-01"], ["E1-1-02"], ["E1-1-03"], ["typed"]], 1000),
])  # fmt: skip
def test_rows_that_moved_are_noticed(now, rows):
    with pytest.raises(RowsMoved):
        checked_guards(TABLE, 1000, GUARDS, 1, [(1, 2)], [reply(rows, now)])


def test_a_structure_batch_is_known_applied_or_not_by_the_sizes():
    assert verdict({1: (10, 5)}, {1: (8, 5)}, {1: (8, 5)}) is True
    assert verdict({1: (10, 5)}, {1: (8, 5)}, {1: (10, 5)}) is False
    assert verdict({1: (10, 5)}, {1: (8, 5)}, {1: (11, 5)}) is None


# -- the HTTP layer ----------------------------------------------------------------------
def test_only_reads_and_values_batch_update_are_repeated_blindly():
    base = "https://sheets.googleapis.com/v4/spreadsheets/x"
    assert is_idempotent("GET", base + "/values:batchGet")
    assert is_idempotent("POST", base + "/values:batchUpdate")
    assert not is_idempotent("POST", base + ":batchUpdate")
    assert not is_idempotent("POST", base + "/values/A1:append")


@given(st.integers(1, 30), st.one_of(st.none(), st.floats(0, 1000)))
def test_every_wait_is_bounded_by_the_cap(failures: int, retry_after: float | None):
    policy = RetryPolicy(base=0.5, cap=8)
    assert 0 <= policy.wait(failures, retry_after) <= 8


@given(st.integers(1, 30))
def test_every_wait_is_at_least_half_its_backoff(failures: int):
    policy = RetryPolicy(base=0.5, cap=8)
    assert policy.wait(failures) >= min(8, 0.5 * 2 ** (failures - 1)) / 2


def test_the_tries_together_always_wait_out_a_minute_of_quota():
    """The quota test's policy: five waits of at least 10, 20, 30, 30 and 30 seconds."""
    policy = RetryPolicy(attempts=6, base=20, cap=60)
    for _ in range(200):
        assert sum(policy.wait(n) for n in range(1, policy.attempts)) >= 60


def test_a_refused_connection_surely_sent_nothing():
    with pytest.raises(requests.ConnectionError) as refused:
        requests.get("http://127.0.0.1:9", timeout=2)
    assert _never_connected(refused.value)
    assert not _never_connected(requests.ConnectionError("Connection aborted."))
