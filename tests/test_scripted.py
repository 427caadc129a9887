"""``render_js=auto``: which fetched pages are shells that a script fills."""

from __future__ import annotations

import pytest

from newscrawler.extract.scripted import needs_javascript
from tests.prose import distinct_paragraphs

MENU = "".join(f'<a href="/{s.lower()}/">{s}</a>' for s in ("World", "Business", "Sport", "Culture", "Opinion"))


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>Paper</title>{head}</head><body>{body}</body></html>"


SHELLS = {
    "react root": page(f'<nav>{MENU}</nav><div id="root"></div>', '<script src="/static/main.3f9a.js"></script>'),
    "next.js": page('<div id="__next"></div><script src="/_next/static/chunks/app.js" defer></script>'),
    "angular": page('<app-root ng-version="17.1.0"></app-root><script type="module" src="/main.js"></script>'),
    "noscript notice": page(f"<header>{MENU}</header><main></main>"
                            "<noscript>You need to enable JavaScript to run this app.</noscript>"
                            "<script>fetch('/api/story/7').then(r => r.json()).then(render)</script>"),
    "inline renderer, no markers": page("<h1>Live</h1><ul id='list'></ul><script>load('/live.json')</script>"),
}


@pytest.mark.parametrize("name", SHELLS)
def test_script_built_shells_need_the_browser(name: str) -> None:
    assert needs_javascript(SHELLS[name])
    assert needs_javascript(SHELLS[name].encode("utf-8"))


def test_pages_that_carry_their_text_do_not() -> None:
    text = "".join(f"<p>{p}</p>" for p in distinct_paragraphs("scripted-article", 6))
    analytics = "<script>window.dataLayer=[];gtag('config','G-1');</script><script src='/ads.js'></script>"
    assert not needs_javascript(page(f"<nav>{MENU}</nav><article><h1>Port reopens</h1>{text}</article>", analytics))
    # A long server-rendered page keeps an (already filled) mount point: not a shell.
    assert not needs_javascript(page(f'<div id="root"><article>{text}</article></div>', analytics))
    teasers = distinct_paragraphs("scripted-listing", 12)
    headlines = "".join(f'<li><a href="/story/{n}">{p[:90]}</a></li>' for n, p in enumerate(teasers))
    assert not needs_javascript(page(f"<nav>{MENU}</nav><ul>{headlines}</ul>", analytics))


def test_short_pages_without_running_scripts_do_not() -> None:
    assert not needs_javascript(page("<p>Contact us at the desk.</p>"))
    data_only = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert not needs_javascript(page("<p>Photo of the day.</p>", data_only))
    assert not needs_javascript(page("<p>Empty script.</p><script></script>"))


@pytest.mark.parametrize("junk", ["", "   ", "<script", b"\x00\xff\xfe", "<html><body></body></html>", "<<<>>>"])
def test_junk_does_not_raise(junk: str | bytes) -> None:
    assert needs_javascript(junk) is False


def test_render_modes_from_arguments_settings_and_profiles() -> None:
    from scrapy.exceptions import UsageError

    from newscrawler.rendering.modes import AUTO, render_mode
    from newscrawler.sites import ProfileError, parse_profile

    assert [render_mode(v) for v in ("1", "auto", "AUTO ", "0", "", None, True)] == [True, AUTO, AUTO, False, False,
                                                                                  False, True]
    with pytest.raises(UsageError, match="expected 1, 0 or auto"):
        render_mode("sometimes")
    assert parse_profile("p", {"render_js": "auto"}).render_js == AUTO
    with pytest.raises(ProfileError, match="render_js"):
        parse_profile("p", {"render_js": "sometimes"})
