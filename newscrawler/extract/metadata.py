"""What a page says about itself: JSON-LD, microdata, OpenGraph, meta tags and bylines.

Structured data is read before visible markup because it is what the publisher meant to
state; visible markup (``<time>``, bylines, breadcrumbs) fills the gaps. All the selectors
of this kind live here, in one place.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.extract.dates import MODIFIED, PUBLISHED, DateCandidate, date_from_url, date_string
from newscrawler.extract.jsonld import JsonLdError, load_jsonld
from newscrawler.extract.page_dates import visible_dates
from newscrawler.extract.story_region import FOREIGN_CONTAINER, is_foreign

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "scholarlyarticle", "techarticle", "report", "posting", "satiricalarticle", "advertisercontentarticle",
}
PAGE_TYPES = {"webpage", "itempage", "collectionpage"}
# Objects whose dates are the page's when the story object gives none.
_DATED_PAGE_TYPES = {"webpage", "itempage", "recipe", "howto", "creativework", "blog"}

# meta name/property -> field; the order inside each tuple is the order of trust.
META_TITLE = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title", "title")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description", "dcterms.description",
                    "sailthru.description")
META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
               "byl", "cxenseparse:author", "twitter:creator")
META_PUBLISHED = ("article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
                  "sailthru.date", "originalpublicationdate", "rnews:datepublished", "article:published",
                  "article:published_date", "article:publicationdate", "og:published_time", "og:pubdate",
                  "og:publish_date", "og:datepublished", "dc.date.issued", "dcterms.issued", "dcterms:issued",
                  "dc.date", "dc:date", "dcterms.date", "dcterms:date", "dcterms.created", "dcterms:created",
                  "dc.date.created", "dc.created", "dc:created", "dc.date.publication", "pubdate", "publishdate",
                  "publish-date", "publish_date", "publication_date", "publication-date", "published_date",
                  "published-date", "publisheddate", "date_published", "date", "article.published",
                  "published_time", "publish_time", "citation_publication_date", "citation_date",
                  "cxenseparse:recs:publishtime", "article_date_original", "original-publish-date",
                  "article:post_date", "article.created", "datecreated", "date_created", "dateposted", "displaydate",
                  "shareaholic:article_published_time", "twt-published-at", "vr:published_time", "bt:pubdate")
META_MODIFIED = ("article:modified_time", "og:article:modified_time", "og:updated_time", "og:modified_time",
                 "article:modified", "datemodified", "dcterms.modified", "dcterms:modified", "dc.date.modified",
                 "dc.modified", "last-modified", "lastmodified", "lastmod", "article.updated", "modified_time",
                 "updated_time", "article:post_modified", "revision_date")
# Parse.ly's JSON blob (``<meta name="parsely-page" content='{"pub_date": ...}'>``), older than its meta tags.
META_JSON_PUBLISHED = (("parsely-page", "pub_date"),)
META_SECTION = ("article:section", "og:article:section", "parsely-section", "section", "article-section",
                "cxenseparse:recs:category", "sailthru.section")
META_TAGS = ("article:tag", "og:article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords",
             "dc.subject")
META_LANGUAGE = ("og:locale", "content-language", "dc.language", "language")

# Matched against lower-cased class/id strings (a case-insensitive regex is several times slower).
_BYLINE_CLASS = re.compile(r"\b(byline|author|writer|reporter|contributor)")
# Class/id words of elements that hold a date line ("Datum", "fecha", "submitted", "created-post").
_DATE_CLASS = re.compile(r"date|datum|fecha|time|posted|publish|updat|meta|byline|submitted|created|info")
_BYLINE_NOT = re.compile(r"avatar|bio|box|image|img")


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


def clean_text(value: Any) -> str:
    """Plain one-line text: HTML entities decoded, tags dropped, whitespace collapsed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    text = html_lib.unescape(value)
    if "<" in text:
        text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())


