"""The generated sites are what the crawl tests trust: check they are what they claim to be."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.html
import pytest

from newscrawler.demo.generate import build_demo_site
from newscrawler.demo.stories import SiteFolder, SiteManifest
from tests.sitegen import build_bare_site, build_magazine_site

BUILDERS: dict[str, Callable[[Path], SiteManifest]] = {
    "demo": build_demo_site,
    "magazine": build_magazine_site,
    "bare": build_bare_site,
}
DATELINE = re.compile(r"^[A-Za-z&. ]+, (Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec) \d{1,2}\b")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, SiteManifest]]:
    built = {}
    for name, build in BUILDERS.items():
        root = tmp_path_factory.mktemp(name)
        built[name] = (root, build(root))
    return built


def parse(file: Path) -> lxml.html.HtmlElement:
    """Parse a generated page as the UTF-8 the server declares for it."""
    return lxml.html.fromstring(file.read_text(encoding="utf-8"))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pages(root: Path) -> dict[str, lxml.html.HtmlElement]:
    """Every HTML page of a site by the root-relative URL a static server answers it at."""
    out = {}
    for file in sorted(root.rglob("*.html")):
        relative = file.relative_to(root).as_posix()
        url = "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        out[url] = parse(file)
    return out


def internal_links(url: str, doc: lxml.html.HtmlElement) -> list[str]:
    """Root-relative paths of the page's same-site links and images, query and fragment dropped."""
    out = []
    for _, attr, link, _ in doc.iterlinks():
        if attr not in ("href", "src"):
            continue
        parts = urlsplit(urljoin(url, link))
        if parts.scheme or parts.netloc or not parts.path:
            continue
        out.append(unquote(parts.path))
    return out


def text(doc: lxml.html.HtmlElement, css: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in doc.cssselect(css)]


def jsonld_types(doc: lxml.html.HtmlElement) -> set[str]:
    types: set[str] = set()
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        for node in data.get("@graph", [data]):
            kind = node.get("@type")
            types.update(kind if isinstance(kind, list) else [kind])
    return types


def og_type(doc: lxml.html.HtmlElement) -> str | None:
    values = doc.xpath('//meta[@property="og:type"]/@content')
    return values[0] if values else None


# --- every site ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
def test_two_builds_are_byte_identical(name: str, sites, tmp_path: Path) -> None:
    root, manifest = sites[name]
    again = BUILDERS[name](tmp_path)
    assert tree(tmp_path) == tree(root)
    assert again.to_json() == manifest.to_json()
    assert SiteManifest.from_json(manifest.to_json()) == manifest


