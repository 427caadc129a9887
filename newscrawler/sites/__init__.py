"""Site profiles: a news site described as data (TOML), not as a spider subclass.

A profile names the start URLs and allowed domains, optional URL patterns that say which
links are sections and which are articles, CSS/XPath selectors that override extraction
field by field, and whether pages need a browser. Generic mode needs none of this.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_DIR = Path(__file__).resolve().parent
SELECTOR_FIELDS = frozenset(
    {"title", "description", "authors", "published_at", "modified_at", "section", "tags", "body", "lede", "images"}
)


class ProfileError(ValueError):
    """A profile is missing or malformed; the message says what was expected."""


@dataclass(frozen=True)
class SiteProfile:
    name: str
    start_urls: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    article_patterns: tuple[re.Pattern[str], ...] = ()
    section_patterns: tuple[re.Pattern[str], ...] = ()
    deny_patterns: tuple[re.Pattern[str], ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    render_js: bool | str = False
    """True (every page), ``"auto"`` (pages built by script) or False."""
    render_js_patterns: tuple[re.Pattern[str], ...] = ()

    def is_article_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_patterns)

    def is_section_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.section_patterns)

    def is_denied(self, url: str) -> bool:
        return any(p.search(url) for p in self.deny_patterns)

    @property
    def restricts_links(self) -> bool:
        """With article or section patterns, only links matching one of them are followed."""
        return bool(self.article_patterns or self.section_patterns)


def available_profiles(directories: list[Path]) -> list[str]:
    return sorted({p.stem for d in directories for p in d.glob("*.toml")})


def load_profile(name: str, extra_dirs: list[Path] | None = None) -> SiteProfile:
    """Read ``NAME.toml`` from ``extra_dirs`` (``NEWSCRAWLER_PROFILE_DIRS``) or the bundled
    profiles; raise ProfileError naming what is wrong and what exists."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name or ""):
        raise ProfileError(f"invalid site profile name {name!r}: use letters, digits, '-', '_' or '.'")
    directories = [*(extra_dirs or []), PROFILE_DIR]
    path = next((d / f"{name}.toml" for d in directories if (d / f"{name}.toml").is_file()), None)
    if path is None:
        known = ", ".join(available_profiles(directories)) or "none"
        where = ", ".join(str(d) for d in directories)
        raise ProfileError(f"unknown site profile {name!r}: no {name}.toml in {where} (available: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"site profile {path} is not valid TOML: {exc}") from exc
    return parse_profile(name, data, source=str(path))


def parse_profile(name: str, data: dict[str, Any], source: str = "<profile>") -> SiteProfile:
    known_keys = {"name", "start_urls", "allowed_domains", "urls", "selectors", "render_js"}
    unknown = set(data) - known_keys
    if unknown:
        raise ProfileError(f"{source}: unknown keys {sorted(unknown)}; accepted: {sorted(known_keys)}")
    urls = data.get("urls", {})
    selectors = data.get("selectors", {})
    if not isinstance(urls, dict) or not isinstance(selectors, dict):
        raise ProfileError(f"{source}: [urls] and [selectors] must be tables")
    bad_fields = set(selectors) - SELECTOR_FIELDS
    if bad_fields:
        raise ProfileError(f"{source}: no selector fields {sorted(bad_fields)}; accepted: {sorted(SELECTOR_FIELDS)}")
    render = data.get("render_js", False)
    render_patterns: list[str] = []
    if isinstance(render, list):
        render_patterns, render = render, True
    elif render == "auto":
        pass
    elif not isinstance(render, bool):
        raise ProfileError(f"{source}: render_js must be true/false, \"auto\" or a list of URL patterns")
    return SiteProfile(
        name=data.get("name", name),
        start_urls=tuple(_str_list(data, "start_urls", source)),
        allowed_domains=tuple(_str_list(data, "allowed_domains", source)),
        article_patterns=_patterns(urls, "article", source),
        section_patterns=_patterns(urls, "section", source),
        deny_patterns=_patterns(urls, "deny", source),
        selectors={k: str(v) for k, v in selectors.items()},
        render_js=render,
        render_js_patterns=tuple(_compile(p, source) for p in render_patterns),
    )


def _str_list(data: dict[str, Any], key: str, source: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{source}: {key} must be a list of strings")
    return value


def _patterns(urls: dict[str, Any], key: str, source: str) -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(p, source) for p in _str_list(urls, key, source))


def _compile(pattern: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ProfileError(f"{source}: bad URL pattern {pattern!r}: {exc}") from exc
