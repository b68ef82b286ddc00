"""What sheetsync writes for people, in the studio's language (issue 15, part A).

E-mails go through a real SMTP server (aiosmtpd) and are read back; statements and calendar
feeds are built from a real sync's plan. 2026-11-30 is a Monday: Ayse's ten sessions (Mon and
Thu 14:00) are used up by 2027-01-01 and her second period starts Monday 4 January 2027.
English output is pinned by the existing tests (test_notify_render, test_alerts_delivery,
test_statement, test_calendar), which stay as they were.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from sheetsync import engine, ics, usecases
from sheetsync.digest import sample_digests
from sheetsync.i18n import SUPPORTED
from sheetsync.messages import DIGEST, KINDS, OPTIONAL_KINDS, STATEMENT
from sheetsync.notify import BUILTIN_TEMPLATES, Mailer, Templates, sample_context
from sheetsync.read import read_snapshot
from sheetsync.statement import sample_statements
from tests.mailserver import Recorder, running, smtp_email
from tests.studio import studio

ENDED = datetime(2027, 1, 1, 10, 0)

STUDIO = """
Packages
package_id | name                 | sessions | price | duration_min
PHY10      | 10 Seans Fizyoterapi | 10       | 4000  | 60

Clients
client_id | name       | email          | language
C1        | Ayşe Çelik | ayse@x.example |
C2        | Jonas Weiß | jonas@x.example | {jonas}

Staff
staff_id | name       | role    | email
ST1      | Elif Demir | staff   | elif@s.example
ST2      | Can Işık   | staff   |

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
E2            | C2        | PHY10      | 2026-11-30 | ST2      | Mon 16:00, Thu 16:00
"""


def mixed_studio(jonas: str = "Deutsch"):
    """A Turkish studio (by its config) where Jonas reads German and Ayşe the studio's tr."""
    return studio(STUDIO.replace("{jonas}", jonas))


def sync_and_mail(store, locale: str) -> Recorder:
    handler = Recorder()
    with running(handler) as server:
        mailer = Mailer(smtp_email(server.port), currency="TRY", locale=locale)
        report = engine.sync(store, ENDED, started_at=ENDED,
                             alerting=engine.Alerting(mailer, studio_name="Stüdyo Akış",
                                                      currency="TRY"))
    assert report.sent == len(handler.received)
    return handler


def mail_to(handler: Recorder, address: str):
    (found,) = [r.message for r in handler.received if r.rcpt_tos == [address]]
    return found


