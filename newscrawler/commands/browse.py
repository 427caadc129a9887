"""``scrapy browse``: the crawl's store as a news archive in the browser (Datasette).

Serves ``NEWSCRAWLER_SQLITE_PATH`` (or ``output/demo.db`` when only ``scrapy demo`` has run)
on 127.0.0.1 with the archive's pages (``newscrawler.browse``), and prints the address.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.commands.demo import DEMO_DATABASE
from newscrawler.storage.base import StorageConfig


def datasette_command(database: Path, host: str, port: int) -> list[str]:
    """The ``datasette`` command line that serves ``database`` as the archive."""
    from newscrawler.browse import datasette_options

    return [sys.executable, "-m", "datasette", "serve", str(database), *datasette_options(),
            "--host", host, "--port", str(port)]


class BrowseCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--port N] [--host ADDRESS] [DATABASE]"

    def short_desc(self) -> str:
        return "Search and read the stored stories in the browser (Datasette on 127.0.0.1)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--port", type=int, default=8001, help="port to serve on (default 8001; 0: any free port)")
        parser.add_argument("--host", default="127.0.0.1",
                            help="address to bind (default 127.0.0.1: this machine only)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if self.settings.get("BOT_NAME") != "newscrawler":
            self.settings.setmodule("newscrawler.settings", priority="project")
        super().process_options(args, opts)

    def database(self, args: list[str]) -> Path:
        """The store to serve: the argument, else the setting, else the demo's store."""
        assert self.settings is not None
        if len(args) > 1:
            raise UsageError("give at most one database")
        if args:
            path = Path(args[0])
        else:
            configured = StorageConfig.from_settings(self.settings).sqlite_path
            if configured is None:
                raise UsageError("NEWSCRAWLER_SQLITE_PATH is empty: name the database to browse")
            path = configured
            explicit = self.settings.getpriority("NEWSCRAWLER_SQLITE_PATH") > self.settings.getpriority("BOT_NAME")
            if not path.is_file() and not explicit and Path(DEMO_DATABASE).is_file():
                path = Path(DEMO_DATABASE)
        if not path.is_file():
            raise UsageError(f"no database at {path}: crawl first (scrapy demo, scrapy crawl news ...) "
                             "or point -s NEWSCRAWLER_SQLITE_PATH=... at one")
        return path

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        path = self.database(args)
        try:
            import datasette  # noqa: F401
        except ImportError:
            raise UsageError('scrapy browse needs Datasette: pip install "newscrawler[browse]"') from None
        self.upgrade(path)
        env = dict(os.environ)
        if replay := self.settings.get("NEWSCRAWLER_REPLAY_URL"):
            env["NEWSCRAWLER_REPLAY_URL"] = replay
        for name in ("NEWSCRAWLER_SEARCH_WINDOW", "NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH"):
            env[name] = str(self.settings.getint(name))  # the pages search as `scrapy search` does
        name = path.stem
        shown_host = f"[{opts.host}]" if ":" in opts.host else opts.host
        if opts.port:
            print(f"News archive of {path}: http://{shown_host}:{opts.port}/{name} (Ctrl-C stops it)", flush=True)
        # This process becomes Datasette: Ctrl-C, SIGTERM from a service manager and the exit
        # status are the server's own, and no orphaned server is left behind.
        command = datasette_command(path, opts.host, opts.port)
        os.execve(command[0], command, env)

    @staticmethod
    def upgrade(path: Path) -> None:
        """Bring an older store's schema up to date (the search pages' indexes), as a crawl would."""
        import sqlite3

        from newscrawler.storage.sqlite import SQLiteStore

        try:
            SQLiteStore(path, timeout=5).close()
        except sqlite3.Error as exc:
            # Read-only file or a crawl holding it: the pages work without the indexes, only slower.
            print(f"browse: could not update {path} ({exc}); serving it as it is", file=sys.stderr)
