"""robots.txt as RFC 9309 says, in place of Scrapy's RobotsTxtMiddleware.

Scrapy's middleware treats every failure as allow-all: a robots.txt answering 503 opened the
whole site, and one redirected to another host was dropped as offsite, then allow-all too.
Here, per host (scheme and authority):

- 2xx: its rules are obeyed (``ROBOTSTXT_PARSER``, Protego by default);
- 3xx: followed, at most five redirects, across hosts (RFC 9309 2.3.1.2); more: unavailable;
- 4xx other than 429 (and any other answer): "unavailable", everything allowed (2.3.1.3);
- 5xx, 429, no answer (timeout, connection refused, DNS): "unreachable", complete
  disallow (2.3.1.4). The host's requests wait while robots.txt is fetched again later in the
  crawl (``NEWSCRAWLER_ROBOTS_RETRIES`` times, ``NEWSCRAWLER_ROBOTS_RETRY_DELAY`` seconds
  first, doubling); if it stays unreachable they are dropped, and the host is counted under
  ``newscrawler/robots/unreadable`` (each dropped request under
  ``newscrawler/skipped/robots_unreachable``). A crawl whose start pages are all dropped so ends with
  the close reason ``robots_unreadable`` (exit status 2).
- a fetch one of our guards drops (its host, or a redirect, on a private address): "refused",
  complete disallow at once, counted the same way.

Each decision is counted under ``newscrawler/robots/<outcome>``; requests the rules forbid
under Scrapy's own ``robotstxt/forbidden``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawler.middlewares.failures import DownloadGaveUp

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
"""RFC 9309 2.3.1.2: crawlers should follow at least five consecutive redirects."""
UNREADABLE_STAT = "newscrawler/robots/unreadable"
"""Hosts whose robots.txt stayed unreachable: their pages were not crawled."""


@dataclass(frozen=True)
class RobotsVerdict:
    """What a host's robots.txt allows: its rules, everything, or nothing."""

    outcome: str
    """``rules``, ``unavailable`` (4xx: all allowed), ``too_many_redirects`` (all allowed),
    ``unreachable`` (nothing allowed, tried again) or ``refused`` (one of our guards dropped
    the fetch, a private address say: nothing allowed, not tried again)."""
    parser: RobotParser | None = None
    detail: str = ""

    @property
    def allows_nothing(self) -> bool:
        return self.outcome in ("unreachable", "refused")


class RobotsPolicyMiddleware:
    """Obeys robots.txt per RFC 9309: allow on 4xx, disallow (and retry) while unreachable."""

    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.parser_class = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.user_agent: str = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.retries = max(0, settings.getint("NEWSCRAWLER_ROBOTS_RETRIES"))
        self.retry_delay = max(0.0, settings.getfloat("NEWSCRAWLER_ROBOTS_RETRY_DELAY"))
        self._verdicts: dict[str, RobotsVerdict] = {}
        self._reading: dict[str, asyncio.Future[RobotsVerdict]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt") or not request.url.startswith(("http://", "https://")):
            return
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        verdict = self._verdicts.get(origin) or await self._verdict(origin, request)
        if verdict.allows_nothing:
            self.stats.inc_value("newscrawler/skipped/robots_unreachable")
            logger.debug("Dropped %s: robots.txt of %s could not be read", request.url, origin)
            raise IgnoreRequest(f"robots.txt of {origin} could not be read ({verdict.detail}): nothing allowed")
        if verdict.parser is not None:
            agent = self.user_agent or request.headers.get(b"User-Agent", b"").decode("latin-1")
            if not verdict.parser.allowed(request.url, agent):
                self.stats.inc_value("robotstxt/forbidden")
                logger.debug("Forbidden by robots.txt: %s", request.url)
                raise IgnoreRequest("Forbidden by robots.txt")

    async def _verdict(self, origin: str, request: Request) -> RobotsVerdict:
        """One reading per host, however many requests wait for it."""
        reading = self._reading.get(origin)
        if reading is None:
            reading = self._reading[origin] = asyncio.ensure_future(self._read(origin, request))
        return await asyncio.shield(reading)

    async def _read(self, origin: str, request: Request) -> RobotsVerdict:
        delay = self.retry_delay
        for attempt in range(self.retries + 1):
            verdict = await self._fetch(origin)
            self.stats.inc_value(f"newscrawler/robots/{verdict.outcome}")
            if not verdict.allows_nothing:
                break
            if verdict.outcome == "refused":
                self.stats.inc_value(UNREADABLE_STAT)
                logger.error("robots.txt of %s was refused (%s): none of its pages are crawled", origin, verdict.detail)
                break
            if attempt < self.retries:
                logger.warning("robots.txt of %s unreachable (%s): its pages wait, trying again in %g s",
                               origin, verdict.detail, delay)
                await asyncio.sleep(delay)
                delay *= 2
        else:
            self.stats.inc_value(UNREADABLE_STAT)
            logger.error("robots.txt of %s could not be read after %d attempts (%s): none of its pages are "
                         "crawled (RFC 9309: unreachable means complete disallow)", origin, self.retries + 1,
                         verdict.detail)
        self._verdicts[origin] = verdict
        if not verdict.allows_nothing:
            parser = verdict.parser or build_from_crawler(self.parser_class, self.crawler, b"")
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                            request=request)
        return verdict

    async def _fetch(self, origin: str) -> RobotsVerdict:
        """Fetch ``origin``'s robots.txt once, following up to five redirects, across hosts."""
        url = f"{origin}/robots.txt"
        for hop in range(MAX_REDIRECTS + 1):
            if hop:
                self.stats.inc_value("newscrawler/robots/redirects_followed")
            robots = Request(url, priority=self.DOWNLOAD_PRIORITY, callback=NO_CALLBACK, meta={
                # Our own redirects and retries; other hosts allowed; a miss is not a lost page.
                "dont_obey_robotstxt": True, "dont_redirect": True, "dont_retry": True,
                "allow_offsite": True, "probe": True,
            })
            try:
                response = await self.crawler.engine.download_async(robots)
            except DownloadGaveUp as exc:
                return RobotsVerdict("unreachable", detail=_failure(exc))
            except IgnoreRequest as exc:
                return RobotsVerdict("refused", detail=str(exc))
            except Exception as exc:  # any other way a download fails means the same: unreachable
                return RobotsVerdict("unreachable", detail=_failure(exc))
            location = response.headers.get("Location")
            if 300 <= response.status < 400 and location:
                url = urljoin(response.url, location.decode("latin-1"))
                continue
            return self._judge(response)
        return RobotsVerdict("too_many_redirects", detail=f"more than {MAX_REDIRECTS} redirects")

    def _judge(self, response: Response) -> RobotsVerdict:
        status = response.status
        if 200 <= status < 300:
            return RobotsVerdict("rules", build_from_crawler(self.parser_class, self.crawler, response.body))
        if status >= 500 or status == 429:  # the server's trouble, or "come back later"
            return RobotsVerdict("unreachable", detail=f"HTTP {status}")
        return RobotsVerdict("unavailable", detail=f"HTTP {status}")


def _failure(exc: BaseException) -> str:
    cause: Any = exc.__cause__ or exc
    return f"{type(cause).__name__}: {cause}".rstrip(": ")
