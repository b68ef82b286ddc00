"""sheetsync.yaml: every setting checked at once, one clear sentence per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config import load_config, parse_config
from sheetsync.errors import UserError

SMTP = {"host": "smtp.example.com", "username": "desk@example.com",
        "password_env": "SHEETSYNC_SMTP_PASSWORD"}


def problems(data: object) -> str:
    with pytest.raises(UserError) as failure:
        parse_config(data)
    return str(failure.value)


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETSYNC_CONFIG", raising=False)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    config = load_config()
    assert (config.workbook, config.timezone, config.email, config.ending_at) == (
        None, "Europe/Berlin", None, 1)


def test_a_good_email_section():
    config = parse_config({"email": {"from": "Studio <desk@example.com>", "smtp": SMTP}})
    assert config.email is not None and config.email.smtp is not None
    smtp = config.email.smtp
    assert (smtp.port, smtp.starttls, smtp.ssl, smtp.encrypted) == (587, True, False, True)
    ssl = parse_config({"email": {"from": "desk@example.com", "smtp": {**SMTP, "ssl": True}}})
    assert ssl.email is not None and ssl.email.smtp is not None
    assert (ssl.email.smtp.port, ssl.email.smtp.starttls) == (465, False)


def test_the_password_is_never_sent_unencrypted_unless_the_config_says_so():
    plain = {**SMTP, "starttls": False}
    assert "would send the password unencrypted" in problems(
        {"email": {"from": "desk@example.com", "smtp": plain}})
    allowed = parse_config({"email": {"from": "desk@example.com",
                                      "smtp": {**plain, "insecure_auth": True}}})
    assert allowed.email is not None and allowed.email.smtp is not None
    assert allowed.email.smtp.insecure_auth


def test_every_mistake_is_listed_at_once():
    message = problems({
        "timezone": "Mars/Base", "currency": "TURKISH LIRA",
        "email": {"from": "nobody", "smtp": {"port": 99999, "ssl": True, "starttls": True,
                                            "password": "hunter2"}},
        "notifications": {"ending_at": -1},
        "holidays": {"country": "XX"},
    })
    for phrase in ("timezone 'Mars/Base' is not a time zone",
                   "currency 'TURKISH LIRA' should be a short code",
                   "email.from should be the studio's address",
                   "email.smtp.host is missing",
                   "either ssl (implicit TLS) or starttls, not both",
                   "email.smtp.port '99999' is not a port number",
                   "never write a password here",
                   "notifications.ending_at should be a whole number",
                   "holidays.country 'XX' is not a country code"):
        assert phrase in message
    assert "hunter2" not in message


@pytest.mark.parametrize(("smtp", "phrase"), [
    ({**SMTP, "password_env": None}, "password_env is missing"),
    ({**SMTP, "password_env": "my secret!"}, "the NAME of an environment variable"),
    ({**SMTP, "timeout": 0}, "should be a number of seconds"),
    ({**SMTP, "starttls": "yes"}, "email.smtp.starttls should be true or false"),
])
def test_smtp_mistakes(smtp, phrase):
    assert phrase in problems({"email": {"from": "desk@example.com", "smtp": smtp}})


@pytest.mark.parametrize(("google", "phrase"), [
    ({"endpoint": "ftp://x"}, "should start with https://"),
    ({"credentials": 5}, "google.credentials should be a path"),
    ({"key": "x"}, "unknown setting(s) google.key"),
])
def test_google_mistakes(google, phrase):
    assert phrase in problems({"google": google})


def test_paths_are_relative_to_the_config_file(tmp_path: Path):
    (tmp_path / "mine").mkdir()
    config_file = tmp_path / "sheetsync.yaml"
    config_file.write_text("workbook: studio.xlsx\ntemplates_dir: mine\n"
                           "google: {credentials: key.json}\n"
                           "email: {from: desk@example.com, outbox_dir: mail}\n")
    config = load_config(str(config_file))
    assert config.workbook == str(tmp_path / "studio.xlsx")
    assert config.templates_dir == tmp_path / "mine"
    assert config.google["credentials"] == str(tmp_path / "key.json")
    assert config.email is not None and config.email.outbox_dir == tmp_path / "mail"


def test_a_templates_dir_that_is_not_a_folder():
    assert "templates_dir nowhere is not a folder" in problems({"templates_dir": "nowhere"})
