"""Honour ``Retry-After`` on 429 and 503 before Scrapy's RetryMiddleware retries.

Scrapy retries at once; a server that says "come back in 5 seconds" usually answers the
immediate retry with another 503 and the page is lost. This middleware runs just inside
RetryMiddleware, so when a retry is still allowed it waits the time the server asked for
(capped by ``NEWSCRAWLER_RETRY_AFTER_MAX`` seconds) and then lets RetryMiddleware retry.
The wait is a coroutine: other requests keep downloading meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delay-seconds or HTTP date); None if unusable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    """Waits out ``Retry-After`` (up to a cap) before a 429/503 is retried."""

    def __init__(self, max_wait: float, max_retry_times: int, stats: StatsCollector) -> None:
        self.max_wait, self.max_retry_times, self.stats = max_wait, max_retry_times, stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off: nothing is retried, so there is nothing to wait for")
        max_wait = settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX", 30.0)
        if max_wait <= 0:
            raise NotConfigured("NEWSCRAWLER_RETRY_AFTER_MAX is 0")
        return cls(max_wait, settings.getint("RETRY_TIMES"), crawler.stats)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in _STATUSES or request.meta.get("dont_retry"):
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.max_retry_times):
            return response
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is None:
            return response
        if seconds > self.max_wait:
            self.stats.inc_value("newscrawler/retry_after/capped")
            logger.info("%s asks to retry after %.0fs; waiting %.0fs (NEWSCRAWLER_RETRY_AFTER_MAX)",
                        request.url, seconds, self.max_wait)
            seconds = self.max_wait
        self.stats.inc_value("newscrawler/retry_after/waited")
        await asyncio.sleep(seconds)
        return response
