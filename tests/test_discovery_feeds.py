"""Feed parsing (RSS, Atom, JSON Feed), feed discovery in pages, and the date window."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timezone

import pytest

from newscrawler.discovery import (
    COMMON_FEED_PATHS,
    date_from_url,
    feed_links,
    in_window,
    is_feed,
    parse_feed,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
FEED_URL = "https://news.example/feed/"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Example News</title><link>https://news.example/</link>
  <item>
    <title>Floods in the  valley</title>
    <link>/2024/05/30/floods/</link>
    <guid isPermaLink="false">post-101</guid>
    <pubDate>Thu, 30 May 2024 09:15:00 +0530</pubDate>
    <author>desk@news.example (Asha Rao)</author>
    <category>India</category><category>Weather</category>
    <description>Rivers rose overnight.</description>
  </item>
  <item>
    <title>Markets close higher</title>
    <guid>https://news.example/business/markets</guid>
    <pubDate>Fri, 31 May 2024 16:00:00 GMT</pubDate>
    <dc:creator>Ben Ode</dc:creator>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Atom</title>
  <id>urn:example</id>
  <updated>2024-05-31T10:00:00Z</updated>
  <entry>
    <title type="html">Court rules on &lt;b&gt;case&lt;/b&gt;</title>
    <link rel="alternate" type="text/html" href="https://news.example/law/ruling"/>
    <link rel="enclosure" href="https://cdn.news.example/a.mp3"/>
    <id>tag:news.example,2024:1</id>
    <published>2024-05-29T18:30:00-04:00</published>
    <updated>2024-05-30T08:00:00-04:00</updated>
    <author><name>Carla Diaz</name></author><author><name>Dev Patel</name></author>
    <category term="Law"/>
    <summary>The court ruled.</summary>
  </entry>
</feed>"""

JSON_FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Example JSON",
    "feed_url": "https://news.example/feed.json",
    "authors": [{"name": "Newsroom"}],
    "items": [
        {"id": "1", "url": "/science/comet", "title": "Comet seen", "date_published": "2024-05-28T21:00:00+02:00",
         "date_modified": "2024-05-29T07:00:00+02:00", "summary": "Bright.", "tags": ["Space", "Space", " Sky "],
         "authors": [{"name": "Eva Berg"}]},
        {"id": "https://news.example/science/rover", "title": "Rover lands", "content_text": "It landed."},
        {"id": "no-link", "title": "Nowhere"},
        "not an object",
    ],
}

JSON_FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Old JSON",
    "items": [{"id": "x", "external_url": "https://other.example/story", "title": "Elsewhere",
               "author": {"name": "Finn Ma"}, "date_published": "2024-05-01T10:00:00Z"}],
}

RSS_10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example/"><title>RDF News</title></channel>
  <item rdf:about="https://news.example/rdf/story">
    <title>An RDF story</title><link>https://news.example/rdf/story</link>
    <dc:date>2024-05-20T07:30:00+09:00</dc:date><dc:creator>Kenji Mori</dc:creator><dc:subject>Tech</dc:subject>
  </item>
</rdf:RDF>"""

BROKEN_RSS = """<rss version="2.0"><channel><title>Broken & co</title>
<item><title>First</title><link>https://news.example/first</link><pubDate>Wed, 29 May 2024 10:00:00 +0000</pubDate></item>
<item><title>Second <b>bold</title><link>https://news.example/second</link></item>
<item><title>Third</title><link>https://news.example/third"""

