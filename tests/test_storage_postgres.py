"""PostgreSQL store and pipeline against a real server, each test in its own database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newscrawler.storage.schema import COLUMN_NAMES, from_row
from tests.conftest import fresh_postgres_database
from tests.test_storage_sqlite import make_article
from tests.test_archive_warc import gzip_site  # noqa: F401 - fixture

psycopg = pytest.importorskip("psycopg", reason="psycopg not installed: pip install newscrawler[postgres]")

from newscrawler.pipelines.postgres import PostgresPipeline  # noqa: E402
from newscrawler.storage.postgres import search  # noqa: E402
from newscrawler.storage.search import SearchQuery  # noqa: E402

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_dsn() -> Iterator[str]:
    """A fresh, uniquely named database, dropped afterwards; skips (fails under CI) without a server."""
    with fresh_postgres_database() as dsn:
        yield dsn


def open_pipeline(dsn: str, **settings) -> PostgresPipeline:
    crawler = get_crawler(Spider, {"NEWSCRAWLER_POSTGRES_DSN": dsn, **settings})
    crawler.spider = crawler._create_spider("news")
    return PostgresPipeline.from_crawler(crawler)


def run_pipeline(dsn: str, items: list, **settings) -> PostgresPipeline:
    pipeline = open_pipeline(dsn, **settings)

    async def main() -> None:
        await pipeline.open_spider()
        for item in items:
            await pipeline.process_item(item)
        await pipeline.close_spider()
        await pipeline.spider_closed(pipeline.crawler.spider, "finished")

    asyncio.run(main())
    return pipeline


def rows(dsn: str, sql: str, *params) -> list[dict]:
    with psycopg.connect(dsn, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def test_same_schema_round_trip_upsert_and_search(pg_dsn: str) -> None:
    article = make_article(1)
    run_pipeline(pg_dsn, [article, make_article(2)])
    (row,) = rows(pg_dsn, "SELECT * FROM articles WHERE canonical_url = %s", article.canonical_url)
    assert set(COLUMN_NAMES) <= set(row)
    assert from_row(row) == article.to_dict()

    edited = make_article(1, url="http://127.0.0.1/amp/news/1", title="Cyclone closes the harbour", is_update=True)
    pipeline = run_pipeline(pg_dsn, [edited])
    assert rows(pg_dsn, "SELECT count(*) AS n FROM articles")[0]["n"] == 2
    with psycopg.connect(pg_dsn, row_factory=psycopg.rows.dict_row) as conn:
        hits = search(conn, SearchQuery("cyclones"))
        assert [h.url for h in hits] == [edited.canonical_url]
        assert "**" in (hits[0].snippet or "") or hits[0].title == edited.title
        assert [h.url for h in search(conn, SearchQuery("dredging", section="sport"))] == [make_article(2).canonical_url]
        plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(
            "EXPLAIN SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'cyclone')"))
        assert "articles_search" in plan or "Seq Scan" in plan  # tiny tables may be scanned
    aliases = rows(pg_dsn, "SELECT * FROM aliases WHERE url = %s", edited.url)
    assert aliases and aliases[0]["canonical_url"] == edited.canonical_url
    (crawl,) = rows(pg_dsn, "SELECT * FROM crawls ORDER BY id DESC LIMIT 1")
    assert crawl["finish_reason"] == "finished" and crawl["stats"]["newscrawler/postgres/stored"] == 1
    assert pipeline.stats.get_value("newscrawler/postgres/stored") == 1


def test_gin_index_is_used_by_search(pg_dsn: str) -> None:
    run_pipeline(pg_dsn, [make_article(n) for n in range(300)])
    with psycopg.connect(pg_dsn, row_factory=psycopg.rows.dict_row) as conn:
        conn.execute("ANALYZE articles")
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(
            "EXPLAIN SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'story number 7')"))
    assert "articles_search" in plan


def test_lost_connection_reconnects_and_retries_the_batch(pg_dsn: str) -> None:
    pipeline = open_pipeline(pg_dsn, NEWSCRAWLER_STORE_BATCH_SIZE=10)

    async def main() -> None:
        await pipeline.open_spider()
        for n in range(25):
            await pipeline.process_item(make_article(n))
        await pipeline.close_spider()
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            assert killed == 2  # both writer connections
        for n in range(25, 60):
            await pipeline.process_item(make_article(n))
        await pipeline.close_spider()
        await pipeline.spider_closed(pipeline.crawler.spider, "finished")

    asyncio.run(main())
    assert rows(pg_dsn, "SELECT count(*) AS n FROM articles")[0]["n"] == 60
    assert pipeline.stats.get_value("newscrawler/postgres/reconnects", 0) == 2
    assert pipeline.stats.get_value("newscrawler/postgres/stored") == 60


def test_one_writer_or_several_store_the_same(pg_dsn: str) -> None:
    """Updates of one story keep their order whichever connection carries them."""
    versions = [make_article(n % 40, body=f"version {n // 40} of story {n % 40}") for n in range(200)]
    run_pipeline(pg_dsn, versions, NEWSCRAWLER_POSTGRES_WRITERS=3, NEWSCRAWLER_STORE_BATCH_SIZE=7)
    bodies = {r["canonical_url"]: r["body"] for r in rows(pg_dsn, "SELECT canonical_url, body FROM articles")}
    assert len(bodies) == 40
    assert all(body.startswith("version 4 of") for body in bodies.values())
    assert len(rows(pg_dsn, "SELECT * FROM crawls")) == 1


def test_a_row_the_server_refuses_is_counted_and_the_batch_kept(pg_dsn: str) -> None:
    bad = make_article(99, word_count=2**70)  # out of BIGINT range
    pipeline = run_pipeline(pg_dsn, [make_article(1), bad, make_article(2, body="nul\x00byte")])
    assert rows(pg_dsn, "SELECT count(*) AS n FROM articles")[0]["n"] == 2
    assert pipeline.stats.get_value("newscrawler/postgres/rejected") == 1


def test_unreachable_server_stops_the_crawl_at_once(crawl, tmp_path) -> None:
    result = crawl("-a", "start_url=http://127.0.0.1:9/",
                   settings={"NEWSCRAWLER_POSTGRES_DSN": "postgresql://postgres:secret@127.0.0.1:1/nowhere"})
    assert result.returncode != 0
    assert "cannot open postgresql://postgres:***@127.0.0.1:1/nowhere" in result.log
    assert "secret" not in result.log
    assert result.items == []


def test_crawl_into_sqlite_and_postgres_at_once(gzip_site, crawl, pg_dsn: str) -> None:  # noqa: F811
    import sqlite3

    site, expected = gzip_site
    result = crawl("-a", f"start_url={site.base_url}/", settings={"NEWSCRAWLER_POSTGRES_DSN": pg_dsn})
    assert result.returncode == 0, result.log[-2000:]
    assert len(result.items) == len(expected)
    conn = sqlite3.connect(result.workdir / "news.db")
    conn.row_factory = sqlite3.Row
    in_sqlite = {r["canonical_url"]: from_row(dict(r)) for r in conn.execute("SELECT * FROM articles")}
    in_postgres = {r["canonical_url"]: from_row(r) for r in rows(pg_dsn, "SELECT * FROM articles")}
    assert in_sqlite == in_postgres
    assert {i["canonical_url"] for i in result.items} == set(in_postgres)


def test_known_and_has_answer_from_a_read_only_store(pg_dsn: str) -> None:
    from newscrawler.storage.postgres import PostgresStore

    run_pipeline(pg_dsn, [make_article(1, modified_at="2024-06-01T08:00:00+00:00")])
    reader = PostgresStore(pg_dsn, readonly=True)
    try:
        fetched, canonical = "http://127.0.0.1/news/1?utm_source=x", "http://127.0.0.1/news/1"
        found = reader.known([fetched, canonical, "http://127.0.0.1/other"])
        assert set(found) == {fetched, canonical}
        assert found[canonical].modified_at == "2024-06-01T08:00:00+00:00"
        assert reader.has(canonical) is True and reader.has("http://127.0.0.1/other") is False
    finally:
        reader.close()
    unreachable = PostgresStore("postgresql://postgres@127.0.0.1:1/x", readonly=True)
    assert unreachable.known([canonical]) == {} and unreachable.has(canonical) is None
