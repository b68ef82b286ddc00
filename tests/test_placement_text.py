"""The `planned` text of an appointment is byte for byte what strftime wrote before the
faster formatting (issue 14): rows planned by earlier versions must never look moved."""

from __future__ import annotations

from datetime import date, datetime, time

from hypothesis import example, given
from hypothesis import strategies as st

from sheetsync.model import Appointment


@given(st.dates(), st.times(), st.times(), st.sampled_from(["", "ST007", " S 1 ", "Ann"]))
@example(date(999, 3, 4), time(9, 5), time(10, 0), "ST1")
@example(date(1, 1, 1), time(0, 0), time(23, 59, 59), "")
@example(datetime(2026, 1, 5, 9, 30), time(9, 30), time(10, 0), "ST1")
def test_placement_reads_as_strftime_wrote_it(day: date, start: time, end: time,
                                              staff_id: str) -> None:
    a = Appointment("E1-1-01", "E1", 1, 1, "C1", "Ann", "", staff_id, day, start, end,
                    "pending")
    assert a.placement == f"{day:%Y-%m-%d} {start:%H:%M}-{end:%H:%M} {staff_id}".strip()
