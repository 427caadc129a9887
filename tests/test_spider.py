"""Real crawls of small purpose-built sites: routing, pagination, bounds, bad input, arguments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.prose import distinct_paragraphs

PROSE = (
    "Residents of the river district gathered at the town hall on Monday evening to hear how the "
    "new flood barrier will be paid for, after a winter in which the water reached the doorsteps "
    "of the market twice and closed the bridge for nine days."
)


def write(root: Path, path: str, html: str | bytes) -> None:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html if isinstance(html, bytes) else html.encode("utf-8"))


NAV = '<nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a> <a href="/about/">About</a></nav>'


def listing(title: str, stories: list[tuple[str, str]], next_href: str | None = None) -> str:
    teasers = "".join(
        f'<div class="teaser"><h3><a href="{href}">{headline}</a></h3><p>{PROSE[:120]}</p></div>'
        for href, headline in stories
    )
    nxt = f'<a class="more" href="{next_href}">Next ›</a>' if next_href else ""
    return f"<html><head><title>{title}</title></head><body>{NAV}<h1>{title}</h1>{teasers}{nxt}</body></html>"


def article(headline: str, date: str, extra_head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in distinct_paragraphs(headline))
    return (
        f"<html><head><title>{headline} | River Gazette</title>{extra_head}</head><body>{NAV}"
        f"<article><h1>{headline}</h1><div class='meta'>By Ann Lee · {date}</div>{body}</article>"
        "<footer>© 2024 River Gazette</footer></body></html>"
    )


@pytest.fixture
def river_site(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Two sections, four pages of pagination in one, metadata-free articles, traps and junk."""
    root = tmp_path / "site"
    expected: dict[str, str] = {}
    news_pages = 4
    for page in range(1, news_pages + 1):
        stories = []
        for n in range(3):
            sid = (page - 1) * 3 + n
            href = f"/story/{1000 + sid}/flood-barrier-update-{sid}.html"
            headline = f"Flood barrier update number {sid}"
            stories.append((href, headline))
            expected[href] = headline
            head = '<meta property="og:type" content="article">' if sid % 2 else ""
            write(root, href, article(headline, f"March {sid + 1}, 2024", head))
        nxt = f"/news/page-{page + 1}.html" if page < news_pages else None
        write(root, "/news/" if page == 1 else f"/news/page-{page}.html", listing("News", stories, nxt))
    sport = [("/story/2000/cup-final-report.html", "Cup final report")]
    expected[sport[0][0]] = sport[0][1]
    write(root, sport[0][0], article("Cup final report", "2024-03-09"))
    write(root, "/sport/", listing("Sport", sport + [("/private/secret-story.html", "Secret")]))
    write(root, "/private/secret-story.html", article("Secret story", "March 3, 2024"))
    write(root, "/robots.txt", "User-agent: *\nDisallow: /private/\n")
    write(root, "/about/", f"<html><head><title>About</title></head><body>{NAV}<h1>About the Gazette</h1>"
                           + f"<p>{PROSE}</p>" * 3 + "</body></html>")
    write(root, "/files/report.dat", b"\x00\x01binary\xff" * 100)
    write(root, "/broken.html", b"\xff\xfe<html><body><p>\x00\x00 garbage" + bytes(range(256)))
    home = listing("River Gazette", [("/story/1000/flood-barrier-update-0.html", "Flood barrier update number 0")])
    home = home.replace("</body>", '<a href="/files/report.dat">report</a> <a href="/broken.html">x</a> '
                                   '<a href="http://example.invalid/elsewhere">elsewhere</a> '
                                   '<a href="/news/?utm_source=x&a=1&b=2&c=3&d=4">trap</a></body>')
    write(root, "/", home)
    return root, expected


def test_generic_crawl_finds_every_article_once_and_no_other_page(serve, crawl, river_site) -> None:
    root, expected = river_site
    site = serve(root)
    result = crawl("-a", f"start_url={site.base_url}")
    assert result.returncode == 0, result.log[-2000:]
    urls = [item["url"] for item in result.items]
    assert len(urls) == len(set(urls)), "an article came out twice"
    got = {item["url"].removeprefix(site.base_url.rstrip("/")): item["title"] for item in result.items}
    assert got == expected
    assert site.count("/private/secret-story.html") == 0, "robots.txt disallow was not obeyed"
    assert all(site.count(path) <= 1 for path in site.requests), site.requests
    assert result.stats["newscrawler/skipped/not_html"] >= 1
    assert result.stats.get("newscrawler/pages/listing", 0) + result.stats.get("newscrawler/pages/home", 0) >= 5
    for item in result.items:
        assert item["body"] and "© 2024" not in item["body"]
        assert item["discovered_via"] in {"section", "pagination", "link", "start", "navigation"}
    # The pages name no section: the section listing that led to each story does (pagination included).
    sections = {item["url"].removeprefix(site.base_url.rstrip("/")): item["section"] for item in result.items}
    assert sections.pop("/story/2000/cup-final-report.html") == "Sport"
    assert sections.pop("/story/1000/flood-barrier-update-0.html") in {None, "News"}  # also linked from home
    assert set(sections.values()) == {"News"}


