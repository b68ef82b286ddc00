"""The sync rules of SPEC section 2, scenario by scenario, on every backend.

Each scenario builds its studio with the `studio` fixture (tests/backends.py), so it runs on
memory, on an .xlsx file and on a Google Sheet, and the workbook must hold exactly what
memory holds after every sync. 2026-11-30 is a Monday. The physiotherapy client comes Mon
and Thu at 14:00.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.studio import (
    appointment_at,
    appointments,
    balance,
    edit,
    plan_at,
    records,
    set_status,
    slots,
    sync,
)
from tests.studios import BASE, PHYSIO

FIRST_TEN = [
    "2026-11-30 14:00", "2026-12-03 14:00", "2026-12-07 14:00", "2026-12-10 14:00",
    "2026-12-14 14:00", "2026-12-17 14:00", "2026-12-21 14:00", "2026-12-24 14:00",
    "2026-12-28 14:00", "2026-12-31 14:00",
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_idempotent(store, now: datetime) -> None:
    """A second sync at the same now changes nothing but its own Runs row."""
    before = {t: records(store, t) for t in ("Appointments", "Balances", "Problems")}
    again = sync(store, now)
    assert again.plan.empty
    assert not any(again.changes.tabs[t] for t in again.changes.tabs if t != "Runs")
    after = {t: records(store, t) for t in before}
    assert after == before


def test_period_one_takes_the_first_slots_from_the_start_date(studio):
    store = studio(PHYSIO)
    report = sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1") == FIRST_TEN
    rows = appointments(store, "E1")
    assert {r["status"] for r in rows} == {"pending"}
    assert [r["session"] for r in sorted(rows, key=lambda r: r["appointment_id"])] == list(
        range(1, 11))
    assert {r["end"].strftime("%H:%M") for r in rows} == {"15:00"}
    assert {r["staff_id"] for r in rows} == {"ST1"}
    assert {r["client_name"] for r in rows} == {"Ayse"}
    assert len(report.plan.added) == 10
    b = balance(store, "E1")
    assert (b["sessions"], b["used"], b["remaining"], b["pending"]) == (10, 0, 10, 10)
    assert b["state"] == "active"
    assert b["due"] == 4000
    assert_idempotent(store, at("2026-11-29T12:00"))


def test_appointment_ids_are_deterministic(studio):
    first, second = studio(PHYSIO), studio(PHYSIO)
    sync(first, at("2026-11-29T12:00"))
    sync(second, at("2026-11-29T12:00"))
    ids = [r["appointment_id"] for r in appointments(first)]
    assert ids == [r["appointment_id"] for r in appointments(second)]
    assert ids[0] == "E1-1-01" and len(set(ids)) == 10


def test_pending_sessions_whose_end_has_passed_are_completed(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-11-29T12:00"))
    report = sync(store, at("2026-12-03T15:00"))
    # Thursday's session ends at 15:00 exactly: not yet before now.
    assert slots(store, "E1", "completed") == ["2026-11-30 14:00"]
    assert len(report.plan.completed) == 1
    sync(store, at("2026-12-03T15:01"))
    assert slots(store, "E1", "completed") == FIRST_TEN[:2]
    b = balance(store, "E1")
    assert (b["completed"], b["used"], b["remaining"], b["pending"]) == (2, 2, 8, 8)
    assert b["next_session"] == at("2026-12-07T14:00")
    assert_idempotent(store, at("2026-12-03T15:01"))


def test_a_start_date_in_the_past_plans_the_held_sessions_as_completed(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-08T09:00"))
    assert slots(store, "E1", "completed") == FIRST_TEN[:3]
    assert slots(store, "E1", "pending") == FIRST_TEN[3:]
    assert_idempotent(store, at("2026-12-08T09:00"))


def test_a_cancel_keeps_the_session_right_with_a_make_up_after_the_last_session(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    set_status(store, "E1", "2026-12-10 14:00", "Cancelled")
    report = sync(store, at("2026-12-04T10:00"))
    assert [a.starts_at for a in report.plan.added] == [at("2027-01-04T14:00")]
    assert slots(store, "E1", "pending") == FIRST_TEN[2:3] + FIRST_TEN[4:] + ["2027-01-04 14:00"]
    assert appointment_at(store, "E1", "2026-12-10 14:00")["status"] == "cancelled"
    make_up = appointment_at(store, "E1", "2027-01-04 14:00")
    assert make_up["session"] == 4  # it takes the place of the cancelled fourth session
    b = balance(store, "E1")
    assert (b["cancelled"], b["used"], b["remaining"], b["pending"]) == (1, 2, 8, 8)
    assert_idempotent(store, at("2026-12-04T10:00"))


def test_canonical_status_spelling_is_written_back(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    set_status(store, "E1", "2026-12-10 14:00", "canceled")
    set_status(store, "E1", "2026-12-14 14:00", "Late Cancel")
    sync(store, at("2026-12-04T10:00"))
    assert appointment_at(store, "E1", "2026-12-10 14:00")["status"] == "cancelled"
    assert appointment_at(store, "E1", "2026-12-14 14:00")["status"] == "paid_cancel"


def test_a_paid_cancel_uses_the_session(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    set_status(store, "E1", "2026-12-10 14:00", "paid cancel")
    report = sync(store, at("2026-12-04T10:00"))
    assert report.plan.added == []
    assert slots(store, "E1") == FIRST_TEN
    b = balance(store, "E1")
    assert (b["paid_cancel"], b["used"], b["remaining"], b["pending"]) == (1, 3, 7, 7)


def test_a_used_up_period_is_renewed_at_once_at_the_enrollments_price(studio):
    store = studio(PHYSIO.replace("Mon 14:00, Thu 14:00 |", "Mon 14:00, Thu 14:00 | 3600"))
    sync(store, at("2026-11-29T12:00"))
    report = sync(store, at("2027-01-01T09:00"))
    assert [(r.enrollment_id, r.period) for r in report.plan.renewals] == [("E1", 2)]
    assert report.plan.renewals[0].first_session == at("2027-01-04T14:00")
    period_two = [r for r in appointments(store, "E1") if r["period"] == 2]
    assert len(period_two) == 10
    assert {r["status"] for r in period_two} == {"pending"}
    assert min(r["appointment_id"] for r in period_two) == "E1-2-01"
    old, new = balance(store, "E1", 1), balance(store, "E1", 2)
    assert (old["used"], old["remaining"], old["state"]) == (10, 0, "ended")
    assert (new["used"], new["remaining"], new["state"]) == (0, 10, "active")
    assert new["price"] == 3600 and new["due"] == 3600
    assert records(store, "Packages")[0]["price"] == 4000  # the listed price never changes
    assert_idempotent(store, at("2027-01-01T09:00"))


def test_no_renewal_without_auto_renew(studio):
    store = studio(PHYSIO.replace("| price_override", "| price_override | auto_renew")
                   .replace("Mon 14:00, Thu 14:00 |", "Mon 14:00, Thu 14:00 | | no"))
    sync(store, at("2027-01-01T09:00"))
    assert {r["period"] for r in appointments(store, "E1")} == {1}
    assert balance(store, "E1")["state"] == "ended"


def test_a_renewal_after_a_late_sync_starts_after_now(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-11-29T12:00"))
    sync(store, at("2027-01-06T09:00"))  # the sync did not run for a week
    period_two = sorted(r["date"] for r in appointments(store, "E1") if r["period"] == 2)
    assert str(period_two[0]) == "2027-01-07"


@pytest.mark.parametrize(("closure", "skipped"), [
    ("2026-12-07 | 2026-12-10 |     |    |    | Studio renovation", ["2026-12-07", "2026-12-10"]),
    ("2026-12-14 | 2026-12-14 | ST1 |    |    | Elif on leave", ["2026-12-14"]),
    ("2026-12-17 |            |     | C1 |    | Ayse travels", ["2026-12-17"]),
])
def test_closures_never_reduce_a_balance(studio, closure: str, skipped: list[str]):
    store = studio(PHYSIO + f"""
