"""Send the pages that need JavaScript through Chromium (scrapy-playwright), nothing else.

Enabled by ``newscrawler.browser.JavaScriptAddon`` only when the crawl renders pages. A
request goes to the browser when it is an HTML page for the spider's ``parse`` (not
robots.txt, a sitemap or a feed) and either every page is rendered (``-a render_js=1``,
``NEWSCRAWLER_RENDER_JS``, a profile's ``render_js = true``) or its URL matches one of the
profile's ``render_js`` patterns. A request that already says ``meta["playwright"]`` keeps
its own choice. The page is closed after its HTML is read (``playwright_include_page``
False) and the browser waits until the network is idle, or for the CSS selector in
``NEWSCRAWLER_JS_WAIT_FOR`` when a site needs that instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy_playwright.page import PageMethod

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

_NOT_HTML = re.compile(r"(?:/robots\.txt|\.(?:xml|xml\.gz|gz|json|txt|rss|atom|pdf|jpe?g|png|gif|webp|svg|css|js))$",
                       re.IGNORECASE)


class JavaScriptMiddleware:
    """Marks requests for the browser, per the crawl's render_js choice."""

    def __init__(self, stats: StatsCollector, render_all: bool, wait_for: str | None) -> None:
        self.stats = stats
        self.render_all = render_all
        self.patterns: tuple[re.Pattern[str], ...] = ()
        self.page_methods = [PageMethod("wait_for_selector", wait_for) if wait_for
                             else PageMethod("wait_for_load_state", "networkidle")]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from newscrawler.browser import wants_javascript

        if not wants_javascript(crawler):
            raise NotConfigured  # off by default: no warning for what nobody asked for
        middleware = cls(crawler.stats, crawler.settings.getbool("NEWSCRAWLER_RENDER_JS"),
                         crawler.settings.get("NEWSCRAWLER_JS_WAIT_FOR") or None)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        patterns = tuple(getattr(profile, "render_js_patterns", ()) or ())
        if getattr(spider, "render_js", False) or (getattr(profile, "render_js", False) and not patterns):
            self.render_all = True
        self.patterns = patterns

    def needs_browser(self, request: Request) -> bool:
        callback = getattr(request.callback, "__name__", "parse")
        if callback != "parse" or _NOT_HTML.search(request.url.split("?", 1)[0]):
            return False
        return self.render_all or any(p.search(request.url) for p in self.patterns)

    def process_request(self, request: Request) -> None:
        if "playwright" in request.meta or not self.needs_browser(request):
            return
        request.meta["playwright"] = True
        request.meta.setdefault("playwright_include_page", False)
        request.meta.setdefault("playwright_page_methods", self.page_methods)
        self.stats.inc_value("newscrawler/js/rendered")
