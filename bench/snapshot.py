"""Snapshot benchmark: does an archived site replay like the live one, and what does it cost?

    python -m bench.snapshot [--articles 24] [--max-shots 0] [--timing-runs 3] [--skip-timing]

(run from the repository root; needs pywb in its own environment, see tests/replay.py, and
Debian's Chromium). Two sites, each served on 127.0.0.1:

* the demo site (``newscrawler/demo``), its theme's CSS, font and images on the same host;
* a generated site whose stylesheet, web font, script and photos (srcset, lazy data-src,
  photos of realistic weight) live on a CDN: a second server on 127.0.0.2.

For each: a crawl with ``NEWSCRAWLER_ARCHIVE=snapshot``; pywb (on a free port) serves the
WARCs; Chromium photographs every stored article live and replayed (frameless ``mp_``, same
viewport) and prints the resources the replay could not serve and SSIM (grayscale). Then a
second snapshot of the unchanged site into the same folder, three ways: as a scheduled re-run
does (same article store: known articles are skipped), with ``-a refresh=1`` (every page asked
again, conditionally where the store has validators) and with a fresh store (every page
fetched again); the bytes each added against the first's, by record type. Last, the text crawl of
the demo with the archive off, timed against the code before the archive package
(``--baseline-commit``, unpacked with ``git archive``), alternating runs.

Targets (issue 14): 0 requisites missing, SSIM >= 0.97 on every article page, the second
snapshot adds < 5% of the first's bytes, the text crawl no slower than before.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newscrawler.demo.generate import build_demo_site
from newscrawler.demo.server import serve_directory
from tests.conftest import run_crawl
from tests.hostile_server import article_html, listing_html, write_stories
from tests.replay import PageCamera, compare_live_and_replay, pywb_collection

REPO = Path(__file__).resolve().parent.parent
REPLAY = "http://localhost:8080/snap/"


def noisy_png(width: int, height: int, seed: int) -> bytes:
    """A PNG that compresses like a photo (random pixels): realistic bytes for the archive."""
    rng = random.Random(seed)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    base = [rng.randrange(256) for _ in range(3)]
    rows = b"".join(b"\x00" + bytes((base[i % 3] + rng.randrange(48)) % 256 for i in range(width * 3))
                    for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def build_cdn_site(pages: Path, cdn: Path, cdn_url: str, articles: int) -> None:
    """A news site whose theme and photos come from ``cdn_url``."""
    cdn_url = cdn_url.rstrip("/")
    font = (REPO / "newscrawler/demo/meridian-display.woff2").read_bytes()
    (cdn / "assets/fonts").mkdir(parents=True, exist_ok=True)
    (cdn / "assets/img").mkdir(parents=True, exist_ok=True)
    (cdn / "assets/fonts/display.woff2").write_bytes(font)
    (cdn / "assets/img/band.png").write_bytes(noisy_png(40, 40, 1))
    (cdn / "assets/theme.css").write_text(
        '@import url("grid.css");\n'
        '@font-face{font-family:Display;src:url("fonts/display.woff2") format("woff2");font-display:block}\n'
        "body{margin:0;font-family:Georgia,serif;background:#f4f1ea}nav{background:#123 url(img/band.png);padding:12px}"
        "nav a{color:#fff}h1{font-family:Display,Impact,sans-serif;font-size:36px;letter-spacing:3px;color:#a22}"
        "article{max-width:820px;margin:0 auto;background:#fff;padding:20px}img{max-width:100%;height:auto;display:block}"
        "footer{background:#222;color:#ccc;padding:16px}\n")
    (cdn / "assets/grid.css").write_text(".teaser{border-bottom:1px solid #ccc;padding:8px}.byline{color:#777}\n")
    (cdn / "assets/lazy.js").write_text(
        'document.addEventListener("DOMContentLoaded",function(){document.querySelectorAll("img[data-src]")'
        '.forEach(function(i){i.src=i.dataset.src;});});\n')
    stories = write_stories(articles, seed=14)
    links = []
    for story in stories:
        slug = f"/news/{story.published:%Y/%m/%d}/{story.slug}/"
        img = f"{cdn_url}/assets/img/{story.slug}"
        for suffix, (w, h) in {"-480": (240, 135), "-960": (480, 270), "-thumb": (160, 90)}.items():
            (cdn / f"assets/img/{story.slug}{suffix}.png").write_bytes(noisy_png(w, h, story.number * 10 + w))
        head = (f'<link rel="stylesheet" href="{cdn_url}/assets/theme.css">'
                f'<script src="{cdn_url}/assets/lazy.js" defer></script>')
        figure = (f'<figure><img src="{img}-960.png" srcset="{img}-480.png 480w, {img}-960.png 960w" '
                  f'sizes="(max-width: 600px) 100vw, 780px" width="960" height="540" alt=""></figure>')
        lazy = f'<aside><img data-src="{img}-thumb.png" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></aside>'
        html = article_html(story).replace("</head>", head + "</head>", 1).replace("</h1>", "</h1>" + figure, 1)
        html = html.replace("</article>", "</article>" + lazy, 1)
        target = pages / slug.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html)
        links.append((slug, story.title))
    home = listing_html("CDN Ledger", links).replace(
        "</head>", f'<link rel="stylesheet" href="{cdn_url}/assets/theme.css"></head>', 1)
    (pages / "index.html").write_text(home)


@contextmanager
def serve_cdn(root: Path, host: str = "127.0.0.2") -> Iterator[str]:
    """Serve ``root`` as a CDN does: with ``Access-Control-Allow-Origin: *`` (web fonts need it)."""

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def end_headers(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def warc_bytes(folder: Path, before: set[Path]) -> tuple[int, set[Path]]:
    files = set(folder.glob("*.warc.gz"))
    return sum(p.stat().st_size for p in files - before), files


def snapshot(name: str, start_url: str, workdir: Path, camera: PageCamera, max_shots: int) -> None:
    warc = workdir / "warc"
    settings = {"NEWSCRAWLER_ARCHIVE": "snapshot", "NEWSCRAWLER_WARC_DIR": str(warc), "NEWSCRAWLER_REPLAY_URL": REPLAY,
                "NEWSCRAWLER_LOCK_DIR": ""}
    started = time.monotonic()
    first = run_crawl(workdir / "run1", "-a", f"start_url={start_url}", settings=settings, timeout=1800)
    seconds = time.monotonic() - started
    if first.returncode != 0:
        raise SystemExit(f"{name}: snapshot crawl failed:\n{first.log[-3000:]}")
    first_bytes, files = warc_bytes(warc, set())
    stats = first.stats
    print(f"\n== {name}: {len(first.items)} articles, {stats.get('newscrawler/warc/records')} records, "
          f"{stats.get('newscrawler/archive/requisites/fetched', 0)} requisites "
          f"({stats.get('newscrawler/archive/requisites/failed', 0)} failed), {first_bytes / 1e6:.2f} MB of WARC, "
          f"{seconds:.1f} s")
    shots = first.items if not max_shots else first.items[:max_shots]
    scores, missing = [], {}
    with pywb_collection(workdir / "pywb", sorted(files)) as base:
        for item in shots:
            timestamp = re.search(r"/(\d{14})/", item["replay_url"]).group(1)
            seen = compare_live_and_replay(camera, item["url"], base, timestamp, keep=workdir / "shots")
            scores.append(seen.ssim)
            if seen.missing:
                missing[item["url"]] = seen.missing
    below = sum(1 for s in scores if s < 0.97)
    print(f"   replay: {len(scores)} article pages photographed; requisites missing in replay: "
          f"{sum(len(v) for v in missing.values())} (target 0)")
    for url, urls in list(missing.items())[:5]:
        print(f"     {url}: {urls[:4]}")
    print(f"   SSIM live vs replay: min {min(scores):.4f}, median {statistics.median(scores):.4f}; "
          f"{below} page(s) below 0.97 (target 0)")
    # Again into the same folder: as a scheduled re-run does (same store: known articles are
    # skipped), then with a fresh store (every page fetched again).
    runs = (("re-run, same store", first.workdir / "news.db", ()),
            ("re-run, same store, -a refresh=1", first.workdir / "news.db", ("-a", "refresh=1")),
            ("re-run, fresh store", None, ()))
    for number, (label, store, arguments) in enumerate(runs, start=2):
        extra = {"NEWSCRAWLER_SQLITE_PATH": str(store)} if store else {}
        again = run_crawl(workdir / f"run{number}", "-a", f"start_url={start_url}", *arguments,
                          settings={**settings, **extra}, timeout=1800)
        if again.returncode != 0:
            raise SystemExit(f"{name}: {label} failed:\n{again.log[-3000:]}")
        added, now = warc_bytes(warc, files)
        by_type = record_bytes(now - files)
        files = now
        s2 = again.stats
        print(f"   second snapshot ({label}): {s2.get('newscrawler/warc/records')} fetches, "
              f"{s2.get('newscrawler/warc/revisits', 0)} revisits saving "
              f"{s2.get('newscrawler/warc/revisit_bytes_saved', 0) / 1e6:.2f} MB of payload; added {added / 1e6:.3f} MB = "
              f"{100 * added / first_bytes:.1f}% of the first (target < 5%); "
              + ", ".join(f"{kind} {size / 1e3:.0f} kB" for kind, size in by_type.most_common()))


def record_bytes(files: set[Path]) -> Counter[str]:
    """Compressed bytes on disk by record type (response, revisit, request, warcinfo)."""
    sizes: Counter[str] = Counter()
    for path in files:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                record.content_stream().read()
                sizes[record.rec_type] += records.get_record_length()
    return sizes


# A crawl run through AsyncCrawlerProcess, not `scrapy crawl`: the command line loads every command
# the installed package declares, which older code may not have.
CRAWL_SCRIPT = """
import sys
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
for pair in sys.argv[2:]:
    name, _, value = pair.partition("=")
    settings.set(name, value, priority="cmdline")
