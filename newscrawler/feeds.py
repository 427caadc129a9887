"""Deprecated: moved to ``newscrawler.extensions.feed_storage``.

Kept so that ``FEED_STORAGES`` naming ``newscrawler.feeds.UnbufferedFileFeedStorage`` still loads.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.extensions.feed_storage import UnbufferedFileFeedStorage

__all__ = ["UnbufferedFileFeedStorage"]

warnings.warn("newscrawler.feeds is deprecated: use newscrawler.extensions.feed_storage.UnbufferedFileFeedStorage",
              ScrapyDeprecationWarning, stacklevel=2)
