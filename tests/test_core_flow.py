"""One straight flow from read to write: a frozen snapshot, a complete plan, a Runs row
that apply writes once with the store's own request counts."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from sheetsync import engine
from sheetsync.alerts import AlertRules
from sheetsync.apply import build_changes, run_record, with_run
from sheetsync.messages import QUEUED, Outgoing, Result
from sheetsync.plan import plan
from sheetsync.publicholidays import HolidaySettings
from sheetsync.read import read_snapshot
from sheetsync.stores.base import WorkbookChanges
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import records, studio, sync, xlsx_studio
from tests.studios import PHYSIO

OCTOBER = PHYSIO.replace("2026-11-30", "2026-10-26")  # Republic Day, Thu 29 Oct, is a session


def test_the_snapshot_is_frozen():
    snapshot = read_snapshot(studio(PHYSIO).read())
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.closures = ()  # type: ignore[misc]
    assert isinstance(snapshot.closures, tuple) and isinstance(snapshot.appointments, tuple)
    assert isinstance(snapshot.held, frozenset) and isinstance(snapshot.problems, tuple)


def test_public_holidays_are_merged_into_a_new_snapshot():
    store = studio(OCTOBER)
    now = datetime(2026, 10, 20, 9, 0)
    read = read_snapshot(store.read())
    merged = engine.with_holidays(read, HolidaySettings("TR"), now)
    assert read.closures == ()  # the snapshot as read is left as it was
    holidays = [c for c in merged.closures if c.public_holiday]
    assert "Republic Day" in " ".join(c.reason for c in holidays)
    assert {c.start_date.year for c in holidays} == set(range(2026, 2033))
    assert engine.with_holidays(read, None, now) is read


def test_read_and_plan_plans_around_the_merged_holidays():
    _, snapshot, plan = engine.read_and_plan(studio(OCTOBER), datetime(2026, 10, 20, 9, 0),
                                             holidays=HolidaySettings("TR"))
    assert any(c.public_holiday for c in snapshot.closures)
    assert "2026-10-29" not in {f"{a.date}" for a in plan.appointments}


def test_the_plan_holds_the_alerts_due_when_given_the_alert_rules():
    store = studio(PHYSIO)
    now = datetime(2026, 12, 29, 10, 0)  # nine held, the last on Thu 31 Dec
    sync(store, now)
    snapshot = read_snapshot(store.read())
    due = plan(snapshot, now, alert_rules=AlertRules(studio_name="Studio Flow")).alerts
    assert [o.key for o in due.send] == ["E1/1/package_ending/client:C1"]
    assert due.send[0].context["studio_name"] == "Studio Flow"
    assert plan(snapshot, now).alerts.send == []  # no rules, no alerts


def test_a_dry_run_lists_the_alerts_of_its_plan_and_sends_none():
    store = studio(PHYSIO)
    now = datetime(2026, 12, 29, 10, 0)
    sync(store, now)
    sender = Outbox()
    report = engine.sync(store, now, started_at=now, dry_run=True,
                         alerting=engine.Alerting(sender))
    assert report.alerts == report.plan.alerts.send and len(report.alerts) == 1
    assert sender.sent == [] and report.outcomes == []


class Outbox:
    """A sender that keeps what it is given (the real mailer is tested in test_notify_*)."""

    delivers = False

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, messages, now):
        self.sent += messages
        return [Result(m.key, QUEUED) for m in messages]

    def preview(self, message: Outgoing) -> str:
        return message.key


def test_every_store_tells_the_cost_of_its_write(tmp_path):
    memory = studio(PHYSIO)
    xlsx = XlsxStore(xlsx_studio(tmp_path / "studio.xlsx", PHYSIO))
    assert memory.requests_for(WorkbookChanges()) == (0, 1)
    assert xlsx.requests_for(WorkbookChanges()) == (0, 1)


def test_the_runs_row_counts_the_requests_of_its_own_write():
    store = studio(PHYSIO)
    now = datetime(2026, 12, 8, 10, 0)
    report = engine.sync(store, now, started_at=datetime(2026, 12, 8, 9, 59, 30))
    (run,) = records(store, "Runs")
    assert (run["reads"], run["writes"], run["mode"], run["result"]) == (1, 1, "sync", "ok")
    assert run["created"] == len(report.plan.added) and run["started_at"] == datetime(
        2026, 12, 8, 9, 59, 30)
    engine.sync(store, now, started_at=now)  # the store's counts go on: records() read once
    assert [(r["reads"], r["writes"]) for r in records(store, "Runs")] == [(1, 1), (3, 2)]


def test_with_run_asks_the_cost_of_the_batch_that_holds_the_runs_row():
    store = studio(PHYSIO)
    tables, snapshot, planned = engine.read_and_plan(store, datetime(2026, 12, 8, 10, 0))
    located = engine.located_owned(tables)
    changes = build_changes(planned, located, snapshot.notices)
    asked: list[WorkbookChanges] = []

    def cost(batch: WorkbookChanges) -> tuple[int, int]:
        asked.append(batch)
        return 2, 3

    run = run_record(planned, started_at=planned.now, notified=0, seconds=0.123, result="ok")
    written = with_run(changes, located, run, cost, reads=5, writes=7)
    runs = located["Runs"]
    assert runs is not None and "Runs" not in changes.tabs  # the batch given stays as it was
    (batch,) = asked
    assert batch.tabs["Runs"].cells_written == written.tabs["Runs"].cells_written > 0
    values = set(written.tabs["Runs"].updates.values())
    assert {7, 10, 0.12, "sync", "ok"} <= values  # reads 5 + 2, writes 7 + 3, seconds rounded
    assert (run.reads, run.writes) == (0, 0)
