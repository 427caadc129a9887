"""PostgreSQL store (psycopg 3): the SQLite schema, a weighted ``tsvector`` and reconnects.

``search`` is a stored generated column (title weight A, description B, body D) with a GIN
index; ``scrapy search`` queries it with ``websearch_to_tsquery``, which accepts any input.
A batch interrupted by a lost connection is retried on a fresh connection.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg.rows import dict_row

from newscrawler.discovery.freshness import StoredCopy
from newscrawler.storage.schema import (
    ArticleFix,
    ALIASES_DDL,
    COLUMNS,
    CRAWL_TOTALS,
    alias_sql,
    aliases_of,
    columns_ddl,
    last_per_key,
    now_iso,
    rewrite_site_rows,
    upsert_sql,
)
from newscrawler.storage.search import SearchHit, SearchQuery

logger = logging.getLogger(__name__)

_SQL_TYPES = {"text": "TEXT", "int": "BIGINT", "bool": "BOOLEAN", "json": "JSONB"}
TS_CONFIG = "english"
# to_tsvector refuses documents over 1 MB; no article body comes near this.
_MAX_INDEXED_CHARS = 300_000

_SEARCH_COLUMN = (
    f"search tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('{TS_CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{TS_CONFIG}', coalesce(description, '')), 'B') || "
    f"setweight(to_tsvector('{TS_CONFIG}', left(coalesce(body, ''), {_MAX_INDEXED_CHARS})), 'D')"
    f") STORED"
)

CRAWLS_DDL = """CREATE TABLE IF NOT EXISTS crawls (
    id BIGSERIAL PRIMARY KEY,
    spider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT,
    arguments JSONB NOT NULL,
    stats JSONB
)"""



def redact(dsn: str) -> str:
    """The DSN without its password, for logs and messages."""
    dsn = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)
    return re.sub(r"(password=)\S+", r"\1***", dsn)


def connect(dsn: str, *, connect_timeout: int = 5) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, connect_timeout=connect_timeout, row_factory=dict_row)


def _clean(value: Any) -> Any:
    """PostgreSQL text and jsonb cannot hold NUL characters; pages sometimes do."""
    if isinstance(value, str):
        return value.replace("\x00", "").replace("\\u0000", "")
    return value


_KNOWN_SQL = (
    "SELECT a.url AS url, {age} FROM articles a WHERE a.url = ANY(%(u)s) "
    "UNION ALL SELECT a.canonical_url, {age} FROM articles a WHERE a.canonical_url = ANY(%(u)s) "
    "UNION ALL SELECT al.url, {age} FROM aliases al JOIN articles a ON a.canonical_url = al.canonical_url "
    "WHERE al.url = ANY(%(u)s)"
).format(age="coalesce(a.modified_at, '') AS modified_at, coalesce(a.published_at, '') AS published_at, "
             "coalesce(a.crawled_at, '') AS crawled_at")


class PostgresStore:
    """Owns one connection, reopened when it is lost. Opened for writing it is used from a
    single thread; opened ``readonly`` (lookups and search, connected on first use), threads
    may share it.

    Workers of a shared crawl store into the same tables, so :meth:`known` counts what they
    stored this run too.
    """

    def __init__(
        self,
        dsn: str,
        *,
        retries: int = 5,
        retry_delay: float = 0.5,
        on_reconnect: Callable[[], None] | None = None,
        readonly: bool = False,
    ) -> None:
        self.dsn = dsn
        self.retries = retries
        self.retry_delay = retry_delay
        self.on_reconnect = on_reconnect or (lambda: None)
        self.readonly = readonly
        self._lock = threading.Lock()
        self._reader: psycopg.Connection[Any] | None = None
        if readonly:
            return
        self.conn = connect(dsn)
        self.create_schema()
        self._upsert_sql = upsert_sql(["%s::jsonb" if c.kind == "json" else "%s" for c in COLUMNS], "%s")
        self._alias_sql = alias_sql("%s")

    def create_schema(self) -> None:
        """Create the tables, or add columns a newer ``items.py`` brought; safe to race.

        Our own workers and the dedupe store wait on advisory locks; a race with anything
        else that creates the shared ``aliases`` table is retried.
        """
        for attempt in range(3):
            try:
                return self._create_schema()
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable, psycopg.errors.DuplicateObject):
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def _create_schema(self) -> None:
        columns = columns_ddl(_SQL_TYPES)
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-schema'))")
            # The dedupe store creates the shared ``aliases`` table under its own lock: hold it
            # too, so the two never run CREATE TABLE at the same moment.
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-dedupe-schema'))")
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS articles (id BIGSERIAL PRIMARY KEY, {columns}, "
                f"stored_at TEXT, {_SEARCH_COLUMN})"
            )
            for c in COLUMNS:
                self.conn.execute(f"ALTER TABLE articles ADD COLUMN IF NOT EXISTS {c.name} {_SQL_TYPES[c.kind]}")
            self.conn.execute(ALIASES_DDL)
            self.conn.execute(CRAWLS_DDL)
            for name, kind in CRAWL_TOTALS.items():
                self.conn.execute(f"ALTER TABLE crawls ADD COLUMN IF NOT EXISTS {name} {_SQL_TYPES[kind]}")
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_search ON articles USING GIN (search)")
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_published_at ON articles (published_at)")
            self.conn.execute("CREATE INDEX IF NOT EXISTS articles_section ON articles (lower(section))")

    def _values(self, row: dict[str, Any], stored_at: str) -> list[Any]:
        return [_clean(row[c.name]) for c in COLUMNS] + [stored_at]

    def _write(self, rows: list[dict[str, Any]]) -> None:
        stored_at = now_iso()
        aliases = aliases_of(rows, stored_at)
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(self._upsert_sql, [self._values(r, stored_at) for r in rows])
            if aliases:
                cur.executemany(self._alias_sql, [tuple(_clean(v) for v in a) for a in aliases])

    def _with_reconnect(self, action: Callable[[], Any]) -> Any:
        """Run ``action``; on a lost connection reconnect (with back-off) and run it again."""
        for attempt in range(self.retries + 1):
            try:
                if self.conn.closed or self.conn.broken:
                    self.conn = connect(self.dsn)
                    self.on_reconnect()
                return action()
            except psycopg.OperationalError as exc:
                if attempt == self.retries or not self.is_outage(exc):
                    raise  # gone for good, or a statement the server refused (a too long tsvector)
                delay = self.retry_delay * 2**attempt
                logger.warning("PostgreSQL connection lost (%s); retrying in %.1fs", exc, delay)
                try:
                    self.conn.close()
                except psycopg.Error:
                    pass
                time.sleep(delay)
        raise AssertionError("unreachable")

    def upsert(self, rows: list[dict[str, Any]]) -> int:
        """Upsert a batch in one transaction. A batch the server refuses raises: the writer
        then stores its rows one by one and rejects only the refused ones."""
        rows = last_per_key(rows)
        self._with_reconnect(lambda: self._write(rows))
        return len(rows)

    def is_outage(self, exc: Exception) -> bool:
        """The connection or the server failed, not the rows. psycopg files some refusals of
        one row under OperationalError too ("string is too long for tsvector", SQLSTATE 54000)."""
        if not isinstance(exc, psycopg.Error):
            return False
        if self.conn.closed or self.conn.broken or isinstance(exc, psycopg.InterfaceError):
            return True
        # connection exception, insufficient resources, operator intervention, system error
        return (exc.sqlstate or "")[:2] in {"08", "53", "57", "58"}

    def start_crawl(self, spider: str, arguments: dict[str, Any]) -> int:
        def run() -> int:
            with self.conn.transaction():
                cur = self.conn.execute(
                    "INSERT INTO crawls (spider, started_at, arguments) VALUES (%s, %s, %s::jsonb) RETURNING id",
                    (spider, now_iso(), json.dumps(arguments, default=str, sort_keys=True)),
                )
                return int(cur.fetchone()["id"])

        return self._with_reconnect(run)

    def finish_crawl(self, crawl_id: int, reason: str | None, stats: dict[str, Any],
                     totals: dict[str, Any] | None = None) -> None:
        totals = {name: (totals or {}).get(name) for name in CRAWL_TOTALS}

        def run() -> None:
            with self.conn.transaction():
                self.conn.execute(
                    f"UPDATE crawls SET finished_at=%s, finish_reason=%s, stats=%s::jsonb, "
                    f"{', '.join(f'{name}=%s' for name in totals)} WHERE id=%s",
                    (now_iso(), reason, json.dumps(stats, default=str, sort_keys=True), *totals.values(), crawl_id),
                )

        self._with_reconnect(run)

    # --- lookups (read-only) ------------------------------------------------------------------
    def _reading(self) -> psycopg.Connection[Any]:
        if self._reader is None or self._reader.closed or self._reader.broken:
            self._reader = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5, row_factory=dict_row)
        return self._reader

    def known(self, urls: Iterable[str]) -> dict[str, StoredCopy]:
        """The stored URLs among ``urls``; none when the server does not answer (fetch again)."""
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return {}
        found: dict[str, StoredCopy] = {}
        with self._lock:
            try:
                for row in self._reading().execute(_KNOWN_SQL, {"u": wanted}):
                    found.setdefault(row["url"], StoredCopy(row["modified_at"], row["published_at"], row["crawled_at"]))
            except psycopg.Error as exc:
                logger.warning("Incremental lookup in PostgreSQL failed, fetching again: %s", exc)
                return {}
        return found

    def has(self, canonical_url: str) -> bool | None:
        """Is the story stored? None without an article table or an answer."""
        with self._lock:
            try:
                return self._reading().execute("SELECT 1 FROM articles WHERE canonical_url = %s",
                                               (canonical_url,)).fetchone() is not None
            except psycopg.Error:
                return None

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Ranked (or newest-first) ``tsvector`` matches."""
        with self._lock:
            return search(self._reading() if self.readonly else self.conn, query)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if not self.readonly:
            self.conn.close()


