"""Weekly rules in the studio's own words: Turkish and German day names and every-N-weeks
phrasing, English read in every locale, an English studio's rules exactly as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from babel.dates import get_day_names
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.cells import CellError
from sheetsync.schedule import Entry, parse_schedule, slots


def rule(text: str, locale: str) -> str:
    return parse_schedule(text, locale).describe()


@pytest.mark.parametrize(("locale", "typed", "meant"), [
    ("tr", "Pzt 14:00, Per 18:00", "Mon 14:00, Thu 18:00"),
    ("tr", "Salı,Cuma 09:00", "Tue 09:00, Fri 09:00"),
    ("tr", "PAZARTESİ 14:00", "Mon 14:00"),
    ("tr", "Cars 18:00, Persembe 18:00", "Wed 18:00, Thu 18:00"),
    ("tr", "Carsamba 18.00", "Wed 18:00"),
    ("tr", "Pzt-Cum 9:30", "Mon 09:30, Tue 09:30, Wed 09:30, Thu 09:30, Fri 09:30"),
    ("tr", "Pzt saat 14:00 ve Per 18:00", "Mon 14:00, Thu 18:00"),
    ("tr", "Pazartesileri 18:00-19:30", "Mon 18:00-19:30"),
    ("tr", "Cmt 10:00 Paz 11:00", "Sat 10:00, Sun 11:00"),
    ("de", "Mo,Do 18:00", "Mon 18:00, Thu 18:00"),
    ("de", "Di-Do 9:30", "Tue 09:30, Wed 09:30, Thu 09:30"),
    ("de", "Mo bis Fr 9:00", "Mon 09:00, Tue 09:00, Wed 09:00, Thu 09:00, Fri 09:00"),
    ("de", "Mo. 18:00, Do. 18:00", "Mon 18:00, Thu 18:00"),
    ("de", "Montag 18 Uhr", "Mon 18:00"),
    ("de", "Mo 18-19.30 Uhr", "Mon 18:00-19:30"),
    ("de", "Mittwoch um 18:00 bis 19:30", "Wed 18:00-19:30"),
    ("de", "montags und donnerstags 18:00", "Mon 18:00, Thu 18:00"),
    ("de", "jeden Montag 18:00", "Mon 18:00"),
])
def test_days_in_the_locales_words(locale: str, typed: str, meant: str) -> None:
    assert rule(typed, locale) == meant


@pytest.mark.parametrize(("locale", "typed", "meant"), [
    ("tr", "2 haftada bir Cmt 10:00", "every 2 weeks Sat 10:00"),
    ("tr", "her 2 haftada bir Cmt 10:00", "every 2 weeks Sat 10:00"),
    ("tr", "iki haftada bir Cmt 10:00", "every 2 weeks Sat 10:00"),
    ("tr", "her iki haftada bir Sal 10:00", "every 2 weeks Tue 10:00"),
    ("tr", "İKİ HAFTADA BİR Cmt 10:00", "every 2 weeks Sat 10:00"),
    ("tr", "üç haftada bir Paz 10:00", "every 3 weeks Sun 10:00"),
    ("tr", "Cmt 10:00 her 3 hafta", "every 3 weeks Sat 10:00"),
    ("tr", "her hafta Pzt 9:00", "Mon 09:00"),
    ("tr", "haftada bir Pzt 9:00", "Mon 09:00"),
    ("de", "jeden 2. Woche Sa 10:00", "every 2 weeks Sat 10:00"),
    ("de", "jede zweite Woche Sa 10:00", "every 2 weeks Sat 10:00"),
    ("de", "alle 2 Wochen Sa 10:00", "every 2 weeks Sat 10:00"),
    ("de", "alle drei Wochen Sa 10:00", "every 3 weeks Sat 10:00"),
    ("de", "vierzehntägig Sa 10:00", "every 2 weeks Sat 10:00"),
    ("de", "Sa 10:00 14-tägig", "every 2 weeks Sat 10:00"),
    ("de", "wöchentlich Mo 18:00", "Mon 18:00"),
    ("de", "jede Woche Mo 18:00", "Mon 18:00"),
])
def test_every_n_weeks_in_the_locales_words(locale: str, typed: str, meant: str) -> None:
    assert rule(typed, locale) == meant


@pytest.mark.parametrize("locale", ["en", "tr", "de"])
@pytest.mark.parametrize(("typed", "meant"), [
    ("Mon 14:00, Thu 14:00", "Mon 14:00, Thu 14:00"),
    ("Tue,Fri 09:00", "Tue 09:00, Fri 09:00"),
    ("Monday 6:30pm", "Mon 18:30"),
    ("Wed 18:00-19:30", "Wed 18:00-19:30"),
    ("every 2 weeks Sat 10:00", "every 2 weeks Sat 10:00"),
    ("Mondays and Thursdays at 9am", "Mon 09:00, Thu 09:00"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", "RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9"),
])
def test_english_rules_read_in_every_locale(locale: str, typed: str, meant: str) -> None:
    assert rule(typed, locale) == meant


def test_turkish_every_two_weeks_falls_on_the_same_saturdays_as_english() -> None:
    start = datetime(2026, 12, 1)
    turkish = slots(parse_schedule("2 haftada bir Cmt 10:00", "tr"), start.date(), start,
                    timedelta(hours=1))
    english = slots(parse_schedule("every 2 weeks Sat 10:00"), start.date(), start,
                    timedelta(hours=1))
    first = [next(turkish).start for _ in range(3)]
    assert first == [next(english).start for _ in range(3)]
    assert first == [datetime(2026, 12, 5, 10), datetime(2026, 12, 19, 10),
                     datetime(2027, 1, 2, 10)]


@pytest.mark.parametrize(("locale", "typed", "says"), [
    ("tr", "Sa 10:00", "'Sa' could be two different days"),
    ("tr", "Pzr 10:00 Xyz 11:00", "'Xyz' is not a day; write it like 'Pzt 14:00, Per 18:00'"),
    ("tr", "Pzt", "Pazartesi has no time"),
    ("tr", "2 haftada bir every 2 weeks Cmt 10:00", "says how often twice"),
    ("tr", "60 haftada bir Cmt 10:00", "every 60 weeks is not a weekly rule"),
    ("de", "Dienstach 9:00", "'Dienstach' is not a day; write it like 'Mo 14:00, Do 18:00'"),
    ("de", "Mo 19:00-18:00", "ends at 18:00, before it starts"),
    ("de", "", "the schedule is empty; write it like 'Mo 14:00, Do 18:00'"),
])
def test_a_rule_that_does_not_read_is_refused(locale: str, typed: str, says: str) -> None:
    with pytest.raises(CellError) as raised:
        parse_schedule(typed, locale)
    assert says in str(raised.value)


def test_english_studio_reads_and_words_as_before() -> None:
    with pytest.raises(CellError, match=r"^'Pzt 14:00': 'Pzt' is not a day; write it like "
                                        r"'Mon 14:00, Thu 18:00'$"):
        parse_schedule("Pzt 14:00")
    with pytest.raises(CellError, match=r"^'Mon bis Fri 9:00': 'bis' is not a day"):
        parse_schedule("Mon bis Fri 9:00")
    assert parse_schedule("Sa 10:00").describe() == "Sat 10:00"


entries = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 23), st.sampled_from([0, 15, 30])),
                   min_size=1, max_size=4, unique_by=lambda e: e[0])


def turkish_upper(text: str) -> str:
    """Capitals as a Turkish keyboard types them: `i` -> `İ`, `ı` -> `I`."""
    return text.replace("i", "İ").replace("ı", "I").upper()


@given(chosen=entries, locale=st.sampled_from(["tr", "de"]),
       width=st.sampled_from(["wide", "abbreviated"]),
       context=st.sampled_from(["format", "stand-alone"]),
       case=st.sampled_from([str, str.upper, str.lower, turkish_upper]))
def test_a_rule_written_with_cldr_day_names_reads_back(
        chosen: list[tuple[int, int, int]], locale: str, width: str, context: str,
        case: Callable[[str], str]) -> None:
    """In any case: `PAZARTESI` (a keyboard without Turkish capitals), `PAZARTESİ`."""
    names = get_day_names(width, context, locale)
    typed = case(", ".join(f"{names[d]} {h:02d}:{m:02d}" for d, h, m in chosen))
    wanted = tuple(sorted((Entry(d, time(h, m), None) for d, h, m in chosen),
                          key=lambda e: (e.weekday, e.start)))
    assert parse_schedule(typed, locale).entries == wanted


def test_a_group_of_the_same_days_reads_the_same_in_each_language() -> None:
    rules = {"en": "every 2 weeks Tue,Thu 18:00", "tr": "iki haftada bir Salı,Perşembe 18:00",
             "de": "alle zwei Wochen Di,Do 18:00"}
    parsed = {locale: parse_schedule(text, locale) for locale, text in rules.items()}
    assert {(p.entries, p.interval) for p in parsed.values()} == {
        ((Entry(1, time(18), None), Entry(3, time(18), None)), 2)}


@given(typed=st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["Pzt", "Salı", "Sa", "Mo", "Di-Do", "bis", "Uhr", "18", "9:30",
                              "-", "haftada", "bir", "iki", "her", "jeden", "2.", "Woche",
                              "alle", "Wochen", "every", "2", "weeks", ",", "ve", "um", "İ"]),
             max_size=8).map(" ".join)),
       locale=st.sampled_from(["tr", "de"]))
def test_junk_rules_are_refused_never_a_crash(typed: str, locale: str) -> None:
    try:
        parse_schedule(typed, locale)
    except CellError as err:
        assert str(err)
