"""Snapshot + now -> Plan: every appointment to add, change or delete, and the balances.

Pure: no I/O, no clock. Planning is canonical, which makes a sync idempotent:
for each enrollment the appointments that nobody moved by hand and that lie in
the future ("floating") are laid on the earliest free slots of the schedule,
period by period, skipping closures and the slots that fixed appointments
(held, cancelled, moved by hand or past) already take. Planning again at the
same `now` therefore finds nothing to do.

Rules (SPEC section 2):
- a pending appointment whose end is before now is completed;
- a closed client or ended enrollment loses its pending appointments after now;
- a period holds exactly `sessions` appointments that are not cancelled: a
  cancellation gets a make-up on the next free slot, a paid cancel counts as used;
- period 1 starts at start_date (slots before now are planned as completed);
  make-ups, re-planned sessions and renewals are always after now;
- a used-up period is renewed at once when auto_renew is on;
- a used session's commission is written once and then stays (ledger.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from . import collector
from .alerts import AlertPlan, AlertRules, due_alerts
from .ledger import balances_for, with_commission
from .model import (
    CANCELLED,
    COMPLETED,
    PENDING,
    USED,
    Appointment,
    Balance,
    Client,
    Closure,
    Enrollment,
    Package,
    Problem,
    Snapshot,
    Staff,
)
from .phrases import P_
from .schedule import HORIZON, Schedule, Slot, slots


@dataclass(frozen=True, slots=True)
class Change:
    before: Appointment
    after: Appointment

    @property
    def completed(self) -> bool:
        return self.before.status == PENDING and self.after.status == COMPLETED

    @property
    def moved(self) -> bool:
        return self.before.placement != self.after.placement


@dataclass(frozen=True, slots=True)
class Renewal:
    enrollment_id: str
    client_id: str
    period: int
    first_session: datetime | None


@dataclass(slots=True)
class Plan:
    """Everything a sync at `now` does: the appointments, the balances, the alerts due."""

    now: datetime
    appointments: list[Appointment] = field(default_factory=list)  # every managed row, as wanted
    added: list[Appointment] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    deleted: list[Appointment] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    alerts: AlertPlan = field(default_factory=AlertPlan)  # due now (planned with alert rules)

    @property
    def completed(self) -> list[Change]:
        return [c for c in self.changed if c.completed]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)


@dataclass(frozen=True, slots=True)
class Terms:
    """Everything that decides where an enrollment's sessions go."""

    enrollment: Enrollment
    package: Package
    client: Client
    staff_id: str  # the group's, for a group's enrollment
    schedule: Schedule
    parity_anchor: date  # which weeks an every-N-weeks rule falls on
    closures: tuple[Closure, ...]

    @property
    def active(self) -> bool:
        return self.client.active and self.enrollment.active

    @property
    def renews(self) -> bool:
        return self.active and self.enrollment.auto_renew and self.package.active

    def closed_on(self, day: date) -> bool:
        e = self.enrollment
        return any(c.covers(day, self.staff_id, e.client_id, e.group_id) for c in self.closures)


class ClosureIndex:
    """Closures by whom they are for, so each enrollment looks only at its own candidates.

    Studios add closures per client (travel) and per staff member (leave), so their number
    grows with the studio; filtering all of them for every enrollment was quadratic.
    """

    def __init__(self, closures: Sequence[Closure]) -> None:
        self.closures = closures
        self.by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, c in enumerate(closures):
            key = (("client", c.client_id) if c.client_id else ("staff", c.staff_id)
                   if c.staff_id else ("group", c.group_id) if c.group_id else ("all", ""))
            self.by_key[key].append(i)

    def applying(self, staff_id: str, client_id: str, group_id: str) -> tuple[Closure, ...]:
        """Every closure that covers sessions of this staff member, client and group."""
        found = [*self.by_key.get(("all", ""), ()), *self.by_key.get(("client", client_id), ()),
                 *self.by_key.get(("staff", staff_id), ()),
                 *self.by_key.get(("group", group_id), ())]
        return tuple(
            c for c in (self.closures[i] for i in sorted(found))
            if (not c.staff_id or c.staff_id == staff_id)
            and (not c.client_id or c.client_id == client_id)
            and (not c.group_id or c.group_id == group_id)
        )


