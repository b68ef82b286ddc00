"""Hypothesis profiles: `fast` in every run (CI), `long` on demand.

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fast", max_examples=120, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow], derandomize=False,
)
settings.register_profile(
    "long", max_examples=3000, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
