"""``scrapy search`` run as a user runs it, over stores built with the real store classes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.storage.schema import to_row
from newscrawler.storage.sqlite import SQLiteStore
from tests.test_storage_postgres import pg_dsn  # noqa: F401 - fixture
from tests.test_storage_sqlite import make_article

ARTICLES = [
    make_article(1, title="Cyclone reaches the eastern coast", section="World",
                 published_at="2024-05-02T08:00:00+00:00", body="Fishing boats stayed in port."),
    make_article(2, title="Cup final moved", section="Sport", published_at="2024-01-10",
                 body="The match was moved because a cyclone was forecast for the weekend."),
    make_article(3, title="Budget vote", section="Politics", published_at="2024-06-01",
                 body="Ministers argued late into the night about covid-19 spending."),
]


def scrapy_search(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    run_env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWLER_POSTGRES_DSN"}
    return subprocess.run([sys.executable, "-m", "scrapy", "search", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={**run_env, **(env or {})})


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    db = tmp_path / "output" / "news.db"
    store = SQLiteStore(db)
    store.upsert([to_row(a.to_dict()) for a in ARTICLES])
    store.close()
    return db


def test_ranked_matches_with_marked_snippets(sqlite_db: Path, tmp_path: Path) -> None:
    # The default path, output/news.db, relative to where the user runs it.
    result = scrapy_search(tmp_path, "cyclone")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Cyclone reaches the eastern coast") < out.index("Cup final moved")
    assert "**cyclone**" in out.lower()
    assert "2024-05-02 · World · http://127.0.0.1/news/1" in out
    assert "Budget vote" not in out


def test_json_limit_section_and_since(sqlite_db: Path, tmp_path: Path) -> None:
    db = f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}"

    def hits(*args: str) -> list[dict]:
        result = scrapy_search(tmp_path, "cyclone", "--json", "-s", db, *args)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    both = hits()
    assert [h["title"] for h in both] == ["Cyclone reaches the eastern coast", "Cup final moved"]
    assert set(both[0]) >= {"title", "published_at", "section", "url", "snippet", "score"}
    assert [h["title"] for h in hits("--limit", "1")] == ["Cyclone reaches the eastern coast"]
    assert [h["section"] for h in hits("--section", "sport")] == ["Sport"]
    assert [h["published_at"] for h in hits("--since", "2024-03-01")] == ["2024-05-02T08:00:00+00:00"]


def test_no_match_says_so(sqlite_db: Path, tmp_path: Path) -> None:
    result = scrapy_search(tmp_path, "volcano", "-s", f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}")
    assert result.returncode == 0 and "No articles match 'volcano'" in result.stdout


@pytest.mark.parametrize("query", ['"unterminated', "covid-19", "AND OR NOT", "title:", "NEAR(", '"'])
def test_awkward_queries_give_results_or_a_search_error(sqlite_db: Path, query: str) -> None:
    """What the command runs, in-process: any query either searches or raises SearchError."""
    from newscrawler.commands.search import search_sqlite
    from newscrawler.storage.search import SearchError, SearchQuery

    try:
        hits = search_sqlite(sqlite_db, SearchQuery(query))
    except SearchError as exc:
        assert str(exc).startswith(f"cannot search for {query!r}")
    else:
        assert isinstance(hits, list)


def test_bad_query_on_the_command_line_is_not_a_traceback(sqlite_db: Path, tmp_path: Path) -> None:
    result = scrapy_search(tmp_path, '"', "-s", f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("search: cannot search for '\"': unterminated string")


def test_punctuated_words_still_found(sqlite_db: Path, tmp_path: Path) -> None:
    result = scrapy_search(tmp_path, "covid-19", "-s", f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}")
    assert result.returncode == 0 and "Budget vote" in result.stdout


def test_missing_or_foreign_database_is_one_clear_line(tmp_path: Path) -> None:
    result = scrapy_search(tmp_path, "x", "-s", "NEWSCRAWLER_SQLITE_PATH=nowhere.db")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "search: no database at nowhere.db: crawl first, or point -s NEWSCRAWLER_SQLITE_PATH=... at one")
    foreign = tmp_path / "other.db"
    foreign.write_bytes(b"not a database at all" * 100)
    result = scrapy_search(tmp_path, "x", "-s", f"NEWSCRAWLER_SQLITE_PATH={foreign}")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "not a readable SQLite" in result.stderr


def test_overlong_query_is_refused_in_one_line(sqlite_db: Path, tmp_path: Path) -> None:
    db = f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}"
    result = scrapy_search(tmp_path, "cyclone " * 12_500, "-s", db)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == ["search: the query is 99,999 characters long; at most 1,000 are accepted "
                                          "(-s NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH=N to change)"]
    assert scrapy_search(tmp_path, "cyclone " * 120, "-s", db).returncode == 0  # 959 characters: searched
    longer = scrapy_search(tmp_path, "cyclone " * 12_500, "-s", db, "-s", "NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH=0")
    assert longer.returncode == 0 and "Cyclone reaches the eastern coast" in longer.stdout


def test_stores_refuse_what_the_command_refuses(sqlite_db: Path) -> None:
    from newscrawler.storage import sqlite as store
    from newscrawler.storage.search import SearchError, SearchQuery

    conn = store.connect(sqlite_db, readonly=True)
    with pytest.raises(SearchError, match="at most 10 are accepted"):
        store.search(conn, SearchQuery("cyclone warning", max_length=10))
    with pytest.raises(SearchError, match="not text"):
        store.search(conn, SearchQuery("cyclone \udcff"))
    conn.close()


@pytest.mark.parametrize("args", [[b"\xff\xfecyclone"], [b"cyclone", b"--section", b"Sp\xe9rt"]])
def test_undecodable_bytes_are_one_clear_line(sqlite_db: Path, tmp_path: Path, args: list[bytes]) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWLER_POSTGRES_DSN"}
    result = subprocess.run([sys.executable, "-m", "scrapy", "search", *args, "-s", f"NEWSCRAWLER_SQLITE_PATH={sqlite_db}"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={**env, "LC_ALL": "C.UTF-8"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "bytes that are not text" in lines[0], result.stderr


def test_bad_arguments_are_usage_errors(sqlite_db: Path, tmp_path: Path) -> None:
    assert scrapy_search(tmp_path, "x", "--since", "last week").returncode == 2
    assert scrapy_search(tmp_path, "   ").returncode == 2


@pytest.mark.postgres
def test_postgres_backend_when_dsn_is_set(pg_dsn: str, tmp_path: Path) -> None:  # noqa: F811
    from newscrawler.storage.postgres import PostgresStore

    store = PostgresStore(pg_dsn)
    store.upsert([to_row(a.to_dict()) for a in ARTICLES])
    store.close()
    result = scrapy_search(tmp_path, "cyclones", "--json", env={"NEWSCRAWLER_POSTGRES_DSN": pg_dsn})
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["title"] for h in found] == ["Cyclone reaches the eastern coast", "Cup final moved"]
    assert "**cyclone**" in found[1]["snippet"].lower()
    only_sport = scrapy_search(tmp_path, "cyclone", "--section", "Sport", "-s", f"NEWSCRAWLER_POSTGRES_DSN={pg_dsn}")
    assert "Cup final moved" in only_sport.stdout and "eastern coast" not in only_sport.stdout
    odd = scrapy_search(tmp_path, '"unterminated OR', env={"NEWSCRAWLER_POSTGRES_DSN": pg_dsn})
    assert odd.returncode == 0 and "Traceback" not in odd.stderr


def test_unreachable_postgres_is_one_clear_line(tmp_path: Path) -> None:
    result = scrapy_search(tmp_path, "x", env={"NEWSCRAWLER_POSTGRES_DSN": "postgresql://u:pw@127.0.0.1:1/db"})
    assert result.returncode == 1
    assert result.stderr.startswith("search: cannot connect to PostgreSQL at postgresql://u:***@127.0.0.1:1/db")
    assert "Traceback" not in result.stderr and "pw@" not in result.stderr
