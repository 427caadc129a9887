"""What a search asks and what it returns, shared by the SQLite and PostgreSQL backends."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class SearchError(Exception):
    """A search that cannot run: no database, or a query the index cannot parse."""


@dataclass(frozen=True)
class SearchQuery:
    text: str
    limit: int = 10
    since: str | None = None
    """ISO date; matches published on or after it."""
    section: str | None = None
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


@dataclass(frozen=True)
class SearchHit:
    title: str | None
    published_at: str | None
    section: str | None
    url: str
    snippet: str | None
    score: float
    """Higher is better; comparable only within one backend."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Any, score: float) -> SearchHit:
        """A hit from a result row of either store (a mapping with the article's columns)."""
        return cls(
            title=row["title"],
            published_at=row["published_at"],
            section=row["section"],
            url=row["canonical_url"] or row["url"],
            snippet=row["snippet"],
            score=score,
        )
