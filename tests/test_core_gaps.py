"""Gaps mutation testing found in the pure core (plan.py, ledger.py, schedule.py), issue 13.

Each test pins one rule with outcomes worked out by hand in its docstring, so a mutant
of the code it guards (named in the docstring) changes an asserted value.

The studio: 2026-11-30 is a Monday. A 4-session physiotherapy package costs 2000;
Ayse (C1) comes Mon and Thu at 14:00 with Elif (ST1, 40%); the Morning Pilates group
(G1) meets Tue and Fri at 09:00 with Can (ST2).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice

import pytest

from sheetsync.cells import CellError
from sheetsync.ledger import current_periods, ending_within, payment_shares
from sheetsync.model import Balance, Payment
from sheetsync.plan import IdMaker, plan
from sheetsync.read import read_snapshot
from sheetsync.schedule import HORIZON, parse_schedule
from sheetsync.schedule import slots as expand
from sheetsync.stores.memory import MemoryStore
from tests.studio import (
    appointment_at,
    appointments,
    balance,
    edit,
    plan_at,
    records,
    set_status,
    slots,
    studio,
    sync,
)

STUDIO = """
Packages
package_id | name             | sessions | price
P4         | 4-Session Physio | 4        | 2000

Clients
client_id | name   | status
C1        | Ayse   | active
C2        | Mehmet | active

Staff
staff_id | name | role  | commission_rate
ST1      | Elif | staff | 40%
ST2      | Can  | staff |

Groups
group_id | name            | staff_id | schedule      | capacity
G1       | Morning Pilates | ST2      | Tue,Fri 09:00 | 8
"""

AYSE = STUDIO + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | group_id
E1            | C1        | P4         | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 |
"""

