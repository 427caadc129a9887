"""Dedupe state in the crawl's SQLite file (the default): written by one process at a time."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from newscrawler.dedupe.sql import Dialect, SQLDedupeStore
from newscrawler.storage.wal import use_wal

if TYPE_CHECKING:
    from typing import Self

    from newscrawler.pipelines.dedupe import DedupeConfig

logger = logging.getLogger(__name__)

SQLITE = Dialect(param="?", id_column="INTEGER PRIMARY KEY", integer="INTEGER", blob="BLOB",
                 key_table_options=" WITHOUT ROWID")


class SQLiteDedupeStore(SQLDedupeStore):
    """The shared dedupe tables in a SQLite file (``:memory:``: this run only)."""

    group_commit = True
    """Decisions may share a transaction: one process writes this store at a time."""
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path | str, *, params: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        if self.path != Path(":memory:"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        use_wal(conn)
        conn.execute("PRAGMA cache_size=-65536")
        super().__init__(conn, SQLITE, str(path))
        self.create_schema()
        self._migrate()
        if params:
            self._check_params(params)
        self.commit()

    @classmethod
    def from_config(cls, config: DedupeConfig, spider_name: str) -> Self:
        if not config.path:
            logger.warning("NEWSCRAWLER_SQLITE_PATH is empty: dedupe state lasts this run only")
        return cls(Path(config.path) if config.path else ":memory:", params=config.store_params())

    def _migrate(self) -> None:
        """State written by older versions: a body index that was not unique, columns added since."""
        self.conn.execute("DROP INDEX IF EXISTS dedupe_stories_body_hash")
        for table, column in (("dedupe_stories", "run_id"), ("dedupe_urls", "fetched_run")):
            if column not in {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")
