"""The Scrapy side of the WARC archive: record every response, stamp items with their record.

``WarcArchiveMiddleware`` sits next to the downloader (before decompression), so each
record holds the bytes and headers as the server sent them. It writes a record per fetch
(see ``newscrawler.archive.warc``) and leaves the response record's location in
``request.meta["warc"]``; ``WarcLocationMiddleware`` copies that onto the items produced
from the response, with the replay address under ``NEWSCRAWLER_REPLAY_URL``, so the spider
knows nothing of WARC. At the end of a crawl the WARCs may be packaged as a WACZ
(``NEWSCRAWLER_WACZ``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawler.archive.config import ArchiveConfig
from newscrawler.archive.digests import PayloadIndex
from newscrawler.archive.warc import RotatingWarcWriter, exchange_from
from newscrawler.signals import collect_report_sections

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

RENDERED_FROM_FETCH = "newscrawler_prefetched"
"""``newscrawler.middlewares.javascript.PREFETCHED`` (not imported: that module needs Playwright)."""


def replay_address(base: str, warc_date: str, url: str) -> str:
    """pywb's address of a capture: ``BASE`` + 14-digit timestamp + ``/`` + URL."""
    digits = "".join(ch for ch in warc_date if ch.isdigit())[:14]
    return f"{base}{digits}/{url}"


class WarcArchiveMiddleware:
    """Downloader middleware: archives every response (register it above 590, e.g. 950)."""

    def __init__(self, crawler: Crawler, writer: RotatingWarcWriter, config: ArchiveConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.writer = writer
        self.articles: list[Any] = []  # (url, title) of stored articles, for the WACZ's pages.jsonl
        # One thread keeps records in order and the gzip work off the reactor.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawler-warc")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.report_section, signal=collect_report_sections)
        if config.wacz_path:
            crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    def report_section(self) -> dict[str, Any]:
        """The end-of-crawl report's ``archive`` part: records, revisits, requisites."""
        stats = self.stats.get_stats()
        requisites = {k.removeprefix("newscrawler/archive/requisites/"): v for k, v in stats.items()
                      if k.startswith("newscrawler/archive/requisites/")}
        return {"archive": {
            "directory": str(self.writer.directory),
            "files": len(self.writer.files),
            "records": stats.get("newscrawler/warc/records", 0),
            "revisits": stats.get("newscrawler/warc/revisits", 0),
            "revisit_bytes_saved": stats.get("newscrawler/warc/revisit_bytes_saved", 0),
            "requisites": requisites,
            "wacz": stats.get("newscrawler/archive/wacz"),
        }}

    def item_scraped(self, item: Any) -> None:
        from newscrawler.archive.wacz import Page

        adapter = ItemAdapter(item)
        if adapter.get("url"):
            self.articles.append(Page(adapter["url"], adapter.get("title") or ""))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = ArchiveConfig.from_settings(crawler.settings)
        if config.warc_dir is None:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        config.warc_dir.mkdir(parents=True, exist_ok=True)
        writer = RotatingWarcWriter(
            config.warc_dir, config.warc_max_size,
            info={"robots": "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                  "http-header-user-agent": crawler.settings.get("USER_AGENT", "")},
            payloads=PayloadIndex(config.warc_dir) if config.revisits else None,
            revisit_min_size=config.revisit_min_size,
        )
        return cls(crawler, writer, config)

    async def process_response(self, request: Request, response: Response) -> Response:
        if self.config.snapshot and RENDERED_FROM_FETCH in request.meta:
            # The DOM Chromium built from a page fetched (and archived) already: a snapshot keeps
            # what the server sent, and replay runs the page's scripts again. The items keep the
            # location of that first record (the rendering request carries its meta).
            return response
        try:
            exchange = exchange_from(request, response)
            location = await asyncio.wrap_future(self._executor.submit(self.writer.write, exchange))
        except (OSError, ValueError) as exc:
            self.stats.inc_value("newscrawler/warc/errors")
            logger.error("WARC: could not archive %s: %s", response.url, exc)
            return response
        request.meta["warc"] = asdict(location)
        self.stats.inc_value("newscrawler/warc/records")
        if location.revisit_of is not None:
            self.stats.inc_value("newscrawler/warc/revisits")
            self.stats.inc_value("newscrawler/warc/revisit_bytes_saved", location.saved_bytes)
        else:
            self.stats.inc_value("newscrawler/warc/payload_bytes", len(exchange.response_body))
        self.stats.set_value("newscrawler/warc/files", len(self.writer.files))
        return response

    def spider_closed(self) -> None:
        self._executor.submit(self.writer.close).result()
        self._executor.shutdown()
        if self.writer.payloads is not None:
            self.writer.payloads.close()
        saved = self.stats.get_value("newscrawler/warc/revisit_bytes_saved", 0)
        logger.info("WARC: %d file(s) in %s; %d revisit record(s) saved %d bytes", len(self.writer.files),
                    self.writer.directory, self.stats.get_value("newscrawler/warc/revisits", 0), saved)
        if self.config.wacz_path and self.writer.files:
            self._package()

    def _package(self) -> None:
        from newscrawler.archive.wacz import Page, WaczError, write_wacz

        # Revisits of this run may refer to payloads stored by earlier runs: their files go in too.
        files = self.writer.files + [self.writer.directory / name for name in sorted(self.writer.referenced_files)]
        entries = [Page(url) for url in getattr(self.crawler.spider, "start_urls", None) or []]
        try:
            path = write_wacz(files, Path(self.config.wacz_path), entries, self.articles,
                              title=f"newscrawler snapshot of {', '.join(p.url for p in entries[:3])}")
        except WaczError as exc:
            self.stats.inc_value("newscrawler/archive/wacz_failed")
            logger.error("WACZ: %s", exc)
            return
        self.stats.set_value("newscrawler/archive/wacz", str(path))
        logger.info("WACZ: %s (open it in ReplayWeb.page, or wb-manager add COLLECTION %s)", path, path)


class WarcLocationMiddleware(BaseSpiderMiddleware):
    """Spider middleware: stamps items with the WARC record of the response they came from,
    and with its replay address when ``NEWSCRAWLER_REPLAY_URL`` is set."""

    def __init__(self, crawler: Crawler, replay_url: str = "") -> None:
        super().__init__(crawler)
        self.replay_url = replay_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = ArchiveConfig.from_settings(crawler.settings)
        if config.warc_dir is None:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        return cls(crawler, config.replay_url)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        location = response.meta.get("warc") if response is not None else None
        if location and is_item(item):
            adapter = ItemAdapter(item)
            for name, value in location.items():
                if name in adapter.field_names() and adapter.get(name) is None:
                    adapter[name] = value
            if self.replay_url and "replay_url" in adapter.field_names() and location.get("warc_date"):
                adapter["replay_url"] = replay_address(self.replay_url, location["warc_date"], response.url)
        return item
