"""What the studio's own formulas cost a write: CPU seconds, in one run, against the floor.

    python benchmarks/formulas.py [--size S] [--seed 20260601]

Takes a generated studio of benchmarks/run.py (run that first for the size), gives every
Appointments row a formula of the studio's own (`=A5&"/"&F5`, the label column a studio
fills down), and patches the workbook three ways, with and without that column:

- one cell changed (a status typed): the stale-result pass reads every formula once;
- ten rows deleted near the bottom (a client closed: their future sessions go);
- ten rows deleted near the top (the worst case: every formula below moves).

The floor is reading every tab of the same file with python-calamine, as every sync does.
No number is asserted; BENCHMARKS.md quotes a run.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sheetsync.stores.base import TabChanges, WorkbookChanges  # noqa: E402
from sheetsync.stores.xlsx_read import read_calamine  # noqa: E402
from sheetsync.stores.xlsxpatch import patch_workbook, sheet_parts  # noqa: E402


def with_label_column(source: Path, target: Path) -> int:
    """`source` with a formula on every Appointments row; the number of rows."""
    with zipfile.ZipFile(source) as book:
        data = {name: book.read(name) for name in book.namelist()}
        part = sheet_parts(data["xl/workbook.xml"], data["xl/_rels/workbook.xml.rels"])[
            "Appointments"]

    def label(match: re.Match[bytes]) -> bytes:
        row = int(match.group(1))
        if row == 1:
            return match.group(0)
        cell = b'<c r="T%d"><f>A%d&amp;"/"&amp;F%d</f><v>x</v></c>' % (row, row, row)
        return match.group(0)[:-len(b"</row>")] + cell + b"</row>"

    data[part] = re.sub(rb'<row r="(\d+)"[^>]*>.*?</row>', label, data[part], flags=re.DOTALL)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    return data[part].count(b"<row ") - 1


def cpu(work: object) -> float:
    began = time.process_time()
    work()  # type: ignore[operator]
    return time.process_time() - began


def patch(path: Path, changes: WorkbookChanges) -> None:
    with path.open("rb") as source:
        patch_workbook(source, io.BytesIO(), changes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="S")
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args()
    plain = HERE / ".work" / f"studio-{args.size}-{args.seed}.xlsx"
    if not plain.exists():
        parser.error(f"{plain} is missing: run benchmarks/run.py --size {args.size} first")
    with tempfile.TemporaryDirectory() as folder:
        labelled = Path(folder) / "labelled.xlsx"
        rows = with_label_column(plain, labelled)
        cases = {
            "one cell changed": TabChanges(updates={(100, 12): "cancelled"}),
            "10 rows deleted near the bottom": TabChanges(
                deletes=set(range(rows - 20, rows - 10))),
            "10 rows deleted near the top": TabChanges(deletes=set(range(50, 60))),
        }
        floor = cpu(lambda: read_calamine(labelled))
        print(f"{args.size}: {rows:,} appointment rows; reading every tab (the floor): "
              f"{floor:.2f} s CPU\n")
        print("| write | no studio formulas | a formula on every row | ratio to the floor |")
        print("|---|---|---|---|")
        for name, tab in cases.items():
            changes = WorkbookChanges({"Appointments": tab})
            without = cpu(lambda c=changes: patch(plain, c))
            with_ = cpu(lambda c=changes: patch(labelled, c))
            print(f"| {name} | {without:.2f} s | {with_:.2f} s | {with_ / floor:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
