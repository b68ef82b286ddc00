"""The weekly digest to every manager (issue 16): who ends, who owes, what broke. The pure
content and timing first (`now` passed in), then real SMTP, the config, the command line and
the demo.

WEEK: the digest of the week of Mon 7 Dec 2026 (2026-W50); last week is Mon 30 Nov to Sun 6
Dec. Zeynep (MGR) and Can (MGR2) are managers, Elif (ST1) is not.
- E1 Ayse, 10 physio sessions (4000) Mon and Thu 14:00 from Mon 30 Nov, 1500 paid: held 30 Nov,
  cancelled Thu 3 Dec (made up at the end), so 2500 due since 30 Nov: 7 days on 7 Dec.
- E2 Mehmet, 4 personal training sessions (2000) Tue 10:00 from Tue 24 Nov, no auto-renew,
  nothing paid: held 24 Nov and 1 Dec, last session Tue 15 Dec (ends for good), 2000 due
  since 24 Nov: 13 days.
- E3 Selin, the same package Wed and Fri 18:00 from Wed 2 Dec, paid: held 2 Dec, a paid
  cancellation Fri 4 Dec, last session Fri 11 Dec (renews).
- E4 Deniz: a schedule nobody can read, one problem; the enrollment is held, so the failed
  and the queued alert of it in Notifications stay as they are.
Last week therefore: 3 sessions held (30 Nov, 1 Dec, 2 Dec), 1 cancelled, 1 paid cancel.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from sheetsync import digest, engine
from sheetsync import status as health
from sheetsync.config import Email, load_config
from sheetsync.digest import DigestRules, digest_context, due_digests, due_from, week_of
from sheetsync.errors import UserError
from sheetsync.notify import BUILTIN_TEMPLATES, Mailer, Templates
from sheetsync.plan import plan
from sheetsync.read import read_snapshot
from sheetsync.stores.xlsx import XlsxStore
from tests.alert_config import write_config
from tests.mailserver import Recorder, free_port, running, smtp_email
from tests.studio import records, set_status, studio, sync, xlsx_studio
from tests.studios import PHYSIO

WEEK = """
Packages
package_id | name                             | sessions | price
PHY10      | 10-Session Physiotherapy Package | 10       | 4000
PT4        | 4-Session Personal Training      | 4        | 2000

Clients
client_id | name   | email          | status
C1        | Ayse   | ayse@x.example | active
C2        | Mehmet |                | active
C3        | Selin  |                | active
C4        | Deniz  |                | active

Staff
staff_id | name   | role    | email
ST1      | Elif   | staff   | elif@s.example
MGR      | Zeynep | manager | zeynep@s.example
MGR2     | Can    | manager | can@s.example

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | auto_renew
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 | yes
E2            | C2        | PT4        | 2026-11-24 | ST1      | Tue 10:00            | no
E3            | C3        | PT4        | 2026-12-02 | ST1      | Wed 18:00, Fri 18:00 | yes
E4            | C4        | PT4        | 2026-11-30 | ST1      | Tuesdy 9am           | yes

Payments
enrollment_id | amount | date       | period
E1            | 1500   | 2026-11-30 | 1
E3            | 2000   | 2026-12-02 | 1

"""

MONDAY = datetime(2026, 12, 7, 8, 0)  # the digest's weekday and time
EVERY_MONDAY = {"digest_weekday": 0, "digest_time": time(8, 0)}


def the_week() -> object:
    """WEEK synced up to Sat 5 Dec with last week's cancellation and paid cancellation."""
    store = studio(WEEK)
    store.append("Notifications", {
        "key": "E4/1/package_ended/client:C4", "event": "package_ended", "to": "d@x.example",
        "status": "failed", "error": "connection refused",
        "created_at": datetime(2026, 11, 28, 10, 0)})
    store.append("Notifications", {
        "key": "E4/1/package_ending/client:C4", "event": "package_ending", "to": "d@x.example",
        "status": "queued", "created_at": datetime(2026, 11, 27, 10, 0)})
    sync(store, datetime(2026, 11, 30, 12, 0))
    set_status(store, "E1", "2026-12-03 14:00", "cancelled")
    set_status(store, "E3", "2026-12-04 18:00", "paid_cancel")
    sync(store, datetime(2026, 12, 5, 12, 0))
    return store


