"""Pages are read off the reactor: downloads go on while a heavy page is extracted.

A real crawl of a local site whose home page links one heavy article (a ~4 MB page: a story
under thousands of reader comments, seconds of parsing) and small pages that the server
answers 0.3 s after it sent the heavy one, so they arrive while it is being read. With
extraction on the reactor thread none of them could be received until it ended.
"""

from __future__ import annotations

import re
from html import escape

from tests.hostile_server import Route, listing_html, page, serve_site
from tests.prose import distinct_paragraphs

SMALL_PAGES = 12
WORDS = "river barrier council market winter bridge water doorsteps district evening".split()


def heavy_article(comments: int = 11_000) -> str:
    """A story followed by a long comment section: megabytes of markup for the extractor."""
    body = "".join(f"<p>{escape(p)}</p>" for p in distinct_paragraphs("Flood barrier opens", count=8))
    thread = "".join(
        f"<div class='comment'><span class='who'>Reader {n}</span><p>"
        + " ".join(WORDS[(n + k) % len(WORDS)] for k in range(40)) + "</p></div>"
        for n in range(comments)
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Flood barrier opens | Gazette</title>"
        "<meta property='og:type' content='article'></head><body><article><h1>Flood barrier opens</h1>"
        f"<p class='byline'>By Ann Lee · March 3, 2024</p>{body}</article><section id='comments'>{thread}</section>"
        "</body></html>"
    )


def small_page(n: int) -> str:
    return (f"<!doctype html><html><head><title>Notice {n}</title></head><body><h1>Notice {n}</h1>"
            f"<p>The library closes early on day {n}.</p></body></html>")


def test_small_pages_are_received_while_a_heavy_page_is_read(crawl) -> None:
    links = [("/heavy/", "Flood barrier opens")] + [(f"/small/{n}.html", f"Notice {n}") for n in range(SMALL_PAGES)]
    routes: dict[str, Route] = {"/": page(listing_html("Gazette", links)), "/heavy/": page(heavy_article())}
    for n in range(SMALL_PAGES):
        routes[f"/small/{n}.html"] = page(small_page(n), fault="after:/heavy/:0.3")
    with serve_site(routes) as site:
        # Enough slots for every link at once: the small pages wait for the heavy one.
        result = crawl("-a", f"start_url={site.url('/')}", "-a", "discover=links",
                       settings={"LOG_LEVEL": "DEBUG", "NEWSCRAWLER_SQLITE_PATH": "",
                                 "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32})
    assert result.returncode == 0, result.log[-3000:]
    assert [item["title"] for item in result.items] == ["Flood barrier opens"]
    assert len(result.items[0]["body"].split()) < 1000, "the comments are not the story"

    lines = result.log.splitlines()
    heavy_url = re.escape(site.url("/heavy/"))
    arrived = next(i for i, line in enumerate(lines) if re.search(rf"Crawled \(200\) <GET {heavy_url}>", line))
    read = next(i for i, line in enumerate(lines) if re.search(rf"Read {heavy_url} \(", line))
    received_meanwhile = [line for line in lines[arrived:read] if "Crawled (200) <GET " in line and "/small/" in line]
    # The small pages answer 0.3 s after the heavy one was sent, which takes seconds to read.
    # On the reactor thread, reading it would leave every one of them waiting until it was done.
    assert len(received_meanwhile) >= 4, "\n".join(lines[arrived : read + 1])[-3000:]
    assert sum(site.count(f"/small/{n}.html") for n in range(SMALL_PAGES)) == SMALL_PAGES
