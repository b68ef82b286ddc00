"""cells.py in the studio's own language: money, dates, rates, yes/no, statuses, times.

A Turkish or German studio types `1.500,00`, `2.000`, `01.12.2026`, `17 Aralık 2026
Perşembe`, `evet`, `tamamlandı`; English input still reads in every locale, and an English
workbook reads exactly as before. The properties: whatever Babel formats in a locale (dates
short to full, decimals, TRY and EUR amounts) parses back to the same value in that locale.
"""

from __future__ import annotations

import contextlib
import functools
import random
from datetime import date, time
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.cells import (
    CellError,
    parse_bool,
    parse_date,
    parse_money,
    parse_rate,
    parse_status,
    parse_time,
)
from tests.junk import junk

LOCALES = ("tr", "de")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("typed", "amount"), [
    ("1.500,00", "1500.00"), ("1.500", "1500"), ("2.000", "2000"), ("1500,5", "1500.5"),
    ("₺1.500", "1500"), ("1.500 TL", "1500"), ("€ 1.500,00", "1500.00"),
    ("1.500,50\u00a0€", "1500.50"), ("-€1.500,50", "-1500.50"), ("-1.500,50 €", "-1500.50"),
    ("1.234.567,89", "1234567.89"), ("12,5", "12.5"), ("1.500 Euro", "1500"),
    ("TRY 4.000", "4000"), ("1 500,00", "1500.00"),
    # English writing, where it reads one way only
    ("1,500.00", "1500.00"), ("1.50", "1.50"), ("0.125", "0.125"), ("1,500,000", "1500000"),
    (4000, "4000"), (1500.5, "1500.5"),
])
def test_money_as_the_locale_writes_it(locale: str, typed: object, amount: str) -> None:
    assert parse_money(typed, locale) == Decimal(amount)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_comma_before_three_digits_could_be_either_and_is_refused(locale: str) -> None:
    with pytest.raises(CellError, match="could be read two ways"):
        parse_money("1,500", locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("typed", ["abc", "1.5000,00", "12.34.567", "--1", "€1.500 TL", "1,2,3"])
def test_money_that_is_no_amount(locale: str, typed: str) -> None:
    with pytest.raises(CellError, match="is not an amount of money"):
        parse_money(typed, locale)


def test_english_money_reads_exactly_as_before() -> None:
    assert parse_money("1,500.00") == Decimal("1500.00")
    with pytest.raises(CellError, match=r"^'2.000' could be read two ways; write 1500 or 1.50$"):
        parse_money("2.000")
    with pytest.raises(CellError, match="is not an amount of money"):
        parse_money("-€1.500,50")


def test_a_partial_is_all_a_reader_needs() -> None:
    turkish_money = functools.partial(parse_money, locale="tr")
    assert turkish_money("2.000") == Decimal(2000)


@pytest.mark.parametrize(("locale", "typed", "day"), [
    ("tr", "01.12.2026", date(2026, 12, 1)), ("tr", "1.12.2026", date(2026, 12, 1)),
    ("tr", "01/12/2026", date(2026, 12, 1)), ("tr", "1 Aralık 2026", date(2026, 12, 1)),
    ("tr", "17 Aralık 2026 Perşembe", date(2026, 12, 17)), ("tr", "1 ARALIK 2026", date(2026, 12, 1)),
    ("tr", "1 Aralik 2026", date(2026, 12, 1)), ("tr", "17 Ara 2026", date(2026, 12, 17)),
    ("tr", "2026-12-01", date(2026, 12, 1)), ("tr", "17.12.26", date(2026, 12, 17)),
    ("tr", "01.12.2026 14:00", date(2026, 12, 1)),
    ("de", "01.12.2026", date(2026, 12, 1)), ("de", "1. Dezember 2026", date(2026, 12, 1)),
    ("de", "Donnerstag, 17. Dezember 2026", date(2026, 12, 17)),
    ("de", "17. Dez. 2026", date(2026, 12, 17)), ("de", "5. Maerz 2026", date(2026, 3, 5)),
    ("de", "2026-12-01", date(2026, 12, 1)), ("de", "December 17, 2026", date(2026, 12, 17)),
    ("de", date(2026, 12, 1), date(2026, 12, 1)), ("de", 46357, date(2026, 12, 1)),
])
def test_dates_day_first_and_in_words(locale: str, typed: object, day: date) -> None:
    assert parse_date(typed, locale) == day


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("typed", ["31.02.2026", "Dezembre 2026", "17 2026", "32.12.2026",
                                   "1 Aralık Dezember 2026", "12/2026"])
def test_what_is_no_date(locale: str, typed: str) -> None:
    with pytest.raises(CellError, match=r"is not a date; write it as 01\.12\.2026$"):
        parse_date(typed, locale)


def test_a_weekday_that_is_not_the_dates_own_is_a_typo() -> None:
    with pytest.raises(CellError, match="says Pazartesi, but that date is a Perşembe"):
        parse_date("17 Aralık 2026 Pazartesi", "tr")


def test_english_dates_read_exactly_as_before() -> None:
    assert parse_date("2026-12-01") == date(2026, 12, 1)
    with pytest.raises(CellError, match=r"^'01\.12\.2026' is not a date; write it as 2026-12-01$"):
        parse_date("01.12.2026")


@pytest.mark.parametrize(("locale", "typed", "rate"), [
    ("tr", "%40", "0.4"), ("tr", "% 40", "0.4"), ("de", "40 %", "0.4"), ("de", "40\u00a0%", "0.4"),
    ("de", "0,4", "0.4"), ("tr", "40%", "0.4"), ("de", "12,5%", "0.125"),
])
def test_rates_as_the_locale_writes_them(locale: str, typed: str, rate: str) -> None:
    assert parse_rate(typed, locale) == Decimal(rate)


def test_english_rates_read_exactly_as_before() -> None:
    with pytest.raises(CellError, match="is not a commission rate"):
        parse_rate("%40")


@pytest.mark.parametrize(("locale", "typed", "meaning"), [
    ("tr", "evet", True), ("tr", "Hayır", False), ("tr", "HAYIR", False), ("tr", "yes", True),
    ("de", "ja", True), ("de", "NEIN", False), ("de", "no", False), ("de", True, True),
])
def test_yes_and_no(locale: str, typed: object, meaning: bool) -> None:
    assert parse_bool(typed, locale) is meaning


def test_no_yes_or_no_is_said_in_the_locales_words() -> None:
    with pytest.raises(CellError, match=r"^'belki' is not evet or hayır$"):
        parse_bool("belki", "tr")
    with pytest.raises(CellError, match=r"^'evet' is not yes or no$"):
        parse_bool("evet")


@pytest.mark.parametrize(("locale", "typed", "status"), [
    ("tr", "tamamlandı", "completed"), ("tr", "TAMAMLANDI", "completed"),
    ("tr", "İPTAL", "cancelled"), ("tr", "Ücretli İptal", "paid_cancel"),
    ("tr", "ucretli-iptal", "paid_cancel"), ("tr", "planlandı", "pending"),
    ("tr", "completed", "completed"),
    ("de", "erledigt", "completed"), ("de", "Storniert", "cancelled"),
    ("de", "kostenpflichtig  storniert", "paid_cancel"), ("de", "geplant", "pending"),
    ("de", "paid_cancel", "paid_cancel"),
])
def test_statuses(locale: str, typed: str, status: str) -> None:
    assert parse_status(typed, locale) == status


def test_an_unknown_status_lists_the_locales_words() -> None:
    with pytest.raises(CellError, match=r"^'bitti mi' is not a status; use planlandı, "
                                        r"tamamlandı, iptal or ücretli iptal$"):
        parse_status("bitti mi", "tr")
    with pytest.raises(CellError, match=r"^'done!' is not a status; use pending, completed, "
                                        r"cancelled or paid_cancel$"):
        parse_status("done!")
    assert parse_status("PAID-CANCEL") == "paid_cancel"


@pytest.mark.parametrize(("locale", "typed", "clock"), [
    ("de", "18 Uhr", time(18)), ("de", "18:30 Uhr", time(18, 30)), ("tr", "saat 14", time(14)),
    ("tr", "14.00", time(14)), ("de", "9:30", time(9, 30)),
])
def test_times_with_the_locales_clock_words(locale: str, typed: str, clock: time) -> None:
    assert parse_time(typed, locale) == clock


# ------------------------------------------------------------------ properties

@given(day=st.dates(date(1900, 1, 1), date(9000, 12, 31)), locale=st.sampled_from(LOCALES),
       width=st.sampled_from(["medium", "long", "full"]))
def test_every_date_babel_formats_parses_back(day: date, locale: str, width: str) -> None:
    assert parse_date(format_date(day, width, locale=locale), locale) == day


@given(day=st.dates(date(1969, 1, 1), date(2068, 12, 31)), locale=st.sampled_from(LOCALES))
def test_every_short_date_parses_back(day: date, locale: str) -> None:
    """German's short date has a two-digit year, read as a calendar does (1969 to 2068)."""
    assert parse_date(format_date(day, "short", locale=locale), locale) == day


amounts = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(day=st.dates(date(1900, 1, 1), date(9000, 12, 31)))
def test_every_turkish_short_date_parses_back(day: date) -> None:
    """Turkish's short date keeps the four-digit year: `5.03.2026`."""
    assert parse_date(format_date(day, "short", locale="tr"), "tr") == day


@given(amount=amounts, locale=st.sampled_from(("tr", "de", "en")))
def test_every_decimal_babel_formats_parses_back(amount: Decimal, locale: str) -> None:
    assert parse_money(format_decimal(amount, locale=locale), locale) == amount


@given(amount=amounts, locale=st.sampled_from(LOCALES), currency=st.sampled_from(["TRY", "EUR"]))
def test_every_amount_of_money_babel_formats_parses_back(amount: Decimal, locale: str,
                                                         currency: str) -> None:
    assert parse_money(format_currency(amount, currency, locale=locale), locale) == amount


PARSERS = (parse_money, parse_date, parse_rate, parse_bool, parse_status, parse_time)


@given(typed=st.one_of(st.text(max_size=40), st.text("0123456789.,-₺€ %TLUhrsat", max_size=16)),
       locale=st.sampled_from(LOCALES))
def test_junk_in_any_cell_is_a_problem_never_a_crash(typed: str, locale: str) -> None:
    """Whatever a Turkish or German studio types, each parser reads it or says why not."""
    for parse in PARSERS:
        try:
            parse(typed, locale)
        except CellError as err:
            assert str(err)


def test_the_fuzzers_junk_is_a_problem_never_a_crash() -> None:
    rng = random.Random(15)
    for _ in range(600):  # every kind of junk many times over, in about a second
        value = junk(rng)
        for locale in LOCALES:
            for parse in PARSERS:
                with contextlib.suppress(CellError):
                    parse(value, locale)
