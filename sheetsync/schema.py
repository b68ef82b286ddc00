"""The workbook's tabs and columns: one declaration every layer reads.

A column has a canonical name (`client_id`), a kind that says how its cells are
typed on disk (text, date, time, ...), and for `init` a width. Headers typed by
a studio are matched ignoring case, spaces, `_` and `-`, so `Client ID` finds
`client_id`.

Every tab and column also has a title in each shipped language (`TITLES`): `init
--locale tr` lays a workbook out under `tab_title`/`column_title` (`localized`), and a
header or tab title in ANY shipped language (any case: `DANIŞANLAR`) is matched as its
English name, so a workbook keeps working when its `locale` changes and is never renamed.
Invariants, checked by the tests: no title of one language means another name in any
language; `header_key` of an English name is what it always was; where an English name
and a translated title both match, the English one is sheetsync's (an English workbook's
own `Termine` tab stays its own); an English layout is exactly what it always was (a tab's
`extras`, Clients' `language`, come only with a translated layout or the studio's header).

The columns of sheetsync's own words (`WORDED`: appointment status, Balances state,
Notifications status, Runs mode and result) are written in the locale's word
(`written_words`); a cell holding the English value or a word of the locale meaning it, in
any case, is kept (`keeps_word`), so a workbook is never churned when its locale changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .words import (
    BALANCE_STATES,
    LANGUAGES,
    NOTICE_STATUSES,
    RUN_MODES,
    RUN_RESULTS,
    STATUSES,
    canonical_status_word,
    choice_word,
    fold,
    status_key,
    status_words,
    statuses,
    value_word,
    value_words,
    values,
    yes_no_words,
)


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    width: int = 14
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tab:
    name: str
    columns: tuple[Column, ...]
    owned: bool  # written by sheetsync (True) or by the studio (False)
    # Columns read when the studio has them, never added to an English workbook (whose
    # layout stays what it always was); a workbook laid out in another language gets them.
    extras: tuple[Column, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def C(name: str, kind: Kind = Kind.TEXT, *, req: bool = False, width: int = 14,
      choices: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, req, width, choices)


YES_NO = ("yes", "no")
CLIENT_STATUSES = ("active", "closed")
ROLES = ("staff", "manager")
ENROLLMENT_STATUSES = ("active", "ended")
STUDIO_CHOICES = (CLIENT_STATUSES, ROLES, ENROLLMENT_STATUSES)  # read in the locale's words

PACKAGES = Tab("Packages", (
    C("package_id", req=True, width=12),
    C("name", req=True, width=36),
    C("sessions", Kind.INT, req=True, width=10),
    C("price", Kind.MONEY, req=True, width=12),
    C("duration_min", Kind.INT, width=13),
    C("commission_rate", width=16),
    C("active", width=9, choices=YES_NO),
), owned=False)

CLIENTS = Tab("Clients", (
    C("client_id", req=True, width=12),
    C("name", req=True, width=26),
    C("email", width=30),
    C("phone", width=18),
    C("status", width=10, choices=CLIENT_STATUSES),
), owned=False, extras=(
    C("language", width=10),  # the client's own language for e-mails: en, tr or de
))

STAFF = Tab("Staff", (
    C("staff_id", req=True, width=12),
    C("name", req=True, width=24),
    C("email", width=30),
    C("role", width=10, choices=ROLES),
    C("commission_rate", width=16),
), owned=False)

GROUPS = Tab("Groups", (
    C("group_id", req=True, width=12),
    C("name", req=True, width=26),
    C("staff_id", req=True, width=12),
    C("schedule", req=True, width=30),
    C("capacity", Kind.INT, width=10),
), owned=False)

ENROLLMENTS = Tab("Enrollments", (
    C("enrollment_id", req=True, width=14),
    C("client_id", req=True, width=12),
    C("package_id", req=True, width=12),
    C("start_date", Kind.DATE, req=True, width=12),
    C("staff_id", width=12),
    C("schedule", width=30),
    C("group_id", width=12),
    C("price_override", Kind.MONEY, width=15),
    C("auto_renew", width=11, choices=YES_NO),
    C("status", width=10, choices=ENROLLMENT_STATUSES),
), owned=False)

PAYMENTS = Tab("Payments", (
    C("enrollment_id", req=True, width=14),
    C("amount", Kind.MONEY, req=True, width=12),
    C("date", Kind.DATE, req=True, width=12),
    C("period", Kind.INT, width=8),
    C("method", width=12),
    C("note", width=30),
), owned=False)

CLOSURES = Tab("Closures", (
    C("start_date", Kind.DATE, req=True, width=12),
    C("end_date", Kind.DATE, width=12),
    C("staff_id", width=12),
    C("client_id", width=12),
    C("group_id", width=12),
    C("reason", width=30),
), owned=False)

APPOINTMENTS = Tab("Appointments", (
    C("appointment_id", width=16),
    C("enrollment_id", width=14),
    C("period", Kind.INT, width=8),
    C("session", Kind.INT, width=8),
    C("client_id", width=11),
    C("client_name", width=24),
    C("group_id", width=10),
    C("staff_id", width=10),
    C("date", Kind.DATE, width=12),
    C("start", Kind.TIME, width=8),
    C("end", Kind.TIME, width=8),
    C("status", width=12, choices=STATUSES),
    C("price", Kind.MONEY, width=10),
    C("commission", Kind.MONEY, width=12),
    C("note", width=30),
    # What sheetsync last planned for this row ("2026-12-07 14:00-15:00 ST1"). A row whose
    # date, times or staff differ from it was moved by hand and is never re-planned.
    C("planned", width=26),
    # What the commission was computed from ("ST1, 333.33, 40%"). The commission stays frozen
    # until the row's staff member or own price changes or the studio clears the cell.
    C("commission_basis", width=26),
), owned=True)

BALANCES = Tab("Balances", (
    C("enrollment_id", width=14),
    C("client_id", width=11),
    C("client_name", width=24),
    C("package_id", width=11),
    C("group_id", width=10),
    C("period", Kind.INT, width=8),
    C("sessions", Kind.INT, width=9),
    C("completed", Kind.INT, width=10),
    C("paid_cancel", Kind.INT, width=11),
    C("cancelled", Kind.INT, width=10),
    C("used", Kind.INT, width=7),
    C("remaining", Kind.INT, width=10),
    C("pending", Kind.INT, width=9),
    C("first_session", Kind.DATETIME, width=17),
    C("last_session", Kind.DATETIME, width=17),
    C("next_session", Kind.DATETIME, width=17),
    C("price", Kind.MONEY, width=10),
    C("paid", Kind.MONEY, width=10),
    C("due", Kind.MONEY, width=10),
    C("state", width=9),
), owned=True)

NOTIFICATIONS = Tab("Notifications", (
    C("key", width=40),
    C("created_at", Kind.DATETIME, width=17),
    C("event", width=16),
    C("enrollment_id", width=14),
    C("period", Kind.INT, width=8),
    C("role", width=9),
    C("to", width=30),
    C("subject", width=40),
    C("status", width=9, choices=NOTICE_STATUSES),
    C("attempts", Kind.INT, width=9),
    C("sent_at", Kind.DATETIME, width=17),
    C("error", width=40),
), owned=True)

COMMISSIONS = Tab("Commissions", (
    C("month", width=9),
    C("staff_id", width=10),
    C("staff_name", width=24),
    C("sessions", Kind.INT, width=10),
    C("revenue", Kind.MONEY, width=12),
    C("commission", Kind.MONEY, width=12),
), owned=True)

PROBLEMS = Tab("Problems", (
    C("tab", width=14),
    C("row", Kind.INT, width=6),
    C("column", width=16),
    C("value", width=24),
    C("problem", width=70),
), owned=True)

RUNS = Tab("Runs", (
    C("started_at", Kind.DATETIME, width=17),
    C("now", Kind.DATETIME, width=17),
    C("mode", width=9),
    C("created", Kind.INT, width=9),
    C("completed", Kind.INT, width=10),
    C("deleted", Kind.INT, width=9),
    C("renewed", Kind.INT, width=9),
    C("notified", Kind.INT, width=9),
    C("problems", Kind.INT, width=9),
    C("reads", Kind.INT, width=7),
    C("writes", Kind.INT, width=7),
    C("seconds", Kind.NUMBER, width=9),
    C("result", width=30),
), owned=True)

STUDIO_TABS = (PACKAGES, CLIENTS, STAFF, GROUPS, ENROLLMENTS, PAYMENTS, CLOSURES)
OWNED_TABS = (APPOINTMENTS, BALANCES, NOTIFICATIONS, COMMISSIONS, PROBLEMS, RUNS)
ALL_TABS = STUDIO_TABS + OWNED_TABS
TABS_BY_NAME = {t.name: t for t in ALL_TABS}

ENGLISH = "en"
LOCALES = LANGUAGES  # en, tr, de: the languages words.py reads

# The title of each tab and column in the languages other than English (the English title
# is the name itself). One title per name, whatever the tab: `status` is `Durum` in every
# Turkish tab.
TITLES: dict[str, dict[str, str]] = {
    "tr": {
        # tabs
        "Packages": "Paketler", "Clients": "Danışanlar", "Staff": "Personel",
        "Groups": "Gruplar", "Enrollments": "Kayıtlar", "Payments": "Ödemeler",
        "Closures": "Tatiller", "Appointments": "Randevular", "Balances": "Bakiyeler",
        "Notifications": "Bildirimler", "Commissions": "Komisyonlar", "Problems": "Sorunlar",
        "Runs": "Çalıştırmalar",
        # columns
        "package_id": "Paket No", "name": "Ad", "sessions": "Seans Sayısı", "price": "Fiyat",
        "duration_min": "Süre (dk)", "commission_rate": "Komisyon Oranı", "active": "Aktif",
        "client_id": "Danışan No", "email": "E-posta", "phone": "Telefon", "status": "Durum",
        "language": "Dil", "staff_id": "Personel No", "role": "Rol", "group_id": "Grup No",
        "schedule": "Program", "capacity": "Kapasite", "enrollment_id": "Kayıt No",
        "start_date": "Başlangıç Tarihi", "price_override": "Özel Fiyat",
        "auto_renew": "Otomatik Yenileme", "amount": "Tutar", "date": "Tarih",
        "period": "Dönem", "method": "Ödeme Şekli", "note": "Not", "end_date": "Bitiş Tarihi",
        "reason": "Neden", "appointment_id": "Randevu No", "session": "Seans",
        "client_name": "Danışan Adı", "start": "Başlangıç", "end": "Bitiş",
        "commission": "Komisyon", "planned": "Planlanan",
        "commission_basis": "Komisyon Dayanağı", "completed": "Tamamlanan",
        "paid_cancel": "Ücretli İptal", "cancelled": "İptal Edilen", "used": "Kullanılan",
        "remaining": "Kalan", "pending": "Bekleyen", "first_session": "İlk Seans",
        "last_session": "Son Seans", "next_session": "Sonraki Seans", "paid": "Ödenen",
        "due": "Ödenecek", "state": "Dönem Durumu", "key": "Anahtar",
        "created_at": "Oluşturulma", "event": "Olay", "to": "Alıcı", "subject": "Konu",
        "attempts": "Deneme", "sent_at": "Gönderilme", "error": "Hata", "month": "Ay",
        "staff_name": "Personel Adı", "revenue": "Gelir", "tab": "Sekme", "row": "Satır",
        "column": "Sütun", "value": "Değer", "problem": "Sorun", "started_at": "Başlama",
        "now": "Şimdi", "mode": "Mod", "created": "Oluşturulan", "deleted": "Silinen",
        "renewed": "Yenilenen", "notified": "Bildirilen", "problems": "Sorunlar",
        "reads": "Okuma", "writes": "Yazma", "seconds": "Saniye", "result": "Sonuç",
    },
    "de": {
        # tabs
        "Packages": "Pakete", "Clients": "Kunden", "Staff": "Mitarbeiter",
        "Groups": "Gruppen", "Enrollments": "Buchungen", "Payments": "Zahlungen",
        "Closures": "Schließtage", "Appointments": "Termine", "Balances": "Salden",
        "Notifications": "Benachrichtigungen", "Commissions": "Provisionen",
        "Problems": "Probleme", "Runs": "Läufe",
        # columns
        "package_id": "Paket-ID", "name": "Name", "sessions": "Sitzungen", "price": "Preis",
        "duration_min": "Dauer (Min.)", "commission_rate": "Provisionssatz",
        "active": "Aktiv", "client_id": "Kunden-ID", "email": "E-Mail", "phone": "Telefon",
        "status": "Status", "language": "Sprache", "staff_id": "Mitarbeiter-ID",
        "role": "Rolle", "group_id": "Gruppen-ID", "schedule": "Zeitplan",
        "capacity": "Kapazität", "enrollment_id": "Buchungs-ID", "start_date": "Startdatum",
        "price_override": "Sonderpreis", "auto_renew": "Automatisch verlängern",
        "amount": "Betrag", "date": "Datum", "period": "Periode", "method": "Zahlungsart",
        "note": "Notiz", "end_date": "Enddatum", "reason": "Grund",
        "appointment_id": "Termin-ID", "session": "Sitzung", "client_name": "Kundenname",
        "start": "Beginn", "end": "Ende", "commission": "Provision", "planned": "Geplant",
        "commission_basis": "Provisionsbasis", "completed": "Abgeschlossen",
        "paid_cancel": "Kostenpflichtig abgesagt", "cancelled": "Abgesagt",
        "used": "Genutzt", "remaining": "Verbleibend", "pending": "Ausstehend",
        "first_session": "Erste Sitzung", "last_session": "Letzte Sitzung",
        "next_session": "Nächste Sitzung", "paid": "Bezahlt", "due": "Offen",
        "state": "Zustand", "key": "Schlüssel", "created_at": "Erstellt am",
        "event": "Ereignis", "to": "Empfänger", "subject": "Betreff", "attempts": "Versuche",
        "sent_at": "Gesendet am", "error": "Fehler", "month": "Monat",
        "staff_name": "Mitarbeitername", "revenue": "Umsatz", "tab": "Blatt", "row": "Zeile",
        "column": "Spalte", "value": "Wert", "problem": "Problem",
        "started_at": "Gestartet am", "now": "Jetzt", "mode": "Modus",
        "created": "Erstellt", "deleted": "Gelöscht", "renewed": "Verlängert",
        "notified": "Benachrichtigt", "problems": "Probleme", "reads": "Lesezugriffe",
        "writes": "Schreibzugriffe", "seconds": "Sekunden", "result": "Ergebnis",
    },
}

_HEADER_NOISE = re.compile(r"[\s_\-]+")


def _folded(header: object) -> str:
    """The header without noise, case-folded (words.fold: `ẞ` is `ss`) with Turkish dotted
    and dotless i as one plain i, so `DANIŞANLAR`, `Danışanlar` and `danışanlar` give one
    key whatever the workbook's language: a key to match headers, never a word to show."""
    return fold(_HEADER_NOISE.sub("", str(header or "")), ENGLISH).replace("ı", "i")


