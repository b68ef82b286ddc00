"""A1 notation: parsing, quoting, and resolution against a spreadsheet's sheets."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localsheets.a1 import (
    Bounds,
    col_index,
    col_letters,
    format_range,
    parse_a1,
    parse_cells,
    quote_title,
)
from localsheets.errors import ApiError
from localsheets.model import Spreadsheet


@pytest.mark.parametrize(
    ("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("AZ", 51), ("ZZ", 701), ("AAA", 702)]
)
def test_column_letters_round_trip(letters: str, index: int) -> None:
    assert col_letters(index) == letters
    assert col_index(letters) == index
    assert col_index(letters.lower()) == index


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("A1", Bounds(0, 1, 0, 1)),
        ("B2:C5", Bounds(1, 5, 1, 3)),
        ("C5:B2", Bounds(1, 5, 1, 3)),
        ("$A$1:$B$2", Bounds(0, 2, 0, 2)),
        ("A:A", Bounds(None, None, 0, 1)),
        ("B:D", Bounds(None, None, 1, 4)),
        ("2:2", Bounds(1, 2, None, None)),
        ("A1:C", Bounds(0, None, 0, 3)),
        ("A1:1", Bounds(0, 1, 0, None)),
        ("a3:b4", Bounds(2, 4, 0, 2)),
    ],
)
def test_parse_cells(text: str, bounds: Bounds) -> None:
    assert parse_cells(text) == bounds


@pytest.mark.parametrize("text", ["", "A", "1", "A0", "A1:", "A1B2", "!!", "A1:B2:C3"])
def test_parse_cells_rejects_non_ranges(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cells(text)


def test_quoted_sheet_names_with_spaces_and_apostrophes() -> None:
    parsed = parse_a1("'Bob''s sessions 2024'!A1:B2")
    assert parsed.sheet == "Bob's sessions 2024"
    assert parsed.cells == Bounds(0, 2, 0, 2)
    whole = parse_a1("'It''s!here'")
    assert (whole.sheet, whole.cells) == ("It's!here", None)


def test_unquoted_sheet_names() -> None:
    assert parse_a1("Sheet1!A:A").sheet == "Sheet1"
    assert parse_a1("🌵 plants 1!B:B").sheet == "🌵 plants 1"
    bare = parse_a1("Sheet1")
    assert (bare.sheet, bare.cells, bare.bare) == (None, None, "Sheet1")
    cell_or_sheet = parse_a1("D3")
    assert cell_or_sheet.bare == "D3" and cell_or_sheet.cells == Bounds(2, 3, 3, 4)


@pytest.mark.parametrize("text", ["'unterminated", "'Sheet1'A1", "Sheet1!", "'Sheet1'!"])
def test_parse_a1_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_a1(text)


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("Sheet1", "Sheet1"),
        ("finances", "finances"),
        ("D3", "'D3'"),
        ("R1C1", "'R1C1'"),
        ("my sheet", "'my sheet'"),
        ("Bob's", "'Bob''s'"),
        ("2024", "'2024'"),
    ],
)
def test_quote_title(title: str, quoted: str) -> None:
    assert quote_title(title) == quoted


def test_format_range_collapses_single_cells() -> None:
    assert format_range("Sheet1", 0, 1, 0, 1) == "Sheet1!A1"
    assert format_range("my sheet", 0, 1000, 0, 26) == "'my sheet'!A1:Z1000"


@pytest.fixture
def book() -> Spreadsheet:
    return Spreadsheet.new("t", [{"title": "Sheet1"}, {"title": "D3"}, {"title": "Bob's"}])


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Sheet1", "Sheet1!A1:Z1000"),
        ("sheet1!a1:b2", "Sheet1!A1:B2"),
        ("A1:B2", "Sheet1!A1:B2"),
        ("B3", "Sheet1!B3"),
        ("'D3'", "'D3'!A1:Z1000"),
        ("D3", "'D3'!A1:Z1000"),
        ("'Bob''s'!A:A", "'Bob''s'!A1:A1000"),
        ("Sheet1!2:2", "Sheet1!A2:Z2"),
        ("Sheet1!A5:B", "Sheet1!A5:B1000"),
        ("Sheet1!A1:AZ3", "Sheet1!A1:Z3"),
    ],
)
def test_resolution_against_sheets(book: Spreadsheet, text: str, normalized: str) -> None:
    assert book.resolve(text).normalized() == normalized


@pytest.mark.parametrize("text", ["Nope!A1", "'Nope'", "Nope", "Sheet1!A1:"])
def test_unknown_sheets_are_unparsable_like_google(book: Spreadsheet, text: str) -> None:
    with pytest.raises(ApiError) as raised:
        book.resolve(text)
    assert raised.value.status == 400
    assert raised.value.message == f"Unable to parse range: {text}"


titles = st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and "\x00" not in t)


@given(titles, st.integers(0, 5000), st.integers(0, 700))
def test_quoted_titles_round_trip(title: str, row: int, col: int) -> None:
    parsed = parse_a1(format_range(title, row, row + 1, col, col + 1))
    assert parsed.sheet == title
    assert parsed.cells == Bounds(row, row + 1, col, col + 1)


@given(st.text(max_size=40))
def test_parse_a1_only_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_a1(text)
