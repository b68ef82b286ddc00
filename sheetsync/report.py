"""The monthly commission report: a month's used sessions per staff member and package.

Pure: (snapshot, month, now) -> CommissionReport. No I/O, no clock.

Which sessions count: those dated in the month that are used (completed or
paid_cancel) in the appointments a sync at `now` would leave, i.e. in
`plan(snapshot, now)`. So the report never depends on whether a sync ran
first: a pending session that ended before now counts as completed, and a used
session whose commission cell is empty (or no longer fits its row) gets exactly
the amount that sync would freeze (ledger.with_commission). Enrollments held by
a problem are not planned; their rows count as the workbook shows them, an
empty commission computed the same way. The notes say when any of this applied.

Money: a session's commission is its frozen cell, its revenue the per-session
price of its commission basis (the price when the session was earned), else
its per-session price today; both rounded half-up to cents once per session.
Every total is a sum of those rounded rows. Decimal throughout, never a float.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from .cells import cents
from .formatting import format_stamp
from .i18n import DEFAULT, translations
from .ledger import basis_price, session_price, with_commission
from .model import PENDING, USED, Appointment, Problem, Snapshot
from .month import Month
from .plan import Plan, plan

SESSION_COLUMNS = ("appointment_id", "enrollment_id", "client_name", "date", "status",
                   "staff_id", "staff_name", "package_id", "package_name", "revenue",
                   "commission")
STAFF_COLUMNS = ("staff_id", "staff_name", "sessions", "revenue", "commission")
PACKAGE_COLUMNS = ("staff_id", "staff_name", "package_id", "package_name", "sessions",
                   "revenue", "commission")


@dataclass(frozen=True, slots=True)
class CommissionReport:
    month: Month
    now: datetime
    sessions: pd.DataFrame  # one row per used session (SESSION_COLUMNS)
    by_staff: pd.DataFrame  # STAFF_COLUMNS, ordered by staff name
    by_package: pd.DataFrame  # PACKAGE_COLUMNS, each staff member's packages
    notes: tuple[str, ...] = ()  # what the reader must know to trust the numbers
    problems: tuple[Problem, ...] = ()  # every problem of the workbook, as sync sees them

    @property
    def empty(self) -> bool:
        return self.sessions.empty

    @property
    def total_sessions(self) -> int:
        return len(self.sessions)

    @property
    def total_revenue(self) -> Decimal:
        return _decimal_sum(self.by_staff["revenue"])

    @property
    def total_commission(self) -> Decimal:
        return _decimal_sum(self.by_staff["commission"])

    def tab_rows(self) -> list[dict[str, object]]:
        """The month's rows of the Commissions tab, one per staff member."""
        return [{"month": str(self.month), "staff_id": r["staff_id"],
                 "staff_name": r["staff_name"], "sessions": int(r["sessions"]),
                 "revenue": r["revenue"], "commission": r["commission"]}
                for r in self.by_staff.to_dict("records")]


@dataclass(frozen=True, slots=True)
class _Earned:
    """One used session of the month, as the report counts it."""

    appointment_id: str
    enrollment_id: str
    client_name: str
    date: date
    status: str
    staff_id: str
    staff_name: str
    package_id: str
    package_name: str
    revenue: Decimal
    commission: Decimal


def commission_report(snapshot: Snapshot, month: Month, now: datetime,
                      locale: str = DEFAULT) -> CommissionReport:
    """What every staff member earned in `month`, as a sync at `now` would leave the workbook
    (its notes in `locale`)."""
    return commission_reports(snapshot, [month], now, locale)[0]


