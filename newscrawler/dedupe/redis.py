"""Dedupe state in Redis, for crawls whose workers share a frontier in Redis (and no PostgreSQL).

The same decisions as the SQLite and PostgreSQL stores, kept under one key prefix
(``<NEWSCRAWLER_REDIS_KEY_PREFIX>:dedupe``, e.g. ``newscrawler:news:dedupe``):

``:meta``           hash   the MinHash parameters the band keys were made with
``:runs``, ``:ids`` ints   run numbers and story ids (INCR; ids reserved in blocks)
``:stories``        hash   story id -> packed record (URL, hashes, signature, run, modified_at)
``:u:<n>``          hashes 65,536 buckets: 12-byte digest of a URL -> story id, kind, last run that fetched it
``:h:<n>``          hashes 65,536 buckets: body hash -> story id (one story per body)
``:b:<n>``          strings 131,072 buckets of 8-byte records: 32 bits of an LSH band key + story id
``:aliases``        hash   another URL of a story -> "<kind> <canonical URL>" (the SQLite ``aliases`` table)

Small buckets keep Redis's compact encodings (listpack hashes, packed strings): about 0.5 KB
a story in all, most of it the 256-byte MinHash signature. A band key's other 32 bits are not
stored: a record matching by chance only adds a candidate, which the signature comparison
rejects. A story updated in place keeps its old band records (they lead to it, and its new
signature decides); the SQLite store deletes them.

Several workers decide at once with optimistic transactions: every read of a decision WATCHes
the buckets it looks at (URLs, body hash, and the story's band buckets, watched before anything
is read), its writes go out in one MULTI/EXEC at :meth:`commit`, and when another worker wrote
any of those buckets in between, EXEC fails, :class:`DedupeConflict` is raised and the pipeline
decides again, now seeing the other worker's story. Each decision is one to four round trips
on one connection held by the store (used from one thread).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import redis
from redis.exceptions import WatchError

from newscrawler.dedupe.base import StoredStory, UrlMatch
from newscrawler.scheduler.keys import frontier_keys

if TYPE_CHECKING:
    from typing import Self

    from newscrawler.pipelines.dedupe import DedupeConfig

LAYOUT = "redis-v1"
"""Stored in ``:meta``: a state written with another bucket layout is refused."""
_URL_BUCKETS = _BODY_BUCKETS = 1 << 16
_BAND_BUCKET_SHIFT = 64 - 17
_ID_BLOCK = 64
_KINDS = ("story", "url", "canonical", "exact", "near")
_STORY_HEADER = struct.Struct("<IBBHH")  # run, len(body_hash), len(content_hash), len(signature), len(modified_at)
_URL_ENTRY = struct.Struct("<IBI")  # story id, kind, fetched run (0: never fetched)
_U64 = (1 << 64) - 1
_APPLY = """
local a = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[a + 1])
  redis.call(ARGV[a], KEYS[k], unpack(ARGV, a + 2, a + 1 + n))
  a = a + 2 + n
end
return #KEYS
"""
"""A decision's writes as one command: ARGV holds, for each key in turn, the command, its
number of arguments and the arguments (HSET, HSETNX, HDEL, APPEND)."""


def _resp(commands: Iterable[Sequence[Any]]) -> bytes:
    """Commands in the Redis protocol (str, bytes or int arguments): a few times cheaper than
    the client's general packer, which matters at some 20 arguments a decision."""
    out = []
    for command in commands:
        out.append(b"*%d\r\n" % len(command))
        for arg in command:
            data = arg.encode() if isinstance(arg, str) else b"%d" % arg if isinstance(arg, int) else arg
            out.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(out)


class DedupeConflict(WatchError):
    """Another worker wrote what this decision read: roll back and decide again."""


def _url_field(url: str) -> tuple[int, bytes]:
    digest = hashlib.blake2b(url.encode(), digest_size=14).digest()
    return int.from_bytes(digest[:2], "little") % _URL_BUCKETS, digest[2:]


def _pack_story(canonical_url: str, body_hash: bytes | None, content_hash: bytes, modified_at: str | None,
                signature: bytes | None, run_id: int | None) -> bytes:
    body, sig, modified = body_hash or b"", signature or b"", (modified_at or "").encode()
    header = _STORY_HEADER.pack(run_id or 0, len(body), len(content_hash), len(sig), len(modified))
    return b"".join((header, body, content_hash, sig, modified, canonical_url.encode()))


