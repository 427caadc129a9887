"""Deprecated: moved to ``newscrawler.scheduler.redis``.

Kept so that settings naming ``newscrawler.redis_frontier.RedisScheduler`` or ``RedisDupeFilter``
still load.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.scheduler.redis import RedisDupeFilter, RedisScheduler

__all__ = ["RedisDupeFilter", "RedisScheduler"]

warnings.warn("newscrawler.redis_frontier is deprecated: use newscrawler.scheduler.redis", ScrapyDeprecationWarning,
              stacklevel=2)