def _english_keys() -> dict[str, str]:
    """The key of each title in every language -> the key of its English name."""
    out: dict[str, str] = {}
    for titles in TITLES.values():
        for name, title in titles.items():
            out[_folded(title)] = _folded(name)
    return out


_ENGLISH_KEY = _english_keys()


def header_key(header: object) -> str:
    """`Client ID`, `client_id`, `client-id`, `Danışan No` and `KUNDEN-ID` all give
    `clientid`: a title in any shipped language gives the key of its English name."""
    key = _folded(header)
    return _ENGLISH_KEY.get(key, key)


def is_translation(header: object) -> bool:
    """True for a title in another language than English (`Danışan No`, `Kunden`); a word
    both languages spell alike (`Status`, `Name`) is English."""
    key = _folded(header)
    return _ENGLISH_KEY.get(key, key) != key


def find_tab(names: list[str], tab: Tab) -> str | None:
    """The workbook's own spelling of `tab`'s name, matched like headers (any language).
    Its English name comes first: an English workbook's own tab called `Termine` or
    `Kunden` stays the studio's, whatever its place."""
    wanted = header_key(tab.name)
    found = [name for name in names if header_key(name) == wanted]
    return min(found, key=is_translation, default=None)


def known_locale(locale: str) -> str:
    """`locale` when sheetsync ships it, else English."""
    return locale if locale in LOCALES else ENGLISH


