"""A progress line every few seconds, so a long or scheduled crawl can be watched in its log.

    Progress: 1204 pages (38.5/min), 426 articles extracted: 310 new, 12 updated, 95 unchanged,
    7 duplicate; 41 skipped, 3 failed, 0 errors; 0:31:20 elapsed

Counts come from Scrapy stats (pages, dedupe decisions, skips, failures) and from the
``item_scraped`` signal (new vs updated, which no stats key says).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call

from newscrawler.extensions.tally import ArticleTally

logger = logging.getLogger(__name__)

DUPLICATE_KINDS = ("url", "canonical", "exact", "near")
"""The duplicate verdicts of ``newscrawler.dedupe.index``; its pipeline counts each as ``dedupe/<kind>``."""
UNCHANGED_KEY = "dedupe/unchanged"
SKIP_PREFIXES = ("newscrawler/skipped/", "newscrawler/dropped/")
SCRAPY_SKIPS = {"robotstxt/forbidden": "robots_txt_disallowed", "offsite/filtered": "offsite"}
"""Skips Scrapy's own middlewares count, and the names the report gives them."""


REQUISITE_RESPONSES = "newscrawler/archive/requisites/responses"
"""Responses to page requisites (snapshot mode): fetched, but not pages."""


def pages_fetched(stats: dict[str, Any]) -> int:
    """Pages the crawl fetched: every response but those to page requisites."""
    return stats.get("response_received_count", 0) - stats.get(REQUISITE_RESPONSES, 0)


def progress_counts(stats: dict[str, Any], tally: ArticleTally) -> dict[str, int]:
    """The numbers a progress line shows, from a stats snapshot and the item tally."""
    return {
        "pages": pages_fetched(stats),
        "extracted": stats.get("newscrawler/articles/extracted", 0),
        "new": tally.new,
        "updated": tally.updates,
        "unchanged": stats.get(UNCHANGED_KEY, 0),
        "duplicate": sum(stats.get(f"dedupe/{kind}", 0) for kind in DUPLICATE_KINDS),
        "skipped": sum(v for k, v in stats.items() if isinstance(v, int) and (k.startswith(SKIP_PREFIXES)
                                                                              or k in SCRAPY_SKIPS)),
        "failed": stats.get("newscrawler/failed", 0),
        "errors": stats.get("log_count/ERROR", 0),
    }


class CrawlProgress:
    """Logs a progress line every ``NEWSCRAWLER_PROGRESS_INTERVAL`` seconds (0 switches it off)."""

    def __init__(self, stats: StatsCollector, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.tally = ArticleTally()
        self.task: Any = None
        self.started = time.monotonic()
        self.previous_pages = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("NEWSCRAWLER_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("NEWSCRAWLER_PROGRESS_INTERVAL is 0")
        extension = cls(crawler.stats, interval)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        self.tally.add(item)

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.log_progress)
        self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.log_progress(final=True)

    def log_progress(self, final: bool = False) -> None:
        counts = progress_counts(self.stats.get_stats(), self.tally)
        elapsed = time.monotonic() - self.started
        recent = counts["pages"] - self.previous_pages
        self.previous_pages = counts["pages"]
        # The final line gives the whole crawl's rate; the others the rate since the last line.
        rate = counts["pages"] / elapsed * 60 if final and elapsed else recent / self.interval * 60
        logger.info(
            "%s: %d pages (%.1f/min), %d articles extracted: %d new, %d updated, %d unchanged, %d duplicate; "
            "%d skipped, %d failed, %d errors; %s elapsed",
            "Progress (final)" if final else "Progress", counts["pages"], rate, counts["extracted"], counts["new"],
            counts["updated"],
            counts["unchanged"], counts["duplicate"], counts["skipped"], counts["failed"], counts["errors"],
            _clock(elapsed),
        )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
