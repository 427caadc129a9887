"""One thread per store that owns the connection and writes items in bounded batches.

The reactor thread only puts rows on a queue; the thread commits a batch when it holds
``batch_size`` rows or when the oldest row has waited ``batch_seconds``, so a crash loses at
most one short batch and the crawl never waits on the disk or the network.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, Protocol, TypeVar

logger = logging.getLogger(__name__)


class Store(Protocol):
    """What a store offers its writer thread."""

    def upsert(self, rows: list[dict[str, Any]]) -> int: ...

    def is_outage(self, exc: Exception) -> bool:
        """Did the database itself fail (gone, locked, full), rather than refuse these rows?"""
        ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Store)


class _Call:
    """A function to run on the writer thread, after the rows queued before it."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.future: Future[Any] = Future()


class StoreWriter(Generic[S]):
    """Runs a store on its own thread: batched upserts plus calls, in submission order."""

    def __init__(
        self,
        open_store: Callable[[], S],
        *,
        batch_size: int = 500,
        batch_seconds: float = 1.0,
        on_written: Callable[[int], None] | None = None,
        on_failed: Callable[[list[dict[str, Any]], BaseException], None] | None = None,
        on_rejected: Callable[[dict[str, Any], BaseException], None] | None = None,
        name: str = "store-writer",
    ) -> None:
        self.batch_size = max(1, batch_size)
        self.batch_seconds = max(0.01, batch_seconds)
        self._open_store = open_store
        self._on_written = on_written or (lambda n: None)
        self._on_failed = on_failed or (lambda rows, exc: None)
        self._on_rejected = on_rejected or (lambda row, exc: None)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._opened: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False

    def start(self) -> Future[None]:
        """Start the thread; the future fails if the store cannot be opened."""
        self._thread.start()
        return self._opened

    def put(self, row: dict[str, Any]) -> None:
        """Queue one row; never blocks."""
        if self._closed:
            raise RuntimeError("store writer is closed")
        self._queue.put(row)

    @property
    def pending(self) -> int:
        """Rows (and calls) not yet taken by the thread."""
        return self._queue.qsize()

    def call(self, fn: Callable[[S], Any]) -> Future[Any]:
        """Run ``fn(store)`` on the thread once the rows queued before it are committed."""
        call = _Call(fn)
        self._queue.put(call)
        return call.future

    def close(self) -> Future[Any]:
        """Commit everything queued, close the store and end the thread."""
        if self._closed:
            return self.call(lambda store: None) if self._thread.is_alive() else _done()
        self._closed = True
        future = self.call(lambda store: store.close())
        self._queue.put(None)
        return future

    def _run(self) -> None:
        try:
            store = self._open_store()
        except BaseException as exc:  # reported to whoever started us
            self._opened.set_exception(exc)
            self._drain_after_failure(exc)
            return
        self._opened.set_result(None)
        batch: list[dict[str, Any]] = []
        deadline = 0.0
        while True:
            timeout = None if not batch else max(0.0, deadline - time.monotonic())
            try:
                entry = self._queue.get(timeout=timeout)
            except queue.Empty:
                entry = "flush"
            if isinstance(entry, dict):
                if not batch:
                    deadline = time.monotonic() + self.batch_seconds
                batch.append(entry)
                if len(batch) < self.batch_size:
                    continue
                entry = "flush"
            if batch:
                self._write(store, batch)
                batch = []
            if isinstance(entry, _Call):
                try:
                    entry.future.set_result(entry.fn(store))
                except BaseException as exc:
                    entry.future.set_exception(exc)
            elif entry is None:
                return

    def _write(self, store: S, batch: list[dict[str, Any]]) -> None:
        """Commit a batch; one the store refuses is written again row by row, so only the
        rows it refuses are lost (``on_rejected``). When the database itself fails, the rows
        not written go to ``on_failed``."""
        try:
            written = store.upsert(batch)
        except Exception as exc:
            if store.is_outage(exc):
                logger.error("Could not store a batch of %d articles: %s", len(batch), exc)
                self._on_failed(batch, exc)
                return
            logger.warning("A batch of %d articles was refused (%s); storing them one by one", len(batch), exc)
            written = self._write_one_by_one(store, batch)
        self._on_written(written)

    def _write_one_by_one(self, store: S, batch: list[dict[str, Any]]) -> int:
        written = 0
        for number, row in enumerate(batch):
            try:
                written += store.upsert([row])
            except Exception as exc:
                if store.is_outage(exc):
                    logger.error("Could not store %d articles: %s", len(batch) - number, exc)
                    self._on_failed(batch[number:], exc)
                    break
                self._on_rejected(row, exc)
        return written

    def _drain_after_failure(self, exc: BaseException) -> None:
        while True:
            entry = self._queue.get()
            if isinstance(entry, _Call):
                entry.future.set_exception(exc)
            elif entry is None:
                return


def _done() -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(None)
    return future


class ShardedWriter(Generic[S]):
    """Several writers, each with its own connection; a story always goes to the same one.

    Commits run in parallel (a database server can use more than one core) while the
    updates of one story stay in order and never contend with each other.
    """

    def __init__(self, writers: list[StoreWriter[S]], key: str) -> None:
        if not writers:
            raise ValueError("ShardedWriter needs at least one writer")
        self.writers = writers
        self.key = key

    def start(self) -> Future[None]:
        return _all([w.start() for w in self.writers])

    def put(self, row: dict[str, Any]) -> None:
        self.writers[hash(row[self.key]) % len(self.writers)].put(row)

    @property
    def pending(self) -> int:
        return sum(w.pending for w in self.writers)

    def call(self, fn: Callable[[S], Any]) -> Future[Any]:
        """Run ``fn`` on the first writer once every writer has committed what it was given."""
        others = [w.call(lambda store: None) for w in self.writers[1:]]

        def after_all(store: S) -> Any:
            for future in others:
                future.result()
            return fn(store)

        return self.writers[0].call(after_all)

    def close(self) -> Future[Any]:
        return _all([w.close() for w in self.writers])


def _all(futures: list[Future[Any]]) -> Future[None]:
    """One future for many: done when all are, failed with the first failure."""
    combined: Future[None] = Future()
    remaining = [len(futures)]
    lock = threading.Lock()

    def done(future: Future[Any]) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
            if combined.done():
                return
            if future.exception() is not None:
                combined.set_exception(future.exception())
            elif last:
                combined.set_result(None)

    for future in futures:
        future.add_done_callback(done)
    if not futures:
        combined.set_result(None)
    return combined
