"""``read_page(html, url) -> PageReading``: is this page an article, and if so, what does it say.

The classifier and the extractor together, as one call: the costly part of handling a page,
which the spider runs off the reactor thread. The page is parsed once (``parse_page``) and both
read that parse. Pure, like the rest of ``extract/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from newscrawler.extract.article import extract_article
from newscrawler.extract.page import Page, PageError, parse_page
from newscrawler.extract.pagetype import PageVerdict, classify_page
from newscrawler.extract.places import load_places_elsewhere
from newscrawler.items import Article


class PageReading(NamedTuple):
    """What one page is, and its article when it is one."""

    kind: str
    """``article``, ``listing``, ``home``, ``static`` or ``other``."""
    verdict: PageVerdict | None
    """The classifier's verdict; None when the page was known to be an article."""
    article: Article | None
    warnings: list[str]
    """Extraction's reason codes (see ``extract_article``)."""

    @property
    def is_article(self) -> bool:
        return self.article is not None


def read_page(
    html: str,
    url: str,
    *,
    known_article: bool = False,
    min_words: int = 80,
    selectors: Mapping[str, str] | None = None,
    crawled_at: datetime | None = None,
    with_places: bool = False,
) -> PageReading:
    """Classify the page (unless ``known_article``: a profile's URL pattern says so) and extract
    the article when it is one.

    ``with_places``: the article's dateline will be read, so the first article loads the
    gazetteer that needs (seconds; in a child process, see ``places.load_places_elsewhere``)
    here, before its item exists. Loaded later, in the dateline pipeline, the items read
    meanwhile would all wait there, past the stages before it.
    """
    page: str | Page = html
    try:
        page = parse_page(html, url)  # once, for the classifier and the extractor both
    except PageError:
        pass  # each says so in its own way: an "unparseable" verdict, an extraction reason code
    verdict = None
    if not known_article:
        verdict = classify_page(page, url, min_words=min_words)
        if not verdict.is_article:
            return PageReading(verdict.kind, verdict, None, [])
    if with_places:
        load_places_elsewhere()
    warnings: list[str] = []
    article = extract_article(page, url, selectors=selectors, crawled_at=crawled_at, warnings=warnings)
    return PageReading("article", verdict, article, warnings)
