"""``scrapy archive``: package a folder of WARCs as a WACZ that ReplayWeb.page and pywb open.

Every ``*.warc.gz`` of the folder goes in (revisit records may refer to payloads stored by
earlier runs into the same folder). ``pages.jsonl`` lists the ``--entry`` pages, then the
stored articles of ``NEWSCRAWLER_SQLITE_PATH`` that the WARCs hold a capture of.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.archive.wacz import Page, WaczError, write_wacz
from newscrawler.storage.base import StorageConfig


class ArchiveCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[WARC_DIR] -o FILE.wacz [--entry URL ...]"

    def short_desc(self) -> str:
        return "Package archived WARCs as a WACZ (pages: entry pages and stored articles)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="WACZ file to write (default: FOLDER.wacz)")
        parser.add_argument("--entry", metavar="URL", action="append", default=[],
                            help="an entry page to list first (repeatable), e.g. the start URL")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) > 1:
            raise UsageError("give at most one WARC folder", print_help=False)
        folder = Path(args[0] if args else (self.settings.get("NEWSCRAWLER_WARC_DIR")
                                            or self.settings.get("NEWSCRAWLER_SNAPSHOT_DIR") or "output/warc"))
        files = sorted(folder.glob("*.warc.gz"))
        if not files:
            raise UsageError(f"no *.warc.gz file in {folder}", print_help=False)
        output = Path(opts.output or f"{folder.resolve()}.wacz")
        try:
            path = write_wacz(files, output, [Page(url) for url in opts.entry], self._articles(),
                              title=f"newscrawler snapshot ({folder.name})")
        except WaczError as exc:
            raise UsageError(str(exc), print_help=False) from None
        print(f"{path}: {len(files)} WARC file(s)")
        print(f"  pywb: wb-manager add --unpack-wacz COLLECTION {path}; ReplayWeb.page: open the file")

    def _articles(self) -> list[Page]:
        from newscrawler.storage import sqlite as store

        assert self.settings is not None
        path = StorageConfig.from_settings(self.settings).sqlite_path
        if path is None or not path.exists():
            return []
        try:
            conn = store.connect(path, readonly=True)
            try:
                return [Page(url, title) for url, title in store.archived_articles(conn)]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise UsageError(f"cannot read the articles of {path}: {exc}", print_help=False) from None
