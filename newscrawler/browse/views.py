"""The archive's pages inside Datasette: search (the database's own page), story, crawl history.

Each page is a template filled from the store through the same search functions
``scrapy search`` uses, and answers with JSON instead when its address ends in ``.json``.
Every failure a visitor can cause gets a page that says what happened, with a 4xx status.
"""

from __future__ import annotations

import calendar
import json
import math
import os
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from datasette import Response
from datasette.utils.asgi import Request

from newscrawler import settings as defaults
from newscrawler.browse.format import (
    MARK, highlight, paragraphs, plain, reader_date, reader_datetime, replay_link, safe_url,
)
from newscrawler.browse.params import PAGE_SIZE, SearchPage
from newscrawler.storage.schema import from_row
from newscrawler.storage.search import Facets, SearchError, SearchHit, SearchQuery, with_plain_words_fallback
from newscrawler.storage.sqlite_search import facets, search

T = TypeVar("T")
PLUGIN = "newscrawler"


def is_news_store(path: str | None) -> bool:
    """A SQLite file with the store's articles and search index (checked once, at start)."""
    if not path or not Path(path).is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return {"articles", "articles_fts"} <= names


def settings(datasette: Any, database: str) -> dict[str, Any]:
    """The plugin's configuration (metadata ``plugins.newscrawler``), the environment as fallback."""
    config = datasette.plugin_config(PLUGIN, database=database) or {}
    window = (config.get("search_window") or os.environ.get("NEWSCRAWLER_SEARCH_WINDOW")
              or defaults.NEWSCRAWLER_SEARCH_WINDOW)
    longest = (config.get("max_query_length") or os.environ.get("NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH")
               or defaults.NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH)
    return {
        "replay_url": config.get("replay_url") or os.environ.get("NEWSCRAWLER_REPLAY_URL") or None,
        "window": int(window) or None,
        "max_length": int(longest) or None,
    }


async def run(datasette: Any, database: str, fn: Callable[[sqlite3.Connection], T]) -> T:
    """``fn(conn)`` on Datasette's connection to the store, rows as ``sqlite3.Row``."""

    def with_rows(conn: sqlite3.Connection) -> T:
        before = conn.row_factory
        conn.row_factory = sqlite3.Row
        try:
            return fn(conn)
        finally:
            conn.row_factory = before

    return await datasette.get_database(database).execute_fn(with_rows)


async def respond(datasette: Any, request: Request, template: str, context: dict[str, Any],
                  data: dict[str, Any], status: int = 200) -> Response:
    """The page, or its JSON when the address ends in ``.json``."""
    if request.url_vars.get("format") == "json":
        return Response.json(data, status=status)
    database = request.url_vars["database"]
    context = {
        "database": database,
        "archive_title": _title(datasette),
        "archive_url": datasette.urls.database(database),
        "history_url": datasette.urls.database(database) + "/history",
        "json_url": _json_url(request),
        **context,
    }
    html = await datasette.render_template(template, context, request=request, view_name=template)
    return Response.html(html, status=status)


def _title(datasette: Any) -> str:
    metadata = getattr(datasette, "metadata", None)  # Datasette 1.x keeps it elsewhere, asynchronously
    title = metadata("title") if callable(metadata) else None
    return title if isinstance(title, str) and title else "News archive"


def _json_url(request: Request) -> str:
    path = request.path
    return path + ".json" + (f"?{request.query_string}" if request.query_string else "")


# --- search -------------------------------------------------------------------------------------

def _search(conn: sqlite3.Connection, query: SearchQuery) -> tuple[list[SearchHit], Facets, SearchQuery, str | None]:
    def both(q: SearchQuery) -> tuple[list[SearchHit], Facets]:
        return search(conn, q), facets(conn, q)

    (hits, counts), used, complaint = with_plain_words_fallback(both, query, sqlite3.OperationalError)
    return hits, counts, used, complaint


