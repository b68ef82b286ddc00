"""The studio's language: which locales sheetsync speaks and the gettext catalogs it speaks with.

Pure apart from reading the catalogs shipped in the package. The catalogs are the `.po`
files kept in the repository (`sheetsync/locale/<lang>/LC_MESSAGES/sheetsync.po`); they are
compiled in memory the first time a locale is asked for (Babel's read_po + write_mo) and
cached for the process, so there is no compiled `.mo` to forget to rebuild: what a
translator edits is what runs.

Invariants:

- `normalise_locale` gives one of `SUPPORTED` or raises a ValueError whose message is one
  sentence a studio owner understands.
- English is the source language: `translations("en")` translates nothing, so English
  output is the msgids themselves, byte for byte.
"""

from __future__ import annotations

import importlib.resources
import io
import unicodedata
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .words import LANGUAGES

SUPPORTED = LANGUAGES  # en, tr, de: the languages words.py reads are the ones spoken
DEFAULT = "en"
DOMAIN = "sheetsync"

_NAMES = {
    "english": "en", "ingilizce": "en", "englisch": "en",
    "turkish": "tr", "turkce": "tr", "turkisch": "tr",
    "german": "de", "deutsch": "de", "almanca": "de",
}


def _plain(text: str) -> str:
    """Lower case without accents or dots (`Türkçe` -> `turkce`, `İngilizce` -> `ingilizce`)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_locale(text: str) -> str:
    """`tr`, `TR`, `tr_TR`, `tr-TR.UTF-8`, `Türkçe`, `Turkish` -> `tr`; likewise de and en.

    Raises ValueError for a language sheetsync does not speak.
    """
    plain = _plain(str(text))
    if plain in _NAMES:
        return _NAMES[plain]
    language = plain.split(".")[0].replace("-", "_").split("_")[0]
    if language in SUPPORTED:
        return language
    shown = str(text).strip() or "(empty)"
    raise ValueError(f"'{shown}' is not a language sheetsync speaks; use en (English), "
                     "tr (Türkçe) or de (Deutsch).")


def client_locale(language: str, studio_locale: str) -> str:
    """The language a client reads: its own when the Clients tab gives one, else the studio's."""
    if language:
        try:
            return normalise_locale(language)
        except ValueError:
            pass  # the row reader reports it as a problem of the Clients tab
    return normalise_locale(studio_locale)


def parse_language(value: object) -> str:
    """A Clients `language` cell: blank (the studio's locale) or a language sheetsync speaks.

    Raises cells.CellError (a problem the row reader reports) for any other language.
    """
    from .cells import CellError, text  # here, not above: cells' helpers may need this module
    from .phrases import P_

    raw = text(value)
    if not raw:
        return ""
    try:
        return normalise_locale(raw)
    except ValueError:
        raise CellError(P_("'{raw}' is not a language sheetsync speaks; use en (English), "
                           "tr (Türkçe) or de (Deutsch)", raw=raw)) from None


def N_(message: str) -> str:
    """Mark `message` for the catalog (gettext's usual name); it is translated where shown."""
    return message


def _locale_folder() -> Path:
    """`sheetsync/locale` of the installed package."""
    return Path(str(importlib.resources.files("sheetsync") / "locale"))


def catalog_path(locale: str, domain: str = DOMAIN) -> Path:
    """The `.po` file of one shipped language (`domain`: `sheetsync`, or `problems` for the
    Problems tab's sentences)."""
    return _locale_folder() / locale / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(locale: str = DEFAULT, domain: str = DOMAIN) -> NullTranslations:
    """The gettext translations of `locale` (any form `normalise_locale` accepts) in `domain`.

    English translates nothing; tr and de are compiled from their `.po` files once per process.
    """
    code = normalise_locale(locale)
    if code == DEFAULT:
        return NullTranslations()
    with catalog_path(code, domain).open("rb") as po:
        catalog = read_po(po, locale=code, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=domain)

