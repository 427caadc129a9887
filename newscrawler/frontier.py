"""Deprecated: moved to ``newscrawler.scheduler.resumable``.

Kept so that settings naming ``SCHEDULER = "newscrawler.frontier.ResumableScheduler"`` (scheduled
crawls do) still load.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.scheduler.resumable import ResumableScheduler

__all__ = ["ResumableScheduler"]

warnings.warn("newscrawler.frontier is deprecated: use newscrawler.scheduler.resumable.ResumableScheduler",
              ScrapyDeprecationWarning, stacklevel=2)
