"""Stop a redirect that returns to a URL already visited in the same redirect chain.

Scrapy would follow ``/a -> /b -> /a -> ...`` until REDIRECT_MAX_TIMES and then drop it
without a stats counter. A cycle is known the moment a URL repeats, so it is dropped
there, counted under ``newscrawler/failed/redirect_loop`` and logged with the chain.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class RedirectLoopMiddleware:
    """Drops a redirected request whose URL already appears in its redirect chain."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_request(self, request: Request) -> None:
        chain = request.meta.get("redirect_urls")
        if chain and request.url in chain:
            self.stats.inc_value("newscrawler/failed/redirect_loop")
            self.stats.inc_value("newscrawler/failed")
            logger.warning("Dropped redirect loop: %s", " -> ".join([*chain, request.url]))
            raise IgnoreRequest(f"redirect loop back to {request.url}")
