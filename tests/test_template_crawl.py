"""Real crawls of a site whose every story carries furniture in its body: learned, dropped, remembered.

The first crawl learns the reading-time label and the newsletter box after enough pages; every
stored body (SQLite, text and HTML) ends up without them, early articles included, and every
line of story text is kept. A second crawl with the same store starts knowing the template:
its new stories come out clean in the feed from the first one.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import CrawlResult, run_crawl
from tests.template_site import (
    BACKGROUND,
    BACKGROUND_STORIES,
    COPIED_STORY,
    NEWSLETTER,
    QUOTE,
    QUOTE_STORY,
    build_template_site,
)

READING_TIME = re.compile(r"\bDesk note \d+: checked by the Lakeside night desk\b")


def has_furniture(text: str | None) -> bool:
    text = text or ""
    return NEWSLETTER in text.replace("’", "'") or bool(READING_TIME.search(text))


def stored(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {row["canonical_url"]: dict(row) for row in
                conn.execute("SELECT canonical_url, body, body_html, lede, word_count FROM articles")}


def check_story_text_is_whole(rows: dict[str, dict], base: str, stories: dict[str, list[str]]) -> None:
    """Every story's own paragraphs, in order, in its stored body and body HTML."""
    copied = f"/news/story-{COPIED_STORY}.html"
    for url, paragraphs in stories.items():
        row = rows.get(base + url)
        if row is None and url == copied:  # a wire copy came first: the story is stored under it
            row = next(r for u, r in rows.items() if "/wire/copy-" in u)
        assert row is not None, f"{url} not stored"
        assert row["body"].split("\n\n") == paragraphs, url
        html_paragraphs = [" ".join(p.text_content().split()) for p in lxml.html.fromstring(row["body_html"]).iter("p")]
        assert html_paragraphs == paragraphs, url
        assert row["lede"] == paragraphs[0]
        assert row["word_count"] == len(re.findall(r"\w+", "\n\n".join(paragraphs)))


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory):
    from newscrawler.demo.server import serve_directory

    root = tmp_path_factory.mktemp("lakeside")
    built = build_template_site(root)
    workdir = tmp_path_factory.mktemp("template-crawl")
    with serve_directory(root) as site:
        result = run_crawl(workdir / "first", "-a", f"start_url={site.base_url}",
                           settings={"NEWSCRAWLER_SQLITE_PATH": workdir / "news.db"})
        yield root, site, built, result, workdir / "news.db"


def test_each_story_comes_out_once_and_copies_are_duplicates(first_crawl) -> None:
    _, site, built, result, _ = first_crawl
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == len(built.stories), sorted(item["url"] for item in result.items)
    assert result.stats.get("dedupe/exact", 0) + result.stats.get("dedupe/near", 0) == len(built.copies)


def test_the_furniture_is_learned_and_left_out_of_every_stored_body(first_crawl) -> None:
    _, site, built, result, db = first_crawl
    rows = stored(db)
    assert len(rows) == len(built.stories)
    for url, row in rows.items():
        assert not has_furniture(row["body"]), url
        assert not has_furniture(row["body_html"]), url
    check_story_text_is_whole(rows, site.base_url.rstrip("/"), built.stories)


def test_feed_items_after_the_first_pages_come_out_clean(first_crawl) -> None:
    """The feed cannot be rewritten: only the articles emitted before the lines were learned
    (at the 20th page, plus the few already past this pipeline then) carry them."""
    _, _, built, result, _ = first_crawl
    with_furniture = [item["url"] for item in result.items if has_furniture(item["body"])]
    assert 20 <= len(with_furniture) <= 28, with_furniture
    clean = [item for item in result.items if not has_furniture(item["body"])]
    assert all(not has_furniture(item["body_html"]) and not has_furniture(item["lede"]) for item in clean)


def test_genuine_story_text_is_kept(first_crawl) -> None:
    """A paragraph three stories share, and a story quoting the newsletter line in its own sentence."""
    _, site, _, result, db = first_crawl
    rows = stored(db)
    base = site.base_url.rstrip("/")
    for number in BACKGROUND_STORIES:
        assert BACKGROUND in rows[f"{base}/news/story-{number}.html"]["body"]
    assert QUOTE in rows[f"{base}/news/story-{QUOTE_STORY}.html"]["body"]
    learned = {entry["line"] for entry in result.report["template"]["dropped"]}
    assert not any(BACKGROUND in line or QUOTE in line for line in learned)


