"""Reading what a studio types: dates, times, money, rates, yes/no, counts, statuses."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from sheetsync import cells
from sheetsync.cells import CellError


@pytest.mark.parametrize(("raw", "expected"), [
    (date(2026, 12, 1), date(2026, 12, 1)),
    (datetime(2026, 12, 1, 0, 0), date(2026, 12, 1)),
    ("2026-12-01", date(2026, 12, 1)),
    (" 2026/12/1 ", date(2026, 12, 1)),
    (46357, date(2026, 12, 1)),  # a Google Sheets serial number
    (46357.0, date(2026, 12, 1)),
])
def test_dates(raw, expected):
    assert cells.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["1/12/2026", "tomorrow", "2026-13-01", "2026-02-30", -5, True])
def test_bad_dates_are_explained(raw):
    with pytest.raises(CellError, match=r"2026-12-01|not a date"):
        cells.parse_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("14:00", time(14, 0)), ("9:30", time(9, 30)), ("2pm", time(14, 0)),
    ("6:30pm", time(18, 30)), ("6:30 PM", time(18, 30)), ("12am", time(0, 0)),
    ("12pm", time(12, 0)), ("14.15", time(14, 15)), (time(7, 45), time(7, 45)),
    (0.5, time(12, 0)), (datetime(1899, 12, 30, 8, 0), time(8, 0)),
])
def test_times(raw, expected):
    assert cells.parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["9", "25:00", "13pm", "noonish", 1.5, "14:75"])
def test_bad_times(raw):
    with pytest.raises(CellError):
        cells.parse_time(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    (4000, Decimal("4000")), (1500.5, Decimal("1500.5")), ("1,500.00", Decimal("1500.00")),
    ("1.500,00", Decimal("1500.00")), ("₺1500", Decimal("1500")), ("4000 TRY", Decimal("4000")),
    ("12,5", Decimal("12.5")), ("1.234.567", Decimal("1234567")), ("-250", Decimal("-250")),
])
def test_money(raw, expected):
    assert cells.parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "", "1-2", "1.500", True, "x" * 50])
def test_bad_money(raw):
    with pytest.raises(CellError):
        cells.parse_money(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("40%", Decimal("0.4")), (0.4, Decimal("0.4")), (40, Decimal("0.4")), ("40", Decimal("0.4")),
    ("12.5%", Decimal("0.125")), (1, Decimal("1")), ("0,35", Decimal("0.35")),
])
def test_rates(raw, expected):
    assert cells.parse_rate(raw) == expected


@pytest.mark.parametrize("raw", ["lots", "-5%", "150%", 250])
def test_bad_rates(raw):
    with pytest.raises(CellError):
        cells.parse_rate(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("yes", True), ("Y", True), ("TRUE", True), (1, True), (True, True),
    ("no", False), ("n", False), ("false", False), (0, False), ("0", False),
])
def test_yes_no(raw, expected):
    assert cells.parse_bool(raw) is expected


def test_bad_yes_no():
    with pytest.raises(CellError, match="yes or no"):
        cells.parse_bool("maybe")


@pytest.mark.parametrize(("raw", "expected"), [(10, 10), (10.0, 10), ("12", 12), (" 8 ", 8)])
def test_counts(raw, expected):
    assert cells.parse_count(raw) == expected


@pytest.mark.parametrize("raw", [-3, 0, 2.5, "ten", float("nan"), float("inf"), 10**12])
def test_bad_counts(raw):
    with pytest.raises(CellError):
        cells.parse_count(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("pending", "pending"), ("Completed", "completed"), ("canceled", "cancelled"),
    ("CANCELLED", "cancelled"), ("paid cancel", "paid_cancel"), ("paid-cancel", "paid_cancel"),
    ("Paid_Cancel", "paid_cancel"), ("late cancel", "paid_cancel"),
])
def test_statuses_are_read_in_any_spelling(raw, expected):
    assert cells.parse_status(raw) == expected


@pytest.mark.parametrize("raw", ["", "no-show?", "confirmed"])
def test_unknown_statuses(raw):
    with pytest.raises(CellError, match="pending, completed, cancelled or paid_cancel"):
        cells.parse_status(raw)


def test_cents_round_half_up():
    assert cells.cents(Decimal("0.005")) == Decimal("0.01")
    assert cells.cents(Decimal("333.335")) == Decimal("333.34")
    assert cells.cents(Decimal("-0.005")) == Decimal("-0.01")


def test_serial_numbers_round_trip():
    moment = datetime(2026, 3, 29, 14, 30)
    assert cells.from_serial(cells.to_serial(moment)) == moment
    assert cells.to_serial(date(1899, 12, 31)) == 1


@pytest.mark.parametrize("raw", ["1e5", "1,2,3", "15,0000", "1.2.3", "5 - 3", "eur 40", "12x",
                                 "1,5000.00", float("nan"), float("inf")])
def test_money_that_could_be_misread_is_refused(raw):
    with pytest.raises(CellError):
        cells.parse_money(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("EUR4000", Decimal("4000")), ("TRY 4000", Decimal("4000")), ("$1,200", Decimal("1200")),
    ("1 500,00", Decimal("1500.00")), ("0.125", Decimal("0.125")),
    ("1,500,000", Decimal("1500000")),
])
def test_more_money_spellings(raw, expected):
    assert cells.parse_money(raw) == expected
