"""Moved to ``newscrawler.archive``; kept so settings naming the old paths keep working."""

from __future__ import annotations

from newscrawler.archive.middlewares import WarcArchiveMiddleware, WarcLocationMiddleware
from newscrawler.archive.warc import HttpExchange, RotatingWarcWriter, WarcLocation, exchange_from

__all__ = ["HttpExchange", "RotatingWarcWriter", "WarcArchiveMiddleware", "WarcLocation", "WarcLocationMiddleware",
           "exchange_from"]
