"""`sheetsync statement`: on the screen, as HTML, and sent through the alert e-mail channel."""

from __future__ import annotations

import shutil
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from sheetsync.notify import BUILTIN_TEMPLATES
from tests.mailserver import Recorder, running
from tests.studios import physio_workbook

NOW = "2026-12-11T10:00"


@pytest.fixture
def workbook(tmp_path: Path, run) -> Path:
    """The physio studio, a week in, with a paid cancel, a cancellation and a part payment."""
    path = physio_workbook(tmp_path / "studio.xlsx").path
    assert run("sync", str(path), "--now", "2026-12-04T10:00").exit_code == 0
    wb = openpyxl.load_workbook(path)
    wb["Appointments"]["L3"] = "paid cancel"  # E1-1-02, Thu 3 Dec
    wb["Appointments"]["L4"] = "cancelled"  # E1-1-03, Mon 7 Dec
    wb["Payments"].append(["E1", 1500, "2026-11-30", None, "cash"])
    wb.save(path)
    assert run("sync", str(path), "--now", NOW).exit_code == 0
    return path


def configure(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: TRY\n" + extra,
        encoding="utf-8")


OUTBOX = "email:\n  from: 'Studio Flow <desk@flow.example>'\n  outbox_dir: mail\n"


def assert_clear_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


def test_the_statement_on_the_screen(run, workbook: Path):
    result = run("statement", str(workbook), "C1", "--now", NOW)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Session statement for Ayse\nas of Friday 11 December 2026 at 10:00")
    assert "Sessions left:  7\nNext session:   Monday 14 December 2026 at 14:00 with Elif\n" \
           "Amount due:     2,500.00\n" in out
    assert "  2  Thu 3 Dec 2026   14:00-15:00  Elif   paid cancel  used (paid cancel), 8 left" in out
    assert "  -  Mon 7 Dec 2026   14:00-15:00  Elif   cancelled    kept, make-up Mon 4 Jan 2027" in out
    assert " 10  Mon 4 Jan 2027   14:00-15:00  Elif   planned      planned (make-up for " \
           "Mon 7 Dec 2026)" in out
    assert "Paid Mon 30 Nov 2026: 1,500.00, cash" in out
    assert "Price 4,000.00, paid 1,500.00, due 2,500.00" in out
    assert "Subject:" not in out


