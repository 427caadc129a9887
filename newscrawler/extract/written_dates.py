"""Calendar dates as pages write them for readers, in every language dateparser knows.

"19. Juli 2014", "6 oct. 2017", "15 августа 2016", "November 22, 2011", "2020. február 14.",
"2020年2月14日", "06.10.2017 11:15", "2017/10/06". A regular expression finds the shape
(day, word, year), and the month names dateparser ships for ~200 languages say whether the
word is a month. This is much faster than asking dateparser to try every locale on every
string, so it can run over every short date-looking line of a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
_ROMAN = re.compile(r"^[ivxl]+$")

# Day, month word, year ("19. Juli 2014", "1er mai 2020", "13 de junio de 2019", "21st of May, 2019").
_DAY_WORD_YEAR = re.compile(
    r"(?<![\d.,:/])(?P<day>[0-3]?\d)(?:\.|st|nd|rd|th|er|º|°)?\s*(?:de\s+|of\s+)?"
    r"(?P<word>[^\W\d_]{3,})\.?,?\s*(?:de\s+|del\s+)?(?P<year>(?:19|20)\d{2})(?!\d)",
    re.IGNORECASE)
# Month word, day, year ("November 22, 2011", "Sept. 2 2022").
_WORD_DAY_YEAR = re.compile(
    r"(?<![^\W\d_])(?P<word>[^\W\d_]{3,})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\.?,?\s+(?P<year>(?:19|20)\d{2})(?!\d)",
    re.IGNORECASE)
# Year, month word, day ("2020. február 14.").
_YEAR_WORD_DAY = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\.?\s+(?P<word>[^\W\d_]{3,})\.?\s+(?P<day>[0-3]?\d)(?![\d:])",
    re.IGNORECASE)
# Chinese, Japanese and Korean numerals with their unit signs.
_CJK = re.compile(r"(?P<year>(?:19|20)\d{2})\s*[年년]\s*(?P<month>[01]?\d)\s*[月월]\s*(?P<day>[0-3]?\d)\s*[日일]?")
_YEAR_FIRST = re.compile(
    r"(?<![\d./-])(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)(?![\d/-])")
_YEAR_LAST = re.compile(
    r"(?<![\d./-])(?P<first>[0-3]?\d)(?P<sep>[./-])\s?(?P<second>[0-3]?\d)(?P=sep)\s?"
    r"(?P<year>(?:19|20)\d{2})(?![\d/-])")
_WORD_PATTERNS = (_DAY_WORD_YEAR, _WORD_DAY_YEAR, _YEAR_WORD_DAY)
_NUMERIC_PATTERNS = (_YEAR_FIRST, _YEAR_LAST, _CJK)

CLOCK = re.compile(
    r"(?<![\d:])(?P<hour>[01]?\d|2[0-3])(?::|h|\.(?=\d\d\s*(?:uhr|h\b|[ap]\.?m)))(?P<minute>[0-5]\d)"
    r"(?::(?P<second>[0-5]\d))?(?:\.\d+)?(?!\d)"
    r"\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
    r"(?:\s*(?P<tz>(?:GMT|UTC)?\s?[+-]\d{1,2}(?::?\d{2})?(?!\d)|(?-i:[A-Z]{2,5})\b))?",
    re.IGNORECASE,
)
# How far a time may sit after (or before) the date it belongs to.
_CLOCK_AFTER = 40
_CLOCK_BEFORE = 25


@dataclass(frozen=True)
class WrittenDate:
    """A calendar date found in text: where it is, and the day (and time) it names."""

    start: int
    end: int
    year: int
    month: int
    day: int
    clock: re.Match[str] | None = None

    @property
    def text_end(self) -> int:
        """End of the date and of the time that follows it, when one does."""
        return max(self.end, self.clock.end()) if self.clock and self.clock.start() >= self.end else self.end


@dataclass(frozen=True)
class _MonthTable:
    by_language: dict[str, dict[str, int]]
    shared: dict[str, int]
    day_first: dict[str, bool]


@lru_cache(maxsize=1)
def _month_table() -> _MonthTable:
    """Month names of every dateparser language; a name shared by languages with different
    months ("listopad") is only trusted in the page's own language (English wins "may")."""
    import importlib
    import pkgutil

    import dateparser.data.date_translation_data as translations

    by_language: dict[str, dict[str, int]] = {}
    day_first: dict[str, bool] = {}
    seen: dict[str, set[int]] = {}
    for module in pkgutil.iter_modules(translations.__path__):
        info = importlib.import_module(f"{translations.__name__}.{module.name}").info
        names: dict[str, int] = {}
        for number, key in enumerate(_MONTH_KEYS, start=1):
            for name in info.get(key, []):
                word = name.lower().rstrip(".")
                if len(word) < 3 or _ROMAN.match(word) or not word.isalpha():
                    continue
                names.setdefault(word, number)
                seen.setdefault(word, set()).add(number)
        code = module.name.lower()
        by_language[code] = names
        _note_order(day_first, code, info.get("date_order"))
        for locale, specific in (info.get("locale_specific") or {}).items():
            _note_order(day_first, locale.lower(), specific.get("date_order"))
    english = by_language.get("en", {})
    shared = {word: next(iter(months)) for word, months in seen.items() if len(months) == 1}
    shared.update(english)
    return _MonthTable(by_language, shared, day_first)


