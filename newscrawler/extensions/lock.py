"""One run per site at a time: scheduled crawls of the same site must never overlap.

A cron job or systemd timer may fire while the previous run is still going; two runs of
one site would fetch everything twice and race on the store. The lock is an ``flock`` on a
file in ``NEWSCRAWLER_LOCK_DIR`` named after the site, so the kernel drops it when its
process dies: a run killed with SIGKILL leaves no stale lock behind. A second run that
finds the lock held stops before fetching anything, with a message and exit status 1.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class CrawlLocked(RuntimeError):
    """Another run of the same site holds the lock."""


def lock_key(spider: Any, site: str = "") -> str:
    """What identifies "the same site": its name (``NEWSCRAWLER_SITE``, the profile's), else the
    hosts of the spider's start URLs."""
    if site:
        return f"site-{site}"
    # Host and port: two sites served from one address on different ports are two sites.
    hosts = sorted({urlsplit(u).netloc.lower().removeprefix("www.") for u in getattr(spider, "start_urls", [])})
    domains = sorted(getattr(spider, "allowed_domains", None) or [])
    return "+".join(hosts) or "+".join(domains) or spider.name


def lock_path(directory: Path, key: str) -> Path:
    """A file name that is readable, safe on any file system, and unique per key."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80]
    return directory / f"{readable}-{hashlib.sha1(key.encode()).hexdigest()[:10]}.lock"


class SiteLock:
    """Takes the site's lock when the crawler is built and releases it when the spider closes."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self.handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = crawler.settings.get("NEWSCRAWLER_LOCK_DIR", "output/locks")
        if not directory:
            raise NotConfigured("NEWSCRAWLER_LOCK_DIR is empty")
        if crawler.settings.get("NEWSCRAWLER_REDIS_URL") or os.environ.get("NEWSCRAWLER_REDIS_URL"):
            raise NotConfigured("scale-out workers share one site's crawl on purpose")
        if getattr(crawler, "spider", None) is None:
            raise NotConfigured("no spider, so no site to lock (a crawler built outside a crawl)")
        key = lock_key(crawler.spider, crawler.settings.get("NEWSCRAWLER_SITE") or "")
        lock = cls(lock_path(Path(directory), key), key)
        lock.acquire()
        crawler.signals.connect(lock.release, signal=signals.spider_closed)
        return lock

    def acquire(self) -> None:
        """Hold the lock or raise :class:`CrawlLocked` naming the run that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole crawl
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            # Said once, in one line, by `scrapy crawl` (newscrawler/commands/crawl.py).
            raise CrawlLocked(f"Another crawl of {self.key} is running ({holder}); lock file {self.path}. "
                              "Not starting: runs of the same site must not overlap.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
        handle.flush()
        self.handle = handle
        logger.info("Holding the crawl lock %s for %s", self.path, self.key)

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
