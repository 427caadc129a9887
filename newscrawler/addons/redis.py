"""Scale-out: any number of ``scrapy crawl news`` workers sharing one frontier in Redis.

``-s NEWSCRAWLER_REDIS_URL=redis://host:6379/0`` switches the :class:`RedisAddon` on (it is
listed in ``ADDONS``; without the setting it disables itself, so a plain crawl never
imports Redis). The add-on puts scrapy-redis's scheduler and duplicate filter in place,
through two small subclasses in ``newscrawler.scheduler.redis``, which fix what scrapy-redis 0.9 gets wrong with
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
  ``scrapy frontier reset`` clears it;
* a worker whose local engine runs dry closes at once, though another worker is still
  fetching pages that will add to the frontier. Here a worker stays open while the shared
  queue holds requests or another worker is busy (a ``...:busy:<worker>`` key with a TTL),
  checking twice a second.

The Redis client is synchronous (scrapy-redis is): each call is a round trip to the Redis
server on the reactor thread, fine on a LAN, not over a slow link.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured

from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX, frontier_keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


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
        settings.set("SCHEDULER", "newscrawler.scheduler.redis.RedisScheduler", priority="project")
        settings.set("DUPEFILTER_CLASS", "newscrawler.scheduler.redis.RedisDupeFilter", priority="project")
        settings.set("SCHEDULER_PERSIST", True, priority="project")
        settings.set("SCHEDULER_QUEUE_KEY", keys["requests"], priority="project")
        settings.set("SCHEDULER_DUPEFILTER_KEY", keys["dupefilter"], priority="project")
        settings.set("NEWSCRAWLER_REDIS_BUSY_KEY", keys["busy"], priority="project")
