"""Payment reminders (issue 16): `payment_due` to a client whose period has had money due for
`payment_due_after_days` days, counted from the period's first session; once per period, or
once per `payment_due_every_days`; never for a paid period, a closed client, an ended or a
held enrollment. The pure rule first, then real SMTP, the command line and the config.

PHYSIO: Ayse (C1) starts her 10-Session Physiotherapy Package (4000) on Mon 30 Nov 2026 at
14:00, Mon and Thu; nothing is paid, so 4000 is due from that day.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from sheetsync import engine
from sheetsync.alerts import AlertRules
from sheetsync.config import Email, load_config
from sheetsync.errors import UserError
from sheetsync.messages import FAILED, SKIPPED
from sheetsync.notify import BUILTIN_TEMPLATES, Mailer
from sheetsync.plan import plan
from sheetsync.read import read_snapshot
from sheetsync.stores.xlsx import XlsxStore
from tests.alert_config import write_config
from tests.mailserver import Recorder, running, smtp_email
from tests.studio import edit, records, studio, sync, xlsx_studio
from tests.studios import PHYSIO, TWO_CLIENTS

KEY = "E1/1/payment_due/client:C1"
FIRST = datetime(2026, 11, 30, 14, 0)  # Ayse's first session: the money is due from then
WEEK_LATER = datetime(2026, 12, 7, 15, 0)

PAID = """
Payments
enrollment_id | amount | date       | period
E1            | 4000   | 2026-11-30 | 1
"""


def reminders_at(store, now: datetime, **settings):
    snap = read_snapshot(store.read())
    return plan(snap, now, alert_rules=AlertRules(**settings)).alerts


def reminder_keys(store, now: datetime, **settings) -> list[str]:
    return [o.key for o in reminders_at(store, now, **settings).send
            if o.event == "payment_due"]


def synced(source: str, now: datetime):
    store = studio(source)
    sync(store, now)
    return store


# ---------------------------------------------------------------------------
# The rule (pure: plan() with now passed in)


def test_no_reminder_without_the_setting():
    store = synced(PHYSIO, datetime(2027, 3, 1, 10, 0))
    assert reminder_keys(store, datetime(2027, 3, 1, 10, 0)) == []


def test_the_reminder_waits_n_days_from_the_periods_first_session():
    store = synced(PHYSIO, WEEK_LATER)
    assert reminder_keys(store, datetime(2026, 12, 6, 23, 59), payment_due_after_days=7) == []
    assert reminder_keys(store, datetime(2026, 12, 7, 0, 0), payment_due_after_days=7) == [KEY]
    assert reminder_keys(store, WEEK_LATER, payment_due_after_days=30) == []


def test_the_reminder_says_what_is_due_for_which_package_and_period():
    store = studio(PHYSIO + """
