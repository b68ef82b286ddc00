"""The studio's own words: case-folding keys and the closed vocabularies sheetsync reads.

`fold(text, locale)` is the one case-insensitive key for a word a studio typed; nothing in
the reading of words uses `str.lower()`, which breaks Turkish (`I` is the capital of `ı`,
`İ` of `i`) and German (`ß`, `ẞ` and `ss` are one spelling). Invariants:

- In Turkish `IŞIK` folds to `ışık` and `İPTAL` to `iptal`; in every other locale `I` folds
  to `i`, and `İ` does too (a Turkish name typed into a German sheet still matches).
- Accents are stripped only when a cell is matched against one of the closed word lists
  below (weekdays, months, statuses, yes/no) of Turkish or German, never for names, ids or
  other free text, and only where the stripped word still names exactly one thing:
  `Carsamba`, `tamamlandi`, `hayir`, `Marz` or `Maerz` are what a keyboard without Turkish
  or German letters gives. English word lists stay exact, as they always were.
- English words are understood in every locale. A word that means one thing in English and
  another in the locale (Turkish `Sa` is Salı, English `Sa` is Saturday) means neither: the
  studio is asked to write it out, nothing is guessed.
- `canonical_status_word` is the one word sheetsync writes back and offers in drop-downs.
- sheetsync's own values (Balances state, Notifications status, Runs mode and result) have
  one word per value per locale (`value_word`) and are read back in every shipped language
  (`value_meaning`): no word of one language means another value in any language.

Pure: the weekday and month names come from Babel's CLDR data (loaded on first use, so an
English studio never pays for it); no I/O of sheetsync's own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

T = TypeVar("T")

LANGUAGES = ("en", "tr", "de")
STATUSES = ("pending", "completed", "cancelled", "paid_cancel")


def language(locale: str) -> str:
    """`tr`, `tr_TR`, `tr-TR`, `TR` -> `tr`; a language sheetsync has no words for is an error."""
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang not in LANGUAGES:
        raise ValueError(f"sheetsync reads no words in the locale {locale!r}")
    return lang


# ---------------------------------------------------------------- folding

_TURKISH_CAPITALS = str.maketrans({"I": "ı", "İ": "i"})
_DOTTED_CAPITAL = str.maketrans({"İ": "i"})
_GERMAN_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def fold(text: str, locale: str = "en") -> str:
    """The case-insensitive key of `text` in `locale` (trimmed; inner spaces kept)."""
    composed = unicodedata.normalize("NFC", text.strip())
    capitals = _TURKISH_CAPITALS if language(locale) == "tr" else _DOTTED_CAPITAL
    return composed.translate(capitals).casefold()


def lower_in_place(text: str, locale: str = "en") -> str:
    """`text` in lower case letter for letter (same length, so a match on it can slice
    `text`): Turkish capitals as `fold` has them, `ẞ` -> `ß`; a letter whose lower case is
    longer than one letter stays as it is."""
    capitals = _TURKISH_CAPITALS if language(locale) == "tr" else _DOTTED_CAPITAL
    return "".join(c if len(low := c.lower()) != 1 else low for c in text.translate(capitals))


def strip_accents(key: str) -> str:
    """A folded key without accents: `çarşamba` -> `carsamba`, `ı` -> `i`, `märz` -> `marz`."""
    bare = unicodedata.normalize("NFD", key).replace("ı", "i")
    return "".join(c for c in bare if not unicodedata.combining(c))


def _loose_keys(key: str, lang: str) -> set[str]:
    keys = {strip_accents(key)}
    if lang == "de":
        keys.add(key.translate(_GERMAN_SPELLINGS))  # `Maerz`, `durchgefuehrt`
    return keys - {key}


# ---------------------------------------------------------------- vocabularies


@dataclass(frozen=True, slots=True)
class Vocabulary(Generic[T]):
    """A closed list of words of one locale (English's included), by folded key."""

    lang: str
    exact: Mapping[str, T]  # folded key -> meaning, the ambiguous keys left out
    loose: Mapping[str, T]
    ambiguous: frozenset[str]
    # Names typed abbreviated (`Mo.`, `Dez.`: CLDR's abbreviations end in a full stop) may
    # carry that full stop; other words never do: `done.` is no status, `yes.` no answer.
    abbreviations: bool = False

    def meaning(self, word: str) -> T | None:
        """What `word` means, or None (unknown or ambiguous: see `is_ambiguous`)."""
        found = self.exact.get(word)  # already a key (`completed`): fold would change nothing
        if found is not None:
            return found
        for key in self._keys(word):
            if key in self.ambiguous:
                return None
            if key in self.exact:
                return self.exact[key]
        for key in self._keys(word):
            loose = strip_accents(key)
            if loose in self.loose:
                return self.loose[loose]
        return None

    def is_ambiguous(self, word: str) -> bool:
        return any(key in self.ambiguous for key in self._keys(word))

    def _keys(self, word: str) -> tuple[str, ...]:
        if self.abbreviations:
            word = word.rstrip(".")
        own = fold(word, self.lang)
        if self.lang != "tr":
            return (own,)
        english = fold(word, "en")  # `FRI` typed in a Turkish sheet is still Friday
        return (own,) if own == english else (own, english)


def _vocabulary(lang: str, own: Iterable[tuple[str, T]], english: Iterable[tuple[str, T]],
                abbreviations: bool = False) -> Vocabulary[T]:
    """The locale's words, then English's; a key with two meanings is ambiguous, and a
    loose (accent-stripped) key with two meanings is not loose at all."""
    exact: dict[str, T] = {}
    ambiguous: set[str] = set()
    loose: dict[str, set[T]] = {}
    own_list = [(fold(word, lang), meaning) for word, meaning in own]
    english_list = [(fold(word, "en"), meaning) for word, meaning in english]
    for key, meaning in own_list + english_list:
        if exact.setdefault(key, meaning) != meaning:
            ambiguous.add(key)
    if lang != "en":
        for key, meaning in own_list:
            for loose_key in _loose_keys(key, lang):
                loose.setdefault(loose_key, set()).add(meaning)
    loose_meanings: dict[str, T] = {
        key: next(iter(meanings)) for key, meanings in loose.items()
        if len(meanings) == 1 and key not in exact}
    return Vocabulary(lang, {k: v for k, v in exact.items() if k not in ambiguous},
                      loose_meanings, frozenset(ambiguous), abbreviations)


# Weekdays: 0 is Monday, as in `date.weekday()` and Babel.
ENGLISH_DAYS: Mapping[str, int] = {
    "mo": 0, "mon": 0, "monday": 0,
    "tu": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "we": 2, "wed": 2, "weds": 2, "wednesday": 2,
    "th": 3, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fr": 4, "fri": 4, "friday": 4,
    "sa": 5, "sat": 5, "saturday": 5,
    "su": 6, "sun": 6, "sunday": 6,
}

# Forms studios type that CLDR does not list (its names come from Babel, below).
_TYPED_DAYS: Mapping[str, Mapping[str, int]] = {
    "tr": {"pts": 0, "pzts": 0, "çarş": 2, "çrş": 2, "perş": 3, "prş": 3, "cts": 5,
           "ctesi": 5, "cmts": 5, "pzr": 6},
    "de": {"mon": 0, "die": 1, "mit": 2, "mittw": 2, "don": 3, "donn": 3, "fre": 4,
           "sam": 5, "son": 6, "sonnabend": 5},
}


def _turkish_plural(day: str) -> str:
    """`Pazartesileri`, `Salıları`: "on Mondays" (vowel harmony of the last vowel)."""
    last_vowel = next((c for c in reversed(day) if c in "aeıioöuü"), "e")
    return day + ("ları" if last_vowel in "aıou" else "leri")


def _babel_day_names(lang: str) -> list[tuple[str, int]]:
    from babel.dates import get_day_names

    return [(name.rstrip("."), weekday)
            for width in ("wide", "abbreviated", "short")
            for context in ("format", "stand-alone")
            for weekday, name in get_day_names(width, context, lang).items()]


@cache
def weekdays(locale: str) -> Vocabulary[int]:
    """Weekday names and abbreviations of the locale, and English's (plurals: `Mondays`)."""
    lang = language(locale)
    english = [*ENGLISH_DAYS.items(), *((f"{w}s", d) for w, d in ENGLISH_DAYS.items())]
    if lang == "en":
        return _vocabulary("en", (), english, abbreviations=True)
    wide = [(name, day) for name, day in _babel_day_names(lang)[:7]]
    own = [*_babel_day_names(lang), *_TYPED_DAYS[lang].items()]
    if lang == "de":
        own += [(f"{name}s", day) for name, day in wide]  # `montags`: on Mondays
    else:
        own += [(_turkish_plural(fold(name, "tr")), day) for name, day in wide]
    return _vocabulary(lang, own, english, abbreviations=True)


def _babel_month_names(lang: str) -> list[tuple[str, int]]:
    from babel.dates import get_month_names

    return [(name.rstrip("."), month)
            for width in ("wide", "abbreviated")
            for context in ("format", "stand-alone")
            for month, name in get_month_names(width, context, lang).items()]


@cache
def months(locale: str) -> Vocabulary[int]:
    """Month names and abbreviations (1 is January) of the locale, and English's."""
    lang = language(locale)
    english = [*_babel_month_names("en"), ("sept", 9)]
    own = _babel_month_names(lang) if lang != "en" else []
    return _vocabulary(lang, own, english, abbreviations=True)


def day_name(weekday: int, locale: str = "en") -> str:
    """The wide name of a weekday (0 is Monday) in the locale: `Perşembe`, `Donnerstag`."""
    from babel.dates import get_day_names

    return str(get_day_names("wide", "format", language(locale))[weekday])


# Statuses: the first word of each is the one sheetsync writes back in that locale.
_STATUS_WORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "pending": ("pending", "planned"),
        "completed": ("completed", "complete", "done"),
        "cancelled": ("cancelled", "canceled", "cancel"),
        "paid_cancel": ("paid_cancel", "paid cancel", "paid cancelled", "paid canceled",
                        "late cancel", "late cancelled", "late canceled"),
    },
    "tr": {
        "pending": ("planlandı", "planlı", "bekliyor", "bekleniyor", "beklemede"),
        "completed": ("tamamlandı", "tamam", "yapıldı", "gerçekleşti"),
        "cancelled": ("iptal", "iptal edildi"),
        "paid_cancel": ("ücretli iptal", "ücretli iptal edildi", "geç iptal"),
    },
    "de": {
        "pending": ("geplant", "ausstehend", "offen", "anstehend"),
        "completed": ("erledigt", "abgeschlossen", "durchgeführt", "stattgefunden"),
        "cancelled": ("storniert", "abgesagt"),
        "paid_cancel": ("kostenpflichtig storniert", "kostenpflichtig abgesagt",
                        "zu spät abgesagt", "spät abgesagt"),
    },
}


