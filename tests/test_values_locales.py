"""Issue 15 part G: the values sheetsync writes into its own tabs, in the studio's language.

Balances state, Notifications status, Runs mode and result come out in the locale's word
(words.py's vocabularies), are read back in every shipped language (sync retries a
`başarısız` alert, `status` tells a Turkish failed alert), and are never churned when the
locale changes: an English workbook synced under locale tr keeps its English words, and a
no-op sync compares no row cell by cell. Public holidays are named in the locale
(`Cumhuriyet Bayramı`), and `holidays.ignore` matches the locale's and English's names.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localsheets import LocalSheets
from sheetsync import engine, usecases, words
from sheetsync.demo import demo_layout
from sheetsync.publicholidays import HolidaySettings, holiday_closures
from sheetsync.schema import (
    BALANCES,
    NOTIFICATIONS,
    RUNS,
    Tab,
    column_title,
    localized,
    tab_title,
)
from sheetsync.sheet import TabWriter
from sheetsync.stores.base import Table, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.memory import MemoryStore
from sheetsync.words import BALANCE_STATES, NOTICE_STATUSES, RUN_MODES, RUN_RESULTS
from tests.google_fixtures import account, server  # noqa: F401  (fixtures)
from tests.studio import slots, studio
from tests.studios import PHYSIO
from tests.tab_writers import tab_writer

ENDED = "2026-12-14T23:00"  # the demo's E001 has used its ten sessions: three alerts due
LATER = "2026-12-14T23:10"
VALUE_SETS = (BALANCE_STATES, NOTICE_STATUSES, RUN_MODES, RUN_RESULTS)


def word(value: str, among: tuple[str, ...], locale: str) -> str:
    return words.value_word(value, among, locale)


# -- the vocabularies -------------------------------------------------------------------------
@pytest.mark.parametrize("among", VALUE_SETS)
@pytest.mark.parametrize("locale", ["tr", "de"])
def test_every_value_has_one_word_in_each_language_that_reads_back(among, locale):
    written = [word(value, among, locale) for value in among]
    assert len(set(written)) == len(among)
    for value, own in zip(among, written, strict=True):
        for typed in (own, own.upper(), own.lower(), value, value.upper()):
            assert words.value_meaning(typed, among) == value, typed


def test_the_words_read_naturally():
    assert [word(v, BALANCE_STATES, "tr") for v in BALANCE_STATES] == [
        "aktif", "tamamlandı", "kapatıldı", "durduruldu"]
    assert word("failed", NOTICE_STATUSES, "de") == "fehlgeschlagen"
    assert word("problems, alerts failed", RUN_RESULTS, "tr") == (
        "sorunlar, bildirimler başarısız")
    assert [word(v, BALANCE_STATES, "en") for v in BALANCE_STATES] == list(BALANCE_STATES)


@pytest.mark.parametrize("among", VALUE_SETS)
def test_no_word_means_two_values_in_any_language(among):
    for lang in words.LANGUAGES:
        for other in words.LANGUAGES:
            for value in among:
                assert words.values(among, other).meaning(word(value, among, lang)) in (
                    value, None)


def test_unknown_words_mean_nothing():
    assert words.value_meaning("maybe", NOTICE_STATUSES) is None
    assert words.value_meaning("", BALANCE_STATES) is None


# -- the writer -------------------------------------------------------------------------------
def _balances_writer(state: str, locale: str) -> tuple[TabWriter, WorkbookChanges]:
    header = [column_title(BALANCES.column(name), locale)
              for name in ("enrollment_id", "period", "state")]
    return tab_writer(Table(tab_title(BALANCES, locale), header, [["E1", 1, state]]), BALANCES,
                      locale)


def _state_written(locale: str, held: str, wanted: str, *, by_row: bool) -> object:
    writer, changes = _balances_writer(held, locale)
    names = ("enrollment_id", "period", "state")
    if by_row:
        writer.update_row(2, names, ("E1", 1, wanted))
    else:
        writer._update_cells(2, writer.cols.table.rows[0],
                             dict(zip(names, ("E1", 1, wanted), strict=True)))
    return changes.tab(writer.cols.table.title).updates.get((2, 3), "kept")


@pytest.mark.parametrize("by_row", [False, True])
def test_a_state_sheetsync_changes_is_written_in_the_locales_word(by_row):
    assert _state_written("tr", "aktif", "ended", by_row=by_row) == "tamamlandı"
    assert _state_written("de", "active", "stopped", by_row=by_row) == "beendet"
    assert _state_written("en", "active", "ended", by_row=by_row) == "ended"
    assert _state_written("en", "Active", "active", by_row=by_row) == "active"


@pytest.mark.parametrize("by_row", [False, True])
@pytest.mark.parametrize(("locale", "held", "state"), [
    ("tr", "aktif", "active"), ("tr", "AKTİF", "active"), ("tr", "Tamamlandı", "ended"),
    ("tr", "active", "active"), ("tr", "ended", "ended"), ("de", "Geschlossen", "closed"),
    ("de", "stopped", "stopped"), ("en", "closed", "closed"),
])
def test_a_word_that_means_the_state_is_never_rewritten(locale, held, state, by_row):
    assert _state_written(locale, held, state, by_row=by_row) == "kept"


HELD = sorted({w for lang in words.LANGUAGES for v in BALANCE_STATES
               for w in (word(v, BALANCE_STATES, lang), word(v, BALANCE_STATES, lang).upper())})


@settings(max_examples=200, deadline=None)
@given(locale=st.sampled_from(words.LANGUAGES), held=st.sampled_from(HELD),
       wanted=st.sampled_from(BALANCE_STATES))
def test_the_one_comparison_and_the_cell_by_cell_answer_agree(locale, held, wanted):
    """A kept cell means the wanted state in English or the locale; a written one holds the
    locale's word."""
    by_row = _state_written(locale, held, wanted, by_row=True)
    assert by_row == _state_written(locale, held, wanted, by_row=False)
    if by_row == "kept":
        assert words.values(BALANCE_STATES, locale).meaning(held) == wanted
    else:
        assert by_row == word(wanted, BALANCE_STATES, locale)


