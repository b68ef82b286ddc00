"""validate.py: each check of CHECKS on a few parsed records, no workbook (issue 13).

The studio: Physio package P10, clients C1 (Ayse) and C2 (Mehmet), staff ST1 (Elif),
the Morning group G1 (Tue 09:00 with ST1, capacity 1), Ayse's own enrollment E1 (Mon
14:00 with ST1) and Mehmet's place in G1 (E2). Every test changes one thing and names
the check it pins in its own name: `test_<check>_...`, which the last tests count on.
"""

from __future__ import annotations

import sys
from dataclasses import fields, replace
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from sheetsync.cells import error_value
from sheetsync.model import (
    Appointment,
    Client,
    Closure,
    Enrollment,
    Group,
    Package,
    Payment,
    Problem,
    Staff,
)
from sheetsync.schedule import parse_schedule
from sheetsync.validate import (
    CHECKS,
    Check,
    Entry,
    Findings,
    Parsed,
    appointment_enrollment_known,
    appointment_staff_known,
    appointment_times_in_order,
    closure_dates_in_order,
    closure_opening_for_everyone,
    closure_references_known,
    enrollment_references_known,
    group_capacity,
    group_staff_known,
    hold_unusable_enrollments,
    payment_enrollment_known,
    unique_appointment_ids,
    unique_client_ids,
    unique_enrollment_ids,
    unique_group_ids,
    unique_package_ids,
    unique_staff_ids,
    validate,
)


def entry(tab: str, row: int, record: Any, *, readable: bool = True, **typed: object) -> Entry:
    """A parsed row whose cells are the record's values, or `typed` where given."""
    names = [f.name for f in fields(record)]
    cells = {name: getattr(record, name) for name in names} | typed
    return Entry(tab, row, record, readable, tuple(cells.values()),
                 {name: i for i, name in enumerate(cells)})


P10 = Package("P10", "Physio", 10, Decimal(4000), row=2)
AYSE = Client("C1", "Ayse", row=2)
MEHMET = Client("C2", "Mehmet", row=3)
ELIF = Staff("ST1", "Elif", row=2)
MORNING = Group("G1", "Morning", "ST1", parse_schedule("Tue 09:00"), capacity=1, row=2)
E1 = Enrollment("E1", "C1", "P10", date(2026, 11, 2), staff_id="ST1",
                schedule=parse_schedule("Mon 14:00"), row=2)
E2 = Enrollment("E2", "C2", "P10", date(2026, 11, 3), group_id="G1", row=3)
SESSION = Appointment("E1-1-01", "E1", 1, 1, "C1", "Ayse", "", "ST1", date(2026, 11, 2),
                      time(14, 0), time(15, 0), "pending", row=2)


def studio(**tabs: tuple[Entry, ...]) -> Parsed:
    """The studio above, with `tabs` in place of its own rows."""
    base = {
        "packages": (entry("Packages", 2, P10),),
        "clients": (entry("Clients", 2, AYSE), entry("Clients", 3, MEHMET)),
        "staff": (entry("Staff", 2, ELIF),),
        "groups": (entry("Groups", 2, MORNING),),
        "enrollments": (entry("Enrollments", 2, E1), entry("Enrollments", 3, E2)),
        "appointments": (entry("Appointments", 2, SESSION),),
    }
    return Parsed(**(base | tabs))


def texts(found: Findings) -> list[tuple[str, int | None, str, str, str]]:
    return sorted((p.tab, p.row, p.column, p.value, p.problem) for p in found.problems)


NOTHING = Findings()


def test_the_studio_passes_every_check():
    assert validate(studio()) == Findings()


# --- ids used by two rows ---------------------------------------------------------------

