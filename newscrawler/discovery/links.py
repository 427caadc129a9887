"""The links of a fetched page worth following, and what each one is. Pure: HTML in, links out.

A listing page (front page, section, archive) leads to stories, to other listings and to its
next page. :func:`listing_links` reads its anchors once and says, for every link the crawl may
follow: its canonical URL, its text, whether it is pagination ("next", "older posts", "2", a
``/page/3/`` URL, ``rel="next"``), whether it looks like a story (a headline's link, or a dated
URL), and the teaser excerpt printed under its headline, which the dateline pipeline falls back
on when the story's own page has no dateline.

Links the crawl never follows are left out here, by :class:`LinkRules`: other hosts, the
profile's deny patterns, site furniture (logins, feeds, search, share and print views),
documents and media by extension, and URLs with more query parameters than a story URL has
(faceted search and calendars spawn endless combinations; counted under
``too_many_query_params`` in ``skipped``). Scrapy's OffsiteMiddleware would drop other hosts
too, but only after the page's links were judged together: a story link to another site must
neither make a listing look new to the re-crawl filter nor cost it a store lookup.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

from newscrawler.discovery.dates import date_from_url
from newscrawler.urls import canonicalize_url

# Site furniture: admin and login pages, feeds, comment and share views, search.
_DENY = re.compile(
    r"/wp-(?:admin|login|json|includes|content/plugins)|/xmlrpc\.php|/cdn-cgi/|/(?:comments/)?feed/?$|"
    r"/(?:rss|atom)(?:\.xml)?/?$|[?&](?:replytocom|share|print|output|format|amp|preview|attachment_id|"
    r"add-to-cart|action|redirect_to|like_comment|unapproved)=|/(?:login|logout|signin|signup|register|"
    r"subscribe|account|cart|checkout)(?:/|$)|/print/|/embed/?$|/trackback/?$|/(?:search)(?:/|$)|[?&](?:s|q)=",
    re.IGNORECASE,
)
_NOT_PAGES = (".xml", ".json", ".gz", ".txt")
"""Extensions skipped beside the caller's: sitemaps, feeds and robots.txt have their own paths."""
_PAGINATION_TEXT = re.compile(
    r"^\s*(?:next|older|more|load more|more stories|more news|older (?:posts|entries|stories|articles)|"
    r"(?:next|previous|prev|earlier|older) (?:day|week|month|year|issue|edition)\s*[›»→>]*|"
    r"next page|weiter|siguiente|suivant|›|»|→|>|>>|next\s*[›»→>]+|older\s*[›»→>]+)\s*$",
    re.IGNORECASE,
)
_PAGINATION_URL = re.compile(r"/page/\d+/?$|[?&](?:page|paged|pg|start|offset)=\d+|[-_/]page[-_]?\d+(?:\.html?)?/?$",
                             re.IGNORECASE)
_PAGE_NUMBER_TEXT = re.compile(r"^\s*\d{1,4}\s*$")
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:")
_EXCERPT_CHARS = 600


@dataclass(frozen=True)
class LinkRules:
    """Which links a crawl follows at all."""

    allowed_domains: tuple[str, ...]
    """Hosts the crawl stays on; each one's subdomains too."""
    skipped_extensions: tuple[str, ...] = ()
    """Path endings of documents and media (``".pdf"``...); ``.xml .json .gz .txt`` always."""
    max_query_params: int = 3
    denied: Callable[[str], bool] | None = None
    """The site profile's deny patterns, when there is a profile."""
    canonicalize: Callable[[str], str] = canonicalize_url

    def allows_host(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)


@dataclass(frozen=True)
class Link:
    """A link the crawl may follow, as the page shows it."""

    url: str
    """Absolute and canonical."""
    text: str
    """The anchor's text, whitespace as in the page ("" for an image link or ``<link rel=next>``)."""
    is_pagination: bool
    excerpt: str | None = None
    """The teaser under the link's headline ("" when it shows none); None when no headline links here."""
    dated: bool = False
    """The URL carries a publication date (``/2024/03/05/...``)."""

    @property
    def is_story(self) -> bool:
        """Looks like a story: a headline links here, or its URL is dated."""
        return self.excerpt is not None or self.dated


