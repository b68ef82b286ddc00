"""Replaying recorded Google traffic (vcrpy cassettes) against a LocalSheets server.

Each cassette is replayed in order on a fresh server. Ids Google chose (the
spreadsheet ids from Drive, sheet ids from addSheet replies) are learnt from the
replies and mapped both ways: recorded ids in later requests become local ids,
and the recorded replies are rewritten with the local ids before comparing.
Timestamps (Drive createdTime/modifiedTime) are dropped from both sides; headers
are not compared. An exchange agrees when status codes and JSON bodies are equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference" / "sheets-api-traffic"
GOOGLE_ORIGINS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
VOLATILE_KEYS = frozenset({"createdTime", "modifiedTime"})
ID_KEYS = frozenset({"sheetId", "chartId", "protectedRangeId"})
# The agreement line of this run, printed at the end by conftest.py.
SUMMARY: list[str] = []


def cassette_paths(directory: Path = CASSETTE_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def served(uri: str) -> bool:
    """Whether the exchange is on an endpoint LocalSheets serves."""
    path = uri.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    return path.startswith(("v4/spreadsheets", "drive/v3/files"))


@dataclass
class IdMap:
    strings: dict[str, str] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)

    def text(self, text: str) -> str:
        for recorded, local in self.strings.items():
            text = text.replace(recorded, local)
        return text

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items() if k not in VOLATILE_KEYS}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if key in ID_KEYS and isinstance(value, int):
            return self.numbers.get(value, value)
        return value

    def learn(self, recorded: Any, actual: Any, key: str | None = None) -> None:
        """Pair up ids found at the same place in the recorded and the actual reply."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            if key is None and isinstance(recorded.get("id"), str) and "id" in actual:
                self.strings.setdefault(recorded["id"], actual["id"])
            for k, v in recorded.items():
                if k in ID_KEYS and isinstance(v, int) and isinstance(actual.get(k), int):
                    self.numbers.setdefault(v, actual[k])
                elif k in actual:
                    self.learn(v, actual[k], k)
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(r, a, key)


@dataclass
class Exchange:
    cassette: str
    index: int
    method: str
    uri: str
    expected_status: int
    actual_status: int
    expected: Any
    actual: Any

    @property
    def agrees(self) -> bool:
        return self.expected_status == self.actual_status and self.expected == self.actual


def _json(text: str) -> Any:
    return json.loads(text) if text.strip() else None


def replay(path: Path, base_url: str, token: str) -> list[Exchange]:
    """Replay one cassette against the server at ``base_url``."""
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    ids = IdMap()
    session = requests.Session()
    out = []
    for index, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        if not served(request["uri"]):
            continue
        uri = ids.text(request["uri"])
        for origin in GOOGLE_ORIGINS:
            uri = uri.replace(origin, base_url)
        body = request.get("body")
        data = None
        if body:
            data = json.dumps(ids.value(json.loads(body))).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        reply = session.request(request["method"], uri, data=data, headers=headers, timeout=30)
        recorded = _json(response["body"].get("string", ""))
        actual = _json(reply.text)
        ids.learn(recorded, actual)
        out.append(
            Exchange(
                path.stem,
                index,
                request["method"],
                request["uri"],
                response["status"]["code"],
                reply.status_code,
                ids.value(recorded),
                ids.value(actual),
            )
        )
    session.close()
    return out
