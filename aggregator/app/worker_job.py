"""A worker's crawl: its share of each site's crawl, through queues shared in Redis.

A worker neither records crawls (its counts are its share, not the site's) nor writes feeds:
``tinlaodong serve --no-crawl`` publishes what the workers stored and sends the alerts they
queued (``spiders.distributed`` has the design).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from aggregator.app import tuning
from aggregator.exceptions import ConfigError
from aggregator.registry import Site
from aggregator.store import open_store
from aggregator.store.database import DATABASE_URL_ENV
from spiders.runner import SiteReport

REDIS_URL_ENV = "TINLAODONG_REDIS_URL"


class WorkerJob:
    """Crawl ``sites`` with the other workers of ``$TINLAODONG_REDIS_URL`` into the store of
    ``data_dir`` (or ``$TINLAODONG_DATABASE_URL``); ``overrides``: Scrapy settings."""

    def __init__(
        self, data_dir: Path, sites: Sequence[Site], overrides: Mapping[str, object]
    ) -> None:
        self.data_dir = data_dir
        self.sites = tuple(sites)
        self.overrides = dict(overrides)

    def run(self) -> list[SiteReport]:
        """Check the configuration (one line each), then crawl until the queues stay empty."""
        # The extra first: without it, setting $TINLAODONG_REDIS_URL would only lead to it.
        _require_distributed_extra()
        redis_url = _redis_url()
        _check_database_url()
        _check_redis(redis_url)
        # Imported once scrapy-redis is known to be there: it is an optional dependency.
        from spiders.distributed import distributed_settings, run_workers

        # Opened before the crawl: a bad database is one line, and the schema is migrated once
        # here rather than by each site's crawler at the same moment.
        open_store(self.data_dir).close()
        overrides = {**distributed_settings(redis_url), **self.overrides}
        return run_workers(
            self.sites,
            self.data_dir,
            overrides,
            worker_setup=tuning.worker_setup,
            while_crawling=tuning.while_crawling,
        )


def _redis_url() -> str:
    url = os.environ.get(REDIS_URL_ENV, "").strip()
    if not url:
        raise ConfigError(
            f"a worker needs ${REDIS_URL_ENV} (the shared queues), e.g. redis://host:6379/0"
        )
    return url


def _check_database_url() -> None:
    """A bad URL is one line here rather than one per site's crawler."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    try:
        if url:
            make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"bad ${DATABASE_URL_ENV}: {exc}") from exc


def _require_distributed_extra() -> None:
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"a worker needs scrapy-redis ({exc.name} is missing): "
            "pip install 'tinlaodong[distributed]'"
        ) from exc


def _check_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot reach Redis at $TINLAODONG_REDIS_URL: {exc}") from exc