def test_the_report_lists_the_lines_dropped_and_how_often(first_crawl) -> None:
    _, site, built, result, db = first_crawl
    section = result.report["template"]
    host = re.sub(r"^https?://", "", site.base_url).split("/")[0].split(":")[0]
    assert section["sites"][host]["learned_this_run"] == 2
    dropped = {("newsletter" if "newsletter" in e["line"] else "reading time"): e for e in section["dropped"]}
    assert set(dropped) == {"newsletter", "reading time"}
    assert all(entry["learned"] == "this run" and entry["dropped"] > 0 for entry in dropped.values())
    assert sum(e["dropped"] for e in dropped.values()) == section["lines_dropped"] == result.stats[
        "newscrawler/template/lines_dropped"]
    feed_clean = sum(not has_furniture(item["body"]) for item in result.items)
    assert section["articles_stripped"] == feed_clean
    assert section["store_cleaned_at_close"] == [host]
    # cleaned after the report was written (the stores had to commit first): the log says so
    assert f"cleaned {len(built.stories) - feed_clean} stored articles" in result.log
    assert "furniture lines dropped" in result.log and "night desk" in result.log
    with sqlite3.connect(db) as conn:
        learned = conn.execute("SELECT sample, pages FROM template_lines WHERE learned = 1").fetchall()
        pages = conn.execute("SELECT pages FROM template_sites").fetchall()
    assert len(learned) == 2 and all(count == len(built.stories) for _, count in learned)
    assert pages == [(len(built.stories),)]  # each story counted once, whatever its copies


def test_a_second_run_starts_knowing_the_template(first_crawl) -> None:
    root, site, built, _, db = first_crawl
    more = build_template_site(root, stories=len(built.stories) + 5)
    new_urls = set(more.stories) - set(built.stories)
    result: CrawlResult = run_crawl(db.parent / "second", "-a", f"start_url={site.base_url}",
                                    settings={"NEWSCRAWLER_SQLITE_PATH": db})
    assert result.returncode == 0, result.log[-3000:]
    base = site.base_url.rstrip("/")
    assert {item["url"].removeprefix(base) for item in result.items} == new_urls
    for item in result.items:
        assert not has_furniture(item["body"]) and not has_furniture(item["body_html"]), item["url"]
        assert item["body"].split("\n\n") == more.stories[item["url"].removeprefix(base)]
    section = result.report["template"]
    assert {entry["learned"] for entry in section["dropped"]} == {"earlier run"}
    assert section["lines_dropped"] == 2 * len(new_urls)
    assert "furniture lines known from" in result.log
    check_story_text_is_whole(stored(db), base, more.stories)


def test_without_a_store_the_template_is_learned_for_the_run(first_crawl, tmp_path) -> None:
    _, site, _, _, _ = first_crawl
    result = run_crawl(tmp_path / "nostore", "-a", f"start_url={site.base_url}",
                       settings={"NEWSCRAWLER_SQLITE_PATH": ""})
    assert result.returncode == 0, result.log[-3000:]
    section = result.report["template"]
    assert {entry["learned"] for entry in section["dropped"]} == {"this run"}
    assert section["articles_stripped"] == sum(not has_furniture(item["body"]) for item in result.items) > 0
    assert section["store_cleaned_at_close"] == []
    assert "this run only (no store configured)" in result.log


def test_lines_learned_in_a_later_run_are_cleaned_from_the_rows_of_earlier_runs(tmp_path) -> None:
    """12 stories (too few to learn anything), then 18 more: the second run learns the lines and
    rewrites the first run's rows too."""
    from newscrawler.demo.server import serve_directory

    root = tmp_path / "site"
    first_site = build_template_site(root, stories=12)
    db = tmp_path / "news.db"
    with serve_directory(root) as site:
        first = run_crawl(tmp_path / "first", "-a", f"start_url={site.base_url}", settings={"NEWSCRAWLER_SQLITE_PATH": db})
        assert first.returncode == 0, first.log[-3000:]
        assert not first.report["template"]["dropped"]
        assert all(has_furniture(row["body"]) for row in stored(db).values())
        built = build_template_site(root, stories=30)
        second = run_crawl(tmp_path / "second", "-a", f"start_url={site.base_url}", settings={"NEWSCRAWLER_SQLITE_PATH": db})
    assert second.returncode == 0, second.log[-3000:]
    assert len(second.items) == len(built.stories) - len(first_site.stories)
    assert {entry["learned"] for entry in second.report["template"]["dropped"]} == {"this run"}
    rows = stored(db)
    assert not [url for url, row in rows.items() if has_furniture(row["body"]) or has_furniture(row["body_html"])]
    check_story_text_is_whole(rows, site.base_url.rstrip("/"), built.stories)
    emitted_with_furniture = sum(has_furniture(item["body"]) for item in second.items)
    assert f"cleaned {len(first_site.stories) + emitted_with_furniture} stored articles" in second.log
