"""``/metrics`` in the Prometheus text exposition format (0.0.4), written by hand: a handful of
gauges read from the store on each scrape, and the server's request counter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC

from aggregator.registry import Site
from aggregator.store import StoryStore
from feeds.web.data import WebData

PREFIX = "tinlaodong"
# (name, help) of the gauges per site, read from its last crawl run.
SITE_GAUGES = (
    ("site_last_crawl_timestamp_seconds", "When the site's last crawl finished (Unix time)."),
    ("site_last_crawl_pages", "Pages fetched by the site's last crawl."),
    ("site_last_crawl_new_stories", "New stories found by the site's last crawl."),
    ("site_last_crawl_new_sources", "New sources of known stories found by the last crawl."),
    ("site_last_crawl_errors", "Errors of the site's last crawl."),
    ("site_last_crawl_unreachable", "1 if the site could not be reached at its last crawl."),
    ("site_healthy", "1 if the site's last crawl looked like its usual ones."),
)


def metrics_text(
    data: WebData,
    store: StoryStore,
    sites: Sequence[Site],
    requests: Mapping[tuple[str, int], int],
) -> bytes:
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str) -> None:
        lines.append(f"# HELP {PREFIX}_{name} {help_text}")
        lines.append(f"# TYPE {PREFIX}_{name} {kind}")

    stories, sources = store.count()
    family("stories", "gauge", "Stories stored, each once however many sites published it.")
    lines.append(f"{PREFIX}_stories {stories}")
    family("sources", "gauge", "Sources (article URLs) stored.")
    lines.append(f"{PREFIX}_sources {sources}")
    family("sites", "gauge", "Sites of the registry.")
    lines.append(f"{PREFIX}_sites {len(sites)}")

    runs = sorted(data.last_runs(), key=lambda r: r.site_id)
    for name, help_text in SITE_GAUGES:
        family(name, "gauge", help_text)
        for run in runs:
            value = {
                "site_last_crawl_timestamp_seconds": run.finished.replace(tzinfo=UTC).timestamp(),
                "site_last_crawl_pages": run.pages,
                "site_last_crawl_new_stories": run.new_stories,
                "site_last_crawl_new_sources": run.new_sources,
                "site_last_crawl_errors": run.errors,
                "site_last_crawl_unreachable": int(run.unreachable),
                "site_healthy": int(run.healthy),
            }[name]
            lines.append(f'{PREFIX}_{name}{{site="{_label(run.site_id)}"}} {_number(value)}')

    alerts = data.alert_counts()
    if alerts is not None:
        family("alerts", "gauge", "Alerts in the outbox by status (pending: the queue).")
        for status in sorted({"pending", "delivered", "failed", *alerts}):
            lines.append(f'{PREFIX}_alerts{{status="{_label(status)}"}} {alerts.get(status, 0)}')

    family("http_requests_total", "counter", "Requests served since start, by route and status.")
    for (route, code), n in sorted(requests.items()):
        lines.append(f'{PREFIX}_http_requests_total{{route="{_label(route)}",code="{code}"}} {n}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
