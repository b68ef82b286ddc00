"""The Problems tab and `sheetsync check` in the studio's language (issue 15, part D).

A Turkish or German studio reads every problem sentence in its language, with the tab and
column names its workbook shows; the catalog of those sentences (the `problems` gettext
domain) is complete in tr and de and is what the extractor finds; English stays as it was.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from sheetsync import i18n
from sheetsync.cells import CellError, parse_date, parse_money, parse_status
from sheetsync.phrases import P_, Name, Phrase
from sheetsync.problem_text import DOMAIN, problem_words
from sheetsync.schema import TITLES

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "sheetsync" / "locale" / "problems.pot"
TRANSLATED = [code for code in i18n.SUPPORTED if code != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
NOW = "2026-12-05T09:00"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


# -- the catalog ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_problem_sentence_is_translated_not_fuzzy_with_the_same_placeholders(code: str):
    template = load(POT)
    catalog = load(i18n.catalog_path(code, DOMAIN), code)
    assert len(ids(template)) > 60
    assert ids(catalog) == ids(template), "update problems.po: its messages differ from the .pot"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{code}: fuzzy translation of {message.id!r}"
        assert message.string.strip(), f"{code}: {message.id!r} is not translated"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(message.id)), f"{code}: {message.id!r} -> {message.string!r}"


def test_the_pot_is_what_the_extractor_finds_with_the_p_keyword_alone(tmp_path: Path):
    fresh = tmp_path / "fresh.pot"
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel-problems.cfg",
         "-k", "P_", "--no-default-keywords", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert ids(load(fresh)) == ids(load(POT)), (
        "problems.pot is stale: run the extract command in babel-problems.cfg and translate "
        "the new messages")


# -- Phrase -----------------------------------------------------------------------------------
class Words:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def gettext(self, message: str) -> str:
        return self.table.get(message, message)


def test_a_phrase_is_its_english_sentence_and_translates_with_nested_phrases_and_names():
    phrase = P_("'{raw}' is not a status; use {choices}", raw="x",
                choices=P_("{first} or {last}", first="a, b", last="c"))
    assert str(phrase) == "'x' is not a status; use a, b or c"
    words = Words({"'{raw}' is not a status; use {choices}": "'{raw}' bir durum değil; {choices}",
                   "{first} or {last}": "{first} ya da {last}"})
    assert phrase.translated(words) == "'x' bir durum değil; a, b ya da c"
    named = P_("{column} is empty; every row needs one.", column=Name("client_id"))
    assert str(named) == "client_id is empty; every row needs one."
    assert named.translated(Words({}), lambda n: n.name.upper()) == (
        "CLIENT_ID is empty; every row needs one.")


def test_a_translation_with_a_broken_placeholder_falls_back_to_english_and_braces_stay():
    phrase = P_("'{raw}' is not a time of day", raw="{x}")
    assert phrase.translated(Words({"'{raw}' is not a time of day": "'{ham}' kein"})) == (
        "'{x}' is not a time of day")
    assert str(Phrase("a {brace} typed")) == "a {brace} typed"
    assert str(P_("{raw} is too large", raw="9" * 400).ending()).endswith("9.")
    assert len(str(P_("{raw} is too large", raw="9" * 400).ending())) == 301


def test_a_cell_error_carries_its_phrase_and_reads_as_before():
    with pytest.raises(CellError) as caught:
        parse_date("32.13.2026", "tr")
    assert str(caught.value) == "'32.13.2026' is not a date; write it as 01.12.2026"
    assert caught.value.phrase is not None
    turkish = caught.value.phrase.translated(i18n.translations("tr", DOMAIN))
    assert turkish == "'32.13.2026' bir tarih değil; 01.12.2026 şeklinde yazın"
    assert CellError("plain").phrase is None


@pytest.mark.parametrize(("parse", "typed", "code", "expected"), [
    (parse_status, "belki", "tr", "'belki' bir durum değil; planlandı, tamamlandı, iptal ya da "
                                  "ücretli iptal kullanın"),
    (parse_status, "vielleicht", "de", "'vielleicht' ist kein Status; verwenden Sie "),
    (parse_money, "1,500", "de", "'1,500' lässt sich auf zwei Arten lesen; schreiben Sie 1500 "
                                 "oder 1,50"),
])
def test_the_words_inside_a_sentence_are_the_locales(parse, typed, code, expected):
    with pytest.raises(CellError) as caught:
        parse(typed, code)
    assert caught.value.phrase is not None
    assert caught.value.phrase.translated(i18n.translations(code, DOMAIN)).startswith(expected)


# -- every problem a junk workbook raises has a phrase ----------------------------------------
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_problem_of_a_junk_workbook_is_a_phrase_that_reads_differently_in_the_locale(
        code: str) -> None:
    from sheetsync.read import read_snapshot
    from tests.problem_junk import junk_tables

    tables = junk_tables(code)
    snapshot = read_snapshot(tables, locale=code)
    words = problem_words(code, tables)
    assert len(snapshot.problems) > 40
    kinds = set()
    for problem in snapshot.problems:
        assert problem.phrase is not None, problem
        assert str(problem.phrase)[:30] == problem.problem[:30], problem
        shown = words.shown(problem)
        assert shown.problem != problem.problem, problem.problem
        kinds.add(problem.phrase.message)
    assert len(kinds) > 15, kinds


# -- a studio end to end on a real .xlsx ------------------------------------------------------
JUNK = {  # English tab name -> (column position in init's layout -> typed junk)
    "tr": {"Paketler": ["PHY4", "Fizyoterapi", "on", "1.500,00"],
           "Danışanlar": ["C1", "Ayşe Çelik", "ayse@@x.example"],
           "Personel": ["ST1", "Elif Demir"],
           "Kayıtlar": ["E1", "C1", "PHY4", "32.11.2026", "ST1", "Pzt 25:00"],
           "Ödemeler": ["E9", "1,500", "30.11.2026"]},
    "de": {"Pakete": ["PHY4", "Physiotherapie", "zehn", "1.500,00"],
           "Kunden": ["C1", "Jonas Weiß", "jonas@@x.example"],
           "Mitarbeiter": ["ST1", "Elif Demir"],
           "Buchungen": ["E1", "C1", "PHY4", "32.11.2026", "ST1", "Mo 25:00"],
           "Zahlungen": ["E9", "1,500", "30.11.2026"]},
}
EXPECTED = {
    "tr": {"tab": "Sorunlar", "rows": {
        ("Paketler", "Seans Sayısı", "on", "'on' bir tam sayı değil."),
        ("Danışanlar", "E-posta", "ayse@@x.example",
         "'ayse@@x.example' bir e-posta adresi değil."),
        ("Kayıtlar", "Başlangıç Tarihi", "32.11.2026",
         "'32.11.2026' bir tarih değil; 01.12.2026 şeklinde yazın."),
        ("Kayıtlar", "Program", "Pzt 25:00", "'Pzt 25:00': '25:00' günün bir saati değil."),
        ("Ödemeler", "Tutar", "1,500", "'1,500' iki türlü okunabilir; 1500 ya da 1,50 yazın."),
        ("Ödemeler", "Kayıt No", "E9", "E9 numaralı bir kayıt yok."),
        ("Kayıtlar", "Paket No", "PHY4",
         "Paketler sekmesindeki PHY4 satırında bir sorun var; önce o satırı düzeltin."),
    }, "check": ["satır 2, Seans Sayısı: 'on' bir tam sayı değil.  (değer: on)",
                 "sorun:"]},
    "de": {"tab": "Probleme", "rows": {
        ("Pakete", "Sitzungen", "zehn", "'zehn' ist keine ganze Zahl."),
        ("Kunden", "E-Mail", "jonas@@x.example", "'jonas@@x.example' ist keine E-Mail-Adresse."),
        ("Buchungen", "Startdatum", "32.11.2026",
         "'32.11.2026' ist kein Datum; schreiben Sie es als 01.12.2026."),
        ("Buchungen", "Zeitplan", "Mo 25:00", "'Mo 25:00': '25:00' ist keine gültige Uhrzeit."),
        ("Zahlungen", "Betrag", "1,500",
         "'1,500' lässt sich auf zwei Arten lesen; schreiben Sie 1500 oder 1,50."),
        ("Zahlungen", "Buchungs-ID", "E9", "Es gibt keine Buchung E9."),
        ("Buchungen", "Paket-ID", "PHY4",
         "Die Zeile für PHY4 im Blatt Pakete hat ein Problem; korrigieren Sie zuerst diese "
         "Zeile."),
    }, "check": ["Zeile 2, Sitzungen: 'zehn' ist keine ganze Zahl.  (Wert: zehn)",
                 "Problem(e) in studio.xlsx:"]},
}


def type_junk(path: Path, rows: dict[str, list[object]]) -> None:
    book = openpyxl.load_workbook(path)
    for title, values in rows.items():
        book[title].append(values)
    book.save(path)


def problems_tab(path: Path, title: str) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path)[title]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def problems_written(path: Path, title: str, locale: str) -> int:
    """Cells a sync at NOW would write into the Problems tab (the first sync already ran)."""
    from sheetsync import engine
    from sheetsync.stores.xlsx import XlsxStore

    now = datetime(2026, 12, 5, 9, 0)
    report = engine.sync(XlsxStore(path), now, started_at=now, dry_run=True, locale=locale)
    changes = report.changes.tabs.get(title)
    return changes.cells_written if changes else 0


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_studio_reads_its_problems_tab_and_check_in_its_own_language(
        run, cli_folder: Path, code: str) -> None:
    assert run("init", "studio.xlsx", "--locale", code).exit_code == 0
    path = cli_folder / "studio.xlsx"
    type_junk(path, JUNK[code])
    expected = EXPECTED[code]

    synced = run("sync", "--now", NOW)

    assert synced.exit_code == 1, synced.output
    header, *rows = problems_tab(path, expected["tab"])
    assert header[:5] == tuple(TITLES[code][name] for name in
                               ("tab", "row", "column", "value", "problem"))
    assert {(tab, column, value, problem) for tab, _, column, value, problem in rows} == (
        expected["rows"])
    checked = run("check", "--now", NOW)
    assert checked.exit_code == 1
    for line in expected["check"]:
        assert line in checked.output, checked.output
    for _, _, column, _, problem in rows:
        assert f"{column}: {problem}" in checked.output
    printed = run("check", "--now", NOW, "--json").output
    shown = json.loads(printed[printed.index("\n[") + 1:])
    assert {(p["tab"], p["row"], p["column"], p["problem"]) for p in shown} == {
        (tab, row, column, problem) for tab, row, column, _, problem in rows}
    assert problems_written(path, expected["tab"], code) == 0  # nothing changed: no cell


def test_an_english_workbook_under_a_turkish_locale_keeps_its_names_with_turkish_sentences(
        run, cli_folder: Path) -> None:
    assert run("init", "studio.xlsx").exit_code == 0
    (cli_folder / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\nlocale: tr\n", encoding="utf-8")
    path = cli_folder / "studio.xlsx"
    type_junk(path, {"Packages": ["PHY4", "Physio", "ten", "1500"],
                     "Payments": ["E9", "100", "2026-11-30"]})

    synced = run("sync", "--now", NOW)
    assert synced.exit_code == 1, synced.output

    _, *rows = problems_tab(path, "Problems")
    assert {(tab, column, problem) for tab, _, column, _, problem in rows} == {
        ("Packages", "sessions", "'ten' bir tam sayı değil."),
        ("Payments", "enrollment_id", "E9 numaralı bir kayıt yok."),
    }
    assert problems_written(path, "Problems", "tr") == 0


def test_an_english_studio_reads_its_problems_exactly_as_before(
        run, cli_folder: Path) -> None:
    assert run("init", "studio.xlsx").exit_code == 0
    path = cli_folder / "studio.xlsx"
    type_junk(path, {"Packages": ["PHY4", "Physio", "ten", "1500"],
                     "Payments": ["E9", "100", "2026-11-30"]})

    assert run("sync", "studio.xlsx", "--now", NOW).exit_code == 1
    checked = run("check", "studio.xlsx", "--now", NOW)

    _, *rows = problems_tab(path, "Problems")
    assert [row[:5] for row in rows] == [
        ("Packages", 2, "sessions", "ten", "'ten' is not a whole number."),
        ("Payments", 2, "enrollment_id", "E9", "There is no enrollment E9."),
    ]
    lines = checked.output.splitlines()
    assert lines[lines.index("2 problem(s) in studio.xlsx:"):][:3] == [
        "2 problem(s) in studio.xlsx:",
        "  Packages row 2, sessions: 'ten' is not a whole number.  (value: ten)",
        "  Payments row 2, enrollment_id: There is no enrollment E9.  (value: E9)",
    ]


def test_a_missing_tab_is_named_in_the_workbooks_language() -> None:
    from sheetsync.read import read_snapshot
    from tests.problem_junk import junk_tables

    tables = junk_tables("de")
    del tables["Termine"]
    snapshot = read_snapshot(tables, locale="de")
    words = problem_words("de", tables)
    assert snapshot.structural
    assert [words.line(p) for p in snapshot.problems] == [
        "Termine: Das Blatt Termine fehlt; führen Sie 'sheetsync init' für diese Arbeitsmappe "
        "aus, um es hinzuzufügen."]


PLANNED = """
Packages
package_id | name             | sessions | price
P4         | 4-Session Physio | 4        | 2000