FIRST_FOUR = ["2026-11-30 14:00", "2026-12-03 14:00", "2026-12-07 14:00", "2026-12-10 14:00"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def with_payments(rows: str) -> str:
    return AYSE + "\nPayments\nenrollment_id | amount | date | period\n" + rows.strip()


def problems(store: MemoryStore) -> list[tuple[str, str, str, str]]:
    return [(p["tab"], str(p["column"]), str(p["value"]), p["problem"])
            for p in records(store, "Problems")]


# --- several payments to one period (ledger.payment_shares, allocate_payments) -----------

def test_several_payments_naming_one_period_add_up_before_the_rest_is_spread():
    """Two periods: period 1 is held by 12-10, period 2 is planned 12-14 to 12-24.

    Payments: 1200 and 800 name period 1 (together its whole price), then 1500 names
    none. Period 1: paid 1200 + 800 = 2000, due 0. The 1500 finds no room in period 1
    and pays period 2: paid 1500, due 500.
    Kills `paid[period] += payment.amount` -> `=` (period 1 would look 800 paid, the 1500
    would put 1200 into it: paid 3200) and `paid[period] += amount` -> `=` in
    allocate_payments (period 1 would show only the last 800).
    """
    store = studio(with_payments("""
E1 | 1200 | 2026-12-01 | 1
E1 | 800  | 2026-12-05 | 1
E1 | 1500 | 2026-12-11 |
"""))
    sync(store, at("2026-12-11T10:00"))
    first, second = balance(store, "E1", 1), balance(store, "E1", 2)
    assert (first["paid"], first["due"]) == (2000, 0)
    assert (second["paid"], second["due"]) == (1500, 500)


def test_several_payments_without_a_period_fill_the_oldest_period_to_the_last_unit():
    """Payments without a period, in date order: 1000, 999, 1, 1500; two periods of 2000.

    1000 and 999 go to period 1 (room 2000, then 1000), the 1 fills its last unit of room
    (period 1: paid 2000, due 0), and the 1500 pays period 2 (paid 1500, due 500).
    Kills `paid[period] += taken` -> `=` (period 1 would take 1000 three times) and
    `if room > 0` -> `> 1` (the 1 would go to the latest period).
    """
    store = studio(with_payments("""
E1 | 1000 | 2026-12-01 |
E1 | 999  | 2026-12-02 |
E1 | 1    | 2026-12-03 |
E1 | 1500 | 2026-12-11 |
"""))
    sync(store, at("2026-12-11T10:00"))
    first, second = balance(store, "E1", 1), balance(store, "E1", 2)
    assert (first["paid"], first["due"]) == (2000, 0)
    assert (second["paid"], second["due"]) == (1500, 500)


def test_a_last_payment_of_one_fills_the_last_unit_of_the_oldest_period():
    """1999 without a period, 1500 for period 2, then 1 without a period: the 1 fills period
    1's last unit (paid 2000, due 0); period 2 keeps 1500 (due 500).
    Kills `if amount <= 0: break` -> `<= 1` and `if room > 0` -> `> 1` (the 1 would be a
    credit on period 2: period 1 due 1, period 2 paid 1501).
    """
    store = studio(with_payments("""
E1 | 1999 | 2026-12-01 |
E1 | 1500 | 2026-12-11 | 2
E1 | 1    | 2026-12-11 |
"""))
    sync(store, at("2026-12-11T10:00"))
    first, second = balance(store, "E1", 1), balance(store, "E1", 2)
    assert (first["paid"], first["due"]) == (2000, 0)
    assert (second["paid"], second["due"]) == (1500, 500)


def test_a_second_payment_beyond_the_price_is_credited_to_the_latest_period_exactly():
    """One period of 2000 (now 12-01, nothing held yet): 2000 paid, then 300 more.

    The 300 finds no room anywhere and is a credit on period 1: paid 2300, due -300.
    Kills `split.get(latest, Decimal(0))` -> `Decimal(1)` (paid 2301).
    """
    store = studio(with_payments("""
E1 | 2000 | 2026-11-30 |
E1 | 300  | 2026-12-01 |
"""))
    sync(store, at("2026-12-01T10:00"))
    b = balance(store, "E1")
    assert (b["price"], b["paid"], b["due"]) == (2000, 2300, -300)


def test_each_payment_keeps_its_own_share_per_period():
    """payment_shares, the statement's view: which period each payment paid, payment by payment.

    Prices: period 1 and 2 cost 2000. Named: 2000 for period 1. Unnamed: 1500 (period 1 is
    full, so all of it to period 2), then 600 (500 fills period 2, 100 is credit on it).
    Kills `PaymentShare(payment, ...)` -> `PaymentShare(None, ...)` and `if room > 0` ->
    `>= 0` (an empty share {1: 0} for period 1).
    """
    def paid(amount: str, day: int, period: int | None = None) -> Payment:
        return Payment("E1", Decimal(amount), date(2026, 12, day), period, row=day)

    payments = [paid("1500", 5), paid("2000", 1, period=1), paid("600", 9)]
    shares = payment_shares(payments, {1: Decimal(2000), 2: Decimal(2000)})
    assert [(s.payment, s.periods) for s in shares] == [
        (payments[1], {1: Decimal(2000)}),
        (payments[0], {2: Decimal(1500)}),
        (payments[2], {2: Decimal(600)}),
    ]


# --- a new period starts after the previous period's last session (plan._free_slots) ------

def test_a_renewal_starts_after_the_last_session_of_the_period_even_when_it_is_ahead():
    """Session 4 (Thu 12-10) is moved by hand to Fri 12-18 and marked paid_cancel ahead.

    At Mon 12-07 16:00 sessions 1-3 are held (11-30, 12-03, 12-07) and session 4 counts as
    used, so period 1 is used up and renewed. Period 2 starts after period 1's last
    session, 12-18 14:00: Mon 12-21, Thu 12-24, Mon 12-28, Thu 12-31 (not 12-14, the first
    free slot after now; 12-10 stays taken by the moved session's old place).
    Kills dropping `if after is not None and slot.start <= after: continue` and
    `max(earlier)` -> `min(earlier)` (both give 12-14, 12-17, 12-21, 12-24).
    """
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    last = appointment_at(store, "E1", "2026-12-10 14:00")
    edit(store, "Appointments", {"appointment_id": last["appointment_id"]},
         date="2026-12-18", start="14:00", end="15:00", status="paid_cancel")
    report = sync(store, at("2026-12-07T16:00"))
    assert [(r.period, r.first_session) for r in report.plan.renewals] == [
        (2, at("2026-12-21T14:00"))]
    period_two = sorted(r["appointment_id"] for r in appointments(store, "E1")
                        if r["period"] == 2)
    assert period_two == ["E1-2-01", "E1-2-02", "E1-2-03", "E1-2-04"]
    assert slots(store, "E1", "pending") == [
        "2026-12-21 14:00", "2026-12-24 14:00", "2026-12-28 14:00", "2026-12-31 14:00"]
    assert slots(store, "E1", "completed", "paid_cancel") == [*FIRST_FOUR[:3], "2026-12-18 14:00"]
    b = balance(store, "E1", 1)
    assert (b["completed"], b["paid_cancel"], b["used"], b["remaining"], b["state"]) == (
        3, 1, 4, 0, "ended")
    assert b["last_session"] == at("2026-12-18T14:00")
    assert problems(store) == []


# --- day ranges that do not start on Monday (schedule._days) ------------------------------

def test_a_day_range_starting_midweek_covers_each_day_from_first_to_last():
    """`Tue-Thu 18:00` is Tue, Wed and Thu; `Fri-Mon 7:30` wraps over the weekend: Fri, Sat,
    Sun, Mon; `thu to sat 10am` is Thu, Fri, Sat. From Mon 11-30 `Tue-Thu 18:00` gives
    Tue 12-01, Wed 12-02, Thu 12-03, then Tue 12-08.
    Kills `(first + i) % 7` -> `(first - i) % 7`, `% 7` -> `% 8`, `+ 1` -> `+ 2` and
    `len(days) == 2` -> `== 3` (a range read as its two ends only).
    """
    assert parse_schedule("Tue-Thu 18:00").describe() == "Tue 18:00, Wed 18:00, Thu 18:00"
    assert parse_schedule("Fri-Mon 7:30").describe() == (
        "Mon 07:30, Fri 07:30, Sat 07:30, Sun 07:30")
    assert parse_schedule("thu to sat 10am").describe() == "Thu 10:00, Fri 10:00, Sat 10:00"
    found = expand(parse_schedule("Tue-Thu 18:00"), date(2026, 11, 30), at("2026-11-30T00:00"),
                   timedelta(hours=1))
    assert [f"{s.start:%a %Y-%m-%d %H:%M}" for s in islice(found, 4)] == [
        "Tue 2026-12-01 18:00", "Wed 2026-12-02 18:00", "Thu 2026-12-03 18:00",
        "Tue 2026-12-08 18:00"]


def test_an_enrollment_on_a_midweek_day_range_gets_those_days():
    """Mehmet (C2) comes `Tue-Thu 18:00` from Mon 11-30: Tue 12-01, Wed 12-02, Thu 12-03,
    Tue 12-08 at 18:00-19:00."""
    store = studio(STUDIO + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E2            | C2        | P4         | 2026-11-30 | ST1      | Tue-Thu 18:00
""")
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E2") == [
        "2026-12-01 18:00", "2026-12-02 18:00", "2026-12-03 18:00", "2026-12-08 18:00"]
    assert {r["end"].strftime("%H:%M") for r in appointments(store, "E2")} == {"19:00"}


# --- the recurrence horizon and the "no free slot" problem --------------------------------

def test_expansion_stops_at_the_horizon_counted_from_the_search_start():
    """`Mon 10:00` from Mon 11-30 10:00 with a 14-day horizon: 11-30, 12-07 and 12-14 at
    10:00 (the bound 12-14 10:00 is included), nothing after. An RRULE without an end is
    bounded the same, and so is one whose UNTIL (2030) lies beyond; one whose UNTIL (12-08)
    comes first keeps it: 11-30 and 12-07; one with COUNT=5 keeps its five sessions past
    the horizon.
    Kills `until = start_from + horizon` -> `- horizon`, `inc=True` -> `False`, the
    RRULE's `end > until` -> `end < until` or capping only rules without UNTIL, and
    `ignoretz=True` being dropped (a UTC UNTIL cannot be compared with wall-clock times).
    """
    fortnight, hour, start = timedelta(days=14), timedelta(hours=1), at("2026-11-30T10:00")

    def days(rule: str) -> list[str]:
        found = expand(parse_schedule(rule), date(2026, 11, 30), start, hour, fortnight)
        return [f"{s.start:%m-%d %H:%M}" for s in islice(found, 10)]

    assert days("Mon 10:00") == ["11-30 10:00", "12-07 10:00", "12-14 10:00"]
    assert days("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0") == [
        "11-30 10:00", "12-07 10:00", "12-14 10:00"]
    assert days("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;UNTIL=20261208T000000") == [
        "11-30 10:00", "12-07 10:00"]
    assert days("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;UNTIL=20301231T000000") == [
        "11-30 10:00", "12-07 10:00", "12-14 10:00"]  # an UNTIL past the horizon is capped
    assert days("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;UNTIL=20261208T000000Z") == [
        "11-30 10:00", "12-07 10:00"]  # a UTC UNTIL is read as wall-clock time
    assert len(days("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;COUNT=5")) == 5


LONG_LEAVE = AYSE + """
Closures
start_date | end_date   | staff_id | client_id | group_id | reason
2026-12-01 | {end}      | ST1      |           |          | Elif on long leave
"""


def test_sessions_are_looked_for_six_years_ahead_and_no_further():
    """Elif is away from 2026-12-01 to Sun 2032-11-28. Period 1 is searched from its start
    date, 2026-11-30 00:00, for 366 * 6 = 2196 days: up to Sat 2032-12-04 00:00. It holds
    Mon 2026-11-30, Mon 2032-11-29 and Thu 2032-12-02; the fourth session (Mon 2032-12-06)
    lies beyond: "No free slot was found for 1 session(s) of period 1 of enrollment E1
    within 6 years; ...". With her leave ending a week earlier (2032-11-21) all four fit:
    2032-11-22, 11-25, 11-29 and no problem.
    Kills any other HORIZON (365 * 6 misses 11-29 and 12-02: 3 missing; 367 * 6 finds
    12-06: no problem) and dropping the horizon (no problem).
    """
    assert timedelta(days=2196) == HORIZON
    store = studio(LONG_LEAVE.format(end="2032-11-28"))
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1") == ["2026-11-30 14:00", "2032-11-29 14:00", "2032-12-02 14:00"]
    assert problems(store) == [(
        "Enrollments", "schedule", "Mon 14:00, Thu 14:00",
        "No free slot was found for 1 session(s) of period 1 of enrollment E1 within 6 years; "
        "check the schedule and the closures.")]
    assert balance(store, "E1")["pending"] == 3
    shorter = studio(LONG_LEAVE.format(end="2032-11-21"))
    sync(shorter, at("2026-11-29T12:00"))
    assert slots(shorter, "E1") == [
        "2026-11-30 14:00", "2032-11-22 14:00", "2032-11-25 14:00", "2032-11-29 14:00"]
    assert problems(shorter) == []


def test_no_free_slot_names_the_enrollment_row_and_how_many_sessions_are_missing():
    """A closure for all of Elif's sessions from 12-01 to 2040: only Mon 11-30 fits, 3 of 4
    sessions are missing. The problem stands on the Enrollments row (2) and schedule cell,
    and planning again finds the same sentence once, nothing to add.
    Kills `len(chosen) < need` -> `<=` (a problem when everything fits is caught by the
    other tests' empty Problems) and `need - len(chosen)` -> `+`.
    """
    store = studio(LONG_LEAVE.format(end="2040-12-31"))
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1") == ["2026-11-30 14:00"]
    (problem,) = records(store, "Problems")
    assert (problem["tab"], problem["row"], problem["column"]) == ("Enrollments", 2, "schedule")
    assert problem["problem"].startswith(
        "No free slot was found for 3 session(s) of period 1 of enrollment E1 within 6 years")
    again = plan_at(store, at("2026-11-29T12:00"))
    assert again.empty
    assert [p.problem for p in again.problems] == [problem["problem"]]
    # Once 11-30 is held nothing is pending, yet the period is not used up: no renewal.
    later = sync(store, at("2026-12-01T10:00"))
    assert later.plan.renewals == []
    assert [p["problem"][:44] for p in records(store, "Problems")] == [
        "No free slot was found for 3 session(s) of p"]


def test_no_free_slot_within_a_shorter_horizon_says_how_many_years_were_searched():
    """Elif is away until 2029-12-31. Planned with a two-year horizon (730 days) the three
    sessions after 11-30 are not found: "... for 3 session(s) of period 1 of enrollment E1
    within 2 years; ..."; with the default six years they are: 2030-01-03, 01-07, 01-10.
    Kills passing the planner's horizon on to the expansion being dropped, and
    `horizon.days // 365` -> `// 366` (1 year)."""
    store = studio(LONG_LEAVE.format(end="2029-12-31"))
    snapshot = read_snapshot(store.read())
    short = plan(snapshot, at("2026-11-29T12:00"), horizon=timedelta(days=730))
    assert [p.problem for p in short.problems] == [
        "No free slot was found for 3 session(s) of period 1 of enrollment E1 within 2 years; "
        "check the schedule and the closures."]
    assert [a.starts_at for a in short.added] == [at("2026-11-30T14:00")]
    default = plan(snapshot, at("2026-11-29T12:00"))
    assert default.problems == []
    assert [f"{a.starts_at:%Y-%m-%d}" for a in default.added] == [
        "2026-11-30", "2030-01-03", "2030-01-07", "2030-01-10"]


def test_a_renewal_that_finds_no_free_slot_is_a_problem_of_the_new_period():
    """Elif leaves after 12-10 (closed for her from 12-11 to 2040). At 12-11 10:00 period 1
    is held in full and renewed, but period 2 finds no slot: the renewal names Ayse, period
    2 and no first session, and the problem reads "No free slot was found for 4 session(s)
    of period 2 of enrollment E1 within 6 years; ...".
    Kills `min(..., default=None)` losing its default (crash) and the renewal's client_id
    -> None."""
    store = studio(AYSE + """
Closures
start_date | end_date   | staff_id | client_id | group_id | reason
2026-12-11 | 2040-12-31 | ST1      |           |          | Elif left
""")
    sync(store, at("2026-11-29T12:00"))
    report = sync(store, at("2026-12-11T10:00"))
    assert [(r.enrollment_id, r.client_id, r.period, r.first_session)
            for r in report.plan.renewals] == [("E1", "C1", 2, None)]
    assert [p["problem"] for p in records(store, "Problems")] == [
        "No free slot was found for 4 session(s) of period 2 of enrollment E1 within 6 years; "
        "check the schedule and the closures."]


def test_a_renewal_synced_right_at_a_slot_starts_with_the_next_one():
    """Period 1 ends Thu 12-10 15:00; the next sync runs late, at Mon 12-14 14:00 sharp.
    A session starting now cannot be planned any more: period 2 takes Thu 12-17, Mon 12-21,
    Thu 12-24 and Mon 12-28.
    Kills `slot.start <= self.now: continue` -> `<` (12-14 would be taken) and -> `break`
    (nothing found)."""
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    report = sync(store, at("2026-12-14T14:00"))
    assert [(r.period, r.first_session) for r in report.plan.renewals] == [
        (2, at("2026-12-17T14:00"))]
    assert slots(store, "E1", "pending") == [
        "2026-12-17 14:00", "2026-12-21 14:00", "2026-12-24 14:00", "2026-12-28 14:00"]


def test_a_first_sync_right_as_a_session_ends_leaves_it_pending():
    """The first sync runs at Mon 11-30 15:00, the end of the first session: it has not
    ended before now, so it is planned pending like the three after it (SPEC: a session
    is completed once its end is before now). Kills `slot.end < self.now` -> `<=`."""
    store = studio(AYSE)
    sync(store, at("2026-11-30T15:00"))
    assert slots(store, "E1", "pending") == FIRST_FOUR
    sync(store, at("2026-11-30T15:01"))
    assert slots(store, "E1", "completed") == FIRST_FOUR[:1]


def test_the_horizon_of_a_period_after_now_counts_from_now_not_from_the_start_date():
    """An enrollment that started on 2020-11-30 (a Monday) is synced for the first time on
    Sun 2026-11-29. Period 1 is laid from the start date and held: 2020-11-30, 12-03, 12-07,
    12-10. Period 2 is searched from now for six years: Mon 2026-11-30, Thu 12-03, Mon 12-07,
    Thu 12-10. Searching from the start date would stop at 2026-12-04 after two sessions.
    Kills `start_from = not_before if brand_new else max(not_before, self.now)` ->
    `not_before` always."""
    store = studio(AYSE.replace("| 2026-11-30 | ST1", "| 2020-11-30 | ST1"))
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1", "completed") == [
        "2020-11-30 14:00", "2020-12-03 14:00", "2020-12-07 14:00", "2020-12-10 14:00"]
    assert slots(store, "E1", "pending") == FIRST_FOUR
    assert problems(store) == []


# --- an overfull period (plan._overfull) ---------------------------------------------------

def test_a_period_with_more_used_sessions_than_its_package_is_a_problem():
    """Three sessions are held by Tue 12-08 (11-30, 12-03, 12-07); then the studio changes
    the package from 4 to 2 sessions. Period 1 now has 3 used sessions, more than 2: the
    problem "Period 1 of enrollment E1 has 3 sessions that are used or moved by hand, more
    than the 2 of its package; cancel or delete the extra ones." (tab Appointments, column
    status, value "E1 period 1"); its pending 12-10 session is deleted; used 3, remaining
    -1; and being used up, period 2 is planned after now: Thu 12-10 and Mon 12-14.
    Kills `if need < 0` -> `<= 0` / `< 1` (a full period would be a problem too) and
    `floating[need:]` keeping the extra pending session.
    """
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    sync(store, at("2026-12-08T10:00"))
    assert problems(store) == []
    edit(store, "Packages", {"package_id": "P4"}, sessions=2)
    report = sync(store, at("2026-12-08T10:00"))
    assert [(a.period, a.starts_at) for a in report.plan.deleted] == [(1, at("2026-12-10T14:00"))]
    assert problems(store) == [(
        "Appointments", "status", "E1 period 1",
        "Period 1 of enrollment E1 has 3 sessions that are used or moved by hand, more than "
        "the 2 of its package; cancel or delete the extra ones.")]
    b = balance(store, "E1", 1)
    assert (b["sessions"], b["used"], b["remaining"], b["pending"], b["state"]) == (
        2, 3, -1, 0, "ended")
    assert sorted(f"{r['date']} {r['start']:%H:%M}" for r in appointments(store, "E1")
                  if r["period"] == 2) == ["2026-12-10 14:00", "2026-12-14 14:00"]


# --- closures that name both a client and a staff member (plan.ClosureIndex) --------------

def test_a_closure_for_a_client_with_one_staff_member_skips_only_those_sessions():
    """Closed 12-07 to 12-10 for Ayse's sessions with Elif. Ayse (C1) also sees Can (ST2)
    Mon/Thu 10:00, and Mehmet (C2) sees Elif Mon/Thu 16:00.
    E1 (Ayse with Elif) skips 12-07 and 12-10: 11-30, 12-03, 12-14, 12-17 at 14:00.
    E2 (Ayse with Can) and E3 (Mehmet with Elif) keep 11-30, 12-03, 12-07, 12-10.
    Kills the index losing a closure filed under its client (`("client", client_id)`
    lookups or keys mutated) and `not c.staff_id or c.staff_id == staff_id` -> `and`.
    """
    store = studio(STUDIO + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | P4         | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
E2            | C1        | P4         | 2026-11-30 | ST2      | Mon 10:00, Thu 10:00
E3            | C2        | P4         | 2026-11-30 | ST1      | Mon 16:00, Thu 16:00

Closures
start_date | end_date   | staff_id | client_id | group_id | reason
2026-12-07 | 2026-12-10 | ST1      | C1        |          | Ayse pauses physio with Elif
""")
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1") == [
        "2026-11-30 14:00", "2026-12-03 14:00", "2026-12-14 14:00", "2026-12-17 14:00"]
    assert slots(store, "E2") == [d.replace("14:00", "10:00") for d in FIRST_FOUR]
    assert slots(store, "E3") == [d.replace("14:00", "16:00") for d in FIRST_FOUR]
    assert problems(store) == []


