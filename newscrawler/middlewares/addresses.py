"""Keep a crawl of public sites off private networks (SSRF guard).

A public news site, or anyone who can plant a redirect or a DNS answer for it, could send
the crawler to ``http://169.254.169.254/`` or ``http://localhost:6379/``. When the crawl
started on public addresses, nothing loopback, private, link-local or otherwise non-global
is connected to, IPv4 addresses inside IPv6 ones included (:mod:`newscrawler.network.public_addresses`).

Two places check:

- :class:`PrivateAddressMiddleware`, before a request is sent, drops hosts that name a
  private address by themselves (``127.1``, ``[::ffff:127.0.0.1]``, ``localhost``) and decides
  once whether the crawl is guarded at all: a crawl that itself starts on such an address
  (the demo, the tests, an intranet) is left alone, the operator asked for it.
- :class:`~newscrawler.network.resolver.PublicAddressResolver`, the reactor's resolver, drops every
  non-public DNS answer where the connection is made, for every lookup (no verdict kept per
  host, so DNS rebinding gets nothing). :class:`RefusedLookupMiddleware` turns the failed
  lookup into a counted skip before it is retried.

Either way the request is counted under ``newscrawler/skipped/private_address`` and logged.
Should ``TWISTED_DNS_RESOLVER`` name another resolver, the middleware looks hosts up itself
(a host that does not resolve is refused) and says, at start, that rebinding is not covered.
``NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES = False`` switches all of it off.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from newscrawler.network.public_addresses import is_local_name, is_public_address, is_public_ip, literal_address
from newscrawler.network.resolver import PublicAddressResolver, installed_resolver

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

__all__ = ["AddressGuard", "PrivateAddressMiddleware", "RefusedLookupMiddleware", "is_public_address"]

logger = logging.getLogger(__name__)

Resolver = Callable[[str], Awaitable[list[str]]]


async def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to; empty when it does not resolve."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def _private_by_name(host: str) -> bool | None:
    """True/False when the host alone says whether it is private; None when only DNS can tell."""
    literal = literal_address(host)
    if literal is not None:
        return not is_public_ip(literal)
    return True if is_local_name(host) else None


class AddressGuard:
    """Tells whether a URL may be fetched: any, when the crawl started on a non-public
    address; otherwise only hosts whose every address is public (a host that does not
    resolve is refused). With ``resolves=False`` host names are left to the connect-time
    resolver and only what a host says by itself is judged."""

    def __init__(self, start_urls: Iterable[str] = (), resolver: Resolver = resolve_host, resolves: bool = True) -> None:
        self.start_urls = list(start_urls)
        self.resolver = resolver
        self.resolves = resolves
        self._active: bool | None = None
        self._deciding: asyncio.Future[bool] | None = None

    async def is_public_host(self, host: str) -> bool:
        """Whether every address of ``host`` is public; False when it does not resolve."""
        host = host.lower().rstrip(".")
        private = _private_by_name(host)
        if private is not None:
            return not private
        addresses = await self.resolver(host)
        return bool(addresses) and all(is_public_address(a) for a in addresses)

    async def active(self) -> bool:
        """False when a start URL is itself on a non-public address (the operator's choice)."""
        if self._active is None:
            if self._deciding is None:
                self._deciding = asyncio.ensure_future(self._decide())
            self._active = await asyncio.shield(self._deciding)
        return self._active

    async def _decide(self) -> bool:
        for url in self.start_urls:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
            if not host:
                continue
            private = _private_by_name(host)
            if private is None:
                # A start host that does not resolve keeps the guard on: failing closed.
                addresses = await self.resolver(host)
                private = any(not is_public_address(a) for a in addresses)
            if private:
                logger.info("Crawl starts on a private or loopback address (%s): private-address guard off", host)
                return False
        return True

    async def blocks(self, url: str) -> str | None:
        """The host that makes ``url`` off limits, or None when it may be fetched."""
        if not await self.active():
            return None
        host = urlsplit(url).hostname or ""
        if not host:
            return None
        if not self.resolves:
            return host if _private_by_name(host.lower().rstrip(".")) else None
        return host if not await self.is_public_host(host) else None


class PrivateAddressMiddleware:
    """Drops requests to non-public addresses, unless the crawl itself started on one."""

    def __init__(self, stats: StatsCollector, resolver: Resolver = resolve_host,
                 connect_guard: PublicAddressResolver | None = None, find_connect_guard: bool = False) -> None:
        self.stats = stats
        self.connect_guard: PublicAddressResolver | None = None
        self.guard = AddressGuard(resolver=resolver)
        self._find_connect_guard = find_connect_guard
        if connect_guard is not None:
            self._attach(connect_guard)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES", True):
            raise NotConfigured("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES is off")
        # The connect-time guard is looked up at the first request: a script's CrawlerProcess
        # builds the middlewares before it installs the reactor's resolver, `scrapy crawl` after.
        middleware = cls(crawler.stats, find_connect_guard=True)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def _attach(self, connect_guard: PublicAddressResolver) -> None:
        """Leave host names to the connect-time resolver, which sees every answer."""
        self.connect_guard = connect_guard
        self.guard.resolver = _unguarded_lookup(connect_guard)
        self.guard.resolves = False

    def _find_guard(self) -> None:
        self._find_connect_guard = False
        connect_guard = installed_resolver()
        if connect_guard is None:
            logger.warning("TWISTED_DNS_RESOLVER is not %s.%s: addresses are checked before each request only, "
                           "which DNS rebinding can get past", PublicAddressResolver.__module__,
                           PublicAddressResolver.__name__)
        else:
            self._attach(connect_guard)

    def spider_opened(self, spider: Spider) -> None:
        self.guard.start_urls = list(getattr(spider, "start_urls", None) or [])

    async def process_request(self, request: Request) -> None:
        if self._find_connect_guard:
            self._find_guard()
        active = await self.guard.active()
        if self.connect_guard is not None:
            self.connect_guard.guarding = active
        host = await self.guard.blocks(request.url)
        if host is not None:
            self.stats.inc_value("newscrawler/skipped/private_address")
            via = request.meta.get("redirect_urls")
            logger.warning("Dropped %s: %s is not a public address%s", request.url, host,
                           f" (redirected from {via[0]})" if via else "")
            raise IgnoreRequest(f"{host} is not a public address")


class RefusedLookupMiddleware:
    """Counts a lookup the connect-time resolver refused as a skip, before it could be retried.

    Sits just above RetryMiddleware: retrying would only be refused again.
    """

    def __init__(self, stats: StatsCollector, connect_guard: PublicAddressResolver | None = None) -> None:
        self.stats = stats
        self.connect_guard = connect_guard

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES", True):
            raise NotConfigured("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES is off")
        return cls(crawler.stats)  # the guard is found when a lookup fails (see PrivateAddressMiddleware)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            return
        self.connect_guard = self.connect_guard or installed_resolver()
        if self.connect_guard is None:
            return
        host = urlsplit(request.url).hostname or ""
        refused = self.connect_guard.refused_answers(host)
        if refused is None:
            return
        self.stats.inc_value("newscrawler/skipped/private_address")
        via = request.meta.get("redirect_urls")
        logger.warning("Dropped %s: %s resolves to %s, not a public address%s", request.url, host,
                       ", ".join(refused), f" (redirected from {via[0]})" if via else "")
        raise IgnoreRequest(f"{host} resolves to {', '.join(refused)}, not a public address")


def _unguarded_lookup(connect_guard: PublicAddressResolver) -> Resolver:
    async def lookup(host: str) -> list[str]:
        return await maybe_deferred_to_future(connect_guard.lookup_unguarded(host))

    return lookup
