"""Where each site's learned template lives between runs.

Two tables beside the articles, in the SQLite file (``NEWSCRAWLER_SQLITE_PATH``) or in
PostgreSQL when ``NEWSCRAWLER_POSTGRES_DSN`` is set: ``template_sites`` (article pages counted
per site) and ``template_lines`` (per site and line key: pages seen on, when first and last
seen as the site's page number, learned or not, a sample of the text, times dropped). Counts
are written as increments, so workers sharing one PostgreSQL add up instead of overwriting
each other. Used from one thread at a time (the template pipeline's worker).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newscrawler.extract.template import Changes, LineCount
from newscrawler.storage.wal import use_wal

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS template_sites (site TEXT PRIMARY KEY, pages BIGINT NOT NULL, "
    "updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS template_lines (site TEXT NOT NULL, line_key BIGINT NOT NULL, "
    "pages BIGINT NOT NULL, first_page BIGINT NOT NULL, last_page BIGINT NOT NULL, "
    "learned INTEGER NOT NULL DEFAULT 0, sample TEXT NOT NULL, dropped BIGINT NOT NULL DEFAULT 0, "
    "PRIMARY KEY (site, line_key))",
)

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class TemplateStore:
    """The template tables in SQLite."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    _param, _least, _greatest = "?", "min", "max"

    def __init__(self, path: Path | str) -> None:
        self.where = str(path)
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn: Any = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        use_wal(self.conn)
        self._create()

    def _create(self) -> None:
        for ddl in _SCHEMA:
            self._execute(ddl)
        self.conn.commit()

    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, args)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def load(self, site: str, limit: int) -> tuple[int, list[tuple[int, LineCount]]]:
        """The site's page count and its ``limit`` best-known lines (learned ones first)."""
        p = self._param
        row = self._execute(f"SELECT pages FROM template_sites WHERE site = {p}", (site,)).fetchone()
        rows = self._execute(
            "SELECT line_key, pages, first_page, last_page, sample, learned FROM template_lines "
            f"WHERE site = {p} ORDER BY learned DESC, pages DESC LIMIT {p}", (site, limit),
        ).fetchall()
        self.conn.commit()  # a read transaction left open would hold back checkpoints
        lines = [(key, LineCount(pages, first, last, sample, bool(learned))) for key, pages, first, last, sample, learned in rows]
        return (row[0] if row else 0), lines

    def save(self, changes: Changes) -> None:
        """Add one site's changes (page and line counts are increments) and commit."""
        p = self._param
        now = _now()
        if changes.pages:
            self._execute(
                f"INSERT INTO template_sites (site, pages, updated_at) VALUES ({p}, {p}, {p}) ON CONFLICT (site) "
                "DO UPDATE SET pages = template_sites.pages + excluded.pages, updated_at = excluded.updated_at",
                (changes.site, changes.pages, now),
            )
        if changes.lines:
            self._executemany(
                "INSERT INTO template_lines (site, line_key, pages, first_page, last_page, learned, sample, dropped) "
                f"VALUES ({', '.join([p] * 8)}) ON CONFLICT (site, line_key) DO UPDATE SET "
                "pages = template_lines.pages + excluded.pages, "
                f"first_page = {self._least}(template_lines.first_page, excluded.first_page), "
                f"last_page = {self._greatest}(template_lines.last_page, excluded.last_page), "
                f"learned = {self._greatest}(template_lines.learned, excluded.learned), "
                "dropped = template_lines.dropped + excluded.dropped",
                [(changes.site, key, line.pages, line.first_page, line.last_page, int(line.learned), line.sample,
                  line.dropped) for key, line in changes.lines.items()],
            )
        if changes.forgotten:
            # Another worker may have seen the line more often since: its count then keeps it.
            self._executemany(
                f"DELETE FROM template_lines WHERE site = {p} AND line_key = {p} AND pages <= {p} AND learned = 0",
                [(changes.site, key, pages) for key, pages in changes.forgotten],
            )
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


class PostgresTemplateStore(TemplateStore):
    """The same tables on a PostgreSQL server (psycopg 3), shared by every worker using it."""

    _param, _least, _greatest = "%s", "LEAST", "GREATEST"

    def __init__(self, dsn: str, *, connect_timeout: int = 5) -> None:
        import psycopg

        from newscrawler.storage.postgres import redact

        self.where = redact(dsn)
        self.errors = (psycopg.Error,)
        try:
            self.conn = psycopg.connect(dsn, connect_timeout=connect_timeout)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot open the template tables at {self.where}: {exc}") from exc
        # Workers starting together must not race to create the same tables.
        self._execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-template-schema'))")
        self._create()

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)
