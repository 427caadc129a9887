"""Hostile input that used to lose stored stories, and the exit status a scheduler reads.

Each case is a real crawl (``scrapy crawl news`` in a subprocess) of a server on 127.0.0.1,
asserting what the stores hold afterwards and the exit status: 0 the crawl did its work, 1 a
usage error, 2 the site could not be crawled or articles were lost.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CrawlResult, fresh_postgres_database, run_crawl
from tests.hostile_server import (
    Route,
    article_html,
    page,
    plain_news_routes,
    serve_silent,
    serve_site,
    write_stories,
)

QUICK = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "NEWSCRAWLER_PROGRESS_INTERVAL": 0}
STORIES = 40


def jsonld(raw: str) -> str:
    """A JSON-LD block written as given: JSON escapes such as \\udfff reach the page as is."""
    return f'<script type="application/ld+json">{raw}</script>'


def hostile_text_routes() -> tuple[dict[str, Route], dict[str, str]]:
    """40 plain stories, four of them carrying what broke storage or extraction before."""
    routes, expected = plain_news_routes(STORIES, per_page=10, sections=4)
    stories = {f"/news/{s.number}/{s.slug}.html": s for s in write_stories(STORIES)}
    paths = list(expected)
    blocks = {
        # One lone surrogate in the description lost a whole SQLite batch (0 of 40 stored).
        paths[0]: jsonld('{"@type": "NewsArticle", "description": "Bad \\udfff desc"}'),
        # In the headline it killed the item inside dedupe.
        paths[1]: jsonld('{"@type": "NewsArticle", "headline": "Broken \\ud800 headline"}'),
        # 100,000 nested arrays raised RecursionError: the article was lost.
        paths[2]: jsonld("[" * 100_000 + "]" * 100_000),
        # NUL and other control characters, for PostgreSQL's sake.
        paths[3]: jsonld('{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Ann\\u0000 Lee\\u0007"},'
                         ' "keywords": "harbour\\u001b, bud\\udc00get"}'),
    }
    for path, block in blocks.items():
        routes[path] = page(article_html(stories[path], padding=block))
    return routes, expected


def stored_urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [url for (url,) in conn.execute("SELECT url FROM articles")]


def assert_all_text_valid(rows: list[tuple]) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str):
                value.encode("utf-8")  # a lone surrogate would raise here
                assert "\x00" not in value


def assert_clean_exit(result: CrawlResult, status: int = 0) -> None:
    assert result.returncode == status, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.report.get("exit_status") == status


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A fresh database on the local server; skipped without one (a failure under CI=true)."""
    with fresh_postgres_database("newscrawler_hostile") as dsn:
        yield dsn


def postgres_rows(dsn: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def test_surrogates_controls_and_deep_jsonld_lose_no_story_in_sqlite(tmp_path: Path) -> None:
    routes, expected = hostile_text_routes()
    with serve_site(routes) as site:
        first = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}", settings=QUICK)
        assert_clean_exit(first)
        db = tmp_path / "run" / "news.db"
        urls = stored_urls(db)
        assert sorted(urls) == sorted(site.url(path) for path in expected)  # all 40, once each
        with sqlite3.connect(db) as conn:
            assert_all_text_valid(conn.execute("SELECT title, description, authors, tags, body FROM articles").fetchall())
            description, = conn.execute("SELECT description FROM articles WHERE description LIKE 'Bad %'").fetchone()
        assert description == "Bad \ufffd desc"
        assert first.stats.get("newscrawler/extract/jsonld_too_deep") == 1
        assert first.stats.get("newscrawler/rows_lost") is None
        assert len(first.items) == STORIES

        # A re-run finds every story stored: none comes out again, none is missing.
        again = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}", settings=QUICK)
        assert_clean_exit(again)
        assert again.items == []
        assert len(stored_urls(db)) == STORIES


@pytest.mark.postgres
def test_surrogates_controls_and_deep_jsonld_lose_no_story_in_postgres(tmp_path: Path, postgres_dsn: str) -> None:
    routes, expected = hostile_text_routes()
    with serve_site(routes) as site:
        result = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}",
                           settings={**QUICK, "NEWSCRAWLER_POSTGRES_DSN": postgres_dsn})
        assert_clean_exit(result)
    rows = postgres_rows(postgres_dsn, "SELECT url, title, description, authors::text, tags::text FROM articles")
    assert sorted(row[0] for row in rows) == sorted(site.url(path) for path in expected)
    assert_all_text_valid(rows)
    assert len(stored_urls(tmp_path / "run" / "news.db")) == STORIES


