"""`sheetsync report commissions` through click's CliRunner, on a real .xlsx workbook."""

from __future__ import annotations

import fcntl
import os
from functools import partialmethod
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from sheetsync.stores.xlsx import XlsxStore
from tests.conftest import invoke
from tests.december import MID_DECEMBER, charts, december_studio, december_workbook, to_xlsx
from tests.studio import xlsx_studio
from tests.studios import PHYSIO

NEW_YEAR = "2027-01-01T00:05"

DECEMBER_TABLE = """\
staff       sessions       revenue    commission
----------  --------  ------------  ------------
Can (ST2)          5  1,360.00 TRY    376.00 TRY
Elif (ST1)        10  3,409.99 TRY  1,363.99 TRY
----------  --------  ------------  ------------
Total             15  4,769.99 TRY  1,739.99 TRY

By package:
staff       package                                   sessions       revenue  commission
----------  ----------------------------------------  --------  ------------  ----------
Can (ST2)   10-Session Physiotherapy Package (PHY10)         1    360.00 TRY  126.00 TRY
            4-Class Group Pilates (PIL4)                     4  1,000.00 TRY  250.00 TRY
Elif (ST1)  10-Session Physiotherapy Package (PHY10)         7  2,410.00 TRY  964.00 TRY
            3-Session Personal Training (PT3)                3    999.99 TRY  399.99 TRY
"""


@pytest.fixture
def run(cli_folder: Path):
    (cli_folder / "sheetsync.yaml").write_text("timezone: Europe/Istanbul\ncurrency: TRY\n")
    return lambda *args: invoke("--quiet", *args)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return december_workbook(tmp_path / "studio.xlsx").path


def tab(path: Path) -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)["Commissions"]
    return [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def assert_clear_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


@pytest.mark.parametrize("args", [["report"], ["report", "commissions"]])
def test_help(run, args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "commission" in result.output


def test_december_prints_the_table_and_writes_the_tab(run, workbook: Path):
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--now", NEW_YEAR)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Commissions for December 2026 (2026-12) in studio.xlsx\n\n")
    assert DECEMBER_TABLE in result.output
    assert "Wrote 2 row(s) for 2026-12 into the Commissions tab" in result.output
    assert "Note:" not in result.output
    assert tab(workbook) == [("2026-12", "ST2", "Can", 5, 1360, 376),
                             ("2026-12", "ST1", "Elif", 10, 3409.99, 1363.99)]
    again = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--now", NEW_YEAR)
    assert "already holds these 2 row(s) for 2026-12; nothing was written" in again.output


def test_without_a_month_it_reports_the_previous_calendar_month(run, workbook: Path):
    result = run("report", "commissions", "--now", NEW_YEAR, "studio.xlsx")
    assert result.exit_code == 0, result.output
    assert "Commissions for December 2026 (2026-12)" in result.output


def test_the_workbook_may_come_from_the_config(run, workbook: Path, tmp_path: Path):
    (tmp_path / "sheetsync.yaml").write_text("workbook: studio.xlsx\ncurrency: TRY\n")
    result = run("report", "commissions", "--month", "2026-11", "--now", NEW_YEAR)
    assert result.exit_code == 0, result.output
    assert "Elif (ST1)         1  360.00 TRY  144.00 TRY" in result.output


def test_a_month_not_over_and_not_synced_says_what_it_counted(run, tmp_path: Path):
    """Last synced on 15 Dec, reported on 20 Dec at noon: 16 Dec (E2) and 17 Dec (E1) have
    ended and count; 24, 28 and 31 Dec (E1) are still to come."""
    to_xlsx(december_studio(last_sync=MID_DECEMBER), tmp_path / "studio.xlsx")
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12",
                 "--now", "2026-12-20T12:00")
    assert result.exit_code == 0, result.output
    assert "Total             12  3,689.99 TRY  1,307.99 TRY" in result.output
    assert result.output.split("other months are kept.\n")[1] == (
        "Note: 2026-12 is not over at 2026-12-20 12:00: 3 session(s) still to come are not "
        "counted yet.\n"
        "Note: 2 session(s) ended but no sync has marked them completed yet; they are counted, "
        "as the next sync will complete them.\n"
        "Note: 2 commission(s) are not frozen in the Appointments tab yet; they are computed at "
        "today's rates, as the next sync will freeze them. Run 'sheetsync sync' to freeze them "
        "now.\n")


def test_a_month_without_sessions_is_an_empty_report(run, workbook: Path):
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-10", "--out",
                 "october.csv", "--now", NEW_YEAR)
    assert result.exit_code == 0, result.output
    assert "No session was completed or paid-cancelled in 2026-10" in result.output
    assert "The Commissions tab has no rows for 2026-10; nothing was written." in result.output
    assert (Path("october.csv").read_text(encoding="utf-8-sig").splitlines()[:2] ==
            ["month,staff_id,staff_name,sessions,revenue,commission,currency",
             ",,Total,0,0.00,0.00,TRY"])


@pytest.mark.parametrize("name", ["december.csv", "december.XLSX"])
def test_out_saves_the_report(run, workbook: Path, name: str):
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--out", name,
                 "--now", NEW_YEAR)
    assert result.exit_code == 0, result.output
    assert f"Saved the report to {name}." in result.output
    assert Path(name).stat().st_size > 0
    if name.endswith("XLSX"):
        assert len(charts(Path(name))) == 1
    assert len(charts(workbook)) == 1


