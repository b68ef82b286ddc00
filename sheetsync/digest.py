"""The weekly digest to every manager: who ends, who owes, what broke. Pure: `now` comes in.

When: `notifications.digest_weekday` and `digest_time` name a moment of the ISO week (Monday
to Sunday, studio time). The digest of a week is due at the first sync at or after that
moment, until the week is over; without a weekday there is none. Its key is per ISO week and
manager, `digest/2026-W49/manager:M1` (messages.digest_key), so it goes out once per week
however often sync runs, retried like every alert while it fails. One that has not gone out
by the end of its week is marked skipped: its numbers are stale, and the next week's digest
tells what is current.

What (`digest_context`, from the planned balances and appointments, the workbook's record
of its runs and alerts (status.py), the open problems and `now`):
- last week: sessions held, cancelled (given back, made up) and paid-cancelled, over the
  calendar week (Mon-Sun) before the digest's week, whatever weekday it goes out on;
- ending: every active period whose last planned session falls in the next 14 days, and
  whether it renews by itself (auto_renew, package still offered) or ends for good (the
  client the owner should call: listed first);
- owing: every period with money due whose first session has passed, with the days since
  that first session (the rule of the payment reminder), most overdue first;
  both lists name their first LISTED (40) and count the rest, so a big studio's digest
  stays readable; the money due on periods not started yet is one sum, so the digest's
  money adds up to the Balances tab's due;
- alerts that failed or wait queued in the outbox, and the open problems: counted, the
  first few named;
- the last successful sync recorded in the Runs tab before this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .alerts import RETRYABLE, AlertPlan
from .ledger import days_due, ending_within
from .messages import (
    DIGEST,
    MANAGER,
    QUEUED,
    SKIPPED,
    Outgoing,
    Result,
    digest_key,
    is_digest_key,
)
from .model import CANCELLED, COMPLETED, PAID_CANCEL, Appointment, Balance, Snapshot, Staff
from .status import Alert, Status

ENDING_WITHIN = timedelta(days=14)
SHOWN = 5  # failed or queued alerts and problems named in a digest; the rest are counted
LISTED = 40  # ending packages and periods with money due named; a big studio's rest counted

NOT_SENT_IN_ITS_WEEK = ("no longer due: its week is over (the next digest tells what is "
                        "current), the digest was turned off or the person is no longer a "
                        "manager")


@dataclass(frozen=True, slots=True)
class DigestRules:
    """When the weekly digest goes out: `weekday` (0 = Monday; None: never) at `at`."""

    weekday: int | None = None
    at: time = time(8, 0)
    studio_name: str = ""
    currency: str = ""
    deliver_queued: bool = False  # alerts leave the machine now: a queued digest goes out


def week_of(day: date) -> str:
    """`2026-W49`: the ISO week `day` falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def due_from(now: datetime, rules: DigestRules) -> datetime | None:
    """The moment this week's digest is due from, or None when there is no digest."""
    if rules.weekday is None:
        return None
    return datetime.combine(monday_of(now.date()) + timedelta(days=rules.weekday), rules.at)


def is_due(now: datetime, rules: DigestRules) -> bool:
    moment = due_from(now, rules)
    return moment is not None and now >= moment


def waiting_managers(snap: Snapshot, now: datetime, rules: DigestRules) -> list[Staff]:
    """The managers whose digest of this week is due at `now` and has not gone out: no row
    yet, or one being retried (a queued one too, once alerts leave the machine)."""
    if not is_due(now, rules):
        return []
    week = week_of(now.date())
    waiting = []
    for manager in sorted(snap.staff.values(), key=lambda s: s.staff_id):
        notice = snap.notices.get(digest_key(week, manager.staff_id))
        if manager.manager and (notice is None or notice.status in RETRYABLE or (
                notice.status == QUEUED and rules.deliver_queued)):
            waiting.append(manager)
    return waiting


