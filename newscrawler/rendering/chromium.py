"""Chromium for a crawl that renders pages: finding the executable, its launch options, and
what the browser itself may fetch while it renders a page.

The browser is ``NEWSCRAWLER_CHROMIUM_PATH`` when set, else the first of ``chromium``,
``chromium-browser``, ``google-chrome`` on ``PATH``; a crawl that needs it and finds none
stops at start-up saying so. :class:`newscrawler.addons.javascript.JavaScriptAddon` puts
these in place; nothing here imports Playwright.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from newscrawler.middlewares.addresses import AddressGuard

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
    # A crawl renders one site: its pages can share renderer processes, which is most of the memory.
    "--process-per-site",
    "--disable-features=site-per-process,Translate,BackForwardCache,MediaRouter",
)
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

    def spider_opened(self, spider: Spider) -> None:
        """Bounds of the crawl, as Scrapy's OffsiteMiddleware takes them: from the opened spider."""
        self.allowed_domains = tuple(d.lower().lstrip(".") for d in getattr(spider, "allowed_domains", None) or () if d)
        if self.guard is not None:
            self.guard.start_urls = list(getattr(spider, "start_urls", None) or [])

    def _document_problem(self, request: Any) -> str | None:
        host = (urlsplit(request.url).hostname or "").lower()
        if self.allowed_domains and not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return "offsite"
        return None
