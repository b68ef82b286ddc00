"""SPEC section 4: every unreadable cell is a problem, the rest of the studio still syncs,
and an enrollment with a problem keeps its rows exactly as they were.

Each scenario runs on memory, on an .xlsx file and on a Google Sheet (the `studio` fixture of
tests/backends.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from sheetsync.read import read_snapshot
from tests.backends import StudioBuilder
from tests.studio import appointments, balance, edit, records, set_status, sync
from tests.studios import BASE, PHYSIO

NOW = datetime(2026, 12, 4, 10, 0)

TWO = PHYSIO.rstrip() + """
E2            | C2        | PIL4       | 2026-11-30 | ST2      | Wed 18:00            |
"""


def problems_of(studio: StudioBuilder, source: str) -> list[tuple[str, int | None, str, str]]:
    snap = read_snapshot(studio(source).read())
    return [(p.tab, p.row, p.column, p.problem) for p in snap.problems]


def only_problem(studio: StudioBuilder, source: str) -> tuple[str, int | None, str, str]:
    found = problems_of(studio, source)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("edit_from", "edit_to", "tab", "column", "message"), [
    ("| C1        | PHY10", "| C9        | PHY10", "Enrollments", "client_id", "no client C9"),
    ("| C1        | PHY10", "| C1        | PHY99", "Enrollments", "package_id", "no package PHY99"),
    ("| ST1      | Mon 14:00", "| ST7      | Mon 14:00", "Enrollments", "staff_id",
     "no staff ST7"),
    ("Mon 14:00, Thu 14:00", "Tuesdy 9am", "Enrollments", "schedule", "'Tuesdy' is not a day"),
    ("| 2026-11-30 | ST1", "| 31/11/2026 | ST1", "Enrollments", "start_date", "not a date"),
    ("| 10       | 4000", "| -10      | 4000", "Packages", "sessions", "too small"),
    ("| 10       | 4000", "| ten      | 4000", "Packages", "sessions", "not a whole number"),
    ("| 10       | 4000", "| 10       | abc ", "Packages", "price", "not an amount of money"),
    ("| 10       | 4000", "| 10       | -5  ", "Packages", "price", "negative"),
    ("| Tue,Fri 09:00", "| Tue,Fri 9", "Groups", "schedule", "'9' is not a time"),
    ("C1        | Ayse   | ayse@x.example | active", "C1 | Ayse | ayse@x.example | gone",
     "Clients", "status", "should be active or closed"),
])
def test_each_unreadable_cell_is_one_problem(studio, edit_from, edit_to, tab, column, message):
    source = PHYSIO.replace(edit_from, edit_to, 1)
    assert source != PHYSIO
    found = problems_of(studio, source)
    assert any(t == tab and c == column and message in m for t, _, c, m in found), found


def test_a_problem_names_the_sheet_row_and_value(studio):
    store = studio(PHYSIO.replace("Mon 14:00, Thu 14:00", "Tuesdy 9am"))
    snap = read_snapshot(store.read())
    (problem,) = snap.problems
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Enrollments", 2, "schedule", "Tuesdy 9am")


def test_duplicate_ids_are_problems_on_every_row_that_uses_them(studio):
    source = BASE.replace("PIL4       | 4-Class", "PHY10      | 4-Class")
    found = [p for p in problems_of(studio, source) if p[2] == "package_id"]
    assert [p[1] for p in found] == [2, 3]
    assert all("used by 2 rows" in p[3] for p in found)


def test_an_end_date_before_its_start_is_a_problem(studio):
    tab, row, column, message = only_problem(studio, BASE + """
