"""`sheetsync report month` end to end on a real .xlsx: the demo studio's December as one HTML
file, its numbers those of `report commissions` and Balances, and `--email` to the managers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import invoke
from tests.mailserver import Recorder, parse, running
from tests.month_demo import CHART_IDS, MONTH, NOW, synced_demo
from tests.studio import xlsx_studio

CONFIG = "timezone: Europe/Istanbul\ncurrency: TRY\n"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?https?:""",
                      re.IGNORECASE)


SMTP_CONFIG = CONFIG + ("email:\n  from: 'Studio Flow <desk@flow.example>'\n"
                        "  smtp: {host: 127.0.0.1, port: %d, starttls: false}\n")


class Reported:
    """The demo studio's December, reported and e-mailed through a real SMTP server once for
    every test of the module, and its `report commissions` run after."""

    def __init__(self, folder: Path) -> None:
        self.workbook = synced_demo(folder / "studio.xlsx")
        self.config = folder / "sheetsync.yaml"
        self.out = folder / "december.html"
        self.mail = Recorder()
        with running(self.mail) as server:
            self.config.write_text(SMTP_CONFIG % server.port)
            self.result = self.run("report", "month", str(self.workbook), "--month", MONTH,
                                   "--now", NOW, "--out", str(self.out), "--email")
        self.html = self.out.read_text(encoding="utf-8")
        self.commissions = self.run("report", "commissions", str(self.workbook), "--month",
                                    MONTH, "--now", NOW)

    def run(self, *args: str) -> Result:
        return invoke("--quiet", "--config", str(self.config), *args)


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Reported:
    return Reported(tmp_path_factory.mktemp("month"))


def positive_due(workbook: Path) -> Decimal:
    ws = openpyxl.load_workbook(workbook, read_only=True)["Balances"]
    rows = ws.iter_rows(values_only=True)
    due = next(rows).index("due")
    return sum((Decimal(str(r[due])) for r in rows if r[due] and r[due] > 0), Decimal(0))


def test_the_month_is_saved_sent_and_said_in_a_line_each(reported: Reported):
    assert reported.result.exit_code == 0, reported.result.output
    assert reported.result.output.splitlines() == [
        f"Monthly report for December 2026 saved to {reported.out}: revenue 4,310.00 TRY, "
        "commission 1,429.00 TRY, 19 sessions held, 21,000.00 TRY due.",
        "Sent it to Zeynep Kaya <zeynep@studio.example>."]


def test_its_money_is_that_of_report_commissions_and_balances(reported: Reported):
    total = next(line for line in reported.commissions.output.splitlines()
                 if line.startswith("Total"))
    assert total.split()[1:] == ["19", "4,310.00", "TRY", "1,429.00", "TRY"]
    for staff in ("Can Yildiz (ST2)", "Elif Demir (ST1)"):
        line = next(x for x in reported.commissions.output.splitlines() if x.startswith(staff))
        sessions, revenue, _, commission, _ = line[len(staff):].split()
        assert (f"<td>{staff}</td><td class=\"n\">{sessions}</td><td class=\"n\">{revenue} TRY"
                f"</td>\n        <td class=\"n\">{commission} TRY</td>") in reported.html
    assert positive_due(reported.workbook) == Decimal("21000")
    assert '<td class="n">21,000.00 TRY</td>' in reported.html


def test_the_file_is_self_contained_with_every_chart_drawn(reported: Reported):
    html = reported.html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert not EXTERNAL.search(html) and "<script" not in html.lower()
    assert "@media print" in html
    for chart in CHART_IDS:
        figure = html[html.index(f'<figure class="chart" id="{chart}">'):]
        figure = figure[:figure.index("</figure>")]
        assert figure.count("<svg") == 1 and "</svg>" in figure, chart
    assert len(re.findall(r'\sid="([^"]+)"', html)) == len(set(re.findall(r'\sid="([^"]+)"',
                                                                            html)))


@pytest.mark.parametrize(("args", "phrase"), [
    (("--month", "2026-13", "--out", "r.html"), "--month 2026-13 is not a month"),
    (("--out", "r.pdf"), "the monthly report is an .html file, not .pdf"),
    (("--out", "nowhere/r.html"), "the folder nowhere does not exist"),
    (("--out", "folder.html"), "--out folder.html is a folder"),
    (("--out", "r.html", "--email"), "--email needs an 'email:' section"),
])
def test_a_mistake_is_one_sentence_and_exit_2(run, cli_folder: Path, args: tuple[str, ...],
                                              phrase: str):
    (cli_folder / "sheetsync.yaml").write_text(CONFIG + "workbook: studio.xlsx\n")
    (cli_folder / "folder.html").mkdir()
    result = run("report", "month", *args)
    assert result.exit_code == 2 and phrase in result.output, result.output
    assert "Traceback" not in result.output and not (cli_folder / "r.html").exists()


