"""A snapshot of the demo site replays like the original: pywb, Chromium, SSIM (real parts).

The demo site (theme CSS with @import, a web font, srcset and lazy-loaded images, a script)
is crawled with ``NEWSCRAWLER_ARCHIVE=snapshot`` into WARCs and a WACZ; pywb, started here on
a free port, serves the WACZ; Debian's Chromium photographs every stored article live and
replayed (frameless ``mp_``) at the same viewport. Each pair must look the same and the
replay must serve everything the live page loaded.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

import pytest

from newscrawler.demo.generate import build_demo_site
from tests.replay import PageCamera, compare_live_and_replay, find_wayback, pywb_collection, similarity
from tests.test_js_rendering import _chromium_or_skip

REPLAY_BASE = "http://localhost:8080/news/"
MIN_SSIM = 0.97


def _pywb_or_skip() -> None:
    try:
        find_wayback()
    except FileNotFoundError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"pywb is required under CI=true: {exc}")
        pytest.skip(str(exc))


@pytest.mark.chromium
def test_snapshot_of_the_demo_replays_like_the_live_site(tmp_path, serve, crawl) -> None:
    chromium = _chromium_or_skip()
    _pywb_or_skip()
    build_demo_site(tmp_path / "site")
    site = serve(tmp_path / "site")
    # The newest stories only, so the test photographs a handful of pages, not 66.
    result = crawl("-a", f"start_url={site.url('/')}", "-a", "since=2022-09-27", settings={
        "NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": "warc", "NEWSCRAWLER_REPLAY_URL": REPLAY_BASE,
        "NEWSCRAWLER_WACZ": "snapshot.wacz"})
    assert result.returncode == 0, result.log[-3000:]
    assert 3 <= len(result.items) <= 12, len(result.items)
    stats = result.stats
    assert stats["newscrawler/archive/requisites/fetched/stylesheet"] == 2  # style.css and its @import
    assert stats["newscrawler/archive/requisites/fetched/font"] == 1
    assert stats.get("newscrawler/archive/requisites/failed", 0) == 0
    warcs = sorted((result.workdir / "warc").glob("*.warc.gz"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    stored = dict(sqlite3.connect(result.workdir / "news.db").execute("SELECT url, replay_url FROM articles"))
    assert stored == {item["url"]: item["replay_url"] for item in result.items}
    wacz = result.workdir / "snapshot.wacz"
    valid = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout[-2000:]

    camera = PageCamera(chromium)
    try:
        # The comparison tells a page without its stylesheet, or its photos, from the page itself.
        first = result.items[0]["url"]
        whole = camera.shoot(first)
        for missing_kind in ("stylesheet", "image"):
            assert similarity(whole.png, camera.shoot(first, block=(missing_kind,)).png) < MIN_SSIM, missing_kind
        with pywb_collection(tmp_path / "pywb", [wacz]) as replay_base:
            for item in result.items:
                match = re.fullmatch(re.escape(REPLAY_BASE) + r"(\d{14})/(.+)", item["replay_url"] or "")
                assert match and match.group(2) == item["url"], item["replay_url"]
                seen = compare_live_and_replay(camera, item["url"], replay_base, match.group(1),
                                               keep=tmp_path / "screenshots")
                assert seen.missing == [], f"{item['url']}: replay could not serve {seen.missing}"
                assert seen.ssim >= MIN_SSIM, f"{item['url']}: live and replay differ (SSIM {seen.ssim:.3f})"
    finally:
        camera.close()
