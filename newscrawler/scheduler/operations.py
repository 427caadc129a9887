"""Seed, inspect and reset a frontier shared through Redis (what ``scrapy frontier`` runs)."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from scrapy import Request

from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX, frontier_keys

if TYPE_CHECKING:
    from redis import Redis


def _connect(url: str) -> Redis:
    import redis

    return redis.Redis.from_url(url)


def seed(url: str, start_urls: Iterable[str], prefix: str = DEFAULT_KEY_PREFIX, spider_name: str = "news") -> int:
    """Add start URLs to a shared frontier (canonicalised and fingerprinted as the spider does)."""
    from scrapy_redis.queue import PriorityQueue

    from newscrawler.urls import CanonicalRequestFingerprinter, canonicalize_url

    server = _connect(url)
    keys = frontier_keys(prefix, spider_name)
    fingerprinter = CanonicalRequestFingerprinter()  # default tracking parameters, as the settings have
    # The queue only needs the spider's name; requests without callback need no more.
    queue = PriorityQueue(server, SimpleNamespace(name=spider_name), keys["requests"])
    added = 0
    for start_url in start_urls:
        request = Request(canonicalize_url(start_url), meta={"discovered_via": "start", "pagination_depth": 0})
        if server.sadd(keys["dupefilter"], fingerprinter.fingerprint(request).hex()):
            queue.push(request)
            added += 1
    return added


def reset(url: str, prefix: str = DEFAULT_KEY_PREFIX, spider_name: str = "news", *, dedupe: bool = False) -> int:
    """Delete a shared crawl's queue, fingerprints and busy markers, and with ``dedupe`` its
    dedupe state too; returns keys deleted. Kept, the dedupe state makes the next pass emit
    only new and changed stories."""
    server = _connect(url)
    keys = frontier_keys(prefix, spider_name)
    doomed = [keys["requests"], keys["dupefilter"], *server.scan_iter(match=keys["busy"] + "*")]
    deleted = int(server.delete(*doomed)) if doomed else 0
    if dedupe:
        from newscrawler.dedupe.redis import delete_state

        deleted += delete_state(server, keys["dedupe"])
    return deleted


def status(url: str, prefix: str = DEFAULT_KEY_PREFIX, spider_name: str = "news") -> dict[str, Any]:
    """Requests queued, fingerprints seen, busy workers and stories in the dedupe state."""
    server = _connect(url)
    keys = frontier_keys(prefix, spider_name)
    return {
        "queued": server.zcard(keys["requests"]),
        "seen": server.scard(keys["dupefilter"]),
        "busy_workers": sum(1 for _ in server.scan_iter(match=keys["busy"] + "*")),
        "dedupe_stories": server.hlen(keys["dedupe"] + ":stories"),
    }
