"""extract_article as a whole: profile selectors, encodings, broken pages, golden demo pages."""

from __future__ import annotations

import gzip
import random
from datetime import datetime, timezone

import pytest

from newscrawler.extract.article import extract_article
from newscrawler.items import Article

CRAWLED = datetime(2022, 10, 1, tzinfo=timezone.utc)
URL = "https://www.example.com/news/council-budget"
PARAGRAPHS = [
    "The city council met on Thursday to discuss the budget for the coming year and the plans for the harbour.",
    "After a long debate the members agreed on most of the items, leaving the transport plan for next month.",
    "The mayor said the harbour works would start in the spring if the regional grant arrives on time.",
]


def story_page(extra_head: str = "", charset: str = "utf-8", title: str = "Council agrees budget") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<html><head><meta charset="{charset}"><title>{title} | Example</title>{extra_head}</head><body>'
            f'<header><a href="/">Example</a></header><article><h1>{title}</h1>'
            f'<div class="story">{paragraphs}</div></article><footer>Contact us</footer></body></html>')


def test_fields_filled_from_an_ordinary_page():
    warnings: list[str] = []
    article = extract_article(story_page(), URL, crawled_at=CRAWLED, warnings=warnings)
    assert isinstance(article, Article)
    assert (article.url, article.canonical_url, article.site) == (URL, URL, "example.com")
    assert article.title == "Council agrees budget"
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.lede == PARAGRAPHS[0]
    assert article.word_count == sum(len(p.split()) for p in PARAGRAPHS)
    assert article.language == "en"
    assert article.crawled_at == "2022-10-01T00:00:00+00:00"
    # left to other components
    assert (article.dateline, article.excerpt, article.discovered_via, article.warc_file) == (None, None, None, None)
    assert warnings == []


def test_crawled_at_defaults_to_now_in_utc():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    article = extract_article(story_page(), URL)
    assert before <= datetime.fromisoformat(article.crawled_at) <= datetime.now(timezone.utc)
    assert article.crawled_at.endswith("+00:00")


PROFILE_PAGE = """<html><head><title>Generic title | Example</title>
<meta property="og:title" content="OG title"><meta property="article:published_time" content="2022-09-20T08:00:00Z">
<meta name="author" content="Meta Author"></head><body>
<h2 class="headline">Profile headline</h2><span class="when" data-ts="2022-09-29T10:15:00+05:30">29 Sept</span>
<span class="who">By Jane Doe and John Roe</span><span class="desk">Metro</span>
<ul class="topics"><li>Budget</li><li>Harbour</li></ul><img class="lead" src="/img/lead.jpg">
<div class="story"><p>First paragraph of the story as the profile selects it.</p>
<figure><img src="/img/x.jpg"><figcaption><p>A caption inside the story container.</p></figcaption></figure>
<h3>A subhead</h3><p>Second paragraph of the story.</p></div>
<div class="aside"><p>Unrelated text the generic extractor might take.</p></div>
</body></html>"""


def test_profile_selectors_win_field_by_field():
    selectors = {
        "title": "h2.headline::text",
        "published_at": "span.when::attr(data-ts)",
        "authors": "//span[@class='who']",
        "section": "span.desk",
        "tags": "ul.topics li::text",
        "images": "img.lead::attr(src)",
        "body": "div.story",
        "description": "(//div[@class='story']/p)[1]/text()",
    }
    warnings: list[str] = []
    article = extract_article(PROFILE_PAGE, URL, selectors=selectors, crawled_at=CRAWLED, warnings=warnings)
    assert article.title == "Profile headline"
    assert (article.published_at, article.published_at_source) == ("2022-09-29T10:15:00+05:30", "profile")
    assert article.authors == ["Jane Doe", "John Roe"]
    assert (article.section, article.tags) == ("Metro", ["Budget", "Harbour"])
    assert [image.url for image in article.images] == ["https://www.example.com/img/lead.jpg"]
    assert article.body == ("First paragraph of the story as the profile selects it.\n\nA subhead\n\n"
                            "Second paragraph of the story.")
    assert article.lede == "First paragraph of the story as the profile selects it."
    assert article.description == "First paragraph of the story as the profile selects it."
    assert "<figcaption" not in article.body_html or "caption" in article.body_html  # markup kept for archives
    assert warnings == []


def test_selectors_that_match_nothing_fall_back_to_the_generic_layers():
    article = extract_article(PROFILE_PAGE, URL, selectors={"title": "h5.nothing::text"}, crawled_at=CRAWLED)
    assert article.title == "OG title"
    assert (article.published_at, article.published_at_source) == ("2022-09-20T08:00:00+00:00", "meta")


