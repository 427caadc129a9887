"""Snapshot mode on hostile page requisites: no failed crawl, no broken WARC, every case counted.

A real crawl of a small site on 127.0.0.1 whose pages name a stylesheet that imports
itself, an image that never ends, a srcset of 200 candidates, stylesheets that are really
HTML, a stylesheet on a host that refuses connections and a CDN on a second loopback
address. Requisites naming private addresses on a public page meet the address guard: in a
crawl of a public-looking host reached through a proxy on 127.0.0.1, and one by one.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newscrawler.archive.requisites import css_references, html_requisites
from newscrawler.archive.snapshot import failure_reason_of, requisite_request
from newscrawler.demo.stories import png_bytes
from newscrawler.middlewares.addresses import PrivateAddressMiddleware
from tests.replay import free_port

ENDLESS = "endless"
PNG = png_bytes(4, 4, (200, 30, 30))
HTML_404 = b"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Page not found</h1></body></html>"


@contextmanager
def serve_routes(routes: dict[str, tuple[str, bytes | str]], host: str = "127.0.0.1") -> Iterator[tuple[str, Counter]]:
    """Serve ``{path: (content type, body or ENDLESS)}``; yields base URL and requests by URL.

    Requests in absolute form (as an HTTP proxy gets them) are answered by their path too.
    """
    requests: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            target = self.path if self.path.startswith("http") else f"http://{self.headers['Host']}{self.path}"
            requests[target] += 1
            path = urlsplit(target).path
            if path.startswith("/i/") and path.endswith(".png"):
                content_type, body = "image/png", PNG
            elif path in routes:
                content_type, body = routes[path]
            else:
                self._answer(404, "text/html", HTML_404)
                return
            if body == ENDLESS:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(b"\xff" * 65536)
                except OSError:
                    return
            self._answer(200, content_type, body if isinstance(body, bytes) else body.encode())

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def _warcio_check(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.warc.gz"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, files)],
                           capture_output=True, text=True)
    assert files and check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    return files


def _archived_urls(files: list[Path]) -> Counter[str]:
    urls: Counter[str] = Counter()
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in {"response", "revisit"}:
                    urls[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return urls


def test_hostile_requisites_are_counted_and_the_archive_stays_valid(crawl) -> None:
    refused = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    srcset = ", ".join(f"/i/{w}.png {w}w" for w in range(200, 0, -1))
    with serve_routes({"/logo.png": ("image/png", PNG)}, host="127.0.0.2") as (cdn, cdn_requests):
        def page(title: str) -> str:
            return (f"<!DOCTYPE html><html><head><title>{title}</title>"
                    '<link rel="stylesheet" href="/loop.css"><link rel="stylesheet" href="/missing.css">'
                    f'<link rel="stylesheet" href="/fake.css"><link rel="stylesheet" href="{refused}/site.css">'
                    f'</head><body><h1>{title}</h1><img src="/endless.jpg"><img srcset="{srcset}">'
                    f'<img src="{cdn}/logo.png"><a href="/second/">Second page</a></body></html>')

        routes = {
            "/": ("text/html; charset=utf-8", page("Home")),
            "/second/": ("text/html; charset=utf-8", page("Second")),
            "/loop.css": ("text/css", '@import url("loop.css"); @import "/loop.css"; body { color: #333 }'),
            "/missing.css": ("text/html; charset=utf-8", HTML_404),  # a CMS answering a missing sheet
            "/fake.css": ("text/css", HTML_404),  # HTML labelled as CSS
            "/endless.jpg": ("image/jpeg", ENDLESS),
            "/robots.txt": ("text/plain", "User-agent: *\nDisallow:\n"),
        }
        with serve_routes(routes) as (base, requests):
            result = crawl("-a", f"start_url={base}/", settings={
                "NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": "warc",
                "NEWSCRAWLER_ARCHIVE_RESOURCE_MAX_SIZE": 300_000, "RETRY_TIMES": 1}, timeout=180)
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    stats = result.stats
    prefix = "newscrawler/archive/requisites"
    assert requests[f"{base}/loop.css"] == 1, "the self-importing sheet was fetched more than once"
    assert cdn_requests[f"{cdn}/logo.png"] == 1, "the CDN image was not fetched once for both pages"
    assert stats[f"{prefix}/skipped/srcset_candidates"] == 2 * 192  # counted on each page naming them
    assert sum(1 for url in requests if "/i/" in url) == 8
    assert stats[f"{prefix}/skipped/stylesheet_is_html"] == 2
    assert stats[f"{prefix}/failed/too_large"] == 1
    assert stats[f"{prefix}/failed/connection_refused"] == 1
    assert stats[f"{prefix}/failed"] == 2
    assert stats[f"{prefix}/fetched"] == 1 + 2 + 8 + 1  # loop.css, the two HTML sheets, 8 candidates, logo
    assert "newscrawler/failed" not in stats, "a requisite was counted as a lost page"
    # Requisites are no pages: the report's page count leaves them out.
    assert stats[f"{prefix}/responses"] == stats[f"{prefix}/fetched"]
    assert result.report["pages_fetched"] == stats["response_received_count"] - stats[f"{prefix}/responses"]
    section = result.report["archive"]
    assert section["requisites"]["failed/too_large"] == 1 and section["records"] == stats["newscrawler/warc/records"]

    archived = _archived_urls(_warcio_check(result.workdir / "warc"))
    assert archived[f"{base}/endless.jpg"] == 0, "a resource past the size cap was archived"
    assert archived[f"{cdn}/logo.png"] == 1 and archived[f"{base}/loop.css"] == 1
    assert archived[f"{base}/"] == 1 and archived[f"{base}/second/"] == 1


PUBLIC_DNS = {"news.example": ["93.184.216.34"], "cdn.example": ["93.184.216.35"],
              "rebind.example": ["93.184.216.34", "127.0.0.1"]}


def test_requisites_of_a_public_page_pointing_at_private_addresses_are_refused_and_counted() -> None:
    """What a public page and its stylesheet name goes to the same address guard as pages.

    (A crawl test cannot show it: a public crawl may not connect to 127.0.0.1, where tests
    serve their sites; the guard's own crawl tests cover the connection side.)
    """
    page = ("<html><head><style>body { background: url(http://10.0.0.7/secret.png) }</style>"
            '<link rel="stylesheet" href="https://cdn.example/site.css"></head><body>'
            '<img src="http://169.254.169.254/latest/meta-data/x.png"><img src="http://rebind.example/a.png">'
            '<img src="/photo.jpg"></body></html>')
    found = html_requisites(page, "https://news.example/story/")
    found += css_references("h1 { background: url('http://[::ffff:192.168.1.1]/admin.png') }",
                            "https://cdn.example/site.css")
    crawler = get_crawler(Spider, {"RETRY_TIMES": 0})
    crawler.stats.open_spider()
    guard = PrivateAddressMiddleware(crawler.stats, resolver=lambda host: _answer(PUBLIC_DNS.get(host, [])))
    guard.spider_opened(SimpleNamespace(start_urls=["https://news.example/"]))
    verdicts = {}
    for requisite in found:
        request = requisite_request(requisite.url, requisite.kind, "https://news.example/story/", 1000)
        assert request.meta["allow_offsite"]
        try:
            asyncio.run(guard.process_request(request))
            verdicts[requisite.url] = "fetched"
        except IgnoreRequest as exc:
            verdicts[requisite.url] = failure_reason_of(exc)
    assert verdicts == {
        "http://10.0.0.7/secret.png": "private_address",
        "https://cdn.example/site.css": "fetched",
        "http://169.254.169.254/latest/meta-data/x.png": "private_address",
        "http://rebind.example/a.png": "private_address",
        "https://news.example/photo.jpg": "fetched",
        "http://[::ffff:192.168.1.1]/admin.png": "private_address",
    }
    assert crawler.stats.get_value("newscrawler/skipped/private_address") == 4


async def _answer(addresses: list[str]) -> list[str]:
    return addresses


def test_the_crawls_requisites_stop_at_the_crawl_size_cap(crawl) -> None:
    images = "".join(f'<img src="/i/{n}.png">' for n in range(1, 41))
    routes = {"/": ("text/html; charset=utf-8", f"<!DOCTYPE html><html><head><title>Photos</title></head>"
                                                 f"<body><h1>Photos</h1>{images}</body></html>"),
              "/robots.txt": ("text/plain", "User-agent: *\nDisallow:\n")}
    cap = 10 * len(PNG)
    with serve_routes(routes) as (base, requests):
        result = crawl("-a", f"start_url={base}/", settings={
            "NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": "warc", "CONCURRENT_REQUESTS": 2,
            "NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE": cap}, timeout=180)
    assert result.returncode == 0, result.log[-3000:]
    fetched = sum(1 for url in requests if "/i/" in url)
    assert 10 <= fetched <= 10 + 2, fetched  # overshot by the requisites in flight at most
    stats = result.stats
    assert stats["newscrawler/archive/requisites/fetched"] == fetched
    assert stats["newscrawler/archive/requisites/skipped/crawl_size_cap"] == 40 - fetched
    assert stats["newscrawler/archive/requisites/bytes"] == fetched * len(PNG)
    assert "NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE" in result.log
    _warcio_check(result.workdir / "warc")


def test_url_to_a_private_address_never_leaves_a_public_crawl(crawl) -> None:
    """news.example is reached through a proxy on 127.0.0.1 (the guard exempts proxies the
    environment names), so the guard is on: requisites on private addresses must not be asked for."""
    page = ("<!DOCTYPE html><html><head><title>News</title>"
            "<style>body { background: url(http://10.0.0.7/secret.png) }</style>"
            '<link rel="stylesheet" href="/site.css"></head><body><h1>News</h1>'
            '<img src="http://169.254.169.254/latest/meta-data/x.png"><img src="/logo.png"></body></html>')
    routes = {"/": ("text/html; charset=utf-8", page), "/logo.png": ("image/png", PNG),
              "/site.css": ("text/css", "h1 { background: url('http://192.168.1.1/admin.png') }"),
              "/robots.txt": ("text/plain", "User-agent: *\nDisallow:\n")}
    with serve_routes(routes) as (proxy, requests):
        env = {"http_proxy": proxy, "HTTP_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
        result = crawl("-a", "start_url=http://news.example/", env=env, settings={
            "NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": "warc", "RETRY_TIMES": 0}, timeout=180)
    assert result.returncode == 0, result.log[-3000:]
    if not requests:
        pytest.fail(f"the crawl did not reach the site through the proxy: {result.log[-2000:]}")
    assert requests["http://news.example/site.css"] == 1 and requests["http://news.example/logo.png"] == 1
    leaked = [url for url in requests if urlsplit(url).hostname in {"10.0.0.7", "169.254.169.254", "192.168.1.1"}]
    assert leaked == []
    assert result.stats["newscrawler/archive/requisites/failed/private_address"] == 3
    _warcio_check(result.workdir / "warc")
