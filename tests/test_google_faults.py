"""Faults at every request position of a sync: retried within bounds, or a clean failure.

The sync under test makes all five requests: spreadsheets.get, values.batchGet,
the guard values.batchGet, the structure spreadsheets.batchUpdate (a closed
client's appointments are deleted) and values.batchUpdate. Each fault (429, 5xx,
a cut connection, a reply that arrives after the client gave up) is injected at
each position; the sheet must end exactly as after a fault-free run, or the sync
must fail with a UserError and the next one must converge to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from localsheets import LocalSheets
from localsheets.model import new_spreadsheet_id
from sheetsync import engine
from sheetsync.errors import UserError
from sheetsync.schema import ALL_TABS
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount, service_account
from sheetsync.stores.gsheets_http import RetryPolicy
from tests.google_studio import edit, records
from tests.reliability import record
from tests.studios import TWO_CLIENTS

FIRST = datetime(2026, 11, 29, 12, 0)
SECOND = datetime(2026, 12, 1, 12, 0)
# A read timeout short enough for quick tests, long enough for a loaded two-core machine.
POLICY = RetryPolicy(attempts=4, base=0.01, cap=0.04, connect_timeout=2, read_timeout=1.0)
POSITIONS = {1: "spreadsheets.get", 2: "values.batchGet", 3: "guard values.batchGet",
             4: "spreadsheets.batchUpdate", 5: "values.batchUpdate"}


def store_for(server: LocalSheets, account: ServiceAccount, sheet: str,
              policy: RetryPolicy = POLICY) -> GoogleStore:
    return GoogleStore(sheet, account, endpoint=server.base_url, policy=policy)


_PREPARED: dict[int, str] = {}


def prepared(server: LocalSheets, account: ServiceAccount) -> str:
    """A copy of a studio synced once, then edited: the next sync needs all five requests."""
    if id(server) not in _PREPARED:
        _PREPARED[id(server)] = _prepare(server, account)
    with server.service.lock:
        book = server.service.book(_PREPARED[id(server)]).clone()
        book.spreadsheet_id = new_spreadsheet_id()
        server.service.commit(book)
    return book.spreadsheet_id


def _prepare(server: LocalSheets, account: ServiceAccount) -> str:
    sheet = server.create_spreadsheet("Studio")
    store = store_for(server, account, sheet)
    store.lay_out(Layout(ALL_TABS, records(TWO_CLIENTS)))
    engine.sync(store, FIRST, started_at=FIRST)
    edit(store, "Clients", "clientid", "C2", status="closed")
    edit(store, "Appointments", "appointmentid", "E1-1-02", status="cancelled")
    return sheet


def sync(server: LocalSheets, account: ServiceAccount, sheet: str,
         policy: RetryPolicy = POLICY) -> engine.SyncReport:
    return engine.sync(store_for(server, account, sheet, policy), SECOND, started_at=SECOND)


def content(server: LocalSheets, sheet: str, runs: bool = True) -> dict[str, Any]:
    """Every tab's values; the Runs rows without their seconds (or left out)."""
    out = {t.name: server.values(sheet, t.name, "UNFORMATTED_VALUE") for t in ALL_TABS}
    header = out["Runs"][0]
    seconds = header.index("seconds")
    out["Runs"] = [r[:seconds] + r[seconds + 1:] for r in out["Runs"]] if runs else None
    return out