def digest_at(store, now: datetime, rules: DigestRules):
    tables = store.read()
    snap = read_snapshot(tables)
    planned = plan(snap, now)
    record = health.status(tables, now, max_age=None, smtp=True)
    return due_digests(snap, planned.balances, planned.appointments, now, rules, record=record,
                       problems=[p.problem for p in planned.problems])


# ---------------------------------------------------------------------------
# The rule and the content (pure, `now` passed in)


def test_the_week_key_and_the_moment_a_digest_is_due_from():
    assert week_of(date(2026, 12, 7)) == week_of(date(2026, 12, 13)) == "2026-W50"
    assert week_of(date(2027, 1, 1)) == "2026-W53"  # an ISO week: Mon 28 Dec to Sun 3 Jan
    wednesday = DigestRules(weekday=2, at=time(18, 30))
    assert due_from(datetime(2026, 12, 7, 9, 0), wednesday) == datetime(2026, 12, 9, 18, 30)
    assert due_from(datetime(2026, 12, 13, 23, 59), wednesday) == datetime(2026, 12, 9, 18, 30)
    assert due_from(MONDAY, DigestRules()) is None  # no weekday: no digest


def test_the_content_answers_who_ends_who_owes_what_broke():
    store = the_week()
    tables = store.read()
    snap = read_snapshot(tables)
    planned = plan(snap, MONDAY)
    record = health.status(tables, MONDAY, max_age=None, smtp=False)
    context = digest_context(snap, planned.balances, planned.appointments, record,
                             ["one problem"], MONDAY, DigestRules(weekday=0, currency="TRY"))
    assert context["week"] == "2026-W50" and context["week_start"] == date(2026, 12, 7)
    assert context["last_week"] == {"start": date(2026, 11, 30), "end": date(2026, 12, 6),
                                    "held": 3, "cancelled": 1, "paid_cancel": 1}
    assert [(r["enrollment_id"], r["last_session"], r["renews"], r["remaining"])
            for r in context["ending"]] == [
        ("E2", datetime(2026, 12, 15, 10, 0), False, 2),  # ends for good: listed first
        ("E3", datetime(2026, 12, 11, 18, 0), True, 2)]
    assert [(r["client"]["name"], r["period"], r["due"], r["since"], r["days"])
            for r in context["owing"]] == [
        ("Mehmet", 1, Decimal("2000"), datetime(2026, 11, 24, 10, 0), 13),
        ("Ayse", 1, Decimal("2500"), datetime(2026, 11, 30, 14, 0), 7)]
    assert context["owing_total"] == Decimal("4500")
    alerts = context["alerts"]
    assert (alerts["failed"], alerts["queued"]) == (1, 1)
    assert [(a["key"], a["status"], a["error"]) for a in alerts["first"]] == [
        ("E4/1/package_ended/client:C4", "failed", "connection refused"),
        ("E4/1/package_ending/client:C4", "queued", "")]
    assert context["problems"] == {"open": 1, "first": ["one problem"]}
    assert context["last_sync"] == {"when": datetime(2026, 12, 5, 12, 0), "result": "problems"}


def test_money_due_on_a_period_not_started_is_one_sum_so_the_digest_adds_up_to_balances():
    store = the_week()
    store.append("Clients", {"client_id": "C5", "name": "Kerem", "status": "active"})
    store.append("Enrollments", {"enrollment_id": "E5", "client_id": "C5", "package_id": "PT4",
                                 "start_date": "2026-12-20", "staff_id": "ST1",
                                 "schedule": "Sun 10:00", "auto_renew": "yes"})
    tables = store.read()
    snap = read_snapshot(tables)
    planned = plan(snap, MONDAY)
    record = health.status(tables, MONDAY, max_age=None, smtp=False)
    context = digest_context(snap, planned.balances, planned.appointments, record, [],
                             MONDAY, DigestRules(weekday=0))
    assert "E5" not in [r["enrollment_id"] for r in context["owing"]]
    assert (context["owing_total"], context["due_before_start"]) == (Decimal("4500"),
                                                                     Decimal("2000"))
    assert context["owing_total"] + context["due_before_start"] == sum(
        b.due for b in planned.balances if b.due > 0)
    shown = Templates(BUILTIN_TEMPLATES, "TRY").render(
        "digest", "manager", {**context, "recipient": {"name": "Zeynep", "role": "manager"}})
    assert "Total due: 4,500.00 TRY" in shown.text
    for body in (shown.text, shown.html):
        assert "Periods whose first session is still to come: 2,000.00 TRY due." in body


