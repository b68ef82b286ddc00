"""Reading one cell a studio typed: dates, times, money, rates, yes/no, counts.

Every parser takes the raw cell value as a store delivers it (str, int, float,
bool, date, time, datetime or None) and returns a typed value or raises
`CellError` with a sentence a studio owner understands. Spreadsheet serial
numbers (days since 1899-12-30, as Google Sheets delivers date cells) are read
as dates and times too, so both backends read the same. Dates outside
1900-01-01 .. 9000-12-31 are no studio's dates: they are refused, never planned.

A store delivers `Unusable` for a cell that holds no value at all (a spreadsheet
error such as #N/A, a formula whose result was never saved, a date serial no
calendar has): it is never text, an id or an empty cell, and read.py reports it.

The parsers of dates, times, money, rates, yes/no and statuses take the workbook's
`locale` (`en`, the default, `tr`, `de`): `functools.partial(parse_money, locale="tr")`
reads a Turkish workbook. English reads exactly as it always has; Turkish and German read
their own conventions (`1.500,00`, `2.000`, `01.12.2026`, `1 Aralık 2026`, `evet`,
`tamamlandı`) and English's unambiguous ones too (`2026-12-01`, `1,500.00`, `yes`,
`completed`). Messages stay English sentences, each built in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING

from . import words
from .phrases import P_, Phrase, one_of

if TYPE_CHECKING:
    from babel import Locale

SERIAL_EPOCH = datetime(1899, 12, 30)
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the studio.

    Raised with a `Phrase` (`CellError(P_(...))`): str() is the English sentence and
    `phrase` the sentence to translate. A plain str still works: an untranslated sentence.
    """

    @property
    def phrase(self) -> Phrase | None:
        first = self.args[0] if self.args else None
        return first if isinstance(first, Phrase) else None


