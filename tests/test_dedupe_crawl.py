"""Real crawls of a small local site where stories hide under many URLs and copies.

Tracking parameters, an AMP variant, a fragment, the same story in two sections, an exact
copy and a reworded syndicated copy with its own headline: each story must come out once.
Then a second crawl after some stories changed emits exactly the new and the changed ones.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_dedupe_fingerprints import edit, prose

SECTIONS = {
    "world": [
        "/news/flood.html?utm_source=world&utm_medium=web",
        "/news/fire.amp.html",
        "/news/budget.html#comments",
        "/news/strike.html",
    ],
    "politics": ["/politics/flood.html", "/news/budget.html?fbclid=abc123", "/news/strike/amp/"],
    "wire": ["/wire/flood-syndicated.html", "/wire/fire-copy.html"],
}
HEADLINES = {
    "flood": "River floods the old town",
    "fire": "Warehouse fire closes the port road",
    "budget": "Council passes a smaller budget",
    "strike": "Bus drivers vote to strike",
    "rescue": "Climbers rescued from the ridge",
}


def article_page(path: str, headline: str, body: str, *, canonical: str | None = None,
                 modified: str = "2024-06-03T09:00:00+00:00") -> tuple[str, str]:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "datePublished": "2024-06-03T08:00:00+00:00", "dateModified": modified,
        "author": {"@type": "Person", "name": "Ana Ruiz"},
    }
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return path, f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | Valley Post</title>{link}
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-06-03T08:00:00+00:00">
<script type="application/ld+json">{json.dumps(data)}</script></head>
<body><article><h1>{headline}</h1><div class="article-body">{paragraphs}</div></article></body></html>"""


def story_body(seed: int) -> str:
    text = prose(seed, words=260).split(". ")
    return "\n\n".join(". ".join(text[i:i + 4]) + "." for i in range(0, len(text), 4))


def listing(title: str, links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">{title} story {n}</a></li>' for n, href in enumerate(links))
    nav = "".join(f'<a href="/{s}/">{s.title()}</a> ' for s in SECTIONS)
    return f"<!doctype html><html><head><title>{title}</title></head><body><nav>{nav}</nav><ul>{items}</ul></body></html>"


def build_site(root: Path, *, changed: bool = False) -> None:
    """The Valley Post; ``changed``: the budget story was revised and a rescue story added."""
    bodies = {slug: story_body(seed) for seed, slug in enumerate(HEADLINES, start=100)}
    sections = {name: list(links) for name, links in SECTIONS.items()}
    modified = {}
    if changed:
        bodies["budget"] += "\n\nThe vote was later confirmed by the regional auditor, who found no errors."
        modified["budget"] = "2024-06-04T15:30:00+00:00"
        sections["world"].append("/news/rescue.html?utm_campaign=alert")
    pages = [article_page(f"/news/{slug}.html", HEADLINES[slug], bodies[slug], canonical=f"/news/{slug}.html",
                          **({"modified": modified[slug]} if slug in modified else {}))
             for slug in HEADLINES if slug != "rescue" or changed]
    pages += [
        # AMP files exist, but canonical URLs never lead the crawler to them
        article_page("/news/fire.amp.html", HEADLINES["fire"], bodies["fire"], canonical="/news/fire.html"),
        article_page("/news/strike/amp/index.html", HEADLINES["strike"], bodies["strike"], canonical="/news/strike.html"),
        # the same story filed under a second section, naming its canonical URL
        article_page("/politics/flood.html", HEADLINES["flood"], bodies["flood"], canonical="/news/flood.html"),
        # a syndicated copy: new headline, a share of the words reworded, no canonical link
        article_page("/wire/flood-syndicated.html", "Old town under water as river bursts its banks",
                     edit(bodies["flood"], 0.06, seed=9)),
        # a partner's verbatim copy under its own headline
        article_page("/wire/fire-copy.html", "Port road shut by warehouse blaze", bodies["fire"]),
    ]
    for path, html in pages:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html)
    for name, links in sections.items():
        (root / name).mkdir(exist_ok=True)
        (root / name / "index.html").write_text(listing(name.title(), links))
    (root / "index.html").write_text(listing("Valley Post", sections["world"][:1]))


def fetches(site, prefix: str) -> int:
    with site.lock:
        return sum(n for path, n in site.requests.items() if path.startswith(prefix))


@pytest.fixture
def valley_post(tmp_path: Path, serve):
    root = tmp_path / "site"
    root.mkdir()
    build_site(root)
    return root, serve(root)


# Every URL a story can be fetched under. Whichever copy of a story the crawl meets first is
# the one emitted (the others become its aliases), so tests accept any of them.
STORY_OF = {
    "/news/flood.html": "flood", "/politics/flood.html": "flood", "/wire/flood-syndicated.html": "flood",
    "/news/fire.html": "fire", "/wire/fire-copy.html": "fire",
    "/news/budget.html": "budget", "/news/strike.html": "strike", "/news/rescue.html": "rescue",
}


