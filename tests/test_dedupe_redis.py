"""Dedupe state in the real Redis at 127.0.0.1:6379: decisions, runs, restarts, workers racing,
and two consecutive real crawls sharing it. Each test uses its own key prefix, deleted after."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from newscrawler.dedupe.fingerprints import MinHashSigner
from newscrawler.dedupe.index import StoryIndex
from newscrawler.scheduler.keys import frontier_keys
from newscrawler.scheduler.operations import reset
from tests.test_dedupe_crawl import assert_only_new_and_changed, build_site, valley_post  # noqa: F401 - fixture
from tests.test_dedupe_fingerprints import edit, prose
from tests.test_dedupe_index import SITE, check_forgetting, story
from tests.test_dedupe_pipeline import article, run_items, run_items_in_new_process, run_workers
from tests.test_redis_scaleout import REDIS_URL, _redis_or_skip

pytestmark = pytest.mark.redis


@pytest.fixture
def prefix():
    """A unique NEWSCRAWLER_REDIS_KEY_PREFIX; the crawl's keys, dedupe state included, deleted after."""
    client = _redis_or_skip()
    prefix = f"newscrawler-test-{uuid.uuid4().hex[:10]}:%(spider)s"
    yield prefix
    reset(REDIS_URL, prefix, dedupe=True)
    assert not list(client.scan_iter(match=prefix % {"spider": "news"} + "*"))


def open_index(prefix: str) -> StoryIndex:
    from newscrawler.dedupe.redis import RedisDedupeStore

    return StoryIndex(RedisDedupeStore(REDIS_URL, frontier_keys(prefix)["dedupe"], params={"num_perm": "64"}),
                      MinHashSigner())


def decide(index: StoryIndex, *args, **kwargs) -> str:
    verdict = index.check(story(*args, **kwargs))
    index.store.commit()
    return verdict.kind


def test_decisions_runs_and_aliases_in_redis(prefix: str) -> None:
    first = open_index(prefix)
    body = prose(80)
    assert decide(first, "world/quake", body, modified_at="2024-01-01T00:00:00+00:00") == "new"
    assert decide(first, "world/quake", body) == "url"
    assert decide(first, "asia/quake", body, canonical=f"{SITE}/world/quake") == "canonical"
    assert decide(first, "wire/quake", body, title="Wire") == "exact"
    assert decide(first, "partner/quake", edit(body, 0.05, seed=5), title="Partner") == "near"
    assert decide(first, "world/storm", prose(81)) == "new"
    first.store.close()

    second = open_index(prefix)  # a new store instance on the same keys: the next run
    assert decide(second, "world/quake", body, modified_at="2024-01-01T00:00:00+00:00") == "unchanged"
    assert decide(second, "world/storm", prose(81) + " Power is back.") == "update"
    assert decide(second, "world/storm", prose(81) + " Power is back.") == "url"
    assert decide(second, "partner/quake", edit(body, 0.05, seed=5), title="Partner") == "url"
    # the updated story's new text is still found by its body and its bands
    assert decide(second, "copy/storm", prose(81) + " Power is back.", title="Copy") == "exact"
    assert decide(second, "edit/storm", edit(prose(81) + " Power is back.", 0.05, seed=2), title="E") == "near"
    assert second.store.count_stories() == 2
    assert second.store.aliases() == {
        f"{SITE}/asia/quake": (f"{SITE}/world/quake", "canonical"),
        f"{SITE}/wire/quake": (f"{SITE}/world/quake", "exact"),
        f"{SITE}/partner/quake": (f"{SITE}/world/quake", "near"),
        f"{SITE}/copy/storm": (f"{SITE}/world/storm", "exact"),
        f"{SITE}/edit/storm": (f"{SITE}/world/storm", "near"),
    }
    second.store.close()


