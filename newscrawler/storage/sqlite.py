"""SQLite store: articles upserted by canonical URL, FTS5 index, aliases and crawl log.

The FTS5 table is named ``articles_fts`` with ``content='articles'`` so that datasette
recognises it and shows a search box on the ``articles`` table. Triggers keep it in step
with every insert, update and delete.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawler.discovery.freshness import StoredCopy

from newscrawler.storage.schema import (
    ALIASES_DDL,
    COLUMNS,
    CRAWL_TOTALS,
    FTS_COLUMNS,
    ArticleFix,
    alias_sql,
    aliases_of,
    columns_ddl,
    last_per_key,
    now_iso,
    rewrite_site_rows,
    upsert_sql,
)
from newscrawler.storage.sqlite_search import LISTING_COLUMNS, LISTING_INDEX
from newscrawler.storage.sqlite_search import search
from newscrawler.storage.wal import use_wal

if TYPE_CHECKING:
    from newscrawler.storage.search import SearchHit, SearchQuery

logger = logging.getLogger(__name__)

LOCKED_RETRIES = 3
_LOOKUP_BATCH = 400
"""URLs per lookup query, well within SQLite's bound-variable limit."""
_SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "bool": "INTEGER", "json": "TEXT"}

CRAWLS_DDL = """CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    spider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT,
    arguments TEXT NOT NULL,
    stats TEXT
)"""


# content=[articles] (bracket-quoted) is what datasette looks for to offer a search box.
FTS_TABLE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5({', '.join(FTS_COLUMNS)}, "
    "content=[articles], content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
)

FTS_OPTIONS = {
    # Terms of a whole batch are gathered in memory (1 MB by default) and written as one
    # index segment instead of several.
    "hashsize": 16 * 1024 * 1024,
    # Segments are merged 16 at a time rather than 4: each term is rewritten fewer times
    # as the index grows (about a fifth faster at 100k articles; searches measured no slower).
    "automerge": 16,
    "crisismerge": 64,
}
"""FTS5 configuration options, stored in the index itself so every connection uses them."""


