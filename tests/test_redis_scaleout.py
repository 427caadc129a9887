"""Three real worker processes share one frontier in the real Redis at 127.0.0.1:6379.

Every page of a 500-page local site must be fetched once in all (the server counts) and
every article stored once across the three workers' JSON Lines outputs. Each test uses
its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio

import os
import subprocess
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawler.addons.redis import RedisAddon
from newscrawler.scheduler.keys import frontier_keys
from newscrawler.scheduler.operations import reset, status
from tests.conftest import run_crawl
from tests.hostile_server import plain_news_routes, serve_hostile_site, serve_site

REDIS_URL = "redis://127.0.0.1:6379/0"
WORKERS = 3


def _redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        return client
    except Exception as exc:  # noqa: BLE001 - any failure means "no usable Redis here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI=true: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")


@pytest.fixture
def shared_crawl():
    """A unique key prefix in the real Redis, deleted after the test."""
    client = _redis_or_skip()
    prefix = f"newscrawler-test-{uuid.uuid4().hex[:10]}:%(spider)s"
    yield client, prefix
    reset(REDIS_URL, prefix, dedupe=True)  # the workers' crawls keep their dedupe state there too
    assert not list(client.scan_iter(match=prefix % {"spider": "news"} + "*"))


@pytest.mark.redis
def test_three_workers_fetch_every_page_once_and_store_every_article_once(shared_crawl, tmp_path: Path):
    client, prefix = shared_crawl
    routes, expected = plain_news_routes(480)
    assert len(routes) - 1 >= 500  # pages besides robots.txt
    with serve_site(routes) as site:
        settings = {"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix}
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(run_crawl, tmp_path / f"worker{n}", "-a", f"start_url={site.url('/')}",
                                   settings=settings, timeout=300) for n in range(WORKERS)]
            results = [f.result() for f in futures]
        for result in results:
            assert result.returncode == 0, result.log[-3000:]
            assert "Traceback" not in result.log, result.log[-3000:]
        fetched = {path: site.count(path) for path in routes if path != "/robots.txt"}
        assert {p: n for p, n in fetched.items() if n != 1} == {}
        assert site.count("/robots.txt") <= WORKERS  # each worker reads robots.txt for itself
        # Nor was anything else (sitemap and feed probes that 404) requested twice.
        assert {p: n for p, n in site.requests.items() if n != 1 and p != "/robots.txt"} == {}

    stored = Counter(item["url"].removeprefix(site.base_url.rstrip("/")) for r in results for item in r.items)
    assert {url: n for url, n in stored.items() if n > 1} == {}
    assert set(stored) == set(expected)
    busy_workers = [r for r in results if r.stats.get("response_received_count", 0) > 1]
    assert len(busy_workers) >= 2, "the frontier was not shared: one worker did everything"
    keys = frontier_keys(prefix)
    assert client.zcard(keys["requests"]) == 0
    assert client.scard(keys["dupefilter"]) >= len(fetched)
    assert status(REDIS_URL, prefix)["busy_workers"] == 0


def frontier_command(workdir: Path, prefix: str, *args: str) -> str:
    """``scrapy frontier ARGS`` for the crawl under ``prefix``, run for real; its output."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "frontier", *args, "--redis-url", REDIS_URL,
                           "--prefix", prefix], cwd=workdir, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.redis
