"""Visible markup: headings, ``<time>``, date lines, bylines, breadcrumbs, kickers and tag links,
gathered in one walk over the tree and read for what structured data left open."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.extract.bylines import byline_after_headline, byline_authors, split_authors
from newscrawler.extract.candidates import PageMetadata
from newscrawler.extract.dates import PUBLISHED, date_from_url
from newscrawler.extract.page_dates import visible_dates
from newscrawler.extract.story_region import FOREIGN_CONTAINER, is_foreign
from newscrawler.extract.text import absolute_url, clean_text, spaced_text, split_tags
from newscrawler.extract.vocabulary import (
    BYLINE_CLASS, BYLINE_NOT, CONTENT_CLASS, DATE_CLASS, MARKUP_HINT, SKIP_WALK, TAG_HREF,
)


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



def index_markup(tree: HtmlElement) -> MarkupIndex:
    """Walk the tree once and keep what the markup rules need (full-tree XPath scans are slow)."""
    index = MarkupIndex()
    for node in tree.iter():
        tag = node.tag
        if not isinstance(tag, str) or tag in SKIP_WALK:
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
            if href and TAG_HREF.search(href):
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
        if not MARKUP_HINT.search(lowered):
            continue
        if CONTENT_CLASS.search(lowered):
            if tag != "article":
                index.content_roots.append(node)
        elif "breadcrumb" in lowered:
            index.breadcrumbs.append(node)
        elif len(node) <= 8:
            if DATE_CLASS.search(lowered) and not FOREIGN_CONTAINER.search(lowered):
                index.dated.append(node)
            if BYLINE_CLASS.search(lowered) and not BYLINE_NOT.search(lowered):
                index.bylines.append(node)
    return index


def from_markup(meta: PageMetadata, tree: HtmlElement, index: MarkupIndex, url: str) -> None:
    h1s = [text for text in (spaced_text(h) for h in index.h1s) if text]
    if h1s:
        meta.titles["h1"] = h1s[0]
    if index.title and clean_text(index.title):
        meta.titles["title"] = clean_text(index.title)
    if index.canonical:
        meta.canonical_url = absolute_url(index.canonical, url)
    if not meta.language:
        root = tree.getroottree().getroot()
        # an HTML parser keeps XHTML's xml:lang under that literal name
        lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang and lang.strip():
            meta.language = lang.strip()
    byline = byline_after_headline(index.h1s[:1])
    url_date = date_from_url(url)
    meta.dates += visible_dates(
        times=index.times, abbrs=index.abbrs, dated=index.dated, roots=index.content_roots,
        headline=_headline(index.h1s, index.subheads, meta.titles), byline=byline, language=meta.language,
        has_published=url_date is not None or any(d.kind == PUBLISHED for d in meta.dates),
        page_body=tree.find("body"), titles=[meta.titles[k] for k in ("og:title", "title") if k in meta.titles])
    if url_date:
        meta.dates.append(url_date)
    if not meta.authors:
        meta.authors = byline_authors(index) or split_authors(byline)
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
    target = urlsplit(absolute_url(href, url))
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


def _markup_breadcrumbs(nodes: list[HtmlElement]) -> list[str]:
    for node in nodes:
        crumbs = [clean_text(a.text_content()) for a in node.iter("a", "span", "li") if len(a) == 0]
        crumbs = [c for c in crumbs if c and c not in (">", "/", "»", "›", "|")]
        if crumbs:
            return list(dict.fromkeys(crumbs))
    return []


