"""Dedupe state in SQLite: one row per story, every URL it was seen under, its LSH band keys.

Everything is looked up through an index (URL, body hash, band key), so a check costs a few
B-tree probes whether the database holds a thousand stories or a million, and opening it
loads nothing. Used from one thread at a time (the pipeline's worker thread).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newscrawler.storage.wal import use_wal

ALIASES_DDL = (
    "CREATE TABLE IF NOT EXISTS aliases (url TEXT PRIMARY KEY, canonical_url TEXT NOT NULL, "
    "kind TEXT NOT NULL, seen_at TEXT NOT NULL)"
)
"""The shared table of a story's other URLs (the storage component creates the same one)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS dedupe_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dedupe_runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dedupe_stories (id INTEGER PRIMARY KEY, "
    "canonical_url TEXT NOT NULL UNIQUE, body_hash BLOB, content_hash BLOB NOT NULL, "
    "modified_at TEXT, signature BLOB, run_id INTEGER, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL)",
    # Unique, so two workers storing the same body at once collide instead of both winning.
    "CREATE UNIQUE INDEX IF NOT EXISTS dedupe_stories_body ON dedupe_stories(body_hash) "
    "WHERE body_hash IS NOT NULL",
    # kind: 'story' for a story's own canonical URL, else the alias kind; fetched_run: the last
    # run that fetched this URL (the same URL twice in one run is a ``url`` duplicate).
    "CREATE TABLE IF NOT EXISTS dedupe_urls (url TEXT PRIMARY KEY, story_id INTEGER NOT NULL, "
    "kind TEXT NOT NULL, fetched_run INTEGER) WITHOUT ROWID",
    # One story per band key: a key two stored stories share is a rare collision between
    # distinct stories (duplicates are never stored), so keeping the first loses nothing real.
    "CREATE TABLE IF NOT EXISTS dedupe_bands (band_key INTEGER PRIMARY KEY, story_id INTEGER NOT NULL)",
    ALIASES_DDL,
)


@dataclass(frozen=True)
class StoredStory:
    """What the store remembers of a story."""

    id: int
    canonical_url: str
    body_hash: bytes | None
    content_hash: bytes
    modified_at: str | None
    signature: bytes | None
    run_id: int | None
    """The last run that saw this story (emitted, updated, unchanged or duplicated)."""


@dataclass(frozen=True)
class UrlMatch:
    """A known URL: the story it belongs to, how (``story`` or an alias kind), when fetched."""

    story: StoredStory
    kind: str
    fetched_run: int | None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_STORY_COLUMNS = "id, canonical_url, body_hash, content_hash, modified_at, signature, run_id"


