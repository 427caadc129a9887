"""The last resort for a publication date: htmldate's search of the whole page, checked.

When no source of our own names a publication date, htmldate searches everywhere: free
text, attributes, scripts, copyright lines. It nearly always answers, also where no date is
the story's: the year of a copyright line becomes 1 January, a month in a path its 1st, the
earliest comment on a forum the story's day. So its answer is kept only when a reader could
see it as the publication date:

- the page shows that day: written in its visible text (any language, also ``8.5.12``), or as
  a full timestamp with a time in its markup (``"created_at":"2013-02-16T04:36:36-05:00"``),
  HTML comments left out (a cache's or a build's time says nothing of the story);
- not only after words that call it an update ("Letzte Änderung: 31.10.2023"), nor only in a
  caption, comment or sidebar;
- in the year and month the URL names (``/2018/08/``), when it names them.

Runs only on pages with no publication date, so the cost stays on the few that need it, and
never on pages larger than :data:`MAX_SEARCHED_CHARS` (``date_search_skipped_large_page``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from lxml.html import HtmlElement

from newscrawler.extract.dateparsing import with_dateparser_lock
from newscrawler.extract.dates import EARLIEST_YEAR, NAIVE_SLACK, PUBLISHED, DateCandidate
from newscrawler.extract.page_dates import UPDATE_WORDS
from newscrawler.extract.story_region import is_foreign, story_containers
from newscrawler.extract.written_dates import written_dates

SOURCE = "htmldate"
MAX_SEARCHED_CHARS = 2_000_000
"""Largest page searched: htmldate's time grows with the page (about 0.7 s a MB here), and
only a page beyond any article's size (above the 99th percentile of real pages) is skipped."""
_NOT_SHOWN = {"script", "style", "noscript", "template"}
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])(?:/|$)")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})(?:/|$)")
# Day-first with dots and a two-digit year ("8.5.12", "31.10.23"): how bylines abbreviate.
_SHORT_YEAR = re.compile(r"(?<![\d.])([0-3]?\d)\.([01]?\d)\.(\d{2})(?![\d.])")
_LEAD = 60
MAX_LINE = 120
MAX_LETTERS = 50
"""Longest text, and most letters, read as a date line: a date in prose names an event."""
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FRAME_TAGS = {"footer", "nav", "header"}


def searched_published_date(tree: HtmlElement | None, markup: str, url: str, crawled_at: datetime,
                            language: str | None, warnings: list[str] | None = None) -> DateCandidate | None:
    """htmldate's publication day for a page none of our sources dated, or None when it is
    not a day the page shows as its publication."""
    from htmldate import find_date

    if len(markup) > MAX_SEARCHED_CHARS:
        if warnings is not None:
            warnings.append("date_search_skipped_large_page")
        return None
    if tree is None:
        return None

    latest = datetime.combine((crawled_at + NAIVE_SLACK).date(), time.max)
    try:
        found = with_dateparser_lock(find_date, tree, extensive_search=True, original_date=True, url=url or None,
                                     min_date=datetime(EARLIEST_YEAR, 1, 1), max_date=latest)
    except (ValueError, TypeError, OverflowError):
        return None
    try:
        day = date.fromisoformat(found) if found else None
    except ValueError:
        return None
    if day is None or not agrees_with_url(day, url) or not is_shown(day, tree, markup, language):
        return None
    return DateCandidate(day.isoformat(), SOURCE, PUBLISHED)


def agrees_with_url(day: date, url: str) -> bool:
    """False when the URL's path names another year, or another month of the year."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.IGNORECASE).split("?")[0]
    month = _URL_MONTH.search(path)
    if month:
        return (day.year, day.month) == (int(month.group(1)), int(month.group(2)))
    year = _URL_YEAR.search(path)
    return year is None or day.year == int(year.group(1))


def is_shown(day: date, tree: HtmlElement, markup: str, language: str | None) -> bool:
    """True when the page shows ``day`` other than as an update: in its visible text, or as
    a timestamp with a time of day anywhere in its markup."""
    stamp = re.compile(rf"{day.year}(?P<sep>[-/]){day.month:02d}(?P=sep){day.day:02d}(?:T|\s+)\d{{1,2}}:\d{{2}}")
    markup = _HTML_COMMENT.sub(" ", markup)
    for match in stamp.finditer(markup):
        if not UPDATE_WORDS.search(" ".join(markup[max(0, match.start() - _LEAD):match.start()].split())) \
                and not re.search(r"modif|updat", markup[max(0, match.start() - 30):match.start()], re.IGNORECASE):
            return True
    headline = tree.find(".//h1")
    story = story_containers(headline)
    previous = ""
    for node, text in _visible_texts(tree):
        short = len(text.strip()) <= MAX_LINE and sum(ch.isalpha() for ch in text) <= MAX_LETTERS
        if short and (str(day.year) in text or f"{day.year % 100:02d}" in text) and not _COPYRIGHT.search(text):
            for start in _day_positions(text, day, language):
                lead = " ".join((previous + " " + text[:start])[-_LEAD:].split())
                if not UPDATE_WORDS.search(lead) and not is_foreign(node, story) and not _in_page_frame(node):
                    return True
        previous = text
    return False


def _in_page_frame(node: HtmlElement) -> bool:
    """True inside the page's header, navigation or footer."""
    return node.tag in _FRAME_TAGS or any(a.tag in _FRAME_TAGS for a in node.iterancestors())


def _day_positions(text: str, day: date, language: str | None) -> list[int]:
    """Where ``text`` writes ``day``."""
    found = [w.start for w in written_dates(text, language) if (w.year, w.month, w.day) == (day.year, day.month,
                                                                                            day.day)]
    found += [m.start() for m in _SHORT_YEAR.finditer(text)
              if (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (day.day, day.month, day.year % 100)]
    return sorted(found)


def _visible_texts(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """The page's texts a reader sees, in order, each with the element it sits in."""
    texts: list[tuple[HtmlElement, str]] = []
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag not in _NOT_SHOWN and node.text and node.text.strip():
            texts.append((node, node.text))
        parent = node.getparent()
        if node.tail and node.tail.strip() and parent is not None:
            texts.append((parent, node.tail))
    return texts
