"""Local HTTP servers that misbehave on purpose, for crawls that must survive a hostile network.

``serve_site(routes)`` serves a table of routes on 127.0.0.1 (never any other address) in a
background thread and counts every request by path. A route is a page plus, optionally, a
fault that hits its first ``times`` requests (``None``: every request): 5xx and 429 with
``Retry-After``, responses slower than the crawl's timeout, connections reset mid-body,
truncated gzip, redirects; ``serve_silent`` accepts connections and never answers. ``serve_hostile_site`` serves a small news site made of such
routes, with a decoy "other site"; the redis tests and ``bench/crawl.py`` use
``plain_news_routes`` (many well-behaved articles; ``serve_site(delay=...)`` slows every answer).
"""

from __future__ import annotations

import gzip
import json
import random
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newscrawler.demo.server import serving_in_thread
from newscrawler.demo.stories import Section, Story, StoryWriter

SECTIONS = [Section("World", "world"), Section("Business", "business"), Section("Science", "science")]
LATEST = datetime(2024, 5, 20, 9, 30, tzinfo=timezone(timedelta(hours=1)))


@dataclass
class Route:
    """One path: what it normally answers, and the fault its first ``times`` requests get."""

    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None
    """``status:N`` (with ``Retry-After: 1`` for 429/503), ``slow:SECONDS``, ``reset``,
    ``gzip_truncated``, ``redirect:URL`` (302 to URL; ``{other}`` is replaced by the
    decoy server's base URL), ``after:PATH:SECONDS`` (answered SECONDS after PATH was first
    requested, waiting for it at most 30 s)."""
    times: int | None = None
    """How many first requests get the fault; None: all of them."""


@dataclass
class HostileSite:
    """A running server: its base URL and the requests it has answered, by path."""

    base_url: str
    routes: dict[str, Route]
    delay: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    substitutions: dict[str, str] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests[path]

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())


