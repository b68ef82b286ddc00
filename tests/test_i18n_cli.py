"""`locale:` in sheetsync.yaml reaches what the commands write for people, on a real .xlsx.

The physio studio: Ayse (C1) Mon and Thu 14:00 with Elif from Monday 30 November 2026.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl

from tests.studios import physio_workbook

NOW = "2026-12-11T10:00"
ENDED = "2027-01-01T10:00"


def studio(tmp_path: Path, locale: str, extra: str = "") -> Path:
    path = physio_workbook(tmp_path / "studio.xlsx").path
    (tmp_path / "sheetsync.yaml").write_text(
        f"workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: TRY\nlocale: {locale}\n"
        + extra, encoding="utf-8")
    return path


def test_a_turkish_studio_prints_a_turkish_statement(run, tmp_path: Path):
    studio(tmp_path, "tr")
    result = run("statement", "C1", "--now", NOW)  # as a sync at NOW would plan it
    assert result.exit_code == 0, result.output
    assert "Ayse için seans özeti" in result.output
    assert "11 Aralık 2026 Cuma, saat 10:00 itibarıyla" in result.output
    assert "Pzt 30 Kas 2026  14:00-15:00  Elif     tamamlandı  kullanıldı, 9 kaldı" in result.output
    assert "Ödenecek tutar:  4.000,00 ₺" in result.output


def test_a_german_studio_prints_a_german_client_calendar(run, tmp_path: Path):
    studio(tmp_path, "Deutsch")
    result = run("calendar", "--client", "C1", "--out", "-", "--now", NOW)
    assert result.exit_code == 0, result.output
    text = result.output.replace("\r\n ", "")
    assert r"DESCRIPTION:10-Session Physiotherapy Package\, Zeitraum 1: Termin 1 von 10" in text
    assert "X-WR-CALNAME:Ayse (Termine)" in text


def test_a_client_language_column_turns_one_clients_mail_into_german(run, tmp_path: Path):
    path = studio(tmp_path, "tr", "email:\n  from: 'Stüdyo Akış <desk@flow.example>'\n"
                  "  outbox_dir: mail\n")
    wb = openpyxl.load_workbook(path)
    clients = wb["Clients"]
    clients.cell(1, clients.max_column + 1, "language")
    clients.cell(2, clients.max_column, "de")
    wb.save(path)
    result = run("sync", "--now", ENDED)
    assert result.exit_code == 0, result.output
    (eml,) = (tmp_path / "mail").glob("*.eml")
    mail = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    text = mail.get_body(("plain",)).get_content()
    assert " ".join(mail["Subject"].split()) == (
        "10-Session Physiotherapy Package ist abgeschlossen - nächster Termin: "
        "Montag, 4. Januar 2027 um 14:00")
    assert "Offener Betrag: 8.000,00 TRY" in text
    assert "Herzliche Grüße," in text


def test_a_locale_sheetsync_does_not_speak_stops_the_command_with_one_sentence(run,
                                                                             tmp_path: Path):
    studio(tmp_path, "français")
    result = run("sync", "--now", NOW)
    assert result.exit_code == 2
    assert "'français' is not a language sheetsync speaks" in result.output
    assert "Traceback" not in result.output
