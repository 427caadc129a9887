"""Has a stored story changed, and does a URL point past today? Pure decisions for re-crawls.

A scheduled crawl should cost the site's changes, not its size. A story the store holds is
fetched again only on evidence that it changed after the stored copy was made: a sitemap
``lastmod`` or feed ``updated`` later than the stored copy's own ``modified_at``, or, when
it has none, later than both its ``published_at`` and the time it was fetched. A lastmod in
the future is no evidence (clocks and CMS bugs), and neither is any lastmod of a site known
to stamp every entry with the time of the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from newscrawler.discovery.dates import date_from_url

Freshness = Literal["changed", "unchanged", "future", "untrusted"]

_CLOCK_SKEW = timedelta(days=1)
"""A lastmod this far past now is from the future: no evidence of anything."""


@dataclass(frozen=True)
class StoredCopy:
    """What the store knows of a story it holds, as ISO 8601 strings ('' when unknown)."""

    modified_at: str = ""
    published_at: str = ""
    crawled_at: str = ""


def parse_instant(value: str | None) -> datetime | None:
    """An aware datetime from an ISO 8601 date or datetime (naive values read as UTC)."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def listing_freshness(listed: str | None, stored: StoredCopy, now: datetime | None = None,
                      trust_lastmod: bool = True) -> Freshness:
    """Does a listing's date say the stored copy is out of date?"""
    moment = parse_instant(listed)
    if moment is None:
        return "unchanged"
    now = now or datetime.now(timezone.utc)
    if moment > now + _CLOCK_SKEW:
        return "future"
    if not trust_lastmod:
        return "untrusted"
    modified = parse_instant(stored.modified_at)
    if modified is not None:
        return "changed" if moment > modified else "unchanged"
    bounds = [b for b in (parse_instant(stored.published_at), parse_instant(stored.crawled_at)) if b is not None]
    if not bounds:
        return "unchanged"  # nothing to compare with: the copy we hold stays
    return "changed" if all(moment > bound for bound in bounds) else "unchanged"


_QUERY_DATE_KEYS = frozenset({"day", "date", "d", "month", "year", "y", "m", "ymd", "archive", "from", "dt"})
_QUERY_DATE = re.compile(r"^(\d{4})(?:[-/.]?(\d{1,2})(?:[-/.]?(\d{1,2}))?)?$")
_ARCHIVE_PATH = re.compile(r"/(?:archives?|calendar|date)/(\d{4})(?:[/-](\d{1,2}))?(?:[/-](\d{1,2}))?(?:/|$)",
                           re.IGNORECASE)


def _first_day(year: str, month: str | None, day: str | None) -> date | None:
    """The first day a (year, month?, day?) names, or None when it is no calendar day."""
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def url_date_in_future(url: str, today: date) -> date | None:
    """The day a calendar or dated URL names when that day is after ``today``, else None.

    Covers dated paths (``/2031/05/04/``), archive paths (``/archive/2031/``,
    ``/calendar/2031-05``) and date query parameters (``?day=2031-05-04``, ``?date=20310504``,
    ``?year=2031``). An archive of a whole year or month counts from its first day.
    """
    parts = urlsplit(url)
    candidates: list[date] = []
    dated = date_from_url(url)
    if dated is not None:
        candidates.append(dated)
    match = _ARCHIVE_PATH.search(parts.path)
    if match:
        day = _first_day(*match.groups())
        if day is not None:
            candidates.append(day)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() not in _QUERY_DATE_KEYS:
            continue
        found = _QUERY_DATE.match(value.strip())
        if found and 1900 <= int(found.group(1)) <= 9999:
            day = _first_day(*found.groups())
            if day is not None:
                candidates.append(day)
    future = [day for day in candidates if day > today]
    return max(future) if future else None