def test_every_manager_gets_the_figures_with_the_report_attached(reported: Reported):
    assert reported.mail.recipients == ["zeynep@studio.example"]  # the demo's one manager
    mail = parse(reported.mail.received[0].raw)
    assert mail["Subject"] == "Studio Flow: Monthly report, December 2026"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Revenue: 4,310.00 TRY\nCommission: 1,429.00 TRY\nSessions held: 19\n" in text
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "monthly-report-2026-12.html"
    assert attached.get_content() == reported.html


@pytest.mark.slow
def test_a_turkish_studio_reads_it_in_turkish_and_queues_it_in_the_outbox(tmp_path: Path):
    workbook = synced_demo(tmp_path / "studio.xlsx", "tr")
    config = tmp_path / "sheetsync.yaml"
    config.write_text(CONFIG + "locale: tr\nemail:\n  from: desk@flow.example\n"
                      f"  outbox_dir: {tmp_path / 'outbox'}\n")
    out = tmp_path / "aralik.html"
    result = invoke("--quiet", "--config", str(config), "report", "month", str(workbook),
                    "--month", MONTH, "--now", NOW, "--out", str(out), "--email")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Aralık 2026 aylık raporu")
    assert "giden kutusuna kondu" in result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="tr">' in html and "<title>Aylık rapor, Aralık 2026</title>" in html
    assert "Yaşına göre ödenecek tutar" in html and "₺" in html
    [eml] = (tmp_path / "outbox").glob("*.eml")
    assert parse(eml.read_bytes())["Subject"] == "Aylık rapor, Aralık 2026"


def test_the_readme_shows_the_command_and_a_picture_of_it():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "sheetsync report month [WORKBOOK] [--month YYYY-MM] --out FILE.html" in readme
    assert "](docs/report-month.png)" in readme
    picture = root / "docs" / "report-month.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size < 300_000


def test_email_without_a_manager_to_send_to_writes_nothing(run, cli_folder: Path):
    xlsx_studio(cli_folder / "studio.xlsx", """
        Staff
        staff_id | name | email          | role
        ST1      | Elif | elif@x.example | staff
    """)
    (cli_folder / "sheetsync.yaml").write_text(
        CONFIG + "email:\n  from: desk@flow.example\n  outbox_dir: outbox\n")
    result = run("report", "month", "studio.xlsx", "--out", "r.html", "--email")
    assert result.exit_code == 2 and "No manager of studio.xlsx has an e-mail address" in (
        result.output), result.output
    assert not (cli_folder / "r.html").exists() and not (cli_folder / "outbox").exists()


@pytest.mark.slow
def test_a_manager_the_server_refuses_is_named_and_the_exit_is_4(tmp_path: Path):
    workbook = synced_demo(tmp_path / "studio.xlsx")
    handler = Recorder(refuse_rcpt={"zeynep@studio.example": "550 5.1.1 no such user"})
    with running(handler) as server:
        config = tmp_path / "sheetsync.yaml"
        config.write_text(SMTP_CONFIG % server.port)
        result = invoke("--quiet", "--config", str(config), "report", "month", str(workbook),
                        "--month", MONTH, "--now", NOW, "--out", str(tmp_path / "r.html"),
                        "--email")
    assert result.exit_code == 4, result.output
    assert result.output.splitlines()[-1].startswith(
        "Not sent to Zeynep Kaya <zeynep@studio.example>: the mail server 127.0.0.1:")
    assert "550 5.1.1 no such user" in result.output and (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_names_typed_in_the_workbook_stay_text_in_the_page_and_its_charts():
    from sheetsync.month import Month
    from sheetsync.month_report import month_report
    from sheetsync.month_report_html import render_html
    from sheetsync.read import read_snapshot
    from tests.studio import studio

    typed = "<b>Ayşe</b> & $x^2$ =HYPERLINK(\"http://x\") of the long name"
    store = studio(f"""
        Packages
        package_id | name | sessions | price
        P1         | One  | 1        | 100

        Staff
        staff_id | name     | commission_rate
        ST1      | {typed} | 50%

        Clients
        client_id | name
        C1        | {typed}

        Enrollments
        enrollment_id | client_id | package_id | start_date | staff_id | schedule  | auto_renew
        E1            | C1        | P1         | 2026-12-07 | ST1      | Mon 10:00 | no
    """)
    report = month_report(read_snapshot(store.read()), Month(2026, 12), datetime(2027, 1, 4, 9))
    html = render_html(report, currency="EUR")
    assert "<b>Ayşe" not in html and "http://x" not in html.replace("&#34;http://x", "")
    assert "&lt;b&gt;Ayşe&lt;/b&gt; &amp; $x^2$" in html  # the tables, escaped
    assert "&lt;b&gt;Ayşe&lt;/b&gt; &amp; $x^2$ =HY…</text>" in html  # the chart: text, cut short
    assert html.count("<svg") == 5
