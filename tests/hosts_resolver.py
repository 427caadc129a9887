"""A DNS resolver for tests: answers come from a JSON file, never from the network.

``-s TWISTED_DNS_RESOLVER=...`` cannot be used for it (the crawl's own resolver must stay in
front), so crawls name it as the upstream: ``-s NEWSCRAWLER_DNS_RESOLVER=tests.hosts_resolver.HostsFileResolver
-s TEST_HOSTS_FILE=path``. The file maps a host to the answers given to a check (a lookup
with no port: the address middleware's start-host check) and to a connection (a lookup for
a port: the downloader's). So a test can answer a public address to the check and 127.0.0.1
to the connection (DNS rebinding) while a public address is never handed to anything that
connects. The file is read on every lookup, so a test can change it; each lookup is
appended to ``<file>.log``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class HostsFileResolver:
    def __init__(self, reactor: Any, path: Path) -> None:
        self.reactor = reactor
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        return cls(reactor, Path(crawler.settings["TEST_HOSTS_FILE"]))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def answers(self, host: str, port: int) -> list[str]:
        entry = json.loads(self.path.read_text()).get(host.lower(), {})
        return list(entry.get("connect" if port else "check", []))

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self, resolutionReceiver: IResolutionReceiver, hostName: str, portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None, transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        answers = self.answers(hostName, portNumber)
        with self.path.with_suffix(".log").open("a") as log:
            log.write(json.dumps([hostName, portNumber, answers]) + "\n")
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        for address in answers:
            kind = IPv6Address if ":" in address else IPv4Address
            resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution
