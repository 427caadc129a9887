"""Real crawls stopped the hard way: Ctrl-C flushes, SIGKILL leaves a sound, idempotent store."""

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

from tests.test_archive_warc import GzipSite, build_site, serving

STORIES = 100


@pytest.fixture
def slow_site(tmp_path: Path) -> Iterator[tuple[GzipSite, dict[str, str]]]:
    root = tmp_path / "site"
    expected = build_site(root, stories=STORIES)
    with serving(root, article_delay=2.0) as site:
        yield site, expected


def start_crawl(workdir: Path, start_url: str, *settings: str) -> subprocess.Popen:
    workdir.mkdir(parents=True, exist_ok=True)
    extra = [arg for setting in settings for arg in ("-s", setting)]
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={start_url}", *extra,
           "-O", "items.jsonl:jsonlines", "-s", "NEWSCRAWLER_SQLITE_PATH=news.db",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "NEWSCRAWLER_STORE_BATCH_SECONDS=0.2",
           "-s", "LOG_FILE=crawl.log", "-s", f"NEWSCRAWLER_REPORT_DIR={workdir / 'reports'}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    return subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def wait_for_articles(proc: subprocess.Popen, db: Path, at_least: int) -> None:
    for _ in range(1200):
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        if stored(db) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} articles stored after a minute")


def test_ctrl_c_flushes_everything_scraped(slow_site, tmp_path: Path) -> None:
    site, expected = slow_site
    workdir = tmp_path / "run"
    proc = start_crawl(workdir, f"{site.base_url}/")
    try:
        wait_for_articles(proc, workdir / "news.db", 3)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    items = [json.loads(line) for line in (workdir / "items.jsonl").read_text().splitlines() if line]
    conn = sqlite3.connect(workdir / "news.db")
    urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    assert len(items) < STORIES, "the crawl finished before Ctrl-C; slow the site down"
    assert urls == {item["url"] for item in items}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (reason,) = conn.execute("SELECT finish_reason FROM crawls").fetchone()
    assert reason == "shutdown"


# The store alone: the dedupe stage commits what it has seen before the store commits the
# article, so after a SIGKILL it may call a story "unchanged" that the store never got.
STORE_ONLY = "NEWSCRAWLER_DEDUPE_ENABLED=False"


def test_sigkill_then_rerun_stores_every_story_once(slow_site, tmp_path: Path) -> None:
    site, expected = slow_site
    workdir = tmp_path / "run"
    db = workdir / "news.db"
    proc = start_crawl(workdir, f"{site.base_url}/", STORE_ONLY)
    try:
        wait_for_articles(proc, db, 5)
        proc.kill()
    finally:
        proc.wait(timeout=60)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert 5 <= conn.execute("SELECT count(*) FROM articles").fetchone()[0] < STORIES
    conn.close()

    site.article_delay = 0
    rerun = start_crawl(workdir, f"{site.base_url}/", STORE_ONLY)
    _, err = rerun.communicate(timeout=240)
    assert rerun.returncode == 0, err[-2000:]
    conn = sqlite3.connect(db)
    paths = [row[0].removeprefix(site.base_url) for row in conn.execute("SELECT canonical_url FROM articles")]
    assert sorted(paths) == sorted(expected)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert [r[0] for r in conn.execute("SELECT finish_reason FROM crawls ORDER BY id")] == [None, "finished"]