def test_the_command_line_writes_the_same_demo_in_another_process(sites, tmp_path: Path) -> None:
    """Another interpreter with another hash seed: nothing may depend on set or dict hashing."""
    root, manifest = sites["demo"]
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    proc = subprocess.run(
        [sys.executable, "-m", "newscrawler.demo", str(tmp_path / "site"), "--manifest", str(tmp_path / "m.json")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {len(manifest.articles)} articles" in proc.stdout
    assert tree(tmp_path / "site") == tree(root)
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == manifest.to_json()


@pytest.mark.parametrize("name", BUILDERS)
def test_manifest_lists_every_page_once_and_every_listed_page_exists(name: str, sites) -> None:
    root, manifest = sites[name]
    article_urls = [a.url_path for a in manifest.articles]
    assert len(set(article_urls)) == len(article_urls)
    assert not set(article_urls) & set(manifest.non_articles)
    for article in manifest.articles:
        assert SiteFolder.file_for(article.url_path) == article.path
        assert (root / article.path).is_file()
    for url in manifest.non_articles:
        assert (root / SiteFolder.file_for(url)).is_file(), url
    html_pages = {u for u in manifest.non_articles if not u.endswith(".xml")}
    assert set(pages(root)) == set(article_urls) | html_pages


@pytest.mark.parametrize("name", BUILDERS)
def test_every_internal_link_resolves_to_a_generated_file(name: str, sites) -> None:
    root, _ = sites[name]
    broken = {
        (url, path)
        for url, doc in pages(root).items()
        for path in internal_links(url, doc)
        if not (root / SiteFolder.file_for(path)).is_file()
    }
    assert not broken


@pytest.mark.parametrize("name", BUILDERS)
def test_every_article_is_reachable_from_the_home_page(name: str, sites) -> None:
    root, manifest = sites[name]
    docs = pages(root)
    seen, queue = {"/"}, ["/"]
    while queue:
        url = queue.pop()
        for path in internal_links(url, docs[url]):
            if path in docs and path not in seen and not path.startswith("/wp-admin/"):
                seen.add(path)
                queue.append(path)
    assert {a.url_path for a in manifest.articles} <= seen


@pytest.mark.parametrize("name", BUILDERS)
def test_article_pages_show_the_manifest_title_and_lede(name: str, sites) -> None:
    root, manifest = sites[name]
    for article in manifest.articles:
        doc = parse(root / article.path)
        assert text(doc, "h1") == [article.title]
        assert doc.findtext(".//title").startswith(article.title + " ")
        paragraphs = [" ".join(p.text_content().split()) for p in doc.xpath("//p")]
        assert article.lede in paragraphs
        assert datetime.fromisoformat(article.published_at).utcoffset() is not None
        if article.dateline:
            assert article.lede.startswith(article.dateline + " ")
            assert DATELINE.match(article.dateline)


@pytest.mark.parametrize("name", BUILDERS)
def test_titles_are_distinct(name: str, sites) -> None:
    _, manifest = sites[name]
    titles = [a.title.lower() for a in manifest.articles]
    assert len(set(titles)) == len(titles)


# --- the demo ------------------------------------------------------------------------------


def test_demo_counts_sections_and_metadata_mix(sites) -> None:
    root, manifest = sites["demo"]
    articles = manifest.articles
    assert len(articles) >= 64
    assert len({a.section for a in articles}) >= 5
    kinds = {kind: sum(a.metadata == kind for a in articles) for kind in ("jsonld", "og", "none")}
    assert sum(kinds.values()) == len(articles)
    assert 0.4 <= kinds["jsonld"] / len(articles) <= 0.6
    assert 0.25 <= kinds["og"] / len(articles) <= 0.4
    assert kinds["none"] >= 6
    for article in articles:
        doc = parse(root / article.path)
        has_jsonld = "NewsArticle" in jsonld_types(doc)
        assert has_jsonld == (article.metadata == "jsonld"), article.url_path
        assert (og_type(doc) == "article") == (article.metadata != "none"), article.url_path
        if article.metadata == "none":
            assert not doc.xpath("//script[@type='application/ld+json']")
            assert not doc.xpath("//meta[starts-with(@property, 'article:')]")
        if article.metadata == "jsonld":
            published = [n for n in json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["@graph"]
                         if n["@type"] == "NewsArticle"][0]["datePublished"]
            assert published == article.published_at and published.endswith("+05:30")
    # Of the stories without metadata, some show a <time>, some only a line of text.
    undated = [parse(root / a.path) for a in articles if a.metadata == "none"]
    with_time = sum(bool(doc.xpath("//article//time")) for doc in undated)
    assert 0 < with_time < len(undated)


def test_demo_urls_are_wordpress_shaped(sites) -> None:
    _, manifest = sites["demo"]
    for article in manifest.articles:
        published = datetime.fromisoformat(article.published_at)
        assert re.fullmatch(rf"/{published:%Y/%m/%d}/[a-z0-9-]+/", article.url_path)
    urls = set(manifest.non_articles)
    assert {"/", "/page/2/", "/about-us/", "/contact/", "/feed/index.xml", "/comments/feed/index.xml"} <= urls
    assert sum(u.startswith("/category/") and "/page/" not in u for u in urls) >= 5
    assert any(re.fullmatch(r"/category/[a-z]+/page/2/", u) for u in urls)
    assert any(u.startswith("/tag/") for u in urls) and any(u.startswith("/author/") for u in urls)


def test_demo_listing_pages_paginate_and_describe_themselves_as_collections(sites) -> None:
    root, manifest = sites["demo"]
    docs = pages(root)
    home = docs["/"]
    assert home.xpath('//a[text()="Older posts"]/@href') == ["/page/2/"]
    section = docs["/category/india/"]
    assert section.xpath('//a[@rel="next"]/@href') == ["/category/india/page/2/"]
    assert "Next" in text(section, 'a[rel="next"]')[0]
    listings = [u for u in manifest.non_articles if u.startswith(("/category/", "/tag/", "/page/", "/search/", "/2022/"))]
    assert len(listings) >= 30 and any(re.fullmatch(r"/2022/\d\d/", u) for u in listings)
    for url in ["/", *listings]:
        assert og_type(docs[url]) == "website"
        assert "CollectionPage" in jsonld_types(docs[url])
        assert 1 <= len(docs[url].cssselect("article.teaser")) <= 10
    trending = docs["/"].xpath('//p[@class="trending"]/a/@href')
    assert trending and all(u in manifest.non_articles for u in trending)
    assert "SearchResultsPage" in jsonld_types(docs[trending[0]])


def test_demo_article_page_has_the_seed_page_furniture(sites) -> None:
    root, manifest = sites["demo"]
    # "Click to comment" is what the comments link says while a story has no comments yet.
    article = next(a for a in manifest.articles[10:] if "comment-list" not in (root / a.path).read_text())
    doc = parse(root / article.path)
    page = " ".join(doc.text_content().split())
    for phrase in ("Connect with us", "Hi, what are you looking for?", "Click to comment", "Leave a Reply",
                   "Your email address will not be published.", "You May Also Like"):
        assert phrase in page
    assert doc.xpath('//form[@action="/"]//input[@name="s"]')
    caption = text(doc, "figure.post-thumbnail figcaption")[0]
    assert caption == article.image_caption
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", caption)]
    taken = datetime.strptime(re.search(r"[A-Z][a-z]+ \d{1,2}, 20\d\d", caption).group(), "%B %d, %Y")
    assert years and taken.date() < datetime.fromisoformat(article.published_at).date()
    excerpts = text(doc, ".widget-post-excerpt")
    assert len(excerpts) >= 4 and all(DATELINE.match(e) for e in excerpts)
    assert {"New Delhi", "J&K", "Karnataka"} <= {e.split(",")[0] for e in excerpts}
    assert len({re.search(r"\d{1,2}\s*(\(\w+\)\s*)?([-–—])", e).group(2) for e in excerpts}) >= 2


def test_demo_has_seed_style_bodies_short_stories_and_a_photo_only_page(sites) -> None:
    root, manifest = sites["demo"]
    ledes = [a.lede for a in manifest.articles]
    assert sum(bool(a.dateline) for a in manifest.articles) >= 10
    assert any("(PTI) -" in lede for lede in ledes)
    bodies = [(root / a.path).read_text() for a in manifest.articles]
    assert sum("<p>The news: " in b and "<p>What’s going on: " in b and "<ul>" in b for b in bodies) >= 5
    assert sum(60 <= a.word_count <= 90 for a in manifest.articles) >= 2
    image_counts = [len(lxml.html.fromstring(b).xpath("//img")) for b in bodies]
    assert image_counts.count(1) == 1
    assert sum("?replytocom=" in b for b in bodies) >= 5


def test_demo_is_served_by_a_static_server_with_feeds_and_robots(sites, serve) -> None:
    root, manifest = sites["demo"]
    site = serve(root)
    article = manifest.articles[0]
    with urllib.request.urlopen(site.url(article.url_path)) as response:
        assert response.headers["Content-Type"].startswith("text/html")
        assert article.title in response.read().decode()
    with urllib.request.urlopen(site.url("/feed/index.xml")) as response:
        assert "xml" in response.headers["Content-Type"]
        feed = feedparser.parse(response.read())
    assert [e.title for e in feed.entries[:3]] == [a.title for a in manifest.articles[:3]]
    with urllib.request.urlopen(site.url("/comments/feed/index.xml")) as response:
        assert all(e.title.startswith("Comment on ") for e in feedparser.parse(response.read()).entries)
    with urllib.request.urlopen(site.url("/robots.txt")) as response:
        assert "Disallow: /wp-admin/" in response.read().decode()


def test_demo_base_url_goes_only_into_absolute_references(tmp_path: Path) -> None:
    manifest = build_demo_site(tmp_path, base_url="http://127.0.0.1:8123/")
    doc = parse(tmp_path / manifest.articles[0].path)
    assert doc.xpath("//link[@rel='canonical']/@href") == ["http://127.0.0.1:8123" + manifest.articles[0].url_path]
    assert doc.xpath("//h1//a/@href") == [] and doc.xpath("//nav//a/@href")[0] == "/"


# --- the other shapes ----------------------------------------------------------------------


def test_magazine_is_microdata_only_with_load_more_pagination(sites) -> None:
    root, manifest = sites["magazine"]
    assert len(manifest.articles) >= 30
    docs = pages(root)
    assert not any(doc.xpath("//script[@type='application/ld+json']") for doc in docs.values())
    for article in manifest.articles:
        doc = docs[article.url_path]
        assert doc.xpath("//article[@itemtype='https://schema.org/NewsArticle']//*[@itemprop='headline']")
        assert doc.xpath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content") == [
            article.published_at
        ]
        assert og_type(doc) is None
        assert text(doc, ".most-read h2") == ["Most read"] and doc.cssselect(".newsletter form")
    with_time = sum(bool(docs[a.url_path].xpath("//time[@datetime]")) for a in manifest.articles)
    assert 0 < with_time < len(manifest.articles)
    assert any(a.url_path.startswith("/story/") for a in manifest.articles)
    assert any(re.fullmatch(r"/news/[a-z]+/\d{4}/\d\d/\d\d/[a-z0-9-]+-\d+\.html", a.url_path) for a in manifest.articles)
    more = {t for doc in docs.values() for t in text(doc, 'a[rel="next"]')}
    assert more == {"More stories", "Load more"}
    assert "/world/index-2.html" in manifest.non_articles


def test_bare_site_has_no_metadata_undated_urls_and_wordy_listings(sites) -> None:
    root, manifest = sites["bare"]
    assert len(manifest.articles) >= 30
    docs = pages(root)
    for doc in docs.values():
        assert not doc.xpath("//script[@type='application/ld+json'] | //meta[@property] | //*[@itemscope] | //time")
    assert all(a.metadata == "none" for a in manifest.articles)
    assert not any(re.search(r"/\d{4}/\d\d/", a.url_path) for a in manifest.articles)
    assert all(re.fullmatch(r"/p/\d+\.html", a.url_path) for a in manifest.articles)
    assert any(re.fullmatch(r"/sections/\d+/page-2\.html", u) for u in manifest.non_articles)
    shortest = min(a.word_count for a in manifest.articles)
    assert shortest <= 125
    listing_words = max(len(docs[u].text_content().split()) for u in manifest.non_articles if u != "/contact.html")
    assert listing_words > max(a.word_count for a in manifest.articles)
