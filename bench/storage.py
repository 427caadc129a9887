"""Benchmark the stores: articles per second into SQLite (with FTS5) and PostgreSQL, and search latency.

    python bench/storage.py                      # 100,000 articles, SQLite and PostgreSQL
    python bench/storage.py --articles 20000 --no-postgres
    python bench/storage.py --dsn postgresql://postgres@127.0.0.1:5432/postgres

Synthetic articles (a Zipf-distributed vocabulary, ~300-word bodies, every Article field
filled) go through the same path a crawl uses: ``to_row`` on the caller's thread, then the
``StoreWriter`` thread committing batches of ``--batch`` rows. Search latency is measured
over a fixed mix of queries (common, rare, two-word, phrase, filtered by section) with the
same functions ``scrapy search`` calls. PostgreSQL runs in a database created for the run
and dropped afterwards. Targets: SQLite >= 5,000/s, search < 50 ms; PostgreSQL >= 2,000/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from itertools import accumulate
from pathlib import Path

from itemadapter import ItemAdapter

from newscrawler.items import Article, Dateline, Image
from newscrawler.storage.schema import to_row
from newscrawler.storage.search import SearchQuery
from newscrawler.storage.worker import ShardedWriter, StoreWriter

SECTIONS = ["World", "Politics", "Business", "Sport", "Science", "Culture", "Opinion", "Health"]
SYLLABLES = ["ka", "to", "ri", "men", "sa", "lo", "ve", "dun", "pra", "el", "os", "tin", "gar", "mu", "ne", "bri"]


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)  # list order is frequency rank, unrelated to spelling
    return ordered


def make_articles(count: int, seed: int = 7) -> tuple[list[Article], list[str]]:
    """``count`` articles built from a pool of Zipf-distributed sentences; returns the vocabulary too."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum_weights = list(accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    sentences = [
        " ".join(rng.choices(vocab, cum_weights=cum_weights, k=rng.randint(8, 22))).capitalize() + "."
        for _ in range(20_000)
    ]
    articles = []
    for n in range(count):
        paragraphs = [" ".join(rng.sample(sentences, 4)) for _ in range(5)]
        body = "\n\n".join(paragraphs)
        title = " ".join(rng.choices(vocab, cum_weights=cum_weights, k=7)).capitalize()
        articles.append(Article(
            url=f"https://news.example/{n // 1000}/story-{n}.html?utm_source=bench",
            canonical_url=f"https://news.example/{n // 1000}/story-{n}.html",
            site="news.example",
            title=title,
            description=paragraphs[0][:200],
            authors=[f"Author {n % 97}"],
            published_at=f"20{14 + n % 11}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00",
            published_at_raw="10:00 GMT",
            published_at_source="jsonld",
            section=SECTIONS[n % len(SECTIONS)],
            tags=rng.sample(vocab[:500], 3),
            language="en",
            lede=paragraphs[0],
            body=body,
            body_html="".join(f"<p>{p}</p>" for p in paragraphs),
            images=[Image(url=f"https://news.example/img/{n}.jpg", caption="A caption", credit="Agency")],
            dateline=Dateline(raw="LONDON, May 2 (Reuters) -", location="LONDON", month=5, day=2, agency="Reuters"),
            word_count=len(body.split()),
            crawled_at="2024-05-02T10:00:00+00:00",
            discovered_via="sitemap",
        ))
    return articles, vocab


def write_all(open_store, articles: list[Article], batch: int, writers: int = 1) -> tuple[float, float]:
    """Wall and CPU seconds to push every article through ``to_row`` and the writer thread.

    CPU time (this process, both threads) is the figure that does not depend on what else
    the machine is doing; for PostgreSQL it leaves out the server's own work.
    """
    shards = [StoreWriter(open_store, batch_size=batch, batch_seconds=1.0) for _ in range(writers)]
    writer = shards[0] if writers == 1 else ShardedWriter(shards, key="canonical_url")
    writer.start().result()
    start, cpu = time.perf_counter(), time.process_time()
    for article in articles:
        writer.put(to_row(ItemAdapter(article)))
    writer.call(lambda store: None).result()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    writer.close().result()
    return elapsed, cpu


