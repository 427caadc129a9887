"""Where a site says its sitemaps are: robots.txt ``Sitemap:`` lines."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from protego import Protego


def sitemap_urls_from_robots(robots_txt: str, base_url: str) -> list[str]:
    """Absolute http(s) sitemap URLs a robots.txt lists, in order, without repeats.

    ``Sitemap:`` lines apply to the whole file whatever user-agent group they sit in;
    relative ones are resolved against ``base_url`` (the robots.txt URL or the site root).
    """
    urls: list[str] = []
    for raw in Protego.parse(robots_txt or "").sitemaps:
        url = urljoin(base_url, raw.strip())
        if urlsplit(url).scheme in {"http", "https"} and url not in urls:
            urls.append(url)
    return urls
