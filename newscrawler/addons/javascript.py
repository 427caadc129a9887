"""JavaScript rendering: Chromium through scrapy-playwright, only when a crawl asks for it.

When the settings ask for rendering (``NEWSCRAWLER_RENDER_JS`` or
``NEWSCRAWLER_RENDER_JS_PATTERNS``, into which the spider folds ``-a render_js`` and its
profile, see ``newscrawler.rendering.modes``), :class:`JavaScriptAddon` (listed in
``ADDONS``) puts scrapy-playwright's download handler in place, launches Debian's Chromium
(``newscrawler.rendering.chromium``) and enables
``newscrawler.middlewares.javascript.JavaScriptMiddleware``, which sends the pages that
need the browser through it once Scrapy has fetched them (see there why). Every other
request, robots.txt, sitemaps and feeds included, goes over plain HTTP through the same
handler. Otherwise no browser starts and nothing of Playwright is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawler.middlewares.addresses import AddressGuard
from newscrawler.rendering.chromium import BrowserRequestFilter, find_chromium, launch_options
from newscrawler.rendering.modes import js_timeout, wants_javascript

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
MIDDLEWARE = "newscrawler.middlewares.javascript.JavaScriptMiddleware"


class JavaScriptAddon:
    """Switches downloads to scrapy-playwright when the crawl needs a browser (see module doc)."""

    def __init__(self, executable: str, request_filter: BrowserRequestFilter) -> None:
        self.executable = executable
        self.request_filter = request_filter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not wants_javascript(settings):
            raise NotConfigured  # the normal case: no message, no browser
        executable = find_chromium(settings.get("NEWSCRAWLER_CHROMIUM_PATH"))
        guard = AddressGuard() if settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES", True) else None
        request_filter = BrowserRequestFilter(guard, crawler=crawler)
        crawler.signals.connect(request_filter.spider_opened, signal=signals.spider_opened)
        return cls(executable, request_filter)

    def update_settings(self, settings: BaseSettings) -> None:
        # "project" priority: add-ons run after settings.py; -s on the command line still wins.
        handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER}
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="project")
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="project")
        user_options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(self.executable, user_options), priority="project")
        settings.set("PLAYWRIGHT_ABORT_REQUEST", self.request_filter, priority="project")
        # One context; pages are closed after each response. Few pages at once: each is a
        # renderer process, and memory, not bandwidth, is what a browser crawl runs out of.
        settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority="project")
        pages = min(settings.getint("NEWSCRAWLER_JS_MAX_PAGES", 4), settings.getint("CONCURRENT_REQUESTS", 16))
        settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", max(1, pages), priority="project")
        # The browser renders a copy Scrapy already fetched: its time is CPU and the page's own
        # scripts, not the server's answer, so it has its own limit, not DOWNLOAD_TIMEOUT.
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", js_timeout(settings) * 1000, priority="project")
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        settings.set("DOWNLOADER_MIDDLEWARES", {**middlewares, MIDDLEWARE: 80}, priority="project")
