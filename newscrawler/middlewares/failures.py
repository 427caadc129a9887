"""Count every request that finally failed, by reason, after retries and redirects.

Scrapy's own counters are spread over ``retry/``, ``downloader/exception_type_count/`` and
``httperror/`` and mix attempts with outcomes. This middleware sits on the engine side of
the chain, so it only sees what retries and redirects gave up on: one count per lost page
under ``newscrawler/failed/<reason>``, and one log line naming the URL. The exception is
then re-raised as :class:`DownloadGaveUp` (an ``IgnoreRequest``), so the engine does not log
a traceback for what is an expected, counted outcome on a bad network.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import exceptions as scrapy_exceptions
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as twisted_errors
from twisted.web._newclient import ResponseFailed

from newscrawler.archive.requisites import REQUISITE

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((scrapy_exceptions.DownloadTimeoutError, twisted_errors.TimeoutError), "timeout"),
    ((scrapy_exceptions.CannotResolveHostError, twisted_errors.DNSLookupError), "dns"),
    ((scrapy_exceptions.DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError), "connection_refused"),
    ((scrapy_exceptions.DownloadCancelledError,), "cancelled"),
    ((scrapy_exceptions.ResponseDataLossError,), "data_loss"),
    ((twisted_errors.ConnectionLost, twisted_errors.ConnectionDone, ResponseFailed), "connection_lost"),
    ((scrapy_exceptions.DownloadFailedError, twisted_errors.ConnectError), "connection_failed"),
    ((OSError,), "bad_content_encoding"),
)


class DownloadGaveUp(IgnoreRequest):
    """A download failed for good; ``reason`` is its stats key, ``__cause__`` the original error."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Chromium's net:: error codes (scrapy-playwright raises them as playwright Errors).
_BROWSER_ERRORS = {
    "ERR_TIMED_OUT": "timeout", "ERR_CONNECTION_TIMED_OUT": "timeout",
    "ERR_CONNECTION_RESET": "connection_lost", "ERR_CONNECTION_CLOSED": "connection_lost",
    "ERR_EMPTY_RESPONSE": "connection_lost", "ERR_CONTENT_LENGTH_MISMATCH": "data_loss",
    "ERR_INCOMPLETE_CHUNKED_ENCODING": "data_loss", "ERR_CONTENT_DECODING_FAILED": "bad_content_encoding",
    "ERR_NAME_NOT_RESOLVED": "dns", "ERR_CONNECTION_REFUSED": "connection_refused",
    "ERR_TOO_MANY_REDIRECTS": "redirect_loop", "ERR_FAILED": "browser_aborted", "ERR_ABORTED": "browser_aborted",
}


def browser_failure_reason(exception: BaseException) -> str | None:
    """The reason for a Playwright error (None for other exceptions), without importing Playwright."""
    if not type(exception).__module__.startswith("playwright"):
        return None
    if type(exception).__name__ == "TimeoutError":
        return "timeout"
    message = str(exception)
    return next((reason for code, reason in _BROWSER_ERRORS.items() if f"net::{code}" in message), "browser_error")


def failure_reason(exception: BaseException) -> str:
    """A short, stable name for why a download failed (used as a stats key)."""
    browser = browser_failure_reason(exception)
    if browser is not None:
        return browser
    if isinstance(exception, scrapy_exceptions.DownloadCancelledError) and "max size" in str(exception):
        return "too_large"
    for types, reason in _REASONS:
        if isinstance(exception, types):
            return reason
    return type(exception).__name__


class FailureStatsMiddleware:
    """Counts and logs final download failures and final HTTP error responses."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        # Discovery probes guessed URLs (/sitemap.xml, /feed/): failing there loses nothing.
        # Page requisites are no pages: newscrawler.archive.snapshot counts their failures.
        if response.status >= 400 and not request.meta.get("probe") and REQUISITE not in request.meta:
            self._count(request, f"http_{response.status}", f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Whoever raises IgnoreRequest (offsite, robots.txt, our guards) counts it itself.
        if isinstance(exception, IgnoreRequest):
            return
        reason = failure_reason(exception)
        detail = f"{type(exception).__name__}: {exception}".rstrip(": ")
        if request.meta.get("probe") or REQUISITE in request.meta:
            logger.debug("Probe of %s failed: %s", request.url, detail)  # not a lost page
        else:
            self._count(request, reason, detail)
        raise DownloadGaveUp(reason, f"{request.url}: {detail}") from exception

    def _count(self, request: Request, reason: str, detail: str) -> None:
        self.stats.inc_value(f"newscrawler/failed/{reason}")
        self.stats.inc_value("newscrawler/failed")
        # A missing page (often a probed sitemap or feed URL) is news, not a network problem.
        level = logging.INFO if reason in {"http_404", "http_410"} else logging.WARNING
        logger.log(level, "Gave up on %s after %d retries: %s", request.url, request.meta.get("retry_times", 0), detail)
