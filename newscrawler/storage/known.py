"""What earlier runs already stored, so a scheduled re-crawl fetches only what is new.

The incremental filter (``newscrawler/spidermiddlewares/incremental.py``) asks, before a
link is scheduled, whether the store already holds that URL (as an article's URL, its
canonical URL, or an alias recorded by dedupe) and what the stored copy says of its own
age (``modified_at``, ``published_at``, ``crawled_at``): the evidence a sitemap or feed
date is weighed against. The stores answer (:meth:`ArticleStore.known`) with batched,
indexed queries on read-only connections: no scan, nothing loaded up front, so start-up
stays cheap however large the store grows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newscrawler.discovery.freshness import StoredCopy

if TYPE_CHECKING:
    from typing import Self

    from newscrawler.storage.base import ArticleStore, StorageConfig

logger = logging.getLogger(__name__)


class KnownArticles:
    """The stories every configured store holds, as the SQLite store describes them."""

    def __init__(self, stores: list[ArticleStore]) -> None:
        """``stores[0]`` gives the stored copies' ages; a URL is known only when every other
        store holds it too: a run killed between the stores' commits must fetch again what
        one of them lacks."""
        self.stores = stores

    @classmethod
    def open(cls, config: StorageConfig) -> Self:
        """Snapshot the SQLite store as it is now: what this run itself stores is not "known".
        Without a SQLite store (or its file) nothing is known."""
        from newscrawler.storage.sqlite import SQLiteStore

        path = config.sqlite_path
        if path is None or not path.is_file():
            return cls([])
        try:
            sqlite = SQLiteStore(path, readonly=True)
        except Exception as exc:  # sqlite3.Error, or a file that is no database
            logger.warning("Cannot read the store %s for incremental crawling: %s", path, exc)
            return cls([])
        if not sqlite.known_until:
            sqlite.close()
            return cls([])
        logger.info("Incremental crawl: %d articles stored by earlier runs in %s", sqlite.known_until, path)
        stores: list[ArticleStore] = [sqlite]
        if config.postgres_dsn:
            from newscrawler.storage.postgres import PostgresStore

            stores.append(PostgresStore(config.postgres_dsn, readonly=True))
        return cls(stores)

    def lookup(self, urls: Iterable[str]) -> dict[str, StoredCopy]:
        """Map each stored URL among ``urls`` to what its stored copy says of its age."""
        if not self.stores:
            return {}
        first, *others = self.stores
        found = first.known(urls)
        for store in others:
            if not found:
                break
            held = store.known(found)
            found = {url: copy for url, copy in found.items() if url in held}
        return found

    def close(self) -> None:
        for store in self.stores:
            store.close()
        self.stores = []
