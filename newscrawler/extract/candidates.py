"""``PageMetadata``: every field candidate the page's markup offers, filled source by source."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newscrawler.extract.dates import DateCandidate
from newscrawler.extract.text import absolute_url


@dataclass
class PageMetadata:
    """Every field candidate a page's markup offers, before the article is assembled."""

    titles: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    dates: list[DateCandidate] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    image_urls: list[str] = field(default_factory=list)
    article_body: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    content_roots: list[HtmlElement] = field(default_factory=list)
    """Elements that look like the story's container (``<article>``, ``.entry-content``)."""
    problems: list[str] = field(default_factory=list)
    """Reason codes of what could not be read (``jsonld_broken``, ``jsonld_too_deep``)."""

def add_image(meta: PageMetadata, value: str, base: str) -> None:
    if not value or value.startswith("data:"):
        return
    absolute = absolute_url(value, base)
    if urlsplit(absolute).scheme in ("http", "https") and absolute not in meta.image_urls:
        meta.image_urls.append(absolute)

