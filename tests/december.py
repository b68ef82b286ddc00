"""The December studio of the commission report tests, in memory and as an .xlsx file.

2026-11-30 is a Monday. E1, Ayse: 10-Session Physiotherapy at 3600 (360 a session) with Elif
(ST1, 40%) Mon and Thu 14:00 from 30 Nov; E2, Mehmet: 3-Session Personal Training with Elif,
Wed 10:00; E3, Selin: Can's Pilates group (the package's own rate, 25%). In December Can
stands in on 10 Dec, 14 Dec is cancelled, 17 Dec has its own price of 250 and 21 Dec is a
paid cancel. tests/test_report.py works the month out by hand.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

from sheetsync.month import Month
from sheetsync.schema import ALL_TABS, header_key
from sheetsync.stores.base import Layout, WorkbookChanges
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import appointment_at, edit, studio, sync

STUDIO = """
Packages
package_id | name                             | sessions | price | duration_min | commission_rate
PHY10      | 10-Session Physiotherapy Package | 10       | 4000  | 60           |
PT3        | 3-Session Personal Training      | 3        | 1000  | 60           |
PIL4       | 4-Class Group Pilates            | 4        | 1000  | 60           | 25

Clients
client_id | name
C1        | Ayse
C2        | Mehmet
C3        | Selin

Staff
staff_id | name   | role    | commission_rate
ST1      | Elif   | staff   | 40%
ST2      | Can    | staff   | 0.35
MGR      | Zeynep | manager |

Groups
group_id | name            | staff_id | schedule      | capacity
G1       | Morning Pilates | ST2      | Tue,Fri 09:00 | 8

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | group_id | price_override | auto_renew
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 |          | 3600           |
E2            | C2        | PT3        | 2026-12-01 | ST1      | Wed 10:00            |          |                | no
E3            | C3        | PIL4       | 2026-12-01 |          |                      | G1       |                | no
"""

DECEMBER = Month(2026, 12)
PLANNED = datetime(2026, 11, 29, 9, 0)
MID_DECEMBER = datetime(2026, 12, 15, 12, 0)
NEW_YEAR = datetime(2027, 1, 1, 0, 0)  # the last sync of the year
FIRST_OF_JANUARY = datetime(2027, 1, 1, 0, 5)  # when the studio runs the report


def edit_session(store: MemoryStore, when: str, **values: object) -> None:
    row = appointment_at(store, "E1", when)
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, **values)


def december_studio(*, last_sync: datetime | None = NEW_YEAR) -> MemoryStore:
    """The studio planned in November, edited by the studio in December, synced at `last_sync`."""
    store = studio(STUDIO)
    sync(store, PLANNED)
    edit_session(store, "2026-12-10 14:00", staff_id="ST2")
    edit_session(store, "2026-12-14 14:00", status="cancelled")
    edit_session(store, "2026-12-17 14:00", price=250)
    edit_session(store, "2026-12-21 14:00", status="paid_cancel")
    if last_sync is not None:
        sync(store, last_sync)
    return store


def to_xlsx(store: MemoryStore, path: Path) -> XlsxStore:
    """The memory workbook as an .xlsx file, every cell under the header of the same name."""
    xlsx = XlsxStore(path)
    xlsx.lay_out(Layout(tabs=ALL_TABS))
    on_disk = xlsx.read()
    changes = WorkbookChanges()
    for title, table in store.read().items():
        positions = {header_key(h): i + 1 for i, h in enumerate(on_disk[title].header)}
        out = changes.tab(title)
        for r, values in enumerate(table.rows, start=2):
            for header, value in zip(table.header, values, strict=False):
                if value is not None:
                    out.updates[(r, positions[header_key(header)])] = value
    xlsx.write(changes)
    return XlsxStore(path)


def december_workbook(path: Path) -> XlsxStore:
    return to_xlsx(december_studio(), path)


def charts(path: Path) -> list[str]:
    """The XML of every chart part in the file, as LibreOffice and Excel will read it."""
    with zipfile.ZipFile(path) as archive:
        return [archive.read(n).decode() for n in sorted(archive.namelist())
                if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