Payments
enrollment_id | amount | date       | period
E1            | 1500   | 2026-11-30 | 1
""")
    sync(store, WEEK_LATER)
    (message,) = reminders_at(store, WEEK_LATER, payment_due_after_days=7, currency="TRY",
                              studio_name="Studio Flow").send
    assert (message.key, message.event, message.role, message.to_address) == (
        KEY, "payment_due", "client", "ayse@x.example")
    context = message.context
    assert (context["period_price"], context["period_paid"], context["period_due"]) == (
        Decimal("4000"), Decimal("1500"), Decimal("2500"))
    assert context["package"]["name"] == "10-Session Physiotherapy Package"
    assert context["period"] == 1 and context["due_since"] == FIRST
    assert (context["days_due"], context["reminder"]) == (7, 1)


def test_nothing_for_a_paid_period_and_nothing_for_a_credit():
    assert reminder_keys(synced(PHYSIO + PAID, WEEK_LATER), WEEK_LATER,
                         payment_due_after_days=7) == []
    overpaid = PAID.replace("4000   |", "4500   |")
    assert reminder_keys(synced(PHYSIO + overpaid, WEEK_LATER), WEEK_LATER,
                         payment_due_after_days=7) == []


def test_nothing_for_a_closed_client_or_an_ended_enrollment():
    closed = synced(PHYSIO, WEEK_LATER)
    edit(closed, "Clients", {"client_id": "C1"}, status="closed")
    assert reminder_keys(closed, WEEK_LATER, payment_due_after_days=7) == []
    with_status = PHYSIO.replace("| price_override\n", "| price_override | status\n")
    ended = synced(with_status.replace("Thu 14:00 |\n", "Thu 14:00 |                | active\n"),
                   WEEK_LATER)
    assert reminder_keys(ended, WEEK_LATER, payment_due_after_days=7) == [KEY]
    edit(ended, "Enrollments", {"enrollment_id": "E1"}, status="ended")
    assert reminder_keys(ended, WEEK_LATER, payment_due_after_days=7) == []


def test_nothing_while_the_enrollment_is_held_by_a_problem():
    store = synced(PHYSIO, WEEK_LATER)
    store.append("Notifications", {"key": KEY, "status": FAILED})
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Tuesdy 9am")
    due = reminders_at(store, WEEK_LATER, payment_due_after_days=7)
    assert due.send == [] and due.skip == []  # decided once the row reads again


def test_a_waiting_reminder_is_dropped_once_the_payment_lands():
    store = synced(PHYSIO, WEEK_LATER)
    store.append("Notifications", {"key": KEY, "status": FAILED})
    store.append("Payments", {"enrollment_id": "E1", "amount": 4000, "date": "2026-12-08"})
    due = reminders_at(store, WEEK_LATER, payment_due_after_days=7)
    assert due.send == [] and [r.key for r in due.skip] == [KEY]
    assert due.skip[0].status == SKIPPED and "the money came in" in due.skip[0].error


def test_the_repeat_interval_numbers_each_reminder():
    store = synced(PHYSIO, WEEK_LATER)
    rules = {"payment_due_after_days": 7, "payment_due_every_days": 10}
    assert reminder_keys(store, datetime(2026, 12, 16, 10, 0), **rules) == [KEY]
    assert reminder_keys(store, datetime(2026, 12, 17, 10, 0), **rules) == [f"{KEY}/2"]
    assert reminder_keys(store, datetime(2026, 12, 27, 10, 0), **rules) == [f"{KEY}/3"]
    assert reminder_keys(store, datetime(2026, 12, 27, 10, 0), payment_due_after_days=7) == [KEY]


def test_a_renewed_period_is_reminded_from_its_own_first_session():
    store = studio(PHYSIO + PAID)
    ended = datetime(2027, 1, 1, 10, 0)  # ten sessions held on Thu 31 Dec; period 2 planned
    sync(store, ended)
    second = next(b for b in records(store, "Balances") if b["period"] == 2)
    assert second["first_session"] == datetime(2027, 1, 4, 14, 0) and second["due"] == 4000
    assert reminder_keys(store, ended, payment_due_after_days=7) == []
    assert reminder_keys(store, datetime(2027, 1, 10, 10, 0), payment_due_after_days=7) == []
    assert reminder_keys(store, datetime(2027, 1, 11, 10, 0), payment_due_after_days=7) == [
        "E1/2/payment_due/client:C1"]


def test_each_client_of_a_studio_gets_only_their_own():
    store = studio(TWO_CLIENTS.replace("C2        | Mehmet |                |",
                                       "C2        | Mehmet | m@x.example    |") + """
