"""Sentences a studio reads in the Problems tab, kept as a message id and its parameters.

A `Phrase` is a gettext message id (an English sentence with `{name}` placeholders, marked
for the `problems` catalog with `P_`) and its named parameters. `str(phrase)` is the English
sentence, byte for byte as sheetsync has always written it; `phrase.translated(translations,
name)` is the same sentence in the studio's language: the message translated, parameters
that are phrases themselves translated too (`{first} or {last}`, a kind of record), and
parameters naming a tab or a column (`Name`) shown as `name` says (the titles the workbook
shows), dates (`Day`) as the locale writes them. A value the studio typed is shown as typed.

Pure: no I/O, no sheetsync imports. Invariants: rendering never raises (a translation whose
placeholders do not match its message id falls back to the English sentence), and a phrase
without parameters is never passed through str.format (a typed `{` stays as it is).

The catalog is extracted on its own (`-k P_ --no-default-keywords`, see babel-problems.cfg),
into the `problems` domain, apart from the e-mails' `sheetsync` domain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

SENTENCE_LIMIT = 300  # a cell's sentence is cut here before its full stop (as ever)


class Gettext(Protocol):
    def gettext(self, message: str, /) -> str: ...


@dataclass(frozen=True, slots=True)
class Name:
    """A tab's or column's English name inside a sentence, shown as the workbook titles it."""

    name: str
    tab: bool = False  # a tab's name, else a column's

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Day:
    """A date inside a sentence: ISO in English (as ever), as the locale writes it elsewhere."""

    day: date

    def __str__(self) -> str:
        return str(self.day)


Word = Name | Day  # a parameter the reader's language shows its own way


def english_name(word: Word) -> str:
    return str(word)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message id and its named parameters (str, numbers, `Name`s, other phrases)."""

    message: str
    params: tuple[tuple[str, object], ...] = ()
    full_stop: bool = False  # cut at SENTENCE_LIMIT, then end with "." unless it asks "?"

    def __str__(self) -> str:
        return self.render(_untranslated, english_name)

    def translated(self, translations: Gettext,
                   name: Callable[[Word], str] = english_name) -> str:
        """The sentence in `translations`' language, tab and column names as `name` shows them."""
        return self.render(translations.gettext, name)

    def render(self, gettext: Callable[[str], str], name: Callable[[Word], str]) -> str:
        text = gettext(self.message)
        if self.params:
            values = {key: _shown(value, gettext, name) for key, value in self.params}
            try:
                text = text.format(**values)
            except (KeyError, IndexError, ValueError):
                text = self.message.format(**values)
        if self.full_stop:
            text = text[:SENTENCE_LIMIT]
            text = text if text.endswith("?") else text + "."
        return text

    # (new phrases are made with the constructor, not dataclasses.replace: a workbook of
    # junk makes thousands, and replace costs several times more)
    def with_params(self, **more: object) -> Phrase:
        return Phrase(self.message, (*self.params, *more.items()), self.full_stop)

    def ending(self) -> Phrase:
        """This phrase as a whole sentence: cut at SENTENCE_LIMIT, ending with a full stop."""
        return Phrase(self.message, self.params, True)

    def replacing(self, old: str, new: str) -> Phrase:
        """`old` replaced by `new` inside every text parameter (a pasted novel shortened)."""
        return Phrase(self.message, tuple((key, _replaced(value, old, new))
                                          for key, value in self.params), self.full_stop)


def P_(message: str, /, **params: object) -> Phrase:
    """A sentence of the `problems` catalog and its parameters (extracted with `-k P_`)."""
    return Phrase(message, tuple(params.items()))


def one_of(choices: Sequence[str]) -> Phrase:
    """`pending, completed, cancelled or paid_cancel`: the words a cell may hold, as a phrase
    (at least two)."""
    *first, last = choices
    return P_("{first} or {last}", first=", ".join(first), last=last)


def _untranslated(message: str) -> str:
    return message


def _shown(value: object, gettext: Callable[[str], str], name: Callable[[Word], str]) -> object:
    if isinstance(value, Phrase):
        return value.render(gettext, name)
    if isinstance(value, Name | Day):
        return name(value)
    return value


def _replaced(value: object, old: str, new: str) -> object:
    if isinstance(value, str):
        if len(value) < len(old):
            return value
        return new if value == old else value.replace(old, new)
    if isinstance(value, Phrase):
        return value.replacing(old, new)
    return value
