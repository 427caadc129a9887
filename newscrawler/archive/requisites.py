"""What a page needs to be shown: its stylesheets, images, scripts, fonts and icons (pure).

``html_requisites`` reads a page, ``css_references`` a stylesheet (``@import`` and
``url()``); both return absolute http(s) URLs, each once, in document order. A ``srcset``
with more candidates than asked keeps the smallest, the largest and evenly spaced ones
between (a browser picks one by viewport and pixel density).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

REQUISITE = "newscrawler_requisite"
"""Request meta key marking a page requisite (value: its kind); page-only components skip those."""
STYLESHEET, IMAGE, SCRIPT, FONT, ICON, MEDIA, OTHER = "stylesheet", "image", "script", "font", "icon", "media", "other"

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)""", re.IGNORECASE)
_FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
# Lazy-loaded backgrounds (lazysizes, WP Rocket and the like), on any element.
_LAZY_BACKGROUND = ("data-bg", "data-background", "data-background-image", "data-lazy-background")
_EXTENSION_KINDS = {"css": STYLESHEET, "js": SCRIPT, "mjs": SCRIPT, "woff2": FONT, "woff": FONT, "ttf": FONT,
                    "otf": FONT, "png": IMAGE, "jpg": IMAGE, "jpeg": IMAGE, "gif": IMAGE, "webp": IMAGE,
                    "avif": IMAGE, "svg": IMAGE}
# Absolute asset URLs quoted in inline scripts, as JSON escapes them too ("https:\/\/..."): what
# loaders such as WordPress's emoji script fetch once the page runs.
_SCRIPT_ASSET = re.compile(
    r"""["'](https?:(?:\\?/){2}[^"'\s<>]+?\.(css|m?js|woff2?|ttf|otf|png|jpe?g|gif|webp|avif|svg))(?:\?[^"'\s<>]*)?["']""",
    re.IGNORECASE)
_PRELOAD_KINDS = {"style": STYLESHEET, "image": IMAGE, "script": SCRIPT, "font": FONT}


@dataclass(frozen=True)
class Requisite:
    """A resource a page or stylesheet refers to, and what kind it is."""

    url: str
    kind: str


@dataclass
class SrcsetStats:
    """Candidates of over-long srcsets that were left out (counted by the caller)."""

    dropped: int = 0


def absolute(url: str, base: str) -> str | None:
    """``url`` made absolute against ``base`` without its fragment; None unless http(s)."""
    url = url.strip()
    if not url or url.startswith(("data:", "javascript:", "about:", "blob:", "#")):
        return None
    try:
        joined = urldefrag(urljoin(base, url)).url
    except ValueError:
        return None
    return joined if joined.startswith(("http://", "https://")) else None


def srcset_urls(value: str) -> list[tuple[str, float]]:
    """``(url, size)`` of each srcset candidate; size is the ``w`` or ``x`` number (1 without)."""
    out, position = [], 0
    while position < len(value):
        match = re.compile(r"[\s,]*(\S+)").match(value, position)
        if not match:
            break
        url, position = match.group(1), match.end()
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = value.find(",", position)
            end = len(value) if end < 0 else end
            descriptor, position = value[position:end].strip(), end + 1
        if not url:
            continue
        number = re.match(r"([\d.]+)[wx]$", descriptor)
        try:
            size = float(number.group(1)) if number else 1.0
        except ValueError:
            size = 1.0
        out.append((url, size))
    return out


def pick_candidates(candidates: list[tuple[str, float]], limit: int) -> list[str]:
    """At most ``limit`` URLs: all if few, else smallest, largest and evenly spaced between."""
    if len(candidates) <= limit:
        return [url for url, _ in candidates]
    ordered = sorted(candidates, key=lambda c: c[1])
    if limit == 1:
        return [ordered[-1][0]]
    step = (len(ordered) - 1) / (limit - 1)
    return list(dict.fromkeys(ordered[round(i * step)][0] for i in range(limit)))