WRONG_DATES = """<rss version="2.0"><channel><title>Dates</title>
<item><title>Future</title><link>https://news.example/future</link><pubDate>Mon, 01 Jan 2035 10:00:00 +0000</pubDate></item>
<item><title>Garbage</title><link>https://news.example/garbage</link><pubDate>sometime soon</pubDate></item>
<item><title>Fine</title><link>https://news.example/fine</link><pubDate>Sat, 01 Jun 2024 08:00:00 +0200</pubDate></item>
</channel></rss>"""

ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>&f;</title>
<item><title>Leak &secret;</title><link>https://news.example/leak</link></item>
</channel></rss>"""


def links(feed) -> list[str]:
    return [e.link for e in feed.entries]


@pytest.mark.parametrize(
    ("name", "body", "kind", "expected_links"),
    [
        ("rss 2.0", RSS.encode(), "rss",
         ["https://news.example/2024/05/30/floods/", "https://news.example/business/markets"]),
        ("atom", ATOM.encode(), "atom", ["https://news.example/law/ruling"]),
        ("rss 1.0", RSS_10.encode(), "rss", ["https://news.example/rdf/story"]),
        ("json feed 1.1", json.dumps(JSON_FEED_11).encode(), "json",
         ["https://news.example/science/comet", "https://news.example/science/rover"]),
        ("json feed 1.0", json.dumps(JSON_FEED_10).encode(), "json", ["https://other.example/story"]),
        ("gzipped rss", gzip.compress(RSS.encode()), "rss",
         ["https://news.example/2024/05/30/floods/", "https://news.example/business/markets"]),
    ],
)
def test_feed_kinds(name, body, kind, expected_links):
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert feed.kind == kind
    assert links(feed) == expected_links


def test_rss_entry_fields():
    feed = parse_feed(RSS.encode(), FEED_URL, now=NOW)
    assert feed.errors == [] and feed.title == "Example News"
    floods, markets = feed.entries
    assert floods.title == "Floods in the valley"
    assert floods.published == "2024-05-30T09:15:00+05:30"  # the feed's own offset, not UTC
    assert floods.updated is None
    assert floods.authors == ["Asha Rao"]
    assert floods.tags == ["India", "Weather"]
    assert floods.summary == "Rivers rose overnight."
    assert markets.published == "2024-05-31T16:00:00+00:00"
    assert markets.authors == ["Ben Ode"]


def test_rss_10_dc_date_is_the_publication_date():
    [entry] = parse_feed(RSS_10.encode(), FEED_URL, now=NOW).entries
    assert entry.published == entry.updated == "2024-05-20T07:30:00+09:00"
    assert entry.authors == ["Kenji Mori"] and entry.tags == ["Tech"]


def test_atom_entry_fields():
    [entry] = parse_feed(ATOM.encode(), FEED_URL, now=NOW).entries
    assert entry.title == "Court rules on <b>case</b>"
    assert entry.published == "2024-05-29T18:30:00-04:00"
    assert entry.updated == "2024-05-30T08:00:00-04:00"
    assert entry.authors == ["Carla Diaz", "Dev Patel"]
    assert entry.tags == ["Law"]


def test_json_feed_fields_and_skips():
    feed = parse_feed(json.dumps(JSON_FEED_11).encode(), "https://news.example/feed.json", now=NOW)
    comet, rover = feed.entries
    assert comet.published == "2024-05-28T21:00:00+02:00" and comet.updated == "2024-05-29T07:00:00+02:00"
    assert comet.authors == ["Eva Berg"] and comet.tags == ["Space", "Sky"] and comet.summary == "Bright."
    assert rover.authors == ["Newsroom"] and rover.summary == "It landed." and rover.published is None
    assert len(feed.errors) == 2
    assert "Nowhere" in feed.errors[0] and "not an object" in feed.errors[1]
    assert feed.reasons == {"no_link": 1, "bad_item": 1}
    old = parse_feed(json.dumps(JSON_FEED_10).encode(), "https://news.example/feed.json", now=NOW)
    assert old.entries[0].authors == ["Finn Ma"] and old.entries[0].published == "2024-05-01T10:00:00+00:00"


def test_broken_feed_keeps_what_it_can():
    feed = parse_feed(BROKEN_RSS.encode(), FEED_URL, now=NOW)
    assert feed.errors and "malformed feed" in feed.errors[0]
    assert links(feed)[:2] == ["https://news.example/first", "https://news.example/second"]
    assert feed.entries[0].published == "2024-05-29T10:00:00+00:00"


def test_wrong_dates_become_none_with_a_note():
    feed = parse_feed(WRONG_DATES.encode(), FEED_URL, now=NOW)
    assert [(e.link.rsplit("/", 1)[1], e.published) for e in feed.entries] == [
        ("future", None), ("garbage", None), ("fine", "2024-06-01T08:00:00+02:00")]
    assert len(feed.errors) == 2
    assert "future" in feed.errors[0] and "2035" in feed.errors[0]
    assert "unparseable" in feed.errors[1] and "sometime soon" in feed.errors[1]
    assert feed.reasons == {"future_date": 1, "unparseable_date": 1}


def test_a_feed_of_junk_dates_stops_trying_after_twenty(monkeypatch):
    from newscrawler.extract import dates as page_dates

    calls = []
    real_parse = page_dates.parse_date
    monkeypatch.setattr(page_dates, "parse_date", lambda text: calls.append(text) or real_parse(text))
    items = "".join(f"<item><link>https://news.example/{i}</link><pubDate>someday {i}</pubDate></item>" for i in range(60))
    feed = parse_feed(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), FEED_URL, now=NOW)
    assert len(feed.entries) == 60 and all(e.published is None for e in feed.entries)
    assert len(calls) == 20
    assert feed.errors[-1] == "40 dates not read: over 20 unparseable dates in this document"


def test_entity_bomb_and_external_entities_are_not_expanded():
    feed = parse_feed(ENTITY_BOMB.encode(), FEED_URL, now=NOW)
    assert len(feed.title or "") < 1000
    assert all("root:" not in (e.title or "") for e in feed.entries)
    assert feed.errors


@pytest.mark.parametrize(
    ("body", "message", "reason"),
    [
        (b"", "not a feed", "not_a_feed"),
        (b"<html><body><p>Moved</p></body></html>", "not a feed", "not_a_feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON feed", "malformed"),
        (b'{"hello": "world"}', "not a JSON Feed", "not_a_feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "malformed JSON feed", "malformed"),  # nested too deep for the parser: skipped, not a crash
        (b"\x1f\x8b\x08\x00garbage", "cannot read the feed", "bad_gzip"),
    ],
)
def test_not_a_feed_is_reported_not_raised(body, message, reason):
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert feed.entries == []
    assert any(message in e for e in feed.errors), feed.errors
    assert feed.reasons[reason] >= 1


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (RSS.encode(), "application/xml", True),
        (ATOM.encode(), "text/xml", True),
        (json.dumps(JSON_FEED_11).encode(), "application/json", True),
        (b"<html></html>", "application/rss+xml; charset=utf-8", True),
        (b'{"a": 1}', "application/json", False),
        (b"<!doctype html><html><body>feed</body></html>", "text/html", False),
        (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', None, False),
    ],
)
def test_is_feed(body, content_type, expected):
    assert is_feed(body, content_type) is expected


PAGE = """<!doctype html><html><head>
<base href="https://news.example/section/">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="Alternate" type="application/feed+json" href="https://news.example/feed.json">
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="alternate" hreflang="fr" href="https://news.example/fr/">
<link rel="stylesheet" type="text/css" href="/style.css">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-element">x</a></body></html>"""


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (PAGE, ["https://news.example/feed/", "https://news.example/section/atom.xml", "https://news.example/feed.json"]),
        ('<html><head><link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>',
         ["https://news.example/world/rss.xml"]),
        ("<html><head><title>none</title></head></html>", []),
        ("", []),
        ("\x00\x01 not html at all", []),
    ],
)
def test_feed_links(html, expected):
    assert feed_links(html, "https://news.example/world/page.html") == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2024/03/05/story-slug/", date(2024, 3, 5)),
        ("https://news.example/world/2024-03-05-story-slug.html", date(2024, 3, 5)),
        ("https://news.example/news/20240305/story", date(2024, 3, 5)),
        ("https://news.example/2024/13/05/bad-month", None),
        ("https://news.example/story-123456", None),
        ("https://news.example/", None),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("value", "since", "until", "expected"),
    [
        ("2024-03-05", date(2024, 3, 1), date(2024, 3, 31), True),
        ("2024-03-01T00:10:00+05:30", date(2024, 3, 1), None, True),  # the day as written, not UTC
        ("2024-02-29T23:59:00-08:00", date(2024, 3, 1), None, False),
        ("2024-03-31T23:00:00Z", None, date(2024, 3, 31), True),
        ("2024-04-01", None, date(2024, 3, 31), False),
        (None, date(2024, 3, 1), None, None),
        ("not a date", date(2024, 3, 1), None, None),
        (None, None, None, True),
    ],
)
def test_in_window(value, since, until, expected):
    assert in_window(value, since, until) is expected


def test_common_feed_paths():
    assert {"/feed/", "/rss", "/rss.xml", "/atom.xml", "/feed.json"} <= set(COMMON_FEED_PATHS)
