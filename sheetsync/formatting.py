"""People-facing text: money, days and times, counts, one-line names, in the studio's language.

Pure: the one place that formats values for people (e-mail templates through
`filters`, statements, calendar feeds). Every function takes `locale` (`en`, `tr`,
`de`; default `en`). English is written by hand and stays byte for byte what it always
was, whatever the machine's locale; Turkish and German come from Babel's CLDR data
(`17 Aralık 2026 Perşembe`, `Donnerstag, 17. Dezember 2026`, `3.600,00 ₺`). Money is
rounded half-up to cents, the currency after the amount in every language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from .i18n import DEFAULT, translations

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_CENT = Decimal("0.01")
_AMOUNT = "#,##0.00"
_MONEY = "#,##0.00 ¤"  # the currency after the amount, as in English: `3.600,00 ₺`
_SHORT_DAY = {"tr": "EEE d MMM y", "de": "EEE, d. MMM y"}


def format_money(value: object, currency: str = "", locale: str = DEFAULT) -> str:
    """`4,000.00 TRY`, `3.600,00 ₺`: cents rounded half-up, the currency after the amount
    (just the number in the locale's style when there is no currency)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    if locale == DEFAULT:
        return f"{amount:,.2f} {currency}".strip()
    if not currency:
        return format_decimal(amount, format=_AMOUNT, locale=locale)
    return format_currency(amount, currency, format=_MONEY, locale=locale,
                           currency_digits=False)


def format_day(value: date | None, locale: str = DEFAULT) -> str:
    """`Monday 4 January 2027`, `4 Ocak 2027 Pazartesi`, `Montag, 4. Januar 2027`."""
    if value is None:
        return ""
    if locale == DEFAULT:
        return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"
    return format_date(value, "full", locale=locale)


def format_time(value: datetime | None, locale: str = DEFAULT) -> str:
    """`14:00` (24-hour clock, in every language)."""
    return "" if value is None else f"{value:%H:%M}"


def format_short_day(value: date | None, locale: str = DEFAULT) -> str:
    """`Mon 4 Jan 2027`, `Pzt 4 Oca 2027`, `Mo., 4. Jan. 2027`, for tables."""
    if value is None:
        return ""
    if locale == DEFAULT:
        return f"{_WEEKDAYS[value.weekday()][:3]} {value.day} {_MONTHS[value.month - 1][:3]} " \
               f"{value.year}"
    return format_date(value, _SHORT_DAY[locale], locale=locale)


def format_count(value: int, locale: str = DEFAULT) -> str:
    """`12,345` in English, `12.345` in Turkish and German."""
    return f"{value:,}" if locale == DEFAULT else format_decimal(value, format="#,##0",
                                                                 locale=locale)


def format_numeric_day(value: date | None, locale: str = DEFAULT) -> str:
    """`2026-12-01` in English (ISO, as the command line always wrote it), `01.12.2026` in
    Turkish and German: the form a studio types into a date cell."""
    if value is None:
        return ""
    return value.isoformat()[:10] if locale == DEFAULT else format_date(
        value, "dd.MM.y", locale=locale)


def format_stamp(value: datetime | None, locale: str = DEFAULT) -> str:
    """`2026-12-01 14:30`, `01.12.2026 14:30`: a moment on the command line."""
    if value is None:
        return ""
    return f"{format_numeric_day(value, locale)} {value:%H:%M}"


def format_table_moment(value: datetime | date | None, locale: str = DEFAULT) -> str:
    """`Tue 2026-12-01 14:30`, `Sal 01.12.2026 14:30`, `Di. 01.12.2026 14:30` (a plain date
    without the time), for the command line's tables."""
    if value is None:
        return ""
    weekday = (_WEEKDAYS[value.weekday()][:3] if locale == DEFAULT
               else format_date(value, "EEE", locale=locale))
    day = f"{weekday} {format_numeric_day(value, locale)}"
    return f"{day} {value:%H:%M}" if isinstance(value, datetime) else day


def format_month(value: date, locale: str = DEFAULT) -> str:
    """`December 2026`, `Aralık 2026`, `Dezember 2026` (the month of `value`)."""
    if locale == DEFAULT:
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return format_date(value, "LLLL y", locale=locale)


def format_when(value: datetime | date | None, locale: str = DEFAULT) -> str:
    """`Monday 4 January 2027 at 14:00`; a plain date gives the day only."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_day(value, locale)
    at = translations(locale).gettext("%(day)s at %(time)s")
    return at % {"day": format_day(value, locale), "time": format_time(value, locale)}


def plural(count: int, word: str, many: str = "", locale: str = DEFAULT) -> str:
    """`1 session`, `3 sessions` (or the given plural form); the catalog's words elsewhere."""
    return f"{count} {translations(locale).ngettext(word, many or word + 's', count)}"


def one_line(text: object) -> str:
    """`text` on one line: control characters and line breaks become spaces, runs collapse."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch
                      for ch in str(text))
    return " ".join(cleaned.split())


def filters(currency: str, locale: str = DEFAULT) -> dict[str, Callable[..., str]]:
    """The template filters `money`, `day`, `time`, `when`, `plural` and `shortday`."""
    return {"money": partial(format_money, currency=currency, locale=locale),
            "day": partial(format_day, locale=locale),
            "time": partial(format_time, locale=locale),
            "when": partial(format_when, locale=locale),
            "plural": partial(plural, locale=locale),
            "shortday": partial(format_short_day, locale=locale)}
