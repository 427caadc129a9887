"""Hostile-input benchmark (issue 17): memory of a gzip-bomb crawl and of a 1,000,000-URL
sitemap crawl, and the time a 100,000-character search query takes.

    python -m bench.hostile [--bomb-gib 10] [--sitemap-urls 1000000] [--articles 20000] [--uncapped]

(run from the repository root: the servers come from ``tests/hostile_server.py``).

1. Serves a page of ``--bomb-gib`` GiB of gzip (about 1 MB on the wire per GiB) on 127.0.0.1,
   linked from a home page, and crawls it: prints the crawl process's peak RSS (its VmHWM), wall
   time, and how the bomb was counted.
2. Serves a sitemap of ``--sitemap-urls`` URLs (50 MB for a million), named in robots.txt, and
   crawls with ``discover=sitemaps`` and ``max_pages=500`` (the sitemap is read whole; the
   crawl then stops fetching the 50,000 URLs it keeps): peak RSS, wall time, URLs kept and
   counted past the cap.
3. Builds a SQLite store of ``--articles`` stories and runs ``scrapy search`` with one word
   (what starting the command costs) and with a 100,000-character query of 20,000 words: wall
   and CPU time, peak RSS and exit status; with ``--uncapped`` also with the length cap off
   (what it cost before the cap).

Targets: both crawls under 1 GB peak; the long query answered at once. Figures depend on the
machine's load; run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from itemadapter import ItemAdapter

from bench.crawl import Run, crawl_command, run_process
from tests.hostile_server import Route, gzip_bomb, listing_html, page, serve_site

REPO = Path(__file__).resolve().parent.parent
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def wait_measuring(proc: subprocess.Popen) -> tuple[float, float, float, int]:
    """Wait for ``proc``: wall seconds, its own peak RSS in MB, CPU seconds, exit status.

    The peak is the process's VmHWM, polled: wait4's ru_maxrss would report this (big)
    benchmark process instead whenever it is the larger, as a child inherits the parent's
    high-water mark across fork and exec.
    """
    started = time.perf_counter()
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, peak_kb / 1024, usage.ru_utime + usage.ru_stime, proc.returncode


def crawl(start_url: str, workdir: Path, *args: str) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    seconds, peak_mb, cpu, status = wait_measuring(run_process(crawl_command(start_url, workdir, {}, *args), workdir))
    reports = sorted((workdir / "reports").glob("*.json"), key=lambda p: p.stat().st_mtime)
    stats = json.loads(reports[-1].read_text()).get("stats", {}) if reports else {}
    return Run(seconds, peak_mb, cpu, status, stats, "")


def bench_bomb(gib: int, folder: Path) -> None:
    bomb = gzip_bomb(gib * 1024, prefix=b"<!doctype html><html><body><p>")
    routes = {
        "/robots.txt": Route(b"User-agent: *\nDisallow:\n", "text/plain"),
        "/bomb.html": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "/": page(listing_html("Bombed", [("/bomb.html", "Archive")])),
    }
    with serve_site(routes) as site:
        run = crawl(site.url("/"), folder / "bomb", "-a", "discover=links")
    print(f"gzip bomb: {len(bomb) / 1e6:.1f} MB on the wire, {gib} GiB gunzipped: peak RSS {run.peak_mb:,.0f} MB, "
          f"{run.seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, exit {run.returncode}, "
          f"failed/too_large={run.stats.get('newscrawler/failed/too_large')}")


def sitemap_body(base: str, count: int) -> bytes:
    """``count`` URLs as short as they come (hex numbers): a million of them fit the 50 MB cap."""
    rows = (f"<url><loc>{base}/{n:x}</loc></url>" for n in range(count))
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{"".join(rows)}</urlset>'.encode()


def bench_sitemap(count: int, folder: Path) -> None:
    routes = {"/": page(listing_html("Home", []))}
    with serve_site(routes) as site:
        base = site.base_url.rstrip("/")
        routes["/sitemap.xml"] = Route(sitemap_body(base, count), "application/xml")
        routes["/robots.txt"] = Route(f"User-agent: *\nDisallow:\nSitemap: {base}/sitemap.xml\n".encode(), "text/plain")
        size = len(routes["/sitemap.xml"].body)
        run = crawl(site.url("/"), folder / "sitemap", "-a", "discover=sitemaps", "-a", "max_pages=500")
    stats = run.stats
    print(f"sitemap: {count:,} URLs, {size / 1e6:.1f} MB: peak RSS {run.peak_mb:,.0f} MB, {run.seconds:.1f} s wall, "
          f"{run.cpu_seconds:.1f} s CPU, exit {run.returncode}, URLs kept {stats.get('newscrawler/sitemap/urls')}, "
          f"past the cap {stats.get('newscrawler/sitemap/entries_over_limit')}")


def bench_query(articles: int, folder: Path, uncapped: bool) -> None:
    import random

    from bench.storage import make_articles
    from newscrawler.storage.schema import to_row
    from newscrawler.storage.sqlite import SQLiteStore

    path = folder / "search.db"
    store = SQLiteStore(path)
    built, vocab = make_articles(articles)
    store.upsert([to_row(ItemAdapter(a)) for a in built])
    store.close()
    rng = random.Random(17)
    query = " ".join(rng.choice(vocab) for _ in range(20_000))[:100_000]
    cases = [("one word, for the process start", vocab[0], []), ("100,000 characters", query, [])]
    if uncapped:
        cases.append(("100,000 characters, cap off", query, ["-s", "NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH=0"]))
    for name, text, extra in cases:
        cmd = [sys.executable, "-m", "scrapy", "search", text, "-s", f"NEWSCRAWLER_SQLITE_PATH={path}", *extra]
        with open(folder / "search.err", "w+", encoding="utf-8") as errors:
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors, text=True)
            seconds, peak_mb, cpu, status = wait_measuring(proc)
            errors.seek(0)
            message = errors.read().strip().splitlines()
        print(f"scrapy search, {name} ({articles:,} articles): {seconds:.2f} s wall, {cpu:.2f} s CPU, "
              f"peak RSS {peak_mb:,.0f} MB, exit {status}{': ' + message[-1][:90] if message else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bomb-gib", type=int, default=10)
    parser.add_argument("--sitemap-urls", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--uncapped", action="store_true", help="also time the query with the length cap off")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        folder = Path(tmp)
        bench_bomb(args.bomb_gib, folder)
        bench_sitemap(args.sitemap_urls, folder)
        bench_query(args.articles, folder, args.uncapped)


if __name__ == "__main__":
    main()
