"""One straight flow from read to write: a frozen snapshot, a complete plan, a Runs row
that apply writes once with the store's own request counts."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from sheetsync import engine
from sheetsync.alerts import AlertRules
from sheetsync.messages import QUEUED, Outgoing, Result
from sheetsync.plan import plan
from sheetsync.publicholidays import HolidaySettings
from sheetsync.read import read_snapshot
from tests.studio import studio, sync
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
