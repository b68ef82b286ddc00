"""People-facing text: money, days and times, counts, one-line names.

Pure: the one place that formats values for people (e-mail templates through
`filters`, statements, calendar feeds). English whatever the machine's locale;
money rounded half-up to cents, the currency after the amount.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_CENT = Decimal("0.01")


def format_money(value: object, currency: str = "") -> str:
    """`4,000.00 TRY`: cents rounded half-up, the currency after the amount (if any)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f} {currency}".strip()


def format_day(value: date | None) -> str:
    """`Monday 4 January 2027` (English, whatever the machine's locale)."""
    if value is None:
        return ""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_time(value: datetime | None) -> str:
    """`14:00` (24-hour clock)."""
    return "" if value is None else f"{value:%H:%M}"


def format_short_day(value: date | None) -> str:
    """`Mon 4 Jan 2027`, for tables (English, whatever the machine's locale)."""
    if value is None:
        return ""
    return f"{_WEEKDAYS[value.weekday()][:3]} {value.day} {_MONTHS[value.month - 1][:3]} " \
           f"{value.year}"


def format_when(value: datetime | date | None) -> str:
    """`Monday 4 January 2027 at 14:00`; a plain date gives the day only."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_day(value)
    return f"{format_day(value)} at {format_time(value)}"


def plural(count: int, word: str, many: str = "") -> str:
    """`1 session`, `3 sessions` (or the given plural form)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def one_line(text: object) -> str:
    """`text` on one line: control characters and line breaks become spaces, runs collapse."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch
                      for ch in str(text))
    return " ".join(cleaned.split())


def filters(currency: str) -> dict[str, Callable[..., str]]:
    """The template filters `money`, `day`, `time`, `when`, `plural` and `shortday`."""
    return {"money": partial(format_money, currency=currency), "day": format_day,
            "time": format_time, "when": format_when, "plural": plural,
            "shortday": format_short_day}
