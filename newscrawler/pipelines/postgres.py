"""Optional store: the same articles upserted into PostgreSQL (``NEWSCRAWLER_POSTGRES_DSN``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from newscrawler.storage.pipeline import StorePipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newscrawler.storage.postgres import PostgresStore
    from typing_extensions import Self


def postgres_dsn(settings: BaseSettings) -> str:
    """The DSN from the setting, else the environment variable of the same name."""
    return settings.get("NEWSCRAWLER_POSTGRES_DSN") or os.environ.get("NEWSCRAWLER_POSTGRES_DSN", "")


class PostgresPipeline(StorePipeline):
    """Upserts articles into PostgreSQL by canonical URL; off while the DSN is empty."""

    label = "postgres"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dsn = postgres_dsn(crawler.settings)
        if not dsn:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        return cls(crawler, dsn)

    def __init__(self, crawler: Crawler, dsn: str) -> None:
        # psycopg is an optional dependency: imported only when PostgreSQL is switched on.
        from newscrawler.storage.postgres import redact

        self.dsn = dsn
        super().__init__(crawler, redact(dsn))

    def open_store(self) -> PostgresStore:
        from newscrawler.storage.postgres import PostgresStore

        return PostgresStore(
            self.dsn,
            on_reject=self.reject,
            on_reconnect=lambda: self.stats.inc_value("newscrawler/postgres/reconnects"),
        )
