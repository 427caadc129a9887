"""What a search asks and what it returns, shared by the SQLite and PostgreSQL backends,
``scrapy search`` and the browse pages (``newscrawler.browse``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, TypeVar

FTS5_HELP = 'use words, "quoted phrases", AND / OR / NOT, prefix*'
ORDERS = ("relevance", "date")

T = TypeVar("T")


class SearchError(Exception):
    """A search that cannot run: no database, or a query the index cannot parse."""


@dataclass(frozen=True)
class SearchQuery:
    text: str
    """Full-text query; empty: every story (the newest first)."""
    limit: int = 10
    offset: int = 0
    """Matches to pass over first (pagination)."""
    order: str = "relevance"
    """``relevance`` (best first) or ``date`` (newest first)."""
    since: str | None = None
    """ISO date; matches published on or after it."""
    until: str | None = None
    """ISO date (that whole day included) or date-time; matches published on or before it."""
    section: str | None = None
    """Case-insensitive."""
    site: str | None = None
    author: str | None = None
    """One of the story's authors, exactly as stored."""
    mark: tuple[str, str] = ("**", "**")
    """Put around matched terms in the snippet."""
    window: int | None = 10_000
    """SQLite ranks only the newest this-many matches (``None`` or 0: all of them).

    Scoring every match of a word found in nearly every article costs ~1 µs a match
    (~80 ms at 100k articles, ~11 ms windowed) and such a word says little about relevance, so its
    newest matches are ranked. Queries with fewer matches are ranked in full.
    """
    max_length: int | None = None
    """Longest query text accepted, in characters (``None`` or 0: any). A query of 100,000
    characters took FTS5 3 s and 1 GB to parse; nobody types one, a script gone wrong might."""

    def check(self) -> None:
        """Refuse, with a :class:`SearchError` saying why, text no store should be handed."""
        if self.max_length and len(self.text) > self.max_length:
            raise SearchError(f"the query is {len(self.text):,} characters long; at most {self.max_length:,} "
                              "are accepted (-s NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH=N to change)")
        for what, value in (("query", self.text), ("--section", self.section or "")):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise SearchError(f"the {what} has bytes that are not text in this terminal's encoding "
                                  f"(at character {exc.start + 1}): retype it, or use a UTF-8 locale") from None

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, got {self.order!r}")

    def until_bound(self) -> tuple[str, str] | None:
        """(operator, value) that ``published_at`` must meet: a bare date takes in its whole day."""
        if not self.until:
            return None
        try:
            return "<", (date.fromisoformat(self.until) + timedelta(days=1)).isoformat()
        except ValueError:
            return "<=", self.until


@dataclass(frozen=True)
class SearchHit:
    title: str | None
    published_at: str | None
    section: str | None
    url: str
    snippet: str | None
    score: float
    """Higher is better; comparable only within one backend (0 when ordered by date)."""
    id: int | None = None
    """The story's row id in its store."""
    site: str | None = None
    authors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Any, score: float) -> SearchHit:
        """A hit from a result row of either store (a mapping with the article's columns)."""
        keys = set(row.keys())
        authors = row["authors"] if "authors" in keys else None
        if isinstance(authors, str):
            authors = json.loads(authors)
        return cls(
            title=row["title"],
            published_at=row["published_at"],
            section=row["section"],
            url=row["canonical_url"] or row["url"],
            snippet=row["snippet"],
            score=score,
            id=row["id"] if "id" in keys else None,
            site=row["site"] if "site" in keys else None,
            authors=list(authors or []),
        )


@dataclass(frozen=True)
class Facets:
    """How many stories match, and how they spread over sections, sites and months."""

    total: int
    counted: int
    """Matches the facets count: the newest ``SearchQuery.window`` of them at most."""
    section: list[tuple[str, int]]
    site: list[tuple[str, int]]
    month: list[tuple[str, int]]
    """``YYYY-MM``, newest first."""


def as_plain_words(text: str) -> str:
    """The query as FTS5 phrases, one per word, so punctuation ("covid-19") loses its syntax."""
    words = [w.replace('"', "") for w in text.split()]
    return " ".join(f'"{w}"' for w in words if w.strip("\"" + "()*:^+-"))


def with_plain_words_fallback(
    run: Callable[[SearchQuery], T], query: SearchQuery, errors: type[Exception] | tuple[type[Exception], ...]
) -> tuple[T, SearchQuery, str | None]:
    """``run(query)``; when the index cannot parse the query, ``run`` again on its plain words.

    Returns the result, the query that gave it and, after a fallback, the parser's complaint.
    Raises :class:`SearchError` when neither form can be searched.
    """
    try:
        return run(query), query, None
    except errors as exc:
        words = as_plain_words(query.text)
        if not words:
            raise SearchError(f"cannot search for {query.text!r}: {exc} ({FTS5_HELP})") from exc
        plain = replace(query, text=words)
        try:
            return run(plain), plain, str(exc)
        except errors as exc2:
            raise SearchError(f"cannot search for {query.text!r}: {exc2} ({FTS5_HELP})") from exc2
