"""Progress lines and the end-of-crawl report, through real crawls of a small site built here."""

from __future__ import annotations

import json
import random
import logging
import re
from collections import Counter
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawler.extensions.progress import DUPLICATE_KINDS, UNCHANGED_KEY, CrawlProgress
from newscrawler.extensions.tally import NONE, ArticleTally
from newscrawler.items import Article, Dateline

PROSE = (
    "Council members met on Tuesday to argue over the cost of the new tram line, which has run two "
    "years late and forty million over budget, while shop owners on the route asked for help."
)


def write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def story(headline: str, *, section: str | None, date: str | None, author: str | None, lead: str = "") -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}
    if section:
        data["articleSection"] = section
    if date:
        data["datePublished"] = date
    if author:
        data["author"] = {"@type": "Person", "name": author}
    # Each story its own words (in its own order), so only real copies look like duplicates.
    shuffle = random.Random(headline).sample
    words = PROSE.split()
    paragraphs = f"<p>{lead}{PROSE}</p>" + "".join(f"<p>{' '.join(shuffle(words, len(words)))}</p>" for _ in range(4))
    return (f'<html><head><title>{headline} | Tram Times</title><script type="application/ld+json">'
            f"{json.dumps(data)}</script></head><body><article><h1>{headline}</h1>{paragraphs}</article></body></html>")


def listing(title: str, links: list[str], head: str = "") -> str:
    teasers = "".join(f'<div><h3><a href="{href}">Story {href}</a></h3></div>' for href in links)
    return f"<html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>{teasers}</body></html>"


@pytest.fixture
def tram_site(tmp_path: Path) -> Path:
    """Two sections, a story only the sitemap lists, one only the feed lists, a copy of a story
    under another URL, a robots.txt disallowed page, a broken link."""
    root = tmp_path / "site"
    write(root, "/robots.txt", "User-agent: *\nDisallow: /private/\n")
    feed_link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    home_links = ["/city/", "/sport/", "/private/leak.html", "/city/missing.html"]
    write(root, "/", listing("Tram Times", home_links, feed_link))
    write(root, "/city/", listing("City", ["/city/tram-costs.html", "/city/budget-vote.html"]))
    write(root, "/sport/", listing("Sport", ["/sport/derby.html", "/sport/tram-costs-again.html"]))
    write(root, "/city/budget-vote.html", story("Budget vote delayed", section="City", date="2024-03-05",
                                                author=None, lead="LONDON, March 5 (Reuters) - "))
    tram_costs = story("Tram costs rise again", section="City", date="2024-03-04T09:00:00+01:00", author="Ann Lee")
    write(root, "/city/tram-costs.html", tram_costs)
    write(root, "/sport/tram-costs-again.html", tram_costs)  # the same story under a second URL
    write(root, "/sport/derby.html", story("Derby ends level", section="Sport", date=None, author="Bo Kim"))
    write(root, "/private/leak.html", story("Leaked memo", section="City", date="2024-03-01", author=None))
    write(root, "/archive/old-depot.html", story("Old depot reopens", section=None, date=None, author=None))
    write(root, "/archive/night-trams.html", story("Night trams return", section="City", date=None, author=None))
    write(root, "/sitemap.xml", (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>BASE/archive/old-depot.html</loc><news:news><news:publication><news:name>Tram Times</news:name>"
        "<news:language>en</news:language></news:publication><news:publication_date>2024-02-20</news:publication_date>"
        "<news:title>Old depot reopens</news:title></news:news></url>"
        "<url><loc>BASE/city/tram-costs.html</loc></url></urlset>"))
    write(root, "/feed.xml", (
        '<rss version="2.0"><channel><title>Tram Times</title>'
        "<item><title>Night trams return</title><link>BASE/archive/night-trams.html</link>"
        "<pubDate>Wed, 06 Mar 2024 18:00:00 +0100</pubDate></item></channel></rss>"))
    return root


def serve_with_base(serve, root: Path):
    site = serve(root)
    for name in ("sitemap.xml", "feed.xml"):
        path = root / name
        path.write_text(path.read_text().replace("BASE/", site.base_url), encoding="utf-8")
    return site


