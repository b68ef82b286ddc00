"""The monthly report as one self-contained HTML file: charts, tables, words in the locale.

Renders a `month_report.MonthReport` (pure figures) into HTML; the only I/O is saving it.

Invariants:
- the file needs nothing outside itself: CSS inline (with @media print), every chart an
  inline SVG drawn by matplotlib (Agg, no pyplot state, text kept as text so it is small
  and takes the page's font), no script, no font, image or style from anywhere else;
- every chart is a `<figure class="chart" id="chart-...">` (CHARTS names them), so a
  reader or a test finds each one;
- text a studio typed (names) is escaped: Jinja2's autoescape in the page, matplotlib's
  SVG writer in the charts, math text off so a `$` stays a dollar sign;
- money is formatted by formatting.py in the studio's locale and currency; every word
  comes from the gettext catalogs;
- the same report gives the same bytes (fixed SVG ids and hash salt, no dates in them).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import get_day_names, get_month_names
from markupsafe import Markup, escape

from .errors import UserError
from .formatting import format_count, format_money, format_month, format_stamp
from .i18n import DEFAULT, translations
from .month_report import DueBucket, MonthReport
from .report_files import write_report

CHARTS = ("revenue", "sessions", "occupancy", "staff", "due")
TEMPLATE = "month_report.html.j2"
_COLOURS = {"revenue": "#2f6f8f", "commission": "#e39b3b", "completed": "#3c8d5a",
            "paid_cancel": "#d9a441", "cancelled": "#b9483f", "due": "#7a5c99"}
_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_SVG_ID = re.compile(r'(id="|url\(#|href="#)([^")]+)')


class _Catalog:
    """The locale's catalog with typed results (babel's pgettext is untyped)."""

    def __init__(self, locale: str) -> None:
        self.translations = translations(locale)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return str(self.translations.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return str(self.translations.npgettext(context, singular, plural, count))


def check_html_path(out: str, locale: str = DEFAULT) -> Path:
    """The report's path, or a UserError (in `locale`) saying why it cannot be one."""
    t = _Catalog(locale)
    _ = t.gettext
    path = Path(out)
    said = {"out": out, "suffix": path.suffix or "''", "folder": path.parent}
    if path.suffix.lower() not in (".html", ".htm"):
        raise UserError(_("--out %(out)s: the monthly report is an .html file, not "
                          "%(suffix)s.") % said)
    if not path.parent.is_dir():
        raise UserError(_("--out %(out)s: the folder %(folder)s does not exist.") % said)
    if path.is_dir():
        raise UserError(_("--out %(out)s is a folder; name the .html file to write.") % said)
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(_("--out %(out)s cannot be written: you may not write in %(folder)s.")
                        % said)
    return path


def save_html(html: str, path: Path, locale: str = DEFAULT) -> None:
    write_report(path, html.encode("utf-8"), locale)


def report_title(report: MonthReport, studio_name: str = "", locale: str = DEFAULT) -> str:
    """`Monthly report, November 2026` (with the studio's name before it when known)."""
    title = translations(locale).gettext("Monthly report, %(month)s") % {
        "month": format_month(report.month.first, locale)}
    return f"{studio_name}: {title}" if studio_name else title


def render_html(report: MonthReport, *, currency: str = "", studio_name: str = "",
                locale: str = DEFAULT) -> str:
    """The whole report page."""
    t = _Catalog(locale)
    _ = t.gettext

    def money(value: Decimal) -> str:
        return format_money(value, currency, locale)

    month = report.this_month
    context: dict[str, Any] = {
        "lang": locale, "title": report_title(report, studio_name, locale),
        "made": _("As the workbook stands at %(now)s.") % {
            "now": format_stamp(report.now, locale)},
        "charts": {name: Markup(svg) for name, svg in draw_charts(report, locale).items()},
        "headline": headline(report, currency, locale),
        "staff_rows": [(f"{s.name} ({s.staff_id})" if s.name else s.staff_id,
                        format_count(s.sessions, locale), money(s.revenue), money(s.commission))
                       for s in report.staff],
        "staff_total": (format_count(sum(s.sessions for s in report.staff), locale),
                        money(month.revenue), money(month.commission)),
        "months_rows": [(format_month(m.month.first, locale), money(m.revenue),
                         money(m.commission), format_count(m.completed, locale),
                         format_count(m.paid_cancel, locale), format_count(m.cancelled, locale))
                        for m in reversed(report.months)],
        "groups": [(g.name, format_count(g.classes, locale), format_count(g.booked, locale),
                    format_count(g.capacity, locale) if g.capacity else "–",
                    f"{g.fill:.0%}" if g.fill is not None else "–") for g in report.groups],
        "renewals": [(p.client_name, p.package_name, str(p.period),
                      format_stamp(p.first_session, locale)) for p in report.renewals],
        "new_packages": [(p.client_name, p.package_name, format_stamp(p.first_session, locale))
                         for p in report.new_packages],
        "closed": [(c.name, format_stamp(c.last_session, locale)) for c in report.closed_clients],
        "due_rows": [(due_label(b, locale), format_count(b.periods, locale), money(b.amount))
                     for b in report.due_by_age],
        "due_total": money(report.total_due),
        "credit": money(report.credit) if report.credit else "",
        "notes": report.notes,
        "w": _words(locale),
    }
    return _environment().get_template(TEMPLATE).render(context)


