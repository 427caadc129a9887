"""Did the crawl do its work? One verdict, in the stats, the report and the exit status.

A scheduler (cron, systemd, Scrapyd) only sees the exit status, so it must not be 0 when the
site could not be crawled or articles were lost:

- 0: the crawl did its work;
- 1: usage or configuration error, before crawling (``scrapy crawl``, see ``commands/crawl.py``);
- 2: the site could not be crawled (finish reason ``start_pages_failed`` or
  ``robots_unreadable``), or articles were lost on their way to a store (finish reason
  ``rows_lost``).

Components report trouble through public means only: closing the spider with one of
:data:`SITE_FAILED_REASONS`, or counting lost rows under :data:`ROWS_LOST_STAT`.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_USAGE, EXIT_NOT_DONE = 0, 1, 2
SITE_FAILED_REASONS = frozenset({"start_pages_failed", "robots_unreadable"})
"""Close reasons meaning the site could not be crawled."""
ROWS_LOST = "rows_lost"
ROWS_LOST_STAT = "newscrawler/rows_lost"
"""Articles a store refused or lost with a failed batch (each store counts its own)."""
VERDICT_STAT = "newscrawler/verdict"
EXIT_STATUS_STAT = "newscrawler/exit_status"


def crawl_verdict(reason: str, stats: dict[str, Any]) -> tuple[str, int]:
    """The verdict (``ok``, a site failure reason or ``rows_lost``) and its exit status."""
    if reason in SITE_FAILED_REASONS:
        return reason, EXIT_NOT_DONE
    if stats.get(ROWS_LOST_STAT):
        return ROWS_LOST, EXIT_NOT_DONE
    return "ok", EXIT_OK


class CrawlVerdict:
    """Sets ``newscrawler/verdict`` and ``newscrawler/exit_status`` when the spider closes; a
    crawl that lost rows gets the finish reason ``rows_lost``.

    Runs after Scrapy's CoreStats (which records the close reason) and before the report and
    the stores' crawl log, which read the verdict.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        verdict, status = crawl_verdict(reason, stats.get_stats())
        stats.set_value(VERDICT_STAT, verdict)
        stats.set_value(EXIT_STATUS_STAT, status)
        if verdict == ROWS_LOST:
            stats.set_value("finish_reason", ROWS_LOST)
            logger.error("%d articles were not stored (see the errors above): exit status %d",
                         stats.get_value(ROWS_LOST_STAT), status)
        elif status != EXIT_OK:
            logger.error("The site could not be crawled (%s): exit status %d", verdict, status)
