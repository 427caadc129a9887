"""What a sitemap or feed said about a page, filling what the page itself did not say.

A story page without a date, title or byline may be listed in a news sitemap or a feed that
gives them. The page wins wherever it speaks; the listing only fills gaps, and its date of
change (``lastmod``) is kept for the re-crawl filter of the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from newscrawler.items import Article


def merge_listing(article: Article, listing: Mapping[str, Any]) -> Article:
    """A copy of ``article`` with its gaps filled from ``listing``.

    ``listing`` holds what the spider read from a sitemap or feed entry: ``via`` ("sitemap" or
    "feed"), ``published``, ``lastmod``, ``title``, ``tags``, ``authors``, ``language``.
    """
    filled: dict[str, Any] = {"lastmod": listing.get("lastmod") or article.lastmod}
    if not article.published_at and listing.get("published"):
        filled.update(published_at=listing["published"], published_at_raw=listing["published"],
                      published_at_source=listing.get("via"))
    if not article.title and listing.get("title"):
        filled["title"] = listing["title"]
    if not article.tags and listing.get("tags"):
        filled["tags"] = list(listing["tags"])
    if not article.authors and listing.get("authors"):
        filled["authors"] = list(listing["authors"])
    if not article.language and listing.get("language"):
        filled["language"] = listing["language"]
    return replace(article, **filled)