process = AsyncCrawlerProcess(settings)  # what `scrapy crawl` uses with the asyncio reactor
process.crawl("news", start_url=sys.argv[1])
process.start()
"""


def timed_text_crawl(code: Path, start_url: str, workdir: Path) -> float:
    """Wall seconds of a default text crawl (archive off) with the package at ``code``."""
    workdir.mkdir(parents=True)
    settings = {"NEWSCRAWLER_LOCK_DIR": "", "NEWSCRAWLER_SQLITE_PATH": str(workdir / "news.db"),
                "LOG_FILE": str(workdir / "crawl.log"), "NEWSCRAWLER_REPORT_DIR": str(workdir / "reports")}
    env = {**os.environ, "PYTHONPATH": str(code), "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", CRAWL_SCRIPT, start_url, *(f"{k}={v}" for k, v in settings.items())],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"text crawl with {code} failed:\n{done.stderr[-3000:]}")
    return seconds


def timing(start_url: str, workdir: Path, runs: int, baseline_commit: str) -> None:
    baseline = workdir / "baseline"
    baseline.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", baseline_commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
    times: dict[str, list[float]] = {"before": [], "archive off": []}
    for run in range(runs):
        for label, code in (("before", baseline), ("archive off", REPO)):
            times[label].append(timed_text_crawl(code, start_url, workdir / f"{label.replace(' ', '-')}-{run}"))
    print(f"\n== text crawl of the demo, archive off, {runs} alternating runs each (wall seconds):")
    for label, values in times.items():
        print(f"   {label:12} median {statistics.median(values):.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"   ratio archive off / before: {statistics.median(times['archive off']) / statistics.median(times['before']):.3f}"
          " (target <= 1, within noise)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=24, help="articles of the generated CDN site")
    parser.add_argument("--max-shots", type=int, default=0, help="photograph at most N articles per site (0: all)")
    parser.add_argument("--timing-runs", type=int, default=3)
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--baseline-commit", default="b6b3e1f", help="code before the archive package")
    parser.add_argument("--sites", default="demo,cdn", help="which sites to snapshot: demo, cdn or both")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (WARCs, screenshots, logs)")
    parser.add_argument("--chromium", default=os.environ.get("NEWSCRAWLER_CHROMIUM_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared: wall times are noisy)")
    with ExitStack() as stack:
        root = Path(args.keep) if args.keep else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        root.mkdir(parents=True, exist_ok=True)
        sites = set(args.sites.split(","))
        camera = PageCamera(args.chromium)
        stack.callback(camera.close)
        build_demo_site(root / "demo")
        demo = stack.enter_context(serve_directory(root / "demo"))
        if "demo" in sites:
            snapshot("demo site", demo.url("/"), root / "demo-snapshot", camera, args.max_shots)
        if "cdn" in sites:
            (root / "pages").mkdir()
            (root / "cdn").mkdir()
            cdn = stack.enter_context(serve_cdn(root / "cdn"))
            build_cdn_site(root / "pages", root / "cdn", cdn, args.articles)
            pages = stack.enter_context(serve_directory(root / "pages"))
            snapshot("CDN site (assets on 127.0.0.2)", pages.url("/"), root / "cdn-snapshot", camera, args.max_shots)
        if not args.skip_timing:
            timing(demo.url("/"), root / "timing", args.timing_runs, args.baseline_commit)


if __name__ == "__main__":
    sys.exit(main())
