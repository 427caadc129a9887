"""The Redis keys of a crawl shared by workers: one place that names them, for the scheduler,
the add-on, ``scrapy frontier`` and the Redis dedupe backend."""

from __future__ import annotations

DEFAULT_KEY_PREFIX = "newscrawler:%(spider)s"


def frontier_keys(prefix: str, spider_name: str = "news") -> dict[str, str]:
    """The Redis keys of one shared crawl: request queue, fingerprints, busy markers, and the
    prefix of its dedupe state (``newscrawler.dedupe.redis``)."""
    base = prefix % {"spider": spider_name}
    return {"requests": f"{base}:requests", "dupefilter": f"{base}:dupefilter", "busy": f"{base}:busy:",
            "dedupe": f"{base}:dedupe"}