def test_unique_package_ids_rejects_every_row_of_a_duplicated_id():
    parsed = studio(packages=(entry("Packages", 2, P10), entry("Packages", 3, P10),
                              entry("Packages", 4, replace(P10, package_id="P4"))))
    found = unique_package_ids(parsed, NOTHING)
    message = "package_id P10 is used by 2 rows; ids must be unique."
    assert texts(found) == [("Packages", 2, "package_id", "P10", message),
                            ("Packages", 3, "package_id", "P10", message)]
    assert found.rejected == {("Packages", 2), ("Packages", 3)}
    assert found.held == frozenset()


def test_unique_client_ids_counts_only_rows_still_usable():
    """A row already unreadable is no second use of its id."""
    parsed = studio(clients=(entry("Clients", 2, AYSE), entry("Clients", 3, AYSE, readable=False)))
    assert unique_client_ids(parsed, NOTHING) == Findings()
    parsed = studio(clients=(entry("Clients", 2, AYSE), entry("Clients", 3, AYSE)))
    assert unique_client_ids(parsed, Findings(rejected=frozenset({("Clients", 3)}))) == Findings()


def test_unique_staff_ids_names_a_long_id_by_its_first_words():
    long_id = "S" * 70
    parsed = studio(staff=(entry("Staff", 2, replace(ELIF, staff_id=long_id)),
                           entry("Staff", 5, replace(ELIF, staff_id=long_id))))
    found = unique_staff_ids(parsed, NOTHING)
    assert [p.problem for p in found.problems] == [
        f"staff_id {'S' * 40}… is used by 2 rows; ids must be unique."] * 2
    assert found.rejected == {("Staff", 2), ("Staff", 5)}


def test_unique_group_ids():
    groups = studio(groups=(entry("Groups", 2, MORNING), entry("Groups", 3, MORNING)))
    assert unique_group_ids(groups, NOTHING).rejected == {("Groups", 2), ("Groups", 3)}


def test_unique_enrollment_ids():
    enrollments = studio(enrollments=(entry("Enrollments", 2, E1), entry("Enrollments", 4, E1)))
    found = unique_enrollment_ids(enrollments, NOTHING)
    assert found.rejected == {("Enrollments", 2), ("Enrollments", 4)}
    assert [p.problem for p in found.problems] == [
        "enrollment_id E1 is used by 2 rows; ids must be unique."] * 2


def test_unique_appointment_ids_holds_the_enrollments_of_the_duplicated_rows():
    other = replace(SESSION, enrollment_id="E2", row=3)
    parsed = studio(appointments=(entry("Appointments", 2, SESSION),
                                  entry("Appointments", 3, other),
                                  entry("Appointments", 4, replace(SESSION, appointment_id="x"))))
    found = unique_appointment_ids(parsed, NOTHING)
    assert found.rejected == {("Appointments", 2), ("Appointments", 3)}
    assert found.held == {"E1", "E2"}
    assert [p.problem for p in found.problems] == [
        "appointment_id E1-1-01 is used by 2 rows; ids must be unique."] * 2


# --- references to other tabs -----------------------------------------------------------

def test_group_staff_known_tells_an_unknown_id_from_a_row_with_a_problem():
    parsed = studio(staff=(entry("Staff", 2, ELIF, readable=False),),
                    groups=(entry("Groups", 2, MORNING),
                            entry("Groups", 3, replace(MORNING, group_id="G2", staff_id="ST9"))))
    found = group_staff_known(parsed, NOTHING)
    assert texts(found) == [
        ("Groups", 2, "staff_id", "ST1", "Staff row for ST1 has a problem; fix that row first."),
        ("Groups", 3, "staff_id", "ST9", "There is no staff ST9 in Staff.")]
    assert found.rejected == {("Groups", 2), ("Groups", 3)}


def test_group_staff_known_sees_a_staff_row_an_earlier_check_rejected():
    found = group_staff_known(studio(), Findings(rejected=frozenset({("Staff", 2)})))
    assert [p.problem for p in found.problems] == [
        "Staff row for ST1 has a problem; fix that row first."]


