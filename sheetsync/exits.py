"""How a command of the command line ends: library errors become one sentence and an exit code.

cli.py decorates every command with `handled` (and `sync` with `ends_with_summary`), so no
user mistake ever shows a traceback: a `UserError` or a refused disk write exits 2 with its
sentence, an interrupt 130, anything unexpected 3 (`--verbose` shows the traceback).
The sentences are in the studio's language once sheetsync.yaml is read (cli.py keeps its
`locale` in the click context object), English before that.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any, NoReturn, TypeVar

import click

from .errors import UserError, cannot_write, disk_refused
from .i18n import DEFAULT, translations

F = TypeVar("F", bound=Callable[..., Any])
SUMMED_UP = "sheetsync sync summed up"  # click context meta: the summary line is out


class Failure(click.ClickException):
    """Exit 2 with one sentence, `Error:` said in the studio's language."""

    exit_code = 2

    def __init__(self, message: str, locale: str = DEFAULT) -> None:
        super().__init__(message)
        self.locale = locale  # known when raised: click shows it after the context is gone

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(translations(self.locale).gettext("Error: %(error)s") % {
            "error": self.format_message()}, file=file, err=True, color=self.show_color)


def _locale() -> str:
    """The studio's language once its sheetsync.yaml was read, else English."""
    context = click.get_current_context(silent=True)
    obj = context.find_root().obj if context is not None else None
    return str(obj.get("locale", DEFAULT)) if isinstance(obj, dict) else DEFAULT


def handled(func: F) -> F:
    """Turn library errors into a sentence and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as err:
            raise Failure(str(err), _locale()) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(translations(_locale()).gettext(
                "Interrupted; the workbook was not changed by the unfinished step."), err=True)
            sys.exit(130)
        except OSError as err:
            if not disk_refused(err):
                failed_unexpectedly(err)
            raise Failure(cannot_write(err, _locale()), _locale()) from None
        except Exception as err:
            failed_unexpectedly(err)

    return wrapper  # type: ignore[return-value]


def failed_unexpectedly(err: Exception) -> NoReturn:
    if click.get_current_context().obj.get("verbose"):
        traceback.print_exc()
    click.echo(translations(_locale()).gettext(
        "sheetsync failed unexpectedly: %(kind)s: %(error)s\nRun again with --verbose for "
        "details.") % {"kind": type(err).__name__, "error": err}, err=True)
    sys.exit(3)


def ends_with_summary(func: F) -> F:
    """A sync stopped by an error still ends its output with one `sync: ...` line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        meta = click.get_current_context().meta
        try:
            return func(*args, **kwargs)
        except click.ClickException as err:
            err.show()
            click.echo(translations(_locale()).gettext(
                "sync: stopped, nothing was saved (exit %(code)s)") % {"code": err.exit_code})
            sys.exit(err.exit_code)
        except SystemExit as done:
            if not meta.get(SUMMED_UP) and done.code not in (None, 0):
                click.echo(translations(_locale()).gettext("sync: stopped (exit %(code)s)")
                           % {"code": done.code})
            raise

    return wrapper  # type: ignore[return-value]
