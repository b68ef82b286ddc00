"""render.py in the studio's language (issue 15, part E): the lines the command line shows,
pure, with the locale passed in (no state holds a language: English stays the default)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sheetsync import render
from sheetsync.messages import FAILED, Result
from sheetsync.model import Closure, Problem
from sheetsync.publicholidays import HolidaySettings

FAILED_ALERTS = [Result(f"E{i}/1/package_ended/client:C{i}", FAILED, error="Connection refused.")
                 for i in range(7)]


@pytest.mark.parametrize(("code", "first", "second"), [
    ("tr", "7 bildirim gönderilemedi: Connection refused. Bu kendiliğinden geçebilir: "
           "Bildirimler sekmesinde başarısız olarak kalırlar ve her eşitleme yeniden dener.",
     "    gönderilmedi: E0/1/package_ended/client:C0, "),
    ("de", "7 Benachrichtigungen konnten nicht gesendet werden: Connection refused. Das kann "
           "sich von selbst geben: Sie bleiben als fehlgeschlagen in Benachrichtigungen, und "
           "jeder Abgleich versucht es erneut.",
     "    nicht gesendet: E0/1/package_ended/client:C0, "),
])
def test_failed_alerts_are_told_in_the_language(code: str, first: str, second: str):
    causes = [*FAILED_ALERTS, Result("E9/1/package_ending/client:C9", FAILED,
                                     error="The password variable is not set",
                                     needs_action=True)]
    lines = render.failure_lines(causes, code)
    assert lines[0] == first
    assert lines[1].startswith(second)
    assert lines[1].endswith({"tr": " ve 2 tane daha", "de": " und 2 weitere"}[code])
    assert render.failure_lines(FAILED_ALERTS[:1], code)[0].startswith(
        {"tr": "Bildirimler gönderilemedi", "de": "Benachrichtigungen konnten nicht"}[code])


def test_english_stays_the_default_of_every_render_function():
    assert render.failure_lines(FAILED_ALERTS) == render.failure_lines(FAILED_ALERTS, "en")
    assert render.balance_table([], "TRY") == (
        "No balances yet: the workbook has no planned sessions.")


@pytest.mark.parametrize(("code", "empty", "nothing", "more"), [
    ("tr", "Henüz bakiye yok: çalışma kitabında planlanmış seans yok.", "Eşleşen bir şey yok.",
     "  ... ve 3 tane daha: Sorunlar sekmesine bakın ya da 'sheetsync check' komutunu "
     "çalıştırın."),
    ("de", "Noch keine Salden: Die Arbeitsmappe hat keine geplanten Termine.", "Nichts passt.",
     "  ... und 3 weitere: siehe Blatt Probleme oder führen Sie 'sheetsync check' aus."),
])
def test_empty_tables_and_long_problem_lists_in_the_language(code: str, empty: str,
                                                              nothing: str, more: str):
    assert render.balance_table([], "TRY", locale=code) == empty
    assert render.balance_table([], "TRY", filtered=True, locale=code) == nothing
    problems = [Problem("Clients", row, "name", "", "No name.") for row in range(2, 10)]
    lines = render.problems_summary(problems, code)
    assert len(lines) == 7
    assert lines[-1] == more


@pytest.mark.parametrize(("code", "line"), [
    ("tr", "Önümüzdeki 90 günde stüdyoyu kapatan resmî tatiller (TR): Cum 01.01.2027 New "
           "Year's Day"),
    ("de", "Feiertage (TR), an denen das Studio in den nächsten 90 Tagen geschlossen ist: "
           "Fr. 01.01.2027 New Year's Day"),
    ("en", "Public holidays (TR) closing the studio in the next 90 days: Fri 2027-01-01 New "
           "Year's Day"),
])
def test_public_holidays_ahead_are_listed_with_the_languages_dates(code: str, line: str):
    new_year = Closure(start_date=date(2027, 1, 1), end_date=date(2027, 1, 1),
                       reason="Public holiday: New Year's Day", public_holiday=True)
    assert render.holiday_lines([new_year], datetime(2026, 12, 11, 10, 0),
                                HolidaySettings("TR"), code) == [line]


def test_a_turkish_holiday_is_listed_by_its_name_alone():
    republic_day = Closure(start_date=date(2026, 10, 29), end_date=date(2026, 10, 29),
                           reason="Resmî tatil: Cumhuriyet Bayramı", public_holiday=True)
    (line,) = render.holiday_lines([republic_day], datetime(2026, 10, 20, 10, 0),
                                   HolidaySettings("TR"), "tr")
    assert line.endswith(": Per 29.10.2026 Cumhuriyet Bayramı")


@pytest.mark.parametrize(("code", "word"), [("tr", "başarısız"), ("de", "fehlgeschlagen"),
                                            ("en", "failed")])
def test_an_alert_waiting_in_notifications_shows_its_status_in_the_language(code: str,
                                                                             word: str):
    from sheetsync import status as health

    now = datetime(2026, 12, 11, 10, 0)
    failed = health.Alert(7, "E1/1/package_ended/client:C1", "package_ended", "ayse@x.example",
                          "failed", now, "refused")
    found = health.Status(now, None, True, failed_alerts=1, waiting=(failed,))
    lines = render.status_lines(found, "studio.xlsx", "Europe/Istanbul", locale=code)
    (alert,) = [line for line in lines if "E1/1/package_ended" in line]
    assert alert.split()[0] == word
