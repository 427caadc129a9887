"""JavaScript rendering: Chromium through scrapy-playwright, only when a crawl asks for it.

A crawl asks for it with ``-a render_js=1`` (every page), ``-a render_js=auto`` (only
pages that arrive as script-built shells, see ``newscrawler.extract.scripted``), with a site
profile's ``render_js = true``, ``"auto"`` or ``["pattern", ...]`` (pages whose URL
matches), or with ``-s NEWSCRAWLER_RENDER_JS=1`` or ``=auto`` (for any spider). Then
:class:`JavaScriptAddon` (listed in ``ADDONS``; it reads the spider, which exists by the time
add-ons load) puts scrapy-playwright's download handler in place, launches Debian's Chromium
and enables
``newscrawler.middlewares.javascript.JavaScriptMiddleware``, which sends the pages that
need the browser through it once Scrapy has fetched them (see there why). Every other
request, robots.txt, sitemaps and feeds included, goes over plain HTTP through the same
handler. Without any of the three, no browser starts and nothing of Playwright is imported.

The browser is ``NEWSCRAWLER_CHROMIUM_PATH`` when set, else the first of ``chromium``,
``chromium-browser``, ``google-chrome`` on ``PATH``; a crawl that needs it and finds none
stops at start-up saying so.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured, UsageError

from newscrawler.middlewares.addresses import AddressGuard

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
    # A crawl renders one site: its pages can share renderer processes, which is most of the memory.
    "--process-per-site",
    "--disable-features=site-per-process,Translate,BackForwardCache,MediaRouter",
)
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
MIDDLEWARE = "newscrawler.middlewares.javascript.JavaScriptMiddleware"
# Pictures, video and fonts do not change the text; skipping them saves time and memory.
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})


class BrowserNotFoundError(UsageError):
    """JavaScript rendering was asked for and no Chromium executable was found."""


def find_chromium(configured: str | None = None) -> str:
    """Path of the Chromium to launch: ``configured`` if given, else the first one on PATH."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise BrowserNotFoundError(
            f"NEWSCRAWLER_CHROMIUM_PATH={configured!r} is not an executable file; point it at Chromium "
            "(Debian: apt-get install chromium, then /usr/bin/chromium)")
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFoundError(
        "JavaScript rendering needs Chromium and none was found on PATH (looked for "
        f"{', '.join(CHROMIUM_NAMES)}). Install it (Debian: apt-get install chromium) or set "
        "-s NEWSCRAWLER_CHROMIUM_PATH=/path/to/chromium")


def launch_options(executable: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """PLAYWRIGHT_LAUNCH_OPTIONS for a headless system Chromium; ``extra`` (the user's) wins."""
    return {"executable_path": executable, "headless": True, "args": list(CHROMIUM_ARGS), **(extra or {})}


class BrowserRequestFilter:
    """PLAYWRIGHT_ABORT_REQUEST: what Chromium itself may not fetch while rendering a page.

    The page itself was fetched by Scrapy (see ``newscrawler.middlewares.javascript``), but
    its scripts run in the browser, past the downloader middlewares that keep the crawl in
    bounds, so the same bounds are applied here: no page (document: a frame or a scripted
    navigation) off the allowed domains and, unless the crawl started on such an address,
    nothing from private or loopback hosts. Images, media and fonts are skipped too: they
    do not change the text. Each refusal is counted under ``newscrawler/browser/aborted/<reason>``.
    (Playwright routes do not see HTTP redirects of the browser's own requests.)
    """

    def __init__(self, guard: AddressGuard | None, allowed_domains: Iterable[str] = (),
                 crawler: Crawler | None = None) -> None:
        self.guard = guard
        self.allowed_domains = tuple(d.lower().lstrip(".") for d in allowed_domains if d)
        self.crawler = crawler  # its stats exist only once the crawl runs

    def __deepcopy__(self, memo: dict) -> Self:
        return self  # a live component held in settings, not data: copies of settings share it

    async def __call__(self, request: Any) -> bool:
        if request.resource_type in SKIPPED_RESOURCES:
            return True
        reason = None
        if request.resource_type == "document":
            reason = self._document_problem(request)
        if reason is None and self.guard is not None and await self.guard.blocks(request.url) is not None:
            reason = "private_address"
        if reason is not None:
            if self.crawler is not None:
                self.crawler.stats.inc_value(f"newscrawler/browser/aborted/{reason}")
            logger.info("Browser request to %s aborted: %s", request.url, reason.replace("_", " "))
        return reason is not None

    def _document_problem(self, request: Any) -> str | None:
        host = (urlsplit(request.url).hostname or "").lower()
        if self.allowed_domains and not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return "offsite"
        return None


AUTO = "auto"
"""Render mode: only pages that arrive as script-built shells (``extract.scripted``)."""


def render_mode(value: Any, name: str = "render_js") -> bool | str:
    """``True`` (every page), ``False`` or ``"auto"`` from a flag given as text or a bool."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    lowered = str(value).strip().lower()
    if lowered == AUTO:
        return AUTO
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise UsageError(f"{name}={value!r} is not valid: expected 1, 0 or auto")


def crawl_render_mode(crawler: Crawler) -> bool | str:
    """The crawl's mode: every page if any source says so, else auto if any does, else off.

    Sources: ``NEWSCRAWLER_RENDER_JS``, ``-a render_js=``, the profile's ``render_js``
    (URL patterns are handled apart, by the middleware).
    """
    spider = getattr(crawler, "spider", None)
    profile = getattr(spider, "profile", None)
    modes = [
        render_mode(crawler.settings.get("NEWSCRAWLER_RENDER_JS"), "NEWSCRAWLER_RENDER_JS"),
        getattr(spider, "render_js", False),
        False if getattr(profile, "render_js_patterns", ()) else getattr(profile, "render_js", False),
    ]
    if True in modes:
        return True
    return AUTO if AUTO in modes else False


def wants_javascript(crawler: Crawler) -> bool:
    """Whether this crawl may render any page: a render mode or the profile's URL patterns."""
    spider = getattr(crawler, "spider", None)
    profile = getattr(spider, "profile", None)
    return bool(crawl_render_mode(crawler) or getattr(profile, "render_js_patterns", ()))


def js_timeout(settings: BaseSettings) -> float:
    """Seconds a page may take to render (``NEWSCRAWLER_JS_TIMEOUT``), independent of DOWNLOAD_TIMEOUT."""
    seconds = settings.getfloat("NEWSCRAWLER_JS_TIMEOUT", 30.0)
    if seconds <= 0:
        raise UsageError(f"NEWSCRAWLER_JS_TIMEOUT={settings.get('NEWSCRAWLER_JS_TIMEOUT')!r} must be a number "
                         "of seconds above 0")
    return seconds


class JavaScriptAddon:
    """Switches downloads to scrapy-playwright when the crawl needs a browser (see module doc)."""

    def __init__(self, executable: str, request_filter: BrowserRequestFilter) -> None:
        self.executable = executable
        self.request_filter = request_filter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not wants_javascript(crawler):
            raise NotConfigured  # the normal case: no message, no browser
        executable = find_chromium(crawler.settings.get("NEWSCRAWLER_CHROMIUM_PATH"))
        settings, spider = crawler.settings, crawler.spider
        guard = None
        if settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES", True):
            guard = AddressGuard(getattr(spider, "start_urls", None) or [])
        request_filter = BrowserRequestFilter(guard, getattr(spider, "allowed_domains", None) or (), crawler)
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
