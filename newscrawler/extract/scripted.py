"""Does a fetched page need JavaScript to show its content? (``render_js=auto``)

A page built by script arrives as a shell: scripts, perhaps a header and a menu, and an
empty element the script fills (``<div id="root"></div>``), often with a ``<noscript>``
asking for JavaScript. A page that already carries its text does not need the browser,
whatever scripts it also has. So: the page has a script, and the text a reader would see
without it is short, or it is a little longer but an empty mount point or a noscript
notice says the rest comes by script.
"""

from __future__ import annotations

import re

from lxml import etree, html as lxml_html

SHORT_PAGE_WORDS = 80
"""Fewer visible words than this, with a script on the page: the script brings the content."""
SHELL_PAGE_WORDS = 250
"""A page with an empty mount point or a JavaScript notice may carry this many words of menus."""

_VISIBLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)
_MOUNT_IDS = re.compile(r"^(?:root|app|__next|__nuxt|___gatsby|svelte|main-app|app-root|react-root|mount)$", re.I)
_MOUNT_ATTRS = ("data-reactroot", "ng-app", "ng-version", "data-v-app", "data-server-rendered")
_WORD = re.compile(r"\w+")


def needs_javascript(page: str | bytes) -> bool:
    """True when ``page`` (HTML) looks like a shell whose content a script inserts."""
    probe = page[:200_000].lower()
    if (b"<script" if isinstance(page, bytes) else "<script") not in probe:
        return False
    try:
        root = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return False
    body = root.find("body")
    if body is None:
        body = root
    has_script = any(_is_code(s) for s in root.iter("script"))
    if not has_script:
        return False
    notice = any("javascript" in (n.text_content() or "").lower() for n in root.iter("noscript"))
    mount = any(_is_empty_mount(e) for e in body.iter(etree.Element))
    words = _visible_words(body)
    return words < SHORT_PAGE_WORDS or ((notice or mount) and words < SHELL_PAGE_WORDS)


def _is_code(script: etree._Element) -> bool:
    """A script that runs (not JSON-LD, a template or other data)."""
    kind = (script.get("type") or "text/javascript").strip().lower()
    if kind not in {"text/javascript", "application/javascript", "module", "text/ecmascript", ""}:
        return False
    return bool(script.get("src") or (script.text or "").strip())


def _is_empty_mount(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return False
    named = bool(_MOUNT_IDS.match(element.get("id") or "")) or any(a in element.attrib for a in _MOUNT_ATTRS)
    return named and not (element.text_content() or "").strip()


def _visible_words(body: etree._Element) -> int:
    return sum(len(_WORD.findall(text)) for text in _VISIBLE_TEXT(body))
