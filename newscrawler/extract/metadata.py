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
from newscrawler.extract.markup import from_markup, index_markup
from newscrawler.extract.meta_tags import from_meta_tags, meta_tags
from newscrawler.extract.microdata import from_microdata


def extract_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Collect field candidates from structured data first, then visible markup."""
    meta = PageMetadata()
    metas = meta_tags(tree)
    article, others = story_object(tree, url, meta.problems)
    from_jsonld(meta, article, others, url)
    from_meta_tags(meta, metas, url)
    index = index_markup(tree)
    from_microdata(meta, index.itemprops)
    from_markup(meta, tree, index, url)
    meta.content_roots = index.content_roots
    return meta

