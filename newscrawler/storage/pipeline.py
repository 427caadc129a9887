"""What the SQLite and PostgreSQL pipelines share: a writer thread, the crawl log, stats.

Items are queued and written in batches on the store's own thread (see ``worker.py``); the
pipeline only waits when the queue runs far ahead of the database. The run's row in
``crawls`` is written at start and completed on ``spider_closed``, when the stats are final.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawler.extensions.progress import pages_fetched
from newscrawler.extensions.summary import REPORT_PATH_STAT
from newscrawler.extensions.verdict import ROWS_LOST_STAT
from newscrawler.signals import article_not_stored
from newscrawler.storage.schema import KEY, to_row
from newscrawler.storage.worker import ShardedWriter, StoreWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The store could not be opened at start; the crawl must not run without it."""

    logged = False
    """Already in the log: the command that stops the crawl only says it on stderr."""


def crawl_arguments(crawler: Crawler) -> dict[str, Any]:
    """Spider arguments and command-line settings of this run, for the ``crawls`` table."""
    spider = crawler.spider
    spider_args = {
        k: v
        for k, v in vars(spider).items()
        if not k.startswith("_") and isinstance(v, (str, int, float, bool)) and k != "name"
    }
    settings = {
        name: _without_secrets(name, crawler.settings[name])
        for name in crawler.settings
        if crawler.settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
    }
    return {"spider_args": spider_args, "settings": settings}


def _without_secrets(name: str, value: Any) -> Any:
    """Passwords in DSNs and secret-named settings do not belong in the crawl log."""
    if any(word in name.upper() for word in ("PASSWORD", "SECRET", "TOKEN")):
        return "***"
    if isinstance(value, str):
        return re.sub(r"(://[^:/@\s]+):[^@\s]*@", r"\1:***@", value)
    return value


class StorePipeline:
    """Base for pipelines that upsert articles through a :class:`StoreWriter`."""

    label = "store"
    """Stats prefix: ``newscrawler/<label>/stored`` and so on."""

    def __init__(self, crawler: Crawler, where: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.where = where
        settings = crawler.settings
        self.batch_size = settings.getint("NEWSCRAWLER_STORE_BATCH_SIZE", 200)
        self.batch_seconds = settings.getfloat("NEWSCRAWLER_STORE_BATCH_SECONDS", 1.0)
        self.max_pending = self.batch_size * 20
        self._stats_lock = threading.Lock()  # writer threads count into the same keys
        self.writer: StoreWriter[Any] | ShardedWriter[Any] = self.build_writer()
        self.crawl_id: int | None = None
        self.stories = {"stories_new": 0, "stories_updated": 0}
        """What this run gave the store, for its row in ``crawls``."""
        self._loop: asyncio.AbstractEventLoop | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def build_writer(self, name: str = "") -> StoreWriter[Any] | ShardedWriter[Any]:
        """One writer thread; a store that gains from parallel commits returns a ShardedWriter."""
        return StoreWriter(
            self.open_store,
            batch_size=self.batch_size,
            batch_seconds=self.batch_seconds,
            on_written=lambda n: self._count("stored", n),
            on_failed=self._batch_failed,
            on_rejected=self.reject,
            name=name or f"newscrawler-{self.label}",
        )

    def _count(self, what: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats.inc_value(f"newscrawler/{self.label}/{what}", n)

    def _count_lost(self, n: int) -> None:
        """What the crawl's verdict reads: a crawl that lost rows must not exit 0."""
        with self._stats_lock:
            self.stats.inc_value(ROWS_LOST_STAT, n)

    def open_store(self) -> Any:
        """Open the store; runs on the writer thread."""
        raise NotImplementedError

    def reject(self, row: dict[str, Any], exc: BaseException) -> None:
        """One article the store refused (the rest of its batch was stored); runs on the writer."""
        self._count("rejected")
        self._count_lost(1)
        logger.error("%s: article %s not stored: %s", self.label, row.get("url"), exc)
        self._not_stored([row])

    def _not_stored(self, rows: list[dict[str, Any]]) -> None:
        """Tell the other components (dedupe) on the reactor's thread, in order with the
        pipeline's own awaits, so they hear of it before this store reports itself closed."""
        def send() -> None:
            for row in rows:
                self.crawler.signals.send_catch_log(article_not_stored, canonical_url=row.get(KEY),
                                                    url=row.get("url"), store=self.label)

        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(send)
        else:
            send()

    async def open_spider(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            await asyncio.wrap_future(self.writer.start())
        except Exception as exc:
            # Logged here: the dedupe state may fail to open at the same moment, and `scrapy crawl`
            # reports only the first error of a crawl that could not start.
            unavailable = StoreUnavailable(" ".join(f"{self.label}: cannot open {self.where}: {exc}".split()))
            logger.error("%s", unavailable)
            unavailable.logged = True
            raise unavailable from None
        atexit.register(self._flush_at_exit)
        spider = self.crawler.spider
        args = crawl_arguments(self.crawler)
        self.crawl_id = await asyncio.wrap_future(
            self.writer.call(lambda store: store.start_crawl(spider.name, args))
        )
        logger.info("%s: storing articles in %s (crawl %s)", self.label, self.where, self.crawl_id)

    async def process_item(self, item: Any) -> Any:
        if not is_item(item):
            return item
        adapter = ItemAdapter(item)
        if "url" not in adapter:
            return item
        try:
            row = to_row(adapter)
        except (ValueError, TypeError) as exc:
            self.stats.inc_value(f"newscrawler/{self.label}/skipped")
            self._count_lost(1)
            logger.error("%s: article %s not stored: %s", self.label, adapter.get("url"), exc)
            self._not_stored([{KEY: adapter.get(KEY) or adapter.get("url"), "url": adapter.get("url")}])
            return item
        self.writer.put(row)
        self.stories["stories_updated" if row.get("is_update") else "stories_new"] += 1
        if self.writer.pending > self.max_pending:
            # The database has fallen behind: wait for it rather than grow the queue.
            await asyncio.wrap_future(self.writer.call(lambda store: None))
        return item

    async def close_spider(self) -> None:
        """Commit what is queued; the crawl row is completed on ``spider_closed``."""
        if self.crawl_id is None:  # never opened: the failure was reported at start
            return
        await asyncio.wrap_future(self.writer.call(lambda store: None))

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.crawl_id is None:
            return
        stats = dict(self.stats.get_stats())
        stats.setdefault("finish_reason", reason)  # the verdict may have named lost rows
        reason = stats["finish_reason"]
        totals = {"pages": pages_fetched(stats), **self.stories,
                  "report_path": stats.get(REPORT_PATH_STAT)}
        crawl_id = self.crawl_id
        await asyncio.wrap_future(
            self.writer.call(lambda store: store.finish_crawl(crawl_id, reason, stats, totals))
        )
        await asyncio.wrap_future(self.writer.close())
        atexit.unregister(self._flush_at_exit)

    def _batch_failed(self, rows: list[dict[str, Any]], exc: BaseException) -> None:
        self._count("failed", len(rows))
        self._count_lost(len(rows))
        logger.error(
            "%s: %d articles not stored (%s); first: %s", self.label, len(rows), exc, rows[0].get("url")
        )
        self._not_stored(rows)

    def _flush_at_exit(self) -> None:
        """Last resort when the reactor was stopped without closing the spider (second Ctrl-C)."""
        try:
            self.writer.close().result(timeout=10)
        except Exception as exc:  # exiting anyway; say what was lost
            logger.error("%s: could not flush at exit: %s", self.label, exc)
