"""Discovery parsers: robots.txt, sitemaps, feeds and date windows. Pure: bytes in, data out.

The spider fetches; these functions say what a fetched robots.txt, sitemap or feed lists
and whether a date falls in the crawl's window. None of them imports Scrapy.
"""

from __future__ import annotations

from newscrawler.discovery.dates import DateReader, date_from_url, in_window, normalize_date
from newscrawler.discovery.feeds import COMMON_FEED_PATHS, Feed, FeedEntry, feed_links, is_feed, parse_feed
from newscrawler.discovery.robots import sitemap_urls_from_robots
from newscrawler.discovery.sitemaps import COMMON_SITEMAP_PATHS, Sitemap, SitemapEntry, is_sitemap, parse_sitemap

__all__ = [
    "COMMON_FEED_PATHS",
    "COMMON_SITEMAP_PATHS",
    "DateReader",
    "Feed",
    "FeedEntry",
    "Sitemap",
    "SitemapEntry",
    "date_from_url",
    "feed_links",
    "in_window",
    "is_feed",
    "is_sitemap",
    "normalize_date",
    "parse_feed",
    "parse_sitemap",
    "sitemap_urls_from_robots",
]
