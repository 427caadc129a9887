"""Which parts of a page belong to the story, and which to something else.

A date or byline in a photo caption, a comment, the sidebar or a related-stories block
names another thing than this story. Class names are the clue, but a page's layout
wrappers carry them too (``<body class="... sidebar">``, ``content-sidebar-wrap``,
``layout--with-sidebar``): a container that also holds the story's headline is the story's
own, whatever its class says.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml.html import HtmlElement

# Containers whose dates and bylines belong to something other than this story.
FOREIGN_CONTAINER = re.compile(
    r"caption|credit|comment|related|sidebar|widget|footer|recommend|more-stories|also-like|popular|trending"
    r"|newsletter|share|social|promo|teaser|reply|respond",
)
# Page-layout words: foreign outside the story's own entry, the entry's own column or footer inside it.
_LAYOUT_WORDS = {"sidebar", "widget", "footer"}
_FOREIGN_TAGS = {"figcaption", "aside", "figure"}
_ENTRY_CLASSES = {"hentry", "h-entry", "post", "type-post", "entry", "article"}


def story_containers(headline: HtmlElement | None) -> frozenset[HtmlElement]:
    """The headline and every element around it: the story's own containers."""
    if headline is None:
        return frozenset()
    return frozenset([headline, *headline.iterancestors()])


def is_foreign(node: HtmlElement, story: Collection[HtmlElement] = frozenset()) -> bool:
    """True when the node sits in a caption, comment, sidebar or related-stories block.

    The walk stops at ``<body>`` and at the first container that holds the headline
    (``story``): their classes describe the page's layout. A footer, sidebar or widget
    inside the story's own entry (``<article>``, hAtom's ``hentry``) is the story's: themes
    put the date in the entry's footer or its info column.
    """
    in_layout = False
    for ancestor in node.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag in ("body", "html") or ancestor in story:
            return in_layout and not (ancestor in story and is_entry(ancestor))
        attrs = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower()
        words = set(FOREIGN_CONTAINER.findall(attrs)) if attrs.strip() else set()
        if words - _LAYOUT_WORDS or tag in _FOREIGN_TAGS:
            return True
        if words or tag == "footer":
            in_layout = True
    return in_layout


def is_entry(node: HtmlElement) -> bool:
    """An element that wraps one whole post: ``<article>``, hAtom ``hentry``, a schema.org Article."""
    if node.tag == "article":
        return True
    classes = set((node.get("class") or "").lower().split())
    itemtype = (node.get("itemtype") or "").lower()
    return bool(classes & _ENTRY_CLASSES) or itemtype.endswith(("article", "posting"))


def is_foreign_block(node: HtmlElement, story: Collection[HtmlElement] = frozenset()) -> bool:
    """Like :func:`is_foreign`, but the node itself counts too, and so does any caption or
    sidebar it holds: for blocks read whole, such as the lines around a headline."""
    tag = node.tag if isinstance(node.tag, str) else ""
    attrs = f"{node.get('class', '')} {node.get('id', '')}".lower()
    if tag in _FOREIGN_TAGS or tag == "footer" or (attrs.strip() and FOREIGN_CONTAINER.search(attrs)):
        return True
    if any(True for _ in node.iterdescendants(*_FOREIGN_TAGS, "footer")):
        return True
    return is_foreign(node, story)
