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
        "crawl",
        "--sites",
        str(registry),
        "--site",
        SITE,
        "--data-dir",
        str(data_dir),
        "--rules",
        str(rules),
        *settings,
    )


def crawled_by(command: str, registry: Path, directory: Path, webhook: Webhook) -> Crawled:
    data_dir = directory / "data"
    rules = rules_file(directory, webhook.url)
    run = with_scrapy if command == "scrapy" else with_tinlaodong
    result = run(registry, data_dir, rules)
    return Crawled(data_dir, result.returncode, result.stderr, list(webhook.received))


@pytest.fixture(scope="module")
def both(mirror_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Crawled]:
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


def scrapy_crawl(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "site", *args]
        + [arg for key, value in {**FAST, **settings}.items() for arg in ("-s", f"{key}={value}")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no site", "which site?"),
        ("unknown site", "no site with id 'nosuch'"),
        ("bad rules", "rules.yaml"),
        ("data dir is a file", "cannot create data directory"),
    ],
)
def test_bad_input_to_scrapy_crawl_is_one_line(
    case: str, expected: str, mirror_registry: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: x\n    nonsense: 1\n", encoding="utf-8")
    args = [
        "-a",
        f"sites={mirror_registry}",
        "-a",
        "site=nosuch" if case == "unknown site" else f"site={SITE}",
    ]
    settings = {"TINLAODONG_DATA_DIR": str(data_dir)}
    if case == "no site":
        args = ["-a", f"sites={mirror_registry}"]
    elif case == "bad rules":
        settings["TINLAODONG_RULES_FILE"] = str(rules)
    elif case == "data dir is a file":
        blocker = tmp_path / "file"
        blocker.write_text("", encoding="utf-8")
        settings["TINLAODONG_DATA_DIR"] = str(blocker / "data")
    result = scrapy_crawl(*args, **settings)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and expected in errors[0], result.stderr[-2000:]


def test_scrapy_crawl_of_an_unreachable_site_exits_1(tmp_path: Path) -> None:
    registry = tmp_path / "sites.yaml"
    registry.write_text(
        "sites:\n  - id: dead\n    name: Dead\n    province: Quảng Trị\n"
        "    kind: department\n    start_urls: [http://127.0.0.1:1/]\n"
        "    allow_private_network: true\n",
        encoding="utf-8",
    )
    result = scrapy_crawl(
        "-a",
        "site=dead",
        "-a",
        f"sites={registry}",
        TINLAODONG_DATA_DIR=str(tmp_path / "data"),
        DOWNLOAD_TIMEOUT="5",
        RETRY_ENABLED="false",
    )
    assert result.returncode == 1, result.stderr[-2000:]


def test_feeds_that_cannot_be_written_are_one_line_and_the_alerts_still_go(
    mirror_registry: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "feeds").write_text("a file where the feeds folder goes", encoding="utf-8")
    with webhook_receiver() as hook:
        result = with_tinlaodong(mirror_registry, data_dir, rules_file(tmp_path, hook.url))
        received = len(hook.received)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot write the feeds" in result.stderr
    assert "feeds: NOT WRITTEN" in result.stdout
    assert received > 0, "the alerts waited on the feeds"