def test_group_staff_known_leaves_an_unusable_cell_to_parsing():
    unusable = entry("Groups", 2, replace(MORNING, staff_id=""), staff_id=error_value("#REF!"))
    assert group_staff_known(studio(groups=(unusable,)), NOTHING) == Findings()


def test_group_staff_known_leaves_a_blank_staff_id_to_parsing():
    """Parsing says the cell is empty; "There is no staff  in Staff." would say it twice."""
    blank = entry("Groups", 2, replace(MORNING, staff_id=""), readable=False)
    assert group_staff_known(studio(groups=(blank,)), NOTHING) == Findings()


def test_enrollment_references_known_client_package_and_staff_of_an_own_schedule():
    stray = replace(E1, client_id="C9", package_id="P9", staff_id="ST9")
    found = enrollment_references_known(studio(enrollments=(entry("Enrollments", 2, stray),)),
                                        NOTHING)
    assert texts(found) == [
        ("Enrollments", 2, "client_id", "C9", "There is no client C9 in Clients."),
        ("Enrollments", 2, "package_id", "P9", "There is no package P9 in Packages."),
        ("Enrollments", 2, "staff_id", "ST9", "There is no staff ST9 in Staff.")]
    assert found.rejected == {("Enrollments", 2)}


def test_enrollment_references_known_in_a_group_only_notes_an_unknown_staff_member():
    noted = replace(E2, staff_id="ST9")
    found = enrollment_references_known(studio(enrollments=(entry("Enrollments", 3, noted),)),
                                        NOTHING)
    assert texts(found) == [("Enrollments", 3, "staff_id", "ST9",
                             "There is no staff ST9 in Staff.")]
    assert found.rejected == frozenset()  # the group's staff member gives the sessions


def test_enrollment_references_known_group_that_cannot_be_used():
    parsed = studio(groups=(entry("Groups", 2, MORNING, readable=False),))
    found = enrollment_references_known(parsed, NOTHING)
    assert texts(found) == [("Enrollments", 3, "group_id", "G1",
                             "Groups row for G1 has a problem; fix that row first.")]
    assert found.rejected == {("Enrollments", 3)}


def test_enrollment_references_known_unusable_group_cell_is_a_group_enrollment():
    """An error in group_id: no staff member is asked for, and nothing more is reported."""
    cell = entry("Enrollments", 3, replace(E2, group_id=""), readable=False,
                 group_id=error_value("#N/A"))
    assert enrollment_references_known(studio(enrollments=(cell,)), NOTHING) == Findings()


def test_hold_unusable_enrollments_holds_unreadable_and_rejected_rows_with_an_id():
    parsed = studio(enrollments=(entry("Enrollments", 2, E1, readable=False),
                                 entry("Enrollments", 3, E2),
                                 entry("Enrollments", 4, replace(E1, enrollment_id="E4")),
                                 entry("Enrollments", 5, replace(E1, enrollment_id=""),
                                       readable=False)))
    found = hold_unusable_enrollments(parsed, Findings(rejected=frozenset({("Enrollments", 4)})))
    assert found == Findings(held=frozenset({"E1", "E4"}))


def test_group_capacity_counts_active_members_of_active_clients():
    third = replace(E2, enrollment_id="E3", client_id="C1", row=4)
    parsed = studio(enrollments=(entry("Enrollments", 2, E1), entry("Enrollments", 3, E2),
                                 entry("Enrollments", 4, third)))
    assert texts(group_capacity(parsed, NOTHING)) == [
        ("Groups", 2, "capacity", "1", "Group G1 has 2 active members, more than its capacity "
         "of 1.")]
    assert group_capacity(parsed, NOTHING).rejected == frozenset()  # a note, nothing held
    ended = studio(enrollments=(entry("Enrollments", 3, E2),
                                entry("Enrollments", 4, replace(third, active=False))))
    assert group_capacity(ended, NOTHING) == Findings()
    closed = studio(clients=(entry("Clients", 2, replace(AYSE, active=False)),
                             entry("Clients", 3, MEHMET)),
                    enrollments=parsed.enrollments)
    assert group_capacity(closed, NOTHING) == Findings()