def headline(report: MonthReport, currency: str = "",
             locale: str = DEFAULT) -> list[tuple[str, str]]:
    """The month's figures at the top of the page and in the e-mail: (label, value)."""
    t = _Catalog(locale)
    month = report.this_month
    return [(t.pgettext("monthly report", "Revenue"),
             format_money(month.revenue, currency, locale)),
            (t.pgettext("monthly report", "Commission"),
             format_money(month.commission, currency, locale)),
            (t.pgettext("monthly report", "Sessions held"), format_count(month.completed, locale)),
            (t.pgettext("monthly report", "Paid cancellations"),
             format_count(month.paid_cancel, locale)),
            (t.pgettext("monthly report", "Cancelled"), format_count(month.cancelled, locale)),
            (t.pgettext("monthly report", "Money due"),
             format_money(report.total_due, currency, locale))]


def due_label(bucket: DueBucket, locale: str = DEFAULT) -> str:
    t = _Catalog(locale)
    _ = t.gettext
    if bucket.lower is None:
        return t.pgettext("monthly report", "First session still to come")
    if bucket.upper is None:
        return _("Over %(days)s days") % {"days": bucket.lower - 1}
    return _("%(low)s–%(high)s days") % {"low": bucket.lower, "high": bucket.upper}


def _words(locale: str) -> dict[str, str]:
    """The page's headings and column titles in `locale`."""
    t = _Catalog(locale)
    _ = t.gettext
    return {
        "revenue_title": t.pgettext("monthly report", "Revenue and commission, last 12 months"),
        "sessions_title": t.pgettext("monthly report",
                                     "Sessions held, paid cancellations and cancellations"),
        "occupancy_title": t.pgettext("monthly report", "How full each weekday and hour is"),
        "occupancy_note": _("Places booked in the month: a private session takes one place, "
                            "a group class one per member booked; cancelled sessions free "
                            "theirs."),
        "staff_title": t.pgettext("monthly report", "Sessions and commission per staff member"),
        "due_title": t.pgettext("monthly report", "Money due by age"),
        "due_note": _("Counted from each period's first session, as the payment reminders "
                      "count it; the total is the money due in Balances."),
        "groups_title": t.pgettext("monthly report", "Group classes"),
        "renewals_title": t.pgettext("monthly report", "Renewals"),
        "new_title": t.pgettext("monthly report", "New packages"),
        "closed_title": t.pgettext("monthly report", "Closed clients"),
        "months_title": t.pgettext("monthly report", "Month by month"),
        "notes_title": t.pgettext("monthly report", "Notes"),
        "none": _("None this month."),
        "staff": t.pgettext("monthly report", "Staff"),
        "sessions": t.pgettext("monthly report", "Sessions"),
        "revenue": t.pgettext("monthly report", "Revenue"),
        "commission": t.pgettext("monthly report", "Commission"),
        "month": t.pgettext("monthly report", "Month"),
        "held": t.pgettext("monthly report", "Held"),
        "paid_cancel": t.pgettext("monthly report", "Paid cancellations"),
        "cancelled": t.pgettext("monthly report", "Cancelled"),
        "group": t.pgettext("monthly report", "Group"),
        "classes": t.pgettext("monthly report", "Classes"),
        "booked": t.pgettext("monthly report", "Places booked"),
        "capacity": t.pgettext("monthly report", "Places offered"),
        "fill": t.pgettext("monthly report", "Full"),
        "client": t.pgettext("monthly report", "Client"),
        "package": t.pgettext("monthly report", "Package"),
        "period": t.pgettext("monthly report", "Period"),
        "first_session": t.pgettext("monthly report", "First session"),
        "last_session": t.pgettext("monthly report", "Last session"),
        "age": t.pgettext("monthly report", "Age"),
        "periods": t.pgettext("monthly report", "Periods"),
        "due": t.pgettext("monthly report", "Due"),
        "total": t.pgettext("monthly report", "Total"),
        "credit": t.pgettext("monthly report", "Credit (paid in advance)"),
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


# -- charts ----------------------------------------------------------------------------------
def draw_charts(report: MonthReport, locale: str = DEFAULT) -> dict[str, str]:
    """Each chart of CHARTS as inline SVG markup (its ids prefixed by its name)."""
    from matplotlib import rc_context

    t = _Catalog(locale)
    _ = t.gettext
    months = [_short_month(m.month.first, locale) for m in report.months]
    revenue, commission = (t.pgettext("monthly report", "Revenue"),
                           t.pgettext("monthly report", "Commission"))
    held, paid_cancel, cancelled = (t.pgettext("monthly report", "Held"),
                                    t.pgettext("monthly report", "Paid cancellations"),
                                    t.pgettext("monthly report", "Cancelled"))
    drawers: dict[str, Callable[[Any], None]] = {
        "revenue": lambda ax: _grouped_bars(
            ax, months, [("revenue", revenue, [m.revenue for m in report.months]),
                         ("commission", commission, [m.commission for m in report.months])],
            locale),
        "sessions": lambda ax: _stacked_bars(
            ax, months, [("completed", held, [m.completed for m in report.months]),
                         ("paid_cancel", paid_cancel, [m.paid_cancel for m in report.months]),
                         ("cancelled", cancelled, [m.cancelled for m in report.months])]),
        "occupancy": lambda ax: _heatmap(ax, report, locale),
        "staff": lambda ax: _staff_bars(ax, report, locale),
        "due": lambda ax: _due_bars(ax, report, locale),
    }
    settings: dict[Any, Any] = {
                "svg.fonttype": "none", "svg.hashsalt": "sheetsync", "text.parse_math": False,
                "font.family": "sans-serif", "font.size": 9, "axes.spines.top": False,
                "axes.spines.right": False}
    with rc_context(settings):
        sizes = {**_SIZES, "staff": (7.5, max(2.0, 0.8 + 0.4 * len(report.staff)))}
        return {name: _svg(name, drawers[name], sizes[name]) for name in CHARTS}


_MARGINS = {"default": {"left": 0.09, "right": 0.98, "top": 0.95, "bottom": 0.12},
            "occupancy": {"left": 0.07, "right": 1.0, "top": 0.97, "bottom": 0.1},
            "staff": {"left": 0.2, "right": 0.97, "top": 0.95, "bottom": 0.14},
            "due": {"left": 0.09, "right": 0.98, "top": 0.95, "bottom": 0.14}}
_SIZES = {"revenue": (7.5, 2.8), "sessions": (7.5, 2.6), "occupancy": (7.5, 3.2),
          "due": (7.5, 2.2)}  # the staff chart grows with the staff


def _svg(name: str, draw: Callable[[Any], None], size: tuple[float, float]) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=size)
    figure.subplots_adjust(**_MARGINS.get(name, _MARGINS["default"]))
    draw(figure.add_subplot())
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1)
    svg = _SVG_ID.sub(lambda m: f"{m[1]}{name}-{m[2]}", svg)
    return svg.replace("<svg ", f'<svg role="img" class="chart-svg" id="svg-{name}" ', 1)