Closures
start_date | end_date | staff_id | client_id | group_id | reason
{closure}
""")
    sync(store, at("2026-11-29T12:00"))
    planned = slots(store, "E1")
    assert len(planned) == 10
    assert not any(s.startswith(tuple(skipped)) for s in planned)
    assert planned[-1] > FIRST_TEN[-1]
    assert_idempotent(store, at("2026-11-29T12:00"))


def test_closures_of_other_staff_clients_or_groups_do_not_apply(studio):
    store = studio(PHYSIO + """
Closures
start_date | end_date   | staff_id | client_id | group_id | reason
2026-12-07 | 2026-12-10 | ST2      |           |          | Can on leave
2026-12-14 |            |          | C2        |          | Mehmet away
2026-12-17 |            |          |           | G1       | Group off
""")
    sync(store, at("2026-11-29T12:00"))
    assert slots(store, "E1") == FIRST_TEN


GROUP = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule | group_id
G1-A          | C2        | PIL4       | 2026-12-01 |          |          | G1
G1-B          | C3        | PIL4       | 2026-12-04 |          |          | G1
G1-C          | C4        | PIL4       | 2026-12-08 |          |          | G1
"""


def test_group_members_have_their_own_rows_and_balances(studio):
    store = studio(GROUP)
    sync(store, at("2026-11-30T08:00"))
    assert slots(store, "G1-A") == ["2026-12-01 09:00", "2026-12-04 09:00",
                                    "2026-12-08 09:00", "2026-12-11 09:00"]
    assert slots(store, "G1-B") == ["2026-12-04 09:00", "2026-12-08 09:00",
                                    "2026-12-11 09:00", "2026-12-15 09:00"]
    assert slots(store, "G1-C")[0] == "2026-12-08 09:00"
    assert {r["staff_id"] for r in appointments(store)} == {"ST2"}
    assert {r["group_id"] for r in appointments(store)} == {"G1"}
    set_status(store, "G1-A", "2026-12-08 09:00", "cancelled")
    sync(store, at("2026-12-05T08:00"))
    assert slots(store, "G1-A", "pending", "completed")[-1] == "2026-12-15 09:00"
    assert slots(store, "G1-B")[-1] == "2026-12-15 09:00"  # others are untouched
    assert balance(store, "G1-A")["cancelled"] == 1
    assert balance(store, "G1-B")["cancelled"] == 0
    assert_idempotent(store, at("2026-12-05T08:00"))


