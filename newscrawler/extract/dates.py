"""Date normalisation and the rules that pick a page's publication and modification dates.

Every candidate keeps the string as found and where it came from, because pages disagree
with themselves: the photo caption names an older day, the URL only a date, the
``<time>`` element a time with its offset. The rules here decide which one wins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from newscrawler.extract.dateparsing import parse_date_text
from newscrawler.extract.written_dates import find_written_date

PUBLISHED = "published"
MODIFIED = "modified"

# Lower rank wins. Profile selectors beat structured data, structured data beats markup,
# the URL (a reliable calendar date) beats free text (a guess near the headline).
SOURCE_RANK = {"profile": 0, "jsonld": 1, "meta": 2, "microdata": 3, "microformat": 4, "time": 5, "url": 6,
               "text": 7}
# Sources a reader sees on the page, and sources written by software for software.
VISIBLE_SOURCES = {"microformat", "time", "text"}
MACHINE_SOURCES = {"jsonld", "meta", "microdata", "microformat", "time", "profile"}
STRUCTURED_SOURCES = {"jsonld", "meta", "microdata"}

EARLIEST_YEAR = 1990
# A page without an offset may be in any time zone: allow this much ahead of the crawl clock.
NAIVE_SLACK = timedelta(hours=14)
# Aware times may be a little ahead of the crawler's clock (skew), not more.
AWARE_SLACK = timedelta(minutes=10)
# A lone structured date this much later than the day readers see is the story re-dated, not published.
REDATED_WITHIN = timedelta(days=7)

_ISO_START = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_EPOCH = re.compile(r"^\s*(\d{9,10})(\d{3})?(?:\.\d+)?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*$")
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/"
)
# Abbreviations with one meaning in news pages, in minutes east of UTC.
_FIXED_ZONES = {
    "GMT": 0, "UTC": 0, "Z": 0, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "IST": 330, "BST": 60, "CET": 60,
    "CEST": 120, "EET": 120, "EEST": 180, "WET": 0, "WEST": 60, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480,
    "SGT": 480, "AEST": 600, "AEDT": 660, "ACST": 570, "AWST": 480, "NZST": 720, "NZDT": 780, "PKT": 300,
    "WIB": 420, "SAST": 120, "WAT": 60, "EAT": 180, "BRT": -180, "ART": -180,
}
# Zone names that leave daylight saving to the reader: resolved for the date in question.
_DST_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
              "UK": "Europe/London"}


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


def parse_date(raw: str | None, language: str | None = None, *, machine: bool = False) -> ParsedDate | None:
    """Normalise a date string to ISO 8601, keeping the offset when the string has one.

    A string without a time becomes a bare ``YYYY-MM-DD``; one with a time but no zone stays
    naive. Returns None for anything that is not a plausible calendar date. ``language``
    (the page's, ``pt`` or ``en-GB``) spares dateparser from trying every locale it knows and orders
    "03/04/2020" as its readers do; a ``machine`` string (meta tags, JSON-LD) is written by
    software, whose slashes are American whatever the page's language.
    """
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 200:
        return None
    parsed = (_parse_iso(text) or _parse_numeric(text) or _parse_rfc2822(text)
              or _parse_written(text, None if machine else language)
              or _parse_free(text, language))
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


def _parse_written(text: str, language: str | None = None) -> tuple[datetime, bool] | None:
    """Dates written for readers, in any language ("Nov. 19, 2019 5:50 PM EST", "19. Juli 2014")."""
    found = find_written_date(text, language)
    if found is None:
        return None
    clock = found.clock
    if clock is None:
        return datetime(found.year, found.month, found.day), False
    hour, minute = int(clock.group("hour")), int(clock.group("minute"))
    meridiem = (clock.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    moment = datetime(found.year, found.month, found.day, hour, minute, int(clock.group("second") or 0))
    zone = _zone(clock.group("tz"), moment)
    return (moment.replace(tzinfo=zone) if zone else moment), True


def _zone(token: str | None, moment: datetime) -> tzinfo | None:
    """An offset for a written zone: numeric offsets, fixed abbreviations, US zones by DST."""
    if not token:
        return None
    token = token.strip().upper()
    numeric = re.search(r"([+-])(\d{1,2}):?(\d{2})?$", token)
    if numeric:
        sign = 1 if numeric.group(1) == "+" else -1
        hours, minutes = int(numeric.group(2)), int(numeric.group(3) or 0)
        if hours > 14 or minutes >= 60:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if token in _FIXED_ZONES:
        return timezone(timedelta(minutes=_FIXED_ZONES[token]))
    if token in _DST_ZONES:
        from zoneinfo import ZoneInfo

        offset = moment.replace(tzinfo=ZoneInfo(_DST_ZONES[token])).utcoffset()
        return timezone(offset) if offset is not None else None
    return None


def _parse_free(text: str, language: str | None = None) -> tuple[datetime, bool] | None:
    """Dates written in words of any language ("29 de setembro de 2022") through dateparser.

    Only strings with a digit and a word (a month name) get there: numeric forms the
    parsers above reject are not dates, and dateparser is slow to say so.
    """
    if len(text) > 80 or not re.search(r"\d", text) or not re.search(r"[^\W\d_]{3,}", text):
        return None
    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}
    try:
        moment = parse_date_text(text, languages=[language.split("-")[0]] if language else None, settings=settings)
    except (ValueError, TypeError, OverflowError, AttributeError):
        return None
    if moment is None:
        return None
    return moment, bool(_HAS_TIME.search(text))


def date_string(value: Any) -> str | None:
    """A structured data value as a date string: strings as they are, Unix times (seconds or
    milliseconds) as digits, ``{"@value": ...}`` and lists by their first element.

    Any other number is returned as digits too, so that choosing rejects and counts it
    rather than it vanishing unseen.
    """
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if math.isfinite(value) else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


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


def find_date_in_text(text: str, language: str | None = None) -> str | None:
    """The first calendar date (with its year, and the time beside it) written in a piece of text."""
    found = find_written_date(text or "", language)
    if found is None:
        return None
    day = text[found.start : found.end]
    if found.clock is None:
        return day
    clock = found.clock.group(0).strip()
    return f"{day} {clock}" if found.clock.start() >= found.end else f"{clock} {day}"


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
    language: str | None = None,
) -> tuple[ChosenDate | None, ChosenDate | None]:
    """Pick (published, modified) from the page's candidates by the project's date rules.

    The best-ranked source wins, unless the day a reader sees disagrees with it and more
    sources back that day; a date after the crawl is rejected; a bare date is upgraded to a
    candidate of the same day that carries a time and offset; a UTC instant is given in the
    site's own offset when the page shows it; modified is dropped when it falls before
    published, or equals it (never updated). Strings that are no date are skipped and
    counted (``bad_published_date``, ``bad_modified_date``).
    """
    notes = warnings if warnings is not None else []
    parsed = _parse_candidates(candidates, crawled_at, notes, language)
    offset = site_offset(parsed)
    published = _pick(parsed, PUBLISHED, offset)
    modified = _pick(parsed, MODIFIED, offset)
    if published and modified and is_before(modified[1], published[1]):
        notes.append("modified_before_published")
        modified = None
    elif published and modified and modified[0].value == published[0].value:
        modified = None  # "modified" equal to "published": the story was never updated
    return (published[0] if published else None), (modified[0] if modified else None)


Parsed = list[tuple[DateCandidate, ParsedDate]]


def _parse_candidates(candidates: list[DateCandidate], crawled_at: datetime, notes: list[str],
                      language: str | None) -> Parsed:
    """Every candidate that is a plausible date up to the crawl, best-ranked sources first."""
    valid: Parsed = []
    bad: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: SOURCE_RANK.get(c.source, len(SOURCE_RANK))):
        parsed = parse_date(candidate.raw, language, machine=candidate.source in MACHINE_SOURCES)
        if parsed is None:
            if candidate.source in MACHINE_SOURCES and candidate.kind not in bad:
                bad.add(candidate.kind)
                notes.append(f"bad_{candidate.kind}_date")
            continue
        if is_in_future(parsed, crawled_at):
            notes.append(f"future_{candidate.kind}_date")
            continue
        valid.append((candidate, parsed))
    return valid


def site_offset(parsed: Parsed) -> tzinfo | None:
    """The site's UTC offset, when the page states it beside a UTC instant: a date with a
    non-zero offset, else a wall-clock time that is a UTC instant shifted by whole quarter hours."""
    aware = [p for _, p in parsed if p.has_offset]
    for p in aware:
        offset = p.moment.utcoffset()
        if offset:
            return timezone(offset)
    utc = [(c.kind, p.moment) for c, p in parsed if p.has_offset]
    for candidate, p in parsed:
        if not p.has_time or p.has_offset:
            continue
        for kind, instant in utc:
            if kind != candidate.kind:
                continue
            shift = p.moment - instant.replace(tzinfo=None)
            minutes = round(shift.total_seconds() / 60)
            if shift and abs(shift.total_seconds() - minutes * 60) < 60 and minutes % 15 == 0 \
                    and -12 * 60 <= minutes <= 14 * 60 and minutes:
                return timezone(timedelta(minutes=minutes))
    return None


def local_day(parsed: ParsedDate, offset: tzinfo | None) -> date:
    """The calendar day a reader of the site sees for this date."""
    if parsed.has_offset and offset is not None:
        return parsed.moment.astimezone(offset).date()
    return parsed.moment.date()


def _pick(parsed: Parsed, kind: str, offset: tzinfo | None) -> tuple[ChosenDate, ParsedDate] | None:
    valid = [(c, p) for c, p in parsed if c.kind == kind]
    if not valid:
        return None
    best, best_parsed = valid[0]
    day = _readers_day(valid, local_day(best_parsed, offset), offset) if best.source != "profile" else None
    if day is not None:
        best, best_parsed = next((c, p) for c, p in valid if local_day(p, offset) == day)
    if not best_parsed.has_offset:
        for other, other_parsed in valid:
            same_day = local_day(other_parsed, offset) == local_day(best_parsed, offset)
            if same_day and (other_parsed.has_offset or (other_parsed.has_time and not best_parsed.has_time)):
                best, best_parsed = other, other_parsed
                if other_parsed.has_offset:
                    break
    value = best_parsed.value
    if best_parsed.has_offset and offset is not None and not best_parsed.moment.utcoffset():
        value = best_parsed.moment.astimezone(offset).isoformat()  # the same instant, in the site's offset
    return ChosenDate(value, best.raw.strip(), best.source), best_parsed


def _readers_day(valid: Parsed, top_day: date, offset: tzinfo | None) -> date | None:
    """Another day to prefer over the best-ranked source's, or None to keep it.

    A day that more kinds of source agree on, one of them visible to readers, wins over a
    lone structured date (a story re-dated in JSON-LD); so does the day readers see when a lone
    structured date is up to :data:`REDATED_WITHIN` later (meta tags re-dated by a later edit). Without the site's offset, a UTC
    instant just past midnight never beats the URL's day: that is the day the story ran.
    """
    support: dict[date, set[str]] = {}
    for candidate, parsed in valid:
        support.setdefault(local_day(parsed, offset), set()).add(candidate.source)
    top = support[top_day]
    for day, sources in support.items():
        if day != top_day and len(sources) >= 2 and len(sources) > len(top) and sources & VISIBLE_SOURCES:
            return day
    seen = next(((c, p) for c, p in valid if c.source in VISIBLE_SOURCES), None)
    if seen is not None and len(top) == 1 and top <= STRUCTURED_SOURCES:
        seen_day = local_day(seen[1], offset)
        if timedelta(0) < top_day - seen_day <= REDATED_WITHIN:
            return seen_day
    best = valid[0][1]
    if offset is None and best.has_offset and not best.moment.utcoffset():
        url_days = [local_day(p, None) for c, p in valid if c.source == "url"]
        rolled = top_day - timedelta(days=1) if best.moment.hour < 12 else top_day + timedelta(days=1)
        if rolled in url_days:
            return rolled
    return None