def test_a_big_studio_names_the_first_few_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(digest, "LISTED", 1)
    (message, _) = digest_at(the_week(), MONDAY, DigestRules(weekday=0)).send
    context = message.context
    assert [r["enrollment_id"] for r in context["ending"]] == ["E2"]
    assert [r["enrollment_id"] for r in context["owing"]] == ["E2"]
    assert (context["ending_count"], context["owing_count"]) == (2, 2)
    assert context["owing_total"] == Decimal("4500")  # over every period, named or not


def test_nothing_before_the_weekday_and_time_then_one_per_manager_until_the_week_ends():
    store = the_week()
    rules = DigestRules(weekday=0, at=time(8, 0))
    assert digest_at(store, datetime(2026, 12, 7, 7, 59), rules).send == []
    due = digest_at(store, MONDAY, rules)
    assert [(o.key, o.to_address) for o in due.send] == [
        ("digest/2026-W50/manager:MGR", "zeynep@s.example"),
        ("digest/2026-W50/manager:MGR2", "can@s.example")]
    assert len(digest_at(store, datetime(2026, 12, 13, 23, 59), rules).send) == 2
    assert digest_at(store, MONDAY, DigestRules()).send == []


def test_a_digest_left_from_an_earlier_week_is_dropped_not_sent():
    store = the_week()
    store.append("Notifications", {"key": "digest/2026-W49/manager:MGR", "status": "failed"})
    due = digest_at(store, MONDAY, DigestRules(weekday=0))
    assert "digest/2026-W49/manager:MGR" not in [o.key for o in due.send]
    (dropped,) = due.skip
    assert dropped.key == "digest/2026-W49/manager:MGR" and "its week is over" in dropped.error


# ---------------------------------------------------------------------------
# Through a real SMTP server


def alerting(settings: Email, locale: str = "en", **rules) -> engine.Alerting:
    return engine.Alerting(Mailer(settings, currency="TRY", locale=locale),
                           studio_name="Studio Flow", currency="TRY", **rules)


def digests(handler: Recorder) -> list[EmailMessage]:
    return [r.message for r in handler.received
            if "at a glance" in str(r.message["Subject"])
            or "bakış" in str(r.message["Subject"])]


def digest_rows(store) -> list[tuple[str, str, int]]:
    return [(r["key"], r["status"], r["attempts"]) for r in records(store, "Notifications")
            if r["event"] == "digest"]


def send(store, now: datetime, channel: engine.Alerting) -> engine.SyncReport:
    return engine.sync(store, now, started_at=now, alerting=channel)


def test_every_manager_gets_one_digest_a_week_however_often_sync_runs():
    store, handler = the_week(), Recorder()
    with running(handler) as server:
        channel = alerting(smtp_email(server.port), **EVERY_MONDAY)
        send(store, datetime(2026, 12, 7, 7, 0), channel)  # before 08:00: nothing yet
        assert digests(handler) == []
        for day, hour in ((7, 8), (7, 18), (10, 10), (13, 23)):
            send(store, datetime(2026, 12, day, hour, 0), channel)
        assert sorted(str(m["To"]) for m in digests(handler)) == [
            "Can <can@s.example>", "Zeynep <zeynep@s.example>"]
        send(store, datetime(2026, 12, 14, 8, 30), channel)  # the next week: a new one each
    assert len(digests(handler)) == 4
    assert digest_rows(store) == [
        ("digest/2026-W50/manager:MGR", "sent", 1), ("digest/2026-W50/manager:MGR2", "sent", 1),
        ("digest/2026-W51/manager:MGR", "sent", 1), ("digest/2026-W51/manager:MGR2", "sent", 1)]
    row = next(r for r in records(store, "Notifications") if r["event"] == "digest")
    assert (row["role"], row["to"], row["enrollment_id"], row["period"]) == (
        "manager", "zeynep@s.example", None, None)


