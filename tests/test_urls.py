"""Canonical URLs and the request fingerprinter built on them."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from newscrawler.urls import (
    CanonicalRequestFingerprinter,
    UrlCanonicalizer,
    canonicalize_url,
    www_hosts_of,
)

CASES = [
    # case, scheme and host lower-cased; default ports dropped; fragment dropped; query sorted
    ("HTTP://Example.COM/News/A?b=2&a=1#comments", "http://example.com/News/A?a=1&b=2"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"),
    ("https://example.com", "https://example.com/"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://example.com./a", "https://example.com/a"),
    # tracking parameters
    ("https://example.com/a?utm_source=tw&utm_medium=social&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
    ("https://example.com/a?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2", "https://example.com/a"),
    ("https://example.com/a?ref=home&cmpid=rss&page=2", "https://example.com/a?page=2"),
    ("https://example.com/a?itm_source=x&ns_campaign=y", "https://example.com/a"),
    # meaningful parameters survive, blank values too
    ("https://example.com/search?q=flood&page=3", "https://example.com/search?page=3&q=flood"),
    ("https://example.com/a?print", "https://example.com/a?print="),
    ("https://example.com/a?reference=1", "https://example.com/a?reference=1"),
    # www. folded to the bare host by default
    ("https://www.example.com/a", "https://example.com/a"),
    ("https://WWW.Example.com/a", "https://example.com/a"),
    ("https://www2.example.com/a", "https://www2.example.com/a"),
    ("https://www.com/a", "https://www.com/a"),
    # AMP variants map to the article
    ("https://example.com/news/story-1/amp/", "https://example.com/news/story-1/"),
    ("https://example.com/news/story-1/amp", "https://example.com/news/story-1"),
    ("https://example.com/amp/news/story-1", "https://example.com/news/story-1"),
    ("https://example.com/news/story-1?amp=1", "https://example.com/news/story-1"),
    ("https://example.com/news/story-1?amp", "https://example.com/news/story-1"),
    ("https://example.com/news/story-1?outputType=amp", "https://example.com/news/story-1"),
    ("https://amp.example.com/news/story-1", "https://example.com/news/story-1"),
    ("https://example.com/news/story-1.amp.html", "https://example.com/news/story-1.html"),
    ("https://example.com/news/world-123.amp", "https://example.com/news/world-123"),
    ("https://example-com.cdn.ampproject.org/c/s/example.com/news/a/amp/", "https://example.com/news/a/"),
    ("https://example-com.cdn.ampproject.org/c/example.com/a", "http://example.com/a"),
    # amp inside a word is not an AMP marker
    ("https://example.com/news/camp-fire?amp=0", "https://example.com/news/camp-fire?amp=0"),
    ("https://example.com/ampere/stamp.html", "https://example.com/ampere/stamp.html"),
    # percent-encoding normalised by w3lib
    ("https://example.com/%7Euser/a%20b", "https://example.com/~user/a%20b"),
    # userinfo and IPv6 kept intact
    ("http://user:pw@Example.com/a", "http://user:pw@example.com/a"),
    ("http://[::1]:80/a", "http://[::1]/a"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    # not http(s): untouched
    ("mailto:desk@example.com", "mailto:desk@example.com"),
    ("javascript:void(0)", "javascript:void(0)"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonicalize_url_is_idempotent(url: str, expected: str) -> None:
    assert canonicalize_url(canonicalize_url(url)) == expected


def test_custom_strip_params_replace_the_defaults() -> None:
    url = "https://example.com/a?utm_source=x&session=9&keep=1"
    assert canonicalize_url(url, strip_params=["session"]) == "https://example.com/a?keep=1&utm_source=x"
    assert canonicalize_url(url, strip_params=["sess*", "utm_*"]) == "https://example.com/a?keep=1"
    assert canonicalize_url(url, strip_params=[]) == "https://example.com/a?keep=1&session=9&utm_source=x"


def test_www_fold_follows_the_host_the_site_lives_on() -> None:
    hosts = www_hosts_of(["https://www.example.com/", "https://other.org/news"])
    assert hosts == frozenset({"example.com"})
    assert canonicalize_url("https://example.com/a", www_hosts=hosts) == "https://www.example.com/a"
    assert canonicalize_url("https://www.example.com/a", www_hosts=hosts) == "https://www.example.com/a"
    assert canonicalize_url("https://www.other.org/a", www_hosts=hosts) == "https://other.org/a"
    assert canonicalize_url("https://amp.example.com/a", www_hosts=hosts) == "https://www.example.com/a"


def test_fold_www_off_keeps_the_host() -> None:
    assert canonicalize_url("https://www.example.com/a", fold_www=False) == "https://www.example.com/a"
    assert canonicalize_url("https://example.com/a", fold_www=False) == "https://example.com/a"


@pytest.mark.parametrize("url", ["http:///a", "https://example.com:port/a", "http://[::1/a"])
def test_malformed_urls_raise_a_clear_error(url: str) -> None:
    with pytest.raises(ValueError, match="cannot canonicalise"):
        canonicalize_url(url)


def test_canonicalizer_reads_the_tracking_setting() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_TRACKING_PARAMS": "sid,utm_*"})
    canon = UrlCanonicalizer.from_settings(crawler.settings, ["https://www.example.com/"])
    assert canon("https://example.com/a?sid=1&fbclid=2&utm_medium=x") == "https://www.example.com/a?fbclid=2"
    default = UrlCanonicalizer.from_settings(get_crawler().settings)
    assert default("https://www.example.com/a?fbclid=2") == "https://example.com/a"


def _fingerprinter(**settings: object) -> CanonicalRequestFingerprinter:
    crawler = get_crawler(
        settings_dict={"REQUEST_FINGERPRINTER_CLASS": CanonicalRequestFingerprinter, **settings}
    )
    assert isinstance(crawler.request_fingerprinter, CanonicalRequestFingerprinter)
    return crawler.request_fingerprinter


def test_fingerprinter_treats_url_variants_as_one_request() -> None:
    fp = _fingerprinter().fingerprint
    variants = [
        "https://example.com/news/a",
        "https://www.example.com/news/a?utm_source=x",
        "https://example.com/news/a#top",
        "https://example.com/news/a/amp?fbclid=1",
        "https://amp.example.com/news/a",
        "HTTPS://EXAMPLE.com:443/news/a",
    ]
    assert len({fp(Request(url)) for url in variants}) == 1
    assert fp(Request("https://example.com/news/b")) != fp(Request(variants[0]))
    assert fp(Request("https://example.com/news/a?page=2")) != fp(Request(variants[0]))


def test_fingerprinter_keeps_method_and_body_apart() -> None:
    fp = _fingerprinter().fingerprint
    url = "https://example.com/api"
    assert fp(Request(url, method="POST", body=b"a")) != fp(Request(url, method="POST", body=b"b"))
    assert fp(Request(url, method="POST", body=b"a")) != fp(Request(url))


def test_fingerprinter_lets_a_redirect_to_the_clean_url_through() -> None:
    fp = _fingerprinter().fingerprint
    tracked = Request("https://example.com/a?utm_source=x")
    redirected = tracked.replace(url="https://example.com/a", meta={"redirect_urls": [tracked.url]})
    assert fp(redirected) != fp(tracked)
    # ...but a second redirect chain to the same place is still one request
    other = Request("https://example.com/a?fbclid=y")
    again = other.replace(url="https://example.com/a", meta={"redirect_urls": [other.url]})
    assert fp(again) == fp(redirected)


def test_fingerprinter_honours_the_tracking_setting() -> None:
    fp = _fingerprinter(NEWSCRAWLER_TRACKING_PARAMS=["session"]).fingerprint
    assert fp(Request("https://example.com/a?session=1")) == fp(Request("https://example.com/a"))
    assert fp(Request("https://example.com/a?utm_source=1")) != fp(Request("https://example.com/a"))


def test_fingerprinter_does_not_crash_on_a_malformed_url() -> None:
    fp = _fingerprinter().fingerprint
    assert fp(Request("http:///a")) != fp(Request("http://example.com/a"))
