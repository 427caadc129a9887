"""One record per story: drops duplicates, re-emits updates, remembers stories across runs.

Duplicates (same URL again, same canonical URL, same body, or a near copy) are dropped and
counted under ``dedupe/<kind>``, their URLs recorded as aliases of the original; a story
re-crawled unchanged is counted as ``dedupe/unchanged`` and dropped; a changed one is emitted
with ``is_update=True``. The state lives in the store ``NEWSCRAWLER_DEDUPE_BACKEND`` names (by
default PostgreSQL when a DSN is set, else Redis when the crawl is shared through Redis, else
the SQLite database the storage pipeline writes), so the next run starts from it. Checks run on one worker thread
in arrival order, each decision committed before its item goes on (the state never lags the
article store), so the reactor never waits on disk.
"""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.misc import load_object

from newscrawler.dedupe.fingerprints import MinHashSigner
from newscrawler.dedupe.index import (
    DEFAULT_MIN_WORDS,
    DEFAULT_THRESHOLD,
    NEW,
    UNCHANGED,
    UPDATE,
    Story,
    StoryIndex,
    Verdict,
)
from newscrawler.dedupe.base import BACKENDS, DedupeBackend
from newscrawler.dedupe.sqlite import SQLiteDedupeStore
from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX
from newscrawler.offload.worker import WorkerThread
from newscrawler.signals import article_not_stored
from newscrawler.storage.base import ArticleStore, StorageConfig
from newscrawler.urls import canonicalize_url, tracking_params

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

_DECIDE_ATTEMPTS = 5
"""Decisions of one story in a row that another worker's commit may invalidate, before the
item is passed on unchecked."""


class UnchangedStory(DropItem):
    """A stored story crawled again with nothing changed: dropped, and told apart from copies by
    type, so the re-crawl filter can tell whether a sitemap's lastmod told the truth."""