def test_pagination_bound_stops_a_trap(serve, crawl, river_site) -> None:
    root, expected = river_site
    site = serve(root)
    result = crawl("-a", f"start_url={site.url('/news/')}", "-a", "max_pagination=1")
    assert result.returncode == 0
    assert site.count("/news/page-2.html") == 1
    assert site.count("/news/page-3.html") == 0
    assert result.stats["newscrawler/skipped/pagination_limit"] >= 1


@pytest.mark.parametrize(
    "bound",
    [
        pytest.param({"args": ("-a", "max_pages=4")}, id="argument"),
        pytest.param({"settings": {"NEWSCRAWLER_MAX_PAGES": 4}}, id="setting"),
        # The argument is the more specific of the two: it wins.
        pytest.param({"args": ("-a", "max_pages=4"), "settings": {"NEWSCRAWLER_MAX_PAGES": 1000}}, id="both"),
    ],
)
def test_max_pages_ends_the_crawl(serve, crawl, river_site, bound) -> None:
    root, _ = river_site
    site = serve(root)
    result = crawl("-a", f"start_url={site.base_url}", *bound.get("args", ()), settings=bound.get("settings"))
    assert result.returncode == 0
    assert result.report["finish_reason"] == "closespider_pagecount"
    # Responses in flight when the bound is reached may pass it, never by much. The start
    # page's discovery probes (robots.txt, the usual sitemap and feed paths) go out together
    # with its links and are not counted here: under load more of them come back in time.
    probes = re.compile(r"robots\.txt|sitemap|feed|rss|atom", re.IGNORECASE)
    pages = {path: n for path, n in site.requests.items() if not probes.search(path)}
    assert sum(pages.values()) <= 4 + 8, pages


@pytest.mark.parametrize(
    "args, message",
    [
        (("-a", "start_url=http://127.0.0.1:9/", "-a", "max_page=3"), "unknown spider argument"),
        (("-a", "start_url=http://127.0.0.1:9/", "-a", "max_pages=lots"), "expected a positive integer"),
        (("-a", "site=no-such-site"), "unknown site profile 'no-such-site'"),
        (("-a", "site=../../etc/passwd"), "invalid site profile name '../../etc/passwd'"),
        (("-a", "start_url=ftp://example/"), "not an absolute http(s) URL"),
        (("-a", "start_url=http://127.0.0.1:9/", "-a", "render_js=sometimes"), "expected 1, 0 or auto"),
        ((), "no start URL"),
        (("-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_MAX_PAGES=-2"),
         "NEWSCRAWLER_MAX_PAGES='-2' is not valid"),
    ],
)
def test_bad_arguments_stop_the_crawl_with_a_clear_message(crawl, args, message) -> None:
    result = crawl(*args)
    assert result.returncode == 1  # usage error: a scheduler tells it from a site that failed (2)
    assert message in result.log
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.log.strip().splitlines() == [result.log.strip()]  # one line, before Scrapy starts up
    assert not result.items


def test_profile_mode_uses_patterns_and_selectors(serve, crawl, river_site, tmp_path, monkeypatch) -> None:
    root, expected = river_site
    site = serve(root)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "river-gazette.toml").write_text(
        'name = "river"\n'
        f'start_urls = ["{site.url("/news/")}"]\n'
        "[urls]\n"
        "article = ['/story/\\d+/']\n"
        "section = ['/news/']\n"
        "[selectors]\n"
        'title = "div.meta::text"\n'
    )
    result = crawl("-a", "site=river-gazette", settings={"NEWSCRAWLER_PROFILE_DIRS": str(profiles)})
    assert result.returncode == 0, result.log[-2000:]
    assert site.count("/sport/") == 0, "profile patterns restrict the links followed"
    # The spider put the profile's name in NEWSCRAWLER_SITE, and the site lock is named after it.
    assert [p.name.split("-")[:2] for p in (result.workdir / "output" / "locks").glob("*.lock")] == [["site", "river"]]
    news = {k: v for k, v in expected.items() if "flood" in k}
    assert len(result.items) == len(news)
    for item in result.items:
        assert item["site"] == "river"
        assert item["title"].startswith("By Ann Lee")  # the profile's selector won over the page's h1
