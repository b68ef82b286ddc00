"""The studios the tests share, as the sheet looks: text tables for `tests.studio.studio`.

2026-11-30 is a Monday. In PHYSIO the physiotherapy client Ayse (C1) comes Mon and Thu at
14:00 with Elif (ST1, 40%) from that day. Test modules import their studios from here, never
from one another (tests/test_layout_of_tests.py keeps it so).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sheetsync.stores.xlsx import XlsxStore
from tests.studio import xlsx_studio

BASE = """
Packages
package_id | name                              | sessions | price | duration_min
PHY10      | 10-Session Physiotherapy Package  | 10       | 4000  | 60
PIL4       | 4-Class Group Pilates             | 4        | 1000  |

Clients
client_id | name   | email          | status
C1        | Ayse   | ayse@x.example | active
C2        | Mehmet |                |
C3        | Selin  |                |
C4        | Deniz  |                |

Staff
staff_id | name   | role    | commission_rate
ST1      | Elif   | staff   | 40%
ST2      | Can    | staff   |
MGR      | Zeynep | manager |

Groups
group_id | name            | staff_id | schedule      | capacity
G1       | Morning Pilates | ST2      | Tue,Fri 09:00 | 8
"""

PHYSIO = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | price_override
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 |
"""

# PHYSIO with e-mail addresses for Elif and the manager: an ended package alerts all three.
STAFFED = PHYSIO.replace("staff_id | name   | role    | commission_rate",
                         "staff_id | name   | role    | commission_rate | email").replace(
    "ST1      | Elif   | staff   | 40%", "ST1      | Elif   | staff   | 40% | elif@s.example").replace(
    "MGR      | Zeynep | manager |", "MGR      | Zeynep | manager |     | zeynep@s.example")
ENDED = datetime(2027, 1, 1, 10, 0)  # PHYSIO's ten sessions are held, period 2 is planned

# Two clients with their own staff member: Ayse Mon and Thu with Elif, Mehmet Tue with Can.
TWO_CLIENTS = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
E2            | C2        | PHY10      | 2026-11-30 | ST2      | Tue 10:00
"""

# Every studio tab filled, every optional column used: what the fuzzers type junk into.
EVERY_TAB = """
Packages
package_id | name     | sessions | price | duration_min | commission_rate | active
P10        | Physio   | 10       | 4000  | 50           | 40%             | yes
P4         | Pilates  | 4        | 1000  |              |                 | yes

Clients
client_id | name   | email          | phone | status
C1        | Ayse   | ayse@x.example | 555   | active
C2        | Mehmet | m@x.example    |       | active
C3        | Selin  |                |       | closed

Staff
staff_id | name   | email          | role    | commission_rate
ST1      | Elif   | elif@x.example | staff   | 40%
ST2      | Can    |                | staff   | 0.35
MGR      | Zeynep | z@x.example    | manager |

Groups
group_id | name    | staff_id | schedule      | capacity
G1       | Morning | ST2      | Tue,Fri 09:00 | 8

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | group_id | price_override | auto_renew | status
E1            | C1        | P10        | 2026-11-02 | ST1      | Mon 14:00, Thu 14:00 |          | 3600           | yes        | active
E2            | C2        | P4         | 2026-11-03 |          |                      | G1       |                | no         | active
E3            | C3        | P4         | 2026-11-03 | ST2      | Wed 18:00-19:00      |          |                | yes        | active

Payments
enrollment_id | amount | date       | period | method | note
E1            | 1800   | 2026-11-02 | 1      | cash   | first half
E2            | 500    | 2026-11-03 |        | card   |

Closures
start_date | end_date   | staff_id | client_id | group_id | reason
2026-11-20 | 2026-11-21 |          |           |          | Renovation
2026-11-24 |            | ST1      |           |          | Leave
"""


def physio_workbook(path: Path) -> XlsxStore:
    """The PHYSIO studio as an .xlsx file, typed in by hand with openpyxl."""
    return XlsxStore(xlsx_studio(path, PHYSIO))
