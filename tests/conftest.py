"""Shared fixtures: local sites on 127.0.0.1 and real crawls run as `scrapy crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from newscrawler.demo.server import ServedSite, serve_directory



@pytest.fixture
def serve() -> Iterator[Callable[[Path], ServedSite]]:
    """Factory: ``serve(folder)`` serves a folder on 127.0.0.1:0 for the test's duration."""
    with ExitStack() as stack:
        yield lambda root: stack.enter_context(serve_directory(root))


@dataclass
class CrawlResult:
    """What a finished ``scrapy crawl news`` left behind."""

    returncode: int
    items: list[dict]
    report: dict
    log: str
    workdir: Path

    @property
    def stats(self) -> dict:
        return self.report.get("stats", {})

    def by_url(self) -> dict[str, dict]:
        return {item["url"]: item for item in self.items}


def run_crawl(
    workdir: Path,
    *args: str,
    settings: dict[str, object] | None = None,
    timeout: float = 240,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Run ``scrapy crawl news ARGS`` in a subprocess in ``workdir``: a real crawl.

    The items come from the JSON Lines feed, the stats from the end-of-crawl report.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    feed = workdir / "items.jsonl"
    report_dir = workdir / "reports"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", *args, "-O", f"{feed}:jsonlines"]
    all_settings = {
        "NEWSCRAWLER_REPORT_DIR": str(report_dir),
        "LOG_FILE": str(workdir / "crawl.log"),
        "NEWSCRAWLER_SQLITE_PATH": str(workdir / "news.db"),
        **(settings or {}),
    }
    for name, value in all_settings.items():
        cmd += ["-s", f"{name}={value}"]
    run_env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings", **(env or {})}
    proc = subprocess.run(cmd, cwd=workdir, env=run_env, capture_output=True, text=True, timeout=timeout)
    log_path = workdir / "crawl.log"
    log = (log_path.read_text() if log_path.exists() else "") + proc.stderr
    items = [json.loads(line) for line in feed.read_text().splitlines() if line.strip()] if feed.exists() else []
    reports = sorted(report_dir.glob("*.json"), key=lambda p: p.stat().st_mtime) if report_dir.exists() else []
    report = json.loads(reports[-1].read_text()) if reports else {}
    return CrawlResult(proc.returncode, items, report, log, workdir)


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., CrawlResult]:
    """Factory: ``crawl(*args, settings=...)`` runs a real crawl in a fresh folder."""
    counter = iter(range(1000))

    def _crawl(*args: str, **kwargs) -> CrawlResult:
        return run_crawl(tmp_path / f"crawl{next(counter)}", *args, **kwargs)

    return _crawl


POSTGRES_ADMIN_DSN = os.environ.get("NEWSCRAWLER_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_postgres_database(prefix: str = "newscrawler_test") -> Iterator[str]:
    """A new, uniquely named database on the test server, dropped afterwards; skips without a
    server or driver (a failure under CI=true)."""
    import uuid

    try:
        import psycopg
        from psycopg.conninfo import make_conninfo

        admin = psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - no driver or no server
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_DSN} (set NEWSCRAWLER_TEST_POSTGRES_DSN): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_conninfo(POSTGRES_ADMIN_DSN, dbname=name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
