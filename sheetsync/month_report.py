"""The owner's month at a glance: the figures of `sheetsync report month`.

Pure: (snapshot, month, now) -> MonthReport. No I/O, no clock; month_report_html.py draws it.

Invariants:
- revenue, commission and used sessions of each of the twelve months are those of
  `report.commission_report` for that month (`commission_reports`: all on one plan), so
  they agree to the cent with `sheetsync report commissions` by construction;
- every other figure is read from the appointments and balances a sync at `now` would
  leave (`plan(snapshot, now)`), enrollments held by a problem as the workbook shows them,
  as the commission report counts them;
- money due by age adds up, to the cent, to the money due in Balances (the positive `due`
  of every period); a period's age is counted from its first session, as the payment
  reminder counts "due since" (ledger.days_due); credits are a separate figure.

How full (the weekday x hour heatmap): the places booked in that hour of the month, i.e.
every appointment that is not `cancelled` (a private session takes one place, a group class
as many as its members booked; a paid_cancel still held its place). A private session has
no capacity to fill, so a ratio would always be 100 %; places booked show where the studio's
week is busy for both kinds alike. The groups' own fill (places booked / capacity of every
class held) is given per group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from .ledger import days_due
from .model import CANCELLED, COMPLETED, PAID_CANCEL, PENDING, Appointment, Balance, Snapshot
from .month import Month
from .plan import Plan, plan
from .report import CommissionReport, commission_reports

MONTHS_SHOWN = 12
#: Upper bounds (days since the period's first session) of the money-due age buckets.
AGE_BUCKETS = (30, 60, 90)
NOT_STARTED = "not_started"  # a period due whose first session is still to come
WEEKDAYS = 7


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month of the twelve-month charts."""

    month: Month
    revenue: Decimal  # the used sessions' value (report commissions' revenue)
    commission: Decimal
    completed: int  # sessions held
    paid_cancel: int  # cancelled late: paid, held its place
    cancelled: int  # given back (a make-up follows)
    to_come: int  # still pending in that month at `now`

    @property
    def used(self) -> int:
        return self.completed + self.paid_cancel


@dataclass(frozen=True, slots=True)
class StaffFigures:
    staff_id: str
    name: str
    sessions: int  # used sessions of the month
    revenue: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class GroupFill:
    group_id: str
    name: str
    classes: int  # classes held in the month (each distinct day and start)
    booked: int  # places booked over those classes
    capacity: int | None  # places offered over those classes (None: no capacity set)

    @property
    def fill(self) -> float | None:
        return self.booked / self.capacity if self.capacity else None


@dataclass(frozen=True, slots=True)
class PeriodStart:
    """A package period whose first session falls in the month (a renewal, or a new one)."""

    enrollment_id: str
    client_id: str
    client_name: str
    package_id: str
    package_name: str
    period: int
    first_session: datetime


@dataclass(frozen=True, slots=True)
class ClosedClient:
    client_id: str
    name: str
    last_session: datetime | None  # their last session held, if any


@dataclass(frozen=True, slots=True)
class DueBucket:
    """Money due of the periods whose first session was `lower`..`upper` days before now
    (`upper` None: older than `lower`; `lower` None: the first session is still to come)."""

    lower: int | None
    upper: int | None
    amount: Decimal
    periods: int


@dataclass(frozen=True, slots=True)
class MonthReport:
    month: Month
    now: datetime
    months: tuple[MonthFigures, ...]  # the twelve months ending with `month`, oldest first
    staff: tuple[StaffFigures, ...]  # `month`'s, as report commissions orders them
    occupancy: dict[tuple[int, int], int]  # (weekday 0=Mon, hour) -> places booked in `month`
    groups: tuple[GroupFill, ...]
    renewals: tuple[PeriodStart, ...]  # periods 2, 3 ... whose first session is in `month`
    new_packages: tuple[PeriodStart, ...]  # first periods whose first session is in `month`
    closed_clients: tuple[ClosedClient, ...]  # closed, their last session in `month`
    due_by_age: tuple[DueBucket, ...]  # not started, 0-30, 31-60, 61-90, over 90 days
    credit: Decimal  # money paid beyond the price (the negative dues of Balances), as > 0
    commissions: CommissionReport  # `month`'s commission report: its notes and problems

    @property
    def this_month(self) -> MonthFigures:
        return self.months[-1]

    @property
    def total_due(self) -> Decimal:
        return sum((b.amount for b in self.due_by_age), Decimal("0.00"))

    @property
    def hours(self) -> tuple[int, ...]:
        """The hours the heatmap shows: from the earliest to the latest booked, 8-20 if none."""
        booked = [hour for _, hour in self.occupancy]
        return tuple(range(min(booked, default=8), max(booked, default=20) + 1))

    @property
    def notes(self) -> tuple[str, ...]:
        return self.commissions.notes

    @property
    def exit_code(self) -> int:
        return 1 if self.commissions.problems else 0


def month_report(snapshot: Snapshot, month: Month, now: datetime,
                 locale: str = "en") -> MonthReport:
    """The figures of `month` and the eleven months before it, as a sync at `now` leaves the
    workbook (notes in `locale`)."""
    synced = plan(snapshot, now)
    rows = counted_rows(snapshot, synced)
    reports = commission_reports(snapshot, months_ending(month, MONTHS_SHOWN), now, locale,
                                 synced=synced)
    statuses = statuses_by_month(rows)
    in_month = [a for a in rows if a.date in month]
    starts = period_starts(snapshot, synced.balances, month)
    return MonthReport(
        month=month, now=now,
        months=tuple(_figures(r, statuses.get(r.month, Counter())) for r in reports),
        staff=tuple(_staff(reports[-1])),
        occupancy=occupancy(in_month),
        groups=tuple(_group_fill(snapshot, in_month)),
        renewals=tuple(p for p in starts if p.period > 1),
        new_packages=tuple(p for p in starts if p.period == 1),
        closed_clients=tuple(closed_clients(snapshot, rows, month)),
        due_by_age=due_by_age(synced.balances, now),
        credit=-sum((b.due for b in synced.balances if b.due < 0), Decimal("0.00")),
        commissions=reports[-1])


