"""``<meta>`` tags: OpenGraph, Twitter cards, Dublin Core, Parse.ly and the rest, by name."""

from __future__ import annotations

import json

from newscrawler.extract.bylines import split_authors
from newscrawler.extract.candidates import PageMetadata, add_image
from newscrawler.extract.dates import MODIFIED, PUBLISHED, DateCandidate, date_string
from newscrawler.extract.text import absolute_url, clean_text, split_tags
from newscrawler.extract.vocabulary import (
    META_AUTHOR, META_DESCRIPTION, META_JSON_PUBLISHED, META_LANGUAGE, META_MODIFIED, META_PUBLISHED, META_SECTION,
    META_TAGS, META_TITLE,
)
from lxml.html import HtmlElement


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


def from_meta_tags(meta: PageMetadata, metas: dict[str, list[str]], url: str) -> None:
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
            add_image(meta, value, url)
    if metas.get("og:url") and not meta.canonical_url:
        meta.canonical_url = absolute_url(metas["og:url"][0], url)


def _json_field(text: str, key: str) -> str | None:
    """One string field of a JSON object held in a meta tag; None when it is not JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return date_string(value)