async def search_page(request: Request, datasette: Any) -> Response:
    database = request.url_vars["database"]
    base = datasette.urls.database(database)
    config = settings(datasette, database)
    page = SearchPage.from_args({key: request.args.get(key) for key in request.args.keys()})
    hits: list[SearchHit] = []
    counts = Facets(0, 0, [], [], [])
    status, error = 200, None
    searched_for = page.text
    query = page.query(MARK, config["window"], config["max_length"])
    try:
        hits, counts, used, complaint = await run(datasette, database, lambda conn: _search(conn, query))
        searched_for = used.text
        if complaint:
            page.notices.append(f"The search syntax could not read “{page.text}” ({complaint}), "
                                f"so it was searched as plain words: {used.text}")
    except SearchError as exc:
        status, error = 400, f"Could not search: {exc}."
    ranked = counts.total
    if page.text and page.order == "relevance" and config["window"]:
        ranked = min(counts.total, config["window"])
    pages = max(1, math.ceil(ranked / PAGE_SIZE))
    if error is None and page.page > pages:
        status = 404
        error = (f"Page {page.page:,} is past the end: this search has {pages:,} page{'s' * (pages > 1)} "
                 f"of results ({counts.total:,} {'story' if counts.total == 1 else 'stories'}).")
    results = [_result(hit, base) for hit in hits]
    data = {
        "database": database,
        "query": page.args(),
        "searched_for": searched_for,
        "total": counts.total,
        "facets_counted": counts.counted,
        "page": page.page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "notices": page.notices,
        "error": error,
        "results": [{k: v for k, v in r.items() if k != "snippet_html"} for r in results],
        "facets": {
            name: [{"value": value, "count": n} for value, n in getattr(counts, name)]
            for name in ("section", "site", "month")
        },
    }
    context = {
        "page": page,
        "results": results,
        "total": counts.total,
        "ranked": ranked,
        "pages": pages,
        "error": error,
        "windowed": ranked < counts.total,
        "facets_counted": counts.counted,
        "facets": _facet_links(page, counts, base),
        "pager": _pager(page, pages, base),
        "last_page_url": page.url(base, page=pages),
        "remove_filter_urls": {name: page.url(base, **{name: None}) for name, _ in page.active_filters()},
        "sort_urls": {order: page.url(base, sort=order) for order in ("relevance", "date")},
        "search_url": base,
    }
    return await respond(datasette, request, "newscrawler_search.html", context, data, status)


def _result(hit: SearchHit, base: str) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title or "(untitled)",
        "story_url": f"{base}/story/{hit.id}",
        "url": hit.url,
        "published_at": hit.published_at,
        "date": reader_date(hit.published_at),
        "section": hit.section,
        "site": hit.site,
        "authors": hit.authors,
        "snippet": plain(hit.snippet),
        "snippet_html": highlight(hit.snippet),
        "score": hit.score,
    }


def _facet_links(page: SearchPage, counts: Facets, base: str) -> list[dict[str, Any]]:
    months = []
    for month, n in counts.month:
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:  # a published_at the page gave as something else than ISO 8601
            continue
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        months.append({"label": f"{first:%B %Y}", "count": n,
                       "url": page.url(base, since=first.isoformat(), until=last.isoformat())})
    return [
        {"name": "Section", "items": [{"label": v, "count": n, "url": page.url(base, section=v),
                                        "active": v == page.section} for v, n in counts.section]},
        {"name": "Site", "items": [{"label": v, "count": n, "url": page.url(base, site=v),
                                     "active": v == page.site} for v, n in counts.site]},
        {"name": "Month", "items": months},
    ]


