"""Bylines: the author names a page shows, and turning a byline into person names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

from newscrawler.extract.story_region import is_foreign
from newscrawler.extract.text import clean_text

if TYPE_CHECKING:
    from newscrawler.extract.markup import MarkupIndex


def byline_after_headline(h1s: list[HtmlElement]) -> str | None:
    """A "By Jane Doe. Filed 14 November 2023." line right under the headline, on pages without classes."""
    for h1 in h1s:
        for sibling in list(h1.itersiblings())[:3]:
            text = clean_text(sibling.text_content())
            if text and len(text) <= 150 and re.match(r"by\s+[^\W\d_]", text, re.IGNORECASE):
                return text
    return None


def byline_authors(index: MarkupIndex) -> list[str]:
    names = _rel_author_names(index.rel_authors)
    if names:
        return names
    for node in index.bylines:
        text = clean_text(node.text_content())
        if not text or len(text) > 120 or is_foreign(node):
            continue
        names = split_authors(text)
        if names:
            return names
    return []


def _rel_author_names(links: list[HtmlElement]) -> list[str]:
    """Names of the story's ``rel=author`` links: the first one's and those beside it ("By A and B").

    The byline is the largest element around the first link that is still a line (up to 200
    characters); ``rel=author`` links outside it (an author box, another story) are left out.
    """
    links = [a for a in links if (text := clean_text(a.text_content())) and len(text) <= 120 and not is_foreign(a)]
    if not links:
        return []
    first = byline = links[0]
    for ancestor in first.iterancestors():
        if len(ancestor.text_content()) > 200:
            break
        byline = ancestor
    beside = [first] + [a for a in links[1:] if any(p is byline for p in a.iterancestors())]
    names: list[str] = []
    for link in beside:
        for name in split_authors(clean_text(link.text_content())):
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return names


_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|analysis|opinion|commentary|review|story|words|text|photos?)\s+)?by[:\s]+"
    r"|^\s*[^\W\d_]{2,12}:\s+",
    re.IGNORECASE,
)
# Conjunctions split names only in lower case ("Bruce Y. Lee" is one person); commas always do.
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\s(?:and|AND|And|und|et|y|e)\s)\s*")
# The conjunction left at the head of a part by an Oxford comma ("A, B, and C").
_LEADING_CONJUNCTION = re.compile(r"^(?:and|AND|And|und|et|y|e|&)\s+")
_NOT_A_PERSON = re.compile(
    r"^(?:the\s.*|editor|editors|admin|administrator|news ?desk|desk|web desk|agencies|agency|guest|team|"
    r"editorial|associated press|ap|reuters|afp|pti|ians|ani|bloomberg|press release|unknown|anonymous|"
    r"(?:cnn|bbc|usa today|business insider|ap|reuters|afp|bloomberg)\b.*|"
    r".*\b(?:staff|writer|reporter|correspondent|columnist|contributor|editor|editor-at-large|producer|"
    r"wire services?|wires?|reports|desk)\b.*)$",
    re.IGNORECASE,
)
# Lower-case words that belong inside a person's name ("Ludwig van Beethoven").
_NAME_PARTICLES = {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "van", "von", "der",
                   "den", "ter", "bin", "binti", "al", "el", "ibn", "y", "e", "zu", "af", "av"}
# Degrees and wire names written after a person's name in bylines.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,4}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?)$")
_NAME_SUFFIX = re.compile(r"\s+(?:Associated Press|USA TODAY|Reuters|AFP|Bloomberg|CNN\b.*|BBC\b.*)$")
_NAME_NOISE = re.compile(
    r"\b(?:updated|published|posted|filed|last updated|on)\b.*$|\d{1,2}:\d{2}.*$|\b(?:19|20)\d{2}\b.*$"
    r"|\S+@\S+|https?://\S+"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*$",
    re.IGNORECASE,
)


def split_authors(text: str | None, publisher: str | None = None) -> list[str]:
    """Person names from a byline: no "By", no dates, no staff, wire or publisher names, no duplicates."""
    if not text:
        return []
    text = clean_text(text)
    text = _BY_PREFIX.sub("", text)
    text = _NAME_NOISE.sub("", text).strip(" ,;|-–—:·•/")
    inverted = re.fullmatch(r"([^\W\d_][\w'’-]+),\s*([^\W\d_][\w'’.-]+)", text)
    if inverted and not _CREDENTIAL.match(inverted.group(2)):  # "Doe, Jane": one person, family name first
        text = f"{inverted.group(2)} {inverted.group(1)}"
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(text):
        name = _NAME_SUFFIX.sub("", _BY_PREFIX.sub("", _LEADING_CONJUNCTION.sub("", part))).strip(" .,;:-–—|·•/")
        if publisher and len(publisher) > 3 and name.lower().endswith(" " + publisher.lower()):
            name = name[: -len(publisher)].strip()
        if not _is_person_name(name, publisher):
            continue
        if name.lower() in {n.lower() for n in names}:
            continue
        names.append(name)
    return names


def _is_person_name(name: str, publisher: str | None) -> bool:
    if not name or len(name) > 60 or len(name.split()) > 5 or re.search(r"\d", name):
        return False
    if not re.search(r"[^\W\d_]", name) or _CREDENTIAL.match(name) or _NOT_A_PERSON.match(name):
        return False
    if publisher and name.lower() == publisher.lower():
        return False
    if any(word[0].islower() and word not in _NAME_PARTICLES for word in name.split()):
        return False  # "defense ministries": a phrase, not a name
    if " " not in name and (re.search(r"[a-z][A-Z]", name) or "admin" in name.lower() or name.isupper()):
        return False  # a user or brand handle ("LinkNaija", "jdadmin", "KWCHCIK"), not a person
    return True


