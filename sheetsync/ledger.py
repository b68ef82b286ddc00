"""Money: balances per enrollment and period, and the commission each used session earns.

Balances: used = completed + paid_cancel, remaining = sessions - used, so
used + remaining always equals sessions. Payments name their period or, without
one, pay the oldest period still due; money beyond every period's price is a
credit on the latest period (a negative due).

Commissions (SPEC section 3): a used session earns its per-session price times
the rate (the package's commission_rate, else the rate of the session's staff
member), rounded half-up to cents once. The first sync that sees a session used
writes the amount and its basis ("ST1, 333.33, 40%"); from then on it is
frozen: a later change of a rate never rewrites pay already earned. Clearing
the cell, or changing the row's staff member or its own price, gets it
recomputed at today's rates. Sessions not used earn nothing.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .cells import cents
from .model import (
    CANCELLED,
    COMPLETED,
    PAID_CANCEL,
    PENDING,
    Appointment,
    Balance,
    Client,
    Enrollment,
    Package,
    Payment,
    Staff,
)

# Balance states (Balances.state); the alert event `package_ended` is messages.PACKAGE_ENDED.
ACTIVE, ENDED, CLOSED, STOPPED = "active", "ended", "closed", "stopped"


def period_price(enrollment: Enrollment, package: Package) -> Decimal:
    """What one period costs this client: the override when set, else the listed price."""
    price = package.price if enrollment.price_override is None else enrollment.price_override
    return cents(price)


def allocate_payments(payments: Iterable[Payment],
                      prices: dict[int, Decimal]) -> dict[int, Decimal]:
    """Money paid per period. Payments without a period fill the oldest period still due."""
    paid = dict.fromkeys(prices, Decimal(0))
    for share in payment_shares(payments, prices):
        for period, amount in share.periods.items():
            paid[period] += amount
    return {p: cents(v) for p, v in paid.items()}


@dataclass(frozen=True, slots=True)
class PaymentShare:
    """One payment and the part of it each period received.

    `periods` is empty for a payment that names a period not planned yet (it counts
    once that period exists) or for any payment of an enrollment without periods.
    """

    payment: Payment
    periods: dict[int, Decimal]


def payment_shares(payments: Iterable[Payment],
                   prices: dict[int, Decimal]) -> list[PaymentShare]:
    """How `allocate_payments` spreads each payment over the periods, payment by payment.

    Payments naming a period count for it in full (one paid ahead, for a period not
    planned yet, counts for the latest period until its own is planned: money paid never
    goes missing from Balances); then the others, oldest first, fill the oldest period
    still due, and whatever is left over is a credit on the latest one.
    """
    ordered = sorted(payments, key=lambda p: (p.date, p.row or 0))
    paid = dict.fromkeys(prices, Decimal(0))
    shares: dict[int, dict[int, Decimal]] = {}
    for i, payment in enumerate(ordered):
        if payment.period is not None:
            shares[i] = {}
            period = payment.period if payment.period in paid else (
                max(prices) if prices and payment.period > max(prices) else None)
            if period is not None:
                paid[period] += payment.amount
                shares[i] = {period: payment.amount}
    for i, payment in enumerate(ordered):
        if payment.period is not None:
            continue
        split: dict[int, Decimal] = {}
        amount = payment.amount
        for period in sorted(prices):
            room = prices[period] - paid[period]
            if amount <= 0:
                break
            if room > 0:
                taken = min(room, amount)
                paid[period] += taken
                split[period] = taken
                amount -= taken
        if amount and prices:
            latest = max(prices)
            paid[latest] += amount
            split[latest] = split.get(latest, Decimal(0)) + amount
        shares[i] = split
    return [PaymentShare(payment, shares[i]) for i, payment in enumerate(ordered)]


def balances_for(enrollment: Enrollment, package: Package, client: Client,
                 appointments: list[Appointment], payments: list[Payment],
                 now: datetime) -> list[Balance]:
    by_period: dict[int, list[Appointment]] = {}
    for a in appointments:
        by_period.setdefault(a.period, []).append(a)
    price = period_price(enrollment, package)
    paid = allocate_payments(payments, dict.fromkeys(by_period, price))
    rows = []
    for period in sorted(by_period):
        held = by_period[period]
        counts = Counter(a.status for a in held)
        used = counts[COMPLETED] + counts[PAID_CANCEL]
        remaining = package.sessions - used
        sessions = sorted(a.starts_at for a in held if a.status != CANCELLED)
        upcoming = [a.starts_at for a in held if a.status == PENDING and a.starts_at >= now]
        rows.append(Balance(
            enrollment_id=enrollment.enrollment_id,
            client_id=client.client_id,
            client_name=client.name,
            package_id=package.package_id,
            group_id=enrollment.group_id,
            period=period,
            sessions=package.sessions,
            completed=counts[COMPLETED],
            paid_cancel=counts[PAID_CANCEL],
            cancelled=counts[CANCELLED],
            used=used,
            remaining=remaining,
            pending=counts[PENDING],
            first_session=sessions[0] if sessions else None,
            last_session=sessions[-1] if sessions else None,
            next_session=min(upcoming, default=None),
            price=price,
            paid=paid[period],
            due=price - paid[period],
            state=_state(remaining, counts[PENDING], enrollment, client),
        ))
    return rows


def _state(remaining: int, pending: int, enrollment: Enrollment, client: Client) -> str:
    if remaining <= 0 and pending == 0:
        return ENDED
    if not client.active:
        return CLOSED
    if not enrollment.active:
        return STOPPED
    return ACTIVE


def session_price(appointment: Appointment, enrollment: Enrollment, package: Package) -> Decimal:
    """The row's own price when the studio set one, else its share of the period's price."""
    if appointment.price is not None:
        return appointment.price
    price = package.price if enrollment.price_override is None else enrollment.price_override
    return price / package.sessions


def commission_rate(package: Package, staff: Staff | None) -> Decimal:
    if package.commission_rate is not None:
        return package.commission_rate
    if staff is not None and staff.commission_rate is not None:
        return staff.commission_rate
    return Decimal(0)


_BASIS = re.compile(r"^(?P<staff>.*), (?P<price>-?[\d.]+)(?P<own> own price)?, (?P<rate>[\d.]+)%$")


def basis_text(staff_id: str, price: Decimal, own_price: bool, rate: Decimal) -> str:
    percent = (rate * 100).normalize()
    return (f"{staff_id}, {cents(price)}{' own price' if own_price else ''}, "
            f"{percent:f}%")


def basis_price(basis: str) -> Decimal | None:
    """The per-session price a frozen commission was computed from, when the basis reads."""
    return _price_of(_BASIS.match(basis))


def _price_of(match: re.Match[str] | None) -> Decimal | None:
    if match is None:
        return None
    try:
        return Decimal(match["price"])
    except InvalidOperation:
        return None  # "1.2.3": typed over by hand


@lru_cache(maxsize=4096)
def _basis_parts(basis: str) -> tuple[str, bool, Decimal] | None:
    """(staff, own price?, price) of a basis sheetsync wrote; None for anything else. Bases
    repeat (one per staff member, price and rate), so each is parsed once."""
    match = _BASIS.match(basis)
    price = _price_of(match)
    if match is None or price is None:
        return None
    return match["staff"], bool(match["own"]), price


def needs_commission(a: Appointment) -> bool:
    """Does the frozen amount no longer fit the row (cleared, other staff, other own price)?"""
    if a.commission is None:
        return True
    parts = _basis_parts(a.commission_basis)
    if parts is None:
        return False  # a number (or a basis) the studio typed itself: theirs to keep
    staff_id, own_price, price = parts
    if staff_id != a.staff_id or own_price != (a.price is not None):
        return True
    return a.price is not None and cents(a.price) != price


def with_commission(a: Appointment, enrollment: Enrollment, package: Package,
                    staff: Staff | None) -> Appointment:
    """The appointment with the commission cell it should hold after this sync."""
    if not a.commission_readable:
        return a
    if not a.used:
        if a.commission is None and a.commission_basis == "":
            return a
        return replace(a, commission=None, commission_basis="")
    if not needs_commission(a):
        return a
    price = session_price(a, enrollment, package)
    rate = commission_rate(package, staff)
    return replace(a, commission=cents(price * rate),
                   commission_basis=basis_text(a.staff_id, price, a.price is not None, rate))


def session_positions(appointments: Iterable[Appointment]) -> dict[str, int]:
    """Each session's place in its period, 1 to `sessions`, counted in time order.

    Cancelled appointments have none: they do not count, their make-up does. This is
    the "4/10" a person reads; the `session` column keeps the number a row was made with.
    """
    counted: dict[tuple[str, int], list[Appointment]] = {}
    for a in appointments:
        if a.status != CANCELLED:
            counted.setdefault((a.enrollment_id, a.period), []).append(a)
    positions: dict[str, int] = {}
    for rows in counted.values():
        for number, a in enumerate(sorted(rows, key=lambda a: (a.starts_at, a.appointment_id)),
                                   start=1):
            positions[a.appointment_id] = number
    return positions


def makeups(appointments: Iterable[Appointment]) -> dict[str, Appointment]:
    """The make-up of each cancelled appointment: the next row of its period with its number.

    plan.py gives a make-up the session number its cancelled session leaves free.
    """
    numbered: dict[tuple[str, int, int], list[Appointment]] = {}
    for a in appointments:
        if a.session is not None:
            numbered.setdefault((a.enrollment_id, a.period, a.session), []).append(a)
    found: dict[str, Appointment] = {}
    for rows in numbered.values():
        rows.sort(key=lambda a: (a.starts_at, a.appointment_id))
        for cancelled, later in itertools.pairwise(rows):
            if cancelled.status == CANCELLED:
                found[cancelled.appointment_id] = later
    return found


def current_periods(rows: list[Balance]) -> list[Balance]:
    """The latest period of each enrollment, plus any earlier one with money still due."""
    latest: dict[str, int] = {}
    for b in rows:
        latest[b.enrollment_id] = max(latest.get(b.enrollment_id, 0), b.period)
    return [b for b in rows if b.period == latest[b.enrollment_id] or b.due > 0]


def ending_within(rows: Iterable[Balance], horizon: datetime) -> list[Balance]:
    """Active periods whose last session is at or before `horizon`."""
    return [b for b in rows if b.state == ACTIVE and b.last_session is not None
            and b.last_session <= horizon]


def days_due(b: Balance, now: datetime) -> int | None:
    """Days since the period's first session (the day its money falls due: the payment
    reminder, the weekly digest and the monthly report all count from it), or None while
    that session is still to come."""
    if b.first_session is None or b.first_session > now:
        return None
    return (now.date() - b.first_session.date()).days
