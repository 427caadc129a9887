"""``scrapy extract`` run for real in a subprocess, inside and outside the project folder."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.items import Article

REPO = Path(__file__).resolve().parent.parent
PAGE = """<html lang="en"><head><meta charset="utf-8"><title>Harbour reopens | Port News</title>
<meta property="article:published_time" content="2022-09-29T10:15:00+05:30">
<link rel="canonical" href="/news/harbour-reopens"></head><body><article><h1>Harbour reopens</h1>
<p>The harbour reopened on Monday after six weeks of repairs to the sea wall and both of the piers.</p>
<p>Fishing boats were the first to return, followed later in the week by the ferry to the islands.</p>
</article></body></html>"""


def run_extract(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "SCRAPY_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def pages(tmp_path: Path) -> tuple[Path, Path]:
    plain = tmp_path / "page.html"
    plain.write_text(PAGE, encoding="utf-8")
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(PAGE.replace("Harbour reopens", "Ferry returns").encode("utf-8")))
    return plain, packed


@pytest.mark.parametrize("where", ["outside", "project"])
def test_one_object_per_file_with_every_field(pages, tmp_path, where):
    plain, packed = pages
    cwd = tmp_path if where == "outside" else REPO
    result = run_extract(str(plain), str(packed), "--url", "https://port.example.com/news/x", cwd=cwd)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [str(plain), str(packed)]
    for record in records:
        assert set(Article.field_names()) <= set(record)
        assert record["url"] == "https://port.example.com/news/x"
        assert record["canonical_url"] == "https://port.example.com/news/harbour-reopens"
        assert record["published_at"] == "2022-09-29T10:15:00+05:30"
        assert record["body"].startswith("The harbour reopened on Monday")
        assert record["warnings"] == []
    assert (records[0]["title"], records[1]["title"]) == ("Harbour reopens", "Ferry returns")


def test_default_url_is_the_file_url(pages, tmp_path):
    plain, _ = pages
    result = run_extract(str(plain), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == plain.resolve().as_uri()
    assert record["site"] is None


def test_unreadable_files_get_an_error_line_and_exit_status_1(pages, tmp_path):
    plain, _ = pages
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.html"
    result = run_extract(str(missing), str(broken), str(garbage), str(plain), cwd=tmp_path)
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [str(missing), str(broken), str(garbage), str(plain)]
    assert "missing.html" in records[0]["error"] and "error" in records[1]
    assert records[2]["warnings"] == ["not_html"] and records[2]["title"] is None
    assert records[3]["title"] == "Harbour reopens"


def test_no_paths_is_a_usage_error(tmp_path):
    result = run_extract(cwd=tmp_path)
    assert result.returncode != 0
    assert "at least one" in result.stderr
