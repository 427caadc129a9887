"""Benchmark the archive's search page (``scrapy browse``) over 100,000 stories.

    python bench/browse.py                    # builds a 100,000-story store (about 2 minutes), then times pages
    python bench/browse.py --db /tmp/news.db  # reuses a store built before (bench/storage.py's articles)

The store is filled with bench/storage.py's synthetic articles through the real store
writer; Datasette is started with the archive's configuration (the README's command line) on
a free port on 127.0.0.1, and whole pages are fetched over HTTP, facet counts included: a
rare word, a word in every story, each sorted by relevance and by date, filtered, and as JSON.
Target: every search page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.storage import make_articles, write_all  # noqa: E402
from newscrawler.browse import datasette_options  # noqa: E402

TARGET_MS = 300


def build_store(path: Path, count: int) -> list[str]:
    """The store at ``path`` with ``count`` synthetic stories; returns the vocabulary, most frequent first."""
    from newscrawler.storage.sqlite import SQLiteStore

    start = time.perf_counter()
    articles, vocab = make_articles(count)
    write_all(lambda: SQLiteStore(path), articles, 500)
    print(f"built a store of {count:,} stories in {time.perf_counter() - start:.0f} s: {path}")
    return vocab


def pick_words(path: Path) -> tuple[str, int, str, int]:
    """A word in every story and a rare one (found in 1 to 10), with their match counts."""
    from newscrawler.storage.sqlite import SQLiteStore

    SQLiteStore(path).close()  # an older file gets the search pages' indexes, as scrapy browse does
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def count(word: str) -> int:
        return conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{word}"',)).fetchone()[0]

    common = rare = None
    words = [r[0] for r in conn.execute("SELECT title FROM articles ORDER BY id LIMIT 200")]
    candidates = sorted({w.lower().strip(".,") for title in words for w in title.split()})
    for word in candidates:
        n = count(word)
        if common is None and n == total:
            common = (word, n)
        if rare is None and 1 <= n <= 10:
            rare = (word, n)
        if common and rare:
            break
    conn.close()
    if not (common and rare):
        raise SystemExit("could not find a word in every story and a rare one in this store")
    return common[0], common[1], rare[0], rare[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> float:
    """Milliseconds to fetch the whole page."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url} answered {exc.code}") from exc
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="an existing store to time (built there first when missing)")
    parser.add_argument("--runs", type=int, default=15, help="fetches of each page (default 15)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work skews these figures)")
    with tempfile.TemporaryDirectory(prefix="newscrawler-browse-bench-") as tmp:
        path = args.db or Path(tmp) / "news.db"
        if not path.exists():
            build_store(path, args.articles)
        common, n_common, rare, n_rare = pick_words(path)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(path), *datasette_options(),
             "-h", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/{path.stem}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    get(base + "?q=x")
                    break
                except (OSError, SystemExit):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("Datasette did not start") from None
                    time.sleep(0.5)
            pages = {
                f"rare word ({n_rare} stories), relevance": {"q": rare},
                f"rare word ({n_rare} stories), by date": {"q": rare, "sort": "date"},
                f"word in every story ({n_common:,}), relevance": {"q": common},
                f"word in every story ({n_common:,}), by date": {"q": common, "sort": "date"},
                "word in every story, page 40": {"q": common, "page": "40"},
                "word in every story, section filter": {"q": common, "section": "Sport"},
                "word in every story, author filter": {"q": common, "author": "Author 5"},
                "word in every story, since/until": {"q": common, "since": "2020-01-01", "until": "2020-12-31"},
                "no query (newest stories, all facets)": {},
            }
            worst = 0.0
            for label, params in pages.items():
                for suffix in ("", ".json"):
                    url = base + suffix + ("?" + urlencode(params) if params else "")
                    get(url)  # warm-up
                    times = sorted(get(url) for _ in range(args.runs))
                    worst = max(worst, statistics.median(times))
                    print(f"{label}{' (JSON)' if suffix else ''}: median {statistics.median(times):.0f} ms, "
                          f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, max {times[-1]:.0f} ms")
            print(f"slowest median: {worst:.0f} ms (target < {TARGET_MS} ms, facet counts included)")
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
