"""Raw tables -> a typed Snapshot plus the problems found on the way.

Problems are data: every cell that cannot be read becomes one `Problem`
naming tab, row, column and value, and reading goes on. A record with a
problem is left out, and every enrollment that depends on it (its package,
client, staff member, group, payments or appointments) is *held*: planning
leaves its appointments and balances exactly as they are.

A tab or required column that is missing makes the snapshot `structural`:
only those problems are reported, and the workbook is never written.

A cell the store delivers as `cells.Unusable` (a spreadsheet error, a formula
whose result was never saved, a date serial no calendar has) is reported, in
every column sheetsync reads, with the cause named, and is never taken for an
id, a text or an empty cell: it makes its row unreadable wherever an unreadable
value would. Columns sheetsync does not read are never looked at.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Generic, TypeVar

from . import cells
from .cells import CellError, Unusable
from .model import (
    PENDING,
    Appointment,
    Client,
    Closure,
    Enrollment,
    Group,
    Notice,
    Package,
    Payment,
    Problem,
    Snapshot,
    SnapshotDraft,
    Staff,
)
from .schedule import parse_schedule
from .schema import (
    ALL_TABS,
    APPOINTMENTS,
    CLIENTS,
    CLOSURES,
    ENROLLMENTS,
    GROUPS,
    NOTIFICATIONS,
    PACKAGES,
    PAYMENTS,
    STAFF,
    Tab,
)
from .sheet import Columns, empty_row, locate
from .stores.base import Table

T = TypeVar("T")

OPEN = "open"  # a Closures row with this reason opens the studio on a public holiday
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
MOST_SESSIONS = 500  # a package with more is a typo (and would plan years of slots)


class Row:
    """One sheet row being read; remembers whether any cell made it unusable."""

    __slots__ = ("cols", "index", "number", "ok", "problems", "reported", "values", "width")

    def __init__(self, cols: Columns, number: int, values: list[object],
                 problems: list[Problem]) -> None:
        self.cols, self.number, self.values, self.problems = cols, number, values, problems
        self.index, self.width = cols.index, len(values)
        self.ok = True
        self.reported: set[str] = set()  # columns whose unusable cell was reported

    def raw(self, name: str) -> object:
        i = self.index.get(name)
        return self.values[i] if i is not None and i < self.width else None

    def unusable(self, name: str) -> bool:
        return isinstance(self.raw(name), Unusable)

    def text(self, name: str, *, fatal: bool = True) -> str:
        """The cell as text; "" (after reporting it) for a cell holding no usable value."""
        value = self.raw(name)
        if isinstance(value, Unusable):
            self.report_unusable(name, value, fatal=fatal)
            return ""
        return cells.text(value)

    def report_unusable(self, name: str, value: Unusable, *, fatal: bool) -> None:
        if name not in self.reported:
            self.reported.add(name)
            self.problem(name, f"{name} {value.cause}.", fatal=fatal)

    def problem(self, name: str, message: str, *, fatal: bool = True) -> None:
        full = cells.text(self.raw(name))
        if len(full) > 60:  # a pasted novel is named by its first words, not repeated
            message = message.replace(full, full[:40] + "…")
        self.problems.append(Problem(self.cols.tab.name, self.number, name, full[:200],
                                     message[:500]))
        if fatal:
            self.ok = False

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value and not self.unusable(name):
            self.problem(name, f"{name} is empty; every row needs one.")
        return value

    def get(self, name: str, parse: Callable[[object], T], default: T, *,
            required: bool = False, fatal: bool = True) -> T:
        """Parse a cell; blank gives `default` (or a problem when required)."""
        value = self.raw(name)
        if isinstance(value, Unusable):
            self.report_unusable(name, value, fatal=fatal)
            return default
        if cells.is_blank(value):
            if required:
                self.problem(name, f"{name} is empty; every row needs one.")
            return default
        try:
            return parse(value)
        except CellError as err:
            message = str(err)[:300]
            self.problem(name, message if message.endswith("?") else message + ".",
                         fatal=fatal)
            return default


def rows(cols: Columns | None, problems: list[Problem]) -> Iterator[Row]:
    """The rows of a tab that hold something in a column sheetsync knows.

    A row with nothing but the studio's own columns filled (a formula filled down past
    the data, a note) is not a record: it is skipped, and in the tabs sheetsync writes
    it is where the next new record goes.
    """
    if cols is None:
        return
    read = sorted(cols.index.values())
    lead = read[0] if read else 0
    for offset, values in enumerate(cols.table.rows):
        first = values[lead] if lead < len(values) else None
        if not (isinstance(first, str) and first.strip()) and empty_row(values, read):
            continue  # (the first known cell settles it for almost every row)
        yield Row(cols, offset + 2, values, problems)


class Remembered(Generic[T]):
    """`parse` remembered per distinct cell value.

    Appointments repeat the same dates, times, statuses, periods and amounts thousands
    of times; parsing each distinct value once makes reading a large tab several times
    faster. Values are kept apart by type too (1, 1.0 and True are equal in Python but
    not as cells).
    """

    def __init__(self, parse: Callable[[object], T]) -> None:
        self.parse = parse
        self.seen: dict[tuple[type, object], tuple[bool, T | str]] = {}

    def __call__(self, value: object) -> T:
        key = (type(value), value)
        hit = self.seen.get(key)
        if hit is None:
            try:
                hit = (True, self.parse(value))
            except CellError as err:
                hit = (False, str(err))
            self.seen[key] = hit
        if not hit[0]:
            raise CellError(hit[1])
        return hit[1]  # type: ignore[return-value]


def _nonnegative(parse: Callable[[object], Decimal]) -> Callable[[object], Decimal]:
    def parse_nonnegative(value: object) -> Decimal:
        amount = parse(value)
        if amount < 0:
            raise CellError(f"{cells.text(value)} is negative")
        return amount
    return parse_nonnegative


def _choice(*options: str) -> Callable[[object], str]:
    def parse_choice(value: object) -> str:
        raw = cells.text(value).lower()
        if raw not in options:
            raise CellError(f"'{cells.text(value)}' should be {' or '.join(options)}")
        return raw
    return parse_choice


def _email(value: object) -> str:
    raw = cells.text(value)
    if not _EMAIL.match(raw):
        raise CellError(f"'{raw}' is not an e-mail address")
    return raw


class _Reader:
    """Reads one workbook; each `_read_*` method fills the snapshot for one tab."""

    def __init__(self, tables: dict[str, Table]) -> None:
        self.snap = SnapshotDraft()
        self.problems = self.snap.problems
        self.cols: dict[str, Columns | None] = {}
        for tab in ALL_TABS:
            cols, found = locate(tables, tab)
            self.cols[tab.name] = cols
            if found:
                self.snap.structural = True
                self.problems.extend(found)
        # ids whose row could not be read: whatever points at them is held
        self.bad: dict[str, set[str]] = defaultdict(set)

    def rows(self, tab: Tab) -> Iterator[Row]:
        return rows(self.cols[tab.name], self.problems)

    def unique(self, tab: Tab, key: str, records: list[tuple[Row, T]]) -> dict[str, T]:
        """Index records by id; every row of a duplicated id becomes a problem."""
        counts = Counter(getattr(rec, key) for _, rec in records)
        unique: dict[str, T] = {}
        for row, rec in records:
            rid = getattr(rec, key)
            if counts[rid] > 1:
                row.problem(key, f"{key} {rid} is used by {counts[rid]} rows; ids must be unique.")
                self.bad[tab.name].add(rid)
            else:
                unique[rid] = rec
        return unique

    def read(self) -> SnapshotDraft:
        if self.snap.structural:
            return self.snap  # row problems would only echo the missing tab or column
        self._read_packages()
        self._read_clients()
        self._read_staff()
        self._read_groups()
        self._read_enrollments()
        self._read_payments()
        self._read_closures()
        self._read_appointments()
        self._read_notices()
        self.problems.sort(key=Problem.sort_key)
        return self.snap

    def _read_packages(self) -> None:
        found: list[tuple[Row, Package]] = []
        for row in self.rows(PACKAGES):
            package_id = row.required_text("package_id")
            package = Package(
                package_id=package_id,
                name=row.required_text("name"),
                sessions=row.get("sessions", _sessions, 0, required=True),
                price=row.get("price", _nonnegative(cells.parse_money), Decimal(0),
                              required=True),
                duration_min=row.get("duration_min", _minutes, 60),
                commission_rate=row.get("commission_rate", cells.parse_rate, None, fatal=False),
                active=row.get("active", cells.parse_bool, True),
                row=row.number,
            )
            self._keep(row, PACKAGES, package_id, package, found)
        self.snap.packages = self.unique(PACKAGES, "package_id", found)

    def _read_clients(self) -> None:
        found: list[tuple[Row, Client]] = []
        for row in self.rows(CLIENTS):
            client_id = row.required_text("client_id")
            client = Client(
                client_id=client_id,
                name=row.required_text("name"),
                email=row.get("email", _email, "", fatal=False),
                phone=row.text("phone", fatal=False),
                active=row.get("status", _choice("active", "closed"), "active") == "active",
                row=row.number,
            )
            self._keep(row, CLIENTS, client_id, client, found)
        self.snap.clients = self.unique(CLIENTS, "client_id", found)

    def _read_staff(self) -> None:
        found: list[tuple[Row, Staff]] = []
        for row in self.rows(STAFF):
            staff_id = row.required_text("staff_id")
            staff = Staff(
                staff_id=staff_id,
                name=row.required_text("name"),
                email=row.get("email", _email, "", fatal=False),
                manager=row.get("role", _choice("staff", "manager"), "staff") == "manager",
                commission_rate=row.get("commission_rate", cells.parse_rate, None, fatal=False),
                row=row.number,
            )
            self._keep(row, STAFF, staff_id, staff, found)
        self.snap.staff = self.unique(STAFF, "staff_id", found)

    def _read_groups(self) -> None:
        found: list[tuple[Row, Group]] = []
        for row in self.rows(GROUPS):
            group_id = row.required_text("group_id")
            staff_id = row.required_text("staff_id")
            self._known(row, "staff_id", staff_id, self.snap.staff, STAFF)
            group = Group(
                group_id=group_id,
                name=row.required_text("name"),
                staff_id=staff_id,
                schedule=row.get("schedule", parse_schedule, None, required=True),  # type: ignore[arg-type]
                capacity=row.get("capacity", cells.parse_count, None, fatal=False),
                row=row.number,
            )
            self._keep(row, GROUPS, group_id, group, found)
        self.snap.groups = self.unique(GROUPS, "group_id", found)

    def _read_enrollments(self) -> None:
        found: list[tuple[Row, Enrollment]] = []
        for row in self.rows(ENROLLMENTS):
            enrollment_id = row.required_text("enrollment_id")
            client_id = row.required_text("client_id")
            package_id = row.required_text("package_id")
            group_id = row.text("group_id")
            staff_id = row.text("staff_id")
            self._known(row, "client_id", client_id, self.snap.clients, CLIENTS)
            self._known(row, "package_id", package_id, self.snap.packages, PACKAGES)
            schedule = None
            if group_id or row.unusable("group_id"):
                self._known(row, "group_id", group_id, self.snap.groups, GROUPS)
                # The group's staff and schedule apply; what else is typed must still read.
                if staff_id:
                    self._known(row, "staff_id", staff_id, self.snap.staff, STAFF, fatal=False)
                row.get("schedule", parse_schedule, None, fatal=False)
            else:
                if not staff_id and not row.unusable("staff_id"):
                    row.problem("staff_id", "staff_id is empty; an enrollment without a group "
                                "needs a staff member.")
                else:
                    self._known(row, "staff_id", staff_id, self.snap.staff, STAFF)
                schedule = row.get("schedule", parse_schedule, None, required=True)
            enrollment = Enrollment(
                enrollment_id=enrollment_id,
                client_id=client_id,
                package_id=package_id,
                start_date=row.get("start_date", cells.parse_date, None,  # type: ignore[arg-type]
                                   required=True),
                staff_id=staff_id,
                schedule=schedule,
                group_id=group_id,
                price_override=row.get("price_override", _nonnegative(cells.parse_money), None),
                auto_renew=row.get("auto_renew", cells.parse_bool, True),
                active=row.get("status", _choice("active", "ended"), "active") == "active",
                row=row.number,
            )
            self._keep(row, ENROLLMENTS, enrollment_id, enrollment, found)
        self.snap.enrollments = self.unique(ENROLLMENTS, "enrollment_id", found)
        self.snap.held |= self.bad[ENROLLMENTS.name]
        self._check_capacity()

    def _check_capacity(self) -> None:
        members = Counter(
            e.group_id for e in self.snap.enrollments.values()
            if e.group_id and e.active and self.snap.clients[e.client_id].active
        )
        for group in self.snap.groups.values():
            if group.capacity is not None and members[group.group_id] > group.capacity:
                self.problems.append(Problem(
                    GROUPS.name, group.row, "capacity", str(group.capacity),
                    f"Group {group.group_id} has {members[group.group_id]} active members, "
                    f"more than its capacity of {group.capacity}."))

    def _read_payments(self) -> None:
        for row in self.rows(PAYMENTS):
            enrollment_id = row.required_text("enrollment_id")
            payment = Payment(
                enrollment_id=enrollment_id,
                amount=row.get("amount", cells.parse_money, Decimal(0), required=True),
                date=row.get("date", cells.parse_date, None, required=True),  # type: ignore[arg-type]
                period=row.get("period", cells.parse_count, None),
                method=row.text("method", fatal=False),
                note=row.text("note", fatal=False),
                row=row.number,
            )
            known = enrollment_id in self.snap.enrollments or enrollment_id in self.snap.held
            if enrollment_id and not known:
                row.problem("enrollment_id", f"There is no enrollment {enrollment_id}.")
            elif not row.ok:
                self.snap.held.add(enrollment_id)
            if row.ok:
                self.snap.payments.append(payment)

    def _read_closures(self) -> None:
        for row in self.rows(CLOSURES):
            start = row.get("start_date", cells.parse_date, None, required=True)
            end = row.get("end_date", cells.parse_date, start)
            if start and end and end < start:
                row.problem("end_date", f"The closure ends on {end} before it starts on {start}.")
            refs: dict[str, tuple[Container[str], Tab]] = {
                "staff_id": (self.snap.staff, STAFF), "client_id": (self.snap.clients, CLIENTS),
                "group_id": (self.snap.groups, GROUPS)}
            for column, (known, tab) in refs.items():
                if row.text(column) or row.unusable(column):
                    self._known(row, column, row.text(column), known, tab)
            opening = row.text("reason").lower() == OPEN
            if opening and any(row.text(c) for c in refs):
                row.problem("reason", "An 'open' row overrides public holidays for the whole "
                            "studio; leave staff_id, client_id and group_id empty.")
            if row.ok and start and end:
                closure = Closure(
                    start_date=start, end_date=end, staff_id=row.text("staff_id"),
                    client_id=row.text("client_id"), group_id=row.text("group_id"),
                    reason=row.text("reason"), row=row.number)
                (self.snap.openings if opening else self.snap.closures).append(closure)

    def _read_appointments(self) -> None:
        found: list[tuple[Row, Appointment]] = []
        count, date_, time_ = (Remembered(cells.parse_count), Remembered(cells.parse_date),
                               Remembered(cells.parse_time))
        status_, price_, money_ = (Remembered(cells.parse_status),
                                   Remembered(_nonnegative(cells.parse_money)),
                                   Remembered(cells.parse_money))
        for row in self.rows(APPOINTMENTS):
            appointment_id = row.text("appointment_id")
            if appointment_id:
                self.snap.taken_ids.add(appointment_id)
            elif not row.unusable("appointment_id"):
                row.problem("appointment_id", "appointment_id is empty; sheetsync leaves this "
                            "row alone. Add new sessions through Enrollments.")
            enrollment_id = row.required_text("enrollment_id")
            staff_id = row.text("staff_id")
            status = row.get("status", status_, "", required=True)
            if staff_id or row.unusable("staff_id"):
                # A session to come needs someone to give it. A past one is still read
                # (its pay stays on record), but an unknown id is reported all the same.
                self._known(row, "staff_id", staff_id, self.snap.staff, STAFF,
                            fatal=status == PENDING,
                            hint="" if status == PENDING else
                            "; keep a staff member who left in Staff, so their past sessions "
                            "stay theirs")
            appointment = Appointment(
                appointment_id=appointment_id,
                enrollment_id=enrollment_id,
                period=row.get("period", count, 0, required=True),
                session=row.get("session", count, None),
                client_id=row.text("client_id", fatal=False),
                client_name=row.text("client_name", fatal=False),
                group_id=row.text("group_id", fatal=False),
                staff_id=staff_id,
                date=row.get("date", date_, None, required=True),  # type: ignore[arg-type]
                start=row.get("start", time_, None, required=True),  # type: ignore[arg-type]
                end=row.get("end", time_, None, required=True),  # type: ignore[arg-type]
                status=status,
                planned=row.text("planned", fatal=False),
                price=row.get("price", price_, None, fatal=False),
                commission=row.get("commission", money_, None, fatal=False),
                commission_basis=row.text("commission_basis", fatal=False),
                row=row.number,
            )
            unreadable_money = (
                (not cells.is_blank(row.raw("commission")) and appointment.commission is None)
                or (not cells.is_blank(row.raw("price")) and appointment.price is None))
            if unreadable_money:
                appointment = replace(appointment, commission_readable=False)
            if row.ok and appointment.end <= appointment.start:
                row.problem("end", f"The session ends at {appointment.end:%H:%M}, "
                            f"before it starts at {appointment.start:%H:%M}.")
            known = enrollment_id in self.snap.enrollments or enrollment_id in self.snap.held
            if enrollment_id and not known:
                row.problem("enrollment_id", f"There is no enrollment {enrollment_id}; "
                            "sheetsync leaves this appointment as it is.")
            elif not row.ok:
                self.snap.held.add(enrollment_id)
            if row.ok:
                found.append((row, appointment))
        unique = self.unique(APPOINTMENTS, "appointment_id", found)
        for _, appointment in found:
            if appointment.appointment_id not in unique:
                self.snap.held.add(appointment.enrollment_id)
        self.snap.appointments = list(unique.values())

    def _read_notices(self) -> None:
        """What was sent before. An unreadable status counts as sent: never a second message."""
        for row in self.rows(NOTIFICATIONS):
            key = row.text("key")
            if not key or key in self.snap.notices:
                continue
            status = row.get("status", _choice("pending", "sent", "queued", "failed", "skipped"),
                             "sent", fatal=False)
            attempts = row.get("attempts", lambda v: cells.parse_count(v, minimum=0), 0,
                               fatal=False)
            self.snap.notices[key] = Notice(key, status, attempts, row.number)

    def _keep(self, row: Row, tab: Tab, rid: str, record: T,
              found: list[tuple[Row, T]]) -> None:
        if row.ok:
            found.append((row, record))
        elif rid:
            self.bad[tab.name].add(rid)

    def _known(self, row: Row, column: str, value: str, known: Container[str],
               tab: Tab, *, fatal: bool = True, hint: str = "") -> None:
        """`value` must name a readable record of `tab`; else this row cannot be used."""
        if value in known or row.unusable(column):  # an unusable cell is reported already
            return
        if value in self.bad[tab.name]:
            row.problem(column, f"{tab.name} row for {value} has a problem; fix that row first.",
                        fatal=fatal)
        else:
            row.problem(column, f"There is no {column.removesuffix('_id')} {value} "
                        f"in {tab.name}{hint}.", fatal=fatal)


def _sessions(value: object) -> int:
    sessions = cells.parse_count(value)
    if sessions > MOST_SESSIONS:
        raise CellError(f"{sessions} sessions is more than {MOST_SESSIONS} sessions: "
                        "is that a typo?")
    return sessions


def _minutes(value: object) -> int:
    minutes = cells.parse_count(value)
    if minutes > 24 * 60:
        raise CellError(f"{minutes} minutes is longer than a day")
    return minutes


def read_snapshot(tables: dict[str, Table]) -> Snapshot:
    """Read every tab into a Snapshot; problems are collected, never raised."""
    return _Reader(tables).read().freeze()
