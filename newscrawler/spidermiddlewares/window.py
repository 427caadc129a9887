"""The date window (``-a since`` / ``-a until``): stories outside it are neither fetched nor kept.

Before fetching, a link is judged by the best date known for it: the publication date or
lastmod its sitemap or feed entry gives, else a date in its URL (``/2024/03/05/``). Links with
no known date are fetched, and judged by the date their page states once extracted: an
article outside the window is dropped here before it reaches the pipelines. Both count under
``newscrawler/skipped/outside_window``. A child sitemap last changed before the window opened
lists nothing inside it and is not fetched. Pagination is never cut by the window: a listing's
next page may still hold stories inside it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import date
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newscrawler.discovery.dates import date_from_url, in_window

logger = logging.getLogger(__name__)

OUTSIDE_WINDOW_STAT = "newscrawler/skipped/outside_window"


class DateWindowMiddleware:
    """Spider middleware: drops links and articles dated outside ``since..until``."""

    def __init__(self, stats: StatsCollector, since: date | None, until: date | None) -> None:
        self.stats = stats
        self.since = since
        self.until = until

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        since = _day_setting(crawler.settings, "NEWSCRAWLER_SINCE")
        until = _day_setting(crawler.settings, "NEWSCRAWLER_UNTIL")
        if since is None and until is None:
            raise NotConfigured("no date window (-a since / -a until)")
        return cls(crawler.stats, since, until)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        return (obj for obj in result if self._inside(obj))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in result:
            if self._inside(obj):
                yield obj

    def _inside(self, obj: Any) -> bool:
        if isinstance(obj, Request):
            return self._request_inside(obj)
        if not ItemAdapter.is_item(obj):
            return True
        published = ItemAdapter(obj).get("published_at")
        if in_window(published, self.since, self.until) is False:
            self.stats.inc_value(OUTSIDE_WINDOW_STAT)
            logger.info("Skipped %s: published %s, outside the window", ItemAdapter(obj).get("url"), published)
            return False
        return True

    def _request_inside(self, request: Request) -> bool:
        meta = request.meta
        lastmod = meta.get("sitemap_lastmod")
        if lastmod and in_window(lastmod, self.since, None) is False:
            logger.debug("Not fetching sitemap %s: last changed %s, before the window", request.url, lastmod)
            return False
        if not meta.get("page_link") or meta.get("discovered_via") == "pagination":
            return True
        listing = meta.get("listing") or {}
        day = listing.get("published") or listing.get("lastmod") or date_from_url(request.url)
        if day is None:
            return True
        if in_window(day.isoformat() if isinstance(day, date) else day, self.since, self.until) is False:
            self.stats.inc_value(OUTSIDE_WINDOW_STAT)
            return False
        return True


def _day_setting(settings: Any, name: str) -> date | None:
    value = settings.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}={value!r} is not valid: expected a day as YYYY-MM-DD") from None
