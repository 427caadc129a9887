"""NewsSpider: finds a news site's articles and routes them to extraction.

Discovery and routing only. The spider walks the site from its start pages through
navigation, section pages and their pagination, its sitemaps (found in robots.txt or at
the usual paths) and its feeds; every HTML page it fetches is asked ``classify_page``
(is this an article?) and articles go to ``extract_article``, both on the parsing thread
(``newscrawler.offload.parsing``), off the reactor. What to keep and where it
goes is for the pipelines.

    scrapy crawl news -a start_url=https://example.com/          # generic mode
    scrapy crawl news -a site=NAME                               # profile newscrawler/sites/NAME.toml

Scheduled re-runs are incremental: every page link the spider yields is marked
``page_link`` (and ``story_link`` when it looks like a story) and goes through the re-crawl
filter (``newscrawler/spidermiddlewares/incremental.py``), which drops stories the store
holds unless there is evidence they changed, and ends pagination that shows nothing new.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, UsageError
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS

from newscrawler import signals as news_signals
from newscrawler.rendering.modes import fold_into_settings
from newscrawler.discovery import (
    COMMON_FEED_PATHS,
    COMMON_SITEMAP_PATHS,
    feed_links,
    parse_feed,
    parse_sitemap,
    sitemap_urls_from_robots,
)
from newscrawler.discovery.links import Link, LinkRules, listing_links
from newscrawler.discovery.sections import listing_section
from newscrawler.extensions.resume_marker import was_interrupted
from newscrawler.extract.article import decode_declared
from newscrawler.extract.listing import merge_listing
from newscrawler.extract.reading import read_page
from newscrawler.extract.valid_text import valid_values
from newscrawler.items import Article
from newscrawler.middlewares.robots import UNREADABLE_STAT as ROBOTS_UNREADABLE
from newscrawler.offload.parsing import run_parsing
from newscrawler.sites import ProfileError, SiteProfile, load_profile
from newscrawler.spiders.arguments import SpiderArgs, max_pages_setting
from newscrawler.urls import UrlCanonicalizer, canonicalize_url

_SKIPPED_EXTENSIONS = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
START_PAGES_OK_STAT = "newscrawler/start_pages/ok"
START_PAGES_FAILED_STAT = "newscrawler/start_pages/failed"
# Set by the robots.txt middleware when a host's robots.txt could not be read: start pages that
# then all fail close the crawl as ``robots_unreadable`` rather than ``start_pages_failed``.
ROBOTS_UNREADABLE_STAT = ROBOTS_UNREADABLE


class NewsSpider(Spider):
    name = "news"

    def __init__(self, **kwargs: Any) -> None:
        args = SpiderArgs.parse(kwargs)
        super().__init__(**{k: v for k, v in kwargs.items() if k.startswith("_")})
        self._site_name = args.site
        self._given_urls = list(args.start_urls)
        self.max_pages = args.max_pages
        self.max_pagination = args.max_pagination
        self.render_js = args.render_js
        self.since = args.since
        self.until = args.until
        self.refresh = args.refresh
        self.discover = args.discover
        self.profile: SiteProfile | None = None
        self.start_urls: list[str] = []
        self.allowed_domains: list[str] = []
        self.resuming = False
        self._canonical = canonicalize_url
        self._sitemap_hosts: set[str] = set()
        self._feed_hosts: set[str] = set()

    def _configure(self, profile_dirs: list[str], settings: Any = None) -> None:
        """Load the profile and settle start URLs and domains; bad input stops the crawl."""
        if self._site_name:
            try:
                self.profile = load_profile(self._site_name, extra_dirs=[Path(d) for d in profile_dirs])
            except ProfileError as exc:
                raise UsageError(str(exc)) from exc
        urls = list(self._given_urls)
        if not urls and self.profile:
            urls = list(self.profile.start_urls)
        if not urls:
            raise UsageError(
                "no start URL: pass -a start_url=https://example.com/ (generic mode) or -a site=NAME "
                "for a profile in newscrawler/sites/ that lists start_urls"
            )
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise UsageError(f"start URL {url!r} is not an absolute http(s) URL")
        if settings is not None:
            # Tracking parameters from the settings; a site that lives on www. stays on it.
            self._canonical = UrlCanonicalizer.from_settings(settings, urls)
        self.start_urls = [self._canonical(u) for u in urls]
        domains = set(self.profile.allowed_domains) if self.profile and self.profile.allowed_domains else set()
        if not domains:
            for url in self.start_urls:
                host = urlsplit(url).hostname or ""
                domains.add(host.removeprefix("www."))
        self.allowed_domains = sorted(domains)

    @classmethod
    def check_arguments(cls, arguments: dict[str, Any], settings: Any) -> None:
        """Raise UsageError for bad ``-a`` arguments, as the crawl would, before it is set up
        (``scrapy crawl`` asks, so a mistake costs one line, not Scrapy's start-up)."""
        cls(**arguments)._configure(settings.getlist("NEWSCRAWLER_PROFILE_DIRS"), settings)
        max_pages_setting(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider._configure(settings.getlist("NEWSCRAWLER_PROFILE_DIRS"), settings)
        if spider.max_pages is None:
            spider.max_pages = max_pages_setting(settings)
        if spider.max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", spider.max_pages, priority="spider")
        if spider.max_pagination is None:
            spider.max_pagination = settings.getint("NEWSCRAWLER_MAX_PAGINATION", 500)
        if all(_is_loopback(urlsplit(u).hostname or "") for u in spider.start_urls):
            # Nobody to be polite to on this machine: AutoThrottle would only slow tests and the demo.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        spider.min_article_words = settings.getint("NEWSCRAWLER_MIN_ARTICLE_WORDS", 80)
        spider.reads_datelines = settings.getbool("NEWSCRAWLER_DATELINES_ENABLED")
        profile = spider.profile
        spider.link_rules = LinkRules(
            allowed_domains=tuple(spider.allowed_domains), skipped_extensions=_SKIPPED_EXTENSIONS,
            max_query_params=settings.getint("NEWSCRAWLER_MAX_QUERY_PARAMS", 3),
            denied=profile.is_denied if profile else None, canonicalize=spider._canonical)
        spider.sitemap_max_urls = settings.getint("NEWSCRAWLER_SITEMAP_MAX_URLS")
        spider.sitemap_max_size = settings.getint("NEWSCRAWLER_SITEMAP_MAX_SIZE")
        spider.obeys_robots = settings.getbool("ROBOTSTXT_OBEY")
        # A crawl left unfinished in this JOBDIR (newscrawler/extensions/resume_marker.py).
        jobdir = settings.get("JOBDIR")
        spider.resuming = bool(jobdir) and was_interrupted(jobdir)
        # What the re-crawl filter needs to know of this run, for components that read settings.
        settings.set("NEWSCRAWLER_REFRESH", spider.refresh, priority="spider")
        settings.set("NEWSCRAWLER_RESUMING", spider.resuming, priority="spider")
        # Profile-derived values go into settings, which components read (never the spider).
        if profile is not None:
            settings.set("NEWSCRAWLER_SITE", profile.name, priority="spider")
        # The date window (newscrawler/spidermiddlewares/window.py) applies -a since/until.
        settings.set("NEWSCRAWLER_SINCE", spider.since.isoformat() if spider.since else None, priority="spider")
        settings.set("NEWSCRAWLER_UNTIL", spider.until.isoformat() if spider.until else None, priority="spider")
        # Rendering: -a render_js and the profile's render_js widen NEWSCRAWLER_RENDER_JS.
        fold_into_settings(settings, spider.render_js, profile.render_js if profile else False,
                           profile.render_js_patterns if profile else ())
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        return spider

    def _opened(self) -> None:
        mode = f"profile {self.profile.name!r}" if self.profile else "generic mode"
        self.logger.info("Crawling %s in %s; allowed domains: %s; discovery: %s%s", ", ".join(self.start_urls), mode,
                         ", ".join(self.allowed_domains), ", ".join(sorted(self.discover)),
                         "; resuming an unfinished run" if self.resuming else "")

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            yield Request(url, callback=self.parse, errback=self._start_page_failed,
                          meta={"discovered_via": "start", "pagination_depth": 0})
            if "sitemaps" in self.discover and not self.obeys_robots:
                # robots.txt is not fetched for us: read it ourselves for its Sitemap lines.
                yield Request(urljoin(url, "/robots.txt"), callback=self.parse_robots,
                              meta={"dont_obey_robotstxt": True}, priority=5)

    def _start_page_failed(self, failure: Any) -> None:
        """A start page failed for good (after retries; the failure middleware logged why).
        When every one has and nothing came in, the site cannot be crawled: stop now, with a
        close reason the crawl's verdict turns into exit status 2."""
        stats = self.crawler.stats
        stats.inc_value(START_PAGES_FAILED_STAT)
        if (stats.get_value(START_PAGES_FAILED_STAT, 0) >= len(set(self.start_urls))
                and not stats.get_value(START_PAGES_OK_STAT) and not stats.get_value("item_scraped_count")):
            reason = "robots_unreadable" if stats.get_value(ROBOTS_UNREADABLE_STAT) else "start_pages_failed"
            self.logger.error("Every start page failed (last: %s: %s); stopping: %s", failure.request.url,
                              failure.getErrorMessage(), reason)
            raise CloseSpider(reason)

    # --- routing ---------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        if response.meta.get("discovered_via") == "start":
            stats.inc_value(START_PAGES_OK_STAT)
        if not isinstance(response, TextResponse) or not _is_html(response):
            stats.inc_value("newscrawler/skipped/not_html")
            self.logger.info("Skipped %s: not an HTML page (Content-Type %r)", response.url,
                             response.headers.get("Content-Type", b"").decode("latin-1"))
            return
        try:
            html = response.text
            if "\ufffd" in html:  # bytes the declared encoding cannot read: Windows-1252 in a UTF-8 page
                html = decode_declared(response.body, response.encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            stats.inc_value("newscrawler/skipped/undecodable")
            self.logger.warning("Skipped %s: cannot decode the page (%s)", response.url, exc)
            return
        if not html.strip():
            stats.inc_value("newscrawler/skipped/empty")
            self.logger.info("Skipped %s: empty page", response.url)
            return

        # Classifying and extracting a page is the costly part (seconds for a 4 MB page): it
        # runs on the parsing thread while the reactor goes on downloading.
        started = time.perf_counter()
        page = await run_parsing(
            read_page,
            html,
            response.url,
            known_article=bool(self.profile and self.profile.is_article_url(response.url)),
            min_words=self.min_article_words,
            selectors=self.profile.selectors if self.profile else None,
            crawled_at=datetime.now(timezone.utc),
            with_places=self.reads_datelines,
        )
        self.logger.debug("Read %s (%d characters) in %.2f s", response.url, len(html), time.perf_counter() - started)
        if page.verdict is not None:
            verdict = page.verdict
            self.logger.debug("Page %s: %s (score %d: %s)", response.url, verdict.kind, verdict.score, verdict.reason)
        stats.inc_value(f"newscrawler/pages/{page.kind}")
        self._classified(response, page.kind)

        if page.article is not None:
            yield self._finish_article(response, page.article, page.warnings)
        if response.meta.get("discovered_via") == "start":
            for request in self._discover_feeds(response, html):
                yield request
            if "sitemaps" in self.discover and self.obeys_robots:
                for request in self._probe_sitemaps_if_unseen(response.url):
                    yield request
        if "links" in self.discover:
            links = await self._page_links(response, html)
            for request in self._follow_links(response, links, page.is_article):
                yield request

    def _finish_article(self, response: TextResponse, article: Article, warnings: list[str]) -> Article:
        """Count extraction's notes and add what the crawl knows about the page (the date window
        then judges the article, newscrawler/spidermiddlewares/window.py)."""
        for reason in warnings:
            self.crawler.stats.inc_value(f"newscrawler/extract/{reason}")
        if warnings:
            self.logger.debug("Extraction of %s: %s", response.url, ", ".join(warnings))
        article.discovered_via = response.meta.get("discovered_via", "link")
        # What section pages, sitemaps and feeds said is cleaned like extraction's own fields.
        article.excerpt = article.excerpt or valid_values(response.meta.get("excerpt"))
        listing = valid_values(response.meta.get("listing") or {})
        if listing:
            article = merge_listing(article, listing)
        article.section = article.section or response.meta.get("listing_section")
        if self.profile:
            article.site = self.profile.name
        return article

    def _classified(self, response: Response, kind: str) -> None:
        """Say what the page was: counted by the role it plays in a re-crawl, and signalled."""
        response.meta["page_kind"] = kind
        via = response.meta.get("discovered_via")
        role = kind if kind in ("sitemap", "feed") else "story" if kind == "article" else (
            "entry" if via == "start" else "listing")
        self.crawler.stats.inc_value(f"newscrawler/fetched/{role}")
        if "not_modified" in response.flags:
            self.crawler.stats.inc_value(f"newscrawler/fetched/{role}_not_modified")
        self.crawler.signals.send_catch_log(news_signals.page_classified, response=response, kind=kind)

    # --- discovery: links ------------------------------------------------------------------

    def _follow_links(self, response: TextResponse, links: list[Link], from_article: bool) -> Iterable[Request]:
        depth = response.meta.get("pagination_depth", 0)
        # The section this listing stands for: its stories are filed under it when their pages say nothing.
        section = None if from_article else (
            response.meta.get("listing_section") if response.meta.get("discovered_via") == "pagination"
            else listing_section(response.url, response.meta.get("link_text")))
        for link in links:
            url = link.url
            if link.is_pagination:
                if from_article:
                    continue  # "next article" links on article pages are just links
                if depth + 1 > (self.max_pagination or 0):
                    self.crawler.stats.inc_value("newscrawler/skipped/pagination_limit")
                    continue
                # The re-crawl filter ends pagination that shows nothing new or nothing at all.
                yield Request(url, callback=self.parse, priority=-1,
                              meta={"discovered_via": "pagination", "pagination_depth": depth + 1,
                                    "listing_section": section, "page_link": True,
                                    "empty_pages": response.meta.get("empty_pages", 0)})
                continue
            if self.profile and self.profile.restricts_links:
                if self.profile.is_article_url(url):
                    via = "section" if not from_article else "link"
                elif self.profile.is_section_url(url):
                    via = "navigation"
                else:
                    continue
            else:
                via = "section" if not from_article else "link"
            meta: dict[str, Any] = {"discovered_via": via, "pagination_depth": 0, "page_link": True,
                                    "story_link": link.is_story}
            if link.excerpt is not None:
                meta["excerpt"] = link.excerpt
            if section:
                meta["listing_section"] = section
            if link.text and len(link.text) <= 80:
                meta["link_text"] = link.text
            # Listings first, then the articles they reveal: keeps the frontier small.
            yield Request(url, callback=self.parse, meta=meta, priority=0 if not from_article else -2)

    async def _page_links(self, response: TextResponse, html: str) -> list[Link]:
        """The page's followable links, read on a worker thread (a big page is a big tree)."""
        skipped: Counter[str] = Counter()
        links = await asyncio.to_thread(listing_links, html, response.url, self.link_rules, skipped)
        for reason, count in skipped.items():
            self.crawler.stats.inc_value(f"newscrawler/skipped/{reason}", count)
        return links

    # --- discovery: sitemaps ---------------------------------------------------------------

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        """robots.txt was read for a host: its ``Sitemap:`` lines lead to sitemaps."""
        if "sitemaps" not in self.discover:
            return
        host = urlsplit(request.url).netloc
        if host in self._sitemap_hosts or not self.link_rules.allows_host(urlsplit(request.url).hostname or ""):
            return
        self._sitemap_hosts.add(host)
        base = f"{urlsplit(request.url).scheme}://{host}/"
        sitemaps = list(getattr(getattr(robotparser, "rp", None), "sitemaps", None) or [])
        for request_ in self._sitemap_requests(base, sitemaps):
            self.crawler.engine.crawl(request_)

    def parse_robots(self, response: Response) -> Iterable[Request]:
        host = urlsplit(response.url).netloc
        if host in self._sitemap_hosts:
            return
        self._sitemap_hosts.add(host)
        text = response.text if isinstance(response, TextResponse) and response.status == 200 else ""
        base = f"{urlsplit(response.url).scheme}://{host}/"
        yield from self._sitemap_requests(base, sitemap_urls_from_robots(text, base))

    def _probe_sitemaps_if_unseen(self, url: str) -> Iterable[Request]:
        """robots.txt could not be read (no signal came): try the usual sitemap paths."""
        host = urlsplit(url).netloc
        if host not in self._sitemap_hosts:
            self._sitemap_hosts.add(host)
            yield from self._sitemap_requests(f"{urlsplit(url).scheme}://{host}/", [])

    def _sitemap_requests(self, base: str, sitemaps: list[str]) -> Iterable[Request]:
        probing = not sitemaps
        for url in sitemaps or [urljoin(base, path) for path in COMMON_SITEMAP_PATHS]:
            yield self._sitemap_request(urljoin(base, url.strip()), priority=5, probe=probing)

    def _sitemap_request(self, url: str, priority: int, probe: bool = False, lastmod: str | None = None) -> Request:
        """A sitemap fetch with the protocol's own size cap (50 MB by default), not DOWNLOAD_MAXSIZE:
        big news sites serve sitemaps past 20 MB. Gzip on the wire expands to that cap at most."""
        meta = {"discovered_via": "sitemap", "probe": probe, "handle_httpstatus_list": [404, 410] if probe else [],
                "download_maxsize": self.sitemap_max_size, "download_warnsize": self.sitemap_max_size}
        if lastmod:
            meta["sitemap_lastmod"] = lastmod
        return Request(self._canonical(url), callback=self.parse_sitemap, errback=self._discovery_failed,
                       priority=priority, meta=meta)

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        if response.status in (404, 410):
            return  # a probed usual path that the site does not have
        # A 50,000-URL sitemap is seconds of parsing: off the reactor thread, so fetching goes on.
        sitemap = await asyncio.to_thread(parse_sitemap, response.body, response.url,
                                          max_entries=self.sitemap_max_urls, max_bytes=self.sitemap_max_size)
        self.crawler.stats.inc_value("newscrawler/sitemap/fetched")
        self._classified(response, "sitemap")
        self._count_problems("sitemap", response.url, sitemap.errors, sitemap.reasons)
        if sitemap.skipped:
            self.crawler.stats.inc_value("newscrawler/sitemap/entries_over_limit", sitemap.skipped)
        if sitemap.kind == "index":
            for entry in sitemap.entries:
                url = self._discovery_link(entry.loc, response.url)
                if url:
                    # The date window skips a child sitemap last changed before the window opened.
                    yield self._sitemap_request(url, priority=4, lastmod=entry.lastmod)
            return
        listed = {}
        for entry in sitemap.entries:
            url = self._discovery_link(entry.loc, response.url)
            if url:
                listed[url] = entry.listing()
        self.crawler.stats.inc_value("newscrawler/sitemap/urls", len(listed))
        for request in self._listed_requests(listed, "sitemap"):
            yield request

    # --- discovery: feeds ------------------------------------------------------------------

    def _discover_feeds(self, response: TextResponse, html: str) -> Iterable[Request]:
        host = urlsplit(response.url).netloc
        if "feeds" not in self.discover or host in self._feed_hosts:
            return
        self._feed_hosts.add(host)
        links = [u for u in feed_links(html, response.url) if self.link_rules.allows_host(urlsplit(u).hostname or "")]
        probing = not links
        base = f"{urlsplit(response.url).scheme}://{host}/"
        for url in links or [urljoin(base, path) for path in COMMON_FEED_PATHS]:
            yield Request(self._canonical(url), callback=self.parse_feed, errback=self._discovery_failed, priority=5,
                          meta={"discovered_via": "feed", "probe": probing,
                                "handle_httpstatus_list": [404, 410] if probing else []})

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        if response.status in (404, 410):
            return
        if response.meta.get("probe") and isinstance(response, TextResponse) and _is_html(response):
            return  # a usual feed path that serves a page, not a feed
        feed = await asyncio.to_thread(parse_feed, response.body, response.url)
        self.crawler.stats.inc_value("newscrawler/feed/fetched")
        self._classified(response, "feed")
        self._count_problems("feed", response.url, feed.errors, feed.reasons)
        listed = {}
        for entry in feed.entries:
            url = self._discovery_link(entry.link, response.url)
            if url:
                listed[url] = entry.listing()
        self.crawler.stats.inc_value("newscrawler/feed/urls", len(listed))
        for request in self._listed_requests(listed, "feed"):
            yield request

    def _count_problems(self, kind: str, url: str, errors: list[str], reasons: Any) -> None:
        """Every problem counted by reason in the stats; the messages (capped by the parser) logged."""
        for reason, count in dict(reasons).items():
            self.crawler.stats.inc_value(f"newscrawler/{kind}/errors/{reason}", count)
            self.crawler.stats.inc_value(f"newscrawler/{kind}/errors", count)
        for error in errors:
            self.logger.warning("%s %s: %s", kind.capitalize(), url, error)

    def _listed_requests(self, listed: dict[str, dict[str, Any]], via: str) -> Iterable[Request]:
        """Requests for the pages a sitemap or feed lists (the date window drops those listed
        outside it; the re-crawl filter the ones the store holds, unless their listed date says
        they changed)."""
        for url, listing in listed.items():
            meta = {"discovered_via": via, "pagination_depth": 0, "listing": listing, "page_link": True,
                    "story_link": True}
            if listing.get("excerpt"):
                meta["excerpt"] = listing["excerpt"]
            yield Request(url, callback=self.parse, meta=meta, priority=1)

    def _discovery_link(self, url: str | None, base: str) -> str | None:
        """An absolute, canonical, allowed URL from a sitemap or feed entry (relative ones resolved)."""
        if not url:
            return None
        url = urljoin(base, url.strip())
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not self.link_rules.allows_host(parts.hostname or ""):
            self.crawler.stats.inc_value("newscrawler/skipped/offsite_listing")
            return None
        if self.profile and self.profile.is_denied(url):
            return None
        return self._canonical(url)

    def _discovery_failed(self, failure: Any) -> None:
        request = failure.request
        if request.meta.get("probe"):
            return
        kind = request.meta.get("discovered_via", "discovery")
        self.crawler.stats.inc_value(f"newscrawler/{kind}/failed")
        self.logger.warning("Could not fetch %s %s: %s", kind, request.url, failure.getErrorMessage())


def _is_html(response: Response) -> bool:
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if not content_type:
        return response.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    return any(t in content_type for t in _HTML_TYPES)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
