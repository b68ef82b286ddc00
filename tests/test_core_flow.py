"""One straight flow from read to write: a frozen snapshot, a complete plan, a Runs row
that apply writes once with the store's own request counts."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from sheetsync import engine
from sheetsync.publicholidays import HolidaySettings
from sheetsync.read import read_snapshot
from tests.studio import studio
from tests.studios import PHYSIO

OCTOBER = PHYSIO.replace("2026-11-30", "2026-10-26")  # Republic Day, Thu 29 Oct, is a session


def test_the_snapshot_is_frozen():
    snapshot = read_snapshot(studio(PHYSIO).read())
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.closures = ()  # type: ignore[misc]
    assert isinstance(snapshot.closures, tuple) and isinstance(snapshot.appointments, tuple)
    assert isinstance(snapshot.held, frozenset) and isinstance(snapshot.problems, tuple)


def test_public_holidays_are_merged_into_a_new_snapshot():
    store = studio(OCTOBER)
    now = datetime(2026, 10, 20, 9, 0)
    read = read_snapshot(store.read())
    merged = engine.with_holidays(read, HolidaySettings("TR"), now)
    assert read.closures == ()  # the snapshot as read is left as it was
    holidays = [c for c in merged.closures if c.public_holiday]
    assert "Republic Day" in " ".join(c.reason for c in holidays)
    assert {c.start_date.year for c in holidays} == set(range(2026, 2033))
    assert engine.with_holidays(read, None, now) is read


def test_read_and_plan_plans_around_the_merged_holidays():
    _, snapshot, plan = engine.read_and_plan(studio(OCTOBER), datetime(2026, 10, 20, 9, 0),
                                             holidays=HolidaySettings("TR"))
    assert any(c.public_holiday for c in snapshot.closures)
    assert "2026-10-29" not in {f"{a.date}" for a in plan.appointments}
