"""The command line on a Google Sheet: a config whose google.endpoint is the local server.

Every request goes through google-auth's service-account flow (an RSA-signed JWT
traded for a token at the key file's token_uri) and gspread's HTTP client, over
HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner, Result

from localsheets import LocalSheets
from sheetsync.cli import cli
from sheetsync.schema import ALL_TABS
from sheetsync.stores import gsheets_http, gsheets_lock
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import service_account
from sheetsync.stores.gsheets_http import RetryPolicy

ACCOUNT = "localsheets@localsheets.iam.gserviceaccount.com"
FAST = RetryPolicy(attempts=3, base=0.01, cap=0.05, connect_timeout=2, read_timeout=5)

Run = Callable[..., Result]


@pytest.fixture
def server() -> Iterator[LocalSheets]:
    with LocalSheets(quota_per_minute=None) as running:
        yield running


@pytest.fixture
def key_file(tmp_path: Path, server: LocalSheets) -> Path:
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(server.service_account_info()), encoding="utf-8")
    path.chmod(0o600)
    return path


def write_config(tmp_path: Path, **google: str) -> Path:
    config = tmp_path / "sheetsync.yaml"
    config.write_text(yaml.safe_dump({"timezone": "Europe/Istanbul", "currency": "TRY",
                                      "google": google}), encoding="utf-8")
    return config


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: LocalSheets,
        key_file: Path) -> Run:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETSYNC_CONFIG", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr(gsheets_http, "DEFAULT_POLICY", FAST)
    write_config(tmp_path, credentials=key_file.name, endpoint=server.base_url)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--quiet", *args], catch_exceptions=False)

    return invoke


def url(spreadsheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit#gid=0"


def assert_clear_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "PRIVATE KEY" not in result.output and "ya29." not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def test_init_demo_then_sync_check_and_balance_by_url_and_by_id(run: Run, server: LocalSheets):
    sheet = server.create_spreadsheet("Studio")
    made = run("init", url(sheet), "--demo")
    assert made.exit_code == 0, made.output
    assert "added the Appointments tab" in made.output and "with a demo studio" in made.output
    book = server.metadata(sheet)
    assert [s["properties"]["title"] for s in book["sheets"]] == [t.name for t in ALL_TABS]
    again = run("init", url(sheet), "--demo")  # a sheet holding a studio is never filled twice
    assert again.exit_code == 2 and "already holds studio data" in again.output

    server.reset_stats()
    synced = run("sync", sheet, "--now", "2026-12-01T09:00")
    assert synced.exit_code in (0, 1), synced.output
    assert f"Synced {sheet}" in synced.output
    stats = server.stats()
    assert stats["total"] <= 5
    runs = server.values(sheet, "Runs", "UNFORMATTED_VALUE")
    header, last = runs[0], runs[-1]
    reads = stats["requests"].get("spreadsheets.get", 0) + stats["requests"]["values.batchGet"]
    assert last[header.index("reads")] == reads
    assert last[header.index("writes")] == stats["total"] - reads
    assert len(server.values(sheet, "Appointments")) > 20

    checked = run("check", url(sheet))
    assert checked.exit_code in (0, 1)
    balance = run("balance", sheet)
    assert balance.exit_code == 0, balance.output
    assert "Ayse Celik (C001)" in balance.output

    again = run("init", url(sheet))
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_init_on_an_existing_sheet_adds_what_is_missing_and_keeps_the_data(
        run: Run, server: LocalSheets):
    sheet = server.create_spreadsheet("Studio", ["Clients"])
    with server.service.lock:
        book = server.service.book(sheet)
        clients = book.sheets[0]
        for col, text in enumerate(["client_id", "name", "notes of the studio"]):
            clients.put(0, col, {"userEnteredValue": {"stringValue": text}})
        for col, text in enumerate(["C1", "Ayse", "likes mornings"]):
            clients.put(1, col, {"userEnteredValue": {"stringValue": text}})
    server.reset_stats()
    result = run("init", sheet)
    assert result.exit_code == 0, result.output
    assert "added column(s) email, phone, status to Clients" in result.output
    assert server.stats()["requests"] == {"spreadsheets.batchUpdate": 1, "spreadsheets.get": 1,
                                          "values.batchGet": 1}
    assert server.values(sheet, "Clients")[:2] == [
        ["client_id", "name", "notes of the studio", "email", "phone", "status"],
        ["C1", "Ayse", "likes mornings"]]
    runs = server.metadata(sheet)["sheets"][-1]["properties"]
    assert runs["title"] == "Runs" and runs["gridProperties"]["frozenRowCount"] == 1


def test_the_credentials_may_come_from_google_application_credentials(
        run: Run, server: LocalSheets, tmp_path: Path, key_file: Path,
        monkeypatch: pytest.MonkeyPatch):
    write_config(tmp_path, endpoint=server.base_url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    sheet = server.create_spreadsheet("Studio")
    assert run("init", sheet).exit_code == 0
    assert run("sync", sheet, "--now", "2026-12-01T09:00").exit_code == 0


def test_without_credentials_the_message_says_where_to_set_them(
        run: Run, server: LocalSheets, tmp_path: Path):
    write_config(tmp_path, endpoint=server.base_url)
    assert_clear_error(run("sync", server.create_spreadsheet()), "google.credentials",
                       "GOOGLE_APPLICATION_CREDENTIALS")


@pytest.mark.parametrize("content, phrase", [
    ("not json", "is not valid JSON"),
    ('{"type": "authorized_user"}', "is not a service account key"),
    ('{"type": "service_account", "client_email": "a@b"}', "lacks private_key, token_uri"),
])
def test_a_broken_key_file_is_named(run: Run, server: LocalSheets, key_file: Path,
                                    content: str, phrase: str):
    key_file.write_text(content, encoding="utf-8")
    assert_clear_error(run("sync", server.create_spreadsheet()), str(key_file.name), phrase)


def test_a_key_that_does_not_load_is_reported_without_showing_it(
        run: Run, server: LocalSheets, key_file: Path):
    info = json.loads(key_file.read_text(encoding="utf-8"))
    info["private_key"] = info["private_key"].replace("A", "B")[:400] + \
        "\n-----END PRIVATE KEY-----\n"
    key_file.write_text(json.dumps(info), encoding="utf-8")
    assert_clear_error(run("sync", server.create_spreadsheet()), "private key",
                       "cannot be read", "download a new JSON key")


def test_a_key_google_refuses_is_reported(run: Run, tmp_path: Path, key_file: Path):
    with LocalSheets(quota_per_minute=None, trust=[key_file]) as strict:
        other = tmp_path / "other.json"
        other.write_text(json.dumps(strict.service_account_info()), encoding="utf-8")
        write_config(tmp_path, credentials=other.name, endpoint=strict.base_url)
        result = run("sync", strict.create_spreadsheet())
    assert_clear_error(result, "Google refused the key of the service account", ACCOUNT,
                       "invalid_grant")


def test_an_unknown_sheet_is_named(run: Run):
    assert_clear_error(run("sync", "1" + "x" * 43), "There is no Google Sheet with the id 1xxx")


def test_a_sheet_not_shared_with_the_service_account_says_how_to_share_it(
        run: Run, server: LocalSheets):
    sheet = server.create_spreadsheet()
    server.inject_fault(1, 403)  # Google's answer to an account the sheet is not shared with
    assert_clear_error(run("check", sheet), f"not shared with the service account {ACCOUNT}",
                       "Share")


def test_the_network_down_after_retries_is_one_sentence(run: Run, tmp_path: Path):
    with LocalSheets() as gone:
        address = gone.base_url
        info = gone.service_account_info()
    key = tmp_path / "offline.json"
    key.write_text(json.dumps(info), encoding="utf-8")
    write_config(tmp_path, credentials=key.name, endpoint=address)
    result = run("sync", "1" + "y" * 43)
    assert_clear_error(result, "did not answer after 3 tries", "could not be reached",
                       "Nothing was written")


def test_a_google_sheets_url_must_be_one(run: Run):
    assert_clear_error(run("sync", "https://example.com/sheet"),
                       "is not a Google Sheets address")


def test_plain_http_is_refused_except_to_this_machine(run: Run, tmp_path: Path, key_file: Path):
    write_config(tmp_path, credentials=key_file.name, endpoint="http://sheets.example.com")
    assert_clear_error(run("sync", "1" + "z" * 43), "must start with https://")


def test_a_token_uri_in_plain_http_elsewhere_is_refused(run: Run, key_file: Path):
    info = json.loads(key_file.read_text(encoding="utf-8"))
    key_file.write_text(json.dumps({**info, "token_uri": "http://oauth.example.com/token"}),
                        encoding="utf-8")
    assert_clear_error(run("sync", "1" + "z" * 43), "token_uri", "must start with https://")


def test_a_key_file_others_can_read_is_warned_about(run: Run, server: LocalSheets,
                                                    key_file: Path):
    sheet = server.create_spreadsheet("Studio")
    assert run("init", sheet).exit_code == 0
    quiet = run("check", sheet)
    assert "can be read by other users" not in quiet.stderr
    key_file.chmod(0o644)
    warned = run("check", sheet)
    assert f"Warning: The service account key file {key_file.name}" in warned.stderr
    assert "chmod 600" in warned.stderr


def test_a_sync_while_another_holds_the_sheet_exits_2_and_says_until_when(
        run: Run, server: LocalSheets, key_file: Path):
    sheet = server.create_spreadsheet("Studio")
    assert run("init", sheet, "--demo").exit_code == 0
    other = GoogleStore(sheet, service_account(json.loads(key_file.read_text())),
                        endpoint=server.base_url, zone=ZoneInfo("Europe/Istanbul"))
    other.read()
    other.claim()  # another machine's sync, busy sending
    claim = gsheets_lock.parse_claim(server.values(sheet, gsheets_lock.LOCK_TITLE))
    assert claim is not None and claim.since is not None and claim.until is not None
    istanbul = ZoneInfo("Europe/Istanbul")
    runs = server.values(sheet, "Runs")
    busy = run("sync", sheet)
    today = datetime.now(istanbul).date()

    def shown(moment: datetime) -> str:  # a claim that ends after midnight shows its date
        local = moment.astimezone(istanbul)
        return f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"
    assert_clear_error(busy, "Another sheetsync is working on this Google Sheet (since "
                             f"{shown(claim.since)}, until {shown(claim.until)} at the "
                             "latest); nothing was written or sent.")
    assert server.values(sheet, "Runs") == runs
    assert run("sync", sheet, "--dry-run").exit_code in (0, 1)  # reading is fine
