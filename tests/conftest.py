"""Shared test helpers: where ../shared is, and skipping with a stated reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests (tests/test_fuzz.py): a few dozen examples each in the ordinary run; thousands
# with HYPOTHESIS_PROFILE=fuzz (make fuzz). No deadline: the first call of trafilatura or
# dateparser loads data and would be reported as "too slow".
settings.register_profile("default", max_examples=50, deadline=None, database=None)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    database=None,  # nothing written into the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout (a user's fresh clone): nothing to read")
    return SHARED


@pytest.fixture
def corpus() -> Path:
    """The real Liferay 6.2 portal pages of ../shared/corpus/hanoi-portal-2022."""
    path = SHARED / "corpus" / "hanoi-portal-2022"
    if not path.is_dir():
        pytest.skip(f"no Liferay corpus at {path} (../shared is not beside the checkout)")
    return path
