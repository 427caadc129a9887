"""``parse_page``: one parse that the classifier and the extractor both read."""

from __future__ import annotations

import json

import pytest

from newscrawler.extract.article import extract_article
from newscrawler.extract.page import EMPTY_PAGE, NOT_HTML, PageError, parse_page
from newscrawler.extract.pagetype import classify_page
from newscrawler.extract.reading import read_page

URL = "https://news.example.org/2024/03/05/council-expands-bus-network/"
PROSE = ("The city council voted on Tuesday to expand the bus network after months of debate over fares "
         "and routes that residents said left whole neighbourhoods without service. ")
STORY = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council expands bus network",
         "datePublished": "2024-03-05T09:00:00Z", "author": {"@type": "Person", "name": "Jane Doe"}}


def story_html(prolog: str = "<!doctype html>") -> str:
    body = "".join(f"<p>{PROSE}</p>" for _ in range(5))
    return (f"{prolog}<html lang='en'><head><title>Council expands bus network</title>"
            f"<meta property='og:type' content='article'>"
            f"<script type='application/ld+json'>{json.dumps(STORY)}</script></head>"
            f"<body><article><h1>Council expands bus network</h1>{body}</article></body></html>")


def test_page_holds_tree_jsonld_and_meta_tags() -> None:
    page = parse_page(story_html(), URL)
    assert page.tree.find(".//h1").text == "Council expands bus network"
    assert [o["@type"] for o in page.jsonld] == ["NewsArticle"]
    assert page.metas["og:type"] == ["article"]
    assert page.problems == []


def test_page_names_what_is_not_a_page() -> None:
    with pytest.raises(PageError) as empty:
        parse_page("   ", URL)
    with pytest.raises(PageError) as plain:
        parse_page("just words, no markup at all", URL)
    assert (empty.value.reason, plain.value.reason) == (EMPTY_PAGE, NOT_HTML)


def test_page_counts_broken_jsonld() -> None:
    html = story_html().replace("</head>", "<script type='application/ld+json'>{\"@type\": </script></head>")
    page = parse_page(html, URL)
    assert page.problems == ["jsonld_broken"]
    assert [o["@type"] for o in page.jsonld] == ["NewsArticle"]


def test_classifier_and_extractor_read_one_parse_as_they_read_the_html() -> None:
    html = story_html()
    page = parse_page(html, URL)
    assert classify_page(page, URL) == classify_page(html, URL)
    crawled = extract_article(html, URL, crawled_at=None)
    from_page = extract_article(page, URL, crawled_at=None)
    assert (from_page.title, from_page.body, from_page.published_at, from_page.authors) == (
        crawled.title, crawled.body, crawled.published_at, crawled.authors)


def test_classifier_reads_pages_with_an_xml_declaration() -> None:
    # lxml refuses a str that declares its encoding; the classifier once called such pages
    # unparseable while the extractor read them.
    verdict = classify_page(story_html('<?xml version="1.0" encoding="utf-8"?>'), URL)
    assert verdict.is_article, verdict.reason


def test_read_page_gives_the_article_from_one_parse() -> None:
    reading = read_page(story_html(), URL)
    assert reading.kind == "article" and reading.verdict is not None and reading.verdict.is_article
    assert reading.article.title == "Council expands bus network"
    assert reading.article.published_at.startswith("2024-03-05")


def test_read_page_on_no_html_says_so() -> None:
    reading = read_page("", URL)
    assert reading.kind == "other" and reading.verdict.reason == "unparseable" and reading.article is None
    known = read_page("", URL, known_article=True)
    assert known.warnings == ["empty_page"]