@pytest.mark.postgres
def test_a_row_postgres_refuses_costs_that_row_only_and_exit_status_2(tmp_path: Path, postgres_dsn: str) -> None:
    """A description whose search vector passes PostgreSQL's 1 MB tsvector limit: the server
    refuses that row. The rest of its batch is stored, the loss is counted, and the crawl
    says so (finish reason rows_lost, exit status 2); the dedupe state does not keep the
    story as stored, so the next run emits it again."""
    routes, expected = plain_news_routes(STORIES, per_page=10, sections=4)
    refused = list(expected)[5]
    story = {f"/news/{s.number}/{s.slug}.html": s for s in write_stories(STORIES)}[refused]
    words = " ".join(f"w{n:07d}x" for n in range(150_000))  # distinct words: a huge search vector
    routes[refused] = page(article_html(story).replace(
        "<meta property='og:type'", f"<meta name='description' content='{words}'><meta property='og:type'"))
    settings = {**QUICK, "NEWSCRAWLER_POSTGRES_DSN": postgres_dsn}
    with serve_site(routes) as site:
        first = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}", settings=settings)
        assert_clean_exit(first, status=2)
        assert first.report["finish_reason"] == "rows_lost"
        assert first.report["verdict"] == "rows_lost"
        assert first.stats.get("newscrawler/postgres/rejected") == 1
        assert first.stats.get("newscrawler/rows_lost") == 1
        assert f"postgres: article {site.url(refused)} not stored" in first.log
        in_postgres = {row[0] for row in postgres_rows(postgres_dsn, "SELECT url FROM articles")}
        assert in_postgres == {site.url(path) for path in expected} - {site.url(refused)}
        assert len(stored_urls(tmp_path / "run" / "news.db")) == STORIES
        with sqlite3.connect(tmp_path / "run" / "news.db") as conn:
            reason, = conn.execute("SELECT finish_reason FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        assert reason == "rows_lost"

        again = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}", settings=settings)
        assert [item["url"] for item in again.items] == [site.url(refused)]
        assert again.items[0]["is_update"] is False  # new to the stores, not an update
        assert again.returncode == 2  # refused again: still said


@pytest.mark.parametrize(("obey_robots", "reason"), [(True, "robots_unreadable"), (False, "start_pages_failed")])
def test_start_pages_that_never_answer_end_the_crawl_with_exit_status_2(tmp_path: Path, obey_robots: bool,
                                                                        reason: str) -> None:
    """A server that accepts connections and never answers: robots.txt cannot be read either
    (RFC 9309: nothing allowed), so the verdict names robots.txt; without robots.txt, the start
    page itself fails."""
    with serve_silent() as base_url:
        started = time.monotonic()
        result = run_crawl(tmp_path / "run", "-a", f"start_url={base_url}",
                           settings={**QUICK, "DOWNLOAD_TIMEOUT": 1, "ROBOTSTXT_OBEY": obey_robots}, timeout=180)
        elapsed = time.monotonic() - started
    assert_clean_exit(result, status=2)
    assert result.report["finish_reason"] == reason
    assert result.report["verdict"] == reason
    assert result.stats.get("newscrawler/start_pages/failed") == 1
    assert result.items == []
    assert "Every start page failed" in result.log
    assert elapsed < 120, elapsed  # stopped when the start page gave up, not after every probe timed out


def test_start_pages_that_fail_with_errors_end_the_crawl_with_exit_status_2(tmp_path: Path) -> None:
    routes = {"/": Route(fault="status:500"), "/world/": Route(status=404, body=b"<html>gone</html>"),
              "/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain")}
    with serve_site(routes) as site:
        result = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')},{site.url('/world/')}", settings=QUICK)
    assert_clean_exit(result, status=2)
    assert result.report["finish_reason"] == "start_pages_failed"
    assert result.stats.get("newscrawler/start_pages/failed") == 2


