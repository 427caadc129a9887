"""The private-address guard where connections are made: every DNS answer, every lookup.

Names resolve through ``tests.hosts_resolver`` (a JSON file, never the network). A public
address is only ever answered to lookups that do not connect; everything a crawl connects to
is on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from ipaddress import IPv6Address
from pathlib import Path

import pytest
from twisted.internet.interfaces import IResolutionReceiver
from zope.interface import implementer

from newscrawler.network.public_addresses import embedded_ipv4, is_public_address, literal_address
from newscrawler.network.resolver import PublicAddressResolver, proxy_hosts
from tests.conftest import run_crawl
from tests.hosts_resolver import HostsFileResolver
from tests.hostile_server import article_html, listing_html, page, Route, serve_site, write_stories

REPO = Path(__file__).resolve().parent.parent

# --- Embedded IPv4 forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("address,embedded", [
    ("::ffff:127.0.0.1", ["127.0.0.1"]),            # IPv4-mapped
    ("::127.0.0.1", ["127.0.0.1"]),                 # IPv4-compatible
    ("::ffff:0:7f00:1", ["127.0.0.1"]),             # IPv4-translated (SIIT)
    ("64:ff9b::7f00:1", ["127.0.0.1"]),             # NAT64, well-known prefix
    ("64:ff9b::a9fe:a9fe", ["169.254.169.254"]),
    ("2002:7f00:1::1", ["127.0.0.1"]),              # 6to4
    ("2002:c0a8:101::1", ["192.168.1.1"]),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", ["65.54.227.120", "127.0.0.1"]),  # Teredo: server, client
    ("2606:2800:220:1:0:5efe:a00:1", ["10.0.0.1"]),  # ISATAP interface id
    ("2606:2800:220:1::1", []),
    ("::1", []),
])
def test_embedded_ipv4_is_decoded(address, embedded):
    assert [str(a) for a in embedded_ipv4(IPv6Address(address))] == embedded


@pytest.mark.parametrize("address,public", [
    ("64:ff9b::7f00:1", False), ("64:ff9b::808:808", True), ("64:ff9b:1::808:808", False),
    ("2002:7f00:1::1", False), ("2002:808:808::1", True), ("::127.0.0.1", False), ("::8.8.8.8", True),
    ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", True), ("::ffff:0:7f00:1", False), ("::ffff:0:808:808", True),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False), ("2606:2800:220:1:0:5efe:a00:1", False),
    ("2606:2800:220:1::1", True), ("93.184.216.34", True), ("0.0.0.0", False), ("::", False),
    ("[::1]", False), ("fe80::1%eth0", False), ("", False),
])
def test_every_embedded_form_is_judged_by_its_ipv4(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize("host,address", [
    ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("017700000001", "127.0.0.1"),
    ("[::ffff:7f00:1]", "::ffff:7f00:1"), ("news.example", None), ("1.2.3.4.5", None), ("deadbeef", None),
])
def test_hosts_that_spell_an_address_the_old_way(host, address):
    found = literal_address(host)
    assert (str(found) if found else None) == address


# --- The resolver, in-process -------------------------------------------------------------------------


@implementer(IResolutionReceiver)
class _Collect:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution) -> None:  # noqa: N802
        pass

    def addressResolved(self, address) -> None:  # noqa: N802
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.complete = True


def _hosts(tmp_path: Path, table: dict[str, dict[str, list[str]]]) -> Path:
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps(table))
    return path


def _resolver(hosts: Path) -> PublicAddressResolver:
    resolver = PublicAddressResolver(reactor=None, upstream=None)
    resolver.upstream = HostsFileResolver(None, hosts)  # what install_on_reactor would wrap
    return resolver


def _resolve(resolver: PublicAddressResolver, host: str, port: int = 80) -> list[str]:
    receiver = _Collect()
    resolver.resolveHostName(receiver, host, port)
    assert receiver.complete
    return receiver.addresses


def test_every_lookup_is_checked_so_rebinding_gets_nothing(tmp_path):
    hosts = _hosts(tmp_path, {"rebind.test": {"connect": ["93.184.216.34"]}})
    resolver = _resolver(hosts)
    assert _resolve(resolver, "rebind.test") == ["93.184.216.34"]
    assert resolver.refused_answers("rebind.test") is None
    hosts.write_text(json.dumps({"rebind.test": {"connect": ["127.0.0.1"]}}))  # the name flips
    assert _resolve(resolver, "rebind.test") == []
    assert resolver.refused_answers("rebind.test") == ("127.0.0.1",)
    hosts.write_text(json.dumps({"rebind.test": {"connect": ["93.184.216.34", "10.0.0.5"]}}))
    assert _resolve(resolver, "rebind.test") == ["93.184.216.34"]  # only the public answer is connected to


@pytest.mark.parametrize("answer", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "::127.0.0.1",
                                    "64:ff9b::7f00:1", "2002:7f00:1::1", "fd00::1", "0.0.0.0"])
def test_private_answers_in_any_form_are_refused(tmp_path, answer):
    resolver = _resolver(_hosts(tmp_path, {"sneaky.test": {"connect": [answer]}}))
    assert _resolve(resolver, "sneaky.test") == []
    assert resolver.refused_answers("SNEAKY.test.") == (answer,)


def test_a_lookup_that_fails_stays_failed_and_an_unguarded_crawl_gets_every_answer(tmp_path):
    resolver = _resolver(_hosts(tmp_path, {"local.test": {"connect": ["127.0.0.1"]}}))
    assert _resolve(resolver, "nowhere.test") == []
    assert resolver.refused_answers("nowhere.test") is None  # a DNS failure, not a refusal
    resolver.guarding = False
    assert _resolve(resolver, "local.test") == ["127.0.0.1"]


def test_the_operators_proxy_is_connected_to_whatever_its_address(tmp_path):
    proxies = proxy_hosts({"http": "http://user:pw@10.0.0.1:3128", "https": "proxy.corp.test:8080",
                           "no": "localhost,.corp.test"})
    assert proxies == {"10.0.0.1", "proxy.corp.test"}
    resolver = _resolver(_hosts(tmp_path, {"10.0.0.1": {"connect": ["10.0.0.1"]},
                                           "proxy.corp.test": {"connect": ["10.0.0.2"]},
                                           "other.corp.test": {"connect": ["10.0.0.3"]}}))
    resolver.exempt_hosts = proxies
    assert _resolve(resolver, "10.0.0.1") == ["10.0.0.1"]
    assert _resolve(resolver, "proxy.corp.test") == ["10.0.0.2"]
    assert _resolve(resolver, "other.corp.test") == []


# --- Crawls ---------------------------------------------------------------------------------------


def _site() -> tuple[dict[str, Route], list[str]]:
    stories = write_stories(3, seed=53)
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain")}
    for story in stories:
        routes[f"/news/{story.number}.html"] = page(article_html(story))
    routes["/"] = page(listing_html("Home", [(f"/news/{s.number}.html", s.title) for s in stories]))
    return routes, [s.title for s in stories]


def _crawl(tmp_path: Path, hosts: Path, *start_urls: str, **settings: object):
    # The crawl runs in a folder of its own: it finds tests.hosts_resolver through the repository's root.
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return run_crawl(tmp_path / "crawl", "-a", f"start_url={','.join(start_urls)}", "-a", "discover=links",
                     settings={"NEWSCRAWLER_DNS_RESOLVER": "tests.hosts_resolver.HostsFileResolver",
                               "TEST_HOSTS_FILE": str(hosts), "DOWNLOAD_TIMEOUT": 5, **settings}, timeout=120,
                     env={"PYTHONPATH": path})


def test_crawl_refuses_names_that_resolve_to_loopback_at_connect_time(tmp_path):
    routes, _titles = _site()
    with serve_site(routes) as site:
        port = site.base_url.rstrip("/").rsplit(":", 1)[1]
        # news.test: public to the start check, loopback to the connection (rebinding).
        # blank.test: does not resolve for the start check (it used to count as public), then loopback.
        hosts = _hosts(tmp_path, {"news.test": {"check": ["93.184.216.34"], "connect": ["127.0.0.1"]},
                                  "blank.test": {"check": [], "connect": ["127.0.0.1"]}})
        result = _crawl(tmp_path, hosts, f"http://news.test:{port}/", f"http://blank.test:{port}/")
        assert site.total() == 0, dict(site.requests)
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.items == []
    assert result.returncode == 2 and result.report.get("finish_reason") == "robots_unreadable"
    assert result.stats.get("newscrawler/skipped/private_address", 0) >= 2
    assert result.stats.get("retry/count", 0) == 0  # refused, not retried
    assert result.stats.get("newscrawler/robots/refused") == 2  # so their pages are not even looked up again
    assert "resolves to 127.0.0.1, not a public address" in result.log
    lookups = [json.loads(line) for line in hosts.with_suffix(".log").read_text().splitlines()]
    assert [host for host, port_, _ in lookups if port_ == 0] == ["news.test", "blank.test"]
    assert {host for host, port_, _ in lookups if port_} == {"news.test", "blank.test"}


def test_same_crawl_goes_through_when_the_guard_is_off(tmp_path):
    routes, titles = _site()
    with serve_site(routes) as site:
        port = site.base_url.rstrip("/").rsplit(":", 1)[1]
        hosts = _hosts(tmp_path, {"news.test": {"connect": ["127.0.0.1"]}})
        result = _crawl(tmp_path, hosts, f"http://news.test:{port}/", NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES=0)
        assert site.count("/") == 1
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(item["title"] for item in result.items) == sorted(titles)
    assert result.stats.get("newscrawler/skipped/private_address") is None
