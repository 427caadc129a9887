"""Benchmark the discovery parsers: sitemap and feed throughput, memory, hostile inputs.

Builds its inputs in memory (no network): sitemaps of N URLs with lastmod and Google News
fields, plain and gzipped; RSS, Atom and JSON feeds of M entries; a gzip bomb and an entity
bomb. Each case runs in a fresh subprocess so its peak memory is its own.

    python bench/discovery.py                    # 100,000-URL sitemaps, 2,000-entry feeds
    python bench/discovery.py --urls 500000 --entries 10000

Prints, per case: wall and CPU seconds, entries per CPU second (CPU time, so a busy machine
does not skew it), entries kept/skipped, and the growth of peak resident memory during the
parse (MiB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CASE = r"""
import gzip, json, resource, sys, time, zlib
from datetime import datetime, timedelta, timezone
from newscrawler.discovery import parse_feed, parse_sitemap

kind, count, path, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
start = datetime(2024, 1, 1, tzinfo=timezone.utc)

def stamp(i):
    return (start + timedelta(minutes=7 * i)).isoformat()

def sitemap(n, news):
    rows = []
    for i in range(n):
        extra = (f"<news:news><news:publication><news:name>Bench</news:name><news:language>en</news:language>"
                 f"</news:publication><news:publication_date>{stamp(i)}</news:publication_date>"
                 f"<news:title>Story {i}</news:title><news:keywords>a, b, c</news:keywords></news:news>") if news else ""
        rows.append(f"<url><loc>https://bench.example/2024/story-{i}.html</loc><lastmod>{stamp(i)}</lastmod>{extra}</url>")
    return f'<?xml version="1.0"?><urlset {ns}>{"".join(rows)}</urlset>'.encode()

def rss(n):
    items = "".join(f"<item><title>Story {i}</title><link>https://bench.example/s/{i}</link>"
                    f"<pubDate>{(start + timedelta(minutes=7 * i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                    f"<category>News</category><description>Summary of story {i}.</description></item>" for i in range(n))
    return f'<rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()

def atom(n):
    entries = "".join(f'<entry><title>Story {i}</title><link rel="alternate" href="https://bench.example/a/{i}"/>'
                      f"<id>tag:bench,{i}</id><published>{stamp(i)}</published><updated>{stamp(i)}</updated>"
                      f"<author><name>Writer {i % 7}</name></author></entry>" for i in range(n))
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Bench</title>{entries}</feed>'.encode()

def json_feed(n):
    items = [{"id": str(i), "url": f"https://bench.example/j/{i}", "title": f"Story {i}", "date_published": stamp(i)}
             for i in range(n)]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Bench", "items": items}).encode()

def gzip_bomb(mib):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [z.compress(f"<urlset {ns}><url><loc>https://bench.example/x</loc></url>".encode())]
    parts += [z.compress(block) for _ in range(mib)]
    return b"".join(parts) + z.flush()

def entity_bomb():
    levels = ['<!ENTITY e0 "lollollollollollollollollollol">']
    levels += [f'<!ENTITY e{k} "{("&e%d;" % (k - 1)) * 10}">' for k in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE urlset [{"".join(levels)}]><urlset {ns}>'
            f"<url><loc>https://bench.example/&e9;</loc></url></urlset>").encode()

future = datetime(2030, 1, 1, tzinfo=timezone.utc)
CASES = {  # kind: (build the input, parse it)
    "sitemap": (lambda: sitemap(count, False), lambda b: parse_sitemap(b, "u", max_entries=count, now=future)),
    "sitemap-news-gz": (lambda: gzip.compress(sitemap(count, True), 6),
                        lambda b: parse_sitemap(b, "u", max_entries=count, now=future)),
    "sitemap-keep-10": (lambda: gzip.compress(sitemap(count, False), 6),
                        lambda b: parse_sitemap(b, "u", max_entries=10, now=future, max_bytes=1 << 30)),
    "sitemap-junk-dates": (lambda: sitemap(count, False).replace(b"<lastmod>2", b"<lastmod>junk 2"),
                           lambda b: parse_sitemap(b, "u", max_entries=count, now=future)),
    "gzip-bomb-1GiB": (lambda: gzip_bomb(1024), lambda b: parse_sitemap(b, "u")),
    "entity-bomb": (entity_bomb, lambda b: parse_sitemap(b, "u")),
    "rss": (lambda: rss(count), lambda b: parse_feed(b, "u", now=future)),
    "atom": (lambda: atom(count), lambda b: parse_feed(b, "u", now=future)),
    "json-feed": (lambda: json_feed(count), lambda b: parse_feed(b, "u", now=future)),
}
build, run = CASES[kind]
if mode == "build":  # the input is made in another process, so making it leaves no memory peak here
    with open(path, "wb") as out:
        out.write(build())
    sys.exit(0)
with open(path, "rb") as source:
    body = source.read()
# dateparser loads its language data on first use (about 3.5 s CPU, once per process): pay it
# before timing, as a crawl pays it once, so each case shows its own cost.
from newscrawler.extract.dates import parse_date
parse_date("not a date")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0, c0 = time.perf_counter(), time.process_time()
result = run(body)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"case": kind, "input_bytes": len(body), "seconds": round(seconds, 3), "cpu": round(cpu, 3),
                  "entries": len(result.entries), "skipped": getattr(result, "skipped", 0),
                  "errors": len(result.errors), "first_error": (result.errors or [""])[-1][:70],
                  "peak_rss_growth_mib": round((after - before) / 1024, 1)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=100_000, help="URLs per sitemap")
    parser.add_argument("--entries", type=int, default=2_000, help="entries per feed")
    args = parser.parse_args()
    cases = [("sitemap", args.urls), ("sitemap-news-gz", args.urls), ("sitemap-keep-10", args.urls * 3),
             ("sitemap-junk-dates", args.urls), ("gzip-bomb-1GiB", 0), ("entity-bomb", 0), ("rss", args.entries), ("atom", args.entries),
             ("json-feed", args.entries)]
    print(f"{'case':<18}{'input':>12}{'wall s':>8}{'CPU s':>8}{'entries/CPU s':>15}{'kept':>9}{'skipped':>9}"
          f"{'RSS +MiB':>10}  note")
    for kind, count in cases:
        with tempfile.NamedTemporaryFile(suffix=".body") as body:
            for mode in ("build", "parse"):
                proc = subprocess.run([sys.executable, "-c", CASE, kind, str(count), body.name, mode],
                                      capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    break
        if proc.returncode != 0:
            print(f"{kind:<18} FAILED: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(proc.stdout)
        total = row["entries"] + row["skipped"]
        rate = f"{total / row['cpu']:,.0f}" if row["cpu"] and total > 1 else "-"
        print(f"{kind:<18}{row['input_bytes']:>12,}{row['seconds']:>8.2f}{row['cpu']:>8.2f}{rate:>15}{row['entries']:>9,}"
              f"{row['skipped']:>9,}{row['peak_rss_growth_mib']:>10.1f}  {row['first_error']}")


if __name__ == "__main__":
    main()
