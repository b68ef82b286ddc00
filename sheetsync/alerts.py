"""Which package alerts are due: pure, from the plan's balances and the Notifications tab.

- `package_ending` goes to the client when a period's remaining sessions fall to
  `ending_at` (but not to zero: then the period has ended);
- `package_ended` goes to the client, the enrollment's staff member and every
  manager when a period is used up. Only periods that ended recently (their
  last session within `RECENT`) are announced, so a workbook with years of
  history does not mail its whole past on the first sync.

- `payment_due` goes to the client when a period has had money due (Balances `due` > 0)
  for `payment_due_after_days` days, counted from the period's first session: the day the
  client starts using what they have not paid for, which the studio sees in Balances
  (`first_session`) for a first period and a renewed one alike. Once per period, or with
  `payment_due_every_days` once more every so many days while money stays due (the key
  then carries the reminder's number: `E1/2/payment_due/client:C1/2`). Off (None) by
  default. A period whose money has come in gets no reminder, and one not yet sent is
  marked skipped.

Every alert has a key (enrollment, period, event, recipient). A key whose row
says `sent` or `skipped` is never sent again; `pending` and `failed` ones are
retried until they go out. A closed client or ended enrollment gets no further
alerts: their retries are marked skipped.

A `queued` key was written to the outbox folder and nothing left the machine.
While alerts go to the outbox it is final. Once they go out by SMTP
(`deliver_queued`), a queued alert whose period is still current (an ending
package, or a period that ended within `RECENT`) is sent once; older ones are
marked skipped with the reason, their outbox copy staying where it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .ledger import ACTIVE, ENDED, days_due
from .messages import (
    CLIENT,
    FAILED,
    MANAGER,
    NOTICE_PENDING,
    PACKAGE_ENDED,
    PACKAGE_ENDING,
    PAYMENT_DUE,
    QUEUED,
    SKIPPED,
    STAFF,
    Outgoing,
    Result,
    alert_key,
    is_digest_key,
)
from .model import PENDING, Appointment, Balance, Client, Enrollment, Snapshot, Staff

RECENT = timedelta(days=14)
RETRYABLE = (NOTICE_PENDING, FAILED)  # notification statuses that are tried again


@dataclass(slots=True)
class AlertPlan:
    send: list[Outgoing] = field(default_factory=list)
    skip: list[Result] = field(default_factory=list)  # retries that must not go out any more


@dataclass(frozen=True, slots=True)
class AlertRules:
    """What decides which alerts are due, besides the workbook.

    `deliver_queued`: alerts leave the machine now (SMTP), so queued ones of current
    periods go out too.
    """

    ending_at: int = 1
    studio_name: str = ""
    currency: str = ""
    deliver_queued: bool = False
    payment_due_after_days: int | None = None  # None: no payment reminders
    payment_due_every_days: int | None = None  # None: one reminder per period


def due_alerts(snap: Snapshot, balances: Iterable[Balance], appointments: Iterable[Appointment],
               now: datetime, rules: AlertRules) -> AlertPlan:
    """The alerts to send now, and the retries to mark skipped, given the planned balances
    and appointments (plan.py calls this: the due alerts are part of the Plan)."""
    ending_at, studio_name, currency = rules.ending_at, rules.studio_name, rules.currency
    deliver_queued = rules.deliver_queued
    result = AlertPlan()
    retrying = {key for key, notice in snap.notices.items() if notice.status in RETRYABLE}
    by_enrollment: dict[str, list[Balance]] = defaultdict(list)
    for b in balances:
        by_enrollment[b.enrollment_id].append(b)
    upcoming: dict[tuple[str, int], datetime] = {}
    for a in appointments:
        key = (a.enrollment_id, a.period)
        if a.status == PENDING and a.starts_at >= now and (
                key not in upcoming or a.starts_at < upcoming[key]):
            upcoming[key] = a.starts_at
    wanted: set[str] = set()
    for enrollment_id, rows in by_enrollment.items():
        enrollment = snap.enrollments[enrollment_id]
        client = snap.clients[enrollment.client_id]
        if not (client.active and enrollment.active):
            continue
        by_period = {b.period: b for b in rows}
        for b in rows:
            current = b.state != ENDED or _recent(b, now)
            for outgoing in _for_period(snap, enrollment, client, b, by_period, upcoming, now,
                                        ending_at, studio_name, currency, retrying):
                notice = snap.notices.get(outgoing.key)
                if notice is None or _goes_out(notice.status, deliver_queued and current):
                    wanted.add(outgoing.key)
                    result.send.append(outgoing)
            reminder = _payment_reminder(snap, enrollment, client, b, by_period, upcoming, now,
                                         rules)
            if reminder is not None:
                notice = snap.notices.get(reminder.key)
                if notice is None or _goes_out(notice.status, deliver_queued):
                    wanted.add(reminder.key)
                    result.send.append(reminder)
    held = tuple(f"{eid}/" for eid in snap.held)  # unreadable now: decided when readable
    for notice in snap.notices.values():
        if notice.key in wanted or notice.key.startswith(held) or is_digest_key(notice.key):
            continue  # a weekly digest is decided by digest.py
        if notice.status in RETRYABLE:
            result.skip.append(Result(notice.key, SKIPPED, error=NO_LONGER_DUE_PAYMENT if
                                      f"/{PAYMENT_DUE}/" in notice.key else NO_LONGER_DUE))
        elif notice.status == QUEUED and deliver_queued:
            result.skip.append(Result(notice.key, SKIPPED, error=STALE_QUEUED))
    return result


NO_LONGER_DUE = ("no longer due: the client was closed, the enrollment ended or the period "
                 "changed")
NO_LONGER_DUE_PAYMENT = ("no longer due: the money came in, a later reminder took its place, "
                         "the client was closed or the enrollment ended")
STALE_QUEUED = ("not sent by SMTP: when SMTP was set up it was no longer current (its period "
                f"ended more than {RECENT.days} days ago, the client was closed or the "
                "enrollment ended); its copy stays in the outbox folder")


def _goes_out(status: str, deliver_queued: bool) -> bool:
    return status in RETRYABLE or (status == QUEUED and deliver_queued)


def _recent(b: Balance, now: datetime) -> bool:
    return b.last_session is not None and b.last_session >= now - RECENT


def _for_period(snap: Snapshot, enrollment: Enrollment, client: Client, b: Balance,
                by_period: dict[int, Balance], upcoming: dict[tuple[str, int], datetime],
                now: datetime, ending_at: int, studio_name: str, currency: str,
                retrying: set[str]) -> Iterator[Outgoing]:
    """The alerts of one period; an ended one that is no longer recent only while some of
    its alerts are still being retried."""
    eid = enrollment.enrollment_id
    if b.state == ENDED:
        prefix = f"{eid}/{b.period}/{PACKAGE_ENDED}/"  # the keys of this period's ended alerts
        if not (_recent(b, now) or any(key.startswith(prefix) for key in retrying)):
            return
        event = PACKAGE_ENDED
    elif b.state == ACTIVE and 0 < b.remaining <= ending_at:
        event = PACKAGE_ENDING
    else:
        return
    staff = _staff_of(snap, enrollment)
    context = _context(snap, enrollment, client, staff, b, by_period,
                       upcoming.get((eid, b.period)), studio_name, currency)
    yield _message(eid, b.period, event, CLIENT, client.client_id, client.name, client.email,
                   context)
    if event != PACKAGE_ENDED:
        return
    if staff is not None:
        yield _message(eid, b.period, event, STAFF, staff.staff_id, staff.name, staff.email,
                       context)
    for manager in sorted(snap.staff.values(), key=lambda s: s.staff_id):
        if manager.manager and (staff is None or manager.staff_id != staff.staff_id):
            yield _message(eid, b.period, event, MANAGER, manager.staff_id, manager.name,
                           manager.email, context)


def _payment_reminder(snap: Snapshot, enrollment: Enrollment, client: Client, b: Balance,
                      by_period: dict[int, Balance],
                      upcoming: dict[tuple[str, int], datetime], now: datetime,
                      rules: AlertRules) -> Outgoing | None:
    """The payment reminder of one period due now, if any (see the module's docstring)."""
    after, every = rules.payment_due_after_days, rules.payment_due_every_days
    days = days_due(b, now)
    if after is None or b.due <= 0 or days is None or days < after:
        return None
    repeat = 1 + (days - after) // every if every else 1
    staff = _staff_of(snap, enrollment)
    context = _context(snap, enrollment, client, staff, b, by_period,
                       upcoming.get((enrollment.enrollment_id, b.period)), rules.studio_name,
                       rules.currency)
    context.update(due_since=b.first_session, days_due=days, reminder=repeat)
    return _message(enrollment.enrollment_id, b.period, PAYMENT_DUE, CLIENT, client.client_id,
                    client.name, client.email, context, repeat)


def _message(eid: str, period: int, event: str, role: str, person: str, name: str,
             address: str, context: dict[str, Any], repeat: int = 1) -> Outgoing:
    return Outgoing(
        key=alert_key(eid, period, event, role, person, repeat), event=event, role=role,
        to_name=name, to_address=address,
        context={**context, "recipient": {"name": name, "role": role}},
    )


def _staff_of(snap: Snapshot, enrollment: Enrollment) -> Staff | None:
    group = snap.groups.get(enrollment.group_id) if enrollment.group_id else None
    return snap.staff.get(group.staff_id if group else enrollment.staff_id)


def _context(snap: Snapshot, enrollment: Enrollment, client: Client, staff: Staff | None,
             b: Balance, by_period: dict[int, Balance], next_session: datetime | None,
             studio_name: str, currency: str) -> dict[str, Any]:
    package = snap.packages[enrollment.package_id]
    group = snap.groups.get(enrollment.group_id) if enrollment.group_id else None
    following = by_period.get(b.period + 1)
    return {
        "studio_name": studio_name,
        "currency": currency,
        "enrollment_id": enrollment.enrollment_id,
        "client": {"id": client.client_id, "name": client.name, "email": client.email,
                   "language": client.language},  # the client's e-mails speak it (notify.py)
        "staff": {"id": staff.staff_id, "name": staff.name} if staff else
                 {"id": "", "name": ""},
        "group": {"id": group.group_id, "name": group.name} if group else None,
        "package": {"id": package.package_id, "name": package.name,
                    "sessions": package.sessions},
        "period": b.period,
        "auto_renew": enrollment.auto_renew and package.active,
        "used": b.used,
        "remaining": b.remaining,
        "completed": b.completed,
        "paid_cancel": b.paid_cancel,
        "cancelled": b.cancelled,
        "next_session": next_session,
        "last_session": b.last_session,
        "next_period": None if following is None else {
            "number": following.period, "first_session": following.first_session,
            "price": following.price, "due": following.due},
        "period_price": b.price,
        "period_paid": b.paid,
        "period_due": b.due,
        "total_due": sum((x.due for x in by_period.values()), start=Decimal(0)),
    }
