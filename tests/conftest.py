"""Shared test helpers: where ../shared is, and skipping with a stated reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

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
