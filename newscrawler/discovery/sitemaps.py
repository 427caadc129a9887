"""Sitemaps read as data: URLs, ``lastmod`` and the Google News fields Scrapy's parser drops.

``parse_sitemap`` streams the XML (lxml ``iterparse``, each ``<url>`` cleared once read), so a
100,000-URL sitemap costs the entries kept, not the tree. It never expands entities, never
touches the network, caps the decompressed size (gzip bombs) and the number of entries,
and recovers what it can from malformed XML, listing what went wrong in ``errors``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from lxml import etree

from newscrawler.discovery.compression import BodyTooLarge, CappedReader, head, is_gzip
from newscrawler.discovery.dates import DateReader
from newscrawler.discovery.problems import Problems

COMMON_SITEMAP_PATHS = (
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/sitemap-index.xml",
    "/news-sitemap.xml",
    "/sitemap-news.xml",
    "/sitemap_news.xml",
    "/wp-sitemap.xml",
    "/sitemap.xml.gz",
)
"""Where sites put sitemaps when robots.txt names none."""

MAX_SITEMAP_ENTRIES = 50_000
"""The sitemap protocol's own limit per file; entries past it are counted, not kept."""
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
"""The protocol's 50 MB uncompressed limit; also what a gzipped sitemap may expand to."""


@dataclass(slots=True)
class SitemapEntry:
    """One ``<url>`` (or ``<sitemap>`` in an index)."""

    loc: str
    """Absolute URL, whitespace stripped."""
    lastmod: str | None = None
    """``<lastmod>`` as ISO 8601 (offset kept when given); None when absent or wrong."""
    news_title: str | None = None
    """``<news:title>``: the story's headline."""
    news_publication_date: str | None = None
    """``<news:publication_date>`` as ISO 8601; None when absent or wrong."""
    news_keywords: list[str] = field(default_factory=list)
    """``<news:keywords>`` split on commas."""
    news_language: str | None = None
    """``<news:language>`` of ``<news:publication>`` (ISO 639 code)."""
    news_publication_name: str | None = None
    """``<news:name>`` of ``<news:publication>``."""

    def listing(self) -> dict[str, Any]:
        """What the entry says about its page, as the spider hands it on (``extract/listing.py``
        fills the article's gaps with it; the date window and the re-crawl filter read its dates)."""
        published = self.news_publication_date
        return {"via": "sitemap", "lastmod": self.lastmod or published, "published": published,
                "title": self.news_title, "tags": self.news_keywords, "language": self.news_language}