ERROR_CODES = frozenset({"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                         "#ERROR!", "#SPILL!", "#CALC!", "#GETTING_DATA"})


@dataclass(frozen=True, slots=True)
class Unusable:
    """A cell holding no usable value: `shown` is what it shows, `cause` why it is unusable."""

    shown: str
    cause: str  # completes "<column> ...": "shows the error #N/A: fix the formula ..."
    # the whole sentence, "{column} shows the error ...", for the studio's language
    phrase: Phrase | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.shown


def error_value(code: str) -> Unusable:
    return Unusable(code, f"shows the error {code}: fix the formula or type the value",
                    P_("{column} shows the error {code}: fix the formula or type the value",
                       code=code))


def uncached_formula(formula: str) -> Unusable:
    return Unusable(f"={formula}" if formula else "(a formula)",
                    "is a formula whose result was never saved: open the workbook in your "
                    "spreadsheet program and save it once",
                    P_("{column} is a formula whose result was never saved: open the workbook "
                       "in your spreadsheet program and save it once"))


def absurd_serial(number: str) -> Unusable:
    return Unusable(number, f"holds the date number {number}, which is no date on any "
                    "calendar: type the date again",
                    P_("{column} holds the date number {number}, which is no date on any "
                       "calendar: type the date again", number=number))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    """A cell as trimmed text; numbers typed into text columns lose a trailing `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value).strip()


def from_serial(serial: float) -> datetime:
    return SERIAL_EPOCH + timedelta(days=serial)


def to_serial(value: date | datetime | time) -> float:
    if isinstance(value, datetime):
        delta = value - SERIAL_EPOCH
        return delta.days + delta.seconds / 86400
    if isinstance(value, date):
        return float((value - SERIAL_EPOCH.date()).days)
    return (value.hour * 3600 + value.minute * 60 + value.second) / 86400


_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


FIRST_DAY = date(1900, 1, 1)  # serial 1
LAST_YEAR = 9000  # later years are typos (or serials no calendar has), never planned


def parse_date(value: object, locale: str = "en") -> date:
    if _english(locale):
        return _plausible(_date(value))
    return _plausible(_local_date(value, words.language(locale)))


def _english(locale: str) -> bool:
    return locale == "en" or words.language(locale) == "en"


def _date(value: object, lang: str = "en") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # 1900-01-01 .. 9999-12-31
            return from_serial(float(value)).date()
        raise CellError(P_("{raw} is not a date; write it as {example}", raw=text(value),
                           example=_DATE_EXAMPLE[lang]))
    raw = text(value)
    match = _ISO_DATE.match(raw)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise _not_a_date(raw, lang)


_DATE_EXAMPLE = {"en": "2026-12-01", "tr": "01.12.2026", "de": "01.12.2026"}


def _not_a_date(raw: str, lang: str) -> CellError:
    return CellError(P_("'{raw}' is not a date; write it as {example}", raw=raw,
                        example=_DATE_EXAMPLE[lang]))


_DAY_FIRST = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\.?(?:[ T,]+\d{1,2}[:.]\d{2}(?::\d{2})?)?$")
_DATE_WORDS = re.compile(r"\d+|[^\W\d_]+")


def _local_date(value: object, lang: str) -> date:
    """A Turkish or German date: day first (`01.12.2026`, `1/12/26`), in words (`1 Aralık
    2026`, `17 Aralık 2026 Perşembe`, `Donnerstag, 17. Dezember 2026`) or ISO."""
    raw = text(value) if isinstance(value, str) else ""
    if not raw:
        return _date(value, lang)  # a date cell, or a number: its example in the locale
    if _ISO_DATE.match(raw):
        return _date(value)
    match = _DAY_FIRST.match(raw)
    try:
        if match:
            return date(_full_year(match[4]), int(match[3]), int(match[1]))
        if len(raw) <= 60 and re.fullmatch(r"[\w\s.,]+", raw):
            return _date_in_words(raw, lang)
    except CellError:
        raise
    except ValueError:  # no such day (31.02.2026), or a word that is no month or weekday
        pass
    raise _not_a_date(raw, lang)


def _full_year(digits: str) -> int:
    """`26` -> 2026 and `85` -> 1985, as a calendar reads a two-digit year (POSIX's pivot)."""
    year = int(digits)
    if len(digits) > 2:
        return year
    return year + (2000 if year < 69 else 1900)


def _date_in_words(raw: str, lang: str) -> date:
    """One day number, one month name, a four-digit year and at most one weekday, in any
    order; a weekday that is not the date's own is a typo, never ignored."""
    numbers: list[str] = []
    month: list[int] = []
    weekday: list[int] = []
    for token in _DATE_WORDS.findall(raw):
        if token.isdigit():
            numbers.append(token)
        elif (found := words.months(lang).meaning(token)) is not None:
            month.append(found)
        elif (named := words.weekdays(lang).meaning(token)) is not None:
            weekday.append(named)
        else:
            raise ValueError(token)
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(month) != 1 or len(years) != 1 or len(days) != 1 or len(numbers) != 2 \
            or len(weekday) > 1:
        raise ValueError(raw)
    day = date(int(years[0]), month[0], int(days[0]))
    if weekday and weekday[0] != day.weekday():
        raise CellError(P_("'{raw}' says {said}, but that date is a {weekday}; check the date",
                           raw=raw, said=words.day_name(weekday[0], lang),
                           weekday=words.day_name(day.weekday(), lang)))
    return day


def _plausible(day: date) -> date:
    if day < FIRST_DAY or day.year > LAST_YEAR:
        raise CellError(P_("{day} is not a date a studio can use (sheetsync reads 1900 to "
                           "{last}); check the year", day=day.isoformat(), last=LAST_YEAR))
    return day


_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?$",
    re.IGNORECASE,
)


def parse_clock(raw: str) -> time:
    """`14:00`, `9:30`, `2pm`, `6:30 pm`, `14.00` -> time; raises CellError."""
    match = _TIME.match(raw.strip())
    if not match or (match["m"] is None and match["ampm"] is None):
        raise CellError(P_("'{raw}' is not a time; write it as 14:00 or 2pm", raw=raw))
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise CellError(P_("'{raw}' is not a time; write it as 14:00 or 2pm", raw=raw))
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CellError(P_("'{raw}' is not a time of day", raw=raw))
    return time(hour, minute)


def parse_time(value: object, locale: str = "en") -> time:
    if isinstance(value, str) and not _english(locale):
        return parse_clock(_local_clock(value.strip(), words.language(locale)))
    if isinstance(value, datetime):
        if value < SERIAL_EPOCH or value.year > LAST_YEAR:  # a negative or absurd serial
            raise CellError(P_("{raw} is not a time; write it as 14:00", raw=text(value)))
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 1:
            minutes = round(float(value) * 1440)
            return time(minutes // 60 % 24, minutes % 60)
        raise CellError(P_("{raw} is not a time; write it as 14:00", raw=text(value)))
    return parse_clock(text(value))


_CLOCK_WORDS = {"de": re.compile(r"^(?P<clock>.+?)\s*uhr$", re.IGNORECASE),
                "tr": re.compile(r"^saat\s*(?P<clock>.+)$", re.IGNORECASE)}


def _local_clock(raw: str, lang: str) -> str:
    """`18 Uhr` and `18:30 Uhr` in German, `saat 14` and `saat 14.00` in Turkish -> a clock."""
    match = _CLOCK_WORDS[lang].match(raw)
    if match is None:
        return raw
    clock = match["clock"].strip()
    return f"{clock}:00" if clock.isdigit() else clock


_MONEY = re.compile(
    r"^(?:[A-Z]{3}|[^\w\s,.\-+])?\s*(?P<number>-?[\d][\d,. ]*)\s*(?:[A-Z]{3}|[^\w\s,.\-+])?$")


MONEY_LIMIT = Decimal(10) ** 12


def parse_money(value: object, locale: str = "en") -> Decimal:
    """Numbers or text like `1,500.00`, `1.500,00`, `₺1500`, `4000 TRY` -> Decimal; in tr and
    de `1.500`, `2.000 TL`, `€ 1.500,00`, `-1.500,50 €` as those countries write them."""
    amount = _money(value) if _english(locale) else _local_money(value, words.language(locale))
    if abs(amount) >= MONEY_LIMIT:
        raise CellError(P_("{raw} is too large to be an amount of money", raw=text(value)[:40]))
    return amount


def _money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise _not_money(text(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _not_money(text(value))
        return Decimal(repr(value))
    raw = text(value)
    match = _MONEY.match(raw.replace("\u00a0", " ")) if len(raw) <= 40 else None
    if match is None:
        raise _not_money(raw[:40])
    cleaned = match["number"].replace(" ", "")
    cleaned = _normalise_separators(cleaned)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise _not_money(raw) from None


def _not_money(raw: str) -> CellError:
    return CellError(P_("'{raw}' is not an amount of money", raw=raw))


def _normalise_separators(s: str) -> str:
    """`1,500.00`, `1.500,00`, `1,500`, `12,5` -> `1500.00`, `1500.00`, `1500`, `12.5`."""
    if "," in s and "." in s:
        decimal_mark = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = s.rpartition(decimal_mark)
        if decimal_mark in whole or not _grouped(whole, thousands):
            raise _not_money(s)
        return whole.replace(thousands, "") + "." + fraction
    for mark in (",", "."):
        if mark not in s:
            continue
        groups = s.lstrip("-").split(mark)
        if mark == "," and len(groups) == 2 and len(groups[1]) in (1, 2):
            return s.replace(",", ".")  # 12,5 and 12,50: a decimal comma
        if mark == "." and len(groups) == 2 and (len(groups[1]) != 3 or groups[0] == "0"):
            return s  # 12.5, 12.50 and 0.125
        if not _grouped(s, mark):
            raise _not_money(s)
        if mark == "." and len(groups) == 2:
            raise _two_ways(s, "1.50")
        return s.replace(mark, "")
    return s


_LOCAL_MONEY = re.compile(
    r"^(?P<lead>-)?\s*(?:(?P<before>[A-Z]{3}|(?i:tl|euro|lira)|[^\w\s,.\-+])\s*)?"
    r"(?P<sign>-)?(?P<number>\d[\d,. ]*?)\s*(?P<after>[A-Z]{3}|(?i:tl|euro|lira)|[^\w\s,.\-+])?$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2212": "-"})


def _local_money(value: object, lang: str) -> Decimal:
    if not isinstance(value, str):
        return _money(value)
    raw = text(value)
    match = _LOCAL_MONEY.match(raw.translate(_SPACES)) if len(raw) <= 40 else None
    if match is None or (match["lead"] and match["sign"]) or (match["before"] and match["after"]):
        raise _not_money(raw[:40])
    amount = _local_number(match["number"].replace(" ", ""), raw, lang)
    return -amount if match["lead"] or match["sign"] else amount


def _two_ways(raw: str, fraction: str) -> CellError:
    """`1.500` in English, `1,500` in tr and de: a thousand and a half, or one and a half."""
    return CellError(P_("'{raw}' could be read two ways; write {whole} or {fraction}",
                        raw=raw, whole="1500", fraction=fraction))


def _local_number(number: str, raw: str, lang: str) -> Decimal:
    """The locale's own writing through Babel's strict parser (`1.500,00`, `2.000`, `12,5`),
    else English's where it reads one way only (`1,500.00`, `1.50`, `0.125`)."""
    from babel.numbers import NumberFormatError, parse_decimal

    if number.isdigit():
        return Decimal(number)
    if re.fullmatch(r"[1-9]\d{0,2},\d{3}", number):
        raise _two_ways(number, "1,50")
    try:
        return parse_decimal(number, locale=_babel_locale(lang), strict=True)
    except NumberFormatError:
        pass
    try:
        return Decimal(_normalise_separators(number))
    except (CellError, InvalidOperation):
        raise _not_money(raw) from None


@cache
def _babel_locale(lang: str) -> Locale:
    from babel import Locale

    return Locale.parse(lang)


def _grouped(number: str, mark: str) -> bool:
    """Thousands groups of exactly three digits after the first: 1,234,567."""
    head, *rest = number.lstrip("-").split(mark)
    return 1 <= len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in rest) \
        if rest else bool(head)


def parse_rate(value: object, locale: str = "en") -> Decimal:
    """`40%`, `0.4` and `40` all mean forty percent; returned as a fraction (0.4). Turkish
    writes `%40`, German `40 %` and `0,4`."""
    raw = text(value)
    typed = raw if _english(locale) else _percent_last(raw)
    percent = typed.endswith("%")
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            number = Decimal(typed.rstrip("%").strip().replace(",", "."))
    except InvalidOperation:
        raise _not_a_rate(raw, locale) from None
    if not number.is_finite() or number < 0:
        raise _not_a_rate(raw, locale)
    if percent or number > 1:
        number = number / 100
    if number > 1:
        raise CellError(P_("'{raw}' is more than {whole}", raw=raw,
                           whole=_RATE_WHOLE.get(words.language(locale), "100%")))
    return number


def _not_a_rate(raw: str, locale: str) -> CellError:
    return CellError(P_("'{raw}' is not a commission rate; write it as {example}", raw=raw,
                        example=_RATE_EXAMPLE.get(words.language(locale), "40%")))


_RATE_EXAMPLE = {"en": "40%", "tr": "%40", "de": "40 %"}
_RATE_WHOLE = {"en": "100%", "tr": "%100", "de": "100 %"}


def _percent_last(raw: str) -> str:
    """`%40` (Turkish) and `40\u00a0%` (German) -> `40%`."""
    spaced = raw.translate(_SPACES).strip()
    return spaced[1:].strip() + "%" if spaced.startswith("%") else spaced


def parse_bool(value: object, locale: str = "en") -> bool:
    """yes/no, true/false, 1/0, y/n, on/off in every locale; `evet`/`hayır`, `ja`/`nein` ..."""
    if isinstance(value, bool):
        return value
    meaning = words.yes_no(locale).meaning(text(value))
    if meaning is None:
        raise _not_yes_or_no(text(value), locale)
    return meaning


def _not_yes_or_no(raw: str, locale: str) -> CellError:
    yes, no = words.yes_no_words(locale)
    return CellError(P_("'{raw}' is not {yes} or {no}", raw=raw, yes=yes, no=no))


def parse_count(value: object, *, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (sessions, periods, minutes)."""
    if isinstance(value, bool):
        raise _not_whole(text(value))
    number: float
    if isinstance(value, int | float):
        number = value
    else:
        raw = text(value)
        if not re.fullmatch(r"[+-]?\d{1,12}(?:\.0*)?", raw):
            raise _not_whole(raw[:40])
        number = float(raw)
    if number != number or not float(number).is_integer():
        raise _not_whole(text(value))
    if number < minimum:
        raise CellError(P_("{raw} is too small; it must be at least {minimum}",
                           raw=text(value), minimum=minimum))
    if number > 10**9:
        raise CellError(P_("{raw} is too large", raw=text(value)))
    return int(number)


def _not_whole(raw: str) -> CellError:
    return CellError(P_("'{raw}' is not a whole number", raw=raw))


def parse_status(value: object, locale: str = "en") -> str:
    """An appointment status in its canonical spelling (`paid_cancel`, `cancelled`, ...),
    from the locale's words (`tamamlandı`, `ücretli iptal`, `storniert`) or English's."""
    raw = text(value)
    status = words.statuses(locale).meaning(words.status_key(raw))
    if status is not None:
        return status
    if not words.status_key(raw):
        raise CellError(P_("the status is empty; use {choices}",
                           choices=_status_choices(locale)))
    raise CellError(P_("'{raw}' is not a status; use {choices}", raw=raw,
                       choices=_status_choices(locale)))


def _status_choices(locale: str) -> Phrase:
    """`pending, completed, cancelled or paid_cancel`, in the locale's words."""
    return one_of(words.status_words(locale))


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents, the one rounding every amount gets."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
