"""Figures the reliability tests measure, printed at the end of the run for RELIABILITY.md."""

from __future__ import annotations

FIGURES: dict[str, dict[str, int]] = {}


def record(family: str, **figures: int) -> None:
    current = FIGURES.setdefault(family, {})
    for name, value in figures.items():
        current[name] = current.get(name, 0) + value
