"""Page requisites read from HTML and CSS: pure, no crawl."""

from __future__ import annotations

import pytest

from newscrawler.archive.requisites import (
    FONT,
    ICON,
    IMAGE,
    MEDIA,
    SCRIPT,
    STYLESHEET,
    SrcsetStats,
    css_references,
    html_requisites,
    pick_candidates,
    srcset_urls,
)

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/theme/style.css?ver=6.0">
<link rel="shortcut icon" href="/favicon.ico"><link rel="alternate" href="/feed/">
<link rel="preload" as="font" href="https://cdn.example/f.woff2" crossorigin>
<style>.hero{background:url('/img/hero.jpg')}</style>
<script src="//cdn.example/js/app.js"></script><script>var x = "url(/not-css.png)";</script>
</head><body>
<img src="a.png" srcset="a-300.png 300w, a-600.png 600w" alt="">
<img src="data:image/gif;base64,R0lGOD" data-src="/lazy/photo.jpg" data-srcset="/lazy/photo-2x.jpg 2x" class="lazyload">
<picture><source srcset="/p/pic.webp 1x, /p/pic@2x.webp 2x" type="image/webp"><img src="/p/pic.jpg"></picture>
<video poster="/v/poster.jpg"><source src="/v/clip.mp4" type="video/mp4"></video>
<div style="background-image: url(&quot;/bg/tile.png&quot;)"></div>
<a href="/2024/story/">not a requisite</a><iframe src="/embed/"></iframe>
<img src="a.png#top"><img src="javascript:void(0)">
</body></html>"""


def test_every_kind_of_reference_on_a_page_once_in_order() -> None:
    found = html_requisites(PAGE, "https://news.example/2024/05/story/")
    assert [(r.url, r.kind) for r in found] == [
        ("https://news.example/theme/style.css?ver=6.0", STYLESHEET),
        ("https://news.example/favicon.ico", ICON),
        ("https://cdn.example/f.woff2", FONT),
        ("https://news.example/img/hero.jpg", IMAGE),
        ("https://cdn.example/js/app.js", SCRIPT),
        ("https://news.example/2024/05/story/a.png", IMAGE),
        ("https://news.example/2024/05/story/a-300.png", IMAGE),
        ("https://news.example/2024/05/story/a-600.png", IMAGE),
        ("https://news.example/lazy/photo.jpg", IMAGE),
        ("https://news.example/lazy/photo-2x.jpg", IMAGE),
        ("https://news.example/p/pic.webp", IMAGE),
        ("https://news.example/p/pic@2x.webp", IMAGE),
        ("https://news.example/p/pic.jpg", IMAGE),
        ("https://news.example/v/poster.jpg", IMAGE),
        ("https://news.example/v/clip.mp4", MEDIA),
        ("https://news.example/bg/tile.png", IMAGE),
    ]


def test_base_href_is_honoured() -> None:
    found = html_requisites('<html><head><base href="https://static.example/s/"></head><body><img src="x.png">',
                            "https://news.example/a/")
    assert [r.url for r in found] == ["https://static.example/s/x.png"]


def test_stylesheet_imports_fonts_and_backgrounds() -> None:
    css = """@import url("print.css") print; @import 'grid.css';
    /* url(commented-out.png) */
    @font-face { font-family: X; src: url(../fonts/x.woff2) format("woff2"), url('../fonts/x.ttf'); }
    .logo { background: url( data:image/png;base64,AAAA ) , url("https://cdn.example/bg.png?v=2"); }"""
    found = css_references(css, "https://news.example/theme/css/main.css")
    assert [(r.url, r.kind) for r in found] == [
        ("https://news.example/theme/css/print.css", STYLESHEET),
        ("https://news.example/theme/css/grid.css", STYLESHEET),
        ("https://news.example/theme/fonts/x.woff2", FONT),
        ("https://news.example/theme/fonts/x.ttf", FONT),
        ("https://cdn.example/bg.png?v=2", IMAGE),
    ]


def test_a_stylesheet_importing_itself_names_itself_once() -> None:
    url = "https://news.example/loop.css"
    assert [r.url for r in css_references('@import "loop.css"; @import url(loop.css);', url)] == [url]


@pytest.mark.parametrize(("value", "expected"), [
    ("a.png 1x, b.png 2x", [("a.png", 1.0), ("b.png", 2.0)]),
    ("a.png, b.png 2x", [("a.png", 1.0), ("b.png", 2.0)]),
    ("a.png,b.png 2x", [("a.png,b.png", 2.0)]),  # a comma inside a URL (WHATWG parsing)
    ("img,1.png 480w,  img,2.png 960w", [("img,1.png", 480.0), ("img,2.png", 960.0)]),
    ("  ", []),
])
def test_srcset_candidates(value: str, expected: list[tuple[str, float]]) -> None:
    assert srcset_urls(value) == expected


def test_a_srcset_of_200_candidates_keeps_smallest_largest_and_between() -> None:
    srcset = ", ".join(f"/i/{w}.jpg {w}w" for w in range(200, 0, -1))
    stats = SrcsetStats()
    found = html_requisites(f'<img srcset="{srcset}">', "https://news.example/", max_srcset=8, srcset_stats=stats)
    urls = [r.url for r in found]
    assert len(urls) == 8 and stats.dropped == 192
    assert "https://news.example/i/1.jpg" in urls and "https://news.example/i/200.jpg" in urls
    assert pick_candidates([("a", 1.0), ("b", 2.0)], 8) == ["a", "b"]


def test_empty_or_bodiless_input_gives_nothing() -> None:
    assert html_requisites("", "https://news.example/") == []
    assert html_requisites(b"\x00\x01", "https://news.example/") == []
    assert css_references("", "https://news.example/s.css") == []


def test_pages_jsonl_lists_entry_pages_then_captured_articles_once() -> None:
    import json

    from newscrawler.archive.wacz import Page, pages_jsonl

    captured = {"https://n.example/": "2024-05-01T09:00:00Z", "https://n.example/a/": "2024-05-01T09:00:01Z"}
    text = pages_jsonl([Page("https://n.example/"), Page("https://n.example/gone/")],
                       [Page("https://n.example/a/", "Sea wall vote"), Page("https://n.example/a/", "again"),
                        Page("https://n.example/never/", "not captured")], captured)
    header, *pages = [json.loads(line) for line in text.splitlines()]
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert [(p["url"], p["ts"], p.get("title")) for p in pages] == [
        ("https://n.example/", "2024-05-01T09:00:00Z", None),
        ("https://n.example/a/", "2024-05-01T09:00:01Z", "Sea wall vote"),
    ]
    assert len({p["id"] for p in pages}) == 2


def test_script_loaded_assets_svg_sprites_embeds_and_lazy_backgrounds() -> None:
    page = r"""<html><head><script>
    window._wpemojiSettings = {"baseUrl":"https:\/\/s.w.org\/images\/core\/emoji\/72x72\/",
      "source":{"concatemoji":"https:\/\/news.example\/wp-includes\/js\/wp-emoji-release.min.js?ver=6.1"}};
    var sheet = 'https://cdn.example/late.css', story = "https://news.example/2024/05/story/";
    </script><script src="/app.js">var ignored = "https://cdn.example/not-run.js";</script></head>
    <body><svg><use xlink:href="/icons.svg#menu"></use><image href="/art.svg"></image></svg>
    <section data-bg="/img/hero-bg.jpg"></section><audio src="/a.mp3"></audio>
    <object data="/chart.svg"></object><embed src="/clip.webm"></body></html>"""
    found = [(r.url, r.kind) for r in html_requisites(page, "https://news.example/")]
    assert found == [
        ("https://news.example/wp-includes/js/wp-emoji-release.min.js?ver=6.1", SCRIPT),
        ("https://cdn.example/late.css", STYLESHEET),
        ("https://news.example/app.js", SCRIPT),
        ("https://news.example/icons.svg", IMAGE),
        ("https://news.example/art.svg", IMAGE),
        ("https://news.example/img/hero-bg.jpg", IMAGE),
        ("https://news.example/a.mp3", MEDIA),
        ("https://news.example/chart.svg", MEDIA),
        ("https://news.example/clip.webm", MEDIA),
    ]
