"""Searching the SQLite store: ranked or newest-first FTS5 matches, filters, facet counts.

``scrapy search`` and the browse pages run these same functions on their own connections.
Snippets are built only for the rows of the page returned; counts never build any.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from newscrawler.storage.schema import FTS_COLUMNS
from newscrawler.storage.search import Facets, SearchHit, SearchQuery

LISTING_INDEX = "articles_listing"
LISTING_COLUMNS = ("id", "published_at", "section", "site", "authors")
"""A covering index of what facets and filters read, keyed on the row id (``SQLiteStore`` builds it)."""
DATE_INDEX = "articles_published_at"

_HIT_COLUMNS = "a.id, a.title, a.published_at, a.section, a.site, a.authors, a.canonical_url, a.url"
# From the body, which the title shown above it does not repeat; else the best column.
_SNIPPET = (
    f"coalesce(nullif(snippet(articles_fts, {FTS_COLUMNS.index('body')}, ?, ?, '…', 24), ''), "
    "snippet(articles_fts, -1, ?, ?, '…', 24))"
)
_BM25 = "bm25(articles_fts, 10.0, 4.0, 1.0)"


def filters(query: SearchQuery, alias: str) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``articles`` (as ``alias``) for the query's filters, and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    if query.since:
        where.append(f"{alias}.published_at >= ?")
        params.append(query.since)
    if bound := query.until_bound():
        where.append(f"{alias}.published_at {bound[0]} ?")
        params.append(bound[1])
    if query.section:
        where.append(f"{alias}.section = ? COLLATE NOCASE")
        params.append(query.section)
    if query.site:
        where.append(f"{alias}.site = ?")
        params.append(query.site)
    if query.author:
        # instr() on the JSON text rules out nearly every row cheaply; json_each() makes it exact.
        where.append(f"instr({alias}.authors, ?) AND EXISTS (SELECT 1 FROM json_each({alias}.authors) "
                     "WHERE json_each.value = ?)")
        params += [json.dumps(query.author, ensure_ascii=False), query.author]
    return where, params


def indexed_by(conn: sqlite3.Connection, index: str) -> str:
    """``INDEXED BY index`` when the store has it (files from older versions may not)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)).fetchone()
    return f" INDEXED BY {index}" if found else ""


def search(conn: sqlite3.Connection, query: SearchQuery) -> list[SearchHit]:
    """One page of matches: by relevance (title weighted above description above body) or by date.

    An empty query lists every story that passes the filters, newest first. Raises
    ``sqlite3.OperationalError`` on a query FTS5 cannot parse, :class:`SearchError` on one
    no store should be handed (``SearchQuery.check``).
    """
    query.check()
    if not query.text.strip():
        return _newest(conn, query)
    if query.order == "date":
        return _by_date(conn, query)
    return _by_relevance(conn, query)


def _by_relevance(conn: sqlite3.Connection, query: SearchQuery) -> list[SearchHit]:
    """The best rows are chosen from the index alone (plus the filters); only they get snippets."""
    where, params = filters(query, "f")
    params = [query.text, *params]
    # Filters look each match up by primary key, in the covering index when there is one;
    # without them the index alone ranks.
    join = f" JOIN articles f{indexed_by(conn, LISTING_INDEX)} ON f.id = articles_fts.rowid" if where else ""
    restrict = "".join(f" AND {w}" for w in where)
    if query.window:
        # The newest ``window`` matches are found in rowid order, which costs no scoring.
        oldest = conn.execute(
            f"SELECT articles_fts.rowid FROM articles_fts{join} WHERE articles_fts MATCH ?{restrict} "
            "ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?",
            [*params, query.window - 1],
        ).fetchone()
        if oldest is not None:
            restrict += " AND articles_fts.rowid >= ?"
            params.append(oldest[0])
    start, stop = query.mark
    sql = (
        f"WITH top AS (SELECT articles_fts.rowid AS id, {_BM25} AS score "
        f"FROM articles_fts{join} WHERE articles_fts MATCH ?{restrict} ORDER BY score LIMIT ? OFFSET ?) "
        f"SELECT {_HIT_COLUMNS}, top.score, {_SNIPPET} AS snippet "
        # CROSS JOIN keeps this order: with the LIMIT a parameter, the planner would otherwise
        # scan every match of the query and look each up in ``top`` (100 ms on a common word).
        "FROM top CROSS JOIN articles a ON a.id = top.id CROSS JOIN articles_fts ON articles_fts.rowid = top.id "
        "WHERE articles_fts MATCH ? ORDER BY top.score"
    )
    rows = conn.execute(sql, [*params, query.limit, query.offset, start, stop, start, stop, query.text])
    return [SearchHit.from_row(r, -float(r["score"])) for r in rows]


