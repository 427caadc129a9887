"""Crawl benchmark: the full pipeline against ``scrapy bench`` on this machine, and the
speed-up of three Redis-sharing workers over one.

    python -m bench.crawl [--articles 5000] [--bench-seconds 20] [--js-pages 300] [--delay-pages 900]
                           [--skip-scaleout|--only-scaleout]

(run from the repository root: the local sites come from ``tests/hostile_server.py``).

1. Serves a generated site of ``--articles`` stories (plus section listings) on 127.0.0.1
   and runs ``scrapy crawl news`` over it with the project's settings: extraction,
   datelines, dedupe, SQLite, whatever ``ITEM_PIPELINES`` holds. Prints pages per minute
   and the crawl process's peak resident memory.
2. Runs ``scrapy bench`` (Scrapy's own spider and server, default settings) for
   ``--bench-seconds`` and prints its pages per minute, and our share of it.
3. Renders ``--js-pages`` script-built pages in Chromium and prints the memory of the
   crawler and the browser together through the run (it should stay flat).
4. Serves a site that waits 100 ms before every answer and crawls it with one worker,
   then with three sharing a Redis frontier (same per-worker concurrency), and prints
   the wall-clock speed-up. Needs Redis at ``--redis-url``.

Targets (issue 8): >= 50% of scrapy bench's pages/min, < 500 MB peak, 3 workers >= 2.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawler.scheduler.operations import reset
from tests.hostile_server import plain_news_routes, serve_site

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """One finished process: wall time, peak RSS, and the crawl report's stats if any."""

    seconds: float
    peak_mb: float
    cpu_seconds: float
    returncode: int
    stats: dict
    output: str


