"""A crawl with a JOBDIR leaves a marker there while it runs, so the next run knows it resumes.

Scrapy keeps the frontier in ``JOBDIR`` but does not say whether the last run there ended
cleanly. The marker is written when the spider opens and removed when the crawl finishes
(close reason ``finished``); a run killed or stopped early leaves it behind. The spider asks
:func:`was_interrupted` when it is built, before the other components, and writes the answer
into ``NEWSCRAWLER_RESUMING`` for them (the re-crawl filter lets a resumed frontier through).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

MARKER_NAME = "newscrawler.running"


def was_interrupted(jobdir: str | Path) -> bool:
    """Whether the last crawl with this ``JOBDIR`` started and did not finish."""
    return (Path(jobdir) / MARKER_NAME).exists()


class ResumeMarker:
    """Extension: the marker of an unfinished run in ``JOBDIR``, written at start, removed when finished."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured("no JOBDIR: nothing to resume")
        extension = cls(Path(jobdir) / MARKER_NAME)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(datetime.now(timezone.utc).isoformat(), encoding="utf-8")

    def spider_closed(self, reason: str) -> None:
        if reason == "finished":
            self.marker.unlink(missing_ok=True)