Clients
client_id | name
C1        | Ayse

Staff
staff_id | name
ST1      | Elif

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | P4         | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00
"""
LONG_LEAVE = """
Closures
start_date | end_date   | staff_id | reason
2026-12-01 | 2040-12-31 | ST1      | Elif on long leave
"""


def test_the_planners_problems_read_in_the_locale_too() -> None:
    """No free slot (plan._no_room) and an overfull period (plan._overfull)."""
    from tests.studio import edit, studio, sync

    store = studio(PLANNED + LONG_LEAVE)
    at = datetime(2026, 11, 29, 12, 0)
    words = problem_words("tr", store.read())
    (no_room,) = sync(store, at).problems
    assert words.line(no_room) == (
        "Enrollments satır 2, schedule: E1 kaydının 1. dönemindeki 3 seans için 6 yıl içinde boş "
        "bir zaman bulunamadı; programı ve tatilleri kontrol edin.")
    store = studio(PLANNED)
    sync(store, at)
    sync(store, datetime(2026, 12, 8, 10, 0))
    edit(store, "Packages", {"package_id": "P4"}, sessions=2)
    (overfull,) = sync(store, datetime(2026, 12, 8, 10, 0)).problems
    assert words.shown(overfull).problem == (
        "E1 kaydının 1. döneminde kullanılmış ya da elle taşınmış 3 seans var, paketindeki 2 "
        "seanstan fazla; fazla olanları iptal edin ya da silin.")
    german = problem_words("de", store.read()).shown(overfull).problem
    assert german.startswith("Periode 1 der Buchung E1 hat 3 genutzte oder von Hand")


BUILDS_PROBLEMS = ("cells", "schedule", "read", "validate", "sheet", "plan", "i18n")


@pytest.mark.parametrize("module", BUILDS_PROBLEMS)
def test_no_module_that_builds_problems_raises_or_reports_a_plain_english_sentence(
        module: str) -> None:
    source = (ROOT / "sheetsync" / f"{module}.py").read_text(encoding="utf-8")
    plain = re.findall(r"CellError\((?:f?[\"']|str\()", source)
    plain += re.findall(r"\bProblem\([^)]*?,\s*f?[\"'][^\"']*[\"']\)", source)
    assert not plain, f"sheetsync/{module}.py: {plain} (use a P_ phrase)"


def test_a_date_inside_a_sentence_is_written_as_the_locale_writes_it() -> None:
    from sheetsync.read import read_snapshot
    from tests.problem_junk import junk_tables

    for code, expected in (
            ("tr", "Tatil 10.12.2026 tarihinde başlıyor ama ondan önce, 01.12.2026 tarihinde "
                   "bitiyor."),
            ("de", "Die Schließung endet am 01.12.2026, bevor sie am 10.12.2026 beginnt.")):
        tables = junk_tables(code)
        (closure,) = [p for p in read_snapshot(tables, locale=code).problems
                      if p.column == "end_date" and p.row == 2]
        assert closure.problem == (
            "The closure ends on 2026-12-01 before it starts on 2026-12-10.")
        assert problem_words(code, tables).shown(closure).problem == expected
