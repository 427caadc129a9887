"""Small text helpers every metadata source uses: one-line text, tag lists, absolute URLs."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from newscrawler.extract.vocabulary import SKIP_WALK


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
            if not isinstance(child.tag, str) or child.tag in SKIP_WALK:
                add(child.tail, True)
                continue
            boundary = child.tag not in _INLINE_FORMATTING
            add(child.text, boundary)
            walk(child)
            add(child.tail, boundary)

    add(node.text, False)
    walk(node)
    return clean_text("".join(parts))

def split_tags(values: list[str]) -> list[str]:
    """Tags from meta values that may each hold a comma-separated list; de-duplicated, page order."""
    tags: dict[str, str] = {}
    for value in values:
        for part in re.split(r"\s*[,;]\s*", value):
            tag = clean_text(part).strip("# ")
            if tag and len(tag) <= 80 and tag.lower() not in tags:
                tags[tag.lower()] = tag
    return list(tags.values())


def absolute_url(href: str, base: str) -> str:
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return base

