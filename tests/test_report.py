"""The monthly commission report (SPEC section 3), on hand-computed months.

December 2026 in a small studio (2026-11-30 is a Monday):

- E1, Ayse: 10-Session Physiotherapy, listed at 4000 but 3600 for her (price_override), so
  360 a session; Elif (ST1, 40%) on Mon and Thu 14:00 from 30 Nov: 30 Nov, then 3, 7, 10,
  14, 17, 21, 24, 28, 31 Dec. In December Can (ST2, 0.35) stands in on 10 Dec; 14 Dec is
  cancelled (its make-up goes to 4 Jan); 17 Dec has its own price of 250; 21 Dec is a paid
  cancel.
- E2, Mehmet: 3-Session Personal Training, 1000 for 3 (333.33 a session), Elif, Wed 10:00:
  2, 9 and 16 Dec; no renewal.
- E3, Selin: 4-Class Group Pilates in Can's group, 1000 for 4 (250), the package's own rate
  25 (25%): 1, 4, 8 and 11 Dec; no renewal.

By hand, per session then summed:

    Elif  E1  3, 7, 21, 24, 28, 31 Dec  6 x 360.00 x 40% = 6 x 144.00    2160.00    864.00
          E1  17 Dec (own price)        250.00 x 40%     =     100.00     250.00    100.00
          E2  2, 9, 16 Dec              3 x 333.33 x 40% = 3 x 133.33     999.99    399.99
                                                                10 sessions 3409.99  1363.99
    Can   E1  10 Dec (stand-in)         360.00 x 35%     =     126.00     360.00    126.00
          E3  1, 4, 8, 11 Dec           4 x 250.00 x 25% = 4 x  62.50    1000.00    250.00
                                                                 5 sessions 1360.00   376.00
    Total                                                       15 sessions 4769.99  1739.99

November holds one session: Elif, 30 Nov, 360.00, 144.00.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from sheetsync.month import Month, month_of
from sheetsync.read import read_snapshot
from sheetsync.report import CommissionReport, commission_report
from sheetsync.stores.memory import MemoryStore
from tests.december import (
    DECEMBER,
    FIRST_OF_JANUARY,
    MID_DECEMBER,
    NEW_YEAR,
    PLANNED,
    STUDIO,
    december_studio,
    edit_session,
)
from tests.studio import edit, studio, sync

ELIF = ("ST1", "Elif", 10, Decimal("3409.99"), Decimal("1363.99"))
CAN = ("ST2", "Can", 5, Decimal("1360.00"), Decimal("376.00"))


def report(store: MemoryStore, month: Month = DECEMBER,
           now: datetime = FIRST_OF_JANUARY) -> CommissionReport:
    return commission_report(read_snapshot(store.read()), month, now)


def staff_rows(result: CommissionReport) -> list[tuple[object, ...]]:
    return [tuple(r) for r in result.by_staff.itertuples(index=False, name=None)]


def package_rows(result: CommissionReport) -> list[tuple[object, ...]]:
    return [(r["staff_id"], r["package_id"], r["sessions"], r["revenue"], r["commission"])
            for r in result.by_package.to_dict("records")]


def assert_all_decimal(result: CommissionReport) -> None:
    for frame in (result.sessions, result.by_staff, result.by_package):
        for column in ("revenue", "commission"):
            assert all(type(v) is Decimal and v == v.quantize(Decimal("0.01"))
                       for v in frame[column]), column


# -- the hand-computed month -----------------------------------------------------------------
def test_december_by_hand():
    result = report(december_studio())
    assert staff_rows(result) == [CAN, ELIF]
    assert package_rows(result) == [
        ("ST2", "PHY10", 1, Decimal("360.00"), Decimal("126.00")),
        ("ST2", "PIL4", 4, Decimal("1000.00"), Decimal("250.00")),
        ("ST1", "PHY10", 7, Decimal("2410.00"), Decimal("964.00")),
        ("ST1", "PT3", 3, Decimal("999.99"), Decimal("399.99")),
    ]
    assert (result.total_sessions, result.total_revenue, result.total_commission) == (
        15, Decimal("4769.99"), Decimal("1739.99"))
    assert result.notes == ()
    assert result.problems == ()
    assert_all_decimal(result)


def test_the_commissions_tab_gets_one_row_per_staff_member():
    assert report(december_studio()).tab_rows() == [
        {"month": "2026-12", "staff_id": "ST2", "staff_name": "Can", "sessions": 5,
         "revenue": Decimal("1360.00"), "commission": Decimal("376.00")},
        {"month": "2026-12", "staff_id": "ST1", "staff_name": "Elif", "sessions": 10,
         "revenue": Decimal("3409.99"), "commission": Decimal("1363.99")},
    ]


def test_each_session_is_listed_with_what_it_earned():
    sessions = report(december_studio()).sessions
    by_day = {(r["enrollment_id"], r["date"]): (r["staff_id"], r["status"], r["revenue"],
                                                r["commission"])
              for r in sessions.to_dict("records")}
    assert by_day[("E1", date(2026, 12, 3))] == ("ST1", "completed", Decimal("360.00"),
                                                 Decimal("144.00"))  # override price
    assert by_day[("E1", date(2026, 12, 10))] == ("ST2", "completed", Decimal("360.00"),
                                                  Decimal("126.00"))  # stand-in
    assert by_day[("E1", date(2026, 12, 17))] == ("ST1", "completed", Decimal("250.00"),
                                                  Decimal("100.00"))  # own price
    assert by_day[("E1", date(2026, 12, 21))] == ("ST1", "paid_cancel", Decimal("360.00"),
                                                  Decimal("144.00"))
    assert ("E1", date(2026, 12, 14)) not in by_day  # cancelled
    assert ("E1", date(2027, 1, 4)) not in by_day  # its make-up, next month
    assert by_day[("E3", date(2026, 12, 1))] == ("ST2", "completed", Decimal("250.00"),
                                                 Decimal("62.50"))  # the package's rate
    assert len(sessions) == 15


def test_thirds_are_rounded_once_per_session_and_the_totals_add_the_rounded_rows():
    sessions = report(december_studio()).sessions
    thirds = sessions[sessions["enrollment_id"] == "E2"]
    assert list(thirds["revenue"]) == [Decimal("333.33")] * 3
    assert list(thirds["commission"]) == [Decimal("133.33")] * 3
    # 999.99 and 399.99, not 1000.00 and 400.00: every total is a sum of rounded rows.
    assert ("ST1", "PT3", 3, Decimal("999.99"), Decimal("399.99")) in package_rows(
        report(december_studio()))


def test_november_holds_only_its_own_session():
    result = report(december_studio(), Month(2026, 11))
    assert staff_rows(result) == [("ST1", "Elif", 1, Decimal("360.00"), Decimal("144.00"))]


def test_a_month_without_sessions_is_an_empty_valid_report():
    result = report(december_studio(), Month(2026, 10))
    assert result.empty
    assert list(result.by_staff.columns) == ["staff_id", "staff_name", "sessions", "revenue",
                                             "commission"]
    assert result.by_package.empty and result.tab_rows() == []
    assert (result.total_sessions, result.total_revenue, result.total_commission) == (
        0, Decimal("0.00"), Decimal("0.00"))
    assert result.notes == ()


# -- when the report runs --------------------------------------------------------------------
def test_pending_sessions_of_a_month_not_over_are_not_counted():
    """Run on 15 Dec at noon: 17, 21 (marked paid cancel in advance), 24, 28 and 31 Dec of E1
    and 16 Dec of E2 are still to come; 21 Dec counts already, being a paid cancel."""
    store = december_studio(last_sync=MID_DECEMBER)
    result = report(store, now=MID_DECEMBER)
    assert staff_rows(result) == [
        ("ST2", "Can", 5, Decimal("1360.00"), Decimal("376.00")),
        # 3, 7 and 21 Dec at 360 (144 each) + 2 and 9 Dec at 333.33 (133.33 each)
        ("ST1", "Elif", 5, Decimal("1746.66"), Decimal("698.66")),
    ]
    assert result.notes == ("2026-12 is not over at 2026-12-15 12:00: 5 session(s) still to "
                            "come are not counted yet.",)


def test_a_month_still_ahead_counts_nothing_yet():
    store = studio(STUDIO)
    sync(store, PLANNED)
    result = report(store, now=PLANNED)
    assert result.empty
    # E1 on 3, 7, 10, 14, 17, 21, 24, 28 and 31 Dec, E2 on 2, 9 and 16, E3 on 1, 4, 8 and 11
    assert result.notes == ("2026-12 has not begun: its 16 planned session(s) are not counted "
                            "yet.",)


def test_the_report_never_depends_on_whether_sync_ran_first():
    """Run at 00:05 on the 1st when the last sync was on 15 Dec: every session that ended is
    counted as the next sync will complete it, at the commission it will freeze."""
    unsynced = december_studio(last_sync=MID_DECEMBER)
    before = report(unsynced)
    assert staff_rows(before) == [CAN, ELIF]
    # 17, 24, 28 and 31 Dec of E1, 16 Dec of E2. 21 Dec was a paid cancel at the 15 Dec
    # sync, which froze its commission then.
    assert before.notes == (
        "5 session(s) ended but no sync has marked them completed yet; they are counted, as "
        "the next sync will complete them.",
        "5 commission(s) are not frozen in the Appointments tab yet; they are computed at "
        "today's rates, as the next sync will freeze them. Run 'sheetsync sync' to freeze "
        "them now.",
    )
    sync(unsynced, NEW_YEAR)
    after = report(unsynced)
    assert after.sessions.equals(before.sessions)
    assert after.by_package.equals(before.by_package)
    assert after.notes == ()


def test_a_month_that_was_never_synced_counts_what_sync_would_create():
    store = studio(STUDIO)  # typed in, never synced
    result = report(store, Month(2026, 11))
    assert staff_rows(result) == [("ST1", "Elif", 1, Decimal("360.00"), Decimal("144.00"))]
    assert len(result.notes) == 2


# -- frozen pay ------------------------------------------------------------------------------
def raise_rates(store: MemoryStore) -> None:
    edit(store, "Staff", {"staff_id": "ST1"}, commission_rate="50%")
    edit(store, "Packages", {"package_id": "PIL4"}, commission_rate="30%")


def test_a_rate_change_after_the_month_changes_nothing_in_it():
    store = december_studio()
    raise_rates(store)
    sync(store, datetime(2027, 1, 5, 9, 0))
    result = report(store, now=datetime(2027, 1, 5, 9, 5))
    assert staff_rows(result) == [CAN, ELIF]
    assert result.notes == ()
    assert staff_rows(report(store, Month(2026, 11))) == [
        ("ST1", "Elif", 1, Decimal("360.00"), Decimal("144.00"))]


def test_a_cleared_commission_cell_is_recomputed_at_todays_rate():
    """3 Dec at Elif's new 50%: 180.00 instead of 144.00, so Elif earns 36.00 more."""
    store = december_studio()
    raise_rates(store)
    edit_session(store, "2026-12-03 14:00", commission=None)
    result = report(store, now=datetime(2027, 1, 5, 9, 5))
    assert staff_rows(result) == [CAN, ("ST1", "Elif", 10, Decimal("3409.99"),
                                        Decimal("1399.99"))]
    assert result.notes[0].startswith("1 commission(s) are not frozen")
    sync(store, datetime(2027, 1, 5, 9, 0))  # the sync freezes the same amount
    assert staff_rows(report(store, now=datetime(2027, 1, 5, 9, 5))) == staff_rows(result)


