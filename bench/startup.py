"""Start-up benchmark: what a crawl that fetches nothing costs, against a bare ``import scrapy``.

    python -m bench.startup [--runs 5]

(run from the repository root). Every scheduled run and every Redis worker pays the start-up
cost, so it should stay small. The empty crawl is ``scrapy crawl news`` with the project's
settings against a local site that answers 404 to everything (start page, robots.txt, the
usual sitemap paths): the crawl builds every component, fetches a handful of 404s and ends.
Prints the median wall time and the median peak resident memory (the process's own, from
wait4) of each, over ``--runs`` runs.

Target (issue 16): an empty crawl under 1.5 s and under 150 MB peak.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newscrawler.demo.server import serve_directory

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.5
TARGET_MB = 150.0


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run ``cmd`` to its end: wall seconds, peak RSS in MB, exit status."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


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


def report(name: str, runs: list[tuple[float, float, int]], target: bool) -> None:
    seconds = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    statuses = sorted({r[2] for r in runs})
    line = f"{name:<28} {seconds:6.2f} s  {peak:6.1f} MB peak RSS  (median of {len(runs)}; exit {statuses})"
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
        (root / "site").mkdir()
        imports = [measure([sys.executable, "-c", "import scrapy"], root) for _ in range(args.runs)]
        report("import scrapy", imports, target=False)
        with serve_directory(root / "site") as site:
            crawls = []
            for run in range(args.runs):
                workdir = root / f"crawl{run}"
                workdir.mkdir()
                crawls.append(measure(empty_crawl_command(site.url("/"), workdir), workdir))
        report("empty crawl (all 404)", crawls, target=True)
        log = root / "crawl0" / "crawl.log"
        if crawls[0][2] != 0 and log.exists():
            print(log.read_text()[-3000:])


if __name__ == "__main__":
    main()
