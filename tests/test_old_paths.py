"""Dotted paths that users' settings and scheduled crawls name keep loading after the moves
of issue 16, with a deprecation warning that names the new place."""

from __future__ import annotations

import sys

import pytest
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.utils.misc import load_object

from newscrawler.addons.javascript import JavaScriptAddon
from newscrawler.addons.redis import RedisAddon
from newscrawler.extensions.feed_storage import UnbufferedFileFeedStorage
from newscrawler.network.resolver import PublicAddressResolver
from newscrawler.scheduler.resumable import ResumableScheduler

MOVED = [
    ("newscrawler.frontier.ResumableScheduler", ResumableScheduler, "newscrawler.scheduler.resumable"),
    ("newscrawler.distributed.RedisAddon", RedisAddon, "newscrawler.addons.redis"),
    ("newscrawler.browser.JavaScriptAddon", JavaScriptAddon, "newscrawler.addons.javascript"),
    ("newscrawler.resolver.PublicAddressResolver", PublicAddressResolver, "newscrawler.network.resolver"),
    ("newscrawler.feeds.UnbufferedFileFeedStorage", UnbufferedFileFeedStorage, "newscrawler.extensions.feed_storage"),
]


@pytest.mark.parametrize(("old", "new", "where"), MOVED)
def test_old_dotted_path_loads_the_moved_class_and_says_where_it_went(old, new, where, monkeypatch):
    monkeypatch.delitem(sys.modules, old.rsplit(".", 1)[0], raising=False)  # warn as a fresh process does
    with pytest.warns(ScrapyDeprecationWarning, match=where):
        assert load_object(old) is new


def test_old_redis_scheduler_path_loads_when_scrapy_redis_is_installed(monkeypatch):
    pytest.importorskip("scrapy_redis", reason="the redis extra is not installed")
    from newscrawler.scheduler.redis import RedisDupeFilter, RedisScheduler

    monkeypatch.delitem(sys.modules, "newscrawler.redis_frontier", raising=False)
    with pytest.warns(ScrapyDeprecationWarning, match="newscrawler.scheduler.redis"):
        assert load_object("newscrawler.redis_frontier.RedisScheduler") is RedisScheduler
    assert load_object("newscrawler.redis_frontier.RedisDupeFilter") is RedisDupeFilter
