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
    date_string,
    find_date_in_text,
    parse_date,
)
from newscrawler.extract.metadata import extract_metadata
from newscrawler.extract.page import parse_html
from newscrawler.extract.page_dates import line_dates
from newscrawler.extract.searched_date import MAX_SEARCHED_CHARS

CRAWLED = datetime(2022, 10, 1, 12, 0, tzinfo=timezone.utc)
LATER = datetime(2024, 1, 1, tzinfo=timezone.utc)


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
    ([DateCandidate("2022-09-29", "meta"), DateCandidate("2022-09-30T10:15:00+05:30", "time")],
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
    # 10:30 IST, given in the site's offset
    ("2022-09-29T10:15:00+05:30", "2022-09-29T05:00:00+00:00", "2022-09-29T10:30:00+05:30"),
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


# --- dates as readers see them, in any language ---------------------------------------------------

@pytest.mark.parametrize("raw, language, expected", [
    ("06.10.2017 11:15", "de", "2017-10-06T11:15:00"),
    ("2017/10/06", None, "2017-10-06"),
    ("6 oct. 2017", "fr", "2017-10-06"),
    ("Samstag, 19. Juli 2014", "de", "2014-07-19"),
    ("jeudi 27 juin 2019", None, "2019-06-27"),
    ("13 de junio de 2019", "es", "2019-06-13"),
    ("15 августа 2016, 13:43", None, "2016-08-15T13:43:00"),
    ("2020. február 14.", "hu", "2020-02-14"),
    ("2020年2月14日", "zh", "2020-02-14"),
    ("2020년 3월 4일", "ko", "2020-03-04"),
    ("le 7 mai 2020 - 12:38", "fr", "2020-05-07T12:38:00"),
    ("am 29.12.2010, 13:36 Uhr", "de", "2010-12-29T13:36:00"),
    ("21. Jan. 2015, 19:04", "de", "2015-01-21T19:04:00"),
    ("Updated September 2, 2022 7:06 AM EDT", "en", "2022-09-02T07:06:00-04:00"),
    ("Nov. 8, 2023 10:28 p.m. ET", "en", "2023-11-08T22:28:00-05:00"),
    # a name two languages give different months is read in the page's language
    ("5. listopada 2019", "hr", "2019-10-05"),
    ("5 listopada 2019", "pl", "2019-11-05"),
    # slashes: the page's language orders them; American when nothing says otherwise
    ("03/04/2020", "en", "2020-03-04"),
    ("03/04/2020", "fr", "2020-04-03"),
    ("03/04/2020", "en-GB", "2020-04-03"),
    ("03/04/2020", None, "2020-03-04"),
    ("25/04/2020", "en", "2020-04-25"),
    ("7 mai 2020 12:38 et plus tard", "fr", "2020-05-07T12:38:00"),  # "et" is French, not Eastern Time
])
def test_written_dates_in_many_languages(raw, language, expected):
    parsed = parse_date(raw, language)
    assert parsed is not None and parsed.value == expected


def test_machine_written_slashes_are_american_whatever_the_page_language():
    assert parse_date("11/01/2023 12:43:42", "de", machine=True).value == "2023-11-01T12:43:42"
    assert parse_date("11/01/2023 12:43:42", "de").value == "2023-01-11T12:43:42"


@pytest.mark.parametrize("raw, expected", [
    ("1699338614", "2023-11-07T06:30:14+00:00"),      # Unix seconds
    ("1699338614000", "2023-11-07T06:30:14+00:00"),   # milliseconds
    ("946684800", "2000-01-01T00:00:00+00:00"),       # nine digits: before September 2001
])
def test_unix_times(raw, expected):
    assert parse_date(raw).value == expected


@pytest.mark.parametrize("raw", ["0000-01-01", "0000-00-00T00:00:00Z", "2020-13-01", "31.13.2020", "1200",
                                 "99999999999999999999", "32. Juli 2014"])
def test_absurd_dates_are_not_dates(raw):
    assert parse_date(raw, "de") is None


@pytest.mark.parametrize("value, expected", [
    ("2022-09-29", "2022-09-29"), (1699338614, "1699338614"), (1699338614000.0, "1699338614000"),
    ({"@value": "2022-09-29"}, "2022-09-29"), (["2022-09-29", "2022-09-30"], "2022-09-29"),
    (5, "5"), (True, None), (None, None), (float("nan"), None), ({"x": 1}, None), ("  ", None),
])
def test_date_string_from_structured_values(value, expected):
    assert date_string(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("Von Fred Hüning 31.10.2023", "31.10.2023"),
    ("Publié le 29 juin 2019 à 10:18", "29 juin 2019 10:18"),
    ("Letzte Änderung: 31.10.2023 - 14:49:39", "31.10.2023 14:49:39"),
    ("Page 3 of 12, 2019 edition", None),
])
def test_find_date_in_text_any_language(text, expected):
    assert find_date_in_text(text, "fr" if "Publié" in text else "de") == expected