def _by_date(conn: sqlite3.Connection, query: SearchQuery) -> list[SearchHit]:
    """Newest matches first, then scores and snippets for that page only.

    The date index is walked newest first and each entry tested against the set of matches
    (``+a.id``: a test, not a lookup), so a word in every story stops after one page of them.
    No score: bm25() would first count the word's documents over the whole index.
    """
    where, params = filters(query, "a")
    restrict = "".join(f" AND {w}" for w in where)
    start, stop = query.mark
    sql = (
        f"WITH top AS (SELECT a.id, a.published_at FROM articles a{indexed_by(conn, DATE_INDEX)} "
        f"WHERE +a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?){restrict} "
        "ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?) "
        f"SELECT {_HIT_COLUMNS}, {_SNIPPET} AS snippet "
        "FROM top CROSS JOIN articles a ON a.id = top.id CROSS JOIN articles_fts ON articles_fts.rowid = top.id "
        "WHERE articles_fts MATCH ? ORDER BY top.published_at DESC, top.id DESC"
    )
    rows = conn.execute(sql, [query.text, *params, query.limit, query.offset, start, stop, start, stop, query.text])
    return [SearchHit.from_row(r, 0.0) for r in rows]


def _newest(conn: sqlite3.Connection, query: SearchQuery) -> list[SearchHit]:
    """No words to match: the newest stories, with their summary in place of a snippet."""
    where, params = filters(query, "a")
    sql = (
        f"SELECT {_HIT_COLUMNS}, substr(coalesce(nullif(a.description, ''), a.lede, ''), 1, 300) AS snippet "
        f"FROM articles a{' WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"
    )
    return [SearchHit.from_row(r, 0.0) for r in conn.execute(sql, [*params, query.limit, query.offset])]


def facets(conn: sqlite3.Connection, query: SearchQuery, top: int = 12) -> Facets:
    """How many stories match, and the ``top`` sections, sites and months among them.

    The total is always exact. With filters, one grouped pass over the matches gives it and
    exact facets. Without, a query matching more than ``query.window`` stories (a word in
    every story) has its facets counted over its newest ``window`` matches, as ranking does:
    counting every story of a large archive for each page shown would cost more than the
    search. Rows are read from the covering index, grouped by all three facets at once.
    """
    where, params = filters(query, "a")
    index = indexed_by(conn, LISTING_INDEX)
    columns = f"SELECT a.section, a.site, a.published_at FROM articles a{index}"
    matches = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    text = [query.text] if query.text.strip() else []
    total: int | None = None
    if not where and query.window:
        count = f"SELECT count(*) FROM ({matches})" if text else f"SELECT count(*) FROM articles a{index}"
        total = conn.execute(count, text).fetchone()[0]
    if total is not None and query.window and total > query.window:
        newest = f" ORDER BY rowid DESC LIMIT {int(query.window)}"
        rows = f"{columns} WHERE a.id IN ({matches}{newest})" if text else f"{columns}{newest.replace('rowid', 'a.id')}"
        rows_params = text
    else:
        total = None  # the grouped pass counts every match
        conditions = ([f"a.id IN ({matches})"] if text else []) + where
        rows = columns + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
        rows_params = text + params
    sql = f"SELECT section, site, substr(published_at, 1, 7) AS month, count(*) AS n FROM ({rows}) GROUP BY 1, 2, 3"
    sections: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    months: Counter[str] = Counter()
    counted = 0
    for section, site, month, n in conn.execute(sql, rows_params):
        counted += n
        if section:
            sections[section] += n
        if site:
            sites[site] += n
        if month:
            months[month] += n
    return Facets(
        total=counted if total is None else total,
        counted=counted,
        section=sections.most_common(top),
        site=sites.most_common(top),
        month=sorted(months.items(), reverse=True)[:top],
    )
