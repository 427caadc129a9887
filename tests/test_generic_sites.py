"""Generic mode on sites that are not the demo: another theme, other URL schemes, no metadata."""

from __future__ import annotations

import pytest

from tests.sitegen import build_bare_site, build_magazine_site


@pytest.mark.parametrize("build", [build_magazine_site, build_bare_site], ids=["magazine", "bare"])
def test_generic_mode_finds_the_articles_of_an_unseen_theme(build, serve, crawl, tmp_path) -> None:
    manifest = build(tmp_path / "site")
    site = serve(tmp_path / "site")
    result = crawl("-a", f"start_url={site.base_url}")
    assert result.returncode == 0, result.log[-3000:]
    base = site.base_url.rstrip("/")
    got = {item["url"].removeprefix(base): item for item in result.items}
    assert len(got) == len(result.items), "an article came out twice"
    expected = {a.url_path: a for a in manifest.articles}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not extra, f"non-articles came out: {extra}"
    assert not missing, f"articles not found: {missing}"
    wrong_titles = [(p, expected[p].title, got[p]["title"]) for p in expected if got[p]["title"] != expected[p].title]
    assert not wrong_titles
