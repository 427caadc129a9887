"""The article store's interface, and the one place that reads where the stores are.

:class:`ArticleStore` is what the SQLite store (``sqlite.py``) and the PostgreSQL store
(``postgres.py``) both offer: the pipelines write through it on their writer thread, the
incremental filter and the dedupe pipeline ask it what is stored (off the reactor), and
``scrapy search`` searches it. :class:`StorageConfig` is the only reader of
``NEWSCRAWLER_SQLITE_PATH`` and ``NEWSCRAWLER_POSTGRES_DSN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from typing import Self

    from scrapy.settings import BaseSettings

    from newscrawler.discovery.freshness import StoredCopy
    from newscrawler.storage.search import SearchHit, SearchQuery


class ArticleStore(Protocol):
    """Articles upserted by canonical URL, the URLs they were also seen under, the crawl log.

    A store opened for writing is used from one thread (its writer's); one opened read-only
    may be shared by threads.
    """

    def upsert(self, rows: list[dict[str, Any]]) -> int:
        """Insert or replace stories (rows of ``schema.to_row``) in one transaction."""
        ...

    def is_outage(self, exc: Exception) -> bool:
        """Did the database itself fail (gone, locked, full), rather than refuse these rows?"""
        ...

    def start_crawl(self, spider: str, arguments: dict[str, Any]) -> int:
        """Record a run's start; returns its id for :meth:`finish_crawl`."""
        ...

    def finish_crawl(self, crawl_id: int, reason: str | None, stats: dict[str, Any],
                     totals: dict[str, Any] | None = None) -> None:
        """Record a run's end, its final stats and its ``CRAWL_TOTALS``."""
        ...

    def known(self, urls: Iterable[str]) -> dict[str, StoredCopy]:
        """The stored URLs among ``urls`` (as an article's URL, its canonical URL or an alias),
        each with what its stored copy says of its age. A lookup the database fails is logged
        and finds nothing more: the page is fetched again."""
        ...

    def has(self, canonical_url: str) -> bool | None:
        """Is this story stored? None when the store cannot say (no article table, no answer)."""
        ...

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Full-text matches of ``query``, ranked or newest first."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StorageConfig:
    """Where the articles are stored: a SQLite file (the default), PostgreSQL when a DSN is set."""

    sqlite_path: Path | None
    """None when ``NEWSCRAWLER_SQLITE_PATH`` is empty (SQLite storage off)."""
    postgres_dsn: str
    """The setting, else the environment variable of the same name ("" = off)."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        path = settings.get("NEWSCRAWLER_SQLITE_PATH") or ""
        dsn = settings.get("NEWSCRAWLER_POSTGRES_DSN") or os.environ.get("NEWSCRAWLER_POSTGRES_DSN", "")
        return cls(Path(path) if path else None, dsn)
