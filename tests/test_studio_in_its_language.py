"""A Turkish and a German studio work in their own language from `init` to the client's
e-mail (issue 15, end to end, through the command line on a real .xlsx).

The owner runs `init --locale`, types the studio in its own words (a package priced
`1.500,00`, a start date `30.11.2026`, a schedule `Pzt 14:00, Per 14:00`), syncs, types a
cancellation in its own word, syncs until the package is used up and renewed; the client's
e-mails go through a real SMTP server and are read back, then the client's statement and
calendar feed. Everything a person reads is in the studio's language, in its money and
dates; a second sync at the same time writes nothing but its Runs row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.schema import TITLES
from tests.mailserver import Recorder, running


@dataclass(frozen=True)
class Words:
    locale: str
    schedule: str
    cancelled: str
    yes: str
    money: str  # 1500 as the studio types it
    first_day: str  # 30 November 2026 as the studio types it
    expected: tuple[str, ...]  # what the client's e-mails must say
    statement: tuple[str, ...]
    feed: tuple[str, ...]  # what the client's calendar feed must say


TURKISH = Words("tr", "Pzt 14:00, Per 14:00", "iptal", "evet", "1.500,00", "30.11.2026",
                ("Merhaba Ayşe Çelik", "Aralık 2026", "₺"), ("seans özeti", "₺"),
                ("dönem: seans 1/4", "İptal: Fizyo 4"))
GERMAN = Words("de", "Mo 14:00, Do 14:00", "storniert", "ja", "1.500,00", "30.11.2026",
               ("Hallo Ayşe Çelik", "Dezember 2026", "€"), ("€",),
               ("Termin 1 von 4", "Abgesagt: Fizyo 4"))


def title(locale: str, name: str) -> str:
    return TITLES[locale][name]


def append(book: openpyxl.Workbook, locale: str, tab: str, record: dict[str, object]) -> None:
    sheet = book[title(locale, tab)]
    header = [c.value for c in sheet[1]]
    row: list[object] = [None] * len(header)
    for name, value in record.items():
        row[header.index(title(locale, name))] = value
    sheet.append(row)


def cells(path: Path, locale: str, tab: str, name: str) -> list[object]:
    sheet = openpyxl.load_workbook(path)[title(locale, tab)]
    column = [c.value for c in sheet[1]].index(title(locale, name))
    return [row[column].value for row in sheet.iter_rows(min_row=2)]


def type_in(path: Path, locale: str, tab: str, name: str, row: int, value: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[title(locale, tab)]
    column = [c.value for c in sheet[1]].index(title(locale, name)) + 1
    sheet.cell(row + 2, column, value)
    book.save(path)


@pytest.mark.parametrize("words", [TURKISH, GERMAN], ids=["tr", "de"])
def test_a_studio_works_in_its_own_language_from_init_to_the_clients_email(
        run, cli_folder: Path, words: Words) -> None:  # type: ignore[no-untyped-def]
    locale = words.locale
    assert run("init", "studio.xlsx", "--locale", locale).exit_code == 0
    path = cli_folder / "studio.xlsx"
    book = openpyxl.load_workbook(path)
    append(book, locale, "Packages", {"package_id": "PHY4", "name": "Fizyo 4",
                                      "sessions": 4, "price": words.money})
    append(book, locale, "Clients", {"client_id": "C1", "name": "Ayşe Çelik",
                                     "email": "ayse@client.example"})
    append(book, locale, "Staff", {"staff_id": "ST1", "name": "Elif Demir"})
    append(book, locale, "Enrollments", {
        "enrollment_id": "E1", "client_id": "C1", "package_id": "PHY4",
        "start_date": words.first_day, "staff_id": "ST1", "schedule": words.schedule,
        "auto_renew": words.yes})
    append(book, locale, "Payments", {"enrollment_id": "E1", "amount": words.money,
                                      "date": words.first_day})
    book.save(path)
    recorder = Recorder()
    with running(recorder) as server:
        config = cli_folder / "sheetsync.yaml"
        config.write_text(config.read_text(encoding="utf-8") + (
            f"timezone: Europe/Istanbul\ncurrency: {'TRY' if locale == 'tr' else 'EUR'}\n"
            "email:\n  from: 'Studio <desk@studio.example>'\n"
            f"  smtp: {{host: 127.0.0.1, port: {server.port}, starttls: false, timeout: 5}}\n"
            "calendar:\n  out_dir: feeds\n"), encoding="utf-8")

        first = run("sync", "--now", "2026-12-01T09:00")
        assert first.exit_code == 0, first.output
        dates = cells(path, locale, "Appointments", "date")
        assert [d.date() if hasattr(d, "date") else d for d in dates] == [
            date(2026, 11, 30), date(2026, 12, 3), date(2026, 12, 7), date(2026, 12, 10)]
        type_in(path, locale, "Appointments", "status", 1, words.cancelled)  # 3 December

        second = run("sync", "--now", "2026-12-02T09:00")
        assert second.exit_code == 0, second.output
        assert len(cells(path, locale, "Appointments", "date")) == 5  # the make-up

        renewed = run("sync", "--now", "2026-12-14T16:00")  # the make-up was the last one
        assert renewed.exit_code == 0, renewed.output
        owned = (("Appointments", "status"), ("Appointments", "date"), ("Balances", "state"))
        before = [cells(path, locale, tab, name) for tab, name in owned]
        mails = len(recorder.received)
        again = run("sync", "--now", "2026-12-14T16:00")
        assert again.exit_code == 0, again.output
        assert [cells(path, locale, tab, name) for tab, name in owned] == before
        assert len(recorder.received) == mails  # nothing sent twice

    statuses = cells(path, locale, "Appointments", "status")
    assert words.cancelled in statuses and "cancelled" not in statuses
    assert len(statuses) == 9  # the renewal planned the next period's four sessions
    to_client = [r.message for r in recorder.received if r.rcpt_tos == ["ayse@client.example"]]
    assert to_client, [r.rcpt_tos for r in recorder.received]
    for message in to_client:
        body = message.get_body(("plain",)).get_content()
        for expected in words.expected:
            assert expected in body, body
        assert "Hello" not in body and "session" not in body.lower()

    statement = run("statement", "C1", "--now", "2026-12-14T16:00")
    assert statement.exit_code == 0, statement.output
    for expected in words.statement:
        assert expected in statement.output, statement.output
    feed = (cli_folder / "feeds" / "client-C1.ics").read_text(encoding="utf-8")
    for expected in words.feed:
        assert expected in feed.replace("\r\n ", ""), feed
