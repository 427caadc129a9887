"""DedupePipeline through a real Crawler and a real SQLite file, across processes."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from newscrawler.items import Article
from newscrawler.pipelines.dedupe import DedupePipeline
from tests.test_dedupe_fingerprints import edit, prose

REPO = Path(__file__).resolve().parent.parent
SITE = "https://news.example"


def article(slug: str, body: str, **fields: Any) -> Article:
    return Article(url=f"{SITE}/{slug}", canonical_url=fields.pop("canonical_url", f"{SITE}/{slug}"),
                   title=fields.pop("title", f"Story {slug}"), body=body, **fields)


def run_items(db: str, items: list[Any], **settings: Any) -> tuple[list[str], dict[str, int]]:
    """Push items through a fresh pipeline; returns 'emitted'/'update'/drop reason per item, and stats."""
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_SQLITE_PATH": db, **settings})
    pipeline = DedupePipeline.from_crawler(crawler)

    async def run() -> list[str]:
        await pipeline.open_spider()
        outcomes = []
        for item in items:
            try:
                out = await pipeline.process_item(item)
                outcomes.append("update" if getattr(out, "is_update", None) or (isinstance(out, dict) and out.get("is_update")) else "emitted")
            except DropItem as exc:
                outcomes.append(f"dropped: {exc}")
        await pipeline.spider_closed()
        return outcomes

    outcomes = asyncio.run(run())
    stats = {k: v for k, v in crawler.stats.get_stats().items() if "dedupe" in k}
    return outcomes, stats


def run_workers(settings: dict[str, Any], bodies: list[str], seed: int = 1) -> tuple[list[DedupePipeline], list[str]]:
    """Two pipelines (two workers) at once, each fetching every story under its own URLs in its
    own order; returns the pipelines and the bodies emitted by both."""
    rng = random.Random(seed)
    pipelines = [DedupePipeline.from_crawler(get_crawler(settings_dict=settings)) for _ in range(2)]

    async def run(pipeline: DedupePipeline, mirror: str) -> list[str]:
        items = [article(f"{mirror}/story-{n}", body) for n, body in enumerate(bodies)]
        rng.shuffle(items)
        emitted = []
        for item in items:
            try:
                emitted.append((await pipeline.process_item(item)).body)
            except DropItem:
                pass
        return emitted

    async def both() -> list[list[str]]:
        for pipeline in pipelines:
            await pipeline.open_spider()
        results = await asyncio.gather(run(pipelines[0], "a"), run(pipelines[1], "b"))
        for pipeline in pipelines:
            await pipeline.spider_closed()
        return results

    first, second = asyncio.run(both())
    return pipelines, first + second


def run_items_in_new_process(db: str, items: list[Article], **settings: Any) -> tuple[list[str], dict[str, int]]:
    """:func:`run_items` in another Python process: nothing but the store carries over."""
    script = (
        "import json, sys\n"
        "from tests.test_dedupe_pipeline import run_items\n"
        "from newscrawler.items import Article\n"
        "items = [Article(**row) for row in json.loads(sys.stdin.read())]\n"
        "print(json.dumps(run_items(sys.argv[1], items, **json.loads(sys.argv[2]))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, db, json.dumps(settings)], input=json.dumps([a.to_dict() for a in items]),
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    outcomes, stats = json.loads(proc.stdout)
    return outcomes, stats


def test_pipeline_drops_duplicates_and_counts_them(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    body = prose(50)
    outcomes, stats = run_items(db, [
        article("world/quake", body),
        article("world/quake", body),
        article("asia/quake", body, canonical_url=f"{SITE}/world/quake"),
        article("wire/quake", body, title="Quake: wire copy"),
        article("partner/quake", edit(body, 0.05, seed=4), title="Partner headline"),
        article("world/storm", prose(51)),
        {"url": f"{SITE}/plain-dict", "title": "A dict item", "body": prose(52)},
    ])
    assert outcomes[0] == "emitted"
    assert outcomes[1].startswith("dropped: url duplicate of https://news.example/world/quake")
    assert outcomes[2].startswith("dropped: canonical duplicate")
    assert outcomes[3].startswith("dropped: exact duplicate")
    assert outcomes[4].startswith("dropped: near duplicate of https://news.example/world/quake (similarity")
    assert outcomes[5:] == ["emitted", "emitted"]
    assert stats == {"dedupe/new": 3, "dedupe/url": 1, "dedupe/canonical": 1, "dedupe/exact": 1, "dedupe/near": 1}
    with sqlite3.connect(db) as conn:
        kinds = dict(conn.execute("SELECT url, kind FROM aliases"))
    assert kinds == {f"{SITE}/asia/quake": "canonical", f"{SITE}/wire/quake": "exact", f"{SITE}/partner/quake": "near"}


def test_tracking_parameters_in_the_fetched_url_do_not_make_a_new_story(tmp_path: Path) -> None:
    outcomes, stats = run_items(str(tmp_path / "news.db"), [
        Article(url=f"{SITE}/a?utm_source=x", title="A", body=prose(53)),
        Article(url=f"{SITE}/a?fbclid=1", title="A", body=prose(53)),
    ])
    assert outcomes[0] == "emitted" and outcomes[1].startswith("dropped: url duplicate")


def test_state_survives_a_new_process(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    first = [article(f"s{n}", prose(60 + n), modified_at="2024-03-01T09:00:00+00:00") for n in range(4)]
    outcomes, _ = run_items(db, first + [article("copy", prose(60), title="Copy")])
    assert outcomes == ["emitted"] * 4 + [outcomes[4]] and outcomes[4].startswith("dropped: exact")

    second = [
        article("s0", prose(60), modified_at="2024-03-01T09:00:00+00:00"),  # unchanged
        article("s1", prose(61) + " Police later named the driver.", modified_at="2024-03-01T09:00:00+00:00"),
        article("s2", prose(62), modified_at="2024-03-02T11:00:00+00:00"),  # newer modified_at
        article("s3", prose(63), modified_at="2024-03-01T09:00:00+00:00"),  # unchanged
        article("copy", prose(60), title="Copy"),  # the known alias
        article("s9", prose(69)),  # new
    ]
    outcomes, stats = run_items_in_new_process(db, second)
    assert outcomes[0].startswith("dropped: unchanged since the last crawl")
    assert outcomes[1:3] == ["update", "update"]
    assert outcomes[3].startswith("dropped: unchanged")
    assert outcomes[4].startswith("dropped: url duplicate of https://news.example/s0")
    assert outcomes[5] == "emitted"
    assert stats == {"dedupe/unchanged": 2, "dedupe/update": 2, "dedupe/url": 1, "dedupe/new": 1}


def test_items_without_a_url_are_passed_on_and_counted(tmp_path: Path) -> None:
    outcomes, stats = run_items(str(tmp_path / "news.db"), [{"title": "no url", "body": prose(70)}])
    assert outcomes == ["emitted"]
    assert stats == {"newscrawler/dedupe/skipped/no_url": 1}


def test_without_a_database_dedupe_works_within_the_run(tmp_path: Path) -> None:
    outcomes, _ = run_items("", [article("a", prose(71)), article("b", prose(71))])
    assert outcomes[0] == "emitted" and outcomes[1].startswith("dropped: exact")
    assert not list(tmp_path.iterdir())


def test_switched_off_and_bad_settings() -> None:
    with pytest.raises(NotConfigured):
        DedupePipeline.from_crawler(get_crawler(settings_dict={"NEWSCRAWLER_DEDUPE_ENABLED": False}))
    with pytest.raises(ValueError, match="NEWSCRAWLER_DEDUPE_THRESHOLD"):
        DedupePipeline.from_crawler(get_crawler(settings_dict={"NEWSCRAWLER_DEDUPE_THRESHOLD": 0}))
    with pytest.raises(ValueError, match="bands \\* rows"):
        DedupePipeline.from_crawler(get_crawler(settings_dict={"NEWSCRAWLER_DEDUPE_BANDS": 40}))


def test_a_failing_store_passes_items_on_unchecked_and_counts_them(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_SQLITE_PATH": str(db)})
    pipeline = DedupePipeline.from_crawler(crawler)

    async def run() -> list[Any]:
        await pipeline.open_spider()
        first = await pipeline.process_item(article("a", prose(90)))
        with sqlite3.connect(db) as other:  # the state disappears under the running crawl
            other.execute("DROP TABLE dedupe_urls")
        second = await pipeline.process_item(article("b", prose(91)))
        await pipeline.spider_closed()
        return [first, second]

    first, second = asyncio.run(run())
    assert (first.url, second.url) == (f"{SITE}/a", f"{SITE}/b")
    assert crawler.stats.get_value("newscrawler/dedupe/errors") == 1
    assert crawler.stats.get_value("dedupe/new") == 1


def test_a_story_a_store_refused_is_forgotten(tmp_path: Path) -> None:
    """The dedupe state keeps only what the store accepted: once the store refuses a story,
    a copy of it met later is kept (not dropped as a duplicate of nothing stored), and the
    story itself is new again when a later run meets it."""
    from scrapy import Spider

    from newscrawler.pipelines.sqlite import SQLitePipeline

    db = tmp_path / "news.db"
    body = prose(41)
    crawler = get_crawler(Spider, {"NEWSCRAWLER_SQLITE_PATH": str(db)})
    crawler.spider = crawler._create_spider("news", start_url=f"{SITE}/")
    dedupe, store = DedupePipeline.from_crawler(crawler), SQLitePipeline.from_crawler(crawler)

    async def run() -> list[str]:
        await dedupe.open_spider()
        await store.open_spider()
        outcomes = []
        for item in (article("refused", body, description="Bad \udfff desc"), article("copy", body)):
            try:
                await store.process_item(await dedupe.process_item(item))
                outcomes.append("emitted")
            except DropItem as exc:
                outcomes.append(f"dropped: {exc}")
            await asyncio.wrap_future(store.writer.call(lambda s: None))  # committed, or refused
            await dedupe._on_worker(lambda: None)  # and the dedupe state told
        await store.close_spider()
        await store.spider_closed(crawler.spider, "finished")
        await dedupe.spider_closed()
        return outcomes

    assert asyncio.run(run()) == ["emitted", "emitted"]
    stats = crawler.stats.get_stats()
    assert stats["newscrawler/sqlite/rejected"] == 1 and stats["newscrawler/dedupe/forgotten"] == 1
    with sqlite3.connect(db) as conn:
        assert [url for (url,) in conn.execute("SELECT url FROM articles")] == [f"{SITE}/copy"]
    # A later run meets the refused story again (cleaned this time): new, not unchanged.
    outcomes, later = run_items(str(db), [article("refused", body, description="Good desc")])
    assert outcomes == ["emitted"] and later.get("dedupe/new") == 1


def test_a_story_the_article_table_never_got_is_emitted_again_not_called_unchanged(tmp_path: Path) -> None:
    """A run killed between the dedupe commit and the store's: the state knows a story the
    article table lacks. The next run asks the store (through the dedupe state's own
    connection to the same file) and emits it again."""
    from itemadapter import ItemAdapter

    from newscrawler.storage.schema import to_row
    from newscrawler.storage.sqlite import SQLiteStore

    db = str(tmp_path / "news.db")
    items = [article("kept", prose(1)), article("lost", prose(2))]
    assert run_items(db, items)[0] == ["emitted", "emitted"]
    store = SQLiteStore(db)  # only the first story reached the article table
    store.upsert([to_row(ItemAdapter(items[0]))])
    store.close()

    outcomes, stats = run_items(db, items)
    assert outcomes[0].startswith("dropped: unchanged") and outcomes[1] == "emitted"
    assert stats["dedupe/unchanged"] == 1 and stats["dedupe/new"] == 1
