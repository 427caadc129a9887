"""The date window middleware on a spider's output: what is dropped before and after fetching."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawler.items import Article
from newscrawler.spidermiddlewares.window import OUTSIDE_WINDOW_STAT, DateWindowMiddleware

PAGE = HtmlResponse("https://news.example/world/", body=b"<html></html>")


def window(since: str | None = "2024-03-05", until: str | None = "2024-03-12") -> DateWindowMiddleware:
    crawler = get_crawler(Spider, {"NEWSCRAWLER_SINCE": since, "NEWSCRAWLER_UNTIL": until})
    return DateWindowMiddleware.from_crawler(crawler)


def link(path: str, **meta: object) -> Request:
    return Request(f"https://news.example{path}", meta={"page_link": True, "discovered_via": "section", **meta})


def kept(mw: DateWindowMiddleware, output: list[object]) -> list[object]:
    return list(mw.process_spider_output(PAGE, output))


def test_links_dated_outside_are_not_fetched() -> None:
    mw = window()
    inside, before, after, undated = (link("/2024/03/07/in"), link("/2024/03/04/before"),
                                      link("/2024/03/13/after"), link("/world/undated"))
    assert kept(mw, [inside, before, after, undated]) == [inside, undated]
    assert mw.stats.get_value(OUTSIDE_WINDOW_STAT) == 2


def test_listing_dates_come_before_the_url_date() -> None:
    mw = window()
    listed_inside = link("/2024/01/01/old-url", discovered_via="sitemap", listing={"published": "2024-03-06T10:00:00Z"})
    listed_outside = link("/world/a", discovered_via="feed", listing={"lastmod": "2024-02-01"})
    assert kept(mw, [listed_inside, listed_outside]) == [listed_inside]


def test_pagination_and_other_requests_pass() -> None:
    mw = window()
    pagination = link("/2020/01/01/page/2/", discovered_via="pagination")
    feed = Request("https://news.example/2020/01/01/feed.xml")
    assert kept(mw, [pagination, feed]) == [pagination, feed]
    assert mw.stats.get_value(OUTSIDE_WINDOW_STAT) is None


def test_child_sitemap_changed_before_the_window_is_skipped_uncounted() -> None:
    mw = window(until=None)
    old = Request("https://news.example/sitemap-2023.xml", meta={"sitemap_lastmod": "2023-12-31"})
    new = Request("https://news.example/sitemap-2024.xml", meta={"sitemap_lastmod": "2024-03-10"})
    assert kept(mw, [old, new]) == [new]
    assert kept(window(since=None), [old]) == [old]  # only the window's start says a sitemap is too old


def test_articles_published_outside_are_dropped_after_extraction() -> None:
    mw = window()
    inside = Article(url="https://news.example/a", published_at="2024-03-12T23:30:00+05:30")
    outside = Article(url="https://news.example/b", published_at="2024-03-13T00:10:00+05:30")
    undated = Article(url="https://news.example/c")
    assert kept(mw, [inside, outside, undated]) == [inside, undated]
    assert mw.stats.get_value(OUTSIDE_WINDOW_STAT) == 1


def test_async_output_is_filtered_the_same() -> None:
    mw = window()

    async def output():
        for obj in (link("/2024/03/01/x"), link("/2024/03/06/y")):
            yield obj

    async def collect() -> list[str]:
        return [r.url async for r in mw.process_spider_output_async(PAGE, output())]

    assert asyncio.run(collect()) == ["https://news.example/2024/03/06/y"]


def test_no_window_no_middleware() -> None:
    with pytest.raises(NotConfigured):
        window(since=None, until=None)


def test_a_bad_day_names_the_setting() -> None:
    with pytest.raises(ValueError, match="NEWSCRAWLER_UNTIL='soon' is not valid"):
        window(until="soon")
