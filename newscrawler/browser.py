"""Deprecated: moved to ``newscrawler.addons.javascript`` and ``newscrawler.rendering``.

Kept so that settings naming ``newscrawler.browser.JavaScriptAddon`` still load.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

from newscrawler.addons.javascript import JavaScriptAddon
from newscrawler.rendering.chromium import BrowserNotFoundError, find_chromium

__all__ = ["BrowserNotFoundError", "JavaScriptAddon", "find_chromium"]

warnings.warn("newscrawler.browser is deprecated: use newscrawler.addons.javascript.JavaScriptAddon",
              ScrapyDeprecationWarning, stacklevel=2)
