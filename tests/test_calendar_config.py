"""The calendar section of sheetsync.yaml: parsed, checked with the rest, documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sheetsync.config import CALENDAR_KEYS, FEED_KINDS, load_config, parse_config
from sheetsync.errors import UserError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_and_a_folder_relative_to_the_config_file(tmp_path: Path):
    config = parse_config({"calendar": {"out_dir": "feeds"}}, tmp_path / "sheetsync.yaml")
    assert config.calendar is not None
    assert config.calendar.out_dir == tmp_path / "feeds"
    assert config.calendar.feeds == FEED_KINDS
    assert config.calendar.secret_env == ""
    assert config.calendar.history_months == 6
    assert parse_config({}).calendar is None


def test_every_setting():
    config = parse_config({"calendar": {"out_dir": "feeds", "feeds": ["studio", "staff"],
                                        "secret_env": "FEED_SECRET", "history_months": 0}})
    assert config.calendar is not None
    assert config.calendar.feeds == ("staff", "studio")
    assert (config.calendar.secret_env, config.calendar.history_months) == ("FEED_SECRET", 0)


@pytest.mark.parametrize(("section", "phrase"), [
    ({}, "calendar.out_dir is missing"),
    ({"out_dir": "f", "feeds": ["staff", "everyone"]}, "calendar.feeds should list"),
    ({"out_dir": "f", "feeds": []}, "calendar.feeds should list"),
    ({"out_dir": "f", "secret_env": "s3cr3t-value!"}, "NAME of an environment variable"),
    ({"out_dir": "f", "history_months": -1}, "calendar.history_months"),
    ({"out_dir": "f", "history_months": True}, "calendar.history_months"),
    ({"out_dir": "f", "secret": "x"}, "unknown setting(s) calendar.secret"),
    ("calendars", "calendar should be a section"),
])
def test_mistakes_are_named_together_with_the_others(section, phrase):
    with pytest.raises(UserError) as err:
        parse_config({"calendar": section, "timezone": "Mars/Olympus"})
    assert phrase in str(err.value)
    assert "Mars/Olympus" in str(err.value)


def test_the_example_documents_every_calendar_key():
    example = ROOT / "config.example.yaml"
    text = example.read_text(encoding="utf-8")
    for key in CALENDAR_KEYS | {"calendar"}:
        assert re.search(rf"^\s*#?\s*{key}:", text, re.MULTILINE), key
    config = load_config(str(example))
    assert config.calendar is not None
    assert config.calendar.out_dir == ROOT / "calendars"
    assert config.calendar.secret_env == ""  # commented out: copying the example just works
