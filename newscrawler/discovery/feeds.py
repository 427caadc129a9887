"""Feeds read as data: RSS 2.0 / RSS 1.0 / Atom through feedparser, JSON Feed through ``json``.

Each entry keeps its link, title and dates, which the crawl uses as metadata and to decide
what to fetch. feedparser copes with broken feeds and drops unsafe entity declarations;
dates are normalised here so the offset a feed states is kept (feedparser's own parsed
dates are converted to UTC).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from newscrawler.discovery.compression import BodyTooLarge, CappedReader, head
from newscrawler.discovery.dates import DateReader
from newscrawler.discovery.problems import Problems

COMMON_FEED_PATHS = (
    "/feed/",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
)
"""Where sites put their main feed when no page links to it."""

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
"""Content types that name a feed (also the ``type`` of ``<link rel=alternate>``)."""
MAX_FEED_BYTES = 10 * 1024 * 1024
"""Largest feed read (decompressed). feedparser costs about 4 µs of CPU a byte, so this caps
one feed at some 40 s; real feeds are well under 1 MB."""

_EMAIL = re.compile(r"^[^@\s()]+@[^@\s()]+$")
_EMAIL_NAME = re.compile(r"^[^@\s()]+@[^@\s()]+\s*\((.+)\)$")


@dataclass(slots=True)
class FeedEntry:
    """One feed item: the story it points to and what the feed says about it."""

    link: str
    """Absolute URL of the story."""
    title: str | None = None
    published: str | None = None
    """ISO 8601, with the offset when the feed gives one; None when absent or wrong."""
    updated: str | None = None
    """ISO 8601 like ``published``."""
    summary: str | None = None
    """The entry's summary as the feed gives it (may hold HTML)."""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def listing(self) -> dict[str, Any]:
        """What the entry says about its story, as the spider hands it on (see ``SitemapEntry.listing``)."""
        return {"via": "feed", "lastmod": self.updated or self.published, "published": self.published,
                "title": self.title, "tags": self.tags, "authors": self.authors, "excerpt": self.summary}


@dataclass
class Feed(Problems):
    """What one feed holds and what went wrong reading it."""

    url: str
    kind: Literal["rss", "atom", "json"] = "rss"
    title: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Messages for the log, the first ``MAX_ERRORS`` of them."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Every problem counted by reason: ``malformed``, ``no_link``, ``future_date``, ..."""


def parse_feed(body: bytes, url: str, *, now: datetime | None = None, max_bytes: int = MAX_FEED_BYTES) -> Feed:
    """Read an RSS, Atom or JSON feed (gzipped or not); never raises on bad input."""
    feed = Feed(url=url)
    try:
        data = _read(body, max_bytes)
    except BodyTooLarge as exc:
        feed.note(f"cannot read the feed: {exc}", "too_large")
        return feed
    except (OSError, EOFError) as exc:
        feed.note(f"cannot read the feed: {exc}", "bad_gzip")
        return feed
    dates = DateReader(now)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        feed.kind = "json"
        _parse_json(data, feed, dates)
    else:
        _parse_xml(data, feed, dates)
    if dates.summary():
        feed.errors.append(dates.summary())  # past the cap on notes: it says what the cap hides
    return feed


def _read(body: bytes, max_bytes: int) -> bytes:
    reader = CappedReader(body, max_bytes)
    return b"".join(iter(lambda: reader.read(65536), b""))


def _parse_xml(data: bytes, feed: Feed, dates: DateReader) -> None:
    # response_headers gives feedparser the base for relative links without letting it fetch anything.
    parsed = feedparser.parse(data, response_headers={"content-location": feed.url, "content-type": "application/xml"})
    version = parsed.get("version") or ""
    feed.kind = "atom" if version.startswith("atom") else "rss"
    if parsed.get("bozo"):
        feed.note(f"malformed feed: {parsed.get('bozo_exception')}", "malformed")
    if not version and not parsed.entries:
        feed.note("not a feed: no RSS, Atom or JSON Feed structure found", "not_a_feed")
        return
    feed.title = _text(parsed.feed.get("title"))
    for item in parsed.entries:
        # dict.get: feedparser would answer a missing "updated" with "published".
        updated = dict.get(item, "updated")
        published = item.get("published")
        if not published and feed.kind == "rss":
            # RSS has one item date; RSS 1.0 and many 2.0 feeds give it as <dc:date>, which
            # feedparser files under "updated".
            published = updated
        _add_entry(
            feed, dates, link=_entry_link(item, feed.url), title=item.get("title"), published=published,
            updated=updated, summary=_text(item.get("summary")), authors=_feed_authors(item),
            tags=[t.get("term") or t.get("label") for t in item.get("tags", [])],
        )


def _feed_authors(item: Any) -> list[str]:
    """Author names; an RSS ``<author>`` with an e-mail is read from its raw string, which
    feedparser splits wrongly (``desk@x.example (Asha Rao)``)."""
    raw = item.get("author")
    split_wrongly = isinstance(raw, str) and "@" in raw
    names = [_person(raw) if author.get("email") and split_wrongly else _person(author.get("name"))
             for author in item.get("authors", []) if isinstance(author, dict)]
    return _names(names or [_person(raw)])


