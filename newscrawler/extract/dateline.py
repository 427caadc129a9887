"""Datelines: "New Delhi, Sept 29-" -> place, date and wire agency. Pure: no Scrapy.

A dateline is read only at the very start of a text. One precompiled pattern covers the
wire shapes (``CITY, Mon DD (Agency) -``, ``CITY (Reuters) -``, ``City:``, ``CITY —``, date
alone); two small ones cover ``PORTLAND, Ore. Protesters ...`` (no separator after a US
state abbreviation) and a place alone on the first line. Month names other than English
ones go to dateparser, which is slow, so only a text already shaped like a dateline gets
there. Shapes that carry no date and no agency ("Kolkata:", "Washington —") are accepted
only when the place is known (``places.is_place``), since kickers ("Weather Today:",
"LIVE UPDATES -") have the same shape.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import regex

from newscrawler.extract.dateparsing import locale_info, parse_date_text
from newscrawler.extract.places import is_place, is_town
from newscrawler.items import Dateline

# A dateline sits in the first few dozen characters; never scan a whole body.
_HEAD_CHARS = 400

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?!\p{L})"
)
_SP = r"[ \t\xa0]"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?i:st|nd|rd|th)?(?![\d\p{L}])"
_YEAR = rf"(?:,?{_SP}*(?P<year>(?:1[89]|20)\d\d)(?!\d))?"
_DATE = rf"""(?<![\p{{L}}\d])(?:
    (?P<month>{_MONTH})\.?{_SP}*(?P<day>{_DAY}){_YEAR}
  | (?P<day>{_DAY}){_SP}+(?P<month>{_MONTH})\.?{_YEAR}
  | (?P<fdate>\d{{1,2}}\.?{_SP}+(?:de{_SP}+)?\p{{L}}{{3,12}}\.?(?:{_SP}+(?:de{_SP}+)?\d{{4}})?
             | \p{{L}}{{3,12}}\.?{_SP}*\d{{1,2}}(?!\d)(?:,?{_SP}*\d{{4}})?)
)"""
# A capitalised word: "NEW", "Delhi", "N.J.", "J&K", "WINSTON-SALEM", "O'Hare", "Mt."
_WORD = r"\p{Lu}(?:\p{L}|[.'’&-](?=\p{L}))*+\.?"
_CONNECTOR = r"(?:and|&|de|del|della|di|da|do|dos|das|du|des|la|le|les|el|al|of|upon|on|am|an|der|den|op|aan|sur|y)"
# Atomic, and never taking "March 3" in: backtracking over names is what made it slow.
_NAME = rf"(?>{_WORD}(?:(?:{_SP}+(?:{_CONNECTOR}{_SP}+){{0,2}}|{_SP}*/{_SP}*)(?!{_MONTH}\.?{_SP}*\d){_WORD}){{0,5}})"
# Lower-case copy ("panama city, april 29 - ...") is accepted only with a date and a dash.
_LOWER_NAME = r"\p{Ll}[\p{Ll}.'-]*(?:[ \t]\p{Ll}[\p{Ll}.'-]*){0,3}"
_BEFORE_DATE = rf"{_SP}*,?{_SP}*(?:{_MONTH}|\d)"
_LOCATION = rf"""(?:
    {_NAME}(?:{_SP}*,{_SP}*(?!{_MONTH}\.?{_SP}*\d){_NAME}){{0,2}}
    (?:{_SP}*\(\p{{Lu}}[\p{{L}}&. ]{{1,24}}\)(?={_BEFORE_DATE}|{_SP}*[\[(]))?  # "Amethi (UP), Aug 3"
    (?:{_SP}*\[\p{{Lu}}[\p{{L}}&. ]{{1,24}}\](?={_BEFORE_DATE}))?  # ANI's "New Delhi [India], July 31"
  | {_LOWER_NAME}(?=,{_SP}*{_MONTH})
)"""
_AGENCY = rf"""(?:
    (?:{_SP}*|{_SP}*--{_SP}*)\((?P<agency>\p{{L}}[^()\n:]{{0,39}}?)\)   # "(AP)", "--(BUSINESS WIRE)"
  | {_SP}*,{_SP}*(?P<comma_agency>\p{{Lu}}[\p{{L}}.&/-]*(?:{_SP}\p{{Lu}}[\p{{L}}.&/-]*)?)(?=\s{{0,3}}(?:--|[-‐-―−:]))
  | {_SP}+/(?P<agency>\p{{L}}[^/\n]{{1,29}})/
)"""
# Hyphens and dashes (not before a digit: "COVID-19"), old AP's "_", the Post-Dispatch's "•".
_DASH = r"(?:(?:--|[-‐-―−])(?!\d)|_(?=[ \t])|•)"
# Languages of the wires dateparser may read month names in ("3 de marzo", "5. März").
_FOREIGN_LANGUAGES = (
    "es", "fr", "de", "pt", "it", "nl", "id", "ms", "tr", "pl", "sv", "da", "nb", "fi", "ro",
    "cs", "hu", "ru", "uk", "ca", "hr", "sk", "sl", "tl", "vi", "sw", "af", "lt", "lv", "et",
    "sr", "bg", "el",
)
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_LETTERS = regex.compile(r"\p{L}+")
_SPANISH_DE = regex.compile(r"\bde\b")
_FOUR_DIGITS = regex.compile(r"\d{4}")
_SEPARATOR = rf"\s{{0,3}}(?:\.?{_SP}*{_DASH}|:)"

_DATELINE = regex.compile(
    rf"""
    (?P<location>{_LOCATION})?
    (?:(?(location){_SP}*,?{_SP}*)(?P<date>{_DATE}))?
    (?P<agency_part>{_AGENCY})?
    (?:(?P<sep>{_SEPARATOR}) | (?<=\))(?=\s*\S))
    \s*
    """,
    regex.VERBOSE,
)

# AP's state abbreviations (and Canada's), the only words a dateline may end on with no
# separator after it: "PORTLAND, Ore. Protesters who ...".
_STATE_ABBREVIATIONS = (
    "Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. "
    "Minn. Miss. Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. Okla. Ore. Pa. R.I. S.C. "
    "S.D. Tenn. Vt. Va. Wash. W.Va. Wis. Wyo. D.C. Ont. Que. Sask. Alta. Man. B.C. N.S. N.B. "
    "Nfld. P.E.I."
).split()
_STATE_SET = frozenset(s.casefold().rstrip(".") for s in _STATE_ABBREVIATIONS)
_CAPS_NAME = r"\p{Lu}[\p{L}.'’&-]*(?:[ \t]\p{Lu}[\p{L}.'’&-]*){0,4}"
_STATE_DATELINE = regex.compile(
    rf"(?P<location>{_CAPS_NAME},{_SP}*(?i:{'|'.join(regex.escape(s) for s in _STATE_ABBREVIATIONS)}))"
    rf"{_SP}+(?=[\"“‘']?\p{{Lu}}\p{{Ll}})"
)
# A place alone on the first line, then a blank line ("Pittsburgh\n\nBrock Nelson's ...").
_LINE_DATELINE = regex.compile(rf"(?P<location>{_NAME}(?:,{_SP}*{_NAME})?){_SP}*\n{_SP}*\n\s*(?=\S)")
_PLACE_PARTS = regex.compile(r"\s*/\s*|\s+and\s+")
# Exchange suffixes of Reuters instrument codes: "(SUNW.O)" is a ticker, "(CBS.MW)" a wire.
_TICKER = regex.compile(
    r"[A-Z0-9]{1,6}\.(?:O|N|OQ|L|T|AS|HK|PA|DE|TO|SS|SZ|KS|BO|NS|AX|MI|MC|SW|ST|CO|HE|OL|BR|LS|VI|F|V|SI|BK|JK)"
    r"|(?i:nyse|nasdaq|amex|lse|tsx|bse|nse)\b.*"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_CAPTION = regex.compile(
    rf"\((?:[^()]{{0,30}}[ /])?(?:Photo|Pic|Image|File Photo)s?\b[^()]{{0,60}}\)"  # "(PTI Photo/Name)"
    rf"|\b(?:REUTERS|Reuters|AFP|EPA|Xinhua)/\p{{Lu}}|\bGetty Images\b|\bPhoto(?:graph)?s? by\b"
    rf"|,{_SP}*{_WEEKDAY},{_SP}*{_MONTH}\.?{_SP}*\d{{1,2}},{_SP}*\d{{4}}\."  # "in Srinagar, Monday, Sept. 29, 2022."
)
_STORY_START = regex.compile(r"[\"“‘']?[\p{Lu}\d]")
_CREDIT = regex.compile(r"(?i)\b(?:photo|file|image|video|pic)s?\b")
_TIME_OR_DATE = regex.compile(rf"\d{{1,2}}[:.]\d\d|{_MONTH}\.?{_SP}*\d")
_CAPTION_DATE = regex.compile(rf"{_MONTH}\.?{_SP}*\d{{1,2}}(?:,?{_SP}*\d{{4}})?{_SP}*:")
# "New DelhiCNN", "Washington, DCCNN", "New YorkCNN Business": CNN's markup, flattened.
_GLUED_AGENCY = regex.compile(r"(?:(?<=\p{Ll})\p{Lu}{2,6}|(?<=\p{L})CNN)(?:[ \t]\p{Lu}\p{Ll}+)?$")

# Words a lead sentence, byline, caption or timestamp starts with; never a place.
_NOT_PLACES = frozenset(
    """on in at by for from to the a an as after before during since until when while if this
    that these those it he she we they i updated update published posted modified last first
    dated date written reviewed file photo photos image picture pic credit courtesy source
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow""".split()
    + list(_MONTHS)
)
# Capitalised labels that open captions and kickers, not stories.
_KICKERS = frozenset(
    kicker.strip()
    for kicker in """file photo|photo|photos|file|video|watch|update|updated|breaking|breaking news|exclusive
    |analysis|opinion|editorial|comment|commentary|note|correction|corrected|live|review
    |interview|feature|advisory|alert|flash|urgent|refile|rpt|insight|factbox|explainer
    |explained|fact check|sponsored|advertisement|read more|also read|see also|related
    |weather|sports|sport|business|politics|world|nation|entertainment|technology|tech|health
    |science|markets|obituary|poll|quiz|transcript|summary|background|highlights|timeline
    |top news|the latest|latest|today|tonight|news|wrapup|preview|recap|podcast|listen
    |graphic|graphics|gallery|slideshow|q&a|faq|disclaimer|warning|caution|notice|reuters
    |ap|afp|pti|ians|ani|xinhua|cnn|breakingviews|global markets|emerging markets|forex
    |us stocks|stocks|bonds|oil|gold|metals|grains|softs|precious|wrapup|snapshot|instant view
    |scenarios|diary|press digest|table|buzz|brief|column|letter|letters|editor's note
    |developing|just in|must read|trending|viral|top stories|headlines|morning briefing""".split("|")
)


def parse_dateline(text: str, reference: date | datetime | str | None = None) -> Dateline | None:
    """The dateline ``text`` opens with, or None when it opens with anything else.

    ``reference`` (the publication date; today when None) only serves to infer the year
    of ``Dateline.date``; an unreadable reference string raises ``ValueError``.
    """
    if not isinstance(text, str) or not text:
        return None
    ref = _reference_date(reference)
    head = text[:_HEAD_CHARS]
    start = len(head) - len(head.lstrip())
    dateline = (
        _parse_wire(head, start, ref)
        or _parse_state_abbreviation(head, start, ref)
        or _parse_own_line(head, start, ref)
    )
    if dateline is not None and _is_photo_caption(head, dateline.end):
        return None
    return dateline


def _is_photo_caption(text: str, start: int) -> bool:
    """PTI's and AP's captions open like datelines ("Srinagar: Soldiers stand guard ... in
    Srinagar, Monday, Sept. 29, 2022. (PTI Photo)"); their credit or date line gives them away."""
    paragraph_end = text.find("\n", start)
    paragraph = text[start:] if paragraph_end == -1 else text[start:paragraph_end]
    return _CAPTION.search(paragraph) is not None


def _parse_wire(text: str, start: int, ref: date) -> Dateline | None:
    match = _DATELINE.match(text, start)
    if match is None:
        return None
    location, agency = match.group("location"), _agency(match)
    separator = (match.group("sep") or "").strip()
    if location and not agency and separator and (glued := _GLUED_AGENCY.search(location)):
        if glued.group().startswith("CNN") or "\n" in match.group("sep"):
            location, agency = location[: glued.start()], glued.group()
    if agency is not None and not _plausible_agency(agency, match):
        return None
    month = day = year = None
    if match.group("date"):
        if (parsed := _read_date(match)) is None:
            return None
        month, day, year = parsed
    if location is not None:
        if not _plausible_location(location, has_date=month is not None, agency=agency, separator=separator):
            return None
    elif agency is None and not _plausible_bare_date(text, match, year, separator):
        return None
    if _CAPTION_DATE.match(text, match.end()):  # Getty: "NEW DELHI, INDIA - JULY 31: ..."
        return None
    raw_end = match.end("sep") if match.group("sep") else _raw_end_without_separator(match)
    return _dateline(text, start, raw_end, match.end(), location, month, day, year, agency, ref)


def _plausible_agency(agency: str, match: regex.Match[str]) -> bool:
    """A wire's name, not a stock ticker ("(SUNW.O)"); a comma-agency only after a date."""
    if match.group("comma_agency") and not match.group("date"):
        return False
    if not match.group("sep"):
        if not match.group("location") and not match.group("date"):
            return False  # "(AP Photo/Evan Vucci) President ...": a credit, not a dateline
        if not match.group("date") and not _STORY_START.match(match.string, match.end()):
            return False  # "Tehreek-e-Insaf (PTI) has stirred ...": a sentence goes on
    return _TICKER.fullmatch(agency) is None and _CREDIT.search(agency) is None


def _plausible_bare_date(text: str, match: regex.Match[str], year: int | None, separator: str) -> bool:
    """A date alone ("April 7 - as of Friday") only as old wire copy writes it: no year, a dash,
    and then neither a time ("Sept 29 - 10:15 IST") nor a second date ("Sept 29 - Oct 3")."""
    if match.group("date") is None or year is not None or separator in ("", ":"):
        return False
    return _TIME_OR_DATE.match(text, match.end()) is None


def _parse_state_abbreviation(text: str, start: int, ref: date) -> Dateline | None:
    match = _STATE_DATELINE.match(text, start)
    if match is None:
        return None
    city = match.group("location").split(",")[0]
    if city.casefold() in _KICKERS or _first_word(city) in _NOT_PLACES:
        return None
    if city != city.upper() and not is_place(city):  # "Portland, Ore. Protesters ..."
        return None
    location = match.group("location")
    return _dateline(text, start, match.end("location"), match.end(), location, None, None, None, None, ref)


def _parse_own_line(text: str, start: int, ref: date) -> Dateline | None:
    match = _LINE_DATELINE.match(text, start)
    if match is None:
        return None
    location = match.group("location")
    if not is_town(location.split(",")[0]):  # "India" alone on a line heads a section
        return None
    return _dateline(text, start, match.end("location"), match.end(), location, None, None, None, None, ref)


def _agency(match: regex.Match[str]) -> str | None:
    agency = match.group("agency") or match.group("comma_agency")
    return agency.strip() if agency else None


def _raw_end_without_separator(match: regex.Match[str]) -> int:
    """Where a dateline with no dash or colon ends: after its closing parenthesis."""
    return max(match.end("location"), match.end("date"), match.end("agency_part"))


def _read_date(match: regex.Match[str]) -> tuple[int, int, int | None] | None:
    """(month, day, year written or None) from the date part of a dateline match."""
    if match.group("fdate"):
        return _foreign_date(match.group("fdate"))
    month = _MONTHS[match.group("month").casefold()]
    day = int(match.group("day").rstrip("stndrhSTNDRH"))
    year = int(match.group("year")) if match.group("year") else None
    return month, day, year


@lru_cache(maxsize=2048)
def _foreign_date(fragment: str) -> tuple[int, int, int | None] | None:
    """Month and day of a date in another language ("12 de enero", "5. März"), by dateparser.

    dateparser is slow and tries every language it knows, so it only sees fragments whose
    word is a month name in one of the languages it names for that word.
    """
    words = [word for word in _LETTERS.findall(fragment) if word.casefold() != "de"]
    languages = _foreign_month_names().get(words[0].casefold()) if words else None
    if not languages:
        return None
    settings = {"REQUIRE_PARTS": ["day", "month"], "PREFER_DAY_OF_MONTH": "first"}
    try:
        parsed = parse_date_text(_SPANISH_DE.sub(" ", fragment), languages=list(languages), settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None:
        return None
    year = _FOUR_DIGITS.search(fragment)
    return parsed.month, parsed.day, parsed.year if year else None


@cache
def _foreign_month_names() -> dict[str, tuple[str, ...]]:
    """Month names and abbreviations (case-folded, no dot) -> the languages that use them."""
    names: dict[str, set[str]] = {}
    for language in _FOREIGN_LANGUAGES:
        info = locale_info(language)
        for month in _MONTH_KEYS:
            for name in info.get(month, ()):
                names.setdefault(name.casefold().rstrip("."), set()).add(language)
    return {name: tuple(sorted(languages)) for name, languages in names.items()}


def _plausible_location(location: str, *, has_date: bool, agency: str | None, separator: str) -> bool:
    """Tells a place from a lead sentence, a kicker, a caption or a byline."""
    city = location.split(",")[0].strip()
    if city.casefold() in _KICKERS or _first_word(city) in _NOT_PLACES and not is_place(city):
        return False  # "THE HAGUE" is a place all the same
    if location == location.lower():
        return has_date and separator not in ("", ":")
    if has_date or (agency and separator):
        return True
    if agency:  # "CHICAGO (AP) A prosecutor ...": no separator at all
        return city == city.upper() or _known_place(location)
    # Nothing but a name and a dash or colon: kickers ("LIVE UPDATES -", "Weather Today:")
    # have that shape too, so the name must be a known place; before a colon a town, as
    # "Pakistan: ..." is more often a headline than a dateline.
    return _known_place(location, towns_only=separator == ":")


def _known_place(location: str, *, towns_only: bool = False) -> bool:
    """The place, one of its parts ("Gurugram and New Delhi") or its state is known."""
    city, _, region = location.partition(",")
    parts = _PLACE_PARTS.split(city.strip())
    if any((is_town if towns_only else is_place)(part) for part in parts):
        return True
    region = region.strip().split(",")[0].strip()
    return bool(region) and (region.casefold().rstrip(".") in _STATE_SET or is_place(region))


def _first_word(name: str) -> str:
    words = name.split()
    return words[0].casefold().rstrip(".") if words else ""


def _dateline(
    text: str, start: int, raw_end: int, end: int, location: str | None,
    month: int | None, day: int | None, year: int | None, agency: str | None, ref: date,
) -> Dateline:
    return Dateline(
        raw=text[start:raw_end].strip(),
        location=location.strip() if location else None,
        month=month,
        day=day,
        year=year,
        date=_infer_date(month, day, year, ref),
        agency=agency,
        end=end,
    )


def _infer_date(month: int | None, day: int | None, year: int | None, ref: date) -> str | None:
    """ISO date: the written year, else the year putting it nearest ``ref`` but not after ``ref`` + 1 day."""
    if month is None or day is None:
        return None
    if year is not None:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    latest = ref + timedelta(days=1)
    for candidate_year in range(latest.year, latest.year - 5, -1):  # Feb 29 may be 4 years back
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate <= latest:
            return candidate.isoformat()
    return None


def _reference_date(reference: date | datetime | str | None) -> date:
    if reference is None:
        return date.today()
    if isinstance(reference, datetime):
        return reference.date()
    if isinstance(reference, date):
        return reference
    if isinstance(reference, str):
        try:
            return date.fromisoformat(reference.strip()[:10])
        except ValueError:
            raise ValueError(f"reference must be an ISO date (YYYY-MM-DD...), got {reference!r}") from None
    raise TypeError(f"reference must be a date, datetime, ISO string or None, got {type(reference).__name__}")
