"""Check gzip/deflate/zstd bodies before Scrapy decompresses them: cut short, or a bomb.

Scrapy's HttpCompressionMiddleware decompresses as much of a cut-off body as it can and
passes the remains on, so a page truncated in transit would be stored with half its text.
This middleware runs just before it (closer to the downloader) and walks the compressed
stream in chunks of bounded output, keeping none of it:

- an incomplete stream is retried like a lost connection and, when retries run out, dropped
  and counted as ``newscrawler/failed/truncated_body``;
- a stream that expands past the request's size limit (``download_maxsize`` meta, else
  ``DOWNLOAD_MAXSIZE``) is a gzip bomb or just too big: it is dropped at once, counted as
  ``newscrawler/failed/too_large`` and logged. Decompression stops at the limit, so memory
  and reactor time stay bounded by it, not by what the sender packed.
"""

from __future__ import annotations

import logging
import zlib
from enum import Enum
from typing import TYPE_CHECKING, Self

try:
    from compression import zstd as _zstd  # Python 3.14
except ImportError:
    try:
        from backports import zstd as _zstd  # what Scrapy decodes zstd with before 3.14
    except ImportError:
        _zstd = None

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_WBITS = {b"gzip": 16 + zlib.MAX_WBITS, b"x-gzip": 16 + zlib.MAX_WBITS, b"deflate": zlib.MAX_WBITS}
_CHUNK = 256 * 1024


class Body(Enum):
    """What the compressed stream turned out to be."""

    COMPLETE = "complete"
    TRUNCATED = "truncated"
    TOO_LARGE = "too_large"
    UNCHECKED = "unchecked"
    """Not gzip/deflate, or not decodable as such: left to Scrapy."""


def _walk(body: bytes, wbits: int, max_size: int) -> Body:
    """Decompress ``body`` in bounded chunks, discarding the output, until its end or ``max_size``."""
    decompressor = zlib.decompressobj(wbits)
    size = len(decompressor.decompress(body, _CHUNK))
    while not decompressor.eof:
        if max_size and size > max_size:
            return Body.TOO_LARGE
        # All input read, output may still wait in zlib's window: ask for it in bounded steps too.
        chunk = decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
        if not chunk and not decompressor.unconsumed_tail:
            return Body.TRUNCATED
        size += len(chunk)
    return Body.TOO_LARGE if max_size and size > max_size else Body.COMPLETE


def _walk_zstd(body: bytes, max_size: int) -> Body:
    """The same walk for zstd, frame after frame (a body may hold several)."""
    size, rest = 0, body
    while rest:
        decompressor = _zstd.ZstdDecompressor()
        size += len(decompressor.decompress(rest, max_length=_CHUNK))
        while not decompressor.eof:
            if max_size and size > max_size:
                return Body.TOO_LARGE
            chunk = decompressor.decompress(b"", max_length=_CHUNK)
            if not chunk and decompressor.needs_input:
                return Body.TRUNCATED
            size += len(chunk)
        rest = decompressor.unused_data
    return Body.TOO_LARGE if max_size and size > max_size else Body.COMPLETE


def check_compressed(body: bytes, encoding: bytes, max_size: int = 0) -> Body:
    """Whether a gzip/deflate/zstd ``body`` is complete, cut short, or expands past ``max_size`` (0: no cap)."""
    name = encoding.strip().lower()
    if name == b"zstd" and _zstd is not None and body:
        try:
            return _walk_zstd(body, max_size)
        except _zstd.ZstdError:
            return Body.UNCHECKED
    wbits = _WBITS.get(name)
    if wbits is None or not body:
        return Body.UNCHECKED
    for bits in (wbits, -zlib.MAX_WBITS) if name == b"deflate" else (wbits,):
        try:
            return _walk(body, bits, max_size)
        except zlib.error:
            continue  # raw deflate without zlib header, or not compressed at all: not ours to judge
    return Body.UNCHECKED


def is_truncated(body: bytes, encoding: bytes) -> bool:
    """True when ``body`` is a gzip/deflate stream that stops before its end marker."""
    return check_compressed(body, encoding) is Body.TRUNCATED


class TruncatedBodyMiddleware:
    """Retries (then drops) responses with an incomplete compressed body; drops gzip bombs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        encodings = response.headers.getlist("Content-Encoding")
        if request.method == "HEAD" or len(encodings) != 1 or b"," in encodings[0]:
            return response  # several layers: Scrapy's own capped decoding handles them
        encoding = encodings[0]
        max_size = int(request.meta.get("download_maxsize", self.max_size) or 0)
        verdict = check_compressed(response.body, encoding, max_size)
        name = encoding.decode("latin-1")
        if verdict is Body.TOO_LARGE:
            self._count("too_large")
            logger.warning("Gave up on %s: its %s body (%d bytes) expands past %d bytes (DOWNLOAD_MAXSIZE)",
                           request.url, name, len(response.body), max_size)
            raise IgnoreRequest(f"{name} body expands past {max_size} bytes")
        if verdict is not Body.TRUNCATED:
            return response
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated_body")
        if retry is not None:
            return retry
        self._count("truncated_body")
        logger.warning("Gave up on %s: its %s body is cut short", request.url, name)
        raise IgnoreRequest(f"truncated {name} body")

    def _count(self, reason: str) -> None:
        self.crawler.stats.inc_value(f"newscrawler/failed/{reason}")
        self.crawler.stats.inc_value("newscrawler/failed")