def test_the_workbook_and_currency_from_the_config_and_html(run, workbook: Path, tmp_path: Path):
    configure(tmp_path)
    result = run("statement", "C1", "--format", "html", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<strong>2,500.00 TRY</strong>" in result.stdout


def test_a_statement_never_writes_the_workbook(run, workbook: Path):
    before = workbook.read_bytes()
    assert run("statement", str(workbook), "C1", "--now", "2027-03-01T10:00").exit_code == 0
    assert workbook.read_bytes() == before


@pytest.mark.parametrize(("args", "phrase"), [
    ((), "Name the client"),
    (("C9",), "There is no client C9"),
    (("a", "b", "c"), "Name the client"),
])
def test_usage_mistakes(run, workbook: Path, tmp_path: Path, args, phrase):
    configure(tmp_path)
    assert_clear_error(run("statement", *args), phrase)


def test_email_needs_the_email_settings(run, workbook: Path, tmp_path: Path):
    configure(tmp_path)
    assert_clear_error(run("statement", "C1", "--email"), "--email needs an 'email:' section")


def test_email_into_the_outbox(run, workbook: Path, tmp_path: Path):
    configure(tmp_path, OUTBOX)
    before = workbook.read_bytes()
    result = run("statement", "C1", "--email", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "Sent the statement to Ayse <ayse@x.example> into" in result.output
    assert "Your session statement from Studio Flow - Friday 11 December 2026" in result.output
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert eml.name.startswith("statement_C1_2026-12-11T10_00_00.")
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["To"] == "Ayse <ayse@x.example>"
    assert message["From"] == "Studio Flow <desk@flow.example>"
    assert message["Subject"] == "Your session statement from Studio Flow - Friday 11 December 2026"
    text = message.get_body(("plain",)).get_content()
    assert "used (paid cancel), 8 left" in text and "Amount due:     2,500.00 TRY" in text
    html = message.get_body(("html",)).get_content()
    assert "used (paid cancel), 8 left" in html
    # not an alert: nothing is recorded in the workbook
    assert workbook.read_bytes() == before


def test_email_through_a_real_mail_server(run, workbook: Path, tmp_path: Path):
    handler = Recorder()
    with running(handler) as server:
        configure(tmp_path, "email:\n  from: 'Studio Flow <desk@flow.example>'\n"
                            f"  smtp: {{host: 127.0.0.1, port: {server.port}, starttls: false,"
                            " timeout: 5}\n")
        result = run("statement", "C1", "--email", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "through 127.0.0.1" in result.output
    assert handler.recipients == ["ayse@x.example"]
    body = handler.received[0].message.get_body(("plain",)).get_content()
    assert "Session statement for Ayse" in body


def test_a_refused_message_says_why(run, workbook: Path, tmp_path: Path):
    handler = Recorder(refuse_rcpt={"ayse@x.example": "550 5.1.1 no such user"})
    with running(handler) as server:
        configure(tmp_path, "email:\n  from: desk@flow.example\n"
                            f"  smtp: {{host: 127.0.0.1, port: {server.port}, starttls: false}}\n")
        result = run("statement", "C1", "--email", "--now", NOW)
    assert_clear_error(result, "The statement was not sent to ayse@x.example",
                       "550 5.1.1 no such user")


def test_a_client_without_an_address(run, workbook: Path, tmp_path: Path):
    wb = openpyxl.load_workbook(workbook)
    wb["Clients"]["C2"] = None  # Ayse's e-mail
    wb.save(workbook)
    configure(tmp_path, OUTBOX)
    assert_clear_error(run("statement", "C1", "--email", "--now", NOW),
                       "Ayse (C1) has no e-mail address", "Nothing was sent")
    assert not (tmp_path / "mail").exists()


def test_an_incomplete_statement_is_not_sent(run, workbook: Path, tmp_path: Path):
    wb = openpyxl.load_workbook(workbook)
    wb["Enrollments"]["F2"] = "Tuesdy 9am"
    wb.save(workbook)
    configure(tmp_path, OUTBOX)
    assert_clear_error(run("statement", "C1", "--email", "--now", NOW),
                       "E1 of C1 cannot be read", "Nothing was sent")
    shown = run("statement", "C1", "--now", NOW)
    assert shown.exit_code == 0
    assert "Not shown, being corrected at the studio: E1." in shown.stdout


def test_a_template_folder_from_before_statements_still_works(run, workbook: Path,
                                                              tmp_path: Path):
    mine = tmp_path / "mine"
    shutil.copytree(BUILTIN_TEMPLATES, mine)
    for old in mine.glob("statement.*"):
        old.unlink()
    configure(tmp_path, OUTBOX + "templates_dir: mine\n")
    assert run("statement", "C1", "--email", "--now", NOW).exit_code == 0
    assert run("sync", "--now", NOW).exit_code == 0


def test_a_broken_statement_template_stops_before_anything_is_sent(run, workbook: Path,
                                                                   tmp_path: Path):
    mine = tmp_path / "mine"
    shutil.copytree(BUILTIN_TEMPLATES, mine)
    text = (mine / "statement.client.txt").read_text(encoding="utf-8")
    (mine / "statement.client.txt").write_text(text.replace("{{ p.used }}", "{{ p.usde }}"),
                                               encoding="utf-8")
    configure(tmp_path, OUTBOX + "templates_dir: mine\n")
    result = run("statement", "C1", "--email", "--now", NOW)
    assert_clear_error(result, "statement.client.txt", "usde")
    assert not (tmp_path / "mail").exists()
    # the alerts share the check: a sync stops too, before it writes or sends anything
    before = workbook.read_bytes()
    assert_clear_error(run("sync", "--now", NOW), "statement.client.txt")
    assert workbook.read_bytes() == before


def test_the_command_has_help(run):
    result = run("statement", "--help")
    assert result.exit_code == 0 and "--email" in result.output and "--format" in result.output
