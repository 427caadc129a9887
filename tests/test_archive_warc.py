"""WARC archive: real crawls of a gzip-serving site on 127.0.0.1, read back with warcio."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newscrawler.archive.middlewares import WarcArchiveMiddleware, WarcLocationMiddleware
from newscrawler.archive.digests import PayloadIndex, payload_digest
from newscrawler.archive.warc import HttpExchange, RotatingWarcWriter, exchange_from
from newscrawler import settings as project_settings
from newscrawler.items import Article


def project_crawler(**overrides: object):
    """A crawler with the project's defaults (settings.py) and ``overrides``."""
    defaults = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    return get_crawler(Spider, {**defaults, **overrides})

WORDS = (
    "harbour council vote sea wall storm ferry market fishermen budget mayor river bridge school "
    "hospital road rail station tax farmers drought harvest port cargo ship crew union strike wage "
    "court judge appeal police inquiry museum festival theatre library election party minister "
    "village flood barrier tide winter summer engineers concrete contract tender bank loan grant "
    "coast cliff erosion beach tourism hotel visitors ferry timetable island bus airport runway"
).split()


def story_text(n: int) -> list[str]:
    """Five paragraphs of prose of its own for story ``n``, so no two stories look alike."""
    rng = random.Random(n)
    return [
        " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + f". Paragraph {p} of report {n}."
        for p in range(5)
    ]


def build_site(root: Path, stories: int = 6) -> dict[str, str]:
    """A home page linking to dated articles; returns {path: headline}."""
    expected = {}
    links = []
    for n in range(stories):
        path = f"/news/2024/05/{n % 28 + 1:02d}/sea-wall-vote-{n}.html"
        headline = f"Sea wall vote, part {n}"
        expected[path] = headline
        body = "".join(f"<p>{paragraph}</p>" for paragraph in story_text(n))
        page = (
            f"<html><head><title>{headline} | Harbour Post</title>"
            '<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2024-05-{n % 28 + 1:02d}T09:00:00+00:00">'
            f"</head><body><article><h1>{headline}</h1><p>By Ann Lee</p>{body}</article></body></html>"
        )
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page)
        links.append(f'<li><a href="{path}">{headline}</a></li>')
    (root / "index.html").write_text(
        f"<html><head><title>Harbour Post</title></head><body><h1>Harbour Post</h1><ul>{''.join(links)}</ul></body></html>"
    )
    return expected


class GzipSite:
    """Serves a folder on 127.0.0.1:0 with ``Content-Encoding: gzip``, counting requests."""

    def __init__(self, root: Path, article_delay: float = 0.0) -> None:
        self.root = root
        self.article_delay = article_delay
        self.requests: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site.requests[self.path] += 1
                path = self.path.split("?")[0]
                if site.article_delay and path.startswith("/news/"):
                    time.sleep(site.article_delay)  # slow pages keep a crawl running long enough to stop it
                target = site.root / (path.lstrip("/") or "index.html")
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    self.send_error(404)
                    return
                raw = target.read_bytes()
                body = gzip.compress(raw) if "gzip" in self.headers.get("Accept-Encoding", "") else raw
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if body is not raw:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a crawl killed mid-download, which some tests do on purpose

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"


@contextmanager
def serving(root: Path, article_delay: float = 0.0) -> Iterator[GzipSite]:
    """A :class:`GzipSite` running in a thread for the length of the block."""
    site = GzipSite(root, article_delay)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


@pytest.fixture
def gzip_site(tmp_path: Path) -> Iterator[tuple[GzipSite, dict[str, str]]]:
    root = tmp_path / "site"
    expected = build_site(root)
    with serving(root) as site:
        yield site, expected


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warcio.cli", *args], capture_output=True, text=True, timeout=60)


def records(path: Path) -> list[dict]:
    """Each record's type, headers, raw payload and decoded payload."""
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            raw = record.raw_stream.read()
            out.append({
                "type": record.rec_type,
                "id": record.rec_headers.get_header("WARC-Record-ID"),
                "uri": record.rec_headers.get_header("WARC-Target-URI"),
                "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                "http": record.http_headers,
                "raw": raw,
                "offset": None,
            })
    return out