def title(name: str, locale: str) -> str:
    """The title in `locale` of the tab or column whose English name is `name` (itself in
    English, and for a name sheetsync does not title)."""
    return TITLES.get(locale, {}).get(name, name)


def tab_title(tab: Tab, locale: str) -> str:
    """The tab's title in `locale` (`Randevular` for Appointments in Turkish)."""
    return title(tab.name, locale)


def column_title(column: Column, locale: str) -> str:
    """The column's header in `locale` (`Danışan No` for client_id in Turkish)."""
    return title(column.name, locale)


def choice_words(column: Column, locale: str) -> tuple[str, ...]:
    """The drop-down of `column` in `locale`: yes/no, appointment statuses, a client's or an
    enrollment's status, a staff member's role and the Notifications statuses in the
    locale's words (which read.py reads)."""
    if column.choices == YES_NO:
        return yes_no_words(known_locale(locale))
    if column.choices == STATUSES:
        return status_words(known_locale(locale))
    if column.choices in STUDIO_CHOICES:
        return tuple(choice_word(choice, known_locale(locale)) for choice in column.choices)
    if column.choices == NOTICE_STATUSES:
        return tuple(value_word(status, NOTICE_STATUSES, known_locale(locale))
                     for status in NOTICE_STATUSES)
    return column.choices


