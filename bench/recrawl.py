"""Re-crawl benchmark: what a scheduled run costs on a site that did not change, and one that did.

    python -m bench.recrawl [--stories 5000]

(run from the repository root: the site comes from ``tests/recrawl_site.py``). The site has
``--stories`` stories, every one in a sitemap and in section pages (first reached through
them), the newest 50 in a feed, and an endless "Next day »" calendar archive beside them.
Three runs with one store, then the calendar alone with ``render_js=auto``:

1. first crawl: every story;
2. second run, site unchanged: story fetches (target 0), bytes served against the first run
   (target <= 2%), wall time against the first (target < 10%);
3. third run after 50 stories change (new text and lastmod) and 50 new ones appear: stories
   fetched (target exactly those 100), updates and new stories written (50 and 50);
4. ``render_js=auto`` on a site of 200 stories with two sections built by script (inline JSON
   data; ``fetch()`` from a JSON endpoint): every script-built story found, at most 10% of the
   other pages rendered, and the calendar archive still <= 20 requests.

Story fetches and bytes come from the server's own request log.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import run_crawl
from tests.recrawl_site import RecrawlSite, serve_recrawl_site

SETTINGS = {"LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32}


def three_runs(stories: int, work: Path, settings: dict) -> bool:
    """First crawl, unchanged re-run, re-run after 50 changes and 50 new stories."""
    site = RecrawlSite.build(stories, calendar=True)
    ok = True
    with serve_recrawl_site(site) as served:
        def crawl(name: str):
            served.reset_log()
            started = time.perf_counter()
            result = run_crawl(work / name, "-a", f"start_url={served.base_url}", settings=settings, timeout=3600)
            seconds = time.perf_counter() - started
            if result.returncode != 0:
                print(f"{name}: crawl failed (exit {result.returncode}); log in {work / name}")
            return result, seconds, sum(served.story_fetches().values()), served.bytes_sent, served.count("/archive/?")

        first, t1, fetched1, bytes1, calendar1 = crawl("first")
        print(f"first run:  {len(first.items)} stories written, {fetched1} story fetches, {bytes1 / 1e6:.1f} MB "
              f"served, {t1:.1f} s; {calendar1} requests into the calendar archive (target <= 20)")
        ok &= calendar1 <= 20
        second, t2, fetched2, bytes2, _ = crawl("second")
        print(f"second run (unchanged): {fetched2} story fetches (target 0), {bytes2 / 1e3:.0f} kB served = "
              f"{100 * bytes2 / max(bytes1, 1):.2f}% of the first (target <= 2%), {t2:.1f} s = "
              f"{100 * t2 / t1:.1f}% of the first (target < 10%), 304s read from the store "
              f"{second.stats.get('newscrawler/conditional/not_modified', 0)}")
        ok &= fetched2 == 0 and bytes2 <= 0.02 * bytes1 and t2 < 0.1 * t1

        changed = site.stories[:50]
        site.change(changed)
        new = site.add(50)
        third, t3, fetched3, _, _ = crawl("third")
        expected = {s.path for s in changed + new}
        got = set(served.story_fetches())
        updates = sum(1 for item in third.items if item["is_update"])
        fresh = len(third.items) - updates
        print(f"third run (50 changed, 50 new): {fetched3} story fetches, exactly the 100: {got == expected} "
              f"(missed {len(expected - got)}, extra {len(got - expected)}); {updates} updates and {fresh} new "
              f"stories written (targets 50 and 50), {t3:.1f} s")
        return ok and got == expected and updates == 50 and fresh == 50


def render_auto(work: Path, settings: dict) -> bool:
    """render_js=auto on 200 stories, two script-built sections (inline JSON data; fetch() from a
    JSON endpoint) and the calendar archive."""
    small = RecrawlSite.build(200, calendar=True, scripted=4)
    with serve_recrawl_site(small) as served:
        auto = run_crawl(work / "auto", "-a", f"start_url={served.base_url}", "-a", "render_js=auto",
                         settings={**settings, "NEWSCRAWLER_SQLITE_PATH": str(work / "auto.db")}, timeout=1200)
        requests = served.count("/archive/?")
        base = served.base_url.rstrip("/")
    found = {item["url"].removeprefix(base) for item in auto.items}
    scripted = small.scripted_paths()
    pages = sum(auto.stats.get(f"newscrawler/fetched/{role}", 0) for role in ("entry", "listing", "story"))
    rendered = auto.stats.get("newscrawler/js/rendered", 0)
    others = pages - len(scripted) - 2  # the pages besides the two script-built sections and their stories
    rendered_others = rendered - len(scripted) - 2
    print(f"render_js=auto: {len(scripted & found)} of {len(scripted)} script-built stories found, "
          f"{len(found - scripted)} of 200 others; {rendered} of {pages} pages rendered, "
          f"{100 * rendered_others / max(others, 1):.1f}% of the other pages (target <= 10%); "
          f"{requests} requests into the calendar archive (target <= 20); exit {auto.returncode}")
    return scripted <= found and requests <= 20 and rendered_others <= 0.1 * others


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--only-auto", action="store_true", help="only the render_js=auto part")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-recrawl-"))
    settings = {**SETTINGS, "NEWSCRAWLER_SQLITE_PATH": str(work / "news.db")}
    ok = True if args.only_auto else three_runs(args.stories, work, settings)
    ok &= render_auto(work, settings)
    print(f"work folder: {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