@pytest.mark.parametrize("selectors, reason", [
    ({"title": "h2[class=::"}, "bad_selector"),
    ({"title": "//h2[@class="}, "bad_selector"),
    ({"colour": "h2"}, "unknown_selector_field"),
    ({"title": ""}, "empty_selector"),
])
def test_bad_selectors_are_noted_and_skipped(selectors, reason):
    warnings: list[str] = []
    article = extract_article(PROFILE_PAGE, URL, selectors=selectors, crawled_at=CRAWLED, warnings=warnings)
    assert warnings == [reason]
    assert article.title == "OG title"


@pytest.mark.parametrize("data, title", [
    # declared and true
    (story_page(title="Café déjà vu in São Paulo").encode("utf-8"), "Café déjà vu in São Paulo"),
    (story_page(charset="windows-1252", title="Café déjà vu").encode("cp1252"), "Café déjà vu"),
    (story_page(charset="shift_jis", title="東京の予算が成立").encode("shift_jis"), "東京の予算が成立"),
    # byte order marks beat the declaration
    (b"\xef\xbb\xbf" + story_page(charset="iso-8859-1", title="Zürich räumt auf").encode("utf-8"), "Zürich räumt auf"),
    (story_page(title="Zürich räumt auf").encode("utf-16"), "Zürich räumt auf"),
    # undeclared: detected
    (story_page(charset="", title="Le conseil a voté le budget à l'unanimité après un débat").encode("cp1252"),
     "Le conseil a voté le budget à l'unanimité après un débat"),
])
def test_bytes_are_decoded(data, title):
    warnings: list[str] = []
    article = extract_article(data, URL, crawled_at=CRAWLED, warnings=warnings)
    assert article.title == title
    assert article.body.startswith(PARAGRAPHS[0])
    assert warnings == []


def test_wrong_declared_charset_does_not_crash():
    data = story_page(charset="utf-8", title="Café crème").encode("cp1252")  # says UTF-8, is not
    article = extract_article(data, URL, crawled_at=CRAWLED)
    assert article.title.startswith("Caf") and article.body.startswith(PARAGRAPHS[0])


def test_unknown_declared_charset_does_not_crash():
    article = extract_article(story_page(charset="x-no-such-charset").encode(), URL, crawled_at=CRAWLED)
    assert article.title == "Council agrees budget"


def garbage(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.mark.parametrize("data, reasons", [
    (b"", ["empty_page"]),
    ("", ["empty_page"]),
    ("  \n\t ", ["empty_page"]),
    (None, ["empty_page"]),
    ("Just some plain text, no markup at all, not even a tag.", ["not_html"]),
    (garbage(20_000), ["not_html"]),
    (b"\x00" * 5000, ["not_html"]),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + garbage(3000), ["not_html"]),
    ("<html><head><title>Only a title</title></head><body></body></html>", ["no_body"]),
    ("<html><body><div><span>nav</span></div></body></html>", ["no_title", "no_body"]),
    ("<html><body>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</body></html>", ["no_title"]),
])
def test_broken_pages_yield_an_article_and_a_reason(data, reasons):
    warnings: list[str] = []
    article = extract_article(data, URL, crawled_at=CRAWLED, warnings=warnings)
    assert isinstance(article, Article) and article.url == URL
    assert warnings == reasons


@pytest.mark.parametrize("html", [
    "<html><body>" + "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000 + "</body></html>",
    "<p>unclosed <b>tags <i>everywhere <table><tr><td>cell",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>xml prolog</p></body></html>",
    "<html><head><script type='application/ld+json'>{not json at all</script></head><body><h1>T</h1></body></html>",
    "<html><head><script type='application/ld+json'>[1, \"x\", null, {\"@graph\": 5}]</script></head></html>",
    "<html><head><meta property='article:published_time' content='9999-99-99'><meta name='author'></head></html>",
    "<html><body><time datetime='2022-02-30T25:61:00+99:00'>bad</time><h1>\ud800 lone surrogate</h1></body></html>",
    "<!-- only a comment -->",
    "<<<>>>",
])
def test_malformed_pages_do_not_raise(html):
    warnings: list[str] = []
    article = extract_article(html, URL, crawled_at=CRAWLED, warnings=warnings)
    assert isinstance(article, Article) and article.url == URL
    assert "extraction_failed" not in warnings


