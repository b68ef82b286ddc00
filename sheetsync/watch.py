"""`sheetsync watch`: one long-running process that syncs a workbook on an interval and, for
a local .xlsx, within seconds after the studio saves and closes it.

The CLI hands in `run_sync` (one `sheetsync sync`, exactly as the command runs it) and `log`;
this module decides when to call it. A folder observer (watchdog, its own thread) only notes
that the workbook or its lock file changed; every run happens on the main thread.

Invariants:
- never two syncs at once: runs follow one another on the main thread;
- never while the workbook is open: a live lock file (stores/lockfiles.py) postpones a run
  until the lock is gone; a stale one lets the run go on to be refused with its remedy;
- sheetsync's own write starts no run: a change counts only when the workbook differs (inode,
  mtime, size) from the file the last successful run left, so the temporary file renamed
  over the workbook is seen as ours;
- a burst of events (one save writes several) makes one run: a run waits until the folder
  has been quiet for SETTLE seconds;
- a run that fails (exit 2 or 3) is retried after RETRY, then twice as long each time, never
  longer than the interval; meanwhile saves wait for that retry;
- SIGTERM or SIGINT stops the process: between runs at once; during a run that has not yet
  sent an alert or started its write it abandons the run (the workbook is replaced
  atomically, so nothing was written); once it has, the run finishes first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .durations import describe_duration, parse_duration
from .errors import UserError
from .i18n import DEFAULT, N_, translations
from .stores import is_google
from .stores.base import Layout, Store, Table, WorkbookChanges
from .stores.lockfiles import find_lock, is_lock_name

SETTLE = 2.0  # seconds of quiet after the last event before a save counts as done
RETRY = 60.0  # seconds before the first retry of a failed run
NAP = 0.5  # longest sleep between two looks at the schedule (how soon a stop is noticed)
MINIMUM_INTERVAL = 1.0
OUTCOMES = {0: N_("ok"), 1: N_("problems"), 2: N_("refused"), 3: N_("failed"),
            4: N_("alerts failed")}
#: Why a run starts, as the log says it (translated, as OUTCOMES, where it is logged).
REASONS = (N_("start"), N_("interval"), N_("retry"), N_("closed"), N_("saved"))


class Abandoned(BaseException):
    """A stop arrived before the run reached its point of no return.

    A BaseException, as KeyboardInterrupt is: no `except Exception` of a sync swallows it.
    """


@dataclass(frozen=True, slots=True)
class Outcome:
    code: int  # the exit code of `sheetsync sync`
    output: str  # everything it printed; its last line sums the run up


Fingerprint = tuple[int, int, int]


def parse_interval(text: str, locale: str = DEFAULT) -> float:
    """Seconds in `30s`, `15m`, `1h`, `1d` (also `1h30m`)."""
    _ = translations(locale).gettext
    seconds = parse_duration(text, example=_("30s, 15m or 1h"), locale=locale).total_seconds()
    if seconds < MINIMUM_INTERVAL:
        raise UserError(_("--every %(text)s is too short; sync at most once a second.")
                        % {"text": text})
    return seconds


def describe_interval(seconds: float, locale: str = DEFAULT) -> str:
    return describe_duration(timedelta(seconds=seconds), locale)


def backoff(failures: int, interval: float) -> float:
    """How long to wait after `failures` failed runs in a row."""
    return min(interval, RETRY * 2 ** max(failures - 1, 0))


def summary(outcome: Outcome, locale: str = DEFAULT) -> str:
    """One line: the run's summary line, after the reason when it failed."""
    lines = [line.strip() for line in outcome.output.splitlines() if line.strip()]
    if not lines:
        return translations(locale).gettext("(no output, exit %(code)s)") % {
            "code": outcome.code}
    if outcome.code in (2, 3):
        return " ".join(lines[-2:])  # the error, and the summary line
    return lines[-1]


def sync_arguments(options: dict[str, Any], workbook: str, rewrite: bool) -> list[str]:
    """`sheetsync [OPTIONS] sync WORKBOOK`: the options given before `watch` (progress is never
    shown), for each of its syncs."""
    given = ["--config", options["config_path"]] if options.get("config_path") else []
    return [*given, *(["--verbose"] if options.get("verbose") else []), "--quiet", "sync",
            workbook, *(["--rewrite"] * rewrite)]


