"""Sitemap and robots.txt parsing: the shapes real sites serve, and the hostile ones."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from datetime import datetime, timezone

import pytest

from newscrawler.discovery import (
    COMMON_SITEMAP_PATHS,
    is_sitemap,
    parse_sitemap,
    sitemap_urls_from_robots,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
IMAGE_NS = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'

PLAIN = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS}>
  <url><loc>https://news.example/2024/03/05/a.html</loc><lastmod>2024-03-05T10:15:00+05:30</lastmod></url>
  <url><loc>https://news.example/b.html</loc><lastmod>2024-03-06</lastmod><changefreq>daily</changefreq></url>
  <url><loc>https://news.example/c.html</loc></url>
</urlset>"""

NO_NAMESPACE = """<urlset><url><loc>https://news.example/x</loc><lastmod>2024-01-02T03:04:05Z</lastmod></url></urlset>"""

INDEX = f"""<?xml version="1.0"?>
<sitemapindex {NS}>
  <sitemap><loc>https://news.example/sitemap-posts.xml</loc><lastmod>2024-05-01T00:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-news.xml.gz</loc></sitemap>
</sitemapindex>"""

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS} {NEWS_NS} {IMAGE_NS}>
  <url>
    <loc>https://news.example/world/quake</loc>
    <image:image><image:loc>https://cdn.news.example/quake.jpg</image:loc></image:image>
    <news:news>
      <news:publication><news:name>The Example Times</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-30T08:00:00-04:00</news:publication_date>
      <news:title>Quake  shakes
        the coast</news:title>
      <news:keywords>earthquake, coast ,  , rescue</news:keywords>
    </news:news>
  </url>
</urlset>"""

WHITESPACE_LOC = f"""<urlset {NS}><url><loc>
      https://news.example/spaced
   </loc><lastmod> 2024-02-02 </lastmod></url></urlset>"""

MALFORMED = f"""<urlset {NS}>
  <url><loc>https://news.example/one</loc></url>
  <url><loc>https://news.example/two</loc></url>
  <url><loc>https://news.example/three & four</loc>
  <url><loc>https://news.example/fi"""

BAD_DATES = f"""<urlset {NS}>
  <url><loc>https://news.example/future</loc><lastmod>2031-01-01T00:00:00Z</lastmod></url>
  <url><loc>https://news.example/garbage</loc><lastmod>last tuesday-ish</lastmod></url>
  <url><loc>relative/path</loc></url>
</urlset>"""

ENTITY_BOMB = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset {NS}>
  <url><loc>https://news.example/safe</loc></url>
  <url><loc>https://news.example/&lol9;</loc></url>
</urlset>"""

EXTERNAL_ENTITIES = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY secret SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.dtd">
 <!ENTITY word "news">
]>
<urlset {NS}>
  <url><loc>https://news.example/&secret;</loc></url>
  <url><loc>https://news.example/&remote;</loc></url>
  <url><loc>https://news.example/&word;</loc></url>
  <url><loc>https://news.example/safe</loc></url>
</urlset>"""


def entries(sitemap) -> list[tuple[str, str | None]]:
    return [(e.loc, e.lastmod) for e in sitemap.entries]