def status_words(locale: str = "en") -> tuple[str, ...]:
    """The four words sheetsync writes and offers in the status drop-down, in status order
    (`pending`, `completed`, `cancelled`, `paid_cancel`)."""
    words = _STATUS_WORDS[language(locale)]
    return tuple(words[status][0] for status in STATUSES)


def canonical_status_word(status: str, locale: str = "en") -> str:
    """The word written back for a canonical status: `completed` -> `tamamlandı` in tr."""
    return _STATUS_WORDS[language(locale)][status][0]


def status_key(word: str) -> str:
    """`Paid-Cancel`, `paid_cancel`, `ücretli  iptal` all look alike once spaced alike."""
    return " ".join(word.replace("_", " ").replace("-", " ").split())


@cache
def statuses(locale: str) -> Vocabulary[str]:
    """Every status word of the locale and of English -> the canonical status."""
    lang = language(locale)

    def entries(of: str) -> list[tuple[str, str]]:
        return [(status_key(word), status)
                for status, words in _STATUS_WORDS[of].items() for word in words]
    return _vocabulary(lang, entries(lang) if lang != "en" else [], entries("en"))


_YES_NO: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("yes", "y", "true", "1", "on"), ("no", "n", "false", "0", "off")),
    "tr": (("evet", "e", "doğru", "aktif", "açık"), ("hayır", "h", "yanlış", "pasif", "kapalı")),
    "de": (("ja", "j", "wahr", "aktiv", "an"), ("nein", "n", "falsch", "inaktiv", "aus")),
}


