"""The command line in the studio's language (issue 15, part E), on real .xlsx files.

`locale:` in sheetsync.yaml decides what sync, balance, report commissions, status, demo and
the errors print: Turkish or German sentences, translated table headers, money and dates as
formatting.py writes them in that language (`4.000,00 ₺`, `Pzt 14.12.2026 14:00`); the exit
codes stay what they are in English. The physio studio: Ayse (C1) Mon and Thu 14:00 with
Elif (ST1) from Monday 30 November 2026, a 10-session package at 4,000.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from sheetsync.durations import describe_duration
from sheetsync.errors import UserError
from sheetsync.watch import parse_interval
from tests.studios import physio_workbook

SYNCED = "2026-12-11T10:00"
LOOKED = "2026-12-11T10:30"
NEW_YEAR = "2027-01-01T10:00"
CURRENCY = {"tr": "TRY", "de": "EUR", "en": "TRY"}

SYNC = {
    "tr": ["studio.xlsx okunuyor ...",
           "13 sekme, 11 satır okundu; planlanıyor ...",
           "studio.xlsx eşitlendi, 11.12.2026 10:00 (Europe/Istanbul).",
           "    10 randevu oluşturuldu",
           "     0 dönem yenilendi",
           "sync: 10 oluşturuldu, 0 tamamlandı, 0 yenilendi, 0 bildirim gönderildi, "
           "0 başarısız, 0 sorun (çıkış 0)"],
    "de": ["studio.xlsx wird gelesen ...",
           "13 Blätter, 11 Zeilen gelesen; wird geplant ...",
           "studio.xlsx abgeglichen am 11.12.2026 10:00 (Europe/Istanbul).",
           "    10 Termine erstellt",
           "     0 Zeiträume verlängert",
           "sync: 10 erstellt, 0 abgeschlossen, 0 verlängert, 0 Benachrichtigungen gesendet, "
           "0 fehlgeschlagen, 0 Probleme (Exit 0)"],
}
DRY_RUN = {
    "tr": ["studio.xlsx için deneme çalıştırması, 11.12.2026 10:00 (Europe/Istanbul); hiçbir "
           "şey yazılmadı.",
           "Ayse  Pzt 30.11.2026 14:00-15:00  ST1  (geçmişte kaldı: tamamlandı)",
           "    10 randevu oluşturulurdu",
           "sync --dry-run: 10 oluşturur, 0 tamamlar, 0 yeniler, 0 bildirim gönderir; 0 sorun "
           "(çıkış 0)"],
    "de": ["Probelauf von studio.xlsx am 11.12.2026 10:00 (Europe/Istanbul); es wurde nichts "
           "geschrieben.",
           "Ayse  Mo. 30.11.2026 14:00-15:00  ST1  (in der Vergangenheit: abgeschlossen)",
           "    10 Termine würden erstellt",
           "sync --dry-run: würde 10 erstellen, 0 abschließen, 0 verlängern, 0 "
           "Benachrichtigungen senden; 0 Probleme (Exit 0)"],
}
BALANCE = {
    "tr": ["danışan    paket  dönem  kullanılan  kalan  sonraki seans           ödenecek",
           "Ayse (C1)  PHY10      1        4/10      6  Pzt 14.12.2026 14:00  4.000,00 ₺"],
    "de": ["Kunde      Paket  Zeitraum  genutzt  übrig  nächster Termin            offen",
           "Ayse (C1)  PHY10         1     4/10      6  Mo. 14.12.2026 14:00  4.000,00 €"],
}
COMMISSIONS = {
    "tr": ["studio.xlsx için Aralık 2026 (2026-12) komisyonları",
           "personel    seans       gelir    komisyon",
           "Elif (ST1)      9  3.600,00 ₺  1.440,00 ₺",
           "Toplam          9  3.600,00 ₺  1.440,00 ₺",
           "Paketlere göre:",
           "2026-12 için Komisyonlar sekmesine 1 satır yazıldı (6 hücre değişti); diğer aylar "
           "korundu.",
           "Not: 6 seans bitti ama henüz hiçbir eşitleme onları tamamlandı olarak işaretlemedi;"],
    "de": ["Provisionen für Dezember 2026 (2026-12) in studio.xlsx",
           "Mitarbeiter  Sitzungen      Umsatz   Provision",
           "Elif (ST1)           9  3.600,00 €  1.440,00 €",
           "Summe                9  3.600,00 €  1.440,00 €",
           "Nach Paket:",
           "1 Zeile für 2026-12 in das Blatt Provisionen geschrieben",
           "Hinweis: 6 Sitzungen sind vorbei, aber noch kein Abgleich hat sie als abgeschlossen"],
}
STATUS = {
    "tr": ["studio.xlsx, 11.12.2026 10:30 (Europe/Istanbul): sağlıklı.",
           "tamam; 10 oluşturulan, 0 tamamlanan, 0 silinen, 0 yenilenen, 0 bildirilen, 0 sorun",
           "  son başarılı eşitleme  30 dk önce (11.12.2026 10:00; --max-age 1 sa)",
           "  bildirimler            0 başarısız, 0 sırada",
           "  açık sorunlar          0"],
    "de": ["studio.xlsx am 11.12.2026 10:30 (Europe/Istanbul): in Ordnung.",
           "ok; 10 erstellt, 0 abgeschlossen, 0 gelöscht, 0 verlängert, 0 benachrichtigt, "
           "0 Probleme",
           "  letzter guter Abgleich  vor 30 Min. (11.12.2026 10:00; --max-age 1 Std.)",
           "  Benachrichtigungen      0 fehlgeschlagen, 0 in der Warteschlange",
           "  offene Probleme         0"],
}
NO_CLIENT = {"tr": "Hata: studio.xlsx içinde C9 numaralı bir danışan yok.",
             "de": "Fehler: In studio.xlsx gibt es keinen Kunden C9.",
             "en": "Error: There is no client C9 in studio.xlsx."}
BAD_NOW = {"tr": ["Hata: --now soon bir tarih ve saat değil; 2026-12-01T14:30 gibi yazın",
                  "sync: durdu, hiçbir şey kaydedilmedi (çıkış 2)"],
           "de": ["Fehler: --now soon ist kein Datum mit Uhrzeit; schreiben Sie es wie "
                  "2026-12-01T14:30",
                  "sync: angehalten, nichts wurde gespeichert (Exit 2)"],
           "en": ["Error: --now soon is not a date and time; write it like 2026-12-01T14:30",
                  "sync: stopped, nothing was saved (exit 2)"]}
DEMO = {
    "tr": [r"Made a demo studio", "sheetsync-demo.xlsx içinde bir deneme stüdyosu oluşturuldu: "
           "4 paket, 6 danışan, 3 personel, 1 grup, 5 kayıt.",
           r"\d\d\.\d\d\.\d{4} \d\d:\d\d itibarıyla eşitlendi: \d+ randevu oluşturuldu",
           r"Bakiyeler: \d+ dönem, toplam \d{1,3}(\.\d{3})*,\d\d ödenecek\.",
           r"Randevular ve Bakiyeler sekmelerine bakın"],
    "de": [r"Made a demo studio", "Ein Demo-Studio in sheetsync-demo.xlsx angelegt: 4 Pakete, "
           "6 Kunden, 3 Mitarbeiter, 1 Gruppe, 5 Buchungen.",
           r"Abgeglichen am \d\d\.\d\d\.\d{4} \d\d:\d\d: \d+ Termine erstellt",
           r"Salden: \d+ Zeiträume, insgesamt noch \d{1,3}(\.\d{3})*,\d\d offen\.",
           r"die Blätter Termine und Salden an"],
}


def studio(folder: Path, locale: str) -> Path:
    path = physio_workbook(folder / "studio.xlsx").path
    (folder / "sheetsync.yaml").write_text(
        f"workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: {CURRENCY[locale]}\n"
        f"locale: {locale}\n", encoding="utf-8")
    return path


def holds(output: str, lines: list[str]) -> None:
    for line in lines:
        assert line in output, f"{line!r} not in:\n{output}"


@pytest.mark.parametrize("code", ["tr", "de"])
def test_sync_and_its_dry_run_speak_the_studios_language(run, cli_folder: Path, code: str):
    studio(cli_folder, code)
    dry = run("sync", "--now", SYNCED, "--dry-run")
    assert dry.exit_code == 0, dry.output
    holds(dry.output, DRY_RUN[code])
    synced = run("sync", "--now", SYNCED)
    assert synced.exit_code == 0, synced.output
    holds(synced.output, SYNC[code])
    assert "appointment" not in synced.output and "Reading" not in synced.output


@pytest.mark.parametrize("code", ["tr", "de"])
def test_balance_commissions_and_status_print_translated_tables_money_and_dates(
        run, cli_folder: Path, code: str):
    studio(cli_folder, code)
    assert run("sync", "--now", SYNCED).exit_code == 0

    balance = run("balance", "--now", SYNCED)
    assert balance.exit_code == 0, balance.output
    holds(balance.output, BALANCE[code])

    status = run("status", "--now", LOOKED)
    assert status.exit_code == 0, status.output
    holds(status.output, STATUS[code])

    commissions = run("report", "commissions", "--month", "2026-12", "--now", NEW_YEAR)
    assert commissions.exit_code == 0, commissions.output
    holds(commissions.output, COMMISSIONS[code])
    assert "Note:" not in commissions.output and "By package" not in commissions.output


@pytest.mark.parametrize("code", ["tr", "de"])
def test_demo_makes_and_describes_its_studio_in_the_language(run, cli_folder: Path, code: str):
    (cli_folder / "sheetsync.yaml").write_text(f"locale: {code}\n", encoding="utf-8")
    made = run("demo")
    assert made.exit_code == 0, made.output
    english, first, *patterns = DEMO[code]
    assert not re.search(english, made.output)
    holds(made.output, [first])
    for pattern in patterns:
        assert re.search(pattern, made.output), f"{pattern!r} not in:\n{made.output}"


@pytest.mark.parametrize("code", ["tr", "de", "en"])
def test_a_bad_input_is_one_sentence_in_the_language_with_the_same_exit_code(
        run, cli_folder: Path, code: str):
    studio(cli_folder, code)
    unknown = run("balance", "C9", "--now", SYNCED)
    assert unknown.exit_code == 2
    holds(unknown.output, [NO_CLIENT[code]])
    bad_now = run("sync", "--now", "soon")
    assert bad_now.exit_code == 2
    holds(bad_now.output, BAD_NOW[code])
    assert "Traceback" not in unknown.output + bad_now.output


def test_an_english_studio_prints_what_it_always_printed(run, cli_folder: Path):
    studio(cli_folder, "en")
    synced = run("sync", "--now", SYNCED)
    holds(synced.output, [
        "Reading studio.xlsx ...", "Read 13 tabs, 11 rows; planning ...",
        "Synced studio.xlsx at 2026-12-11 10:00 (Europe/Istanbul).",
        "    10 appointment(s) created", "     0 period(s) renewed",
        "sync: 10 created, 0 completed, 0 renewed, 0 alerts sent, 0 failed, 0 problems "
        "(exit 0)"])
    balance = run("balance", "--now", SYNCED)
    holds(balance.output, [
        "client     package  period  used  remaining  next session                   due",
        "Ayse (C1)  PHY10         1  4/10          6  Mon 2026-12-14 14:00  4,000.00 TRY"])
    status = run("status", "--now", LOOKED)
    holds(status.output, ["  last good sync  30 min ago (2026-12-11 10:00; --max-age 1 h)"])


def test_help_and_config_errors_stay_english_in_a_turkish_studio(run, cli_folder: Path):
    """--help is rendered before sheetsync.yaml is read; a config that does not load cannot
    be trusted to name its language."""
    (cli_folder / "sheetsync.yaml").write_text("locale: tr\ntimezone: Mars/Olympus\n",
                                               encoding="utf-8")
    helped = run("sync", "--help")
    assert helped.exit_code == 0
    assert "Plan, complete, renew and account" in helped.output
    broken = run("balance", "studio.xlsx")
    assert broken.exit_code == 2
    assert "Error: " in broken.output and "Hata" not in broken.output


@pytest.mark.parametrize(("code", "said", "error"), [
    ("tr", "2 sa 5 dk", "'soon' bir süre değil; 30s, 15m ya da 1h gibi yazın."),
    ("de", "2 Std. 5 Min.", "'soon' ist keine Dauer; schreiben Sie sie wie 30s, 15m oder 1h."),
    ("en", "2 h 5 min", "'soon' is not a duration; write it like 30s, 15m or 1h."),
])
def test_durations_are_said_and_refused_in_the_language(code: str, said: str, error: str):
    from datetime import timedelta

    assert describe_duration(timedelta(hours=2, minutes=5), code) == said
    with pytest.raises(UserError) as refused:
        parse_interval("soon", code)
    assert str(refused.value) == error


def test_sync_names_the_problems_it_found_in_the_language(run, cli_folder: Path):
    path = studio(cli_folder, "tr")
    book = openpyxl.load_workbook(path)
    book["Packages"]["D2"] = "abc"  # the price of PHY10
    book.save(path)
    synced = run("sync", "--now", SYNCED)
    assert synced.exit_code == 1, synced.output
    holds(synced.output, ["2 sorun bulundu; ilgili satırlar olduğu gibi bırakıldı:",
                          "  Packages satır 2, price: 'abc' bir para tutarı değil.",
                          "0 başarısız, 2 sorun (çıkış 1)"])
    assert "problem(s) found" not in synced.output


def test_sync_names_a_missing_column_in_the_language_as_check_does(run, cli_folder: Path):
    path = studio(cli_folder, "tr")
    book = openpyxl.load_workbook(path)
    book["Packages"]["D1"] = None  # the price header: a structural problem, nothing is written
    book.save(path)
    missing = "  Packages satır 1, price: price sütunu eksik; başlık satırına ekleyin."
    synced = run("sync", "--now", SYNCED)
    assert synced.exit_code == 1, synced.output
    holds(synced.output, ["1 sorun bulundu; ilgili satırlar olduğu gibi bırakıldı:", missing])
    checked = run("check", "--now", SYNCED)
    holds(checked.output, [missing])


def test_status_says_why_it_needs_attention_in_the_language(run, cli_folder: Path):
    studio(cli_folder, "de")
    assert run("sync", "--now", SYNCED).exit_code == 0
    late = run("status", "--now", "2026-12-11T13:00", "--max-age", "2h")
    assert late.exit_code == 6
    holds(late.output, [
        "studio.xlsx am 11.12.2026 13:00 (Europe/Istanbul): braucht Aufmerksamkeit (Exit 6).",
        "Der letzte erfolgreiche Abgleich war vor 3 Std., länger als die erlaubten 2 Std. "
        "(--max-age)."])


def test_calendar_feeds_are_told_in_the_language(run, cli_folder: Path):
    studio(cli_folder, "tr")
    written = run("calendar", "--out-dir", "feeds", "--now", SYNCED)
    assert written.exit_code == 0, written.output
    holds(written.output, ["feeds içindeki takvimler (Europe/Istanbul, "
                           "01.06.2026 tarihinden itibaren seanslar):",
                           "  staff-ST1.ics yazıldı  Elif (personel ST1), 10 etkinlik",
                           "  studio.ics    yazıldı  Tüm seanslar, 10 etkinlik",
                           "  9 yazıldı, 0 değişmedi."])
    unknown = run("calendar", "--staff", "ST9", "--out", "st9.ics", "--now", SYNCED)
    assert unknown.exit_code == 2
    holds(unknown.output, ["Hata: studio.xlsx içinde ST9 numaralı bir personel yok."])


def watch_lines(folder: Path, wanted: int, timeout: float = 60) -> list[str]:
    """The first `wanted` log lines of `sheetsync watch` in `folder`, then its stop line."""
    env = {k: v for k, v in os.environ.items() if k != "SHEETSYNC_CONFIG"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    process = subprocess.Popen([sys.executable, "-m", "sheetsync", "watch", "--every", "1h"],
                               cwd=folder, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while len(seen) < wanted:
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())).rstrip())
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        while not lines.empty() or process.stdout.readable():
            try:
                seen.append(lines.get(timeout=2).rstrip())
            except queue.Empty:
                break
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return seen


@pytest.mark.slow  # a real process or LibreOffice: the slow lane
def test_watch_logs_in_the_language(cli_folder: Path):
    studio(cli_folder, "tr")
    started, first, *rest = watch_lines(cli_folder, 2)
    assert started.endswith("studio.xlsx izleniyor: her 1 sa bir eşitleme ve her kayıttan "
                            "sonra dosya kapanınca bir eşitleme."), started
    assert re.search(r"\d{2}:\d{2}:\d{2} başlangıç: (tamam|sorunlar): sync: \d+ oluşturuldu, ",
                     first), first
    assert rest and rest[-1].endswith(" durduruldu."), rest