@pytest.mark.parametrize("text, kinds", [
    ("Published September 1, 2022 | Updated September 2, 2022 7:06 AM EDT", ["published", "modified"]),
    ("Last updated: October 19, 2022 11:45 AM EDT", ["modified"]),
    ("Aktualisiert am 19.02.2020", ["modified"]),
    ("mis à jour le 3 mai 2020", ["modified"]),
    ("Erschienen am: 01.11.2023", ["published"]),
    ("3 mai 2020", ["published"]),
])
def test_the_words_before_a_date_say_its_kind(text, kinds):
    assert [kind for kind, _ in line_dates(text, PUBLISHED, None)] == kinds


# --- choosing among sources: the reader's day, the site's offset, the URL's day -------------------

def test_a_utc_instant_is_given_in_the_offset_the_page_shows_elsewhere():
    published, _, _ = pick(DateCandidate("2023-11-09T03:28:35Z", "jsonld"),
                           DateCandidate("2023-11-08T22:28:35-05:00", "time"), crawled_at=LATER)
    assert (published.value, published.source) == ("2023-11-08T22:28:35-05:00", "jsonld")


def test_the_site_offset_is_inferred_from_a_wall_clock_time_beside_the_utc_instant():
    published, _, _ = pick(DateCandidate("2023-11-09T01:49:09Z", "jsonld"),
                           DateCandidate("November 8, 2023 5:49 p.m.", "text"), crawled_at=LATER)
    assert (published.value, published.raw) == ("2023-11-08T17:49:09-08:00", "2023-11-09T01:49:09Z")


def test_a_utc_rollover_never_beats_the_day_in_the_url():
    published, _, _ = pick(DateCandidate("2023-11-09T03:28:35Z", "jsonld"),
                           DateCandidate("2023-11-09T03:28:35Z", "meta"), DateCandidate("2023-11-08", "url"),
                           crawled_at=LATER)
    assert (published.value, published.source) == ("2023-11-08", "url")


@pytest.mark.parametrize("instant, url_day", [
    ("2023-11-09T15:28:35Z", "2023-11-08"),  # afternoon in UTC: not a rollover
    ("2023-11-09T03:28:35Z", "2023-11-07"),  # two days apart: the URL names another day
    ("2023-11-09T03:28:35+01:00", "2023-11-08"),  # a real offset: the site's own day
])
def test_no_rollover_without_its_signs(instant, url_day):
    published, _, _ = pick(DateCandidate(instant, "jsonld"), DateCandidate(url_day, "url"), crawled_at=LATER)
    assert published.source == "jsonld" and published.value[:10] == instant[:10]


def test_the_day_readers_see_wins_when_more_sources_back_it():
    # JSON-LD re-dated alone; meta tags and the visible date line agree on another day
    published, _, _ = pick(DateCandidate("2022-01-04T07:29:00Z", "jsonld"),
                           DateCandidate("2022-01-06T08:29:34", "meta"), DateCandidate("06.01.2022", "text"),
                           crawled_at=LATER)
    assert (published.value, published.source) == ("2022-01-06T08:29:34", "meta")
    # one visible date against one structured date: the structured one stands
    published, _, _ = pick(DateCandidate("2022-01-04T07:29:00Z", "jsonld"), DateCandidate("06.01.2022", "text"),
                           crawled_at=LATER)
    assert published.source == "jsonld"


@pytest.mark.parametrize("source, counted", [("jsonld", True), ("meta", True), ("time", True), ("text", False)])
def test_a_structured_string_that_is_no_date_is_skipped_and_counted(source, counted):
    published, _, warnings = pick(DateCandidate("2022-13-45", source), DateCandidate("2022-09-29", "url"))
    assert (published.value, published.source) == ("2022-09-29", "url")
    assert ("bad_published_date" in warnings) is counted


