"""Feed files written as items come, so a killed run's feed holds every item it emitted.

Scrapy's file storage writes through an 8 KB buffer: a run lost to SIGKILL also loses the
last few items it had exported, stories the store already holds and a resumed run does not
emit again. Unbuffered, each JSON line goes to the operating system as it is exported (one
write per item), and survives the process.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage


class UnbufferedFileFeedStorage(FileFeedStorage):
    """``FileFeedStorage`` without a write buffer (local paths and ``file://`` URIs)."""

    def open(self, spider: Any) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)
