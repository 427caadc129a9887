"""Dates as discovery sees them: sitemap ``lastmod``, feed entry dates, dated URL paths.

Discovery dates decide what to fetch before fetching it, so a wrong one must not pass for a
right one: anything unparseable or in the future becomes None with a note saying why.
Parsing itself is the extractor's (``newscrawler.extract.dates``), so a date means the same
thing whether it came from a page, a sitemap or a feed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from newscrawler.extract import dates as page_dates


# W3C datetime, the form sitemaps and Atom feeds use: read directly, a hundred times faster
# than the general parser, which large sitemaps would otherwise spend seconds in.
_W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?")


def normalize_date(raw: str | None, now: datetime | None = None) -> tuple[str | None, str | None]:
    """``(iso, None)`` for a plausible date, ``(None, note)`` for a wrong one, ``(None, None)`` if absent.

    ISO 8601 keeps the offset when ``raw`` states one; a bare day stays ``YYYY-MM-DD``.
    """
    if raw is None or not str(raw).strip():
        return None, None
    text = str(raw).strip()
    parsed = _parse_w3c(text) or page_dates.parse_date(text)
    if parsed is None:
        return None, f"unparseable date {text[:80]!r}"
    if page_dates.is_in_future(parsed, now or datetime.now(timezone.utc)):
        return None, f"date in the future {text[:80]!r}"
    return parsed.value, None


def date_from_url(url: str) -> date | None:
    """The calendar day a dated path names (``/2024/03/05/``, ``/2024-03-05-``, ``/20240305/``)."""
    candidate = page_dates.date_from_url(url)
    return date.fromisoformat(candidate.raw) if candidate else None


def in_window(date_iso: str | None, since: date | None, until: date | None) -> bool | None:
    """Whether a date falls in ``since..until`` (both days included); None when the date is unknown.

    The day is read as written, in the date's own offset: a story published at 23:30 in
    New Delhi on the 5th belongs to the 5th, as its readers saw it.
    """
    if since is None and until is None:
        return True
    if not date_iso:
        return None
    try:
        day = date.fromisoformat(date_iso.strip()[:10])
    except ValueError:
        return None
    if since is not None and day < since:
        return False
    if until is not None and day > until:
        return False
    return True


def _parse_w3c(text: str) -> page_dates.ParsedDate | None:
    """The general parser's result for a W3C datetime, without its search through other forms."""
    if not _W3C_DATETIME.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not page_dates.EARLIEST_YEAR <= moment.year <= 2100:
        return None
    if len(text) == 10:
        return page_dates.ParsedDate(text, moment, has_time=False, has_offset=False)
    moment = moment.replace(microsecond=0)
    return page_dates.ParsedDate(moment.isoformat(), moment, has_time=True, has_offset=moment.tzinfo is not None)
