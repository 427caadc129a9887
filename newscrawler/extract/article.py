"""``extract_article(html, url) -> Article``: the one entry point of extraction.

Per field, the first layer that answers wins: the site profile's selectors, then
structured data and meta tags, then visible markup, then the main-text extractor. It never
raises: a broken page yields what could be found, and each problem is named by a short
reason code appended to ``warnings`` so the crawl can count it.

Reason codes: ``empty_page``, ``not_html``, ``unparseable_html``, ``no_title``, ``no_body``,
``body_extractor_failed``, ``body_from_jsonld``, ``future_published_date``,
``future_modified_date``, ``bad_published_date``, ``bad_modified_date`` (a structured
date string that is no date: the next source is taken), ``modified_before_published``, ``bad_selector``,
``empty_selector``, ``unknown_selector_field``, ``bad_url``, ``jsonld_broken``, ``jsonld_too_deep``
(that JSON-LD block skipped), ``date_search_skipped_large_page`` (no date, and too large for
htmldate's search), ``extraction_failed`` (a bug: logged with
its traceback).
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newscrawler.extract.body import Body, body_from_selector_nodes, body_from_text, extract_body, extract_images
from newscrawler.extract.dates import DateCandidate, MODIFIED, PUBLISHED, choose_dates
from newscrawler.extract.bylines import split_authors
from newscrawler.extract.candidates import PageMetadata
from newscrawler.extract.metadata import read_metadata
from newscrawler.extract.page import Page, PageError, parse_page
from newscrawler.extract.searched_date import searched_published_date
from newscrawler.extract.text import clean_text, split_tags
from newscrawler.extract.valid_text import valid_values
from newscrawler.items import Article, Image

logger = logging.getLogger(__name__)

SELECTOR_FIELDS = ("title", "description", "authors", "published_at", "modified_at", "section", "tags", "body",
                   "lede", "images")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+")


def extract_article(
    html: str | bytes | Page,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    crawled_at: datetime | None = None,
    warnings: list[str] | None = None,
) -> Article:
    """Turn one page into an Article; never raises, reasons go to ``warnings``.

    ``html`` may be a :class:`Page` parsed already (by ``read_page``, for the classifier too).
    """
    notes: list[str] = warnings if warnings is not None else []
    if not isinstance(url, str):
        notes.append("bad_url")
        url = "" if url is None else str(url)
    crawl_time = _utc(crawled_at)
    article = Article(url=url, canonical_url=url, site=site_of(url),
                      crawled_at=crawl_time.isoformat())
    try:
        _fill(article, html, url, selectors or {}, crawl_time, notes)
    except Exception:  # noqa: BLE001 - the contract is "never raises"; the reason is recorded
        logger.exception("extraction failed for %s", url)
        notes.append("extraction_failed")
    return valid_values(article)  # every text field valid Unicode, nested ones too: any store can write it


def _fill(article: Article, html: str | bytes | Page, url: str, selectors: Mapping[str, str], crawl_time: datetime,
          notes: list[str]) -> None:
    _LANGUAGE_MODEL.warm()
    if isinstance(html, Page):
        page = html
    else:
        try:
            page = parse_page(html, url)
        except PageError as exc:
            notes.append(exc.reason)
            return
    text, tree = page.text, page.tree
    meta = read_metadata(page)
    notes.extend(meta.problems)
    overrides = _apply_selectors(tree, selectors, url, notes)

    article.canonical_url = plausible_canonical(meta.canonical_url, url) or url
    article.title = overrides.get("title") or choose_title(meta, url)
    article.description = overrides.get("description") or meta.description
    article.authors = overrides.get("authors") or _dedupe_authors(meta.authors, meta.site_name)
    article.section = overrides.get("section") or clean_section(meta.section, [meta.site_name, article.site])
    article.tags = overrides.get("tags") or meta.tags

    article.images = overrides.get("images") or extract_images(tree, url, meta.image_urls, meta.content_roots)
    body = overrides.get("body")
    if body is None:
        try:
            body = extract_body(tree, url, (article.title or "", meta.titles.get("h1", "")),
                                tuple(filter(None, (meta.site_name, site_name_from_title(meta)))),
                                description=meta.description)
        except Exception:  # noqa: BLE001 - trafilatura raises many kinds on odd trees
            logger.warning("body extractor failed on %s", url, exc_info=True)
            notes.append("body_extractor_failed")
            body = Body()
        structured = body_from_text(meta.article_body) if meta.article_body else Body()
        found_words = (body.text or "").split()
        if structured.text and (len(structured.text.split()) > 2 * len(found_words)
                                or structured.text.split() == found_words):
            # The page's own articleBody is often a teaser: it wins only when the page's text lost the
            # story (or is that very articleBody, which keeps its paragraphs here).
            notes.append("body_from_jsonld")
            body = structured
    article.body, article.body_html = body.text, body.html
    article.lede = overrides.get("lede") or body.lede
    article.word_count = len((article.body or "").split())
    article.language = normalize_language(meta.language) or detect_language(article.body or article.title or "")

    # Dates last: the language, detected if need be, spares dateparser from trying every locale,
    # and its region orders "02/10/2020" (en-GB: 2 October; en-US: 10 February).
    candidates = list(overrides.get("dates", [])) + meta.dates
    hint = article.language
    published, modified = choose_dates(candidates, crawl_time, notes, hint)
    if published is None:  # the last resort; ``tree`` is as parsed: the body extractor pruned a copy
        searched = searched_published_date(tree, text, url, crawl_time, hint, notes)
        if searched is not None:
            published, modified = choose_dates([*candidates, searched], crawl_time, [], hint)
    if published:
        article.published_at, article.published_at_raw, article.published_at_source = (
            published.value, published.raw, published.source)
    if modified:
        article.modified_at, article.modified_at_raw, article.modified_at_source = (
            modified.value, modified.raw, modified.source)

    if not article.title:
        notes.append("no_title")
    if not article.body:
        notes.append("no_body")


# --- input ---------------------------------------------------------------------------------


def plausible_canonical(canonical: str | None, url: str) -> str | None:
    """The page's canonical URL, unless it names the site's front page while the page is not it.

    A template bug common enough to guard against ("every story's canonical is the home
    page") would otherwise make every story a duplicate of the first one.
    """
    if not canonical:
        return None
    target, page = urlsplit(canonical), urlsplit(url)
    if target.path.strip("/") or target.query:
        return canonical
    return canonical if not (page.path.strip("/") or page.query) else None


def decode_declared(data: bytes, encoding: str | None) -> str:
    """Decode page bytes by the encoding the server or page declared, leniently.

    Pages labelled UTF-8 are often Windows-1252 in places (or throughout): bytes that are
    not valid UTF-8 are read as Windows-1252 instead of becoming replacement characters.
    """
    name = (encoding or "utf-8").lower().replace("_", "-")
    if name in {"utf-8", "utf8"}:
        return data.decode("utf-8", errors=_CP1252_FALLBACK)
    try:
        return data.decode(name, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors=_CP1252_FALLBACK)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


_CP1252_FALLBACK = "newscrawler-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)


def _utc(moment: datetime | None) -> datetime:
    if not isinstance(moment, datetime):
        return datetime.now(timezone.utc).replace(microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def site_of(url: str) -> str | None:
    """Host name without ``www.``."""
    try:
        host = urlsplit(url).hostname
    except (ValueError, TypeError, AttributeError):
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


# --- fields --------------------------------------------------------------------------------


def choose_title(meta: PageMetadata, url: str) -> str | None:
    """The headline: structured data's headline, else the ``<title>``, without the site suffix.

    The ``<h1>`` wins when it says the same in its own words or with less around it; an ``<h1>``
    that says more (the headline with the site's name glued on) does not.
    """
    titles = meta.titles
    h1 = titles.get("h1")
    site_names = [n for n in (meta.site_name, site_of(url)) if n]
    for key in ("jsonld", "og:title", "microdata", "twitter:title", "parsely-title", "sailthru.title", "dc.title",
                "dcterms.title"):
        if titles.get(key):
            title = strip_site_name(titles[key], site_names)
            if h1 and _similar(h1, title) and len(_norm(h1)) <= len(_norm(titles[key])):
                return _trim_separators(h1)
            return _trim_separators(title)
    if titles.get("title"):
        title = strip_site_name(titles["title"], site_names)
        if h1 and _norm(h1) in _norm(titles["title"]):
            return _trim_separators(h1)
        return _trim_separators(title)
    return _trim_separators(h1) if h1 else None


_EDGE_SEPARATORS = re.compile(r"^\s*(?:[|\-–—:·»/•]+\s+)+|(?:\s+[|\-–—:·«/•]+)+\s*$|^\s*[|:·/•]+")


def _trim_separators(title: str) -> str | None:
    """A title without separators left at its ends ("| Some Title" when the site name was empty)."""
    return _EDGE_SEPARATORS.sub("", title).strip() or None


def site_name_from_title(meta: PageMetadata) -> str | None:
    """The part of the ``<title>`` that is not the headline ("Headline - Site" -> "Site")."""
    title, headline = meta.titles.get("title"), meta.titles.get("h1") or meta.titles.get("og:title")
    if not title or not headline or not title.startswith(headline):
        return None
    rest = title[len(headline):].strip(" |-–—:·»/")
    return rest or None


def strip_site_name(title: str, site_names: list[str]) -> str:
    """Remove a " | Site name" suffix (or "Site name | " prefix) from a title."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    keys = {_norm(n) for n in site_names} | {_norm(n.rsplit(".", 1)[0]) for n in site_names if "." in n}
    keys.discard("")

    def is_site(part: str) -> bool:
        normalized = _norm(part)
        if not normalized:
            return False
        if any(normalized == k or normalized in k for k in keys):
            return True
        return len(part.split()) <= 4 and any(k in normalized for k in keys)

    if is_site(parts[-1]):
        return _rejoin(title, parts[:-1])
    if is_site(parts[0]):
        return _rejoin(title, parts[1:])
    if " | " in title and len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 3:
        return title.rsplit(" | ", 1)[0].strip()
    return title


def _rejoin(title: str, parts: list[str]) -> str:
    """The title text covering ``parts``, with the original separators kept between them."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _similar(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    return bool(na) and (na == nb or (len(na) > 10 and (na in nb or nb in na)))


def clean_section(section: str | None, site_names: list[str | None]) -> str | None:
    """The first of a comma-separated list of sections; None when it only names the site."""
    if not section:
        return None
    first = section.split(",")[0].strip() if "," in section else section.strip()
    if not first or any(name and _norm(first) == _norm(name) for name in site_names):
        return None
    return first


def _dedupe_authors(authors: list[str], publisher: str | None) -> list[str]:
    seen: dict[str, str] = {}
    for name in authors:
        for clean in split_authors(name, publisher):
            seen.setdefault(clean.lower(), clean)
    return list(seen.values())


def normalize_language(value: str | None) -> str | None:
    """BCP 47 code from ``en_US``, ``en-us``, ``EN``; None for junk."""
    if not value:
        return None
    code = value.split(",")[0].strip().replace("_", "-")
    match = re.fullmatch(r"([A-Za-z]{2,3})(?:-([A-Za-z]{2}|\d{3}|[A-Za-z]{4}))?", code)
    if not match:
        return None
    language, region = match.groups()
    if region:
        region = region.title() if len(region) == 4 else region.upper()
        return f"{language.lower()}-{region}"
    return language.lower()


class _LanguageModel:
    """py3langid's model takes a second or two to load: it loads in a background thread as
    soon as the first page arrives, while that page (most carry ``lang``) is extracted."""

    def __init__(self) -> None:
        self._loader: threading.Thread | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        with self._lock:
            if self._loader is None:
                import py3langid

                self._loader = threading.Thread(target=py3langid.classify, args=("load the model",),
                                                name="py3langid-load", daemon=True)
                self._loader.start()

    def classify(self, text: str) -> str:
        self.warm()
        assert self._loader is not None
        self._loader.join()
        import py3langid

        return py3langid.classify(text)[0]


_LANGUAGE_MODEL = _LanguageModel()


def detect_language(text: str) -> str | None:
    """Language of the text by py3langid, when there is enough of it to tell."""
    if len(text.split()) < 5:
        return None
    return _LANGUAGE_MODEL.classify(text[:1500]) or None  # a few paragraphs tell the language


# --- site profile selectors ----------------------------------------------------------------


def _apply_selectors(tree: HtmlElement, selectors: Mapping[str, str], url: str, notes: list[str]) -> dict:
    """Values of the profile's per-field selectors; an invalid selector is skipped and noted."""
    if not selectors:
        return {}
    from parsel import Selector

    root = Selector(root=tree, type="html")
    found: dict = {}
    for name, expression in selectors.items():
        if name not in SELECTOR_FIELDS or not expression:
            notes.append("unknown_selector_field" if name not in SELECTOR_FIELDS else "empty_selector")
            continue
        try:
            expression = expression.strip()
            results = root.xpath(expression) if expression.startswith(("/", "(")) else root.css(expression)
        except Exception:  # noqa: BLE001 - parsel raises several error types for bad expressions
            notes.append("bad_selector")
            continue
        _store_selector_result(found, name, results, url)
    return found


def _texts(results) -> list[str]:
    texts = []
    for result in results:
        node = result.root
        value = node.text_content() if isinstance(node, HtmlElement) else str(node)
        value = clean_text(value)
        if value:
            texts.append(value)
    return texts


def _store_selector_result(found: dict, name: str, results, url: str) -> None:
    if name == "body":
        body = body_from_selector_nodes([r.root for r in results])
        if body.text:
            found["body"] = body
        return
    if name == "images":
        images = []
        for result in results:
            node = result.root
            src = (node.get("data-src") or node.get("src")) if isinstance(node, HtmlElement) else str(node)
            if src and src.strip():
                images.append(Image(url=urljoin(url, src.strip())))
        if images:
            found["images"] = images
        return
    texts = _texts(results)
    if not texts:
        return
    if name == "authors":
        found["authors"] = [a for text in texts for a in split_authors(text)]
    elif name == "tags":
        found["tags"] = split_tags(texts)
    elif name in ("published_at", "modified_at"):
        kind = PUBLISHED if name == "published_at" else MODIFIED
        found.setdefault("dates", []).append(DateCandidate(texts[0], "profile", kind))
    else:
        found[name] = texts[0]
