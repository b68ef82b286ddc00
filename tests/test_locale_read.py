"""A workbook typed in the studio's own language reads in it: the locale reaches every
parser (issue 15). In a Turkish studio money `1.500,00`, dates `23.11.2026`, schedules
`Pzt 14:00, Per 18:00`, rates `%40`, statuses `iptal` and yes/no `hayır` read; a second
sync finds nothing to do (the statuses the first wrote in Turkish read back). An English
workbook reads as it always did, whatever the locale.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sheetsync import engine, words
from sheetsync.demo import demo_layout
from sheetsync.problem_text import problem_words
from sheetsync.read import read_snapshot
from sheetsync.schema import ALL_TABS, CLIENTS, STUDIO_CHOICES, choice_words, header_key
from sheetsync.stores.base import Cell, Layout
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.memory import MemoryStore
from tests.studios import physio_workbook

NOW = datetime(2026, 12, 5, 9, 0)

TYPED_IN_TURKISH: dict[str, list[dict[str, Cell]]] = {
    "Packages": [{"package_id": "PHY4", "name": "4 Seanslık Fizyoterapi", "sessions": 4,
                  "price": "1.500,00", "commission_rate": "%40", "active": "evet"}],
    "Clients": [{"client_id": "C1", "name": "Ayşe Çelik"}],
    "Staff": [{"staff_id": "ST1", "name": "Elif Demir"}],
    "Enrollments": [{"enrollment_id": "E1", "client_id": "C1", "package_id": "PHY4",
                     "start_date": "30.11.2026", "staff_id": "ST1",
                     "schedule": "Pzt 14:00, Per 18:00", "auto_renew": "hayır"}],
    "Payments": [{"enrollment_id": "E1", "amount": "1.000", "date": "30.11.2026"}],
}


def studio(locale: str, rows: dict[str, list[dict[str, Cell]]]) -> MemoryStore:
    store = MemoryStore()
    store.lay_out(localized_layout(Layout(ALL_TABS, rows), locale))
    return store


def column(store: MemoryStore, title: str, name: str) -> list[Cell]:
    table = store.read()[title]
    position = [header_key(h) for h in table.header].index(header_key(name))
    return [row[position] for row in table.rows]


def test_a_turkish_studio_reads_what_its_owner_typed() -> None:
    snap = read_snapshot(studio("tr", TYPED_IN_TURKISH).read(), locale="tr")

    assert snap.problems == ()
    package = snap.packages["PHY4"]
    assert (package.price, package.commission_rate, package.active) == (
        Decimal("1500.00"), Decimal("0.4"), True)
    enrollment = snap.enrollments["E1"]
    assert enrollment.start_date == date(2026, 11, 30)
    assert enrollment.auto_renew is False
    assert [(s.weekday, s.start) for s in enrollment.schedule.entries] == [
        (0, time(14, 0)), (3, time(18, 0))]
    assert snap.payments[0].amount == Decimal("1000")


def test_the_same_cells_read_in_english_are_problems_not_guesses() -> None:
    snap = read_snapshot(studio("tr", TYPED_IN_TURKISH).read())  # locale en

    assert {p.column for p in snap.problems} >= {"schedule", "start_date", "auto_renew",
                                                  "active", "commission_rate", "amount"}


def test_a_turkish_studio_syncs_twice_and_the_second_sync_finds_nothing_to_do() -> None:
    store = studio("tr", TYPED_IN_TURKISH)

    first = engine.sync(store, NOW, started_at=NOW, locale="tr")
    again = engine.sync(store, NOW, started_at=NOW, locale="tr")

    assert not first.problems and not again.problems, (first.problems, again.problems)
    assert set(column(store, "Randevular", "status")) == {"tamamlandı", "planlandı"}
    assert [title for title, changes in again.changes.tabs.items() if changes] == ["Çalıştırmalar"]


def test_a_session_cancelled_in_turkish_gets_its_make_up() -> None:
    store = studio("tr", TYPED_IN_TURKISH)
    engine.sync(store, NOW, started_at=NOW, locale="tr")
    table = store.tables["Randevular"]
    status = [header_key(h) for h in table.header].index("status")
    upcoming = column(store, "Randevular", "status").index("planlandı")
    table.rows[upcoming][status] = "İPTAL"  # typed with the caps lock on

    report = engine.sync(store, NOW, started_at=NOW, locale="tr")

    assert not report.problems, report.problems
    assert len(report.plan.added) == 1  # the make-up
    statuses = column(store, "Randevular", "status")
    assert statuses[upcoming] == "İPTAL"  # the studio's own word stays as typed
    assert statuses.count("planlandı") == 2  # two upcoming: one cancelled, one made up


def test_a_turkish_workbook_on_disk_reads_through_check(  # type: ignore[no-untyped-def]
        run, cli_folder: Path) -> None:
    assert run("init", "studio.xlsx", "--locale", "tr").exit_code == 0
    path = cli_folder / "studio.xlsx"
    book = openpyxl.load_workbook(path)
    book["Paketler"].append(["PHY4", "4 Seanslık Fizyoterapi", 4, "1.500,00"])
    book["Danışanlar"].append(["C1", "Ayşe Çelik"])
    book["Personel"].append(["ST1", "Elif Demir"])
    book["Kayıtlar"].append(["E1", "C1", "PHY4", "23.11.2026", "ST1", "Pzt 14:00, Per 18:00"])
    book.save(path)

    checked = run("check", "--now", "2026-12-05T09:00")
    synced = run("sync", "--now", "2026-12-05T09:00")
    again = run("check", "--now", "2026-12-05T09:00")

    assert checked.exit_code == 0, checked.output
    assert synced.exit_code == 0, synced.output
    assert again.exit_code == 0, again.output


def test_the_feeds_a_sync_refreshes_are_in_the_studios_language(  # type: ignore[no-untyped-def]
        run, cli_folder: Path) -> None:
    physio_workbook(cli_folder / "studio.xlsx")
    (cli_folder / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\nlocale: de\n"
        "calendar:\n  out_dir: calendars\n", encoding="utf-8")

    result = run("sync", "--now", "2026-12-11T10:00")

    assert result.exit_code == 0, result.output
    feed = (cli_folder / "calendars" / "client-C1.ics").read_text(encoding="utf-8")
    assert "Termin 1 von 10" in feed.replace("\r\n ", "")


# -- a client's, an enrollment's status, a staff member's role, the word that opens ----------
def test_statuses_and_roles_read_in_the_studios_words() -> None:
    rows = {**TYPED_IN_TURKISH,
            "Clients": [{"client_id": "C1", "name": "Ayşe Çelik", "status": "AKTİF"},
                        {"client_id": "C2", "name": "Işık Yılmaz", "status": "pasif"}],
            "Staff": [{"staff_id": "ST1", "name": "Elif Demir", "role": "personel"},
                      {"staff_id": "MGR", "name": "Zeynep Kaya", "role": "YÖNETİCİ"}],
            "Enrollments": [{**TYPED_IN_TURKISH["Enrollments"][0], "status": "bitti"}]}

    snap = read_snapshot(studio("tr", rows).read(), locale="tr")

    assert snap.problems == ()
    assert (snap.clients["C1"].active, snap.clients["C2"].active) == (True, False)
    assert (snap.staff["ST1"].manager, snap.staff["MGR"].manager) == (False, True)
    assert snap.enrollments["E1"].active is False


def test_a_word_of_no_choice_names_the_choices_in_the_studios_words() -> None:
    rows = {**TYPED_IN_TURKISH,
            "Clients": [{"client_id": "C1", "name": "Ayşe Çelik", "status": "belki"}]}

    snap = read_snapshot(studio("tr", rows).read(), locale="tr")

    (problem,) = [p for p in snap.problems if p.column == "status"]
    shown = problem_words("tr", ["Danışanlar"]).shown(problem)
    assert (shown.column, shown.problem) == ("Durum", "'belki' geçersiz; aktif ya da pasif olmalı.")


def test_german_roles_and_statuses() -> None:
    rows = {"Clients": [{"client_id": "C1", "name": "Jörg Weiß", "status": "inaktiv"}],
            "Staff": [{"staff_id": "ST1", "name": "Anna Groß", "role": "Leitung"}]}

    snap = read_snapshot(studio("de", rows).read(), locale="de")

    assert snap.clients["C1"].active is False and snap.staff["ST1"].manager is True


def test_the_drop_downs_offer_the_words_the_reader_reads() -> None:
    for locale in ("tr", "de"):
        for tab in ALL_TABS:
            for column in tab.columns:
                if column.choices in STUDIO_CHOICES:
                    offered = choice_words(column, locale)
                    assert offered != column.choices
                    vocabulary = words.choices(column.choices, locale)
                    assert [vocabulary.meaning(w) for w in offered] == list(column.choices)
    assert choice_words(CLIENTS.column("status"), "en") == ("active", "closed")


@pytest.mark.parametrize("typed", ["open", "OPEN", "açık", "AÇIK", "acik", "geöffnet", "Offen"])
def test_the_word_that_opens_the_studio_on_a_holiday_in_any_language(typed: str) -> None:
    rows = {"Closures": [{"start_date": "2026-12-01", "reason": typed}]}

    snap = read_snapshot(studio("tr", rows).read(), locale="tr")

    assert [o.start_date for o in snap.openings] == [date(2026, 12, 1)]
    assert snap.closures == ()


def test_the_turkish_demo_types_its_roles_and_statuses_in_turkish() -> None:
    layout = demo_layout(date(2026, 12, 1), "tr")

    assert {r["role"] for r in layout.rows["Staff"]} == {"personel", "yönetici"}
    assert {r["status"] for r in layout.rows["Clients"] + layout.rows["Enrollments"]} == {
        "aktif"}