def due_digests(snap: Snapshot, balances: Sequence[Balance],
                appointments: Sequence[Appointment], now: datetime, rules: DigestRules, *,
                record: Status | None, problems: Sequence[str] = ()) -> AlertPlan:
    """This week's digest to every manager still waiting for it (`waiting_managers`); the
    digests of earlier weeks still waiting are marked skipped (see the module's docstring).

    `record` is what the workbook's Runs and Notifications tabs say (status.status): read
    only when some manager waits (None otherwise: nothing is sent); `problems` the open
    problems as the Problems tab words them, one line each."""
    result = AlertPlan()
    waiting = waiting_managers(snap, now, rules)
    week = week_of(now.date())
    if record is not None and waiting:
        context = digest_context(snap, balances, appointments, record, problems, now, rules)
        result.send = [Outgoing(
            key=digest_key(week, manager.staff_id), event=DIGEST, role=MANAGER,
            to_name=manager.name, to_address=manager.email,
            context={**context, "recipient": {"name": manager.name, "role": MANAGER}})
            for manager in waiting]
    wanted = {o.key for o in result.send}
    for notice in snap.notices.values():
        if not is_digest_key(notice.key) or notice.key in wanted:
            continue
        if notice.status in RETRYABLE or (notice.status == QUEUED and rules.deliver_queued
                                          and not notice.key.startswith(f"{DIGEST}/{week}/")):
            result.skip.append(Result(notice.key, SKIPPED, error=NOT_SENT_IN_ITS_WEEK))
    return result


def digest_context(snap: Snapshot, balances: Sequence[Balance],
                   appointments: Sequence[Appointment], record: Status,
                   problems: Sequence[str], now: datetime, rules: DigestRules) -> dict[str, Any]:
    """The template variables of the digest at `now` (the same for every manager)."""
    this_monday = monday_of(now.date())
    last_monday = this_monday - timedelta(days=7)
    ending, owed = ending_soon(snap, balances, now), owing(balances, snap, now)
    return {
        "studio_name": rules.studio_name,
        "currency": rules.currency,
        "now": now,
        "week": week_of(now.date()),
        "week_start": this_monday,
        "last_week": last_week(appointments, last_monday, this_monday),
        "ending_days": ENDING_WITHIN.days,
        "ending": ending[:LISTED], "ending_count": len(ending),
        "owing": owed[:LISTED], "owing_count": len(owed),
        "owing_total": sum((row["due"] for row in owed), start=Decimal(0)),
        # Balances' due not in the list: periods whose first session is still to come
        "due_before_start": sum((b.due for b in balances
                                 if b.due > 0 and days_due(b, now) is None), start=Decimal(0)),
        "alerts": {"failed": record.failed_alerts, "queued": record.queued_alerts,
                   "first": [_alert(a) for a in record.waiting[:SHOWN]]},
        "problems": {"open": len(problems), "first": list(problems[:SHOWN])},
        "last_sync": None if record.last_success is None else {
            "when": record.last_success.moment, "result": record.last_success.result},
    }


def last_week(appointments: Iterable[Appointment], start: date, end: date) -> dict[str, Any]:
    """Sessions held, cancelled and paid-cancelled from `start` up to (not with) `end`."""
    held = cancelled = paid_cancel = 0
    for a in appointments:
        if start <= a.date < end:
            held += a.status == COMPLETED
            cancelled += a.status == CANCELLED
            paid_cancel += a.status == PAID_CANCEL
    return {"start": start, "end": end - timedelta(days=1), "held": held,
            "cancelled": cancelled, "paid_cancel": paid_cancel}


def ending_soon(snap: Snapshot, balances: Iterable[Balance],
                now: datetime) -> list[dict[str, Any]]:
    """Active periods whose last planned session lies within ENDING_WITHIN: those that end
    for good first, then those that renew, each soonest first."""
    found = []
    for b in ending_within(balances, now + ENDING_WITHIN):
        if b.last_session is None or b.last_session < now:
            continue
        enrollment = snap.enrollments[b.enrollment_id]
        package = snap.packages[enrollment.package_id]
        found.append({**_who(b, snap), "period": b.period, "remaining": b.remaining,
                      "last_session": b.last_session,
                      "renews": enrollment.auto_renew and package.active})
    return sorted(found, key=lambda row: (row["renews"], row["last_session"],
                                          row["enrollment_id"]))