def _pager(page: SearchPage, pages: int, base: str) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages, with gaps as ``None``."""
    wanted = sorted({1, pages, *range(max(1, page.page - 2), min(pages, page.page + 2) + 1)})
    links: list[dict[str, Any]] = []
    for n in wanted:
        if links and n - links[-1]["number"] > 1:
            links.append({"number": n - 1, "gap": True})
        links.append({"number": n, "url": page.url(base, page=n), "current": n == page.page, "gap": False})
    return links


# --- story --------------------------------------------------------------------------------------

def _story(conn: sqlite3.Connection, story_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM articles WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    raw = dict(row)
    story = {**raw, **from_row(raw)}
    story["aliases"] = [
        dict(r) for r in conn.execute(
            "SELECT url, kind, seen_at FROM aliases WHERE canonical_url = ? AND url != ? ORDER BY seen_at, url",
            (story["canonical_url"], story["canonical_url"]),
        )
    ]
    return story


async def story_page(request: Request, datasette: Any) -> Response:
    database = request.url_vars["database"]
    story_id = int(request.url_vars["id"])
    story = await run(datasette, database, lambda c: _story(c, story_id))
    if story is None:
        message = f"There is no story {story_id} in this archive."
        return await respond(datasette, request, "newscrawler_missing.html", {"message": message},
                             {"error": message}, status=404)
    archived = replay_link(story, settings(datasette, database)["replay_url"])
    data = {k: v for k, v in story.items()}
    data["archived_url"] = archived
    dateline = story.get("dateline") or {}
    images = [
        {"src": src, "caption": image.get("caption"), "credit": image.get("credit")}
        for image in story.get("images") or [] if isinstance(image, dict) and (src := safe_url(image.get("url")))
    ]
    links = [u for u in (story.get("url"), story.get("canonical_url")) if u]
    context = {
        "story": story,
        "title": story.get("title") or "(untitled)",
        "authors": story.get("authors") or [],
        "published": reader_datetime(story.get("published_at")),
        "modified": reader_datetime(story.get("modified_at")),
        "dateline": dateline.get("raw") if isinstance(dateline, dict) else None,
        "dateline_place": dateline.get("location") if isinstance(dateline, dict) else None,
        "dateline_agency": dateline.get("agency") if isinstance(dateline, dict) else None,
        "tags": story.get("tags") or [],
        "images": images,
        "paragraphs": paragraphs(story.get("body")) or paragraphs(story.get("lede")),
        "original_url": safe_url(story.get("canonical_url")) or safe_url(story.get("url")),
        "original_text": links[0] if links else "",
        "archived_url": archived,
        "aliases": [{"url": a["url"], "href": safe_url(a["url"]), "kind": a["kind"]} for a in story["aliases"]],
        "section_url": (datasette.urls.database(database) + "?" + urlencode({"section": story["section"]}))
        if story.get("section") else None,
    }
    return await respond(datasette, request, "newscrawler_story.html", context, data)


# --- crawl history ------------------------------------------------------------------------------

def _crawls(conn: sqlite3.Connection, crawl_id: int | None = None) -> list[dict[str, Any]]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'crawls'").fetchone():
        return []
    sql = "SELECT * FROM crawls" + (" WHERE id = ?" if crawl_id is not None else " ORDER BY id DESC LIMIT 500")
    return [_crawl_row(dict(r)) for r in conn.execute(sql, () if crawl_id is None else (crawl_id,))]


def _crawl_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ``crawls`` row with its JSON decoded; totals from the stats for runs stored before they had columns."""
    stats = json.loads(row["stats"]) if row.get("stats") else {}
    arguments = json.loads(row["arguments"]) if row.get("arguments") else {}
    return {
        "id": row["id"],
        "spider": row.get("spider"),
        "started_at": row.get("started_at"),
        "finished_at": row.get("finished_at"),
        "finish_reason": row.get("finish_reason") or ("running, or stopped without closing" if not row.get("finished_at") else None),
        "pages": row.get("pages") if row.get("pages") is not None else stats.get("response_received_count"),
        "stories_new": row.get("stories_new"),
        "stories_updated": row.get("stories_updated"),
        "report_path": row.get("report_path") or stats.get("newscrawler/report_path"),
        "start_urls": (arguments.get("spider_args") or {}).get("start_url"),
        "arguments": arguments,
        "stats": stats,
    }


async def history_page(request: Request, datasette: Any) -> Response:
    database = request.url_vars["database"]
    crawls = await run(datasette, database, _crawls)
    base = datasette.urls.database(database)
    rows = [{**c, "url": f"{base}/history/{c['id']}", "started": reader_datetime(c["started_at"]),
             "finished": reader_datetime(c["finished_at"])} for c in crawls]
    data = {"crawls": [{k: v for k, v in c.items() if k != "stats"} for c in crawls]}
    return await respond(datasette, request, "newscrawler_history.html", {"crawls": rows}, data)


def read_report(path: str | None) -> dict[str, Any] | None:
    """The end-of-crawl report the run wrote, when its file is still there."""
    if not path or not path.endswith(".json"):
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


async def crawl_page(request: Request, datasette: Any) -> Response:
    from newscrawler.extensions.summary import CrawlSummary

    database = request.url_vars["database"]
    crawl_id = int(request.url_vars["id"])
    found = await run(datasette, database, lambda c: _crawls(c, crawl_id))
    if not found:
        message = f"There is no crawl {crawl_id} in this archive's history."
        return await respond(datasette, request, "newscrawler_missing.html", {"message": message},
                             {"error": message}, status=404)
    crawl = found[0]
    report = read_report(crawl["report_path"])
    summary = None
    if report:
        try:
            summary = CrawlSummary.format(report)
        except (KeyError, TypeError, AttributeError):
            summary = None
    context = {
        "crawl": {**crawl, "started": reader_datetime(crawl["started_at"]), "finished": reader_datetime(crawl["finished_at"])},
        "report": report,
        "summary": summary,
        "stats": sorted(crawl["stats"].items()),
    }
    return await respond(datasette, request, "newscrawler_crawl.html", context, {"crawl": crawl, "report": report})