def query_mix(vocab: list[str]) -> dict[str, list[SearchQuery]]:
    """Queries by kind; ``vocab`` is in frequency order (rank 0 is in nearly every article)."""
    common, topical, specific = vocab[:20], vocab[200:400], vocab[3000:3200]
    return {
        "specific word (~1% of articles)": [SearchQuery(w) for w in specific[:40]],
        "topical word (~10%)": [SearchQuery(w) for w in topical[:40]],
        "two words": [SearchQuery(f"{a} {b}") for a, b in zip(specific[40:80], topical[40:80])],
        "phrase": [SearchQuery(f'"{a} {b}"') for a, b in zip(topical[80:100], common[:20])],
        "word + section": [SearchQuery(w, section="Sport") for w in specific[80:100]],
        "word + since": [SearchQuery(w, since="2022-01-01") for w in specific[100:120]],
        "very common word (~all)": [SearchQuery(w) for w in common[:10]],
    }


def latency(run, queries: list[SearchQuery]) -> list[float]:
    """Milliseconds per query, each run once after one warm-up query."""
    run(queries[0])
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    times = sorted(times)
    return (f"median {statistics.median(times):.1f} ms, p95 {times[max(0, int(len(times) * 0.95) - 1)]:.1f} ms, "
            f"max {times[-1]:.1f} ms ({len(times)} queries)")


def report(name: str, count: int, seconds: tuple[float, float], run, vocab: list[str], target: float,
           cpu_note: str = "of one core") -> None:
    wall, cpu = seconds
    print(f"{name}: {count:,} articles in {wall:.1f} s wall = {count / wall:,.0f} articles/s "
          f"(target >= {target:,.0f}); {cpu:.1f} s CPU in this process = {count / cpu:,.0f} articles/s {cpu_note}")
    everything: list[float] = []
    for kind, queries in query_mix(vocab).items():
        times = latency(run, queries)
        everything += times
        print(f"{name}: search {kind}: {summary(times)}")
    print(f"{name}: search, all kinds: {summary(everything)} (target < 50 ms)")


def bench_sqlite(articles: list[Article], vocab: list[str], batch: int, folder: Path) -> None:
    from newscrawler.storage import sqlite as store

    path = folder / "bench.db"
    seconds = write_all(lambda: store.SQLiteStore(path), articles, batch)
    conn = store.connect(path, readonly=True)
    size = sum(p.stat().st_size for p in folder.glob("bench.db*")) / 1e6
    report("SQLite", len(articles), seconds, lambda q: store.search(conn, q), vocab, 5_000)
    print(f"SQLite: searches rank at most the newest {SearchQuery('').window:,} matches (NEWSCRAWLER_SEARCH_WINDOW)")
    print(f"SQLite: database {size:,.0f} MB")


def bench_postgres(articles: list[Article], vocab: list[str], batch: int, admin_dsn: str, writers: int) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    from newscrawler.storage import postgres as store

    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL: skipped, cannot connect to {store.redact(admin_dsn)}: {exc}".strip())
        return
    name = f"newscrawler_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    dsn = make_conninfo(admin_dsn, dbname=name)
    try:
        seconds = write_all(lambda: store.PostgresStore(dsn), articles, batch, writers)
        with store.connect(dsn) as conn:
            conn.execute("ANALYZE articles")
            report(f"PostgreSQL ({writers} writers)", len(articles), seconds, lambda q: store.search(conn, q), vocab, 2_000,
                   cpu_note="(client side only: the server's tsvector and GIN work is not counted)")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-writers", type=int, default=2,
                        help="parallel connections, as NEWSCRAWLER_POSTGRES_WRITERS (default 2)")
    parser.add_argument("--dsn", default=os.environ.get("NEWSCRAWLER_TEST_POSTGRES_DSN",
                                                       "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    start = time.perf_counter()
    articles, vocab = make_articles(args.articles)
    print(f"built {len(articles):,} synthetic articles in {time.perf_counter() - start:.1f} s "
          f"(mean {statistics.mean(a.word_count for a in articles[:1000]):.0f} words); "
          f"batches of {args.batch}, Python {sys.version.split()[0]}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work skews wall-clock figures)")
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        bench_sqlite(articles, vocab, args.batch, Path(tmp))
    if not args.no_postgres:
        bench_postgres(articles, vocab, args.batch, args.dsn, args.postgres_writers)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