def test_crawl_archives_every_response_and_links_articles(gzip_site, crawl) -> None:
    site, expected = gzip_site
    result = crawl("-a", f"start_url={site.base_url}/",
                   settings={"NEWSCRAWLER_WARC_DIR": "warc", "NEWSCRAWLER_WARC_MAX_SIZE": 6000})
    assert result.returncode == 0, result.log[-2000:]
    assert {i["url"].removeprefix(site.base_url) for i in result.items} == set(expected)
    files = sorted((result.workdir / "warc").glob("*.warc.gz"))
    assert len(files) >= 2, "NEWSCRAWLER_WARC_MAX_SIZE did not rotate the files"
    assert result.stats["newscrawler/warc/files"] == len(files)

    check = warcio_cli("check", "-v", *map(str, files))
    assert check.returncode == 0, check.stdout + check.stderr
    index = warcio_cli("index", *map(str, files))
    assert index.returncode == 0, index.stderr
    assert sum(1 for line in index.stdout.splitlines() if json.loads(line)["warc-type"] in {"response", "revisit"}) \
        == sum(site.requests.values())

    responses = {}
    for path in files:
        recs = records(path)
        assert recs[0]["type"] == "warcinfo", f"{path.name} does not open with warcinfo"
        ids = {r["id"]: r for r in recs if r["type"] in {"response", "revisit"}}
        for r in recs:
            if r["type"] == "request":
                assert r["concurrent_to"] in ids, "request record not paired with its response"
        responses.update(ids)
    for path in site.requests:
        assert any(r["uri"] == site.base_url + path for r in responses.values()), f"{path} not archived"

    for item in result.items:
        path = result.workdir / item["warc_file"]
        with open(path, "rb") as fh:
            fh.seek(item["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == item["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
            assert record.http_headers.get_header("Content-Encoding") == "gzip"
            raw = record.raw_stream.read()
            assert raw.startswith(b"\x1f\x8b"), "the body was not archived as the server sent it"
            assert int(record.http_headers.get_header("Content-Length")) == len(raw)
            assert item["title"] in gzip.decompress(raw).decode()

    # The stored article points at the same record as the feed's.
    conn = sqlite3.connect(result.workdir / "news.db")
    stored = {row[0]: row[1:] for row in conn.execute("SELECT url, warc_file, warc_offset, warc_record_id FROM articles")}
    assert len(stored) == len(result.items)
    for item in result.items:
        assert stored[item["url"]] == (item["warc_file"], item["warc_offset"], item["warc_record_id"])


def test_decoded_body_is_archived_without_its_content_encoding(tmp_path: Path) -> None:
    """A body that arrives already decoded (a browser render) must not claim to be gzip."""
    request = Request("http://127.0.0.1/a?x=1", meta={"playwright": True}, headers={"Accept-Encoding": "gzip"})
    response = HtmlResponse(request.url, body=b"<html>plain</html>", request=request,
                            headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"})
    exchange = exchange_from(request, response)
    names = {name.lower() for name, _ in exchange.response_headers}
    assert "content-encoding" not in names and "transfer-encoding" not in names
    writer = RotatingWarcWriter(tmp_path, max_size=10**6)
    location = writer.write(exchange)
    writer.close()
    with open(location.warc_file, "rb") as fh:
        fh.seek(location.warc_offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.content_stream().read() == b"<html>plain</html>"
    assert warcio_cli("check", location.warc_file).returncode == 0


def test_cut_off_body_is_marked_truncated(tmp_path: Path) -> None:
    request = Request("http://127.0.0.1/cut")
    response = HtmlResponse(request.url, body=b"<html>half", request=request, flags=["dataloss"])
    writer = RotatingWarcWriter(tmp_path, max_size=10**6)
    location = writer.write(exchange_from(request, response))
    writer.close()
    with open(location.warc_file, "rb") as fh:
        fh.seek(location.warc_offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Truncated") == "disconnect"
    assert warcio_cli("check", location.warc_file).returncode == 0


def test_location_is_copied_only_onto_items_of_that_response() -> None:
    crawler = project_crawler(NEWSCRAWLER_WARC_DIR="unused", NEWSCRAWLER_REPLAY_URL="http://localhost:8080/news")
    middleware = WarcLocationMiddleware.from_crawler(crawler)
    location = {"warc_file": "w.warc.gz", "warc_offset": 42, "warc_record_id": "<urn:uuid:x>",
                "warc_date": "2024-05-01T09:08:07.123456Z"}
    response = HtmlResponse("http://127.0.0.1/a", body=b"", request=Request("http://127.0.0.1/a", meta={"warc": location}))
    item = middleware.get_processed_item(Article(url="http://127.0.0.1/a"), response)
    assert (item.warc_file, item.warc_offset, item.warc_record_id) == ("w.warc.gz", 42, "<urn:uuid:x>")
    assert item.replay_url == "http://localhost:8080/news/20240501090807/http://127.0.0.1/a"
    bare = HtmlResponse("http://127.0.0.1/b", body=b"", request=Request("http://127.0.0.1/b"))
    assert middleware.get_processed_item(Article(url="http://127.0.0.1/b"), bare).warc_file is None
    assert middleware.get_processed_item({"other": 1}, response) == {"other": 1}


def test_switched_off_without_a_folder() -> None:
    crawler = project_crawler(NEWSCRAWLER_WARC_DIR="")
    for component in (WarcArchiveMiddleware, WarcLocationMiddleware):
        with pytest.raises(NotConfigured):
            component.from_crawler(crawler)




def _exchange(url: str, body: bytes) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("Host", "127.0.0.1")], request_body=b"",
                        status=200, protocol="HTTP/1.1", response_headers=[("Content-Type", "image/png")],
                        response_body=body)


def test_same_payload_is_a_revisit_in_this_run_and_the_next(tmp_path: Path) -> None:
    payload = bytes(random.Random(1).getrandbits(8) for _ in range(4000))
    first = RotatingWarcWriter(tmp_path, 10**6, payloads=PayloadIndex(tmp_path), revisit_min_size=512)
    original = first.write(_exchange("http://127.0.0.1/a.png", payload))
    copy = first.write(_exchange("http://127.0.0.1/b.png", payload))
    small = first.write(_exchange("http://127.0.0.1/c.png", b"x" * 100))
    first.write(_exchange("http://127.0.0.1/d.png", b"x" * 100))
    first.close()
    assert original.revisit_of is None and copy.revisit_of == original.warc_record_id
    assert copy.saved_bytes == len(payload) and small.revisit_of is None
    second = RotatingWarcWriter(tmp_path, 10**6, payloads=PayloadIndex(tmp_path), revisit_min_size=512)
    later = second.write(_exchange("http://127.0.0.1/a.png", payload))
    second.close()
    assert later.revisit_of == original.warc_record_id
    assert second.referenced_files == {Path(original.warc_file).name}
    for location in (copy, later):
        with open(location.warc_file, "rb") as fh:
            fh.seek(location.warc_offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "revisit"
            assert record.rec_headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
            assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://127.0.0.1/a.png"
            assert record.rec_headers.get_header("WARC-Payload-Digest") == payload_digest(payload)
            assert record.content_stream().read() == b""
    check = warcio_cli("check", *map(str, first.files + second.files))
    assert check.returncode == 0, check.stdout + check.stderr
    assert sum(p.stat().st_size for p in second.files) < len(payload)


def test_old_module_path_still_names_the_middlewares() -> None:
    from newscrawler.extensions import warc as old

    assert old.WarcArchiveMiddleware is WarcArchiveMiddleware
    assert old.WarcLocationMiddleware is WarcLocationMiddleware


def test_archive_command_packages_the_folder_with_entry_and_article_pages(gzip_site, crawl) -> None:
    site, expected = gzip_site
    result = crawl("-a", f"start_url={site.base_url}/", settings={"NEWSCRAWLER_WARC_DIR": "warc"})
    assert result.returncode == 0, result.log[-2000:]
    packaged = subprocess.run(
        [sys.executable, "-m", "scrapy", "archive", "warc", "-o", "site.wacz", "--entry", f"{site.base_url}/",
         "--entry", f"{site.base_url}/never-fetched/", "-s", f"NEWSCRAWLER_SQLITE_PATH={result.workdir / 'news.db'}"],
        cwd=result.workdir, capture_output=True, text=True, timeout=120)
    assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    wacz = result.workdir / "site.wacz"
    valid = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout[-2000:]
    import zipfile

    with zipfile.ZipFile(wacz) as archive:
        lines = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()]
        assert any(name.startswith("archive/") and name.endswith(".warc.gz") for name in archive.namelist())
    assert lines[0]["format"] == "json-pages-1.0"
    pages = lines[1:]
    assert pages[0]["url"] == f"{site.base_url}/"  # entry first; the page never fetched is left out
    titles = {p["url"].removeprefix(site.base_url): p.get("title") for p in pages[1:]}
    stored = {item["url"].removeprefix(site.base_url): item["title"] for item in result.items}
    assert titles == stored and set(titles) == set(expected)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", p["ts"]) for p in pages)
    missing = subprocess.run([sys.executable, "-m", "scrapy", "archive", "nowhere"], cwd=result.workdir,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no *.warc.gz file in nowhere" in missing.stderr + missing.stdout
    assert "Traceback" not in missing.stderr


def test_later_run_revisits_replay_and_its_wacz_holds_the_files_they_refer_to(tmp_path: Path, serve, crawl) -> None:
    """A re-run asks with the stored validators: the 304s become revisits of the stored pages,
    which pywb replays at the later capture time; the later WACZ holds the earlier WARC."""
    import urllib.request
    import zipfile

    from tests.replay import find_wayback, pywb_collection

    root = tmp_path / "site"
    expected = build_site(root)
    site = serve(root)
    warc = tmp_path / "warc"
    settings = {"NEWSCRAWLER_WARC_DIR": str(warc), "NEWSCRAWLER_SQLITE_PATH": str(tmp_path / "news.db")}
    first = crawl("-a", f"start_url={site.url('/')}", settings=settings)
    assert first.returncode == 0, first.log[-2000:]
    first_files = {p.name for p in warc.glob("*.warc.gz")}
    again = crawl("-a", f"start_url={site.url('/')}", "-a", "refresh=1",
                  settings={**settings, "NEWSCRAWLER_WACZ": str(tmp_path / "again.wacz")})
    assert again.returncode == 0, again.log[-2000:]
    later = {}
    for path in set(warc.glob("*.warc.gz")) - {warc / name for name in first_files}:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "revisit" and not record.http_headers:
                    later[record.rec_headers.get_header("WARC-Target-URI")] = record.rec_headers.get_header("WARC-Date")
    assert {site.url(path.lstrip("/")) for path in expected} <= set(later), "unchanged pages not written as revisits"
    assert again.stats["newscrawler/warc/revisit_bytes_saved"] > 0
    with zipfile.ZipFile(tmp_path / "again.wacz") as archive:
        packed = {Path(name).name for name in archive.namelist() if name.endswith(".warc.gz")}
    assert first_files <= packed and len(packed) > len(first_files)
    valid = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(tmp_path / "again.wacz")],
                           capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout[-2000:]
    try:
        find_wayback()
    except FileNotFoundError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"pywb is required under CI=true: {exc}")
        pytest.skip(f"replay of the later capture not checked: {exc}")
    with pywb_collection(tmp_path / "pywb", [tmp_path / "again.wacz"]) as base:
        for path, headline in expected.items():
            url = site.url(path.lstrip("/"))
            stamp = "".join(ch for ch in later[url] if ch.isdigit())[:14]
            with urllib.request.urlopen(f"{base}{stamp}id_/{url}") as replayed:
                assert replayed.status == 200 and headline in replayed.read().decode()
