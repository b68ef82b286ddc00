"""Money, days and times in the studio's language (Babel's CLDR data), English untouched,
and the `locale` setting of sheetsync.yaml."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from sheetsync import cells
from sheetsync.config import parse_config
from sheetsync.errors import UserError
from sheetsync.formatting import (
    filters,
    format_day,
    format_money,
    format_short_day,
    format_when,
    plural,
)

THURSDAY = date(2026, 12, 17)


@pytest.mark.parametrize(("locale", "currency", "expected"), [
    ("en", "TRY", "3,600.00 TRY"),
    ("tr", "TRY", "3.600,00 ₺"),
    ("de", "EUR", "3.600,00 €"),
    ("de", "TRY", "3.600,00 TRY"),
    ("tr", "", "3.600,00"),
    ("de", "", "3.600,00"),
    ("en", "", "3,600.00"),
])
def test_money_in_each_language(locale: str, currency: str, expected: str):
    assert format_money(3600, currency, locale=locale) == expected


def test_money_rounds_half_up_to_cents_in_every_language():
    assert [format_money("0.005", "TRY", locale=code) for code in ("en", "tr", "de")] == [
        "0.01 TRY", "0,01 ₺", "0,01 TRY"]
    assert format_money("-1500.5", "TRY", locale="tr") == "-1.500,50 ₺"
    assert format_money("", "TRY", locale="tr") == ""


@pytest.mark.parametrize(("locale", "day", "short", "when"), [
    ("en", "Thursday 17 December 2026", "Thu 17 Dec 2026", "Thursday 17 December 2026 at 14:00"),
    ("tr", "17 Aralık 2026 Perşembe", "Per 17 Ara 2026", "17 Aralık 2026 Perşembe, saat 14:00"),
    ("de", "Donnerstag, 17. Dezember 2026", "Do., 17. Dez. 2026",
     "Donnerstag, 17. Dezember 2026 um 14:00"),
])
def test_days_in_each_language(locale: str, day: str, short: str, when: str):
    assert format_day(THURSDAY, locale) == day
    assert format_short_day(THURSDAY, locale) == short
    assert format_when(datetime(2026, 12, 17, 14, 0), locale) == when
    assert format_when(THURSDAY, locale) == day


def test_counts_in_each_language():
    assert plural(3, "session") == "3 sessions"
    assert plural(1, "paid cancellation") == "1 paid cancellation"
    assert filters("TRY", "tr")["money"](3600) == "3.600,00 ₺"
    assert filters("TRY", "de")["when"](datetime(2027, 1, 4, 9, 30)) == (
        "Montag, 4. Januar 2027 um 09:30")


@given(st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=3,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from([("tr", "TRY", " ₺"), ("de", "EUR", " €"), ("de", "", ""),
                        ("en", "", "")]))
def test_every_amount_parses_back_to_its_cents(amount: Decimal, how: tuple[str, str, str]):
    locale, currency, suffix = how
    text = format_money(amount, currency, locale=locale)
    assert text.endswith(suffix)
    number = text[:len(text) - len(suffix)] if suffix else text
    assert parse_decimal(number, locale=locale, strict=True) == amount.quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_english_days_are_the_hand_written_ones_whatever_babel_says(day: date):
    assert format_day(day) == f"{day:%A} {day.day} {day:%B %Y}"
    assert format_short_day(day) == f"{day:%a} {day.day} {day:%b %Y}"


@pytest.mark.parametrize(("written", "locale"), [
    (None, "en"), ("", "en"), ("tr", "tr"), ("Türkçe", "tr"), ("de_DE", "de"), ("English", "en"),
])
def test_the_locale_setting(written: str | None, locale: str):
    data = {} if written is None else {"locale": written}
    assert parse_config(data).locale == locale


def test_a_locale_sheetsync_does_not_speak_is_a_clear_config_error():
    with pytest.raises(UserError) as failure:
        parse_config({"locale": "fr_FR", "currency": "TRY"})
    assert ("locale: 'fr_FR' is not a language sheetsync speaks; use en (English), tr (Türkçe) "
            "or de (Deutsch).") in str(failure.value)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["tr", "de"]))
def test_every_day_sheetsync_writes_reads_back_as_that_day(day: date, locale: str):
    """What a statement or e-mail shows, typed back into a cell, is the same day."""
    assert cells.parse_date(format_day(day, locale), locale) == day
    assert cells.parse_date(format_short_day(day, locale), locale) == day


@given(st.decimals(min_value=Decimal("-9999999"), max_value=Decimal("9999999"), places=2,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from([("tr", "TRY"), ("tr", ""), ("de", "EUR"), ("de", "TRY"), ("en", "TRY"),
                        ("en", "")]))
def test_every_amount_sheetsync_writes_reads_back_as_that_amount(amount: Decimal,
                                                                 how: tuple[str, str]):
    locale, currency = how
    assert cells.parse_money(format_money(amount, currency, locale=locale), locale) == amount
