"""Hostile text in pages: every field extraction hands out is valid Unicode, and JSON-LD is
read with a depth limit (a block too deep or broken is skipped and its reason noted)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newscrawler.extract.article import extract_article
from newscrawler.extract.jsonld import BROKEN, TOO_DEEP, JsonLdError, load_jsonld, nesting_depth
from newscrawler.extract.pagetype import classify_page
from newscrawler.extract.valid_text import valid_text, valid_values
from tests.test_extract_article import CRAWLED, PARAGRAPHS, URL, story_page


@pytest.mark.parametrize("text, expected", [
    ("Bad \udfff desc", "Bad \ufffd desc"),                 # lone low surrogate
    ("\ud800 at the start", "\ufffd at the start"),        # lone high surrogate
    ("pair \ud83d\ude00 joined", "pair \U0001F600 joined"),  # a pair made of two halves
    ("nul\x00 bell\x07 esc\x1b del\x7f c1\x85 end", "nul bell esc del c1 end"),
    ("line\r\nbreaks\rkept\tand tabs\n", "line\nbreaks\nkept\tand tabs\n"),
    ("Cafe\u0301 and re\u0301sume\u0301", "Café and résumé"),  # decomposed accents to NFC
    ("plain text, nothing to do", "plain text, nothing to do"),
])
def test_valid_text(text, expected):
    cleaned = valid_text(text)
    assert cleaned == expected
    cleaned.encode("utf-8")  # never raises


def test_valid_values_walks_nested_values():
    value = {"a\udc00": ["x\x00", ("y\ud800",)], "n": 3, "none": None}
    assert valid_values(value) == {"a\ufffd": ["x", ("y\ufffd",)], "n": 3, "none": None}


def jsonld_page(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return story_page(extra_head=scripts)


HOSTILE_JSONLD = json.dumps({
    "@context": "https://schema.org", "@type": "NewsArticle",
    "headline": "Council agrees budget", "description": "Bad \\udfff desc",
    "author": [{"@type": "Person", "name": "Jane \\u0000Doe"}, {"@type": "Person", "name": "Jo\\ud800hn Roe"}],
    "keywords": ["harbour\\u0007", "bud\\udc00get"], "articleSection": "Ci\\u0000ty",
    "datePublished": "2022-09-29T10:15:00+05:30",
}).replace("\\\\u", "\\u")  # the escapes reach the page as JSON escapes, as a hostile site writes them


def test_every_extracted_text_field_is_valid_unicode():
    warnings: list[str] = []
    article = extract_article(jsonld_page(HOSTILE_JSONLD), URL, crawled_at=CRAWLED, warnings=warnings)
    assert article.description == "Bad \ufffd desc"
    assert article.authors == ["Jane Doe", "Jo\ufffdhn Roe"]
    assert article.tags == ["harbour", "bud\ufffdget"]
    assert article.section == "City"
    assert article.body == "\n\n".join(PARAGRAPHS)
    # What any store needs: every string of the item encodes as UTF-8, SQLite takes it.
    encoded = json.dumps(valid_values(vars(article)), default=vars, ensure_ascii=False).encode("utf-8")
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (encoded.decode("utf-8"),))


def test_character_references_to_surrogates_and_controls_in_markup():
    page = story_page(title="Head&#xdfff;line&#1;").replace(
        "</div></article>", '<figure><img src="/a.jpg"><figcaption>Cap&#xd800;tion &#x1b;here</figcaption></figure>'
                            "</div></article>")
    article = extract_article(page, URL, crawled_at=CRAWLED)
    assert article.title in ("Head\ufffdline", "Headline")
    assert all(valid_text(v) == v for image in article.images for v in (image.url, image.caption) if v)


def test_surrogate_in_the_jsonld_headline():
    block = HOSTILE_JSONLD.replace('"Council agrees budget"', '"Council \\udfff agrees"')
    article = extract_article(story_page(extra_head=f'<script type="application/ld+json">{block}</script>',
                                         title="Council agrees"), URL, crawled_at=CRAWLED)
    assert valid_text(article.title or "") == article.title
    article.title.encode("utf-8")


def test_nesting_depth_ignores_brackets_in_strings():
    assert nesting_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert nesting_depth("[" * 1000 + "]" * 1000, limit=64) == 65  # stops counting past the limit


def test_load_jsonld_refuses_deep_and_broken_blocks():
    with pytest.raises(JsonLdError) as deep:
        load_jsonld("[" * 100_000 + "]" * 100_000)
    assert deep.value.reason == TOO_DEEP
    with pytest.raises(JsonLdError) as broken:
        load_jsonld('{"@type": "NewsArticle", "headline": ')
    assert broken.value.reason == BROKEN
    assert load_jsonld('// comment\n{"@type": "NewsArticle",}') == {"@type": "NewsArticle"}
    nested = "[" * 60 + '{"@type": "NewsArticle"}' + "]" * 60
    assert load_jsonld(nested) is not None


def test_a_100000_deep_jsonld_block_is_skipped_and_the_article_kept():
    deep = "[" * 100_000 + "]" * 100_000
    page = jsonld_page(deep, HOSTILE_JSONLD)
    warnings: list[str] = []
    article = extract_article(page, URL, crawled_at=CRAWLED, warnings=warnings)
    assert "jsonld_too_deep" in warnings and "extraction_failed" not in warnings
    assert article.title == "Council agrees budget"
    assert article.published_at == "2022-09-29T10:15:00+05:30"  # from the readable block
    assert article.body == "\n\n".join(PARAGRAPHS)
    verdict = classify_page(page, URL)
    assert "jsonld:NewsArticle+4" in verdict.reasons


def test_a_deep_object_block_is_skipped_too():
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    warnings: list[str] = []
    extract_article(jsonld_page(deep), URL, crawled_at=CRAWLED, warnings=warnings)
    assert warnings.count("jsonld_too_deep") == 1