@cache
def yes_no(locale: str) -> Vocabulary[bool]:
    """Yes and no words of the locale and of English -> True / False."""
    lang = language(locale)

    def entries(of: str) -> list[tuple[str, bool]]:
        yes, no = _YES_NO[of]
        return [(w, True) for w in yes] + [(w, False) for w in no]
    return _vocabulary(lang, entries(lang) if lang != "en" else [], entries("en"))


def yes_no_words(locale: str = "en") -> tuple[str, str]:
    """The locale's own `yes` and `no`: `evet`/`hayır`, `ja`/`nein`."""
    yes, no = _YES_NO[language(locale)]
    return yes[0], no[0]


# Number words for "every N weeks" (`iki haftada bir`, `alle zwei Wochen`).
NUMBER_WORDS: Mapping[str, Mapping[str, int]] = {
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6},
    "tr": {"bir": 1, "iki": 2, "üç": 3, "dört": 4, "beş": 5, "altı": 6},
    "de": {"eins": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
           "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3, "vierte": 4, "vierten": 4,
           "fünfte": 5, "fünften": 5, "sechste": 6, "sechsten": 6},
}


def number_word(word: str, locale: str) -> int | None:
    """`iki` -> 2, `zweiten` -> 2, `3` -> 3; None when it is no number."""
    if word.isdigit():
        return int(word)
    lang = language(locale)
    key = fold(word, lang)
    table = NUMBER_WORDS[lang]
    if key in table or lang == "en":
        return table.get(key)
    return {strip_accents(k): n for k, n in table.items()}.get(strip_accents(key))


