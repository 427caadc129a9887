"""The dedupe state's tables and queries, shared by the SQLite and PostgreSQL backends.

One row per story, every URL it was seen under, its LSH band keys. Everything is looked up
through an index (URL, body hash, band key), so a check costs a few B-tree probes whether the
database holds a thousand stories or a million, and opening it loads nothing. What differs
between the two databases (placeholders, column types) is a :class:`Dialect`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from newscrawler.dedupe.base import StoredStory, UrlMatch, now_iso
from newscrawler.storage.schema import ALIASES_DDL


@dataclass(frozen=True)
class Dialect:
    """How one database spells the dedupe state's SQL."""

    param: str
    """The placeholder: ``?`` or ``%s``."""
    id_column: str
    """An auto-numbered primary key."""
    integer: str
    blob: str
    key_table_options: str = ""
    """After ``CREATE TABLE (...)`` of a table keyed by a text column (``WITHOUT ROWID``)."""

    def schema(self) -> tuple[str, ...]:
        """``CREATE`` statements of the state's tables, and of the shared ``aliases`` table."""
        i, b = self.integer, self.blob
        return (
            "CREATE TABLE IF NOT EXISTS dedupe_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS dedupe_runs (id {self.id_column}, started_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS dedupe_stories (id {self.id_column}, "
            f"canonical_url TEXT NOT NULL UNIQUE, body_hash {b}, content_hash {b} NOT NULL, "
            f"modified_at TEXT, signature {b}, run_id {i}, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL)",
            # Unique, so two workers storing the same body at once collide instead of both winning.
            "CREATE UNIQUE INDEX IF NOT EXISTS dedupe_stories_body ON dedupe_stories(body_hash) "
            "WHERE body_hash IS NOT NULL",
            # kind: 'story' for a story's own canonical URL, else the alias kind; fetched_run: the
            # last run that fetched this URL (the same URL twice in one run is a ``url`` duplicate).
            f"CREATE TABLE IF NOT EXISTS dedupe_urls (url TEXT PRIMARY KEY, story_id {i} NOT NULL, "
            f"kind TEXT NOT NULL, fetched_run {i}){self.key_table_options}",
            # One story per band key: a key two stored stories share is a rare collision between
            # distinct stories (duplicates are never stored), so keeping the first loses nothing.
            f"CREATE TABLE IF NOT EXISTS dedupe_bands (band_key {i} PRIMARY KEY, story_id {i} NOT NULL)",
            ALIASES_DDL,
        )

    def marks(self, count: int) -> str:
        """``count`` placeholders, comma-separated, for an ``IN (...)`` list."""
        return ", ".join([self.param] * count)


_STORY_COLUMNS = "id, canonical_url, body_hash, content_hash, modified_at, signature, run_id"

