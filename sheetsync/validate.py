"""The rules across cells and rows: a list of small checks over the parsed records.

read.py parses each cell on its own; every rule that looks at more than one cell lives
here. A check is a pure function `(parsed, so_far) -> Findings`: it looks at every tab's
parsed rows (`Parsed`) and at what the checks before it decided (`so_far`), and returns
problems, the rows that cannot be used, and the enrollments planning must hold exactly as
they are. `validate` runs `CHECKS` in order. The order matters: a row one check rejects
is, for the checks after it, a row that has a problem ("fix that row first").

CHECKS, in order:
- unique_package_ids, unique_client_ids, unique_staff_ids: an id used by two rows
  makes both unusable;
- group_staff_known: a group's staff member is a readable Staff row;
- unique_group_ids;
- enrollment_references_known: an enrollment's client, package, group and staff member
  are readable rows (a group's enrollment only notes an unknown staff member);
- unique_enrollment_ids;
- hold_unusable_enrollments: an enrollment whose row cannot be used is held;
- group_capacity: a group's active members fit its capacity (a note, nothing rejected);
- payment_enrollment_known: a payment names an enrollment; an unreadable payment holds it;
- closure_dates_in_order: a closure does not end before it starts;
- closure_references_known: the staff member, client and group a closure names exist;
- closure_opening_for_everyone: an 'open' row names nobody;
- appointment_staff_known: a session's staff member exists (fatal only for a pending one);
- appointment_times_in_order: a session ends after it starts;
- appointment_enrollment_known: a session names an enrollment; an unusable session holds it;
- unique_appointment_ids: a duplicated id makes its rows unusable and holds their
  enrollments.

Invariant: a problem names tab, row, column and the cell as the studio typed it, in one
sentence, a `P_` phrase (phrases.py) so the Problems tab can show it in the studio's language
(tab and column names in it are `Name`s); checks never raise and never read anything but
their arguments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Generic, NamedTuple, Protocol, TypeVar

from . import cells, words
from .cells import Unusable
from .model import (
    PENDING,
    Appointment,
    Client,
    Closure,
    Enrollment,
    Group,
    Package,
    Payment,
    Problem,
    Staff,
)
from .phrases import P_, Day, Name, Phrase

R = TypeVar("R")


class NamesEnrollment(Protocol):
    @property
    def enrollment_id(self) -> str: ...


E = TypeVar("E", bound=NamesEnrollment)


def cell_problem(tab: str, row: int | None, column: str, cell: object,
                 message: str | Phrase) -> Problem:
    """A problem about one cell, naming the cell as typed (a pasted novel by its first words).

    `message` is a Phrase (a plain str is an untranslated sentence)."""
    full = cells.text(cell)
    phrase = message if isinstance(message, Phrase) else None
    english = str(message)
    if len(full) > 60:
        english = english.replace(full, full[:40] + "…")
        phrase = phrase.replacing(full, full[:40] + "…") if phrase else None
    return Problem(tab, row, column, full[:200], english[:500], phrase)


class Entry(NamedTuple, Generic[R]):
    """One sheet row as parsed: its record, and whether every cell of it could be read.

    (A named tuple: reading makes one per row, and a tuple is the cheapest to make.)
    """

    tab: str
    row: int
    record: R
    readable: bool  # False: parsing reported a cell of this row it could not use
    values: Sequence[object] = ()  # the row's cells, to name one in a problem
    columns: Mapping[str, int] = MappingProxyType({})  # column name -> position

    @property
    def key(self) -> tuple[str, int]:
        return (self.tab, self.row)

    def cell(self, column: str) -> object:
        i = self.columns.get(column)
        return self.values[i] if i is not None and i < len(self.values) else None

    def unusable(self, column: str) -> bool:
        """The cell holds no usable value (parsing reported it already)."""
        return isinstance(self.cell(column), Unusable)

    def problem(self, column: str, message: str | Phrase) -> Problem:
        return cell_problem(self.tab, self.row, column, self.cell(column), message)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Every studio tab's rows as parsed, in sheet order, readable or not."""

    packages: tuple[Entry[Package], ...] = ()
    clients: tuple[Entry[Client], ...] = ()
    staff: tuple[Entry[Staff], ...] = ()
    groups: tuple[Entry[Group], ...] = ()
    enrollments: tuple[Entry[Enrollment], ...] = ()
    payments: tuple[Entry[Payment], ...] = ()
    closures: tuple[Entry[Closure], ...] = ()
    appointments: tuple[Entry[Appointment], ...] = ()


