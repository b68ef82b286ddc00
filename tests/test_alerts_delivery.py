"""Alerts end to end: exactly one message per key through real SMTP trouble, and the
Notifications tab telling every attempt."""

from __future__ import annotations

import email
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync import engine
from sheetsync.cli import cli
from sheetsync.config import Email
from sheetsync.notify import Mailer
from sheetsync.stores.base import WorkbookChanges
from sheetsync.stores.memory import MemoryStore
from sheetsync.stores.xlsx import XlsxStore
from tests.mailserver import Recorder, free_port, running, smtp_email
from tests.reliability import record
from tests.studio import records, studio
from tests.studios import ENDED, STAFFED, physio_workbook

ADDRESSES = ["ayse@x.example", "elif@s.example", "zeynep@s.example"]


def alerting(settings: Email) -> engine.Alerting:
    return engine.Alerting(Mailer(settings, currency="TRY"), studio_name="Studio Flow",
                           currency="TRY")


def sync(store, now: datetime, settings: Email, **kwargs) -> engine.SyncReport:
    return engine.sync(store, now, started_at=now, alerting=alerting(settings), **kwargs)


def notifications(store) -> list[tuple[str, str, int]]:
    return [(r["key"], r["status"], r["attempts"]) for r in records(store, "Notifications")]


def test_an_ended_package_reaches_client_staff_and_manager_exactly_once():
    store, handler = studio(STAFFED), Recorder()
    with running(handler) as server:
        settings = smtp_email(server.port)
        first = sync(store, ENDED, settings)
        for _ in range(2):
            assert sync(store, ENDED, settings).outcomes == []
    assert sorted(handler.recipients) == sorted(ADDRESSES)
    assert first.sent == 3
    assert notifications(store) == [
        ("E1/1/package_ended/client:C1", "sent", 1),
        ("E1/1/package_ended/staff:ST1", "sent", 1),
        ("E1/1/package_ended/manager:MGR", "sent", 1)]
    row = records(store, "Notifications")[0]
    assert (row["event"], row["enrollment_id"], row["period"], row["role"], row["to"]) == (
        "package_ended", "E1", 1, "client", "ayse@x.example")
    assert row["sent_at"] == ENDED and row["created_at"] == ENDED
    assert "10-Session Physiotherapy Package" in row["subject"]
    client_mail = next(r.message for r in handler.received if r.rcpt_tos == ["ayse@x.example"])
    body = client_mail.get_body(("plain",)).get_content()
    assert "Monday 4 January 2027 at 14:00" in body  # the next period's first session
    assert "4,000.00 TRY" in body
    assert records(store, "Runs")[0]["notified"] == 3


def test_the_ending_alert_goes_once_when_one_session_remains():
    store, handler = studio(STAFFED), Recorder()
    with running(handler) as server:
        settings = smtp_email(server.port)
        sync(store, datetime(2026, 12, 29, 10, 0), settings)
        sync(store, datetime(2026, 12, 30, 10, 0), settings)
    assert handler.recipients == ["ayse@x.example"]
    assert notifications(store) == [("E1/1/package_ending/client:C1", "sent", 1)]


def test_a_server_that_is_down_then_back_gets_each_alert_once():
    store, handler, port = studio(STAFFED), Recorder(), free_port()
    settings = smtp_email(port)
    down = sync(store, ENDED, settings)
    assert [r.status for r in down.outcomes] == ["failed"] * 3
    assert all(error for error in (r.error for r in down.outcomes))
    assert {s for _, s, _ in notifications(store)} == {"failed"}
    with running(handler, port=port):
        back = sync(store, datetime(2027, 1, 1, 10, 15), settings)
        sync(store, datetime(2027, 1, 1, 10, 30), settings)
    assert back.sent == 3
    assert sorted(handler.recipients) == sorted(ADDRESSES)
    assert {(s, a) for _, s, a in notifications(store)} == {("sent", 2)}
    record("alerts (SMTP server down, then back)", alerts=3, lost=0, doubled=0)


def test_a_refused_recipient_does_not_stop_the_others_and_is_retried_alone():
    store = studio(STAFFED)
    handler = Recorder(refuse_rcpt={"zeynep@s.example": "550 5.1.1 No such mailbox"})
    with running(handler) as server:
        settings = smtp_email(server.port)
        sync(store, ENDED, settings)
        assert sorted(handler.recipients) == ["ayse@x.example", "elif@s.example"]
        failed = [r for r in records(store, "Notifications") if r["status"] == "failed"]
        assert [(r["role"], r["attempts"]) for r in failed] == [("manager", 1)]
        assert "550" in failed[0]["error"]
        handler.refuse_rcpt.clear()
        sync(store, datetime(2027, 1, 2, 10, 0), settings)
    assert sorted(handler.recipients) == sorted(ADDRESSES)


