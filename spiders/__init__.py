"""Crawling: one generic spider driven by the site registry, and its Scrapy components.

Page objects (what a listing links to, what an article says) live in ``aggregator.profiles``,
apart from the spider, which only navigates.
"""
