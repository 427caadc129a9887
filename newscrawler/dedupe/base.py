"""What every dedupe backend offers the story index: the :class:`DedupeBackend` protocol.

The SQLite and PostgreSQL backends share their SQL (``sql.py``); Redis keeps the same
records in its own layout (``redis.py``). :data:`BACKENDS` names the class of each, as
Scrapy's ``FEED_STORAGES`` names a storage by URI scheme, so a backend's driver is imported
only when it is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from typing import Self

    from newscrawler.pipelines.dedupe import DedupeConfig

BACKENDS: dict[str, str] = {
    "sqlite": "newscrawler.dedupe.sqlite.SQLiteDedupeStore",
    "postgres": "newscrawler.dedupe.postgres.PostgresDedupeStore",
    "redis": "newscrawler.dedupe.redis.RedisDedupeStore",
}
"""``NEWSCRAWLER_DEDUPE_BACKEND`` value -> the class that keeps the state there."""


@dataclass(frozen=True)
class StoredStory:
    """What the store remembers of a story."""

    id: int
    canonical_url: str
    body_hash: bytes | None
    content_hash: bytes
    modified_at: str | None
    signature: bytes | None
    run_id: int | None
    """The last run that saw this story (emitted, updated, unchanged or duplicated)."""


@dataclass(frozen=True)
class UrlMatch:
    """A known URL: the story it belongs to, how (``story`` or an alias kind), when fetched."""

    story: StoredStory
    kind: str
    fetched_run: int | None


def now_iso() -> str:
    """The time the dedupe state stamps rows with: UTC, ISO 8601, seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class DedupeBackend(Protocol):
    """The dedupe state of one crawl: lookups, then writes that :meth:`commit` makes final.

    Used from one thread at a time (the dedupe pipeline's worker).
    """

    where: str
    """Where the state lives, for logs (no password)."""
    group_commit: bool
    """Decisions may share a transaction: one process writes this state at a time."""

    @classmethod
    def from_config(cls, config: DedupeConfig, spider_name: str) -> Self:
        """Open the state the crawl's settings name (``spider_name``: for per-spider keys)."""
        ...

    @property
    def conflict_errors(self) -> tuple[type[Exception], ...]:
        """Errors meaning another writer stored the same story first: decide again."""
        ...

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """Errors of the database itself (locked for too long, disk full, connection lost)."""
        ...

    def start_run(self) -> int:
        """A new run number: what this run sees is told apart from what earlier runs saw."""
        ...

    def lookup_urls(self, urls: Iterable[str]) -> dict[str, UrlMatch]:
        """The known ones among ``urls``, with their stories."""
        ...

    def lock_bands(self, band_keys: list[int]) -> None:
        """Hold these LSH band keys until the decision commits."""
        ...

    def story_by_body_hash(self, body_hash: bytes) -> StoredStory | None: ...

    def candidates(self, band_keys: list[int]) -> list[StoredStory]:
        """Stories sharing at least one LSH band key (at most 50)."""
        ...

    def count_stories(self) -> int: ...

    def last_story_id(self) -> int:
        """Roughly how many stories are stored, without a scan."""
        ...

    def add_story(self, canonical_url: str, *, body_hash: bytes | None, content_hash: bytes,
                  modified_at: str | None, signature: bytes | None, band_keys: list[int], run_id: int,
                  fetch_url: str) -> int: ...

    def update_story(self, story: StoredStory, *, body_hash: bytes | None, content_hash: bytes,
                     modified_at: str | None, signature: bytes | None, old_band_keys: list[int],
                     band_keys: list[int], run_id: int) -> None: ...

    def forget_story(self, story: StoredStory, band_keys: list[int], *, content_hash: bytes,
                     run_id: int) -> None: ...

    def touch(self, story: StoredStory, run_id: int) -> None: ...

    def mark_fetched(self, url: str, run_id: int) -> None: ...

    def add_alias(self, url: str, story_id: int, canonical_url: str, kind: str, *,
                  fetched_run: int | None = None, now: str | None = None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...