def test_other_minhash_settings_are_refused(prefix: str) -> None:
    open_index(prefix).store.close()
    from newscrawler.dedupe.redis import RedisDedupeStore

    with pytest.raises(ValueError, match="was built with"):
        RedisDedupeStore(REDIS_URL, frontier_keys(prefix)["dedupe"], params={"num_perm": "128"})


def test_a_near_copy_decided_at_the_same_moment_by_another_worker_is_decided_again(prefix: str) -> None:
    """Worker A has decided "new" but not committed when worker B decides a near copy and
    commits: A's commit must fail (B wrote the band buckets A read) and A, deciding again,
    finds B's story."""
    from newscrawler.dedupe.redis import DedupeConflict

    a, b = open_index(prefix), open_index(prefix)
    body = prose(300)
    assert a.check(story("a/quake", body)).kind == "new"
    assert decide(b, "b/quake", edit(body, 0.05, seed=7), title="Syndicated") == "new"
    with pytest.raises(DedupeConflict):
        a.store.commit()
    a.store.rollback()
    again = a.check(story("a/quake", body))
    a.store.commit()
    assert (again.kind, again.original) == ("near", f"{SITE}/b/quake")
    assert a.store.count_stories() == 1
    a.store.close()
    b.store.close()


def test_workers_sharing_the_state_emit_each_story_once(prefix: str) -> None:
    """Two pipelines (two workers) at once, each fetching every story under its own URLs."""
    bodies = [prose(400 + n) for n in range(25)]
    pipelines, emitted = run_workers({"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix,
                                      "NEWSCRAWLER_SQLITE_PATH": ""}, bodies)
    assert sorted(emitted) == sorted(bodies)
    assert sum(p.stats.get_value("newscrawler/dedupe/errors", 0) for p in pipelines) == 0


def test_state_survives_a_new_process(prefix: str, tmp_path: Path) -> None:
    settings = {"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix}
    first = [article(f"s{n}", prose(60 + n), modified_at="2024-03-01T09:00:00+00:00") for n in range(3)]
    outcomes, _ = run_items(str(tmp_path / "first.db"), first, **settings)
    assert outcomes == ["emitted"] * 3

    second = [
        article("s0", prose(60), modified_at="2024-03-01T09:00:00+00:00"),  # unchanged
        article("s1", prose(61) + " Police later named the driver.", modified_at="2024-03-01T09:00:00+00:00"),
        article("copy", prose(62), title="Copy"),  # an exact copy of s2
        article("s9", prose(69)),  # new
    ]
    # another process, another SQLite file: the state is in Redis
    outcomes, stats = run_items_in_new_process(str(tmp_path / "second.db"), second, **settings)
    assert outcomes[0].startswith("dropped: unchanged since the last crawl")
    assert outcomes[1] == "update"
    assert outcomes[2].startswith(f"dropped: exact duplicate of {SITE}/s2")
    assert outcomes[3] == "emitted"
    assert stats == {"dedupe/unchanged": 1, "dedupe/update": 1, "dedupe/exact": 1, "dedupe/new": 1}


def test_second_crawl_after_a_frontier_reset_emits_exactly_the_new_and_changed_stories(
        valley_post, crawl, prefix: str) -> None:  # noqa: F811
    root, site = valley_post
    # each crawl has its own SQLite file: what the second run knows comes from Redis alone
    settings = {"NEWSCRAWLER_REDIS_URL": REDIS_URL, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix,
                "NEWSCRAWLER_INCREMENTAL": False}
    first = crawl("-a", f"start_url={site.base_url}", settings=settings)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.items) == 4
    assert first.stats.get("dedupe/new") == 4

    build_site(root, changed=True)
    reset(REDIS_URL, prefix)  # a fresh pass over the site; the dedupe state is kept
    second = crawl("-a", f"start_url={site.base_url}", settings=settings)
    assert_only_new_and_changed(second, site.base_url)


def test_a_story_a_store_refused_is_forgotten_in_redis(prefix: str) -> None:
    check_forgetting(lambda: open_index(prefix))
