"""Discovery and scheduled runs, crawled for real: sitemaps, feeds, date window, re-runs, resume."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path


from tests.prose import distinct_paragraphs

WORDS = (
    "The regional water board said on Thursday that the reservoir had reached its lowest level in a decade, "
    "and asked households to cut use by a fifth while engineers inspect the ageing pipes under the old town."
).split()


@dataclass
class Story:
    slug: str
    title: str
    day: str  # YYYY-MM-DD
    via: str  # "section", "sitemap", "feed", "newsmap", "atom", "json"
    lastmod: str | None = None

    @property
    def path(self) -> str:
        y, m, d = self.day.split("-")
        return f"/{y}/{m}/{d}/{self.slug}/"


@dataclass
class DiscoverySite:
    """A small site where some stories are reachable only through one discovery path."""

    root: Path
    stories: list[Story] = field(default_factory=list)
    base: str = ""
    """The served site's base URL: sitemaps and feeds list absolute URLs, as the protocols say."""

    def add(self, story: Story) -> Story:
        self.stories.append(story)
        return story

    def write(self) -> None:
        root = self.root
        b = self.base.rstrip("/")
        for story in self.stories:
            text = _prose(story.slug)
            head = (f'<meta property="og:type" content="article">'
                    f'<meta property="article:published_time" content="{story.day}T08:00:00+00:00">')
            self._page(story.path, f"<html><head><title>{story.title}</title>{head}</head><body>"
                                   f"<article><h1>{story.title}</h1>{text}</article></body></html>")
        linked = [s for s in self.stories if s.via == "section"]
        teasers = "".join(f'<div><h2><a href="{s.path}">{s.title}</a></h2><p>{" ".join(WORDS[:12])}</p></div>'
                          for s in reversed(linked))
        alternates = ('<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
                      '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
                      '<link rel="alternate" type="application/feed+json" href="/feed.json">')
        self._page("/", f"<html><head><title>Home</title>{alternates}</head><body>"
                        f'<nav><a href="/local/">Local</a></nav><main>{teasers[:2000]}</main></body></html>')
        pages = [linked[::-1][i:i + 3] for i in range(0, max(len(linked), 1), 3)]
        for n, chunk in enumerate(pages, start=1):
            items = "".join(f'<div><h2><a href="{s.path}">{s.title}</a></h2><p>{" ".join(WORDS[:12])}</p></div>'
                            for s in chunk)
            nxt = f'<a rel="next" href="/local/page/{n + 1}/">Older</a>' if n < len(pages) else ""
            self._page("/local/" if n == 1 else f"/local/page/{n}/",
                       f"<html><head><title>Local</title></head><body><h1>Local</h1>{items}{nxt}</body></html>")
        (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\n")
        (root / "sitemap_index.xml").write_text(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{b}/sitemap-posts.xml</loc></sitemap><sitemap><loc>{b}/sitemap-news.xml.gz</loc></sitemap>"
            "</sitemapindex>")
        urls = "".join(f"<url><loc>{b}{s.path}</loc><lastmod>{s.lastmod or s.day}</lastmod></url>"
                       for s in self.stories if s.via == "sitemap")
        (root / "sitemap-posts.xml").write_text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
        news = "".join(
            f"<url><loc>{b}{s.path}</loc><news:news><news:publication><news:name>Gazette</news:name>"
            f"<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{s.day}T06:30:00+02:00</news:publication_date>"
            f"<news:title>{s.title}</news:title><news:keywords>water, drought</news:keywords></news:news></url>"
            for s in self.stories if s.via == "newsmap")
        (root / "sitemap-news.xml.gz").write_bytes(gzip.compress(
            ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + news + "</urlset>").encode()))
        rss = "".join(f"<item><title>{s.title}</title><link>{b}{s.path}</link>"
                      f"<pubDate>{_rfc822(s.day)}</pubDate></item>" for s in self.stories if s.via == "feed")
        (root / "rss.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>'
                                      f"<link>/</link>{rss}</channel></rss>")
        atom = "".join(f'<entry><title>{s.title}</title><link href="{b}{s.path}"/><id>{s.slug}</id>'
                       f"<updated>{s.day}T09:00:00Z</updated></entry>" for s in self.stories if s.via == "atom")
        (root / "atom.xml").write_text(f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
                                       f"<title>G</title><id>g</id><updated>2024-01-01T00:00:00Z</updated>{atom}</feed>")
        (root / "feed.json").write_text(json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "G",
            "items": [{"id": s.slug, "url": b + s.path, "title": s.title, "date_published": f"{s.day}T10:00:00+00:00"}
                      for s in self.stories if s.via == "json"]}))
        private = Story("private-memo", "Private memo", "2024-03-01", "sitemap")
        self._page("/private/memo/", "<html><body><h1>Private</h1></body></html>")
        del private

    def _page(self, path: str, html: str) -> None:
        target = self.root / path.lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html)


