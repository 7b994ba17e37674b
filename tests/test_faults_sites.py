"""Sites that misbehave, over real HTTP on loopback: nothing lost, one line per fault.

One crawl of three sites through the real ``tinlaodong crawl``: ``faulty`` links good articles
and one URL of each fault (tests/faultserver.py); ``busy`` answers 429 with a Retry-After of an
hour; ``calm`` is an ordinary site. Timeouts are 2 s and there is one retry, to stay fast.
"""

from __future__ import annotations

import json

import pytest

from tests.faultserver import FAULTS, FaultSite, fault_path, fault_site, good_path
from tests.helpers import FAST, tinlaodong, write_registry

QUICK = [
    "-s",
    "DOWNLOAD_TIMEOUT=2",
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]

# What the one line of each fault says (stderr), beside the site and the URL.
REASONS = {
    "status-500": "(HTTP 500)",
    "status-502": "(HTTP 502)",
    "status-503": "(HTTP 503)",
    "status-404": "(HTTP 404)",
    "rate-limited-once": "waiting 1 s before retrying, as asked",
    "timeout": "(timed out after 2 s)",
    "slow-drip": "(timed out after 2 s)",
    "connection-reset": "(connection reset by the server",
    "redirect-loop": "(redirect loop:",
    "redirect-chain": "(too many redirects",
    "huge": "(response larger than 5 MB (20,971,520 bytes))",
    "huge-stream": "response larger than DOWNLOAD_MAXSIZE",
    "gzip-bomb": "(response larger than 5 MB once decompressed)",
    "pdf-as-html": "not an HTML page: {url} (a PDF file served as text/html)",
    "png-as-html": "not an HTML page: {url} (a PNG image served as text/html)",
    "empty": "not an HTML page: {url} (an empty page)",
    "truncated": "(response cut short",
    "robots-disallowed": "(Forbidden by robots.txt)",
}
# What each fault is counted as in the report's ``faults`` (tinlaodong/faults/<kind>).
KINDS = {
    "status-500": "http_500",
    "status-502": "http_502",
    "status-503": "http_503",
    "status-404": "http_404",
    "rate-limited-once": "retry_after_wait",
    "timeout": "timeout",
    "slow-drip": "timeout",
    "connection-reset": "connection_reset",
    "redirect-loop": "redirect_loop",
    "redirect-chain": "too_many_redirects",
    "huge": "too_large",
    "huge-stream": "too_large",
    "gzip-bomb": "too_large",
    "pdf-as-html": "not_html",
    "png-as-html": "not_html",
    "empty": "empty",
    "truncated": "truncated",
    "robots-disallowed": "robots_disallowed",
}
# Faults whose page is stored in the end: a wait honoured, a page whose markup stops early.
RECOVERED = {"rate-limited-once", "cut-markup"}
FAULTY_FAULTS = tuple(f for f in FAULTS if f != "rate-limited-long")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("faults")
    with (
        fault_site(FaultSite(good=(0, 1, 2), faults=FAULTY_FAULTS)) as (faulty, faulty_site),
        fault_site(FaultSite(good=(30,), start_fault="rate-limited-long")) as (busy, busy_site),
        fault_site(FaultSite(good=(40, 41), faults=())) as (calm, calm_site),
    ):
        registry = write_registry(
            tmp / "sites.yaml",
            [site("faulty", faulty), site("busy", busy), site("calm", calm)],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp / "data"), "--json",
            *FAST, *QUICK, timeout=120,
        )  # fmt: skip
    reports = {row["site"]: row for row in map(json.loads, result.stdout.splitlines())}
    return {
        "result": result,
        "reports": reports,
        "bases": {"faulty": faulty, "busy": busy, "calm": calm},
        "sites": {"faulty": faulty_site, "busy": busy_site, "calm": calm_site},
    }


def site(site_id: str, base: str) -> dict[str, object]:
    return {
        "id": site_id,
        "name": f"Site {site_id}",
        "province": "Lai Châu",
        "start_urls": [base + "/list?page=1"],
        "allow_private_network": True,
    }


def stderr_lines(crawl: dict[str, object]) -> list[str]:
    return crawl["result"].stderr.splitlines()  # type: ignore[attr-defined,no-any-return]


def test_no_traceback_and_the_crawl_succeeds(crawl: dict[str, object]) -> None:
    result = crawl["result"]
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("fault", FAULTY_FAULTS)
def test_each_fault_gives_one_clear_line_naming_site_and_url(
    crawl: dict[str, object], fault: str
) -> None:
    url = crawl["bases"]["faulty"] + fault_path(fault)  # type: ignore[index]
    ours = [
        line
        for line in stderr_lines(crawl)
        if url in line and "site faulty:" in line and "new story:" not in line
    ]
    if fault == "cut-markup":  # nothing to say: stored with the words that came
        assert ours == []
        return
    assert len(ours) == 1, "\n".join(ours) or crawl["result"].stderr  # type: ignore[attr-defined]
    assert REASONS[fault].format(url=url) in ours[0]


