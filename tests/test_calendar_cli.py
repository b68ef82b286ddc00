"""`sheetsync calendar` and the feeds `sync` refreshes, on real .xlsx files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from icalendar import Calendar

from tests.studios import physio_workbook

NOW = "2026-12-04T10:00"


@pytest.fixture
def workbook(tmp_path: Path, run) -> Path:
    path = physio_workbook(tmp_path / "studio.xlsx").path
    assert run("sync", str(path), "--now", NOW).exit_code == 0
    return path


def configure(tmp_path: Path, calendar: str = "calendar:\n  out_dir: feeds\n") -> None:
    (tmp_path / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\n" + calendar, encoding="utf-8")


def starts(path: Path) -> list[datetime]:
    return [e.decoded("DTSTART").replace(tzinfo=None)
            for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def workbook_starts(path: Path) -> list[datetime]:
    rows = openpyxl.load_workbook(path)["Appointments"].iter_rows(min_row=2, values_only=True)
    return sorted(datetime.combine(r[8].date(), r[9]) for r in rows if r[0])


def assert_clear_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


def test_one_staff_calendar_to_a_file(run, workbook: Path, tmp_path: Path):
    result = run("calendar", str(workbook), "--staff", "ST1", "--out", "elif.ics",
                 "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "Wrote elif.ics: Elif (staff ST1), 10 event(s)." in result.output
    assert sorted(starts(tmp_path / "elif.ics")) == workbook_starts(workbook)
    again = run("calendar", str(workbook), "--staff", "ST1", "--out", "elif.ics",
                "--now", "2026-12-20T10:00")
    assert "Up to date: elif.ics" in again.output


def test_a_calendar_on_the_screen(run, workbook: Path):
    result = run("calendar", str(workbook), "--client", "C1", "--out", "-", "--now", NOW)
    assert result.exit_code == 0
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert len(Calendar.from_ical(result.stdout).walk("VEVENT")) == 10


def test_every_calendar_into_a_folder_and_only_changes_afterwards(run, workbook: Path,
                                                                  tmp_path: Path):
    result = run("calendar", str(workbook), "--out-dir", "feeds", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "wrote staff-ST1.ics  Elif (staff ST1), 10 event(s)" in result.output
    assert "9 written, 0 unchanged." in result.output
    assert sorted(p.name for p in (tmp_path / "feeds").iterdir()) == sorted(
        ["staff-ST1.ics", "staff-ST2.ics", "staff-MGR.ics", "client-C1.ics", "client-C2.ics",
         "client-C3.ics", "client-C4.ics", "group-G1.ics", "studio.ics"])
    before = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    again = run("calendar", str(workbook), "--out-dir", "feeds", "--now", "2026-12-24T10:00")
    assert "0 written, 9 unchanged." in again.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == before
    one = run("calendar", str(workbook), "--out-dir", "feeds", "--group", "G1", "--now", NOW)
    assert "0 written, 1 unchanged." in one.output


@pytest.mark.parametrize(("args", "phrase"), [
    (("--out", "a.ics", "--out-dir", "x", "--all"), "not both"),
    (("--out", "a.ics"), "Add --staff ID, --client ID, --group ID or --all"),
    (("--staff", "ST1", "--client", "C1", "--out", "a.ics"), "Choose one calendar"),
    (("--staff", "ST9", "--out", "a.ics"), "There is no staff ST9"),
    (("--group", "G9", "--out-dir", "x"), "There is no group G9"),
    (("--all",), "Give --out FILE.ics or --out-dir DIR, or set calendar.out_dir"),
])
def test_usage_mistakes_are_one_clear_sentence(run, workbook: Path, args, phrase):
    assert_clear_error(run("calendar", str(workbook), *args), phrase)


def test_a_folder_that_cannot_be_written_is_a_clear_error(run, workbook: Path, tmp_path: Path):
    (tmp_path / "taken").write_text("a file, not a folder")
    assert_clear_error(run("calendar", str(workbook), "--out-dir", "taken", "--now", NOW),
                       "Cannot write the calendar")


def test_a_workbook_missing_tabs_never_empties_a_published_feed(run, tmp_path: Path):
    path = tmp_path / "broken.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Packages"
    wb.save(path)
    assert_clear_error(run("calendar", str(path), "--all", "--out", "all.ics"),
                       "missing tabs or columns")
    assert not (tmp_path / "all.ics").exists()


def test_sync_refreshes_the_configured_feeds(run, workbook: Path, tmp_path: Path):
    configure(tmp_path)
    result = run("sync", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "9 of 9 calendar(s) rewritten in" in result.output
    feed = tmp_path / "feeds" / "staff-ST1.ics"
    assert sorted(starts(feed)) == workbook_starts(workbook)
    assert "0 of 9 calendar(s) rewritten" in run("sync", "--now", NOW).output
    wb = openpyxl.load_workbook(workbook)
    wb["Appointments"]["L5"] = "cancelled"  # E1-1-04, Thu 10 Dec
    wb.save(workbook)
    dry = run("sync", "--dry-run", "--now", NOW)
    assert "3 of 9 calendar(s) would be rewritten" in dry.output
    before = feed.read_bytes()
    assert run("sync", "--now", NOW).exit_code == 0
    assert feed.read_bytes() != before
    statuses = {e.decoded("DTSTART").replace(tzinfo=None): str(e["STATUS"])
                for e in Calendar.from_ical(feed.read_bytes()).walk("VEVENT")}
    assert statuses[datetime(2026, 12, 10, 14, 0)] == "CANCELLED"
    assert len(statuses) == 11  # the make-up joined


def test_sync_writes_only_the_chosen_kinds_with_secret_names(run, workbook: Path,
                                                            tmp_path: Path, monkeypatch):
    configure(tmp_path, "calendar:\n  out_dir: feeds\n  feeds: [staff]\n"
                        "  secret_env: FEED_SECRET\n")
    before = workbook.read_bytes()
    missing = run("sync", "--now", NOW)
    assert_clear_error(missing, "FEED_SECRET", "is not set")
    assert workbook.read_bytes() == before  # checked before anything was written
    monkeypatch.setenv("FEED_SECRET", "correct horse battery staple")
    assert run("sync", "--now", NOW).exit_code == 0
    names = sorted(p.name for p in (tmp_path / "feeds").iterdir())
    assert len(names) == 3 and all(n.startswith("staff-") and len(n) > 30 for n in names)
    listed = run("calendar", "--now", NOW)  # the configured folder, the same names
    assert listed.exit_code == 0 and "0 written, 3 unchanged." in listed.output


def test_the_command_is_listed_with_help(run):
    result = run("calendar", "--help")
    assert result.exit_code == 0
    assert "--out-dir DIR" in result.output and "subscribe" in result.output


def test_the_readme_shows_calendars_and_statements():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for heading in ("## Calendar feeds", "## Client statements"):
        assert heading in readme
    for usage in ("sheetsync calendar [WORKBOOK] (--staff ID | --client ID | --group ID | --all)",
                  "sheetsync statement [WORKBOOK] CLIENT_ID [--format text|html] [--email]"):
        assert usage in readme