def body(message, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def test_a_turkish_client_reads_turkish_text_lira_and_turkish_dates():
    handler = sync_and_mail(mixed_studio(), "tr")
    mail = mail_to(handler, "ayse@x.example")
    text, html = body(mail), body(mail, "html")
    assert mail["Subject"] == ("10 Seans Fizyoterapi tamamlandı - sonraki seans: "
                               "4 Ocak 2027 Pazartesi, saat 14:00")
    assert text.startswith("Merhaba Ayşe Çelik,\n")
    assert ("Bir sonraki döneminiz zaten planlandı. İlk seansınız: 4 Ocak 2027 Pazartesi, "
            "saat 14:00.") in text
    assert "Sonraki dönemin ücreti: 4.000,00 ₺." in text
    assert "Ödenecek tutar: 8.000,00 ₺" in text
    assert "Saygılarımızla,\nStüdyo Akış" in text
    assert '<html lang="tr">' in html
    assert "İlk seansınız: <strong>4 Ocak 2027 Pazartesi, saat 14:00</strong>" in html
    for english in ("Hello", "session", "period", "TRY", "January", "Monday"):
        assert english not in text


def test_staff_get_the_studio_language_whatever_the_client_reads():
    handler = sync_and_mail(mixed_studio(), "tr")
    staff = mail_to(handler, "elif@s.example")
    text = body(staff)
    assert staff["Subject"] == "Ayşe Çelik (C1): 10 Seans Fizyoterapi, 1. dönem tamamlandı"
    assert "Danışanınız Ayşe Çelik (C1), 10 Seans Fizyoterapi (PHY10) paketinin 1. dönemini" \
           in text
    assert "Sonraki dönem: 2. dönem planlandı, ilk seans 4 Ocak 2027 Pazartesi, saat 14:00" \
           in text
    assert "1. dönem: ücret 4.000,00 ₺, ödenen 0,00 ₺, kalan 4.000,00 ₺" in text


def test_in_a_mixed_studio_each_client_reads_their_own_language():
    handler = sync_and_mail(mixed_studio("de"), "tr")
    jonas = mail_to(handler, "jonas@x.example")
    text = body(jonas)
    assert jonas["Subject"] == ("10 Seans Fizyoterapi ist abgeschlossen - nächster "
                                "Termin: Montag, 4. Januar 2027 um 16:00")
    assert text.startswith("Hallo Jonas Weiß,\n")
    assert ("Ihr nächster Zeitraum ist bereits geplant. Ihr erster Termin: Montag, "
            "4. Januar 2027 um 16:00.") in text
    assert "Preis des nächsten Zeitraums: 4.000,00 TRY." in text
    assert '<html lang="de">' in body(jonas, "html")
    ayse = body(mail_to(handler, "ayse@x.example"))
    assert "İlk seansınız: 4 Ocak 2027 Pazartesi, saat 14:00." in ayse


def test_a_german_studio_writes_german_and_an_english_client_keeps_english():
    handler = sync_and_mail(studio(STUDIO.replace("{jonas}", "")
                                   .replace("ayse@x.example |", "ayse@x.example | English")),
                            "de")
    jonas = body(mail_to(handler, "jonas@x.example"))
    assert "Offener Betrag: 8.000,00 TRY" in jonas
    assert "Herzliche Grüße,\nStüdyo Akış" in jonas
    ayse = body(mail_to(handler, "ayse@x.example"))
    assert ("Your next period is already planned. Your first session: Monday 4 January 2027 "
            "at 14:00.") in ayse
    assert "Amount due: 8,000.00 TRY" in ayse


def test_an_unknown_language_is_a_problem_of_its_row_and_the_client_gets_the_studio_language():
    store = mixed_studio("Klingon")
    snapshot = read_snapshot(store.read())
    problems = [p for p in snapshot.problems if p.tab == "Clients"]
    assert len(problems) == 1
    assert (problems[0].column, problems[0].value) == ("language", "Klingon")
    assert "'Klingon' is not a language sheetsync speaks" in problems[0].problem
    assert snapshot.clients["C2"].language == ""
    handler = sync_and_mail(store, "tr")
    assert "Merhaba Jonas Weiß," in body(mail_to(handler, "jonas@x.example"))


def test_a_statement_in_turkish_and_one_in_the_clients_german():
    store = mixed_studio()
    turkish = Templates(BUILTIN_TEMPLATES, "TRY", "tr")
    now = datetime(2026, 12, 11, 9, 0)
    report = usecases.statement(store, now, "studio", "C1", templates=turkish,
                                studio_name="Stüdyo Akış", currency="TRY")
    text = report.rendered.text
    assert report.rendered.subject == "Stüdyo Akış seans özetiniz - 11 Aralık 2026 Cuma"
    assert "Ayşe Çelik için seans özeti" in text
    assert "Stüdyo Akış, 11 Aralık 2026 Cuma, saat 09:00 itibarıyla" in text
    assert "== 10 Seans Fizyoterapi, 1. dönem: sürüyor ==" in text
    assert "4 / 10 seans kullanıldı, 6 kaldı." in text
    assert "Pzt 30 Kas 2026  14:00-15:00  Elif Demir  tamamlandı  kullanıldı, 9 kaldı" in text
    assert "Per 17 Ara 2026  14:00-15:00  Elif Demir  planlandı   planlandı" in text
    assert "Ücret 4.000,00 ₺, ödenen 0,00 ₺, kalan 4.000,00 ₺" in text
    german = usecases.statement(store, now, "studio", "C2", templates=turkish,
                                studio_name="Stüdyo Akış", currency="TRY").rendered
    assert german.subject == "Ihre Terminübersicht von Stüdyo Akış - Freitag, 11. Dezember 2026"
    assert "Mo., 30. Nov. 2026  16:00-17:00  Can Işık  wahrgenommen  genutzt, 9 übrig" \
        in german.text
    assert "Verbleibende Termine:  6\nNächster Termin:       Montag" in german.text
    assert "Offener Betrag:        4.000,00 TRY" in german.text


def calendar(store, kind: str, key: str, locale: str) -> str:
    _, snapshot, plan = engine.read_and_plan(store, ENDED)
    found = ics.sessions(snapshot, plan, locale=locale)
    feed = ics.feed_for(snapshot, kind, key)
    assert feed is not None
    data, _ = ics.build(feed, found, "Europe/Istanbul", ENDED)
    return data.decode("utf-8").replace("\r\n ", "")  # unfolded


@pytest.mark.parametrize(("kind", "key", "expected"), [
    (ics.STAFF, "ST1", ["SUMMARY:Ayşe Çelik · 10 Seans Fizyoterapi · 1/10",
                        r"DESCRIPTION:Danışan: Ayşe Çelik (C1)\nPaket: 10 Seans Fizyoterapi\, "
                        r"1. dönem\, seans 1/10\nEğitmen: Elif Demir (ST1)\nRandevu E1-1-01",
                        "X-WR-CALNAME:Elif Demir (seanslar)"]),
    (ics.CLIENT, "C1", [r"DESCRIPTION:10 Seans Fizyoterapi\, 1. dönem: seans 1/10\n"
                        "Eğitmen: Elif Demir"]),
    (ics.CLIENT, "C2", [r"DESCRIPTION:10 Seans Fizyoterapi\, Zeitraum 1: Termin 1 von 10\n"
                        "Bei Can Işık", "X-WR-CALNAME:Jonas Weiß (Termine)"]),
    (ics.STUDIO, "", ["X-WR-CALNAME:Tüm seanslar"]),
])
def test_calendar_feeds_speak_the_studio_language_and_a_clients_own(kind, key, expected):
    text = calendar(mixed_studio(), kind, key, "tr")
    for line in expected:
        assert line in text


def test_a_cancelled_session_says_so_in_turkish():
    store = mixed_studio()
    engine.sync(store, datetime(2026, 11, 29, 10, 0), started_at=datetime(2026, 11, 29, 10, 0))
    table = store.read()["Appointments"]
    status = table.header.index("status")
    first = next(i for i, row in enumerate(table.rows) if row[0] == "E1-1-01")
    store.tables["Appointments"].rows[first][status] = "paid cancel"
    text = calendar(store, ics.STAFF, "ST1", "tr")
    assert "SUMMARY:Ücretli iptal: Ayşe Çelik · 10 Seans Fizyoterapi · 1/10" in text
    assert r"DESCRIPTION:Geç iptal edildi (ücretli iptal): bu seans kullanılmış sayılır.\n" \
        in text


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_built_in_template_renders_in_every_language(code: str):
    """The studio's language is checked when the mailer starts; the others are made when a
    client's message first needs them, so every one is rendered here, both sides of the ifs."""
    templates = Templates(BUILTIN_TEMPLATES, "TRY")
    alerts = [sample_context(), sample_context(
        group={"id": "G1", "name": "Pilates <Mat>"}, next_period=None, next_session=None,
        last_session=None, auto_renew=False, remaining=0, paid_cancel=0, cancelled=0,
        period_due=Decimal("-500"), total_due=Decimal("-500"))]
    for event, role in KINDS + OPTIONAL_KINDS:
        for context in (sample_statements() if event == STATEMENT else sample_digests()
                        if event == DIGEST else alerts):
            rendered = templates.render(event, role, {**context, "recipient": {
                "name": "Sam", "role": role}}, locale=code)
            assert rendered.subject and rendered.text.strip()
            assert f'<html lang="{code}">' in rendered.html
            assert "<Mat>" not in rendered.html  # a name is escaped in every language
