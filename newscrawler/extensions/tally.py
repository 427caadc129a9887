"""Per-article counts a crawl keeps as items are scraped: updates, sections, discovery paths,
date sources and field coverage.

Stats counters cannot say what share of articles had an author; this can. Both the progress
line and the end-of-crawl report keep one, fed from the ``item_scraped`` signal.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from itemadapter import ItemAdapter

COVERED_FIELDS = ("published_at", "authors", "dateline", "body")
"""Fields whose presence the report measures, in the order it lists them."""
NONE = "(none)"
"""Bucket for articles without a section, discovery path or date source."""


class ArticleTally:
    """Counts over the articles written so far."""

    def __init__(self) -> None:
        self.total = 0
        self.updates = 0
        self.by_section: Counter[str] = Counter()
        self.by_discovery: Counter[str] = Counter()
        self.date_sources: Counter[str] = Counter()
        self.present: Counter[str] = Counter()

    def add(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        self.total += 1
        self.updates += bool(adapter.get("is_update"))
        self.by_section[_label(adapter.get("section"))] += 1
        self.by_discovery[_label(adapter.get("discovered_via"))] += 1
        self.date_sources[_label(adapter.get("published_at_source") if adapter.get("published_at") else None)] += 1
        for name in COVERED_FIELDS:
            value = adapter.get(name)
            if value and (not isinstance(value, str) or value.strip()):
                self.present[name] += 1

    @property
    def new(self) -> int:
        return self.total - self.updates

    def coverage(self) -> dict[str, dict[str, float | int]]:
        """For each covered field: how many articles have it and what share that is (0..1)."""
        total = self.total or 1
        return {name: {"count": self.present[name], "share": round(self.present[name] / total, 4)}
                for name in COVERED_FIELDS}


def _label(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return text or NONE
