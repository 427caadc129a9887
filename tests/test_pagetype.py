"""The router's article test on pages of several shapes, with and without metadata."""

from __future__ import annotations

import json

import pytest

from newscrawler.extract.pagetype import classify_page

PROSE = (
    "The city council voted on Tuesday to expand the bus network after months of debate over fares "
    "and routes that residents said left whole neighbourhoods without service. "
)


def paragraphs(n: int, words_each: int = 40) -> str:
    words = (PROSE * 10).split()
    return "".join(f"<p>{' '.join(words[i:i + words_each])}</p>" for i in range(0, n * words_each, words_each))


def page(body: str, head: str = "", body_class: str = "") -> str:
    return f"<!doctype html><html><head><title>T</title>{head}</head><body class='{body_class}'>{body}</body></html>"


def jsonld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def teaser_list(n: int, excerpt_words: int = 25, heading: str = "h2") -> str:
    words = (PROSE * 10).split()
    items = "".join(
        f"<article class='post'><{heading}><a href='/2024/03/0{i % 9 + 1}/story-number-{i}/'>Story {i}</a></{heading}>"
        f"<p>{' '.join(words[:excerpt_words])}</p><a href='/2024/03/0{i % 9 + 1}/story-number-{i}/'>Read more</a></article>"
        for i in range(n)
    )
    return f"<main>{items}</main>"


ARTICLE_BODY = f"<article><header><h1>Council expands bus network</h1><p>By Jane Doe | March 5, 2024</p></header>{paragraphs(5)}</article>"
SIDEBAR = f"<aside><h3>Latest</h3>{teaser_list(6)}</aside>"


@pytest.mark.parametrize(
    "name, html, url",
    [
        ("jsonld NewsArticle", page(ARTICLE_BODY, jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                                                          "headline": "Council"})), "https://news.test/city/council-expands-bus-network"),
        ("jsonld graph with WebPage", page(ARTICLE_BODY, jsonld({"@graph": [{"@type": "WebPage", "@id": "https://news.test/a/"},
                                                                         {"@type": "NewsArticle", "mainEntityOfPage": {"@id": "https://news.test/a/"}}]})),
         "https://news.test/a/"),
        ("og article", page(ARTICLE_BODY, '<meta property="og:type" content="article">'), "https://news.test/p/123"),
        ("dated wordpress url, no metadata", page(ARTICLE_BODY + SIDEBAR), "https://news.test/2024/03/05/council-expands/"),
        ("no metadata, undated url, byline and date in text", page(ARTICLE_BODY), "https://news.test/p/123.html"),
        ("microdata", page(f"<div itemscope itemtype='https://schema.org/NewsArticle'>{ARTICLE_BODY}</div>"), "https://news.test/x/9"),
        ("short article with metadata", page(f"<h1>Brief</h1>{paragraphs(2, 35)}", '<meta property="og:type" content="article">'),
         "https://news.test/brief-news-item-here"),
        ("article whose headline links to itself", page(f"<h1><a href='https://news.test/story/88/bus'>Bus</a></h1><p>March 5, 2024</p>{paragraphs(4)}"),
         "https://news.test/story/88/bus"),
    ],
)
def test_articles_are_recognised(name: str, html: str, url: str) -> None:
    verdict = classify_page(html, url)
    assert verdict.is_article, f"{name}: {verdict}"
    assert verdict.kind == "article"


@pytest.mark.parametrize(
    "name, html, url",
    [
        ("homepage", page(teaser_list(10), '<meta property="og:type" content="website">'), "https://news.test/"),
        ("section page without metadata", page(f"<h1>World</h1>{teaser_list(10)}"), "https://news.test/world/"),
        ("section pagination", page(teaser_list(10)), "https://news.test/category/world/page/3/"),
        ("tag page", page(teaser_list(4)), "https://news.test/tag/buses/"),
        ("author page", page(f"<h1>Jane Doe</h1><p>Jane covers transport.</p>{teaser_list(5)}"), "https://news.test/author/jane-doe/"),
        ("search results", page(teaser_list(5)), "https://news.test/?s=bus"),
        ("collection page jsonld", page(teaser_list(10), jsonld({"@type": "CollectionPage", "url": "https://news.test/x/"})),
         "https://news.test/x/"),
        ("listing with long excerpts", page(f"<h1>Local</h1>{teaser_list(8, excerpt_words=110)}"), "https://news.test/sections/3/"),
        ("listing with h3 teasers and long excerpts", page(teaser_list(8, excerpt_words=120, heading='h3')), "https://news.test/local"),
        ("about page", page(f"<h1>About us</h1>{paragraphs(4)}"), "https://news.test/about/"),
        ("static page without date under an odd url", page(f"<h1>Our mission</h1>{paragraphs(4)}"), "https://news.test/p/mission.html"),
        ("not html", "just some text", "https://news.test/robots.txt"),
        ("empty", "", "https://news.test/empty"),
    ],
)
def test_non_articles_are_rejected(name: str, html: str, url: str) -> None:
    verdict = classify_page(html, url)
    assert not verdict.is_article, f"{name}: {verdict}"


def test_listing_of_articles_in_jsonld_does_not_make_the_listing_an_article() -> None:
    graph = {"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "url": f"https://news.test/{i}"} for i in range(5)]}
    html = page(teaser_list(10), jsonld(graph))
    assert not classify_page(html, "https://news.test/world/").is_article


def test_verdict_explains_itself() -> None:
    verdict = classify_page(page(ARTICLE_BODY, '<meta property="og:type" content="article">'), "https://news.test/a-b-c-d")
    assert any(r.startswith("og:article") for r in verdict.reasons)
    assert verdict.score >= 3
