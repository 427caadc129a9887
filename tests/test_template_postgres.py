"""Site templates kept in PostgreSQL when a DSN is set: learned there, cleaned there, read back."""

from __future__ import annotations

import pytest

from newscrawler.demo.server import serve_directory
from tests.conftest import run_crawl
from tests.template_site import build_template_site
from tests.test_storage_postgres import pg_dsn  # noqa: F401 - fixture: a fresh database per test
from tests.test_template_crawl import check_story_text_is_whole, has_furniture, stored

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.postgres


def test_the_template_lives_in_postgres_and_a_run_with_a_new_sqlite_file_knows_it(pg_dsn: str, tmp_path) -> None:  # noqa: F811
    root = tmp_path / "site"
    built = build_template_site(root)
    with serve_directory(root) as site:
        first = run_crawl(tmp_path / "first", "-a", f"start_url={site.base_url}",
                          settings={"NEWSCRAWLER_POSTGRES_DSN": pg_dsn})
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.items) == len(built.stories)
        with psycopg.connect(pg_dsn) as conn:
            learned = conn.execute("SELECT sample, pages FROM template_lines WHERE learned = 1").fetchall()
            bodies = conn.execute("SELECT canonical_url, body, body_html FROM articles").fetchall()
        assert sorted(pages for _, pages in learned) == [len(built.stories)] * 2
        assert len(bodies) == len(built.stories)
        assert not [url for url, body, html in bodies if has_furniture(body) or has_furniture(html)]
        # the SQLite copy of the same articles is cleaned too; its file holds no template
        check_story_text_is_whole(stored(tmp_path / "first" / "news.db"), site.base_url.rstrip("/"), built.stories)

        # A second run with a new SQLite file: what it knows of the template comes from PostgreSQL.
        second = run_crawl(tmp_path / "second", "-a", f"start_url={site.base_url}",
                           settings={"NEWSCRAWLER_POSTGRES_DSN": pg_dsn})
    assert second.returncode == 0, second.log[-3000:]
    assert not [item["url"] for item in second.items if has_furniture(item["body"]) or has_furniture(item["body_html"])]
    section = second.report["template"]
    assert section["dropped"] and {entry["learned"] for entry in section["dropped"]} == {"earlier run"}
    assert section["lines_dropped"] == 2 * section["articles_stripped"] == 2 * len(second.items)