def owing(balances: Iterable[Balance], snap: Snapshot, now: datetime) -> list[dict[str, Any]]:
    """Periods with money due since their first session, the longest due first."""
    found = []
    for b in balances:
        days = days_due(b, now)
        if b.due > 0 and days is not None:
            found.append({**_who(b, snap), "period": b.period, "due": b.due,
                          "since": b.first_session, "days": days})
    return sorted(found, key=lambda row: (-row["days"], row["enrollment_id"], row["period"]))


def _who(b: Balance, snap: Snapshot) -> dict[str, Any]:
    package = snap.packages.get(b.package_id)
    return {"enrollment_id": b.enrollment_id,
            "client": {"id": b.client_id, "name": b.client_name},
            "package": {"id": b.package_id, "name": package.name if package else b.package_id}}


def _alert(alert: Alert) -> dict[str, Any]:
    return {"key": alert.key, "event": alert.event, "to": alert.to, "status": alert.status,
            "created_at": alert.created_at, "error": alert.error}


def sample_digests() -> list[dict[str, Any]]:
    """Complete digest contexts, a full week and an empty one, for template checks."""
    full: dict[str, Any] = {
        "studio_name": "Studio Example", "currency": "TRY", "now": datetime(2026, 12, 7, 8, 0),
        "week": "2026-W50", "week_start": date(2026, 12, 7),
        "last_week": {"start": date(2026, 11, 30), "end": date(2026, 12, 6), "held": 12,
                      "cancelled": 2, "paid_cancel": 1},
        "ending_days": 14,
        "ending": [{"enrollment_id": "E1", "client": {"id": "C1", "name": "Ayşe Çelik"},
                    "package": {"id": "P10", "name": "10-Session Physiotherapy Package"},
                    "period": 2, "remaining": 2, "last_session": datetime(2026, 12, 10, 14, 0),
                    "renews": True},
                   {"enrollment_id": "E2", "client": {"id": "C2", "name": "Mehmet <Kaya>"},
                    "package": {"id": "PT4", "name": "4-Session Personal Training"},
                    "period": 1, "remaining": 1, "last_session": datetime(2026, 12, 12, 9, 0),
                    "renews": False}],
        "owing": [{"enrollment_id": "E1", "client": {"id": "C1", "name": "Ayşe Çelik"},
                   "package": {"id": "P10", "name": "10-Session Physiotherapy Package"},
                   "period": 2, "due": Decimal("1500"), "since": datetime(2026, 11, 2, 14, 0),
                   "days": 35}],
        "owing_total": Decimal("1500"), "due_before_start": Decimal("2000"),
        "ending_count": 45, "owing_count": 1,
        "alerts": {"failed": 1, "queued": 7, "first": [
            {"key": "E1/2/package_ending/client:C1", "event": "package_ending",
             "to": "ayse@client.example", "status": "failed",
             "created_at": datetime(2026, 12, 5, 10, 0), "error": "connection refused"},
            {"key": "E2/1/package_ended/staff:ST1", "event": "package_ended", "to": "",
             "status": "queued", "created_at": None, "error": ""}]},
        "problems": {"open": 6, "first": ["Enrollments row 4, schedule: 'Tuesdy 9am' is not a "
                                          "schedule"]},
        "last_sync": {"when": datetime(2026, 12, 7, 7, 45), "result": "ok"},
        "recipient": {"name": "Zeynep", "role": MANAGER},
    }
    empty: dict[str, Any] = {
        **full, "studio_name": "", "currency": "",
        "last_week": {**full["last_week"], "held": 0, "cancelled": 0, "paid_cancel": 0},
        "ending": [], "owing": [], "owing_total": Decimal(0), "due_before_start": Decimal(0),
        "ending_count": 0,
        "owing_count": 0,
        "alerts": {"failed": 0, "queued": 0, "first": []},
        "problems": {"open": 0, "first": []}, "last_sync": None,
    }
    return [full, empty]

