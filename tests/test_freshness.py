"""Re-crawl decisions, pure: is a listed date evidence of a change, does a URL point past today."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from newscrawler.discovery.freshness import StoredCopy, listing_freshness, parse_instant, url_date_in_future

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
FETCHED = StoredCopy(published_at="2026-11-20T08:00:00+01:00", crawled_at="2026-12-01T06:00:00+00:00")


@pytest.mark.parametrize(("listed", "stored", "verdict"), [
    # No modified_at: the lastmod must be later than both the publication and the fetch.
    ("2026-12-02T10:00:00Z", FETCHED, "changed"),
    ("2026-11-25", FETCHED, "unchanged"),  # after publication, before our fetch: the copy we hold
    ("2026-11-20T09:00:00+02:00", FETCHED, "unchanged"),
    # modified_at wins over the fetch time.
    ("2026-11-29T00:00:00Z", StoredCopy("2026-11-28T10:00:00Z", "2026-11-20", "2026-12-01T00:00:00Z"), "changed"),
    ("2026-11-28T10:00:00Z", StoredCopy("2026-11-28T10:00:00Z", "2026-11-20", "2026-12-01T00:00:00Z"), "unchanged"),
    # Offsets compared as instants: 11:30+02:00 is 09:30Z, before 10:00Z.
    ("2026-11-28T11:30:00+02:00", StoredCopy("2026-11-28T10:00:00Z"), "unchanged"),
    # A date in the future is no evidence; neither is no date, nor one we cannot read.
    ("2031-01-01T00:00:00Z", FETCHED, "future"),
    (None, FETCHED, "unchanged"),
    ("yesterday-ish", FETCHED, "unchanged"),
    # A copy that says nothing of its age is kept.
    ("2026-12-02T10:00:00Z", StoredCopy(), "unchanged"),
])
def test_listing_freshness(listed, stored, verdict) -> None:
    assert listing_freshness(listed, stored, now=NOW) == verdict


def test_an_untrusted_sites_lastmod_is_no_evidence() -> None:
    assert listing_freshness("2026-12-02T10:00:00Z", FETCHED, now=NOW, trust_lastmod=False) == "untrusted"


def test_parse_instant_reads_dates_and_naive_times_as_utc() -> None:
    assert parse_instant("2026-12-01") == datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert parse_instant("2026-12-01T10:00:00") == datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    assert parse_instant("") is None and parse_instant("13/13/2026") is None


TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(("url", "future"), [
    ("https://n.example/2031/05/04/story/", date(2031, 5, 4)),
    ("https://n.example/archive/2031/", date(2031, 1, 1)),
    ("https://n.example/calendar/2027-02/", date(2027, 2, 1)),
    ("https://n.example/events/?day=2027-01-15", date(2027, 1, 15)),
    ("https://n.example/events/?date=20270115", date(2027, 1, 15)),
    ("https://n.example/events/?year=2027&month=3", date(2027, 1, 1)),
    ("https://n.example/2026/12/03/story/", None),
    ("https://n.example/archive/2026/", None),
    ("https://n.example/archive/?day=17", None),  # a day number is no calendar day: the empty-page rule ends it
    ("https://n.example/news/?page=2031", None),
    ("https://n.example/archive/2026/13/", None),  # no such month
])
def test_url_date_in_future(url, future) -> None:
    assert url_date_in_future(url, TODAY) == future
