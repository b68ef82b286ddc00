"""The commission report as a file a studio can open: `.csv` or `.xlsx`.

Invariants:
- nothing a studio typed ever becomes a formula: in the .csv a text cell that
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
  (what spreadsheet programs show as plain text); in the .xlsx every text cell is
  a text cell, escaped as the format wants (stores/xlsxtext.py), so it shows exactly
  the text;
- money is written from the report's Decimals (cents), never through a float in
  the .csv; the .xlsx gives money cells a number format with the currency;
- the file is replaced atomically (a temporary file beside it, then a rename).

The .csv holds the per-staff table with a Total row, then, after an empty line,
the per-package breakdown. The .xlsx holds the per-staff table with the bar
chart of commission per staff member, a By package sheet and a Sessions sheet
listing every session counted.

Language: the .xlsx is for people, so its sheet titles, headers, Total row and chart are in
the studio's `locale` (the headers as the workbook's own tabs title those columns, so the
chart finds them in any language); English keeps the column keys it always had. The .csv
is for other programs: its headers stay the column keys in every locale.
"""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_atomically
from .errors import UserError
from .i18n import DEFAULT, N_, translations
from .report import PACKAGE_COLUMNS, SESSION_COLUMNS, STAFF_COLUMNS, CommissionReport
from .schema import COMMISSIONS, TITLES, tab_title
from .stores.layout import column_letter
from .stores.xlsx_chart import draw_commission_chart
from .stores.xlsxtext import openpyxl_text

FORMATS = (".csv", ".xlsx")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_MONEY = ("revenue", "commission")
_PACKAGE_NAME = N_("Package name")  # the one report column no tab of the workbook has
_WIDTHS = {"month": 9, "staff_id": 10, "staff_name": 24, "package_id": 11,
           "package_name": 34, "appointment_id": 14, "enrollment_id": 13, "client_name": 24,
           "date": 11, "status": 12, "sessions": 9, "revenue": 14, "commission": 14}


def check_out_path(out: str, workbook: str, locale: str = DEFAULT) -> Path:
    """The export path, or a UserError (in `locale`) saying why it cannot be one."""
    _ = translations(locale).gettext
    path = Path(out)
    said = {"out": out, "suffix": path.suffix, "folder": path.parent}
    if path.suffix.lower() not in FORMATS:
        raise UserError((_("--out %(out)s: the report can be saved as .csv or .xlsx, not "
                           "%(suffix)s.") if path.suffix else
                         _("--out %(out)s: the report can be saved as .csv or .xlsx, not a "
                           "file without an extension.")) % said)
    if not path.parent.is_dir():
        raise UserError(_("--out %(out)s: the folder %(folder)s does not exist.") % said)
    if path.resolve() == Path(workbook).resolve():
        raise UserError(_("--out %(out)s is the workbook itself; name another file.") % said)
    return path


def save(report: CommissionReport, path: Path, currency: str = "",
         locale: str = DEFAULT) -> None:
    content = (_xlsx_bytes(report, currency, locale) if path.suffix.lower() == ".xlsx"
               else _csv_text(report, currency).encode("utf-8-sig"))
    write_report(path, content, locale)


def write_report(path: Path, content: bytes, locale: str = DEFAULT) -> None:
    """Save a report file whole (atomically), or a UserError (in `locale`) saying why not."""
    try:
        write_atomically(path, content)
    except OSError as err:
        raise UserError(translations(locale).gettext(
            "Cannot save the report to %(path)s: %(reason)s.") % {
                "path": path, "reason": err.strerror}) from None


