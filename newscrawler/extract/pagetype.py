"""Is this page an article? The spider's router asks this of every HTML page it fetches.

News sites mix article pages with homepages, section and tag listings, author pages,
search results and static pages ("About us"). No single signal separates them on every
theme, so the verdict weighs several that are cheap to read:

- structured data: JSON-LD ``@type`` (``NewsArticle`` vs ``CollectionPage``), ``og:type``,
  ``article:published_time``, microdata ``itemtype``;
- the URL: dated paths and long slugs lean article; ``/tag/``, ``/category/``, ``/page/2/``,
  ``?s=`` and the site root lean listing;
- the page's own text: a block of several paragraphs under a heading that is not a link
  (an article body) versus many repeated teasers whose headings link elsewhere (a listing).
  Pages without any metadata must also show a date or a byline, which keeps static pages
  such as "About" and "Contact" out.

Each signal is a row of :data:`SIGNAL_RULES` (reason, points, test); a page is an article at 3
points or more. The page is read from a :class:`~newscrawler.extract.page.Page`, the parse the
extractor reads too.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from newscrawler.extract.page import Page, PageError, parse_page
from newscrawler.extract.vocabulary import ARTICLE_TYPES, LISTING_TYPES, PUBLISHED_META

_DATED_PATH = re.compile(r"/(?:19|20)\d{2}(?:/|-)(?:0?[1-9]|1[0-2])(?:/|-)(?:0?[1-9]|[12]\d|3[01])(?:/|-|\b)")
_YEAR_MONTH_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/")
_LISTING_SEGMENTS = frozenset({
    "tag", "tags", "category", "categories", "topic", "topics", "author", "authors", "section", "sections",
    "archive", "archives", "search", "feed", "rss", "comments", "page", "label", "labels", "series", "people",
    "profile", "user", "users", "keyword", "keywords", "subject", "subjects",
})
_INDEX_FILE = re.compile(r"^(?:index|default)\.(?:html?|php|aspx?)$", re.IGNORECASE)
_STATIC_PATH = re.compile(
    r"/(?:about(?:-us)?|contact(?:-us)?|privacy(?:-policy)?|terms(?:-of-(?:use|service))?|cookies?(?:-policy)?|"
    r"advertise|advertising|subscribe|subscription|newsletters?|login|register|signup|sign-up|careers|jobs|"
    r"imprint|impressum|disclaimer|faq|help|sitemap|team|staff|masthead|corrections|ethics|accessibility)"
    r"(?:\.html?|\.php)?/?$",
    re.IGNORECASE,
)
_LISTING_QUERY_KEYS = {"s", "q", "query", "search", "page", "paged", "tag", "cat", "category", "p_page"}
_ARTICLE_ID = re.compile(r"(?:^|[-_/])\d{4,}(?:\.html?)?/?$")
_WORD = re.compile(r"\w+", re.UNICODE)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TEXT_DATE = re.compile(
    rf"\b(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}-[01]\d-[0-3]\d"
    r"|[0-3]?\d[./][01]?\d[./](?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*(?:by|written by|posted by|von|por|par)\s+[A-Z][\w.'-]+", re.MULTILINE)
_BOILERPLATE_HINT = re.compile(
    r"sidebar|widget|comment|related|share|social|newsletter|footer|menu|navbar|breadcrumb|promo|advert|"
    r"\bads?\b|most-read|popular|trending|recommend|also-like|more-stories|subscribe",
    re.IGNORECASE,
)
_REMOVE_TAGS = ("script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg")
_HEADINGS = ("h1", "h2", "h3", "h4")


@dataclass(frozen=True)
class PageVerdict:
    """The router's answer: article or not, and the evidence for it."""

    is_article: bool
    score: int
    reasons: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "other"
    """``article``, ``listing``, ``static``, ``home`` or ``other``: what the page most looks like."""

    @property
    def reason(self) -> str:
        return ",".join(self.reasons)


@dataclass
class _TextEvidence:
    words: int = 0
    paragraphs: int = 0
    in_teaser: bool = False
    teasers: int = 0
    has_h1: bool = False
    has_date: bool = False
    has_byline: bool = False


