"""Date normalisation and the date rules, table-driven."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawler.extract.article import extract_article
from newscrawler.extract.dates import (
    MODIFIED,
    PUBLISHED,
    DateCandidate,
    choose_dates,
    date_from_url,
    find_date_in_text,
    parse_date,
)

CRAWLED = datetime(2022, 10, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("raw, expected", [
    ("2022-09-29T10:15:00+05:30", "2022-09-29T10:15:00+05:30"),
    ("2022-09-29T04:45:00Z", "2022-09-29T04:45:00+00:00"),
    ("2019-11-20T01:50:59.403Z", "2019-11-20T01:50:59+00:00"),
    ("2022-09-29T10:15:00", "2022-09-29T10:15:00"),
    ("2022-09-29 10:15:00 +0530", "2022-09-29T10:15:00+05:30"),
    ("2019-11-20 4:00:00 -0600", "2019-11-20T04:00:00-06:00"),
    ("2022-09-29", "2022-09-29"),
    ("20220929", "2022-09-29"),
    ("1664426700", "2022-09-29T04:45:00+00:00"),
    ("Thu, 29 Sep 2022 10:15:00 +0530", "2022-09-29T10:15:00+05:30"),
    ("Thu, 29 Sep 2022 04:45:00 GMT", "2022-09-29T04:45:00+00:00"),
    ("September 29, 2022", "2022-09-29"),
    ("Sept. 29, 2022 10:15 AM IST", "2022-09-29T10:15:00+05:30"),
    ("Nov 19, 2019 10:31 pm CST", "2019-11-19T22:31:00-06:00"),
    ("Nov 19, 2019 6:46 pm ET", "2019-11-19T18:46:00-05:00"),
    ("Jul 19, 2019 6:46 pm ET", "2019-07-19T18:46:00-04:00"),
    ("29 September 2022", "2022-09-29"),
    ("Thursday, 29th September 2022, 12:01 AM", "2022-09-29T00:01:00"),
    ("Fri 6:45 PM, Feb 16, 2018", "2018-02-16T18:45:00"),
    ("Tue Nov 19 2019 05:44:06 GMT+0000", "2019-11-19T05:44:06+00:00"),
    ("09/29/2022", "2022-09-29"),
    ("29.09.2022", "2022-09-29"),
    ("29 de setembro de 2022", "2022-09-29"),
])
def test_parse_date_normalises_to_iso_8601(raw, expected):
    parsed = parse_date(raw)
    assert parsed is not None and parsed.value == expected


@pytest.mark.parametrize("raw", ["", "   ", "yesterday at noon", "Page 3 of 12", "0000-00-00", "1875-01-01",
                                 "2022-13-45", "not a date at all", "x" * 500])
def test_parse_date_rejects_non_dates(raw):
    assert parse_date(raw, "en") is None


def test_parse_date_uses_the_page_language_for_free_text():
    assert parse_date("29 de setembro de 2022 às 10:15", "pt").value == "2022-09-29T10:15:00"


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/2022/09/29/story-slug/", "2022-09-29"),
    ("https://example.com/news/2022-09-29-story.html", "2022-09-29"),
    ("https://example.com/2022/9/5/story", "2022-09-05"),
    ("https://example.com/20220929/story", "2022-09-29"),
    ("https://example.com/2022/13/29/story", None),
    ("https://example.com/story-2022", None),
    ("https://example.com/products/1234567/", None),
])
def test_date_from_url(url, expected):
    found = date_from_url(url)
    assert (found.raw if found else None) == expected
    if found:
        assert found.source == "url"


@pytest.mark.parametrize("text, expected", [
    ("Published September 19, 2022 at 5:52 pm", "September 19, 2022 5:52 pm"),
    ("By Anita Rao | 29 Sep 2022, 10:15 IST", "29 Sep 2022 10:15 IST"),
    ("Updated on 2022-09-29", "2022-09-29"),
    ("No date here, just Sept 29", None),
])
def test_find_date_in_text(text, expected):
    assert find_date_in_text(text) == expected


def pick(*candidates: DateCandidate, crawled_at: datetime = CRAWLED):
    warnings: list[str] = []
    published, modified = choose_dates(list(candidates), crawled_at, warnings)
    return published, modified, warnings


def test_raw_and_source_are_kept():
    published, _, _ = pick(DateCandidate(" 2022-09-29T10:15:00+05:30 ", "jsonld"))
    assert (published.value, published.raw, published.source) == ("2022-09-29T10:15:00+05:30",
                                                                   "2022-09-29T10:15:00+05:30", "jsonld")


@pytest.mark.parametrize("candidates, expected", [
    # structured data beats the URL and visible text, whatever the order found
    ([DateCandidate("2022-09-28", "url"), DateCandidate("2022-09-29T10:15:00+05:30", "jsonld")],
     ("2022-09-29T10:15:00+05:30", "jsonld")),
    ([DateCandidate("September 1, 2022", "text"), DateCandidate("2022-09-29T08:00:00+05:30", "meta")],
     ("2022-09-29T08:00:00+05:30", "meta")),
    ([DateCandidate("2022-09-29", "time"), DateCandidate("2022-09-20", "url")], ("2022-09-29", "time")),
    # a bare date is upgraded by a same-day candidate that carries time and offset
    ([DateCandidate("2022-09-29", "meta"), DateCandidate("2022-09-29T10:15:00+05:30", "time")],
     ("2022-09-29T10:15:00+05:30", "time")),
    ([DateCandidate("2022-09-29", "url"), DateCandidate("Sept 29, 2022 10:15", "text")],
     ("2022-09-29T10:15:00", "text")),
    # ... but not by a candidate of another day
    ([DateCandidate("2022-09-29", "meta"), DateCandidate("2022-09-28T10:15:00+05:30", "time")],
     ("2022-09-29", "meta")),
    # unparseable strings fall through to the next source
    ([DateCandidate("sometime last week", "jsonld"), DateCandidate("2022-09-29", "url")], ("2022-09-29", "url")),
    # profile selectors win over everything
    ([DateCandidate("2022-09-29T10:15:00+05:30", "jsonld"), DateCandidate("2022-09-27", "profile")],
     ("2022-09-27", "profile")),
])
def test_source_ranking(candidates, expected):
    published, _, _ = pick(*candidates)
    assert (published.value, published.source) == expected


@pytest.mark.parametrize("raw", [
    "2022-10-02T09:00:00+00:00",  # a day after the crawl
    "2023-01-01",
    "2022-10-03T00:00:00",  # naive, beyond any time zone
])
def test_future_dates_are_rejected(raw):
    published, _, warnings = pick(DateCandidate(raw, "jsonld"), DateCandidate("2022-09-29", "url"))
    assert (published.value, published.source) == ("2022-09-29", "url")
    assert "future_published_date" in warnings


@pytest.mark.parametrize("raw", [
    "2022-10-01T11:59:00+00:00",  # just before the crawl
    "2022-10-01T20:00:00+09:00",  # later on the wall clock, earlier in UTC
    "2022-10-01",  # the crawl's own day
    "2022-10-01T23:00:00",  # naive: may be in a zone east of UTC
])
def test_dates_up_to_the_crawl_are_kept(raw):
    published, _, warnings = pick(DateCandidate(raw, "jsonld"))
    assert published is not None and published.source == "jsonld"
    assert warnings == []


@pytest.mark.parametrize("published, modified, expected", [
    ("2022-09-29T10:15:00+05:30", "2022-09-29T12:00:00+05:30", "2022-09-29T12:00:00+05:30"),
    ("2022-09-29T10:15:00+05:30", "2022-09-28T12:00:00+05:30", None),  # before published: dropped
    ("2022-09-29T10:15:00+05:30", "2022-09-29T04:00:00+00:00", None),  # 09:30 IST, before published
    ("2022-09-29T10:15:00+05:30", "2022-09-29T05:00:00+00:00", "2022-09-29T10:30:00+05:30"),  # 10:30 IST, in the site offset
    ("2022-09-29T10:15:00+05:30", "2022-09-29T10:15:00+05:30", None),  # equal: never updated
    ("2022-09-29", "2022-09-29T08:00:00", "2022-09-29T08:00:00"),  # same calendar day is not "before"
    ("2022-09-29", "2022-09-28", None),
])
def test_modified_is_never_before_published(published, modified, expected):
    chosen_published, chosen_modified, warnings = pick(
        DateCandidate(published, "jsonld", PUBLISHED), DateCandidate(modified, "jsonld", MODIFIED))
    assert chosen_published.value == published
    assert (chosen_modified.value if chosen_modified else None) == expected
    if expected is None and modified != published:
        assert "modified_before_published" in warnings


def test_future_modified_date_is_rejected():
    _, modified, warnings = pick(DateCandidate("2022-09-29", "jsonld", PUBLISHED),
                                 DateCandidate("2022-12-01", "jsonld", MODIFIED))
    assert modified is None and "future_modified_date" in warnings


@pytest.mark.parametrize("markup, expected", [
    # JSON-LD
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-09-29T10:15:00+05:30",'
     ' "dateModified": "2022-09-29T11:00:00+05:30"}</script>',
     ("2022-09-29T10:15:00+05:30", "jsonld", "2022-09-29T11:00:00+05:30", "jsonld")),
    # OpenGraph article:*
    ('<meta property="article:published_time" content="2022-09-29T10:15:00+05:30">'
     '<meta property="article:modified_time" content="2022-09-30T08:00:00+05:30">',
     ("2022-09-29T10:15:00+05:30", "meta", "2022-09-30T08:00:00+05:30", "meta")),
    # parsely, sailthru and Dublin Core
    ('<meta name="parsely-pub-date" content="2022-09-29T04:45:00Z">', ("2022-09-29T04:45:00+00:00", "meta", None, None)),
    ('<meta name="sailthru.date" content="2022-09-29 10:15:00">', ("2022-09-29T10:15:00", "meta", None, None)),
    ('<meta name="DC.date.issued" content="2022-09-29">'
     '<meta name="dcterms.modified" content="2022-09-30">', ("2022-09-29", "meta", "2022-09-30", "meta")),
    # microdata
    ('<div itemscope itemtype="https://schema.org/NewsArticle"><meta itemprop="datePublished" '
     'content="2022-09-29T10:15:00+05:30"><span itemprop="dateModified">Sept 30, 2022</span></div>',
     ("2022-09-29T10:15:00+05:30", "microdata", "2022-09-30", "microdata")),
    # <time datetime>, published and updated
    ('<time class="entry-date published" datetime="2022-09-29T10:15:00+05:30">Sept 29</time>'
     '<time class="updated" datetime="2022-09-30T09:00:00+05:30">Sept 30</time>',
     ("2022-09-29T10:15:00+05:30", "time", "2022-09-30T09:00:00+05:30", "time")),
    # visible text near the byline
    ('<div class="post-meta">Posted on September 29, 2022 at 10:15 am</div>',
     ("2022-09-29T10:15:00", "text", None, None)),
    # a <time> inside a caption, a comment or the sidebar is not the story's
    ('<figure><img src="a.jpg"><figcaption><time datetime="2021-01-21">Jan 21, 2021</time></figcaption></figure>'
     '<div class="comment"><time datetime="2022-09-30T08:00:00Z">reply</time></div>'
     '<aside><time datetime="2022-09-28">other story</time></aside>', (None, None, None, None)),
])
def test_date_sources_in_markup(markup, expected):
    html = f"<html><head>{markup if '<meta' in markup[:6] else ''}</head><body>" \
           f"{'' if '<meta' in markup[:6] else markup}<h1>Headline of the story</h1><p>Body text.</p></body></html>"
    article = extract_article(html, "https://example.com/story", crawled_at=CRAWLED)
    assert (article.published_at, article.published_at_source,
            article.modified_at, article.modified_at_source) == expected


def test_extract_article_keeps_the_raw_string():
    html = ('<html><head><meta property="article:published_time" content="Thu, 29 Sep 2022 10:15:00 +0530">'
            "</head><body><p>x</p></body></html>")
    article = extract_article(html, "https://example.com/2022/09/29/story/", crawled_at=CRAWLED)
    assert article.published_at == "2022-09-29T10:15:00+05:30"
    assert article.published_at_raw == "Thu, 29 Sep 2022 10:15:00 +0530"
    assert article.published_at_source == "meta"