# The columns of sheetsync's own tabs whose values are its own words (by tab and column
# name): written in the studio's locale, read back in every shipped language.
WORDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("Appointments", "status"): STATUSES,
    ("Balances", "state"): BALANCE_STATES,
    ("Notifications", "status"): NOTICE_STATUSES,
    ("Runs", "mode"): RUN_MODES,
    ("Runs", "result"): RUN_RESULTS,
}


def worded(tab: Tab, column: Column) -> tuple[str, ...] | None:
    """The values `column` of `tab` holds when they are sheetsync's own words, else None."""
    return WORDED.get((tab.name, column.name))


def written_words(among: tuple[str, ...], locale: str) -> dict[str, str]:
    """Each value of `among` -> the word sheetsync writes for it in `locale`."""
    if among == STATUSES:
        return {status: status_word(status, locale) for status in STATUSES}
    return value_words(among, known_locale(locale))


def keeps_word(held: str, value: str, among: tuple[str, ...], locale: str) -> bool:
    """`keeps_status_word` for any of sheetsync's words: a cell holding `held` stays as it
    is for `value` when it is the English value exactly, or a word of `locale` that reads
    as `value` in any case (`AKTİF`, `Fehlgeschlagen`)."""
    if among == STATUSES:
        return keeps_status_word(held, value, locale)
    if held == value:
        return True
    if known_locale(locale) == ENGLISH:
        return False
    return (values(among, ENGLISH).meaning(held) is None
            and values(among, locale).meaning(held) == value)


