"""Public holidays of the configured country close the studio, unless the studio says open."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync import engine
from sheetsync.cli import cli
from sheetsync.config import parse_config
from sheetsync.errors import UserError
from sheetsync.publicholidays import HolidaySettings, holiday_closures
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import slots, studio
from tests.studios import PHYSIO, physio_workbook

STARTED = datetime(2026, 1, 1)


def sync_with(store, now: datetime, **settings):
    return engine.sync(store, now, started_at=STARTED, holidays=HolidaySettings(**settings))


def test_turkish_holidays_move_sessions_and_never_shrink_a_balance():
    # Republic Day, Thursday 29 October 2026, falls on a Thursday session.
    store = studio(PHYSIO.replace("2026-11-30", "2026-10-26"))
    sync_with(store, datetime(2026, 10, 20, 9, 0), country="TR")
    planned = slots(store, "E1")
    assert "2026-10-29 14:00" not in planned
    assert len(planned) == 10
    assert planned[-1] == "2026-11-30 14:00"


def test_bavarian_holidays_differ_from_berlins():
    # Epiphany (6 January) is a holiday in Bavaria, not in Berlin.
    source = PHYSIO.replace("2026-11-30", "2027-01-04").replace("Mon 14:00, Thu 14:00",
                                                                "Wed 10:00")
    bavaria, berlin = studio(source), studio(source)
    sync_with(bavaria, datetime(2027, 1, 1, 9, 0), country="DE", subdiv="BY")
    sync_with(berlin, datetime(2027, 1, 1, 9, 0), country="DE", subdiv="BE")
    assert "2027-01-06 10:00" not in slots(bavaria, "E1")
    assert "2027-01-06 10:00" in slots(berlin, "E1")


def test_an_open_row_or_the_ignore_list_keeps_the_studio_open():
    source = PHYSIO.replace("2026-11-30", "2026-10-26")
    opened = studio(source + """
Closures
start_date | end_date | reason
2026-10-29 |          | open
""")
    sync_with(opened, datetime(2026, 10, 20, 9, 0), country="TR")
    assert "2026-10-29 14:00" in slots(opened, "E1")
    for ignore in (("2026-10-29",), ("republic day",)):
        ignored = studio(source)
        sync_with(ignored, datetime(2026, 10, 20, 9, 0), country="TR", ignore=ignore)
        assert "2026-10-29 14:00" in slots(ignored, "E1")


def test_an_open_row_for_one_staff_member_is_a_problem():
    store = studio(PHYSIO + """
Closures
start_date | staff_id | reason
2026-10-29 | ST1      | Open
""")
    report = sync_with(store, datetime(2026, 10, 20, 9, 0), country="TR")
    assert [(p.tab, p.column) for p in report.problems] == [("Closures", "reason")]


def test_holiday_closures_name_the_holiday():
    closures = holiday_closures(HolidaySettings("TR"), [2027])
    first = closures[0]
    assert (first.start_date, first.reason, first.public_holiday) == (
        date(2027, 1, 1), "Public holiday: New Year's Day", True)
    assert not first.staff_id and not first.client_id and not first.group_id


@pytest.mark.parametrize(("section", "message"), [
    ({"country": "XX"}, "not a country code"),
    ({"country": "DE", "subdiv": "ZZ"}, "not a subdivision of DE"),
    ({"subdiv": "BY"}, "holidays.country is missing"),
    ({"country": "TR", "ignore": "2026-10-29"}, "should be a list"),
    ({"country": "TR", "extra": 1}, "unknown setting(s) holidays.extra"),
])
def test_bad_holiday_settings_are_clear_errors(section, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config({"holidays": section})


def test_dates_in_the_ignore_list_may_be_yaml_dates():
    config = parse_config({"holidays": {"country": "tr", "ignore": [date(2026, 10, 29)]}})
    assert config.holidays == HolidaySettings("TR", "", ("2026-10-29",))


def test_check_and_dry_run_show_the_coming_holidays(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    physio_workbook(tmp_path / "studio.xlsx")
    (tmp_path / "sheetsync.yaml").write_text("workbook: studio.xlsx\ntimezone: Europe/Istanbul\n"
                                             "holidays: {country: TR}\n")
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--now", "2026-12-01T09:00"])
    assert checked.exit_code == 0, checked.output
    assert "Public holidays (TR) closing the studio in the next 90 days: " \
           "Fri 2027-01-01 New Year's Day" in checked.output
    dry = runner.invoke(cli, ["sync", "--dry-run", "--now", "2026-12-01T09:00"])
    assert "Fri 2027-01-01 New Year's Day" in dry.output
    assert XlsxStore(tmp_path / "studio.xlsx").read()["Appointments"].rows == []