def classify_page(html: str | bytes | Page, url: str, *, min_words: int = 80) -> PageVerdict:
    """Weigh structured data, the URL and the text to decide whether ``html`` is an article.

    ``html`` may be a :class:`Page` parsed already, which the extractor then reads too.
    """
    if isinstance(html, Page):
        page = html
    else:
        try:
            page = parse_page(html, url)
        except PageError:
            return PageVerdict(False, -10, ("unparseable",), "other")
    evidence = _Evidence(_structured_signals(page), _url_kind(url), _text_evidence(page.tree, url), min_words)
    score = 0
    reasons: list[str] = []
    for group in SIGNAL_RULES:
        for rule in group:  # the first rule of a group that fires counts, the rest are alternatives
            fired = rule.test(evidence)
            if fired:
                score += rule.points
                reason = rule.reason.format(fired) if "{}" in rule.reason else rule.reason
                reasons.append(f"{reason}{rule.points:+d}")
                break
    structured, kind_from_url, text = evidence.structured, evidence.url_kind, evidence.text

    is_article = score >= 3
    if is_article:
        kind = "article"
    elif kind_from_url in {"home", "listing", "static"}:
        kind = kind_from_url
    elif text.teasers >= 3 or structured.listing_type:
        kind = "listing"
    else:
        kind = "other"
    return PageVerdict(is_article, score, tuple(reasons), kind)


@dataclass
class _Structured:
    article_type: str | None = None
    listing_type: str | None = None
    og_type: str | None = None
    published_meta: bool = False
    microdata_article: bool = False
    body_class: str = ""


@dataclass(frozen=True)
class _Evidence:
    """What the signal rules look at: structured data, the URL's shape and the page's text."""

    structured: _Structured
    url_kind: str
    text: _TextEvidence
    min_words: int

    @property
    def structured_article(self) -> bool:
        s = self.structured
        return bool(s.article_type or s.og_type == "article" or s.microdata_article)


@dataclass(frozen=True)
class SignalRule:
    """``points`` for the verdict when ``test`` fires (returns something true); a ``{}`` in
    ``reason`` is filled with what it returned."""

    reason: str
    points: int
    test: Callable[[_Evidence], object]


def _one(reason: str, points: int, test: Callable[[_Evidence], object]) -> tuple[SignalRule, ...]:
    return (SignalRule(reason, points, test),)


_SINGLE_BODY = re.compile(r"\bsingle-post\b|\bpostid-\d+|\bsingle-format")
_LISTING_BODY = re.compile(r"\b(?:archive|category|tag|author|search|home|blog|paged|error404)\b")
_STATIC_BODY = re.compile(r"\bpage-template|\bpage-id-\d+")

SIGNAL_RULES: tuple[tuple[SignalRule, ...], ...] = (
    # structured data
    (SignalRule("jsonld:{}", 4, lambda e: e.structured.article_type),
     SignalRule("jsonld:{}", -4, lambda e: e.structured.listing_type)),
    (SignalRule("og:article", 3, lambda e: e.structured.og_type == "article"),
     SignalRule("og:{}", -3, lambda e: e.structured.og_type in {"website", "profile", "blog"} and e.structured.og_type)),
    _one("meta:published_time", 1, lambda e: e.structured.published_meta),
    _one("microdata:article", 3, lambda e: e.structured.microdata_article),
    (SignalRule("body:single", 2, lambda e: _SINGLE_BODY.search(e.structured.body_class)),
     SignalRule("body:listing", -3, lambda e: _LISTING_BODY.search(e.structured.body_class)),
     SignalRule("body:page", -2, lambda e: _STATIC_BODY.search(e.structured.body_class))),
    # the URL
    (SignalRule("url:home", -6, lambda e: e.url_kind == "home"),
     SignalRule("url:listing", -4, lambda e: e.url_kind == "listing"),
     SignalRule("url:static", -4, lambda e: e.url_kind == "static"),
     SignalRule("url:dated", 2, lambda e: e.url_kind == "dated"),
     SignalRule("url:slug", 1, lambda e: e.url_kind == "slug")),
    # the text
    (SignalRule("text:body", 3, lambda e: e.text.words >= e.min_words and not e.text.in_teaser),
     SignalRule("text:teasers", -3, lambda e: e.text.in_teaser and e.text.teasers >= 3),
     SignalRule("text:none", -3, lambda e: e.text.words < min(30, e.min_words))),
    _one("text:paragraphs", 1, lambda e: e.text.words >= e.min_words and not e.text.in_teaser and e.text.paragraphs >= 3),
    _one("text:many_teasers", -2,
         lambda e: e.text.teasers >= 8 and (e.text.in_teaser or e.text.words < e.min_words)),
    _one("no_h1", -1, lambda e: not e.text.has_h1 and not e.structured.article_type and e.structured.og_type != "article"),
    # pages without structured data or a dated URL must show a date or a byline
    (SignalRule("text:dated", 1, lambda e: not e.structured_article and e.url_kind != "dated" and (
        e.text.has_date or e.text.has_byline or e.structured.published_meta)),
     SignalRule("text:undated", -3, lambda e: not e.structured_article and e.url_kind != "dated")),
)
"""The classifier's rules: each group is weighed in turn, and in a group the first rule that fires counts."""