def test_a_recipient_without_an_address_is_skipped_once_with_the_reason():
    store, handler = studio(STAFFED.replace("ayse@x.example", "              ")), Recorder()
    with running(handler) as server:
        settings = smtp_email(server.port)
        sync(store, ENDED, settings)
        sync(store, ENDED, settings)
    (client,) = [r for r in records(store, "Notifications") if r["role"] == "client"]
    assert client["status"] == "skipped" and client["attempts"] == 0
    assert "address" in client["error"]
    assert sorted(handler.recipients) == ADDRESSES[1:]


class CrashingWrite(MemoryStore):
    """The machine dies after the server accepted the messages, before the workbook write."""

    def __init__(self, tables) -> None:
        super().__init__(tables)
        self.crash = True

    def write(self, changes: WorkbookChanges) -> None:
        if self.crash:
            self.crash = False
            raise KeyboardInterrupt("power cut")
        super().write(changes)


def test_the_one_duplicate_a_crash_can_cause_carries_the_same_message_id():
    store, handler = CrashingWrite(studio(STAFFED).tables), Recorder()
    with running(handler) as server:
        settings = smtp_email(server.port)
        with pytest.raises(KeyboardInterrupt):
            sync(store, ENDED, settings)
        sync(store, ENDED, settings)
        sync(store, ENDED, settings)
    ids = [r.message["Message-ID"] for r in handler.received]
    assert len(ids) == 6 and len(set(ids)) == 3  # each resent once, recognisably
    assert {s for _, s, _ in notifications(store)} == {"sent"}
    record("alerts (crash between SMTP acceptance and the workbook write)", crashes=1,
           repeated_messages=3, lost_messages=0)


def test_a_dry_run_lists_the_alerts_and_sends_nothing():
    store, handler = studio(STAFFED), Recorder()
    with running(handler) as server:
        report = sync(store, ENDED, smtp_email(server.port), dry_run=True)
    assert [m.key for m in report.alerts] == [
        "E1/1/package_ended/client:C1", "E1/1/package_ended/staff:ST1",
        "E1/1/package_ended/manager:MGR"]
    assert handler.received == [] and records(store, "Notifications") == []


def test_a_locked_workbook_sends_nothing(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    handler = Recorder()
    (tmp_path / "~$studio.xlsx").write_text("Excel")
    with running(handler) as server, pytest.raises(Exception, match="open in Excel"):
        sync(store, ENDED, smtp_email(server.port))
    assert handler.received == []


def test_outbox_mode_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    physio_workbook(tmp_path / "studio.xlsx")
    (tmp_path / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: TRY\n"
        "email:\n  from: 'Studio Flow <desk@flow.example>'\n  outbox_dir: mail\n")
    runner = CliRunner()
    dry = runner.invoke(cli, ["sync", "--dry-run", "--now", "2027-01-01T10:00"])
    assert "3 alert(s) would be queued in the outbox mail" in dry.output
    assert "package_ended to client Ayse <ayse@x.example>" in dry.output
    result = runner.invoke(cli, ["sync", "--now", "2027-01-01T10:00"])
    assert result.exit_code == 0, result.output
    assert "1 alert(s) queued in the outbox mail (nothing left the machine), 2 skipped" \
        in result.output  # staff and manager have no address
    (eml,) = sorted((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Ayse <ayse@x.example>"
    assert message["From"] == "Studio Flow <desk@flow.example>"
    again = runner.invoke(cli, ["sync", "--now", "2027-01-01T10:00"])
    assert "0 alert(s) queued" in again.output
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    rows = XlsxStore(tmp_path / "studio.xlsx").read()["Notifications"].rows
    assert [r[8] for r in rows] == ["queued", "skipped", "skipped"]  # nothing left the machine
    assert [r[10] for r in rows] == [None] * 3  # sent_at


def test_a_broken_template_folder_stops_the_sync_before_anything(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    workbook = physio_workbook(tmp_path / "studio.xlsx").path
    (tmp_path / "mine").mkdir()
    (tmp_path / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\nemail:\n  from: desk@flow.example\ntemplates_dir: mine\n")
    before = workbook.read_bytes()
    result = CliRunner().invoke(cli, ["sync", "--now", "2027-01-01T10:00"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "package_ended.client.txt" in result.output
    assert workbook.read_bytes() == before