# The other words a studio types into sheetsync's columns: a client's and an enrollment's
# status, a staff member's role, and the Closures reason that opens the studio on a public
# holiday. The first word of each is the one written and offered in drop-downs.
_CHOICE_WORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "tr": {"active": ("aktif",), "closed": ("pasif", "kapalı", "ayrıldı"),
           "ended": ("bitti", "sona erdi", "bitmiş"),
           "staff": ("personel", "eğitmen", "çalışan"), "manager": ("yönetici", "müdür"),
           "open": ("açık",)},
    "de": {"active": ("aktiv",), "closed": ("inaktiv", "geschlossen", "ausgetreten"),
           "ended": ("beendet", "abgeschlossen"),
           "staff": ("Mitarbeiter", "Mitarbeiterin", "Trainer", "Trainerin"),
           "manager": ("Leitung", "Manager", "Managerin"),
           "open": ("geöffnet", "offen")},
}


@cache
def choices(among: tuple[str, ...], locale: str) -> Vocabulary[str]:
    """The locale's words and English's for each of the English choices `among` -> that
    choice (`pasif` -> `closed` among active/closed in tr)."""
    lang = language(locale)
    own = [(word, choice) for choice in among for word in _CHOICE_WORDS.get(lang, {}).get(
        choice, ())]
    return _vocabulary(lang, own, [(choice, choice) for choice in among])


def choice_word(choice: str, locale: str = "en") -> str:
    """The word written and offered for an English choice: `closed` -> `pasif` in tr."""
    return _CHOICE_WORDS.get(language(locale), {}).get(choice, (choice,))[0]


def _open_keys() -> frozenset[str]:
    spellings = ["open", *(w for lang in _CHOICE_WORDS.values() for w in lang["open"])]
    return frozenset(strip_accents(fold(w, lang)) for w in spellings for lang in LANGUAGES)


_OPEN_KEYS = _open_keys()


def opens_the_studio(reason: str) -> bool:
    """Whether a Closures reason is the word that opens the studio (`open`, `açık`, `AÇIK`,
    `geöffnet`, `offen`), in any shipped language: the same row means the same thing
    whichever locale the studio has set."""
    return any(strip_accents(fold(reason, lang)) in _OPEN_KEYS for lang in ("en", "tr"))


# ---------------------------------------------------------------- sheetsync's own values

