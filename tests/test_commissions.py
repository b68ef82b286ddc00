"""SPEC section 3: each used session's commission, frozen at the sync that first sees it used.

Hand-computed: the physiotherapy package is 4000 for 10 sessions (400 a session); Elif (ST1)
earns 40%, Can (ST2) 35%.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.studio import appointment_at, edit, records, set_status, studio, sync
from tests.studios import PHYSIO

RATED = PHYSIO.replace("ST2      | Can    | staff   |", "ST2      | Can    | staff   | 35%")
NOW = datetime(2026, 12, 8, 10, 0)  # three sessions held: 30 Nov, 3 Dec, 7 Dec


def commission(store, when: str) -> tuple[object, str]:
    row = appointment_at(store, "E1", when)
    return row["commission"], row["commission_basis"]


def test_a_completed_session_earns_price_times_the_staff_rate():
    store = studio(RATED)
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (160, "ST1, 400.00, 40%")
    assert commission(store, "2026-12-10 14:00") == (None, None)  # pending earns nothing


def test_the_client_price_override_sets_the_session_price():
    store = studio(RATED.replace("Mon 14:00, Thu 14:00 |", "Mon 14:00, Thu 14:00 | 3600"))
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (144, "ST1, 360.00, 40%")
    assert records(store, "Packages")[0]["price"] == 4000


def test_a_package_rate_beats_the_staff_rate():
    store = studio(RATED.replace("PHY10      | 10-Session Physiotherapy Package  | 10       | 4000  | 60",
                                 "PHY10 | 10-Session Physiotherapy Package | 10 | 4000 | 60 | 25%")
                   .replace("| price | duration_min", "| price | duration_min | commission_rate"))
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (100, "ST1, 400.00, 25%")


def test_a_substitute_earns_the_session_they_took():
    store = studio(RATED)
    sync(store, datetime(2026, 11, 29, 10, 0))
    row = appointment_at(store, "E1", "2026-12-03 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, staff_id="ST2")
    sync(store, NOW)
    assert commission(store, "2026-12-03 14:00") == (140, "ST2, 400.00, 35%")
    assert commission(store, "2026-11-30 14:00") == (160, "ST1, 400.00, 40%")


def test_a_paid_cancel_earns_and_a_cancel_does_not():
    store = studio(RATED)
    sync(store, NOW)
    set_status(store, "E1", "2026-12-10 14:00", "paid_cancel")
    set_status(store, "E1", "2026-12-14 14:00", "cancelled")
    sync(store, NOW)
    assert commission(store, "2026-12-10 14:00") == (160, "ST1, 400.00, 40%")
    assert commission(store, "2026-12-14 14:00") == (None, None)


def test_a_rate_change_never_rewrites_pay_already_earned():
    store = studio(RATED)
    sync(store, NOW)
    edit(store, "Staff", {"staff_id": "ST1"}, commission_rate="50%")
    sync(store, datetime(2026, 12, 11, 10, 0))
    assert commission(store, "2026-11-30 14:00") == (160, "ST1, 400.00, 40%")
    assert commission(store, "2026-12-10 14:00") == (200, "ST1, 400.00, 50%")  # new: new rate


def test_clearing_the_cell_recomputes_it_at_todays_rate():
    store = studio(RATED)
    sync(store, NOW)
    edit(store, "Staff", {"staff_id": "ST1"}, commission_rate="50%")
    row = appointment_at(store, "E1", "2026-11-30 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, commission=None)
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (200, "ST1, 400.00, 50%")


def test_changing_the_rows_own_price_recomputes_it():
    store = studio(RATED)
    sync(store, NOW)
    row = appointment_at(store, "E1", "2026-12-03 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, price=250)
    sync(store, NOW)
    assert commission(store, "2026-12-03 14:00") == (100, "ST1, 250.00 own price, 40%")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, price=None)
    sync(store, NOW)
    assert commission(store, "2026-12-03 14:00") == (160, "ST1, 400.00, 40%")


def test_thirds_are_rounded_half_up_once_per_session():
    three_for_1000 = RATED.replace(
        "PIL4       | 4-Class Group Pilates             | 4        | 1000",
        "PIL4       | 4-Class Group Pilates             | 3        | 1000")
    store = studio(three_for_1000.rstrip() + "\nE9 | C2 | PIL4 | 2026-11-30 | ST1 | Mon 09:00 |")
    sync(store, datetime(2026, 12, 15, 10, 0))
    rows = [r for r in records(store, "Appointments") if r["enrollment_id"] == "E9"
            and r["status"] == "completed"]
    assert [(r["commission"], r["commission_basis"]) for r in rows] == [
        (133.33, "ST1, 333.33, 40%")] * 3


def test_a_session_that_goes_back_to_cancelled_loses_its_commission():
    store = studio(RATED)
    sync(store, NOW)
    set_status(store, "E1", "2026-12-03 14:00", "cancelled")
    sync(store, NOW)
    assert commission(store, "2026-12-03 14:00") == (None, None)


def test_a_commission_the_studio_typed_itself_is_kept():
    store = studio(RATED)
    sync(store, NOW)
    row = appointment_at(store, "E1", "2026-12-03 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, commission=175,
         commission_basis=None)
    sync(store, NOW)
    assert commission(store, "2026-12-03 14:00") == (175, None)


def test_junk_in_the_commission_cell_is_a_problem_and_left_alone():
    store = studio(RATED)
    sync(store, NOW)
    row = appointment_at(store, "E1", "2026-12-03 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, commission="ask Elif")
    report = sync(store, NOW)
    assert [(p.tab, p.column) for p in report.problems] == [("Appointments", "commission")]
    assert commission(store, "2026-12-03 14:00")[0] == "ask Elif"
    assert report.plan.held == set()  # the sessions still sync


def test_no_rate_earns_nothing_but_is_still_frozen():
    store = studio(PHYSIO)  # Can (ST2) has no rate
    sync(store, datetime(2026, 11, 29, 10, 0))
    edit(store, "Enrollments", {"enrollment_id": "E1"}, staff_id="ST2")
    sync(store, datetime(2026, 11, 29, 10, 0))  # Can takes over the sessions to come
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (0, "ST2, 400.00, 0%")
    assert Decimal("0") == Decimal(str(commission(store, "2026-11-30 14:00")[0]))


def test_a_basis_edited_by_hand_never_breaks_a_sync():
    store = studio(RATED)
    sync(store, NOW)
    row = appointment_at(store, "E1", "2026-12-03 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, price=250,
         commission_basis="ST1, 1.2.3 own price, 40%")
    report = sync(store, NOW)
    assert report.plan.held == set()
    assert commission(store, "2026-12-03 14:00") == (160, "ST1, 1.2.3 own price, 40%")


def test_a_staff_member_who_left_keeps_their_past_sessions_and_pay():
    store = studio(RATED.replace("MGR      | Zeynep | manager |", "MGR | Zeynep | manager | 10%"))
    sync(store, datetime(2026, 11, 29, 10, 0))
    row = appointment_at(store, "E1", "2026-11-30 14:00")
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, staff_id="MGR")
    sync(store, NOW)
    assert commission(store, "2026-11-30 14:00") == (40, "MGR, 400.00, 10%")
    store.tables["Staff"].rows = [r for r in store.tables["Staff"].rows if r[0] != "MGR"]
    report = sync(store, NOW)
    # named as a problem (an unknown id may be a typo), yet the session and its pay stay
    assert [p.problem for p in report.problems] == [
        "There is no staff MGR in Staff; keep a staff member who left in Staff, so their past "
        "sessions stay theirs."]
    assert report.plan.held == set()
    assert commission(store, "2026-11-30 14:00") == (40, "MGR, 400.00, 10%")