def _fts_ddl() -> list[str]:
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    return [
        FTS_TABLE_DDL,
        f"CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN "
        f"INSERT INTO articles_fts(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN "
        f"INSERT INTO articles_fts(articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE ON articles BEGIN "
        f"INSERT INTO articles_fts(articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO articles_fts(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def connect(path: Path | str, *, readonly: bool = False, timeout: float = 30,
            check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in WAL mode that waits for other writers (the dedupe component)."""
    if readonly:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=timeout,
                               check_same_thread=check_same_thread)
        conn.execute("PRAGMA cache_size=-65536")
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=timeout)
        use_wal(conn)
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB: index pages stay hot at 100k+ articles
    conn.row_factory = sqlite3.Row
    return conn


class SQLiteStore:
    """Owns one connection. Opened for writing, every method runs on the thread that opened
    it; opened ``readonly`` (lookups and search only), threads may share it.

    What :meth:`known` finds is what the file held when the store was opened: what this run
    stores itself is not "known".
    """

    def __init__(self, path: Path | str, *, timeout: float = 30, readonly: bool = False,
                 conn: sqlite3.Connection | None = None) -> None:
        """``conn``: read through a connection another component already holds on ``path``
        (same thread), instead of opening one more; it stays that component's to close."""
        self.path = Path(path)
        self.readonly = readonly or conn is not None
        self._lock = threading.Lock()
        self._owned = conn is None
        self.conn = conn if conn is not None else connect(
            self.path, timeout=timeout, readonly=readonly, check_same_thread=not readonly)
        if not self.readonly:
            self.create_schema()
        self.known_until, self._evidence, self._has_aliases = self._snapshot()
        self._alias_sql = alias_sql("?")
        # Rows go in chunks of power-of-two sizes within SQLite's bound-variable limit, so a
        # handful of statements is ever compiled, whatever the batch sizes.
        per_row = len(COLUMNS) + 1
        self._max_chunk = 1 << (self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // per_row).bit_length() - 1
        self._upsert_sql: dict[int, str] = {}

    def create_schema(self) -> None:
        """Create the tables, or add the columns a newer ``items.py`` brought."""
        columns = columns_ddl(_SQL_TYPES)
        with self.conn:
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, {columns}, stored_at TEXT)"
            )
            have = {r["name"] for r in self.conn.execute("PRAGMA table_info(articles)")}
            for c in COLUMNS:
                if c.name not in have:
                    self.conn.execute(f"ALTER TABLE articles ADD COLUMN {c.name} {_SQL_TYPES[c.kind]}")
            self.conn.execute(ALIASES_DDL)
            self.conn.execute(CRAWLS_DDL)
            have = {r["name"] for r in self.conn.execute("PRAGMA table_info(crawls)")}
            for name, kind in CRAWL_TOTALS.items():
                if name not in have:
                    self.conn.execute(f"ALTER TABLE crawls ADD COLUMN {name} {_SQL_TYPES[kind]}")
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_published_at ON articles(published_at)")
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_section ON articles(section)")
            # The spider asks "is this URL stored?" before fetching (newscrawler.incremental).
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_url ON articles(url)")
            # Search pages count matches by section, site and month, and filter by author, from
            # this index alone: the rows themselves (bodies and all) are 20 times larger.
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS {LISTING_INDEX} ON articles({', '.join(LISTING_COLUMNS)})")
            self.conn.execute("CREATE INDEX IF NOT EXISTS aliases_canonical_url ON aliases(canonical_url)")
            self._migrate_fts()
            for ddl in _fts_ddl():
                self.conn.execute(ddl)
            stored = dict(self.conn.execute("SELECT k, v FROM articles_fts_config"))
            for option, value in FTS_OPTIONS.items():
                if stored.get(option) != value:  # written once: opening the file stays read-only
                    self.conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES (?, ?)", (option, value))

    def _migrate_fts(self) -> None:
        """An index built with other options is dropped here and rebuilt from ``articles``."""
        found = self.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
        wanted = FTS_TABLE_DDL.replace(" IF NOT EXISTS", "")
        if found is None or found["sql"] == wanted:
            return
        self.conn.execute("DROP TABLE articles_fts")
        for trigger in ("articles_ai", "articles_ad", "articles_au"):
            self.conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        self.conn.execute(FTS_TABLE_DDL)
        self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")

    def upsert(self, rows: list[dict[str, Any]]) -> int:
        """Insert or replace stories by canonical URL in one transaction."""
        rows = last_per_key(rows)
        stored_at = now_iso()
        values = [[row[c.name] for c in COLUMNS] + [stored_at] for row in rows]
        chunks = self._chunks(values)
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                with self.conn:
                    for chunk in chunks:
                        self.conn.execute(self._multirow_upsert(len(chunk)), [v for row in chunk for v in row])
                    self.conn.executemany(self._alias_sql, aliases_of(rows, stored_at))
                return len(rows)
            except sqlite3.OperationalError as exc:
                # Another writer (a second crawl, the dedupe state) held the file past the timeout.
                if "locked" not in str(exc) or attempt == LOCKED_RETRIES:
                    raise
        raise AssertionError("unreachable")

    def is_outage(self, exc: Exception) -> bool:
        """The file failed (locked past the retries, disk full, unreadable), not the rows:
        rows are refused with encoding, range, type or constraint errors instead."""
        return isinstance(exc, sqlite3.OperationalError) and "too big" not in str(exc) or (
            type(exc) is sqlite3.DatabaseError)

    def _chunks(self, values: list[list[Any]]) -> list[list[list[Any]]]:
        """``values`` cut into runs of power-of-two lengths, largest first."""
        chunks, start = [], 0
        while start < len(values):
            size = min(self._max_chunk, 1 << (len(values) - start).bit_length() - 1)
            chunks.append(values[start:start + size])
            start += size
        return chunks

    def _multirow_upsert(self, count: int) -> str:
        """The upsert of ``count`` rows in one statement.

        A row-by-row ``executemany`` runs the FTS5 triggers in a statement savepoint per
        row, and FTS5 flushes its pending terms to a new index segment at every savepoint:
        one statement per batch lets it build one segment, about twice as fast.
        """
        sql = self._upsert_sql.get(count)
        if sql is None:
            sql = self._upsert_sql[count] = upsert_sql(["?"] * len(COLUMNS), "?", rows=count)
        return sql

    def start_crawl(self, spider: str, arguments: dict[str, Any]) -> int:
        """Record a run's start; returns its id for :meth:`finish_crawl`."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO crawls (spider, started_at, arguments) VALUES (?, ?, ?)",
                (spider, now_iso(), json.dumps(arguments, default=str, sort_keys=True)),
            )
        return int(cur.lastrowid)

    def finish_crawl(self, crawl_id: int, reason: str | None, stats: dict[str, Any],
                     totals: dict[str, Any] | None = None) -> None:
        """Record a run's end, its final stats and its ``CRAWL_TOTALS``."""
        totals = {name: (totals or {}).get(name) for name in CRAWL_TOTALS}
        with self.conn:
            self.conn.execute(
                f"UPDATE crawls SET finished_at=?, finish_reason=?, stats=?, "
                f"{', '.join(f'{name}=?' for name in totals)} WHERE id=?",
                (now_iso(), reason, json.dumps(stats, default=str, sort_keys=True), *totals.values(), crawl_id),
            )

    # --- lookups ---------------------------------------------------------------------------
    def _snapshot(self) -> tuple[int, str, bool]:
        """The last article id now, the age columns this file has, whether it has aliases."""
        try:
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(articles)")} if "articles" in tables else set()
            if not {"id", "url", "canonical_url"} <= columns:
                return 0, "", False
            last = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        except sqlite3.Error as exc:
            logger.warning("Cannot read the store %s for incremental crawling: %s", self.path, exc)
            return 0, "", False
        evidence = ", ".join(f"coalesce(a.{c}, '')" if c in columns else "''"
                             for c in ("modified_at", "published_at", "crawled_at"))
        return int(last), evidence, "aliases" in tables

    def known(self, urls: Iterable[str]) -> dict[str, StoredCopy]:
        """The URLs among ``urls`` stored before this store was opened, batched indexed queries."""
        wanted = list(dict.fromkeys(urls))
        if not self.known_until or not wanted:
            return {}
        found: dict[str, StoredCopy] = {}
        earlier = f"a.id <= {int(self.known_until)}"
        with self._lock:
            for start in range(0, len(wanted), _LOOKUP_BATCH):
                batch = wanted[start:start + _LOOKUP_BATCH]
                marks = ",".join("?" * len(batch))
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
                        for url, modified, published, crawled in self.conn.execute(query, batch):
                            found.setdefault(url, StoredCopy(modified, published, crawled))
                except sqlite3.Error as exc:
                    logger.warning("Incremental lookup in %s failed: %s", self.path, exc)
                    break
        return found

    def has(self, canonical_url: str) -> bool | None:
        """Is the story stored now (this run's commits included)? None without an article table."""
        with self._lock:
            try:
                return self.conn.execute("SELECT 1 FROM articles WHERE canonical_url = ?",
                                         (canonical_url,)).fetchone() is not None
            except sqlite3.Error:
                return None

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Ranked FTS5 matches (see ``sqlite_search.py``)."""
        with self._lock:
            return search(self.conn, query)

    def close(self) -> None:
        if self._owned:
            self.conn.close()


def archived_articles(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """``(url, title)`` of every stored article that was archived to WARC, oldest first."""
    return [(url, title or "") for url, title in conn.execute(
        "SELECT url, title FROM articles WHERE warc_file IS NOT NULL ORDER BY rowid")]


def rewrite_site(path: Path | str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """Apply ``fix`` to the stored articles of ``site`` whose body holds one of ``needles``
    (all of the site's articles when there are none); returns rows changed. A file without an
    ``articles`` table (storage off) changes nothing."""
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone() is None:
            return 0
        return rewrite_site_rows(conn, "?", "LIKE", site, needles, fix)
    finally:
        conn.close()