def terms_for(snap: Snapshot, enrollment: Enrollment, group_anchors: dict[str, date],
              closures: ClosureIndex | None = None) -> Terms:
    group = snap.groups.get(enrollment.group_id) if enrollment.group_id else None
    staff_id = group.staff_id if group else enrollment.staff_id
    schedule = group.schedule if group else enrollment.schedule
    assert schedule is not None, "read.py guarantees a schedule for a readable enrollment"
    index = closures if closures is not None else ClosureIndex(snap.closures)
    applying = index.applying(staff_id, enrollment.client_id, enrollment.group_id)
    return Terms(
        enrollment=enrollment,
        package=snap.packages[enrollment.package_id],
        client=snap.clients[enrollment.client_id],
        staff_id=staff_id,
        schedule=schedule,
        parity_anchor=group_anchors.get(enrollment.group_id, enrollment.start_date),
        closures=applying,
    )


def group_anchors(snap: Snapshot) -> dict[str, date]:
    """A group's weeks are counted from its earliest member's start, the same for everyone."""
    anchors: dict[str, date] = {}
    for e in snap.enrollments.values():
        if e.group_id and (e.group_id not in anchors or e.start_date < anchors[e.group_id]):
            anchors[e.group_id] = e.start_date
    return anchors


def plan(snap: Snapshot, now: datetime, horizon: timedelta = HORIZON, *,
         alert_rules: AlertRules | None = None) -> Plan:
    """Decide every change a sync at `now` makes. `now` is naive studio wall-clock time.

    With `alert_rules`, the plan also holds the alerts due (`Plan.alerts`); without, none.
    The cycle collector is paused meanwhile (a big studio's records hold no cycle).
    """
    with collector.paused():
        return _plan(snap, now, horizon, alert_rules)


def _plan(snap: Snapshot, now: datetime, horizon: timedelta,
          alert_rules: AlertRules | None) -> Plan:
    result = Plan(now=now, held=set(snap.held), problems=list(snap.problems))
    by_enrollment: dict[str, list[Appointment]] = defaultdict(list)
    for appointment in snap.appointments:
        by_enrollment[appointment.enrollment_id].append(appointment)
    payments = defaultdict(list)
    for payment in snap.payments:
        payments[payment.enrollment_id].append(payment)
    anchors = group_anchors(snap)
    closures = ClosureIndex(snap.closures)
    ids = IdMaker(set(snap.taken_ids))
    for enrollment_id, enrollment in snap.enrollments.items():
        if enrollment_id in snap.held:
            continue
        terms = terms_for(snap, enrollment, anchors, closures)
        planner = _EnrollmentPlanner(terms, by_enrollment[enrollment_id], now, ids, horizon,
                                     snap.staff)
        planner.run()
        final = planner.final()
        result.appointments.extend(final)
        result.added.extend(planner.added)
        result.changed.extend(planner.changes())
        result.deleted.extend(planner.deleted)
        result.renewals.extend(planner.renewals)
        result.problems.extend(planner.problems)
        result.balances.extend(balances_for(terms.enrollment, terms.package, terms.client,
                                            final, payments[enrollment_id], now))
    result.problems.sort(key=Problem.sort_key)
    if alert_rules is not None:
        result.alerts = due_alerts(snap, result.balances, result.appointments, now, alert_rules)
    return result


