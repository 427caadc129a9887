"""Render the pages that need JavaScript in Chromium (scrapy-playwright), after Scrapy fetched them.

Enabled by ``newscrawler.addons.javascript.JavaScriptAddon`` only when the crawl renders pages. A
page needs the browser when it is an HTML page for the spider's ``parse`` (not robots.txt,
a sitemap or a feed) and either every page is rendered (``-a render_js=1``,
``NEWSCRAWLER_RENDER_JS``, a profile's ``render_js = true``), its URL matches one of the
profile's ``render_js`` patterns, or the mode is ``auto`` and rendering was found to pay for
pages of its kind. All of it is read from the settings, into which the spider folds its
argument and profile (``newscrawler.rendering.modes``).

``auto`` learns where rendering pays, per kind of page (``newscrawler.extract.render_gain``:
a section, its pagination, a story URL pattern, a calendar). The first pages of each kind
are rendered as samples and compared with the plain fetch; a kind whose rendered copy showed
new story links, new links or much more text keeps being rendered, and any other kind is
fetched plainly from then on. The kinds rendered, and why, are logged, counted
(``newscrawler/js/kinds_rendered``, ``.../kinds_plain``) and listed in the crawl report.

Such a page is first fetched like any other, so everything the crawl does about a hostile
network applies to it unchanged: retries and ``Retry-After``, redirects checked against
the allowed domains, redirect loops and private addresses, truncated and oversized
bodies. Chromium would follow redirects itself, where no middleware (and no Playwright
route) can see them. Only the final 200 HTML response is then sent to the browser: the
request goes round once more with ``meta["playwright"]``, and the browser is served the
fetched document from memory (:func:`serve_prefetched_document`) instead of asking the
server again; its scripts' own requests go out through ``BrowserRequestFilter``. The page
is closed after its HTML is read, once the network is idle (or the CSS selector in
``NEWSCRAWLER_JS_WAIT_FOR`` shows). When the browser fails for good, the page as fetched
is passed on instead (``newscrawler/js/render_failed/<reason>``, one warning line).

The browser's time limit is ``NEWSCRAWLER_JS_TIMEOUT``, not ``DOWNLOAD_TIMEOUT``: the page
is already in memory, so rendering waits on the CPU and the page's own scripts, not on the
server. scrapy-playwright logs a warning with a traceback for every failed render, before
the error reaches this middleware; :class:`QuietHandledRenderFailures` turns that record
into a DEBUG line without the traceback for the renders this middleware retries or
replaces, which it reports itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from scrapy_playwright.page import PageMethod

from newscrawler.archive.requisites import REQUISITE
from newscrawler.extract.article import decode_declared
from newscrawler.extract.render_gain import page_kind, render_gain
from newscrawler.middlewares.failures import browser_failure_reason
from newscrawler.rendering.modes import AUTO, crawl_render_mode, js_timeout, render_patterns, wants_javascript
from newscrawler.signals import collect_report_sections

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)
PLAYWRIGHT_LOGGER = "scrapy-playwright"

PREFETCHED = "newscrawler_prefetched"
"""Request meta key: the fetched document (url, status, headers, body) the browser renders."""
# Browser failures worth another try: the network, not the page, was at fault.
_TRANSIENT = frozenset({"timeout", "connection_lost", "data_loss", "connection_refused"})
_NOT_HTML = re.compile(r"(?:/robots\.txt|\.(?:xml|xml\.gz|gz|json|txt|rss|atom|pdf|jpe?g|png|gif|webp|svg|css|js))$",
                       re.IGNORECASE)
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_SAMPLE = "newscrawler_render_sample"
"""Request meta key: this render is the sample that decides its kind of page (render_js=auto)."""
# Describe the original transfer, not the decoded body the browser is given.
_DROPPED_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


async def serve_prefetched_document(page: Any, request: Request) -> None:
    """``playwright_page_init_callback``: answer the page's first navigation from memory."""
    document = request.meta[PREFETCHED]
    served = False

    async def handler(route: Any) -> None:
        nonlocal served
        if not served and route.request.is_navigation_request():
            served = True
            await route.fulfill(status=document["status"], headers=document["headers"], body=document["body"])
        else:
            await route.fallback()  # scrapy-playwright's own handler: BrowserRequestFilter, headers

    await page.route("**/*", handler)