Closures
start_date | end_date   | reason
2026-12-10 | 2026-12-01 | Typo
""")
    assert (tab, row, column) == ("Closures", 2, "end_date")
    assert "before it starts" in message


def test_an_unknown_status_is_a_problem_and_the_row_is_left_as_it_is(studio):
    store = studio(TWO)
    sync(store, NOW)
    set_status(store, "E1", "2026-12-07 14:00", "no-show?")
    before = appointments(store, "E1")
    report = sync(store, datetime(2026, 12, 20, 10, 0))
    assert report.exit_code == 1
    assert [(p.tab, p.column, p.value) for p in report.problems] == [
        ("Appointments", "status", "no-show?")]
    assert appointments(store, "E1") == before  # not even completed
    assert "E1" in report.plan.held
    # Everything else still syncs.
    assert {r["status"] for r in appointments(store, "E2") if r["date"].day < 20} == {
        "completed"}


def test_a_held_enrollment_keeps_its_appointments_and_balances_exactly(studio):
    store = studio(TWO)
    sync(store, NOW)
    held_balance = balance(store, "E1")
    before = appointments(store, "E1")
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Mon 14:00, Thursdy 14:00")
    report = sync(store, datetime(2027, 2, 1, 10, 0))
    assert appointments(store, "E1") == before
    assert balance(store, "E1") == held_balance
    assert report.exit_code == 1
    assert len(records(store, "Problems")) == 1
    assert records(store, "Problems")[0]["problem"].startswith("'Mon 14:00, Thursdy 14:00'")
    # Fixing the cell lets the next sync catch up, and the problem disappears.
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Mon 14:00, Thu 14:00")
    report = sync(store, datetime(2027, 2, 1, 10, 0))
    assert report.exit_code == 0
    assert records(store, "Problems") == []
    assert balance(store, "E1", 2)["state"] == "active"


def test_a_bad_package_holds_every_enrollment_on_it(studio):
    store = studio(TWO)
    sync(store, NOW)
    edit(store, "Packages", {"package_id": "PHY10"}, sessions="ten")
    report = sync(store, NOW)
    assert report.plan.held == {"E1"}
    problems = {(p.tab, p.column) for p in report.problems}
    assert problems == {("Packages", "sessions"), ("Enrollments", "package_id")}


def test_appointments_of_an_unknown_enrollment_are_left_alone(studio):
    store = studio(TWO)
    sync(store, NOW)
    edit(store, "Enrollments", {"enrollment_id": "E2"}, enrollment_id="E2-renamed")
    before = appointments(store, "E2")
    report = sync(store, NOW)
    assert appointments(store, "E2") == before
    assert sum(p.column == "enrollment_id" for p in report.problems) == len(before)


def test_duplicate_appointment_ids_hold_the_enrollment(studio):
    store = studio(TWO)
    sync(store, NOW)
    rows = appointments(store, "E1")
    edit(store, "Appointments", {"appointment_id": rows[1]["appointment_id"]},
         appointment_id=rows[0]["appointment_id"])
    report = sync(store, NOW)
    assert "E1" in report.plan.held
    assert sum("used by 2 rows" in p.problem for p in report.problems) == 2


def test_a_row_without_an_appointment_id_is_reported_not_adopted(studio):
    store = studio(TWO)
    sync(store, NOW)
    store.append("Appointments", {"enrollment_id": "E1", "period": 1, "date": "2026-12-08",
                                  "start": "10:00", "end": "11:00", "status": "pending"})
    report = sync(store, NOW)
    assert any(p.column == "appointment_id" for p in report.problems)
    assert len(appointments(store, "E1")) == 11


@pytest.mark.parametrize("missing", ["Packages", "Appointments", "Runs"])
def test_a_missing_tab_is_reported_and_nothing_is_written(studio, missing):
    store = studio(TWO, missing=(missing,))
    before = {t: records(store, t) for t in store.tables}
    report = sync(store, NOW)
    assert report.exit_code == 1 and report.structural
    assert any(p.tab == missing and "tab is missing" in p.problem for p in report.problems)
    assert store.writes == 0
    assert {t: records(store, t) for t in store.tables} == before


def test_a_missing_required_column_is_reported_and_nothing_is_written(studio):
    store = studio(TWO.replace("| price |", "| cost  |"))
    report = sync(store, NOW)
    assert report.structural and store.writes == 0
    assert [(p.tab, p.column) for p in report.problems] == [("Packages", "price")]


def test_headers_match_ignoring_case_spaces_and_underscores_in_any_order(studio):
    source = TWO.replace(
        "enrollment_id | client_id | package_id | start_date | staff_id | schedule ",
        "Enrollment ID | Client-Id | PACKAGE_ID | Start Date | Staff id | Schedule ")
    store = studio(source)
    report = sync(store, NOW)
    assert report.problems == []
    assert len(appointments(store, "E1")) == 10


def test_columns_in_another_order_and_columns_of_the_studio_are_kept(studio):
    store = studio(BASE + """
Enrollments
my notes     | schedule             | staff_id | start_date | package_id | client_id | enrollment_id
VIP, parking | Mon 14:00, Thu 14:00 | ST1      | 2026-11-30 | PHY10      | C1        | E1
""")
    sync(store, NOW)
    assert records(store, "Enrollments")[0]["my notes"] == "VIP, parking"
    assert len(appointments(store, "E1")) == 10


def test_capacity_overflow_is_reported_but_members_still_sync(studio):
    store = studio(BASE.replace("| 8", "| 1") + """
Enrollments
enrollment_id | client_id | package_id | start_date | group_id
A             | C2        | PIL4       | 2026-12-01 | G1
B             | C3        | PIL4       | 2026-12-01 | G1
""")
    report = sync(store, NOW)
    assert [(p.tab, p.column) for p in report.problems] == [("Groups", "capacity")]
    assert len(appointments(store, "B")) == 4


def test_a_bad_email_is_a_problem_but_does_not_hold_scheduling(studio):
    store = studio(PHYSIO.replace("ayse@x.example", "ayse-at-example"))
    report = sync(store, NOW)
    assert [(p.tab, p.column) for p in report.problems] == [("Clients", "email")]
    assert report.plan.held == set()
    assert len(appointments(store, "E1")) == 10