def the_monday_digest(store, locale: str = "en") -> EmailMessage:
    handler = Recorder()
    with running(handler) as server:
        send(store, MONDAY, alerting(smtp_email(server.port), locale, **EVERY_MONDAY))
    return next(m for m in digests(handler) if "zeynep" in str(m["To"]))


def test_the_text_and_html_tell_each_section_with_its_numbers():
    mail = the_monday_digest(the_week())
    assert str(mail["Subject"]) == "Studio Flow: the week of Monday 7 December 2026 at a glance"
    text = mail.get_body(("plain",)).get_content()
    for line in [
        "Hello Zeynep,",
        "Last week (Monday 30 November 2026 to Sunday 6 December 2026)",
        "3 sessions held, 1 cancelled and made up, 1 paid cancellation.",
        "- Mehmet (C2), 4-Session Personal Training, period 1: last session Tuesday 15 December "
        "2026 at 10:00; does not renew: talk to the client",
        "- Selin (C3), 4-Session Personal Training, period 1: last session Friday 11 December "
        "2026 at 18:00; renews automatically",
        "- Mehmet (C2), 4-Session Personal Training, period 1: 2,000.00 TRY due since Tuesday "
        "24 November 2026 (13 days)",
        "- Ayse (C1), 10-Session Physiotherapy Package, period 1: 2,500.00 TRY due since Monday "
        "30 November 2026 (7 days)",
        "Total due: 4,500.00 TRY",
        "1 alert failed (each sync tries it again), 1 waits in the outbox folder (nothing left "
        "the machine).",
        "- package ended to d@x.example, Saturday 28 November 2026: failed (connection refused)",
        "- package ending to d@x.example, Friday 27 November 2026: queued",
        "1 open problem in the Problems tab:",
        "Saturday 5 December 2026 at 12:00 (problems)",
    ]:
        assert line in text.splitlines(), f"{line!r} not in:\n{text}"
    assert "Enrollments row 5, schedule: 'Tuesdy 9am'" in text
    html = mail.get_body(("html",)).get_content()
    assert "<strong>Total due: 4,500.00 TRY</strong>" in html
    assert "<strong>does not renew: talk to the client</strong>" in html
    assert "3 sessions held, 1 cancelled and made up, 1 paid cancellation." in html


def test_a_turkish_studio_gets_its_digest_in_turkish():
    mail = the_monday_digest(the_week(), locale="tr")
    assert str(mail["Subject"]) == "Studio Flow: 7 Aralık 2026 Pazartesi haftasına kısa bakış"
    text = mail.get_body(("plain",)).get_content()
    assert "Merhaba Zeynep," in text
    assert "3 seans yapıldı, 1 iptal edildi ve telafi edildi, 1 ücretli iptal." in text
    assert "Toplam ödenecek: 4.500,00 ₺" in text and "yenilenmiyor: danışanla konuşun" in text
    assert 'lang="tr"' in mail.get_body(("html",)).get_content()


def test_off_without_the_setting_and_for_a_studio_without_managers():
    off, handler = the_week(), Recorder()
    no_managers = studio(PHYSIO.replace("| manager |", "| staff   |"))
    with running(handler) as server:
        for day in (7, 8, 14):
            send(off, datetime(2026, 12, day, 9, 0), alerting(smtp_email(server.port)))
            send(no_managers, datetime(2026, 12, day, 9, 0),
                 alerting(smtp_email(server.port), **EVERY_MONDAY))
    assert digests(handler) == [] and digest_rows(off) == [] and digest_rows(no_managers) == []


def test_a_failed_digest_is_retried_in_its_week_and_dropped_after_it():
    store = the_week()
    down = alerting(smtp_email(free_port()), **EVERY_MONDAY)
    send(store, MONDAY, down)
    assert {status for _, status, _ in digest_rows(store)} == {"failed"}
    handler = Recorder()
    with running(handler) as server:
        send(store, datetime(2026, 12, 8, 9, 0), alerting(smtp_email(server.port),
                                                          **EVERY_MONDAY))
    assert len(digests(handler)) == 2
    assert [attempts for _, _, attempts in digest_rows(store)] == [2, 2]

    late = the_week()
    send(late, MONDAY, down)
    with running(Recorder()) as server:
        send(late, datetime(2026, 12, 14, 9, 0), alerting(smtp_email(server.port),
                                                          **EVERY_MONDAY))
    rows = {r["key"]: r for r in records(late, "Notifications") if r["event"] == "digest"}
    assert rows["digest/2026-W50/manager:MGR"]["status"] == "skipped"
    assert "its week is over" in rows["digest/2026-W50/manager:MGR"]["error"]
    assert rows["digest/2026-W51/manager:MGR"]["status"] == "sent"