def test_a_closure_for_a_client_in_one_group_skips_only_that_groups_sessions():
    """Ayse skips the group on Tue 12-08, and the studio is closed on Fri 12-11.
    GA (Ayse in G1 from Tue 12-01): 12-01, 12-04, 12-15, 12-18 at 09:00; GB (Mehmet in G1):
    12-01, 12-04, 12-08, 12-15; E4 (Ayse's private Tue 18:00 with Can): 12-01, 12-08,
    12-15, 12-22 keeps 12-08.
    Kills a studio-wide closure filed as a group's (`if c.group_id` -> `or True`): group
    members would no longer see it.
    """
    store = studio(STUDIO + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule  | group_id
GA            | C1        | P4         | 2026-12-01 |          |           | G1
GB            | C2        | P4         | 2026-12-01 |          |           | G1
E4            | C1        | P4         | 2026-12-01 | ST2      | Tue 18:00 |

Closures
start_date | end_date | staff_id | client_id | group_id | reason
2026-12-08 |          |          | C1        | G1       | Ayse skips the group
2026-12-11 |          |          |           |          | Studio closed
""")
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "GA") == [
        "2026-12-01 09:00", "2026-12-04 09:00", "2026-12-15 09:00", "2026-12-18 09:00"]
    assert slots(store, "GB") == [
        "2026-12-01 09:00", "2026-12-04 09:00", "2026-12-08 09:00", "2026-12-15 09:00"]
    assert slots(store, "E4") == [
        "2026-12-01 18:00", "2026-12-08 18:00", "2026-12-15 18:00", "2026-12-22 18:00"]


# --- an enrollment moved into or out of a group (plan._schedule) --------------------------

def test_an_enrollment_moved_into_a_group_takes_its_schedule_staff_and_group_id():
    """Ayse's E1 has two sessions held by Fri 12-04 10:00 (11-30, 12-03 with Elif). The
    studio puts E1 into G1 (Tue/Fri 09:00 with Can). Her two sessions still to come move to
    the group's next sessions after now, Tue 12-08 and Fri 12-11 at 09:00-10:00, with Can
    and group_id G1, keeping their ids; the held ones stay with Elif on their days. Her
    balance row names G1.
    Kills `(client_id, client_name, group_id) != (...)` -> `==`, the group_id copied from
    the enrollment being dropped, `_place` keeping the old end time (15:00), and ledger's
    balance `group_id=enrollment.group_id` -> `None`.
    """
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    ids = {s: appointment_at(store, "E1", s)["appointment_id"] for s in FIRST_FOUR}
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Enrollments", {"enrollment_id": "E1"}, group_id="G1", staff_id=None,
         schedule=None)
    report = sync(store, at("2026-12-04T10:00"))
    assert report.plan.added == [] and report.plan.deleted == []
    assert slots(store, "E1", "completed") == FIRST_FOUR[:2]
    assert slots(store, "E1", "pending") == ["2026-12-08 09:00", "2026-12-11 09:00"]
    for old, new in [(FIRST_FOUR[2], "2026-12-08 09:00"), (FIRST_FOUR[3], "2026-12-11 09:00")]:
        row = appointment_at(store, "E1", new)
        assert (row["appointment_id"], row["staff_id"], row["group_id"], row["end"]) == (
            ids[old], "ST2", "G1", time(10, 0))
    assert {appointment_at(store, "E1", s)["staff_id"] for s in FIRST_FOUR[:2]} == {"ST1"}
    b = balance(store, "E1")
    assert (b["group_id"], b["client_id"], b["client_name"], b["package_id"]) == (
        "G1", "C1", "Ayse", "P4")
    assert (b["used"], b["pending"], b["next_session"]) == (2, 2, at("2026-12-08T09:00"))


def test_an_enrollment_moved_out_of_a_group_takes_its_own_schedule_and_staff():
    """GA (Ayse in G1 from Tue 12-01) has 12-01 and 12-04 held by Sat 12-05. The studio
    takes her out of the group: staff Elif, `Mon 14:00, Thu 14:00`. Her two sessions
    still to come move to Mon 12-07 and Thu 12-10 at 14:00 with Elif and no group_id; the
    balance row has no group either."""
    store = studio(STUDIO + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule | group_id
GA            | C1        | P4         | 2026-12-01 |          |          | G1
""")
    sync(store, at("2026-11-30T08:00"))
    sync(store, at("2026-12-05T10:00"))
    edit(store, "Enrollments", {"enrollment_id": "GA"}, group_id=None, staff_id="ST1",
         schedule="Mon 14:00, Thu 14:00")
    sync(store, at("2026-12-05T10:00"))
    assert slots(store, "GA", "completed") == ["2026-12-01 09:00", "2026-12-04 09:00"]
    assert slots(store, "GA", "pending") == ["2026-12-07 14:00", "2026-12-10 14:00"]
    moved = [appointment_at(store, "GA", s) for s in ("2026-12-07 14:00", "2026-12-10 14:00")]
    assert [(r["staff_id"], r["group_id"]) for r in moved] == [("ST1", None), ("ST1", None)]
    assert balance(store, "GA")["group_id"] is None
    assert problems(store) == []


