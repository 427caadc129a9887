"""``parse_page(html, url) -> Page``: a page parsed once, for the classifier and the extractor.

Decoding, the lxml tree, the JSON-LD objects and the ``<meta>`` tags are read here, once; the
classifier (``pagetype``) and the extractor (``article``) both read the same ``Page`` instead of
each parsing the HTML again under its own rules. The markup index (one walk over the tree) is
built when first asked for: pages the classifier turns away never need it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from newscrawler.extract.jsonld import jsonld_objects
from newscrawler.extract.markup import MarkupIndex, index_markup
from newscrawler.extract.meta_tags import meta_tags

EMPTY_PAGE = "empty_page"
NOT_HTML = "not_html"
UNPARSEABLE_HTML = "unparseable_html"

_NOISE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


class PageError(ValueError):
    """Text that is no page to read; ``reason`` is the code the crawl counts
    (``empty_page``, ``not_html``, ``unparseable_html``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Page:
    """One page as parsed once. ``tree`` is shared: readers must not change it."""

    url: str
    text: str
    """The decoded HTML."""
    tree: HtmlElement
    metas: dict[str, list[str]]
    """``<meta>`` contents by lower-cased name/property/http-equiv, in page order."""
    jsonld: list[dict[str, Any]]
    """Every JSON-LD object with an ``@type``, ``@graph`` and arrays flattened, in page order."""
    problems: list[str] = field(default_factory=list)
    """Reason codes of the JSON-LD blocks that could not be read (``jsonld_broken``, ``jsonld_too_deep``)."""

    @classmethod
    def from_tree(cls, tree: HtmlElement, url: str, text: str = "") -> Page:
        """A Page around a tree parsed elsewhere (tests, callers holding a tree already)."""
        problems: list[str] = []
        objects = jsonld_objects(tree, problems)
        return cls(url=url, text=text, tree=tree, metas=meta_tags(tree), jsonld=objects, problems=problems)

    @cached_property
    def markup(self) -> MarkupIndex:
        """The elements the markup rules look at, gathered in one walk (on first use)."""
        return index_markup(self.tree)


def parse_page(html: str | bytes, url: str) -> Page:
    """Decode and parse ``html`` once; raise :class:`PageError` when it is no HTML page."""
    text = decode_html(html) if isinstance(html, (bytes, bytearray)) else html
    if not isinstance(text, str) or not text.strip():
        raise PageError(EMPTY_PAGE)
    if not looks_like_html(text):
        raise PageError(NOT_HTML)
    tree = parse_html(text)
    if tree is None:
        raise PageError(UNPARSEABLE_HTML)
    return Page.from_tree(tree, url, text)


def decode_html(data: bytes | bytearray) -> str:
    """Decode page bytes without HTTP headers: BOM, then ``<meta charset>``, then detection."""
    from w3lib.encoding import html_to_unicode

    raw = bytes(data)
    _, text = html_to_unicode(None, raw, auto_detect_fun=_detect_encoding)
    return text


def _detect_encoding(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best else "cp1252"


def looks_like_html(text: str) -> bool:
    """True when the text has markup and is not mostly binary noise."""
    head = text[:20_000]
    if "<" not in head:
        return False
    return len(_NOISE.findall(head)) < len(head) * 0.1


def parse_html(text: str) -> HtmlElement | None:
    """An lxml tree, or None when the parser can make nothing of the text.

    trafilatura's loader is used so the body extractor sees the tree it would have built
    itself (comments dropped, faulty doctypes repaired): its scores depend on that.
    """
    from trafilatura.utils import load_html

    text = text.replace("\x00", "")
    if text.lstrip().startswith("<?xml"):
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = load_html(text)
    except (etree.ParserError, ValueError, TypeError):
        tree = None
    if tree is None:
        try:
            tree = lxml_html.document_fromstring(text)
        except (etree.ParserError, ValueError, TypeError):
            return None
    if not isinstance(tree, HtmlElement):
        return None
    if tree.tag != "html":  # a fragment: wrap it so every later step sees a document
        root = lxml_html.Element("html")
        body = lxml_html.Element("body")
        root.append(body)
        body.append(tree)
        tree = root
    return tree
