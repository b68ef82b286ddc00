"""The lock files LibreOffice and Excel keep beside a workbook they have open, live or stale.

LibreOffice writes `.~lock.NAME#`, one CSV line `,user,host,DD.MM.YYYY HH:MM,userdir;`
(userdir: the URL of the user installation of the soffice that opened it), and writes it
again just before each save. Excel writes the owner file `~$NAME` (for long names `~$`
replaces the first two letters), which names the user only.

A lock is stale when its owner is gone:
- it is older than the workbook's last change by more than SAVE_MARGIN (its program
  would have written the file, or the lock, again when it saved), or
- it is a LibreOffice lock naming this host, and no soffice running here uses its userdir.

Invariants: nothing here deletes or changes a lock file; when this system cannot tell which
programs run (no /proc), a lock whose file is newer than the workbook counts as live.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from ..formatting import format_stamp
from ..i18n import DEFAULT, translations

LIBREOFFICE = "LibreOffice"
EXCEL = "Excel"
SAVE_MARGIN = 60.0  # seconds a save may take between writing the lock and the workbook
_PROFILE_ARGUMENT = "-env:UserInstallation="
_DEFAULT_PROFILE = ".config/libreoffice/4"


@dataclass(frozen=True, slots=True)
class LockFile:
    path: Path
    program: str  # LIBREOFFICE or EXCEL
    stale: bool
    since: datetime  # when the program wrote it (local time)


def lock_paths(workbook: Path) -> list[tuple[Path, str]]:
    """Where LibreOffice and Excel put their lock file of `workbook`, with the program."""
    name = workbook.name
    return [(workbook.with_name(f".~lock.{name}#"), LIBREOFFICE),
            (workbook.with_name(f"~${name}"), EXCEL),
            (workbook.with_name(f"~${name[2:]}"), EXCEL)]


def is_lock_name(candidate: str, workbook_name: str) -> bool:
    return candidate in {path.name for path, _ in lock_paths(Path(workbook_name))}


def find_lock(workbook: Path) -> LockFile | None:
    """The lock file of `workbook`, judged live or stale; None when nothing has it open."""
    for path, program in lock_paths(workbook):
        try:
            lock_stat = path.stat()
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:  # absent, or removed while we looked
            continue
        written = lock_stat.st_mtime
        fields = libreoffice_fields(text) if program == LIBREOFFICE else None
        since = (fields and _lock_time(fields[3])) or datetime.fromtimestamp(written)
        stale = older_than_workbook(written, workbook) or (
            fields is not None and owner_gone(fields[2], fields[4], running_profiles()))
        return LockFile(path, program, stale, since)
    return None


def libreoffice_fields(text: str) -> list[str] | None:
    """user, system user, host, time, userdir of a LibreOffice lock; None when unreadable."""
    fields = text.strip().rstrip(";").split(",")
    return fields if len(fields) == 5 else None


def _lock_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y %H:%M")
    except ValueError:
        return None


def older_than_workbook(lock_written: float, workbook: Path) -> bool:
    try:
        changed = workbook.stat().st_mtime
    except OSError:
        return False
    return changed - lock_written > SAVE_MARGIN


def owner_gone(host: str, userdir: str, profiles: list[str] | None) -> bool:
    """A lock naming this host whose userdir no running soffice uses (None: cannot tell)."""
    if profiles is None or not is_this_host(host):
        return False
    if any("$" in p for p in profiles):  # a profile named through a variable: cannot tell
        return False
    return _profile(userdir) not in {_profile(p) for p in profiles}


def is_this_host(host: str) -> bool:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    names |= {n.split(".")[0] for n in names}
    return host.strip().lower() in names


def _profile(url: str) -> str:
    return unquote(url.strip()).removeprefix("file://").rstrip("/")


def running_profiles(proc: Path = Path("/proc")) -> list[str] | None:
    """The userdir URL of every soffice running on this host; None when this system cannot tell.

    soffice names its user installation on its command line, else it uses the default
    profile in the home of the user it runs as.
    """
    if not proc.is_dir():
        return None
    profiles = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            owner = entry.stat().st_uid
        except OSError:  # the process ended while we looked
            continue
        if os.path.basename(arguments[0]) not in {"soffice.bin", "soffice"}:
            continue
        given = [a.removeprefix(_PROFILE_ARGUMENT) for a in arguments
                 if a.startswith(_PROFILE_ARGUMENT)]
        profiles.append(given[0] if given else _default_profile(owner))
    return profiles


def _default_profile(uid: int) -> str:
    import pwd  # Unix only, as /proc is

    try:
        home = pwd.getpwuid(uid).pw_dir
    except KeyError:
        home = os.path.expanduser("~")
    return f"file://{home}/{_DEFAULT_PROFILE}"


def busy_message(workbook_name: str, lock: LockFile, locale: str = DEFAULT) -> str:
    """What the studio reads (in `locale`) when a lock file keeps sheetsync from writing the
    workbook."""
    _ = translations(locale).gettext
    said = {"workbook": workbook_name, "program": lock.program, "file": lock.path.name,
            "since": format_stamp(lock.since, locale)}
    if not lock.stale:
        return _("%(workbook)s is open in %(program)s; close it there and run sheetsync again. "
                 "Nothing was written.") % said
    return _("%(workbook)s looks open in %(program)s, but its lock file %(file)s was left by a "
             "program that is no longer running (since %(since)s); if nobody has the workbook "
             "open, delete that file and run sheetsync again. Nothing was written.") % said
