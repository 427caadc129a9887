"""Snapshot of a page rendered in Chromium: what its scripts load is archived too (real Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawler.archive.middlewares import RENDERED_FROM_FETCH
from newscrawler.demo.stories import png_bytes
from tests.test_js_rendering import _chromium_or_skip

SCRIPT = """
fetch("/api/story.json").then(function (r) { return r.json(); }).then(function (story) {
  var h = document.createElement("h1"); h.textContent = story.title; document.body.appendChild(h);
  var img = document.createElement("img"); img.src = story.image; document.body.appendChild(img);
});
"""


@pytest.mark.chromium
def test_responses_the_browser_loaded_are_archived(tmp_path: Path, serve, crawl) -> None:
    _chromium_or_skip()
    root = tmp_path / "site"
    (root / "api").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "js").mkdir()
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>Scripted</title><script src='/js/app.js' defer></script></head>"
        "<body><p>Loading</p></body></html>")
    (root / "js/app.js").write_text(SCRIPT)
    (root / "api/story.json").write_text('{"title": "Harbour wall approved", "image": "/img/from-script.png"}')
    (root / "img/from-script.png").write_bytes(png_bytes(8, 8, (10, 120, 200)))
    site = serve(root)
    result = crawl("-a", f"start_url={site.url('/')}", "-a", "render_js=1", settings={
        "NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": "warc"})
    assert result.returncode == 0, result.log[-3000:]
    archived, pages = {}, []
    for path in (result.workdir / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in {"response", "revisit"}:
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    archived[uri] = record.http_headers.get_statuscode()
                    if uri == site.url("/"):
                        pages.append(record.content_stream().read())
    # The page as the server sent it, once: not also the DOM the browser built from it.
    assert pages == [(root / "index.html").read_bytes()]
    # The JSON exists only in the browser's own requests; the picture only in the rendered page.
    for path in ("/js/app.js", "/api/story.json", "/img/from-script.png"):
        assert archived.get(site.url(path)) == "200", f"{path} not archived: {sorted(archived)}"
    assert site.count("/api/story.json") == 2  # the browser's request, then the archive's
    assert result.stats["newscrawler/archive/requisites/fetched/other"] == 1


def test_rendered_page_marker_is_the_javascript_middlewares() -> None:
    pytest.importorskip("scrapy_playwright")
    from newscrawler.middlewares.javascript import PREFETCHED

    assert RENDERED_FROM_FETCH == PREFETCHED
