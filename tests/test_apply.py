"""From plan to cell changes: only what differs, in the right type, guarded where it matters."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sheetsync.schema import Kind
from sheetsync.sheet import same_cell
from tests.studio import column, edit, records, set_status, studio, sync
from tests.studios import PHYSIO

NOW = datetime(2026, 12, 4, 10, 0)


@pytest.mark.parametrize(("kind", "raw", "wanted", "same"), [
    (Kind.TEXT, "E1", "E1", True),
    (Kind.TEXT, 1001, "1001", False),  # a number where text belongs is rewritten as text
    (Kind.TEXT, None, "", True),
    (Kind.INT, 3, 3, True),
    (Kind.INT, 3.0, 3, True),
    (Kind.INT, "3", 3, False),
    (Kind.MONEY, 1000.1, Decimal("1000.10"), True),
    (Kind.MONEY, 1000, Decimal("1000.00"), True),
    (Kind.DATE, datetime(2026, 12, 1), date(2026, 12, 1), True),
    (Kind.DATE, 46357, date(2026, 12, 1), True),  # Google's serial number
    (Kind.DATE, "2026-12-01", date(2026, 12, 1), False),  # text becomes a real date cell
    (Kind.TIME, time(14, 0), time(14, 0), True),
    (Kind.TIME, 14 / 24, time(14, 0), True),
    (Kind.TIME, datetime(1899, 12, 30, 14, 0), time(14, 0), True),
    (Kind.TIME, "14:00", time(14, 0), False),
    (Kind.DATETIME, datetime(2026, 12, 1, 14, 0, 30), datetime(2026, 12, 1, 14, 0), True),
    (Kind.DATETIME, 46357 + 14 / 24, datetime(2026, 12, 1, 14, 0), True),
    (Kind.DATETIME, None, None, True),
    (Kind.DATETIME, datetime(2026, 12, 1), None, False),
])
def test_same_cell(kind, raw, wanted, same):
    assert same_cell(kind, raw, wanted) is same


def test_an_idempotent_sync_writes_only_its_runs_row():
    store = studio(PHYSIO)
    sync(store, NOW)
    again = sync(store, NOW)
    assert {t: c.cells_written for t, c in again.changes.tabs.items() if c} == {"Runs": 13}


def test_one_status_change_writes_a_handful_of_cells():
    store = studio(PHYSIO)
    sync(store, NOW)
    set_status(store, "E1", "2026-12-10 14:00", "cancelled")
    report = sync(store, NOW)
    written = {t: c.cells_written for t, c in report.changes.tabs.items() if c}
    assert written["Appointments"] == 12  # the make-up row (its group_id stays empty)
    assert written["Balances"] <= 3  # cancelled, last_session
    assert sum(written.values()) < 40


def test_rows_the_studio_may_be_editing_are_guarded():
    store = studio(PHYSIO)
    sync(store, NOW)
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    report = sync(store, datetime(2026, 12, 8, 10, 0))
    changes = report.changes.tabs["Appointments"]
    status = column("Appointments", "status")
    assert changes.deletes and set(changes.deletes) <= set(changes.guards)
    completed_row = next(r for (r, c) in changes.updates if c == status)
    assert status in changes.guards[completed_row]


def test_balances_of_held_enrollments_stay_and_stale_rows_go():
    store = studio(PHYSIO)
    sync(store, NOW)
    store.append("Balances", {"enrollment_id": "GONE", "period": 1, "used": 3})
    store.append("Balances", {"enrollment_id": "E1", "period": 1, "used": 99})  # duplicate
    sync(store, NOW)
    assert [(b["enrollment_id"], b["used"]) for b in records(store, "Balances")] == [("E1", 2)]
    edit(store, "Enrollments", {"enrollment_id": "E1"}, package_id="NOPE")
    sync(store, NOW)
    assert [(b["enrollment_id"], b["used"]) for b in records(store, "Balances")] == [("E1", 2)]


def test_the_problems_tab_holds_exactly_the_current_problems():
    store = studio(PHYSIO)
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Mon 25:00")
    store.append("Problems", {"tab": "old", "problem": "stale"})
    store.append("Problems", {"tab": "older", "problem": "stale"})
    sync(store, NOW)
    assert [p["column"] for p in records(store, "Problems")] == ["schedule"]
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Mon 14:00")
    sync(store, NOW)
    assert records(store, "Problems") == []


@given(st.sampled_from(list(Kind)),
       st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 3), st.booleans(),
                 st.dates(date(2026, 1, 1), date(2026, 1, 3)),
                 st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 3)).map(
                     lambda d: d.replace(minute=0, second=0, microsecond=0)),
                 st.floats(-3, 3, allow_nan=False)),
       st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 3),
                 st.dates(date(2026, 1, 1), date(2026, 1, 3))))
def test_the_fast_comparison_agrees_with_the_full_one(kind, raw, wanted):
    """same_cell's shortcut for exact types must decide exactly as its general rules do."""
    from sheetsync import sheet

    saved = sheet._EXACT
    sheet._EXACT = {}
    try:
        full = sheet.same_cell(kind, raw, wanted)
    except AssertionError:
        assume(False)  # the plan never wants a value of another kind
    finally:
        sheet._EXACT = saved
    assert sheet.same_cell(kind, raw, wanted) == full


def test_rows_with_only_the_studios_own_cells_are_no_records_and_take_the_next_new_ones():
    """A studio fills its own formula column down past the data, as spreadsheet users do."""
    store = studio(PHYSIO)
    sync(store, NOW)
    for tab in ("Appointments", "Balances"):
        table = store.tables[tab]
        table.header.append("label")
        used = len(table.rows)
        for i, row in enumerate(table.rows):
            row.extend([None] * (len(table.header) - 1 - len(row)) + [f"mine {i}"])
        for extra in range(3):  # filled in advance, below the data
            table.rows.append([None] * (len(table.header) - 1) + [f"ahead {extra}"])
        assert len(table.rows) == used + 3
    appointments_before = len(records(store, "Appointments")) - 3
    report = sync(store, datetime(2027, 1, 5, 10, 0))  # period 1 ends: ten new sessions
    assert report.plan.added and not report.plan.problems
    rows = records(store, "Appointments")
    # the first new appointments went into the rows prepared for them, keeping the labels
    prepared = rows[appointments_before:appointments_before + 3]
    assert [r["label"] for r in prepared] == ["ahead 0", "ahead 1", "ahead 2"]
    assert all(r["appointment_id"] for r in prepared)
    balances = records(store, "Balances")
    assert [b["label"] for b in balances[-3:]] != [None, None, None]
    assert "ahead 2" in [b["label"] for b in balances]  # never deleted as a stray row
