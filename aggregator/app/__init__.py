"""The application layer: the jobs the entry points run, above crawling and publishing.

- ``crawl_job``: one crawl of some sites and everything after it (health, the crawl record,
  the search index, the feeds, the alerts). ``tinlaodong crawl``, ``demo``, the scheduler's
  crawls (``tinlaodong crawl`` subprocesses) and ``scrapy crawl`` all end here.
- ``worker_job``: a worker's share of the crawl, through queues shared in Redis.
- ``scrapy_entry``: what ``scrapy crawl`` runs (``scrapy.cfg`` names its settings).
- ``sitecheck``: ``tinlaodong sites check``, probing the registry's hosts.

``aggregator.scheduling`` (crawls on a schedule, periodic services) belongs to this layer too;
it keeps its place because stored scheduler jobs name its modules. See docs/architecture.md.
"""