def commission_reports(snapshot: Snapshot, months: Sequence[Month], now: datetime,
                       locale: str = DEFAULT, *,
                       synced: Plan | None = None) -> list[CommissionReport]:
    """`commission_report` of each of `months`, in order, from one plan (`synced`, when the
    caller has `plan(snapshot, now)` already) and one pass over the rows, sorted by month:
    the monthly report asks for twelve months."""
    synced = synced if synced is not None else plan(snapshot, now)
    workbook = {a.appointment_id: a for a in snapshot.appointments}
    held_rows = [_as_held(a, snapshot) for a in snapshot.appointments
                 if a.enrollment_id in synced.held]
    by_month: dict[tuple[int, int], list[Appointment]] = defaultdict(list)
    for a in [*synced.appointments, *held_rows]:
        by_month[a.date.year, a.date.month].append(a)
    return [_month_report(snapshot, month, now, locale, synced, workbook,
                          by_month.get((month.year, month.month), [])) for month in months]


def _month_report(snapshot: Snapshot, month: Month, now: datetime, locale: str, synced: Plan,
                  workbook: Mapping[str, Appointment],
                  rows: Sequence[Appointment]) -> CommissionReport:
    """The report of `month` from its `rows` (planned, and held as they stand) and the
    `workbook`'s own rows by id (what the last sync left)."""
    earned: list[_Earned] = []
    to_come = completed_here = not_frozen = 0
    unreadable: list[str] = []
    uncounted: list[str] = []
    held_here: set[str] = set()
    for a in rows:
        if a.enrollment_id in synced.held:
            held_here.add(a.enrollment_id)
        if not a.used:
            to_come += a.status == PENDING and a.ends_at >= now
            continue
        line = _earned(a, snapshot)
        if line is None:
            uncounted.append(a.appointment_id)
            continue
        before = workbook.get(a.appointment_id)
        completed_here += before is None or before.status not in USED
        if a.commission is None:
            unreadable.append(a.appointment_id)
        elif before is None or (before.commission, before.commission_basis) != (
                a.commission, a.commission_basis):
            not_frozen += 1
        earned.append(line)
    earned.sort(key=lambda e: (e.staff_name.casefold(), e.staff_id, e.package_name.casefold(),
                               e.package_id, e.date, e.appointment_id))
    sessions = pd.DataFrame([_record(e) for e in earned], columns=list(SESSION_COLUMNS))
    notes = _notes(month, now, to_come=to_come, completed_here=completed_here,
                   not_frozen=not_frozen, unreadable=unreadable, uncounted=uncounted,
                   held=sorted(held_here), problems=len(synced.problems), locale=locale)
    return CommissionReport(
        month=month, now=now, sessions=sessions,
        by_staff=_grouped(sessions, ["staff_id", "staff_name"], STAFF_COLUMNS),
        by_package=_grouped(sessions, ["staff_id", "staff_name", "package_id", "package_name"],
                            PACKAGE_COLUMNS),
        notes=tuple(notes), problems=tuple(synced.problems))


def _as_held(a: Appointment, snapshot: Snapshot) -> Appointment:
    """A row of an enrollment held by a problem: as it stands, an empty commission computed."""
    enrollment = snapshot.enrollments.get(a.enrollment_id)
    package = snapshot.packages.get(enrollment.package_id) if enrollment else None
    if enrollment is None or package is None:
        return a
    return with_commission(a, enrollment, package, snapshot.staff.get(a.staff_id))


def _earned(a: Appointment, snapshot: Snapshot) -> _Earned | None:
    """The session's line, or None when its price cannot be known (enrollment unreadable)."""
    enrollment = snapshot.enrollments.get(a.enrollment_id)
    package = snapshot.packages.get(enrollment.package_id) if enrollment else None
    price = basis_price(a.commission_basis) if a.commission is not None else None
    if price is None:
        if enrollment is None or package is None:
            return None
        price = session_price(a, enrollment, package)
    staff = snapshot.staff.get(a.staff_id)
    return _Earned(
        appointment_id=a.appointment_id, enrollment_id=a.enrollment_id,
        client_name=a.client_name, date=a.date,
        status=a.status, staff_id=a.staff_id, staff_name=staff.name if staff else "",
        package_id=package.package_id if package else "",
        package_name=package.name if package else "",
        revenue=cents(price),
        commission=cents(a.commission) if a.commission is not None else Decimal("0.00"))


