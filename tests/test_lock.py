"""The per-site lock, with real `scrapy crawl` processes: no overlap, no stale lock after SIGKILL."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawler.extensions.lock import SiteLock, lock_key, lock_path

PROSE = "The harbour authority said the new ferry timetable would start in spring after the works. " * 6


@pytest.fixture
def slow_site(tmp_path: Path) -> Path:
    """Thirty pages: with a download delay a crawl of it lasts long enough to overlap with another."""
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f'<li><a href="/p{i}.html">Page {i}</a></li>' for i in range(30))
    (root / "index.html").write_text(f"<html><body><h1>Harbour</h1><ul>{links}</ul></body></html>")
    for i in range(30):
        (root / f"p{i}.html").write_text(f"<html><body><h1>Notice {i}</h1><p>{PROSE}</p></body></html>")
    return root


def crawl_command(start_url: str, workdir: Path, lock_dir: Path, delay: float = 0) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={start_url}",
            "-s", f"NEWSCRAWLER_LOCK_DIR={lock_dir}", "-s", f"DOWNLOAD_DELAY={delay}",
            "-s", f"NEWSCRAWLER_SQLITE_PATH={workdir / 'news.db'}",
            "-s", f"NEWSCRAWLER_REPORT_DIR={workdir / 'reports'}",
            "-s", f"LOG_FILE={workdir / 'crawl.log'}", "-s", "NEWSCRAWLER_PROGRESS_INTERVAL=0"]


def run(command: list[str], workdir: Path) -> tuple[int, str]:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    log = workdir / "crawl.log"
    return proc.returncode, (log.read_text() if log.exists() else "") + proc.stderr


def is_held(path: Path) -> bool:
    """Whether some process holds the flock on ``path`` (tried from a fresh open file)."""
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def wait_until_held(path: Path, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not is_held(path):
        assert proc.poll() is None, "the first crawl ended before it took the lock"
        assert time.monotonic() < deadline, "the first crawl never took the lock"
        time.sleep(0.05)


def test_second_run_of_a_site_stops_and_a_killed_run_leaves_no_lock(serve, slow_site, tmp_path) -> None:
    site = serve(slow_site)
    lock_dir = tmp_path / "locks"
    host = urlsplit(site.base_url).netloc  # the lock is per host and port
    path = lock_path(lock_dir, host)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    first_dir = tmp_path / "first"
    first_dir.mkdir()
    first = subprocess.Popen(crawl_command(site.base_url, first_dir, lock_dir, delay=0.5), cwd=first_dir, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_held(path, first)

        code, log = run(crawl_command(site.base_url, tmp_path / "second", lock_dir), tmp_path / "second")
        assert code == 1
        assert "Traceback" not in log, log[-3000:]
        assert "Another crawl of" in log and host in log and str(path) in log
        assert f"pid {first.pid}" in log
        assert "Spider opened" not in log  # stopped before fetching anything
        assert first.poll() is None

        # Another site (same server under another host name) is not blocked.
        other = site.base_url.replace("127.0.0.1", "localhost")
        code, log = run(crawl_command(other + "p1.html", tmp_path / "other", lock_dir), tmp_path / "other")
        assert code == 0, log[-2000:]
        assert "Holding the crawl lock" in log

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)

    assert path.exists() and not is_held(path)
    code, log = run(crawl_command(site.base_url + "p2.html", tmp_path / "third", lock_dir), tmp_path / "third")
    assert code == 0, log[-2000:]
    assert "Another crawl" not in log
    assert not is_held(path), "the lock is released when the crawl ends"


def test_empty_lock_dir_switches_the_lock_off(serve, slow_site, tmp_path) -> None:
    site = serve(slow_site)
    workdir = tmp_path / "run"
    command = crawl_command(site.base_url + "p3.html", workdir, tmp_path / "unused")
    command[command.index(f"NEWSCRAWLER_LOCK_DIR={tmp_path / 'unused'}")] = "NEWSCRAWLER_LOCK_DIR="
    code, log = run(command, workdir)
    assert code == 0, log[-2000:]
    assert "NEWSCRAWLER_LOCK_DIR is empty" in log
    assert not (tmp_path / "unused").exists()


class _Spider:
    name = "news"
    allowed_domains = ["news.example", "cdn.news.example"]
    start_urls = ["https://www.news.example/", "https://news.example:8443/world/"]


def test_a_crawler_without_a_spider_takes_no_lock(tmp_path) -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_LOCK_DIR": str(tmp_path / "locks")})
    with pytest.raises(NotConfigured, match="no spider"):
        SiteLock.from_crawler(crawler)
    assert not (tmp_path / "locks").exists()


def test_lock_key_names_the_site() -> None:
    spider = _Spider()
    # Host and port of the start URLs: one address serving two sites on two ports is two sites.
    assert lock_key(spider) == "news.example+news.example:8443"
    assert lock_key(spider, site="harbour") == "site-harbour"  # NEWSCRAWLER_SITE, a profile's name
    a, b = lock_path(Path("/x"), "news.example"), lock_path(Path("/x"), "news.example:8080/../etc")
    assert a != b and a.parent == b.parent == Path("/x") and "/" not in b.name and b.name.endswith(".lock")