@dataclass(frozen=True)
class DedupeConfig:
    """The ``NEWSCRAWLER_DEDUPE_*`` settings, read and checked once."""

    backend: str
    """sqlite, postgres or redis (resolved from NEWSCRAWLER_DEDUPE_BACKEND, "" = auto)."""
    path: str
    postgres_dsn: str
    redis_url: str
    redis_prefix: str
    threshold: float
    min_words: int
    signer: MinHashSigner
    strip_params: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        if not settings.getbool("NEWSCRAWLER_DEDUPE_ENABLED", True):
            raise NotConfigured("NEWSCRAWLER_DEDUPE_ENABLED is off")
        threshold = settings.getfloat("NEWSCRAWLER_DEDUPE_THRESHOLD", DEFAULT_THRESHOLD)
        if not 0 < threshold <= 1:
            raise ValueError(f"NEWSCRAWLER_DEDUPE_THRESHOLD must be in (0, 1], got {threshold}")
        signer = MinHashSigner(
            num_perm=settings.getint("NEWSCRAWLER_DEDUPE_NUM_PERM", 64),
            shingle_size=settings.getint("NEWSCRAWLER_DEDUPE_SHINGLE", 3),
            bands=settings.getint("NEWSCRAWLER_DEDUPE_BANDS", 21),
            rows=settings.getint("NEWSCRAWLER_DEDUPE_ROWS", 3),
        )
        storage = StorageConfig.from_settings(settings)
        dsn = storage.postgres_dsn
        redis_url = settings.get("NEWSCRAWLER_REDIS_URL") or os.environ.get("NEWSCRAWLER_REDIS_URL", "")
        backend = (settings.get("NEWSCRAWLER_DEDUPE_BACKEND") or "").strip().lower()
        if not backend:
            backend = "postgres" if dsn else "redis" if redis_url else "sqlite"
        if backend not in BACKENDS:
            raise ValueError(f"NEWSCRAWLER_DEDUPE_BACKEND must be {', '.join(BACKENDS)}, got {backend!r}")
        if backend == "postgres" and not dsn:
            raise ValueError("NEWSCRAWLER_DEDUPE_BACKEND=postgres needs NEWSCRAWLER_POSTGRES_DSN")
        if backend == "redis" and not redis_url:
            raise ValueError("NEWSCRAWLER_DEDUPE_BACKEND=redis needs NEWSCRAWLER_REDIS_URL")
        return cls(
            backend=backend,
            path=str(storage.sqlite_path or ""),
            postgres_dsn=dsn,
            redis_url=redis_url,
            redis_prefix=settings.get("NEWSCRAWLER_REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX,
            threshold=threshold,
            min_words=settings.getint("NEWSCRAWLER_DEDUPE_MIN_WORDS", DEFAULT_MIN_WORDS),
            signer=signer,
            strip_params=tracking_params(settings),
        )

    def store_params(self) -> dict[str, str]:
        """What the stored band keys depend on; a store built with others is refused."""
        s = self.signer
        return {"num_perm": str(s.num_perm), "shingle": str(s.shingle_size), "bands": str(s.bands),
                "rows": str(s.rows), "scheme": "affine32-v1"}


class DedupePipeline:
    """Keeps one record per story across URLs, syndicated copies and runs."""

    def __init__(self, crawler: Crawler, config: DedupeConfig) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.index: StoryIndex | None = None
        self._worker = WorkerThread("newscrawler-dedupe")
        self._articles: ArticleStore | None = None
        self._pg_articles: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, DedupeConfig.from_settings(crawler.settings))
        crawler.signals.connect(pipeline.article_not_stored, signal=article_not_stored)
        # Closed after the stores' close_spider, whose last commits may still refuse articles.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self) -> None:
        self.index = await self._on_worker(self._open)

    def _open(self) -> StoryIndex:
        backend: type[DedupeBackend] = load_object(BACKENDS[self.config.backend])
        spider = getattr(self.crawler, "spider", None)
        store = backend.from_config(self.config, getattr(spider, "name", None) or "news")
        logger.info("Dedupe state: %s (about %d stories known)", store.where, store.last_story_id())
        return StoryIndex(store, self.config.signer, threshold=self.config.threshold, min_words=self.config.min_words)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if not isinstance(url, str) or not url.strip():
            self.stats.inc_value("newscrawler/dedupe/skipped/no_url")
            logger.warning("Not deduplicated (item has no url): %r", adapter.get("title"))
            return item
        key = self._url_key(url)
        canonical = adapter.get("canonical_url")
        story = Story(
            url=key,
            canonical_url=canonical if isinstance(canonical, str) and canonical else key,
            title=_text(adapter.get("title")),
            body=_text(adapter.get("body")),
            modified_at=_text(adapter.get("modified_at")),
        )
        verdict = await self._on_worker(self._check, story)
        return self._apply(verdict, item, adapter, url)

    def _check(self, story: Story) -> Verdict | None:
        """Runs on the worker: decide, then commit unless another check is already waiting.
        None when the store failed: the item is passed on unchecked rather than lost."""
        assert self.index is not None
        store = self.index.store
        try:
            for attempt in range(_DECIDE_ATTEMPTS):
                try:
                    verdict = self.index.check(story)
                    # Every decision committed before its item reaches the stores: the state never
                    # lags the article tables, so a run killed after the stores' commit and resumed
                    # does not take what it stored for new and emit it again. (WAL, synchronous=
                    # NORMAL: a SQLite commit is not an fsync.)
                    store.commit()
                    break
                except store.conflict_errors:
                    store.rollback()  # another worker stored this story a moment ago: decide again
                    if attempt == _DECIDE_ATTEMPTS - 1:
                        raise
            if verdict.kind == UNCHANGED and not self._article_stored(verdict.original):
                # Dedupe state and the article table commit apart: a run killed between the two
                # remembers a story the table never got. Emit it again instead of losing it.
                return Verdict(NEW, verdict.original, content_checked=verdict.content_checked)
            return verdict
        except store.errors as exc:
            with suppress(*store.errors):
                store.rollback()
            logger.error("Dedupe state %s failed on %s, passing it on unchecked: %s", store.where, story.url, exc)
            return None

    def article_not_stored(self, canonical_url: str, url: str, store: str) -> None:
        """A store refused the article: the state must not remember it as kept. Queued on the
        worker, after the checks already waiting there and before the state is closed."""
        if self.index is not None:
            self._worker.submit(self._forget, canonical_url, store)

    def _forget(self, canonical_url: str, store_label: str) -> None:
        index = self.index
        if index is None:
            return
        store = index.store
        try:
            for attempt in range(_DECIDE_ATTEMPTS):
                try:
                    forgotten = index.forget(canonical_url)
                    store.commit()
                    break
                except store.conflict_errors:
                    store.rollback()  # another worker changed what this read: read again
                    if attempt == _DECIDE_ATTEMPTS - 1:
                        raise
            if forgotten:
                self.stats.inc_value("newscrawler/dedupe/forgotten")
                logger.info("Dedupe state forgets %s: %s did not store it", canonical_url, store_label)
        except (*store.errors, *store.conflict_errors) as exc:
            with suppress(*index.store.errors):
                index.store.rollback()
            logger.error("Dedupe state %s could not forget %s: %s", index.store.where, canonical_url, exc)

    def _article_stored(self, canonical_url: str) -> bool:
        """Do the article tables (SQLite, and PostgreSQL when configured) hold this story?
        True for a table there is not to ask."""
        return self._in_sqlite(canonical_url) and self._in_postgres(canonical_url)

    def _in_sqlite(self, canonical_url: str) -> bool:
        if self._articles is None:
            # with the state in Redis, workers share it but each has its own SQLite file
            path = Path(self.config.path) if self.config.path and self.config.backend != "redis" else None
            if path is None or not path.is_file():
                return True
            from newscrawler.storage.sqlite import SQLiteStore

            # The SQLite dedupe state lives in the same file, on this thread: read through it.
            state = self.index.store if self.index is not None else None
            shared = state.conn if isinstance(state, SQLiteDedupeStore) and state.path == path else None
            self._articles = SQLiteStore(path, readonly=True, conn=shared)
        # no article table (storage off): the dedupe state is the only record
        return self._articles.has(canonical_url) is not False

    def _in_postgres(self, canonical_url: str) -> bool:
        if not self.config.postgres_dsn:
            return True
        if self._pg_articles is None:
            from newscrawler.storage.postgres import PostgresStore

            self._pg_articles = PostgresStore(self.config.postgres_dsn, readonly=True)
        # no article table there (storage off) or no answer: the dedupe state decides
        return self._pg_articles.has(canonical_url) is not False

    def _apply(self, verdict: Verdict | None, item: Any, adapter: ItemAdapter, url: str) -> Any:
        if verdict is None:
            self.stats.inc_value("newscrawler/dedupe/errors")
            return item
        self.stats.inc_value(f"dedupe/{verdict.kind}")
        if not verdict.content_checked:
            self.stats.inc_value("newscrawler/dedupe/short_body")
        if verdict.kind == NEW:
            return item
        if verdict.kind == UPDATE:
            adapter["is_update"] = True
            logger.debug("Updated story %s", verdict.original)
            return item
        if verdict.kind == UNCHANGED:
            raise UnchangedStory(f"unchanged since the last crawl: {url}", log_level="DEBUG")
        similar = f" (similarity {verdict.similarity:.2f})" if verdict.similarity is not None else ""
        raise DropItem(f"{verdict.kind} duplicate of {verdict.original}{similar}: {url}", log_level="DEBUG")

    def _url_key(self, url: str) -> str:
        try:
            return canonicalize_url(url, strip_params=self.config.strip_params)
        except ValueError:
            return url.strip()

    async def spider_closed(self) -> None:
        if self.index is not None:
            await self._on_worker(self.index.store.close)
            self.index = None
        for name in ("_articles", "_pg_articles"):
            connection = getattr(self, name)
            if connection is not None:
                await self._on_worker(connection.close)
                setattr(self, name, None)
        self._worker.shutdown()

    async def _on_worker(self, function: Any, *args: Any) -> Any:
        return await self._worker.run(function, *args)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