# Inline formatting inside a word ("<b>W</b>ord") joins its text as is; every other element boundary
# (a link, a span, a line break) separates words where the markup gave no space.
_INLINE_FORMATTING = {"b", "i", "em", "strong", "u", "sup", "sub", "mark", "abbr", "s", "q"}


def spaced_text(node: HtmlElement) -> str:
    """An element's text on one line, a space put where its markup separates two words.

    ``text_content()`` glues ``<h1>Headline<a>Site</a></h1>`` into "HeadlineSite".
    """
    parts: list[str] = []

    def add(text: str | None, boundary: bool) -> None:
        if not text:
            return
        if boundary and parts and parts[-1][-1:].isalnum() and text[:1].isalnum():
            parts.append(" ")
        parts.append(text)

    def walk(element: HtmlElement) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag in _SKIP_WALK:
                add(child.tail, True)
                continue
            boundary = child.tag not in _INLINE_FORMATTING
            add(child.text, boundary)
            walk(child)
            add(child.tail, boundary)

    add(node.text, False)
    walk(node)
    return clean_text("".join(parts))


def extract_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Collect field candidates from structured data first, then visible markup."""
    meta = PageMetadata()
    metas = meta_tags(tree)
    article, others = _jsonld_article(tree, url, meta.problems)
    _from_jsonld(meta, article, others, url)
    _from_meta(meta, metas, url)
    index = index_markup(tree)
    _from_microdata(meta, index.itemprops)
    _from_markup(meta, tree, index, url)
    meta.content_roots = index.content_roots
    return meta


# --- meta tags ---------------------------------------------------------------------------


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name/property/http-equiv, in page order."""
    found: dict[str, list[str]] = {}
    for node in tree.iter("meta"):
        # ``<meta itemprop>`` is microdata, read with the rest of the item's properties.
        key = node.get("property") or node.get("name") or node.get("http-equiv")
        content = node.get("content")
        if not key or content is None:
            continue
        content = clean_text(content)
        if content:
            found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first_meta(metas: dict[str, list[str]], names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        for value in metas.get(name, []):
            if value:
                return name, value
    return None


def _from_meta(meta: PageMetadata, metas: dict[str, list[str]], url: str) -> None:
    for name in META_TITLE:
        if metas.get(name) and name not in meta.titles:
            meta.titles[name] = metas[name][0]
    if not meta.description and (found := _first_meta(metas, META_DESCRIPTION)):
        meta.description = found[1]
    if not meta.authors:
        for name in META_AUTHOR:
            values = [v for v in metas.get(name, []) if not v.startswith(("http://", "https://", "@"))]
            if values:
                meta.authors = [part for value in values for part in split_authors(value)]
                break
    for names, kind in ((META_PUBLISHED, PUBLISHED), (META_MODIFIED, MODIFIED)):
        for name in names:
            for value in metas.get(name, [])[:1]:
                meta.dates.append(DateCandidate(value, "meta", kind))
    for name, key in META_JSON_PUBLISHED:
        for value in metas.get(name, [])[:1]:
            if (found := _json_field(value, key)) is not None:
                meta.dates.append(DateCandidate(found, "meta", PUBLISHED))
    if not meta.section and (found := _first_meta(metas, META_SECTION)):
        meta.section = found[1]
    if not meta.tags:
        for name in META_TAGS:
            values = metas.get(name, [])
            if values:
                meta.tags = split_tags(values)
                break
    if not meta.language and (found := _first_meta(metas, META_LANGUAGE)):
        meta.language = found[1]
    if not meta.site_name and (found := _first_meta(metas, ("og:site_name", "application-name", "publisher"))):
        meta.site_name = found[1]
    for name in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"):
        for value in metas.get(name, [])[:1]:
            _add_image(meta, value, url)
    if metas.get("og:url") and not meta.canonical_url:
        meta.canonical_url = _absolute(metas["og:url"][0], url)


def _json_field(text: str, key: str) -> str | None:
    """One string field of a JSON object held in a meta tag; None when it is not JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return date_string(value)


# --- JSON-LD -----------------------------------------------------------------------------


def jsonld_objects(tree: HtmlElement, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` and top-level arrays flattened; blocks that
    cannot be read are skipped, their reasons added to ``problems``."""
    raw: list[Any] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json" and not (kind in _UNTYPED_SCRIPT and _looks_like_jsonld(script.text or "")):
            continue
        if script.text_content().strip():
            raw.extend(_load_jsonld(script.text_content(), problems))
    objects: list[dict[str, Any]] = []
    stack = list(reversed(raw))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.extend(reversed(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]]))
            if "@type" in item:
                objects.append(item)
    return objects