def test_each_story_comes_out_once(valley_post, crawl) -> None:
    root, site = valley_post
    result = crawl("-a", f"start_url={site.base_url}")
    assert result.returncode == 0, result.log[-3000:]
    base = site.base_url.rstrip("/")
    got = sorted(STORY_OF[item["canonical_url"].removeprefix(base)] for item in result.items)
    assert got == ["budget", "fire", "flood", "strike"], result.log[-3000:]
    assert not any(item["is_update"] for item in result.items)
    # canonicalised before scheduling: one fetch per story page, none of the AMP files
    for slug in ("flood", "fire", "budget", "strike"):
        assert fetches(site, f"/news/{slug}.html") == 1, dict(site.requests)
    assert fetches(site, "/news/fire.amp.html") == 0
    assert fetches(site, "/news/strike/amp") == 0
    stats = result.stats
    assert stats.get("dedupe/new") == 4
    assert stats.get("dedupe/canonical") == 1
    assert stats.get("dedupe/exact") == 1
    assert stats.get("dedupe/near") == 1
    assert "WARNING: Dropped" not in result.log  # duplicates are normal weather: logged at DEBUG
    with sqlite3.connect(result.workdir / "news.db") as conn:
        aliases = conn.execute("SELECT url, canonical_url, kind FROM aliases").fetchall()
        stored = [row[0].removeprefix(base) for row in conn.execute("SELECT canonical_url FROM articles")]
    by_kind: dict[str, set[str]] = {}
    for url, canonical, kind in aliases:
        url, canonical = url.removeprefix(base), canonical.removeprefix(base)
        assert STORY_OF[url] == STORY_OF[canonical], (url, canonical)
        assert canonical in stored
        by_kind.setdefault(kind, set()).add(STORY_OF[url])
    assert by_kind == {"canonical": {"flood"}, "exact": {"fire"}, "near": {"flood"}}
    assert sorted(STORY_OF[url] for url in stored) == ["budget", "fire", "flood", "strike"]


def assert_only_new_and_changed(second, base_url: str) -> None:  # noqa: ANN001 - a CrawlResult
    """The second crawl of the Valley Post (after ``build_site(changed=True)``) emitted the
    revised budget story as an update, the rescue story as new, and nothing else."""
    assert second.returncode == 0, second.log[-3000:]
    base = base_url.rstrip("/")
    emitted = {STORY_OF[item["canonical_url"].removeprefix(base)]: item["is_update"] for item in second.items}
    assert emitted == {"budget": True, "rescue": False}
    stats = second.stats
    assert (stats.get("dedupe/update"), stats.get("dedupe/new"), stats.get("dedupe/unchanged")) == (1, 1, 3)
    # the copies are still recognised, from what the first run stored
    assert sum(stats.get(f"dedupe/{kind}", 0) for kind in ("url", "canonical", "exact", "near")) == 3


def test_second_crawl_emits_exactly_the_new_and_changed_stories(valley_post, crawl, tmp_path: Path) -> None:
    root, site = valley_post
    db = tmp_path / "shared.db"
    # every page is fetched again (not skipped as known), so dedupe alone decides what is new
    settings = {"NEWSCRAWLER_SQLITE_PATH": db, "NEWSCRAWLER_INCREMENTAL": False}
    first = crawl("-a", f"start_url={site.base_url}", settings=settings)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.items) == 4

    build_site(root, changed=True)
    second = crawl("-a", f"start_url={site.base_url}", settings=settings)
    assert_only_new_and_changed(second, site.base_url)

    with sqlite3.connect(db) as conn:
        body = conn.execute("SELECT body FROM articles WHERE canonical_url LIKE '%/news/budget.html'").fetchone()[0]
        count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert "regional auditor" in body
    assert count == 5


def test_a_redirect_to_a_variant_of_the_requested_url_is_followed(crawl) -> None:
    """The server answers the clean URL with a redirect to a tracking variant of itself (or a
    site redirects its bare host to www.): both canonicalise to the request's URL, yet the
    redirected request must not be dropped as a duplicate of the one that caused it."""
    from tests.hostile_server import Route, serve_site

    _, html = article_page("/news/storm.html", "Storm cuts power to the valley", story_body(300))
    routes = {
        "/": Route(listing("Valley Post", ["/news/storm.html?utm_source=home"]).encode()),
        "/news/storm.html": Route(fault="redirect:/news/storm.html?ref=moved"),
        "/news/storm.html?ref=moved": Route(html.encode()),
    }
    with serve_site(routes) as site:
        result = crawl("-a", f"start_url={site.base_url}")
        assert result.returncode == 0, result.log[-3000:]
        assert site.count("/news/storm.html") == 1
        assert site.count("/news/storm.html?ref=moved") == 1
    assert [item["title"] for item in result.items] == ["Storm cuts power to the valley"]
