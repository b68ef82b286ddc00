"""The documented e-mail settings: config.example.yaml explains every key and works as is."""

from __future__ import annotations

import re
from pathlib import Path

from sheetsync.config import EMAIL_KEYS, NOTIFICATION_KEYS, SMTP_KEYS, load_config
from sheetsync.notify import BUILTIN_TEMPLATES, Mailer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.yaml"


def test_the_example_documents_every_email_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in EMAIL_KEYS | SMTP_KEYS | NOTIFICATION_KEYS | {"email", "notifications",
                                                             "templates_dir"}:
        assert re.search(rf"^\s*#?\s*{key}:", text, re.MULTILINE), key


def test_the_example_gives_a_mailer():
    config = load_config(str(EXAMPLE))
    assert config.email is not None and config.email.smtp is not None
    assert config.email.smtp.password_env == "SHEETSYNC_SMTP_PASSWORD"
    assert config.ending_at == 1
    mailer = Mailer(config.email, currency=config.currency, templates_dir=config.templates_dir,
                    zone=config.zone)
    assert mailer.templates.folder == BUILTIN_TEMPLATES.resolve()


def test_the_readme_explains_the_templates_and_the_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## E-mail alerts" in readme
    templates = (BUILTIN_TEMPLATES / "README.md").read_text(encoding="utf-8")
    for variable in ("studio_name", "client", "staff", "group", "recipient", "package", "period",
                     "used", "remaining", "completed", "paid_cancel", "cancelled", "next_session",
                     "last_session", "next_period", "period_price", "period_paid", "period_due",
                     "total_due", "subject"):
        assert f"`{variable}" in templates, variable
    for name in ("money", "when", "day", "time", "plural"):
        assert f"| `{name}` |" in templates, name
