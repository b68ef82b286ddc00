"""render.py: reports in, the lines the command line shows out (pure, no click)."""

from __future__ import annotations

from sheetsync import render
from sheetsync.messages import FAILED, Result
from sheetsync.model import Problem


def test_a_problem_names_its_place_then_says_what_is_wrong():
    assert render.problem_line(Problem("Enrollments", 3, "schedule", "Tuesdy 9am",
                                       "This day is not a weekday.")) == (
        "Enrollments row 3, schedule: This day is not a weekday.")
    assert render.problem_line(Problem("Runs", None, "", "", "The tab is missing.")) == (
        "Runs: The tab is missing.")


def test_more_than_five_problems_are_counted_not_listed():
    problems = [Problem("Clients", row, "name", "", "No name.") for row in range(2, 10)]
    lines = render.problems_summary(problems)
    assert lines[0] == "8 problem(s) found; the rows concerned were left as they are:"
    assert len(lines) == 7
    assert lines[-1] == ("  ... and 3 more: see the Problems tab or run 'sheetsync check'.")
    assert render.problems_summary([]) == []


def test_failed_alerts_are_grouped_by_cause_and_say_whether_a_retry_can_mend_them():
    failed = [Result(f"E{i}/1/package_ended/client:C{i}", FAILED, error="Connection refused.")
              for i in range(7)]
    failed.append(Result("E9/1/package_ending/client:C9", FAILED,
                         error="The password variable is not set", needs_action=True))
    lines = render.failure_lines(failed)
    assert lines[0] == ("7 alert(s) could not be sent: Connection refused. This may pass by "
                        "itself: they stay in Notifications as failed and every sync tries "
                        "them again.")
    assert lines[1].endswith("E4/1/package_ended/client:C4 and 2 more")
    assert lines[2].startswith("1 alert(s) could not be sent: The password variable is not "
                               "set. They stay in Notifications and go out at the first sync")


def test_tables_align_numbers_right_and_end_with_their_total():
    table = render.text_table(("staff", "sessions"), [("Elif (ST1)", "10"), ("Can", "5")],
                              ("Total", "15"), right={1})
    assert table.splitlines() == ["staff       sessions", "----------  --------",
                                  "Elif (ST1)        10", "Can                5",
                                  "----------  --------", "Total             15"]


def test_an_empty_balance_table_says_why():
    assert render.balance_table([], "TRY") == ("No balances yet: the workbook has no planned "
                                               "sessions.")
    assert render.balance_table([], "TRY", filtered=True) == "Nothing matches."


def test_check_lines_show_the_value_that_cannot_be_read():
    problem = Problem("Packages", 2, "price", "abc", "The price is not a number.")
    assert render.check_lines([problem], "studio.xlsx") == [
        "1 problem(s) in studio.xlsx:",
        "  Packages row 2, price: The price is not a number.  (value: abc)"]
    assert render.check_lines([], "studio.xlsx") == ["No problems in studio.xlsx."]
