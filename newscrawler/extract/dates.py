"""Date normalisation and the rules that pick a page's publication and modification dates.

Every candidate keeps the string as found and where it came from, because pages disagree
with themselves: the photo caption names an older day, the URL only a date, the
``<time>`` element a time with its offset. The rules here decide which one wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

PUBLISHED = "published"
MODIFIED = "modified"

# Lower rank wins. Profile selectors beat structured data, structured data beats markup,
# the URL (a reliable calendar date) beats free text (a guess near the headline).
SOURCE_RANK = {"profile": 0, "jsonld": 1, "meta": 2, "microdata": 3, "time": 4, "url": 5, "text": 6}

EARLIEST_YEAR = 1990
# A page without an offset may be in any time zone: allow this much ahead of the crawl clock.
NAIVE_SLACK = timedelta(hours=14)
# Aware times may be a little ahead of the crawler's clock (skew), not more.
AWARE_SLACK = timedelta(minutes=10)

_ISO_START = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*$")
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/"
)
_MONTH_WORD = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}"
    r"|\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b",
    re.IGNORECASE,
)
_TZ_ABBREVIATIONS = {"GMT": "+00:00", "UTC": "+00:00", "Z": "+00:00"}


@dataclass(frozen=True)
class DateCandidate:
    """One date string found on a page, with where it came from and what it claims to be."""

    raw: str
    source: str
    kind: str = PUBLISHED


@dataclass(frozen=True)
class ParsedDate:
    """A normalised date: ``value`` is ISO 8601, ``moment`` the same instant for comparisons."""

    value: str
    moment: datetime
    has_time: bool
    has_offset: bool


@dataclass(frozen=True)
class ChosenDate:
    """The date an Article field gets, with its raw string and source."""

    value: str
    raw: str
    source: str


def parse_date(raw: str | None) -> ParsedDate | None:
    """Normalise a date string to ISO 8601, keeping the offset when the string has one.

    A string without a time becomes a bare ``YYYY-MM-DD``; one with a time but no zone stays
    naive. Returns None for anything that is not a plausible calendar date.
    """
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 200:
        return None
    parsed = _parse_iso(text) or _parse_numeric(text) or _parse_rfc2822(text) or _parse_free(text)
    if parsed is None:
        return None
    moment, has_time = parsed
    if not EARLIEST_YEAR <= moment.year <= 2100:
        return None
    has_offset = moment.tzinfo is not None and has_time
    if not has_time:
        value = moment.date().isoformat()
        moment = moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    else:
        moment = moment.replace(microsecond=0)
        value = moment.isoformat()
    return ParsedDate(value, moment, has_time, has_offset)


def _parse_iso(text: str) -> tuple[datetime, bool] | None:
    if not _ISO_START.match(text):
        return None
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    candidate = re.sub(r"\s+(GMT|UTC)$", "Z", candidate)
    candidate = re.sub(r"(\.\d{6})\d+", r"\1", candidate)  # nanoseconds: fromisoformat takes micro
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return moment, "T" in candidate


def _parse_numeric(text: str) -> tuple[datetime, bool] | None:
    epoch = _EPOCH.match(text)
    if epoch:
        return datetime.fromtimestamp(int(epoch.group(1)), tz=timezone.utc), True
    compact = _COMPACT.match(text)
    if compact:
        year, month, day, hour, minute, second = compact.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError:
            return None
        return moment, hour is not None
    return None


def _parse_rfc2822(text: str) -> tuple[datetime, bool] | None:
    if not re.match(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", text):
        return None
    try:
        return parsedate_to_datetime(text), True
    except (TypeError, ValueError):
        return None


def _parse_free(text: str) -> tuple[datetime, bool] | None:
    """Human-written dates ("Sept. 29, 2022 10:15 AM IST") through dateparser."""
    if not re.search(r"\d", text):
        return None
    import dateparser  # heavy import: only when a page needs it

    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}
    try:
        moment = dateparser.parse(text, settings=settings)
    except (ValueError, TypeError, OverflowError, AttributeError):
        return None
    if moment is None:
        return None
    return moment, bool(_HAS_TIME.search(text))


def date_from_url(url: str) -> DateCandidate | None:
    """The calendar date many news sites put in their article paths (``/2022/09/29/``)."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    parts = [g for g in match.groups() if g]
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return DateCandidate(day.isoformat(), "url", PUBLISHED)


