"""Payloads already archived, by digest: a later copy is written as a ``revisit`` record.

A small SQLite file next to the WARCs (``payload-digests.sqlite3``) maps each payload's
``sha1:`` digest to the first record that stored it, so the same bytes under another URL,
or met again in a later run into the same folder, are stored once. It also keeps the
payload each URL last answered with, so a ``304 Not Modified`` to a later conditional
request can stand for it.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

INDEX_NAME = "payload-digests.sqlite3"


def payload_digest(payload: bytes) -> str:
    """The ``WARC-Payload-Digest`` value warcio writes: ``sha1:`` and the base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


@dataclass(frozen=True)
class StoredPayload:
    """The record that first stored a payload: what a revisit refers to."""

    uri: str
    date: str
    warc_file: str
    """File name inside the archive folder."""
    record_id: str


class PayloadIndex:
    """Digest -> first record, kept in the archive folder (one writer thread uses it)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / INDEX_NAME
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS payloads (digest TEXT PRIMARY KEY, uri TEXT NOT NULL, date TEXT NOT NULL, "
            "warc_file TEXT NOT NULL, record_id TEXT NOT NULL, length INTEGER NOT NULL)"
        )
        # The payload each URL last answered 200 with: what a later 304 Not Modified stands for.
        self._conn.execute("CREATE TABLE IF NOT EXISTS captures (uri TEXT PRIMARY KEY, digest TEXT NOT NULL)")

    def get(self, digest: str) -> StoredPayload | None:
        row = self._conn.execute("SELECT uri, date, warc_file, record_id FROM payloads WHERE digest = ?",
                                 (digest,)).fetchone()
        return StoredPayload(*row) if row else None

    def add(self, digest: str, stored: StoredPayload, length: int) -> None:
        # Another worker may have stored the same bytes meanwhile: the first one stays.
        self._conn.execute("INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?, ?, ?)",
                           (digest, stored.uri, stored.date, stored.warc_file, stored.record_id, length))

    def remember_capture(self, uri: str, digest: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO captures VALUES (?, ?)", (uri, digest))

    def last_capture(self, uri: str) -> tuple[str, StoredPayload, int] | None:
        """Digest, first stored record and length of the payload ``uri`` last answered 200 with."""
        row = self._conn.execute(
            "SELECT c.digest, p.uri, p.date, p.warc_file, p.record_id, p.length FROM captures c "
            "JOIN payloads p ON p.digest = c.digest WHERE c.uri = ?", (uri,)).fetchone()
        return (row[0], StoredPayload(*row[1:5]), row[5]) if row else None

    def close(self) -> None:
        self._conn.close()