Payments
enrollment_id | amount | date       | period
E2            | 4000   | 2026-12-01 | 1
""")
    sync(store, WEEK_LATER)
    assert reminder_keys(store, WEEK_LATER, payment_due_after_days=7) == [KEY]


# ---------------------------------------------------------------------------
# Through a real SMTP server


def alerting(settings: Email, locale: str = "en", currency: str = "TRY",
             **rules) -> engine.Alerting:
    return engine.Alerting(Mailer(settings, currency=currency, locale=locale),
                           studio_name="Studio Flow", currency=currency, **rules)


def reminder_mails(handler: Recorder) -> list[str]:
    return [str(r.message["Subject"]) for r in handler.received
            if str(r.message["Subject"]).startswith("Payment reminder")]


def send(store, now: datetime, alerting: engine.Alerting) -> engine.SyncReport:
    return engine.sync(store, now, started_at=now, alerting=alerting)


def notices(store) -> list[tuple[str, str, int]]:
    return [(r["key"], r["status"], r["attempts"]) for r in records(store, "Notifications")
            if r["event"] == "payment_due"]


def test_one_reminder_by_smtp_however_often_sync_runs():
    store, handler = synced(PHYSIO, datetime(2026, 12, 1, 10, 0)), Recorder()
    with running(handler) as server:
        channel = alerting(smtp_email(server.port), payment_due_after_days=7)
        for day in range(2, 7):  # before the seventh day: nothing
            send(store, datetime(2026, 12, day, 16, 0), alerting=channel)
        assert handler.received == []
        for hour in (10, 11, 12, 18):
            send(store, datetime(2026, 12, 7, hour, 0), alerting=channel)
        for day in (8, 9, 14, 20):
            send(store, datetime(2026, 12, day, 10, 0), alerting=channel)
    assert len(handler.received) == 1
    assert notices(store) == [(KEY, "sent", 1)]
    row = next(r for r in records(store, "Notifications") if r["key"] == KEY)
    assert (row["event"], row["enrollment_id"], row["period"], row["role"], row["to"]) == (
        "payment_due", "E1", 1, "client", "ayse@x.example")
    mail = handler.received[0].message
    assert str(mail["Subject"]) == (
        "Payment reminder: 4,000.00 TRY for 10-Session Physiotherapy Package")
    text = mail.get_body(("plain",)).get_content()
    assert "Hello Ayse," in text
    assert ("4,000.00 TRY is still open for your 10-Session Physiotherapy Package (period 1), "
            "which started on Monday 30 November 2026.") in text
    html = mail.get_body(("html",)).get_content()
    assert "<strong>4,000.00 TRY</strong>" in html and "10-Session Physiotherapy" in html


def test_with_an_interval_one_reminder_per_repeat_until_the_payment_lands():
    store, handler = synced(PHYSIO, datetime(2026, 12, 1, 10, 0)), Recorder()
    with running(handler) as server:
        channel = alerting(smtp_email(server.port), payment_due_after_days=7,
                           payment_due_every_days=7)
        for day in range(7, 22):  # days 7 to 21 after the first session: reminders 1, 2, 3
            for hour in (9, 17):
                send(store, datetime(2026, 12, day, hour, 0), alerting=channel)
        assert len(reminder_mails(handler)) == 3
        store.append("Payments", {"enrollment_id": "E1", "amount": 4000, "date": "2026-12-22"})
        for day in range(22, 32):
            send(store, datetime(2026, 12, day, 10, 0), alerting=channel)
    assert len(reminder_mails(handler)) == 3
    assert notices(store) == [(KEY, "sent", 1), (f"{KEY}/2", "sent", 1), (f"{KEY}/3", "sent", 1)]


def test_nothing_by_smtp_for_a_client_who_paid_or_with_the_setting_off():
    paid, handler = synced(PHYSIO + PAID, datetime(2026, 12, 1, 10, 0)), Recorder()
    unpaid = synced(PHYSIO, datetime(2026, 12, 1, 10, 0))
    with running(handler) as server:
        on = alerting(smtp_email(server.port), payment_due_after_days=7)
        off = alerting(smtp_email(server.port))
        for day in (7, 14, 28):
            send(paid, datetime(2026, 12, day, 10, 0), alerting=on)
            send(unpaid, datetime(2026, 12, day, 10, 0), alerting=off)
    assert handler.received == [] and notices(paid) == [] and notices(unpaid) == []


def the_one_reminder(store, **settings) -> EmailMessage:
    """The one e-mail a sync a week after the first session sends, through a real server."""
    handler = Recorder()
    with running(handler) as server:
        send(store, WEEK_LATER, alerting=alerting(smtp_email(server.port),
                                                  payment_due_after_days=7, **settings))
    (received,) = handler.received
    return received.message


def test_a_turkish_studio_reminds_in_turkish_with_the_lira_sign():
    mail = the_one_reminder(synced(PHYSIO, datetime(2026, 12, 1, 10, 0)), locale="tr")
    assert str(mail["Subject"]) == (
        "Ödeme hatırlatması: 10-Session Physiotherapy Package için 4.000,00 ₺")
    text = mail.get_body(("plain",)).get_content()
    assert "Merhaba Ayse," in text and "4.000,00 ₺ ödemeniz henüz yapılmadı" in text
    assert "30 Kasım 2026 Pazartesi tarihinde başlayan" in text
    assert "Saygılarımızla," in text
    assert 'lang="tr"' in mail.get_body(("html",)).get_content()


def test_a_client_reads_the_reminder_in_their_own_language():
    store = studio(PHYSIO.replace("client_id | name   | email          | status",
                                  "client_id | name   | email          | status | language")
                   .replace("C1        | Ayse   | ayse@x.example | active",
                            "C1        | Ayse   | ayse@x.example | active | de"))
    sync(store, datetime(2026, 12, 1, 10, 0))
    mail = the_one_reminder(store, currency="EUR")
    assert str(mail["Subject"]) == (
        "Zahlungserinnerung: 4.000,00 € für „10-Session Physiotherapy Package“")
    text = mail.get_body(("plain",)).get_content()
    assert "sind noch 4.000,00 € offen" in text and "Herzliche Grüße," in text


# ---------------------------------------------------------------------------
# Configuration and the command line


def test_the_settings_are_off_by_default_and_read_when_given(tmp_path: Path):
    config = load_config(str(write_config(tmp_path, "")))
    assert (config.payment_due_after_days, config.payment_due_every_days) == (None, None)
    example = load_config(str(Path(__file__).resolve().parent.parent / "config.example.yaml"))
    assert example.payment_due_after_days is None  # commented out in the example
    config = load_config(str(write_config(
        tmp_path, "notifications:\n  payment_due_after_days: 10\n  payment_due_every_days: 14\n")))
    assert (config.payment_due_after_days, config.payment_due_every_days) == (10, 14)


@pytest.mark.parametrize(("settings", "phrase"), [
    ("  payment_due_after_days: 0\n", "notifications.payment_due_after_days should be"),
    ("  payment_due_after_days: soon\n", "notifications.payment_due_after_days should be"),
    ("  payment_due_after_days: 7\n  payment_due_every_days: -1\n",
     "notifications.payment_due_every_days should be"),
    ("  payment_due_every_days: 7\n", "needs notifications.payment_due_after_days"),
])
def test_a_bad_setting_is_a_clear_config_problem(tmp_path: Path, settings: str, phrase: str):
    with pytest.raises(UserError, match=phrase):
        load_config(str(write_config(tmp_path, "notifications:\n" + settings)))


def test_dry_run_lists_the_reminder_and_sync_queues_it_once(run, cli_folder: Path):
    XlsxStore(xlsx_studio(cli_folder / "studio.xlsx", PHYSIO))
    write_config(cli_folder, "notifications:\n  payment_due_after_days: 7\n")
    dry = run("sync", "--dry-run", "--now", "2026-12-07T15:00")
    assert dry.exit_code == 0, dry.output
    assert "payment_due to client Ayse <ayse@x.example>" in dry.output
    assert "Payment reminder: 4,000.00 TRY for 10-Session Physiotherapy Package" in dry.output
    for _ in range(3):
        assert run("sync", "--now", "2026-12-07T15:00").exit_code == 0
    queued = sorted((cli_folder / "outbox").glob("E1_1_payment_due*.eml"))
    assert len(queued) == 1


def test_the_templates_command_copies_the_reminder_templates(run, cli_folder: Path):
    assert run("templates", "mine").exit_code == 0
    for name in ("payment_due.client.txt", "payment_due.client.html"):
        assert (cli_folder / "mine" / name).read_bytes() == (BUILTIN_TEMPLATES / name).read_bytes()
    text = (cli_folder / "mine" / "payment_due.client.txt").read_text(encoding="utf-8")
    assert "How to pay" in text  # the place for the studio's own words is marked
