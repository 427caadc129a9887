"""``scrapy frontier seed|status|reset``: the frontier that workers share through Redis.

``seed URL ...`` adds start URLs (canonicalised and fingerprinted as the spider does, so a
URL already seen is not queued again); ``status`` prints requests queued, URLs seen, busy
workers and stories in the dedupe state; ``reset`` forgets the queue and seen URLs, so the
next pass fetches every page again, and ``reset --dedupe`` forgets the dedupe state too.

The Redis URL and key prefix are the crawl's own settings (``NEWSCRAWLER_REDIS_URL``, else
``$NEWSCRAWLER_REDIS_URL``, else redis://127.0.0.1:6379/0; ``NEWSCRAWLER_REDIS_KEY_PREFIX``),
or ``--redis-url`` and ``--prefix``. A Redis that cannot be reached is one line on stderr
and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.scheduler.keys import DEFAULT_KEY_PREFIX

ACTIONS = ("seed", "status", "reset")
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
"""The Redis asked when neither the settings nor the environment name one."""


class FrontierCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "seed URL [URL ...] | status | reset [--dedupe]"

    def short_desc(self) -> str:
        return "Seed, inspect or reset the frontier that crawl workers share through Redis"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis-url", metavar="URL",
                            help=f"Redis of the shared crawl (default: NEWSCRAWLER_REDIS_URL, else {LOCAL_REDIS})")
        parser.add_argument("--prefix", metavar="PREFIX",
                            help=f"NEWSCRAWLER_REDIS_KEY_PREFIX of the crawl (default {DEFAULT_KEY_PREFIX})")
        parser.add_argument("--spider", metavar="NAME", default="news", help="the crawl's spider (default news)")
        parser.add_argument("--dedupe", action="store_true",
                            help="with reset: also forget the dedupe state, so the next pass emits every story as new")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args or args[0] not in ACTIONS:
            raise UsageError(f"say what to do: {', '.join(ACTIONS)}")
        action, urls = args[0], args[1:]
        if action == "seed" and not urls:
            raise UsageError("seed needs at least one URL")
        if action != "seed" and urls:
            raise UsageError(f"{action} takes no URL, got {' '.join(urls)}")
        if opts.dedupe and action != "reset":
            raise UsageError("--dedupe goes with reset")
        url = (opts.redis_url or self.settings.get("NEWSCRAWLER_REDIS_URL")
               or os.environ.get("NEWSCRAWLER_REDIS_URL") or LOCAL_REDIS)
        prefix = opts.prefix or self.settings.get("NEWSCRAWLER_REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX
        try:
            from redis.exceptions import RedisError

            if action == "seed":
                import scrapy_redis  # noqa: F401 - seeding writes scrapy-redis's queue
            from newscrawler.scheduler import operations
        except ImportError as exc:
            raise UsageError(f"scrapy frontier needs the redis extra: pip install 'newscrawler[redis]' ({exc})",
                             print_help=False) from None
        try:
            if action == "seed":
                print(f"added {operations.seed(url, urls, prefix, opts.spider)} of {len(urls)} URLs")
            elif action == "reset":
                print(f"deleted {operations.reset(url, prefix, opts.spider, dedupe=opts.dedupe)} keys")
            else:
                for name, value in operations.status(url, prefix, opts.spider).items():
                    print(f"{name}: {value}")
        except (RedisError, ValueError) as exc:
            print(f"Error: cannot use the shared frontier at {url}: {exc}", file=sys.stderr, flush=True)
            self.exitcode = 1