def _prose(seed: str) -> str:
    return "".join(f"<p>{p}</p>" for p in distinct_paragraphs(seed))


def _rfc822(day: str) -> str:
    from email.utils import format_datetime
    from datetime import datetime, timezone
    return format_datetime(datetime.fromisoformat(day).replace(hour=7, tzinfo=timezone.utc))


def make_site(root: Path, serve) -> tuple[DiscoverySite, object]:
    root.mkdir(parents=True)
    served = serve(root)
    site = DiscoverySite(root, base=served.base_url)
    vias = ["section"] * 7 + ["sitemap"] * 3 + ["newsmap"] * 2 + ["feed"] * 2 + ["atom", "json"]
    for n, via in enumerate(vias):
        site.add(Story(f"story-{n}-{via}", f"Reservoir report {n} ({via})", f"2024-03-{n + 1:02d}", via))
    site.write()
    return site, served


def article_fetches(served, site: DiscoverySite) -> dict[str, int]:
    return {s.path: served.count(s.path) for s in site.stories}


def test_every_story_is_found_through_the_path_that_lists_it(serve, crawl, tmp_path) -> None:
    site, served = make_site(tmp_path / "site", serve)
    result = crawl("-a", f"start_url={served.base_url}")
    assert result.returncode == 0, result.log[-3000:]
    base = served.base_url.rstrip("/")
    got = {item["url"].removeprefix(base): item for item in result.items}
    assert set(got) == {s.path for s in site.stories}
    assert served.count("/private/memo/") == 0
    for story in site.stories:
        item = got[story.path]
        expected_via = {"section": {"section", "pagination"}, "sitemap": {"sitemap"}, "newsmap": {"sitemap"},
                        "feed": {"feed"}, "atom": {"feed"}, "json": {"feed"}}[story.via]
        assert item["discovered_via"] in expected_via, (story, item["discovered_via"])
        if story.via in {"sitemap", "newsmap", "feed", "atom", "json"}:
            assert item["lastmod"], story
    newsmap = [got[s.path] for s in site.stories if s.via == "newsmap"]
    assert all(item["tags"] == ["water", "drought"] for item in newsmap)
    assert result.stats["newscrawler/sitemap/fetched"] == 3  # the index and its two sitemaps, one gzipped
    assert result.stats["newscrawler/feed/fetched"] == 3