def test_the_revenue_of_a_frozen_session_is_the_price_it_was_earned_at():
    """Ayse's price goes up to 3800 in January: December's sessions keep their 360.00."""
    store = december_studio()
    edit(store, "Enrollments", {"enrollment_id": "E1"}, price_override=3800)
    sync(store, datetime(2027, 1, 5, 9, 0))
    assert staff_rows(report(store)) == [CAN, ELIF]


def test_a_commission_the_studio_typed_itself_is_counted_as_typed():
    store = december_studio()
    edit_session(store, "2026-12-24 14:00", commission=175.555, commission_basis=None)
    result = report(store)
    # 175.555 is rounded half-up once, to 175.56, in place of 144.00; revenue stays 360.00.
    assert staff_rows(result)[1] == ("ST1", "Elif", 10, Decimal("3409.99"), Decimal("1395.55"))


# -- rows sheetsync cannot read --------------------------------------------------------------
def test_an_unreadable_commission_cell_is_named_and_adds_nothing():
    store = december_studio()
    edit_session(store, "2026-12-24 14:00", commission="ask Elif")
    result = report(store)
    assert staff_rows(result)[1] == ("ST1", "Elif", 10, Decimal("3409.99"), Decimal("1219.99"))
    assert any("E1-1-08 cannot be read" in note for note in result.notes)
    assert [p.column for p in result.problems] == ["commission"]


