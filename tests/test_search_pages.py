"""What the browse pages ask the store: ordering, pagination, filters and facet counts, on a
real SQLite store (``SQLiteStore``) and the same search functions ``scrapy search`` uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawler.browse.format import highlight, paragraphs, reader_datetime, replay_link, safe_url
from newscrawler.browse.params import PAGE_SIZE, SearchPage
from newscrawler.storage import sqlite as store
from newscrawler.storage.schema import to_row
from newscrawler.storage.search import SearchQuery
from newscrawler.storage.sqlite_search import facets, search
from tests.test_storage_sqlite import make_article

SITES = ("a.example", "b.example")


@pytest.fixture
def conn(tmp_path: Path):
    writer = store.SQLiteStore(tmp_path / "news.db")
    writer.upsert([to_row(make_article(
        n, site=SITES[n % 2], authors=["Asha Rao"] if n % 3 == 0 else ["Li Wei", "Ana \"Quotes\" Silva"],
        published_at=f"2024-{1 + n % 3:02d}-{1 + n % 28:02d}T10:00:00+05:30",
        body=f"Body {n}. Ministers met on Tuesday." + (" A cyclone was near." if n % 10 == 0 else "")).to_dict())
        for n in range(60)])
    writer.close()
    connection = store.connect(tmp_path / "news.db", readonly=True)
    yield connection
    connection.close()


def test_pages_by_relevance_and_by_date_cover_every_match_once(conn) -> None:
    first = search(conn, SearchQuery("ministers", limit=25))
    second = search(conn, SearchQuery("ministers", limit=25, offset=25))
    third = search(conn, SearchQuery("ministers", limit=25, offset=50))
    ids = [h.id for h in first + second + third]
    assert len(ids) == len(set(ids)) == 60
    by_date = [h for offset in (0, 25, 50) for h in search(conn, SearchQuery("ministers", limit=25, offset=offset, order="date"))]
    assert [h.published_at for h in by_date] == sorted((h.published_at for h in by_date), reverse=True)
    assert {h.id for h in by_date} == set(ids)
    assert all(h.snippet and "**Ministers**" in h.snippet for h in by_date)


def test_filters_site_author_and_until_take_the_whole_day(conn) -> None:
    hits = search(conn, SearchQuery("ministers", limit=100, site="b.example"))
    assert hits and {h.site for h in hits} == {"b.example"}
    quoted = search(conn, SearchQuery("ministers", limit=100, author='Ana "Quotes" Silva'))
    assert quoted and all('Ana "Quotes" Silva' in h.authors for h in quoted)
    assert not search(conn, SearchQuery("ministers", author="Ana"))  # whole names only
    until = search(conn, SearchQuery("ministers", limit=100, until="2024-01-04"))
    assert len(until) == 4  # stories 0, 57, 30 and 3: January, days 1 to 4
    assert "2024-01-04T10:00:00+05:30" in {h.published_at for h in until}  # 10:00 on the last day
    assert all(h.published_at[:10] <= "2024-01-04" for h in until)


def test_facets_count_every_match_or_the_newest_window(conn) -> None:
    counts = facets(conn, SearchQuery("ministers"))
    assert counts.total == counts.counted == 60
    assert dict(counts.site) == {"a.example": 30, "b.example": 30}
    assert dict(counts.month) == {"2024-01": 20, "2024-02": 20, "2024-03": 20}
    assert sum(n for _, n in counts.section) == 60
    windowed = facets(conn, SearchQuery("ministers", window=10))
    assert windowed.total == 60 and windowed.counted == 10
    filtered = facets(conn, SearchQuery("cyclone", section="sport"))
    assert filtered.total == filtered.counted == len(search(conn, SearchQuery("cyclone", section="sport", limit=100)))
    everything = facets(conn, SearchQuery(""))
    assert everything.total == 60 and len(search(conn, SearchQuery("", limit=100))) == 60


def test_a_search_page_request_is_read_leniently() -> None:
    page = SearchPage.from_args({"q": " flood ", "page": "abc", "sort": "sideways", "since": "last week",
                                 "until": "2024-02-30", "section": " World "})
    assert (page.text, page.page, page.order, page.since, page.until, page.section) == ("flood", 1, "relevance", None, None, "World")
    assert len(page.notices) == 4
    query = page.query(("[", "]"), window=100, max_length=50)
    assert (query.limit, query.offset) == (PAGE_SIZE, 0)
    assert SearchPage.from_args({"page": "3"}).query(("", ""), None, None).offset == 2 * PAGE_SIZE
    assert page.url("/news", page=2) == "/news?q=flood&section=World&page=2"
    assert page.url("/news", section=None) == "/news?q=flood"


def test_crawled_text_is_shown_as_text() -> None:
    assert str(highlight("<script>x</script> \x02flood\x03")) == "&lt;script&gt;x&lt;/script&gt; <mark>flood</mark>"
    assert safe_url("javascript:alert(1)") is None and safe_url("https://x.example/a") == "https://x.example/a"
    assert paragraphs("One.\n\n\nTwo.\n \nThree.") == ["One.", "Two.", "Three."]
    assert reader_datetime("2022-09-29T10:15:00+05:30") == "Thursday 29 September 2022, 10:15 (UTC+05:30)"
    assert reader_datetime("2022-09-29") == "Thursday 29 September 2022"
    story = {"url": "https://x.example/a", "warc_file": "f.warc.gz", "crawled_at": "2024-05-02T10:00:00+00:00"}
    assert replay_link(story, "http://127.0.0.1:8080/news") == "http://127.0.0.1:8080/news/20240502100000/https://x.example/a"
    assert replay_link({**story, "replay_url": "http://r.example/news/1/x"}, None) == "http://r.example/news/1/x"
    assert replay_link({**story, "warc_file": None}, "http://127.0.0.1:8080/news/") is None
