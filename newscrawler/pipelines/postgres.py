"""Optional store: the same articles upserted into PostgreSQL (``NEWSCRAWLER_POSTGRES_DSN``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawler.storage.base import StorageConfig
from newscrawler.storage.pipeline import StorePipeline
from newscrawler.storage.schema import KEY
from newscrawler.storage.worker import ShardedWriter, StoreWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from newscrawler.storage.postgres import PostgresStore
    from typing_extensions import Self


class PostgresPipeline(StorePipeline):
    """Upserts articles into PostgreSQL by canonical URL; off while the DSN is empty."""

    label = "postgres"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dsn = StorageConfig.from_settings(crawler.settings).postgres_dsn
        if not dsn:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        return cls(crawler, dsn)

    def __init__(self, crawler: Crawler, dsn: str) -> None:
        # psycopg is an optional dependency: imported only when PostgreSQL is switched on.
        from newscrawler.storage.postgres import redact

        self.dsn = dsn
        self.writers = crawler.settings.getint("NEWSCRAWLER_POSTGRES_WRITERS", 2)
        if self.writers < 1:
            raise ValueError(f"NEWSCRAWLER_POSTGRES_WRITERS must be 1 or more, got {self.writers}")
        super().__init__(crawler, redact(dsn))

    def build_writer(self, name: str = "") -> StoreWriter[Any] | ShardedWriter[Any]:
        """Parallel connections: the server's tsvector and GIN work then uses several cores."""
        if self.writers == 1:
            return super().build_writer()
        shards = [super(PostgresPipeline, self).build_writer(f"newscrawler-postgres-{n}") for n in range(self.writers)]
        return ShardedWriter(shards, key=KEY)

    def open_store(self) -> PostgresStore:
        from newscrawler.storage.postgres import PostgresStore

        return PostgresStore(
            self.dsn,
            on_reconnect=lambda: self._count("reconnects"),
        )
