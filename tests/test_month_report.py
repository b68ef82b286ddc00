"""The monthly report's figures (sheetsync/month_report.py) against a November worked by hand.

The studio: Elif (ST1, 40 %) sees Ayşe on Mondays (E1, 4 sessions for 1000: 250 each) since
October and Emre on Fridays in August (E5, not renewed, never paid); Can (ST2, 30 %) sees Burak
on Wednesdays in November (E2; Burak is closed since), and teaches the Tuesday group (capacity
4, package GRP: 8 classes for 800, 100 each, at the package's 50 %) to Cem and Dilek (E3, E4).
In November Ayşe cancels the 9th ahead (made up on the 30th) and late-cancels the 16th (paid).

November, by hand:
  Elif: 4 used (2, 16 paid, 23, 30 made up) x 250 = 1000 revenue, x 100 = 400 commission
  Can:  4 x 250 = 1000 and 8 group classes x 100 = 800: 1800 revenue; 4 x 75 + 8 x 50 = 700
  held 3 + 4 + 8 = 15, paid_cancel 1, cancelled 1
Due at 2026-12-01 12:00 (days since the period's first session):
  E1 period 3 (first session Dec 7): 1000, not started; E1 period 2 (Nov 2, 29 days): 600;
  E2 (Nov 4, 27 days): 1000; E4 (Nov 3, 28 days): 800; E5 (Aug 7, 116 days): 1000;
  E3 paid 900 for 800: a credit of 100.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from sheetsync.month import Month
from sheetsync.month_report import MonthReport, month_report, months_ending
from sheetsync.read import read_snapshot
from sheetsync.report import commission_report
from sheetsync.stores.memory import MemoryStore
from tests.studio import edit, records, set_status, studio, sync

NOW = datetime(2026, 12, 1, 12, 0)
NOVEMBER = Month(2026, 11)

STUDIO = """
    Packages
    package_id | name          | sessions | price | commission_rate
    P4         | Private 4     | 4        | 1000  |
    GRP        | Group Pilates | 8        | 800   | 50%

    Staff
    staff_id | name       | email            | role    | commission_rate
    ST1      | Elif Demir | elif@x.example   | staff   | 40%
    ST2      | Can Yildiz | can@x.example    | staff   | 30%
    MGR      | Zeynep     | zeynep@x.example | manager |

    Clients
    client_id | name         | email        | status
    C1        | Ayşe Çelik   | c1@x.example | active
    C2        | Burak Koç    | c2@x.example | active
    C3        | Cem Ak       | c3@x.example | active
    C4        | Dilek Su     | c4@x.example | active
    C5        | Emre Tan     | c5@x.example | active

    Groups
    group_id | name            | staff_id | schedule  | capacity
    G1       | Tuesday Pilates | ST2      | Tue 18:00 | 4

    Enrollments
    enrollment_id | client_id | package_id | start_date | staff_id | schedule  | group_id | auto_renew
    E1            | C1        | P4         | 2026-10-05 | ST1      | Mon 10:00 |          | yes
    E2            | C2        | P4         | 2026-11-04 | ST2      | Wed 15:00 |          | yes
    E3            | C3        | GRP        | 2026-11-03 |          |           | G1       | yes
    E4            | C4        | GRP        | 2026-11-03 |          |           | G1       | yes
    E5            | C5        | P4         | 2026-08-07 | ST1      | Fri 09:00 |          | no

    Payments
    enrollment_id | amount | date       | period
    E1            | 1000   | 2026-10-05 | 1
    E1            | 400    | 2026-11-02 | 2
    E3            | 900    | 2026-11-03 | 1
