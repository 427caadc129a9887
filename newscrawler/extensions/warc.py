"""WARC archive of every response, with each article pointing at the record it came from.

``WarcArchiveMiddleware`` sits next to the downloader (after decompression has *not* yet
happened), so each record holds the bytes and headers as the server sent them, minus the
chunked transfer coding the HTTP client already removed. It writes a request and a response
record per fetch and leaves the response record's location in ``response.meta["warc"]``;
``WarcLocationMiddleware`` copies that onto the items produced from the response, so the
spider knows nothing of WARC. Files are gzipped per record, rotate by size and each opens
with a ``warcinfo`` record.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newscrawler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Hop-by-hop framing the HTTP client has already undone; the record holds the plain body.
_DROPPED_HEADERS = {b"transfer-encoding", b"content-length"}
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class WarcLocation:
    """Where a response record lives: enough for ``warcio extract FILE OFFSET``."""

    warc_file: str
    warc_offset: int
    warc_record_id: str


@dataclass(frozen=True)
class HttpExchange:
    """One fetch as plain data, so the writer needs no Scrapy objects."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None = None
    truncated: bool = False
    """The body ended early (Scrapy's ``dataloss`` flag): recorded as ``WARC-Truncated``."""


class RotatingWarcWriter:
    """Appends request/response pairs to ``<prefix>-<time>-<n>.warc.gz``, a new file past ``max_size``."""

    def __init__(self, directory: Path, max_size: int, prefix: str = "newscrawler",
                 info: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.max_size = max_size
        self.prefix = prefix
        self.info = info or {}
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self._serial = 0
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None
        self._lock = threading.Lock()
        self.files: list[Path] = []

    def _open(self) -> None:
        name = f"{self.prefix}-{self._stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._serial += 1
        self._path = self.directory / name
        self._file = open(self._path, "xb")  # never append to someone else's file
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        info = {
            "software": f"newscrawler/{getattr(newscrawler, '__version__', '0.1')} (Scrapy, warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        self.files.append(self._path)

    def write(self, exchange: HttpExchange) -> WarcLocation:
        """Write the response then its request record; return the response record's place."""
        with self._lock:
            if self._file is not None and self._file.tell() >= self.max_size:
                self.close()
            if self._file is None:
                self._open()
            assert self._writer is not None and self._file is not None and self._path is not None
            response = self._record(
                exchange.url, "response", exchange.response_body,
                StatusAndHeaders(
                    _status_line(exchange.status),
                    exchange.response_headers + [("Content-Length", str(len(exchange.response_body)))],
                    protocol=exchange.protocol,
                ),
                {
                    **({"WARC-IP-Address": exchange.ip_address} if exchange.ip_address else {}),
                    **({"WARC-Truncated": "disconnect"} if exchange.truncated else {}),
                },
            )
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            offset = self._file.tell()
            self._writer.write_record(response)
            parts = urlsplit(exchange.url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request = self._record(
                exchange.url, "request", exchange.request_body,
                StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", exchange.request_headers,
                                 is_http_request=True),
                {"WARC-Concurrent-To": record_id, "WARC-Date": response.rec_headers.get_header("WARC-Date")},
            )
            self._writer.write_record(request)
            self._file.flush()
            return WarcLocation(str(self._path), offset, record_id)

    def _record(self, url: str, kind: str, payload: bytes, http_headers: StatusAndHeaders,
                warc_headers: dict[str, str]) -> Any:
        assert self._writer is not None
        return self._writer.create_warc_record(
            url, kind, payload=BytesIO(payload), length=len(payload),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._writer = None


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _headers(headers: Any) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        if name.lower() not in _DROPPED_HEADERS
        for value in values
    ]


def exchange_from(request: Request, response: Response) -> HttpExchange:
    """The fetch as the server sent it, with headers that match the body being archived."""
    response_headers = _headers(response.headers)
    encoding = response.headers.get(b"Content-Encoding", b"").lower()
    body = response.body
    rendered = bool(request.meta.get("playwright"))
    if rendered or (encoding == b"gzip" and not body.startswith(_GZIP_MAGIC)):
        # A browser-rendered or already-decoded body: say so, or replay would decode it twice.
        response_headers = [(k, v) for k, v in response_headers if k.lower() != "content-encoding"]
    request_headers = _headers(request.headers)
    if not any(k.lower() == "host" for k, _ in request_headers):
        request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    if request.body:
        request_headers.append(("Content-Length", str(len(request.body))))
    ip = getattr(response, "ip_address", None)
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body or b"",
        status=response.status,
        protocol=protocol if protocol.startswith("HTTP/") else "HTTP/1.1",
        response_headers=response_headers,
        response_body=body,
        ip_address=str(ip) if ip else None,
        truncated="dataloss" in (response.flags or []),
    )


class WarcArchiveMiddleware:
    """Downloader middleware: archives every response (register it above 590, e.g. 950)."""

    def __init__(self, crawler: Crawler, writer: RotatingWarcWriter) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = writer
        # One thread keeps records in order and the gzip work off the reactor.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawler-warc")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = crawler.settings.get("NEWSCRAWLER_WARC_DIR")
        if not directory:
            raise NotConfigured  # off by default: no warning for what nobody asked for
        max_size = crawler.settings.getint("NEWSCRAWLER_WARC_MAX_SIZE", 1024**3)
        if max_size <= 0:
            raise ValueError(f"NEWSCRAWLER_WARC_MAX_SIZE must be a positive number of bytes, got {max_size}")
        writer = RotatingWarcWriter(
            Path(directory), max_size, info={"robots": "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                                              "http-header-user-agent": crawler.settings.get("USER_AGENT", "")},
        )
        return cls(crawler, writer)

    async def process_response(self, request: Request, response: Response) -> Response:
        try:
            exchange = exchange_from(request, response)
            location = await asyncio.wrap_future(self._executor.submit(self.writer.write, exchange))
        except (OSError, ValueError) as exc:
            self.stats.inc_value("newscrawler/warc/errors")
            logger.error("WARC: could not archive %s: %s", response.url, exc)
            return response
        request.meta["warc"] = asdict(location)
        self.stats.inc_value("newscrawler/warc/records")
        self.stats.set_value("newscrawler/warc/files", len(self.writer.files))
        return response

    def spider_closed(self) -> None:
        self._executor.submit(self.writer.close).result()
        self._executor.shutdown()
        logger.info("WARC: %d file(s) in %s", len(self.writer.files), self.writer.directory)


class WarcLocationMiddleware(BaseSpiderMiddleware):
    """Spider middleware: stamps items with the WARC record of the response they came from."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("NEWSCRAWLER_WARC_DIR"):
            raise NotConfigured  # off by default: no warning for what nobody asked for
        return cls(crawler)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        location = response.meta.get("warc") if response is not None else None
        if location and is_item(item):
            adapter = ItemAdapter(item)
            for name, value in location.items():
                if name in adapter.field_names() and adapter.get(name) is None:
                    adapter[name] = value
        return item
