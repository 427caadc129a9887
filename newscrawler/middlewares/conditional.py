"""Conditional requests: ask "changed since?" and follow a 304 like the page it stands for.

What well-behaved feed readers do, for every page a re-crawl walks again. The first fetch of
a page keeps its ``ETag`` and ``Last-Modified`` in the store (``storage/recrawl_state.py``),
with its body when it is a page the crawl reads for links (entry and section pages, sitemaps,
feeds). The next run sends ``If-None-Match`` / ``If-Modified-Since``:

- ``304`` for a page whose body was kept: the kept body is handed to the spider, flagged
  ``not_modified``, so its links and sitemap entries are followed as last time, with nothing
  downloaded (``newscrawler/conditional/not_modified``, ``.../bytes_saved``);
- ``304`` for a story (``-a refresh=1`` asks for stories again): the stored story is current,
  nothing to extract (``newscrawler/conditional/story_not_modified``);
- ``304`` to a request that carried no validators is a server fault: counted
  (``newscrawler/conditional/unexpected_304``) and logged, never taken for a page.

Which pages are stories is known only after the spider classifies them: the spider sends the
``page_classified`` signal (``newscrawler/signals.py``) and the kept rows are written in
batches off the reactor thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from twisted.internet.threads import deferToThread

from newscrawler import signals as news_signals
from newscrawler.storage.base import StorageConfig
from newscrawler.storage.recrawl_state import RecrawlState, Validators

logger = logging.getLogger(__name__)

_FLUSH_EVERY = 64
_KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Content-Language")
_LISTING_KINDS = frozenset({"listing", "home", "other", "static", "sitemap", "feed"})


class ConditionalRequestMiddleware:
    """Downloader middleware: validators out, 304s in."""

    def __init__(self, crawler: Crawler, state: RecrawlState) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.state = state
        self.validators: dict[str, Validators] = state.all_validators()
        self._pending: list[tuple[str, str | None, str | None, dict[str, str], bytes | None]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWLER_CONDITIONAL_REQUESTS"):
            raise NotConfigured("NEWSCRAWLER_CONDITIONAL_REQUESTS is off")
        store = StorageConfig.from_settings(settings).sqlite_path
        if store is None:
            raise NotConfigured("no NEWSCRAWLER_SQLITE_PATH to keep validators in")
        state = RecrawlState.open(store)
        if state is None:
            raise NotConfigured(f"cannot open {store} for validators")
        mw = cls(crawler, state)
        crawler.signals.connect(mw.page_classified, signal=news_signals.page_classified)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get("dont_validate"):
            return
        known = self.validators.get(request.url)
        if known is None:
            return
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1", "replace"))
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1", "replace"))
        request.meta["sent_validators"] = True

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304:
            return response
        if not request.meta.get("sent_validators"):
            self.stats.inc_value("newscrawler/conditional/unexpected_304")
            logger.warning("%s answered 304 Not Modified to a request without validators: nothing to read",
                           request.url)
            raise IgnoreRequest(f"304 without validators: {request.url}")
        known = self.validators.get(request.url)
        # The kept copy is read off the reactor: a sitemap's can be megabytes to decompress.
        kept = await asyncio.to_thread(self.state.body, request.url) if known is not None and known.has_body else None
        if kept is None:
            self.stats.inc_value("newscrawler/conditional/story_not_modified")
            raise IgnoreRequest(f"not modified since the stored copy: {request.url}")
        headers, body = kept
        self.stats.inc_value("newscrawler/conditional/not_modified")
        self.stats.inc_value("newscrawler/conditional/bytes_saved", len(body))
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=200, headers=headers, body=body, request=request,
                   flags=[*response.flags, "not_modified"])

    # --- what to keep ----------------------------------------------------------------------

    def page_classified(self, response: Response, kind: str) -> None:
        """The spider read ``response`` as ``kind``: keep its validators (and body for listings)."""
        if "not_modified" in response.flags or response.status != 200:
            return
        etag = _header(response, b"ETag")
        modified = _header(response, b"Last-Modified")
        if not etag and not modified:
            if response.url in self.validators:  # the server stopped sending them: ask plainly next time
                self.validators.pop(response.url, None)
                deferToThread(self.state.forget, response.url)
            return
        listing = kind in _LISTING_KINDS
        headers = {name: value for name in _KEPT_HEADERS if (value := _header(response, name.encode()))}
        self.validators[response.url] = Validators(etag, modified, listing)
        with self._lock:
            self._pending.append((response.url, etag, modified, headers, response.body if listing else None))
            flush = len(self._pending) >= _FLUSH_EVERY
        if flush:
            deferToThread(self._flush)

    def _flush(self) -> None:
        with self._lock:
            rows, self._pending = self._pending, []
        if rows:
            self.state.remember(rows)

    def spider_closed(self, spider: Spider) -> None:
        self._flush()
        self.state.close()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None
