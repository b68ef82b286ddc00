"""The HTTP layer: auth, errors, quota, fault injection, statistics, persistence."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from google.auth import crypt, jwt

from localsheets import LocalSheets, service_account_info

from .conftest import Api


def grant(info: dict[str, str], base_url: str, **claims: Any) -> requests.Response:
    now = int(time.time())
    payload = {
        "iss": info["client_email"],
        "aud": f"{base_url}/token",
        "iat": now,
        "exp": now + 3600,
        "scope": "https://www.googleapis.com/auth/spreadsheets",
    }
    payload.update(claims)
    assertion = jwt.encode(crypt.RSASigner.from_service_account_info(info), payload).decode()
    return requests.post(
        f"{base_url}/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=10,
    )  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_requests_without_a_valid_token_get_google_401(server: LocalSheets) -> None:
    url = f"{server.base_url}/v4/spreadsheets/anything"
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Request is missing required authentication credential.")
    assert error["details"][0]["reason"] == "CREDENTIALS_MISSING"
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"].startswith(
        "Request had invalid authentication credentials."
    )


def test_token_endpoint_accepts_well_formed_grants(server: LocalSheets) -> None:
    info = service_account_info(server.base_url, email="studio@example.iam.gserviceaccount.com")
    reply = grant(info, server.base_url)
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 3000
    ok = requests.get(f"{server.base_url}/drive/v3/files", timeout=10,
                      headers={"Authorization": f"Bearer {body['access_token']}"})  # fmt: skip
    assert ok.status_code == 200
    expired = grant(info, server.base_url, exp=int(time.time()) - 3600)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    wrong_type = requests.post(f"{server.base_url}/token", data={"grant_type": "password"},
                               timeout=10)  # fmt: skip
    assert wrong_type.json()["error"] == "unsupported_grant_type"


def test_trust_mode_rejects_other_keys(tmp_path: Path) -> None:
    trusted = service_account_info("http://127.0.0.1:1", email="trusted@example.com")
    path = tmp_path / "trusted.json"
    path.write_text(__import__("json").dumps(trusted))
    with LocalSheets(quota_per_minute=None, trust=[path]) as server:
        assert grant(trusted, server.base_url).status_code == 200
        impostor = service_account_info(server.base_url, email="trusted@example.com")
        rejected = grant(impostor, server.base_url)
        assert rejected.status_code == 401
        assert rejected.json() == {"error": "invalid_grant",
                                   "error_description": "Invalid JWT Signature."}  # fmt: skip
        stranger = service_account_info(server.base_url, email="stranger@example.com")
        assert grant(stranger, server.base_url).status_code == 401


def test_not_found_bodies_match_google(api: Api) -> None:
    sheets = api.call("GET", "/v4/spreadsheets/test?includeGridData=false")
    assert sheets.status_code == 404
    assert sheets.json() == {"error": {"code": 404, "message": "Requested entity was not found.",
                                       "status": "NOT_FOUND"}}  # fmt: skip
    drive = api.call("DELETE", "/drive/v3/files/test")
    assert drive.status_code == 404
    assert drive.json()["error"]["errors"][0]["reason"] == "notFound"
    assert api.call("GET", "/v5/whatever").status_code == 404


def test_sheets_create_and_values_round_trip(api: Api) -> None:
    created = api.call("POST", "/v4/spreadsheets", json={
        "properties": {"title": "Studio"},
        "sheets": [{"properties": {"title": "Sessions"}}, {"properties": {"title": "Clients"}}],
    }).json()  # fmt: skip
    spreadsheet_id = created["spreadsheetId"]
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Sessions", "Clients"]
    path = f"/v4/spreadsheets/{spreadsheet_id}/values"
    put = api.call("PUT", f"{path}/Clients!A1?valueInputOption=USER_ENTERED",
                   json={"values": [["Ana", "2024-03-05", "=1+1"]]})  # fmt: skip
    assert put.json()["updatedRange"] == "Clients!A1:C1"
    got = api.call("GET", f"{path}:batchGet?ranges=Clients!A1:C1&valueRenderOption=FORMULA")
    assert got.json()["valueRanges"][0]["values"] == [["Ana", 45356, "=1+1"]]
    bad = api.call("POST", f"{path}:batchUpdate", data=b"{not json")
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_quota_per_user_and_kind_with_a_rolling_minute() -> None:
    clock = Clock()
    with LocalSheets(quota_per_minute=3, clock=clock) as server:
        spreadsheet_id = server.create_spreadsheet("Q")
        alice = Api(server.base_url, server.issue_token("alice@example.com"))
        bob = Api(server.base_url, server.issue_token("bob@example.com"))
        path = f"/v4/spreadsheets/{spreadsheet_id}"
        assert [alice.call("GET", path).status_code for _ in range(3)] == [200] * 3
        limited = alice.call("GET", path)
        assert limited.status_code == 429
        error = limited.json()["error"]
        assert error["status"] == "RESOURCE_EXHAUSTED"
        assert "'Read requests per minute per user'" in error["message"]
        assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
        write = alice.call("POST", f"{path}/values/A1:clear")
        assert write.status_code == 200
        assert bob.call("GET", path).status_code == 200
        clock.now += 30
        assert alice.call("GET", path).status_code == 429
        clock.now += 30.5
        assert alice.call("GET", path).status_code == 200
        server.set_quota(None)
        assert all(alice.call("GET", path).status_code == 200 for _ in range(5))
        alice.close()
        bob.close()


def test_nth_request_fails_without_applying(server: LocalSheets, api: Api) -> None:
    spreadsheet_id = server.create_spreadsheet("F")
    path = f"/v4/spreadsheets/{spreadsheet_id}/values/A1?valueInputOption=RAW"
    server.inject_fault(2, 503)
    assert api.call("PUT", path, json={"values": [["one"]]}).status_code == 200
    failed = api.call("PUT", path, json={"values": [["two"]]})
    assert failed.status_code == 503
    assert failed.json()["error"]["status"] == "UNAVAILABLE"
    assert server.values(spreadsheet_id) == [["one"]]
    assert api.call("PUT", path, json={"values": [["three"]]}).status_code == 200
    assert server.values(spreadsheet_id) == [["three"]]


def test_fail_next_and_constructor_faults_count_api_requests_only() -> None:
    with LocalSheets(quota_per_minute=None, fail=[(1, 500)]) as server:
        info = service_account_info(server.base_url)
        token = grant(info, server.base_url).json()["access_token"]
        api = Api(server.base_url, token)
        first = api.call("GET", "/drive/v3/files")
        assert first.status_code == 500
        assert first.json()["error"] == {"code": 500, "message": "Internal error encountered.",
                                         "status": "INTERNAL"}  # fmt: skip
        server.fail_next(429, count=2)
        assert [api.call("GET", "/drive/v3/files").status_code for _ in range(3)] == [429, 429, 200]
        api.close()


def test_cut_connection_and_delay(server: LocalSheets, api: Api) -> None:
    server.cut_next()
    with pytest.raises(requests.ConnectionError):
        api.call("GET", "/drive/v3/files")
    assert api.call("GET", "/drive/v3/files").status_code == 200
    server.delay_next(0.5)
    with pytest.raises(requests.Timeout):
        api.session.get(f"{server.base_url}/drive/v3/files", timeout=0.1)
    server.delay_next(0.2)
    started = time.monotonic()
    assert api.call("GET", "/drive/v3/files").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_stats_count_requests_and_cells(server: LocalSheets, api: Api) -> None:
    spreadsheet_id = server.create_spreadsheet("S")
    base = f"/v4/spreadsheets/{spreadsheet_id}"
    api.call("POST", f"{base}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "A1", "values": [["a", "b"], ["c", "d"]]},
                 {"range": "D1", "values": [["e"]]}]})  # fmt: skip
    api.call("GET", f"{base}/values:batchGet?ranges=A1:D2")
    api.call("GET", f"{base}/values:batchGet?ranges=Nope!A1")
    stats = requests.get(f"{server.base_url}/localsheets/stats", timeout=10).json()
    assert stats == {"total": 3, "cells_written": 5,
                     "requests": {"values.batchGet": 2, "values.batchUpdate": 1}}  # fmt: skip
    assert server.stats() == stats
    server.reset_stats()
    assert server.stats() == {"total": 0, "requests": {}, "cells_written": 0}


def test_spreadsheets_persist_across_restarts(tmp_path: Path) -> None:
    with LocalSheets(quota_per_minute=None, data_dir=tmp_path) as first:
        spreadsheet_id = first.create_spreadsheet("Kept", ["Sessions", "Bob's tab"])
        api = Api(first.base_url, first.issue_token())
        api.call("PUT", f"/v4/spreadsheets/{spreadsheet_id}/values/'Bob''s tab'!A1"
                        "?valueInputOption=USER_ENTERED",
                 json={"values": [["2024-03-05", "=2*3"]]})  # fmt: skip
        api.close()
    assert (tmp_path / f"{spreadsheet_id}.json").exists()
    assert not list(tmp_path.glob(".tmp-*"))
    with LocalSheets(quota_per_minute=None, data_dir=tmp_path) as second:
        assert second.values(spreadsheet_id, "Bob's tab") == [["2024-03-05", "6"]]
        assert second.metadata(spreadsheet_id)["properties"]["title"] == "Kept"
        api = Api(second.base_url, second.issue_token())
        assert api.call("DELETE", f"/drive/v3/files/{spreadsheet_id}").status_code == 204
        api.close()
    assert not (tmp_path / f"{spreadsheet_id}.json").exists()


def test_concurrent_writers_are_serialised(server: LocalSheets) -> None:
    import threading

    spreadsheet_id = server.create_spreadsheet("C")
    token = server.issue_token()

    def append_rows(label: str) -> None:
        client = Api(server.base_url, token)
        for i in range(10):
            client.call("POST", f"/v4/spreadsheets/{spreadsheet_id}/values/Sheet1:append"
                                "?valueInputOption=RAW", json={"values": [[label, i]]})  # fmt: skip
        client.close()

    threads = [threading.Thread(target=append_rows, args=(name,)) for name in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = server.values(spreadsheet_id)
    assert len(rows) == 40
    assert sorted(rows) == sorted([name, str(i)] for name in "abcd" for i in range(10))