def test_every_row_of_an_enrollment_follows_its_client_s_name_and_id():
    """E1 is planned for Ayse and two sessions are held by 12-04. The studio renames her
    "Ayse K." and the next sync writes the new name on all four rows. Then it notices E1
    belongs to Mehmet (C2) and fixes the enrollment: all four rows read C2, Mehmet.
    Kills the client_id or client_name of `replace(a, client_id=..., client_name=...)`
    being dropped or set to None."""
    store = studio(AYSE)
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Clients", {"client_id": "C1"}, name="Ayse K.")
    sync(store, at("2026-12-04T10:00"))
    assert {(r["client_id"], r["client_name"]) for r in appointments(store, "E1")} == {
        ("C1", "Ayse K.")}
    edit(store, "Enrollments", {"enrollment_id": "E1"}, client_id="C2")
    sync(store, at("2026-12-04T10:00"))
    assert {(r["client_id"], r["client_name"]) for r in appointments(store, "E1")} == {
        ("C2", "Mehmet")}
    assert slots(store, "E1") == FIRST_FOUR


def test_new_ids_continue_after_the_highest_number_even_with_gaps():
    """Rows E1-1-01, -03, ..., -99 exist (the even ones were deleted): the next id of period
    1 is E1-1-100, then E1-1-101; gaps are never refilled. Kills `IdMaker` keeping the
    last number it read instead of the highest (`self.highest.get(prefix, 0)` ->
    `.get(None, 0)`), whatever order the set of ids is read in (49 of 50 orders)."""
    ids = IdMaker({f"E1-1-{n:02d}" for n in range(1, 100, 2)})
    assert [ids.next("E1", 1), ids.next("E1", 1)] == ["E1-1-100", "E1-1-101"]


