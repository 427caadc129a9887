"""A real crawl of a local site that misbehaves on purpose, and the guards that keep it safe.

The crawl must finish, store every article that was reachable after retries exactly once,
count each failure by reason in ``newscrawler/failed/...``, request nothing off the
allowed domains, and (unit-tested, since tests can only serve loopback) never follow a
public site to a private or loopback address.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timezone

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newscrawler.middlewares.addresses import PrivateAddressMiddleware, is_public_address
from newscrawler.middlewares.failures import DownloadGaveUp, FailureStatsMiddleware, failure_reason
from newscrawler.middlewares.redirect_loops import RedirectLoopMiddleware
from newscrawler.middlewares.retry_after import RetryAfterMiddleware, retry_after_seconds
from newscrawler.middlewares.truncation import is_truncated
from tests.conftest import run_crawl
from tests.hostile_server import serve_hostile_site

HOSTILE_SETTINGS = {"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 3, "NEWSCRAWLER_RETRY_AFTER_MAX": 2}


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    """One crawl of the hostile site, shared by the tests that look at its outcome."""
    with serve_hostile_site() as (site, decoy, expected, lost):
        result = run_crawl(tmp_path_factory.mktemp("hostile"), "-a", f"start_url={site.url('/')}",
                           settings=HOSTILE_SETTINGS, timeout=180)
        yield result, site, decoy, expected, lost


def test_crawl_survives_faults_and_stores_every_reachable_article_once(hostile_crawl):
    result, site, decoy, expected, lost = hostile_crawl
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    stored = Counter(item["url"].removeprefix(site.base_url.rstrip("/")) for item in result.items)
    assert {path: n for path, n in stored.items() if n > 1} == {}
    assert set(expected) <= set(stored), f"missing: {sorted(set(expected) - set(stored))}"
    assert not (lost & set(stored))
    assert not [path for path in stored if path.startswith(("/files/", "/loop/", "/go/"))]  # PNG, loops, off-site
    titles = {item["url"].removeprefix(site.base_url.rstrip("/")): item["title"] for item in result.items}
    for path, title in expected.items():
        assert title in (titles[path] or ""), path
    # Every retry-able fault was retried until it answered, no more.
    for path in expected:
        assert site.count(path) <= 4


def test_every_failure_is_counted_by_reason(hostile_crawl):
    result, _site, _decoy, _expected, lost = hostile_crawl
    stats = result.stats
    assert stats.get("newscrawler/failed/http_500") == 1
    assert stats.get("newscrawler/failed/http_503") == 1
    # The broken link, and whatever sitemap/feed URLs discovery probed on this bare site.
    assert stats.get("newscrawler/failed/http_404", 0) >= 1
    assert f"Gave up on {_site.url('/gone.html')} after 0 retries: HTTP 404" in result.log
    assert stats.get("newscrawler/failed/timeout") == 1
    assert stats.get("newscrawler/failed/data_loss") == 1
    assert stats.get("newscrawler/failed/redirect_loop") == 1
    assert stats.get("newscrawler/failed/too_large") == 1
    assert stats.get("newscrawler/failed/truncated_body") == 1
    assert stats.get("newscrawler/retry_after/waited", 0) >= 3
    assert stats.get("newscrawler/skipped/not_html", 0) + stats.get("newscrawler/skipped/undecodable", 0) \
        + stats.get("newscrawler/pages/other", 0) >= 1
    assert stats.get("newscrawler/failed") == sum(
        v for k, v in stats.items() if k.startswith("newscrawler/failed/"))
    assert len(lost) == 5  # 500 and 503 forever, always slow, always reset, truncated gzip


def test_nothing_is_requested_off_the_allowed_domains(hostile_crawl):
    result, site, decoy, _expected, _lost = hostile_crawl
    assert decoy.total() == 0
    assert site.count("/go/elsewhere.html") == 1
    assert result.stats.get("offsite/filtered", 0) >= 1


def test_redirect_loop_is_fetched_a_bounded_number_of_times(hostile_crawl):
    _result, site, _decoy, _expected, _lost = hostile_crawl
    assert site.count("/loop/a.html") == 1
    assert site.count("/loop/b.html") == 1


# --- Unit tests of the guards -------------------------------------------------------------------


def _crawler(**settings):
    crawler = get_crawler(Spider, settings_dict={"RETRY_TIMES": 3, **settings})
    crawler.stats.open_spider()
    return crawler


def _run(coroutine):
    return asyncio.run(coroutine)


class _Spider:
    def __init__(self, start_urls: list[str]) -> None:
        self.start_urls = start_urls


def _guard(start_urls: list[str], dns: dict[str, list[str]]) -> tuple[PrivateAddressMiddleware, object]:
    crawler = _crawler()

    async def resolver(host: str) -> list[str]:
        return dns.get(host, [])

    guard = PrivateAddressMiddleware(crawler.stats, resolver=resolver)
    guard.spider_opened(_Spider(start_urls))  # type: ignore[arg-type]
    return guard, crawler.stats


PUBLIC_DNS = {"news.example": ["93.184.216.34"], "cdn.news.example": ["2606:2800:220:1::1"],
              "intranet.news.example": ["10.1.2.3"], "rebind.example": ["93.184.216.34", "127.0.0.1"]}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379/", "http://localhost/admin", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/", "http://192.168.1.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://intranet.news.example/", "http://rebind.example/", "http://printer.local/", "http://0.0.0.0/",
])
def test_public_crawl_drops_redirects_to_private_addresses(url):
    guard, stats = _guard(["https://news.example/"], PUBLIC_DNS)
    request = Request(url, meta={"redirect_urls": ["https://news.example/story"]})
    with pytest.raises(IgnoreRequest):
        _run(guard.process_request(request))
    assert stats.get_value("newscrawler/skipped/private_address") == 1


@pytest.mark.parametrize("url", ["https://news.example/story", "https://cdn.news.example/a.html", "http://8.8.8.8/"])
def test_public_crawl_keeps_public_addresses(url):
    guard, stats = _guard(["https://news.example/"], PUBLIC_DNS)
    assert _run(guard.process_request(Request(url))) is None
    assert stats.get_value("newscrawler/skipped/private_address") is None


def test_crawl_started_on_loopback_may_stay_there():
    guard, stats = _guard(["http://127.0.0.1:8000/"], PUBLIC_DNS)
    assert _run(guard.process_request(Request("http://127.0.0.1:8000/news/1.html"))) is None
    assert _run(guard.process_request(Request("http://10.0.0.7/"))) is None


def test_crawl_started_on_private_host_name_may_stay_there():
    guard, _stats = _guard(["http://intranet.news.example/"], PUBLIC_DNS)
    assert _run(guard.process_request(Request("http://intranet.news.example/a"))) is None


def test_guard_can_be_switched_off():
    with pytest.raises(NotConfigured):
        PrivateAddressMiddleware.from_crawler(_crawler(NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES=False))


@pytest.mark.parametrize("address,public", [
    ("93.184.216.34", True), ("127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False),
    ("100.64.0.1", False), ("fe80::1%eth0", False), ("::1", False), ("fc00::1", False), ("224.0.0.1", False),
    ("2606:2800:220:1::1", True), ("not an ip", False),
])
def test_is_public_address(address, public):
    assert is_public_address(address) is public


def test_redirect_loop_is_dropped_when_a_url_repeats():
    crawler = _crawler()
    middleware = RedirectLoopMiddleware(crawler.stats)
    assert middleware.process_request(Request("http://s.example/b", meta={"redirect_urls": ["http://s.example/a"]})) is None
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request("http://s.example/a", meta={"redirect_urls": ["http://s.example/a", "http://s.example/b"]}))
    assert crawler.stats.get_value("newscrawler/failed/redirect_loop") == 1


def _redirect(middleware, url: str, location: str, chain: tuple[str, ...] = ()):
    """A 302 from ``url`` (reached through ``chain``) to ``location``, through the middleware."""
    request = Request(url, meta={"redirect_urls": list(chain)} if chain else {})
    return middleware.process_response(request, Response(url, status=302, headers={"Location": location}))


def test_redirect_loop_with_both_ends_linked_is_counted_once_whichever_end_comes_first():
    a, b = "http://s.example/a", "http://s.example/b"
    for first, second in ((a, b), (b, a)):
        crawler = _crawler()
        middleware = RedirectLoopMiddleware(crawler.stats)
        # Both fetched as links: the first redirect is followed, the second closes the loop.
        assert _redirect(middleware, first, second).status == 302
        with pytest.raises(IgnoreRequest, match="redirect loop"):
            _redirect(middleware, second, first)
        # The redirect the first one started is on its way: dropped before it is sent, not counted again.
        with pytest.raises(IgnoreRequest):
            middleware.process_request(Request(second, meta={"redirect_urls": [first]}))
        with pytest.raises(IgnoreRequest):
            _redirect(middleware, second, first, chain=(first,))
        assert crawler.stats.get_value("newscrawler/failed/redirect_loop") == 1
        assert crawler.stats.get_value("newscrawler/failed") == 1


def test_redirects_that_do_not_loop_are_followed():
    crawler = _crawler()
    middleware = RedirectLoopMiddleware(crawler.stats)
    # A tracking variant redirecting to the clean URL, two old URLs to one new, a chain, another host.
    assert _redirect(middleware, "http://s.example/a?utm_source=x", "/a").status == 302
    assert _redirect(middleware, "http://s.example/old-1", "/new").status == 302
    assert _redirect(middleware, "http://s.example/old-2", "/new").status == 302
    assert _redirect(middleware, "http://s.example/x", "/y").status == 302
    assert _redirect(middleware, "http://s.example/y", "/z", chain=("http://s.example/x",)).status == 302
    assert _redirect(middleware, "http://s.example/z", "https://s.example/x").status == 302  # http is not https
    assert middleware.process_request(Request("http://s.example/new", meta={"redirect_urls": ["http://s.example/old-1"]})) is None
    not_followed = Request("http://s.example/p", meta={"dont_redirect": True})
    middleware.process_response(not_followed, Response(not_followed.url, status=302, headers={"Location": "/p"}))
    assert crawler.stats.get_value("newscrawler/failed/redirect_loop") is None
    # A page redirecting to itself is a loop.
    with pytest.raises(IgnoreRequest):
        _redirect(middleware, "http://s.example/self", "http://s.example/self#top")
    assert crawler.stats.get_value("newscrawler/failed/redirect_loop") == 1


@pytest.mark.parametrize("header,seconds", [
    (b"3", 3.0), (b" 0 ", 0.0), (b"", None), (None, None), (b"soon", None), (b"-5", None),
    (b"Mon, 20 May 2024 09:00:10 GMT", 10.0), (b"Mon, 20 May 2024 08:00:00 GMT", 0.0),
])
def test_retry_after_header_is_parsed(header, seconds):
    now = datetime(2024, 5, 20, 9, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(header, now=now) == seconds


def test_retry_after_waits_only_when_a_retry_will_follow():
    crawler = _crawler(NEWSCRAWLER_RETRY_AFTER_MAX=0.05)
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    response = Response("http://s.example/a", status=503, headers={"Retry-After": "120"})
    assert _run(middleware.process_response(Request("http://s.example/a"), response)) is response
    assert crawler.stats.get_value("newscrawler/retry_after/capped") == 1
    last_try = Request("http://s.example/a", meta={"retry_times": 3})
    assert _run(middleware.process_response(last_try, response)) is response
    assert crawler.stats.get_value("newscrawler/retry_after/waited") == 1


def test_truncated_compressed_bodies_are_told_from_complete_ones():
    import gzip
    import zlib

    html = b"<html><body>" + b"<p>story</p>" * 500 + b"</body></html>"
    packed = gzip.compress(html)
    assert not is_truncated(packed, b"gzip")
    assert is_truncated(packed[: len(packed) // 2], b"gzip")
    assert not is_truncated(zlib.compress(html), b"deflate")
    assert is_truncated(zlib.compress(html)[:40], b"deflate")
    assert not is_truncated(html, b"br")  # encodings it cannot check pass through
    assert not is_truncated(b"plain text, not gzip", b"gzip")


def test_failure_reasons_and_counts():
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError
    from twisted.internet.error import ConnectionLost

    assert failure_reason(DownloadTimeoutError()) == "timeout"
    assert failure_reason(ConnectionLost()) == "connection_lost"
    assert failure_reason(KeyError()) == "KeyError"
    crawler = _crawler()
    middleware = FailureStatsMiddleware(crawler.stats)
    assert failure_reason(DownloadCancelledError("Received 9 bytes which is larger than download max size (5)")) \
        == "too_large"
    middleware.process_exception(Request("http://s.example/"), IgnoreRequest())
    with pytest.raises(DownloadGaveUp) as raised:
        middleware.process_exception(Request("http://s.example/"), DownloadTimeoutError())
    assert raised.value.reason == "timeout"
    middleware.process_response(Request("http://s.example/"), Response("http://s.example/", status=410))
    middleware.process_response(Request("http://s.example/"), Response("http://s.example/", status=200))
    probe = Request("http://s.example/sitemap.xml", meta={"probe": True})
    with pytest.raises(DownloadGaveUp):
        middleware.process_exception(probe, DownloadTimeoutError())
    middleware.process_response(probe, Response(probe.url, status=404))
    assert crawler.stats.get_value("newscrawler/failed/timeout") == 1
    assert crawler.stats.get_value("newscrawler/failed/http_410") == 1
    assert crawler.stats.get_value("newscrawler/failed") == 2



def test_browser_errors_get_the_same_reasons():
    playwright = pytest.importorskip("playwright.async_api")
    from newscrawler.middlewares.failures import browser_failure_reason

    assert failure_reason(playwright.TimeoutError("Timeout 1000ms exceeded.")) == "timeout"
    assert failure_reason(playwright.Error("net::ERR_CONNECTION_RESET at http://s.example/")) == "connection_lost"
    assert failure_reason(playwright.Error("net::ERR_TOO_MANY_REDIRECTS at http://s.example/")) == "redirect_loop"
    assert failure_reason(playwright.Error("Target page, context or browser has been closed")) == "browser_error"
    assert browser_failure_reason(TimeoutError()) is None  # the builtin is not the browser's
