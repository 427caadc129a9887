"""Fills ``Article.dateline`` from the story's opening words.

The body's opening is tried first (after the headline when the extracted body repeats
it, and after a short first paragraph such as a byline), then the lede, the description
and the section page's teaser (``excerpt``): a page that trims "New Delhi, Sept 29 (PTI)"
from its own text still showed it on the section page. ``Dateline.end`` counts in the
field it came from. The publication date (else the crawl date) is the reference that gives
a "Sept 29" its year. A dateline already set (by a site profile, or an earlier run) stays.
Stats: ``newscrawler/dateline/found`` (and ``found/<field>``), ``none``, ``kept``,
``bad_reference``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newscrawler.extract.dateline import parse_dateline
from newscrawler.extract.places import load_places_elsewhere
from newscrawler.items import Dateline

logger = logging.getLogger(__name__)

# Where a dateline is looked for, in this order.
TEXT_FIELDS = ("body", "lede", "description", "excerpt")
_SHORT_PARAGRAPH_WORDS = 12
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SPACES = re.compile(r"\s+")


class DatelinePipeline:
    """Parses the dateline of each article that has none, counting what it found."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self._places: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWLER_DATELINES_ENABLED", True):
            raise NotConfigured("NEWSCRAWLER_DATELINES_ENABLED is off")
        return cls(crawler.stats)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if not isinstance(item, dict) and "dateline" not in adapter.field_names():
            return item  # an item class without the field: nothing to fill
        if adapter.get("dateline"):
            self.stats.inc_value("newscrawler/dateline/kept")
            return item
        reference = self._reference(adapter)
        if self._places is None:
            # The gazetteer (seconds, ~130 MB) loads with the first article, not at start-up, and
            # on a thread: the reactor goes on meanwhile. Later articles find it loaded.
            self._places = asyncio.ensure_future(asyncio.to_thread(load_places_elsewhere))
        await asyncio.shield(self._places)
        found = find_dateline(list(_openings(adapter)), reference)
        if found is None:
            self.stats.inc_value("newscrawler/dateline/none")
            return item
        name, dateline = found
        adapter["dateline"] = dateline
        self.stats.inc_value("newscrawler/dateline/found")
        self.stats.inc_value(f"newscrawler/dateline/found/{name}")
        return item

    def _reference(self, adapter: ItemAdapter) -> date | None:
        """The publication date, else the crawl date; None (today) when neither reads."""
        for name in ("published_at", "crawled_at"):
            value = adapter.get(name)
            if not value:
                continue
            try:
                return date.fromisoformat(str(value).strip()[:10])
            except ValueError:
                self.stats.inc_value("newscrawler/dateline/bad_reference")
                logger.warning("Dateline: %s %r of %s is not an ISO date; trying the next",
                               name, value, adapter.get("url"))
        return None


def find_dateline(openings: list[tuple[str, str, int]], reference: date | None) -> tuple[str, Dateline] | None:
    """The first dateline among ``(field, text, offset)`` openings, with the field it came from."""
    for name, text, offset in openings:
        dateline = parse_dateline(text, reference)
        if dateline is not None:
            if offset:
                dateline.end += offset
            return name, dateline
    return None


def _openings(adapter: ItemAdapter) -> Iterator[tuple[str, str, int]]:
    """(field, text, offset of text in the field) for each place a dateline may open."""
    for name in TEXT_FIELDS:
        text = adapter.get(name)
        if not isinstance(text, str) or not text.strip():
            continue
        if name != "body":
            yield name, text, 0
            continue
        offset = _after_headline(text, adapter.get("title"))
        yield name, text[offset:], offset
        # A short first paragraph is a byline, a kicker or "Listen to this story", and a first
        # paragraph that is the page's description is its standfirst; the story, and its
        # dateline, may open the next one.
        next_break = _PARAGRAPH_BREAK.search(text, offset)
        first = text[offset : next_break.start()] if next_break else ""
        if next_break and (len(first.split()) <= _SHORT_PARAGRAPH_WORDS
                           or _same_text(first, adapter.get("description"))):
            yield name, text[next_break.end() :], next_break.end()


def _same_text(a: str, b: object) -> bool:
    return isinstance(b, str) and _SPACES.sub(" ", a).strip().casefold() == _SPACES.sub(" ", b).strip().casefold()


def _after_headline(body: str, title: object) -> int:
    """Where the body's text starts once a first paragraph that repeats the headline is skipped."""
    first_break = _PARAGRAPH_BREAK.search(body)
    if not first_break or not isinstance(title, str):
        return 0
    if _SPACES.sub(" ", body[: first_break.start()]).strip().casefold() == _SPACES.sub(" ", title).strip().casefold():
        return first_break.end()
    return 0