def test_seeded_and_reset_frontier(shared_crawl, tmp_path: Path):
    client, prefix = shared_crawl
    routes, expected = plain_news_routes(12, per_page=6, sections=1)
    with serve_site(routes) as site:
        # Seeds pushed by the command line are fetched by a worker started without start URLs
        # of its own... the spider needs one, so it gets the same one: still fetched once.
        seeded = frontier_command(tmp_path, prefix, "seed", site.url("/section-1/"),
                                  site.url("/section-1/?utm_source=x"))
        assert seeded.strip() == "added 1 of 2 URLs"
        assert "queued: 1\nseen: 1\n" in frontier_command(tmp_path, prefix, "status")
        settings = {"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix}
        first = run_crawl(tmp_path / "first", "-a", f"start_url={site.url('/section-1/')}", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.items) == len(expected)
        assert site.count("/section-1/") == 1
        # The fingerprints persist: a second pass over the same frontier finds nothing new ...
        again = run_crawl(tmp_path / "again", "-a", f"start_url={site.url('/section-1/')}", settings=settings)
        assert again.returncode == 0 and again.items == []
        assert site.count("/section-1/") == 1
        # ... until the shared crawl is reset: every page is fetched again, but the dedupe state
        # (kept in Redis too) knows the stories, so none is emitted again ...
        assert "queued: 0\n" in frontier_command(tmp_path, prefix, "status")
        deleted = frontier_command(tmp_path, prefix, "reset")
        assert deleted.startswith("deleted ") and int(deleted.split()[1]) >= 1
        third = run_crawl(tmp_path / "third", "-a", f"start_url={site.url('/section-1/')}", settings=settings)
        assert third.items == [] and third.stats.get("dedupe/unchanged") == len(expected)
        assert site.count("/section-1/") == 2
        # ... unless the reset forgets the dedupe state too.
        frontier_command(tmp_path, prefix, "reset", "--dedupe")
        fourth = run_crawl(tmp_path / "fourth", "-a", f"start_url={site.url('/section-1/')}", settings=settings)
        assert len(fourth.items) == len(expected)


def test_frontier_command_says_in_one_line_that_redis_cannot_be_reached(tmp_path: Path):
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "frontier", "status", "--redis-url",
                           "redis://127.0.0.1:1/0"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "redis://127.0.0.1:1/0" in lines[0], proc.stderr
    misuse = subprocess.run([sys.executable, "-m", "scrapy", "frontier", "status", "--dedupe"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert misuse.returncode == 2 and "--dedupe goes with reset" in misuse.stderr


def test_addon_is_off_without_a_redis_url_and_rejects_a_bad_one():
    with pytest.raises(NotConfigured):
        RedisAddon.from_crawler(get_crawler(Spider, settings_dict={"NEWSCRAWLER_REDIS_URL": ""}))
    with pytest.raises(ValueError, match="redis://"):
        RedisAddon.from_crawler(get_crawler(Spider, settings_dict={"NEWSCRAWLER_REDIS_URL": "127.0.0.1:6379"}))


@pytest.mark.redis
def test_shared_dupefilter_uses_the_canonical_fingerprints(shared_crawl):
    _client, prefix = shared_crawl
    from newscrawler.scheduler.redis import RedisDupeFilter

    crawler = get_crawler(Spider, settings_dict={
        "NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix,
        "REQUEST_FINGERPRINTER_CLASS": "newscrawler.urls.CanonicalRequestFingerprinter",
        "ADDONS": {"newscrawler.addons.redis.RedisAddon": 100},
    })
    crawler._apply_settings()
    spider = Spider.from_crawler(crawler, name="news")
    dupefilter = RedisDupeFilter.from_spider(spider)
    assert not dupefilter.request_seen(Request("https://www.news.example/a/story?id=1"))
    # Tracking parameters and www. do not make a new page (scrapy-redis alone would say they do).
    assert dupefilter.request_seen(Request("https://news.example/a/story?utm_source=tw&id=1"))
    assert not dupefilter.request_seen(Request("https://news.example/a/other?id=1"))


def _scheduler(prefix: str):
    """A RedisScheduler of a fresh crawler, opened: one "worker" in this process."""
    from newscrawler.scheduler.redis import RedisScheduler

    crawler = get_crawler(Spider, settings_dict={
        "NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix,
        "REQUEST_FINGERPRINTER_CLASS": "newscrawler.urls.CanonicalRequestFingerprinter",
        "ADDONS": {"newscrawler.addons.redis.RedisAddon": 100},
    })
    crawler._apply_settings()
    crawler.stats.open_spider()
    spider = Spider.from_crawler(crawler, name="news")
    scheduler = RedisScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, spider


@pytest.mark.redis
def test_dont_filter_seeds_are_recorded_and_scheduled_once_across_workers(shared_crawl):
    _client, prefix = shared_crawl
    first, _ = _scheduler(prefix)
    second, _ = _scheduler(prefix)
    seed_request = Request("https://news.example/", dont_filter=True, meta={"is_start_request": True})
    assert first.enqueue_request(seed_request)
    assert not second.enqueue_request(seed_request.replace())  # the other worker's copy of the seed
    assert not second.enqueue_request(Request("https://news.example/"))  # a link back to it later
    retry = Request("https://news.example/", dont_filter=True, meta={"is_start_request": True, "retry_times": 1})
    assert second.enqueue_request(retry)  # retries are never dropped
    assert len(first) == 2


@pytest.mark.redis
def test_idle_worker_waits_while_the_frontier_has_work_or_another_worker_is_busy(shared_crawl):
    from scrapy.exceptions import DontCloseSpider

    _client, prefix = shared_crawl
    busy, busy_spider = _scheduler(prefix)
    idle, idle_spider = _scheduler(prefix)
    busy.enqueue_request(Request("https://news.example/a"))
    with pytest.raises(DontCloseSpider):  # work queued
        idle._on_idle(idle_spider)
    assert busy.next_request() is not None  # the busy worker takes it and marks itself busy
    with pytest.raises(DontCloseSpider):  # queue empty, but the page may add links
        idle._on_idle(idle_spider)
    busy._on_idle(busy_spider)  # the busy worker is done and nothing is queued: it may close
    idle._on_idle(idle_spider)  # and so may the other one
    busy.close("finished")
    idle.close("finished")
    assert status(REDIS_URL, prefix)["busy_workers"] == 0


@pytest.mark.redis
def test_two_workers_on_the_hostile_site_store_every_reachable_article_once(shared_crawl, tmp_path: Path):
    """Faults, retries, Retry-After waits and redirects with the frontier in Redis."""
    _client, prefix = shared_crawl
    settings = {"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix,
                "DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 3, "NEWSCRAWLER_RETRY_AFTER_MAX": 2}
    with serve_hostile_site() as (site, decoy, expected, lost):
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(run_crawl, tmp_path / f"worker{n}", "-a", f"start_url={site.url('/')}",
                                   settings=settings, timeout=240) for n in range(2)]
            results = [f.result() for f in futures]
        assert decoy.total() == 0
        assert site.count("/") == 1
    for result in results:
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]
    stored = Counter(item["url"].removeprefix(site.base_url.rstrip("/")) for r in results for item in r.items)
    assert {url: n for url, n in stored.items() if n > 1} == {}
    assert set(expected) <= set(stored) and not (lost & set(stored))
    failed = Counter()
    for result in results:
        failed.update({k: v for k, v in result.stats.items() if k.startswith("newscrawler/failed/")})
    for reason in ("http_500", "http_503", "timeout", "data_loss", "truncated_body", "too_large"):
        assert failed[f"newscrawler/failed/{reason}"] == 1, reason


@pytest.mark.redis
def test_a_page_sent_back_for_rendering_is_not_dropped_as_a_seen_seed(shared_crawl):
    """JavaScript pages go round twice (fetch, then render); the second pass must get through."""
    import asyncio

    from scrapy.http import HtmlResponse

    from newscrawler.middlewares.javascript import PREFETCHED, JavaScriptMiddleware

    _client, prefix = shared_crawl
    scheduler, spider = _scheduler(prefix)
    seed_request = Request("https://news.example/", callback=spider.parse, meta={"is_start_request": True})
    assert scheduler.enqueue_request(seed_request)
    scheduler.crawler.settings.frozen = False
    scheduler.crawler.settings.set("NEWSCRAWLER_RENDER_JS", True)
    middleware = JavaScriptMiddleware.from_crawler(scheduler.crawler)
    fetched = HtmlResponse("https://news.example/", body=b"<html><body><div id=app></div></body></html>",
                           headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
    render = asyncio.run(middleware.process_response(seed_request, fetched))
    assert isinstance(render, Request) and render.dont_filter and PREFETCHED in render.meta
    assert "is_start_request" not in render.meta
    assert "Content-Encoding" not in render.meta[PREFETCHED]["headers"]  # the body is already decoded
    assert scheduler.enqueue_request(render)
    assert asyncio.run(middleware.process_response(render, fetched)) is fetched  # rendered once, not again