def listing_links(html: str, url: str, rules: LinkRules, skipped: Counter[str] | None = None) -> list[Link]:
    """The followable links of the page at ``url``, each once, in page order.

    ``<head><link rel="next">`` comes last, as pagination. Links left out for having too many
    query parameters are counted in ``skipped`` (each occurrence), the only rule worth a count:
    the others drop what no crawl wants.
    """
    if not html.strip():
        return []
    page = Selector(text=html, type="html")
    excerpts = teaser_excerpts(page, url, rules.canonicalize)
    links: list[Link] = []
    seen: set[str] = set()

    anchors = list(_anchors(page))
    heads = page.xpath("//head/link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").getall()
    for href, text, rel in anchors + [(href, "", {"next"}) for href in heads]:
        link = followable(href, url, rules, skipped)
        if link is None or link in seen:
            continue
        seen.add(link)
        links.append(Link(link, text, _is_pagination(link, text, rel), excerpts.get(link),
                          date_from_url(link) is not None))
    return links


def followable(href: str, base: str, rules: LinkRules, skipped: Counter[str] | None = None) -> str | None:
    """The canonical absolute URL of ``href`` when the crawl may follow it, else None."""
    href = href.strip()
    if not href or href.startswith(_NOT_LINKS):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not rules.allows_host(parts.hostname or ""):
        return None
    if rules.denied is not None and rules.denied(url):
        return None
    if _DENY.search(url) or parts.path.lower().endswith(rules.skipped_extensions + _NOT_PAGES):
        return None
    if len(parse_qsl(parts.query, keep_blank_values=True)) > rules.max_query_params:
        if skipped is not None:
            skipped["too_many_query_params"] += 1
        return None
    return rules.canonicalize(url)


def teaser_excerpts(page: Selector, url: str, canonicalize: Callable[[str], str] = canonicalize_url) -> dict[str, str]:
    """Story URL -> the excerpt its teaser shows under the linked headline ("" when none).

    Excerpts often open with the story's dateline. Every headline link is a key, so the keys
    are the page's stories as its layout shows them.
    """
    excerpts: dict[str, str] = {}
    for heading in page.xpath("//h1|//h2|//h3|//h4"):
        hrefs = heading.xpath(".//a/@href | ancestor::a[1]/@href").getall()
        if not hrefs:
            continue
        story = canonicalize(urljoin(url, hrefs[0].strip()))
        container = heading.xpath("ancestor::*[self::article or self::li or self::div or self::section][1]")
        text = ""
        if container:
            paragraphs = [" ".join(p.xpath(".//text()").getall()).strip() for p in container[0].xpath(".//p")]
            text = next((p for p in paragraphs if len(p.split()) >= 6), "")
        if text or story not in excerpts:
            excerpts[story] = re.sub(r"\s+", " ", text)[:_EXCERPT_CHARS]
    return excerpts


def _anchors(page: Selector) -> Iterable[tuple[str, str, set[str]]]:
    """(href, text, rel) of every ``<a href>``; nofollow links are not followed unless they say "next"."""
    for a in page.xpath("//a[@href]"):
        text = " ".join(a.xpath(".//text()").getall()).strip()
        rel = set((a.attrib.get("rel") or "").lower().split())
        if "nofollow" in rel and "next" not in rel:
            continue
        yield a.attrib["href"], text, rel


def _is_pagination(url: str, text: str, rel: set[str]) -> bool:
    return "next" in rel or bool(_PAGINATION_TEXT.match(text)) or (
        bool(_PAGINATION_URL.search(url)) and (bool(_PAGE_NUMBER_TEXT.match(text)) or not text))