def _structured_signals(page: Page) -> _Structured:
    found = _Structured()
    og_types = page.metas.get("og:type")
    if og_types:
        found.og_type = og_types[0].lower()
    found.published_meta = any(key in page.metas for key in PUBLISHED_META)
    body = page.tree.find(".//body")
    if body is not None:
        found.body_class = body.get("class") or ""
    for el in page.tree.iterfind(".//*[@itemtype]"):
        itemtype = el.get("itemtype", "").rstrip("/").rsplit("/", 1)[-1].lower()
        if itemtype in ARTICLE_TYPES:
            found.microdata_article = True
            break
    types = list(_jsonld_types(page.jsonld, page.url))
    main = [t for t, is_main in types if is_main]
    candidates = main or [t for t, _ in types]
    found.article_type = next((t for t in candidates if t.lower() in ARTICLE_TYPES), None)
    if not found.article_type:
        # A bare WebSite node says nothing either way: every page of many sites carries one.
        found.listing_type = next((t for t in candidates if t.lower() in LISTING_TYPES - {"website"}), None)
    return found


def _jsonld_types(objects: list[dict[str, Any]], url: str) -> Iterator[tuple[str, bool]]:
    """Yield ``(type, is_main_entity)`` for each JSON-LD object on the page.

    An object is the main entity when its ``url``/``@id``/``mainEntityOfPage`` names this page;
    a listing's ``ItemList`` of articles must not make the listing an article.
    """
    page = _strip_url(url)
    for node in objects:
        raw_type = node.get("@type")
        type_names = raw_type if isinstance(raw_type, list) else [raw_type]
        refs = [node.get("url"), node.get("@id")]
        main_of = node.get("mainEntityOfPage")
        refs.append(main_of.get("@id") if isinstance(main_of, dict) else main_of)
        is_main = any(isinstance(r, str) and _strip_url(urljoin(url, r)) == page for r in refs)
        for name in type_names:
            if isinstance(name, str):
                yield name, is_main


def _strip_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}"


