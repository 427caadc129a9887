"""robots.txt as RFC 9309 says, against servers on 127.0.0.1 whose robots.txt misbehaves.

4xx: everything allowed. 5xx: nothing allowed while it is fetched again later in the crawl;
still failing, the site's pages are never requested. Redirects: followed, five at most,
to other hosts too.
"""

from __future__ import annotations

from tests.conftest import run_crawl
from tests.hostile_server import Route, article_html, listing_html, page, serve_site, write_stories

FAST_RETRY = {"NEWSCRAWLER_ROBOTS_RETRIES": 2, "NEWSCRAWLER_ROBOTS_RETRY_DELAY": 0.3, "DOWNLOAD_TIMEOUT": 3}
RULES = b"User-agent: *\nDisallow: /private/\n"


def _site(robots: Route) -> tuple[dict[str, Route], set[str]]:
    """Three public stories and one under /private/, which the rules of ``RULES`` forbid."""
    stories = write_stories(4, seed=61)
    routes = {"/robots.txt": robots}
    links = []
    for n, story in enumerate(stories):
        path = f"/private/{story.number}.html" if n == 3 else f"/news/{story.number}.html"
        routes[path] = page(article_html(story))
        links.append((path, story.title))
    routes["/"] = page(listing_html("Home", links))
    return routes, {path for path, _ in links if path.startswith("/news/")}


def _crawl(tmp_path, site, **settings):
    result = run_crawl(tmp_path / "crawl", "-a", f"start_url={site.url('/')}", "-a", "discover=links",
                       settings={**FAST_RETRY, **settings}, timeout=120)
    assert "Traceback" not in result.log, result.log[-3000:]
    return result


def _stored(result, site) -> set[str]:
    return {item["url"].removeprefix(site.base_url.rstrip("/")) for item in result.items}


def test_robots_txt_that_keeps_failing_disallows_the_whole_site(tmp_path):
    routes, _public = _site(Route(fault="status:503"))
    with serve_site(routes) as site:
        result = _crawl(tmp_path, site)
        assert site.count("/robots.txt") == 3  # the first try and two later ones
        assert site.total() == 3  # nothing else: not even the start page
    stats = result.stats
    assert result.items == []
    assert stats.get("newscrawler/robots/unreachable") == 3
    assert stats.get("newscrawler/robots/unreadable") == 1
    assert stats.get("newscrawler/skipped/robots_unreachable") == 1
    assert "could not be read after 3 attempts (HTTP 503)" in result.log
    assert result.returncode == 2  # the site could not be crawled
    assert result.report.get("finish_reason") == "robots_unreadable"


def test_robots_txt_that_comes_back_later_is_obeyed_and_the_pages_waited_for_it(tmp_path):
    routes, public = _site(Route(RULES, "text/plain", fault="status:500", times=2))
    with serve_site(routes) as site:
        result = _crawl(tmp_path, site)
        assert site.count("/robots.txt") == 3
        assert site.count("/") == 1
        assert not [p for p in site.requests if p.startswith("/private/")]
    assert result.returncode == 0, result.log[-3000:]
    assert _stored(result, site) == public
    assert result.stats.get("newscrawler/robots/unreachable") == 2
    assert result.stats.get("newscrawler/robots/rules") == 1
    assert result.stats.get("robotstxt/forbidden") == 1


def test_missing_robots_txt_allows_everything(tmp_path):
    routes, public = _site(Route(b"gone", "text/plain", status=404))
    with serve_site(routes) as site:
        result = _crawl(tmp_path, site)
        assert site.count("/robots.txt") == 1
    assert result.returncode == 0, result.log[-3000:]
    assert _stored(result, site) == public | {p for p in routes if p.startswith("/private/")}
    assert result.stats.get("newscrawler/robots/unavailable") == 1


def test_robots_txt_redirected_to_another_host_is_followed(tmp_path):
    with serve_site({"/robots.txt": Route(fault="redirect:/rules.txt"), "/rules.txt": Route(RULES, "text/plain")}) as other:
        # Another host as far as the crawl knows: "localhost", not 127.0.0.1. Two hops there.
        elsewhere = other.url("/robots.txt").replace("127.0.0.1", "localhost")
        routes, public = _site(Route(fault=f"redirect:{elsewhere}"))
        with serve_site(routes) as site:
            result = _crawl(tmp_path, site)
            assert not [p for p in site.requests if p.startswith("/private/")]
        assert other.count("/robots.txt") == 1 and other.count("/rules.txt") == 1
    assert result.returncode == 0, result.log[-3000:]
    assert _stored(result, site) == public
    assert result.stats.get("newscrawler/robots/redirects_followed") == 2
    assert result.stats.get("newscrawler/robots/rules") == 1


def test_more_than_five_redirects_count_as_no_robots_txt(tmp_path):
    routes, public = _site(Route(fault="redirect:/r1.txt"))
    for hop in range(1, 8):
        routes[f"/r{hop}.txt"] = Route(fault=f"redirect:/r{hop + 1}.txt")
    routes["/r8.txt"] = Route(b"User-agent: *\nDisallow: /\n", "text/plain")
    with serve_site(routes) as site:
        result = _crawl(tmp_path, site)
        assert site.count("/r5.txt") == 1 and site.count("/r6.txt") == 0  # five redirects followed, no more
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("newscrawler/robots/too_many_redirects") == 1
    assert result.stats.get("newscrawler/robots/redirects_followed") == 5
    assert _stored(result, site) >= public
