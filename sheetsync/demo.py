"""A believable small studio to try sheetsync on, dated around the day it is made.

Four packages, three staff (one manager), six clients, two individual
enrollments (one at an overridden price), a Pilates group with three members,
a few payments and one studio closure, typed in English, Turkish or German
(`DEMO_WORDS`: package names, schedules like `Pzt 14:00, Per 14:00`, yes/no).
`command_name` is how the demo's hints name the program, so a hint works when copied.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .schema import ALL_TABS, ENGLISH, known_locale
from .stores.base import Cell, Layout
from .words import choice_word, yes_no_words


@dataclass(frozen=True, slots=True)
class DemoWords:
    """What a studio of that language would type into the demo's cells."""

    packages: tuple[str, str, str, str]  # PHY10, PIL8, GRP12, PT4
    group: str
    schedules: tuple[str, str, str]  # E001, E002, the group
    methods: tuple[str, str, str]  # card, cash, transfer
    first_half: str
    closure: str
    active: str  # a client's and an enrollment's status: active, in the locale's word


DEMO_WORDS = {
    "en": DemoWords(
        ("10-Session Physiotherapy Package", "8-Session Private Pilates",
         "12-Class Group Pilates", "4-Session Personal Training"),
        "Morning Group Pilates", ("Mon 14:00, Thu 14:00", "Wed 18:00-19:00", "Tue,Fri 09:00"),
        ("card", "cash", "transfer"), "first half", "Studio closed: floor renovation",
        "active"),
    "tr": DemoWords(
        ("10 Seanslık Fizyoterapi Paketi", "8 Seanslık Özel Pilates",
         "12 Derslik Grup Pilatesi", "4 Seanslık Kişisel Antrenman"),
        "Sabah Grup Pilatesi", ("Pzt 14:00, Per 14:00", "Çar 18:00-19:00", "Salı,Cuma 09:00"),
        ("kart", "nakit", "havale"), "ilk yarısı", "Stüdyo kapalı: zemin yenileniyor", "aktif"),
    "de": DemoWords(
        ("Physiotherapie, 10 Sitzungen", "Private Pilates, 8 Sitzungen",
         "Gruppen-Pilates, 12 Stunden", "Personal Training, 4 Sitzungen"),
        "Pilates-Gruppe am Morgen", ("Mo 14:00, Do 14:00", "Mi 18:00-19:00", "Di,Fr 09:00"),
        ("Karte", "bar", "Überweisung"), "erste Hälfte", "Studio geschlossen: neuer Boden",
        "aktiv"),
}


def demo_layout(today: date, locale: str = ENGLISH) -> Layout:
    """The demo studio's tabs and rows, the rows' values in `locale`'s words (the tabs and
    keys stay English: `stores.layout.localized_layout` gives them the locale's titles)."""
    code = known_locale(locale)
    words = DEMO_WORDS[code]
    yes, no = yes_no_words(code)
    phy10, pil8, grp12, pt4 = words.packages
    card, cash, transfer = words.methods
    active = words.active
    staff, manager = choice_word("staff", code), choice_word("manager", code)

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    rows: dict[str, list[dict[str, Cell]]] = {
        "Packages": [
            _r(package_id="PHY10", name=phy10, sessions=10,
               price=4000, duration_min=50, commission_rate="40%", active=yes),
            _r(package_id="PIL8", name=pil8, sessions=8, price=3200,
               duration_min=55, active=yes),
            _r(package_id="GRP12", name=grp12, sessions=12, price=1800,
               duration_min=60, commission_rate="30%", active=yes),
            _r(package_id="PT4", name=pt4, sessions=4, price=2000,
               duration_min=60, active=yes),
        ],
        "Staff": [
            _r(staff_id="ST1", name="Elif Demir", email="elif@studio.example",
               role=staff, commission_rate="40%"),
            _r(staff_id="ST2", name="Can Yildiz", email="can@studio.example",
               role=staff, commission_rate="35%"),
            _r(staff_id="MGR", name="Zeynep Kaya", email="zeynep@studio.example",
               role=manager),
        ],
        "Clients": [
            _r(client_id="C001", name="Ayse Celik", email="ayse@client.example",
               phone="+90 532 000 0001", status=active),
            _r(client_id="C002", name="Mehmet Ozturk", email="mehmet@client.example",
               phone="+90 532 000 0002", status=active),
            _r(client_id="C003", name="Selin Arslan", email="selin@client.example",
               status=active),
            _r(client_id="C004", name="Deniz Sahin", email="deniz@client.example",
               status=active),
            _r(client_id="C005", name="Burak Koc", email="burak@client.example",
               status=active),
            _r(client_id="C006", name="Ece Aydin", email="ece@client.example",
               status=active),
        ],
        "Groups": [
            _r(group_id="G-AM", name=words.group, staff_id="ST2",
               schedule=words.schedules[2], capacity=8),
        ],
        "Enrollments": [
            _r(enrollment_id="E001", client_id="C001", package_id="PHY10", start_date=day(-24),
               staff_id="ST1", schedule=words.schedules[0], price_override=3600,
               auto_renew=yes, status=active),
            _r(enrollment_id="E002", client_id="C002", package_id="PIL8", start_date=day(-10),
               staff_id="ST2", schedule=words.schedules[1], auto_renew=yes, status=active),
            _r(enrollment_id="E003", client_id="C003", package_id="GRP12", start_date=day(-21),
               group_id="G-AM", auto_renew=yes, status=active),
            _r(enrollment_id="E004", client_id="C004", package_id="GRP12", start_date=day(-7),
               group_id="G-AM", auto_renew=yes, status=active),
            _r(enrollment_id="E005", client_id="C005", package_id="GRP12", start_date=day(0),
               group_id="G-AM", auto_renew=no, status=active),
        ],
        "Payments": [
            _r(enrollment_id="E001", amount=3600, date=day(-24), method=card),
            _r(enrollment_id="E002", amount=1600, date=day(-10), method=cash,
               note=words.first_half),
            _r(enrollment_id="E003", amount=1800, date=day(-21), method=transfer),
        ],
        "Closures": [
            _r(start_date=day(9), end_date=day(10), reason=words.closure),
        ],
    }
    return Layout(tabs=ALL_TABS, rows=rows)


def _r(**values: Cell) -> dict[str, Cell]:
    """A record without its blank cells (a blank cell takes the column's default)."""
    return {name: value for name, value in values.items() if value is not None}


def command_name() -> str:
    """`sheetsync` when that name finds this program, else the path it was started by
    (`.venv/bin/sheetsync` right after Quick start), so a hint works when copied."""
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name != "sheetsync" or not Path(started).parent.parts:
        return "sheetsync"
    on_path = shutil.which("sheetsync")
    if on_path and Path(on_path).resolve() == Path(started).resolve():
        return "sheetsync"
    return os.path.relpath(started)
