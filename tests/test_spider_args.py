"""SpiderArgs: the news spider's -a arguments parsed and checked without a crawl."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from newscrawler.spiders.arguments import DISCOVERY_PATHS, SpiderArgs, max_pages_setting


def test_nothing_given_means_defaults() -> None:
    args = SpiderArgs.parse({})
    assert args == SpiderArgs()
    assert args.discover == frozenset(DISCOVERY_PATHS)
    assert (args.max_pages, args.since, args.refresh, args.render_js) == (None, None, False, False)


def test_text_values_become_typed_values() -> None:
    args = SpiderArgs.parse({
        "start_url": " https://a.example/ , https://b.example/news/,", "site": "demo", "max_pages": "40",
        "max_pagination": "3", "render_js": "auto", "since": "2024-01-02", "until": " 2024-02-01 ",
        "refresh": "yes", "discover": "Sitemaps, feeds", "_job": "scrapy's own",
    })
    assert args.start_urls == ("https://a.example/", "https://b.example/news/")
    assert (args.site, args.max_pages, args.max_pagination, args.render_js) == ("demo", 40, 3, "auto")
    assert (args.since, args.until) == (date(2024, 1, 2), date(2024, 2, 1))
    assert args.refresh is True
    assert args.discover == frozenset({"sitemaps", "feeds"})


def test_start_urls_is_the_same_as_start_url() -> None:
    assert SpiderArgs.parse({"start_urls": "https://a.example/"}).start_urls == ("https://a.example/",)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"max_page": "4"}, "unknown spider argument(s) max_page"),
    ({"max_pages": "lots"}, "-a max_pages='lots' is not valid: expected a positive integer"),
    ({"max_pagination": "0"}, "expected a positive integer"),
    ({"max_pages": "-3"}, "expected a positive integer"),
    ({"since": "yesterday"}, "-a since='yesterday' is not valid: expected a day as YYYY-MM-DD"),
    ({"until": "2024-13-01"}, "expected a day as YYYY-MM-DD"),
    ({"since": "2024-03-01", "until": "2024-02-01"}, "the window is empty"),
    ({"refresh": "maybe"}, "-a refresh='maybe' is not valid: expected 1 or 0"),
    ({"render_js": "sometimes"}, "expected 1, 0 or auto"),
    ({"discover": "links,telepathy"}, "unknown ['telepathy']; accepted: links, sitemaps, feeds"),
])
def test_bad_values_name_the_argument(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        SpiderArgs.parse(arguments)
    assert message in str(caught.value)


def test_unknown_arguments_list_the_accepted_ones() -> None:
    with pytest.raises(UsageError, match="Accepted -a arguments: start_url: "):
        SpiderArgs.parse({"stat_url": "https://a.example/"})


def test_a_one_day_window_is_allowed() -> None:
    args = SpiderArgs.parse({"since": "2024-02-01", "until": "2024-02-01"})
    assert args.since == args.until == date(2024, 2, 1)


@pytest.mark.parametrize(("value", "bound"), [(None, None), ("0", None), ("", None), ("25", 25), (7, 7)])
def test_max_pages_setting(value: object, bound: int | None) -> None:
    assert max_pages_setting(Settings({"NEWSCRAWLER_MAX_PAGES": value})) == bound


@pytest.mark.parametrize("value", ["-1", "many"])
def test_bad_max_pages_setting_names_it(value: str) -> None:
    with pytest.raises(UsageError, match=f"-s NEWSCRAWLER_MAX_PAGES={value!r} is not valid"):
        max_pages_setting(Settings({"NEWSCRAWLER_MAX_PAGES": value}))
