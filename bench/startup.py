"""Start-up benchmark: what a crawl that fetches nothing costs, against a bare ``import scrapy``.

    python -m bench.startup [--runs 5]

(run from the repository root). Every scheduled run and every Redis worker pays the start-up
cost, so it should stay small. The empty crawl is ``scrapy crawl news`` with the project's
settings against a local site with nothing on it: a home page without links or stories, and
404 for everything else (robots.txt, the usual sitemap and feed paths). The crawl builds every
component, fetches the home page and a handful of 404s, and ends.
Prints the median wall time, CPU time (user + system: less at the mercy of a loaded machine)
and peak resident memory (the process's own, from wait4) of each, over ``--runs`` runs.

Target (issue 16): an empty crawl under 1.5 s and under 150 MB peak.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.5
TARGET_MB = 150.0


class _EmptySite(BaseHTTPRequestHandler):
    """An empty home page; 404 for every other path. Quiet."""

    def do_GET(self) -> None:  # noqa: N802 - name fixed by the base class
        if self.path != "/":
            self.send_error(404)
            return
        body = b"<!doctype html><html><head><title>Nothing yet</title></head><body><h1>Nothing yet</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_nothing() -> Iterator[str]:
    """A site on 127.0.0.1 with nothing on it: yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptySite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """Run ``cmd`` to its end: wall seconds, peak RSS in MB, exit status, CPU seconds."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), cpu


def empty_crawl_command(start_url: str, workdir: Path) -> list[str]:
    settings = {
        "LOG_FILE": str(workdir / "crawl.log"),
        "NEWSCRAWLER_SQLITE_PATH": str(workdir / "news.db"),
        "NEWSCRAWLER_REPORT_DIR": str(workdir / "reports"),
        "NEWSCRAWLER_LOCK_DIR": str(workdir / "locks"),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={start_url}",
           "-O", f"{workdir / 'items.jsonl'}:jsonlines"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def report(name: str, runs: list[tuple[float, float, int, float]], target: bool) -> None:
    seconds = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    cpu = statistics.median(r[3] for r in runs)
    statuses = sorted({r[2] for r in runs})
    line = (f"{name:<24} {seconds:5.2f} s wall  {cpu:5.2f} s CPU  {peak:6.1f} MB peak RSS"
            f"  (median of {len(runs)}; exit {statuses})")
    if target:
        verdict = "met" if seconds < TARGET_SECONDS and peak < TARGET_MB else "NOT met"
        line += f"  target < {TARGET_SECONDS} s and < {TARGET_MB:.0f} MB: {verdict}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        imports = [measure([sys.executable, "-c", "import scrapy"], root) for _ in range(args.runs)]
        report("import scrapy", imports, target=False)
        with serve_nothing() as start_url:
            crawls = []
            for run in range(args.runs):
                workdir = root / f"crawl{run}"
                workdir.mkdir()
                crawls.append(measure(empty_crawl_command(start_url, workdir), workdir))
        report("empty crawl", crawls, target=True)
        log = root / "crawl0" / "crawl.log"
        if crawls[0][2] != 0 and log.exists():
            print(log.read_text()[-3000:])


if __name__ == "__main__":
    main()