def test_a_group_closure_skips_only_that_groups_sessions(studio):
    store = studio(GROUP + """
Closures
start_date | end_date | staff_id | client_id | group_id | reason
2026-12-04 |          |          |           | G1       | Instructor course
""")
    sync(store, at("2026-11-30T08:00"))
    assert "2026-12-04 09:00" not in slots(store, "G1-A")
    assert slots(store, "G1-A")[-1] == "2026-12-15 09:00"


def test_every_second_week_falls_on_the_same_weeks_for_every_group_member(studio):
    store = studio(GROUP.replace("Tue,Fri 09:00", "every 2 weeks Sat 10:00"))
    sync(store, at("2026-11-30T08:00"))
    assert slots(store, "G1-A") == ["2026-12-05 10:00", "2026-12-19 10:00",
                                    "2027-01-02 10:00", "2027-01-16 10:00"]
    assert slots(store, "G1-B") == slots(store, "G1-A")
    joined_later = [datetime.fromisoformat(s) for s in slots(store, "G1-C")]
    assert joined_later[0] == at("2026-12-19T10:00")
    assert all((d - at("2026-12-05T10:00")).days % 14 == 0 for d in joined_later)


def test_closing_a_client_deletes_their_future_planned_appointments(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    report = sync(store, at("2026-12-04T10:00"))
    assert len(report.plan.deleted) == 8
    assert slots(store, "E1") == FIRST_TEN[:2]
    b = balance(store, "E1")
    assert (b["used"], b["remaining"], b["pending"], b["state"]) == (2, 8, 0, "closed")
    assert_idempotent(store, at("2026-12-04T10:00"))
    # Nothing comes back while the client stays closed, even much later.
    assert sync(store, at("2027-03-01T10:00")).plan.empty


def test_ending_an_enrollment_stops_it(studio):
    store = studio(PHYSIO.replace("| price_override", "| price_override | status")
                   .replace("Mon 14:00, Thu 14:00 |", "Mon 14:00, Thu 14:00 | | active"))
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Enrollments", {"enrollment_id": "E1"}, status="ended")
    sync(store, at("2026-12-04T10:00"))
    assert slots(store, "E1") == FIRST_TEN[:2]
    assert balance(store, "E1")["state"] == "stopped"


def test_reopening_a_client_plans_the_remaining_sessions_after_now(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    sync(store, at("2026-12-04T10:00"))
    edit(store, "Clients", {"client_id": "C1"}, status="active")
    sync(store, at("2026-12-15T10:00"))
    assert slots(store, "E1")[:3] == [*FIRST_TEN[:2], "2026-12-17 14:00"]
    assert len(slots(store, "E1")) == 10


def test_a_schedule_change_replans_unmoved_sessions_and_keeps_hand_moved_ones(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    moved = appointment_at(store, "E1", "2026-12-10 14:00")
    edit(store, "Appointments", {"appointment_id": moved["appointment_id"]},
         date="2026-12-11", start="15:00", end="16:00")
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Tue 10:00")
    report = sync(store, at("2026-12-04T10:00"))
    assert report.plan.added == [] and report.plan.deleted == []
    assert slots(store, "E1") == sorted([
        *FIRST_TEN[:2], "2026-12-11 15:00", "2026-12-08 10:00", "2026-12-15 10:00",
        "2026-12-22 10:00", "2026-12-29 10:00", "2027-01-05 10:00", "2027-01-12 10:00",
        "2027-01-19 10:00"])
    kept = appointment_at(store, "E1", "2026-12-11 15:00")
    assert kept["appointment_id"] == moved["appointment_id"]
    assert str(kept["date"]) == "2026-12-11"  # re-written as a real date cell
    assert_idempotent(store, at("2026-12-04T10:00"))


def test_a_new_staff_member_takes_over_the_unmoved_future_sessions(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    given = appointment_at(store, "E1", "2026-12-14 14:00")
    edit(store, "Appointments", {"appointment_id": given["appointment_id"]}, staff_id="MGR")
    edit(store, "Enrollments", {"enrollment_id": "E1"}, staff_id="ST2")
    sync(store, at("2026-12-04T10:00"))
    staff = {r["date"].isoformat() if hasattr(r["date"], "isoformat") else r["date"]:
             r["staff_id"] for r in appointments(store, "E1")}
    assert staff["2026-11-30"] == "ST1" and staff["2026-12-03"] == "ST1"  # held sessions
    assert staff["2026-12-14"] == "MGR"  # handed over by hand: kept
    assert {staff[d] for d in ("2026-12-07", "2026-12-10", "2026-12-31")} == {"ST2"}
    assert_idempotent(store, at("2026-12-04T10:00"))


def test_moving_the_start_date_replans_the_sessions_not_yet_held(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-11-20T10:00"))
    edit(store, "Enrollments", {"enrollment_id": "E1"}, start_date="2026-12-14")
    report = sync(store, at("2026-11-20T10:00"))
    assert report.plan.added == [] and report.plan.deleted == []
    assert slots(store, "E1")[0] == "2026-12-14 14:00"
    assert len(slots(store, "E1")) == 10


def test_a_new_closure_moves_the_sessions_it_covers(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    store.append("Closures", {"start_date": "2026-12-07", "end_date": "2026-12-07",
                              "reason": "Holiday"})
    sync(store, at("2026-12-04T10:00"))
    assert "2026-12-07 14:00" not in slots(store, "E1")
    assert slots(store, "E1")[-1] == "2027-01-04 14:00"
    assert_idempotent(store, at("2026-12-04T10:00"))


def test_cancelling_a_cancel_removes_the_make_up_again(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    set_status(store, "E1", "2026-12-10 14:00", "cancelled")
    sync(store, at("2026-12-04T10:00"))
    set_status(store, "E1", "2026-12-10 14:00", "pending")
    report = sync(store, at("2026-12-04T10:00"))
    assert [a.starts_at for a in report.plan.deleted] == [at("2027-01-04T14:00")]
    assert slots(store, "E1") == FIRST_TEN


def test_payments_fill_the_named_period_or_the_oldest_one_due(studio):
    store = studio(PHYSIO + """
Payments
enrollment_id | amount   | date       | period | method
E1            | 1,500.00 | 2026-11-30 |        | cash
E1            | 3000     | 2027-01-02 |        | card
E1            | 500      | 2027-01-03 | 2      | card
""")
    sync(store, at("2027-01-03T10:00"))
    first, second = balance(store, "E1", 1), balance(store, "E1", 2)
    assert (first["price"], first["paid"], first["due"]) == (4000, 4000, 0)
    assert (second["paid"], second["due"]) == (1000, 3000)


def test_overpayment_is_a_credit_on_the_latest_period(studio):
    store = studio(PHYSIO + """
Payments
enrollment_id | amount | date
E1            | 4500   | 2026-11-30
""")
    sync(store, at("2026-12-01T10:00"))
    assert balance(store, "E1")["due"] == -500


def test_used_plus_remaining_is_sessions_and_money_is_exact(studio):
    store = studio(PHYSIO.replace("Mon 14:00, Thu 14:00 |", "Mon 14:00, Thu 14:00 | 1000.10"))
    sync(store, at("2026-12-20T10:00"))
    for b in records(store, "Balances"):
        assert b["used"] + b["remaining"] == b["sessions"]
    assert Decimal(str(balance(store, "E1")["price"])) == Decimal("1000.10")


def test_planning_is_pure_and_needs_no_clock(studio):
    store = studio(PHYSIO)
    first = plan_at(store, at("2026-11-29T12:00"))
    second = plan_at(store, at("2026-11-29T12:00"))
    assert first.added == second.added
    assert store.writes == 0


def test_new_ids_continue_after_the_highest_number_of_their_period():
    from sheetsync.plan import IdMaker

    ids = IdMaker({"E1-1-01", "E1-1-07", "E1-2-03", "E1-1-x", "E10-1-09"})
    assert ids.next("E1", 1) == "E1-1-08"
    assert ids.next("E1", 1) == "E1-1-09"
    assert ids.next("E1", 2) == "E1-2-04"
    assert ids.next("E1", 3) == "E1-3-01"


def test_moving_one_session_by_hand_never_pulls_the_next_ones_forward(studio):
    store = studio(PHYSIO)
    sync(store, at("2026-12-04T10:00"))
    moved = appointment_at(store, "E1", "2026-12-14 14:00")
    edit(store, "Appointments", {"appointment_id": moved["appointment_id"]},
         start="16:00", end="17:00")
    report = sync(store, at("2026-12-04T10:00"))
    assert report.plan.empty
    assert slots(store, "E1") == sorted([*FIRST_TEN[:4], "2026-12-14 16:00", *FIRST_TEN[5:]])
    # Even a new closure re-plans around the moved session without filling its old slot.
    store.append("Closures", {"start_date": "2026-12-10", "reason": "Holiday"})
    sync(store, at("2026-12-04T10:00"))
    assert "2026-12-14 14:00" not in slots(store, "E1")
    assert slots(store, "E1")[-1] == "2027-01-04 14:00"


def test_a_payment_for_a_period_not_planned_yet_shows_on_the_latest_until_then(studio):
    store = studio(PHYSIO + """
Payments
enrollment_id | amount | date       | period
E1            | 4000   | 2026-11-30 | 1
E1            | 4000   | 2026-12-20 | 2
""")
    sync(store, at("2026-12-20T10:00"))
    assert (balance(store, "E1")["paid"], balance(store, "E1")["due"]) == (8000, -4000)
    sync(store, at("2027-01-01T10:00"))  # period 2 is planned now
    assert balance(store, "E1", 1)["due"] == 0
    assert (balance(store, "E1", 2)["paid"], balance(store, "E1", 2)["due"]) == (4000, 0)
