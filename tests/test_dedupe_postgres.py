"""Dedupe state in a real PostgreSQL server: decisions, runs, and workers sharing one store."""

from __future__ import annotations

import threading
import time

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg not installed: pip install newscrawler[postgres]")


from newscrawler.dedupe.fingerprints import MinHashSigner  # noqa: E402
from newscrawler.dedupe.index import StoryIndex  # noqa: E402
from newscrawler.dedupe.postgres import PostgresDedupeStore  # noqa: E402
from tests.test_dedupe_fingerprints import edit, prose  # noqa: E402
from tests.test_dedupe_index import SITE, check_forgetting, story  # noqa: E402
from tests.test_dedupe_pipeline import run_workers  # noqa: E402
from tests.test_storage_postgres import pg_dsn  # noqa: E402, F401 - fixture: a fresh database per test

pytestmark = pytest.mark.postgres


def open_index(dsn: str) -> StoryIndex:
    return StoryIndex(PostgresDedupeStore(dsn, params={"num_perm": "64"}), MinHashSigner())


def test_decisions_and_runs_in_postgres(pg_dsn: str) -> None:
    first = open_index(pg_dsn)
    body = prose(80)
    assert first.check(story("world/quake", body, modified_at="2024-01-01T00:00:00+00:00")).kind == "new"
    assert first.check(story("world/quake", body)).kind == "url"
    assert first.check(story("asia/quake", body, canonical=f"{SITE}/world/quake")).kind == "canonical"
    assert first.check(story("wire/quake", body, title="Wire")).kind == "exact"
    assert first.check(story("partner/quake", edit(body, 0.05, seed=5), title="Partner")).kind == "near"
    assert first.check(story("world/storm", prose(81))).kind == "new"
    first.store.close()

    second = open_index(pg_dsn)
    assert second.check(story("world/quake", body, modified_at="2024-01-01T00:00:00+00:00")).kind == "unchanged"
    assert second.check(story("world/storm", prose(81) + " Power is back.")).kind == "update"
    # a known copy's URL fetched again: recognised by its URL, no content comparison needed
    assert second.check(story("partner/quake", edit(body, 0.05, seed=5), title="Partner")).kind == "url"
    second.store.close()

    with psycopg.connect(pg_dsn) as conn:
        aliases = dict(conn.execute("SELECT url, kind FROM aliases").fetchall())
        stories = conn.execute("SELECT COUNT(*) FROM dedupe_stories").fetchone()[0]
    assert aliases == {f"{SITE}/asia/quake": "canonical", f"{SITE}/wire/quake": "exact", f"{SITE}/partner/quake": "near"}
    assert stories == 2


def test_workers_sharing_the_store_emit_each_story_once(pg_dsn: str) -> None:
    """Two pipelines (two workers) at once, each fetching every story under its own URLs."""
    bodies = [prose(200 + n) for n in range(25)]
    pipelines, emitted = run_workers({"NEWSCRAWLER_POSTGRES_DSN": pg_dsn, "NEWSCRAWLER_SQLITE_PATH": ""}, bodies)
    assert sorted(emitted) == sorted(bodies)
    # mostly exact; a copy checked while the other worker commits its original may be matched
    # a moment later by the LSH query instead (similarity 1.0): near
    dropped = sum(p.stats.get_value(f"dedupe/{kind}", 0) for p in pipelines for kind in ("exact", "near"))
    assert dropped == len(bodies)


def test_two_workers_deciding_near_copies_at_the_same_moment_keep_one(pg_dsn: str) -> None:
    """Worker A has decided "new" but not committed yet when worker B checks a near copy: B
    must not decide "new" too from a store that does not show A's story yet."""
    a, b = open_index(pg_dsn), open_index(pg_dsn)
    body = prose(300)
    assert a.check(story("a/quake", body)).kind == "new"  # A's transaction is still open
    verdicts = []

    def worker_b() -> None:
        verdicts.append(b.check(story("b/quake", edit(body, 0.05, seed=7), title="Syndicated")))
        b.store.commit()

    thread = threading.Thread(target=worker_b)
    thread.start()
    with psycopg.connect(pg_dsn, autocommit=True) as watcher:
        deadline = time.monotonic() + 20
        while thread.is_alive() and time.monotonic() < deadline:  # until B waits on A
            row = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                  (b.store.conn.info.backend_pid,)).fetchone()
            if row and row[0] == "Lock":
                break
            time.sleep(0.02)
    a.store.commit()
    thread.join(30)
    assert [v.kind for v in verdicts] == ["near"]
    assert verdicts[0].original == f"{SITE}/a/quake"
    a.store.close()
    b.store.close()


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(ConnectionError, match=r"cannot open the dedupe state at postgresql://postgres:\*\*\*@127.0.0.1:1/x"):
        PostgresDedupeStore("postgresql://postgres:secret@127.0.0.1:1/x", connect_timeout=2)


def test_a_story_a_store_refused_is_forgotten_in_postgres(pg_dsn: str) -> None:
    check_forgetting(lambda: open_index(pg_dsn))