# The values sheetsync writes into its own tabs and reads back (Balances state, Runs mode
# and result, Notifications status). Each set lists its English values; the words of a
# locale line up with them, the first word the one written. A cell of these tabs is read in
# every shipped language, whatever the locale: the values are sheetsync's, so a workbook
# keeps its meaning when its locale changes.
BALANCE_STATES = ("active", "ended", "closed", "stopped")
NOTICE_STATUSES = ("pending", "sent", "queued", "failed", "skipped")
RUN_MODES = ("sync",)
RUN_RESULTS = ("ok", "problems", "alerts failed")
#: A Runs result lists what held, in this order, joined by `RESULT_JOIN`.
RESULT_JOIN = ", "

_VALUE_WORDS: Mapping[tuple[str, ...], Mapping[str, tuple[str, ...]]] = {
    BALANCE_STATES: {"tr": ("aktif", "tamamlandı", "kapatıldı", "durduruldu"),
                     "de": ("aktiv", "abgeschlossen", "geschlossen", "beendet")},
    NOTICE_STATUSES: {"tr": ("bekliyor", "gönderildi", "giden kutusunda", "başarısız",
                             "atlandı"),
                      "de": ("ausstehend", "gesendet", "im Postausgang", "fehlgeschlagen",
                             "übersprungen")},
    RUN_MODES: {"tr": ("eşitleme",), "de": ("Abgleich",)},
    RUN_RESULTS: {"tr": ("tamam", "sorunlar", "bildirimler başarısız"),
                  "de": ("ok", "Probleme", "Benachrichtigungen fehlgeschlagen")},
}


def value_word(value: str, among: tuple[str, ...], locale: str = "en") -> str:
    """The word written for one of sheetsync's values in `locale` (`failed` -> `başarısız`
    among NOTICE_STATUSES in tr); a Runs result of several parts word by word
    (`problems, alerts failed` -> `sorunlar, bildirimler başarısız`). English, and a value
    outside `among`, stay as they are."""
    own = _VALUE_WORDS.get(among, {}).get(language(locale))
    if own is None:
        return value
    parts = value.split(RESULT_JOIN)
    if not all(part in among for part in parts):
        return value
    return RESULT_JOIN.join(own[among.index(part)] for part in parts)


def value_words(among: tuple[str, ...], locale: str = "en") -> dict[str, str]:
    """Each value of `among` -> its word in `locale` (for Runs results, also both parts)."""
    values = [*among, RESULT_JOIN.join(among[1:])] if among == RUN_RESULTS else list(among)
    return {value: value_word(value, among, locale) for value in values}


@cache
def values(among: tuple[str, ...], locale: str) -> Vocabulary[str]:
    """The words of `locale` and English's for the values `among` -> the English value."""
    lang = language(locale)
    own = _VALUE_WORDS.get(among, {}).get(lang, ()) if lang != "en" else ()
    return _vocabulary(lang, zip(own, among, strict=False), [(v, v) for v in among])


def value_meaning(word: str, among: tuple[str, ...]) -> str | None:
    """Which of sheetsync's values `among` a cell holds, read in every shipped language and
    any case (`BAŞARISIZ`, `Fehlgeschlagen`, `failed` -> `failed`); None when none."""
    for lang in LANGUAGES:
        found = values(among, lang).meaning(word)
        if found is not None:
            return found
    return None


#: How a closure from the public holidays is named: `<prefix>: <the holidays' names>`.
_PUBLIC_HOLIDAY = {"en": "Public holiday", "tr": "Resmî tatil", "de": "Feiertag"}


def public_holiday_reason(names: str, locale: str = "en") -> str:
    """The Closures reason of a public holiday: `Resmî tatil: Cumhuriyet Bayramı` in tr."""
    return f"{_PUBLIC_HOLIDAY[language(locale)]}: {names}"


def holiday_names(reason: str) -> str:
    """The names inside a public holiday's reason, whatever its language."""
    for prefix in _PUBLIC_HOLIDAY.values():
        if reason.startswith(f"{prefix}: "):
            return reason.removeprefix(f"{prefix}: ")
    return reason