def test_a_five_megabyte_page_does_not_raise():
    paragraph = "<p>" + " ".join(["word"] * 60) + f" {PARAGRAPHS[0]} (part %d)</p>\n"
    count = 5_000_000 // len(paragraph)
    html = story_page().replace("</div>", "".join(paragraph % i for i in range(count)) + "</div>")
    assert len(html) > 5_000_000
    warnings: list[str] = []
    article = extract_article(html.encode(), URL, crawled_at=CRAWLED, warnings=warnings)
    assert article.title == "Council agrees budget"
    assert article.word_count > 100_000
    assert warnings == ["date_search_skipped_large_page"]  # undated, and too large for htmldate's search


def test_bad_url_does_not_raise():
    article = extract_article(story_page(), "http://[::1", crawled_at=CRAWLED)
    assert article.title == "Council agrees budget" and article.site is None


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    from newscrawler.demo.generate import build_demo_site

    folder = tmp_path_factory.mktemp("demo")
    return folder, build_demo_site(folder)


def test_golden_demo_pages(demo_site):
    """Every generated demo article: headline, date, section, authors, tags, lede, images, credit."""
    folder, manifest = demo_site
    base = "http://127.0.0.1:8000"
    assert len(manifest.articles) >= 60
    for expected in manifest.articles:
        data = (folder / expected.path).read_bytes()
        if expected.path.endswith(".gz"):
            data = gzip.decompress(data)
        warnings: list[str] = []
        article = extract_article(data, base + expected.url_path, crawled_at=CRAWLED, warnings=warnings)
        where = f"{expected.url_path} ({expected.metadata})"
        assert article.title == expected.title, where
        # pages without structured data show a local time without offset: the wall-clock time must match
        assert article.published_at[:16] == expected.published_at[:16], where
        assert article.section == expected.section, where
        assert article.authors == expected.authors, where
        assert article.tags == expected.tags, where
        assert article.lede == expected.lede, where
        assert article.word_count == expected.word_count, where
        assert article.modified_at == expected.modified_at, where
        assert [image.url.removeprefix(base) for image in article.images] == expected.images, where
        if expected.image_credit:
            assert article.images[0].credit == expected.image_credit, where
        for boilerplate in ("Click to comment", "Leave a Reply", "You May Also Like", "Connect with us"):
            assert boilerplate not in article.body, where
        assert warnings == [], where


def test_demo_pages_with_structured_data_keep_the_offset(demo_site):
    folder, manifest = demo_site
    dated = [a for a in manifest.articles if a.metadata in ("jsonld", "og", "microdata")]
    assert dated
    for expected in dated:
        article = extract_article((folder / expected.path).read_bytes(), "http://127.0.0.1:8000" + expected.url_path,
                                  crawled_at=CRAWLED)
        assert article.published_at == expected.published_at, expected.url_path


def jsonld_page(article_body: str, page_text: str) -> str:
    import json

    data = json.dumps({"@type": "NewsArticle", "headline": "Council agrees budget", "articleBody": article_body})
    return (f'<html><head><script type="application/ld+json">{data}</script></head>'
            f"<body><h1>Council agrees budget</h1>{page_text}</body></html>")


def test_jsonld_article_body_fills_in_when_the_page_text_lost_the_story():
    escaped = "&lt;p&gt;" + "&lt;/p&gt;&lt;p&gt;".join(PARAGRAPHS) + "&lt;/p&gt;"
    warnings: list[str] = []
    article = extract_article(jsonld_page(escaped, '<div id="app">Loading…</div>'), URL, crawled_at=CRAWLED,
                              warnings=warnings)
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.lede == PARAGRAPHS[0]
    assert warnings == ["body_from_jsonld"]


def test_a_teaser_article_body_does_not_replace_the_page_text():
    page_text = "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"
    warnings: list[str] = []
    article = extract_article(jsonld_page(PARAGRAPHS[0][:60] + "...", page_text), URL, crawled_at=CRAWLED,
                              warnings=warnings)
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert warnings == []


@pytest.mark.parametrize("url, crawled_at", [(None, CRAWLED), (12345, CRAWLED), (URL, "yesterday")])
def test_wrong_argument_types_do_not_raise(url, crawled_at):
    warnings: list[str] = []
    article = extract_article(story_page(), url, crawled_at=crawled_at, warnings=warnings)
    assert article.title == "Council agrees budget"
    assert "extraction_failed" not in warnings
    assert ("bad_url" in warnings) is (not isinstance(url, str))
