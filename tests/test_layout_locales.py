"""The workbook in the studio's language: `init --locale`, headers matched in any language,
statuses written in the locale's word (issue 15, part C).

Real workbooks throughout: .xlsx files read back with openpyxl and opened in LibreOffice,
the memory store, and the local Sheets API.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from localsheets import LocalSheets
from sheetsync import cells, engine, usecases
from sheetsync.demo import demo_layout
from sheetsync.schedule import parse_schedule
from sheetsync.schema import (
    ALL_TABS,
    APPOINTMENTS,
    CLIENTS,
    ENROLLMENTS,
    LOCALES,
    RUNS,
    STATUSES,
    TITLES,
    YES_NO,
    choice_words,
    column_title,
    find_tab,
    header_key,
    status_word,
    tab_title,
)
from sheetsync.sheet import TabWriter, locate
from sheetsync.stores.base import Table, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_wire import choices_of
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.memory import MemoryStore
from sheetsync.words import status_words
from tests.google_fixtures import account, server  # noqa: F401  (fixtures)
from tests.libreoffice import needs_libreoffice, sheets_as_shown
from tests.tab_writers import tab_writer

TURKISH_TABS = ["Paketler", "Danışanlar", "Personel", "Gruplar", "Kayıtlar", "Ödemeler",
                "Tatiller", "Randevular", "Bakiyeler", "Bildirimler", "Komisyonlar",
                "Sorunlar", "Çalıştırmalar"]
GERMAN_TABS = ["Pakete", "Kunden", "Mitarbeiter", "Gruppen", "Buchungen", "Zahlungen",
               "Schließtage", "Termine", "Salden", "Benachrichtigungen", "Provisionen",
               "Probleme", "Läufe"]


def _old_header_key(header: object) -> str:
    """header_key as it was before issue 15: an English workbook must match as it did."""
    return re.sub(r"[\s_\-]+", "", str(header or "")).lower()


# -- titles and matching ---------------------------------------------------------------------
def test_every_tab_and_column_has_a_title_in_every_language():
    names = {t.name for t in ALL_TABS} | {c.name for t in ALL_TABS
                                          for c in t.columns + t.extras}
    for locale in LOCALES[1:]:
        assert names <= set(TITLES[locale]), sorted(names - set(TITLES[locale]))


def test_no_title_means_another_name_in_any_language():
    english = {_old_header_key(t.name) for t in ALL_TABS} | {
        _old_header_key(c.name) for t in ALL_TABS for c in t.columns + t.extras}
    for locale, titles in TITLES.items():
        for name, title in titles.items():
            assert header_key(title) == _old_header_key(name), (locale, title)
    # an English name keeps its own key
    assert {header_key(n) for n in english} == english


@pytest.mark.parametrize("typed", ["RANDEVULAR", "randevular", "Randevular", "Termine",
                                   "TERMINE", "Appointments", "APPOINTMENTS"])
def test_a_tab_is_found_by_its_title_in_any_language_and_case(typed):
    assert find_tab(["Sheet1", typed], APPOINTMENTS) == typed


@pytest.mark.parametrize("typed", ["Danışanlar", "DANIŞANLAR", "danışanlar", "Kunden",
                                   "KUNDEN", "clients"])
def test_turkish_capitals_fold_to_the_same_tab(typed):
    assert find_tab([typed], CLIENTS) == typed


def test_headers_are_matched_in_any_language_and_case():
    header = ["DANIŞAN NO", "ad", "E-POSTA", "Kunden-ID", "Status", "notes of the studio"]
    cols, problems = locate({"Danışanlar": Table("Danışanlar", header, [])}, CLIENTS)
    assert cols is not None
    assert cols.index == {"client_id": 3, "name": 1, "email": 2, "status": 4}
    assert [p.problem for p in problems] == ["Two columns are called client_id; rename or "
                                             "delete one."]


def test_titles_read_naturally():
    assert tab_title(CLIENTS, "tr") == "Danışanlar" and tab_title(CLIENTS, "de") == "Kunden"
    assert tab_title(CLIENTS, "en") == "Clients"
    assert column_title(APPOINTMENTS.column("status"), "tr") == "Durum"
    assert column_title(CLIENTS.column("client_id"), "de") == "Kunden-ID"


# -- init on an .xlsx ------------------------------------------------------------------------
def _validations(ws) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Header of the validated column -> the drop-down's list."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        column = openpyxl.utils.cell.coordinate_from_string(str(dv.sqref).split(":")[0])[0]
        out[ws[f"{column}1"].value] = dv.formula1
    return out


def test_init_locale_tr_writes_a_turkish_workbook_and_its_config(run, cli_folder: Path):
    result = run("init", "studio.xlsx", "--locale", "tr", "--demo")
    assert result.exit_code == 0, result.output
    assert "Randevular sekmesi eklendi" in result.output
    assert "sheetsync.yaml dosyası locale: tr ayarıyla yazıldı." in result.output
    assert yaml.safe_load((cli_folder / "sheetsync.yaml").read_text(encoding="utf-8")) == {
        "workbook": "studio.xlsx", "locale": "tr"}
    wb = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    assert wb.sheetnames == TURKISH_TABS
    assert [c.value for c in wb["Danışanlar"][1]] == [
        "Danışan No", "Ad", "E-posta", "Telefon", "Durum", "Dil"]
    assert [c.value for c in wb["Randevular"][1]][:12] == [
        "Randevu No", "Kayıt No", "Dönem", "Seans", "Danışan No", "Danışan Adı", "Grup No",
        "Personel No", "Tarih", "Başlangıç", "Bitiş", "Durum"]
    assert _validations(wb["Randevular"]) == {
        "Durum": '"planlandı,tamamlandı,iptal,ücretli iptal"'}
    assert _validations(wb["Paketler"]) == {"Aktif": '"evet,hayır"'}
    packages = [[c.value for c in row] for row in wb["Paketler"].iter_rows(min_row=2)]
    assert packages[0][:2] == ["PHY10", "10 Seanslık Fizyoterapi Paketi"]
    assert packages[0][6] == "evet"
    enrollments = {row[0].value: row for row in wb["Kayıtlar"].iter_rows(min_row=2)}
    assert enrollments["E001"][5].value == "Pzt 14:00, Per 14:00"
    assert enrollments["E005"][8].value == "hayır"
    assert wb["Gruplar"]["D2"].value == "Salı,Cuma 09:00"

    again = run("init", "studio.xlsx", "--locale", "tr")
    assert "yapılacak bir şey yok" in again.output


def test_init_locale_de_writes_a_german_workbook(run, cli_folder: Path):
    result = run("init", "studio.xlsx", "--locale", "de", "--demo")
    assert result.exit_code == 0, result.output
    assert "Tabellenblatt Termine hinzugefügt" in result.output
    wb = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    assert wb.sheetnames == GERMAN_TABS
    assert [c.value for c in wb["Kunden"][1]] == [
        "Kunden-ID", "Name", "E-Mail", "Telefon", "Status", "Sprache"]
    assert _validations(wb["Termine"]) == {
        "Status": '"geplant,erledigt,storniert,kostenpflichtig storniert"'}
    assert _validations(wb["Buchungen"])["Automatisch verlängern"] == '"ja,nein"'
    assert wb["Buchungen"]["F2"].value == "Mo 14:00, Do 14:00"
    assert yaml.safe_load((cli_folder / "sheetsync.yaml").read_text(encoding="utf-8"))[
        "locale"] == "de"


def test_an_existing_config_is_never_rewritten_only_hinted(run, cli_folder: Path):
    (cli_folder / "sheetsync.yaml").write_text("timezone: Europe/Istanbul\n", encoding="utf-8")
    result = run("init", "studio.xlsx", "--locale", "tr")
    assert result.exit_code == 0, result.output
    assert "sheetsync.yaml dosyasına 'locale: tr' yazın" in result.output
    assert (cli_folder / "sheetsync.yaml").read_text(encoding="utf-8") == (
        "timezone: Europe/Istanbul\n")


def test_init_without_locale_is_english_as_always(run, cli_folder: Path):
    result = run("init", "studio.xlsx")
    assert result.exit_code == 0, result.output
    assert not (cli_folder / "sheetsync.yaml").exists()
    wb = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    assert wb.sheetnames == [t.name for t in ALL_TABS]
    assert [c.value for c in wb["Clients"][1]] == list(CLIENTS.column_names)


def test_an_english_workbook_keeps_its_tabs_and_headers_under_locale_tr(run, cli_folder: Path):
    """Matched, never renamed: only what is missing arrives, under the Turkish title."""
    assert run("init", "studio.xlsx").exit_code == 0
    wb = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    del wb["Closures"]
    wb["Payments"].delete_cols(6)  # the note column
    wb.save(cli_folder / "studio.xlsx")
    result = run("init", "studio.xlsx", "--locale", "tr")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(cli_folder / "studio.xlsx")
    assert wb.sheetnames == [t.name for t in ALL_TABS if t.name != "Closures"] + ["Tatiller"]
    assert "Payments sekmesine sütun eklendi: Not" in result.output
    assert [c.value for c in wb["Payments"][1]] == [
        "enrollment_id", "amount", "date", "period", "method", "Not"]
    assert [c.value for c in wb["Clients"][1]] == [*CLIENTS.column_names, "Dil"]


@pytest.mark.slow  # a real process or LibreOffice: the slow lane
@needs_libreoffice
def test_libreoffice_opens_the_turkish_workbook(run, cli_folder: Path):
    assert run("init", "studio.xlsx", "--locale", "tr", "--demo").exit_code == 0
    shown = sheets_as_shown(cli_folder / "studio.xlsx", cli_folder)
    assert set(shown) == set(TURKISH_TABS)
    with shown["Kayıtlar"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Kayıt No", "Danışan No", "Paket No"]
    assert rows[1][5] == "Pzt 14:00, Per 14:00" and rows[1][8] == "evet"


# -- the memory store and a Google Sheet -----------------------------------------------------
def test_init_on_the_memory_store_in_turkish_and_german():
    for locale, tabs in (("tr", TURKISH_TABS), ("de", GERMAN_TABS)):
        store = MemoryStore()
        usecases.init(store, "memory", demo_today=date(2026, 12, 1), locale=locale)
        tables = store.read()
        assert list(tables) == tabs
        clients = tables[tab_title(CLIENTS, locale)]
        assert clients.header[0] == column_title(CLIENTS.column("client_id"), locale)
        assert len(clients.rows) == 6
        assert usecases.init(store, "memory", locale=locale) == []
        assert usecases.init(store, "memory") == []  # English matches the Turkish titles


def test_init_and_sync_on_a_google_sheet_in_turkish(server: LocalSheets,  # noqa: F811
                                           account: ServiceAccount):  # noqa: F811
    sheet = server.create_spreadsheet("Stüdyo")
    store = GoogleStore(sheet, account, endpoint=server.base_url)
    added = usecases.init(store, sheet, demo_today=date(2026, 12, 1), locale="tr")
    assert "Randevular sekmesi eklendi" in added
    assert server.values(sheet, "Danışanlar")[0] == [
        "Danışan No", "Ad", "E-posta", "Telefon", "Durum", "Dil"]
    assert server.values(sheet, "Kayıtlar")[1][5] == "Pzt 14:00, Per 14:00"
    appointments = server.spreadsheet(sheet).find_title("Randevular")
    assert appointments is not None
    rule = appointments.cell(1, 11)["dataValidation"]
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == [
        "planlandı", "tamamlandı", "iptal", "ücretli iptal"]
    again = GoogleStore(sheet, account, endpoint=server.base_url, locale="tr")
    assert usecases.init(again, sheet, locale="tr") == []
    now = datetime(2026, 12, 1, 12, 0)
    report = engine.sync(again, now, started_at=now, locale="tr")
    assert not report.problems, report.problems
    rows = server.values(sheet, "Randevular")
    status = rows[0].index("Durum")
    assert {row[status] for row in rows[1:]} == {"tamamlandı", "planlandı"}


# -- statuses written in the locale's word ---------------------------------------------------
HEADER = ["appointment_id", "status", "note"]


def _writer(rows: list[list[object]], locale: str,
            header: list[object] | None = None) -> tuple[TabWriter, WorkbookChanges]:
    return tab_writer(Table("Appointments", list(header or HEADER), rows), APPOINTMENTS, locale)


def _written(locale: str, held: str, wanted: str, *, by_row: bool = False) -> object:
    writer, changes = _writer([["A1", held, "x"]], locale)
    if by_row:
        writer.update_row(2, ("appointment_id", "status"), ("A1", wanted))
    else:
        writer.update(2, {"appointment_id": "A1", "status": wanted})
    return changes.tab("Appointments").updates.get((2, 2), "kept")


@pytest.mark.parametrize("by_row", [False, True])
def test_a_status_sheetsync_changes_is_written_in_the_locales_word(by_row):
    assert _written("tr", "planlandı", "completed", by_row=by_row) == "tamamlandı"
    assert _written("de", "geplant", "cancelled", by_row=by_row) == "storniert"
    assert _written("tr", "pending", "completed", by_row=by_row) == "tamamlandı"
    assert _written("en", "pending", "completed", by_row=by_row) == "completed"


@pytest.mark.parametrize("by_row", [False, True])
@pytest.mark.parametrize(("locale", "held", "status"), [
    ("tr", "iptal", "cancelled"), ("tr", "İPTAL", "cancelled"), ("tr", "İptal", "cancelled"),
    ("tr", "Ücretli İptal", "paid_cancel"), ("tr", "TAMAMLANDI", "completed"),
    ("tr", "cancelled", "cancelled"), ("tr", "completed", "completed"),
    ("de", "Storniert", "cancelled"), ("de", "paid_cancel", "paid_cancel"),
    ("tr", "iptal edildi", "cancelled"), ("tr", "Tamamlandi", "completed"),
    ("de", "Abgesagt", "cancelled"), ("de", "ABGESCHLOSSEN", "completed"),
    ("en", "cancelled", "cancelled"),
])
def test_a_status_word_the_studio_typed_is_never_rewritten(locale, held, status, by_row):
    assert _written(locale, held, status, by_row=by_row) == "kept"


def test_a_word_of_another_status_is_rewritten():
    assert _written("tr", "iptal", "paid_cancel") == "ücretli iptal"
    assert _written("de", "abgesagt", "completed") == "erledigt"


def test_english_still_writes_its_aliases_back_in_the_one_spelling():
    assert _written("en", "Canceled", "cancelled") == "cancelled"
    assert _written("en", "late cancel", "paid_cancel") == "paid_cancel"
    assert _written("tr", "late cancel", "paid_cancel") == "ücretli iptal"


def test_a_new_appointment_is_appended_in_the_locales_word():
    writer, changes = _writer([], "tr", ["Randevu No", "Durum"])
    writer.append({"appointment_id": "A1", "status": "pending"})
    assert changes.tab("Appointments").updates == {(2, 1): "A1", (2, 2): "planlandı"}


def test_an_english_workbook_under_locale_tr_keeps_every_status_as_it_is():
    rows = [[f"A{i}", status, ""] for i, status in enumerate(
        ["pending", "completed", "cancelled", "paid_cancel"])]
    writer, changes = _writer(rows, "tr")
    for i, (_, status, _) in enumerate(rows):
        writer.update_row(i + 2, ("appointment_id", "status"), (f"A{i}", status))
    assert not changes


# -- a whole sync writes in the locale -------------------------------------------------------
def _statuses(store: MemoryStore, title: str) -> list[object]:
    table = store.read()[title]
    column = [header_key(h) for h in table.header].index("status")
    return [row[column] for row in table.rows]


def _written_tabs(report: engine.SyncReport) -> list[str]:
    return [title for title, changes in report.changes.tabs.items() if changes]


def test_a_sync_in_turkish_writes_turkish_statuses():
    """The demo studio's rows under Turkish titles: sheetsync's statuses come out in
    Turkish, and a second sync changes nothing but its Runs row."""
    today = date(2026, 12, 1)
    store = MemoryStore()
    store.lay_out(localized_layout(demo_layout(today), "tr"))
    now = datetime(2026, 12, 1, 12, 0)
    first = engine.sync(store, now, started_at=now, locale="tr")
    assert not first.problems, first.problems
    statuses = _statuses(store, "Randevular")
    assert set(statuses) == {"tamamlandı", "planlandı"}
    second = engine.sync(store, now, started_at=now, locale="tr")
    assert _written_tabs(second) == ["Çalıştırmalar"]


def test_an_english_workbook_synced_in_turkish_keeps_its_statuses():
    today = date(2026, 12, 1)
    store = MemoryStore()
    store.lay_out(demo_layout(today))
    now = datetime(2026, 12, 1, 12, 0)
    engine.sync(store, now, started_at=now)
    before = _statuses(store, "Appointments")
    assert set(before) == {"completed", "pending"}
    again = engine.sync(store, now, started_at=now, locale="tr")
    assert _statuses(store, "Appointments") == before
    assert _written_tabs(again) == ["Runs"]
    later = datetime(2026, 12, 20, 12, 0)
    engine.sync(store, later, started_at=later, locale="tr")
    after = _statuses(store, "Appointments")
    assert "tamamlandı" in after  # completed by this sync, in the locale's word
    assert after[:len(before)].count("completed") == before.count("completed")


def test_rows_a_google_write_adds_get_the_locales_drop_downs():
    table = Table("Randevular", ["Randevu No", "Durum", "Not"], [])
    assert choices_of(table, "tr") == {2: ("planlandı", "tamamlandı", "iptal", "ücretli iptal")}
    assert choices_of(Table("Appointments", ["status"], []), "en") == {
        1: ("pending", "completed", "cancelled", "paid_cancel")}
    assert choices_of(Table("Pakete", ["Aktiv"], []), "de") == {1: ("ja", "nein")}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_demo_studio_types_what_its_locale_reads(locale):
    """Every schedule, yes/no and status word the demo and the drop-downs offer reads back
    in that locale (cells.py, schedule.py)."""
    layout = demo_layout(date(2026, 12, 1), locale)
    for record in layout.rows["Enrollments"] + layout.rows["Groups"]:
        if "schedule" in record:
            parse_schedule(record["schedule"], locale)
    for record in layout.rows["Enrollments"] + layout.rows["Packages"]:
        for name in ("auto_renew", "active"):
            if name in record:
                cells.parse_bool(record[name], locale)
    for tab in ALL_TABS:
        for column in tab.columns:
            if column.choices == YES_NO:
                assert [cells.parse_bool(w, locale) for w in choice_words(column, locale)] == [
                    True, False]
            if column.choices == STATUSES:
                assert [cells.parse_status(w, locale) for w in choice_words(column, locale)] == [
                    *STATUSES]


def _rows(ws) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=False))
            for row in ws.iter_rows(min_row=2)]


def test_sync_of_a_turkish_workbook_writes_turkish_statuses(run, cli_folder: Path):
    """init --locale tr writes `locale: tr` into sheetsync.yaml; sync reads it and writes
    the statuses it sets in Turkish. (Values typed in English: English always reads.)"""
    assert run("init", "studio.xlsx", "--locale", "tr").exit_code == 0
    path = cli_folder / "studio.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Paketler"].append(["PHY4", "4 Seanslık Fizyoterapi", 4, 2000])
    wb["Danışanlar"].append(["C1", "Ayşe Çelik"])
    wb["Personel"].append(["ST1", "Elif Demir"])
    wb["Kayıtlar"].append(["E1", "C1", "PHY4", date(2026, 11, 23), "ST1", "Mon 14:00"])
    wb.save(path)
    result = run("sync", "--now", "2026-12-05T09:00")
    assert result.exit_code == 0, result.output
    rows = _rows(openpyxl.load_workbook(path)["Randevular"])
    assert [r["Durum"] for r in rows] == ["tamamlandı", "tamamlandı", "planlandı", "planlandı"]


@pytest.mark.parametrize(("locale", "tab", "words"), [
    ("tr", "Randevular", {"tamamlandı", "planlandı"}),
    ("de", "Termine", {"erledigt", "geplant"}),
])
def test_a_demo_studio_in_its_language_syncs_cleanly_and_then_changes_nothing(
        run, cli_folder: Path, locale: str, tab: str, words: set[str]):
    """init --locale --demo, then sync twice: the demo's own words read back (no problem),
    statuses come out in the locale, and the second sync writes only its Runs row."""
    assert run("init", "studio.xlsx", "--locale", locale, "--demo").exit_code == 0
    first = run("sync", "--now", "2026-12-01T12:00")
    assert first.exit_code == 0, first.output
    path = cli_folder / "studio.xlsx"
    book = openpyxl.load_workbook(path)
    statuses = {r[column_title(APPOINTMENTS.column("status"), locale)]
                for r in _rows(book[tab])}
    assert statuses == words
    before = {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
              for ws in book if ws.title != tab_title(RUNS, locale)}
    second = run("sync", "--now", "2026-12-01T12:00")
    assert second.exit_code == 0, second.output
    book = openpyxl.load_workbook(path)
    assert {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
            for ws in book if ws.title != tab_title(RUNS, locale)} == before
    assert run("check").exit_code == 0


def test_an_english_xlsx_synced_with_locale_tr_keeps_its_names_and_statuses(
        run, cli_folder: Path):
    assert run("init", "studio.xlsx", "--demo").exit_code == 0
    assert run("sync", "studio.xlsx", "--now", "2026-12-01T12:00").exit_code == 0
    path = cli_folder / "studio.xlsx"
    book = openpyxl.load_workbook(path)
    headers = {ws.title: [c.value for c in ws[1]] for ws in book}
    statuses = [r["status"] for r in _rows(book["Appointments"])]
    (cli_folder / "sheetsync.yaml").write_text("locale: tr\n", encoding="utf-8")
    again = run("sync", "studio.xlsx", "--now", "2026-12-01T12:00")
    assert again.exit_code == 0, again.output
    book = openpyxl.load_workbook(path)
    assert {ws.title: [c.value for c in ws[1]] for ws in book} == headers
    assert [r["status"] for r in _rows(book["Appointments"])] == statuses
    later = run("sync", "studio.xlsx", "--now", "2026-12-08T12:00")
    assert later.exit_code == 0, later.output
    after = [r["status"] for r in _rows(openpyxl.load_workbook(path)["Appointments"])]
    assert after[:len(statuses)].count("completed") == statuses.count("completed")
    assert "tamamlandı" in after  # completed by a sync in Turkish


def test_the_demo_command_follows_the_configured_locale(run, cli_folder: Path):
    (cli_folder / "sheetsync.yaml").write_text("locale: de\n", encoding="utf-8")
    result = run("demo")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(cli_folder / "sheetsync-demo.xlsx")
    assert book.sheetnames == GERMAN_TABS
    assert {r["Status"] for r in _rows(book["Termine"])} == {"erledigt", "geplant"}


def test_an_english_workbooks_own_columns_and_tabs_named_like_a_title_stay_its_own():
    """`Program` (Turkish for schedule) and a tab `Termine` in an English workbook were the
    studio's own before issue 15 and stay so: the English name wins, with no problem."""
    header = ["enrollment_id", "Program", "client_id", "package_id", "start_date", "schedule"]
    tables = {"Termine": Table("Termine", ["my", "own"], []),
              "Enrollments": Table("Enrollments", header, [])}
    cols, problems = locate(tables, ENROLLMENTS)
    assert cols is not None and not problems
    assert cols.index["schedule"] == 5
    assert find_tab(["Termine", "Appointments"], APPOINTMENTS) == "Appointments"
    assert find_tab(["Termine"], APPOINTMENTS) == "Termine"
    # two titles in other languages are still two columns called the same
    _, twice = locate({"Kayıtlar": Table("Kayıtlar", ["Program", "Zeitplan"], [])},
                      ENROLLMENTS)
    assert "Two columns are called schedule; rename or delete one." in [
        str(p.problem) for p in twice]


HELD_WORDS = sorted({w for locale in LOCALES for w in status_words(locale)} | {
    "İPTAL", "iptal edildi", "Abgesagt", "Canceled", "late cancel", "COMPLETED", "Pending",
    "tamamlandi", "no-show", "", "Storniert", "ÜCRETLİ İPTAL"})


@settings(max_examples=300, deadline=None)
@given(locale=st.sampled_from(LOCALES), held=st.sampled_from(HELD_WORDS),
       wanted=st.sampled_from(STATUSES))
def test_the_one_comparison_and_the_cell_by_cell_answer_agree(locale, held, wanted):
    """update_row (one comparison) and update (cell by cell) write the same; a cell
    written holds the locale's word, a cell kept reads as the wanted status."""
    by_row = _written(locale, held, wanted, by_row=True)
    by_cell = _written(locale, held, wanted)
    assert by_row == by_cell
    if by_row == "kept":
        assert cells.parse_status(held, locale) == wanted
    else:
        assert by_row == status_word(wanted, locale)
