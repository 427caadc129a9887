"""How stored values are shown to a reader: dates, snippets, paragraphs, links.

Everything crawled is text to the archive page: it is escaped here or by the templates'
autoescaping, and only http(s) addresses become links, so nothing from a crawled page runs.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

MARK = ("\x02", "\x03")
"""What the store puts around matched words: control characters no crawled text keeps."""


def highlight(snippet: str | None) -> Markup:
    """The snippet escaped, its matched words in ``<mark>``."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(MARK[0], "<mark>").replace(MARK[1], "</mark>"))


def plain(snippet: str | None) -> str:
    """The snippet without match marks (for JSON)."""
    return (snippet or "").replace(MARK[0], "").replace(MARK[1], "")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def offset_label(moment: datetime) -> str:
    """``UTC+05:30``; ``UTC`` for a zero offset."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def reader_date(value: str | None) -> str:
    """``2 May 2024``: the day as the page stated it, in the page's own time zone."""
    moment = parse_iso(value)
    if moment is None:
        return value or ""
    return f"{moment.day} {moment:%B %Y}"


def reader_datetime(value: str | None) -> str:
    """``Thursday 2 May 2024, 10:15 (UTC+05:30)``; a bare date stays a date."""
    moment = parse_iso(value)
    if moment is None:
        return value or ""
    day = f"{moment:%A} {moment.day} {moment:%B %Y}"
    if value and len(value) <= 10:  # the page gave no time
        return day
    zone = offset_label(moment)
    return f"{day}, {moment:%H:%M}" + (f" ({zone})" if zone else " (no time zone given)")


def paragraphs(body: str | None) -> list[str]:
    """The stored body's paragraphs (it separates them with a blank line)."""
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: a crawled ``javascript:`` stays text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def replay_link(story: dict, replay_base: str | None) -> str | None:
    """The archived copy's address: the store's ``replay_url`` when the crawl wrote one, else
    ``<replay base><capture time>/<url>`` for a story whose response was archived (``warc_file``)
    before the crawl wrote replay addresses (pywb finds the nearest capture to that time)."""
    from newscrawler.archive.middlewares import replay_address

    stored = safe_url(story.get("replay_url"))
    if stored:
        return stored
    if not (safe_url(replay_base) and story.get("warc_file") and safe_url(story.get("url"))):
        return None
    return replay_address(replay_base.rstrip("/") + "/", story.get("crawled_at") or "", story["url"])
