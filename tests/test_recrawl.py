"""Scheduled re-crawls, for real: a second run costs the site's changes, not its size.

Each test serves tests/recrawl_site.py (validators, 304s, a request log) on 127.0.0.1 and
runs `scrapy crawl news` against it more than once with the same store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.recrawl_site import RecrawlSite, serve_recrawl_site


@pytest.fixture
def store(tmp_path: Path) -> dict[str, str]:
    return {"NEWSCRAWLER_SQLITE_PATH": str(tmp_path / "news.db")}


def test_an_unchanged_site_costs_no_story_fetch_and_a_changed_one_only_its_changes(crawl, store) -> None:
    site = RecrawlSite.build(60, calendar=True)
    with serve_recrawl_site(site) as served:
        first = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.items) == 60
        assert set(served.story_fetches().values()) == {1}
        # The endless calendar ends after a few empty pages; the archive of 2099 is never asked for.
        assert served.count("/archive/?") <= 6
        assert served.count("/archive/2099/") == 0
        assert first.stats.get("newscrawler/skipped/empty_pagination", 0) >= 1
        assert first.stats.get("newscrawler/skipped/future_date", 0) >= 1
        first_bytes = served.bytes_sent

        served.reset_log()
        second = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert second.returncode == 0, second.log[-3000:]
        assert second.items == []
        assert sum(served.story_fetches().values()) == 0, served.story_fetches()
        assert second.stats["newscrawler/incremental/known"] >= 60
        assert "newscrawler/incremental/changed" not in second.stats
        # Sections, sitemaps and the feed answered 304 and were read from the kept copies.
        assert second.stats["newscrawler/conditional/not_modified"] >= 5
        assert second.stats["newscrawler/conditional/bytes_saved"] > 0
        assert served.bytes_sent < 0.1 * first_bytes, (served.bytes_sent, first_bytes)

        changed = site.stories[:5]
        site.change(changed)
        new = site.add(5)
        served.reset_log()
        third = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert third.returncode == 0, third.log[-3000:]
        fetched = set(served.story_fetches())
        assert fetched == {s.path for s in changed + new}
        base = served.base_url.rstrip("/")
        updates = {i["url"].removeprefix(base) for i in third.items if i["is_update"]}
        fresh = {i["url"].removeprefix(base) for i in third.items if not i["is_update"]}
        assert updates == {s.path for s in changed}
        assert fresh == {s.path for s in new}
        assert third.stats["newscrawler/incremental/changed"] == 5


def test_refresh_asks_for_stories_conditionally(crawl, store) -> None:
    site = RecrawlSite.build(12)
    with serve_recrawl_site(site) as served:
        crawl("-a", f"start_url={served.base_url}", settings=store)
        site.change(site.stories[:2])
        served.reset_log()
        again = crawl("-a", f"start_url={served.base_url}", "-a", "refresh=1", settings=store)
        assert again.returncode == 0, again.log[-3000:]
        assert set(served.story_fetches().values()) == {1}  # every story asked for again ...
        assert again.stats["newscrawler/conditional/story_not_modified"] == 10  # ... 10 answered 304
        assert again.stats["newscrawler/incremental/refreshed"] >= 12
        assert sorted(i["is_update"] for i in again.items) == [True, True]


def test_a_site_that_stamps_every_lastmod_with_now_is_found_out(crawl, store) -> None:
    site = RecrawlSite.build(24, lastmod_now=True)
    with serve_recrawl_site(site) as served:
        first = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert first.returncode == 0 and len(first.items) == 24
        served.reset_log()
        second = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert second.returncode == 0, second.log[-3000:]
        # Its lastmods said "changed"; every story came back unchanged: the site is marked once.
        assert second.items == []
        assert second.stats["newscrawler/incremental/untrusted_lastmod_sites"] == 1
        served.reset_log()
        third = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert third.returncode == 0
        assert sum(served.story_fetches().values()) == 0
        assert third.stats["newscrawler/incremental/untrusted_lastmod"] >= 20
        assert "newscrawler/incremental/untrusted_lastmod_sites" not in third.stats


def test_validators_that_lie_cost_fetches_but_never_stories(crawl, store) -> None:
    site = RecrawlSite.build(30, etag_every_request=True, bogus_304=frozenset({"/feed.xml"}))
    with serve_recrawl_site(site) as served:
        first = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.items) == 30  # the feed's 304 is no page; the sections list every story
        assert first.stats["newscrawler/conditional/unexpected_304"] == 1
        served.reset_log()
        second = crawl("-a", f"start_url={served.base_url}", settings=store)
        assert second.returncode == 0, second.log[-3000:]
        assert sum(served.story_fetches().values()) == 0
        assert "newscrawler/conditional/not_modified" not in second.stats  # a new ETag every time: no 304
        assert "Traceback" not in second.log


@pytest.mark.chromium
def test_render_js_auto_renders_the_kinds_where_the_browser_reveals_stories(crawl, store) -> None:
    from tests.test_js_rendering import _chromium_or_skip

    _chromium_or_skip()
    site = RecrawlSite.build(60, calendar=True, scripted=4)
    with serve_recrawl_site(site) as served:
        result = crawl("-a", f"start_url={served.base_url}", "-a", "render_js=auto", settings=store)
        assert result.returncode == 0, result.log[-3000:]
        base = served.base_url.rstrip("/")
        found = {item["url"].removeprefix(base) for item in result.items}
        assert site.scripted_paths() <= found  # both script-built sections, inline data and fetch()
        assert len(found) == 60 + len(site.scripted_paths())
        assert served.count("/archive/?") <= 6
        kinds = result.report["render_js_auto"]
        assert kinds["/live/"]["rendered"] and kinds["/wire/"]["rendered"]
        assert not kinds["/archive/?day"]["rendered"]
        assert not kinds["/world/"]["rendered"]
        # Samples of each kind, the two sections, and nothing else: a small share of the other pages.
        other_pages = sum(result.stats.get(f"newscrawler/fetched/{role}", 0) for role in ("entry", "listing", "story"))
        rendered = result.stats["newscrawler/js/rendered"]
        assert rendered <= 0.1 * other_pages + 2 * len(kinds), (rendered, other_pages, kinds)