def test_a_far_future_date_takes_the_next_source():
    published, _, warnings = pick(DateCandidate("2099-01-01T00:00:00Z", "jsonld"), DateCandidate("2022-09-29", "meta"))
    assert (published.value, published.source) == ("2022-09-29", "meta")
    assert "future_published_date" in warnings


# --- where pages put their dates -------------------------------------------------------------------

STORY = ("<p>The council met on Thursday to discuss the budget for the coming year, and agreed on most "
         "of the items after a long debate that went on until late.</p>")


def dated_page(head: str = "", body: str = "", body_attrs: str = "") -> str:
    return (f"<html><head><title>Council agrees budget | Example</title>{head}</head><body{body_attrs}>"
            f"<article><h1>Council agrees budget</h1>{body}{STORY}</article></body></html>")


def dates_of(html: str, url: str = "https://example.com/story", warnings: list[str] | None = None):
    article = extract_article(html, url, crawled_at=LATER, warnings=warnings)
    return (article.published_at, article.published_at_source, article.modified_at, article.modified_at_source)


@pytest.mark.parametrize("html, expected", [
    # hAtom: the machine date is the <abbr>'s title, its text only a time
    (dated_page(body="<abbr class='published' title='2016-12-23T05:11:00-05:00'>5:11 AM</abbr>"),
     ("2016-12-23T05:11:00-05:00", "microformat", None, None)),
    (dated_page(body="<abbr class='published' itemprop='datePublished' title='2017-09-09T10:52:00+02:00'>10:52</abbr>"),
     ("2017-09-09T10:52:00+02:00", "microdata", None, None)),
    # JSON-LD dates as Unix seconds and milliseconds
    (dated_page('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": 1699338614}</script>'),
     ("2023-11-07T06:30:14+00:00", "jsonld", None, None)),
    (dated_page('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": 1699338614000,'
                ' "dateModified": {"@value": "2023-11-08T09:00:00Z"}}</script>'),
     ("2023-11-07T06:30:14+00:00", "jsonld", "2023-11-08T09:00:00+00:00", "jsonld")),
    # JSON-LD in a script without a type, and one with a stray brace between its objects
    (dated_page('<script>{"@context": "https://schema.org", "@type": "NewsArticle",'
                ' "datePublished": "2022-09-29T10:15:00+05:30"}</script>'),
     ("2022-09-29T10:15:00+05:30", "jsonld", None, None)),
    (dated_page('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebSite",'
                ' "name": "Example"}} {"@context": "https://schema.org", "@type": "NewsArticle",'
                ' "datePublished": "2022-09-29T10:15:00+05:30"}</script>'),
     ("2022-09-29T10:15:00+05:30", "jsonld", None, None)),
    # a page object's date when the story object has none (recipes, web pages)
    (dated_page('<script type="application/ld+json">{"@type": "Recipe", "name": "Cake",'
                ' "datePublished": "2006-10-10"}</script>'), ("2006-10-10", "jsonld", None, None)),
    # meta names beyond OpenGraph
    (dated_page('<meta name="OriginalPublicationDate" content="2022/09/29 10:15:00">'),
     ("2022-09-29T10:15:00", "meta", None, None)),
    (dated_page('<meta property="rnews:datePublished" content="2022-09-29T10:15:00Z">'),
     ("2022-09-29T10:15:00+00:00", "meta", None, None)),
    (dated_page('<meta property="dcterms:created" content="2019-09-26">'), ("2019-09-26", "meta", None, None)),
    (dated_page('<meta name="parsely-page" content=\'{"title": "Council", "pub_date": "2022-09-29T04:45:00Z"}\'>'),
     ("2022-09-29T04:45:00+00:00", "meta", None, None)),
    # visible date lines in other languages and numeric forms
    (dated_page(body='<div class="datum">Samstag, 19. Juli 2014</div>'), ("2014-07-19", "text", None, None)),
    (dated_page(body='<p class="fecha-articulo">jeudi 13 juin 2019</p>'), ("2019-06-13", "text", None, None)),
    (dated_page(body='<p class="date">15 августа 2016, 13:43</p>'), ("2016-08-15T13:43:00", "text", None, None)),
    (dated_page(body='<span class="created-post">27.06.2018 09:54</span>'),
     ("2018-06-27T09:54:00", "text", None, None)),
    (dated_page(body="<h3>Datum: 22.12.2012, Rubrik: USA</h3>"), ("2012-12-22", "text", None, None)),
    # <time> with the date only in its text; "published updated" is the publication
    (dated_page(body='<time class="entry-date">28. Januar 2022</time>'), ("2022-01-28", "time", None, None)),
    (dated_page(body='<time class="entry-date published updated" datetime="2019-11-13T08:39:36+00:00">13. Nov</time>'),
     ("2019-11-13T08:39:36+00:00", "time", None, None)),
    # modified_at from visible text
    (dated_page(body='<div class="byline">Published September 1, 2022 | Updated September 2, 2022 7:06 AM EDT</div>'),
     ("2022-09-01", "text", "2022-09-02T07:06:00-04:00", "text")),
    (dated_page('<meta property="article:published_time" content="2022-10-18T09:00:00-04:00">',
                '<p class="timestamp">Last updated: October 19, 2022 11:45 AM EDT</p>'),
     ("2022-10-18T09:00:00-04:00", "meta", "2022-10-19T11:45:00-04:00", "text")),
    # last resort: a bare date line after the headline
    (dated_page(body="<p>am 20.09.2020</p>"), ("2020-09-20", "text", None, None)),
])
def test_date_patterns_of_real_pages(html, expected):
    assert dates_of(html) == expected


