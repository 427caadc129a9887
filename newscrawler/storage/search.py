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
