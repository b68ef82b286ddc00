"""Weekly rules: what a studio may type, and the slots they expand to."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MO, WEEKLY, rrule
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.cells import CellError
from sheetsync.schedule import parse_schedule, slots

HOUR = timedelta(hours=1)


def first(rule: str, start: date, count: int = 4, duration: timedelta = HOUR) -> list[str]:
    schedule = parse_schedule(rule)
    found = slots(schedule, start, datetime.combine(start, time()), duration)
    return [f"{s.start:%a %Y-%m-%d %H:%M}-{s.end:%H:%M}" for s in islice(found, count)]


MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(("rule", "expected"), [
    ("Mon 14:00, Thu 14:00", ["Mon 2026-11-30 14:00-15:00", "Thu 2026-12-03 14:00-15:00",
                              "Mon 2026-12-07 14:00-15:00", "Thu 2026-12-10 14:00-15:00"]),
    ("Tue,Fri 09:00", ["Tue 2026-12-01 09:00-10:00", "Fri 2026-12-04 09:00-10:00",
                       "Tue 2026-12-08 09:00-10:00", "Fri 2026-12-11 09:00-10:00"]),
    ("Monday 6:30pm", ["Mon 2026-11-30 18:30-19:30", "Mon 2026-12-07 18:30-19:30",
                       "Mon 2026-12-14 18:30-19:30", "Mon 2026-12-21 18:30-19:30"]),
    ("Wed 18:00-19:30", ["Wed 2026-12-02 18:00-19:30", "Wed 2026-12-09 18:00-19:30",
                         "Wed 2026-12-16 18:00-19:30", "Wed 2026-12-23 18:00-19:30"]),
    ("every 2 weeks Sat 10:00", ["Sat 2026-12-05 10:00-11:00", "Sat 2026-12-19 10:00-11:00",
                                 "Sat 2027-01-02 10:00-11:00", "Sat 2027-01-16 10:00-11:00"]),
    ("Mon 9:00, Wed 18:00-19:30", ["Mon 2026-11-30 09:00-10:00", "Wed 2026-12-02 18:00-19:30",
                                   "Mon 2026-12-07 09:00-10:00", "Wed 2026-12-09 18:00-19:30"]),
    ("tuesdays and fridays at 7pm", ["Tue 2026-12-01 19:00-20:00", "Fri 2026-12-04 19:00-20:00",
                                     "Tue 2026-12-08 19:00-20:00", "Fri 2026-12-11 19:00-20:00"]),
    ("Mon-Wed 8am", ["Mon 2026-11-30 08:00-09:00", "Tue 2026-12-01 08:00-09:00",
                     "Wed 2026-12-02 08:00-09:00", "Mon 2026-12-07 08:00-09:00"]),
    ("Sat 6-7pm", ["Sat 2026-12-05 18:00-19:00", "Sat 2026-12-12 18:00-19:00",
                   "Sat 2026-12-19 18:00-19:00", "Sat 2026-12-26 18:00-19:00"]),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=14;BYMINUTE=0",
     ["Mon 2026-11-30 14:00-15:00", "Thu 2026-12-03 14:00-15:00",
      "Mon 2026-12-07 14:00-15:00", "Thu 2026-12-10 14:00-15:00"]),
    ("RRULE:FREQ=MONTHLY;BYDAY=1SA;BYHOUR=10;BYMINUTE=30",
     ["Sat 2026-12-05 10:30-11:30", "Sat 2027-01-02 10:30-11:30",
      "Sat 2027-02-06 10:30-11:30", "Sat 2027-03-06 10:30-11:30"]),
])
def test_rules_a_studio_types(rule, expected):
    assert first(rule, MONDAY) == expected


@pytest.mark.parametrize(("rule", "message"), [
    ("Tuesdy 9am", "'Tuesdy' is not a day"),
    ("Mon", "has no time"),
    ("14:00", "has no day"),
    ("Mon 9", "is not a time"),
    ("Mon 25:00", "not a time of day"),
    ("Wed 19:30-18:00", "before it starts"),
    ("", "empty"),
    ("every 60 weeks Mon 9:00", "not a weekly rule"),
    ("Mon 9:00-10:00, Mon 9:00-11:00", "two different end times"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO", "needs BYHOUR"),
    ("RRULE:FREQ=MINUTELY;BYHOUR=9", "FREQ=DAILY, WEEKLY"),
    ("RRULE:FREQ=WEEKLY;BYDAY=XX;BYHOUR=9", "not a valid RRULE"),
    ("DTSTART:20260101T000000 RRULE:FREQ=WEEKLY;BYHOUR=9", "is not a day"),
    ("Mon 14:00 please", "'please' is not a day"),
])
def test_a_rule_that_does_not_parse_is_a_problem_never_a_guess(rule, message):
    with pytest.raises(CellError, match=message):
        parse_schedule(rule)


def test_wall_clock_times_stay_put_across_daylight_saving_changes():
    berlin = ZoneInfo("Europe/Berlin")
    rule = parse_schedule("Mon 14:00")
    found = list(islice(slots(rule, date(2026, 3, 16), datetime(2026, 3, 16), HOUR), 4))
    assert [s.start.time() for s in found] == [time(14, 0)] * 4
    in_utc = [s.start.replace(tzinfo=berlin).astimezone(UTC).hour for s in found]
    assert in_utc == [13, 13, 12, 12]  # clocks went forward on 2026-03-29
    autumn = list(islice(slots(rule, date(2026, 10, 19), datetime(2026, 10, 19), HOUR), 3))
    assert [s.start.replace(tzinfo=berlin).astimezone(UTC).hour for s in autumn] == [12, 13, 13]


def test_expansion_is_bounded_even_when_nothing_matches():
    never = parse_schedule("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=9")
    assert list(slots(never, MONDAY, datetime(2026, 11, 30), HOUR)) == []


def test_every_other_week_counts_weeks_from_the_anchor_not_from_the_search_start():
    rule = parse_schedule("every other week Sat 10:00")
    later = slots(rule, MONDAY, datetime(2026, 12, 6), HOUR)
    assert next(iter(later)).start == datetime(2026, 12, 19, 10, 0)


def test_describe_gives_a_readable_rule():
    assert parse_schedule("tue , fri 9am").describe() == "Tue 09:00, Fri 09:00"
    assert parse_schedule("biweekly Wed 18:00-19:30").describe() == "every 2 weeks Wed 18:00-19:30"


@given(anchor=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
       later=st.integers(0, 2000),
       interval=st.integers(1, 4),
       weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=3))
def test_expansion_matches_counting_every_week_from_the_anchor(anchor, later, interval,
                                                               weekdays):
    names = ",".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d] for d in weekdays)
    rule = parse_schedule(f"every {interval} weeks {names} 10:00")
    start = datetime.combine(anchor + timedelta(days=later), time(11, 0))
    fast = list(islice(slots(rule, anchor, start, HOUR), 6))
    naive = rrule(WEEKLY, interval=interval, byweekday=sorted(weekdays), byhour=10, byminute=0,
                  bysecond=0, dtstart=datetime.combine(anchor, time()), wkst=MO)
    expected = list(islice(naive.xafter(start, inc=True), 6))
    assert [s.start for s in fast] == expected


def test_an_end_time_after_an_uppercase_to_reads_like_a_lowercase_one():
    """`MON TO WED` read; `6pm TO 7pm` did not (the split of times ignored case)."""
    upper, lower = parse_schedule("Wed 6pm TO 7pm"), parse_schedule("Wed 6pm to 7pm")
    assert upper.entries == lower.entries
    assert upper.entries[0].end == time(19, 0)


def test_an_rrule_typed_with_spaces_reads_as_the_same_rule():
    spaced = parse_schedule("RRULE:FREQ=WEEKLY; BYDAY=MO, TH; BYHOUR = 9")
    tight = parse_schedule("RRULE:FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9")
    def first_four(schedule):  # type: ignore[no-untyped-def]
        found = slots(schedule, date(2026, 12, 1), datetime(2026, 12, 1), timedelta(hours=1))
        return list(islice(found, 4))
    assert first_four(spaced) == first_four(tight) and len(first_four(tight)) == 4
