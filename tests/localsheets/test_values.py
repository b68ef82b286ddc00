"""Value input (RAW / USER_ENTERED), rendering, number and date formats, formulas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from localsheets.formulas import FormulaError, Unsupported, evaluate
from localsheets.numfmt import (
    format_datetime,
    format_number,
    format_with_pattern,
    from_serial,
    plain_number,
    to_serial,
)
from localsheets.values import raw_value, render, user_entered_value


def test_serial_numbers_match_google() -> None:
    assert to_serial(date(2020, 1, 1)) == 43831
    assert to_serial(date(1999, 1, 2)) == 36162
    assert to_serial(datetime(2020, 1, 1, 12, 0)) == 43831.5
    assert from_serial(43831.75) == datetime(2020, 1, 1, 18, 0)


@pytest.mark.parametrize(
    ("value", "entered"),
    [
        ("=1+1", {"stringValue": "=1+1"}),
        ("123", {"stringValue": "123"}),
        (53, {"numberValue": 53}),
        (0.5, {"numberValue": 0.5}),
        (True, {"boolValue": True}),
        ("", None),
        (None, None),
    ],
)
def test_raw_input_keeps_strings_as_strings(value: Any, entered: Any) -> None:
    assert raw_value(value) == entered


@pytest.mark.parametrize(
    ("text", "entered", "number_format"),
    [
        ("=A1*2", {"formulaValue": "=A1*2"}, None),
        ("42", {"numberValue": 42}, None),
        ("-1.5", {"numberValue": -1.5}, None),
        ("1e3", {"numberValue": 1000}, None),
        ("1,234.5", {"numberValue": 1234.5}, {"type": "NUMBER", "pattern": "#,##0.0"}),
        ("12%", {"numberValue": 0.12}, {"type": "PERCENT", "pattern": "0%"}),
        ("$1,250.00", {"numberValue": 1250}, {"type": "CURRENCY", "pattern": '"$"#,##0.00'}),
        ("true", {"boolValue": True}, None),
        ("FALSE", {"boolValue": False}, None),
        ("2020-01-01", {"numberValue": 43831}, {"type": "DATE", "pattern": "yyyy-mm-dd"}),
        ("1/2/2020", {"numberValue": 43832}, {"type": "DATE", "pattern": "M/d/yyyy"}),
        ("14:30", {"numberValue": 14.5 / 24}, {"type": "TIME", "pattern": "hh:mm"}),
        ("9:05:30", {"numberValue": (9 * 3600 + 330) / 86400},
         {"type": "TIME", "pattern": "h:mm:ss"}),
        ("2:30 PM", {"numberValue": 14.5 / 24}, {"type": "TIME", "pattern": "h:mm am/pm"}),
        ("2020-01-01 18:00", {"numberValue": 43831.75},
         {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}),
        ("'123", {"stringValue": "123"}, None),
        ("hello", {"stringValue": "hello"}, None),
        ("2020-13-45", {"stringValue": "2020-13-45"}, None),
        ("25:99", {"stringValue": "25:99"}, None),
    ],
)  # fmt: skip
def test_user_entered_parsing(text: str, entered: Any, number_format: Any) -> None:
    assert user_entered_value(text) == (entered, number_format)


def test_day_first_locales_read_slashed_dates_day_first() -> None:
    entered, fmt = user_entered_value("1/2/2020", "en_GB")
    assert entered == {"numberValue": 43832 + 30}
    assert fmt == {"type": "DATE", "pattern": "d/M/yyyy"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(2, "2"), (1.5, "1.5"), (0.12, "0.12"), (1 / 3, "0.3333333333"), (-4.0, "-4"),
     (1e20, "1.00E+20"), (0, "0")],
)  # fmt: skip
def test_automatic_number_format(value: float, text: str) -> None:
    assert plain_number(value) == text


@pytest.mark.parametrize(
    ("value", "pattern", "text"),
    [
        (1234.5, "#,##0.00", "1,234.50"),
        (1234.5, "0", "1235"),
        (0.256, "0.0%", "25.6%"),
        (-5, '"$"#,##0.00', "-$5.00"),
        (-5, '#,##0.00;(#,##0.00)', "(5.00)"),
        (0.5, "#.##", ".5"),
        (12345, "0.00E+00", "1.23E+04"),
        (7, "000", "007"),
    ],
)  # fmt: skip
def test_number_patterns(value: float, pattern: str, text: str) -> None:
    assert format_with_pattern(value, pattern) == text


MOMENT = to_serial(datetime(2024, 3, 5, 14, 7, 9))


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("yyyy-mm-dd", "2024-03-05"),
        ("dd/mm/yyyy", "05/03/2024"),
        ("d/m/yy", "5/3/24"),
        ("hh:mm", "14:07"),
        ("hh:mm:ss", "14:07:09"),
        ("yyyy-mm-dd hh:mm", "2024-03-05 14:07"),
        ("h:mm am/pm", "2:07 PM"),
        ("dddd d mmmm yyyy", "Tuesday 5 March 2024"),
        ("ddd, mmm d", "Tue, Mar 5"),
        ('yyyy"年"m"月"', "2024年3月"),
    ],
)
def test_date_patterns(pattern: str, text: str) -> None:
    assert format_datetime(MOMENT, pattern) == text


@pytest.mark.parametrize(
    ("kind", "text"),
    [("DATE", "3/5/2024"), ("TIME", "2:07:09 PM"), ("DATE_TIME", "3/5/2024 14:07:09")],
)
def test_google_default_date_formats(kind: str, text: str) -> None:
    assert format_number(MOMENT, {"type": kind}) == text


DATE_CELL = {
    "userEnteredValue": {"numberValue": 43831},
    "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
}
FORMULA_CELL = {"userEnteredValue": {"formulaValue": "=4/2"}}


@pytest.mark.parametrize(
    ("cell", "effective", "option", "dt_option", "expected"),
    [
        (DATE_CELL, 43831, "FORMATTED_VALUE", "SERIAL_NUMBER", "2020-01-01"),
        (DATE_CELL, 43831, "UNFORMATTED_VALUE", "SERIAL_NUMBER", 43831),
        (DATE_CELL, 43831, "UNFORMATTED_VALUE", "FORMATTED_STRING", "2020-01-01"),
        (DATE_CELL, 43831, "FORMULA", "SERIAL_NUMBER", 43831),
        (FORMULA_CELL, 2.0, "FORMATTED_VALUE", "SERIAL_NUMBER", "2"),
        (FORMULA_CELL, 2.0, "UNFORMATTED_VALUE", "SERIAL_NUMBER", 2),
        (FORMULA_CELL, 2.0, "FORMULA", "SERIAL_NUMBER", "=4/2"),
        ({"userEnteredValue": {"boolValue": True}}, True, "FORMATTED_VALUE", "SERIAL_NUMBER",
         "TRUE"),
        ({"userEnteredValue": {"boolValue": True}}, True, "UNFORMATTED_VALUE", "SERIAL_NUMBER",
         True),
        ({}, None, "UNFORMATTED_VALUE", "SERIAL_NUMBER", ""),
    ],
)  # fmt: skip
def test_render_options(
    cell: dict[str, Any], effective: Any, option: str, dt_option: str, expected: Any
) -> None:
    assert render(effective, cell, option, dt_option) == expected


class Cells:
    def __init__(self, values: dict[tuple[int, int], Any]) -> None:
        self.values = values

    def cell_value(self, sheet: str | None, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def range_values(self, sheet: str | None, bounds: Any) -> list[Any]:
        return [v for (r, c), v in sorted(self.values.items()) if c == (bounds.start_col or 0)]


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=4/2", 2),
        ("=3/2", 1.5),
        ("=(1+2)*3^2", 27),
        ("=A1+A2", 30),
        ("=SUM(A1:A3)", 60),
        ("=AVERAGE(A:A)", 20),
        ('=IF(A1>5,"big","small")', "big"),
        ('="n="&A1', "n=10"),
        ("=ROUND(2.345, 2)", 2.35),
        ("=1/0", FormulaError("#DIV/0!")),
        ('="a"+1', FormulaError("#VALUE!")),
    ],
)
def test_formulas(formula: str, value: Any) -> None:
    assert evaluate(formula, Cells({(0, 0): 10.0, (1, 0): 20.0, (2, 0): 30.0})) == value


@pytest.mark.parametrize("formula", ["=VLOOKUP(1,A:B,2)", "=A1 +", "={1,2}"])
def test_unsupported_formulas_are_reported(formula: str) -> None:
    with pytest.raises(Unsupported):
        evaluate(formula, Cells({}))