_UNTYPED_SCRIPT = {"", "text/javascript", "application/json"}


def _looks_like_jsonld(text: str) -> bool:
    """JSON-LD in a script whose type is missing or wrong: an object naming schema.org as its context."""
    head = text.lstrip()[:4000]
    return head[:1] in ("{", "[") and '"@context"' in head and "schema.org" in head


def _load_jsonld(script: str, problems: list[str] | None = None) -> list[Any]:
    """Parse one script; a broken or too deep one is skipped, its reason added to ``problems``."""
    try:
        return [load_jsonld(script)]
    except JsonLdError as exc:
        if problems is not None:
            problems.append(exc.reason)
        return []


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def _jsonld_article(tree: HtmlElement, url: str,
                    problems: list[str] | None = None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The object describing the story: an Article type, else a page type, else anything dated.

    Among several of a kind (a story and the related stories a page also describes), the one
    naming this page's URL wins, else the first.
    """
    objects = jsonld_objects(tree, problems)
    here = _url_key(url)

    def names_this_page(obj: dict[str, Any]) -> bool:
        page = _scalar(obj.get("mainEntityOfPage"))
        if isinstance(page, dict):
            page = page.get("@id") or page.get("url")
        return any(isinstance(u, str) and _url_key(u) == here for u in (_scalar(obj.get("url")), page))

    def is_article(obj: dict[str, Any]) -> bool:
        return any(t in ARTICLE_TYPES or t.endswith(("article", "posting")) for t in _types(obj))

    def is_dated_page(obj: dict[str, Any]) -> bool:
        return any(t in PAGE_TYPES or t.endswith("page") for t in _types(obj)) and bool(
            obj.get("datePublished") or obj.get("headline"))

    def is_dated(obj: dict[str, Any]) -> bool:
        return bool(obj.get("datePublished") and obj.get("headline"))

    for test in (is_article, is_dated_page, is_dated):
        found = [o for o in objects if test(o)]
        if found:
            return next((o for o in found if names_this_page(o)), found[0]), objects
    return None, objects


def _url_key(url: str) -> str:
    """A URL without scheme, ``www.``, query, fragment and trailing slash, for comparisons."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def _from_jsonld(meta: PageMetadata, article: dict[str, Any] | None, objects: list[dict[str, Any]], url: str) -> None:
    for obj in objects:
        if "breadcrumblist" in _types(obj) and not meta.breadcrumbs:
            meta.breadcrumbs = _jsonld_breadcrumbs(obj)
    _jsonld_dates(meta, article, objects)
    if article is None:
        return
    headline = clean_text(_scalar(article.get("headline")) or _scalar(article.get("name")))
    if headline:
        meta.titles["jsonld"] = headline
    meta.description = clean_text(_scalar(article.get("description"))) or None
    meta.authors = [name for person in _as_list(article.get("author")) for name in _person_names(person)]
    section = _scalar(article.get("articleSection"))
    meta.section = clean_text(section) or None
    keywords = article.get("keywords")
    if keywords:
        meta.tags = split_tags([clean_text(k) for k in _as_list(keywords) if isinstance(k, str)])
    language = _scalar(article.get("inLanguage"))
    if isinstance(language, str) and language.strip():
        meta.language = language.strip()
    for image in _as_list(article.get("image")):
        image_url = image.get("url") or image.get("contentUrl") if isinstance(image, dict) else image
        if isinstance(image_url, list):
            image_url = image_url[0] if image_url else None
        if isinstance(image_url, str):
            _add_image(meta, image_url, url)
    body = _scalar(article.get("articleBody"))
    if isinstance(body, str) and body.strip():
        meta.article_body = body
    publisher = article.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        meta.site_name = clean_text(publisher["name"])
    page_url = _scalar(article.get("url")) or _scalar(article.get("mainEntityOfPage"))
    if isinstance(page_url, dict):
        page_url = page_url.get("@id") or page_url.get("url")
    if isinstance(page_url, str) and page_url.startswith(("http", "/")):
        meta.canonical_url = _absolute(page_url, url)


def _jsonld_dates(meta: PageMetadata, article: dict[str, Any] | None, objects: list[dict[str, Any]]) -> None:
    """The story object's dates, then those of the page that holds it (``WebPage``, ``Recipe``)."""
    holders = [article] if article is not None else []
    holders += [o for o in objects if o is not article
                and (_types(o) & _DATED_PAGE_TYPES or any(t.endswith("page") for t in _types(o)))]
    for obj in holders:
        for keys, kind in ((("datePublished", "dateCreated"), PUBLISHED), (("dateModified",), MODIFIED)):
            value = next((v for k in keys if (v := date_string(obj.get(k)))), None)
            if value:
                meta.dates.append(DateCandidate(value, "jsonld", kind))


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _person_names(person: Any) -> list[str]:
    if isinstance(person, dict):
        if _types(person) & {"organization", "newsmediaorganization"}:
            return []
        name = person.get("name")
        if isinstance(name, list):
            return [n for part in name for n in split_authors(clean_text(part))]
        return split_authors(clean_text(name)) if isinstance(name, str) else []
    if isinstance(person, str) and not person.startswith(("http://", "https://")):
        return split_authors(clean_text(person))
    return []


def _jsonld_breadcrumbs(obj: dict[str, Any]) -> list[str]:
    items = sorted(
        (i for i in _as_list(obj.get("itemListElement")) if isinstance(i, dict)),
        key=lambda i: i.get("position") if isinstance(i.get("position"), int) else 0,
    )
    names = []
    for item in items:
        name = item.get("name")
        if not name and isinstance(item.get("item"), dict):
            name = item["item"].get("name")
        if isinstance(name, str) and clean_text(name):
            names.append(clean_text(name))
    return names


# --- microdata and visible markup --------------------------------------------------------


def _itemprop_value(node: HtmlElement) -> str:
    for attribute in ("content", "datetime", "value"):
        if node.get(attribute):
            return clean_text(node.get(attribute))
    return clean_text(node.text_content())


@dataclass
class MarkupIndex:
    """The elements extraction looks at, gathered in one walk over the tree."""

    itemprops: dict[str, list[HtmlElement]] = field(default_factory=dict)
    h1s: list[str] = field(default_factory=list)
    title: str | None = None
    canonical: str | None = None
    times: list[HtmlElement] = field(default_factory=list)
    abbrs: list[HtmlElement] = field(default_factory=list)
    subheads: list[HtmlElement] = field(default_factory=list)
    rel_authors: list[HtmlElement] = field(default_factory=list)
    rel_tags: list[HtmlElement] = field(default_factory=list)
    rel_categories: list[HtmlElement] = field(default_factory=list)
    tag_links: list[HtmlElement] = field(default_factory=list)
    dated: list[HtmlElement] = field(default_factory=list)
    bylines: list[HtmlElement] = field(default_factory=list)
    breadcrumbs: list[HtmlElement] = field(default_factory=list)
    content_roots: list[HtmlElement] = field(default_factory=list)


CONTENT_CLASS = re.compile(r"entry-content|post-content|article-body|article-content|story-body|articlebody")
# Substrings of class/id/aria-label worth a closer look, searched in the lower-cased string:
# a case-insensitive regex over every element of a page costs several times more.
_HINT = re.compile("date|time|posted|publish|meta|byline|author|writer|reporter|contributor|breadcrumb"
                   "|content|body|story|datum|fecha|updat|submitted|created|info")
_TAG_HREF = re.compile(r"/(?:tags?|topics?|keywords?|subjects?)/[^/?#]+/?(?:[?#].*)?$", re.IGNORECASE)
_SKIP_WALK = {"script", "style", "noscript", "svg", "template"}


def index_markup(tree: HtmlElement) -> MarkupIndex:
    """Walk the tree once and keep what the markup rules need (full-tree XPath scans are slow)."""
    index = MarkupIndex()
    for node in tree.iter():
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP_WALK:
            continue
        itemprop = node.get("itemprop")
        if itemprop:
            for prop in itemprop.split():
                index.itemprops.setdefault(prop, []).append(node)
        if tag == "article" or itemprop == "articleBody":
            index.content_roots.append(node)
        elif tag == "h1":
            index.h1s.append(node)
        elif tag == "time":
            index.times.append(node)
        elif tag == "abbr" and node.get("title"):
            index.abbrs.append(node)
        elif tag in ("h2", "h3") and len(index.subheads) < 20:
            index.subheads.append(node)  # the headline of pages without <h1>
        elif tag == "a":
            href = node.get("href")
            if href and _TAG_HREF.search(href):
                index.tag_links.append(node)
            rel = node.get("rel")
            if rel:
                rels = rel.lower().split()
                if "author" in rels:
                    index.rel_authors.append(node)
                if "category" in rels:
                    index.rel_categories.append(node)
                elif "tag" in rels:
                    index.rel_tags.append(node)
        elif tag == "title" and index.title is None:
            index.title = node.text_content()
        elif tag == "link" and index.canonical is None:
            if "canonical" in (node.get("rel") or "").lower().split() and node.get("href"):
                index.canonical = node.get("href")
        css, ident, label = node.get("class"), node.get("id"), node.get("aria-label")
        if not (css or ident or label) or tag in ("html", "body", "meta", "link"):
            continue
        attrs = f"{css or ''} {ident or ''} {label or ''}"
        lowered = attrs.lower()
        if not _HINT.search(lowered):
            continue
        if CONTENT_CLASS.search(lowered):
            if tag != "article":
                index.content_roots.append(node)
        elif "breadcrumb" in lowered:
            index.breadcrumbs.append(node)
        elif len(node) <= 8:
            if _DATE_CLASS.search(lowered) and not FOREIGN_CONTAINER.search(lowered):
                index.dated.append(node)
            if _BYLINE_CLASS.search(lowered) and not _BYLINE_NOT.search(lowered):
                index.bylines.append(node)
    return index


def _from_microdata(meta: PageMetadata, props: dict[str, list[HtmlElement]]) -> None:
    if props.get("headline"):
        meta.titles.setdefault("microdata", _itemprop_value(props["headline"][0]))
    for names, kind in ((("datePublished", "dateCreated"), PUBLISHED), (("dateModified",), MODIFIED)):
        node = next((n for name in names for n in props.get(name, [])[:1]), None)
        if node is not None:
            # hAtom-style <abbr itemprop="datePublished" title="2017-09-09T10:52:00+02:00">10:52</abbr>
            value = clean_text(node.get("title")) if node.tag == "abbr" and node.get("title") else _itemprop_value(node)
            if value:
                meta.dates.append(DateCandidate(value, "microdata", kind))
    if not meta.authors:
        for node in props.get("author", []) + props.get("creator", []):
            names = node.xpath(".//*[@itemprop='name']")
            value = _itemprop_value(names[0]) if names else _itemprop_value(node)
            meta.authors.extend(split_authors(value))
    if not meta.section and props.get("articleSection"):
        meta.section = _itemprop_value(props["articleSection"][0]) or None
    if not meta.tags and props.get("keywords"):
        meta.tags = split_tags([_itemprop_value(n) for n in props["keywords"]])
    if not meta.description and props.get("description"):
        meta.description = _itemprop_value(props["description"][0]) or None


def _from_markup(meta: PageMetadata, tree: HtmlElement, index: MarkupIndex, url: str) -> None:
    h1s = [text for text in (spaced_text(h) for h in index.h1s) if text]
    if h1s:
        meta.titles["h1"] = h1s[0]
    if index.title and clean_text(index.title):
        meta.titles["title"] = clean_text(index.title)
    if index.canonical:
        meta.canonical_url = _absolute(index.canonical, url)
    if not meta.language:
        root = tree.getroottree().getroot()
        # an HTML parser keeps XHTML's xml:lang under that literal name
        lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang and lang.strip():
            meta.language = lang.strip()
    byline = _byline_after_headline(index.h1s[:1])
    url_date = date_from_url(url)
    meta.dates += visible_dates(
        times=index.times, abbrs=index.abbrs, dated=index.dated, roots=index.content_roots,
        headline=_headline(index.h1s, index.subheads, meta.titles), byline=byline, language=meta.language,
        has_published=url_date is not None or any(d.kind == PUBLISHED for d in meta.dates),
        page_body=tree.find("body"), titles=[meta.titles[k] for k in ("og:title", "title") if k in meta.titles])
    if url_date:
        meta.dates.append(url_date)
    if not meta.authors:
        meta.authors = _byline_authors(index) or split_authors(byline)
    if not meta.breadcrumbs:
        meta.breadcrumbs = _markup_breadcrumbs(index.breadcrumbs)
    if not meta.section:
        categories = [clean_text(a.text_content()) for a in index.rel_categories if not is_foreign(a)]
        meta.section = next((c for c in categories if c), None)
    if not meta.section and len(meta.breadcrumbs) >= 2:
        crumbs = [c for c in meta.breadcrumbs if c.lower() not in ("home", "homepage", "start")]
        if crumbs and (crumbs[-1] in meta.titles.values() or crumbs[-1] in h1s):
            crumbs = crumbs[:-1]
        meta.section = crumbs[-1] if crumbs else None
    if not meta.section:
        meta.section = kicker_section(tree, index.h1s[:1], url)
    if not meta.tags:
        meta.tags = split_tags([t for t in (clean_text(a.text_content()) for a in index.rel_tags) if t])
    if not meta.tags:
        links = [a for a in index.tag_links if not is_foreign(a) and not _in_navigation(a)]
        meta.tags = split_tags([t for t in (clean_text(a.text_content()) for a in links) if t])


_KICKER_LINKS = etree.XPath(
    "//*[contains(@class, 'kicker') or contains(@class, 'eyebrow') or contains(@class, 'overline')"
    " or contains(@class, 'rubric') or contains(@class, 'dachzeile')]//a[@href]"
)


def kicker_section(tree: HtmlElement, h1s: list[HtmlElement], url: str) -> str | None:
    """The section a kicker links to: ``<p class="kicker"><a href="/health/">Health</a> / Science</p>``.

    Kickers are marked by their class, or are the line right above the headline; the link
    must lead to a section-like path of this site (one or two short segments, no date).
    """
    links = _KICKER_LINKS(tree)
    for h1 in h1s:
        above = next((s for s in h1.itersiblings(preceding=True) if isinstance(s.tag, str) and s.tag != "br"), None)
        if above is not None and len(above) <= 3:
            links.extend(above.iter("a"))
    for link in links:
        text = clean_text(link.text_content())
        if text and len(text.split()) <= 4 and not is_foreign(link) and _is_section_path(link.get("href"), url):
            return text
    return None


def _is_section_path(href: str | None, url: str) -> bool:
    if not href:
        return False
    target = urlsplit(_absolute(href, url))
    if target.hostname and urlsplit(url).hostname and target.hostname != urlsplit(url).hostname:
        return False
    segments = [s for s in target.path.split("/") if s]
    return 1 <= len(segments) <= 2 and not any(s.isdigit() or s.count("-") > 2 for s in segments)


def _in_navigation(node: HtmlElement) -> bool:
    return any(ancestor.tag in ("nav", "header", "menu") for ancestor in node.iterancestors())


def _headline(h1s: list[HtmlElement], subheads: list[HtmlElement], titles: dict[str, str]) -> HtmlElement | None:
    """The heading that holds the story's headline: an ``<h1>`` (not the logo's) or, on pages
    without one, an ``<h2>``/``<h3>`` that the page's title names or whose class says title."""
    named = [key for key in (_title_key(t) for source, t in titles.items() if source != "h1") if len(key) > 10]
    for heading in h1s[:5] + subheads:
        text = _title_key(heading.text_content())
        if len(text) > 10 and any((text in name or name in text) and 2 * min(len(text), len(name)) >= max(
                len(text), len(name)) for name in named):
            return heading
    if h1s:
        return h1s[0]
    return next((h for h in subheads if "title" in (h.get("class") or "")), None)


def _title_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _byline_after_headline(h1s: list[HtmlElement]) -> str | None:
    """A "By Jane Doe. Filed 14 November 2023." line right under the headline, on pages without classes."""
    for h1 in h1s:
        for sibling in list(h1.itersiblings())[:3]:
            text = clean_text(sibling.text_content())
            if text and len(text) <= 150 and re.match(r"by\s+[^\W\d_]", text, re.IGNORECASE):
                return text
    return None


def _byline_authors(index: MarkupIndex) -> list[str]:
    names = _rel_author_names(index.rel_authors)
    if names:
        return names
    for node in index.bylines:
        text = clean_text(node.text_content())
        if not text or len(text) > 120 or is_foreign(node):
            continue
        names = split_authors(text)
        if names:
            return names
    return []


def _rel_author_names(links: list[HtmlElement]) -> list[str]:
    """Names of the story's ``rel=author`` links: the first one's and those beside it ("By A and B").

    The byline is the largest element around the first link that is still a line (up to 200
    characters); ``rel=author`` links outside it (an author box, another story) are left out.
    """
    links = [a for a in links if (text := clean_text(a.text_content())) and len(text) <= 120 and not is_foreign(a)]
    if not links:
        return []
    first = byline = links[0]
    for ancestor in first.iterancestors():
        if len(ancestor.text_content()) > 200:
            break
        byline = ancestor
    beside = [first] + [a for a in links[1:] if any(p is byline for p in a.iterancestors())]
    names: list[str] = []
    for link in beside:
        for name in split_authors(clean_text(link.text_content())):
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return names


def _markup_breadcrumbs(nodes: list[HtmlElement]) -> list[str]:
    for node in nodes:
        crumbs = [clean_text(a.text_content()) for a in node.iter("a", "span", "li") if len(a) == 0]
        crumbs = [c for c in crumbs if c and c not in (">", "/", "»", "›", "|")]
        if crumbs:
            return list(dict.fromkeys(crumbs))
    return []


# --- cleaning ----------------------------------------------------------------------------

_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|analysis|opinion|commentary|review|story|words|text|photos?)\s+)?by[:\s]+"
    r"|^\s*[^\W\d_]{2,12}:\s+",
    re.IGNORECASE,
)
# Conjunctions split names only in lower case ("Bruce Y. Lee" is one person); commas always do.
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\s(?:and|AND|And|und|et|y|e)\s)\s*")
# The conjunction left at the head of a part by an Oxford comma ("A, B, and C").
_LEADING_CONJUNCTION = re.compile(r"^(?:and|AND|And|und|et|y|e|&)\s+")
_NOT_A_PERSON = re.compile(
    r"^(?:the\s.*|editor|editors|admin|administrator|news ?desk|desk|web desk|agencies|agency|guest|team|"
    r"editorial|associated press|ap|reuters|afp|pti|ians|ani|bloomberg|press release|unknown|anonymous|"
    r"(?:cnn|bbc|usa today|business insider|ap|reuters|afp|bloomberg)\b.*|"
    r".*\b(?:staff|writer|reporter|correspondent|columnist|contributor|editor|editor-at-large|producer|"
    r"wire services?|wires?|reports|desk)\b.*)$",
    re.IGNORECASE,
)
# Lower-case words that belong inside a person's name ("Ludwig van Beethoven").
_NAME_PARTICLES = {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "van", "von", "der",
                   "den", "ter", "bin", "binti", "al", "el", "ibn", "y", "e", "zu", "af", "av"}