def css_references(css: str, base: str) -> list[Requisite]:
    """What a stylesheet loads: ``@import``ed sheets, then every other ``url()`` (fonts, images)."""
    text = _CSS_COMMENT.sub("", css)
    found: dict[str, Requisite] = {}
    for match in _CSS_IMPORT.finditer(text):
        url = absolute(match.group(2), base)
        if url:
            found.setdefault(url, Requisite(url, STYLESHEET))
    for match in _CSS_URL.finditer(text):
        url = absolute(match.group(2), base)
        if url and url not in found:
            path = url.split("?", 1)[0].lower()
            found[url] = Requisite(url, FONT if path.endswith(_FONT_EXTENSIONS) else IMAGE)
    return list(found.values())


def html_requisites(html: str | bytes, url: str, max_srcset: int = 8, srcset_stats: SrcsetStats | None = None
                    ) -> list[Requisite]:
    """Everything ``<link>``, ``<img>``, ``<picture>``, ``<script>``, ``<video>``, inline
    styles and ``<style>`` blocks of the page at ``url`` ask a browser to load."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = url
    for element in tree.iter("base"):
        if element.get("href"):
            base = absolute(element.get("href", ""), url) or url
            break
    found: dict[str, Requisite] = {}
    stats = srcset_stats if srcset_stats is not None else SrcsetStats()

    def add(value: str | None, kind: str) -> None:
        target = absolute(value or "", base)
        if target and target not in found:
            found[target] = Requisite(target, kind)

    def add_srcset(value: str | None, kind: str = IMAGE) -> None:
        candidates = srcset_urls(value or "")
        kept = pick_candidates(candidates, max_srcset)
        stats.dropped += len(candidates) - len(kept)
        for candidate in kept:
            add(candidate, kind)

    for element in tree.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "link":
            rel = {token.lower() for token in (element.get("rel") or "").split()}
            if "stylesheet" in rel:
                add(element.get("href"), STYLESHEET)
            elif rel & {"icon", "apple-touch-icon", "mask-icon"}:
                add(element.get("href"), ICON)
            elif "preload" in rel or "modulepreload" in rel:
                kind = SCRIPT if "modulepreload" in rel else _PRELOAD_KINDS.get((element.get("as") or "").lower())
                if kind:
                    add(element.get("href"), kind)
                    add_srcset(element.get("imagesrcset"))
        elif tag in {"img", "source", "input"}:
            if tag == "input" and (element.get("type") or "").lower() != "image":
                continue
            kind = MEDIA if tag == "source" and element.getparent() is not None \
                and element.getparent().tag in {"video", "audio"} else IMAGE
            add(element.get("src"), kind)
            add_srcset(element.get("srcset"), kind)
            for name in _LAZY_SRC:
                add(element.get(name), kind)
            for name in _LAZY_SRCSET:
                add_srcset(element.get(name), kind)
        elif tag == "script":
            add(element.get("src"), SCRIPT)
            if not element.get("src") and element.text:
                for match in _SCRIPT_ASSET.finditer(element.text):
                    add(match.group(0)[1:-1].replace("\\/", "/"), _EXTENSION_KINDS[match.group(2).lower()])
        elif tag in {"use", "image"}:  # SVG sprites and pictures
            add(element.get("href") or element.get("xlink:href") or element.get("{http://www.w3.org/1999/xlink}href"),
                IMAGE)
        elif tag in {"audio", "track", "embed"}:
            add(element.get("src"), MEDIA)
        elif tag == "object":
            add(element.get("data"), MEDIA)
        elif tag == "video":
            add(element.get("poster"), IMAGE)
        elif tag == "style":
            for requisite in css_references(element.text or "", base):
                add(requisite.url, requisite.kind)
        for name in _LAZY_BACKGROUND:
            if tag and element.get(name):
                add(element.get(name), IMAGE)
        style = element.get("style") if tag else None
        if style and "url(" in style:
            for requisite in css_references(style, base):
                add(requisite.url, requisite.kind)
    return list(found.values())
