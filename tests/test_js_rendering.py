"""JavaScript pages: real crawls through Debian's Chromium (scrapy-playwright) of a local site
whose section lists and article text only exist once its scripts have run.

A plain crawl finds none of those articles; a rendered one finds every one, and a profile
that limits rendering to URL patterns sends only those pages through the browser. Pages
are fetched by Scrapy first and rendered from memory, so the hostile-network guards hold
for rendered pages as well.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from newscrawler.rendering.chromium import BrowserNotFoundError, find_chromium, launch_options
from tests.conftest import run_crawl
from tests.hostile_server import (
    SCRIPTED_ARTICLE, Route, build_scripted_site, listing_html, page, serve_hostile_site, serve_site, write_stories,
)

def _chromium_or_skip() -> str:
    try:
        return find_chromium(os.environ.get("NEWSCRAWLER_CHROMIUM_PATH"))
    except BrowserNotFoundError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI=true: {exc}")
        pytest.skip(str(exc))


def _paths(result, site) -> dict[str, dict]:
    return {item["url"].removeprefix(site.base_url.rstrip("/")): item for item in result.items}


@pytest.mark.chromium
def test_plain_crawl_finds_nothing_and_rendered_crawl_finds_every_article(tmp_path, serve, crawl):
    _chromium_or_skip()
    live, _ = build_scripted_site(tmp_path / "site", scripted=4)
    site = serve(tmp_path / "site")

    plain = crawl("-a", f"start_url={site.url('/')}")
    assert plain.returncode == 0, plain.log[-3000:]
    assert plain.items == []
    assert site.count("/live/") == 0  # the menu link does not exist without JavaScript
    assert "playwright" not in plain.log.lower().replace("scrapy-playwright", "")

    rendered = crawl("-a", f"start_url={site.url('/')}", "-a", "render_js=1")
    assert rendered.returncode == 0, rendered.log[-3000:]
    found = _paths(rendered, site)
    assert set(found) == set(live)
    for path, title in live.items():
        assert found[path]["title"] == title
        assert found[path]["word_count"] > 60
    # Home, section and four articles went through the browser; robots.txt did not.
    assert rendered.stats.get("newscrawler/js/rendered") == 2 + len(live)
    # Each page was fetched from the server once: the browser was given that copy.
    assert {path: site.count(path) for path in live} == {path: 1 for path in live}
    assert rendered.stats.get("playwright/page_count/closed") == rendered.stats.get("playwright/page_count")


@pytest.mark.chromium
def test_profile_patterns_render_only_the_javascript_section(tmp_path, serve, crawl):
    _chromium_or_skip()
    live, news = build_scripted_site(tmp_path / "site", scripted=3, plain=3)
    site = serve(tmp_path / "site")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "nightdesk.toml").write_text(
        f'name = "nightdesk"\nstart_urls = ["{site.url("/news/")}", "{site.url("/live/")}"]\n'
        'render_js = ["/live/"]\n', encoding="utf-8")
    result = crawl("-a", "site=nightdesk", settings={"NEWSCRAWLER_PROFILE_DIRS": str(profiles)})
    assert result.returncode == 0, result.log[-3000:]
    found = _paths(result, site)
    assert set(found) == set(live) | set(news)
    for path, title in {**live, **news}.items():
        assert found[path]["title"] == title
    # The /live/ listing and its three stories, nothing else.
    assert result.stats.get("newscrawler/js/rendered") == 1 + len(live)


@pytest.mark.chromium
def test_auto_mode_renders_only_the_pages_built_by_script(tmp_path, serve, crawl):
    _chromium_or_skip()
    live, news = build_scripted_site(tmp_path / "site", scripted=3, plain=3)
    site = serve(tmp_path / "site")
    result = crawl("-a", f"start_url={site.url('/')}", "-a", "render_js=auto")
    assert result.returncode == 0, result.log[-3000:]
    found = _paths(result, site)
    assert set(found) == set(live) | set(news)
    for path, title in {**live, **news}.items():
        assert found[path]["title"] == title
    # Each kind of page is sampled once. The home page (its menu is a script's), the /live/
    # listing and its stories showed more once rendered and keep being rendered; the plain
    # /news/ listing and stories carry their text: after one sample each, plain HTTP.
    kinds = {kind: verdict["rendered"] for kind, verdict in result.report["render_js_auto"].items()}
    assert kinds == {"/": True, "/live/": True, "/live/*": True, "/news/": False, "/news/*": False}
    assert result.stats.get("newscrawler/js/rendered") == 2 + len(live) + 2


@pytest.mark.chromium
def test_rendered_crawl_of_the_hostile_site_keeps_every_guard(tmp_path):
    """Through the browser too: retries, no off-site or looping redirects, failures by reason."""
    _chromium_or_skip()
    with serve_hostile_site() as (site, decoy, expected, lost):
        result = run_crawl(tmp_path / "crawl", "-a", f"start_url={site.url('/')}", "-a", "render_js=1",
                           settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 3, "NEWSCRAWLER_RETRY_AFTER_MAX": 2},
                           timeout=300)
        assert decoy.total() == 0
        assert site.count("/loop/a.html") == 1 and site.count("/loop/b.html") == 1
    assert result.returncode == 0, result.log[-3000:]
    stored = Counter(item["url"].removeprefix(site.base_url.rstrip("/")) for item in result.items)
    assert {url: n for url, n in stored.items() if n > 1} == {}
    assert set(expected) <= set(stored) and not (lost & set(stored))
    for reason in ("http_500", "http_503", "timeout", "data_loss", "truncated_body", "too_large", "redirect_loop"):
        assert result.stats.get(f"newscrawler/failed/{reason}") == 1, reason
    assert result.stats.get("newscrawler/js/rendered", 0) >= len(expected) - 1


@pytest.mark.chromium
def test_render_time_is_its_own_limit_and_a_render_past_it_falls_back_with_one_warning(tmp_path):
    """DOWNLOAD_TIMEOUT bounds the server, NEWSCRAWLER_JS_TIMEOUT the browser.

    Three script-built stories whose text arrives from the server at once, after 2 s (slower
    than the 1 s network timeout, well within the render timeout) and after 12 s (past it).
    """
    _chromium_or_skip()
    delays = {"quick": None, "slow": "slow:2", "stuck": "slow:12"}
    stories = dict(zip(delays, write_stories(3, seed=5)))
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain")}
    for name, story in stories.items():
        routes[f"/live/{name}.html"] = page(SCRIPTED_ARTICLE.format(data=f"/live/{name}.json"))
        data = {"title": story.title, "author": ", ".join(story.authors), "published": story.published.isoformat(),
                "paragraphs": story.text_blocks()}
        routes[f"/live/{name}.json"] = page(json.dumps(data), content_type="application/json", fault=delays[name])
    routes["/"] = page(listing_html("Night Desk", [(f"/live/{name}.html", name) for name in stories]))
    with serve_site(routes) as site:
        result = run_crawl(tmp_path / "crawl", "-a", f"start_url={site.url('/')}", "-a", "render_js=auto",
                           settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1, "NEWSCRAWLER_JS_TIMEOUT": 5},
                           timeout=120)
        assert site.count("/live/stuck.json") == 2  # rendered, timed out, retried once
    assert result.returncode == 0, result.log[-3000:]
    found = _paths(result, site)
    for name in ("quick", "slow"):
        assert found[f"/live/{name}.html"]["title"] == stories[name].title
    assert "/live/stuck.html" not in found  # the shell as fetched has no story to give
    stats = result.stats
    assert stats.get("newscrawler/js/render_failed/timeout") == 1
    assert sum(v for k, v in stats.items() if k.startswith("newscrawler/js/render_failed/")) == 1
    # One warning line names the page; no traceback, no second line from scrapy-playwright or Scrapy's retry.
    assert "Traceback" not in result.log, result.log[-3000:]
    loud = [line for line in result.log.splitlines()
            if "/live/stuck.html" in line and (" WARNING: " in line or " ERROR: " in line)]
    assert len(loud) == 1 and "Could not render" in loud[0] and "timeout" in loud[0], loud


def test_render_timeout_setting_is_independent_of_download_timeout():
    from scrapy.settings import Settings

    from newscrawler.addons.javascript import JavaScriptAddon

    def navigation_timeout(**values) -> float:
        settings = Settings({"DOWNLOAD_TIMEOUT": 1, "CONCURRENT_REQUESTS": 16, **values})
        JavaScriptAddon("/usr/bin/chromium", None).update_settings(settings)  # type: ignore[arg-type]
        return settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT")

    assert navigation_timeout() == 30_000
    assert navigation_timeout(NEWSCRAWLER_JS_TIMEOUT=2.5) == 2_500


def test_missing_chromium_stops_the_crawl_with_a_clear_error(tmp_path, serve, crawl):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body>hi</body></html>")
    site = serve(tmp_path / "site")
    result = crawl("-a", f"start_url={site.url('/')}", "-a", "render_js=1",
                   settings={"NEWSCRAWLER_CHROMIUM_PATH": str(tmp_path / "no-such-chromium")})
    assert result.returncode == 1
    assert "Traceback" not in result.log, result.log[-3000:]
    assert "NEWSCRAWLER_CHROMIUM_PATH" in result.log and "not an executable file" in result.log
    assert site.count("/") == 0


def test_find_chromium_prefers_the_setting_then_path(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "chromium-browser"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_chromium(str(fake)) == str(fake)
    monkeypatch.setenv("PATH", str(fake.parent))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BrowserNotFoundError, match="apt-get install chromium"):
        find_chromium()
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    with pytest.raises(BrowserNotFoundError, match="not an executable"):
        find_chromium(str(not_executable))


def test_launch_options_pass_the_executable_and_quiet_flags():
    options = launch_options("/usr/bin/chromium", {"slow_mo": 5})
    assert options["executable_path"] == "/usr/bin/chromium"
    assert {"--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"} <= set(options["args"])
    assert options["slow_mo"] == 5 and options["headless"] is True




def test_browser_skips_heavy_resources_offsite_frames_and_private_hosts_of_public_crawls():
    import asyncio
    from types import SimpleNamespace

    from newscrawler.rendering.chromium import BrowserRequestFilter
    from newscrawler.middlewares.addresses import AddressGuard

    async def dns(host: str) -> list[str]:
        return {"news.example": ["93.184.216.34"], "cdn.example": ["151.101.1.1"]}.get(host, [])

    def verdicts(start_url: str, block_private: bool = True) -> list[bool]:
        guard = AddressGuard([start_url], resolver=dns) if block_private else None
        request_filter = BrowserRequestFilter(guard, allowed_domains=["news.example", "127.0.0.1"])
        requests = [("document", "https://news.example/a"), ("image", "https://cdn.example/a.jpg"),
                    ("fetch", "https://cdn.example/data.json"), ("fetch", "http://169.254.169.254/latest/"),
                    ("xhr", "http://localhost:6379/"), ("document", "https://ads.example/frame.html")]

        async def run() -> list[bool]:
            return [await request_filter(SimpleNamespace(resource_type=kind, url=url)) for kind, url in requests]

        return asyncio.run(run())

    assert verdicts("https://news.example/") == [False, True, False, True, True, True]
    assert verdicts("http://127.0.0.1:8000/") == [False, True, False, False, False, True]
    assert verdicts("https://news.example/", block_private=False) == [False, True, False, False, False, True]
