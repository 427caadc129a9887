"""Dates a page shows its readers: ``<time>``, hAtom ``<abbr>``, date lines by the byline and
under the headline, in any language.

Each date becomes a candidate with the source it came from; ``dates.choose_dates`` decides.
Only short lines are read (a date line, not a paragraph that mentions a day), dates in
captions, comments and sidebars are not the story's, and a line that says "Updated" (in
any of a dozen languages) gives the modification date.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from lxml.html import HtmlElement

from newscrawler.extract.dates import MODIFIED, PUBLISHED, DateCandidate, parse_date
from newscrawler.extract.story_region import FOREIGN_CONTAINER, is_foreign, is_foreign_block, story_containers
from newscrawler.extract.written_dates import find_written_date, written_dates

MAX_LINE = 200
"""Longest text read as a date line; longer text is story prose, whose dates name events."""
MAX_ELEMENTS = 1000
"""Date elements of each kind read, in page order: a page's own date comes long before the
thousandth ``<time>`` of an archive list, and a 5 MB page of them costs no more."""
MAX_SEGMENTS = 3000
"""Texts the last resort reads after the headline before it gives up."""
MAX_DATE_SEGMENT = 120
MAX_OTHER_LETTERS = 40
"""A text read as a bare date line by the last resort: short, and few letters beside the date."""
_PAGE_HEADER = re.compile(r"(?:^|[\s_-])(?:header|masthead|top-?bar|navbar|site-head)")
# What may come before a numeric date that opens a story: nothing, or a place name and a comma.
_DATELINE_START = re.compile(r"^\W{0,3}(?:[^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*)?\W{1,4})?$")
_NOT_STORY_TEXT = {"script", "style", "noscript", "nav", "header", "footer", "aside", "figcaption", "figure", "form",
                   "select", "option", "button", "template", "svg", "textarea", "iframe"}

_UPDATED_CLASS = re.compile(r"updat|modif|revis")
_PUBLISHED_CLASS = re.compile(r"publish|posted|created|entry-date|pubdate")
# Words that say which date a line gives, just before it ("Updated: Sept 2, 2022", "mis à jour le").
UPDATE_WORDS = re.compile(
    r"(?:updated|last updated|modified|edited|revised|aktualisiert|geändert|letzte änderung"
    r"|mis à jour|mise à jour|modifié|actualizado|actualización|atualizado|atualização|aggiornato"
    r"|aggiornamento|bijgewerkt|gewijzigd|uppdaterad|opdateret|oppdatert|päivitetty|zaktualizowano"
    r"|aktualizacja|обновлено|обновлен)\W{0,3}(?:\w+\W{1,3}){0,3}$",
    re.IGNORECASE,
)
_PUBLISH_WORDS = re.compile(
    r"(?:published|posted|first published|publié|publicado|pubblicato|veröffentlicht|erschienen|gepubliceerd"
    r"|julkaistu|opublikowano|publicerad|опубликовано)\W{0,3}(?:\w+\W{1,3}){0,3}$",
    re.IGNORECASE,
)


def visible_dates(
    *,
    times: list[HtmlElement],
    abbrs: list[HtmlElement],
    dated: list[HtmlElement],
    roots: list[HtmlElement],
    headline: HtmlElement | None,
    byline: str | None,
    language: str | None,
    has_published: bool = False,
    page_body: HtmlElement | None = None,
    titles: Iterable[str] = (),
) -> list[DateCandidate]:
    """Date candidates from visible markup, the story's own before the rest of the page's."""
    story = story_containers(headline)
    near = _story_nodes(roots, headline)
    times, abbrs, dated = times[:MAX_ELEMENTS], abbrs[:MAX_ELEMENTS], dated[:MAX_ELEMENTS]
    found = microformat_dates(abbrs, story)
    found += time_element_dates(_inside_first(times, near), story, language)
    inside = [n for n in dated if _is_inside(n, near)]
    outside = [n for n in dated if not (near and _is_inside(n, near)) and not _in_page_header(n, story)]
    lines: list[tuple[str, str, bool]] = [(_flat_text(n), _context_kind(n, _default_kind(n)), False)
                                          for n in inside if not is_foreign(n, story)]
    if byline:
        lines.append((byline, PUBLISHED, False))
    # Lines around the headline have no class to vouch for them: only bare date lines count.
    lines += [(_flat_text(n), PUBLISHED, True) for n in headline_neighbours(headline)
              if not is_foreign_block(n, story)]
    lines += [(_flat_text(n), _context_kind(n, _default_kind(n)), False) for n in outside
              if not is_foreign(n, story)]
    found += text_dates(lines, language)
    if not any(c.kind == PUBLISHED for c in found) and not has_published:
        last_resort = first_date_after_headline(page_body, headline, story, language, titles)
        if last_resort:
            found.append(last_resort)
    return found


def first_date_after_headline(body: HtmlElement | None, headline: HtmlElement | None,
                               story: Collection[HtmlElement], language: str | None,
                               titles: Iterable[str] = ()) -> DateCandidate | None:
    """The last resort of pages that name no date anywhere else: a headline or title that opens
    with its date, else the first short text after the headline that is little more than a date
    ("am 20.09.2020", "01.11.2023 11:35") or opens with one.

    Navigation, headers, footers, captions, sidebars and comments are skipped; a date inside
    a sentence names an event, not the story. At most :data:`MAX_SEGMENTS` texts are read.
    """
    if body is None:
        return None
    headings = [_flat_text(headline)] if headline is not None else []
    for heading in headings + list(titles):
        opening = _bare_date(heading, language)  # "23.01.2022 - Wierer darf beim Abschluss noch jubeln"
        if opening:
            return DateCandidate(opening, "text", PUBLISHED)
    started = headline is None
    stack: list[HtmlElement | str] = [body]
    seen = 0
    previous = ""
    while stack and seen < MAX_SEGMENTS:
        item = stack.pop()
        if isinstance(item, str):
            if started:
                seen += 1
                found = _bare_date(item, language)
                if found and not UPDATE_WORDS.search(" ".join(previous[-60:].split())):
                    return DateCandidate(found, "text", PUBLISHED)
            previous = item  # "last edited:" before a date in its own element
            continue
        if item is headline:
            started = True
            if item.tail and item.tail.strip():
                stack.append(item.tail.strip())
            continue
        tag = item.tag if isinstance(item.tag, str) else ""
        if item.tail and item.tail.strip():
            stack.append(item.tail.strip())
        if item not in story and (tag in _NOT_STORY_TEXT or _is_foreign_container(item)):
            continue
        stack.extend(reversed(item))
        if tag and item.text and item.text.strip():
            stack.append(item.text.strip())
    return None


def _bare_date(text: str, language: str | None) -> str | None:
    """The date of a short text that says little else, or of one that opens with a numeric
    date as a dateline ("01.02.2022 – Der Arbeitsmarkt ...", "Karlsruhe, (12.11.2021). ..."),
    when it is a publication date."""
    head = text[:MAX_LINE]
    first = find_written_date(head, language)
    if first is None:
        return None
    kind, raw = line_dates(head, PUBLISHED, language)[0]
    if kind != PUBLISHED:
        return None
    if len(text) <= MAX_DATE_SEGMENT and _is_bare(text, raw):
        return raw
    numeric = not any(ch.isalpha() for ch in head[first.start : first.end])
    return raw if numeric and _DATELINE_START.match(head[: first.start]) else None


def _is_bare(text: str, date_text: str) -> bool:
    """True when a line says little beside its date ("Datum: 22.12.2012, Rubrik: USA")."""
    letters = sum(1 for ch in text if ch.isalpha()) - sum(1 for ch in date_text if ch.isalpha())
    return letters <= MAX_OTHER_LETTERS


def microformat_dates(abbrs: Iterable[HtmlElement], story: Collection[HtmlElement]) -> list[DateCandidate]:
    """hAtom's ``<abbr class="published" title="2016-12-23T05:11:00-05:00">5:11 AM</abbr>``."""
    found: list[DateCandidate] = []
    kinds_seen: set[str] = set()
    for node in abbrs:
        classes = (node.get("class") or "").lower().split()
        title = (node.get("title") or "").strip()
        kind = PUBLISHED if "published" in classes else MODIFIED if "updated" in classes else None
        if kind is None or not title or kind in kinds_seen or is_foreign(node, story):
            continue
        kinds_seen.add(kind)
        found.append(DateCandidate(title, "microformat", kind))
    return found


