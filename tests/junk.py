"""Junk a studio might leave in a cell: what the fuzzers and the state machine type.

One draw from `junk(rng)` is a typo, a number out of range, a formula, a date in the wrong
format, a huge string, an injection attempt or a blank; the same rng gives the same junk.
"""

from __future__ import annotations

import random
import string
from datetime import date, datetime, time


def junk(rng: random.Random) -> object:
    """Something a tired human (or a copy-paste accident) might leave in a cell."""
    choice = rng.randrange(14)
    if choice == 0:
        return "".join(rng.choice(string.ascii_letters + " ") for _ in range(rng.randint(3, 12)))
    if choice == 1:
        return rng.choice([-1, -999, 0, 10**15, -(10**15), 2.5, 1e300, -0.001])
    if choice == 2:
        return rng.choice(["=1/0", "=SUM(A1:A9)", "=HYPERLINK(\"http://x\")", "+1", "@cmd"])
    if choice == 3:
        return rng.choice(["31/12/2026", "12/31/2026", "2026-02-30", "tomorrow", "2026.13.01",
                           "Dec 1st", "٢٠٢٦-١٢-٠١", "2026-12-01T25:00"])
    if choice == 4:
        return "x" * rng.choice([1000, 50_000])
    if choice == 5:
        return "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 20)))
    if choice == 6:
        return rng.choice(["Mon 25:00", "Tuesdy 9am", "every 0 weeks Mon 9:00", "RRULE:FREQ=X",
                           "Mon 9", "Fri 19:00-18:00", "Mon,,, 14:00 pm"])
    if choice == 7:
        return rng.choice([True, False])
    if choice == 8:
        return rng.choice([date(1900, 1, 1), datetime(2026, 12, 1, 14, 30), time(14, 0)])
    if choice == 9:
        return rng.choice(["maybe", "paused", "MANAGER!", "yes please", "n/a", "-", "?"])
    if choice == 10:
        return rng.choice(["a@b", "x\r\nBcc: evil@x.example", "<script>", "ayse@@x.example"])
    if choice == 11:
        return rng.choice(["C404", "P404", "ST404", "G404", "E404"])
    if choice == 12:
        return rng.choice(["1.500", "1,2,3", "1e5", "4000 TRYY", "€€5", "--5", "NaN", "inf"])
    return rng.choice(["", " ", "\t", "\n"])