# --- balances: the next session, an empty period, closed with sessions left (ledger) ------

def test_the_next_session_is_the_next_pending_one_and_may_start_right_now():
    """Planned on 11-29; at Mon 12-07 14:00 sharp sessions 11-30 and 12-03 are held, and
    12-07 starts now: it stays where it is and is the next session. Once 12-07 is
    cancelled, the next one is Thu 12-10, not the cancelled one (its make-up goes to Mon
    12-14).
    Kills ledger's `a.starts_at >= now` -> `> now` and `status == PENDING and ...` -> `or`,
    and plan's `_floating` `a.starts_at > self.now` -> `>=` (the session starting now would
    be re-planned to 12-10, and 12-10 to 12-14).
    """
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    sync(store, at("2026-12-07T14:00"))
    assert slots(store, "E1") == FIRST_FOUR
    assert balance(store, "E1")["next_session"] == at("2026-12-07T14:00")
    set_status(store, "E1", "2026-12-07 14:00", "cancelled")
    sync(store, at("2026-12-07T14:00"))
    b = balance(store, "E1")
    assert (b["next_session"], b["cancelled"], b["pending"]) == (at("2026-12-10T14:00"), 1, 2)
    assert b["last_session"] == at("2026-12-14T14:00")


def test_a_closed_client_with_a_session_left_is_closed_not_ended():
    """Three sessions held by Tue 12-08, then Ayse's client row is closed: the 12-10 session
    is deleted. Period 1: used 3, remaining 1, pending 0, no next session, state closed.
    Closed instead at Mon 12-07 14:00 sharp, the session starting right then is not after
    now and stays (pending 1); only 12-10 is deleted.
    Kills `_state`'s `remaining <= 0` -> `<= 1` (state ended) and closing's
    `a.starts_at > self.now` -> `>=`."""
    store = studio(AYSE)
    sync(store, at("2026-12-08T10:00"))
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    sync(store, at("2026-12-08T10:00"))
    assert slots(store, "E1") == FIRST_FOUR[:3]
    b = balance(store, "E1")
    assert (b["used"], b["remaining"], b["pending"], b["next_session"], b["state"]) == (
        3, 1, 0, None, "closed")
    sharp = studio(AYSE)
    sync(sharp, at("2026-12-07T14:00"))
    edit(sharp, "Clients", {"client_id": "C1"}, status="closed")
    report = sync(sharp, at("2026-12-07T14:00"))
    assert [a.starts_at for a in report.plan.deleted] == [at("2026-12-10T14:00")]
    assert slots(sharp, "E1", "pending") == ["2026-12-07 14:00"]


