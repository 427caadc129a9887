"""Microdata: ``itemprop`` values (headline, dates, author, section, keywords, description)."""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawler.extract.bylines import split_authors
from newscrawler.extract.candidates import PageMetadata
from newscrawler.extract.dates import MODIFIED, PUBLISHED, DateCandidate
from newscrawler.extract.text import clean_text, split_tags


def _itemprop_value(node: HtmlElement) -> str:
    for attribute in ("content", "datetime", "value"):
        if node.get(attribute):
            return clean_text(node.get(attribute))
    return clean_text(node.text_content())


def from_microdata(meta: PageMetadata, props: dict[str, list[HtmlElement]]) -> None:
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


