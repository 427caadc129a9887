"""Deprecated: moved to ``newscrawler.network.resolver``.

Kept so that settings naming ``TWISTED_DNS_RESOLVER = "newscrawler.resolver.PublicAddressResolver"``
still load.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.network.resolver import PublicAddressResolver

__all__ = ["PublicAddressResolver"]

warnings.warn("newscrawler.resolver is deprecated: use newscrawler.network.resolver.PublicAddressResolver",
              ScrapyDeprecationWarning, stacklevel=2)
