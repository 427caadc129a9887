"""Dedupe state in PostgreSQL, for crawls whose workers share one store.

The same tables and queries as the SQLite backend (``sql.py``); only the connection, the
schema's types and the placeholders differ (:data:`POSTGRES`). Every decision is committed on
its own, so a worker sees what the others decided a moment ago. Two workers deciding copies of
one story at the same instant: the same URL or body is a unique-key conflict the pipeline
settles by deciding again; near copies share LSH band keys, and a decision holds an advisory
lock on each of its band keys until it commits, so the second worker waits and then finds the
first's story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscrawler.dedupe.sql import Dialect, SQLDedupeStore

if TYPE_CHECKING:
    from typing import Self

    from newscrawler.pipelines.dedupe import DedupeConfig

POSTGRES = Dialect(param="%s", id_column="BIGSERIAL PRIMARY KEY", integer="BIGINT", blob="BYTEA")
_BAND_LOCKS = 0x6E637364  # first key of the two-key advisory locks on band keys ("ncsd")


class PostgresDedupeStore(SQLDedupeStore):
    """The shared dedupe tables on a PostgreSQL server (psycopg 3), one decision per transaction."""

    group_commit = False

    def __init__(self, dsn: str, *, params: dict[str, str] | None = None, connect_timeout: int = 5) -> None:
        import psycopg

        from newscrawler.storage.postgres import redact

        where = redact(dsn)
        try:
            conn: Any = psycopg.connect(dsn, connect_timeout=connect_timeout)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot open the dedupe state at {where}: {exc}") from exc
        super().__init__(conn, POSTGRES, where)
        # a deadlock between two decisions' unique keys is settled the same way: decide again
        self.conflict_errors = (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected)
        self.errors = (psycopg.Error,)
        # Dedupe state is re-derivable: losing the last commits in a server crash is harmless.
        self.conn.execute("SET synchronous_commit = off")
        # Workers starting together must not race to create the same tables.
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-dedupe-schema'))")
        self.create_schema()
        if params:
            self._check_params(params)
        self.commit()

    @classmethod
    def from_config(cls, config: DedupeConfig, spider_name: str) -> Self:
        return cls(config.postgres_dsn, params=config.store_params())

    def lock_bands(self, band_keys: list[int]) -> None:
        # 32-bit lock keys: two bands folding to one key only make a worker wait a moment more.
        # Taken in sorted order, so two decisions never wait on each other's bands.
        locks = sorted({(key ^ (key >> 32)) & 0xFFFFFFFF for key in band_keys})
        self._execute(
            "SELECT count(pg_advisory_xact_lock(%s::int, k)) FROM unnest(%s::int[]) AS k",
            (_BAND_LOCKS, [lock - (1 << 32) if lock >= 1 << 31 else lock for lock in locks]),
        )