class _Handler(BaseHTTPRequestHandler):
    site: HostileSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - name fixed by the base class
        path = self.path.split("#", 1)[0]
        with self.site.lock:
            self.site.requests[path] += 1
            attempt = self.site.requests[path]
        if self.site.delay:
            time.sleep(self.site.delay)
        route = self.site.routes.get(path)
        if route is None:
            self._send(404, b"<html><body>not found</body></html>", "text/html; charset=utf-8")
            return
        faulty = route.fault is not None and (route.times is None or attempt <= route.times)
        try:
            if faulty:
                self._fault(route)
            else:
                self._send(route.status, route.body, route.content_type, route.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout) or we reset it on purpose

    def _fault(self, route: Route) -> None:
        kind, _, argument = (route.fault or "").partition(":")
        if kind == "status":
            code = int(argument)
            headers = {"Retry-After": "1"} if code in (429, 503) else {}
            self._send(code, b"<html><body>try again later</body></html>", "text/html", headers)
        elif kind == "slow":
            time.sleep(float(argument))
            self._send(route.status, route.body, route.content_type, route.headers)
        elif kind == "reset":
            self.send_response(200)
            self.send_header("Content-Type", route.content_type or "text/html")
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body[: len(route.body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif kind == "gzip_truncated":
            packed = gzip.compress(route.body)
            self._send(200, packed[: len(packed) // 2], route.content_type, {"Content-Encoding": "gzip"})
        elif kind == "after":
            path, _, seconds = argument.rpartition(":")
            deadline = time.monotonic() + 30
            while self.site.count(path) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(float(seconds))
            self._send(route.status, route.body, route.content_type, route.headers)
        elif kind == "redirect":
            target = argument
            for name, value in self.site.substitutions.items():
                target = target.replace("{" + name + "}", value)
            self._send(302, b"", "text/html", {"Location": target})
        else:
            raise ValueError(f"unknown fault {route.fault!r}")

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # connections the crawler dropped mid-answer are expected here


@contextmanager
def serve_site(routes: dict[str, Route], delay: float = 0.0, **substitutions: str) -> Iterator[HostileSite]:
    """Serve ``routes`` on 127.0.0.1 at a free port until the block exits.

    ``delay`` seconds are slept before every answer; ``substitutions`` fill ``{name}``
    placeholders in redirect targets.
    """
    site = HostileSite(base_url="", routes=routes, delay=delay, substitutions=substitutions)
    handler = type("HostileHandler", (_Handler,), {"site": site})
    server = _Server(("127.0.0.1", 0), handler)
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    with serving_in_thread(server, "hostile-site"):
        yield site


def gzip_bomb(expanded_mib: int, prefix: bytes = b"") -> bytes:
    """A valid gzip stream of ``prefix`` and then ``expanded_mib`` MiB of zeros, ~1 KB on the wire
    per MiB: one compressed MiB repeated (each ends in a full flush, so it stands alone)."""
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    mib = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = mib.compress(zeros) + mib.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = zlib.crc32(prefix)
    for _ in range(expanded_mib):
        crc = zlib.crc32(zeros, crc)
    size = (len(prefix) + expanded_mib * len(zeros)) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + head + block * expanded_mib + end + struct.pack("<II", crc, size)


@contextmanager
def serve_silent() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts every connection and never answers (a hung backend
    behind a load balancer); yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            held.append(connection)  # kept open, never read, never answered

    thread = threading.Thread(target=accept, name="silent-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


# --- Page content ------------------------------------------------------------------------------

def write_stories(count: int, seed: int = 8) -> list[Story]:
    """``count`` distinct invented stories (the demo's writer, our own seed)."""
    return StoryWriter(random.Random(seed)).newsroom(SECTIONS, count, LATEST)


def story_notes(story: Story, words: int = 150) -> str:
    """A paragraph no other story has: generated stories share templates, and the dedupe
    pipeline rightly drops near-duplicates, which a crawl test must not mistake for losses."""
    rng = random.Random(story.number * 7919 + len(story.title))
    letters = "aeioulnrstdkmpgbh"
    return "Notes: " + " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(words)) + "."


def article_html(story: Story, padding: str = "") -> str:
    """A plain article page: og:type article, a dated byline, the story's paragraphs."""
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in [*story.text_blocks(), story_notes(story)])
    published = story.published.isoformat()
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(story.title)} | Local Ledger</title>"
        f"<meta property='og:type' content='article'><meta property='article:published_time' content='{published}'>"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(story.title)}</h1>"
        f"<p class='byline'>By {escape(', '.join(story.authors))} · <time datetime='{published}'>{published[:10]}</time></p>"
        f"{paragraphs}</article>{padding}<footer>© 2024 Local Ledger</footer></body></html>"
    )


def listing_html(title: str, links: list[tuple[str, str]], next_href: str | None = None) -> str:
    """A section page: one teaser per link, and a "Next" link when there are more pages."""
    teasers = "".join(
        f"<div class='teaser'><h3><a href='{href}'>{escape(text)}</a></h3></div>" for href, text in links
    )
    more = f"<a rel='next' href='{next_href}'>Next ›</a>" if next_href else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body><nav><a href='/'>Home</a></nav><h1>{escape(title)}</h1>{teasers}{more}</body></html>")


def page(html: str, **kwargs: object) -> Route:
    return Route(body=html.encode("utf-8"), **kwargs)  # type: ignore[arg-type]


def plain_news_routes(articles: int, per_page: int = 20, sections: int = 6,
                      seed: int = 8) -> tuple[dict[str, Route], dict[str, str]]:
    """A well-behaved site: a home page, ``sections`` paginated listings, ``articles`` stories.

    Sections keep pagination chains short (DEPTH_LIMIT counts every "Next" hop). Returns
    the routes and the expected articles (path -> headline).
    """
    stories = write_stories(articles, seed)
    routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain")}
    expected: dict[str, str] = {}
    for story in stories:
        path = f"/news/{story.number}/{story.slug}.html"
        routes[path] = page(article_html(story))
        expected[path] = story.title
    paths = list(expected)
    section_links = []
    for section in range(1, sections + 1):
        mine = paths[section - 1::sections]
        pages = [mine[i:i + per_page] for i in range(0, len(mine), per_page)] or [[]]
        base = f"/section-{section}/"
        section_links.append((base, f"Section {section}"))
        for number, chunk in enumerate(pages, start=1):
            listing_path = base if number == 1 else f"{base}page-{number}.html"
            next_href = f"{base}page-{number + 1}.html" if number < len(pages) else None
            links = [(p, expected[p]) for p in chunk]
            routes[listing_path] = page(listing_html(f"Section {section}, page {number}", links, next_href))
    routes["/"] = page(listing_html("Local Ledger", section_links))
    return routes, expected


# --- The hostile site ----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40

# Article number -> how the server treats it, and whether a crawl can get it in the end.
FAULTS: dict[int, tuple[dict, bool]] = {
    0: ({}, True),
    1: ({}, True),
    2: ({}, True),
    3: ({"fault": "status:500", "times": 1}, True),
    4: ({"fault": "status:500"}, False),
    5: ({"fault": "status:503", "times": 1}, True),
    6: ({"fault": "status:429", "times": 2}, True),
    7: ({"fault": "slow:2.5", "times": 1}, True),
    8: ({"fault": "slow:2.5"}, False),
    9: ({"fault": "reset", "times": 1}, True),
    10: ({"fault": "reset"}, False),
    11: ({"fault": "status:503"}, False),
}
WRONG_CHARSET, NO_CHARSET, BIG, REDIRECTED, TRUNCATED_GZIP = 12, 13, 14, 15, 16


def hostile_routes() -> tuple[dict[str, Route], dict[str, str], set[str]]:
    """The site: routes, the articles a crawl must store (final path -> title), and the lost ones."""
    stories = write_stories(17, seed=31)
    routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain")}
    links: list[tuple[str, str]] = []
    expected: dict[str, str] = {}
    lost: set[str] = set()
    for story in stories:
        path = f"/news/{story.number}/{story.slug}.html"
        links.append((path, story.title))
        html = article_html(story)
        number = story.number - stories[0].number
        if number in FAULTS:
            options, reachable = FAULTS[number]
            routes[path] = page(html, **options)
            (expected.__setitem__(path, story.title) if reachable else lost.add(path))
        elif number == WRONG_CHARSET:
            # Says UTF-8, is Windows-1252: must be decoded leniently, not crash the crawl.
            routes[path] = Route(html.replace("<h1>", "<h1>Café “Zürich” – ").encode("cp1252", "replace"))
            expected[path] = story.title
        elif number == NO_CHARSET:
            text = html.replace("<meta charset='utf-8'>", "").replace("<h1>", "<h1>Señor ")
            routes[path] = Route(text.encode("latin-1", "replace"), content_type="text/html")
            expected[path] = story.title
        elif number == BIG:
            # 10 MB, as pages carrying a whole app state in an inline script are.
            blob = "<script>window.__STATE__=\"" + "x" * (10 * 1024 * 1024) + "\"</script>"
            routes[path] = page(article_html(story, padding=blob))
            expected[path] = story.title
        elif number == REDIRECTED:
            final = f"/moved/{story.slug}.html"
            routes[path] = Route(fault=f"redirect:{final}")
            routes[final] = page(html)
            expected[final] = story.title
        elif number == TRUNCATED_GZIP:
            routes[path] = page(html, fault="gzip_truncated")
            lost.add(path)
    routes["/loop/a.html"] = Route(fault="redirect:/loop/b.html")
    routes["/loop/b.html"] = Route(fault="redirect:/loop/a.html")
    routes["/go/elsewhere.html"] = Route(fault="redirect:{decoy}news/offsite.html")
    routes["/files/photo.html"] = Route(PNG, content_type="text/html")
    routes["/files/huge.html"] = Route(b"<html>" + b" " * (21 * 1024 * 1024))  # past DOWNLOAD_MAXSIZE
    # Both ends of the loop are linked: it must be counted whichever end is met first.
    extra = [("/loop/a.html", "Loop"), ("/loop/b.html", "Loop back"), ("/go/elsewhere.html", "Partner story"), ("/files/photo.html", "Photo"),
             ("/files/huge.html", "Archive"),
             ("/gone.html", "Gone"), ("{decoy}news/linked.html", "Partner site")]
    routes["/"] = page(listing_html("Local Ledger", links + extra))
    return routes, expected, lost


@contextmanager
def serve_hostile_site() -> Iterator[tuple[HostileSite, HostileSite, dict[str, str], set[str]]]:
    """The hostile site and a decoy "other site" it links and redirects to.

    Yields (site, decoy, expected articles: final path -> title, paths lost for good). The
    decoy is the same machine under the name ``localhost``: off the allowed domains as far
    as a crawl started on 127.0.0.1 knows, so any request it gets is a leak.
    """
    decoy_routes = {p: page(article_html(write_stories(1, seed=99)[0])) for p in ("/news/offsite.html", "/news/linked.html")}
    with serve_site(decoy_routes) as decoy:
        decoy_base = decoy.base_url.replace("127.0.0.1", "localhost")
        routes, expected, lost = hostile_routes()
        routes["/"] = Route(routes["/"].body.replace(b"{decoy}", decoy_base.encode()))
        with serve_site(routes, decoy=decoy_base) as site:
            yield site, decoy, expected, lost


# --- A site built by JavaScript ------------------------------------------------------------------

SCRIPTED_LISTING = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Home</a></nav><h1>{title}</h1><div id="teasers">Loading…</div>
<script>
fetch("{data}").then(r => r.json()).then(stories => {{
  const box = document.getElementById("teasers");
  box.textContent = "";
  for (const s of stories) {{
    const div = document.createElement("div");
    div.className = "teaser";
    div.innerHTML = '<h3><a href="' + s.url + '"></a></h3>';
    div.querySelector("a").textContent = s.title;
    box.appendChild(div);
  }}
}});
</script></body></html>"""

SCRIPTED_ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Night Desk</title>
<meta property="og:type" content="article"></head>
<body><nav><a href="/">Home</a></nav><article id="story"><h1>Loading…</h1></article>
<script>
fetch("{data}").then(r => r.json()).then(story => {{
  document.title = story.title + " | Night Desk";
  const article = document.getElementById("story");
  article.querySelector("h1").textContent = story.title;
  const byline = document.createElement("p");
  byline.innerHTML = 'By ' + story.author + ' · <time datetime="' + story.published + '">' + story.published.slice(0, 10) + '</time>';
  article.appendChild(byline);
  for (const text of story.paragraphs) {{
    const p = document.createElement("p");
    p.textContent = text;
    article.appendChild(p);
  }}
}});
</script></body></html>"""


def _write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def build_scripted_site(root: Path, scripted: int, plain: int = 0) -> tuple[dict[str, str], dict[str, str]]:
    """``scripted`` stories under /live/ (list and text by JavaScript), ``plain`` under /news/.

    Returns (scripted path -> title, plain path -> title).
    """
    stories = write_stories(scripted + plain, seed=77)
    live: dict[str, str] = {}
    listing = []
    for story in stories[:scripted]:
        path, data = f"/live/{story.slug}.html", f"/live/data/{story.slug}.json"
        live[path] = story.title
        listing.append({"url": path, "title": story.title})
        _write(root, path, SCRIPTED_ARTICLE.format(data=data))
        _write(root, data, json.dumps({"title": story.title, "author": ", ".join(story.authors),
                                       "published": story.published.isoformat(), "paragraphs": story.text_blocks()}))
    _write(root, "/live/stories.json", json.dumps(listing))
    _write(root, "/live/", SCRIPTED_LISTING.format(title="Live", data="/live/stories.json"))
    news: dict[str, str] = {}
    for story in stories[scripted:]:
        path = f"/news/{story.slug}.html"
        news[path] = story.title
        _write(root, path, article_html(story))
    sections = [("/live/", "Live")] + ([("/news/", "News")] if plain else [])
    if plain:
        _write(root, "/news/", listing_html("News", list(news.items())))
    # The home page's section menu is built by a script too.
    menu = "".join(f'<a href="{href}">{escape(text)}</a> ' for href, text in sections)
    _write(root, "/", listing_html("Night Desk", []).replace(
        "</h1>", f"</h1><div id='menu'></div><script>document.getElementById('menu').innerHTML = {json.dumps(menu)};</script>"))
    _write(root, "/robots.txt", "User-agent: *\nDisallow:\n")
    return live, news