@dataclass(frozen=True, slots=True)
class Findings:
    """What checks found: problems, rows that cannot be used, enrollments to hold."""

    problems: tuple[Problem, ...] = ()
    rejected: frozenset[tuple[str, int]] = frozenset()  # (tab, row)
    held: frozenset[str] = frozenset()  # enrollment ids

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.problems + other.problems, self.rejected | other.rejected,
                        self.held | other.held)

    def usable(self, entry: Entry[R]) -> bool:
        return entry.readable and not (self.rejected and entry.key in self.rejected)


Check = Callable[[Parsed, Findings], Findings]


def usable(entries: Iterable[Entry[R]], so_far: Findings) -> list[Entry[R]]:
    return [e for e in entries if so_far.usable(e)]


@dataclass(frozen=True, slots=True)
class Known:
    """The ids of one tab: those of usable rows, and those whose row has a problem."""

    tab: str
    good: frozenset[str]
    bad: frozenset[str]


def known(tab: str, entries: Iterable[Entry[R]], key: str, so_far: Findings) -> Known:
    good: set[str] = set()
    bad: set[str] = set()
    for e in entries:
        rid = getattr(e.record, key)
        if so_far.usable(e):
            good.add(rid)
        elif rid:
            bad.add(rid)
    return Known(tab, frozenset(good), frozenset(bad))


# What an id column names, as a sentence says it ("There is no client C9 in Clients.").
KINDS = {"client_id": P_("client"), "package_id": P_("package"), "staff_id": P_("staff"),
         "group_id": P_("group"), "enrollment_id": P_("enrollment")}


def reference(entry: Entry[R], column: str, value: str, ids: Known,
              hint: Phrase | None = None) -> Problem | None:
    """`value` must name a usable row of `ids.tab`; else the problem that says why not.
    A blank or unusable cell is parsing's to report (a blank id is no reference)."""
    if not value or value in ids.good or entry.unusable(column):
        return None
    tab = Name(ids.tab, tab=True)
    if value in ids.bad:
        return entry.problem(column, P_("{tab} row for {value} has a problem; fix that row "
                                        "first.", tab=tab, value=value))
    kind = KINDS.get(column, column.removesuffix("_id"))
    if hint is not None:
        return entry.problem(column, P_("There is no {kind} {value} in {tab}; {hint}.",
                                        kind=kind, value=value, tab=tab, hint=hint))
    return entry.problem(column, P_("There is no {kind} {value} in {tab}.", kind=kind,
                                    value=value, tab=tab))


def rejecting(found: Iterable[tuple[Entry[R], Problem | None]]) -> Findings:
    """Findings where every entry with a problem cannot be used."""
    pairs = [(e, p) for e, p in found if p is not None]
    return Findings(tuple(p for _, p in pairs), frozenset(e.key for e, _ in pairs))


def duplicates(entries: Iterable[Entry[R]], key: str, so_far: Findings) -> Findings:
    """Every usable row whose id another usable row shares has a problem and is rejected."""
    candidates = usable(entries, so_far)
    counts = Counter(getattr(e.record, key) for e in candidates)
    return rejecting(
        (e, e.problem(key, P_("{column} {value} is used by {count} rows; ids must be unique.",
                              column=Name(key), value=rid, count=counts[rid])))
        for e in candidates if counts[rid := getattr(e.record, key)] > 1)


def unique_package_ids(parsed: Parsed, so_far: Findings) -> Findings:
    return duplicates(parsed.packages, "package_id", so_far)


def unique_client_ids(parsed: Parsed, so_far: Findings) -> Findings:
    return duplicates(parsed.clients, "client_id", so_far)


def unique_staff_ids(parsed: Parsed, so_far: Findings) -> Findings:
    return duplicates(parsed.staff, "staff_id", so_far)


