"""A news site that changes between runs, served with real HTTP validators, for re-crawl tests.

Every story is in a section (20 a page, ``rel=next``), in a sitemap with its ``lastmod`` and,
for the newest, in an RSS feed; so each is first reached through a section page and listed
by the sitemap too, as on real sites. The server answers ``ETag`` / ``Last-Modified`` and
``304 Not Modified`` like a well-behaved CMS, logs every request (path, status, bytes), and can
misbehave on purpose:

- ``lastmod_now``: the sitemaps stamp every entry with the time of the request;
- ``etag_every_request``: a new ETag on every answer, no Last-Modified;
- ``bogus_304``: 304 to every request that carries no validators, for the paths given;
- ``calendar``: an endless "Next day »" archive at ``/archive/?day=N`` (no story on any day),
  linked from the home page, with an archive of a year in the future linked too;
- ``scripted``: two sections whose story links only a script shows: ``/live/`` builds them
  from inline JSON data into an empty ``<div id="live-stories">``, ``/wire/`` by ``fetch()``
  from ``/api/wire.json``. Their stories are in no sitemap, feed or other section.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from newscrawler.demo.server import serving_in_thread
from tests.prose import distinct_paragraphs

EPOCH = datetime(2024, 1, 1, 8, 0, tzinfo=timezone.utc)
PER_PAGE = 20
SITEMAP_SIZE = 1000


@dataclass
class Story:
    number: int
    section: str
    version: int = 0
    changed_at: datetime = EPOCH

    @property
    def published(self) -> datetime:
        return EPOCH + timedelta(hours=self.number)

    @property
    def path(self) -> str:
        day = self.published
        return f"/{day:%Y/%m/%d}/story-{self.number}/"

    @property
    def lastmod(self) -> datetime:
        return max(self.published, self.changed_at)


@dataclass
class RecrawlSite:
    """The site's content and its misbehaviours; change it between runs."""

    stories: list[Story] = field(default_factory=list)
    sections: tuple[str, ...] = ("world", "business", "science", "culture")
    lastmod_now: bool = False
    etag_every_request: bool = False
    bogus_304: frozenset[str] = frozenset()
    calendar: bool = False
    feed_size: int = 50
    scripted: int = 0
    """Stories in each of the two script-built sections (0: no such sections)."""
    base: str = ""
    """The served base URL, without the final slash: sitemaps and feeds list absolute URLs."""

    @classmethod
    def build(cls, count: int, **options) -> RecrawlSite:
        site = cls(**options)
        site.add(count)
        return site

    def add(self, count: int) -> list[Story]:
        start = len(self.stories)
        new = [Story(n, self.sections[n % len(self.sections)]) for n in range(start, start + count)]
        self.stories.extend(new)
        return new

    def change(self, stories: list[Story], when: datetime | None = None) -> None:
        """New text and a new lastmod for these stories: an editor's update."""
        for story in stories:
            story.version += 1
            story.changed_at = when or datetime.now(timezone.utc)

    # --- pages ---------------------------------------------------------------------------

    def render(self, path: str, query: str) -> tuple[str, bytes, datetime] | None:
        """(content type, body, last modified) for a path; None for 404."""
        html = "text/html; charset=utf-8"
        if path == "/":
            return html, self._home(), self._newest()
        if path == "/robots.txt":
            return "text/plain", b"User-agent: *\nSitemap: /sitemap.xml\n", EPOCH
        if path == "/sitemap.xml":
            return "application/xml", self._sitemap_index(), self._newest()
        if path.startswith("/sitemap-") and path.endswith(".xml"):
            number = path.removeprefix("/sitemap-").removesuffix(".xml")
            return ("application/xml", self._sitemap(int(number)), self._newest()) if number.isdigit() else None
        if path == "/feed.xml":
            return "application/rss+xml", self._feed(), self._newest()
        if self.scripted and path in ("/live/", "/wire/"):
            return html, self._scripted_section(path.strip("/")), EPOCH
        if self.scripted and path == "/api/wire.json":
            return "application/json", self._story_links_json("wire"), EPOCH
        if self.calendar and path == "/archive/":
            day = query.removeprefix("day=")
            return (html, self._calendar(int(day)), EPOCH) if day.isdigit() else None
        if self.calendar and path.startswith("/archive/2099/"):
            return html, self._page("Archive 2099", "<p>Nothing yet.</p>"), EPOCH
        for section in self.sections:
            if path == f"/{section}/":
                return html, self._section(section, 1), self._newest()
            if path.startswith(f"/{section}/page/"):
                number = path.removeprefix(f"/{section}/page/").strip("/")
                return (html, self._section(section, int(number)), self._newest()) if number.isdigit() else None
        if self.scripted and path.startswith(("/live/", "/wire/")) and path.endswith("-js/"):
            return html, self._scripted_story(path), EPOCH
        story = self._by_path().get(path)
        if story is not None:
            return html, self._story(story), story.lastmod
        return None

    def _by_path(self) -> dict[str, Story]:
        return {s.path: s for s in self.stories}

    def _newest(self) -> datetime:
        return max((s.lastmod for s in self.stories), default=EPOCH)

    def _nav(self) -> str:
        links = "".join(f'<a href="/{s}/">{s.title()}</a> ' for s in self.sections)
        if self.calendar:
            links += '<a href="/archive/?day=0">Archive</a> <a href="/archive/2099/">2099</a>'
        if self.scripted:
            links += ' <a href="/live/">Live</a> <a href="/wire/">Wire</a>'
        return f"<nav>{links}</nav>"

    def _page(self, title: str, main: str, head: str = "") -> bytes:
        return (f'<!doctype html><html><head><title>{escape(title)}</title>{head}'
                f'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
                f"<body><header><a href=\"/\">The Recrawl Times</a>{self._nav()}</header>"
                f"<main>{main}</main><footer>© The Recrawl Times</footer></body></html>").encode()

    def _teasers(self, stories: list[Story]) -> str:
        return "".join(f'<article><h2><a href="{s.path}">Story {s.number} headline</a></h2>'
                       f"<p>{distinct_paragraphs(f'teaser-{s.number}', 1, 14)[0]}</p></article>" for s in stories)

    def _home(self) -> bytes:
        latest = sorted(self.stories, key=lambda s: s.published, reverse=True)[:10]
        return self._page("The Recrawl Times", f"<h1>Latest</h1>{self._teasers(latest)}")

    def _section(self, section: str, number: int) -> bytes:
        stories = sorted((s for s in self.stories if s.section == section), key=lambda s: s.published, reverse=True)
        chunk = stories[(number - 1) * PER_PAGE:number * PER_PAGE]
        more = len(stories) > number * PER_PAGE
        nxt = f'<a rel="next" href="/{section}/page/{number + 1}/">Older stories</a>' if more else ""
        return self._page(f"{section.title()} page {number}", f"<h1>{section.title()}</h1>{self._teasers(chunk)}{nxt}")

    def _story(self, story: Story) -> bytes:
        text = "".join(f"<p>{p}</p>" for p in distinct_paragraphs(f"story-{story.number}-v{story.version}"))
        head = (f'<meta property="og:type" content="article">'
                f'<meta property="article:published_time" content="{story.published.isoformat()}">')
        if story.version:
            head += f'<meta property="article:modified_time" content="{story.changed_at.isoformat()}">'
        return self._page(f"Story {story.number} headline",
                          f"<article><h1>Story {story.number} headline</h1>{text}</article>", head)

    def scripted_paths(self) -> set[str]:
        return {f"/{section}/{section}-story-{n}-js/" for section in ("live", "wire") for n in range(self.scripted)}

    def _story_links_json(self, section: str) -> bytes:
        import json

        return json.dumps([{"url": f"/{section}/{section}-story-{n}-js/", "title": f"{section.title()} story {n}"}
                           for n in range(self.scripted)]).encode()

    def _scripted_section(self, section: str) -> bytes:
        build = ("function show(list){var box=document.getElementById('live-stories');"
                 "list.forEach(function(s){var h=document.createElement('h2');var a=document.createElement('a');"
                 "a.href=s.url;a.textContent=s.title;h.appendChild(a);box.appendChild(h);});}")
        if section == "live":
            data = self._story_links_json("live").decode()
            script = (f'<script type="application/json" id="live-data">{data}</script>'
                      f"<script>{build}show(JSON.parse(document.getElementById('live-data').textContent));</script>")
        else:
            script = f"<script>{build}fetch('/api/wire.json').then(function(r){{return r.json();}}).then(show);</script>"
        return self._page(f"{section.title()}", f'<h1>{section.title()}</h1><div id="live-stories"></div>{script}')

    def _scripted_story(self, path: str) -> bytes:
        slug = path.strip("/").split("/")[-1]
        text = "".join(f"<p>{p}</p>" for p in distinct_paragraphs(slug))
        head = ('<meta property="og:type" content="article">'
                f'<meta property="article:published_time" content="{EPOCH.isoformat()}">')
        return self._page(slug, f"<article><h1>{slug.replace('-', ' ').title()}</h1>{text}</article>", head)

    def _calendar(self, day: int) -> bytes:
        return self._page(f"Archive day {day}", f'<h1>Archive: day {day}</h1><p>No stories on this day.</p>'
                                                f'<a href="/archive/?day={day + 1}">Next day »</a>')

    def _lastmod(self, story: Story) -> str:
        return (datetime.now(timezone.utc) if self.lastmod_now else story.lastmod).isoformat(timespec="seconds")

    def _sitemap_index(self) -> bytes:
        count = (len(self.stories) + SITEMAP_SIZE - 1) // SITEMAP_SIZE
        maps = "".join(f"<sitemap><loc>{self.base}/sitemap-{n}.xml</loc></sitemap>" for n in range(count))
        return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{maps}</sitemapindex>").encode()

    def _sitemap(self, number: int) -> bytes:
        chunk = self.stories[number * SITEMAP_SIZE:(number + 1) * SITEMAP_SIZE]
        urls = "".join(f"<url><loc>{self.base}{s.path}</loc><lastmod>{self._lastmod(s)}</lastmod></url>" for s in chunk)
        return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>").encode()

    def _feed(self) -> bytes:
        latest = sorted(self.stories, key=lambda s: s.published, reverse=True)[:self.feed_size]
        items = "".join(f"<item><title>Story {s.number} headline</title><link>{self.base}{s.path}</link>"
                        f"<pubDate>{format_datetime(s.published)}</pubDate></item>" for s in latest)
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Recrawl Times</title><link>/</link>'
                f"{items}</channel></rss>").encode()


