"""Render modes: which pages of a crawl go through Chromium, as the settings say.

A crawl asks for rendering with ``-a render_js=1`` (every page), ``-a render_js=auto`` (only
the kinds of page where rendering was found to pay, see ``newscrawler.extract.render_gain``),
a site profile's ``render_js = true``, ``"auto"`` or ``["pattern", ...]`` (pages whose URL
matches), or ``-s NEWSCRAWLER_RENDER_JS=1`` or ``=auto`` (any spider). The spider folds its
argument and profile into ``NEWSCRAWLER_RENDER_JS`` and ``NEWSCRAWLER_RENDER_JS_PATTERNS``
when it is built (:func:`fold_into_settings`), so every component reads the settings alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

AUTO = "auto"
"""Render mode: only the kinds of page where rendering pays (learned during the crawl)."""


def render_mode(value: Any, name: str = "render_js") -> bool | str:
    """``True`` (every page), ``False`` or ``"auto"`` from a flag given as text or a bool."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    lowered = str(value).strip().lower()
    if lowered == AUTO:
        return AUTO
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise UsageError(f"{name}={value!r} is not valid: expected 1, 0 or auto")


def widest_mode(modes: Iterable[bool | str]) -> bool | str:
    """Every page if any source says so, else auto if any does, else off."""
    modes = list(modes)
    if True in modes:
        return True
    return AUTO if AUTO in modes else False


def crawl_render_mode(settings: BaseSettings) -> bool | str:
    """The crawl's mode, from ``NEWSCRAWLER_RENDER_JS``."""
    return render_mode(settings.get("NEWSCRAWLER_RENDER_JS"), "NEWSCRAWLER_RENDER_JS")


def render_patterns(settings: BaseSettings) -> tuple[re.Pattern[str], ...]:
    """``NEWSCRAWLER_RENDER_JS_PATTERNS``: URL patterns of the pages to render (a profile's list)."""
    patterns = []
    for pattern in settings.getlist("NEWSCRAWLER_RENDER_JS_PATTERNS"):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise UsageError(f"NEWSCRAWLER_RENDER_JS_PATTERNS: {pattern!r} is not a regular expression: {exc}") from exc
    return tuple(patterns)


def wants_javascript(settings: BaseSettings) -> bool:
    """Whether this crawl may render any page: a render mode or URL patterns."""
    return bool(crawl_render_mode(settings) or settings.getlist("NEWSCRAWLER_RENDER_JS_PATTERNS"))


def fold_into_settings(settings: BaseSettings, argument: bool | str, profile_mode: bool | str,
                       profile_patterns: Iterable[re.Pattern[str]] = ()) -> None:
    """Widen the crawl's render settings with a spider's ``-a render_js`` and its profile.

    The mode written is the widest of the three sources; it overrides ``NEWSCRAWLER_RENDER_JS``
    at the priority that set it (``-s`` included), since it already counts that value.
    """
    patterns = [p.pattern for p in profile_patterns]
    mode = widest_mode([crawl_render_mode(settings), argument, False if patterns else profile_mode])
    name = "NEWSCRAWLER_RENDER_JS"
    settings.set(name, mode, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"]))
    if patterns:
        settings.set("NEWSCRAWLER_RENDER_JS_PATTERNS", patterns, priority="spider")


def js_timeout(settings: BaseSettings) -> float:
    """Seconds a page may take to render (``NEWSCRAWLER_JS_TIMEOUT``), independent of DOWNLOAD_TIMEOUT."""
    seconds = settings.getfloat("NEWSCRAWLER_JS_TIMEOUT", 30.0)
    if seconds <= 0:
        raise UsageError(f"NEWSCRAWLER_JS_TIMEOUT={settings.get('NEWSCRAWLER_JS_TIMEOUT')!r} must be a number "
                         "of seconds above 0")
    return seconds
