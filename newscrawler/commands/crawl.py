"""``scrapy crawl``, with an exit status a scheduler can trust.

Scrapy's own command exits 1 when the crawl could not start and 0 otherwise, and an error
raised while the crawl is set up (a bad ``-a`` argument, a site lock held by another run, a
store that cannot be opened, no Chromium) reaches the terminal as an asyncio traceback. This
one says such an error in one line and exits 1, and otherwise exits with the crawl's verdict
(``newscrawler/exit_status``, see ``newscrawler/extensions/verdict.py``): 0 when the crawl did
its work, 2 when the site could not be crawled or articles were lost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import traceback
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler, CrawlerProcessBase
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from twisted.internet.defer import Deferred

from newscrawler.extensions.lock import CrawlLocked
from newscrawler.extensions.verdict import EXIT_STATUS_STAT, EXIT_USAGE
from newscrawler.storage.pipeline import StoreUnavailable

logger = logging.getLogger(__name__)

SETUP_ERRORS: tuple[type[BaseException], ...] = (
    UsageError, CrawlLocked, StoreUnavailable, ConnectionError, ValueError, OSError,
)
"""Errors that mean "this crawl cannot start as asked": bad arguments or settings, a lock
held, a database or program missing. Said in one line; anything else is a bug and keeps its
traceback."""


def run_judged(process: CrawlerProcessBase, crawler: Crawler, spider_args: dict[str, Any]) -> int:
    """Run one crawl to its end and return its exit status (see the module docstring)."""
    setup_errors: list[BaseException] = []
    started = process.crawl(crawler, **spider_args)
    if isinstance(started, Deferred):
        started.addErrback(lambda failure: setup_errors.append(failure.value))
    elif isinstance(started, asyncio.Future):
        # Reading the exception marks it retrieved: asyncio prints no traceback for it.
        started.add_done_callback(
            lambda task: setup_errors.append(task.exception()) if not task.cancelled() and task.exception() else None)
    process.start()
    if setup_errors:
        report_setup_error(setup_errors[0], crawler)
        return EXIT_USAGE
    if process.bootstrap_failed or crawler.stats is None:
        return EXIT_USAGE
    return int(crawler.stats.get_value(EXIT_STATUS_STAT, 0) or 0)


def report_setup_error(exc: BaseException, crawler: Crawler) -> None:
    """One line in the log and on stderr; a traceback only for what looks like a bug."""
    message = " ".join(str(exc).split()) or type(exc).__name__  # one line, even for a driver's
    if isinstance(exc, SETUP_ERRORS):
        if not getattr(exc, "logged", False):
            logger.error("%s", message)
        logs_elsewhere = crawler.settings.get("LOG_FILE") or not crawler.settings.getbool("LOG_ENABLED")
        if logs_elsewhere:
            print(f"Error: {message}", file=sys.stderr, flush=True)
        return
    logger.error("The crawl could not start: %s", message, exc_info=(type(exc), exc, exc.__traceback__))
    if crawler.settings.get("LOG_FILE"):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


class Command(ScrapyCrawlCommand):
    """``scrapy crawl SPIDER``: exit status 0 (done), 1 (usage or configuration), 2 (not done)."""

    def long_desc(self) -> str:
        return ("Run a spider of the current project. Exit status: 0 the crawl did its work; 1 usage or "
                "configuration error; 2 the site could not be crawled or articles were lost.")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Spider arguments are checked before Scrapy sets the crawl up (and logs its banner):
        a bad one is one line on stderr, exit status 1."""
        super().process_options(args, opts)
        if len(args) != 1:
            return
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return  # an unknown spider: Scrapy's own message, from run()
        check = getattr(spidercls, "check_arguments", None)
        if check is None:
            return
        try:
            check(opts.spargs, self.settings)
        except UsageError as exc:
            print(f"Error: {' '.join(str(exc).split())}", file=sys.stderr, flush=True)
            sys.exit(EXIT_USAGE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None
        try:
            crawler = self._create_crawler(args[0])
        except KeyError as exc:  # no such spider: Scrapy raises KeyError("Spider not found: NAME")
            print(f"Error: {exc.args[0] if exc.args else exc}", file=sys.stderr, flush=True)
            self.exitcode = EXIT_USAGE
            return
        self.exitcode = run_judged(self.crawler_process, crawler, opts.spargs)