def _unpack_story(story_id: int, record: bytes) -> StoredStory:
    run_id, n_body, n_content, n_sig, n_modified = _STORY_HEADER.unpack_from(record)
    fields, offset = [], _STORY_HEADER.size
    for size in (n_body, n_content, n_sig, n_modified):
        fields.append(record[offset : offset + size])
        offset += size
    body, content, sig, modified = fields
    return StoredStory(story_id, record[offset:].decode(), body or None, content, modified.decode() or None,
                       sig or None, run_id or None)


def delete_state(client: redis.Redis, prefix: str) -> int:
    """Delete a dedupe state (every key under ``prefix``); returns the number of keys deleted."""
    deleted, batch = 0, []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += client.unlink(*batch)
            batch = []
    return deleted + (client.unlink(*batch) if batch else 0)


class RedisDedupeStore:
    """The dedupe state under one key prefix in Redis; see the module's docstring."""

    group_commit = False
    """Every decision is its own transaction: other workers see it at once."""
    conflict_errors: tuple[type[Exception], ...] = (DedupeConflict,)
    errors: tuple[type[Exception], ...] = (redis.RedisError,)

    def __init__(self, url: str, prefix: str, *, params: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.where = f"{redis.connection.parse_url(url).get('host', url)} {prefix}" if url.startswith("redis") else url
        self.client = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise ConnectionError(f"cannot open the dedupe state in Redis at {self.where}: {exc}") from exc
        self.conn = self.client.connection_pool.get_connection()
        self._watch: list[str] = []  # keys to WATCH with the next read
        self._watching = False
        self._writes: list[tuple[Any, ...]] = []
        self._urls: dict[str, tuple[int, int, int] | None] = {}  # URL entries read by this decision
        self._bands: tuple[list[int], list[bytes | None]] | None = None  # band buckets read with the body
        self._next_id = self._last_id = 0
        self._check_params({**(params or {}), "layout": LAYOUT})

    @classmethod
    def from_config(cls, config: DedupeConfig, spider_name: str) -> Self:
        """The state beside the spider's shared frontier (its key prefix)."""
        prefix = frontier_keys(config.redis_prefix, spider_name)["dedupe"]
        return cls(config.redis_url, prefix, params=config.store_params())

    # --- one round trip on the store's connection ------------------------------------------
    def _send(self, commands: Sequence[tuple[Any, ...]]) -> list[Any]:
        """One round trip: a WATCH of the pending keys (if any), then ``commands``, pipelined;
        returns the replies to ``commands``."""
        watch = [("WATCH", *self._watch)] if self._watch else []
        self._watch, self._watching = [], self._watching or bool(watch)
        conn = self.conn
        try:
            conn.send_packed_command([_resp([*watch, *commands])])
            replies, error = [], None
            for _ in range(len(watch) + len(commands)):
                try:
                    replies.append(conn.read_response())
                except redis.ResponseError as exc:  # read the other replies before raising
                    error = error or exc
                    replies.append(exc)
        except redis.ConnectionError:
            conn.disconnect()  # the watches are gone with it: this decision cannot commit
            self._watching, self._writes = False, []
            raise
        if error is not None:
            raise error
        return replies[len(watch):]

    def _read(self, watch: Iterable[str], *commands: tuple[Any, ...]) -> list[Any]:
        self._watch.extend(watch)
        return self._send(commands)

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def _check_params(self, params: dict[str, str]) -> None:
        meta = self._key("meta")
        for name, value in sorted(params.items()):
            self.client.hsetnx(meta, name, value)
        stored = {k.decode(): v.decode() for k, v in self.client.hgetall(meta).items()}
        if stored != params and (len(params) > 1 or stored.get("layout") != LAYOUT):  # no params: a tool
            raise ValueError(
                f"dedupe state in Redis under {self.prefix} was built with {stored}, this crawl uses {params}; "
                "use the same NEWSCRAWLER_DEDUPE_* MinHash settings or delete it "
                "(scrapy frontier reset --dedupe)"
            )

    # --- lookups ---------------------------------------------------------------------------
    def start_run(self) -> int:
        return int(self.client.incr(self._key("runs")))

    def _stories(self, ids: Sequence[int]) -> dict[int, StoredStory]:
        if not ids:
            return {}
        records = self._read((), ("HMGET", self._key("stories"), *ids))[0]
        return {i: _unpack_story(i, r) for i, r in zip(ids, records) if r is not None}

    def _url_entries(self, urls: Sequence[str]) -> dict[str, tuple[int, int, int] | None]:
        """Story id, kind and fetched run of each URL (None: unknown), watched and remembered."""
        wanted = [url for url in dict.fromkeys(urls) if url not in self._urls]
        if wanted:
            places = [_url_field(url) for url in wanted]
            keys = [self._key(f"u:{bucket}") for bucket, _ in places]
            replies = self._read(keys, *(("HGET", key, field) for key, (_, field) in zip(keys, places)))
            for url, reply in zip(wanted, replies):
                self._urls[url] = _URL_ENTRY.unpack(reply) if reply is not None else None
        return {url: self._urls[url] for url in urls}

    def lookup_urls(self, urls: Iterable[str]) -> dict[str, UrlMatch]:
        entries = {url: e for url, e in self._url_entries(list(urls)).items() if e is not None}
        stories = self._stories(sorted({e[0] for e in entries.values()}))
        return {url: UrlMatch(stories[story_id], _KINDS[kind], run or None)
                for url, (story_id, kind, run) in entries.items() if story_id in stories}

    def lock_bands(self, band_keys: list[int]) -> None:
        """Watch the story's band buckets from before anything about its content is read
        (they are read with the body hash, in one round trip)."""
        self._bands = (band_keys, [])

    def _band_key(self, band_key: int) -> str:
        return self._key(f"b:{(band_key & _U64) >> _BAND_BUCKET_SHIFT}")

    def _body_place(self, body_hash: bytes) -> tuple[str, bytes]:
        return self._key(f"h:{int.from_bytes(body_hash[:2], 'little') % _BODY_BUCKETS}"), body_hash[2:]

    def _story_by_body(self, body_hash: bytes) -> int | None:
        key, field = self._body_place(body_hash)
        if self._bands is not None and not self._bands[1]:  # and the buckets of the locked bands
            keys = [self._band_key(band) for band in self._bands[0]]
            reply, buckets = self._read([*keys, key], ("HGET", key, field), ("MGET", *keys))
            self._bands = (self._bands[0], buckets)
        else:
            reply = self._read([key], ("HGET", key, field))[0]
        return int(reply) if reply is not None else None

    def story_by_body_hash(self, body_hash: bytes) -> StoredStory | None:
        story_id = self._story_by_body(body_hash)
        return self._stories([story_id]).get(story_id) if story_id is not None else None

    def candidates(self, band_keys: list[int]) -> list[StoredStory]:
        """Stories with a band record matching one of ``band_keys`` (at most 50)."""
        if self._bands is not None and self._bands[0] == band_keys and self._bands[1]:
            buckets = self._bands[1]
        else:
            keys = [self._band_key(key) for key in band_keys]
            buckets = self._read(keys, ("MGET", *keys))[0]
        found = [(np.frombuffer(b, dtype="<u4").reshape(-1, 2), key & 0xFFFFFFFF)
                 for b, key in zip(buckets, band_keys) if b]
        ids: dict[int, None] = {}
        for records, residual in found:
            ids.update(dict.fromkeys(records[records[:, 0] == residual, 1].tolist()))
        stories = self._stories(list(ids)[:50])
        return list(stories.values())

    def count_stories(self) -> int:
        return int(self.client.hlen(self._key("stories")))

    def last_story_id(self) -> int:
        return int(self.client.get(self._key("ids")) or 0)

    # --- writes (sent by :meth:`commit`) ----------------------------------------------------
    def _new_id(self) -> int:
        if self._next_id >= self._last_id:  # reserve a block: one round trip per 64 stories
            self._last_id = int(self._read((), ("INCRBY", self._key("ids"), _ID_BLOCK))[0]) + 1
            self._next_id = self._last_id - _ID_BLOCK
        self._next_id += 1
        return self._next_id - 1

    def _set_url(self, url: str, story_id: int, kind: str, fetched_run: int | None) -> None:
        bucket, field = _url_field(url)
        entry = (story_id, _KINDS.index(kind), fetched_run or 0)
        self._writes.append(("HSET", self._key(f"u:{bucket}"), field, _URL_ENTRY.pack(*entry)))
        self._urls[url] = entry

    def _add_bands(self, story_id: int, band_keys: Iterable[int]) -> None:
        for key in band_keys:
            self._writes.append(("APPEND", self._band_key(key), struct.pack("<II", key & 0xFFFFFFFF, story_id)))

    def add_story(self, canonical_url: str, *, body_hash: bytes | None, content_hash: bytes,
                  modified_at: str | None, signature: bytes | None, band_keys: list[int], run_id: int,
                  fetch_url: str) -> int:
        story_id = self._new_id()
        self._writes.append(("HSET", self._key("stories"), story_id,
                             _pack_story(canonical_url, body_hash, content_hash, modified_at, signature, run_id)))
        if body_hash is not None:
            self._writes.append(("HSET", *self._body_place(body_hash), story_id))
        self._add_bands(story_id, band_keys)
        self._set_url(canonical_url, story_id, "story", run_id if fetch_url == canonical_url else None)
        if fetch_url != canonical_url:
            self.add_alias(fetch_url, story_id, canonical_url, "canonical", fetched_run=run_id)
        return story_id

    def update_story(self, story: StoredStory, *, body_hash: bytes | None, content_hash: bytes,
                     modified_at: str | None, signature: bytes | None, old_band_keys: list[int],
                     band_keys: list[int], run_id: int) -> None:
        if body_hash is not None and body_hash != story.body_hash and self._story_by_body(body_hash) is not None:
            body_hash = None  # the new text equals another stored story's: it keeps the fingerprint
        if story.body_hash is not None and body_hash != story.body_hash:
            self._writes.append(("HDEL", *self._body_place(story.body_hash)))
        if body_hash is not None:
            self._writes.append(("HSET", *self._body_place(body_hash), story.id))
        self._add_bands(story.id, set(band_keys) - set(old_band_keys))
        self._writes.append(("HSET", self._key("stories"), story.id,
                             _pack_story(story.canonical_url, body_hash, content_hash, modified_at, signature, run_id)))

    def forget_story(self, story: StoredStory, band_keys: list[int], *, content_hash: bytes, run_id: int) -> None:
        """Drop the body hash and signature (band buckets naming a story without a signature
        are passed over by :meth:`candidates`) and give it ``content_hash``."""
        if story.body_hash is not None:
            self._writes.append(("HDEL", *self._body_place(story.body_hash)))
        self._writes.append(("HSET", self._key("stories"), story.id,
                             _pack_story(story.canonical_url, None, content_hash, story.modified_at, None, run_id)))

    def touch(self, story: StoredStory, run_id: int) -> None:
        self._writes.append(("HSET", self._key("stories"), story.id, _pack_story(
            story.canonical_url, story.body_hash, story.content_hash, story.modified_at, story.signature, run_id)))

    def mark_fetched(self, url: str, run_id: int) -> None:
        entry = self._url_entries([url])[url]
        if entry is not None:
            self._set_url(url, entry[0], _KINDS[entry[1]], run_id)

    def add_alias(self, url: str, story_id: int, canonical_url: str, kind: str, *,
                  fetched_run: int | None = None, now: str | None = None) -> None:
        """Remember ``url`` as another address of the story. A URL already known keeps its
        story and kind (and its first entry in ``:aliases``)."""
        entry = self._url_entries([url])[url]
        if entry is None:
            self._set_url(url, story_id, kind, fetched_run)
            self._writes.append(("HSETNX", self._key("aliases"), url, f"{kind} {canonical_url}"))
        elif fetched_run is not None:
            self._set_url(url, entry[0], _KINDS[entry[1]], fetched_run)

    def aliases(self) -> dict[str, tuple[str, str]]:
        """Every alias: URL -> (canonical URL of its story, kind)."""
        return {url.decode(): tuple(value.decode().split(" ", 1)[::-1])
                for url, value in self.client.hscan_iter(self._key("aliases"))}

    def commit(self) -> None:
        """Apply this decision's writes if nothing it read has changed; else DedupeConflict."""
        writes, self._writes, self._urls, self._bands = self._writes, [], {}, None
        if not writes:
            if self._watching:
                self._send([("UNWATCH",)])
                self._watching = False
            return
        self._watch = []  # nothing read yet is unwatched: pending keys were never read
        args = [part for op, _, *rest in writes for part in (op, len(rest), *rest)]
        replies = self._send([("MULTI",), ("EVAL", _APPLY, len(writes), *(w[1] for w in writes), *args), ("EXEC",)])
        self._watching = False
        if replies[-1] is None:
            raise DedupeConflict("another worker changed the dedupe state this decision read")
        if isinstance(replies[-1][0], Exception):
            raise replies[-1][0]

    def rollback(self) -> None:
        self._writes, self._urls, self._watch, self._bands = [], {}, [], None
        if self._watching:
            self._watching = False
            self._send([("UNWATCH",)])

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.client.connection_pool.release(self.conn)
            self.client.close()
