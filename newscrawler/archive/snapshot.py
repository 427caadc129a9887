"""Page requisites: with ``NEWSCRAWLER_ARCHIVE=snapshot``, fetch what archived pages need.

For every HTML page that comes back 200, :class:`PageRequisitesMiddleware` reads what the
page asks a browser to load (``newscrawler.archive.requisites``) and fetches each URL once
per crawl through ``engine.download_async``: the same downloader middlewares as pages
(the private-address guard, retries, the WARC writer), but no scheduler, no spider, no
offsite filter: a requisite may live on a CDN and is never parsed as a page. A fetched
stylesheet is read in turn for its ``@import`` and ``url()`` references. A page rendered
in Chromium adds what the browser itself requested while rendering it.

Requisites are fetched regardless of robots.txt, as a browser showing the page would.
Caps: ``NEWSCRAWLER_ARCHIVE_RESOURCE_MAX_SIZE`` per resource (bigger ones are cancelled and
not archived) and ``NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE`` for all of a crawl's requisites.
Everything is counted under ``newscrawler/archive/requisites/...``: ``fetched``, ``bytes``,
``failed/<reason>``, ``skipped/<reason>``.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawler.archive.config import ArchiveConfig
from newscrawler.archive.requisites import (
    FONT,
    IMAGE,
    MEDIA,
    OTHER,
    REQUISITE,
    SCRIPT,
    STYLESHEET,
    SrcsetStats,
    absolute,
    css_references,
    html_requisites,
)
from newscrawler.extensions.progress import REQUISITE_RESPONSES
from newscrawler.middlewares.failures import DownloadGaveUp, failure_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STATS = "newscrawler/archive/requisites"
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
# What Chromium calls the resources it loads, as requisite kinds.
_BROWSER_KINDS = {"stylesheet": STYLESHEET, "image": IMAGE, "font": FONT, "script": SCRIPT, "media": MEDIA,
                  "fetch": OTHER, "xhr": OTHER, "manifest": OTHER, "texttrack": OTHER, "other": OTHER}


# Browser loads that are no part of the page's look: frames are pages, streams never end.
_NOT_REQUISITES = frozenset({"document", "eventsource", "websocket", "ping", "beacon", "cspviolationreport"})


def is_requisite(request: Request) -> bool:
    """Whether ``request`` fetches a page requisite (components that handle pages skip those)."""
    return REQUISITE in request.meta


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def requisite_request(url: str, kind: str, referrer: str, max_size: int) -> Request:
    """The request for one requisite: any host (CDNs), robots.txt not asked, the size cap set;
    every downloader middleware, the private-address guard included, still applies."""
    return Request(
        url, headers={"Referer": referrer}, dont_filter=True, priority=-5,
        meta={REQUISITE: kind, "allow_offsite": True, "dont_obey_robotstxt": True,
              "download_maxsize": max_size, "download_warnsize": 0, "referrer": referrer},
    )


def failure_reason_of(exception: BaseException) -> str:
    """Stats key for a requisite that could not be fetched."""
    if isinstance(exception, DownloadGaveUp):
        # Scrapy cancels a body that grows past download_maxsize without saying why; nothing
        # else cancels a requisite while the crawl runs.
        return "too_large" if exception.reason == "cancelled" else exception.reason
    if isinstance(exception, IgnoreRequest):
        # The address guard's refusals (before the request, or of its DNS answers).
        return "private_address" if "not a public address" in str(exception) else "ignored"
    return failure_reason(exception)


class PageRequisitesMiddleware:
    """Downloader middleware: archives what every HTML page needs to be shown (see module doc)."""

    def __init__(self, crawler: Crawler, config: ArchiveConfig) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.seen: set[str] = set()
        self.bytes = 0
        self._tasks: set[asyncio.Future[None]] = set()
        self._cap_logged = False
        # Requisites in flight at once: the crawl's cap is checked as each one starts, so it is
        # overshot by at most this many resources.
        self._in_flight = asyncio.Semaphore(max(1, crawler.settings.getint("CONCURRENT_REQUESTS")))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = ArchiveConfig.from_settings(crawler.settings)
        if not config.snapshot:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        middleware = cls(crawler, config)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def spider_idle(self) -> None:
        if self._tasks:
            raise DontCloseSpider  # requisites still on their way: they go in this crawl's WARCs

    def process_request(self, request: Request) -> None:
        if request.meta.get("playwright") and not is_requisite(request):
            # What the browser loads while rendering this page (images it skips included).
            handlers = dict(request.meta.get("playwright_page_event_handlers") or {})
            handlers["request"] = partial(self._browser_request, request.url)
            request.meta["playwright_page_event_handlers"] = handlers

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get(REQUISITE)
        if kind is not None:
            self._requisite_arrived(kind, response)
        elif response.status == 200 and any(t in response.headers.get(b"Content-Type", b"").lower()
                                             for t in _HTML_TYPES):
            srcsets = SrcsetStats()
            found = html_requisites(response.body, response.url, self.config.max_srcset_candidates, srcsets)
            if srcsets.dropped:
                self.stats.inc_value(f"{STATS}/skipped/srcset_candidates", srcsets.dropped)
            for requisite in found:
                self.queue(requisite.url, requisite.kind, response.url)
        return response

    def _requisite_arrived(self, kind: str, response: Response) -> None:
        self.stats.inc_value(REQUISITE_RESPONSES)  # the crawl's page counts leave these out
        self.bytes += len(response.body)
        self.stats.inc_value(f"{STATS}/bytes", len(response.body))
        if kind != STYLESHEET or response.status != 200:
            return
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if any(t in content_type for t in _HTML_TYPES) or looks_like_html(response.body):
            # A missing sheet answered by the site's HTML page: archived as served, not read.
            self.stats.inc_value(f"{STATS}/skipped/stylesheet_is_html")
            logger.info("Stylesheet %s is an HTML page: its references are not followed", response.url)
            return
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        for requisite in css_references(text, response.url):
            self.queue(requisite.url, requisite.kind, response.url)

    def _browser_request(self, page_url: str, browser_request: Any) -> None:
        if browser_request.resource_type in _NOT_REQUISITES or browser_request.method != "GET":
            return
        url = absolute(browser_request.url, page_url)
        if url:
            self.queue(url, _BROWSER_KINDS.get(browser_request.resource_type, OTHER), page_url)

    def queue(self, url: str, kind: str, referrer: str) -> None:
        """Fetch ``url`` unless this crawl fetched it already or the crawl's cap is reached."""
        if url in self.seen:
            return
        self.seen.add(url)
        if self._over_cap():
            return
        request = requisite_request(url, kind, referrer, self.config.resource_max_size)
        task = asyncio.ensure_future(self._fetch(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _over_cap(self) -> bool:
        """Whether the crawl's requisites reached NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE (counted, logged once)."""
        if self.bytes < self.config.crawl_max_size:
            return False
        self.stats.inc_value(f"{STATS}/skipped/crawl_size_cap")
        if not self._cap_logged:
            self._cap_logged = True
            logger.warning("Page requisites reached NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE (%d bytes): no more are "
                           "fetched in this crawl", self.config.crawl_max_size)
        return True

    async def _fetch(self, request: Request) -> None:
        engine = self.crawler.engine
        assert engine is not None
        async with self._in_flight:
            if self._over_cap():
                return
            await self._download(engine, request)

    async def _download(self, engine: Any, request: Request) -> None:
        try:
            if hasattr(engine, "download_async"):  # Scrapy 2.14+
                response = await engine.download_async(request)
            else:
                response = await maybe_deferred_to_future(engine.download(request))
        except Exception as exc:  # noqa: BLE001 - any download error is one lost requisite, counted
            self._failed(request, failure_reason_of(exc), f"{type(exc).__name__}: {exc}")
        else:
            if response.status >= 400:
                self._failed(request, f"http_{response.status}", f"HTTP {response.status}")
            else:
                self.stats.inc_value(f"{STATS}/fetched")
                self.stats.inc_value(f"{STATS}/fetched/{request.meta[REQUISITE]}")

    def _failed(self, request: Request, reason: str, detail: str) -> None:
        self.stats.inc_value(f"{STATS}/failed")
        self.stats.inc_value(f"{STATS}/failed/{reason}")
        logger.info("Requisite %s of %s not archived: %s", request.url, request.meta.get("referrer"), detail)