def find_date_in_text(text: str) -> str | None:
    """The first explicit calendar date (with its year) written in a short piece of text."""
    match = _MONTH_WORD.search(text or "")
    if not match:
        return None
    tail = text[match.end() : match.end() + 40]
    time_part = re.match(r"(?:\s*(?:at|,|-|\|)?\s*)(\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4}\b)?)", tail, re.I)
    return match.group(0) + (" " + time_part.group(1) if time_part else "")


def is_in_future(parsed: ParsedDate, crawled_at: datetime) -> bool:
    """True when a date lies after the crawl, allowing for an unknown time zone."""
    now = crawled_at if crawled_at.tzinfo else crawled_at.replace(tzinfo=timezone.utc)
    if parsed.has_offset:
        return parsed.moment > now + AWARE_SLACK
    naive_now = now.astimezone(timezone.utc).replace(tzinfo=None)
    if parsed.has_time:
        return parsed.moment.replace(tzinfo=None) > naive_now + NAIVE_SLACK
    return parsed.moment.date() > (naive_now + NAIVE_SLACK).date()


def _comparable(parsed: ParsedDate) -> datetime:
    """A naive UTC-ish instant for ordering dates with and without offsets."""
    moment = parsed.moment
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def is_before(later: ParsedDate, earlier: ParsedDate) -> bool:
    """True when ``later`` is really before ``earlier``; bare dates compare by calendar day."""
    if not later.has_time or not earlier.has_time:
        return later.moment.date() < earlier.moment.date()
    if later.has_offset != earlier.has_offset:
        # One side's zone is unknown: only a gap larger than any zone difference counts.
        return _comparable(later) < _comparable(earlier) - NAIVE_SLACK
    return _comparable(later) < _comparable(earlier)


def choose_dates(
    candidates: list[DateCandidate],
    crawled_at: datetime,
    warnings: list[str] | None = None,
) -> tuple[ChosenDate | None, ChosenDate | None]:
    """Pick (published, modified) from the page's candidates by the project's date rules.

    The best-ranked source wins; a date after the crawl is rejected; a bare date is
    upgraded to a candidate of the same day that carries a time and offset; modified is
    dropped when it falls before published.
    """
    notes = warnings if warnings is not None else []
    published = _pick(candidates, PUBLISHED, crawled_at, notes)
    modified = _pick(candidates, MODIFIED, crawled_at, notes)
    if published and modified and is_before(modified[1], published[1]):
        notes.append("modified_before_published")
        modified = None
    return (published[0] if published else None), (modified[0] if modified else None)


def _pick(
    candidates: list[DateCandidate], kind: str, crawled_at: datetime, notes: list[str]
) -> tuple[ChosenDate, ParsedDate] | None:
    valid: list[tuple[DateCandidate, ParsedDate]] = []
    for candidate in sorted(
        (c for c in candidates if c.kind == kind), key=lambda c: SOURCE_RANK.get(c.source, len(SOURCE_RANK))
    ):
        parsed = parse_date(candidate.raw)
        if parsed is None:
            continue
        if is_in_future(parsed, crawled_at):
            notes.append(f"future_{kind}_date")
            continue
        valid.append((candidate, parsed))
    if not valid:
        return None
    best, best_parsed = valid[0]
    if not best_parsed.has_offset:
        for other, other_parsed in valid[1:]:
            same_day = other_parsed.moment.date() == best_parsed.moment.date()
            if same_day and (other_parsed.has_offset or (other_parsed.has_time and not best_parsed.has_time)):
                best, best_parsed = other, other_parsed
                if other_parsed.has_offset:
                    break
    return ChosenDate(best_parsed.value, best.raw.strip(), best.source), best_parsed
