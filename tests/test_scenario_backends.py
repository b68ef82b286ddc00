"""The backends the scenario suite runs on (tests/backends.py) compare every read with memory.

The scenarios of test_sync_rules.py and test_problems.py run on memory, on an .xlsx file and
on a Google Sheet through the `studio` fixture; on .xlsx and Google a `Twin` checks at every
read that the workbook holds exactly what memory holds. These tests show that the check
bites and that a month of syncs leaves the same cells on every backend.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.backends import StudioBuilder, Twin
from tests.studio import sync
from tests.studios import PHYSIO

WORKBOOKS = ["xlsx", "google"]


@pytest.mark.parametrize("backend", WORKBOOKS)
def test_the_twin_notices_a_difference(studio: StudioBuilder) -> None:
    twin: Twin = studio(PHYSIO)
    twin.read()
    twin.memory.set("Clients", 2, "name", "Someone else")
    with pytest.raises(AssertionError):
        twin.read()


@pytest.mark.parametrize("backend", WORKBOOKS)
def test_a_cell_the_studio_types_reaches_the_workbook(studio: StudioBuilder) -> None:
    twin: Twin = studio(PHYSIO)
    twin.set("Clients", 2, "name", "Ayşe Çelik")
    assert twin.other.read()["Clients"].rows[0][1] == "Ayşe Çelik"
    twin.read()


@pytest.mark.parametrize("backend", WORKBOOKS)
def test_same_cells_after_a_month_of_syncs(studio: StudioBuilder) -> None:
    twin: Twin = studio(PHYSIO)
    for day in ("2026-11-29T12:00", "2026-12-05T09:00", "2026-12-20T09:00", "2027-01-05T09:00"):
        sync(twin, datetime.fromisoformat(day))  # type: ignore[arg-type]
        twin.read()
    workbook = twin.other.read()["Appointments"]
    assert len(workbook.rows) == len(twin.memory.read()["Appointments"].rows) > 10