@pytest.mark.parametrize("body_attrs, wrapper", [
    (' class="single sidebar-right"', "{}"),                       # a <body> class that names the layout
    ("", '<div class="content-sidebar-wrap">{}</div>'),           # a layout wrapper around the story
    ("", '<div class="layout--with-sidebar"><main>{}</main></div>'),
])
def test_a_layout_class_naming_the_sidebar_does_not_hide_the_story_date(body_attrs, wrapper):
    story = ('<article><h1>Council agrees budget</h1><time class="entry-date" datetime="2022-09-29T10:15:00+05:30">'
             f"Sept 29</time>{STORY}</article>")
    html = f"<html><head></head><body{body_attrs}>{wrapper.format(story)}" \
           '<aside class="sidebar"><time datetime="2022-09-01">Other story</time></aside></body></html>'
    assert dates_of(html)[:2] == ("2022-09-29T10:15:00+05:30", "time")


def test_a_real_sidebar_date_is_still_not_the_story_date():
    html = ('<html><body class="has-sidebar"><div class="layout-right-sidebar"><main><h1>Council agrees budget</h1>'
            f'{STORY}</main><div class="sidebar"><span class="date">1. September 2022</span></div></div></body></html>')
    assert dates_of(html)[0] is None


def test_the_entry_footer_inside_the_story_article_holds_its_date():
    html = ('<html><body><article class="post"><h1>Council agrees budget</h1>' + STORY
            + '<footer class="entry-footer"><span class="posted-on"><time class="entry-date published" '
              'datetime="2022-09-29T10:15:00+05:30">Sept 29</time></span></footer></article>'
            '<footer class="site-footer"><time datetime="2022-10-01">today</time></footer></body></html>')
    assert dates_of(html)[:2] == ("2022-09-29T10:15:00+05:30", "time")


def test_a_page_without_h1_anchors_the_story_at_its_headline_heading():
    html = ('<html><head><meta property="og:title" content="Der historische Purzelbaum (2021/5)"></head><body>'
            '<div class="layouttwocolumnsrightsidebar"><h2>Der historische Purzelbaum</h2>'
            '<time datetime="2021-11-25 16:11">25. November 2021</time>' + STORY + "</div></body></html>")
    assert dates_of(html)[:2] == ("2021-11-25T16:11:00", "time")


@pytest.mark.parametrize("body", [
    "<p>The plan, first drafted on 3 May 2019 by the finance committee, was adopted after a long debate.</p>",
    "<figure><img src='a.jpg'><figcaption>Players train in Geneva, January 21, 2022.</figcaption></figure>",
    "<footer>Copyright 19.12.2019 Example Ltd</footer>",
])
def test_undated_pages_stay_undated(body):
    assert dates_of(dated_page(body=body)) == (None, None, None, None)