def test_a_period_whose_sessions_were_all_cancelled_has_no_first_or_last_session():
    """All four sessions cancelled, and Ayse closed in the same edit: no make-up is planned.
    Period 1: cancelled 4, used 0, remaining 4, pending 0, first, last and next session
    empty, state closed.
    Kills `sessions[0] if sessions else None` -> `if sessions or True` (IndexError)."""
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    for when in FIRST_FOUR:
        set_status(store, "E1", when, "cancelled")
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    sync(store, at("2026-11-29T12:00"))
    b = balance(store, "E1")
    assert (b["cancelled"], b["used"], b["remaining"], b["pending"], b["state"]) == (
        4, 0, 4, 0, "closed")
    assert (b["first_session"], b["last_session"], b["next_session"]) == (None, None, None)


def test_a_new_own_price_recomputes_a_frozen_commission():
    """Ayse's 11-30 session is held and given its own price 600: Elif earns 600 * 40% = 240
    (basis "ST1, 600.00 own price, 40%"). The studio corrects the price to 700: the
    commission is recomputed, 280 ("ST1, 700.00 own price, 40%").
    Kills `cents(a.price) != price` -> `==` (240 would stay).
    """
    store = studio(AYSE)
    sync(store, at("2026-11-29T12:00"))
    first = appointment_at(store, "E1", "2026-11-30 14:00")["appointment_id"]
    edit(store, "Appointments", {"appointment_id": first}, price=600)
    sync(store, at("2026-12-01T10:00"))
    row = appointment_at(store, "E1", "2026-11-30 14:00")
    assert (row["commission"], row["commission_basis"]) == (240, "ST1, 600.00 own price, 40%")
    edit(store, "Appointments", {"appointment_id": first}, price=700)
    sync(store, at("2026-12-01T10:00"))
    row = appointment_at(store, "E1", "2026-11-30 14:00")
    assert (row["commission"], row["commission_basis"]) == (280, "ST1, 700.00 own price, 40%")


