"""Scrapy's own commands as tinlaodong runs them (``COMMANDS_MODULE`` of
``aggregator.app.scrapy_settings``): ``crawl`` checks its input first and exits as
``tinlaodong crawl`` does."""