def test_one_start_page_failing_is_not_a_failed_crawl(tmp_path: Path) -> None:
    routes, expected = plain_news_routes(6, per_page=10, sections=1)
    routes["/broken/"] = Route(fault="status:500")
    with serve_site(routes) as site:
        result = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')},{site.url('/broken/')}",
                           settings=QUICK)
    assert_clean_exit(result, status=0)
    assert result.report["finish_reason"] == "finished"
    assert len(result.items) == len(expected)
    assert result.stats.get("newscrawler/start_pages/failed") == 1


def test_report_and_crawl_log_carry_the_verdict_of_a_good_crawl(tmp_path: Path) -> None:
    routes, expected = plain_news_routes(4, per_page=10, sections=1)
    with serve_site(routes) as site:
        result = run_crawl(tmp_path / "run", "-a", f"start_url={site.url('/')}", settings=QUICK)
    assert_clean_exit(result, status=0)
    assert (result.report["verdict"], result.report["finish_reason"]) == ("ok", "finished")
    with sqlite3.connect(tmp_path / "run" / "news.db") as conn:
        reason, stats = conn.execute("SELECT finish_reason, stats FROM crawls").fetchone()
    assert reason == "finished" and json.loads(stats)["newscrawler/exit_status"] == 0


def feed_urls(path: Path) -> list[str]:
    """URLs in a JSON Lines feed; a last line cut short by SIGKILL is not a story written."""
    urls = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            urls.append(json.loads(line)["url"])
        except ValueError:
            pass
    return urls


def test_a_resumed_run_does_not_emit_again_what_the_killed_run_wrote_and_stored(tmp_path: Path) -> None:
    """SIGKILL mid-crawl, then the same command again (JOBDIR): each run has its own feed
    file. Every story ends up stored once, and the resumed run's feed repeats nothing the
    killed run both wrote to its feed and stored; together the feeds hold every story."""
    routes, expected = plain_news_routes(60, per_page=10, sections=3)
    with serve_site(routes, delay=0.15) as site:
        # Sitemaps list every story with a date: a resumed run meets the stored ones again there.
        urls = "".join(f"<url><loc>{site.url(path)}</loc><lastmod>2024-05-20</lastmod></url>" for path in expected)
        routes["/sitemap.xml"] = Route(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
            "application/xml")
        routes["/robots.txt"] = Route(f"User-agent: *\nDisallow:\nSitemap: {site.url('/sitemap.xml')}\n".encode(),
                                      "text/plain")
        db = tmp_path / "news.db"

        def command(feed: str) -> list[str]:
            return [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={site.url('/')}",
                    "-o", f"{tmp_path / feed}:jsonlines", "-s", f"JOBDIR={tmp_path / 'job'}",
                    "-s", f"NEWSCRAWLER_SQLITE_PATH={db}", "-s", "CONCURRENT_REQUESTS=4",
                    "-s", f"NEWSCRAWLER_REPORT_DIR={tmp_path / 'reports'}", "-s", f"LOG_FILE={tmp_path / 'crawl.log'}",
                    "-s", "NEWSCRAWLER_PROGRESS_INTERVAL=0"]

        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
        killed = subprocess.Popen(command("killed.jsonl"), cwd=tmp_path, env=env)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and len(stored_urls_or_none(db)) < 20:
                time.sleep(0.1)
        finally:
            killed.send_signal(signal.SIGKILL)
            killed.wait(timeout=30)
        stored_by_killed = set(stored_urls_or_none(db))
        written_by_killed = feed_urls(tmp_path / "killed.jsonl")
        assert 20 <= len(stored_by_killed) < len(expected), "the crawl was not interrupted mid-way"

        site.delay = 0
        resumed = subprocess.run(command("resumed.jsonl"), cwd=tmp_path, env=env, capture_output=True, text=True,
                                 timeout=240)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
    written_by_resumed = feed_urls(tmp_path / "resumed.jsonl")
    assert sorted(stored_urls(db)) == sorted(site.url(path) for path in expected)  # all, once each
    assert set(written_by_resumed) & set(written_by_killed) & stored_by_killed == set()
    assert len(written_by_resumed) == len(set(written_by_resumed))
    assert set(written_by_killed) | set(written_by_resumed) == {site.url(path) for path in expected}
    assert "resuming an unfinished run" in (tmp_path / "crawl.log").read_text()


def stored_urls_or_none(db: Path) -> list[str]:
    """What the store holds while a crawl writes it (nothing yet: an empty list)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return [url for (url,) in conn.execute("SELECT url FROM articles")]
    except sqlite3.Error:
        return []
