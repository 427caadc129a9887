"""A scheduler whose pause and resume survive SIGKILL.

Scrapy's ``JOBDIR`` keeps the request queue and the seen-request set in files that are
only consistent after a clean shutdown: killed with SIGKILL, the disk queue's header is
stale (pushes then fail) and the seen set loses its unflushed tail, so requests that were
in flight are never fetched again. Here resume does not depend on those files: the
scheduler keeps its queue and seen set in memory, and a resumed crawl walks the site's
entry pages again while the spider skips every article the store already holds
(``newscrawler.spidermiddlewares.incremental``). ``JOBDIR`` still keeps the spider's state and the marker
that tells a resumed run from a finished one.
"""

from __future__ import annotations

from typing import Self

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import build_from_crawler, load_object


class ResumableScheduler(Scheduler):
    """Scrapy's scheduler with memory queues only, whatever ``JOBDIR`` says."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        dupefilter_cls = load_object(settings["DUPEFILTER_CLASS"])
        if issubclass(dupefilter_cls, RFPDupeFilter):
            dupefilter = dupefilter_cls(None, settings.getbool("DUPEFILTER_DEBUG"),
                                        fingerprinter=crawler.request_fingerprinter)
        else:
            dupefilter = build_from_crawler(dupefilter_cls, crawler)
        return cls(
            dupefilter=dupefilter,
            jobdir=None,
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