def group_staff_known(parsed: Parsed, so_far: Findings) -> Findings:
    staff = known("Staff", parsed.staff, "staff_id", so_far)
    return rejecting((g, reference(g, "staff_id", g.record.staff_id, staff))
                     for g in parsed.groups)


def unique_group_ids(parsed: Parsed, so_far: Findings) -> Findings:
    return duplicates(parsed.groups, "group_id", so_far)


def in_group(entry: Entry[Enrollment]) -> bool:
    """A group's enrollment takes the group's staff and schedule."""
    return bool(entry.record.group_id) or entry.unusable("group_id")


def enrollment_references_known(parsed: Parsed, so_far: Findings) -> Findings:
    clients = known("Clients", parsed.clients, "client_id", so_far)
    packages = known("Packages", parsed.packages, "package_id", so_far)
    staff = known("Staff", parsed.staff, "staff_id", so_far)
    groups = known("Groups", parsed.groups, "group_id", so_far)
    problems: list[Problem] = []
    rejected: set[tuple[str, int]] = set()
    for e in parsed.enrollments:
        r = e.record
        fatal = [reference(e, "client_id", r.client_id, clients),
                 reference(e, "package_id", r.package_id, packages)]
        if in_group(e):
            fatal.append(reference(e, "group_id", r.group_id, groups))
            note = reference(e, "staff_id", r.staff_id, staff) if r.staff_id else None
            problems.extend(p for p in [note] if p)
        elif r.staff_id:  # a blank one is reported by parsing
            fatal.append(reference(e, "staff_id", r.staff_id, staff))
        found = [p for p in fatal if p]
        problems.extend(found)
        if found:
            rejected.add(e.key)
    return Findings(tuple(problems), frozenset(rejected))


def unique_enrollment_ids(parsed: Parsed, so_far: Findings) -> Findings:
    return duplicates(parsed.enrollments, "enrollment_id", so_far)


def hold_unusable_enrollments(parsed: Parsed, so_far: Findings) -> Findings:
    return Findings(held=known("Enrollments", parsed.enrollments, "enrollment_id", so_far).bad)


def group_capacity(parsed: Parsed, so_far: Findings) -> Findings:
    clients = {c.record.client_id: c.record for c in usable(parsed.clients, so_far)}
    members = Counter(
        e.record.group_id for e in usable(parsed.enrollments, so_far)
        if e.record.group_id and e.record.active and clients[e.record.client_id].active)
    return Findings(tuple(
        _capacity_problem(g, members[g.group_id])
        for g in (entry.record for entry in usable(parsed.groups, so_far))
        if g.capacity is not None and members[g.group_id] > g.capacity))


def _capacity_problem(group: Group, members: int) -> Problem:
    phrase = P_("Group {group} has {members} active members, more than its capacity of "
                "{capacity}.", group=group.group_id, members=members, capacity=group.capacity)
    return Problem("Groups", group.row, "capacity", str(group.capacity), str(phrase), phrase)


def enrollment_rows(parsed: Parsed) -> frozenset[str]:
    """Every id an Enrollments row holds, readable or not: what a payment or session may name."""
    return frozenset(e.record.enrollment_id for e in parsed.enrollments)


def pointing(entries: Iterable[Entry[E]],
             enrollments: frozenset[str], so_far: Findings, message: Phrase) -> Findings:
    """Rows naming an enrollment: an unknown one is a problem, an unusable row holds it."""
    problems: list[Problem] = []
    rejected: set[tuple[str, int]] = set()
    held: set[str] = set()
    for e in entries:
        enrollment_id = e.record.enrollment_id
        if enrollment_id and enrollment_id not in enrollments:
            problems.append(e.problem("enrollment_id", message.with_params(
                enrollment=enrollment_id)))
            rejected.add(e.key)
        elif not so_far.usable(e):
            held.add(enrollment_id)
    return Findings(tuple(problems), frozenset(rejected), frozenset(held))


def payment_enrollment_known(parsed: Parsed, so_far: Findings) -> Findings:
    return pointing(parsed.payments, enrollment_rows(parsed), so_far,
                    P_("There is no enrollment {enrollment}."))


