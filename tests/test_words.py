"""words.py: case-folding keys right for Turkish and German, and the closed word lists.

Turkish has two i's (`ı`/`I` and `i`/`İ`), German writes `ß`, `ẞ` and `ss` for one sound;
`str.lower()` gets both wrong. These tests pin the edge cases a studio meets.
"""

from __future__ import annotations

import pytest

from sheetsync import words


@pytest.mark.parametrize(("typed", "key"), [
    ("İPTAL", "iptal"), ("iptal", "iptal"), ("IŞIK", "ışık"), ("ışık", "ışık"),
    ("İstanbul", "istanbul"), ("ISTANBUL", "ıstanbul"), ("  Çarşamba ", "çarşamba"),
])
def test_turkish_folds_dotted_and_dotless_i_apart(typed: str, key: str) -> None:
    assert words.fold(typed, "tr") == key


def test_str_lower_would_have_broken_the_turkish_keys() -> None:
    assert "İPTAL".lower() != "iptal" and "IŞIK".lower() != "ışık"  # why fold exists
    assert words.fold("İPTAL", "tr") == words.fold("iptal", "tr")
    assert words.fold("IŞIK", "tr") == words.fold("ışık", "tr")


@pytest.mark.parametrize("locale", ["en", "de"])
def test_outside_turkish_dotted_capital_i_still_matches_i(locale: str) -> None:
    assert words.fold("İPTAL", locale) == "iptal"
    assert words.fold("IPTAL", locale) == "iptal"
    assert words.fold("IŞIK", locale) == "işik"


@pytest.mark.parametrize("typed", ["STRASSE", "straße", "STRAẞE", "Strasse"])
def test_german_sharp_s_folds_to_ss(typed: str) -> None:
    assert words.fold(typed, "de") == "strasse"


def test_a_decomposed_letter_folds_like_the_composed_one() -> None:
    assert words.fold("C\u0327ars\u0327amba", "tr") == words.fold("Çarşamba", "tr")


def test_lower_in_place_keeps_every_letter_where_it_was() -> None:
    for text, locale in (("İKİ HAFTADA BİR", "tr"), ("STRAẞE", "de"), ("IŞIK", "tr")):
        lowered = words.lower_in_place(text, locale)
        assert len(lowered) == len(text)
    assert words.lower_in_place("İKİ HAFTADA BİR", "tr") == "iki haftada bir"
    assert words.lower_in_place("IŞIK", "tr") == "ışık"


def test_locales_are_read_by_their_language() -> None:
    assert words.language("tr_TR") == words.language("TR") == "tr"
    assert words.language("de-DE") == "de"
    with pytest.raises(ValueError):
        words.language("fr")


@pytest.mark.parametrize(("locale", "typed", "weekday"), [
    ("tr", "Pzt", 0), ("tr", "Sal", 1), ("tr", "Çar", 2), ("tr", "Per", 3), ("tr", "Cum", 4),
    ("tr", "Cmt", 5), ("tr", "Paz", 6), ("tr", "Pazartesi", 0), ("tr", "SALI", 1),
    ("tr", "Sali", 1), ("tr", "Cars", 2), ("tr", "Carsamba", 2), ("tr", "Persembe", 3),
    ("tr", "Cuma", 4), ("tr", "Cumartesi", 5), ("tr", "Pazar", 6), ("tr", "Pazartesileri", 0),
    ("tr", "Salıları", 1), ("tr", "FRI", 4), ("tr", "thursday", 3),
    ("de", "Mo", 0), ("de", "Di", 1), ("de", "Mi", 2), ("de", "Do", 3), ("de", "Fr", 4),
    ("de", "Sa", 5), ("de", "So", 6), ("de", "Mo.", 0), ("de", "Montag", 0),
    ("de", "Mittwoch", 2), ("de", "DONNERSTAG", 3), ("de", "montags", 0), ("de", "Sun", 6),
])
def test_weekday_names_of_each_locale_and_of_english(locale: str, typed: str,
                                                      weekday: int) -> None:
    assert words.weekdays(locale).meaning(typed) == weekday


def test_every_cldr_day_name_of_the_locale_is_understood() -> None:
    from babel.dates import get_day_names

    for locale in ("tr", "de", "en"):
        for width in ("wide", "abbreviated", "short"):
            for context in ("format", "stand-alone"):
                for weekday, name in get_day_names(width, context, locale).items():
                    if locale == "tr" and name == "Sa":
                        continue  # ambiguous with English's Saturday: see the next test
                    assert words.weekdays(locale).meaning(name) == weekday, (locale, name)


def test_a_word_that_is_a_different_day_in_english_is_no_day_at_all() -> None:
    turkish = words.weekdays("tr")
    assert turkish.meaning("Sa") is None and turkish.is_ambiguous("Sa")
    assert words.weekdays("de").meaning("Sa") == 5  # Samstag and Saturday agree
    assert words.weekdays("en").meaning("Sa") == 5


