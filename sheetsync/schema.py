"""The workbook's tabs and columns: one declaration every layer reads.

A column has a canonical name (`client_id`), a kind that says how its cells are
typed on disk (text, date, time, ...), and for `init` a width. Headers typed by
a studio are matched ignoring case, spaces, `_` and `-`, so `Client ID` finds
`client_id`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    width: int = 14
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tab:
    name: str
    columns: tuple[Column, ...]
    owned: bool  # written by sheetsync (True) or by the studio (False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def C(name: str, kind: Kind = Kind.TEXT, *, req: bool = False, width: int = 14,
      choices: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, req, width, choices)


YES_NO = ("yes", "no")
STATUSES = ("pending", "completed", "cancelled", "paid_cancel")

PACKAGES = Tab("Packages", (
    C("package_id", req=True, width=12),
    C("name", req=True, width=36),
    C("sessions", Kind.INT, req=True, width=10),
    C("price", Kind.MONEY, req=True, width=12),
    C("duration_min", Kind.INT, width=13),
    C("commission_rate", width=16),
    C("active", width=9, choices=YES_NO),
), owned=False)

CLIENTS = Tab("Clients", (
    C("client_id", req=True, width=12),
    C("name", req=True, width=26),
    C("email", width=30),
    C("phone", width=18),
    C("status", width=10, choices=("active", "closed")),
), owned=False)

STAFF = Tab("Staff", (
    C("staff_id", req=True, width=12),
    C("name", req=True, width=24),
    C("email", width=30),
    C("role", width=10, choices=("staff", "manager")),
    C("commission_rate", width=16),
), owned=False)

GROUPS = Tab("Groups", (
    C("group_id", req=True, width=12),
    C("name", req=True, width=26),
    C("staff_id", req=True, width=12),
    C("schedule", req=True, width=30),
    C("capacity", Kind.INT, width=10),
), owned=False)

ENROLLMENTS = Tab("Enrollments", (
    C("enrollment_id", req=True, width=14),
    C("client_id", req=True, width=12),
    C("package_id", req=True, width=12),
    C("start_date", Kind.DATE, req=True, width=12),
    C("staff_id", width=12),
    C("schedule", width=30),
    C("group_id", width=12),
    C("price_override", Kind.MONEY, width=15),
    C("auto_renew", width=11, choices=YES_NO),
    C("status", width=10, choices=("active", "ended")),
), owned=False)

PAYMENTS = Tab("Payments", (
    C("enrollment_id", req=True, width=14),
    C("amount", Kind.MONEY, req=True, width=12),
    C("date", Kind.DATE, req=True, width=12),
    C("period", Kind.INT, width=8),
    C("method", width=12),
    C("note", width=30),
), owned=False)

CLOSURES = Tab("Closures", (
    C("start_date", Kind.DATE, req=True, width=12),
    C("end_date", Kind.DATE, width=12),
    C("staff_id", width=12),
    C("client_id", width=12),
    C("group_id", width=12),
    C("reason", width=30),
), owned=False)

APPOINTMENTS = Tab("Appointments", (
    C("appointment_id", width=16),
    C("enrollment_id", width=14),
    C("period", Kind.INT, width=8),
    C("session", Kind.INT, width=8),
    C("client_id", width=11),
    C("client_name", width=24),
    C("group_id", width=10),
    C("staff_id", width=10),
    C("date", Kind.DATE, width=12),
    C("start", Kind.TIME, width=8),
    C("end", Kind.TIME, width=8),
    C("status", width=12, choices=STATUSES),
    C("price", Kind.MONEY, width=10),
    C("commission", Kind.MONEY, width=12),
    C("note", width=30),
    # What sheetsync last planned for this row ("2026-12-07 14:00-15:00 ST1"). A row whose
    # date, times or staff differ from it was moved by hand and is never re-planned.
    C("planned", width=26),
    # What the commission was computed from ("ST1, 333.33, 40%"). The commission stays frozen
    # until the row's staff member or own price changes or the studio clears the cell.
    C("commission_basis", width=26),
), owned=True)

BALANCES = Tab("Balances", (
    C("enrollment_id", width=14),
    C("client_id", width=11),
    C("client_name", width=24),
    C("package_id", width=11),
    C("group_id", width=10),
    C("period", Kind.INT, width=8),
    C("sessions", Kind.INT, width=9),
    C("completed", Kind.INT, width=10),
    C("paid_cancel", Kind.INT, width=11),
    C("cancelled", Kind.INT, width=10),
    C("used", Kind.INT, width=7),
    C("remaining", Kind.INT, width=10),
    C("pending", Kind.INT, width=9),
    C("first_session", Kind.DATETIME, width=17),
    C("last_session", Kind.DATETIME, width=17),
    C("next_session", Kind.DATETIME, width=17),
    C("price", Kind.MONEY, width=10),
    C("paid", Kind.MONEY, width=10),
    C("due", Kind.MONEY, width=10),
    C("state", width=9),
), owned=True)

NOTIFICATIONS = Tab("Notifications", (
    C("key", width=40),
    C("created_at", Kind.DATETIME, width=17),
    C("event", width=16),
    C("enrollment_id", width=14),
    C("period", Kind.INT, width=8),
    C("role", width=9),
    C("to", width=30),
    C("subject", width=40),
    C("status", width=9, choices=("pending", "sent", "queued", "failed", "skipped")),
    C("attempts", Kind.INT, width=9),
    C("sent_at", Kind.DATETIME, width=17),
    C("error", width=40),
), owned=True)

COMMISSIONS = Tab("Commissions", (
    C("month", width=9),
    C("staff_id", width=10),
    C("staff_name", width=24),
    C("sessions", Kind.INT, width=10),
    C("revenue", Kind.MONEY, width=12),
    C("commission", Kind.MONEY, width=12),
), owned=True)

PROBLEMS = Tab("Problems", (
    C("tab", width=14),
    C("row", Kind.INT, width=6),
    C("column", width=16),
    C("value", width=24),
    C("problem", width=70),
), owned=True)

RUNS = Tab("Runs", (
    C("started_at", Kind.DATETIME, width=17),
    C("now", Kind.DATETIME, width=17),
    C("mode", width=9),
    C("created", Kind.INT, width=9),
    C("completed", Kind.INT, width=10),
    C("deleted", Kind.INT, width=9),
    C("renewed", Kind.INT, width=9),
    C("notified", Kind.INT, width=9),
    C("problems", Kind.INT, width=9),
    C("reads", Kind.INT, width=7),
    C("writes", Kind.INT, width=7),
    C("seconds", Kind.NUMBER, width=9),
    C("result", width=30),
), owned=True)

STUDIO_TABS = (PACKAGES, CLIENTS, STAFF, GROUPS, ENROLLMENTS, PAYMENTS, CLOSURES)
OWNED_TABS = (APPOINTMENTS, BALANCES, NOTIFICATIONS, COMMISSIONS, PROBLEMS, RUNS)
ALL_TABS = STUDIO_TABS + OWNED_TABS
TABS_BY_NAME = {t.name: t for t in ALL_TABS}

_HEADER_NOISE = re.compile(r"[\s_\-]+")


def header_key(header: object) -> str:
    """`Client ID`, `client_id` and `client-id` all give `clientid`."""
    return _HEADER_NOISE.sub("", str(header or "")).lower()


def find_tab(names: list[str], tab: Tab) -> str | None:
    """The workbook's own spelling of `tab`'s name, matched like headers."""
    wanted = header_key(tab.name)
    for name in names:
        if header_key(name) == wanted:
            return name
    return None
