"""SQLite store and pipeline: real files, real Crawler, real threads and a real SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newscrawler.items import Article, Dateline, Image
from newscrawler.pipelines.sqlite import SQLitePipeline
from newscrawler.storage.schema import COLUMN_NAMES, from_row, to_row
from newscrawler.storage.sqlite import SQLiteStore, connect


def make_article(n: int, **overrides) -> Article:
    fields = dict(
        url=f"http://127.0.0.1/news/{n}?utm_source=x",
        canonical_url=f"http://127.0.0.1/news/{n}",
        site="127.0.0.1",
        title=f"Story number {n} about harbour dredging",
        description=f"Summary {n}",
        authors=["Asha Rao", "Li Wei"],
        published_at=f"2024-05-{(n % 28) + 1:02d}T10:00:00+05:30",
        section="Politics" if n % 2 else "Sport",
        tags=["port", "tax"],
        body=f"Body text of story {n}. Ministers met on Tuesday.\n\nSecond paragraph {n}.",
        images=[Image(url=f"http://127.0.0.1/img/{n}.jpg", caption="A caption", credit="AP")],
        dateline=Dateline(raw="New Delhi, Sept 29-", location="New Delhi", month=9, day=29),
        word_count=12,
        is_update=False,
        warc_offset=1234,
    )
    fields.update(overrides)
    return Article(**fields)


def run_pipeline(db: Path, items: list, **settings) -> SQLitePipeline:
    """Feed items through a real Crawler's SQLitePipeline, start to spider_closed."""
    crawler = get_crawler(Spider, {"NEWSCRAWLER_SQLITE_PATH": str(db), **settings})
    crawler.spider = crawler._create_spider("news", start_url="http://127.0.0.1/")
    pipeline = SQLitePipeline.from_crawler(crawler)

    async def main() -> None:
        await pipeline.open_spider()
        for item in items:
            assert await pipeline.process_item(item) is item
        await pipeline.close_spider()
        await pipeline.spider_closed(crawler.spider, "finished")

    asyncio.run(main())
    return pipeline


def fts_ids(conn: sqlite3.Connection, query: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (query,))]