def status_word(status: str, locale: str) -> str:
    """The word sheetsync writes for an appointment status in `locale` (words.py's)."""
    return canonical_status_word(status, known_locale(locale))


def keeps_status_word(held: str, status: str, locale: str) -> bool:
    """True when a status cell holding `held` may stay as it is for `status`: it is the
    status's English word exactly (English has always written its other spellings back in
    the one word, so `Canceled` still becomes `cancelled`), or a word of `locale` that
    reads as that status, in any case (`İPTAL`, `iptal edildi`, `Abgesagt`): sheetsync
    never rewrites a word of the studio's own language, only a status it changes itself is
    written in the locale's word."""
    if held == status:
        return True
    if known_locale(locale) == ENGLISH:
        return False
    key = status_key(held)
    return (statuses(ENGLISH).meaning(key) is None
            and statuses(locale).meaning(key) == status)


def localized(tab: Tab, locale: str) -> Tab:
    """`tab` as `init` lays it out in `locale`: its title, headers and drop-downs in that
    language. Its names are titles, which `header_key` matches as the English names."""
    if known_locale(locale) == ENGLISH:
        return tab
    columns = tuple(Column(column_title(c, locale), c.kind, c.required,
                           max(c.width, len(column_title(c, locale)) + 2),
                           choice_words(c, locale)) for c in tab.columns + tab.extras)
    return Tab(tab_title(tab, locale), columns, tab.owned)
