"""The .xlsx workbook and the Google Sheet agree on where the studio's cells end up.

The same studio (tests/studio_rows.py) goes through the same syncs on both
backends: a first sync, the studio's own formulas, notes, merged cell and
dashboard added by hand, client C1 closed, a sync that deletes C1's future rows.
The two row-moving implementations are independent (sheetsync/stores/rowmoves.py
for .xlsx, localsheets/moves.py for the Google stand-in), so agreeing
appointment by appointment is a real cross-check, and each must also be right:
every studio formula reads its own row, every note and merge sits on the row of
the appointment it was put on.
"""

from __future__ import annotations

import gspread
import pytest

from localsheets import LocalSheets
from sheetsync.stores.gsheets_access import ServiceAccount
from tests.google_fixtures import account, server, studio_client
from tests.studio_rows import (
    GONE,
    NOTES,
    ROOM,
    GoogleStudio,
    StudioRow,
    XlsxStudio,
    dashboard_formulas,
    label_formula,
    run_closing_sequence,
)

__all__ = ["account", "server", "studio_client"]

Outcome = tuple[dict[str, StudioRow], dict[str, StudioRow], dict[str, str]]


@pytest.fixture(scope="module")
def outcomes(server: LocalSheets, account: ServiceAccount, studio_client: gspread.Client,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Backend -> (studio rows before, after, dashboard formulas after)."""
    studios = {
        "xlsx": XlsxStudio(tmp_path_factory.mktemp("xlsx") / "studio.xlsx"),
        "google": GoogleStudio(server, account, studio_client),
    }
    out: dict[str, Outcome] = {}
    for name, studio in studios.items():
        before, after = run_closing_sequence(studio)
        out[name] = (before, after, studio.dashboard())
    return out


@pytest.mark.parametrize("backend", ["xlsx", "google"])
def test_each_studio_cell_stays_on_the_row_of_its_appointment(outcomes, backend):
    before, after, _ = outcomes[backend]
    assert set(before) - set(after) == {f"E1-1-{n:02d}" for n in range(3, 11)}
    for appointment, cells in after.items():
        assert cells.label == label_formula(cells.row), appointment
        assert cells.note == NOTES.get(appointment), appointment
        assert cells.merged_room == (appointment == ROOM[0]), appointment


@pytest.mark.parametrize("backend", ["xlsx", "google"])
def test_the_dashboard_points_at_the_same_appointments(outcomes, backend):
    _, after, shared = outcomes[backend]
    dashboard = dict(shared)
    expected = dashboard_formulas({a: cells.row for a, cells in after.items()})
    assert GONE not in after and dashboard["B6"] == "=#REF!"
    assert dashboard == expected


def test_xlsx_and_google_agree_appointment_by_appointment(outcomes):
    _, xlsx, xlsx_dashboard = (dict(part) for part in outcomes["xlsx"])
    _, google, google_dashboard = (dict(part) for part in outcomes["google"])
    assert xlsx == google
    assert xlsx_dashboard == google_dashboard  # a pointer into a deleted row: '=#REF!' on both


def test_the_scenario_really_moves_rows(outcomes):
    before, after, _ = outcomes["google"]
    assert {a: c.row for a, c in before.items() if a in after} != {
        a: c.row for a, c in after.items()}