def closure_dates_in_order(parsed: Parsed, so_far: Findings) -> Findings:
    return rejecting(
        (c, c.problem("end_date", P_("The closure ends on {end} before it starts on {start}.",
                                     end=Day(end), start=Day(start))))
        for c in parsed.closures
        if (start := c.record.start_date) and (end := c.record.end_date) and end < start)


def closure_references_known(parsed: Parsed, so_far: Findings) -> Findings:
    ids = {"staff_id": known("Staff", parsed.staff, "staff_id", so_far),
           "client_id": known("Clients", parsed.clients, "client_id", so_far),
           "group_id": known("Groups", parsed.groups, "group_id", so_far)}
    return rejecting(
        (c, reference(c, column, getattr(c.record, column), ids[column]))
        for c in parsed.closures for column in ids
        if getattr(c.record, column) or c.unusable(column))


def closure_opening_for_everyone(parsed: Parsed, so_far: Findings) -> Findings:
    return rejecting(
        (c, c.problem("reason", P_(
            "An 'open' row overrides public holidays for the whole studio; leave {staff_id}, "
            "{client_id} and {group_id} empty.", staff_id=Name("staff_id"),
            client_id=Name("client_id"), group_id=Name("group_id"))))
        for c in parsed.closures
        if words.opens_the_studio(c.record.reason)
        and (c.record.staff_id or c.record.client_id or c.record.group_id))


LEFT_STAFF_HINT = P_("keep a staff member who left in {tab}, so their past sessions stay "
                     "theirs", tab=Name("Staff", tab=True))


def appointment_staff_known(parsed: Parsed, so_far: Findings) -> Findings:
    """A session to come needs someone to give it. A past one is still read (its pay stays
    on record), but an unknown id is reported all the same."""
    staff = known("Staff", parsed.staff, "staff_id", so_far)
    problems: list[Problem] = []
    rejected: set[tuple[str, int]] = set()
    for a in parsed.appointments:
        if not (a.record.staff_id or a.unusable("staff_id")):
            continue
        pending = a.record.status == PENDING
        problem = reference(a, "staff_id", a.record.staff_id, staff,
                            None if pending else LEFT_STAFF_HINT)
        if problem:
            problems.append(problem)
            if pending:
                rejected.add(a.key)
    return Findings(tuple(problems), frozenset(rejected))


def appointment_times_in_order(parsed: Parsed, so_far: Findings) -> Findings:
    return rejecting(
        (a, a.problem("end", P_("The session ends at {end}, before it starts at {start}.",
                                end=f"{a.record.end:%H:%M}", start=f"{a.record.start:%H:%M}")))
        for a in usable(parsed.appointments, so_far) if a.record.end <= a.record.start)


def appointment_enrollment_known(parsed: Parsed, so_far: Findings) -> Findings:
    return pointing(parsed.appointments, enrollment_rows(parsed), so_far,
                    P_("There is no enrollment {enrollment}; sheetsync leaves this appointment "
                       "as it is."))


def unique_appointment_ids(parsed: Parsed, so_far: Findings) -> Findings:
    found = duplicates(parsed.appointments, "appointment_id", so_far)
    if not found.rejected:  # (the common case: no map of every row's enrollment to build)
        return found
    return Findings(found.problems, found.rejected,
                    frozenset(a.record.enrollment_id for a in parsed.appointments
                              if a.key in found.rejected))


CHECKS: tuple[Check, ...] = (
    unique_package_ids,
    unique_client_ids,
    unique_staff_ids,
    group_staff_known,
    unique_group_ids,
    enrollment_references_known,
    unique_enrollment_ids,
    hold_unusable_enrollments,
    group_capacity,
    payment_enrollment_known,
    closure_dates_in_order,
    closure_references_known,
    closure_opening_for_everyone,
    appointment_staff_known,
    appointment_times_in_order,
    appointment_enrollment_known,
    unique_appointment_ids,
)


def validate(parsed: Parsed, checks: Sequence[Check] = CHECKS) -> Findings:
    """Run every check in order, each seeing what the ones before it decided."""
    so_far = Findings()
    for check in checks:
        so_far = so_far + check(parsed, so_far)
    return so_far
