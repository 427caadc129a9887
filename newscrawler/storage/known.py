"""What earlier runs already stored, so a scheduled re-crawl fetches only what is new.

The incremental filter (``newscrawler/spidermiddlewares/incremental.py``) asks, before a
link is scheduled, whether the store already holds that URL (as an article's URL, its
canonical URL, or an alias recorded by dedupe) and what the stored copy says of its own
age (``modified_at``, ``published_at``, ``crawled_at``): the evidence a sitemap or feed
date is weighed against. Lookups are batched, indexed queries on a
read-only connection: no scan, nothing loaded up front, so start-up stays cheap however
large the store grows.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newscrawler.discovery.freshness import StoredCopy

logger = logging.getLogger(__name__)

_BATCH = 400


class KnownArticles:
    """Read-only view of the SQLite store's articles and aliases."""

    def __init__(self, path: Path, postgres_dsn: str = "") -> None:
        """Snapshot the store as it is now: what this run itself stores is not "known".

        With ``postgres_dsn`` a URL is known only when PostgreSQL holds it too: a run killed
        between the two stores' commits must fetch again what one of them lacks.
        """
        self.path = path
        self.postgres_dsn = postgres_dsn
        self._pg: Any = None
        self._conn: sqlite3.Connection | None = None
        self._max_id = 0
        if not path.is_file():
            return
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")} if "articles" in tables else set()
            if not {"id", "url", "canonical_url"} <= columns:
                conn.close()
                return
            self._max_id = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        except sqlite3.Error as exc:
            logger.warning("Cannot read the store %s for incremental crawling: %s", path, exc)
            return
        self._has_aliases = "aliases" in tables
        self._evidence = ", ".join(f"coalesce(a.{c}, '')" if c in columns else "''"
                                   for c in ("modified_at", "published_at", "crawled_at"))
        self._conn = conn
        logger.info("Incremental crawl: %d articles stored by earlier runs in %s", self._max_id, path)

    def _connection(self) -> sqlite3.Connection | None:
        return self._conn if self._max_id else None

    def lookup(self, urls: Iterable[str]) -> dict[str, StoredCopy]:
        """Map each stored URL among ``urls`` to what its stored copy says of its age."""
        wanted = list(dict.fromkeys(urls))
        conn = self._connection()
        if conn is None or not wanted:
            return {}
        found: dict[str, StoredCopy] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            marks = ",".join("?" * len(batch))
            earlier = f"a.id <= {int(self._max_id)}"
            queries = [
                f"SELECT a.url, {self._evidence} FROM articles a WHERE a.url IN ({marks}) AND {earlier}",
                f"SELECT a.canonical_url, {self._evidence} FROM articles a "
                f"WHERE a.canonical_url IN ({marks}) AND {earlier}",
            ]
            if self._has_aliases:
                queries.append(f"SELECT al.url, {self._evidence} FROM aliases al JOIN articles a "
                               f"ON a.canonical_url = al.canonical_url WHERE al.url IN ({marks}) AND {earlier}")
            try:
                for query in queries:
                    for url, modified, published, crawled in conn.execute(query, batch):
                        found.setdefault(url, StoredCopy(modified, published, crawled))
            except sqlite3.Error as exc:
                logger.warning("Incremental lookup in %s failed: %s", self.path, exc)
                break
        return self._also_in_postgres(found)

    def _also_in_postgres(self, found: dict[str, StoredCopy]) -> dict[str, StoredCopy]:
        """The URLs of ``found`` that PostgreSQL holds too (all of them without PostgreSQL)."""
        if not self.postgres_dsn or not found:
            return found
        import psycopg

        query = ("SELECT url FROM articles WHERE url = ANY(%(u)s) "
                 "UNION SELECT canonical_url FROM articles WHERE canonical_url = ANY(%(u)s) "
                 "UNION SELECT al.url FROM aliases al JOIN articles a ON a.canonical_url = al.canonical_url "
                 "WHERE al.url = ANY(%(u)s)")
        try:
            if self._pg is None:
                self._pg = psycopg.connect(self.postgres_dsn, autocommit=True, connect_timeout=5)
            held = {row[0] for row in self._pg.execute(query, {"u": list(found)})}
        except psycopg.Error as exc:
            logger.warning("Incremental lookup in PostgreSQL failed, fetching again: %s", exc)
            return {}
        return {url: copy for url, copy in found.items() if url in held}

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
