"""Where does rendering pay? Kinds of pages, and what the browser added to one of them.

``render_js=auto`` learns per site instead of guessing from one page's markup. Pages are
grouped into kinds by the shape of their URL (``page_kind``): a section is a kind of its own
(``/world/``), its pagination another (``/world/page/#/``), stories of one URL pattern one
(``/#/#/#/*/``), a calendar one (``/archive/?day``). The first pages of each kind are rendered
as samples and compared with the plain fetch (``render_gain``): links the plain copy lacks,
story links among them, and main text it lacks. Only kinds where the browser revealed
something keep being rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree, html as lxml_html

from newscrawler.discovery.dates import date_from_url

_NUMBER = re.compile(r"^\d+$|^\d{4}-\d{2}(?:-\d{2})?$")
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]")
_HEADING_LINK = etree.XPath("ancestor::*[self::h1 or self::h2 or self::h3 or self::h4]")

NEW_STORY_LINKS = 1
"""A rendered copy with at least this many story links the plain copy lacks: rendering pays."""
NEW_LINKS = 5
"""... or with this many new links of any kind."""
EXTRA_WORDS = 120
"""... or with this many more words of text, and at least half again as many as the plain copy."""


def page_kind(url: str) -> str:
    """The shape of a URL: numbers become ``#``, slugs ``*``, query values dropped."""
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        if _NUMBER.match(segment):
            segments.append("#")
        elif _is_slug(segment):
            segments.append("*")
        else:
            segments.append(segment.lower())
    shape = "/".join(segments) or "/"
    keys = sorted({key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return shape + ("?" + "&".join(keys) if keys else "")


def _is_slug(segment: str) -> bool:
    """A story's own words in its URL (``how-the-dam-broke``, ``story-4``, ``a1b2c3d4e5``...), not
    a section's name (``world``, ``middle-east``)."""
    separators = len(re.findall(r"[-_]", segment))
    has_digit = any(c.isdigit() for c in segment)
    return separators >= 2 or len(segment) >= 25 or (separators >= 1 and has_digit) or (
        has_digit and any(c.isalpha() for c in segment) and len(segment) >= 8)


@dataclass(frozen=True)
class RenderGain:
    """What the rendered copy of a page shows that the plain copy does not."""

    new_links: int
    new_story_links: int
    plain_words: int
    rendered_words: int
    new_section_links: int = 0
    """New links to what looks like a section (``/live/``, ``/world/africa/``): an entry page's
    menu built by script leads to whole sections."""

    @property
    def extra_words(self) -> int:
        return self.rendered_words - self.plain_words

    def pays(self, entry_page: bool = False) -> bool:
        """Worth rendering pages of this kind? On an entry page, a menu link alone is enough."""
        return (self.new_story_links >= NEW_STORY_LINKS or self.new_links >= NEW_LINKS
                or (entry_page and self.new_section_links > 0)
                or (self.extra_words >= EXTRA_WORDS and self.rendered_words >= 1.5 * max(self.plain_words, 1)))

    def reason(self) -> str:
        return (f"{self.new_story_links} new story links, {self.new_section_links} new section links, "
                f"{self.new_links} new links in all, {self.extra_words:+d} words "
                f"({self.plain_words} -> {self.rendered_words})")


def _read(page: str | bytes) -> etree._Element | None:
    try:
        return lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None


def _links(root: etree._Element | None, url: str) -> dict[str, bool]:
    """Same-site link targets of a page, each with whether it looks like a story link."""
    if root is None:
        return {}
    host = urlsplit(url).hostname
    links: dict[str, bool] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        if urlsplit(target).hostname != host:
            continue
        text = " ".join(anchor.text_content().split())
        story = bool(_HEADING_LINK(anchor)) or date_from_url(target) is not None or len(text.split()) >= 5
        links[target] = links.get(target, False) or story
    return links


def _words(root: etree._Element | None) -> int:
    return 0 if root is None else sum(len(t.split()) for t in _VISIBLE_TEXT(root))


def render_gain(plain: str | bytes, rendered: str | bytes, url: str) -> RenderGain:
    """Compare a page as fetched with the same page as the browser left it."""
    plain_root, rendered_root = _read(plain), _read(rendered)
    before, after = _links(plain_root, url), _links(rendered_root, url)
    new = {target: story for target, story in after.items() if target not in before}
    sections = sum(1 for target in new if _section_like(target))
    return RenderGain(len(new), sum(new.values()), _words(plain_root), _words(rendered_root), sections)


_SECTION_SEGMENT = re.compile(r"^[a-z][a-z-]{1,30}$")
_NOT_SECTIONS = frozenset({"login", "logout", "signin", "signup", "register", "account", "search", "subscribe",
                           "cart", "checkout", "share", "print", "feed", "rss", "tag", "tags"})


def _section_like(url: str) -> bool:
    parts = urlsplit(url)
    segments = [s for s in parts.path.lower().split("/") if s]
    return (not parts.query and 1 <= len(segments) <= 2 and all(_SECTION_SEGMENT.match(s) for s in segments)
            and not _NOT_SECTIONS.intersection(segments))
