"""First pipeline: tidy every article and drop the ones that are not worth keeping.

A page the router took for an article but that yields no title or no body is dropped
here, counted under ``newscrawler/dropped/<reason>`` and logged, so nothing disappears
without a trace.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, Self
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
_SPACES = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"\w+")


class NormalizePipeline:
    """Trims text fields, fills derived fields and drops articles without title or body."""

    def __init__(self, stats: StatsCollector, min_words: int) -> None:
        self.stats = stats
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats, crawler.settings.getint("NEWSCRAWLER_MIN_BODY_WORDS", 20))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in ("title", "description", "section", "lede", "excerpt"):
            value = adapter.get(name)
            if isinstance(value, str):
                value = _SPACES.sub(" ", value).strip()
                adapter[name] = value or None
        body = adapter.get("body")
        if isinstance(body, str):
            paragraphs = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", body)]
            body = "\n\n".join(p for p in paragraphs if p) or None
            adapter["body"] = body
        url = adapter.get("url") or ""
        if not adapter.get("title"):
            self._drop("no_title", url)
        if not body or len(_WORD.findall(body)) < self.min_words:
            self._drop("no_body", url)
        adapter["word_count"] = len(_WORD.findall(body))
        if not adapter.get("site"):
            adapter["site"] = (urlsplit(url).hostname or "").removeprefix("www.") or None
        if not adapter.get("canonical_url"):
            adapter["canonical_url"] = url
        if not adapter.get("crawled_at"):
            adapter["crawled_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for name in ("authors", "tags"):
            values = adapter.get(name) or []
            adapter[name] = list(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))
        self.stats.inc_value("newscrawler/articles/extracted")
        return item

    def _drop(self, reason: str, url: str) -> None:
        self.stats.inc_value(f"newscrawler/dropped/{reason}")
        logger.info("Dropped %s: %s", url, reason.replace("_", " "))
        raise DropItem(f"{reason}: {url}", log_level="DEBUG")
