"""listing_links: which links of a page a crawl follows, and what each is. Pure, no crawl."""

from __future__ import annotations

from collections import Counter

import pytest

from newscrawler.discovery.links import Link, LinkRules, followable, listing_links

BASE = "https://news.example/world/"
RULES = LinkRules(allowed_domains=("news.example",), skipped_extensions=(".pdf", ".jpg"))


def links_of(body: str, rules: LinkRules = RULES, skipped: Counter[str] | None = None) -> dict[str, Link]:
    return {link.url: link for link in listing_links(f"<html><body>{body}</body></html>", BASE, rules, skipped)}


def test_teaser_gives_story_and_excerpt() -> None:
    links = links_of("""
        <article><h2><a href="/world/flood-hits-delta">Flood hits delta</a></h2>
          <p>Short.</p><p>DHAKA, March 3 - Water rose through the night across the delta.</p></article>
        <article><h3><a href="/world/quiet-day">Quiet day</a></h3></article>
        <nav><a href="/sport/">Sport</a></nav>""")
    flood = links["https://news.example/world/flood-hits-delta"]
    assert flood.is_story and not flood.is_pagination
    assert flood.excerpt == "DHAKA, March 3 - Water rose through the night across the delta."
    assert flood.text == "Flood hits delta"
    assert links["https://news.example/world/quiet-day"].excerpt == ""  # a headline with no teaser text
    sport = links["https://news.example/sport/"]
    assert (sport.is_story, sport.excerpt) == (False, None)


def test_dated_url_is_story_like_without_headline() -> None:
    link = links_of('<a href="/2024/03/05/market-opens/">Market opens</a>')["https://news.example/2024/03/05/market-opens/"]
    assert link.dated and link.is_story and link.excerpt is None


def test_long_excerpt_is_cut_and_whitespace_folded() -> None:
    words = " ".join(["word"] * 400)
    link = links_of(f'<li><h4><a href="/world/a">A</a></h4><p>{words}\n\n{words}</p></li>')["https://news.example/world/a"]
    assert len(link.excerpt or "") == 600 and "  " not in (link.excerpt or "")


@pytest.mark.parametrize(("anchor", "pagination"), [
    ('<a href="/world/?page=2">Next</a>', True),
    ('<a href="/world/archive-x">Older posts</a>', True),
    ('<a href="/world/more-x">»</a>', True),
    ('<a rel="next" href="/world/x">Read on</a>', True),
    ('<a href="/world/page/3/">3</a>', True),
    ('<a href="/world/page/3/"><img src="x.png"></a>', True),
    ('<a href="/world/page/3/">World news page three</a>', False),
    ('<a href="/world/next-steps">Next steps for the delta</a>', False),
])
def test_pagination_spotted_by_text_rel_and_url(anchor: str, pagination: bool) -> None:
    [link] = links_of(anchor).values()
    assert link.is_pagination is pagination


def test_head_next_link_is_pagination_and_comes_last() -> None:
    html = ('<html><head><link rel="prev" href="/world/page/1/"><link rel="next" href="/world/page/3/"></head>'
            '<body><a href="/world/story">Story</a></body></html>')
    links = listing_links(html, BASE, RULES)
    assert [(l.url, l.is_pagination, l.text) for l in links] == [
        ("https://news.example/world/story", False, "Story"), ("https://news.example/world/page/3/", True, "")]


def test_each_link_once_first_occurrence_wins() -> None:
    links = listing_links('<a href="/world/x?utm_source=a">Headline</a><a href="/world/x">Read more</a>', BASE, RULES)
    assert [(l.url, l.text) for l in links] == [("https://news.example/world/x", "Headline")]


@pytest.mark.parametrize("href", [
    "https://elsewhere.example/world/story",  # another site
    "http://evilnews.example/",  # a host that only ends like the allowed one
    "mailto:desk@news.example", "javascript:void(0)", "#top", "", "ftp://news.example/file",
    "/wp-admin/", "/login", "/feed/", "/rss.xml", "/world/story?share=facebook", "/search/?q=flood",
    "/files/report.pdf", "/photos/big.JPG", "/sitemap.xml", "/robots.txt",
])
def test_links_never_followed(href: str) -> None:
    assert links_of(f'<a href="{href}">x</a>') == {}


def test_nofollow_left_out_unless_next() -> None:
    links = links_of('<a rel="nofollow" href="/world/ad">Ad</a><a rel="nofollow next" href="/world/page/2/">Next</a>')
    assert list(links) == ["https://news.example/world/page/2/"]


def test_subdomains_of_allowed_domains_followed() -> None:
    assert list(links_of('<a href="https://video.news.example/world/x">x</a><a href="//live.news.example/y">y</a>')) == [
        "https://video.news.example/world/x", "https://live.news.example/y"]


def test_profile_deny_rule() -> None:
    rules = LinkRules(allowed_domains=("news.example",), denied=lambda url: "/opinion/" in url)
    assert list(links_of('<a href="/opinion/a">a</a><a href="/world/b">b</a>', rules)) == ["https://news.example/world/b"]


def test_too_many_query_params_counted_per_occurrence() -> None:
    skipped: Counter[str] = Counter()
    body = '<a href="/world/?a=1&b=2&c=3&d=4">x</a>' * 2 + '<a href="/world/?a=1&b=2&c=3">y</a>'
    assert list(links_of(body, skipped=skipped)) == ["https://news.example/world/?a=1&b=2&c=3"]
    assert skipped == Counter(too_many_query_params=2)


def test_canonicalizer_applies_to_links_and_excerpt_keys() -> None:
    rules = LinkRules(allowed_domains=("news.example",), canonicalize=lambda url: url.lower())
    [link] = listing_links('<div><h2><a href="/World/Flood">Flood</a></h2><p>one two three four five six</p></div>',
                           BASE, rules)
    assert (link.url, link.excerpt) == ("https://news.example/world/flood", "one two three four five six")


def test_followable_resolves_and_canonicalizes() -> None:
    assert followable(" ../sport/?utm_medium=x ", BASE, RULES) == "https://news.example/sport/"


def test_empty_page_has_no_links() -> None:
    assert listing_links("  ", BASE, RULES) == []
