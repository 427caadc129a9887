"""``scrapy search "query"``: ranked full-text matches from the crawl's store.

Reads SQLite (``NEWSCRAWLER_SQLITE_PATH``) or, when ``NEWSCRAWLER_POSTGRES_DSN`` is set
(setting or environment), PostgreSQL. A missing database, a query the index cannot parse,
one longer than ``NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH`` or one with undecodable bytes is
reported in one line (exit status 1), never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.storage.base import StorageConfig
from newscrawler.storage.search import SearchError, SearchHit, SearchQuery, with_plain_words_fallback


def search_sqlite(path: Path, query: SearchQuery) -> list[SearchHit]:
    from newscrawler.storage import sqlite as store

    if not path.is_file():
        raise SearchError(f"no database at {path}: crawl first, or point -s NEWSCRAWLER_SQLITE_PATH=... at one")
    try:
        conn = store.connect(path, readonly=True)
    except sqlite3.DatabaseError as exc:
        raise SearchError(f"{path} is not a readable SQLite database: {exc}") from exc
    with conn:
        try:
            has_index = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise SearchError(f"{path} is not a readable SQLite database: {exc}") from exc
        if not has_index:
            raise SearchError(f"{path} has no article search index (not a newscrawler database?)")
        hits, used, complaint = with_plain_words_fallback(
            lambda q: store.search(conn, q), query, sqlite3.OperationalError
        )
        if complaint:
            print(f"search: {complaint} in {query.text!r}; searching for the words {used.text} instead", file=sys.stderr)
        return hits


def search_postgres(dsn: str, query: SearchQuery) -> list[SearchHit]:
    import psycopg

    from newscrawler.storage import postgres as store

    try:
        conn = store.connect(dsn)
    except psycopg.Error as exc:
        raise SearchError(f"cannot connect to PostgreSQL at {store.redact(dsn)}: {exc}".strip()) from exc
    with conn:
        try:
            return store.search(conn, query)
        except psycopg.errors.UndefinedTable as exc:
            raise SearchError(f"no articles table in {store.redact(dsn)}: crawl into it first") from exc
        except psycopg.Error as exc:
            raise SearchError(f"cannot search for {query.text!r}: {exc}") from exc


def format_hit(rank: int, hit: SearchHit) -> str:
    meta = " · ".join(x for x in ((hit.published_at or "")[:10], hit.section or "", hit.url) if x)
    lines = [f"{rank}. {hit.title or '(untitled)'}", f"   {meta}"]
    if hit.snippet:
        lines.append("   " + " ".join(hit.snippet.split()))
    return "\n".join(lines)


def parse_since(value: str | None) -> str | None:
    """ISO date or date-time -> the ISO string stored dates compare against."""
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"--since wants an ISO date like 2024-05-01, got {value!r}") from None


class SearchCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return '"query" [--limit N] [--since DATE] [--section S] [--json]'

    def short_desc(self) -> str:
        return "Full-text search over the stored articles (SQLite, or PostgreSQL when configured)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--limit", type=int, default=10, help="at most N matches (default 10)")
        parser.add_argument("--since", help="only articles published on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--section", help="only articles of this section (case-insensitive)")
        parser.add_argument("--json", action="store_true", help="print JSON Lines, one match a line")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if self.settings.get("BOT_NAME") != "newscrawler":
            self.settings.setmodule("newscrawler.settings", priority="project")
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        text = " ".join(args).strip()
        if not text:
            raise UsageError("give a query, e.g. scrapy search \"flood warning\"")
        if opts.limit < 1:
            raise UsageError("--limit must be at least 1")
        bold = sys.stdout.isatty() and not opts.json
        query = SearchQuery(
            text=text,
            limit=opts.limit,
            since=parse_since(opts.since),
            section=opts.section,
            mark=("\x1b[1m", "\x1b[0m") if bold else ("**", "**"),
            window=self.settings.getint("NEWSCRAWLER_SEARCH_WINDOW", 10_000) or None,
            max_length=self.settings.getint("NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH") or None,
        )
        storage = StorageConfig.from_settings(self.settings)
        try:
            query.check()  # before any store is opened: one line, not a driver's traceback
            if storage.postgres_dsn:
                hits = search_postgres(storage.postgres_dsn, query)
            elif storage.sqlite_path is not None:
                hits = search_sqlite(storage.sqlite_path, query)
            else:
                raise SearchError("no store: NEWSCRAWLER_SQLITE_PATH is empty and NEWSCRAWLER_POSTGRES_DSN unset")
        except SearchError as exc:
            print(f"search: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        if opts.json:
            for hit in hits:
                print(json.dumps(hit.to_dict(), ensure_ascii=False))
            return
        if not hits:
            print(f"No articles match {text!r}.")
            return
        print("\n\n".join(format_hit(rank, hit) for rank, hit in enumerate(hits, 1)))
