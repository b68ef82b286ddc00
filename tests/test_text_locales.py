"""The last English a Turkish or German studio saw (issue 15 part F), on real files.

init's own lines and `--locale` as people write it, the drop-downs' warning in the saved
.xlsx (openpyxl and LibreOffice), the Commissions chart's titles, a store's refusals (a
workbook open in Excel, a Google Sheet that is not there or not shared) with the same exit
code as in English, the templates line and watch's silent run. English stays as it was.
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from localsheets import LocalSheets
from sheetsync.errors import UserError, cannot_write
from sheetsync.schema import ALL_TABS
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_http import RetryPolicy
from sheetsync.stores.layout import localized_layout
from sheetsync.watch import Outcome, summary
from tests.google_fixtures import account, server
from tests.libreoffice import convert, needs_libreoffice
from tests.studios import physio_workbook

__all__ = ["account", "server"]  # fixtures

SYNCED = "2026-12-11T10:00"
NEW_YEAR = "2027-01-01T10:00"
ENGLISH_INIT = "".join(f"  added the {tab.name} tab\n" for tab in ALL_TABS) + (
    "studio.xlsx is ready.\n")
ENGLISH_WORDS = re.compile(r"\b(added|ready|nothing to do|Wrote|Set|tab|Copied|Error)\b")
ERRORS = {  # the drop-downs' warning under each Appointments status column
    "en": "Use one of: pending, completed, cancelled, paid_cancel",
    "tr": "Şunlardan birini kullanın: planlandı, tamamlandı, iptal, ücretli iptal",
    "de": "Verwenden Sie einen der Werte: geplant, erledigt, storniert, "
          "kostenpflichtig storniert",
}
APPOINTMENTS = {"en": "Appointments", "tr": "Randevular", "de": "Termine"}


def config(folder: Path, locale: str, **more: object) -> None:
    settings = {"workbook": "studio.xlsx", "timezone": "Europe/Istanbul", "currency": "TRY",
                "locale": locale, **more}
    (folder / "sheetsync.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def status_warnings(path: Path, tab: str) -> set[str]:
    """The warning texts of the data validations of `tab`, as openpyxl reads them."""
    ws = openpyxl.load_workbook(path)[tab]
    return {str(dv.error) for dv in ws.data_validations.dataValidation}


def chart_texts(path: Path) -> list[str]:
    """The text runs (<a:t>) and series names (<c:v>) of every chart part in the .xlsx."""
    with zipfile.ZipFile(path) as package:
        return [" | ".join(re.findall(r"<(?:a:t|v)>([^<]*)</", package.read(name).decode()))
                for name in sorted(package.namelist()) if name.startswith("xl/charts/chart")]


# -- init ------------------------------------------------------------------------------------
def test_english_init_prints_what_it_always_printed(run, cli_folder: Path):
    assert run("init", "studio.xlsx").output == ENGLISH_INIT
    assert run("init", "studio.xlsx").output == (
        "studio.xlsx already has every tab and column; nothing to do.\n")


@pytest.mark.parametrize(("code", "ready", "written", "nothing"), [
    ("tr", "studio.xlsx bir deneme stüdyosuyla hazır.",
     "sheetsync.yaml dosyası locale: tr ayarıyla yazıldı.",
     "studio.xlsx tüm sekmelere ve sütunlara zaten sahip; yapılacak bir şey yok."),
    ("de", "studio.xlsx ist mit einem Demo-Studio bereit.",
     "sheetsync.yaml mit locale: de geschrieben.",
     "studio.xlsx hat bereits alle Tabellenblätter und Spalten; es gibt nichts zu tun."),
])
def test_a_localized_init_prints_every_line_in_its_language(
        run, cli_folder: Path, code: str, ready: str, written: str, nothing: str):
    result = run("init", "studio.xlsx", "--locale", code, "--demo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-2:] == [ready, written]
    assert len(lines) == len(ALL_TABS) + 2
    assert not ENGLISH_WORDS.search(result.output), result.output
    again = run("init", "studio.xlsx")  # the config it wrote says the locale now
    assert again.output == nothing + "\n"


@pytest.mark.parametrize(("typed", "code"), [
    ("tr_TR", "tr"), ("tr-TR", "tr"), ("Türkçe", "tr"), ("Deutsch", "de"), ("German", "de"),
    ("EN", "en")])
def test_init_locale_reads_a_language_as_people_write_it(
        run, cli_folder: Path, typed: str, code: str):
    result = run("init", "studio.xlsx", "--locale", typed)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((cli_folder / "sheetsync.yaml").read_text(encoding="utf-8")) == {
        "workbook": "studio.xlsx", "locale": code}
    assert APPOINTMENTS[code] in openpyxl.load_workbook(cli_folder / "studio.xlsx").sheetnames


def test_an_unknown_init_locale_is_one_sentence_and_exit_2(run, cli_folder: Path):
    result = run("init", "studio.xlsx", "--locale", "Klingon")
    assert result.exit_code == 2
    assert result.output == ("Error: 'Klingon' is not a language sheetsync speaks; use en "
                             "(English), tr (Türkçe) or de (Deutsch).\n")
    assert not (cli_folder / "studio.xlsx").exists()
    assert not (cli_folder / "sheetsync.yaml").exists()


# -- drop-downs ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["en", "tr", "de"])
def test_the_drop_downs_warn_in_the_layouts_language(run, cli_folder: Path, code: str):
    assert run("init", "studio.xlsx", "--locale", code).exit_code == 0
    warnings = status_warnings(cli_folder / "studio.xlsx", APPOINTMENTS[code])
    assert ERRORS[code] in warnings
    if code != "en":
        assert not any(w.startswith("Use one of") for w in warnings), warnings


def test_columns_added_to_an_english_tab_warn_in_the_locale(run, cli_folder: Path):
    """A missing column arrives under the locale's title and with its drop-down's warning."""
    assert run("init", "studio.xlsx").exit_code == 0
    book = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    book.remove(book["Appointments"])
    book.create_sheet("Appointments").append(["appointment_id", "enrollment_id"])
    book.save(cli_folder / "studio.xlsx")
    result = run("init", "studio.xlsx", "--locale", "tr")
    assert result.exit_code == 0, result.output
    assert "Durum" in result.output
    assert ERRORS["tr"] in status_warnings(cli_folder / "studio.xlsx", "Appointments")


@pytest.mark.slow  # a real process or LibreOffice: the slow lane
@needs_libreoffice
def test_libreoffice_keeps_the_turkish_warning(run, cli_folder: Path, tmp_path: Path):
    assert run("init", "studio.xlsx", "--locale", "tr").exit_code == 0
    convert(cli_folder / "studio.xlsx", tmp_path / "saved", "xlsx", tmp_path)
    assert ERRORS["tr"] in status_warnings(tmp_path / "saved" / "studio.xlsx", "Randevular")


# -- the Commissions chart -------------------------------------------------------------------
def test_the_commission_report_and_chart_are_in_the_studios_language(run, cli_folder: Path):
    physio_workbook(cli_folder / "studio.xlsx")
    config(cli_folder, "en")
    assert run("sync", "--now", SYNCED).exit_code == 0
    english = run("report", "commissions", "--month", "2026-12", "--now", SYNCED,
                  "--out", "report-en.xlsx")
    assert english.exit_code == 0, english.output
    december = "Commission per staff member, 2026-12 (TRY) | commission | commission (TRY)"
    assert chart_texts(cli_folder / "report-en.xlsx") == [december]
    assert chart_texts(cli_folder / "studio.xlsx") == [december]

    config(cli_folder, "tr")  # the same workbook, its chart drawn in English, now Turkish
    assert run("sync", "--now", NEW_YEAR).exit_code == 0  # December's last sessions complete
    turkish = run("report", "commissions", "--month", "2026-12", "--now", NEW_YEAR,
                  "--out", "rapor.xlsx")
    assert turkish.exit_code == 0, turkish.output
    aralik = "Personel başına komisyon, Aralık 2026 (TRY) | komisyon | komisyon (TRY)"
    assert chart_texts(cli_folder / "rapor.xlsx") == [aralik]
    assert chart_texts(cli_folder / "studio.xlsx") == [aralik]  # replaced, not a second one

    report = openpyxl.load_workbook(cli_folder / "rapor.xlsx")
    assert report.sheetnames == ["Komisyonlar", "Paket bazında", "Seanslar"]
    staff = [[c.value for c in row] for row in report["Komisyonlar"].iter_rows()]
    assert staff[0] == ["Ay", "Personel No", "Personel Adı", "Seans Sayısı", "Gelir", "Komisyon"]
    assert staff[-1][:3] == [None, None, "Toplam"]
    assert [c.value for c in report["Paket bazında"][1]][3:5] == ["Paket No", "Paket Adı"]
    english = openpyxl.load_workbook(cli_folder / "report-en.xlsx")
    assert english.sheetnames == ["Commissions", "By package", "Sessions"]
    assert [c.value for c in english["Commissions"][1]] == [
        "month", "staff_id", "staff_name", "sessions", "revenue", "commission"]


# -- a store's refusals ----------------------------------------------------------------------
def excel_has_it_open(book: Path) -> None:
    """The owner file Excel keeps beside a workbook it has open."""
    user = "Front Desk"
    name = user.encode("ascii")
    book.with_name(f"~${book.name}").write_bytes(
        bytes([len(name)]) + name.ljust(53) + len(user).to_bytes(2, "little")
        + user.encode("utf-16-le") + b"\0" * 2)


def test_a_workbook_open_in_excel_is_refused_in_the_studios_language(run, cli_folder: Path):
    physio_workbook(cli_folder / "studio.xlsx")
    excel_has_it_open(cli_folder / "studio.xlsx")
    said = {}
    for code in ("en", "tr", "de"):
        config(cli_folder, code)
        result = run("sync", "--now", SYNCED)
        said[code] = (result.exit_code, result.output)
    assert said["en"][0] == said["tr"][0] == said["de"][0] == 2
    assert ("Error: studio.xlsx is open in Excel; close it there and run sheetsync again. "
            "Nothing was written.") in said["en"][1]
    assert ("Hata: studio.xlsx şu anda Excel içinde açık; orada kapatıp sheetsync'i yeniden "
            "çalıştırın. Hiçbir şey yazılmadı.") in said["tr"][1]
    assert "Fehler: studio.xlsx ist in Excel geöffnet; schließen Sie" in said["de"][1]


def test_a_stale_libreoffice_lock_is_named_with_a_turkish_date(run, cli_folder: Path):
    book = physio_workbook(cli_folder / "studio.xlsx").path
    lock = book.with_name(f".~lock.{book.name}#")
    lock.write_text(",studio,reception-pc,30.11.2026 09:12,file:///C:/Users/desk/LO/4;",
                    encoding="utf-8")
    earlier = book.stat().st_mtime - 2 * 3600  # older than the workbook's last save: stale
    os.utime(lock, (earlier, earlier))
    config(cli_folder, "tr")
    result = run("sync", "--now", SYNCED)
    assert result.exit_code == 2
    assert ("studio.xlsx, LibreOffice içinde açık görünüyor, ama .~lock.studio.xlsx# kilit "
            "dosyası artık çalışmayan bir programdan kalmış (30.11.2026 09:12 tarihinden beri)"
            ) in " ".join(result.output.split())
    assert lock.exists()


def test_a_missing_workbook_is_said_in_turkish(run, cli_folder: Path):
    config(cli_folder, "tr")
    result = run("sync", "--now", SYNCED)
    assert result.exit_code == 2
    assert ("Hata: studio.xlsx konumunda bir çalışma kitabı yok; şu komutla oluşturun: "
            "sheetsync init studio.xlsx") in result.output


def test_a_refused_disk_write_is_one_sentence_in_the_locale():
    full = OSError(errno.ENOSPC, "No space left on device", "/srv/studio/.studio.xlsx.tmp")
    assert cannot_write(full) == (
        "Could not write in /srv/studio: the disk is full. Nothing there was changed; free "
        "some space or fix the folder's permissions and run sheetsync again.")
    assert cannot_write(full, "tr").startswith("/srv/studio içine yazılamadı: disk dolu.")
    assert cannot_write(OSError(errno.EACCES, "denied"), "de").startswith(
        "Konnte nicht schreiben: sheetsync darf dort nicht schreiben.")


def test_a_google_sheet_that_is_not_there_or_not_shared_is_said_in_the_locale(
        server: LocalSheets, account: ServiceAccount):
    missing = "1" + "x" * 43
    with pytest.raises(UserError, match=r"^There is no Google Sheet with the id 1x+; check"):
        GoogleStore(missing, account, endpoint=server.base_url).read()
    with pytest.raises(UserError, match=r"^1x+ kimliğine sahip bir Google E-Tablo yok; ayar"):
        GoogleStore(missing, account, endpoint=server.base_url, locale="tr").read()
    sheet = server.create_spreadsheet()
    server.fail_next(403)  # Google's answer to an account the sheet is not shared with
    with pytest.raises(UserError, match=r"^Die Google Tabelle [\w-]+ ist nicht für das "
                                        r"Dienstkonto .+ freigegeben; öffnen Sie"):
        GoogleStore(sheet, account, endpoint=server.base_url, locale="de").read()


def test_a_google_sheet_that_does_not_answer_is_said_in_the_locale(
        server: LocalSheets, account: ServiceAccount):
    sheet = server.create_spreadsheet()
    fast = RetryPolicy(attempts=2, base=0.01, cap=0.02, connect_timeout=2, read_timeout=5)
    server.fail_next(503, count=2)
    with pytest.raises(UserError) as english:
        GoogleStore(sheet, account, endpoint=server.base_url, policy=fast).read()
    assert str(english.value) == (
        "Google Sheets did not answer after 2 tries: Google's servers answered with an error "
        "(HTTP 503). Nothing was written; sheetsync will try again on its next run.")
    server.fail_next(503, count=2)
    with pytest.raises(UserError) as turkish:
        GoogleStore(sheet, account, endpoint=server.base_url, policy=fast, locale="tr").read()
    assert str(turkish.value) == (
        "Google E-Tablolar 2 denemeden sonra da yanıt vermedi: Google'ın sunucuları bir hatayla "
        "yanıt verdi (HTTP 503). Hiçbir şey yazılmadı; sheetsync bir sonraki çalışmasında "
        "yeniden deneyecek.")


def test_a_missing_google_key_file_is_said_in_the_locale(run, cli_folder: Path):
    config(cli_folder, "tr", google={"credentials": "anahtar.json"})
    sheet = "https://docs.google.com/spreadsheets/d/" + "a1" * 22 + "/edit"
    result = run("sync", sheet, "--now", SYNCED)
    assert result.exit_code == 2
    assert result.output == ("Hata: anahtar.json hizmet hesabı anahtar dosyası yok.\n"
                             "sync: durdu, hiçbir şey kaydedilmedi (çıkış 2)\n")


def test_a_google_sheet_laid_out_in_turkish_says_so_and_prompts_in_turkish(server: LocalSheets,
                                                          account: ServiceAccount):
    sheet = server.create_spreadsheet("Stüdyo")
    store = GoogleStore(sheet, account, endpoint=server.base_url, locale="tr")
    added = store.lay_out(localized_layout(Layout(ALL_TABS), "tr"))
    assert added[-2:] == ["Çalıştırmalar sekmesi eklendi", "boş Sheet1 sayfası silindi"]
    appointments = server.spreadsheet(sheet).find_title("Randevular")
    assert appointments is not None
    header = server.values(sheet, "Randevular")[0]
    rule = appointments.cell(1, header.index("Durum"))["dataValidation"]
    assert rule["inputMessage"] == ("Şunlardan biri: planlandı, tamamlandı, iptal, "
                                    "ücretli iptal")


# -- templates, watch ------------------------------------------------------------------------
def test_the_templates_line_follows_the_locale(run, cli_folder: Path):
    english = run("templates", "mine")
    assert english.exit_code == 0, english.output
    count = len(list((cli_folder / "mine").glob("*.*")))
    assert english.output == (f"Copied {count} templates into mine. Edit them, then add to "
                              "sheetsync.yaml:\n  templates_dir: mine\n")
    config(cli_folder, "tr")
    turkish = run("templates", "benim")
    assert turkish.output == (f"{count} şablon benim klasörüne kopyalandı. Onları düzenleyin, "
                              "sonra sheetsync.yaml dosyasına ekleyin:\n  templates_dir: benim\n")
    config(cli_folder, "de")
    assert run("templates", "meine").output.startswith(f"{count} Vorlagen nach meine kopiert.")
    again = run("templates", "benim")  # German now, and the folder is full
    assert again.exit_code == 2
    assert again.output.startswith("Fehler: benim enthält bereits ")
    assert again.output.endswith(" weitere; es wurde nichts kopiert. Wählen Sie einen leeren "
                                 "Ordner oder fügen Sie --replace hinzu, um sie mit den "
                                 "eingebauten zu überschreiben.\n")


def test_a_silent_run_in_the_watch_log_is_said_in_the_locale():
    silent = Outcome(code=3, output="\n")
    assert summary(silent) == "(no output, exit 3)"
    assert summary(silent, "tr") == "(çıktı yok, çıkış kodu 3)"
    assert summary(silent, "de") == "(keine Ausgabe, Exit-Code 3)"
