"""The crawl's verdict: which endings a scheduler must see as failures (pure)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newscrawler.extensions.verdict import crawl_verdict


@pytest.mark.parametrize(("reason", "stats", "expected"), [
    ("finished", {}, ("ok", 0)),
    ("closespider_pagecount", {}, ("ok", 0)),
    ("finished", {"newscrawler/rows_lost": 3}, ("rows_lost", 2)),
    ("start_pages_failed", {}, ("start_pages_failed", 2)),
    ("robots_unreadable", {"newscrawler/rows_lost": 1}, ("robots_unreadable", 2)),  # the site failure first
])
def test_crawl_verdict(reason, stats, expected):
    assert crawl_verdict(reason, stats) == expected


def test_unknown_spider_is_one_line_and_exit_status_1(tmp_path):
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "nosuchspider"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "ERROR" in line or line.startswith("Error")]
    assert lines == ["Error: Spider not found: nosuchspider"], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