def test_payment_enrollment_known_reports_an_unknown_one_and_holds_for_an_unreadable_one():
    parsed = studio(payments=(
        entry("Payments", 2, Payment("E9", Decimal(100), date(2026, 11, 2))),
        entry("Payments", 3, Payment("E1", Decimal(0), date(2026, 11, 2)),
              readable=False),
        entry("Payments", 4, Payment("E2", Decimal(100), date(2026, 11, 2)))))
    found = payment_enrollment_known(parsed, NOTHING)
    assert texts(found) == [("Payments", 2, "enrollment_id", "E9", "There is no enrollment E9.")]
    assert found.rejected == {("Payments", 2)}
    assert found.held == {"E1"}


def test_payment_enrollment_known_accepts_an_enrollment_whose_row_has_a_problem():
    parsed = studio(enrollments=(entry("Enrollments", 2, E1, readable=False),),
                    payments=(entry("Payments", 2, Payment("E1", Decimal(5), date(2026, 1, 1))),))
    assert payment_enrollment_known(parsed, NOTHING) == Findings()


def test_closure_dates_in_order():
    backwards = Closure(date(2026, 11, 21), date(2026, 11, 20), row=2)
    parsed = studio(closures=(entry("Closures", 2, backwards),
                              entry("Closures", 3, Closure(date(2026, 11, 20), date(2026, 11, 20)))))
    found = closure_dates_in_order(parsed, NOTHING)
    assert texts(found) == [("Closures", 2, "end_date", "2026-11-20",
                             "The closure ends on 2026-11-20 before it starts on 2026-11-21.")]
    assert found.rejected == {("Closures", 2)}


def test_closure_references_known_checks_each_id_it_names():
    leave = Closure(date(2026, 11, 24), date(2026, 11, 24), staff_id="ST9", client_id="C1",
                    group_id="G9")
    found = closure_references_known(studio(closures=(entry("Closures", 2, leave),)), NOTHING)
    assert texts(found) == [
        ("Closures", 2, "group_id", "G9", "There is no group G9 in Groups."),
        ("Closures", 2, "staff_id", "ST9", "There is no staff ST9 in Staff.")]
    assert found.rejected == {("Closures", 2)}
    everyone = Closure(date(2026, 11, 24), date(2026, 11, 24))
    assert closure_references_known(studio(closures=(entry("Closures", 2, everyone),)),
                                    NOTHING) == Findings()


def test_closure_opening_for_everyone():
    opening = Closure(date(2026, 10, 29), date(2026, 10, 29), reason="Open")
    narrow = replace(opening, client_id="C1")
    found = closure_opening_for_everyone(
        studio(closures=(entry("Closures", 2, opening), entry("Closures", 3, narrow))), NOTHING)
    assert texts(found) == [("Closures", 3, "reason", "Open",
                             "An 'open' row overrides public holidays for the whole studio; "
                             "leave staff_id, client_id and group_id empty.")]
    assert found.rejected == {("Closures", 3)}


def test_appointment_staff_known_rejects_a_pending_session_only():
    pending = replace(SESSION, staff_id="ST9")
    done = replace(SESSION, appointment_id="E1-1-02", staff_id="ST9", status="completed", row=3)
    parsed = studio(appointments=(entry("Appointments", 2, pending),
                                  entry("Appointments", 3, done)))
    found = appointment_staff_known(parsed, NOTHING)
    assert texts(found) == [
        ("Appointments", 2, "staff_id", "ST9", "There is no staff ST9 in Staff."),
        ("Appointments", 3, "staff_id", "ST9",
         "There is no staff ST9 in Staff; keep a staff member who left in Staff, so their past "
         "sessions stay theirs.")]
    assert found.rejected == {("Appointments", 2)}


def test_appointment_staff_known_lets_a_session_without_staff_be():
    parsed = studio(appointments=(entry("Appointments", 2, replace(SESSION, staff_id="")),))
    assert appointment_staff_known(parsed, NOTHING) == Findings()


