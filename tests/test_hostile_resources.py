"""Hostile input that used to exhaust memory or lose a site's URLs: gzip bombs and big sitemaps.

Each case is a real crawl of a server on 127.0.0.1 that serves the hostile body; the test
checks what was stored, what was counted, and the exit status. Peak memory is measured by
``bench/hostile.py``, not here.
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newscrawler.middlewares.encodings import AcceptedEncodingsMiddleware, brotli_works
from newscrawler.middlewares.truncation import Body, check_compressed
from tests.conftest import run_crawl
from tests.hostile_server import Route, article_html, gzip_bomb, listing_html, page, serve_site, write_stories

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _articles(count: int, seed: int) -> tuple[dict[str, Route], dict[str, str]]:
    routes, expected = {}, {}
    for story in write_stories(count, seed=seed):
        path = f"/news/{story.number}/{story.slug}.html"
        routes[path] = page(article_html(story))
        expected[path] = story.title
    return routes, expected


def _stored_paths(result, site) -> set[str]:
    return {item["url"].removeprefix(site.base_url.rstrip("/")) for item in result.items}


def test_gzip_bomb_is_dropped_at_the_size_limit_and_the_rest_is_stored(tmp_path):
    routes, expected = _articles(4, seed=41)
    # 1 MB on the wire, 1 GiB once gunzipped: past DOWNLOAD_MAXSIZE (20 MB) after 20 MB of output.
    bomb = gzip_bomb(1024, prefix=b"<!doctype html><html><body><p>")
    routes["/files/bomb.html"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", "text/plain")
    routes["/"] = page(listing_html("Bombed", [*expected.items(), ("/files/bomb.html", "Archive")]))
    with serve_site(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_url={site.url('/')}", "-a", "discover=links", timeout=120)
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]
        assert _stored_paths(result, site) == set(expected)
        assert site.count("/files/bomb.html") == 1  # dropped, not retried
    assert result.stats.get("newscrawler/failed/too_large") == 1
    assert "expands past 20971520 bytes" in result.log


def test_sitemap_past_download_maxsize_is_read_up_to_its_own_caps(tmp_path):
    routes, expected = _articles(12, seed=43)
    listed = [f"<url><loc>{{base}}{path}</loc></url>" for path in expected]
    # Past the URL cap: counted, never fetched.
    extra = [f"<url><loc>{{base}}/old/{n}.html</loc><lastmod>2020-01-01</lastmod></url>" for n in range(3000)]
    sitemap = f'<?xml version="1.0"?><urlset {NS}>{"".join(listed + extra)}</urlset>'
    bomb = gzip_bomb(64, prefix=f'<?xml version="1.0"?><urlset {NS}><url><loc>'.encode())
    robots = "User-agent: *\nDisallow:\nSitemap: {base}/sitemap.xml\nSitemap: {base}/bomb-sitemap.xml\n"
    routes["/"] = page(listing_html("Home", []))
    with serve_site(routes) as site:
        base = site.base_url.rstrip("/")
        routes["/sitemap.xml"] = Route(sitemap.replace("{base}", base).encode(), "application/xml")
        routes["/bomb-sitemap.xml"] = Route(bomb, "application/xml", headers={"Content-Encoding": "gzip"})
        routes["/robots.txt"] = Route(robots.replace("{base}", base).encode(), "text/plain")
        assert len(routes["/sitemap.xml"].body) > 150_000
        result = run_crawl(tmp_path, "-a", f"start_url={site.url('/')}", "-a", "discover=sitemaps", timeout=120,
                           settings={"DOWNLOAD_MAXSIZE": 100_000, "NEWSCRAWLER_SITEMAP_MAX_URLS": len(expected),
                                     "NEWSCRAWLER_SITEMAP_MAX_SIZE": 32 * 1024 * 1024})
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]
        assert _stored_paths(result, site) == set(expected)
        assert not [path for path in site.requests if path.startswith("/old/")]
    stats = result.stats
    assert stats.get("newscrawler/sitemap/urls") == len(expected)
    assert stats.get("newscrawler/sitemap/entries_over_limit") == 3000
    # 64 MiB once gunzipped, past the sitemap cap of 32 MiB: dropped there, counted.
    assert stats.get("newscrawler/failed/too_large") == 1


def test_br_page_is_stored_or_counted_never_a_traceback(tmp_path):
    brotli = pytest.importorskip("brotli")
    routes, expected = _articles(3, seed=47)
    path = next(iter(expected))
    # The server answers br whatever the request accepts, as some CDNs do.
    routes[path] = Route(brotli.compress(routes[path].body), headers={"Content-Encoding": "br"})
    routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", "text/plain")
    routes["/"] = page(listing_html("Home", list(expected.items())))
    with serve_site(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_url={site.url('/')}", "-a", "discover=links", timeout=120)
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]
        stored = _stored_paths(result, site)
    if brotli_works():
        assert stored == set(expected)
    else:  # brotlipy in place of Google's brotli: the page is counted as lost, by reason
        assert stored == set(expected) - {path}
        assert result.stats.get("newscrawler/failed/bad_content_encoding") == 1
        assert "Not asking servers for br" in result.log


def test_codings_that_cannot_be_decoded_are_not_asked_for():
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    middleware = AcceptedEncodingsMiddleware(crawler.stats, frozenset({b"br"}))
    request = Request("http://s.example/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    middleware.process_request(request)
    assert request.headers["Accept-Encoding"] == b"gzip, deflate, zstd"
    gzipped = Response(request.url, headers={"Content-Encoding": "gzip"})
    assert middleware.process_response(request, gzipped) is gzipped
    with pytest.raises(IgnoreRequest):
        middleware.process_response(request, Response(request.url, headers={"Content-Encoding": "br"}))
    assert crawler.stats.get_value("newscrawler/failed/bad_content_encoding") == 1


def test_zstd_bodies_are_walked_like_gzip_ones():
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        zstd = pytest.importorskip("backports.zstd")
    html = b"<html><body>" + b"<p>story</p>" * 5000 + b"</body></html>"
    packed = zstd.compress(html)
    assert check_compressed(packed, b"zstd", 1 << 20) is Body.COMPLETE
    assert check_compressed(packed + zstd.compress(b"<p>more</p>"), b"zstd", 1 << 20) is Body.COMPLETE  # two frames
    assert check_compressed(packed[: len(packed) // 2], b"zstd", 1 << 20) is Body.TRUNCATED
    bomb = zstd.compress(bytes(256 << 20))  # 256 MiB of zeros in a few KB
    assert len(bomb) < 100_000
    assert check_compressed(bomb, b"zstd", 20 << 20) is Body.TOO_LARGE
    assert check_compressed(b"not zstd at all", b"zstd", 1 << 20) is Body.UNCHECKED