class QuietHandledRenderFailures(logging.Filter):
    """On scrapy-playwright's logger: its "Closing page due to failed request" warning, logged
    with a traceback, becomes a DEBUG line without one for a render of a prefetched page that
    failed in a way :meth:`JavaScriptMiddleware.process_exception` handles (it retries the
    render or uses the page as fetched, and logs one warning line itself). Anything else
    scrapy-playwright logs passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if (record.levelno == logging.WARNING and str(record.msg).startswith("Closing page due to failed request")
                and PREFETCHED in (getattr(request, "meta", None) or {})
                and browser_failure_reason(getattr(record, "exception", None) or Exception()) is not None):
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            # Handlers (Scrapy's root handler at LOG_LEVEL) compare levelno: below it, dropped.
        return True


class JavaScriptMiddleware:
    """Sends fetched pages that need JavaScript back round through the browser."""

    def __init__(self, crawler: Crawler, wait_for: str | None, timeout: float = 30.0) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.render_all = False
        self.auto = False
        self.patterns: tuple[re.Pattern[str], ...] = ()
        # wait_for_load_state takes the navigation timeout scrapy-playwright sets on each page
        # (NEWSCRAWLER_JS_TIMEOUT, see rendering/modes.py); wait_for_selector needs it given.
        self.page_methods = [PageMethod("wait_for_selector", wait_for, timeout=timeout * 1000) if wait_for
                             else PageMethod("wait_for_load_state", "networkidle")]
        self.log_filter = QuietHandledRenderFailures()
        self.kinds: dict[str, bool] = {}
        """Kinds of page decided in auto mode: rendered (True) or fetched plainly (False)."""
        self.reasons: dict[str, str] = {}
        self._sampling: dict[str, asyncio.Future[None]] = {}
        self.sample_wait = 3 * timeout + 30
        """Seconds a page waits for its kind's sample (retries included) before it samples itself."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not wants_javascript(crawler.settings):
            raise NotConfigured("no page of this crawl is rendered")
        middleware = cls(crawler, crawler.settings.get("NEWSCRAWLER_JS_WAIT_FOR") or None,
                         js_timeout(crawler.settings))
        middleware.read_mode()
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.report_sections, signal=collect_report_sections)
        logging.getLogger(PLAYWRIGHT_LOGGER).addFilter(middleware.log_filter)
        return middleware

    def spider_closed(self, spider: Spider) -> None:
        logging.getLogger(PLAYWRIGHT_LOGGER).removeFilter(self.log_filter)

    def read_mode(self) -> None:
        """Every page, auto or URL patterns, from the settings (the spider folded its own in)."""
        mode = crawl_render_mode(self.crawler.settings)
        self.render_all, self.auto = mode is True, mode == AUTO
        self.patterns = render_patterns(self.crawler.settings)

    async def needs_browser(self, request: Request, url: str | None = None, body: bytes | None = None) -> bool:
        url = url or request.url
        callback = getattr(request.callback, "__name__", "parse")
        if callback != "parse" or _NOT_HTML.search(url.split("?", 1)[0]):
            return False
        if self.render_all or any(p.search(url) or p.search(request.url) for p in self.patterns):
            return True
        if self.auto and body is not None:
            return await self._kind_verdict(request, page_kind(url))
        return False

    async def _kind_verdict(self, request: Request, kind: str) -> bool:
        """Render pages of this kind? The first page of an undecided kind is the sample (rendered);
        the others of its kind wait for the sample's verdict instead of all going to the browser."""
        while self.kinds.get(kind) is None:
            pending = self._sampling.get(kind)
            if pending is None:
                self._sampling[kind] = asyncio.get_running_loop().create_future()
                request.meta[_SAMPLE] = kind
                return True
            try:
                await asyncio.wait_for(asyncio.shield(pending), self.sample_wait)
            except asyncio.TimeoutError:  # the sample was lost on the way: this page samples instead
                if self._sampling.get(kind) is pending:
                    self._sample_done(kind)
        return self.kinds[kind]

    def _sample_done(self, kind: str) -> None:
        pending = self._sampling.pop(kind, None)
        if pending is not None and not pending.done():
            pending.set_result(None)

    def learn(self, request: Request, rendered: Response) -> None:
        """A sample of an undecided kind came back from the browser: does rendering pay for its kind?"""
        kind = request.meta.get(_SAMPLE) or page_kind(request.meta[PREFETCHED]["url"])
        if self.kinds.get(kind) is None:
            gain = render_gain(request.meta[PREFETCHED]["body"], rendered.body, rendered.url)
            self.kinds[kind] = gain.pays(entry_page=request.meta.get("discovered_via") == "start")
            self.reasons[kind] = f"{gain.reason()} on {rendered.url}"
            verdict = "rendered" if self.kinds[kind] else "plain"
            self.stats.inc_value(f"newscrawler/js/kinds_{verdict}")
            logger.info("render_js=auto: pages like %s are %s from now on (%s)", kind,
                        "rendered" if self.kinds[kind] else "fetched without the browser", self.reasons[kind])
        self._sample_done(kind)

    def report_sections(self) -> dict[str, Any]:
        if not self.auto:
            return {}
        return {"render_js_auto": {kind: {"rendered": rendered, "why": self.reasons.get(kind, "")}
                                   for kind, rendered in sorted(self.kinds.items())}}

    def process_request(self, request: Request) -> None:
        if PREFETCHED in request.meta:
            request.meta["playwright"] = True
            request.meta["playwright_include_page"] = False
            request.meta["playwright_page_init_callback"] = f"{__name__}.serve_prefetched_document"
            request.meta.setdefault("playwright_page_methods", self.page_methods)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if PREFETCHED in request.meta:
            if _SAMPLE in request.meta:
                if response.status == 200 and "rendered_as_fetched" not in response.flags:
                    self.learn(request, response)
                else:  # the browser could not say: the next page of the kind is the sample
                    self._sample_done(request.meta[_SAMPLE])
            return response  # rendered already
        if "playwright" in request.meta or REQUISITE in request.meta:
            return response  # a request that chose for itself, or no page
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if response.status != 200 or not any(t in content_type for t in _HTML_TYPES) \
                or not await self.needs_browser(request, response.url, response.body):
            return response
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS}
        # A follow-up of the fetch, not a seed: a shared frontier drops seeds it has seen.
        meta = {k: v for k, v in request.meta.items() if k not in {"retry_times", "download_slot", "is_start_request"}}
        body = response.body
        if isinstance(response, TextResponse) and "\ufffd" in response.text:
            # The browser would read the bad bytes as the spider would not: give it clean UTF-8.
            body = decode_declared(body, response.encoding).encode("utf-8")
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            headers["Content-Type"] = "text/html; charset=utf-8"
        meta[PREFETCHED] = {"url": response.url, "status": response.status, "headers": headers, "body": body}
        self.stats.inc_value("newscrawler/js/rendered")
        return request.replace(url=response.url, meta=meta, dont_filter=True)

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        """Retry what the browser lost to the network (RetryMiddleware does not know
        Playwright's exceptions); when that fails too, pass the page on as fetched."""
        document = request.meta.get(PREFETCHED)
        if document is None:
            return None
        reason = browser_failure_reason(exception)
        if reason is None:
            return None
        if reason in _TRANSIENT and not request.meta.get("dont_retry"):
            # Giving up is logged once, below, as a warning: not also as Scrapy's error line.
            retry = get_retry_request(request, spider=self.crawler.spider, reason=f"browser_{reason}",
                                      give_up_log_level=logging.DEBUG)
            if retry is not None:
                return retry
        self.stats.inc_value(f"newscrawler/js/render_failed/{reason}")
        detail = " ".join(str(exception).split("\n", 1)[0].split())  # Playwright appends a call log
        logger.warning("Could not render %s in the browser after %d retries (%s: %s); using the page as fetched",
                       request.url, request.meta.get("retry_times", 0), reason, detail)
        if _SAMPLE in request.meta:
            self._sample_done(request.meta[_SAMPLE])
        return HtmlResponse(document["url"], status=document["status"], headers=document["headers"],
                            body=document["body"], request=request, flags=["rendered_as_fetched"])
