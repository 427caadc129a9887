"""Retry, then drop, responses whose gzip/deflate body ends before the compressed stream does.

Scrapy's HttpCompressionMiddleware decompresses as much of a cut-off body as it can and
passes the remains on, so a page truncated in transit would be stored with half its text.
This middleware runs just before it (closer to the downloader) and checks that the
compressed stream is complete; an incomplete one is retried like a lost connection and,
when retries run out, dropped and counted as ``newscrawler/failed/truncated_body``.
"""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_WBITS = {b"gzip": 16 + zlib.MAX_WBITS, b"x-gzip": 16 + zlib.MAX_WBITS, b"deflate": zlib.MAX_WBITS}


def is_truncated(body: bytes, encoding: bytes) -> bool:
    """True when ``body`` is a gzip/deflate stream that stops before its end marker."""
    wbits = _WBITS.get(encoding.strip().lower())
    if wbits is None or not body:
        return False
    for bits in (wbits, -zlib.MAX_WBITS) if encoding.strip().lower() == b"deflate" else (wbits,):
        decompressor = zlib.decompressobj(bits)
        try:
            decompressor.decompress(body)
        except zlib.error:
            continue  # raw deflate without zlib header, or not compressed at all: not ours to judge
        return not decompressor.eof
    return False


class TruncatedBodyMiddleware:
    """Retries (then drops) responses with an incomplete compressed body."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        encoding = response.headers.get("Content-Encoding")
        if request.method == "HEAD" or not encoding or not is_truncated(response.body, encoding):
            return response
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated_body")
        if retry is not None:
            return retry
        stats = self.crawler.stats
        stats.inc_value("newscrawler/failed/truncated_body")
        stats.inc_value("newscrawler/failed")
        logger.warning("Gave up on %s: its %s body is cut short", request.url, encoding.decode("latin-1"))
        raise IgnoreRequest(f"truncated {encoding.decode('latin-1')} body")
