"""Ask only for the content codings this machine can decode.

Scrapy always sends ``Accept-Encoding: gzip, deflate, br, zstd`` and decodes ``br`` through
the ``brotli`` module's streaming API. When that module is not Google's brotli (brotlipy,
an old package of the same name, installed over it by another dependency), every page a
server sends as ``br`` ends in an ``AttributeError`` traceback and is lost. This middleware
checks once, by decoding a few bytes, whether each optional decoder works; a coding that
does not is left out of ``Accept-Encoding`` (said once at start), and a response sent in it
anyway is dropped and counted as ``newscrawler/failed/bad_content_encoding``, not a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_BROTLI_HELLO = b"\x0b\x02\x80hello\x03"
"""``hello``, brotli-compressed."""


def brotli_works() -> bool:
    """Whether the brotli module Scrapy imports decodes with the streaming API Scrapy calls."""
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError:
            return False
    try:
        return brotli.Decompressor().process(_BROTLI_HELLO, output_buffer_limit=65536) == b"hello"
    except Exception:  # any failure of a foreign module means the same: it cannot be used
        return False


def unusable_codings() -> frozenset[bytes]:
    return frozenset() if brotli_works() else frozenset({b"br"})


class AcceptedEncodingsMiddleware:
    """Leaves codings the machine cannot decode out of requests, and drops responses in them."""

    def __init__(self, stats: StatsCollector, unusable: frozenset[bytes]) -> None:
        self.stats = stats
        self.unusable = unusable

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        unusable = unusable_codings()
        if unusable:
            logger.warning("Not asking servers for %s: its decoder does not work here (for br: brotlipy installed "
                           "over Google's brotli? pip install --force-reinstall brotli)",
                           b", ".join(sorted(unusable)).decode())
        return cls(crawler.stats, unusable)

    def process_request(self, request: Request) -> None:
        accepted = request.headers.get("Accept-Encoding")
        if not self.unusable or not accepted:
            return
        kept = [c.strip() for c in accepted.split(b",") if c.strip().split(b";")[0].lower() not in self.unusable]
        request.headers["Accept-Encoding"] = b", ".join(kept)

    def process_response(self, request: Request, response: Response) -> Response:
        codings = {c.strip().lower() for value in response.headers.getlist("Content-Encoding") for c in value.split(b",")}
        bad = codings & self.unusable
        if not bad or request.method == "HEAD":
            return response
        name = b", ".join(sorted(bad)).decode()
        self.stats.inc_value("newscrawler/failed/bad_content_encoding")
        self.stats.inc_value("newscrawler/failed")
        logger.warning("Gave up on %s: it came %s-encoded, which cannot be decoded here", request.url, name)
        raise IgnoreRequest(f"{name} body cannot be decoded here")