def search(conn: psycopg.Connection[Any], query: SearchQuery) -> list[SearchHit]:
    """Ranked (or newest-first) ``tsvector`` matches; the snippet is built only for the rows returned."""
    query.check()
    where = ["a.search @@ q"]
    params: list[Any] = [query.text]
    if query.since:
        where.append("a.published_at >= %s")
        params.append(query.since)
    if bound := query.until_bound():
        where.append(f"a.published_at {bound[0]} %s")
        params.append(bound[1])
    if query.section:
        where.append("lower(a.section) = lower(%s)")
        params.append(query.section)
    if query.site:
        where.append("a.site = %s")
        params.append(query.site)
    if query.author:
        where.append("a.authors ? %s")
        params.append(query.author)
    params += [query.limit, query.offset]
    inner, outer = (("a.published_at DESC NULLS LAST", "m.published_at DESC NULLS LAST") if query.order == "date"
                    else ("score DESC", "m.score DESC"))
    start, stop = query.mark
    options = f"StartSel={start}, StopSel={stop}, MaxWords=30, MinWords=12, MaxFragments=1"
    sql = (
        "SELECT m.*, ts_headline(%s::regconfig, coalesce(nullif(m.body, ''), m.description, m.title, ''), m.q, %s) AS snippet "
        "FROM (SELECT a.id, a.title, a.published_at, a.section, a.site, a.authors, a.canonical_url, a.url, a.body, "
        "a.description, q, ts_rank_cd(a.search, q) AS score "
        f"FROM articles a, websearch_to_tsquery('{TS_CONFIG}', %s) q "
        f"WHERE {' AND '.join(where)} ORDER BY {inner} LIMIT %s OFFSET %s) m ORDER BY {outer}"
    )
    rows = conn.execute(sql, [TS_CONFIG, options, *params]).fetchall()
    return [
        SearchHit.from_row(r, float(r["score"]))
        for r in rows
    ]


def rewrite_site(dsn: str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """:func:`newscrawler.storage.sqlite.rewrite_site` on PostgreSQL's ``articles`` table."""
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        if conn.execute("SELECT to_regclass('articles')").fetchone()[0] is None:
            return 0
        return rewrite_site_rows(conn, "%s", "ILIKE", site, needles, fix)