def _entry_link(item: Any, base: str) -> str | None:
    """The story URL: the alternate link, else ``<link>``, else a URL-shaped ``<guid>``/``<id>``."""
    candidates = [link.get("href") for link in item.get("links", [])
                  if link.get("rel", "alternate") == "alternate"
                  and link.get("type", "text/html") in ("text/html", "application/xhtml+xml", "")]
    candidates.append(item.get("link"))
    for candidate in candidates:
        url = _absolute(candidate, base)
        if url:
            return url
    return _url_itself(item.get("id"))


def _parse_json(data: bytes, feed: Feed, dates: DateReader) -> None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
        feed.note(f"malformed JSON feed: {exc}", "malformed")
        return
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        feed.note("not a JSON Feed: no top-level object with an 'items' list", "not_a_feed")
        return
    if "jsonfeed.org/version/" not in str(document.get("version", "")):
        feed.note(f"JSON Feed without a known version: {str(document.get('version'))[:60]!r}", "unknown_version")
    feed.title = _text(document.get("title"))
    base = _absolute(document.get("feed_url"), feed.url) or feed.url
    feed_authors = _json_authors(document)
    for item in document["items"]:
        if not isinstance(item, dict):
            feed.note("JSON Feed item that is not an object skipped", "bad_item")
            continue
        link = (_absolute(item.get("url"), base) or _absolute(item.get("external_url"), base)
                or _url_itself(item.get("id")))
        _add_entry(
            feed, dates, link=link, title=item.get("title"), published=item.get("date_published"),
            updated=item.get("date_modified"), summary=_text(item.get("summary")) or _text(item.get("content_text")),
            authors=_json_authors(item) or feed_authors,
            tags=item.get("tags") if isinstance(item.get("tags"), list) else [],
        )


def _add_entry(feed: Feed, dates: DateReader, *, link: str | None, title: Any, published: Any, updated: Any,
               summary: str | None, authors: list[str], tags: list[Any]) -> None:
    """One entry, whatever the feed format; an entry without a link is noted and skipped."""
    if link is None:
        feed.note(f"entry without a link: {str(title or '')[:80]!r}", "no_link")
        return
    feed.entries.append(FeedEntry(
        link=link,
        title=_text(title),
        published=_date(published, "published", link, feed, dates),
        updated=_date(updated, "updated", link, feed, dates),
        summary=summary,
        authors=authors,
        tags=_names(tags),
    ))


def _json_authors(obj: dict[str, Any]) -> list[str]:
    """JSON Feed 1.1 ``authors`` (a list) or 1.0 ``author`` (one object)."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    return _names([a.get("name") for a in authors if isinstance(a, dict)])


def feed_links(html: str, base_url: str) -> list[str]:
    """Feed URLs a page announces with ``<link rel="alternate" type="...rss+xml|atom+xml|feed+json">``."""
    if not html or not html.strip():
        return []
    try:
        document = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = urljoin(base_url, (document.xpath("string(//base/@href)") or "").strip())
    urls: list[str] = []
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            url = _absolute(link.get("href"), base)
            if url and url not in urls:
                urls.append(url)
    return urls


def is_feed(body: bytes, content_type: str | None = None) -> bool:
    """Whether a body is an RSS, Atom or JSON feed, by its content type or, failing that, its start."""
    if content_type and content_type.split(";")[0].strip().lower() in FEED_TYPES:
        return True
    start = head(body, 2048).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"{", b"[")):
        return b"jsonfeed.org/version/" in start
    return b"<rss" in start or b"<rdf:rdf" in start or (b"<feed" in start and b"http://www.w3.org/2005/atom" in start)


def _date(raw: Any, what: str, link: str, feed: Feed, dates: DateReader) -> str | None:
    value, problem, reason = dates.read(raw if isinstance(raw, str) else None)
    if problem:
        feed.note(f"{what} of {link}: {problem}", reason or "bad_date")
    return value


def _person(value: Any) -> str | None:
    """RSS ``<author>`` is an e-mail address, often ``jo@example.com (Jo Smith)``: keep the name."""
    if not isinstance(value, str):
        return None
    match = _EMAIL_NAME.match(value.strip())
    if match:
        return match.group(1)
    return None if _EMAIL.match(value.strip()) else value


def _absolute(candidate: Any, base: str) -> str | None:
    if not isinstance(candidate, str) or not candidate.strip():
        return None
    url = urljoin(base, candidate.strip())
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def _url_itself(candidate: Any) -> str | None:
    """An identifier that is an absolute URL (a permalink ``<guid>``, a JSON Feed ``id``); never resolved."""
    if isinstance(candidate, str) and candidate.strip().startswith(("http://", "https://")):
        return _absolute(candidate, "")
    return None


def _text(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _names(values: list[Any]) -> list[str]:
    """Non-empty, stripped, de-duplicated strings in order."""
    names: list[str] = []
    for value in values:
        name = _text(value)
        if name and name not in names:
            names.append(name)
    return names
