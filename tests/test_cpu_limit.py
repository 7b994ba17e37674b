"""The CPU limit of one page's extraction (aggregator.cpu_limit), on its own."""

from __future__ import annotations

import time

import pytest

from aggregator.cpu_limit import cpu_limit
from aggregator.exceptions import ExtractionTimeout


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


class SlowToCollect:
    """An object whose finaliser is long, as a library's can be (regex's compiled sets):
    an exception raised inside ``__del__`` is printed and dropped by Python."""

    def __del__(self) -> None:
        burn(0.4)


def test_a_deadline_reached_inside_a_finaliser_still_ends_the_block() -> None:
    """The deadline fell while Python ran a ``__del__``: the exception raised there was
    dropped (an "Exception ignored in" warning, an error under pytest) and the page's
    extraction went on to the end past its deadline."""
    start = time.process_time()
    with pytest.raises(ExtractionTimeout), cpu_limit(0.1):
        item = SlowToCollect()
        del item
        burn(3)
    assert time.process_time() - start < 1.5


def test_a_block_within_its_deadline_ends_normally() -> None:
    with cpu_limit(1.0):
        burn(0.1)
    burn(1.2)  # the timer is off once the block has ended


def test_the_deadline_ends_a_long_block() -> None:
    start = time.process_time()
    with pytest.raises(ExtractionTimeout), cpu_limit(0.2):
        burn(5)
    assert time.process_time() - start < 1