"""


def worked_studio() -> MemoryStore:
    """The studio as its syncs and its desk left it on the morning of December 1st."""
    store = studio(STUDIO)
    sync(store, datetime(2026, 10, 1, 8, 0))
    sync(store, datetime(2026, 11, 1, 8, 0))
    set_status(store, "E1", "2026-11-09 10:00", "cancelled")  # called in ahead: a make-up
    sync(store, datetime(2026, 11, 5, 8, 0))
    set_status(store, "E1", "2026-11-16 10:00", "paid_cancel")
    edit(store, "Clients", {"client_id": "C2"}, status="closed")
    return store


@pytest.fixture(scope="module")
def report() -> MonthReport:
    return month_report(read_snapshot(worked_studio().read()), NOVEMBER, NOW)


def test_november_money_and_sessions_as_worked_by_hand(report: MonthReport):
    month = report.this_month
    assert month.month == NOVEMBER
    assert (month.revenue, month.commission) == (Decimal("2800.00"), Decimal("1100.00"))
    assert (month.completed, month.paid_cancel, month.cancelled) == (15, 1, 1)
    assert [(s.staff_id, s.sessions, s.revenue, s.commission) for s in report.staff] == [
        ("ST2", 12, Decimal("1800.00"), Decimal("700.00")),
        ("ST1", 4, Decimal("1000.00"), Decimal("400.00"))]


def test_twelve_months_each_equal_to_its_commission_report(report: MonthReport):
    snapshot = read_snapshot(worked_studio().read())
    shown = [m.month for m in report.months]
    assert shown == months_ending(NOVEMBER, 12)
    assert (str(shown[0]), str(shown[-1])) == ("2025-12", "2026-11")
    by_month = {str(m.month): (m.revenue, m.commission) for m in report.months}
    assert by_month["2026-08"] == (Decimal("1000.00"), Decimal("400.00"))  # Emre's Fridays
    assert by_month["2026-09"] == (Decimal("0.00"), Decimal("0.00"))
    assert by_month["2026-10"] == (Decimal("1000.00"), Decimal("400.00"))  # Ayşe's period 1
    for figures in report.months[-4:]:  # August to November; before them nothing was held
        counted = commission_report(snapshot, figures.month, NOW)
        assert (figures.revenue, figures.commission) == (counted.total_revenue,
                                                         counted.total_commission)
    assert all(m.revenue == m.commission == 0 and m.used == 0 for m in report.months[:-4])


def test_how_full_counts_places_booked_by_weekday_and_hour(report: MonthReport):
    assert report.occupancy == {(0, 10): 4,  # Mondays 10:00: 2, 16 (paid), 23, 30; not the 9th
                                (1, 18): 8,  # Tuesdays 18:00: four classes of two
                                (2, 15): 4}  # Wednesdays 15:00
    assert report.hours == tuple(range(10, 19))
    [group] = report.groups
    assert (group.name, group.classes, group.booked, group.capacity) == (
        "Tuesday Pilates", 4, 8, 16)
    assert group.fill == 0.5


def test_renewals_new_packages_and_closed_clients(report: MonthReport):
    assert [(p.enrollment_id, p.period, p.first_session) for p in report.renewals] == [
        ("E1", 2, datetime(2026, 11, 2, 10, 0))]
    assert [(p.enrollment_id, p.period) for p in report.new_packages] == [
        ("E3", 1), ("E4", 1), ("E2", 1)]
    assert [(c.client_id, c.last_session) for c in report.closed_clients] == [
        ("C2", datetime(2026, 11, 25, 15, 0))]


def test_money_due_by_age_adds_up_to_balances(report: MonthReport):
    assert [(b.lower, b.upper, b.amount, b.periods) for b in report.due_by_age] == [
        (None, None, Decimal("1000.00"), 1),  # E1 period 3 starts on December 7th
        (0, 30, Decimal("2400.00"), 3),  # E1 period 2, E2, E4
        (31, 60, Decimal("0.00"), 0),
        (61, 90, Decimal("0.00"), 0),
        (91, None, Decimal("1000.00"), 1)]  # E5, since August 7th
    assert report.credit == Decimal("100.00")
    synced = worked_studio()
    sync(synced, NOW)
    dues = [Decimal(str(r["due"])) for r in records(synced, "Balances")]
    assert report.total_due == sum(d for d in dues if d > 0) == Decimal("4400.00")
    assert -sum(d for d in dues if d < 0) == report.credit


def test_a_month_without_sessions_is_all_zeros_not_an_error():
    empty = month_report(read_snapshot(studio("").read()), NOVEMBER, NOW)
    assert empty.this_month.revenue == Decimal("0.00") and not empty.staff
    assert empty.occupancy == {} and empty.hours == tuple(range(8, 21))
    assert empty.total_due == Decimal("0.00")
