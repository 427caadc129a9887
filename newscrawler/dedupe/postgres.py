"""Dedupe state in PostgreSQL, for crawls whose workers share one store.

The same tables and queries as the SQLite store (``store.py``); only the connection, the
schema's types and the placeholders differ. Every decision is committed on its own, so a
worker sees what the others decided a moment ago. Two workers deciding copies of one story at
the same instant: the same URL or body is a unique-key conflict the pipeline settles by
deciding again; near copies share LSH band keys, and a decision holds an advisory lock on each
of its band keys until it commits, so the second worker waits and then finds the first's story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from newscrawler.dedupe.store import ALIASES_DDL, DedupeStore

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS dedupe_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dedupe_runs (id BIGSERIAL PRIMARY KEY, started_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dedupe_stories (id BIGSERIAL PRIMARY KEY, "
    "canonical_url TEXT NOT NULL UNIQUE, body_hash BYTEA, content_hash BYTEA NOT NULL, "
    "modified_at TEXT, signature BYTEA, run_id BIGINT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL)",
    # Unique, so two workers storing the same body at once collide instead of both winning.
    "CREATE UNIQUE INDEX IF NOT EXISTS dedupe_stories_body ON dedupe_stories(body_hash) "
    "WHERE body_hash IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS dedupe_urls (url TEXT PRIMARY KEY, story_id BIGINT NOT NULL, "
    "kind TEXT NOT NULL, fetched_run BIGINT)",
    "CREATE TABLE IF NOT EXISTS dedupe_bands (band_key BIGINT PRIMARY KEY, story_id BIGINT NOT NULL)",
    ALIASES_DDL,
)
_PLACEHOLDER = re.compile(r"\?")
_BAND_LOCKS = 0x6E637364  # first key of the two-key advisory locks on band keys ("ncsd")


class PostgresDedupeStore(DedupeStore):
    """:class:`DedupeStore` on a PostgreSQL server (psycopg 3), one decision per transaction."""

    group_commit = False

    def __init__(self, dsn: str, *, params: dict[str, str] | None = None, connect_timeout: int = 5) -> None:
        import psycopg

        from newscrawler.storage.postgres import redact

        self.where = redact(dsn)
        try:
            self.conn: Any = psycopg.connect(dsn, connect_timeout=connect_timeout)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot open the dedupe state at {self.where}: {exc}") from exc
        # Dedupe state is re-derivable: losing the last commits in a server crash is harmless.
        self.conn.execute("SET synchronous_commit = off")
        # Workers starting together must not race to create the same tables.
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-dedupe-schema'))")
        for ddl in _SCHEMA:
            self.conn.execute(ddl)
        if params:
            self._check_params(params)
        self.commit()

    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_PLACEHOLDER.sub("%s", sql), args)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)

    def lock_bands(self, band_keys: list[int]) -> None:
        # 32-bit lock keys: two bands folding to one key only make a worker wait a moment more.
        # Taken in sorted order, so two decisions never wait on each other's bands.
        locks = sorted({(key ^ (key >> 32)) & 0xFFFFFFFF for key in band_keys})
        self._execute(
            "SELECT count(pg_advisory_xact_lock(?::int, k)) FROM unnest(?::int[]) AS k",
            (_BAND_LOCKS, [lock - (1 << 32) if lock >= 1 << 31 else lock for lock in locks]),
        )

    @property
    def conflict_errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        # a deadlock between two decisions' unique keys is settled the same way: decide again
        return (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (psycopg.Error,)
