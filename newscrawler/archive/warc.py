"""The WARC writer: one fetch in, a response (or revisit) and a request record out.

Records hold the bytes and headers as the server sent them, minus the chunked transfer
coding the HTTP client already removed. Files are gzipped per record, rotate by size and
each opens with a ``warcinfo`` record. With a :class:`PayloadIndex`, a payload stored before
(same bytes, another URL or an earlier run) is written as a ``revisit`` record of the
identical-payload-digest profile that refers to the first copy. The Scrapy side lives in
``newscrawler.archive.middlewares``.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newscrawler
from newscrawler.archive.digests import PayloadIndex, StoredPayload, payload_digest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

# Hop-by-hop framing the HTTP client has already undone; the record holds the plain body.
_DROPPED_HEADERS = {b"transfer-encoding", b"content-length"}
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class WarcLocation:
    """Where a response record lives: enough for ``warcio extract FILE OFFSET``."""

    warc_file: str
    warc_offset: int
    warc_record_id: str
    warc_date: str
    """``WARC-Date`` of the record: the capture time a replay address names."""
    revisit_of: str | None = None
    """For a revisit record, the ``WARC-Record-ID`` of the record holding the payload."""
    saved_bytes: int = 0
    """Payload bytes not written again because the record is a revisit."""


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
                 info: dict[str, str] | None = None, payloads: PayloadIndex | None = None,
                 revisit_min_size: int = 0) -> None:
        self.directory = directory
        self.payloads = payloads
        self.revisit_min_size = revisit_min_size
        self.referenced_files: set[str] = set()
        """Files of earlier runs holding payloads this run's revisits refer to."""
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
        while (self.directory / name).exists():  # another writer of this process, this second
            self._serial += 1
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
        """Write the response (or revisit) then its request record; return the first one's place."""
        with self._lock:
            if self._file is not None and self._file.tell() >= self.max_size:
                self.close()
            if self._file is None:
                self._open()
            assert self._writer is not None and self._file is not None and self._path is not None
            digest = payload_digest(exchange.response_body)
            earlier = self._earlier_copy(exchange, digest)
            saved = len(exchange.response_body)
            unchanged = self._not_modified(exchange)
            if unchanged is not None:
                # A 304 to a conditional request: the payload is the one stored before. Written as a
                # revisit of it without HTTP headers, replay serves the stored answer, not a 304.
                digest, earlier, saved = unchanged
            http_headers = StatusAndHeaders(
                _status_line(exchange.status),
                exchange.response_headers + [("Content-Length", str(len(exchange.response_body)))],
                protocol=exchange.protocol,
            )
            warc_headers = {
                **({"WARC-IP-Address": exchange.ip_address} if exchange.ip_address else {}),
                **({"WARC-Truncated": "disconnect"} if exchange.truncated else {}),
            }
            if earlier is not None:
                response = self._writer.create_revisit_record(
                    exchange.url, digest, earlier.uri, earlier.date,
                    http_headers=None if unchanged else http_headers,
                    warc_headers_dict={**warc_headers, "WARC-Refers-To": earlier.record_id})
            else:
                response = self._record(exchange.url, "response", exchange.response_body, http_headers,
                                        {**warc_headers, "WARC-Payload-Digest": digest})
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            date = response.rec_headers.get_header("WARC-Date")
            offset = self._file.tell()
            self._writer.write_record(response)
            parts = urlsplit(exchange.url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request = self._record(
                exchange.url, "request", exchange.request_body,
                StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", exchange.request_headers,
                                 is_http_request=True),
                {"WARC-Concurrent-To": record_id, "WARC-Date": date},
            )
            self._writer.write_record(request)
            self._file.flush()
            if earlier is not None:
                if earlier.warc_file not in {p.name for p in self.files}:
                    self.referenced_files.add(earlier.warc_file)
                if self.payloads is not None and unchanged is None:
                    self.payloads.remember_capture(exchange.url, digest)
                return WarcLocation(str(self._path), offset, record_id, date, earlier.record_id, saved)
            if self._may_revisit(exchange) and self.payloads is not None:
                self.payloads.add(digest, StoredPayload(exchange.url, date, self._path.name, record_id),
                                  len(exchange.response_body))
                self.payloads.remember_capture(exchange.url, digest)
            return WarcLocation(str(self._path), offset, record_id, date)

    def _may_revisit(self, exchange: HttpExchange) -> bool:
        """Only whole 200 answers big enough to be worth a reference are deduplicated."""
        return (exchange.status == 200 and not exchange.truncated
                and len(exchange.response_body) >= max(self.revisit_min_size, 1))

    def _not_modified(self, exchange: HttpExchange) -> tuple[str, StoredPayload, int] | None:
        """For a 304, the digest, first record and length of the payload the URL answered before."""
        if exchange.status != 304 or self.payloads is None:
            return None
        known = self.payloads.last_capture(exchange.url)
        if known is None or not (self.directory / known[1].warc_file).exists():
            return None  # stored elsewhere, or never: keep the 304 as it came
        return known

    def _earlier_copy(self, exchange: HttpExchange, digest: str) -> StoredPayload | None:
        if self.payloads is None or not self._may_revisit(exchange):
            return None
        earlier = self.payloads.get(digest)
        if earlier is not None and not (self.directory / earlier.warc_file).exists():
            return None  # its file was moved away: a revisit could not be replayed
        return earlier

    def _record(self, url: str, kind: str, payload: bytes, http_headers: StatusAndHeaders,
                warc_headers: dict[str, str]) -> Any:
        assert self._writer is not None
        return self._writer.create_warc_record(
            url, kind, payload=BytesIO(payload), length=len(payload),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )

    def close(self) -> None:
        """Close the current file (the next write opens a new one)."""
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