@dataclass
class Sitemap(Problems):
    """What one sitemap file holds and what went wrong reading it."""

    url: str
    kind: Literal["urlset", "index"] = "urlset"
    entries: list[SitemapEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Messages for the log, the first ``MAX_ERRORS`` of them."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Every problem counted by reason: ``xml_error``, ``unparseable_date``, ``bad_loc``, ..."""
    skipped: int = 0
    """Entries found past ``max_entries`` and dropped."""


def parse_sitemap(
    body: bytes,
    url: str,
    *,
    max_entries: int = MAX_SITEMAP_ENTRIES,
    max_bytes: int = MAX_SITEMAP_BYTES,
    now: datetime | None = None,
) -> Sitemap:
    """Read an XML (or plain-text) sitemap, gzipped or not; never raises on bad input."""
    sitemap = Sitemap(url=url)
    start = head(body, 512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        if is_gzip(body):
            sitemap.note("gzip data that does not decompress", "bad_gzip")
        else:
            sitemap.note("empty sitemap", "empty")
        return sitemap
    if not start.startswith(b"<"):
        _parse_text(body, sitemap, max_entries, max_bytes)
        return sitemap
    reader = CappedReader(body, max_bytes)
    events = etree.iterparse(
        reader, events=("end",), tag=("{*}url", "{*}sitemap"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
    )
    dates = DateReader(now)
    try:
        for _event, element in events:
            if element.tag.endswith("sitemap"):
                sitemap.kind = "index"
            if len(sitemap.entries) >= max_entries:
                sitemap.skipped += 1
            else:
                entry = _entry(element, sitemap, dates)
                if entry is not None:
                    sitemap.entries.append(entry)
            _release(element)
    except BodyTooLarge as exc:
        sitemap.note(f"stopped reading: {exc}", "too_large")
    except (etree.XMLSyntaxError, OSError, EOFError) as exc:
        sitemap.note(f"XML error: {exc}", "xml_error")
    root = getattr(events, "root", None)
    if root is not None:
        _check_root(root, sitemap)
    for error in events.error_log:
        sitemap.note(f"XML error line {error.line}: {error.message}", "xml_error")
    if sitemap.skipped:
        sitemap.note(f"{sitemap.skipped} entries past the limit of {max_entries} not kept", "over_limit",
                     sitemap.skipped)
    if dates.summary():
        sitemap.errors.append(dates.summary())  # past the cap on notes: it says what the cap hides
    return sitemap


def is_sitemap(body: bytes, content_type: str | None = None) -> bool:
    """Whether a body is an XML sitemap or sitemap index (gzipped or not), whatever its type says."""
    start = head(body, 2048).lower()
    return b"<urlset" in start or b"<sitemapindex" in start


def _check_root(element: etree._Element, sitemap: Sitemap) -> None:
    name = _local(element)
    if element.getroottree().docinfo.internalDTD is not None:
        sitemap.note("DOCTYPE ignored: entities in sitemaps are never expanded", "doctype")
    if name == "sitemapindex":
        sitemap.kind = "index"
    elif name != "urlset":
        sitemap.note(f"not a sitemap: the root element is <{name}>", "not_a_sitemap")


def _local(element: etree._Element) -> str:
    """Tag name without its namespace: sitemaps come with, without and with wrong namespaces."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _entry(element: etree._Element, sitemap: Sitemap, dates: DateReader) -> SitemapEntry | None:
    values: dict[str, str] = {}
    news: etree._Element | None = None
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if name == "news":
            news = child
        elif name in ("loc", "lastmod") and name not in values:
            if any(not isinstance(part.tag, str) for part in child):
                sitemap.note(f"<{name}> with an entity reference skipped", "entity_reference")
                return None
            values[name] = (child.text or "").strip()
    loc = values.get("loc", "")
    if not loc.startswith(("http://", "https://")):
        sitemap.note(f"entry without an absolute http(s) <loc>: {loc[:100]!r}", "bad_loc")
        return None
    entry = SitemapEntry(loc=loc)
    entry.lastmod = _date(values.get("lastmod"), "lastmod", loc, sitemap, dates)
    if news is not None:
        _read_news(news, entry, sitemap, dates)
    return entry


def _read_news(news: etree._Element, entry: SitemapEntry, sitemap: Sitemap, dates: DateReader) -> None:
    for child in news.iter():
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        text = " ".join((child.text or "").split()) or None
        if name == "title":
            entry.news_title = text
        elif name == "publication_date":
            entry.news_publication_date = _date(text, "news:publication_date", entry.loc, sitemap, dates)
        elif name == "keywords" and text:
            entry.news_keywords = [k.strip() for k in text.split(",") if k.strip()]
        elif name == "language":
            entry.news_language = text
        elif name == "name":
            entry.news_publication_name = text


def _date(raw: str | None, what: str, loc: str, sitemap: Sitemap, dates: DateReader) -> str | None:
    value, problem, reason = dates.read(raw)
    if problem:
        sitemap.note(f"{what} of {loc}: {problem}", reason or "bad_date")
    return value


def _release(element: etree._Element) -> None:
    """Free an entry once read, and the siblings before it, so memory stays flat."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _parse_text(body: bytes, sitemap: Sitemap, max_entries: int, max_bytes: int) -> None:
    """A text sitemap: one URL a line (the protocol allows it)."""
    reader = CappedReader(body, max_bytes)
    try:
        text = b"".join(iter(lambda: reader.read(65536), b""))
    except BodyTooLarge as exc:
        sitemap.note(f"stopped reading: {exc}", "too_large")
        return
    except (OSError, EOFError) as exc:
        sitemap.note(f"cannot decompress: {exc}", "bad_gzip")
        return
    for line in text.decode("utf-8", "replace").splitlines():
        loc = line.strip()
        if not loc:
            continue
        if not loc.startswith(("http://", "https://")):
            sitemap.note(f"not a URL in a text sitemap: {loc[:100]!r}", "bad_loc")
            if not sitemap.entries:
                return
            continue
        if len(sitemap.entries) >= max_entries:
            sitemap.skipped += 1
        else:
            sitemap.entries.append(SitemapEntry(loc=loc))
    if sitemap.skipped:
        sitemap.note(f"{sitemap.skipped} entries past the limit of {max_entries} not kept", "over_limit",
                     sitemap.skipped)