# Degrees and wire names written after a person's name in bylines.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,4}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?)$")
_NAME_SUFFIX = re.compile(r"\s+(?:Associated Press|USA TODAY|Reuters|AFP|Bloomberg|CNN\b.*|BBC\b.*)$")
_NAME_NOISE = re.compile(
    r"\b(?:updated|published|posted|filed|last updated|on)\b.*$|\d{1,2}:\d{2}.*$|\b(?:19|20)\d{2}\b.*$"
    r"|\S+@\S+|https?://\S+"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*$",
    re.IGNORECASE,
)


def split_authors(text: str | None, publisher: str | None = None) -> list[str]:
    """Person names from a byline: no "By", no dates, no staff, wire or publisher names, no duplicates."""
    if not text:
        return []
    text = clean_text(text)
    text = _BY_PREFIX.sub("", text)
    text = _NAME_NOISE.sub("", text).strip(" ,;|-–—:·•/")
    inverted = re.fullmatch(r"([^\W\d_][\w'’-]+),\s*([^\W\d_][\w'’.-]+)", text)
    if inverted and not _CREDENTIAL.match(inverted.group(2)):  # "Doe, Jane": one person, family name first
        text = f"{inverted.group(2)} {inverted.group(1)}"
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(text):
        name = _NAME_SUFFIX.sub("", _BY_PREFIX.sub("", _LEADING_CONJUNCTION.sub("", part))).strip(" .,;:-–—|·•/")
        if publisher and len(publisher) > 3 and name.lower().endswith(" " + publisher.lower()):
            name = name[: -len(publisher)].strip()
        if not _is_person_name(name, publisher):
            continue
        if name.lower() in {n.lower() for n in names}:
            continue
        names.append(name)
    return names