@pytest.fixture(scope="module")
def reference(server: LocalSheets, account: ServiceAccount) -> dict[str, Any]:
    sheet = prepared(server, account)
    server.reset_stats()
    report = sync(server, account, sheet)
    assert server.stats()["requests"] == {
        "spreadsheets.get": 1, "values.batchGet": 2, "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1}
    assert report.plan.deleted and report.plan.added
    return content(server, sheet)


FAULTS = {
    "429": lambda s, p: s.inject_fault(p, 429),
    "500": lambda s, p: s.inject_fault(p, 500),
    "503": lambda s, p: s.inject_fault(p, 503),
    "cut": lambda s, p: s.inject_fault(p, cut=True),
    "late reply": lambda s, p: s.inject_fault(p, delay=POLICY.read_timeout * 2),
}


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("fault", [  # 429 and a cut connection in the fast lane
    f if f in ("429", "cut") else pytest.param(f, marks=pytest.mark.slow) for f in FAULTS])
def test_one_fault_at_any_position_is_retried_to_the_same_sheet(
        server: LocalSheets, account: ServiceAccount, reference: dict[str, Any],
        position: int, fault: str):
    sheet = prepared(server, account)
    server.reset_stats()
    FAULTS[fault](server, position)
    sync(server, account, sheet)
    server.clear_faults()
    assert content(server, sheet) == reference
    record("crash (Google, faults per request position)", trials=1, faults_injected=1,
           data_lost=0)


@pytest.mark.parametrize("position", POSITIONS)
def test_a_429_storm_shorter_than_the_retries_is_ridden_out(
        server: LocalSheets, account: ServiceAccount, reference: dict[str, Any], position: int):
    sheet = prepared(server, account)
    server.reset_stats()
    for offset in range(POLICY.attempts - 1):
        server.inject_fault(position + offset, 429)
    sync(server, account, sheet)
    server.clear_faults()
    assert content(server, sheet) == reference
    record("crash (Google, faults per request position)", trials=1,
           faults_injected=POLICY.attempts - 1, data_lost=0)


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("status", [429, pytest.param(503, marks=pytest.mark.slow)])
def test_an_endless_storm_fails_cleanly_and_the_next_sync_converges(
        server: LocalSheets, account: ServiceAccount, reference: dict[str, Any],
        position: int, status: int):
    sheet = prepared(server, account)
    server.reset_stats()
    for offset in range(POLICY.attempts + 2):
        server.inject_fault(position + offset, status)
    with pytest.raises(UserError) as failure:
        sync(server, account, sheet)
    server.clear_faults()
    message = str(failure.value)
    assert f"did not answer after {POLICY.attempts} tries" in message
    if position == 5:
        assert "Part of the changes were written" in message
    elif position == 4 and status != 429:  # the deletions may have been applied
        assert "may or may not have been added or deleted" in message
    else:
        assert "Nothing was written" in message
    sync(server, account, sheet)
    assert content(server, sheet, runs=False) == {**reference, "Runs": None}
    record("crash (Google, faults per request position)", trials=1,
           faults_injected=POLICY.attempts + 2, failed_cleanly=1, data_lost=0)


def test_the_quota_of_requests_per_minute_is_waited_out():
    """A real quota (2 reads a minute) and a clock that moves while the client waits."""
    now = [0.0]
    policy = RetryPolicy(attempts=6, base=20, cap=60, sleep=lambda s: now.__setitem__(
        0, now[0] + s))
    with LocalSheets(quota_per_minute=None, clock=lambda: now[0]) as server:
        account = service_account(server.service_account_info())
        sheet = prepared(server, account)
        server.set_quota(2)
        report = sync(server, account, sheet, policy)
        assert report.wrote
        assert now[0] > 0  # it had to wait
        assert server.stats()["requests"]["values.batchGet"] >= 3  # one read was refused


def test_a_write_whose_reply_was_lost_is_not_sent_again(
        server: LocalSheets, account: ServiceAccount, reference: dict[str, Any]):
    """Deleting rows twice would delete other rows: the sheet's sizes show it was applied."""
    sheet = prepared(server, account)
    server.reset_stats()
    server.inject_fault(4, delay=POLICY.read_timeout * 2)
    sync(server, account, sheet)
    assert server.stats()["requests"]["spreadsheets.batchUpdate"] == 1
    assert server.stats()["requests"]["spreadsheets.get"] == 2  # the check
    assert content(server, sheet) == reference
