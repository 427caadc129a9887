"""What a re-crawl remembers besides the stories: HTTP validators, listing bodies, site quirks.

Kept in the crawl's SQLite store (``NEWSCRAWLER_SQLITE_PATH``), in two tables of its own:

- ``http_validators``: the ``ETag`` / ``Last-Modified`` of every page, sitemap and feed fetched,
  and, for pages that are not stories (sections, sitemaps, feeds), the body the crawl read
  (zlib-compressed): a ``304 Not Modified`` is then followed like the unchanged page it is;
- ``site_recrawl``: per site, whether its sitemap/feed dates can be trusted as evidence of a
  change (a site that stamps every lastmod with "now" cannot).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newscrawler.storage.wal import use_wal

logger = logging.getLogger(__name__)

_DDL = (
    "CREATE TABLE IF NOT EXISTS http_validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, "
    "headers TEXT, body BLOB, stored_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS site_recrawl (site TEXT PRIMARY KEY, lastmod_trusted INTEGER NOT NULL, "
    "changed_at TEXT NOT NULL)",
)


def site_of(url: str) -> str:
    """The site a URL belongs to, for per-site memory: its host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class Validators:
    """What to send back to the server to ask "has it changed?"."""

    etag: str | None
    last_modified: str | None
    has_body: bool


class RecrawlState:
    """The two tables, on one connection shared by the reactor and worker threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def open(cls, path: Path) -> RecrawlState | None:
        """The state in the store at ``path`` (created on first use); None when it cannot be opened."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            use_wal(conn)
            for ddl in _DDL:
                conn.execute(ddl)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("Cannot keep re-crawl state in %s (%s): every page is fetched in full", path, exc)
            return None
        return cls(conn, path)

    # --- validators ------------------------------------------------------------------------

    def all_validators(self) -> dict[str, Validators]:
        """Every URL with validators: read once when the crawl opens (a few bytes a page)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT url, etag, last_modified, body IS NOT NULL FROM http_validators").fetchall()
        return {url: Validators(etag, modified, bool(has_body)) for url, etag, modified, has_body in rows}

    def body(self, url: str) -> tuple[dict[str, str], bytes] | None:
        """The headers and body stored for ``url``; None when none was kept (or it is unreadable)."""
        with self._lock:
            row = self._conn.execute("SELECT headers, body FROM http_validators WHERE url = ?", (url,)).fetchone()
        if row is None or row[1] is None:
            return None
        try:
            return json.loads(row[0] or "{}"), zlib.decompress(row[1])
        except (ValueError, zlib.error) as exc:
            logger.warning("Stored copy of %s is unreadable (%s): fetching it in full", url, exc)
            return None

    def remember(self, rows: list[tuple[str, str | None, str | None, dict[str, str], bytes | None]]) -> None:
        """Store (url, etag, last_modified, headers, body or None) rows in one transaction."""
        now = datetime.now(timezone.utc).isoformat()
        values = [(url, etag, modified, json.dumps(headers), zlib.compress(body, 6) if body is not None else None, now)
                  for url, etag, modified, headers, body in rows]
        with self._lock:
            if self._closed:
                return
            try:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT INTO http_validators (url, etag, last_modified, headers, body, stored_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
                    "last_modified = excluded.last_modified, headers = excluded.headers, body = excluded.body, "
                    "stored_at = excluded.stored_at", values)
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                logger.warning("Could not keep the validators of %d pages (%s): they are fetched in full next time",
                               len(values), exc)

    def forget(self, url: str) -> None:
        with self._lock:
            if not self._closed:
                self._conn.execute("DELETE FROM http_validators WHERE url = ?", (url,))

    # --- sites -----------------------------------------------------------------------------

    def untrusted_sites(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT site FROM site_recrawl WHERE lastmod_trusted = 0")}

    def distrust_lastmod(self, site: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self._lock:
            self._conn.execute(
                "INSERT INTO site_recrawl (site, lastmod_trusted, changed_at) VALUES (?, 0, ?) "
                "ON CONFLICT(site) DO UPDATE SET lastmod_trusted = 0, changed_at = excluded.changed_at", (site, now))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()