@pytest.mark.parametrize("head, warning", [
    ('<meta property="article:published_time" content="0000-00-00T00:00:00Z">', "bad_published_date"),
    ('<meta property="article:published_time" content="2022-13-01">', "bad_published_date"),
    ('<meta property="article:published_time" content="2099-01-01T00:00:00Z">', "future_published_date"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": 7}</script>', "bad_published_date"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": {"when": 1}, '
     '"headline": 5, "author": 3}</script>', None),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-09-29"</script>',
     "jsonld_broken"),
])
def test_bad_dates_take_the_next_source_and_are_counted(head, warning):
    warnings: list[str] = []
    html = dated_page(head, '<time datetime="2022-09-28T08:00:00+02:00">28 Sept</time>')
    assert dates_of(html, warnings=warnings)[:2] == ("2022-09-28T08:00:00+02:00", "time")
    assert "extraction_failed" not in warnings
    if warning:
        assert warning in warnings


def test_a_five_megabyte_page_of_date_lines_gives_the_story_date():
    # 120,000 date elements inside the story's own article (its info column): read in page order,
    # a bounded number of them, and none of them a date (month 13).
    lines = "".join(f'<li><span class="date">{i % 28 + 1:02d}.13.2019</span> x</li>' for i in range(120_000))
    html = dated_page('<meta property="article:published_time" content="2022-09-29T10:15:00+05:30">',
                      f'<div class="sidebar"><ul>{lines}</ul></div>')
    assert len(html) > 5_000_000
    meta = extract_metadata(parse_html(html), "https://example.com/story")
    published, _ = choose_dates(meta.dates, LATER)
    assert (published.value, published.source) == ("2022-09-29T10:15:00+05:30", "meta")



@pytest.mark.parametrize("body, expected", [
    ("<p><strong>01.02.2022 „Der Arbeitsmarkt ist gut in das Jahr 2022 gestartet. Die Zahl der Arbeitslosen "
     "sank im Januar deutlich.“</strong></p>", "2022-02-01"),                      # a numeric dateline
    ("<p>Karlsruhe, (12.11.2021). Traditionell gedenken Christinnen und Christen am Ewigkeitssonntag "
     "ihrer Verstorbenen, in diesem Jahr auch digital.</p>", "2021-11-12"),        # place, then the date
    ("<p>On 3 May 2019 the council first met to discuss a budget for the coming year, and it agreed on "
     "most of the items after a long debate.</p>", None),                          # an event in a sentence
])
def test_last_resort_datelines(body, expected):
    assert dates_of(dated_page(body=body))[0] == expected


def test_last_resort_reads_a_headline_that_opens_with_its_date():
    html = ("<html><body><header><h1>23.01.2022 - Wierer darf beim Abschluss noch jubeln</h1></header>"
            f"{STORY}</body></html>")
    assert dates_of(html)[:2] == ("2022-01-23", "text")


def test_todays_date_in_the_site_header_is_not_the_story_date():
    html = ('<html><body><header class="site-header"><span class="date">Tue, 14 Jan 2020</span></header>'
            "<main><h2>Australian megablaze brought under control</h2><p>News24<br>13 Jan 2020, 22:11 GMT+10</p>"
            f"{STORY}</main></body></html>")
    assert dates_of(html)[:2] == ("2020-01-13T22:11:00+10:00", "text")


def test_a_time_whose_text_names_another_day_gives_the_day_readers_see():
    html = dated_page(body='<time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time>')
    assert dates_of(html)[:2] == ("2019-06-29", "time")


def test_last_resort_reads_a_title_that_opens_with_its_date():
    html = ('<html><head><meta property="og:title" content="08.11.2021 | Online-Fachtag zum Intersex Day">'
            "</head><body><h1>Online-Fachtag zum Intersex Day</h1>" + STORY + "</body></html>")
    assert dates_of(html)[:2] == ("2021-11-08", "text")


@pytest.mark.parametrize("body, expected", [
    ('<p>Published <time datetime="2022-09-01T08:00:00-04:00">Sept 1</time>. '
     'Updated <time datetime="2022-09-02T07:06:00-04:00">Sept 2</time></p>',
     ("2022-09-01T08:00:00-04:00", "time", "2022-09-02T07:06:00-04:00", "time")),
    ('<p class="page-info">Created 1 Sep 2022. <strong>Last edited:</strong> '
     '<span class="odate">17 Sep 2022</span></p>',
     ("2022-09-01", "text", "2022-09-17", "text")),
])
def test_the_words_before_a_date_element_say_its_kind(body, expected):
    assert dates_of(dated_page(body=body)) == expected


