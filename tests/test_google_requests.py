"""Requests per command, counted by the local server (/localsheets/stats), at any size.

A sync reads with spreadsheets.get + values.batchGet and writes with at most a
guard values.batchGet, one spreadsheets.batchUpdate and one values.batchUpdate:
between 2 and 5 requests while the studio's tabs hold at most 600,000 cells (rows x
columns, about 16,000 appointments; a bigger one reads in one more values.batchGet
per 600,000 cells, see test_google_limits.py). A sync that sends
alerts claims the sheet first with one more spreadsheets.batchUpdate: 4 to 6. The
Runs row records the same counts. Set SHEETSYNC_LARGE=1 to run the
20,000-appointment size too.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.config import Email
from sheetsync.notify import Mailer
from sheetsync.schema import ALL_TABS, RUNS
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from tests.google_studio import edit, records, studio_of

FIRST = datetime(2026, 11, 29, 12, 0)
LATER = datetime(2026, 12, 9, 12, 0)
ENDED = datetime(2027, 2, 8, 12, 0)  # every first period is used up and renewed
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")

SIZES = [pytest.param(2, id="20 appointments"), pytest.param(150, id="1,500 appointments", marks=pytest.mark.slow),
         pytest.param(2000, id="20,000 appointments", marks=pytest.mark.skipif(
             not os.environ.get("SHEETSYNC_LARGE"), reason="set SHEETSYNC_LARGE=1"))]


def counted(server: LocalSheets, sheet: str, account: ServiceAccount, now: datetime,
            **options: Any) -> tuple[dict[str, int], int, engine.SyncReport]:
    server.reset_stats()
    report = engine.sync(GoogleStore(sheet, account, endpoint=server.base_url), now,
                         started_at=now, **options)
    stats = server.stats()
    runs = server.values(sheet, "Runs", "UNFORMATTED_VALUE")
    row = dict(zip(runs[0], runs[-1], strict=False))
    reads = stats["requests"].get("spreadsheets.get", 0) + \
        stats["requests"].get("values.batchGet", 0)
    assert (row["reads"], row["writes"]) == (reads, stats["total"] - reads)
    assert len(runs[0]) == len(RUNS.columns)
    return stats["requests"], stats["cells_written"], report


@pytest.mark.parametrize("enrollments", SIZES)
def test_requests_per_command_do_not_grow_with_the_studio(server: LocalSheets,
                                                          account: ServiceAccount,
                                                          enrollments: int, tmp_path: Path):
    sheet = server.create_spreadsheet("Studio")
    store = GoogleStore(sheet, account, endpoint=server.base_url)
    server.reset_stats()
    store.lay_out(Layout(ALL_TABS, records(studio_of(enrollments, DAYS))))
    assert server.stats()["requests"] == {
        "spreadsheets.get": 1, "values.batchGet": 1, "spreadsheets.batchUpdate": 1}

    appointments = enrollments * 10
    grows = appointments + 1 > 1000  # new tabs have 1,000 rows
    requests, cells, report = counted(server, sheet, account, FIRST)
    assert len(report.plan.added) == appointments
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 1, "values.batchUpdate": 1,
                        **({"spreadsheets.batchUpdate": 1} if grows else {})}

    requests, cells, report = counted(server, sheet, account, FIRST)
    assert report.plan.empty
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 1, "values.batchUpdate": 1}
    assert cells == len(RUNS.columns)  # the Runs row, nothing else

    store = GoogleStore(sheet, account, endpoint=server.base_url)
    edit(store, "Appointments", "appointmentid", "E1-1-03", status="paid_cancel")
    requests, cells, report = counted(server, sheet, account, FIRST)
    # The paid cancel earns its commission: that row's cells are guarded, so one re-read.
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1}
    assert cells < 2 * len(RUNS.columns)  # commission, a balance or two and the Runs row

    requests, cells, report = counted(server, sheet, account, LATER)
    assert report.plan.completed
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1}

    # Every package ends and is renewed: alerts are due, so the sync claims the sheet first
    # (these clients have no e-mail address: their alerts are recorded as skipped).
    mailer = Mailer(Email("Studio <studio@example.com>", outbox_dir=tmp_path))
    requests, cells, report = counted(server, sheet, account, ENDED,
                                      alerting=engine.Alerting(mailer))
    assert len(report.alerts) == 2 * enrollments  # to the client and to the staff member
    # The claim, and one structure batch: the renewed periods' Balances rows are inserted
    # beside the earlier ones (insertDimension), with any growth the renewals need.
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1,
                        "spreadsheets.batchUpdate": 2}


@pytest.mark.slow
def test_a_closed_client_costs_one_structure_request(server: LocalSheets,
                                                     account: ServiceAccount):
    sheet = server.create_spreadsheet("Studio")
    store = GoogleStore(sheet, account, endpoint=server.base_url)
    store.lay_out(Layout(ALL_TABS, records(studio_of(40, DAYS))))
    engine.sync(store, FIRST, started_at=FIRST)
    for i in range(0, 40, 3):
        edit(store, "Clients", "clientid", f"C{i}", status="closed")
    requests, _, report = counted(server, sheet, account, FIRST)
    assert len(report.plan.deleted) == 14 * 10
    assert requests == {"spreadsheets.get": 1, "values.batchGet": 2,
                        "spreadsheets.batchUpdate": 1, "values.batchUpdate": 1}
    left: dict[str, Any] = {r[0] for r in server.values(sheet, "Appointments")[1:]}
    assert not any(a.startswith(f"E{i}-") for i in range(0, 40, 3) for a in left)


def test_a_dry_run_reads_and_writes_nothing(server: LocalSheets, account: ServiceAccount):
    sheet = server.create_spreadsheet("Studio")
    GoogleStore(sheet, account, endpoint=server.base_url).lay_out(
        Layout(ALL_TABS, records(studio_of(2, DAYS))))
    server.reset_stats()
    engine.sync(GoogleStore(sheet, account, endpoint=server.base_url), FIRST,
                started_at=FIRST, dry_run=True)
    assert server.stats()["requests"] == {"spreadsheets.get": 1, "values.batchGet": 1}
