"""A small static HTTP server for local sites: the demo crawl and the tests use it.

It serves a folder on 127.0.0.1 (port 0 picks a free port) in a background thread and
counts every request by path, so tests can assert what a crawl fetched and how often.
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class ServedSite:
    """A running local site: its base URL and the requests it has answered."""

    base_url: str
    root: Path
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0
    """Seconds to wait before answering each request (to make a crawl slow enough to interrupt)."""

    def url(self, path: str = "/") -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests[path]


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr, and counts them."""

    site: ServedSite

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
    }

    def __init__(self, *args, site: ServedSite, **kwargs) -> None:
        self.site = site
        super().__init__(*args, directory=str(site.root), **kwargs)

    def send_head(self):  # noqa: ANN201 - signature fixed by the base class
        with self.site.lock:
            self.site.requests[self.path] += 1
        if self.site.delay:
            time.sleep(self.site.delay)
        return super().send_head()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


@contextmanager
def serve_directory(root: Path | str, host: str = "127.0.0.1", port: int = 0) -> Iterator[ServedSite]:
    """Serve ``root`` over HTTP until the block exits; yields the running site."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"cannot serve {root}: not a directory")
    site = ServedSite(base_url="", root=root)
    server = ThreadingHTTPServer((host, port), partial(_QuietHandler, site=site))
    server.daemon_threads = True
    site.base_url = f"http://{host}:{server.server_address[1]}/"
    with serving_in_thread(server, "newscrawler-local-site"):
        yield site


@contextmanager
def serving_in_thread(server: socketserver.BaseServer, name: str) -> Iterator[None]:
    """Run ``server`` in a daemon thread until the block exits, then shut it down cleanly."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
