"""References follow deleted and inserted rows exactly as LibreOffice moves them.

Three layers of proof:

1. `test_libreoffice_observed`: what LibreOffice 7.4 was seen to do (tests/lo_rows.py drove it
   by hand on the cases the table names), written down as examples of `shift_formula`.
2. Hypothesis against an independent model (fast, many examples): the model lays the sheet
   out as a list of row identities, applies the deletions and insertions to that list, and
   reads each reference's new row off the list; `shift_formula`, `RowMoves.row` and
   `RowMoves.span` must agree. Formulas are generated as data (the test knows every
   reference it put in), so the model needs no formula parser of its own.
3. `test_move_rows_does_what_libreoffice_does`: seeded random workbooks (formulas on two
   sheets, merged cells, conditional formats, validations, defined names, an autofilter,
   comments) moved by `xlsxpatch.move_rows` and by LibreOffice headless in one soffice
   session, read back with openpyxl and compared.

Model rules (each checked against LibreOffice): a cell reference follows its row, `#REF!`
when the row is deleted; a range spans from its first to its last surviving original row
(rows inserted strictly between them join it; rows inserted above its first row or below
its last do not); a range with every row deleted is `#REF!`; a range ending at row 1048576
keeps ending there ("sticky"); whole columns never change; text inside quotes never changes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from sheetsync.stores.rowmoves import RowMoves, shift_formula
from sheetsync.stores.xlsxpatch import move_rows
from tests.lo_rows import Case, LibreOfficeRows, needs_libreoffice_uno, steps_for
from tests.reliability import record

LAST_ROW = 1048576
HOME, OTHER = "Data", "My tab"
QUALIFIED = {HOME: "Data!", OTHER: "'My tab'!"}
REF_ERROR = "#REF!"


# -- the model: rows as identities -------------------------------------------------------------
def landing(deleted: frozenset[int], inserted: Mapping[int, int], rows: int) -> dict[int, int | None]:
    """Original row -> its new row (None when deleted), for rows 1..`rows`, by laying them out."""
    new_row = object()
    layout: list[object] = []
    for row in range(1, rows + 2):  # rows + 1: rows inserted below the last one
        layout.extend([new_row] * inserted.get(row, 0))
        if row <= rows:
            layout.append(row)
    kept = [r for r in layout if r is new_row or r not in deleted]
    where = {r: i for i, r in enumerate(kept, start=1) if r is not new_row}
    return {row: where.get(row) for row in range(1, rows + 1)}


def landed_span(first: int, last: int, land: Mapping[int, int | None]) -> tuple[int, int] | None:
    """Where rows first..last go: first to last survivor; a range to the sheet's end stays there.

    `land` must cover every row that moves, and for a range to the sheet's end at least one
    row of it that does not (the model's margin rows are never deleted).
    """
    members = range(first, (max(land) if last == LAST_ROW else last) + 1)
    survivors = [land[r] for r in members if land[r] is not None]
    if not survivors:
        return None
    first_row, last_row = survivors[0], survivors[-1]
    assert first_row is not None and last_row is not None
    return first_row, LAST_ROW if last == LAST_ROW else last_row


# -- formulas as data --------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """One reference the test put into a formula, and how it reads after the rows move."""

    sheet: str | None  # None: unqualified, on the formula's own sheet
    kind: str  # "cell", "range", "rows" (3:5), "columns" (A:A)
    columns: tuple[str, str]
    rows: tuple[int, int]
    dollars: tuple[bool, bool, bool, bool]  # first column, first row, last column, last row

    def text(self, rows: tuple[int, int] | None) -> str:
        if rows is None:
            return REF_ERROR  # LibreOffice drops the sheet name too: Data!A4 -> #REF!
        col1, row1, col2, row2 = ("$" if d else "" for d in self.dollars)
        (c1, c2), (r1, r2) = self.columns, rows
        body = {"cell": f"{col1}{c1}{row1}{r1}",
                "range": f"{col1}{c1}{row1}{r1}:{col2}{c2}{row2}{r2}",
                "rows": f"{row1}{r1}:{row2}{r2}",
                "columns": f"{col1}{c1}:{col2}{c2}"}[self.kind]
        return (QUALIFIED[self.sheet] if self.sheet else "") + body

    def moved(self, home: str, lands: Mapping[str, Mapping[int, int | None]]) -> str:
        land = lands.get(self.sheet or home)
        if land is None or self.kind == "columns":
            return self.text(self.rows)
        if self.kind == "cell":
            row = land[self.rows[0]]
            return self.text(None if row is None else (row, row))
        return self.text(landed_span(*self.rows, land))


# Templates: {0}, {1}... are references; quoted text that looks like a reference must stay.
TEMPLATES = (
    "{0}", "SUM({0})", "{0}+{1}", "SUM({0},{1})*2", 'IF({0}>0,"A5",{1})',
    'COUNTIF({0},"B3:B4")&"\'My tab\'!B4"', "-{0}/MAX({1},1)", 'IF(ISERROR({0}),"Data!A1",{1}+{2})',
    "AVERAGE({0},{1},{2})",
)


@dataclass(frozen=True)
class Formula:
    template: str
    refs: tuple[Ref, ...]

    @property
    def text(self) -> str:
        return self.template.format(*(r.text(r.rows) for r in self.refs))

    def moved(self, home: str, lands: Mapping[str, Mapping[int, int | None]]) -> str:
        return self.template.format(*(r.moved(home, lands) for r in self.refs))


def random_ref(rng: random.Random, rows: int, for_libreoffice: bool) -> Ref:
    """A reference into rows 1..`rows` of either sheet, or a range to the sheet's last row."""
    kind = rng.choice(["cell", "cell", "range", "range", "range", "rows", "columns"])
    first = rng.randint(1, rows)
    last = rng.randint(first, rows)
    dollars = (rng.random() < 0.3, rng.random() < 0.3, rng.random() < 0.3, rng.random() < 0.3)
    if kind in ("range", "rows") and rng.random() < 0.2:
        last = LAST_ROW
        if for_libreoffice:
            # LibreOffice 7.4 mis-moves a range with a relative end at row 1048576 in a formula
            # cell that itself moves up (A2:A1048576 becomes A1:A1048575), so give it a $.
            dollars = (dollars[0], dollars[1], dollars[2], True)
    column = rng.choice("ABC")
    columns = (column, rng.choice("ABC") if kind in ("range", "columns") else column)
    columns = (min(columns), max(columns))
    sheet = rng.choice([None, HOME, OTHER])
    return Ref(sheet, kind, columns, (first, last), dollars)


def random_formula(rng: random.Random, rows: int, for_libreoffice: bool = False) -> Formula:
    template = rng.choice(TEMPLATES)
    count = len(re.findall(r"\{\d\}", template))
    return Formula(template, tuple(random_ref(rng, rows, for_libreoffice) for _ in range(count)))


def random_moves(rng: random.Random, rows: int) -> dict[str, RowMoves]:
    """Deletions and insertions on one or both sheets, within rows 1..`rows` (+1 to append)."""
    moves: dict[str, RowMoves] = {}
    for sheet in rng.sample([HOME, OTHER], rng.choice([1, 1, 2])):
        deleted = frozenset(rng.sample(range(1, rows + 1), rng.randint(0, min(4, rows))))
        inserted = {row: rng.randint(1, 3)
                    for row in rng.sample(range(1, rows + 2), rng.randint(0, min(3, rows + 1)))}
        if not deleted and not inserted:
            deleted = frozenset({rng.randint(1, rows)})
        moves[sheet] = RowMoves(deleted, inserted)
    return moves


def lands_of(moves: Mapping[str, RowMoves], rows: int) -> dict[str, dict[int, int | None]]:
    return {sheet: landing(m.deleted, m.inserted, rows) for sheet, m in moves.items()}


# -- normalising: only representation, never meaning -------------------------------------------
_SHEET_REF_ERROR = re.compile(r"(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?#REF!", re.IGNORECASE)
_WHOLE_COLUMN = re.compile(r"(?<![\w$.:])(\$?[A-Z]{1,3})\$?1:(\$?[A-Z]{1,3})\$?1048576(?!\d)")


def normalised(formula: str) -> str:
    """`Data!#REF!` and `#ref!` are `#REF!` (one error; LibreOffice writes the bare one, and
    lower case in conditional formats it read back), and A1:A1048576 is `A:A` (LibreOffice
    writes whole columns so)."""
    return _WHOLE_COLUMN.sub(r"\1:\2", _SHEET_REF_ERROR.sub(REF_ERROR, formula))


# -- 1. what LibreOffice does, seen by hand ----------------------------------------------------
def _moves(deleted: tuple[int, ...] = (), inserted: Mapping[int, int] | None = None) -> RowMoves:
    return RowMoves(frozenset(deleted), dict(inserted or {}))


OBSERVED = [
    # (formula on Data, moves on Data, what LibreOffice wrote)
    ("SUM(A3:A6)", _moves((4,)), "SUM(A3:A5)"),  # a row inside: the range shrinks
    ("SUM(A3:A6)", _moves((3,)), "SUM(A3:A5)"),  # its first row
    ("SUM(A3:A6)", _moves((6,)), "SUM(A3:A5)"),  # its last row
    ("SUM(A3:A6)", _moves((3, 4, 5, 6)), "SUM(#REF!)"),  # every row
    ("A4", _moves((4,)), "#REF!"),
    ("Data!A4+SUM(Data!A3:A6)", _moves((4,)), "#REF!+SUM(Data!A3:A5)"),
    ("SUM(A3:A6)", _moves(inserted={3: 2}), "SUM(A5:A8)"),  # above its first row: it moves
    ("SUM(A3:A6)", _moves(inserted={4: 2}), "SUM(A3:A8)"),  # inside: it grows
    ("SUM(A1:A3)", _moves(inserted={3: 2}), "SUM(A1:A5)"),  # above its last row: it grows
    ("SUM(A3:A6)", _moves(inserted={7: 2}), "SUM(A3:A6)"),  # just below: it stays
    ("SUM(3:6)", _moves((4,)), "SUM(3:5)"),
    ("SUM($3:$6)", _moves(inserted={1: 2}), "SUM($5:$8)"),
    ("SUM(1:1)", _moves((1,)), "SUM(#REF!)"),
    ("SUM(A:A)", _moves((1, 2), {3: 4}), "SUM(A:A)"),
    ("A$5+$A5", _moves((4,)), "A$4+$A4"),
    ('IF(A1="A5",1,2)', _moves((1,)), 'IF(#REF!="A5",1,2)'),  # the quoted "A5" stays
    ("A1048576", _moves((4,)), "A1048575"),
    ("SUM(A$2:A$1048576)", _moves((4,)), "SUM(A$2:A$1048576)"),  # sticky end
    ("SUM(A$5:A$1048576)", _moves((3,)), "SUM(A$4:A$1048576)"),
    ("SUM(A$5:A$1048576)", _moves((6,)), "SUM(A$5:A$1048576)"),
    ("SUM(A$2:A$1048576)", _moves((1,)), "SUM(A:A)"),  # A1:A1048576, written as a column
    ("SUM(A$2:A$1048576)", _moves(inserted={1: 2}), "SUM(A$4:A$1048576)"),
    ("SUM(A$2:A$1048576)", _moves(inserted={3: 2}), "SUM(A$2:A$1048576)"),
    ("SUM($2:$1048576)", _moves((1,)), "SUM($1:$1048576)"),
    ("SUM(A$5:A$1048576)", _moves((3, 4, 5, 6)), "SUM(A$3:A$1048576)"),
    ("'My tab'!B4+SUM('My tab'!C3:C5)", _moves((4,)), "'My tab'!B4+SUM('My tab'!C3:C5)"),
]


@pytest.mark.parametrize(("formula", "moves", "libreoffice"), OBSERVED)
def test_libreoffice_observed(formula: str, moves: RowMoves, libreoffice: str) -> None:
    assert normalised(shift_formula(formula, HOME, {HOME: moves})) == libreoffice


# -- 2. against the model ----------------------------------------------------------------------
MODEL_ROWS = st.integers(min_value=1, max_value=15)
MARGIN = 3  # rows past the edited ones that references may point at; never deleted


@given(rng=st.randoms(use_true_random=False), rows=MODEL_ROWS)
def test_row_and_span_follow_the_model(rng: random.Random, rows: int) -> None:
    moves = random_moves(rng, rows)
    spans = 0
    for sheet_moves in moves.values():
        land = landing(sheet_moves.deleted, sheet_moves.inserted, rows + MARGIN)
        for row, landed in land.items():
            assert sheet_moves.row(row) == landed, (row, sheet_moves)
        for first in land:
            for last in [*range(first, rows + MARGIN + 1), LAST_ROW]:
                assert sheet_moves.span(first, last) == landed_span(first, last, land), (
                    first, last, sheet_moves)
                spans += 1
    record("row moves", model_cases=1, model_spans=spans)


@given(rng=st.randoms(use_true_random=False), rows=MODEL_ROWS)
def test_formulas_follow_the_model(rng: random.Random, rows: int) -> None:
    moves = random_moves(rng, rows)
    lands = lands_of(moves, rows + MARGIN)
    home = rng.choice([HOME, OTHER])
    formulas = [random_formula(rng, rows + MARGIN) for _ in range(5)]
    wrong = [(f.text, shift_formula(f.text, home, moves), f.moved(home, lands))
             for f in formulas
             if normalised(shift_formula(f.text, home, moves)) != normalised(f.moved(home, lands))]
    record("row moves", model_cases=1, model_formulas=len(formulas), model_mismatches=len(wrong))
    assert not wrong, f"on {home} with {moves}: (formula, shift_formula, model) {wrong}"


def test_the_model_agrees_with_what_libreoffice_does() -> None:
    """The model itself, on the cases LibreOffice was seen doing (part 1)."""
    for formula, moves, libreoffice in OBSERVED:
        lands = lands_of({HOME: moves}, 20)
        parsed = _parse_observed(formula)
        if parsed is not None:
            assert normalised(parsed.moved(HOME, lands)) == libreoffice, formula


def _parse_observed(formula: str) -> Formula | None:
    """The few OBSERVED formulas of the form SUM(range) or one cell, as model data."""
    found = re.fullmatch(r"SUM\((\$?)([A-C]?)(\$?)(\d+):(\$?)([A-C]?)(\$?)(\d+)\)", formula)
    if found:
        c1d, c1, r1d, r1, c2d, c2, r2d, r2 = found.groups()
        if c1:
            ref = Ref(None, "range", (c1, c2), (int(r1), int(r2)),
                      (bool(c1d), bool(r1d), bool(c2d), bool(r2d)))
        else:  # 3:5 - the regex took a row's $ for a column's
            ref = Ref(None, "rows", ("A", "A"), (int(r1), int(r2)),
                      (False, bool(c1d or r1d), False, bool(c2d or r2d)))
        return Formula("SUM({0})", (ref,))
    found = re.fullmatch(r"([A-C])(\d+)", formula)
    if found and int(found.group(2)) < LAST_ROW:
        return Formula("{0}", (Ref(None, "cell", (found.group(1),) * 2, (int(found.group(2)),) * 2,
                                   (False,) * 4),))
    return None


# -- 3. against LibreOffice --------------------------------------------------------------------
SEEDS = range(12)
ROWS = 12  # rows with content on each sheet; formulas point up to ROWS + MARGIN


def build_workbook(rng: random.Random, path: Path) -> None:
    """Both sheets: numbers in A:B, a label in C, a random formula in E of every row; on Data
    also merged cells, conditional formats, validations, names, an autofilter and comments."""
    book = Workbook()
    data = book.active
    data.title = HOME
    other = book.create_sheet(OTHER)
    for sheet in (data, other):
        for row in range(1, ROWS + 1):
            sheet.cell(row, 1, row)
            sheet.cell(row, 2, row * 10)
            sheet.cell(row, 3, f"{sheet.title} row {row}")
            sheet.cell(row, 5, "=" + random_formula(rng, ROWS + MARGIN, for_libreoffice=True).text)
    top, bottom = sorted(rng.sample(range(1, 7), 2)), sorted(rng.sample(range(8, ROWS + 1), 2))
    data.merge_cells(f"G{top[0]}:H{top[1]}")
    data.merge_cells(f"G{bottom[0]}:H{bottom[1]}")
    first, last = sorted(rng.sample(range(1, ROWS + 1), 2))
    data.conditional_formatting.add(
        f"I{first}:I{last}", FormulaRule(formula=[f"AND(I{first}>A{first + 1},$B$5>0)"]))
    data.conditional_formatting.add(
        f"J{top[0]}:J{top[1]} J{bottom[0]}", CellIsRule(operator="greaterThan", formula=["$A$4"]))
    validation = DataValidation(type="list", formula1='"yes,no"')
    validation.add(f"K{first}:K{last}")
    validation.add(f"L{bottom[1]}")
    data.add_data_validation(validation)
    book.defined_names["span"] = DefinedName("span", attr_text=f"Data!$A${top[0]}:$B${bottom[0]}")
    book.defined_names["cell"] = DefinedName("cell", attr_text=f"'My tab'!$B${rng.randint(1, ROWS)}")
    data.auto_filter.ref = f"A{top[0]}:C{bottom[1]}"
    for row in rng.sample(range(1, ROWS + 1), 3):
        data.cell(row, 4).comment = Comment(f"note on row {row}", "studio")
    book.save(path)


@dataclass(frozen=True)
class LibreOfficeCase:
    seed: int
    source: Path
    libreoffice: Path
    moves: dict[str, RowMoves]
    error: str | None


@pytest.fixture(scope="module")
def libreoffice_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[int, LibreOfficeCase]:
    """Every seed's workbook, moved by LibreOffice, all in one soffice session."""
    folder = tmp_path_factory.mktemp("row_moves")
    cases: list[tuple[int, Case, dict[str, RowMoves]]] = []
    for seed in SEEDS:
        rng = random.Random(seed)
        source = folder / f"case{seed}.xlsx"
        build_workbook(rng, source)
        moves = random_moves(rng, ROWS)
        cases.append((seed, Case(source, folder / f"case{seed}-libreoffice.xlsx",
                                 steps_for(moves)), moves))
    with LibreOfficeRows(folder / "soffice") as office:  # stops soffice, whatever happens
        office.apply([case for _, case, _ in cases])
    return {seed: LibreOfficeCase(seed, case.source, case.target, moves, case.error)
            for seed, case, moves in cases}


def _area_cells(sqref: str) -> set[tuple[int, int]]:
    """Every (row, column) of a space-separated list of areas: how it is split is no meaning."""
    cells: set[tuple[int, int]] = set()
    for area in str(sqref).split():
        min_col, min_row, max_col, max_row = range_boundaries(area)
        assert None not in (min_col, min_row, max_col, max_row), area
        cells |= {(r, c) for r in range(min_row, max_row + 1)  # type: ignore[arg-type,operator]
                  for c in range(min_col, max_col + 1)}  # type: ignore[arg-type,operator]
    return cells


def _value(value: object) -> object:
    if isinstance(value, str) and value.startswith("="):
        return "=" + normalised(value[1:])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def what_matters(path: Path) -> dict[str, object]:
    """What a studio sees of a workbook after a row move, in a form both writers agree on."""
    book = load_workbook(path)
    seen: dict[str, object] = {}
    for sheet in book.worksheets:
        seen[f"{sheet.title} cells"] = {c.coordinate: _value(c.value) for row in sheet.iter_rows()
                                        for c in row if c.value is not None}
        seen[f"{sheet.title} merged"] = sorted(str(m) for m in sheet.merged_cells.ranges)
        formats: dict[tuple[object, ...], set[tuple[int, int]]] = {}
        for conditional in sheet.conditional_formatting:
            for rule in conditional.rules:
                key = (rule.type, rule.operator, tuple(normalised(f) for f in rule.formula))
                formats.setdefault(key, set()).update(_area_cells(str(conditional.sqref)))
        seen[f"{sheet.title} conditional formats"] = formats
        validations: dict[tuple[object, ...], set[tuple[int, int]]] = {}
        for validation in sheet.data_validations.dataValidation:
            key = (validation.type, validation.formula1)
            validations.setdefault(key, set()).update(_area_cells(str(validation.sqref)))
        seen[f"{sheet.title} validations"] = validations
        seen[f"{sheet.title} autofilter"] = sheet.auto_filter.ref
        seen[f"{sheet.title} comments"] = {c.coordinate: c.comment.text.strip()
                                           for row in sheet.iter_rows() for c in row if c.comment}
    seen["names"] = {name: (REF_ERROR if REF_ERROR in str(d.attr_text)
                            else normalised(str(d.attr_text)))
                     for name, d in book.defined_names.items() if name in ("span", "cell")}
    return seen


def differences(ours: Mapping[str, object], theirs: Mapping[str, object]) -> list[str]:
    found = []
    for what in sorted(set(ours) | set(theirs)):
        mine, lo = ours.get(what), theirs.get(what)
        if isinstance(mine, dict) and isinstance(lo, dict):
            for key in sorted(set(mine) | set(lo), key=str):
                if mine.get(key) != lo.get(key):
                    found.append(f"{what} {key}: sheetsync {mine.get(key)!r}, "
                                 f"LibreOffice {lo.get(key)!r}")
        elif mine != lo:
            found.append(f"{what}: sheetsync {mine!r}, LibreOffice {lo!r}")
    return found


@pytest.mark.slow
@needs_libreoffice_uno
@pytest.mark.parametrize("seed", SEEDS)
def test_move_rows_does_what_libreoffice_does(
        seed: int, libreoffice_cases: dict[int, LibreOfficeCase], tmp_path: Path) -> None:
    """sheetsync's `move_rows` and LibreOffice move the same rows of the same workbook; the two
    files must read back the same.

    Normalised, because it is representation, not meaning:
    - `Data!#REF!` and `#ref!` are `#REF!`: LibreOffice drops the sheet name of a reference it
      kills, and writes lower case in a conditional format it read back;
    - `A1:A1048576` is `A:A` (any `$` on the rows): LibreOffice writes whole columns so;
    - numbers compare as numbers (LibreOffice may write `1` as `1.0` or back);
    - conditional formats and validations compare as the set of cells each rule covers, so a
      range split or joined differently (`I3:I4 I5` vs `I3:I5`), or one rule stored as two,
      is the same;
    - comments compare by text (LibreOffice rewrites their authors and shapes);
    - a defined name that went `#REF!` is `#REF!`, whatever sheet name stands before it.
    Shared formulas are expanded by openpyxl on reading, so either writer may share.
    Not compared: validation formulas with references (LibreOffice 7.4 leaves them unmoved,
    which points them elsewhere; the workbook here has none) and a cell reference to row
    1048576 under insertions (LibreOffice's result depends on the order of its steps).
    Where LibreOffice and Excel differ, this follows LibreOffice: conditional formats and
    validations grow over rows inserted just below them (inserted rows inherit the row
    above), and a merged range whose first row is deleted is unmerged.
    """
    case = libreoffice_cases[seed]
    assert case.error is None, f"LibreOffice could not do {case.moves}: {case.error}"
    ours = tmp_path / "sheetsync.xlsx"
    with case.source.open("rb") as source, ours.open("wb") as target:
        move_rows(source, target, case.moves)
    mine, theirs = what_matters(ours), what_matters(case.libreoffice)
    found = differences(mine, theirs)
    formulas = sum(1 for sheet in (HOME, OTHER) for value in
                   theirs[f"{sheet} cells"].values()  # type: ignore[attr-defined]
                   if isinstance(value, str) and value.startswith("="))
    record("row moves", libreoffice_cases=1, libreoffice_formulas=formulas,
           libreoffice_mismatches=len(found))
    assert not found, f"moves {case.moves}:\n" + "\n".join(found)


def test_steps_for_libreoffice_delete_then_insert_bottom_up() -> None:
    """Deletions at original indexes, then insertions where the rows now stand."""
    moves = {HOME: RowMoves(frozenset({2, 5}), {5: 2, 9: 1}), OTHER: RowMoves(frozenset({1}))}
    assert steps_for(moves) == [(HOME, "delete", 4, 1), (HOME, "delete", 1, 1),
                                (OTHER, "delete", 0, 1), ("", "reload", 0, 0),
                                (HOME, "insert", 6, 1), (HOME, "insert", 3, 2)]
