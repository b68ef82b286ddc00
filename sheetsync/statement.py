"""A client's session statement: every period of every package, session by session, and the money.

Pure: built from the snapshot and plan of one moment (`engine.read_and_plan`), so every
count and amount is the one a sync at that moment writes into Balances. The result is
the variables of the templates `statement.client.txt` (the screen, and the e-mail's text)
and `statement.client.html` (the e-mail); templates/README.md lists them.

Each session says what it did to the balance: `used` (completed), `used (paid cancel)`,
`kept` (cancelled in time: it does not count, and its make-up is shown) or `planned`.
`left` after each used session counts down to the period's remaining sessions. Payments
are shown with the part of them each period received (ledger.payment_shares, the very
split the balances use). Enrollments held by a problem cannot be accounted for: they are
named in `held` and shown nowhere else.

Words and days are in the client's `language` (Clients tab), else in the studio's `locale`;
`client.language` of the result says which, so the templates speak the same language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from .formatting import format_short_day
from .i18n import DEFAULT, N_, client_locale, translations
from .ledger import ACTIVE, ENDED, makeups, payment_shares, session_positions
from .model import CANCELLED, COMPLETED, PAID_CANCEL, PENDING, Appointment, Balance, Snapshot
from .plan import Plan

STATUS_LABELS = {COMPLETED: N_("completed"), PAID_CANCEL: N_("paid cancel"),
                 CANCELLED: N_("cancelled"), PENDING: N_("planned")}
STATE_LABELS = {ACTIVE: N_("in progress"), ENDED: N_("complete"),
                "closed": N_("stopped (account closed)"), "stopped": N_("stopped")}


def statement(snapshot: Snapshot, plan: Plan, client_id: str, *, studio_name: str = "",
              currency: str = "", locale: str = DEFAULT) -> dict[str, Any]:
    """The template variables of one client's statement at `plan.now`, in the client's
    language (else the studio's `locale`)."""
    client = snapshot.clients[client_id]
    language = client_locale(client.language, locale)
    now = plan.now
    mine = [e for e in snapshot.enrollments.values()
            if e.client_id == client_id and e.enrollment_id not in plan.held]
    held = sorted({e.enrollment_id for e in snapshot.enrollments.values()
                   if e.client_id == client_id and e.enrollment_id in plan.held}
                  | {a.enrollment_id for a in snapshot.appointments
                     if a.client_id == client_id and a.enrollment_id in plan.held})
    ids = {e.enrollment_id for e in mine}
    rows: dict[str, list[Appointment]] = defaultdict(list)
    for a in plan.appointments:
        if a.enrollment_id in ids:
            rows[a.enrollment_id].append(a)
    balances: dict[str, list[Balance]] = defaultdict(list)
    for b in plan.balances:
        if b.enrollment_id in ids:
            balances[b.enrollment_id].append(b)
    enrollments = []
    for e in sorted(mine, key=lambda e: (e.start_date, e.enrollment_id)):
        payments = [p for p in snapshot.payments if p.enrollment_id == e.enrollment_id]
        enrollments.append(_enrollment(snapshot, e.enrollment_id, rows[e.enrollment_id],
                                       balances[e.enrollment_id], payments, now, language))
    upcoming = [(row["start"], row, en) for en in enrollments for period in en["periods"]
                for row in period["sessions"] if row["status"] == PENDING
                and row["start"] >= now]
    first = min(upcoming, key=lambda item: (item[0], item[1]["id"]), default=None)
    current = [en["current"] for en in enrollments if en["current"] is not None]
    every_row = [row for en in enrollments for period in en["periods"]
                 for row in period["sessions"]]
    return {
        "studio_name": studio_name,
        "currency": currency,
        "now": now,
        "client": {"id": client.client_id, "name": client.name, "email": client.email,
                   "language": language},
        "enrollments": enrollments,
        "held": held,
        "total_due": sum((p["due"] for en in enrollments for p in en["periods"]),
                         start=Decimal(0)),
        "remaining": sum(p["remaining"] for p in current if p["state"] == ACTIVE),
        "next_session": None if first is None else {
            "start": first[1]["start"], "end": first[1]["end"], "staff": first[1]["staff"],
            "package": first[2]["package"], "group": first[2]["group"]},
        "width": _widths(every_row, language),
    }


def _enrollment(snap: Snapshot, enrollment_id: str, appointments: list[Appointment],
                balances: list[Balance], payments: list[Any], now: datetime,
                locale: str = DEFAULT) -> dict[str, Any]:
    _ = translations(locale).gettext
    e = snap.enrollments[enrollment_id]
    package = snap.packages[e.package_id]
    group = snap.groups.get(e.group_id) if e.group_id else None
    staff_id = group.staff_id if group else e.staff_id
    positions = session_positions(appointments)
    made_up = makeups(appointments)
    by_id = {a.appointment_id: a for a in appointments}
    replaces = {makeup.appointment_id: by_id[cancelled]
                for cancelled, makeup in made_up.items()}
    by_period = {b.period: b for b in balances}
    shares = payment_shares(payments, {b.period: b.price for b in balances})
    periods: list[dict[str, Any]] = []
    for number in sorted(by_period):
        b = by_period[number]
        held = sorted((a for a in appointments if a.period == number),
                      key=lambda a: (a.starts_at, a.appointment_id))
        left = b.sessions
        sessions = []
        for a in held:
            if a.used:
                left -= 1
            makeup = made_up.get(a.appointment_id)
            original = replaces.get(a.appointment_id)
            sessions.append({
                "id": a.appointment_id,
                "position": positions.get(a.appointment_id),
                "start": a.starts_at,
                "end": a.ends_at,
                "staff": _person(snap, a.staff_id),
                "status": a.status,
                "status_label": _(STATUS_LABELS[a.status]) if a.status in STATUS_LABELS
                                else a.status,
                "effect": _effect(a, makeup, locale),
                "balance": _balance(a, makeup, original, left, locale),
                "left": left if a.used else None,
                "makeup": makeup.starts_at if makeup else None,
                "makeup_for": original.starts_at if original else None,
                "past": a.ends_at <= now,
            })
        periods.append({
            "number": number,
            "state": b.state,
            "state_label": _(STATE_LABELS[b.state]) if b.state in STATE_LABELS else b.state,
            "sessions_count": b.sessions,
            "used": b.used, "remaining": b.remaining, "pending": b.pending,
            "completed": b.completed, "paid_cancel": b.paid_cancel, "cancelled": b.cancelled,
            "first_session": b.first_session, "last_session": b.last_session,
            "next_session": b.next_session,
            "price": b.price, "paid": b.paid, "due": b.due,
            "sessions": sessions,
            "payments": [
                {"date": s.payment.date, "amount": s.periods[number],
                 "total": s.payment.amount, "method": s.payment.method,
                 "note": s.payment.note, "split": s.periods[number] != s.payment.amount,
                 # paid for a later period not planned yet: counted here until it is
                 "ahead": s.payment.period if s.payment.period not in (None, number) else None}
                for s in shares if number in s.periods],
        })
    waiting = [{"date": s.payment.date, "amount": s.payment.amount, "method": s.payment.method,
                "note": s.payment.note, "period": s.payment.period}
               for s in shares if not s.periods]
    return {
        "id": e.enrollment_id,
        "package": {"id": package.package_id, "name": package.name,
                    "sessions": package.sessions},
        "group": {"id": group.group_id, "name": group.name} if group else None,
        "staff": _person(snap, staff_id),
        "auto_renew": e.auto_renew and package.active,
        "periods": periods,
        "current": periods[-1] if periods else None,
        "waiting_payments": waiting,
        "due": sum((p["due"] for p in periods), start=Decimal(0)),
    }


def _effect(a: Appointment, makeup: Appointment | None, locale: str = DEFAULT) -> str:
    _ = translations(locale).gettext
    if a.status == COMPLETED:
        return _("used")
    if a.status == PAID_CANCEL:
        return _("used (paid cancel)")
    if a.status == CANCELLED:
        if makeup is None:
            return _("kept")
        return _("kept, make-up %(day)s") % {"day": format_short_day(makeup.starts_at, locale)}
    return _("planned")


def _balance(a: Appointment, makeup: Appointment | None, original: Appointment | None,
             left: int, locale: str = DEFAULT) -> str:
    """The effect in full: `used, 9 left`, `planned (make-up for Mon 7 Dec 2026)` ..."""
    _ = translations(locale).gettext
    text = _effect(a, makeup, locale) + (_(", %(left)s left") % {"left": left} if a.used
                                         else "")
    if original is not None:
        text += _(" (make-up for %(day)s)") % {"day": format_short_day(original.starts_at,
                                                                        locale)}
    return text


def _person(snap: Snapshot, staff_id: str) -> dict[str, str]:
    staff = snap.staff.get(staff_id)
    return {"id": staff_id, "name": staff.name if staff else staff_id}


def _widths(rows: list[dict[str, Any]], locale: str = DEFAULT) -> dict[str, int]:
    """Column widths for the text template, so its table lines up under its headings."""
    _ = translations(locale).gettext

    def widest(values: list[str], heading: str, least: int = 0) -> int:
        return max([least, len(heading), *map(len, values)])
    return {
        "position": widest([str(r["position"] or "") for r in rows], "#"),
        "day": widest([format_short_day(r["start"], locale) for r in rows], _("day")),
        "staff": widest([r["staff"]["name"] for r in rows], _("with"), 5),
        "status": widest([r["status_label"] for r in rows], _("status")),
    }


def sample_statement(**changes: Any) -> dict[str, Any]:
    """A complete statement context for template checks and tests (see templates/README.md)."""
    elif_ = {"id": "ST1", "name": "Elif Demir"}

    def row(number: int | None, day: int, month: int, status: str, effect: str,
            left: int | None, **more: Any) -> dict[str, Any]:
        start = datetime(2026, month, day, 14, 0)
        balance = effect + (f", {left} left" if left is not None else "")
        return {"id": f"E1-1-{day:02d}", "position": number, "start": start,
                "end": start.replace(hour=15), "staff": elif_, "status": status,
                "status_label": STATUS_LABELS[status], "effect": effect, "left": left,
                "balance": balance,
                "makeup": None, "makeup_for": None, "past": status != PENDING, **more}

    sessions = [
        row(1, 30, 11, COMPLETED, "used", 3),
        row(2, 3, 12, PAID_CANCEL, "used (paid cancel)", 2),
        row(None, 7, 12, CANCELLED, "kept, make-up Thu 17 Dec 2026", None,
            makeup=datetime(2026, 12, 17, 14, 0)),
        row(3, 10, 12, PENDING, "planned", None),
        row(4, 17, 12, PENDING, "planned", None, makeup_for=datetime(2026, 12, 7, 14, 0)),
    ]
    period = {
        "number": 1, "state": ACTIVE, "state_label": STATE_LABELS[ACTIVE], "sessions_count": 4,
        "used": 2, "remaining": 2, "pending": 2, "completed": 1, "paid_cancel": 1,
        "cancelled": 1, "first_session": sessions[0]["start"],
        "last_session": sessions[-1]["start"], "next_session": sessions[3]["start"],
        "price": Decimal("1600"), "paid": Decimal("1000"), "due": Decimal("600"),
        "sessions": sessions,
        "payments": [{"date": datetime(2026, 11, 30).date(), "amount": Decimal("1000"),
                      "total": Decimal("1500"), "method": "cash", "note": "",
                      "split": True, "ahead": None},
                     {"date": datetime(2026, 12, 2).date(), "amount": Decimal("200"),
                      "total": Decimal("200"), "method": "", "note": "",
                      "split": False, "ahead": 2}],
    }
    enrollment = {
        "id": "E1", "package": {"id": "P4", "name": "4-Session Physiotherapy", "sessions": 4},
        "group": None, "staff": elif_, "auto_renew": True, "periods": [period],
        "current": period,
        "waiting_payments": [{"date": datetime(2026, 12, 1).date(), "amount": Decimal("500"),
                              "method": "card", "note": "", "period": 2}],
        "due": Decimal("600"),
    }
    context: dict[str, Any] = {
        "studio_name": "Studio Example", "currency": "TRY", "now": datetime(2026, 12, 4, 10, 0),
        "client": {"id": "C001", "name": "Ayşe Çelik", "email": "ayse@client.example"},
        "enrollments": [enrollment], "held": [], "total_due": Decimal("600"), "remaining": 2,
        "next_session": {"start": sessions[3]["start"], "end": sessions[3]["end"],
                         "staff": elif_, "package": enrollment["package"], "group": None},
        "width": _widths(sessions),
    }
    context.update(changes)
    return context


def sample_statements() -> list[dict[str, Any]]:
    """Contexts that walk both sides of the templates' `if`s: a typo anywhere shows at once."""
    base = sample_statement()
    group = {"id": "G1", "name": "Pilates <Mat> & Co"}
    ended = {**base["enrollments"][0], "group": group, "waiting_payments": [],
             "auto_renew": False, "due": Decimal("-100"),
             "periods": [{**base["enrollments"][0]["periods"][0], "state": ENDED,
                          "state_label": STATE_LABELS[ENDED], "payments": [],
                          "due": Decimal("-100"), "remaining": 0, "next_session": None}]}
    ended["current"] = ended["periods"][-1]
    return [
        base,
        sample_statement(enrollments=[ended], total_due=Decimal("-100"), remaining=0,
                         next_session=None, studio_name="",
                         held=["E9"], currency=""),
        sample_statement(enrollments=[], total_due=Decimal(0), remaining=0,
                         next_session=None),
        sample_statement(next_session={**base["next_session"], "group": group}),
    ]
