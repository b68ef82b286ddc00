"""A sync and a check run with Python's cycle collector paused, and leave it as they found
it (issue 14: on a big studio its passes over millions of acyclic records were about a
tenth of a sync's CPU)."""

from __future__ import annotations

import gc
from datetime import datetime

from sheetsync import engine
from sheetsync.plan import plan
from sheetsync.read import read_snapshot
from sheetsync.stores.base import Table
from sheetsync.stores.memory import MemoryStore
from tests.studio import studio

NOW = datetime(2026, 11, 30, 9, 0)
THRESHOLDS = gc.get_threshold()


class ReadWatcher(MemoryStore):
    """The memory store, noting whether the collector was on at each read."""

    def __init__(self, tables: dict[str, Table]) -> None:
        super().__init__(tables)
        self.collector_on: list[bool] = []

    def read(self) -> dict[str, Table]:
        self.collector_on.append(gc.isenabled())
        return super().read()


def test_sync_and_check_read_with_the_collector_paused_and_restore_it() -> None:
    store = ReadWatcher(studio().tables)
    assert gc.isenabled()
    engine.sync(store, NOW, started_at=NOW)
    engine.check(store, NOW)
    assert store.collector_on == [False, False]
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    store = ReadWatcher(studio().tables)
    gc.disable()
    try:
        engine.sync(store, NOW, started_at=NOW)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_plan_runs_no_collection_and_restores_the_collector() -> None:
    snap = read_snapshot(studio().tables)
    collections: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    gc.callbacks.append(note)
    try:
        gc.set_threshold(1)  # without the pause, nearly every allocation would collect
        plan(snap, NOW)
    finally:
        gc.set_threshold(*THRESHOLDS)
        gc.callbacks.remove(note)
    assert len(collections) <= 4  # entering and leaving the pause; thousands without it
    assert gc.isenabled()