@pytest.mark.parametrize("month", ["2026-13", "last month", "12/2026", "2026-12-01", "Dec"])
def test_a_bad_month_is_a_clear_error(run, workbook: Path, month: str):
    before = workbook.read_bytes()
    result = run("report", "commissions", "studio.xlsx", "--month", month)
    assert_clear_error(result, f"--month {month} is not a month; write it like")
    assert workbook.read_bytes() == before


@pytest.mark.parametrize(("out", "phrase"), [
    ("report.txt", "can be saved as .csv or .xlsx, not .txt"),
    ("report", "not a file without an extension"),
    ("missing/report.csv", "the folder missing does not exist"),
    ("studio.xlsx", "is the workbook itself"),
])
def test_a_bad_out_path_is_a_clear_error_and_nothing_is_written(run, workbook: Path, out: str,
                                                                 phrase: str):
    before = workbook.read_bytes()
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--out", out)
    assert_clear_error(result, phrase)
    assert workbook.read_bytes() == before


def test_a_workbook_open_elsewhere_is_left_alone(run, workbook: Path, tmp_path: Path):
    (tmp_path / ".~lock.studio.xlsx#").write_text("someone")
    before = workbook.read_bytes()
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--out",
                 "december.csv", "--now", NEW_YEAR)
    assert_clear_error(result, "open in LibreOffice")
    assert workbook.read_bytes() == before
    assert not Path("december.csv").exists()


def test_a_workbook_without_the_tabs_is_a_clear_error(run, tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active.title = "Clients"
    wb.save(tmp_path / "bare.xlsx")
    result = run("report", "commissions", "bare.xlsx", "--month", "2026-12")
    assert_clear_error(result, "bare.xlsx cannot be reported on", "Commissions tab is missing")


def test_problems_in_the_workbook_give_exit_1_and_say_so(run, workbook: Path):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Appointments"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index("appointment_id")].value == "E1-1-08":
            row[headers.index("commission")].value = "ask Elif"
    wb.save(workbook)
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--now", NEW_YEAR)
    assert result.exit_code == 1, result.output
    assert "Total             15  4,769.99 TRY  1,595.99 TRY" in result.output
    assert "Note: The commission cell of E1-1-08 cannot be read" in result.output
    assert "Note: The workbook has 1 problem(s)" in result.output


def test_the_readme_shows_what_the_command_prints():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert DECEMBER_TABLE in readme
    assert (Path(__file__).parent.parent / "docs" / "commission-chart.png").exists()


def test_an_out_file_that_cannot_be_written_is_a_clear_error(run, workbook: Path):
    Path("december.csv").mkdir()
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--out",
                 "december.csv", "--now", NEW_YEAR)
    assert_clear_error(result, "Cannot save the report to december.csv")
    assert [p.name for p in Path(".").iterdir() if p.name.startswith(".december")] == []


def test_a_sync_at_work_keeps_the_report_out_with_the_sentence_sync_gives(
        run, workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The report reads and writes under the store's lock, as sync does (issue 13)."""
    monkeypatch.setattr(XlsxStore, "lock", partialmethod(XlsxStore.lock, wait=0.2))  # not 30 s
    held = os.open(tmp_path / ".studio.xlsx.sheetsync-lock", os.O_RDONLY | os.O_CREAT, 0o666)
    fcntl.flock(held, fcntl.LOCK_EX)  # another sheetsync at work on studio.xlsx
    try:
        before = workbook.read_bytes()
        report = run("report", "commissions", "studio.xlsx", "--month", "2026-12", "--out",
                     "december.csv", "--now", NEW_YEAR)
        sync = run("sync", "studio.xlsx", "--now", NEW_YEAR)
    finally:
        os.close(held)
    busy = "Another sheetsync is still working on studio.xlsx; nothing was written."
    assert_clear_error(report, busy)
    assert_clear_error(sync, busy)
    assert workbook.read_bytes() == before
    assert not Path("december.csv").exists()


def test_public_holidays_count_in_the_report_as_in_the_sync(run, tmp_path: Path):
    """Republic Day (Thu 29 October 2026) closes the studio: the session planned for it moves,
    so October holds one session of Ayse's, in the report as in the Appointments a sync
    writes (issue 13: the report read the workbook without the holidays)."""
    (tmp_path / "sheetsync.yaml").write_text("timezone: Europe/Istanbul\ncurrency: TRY\n"
                                             "holidays: {country: TR}\n")
    xlsx_studio(tmp_path / "studio.xlsx", PHYSIO.replace("2026-11-30", "2026-10-26"))
    result = run("report", "commissions", "studio.xlsx", "--month", "2026-10", "--now",
                 "2026-11-01T09:00")
    assert result.exit_code == 0, result.output
    assert "Total              1  400.00 TRY  160.00 TRY" in result.output
    assert run("sync", "studio.xlsx", "--now", "2026-11-01T09:00").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "studio.xlsx")["Appointments"]
    headers = [c.value for c in ws[1]]
    october = [r for r in ws.iter_rows(min_row=2, values_only=True)
               if str(r[headers.index("date")]).startswith("2026-10")]
    assert [str(r[headers.index("date")])[:10] for r in october] == ["2026-10-26"]
    assert tab(tmp_path / "studio.xlsx") == [("2026-10", "ST1", "Elif", 1, 400, 160)]