def _is_person_name(name: str, publisher: str | None) -> bool:
    if not name or len(name) > 60 or len(name.split()) > 5 or re.search(r"\d", name):
        return False
    if not re.search(r"[^\W\d_]", name) or _CREDENTIAL.match(name) or _NOT_A_PERSON.match(name):
        return False
    if publisher and name.lower() == publisher.lower():
        return False
    if any(word[0].islower() and word not in _NAME_PARTICLES for word in name.split()):
        return False  # "defense ministries": a phrase, not a name
    if " " not in name and (re.search(r"[a-z][A-Z]", name) or "admin" in name.lower() or name.isupper()):
        return False  # a user or brand handle ("LinkNaija", "jdadmin", "KWCHCIK"), not a person
    return True


def split_tags(values: list[str]) -> list[str]:
    """Tags from meta values that may each hold a comma-separated list; de-duplicated, page order."""
    tags: dict[str, str] = {}
    for value in values:
        for part in re.split(r"\s*[,;]\s*", value):
            tag = clean_text(part).strip("# ")
            if tag and len(tag) <= 80 and tag.lower() not in tags:
                tags[tag.lower()] = tag
    return list(tags.values())


def _absolute(href: str, base: str) -> str:
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return base


def _add_image(meta: PageMetadata, value: str, base: str) -> None:
    if not value or value.startswith("data:"):
        return
    absolute = _absolute(value, base)
    if urlsplit(absolute).scheme in ("http", "https") and absolute not in meta.image_urls:
        meta.image_urls.append(absolute)

