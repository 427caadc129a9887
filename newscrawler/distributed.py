"""Deprecated: the add-on moved to ``newscrawler.addons.redis``, the command line to
``scrapy frontier seed|status|reset``.

Kept so that settings naming ``newscrawler.distributed.RedisAddon`` still load, and so that
``python -m newscrawler.distributed ...`` still runs (as ``scrapy frontier ...``).
"""

import sys
import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.addons.redis import RedisAddon
from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX, frontier_keys
from newscrawler.scheduler.operations import reset, seed, status

__all__ = ["DEFAULT_KEY_PREFIX", "RedisAddon", "frontier_keys", "reset", "seed", "status"]

warnings.warn("newscrawler.distributed is deprecated: use newscrawler.addons.redis.RedisAddon and "
              "scrapy frontier seed|status|reset", ScrapyDeprecationWarning, stacklevel=2)

if __name__ == "__main__":
    from scrapy.cmdline import execute
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    execute(["scrapy", "frontier", *sys.argv[1:]], settings)
