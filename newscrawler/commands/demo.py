"""``scrapy demo``: crawl the bundled demo news site, offline, into output/articles.jsonl.

Generates the demo site (deterministically) into a folder, serves it on 127.0.0.1 for
the length of the crawl and runs the ``news`` spider on it in generic mode, exactly as a
user would run it on a real site. Accepts the usual ``-a``, ``-s``, ``-o`` and ``-O``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand

from newscrawler.commands.crawl import run_judged
from newscrawler.demo.server import serve_directory

DEFAULT_OUTPUT = "output/articles.jsonl"
DEMO_DATABASE = "output/demo.db"


class DemoCommand(BaseRunSpiderCommand):
    requires_project = False
    default_settings = {"NEWSCRAWLER_PRINT_SUMMARY": True}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl the bundled demo news site offline into output/articles.jsonl"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site-dir", metavar="DIR",
                            help="write the demo site here (default: a temporary folder)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if self.settings.get("BOT_NAME") != "newscrawler":
            # Run from outside the project folder: use the project's settings all the same.
            self.settings.setmodule("newscrawler.settings", priority="project")
        super().process_options(args, opts)
        if not (opts.output or opts.overwrite_output):
            Path(DEFAULT_OUTPUT).parent.mkdir(parents=True, exist_ok=True)
            self.settings.set("FEEDS", {DEFAULT_OUTPUT: {"format": "jsonlines", "overwrite": True}},
                              priority="cmdline")
        if self.settings.getpriority("NEWSCRAWLER_SQLITE_PATH") < self.settings.getpriority("FEEDS"):
            # Each demo run starts from an empty store of its own, so every run writes every
            # article (a kept store would rightly report them all as unchanged).
            for suffix in ("", "-wal", "-shm"):
                Path(DEMO_DATABASE + suffix).unlink(missing_ok=True)
            self.settings.set("NEWSCRAWLER_SQLITE_PATH", DEMO_DATABASE, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawler.demo.generate import build_demo_site

        assert self.crawler_process is not None
        with tempfile.TemporaryDirectory(prefix="newscrawler-demo-") as tmp:
            site_dir = Path(opts.site_dir) if opts.site_dir else Path(tmp)
            manifest = build_demo_site(site_dir)
            with serve_directory(site_dir) as site:
                print(f"Demo site: {len(manifest.articles)} articles served at {site.base_url} from {site_dir}",
                      flush=True)
                spargs = {"start_url": site.base_url, **opts.spargs}
                self.exitcode = run_judged(self.crawler_process, self._create_crawler("news"), spargs)
