"""The default store: every article upserted into a local SQLite file with full-text search."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from newscrawler.storage.base import StorageConfig
from newscrawler.storage.pipeline import StorePipeline
from newscrawler.storage.sqlite import SQLiteStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self


class SQLitePipeline(StorePipeline):
    """Upserts articles into ``NEWSCRAWLER_SQLITE_PATH`` by canonical URL (empty: off)."""

    label = "sqlite"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = StorageConfig.from_settings(crawler.settings).sqlite_path
        if path is None:
            raise NotConfigured("NEWSCRAWLER_SQLITE_PATH is empty")
        return cls(crawler, path)

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.path = path
        super().__init__(crawler, str(path))

    def open_store(self) -> SQLiteStore:
        return SQLiteStore(self.path)
