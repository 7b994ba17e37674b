"""``tinlaodong worker``: crawl the registry's sites with other workers, through Redis queues.

Any number of workers (any machines) share each site's crawl: requests are queued and
deduplicated in Redis (scrapy-redis, ``spiders.distributed``), stories go to one PostgreSQL
store (or, for workers on one machine only, the SQLite file of their shared --data-dir). A
worker neither writes the feeds nor records crawls (its counts are its share of the crawl
only): ``tinlaodong serve --no-crawl`` (or a ``crawl``) publishes what the workers stored.
"""

from __future__ import annotations

import argparse
import os

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from aggregator.cli.options import (
    add_no_throttle_option,
    add_settings_option,
    add_site_options,
    parse_settings,
)
from aggregator.cli.reporting import print_reports
from aggregator.exceptions import ConfigError
from aggregator.registry import load_registry
from aggregator.store import open_store
from aggregator.store.database import DATABASE_URL_ENV


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "worker",
        parents=[parent],
        help="crawl with other workers: shared Redis queues, one store",
        description=(
            "Crawl the sites of the registry (or those named by --site) together with any "
            "number of other workers: each site's requests are queued and deduplicated in "
            "Redis ($TINLAODONG_REDIS_URL), stories stored in PostgreSQL "
            f"(${DATABASE_URL_ENV}), or for workers on one machine in the SQLite file of "
            "their shared --data-dir. Requests to each host are spaced across all workers "
            "(TINLAODONG_SHARED_DOMAIN_DELAY, default 0.5 s). Ends when the queues have "
            "stayed empty for TINLAODONG_WORKER_IDLE_SECONDS (-s). Writes no feeds: "
            "'serve --no-crawl' does. "
            "Exits 1 only if every site was unreachable."
        ),
    )
    add_site_options(parser)
    add_settings_option(parser)
    add_no_throttle_option(parser)
    parser.set_defaults(func=run)


def _redis_url() -> str:
    from spiders.distributed import REDIS_URL_ENV

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


def _check_redis(url: str) -> None:
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"a worker needs scrapy-redis ({exc.name} is missing): "
            "pip install 'tinlaodong[distributed]'"
        ) from exc
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot reach Redis at $TINLAODONG_REDIS_URL: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    redis_url = _redis_url()
    _check_database_url()
    _check_redis(redis_url)
    from aggregator.app import tuning
    from aggregator.app.crawl_job import unthrottled
    from spiders.distributed import distributed_settings, run_workers

    sites = load_registry(args.sites).select(args.site_ids)
    settings: dict[str, object] = dict(parse_settings(args.settings))
    if args.no_throttle:
        settings = unthrottled(settings)
    overrides = {**distributed_settings(redis_url), **settings}
    # Opened before the crawl: a bad database is one line, and the schema is migrated once
    # here rather than by each site's crawler at the same moment.
    open_store(args.data_dir).close()
    reports = run_workers(
        sites,
        args.data_dir,
        overrides,
        worker_setup=tuning.worker_setup,
        while_crawling=tuning.while_crawling,
    )
    # No health verdicts: a worker's counts are its share of the crawl, not the site's.
    print_reports(reports, {}, args.json)
    return 1 if reports and all(r.unreachable for r in reports) else 0
