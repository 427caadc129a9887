"""The news spider's ``-a`` arguments, parsed and checked in one place.

``scrapy crawl news -a NAME=VALUE`` hands every value over as text. :class:`SpiderArgs` turns
them into typed values once, and a bad or unknown one is a ``UsageError`` that names the
argument and what was expected, before anything is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import UsageError

from newscrawler.rendering.modes import render_mode

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

ACCEPTED_ARGUMENTS = {
    "start_url": "comma-separated start URLs (generic mode, or to override a profile's)",
    "start_urls": "same as start_url",
    "site": "name of a site profile in newscrawler/sites/ (profile mode)",
    "max_pages": "stop after this many fetched pages (positive integer)",
    "max_pagination": "follow section pagination at most this many pages deep (positive integer)",
    "render_js": "1 to render every page in Chromium (scrapy-playwright), auto to render only pages built by script",
    "since": "only stories published on or after this day (YYYY-MM-DD)",
    "until": "only stories published on or before this day (YYYY-MM-DD)",
    "refresh": "1 to fetch again the articles an earlier run stored",
    "discover": "comma-separated discovery paths among links, sitemaps, feeds (default: all three)",
}
DISCOVERY_PATHS = ("links", "sitemaps", "feeds")


@dataclass(frozen=True)
class SpiderArgs:
    """What ``-a`` said; None where it said nothing (settings or the profile decide then)."""

    site: str | None = None
    start_urls: tuple[str, ...] = ()
    """Given start URLs, as written (the spider checks and canonicalises them)."""
    max_pages: int | None = None
    max_pagination: int | None = None
    render_js: bool | str = False
    since: date | None = None
    until: date | None = None
    refresh: bool = False
    discover: frozenset[str] = field(default_factory=lambda: frozenset(DISCOVERY_PATHS))

    @classmethod
    def parse(cls, arguments: dict[str, Any]) -> Self:
        """Typed arguments from ``-a`` text; ``_``-prefixed keys (Scrapy's own) are ignored."""
        unknown = sorted(k for k in arguments if not k.startswith("_") and k not in ACCEPTED_ARGUMENTS)
        if unknown:
            accepted = "; ".join(f"{k}: {v}" for k, v in ACCEPTED_ARGUMENTS.items())
            raise UsageError(f"unknown spider argument(s) {', '.join(unknown)}. Accepted -a arguments: {accepted}")
        given = arguments.get("start_url") or arguments.get("start_urls")
        since, until = _day("since", arguments.get("since")), _day("until", arguments.get("until"))
        if since and until and since > until:
            raise UsageError(f"-a since={arguments['since']} is after -a until={arguments['until']}: "
                             "the window is empty")
        return cls(
            site=arguments.get("site") or None,
            start_urls=tuple(u.strip() for u in given.split(",") if u.strip()) if given else (),
            max_pages=_positive_int("max_pages", arguments.get("max_pages")),
            max_pagination=_positive_int("max_pagination", arguments.get("max_pagination")),
            render_js=render_mode(arguments.get("render_js"), "-a render_js"),
            since=since,
            until=until,
            refresh=_flag("refresh", arguments.get("refresh")),
            discover=_discovery_paths(arguments.get("discover")),
        )


def max_pages_setting(settings: BaseSettings) -> int | None:
    """``-s NEWSCRAWLER_MAX_PAGES=N``: the same bound as ``-a max_pages=N`` (which wins); 0 is none."""
    value = settings.get("NEWSCRAWLER_MAX_PAGES")
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise UsageError(f"-s NEWSCRAWLER_MAX_PAGES={value!r} is not valid: expected 0 (no limit) or a positive integer")
    return number or None


def _flag(name: str, value: str | bool | None) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise UsageError(f"-a {name}={value!r} is not valid: expected 1 or 0")


def _positive_int(name: str, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise UsageError(f"-a {name}={value!r} is not valid: expected a positive integer")
    return number


def _day(name: str, value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"-a {name}={value!r} is not valid: expected a day as YYYY-MM-DD") from None


def _discovery_paths(value: str | None) -> frozenset[str]:
    if value is None or not value.strip():
        return frozenset(DISCOVERY_PATHS)
    paths = {p.strip().lower() for p in value.split(",") if p.strip()}
    unknown = paths - set(DISCOVERY_PATHS)
    if unknown:
        raise UsageError(f"-a discover={value!r}: unknown {sorted(unknown)}; accepted: {', '.join(DISCOVERY_PATHS)}")
    return frozenset(paths)