def test_the_notifications_drop_down_offers_the_locales_words():
    status = localized(NOTIFICATIONS, "tr").columns[NOTIFICATIONS.column_names.index("status")]
    assert status.choices == ("bekliyor", "gönderildi", "giden kutusunda", "başarısız",
                              "atlandı")
    assert NOTIFICATIONS.column("status").choices == NOTICE_STATUSES


# -- a no-op sync compares no row cell by cell ------------------------------------------------
def _count_rows_compared_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compared: list[str] = []
    real = TabWriter._update_cells

    def counting(self, row, held, values):  # type: ignore[no-untyped-def]
        compared.append(self.cols.table.title)
        return real(self, row, held, values)
    monkeypatch.setattr(TabWriter, "_update_cells", counting)
    return compared


@pytest.mark.parametrize(("layout_locale", "locale"), [("tr", "tr"), ("de", "de"),
                                                       ("en", "tr")])
def test_a_no_op_sync_compares_no_row_cell_by_cell(monkeypatch, layout_locale, locale):
    store = MemoryStore()
    today = date(2026, 12, 1)
    layout = demo_layout(today, layout_locale)
    store.lay_out(localized_layout(layout, layout_locale))
    now = datetime(2026, 12, 14, 23, 0)
    engine.sync(store, now, started_at=now, locale=layout_locale)
    states = _column(store, BALANCES, "state", layout_locale)
    assert set(states) == {word("active", BALANCE_STATES, layout_locale),
                           word("ended", BALANCE_STATES, layout_locale)}
    compared = _count_rows_compared_cell_by_cell(monkeypatch)
    again = engine.sync(store, now, started_at=now, locale=locale)
    assert compared == []
    assert [t for t, c in again.changes.tabs.items() if c] == [tab_title(RUNS, layout_locale)]
    assert _column(store, BALANCES, "state", layout_locale) == states


def test_a_state_typed_in_another_case_is_compared_cell_by_cell_and_kept(monkeypatch):
    store = MemoryStore()
    store.lay_out(localized_layout(demo_layout(date(2026, 12, 1), "tr"), "tr"))
    now = datetime(2026, 12, 14, 23, 0)
    engine.sync(store, now, started_at=now, locale="tr")
    table = store.read()["Bakiyeler"]
    state = table.header.index("Dönem Durumu")
    row = next(i for i, r in enumerate(table.rows) if r[state] == "aktif")
    changes = WorkbookChanges()
    changes.tab("Bakiyeler").updates[(row + 2, state + 1)] = "AKTİF"
    store.write(changes)
    compared = _count_rows_compared_cell_by_cell(monkeypatch)
    again = engine.sync(store, now, started_at=now, locale="tr")
    assert compared == ["Bakiyeler"]
    assert not again.changes.tab("Bakiyeler")
    assert store.read()["Bakiyeler"].rows[row][state] == "AKTİF"


