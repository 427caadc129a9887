"""Reading possibly gzipped bodies without letting a gzip bomb fill memory.

Sitemaps come as ``.xml.gz`` served as ``application/octet-stream`` or with a misleading
suffix, so gzip is recognised by its magic bytes, and decompression stops at a size limit.
"""

from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_CHUNK = 64 * 1024


class BodyTooLarge(ValueError):
    """The (decompressed) body passed the size limit the caller set."""


def is_gzip(body: bytes) -> bool:
    return body[:2] == GZIP_MAGIC


class CappedReader:
    """A file object over ``body``, gunzipped on the fly when gzipped, that refuses to read past ``limit``.

    Parsers stream from it, so a large sitemap never sits in memory decompressed. A
    truncated gzip stream first yields everything that did decompress, then raises.
    """

    def __init__(self, body: bytes, limit: int) -> None:
        self.compressed = is_gzip(body)
        self.limit = limit
        self.consumed = 0
        self._body = memoryview(body)
        self._position = 0
        self._inflater = zlib.decompressobj(_GZIP_WBITS) if self.compressed else None

    def read(self, size: int = -1) -> bytes:
        wanted = self.limit + 1 - self.consumed
        if size is not None and size >= 0:
            wanted = min(size, wanted)
        chunk = self._inflate(wanted) if self._inflater else self._slice(wanted)
        self.consumed += len(chunk)
        if self.consumed > self.limit:
            where = " once decompressed" if self.compressed else ""
            raise BodyTooLarge(f"body is larger than {self.limit} bytes{where}")
        return chunk

    def _slice(self, size: int) -> bytes:
        chunk = bytes(self._body[self._position : self._position + size])
        self._position += len(chunk)
        return chunk

    def _inflate(self, size: int) -> bytes:
        inflater = self._inflater
        out = bytearray()
        try:
            while len(out) < size and not inflater.eof:
                if inflater.unconsumed_tail:
                    out += inflater.decompress(inflater.unconsumed_tail, size - len(out))
                elif self._position < len(self._body):
                    compressed = self._slice(_CHUNK)
                    out += inflater.decompress(compressed, size - len(out))
                elif out:
                    break  # hand over what did decompress; the next read reports the truncation
                else:
                    raise EOFError("gzip data ends before its end-of-stream marker (truncated download?)")
        except zlib.error as exc:
            if out:
                return bytes(out)
            raise OSError(f"corrupt gzip data: {exc}") from exc
        return bytes(out)


def head(body: bytes, size: int = 4096) -> bytes:
    """The first ``size`` bytes of the body's content, gunzipped if need be (for sniffing)."""
    if not is_gzip(body):
        return body[:size]
    try:
        return zlib.decompressobj(_GZIP_WBITS).decompress(body, size)
    except zlib.error:
        return b""