_STATEMENTS = {
    "meta": "SELECT name, value FROM dedupe_meta",
    "add_meta": "INSERT INTO dedupe_meta VALUES ({p}, {p})",
    "start_run": "INSERT INTO dedupe_runs (started_at) VALUES ({p}) RETURNING id",
    "by_body": f"SELECT {_STORY_COLUMNS} FROM dedupe_stories WHERE body_hash = {{p}} LIMIT 1",
    "count": "SELECT COUNT(*) FROM dedupe_stories",
    "last_id": "SELECT max(id) FROM dedupe_stories",
    "add_story": "INSERT INTO dedupe_stories (canonical_url, body_hash, content_hash, modified_at, "
                 "signature, run_id, first_seen, last_seen) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}) "
                 "RETURNING id",
    "story_url": "INSERT INTO dedupe_urls (url, story_id, kind, fetched_run) VALUES ({p}, {p}, 'story', {p}) "
                 "ON CONFLICT(url) DO UPDATE SET story_id = excluded.story_id, kind = 'story', "
                 "fetched_run = excluded.fetched_run",
    # the new text may equal another stored story's: it keeps its own fingerprint then
    "update_story": "UPDATE dedupe_stories SET body_hash = CASE WHEN EXISTS (SELECT 1 FROM dedupe_stories "
                    "WHERE body_hash = {p} AND id <> {p}) THEN NULL ELSE {p} END, content_hash = {p}, "
                    "modified_at = {p}, signature = {p}, run_id = {p}, last_seen = {p} WHERE id = {p}",
    "forget_story": "UPDATE dedupe_stories SET body_hash = NULL, signature = NULL, content_hash = {p}, "
                    "run_id = {p}, last_seen = {p} WHERE id = {p}",
    "touch": "UPDATE dedupe_stories SET last_seen = {p}, run_id = {p} WHERE id = {p}",
    "mark_fetched": "UPDATE dedupe_urls SET fetched_run = {p} WHERE url = {p}",
    "alias_url": "INSERT INTO dedupe_urls (url, story_id, kind, fetched_run) VALUES ({p}, {p}, {p}, {p}) "
                 "ON CONFLICT(url) DO UPDATE SET fetched_run = coalesce(excluded.fetched_run, dedupe_urls.fetched_run)",
    "alias": "INSERT INTO aliases (url, canonical_url, kind, seen_at) VALUES ({p}, {p}, {p}, {p}) "
             "ON CONFLICT(url) DO UPDATE SET seen_at = excluded.seen_at",
    "add_bands": "INSERT INTO dedupe_bands (band_key, story_id) VALUES ({p}, {p}) ON CONFLICT DO NOTHING",
}


