"""The shared frontier: scrapy-redis's scheduler and duplicate filter, fixed for several workers.

Put in place by ``newscrawler.addons.redis.RedisAddon`` (see there for why each change):
fingerprints from the crawl's own fingerprinter, ``dont_filter`` seeds recorded and not
fetched once per worker, no deprecated stats calls, a frontier that persists when one
worker closes, and workers that stay open while another may still add to the frontier.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING, Self

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy.utils.reactor import CallLaterOnce
from scrapy_redis.scheduler import Scheduler

from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX, frontier_keys

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BUSY_TTL = 30
"""Seconds a worker counts as busy after it last took a request from the shared queue."""
IDLE_RECHECK = 0.5
"""Seconds between checks of the shared frontier while a worker has nothing to do."""

_HANDOFF = "newscrawler_frontier_handoff"
"""Meta key of a request taken from the shared queue by an idle worker and handed to its engine."""


class RedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared fingerprint set, fingerprinting with the crawl's own fingerprinter."""

    def __init__(self, server: Redis, key: str, debug: bool = False, crawler: Crawler | None = None) -> None:
        super().__init__(server, key, debug)
        self.crawler = crawler

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        settings = spider.crawler.settings
        key = settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": spider.name}
        return cls(get_redis_from_settings(settings), key, settings.getbool("DUPEFILTER_DEBUG"), spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        if self.crawler is None:
            return super().request_fingerprint(request)
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        if self.crawler is not None:
            self.crawler.stats.inc_value("dupefilter/filtered")

    def close(self, reason: str = "") -> None:
        """Keep the shared fingerprints: other workers still use them (``reset`` clears)."""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler made safe for several workers on Scrapy 2.19 (see module doc)."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        try:
            instance = cls.from_settings(crawler.settings)  # pings the server
        except RedisError as exc:
            raise RuntimeError(f"cannot use the shared frontier at REDIS_URL={crawler.settings.get('REDIS_URL')!r}: "
                               f"{exc} (start Redis there, or fix NEWSCRAWLER_REDIS_URL)") from exc
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.persist = True
        instance.busy_prefix = crawler.settings.get("NEWSCRAWLER_REDIS_BUSY_KEY") or frontier_keys(
            DEFAULT_KEY_PREFIX)["busy"]
        instance.worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        instance._busy_marked_at = 0.0
        instance._handed_off = deque()
        instance._recheck = CallLaterOnce(instance._recheck_frontier)
        crawler.signals.connect(instance._on_idle, signal=signals.spider_idle)
        return instance

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.busy_key = (self.busy_prefix % {"spider": spider.name}) + self.worker
        logger.info("Shared frontier in Redis: %s (%d requests queued); worker %s",
                    self.queue.key, len(self.queue), self.worker)

    def close(self, reason: str) -> None:
        self._recheck.cancel()
        self.server.delete(self.busy_key)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.pop(_HANDOFF, False):
            # Taken from the shared queue while idle (see _recheck_frontier): its duplicate
            # check was made when it was queued, and it is this worker's to fetch next.
            self._handed_off.append(request)
            return True
        if request.dont_filter:
            # Record it all the same, so a later link to it is a duplicate; a seed another
            # worker already scheduled is not fetched twice.
            seen = self.df.request_seen(request)
            if seen and request.meta.get("is_start_request") and not request.meta.get("retry_times") \
                    and not request.meta.get("redirect_urls"):
                self.df.log(request, self.spider)
                self.stats.inc_value("newscrawler/redis/seed_already_scheduled")
                return False
        elif self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def has_pending_requests(self) -> bool:
        return bool(self._handed_off) or super().has_pending_requests()

    def next_request(self) -> Request | None:
        request = self._handed_off.popleft() if self._handed_off else self.queue.pop(self.idle_before_close)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            now = time.monotonic()
            if now - self._busy_marked_at > BUSY_TTL / 6:
                self.server.set(self.busy_key, "1", ex=BUSY_TTL)
                self._busy_marked_at = now
        return request

    def other_workers_busy(self) -> bool:
        pattern = (self.busy_prefix % {"spider": self.spider.name}) + "*"
        return any(key for key in self.server.scan_iter(match=pattern, count=100)
                   if _text(key) != self.busy_key)

    def _on_idle(self, spider: Spider) -> None:
        """Stay open while the shared crawl may still grow; close when it is done everywhere."""
        self.server.delete(self.busy_key)
        self._busy_marked_at = 0.0
        if len(self.queue) == 0 and not self.other_workers_busy():
            logger.info("Shared frontier is empty and no other worker is busy: closing worker %s", self.worker)
            return
        self.stats.inc_value("newscrawler/redis/idle_waits")
        if _running_engine(self.crawler) is not None:
            self._recheck.schedule(IDLE_RECHECK)
        raise DontCloseSpider

    def _recheck_frontier(self) -> None:
        """While idle, look at the shared queue every IDLE_RECHECK seconds rather than at the
        engine's 5 s heartbeat: a request another worker queued is taken and handed to the engine
        through its public ``crawl()``, which wakes it. When nothing is queued and no other worker
        is busy any more, the next heartbeat finds this worker idle and closes it."""
        engine = _running_engine(self.crawler)
        if engine is None:
            return
        request = self.queue.pop(0)
        if request is not None:
            request.meta[_HANDOFF] = True
            engine.crawl(request)
        elif self.other_workers_busy():
            self._recheck.schedule(IDLE_RECHECK)


def _running_engine(crawler: Crawler) -> ExecutionEngine | None:
    """The crawl's engine while its spider is open; None before (unit tests) and after."""
    try:
        engine = crawler.engine
    except RuntimeError:  # not created yet
        return None
    return engine if engine is not None and engine.running and engine.spider is not None else None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
