"""Unattended runs: `sheetsync sync` tells a scheduler when alerts could not be sent.

Every test drives the command line on a real .xlsx file against a real SMTP server on
127.0.0.1 (aiosmtpd), and reads the Runs and Notifications tabs back from the file.
The package of E1 (Mon and Thu 14:00 from 2026-11-30) is used up on 2026-12-31: at
ENDED the client, her physiotherapist and the manager each get one package_ended alert.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sheetsync.stores.xlsx import XlsxStore
from tests.mailserver import Login, Recorder, free_port, running
from tests.studio import records, xlsx_studio

STUDIO = """
Packages
package_id | name                              | sessions | price | duration_min
PHY10      | 10-Session Physiotherapy Package  | 10       | 4000  | 60

Clients
client_id | name   | email          | status
C1        | Ayse   | ayse@x.example | active

Staff
staff_id | name   | role    | commission_rate | email
ST1      | Elif   | staff   | 40%             | elif@s.example
MGR      | Zeynep | manager |                 | zeynep@s.example

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
"""
A_PROBLEM = "E2            | C1        | PHY10      | 2026-11-30 | ST1      | Tuesdy 9am\n"
ENDED = "2027-01-01T10:00"
LATER = "2027-01-01T10:15"
ADDRESSES = ["ayse@x.example", "elif@s.example", "zeynep@s.example"]
PASSWORD_ENV = "SHEETSYNC_TEST_SMTP_PASSWORD"
SENDER = "Studio Flow <desk@flow.example>"
SUMMARY = re.compile(r"sync: (\d+) created, (\d+) completed, (\d+) renewed, (\d+) alerts sent"
                     r"(?:, (\d+) queued in the outbox)?, (\d+) failed, (\d+) problems "
                     r"\(exit (\d+)\)")
auth_without_tls = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def workbook(folder: Path, source: str = STUDIO) -> Path:
    """The studio as an .xlsx file, typed in with openpyxl as a studio would."""
    return xlsx_studio(folder / "studio.xlsx", source)


def configure(folder: Path, *, port: int | None = None, outbox: bool = False,
              **smtp: Any) -> None:
    """sheetsync.yaml with SMTP on 127.0.0.1:port, or only the outbox folder."""
    lines = ["workbook: studio.xlsx", "timezone: Europe/Istanbul", "currency: TRY", "email:",
             f"  from: '{SENDER}'", "  outbox_dir: outbox"]
    if not outbox:
        settings = {"host": "127.0.0.1", "port": port, "starttls": "false", "timeout": 5,
                    **smtp}
        lines.append("  smtp: {" + ", ".join(f"{k}: {v}" for k, v in settings.items()) + "}")
    (folder / "sheetsync.yaml").write_text("\n".join(lines) + "\n")


def notifications(folder: Path) -> list[dict[str, Any]]:
    return records(XlsxStore(folder / "studio.xlsx"), "Notifications")


def statuses(folder: Path) -> list[str]:
    return [row["status"] for row in notifications(folder)]


def results(folder: Path) -> list[str]:
    return [row["result"] for row in records(XlsxStore(folder / "studio.xlsx"), "Runs")]


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def summary(output: str) -> dict[str, int]:
    """The numbers of the summary line, which must be the last line of the output."""
    found = SUMMARY.fullmatch(last_line(output))
    assert found, output
    names = ("created", "completed", "renewed", "sent", "queued", "failed", "problems", "exit")
    return {name: int(value or 0) for name, value in zip(names, found.groups(), strict=True)}


# -- a mail server that is down, then back ----------------------------------------------------

def test_a_server_that_is_down_exits_4_and_the_next_sync_sends_each_alert_once(cli_folder, run):
    workbook(cli_folder)
    port = free_port()
    configure(cli_folder, port=port)
    down = run("sync", "--now", ENDED)
    assert down.exit_code == 4, down.output
    assert (f"Alerts could not be sent: the mail server 127.0.0.1:{port} refused the "
            "connection (is it running, is the port right?). This may pass by itself: they "
            "stay in Notifications as failed and every sync tries them again.") in down.output
    # the ten past sessions are created completed; "completed" counts pending ones it closed
    assert summary(down.output) == {"created": 20, "completed": 0, "renewed": 1, "sent": 0,
                                    "queued": 0, "failed": 3, "problems": 0, "exit": 4}
    assert results(cli_folder) == ["alerts failed"]
    assert statuses(cli_folder) == ["failed"] * 3
    assert [row["sent_at"] for row in notifications(cli_folder)] == [None] * 3

    handler = Recorder()
    with running(handler, port=port):
        back = run("sync", "--now", LATER)
        again = run("sync", "--now", LATER)
    assert (back.exit_code, again.exit_code) == (0, 0), back.output
    assert summary(back.output)["sent"] == 3 and summary(again.output)["sent"] == 0
    assert sorted(handler.recipients) == ADDRESSES  # each once: nothing doubled
    assert results(cli_folder) == ["alerts failed", "ok", "ok"]
    rows = notifications(cli_folder)
    assert [(r["status"], r["attempts"], r["error"]) for r in rows] == [("sent", 2, None)] * 3
    assert {r["sent_at"] for r in rows} == {datetime(2027, 1, 1, 10, 15)}
    assert len(rows) == 3


# -- failures that cannot mend themselves ------------------------------------------------------

@auth_without_tls
def test_a_missing_password_variable_is_named_and_needs_the_studio(cli_folder, run,
                                                                   monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    workbook(cli_folder)
    handler, login = Recorder(), Login("studio", "right-password")
    with running(handler, authenticator=login, auth_required=True,
                 auth_require_tls=False) as server:
        configure(cli_folder, port=server.port, username="studio", password_env=PASSWORD_ENV,
                  insecure_auth="true")
        unset = run("--quiet", "sync", "--now", ENDED)
        assert unset.exit_code == 4, unset.output
        assert ("Alerts could not be sent: the environment variable SHEETSYNC_TEST_SMTP_PASSWORD "
                "is not set, so sheetsync cannot log in to 127.0.0.1; set it where cron runs "
                "sheetsync. They stay in Notifications and go out at the first sync that can "
                "send them.") in unset.output
        assert "may pass by itself" not in unset.output
        assert summary(unset.output)["failed"] == 3  # the last line, with --quiet too
        assert login.attempts == []  # it did not even try
        monkeypatch.setenv(PASSWORD_ENV, "right-password")
        fixed = run("--quiet", "sync", "--now", LATER)
    assert fixed.exit_code == 0, fixed.output
    assert sorted(handler.recipients) == ADDRESSES
    assert results(cli_folder) == ["alerts failed", "ok"]
    assert statuses(cli_folder) == ["sent"] * 3


@auth_without_tls
def test_a_refused_login_exits_4_and_says_what_to_check(cli_folder, run, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "an-old-password")
    workbook(cli_folder)
    handler, login = Recorder(), Login("studio", "the-new-password")
    with running(handler, authenticator=login, auth_required=True,
                 auth_require_tls=False) as server:
        configure(cli_folder, port=server.port, username="studio", password_env=PASSWORD_ENV,
                  insecure_auth="true")
        refused = run("sync", "--now", ENDED)
    assert refused.exit_code == 4, refused.output
    (sentence,) = [line for line in refused.output.splitlines()
                   if line.startswith("Alerts could not be sent")]
    assert "refused the login of studio (535 " in sentence
    assert f"check the password in {PASSWORD_ENV}" in sentence
    assert sentence.endswith("They stay in Notifications and go out at the first sync that "
                             "can send them.")
    assert "an-old-password" not in refused.output
    assert handler.received == [] and {who for _, who in login.attempts} == {"studio"}
    assert results(cli_folder) == ["alerts failed"]
    assert statuses(cli_folder) == ["failed"] * 3


# -- problems and failed alerts together --------------------------------------------------------

def test_problems_and_failed_alerts_exit_4_and_name_both(cli_folder, run):
    workbook(cli_folder, STUDIO + A_PROBLEM)
    port = free_port()
    configure(cli_folder, port=port)
    both = run("sync", "--now", ENDED)
    assert both.exit_code == 4, both.output
    assert "Exit 4: alerts could not be sent (see above), and 1 problem(s) were found in the " \
           "workbook (see the Problems tab)." in both.output
    assert "Alerts could not be sent: " in both.output
    assert "Enrollments row 3, schedule" in both.output
    numbers = summary(both.output)
    assert (numbers["failed"], numbers["problems"], numbers["exit"]) == (3, 1, 4)
    with running(Recorder(), port=port):
        problems_only = run("sync", "--now", LATER)
    assert problems_only.exit_code == 1, problems_only.output
    assert "Exit 4" not in problems_only.output
    assert summary(problems_only.output)["exit"] == 1
    assert results(cli_folder) == ["problems, alerts failed", "problems"]


# -- the summary line ---------------------------------------------------------------------------

def test_every_run_ends_with_one_summary_line(cli_folder, run):
    workbook(cli_folder)
    with running(Recorder()) as server:
        configure(cli_folder, port=server.port)
        dry = run("sync", "--dry-run", "--now", ENDED)
        done = run("sync", "--now", ENDED)
        quiet = run("--quiet", "sync", "--now", "2027-01-05T10:00")  # after Monday's session
    assert dry.exit_code == done.exit_code == quiet.exit_code == 0
    assert last_line(dry.output) == ("sync --dry-run: would create 20, complete 0, renew 1, "
                                     "send 3 alerts; 0 problems (exit 0)")
    assert last_line(done.output) == ("sync: 20 created, 0 completed, 1 renewed, 3 alerts sent, "
                                      "0 failed, 0 problems (exit 0)")
    assert last_line(quiet.output) == ("sync: 0 created, 1 completed, 0 renewed, 0 alerts sent, "
                                       "0 failed, 0 problems (exit 0)")
    assert sum(line.startswith("sync") for line in done.output.splitlines()) == 1


def test_saving_is_announced_right_before_the_write_and_confirmed_after(cli_folder, run):
    workbook(cli_folder)
    lines = run("sync", "studio.xlsx", "--now", ENDED).output.splitlines()
    saving = next(i for i, line in enumerate(lines) if line.startswith("Saving "))
    assert re.fullmatch(r"Saving \d+ cells to studio\.xlsx \.\.\.", lines[saving])
    assert re.fullmatch(r"Saved \d+ cells\.", lines[saving + 1])
    assert not any(line.startswith("Writing") for line in lines)


# -- a workbook that refuses the write ----------------------------------------------------------

@pytest.mark.parametrize("alerts", [False, True], ids=["no e-mail", "smtp"])
def test_a_refused_write_claims_no_write_and_sends_nothing(cli_folder, run, alerts: bool):
    path = workbook(cli_folder)
    handler = Recorder()
    with running(handler) as server:
        if alerts:
            configure(cli_folder, port=server.port)
        # LibreOffice on the front desk's computer has the file open (written after the file)
        lock = cli_folder / ".~lock.studio.xlsx#"
        lock.write_text("Front Desk,frontdesk,frontdesk-pc,01.01.2027 09:55,"
                        "file:///home/frontdesk/.config/libreoffice/4;")
        before = path.read_bytes()
        refused = run("sync", "studio.xlsx", "--now", ENDED)
    assert refused.exit_code == 2, refused.output
    assert "open in LibreOffice" in refused.output
    assert not re.search(r"Saving|Saved|Writing|written in|Synced", refused.output), \
        refused.output
    assert last_line(refused.output) == "sync: stopped, nothing was saved (exit 2)"
    assert path.read_bytes() == before and lock.exists()
    assert handler.received == []


# -- the outbox first, SMTP later ---------------------------------------------------------------

def test_alerts_queued_in_the_outbox_go_out_once_when_smtp_is_set(cli_folder, run):
    workbook(cli_folder)
    configure(cli_folder, outbox=True)
    queued = run("sync", "--now", ENDED)
    assert queued.exit_code == 0, queued.output  # queued is what the studio asked for
    assert "3 alert(s) queued in the outbox outbox (nothing left the machine)" in queued.output
    assert summary(queued.output) | {"created": 0, "completed": 0, "renewed": 0} == {
        "created": 0, "completed": 0, "renewed": 0, "sent": 0, "queued": 3, "failed": 0,
        "problems": 0, "exit": 0}
    rows = notifications(cli_folder)
    assert [(r["status"], r["sent_at"]) for r in rows] == [("queued", None)] * 3
    assert all(r["error"].startswith("in the outbox as outbox/") for r in rows)
    outbox = {p.name: p.read_bytes() for p in (cli_folder / "outbox").iterdir()}
    assert len(outbox) == 3
    assert results(cli_folder) == ["ok"]
    assert run("sync", "--now", ENDED).exit_code == 0  # the outbox is final without SMTP
    assert statuses(cli_folder) == ["queued"] * 3

    handler = Recorder()
    with running(handler) as server:
        configure(cli_folder, port=server.port)
        delivered = run("sync", "--now", LATER)
        again = run("sync", "--now", LATER)
    assert (delivered.exit_code, again.exit_code) == (0, 0), delivered.output
    assert sorted(handler.recipients) == ADDRESSES  # each exactly once
    assert (summary(delivered.output)["sent"], summary(again.output)["sent"]) == (3, 0)
    rows = notifications(cli_folder)
    assert [(r["status"], r["attempts"], r["error"]) for r in rows] == [("sent", 2, None)] * 3
    assert {r["sent_at"] for r in rows} == {datetime(2027, 1, 1, 10, 15)}
    assert {p.name: p.read_bytes() for p in (cli_folder / "outbox").iterdir()} == outbox
    assert results(cli_folder) == ["ok"] * 4


def test_queued_alerts_of_a_period_long_gone_are_not_mailed_when_smtp_comes(cli_folder, run):
    workbook(cli_folder)
    configure(cli_folder, outbox=True)
    assert run("sync", "--now", ENDED).exit_code == 0
    handler = Recorder()
    with running(handler) as server:
        configure(cli_folder, port=server.port)
        weeks_later = run("sync", "--now", "2027-01-20T10:00")
    assert weeks_later.exit_code == 0, weeks_later.output
    assert handler.received == []  # an alert about a package that ended three weeks ago
    rows = notifications(cli_folder)
    assert [r["status"] for r in rows] == ["skipped"] * 3
    assert all("its copy stays in the outbox folder" in r["error"] for r in rows)
    assert len(list((cli_folder / "outbox").iterdir())) == 3
