"""Reactor benchmark: do downloads go on while a heavy page is read?

    python -m bench.reactor [--small 40] [--comments 11000]

(run from the repository root: the site comes from ``tests/``). Serves a home page linking
one heavy article (a story under ``--comments`` reader comments, ~4 MB) and ``--small``
small pages; small page N is answered N x 0.1 s after the heavy page was sent, so their
answers keep arriving, one every 0.1 s, while the heavy page is being read. Runs
``scrapy crawl news`` over it (every request in flight at once) and prints, from the
crawl's log, how long the heavy page took from its arrival to its item, when the first
small page was received after it, and the longest gap in receiving (from the heavy page's
arrival on).

Target (issue 16): the longest gap stays near the 0.1 s spacing of the answers; with
extraction on the reactor thread it is as long as the heavy page's reading.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from tests.hostile_server import Route, listing_html, page, serve_site
from tests.test_parsing_thread import heavy_article, small_page

REPO = Path(__file__).resolve().parent.parent
SPACING = 0.1
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) ")


def crawl(start_url: str, workdir: Path) -> str:
    """Run the crawl with millisecond timestamps in its log; returns the log."""
    log = workdir / "crawl.log"
    settings = {
        "LOG_FILE": log, "LOG_LEVEL": "DEBUG", "NEWSCRAWLER_SQLITE_PATH": "",
        "NEWSCRAWLER_REPORT_DIR": workdir / "reports", "NEWSCRAWLER_LOCK_DIR": "",
        "CONCURRENT_REQUESTS": 128, "CONCURRENT_REQUESTS_PER_DOMAIN": 128,
        "LOG_FORMAT": "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s",
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={start_url}", "-a", "discover=links",
           "-O", f"{workdir / 'items.jsonl'}:jsonlines"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return log.read_text(encoding="utf-8")


def when(line: str) -> datetime | None:
    match = _STAMP.match(line)
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f") if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=40)
    parser.add_argument("--comments", type=int, default=11_000)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    heavy = heavy_article(args.comments)
    links = [("/heavy/", "Flood barrier opens")] + [(f"/small/{n}.html", f"Notice {n}") for n in range(args.small)]
    routes: dict[str, Route] = {"/": page(listing_html("Gazette", links)), "/heavy/": page(heavy)}
    for n in range(args.small):
        routes[f"/small/{n}.html"] = page(small_page(n), fault=f"after:/heavy/:{(n + 1) * SPACING:.1f}")
    with tempfile.TemporaryDirectory() as tmp, serve_site(routes) as site:
        log = crawl(site.url("/"), Path(tmp))
    lines = log.splitlines()
    heavy_url = site.url("/heavy/")
    arrived = next(when(line) for line in lines if f"Crawled (200) <GET {heavy_url}>" in line)
    scraped = next(when(line) for line in lines if f"Scraped from <200 {heavy_url}>" in line)
    small = sorted(when(line) for line in lines if "Crawled (200) <GET " in line and "/small/" in line)
    received = [arrived] + [moment for moment in small if moment >= arrived]
    gaps = [(b - a).total_seconds() for a, b in zip(received, received[1:])]
    print(f"heavy page: {len(heavy) / 1e6:.1f} MB, {(scraped - arrived).total_seconds():.2f} s from its arrival to its item")
    print(f"small pages: {len(small)} received, the first {gaps[0] if gaps else float('nan'):.2f} s after the heavy page")
    print(f"longest gap in receiving from the heavy page's arrival on: {max(gaps, default=0):.2f} s "
          f"(answers sent {SPACING:.1f} s apart)")


if __name__ == "__main__":
    main()
