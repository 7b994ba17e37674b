"""Crawls that run themselves: jobs from the registry, crawl subprocesses killed at a time
limit, ``serve --once``, ``serve`` until SIGINT, the persistent job store, ``schedule``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.exceptions import ConfigError
from aggregator.registry import Registry, parse_registry
from aggregator.scheduling.crawl import run_scheduled_crawl
from aggregator.scheduling.history import RunHistory
from aggregator.scheduling.jobs import MAX_JITTER, CrawlRequest, build_jobs, schedule_scale
from aggregator.scheduling.jobstore import CRAWLS, open_job_store
from aggregator.scheduling.lock import LockHeld
from aggregator.scheduling.runner import LiveProcesses, run_command
from aggregator.scheduling.service import CrawlService, ServiceOptions
from aggregator.scheduling.services import Service, ServiceContext
from aggregator.store import open_store
from tests.helpers import static_site, tinlaodong, write_registry

FAST_SETTINGS = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5"]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
# Three articles that share no sentence: near-duplicates would be stored as one story.
ARTICLES = {
    "chi-tra-tro-cap-xa-hoi": [
        "Sở Nội vụ tỉnh Lai Châu chi trả trợ cấp xã hội tháng Ba cho hơn mười nghìn đối tượng.",
        "Tiền được chuyển qua tài khoản ngân hàng hoặc nhận tại bưu điện xã theo lịch đã báo.",
        "Người cao tuổi ở vùng sâu được cán bộ mang tiền đến tận nhà, không phải đi xa.",
        "Đoàn kiểm tra của huyện Sìn Hồ đã rà soát danh sách, bổ sung ba trường hợp mới.",
    ],
    "tuyen-dung-lao-dong-han-quoc": [
        "Trung tâm dịch vụ việc làm thông báo kỳ thi tiếng Hàn cho lao động đi làm việc ngắn hạn.",
        "Ứng viên từ mười tám đến ba mươi chín tuổi, có sức khỏe tốt, chưa từng cư trú trái phép.",
        "Hồ sơ nộp tại Phòng Lao động các huyện từ ngày mười đến hết ngày hai mươi lăm tháng Tư.",
        "Chi phí xuất cảnh được hỗ trợ vay vốn ưu đãi từ Ngân hàng Chính sách xã hội tỉnh.",
    ],
    "day-nghe-nong-thon": [
        "Khai giảng lớp sơ cấp nghề trồng chè và chế biến chè cho bốn mươi học viên ở Tam Đường.",
        "Giáo viên là kỹ sư nông nghiệp, học viên thực hành ngay trên đồi chè của hợp tác xã.",
        "Sau khóa học ba tháng, doanh nghiệp cam kết thu mua toàn bộ búp chè đạt tiêu chuẩn.",
        "Kinh phí đào tạo lấy từ chương trình mục tiêu quốc gia giảm nghèo bền vững năm nay.",
    ],
}


def site_entry(site_id: str, base: str, **extra: object) -> dict[str, object]:
    return {
        "id": site_id,
        "name": f"Sở Nội vụ {site_id}",
        "province": "Lai Châu",
        "start_urls": [base + "/"],
        "allow_private_network": True,
        **extra,
    }


def publish(root: Path) -> None:
    """A department portal: one listing page, the articles of ``ARTICLES``, each dated."""
    (root / "tin-tuc").mkdir(parents=True)
    links = []
    for n, (slug, sentences) in enumerate(ARTICLES.items()):
        path = f"tin-tuc/{slug}-{100 + n}.html"
        title = f"Bài {n}: {slug.replace('-', ' ')}"
        body = "".join(f"<p>{sentence}</p>" for sentence in sentences)
        (root / path).write_text(
            f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="2025-03-1{n}T08:00:00+07:00">'
            f"</head><body><article><h1>{title}</h1>{body}</article></body></html>",
            encoding="utf-8",
        )
        links.append(f'<li><a href="/{path}">{title}</a></li>')
    listing = f'<html><body><ul class="news">{"".join(links)}</ul></body></html>'
    (root / "index.html").write_text(listing, encoding="utf-8")


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Path]:
    """A registry of one loopback portal (``lai-chau``); yields the registry file."""
    root = tmp_path / "www"
    publish(root)
    with static_site(root) as (base, _requests):
        yield write_registry(tmp_path / "sites.yaml", [site_entry("lai-chau", base)])


# -- jobs from the registry


def test_jobs_follow_crawl_every_with_bounded_jitter() -> None:
    registry = parse_registry(
        {
            "sites": [
                site_entry("active", "http://a.example"),
                site_entry("archived", "http://b.example", status="archived"),
                site_entry("often", "http://c.example", crawl_every="30m"),
            ]
        }
    )
    jobs = {job.site_ids: job for job in build_jobs(registry.sites)}
    assert [job.id for job in jobs.values()] == ["crawl:active", "crawl:archived", "crawl:often"]
    assert jobs[("active",)].interval == timedelta(hours=3)
    assert jobs[("archived",)].interval == timedelta(days=7)  # archived: rarely
    assert jobs[("often",)].interval == timedelta(minutes=30)
    for job in jobs.values():
        assert 0 < job.jitter <= min(job.interval.total_seconds() / 10, MAX_JITTER.seconds)
        # The last run missed while serve was down is always within the grace: it catches up.
        assert job.misfire_grace >= job.interval.total_seconds()
    assert jobs[("often",)].jitter == 180
    assert jobs[("archived",)].jitter == MAX_JITTER.total_seconds()

    scaled = build_jobs(registry.sites, scale=0.001)
    assert scaled[0].interval == timedelta(seconds=10.8)
    now = datetime(2025, 8, 1, 12, tzinfo=UTC)
    job = jobs[("active",)]
    assert job.first_run(None, now) == now  # never crawled: now
    assert job.first_run(now - timedelta(days=1), now) == now  # overdue: now
    assert job.first_run(now - timedelta(hours=1), now) == now + timedelta(hours=2)


def test_schedule_scale_comes_from_the_environment() -> None:
    assert schedule_scale({}) == 1.0
    assert schedule_scale({"TINLAODONG_SCHEDULE_SCALE": "0.01"}) == 0.01
    for bad in ("fast", "0", "-1"):
        with pytest.raises(ConfigError, match="TINLAODONG_SCHEDULE_SCALE"):
            schedule_scale({"TINLAODONG_SCHEDULE_SCALE": bad})


def test_crawl_request_builds_the_crawl_command(tmp_path: Path) -> None:
    request = CrawlRequest("crawl:x", ("x",), tmp_path, tmp_path / "s.yaml", 60, ("A=1",))
    argv = request.argv()
    assert argv[1:5] == ["-m", "aggregator.cli.main", "crawl", "--json"]
    assert argv[5:] == ["--data-dir", str(tmp_path), "--sites", str(tmp_path / "s.yaml"),
                        "--site", "x", "-s", "A=1"]
    assert CrawlRequest.from_kwargs(request.to_kwargs()) == request


# -- the crawl runner


def test_runner_kills_a_hanging_command_at_the_time_limit() -> None:
    started = time.monotonic()
    result = run_command(SLEEPER, timeout=0.5, live=LiveProcesses())
    assert result.timed_out
    assert result.exit_code is not None and result.exit_code < 0  # killed by a signal
    assert time.monotonic() - started < 10


def test_a_timed_out_crawl_is_logged_and_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    request = CrawlRequest("crawl:lai-chau", ("lai-chau",), tmp_path, None, timeout=0.5)
    with caplog.at_level("INFO", logger="tinlaodong.schedule"):
        record = run_scheduled_crawl(request, argv=SLEEPER, live=LiveProcesses())
    assert record is not None and record.outcome == "timed out"
    assert "crawl lai-chau: killed at the 0.5 s time limit" in caplog.text
    store = open_store(tmp_path)
    try:
        last = RunHistory(store.engine).last_runs()["crawl:lai-chau"]
        activity = store.site_activity()["lai-chau"]
    finally:
        store.close()
    assert last.timed_out and last.outcome == "timed out" and last.duration < 10
    # The site shows as unhealthy (sites, health feed, alerts) until its next good crawl, and
    # was not crawled: the next crawl takes it.
    assert not activity.healthy and "time limit" in (activity.health_reason or "")
    assert activity.last_crawl is None and activity.interrupted


def test_stopping_terminates_running_crawls_and_refuses_new_ones() -> None:
    live = LiveProcesses()
    results = []
    worker = threading.Thread(target=lambda: results.append(run_command(SLEEPER, 60, live)))
    worker.start()
    deadline = time.monotonic() + 5
    while not live._children and time.monotonic() < deadline:
        time.sleep(0.02)
    live.close(grace=2)
    worker.join(timeout=5)
    assert not worker.is_alive() and not results[0].timed_out
    assert run_command(SLEEPER, 60, live).exit_code is None  # closed: nothing started


# -- the job store


def test_job_store_keeps_jobs_and_next_run_times_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"

    def service(registry: Registry) -> CrawlService:
        return CrawlService(ServiceOptions(data_dir=data), registry)

    def next_runs() -> dict[str, datetime]:
        store = open_store(data)
        try:
            return {j.id: j.next_run_time for j in open_job_store(store.engine).get_all_jobs()}
        finally:
            store.close()

    sites = [site_entry("a", "http://a.example"), site_entry("b", "http://b.example")]
    first = service(parse_registry({"sites": sites}))
    first.open()
    with pytest.raises(LockHeld, match="already runs 'tinlaodong serve'"):
        service(parse_registry({"sites": sites})).open()  # a second serve
    first.close()
    before = next_runs()
    assert set(before) == {"crawl:a", "crawl:b"}

    time.sleep(0.05)
    sites[1]["crawl_every"] = "30m"
    sites.append(site_entry("c", "http://c.example"))
    restarted = service(parse_registry({"sites": sites[1:]}))  # a gone, b changed, c new
    scheduler = restarted.open()
    try:
        assert scheduler.get_job("crawl:b", jobstore=CRAWLS).trigger.interval == timedelta(
            minutes=30
        )
    finally:
        restarted.close()
    after = next_runs()
    assert set(after) == {"crawl:b", "crawl:c"}

    service(parse_registry({"sites": sites[1:]})).open().shutdown()  # nothing changed
    assert next_runs() == after  # kept, not recomputed


# -- services (the hook for alert senders)


def test_services_run_with_the_crawls_and_a_failure_is_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[ServiceContext] = []

    def broken(_context: ServiceContext) -> None:
        raise RuntimeError("smtp down")

    services = [
        Service("broken", timedelta(minutes=15), broken),
        Service("alerts", timedelta(minutes=15), seen.append),
    ]
    registry = parse_registry({"sites": []})
    service = CrawlService(ServiceOptions(data_dir=tmp_path), registry, services)
    with caplog.at_level("INFO", logger="tinlaodong.schedule"):
        assert service.run_once() == []  # no site: no crawl, but every service once
    assert [c.data_dir for c in seen] == [tmp_path.resolve()] and seen[0].registry is registry
    assert "service broken: failed" in caplog.text and "service alerts: done" in caplog.text


# -- the commands


def test_serve_once_crawls_in_a_subprocess_and_schedule_shows_it(
    tmp_path: Path, portal: Path
) -> None:
    data = tmp_path / "data"
    args = ["--sites", str(portal), "--data-dir", str(data), *FAST_SETTINGS]
    result = tinlaodong("serve", "--once", *args)
    assert result.returncode == 0, result.stderr
    assert "crawl lai-chau: ok in" in result.stdout
    assert "crawl lai-chau: ok in" in result.stderr  # the log line: site, outcome, duration
    # Log lines in Vietnam's time, labelled, whatever the machine's zone.
    assert re.search(r"^\d\d:\d\d:\d\d\+07:00 INFO ", result.stderr, re.M), result.stderr
    store = open_store(data)
    try:
        assert store.count()[0] == len(ARTICLES)
    finally:
        store.close()

    again = tinlaodong("serve", "--once", *args)
    assert again.returncode == 0 and "no crawl is due" in again.stdout

    shown = tinlaodong("schedule", "--json", "--data-dir", str(data))
    assert shown.returncode == 0, shown.stderr
    (row,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert row["job"] == "crawl:lai-chau" and row["sites"] == ["lai-chau"]
    assert row["interval"] == "3h" and row["interval_s"] == 10800
    assert 0 < row["jitter_s"] <= 900
    next_run = datetime.fromisoformat(row["next_run"])
    assert timedelta(hours=2) < next_run - datetime.now(UTC) <= timedelta(hours=3, minutes=16)
    last = row["last_run"]
    assert last["outcome"] == "ok" and last["exit_code"] == 0 and not last["timed_out"]
    assert last["new_stories"] == len(ARTICLES) and last["duration_s"] > 0
    assert row["last_crawls"]["lai-chau"]["healthy"] is True
    assert row["last_crawls"]["lai-chau"]["stories"] == len(ARTICLES)
    assert "scheduler: not running" in shown.stderr
    # Times in Vietnam's zone: ISO with +07:00 in --json, labelled in the table.
    assert row["next_run"].endswith("+07:00") and last["finished"].endswith("+07:00")
    assert row["last_crawls"]["lai-chau"]["finished"].endswith("+07:00")
    table = tinlaodong("schedule", "--data-dir", str(data)).stdout
    when = r"\d\d/\d\d/\d{4} \d\d:\d\d \+07:00"
    assert re.search(rf"^crawl:lai-chau +3h +{when} +{when} ok in ", table, re.M), table


def test_serve_crawls_on_schedule_serves_feeds_and_stops_on_sigint(
    tmp_path: Path, portal: Path
) -> None:
    data = tmp_path / "data"
    # 3 hours scaled to about 11 s: the first crawl is due at once (never crawled).
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TINLAODONG_SCHEDULE_SCALE": "0.001"}
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli.main", "serve", "--port", "0",
         "--sites", str(portal), "--data-dir", str(data), *FAST_SETTINGS],
        stdout=subprocess.PIPE, stderr=log, text=True, env=env,
    )
    assert serve.stdout is not None
    try:
        first = serve.stdout.readline()
        assert first.startswith("serving feeds at "), first
        base = first.split()[3].rstrip("/")
        feed = _wait_for_feed(base + "/all.rss.xml", "Bài 0", timeout=40)
        assert "Bài 2" in feed

        second = tinlaodong("serve", "--once", "--data-dir", str(data), "--sites", str(portal))
        assert second.returncode == 2 and "already runs 'tinlaodong serve'" in second.stderr
        shown = tinlaodong("schedule", "--data-dir", str(data))
        assert f"running (pid {serve.pid})" in shown.stdout

        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=15) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        serve.stdout.close()
        log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "crawl lai-chau: ok in" in text and "SIGINT received, stopping" in text


def _wait_for_feed(url: str, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if needle in body:
                return str(body)
        except OSError:
            pass  # 404 until the first crawl has written the feeds
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {needle!r}")
