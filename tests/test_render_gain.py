"""render_js=auto's learning, pure: kinds of page by URL shape, and what a render added."""

from __future__ import annotations

import pytest

from newscrawler.extract.render_gain import page_kind, render_gain


@pytest.mark.parametrize(("url", "kind"), [
    ("https://n.example/", "/"),
    ("https://n.example/world/", "/world/"),
    ("https://n.example/middle-east/", "/middle-east/"),
    ("https://n.example/world/page/7/", "/world/page/#/"),
    ("https://n.example/2024/01/31/dam-breaks-after-storm/", "/#/#/#/*/"),
    ("https://n.example/2024/02/01/other-story-3/", "/#/#/#/*/"),
    ("https://n.example/archive/?day=17", "/archive/?day"),
    ("https://n.example/a/12345", "/a/#"),
    ("https://n.example/?p=123", "/?p"),
    ("https://n.example/news/story-4", "/news/*"),
])
def test_page_kind(url, kind) -> None:
    assert page_kind(url) == kind


SHELL = ('<html><body><nav><a href="/world/">World</a></nav><h1>Live</h1><div id="live"></div>'
         '<script>build()</script></body></html>')
FILLED = ('<html><body><nav><a href="/world/">World</a></nav><h1>Live</h1><div id="live">'
          '<h2><a href="/live/one-js/">One</a></h2><h2><a href="/live/two-js/">Two</a></h2></div></body></html>')


def test_a_render_that_shows_story_links_pays() -> None:
    gain = render_gain(SHELL, FILLED, "https://n.example/live/")
    assert (gain.new_story_links, gain.new_links) == (2, 2)
    assert gain.pays()


def test_a_render_that_shows_nothing_new_does_not_pay() -> None:
    gain = render_gain(FILLED, FILLED, "https://n.example/live/")
    assert (gain.new_links, gain.extra_words) == (0, 0)
    assert not gain.pays()


def test_a_render_that_brings_the_text_pays() -> None:
    text = " ".join(["word"] * 300)
    gain = render_gain("<html><body><h1>T</h1><div id=app></div></body></html>",
                       f"<html><body><h1>T</h1><div id=app><p>{text}</p></div></body></html>", "https://n.example/a/1")
    assert gain.extra_words == 300 and gain.pays()


def test_offsite_links_and_broken_pages_count_for_nothing() -> None:
    gain = render_gain(SHELL, SHELL.replace('<div id="live"></div>', '<a href="https://ads.example/x">Ad</a>'),
                       "https://n.example/live/")
    assert gain.new_links == 0
    assert not render_gain(b"", b"\x00\x01", "https://n.example/").pays()


def test_a_menu_link_revealed_on_an_entry_page_pays_there_only() -> None:
    plain = '<html><body><nav><a href="/world/">World</a></nav><p>Front page</p></body></html>'
    menu = plain.replace("</nav>", '<a href="/live/">Live</a><a href="/login/">Log in</a></nav>')
    gain = render_gain(plain, menu, "https://n.example/")
    assert (gain.new_links, gain.new_section_links) == (2, 1)
    assert gain.pays(entry_page=True) and not gain.pays()
