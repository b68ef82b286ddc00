"""The Problems tab as the studio reads it: each sentence in the studio's language, each tab
and column named as the workbook titles it.

A `Problem` carries English names (`Enrollments`, `client_id`), its English sentence and the
`Phrase` to translate. `problem_words(locale, tables)` looks once at the workbook's tab titles;
its `shown(problem)` is the problem the studio reads (in the Problems tab, in `check` and its
`--json`): the sentence from the `problems` catalog, and the tab and column names (the cells
and the names inside the sentence) in the locale's titles for every tab the workbook titles in
that language (`Randevular`, `Danışan No` in a Turkish workbook). A tab still titled in English
keeps the English names sheetsync has always written, so a studio that switches an English
workbook to `locale: tr` reads Turkish sentences about the tabs and columns it sees.

Invariants: in English a problem is shown exactly as it is, byte for byte; a problem without
a phrase (one read back from the tab) keeps its sentence; showing is pure and deterministic,
so a second sync with nothing changed rewrites no Problems cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .formatting import format_numeric_day
from .i18n import translations
from .model import Problem
from .phrases import P_, Day, Phrase, Word
from .schema import ALL_TABS, ENGLISH, find_tab, known_locale, title
from .words import fold

DOMAIN = "problems"
LONGEST = 500  # characters of a sentence in a Problems cell, as cell_problem cuts English


@dataclass(frozen=True, slots=True)
class ProblemWords:
    """How problems read in one workbook: `locale`, and the tabs titled in its language."""

    locale: str = ENGLISH
    localized: frozenset[str] = field(default_factory=frozenset)  # English tab names

    def shown(self, problem: Problem) -> Problem:
        """`problem` as the studio reads it (itself in English)."""
        if self.locale == ENGLISH:
            return problem
        sentence = problem.problem
        if problem.phrase is not None:
            sentence = problem.phrase.translated(
                translations(self.locale, DOMAIN),
                lambda name: self.name(name, problem.tab))[:LONGEST]
        return replace(problem, tab=self.tab(problem.tab),
                       column=self.column(problem.column, problem.tab), problem=sentence)

    def shown_all(self, problems: Iterable[Problem]) -> list[Problem]:
        return [self.shown(p) for p in problems]

    def line(self, problem: Problem) -> str:
        """`Appointments row 7, date: '32.13.2026' is not a date ...`, as the studio reads it."""
        shown = self.shown(problem)
        where = shown.tab
        if shown.row:
            where = self.say(P_("{tab} row {row}", tab=shown.tab, row=shown.row))
        if shown.column:
            where += f", {shown.column}"
        return f"{where}: {shown.problem}"

    def say(self, phrase: Phrase) -> str:
        """A phrase of the `problems` catalog in this locale (English as it is)."""
        if self.locale == ENGLISH:
            return str(phrase)
        return phrase.translated(translations(self.locale, DOMAIN))

    def tab(self, name: str) -> str:
        return self._title(name) if name in self.localized else name

    def column(self, name: str, tab: str) -> str:
        return self._title(name) if name and tab in self.localized else name

    def name(self, word: Word, tab: str) -> str:
        """A tab or column named inside a sentence about a cell of `tab`, or a date."""
        if isinstance(word, Day):
            return format_numeric_day(word.day, self.locale)
        return self.tab(word.name) if word.tab else self.column(word.name, tab)

    def _title(self, name: str) -> str:
        return title(name, self.locale)


ENGLISH_WORDS = ProblemWords()


def problem_words(locale: str, titles: Iterable[str] | Mapping[str, object]) -> ProblemWords:
    """The words of a workbook whose tabs are `titles`, for a studio speaking `locale`.

    A tab is named in the locale when the workbook titles it so (in any case); a missing tab
    when any other is (the workbook is in that language) or when the workbook has none of
    sheetsync's tabs at all."""
    code = known_locale(locale)
    if code == ENGLISH:
        return ENGLISH_WORDS
    names = list(titles)
    found = {tab.name: find_tab(names, tab) for tab in ALL_TABS}
    localized = {name for name, found_title in found.items()
                 if found_title is not None
                 and fold(found_title, code) == fold(title(name, code), code)}
    if localized or all(found_title is None for found_title in found.values()):
        localized |= {name for name, found_title in found.items() if found_title is None}
    return ProblemWords(code, frozenset(localized))