def test_a_second_run_fetches_only_what_is_new_or_changed(serve, crawl, tmp_path) -> None:
    site, served = make_site(tmp_path / "site", serve)
    store = {"NEWSCRAWLER_SQLITE_PATH": str(tmp_path / "news.db")}
    first = crawl("-a", f"start_url={served.base_url}", settings=store)
    assert first.returncode == 0 and len(first.items) == len(site.stories)
    assert all(n == 1 for n in article_fetches(served, site).values())

    second = crawl("-a", f"start_url={served.base_url}", settings=store)
    assert second.returncode == 0
    assert second.items == []
    assert all(n == 1 for n in article_fetches(served, site).values()), "an unchanged site's article was fetched again"
    assert second.stats.get("newscrawler/incremental/pagination_stopped", 0) >= 1
    assert served.count("/local/page/3/") == 1, "old pagination was walked again"

    new = [site.add(Story(f"fresh-{n}-{via}", f"Fresh report {n} ({via})", f"2024-04-{n + 1:02d}", via))
           for n, via in enumerate(["section", "section", "sitemap", "newsmap", "feed"])]
    changed = next(s for s in site.stories if s.via == "sitemap")
    # Evidence of a change: a lastmod later than the stored copy's fetch (it has no modified_at).
    changed.lastmod = datetime.now(timezone.utc).isoformat(timespec="seconds")
    site.write()
    third = crawl("-a", f"start_url={served.base_url}", settings=store)
    assert third.returncode == 0, third.log[-3000:]
    fetched_again = {p for p, n in article_fetches(served, site).items() if n > 1}
    assert fetched_again == {changed.path}
    assert all(served.count(s.path) == 1 for s in new)
    base = served.base_url.rstrip("/")
    emitted = {item["url"].removeprefix(base) for item in third.items}
    assert {s.path for s in new} <= emitted


def test_refresh_fetches_stored_articles_again(serve, crawl, tmp_path) -> None:
    site, served = make_site(tmp_path / "site", serve)
    store = {"NEWSCRAWLER_SQLITE_PATH": str(tmp_path / "news.db")}
    crawl("-a", f"start_url={served.base_url}", settings=store)
    crawl("-a", f"start_url={served.base_url}", "-a", "refresh=1", settings=store)
    assert all(n == 2 for n in article_fetches(served, site).values())


def test_the_date_window_applies_before_and_after_fetching(serve, crawl, tmp_path) -> None:
    site, served = make_site(tmp_path / "site", serve)
    result = crawl("-a", f"start_url={served.base_url}", "-a", "since=2024-03-05", "-a", "until=2024-03-12")
    assert result.returncode == 0, result.log[-3000:]
    inside = {s.path for s in site.stories if "2024-03-05" <= s.day <= "2024-03-12"}
    base = served.base_url.rstrip("/")
    assert {item["url"].removeprefix(base) for item in result.items} == inside
    outside = [s for s in site.stories if s.path not in inside]
    # Dated URLs, sitemap and feed dates keep stories outside the window from being fetched at all.
    assert all(served.count(s.path) == 0 for s in outside)


def test_a_crawl_killed_with_sigkill_resumes_with_nothing_lost_or_doubled(serve, tmp_path) -> None:
    site, served = make_site(tmp_path / "site", serve)
    for n in range(40):
        site.add(Story(f"extra-{n}", f"Extra report {n}", f"2024-02-{n % 28 + 1:02d}", "section"))
    site.write()
    served.delay = 0.2
    db = tmp_path / "news.db"
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={served.base_url}",
            "-s", f"JOBDIR={tmp_path / 'job'}", "-s", f"NEWSCRAWLER_SQLITE_PATH={db}",
            "-s", "CONCURRENT_REQUESTS=2", "-s", f"NEWSCRAWLER_REPORT_DIR={tmp_path / 'reports'}",
            "-s", f"LOG_FILE={tmp_path / 'crawl.log'}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    proc = subprocess.Popen(args, cwd=tmp_path, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _stored(db) < 10:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored_before = _stored(db)
    assert 0 < stored_before < len(site.stories), "the crawl was not interrupted mid-way"

    served.delay = 0
    resumed = subprocess.run(args, cwd=tmp_path, env=env, timeout=180)
    assert resumed.returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT url FROM articles").fetchall()
    base = served.base_url.rstrip("/")
    paths = [url.removeprefix(base) for (url,) in rows]
    assert len(paths) == len(set(paths))
    assert set(paths) == {s.path for s in site.stories}
    assert "resuming an unfinished run" in (tmp_path / "crawl.log").read_text()


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0
