"""Where each site's learned template lives between runs, and the rewrite of stored articles.

Two tables beside the articles, in the SQLite file (``NEWSCRAWLER_SQLITE_PATH``) or in
PostgreSQL when ``NEWSCRAWLER_POSTGRES_DSN`` is set: ``template_sites`` (article pages counted
per site) and ``template_lines`` (per site and line key: pages seen on, when first and last
seen as the site's page number, learned or not, a sample of the text, times dropped). Counts
are written as increments, so workers sharing one PostgreSQL add up instead of overwriting
each other. Used from one thread at a time (the template pipeline's worker).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
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
_PLACEHOLDER = re.compile(r"\?")

ArticleFix = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""Given a stored article's body fields, the changed ones (None: leave the row alone)."""
REWRITTEN_FIELDS = ("body", "body_html", "lede", "word_count")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class TemplateStore:
    """The template tables in SQLite."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    _least, _greatest = "min", "max"

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
        row = self._execute("SELECT pages FROM template_sites WHERE site = ?", (site,)).fetchone()
        rows = self._execute(
            "SELECT line_key, pages, first_page, last_page, sample, learned FROM template_lines "
            "WHERE site = ? ORDER BY learned DESC, pages DESC LIMIT ?", (site, limit),
        ).fetchall()
        self.conn.commit()  # a read transaction left open would hold back checkpoints
        lines = [(key, LineCount(pages, first, last, sample, bool(learned))) for key, pages, first, last, sample, learned in rows]
        return (row[0] if row else 0), lines

    def save(self, changes: Changes) -> None:
        """Add one site's changes (page and line counts are increments) and commit."""
        now = _now()
        if changes.pages:
            self._execute(
                "INSERT INTO template_sites (site, pages, updated_at) VALUES (?, ?, ?) ON CONFLICT (site) "
                "DO UPDATE SET pages = template_sites.pages + excluded.pages, updated_at = excluded.updated_at",
                (changes.site, changes.pages, now),
            )
        if changes.lines:
            self._executemany(
                "INSERT INTO template_lines (site, line_key, pages, first_page, last_page, learned, sample, dropped) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, line_key) DO UPDATE SET "
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
                "DELETE FROM template_lines WHERE site = ? AND line_key = ? AND pages <= ? AND learned = 0",
                [(changes.site, key, pages) for key, pages in changes.forgotten],
            )
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


class PostgresTemplateStore(TemplateStore):
    """The same tables on a PostgreSQL server (psycopg 3), shared by every worker using it."""

    _least, _greatest = "LEAST", "GREATEST"

    def __init__(self, dsn: str, *, connect_timeout: int = 5) -> None:
        import psycopg

        from newscrawler.storage.postgres import redact

        self.where = redact(dsn)
        try:
            self.conn = psycopg.connect(dsn, connect_timeout=connect_timeout)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot open the template tables at {self.where}: {exc}") from exc
        # Workers starting together must not race to create the same tables.
        self._execute("SELECT pg_advisory_xact_lock(hashtext('newscrawler-template-schema'))")
        self._create()

    @property
    def errors(self) -> tuple[type[Exception], ...]:  # type: ignore[override]
        import psycopg

        return (psycopg.Error,)

    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_PLACEHOLDER.sub("%s", sql), args)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)


def rewrite_sqlite_articles(path: Path | str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """Apply ``fix`` to the stored articles of ``site`` whose body holds one of ``needles``
    (all of the site's articles when there are none); returns rows changed. A file without an
    ``articles`` table (storage off) changes nothing."""
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone() is None:
            return 0
        return _rewrite(conn, "?", "LIKE", site, needles, fix)
    finally:
        conn.close()


def rewrite_postgres_articles(dsn: str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """:func:`rewrite_sqlite_articles` on PostgreSQL's ``articles`` table."""
    import psycopg

    with psycopg.connect(dsn, connect_timeout=5) as conn:
        if conn.execute("SELECT to_regclass('articles')").fetchone()[0] is None:
            return 0
        return _rewrite(conn, "%s", "ILIKE", site, needles, fix)


def _rewrite(conn: Any, mark: str, like: str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """Batches of 500 rows in id order, each committed on its own: a writer waiting for the
    file (SQLite) waits for one batch at most."""
    changed, last_id = 0, 0
    columns = ", ".join(REWRITTEN_FIELDS)
    assignments = ", ".join(f"{name} = {mark}" for name in REWRITTEN_FIELDS)
    matching = " OR ".join(f"body {like} {mark} ESCAPE '\\'" for _ in needles)
    where = f"site = {mark} AND id > {mark}" + (f" AND ({matching})" if needles else "")
    patterns = ["%" + re.sub(r"([%_\\])", r"\\\1", needle) + "%" for needle in needles]
    while True:
        rows = conn.execute(f"SELECT id, {columns} FROM articles WHERE {where} ORDER BY id LIMIT 500",
                            [site, last_id, *patterns]).fetchall()
        if not rows:
            return changed
        for row_id, *values in rows:
            fixed = fix(dict(zip(REWRITTEN_FIELDS, values)))
            if fixed is not None:
                conn.execute(f"UPDATE articles SET {assignments} WHERE id = {mark}",
                             [*(fixed[name] for name in REWRITTEN_FIELDS), row_id])
                changed += 1
        conn.commit()
        last_id = rows[-1][0]