@pytest.mark.parametrize("fault", sorted(RECOVERED))
def test_a_fault_recovered_from_stores_the_page(crawl: dict[str, object], fault: str) -> None:
    url = crawl["bases"]["faulty"] + fault_path(fault)  # type: ignore[index]
    assert sum("site faulty: new story: " in line and f"<{url}>" in line
               for line in stderr_lines(crawl)) == 1  # fmt: skip


def test_each_fault_is_counted_in_the_report(crawl: dict[str, object]) -> None:
    report = crawl["reports"]["faulty"]  # type: ignore[index]
    assert report["errors"] == len(FAULTY_FAULTS) - len(RECOVERED)
    assert report["unreachable"] is False


def test_every_good_article_is_stored(crawl: dict[str, object]) -> None:
    stored = [line for line in stderr_lines(crawl) if "site faulty: new story:" in line]
    base = crawl["bases"]["faulty"]  # type: ignore[index]
    # Page 1 links 0-2; pages 2 to 5 of the endless listing one more each (102-105).
    for n in (0, 1, 2, 102, 103, 104, 105):
        assert sum(f"<{base}{good_path(n)}>" in line for line in stored) == 1, n
    # The good ones, the 429 honoured and the page whose markup stops early.
    assert crawl["reports"]["faulty"]["new_stories"] == 7 + len(RECOVERED)  # type: ignore[index]


def test_429_retry_waits_as_long_as_retry_after_asks(crawl: dict[str, object]) -> None:
    path = fault_path("rate-limited-once")
    times = [t for t, p in crawl["sites"]["faulty"].times if p == path]  # type: ignore[index]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95


def test_a_listing_that_paginates_forever_stops_at_max_listing_pages(
    crawl: dict[str, object],
) -> None:
    asked = crawl["sites"]["faulty"].requests  # type: ignore[index]
    assert "/list?page=5" in asked  # TINLAODONG_MAX_LISTING_PAGES = 5
    assert "/list?page=6" not in asked


def test_the_listing_page_limit_gives_one_line_and_a_count(crawl: dict[str, object]) -> None:
    for site_id in ("faulty", "calm"):
        base = crawl["bases"][site_id]  # type: ignore[index]
        lines = [
            line for line in stderr_lines(crawl) if f"site {site_id}: listing page limit" in line
        ]
        assert len(lines) == 1, lines
        assert f"stopped at {base}/list?page=5" in lines[0]
        assert "TINLAODONG_MAX_LISTING_PAGES" in lines[0]
        assert "INFO" in lines[0], "a limit met by design, not a warning"
        assert crawl["reports"][site_id]["faults"]["page_limit"] == 1  # type: ignore[index]


def test_the_report_breaks_the_errors_down_by_kind(crawl: dict[str, object]) -> None:
    expected: dict[str, int] = {"page_limit": 1}
    for fault in FAULTY_FAULTS:
        if fault != "cut-markup":
            expected[KINDS[fault]] = expected.get(KINDS[fault], 0) + 1
    reports = crawl["reports"]
    assert reports["faulty"]["faults"] == expected  # type: ignore[index]
    assert reports["busy"]["faults"] == {"retry_after_too_long": 1}  # type: ignore[index]
    assert reports["calm"]["faults"] == {"page_limit": 1}  # type: ignore[index]


def test_a_site_asking_to_wait_an_hour_is_skipped_with_one_line(
    crawl: dict[str, object],
) -> None:
    busy = crawl["bases"]["busy"]  # type: ignore[index]
    lines = [line for line in stderr_lines(crawl) if "site busy:" in line]
    assert len(lines) == 1
    assert f"{busy}/list?page=1" in lines[0]
    assert "retry after 3600 s, over the 60 s cap" in lines[0]
    assert "skipped for the rest of this crawl" in lines[0]
    assert crawl["reports"]["busy"]["unreachable"] is True  # type: ignore[index]
    asked = crawl["sites"]["busy"].requests  # type: ignore[index]
    assert asked.count("/list?page=1") == 1, "asked to wait, retried at once"
    assert not [p for p in asked if p.startswith("/tin-tuc/")]


def test_other_sites_in_the_same_crawl_are_unaffected(crawl: dict[str, object]) -> None:
    report = crawl["reports"]["calm"]  # type: ignore[index]
    assert report["new_stories"] == 2 + 4  # two on page 1, one on each of pages 2 to 5
    assert report["errors"] == 0 and report["unreachable"] is False
    problems = [
        line
        for line in stderr_lines(crawl)
        if "site calm:" in line and ("WARNING" in line or "ERROR" in line)
    ]
    assert problems == []