@pytest.mark.parametrize(
    ("name", "body", "kind", "expected", "error_count"),
    [
        ("plain", PLAIN, "urlset", [
            ("https://news.example/2024/03/05/a.html", "2024-03-05T10:15:00+05:30"),
            ("https://news.example/b.html", "2024-03-06"),
            ("https://news.example/c.html", None)], 0),
        ("no namespace", NO_NAMESPACE, "urlset", [("https://news.example/x", "2024-01-02T03:04:05+00:00")], 0),
        ("index", INDEX, "index", [
            ("https://news.example/sitemap-posts.xml", "2024-05-01T00:00:00+00:00"),
            ("https://news.example/sitemap-news.xml.gz", None)], 0),
        ("whitespace in loc", WHITESPACE_LOC, "urlset", [("https://news.example/spaced", "2024-02-02")], 0),
        ("malformed", MALFORMED, "urlset", [
            ("https://news.example/one", None), ("https://news.example/two", None)], None),
        ("wrong dates", BAD_DATES, "urlset", [
            ("https://news.example/future", None), ("https://news.example/garbage", None)], 3),
        ("text sitemap", "https://news.example/t1\n\n  https://news.example/t2  \n", "urlset", [
            ("https://news.example/t1", None), ("https://news.example/t2", None)], 0),
    ],
)
def test_sitemap_shapes(name, body, kind, expected, error_count):
    sitemap = parse_sitemap(body.encode(), "https://news.example/sitemap.xml", now=NOW)
    assert sitemap.kind == kind
    got = entries(sitemap)
    if name == "malformed":
        # What parses before the damage is kept; the damage is reported.
        assert got[:2] == expected
        assert all(loc.startswith("https://news.example/") for loc, _ in got)
        assert sitemap.errors
    else:
        assert got == expected
        assert len(sitemap.errors) == error_count, sitemap.errors


def test_wrong_dates_are_explained():
    sitemap = parse_sitemap(BAD_DATES.encode(), "https://news.example/s.xml", now=NOW)
    text = " | ".join(sitemap.errors)
    assert "future" in text and "2031-01-01" in text
    assert "unparseable" in text and "last tuesday" in text
    assert "relative/path" in text
    assert sitemap.reasons == {"future_date": 1, "unparseable_date": 1, "bad_loc": 1}


def test_google_news_fields_are_read():
    sitemap = parse_sitemap(NEWS.encode(), "https://news.example/news-sitemap.xml", now=NOW)
    assert sitemap.errors == []
    [entry] = sitemap.entries
    assert entry.loc == "https://news.example/world/quake"  # not the <image:loc>
    assert entry.news_title == "Quake shakes the coast"
    assert entry.news_publication_date == "2024-05-30T08:00:00-04:00"
    assert entry.news_keywords == ["earthquake", "coast", "rescue"]
    assert entry.news_language == "en"
    assert entry.news_publication_name == "The Example Times"
    assert entry.lastmod is None


@pytest.mark.parametrize("compress", [gzip.compress, lambda data: zlib.compress(data, wbits=31)])
def test_gzip_is_recognised_by_magic_bytes(compress):
    body = compress(NEWS.encode())
    assert is_sitemap(body, "application/octet-stream")
    # The URL has no .gz suffix: the bytes decide.
    sitemap = parse_sitemap(body, "https://news.example/news-sitemap.xml", now=NOW)
    assert [e.news_title for e in sitemap.entries] == ["Quake shakes the coast"]


def test_truncated_gzip_keeps_what_decompressed():
    body = gzip.compress(PLAIN.encode())[:-30]
    sitemap = parse_sitemap(body, "https://news.example/s.xml.gz", now=NOW)
    assert sitemap.errors
    assert [e.loc for e in sitemap.entries][:1] == ["https://news.example/2024/03/05/a.html"]


def test_gzip_bomb_is_capped():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = f"<urlset {NS}><url><loc>https://news.example/first</loc></url>".encode()
    chunks = [compressor.compress(head)]
    padding = b" " * (1024 * 1024)
    for _ in range(64):  # 64 MiB of whitespace, about 64 KiB compressed
        chunks.append(compressor.compress(padding))
    chunks.append(compressor.compress(b"<url><loc>https://news.example/last</loc></url></urlset>"))
    chunks.append(compressor.flush())
    body = b"".join(chunks)
    assert len(body) < 1024 * 1024
    sitemap = parse_sitemap(body, "https://news.example/bomb.xml", max_bytes=4 * 1024 * 1024, now=NOW)
    assert any("larger than 4194304 bytes once decompressed" in e for e in sitemap.errors), sitemap.errors
    assert [e.loc for e in sitemap.entries] == ["https://news.example/first"]


