"""The section a listing page stands for: the fallback section of the stories found on it."""

from __future__ import annotations

import pytest

from newscrawler.discovery.sections import listing_section


@pytest.mark.parametrize("url, link_text, expected", [
    ("https://news.example/health/", "Health", "Health"),
    ("https://news.example/us-news/", "U.S. News", "U.S. News"),
    ("https://news.example/category/world/page/3/", None, "World"),
    ("https://news.example/sections/local-sport/page-2.html", None, "Local Sport"),
    # the link's words name the section only when they spell its URL
    ("https://news.example/health/", "Click here", "Health"),
    # the front page, tag, author and search listings, and story-like paths are no section
    ("https://news.example/", "Home", None),
    ("https://news.example/tag/elections/", "Elections", None),
    ("https://news.example/author/ana-lima/", "Ana Lima", None),
    ("https://news.example/search/?q=port", None, None),
    ("https://news.example/2024/05/01/harbour-reopens-after-the-storm/", None, None),
    ("https://news.example/a/b/c/", None, None),
])
def test_listing_section(url, link_text, expected):
    assert listing_section(url, link_text) == expected
