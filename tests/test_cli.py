"""The command line through click's CliRunner, on real .xlsx files in a temporary folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from sheetsync.stores.xlsx import XlsxStore
from tests.studios import physio_workbook


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return physio_workbook(tmp_path / "studio.xlsx").path


def assert_clear_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


@pytest.mark.parametrize("command", ["init", "sync", "check", "balance", "demo"])
def test_every_command_has_help(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage: cli " + command in result.output or f"{command} [" in result.output
    assert len(result.output.splitlines()) > 4


def test_init_creates_a_workbook_and_is_safe_to_repeat(run, tmp_path: Path):
    result = run("init", "new.xlsx")
    assert result.exit_code == 0
    assert "added the Appointments tab" in result.output
    assert "Appointments" in openpyxl.load_workbook(tmp_path / "new.xlsx").sheetnames
    again = run("init", "new.xlsx")
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_init_demo_fills_a_studio_and_refuses_to_touch_an_existing_file(run, tmp_path: Path):
    assert run("init", "demo.xlsx", "--demo").exit_code == 0
    clients = openpyxl.load_workbook(tmp_path / "demo.xlsx")["Clients"]
    assert clients.max_row == 7
    assert_clear_error(run("init", "demo.xlsx", "--demo"), "already holds studio data")


def test_sync_writes_and_reports_what_it_did(run, workbook: Path):
    result = run("sync", str(workbook), "--now", "2026-12-04T10:00")
    assert result.exit_code == 0, result.output
    assert "Synced" in result.output
    assert "10 appointment(s) created" in result.output
    assert "2 completed" not in result.output  # the held ones were created as completed
    rows = list(openpyxl.load_workbook(workbook)["Appointments"].iter_rows(min_row=2,
                                                                         values_only=True))
    assert len(rows) == 10


def test_dry_run_prints_the_changes_and_writes_nothing(run, workbook: Path):
    before = workbook.read_bytes()
    result = run("sync", str(workbook), "--dry-run", "--now", "2026-12-04T10:00")
    assert result.exit_code == 0
    assert "nothing was written" in result.output
    assert "+ E1-1-03  Ayse  Mon 2026-12-07 14:00-15:00  ST1" in result.output
    assert "10 appointment(s) would be created" in result.output
    assert workbook.read_bytes() == before


def test_dry_run_lists_completions_deletions_and_renewals(run, workbook: Path):
    run("sync", str(workbook), "--now", "2026-12-04T10:00")
    result = run("sync", str(workbook), "--dry-run", "--now", "2027-01-01T10:00")
    assert "done E1-1-10" in result.output
    assert "renew E1 (C1) period 2 from Mon 2027-01-04 14:00" in result.output
    wb = openpyxl.load_workbook(workbook)
    assert wb["Clients"]["E1"].value == "status"
    wb["Clients"]["E2"] = "closed"
    wb.save(workbook)
    closed = run("sync", str(workbook), "--dry-run", "--now", "2026-12-04T10:00")
    assert "- E1-1-03  Ayse  Mon 2026-12-07 14:00-15:00  ST1" in closed.output
    assert "8 would be deleted" in closed.output


def test_now_with_an_offset_is_read_in_the_studio_time_zone(run, workbook: Path):
    # 11:00 UTC is 14:00 in Istanbul: Monday's session started but has not ended.
    result = run("sync", str(workbook), "--dry-run", "--now", "2026-12-07T11:30:00+00:00")
    assert "at 2026-12-07 14:30 (Europe/Istanbul)" in result.output


def test_check_lists_problems_and_exits_1(run, workbook: Path):
    wb = openpyxl.load_workbook(workbook)
    wb["Enrollments"]["F2"] = "Tuesdy 9am"
    wb.save(workbook)
    result = run("check", str(workbook))
    assert result.exit_code == 1
    assert "Enrollments row 2, schedule: 'Tuesdy 9am': 'Tuesdy' is not a day" in result.output
    problems = list(openpyxl.load_workbook(workbook)["Problems"].iter_rows(min_row=2,
                                                                         values_only=True))
    assert problems[0][:4] == ("Enrollments", 2, "schedule", "Tuesdy 9am")
    as_json = json.loads(run("check", str(workbook), "--json").stdout)
    assert as_json == [{"tab": "Enrollments", "row": 2, "column": "schedule",
                        "value": "Tuesdy 9am", "problem": problems[0][4]}]


def test_check_of_a_clean_workbook_exits_0(run, workbook: Path):
    result = run("check", str(workbook))
    assert result.exit_code == 0 and "No problems" in result.output


def test_sync_with_problems_exits_1_and_says_where_to_look(run, workbook: Path):
    wb = openpyxl.load_workbook(workbook)
    wb["Packages"]["D2"] = "abc"
    wb.save(workbook)
    result = run("sync", str(workbook), "--now", "2026-12-04T10:00")
    assert result.exit_code == 1
    assert "problem(s) found" in result.output
    assert "Packages row 2, price: 'abc' is not an amount of money." in result.output


def test_balance_shows_a_readable_table(run, workbook: Path):
    result = run("balance", str(workbook), "--now", "2026-12-08T10:00")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["client", "package", "period", "used", "remaining", "next",
                                "session", "due"]
    assert "Ayse (C1)" in lines[2]
    assert "3/10" in lines[2] and "Thu 2026-12-10 14:00" in lines[2] and "4,000.00" in lines[2]


def test_balance_for_one_client_and_unknown_client(run, workbook: Path, tmp_path: Path):
    (tmp_path / "sheetsync.yaml").write_text(f"workbook: {workbook.name}\ncurrency: TRY\n")
    result = run("balance", "C1", "--now", "2026-12-08T10:00")
    assert result.exit_code == 0 and "4,000.00 TRY" in result.output
    assert_clear_error(run("balance", "C9"), "no client C9")


def test_demo_makes_syncs_and_summarises(run, tmp_path: Path):
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "Made a demo studio in sheetsync-demo.xlsx" in result.output
    assert "appointments created" in result.output
    assert (tmp_path / "sheetsync-demo.xlsx").exists()
    again = run("demo")
    assert again.exit_code == 0
    assert "Made a demo" not in again.output and "0 appointments created" in again.output


def test_missing_workbook_is_a_clear_error(run):
    assert_clear_error(run("sync", "nowhere.xlsx"), "There is no workbook at nowhere.xlsx",
                       "sheetsync init nowhere.xlsx")


def test_no_workbook_named_anywhere(run):
    assert_clear_error(run("sync"), "Which workbook?")


def test_a_file_that_is_not_a_workbook(run, tmp_path: Path):
    (tmp_path / "broken.xlsx").write_text("not a zip")
    assert_clear_error(run("sync", "broken.xlsx"), "is not a readable .xlsx workbook")
    assert_clear_error(run("sync", "studio.csv"), "is not an .xlsx file")


@pytest.mark.parametrize(("config", "phrase"), [
    ("timezone: Mars/Olympus\n", "timezone 'Mars/Olympus' is not a time zone"),
    ("timezone: [unclosed\n", "is not valid YAML at line"),
    ("timzone: Europe/Istanbul\n", "unknown setting(s) timzone"),
    ("- just\n- a list\n", "should hold settings"),
])
def test_bad_configuration_is_one_clear_message(run, tmp_path: Path, config, phrase):
    (tmp_path / "sheetsync.yaml").write_text(config)
    assert_clear_error(run("sync", "studio.xlsx"), phrase)


def test_config_from_the_environment_and_relative_workbook_path(run, tmp_path: Path,
                                                                 workbook: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "studio.yaml").write_text("workbook: ../studio.xlsx\ntimezone: Europe/Berlin\n")
    monkeypatch.setenv("SHEETSYNC_CONFIG", str(folder / "studio.yaml"))
    result = run("sync", "--dry-run", "--now", "2026-12-04T10:00")
    assert result.exit_code == 0, result.output
    assert "(Europe/Berlin)" in result.output
    assert_clear_error(run("--config", "missing.yaml", "sync"), "missing.yaml does not exist")


def test_bad_now_is_a_clear_error(run, workbook: Path):
    assert_clear_error(run("sync", str(workbook), "--now", "next tuesday"),
                       "is not a date and time")


def test_a_locked_workbook_is_refused_with_exit_2(run, workbook: Path, tmp_path: Path):
    (tmp_path / ".~lock.studio.xlsx#").write_text("x")
    before = workbook.read_bytes()
    assert_clear_error(run("sync", str(workbook)), "open in LibreOffice", "Nothing was written")
    assert workbook.read_bytes() == before


def test_progress_goes_to_stderr_and_quiet_silences_it(run, workbook: Path):
    loud = run("sync", str(workbook), "--now", "2026-12-04T10:00")
    assert "Reading" in loud.stderr and "Reading" not in loud.stdout
    quiet = run("-q", "sync", str(workbook), "--now", "2026-12-04T10:00")
    assert quiet.stderr == ""


def test_runs_get_one_row_per_sync(run, workbook: Path):
    run("sync", str(workbook), "--now", "2026-12-04T10:00")
    run("sync", str(workbook), "--now", "2026-12-04T10:00")
    runs = list(XlsxStore(workbook).read()["Runs"].rows)
    assert len(runs) == 2
    assert runs[0][1] == datetime(2026, 12, 4, 10, 0)
    assert (runs[0][2], runs[0][3], runs[1][3], runs[1][12]) == ("sync", 10, 0, "ok")


def test_balance_due_and_ending_narrow_the_list(run, workbook: Path):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Payments"]
    ws.append(["E1", 4000, datetime(2026, 11, 30)])
    wb.save(workbook)
    paid = run("balance", str(workbook), "--due", "--now", "2026-12-08T10:00")
    assert paid.exit_code == 0 and "Nothing matches." in paid.stdout
    later = run("balance", str(workbook), "--due", "--now", "2027-01-02T10:00")
    (line,) = [line for line in later.stdout.splitlines() if "Ayse (C1)" in line]
    assert line.split()[3:5] == ["2", "0/10"]  # period 1 is paid, period 2 is due
    assert "Total due: 4,000.00" in later.stdout
    assert "Nothing matches." in run("balance", str(workbook), "--ending", "7", "--now",
                                     "2026-12-08T10:00").stdout
    soon = run("balance", str(workbook), "--ending", "30", "--now", "2026-12-08T10:00")
    assert "Ayse (C1)" in soon.stdout and "3/10" in soon.stdout


@pytest.mark.parametrize(("name", "google"), [
    ("1aNvNhBanaHVP93PL4xmzA69TyNmTcfv7CUaCkGmwFMo", True),
    ("https://docs.google.com/spreadsheets/d/1aNvNh/edit", True),
    ("studio_workbook_backup_final", False),
    ("studio.xlsx", False),
])
def test_what_counts_as_a_google_sheet(name, google):
    from sheetsync.stores import is_google

    assert is_google(name) is google
