"""End to end: crawl the bundled demo site as a user would and check every article."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.demo.generate import build_demo_site


@pytest.fixture(scope="module")
def demo_crawl(tmp_path_factory):
    from tests.conftest import run_crawl
    from newscrawler.demo.server import serve_directory

    root = tmp_path_factory.mktemp("demo-site")
    manifest = build_demo_site(root)
    with serve_directory(root) as site:
        result = run_crawl(tmp_path_factory.mktemp("demo-crawl"), "-a", f"start_url={site.base_url}")
        # Every check below reads the items: a crawl that emitted nothing must not pass them.
        assert result.returncode == 0, result.log[-3000:]
        assert result.items, "the demo crawl emitted no article:\n" + result.log[-3000:]
        yield manifest, site, result


def test_every_demo_article_comes_out_once(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    assert result.returncode == 0, result.log[-3000:]
    base = site.base_url.rstrip("/")
    got = [item["url"].removeprefix(base) for item in result.items]
    assert len(got) == len(set(got)), "an article came out twice"
    expected = {a.url_path for a in manifest.articles}
    assert set(got) == expected, f"missing {sorted(expected - set(got))}, extra {sorted(set(got) - expected)}"
    assert len(manifest.articles) >= 60


def test_no_page_is_fetched_twice_and_no_non_article_comes_out(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    assert all(n == 1 for n in site.requests.values()), {p: n for p, n in site.requests.items() if n > 1}
    base = site.base_url.rstrip("/")
    emitted = {item["url"].removeprefix(base) for item in result.items}
    assert not emitted & set(manifest.non_articles)


def test_titles_dates_and_sections_are_right(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    base = site.base_url.rstrip("/")
    by_path = {item["url"].removeprefix(base): item for item in result.items}
    wrong = []
    for expected in manifest.articles:
        item = by_path[expected.url_path]
        for name, want, got in [
            ("title", expected.title, item["title"]),
            ("published date", expected.published_at[:10], (item["published_at"] or "")[:10]),
            ("section", expected.section, item["section"]),
        ]:
            if want != got:
                wrong.append(f"{expected.url_path} {name}: want {want!r}, got {got!r} ({expected.metadata})")
    assert not wrong, "\n".join(wrong)


def test_offsets_are_kept_where_the_page_gives_a_time(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    base = site.base_url.rstrip("/")
    by_path = {item["url"].removeprefix(base): item for item in result.items}
    for expected in manifest.articles:
        if expected.metadata in {"jsonld", "og"}:
            assert by_path[expected.url_path]["published_at"] == expected.published_at


def test_boilerplate_and_caption_dates_stay_out(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    for item in result.items:
        body = item["body"]
        for junk in ("Click to comment", "Leave a Reply", "Your email address will not be published",
                     "You May Also Like", "Connect with us", "what are you looking for"):
            assert junk not in body, f"{item['url']}: {junk!r} leaked into the body"
        assert not (item["published_at"] or "").startswith("2022-01-21"), "a caption date became the publication date"


def test_the_summary_is_written(demo_crawl) -> None:
    manifest, site, result = demo_crawl
    assert result.report["articles_written"] == len(manifest.articles)
    assert result.report["pages_fetched"] >= len(manifest.articles)


def test_the_readme_demo_command_writes_output_articles_jsonl(tmp_path: Path) -> None:
    """`scrapy demo` run from a fresh folder: serves the demo itself and writes output/articles.jsonl."""
    proc = subprocess.run([sys.executable, "-m", "scrapy", "demo", "-s", "LOG_LEVEL=WARNING"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = (tmp_path / "output" / "articles.jsonl").read_text().splitlines()
    assert len(lines) == len(build_demo_site(tmp_path / "again").articles)
    assert "articles written: " in proc.stdout
    assert "output/articles.jsonl" in proc.stdout