# --- what a studio types into a schedule cell (schedule.parse_schedule) -------------------

@pytest.mark.parametrize(("typed", "read_as"), [
    # day ranges in capitals and with dots: the range is split whatever the case
    ("MON TO WED 8AM", "Mon 08:00, Tue 08:00, Wed 08:00"),
    ("Tues. - Thurs. 18:00", "Tue 18:00, Wed 18:00, Thu 18:00"),
    # `6-7PM` is 18:00 to 19:00; `11AM-1PM` keeps its own AM; `to` joins a range too
    ("Sat 6-7PM", "Sat 18:00-19:00"),
    ("Sat 11AM-1PM", "Sat 11:00-13:00"),
    ("Wed 6pm to 7pm", "Wed 18:00-19:00"),
    # an RRULE may leave out `RRULE:`; FREQ=DAILY is a rule too
    ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", "RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9"),
    ("RRULE:FREQ=DAILY;BYHOUR=9", "RRULE:FREQ=DAILY;BYHOUR=9"),
    # once a year is the longest weekly interval
    ("every 52 weeks Mon 9:00", "every 52 weeks Mon 09:00"),
])
def test_spellings_a_studio_types_are_read_and_kept_as_typed(typed: str, read_as: str):
    """Each cell reads as the rule beside it, and the schedule keeps the text as typed (the
    Problems tab and alerts quote it). Kills `_days` splitting ranges case-sensitively or
    keeping the dots, the AM/PM suffix tests losing re.I, `_times` splitting on `TO`
    instead of `to`, the `FREQ=` prefix and DAILY
    being dropped, `interval <= 52` -> `< 52`, and `Schedule(text=None, ...)`."""
    schedule = parse_schedule(typed)
    assert schedule.describe() == read_as
    assert schedule.text == typed


