"""A workbook full of junk, laid out in a locale: every kind of problem reading can find.

`junk_tables(locale)` gives the studio's tabs and Appointments titled in `locale` (as
`init --locale` lays them out), each with rows of the fuzzers' junk (tests/junk.py), cells
a spreadsheet could not compute (`cells.Unusable`), and rows written to break the rules across
rows (duplicate ids, unknown references, a full group, a closure ending before it starts,
a session ending before it starts, an `open` row naming someone).
"""

from __future__ import annotations

import random

from sheetsync import cells
from sheetsync.schema import APPOINTMENTS, OWNED_TABS, STUDIO_TABS, localized
from sheetsync.stores.base import Cell, Table
from tests.junk import junk

JUNK_ROWS = 40

# English names -> rows (column -> value) that break a rule across rows or need a good row.
RULE_BREAKERS: dict[str, list[dict[str, Cell]]] = {
    "Packages": [
        {"package_id": "P1", "name": "Physio", "sessions": 4, "price": 100},
        {"package_id": "P2", "name": "Twice", "sessions": 4, "price": 100},
        {"package_id": "P2", "name": "Twice again", "sessions": 4, "price": 100},
        {"package_id": "P3", "name": "Typo", "sessions": 900, "price": 100},
        {"package_id": "P4", "name": "Long", "sessions": 4, "price": 100, "duration_min": 3000},
    ],
    "Clients": [
        {"client_id": "C1", "name": "Ayşe"}, {"client_id": "C2", "name": "Jonas"},
        {"client_id": "C3", "name": "Klingon", "language": "Klingon"},
        {"client_id": "C4", "name": "Bad mail", "email": "ayse@@x"},
    ],
    "Staff": [
        {"staff_id": "S1", "name": "Elif"},
        {"staff_id": "S2", "name": "Can", "role": "boss"},
    ],
    "Groups": [
        {"group_id": "G1", "name": "Pilates", "staff_id": "S1", "schedule": "Mon 18:00",
         "capacity": 1},
        {"group_id": "G2", "name": "Nobody's", "staff_id": "S9", "schedule": "Tue 18:00"},
    ],
    "Enrollments": [
        {"enrollment_id": "E1", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02",
         "group_id": "G1"},
        {"enrollment_id": "E2", "client_id": "C2", "package_id": "P1", "start_date": "2026-11-02",
         "group_id": "G1"},
        {"enrollment_id": "E3", "client_id": "C9", "package_id": "P1", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "Mon 14:00"},
        {"enrollment_id": "E4", "client_id": "C1", "package_id": "P2", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "Mon 14:00"},
        {"enrollment_id": "E5", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02"},
        {"enrollment_id": "E6", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "Mon 14:00 every 2 weeks every 3 weeks"},
        {"enrollment_id": "E7", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "Mon 18:00-17:00"},
        {"enrollment_id": "E8", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "RRULE:FREQ=WEEKLY;BYDAY=MO"},
        {"enrollment_id": "E9", "client_id": "C1", "package_id": "P1", "start_date": "2026-11-02",
         "staff_id": "S1", "schedule": "Mon 14:00", "auto_renew": "perhaps",
         "status": "sleeping"},
    ],
    "Payments": [
        {"enrollment_id": "E404", "amount": 10, "date": "2026-11-02"},
        {"enrollment_id": "E1", "amount": -10, "date": "2026-11-02"},
        {"enrollment_id": "E1", "amount": "1,500", "date": "2026-11-02", "period": 0},
    ],
    "Closures": [
        {"start_date": "2026-12-10", "end_date": "2026-12-01"},
        {"start_date": "2026-12-10", "client_id": "C9"},
        {"start_date": "2026-12-25", "staff_id": "S1", "reason": "open"},
    ],
    "Appointments": [
        {"appointment_id": "A1", "enrollment_id": "E404", "period": 1, "date": "2026-11-02",
         "start": "14:00", "end": "15:00", "status": "pending"},
        {"appointment_id": "A2", "enrollment_id": "E4", "period": 1, "date": "2026-11-02",
         "start": "14:00", "end": "13:00", "status": "completed", "staff_id": "S1"},
        {"appointment_id": "A3", "enrollment_id": "E4", "period": 1, "date": "2026-11-02",
         "start": "14:00", "end": "15:00", "status": "completed", "staff_id": "S8"},
        {"appointment_id": "A3", "enrollment_id": "E4", "period": 1, "date": "2026-11-09",
         "start": "14:00", "end": "15:00", "status": "done?"},
        {"enrollment_id": "E4", "period": 1, "date": "2026-11-16", "start": "14:00",
         "end": "15:00", "status": "pending"},
        {"appointment_id": "A5", "enrollment_id": "E4", "period": 1, "date": "2026-11-16",
         "start": "25:99", "end": "15:00", "status": "", "commission": "x"},
    ],
}

UNUSABLE: tuple[Cell, ...] = (cells.error_value("#N/A"), cells.uncached_formula("A1*2"),
                                cells.absurd_serial("9999999"))


def junk_tables(locale: str, seed: int = 15) -> dict[str, Table]:
    """Every tab titled in `locale`: the studio's and Appointments full of junk and broken
    rules, the other tabs sheetsync writes empty."""
    rng = random.Random(seed)
    tables: dict[str, Table] = {}
    for tab in (*STUDIO_TABS, APPOINTMENTS):
        laid_out = localized(tab, locale)
        names = [c.name for c in tab.columns + tab.extras]
        rows = [_row(names, row) for row in RULE_BREAKERS.get(tab.name, [])]
        rows += [[junk(rng) for _ in names] for _ in range(JUNK_ROWS)]
        rows.append([UNUSABLE[i % len(UNUSABLE)] for i in range(len(names))])
        header: list[Cell] = [c.name for c in laid_out.columns + laid_out.extras]
        tables[laid_out.name] = Table(laid_out.name, header, rows)
    for tab in OWNED_TABS:
        if tab is not APPOINTMENTS:
            laid_out = localized(tab, locale)
            tables[laid_out.name] = Table(laid_out.name, [c.name for c in laid_out.columns], [])
    return tables


def _row(names: list[str], values: dict[str, Cell]) -> list[Cell]:
    return [values.get(name) for name in names]
