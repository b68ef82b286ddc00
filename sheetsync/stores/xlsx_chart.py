"""The bar chart of commission per staff member on a Commissions sheet (openpyxl).

One function, called by the report's .xlsx export and by the .xlsx store when
the studio lets it rewrite a whole workbook (--rewrite; on the usual patch path
xlsxparts.py draws the same chart as XML), so the chart is always drawn from the
rows the sheet holds: the block of the latest month, staff names along the
bottom, commission up, beside that block. A chart is re-drawn rather than
kept, because openpyxl reads charts back only roughly and never moves their
cell references when rows move. Only sheetsync's own chart (known by its title,
in any shipped language: `is_commission_chart`) is replaced; any other chart on the
sheet is left. The chart's title and its axis title are in the studio's locale.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.worksheet.worksheet import Worksheet

from ..formatting import format_month
from ..i18n import DEFAULT, N_, SUPPORTED, translations
from ..month import Month, month_of
from ..schema import header_key
from .layout import column_letter

CHART_TITLE = N_("Commission per staff member")
_AXIS = N_("commission")


def is_commission_chart(title: str) -> bool:
    """sheetsync's own chart, whichever shipped language drew it."""
    return any(title.startswith(translations(code).gettext(CHART_TITLE)) for code in SUPPORTED)


def commission_chart_title(month: Month, currency: str = "", locale: str = DEFAULT) -> str:
    """`Commission per staff member, 2026-12 (TRY)`; `Personel başına komisyon, Aralık 2026
    (TRY)` in Turkish."""
    shown = str(month) if locale == DEFAULT else format_month(month.first, locale)
    return f"{translations(locale).gettext(CHART_TITLE)}, {shown}" + (
        f" ({currency})" if currency else "")


def commission_axis_title(currency: str = "", locale: str = DEFAULT) -> str:
    """The value axis: `commission (TRY)`, `komisyon (TRY)`."""
    word = translations(locale).gettext(_AXIS)
    return f"{word} ({currency})" if currency else word


def draw_commission_chart(ws: Worksheet, currency: str = "",
                          locale: str = DEFAULT) -> Month | None:
    """Replace the sheet's commission chart with one of its latest month; that month, if any.

    No chart is drawn when the sheet lacks the columns or no month is there, or when the
    latest month's rows are not one block (a studio sorted the tab; the next report run
    gathers them again).
    """
    ws._charts = [c for c in ws._charts if not is_commission_chart(_title(c))]
    columns = {header_key(c.value): c.column for c in ws[1] if c.value is not None}
    month_col, value_col = columns.get("month"), columns.get("commission")
    name_col = columns.get("staffname") or columns.get("staffid")
    if month_col is None or value_col is None or name_col is None:
        return None
    months = {row: month_of(ws.cell(row, month_col).value) for row in range(2, ws.max_row + 1)}
    found = [m for m in months.values() if m is not None]
    if not found:
        return None
    latest = max(found)
    rows = [row for row, m in months.items() if m == latest]
    first, last = rows[0], rows[-1]
    if last - first + 1 != len(rows):
        return None
    chart = BarChart()
    chart.type = "col"
    chart.title = commission_chart_title(latest, currency, locale)
    chart.add_data(Reference(ws, min_col=value_col, min_row=first, max_row=last))
    names = Reference(ws, min_col=name_col, min_row=first, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(names)))  # text, not numbers
    chart.series[0].tx = SeriesLabel(v=translations(locale).gettext(_AXIS))
    chart.dataLabels = DataLabelList(numFmt="#,##0.00", showVal=True, showSerName=False,
                                     showCatName=False, showLegendKey=False,
                                     showPercent=False)
    chart.legend = None
    chart.y_axis.numFmt = "#,##0.00"
    chart.y_axis.title = commission_axis_title(currency, locale)
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told
    chart.y_axis.delete = False
    chart.width, chart.height = 16, 8.5  # cm
    ws.add_chart(chart, f"{column_letter(ws.max_column + 2)}{first}")  # beside its rows
    return latest


def _title(chart: object) -> str:
    """The plain text of a chart's title ('' when it has none or it is not plain text)."""
    title = getattr(chart, "title", None)
    rich = getattr(getattr(title, "tx", None), "rich", None)
    if rich is None:
        return ""
    return "".join(run.t or "" for paragraph in rich.p for run in (paragraph.r or []))