def test_junk_dates_cost_the_slow_parser_a_bounded_number_of_tries(monkeypatch):
    """Each junk date costs dateparser ~30 ms: a sitemap full of them must not hold the crawl."""
    from newscrawler.extract import dates as page_dates

    calls = []
    real_parse = page_dates.parse_date
    monkeypatch.setattr(page_dates, "parse_date", lambda text: calls.append(text) or real_parse(text))
    rows = "".join(f"<url><loc>https://news.example/junk/{i}</loc><lastmod>junk {i}</lastmod></url>"
                   for i in range(500))
    rows += "<url><loc>https://news.example/ok</loc><lastmod>2024-05-01T10:00:00+02:00</lastmod></url>"
    rows += "<url><loc>https://news.example/ok-again</loc><lastmod>junk 3</lastmod></url>"  # seen before: no new try
    sitemap = parse_sitemap(f"<urlset {NS}>{rows}</urlset>".encode(), "https://news.example/s.xml", now=NOW)
    assert len(sitemap.entries) == 502
    assert len(calls) == 20
    assert sitemap.entries[500].lastmod == "2024-05-01T10:00:00+02:00"  # W3C dates are always read
    assert all(e.lastmod is None for e in sitemap.entries[:500])
    assert sitemap.errors[-1] == "480 dates not read: over 20 unparseable dates in this document"
    # Messages stop at 20; the counts by reason (one per entry: "junk 3" twice) go on.
    assert len(sitemap.errors) == 22 and sitemap.reasons == {"unparseable_date": 21, "date_not_read": 480}


def test_entity_bomb_is_never_expanded():
    """libxml2 gives up on the amplification; nothing is expanded and the reason is reported."""
    sitemap = parse_sitemap(ENTITY_BOMB.encode(), "https://news.example/s.xml", now=NOW)
    assert all("lollol" not in e.loc for e in sitemap.entries)
    text = " | ".join(sitemap.errors)
    assert "DOCTYPE ignored" in text
    assert "amplification" in text


def test_entities_are_neither_read_nor_substituted():
    sitemap = parse_sitemap(EXTERNAL_ENTITIES.encode(), "https://news.example/s.xml", now=NOW)
    assert [e.loc for e in sitemap.entries] == ["https://news.example/safe"]
    text = " | ".join(sitemap.errors)
    assert "DOCTYPE ignored" in text
    assert text.count("entity reference") == 3
    assert sitemap.reasons == {"doctype": 1, "entity_reference": 3}
    assert "root:" not in text


def big_sitemap(count: int) -> bytes:
    rows = "".join(f"<url><loc>https://news.example/story/{i}</loc><lastmod>2024-01-01</lastmod></url>\n"
                   for i in range(count))
    return f'<?xml version="1.0"?>\n<urlset {NS}>\n{rows}</urlset>'.encode()


def test_hundred_thousand_urls_with_a_limit_counts_the_rest():
    body = gzip.compress(big_sitemap(100_000), compresslevel=1)
    capped = parse_sitemap(body, "https://news.example/big.xml.gz", now=NOW)
    assert len(capped.entries) == 50_000 and capped.skipped == 50_000
    assert capped.entries[-1].loc == "https://news.example/story/49999"
    assert any("50000 entries past the limit" in e for e in capped.errors)
    assert capped.reasons == {"over_limit": 50_000}
    whole = parse_sitemap(body, "https://news.example/big.xml.gz", max_entries=100_000, now=NOW)
    assert len(whole.entries) == 100_000 and whole.skipped == 0 and whole.errors == []
    assert whole.entries[99_999].loc == "https://news.example/story/99999"