def test_appointment_times_in_order_looks_only_at_usable_rows():
    backwards = replace(SESSION, end=time(13, 0))
    parsed = studio(appointments=(entry("Appointments", 2, backwards),))
    found = appointment_times_in_order(parsed, NOTHING)
    assert texts(found) == [("Appointments", 2, "end", "13:00:00",
                             "The session ends at 13:00, before it starts at 14:00.")]
    assert found.rejected == {("Appointments", 2)}
    rejected = Findings(rejected=frozenset({("Appointments", 2)}))
    assert appointment_times_in_order(parsed, rejected) == Findings()


def test_appointment_enrollment_known_reports_an_unknown_one_and_holds_for_a_rejected_row():
    stray = replace(SESSION, appointment_id="E9-1-01", enrollment_id="E9", row=3)
    parsed = studio(appointments=(entry("Appointments", 2, SESSION),
                                  entry("Appointments", 3, stray)))
    found = appointment_enrollment_known(parsed, Findings(rejected=frozenset({("Appointments", 2)})))
    assert texts(found) == [("Appointments", 3, "enrollment_id", "E9", "There is no enrollment "
                             "E9; sheetsync leaves this appointment as it is.")]
    assert found.rejected == {("Appointments", 3)}
    assert found.held == {"E1"}


# --- validate ---------------------------------------------------------------------------

def test_validate_runs_every_check_in_order_each_seeing_what_the_ones_before_decided():
    seen: list[tuple[str, Findings]] = []

    def recording(check: Check) -> Check:
        def run(parsed: Parsed, so_far: Findings) -> Findings:
            seen.append((check.__name__, so_far))
            return check(parsed, so_far)
        return run

    parsed = studio(staff=(entry("Staff", 2, ELIF), entry("Staff", 3, ELIF)))
    result = validate(parsed, [recording(check) for check in CHECKS])
    assert [name for name, _ in seen] == [check.__name__ for check in CHECKS]
    assert result == validate(parsed)
    # the duplicated staff id makes the group unusable, and so Mehmet's place in it, and
    # Ayse's enrollment with Elif
    assert ("Groups", 2) in result.rejected and ("Enrollments", 3) in result.rejected
    assert result.held == {"E1", "E2"}
    after_staff = dict(seen)["group_staff_known"]
    assert after_staff.rejected == {("Staff", 2), ("Staff", 3)}


def test_validate_collects_the_problems_of_every_check():
    """One broken rule per check family: every one is reported, each once."""
    parsed = studio(
        packages=(entry("Packages", 2, P10), entry("Packages", 3, P10)),
        closures=(entry("Closures", 2, Closure(date(2026, 11, 21), date(2026, 11, 20))),),
        appointments=(entry("Appointments", 2, replace(SESSION, end=time(13, 0))),))
    problems = {p.problem for p in validate(parsed).problems}
    assert problems == {
        "package_id P10 is used by 2 rows; ids must be unique.",
        "Packages row for P10 has a problem; fix that row first.",
        "The closure ends on 2026-11-20 before it starts on 2026-11-21.",
        "The session ends at 13:00, before it starts at 14:00.",
    }
    assert validate(parsed).held == {"E1", "E2"}


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_every_check_has_a_test_of_its_own(check):
    tests = [name for name in vars(sys.modules[__name__]) if name.startswith("test_")]
    assert any(name.startswith(f"test_{check.__name__}") for name in tests), check.__name__


def test_every_check_is_pure_and_returns_findings():
    parsed = studio()
    for check in CHECKS:
        assert check(parsed, NOTHING) == check(parsed, NOTHING) == Findings(), check.__name__


def test_problems_are_plain_problems():
    found = unique_package_ids(studio(packages=(entry("Packages", 2, P10),) * 2), NOTHING)
    assert all(isinstance(p, Problem) for p in found.problems)