def _note_order(day_first: dict[str, bool], code: str, order: str | None) -> None:
    if order:
        day_first[code] = order.index("D") < order.index("M")


def month_number(word: str, language: str | None = None) -> int | None:
    """The month a word names ("Juli", "oct", "августа"), in the page's language first."""
    table = _month_table()
    word = word.lower().rstrip(".")
    if language:
        code = language.lower().replace("_", "-")
        for key in (code, code.split("-")[0]):
            found = table.by_language.get(key, {}).get(word)
            if found:
                return found
    return table.shared.get(word)


def day_comes_first(language: str | None) -> bool | None:
    """Whether "03/04/2020" is the 3rd of April in this language (None when unknown)."""
    if not language:
        return None
    table = _month_table()
    code = language.lower().replace("_", "-")
    for key in (code, code.split("-")[0]):
        if key in table.day_first:
            return table.day_first[key]
    return None


def find_written_date(text: str, language: str | None = None) -> WrittenDate | None:
    """The first calendar date (with its year) written in ``text``, with the time beside it."""
    found = sorted(written_dates(text, language), key=lambda d: d.start)
    return found[0] if found else None


def written_dates(text: str, language: str | None = None) -> list[WrittenDate]:
    """Every calendar date written in ``text`` (overlaps resolved by earliest start)."""
    dates: list[WrittenDate] = []
    for pattern in _WORD_PATTERNS:
        for match in pattern.finditer(text):
            month = month_number(match.group("word"), language)
            if month:
                _add(dates, text, match, int(match.group("year")), month, int(match.group("day")))
    for pattern in _NUMERIC_PATTERNS:
        for match in pattern.finditer(text):
            if "first" in match.groupdict():
                day, month = _day_and_month(match, language)
            else:
                day, month = int(match.group("day")), int(match.group("month"))
            _add(dates, text, match, int(match.group("year")), month, day)
    dates.sort(key=lambda d: d.start)
    kept: list[WrittenDate] = []
    for date_found in dates:
        if not kept or date_found.start >= kept[-1].end:
            kept.append(date_found)
    for i, (this, following) in enumerate(zip(kept, kept[1:])):
        clock = this.clock
        if clock is not None and clock.start() >= this.end and clock.end() > following.start:
            # that time belongs to the next date ("May 1, 2022 | Updated May 2, 2022 7:06 AM")
            kept[i] = replace(this, clock=CLOCK.search(text, this.end, following.start))
    return kept


def _day_and_month(match: re.Match[str], language: str | None) -> tuple[int, int]:
    first, second = int(match.group("first")), int(match.group("second"))
    if first > 12 or match.group("sep") == ".":
        return first, second
    if second > 12:
        return second, first
    day_first = day_comes_first(language)
    if day_first is None:
        day_first = match.group("sep") != "/"  # "09/29/2022" is American when nothing says otherwise
    return (first, second) if day_first else (second, first)


def _add(dates: list[WrittenDate], text: str, match: re.Match[str], year: int, month: int, day: int) -> None:
    try:
        datetime(year, month, day)
    except ValueError:
        return
    clock = CLOCK.search(text, match.end(), min(len(text), match.end() + _CLOCK_AFTER))
    if clock is None:
        before = CLOCK.search(text, max(0, match.start() - _CLOCK_BEFORE), match.start())
        clock = before if before and before.end() >= match.start() - 3 else None
    dates.append(WrittenDate(match.start(), match.end(), year, month, day, clock))