class DedupeStore:
    """SQLite tables ``dedupe_*`` plus rows in the shared ``aliases`` table."""

    group_commit = True
    """Decisions may share a transaction: one process writes this store at a time."""
    conflict_errors: tuple[type[Exception], ...] = ()
    """Errors meaning another writer stored the same story first: decide again."""
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    """Errors of the database itself (locked for too long, disk full, connection lost)."""

    def __init__(self, path: Path | str, *, params: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.where = str(path)
        if self.path != Path(":memory:"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn: Any = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        use_wal(self.conn)
        self.conn.execute("PRAGMA cache_size=-65536")
        for ddl in _SCHEMA:
            self.conn.execute(ddl)
        self.conn.execute("DROP INDEX IF EXISTS dedupe_stories_body_hash")  # older, not unique
        for table, column in (("dedupe_stories", "run_id"), ("dedupe_urls", "fetched_run")):
            if column not in {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")  # older state
        if params:
            self._check_params(params)
        self.commit()

    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, args)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _check_params(self, params: dict[str, str]) -> None:
        """Band keys are only comparable under the same MinHash parameters: refuse a mismatch."""
        stored = {name: value for name, value in self._execute("SELECT name, value FROM dedupe_meta")}
        if not stored:
            self._executemany("INSERT INTO dedupe_meta VALUES (?, ?)", sorted(params.items()))
            return
        if stored != params:
            raise ValueError(
                f"dedupe state in {self.where} was built with {stored}, this crawl uses {params}; "
                "use the same NEWSCRAWLER_DEDUPE_* MinHash settings or drop the dedupe_* tables"
            )

    # --- lookups ---------------------------------------------------------------------------
    def start_run(self) -> int:
        """A new run number: what this run sees is told apart from what earlier runs saw."""
        run_id = self._execute("INSERT INTO dedupe_runs (started_at) VALUES (?) RETURNING id", (_now(),)).fetchone()[0]
        self.commit()
        return run_id

    def lookup_urls(self, urls: Iterable[str]) -> dict[str, UrlMatch]:
        """The known ones among ``urls``, with their stories."""
        urls = list(dict.fromkeys(urls))
        rows = self._execute(
            "SELECT u.url, u.kind, u.fetched_run, s.id, s.canonical_url, s.body_hash, s.content_hash, "
            "s.modified_at, s.signature, s.run_id FROM dedupe_urls u JOIN dedupe_stories s ON s.id = u.story_id "
            f"WHERE u.url IN ({', '.join('?' for _ in urls)})",
            urls,
        )
        return {row[0]: UrlMatch(StoredStory(*row[3:]), row[1], row[2]) for row in rows}

    def lock_bands(self, band_keys: list[int]) -> None:
        """Hold these LSH band keys until the decision commits (one writer here: nothing to do)."""

    def story_by_body_hash(self, body_hash: bytes) -> StoredStory | None:
        row = self._execute(
            f"SELECT {_STORY_COLUMNS} FROM dedupe_stories WHERE body_hash = ? LIMIT 1", (body_hash,)
        ).fetchone()
        return StoredStory(*row) if row else None

    def candidates(self, band_keys: list[int]) -> list[StoredStory]:
        """Stories sharing at least one LSH band key (at most 50)."""
        rows = self._execute(
            f"SELECT {_STORY_COLUMNS} FROM dedupe_stories WHERE id IN (SELECT story_id FROM "
            f"dedupe_bands WHERE band_key IN ({', '.join('?' for _ in band_keys)})) LIMIT 50",
            band_keys,
        ).fetchall()
        return [StoredStory(*row) for row in rows]

    def count_stories(self) -> int:
        """Exact count: a scan of the table, for reports, not for start-up."""
        return self._execute("SELECT COUNT(*) FROM dedupe_stories").fetchone()[0]

    def last_story_id(self) -> int:
        """Roughly how many stories are stored, read off the primary key without a scan."""
        return self._execute("SELECT max(id) FROM dedupe_stories").fetchone()[0] or 0

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
        now = _now()
        story_id = self._execute(
            "INSERT INTO dedupe_stories (canonical_url, body_hash, content_hash, modified_at, "
            "signature, run_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (canonical_url, body_hash, content_hash, modified_at, signature, run_id, now, now),
        ).fetchone()[0]
        self._add_bands(story_id, band_keys)
        self._execute(
            "INSERT INTO dedupe_urls (url, story_id, kind, fetched_run) VALUES (?, ?, 'story', ?) "
            "ON CONFLICT(url) DO UPDATE SET story_id = excluded.story_id, kind = 'story', "
            "fetched_run = excluded.fetched_run",
            (canonical_url, story_id, run_id if fetch_url == canonical_url else None),
        )
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
        if old_band_keys:
            self._execute(
                f"DELETE FROM dedupe_bands WHERE story_id = ? AND band_key IN "
                f"({', '.join('?' for _ in old_band_keys)})",
                [story.id, *old_band_keys],
            )
        self._add_bands(story.id, band_keys)
        self._execute(
            # the new text may equal another stored story's: it keeps its own fingerprint then
            "UPDATE dedupe_stories SET body_hash = CASE WHEN EXISTS (SELECT 1 FROM dedupe_stories "
            "WHERE body_hash = ? AND id <> ?) THEN NULL ELSE ? END, content_hash = ?, modified_at = ?, "
            "signature = ?, run_id = ?, last_seen = ? WHERE id = ?",
            (body_hash, story.id, body_hash, content_hash, modified_at, signature, run_id, _now(), story.id),
        )

    def forget_story(self, story: StoredStory, band_keys: list[int], *, content_hash: bytes, run_id: int) -> None:
        """Drop a story's fingerprints (body hash, signature, band keys) and give it
        ``content_hash``: a store refused it, so nothing may be judged its copy."""
        if band_keys:
            self._execute(
                f"DELETE FROM dedupe_bands WHERE story_id = ? AND band_key IN ({', '.join('?' for _ in band_keys)})",
                [story.id, *band_keys],
            )
        self._execute(
            "UPDATE dedupe_stories SET body_hash = NULL, signature = NULL, content_hash = ?, run_id = ?, "
            "last_seen = ? WHERE id = ?",
            (content_hash, run_id, _now(), story.id),
        )

    def touch(self, story: StoredStory, run_id: int) -> None:
        """The story was seen again in run ``run_id``."""
        self._execute(
            "UPDATE dedupe_stories SET last_seen = ?, run_id = ? WHERE id = ?", (_now(), run_id, story.id)
        )

    def mark_fetched(self, url: str, run_id: int) -> None:
        self._execute("UPDATE dedupe_urls SET fetched_run = ? WHERE url = ?", (run_id, url))

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
        now = now or _now()
        self._execute(
            "INSERT INTO dedupe_urls (url, story_id, kind, fetched_run) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET fetched_run = coalesce(excluded.fetched_run, dedupe_urls.fetched_run)",
            (url, story_id, kind, fetched_run),
        )
        self._execute(
            "INSERT INTO aliases (url, canonical_url, kind, seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET seen_at = excluded.seen_at",
            (url, canonical_url, kind, now),
        )

    def _add_bands(self, story_id: int, band_keys: list[int]) -> None:
        if band_keys:
            self._executemany(
                "INSERT INTO dedupe_bands (band_key, story_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(key, story_id) for key in band_keys],
            )

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()
