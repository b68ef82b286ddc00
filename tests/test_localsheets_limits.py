"""The local Sheets API's cell cap and gzip, over real HTTP.

Google refuses any request that would grow a spreadsheet's grid (rowCount x columnCount of
every sheet, empty cells included) past 10,000,000 cells, with a 400 naming the limit; a
request that does not grow the grid passes. Replies are gzipped when the client asks.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from localsheets import LocalSheets

CAP = 1_000
MESSAGE = ("This action would increase the number of cells in the workbook above the limit "
           f"of {CAP} cells.")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalSheets]:
    with LocalSheets(quota_per_minute=None, cell_limit=CAP) as running:
        yield running


@pytest.fixture(scope="module")
def session(server: LocalSheets) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {server.issue_token()}"
        yield http


def _book(server: LocalSheets) -> str:
    """A spreadsheet of 900 cells: Sheet1 is 30 rows x 20 columns, Small 10 x 30."""
    return server.create_spreadsheet("Cap", [
        {"title": "Sheet1", "sheetId": 0, "gridProperties": {"rowCount": 30, "columnCount": 20}},
        {"title": "Small", "sheetId": 7, "gridProperties": {"rowCount": 10, "columnCount": 30}},
    ])


def _batch(server: LocalSheets, session: requests.Session, book: str,
           *requests_: dict[str, Any]) -> requests.Response:
    return session.post(f"{server.base_url}/v4/spreadsheets/{book}:batchUpdate",
                        json={"requests": list(requests_)}, timeout=10)


def _sizes(server: LocalSheets, book: str) -> list[tuple[int, int]]:
    return [(s["properties"]["gridProperties"]["rowCount"],
             s["properties"]["gridProperties"]["columnCount"])
            for s in server.metadata(book)["sheets"]]


@pytest.mark.parametrize(("request_", "kind"), [
    ({"addSheet": {"properties": {"title": "More",
                                  "gridProperties": {"rowCount": 11, "columnCount": 10}}}},
     "addSheet"),
    ({"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 6}}, "appendDimension"),
    ({"appendDimension": {"sheetId": 7, "dimension": "COLUMNS", "length": 11}},
     "appendDimension"),
    ({"insertDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1,
                                    "endIndex": 5}}}, "insertDimension"),
    ({"updateSheetProperties": {"properties": {"sheetId": 0,
                                               "gridProperties": {"rowCount": 40}},
                                "fields": "gridProperties.rowCount"}},
     "updateSheetProperties"),
])
def test_a_request_that_grows_the_grid_past_the_cap_is_refused_as_google_does(
        server: LocalSheets, session: requests.Session, request_: dict[str, Any],
        kind: str) -> None:
    book = _book(server)
    ok = {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 1}}  # 920 cells
    reply = _batch(server, session, book, ok, request_)
    assert reply.status_code == 400
    assert reply.json() == {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                      "message": f"Invalid requests[1].{kind}: {MESSAGE}"}}
    assert _sizes(server, book) == [(30, 20), (10, 30)]  # the whole batch left undone


def test_growing_up_to_the_cap_passes_and_shrinking_passes_even_above_it(
        server: LocalSheets, session: requests.Session) -> None:
    book = _book(server)
    assert _batch(server, session, book, {"appendDimension": {
        "sheetId": 0, "dimension": "ROWS", "length": 5}}).status_code == 200  # exactly 1000
    server.set_cell_limit(500)
    try:
        shrink = {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS",
                                                "startIndex": 0, "endIndex": 2}}}
        assert _batch(server, session, book, shrink).status_code == 200
        assert _sizes(server, book) == [(33, 20), (10, 30)]
    finally:
        server.set_cell_limit(CAP)


def test_a_values_write_that_grows_the_grid_and_spreadsheets_create_respect_the_cap(
        server: LocalSheets, session: requests.Session) -> None:
    book = _book(server)
    rows = [["x"]] * 6  # appended below Small's last row: 16 rows x 30 columns
    reply = session.post(f"{server.base_url}/v4/spreadsheets/{book}/values/Small!A10:append",
                         params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                         json={"values": rows}, timeout=10)
    assert (reply.status_code, reply.json()["error"]["message"]) == (400, MESSAGE)
    assert _sizes(server, book) == [(30, 20), (10, 30)]
    reply = session.post(f"{server.base_url}/v4/spreadsheets", json={"sheets": [
        {"properties": {"gridProperties": {"rowCount": 100, "columnCount": 11}}}]}, timeout=10)
    assert (reply.status_code, reply.json()["error"]["message"]) == (400, MESSAGE)


def test_replies_are_gzipped_when_the_client_asks_and_only_then(
        server: LocalSheets, session: requests.Session) -> None:
    book = _book(server)
    session.post(f"{server.base_url}/v4/spreadsheets/{book}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "Sheet1!A1", "values": [[f"client {i}", i] for i in range(30)]}]},
        timeout=10)
    url = f"{server.base_url}/v4/spreadsheets/{book}/values:batchGet"
    server.reset_stats()
    asked = session.get(url, params={"ranges": "Sheet1"}, stream=True, timeout=10)
    on_wire = asked.raw.read(decode_content=False)
    assert session.headers["Accept-Encoding"].startswith("gzip")  # what requests sends
    assert asked.headers["Content-Encoding"] == "gzip"
    assert int(asked.headers["Content-Length"]) == len(on_wire)
    served = gzip.decompress(on_wire)
    assert b'\n  "valueRanges": [' in served  # indented, as Google serves it
    plain = session.get(url, params={"ranges": "Sheet1"},
                        headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers and plain.content == served
    assert len(on_wire) * 3 < len(served)
    traffic = server.traffic()["values.batchGet"]
    assert traffic["gzipped"] == 1
    assert (traffic["largest_reply"], traffic["largest_reply_on_wire"]) == (
        len(served), len(served))  # the larger of the two on the wire is the plain one
    assert traffic["replies_on_wire"] == len(on_wire) + len(served)


def test_the_cap_is_a_server_option_on_the_command_line_too() -> None:
    from localsheets.__main__ import build_parser

    assert build_parser().parse_args([]).cell_limit == 10_000_000
    assert build_parser().parse_args(["--cell-limit", "5000"]).cell_limit == 5000
