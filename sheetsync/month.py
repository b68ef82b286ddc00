"""A calendar month (`2026-12`): what the commission report is run for and its tab is keyed by."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from . import cells

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-12` -> Month; anything else raises ValueError."""
        match = _MONTH.match(text)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise ValueError(f"{text!r} is not a month like 2026-12")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def before(cls, day: date) -> Month:
        """The calendar month before the one `day` falls in (what a studio runs on the 1st)."""
        return cls(day.year - 1, 12) if day.month == 1 else cls(day.year, day.month - 1)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and (day.year, day.month) == (self.year, self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_of(value: object) -> Month | None:
    """The month a cell names: `2026-12` as text, or a date cell (a spreadsheet program may
    have turned the text into one)."""
    if isinstance(value, date):
        return Month.of(value)
    try:
        return Month.parse(cells.text(value))
    except ValueError:
        return None
