"""What went wrong reading a sitemap or feed: a few messages to log, every problem counted.

Messages are capped (a broken sitemap of 50,000 entries must not log 50,000 lines); the
counts by reason are not, so a crawl can put each one in its stats.
"""

from __future__ import annotations

from collections import Counter

MAX_ERRORS = 20
"""Messages kept per document; past it, only the reasons are counted."""


class Problems:
    """Mixin for parse results with ``errors: list[str]`` and ``reasons: Counter[str]`` fields."""

    errors: list[str]
    reasons: Counter[str]

    def note(self, message: str, reason: str, count: int = 1) -> None:
        """Count ``count`` problems under ``reason``; keep the message while under the cap."""
        self.reasons[reason] += count
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append("more errors not listed")
