"""NewsSpider: finds a news site's articles and routes them to extraction.

Discovery and routing only. The spider walks the site from its start pages through
navigation, section pages and their pagination; every HTML page it fetches is asked
``classify_page`` (is this an article?) and articles go to ``extract_article``. What to
keep and where it goes is for the pipelines.

    scrapy crawl news -a start_url=https://example.com/          # generic mode
    scrapy crawl news -a site=NAME                               # profile newscrawler/sites/NAME.toml
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS

from newscrawler.extract.article import extract_article
from newscrawler.extract.pagetype import classify_page
from newscrawler.sites import ProfileError, SiteProfile, load_profile
from newscrawler.urls import canonicalize_url

ACCEPTED_ARGUMENTS = {
    "start_url": "comma-separated start URLs (generic mode, or to override a profile's)",
    "start_urls": "same as start_url",
    "site": "name of a site profile in newscrawler/sites/ (profile mode)",
    "max_pages": "stop after this many fetched pages (positive integer)",
    "max_pagination": "follow section pagination at most this many pages deep (positive integer)",
    "render_js": "1 to render every page in Chromium (scrapy-playwright); a profile may limit it to URL patterns",
}

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_DENY = re.compile(
    r"/wp-(?:admin|login|json|includes|content/plugins)|/xmlrpc\.php|/cdn-cgi/|/(?:comments/)?feed/?$|"
    r"/(?:rss|atom)(?:\.xml)?/?$|[?&](?:replytocom|share|print|output|format|amp|preview|attachment_id|"
    r"add-to-cart|action|redirect_to|like_comment|unapproved)=|/(?:login|logout|signin|signup|register|"
    r"subscribe|account|cart|checkout)(?:/|$)|/print/|/embed/?$|/trackback/?$|/(?:search)(?:/|$)|[?&](?:s|q)=",
    re.IGNORECASE,
)
_SKIPPED_EXTENSIONS = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS) + (".xml", ".json", ".gz", ".txt")
_PAGINATION_TEXT = re.compile(
    r"^\s*(?:next|older|more|load more|more stories|more news|older (?:posts|entries|stories|articles)|"
    r"next page|weiter|siguiente|suivant|›|»|→|>|>>|next\s*[›»→>]+|older\s*[›»→>]+)\s*$",
    re.IGNORECASE,
)
_PAGINATION_URL = re.compile(r"/page/\d+/?$|[?&](?:page|paged|pg|start|offset)=\d+|[-_/]page[-_]?\d+(?:\.html?)?/?$",
                             re.IGNORECASE)
_PAGE_NUMBER_TEXT = re.compile(r"^\s*\d{1,4}\s*$")


class NewsSpider(Spider):
    name = "news"

    def __init__(
        self,
        start_url: str | None = None,
        start_urls: str | None = None,
        site: str | None = None,
        max_pages: str | int | None = None,
        max_pagination: str | int | None = None,
        render_js: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(k for k in kwargs if not k.startswith("_") and k not in ACCEPTED_ARGUMENTS)
        if unknown:
            accepted = "; ".join(f"{k}: {v}" for k, v in ACCEPTED_ARGUMENTS.items())
            raise UsageError(f"unknown spider argument(s) {', '.join(unknown)}. Accepted -a arguments: {accepted}")
        super().__init__(**{k: v for k, v in kwargs.items() if k.startswith("_")})
        self._site_name = site
        self._given_urls = start_url or start_urls
        self.max_pages = _positive_int("max_pages", max_pages)
        self.max_pagination = _positive_int("max_pagination", max_pagination)
        self.render_js = _flag("render_js", render_js)
        self.profile: SiteProfile | None = None
        self.start_urls: list[str] = []
        self.allowed_domains: list[str] = []

    def _configure(self, profile_dirs: list[str]) -> None:
        """Load the profile and settle start URLs and domains; bad input stops the crawl."""
        if self._site_name:
            try:
                self.profile = load_profile(self._site_name, extra_dirs=[Path(d) for d in profile_dirs])
            except ProfileError as exc:
                raise UsageError(str(exc)) from exc
        given = self._given_urls
        urls = [u.strip() for u in given.split(",") if u.strip()] if given else []
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
        self.start_urls = [canonicalize_url(u) for u in urls]
        domains = set(self.profile.allowed_domains) if self.profile and self.profile.allowed_domains else set()
        if not domains:
            for url in self.start_urls:
                host = urlsplit(url).hostname or ""
                domains.add(host.removeprefix("www."))
        self.allowed_domains = sorted(domains)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider._configure(settings.getlist("NEWSCRAWLER_PROFILE_DIRS"))
        if spider.max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", spider.max_pages, priority="spider")
        if spider.max_pagination is None:
            spider.max_pagination = settings.getint("NEWSCRAWLER_MAX_PAGINATION", 500)
        if all(_is_loopback(urlsplit(u).hostname or "") for u in spider.start_urls):
            # Nobody to be polite to on this machine: AutoThrottle would only slow tests and the demo.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        spider.min_article_words = settings.getint("NEWSCRAWLER_MIN_ARTICLE_WORDS", 80)
        spider.max_query_params = settings.getint("NEWSCRAWLER_MAX_QUERY_PARAMS", 3)
        crawler.signals.connect(spider._log_start, signal=signals.spider_opened)
        return spider

    def _log_start(self) -> None:
        mode = f"profile {self.profile.name!r}" if self.profile else "generic mode"
        self.logger.info("Crawling %s in %s; allowed domains: %s", ", ".join(self.start_urls), mode,
                         ", ".join(self.allowed_domains))

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            yield Request(url, callback=self.parse, meta={"discovered_via": "start", "pagination_depth": 0})

    # --- routing ---------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        stats = self.crawler.stats
        if not isinstance(response, TextResponse) or not _is_html(response):
            reason = "not_html"
            stats.inc_value(f"newscrawler/skipped/{reason}")
            self.logger.info("Skipped %s: not an HTML page (Content-Type %r)", response.url,
                             response.headers.get("Content-Type", b"").decode("latin-1"))
            return
        try:
            html = response.text
        except (UnicodeDecodeError, LookupError) as exc:
            stats.inc_value("newscrawler/skipped/undecodable")
            self.logger.warning("Skipped %s: cannot decode the page (%s)", response.url, exc)
            return
        if not html.strip():
            stats.inc_value("newscrawler/skipped/empty")
            self.logger.info("Skipped %s: empty page", response.url)
            return

        if self.profile and self.profile.is_article_url(response.url):
            is_article, kind = True, "article"
        else:
            verdict = classify_page(html, response.url, min_words=self.min_article_words)
            is_article, kind = verdict.is_article, verdict.kind
            self.logger.debug("Page %s: %s (score %d: %s)", response.url, kind, verdict.score, verdict.reason)
        stats.inc_value(f"newscrawler/pages/{kind}")

        if is_article:
            item = self._extract(response, html)
            if item is not None:
                yield item
        yield from self._follow_links(response, is_article)

    def _extract(self, response: TextResponse, html: str) -> Any:
        warnings: list[str] = []
        article = extract_article(
            html,
            response.url,
            selectors=self.profile.selectors if self.profile else None,
            crawled_at=datetime.now(timezone.utc),
            warnings=warnings,
        )
        for reason in warnings:
            self.crawler.stats.inc_value(f"newscrawler/extract/{reason}")
        if warnings:
            self.logger.debug("Extraction of %s: %s", response.url, ", ".join(warnings))
        article.discovered_via = response.meta.get("discovered_via", "link")
        article.excerpt = article.excerpt or response.meta.get("excerpt")
        if self.profile:
            article.site = self.profile.name
        return article

    # --- discovery -------------------------------------------------------------------------

    def _follow_links(self, response: TextResponse, from_article: bool) -> Iterable[Request]:
        depth = response.meta.get("pagination_depth", 0)
        excerpts = _teaser_excerpts(response)
        seen: set[str] = set()
        for href, text, rel in _anchors(response):
            url = self._normalise_link(response, href)
            if url is None or url in seen:
                continue
            seen.add(url)
            is_pagination = "next" in rel or bool(_PAGINATION_TEXT.match(text)) or (
                bool(_PAGINATION_URL.search(url)) and (bool(_PAGE_NUMBER_TEXT.match(text)) or not text))
            if is_pagination:
                if from_article:
                    continue  # "next article" links on article pages are just links
                if depth + 1 > (self.max_pagination or 0):
                    self.crawler.stats.inc_value("newscrawler/skipped/pagination_limit")
                    continue
                meta = {"discovered_via": "pagination", "pagination_depth": depth + 1}
                yield Request(url, callback=self.parse, meta=meta, priority=-1)
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
            meta = {"discovered_via": via, "pagination_depth": 0}
            if url in excerpts:
                meta["excerpt"] = excerpts[url]
            # Listings first, then the articles they reveal: keeps the frontier small.
            yield Request(url, callback=self.parse, meta=meta, priority=0 if not from_article else -2)
        # <link rel=next> in the head: pagination that has no visible link.
        if not from_article:
            for href in response.xpath("//head/link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").getall():
                url = self._normalise_link(response, href)
                if url and url not in seen and depth + 1 <= (self.max_pagination or 0):
                    seen.add(url)
                    yield Request(url, callback=self.parse, priority=-1,
                                  meta={"discovered_via": "pagination", "pagination_depth": depth + 1})

    def _normalise_link(self, response: TextResponse, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return None
        url = urljoin(response.url, href)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return None
        host = (parts.hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return None
        if self.profile and self.profile.is_denied(url):
            return None
        if _DENY.search(url) or parts.path.lower().endswith(_SKIPPED_EXTENSIONS):
            return None
        if len(parse_qsl(parts.query, keep_blank_values=True)) > self.max_query_params:
            self.crawler.stats.inc_value("newscrawler/skipped/too_many_query_params")
            return None
        return canonicalize_url(url)


def _anchors(response: TextResponse) -> Iterable[tuple[str, str, set[str]]]:
    for a in response.xpath("//a[@href]"):
        text = " ".join(a.xpath(".//text()").getall()).strip()
        rel = set((a.attrib.get("rel") or "").lower().split())
        if "nofollow" in rel and "next" not in rel:
            continue
        yield a.attrib["href"], text, rel


def _teaser_excerpts(response: TextResponse) -> dict[str, str]:
    """Map story URL -> the excerpt a teaser shows under its linked headline.

    Excerpts often open with the story's dateline; the dateline pipeline falls back on
    them when the article page has none.
    """
    excerpts: dict[str, str] = {}
    for heading in response.xpath("//h1|//h2|//h3|//h4"):
        hrefs = heading.xpath(".//a/@href | ancestor::a[1]/@href").getall()
        if not hrefs:
            continue
        container = heading.xpath("ancestor::*[self::article or self::li or self::div or self::section][1]")
        if not container:
            continue
        paragraphs = [" ".join(p.xpath(".//text()").getall()).strip() for p in container[0].xpath(".//p")]
        text = next((p for p in paragraphs if len(p.split()) >= 6), None)
        if text:
            url = canonicalize_url(urljoin(response.url, hrefs[0].strip()))
            excerpts.setdefault(url, re.sub(r"\s+", " ", text)[:600])
    return excerpts


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


def _flag(name: str, value: str | bool | None) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise UsageError(f"-a {name}={value!r} is not valid: expected 1 or 0")


def _positive_int(name: str, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise UsageError(f"-a {name}={value!r} is not valid: expected a positive integer")
    return number
