"""merge_listing: a sitemap or feed entry fills what the page did not say, never more."""

from __future__ import annotations

from newscrawler.discovery.feeds import FeedEntry
from newscrawler.discovery.sitemaps import SitemapEntry
from newscrawler.extract.listing import merge_listing
from newscrawler.items import Article

LISTING = {"via": "feed", "published": "2024-03-05T08:00:00+00:00", "lastmod": "2024-03-06T09:00:00+00:00",
           "title": "Listed title", "tags": ("flood", "delta"), "authors": ["Listed Author"], "language": "en"}


def test_gaps_filled_from_the_listing() -> None:
    article = Article(url="https://news.example/a")
    merged = merge_listing(article, LISTING)
    assert (merged.published_at, merged.published_at_raw, merged.published_at_source) == (
        "2024-03-05T08:00:00+00:00", "2024-03-05T08:00:00+00:00", "feed")
    assert (merged.title, merged.tags, merged.authors, merged.language) == (
        "Listed title", ["flood", "delta"], ["Listed Author"], "en")
    assert merged.lastmod == "2024-03-06T09:00:00+00:00"
    assert article.title is None and article.lastmod is None  # the input is left as it was


def test_the_page_wins_where_it_speaks() -> None:
    article = Article(url="https://news.example/a", title="Page title", published_at="2024-03-01T00:00:00+00:00",
                      published_at_source="jsonld", tags=["page"], authors=["Page Author"], language="de")
    merged = merge_listing(article, LISTING)
    assert (merged.title, merged.published_at, merged.published_at_source, merged.tags, merged.authors,
            merged.language) == ("Page title", "2024-03-01T00:00:00+00:00", "jsonld", ["page"], ["Page Author"], "de")
    assert merged.lastmod == "2024-03-06T09:00:00+00:00"


def test_a_listing_without_lastmod_keeps_the_article_one() -> None:
    article = Article(url="https://news.example/a", lastmod="2024-01-01")
    assert merge_listing(article, {"via": "sitemap"}).lastmod == "2024-01-01"


def test_sitemap_and_feed_entries_fill_an_article_alike() -> None:
    sitemap = SitemapEntry("https://news.example/a", news_title="Flood", news_publication_date="2024-03-05",
                           news_keywords=["flood"], news_language="en")
    feed = FeedEntry("https://news.example/a", title="Flood", published="2024-03-05", updated="2024-03-06",
                     authors=["Desk"], tags=["flood"], summary="DHAKA - Water rose.")
    from_sitemap = merge_listing(Article(url="https://news.example/a"), sitemap.listing())
    from_feed = merge_listing(Article(url="https://news.example/a"), feed.listing())
    assert (from_sitemap.title, from_sitemap.published_at, from_sitemap.published_at_source, from_sitemap.lastmod,
            from_sitemap.language) == ("Flood", "2024-03-05", "sitemap", "2024-03-05", "en")
    assert (from_feed.title, from_feed.published_at_source, from_feed.lastmod, from_feed.authors) == (
        "Flood", "feed", "2024-03-06", ["Desk"])
    assert feed.listing()["excerpt"] == "DHAKA - Water rose."
