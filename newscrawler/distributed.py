"""Scale-out: any number of ``scrapy crawl news`` workers sharing one frontier in Redis.

``-s NEWSCRAWLER_REDIS_URL=redis://host:6379/0`` switches the :class:`RedisAddon` on (it is
listed in ``ADDONS``; without the setting it disables itself, so a plain crawl never
imports Redis). The add-on puts scrapy-redis's scheduler and duplicate filter in place,
through two small subclasses in ``newscrawler.redis_frontier``, which fix what scrapy-redis 0.9 gets wrong with
Scrapy 2.19 and with several workers:

* its duplicate filter fingerprints URLs itself; ours asks the crawl's
  ``REQUEST_FINGERPRINTER_CLASS`` (canonical URLs, see ``newscrawler.urls``), so every
  worker and a single-process crawl agree on what "the same page" is;
* it never records the fingerprint of a ``dont_filter`` request, so a seed scheduled that
  way is fetched again when a page links back to it, and once per worker; we record it,
  and a start request whose fingerprint another worker already recorded is dropped;
* it passes ``spider=`` to the stats collector (deprecated);
* it flushes the shared queue when a worker closes unless ``SCHEDULER_PERSIST``: the first
  worker to finish would wipe the frontier of the others. The frontier always persists;
  ``python -m newscrawler.distributed reset`` clears it;
* a worker whose local engine runs dry closes at once, though another worker is still
  fetching pages that will add to the frontier. Here a worker stays open while the shared
  queue holds requests or another worker is busy (a ``...:busy:<worker>`` key with a TTL),
  checking twice a second.

The Redis client is synchronous (scrapy-redis is): each call is a round trip to the Redis
server on the reactor thread, fine on a LAN, not over a slow link.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

DEFAULT_KEY_PREFIX = "newscrawler:%(spider)s"
BUSY_TTL = 30
"""Seconds a worker counts as busy after it last took a request from the shared queue."""
IDLE_RECHECK = 0.5
"""Seconds between checks of the shared frontier while a worker has nothing to do."""


def frontier_keys(prefix: str, spider_name: str = "news") -> dict[str, str]:
    """The Redis keys of one shared crawl: request queue, fingerprints, busy markers, and the
    prefix of its dedupe state (``newscrawler.dedupe.redis``)."""
    base = prefix % {"spider": spider_name}
    return {"requests": f"{base}:requests", "dupefilter": f"{base}:dupefilter", "busy": f"{base}:busy:",
            "dedupe": f"{base}:dedupe"}


class RedisAddon:
    """Switches scheduler and duplicate filter to Redis when NEWSCRAWLER_REDIS_URL is set."""

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("NEWSCRAWLER_REDIS_URL") or os.environ.get("NEWSCRAWLER_REDIS_URL", "")
        if not url:
            raise NotConfigured  # no message: a crawl without Redis is the normal case
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"NEWSCRAWLER_REDIS_URL={url!r} is not valid: expected redis://host:6379/0")
        if importlib.util.find_spec("scrapy_redis") is None:
            raise RuntimeError("NEWSCRAWLER_REDIS_URL is set but scrapy-redis is not installed: "
                               "pip install 'newscrawler[redis]'")
        return cls(url)

    def update_settings(self, settings: BaseSettings) -> None:
        # "project" priority: replaces settings.py's SCHEDULER (add-ons run after it is
        # loaded) while an explicit -s SCHEDULER=... still wins.
        prefix = settings.get("NEWSCRAWLER_REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX
        keys = frontier_keys(prefix, "%(spider)s")
        settings.set("REDIS_URL", self.url, priority="project")
        settings.set("SCHEDULER", "newscrawler.redis_frontier.RedisScheduler", priority="project")
        settings.set("DUPEFILTER_CLASS", "newscrawler.redis_frontier.RedisDupeFilter", priority="project")
        settings.set("SCHEDULER_PERSIST", True, priority="project")
        settings.set("SCHEDULER_QUEUE_KEY", keys["requests"], priority="project")
        settings.set("SCHEDULER_DUPEFILTER_KEY", keys["dupefilter"], priority="project")
        settings.set("NEWSCRAWLER_REDIS_BUSY_KEY", keys["busy"], priority="project")


# --- Command line: seed and reset a shared crawl ------------------------------------------


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
    server = _connect(url)
    keys = frontier_keys(prefix, spider_name)
    return {
        "queued": server.zcard(keys["requests"]),
        "seen": server.scard(keys["dupefilter"]),
        "busy_workers": sum(1 for _ in server.scan_iter(match=keys["busy"] + "*")),
        "dedupe_stories": server.hlen(keys["dedupe"] + ":stories"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawler.distributed",
                                     description="Seed, inspect or reset a crawl shared by workers through Redis.")
    parser.add_argument("--redis-url", default=os.environ.get("NEWSCRAWLER_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--prefix", default=DEFAULT_KEY_PREFIX, help="NEWSCRAWLER_REDIS_KEY_PREFIX of the crawl")
    commands = parser.add_subparsers(dest="command", required=True)
    seed_cmd = commands.add_parser("seed", help="add start URLs to the shared frontier")
    seed_cmd.add_argument("urls", nargs="+")
    reset_cmd = commands.add_parser("reset", help="forget the shared frontier and every fingerprint")
    reset_cmd.add_argument("--dedupe", action="store_true",
                           help="also forget the dedupe state: the next pass emits every story as new")
    commands.add_parser("status", help="queued requests, fingerprints seen, busy workers")
    args = parser.parse_args(argv)
    if args.command == "seed":
        print(f"added {seed(args.redis_url, args.urls, args.prefix)} of {len(args.urls)} URLs")
    elif args.command == "reset":
        print(f"deleted {reset(args.redis_url, args.prefix, dedupe=args.dedupe)} keys")
    else:
        print(status(args.redis_url, args.prefix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
