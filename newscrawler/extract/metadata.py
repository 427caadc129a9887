"""What a page says about itself: JSON-LD, microdata, OpenGraph, meta tags and bylines.

Structured data is read before visible markup because it is what the publisher meant to
state; visible markup (``<time>``, bylines, breadcrumbs) fills the gaps. Each source is read by
its own module (``jsonld``, ``meta_tags``, ``microdata``, ``markup``, ``bylines``); their selectors
and type sets live together in ``vocabulary``. This module only combines them, in order of trust.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawler.extract.candidates import PageMetadata
from newscrawler.extract.jsonld import from_jsonld, story_object
from newscrawler.extract.markup import from_markup
from newscrawler.extract.meta_tags import from_meta_tags
from newscrawler.extract.microdata import from_microdata
from newscrawler.extract.page import Page


def read_metadata(page: Page) -> PageMetadata:
    """Collect field candidates from structured data first, then visible markup."""
    meta = PageMetadata()
    meta.problems.extend(page.problems)
    from_jsonld(meta, story_object(page.jsonld, page.url), page.jsonld, page.url)
    from_meta_tags(meta, page.metas, page.url)
    index = page.markup
    from_microdata(meta, index.itemprops)
    from_markup(meta, page.tree, index, page.url)
    meta.content_roots = index.content_roots
    return meta


def extract_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """:func:`read_metadata` for a tree parsed elsewhere."""
    return read_metadata(Page.from_tree(tree, url))
