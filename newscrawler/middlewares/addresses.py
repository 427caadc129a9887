"""Keep a crawl of public sites off private networks (SSRF guard).

A public news site, or anyone who can plant a redirect on it, could send the crawler to
``http://169.254.169.254/`` or ``http://localhost:6379/``. When the crawl started on
public addresses, every request whose host is, or resolves to, a loopback, private,
link-local or otherwise non-global address is dropped, counted under
``newscrawler/skipped/private_address`` and logged. A crawl that itself starts on such an
address (the demo, the tests, an intranet) is left alone: the operator asked for it.
``NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES = False`` switches the guard off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

Resolver = Callable[[str], Awaitable[list[str]]]


async def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to; empty when it does not resolve."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True for a globally routable IP address (IPv4-mapped IPv6 judged by its IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class AddressGuard:
    """Tells whether a URL may be fetched: any, when the crawl started on a non-public
    address; only public hosts otherwise. Hosts are judged once per crawl."""

    def __init__(self, start_urls: Iterable[str] = (), resolver: Resolver = resolve_host) -> None:
        self.start_urls = list(start_urls)
        self.resolver = resolver
        self._verdicts: dict[str, bool] = {}
        self._active: bool | None = None

    async def is_public_host(self, host: str) -> bool:
        """Whether every address of ``host`` is public."""
        host = host.lower().rstrip(".")
        verdict = self._verdicts.get(host)
        if verdict is None:
            literal = _literal_address(host)
            if literal is not None:
                verdict = is_public_address(literal)
            elif host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
                verdict = False
            else:
                addresses = await self.resolver(host)
                # Unresolvable hosts are left to the downloader, which reports a DNS error.
                verdict = all(is_public_address(a) for a in addresses)
            self._verdicts[host] = verdict
        return verdict

    async def active(self) -> bool:
        """False when a start URL is itself on a non-public address (the operator's choice)."""
        if self._active is None:
            self._active = True
            for url in self.start_urls:
                host = urlsplit(url).hostname or ""
                if host and not await self.is_public_host(host):
                    self._active = False
                    logger.info("Crawl starts on a private or loopback address: private-address guard off")
                    break
        return self._active

    async def blocks(self, url: str) -> str | None:
        """The host that makes ``url`` off limits, or None when it may be fetched."""
        if not await self.active():
            return None
        host = urlsplit(url).hostname or ""
        return host if host and not await self.is_public_host(host) else None


class PrivateAddressMiddleware:
    """Drops requests to non-public addresses, unless the crawl itself started on one."""

    def __init__(self, stats: StatsCollector, resolver: Resolver = resolve_host) -> None:
        self.stats = stats
        self.guard = AddressGuard(resolver=resolver)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES", True):
            raise NotConfigured("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES is off")
        middleware = cls(crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.guard.start_urls = list(getattr(spider, "start_urls", None) or [])

    async def process_request(self, request: Request) -> None:
        host = await self.guard.blocks(request.url)
        if host is not None:
            self.stats.inc_value("newscrawler/skipped/private_address")
            via = request.meta.get("redirect_urls")
            logger.warning("Dropped %s: %s is not a public address%s", request.url, host,
                           f" (redirected from {via[0]})" if via else "")
            raise IgnoreRequest(f"{host} is not a public address")
