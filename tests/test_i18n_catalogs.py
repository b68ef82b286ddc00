"""The gettext catalogs: complete, up to date with the sources, and faithful to placeholders.

A message added to a template or a module without a translation in every shipped language
fails here; so does a .pot that no longer matches what `pybabel extract` finds.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from sheetsync import i18n
from tests.wheel import wheel_names

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "sheetsync" / "locale" / "sheetsync.pot"
TRANSLATED = [code for code in i18n.SUPPORTED if code != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
TAG = re.compile(r"</?\w+[^>]*>|&\w+;")


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [
        message.string]


def source_texts(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_every_supported_language_but_english_ships_a_catalog():
    assert TRANSLATED == ["tr", "de"]
    for code in TRANSLATED:
        assert i18n.catalog_path(code).is_file()


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_translation_that_is_not_fuzzy(code: str):
    template = load(POT)
    catalog = load(i18n.catalog_path(code), code)
    assert len(ids(template)) > 100
    assert ids(catalog) == ids(template), "run the catalog update: messages differ from the .pot"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{code}: fuzzy translation of {message.id!r}"
        assert all(form.strip() for form in forms(message)), f"{code}: {message.id!r} is empty"
        if message.pluralizable:
            assert len(forms(message)) == catalog.num_plurals, message.id


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_and_markup_survive_translation(code: str):
    for message in load(i18n.catalog_path(code), code):
        if not message.id:
            continue
        wanted = set().union(*map(placeholders, source_texts(message)))
        tags = Counter(TAG.findall(source_texts(message)[0]))
        for form in forms(message):
            assert placeholders(form) == wanted, f"{code}: {message.id!r} -> {form!r}"
            assert Counter(TAG.findall(form)) == tags, f"{code}: {message.id!r} -> {form!r}"


def test_the_pot_is_what_the_extractor_finds_in_the_sources_and_templates(tmp_path: Path):
    fresh = tmp_path / "fresh.pot"
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert ids(load(fresh)) == ids(load(POT)), (
        "the .pot is stale: run `pybabel extract -F babel.cfg --no-location --sort-output "
        "-o sheetsync/locale/sheetsync.pot .` and translate the new messages")


@pytest.mark.parametrize(("typed", "code"), [
    ("tr", "tr"), ("TR", "tr"), ("tr_TR", "tr"), ("tr-TR", "tr"), ("tr_TR.UTF-8", "tr"),
    ("Türkçe", "tr"), ("TÜRKÇE", "tr"), ("Turkish", "tr"), ("de", "de"), ("de_AT", "de"),
    ("Deutsch", "de"), ("German", "de"), ("en", "en"), ("en_GB", "en"), ("English", "en"),
    (" İngilizce ", "en"), ("Almanca", "de"),
])
def test_a_locale_is_read_in_the_ways_people_write_it(typed: str, code: str):
    assert i18n.normalise_locale(typed) == code


@pytest.mark.parametrize("typed", ["fr", "Français", "", "klingon", "t"])
def test_a_language_sheetsync_does_not_speak_is_one_clear_sentence(typed: str):
    with pytest.raises(ValueError, match="is not a language sheetsync speaks; use en"):
        i18n.normalise_locale(typed)


def test_translations_come_from_the_po_files_and_english_is_the_source():
    assert i18n.translations("en").gettext("Hello %(name)s,") == "Hello %(name)s,"
    assert i18n.translations("tr_TR").gettext("Hello %(name)s,") == "Merhaba %(name)s,"
    assert i18n.translations("Deutsch").ngettext("%(num)d member", "%(num)d members", 2) == (
        "%(num)d Teilnehmer")
    assert i18n.translations("tr") is i18n.translations("tr")  # compiled once per process


def test_a_fuzzy_translation_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """As msgfmt: a translation marked fuzzy waits for a translator; English shows meanwhile."""
    folder = tmp_path / "tr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "sheetsync.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Warm regards,"\nmsgstr "Sevgiler,"\n\n'
        'msgid "See you soon,"\nmsgstr "Görüşmek üzere,"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_locale_folder", lambda: tmp_path)
    i18n.translations.cache_clear()
    try:
        compiled = i18n.translations("tr")
        assert compiled.gettext("Warm regards,") == "Warm regards,"
        assert compiled.gettext("See you soon,") == "Görüşmek üzere,"
    finally:
        i18n.translations.cache_clear()


@pytest.mark.slow
def test_the_wheel_carries_the_catalogs_and_the_pot():
    names = wheel_names()
    assert "sheetsync/locale/sheetsync.pot" in names
    for code in TRANSLATED:
        assert f"sheetsync/locale/{code}/LC_MESSAGES/sheetsync.po" in names