def test_english_reads_its_days_exactly_as_before() -> None:
    english = words.weekdays("en")
    assert english.meaning("Mönday") is None  # no accent leniency in English
    assert english.meaning("Pzt") is None and english.meaning("Montag") is None
    assert english.meaning("Thurs") == 3 and english.meaning("Mondays") == 0


@pytest.mark.parametrize(("locale", "typed", "month"), [
    ("tr", "Aralık", 12), ("tr", "ARALIK", 12), ("tr", "aralik", 12), ("tr", "Şubat", 2),
    ("tr", "Subat", 2), ("tr", "Ara", 12), ("tr", "December", 12),
    ("de", "Dezember", 12), ("de", "Dez.", 12), ("de", "März", 3), ("de", "Marz", 3),
    ("de", "Maerz", 3), ("de", "MÄRZ", 3), ("de", "Sept.", 9), ("de", "May", 5),
])
def test_month_names(locale: str, typed: str, month: int) -> None:
    assert words.months(locale).meaning(typed) == month


@pytest.mark.parametrize(("locale", "typed", "status"), [
    ("tr", "tamamlandı", "completed"), ("tr", "TAMAMLANDI", "completed"),
    ("tr", "tamamlandi", "completed"), ("tr", "İPTAL", "cancelled"), ("tr", "iptal", "cancelled"),
    ("tr", "IPTAL", "cancelled"), ("tr", "ücretli iptal", "paid_cancel"),
    ("tr", "ucretli iptal", "paid_cancel"), ("tr", "ÜCRETLİ İPTAL", "paid_cancel"),
    ("tr", "bekliyor", "pending"), ("tr", "planlandı", "pending"), ("tr", "completed", "completed"),
    ("de", "erledigt", "completed"), ("de", "abgeschlossen", "completed"),
    ("de", "storniert", "cancelled"), ("de", "abgesagt", "cancelled"),
    ("de", "kostenpflichtig storniert", "paid_cancel"), ("de", "ausstehend", "pending"),
    ("de", "geplant", "pending"), ("de", "durchgefuehrt", "completed"),
    ("de", "late cancel", "paid_cancel"),
])
def test_status_words(locale: str, typed: str, status: str) -> None:
    assert words.statuses(locale).meaning(words.status_key(typed)) == status


def test_the_one_status_word_written_back_per_locale() -> None:
    assert words.status_words("en") == ("pending", "completed", "cancelled", "paid_cancel")
    assert words.status_words("tr") == ("planlandı", "tamamlandı", "iptal", "ücretli iptal")
    assert words.status_words("de") == ("geplant", "erledigt", "storniert",
                                        "kostenpflichtig storniert")
    for locale in ("en", "tr", "de"):
        for status, word in zip(words.STATUSES, words.status_words(locale), strict=True):
            assert words.canonical_status_word(status, locale) == word
            # what sheetsync writes reads back as the same status
            assert words.statuses(locale).meaning(words.status_key(word)) == status


def test_a_status_word_of_another_locale_is_not_read() -> None:
    assert words.statuses("de").meaning("iptal") is None
    assert words.statuses("en").meaning("tamamlandı") is None


@pytest.mark.parametrize(("locale", "typed", "meaning"), [
    ("tr", "evet", True), ("tr", "EVET", True), ("tr", "hayır", False), ("tr", "HAYIR", False),
    ("tr", "hayir", False), ("tr", "yes", True), ("tr", "0", False),
    ("de", "ja", True), ("de", "Nein", False), ("de", "no", False), ("de", "true", True),
])
def test_yes_and_no(locale: str, typed: str, meaning: bool) -> None:
    assert words.yes_no(locale).meaning(typed) is meaning


@pytest.mark.parametrize("locale", ["en", "tr", "de"])
def test_only_day_and_month_names_may_end_in_the_full_stop_of_an_abbreviation(locale: str,
                                                                             ) -> None:
    assert words.weekdays(locale).meaning("Mon.") == 0
    assert words.months(locale).meaning("Sept.") == 9
    for word in ("yes.", "no.", "1."):
        assert words.yes_no(locale).meaning(word) is None, word
    for word in ("completed.", "Cancelled.", "iptal.", "storniert."):
        assert words.statuses(locale).meaning(words.status_key(word)) is None, word


def test_accents_are_stripped_only_where_the_word_stays_one_word() -> None:
    turkish = words.weekdays("tr")
    # every loose key names one day, and none shadows an exact word
    assert all(key not in turkish.exact for key in turkish.loose)
    assert words.yes_no("en").loose == {} and words.statuses("en").loose == {}