def _column(store: MemoryStore, tab: Tab, name: str, locale: str) -> list[object]:
    table = store.read()[tab_title(tab, locale)]
    index = table.header.index(column_title(tab.column(name), locale))
    return [row[index] for row in table.rows]


# -- a Turkish and a German studio through the command line -----------------------------------
def _config(folder: Path, locale: str, *, smtp: bool = False) -> None:
    mail_server = ("  smtp:\n    host: 127.0.0.1\n    port: 1\n    starttls: false\n"
                   "    timeout: 2\n") if smtp else ""
    (folder / "sheetsync.yaml").write_text(
        f"workbook: studio.xlsx\nlocale: {locale}\nemail:\n"
        f"  from: \"Studio <studio@example.com>\"\n{mail_server}", encoding="utf-8")


def _tab(folder: Path, tab: Tab, locale: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "studio.xlsx")[tab_title(tab, locale)]
    names = {column_title(c, locale): c.name for c in tab.columns}
    header = [names.get(c.value, c.value) for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=False))
            for row in ws.iter_rows(min_row=2)]


def _all_but_runs(folder: Path, locale: str) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(folder / "studio.xlsx")
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
            for ws in book if ws.title != tab_title(RUNS, locale)}


@pytest.mark.parametrize("locale", ["tr", "de"])
def test_a_studio_writes_and_reads_its_own_words(run, cli_folder: Path, locale: str):
    assert run("init", "studio.xlsx", "--locale", locale, "--demo").exit_code == 0
    _config(cli_folder, locale)
    first = run("sync", "--now", ENDED)
    assert first.exit_code == 0, first.output
    assert {r["state"] for r in _tab(cli_folder, BALANCES, locale)} == {
        word("active", BALANCE_STATES, locale), word("ended", BALANCE_STATES, locale)}
    assert {r["status"] for r in _tab(cli_folder, NOTIFICATIONS, locale)} == {
        word("queued", NOTICE_STATUSES, locale)}
    [runs] = _tab(cli_folder, RUNS, locale)
    assert (runs["mode"], runs["result"]) == (word("sync", RUN_MODES, locale),
                                             word("ok", RUN_RESULTS, locale))
    healthy = run("status", "--now", LATER)
    assert healthy.exit_code == 0, healthy.output

    before = _all_but_runs(cli_folder, locale)
    second = run("sync", "--now", ENDED)
    assert second.exit_code == 0, second.output
    assert _all_but_runs(cli_folder, locale) == before
    assert len(_tab(cli_folder, RUNS, locale)) == 2

    _config(cli_folder, locale, smtp=True)  # the mail server does not answer
    failing = run("sync", "--now", ENDED)
    assert failing.exit_code == 4, failing.output
    notices = _tab(cli_folder, NOTIFICATIONS, locale)
    assert {(r["status"], r["attempts"]) for r in notices} == {
        (word("failed", NOTICE_STATUSES, locale), 2)}  # queued, then failed
    assert _tab(cli_folder, RUNS, locale)[-1]["result"] == word("alerts failed", RUN_RESULTS,
                                                               locale)
    told = run("status", "--now", LATER, "--json")
    assert told.exit_code == 4, told.output
    found = json.loads(told.output)
    assert found["alerts"]["failed"] == len(notices) == 3
    assert found["last_success"]["result"] == word("alerts failed", RUN_RESULTS, locale)

    retried = run("sync", "--now", ENDED)  # the locale's `failed` reads back as failed
    assert retried.exit_code == 4, retried.output
    assert {r["attempts"] for r in _tab(cli_folder, NOTIFICATIONS, locale)} == {3}


def test_an_english_workbook_synced_under_locale_tr_keeps_its_english_words(
        run, cli_folder: Path):
    assert run("init", "studio.xlsx", "--demo").exit_code == 0
    _config(cli_folder, "en")
    assert run("sync", "--now", ENDED).exit_code == 0
    before = _all_but_runs(cli_folder, "en")
    assert {r["state"] for r in _tab(cli_folder, BALANCES, "en")} == {"active", "ended"}
    assert {r["status"] for r in _tab(cli_folder, NOTIFICATIONS, "en")} == {"queued"}
    _config(cli_folder, "tr")
    again = run("sync", "--now", ENDED)
    assert again.exit_code == 0, again.output
    assert _all_but_runs(cli_folder, "en") == before
    runs = _tab(cli_folder, RUNS, "en")
    assert [(r["mode"], r["result"]) for r in runs] == [("sync", "ok"), ("eşitleme", "tamam")]
    assert run("status", "--now", LATER).exit_code == 0


