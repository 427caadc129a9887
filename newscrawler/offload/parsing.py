"""One thread, off the reactor, on which the crawl reads its pages (classify and extract).

Extracting a 4 MB page takes seconds; on the reactor thread it would stall every download
for that long. Here it waits its turn on a worker thread while the reactor goes on fetching.
The thread is one, not a pool: with the GIL a pool would not read pages faster, and one
thread reads them in the order they arrived, so items come out in that order as before.
(dateparser, which extraction may reach, is not thread-safe: ``extract/dateparsing.py``
serialises its calls, whichever thread makes them.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from newscrawler.offload.worker import WorkerThread

P = ParamSpec("P")
T = TypeVar("T")

THREAD_NAME = "newscrawler-parsing"

_worker: WorkerThread | None = None
_worker_lock = threading.Lock()


def parsing_worker() -> WorkerThread:
    """The process's parsing thread (started on first use)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = WorkerThread(THREAD_NAME)
        return _worker


async def run_parsing(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` on the parsing thread, after the work submitted before it."""
    return await parsing_worker().run(functools.partial(fn, *args, **kwargs))