def time_element_dates(times: Iterable[HtmlElement], story: Collection[HtmlElement],
                       language: str | None) -> list[DateCandidate]:
    """The first published and first updated ``<time>`` of the story: its ``datetime``, else its text."""
    found: list[DateCandidate] = []
    kinds_seen: set[str] = set()
    for node in times:
        if node.get("itemprop") or is_foreign(node, story):
            continue  # itemprop: read with the rest of the microdata
        pubdate = node.get("pubdate")
        value = (node.get("datetime") or "").strip() or (pubdate if pubdate not in (None, "", "pubdate") else None)
        kind = _context_kind(node, _default_kind(node, node.getparent()))
        text = _flat_text(node)
        shown = line_dates(text, kind, language) if len(text) <= MAX_LINE else []
        if not value or (shown and _names_another_day(value, shown[0][1], language)):
            # no machine date, or one the reader is not shown ("Publié le 29 juin 2019")
            if not shown:
                continue
            kind, value = shown[0]
        if kind not in kinds_seen:
            kinds_seen.add(kind)
            found.append(DateCandidate(value, "time", kind))
    return found


def text_dates(lines: Iterable[tuple[str, str, bool]], language: str | None) -> list[DateCandidate]:
    """The first published and the first modified date among short date lines, in order;
    ``bare`` lines count only when they are little more than a date."""
    found: dict[str, DateCandidate] = {}
    for text, default, bare in lines:
        if not text or (bare and len(text) > MAX_LINE):
            continue
        # A date element's own text: its opening only ("Dieser Beitrag wurde am ... veröffentlicht und ...").
        for kind, raw in line_dates(text[:MAX_LINE], default, language):
            if bare and not _is_bare(text, raw):
                continue
            found.setdefault(kind, DateCandidate(raw, "text", kind))
        if len(found) == 2:
            break
    return list(found.values())