# -- .csv ------------------------------------------------------------------------------------
def safe_text(value: str) -> str:
    """Text a spreadsheet program opens as text, never as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(_RISKY_START) else value


def _csv_cell(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _csv_text(report: CommissionReport, currency: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for number, (columns, rows) in enumerate(_tables(report)):
        if number == 2:
            break  # the sessions are in the .xlsx only
        if number:
            writer.writerow([])
        writer.writerow(["month", *columns, "currency"])
        for row in rows:
            writer.writerow([_csv_cell(v) for v in (*row, currency)])
    return buffer.getvalue()


def _tables(report: CommissionReport, total_label: str = "Total",
            ) -> Iterator[tuple[Sequence[str], list[list[object]]]]:
    """(columns, rows with the month first) of the per-staff, per-package and session tables,
    the first two ending with a Total row (labelled `total_label`)."""
    month = str(report.month)
    total = [report.total_sessions, report.total_revenue, report.total_commission]
    for frame, columns in ((report.by_staff, STAFF_COLUMNS),
                           (report.by_package, PACKAGE_COLUMNS)):
        rows = [[month, *(_plain(v) for v in record)] for record in
                frame[list(columns)].itertuples(index=False, name=None)]
        blanks = [""] * (len(columns) - 5)  # package_id, package_name
        rows.append(["", "", total_label, *blanks, *total])
        yield columns, rows
    yield SESSION_COLUMNS, [[month, *(_plain(v) for v in record)] for record in
                            report.sessions[list(SESSION_COLUMNS)].itertuples(index=False,
                                                                              name=None)]


def _plain(value: object) -> object:
    """numpy's integers as Python ints; everything else as it is."""
    return int(value) if isinstance(value, numbers.Integral) else value


# -- .xlsx -----------------------------------------------------------------------------------
def _xlsx_bytes(report: CommissionReport, currency: str, locale: str = DEFAULT) -> bytes:
    """The workbook of the report, its sheets, headers, Total row and chart in `locale`."""
    money = '#,##0.00' + (f' "{_quoted(currency)}"' if currency else "")
    t = translations(locale)
    wb = Workbook()
    wb.remove(wb.active)
    titles = (tab_title(COMMISSIONS, locale), str(t.pgettext("report sheet", "By package")),
              str(t.pgettext("report sheet", "Sessions")))
    tables = _tables(report, str(t.pgettext("table header", "Total")))
    for number, (title, (columns, rows)) in enumerate(zip(titles, tables, strict=True)):
        ws = wb.create_sheet(title)
        _fill(ws, ["month", *columns], rows, money, total=number < 2,
              shown=[report_header(name, locale) for name in ("month", *columns)])
    draw_commission_chart(wb[titles[0]], currency, locale)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def report_header(name: str, locale: str = DEFAULT) -> str:
    """A report column's header: its key in English (as always), else the title the
    workbook's tabs give that column in `locale` (`staff_name` -> `Personel Adı`)."""
    if locale == DEFAULT:
        return name
    if name == "package_name":
        return translations(locale).gettext(_PACKAGE_NAME)
    return TITLES.get(locale, {}).get(name, name)


def _fill(ws: Worksheet, header: list[str], rows: list[list[object]], money: str, *,
          total: bool, shown: Sequence[str]) -> None:
    bold = Font(bold=True)
    for col, (name, title) in enumerate(zip(header, shown, strict=True), start=1):
        cell = ws.cell(1, col, title)
        cell.font = bold
        ws.column_dimensions[column_letter(col)].width = _WIDTHS.get(name, 12)
    for r, values in enumerate(rows, start=2):
        for col, (name, value) in enumerate(zip(header, values, strict=True), start=1):
            cell = ws.cell(r, col)
            if value == "":
                pass
            elif isinstance(value, str):
                cell.value = openpyxl_text(value)  # openpyxl writes text unescaped
                cell.data_type = "s"  # never a formula
            else:
                cell.value = value
            if name in _MONEY:
                cell.number_format = money
            elif name == "date":
                cell.number_format = "yyyy-mm-dd"
            if total and r == len(rows) + 1:
                cell.font = bold
    ws.freeze_panes = "A2"


def _quoted(currency: str) -> str:
    return currency.replace('"', "").replace("\\", "")