def _short_month(day: date, locale: str) -> str:
    return f"{get_month_names('abbreviated', locale=locale)[day.month]} {day:%y}"


def _grouped_bars(ax: Any, labels: Sequence[str],
                  series: Sequence[tuple[str, str, Sequence[Decimal]]], locale: str) -> None:
    width = 0.8 / len(series)
    for i, (key, label, values) in enumerate(series):
        ax.bar([x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))],
               [float(v) for v in values], width, label=label, color=_COLOURS[key])
    ax.set_xticks(range(len(labels)), labels)
    ax.yaxis.set_major_formatter(_amount_formatter(locale))
    ax.legend(frameon=False, loc="upper left")


def _stacked_bars(ax: Any, labels: Sequence[str],
                  series: Sequence[tuple[str, str, Sequence[int]]]) -> None:
    bottom = [0] * len(labels)
    for key, label, values in series:
        ax.bar(range(len(labels)), values, 0.6, bottom=bottom, label=label,
               color=_COLOURS[key])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(range(len(labels)), labels)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False, loc="upper left", ncols=3)


def _heatmap(ax: Any, report: MonthReport, locale: str) -> None:
    hours = report.hours
    grid = [[report.occupancy.get((day, hour), 0) for hour in hours] for day in range(7)]
    image = ax.imshow(grid, cmap="YlGnBu", aspect="auto", vmin=0)
    days = get_day_names("abbreviated", locale=locale)
    ax.set_yticks(range(7), [days[d] for d in range(7)])
    ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours])
    peak = max((v for row in grid for v in row), default=0)
    for day, row in enumerate(grid):
        for column, value in enumerate(row):
            if value:
                ax.text(column, day, str(value), ha="center", va="center", fontsize=7,
                        color="white" if value > peak / 2 else "black")
    ax.spines[:].set_visible(False)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)


