"""The writer's one-comparison check of a whole row never hides a difference (issue 14).

`TabWriter.update` first compares a row's wanted values, made canonical, with the raw
row in one comparison and compares cell by cell only when they differ. For random raw
rows and wanted values of every type a store or the core produces (int, float, Decimal,
date, datetime, time, text, blanks, Unusable, bool), in columns of every kind and with
the column's cells read in any form, the changes it collects are exactly those of a
cell-by-cell comparison with `same_cell`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sheetsync import sheet
from sheetsync.cells import Unusable, to_serial
from sheetsync.schema import Column, Kind, Tab
from sheetsync.sheet import Columns, TabWriter, canonical, same_cell
from sheetsync.stores.base import Table, WorkbookChanges

KINDS = list(Kind)
TAB = Tab("Everything", tuple(Column(f"c{i}", kind) for i, kind in enumerate(KINDS)), True)
NAMES = TAB.column_names

days = st.dates(date(1899, 12, 1), date(2100, 1, 1))
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]),
                  st.sampled_from([0, 0, 0, 30]))
moments = st.builds(datetime.combine, days, times)
money = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False)
plain_values = st.one_of(
    st.none(), st.just(""), st.just(" "), st.sampled_from(["x", "pending", "12", "2026-01-05"]),
    st.sampled_from([0, 1]), st.integers(-3, 100_000), st.booleans(), st.floats(allow_infinity=True), money,
    st.just(Decimal("NaN")), days, moments, times,
    st.just(Unusable("#N/A", "shows the error #N/A")),
)


# same_cell's own precondition: a date or time column is never asked for another type
WANTED = {Kind.DATE: st.one_of(st.none(), st.just(""), days, moments),
          Kind.TIME: st.one_of(st.none(), st.just(""), times)}


@st.composite
def raw_and_wanted(draw: st.DrawFn, kind: Kind) -> tuple[object, object]:
    """A wanted value and a raw cell, often the same value in another form."""
    wanted = draw(WANTED.get(kind, plain_values))
    forms: list[object] = [wanted, None, ""]
    if isinstance(wanted, Decimal) and wanted.is_finite():
        forms += [int(wanted), float(wanted), wanted + Decimal("0.01")]
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        forms += [float(wanted), Decimal(str(wanted)), str(wanted), bool(wanted)]
    if isinstance(wanted, datetime):
        forms += [wanted.date(), to_serial(wanted), wanted.replace(second=59)]
    elif isinstance(wanted, date):
        forms += [datetime.combine(wanted, time()), int(to_serial(wanted)), to_serial(wanted),
                  wanted + timedelta(days=1), wanted.isoformat()]
    if isinstance(wanted, time):
        forms += [to_serial(wanted), wanted.replace(second=0),
                  datetime.combine(date(1899, 12, 30), wanted), wanted.strftime("%H:%M")]
    forms.append(draw(plain_values))
    return draw(st.sampled_from(forms)), wanted


def cell_by_cell(table: Table, rows: list[tuple[int, dict[str, object]]]) -> dict:
    """The updates of a plain cell-by-cell comparison, the reference."""
    updates: dict[tuple[int, int], object] = {}
    for row, values in rows:
        held = table.rows[row - 2]
        for i, (name, kind) in enumerate(zip(NAMES, KINDS, strict=True)):
            if name in values and not same_cell(kind, held[i], values[name]):
                updates[(row, i + 1)] = None if values[name] == "" else values[name]
    return updates


def traps(*pairs: tuple[object, object]) -> list[tuple[tuple[object, object], ...]]:
    """A row for each (raw, wanted) pair in each column that takes it, blank elsewhere."""
    return [tuple(pair if k is kind else (None, None) for k in KINDS)
            for pair in pairs for kind in KINDS if kind not in WANTED]


@settings(max_examples=500)
@given(st.lists(st.tuples(*map(raw_and_wanted, KINDS)), min_size=1, max_size=6),
       st.lists(st.sampled_from(NAMES), unique=True, min_size=1))
@example(traps((True, 1), (1, True), (1.0, 1), (float("nan"), float("nan")),
               (Decimal("2"), 2), ("", None), ("3", 3)), list(NAMES))
@example([tuple((time(9, 30, 15), time(9, 30, 15)) if k is Kind.TIME else (None, None)
                for k in KINDS)], list(NAMES))
def test_one_comparison_finds_exactly_what_cell_by_cell_finds(
        grid: list[tuple[tuple[object, object], ...]], names: list[str]) -> None:
    table = Table(TAB.name, list(NAMES), [[raw for raw, _ in cells] for cells in grid])
    cols = Columns(TAB, table, {name: i for i, name in enumerate(NAMES)})
    rows = [(offset + 2, {n: cells[NAMES.index(n)][1] for n in names})
            for offset, cells in enumerate(grid)]
    by_name, in_order = WorkbookChanges(), WorkbookChanges()
    writer, row_writer = TabWriter(cols, by_name), TabWriter(cols, in_order)
    for row, values in rows:
        assert writer.update(row, values) == row_writer.update_row(
            row, tuple(values), tuple(values.values()))
    assert by_name.tab(TAB.name).updates == cell_by_cell(table, rows)
    assert in_order.tab(TAB.name).updates == by_name.tab(TAB.name).updates


def test_a_row_holding_its_values_is_not_compared_cell_by_cell(monkeypatch) -> None:
    """The rows of a no-op sync, as the xlsx and Google stores read them back."""
    calls = []

    def counted(kind: Kind, raw: object, wanted: object) -> bool:
        calls.append(kind)
        return same_cell(kind, raw, wanted)

    wanted = {"c0": "Ann", "c1": 3, "c2": Decimal("12.50"), "c3": date(2026, 1, 5),
              "c4": time(9, 30), "c5": datetime(2026, 1, 5, 9, 30), "c6": Decimal("40")}
    xlsx_row = ["Ann", 3, 12.5, datetime(2026, 1, 5), time(9, 30), datetime(2026, 1, 5, 9, 30),
                40]
    google_row = ["Ann", 3, 12.5, 46027, 0.3958333333333333, 46027.395833333336, 40]
    for raw in (xlsx_row, google_row):
        table = Table(TAB.name, list(NAMES), [raw] * 3)
        writer = TabWriter(Columns(TAB, table, {n: i for i, n in enumerate(NAMES)}),
                           WorkbookChanges())
        assert not writer.update(2, wanted)  # learns each value's canonical form once
        monkeypatch.setattr(sheet, "same_cell", counted)
        assert not writer.update(3, wanted) and not writer.update(4, wanted)
        monkeypatch.undo()
    assert calls == []


def test_canonical_is_the_cell_a_store_reads_back_or_never() -> None:
    assert canonical(Kind.DATE, date(2026, 1, 5), datetime) == datetime(2026, 1, 5)
    assert canonical(Kind.DATE, date(2026, 1, 5), int) == 46027
    assert canonical(Kind.DATE, date(2026, 1, 5), date) == date(2026, 1, 5)
    assert canonical(Kind.MONEY, Decimal("12.50")) == 12.5
    assert type(canonical(Kind.MONEY, Decimal("40.00"))) is int
    assert canonical(Kind.TEXT, "") is None
    # a time with seconds is written rounded to the minute: no cell is "the same" as it
    assert canonical(Kind.TIME, time(9, 30, 15)) is sheet._NEVER
    assert canonical(Kind.MONEY, Decimal("NaN")) is sheet._NEVER
    assert canonical(Kind.INT, True) is sheet._NEVER
