"""JSON-LD: reading each ``<script type="application/ld+json">`` block (with a depth limit),
finding the object that describes the story, and the field candidates it gives.

A block nested 100,000 arrays deep made ``json.loads`` raise ``RecursionError`` and the
whole article was lost. Real JSON-LD is a few levels deep, so a block deeper than
:data:`MAX_DEPTH` is refused before it is parsed; the page's other blocks are still read and
the caller counts the reason (``jsonld_too_deep``, ``jsonld_broken``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawler.extract.bylines import split_authors
from newscrawler.extract.candidates import add_image
from newscrawler.extract.dates import MODIFIED, PUBLISHED, DateCandidate, date_string
from newscrawler.extract.text import absolute_url, clean_text, split_tags
from newscrawler.extract.vocabulary import ARTICLE_TYPES, DATED_PAGE_TYPES, PAGE_TYPES

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from newscrawler.extract.candidates import PageMetadata

MAX_DEPTH = 64
"""Arrays and objects nested deeper than this make a block unreadable (schema.org graphs
seen in the wild stay under 15)."""

BROKEN = "jsonld_broken"
TOO_DEEP = "jsonld_too_deep"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonLdError(ValueError):
    """A block that cannot be read; ``reason`` is the code the crawl counts."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings ignored); the
    count stops early once it passes ``limit``."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def load_jsonld(script: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON-LD block, tolerating the comments and raw control characters sites
    leave in it; raise :class:`JsonLdError` when it is broken or nested too deep."""
    text = script.strip()
    if not text:
        raise JsonLdError(BROKEN, "empty JSON-LD block")
    depth = nesting_depth(text, max_depth)
    if depth > max_depth:
        raise JsonLdError(TOO_DEEP, f"JSON-LD nested more than {max_depth} levels deep")
    try:
        return json.loads(text, strict=False)
    except RecursionError as exc:  # a recursion limit lower than the depth allows
        raise JsonLdError(TOO_DEEP, f"JSON-LD too deep to parse: {exc}") from None
    except ValueError:
        pass
    # Comments (// and /* */, HTML comment markers) and trailing commas, as some sites write it.
    from extruct.jsonld import HTML_OR_JS_COMMENTLINE
    import jstyleson

    try:
        return jstyleson.loads(HTML_OR_JS_COMMENTLINE.sub("", text), strict=False)
    except RecursionError as exc:
        raise JsonLdError(TOO_DEEP, f"JSON-LD too deep to parse: {exc}") from None
    except (ValueError, TypeError, IndexError) as exc:
        recovered = objects_one_by_one(text)
        if recovered:
            return recovered
        raise JsonLdError(BROKEN, f"JSON-LD is not valid JSON: {exc}") from None


def objects_one_by_one(text: str, attempts: int = 100) -> list[Any]:
    """The objects that still read as JSON in a block broken elsewhere (a stray brace between
    two objects, a truncated tail): each ``{`` is tried as the start of one object, and an
    object read whole is skipped over. At most ``attempts`` starts are tried."""
    decoder = json.JSONDecoder(strict=False)
    found: list[Any] = []
    position = 0
    for _ in range(attempts):
        start = text.find("{", position)
        if start < 0:
            break
        try:
            value, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            position = start + 1
            continue
        found.append(value)
        position = end
    return found


# --- the story object and the field candidates it gives ------------------------------


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


def story_object(objects: list[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """The object describing the story: an Article type, else a page type, else anything dated.

    Among several of a kind (a story and the related stories a page also describes), the one
    naming this page's URL wins, else the first.
    """
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
            return next((o for o in found if names_this_page(o)), found[0])
    return None


def _url_key(url: str) -> str:
    """A URL without scheme, ``www.``, query, fragment and trailing slash, for comparisons."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def from_jsonld(meta: PageMetadata, article: dict[str, Any] | None, objects: list[dict[str, Any]], url: str) -> None:
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
            add_image(meta, image_url, url)
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
        meta.canonical_url = absolute_url(page_url, url)


def _jsonld_dates(meta: PageMetadata, article: dict[str, Any] | None, objects: list[dict[str, Any]]) -> None:
    """The story object's dates, then those of the page that holds it (``WebPage``, ``Recipe``)."""
    holders = [article] if article is not None else []
    holders += [o for o in objects if o is not article
                and (_types(o) & DATED_PAGE_TYPES or any(t.endswith("page") for t in _types(o)))]
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

