"""Crawls that run themselves: ``tinlaodong serve`` and ``tinlaodong schedule``.

- ``jobs``: one crawl job per site of the registry, every ``crawl_every`` with jitter.
- ``jobstore``: APScheduler 3 with the jobs in the store's database (``scheduler_jobs``).
- ``crawl`` / ``runner``: each run is a ``tinlaodong crawl`` subprocess, killed at a time limit.
- ``history``: how each scheduled run went (``scheduled_runs``).
- ``lock``: one scheduler per data directory.
- ``services``: periodic services (alerts) run by the same scheduler.
- ``service``: the long-running service tying these together.

Import from the modules themselves: the package imports nothing, so that a command reading
one constant (``jobs.DEFAULT_CRAWL_TIMEOUT``) does not import the scheduler, the store and Scrapy.
"""