def _record(e: _Earned) -> dict[str, object]:
    return {name: getattr(e, name) for name in SESSION_COLUMNS}


def _decimal_sum(values: pd.Series) -> Decimal:
    return sum(values, Decimal("0.00"))


def _grouped(sessions: pd.DataFrame, keys: list[str], columns: tuple[str, ...]) -> pd.DataFrame:
    """Sessions, revenue and commission per key, in the order the sessions are sorted."""
    grouped = sessions.groupby(keys, sort=False).agg(
        sessions=("appointment_id", "size"),
        revenue=("revenue", _decimal_sum),
        commission=("commission", _decimal_sum),
    ).reset_index()
    return grouped[list(columns)]


def _notes(month: Month, now: datetime, *, to_come: int, completed_here: int, not_frozen: int,
           unreadable: list[str], uncounted: list[str], held: list[str],
           problems: int, locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    notes = []
    if to_come and now.date() < month.first:
        notes.append(t.ngettext(
            "%(month)s has not begun: its %(count)s planned session(s) are not counted yet.",
            "%(month)s has not begun: its %(count)s planned session(s) are not counted yet.",
            to_come) % {"month": month, "count": to_come})
    elif to_come:
        notes.append(t.ngettext(
            "%(month)s is not over at %(now)s: %(count)s session(s) still to come are not "
            "counted yet.", "%(month)s is not over at %(now)s: %(count)s session(s) still to "
            "come are not counted yet.", to_come) % {
                "month": month, "now": format_stamp(now, locale), "count": to_come})
    if completed_here:
        notes.append(t.ngettext(
            "%(count)s session(s) ended but no sync has marked them completed yet; they are "
            "counted, as the next sync will complete them.", "%(count)s session(s) ended but "
            "no sync has marked them completed yet; they are counted, as the next sync will "
            "complete them.", completed_here) % {"count": completed_here})
    if not_frozen:
        notes.append(t.ngettext(
            "%(count)s commission(s) are not frozen in the Appointments tab yet; they are "
            "computed at today's rates, as the next sync will freeze them. Run 'sheetsync "
            "sync' to freeze them now.", "%(count)s commission(s) are not frozen in the "
            "Appointments tab yet; they are computed at today's rates, as the next sync will "
            "freeze them. Run 'sheetsync sync' to freeze them now.", not_frozen)
            % {"count": not_frozen})
    if unreadable:
        notes.append(t.gettext(
            "The commission cell of %(ids)s cannot be read, so it adds nothing here; correct "
            "it (see 'sheetsync check').") % {"ids": _ids(unreadable, locale)})
    if uncounted:
        notes.append(t.gettext(
            "%(ids)s are not counted: their enrollment or package cannot be read (see "
            "'sheetsync check').") % {"ids": _ids(uncounted, locale)})
    if held:
        notes.append(t.gettext(
            "Enrollment(s) %(ids)s have a problem, so their sessions count as the workbook "
            "shows them (see 'sheetsync check').") % {"ids": ", ".join(held)})
    if problems:
        notes.append(t.ngettext(
            "The workbook has %(count)s problem(s); rows sheetsync cannot read are not in this "
            "report. Run 'sheetsync check' to see them.", "The workbook has %(count)s "
            "problem(s); rows sheetsync cannot read are not in this report. Run 'sheetsync "
            "check' to see them.", problems) % {"count": problems})
    return notes


def _ids(ids: list[str], locale: str = DEFAULT) -> str:
    shown = ", ".join(ids[:5])
    return shown + (translations(locale).gettext(" and %(count)s more") % {
        "count": len(ids) - 5} if len(ids) > 5 else "")