def line_dates(text: str, default: str, language: str | None) -> list[tuple[str, str]]:
    """(kind, date string) for each date in one line; the words before a date say its kind."""
    out: list[tuple[str, str]] = []
    previous_end = 0
    for found in written_dates(text, language):
        lead = text[previous_end : found.start]
        kind = MODIFIED if UPDATE_WORDS.search(lead) else PUBLISHED if _PUBLISH_WORDS.search(lead) else default
        raw = text[found.start : found.end]
        if found.clock is not None:
            clock = found.clock.group(0).strip()
            raw = f"{raw} {clock}" if found.clock.start() >= found.end else f"{clock} {raw}"
        out.append((kind, raw))
        previous_end = found.text_end
    return out


def headline_neighbours(headline: HtmlElement | None) -> list[HtmlElement]:
    """Elements just before and after the headline (and its containers): where date lines sit
    on pages whose classes say nothing."""
    nodes: list[HtmlElement] = []
    level = headline
    for _ in range(3):
        if level is None or level.tag in ("body", "html"):
            break
        nodes += [n for n in list(level.itersiblings())[:3] if isinstance(n.tag, str)]
        nodes += [n for n in list(level.itersiblings(preceding=True))[:2] if isinstance(n.tag, str)]
        level = level.getparent()
    return nodes


def _default_kind(node: HtmlElement, parent: HtmlElement | None = None) -> str:
    """Modified when the element's class says "updated" and not "published"; its own class first."""
    for element in (node, parent):
        if element is None:
            continue
        attrs = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if _PUBLISHED_CLASS.search(attrs):
            return PUBLISHED
        if _UPDATED_CLASS.search(attrs):
            return MODIFIED
    return PUBLISHED


def _names_another_day(machine: str, shown: str, language: str | None) -> bool:
    """True when a ``<time>``'s text is more than a day away from its ``datetime``."""
    stated, seen = parse_date(machine, language, machine=True), parse_date(shown, language)
    return stated is not None and seen is not None and abs((stated.moment.date() - seen.moment.date()).days) > 1


def _in_page_header(node: HtmlElement, story: Collection[HtmlElement]) -> bool:
    """True inside the site's header or navigation (where today's date is shown), not the story's."""
    for ancestor in node.iterancestors():
        if ancestor in story:
            return False
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        attrs = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower()
        if tag in ("header", "nav") or _PAGE_HEADER.search(attrs):
            return True
    return False


def _is_foreign_container(node: HtmlElement) -> bool:
    attrs = f"{node.get('class', '')} {node.get('id', '')}".lower()
    return bool(attrs.strip()) and FOREIGN_CONTAINER.search(attrs) is not None


def _context_kind(node: HtmlElement, default: str) -> str:
    """The kind the words just before an element give its date (``Updated <time ...>``,
    ``last edited: <span class="odate">``), else ``default``."""
    previous = node.getprevious()
    if previous is not None:
        lead = previous.tail or ""
        if not lead.strip() and isinstance(previous.tag, str):
            lead = previous.text_content()[-60:]  # "<strong>Updated:</strong> <time>"
    else:
        parent = node.getparent()
        lead = (parent.text or "") if parent is not None else ""
    lead = " ".join(lead[-60:].split())
    if UPDATE_WORDS.search(lead):
        return MODIFIED
    return PUBLISHED if _PUBLISH_WORDS.search(lead) else default


def _flat_text(node: HtmlElement) -> str:
    return " ".join(node.text_content().split())


def _story_nodes(roots: list[HtmlElement], headline: HtmlElement | None) -> set[HtmlElement]:
    containers = set(roots)
    if headline is not None:
        containers.add(headline)
        if headline.getparent() is not None:
            containers.add(headline.getparent())
    return containers


def _is_inside(node: HtmlElement, containers: Collection[HtmlElement]) -> bool:
    return any(a in containers for a in node.iterancestors())


def _inside_first(nodes: list[HtmlElement], containers: Collection[HtmlElement]) -> list[HtmlElement]:
    """``nodes`` reordered: those inside (or beside the headline of) the story first.

    A page's header often shows today's date; the story's own date sits by its headline.
    """
    if not containers or not nodes:
        return nodes
    inside = [n for n in nodes if _is_inside(n, containers)]
    chosen = set(inside)
    return inside + [n for n in nodes if n not in chosen]