def test_report_counts_what_the_items_say(serve, crawl, tram_site) -> None:
    site = serve_with_base(serve, tram_site)
    # A short interval and a small delay: the crawl lasts several intervals, so periodic lines appear.
    result = crawl("-a", f"start_url={site.base_url}",
                   settings={"NEWSCRAWLER_PROGRESS_INTERVAL": 0.2, "DOWNLOAD_DELAY": 0.1})
    assert result.returncode == 0, result.log[-3000:]
    report, items = result.report, result.items
    paths = {item["url"].removeprefix(site.base_url.rstrip("/")) for item in items}
    copies = {"/city/tram-costs.html", "/sport/tram-costs-again.html"}
    assert len(paths & copies) == 1, paths  # whichever came first; the other is its duplicate
    assert paths - copies == {"/city/budget-vote.html", "/sport/derby.html", "/archive/old-depot.html",
                              "/archive/night-trams.html"}

    # Existing keys stay; the new ones agree with the items the crawl wrote.
    for key in ("crawl_id", "finish_reason", "pages_fetched", "articles_written", "pages_by_kind", "skipped",
                "http_status", "errors", "outputs", "stats"):
        assert key in report
    assert report["articles_written"] == len(items) == 5
    assert report["articles"] == {"extracted": 6, "new": 5, "updated": 0, "unchanged": 0, "duplicate": 1}
    assert sum(report["duplicates"].values()) == 1
    assert report["by_section"] == dict(Counter(item["section"] or NONE for item in items))
    assert report["by_section"]["City"] == 3
    assert report["by_discovery"] == dict(Counter(item["discovered_via"] for item in items))
    via = {item["url"].rsplit("/", 1)[1]: item["discovered_via"] for item in items}
    assert via["old-depot.html"] == "sitemap" and via["night-trams.html"] == "feed"
    assert report["date_sources"] == dict(Counter(
        (item["published_at_source"] if item["published_at"] else None) or NONE for item in items))
    for name in ("published_at", "authors", "dateline", "body"):
        count = sum(1 for item in items if item[name])
        assert report["field_coverage"][name] == {"count": count, "share": round(count / 5, 4)}
    assert report["field_coverage"]["authors"]["count"] == 2  # Ann Lee, Bo Kim
    assert report["field_coverage"]["body"]["count"] == 5
    assert report["field_coverage"]["dateline"]["count"] >= 1  # LONDON, March 5 (Reuters)

    # Every skip and failure by reason.
    assert site.count("/private/leak.html") == 0
    assert report["skipped"]["robots_txt_disallowed"] >= 1
    assert report["failed"].get("http_404", 0) >= 1
    assert report["errors"] == {}  # a skip or a broken link is no error
    assert report["discovery"]["sitemap/fetched"] >= 1 and report["discovery"]["feed/fetched"] >= 1

    # The closing progress line says the same as the report; the printed summary has the new lines.
    final = re.search(r"Progress \(final\): (\d+) pages .*?articles extracted: (\d+) new, (\d+) updated.*", result.log)
    assert final, result.log[-3000:]
    assert (int(final[1]), int(final[2]), int(final[3])) == (report["pages_fetched"], 5, 0)
    skipped_line = re.search(r"; (\d+) skipped,", final[0])
    assert skipped_line and int(skipped_line[1]) >= report["skipped"]["robots_txt_disallowed"]
    assert "field coverage:" in result.log and "by discovery:" in result.log
    periodic = [int(pages) for pages in re.findall(r"INFO: Progress: (\d+) pages", result.log)]
    assert periodic and periodic == sorted(periodic) and periodic[-1] <= report["pages_fetched"]
    saved = json.loads(Path(report["report_path"]).read_text()) if "report_path" in report else report
    assert saved["field_coverage"] == report["field_coverage"]


def test_progress_interval_zero_switches_the_line_off(serve, crawl, tram_site) -> None:
    site = serve_with_base(serve, tram_site)
    result = crawl("-a", f"start_url={site.url('/sport/')}", settings={"NEWSCRAWLER_PROGRESS_INTERVAL": 0})
    assert result.returncode == 0, result.log[-3000:]
    assert result.items
    assert not re.search(r"INFO: Progress", result.log)
    assert "NEWSCRAWLER_PROGRESS_INTERVAL is 0" in result.log


def test_progress_line_reads_stats_and_updates(caplog) -> None:
    """The periodic line, called as the looping call would call it, on a real crawler's stats."""
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_PROGRESS_INTERVAL": 10})
    crawler.stats.open_spider()
    progress = CrawlProgress.from_crawler(crawler)
    for key, value in {"response_received_count": 40, "newscrawler/articles/extracted": 13,
                       "dedupe/unchanged": 6, "dedupe/new": 9,
                       "dedupe/near": 2, "dedupe/url": 1, "newscrawler/failed": 3,
                       "newscrawler/skipped/not_html": 4, "newscrawler/dropped/no_body": 1, "robotstxt/forbidden": 2,
                       "log_count/ERROR": 2}.items():
        crawler.stats.set_value(key, value)
    progress.item_scraped(Article(url="https://x.example/a"))
    progress.item_scraped(Article(url="https://x.example/b", is_update=True))
    progress.item_scraped({"url": "https://x.example/c", "is_update": False})
    with caplog.at_level(logging.INFO, logger="newscrawler.extensions.progress"):
        progress.log_progress()
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("Progress: 40 pages (240.0/min), 13 articles extracted: 2 new, 1 updated, 6 unchanged, "
                           "3 duplicate; "
                           "7 skipped, 3 failed, 2 errors;")


def test_duplicate_kinds_are_the_dedupe_verdicts() -> None:
    from newscrawler.dedupe.index import DUPLICATE_KINDS as VERDICTS
    from newscrawler.dedupe.index import UNCHANGED

    assert set(DUPLICATE_KINDS) == set(VERDICTS) and UNCHANGED_KEY == f"dedupe/{UNCHANGED}"


def test_tally_coverage_and_buckets() -> None:
    tally = ArticleTally()
    tally.add(Article(url="u1", section="World", discovered_via="sitemap", published_at="2024-01-01",
                      published_at_source="sitemap", authors=["A"], body="text",
                      dateline=Dateline(raw="PARIS -", location="PARIS")))
    tally.add(Article(url="u2", section="  ", discovered_via="feed", body="   ", published_at_source="meta"))
    assert tally.by_section == Counter({"World": 1, NONE: 1})
    assert tally.by_discovery == Counter({"sitemap": 1, "feed": 1})
    # A source without a date is no date source.
    assert tally.date_sources == Counter({"sitemap": 1, NONE: 1})
    assert tally.coverage() == {"published_at": {"count": 1, "share": 0.5}, "authors": {"count": 1, "share": 0.5},
                                "dateline": {"count": 1, "share": 0.5}, "body": {"count": 1, "share": 0.5}}
    assert ArticleTally().coverage()["body"] == {"count": 0, "share": 0.0}
