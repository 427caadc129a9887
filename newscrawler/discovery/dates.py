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


MAX_UNPARSEABLE = 20
"""Unparseable dates one document may cost the general parser before it is no longer tried.

A string the general parser cannot read goes through dateparser, about 30 ms each: a
hostile sitemap of 50,000 distinct junk dates would hold the crawl for half an hour.
"""

DateResult = tuple[str | None, str | None, str | None]
"""``(iso, message, reason)``: the date, or why there is none (both None when it is absent)."""
_NOT_TRIED: DateResult = (None, "date not read: too many unparseable dates before it", "date_not_read")


class DateReader:
    """Reads the dates of one sitemap or feed: each distinct string once, and at most
    ``max_unparseable`` failures through the slow general parser (W3C datetimes are always read)."""

    def __init__(self, now: datetime | None = None, max_unparseable: int = MAX_UNPARSEABLE) -> None:
        self.now = now or datetime.now(timezone.utc)
        self.max_unparseable = max_unparseable
        self.unparseable = 0
        self.not_tried = 0
        self._seen: dict[str, DateResult] = {}

    def read(self, raw: str | None) -> DateResult:
        """``(iso, None, None)`` for a plausible date, ``(None, message, reason)`` for a wrong one,
        all None when there is no date.

        ISO 8601 keeps the offset when ``raw`` states one; a bare day stays ``YYYY-MM-DD``.
        """
        if raw is None or not str(raw).strip():
            return None, None, None
        text = str(raw).strip()
        result = self._seen.get(text)
        if result is None:
            result = self._parse(text)
            if result is not _NOT_TRIED:  # those are not kept: a junk sitemap would fill memory with them
                self._seen[text] = result
        return result

    def _parse(self, text: str) -> DateResult:
        parsed = _parse_w3c(text)
        if parsed is None:
            if self.unparseable >= self.max_unparseable:
                self.not_tried += 1
                return _NOT_TRIED
            parsed = page_dates.parse_date(text)
            if parsed is None:
                self.unparseable += 1
                return None, f"unparseable date {text[:80]!r}", "unparseable_date"
        if page_dates.is_in_future(parsed, self.now):
            return None, f"date in the future {text[:80]!r}", "future_date"
        return parsed.value, None, None


    def summary(self) -> str | None:
        """A note on the dates left unread because the document had too many bad ones."""
        if not self.not_tried:
            return None
        return f"{self.not_tried} dates not read: over {self.max_unparseable} unparseable dates in this document"


def normalize_date(raw: str | None, now: datetime | None = None) -> tuple[str | None, str | None]:
    """One date read on its own: ``(iso, None)``, or ``(None, why)``; ``(None, None)`` when absent."""
    value, message, _reason = DateReader(now).read(raw)
    return value, message


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