def run_process(cmd: list[str], workdir: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``cmd`` in the repository root; its console output goes to ``workdir/output.txt``."""
    with open(workdir / "output.txt", "w", encoding="utf-8") as output:
        return subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **(env or {})}, stdout=output,
                                stderr=subprocess.STDOUT)


def finish(proc: subprocess.Popen, started: float, workdir: Path) -> Run:
    """Wait for ``proc``; its own peak RSS comes from wait4, not from sampling."""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    stats: dict = {}
    reports = sorted((workdir / "reports").glob("*.json"), key=lambda p: p.stat().st_mtime)
    if reports:
        stats = json.loads(reports[-1].read_text()).get("stats", {})
    log = workdir / "crawl.log"
    output = (workdir / "output.txt").read_text() + (log.read_text()[-5000:] if log.exists() else "")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, cpu, proc.returncode, stats, output)


def crawl_command(start_url: str, workdir: Path, extra: dict[str, object], *args: str) -> list[str]:
    settings = {
        "NEWSCRAWLER_SQLITE_PATH": workdir / "news.db",
        "NEWSCRAWLER_REPORT_DIR": workdir / "reports",
        "LOG_FILE": workdir / "crawl.log",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_url={start_url}", *args,
           "-O", f"{workdir / 'items.jsonl'}:jsonlines"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def crawl_workers(start_url: str, root: Path, workers: int, extra: dict[str, object]) -> tuple[float, list[Run]]:
    """Start ``workers`` crawls at once; wall time until the last one exits, and each run."""
    env = {"SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    started = time.perf_counter()
    procs = []
    for n in range(workers):
        workdir = root / f"worker{n}"
        workdir.mkdir(parents=True)
        procs.append((run_process(crawl_command(start_url, workdir, extra), workdir, env), workdir))
    runs = [finish(proc, started, workdir) for proc, workdir in procs]
    return time.perf_counter() - started, runs


def crawl_span(runs: list[Run]) -> float | None:
    """Seconds from the first worker's spider start to the last one's finish."""
    try:
        starts = [datetime.fromisoformat(r.stats["start_time"]) for r in runs]
        ends = [datetime.fromisoformat(r.stats["finish_time"]) for r in runs]
    except (KeyError, TypeError, ValueError):
        return None
    return (max(ends) - min(starts)).total_seconds()


def pages_per_minute(stats: dict) -> float:
    elapsed = float(stats.get("elapsed_time_seconds") or 0)
    return 60 * stats.get("response_received_count", 0) / elapsed if elapsed else 0.0


def full_pipeline(articles: int, root: Path) -> Run:
    routes, expected = plain_news_routes(articles, per_page=20, sections=max(1, articles // 200))
    print(f"site: {len(expected):,} articles, {len(routes) - len(expected) - 1:,} other pages")
    with serve_site(routes) as site:
        _wall, (run,) = crawl_workers(site.url("/"), root / "full", 1, {})
    stored = run.stats.get("newscrawler/sqlite/stored", run.stats.get("item_scraped_count", 0))
    print(f"full pipeline: {run.stats.get('response_received_count', 0):,} pages, {stored:,} articles stored, "
          f"{run.stats.get('elapsed_time_seconds', 0):.1f} s crawling ({run.seconds:.1f} s with start-up): "
          f"{pages_per_minute(run.stats):,.0f} pages/min; peak memory {run.peak_mb:.0f} MB; "
          f"{1000 * run.cpu_seconds / max(1, run.stats.get('response_received_count', 0)):.0f} ms CPU per page")
    if run.returncode:
        print(run.output[-2000:])
    return run


def scrapy_bench(seconds: int, root: Path) -> float:
    """``scrapy bench`` outside the project (Scrapy's defaults), pages/min over the run."""
    workdir = root / "scrapy-bench"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"]
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=seconds + 120)
    log = proc.stdout + proc.stderr
    received = re.search(r"'response_received_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not received or not elapsed:
        print("scrapy bench printed no stats:\n" + log[-2000:])
        return 0.0
    rate = 60 * int(received.group(1)) / float(elapsed.group(1))
    print(f"scrapy bench: {int(received.group(1)):,} pages in {float(elapsed.group(1)):.1f} s: {rate:,.0f} pages/min")
    return rate


def scaleout(pages: int, redis_url: str, concurrency: int, root: Path) -> float | None:
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - report and skip the part that needs Redis
        print(f"3 workers vs 1: skipped, no Redis at {redis_url} ({exc})")
        return None
    articles = max(10, pages - pages // 20)
    routes, _expected = plain_news_routes(articles, per_page=20, sections=max(1, articles // 150))
    polite = {"CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "CONCURRENT_REQUESTS": concurrency}
    with serve_site(routes, delay=0.1) as site:
        one_wall, (one,) = crawl_workers(site.url("/"), root / "one", 1, polite)
        fetched_once = site.total()
        prefix = f"newscrawler-bench-{uuid.uuid4().hex[:8]}:%(spider)s"
        shared = {**polite, "NEWSCRAWLER_REDIS_URL": redis_url, "NEWSCRAWLER_REDIS_KEY_PREFIX": prefix}
        try:
            three_wall, three = crawl_workers(site.url("/"), root / "three", 3, shared)
        finally:
            reset(redis_url, prefix)
        fetched_three = site.total() - fetched_once
    speedup = one_wall / three_wall
    per_worker = ", ".join(str(r.stats.get("response_received_count", 0)) for r in three)
    print(f"100 ms per response, {len(routes) - 1:,} pages, {concurrency} request(s) at a time per worker: "
          f"1 worker {one_wall:.1f} s ({fetched_once:,} requests), 3 workers {three_wall:.1f} s "
          f"({fetched_three:,} requests; pages per worker {per_worker}): {speedup:.2f}x faster")
    cpu_one, cpu_three = one.cpu_seconds, sum(r.cpu_seconds for r in three)
    print(f"  CPU: 1 worker {cpu_one:.0f} s, 3 workers {cpu_three:.0f} s in all "
          f"({1000 * cpu_one / max(1, fetched_once):.0f} ms per page; a worker that computes longer than it "
          f"waits cannot be sped up past the machine's {os.cpu_count()} cores)")
    crawl_one, crawl_three = crawl_span([one]), crawl_span(three)
    if crawl_one and crawl_three:
        print(f"  crawling only (first spider open to last close, without Python start-up): "
              f"1 worker {crawl_one:.1f} s, 3 workers {crawl_three:.1f} s: {crawl_one / crawl_three:.2f}x")
    if one.returncode or any(r.returncode for r in three):
        print("a worker failed:\n" + (one.output + "".join(r.output for r in three))[-2000:])
    return speedup


def tree_rss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and all its descendants (the browser is a grandchild), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for member in tree:
        try:  # PSS: Chromium's processes share most of their pages; RSS would count them each time
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total_kb / 1024


def javascript_rendering(pages: int, root: Path) -> None:
    """Every page through Chromium; memory of crawler + browser sampled through the run."""
    from newscrawler.rendering.chromium import BrowserNotFoundError, find_chromium
    from newscrawler.demo.server import serve_directory
    from tests.hostile_server import build_scripted_site

    try:
        find_chromium(os.environ.get("NEWSCRAWLER_CHROMIUM_PATH"))
    except BrowserNotFoundError as exc:
        print(f"JavaScript rendering: skipped ({exc})")
        return
    live, _ = build_scripted_site(root / "js-site", pages)
    workdir = root / "js"
    workdir.mkdir()
    with serve_directory(root / "js-site") as site:
        started = time.perf_counter()
        proc = run_process(crawl_command(site.url("/"), workdir, {}, "-a", "render_js=1"), workdir,
                           {"SCRAPY_SETTINGS_MODULE": "newscrawler.settings"})
        samples: list[float] = []
        while True:
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            samples.append(tree_rss_mb(proc.pid))
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    items = (workdir / "items.jsonl").read_text().count("\n") if (workdir / "items.jsonl").exists() else 0
    quarters = [max(samples[int(len(samples) * q / 4):max(int(len(samples) * (q + 1) / 4), 1)] or [0])
                for q in range(4)] if samples else [0, 0, 0, 0]
    print(f"JavaScript rendering: {items}/{len(live)} script-built articles in {seconds:.1f} s "
          f"({60 * (items + 2) / seconds:,.0f} pages/min with start-up); crawler + Chromium memory: "
          f"peak {max(samples, default=0):.0f} MB, peak per quarter of the run "
          f"{' / '.join(f'{q:.0f}' for q in quarters)} MB (flat = pages and contexts are closed)")
    if os.waitstatus_to_exitcode(status):
        print((workdir / "output.txt").read_text()[-2000:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--bench-seconds", type=int, default=20, help="how long scrapy bench runs")
    parser.add_argument("--delay-pages", type=int, default=900, help="pages of the 100 ms site")
    parser.add_argument("--concurrency", type=int, default=1, help="requests at a time per worker on the 100 ms site")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--js-pages", type=int, default=300, help="script-built pages rendered in Chromium (0: skip)")
    parser.add_argument("--skip-scaleout", action="store_true")
    parser.add_argument("--only-scaleout", action="store_true", help="only the 3-workers-vs-1 part")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        root = Path(tmp)
        if not args.only_scaleout:
            full = full_pipeline(args.articles, root)
            bench_rate = scrapy_bench(args.bench_seconds, root)
            ours = pages_per_minute(full.stats)
            if bench_rate:
                print(f"full pipeline at {100 * ours / bench_rate:.0f}% of scrapy bench (target >= 50%)")
            print(f"peak memory {full.peak_mb:.0f} MB (target < 500 MB)")
            if args.js_pages:
                javascript_rendering(args.js_pages, root)
        if not args.skip_scaleout:
            speedup = scaleout(args.delay_pages, args.redis_url, args.concurrency, root)
            if speedup is not None:
                print(f"3 workers {speedup:.2f}x faster than 1 (target >= 2.5x)")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other processes share these cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