MEMORY_PROBE = """
import gzip, resource, sys
from newscrawler.discovery import parse_sitemap
ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
rows = "".join(f"<url><loc>https://news.example/story/{i}/a-rather-long-slug-for-the-story</loc>"
               f"<lastmod>2024-01-01</lastmod><changefreq>daily</changefreq><priority>0.5</priority></url>"
               for i in range(200_000))
body = gzip.compress(f"<urlset {ns}>{rows}</urlset>".encode(), compresslevel=1)
del rows
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sitemap = parse_sitemap(body, "https://news.example/big.xml.gz", max_entries=10, max_bytes=200 * 1024 * 1024)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert sitemap.skipped == 199_990, sitemap.skipped
print((after - before) // 1024)
"""


def test_streaming_keeps_memory_flat():
    """200,000 URLs (about 30 MB of XML) parsed with 10 kept: the tree is never held whole."""
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    growth_mib = int(proc.stdout.strip())
    # A full tree of these 200,000 entries takes over 100 MiB in libxml2.
    assert growth_mib < 40, f"peak memory grew by {growth_mib} MiB"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (PLAIN.encode(), True),
        (INDEX.encode(), True),
        (gzip.compress(INDEX.encode()), True),
        (b"<html><body>Not found</body></html>", False),
        (b'<rss version="2.0"><channel></channel></rss>', False),
        (b"", False),
        (b"\x1f\x8b garbage", False),
    ],
)
def test_is_sitemap(body, expected):
    assert is_sitemap(body, "application/xml") is expected


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "empty sitemap"),
        (b"<html><head><title>404</title></head><body><p>Not here</p></body></html>", "root element is <html>"),
        (b"\x1f\x8b\x08\x00 not really gzip", "does not decompress"),
    ],
)
def test_not_a_sitemap_is_reported_not_raised(body, error):
    sitemap = parse_sitemap(body, "https://news.example/sitemap.xml", now=NOW)
    assert sitemap.entries == []
    assert any(error in e for e in sitemap.errors), sitemap.errors


@pytest.mark.parametrize(
    ("robots", "expected"),
    [
        ("User-agent: *\nDisallow: /private/\nSitemap: https://news.example/sitemap.xml\n",
         ["https://news.example/sitemap.xml"]),
        ("sitemap: /news-sitemap.xml # the news one\nUser-agent: x\nSITEMAP:   /sitemap_index.xml\n"
         "Sitemap: /news-sitemap.xml\n",
         ["https://news.example/news-sitemap.xml", "https://news.example/sitemap_index.xml"]),
        ("Sitemap: ftp://news.example/s.xml\nSitemap: mailto:x@news.example\n", []),
        ("User-agent: *\nAllow: /\n", []),
        ("", []),
    ],
)
def test_sitemap_urls_from_robots(robots, expected):
    assert sitemap_urls_from_robots(robots, "https://news.example/robots.txt") == expected


@pytest.mark.parametrize(
    "text",
    ["2024-03-05", "2024-03-05T10:15", "2024-03-05T10:15Z", "2024-03-05T10:15:07+05:30", "2024-03-05T10:15:07",
     "2024-03-05T10:15:07.123456-04:00", "2024-03-05T00:00:00+00:00", "1989-12-31", "2024-02-30", "2101-01-01",
     "0001-01-01"],
)
def test_w3c_fast_path_agrees_with_the_general_date_parser(text):
    from newscrawler.discovery.dates import _parse_w3c
    from newscrawler.extract.dates import parse_date

    assert _parse_w3c(text) == parse_date(text)


def test_w3c_fast_path_refuses_an_hour_that_does_not_exist():
    # The general parser keeps the day of "T25:00Z" (pages write odd times); a sitemap's
    # lastmod must be a W3C datetime, so the fast path gives no date rather than a guess.
    from newscrawler.discovery.dates import _parse_w3c

    assert _parse_w3c("2024-03-05T25:00Z") is None


def test_common_paths_are_absolute_paths():
    assert "/sitemap.xml" in COMMON_SITEMAP_PATHS and "/news-sitemap.xml" in COMMON_SITEMAP_PATHS
    assert all(p.startswith("/") for p in COMMON_SITEMAP_PATHS)
