"""`sheetsync templates FOLDER`: the built-in e-mail templates, copied for a studio to edit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sheetsync.notify import BUILTIN_TEMPLATES
from tests.wheel import wheel_names

ROOT = Path(__file__).resolve().parents[1]


def test_the_templates_are_copied_and_a_second_copy_overwrites_nothing(run, cli_folder: Path):
    result = run("templates", "my-templates")
    assert result.exit_code == 0, result.output
    shipped = sorted(p.name for p in BUILTIN_TEMPLATES.iterdir())
    copied = cli_folder / "my-templates"
    assert sorted(p.name for p in copied.iterdir()) == shipped
    assert all((copied / n).read_bytes() == (BUILTIN_TEMPLATES / n).read_bytes() for n in shipped)
    assert "templates_dir: my-templates" in result.output
    (copied / "package_ending.client.txt").write_text("Subject: mine\n\nmine\n")
    again = run("templates", "my-templates")
    assert again.exit_code == 2 and "nothing was copied" in again.output
    assert (copied / "package_ending.client.txt").read_text() == "Subject: mine\n\nmine\n"
    replaced = run("templates", "my-templates", "--replace")
    assert replaced.exit_code == 0
    assert (copied / "package_ending.client.txt").read_bytes() == (
        BUILTIN_TEMPLATES / "package_ending.client.txt").read_bytes()


def test_copied_templates_are_accepted_as_the_studios_own(run, cli_folder: Path):
    assert run("templates", "mine").exit_code == 0
    (cli_folder / "sheetsync.yaml").write_text(
        "workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: TRY\n"
        "templates_dir: mine\nemail:\n  from: Studio <studio@example.com>\n"
        "  outbox_dir: outbox\n")
    assert run("init", "studio.xlsx", "--demo").exit_code == 0
    result = run("sync")
    assert result.exit_code in (0, 1), result.output


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info < (3, 11), reason="needs the project's Python")
def test_the_wheel_carries_the_templates_and_not_the_emulator():
    names = wheel_names()
    shipped = {p.name for p in (ROOT / "templates").iterdir()}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("sheetsync/templates/")} == shipped
    assert not [n for n in names if n.startswith("localsheets/") or "/localsheets/" in n]
