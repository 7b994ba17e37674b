"""``tinlaodong crawl --no-throttle`` over real HTTP: what a mirror's server sees change.

The mirror's site answers each request after a short pause and counts the requests it is
serving at once. A default (polite) crawl never has more than two in flight on the site; with
``--no-throttle`` the crawl asks for many pages at once, stores the same articles, and says
once that politeness is off.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mirror import server as mirror_server
from mirror.build import build_mirror, default_seeds_dir
from mirror.expected import expected_articles
from mirror.server import MirrorServer
from tests.helpers import tinlaodong

SITE = "mirror-quangtri"  # the mirror's largest site
PAUSE = 0.15  # seconds each answer takes: long enough for requests to overlap


@dataclass
class InFlight:
    """Requests being answered at once, and the most there ever were."""

    now: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.now = self.most = 0


@dataclass
class Mirror:
    server: MirrorServer
    registry: Path
    in_flight: InFlight


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mirror]:
    root = tmp_path_factory.mktemp("mirror")
    in_flight = InFlight()
    answer = mirror_server._Handler.do_GET

    def slow_get(handler: Any) -> None:
        with in_flight.lock:
            in_flight.now += 1
            in_flight.most = max(in_flight.most, in_flight.now)
        try:
            time.sleep(PAUSE)
            answer(handler)
        finally:
            with in_flight.lock:
                in_flight.now -= 1

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mirror_server._Handler, "do_GET", slow_get)
        sites = [s for s in build_mirror(root / "sites", default_seeds_dir()) if s.id == SITE]
        with MirrorServer(sites) as server:
            registry = root / "sites.yaml"
            server.write_registry(registry)
            yield Mirror(server, registry, in_flight)


def crawl(mirror: Mirror, data_dir: Path, *flags: str) -> tuple[list[dict[str, Any]], str]:
    mirror.in_flight.reset()
    result = tinlaodong(
        "crawl", "--all", "--sites", str(mirror.registry), "--data-dir", str(data_dir),
        "--json", *flags, warnings="default",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_polite_crawl_keeps_to_two_requests_at_once(mirror: Mirror, tmp_path: Path) -> None:
    reports, stderr = crawl(mirror, tmp_path / "data")
    assert reports[0]["new_stories"] >= 1
    assert 1 <= mirror.in_flight.most <= 2
    assert "politeness is off" not in stderr


def test_no_throttle_asks_for_many_pages_at_once_and_says_so(
    mirror: Mirror, tmp_path: Path
) -> None:
    reports, stderr = crawl(mirror, tmp_path / "data", "--no-throttle")
    expected = [a for a in expected_articles(default_seeds_dir()) if a.site_id == SITE]
    assert reports[0]["new_stories"] + reports[0]["new_sources"] == len(expected)
    assert mirror.in_flight.most > 2
    warnings = [line for line in stderr.splitlines() if "politeness is off" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0]
    assert "Deprecat" not in stderr  # the one warning is ours: no library's deprecation noise