class IdMaker:
    """Deterministic appointment ids `<enrollment>-<period>-<nn>` that never collide."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self._highest: dict[str, int] | None = None  # found on the first new id: a sync
        # that adds nothing never reads every id

    @property
    def highest(self) -> dict[str, int]:
        if self._highest is None:
            self._highest = {}
            for existing in self.taken:
                prefix, _, number = existing.rpartition("-")
                if prefix and number.isdigit():
                    self._highest[prefix] = max(self._highest.get(prefix, 0), int(number))
        return self._highest

    def next(self, enrollment_id: str, period: int) -> str:
        prefix = f"{enrollment_id}-{period}"
        number = self.highest.get(prefix, 0) + 1
        while f"{prefix}-{number:02d}" in self.taken:
            number += 1
        self.highest[prefix] = number
        new_id = f"{prefix}-{number:02d}"
        self.taken.add(new_id)
        return new_id


class _EnrollmentPlanner:
    """Plans one enrollment; `desired` holds every appointment as it should end up."""

    def __init__(self, terms: Terms, existing: list[Appointment], now: datetime,
                 ids: IdMaker, horizon: timedelta, staff: Mapping[str, Staff]) -> None:
        self.t, self.now, self.ids, self.horizon = terms, now, ids, horizon
        self.staff = staff
        self.existing = {a.appointment_id: a for a in existing}
        self.desired: dict[str, Appointment] = {}
        self.by_period: dict[int, dict[str, Appointment]] = defaultdict(dict)  # desired, too
        self.added: list[Appointment] = []
        self.deleted: list[Appointment] = []
        self.renewals: list[Renewal] = []
        self.problems: list[Problem] = []
        self.latest: tuple[date, time] | None = None  # the last session of the periods filled

    def run(self) -> None:
        self._schedule()
        e, package = self.t.enrollment, self.t.package
        for a in list(self.desired.values()):
            self._set(with_commission(a, e, package, self.staff.get(a.staff_id)))
        self.added = [self.desired[a.appointment_id] for a in self.added]

    def _schedule(self) -> None:
        client, group_id = self.t.client, self.t.enrollment.group_id
        for a in sorted(self.existing.values(), key=_when):
            if a.status == PENDING and a.ends_at < self.now:
                a = replace(a, status=COMPLETED)
            if (a.client_id, a.client_name, a.group_id) != (client.client_id, client.name,
                                                            group_id):
                a = replace(a, client_id=client.client_id, client_name=client.name,
                            group_id=group_id)
            self._set(a)
        if not self.t.active:
            for a in list(self.desired.values()):
                if a.status == PENDING and a.starts_at > self.now:
                    self._delete(a)
            return
        periods = sorted({a.period for a in self.desired.values()}) or [1]
        fixed = [a for a in self.desired.values() if not self._floating(a)]
        # A session moved by hand still holds the slot it was planned on: moving one
        # session never pulls the following ones forward into the gap it left.
        self.occupied = {a.starts_at for a in fixed} | {
            start for a in fixed
            if a.moved_by_hand and (start := a.planned_start) is not None}
        for period in periods:
            self._fill(period)
        last = periods[-1]
        if self.t.renews and self._used_up(last):
            self._fill(last + 1)
            first = min((a.starts_at for a in self._in(last + 1)), default=None)
            self.renewals.append(Renewal(self.t.enrollment.enrollment_id,
                                         self.t.client.client_id, last + 1, first))

    def final(self) -> list[Appointment]:
        return sorted(self.desired.values(), key=_when)

    def changes(self) -> list[Change]:
        return [Change(before, a) for k, a in self.desired.items()
                if (before := self.existing.get(k)) is not None and before is not a
                and before != a]

    def _in(self, period: int) -> list[Appointment]:
        return list(self.by_period[period].values())

    def _set(self, a: Appointment) -> None:
        """Want `a` (a new one, or in place of the one with its id, in the same period)."""
        self.desired[a.appointment_id] = self.by_period[a.period][a.appointment_id] = a

    def _floating(self, a: Appointment) -> bool:
        """Pending, in the future and where sheetsync put it: free to be re-planned."""
        return a.status == PENDING and a.starts_at > self.now and not a.moved_by_hand

    def _used_up(self, period: int) -> bool:
        held = self._in(period)
        used = sum(a.status in USED for a in held)
        return used >= self.t.package.sessions and not any(a.status == PENDING for a in held)

    def _fill(self, period: int) -> None:
        """Lay the period's floating appointments on the earliest free slots; add or drop some."""
        in_period = self._in(period)
        brand_new = period == 1 and not self.desired
        floating = sorted((a for a in in_period if self._floating(a)), key=_when)
        held = [a for a in in_period if not self._floating(a) and a.status != CANCELLED]
        need = self.t.package.sessions - len(held)
        if need < 0:
            self._overfull(period, len(held))
        need = max(need, 0)
        for extra in floating[need:]:
            self._delete(extra)
        floating = floating[:need]
        chosen = list(self._free_slots(period, need, brand_new))
        if len(chosen) < need:
            self._no_room(period, need - len(chosen))
        for appointment, slot in zip(floating, chosen, strict=False):
            self._set(self._place(appointment, slot))
        numbers = self._free_session_numbers(period)
        for slot in chosen[len(floating):]:
            self._add(period, next(numbers), slot)
        self.occupied.update(slot.start for slot in chosen)
        # periods are filled in order, each changing only its own rows: what this one now
        # holds bounds every later period (`_free_slots`)
        placed = [(a.date, a.start) for a in self.by_period[period].values()]
        self.latest = max([*placed, *([self.latest] if self.latest else [])], default=None)

    def _free_slots(self, period: int, count: int, brand_new: bool) -> Iterator[Slot]:
        if count <= 0:
            return
        not_before = datetime.combine(self.t.enrollment.start_date, time())
        after = datetime.combine(*self.latest) if self.latest else None  # earlier periods'
        start_from = not_before if brand_new else max(not_before, self.now)
        duration = timedelta(minutes=self.t.package.duration_min)
        found = 0
        for slot in slots(self.t.schedule, self.t.parity_anchor, start_from, duration,
                          self.horizon):
            if after is not None and slot.start <= after:
                continue
            if not brand_new and slot.start <= self.now:
                continue
            if slot.start in self.occupied or self.t.closed_on(slot.start.date()):
                continue
            yield slot
            found += 1
            if found == count:
                return

    def _free_session_numbers(self, period: int) -> Iterator[int]:
        taken = {a.session for a in self._in(period) if a.status != CANCELLED}
        number = 1
        while True:
            if number not in taken:
                yield number
            number += 1

    def _place(self, a: Appointment, slot: Slot) -> Appointment:
        if ((a.date, a.start, a.end, a.staff_id) == (slot.start.date(), slot.start.time(),
                                                      slot.end.time(), self.t.staff_id)
                and a.planned == a.placement):
            return a  # already there: the row nothing touched stays the very record read
        placed = replace(a, date=slot.start.date(), start=slot.start.time(),
                         end=slot.end.time(), staff_id=self.t.staff_id)
        return replace(placed, planned=placed.placement)

    def _add(self, period: int, session: int, slot: Slot) -> None:
        e = self.t.enrollment
        status = COMPLETED if slot.end < self.now else PENDING
        new = self._place(Appointment(
            appointment_id=self.ids.next(e.enrollment_id, period),
            enrollment_id=e.enrollment_id, period=period, session=session,
            client_id=e.client_id, client_name=self.t.client.name, group_id=e.group_id,
            staff_id=self.t.staff_id, date=slot.start.date(), start=slot.start.time(),
            end=slot.end.time(), status=status,
        ), slot)
        self._set(new)
        self.added.append(new)

    def _delete(self, a: Appointment) -> None:
        del self.desired[a.appointment_id], self.by_period[a.period][a.appointment_id]
        if a.appointment_id in self.existing:
            self.deleted.append(self.existing[a.appointment_id])
        else:
            self.added = [x for x in self.added if x.appointment_id != a.appointment_id]

    def _overfull(self, period: int, count: int) -> None:
        e = self.t.enrollment
        phrase = P_("Period {period} of enrollment {enrollment} has {count} sessions that are "
                    "used or moved by hand, more than the {sessions} of its package; cancel or "
                    "delete the extra ones.", period=period, enrollment=e.enrollment_id,
                    count=count, sessions=self.t.package.sessions)
        self.problems.append(Problem(
            "Appointments", None, "status", f"{e.enrollment_id} period {period}", str(phrase),
            phrase))

    def _no_room(self, period: int, missing: int) -> None:
        e = self.t.enrollment
        phrase = P_("No free slot was found for {missing} session(s) of period {period} of "
                    "enrollment {enrollment} within {years} years; check the schedule and the "
                    "closures.", missing=missing, period=period, enrollment=e.enrollment_id,
                    years=self.horizon.days // 365)
        self.problems.append(Problem(
            "Enrollments", e.row, "schedule", self.t.schedule.text, str(phrase), phrase))


def _when(a: Appointment) -> tuple[date, time, str]:
    """Time order (naive wall-clock times: date then start is starts_at's order), then id."""
    return (a.date, a.start, a.appointment_id)

