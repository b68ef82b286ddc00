"""Balances: one row per enrollment and period, from appointment statuses and payments.

used = completed + paid_cancel, remaining = sessions - used, so used + remaining
always equals sessions. Payments name their period or, without one, pay the
oldest period still due; money beyond every period's price is a credit on the
latest period (a negative due).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

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
)

ACTIVE, ENDED, CLOSED, STOPPED = "active", "ended", "closed", "stopped"


def period_price(enrollment: Enrollment, package: Package) -> Decimal:
    """What one period costs this client: the override when set, else the listed price."""
    price = package.price if enrollment.price_override is None else enrollment.price_override
    return cents(price)


def allocate_payments(payments: Iterable[Payment],
                      prices: dict[int, Decimal]) -> dict[int, Decimal]:
    """Money paid per period. Payments without a period fill the oldest period still due."""
    paid = dict.fromkeys(prices, Decimal(0))
    loose: list[Payment] = []
    for payment in sorted(payments, key=lambda p: (p.date, p.row or 0)):
        if payment.period is None:
            loose.append(payment)
        elif payment.period in paid:
            paid[payment.period] += payment.amount
    if not prices:
        return paid
    for payment in loose:
        amount = payment.amount
        for period in sorted(prices):
            room = prices[period] - paid[period]
            if amount <= 0:
                break
            if room > 0:
                taken = min(room, amount)
                paid[period] += taken
                amount -= taken
        if amount:
            paid[max(prices)] += amount
    return {p: cents(v) for p, v in paid.items()}


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