# ---------------------------------------------------------------------------
# Configuration, the command line and the demo


def test_the_settings_are_off_by_default_and_read_in_english_or_the_studios_words(
        tmp_path: Path):
    assert load_config(str(write_config(tmp_path, ""))).digest_weekday is None
    example = load_config(str(Path(__file__).resolve().parent.parent / "config.example.yaml"))
    assert example.digest_weekday is None  # commented out in the example
    for typed, locale, day, at in [("monday", "en", 0, "08:00"), ("Fri", "en", 4, "18:30"),
                                   ("Çarşamba", "tr", 2, "07:15"), ("Sonntag", "de", 6, "20:00"),
                                   ("friday", "de", 4, "06:00")]:
        config = load_config(str(write_config(
            tmp_path, f"notifications:\n  digest_weekday: {typed}\n  digest_time: '{at}'\n",
            locale)))
        assert (config.digest_weekday, config.digest_time) == (day, time.fromisoformat(at))
    unquoted = load_config(str(write_config(
        tmp_path, "notifications:\n  digest_weekday: monday\n  digest_time: 9:30\n")))
    assert unquoted.digest_time == time(9, 30)  # YAML reads 9:30 as 570 (base 60)


@pytest.mark.parametrize(("settings", "phrase"), [
    ("  digest_weekday: someday\n", "notifications.digest_weekday should be a day of the week"),
    ("  digest_weekday: 1\n", "notifications.digest_weekday should be a day of the week"),
    ("  digest_weekday: monday\n  digest_time: noonish\n",
     "notifications.digest_time should be a time of day"),
    ("  digest_time: '08:00'\n", "needs notifications.digest_weekday"),
])
def test_a_bad_setting_is_one_clear_config_problem(tmp_path: Path, settings: str, phrase: str):
    with pytest.raises(UserError, match=phrase):
        load_config(str(write_config(tmp_path, "notifications:\n" + settings)))


def test_dry_run_lists_the_digest_and_sync_queues_it_once(run, cli_folder: Path):
    XlsxStore(xlsx_studio(cli_folder / "studio.xlsx", WEEK))
    write_config(cli_folder, "notifications:\n  digest_weekday: monday\n  digest_time: '08:00'\n")
    dry = run("sync", "--dry-run", "--now", "2026-12-07T08:00")
    assert "digest to manager Zeynep <zeynep@s.example>: Studio: the week of Monday 7 December " \
           "2026 at a glance" in dry.output
    assert not (cli_folder / "outbox").exists()
    for _ in range(2):
        run("sync", "--now", "2026-12-07T09:00")
    queued = sorted(p.name for p in (cli_folder / "outbox").glob("digest_*.eml"))
    assert [name.split(".")[0] for name in queued] == [
        "digest_2026-W50_manager_MGR", "digest_2026-W50_manager_MGR2"]


def test_the_templates_command_copies_the_digest_templates(run, cli_folder: Path):
    assert run("templates", "mine").exit_code == 0
    for name in ("digest.manager.txt", "digest.manager.html"):
        assert (cli_folder / "mine" / name).read_bytes() == (BUILTIN_TEMPLATES / name).read_bytes()


def test_the_demo_writes_its_digest_into_its_outbox(run, cli_folder: Path):
    made = run("demo")
    assert made.exit_code == 0, made.output
    (digest,) = (cli_folder / "sheetsync-demo-outbox").glob("digest_*_manager_MGR.*.eml")
    assert f"The managers' weekly digest (who ends, who owes, what broke) is {digest.name}." \
        in made.output
    assert "at a glance" in digest.read_text(encoding="utf-8")
    again = run("demo")
    assert again.exit_code == 0 and "weekly digest" not in again.output
