"""The re-crawl filter: known stories stay unfetched, and pagination ends where it shows nothing.

Every page link the spider yields passes here with the other links of the same page, so one
batched store lookup decides them all, off the reactor thread:

- a story the store holds (by URL, canonical URL or alias) is dropped (``incremental/known``)
  unless its sitemap or feed date says it changed after the stored copy was made
  (``incremental/changed``; see ``discovery/freshness.py``); with ``-a refresh=1`` it is fetched
  and counted (``incremental/refreshed``);
- section pagination stops at the first page whose stories are all known
  (``incremental/pagination_stopped``), and after ``NEWSCRAWLER_EMPTY_PAGES_STOP`` pages in a
  row that show no story link and no link the crawl had not seen (``skipped/empty_pagination``):
  an endless "next day" archive ends in a few pages;
- a calendar or dated URL past today is never followed (``skipped/future_date``).

A site whose sitemap stamps every entry with the time of the request is caught too: when the
stories refetched on its lastmod's word come back unchanged, the site's lastmod stops counting
as evidence, for the rest of the run and, through the store, for the runs after it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawler.discovery.freshness import listing_freshness, url_date_in_future
from newscrawler.pipelines.dedupe import UnchangedStory
from newscrawler.signals import collect_report_sections
from newscrawler.storage.base import StorageConfig
from newscrawler.storage.known import KnownArticles
from newscrawler.storage.recrawl_state import RecrawlState, site_of

logger = logging.getLogger(__name__)

UNTRUSTED_AFTER = 20
"""Refetches on a lastmod's word that came back unchanged, with none changed, before a site's
lastmod stops counting as evidence."""


class IncrementalMiddleware:
    """Spider middleware: drops known stories and ends pagination that shows nothing."""

    def __init__(self, crawler: Crawler, known: KnownArticles | None, state: RecrawlState | None,
                 empty_pages_stop: int, refresh: bool, resuming: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.known = known
        self.state = state
        self.empty_pages_stop = empty_pages_stop
        self.refresh = refresh
        self.resuming = resuming
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._untrusted: set[str] = state.untrusted_sites() if state is not None else set()
        self._lastmod_refetches: dict[str, list[int]] = {}  # site -> [came back changed, unchanged]
        self._stories = {"new": 0, "updated": 0}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        empty_stop = settings.getint("NEWSCRAWLER_EMPTY_PAGES_STOP")
        if empty_stop < 1:
            raise NotConfigured(f"NEWSCRAWLER_EMPTY_PAGES_STOP={empty_stop}: expected a positive number of pages")
        storage = StorageConfig.from_settings(settings)
        incremental = storage.sqlite_path is not None and settings.getbool("NEWSCRAWLER_INCREMENTAL")
        known = KnownArticles.open(storage) if incremental else None
        state = RecrawlState.open(storage.sqlite_path) if storage.sqlite_path and incremental else None
        mw = cls(crawler, known, state, empty_stop, settings.getbool("NEWSCRAWLER_REFRESH"),
                 settings.getbool("NEWSCRAWLER_RESUMING"))
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.report_section, signal=collect_report_sections)
        return mw

    # --- spider output ---------------------------------------------------------------------

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        held: list[Request] = []
        for obj in result:
            if isinstance(obj, Request) and obj.meta.get("page_link"):
                held.append(obj)
            else:
                yield obj
        yield from self._decide_locked(response, held)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        held: list[Request] = []
        async for obj in result:
            if isinstance(obj, Request) and obj.meta.get("page_link"):
                held.append(obj)
            else:
                yield obj
        if held:
            for request in await asyncio.to_thread(self._decide_locked, response, held):
                yield request

    def _decide_locked(self, response: Response, requests: list[Request]) -> list[Request]:
        with self._lock:
            return list(self._decide(response, requests))

    def _decide(self, response: Response, requests: list[Request]) -> Iterable[Request]:
        """The requests of one page that are worth fetching, with every decision counted."""
        if not requests:
            return
        today = (datetime.now(timezone.utc) + timedelta(days=1)).date()  # a day's grace for time zones
        pages = [r for r in requests if not _is_pagination(r)]
        known = self.known.lookup([r.url for r in pages]) if self.known is not None else {}
        stories = [r for r in pages if r.meta.get("story_link")]
        nothing_new = bool(stories) and all(r.url in known for r in stories)
        stop_pagination = (nothing_new and self.known is not None and not self.resuming
                           and response.meta.get("page_kind") != "article")
        fresh_links = [r for r in pages if hash(r.url) not in self._seen]
        self._seen.update(hash(r.url) for r in pages)
        empty_run = 0 if (stories or fresh_links) else response.meta.get("empty_pages", 0) + 1

        for request in requests:
            if url_date_in_future(request.url, today):
                self.stats.inc_value("newscrawler/skipped/future_date")
                logger.debug("Not following %s: its date is past today", request.url)
                continue
            if _is_pagination(request):
                if stop_pagination:
                    self.stats.inc_value("newscrawler/incremental/pagination_stopped")
                    logger.info("Not following pagination %s: %s shows nothing new", request.url, response.url)
                    continue
                if empty_run >= self.empty_pages_stop:
                    self.stats.inc_value("newscrawler/skipped/empty_pagination")
                    logger.info("Not following pagination %s: %d pages in a row showed no story", request.url,
                                empty_run)
                    continue
                request.meta["empty_pages"] = empty_run
                yield request
                continue
            stored = known.get(request.url)
            if stored is None:
                yield request
                continue
            if self.refresh:
                self.stats.inc_value("newscrawler/incremental/refreshed")
                yield request
                continue
            listed = (request.meta.get("listing") or {}).get("lastmod")
            site = site_of(request.url)
            verdict = listing_freshness(listed, stored, trust_lastmod=site not in self._untrusted)
            if verdict == "changed":
                self.stats.inc_value("newscrawler/incremental/changed")
                request.meta["incremental"] = "changed"
                yield request
                continue
            if verdict in ("future", "untrusted"):
                self.stats.inc_value(f"newscrawler/incremental/{verdict}_lastmod")
            self.stats.inc_value("newscrawler/incremental/known")

    # --- did the lastmod tell the truth? ---------------------------------------------------

    def item_scraped(self, item: Any, response: Response) -> None:
        self._stories["updated" if ItemAdapter(item).get("is_update") else "new"] += 1
        self._lastmod_outcome(response, changed=True)

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        if isinstance(exception, UnchangedStory):
            self._lastmod_outcome(response, changed=False)

    def response_downloaded(self, response: Response, request: Request) -> None:
        if response.status == 304:  # asked with validators: the story did not change
            self._lastmod_outcome(request, changed=False)

    def _lastmod_outcome(self, response: Response | Request | None, changed: bool) -> None:
        if response is None or response.meta.get("incremental") != "changed":
            return
        site = site_of(response.url)
        tally = self._lastmod_refetches.setdefault(site, [0, 0])
        tally[0 if changed else 1] += 1
        if site not in self._untrusted and tally[0] == 0 and tally[1] >= UNTRUSTED_AFTER:
            self._untrusted.add(site)
            self.stats.inc_value("newscrawler/incremental/untrusted_lastmod_sites")
            logger.warning("%s stamps its sitemap/feed dates anew on every request: %d stories refetched on their "
                           "lastmod came back unchanged. Its lastmod no longer counts as evidence of a change.",
                           site, tally[1])
            if self.state is not None:
                self.state.distrust_lastmod(site)

    def report_section(self) -> dict[str, Any]:
        """The crawl report's ``recrawl`` section: what this run cost, and what it found."""
        stats = self.stats.get_stats()

        def under(prefix: str) -> dict[str, int]:
            return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        return {"recrawl": {
            "fetched": under("newscrawler/fetched/"),
            "not_modified_304": stats.get("newscrawler/conditional/not_modified", 0)
            + stats.get("newscrawler/conditional/story_not_modified", 0),
            "bytes_saved": stats.get("newscrawler/conditional/bytes_saved", 0),
            "stories": {**self._stories, "unchanged": stats.get("dedupe/unchanged", 0)
                        + stats.get("newscrawler/conditional/story_not_modified", 0)},
            "decisions": under("newscrawler/incremental/"),
            "untrusted_lastmod_sites": sorted(self._untrusted),
        }}

    def spider_closed(self, spider: Spider) -> None:
        if self.known is not None:
            self.known.close()
        if self.state is not None:
            self.state.close()


def _is_pagination(request: Request) -> bool:
    return request.meta.get("discovered_via") == "pagination"
