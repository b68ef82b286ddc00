"""A sheetsync.yaml for the alert tests: the studio.xlsx beside it, Istanbul time, TRY, alerts
written to the `outbox` folder, and the `notifications:` section the test gives."""

from __future__ import annotations

from pathlib import Path


def write_config(folder: Path, notifications: str, locale: str = "en") -> Path:
    """`folder`/sheetsync.yaml in `locale`, ending with `notifications` (YAML text)."""
    path = folder / "sheetsync.yaml"
    path.write_text(f"workbook: studio.xlsx\ntimezone: Europe/Istanbul\ncurrency: TRY\n"
                    f"locale: {locale}\nemail:\n  from: Studio <studio@example.com>\n"
                    "  outbox_dir: outbox\n" + notifications, encoding="utf-8")
    return path