def run_in_process(command: click.Command, arguments: list[str]) -> Outcome:
    """`command ARGUMENTS` run here, its output kept: the exit code and what it printed."""
    printed = StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            returned = command.main(args=arguments, prog_name="sheetsync",
                                    standalone_mode=False)
            code = returned if isinstance(returned, int) else 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 3)
        except click.ClickException as err:
            err.show()
            code = err.exit_code
        except click.Abort:
            code = 3
    return Outcome(code, printed.getvalue())


def serve(command: click.Command, options: dict[str, Any], workbook: str, every_text: str,
          rewrite: bool, echo: Callable[[str], None], clock: Callable[[], datetime]) -> None:
    """`sheetsync watch`: run `command`'s sync of `workbook` in this process until stopped,
    logging one line per run with `clock`'s time (the full output too with --verbose)."""
    locale = str(options.get("locale", DEFAULT))
    _ = translations(locale).gettext
    every = parse_interval(every_text, locale)
    local = None if is_google(workbook) else Path(workbook)
    arguments = sync_arguments(options, workbook, rewrite)

    def run_sync() -> Outcome:
        outcome = run_in_process(command, arguments)
        if options.get("verbose"):
            echo(outcome.output.rstrip())
        return outcome

    def log(line: str) -> None:
        echo(f"{clock():%Y-%m-%d %H:%M:%S} {line}")

    said_every = {"workbook": workbook, "every": describe_interval(every, locale)}
    log(_("watching %(workbook)s: a sync every %(every)s, and after each save once it is "
          "closed.") % said_every if local else
        _("watching %(workbook)s: a sync every %(every)s.") % said_every)
    Watcher(workbook, local, every, run_sync, log, locale=locale).serve()


def fingerprint(path: Path) -> Fingerprint | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


# -- the point of no return -------------------------------------------------------------------
_running: Watcher | None = None  # the watcher whose run is in progress in this process


def guarded(store: Store) -> Store:
    """The store a sync uses; inside `watch` it tells the watcher when writing begins."""
    return store if _running is None else GuardedStore(store, _running.commit)


class GuardedStore:
    """A store whose first step towards sending or writing marks the run's point of no return."""

    def __init__(self, store: Store, commit: Callable[[], None]) -> None:
        self._store = store
        self._commit = commit

    @property
    def label(self) -> str:
        return self._store.label

    @label.setter
    def label(self, value: str) -> None:
        self._store.label = value

    @property
    def reads(self) -> int:
        return self._store.reads

    @reads.setter
    def reads(self, value: int) -> None:
        self._store.reads = value

    @property
    def writes(self) -> int:
        return self._store.writes

    @writes.setter
    def writes(self, value: int) -> None:
        self._store.writes = value

    def read(self) -> dict[str, Table]:
        return self._store.read()

    def lock(self) -> AbstractContextManager[None]:
        return self._store.lock()

    def check_writable(self) -> None:
        self._commit()
        self._store.check_writable()

    def claim(self) -> None:
        self._commit()
        self._store.claim()

    def write(self, changes: WorkbookChanges) -> None:
        self._commit()
        self._store.write(changes)

    def lay_out(self, layout: Layout) -> list[str]:
        self._commit()
        return self._store.lay_out(layout)

    def __getattr__(self, name: str) -> Any:  # the rest of the store: requests_for, warnings
        return getattr(self._store, name)


