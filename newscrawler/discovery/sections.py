"""The section a listing page stands for, so a story found on it gets a section when its own page names none.

A crawl that reaches a story through ``/health/`` knows the story was filed under Health.
Tag, author, search and archive listings are not sections; the front page is none.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# Listings that group stories by something other than their section.
_NOT_SECTIONS = frozenset({
    "tag", "tags", "topic", "topics", "author", "authors", "search", "feed", "rss", "comments", "label", "labels",
    "keyword", "keywords", "people", "profile", "user", "users", "archive", "archives", "series", "subject",
    "subjects",
})
# Path segments that say "listing" without naming one.
_FILLER = re.compile(r"^(?:category|categories|section|sections|page|page[-_]?\d+(?:\.html?)?|\d+|"
                     r"(?:index|default)\.(?:html?|php|aspx?))$", re.IGNORECASE)


def listing_section(url: str, link_text: str | None = None) -> str | None:
    """The section a listing URL names ("/category/world/page/2/" -> "World"), None for other listings.

    ``link_text`` is the text of the link that led to the listing ("U.S. News"): it names the
    section as the site writes it, and is used when it spells the same as the URL's segment.
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segments = [unquote(s) for s in path.split("/") if s]
    if any(s.lower() in _NOT_SECTIONS for s in segments):
        return None
    names = [s for s in segments if not _FILLER.match(s)]
    if not names or len(names) > 2:
        return None
    slug = re.sub(r"\.(?:html?|php|aspx?)$", "", names[-1], flags=re.IGNORECASE)
    if not slug or slug.count("-") > 2:
        return None
    text = " ".join((link_text or "").split())
    if text and len(text.split()) <= 4 and _letters(text) == _letters(slug):
        return text
    return " ".join(word.capitalize() for word in re.split(r"[-_+]+", slug) if word) or None


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()