def test_every_field_round_trips(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    article = make_article(1)
    run_pipeline(db, [article])
    conn = connect(db)
    row = dict(conn.execute("SELECT * FROM articles").fetchone())
    assert set(COLUMN_NAMES) <= set(row)
    assert from_row(row) == article.to_dict()
    assert json.loads(row["dateline"])["location"] == "New Delhi"


def test_upsert_by_canonical_url_keeps_fts_in_step(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    run_pipeline(db, [make_article(1), make_article(2)])
    edited = make_article(1, url="http://127.0.0.1/amp/news/1", body="Rewritten: a cyclone hit the coast.",
                          is_update=True)
    pipeline = run_pipeline(db, [edited])
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    (row_id,) = conn.execute("SELECT id FROM articles WHERE canonical_url = ?", (edited.canonical_url,)).fetchone()
    assert fts_ids(conn, "cyclone") == [row_id]
    assert fts_ids(conn, "ministers") != [] and row_id not in fts_ids(conn, "ministers")
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    aliases = {r["url"]: r["canonical_url"] for r in conn.execute("SELECT * FROM aliases")}
    assert aliases["http://127.0.0.1/amp/news/1"] == edited.canonical_url
    assert pipeline.stats.get_value("newscrawler/sqlite/stored") == 1


def test_large_batches_of_any_size_keep_every_row_and_the_index(tmp_path: Path) -> None:
    """Batches go in as multi-row statements cut to a few sizes; none may lose a row or a term."""
    store = SQLiteStore(tmp_path / "news.db")
    store._max_chunk = 64  # as if SQLite allowed few bound variables: several chunks per batch
    first = [to_row(ItemAdapter(make_article(n))) for n in range(301)]
    assert store.upsert(first) == 301
    # The second batch edits 150 stored stories (one of them twice) and adds 37 new ones.
    edited = [to_row(ItemAdapter(make_article(n, body=f"Cyclone warning number {n}."))) for n in range(0, 300, 2)]
    edited.append(to_row(ItemAdapter(make_article(4, body="Cyclone and tsunami warning."))))
    added = [to_row(ItemAdapter(make_article(n))) for n in range(1000, 1037)]
    assert store.upsert(edited + added) == 187
    conn = store.conn
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 338
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    assert len(fts_ids(conn, "cyclone")) == 150
    assert len(fts_ids(conn, "ministers")) == 338 - 150
    assert len(fts_ids(conn, "tsunami")) == 1
    store.close()


def test_search_ranks_the_newest_window_of_a_very_common_word(tmp_path: Path) -> None:
    from newscrawler.storage.search import SearchQuery
    from newscrawler.storage.sqlite import search

    store = SQLiteStore(tmp_path / "news.db")
    # Every story says "ministers"; story 5 (old) and story 55 (new) say "cyclone" three times.
    rows = [
        to_row(ItemAdapter(make_article(n, body=f"Ministers met. {'Cyclone cyclone cyclone.' if n in (5, 55) else ''}")))
        for n in range(60)
    ]
    store.upsert(rows)
    conn = store.conn
    ids = {r["canonical_url"]: r["id"] for r in conn.execute("SELECT id, canonical_url FROM articles")}
    newest = sorted(ids.values())[-20:]
    windowed = search(conn, SearchQuery("ministers", limit=50, window=20))
    assert sorted(ids[h.url] for h in windowed) == newest
    assert len(search(conn, SearchQuery("ministers", limit=100, window=None))) == 60
    # Fewer matches than the window: the ranking is the full one, old stories included.
    few = [h.url for h in search(conn, SearchQuery("cyclone", limit=5, window=20))]
    assert sorted(few) == ["http://127.0.0.1/news/5", "http://127.0.0.1/news/55"]
    assert few == [h.url for h in search(conn, SearchQuery("cyclone", limit=5, window=None))]
    # The window counts the matches that pass the filters, not all matches.
    sport = search(conn, SearchQuery("ministers", limit=50, window=20, section="Sport"))
    assert len(sport) == 20 and all(h.section == "Sport" for h in sport)
    store.close()


def test_article_store_and_dedupe_state_open_a_new_file_at_the_same_moment(tmp_path: Path) -> None:
    """Both pipelines open the file as a crawl starts; switching a new file to WAL answers
    "database is locked" at once to the second, without the busy wait."""
    import threading

    from newscrawler.dedupe.sqlite import SQLiteDedupeStore

    errors: list[BaseException] = []
    for round_ in range(15):
        path = tmp_path / f"news{round_}.db"
        barrier = threading.Barrier(2)

        def open_(make) -> None:
            barrier.wait()
            try:
                make(path).conn.close()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_, args=(make,)) for make in (SQLiteStore, SQLiteDedupeStore)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_crawl_log_keeps_no_passwords() -> None:
    from newscrawler.storage.pipeline import _without_secrets

    assert _without_secrets("NEWSCRAWLER_POSTGRES_DSN", "postgresql://u:pw@127.0.0.1/db") == "postgresql://u:***@127.0.0.1/db"
    assert _without_secrets("REDIS_PASSWORD", "pw") == "***"
    assert _without_secrets("DEPTH_LIMIT", 3) == 3


def test_crawls_table_records_each_run(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    run_pipeline(db, [make_article(1)])
    run_pipeline(db, [make_article(2), make_article(3)], NEWSCRAWLER_STORE_BATCH_SIZE=1)
    rows = connect(db).execute("SELECT * FROM crawls ORDER BY id").fetchall()
    assert len(rows) == 2
    last = rows[-1]
    assert last["spider"] == "news" and last["finish_reason"] == "finished" and last["finished_at"]
    assert json.loads(last["arguments"])["spider_args"]["start_url"] == "http://127.0.0.1/"
    assert json.loads(last["stats"])["newscrawler/sqlite/stored"] == 2


def test_item_without_url_is_counted_not_stored(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    pipeline = run_pipeline(db, [{"url": "", "title": "nothing to key on"}, make_article(1)])
    assert pipeline.stats.get_value("newscrawler/sqlite/skipped") == 1
    assert connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_switched_off_by_empty_path() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        SQLitePipeline.from_crawler(get_crawler(Spider, {"NEWSCRAWLER_SQLITE_PATH": ""}))


def test_schema_follows_items_py(tmp_path: Path) -> None:
    """A database made before a field existed gains the column on the next start."""
    db = tmp_path / "old.db"
    SQLiteStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE articles DROP COLUMN warc_record_id")
    conn.commit()
    conn.close()
    run_pipeline(db, [make_article(1, warc_record_id="<urn:uuid:1>")])
    (value,) = connect(db).execute("SELECT warc_record_id FROM articles").fetchone()
    assert value == "<urn:uuid:1>"


def test_batch_is_committed_by_time_without_closing(tmp_path: Path) -> None:
    """A partial batch does not wait for the crawl to end: the time bound commits it."""
    db = tmp_path / "news.db"
    store = SQLiteStore(db)
    store.close()
    from newscrawler.storage.worker import StoreWriter

    writer = StoreWriter(lambda: SQLiteStore(db), batch_size=10_000, batch_seconds=0.2)
    writer.start().result(timeout=10)
    from newscrawler.storage.schema import to_row

    writer.put(to_row(make_article(1).to_dict()))
    reader = connect(db, readonly=True)
    for _ in range(200):
        if reader.execute("SELECT count(*) FROM articles").fetchone()[0]:
            break
        time.sleep(0.05)
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    writer.close().result(timeout=10)


def test_a_locked_file_is_waited_for_not_given_up(tmp_path: Path) -> None:
    """Another writer holding the file past the busy timeout: the batch is retried."""
    import threading

    from newscrawler.storage.schema import to_row

    db = tmp_path / "news.db"
    store = SQLiteStore(db, timeout=0.5)
    other = sqlite3.connect(db, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.7, other.rollback)
    release.start()
    try:
        assert store.upsert([to_row(make_article(1).to_dict())]) == 1
    finally:
        release.join()
    assert connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == 1


FEEDER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from test_storage_sqlite import make_article
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.utils.test import get_crawler
from newscrawler.pipelines.sqlite import SQLitePipeline

crawler = get_crawler(Spider, {{"NEWSCRAWLER_SQLITE_PATH": {db!r}, "NEWSCRAWLER_STORE_BATCH_SIZE": 50,
                               "NEWSCRAWLER_STORE_BATCH_SECONDS": 0.05}})
crawler.spider = crawler._create_spider("news")
pipeline = SQLitePipeline.from_crawler(crawler)

async def main():
    await pipeline.open_spider()
    for n in range({count}):
        await pipeline.process_item(make_article(n))
        if n % 50 == 0:
            await asyncio.sleep(0.01)
    await pipeline.close_spider()
    await pipeline.spider_closed(crawler.spider, "finished")

asyncio.run(main())
"""


def test_sigkill_leaves_a_sound_database_and_rerun_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    count = 8_000
    script = FEEDER.format(tests=str(Path(__file__).parent), db=str(db), count=count)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        stored = 0
        for _ in range(600):
            if proc.poll() is not None:
                break
            if db.exists():
                try:
                    stored = connect(db, readonly=True).execute("SELECT count(*) FROM articles").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
            if stored >= 500:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the feeder finished before it could be killed; raise count"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    conn = connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    killed_at = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 500 <= killed_at < count
    conn.close()

    rerun = subprocess.run([sys.executable, "-c", script], timeout=300)
    assert rerun.returncode == 0
    conn = connect(db)
    assert tuple(conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()) == (count, count)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(fts_ids(conn, "dredging")) == count


def test_datasette_offers_full_text_search(tmp_path: Path) -> None:
    """``datasette output/news.db`` shows a search box on articles that really searches."""
    datasette_app = pytest.importorskip("datasette.app", reason="datasette not installed (pip install datasette)")
    db = tmp_path / "news.db"
    run_pipeline(db, [make_article(1), make_article(2, title="Cyclone closes the port")])

    async def fetch() -> tuple[str, list[dict]]:
        ds = datasette_app.Datasette(files=[str(db)])
        page = await ds.client.get("/news/articles")
        found = await ds.client.get("/news/articles.json?_search=cyclones&_shape=array")
        return page.text, found.json()

    page, found = asyncio.run(fetch())
    assert 'name="_search"' in page
    assert [row["title"] for row in found] == ["Cyclone closes the port"]


def test_index_built_with_other_options_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    run_pipeline(db, [make_article(1), make_article(2)])
    conn = sqlite3.connect(db)
    conn.executescript(
        "DROP TABLE articles_fts; CREATE VIRTUAL TABLE articles_fts USING fts5(title, description, body, "
        "content='articles', content_rowid='id');"
    )
    conn.close()
    SQLiteStore(db).close()
    conn = connect(db)
    assert "content=[articles]" in conn.execute("SELECT sql FROM sqlite_master WHERE name='articles_fts'").fetchone()[0]
    assert len(fts_ids(conn, "dredging")) == 2
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_a_refused_row_costs_that_row_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One row SQLite cannot take (a lone surrogate: extraction no longer hands one out, but a
    store must not lose 39 stories for it) is rejected alone, logged and counted as lost."""
    db = tmp_path / "news.db"
    items = [make_article(n) for n in range(40)]
    items[17] = make_article(17, description="Bad \udfff desc")
    pipeline = run_pipeline(db, items, NEWSCRAWLER_STORE_BATCH_SIZE=200)
    urls = {url for (url,) in connect(db).execute("SELECT canonical_url FROM articles")}
    assert urls == {f"http://127.0.0.1/news/{n}" for n in range(40) if n != 17}
    stats = pipeline.stats.get_stats()
    assert (stats.get("newscrawler/sqlite/stored"), stats.get("newscrawler/sqlite/rejected")) == (39, 1)
    assert stats.get("newscrawler/rows_lost") == 1 and "newscrawler/sqlite/failed" not in stats
    assert "sqlite: article http://127.0.0.1/news/17?utm_source=x not stored" in caplog.text


def test_known_answers_by_url_canonical_url_and_alias_as_the_file_was_when_opened(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    writer = SQLiteStore(db)
    writer.upsert([to_row(ItemAdapter(make_article(1, modified_at="2024-06-01T08:00:00+00:00")))])
    with writer.conn:
        writer.conn.execute("INSERT INTO aliases VALUES ('http://127.0.0.1/copy/1', 'http://127.0.0.1/news/1', "
                            "'near', '2024-06-01T00:00:00+00:00')")
    reader = SQLiteStore(db, readonly=True)
    writer.upsert([to_row(ItemAdapter(make_article(2)))])  # stored after the reader opened: this run's own

    fetched, canonical, alias = "http://127.0.0.1/news/1?utm_source=x", "http://127.0.0.1/news/1", "http://127.0.0.1/copy/1"
    found = reader.known([fetched, canonical, alias, "http://127.0.0.1/news/2", "http://127.0.0.1/other"])
    assert set(found) == {fetched, canonical, alias}
    assert found[alias].modified_at == "2024-06-01T08:00:00+00:00"
    assert found[canonical].published_at == "2024-05-02T10:00:00+05:30"
    # has() sees this run's commits; a reader of a file without an article table cannot say
    assert reader.has("http://127.0.0.1/news/2") is True and reader.has("http://127.0.0.1/news/9") is False
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE other (x)").connection.close()
    blank = SQLiteStore(empty, readonly=True)
    assert blank.known([canonical]) == {} and blank.has(canonical) is None
    for store in (reader, writer, blank):
        store.close()