@dataclass
class ServedRecrawlSite:
    """The running server: its base URL and its request log."""

    base_url: str
    site: RecrawlSite
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    bytes_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()
            self.statuses.clear()
            self.bytes_sent = 0

    def story_fetches(self) -> Counter[str]:
        paths = {s.path for s in self.site.stories}
        with self.lock:
            return Counter({p: n for p, n in self.requests.items() if p in paths})

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(n for p, n in self.requests.items() if p.startswith(prefix))


class _Handler(BaseHTTPRequestHandler):
    served: ServedRecrawlSite

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        log_path = parts.path + (f"?{parts.query}" if parts.query else "")
        site = self.served.site
        rendered = site.render(parts.path, parts.query)
        if rendered is None:
            self._answer(log_path, 404, b"not found", {"Content-Type": "text/plain"})
            return
        content_type, body, modified = rendered
        has_validators = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        if parts.path in site.bogus_304 and not has_validators:
            self._answer(log_path, 304, b"", {})
            return
        if site.etag_every_request:
            etag = f'"{hashlib.sha1(body + str(threading.get_ident()).encode()).hexdigest()[:16]}-{id(self)}"'
            headers = {"ETag": etag}
        else:
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if self._not_modified(etag, modified) and not site.etag_every_request:
            self._answer(log_path, 304, b"", headers)
            return
        self._answer(log_path, 200, body, {"Content-Type": content_type, **headers})

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [m.strip() for m in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _answer(self, log_path: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        with self.served.lock:
            self.served.requests[log_path] += 1
            self.served.statuses[(log_path, status)] += 1
            self.served.bytes_sent += len(body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


@contextmanager
def serve_recrawl_site(site: RecrawlSite) -> Iterator[ServedRecrawlSite]:
    """Serve ``site`` on 127.0.0.1 (a free port) until the block exits."""
    served = ServedRecrawlSite("", site)
    handler = type("Handler", (_Handler,), {"served": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    served.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    site.base = served.base_url.rstrip("/")
    with serving_in_thread(server, "recrawl-site"):
        yield served
