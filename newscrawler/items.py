"""The one schema every output shares: JSON Lines, SQLite, PostgreSQL and search.

Items are plain dataclasses; every consumer reads them through ``ItemAdapter`` so
pipelines never depend on the class. ``ItemAdapter(item).asdict()`` turns the nested
``Image`` and ``Dateline`` into plain dicts, which is what the feeds and stores write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Image:
    """A picture that belongs to the article: the featured image or an in-body figure."""

    url: str
    """Absolute URL of the image file."""
    caption: str | None = None
    """The caption as shown to readers, without the credit when it can be told apart."""
    credit: str | None = None
    """Photographer or agency credit ("Jean-Christophe Bott/Pool via REUTERS")."""


@dataclass
class Dateline:
    """Where, and often when, a story was filed: "New Delhi, Sept 29-"."""

    raw: str
    """The dateline exactly as written, separator included ("New Delhi, Sept 29-")."""
    location: str | None = None
    """The place as written ("BAHIA BLANCA, Argentina", "J&K")."""
    month: int | None = None
    """Month number (1-12) when the dateline names one."""
    day: int | None = None
    """Day of month when the dateline names one."""
    year: int | None = None
    """Year only when the dateline itself writes one."""
    date: str | None = None
    """ISO ``YYYY-MM-DD``; the year inferred from the article's publication date."""
    agency: str | None = None
    """Wire agency the dateline names ("Reuters", "AP", "PTI"), as the wire writes it."""
    end: int | None = None
    """Offset in the text where the story itself begins, after the dateline."""


@dataclass
class Article:
    """One news story as extracted from its page.

    Dates are ISO 8601 strings: with the UTC offset when the page states one
    (``2022-09-29T10:15:00+05:30``), a bare date (``2022-09-29``) when the page gives no time.
    """

    url: str
    """Final URL fetched, after redirects."""
    canonical_url: str | None = None
    """The story's own URL: ``<link rel=canonical>`` / ``og:url`` when the page names one,
    else the canonicalised fetch URL. Stores upsert on it."""
    site: str | None = None
    """Host name of the site (``www.`` removed), or the profile name in profile mode."""
    title: str | None = None
    """Headline, without the " | Site name" suffix of the ``<title>``."""
    description: str | None = None
    """Summary the page gives (meta/og description), plain text."""
    authors: list[str] = field(default_factory=list)
    """Person names, cleaned: no "By", no dates, no publisher passed off as a person."""
    published_at: str | None = None
    """Publication time, ISO 8601 (offset kept when given)."""
    published_at_raw: str | None = None
    """The publication date string exactly as found on the page."""
    published_at_source: str | None = None
    """Where it came from: ``jsonld``, ``meta``, ``microdata``, ``microformat`` (hAtom's
    ``<abbr class="published" title=...>``), ``time``, ``url``, ``text`` (a date line readers
    see), ``sitemap``, ``feed``, ``profile``."""
    modified_at: str | None = None
    """Last-modified time, ISO 8601; never before ``published_at``."""
    modified_at_raw: str | None = None
    """The modification date string exactly as found."""
    modified_at_source: str | None = None
    """Where ``modified_at`` came from (same values as ``published_at_source``)."""
    section: str | None = None
    """Section or category name ("Politics"), as the site names it."""
    tags: list[str] = field(default_factory=list)
    """Keywords and tags the page lists, de-duplicated, in page order."""
    language: str | None = None
    """BCP 47 language code (``en``, ``pt-BR``), from markup or else detected."""
    lede: str | None = None
    """The first paragraph of the body."""
    body: str | None = None
    """Plain text of the article: paragraphs, subheads and list items in order,
    separated by a blank line. No captions, share bars, comments or related stories."""
    body_html: str | None = None
    """The cleaned article markup (paragraphs, headings, lists, figures), for archives."""
    images: list[Image] = field(default_factory=list)
    """Featured image first, then in-body figures."""
    dateline: Dateline | None = None
    """The story's dateline, or None when it opens without one."""
    word_count: int = 0
    """Number of words in ``body``."""
    crawled_at: str | None = None
    """When the page was fetched, ISO 8601 in UTC."""
    excerpt: str | None = None
    """The teaser a section page showed for this story (often opens with its dateline)."""
    discovered_via: str | None = None
    """How the crawl found the page: ``start``, ``section``, ``pagination``, ``link``,
    ``sitemap``, ``feed``."""
    lastmod: str | None = None
    """The date the sitemap (``lastmod``) or feed (updated/published) listed the page with
    when it was fetched; a later run fetches the page again only when a newer one is listed."""
    is_update: bool = False
    """True when this record replaces an earlier stored version of the same story."""
    warc_file: str | None = None
    """WARC file holding the response the article came from (when archiving is on)."""
    warc_offset: int | None = None
    """Byte offset of that response record in ``warc_file``."""
    warc_record_id: str | None = None
    """``WARC-Record-ID`` of that response record."""
    replay_url: str | None = None
    """Address of the archived copy in a pywb collection: ``NEWSCRAWLER_REPLAY_URL`` + the
    capture's 14-digit UTC timestamp + ``/`` + ``url`` (when that setting and archiving are on)."""

    @classmethod
    def field_names(cls) -> list[str]:
        """Every field in schema order; stores use it to build their tables."""
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data view, nested dataclasses included (what the feeds write)."""
        from itemadapter import ItemAdapter

        return ItemAdapter(self).asdict()
