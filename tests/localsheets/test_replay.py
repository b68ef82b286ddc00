"""Replays Google's recorded replies against LocalSheets and measures agreement."""

from __future__ import annotations

import pytest

from localsheets import LocalSheets

from .replay import SUMMARY, Exchange, cassette_paths, replay

# (cassette stem, interaction index) -> why LocalSheets answers differently.
KNOWN_DIFFERENCES: dict[tuple[str, int], str] = {}
MINIMUM_AGREEMENT = 1.0


def _replay_all() -> list[Exchange]:
    exchanges: list[Exchange] = []
    for path in cassette_paths():
        with LocalSheets(quota_per_minute=None) as server:
            exchanges.extend(replay(path, server.base_url, server.issue_token()))
    return exchanges


@pytest.fixture(scope="module")
def exchanges() -> list[Exchange]:
    if not cassette_paths():
        pytest.skip("recorded traffic not available")
    return _replay_all()


def test_every_cassette_is_replayed(exchanges: list[Exchange]) -> None:
    assert {e.cassette for e in exchanges} == {p.stem for p in cassette_paths()}


def test_agreement_with_google(exchanges: list[Exchange]) -> None:
    agreeing = sum(1 for e in exchanges if e.agrees)
    rate = agreeing / len(exchanges)
    SUMMARY.append(f"localsheets replay agreement: {agreeing}/{len(exchanges)} = {rate:.1%}")
    print(f"\n{SUMMARY[-1]}")
    unexplained = [
        f"{e.cassette}#{e.index} {e.method} {e.uri}\n"
        f"  status {e.expected_status} vs {e.actual_status}\n"
        f"  google: {e.expected}\n  local:  {e.actual}"
        for e in exchanges
        if not e.agrees and (e.cassette, e.index) not in KNOWN_DIFFERENCES
    ]
    assert not unexplained, "\n".join(unexplained)
    assert rate >= MINIMUM_AGREEMENT


def test_a_changed_recording_is_detected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The comparison is not vacuous: altering one recorded value breaks agreement."""
    sources = [p for p in cassette_paths() if p.stem.endswith("test_update_and_get")]
    if not sources:
        pytest.skip("recorded traffic not available")
    source = sources[0]
    text = source.read_text(encoding="utf-8").replace('updatedCells\\": 16', 'updatedCells\\": 17')
    assert text != source.read_text(encoding="utf-8")
    altered = tmp_path / source.name
    altered.write_text(text, encoding="utf-8")
    with LocalSheets(quota_per_minute=None) as server:
        results = replay(altered, server.base_url, server.issue_token())
    assert [e.index for e in results if not e.agrees] == [5, 12]
