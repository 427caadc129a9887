"""Every metadata source, table-driven: an HTML snippet in, one Article field out."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from newscrawler.extract.article import extract_article, normalize_language, strip_site_name
from newscrawler.extract.bylines import split_authors
from newscrawler.extract.text import split_tags

CRAWLED = datetime(2022, 10, 1, tzinfo=timezone.utc)
URL = "https://www.example.com/world/2022/09/29/story/"
BODY = ("<p>The council met on Thursday to discuss the budget for the coming year, and agreed on most "
        "of the items after a long debate.</p>")


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}{BODY}</body></html>"


def jsonld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def extract(html: str, url: str = URL):
    return extract_article(html, url, crawled_at=CRAWLED)


@pytest.mark.parametrize("html, expected", [
    # JSON-LD headline beats og:title, which beats <title>
    (page(jsonld({"@type": "NewsArticle", "headline": "From JSON-LD"}) + '<meta property="og:title" content="From OG">'
          "<title>From title | Example</title>"), "From JSON-LD"),
    (page('<meta property="og:title" content="From OG"><title>From title | Example</title>'), "From OG"),
    (page('<meta name="twitter:title" content="From Twitter">'), "From Twitter"),
    (page('<meta name="parsely-title" content="From Parsely">'), "From Parsely"),
    (page('<meta name="sailthru.title" content="From Sailthru">'), "From Sailthru"),
    (page('<meta name="DC.title" content="From Dublin Core">'), "From Dublin Core"),
    (page(body='<div itemscope itemtype="https://schema.org/NewsArticle"><span itemprop="headline">From microdata'
               "</span></div>"), "From microdata"),
    # the <title> without its site-name suffix or prefix
    (page("<title>Council agrees budget after long debate | Example News</title>"),
     "Council agrees budget after long debate"),
    (page("<title>Council agrees budget after long debate - Example</title>"), "Council agrees budget after long debate"),
    (page("<title>Example News – Council agrees budget after long debate</title>"),
     "Council agrees budget after long debate"),
    (page('<meta property="og:site_name" content="The Daily Ledger">'
          '<meta property="og:title" content="Council agrees budget :: The Daily Ledger">'), "Council agrees budget"),
    # the visible <h1> when it is the same headline, and alone when nothing else names one
    (page("<title>council agrees budget after long debate | Example</title>",
          "<h1>Council agrees budget after long debate</h1>"), "Council agrees budget after long debate"),
    (page(body="<h1>Only an h1 here</h1>"), "Only an h1 here"),
    # a dash inside the headline is not a site suffix
    (page('<meta property="og:title" content="Covid-19 cases rise - again - in Delhi">'),
     "Covid-19 cases rise - again - in Delhi"),
])
def test_title(html, expected):
    assert extract(html).title == expected


@pytest.mark.parametrize("html, expected", [
    (page(jsonld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}})), ["Jane Doe"]),
    (page(jsonld({"@type": "Article", "author": [{"@type": "Person", "name": "Jane Doe"}, {"name": "John Roe"}]})),
     ["Jane Doe", "John Roe"]),
    (page(jsonld({"@type": "NewsArticle", "author": "By Jane Doe and John Roe"})), ["Jane Doe", "John Roe"]),
    (page(jsonld({"@type": "NewsArticle", "author": [{"@type": "Organization", "name": "Example News"},
                                                     {"@type": "Person", "name": "Jane Doe"}]})), ["Jane Doe"]),
    (page('<meta name="author" content="Jane Doe">'), ["Jane Doe"]),
    (page('<meta property="article:author" content="https://facebook.com/janedoe">'
          '<meta name="parsely-author" content="Jane Doe">'), ["Jane Doe"]),
    (page('<meta name="sailthru.author" content="Jane Doe, John Roe">'), ["Jane Doe", "John Roe"]),
    (page('<meta name="DC.creator" content="Doe, Jane">'), ["Jane Doe"]),
    (page(body='<div itemscope itemtype="https://schema.org/NewsArticle"><span itemprop="author" itemscope>'
               '<span itemprop="name">Jane Doe</span></span></div>'), ["Jane Doe"]),
    (page(body='<span class="byline">By <a rel="author" href="/a/jd">Jane Doe</a></span>'), ["Jane Doe"]),
    (page(body='<div class="author-name">By Jane Doe and John Roe | Updated 29 Sep 2022</div>'),
     ["Jane Doe", "John Roe"]),
    # no staff, wire or publisher names passed off as people, no duplicates
    (page('<meta name="author" content="Staff Reporter">'), []),
    (page('<meta name="author" content="Jane Doe, Reuters, jane doe">'), ["Jane Doe"]),
    (page('<meta property="og:site_name" content="Example News"><meta name="author" content="Example News">'), []),
    # a byline in the comments is not the story's
    (page(body='<div class="comments"><span class="comment-author">By Troll</span></div>'), []),
])
def test_authors(html, expected):
    assert extract(html).authors == expected


@pytest.mark.parametrize("html, expected", [
    (page(jsonld({"@type": "NewsArticle", "articleSection": ["Politics", "World"]})), "Politics"),
    (page('<meta property="article:section" content="Business">'), "Business"),
    (page('<meta name="parsely-section" content="Sports">'), "Sports"),
    (page(body='<div itemscope itemtype="https://schema.org/Article"><meta itemprop="articleSection" '
               'content="Health"></div>'), "Health"),
    (page(body='<div class="entry-categories"><a href="/category/india/" rel="category tag">India</a></div>'),
     "India"),
    (page(jsonld({"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home"},
        {"@type": "ListItem", "position": 2, "name": "Technology"},
        {"@type": "ListItem", "position": 3, "name": "Gadgets"}]})), "Gadgets"),
    (page(body='<nav class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/world/">World</a> &gt; '
               "<span>Council agrees budget</span></nav><h1>Council agrees budget</h1>"), "World"),
    (page(), None),
])
def test_section(html, expected):
    assert extract(html).section == expected


@pytest.mark.parametrize("html, expected", [
    (page(jsonld({"@type": "NewsArticle", "keywords": "budget, council,  Budget ,city"})),
     ["budget", "council", "city"]),
    (page(jsonld({"@type": "NewsArticle", "keywords": ["budget", "council"]})), ["budget", "council"]),
    (page('<meta property="article:tag" content="Budget"><meta property="article:tag" content="Council">'),
     ["Budget", "Council"]),
    (page('<meta name="parsely-tags" content="budget,council">'), ["budget", "council"]),
    (page('<meta name="sailthru.tags" content="budget, council">'), ["budget", "council"]),
    (page('<meta name="news_keywords" content="budget; council">'), ["budget", "council"]),
    (page('<meta name="keywords" content="budget, council">'), ["budget", "council"]),
    (page(body='<div class="tags"><a rel="tag" href="/tag/budget/">Budget</a><a rel="tag" href="/tag/c/">Council</a>'
               "</div>"), ["Budget", "Council"]),
    (page(body='<nav><a href="/topics/politics/">Politics</a></nav><ul class="article__topics">'
               '<li><a href="/topics/nato/">NATO</a></li><li><a href="/topics/diplomacy/">Diplomacy</a></li></ul>'
               '<aside class="widget"><a href="/tag/other/">Other</a></aside>'), ["NATO", "Diplomacy"]),
])
def test_tags(html, expected):
    assert extract(html).tags == expected


@pytest.mark.parametrize("html, expected", [
    (page(jsonld({"@type": "NewsArticle", "description": "JSON-LD summary &amp; more"})), "JSON-LD summary & more"),
    (page('<meta property="og:description" content="OG summary">'), "OG summary"),
    (page('<meta name="description" content="  Meta   summary ">'), "Meta summary"),
    (page('<meta name="twitter:description" content="Twitter summary">'), "Twitter summary"),
    (page('<meta name="dcterms.description" content="DC summary">'), "DC summary"),
    (page(), None),
])
def test_description(html, expected):
    assert extract(html).description == expected


@pytest.mark.parametrize("html, url, expected", [
    (page('<link rel="canonical" href="/world/story/">'), URL, "https://www.example.com/world/story/"),
    (page('<meta property="og:url" content="https://example.com/s/1">'), URL, "https://example.com/s/1"),
    (page(jsonld({"@type": "NewsArticle", "mainEntityOfPage": {"@id": "https://example.com/s/2"}})), URL,
     "https://example.com/s/2"),
    (page(), URL, URL),
])
def test_canonical_url(html, url, expected):
    assert extract(html, url).canonical_url == expected


@pytest.mark.parametrize("url, expected", [
    ("https://www.example.com/a", "example.com"),
    ("https://news.example.co.uk/a", "news.example.co.uk"),
    ("http://127.0.0.1:8080/a", "127.0.0.1"),
])
def test_site(url, expected):
    assert extract(page(), url).site == expected


@pytest.mark.parametrize("html, expected", [
    ('<html lang="pt-br"><body><p>x</p></body></html>', "pt-BR"),
    ('<html><head><meta property="og:locale" content="en_GB"></head><body><p>x</p></body></html>', "en-GB"),
    ('<html><head><meta http-equiv="content-language" content="de"></head><body><p>x</p></body></html>', "de"),
    (page(jsonld({"@type": "NewsArticle", "inLanguage": "es"})), "es"),
    # no markup: detected from the text
    ("<html><body><p>Le conseil municipal s'est réuni jeudi pour discuter du budget de l'année prochaine, et a "
     "approuvé la plupart des points après un long débat.</p></body></html>", "fr"),
])
def test_language(html, expected):
    assert extract(html).language == expected


@pytest.mark.parametrize("value, expected", [
    ("en_US", "en-US"), ("EN", "en"), ("zh-hant", "zh-Hant"), ("es-419", "es-419"), ("en, fr", "en"),
    ("not a language", None), ("", None),
])
def test_normalize_language(value, expected):
    assert normalize_language(value) == expected


def test_jsonld_graph_and_arrays():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example"},
        {"@type": ["NewsArticle", "Article"], "headline": "From the graph",
         "author": [{"@type": "Person", "name": "Jane Doe"}], "datePublished": "2022-09-29T10:15:00+05:30",
         "image": [{"@type": "ImageObject", "url": "/img/lead.jpg"}]},
    ]}
    article = extract(page(jsonld([{"@type": "Organization", "name": "Example"}, graph])))
    assert (article.title, article.authors, article.published_at) == (
        "From the graph", ["Jane Doe"], "2022-09-29T10:15:00+05:30")
    assert article.images[0].url == "https://www.example.com/img/lead.jpg"


def test_broken_jsonld_is_skipped_and_the_rest_read():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
            '<script type="application/ld+json">// a comment\n{"@type": "NewsArticle", "headline": "Second"}</script>')
    assert extract(page(head)).title == "Second"


@pytest.mark.parametrize("text, expected", [
    ("By JANE DOE", ["JANE DOE"]),
    ("Written by Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe | September 29, 2022", ["Jane Doe"]),
    ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ("Reuters", []),
    ("Doe, Jane", ["Jane Doe"]),
    ("Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
    ("By jane@example.com", []),
    ("", []),
])
def test_split_authors(text, expected):
    assert split_authors(text) == expected


def test_split_tags_dedupes_case_insensitively_in_order():
    assert split_tags(["India, Budget", "budget; #Economy"]) == ["India", "Budget", "Economy"]


@pytest.mark.parametrize("title, names, expected", [
    ("Headline here | The Daily Ledger", ["The Daily Ledger"], "Headline here"),
    ("The Daily Ledger: Headline here", ["The Daily Ledger"], "The Daily Ledger: Headline here"),
    ("Headline - with dash | dailyledger.com", ["dailyledger.com"], "Headline - with dash"),
    ("Just a headline", ["The Daily Ledger"], "Just a headline"),
])
def test_strip_site_name(title, names, expected):
    assert strip_site_name(title, names) == expected


@pytest.mark.parametrize("data, expected", [
    ({"@type": "MedicalWebPage", "headline": "Page headline", "datePublished": "2019-11-14T08:00:00.000Z"},
     ("Page headline", "2019-11-14T08:00:00+00:00")),
    ({"@type": "ReportageNewsArticle", "headline": "Reportage", "datePublished": "2019-11-14"},
     ("Reportage", "2019-11-14")),
    ({"@type": "Recipe", "headline": "Pear jam", "datePublished": "2017-12-06"}, ("Pear jam", "2017-12-06")),
    ({"@type": "Organization", "name": "Example News"}, (None, None)),
])
def test_jsonld_story_object_types(data, expected):
    article = extract(page(jsonld(data)), "https://www.example.com/story")
    assert (article.title, article.published_at) == expected


@pytest.mark.parametrize("text, publisher, expected", [
    ("Bruce Y. Lee", None, ["Bruce Y. Lee"]),
    ("Rachael Link, MS, RD", None, ["Rachael Link"]),
    ("STEVE PEOPLES, AP National Political Writer", None, ["STEVE PEOPLES"]),
    ("Analysis by Chris Cillizza, CNN Editor-at-large", None, ["Chris Cillizza"]),
    ("Tom Davies Associated Press", None, ["Tom Davies"]),
    ("Elliot Brownstein Florida Today", "Florida Today", ["Elliot Brownstein"]),
    ("Jill Disis, CNN Business", None, ["Jill Disis"]),
    ("MEG KINNARD AND ERRIN HAINES", None, ["MEG KINNARD", "ERRIN HAINES"]),
    ("Ludwig van Beethoven", None, ["Ludwig van Beethoven"]),
    ("Текст: Венера Ерофеева", None, ["Венера Ерофеева"]),
    ("The Russian and Syrian defense ministries", None, []),
    ("JERUSALEM POST STAFF", None, []),
    ("Detroit News wire services", None, []),
    ("LinkNaija", None, []),
    ("jdadmin", None, []),
])
def test_split_authors_cleans_bylines(text, publisher, expected):
    assert split_authors(text, publisher) == expected


@pytest.mark.parametrize("html, expected", [
    (page('<meta property="article:section" content="Commercial Real Estate,Home Page,Popular">'),
     "Commercial Real Estate"),
    (page('<meta property="article:section" content="example.com">'), None),
    (page('<meta property="og:site_name" content="Example News"><meta property="article:section" '
          'content="Example News">'), None),
])
def test_section_cleaning(html, expected):
    assert extract(html).section == expected


def test_jsonld_object_naming_this_page_wins_over_related_stories():
    related = {"@type": "NewsArticle", "headline": "A related story", "url": "https://www.example.com/other/",
               "datePublished": "2022-09-01"}
    story = {"@type": "NewsArticle", "headline": "This story", "datePublished": "2022-09-29",
             "mainEntityOfPage": {"@id": "https://example.com/world/2022/09/29/story"}}
    article = extract(page(jsonld({"@graph": [related, story]})))
    assert (article.title, article.published_at) == ("This story", "2022-09-29")


def test_time_element_of_the_story_beats_one_in_a_list_before_it():
    body = ('<ul class="latest"><li><time datetime="2022-09-01">Sept 1</time> Earlier item</li></ul>'
            '<article><h1>Headline</h1><time datetime="2022-09-29T10:15:00+05:30">Sept 29</time>'
            f"{BODY}</article>")
    article = extract(page(body=body), "https://example.com/story")
    assert (article.published_at, article.published_at_source) == ("2022-09-29T10:15:00+05:30", "time")


def test_a_headline_that_names_the_site_is_not_a_site_suffix():
    head = ('<meta property="og:site_name" content="The Guardian">'
            '<meta property="og:title" content="The Guardian view on Hong Kong: a city on the brink | Editorial">')
    assert extract(page(head), "https://www.theguardian.com/x").title == (
        "The Guardian view on Hong Kong: a city on the brink")


# --- real-world shapes: glued headlines, edge separators, several authors, kickers -----------------------

@pytest.mark.parametrize("html, expected", [
    # a link inside the <h1> is its own words, not glued to the headline
    (page('<meta property="og:title" content="Los Reyes visitan a la Infanta">',
          '<h1>Los Reyes visitan a la Infanta<a href="/">Ultima Hora Mallorca</a></h1>'),
     "Los Reyes visitan a la Infanta"),
    (page("<title>Harbour reopens after the storm</title>",
          '<h1><span>Harbour</span>reopens after the storm</h1>'), "Harbour reopens after the storm"),
    # formatting inside a word or before punctuation keeps the words as written
    (page("", "<h1>The <em>Gazette</em>'s view on the harbour</h1>"), "The Gazette's view on the harbour"),
    # a separator left at the start or end when the site name was empty
    (page("<title>| Harbour reopens after the storm</title>"), "Harbour reopens after the storm"),
    (page('<meta property="og:title" content="Harbour reopens after the storm – ">'),
     "Harbour reopens after the storm"),
    (page("<title>-40 degrees in the harbour tonight</title>"), "-40 degrees in the harbour tonight"),
])
def test_title_real_world_shapes(html, expected):
    assert extract(html).title == expected


@pytest.mark.parametrize("html, expected", [
    (page("", '<p class="byline">By <a rel="author" href="/by/ana">Ana Lima</a> and '
              '<a rel="author" href="/by/rui">Rui Costa</a></p>'), ["Ana Lima", "Rui Costa"]),
    (page("", '<div class="meta"><span><a rel="author" href="/by/ana">Ana Lima</a></span>, '
              '<span><a rel="author" href="/by/rui">Rui Costa</a></span></div>'), ["Ana Lima", "Rui Costa"]),
    # a rel=author link of another block (an author box further down) is not a co-author
    (page("", '<p class="byline">By <a rel="author" href="/by/ana">Ana Lima</a></p>'
              '<div class="author-box"><div><p><a rel="author" href="/by/zoe">Zoe Park</a> edits the harbour '
              'pages and has covered the port, its ferries and its fishing fleet for the Gazette since 2009.</p>'
              '</div></div>'),
     ["Ana Lima"]),
    (page('<meta name="author" content="Chien-Ming Wang, and Tom Watkins, CNN">'),
     ["Chien-Ming Wang", "Tom Watkins"]),
])
def test_several_authors(html, expected):
    assert extract(html).authors == expected


@pytest.mark.parametrize("text, expected", [
    ("Chien-Ming Wang, and Tom Watkins, CNN", ["Chien-Ming Wang", "Tom Watkins"]),
    ("By A. Smith, B. Jones, and C. Brown", ["A. Smith", "B. Jones", "C. Brown"]),
    ("Ana Lima y Rui Costa", ["Ana Lima", "Rui Costa"]),
])
def test_split_authors_oxford_comma(text, expected):
    assert split_authors(text) == expected


@pytest.mark.parametrize("html, expected", [
    (page("", '<p class="kicker"><a href="/health/">Health</a> / Science</p><h1>Clinic opens</h1>'), "Health"),
    # the line right above the headline, without a class
    (page("", '<div><p><a href="/health/">Health</a></p><h1>Clinic opens</h1></div>'), "Health"),
    # a kicker link to another site or to a story is no section
    (page("", '<p class="kicker"><a href="https://other.example/health/">Health</a></p><h1>Clinic</h1>'), None),
    (page("", '<p class="kicker"><a href="/2022/09/28/clinic-plans-approved-by-council/">Earlier</a></p>'
              "<h1>Clinic</h1>"), None),
    # metadata still wins over the kicker
    (page('<meta property="article:section" content="Local">',
          '<p class="kicker"><a href="/health/">Health</a></p><h1>Clinic</h1>'), "Local"),
])
def test_section_from_kicker(html, expected):
    assert extract(html).section == expected
