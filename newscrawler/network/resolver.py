"""Refuse non-public DNS answers where the connection is made, for every lookup of the crawl.

Checking a host in a middleware and connecting later leaves a gap: the downloader looks the
name up again, and a name can answer a public address to the check and 127.0.0.1 to the
connection (DNS rebinding). This resolver is what the reactor resolves with
(``TWISTED_DNS_RESOLVER``); it sits in front of the resolver Scrapy would otherwise use
(``NEWSCRAWLER_DNS_RESOLVER``, Scrapy's caching one by default) and sees every answer of
every lookup. While it guards, an answer that is not a public address (embedded IPv4
forms included, see :mod:`newscrawler.network.public_addresses`) is dropped; a name left with no
answer fails to resolve, so nothing private is ever connected to. The refusal is kept, so
that :class:`~newscrawler.middlewares.addresses.RefusedLookupMiddleware` counts it under
``newscrawler/skipped/private_address`` rather than as a DNS failure.

Proxies the environment names (``http_proxy``, ``https_proxy``) are exempt: the operator
chose them, and the proxy, not this process, resolves the sites behind it. It guards from
the start (fail closed); the address middleware turns it off for a crawl that
itself starts on private addresses, as it does for its own check.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.utils.datatypes import LocalCache
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from newscrawler.network.public_addresses import is_public_address

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_REFUSALS_KEPT = 10_000


@implementer(IResolutionReceiver)
class _PublicAnswers:
    """Passes on the public answers of one lookup; remembers the others."""

    def __init__(self, receiver: IResolutionReceiver, host: str, resolver: PublicAddressResolver) -> None:
        self.receiver, self.host, self.resolver = receiver, host, resolver
        self.passed = 0
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 - Twisted's interface
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        host = str(getattr(address, "host", ""))
        if not self.resolver.guarding or is_public_address(host):
            self.passed += 1
            self.receiver.addressResolved(address)
        else:
            self.refused.append(host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.resolver.record(self.host, self.refused if self.refused and not self.passed else None)
        self.receiver.resolutionComplete()


@implementer(IResolutionReceiver)
class _AllAnswers:
    """Collects every answer of a lookup, for the one check that needs them unfiltered."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802
        pass

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        self.addresses.append(str(getattr(address, "host", "")))

    def resolutionComplete(self) -> None:  # noqa: N802
        self.done.callback(self.addresses)


@implementer(IHostnameResolver)
class PublicAddressResolver:
    """The reactor's name resolver: the upstream one's answers, minus the non-public ones."""

    def __init__(self, reactor: Any, upstream: Any, guarding: bool = True,
                 exempt_hosts: frozenset[str] = frozenset()) -> None:
        self.reactor = reactor
        self.upstream_component = upstream
        """Built from ``NEWSCRAWLER_DNS_RESOLVER``; installed on the reactor first, then wrapped."""
        self.upstream: IHostnameResolver | None = None
        self.guarding = guarding
        self.exempt_hosts = exempt_hosts
        """The operator's proxies (``http_proxy``...): connected to, whatever their address."""
        self._refused: LocalCache[str, tuple[str, ...]] = LocalCache(_REFUSALS_KEPT)

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        # Scrapy builds the reactor's resolver from the process's settings, before any crawl.
        settings = crawler.settings
        upstream_class = load_object(settings.get("NEWSCRAWLER_DNS_RESOLVER"))
        upstream = build_from_crawler(upstream_class, crawler, reactor=reactor)
        proxies = proxy_hosts(getproxies()) if settings.getbool("HTTPPROXY_ENABLED") else frozenset()
        return cls(reactor, upstream, guarding=settings.getbool("NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES"),
                   exempt_hosts=proxies)

    def install_on_reactor(self) -> None:
        self.upstream_component.install_on_reactor()
        self.upstream = self.reactor.nameResolver
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self,
        resolutionReceiver: IResolutionReceiver,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        assert self.upstream is not None, "install_on_reactor() first"
        receiver: IResolutionReceiver = resolutionReceiver
        if hostName.lower().rstrip(".") not in self.exempt_hosts:
            receiver = _PublicAnswers(resolutionReceiver, hostName, self)
        return self.upstream.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)

    def lookup_unguarded(self, host: str) -> Deferred[list[str]]:
        """Every address ``host`` resolves to, private ones included (empty when it does not resolve)."""
        assert self.upstream is not None, "install_on_reactor() first"
        answers = _AllAnswers()
        self.upstream.resolveHostName(answers, host)
        return answers.done

    def record(self, host: str, refused: list[str] | None) -> None:
        key = host.lower().rstrip(".")
        if refused:
            self._refused[key] = tuple(refused)
            logger.debug("Refused %s: it resolves to %s only", host, ", ".join(refused))
        else:
            self._refused.pop(key, None)

    def refused_answers(self, host: str) -> tuple[str, ...] | None:
        """The non-public answers that made the last lookup of ``host`` fail, if that is why it failed."""
        return self._refused.get(host.lower().rstrip("."))


def proxy_hosts(proxies: dict[str, str]) -> frozenset[str]:
    """The host names of the proxies an environment names (``getproxies()``), ``no_proxy`` aside."""
    hosts = set()
    for kind, url in proxies.items():
        if kind != "no":
            host = urlsplit(url if "://" in url else "//" + url).hostname
            if host:
                hosts.add(host.lower().rstrip("."))
    return frozenset(hosts)


def installed_resolver() -> PublicAddressResolver | None:
    """The crawl's connect-time guard, when the reactor resolves through it."""
    if not is_reactor_installed():
        return None  # unit tests build middlewares without a reactor: importing one would install it
    from twisted.internet import reactor

    resolver = getattr(reactor, "nameResolver", None)
    return resolver if isinstance(resolver, PublicAddressResolver) else None
