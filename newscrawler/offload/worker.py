"""One thread for blocking calls (a pipeline's database, the parsing of pages), so the reactor never waits on them."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class WorkerThread:
    """Runs calls one at a time, in order, on a thread of its own."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, function: Any, *args: Any) -> Any:
        """``function(*args)`` on the thread; inline when no asyncio loop runs (a non-asyncio reactor)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args)
        return await asyncio.wrap_future(self._executor.submit(function, *args))

    def submit(self, function: Any, *args: Any) -> None:
        """Queue ``function(*args)`` after the calls already waiting, without waiting for it."""
        self._executor.submit(function, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