def test_a_google_sheet_in_german_gets_its_states_and_runs_in_german(
        server: LocalSheets, account: ServiceAccount):  # noqa: F811
    sheet = server.create_spreadsheet("Studio")
    store = GoogleStore(sheet, account, endpoint=server.base_url, locale="de")
    usecases.init(store, sheet, demo_today=date(2026, 12, 1), locale="de")
    now = datetime(2026, 12, 14, 23, 0)
    assert not engine.sync(store, now, started_at=now, locale="de").problems
    salden = server.values(sheet, "Salden")
    state = salden[0].index("Zustand")
    assert {row[state] for row in salden[1:]} == {"aktiv", "abgeschlossen"}
    runs = server.values(sheet, "Läufe")
    assert (runs[1][runs[0].index("Modus")], runs[1][runs[0].index("Ergebnis")]) == (
        "Abgleich", "ok")
    again = engine.sync(store, now, started_at=now, locale="de")
    assert [t for t, c in again.changes.tabs.items() if c] == ["Läufe"]


# -- public holidays --------------------------------------------------------------------------
OCTOBER = PHYSIO.replace("2026-11-30", "2026-10-26")  # Republic Day, Thu 29 Oct, is a session
BEFORE_IT = datetime(2026, 10, 20, 9, 0)


def _holiday_reasons(settings_: HolidaySettings, locale: str) -> dict[date, str]:
    _, snapshot, _ = engine.read_and_plan(studio(OCTOBER), BEFORE_IT, holidays=settings_,
                                          locale=locale)
    return {c.start_date: c.reason for c in snapshot.closures if c.public_holiday}


def test_public_holidays_are_named_in_the_studios_language():
    assert _holiday_reasons(HolidaySettings("TR"), "tr")[date(2026, 10, 29)] == (
        "Resmî tatil: Cumhuriyet Bayramı")
    assert _holiday_reasons(HolidaySettings("DE", "BE"), "de")[date(2026, 12, 25)] == (
        "Feiertag: Erster Weihnachtstag")
    assert _holiday_reasons(HolidaySettings("TR"), "en")[date(2026, 10, 29)] == (
        "Public holiday: Republic Day")
    # a country without Turkish names: English ones, under the Turkish prefix
    assert _holiday_reasons(HolidaySettings("US"), "tr")[date(2026, 12, 25)] == (
        "Resmî tatil: Christmas Day")


def test_english_names_do_not_depend_on_the_machines_language(monkeypatch):
    for variable, value in (("LANGUAGE", "tr"), ("LC_ALL", "tr_TR.UTF-8"),
                            ("LANG", "tr_TR.UTF-8")):
        monkeypatch.setenv(variable, value)
    assert holiday_closures(HolidaySettings("TR"), [2027])[0].reason == (
        "Public holiday: New Year's Day")


@pytest.mark.parametrize("ignore", ["Cumhuriyet Bayramı", "CUMHURİYET BAYRAMI",
                                    "cumhuriyet bayrami", "Republic Day", "republic day",
                                    "2026-10-29"])
def test_the_ignore_list_matches_the_turkish_and_the_english_name(ignore):
    store = studio(OCTOBER)
    engine.sync(store, BEFORE_IT, started_at=BEFORE_IT, locale="tr",
                holidays=HolidaySettings("TR", ignore=(ignore,)))
    assert "2026-10-29 14:00" in slots(store, "E1")


def test_without_an_ignore_the_holiday_closes_the_studio():
    store = studio(OCTOBER)
    engine.sync(store, BEFORE_IT, started_at=BEFORE_IT, locale="tr",
                holidays=HolidaySettings("TR", ignore=("Zafer Bayramı",)))
    assert "2026-10-29 14:00" not in slots(store, "E1")


def test_check_lists_the_turkish_holidays_ahead(run, cli_folder: Path):
    assert run("init", "studio.xlsx", "--locale", "tr", "--demo").exit_code == 0
    (cli_folder / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\nlocale: tr\nholidays: {country: TR}\n", encoding="utf-8")
    checked = run("check", "--now", "2026-10-20T09:00")
    assert checked.exit_code == 0, checked.output
    assert "Cumhuriyet Bayramı" in checked.output
    assert "Republic Day" not in checked.output
