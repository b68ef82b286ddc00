"""How sheetsync's tabs look in a spreadsheet program, worked out once for every backend.

Pure: the number format of money cells for the studio's currency and locale (the symbol and
its place as Babel gives them for that locale: `"₺"#,##0.00` in Turkish, `#,##0.00 "€"` in
German), and the print titles' reference of a tab. The format code is a spreadsheet's
(ECMA-376 18.8.31, which Google Sheets also reads): `#,##0.00` always means grouped
thousands and two decimals, and each program shows it with the separators of the reader's
locale. No currency configured: plain `#,##0.00`, as before.

Invariants:
- the symbol stands in double quotes, so no character of it is read as a format code;
- a letter code (`CHF`, or `TRY` in English) is kept apart from the digits by a space, as
  CLDR's currency spacing asks; a sign (`₺`, `€`, `$`) is not;
- the decimals follow the currency (none for JPY), the pattern's negative part is dropped
  (a one-part format shows a minus sign before the whole, in every program).
"""

from __future__ import annotations

import unicodedata

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_currency_symbol

PLAIN_MONEY = "#,##0.00"
CURRENCY_SIGN = "¤"
NUMBER_CHARACTERS = frozenset("#0,.")


def money_format(currency: str, locale: str) -> str:
    """The number format of a money cell: the currency's symbol where `locale` puts it."""
    code = currency.strip().upper()
    if not code:
        return PLAIN_MONEY
    try:
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        symbol = get_currency_symbol(code, locale)
        decimals = get_currency_precision(code)
    except (UnknownLocaleError, ValueError, KeyError):
        return f'{PLAIN_MONEY} "{code}"'
    return _format_code(pattern.split(";")[0], symbol, decimals)


def _format_code(pattern: str, symbol: str, decimals: int) -> str:
    """A CLDR currency pattern (`¤#,##0.00`, `#,##0.00 ¤`) as a spreadsheet format code."""
    start = next((i for i, c in enumerate(pattern) if c in NUMBER_CHARACTERS), len(pattern))
    end = start
    while end < len(pattern) and pattern[end] in NUMBER_CHARACTERS:
        end += 1
    before, after = pattern[:start], pattern[end:]
    number = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if before.endswith(CURRENCY_SIGN) and _needs_space(symbol[-1:]):
        before += " "
    if after.startswith(CURRENCY_SIGN) and _needs_space(symbol[:1]):
        after = " " + after
    return _literal(before, symbol) + number + _literal(after, symbol)


def _needs_space(character: str) -> bool:
    """CLDR's currency spacing: a symbol ending (or starting) in a letter keeps off digits."""
    return bool(character) and not unicodedata.category(character).startswith("S")


def _literal(text: str, symbol: str) -> str:
    """The text around the number, the symbol quoted, no-break spaces made plain ones."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("'", "")
    return text.replace(CURRENCY_SIGN, f'"{symbol}"')


def print_titles(title: str) -> str:
    """The reference that repeats row 1 of tab `title` on every printed page."""
    return "'" + title.replace("'", "''") + "'!$1:$1"
