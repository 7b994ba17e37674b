"""``scrapy crawl site -a site=ID`` ends as ``tinlaodong crawl --site ID`` does.

Both crawl the same mirror site over real HTTP into data directories of their own, with the same
watch rule; each must leave the same crawl record, search index, feeds and alerts: a
monitoring team whose operator runs Scrapy's own command is alerted as promptly as with ours.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aggregator.alerts.outbox import DELIVERED, status_counts
from aggregator.app.crawl_job import due_sites
from aggregator.registry import load_registry
from aggregator.search import search
from aggregator.store import open_store
from mirror.build import build_mirror, default_seeds_dir
from mirror.server import MirrorServer
from tests.conftest import PROJECT_ROOT, Webhook, webhook_receiver
from tests.helpers import tinlaodong

SITE = "mirror-baodansinh"
FAST = {"AUTOTHROTTLE_START_DELAY": "0.05", "AUTOTHROTTLE_MAX_DELAY": "0.5"}


@dataclass
class Crawled:
    data_dir: Path
    returncode: int
    stderr: str
    received: list[dict[str, object]]


@pytest.fixture(scope="module")
def mirror_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("mirror")
    with MirrorServer(build_mirror(root / "sites", default_seeds_dir())) as mirror:
        registry = root / "mirror-sites.yaml"
        mirror.write_registry(registry)
        yield registry


def rules_file(directory: Path, hook: str) -> Path:
    path = directory / "rules.yaml"
    path.write_text(
        f"rules:\n  - id: everything-of-the-site\n    sites: [{SITE}]\n    notify: [{hook}]\n",
        encoding="utf-8",
    )
    return path


def with_scrapy(registry: Path, data_dir: Path, rules: Path) -> subprocess.CompletedProcess[str]:
    settings = {**FAST, "TINLAODONG_DATA_DIR": str(data_dir), "TINLAODONG_RULES_FILE": str(rules)}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={SITE}"]
        + ["-a", f"sites={registry}"]
        + [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")],
        cwd=PROJECT_ROOT,  # where scrapy.cfg is
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def with_tinlaodong(
    registry: Path, data_dir: Path, rules: Path
) -> subprocess.CompletedProcess[str]:
    settings = [arg for key, value in FAST.items() for arg in ("-s", f"{key}={value}")]
    return tinlaodong(
        "crawl", "--sites", str(registry), "--site", SITE, "--data-dir", str(data_dir),
        "--rules", str(rules), *settings,
    )


def crawled_by(
    command: str, registry: Path, directory: Path, webhook: Webhook
) -> Crawled:
    data_dir = directory / "data"
    rules = rules_file(directory, webhook.url)
    run = with_scrapy if command == "scrapy" else with_tinlaodong
    result = run(registry, data_dir, rules)
    return Crawled(data_dir, result.returncode, result.stderr, list(webhook.received))


@pytest.fixture(scope="module")
def both(
    mirror_registry: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Crawled]:
    crawls = {}
    for command in ("tinlaodong", "scrapy"):
        with webhook_receiver() as hook:
            crawls[command] = crawled_by(
                command, mirror_registry, tmp_path_factory.mktemp(command), hook
            )
    return crawls


def test_both_commands_succeed(both: dict[str, Crawled]) -> None:
    for command, crawled in both.items():
        assert crawled.returncode == 0, f"{command}: {crawled.stderr[-2000:]}"
        assert "Traceback" not in crawled.stderr, command


def test_scrapy_crawl_records_the_crawl_as_tinlaodong_crawl_does(
    both: dict[str, Crawled], mirror_registry: Path
) -> None:
    records = {}
    for command, crawled in both.items():
        store = open_store(crawled.data_dir)
        try:
            activity = store.site_activity()
            records[command] = (activity[SITE].last_crawl is not None, store.count())
        finally:
            store.close()
    assert records["scrapy"] == records["tinlaodong"]
    assert records["scrapy"][0], "scrapy crawl left no crawl record: the site stays due"
    # So the next plain `tinlaodong crawl` finds the site crawled, not due.
    site = load_registry(mirror_registry).get(SITE)
    assert due_sites([site], both["scrapy"].data_dir) == ()


def test_scrapy_crawl_delivers_the_same_alerts(both: dict[str, Crawled]) -> None:
    delivered = {}
    for command, crawled in both.items():
        titles = sorted(str(payload["title"]) for payload in crawled.received)
        store = open_store(crawled.data_dir)
        try:
            delivered[command] = (titles, status_counts(store.engine)[DELIVERED])
        finally:
            store.close()
    assert delivered["tinlaodong"][1] > 0, "the rule matched nothing: the test proves nothing"
    assert delivered["scrapy"] == delivered["tinlaodong"]


def test_scrapy_crawl_refreshes_the_index_and_writes_the_same_feeds(
    both: dict[str, Crawled],
) -> None:
    feeds = {}
    hits = {}
    for command, crawled in both.items():
        feeds[command] = sorted(p.name for p in (crawled.data_dir / "feeds").iterdir())
        store = open_store(crawled.data_dir)
        try:
            hits[command] = len(search(store.engine, "lao dong", limit=100))
        finally:
            store.close()
    assert f"site-{SITE}.rss.xml" in feeds["scrapy"]
    assert feeds["scrapy"] == feeds["tinlaodong"]
    assert hits["tinlaodong"] > 0
    assert hits["scrapy"] == hits["tinlaodong"]