# -- the watcher ------------------------------------------------------------------------------
class Watcher:
    def __init__(self, workbook: str, local: Path | None, every: float,
                 run_sync: Callable[[], Outcome], log: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic, locale: str = DEFAULT) -> None:
        self.workbook = workbook
        self.locale = locale  # the language of the log lines
        self.local = local  # the .xlsx file, or None for a Google Sheet (interval only)
        self.every = every
        self.run_sync = run_sync
        self.log = log
        self.clock = clock
        self.stopping = False
        self.in_run = False
        self.committed = False
        self.due_at = clock()
        self.due_reason = "start"
        self.changed_at: float | None = None  # last event of the workbook or its lock file
        self._events = threading.Lock()  # changed_at is set by the observer's thread
        self.owed = False  # a run was put off while the workbook was open
        self.told_open = False
        self.failures = 0
        self.synced: Fingerprint | None = None  # the workbook as the last good run left it

    def _(self, message: str) -> str:
        """`message` (a log sentence, a reason of OUTCOMES or REASONS) in the log's language."""
        return translations(self.locale).gettext(message)

    def changed(self) -> None:
        """The workbook or its lock file changed (called by the observer's thread)."""
        with self._events:
            self.changed_at = self.clock()

    def commit(self) -> None:
        self.committed = True

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        if self.in_run and not self.committed:
            self.in_run = False
            raise Abandoned

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            with self._observed():
                self._loop()
            self.log(self._("stopped."))
        except Abandoned:
            self.log(self._("stopped; the sync in progress was abandoned before it wrote "
                            "anything."))
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _loop(self) -> None:
        while not self.stopping:
            reason = self._next_run(self.clock())
            if reason is None:
                time.sleep(self._nap(self.clock()))
                continue
            lock = find_lock(self.local) if self.local is not None else None
            if lock is not None and not lock.stale:
                self._put_off(reason, lock.program)
                continue
            self._run(reason)

    def _next_run(self, now: float) -> str | None:
        if now >= self.due_at:
            return self.due_reason
        with self._events:
            if self.failures or self.changed_at is None or now - self.changed_at < SETTLE:
                return None
            self.changed_at = None
        if self.owed:
            return "closed"
        if self.local is not None and fingerprint(self.local) != self.synced:
            return "saved"
        return None

    def _nap(self, now: float) -> float:
        deadlines = [self.due_at]
        if self.changed_at is not None and not self.failures:
            deadlines.append(self.changed_at + SETTLE)
        return max(0.05, min(NAP, min(deadlines) - now))

    def _put_off(self, reason: str, program: str) -> None:
        """The workbook is open: sync right after it is closed (its lock file goes)."""
        self.owed = True
        if reason in ("start", "interval", "retry"):
            self.due_at = self.clock() + self.every
            self.due_reason = "interval"
        if not self.told_open:
            self.told_open = True
            self.log(self._("waiting: %(workbook)s is open in %(program)s; sheetsync syncs it "
                            "right after it is closed.") % {
                                "workbook": Path(self.workbook).name, "program": program})

    def _run(self, reason: str) -> None:
        global _running
        started = self.clock()
        self.committed = False
        try:
            _running = self
            self.in_run = True
            outcome = self.run_sync()
        finally:
            self.in_run = False
            _running = None
        self.owed = self.told_open = False
        if outcome.code in (2, 3):
            self.failures += 1
            wait = backoff(self.failures, self.every)
            self.due_at, self.due_reason = self.clock() + wait, "retry"
            retry = self._("; next try in %(wait)s") % {
                "wait": describe_interval(wait, self.locale)}
        else:
            self.failures = 0
            self.synced = fingerprint(self.local) if self.local is not None else None
            self.due_at, self.due_reason = started + self.every, "interval"
            retry = ""
        result = self._(OUTCOMES.get(outcome.code, "failed"))
        self.log(f"{self._(reason)}: {result}: {summary(outcome, self.locale)}{retry}")

    def _observed(self) -> AbstractContextManager[None]:
        if self.local is None:
            return contextlib.nullcontext()
        return _observing(self.local, self.changed, self.locale)


def _observing(workbook: Path, changed: Callable[[], None],
               locale: str = DEFAULT) -> AbstractContextManager[None]:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    folder = workbook.parent if str(workbook.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(translations(locale).gettext(
            "There is no folder %(folder)s to watch for %(workbook)s.") % {
                "folder": folder, "workbook": workbook.name})
    quiet = {"opened", "closed_no_write"}  # reading the workbook (our own runs do) is no change

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in quiet or event.is_directory:
                return
            names = {os.path.basename(os.fsdecode(p)) for p in (event.src_path, event.dest_path)}
            if workbook.name in names or any(is_lock_name(n, workbook.name) for n in names):
                changed()

    @contextlib.contextmanager
    def observing() -> Iterator[None]:
        observer = Observer()
        observer.schedule(Handler(), str(folder), recursive=False)
        observer.start()
        try:
            yield
        finally:
            observer.stop()
            observer.join(5)

    return observing()
