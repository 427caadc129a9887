"""Stop redirect loops, and count each one once, however the crawl walks into it.

Scrapy would follow ``/a -> /b -> /a -> ...`` until REDIRECT_MAX_TIMES and then drop it
without a stats counter. Worse, when pages link both ends of a loop, each end is fetched as
a link and once more as the other's redirect target, and the chains then end at the
duplicate filter (a redirected request is fingerprinted by its exact URL, and both chains
ask for the same ones), silently.

So a loop is recognised when a redirect response is seen, before RedirectMiddleware turns
it into a request (this middleware sits above it, at 610): its target is a URL already in
this redirect chain, or following the redirects this crawl has already seen from the
target leads back into the chain. Either way the redirect is not followed, the loop is
counted once under ``newscrawler/failed/redirect_loop`` (a loop met again from its other
end is only logged at DEBUG) and logged with its URLs. The redirects seen are remembered by
exact URL (w3lib-canonical, no tracking parameters stripped: ``?utm_source=x`` redirecting
to the clean URL is not a loop), at most ``MAX_REMEMBERED`` of them, oldest forgotten first.
Workers sharing a crawl through Redis each remember their own.

A redirected request already on its way when its loop is recognised (or one from a meta
refresh, which is not a 3xx) is dropped before it is sent when its URL is already in its
chain or is known to redirect back into it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from w3lib.url import canonicalize_url, safe_url_string

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REMEMBERED = 200_000
"""Redirects remembered per crawl (about 150 bytes each)."""


def _key(url: str) -> bytes:
    try:
        url = canonicalize_url(url, keep_fragments=False)
    except ValueError:
        pass
    return hashlib.blake2b(url.encode("utf-8", "surrogateescape"), digest_size=16).digest()


class RedirectLoopMiddleware:
    """Drops redirects that close a loop, counting each loop once (see module doc)."""

    def __init__(self, stats: StatsCollector, max_remembered: int = MAX_REMEMBERED) -> None:
        self.stats = stats
        self.max_remembered = max_remembered
        self.redirects: dict[bytes, bytes] = {}  # source -> target, in the order seen
        self.counted: set[frozenset[bytes]] = set()
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.stats)
        middleware.crawler = crawler
        return middleware

    def process_request(self, request: Request) -> None:
        """Drop a redirected request that returns into its chain, or whose URL is known to
        redirect back into it (the loop was met from its other end meanwhile)."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        chain = [*chain, request.url]
        chain_keys = [_key(url) for url in chain]
        repeated = chain_keys[-1] in chain_keys[:-1]
        found = (chain_keys.index(chain_keys[-1]), []) if repeated \
            else self._walk(chain_keys, self.redirects.get(chain_keys[-1]))
        if found is not None:
            start, walked = found
            cycle = chain[start:]
            path = cycle if repeated else [*cycle, *(["..."] if walked else []), cycle[0]]
            self._drop(path, frozenset([*chain_keys[start:], *walked]))

    def process_response(self, request: Request, response: Response) -> Response:
        target = self._redirect_target(request, response)
        if target is None:
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        chain_keys = [_key(url) for url in chain]
        self._remember(chain_keys[-1], _key(target))
        found = self._walk(chain_keys, _key(target))
        if found is None:
            return response
        start, walked = found
        cycle = chain[start:]
        # Redirects seen earlier are known by key only: "..." stands for those between.
        path = [*cycle, target] + (["...", cycle[0]] if len(walked) > 1 else [cycle[0]] if walked else [])
        self._drop(path, frozenset([*chain_keys[start:], *walked]))
        return response  # not reached: _drop raises

    def _walk(self, chain_keys: list[bytes], node: bytes | None) -> tuple[int, list[bytes]] | None:
        """Follow the redirects seen from ``node``: (index in the chain they come back to,
        the URLs passed on the way), or None when they end or go round outside the chain."""
        walked: list[bytes] = []
        while node is not None:
            if node in chain_keys:
                return chain_keys.index(node), walked
            if node in walked:
                return None
            walked.append(node)
            node = self.redirects.get(node)
        return None

    def _redirect_target(self, request: Request, response: Response) -> str | None:
        """The URL RedirectMiddleware would follow this response to, or None."""
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return None
        spider = getattr(self.crawler, "spider", None)
        if (request.meta.get("dont_redirect") or request.meta.get("handle_httpstatus_all")
                or response.status in request.meta.get("handle_httpstatus_list", ())
                or response.status in getattr(spider, "handle_httpstatus_list", ())):
            return None
        url = safe_url_string(location)
        if location.startswith(b"//"):
            url = urlsplit(request.url).scheme + "://" + url.lstrip("/")
        target = urljoin(request.url, url)
        return target if urlsplit(target).scheme in {"http", "https"} else None

    def _remember(self, source: bytes, target: bytes) -> None:
        self.redirects.pop(source, None)
        self.redirects[source] = target
        while len(self.redirects) > self.max_remembered:
            del self.redirects[next(iter(self.redirects))]

    def _drop(self, path: list[str], cycle: frozenset[bytes]) -> None:
        shown = " -> ".join(path)
        if cycle in self.counted:
            logger.debug("Dropped redirect loop met again: %s", shown)
        else:
            self.counted.add(cycle)
            self.stats.inc_value("newscrawler/failed/redirect_loop")
            self.stats.inc_value("newscrawler/failed")
            logger.warning("Dropped redirect loop: %s", shown)
        raise IgnoreRequest(f"redirect loop: {shown}")