def _staff_bars(ax: Any, report: MonthReport, locale: str) -> None:
    t = _Catalog(locale)
    names = [_shortened(s.name or s.staff_id) for s in report.staff] or ["–"]
    commission = [float(s.commission) for s in report.staff] or [0.0]
    sessions = [s.sessions for s in report.staff] or [0]
    bars = ax.barh(range(len(names)), commission, 0.5, color=_COLOURS["commission"],
                   label=t.pgettext("monthly report", "Commission"))
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.figure.subplots_adjust(left=min(0.4, 0.04 + 0.0105 * max(map(len, names))))
    ax.xaxis.set_major_formatter(_amount_formatter(locale))
    ax.bar_label(bars, [t.npgettext("monthly report", "%(count)s session", "%(count)s sessions", n)
                        % {"count": format_count(n, locale)} for n in sessions],
                 padding=3, fontsize=8)
    ax.margins(x=0.25)


def _shortened(name: str, most: int = 24) -> str:
    """A name that fits beside its bar (the table below the chart gives it whole)."""
    return name if len(name) <= most else name[:most - 1].rstrip() + "…"


def _due_bars(ax: Any, report: MonthReport, locale: str) -> None:
    labels = [due_label(b, locale) for b in report.due_by_age]
    ax.bar(range(len(labels)), [float(b.amount) for b in report.due_by_age], 0.6,
           color=_COLOURS["due"])
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.yaxis.set_major_formatter(_amount_formatter(locale))


def _amount_formatter(locale: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: format_count(round(value), locale))


# -- the e-mail to the managers --------------------------------------------------------------
def attachment_name(report: MonthReport) -> str:
    """`monthly-report-2026-11.html`: the report's file name in the managers' e-mail."""
    return f"monthly-report-{report.month}.html"


def email_parts(report: MonthReport, *, currency: str = "", studio_name: str = "",
                locale: str = DEFAULT) -> tuple[str, str, str]:
    """(subject, text, HTML) of the short e-mail the report is attached to: the month's
    headline figures and where the charts are."""
    t = _Catalog(locale)
    _ = t.gettext
    figures = headline(report, currency, locale)
    subject = report_title(report, studio_name, locale)
    attached = _("The whole report, with its charts, is attached as %(file)s: open it in a "
                 "browser, or print it.") % {"file": attachment_name(report)}
    text = "\n".join([subject, "", *(f"{label}: {value}" for label, value in figures), "",
                      attached, *(f"- {note}" for note in report.notes)]) + "\n"
    rows = "".join(f"<tr><td>{escape(label)}</td><td style=\"text-align:right\">"
                   f"{escape(value)}</td></tr>" for label, value in figures)
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    html = (f"<!DOCTYPE html><html lang=\"{locale}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(subject)}</title></head><body>"
            f"<h1 style=\"font-size:1.2em\">{escape(subject)}</h1><table>{rows}</table>"
            f"<p>{escape(attached)}</p>{f'<ul>{notes}</ul>' if notes else ''}</body></html>\n")
    return subject, text, html