EXAMPLE = "write it like 'Mon 14:00, Thu 18:00'"


@pytest.mark.parametrize(("typed", "problem"), [
    ("every 53 weeks Mon 9:00", "'every 53 weeks Mon 9:00': a session every 53 weeks is not "
                                "a weekly rule"),
    ("every 2 weeks biweekly Mon 9:00", "'every 2 weeks biweekly Mon 9:00' says how often "
                                        f"twice; {EXAMPLE}"),
    ("Mon 25:00", "'Mon 25:00': '25:00' is not a time of day"),
    ("Mon 14:00 !", f"'Mon 14:00 !': '!' is not a day or a time; {EXAMPLE}"),
    ("Mon, Tue", f"'Mon, Tue': Mon, Tue has no time; {EXAMPLE}"),
    ("every 2 weeks", f"'every 2 weeks' has no day and time; {EXAMPLE}"),
    ("Wed 18:00-18:00", "'Wed 18:00-18:00': the session ends at 18:00, before it starts"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;DTSTART=20260101T000000",
     "'RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;DTSTART=20260101T000000': leave DTSTART out; "
     "the start date comes from the sheet"),
    ("RRULE:FREQ=WEEKLY;BYHOUR=9 RRULE:FREQ=DAILY;BYHOUR=10",
     "'RRULE:FREQ=WEEKLY;BYHOUR=9 RRULE:FREQ=DAILY;BYHOUR=10' is not a valid RRULE (only "
     "one RRULE line is supported)"),
])
def test_a_rule_that_does_not_parse_says_exactly_why(typed: str, problem: str):
    """The whole sentence the Problems tab shows, quoting the cell. Kills the messages
    being lost (`CellError(None)`), the day names of a rule without time, `_times`
    quoting None instead of the cell, `interval <= 52` -> `<= 53`, `end <= start` ->
    `end < start`, and the DTSTART and one-line checks."""
    with pytest.raises(CellError) as raised:
        parse_schedule(typed)
    assert str(raised.value) == problem


def _period(eid: str, period: int, due: str, state: str = "active",
            last: datetime | None = None) -> Balance:
    return Balance(eid, "C1", "Ayse", "P4", "", period, 4, 0, 0, 0, 0, 4, 4, None, last, None,
                   Decimal(4000), Decimal(4000) - Decimal(due), Decimal(due), state)


def test_current_periods_are_each_enrollments_latest_and_any_earlier_with_money_due():
    """Kills `or` -> `and` and a `>` -> `>=` on the due amount, and `max` -> `min`."""
    rows = [_period("E1", 1, "0", "ended"), _period("E1", 2, "0"),
            _period("E2", 1, "500", "ended"), _period("E2", 2, "0"),
            _period("E3", 1, "-1", "ended"), _period("E3", 3, "0")]
    assert [(b.enrollment_id, b.period) for b in current_periods(rows)] == [
        ("E1", 2), ("E2", 1), ("E2", 2), ("E3", 3)]


def test_ending_within_keeps_active_periods_whose_last_session_comes_by_the_horizon():
    """Kills `<=` -> `<`, the state test, and the missing-last-session guard."""
    horizon = at("2026-12-10 14:00")
    rows = [_period("E1", 1, "0", last=horizon),
            _period("E2", 1, "0", last=horizon + timedelta(minutes=1)),
            _period("E3", 1, "0", "ended", last=horizon), _period("E4", 1, "0")]
    assert [b.enrollment_id for b in ending_within(rows, horizon)] == ["E1"]