def months_ending(month: Month, count: int) -> list[Month]:
    """`count` calendar months, oldest first, the last being `month`."""
    index = month.year * 12 + month.month - 1
    return [Month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def counted_rows(snapshot: Snapshot, synced: Plan) -> list[Appointment]:
    """The appointments a sync at `now` leaves, and those of held enrollments as they stand."""
    held = [a for a in snapshot.appointments if a.enrollment_id in synced.held]
    return [*synced.appointments, *held]


def statuses_by_month(rows: Iterable[Appointment]) -> dict[Month, Counter[str]]:
    """How many rows of each status every month holds (one pass for the twelve months)."""
    found: defaultdict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for a in rows:
        found[a.date.year, a.date.month][a.status] += 1
    return {Month(year, month): statuses for (year, month), statuses in found.items()}


def _figures(report: CommissionReport, statuses: Counter[str]) -> MonthFigures:
    return MonthFigures(month=report.month, revenue=report.total_revenue,
                        commission=report.total_commission, completed=statuses[COMPLETED],
                        paid_cancel=statuses[PAID_CANCEL], cancelled=statuses[CANCELLED],
                        to_come=statuses[PENDING])


def _staff(report: CommissionReport) -> Iterable[StaffFigures]:
    for r in report.by_staff.to_dict("records"):
        yield StaffFigures(staff_id=str(r["staff_id"]), name=str(r["staff_name"]),
                           sessions=int(r["sessions"]), revenue=r["revenue"],
                           commission=r["commission"])


def occupancy(rows: Iterable[Appointment]) -> dict[tuple[int, int], int]:
    """Places booked per (weekday, hour of the start): every row that is not cancelled."""
    return dict(Counter((a.date.weekday(), a.start.hour) for a in rows
                        if a.status != CANCELLED))


def _group_fill(snapshot: Snapshot, rows: Iterable[Appointment]) -> Iterable[GroupFill]:
    classes: dict[str, Counter[tuple[date, object]]] = defaultdict(Counter)
    for a in rows:
        if a.group_id and a.status != CANCELLED:
            classes[a.group_id][a.date, a.start] += 1
    for group_id in sorted(classes, key=lambda g: (_group_name(snapshot, g).casefold(), g)):
        held = classes[group_id]
        group = snapshot.groups.get(group_id)
        capacity = group.capacity if group is not None else None
        yield GroupFill(group_id=group_id, name=_group_name(snapshot, group_id),
                        classes=len(held), booked=sum(held.values()),
                        capacity=capacity * len(held) if capacity else None)


def _group_name(snapshot: Snapshot, group_id: str) -> str:
    group = snapshot.groups.get(group_id)
    return group.name if group is not None else group_id


def period_starts(snapshot: Snapshot, balances: Iterable[Balance],
                  month: Month) -> list[PeriodStart]:
    """The periods whose first session falls in `month`, by day."""
    found = []
    for b in balances:
        if b.first_session is None or b.first_session.date() not in month:
            continue
        package = snapshot.packages.get(b.package_id)
        found.append(PeriodStart(
            enrollment_id=b.enrollment_id, client_id=b.client_id, client_name=b.client_name,
            package_id=b.package_id, package_name=package.name if package else b.package_id,
            period=b.period, first_session=b.first_session))
    return sorted(found, key=lambda p: (p.first_session, p.enrollment_id, p.period))


def closed_clients(snapshot: Snapshot, rows: Iterable[Appointment],
                   month: Month) -> list[ClosedClient]:
    """Clients whose status is closed and whose last session held falls in `month` (the
    workbook keeps no date of closing; the last visit is when the studio lost them)."""
    last: dict[str, datetime] = {}
    for a in rows:
        if a.status in (COMPLETED, PAID_CANCEL):
            last[a.client_id] = max(last.get(a.client_id, a.starts_at), a.starts_at)
    return sorted((ClosedClient(c.client_id, c.name, last[c.client_id])
                   for c in snapshot.clients.values()
                   if not c.active and c.client_id in last
                   and last[c.client_id].date() in month),
                  key=lambda c: (c.name.casefold(), c.client_id))


def due_by_age(balances: Iterable[Balance], now: datetime) -> tuple[DueBucket, ...]:
    """The money due of every period (Balances' positive `due`), by days since its first
    session: not started yet, 0-30, 31-60, 61-90, over 90."""
    bounds: list[tuple[int | None, int | None]] = [(None, None), (0, AGE_BUCKETS[0])]
    bounds += [(low + 1, high) for low, high in pairwise(AGE_BUCKETS)]
    bounds.append((AGE_BUCKETS[-1] + 1, None))
    amounts = [Decimal("0.00")] * len(bounds)
    periods = [0] * len(bounds)
    for b in balances:
        if b.due <= 0:
            continue
        index = _bucket(b, now)
        amounts[index] += b.due
        periods[index] += 1
    return tuple(DueBucket(low, high, amount, count)
                 for (low, high), amount, count in zip(bounds, amounts, periods, strict=True))


def _bucket(b: Balance, now: datetime) -> int:
    days = days_due(b, now)
    return 0 if days is None else 1 + sum(days > bound for bound in AGE_BUCKETS)

