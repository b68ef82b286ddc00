"""Plain frozen records the core works on; no I/O, no clock.

Times are naive wall-clock datetimes in the studio's zone (see schedule.py).
`row` is the 1-based sheet row a record was read from (None for new ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal

from .phrases import Phrase
from .schedule import Schedule

# Appointment statuses (Appointments.status); a notification not yet tried is
# messages.NOTICE_PENDING, a different word spelled the same.
PENDING, COMPLETED, CANCELLED, PAID_CANCEL = "pending", "completed", "cancelled", "paid_cancel"
USED = (COMPLETED, PAID_CANCEL)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the studio must fix: `tab` and `column` by their English names, `problem`
    the English sentence (what sorts and compares problems), `phrase` the same sentence to
    show in the studio's language (None: a sentence read back, shown as it is)."""

    tab: str
    row: int | None
    column: str
    value: str
    problem: str
    phrase: Phrase | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.tab, self.row or 0, self.column, self.problem)


@dataclass(frozen=True, slots=True)
class Package:
    package_id: str
    name: str
    sessions: int
    price: Decimal
    duration_min: int = 60
    commission_rate: Decimal | None = None
    active: bool = True
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    name: str
    email: str = ""
    phone: str = ""
    active: bool = True
    row: int | None = None
    language: str = ""  # en, tr or de for the client's e-mails and feed; "": the studio's


@dataclass(frozen=True, slots=True)
class Staff:
    staff_id: str
    name: str
    email: str = ""
    manager: bool = False
    commission_rate: Decimal | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Group:
    group_id: str
    name: str
    staff_id: str
    schedule: Schedule
    capacity: int | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Enrollment:
    enrollment_id: str
    client_id: str
    package_id: str
    start_date: date
    staff_id: str = ""
    schedule: Schedule | None = None
    group_id: str = ""
    price_override: Decimal | None = None
    auto_renew: bool = True
    active: bool = True
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    enrollment_id: str
    amount: Decimal
    date: date
    period: int | None = None
    method: str = ""
    note: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    start_date: date
    end_date: date
    staff_id: str = ""
    client_id: str = ""
    group_id: str = ""
    reason: str = ""
    row: int | None = None
    public_holiday: bool = False  # from the holidays setting, not from the Closures tab

    def covers(self, day: date, staff_id: str, client_id: str, group_id: str) -> bool:
        """True when `day` is closed for a session of that staff member, client and group."""
        return (
            self.start_date <= day <= self.end_date
            and (not self.staff_id or self.staff_id == staff_id)
            and (not self.client_id or self.client_id == client_id)
            and (not self.group_id or self.group_id == group_id)
        )


_CLOCK = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60)]


def placement_text(day: date, start: time, end: time, staff_id: str) -> str:
    """`Appointment.placement`: the text strftime gave, built three times faster (planning
    asks for every row's)."""
    if day.year < 1000 or type(day) is not date:  # strftime leaves such a year unpadded;
        # isoformat pads it, and writes a datetime's time too
        return f"{day:%Y-%m-%d} {start:%H:%M}-{end:%H:%M} {staff_id}".strip()
    return (f"{day.isoformat()} {_CLOCK[start.hour * 60 + start.minute]}"
            f"-{_CLOCK[end.hour * 60 + end.minute]} {staff_id}").strip()


@dataclass(frozen=True, slots=True)
class Appointment:
    appointment_id: str
    enrollment_id: str
    period: int
    session: int | None
    client_id: str
    client_name: str
    group_id: str
    staff_id: str
    date: date
    start: time
    end: time
    status: str
    planned: str = ""
    price: Decimal | None = None  # the studio's own price for this one session
    commission: Decimal | None = None
    commission_basis: str = ""
    commission_readable: bool = True  # False: the cell holds something else; left alone
    row: int | None = None

    @property
    def used(self) -> bool:
        return self.status in USED

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end)

    @property
    def placement(self) -> str:
        """Where and with whom the session is, as written in the `planned` column."""
        return placement_text(self.date, self.start, self.end, self.staff_id)

    @property
    def moved_by_hand(self) -> bool:
        return self.placement != self.planned

    @property
    def planned_start(self) -> datetime | None:
        """When sheetsync had put this session, as the `planned` column says."""
        try:
            return datetime.strptime(self.planned[:16], "%Y-%m-%d %H:%M")
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Balance:
    enrollment_id: str
    client_id: str
    client_name: str
    package_id: str
    group_id: str
    period: int
    sessions: int
    completed: int
    paid_cancel: int
    cancelled: int
    used: int
    remaining: int
    pending: int
    first_session: datetime | None
    last_session: datetime | None
    next_session: datetime | None
    price: Decimal
    paid: Decimal
    due: Decimal
    state: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A row of the Notifications tab: one alert to one recipient, and what became of it."""

    key: str
    status: str  # a notification status of messages.py (NOTICE_PENDING, SENT, ...)
    attempts: int = 0
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything read from the workbook, typed, with the problems found on the way.

    Frozen, like every record here: its sequences are stored as tuples and its id sets as
    frozensets, whatever they were built from. What the core adds (the public-holiday
    closures) makes a new Snapshot (`with_closures`), so a snapshot never changes under a
    reader's feet.
    """

    packages: dict[str, Package] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    payments: Sequence[Payment] = ()
    closures: Sequence[Closure] = ()
    openings: Sequence[Closure] = ()  # Closures rows whose reason is open
    appointments: Sequence[Appointment] = ()
    notices: dict[str, Notice] = field(default_factory=dict)  # by key
    problems: Sequence[Problem] = ()
    # Enrollments held as they are because something they depend on cannot be read.
    held: AbstractSet[str] = frozenset()
    # Every appointment id in the sheet, readable or not, so new ids never collide.
    taken_ids: AbstractSet[str] = frozenset()
    # The workbook cannot be written safely (missing tabs or columns).
    structural: bool = False

    def __post_init__(self) -> None:
        for name in ("payments", "closures", "openings", "appointments", "problems"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("held", "taken_ids"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    def with_closures(self, more: Iterable[Closure]) -> Snapshot:
        """This snapshot with `more` closures after its own (e.g. public holidays)."""
        return replace(self, closures=(*self.closures, *more))