def _url_kind(url: str) -> str:
    """What the URL alone suggests: ``home``, ``listing``, ``static``, ``dated``, ``slug`` or ``plain``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = parse_qsl(parts.query, keep_blank_values=True)
    query_keys = {k.lower() for k, _ in query}
    if path in {"", "/"} and not (query_keys - _LISTING_QUERY_KEYS):
        return "home"
    if query_keys & _LISTING_QUERY_KEYS:
        return "listing"
    if _is_entry_script(path) and any(v.isdigit() for k, v in query if k.lower() not in _LISTING_QUERY_KEYS):
        # ``/?p=123``, ``/index.php?id=42``, ``/story.php?storyid=9``: one entry by its number.
        return "slug"
    if _DATED_PATH.search(path):
        return "dated"
    if _is_listing_path(path):
        return "listing"
    if _STATIC_PATH.search(path):
        return "static"
    last = path.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.(?:html?|php|aspx?)$", "", last)
    if _YEAR_MONTH_PATH.search(path) or _ARTICLE_ID.search(path) or stem.count("-") >= 3:
        return "slug"
    return "plain"


def _is_entry_script(path: str) -> bool:
    """The site root or a lone script (``/index.php``, ``/article.aspx``) that serves pages by query."""
    segments = [s for s in path.split("/") if s]
    return not segments or (len(segments) == 1 and bool(re.search(r"\.(?:php|aspx?|jsp|cgi|html?)$", segments[0], re.I)))


def _is_listing_path(path: str) -> bool:
    """``/tag/x/``, ``/category/world/page/3/``, ``/sections/3/page-2.html``: a listing.

    A listing keyword counts only when at most one name follows it, so a story filed
    under ``/section/world/long-story-slug-1234`` is not taken for a listing.
    """
    segments = [s for s in path.split("/") if s]
    if not segments or _INDEX_FILE.match(segments[-1]):
        return True
    if re.match(r"^page[-_]?\d+(?:\.html?)?$", segments[-1], re.IGNORECASE):
        return True
    if len(segments) >= 2 and segments[-2].lower() == "page" and segments[-1].isdigit():
        return True
    for i, segment in enumerate(segments):
        if segment.lower() in _LISTING_SEGMENTS and len(segments) - i - 1 <= 1:
            return True
    return False


def _text_evidence(root: lxml.html.HtmlElement, url: str) -> _TextEvidence:
    """Find the block of paragraphs that carries the most words and say what surrounds it."""
    evidence = _TextEvidence()
    evidence.has_h1 = root.find(".//h1") is not None
    body = root.find(".//body")
    if body is None:
        body = root
    # Work on a copy: the caller's tree stays intact for extraction.
    tree = copy.deepcopy(body)
    for el in list(tree.iter(*_REMOVE_TAGS)):
        _drop(el)
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "article", "main"):
            continue
        hint = f"{el.get('class', '')} {el.get('id', '')}"
        if hint.strip() and _BOILERPLATE_HINT.search(hint):
            _drop(el)

    plain = "\n".join(t.strip() for t in tree.itertext() if t.strip())
    evidence.has_date = bool(_TEXT_DATE.search(plain))
    evidence.has_byline = bool(_BYLINE.search(plain))

    page = _strip_url(url)
    teaser_parents: Counter = Counter()
    for heading in tree.iter(*_HEADINGS):
        if _links_elsewhere(heading, url, page):
            container = heading.getparent()
            if container is not None:
                teaser_parents[container.getparent()] += 1
    evidence.teasers = max(teaser_parents.values(), default=0)

    scores: Counter = Counter()
    paragraphs: Counter = Counter()
    for p in tree.iter("p", "li", "blockquote", "pre"):
        words = _words_outside_links(p)
        if words < 4 or p.getparent() is None:
            continue
        if p.tag == "li" and words < 8:
            continue
        parent = p.getparent()
        if p.tag == "li" and parent.getparent() is not None:
            parent = parent.getparent()
        scores[parent] += words
        paragraphs[parent] += 1
    if not scores:
        # Text written straight into a container with <br> between lines.
        for el in tree.iter("div", "td", "article", "section", "main"):
            words = len(_WORD.findall(" ".join(t for t in el.xpath("text()"))))
            if words:
                scores[el] += words
                paragraphs[el] += max(1, len(el.findall("br")))
    if not scores:
        return evidence
    best, words = scores.most_common(1)[0]
    evidence.words = words
    evidence.paragraphs = paragraphs[best]
    evidence.in_teaser = _inside_teaser(best, url, page)
    return evidence


def _drop(el: lxml.html.HtmlElement) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _words_outside_links(el: lxml.html.HtmlElement) -> int:
    total = len(_WORD.findall(el.text_content()))
    linked = sum(len(_WORD.findall(a.text_content())) for a in el.iter("a"))
    if total and linked / total > 0.5:
        return 0
    return total - linked


def _links_elsewhere(el: lxml.html.HtmlElement, url: str, page: str) -> bool:
    """True when ``el`` is, or contains, or sits inside a link to another page."""
    anchors = list(el.iter("a"))
    ancestor = el.getparent()
    while ancestor is not None and not anchors:
        if ancestor.tag == "a":
            anchors = [ancestor]
        ancestor = ancestor.getparent() if ancestor.tag != "body" else None
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if _strip_url(urljoin(url, href)) != page:
            return True
    return False


def _inside_teaser(block: lxml.html.HtmlElement, url: str, page: str) -> bool:
    """Is this block an excerpt under a heading that links to another page?

    An article body sits under its own headline (not a link, or a link to itself); a
    listing's excerpt sits under a headline that links to the story. The nearest heading
    before the block's first paragraph, within a few levels up, tells which.
    """
    first = next((el for el in block if isinstance(el.tag, str) and el.tag in ("p", "li", "ul", "ol", "blockquote")), None)
    scope = block
    for _ in range(3):
        if scope.getparent() is None or scope.tag == "body":
            break
        scope = scope.getparent()
    last_heading = None
    for el in scope.iter():
        if el is first or (first is None and el is block):
            break
        if isinstance(el.tag, str) and el.tag in _HEADINGS:
            last_heading = el
    if last_heading is None:
        return False
    return _links_elsewhere(last_heading, url, page)