def test_last_resort_skips_a_bare_date_that_the_text_before_calls_an_update():
    html = dated_page(body='<div>page revision: 8, last edited: <span>17 Jun 2018 15:15</span></div>')
    assert dates_of(html)[0] is None


# --- the last resort: htmldate's search of the whole page, checked --------------------------


@pytest.mark.parametrize("head, body, expected", [
    # a byline's date with a two-digit year: none of our own sources reads it
    ("", '<div class="meta-wrapper">Von: Anna Muster <span>|</span> <span>31.10.23</span></div>', "2023-10-31"),
    # a timestamp in a script's data
    ('<script>var photo = {"votes": 12, "created_at": "2013-02-16T04:36:36-05:00"};</script>', "", "2013-02-16"),
])
def test_a_date_only_htmldate_finds_is_taken_from_it(head, body, expected):
    assert dates_of(dated_page(head=head, body=body))[:2] == (expected, "htmldate")


@pytest.mark.parametrize("body", [
    "",  # no date anywhere
    '<p class="copyright">© 2016 Example Theme</p>',  # htmldate answers 2016-01-01: the copyright's year
    '<p class="info">Letzte Änderung: 31.10.2023 - 14:49:39</p>',  # an update, never called the publication
    # htmldate reads the attribute; the only timestamp with a time is a cache's, in a comment
    '<div data-published="2013-02-16"></div><!-- page cached 2013-02-16 04:36:36 -->',
])
def test_a_page_without_a_publication_date_stays_blank(body):
    assert dates_of(dated_page(body=body))[0] is None


def test_the_last_resort_never_gives_a_date_after_the_crawl():
    html = dated_page(body='<div class="meta-wrapper">Von: Anna Muster | <span>31.10.23</span></div>')
    article = extract_article(html, "https://example.com/story", crawled_at=datetime(2023, 6, 1, tzinfo=timezone.utc))
    assert article.published_at is None


def test_the_last_resort_agrees_with_the_urls_month():
    body = '<div class="meta-wrapper">Von: Anna Muster | <span>31.10.23</span></div>'
    assert dates_of(dated_page(body=body), url="https://example.com/2023/10/story")[:2] == ("2023-10-31", "htmldate")
    assert dates_of(dated_page(body=body), url="https://example.com/2023/09/story")[0] is None
    assert dates_of(dated_page(body=body), url="https://example.com/2022/story")[0] is None


@pytest.mark.parametrize("root_attrs, expected", [
    ('lang="en-GB"', "2020-10-02"),
    ('xmlns="http://www.w3.org/1999/xhtml" xml:lang="en-GB"', "2020-10-02"),  # XHTML's xml:lang
    ('lang="en-US"', "2020-02-10"),
])
def test_the_pages_region_orders_a_numeric_date(root_attrs, expected):
    html = (f"<html {root_attrs}><head><title>Council agrees budget</title></head><body><article>"
            f'<h1>Council agrees budget</h1><span class="time">02/10/2020</span>{STORY}</article></body></html>')
    assert dates_of(html)[:2] == (expected, "text")


@pytest.mark.parametrize("meta_day, expected", [
    ("2020-04-29T11:52:23", "2020-04-28"),  # a lone meta date a day after the date line: re-dated by an edit
    ("2020-05-12T11:52:23", "2020-05-12T11:52:23"),  # two weeks later: another date, the meta tag keeps its rank
    ("2020-04-27T11:52:23", "2020-04-27T11:52:23"),  # before the date line: the visible one may be an update
])
def test_the_day_readers_see_beats_a_lone_later_meta_date(meta_day, expected):
    html = dated_page(head=f'<meta property="article:published_time" content="{meta_day}">',
                      body='<p class="date">28.04.2020 18:00</p>')
    assert dates_of(html)[0].startswith(expected)


def test_a_page_too_large_to_search_is_counted_and_left_blank():
    filler = "<p>" + "word " * 200 + "</p>"
    html = dated_page(body='<div class="meta-wrapper">Von: Anna Muster | <span>31.10.23</span></div>'
                      + filler * (MAX_SEARCHED_CHARS // len(filler) + 1))
    warnings: list[str] = []
    assert dates_of(html, warnings=warnings)[0] is None
    assert "date_search_skipped_large_page" in warnings
