"""dateparser behind one process-wide lock.

dateparser keeps caches (locales, language detection, parsers) that are not thread-safe, and a
crawl calls it from more than one thread: pages are extracted on the parsing thread, sitemap
and feed dates are read on worker threads, datelines in a pipeline on the reactor thread. So
every call goes through here, one at a time. dateparser is imported on first use: it is heavy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

_LOCK = threading.Lock()
T = TypeVar("T")


def parse_date_text(text: str, **options: Any) -> datetime | None:
    """``dateparser.parse(text, **options)``, never in two threads at once."""
    with _LOCK:
        import dateparser

        return dateparser.parse(text, **options)


def locale_info(language: str) -> dict[str, Any]:
    """The names dateparser knows for one language (``months``, ``january``, ...)."""
    with _LOCK:
        from dateparser.languages.loader import default_loader

        return default_loader.get_locale(language).info


def with_dateparser_lock(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a library that calls dateparser itself (htmldate) under the same lock."""
    with _LOCK:
        return function(*args, **kwargs)