def test_a_held_enrollment_counts_as_the_workbook_shows_it():
    """A payment typo holds E2: its sessions stay as they are, and count."""
    store = december_studio(last_sync=None)
    store.append("Payments", {"enrollment_id": "E2", "amount": "abc", "date": "2026-12-02"})
    sync(store, NEW_YEAR)  # completes E1 and E3; E2 is held, its three sessions stay pending
    result = report(store)
    assert [r[:3] for r in staff_rows(result)] == [("ST2", "Can", 5), ("ST1", "Elif", 7)]
    assert any("E2 have a problem" in note for note in result.notes)
    assert result.problems


# -- months ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["2026-13", "2026-00", "last month", "12-2026", "2026/12",
                                  "", "2026-12-01"])
def test_a_month_is_written_like_2026_12(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_months():
    assert Month.parse("2026-12") == DECEMBER and str(Month.parse(" 2027-1 ")) == "2027-01"
    assert Month.before(date(2027, 1, 1)) == DECEMBER
    assert Month.before(date(2026, 12, 31)) == Month(2026, 11)
    assert DECEMBER.label == "December 2026"
    assert (DECEMBER.first, DECEMBER.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert date(2026, 12, 31) in DECEMBER and date(2027, 1, 1) not in DECEMBER
    assert month_of("2026-12") == month_of(datetime(2026, 12, 1)) == DECEMBER
    assert month_of("total") is None and month_of(None) is None