class SQLDedupeStore:
    """Tables ``dedupe_*`` plus rows in the shared ``aliases`` table, on one DB-API connection.

    A backend opens the connection and hands it over with its :class:`Dialect`; it may add
    its own locking (:meth:`lock_bands`) and error classes.
    """

    group_commit = True
    conflict_errors: tuple[type[Exception], ...] = ()
    errors: tuple[type[Exception], ...] = ()

    def __init__(self, conn: Any, dialect: Dialect, where: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.where = where
        self.sql = {name: text.format(p=dialect.param) for name, text in _STATEMENTS.items()}

    def create_schema(self) -> None:
        """Create the tables that do not exist yet (not committed)."""
        for ddl in self.dialect.schema():
            self._execute(ddl)

    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, args)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        cursor = self.conn.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def _check_params(self, params: dict[str, str]) -> None:
        """Band keys are only comparable under the same MinHash parameters: refuse a mismatch."""
        stored = {name: value for name, value in self._execute(self.sql["meta"])}
        if not stored:
            self._executemany(self.sql["add_meta"], sorted(params.items()))
            return
        if stored != params:
            raise ValueError(
                f"dedupe state in {self.where} was built with {stored}, this crawl uses {params}; "
                "use the same NEWSCRAWLER_DEDUPE_* MinHash settings or drop the dedupe_* tables"
            )

    # --- lookups ---------------------------------------------------------------------------
    def start_run(self) -> int:
        """A new run number: what this run sees is told apart from what earlier runs saw."""
        run_id = self._execute(self.sql["start_run"], (now_iso(),)).fetchone()[0]
        self.commit()
        return run_id

    def lookup_urls(self, urls: Iterable[str]) -> dict[str, UrlMatch]:
        """The known ones among ``urls``, with their stories."""
        urls = list(dict.fromkeys(urls))
        rows = self._execute(
            "SELECT u.url, u.kind, u.fetched_run, s.id, s.canonical_url, s.body_hash, s.content_hash, "
            "s.modified_at, s.signature, s.run_id FROM dedupe_urls u JOIN dedupe_stories s ON s.id = u.story_id "
            f"WHERE u.url IN ({self.dialect.marks(len(urls))})",
            urls,
        )
        return {row[0]: UrlMatch(StoredStory(*row[3:]), row[1], row[2]) for row in rows}

    def lock_bands(self, band_keys: list[int]) -> None:
        """Hold these LSH band keys until the decision commits (one writer: nothing to do)."""

    def story_by_body_hash(self, body_hash: bytes) -> StoredStory | None:
        row = self._execute(self.sql["by_body"], (body_hash,)).fetchone()
        return StoredStory(*row) if row else None

    def candidates(self, band_keys: list[int]) -> list[StoredStory]:
        """Stories sharing at least one LSH band key (at most 50)."""
        rows = self._execute(
            f"SELECT {_STORY_COLUMNS} FROM dedupe_stories WHERE id IN (SELECT story_id FROM "
            f"dedupe_bands WHERE band_key IN ({self.dialect.marks(len(band_keys))})) LIMIT 50",
            band_keys,
        ).fetchall()
        return [StoredStory(*row) for row in rows]

    def count_stories(self) -> int:
        """Exact count: a scan of the table, for reports, not for start-up."""
        return self._execute(self.sql["count"]).fetchone()[0]

    def last_story_id(self) -> int:
        """Roughly how many stories are stored, read off the primary key without a scan."""
        return self._execute(self.sql["last_id"]).fetchone()[0] or 0

    # --- writes (committed by :meth:`commit`) ---------------------------------------------
    def add_story(
        self,
        canonical_url: str,
        *,
        body_hash: bytes | None,
        content_hash: bytes,
        modified_at: str | None,
        signature: bytes | None,
        band_keys: list[int],
        run_id: int,
        fetch_url: str,
    ) -> int:
        now = now_iso()
        story_id = self._execute(
            self.sql["add_story"],
            (canonical_url, body_hash, content_hash, modified_at, signature, run_id, now, now),
        ).fetchone()[0]
        self._add_bands(story_id, band_keys)
        self._execute(self.sql["story_url"],
                      (canonical_url, story_id, run_id if fetch_url == canonical_url else None))
        if fetch_url != canonical_url:
            self.add_alias(fetch_url, story_id, canonical_url, "canonical", fetched_run=run_id, now=now)
        return story_id

    def update_story(
        self,
        story: StoredStory,
        *,
        body_hash: bytes | None,
        content_hash: bytes,
        modified_at: str | None,
        signature: bytes | None,
        old_band_keys: list[int],
        band_keys: list[int],
        run_id: int,
    ) -> None:
        """Replace a story's fingerprints with those of its newer version."""
        self._drop_bands(story, old_band_keys)
        self._add_bands(story.id, band_keys)
        self._execute(
            self.sql["update_story"],
            (body_hash, story.id, body_hash, content_hash, modified_at, signature, run_id, now_iso(), story.id),
        )

    def forget_story(self, story: StoredStory, band_keys: list[int], *, content_hash: bytes, run_id: int) -> None:
        """Drop a story's fingerprints (body hash, signature, band keys) and give it
        ``content_hash``: a store refused it, so nothing may be judged its copy."""
        self._drop_bands(story, band_keys)
        self._execute(self.sql["forget_story"], (content_hash, run_id, now_iso(), story.id))

    def touch(self, story: StoredStory, run_id: int) -> None:
        """The story was seen again in run ``run_id``."""
        self._execute(self.sql["touch"], (now_iso(), run_id, story.id))

    def mark_fetched(self, url: str, run_id: int) -> None:
        self._execute(self.sql["mark_fetched"], (run_id, url))

    def add_alias(
        self,
        url: str,
        story_id: int,
        canonical_url: str,
        kind: str,
        *,
        fetched_run: int | None = None,
        now: str | None = None,
    ) -> None:
        """Remember ``url`` as another address of the story, here and in ``aliases``.
        A URL already known keeps its story and kind."""
        self._execute(self.sql["alias_url"], (url, story_id, kind, fetched_run))
        self._execute(self.sql["alias"], (url, canonical_url, kind, now or now_iso()))

    def _add_bands(self, story_id: int, band_keys: list[int]) -> None:
        if band_keys:
            self._executemany(self.sql["add_bands"], [(key, story_id) for key in band_keys])

    def _drop_bands(self, story: StoredStory, band_keys: list[int]) -> None:
        if band_keys:
            p = self.dialect.param
            self._execute(
                f"DELETE FROM dedupe_bands WHERE story_id = {p} AND band_key IN ({self.dialect.marks(len(band_keys))})",
                [story.id, *band_keys],
            )

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()
