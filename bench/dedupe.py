"""Benchmark the story dedupe stage: near-duplicate precision/recall, speed, memory.

A synthetic corpus built from the extraction benchmark's real article bodies, split into
sentences and recombined: original stories, exact copies, near copies (1-15% of words edited
in runs of 1-4 words, headline changed) and distinct stories on the same topic (same source
body, different sentences, one shared quote). Every article goes through
``StoryIndex.check`` against a real store, committed as the pipeline does: a SQLite file
(in groups) or the Redis server (``--backend redis``: every decision on its own).

    python bench/dedupe.py                           # 100,000 articles, default settings
    python bench/dedupe.py --articles 20000 --threshold 0.4 --shingle 2
    python bench/dedupe.py --articles 1000000 --db big.db   # the 1M run (tens of minutes)
    python bench/dedupe.py --startup big.db          # start-up cost on that store again
    python bench/dedupe.py --backend redis --articles 100000   # state in Redis (deleted after)

Prints precision/recall for near-duplicates (and exact), articles per second through the
dedupe stage (checks and commits only, per CPU second of the one thread), memory and
database size (Redis: the server's ``used_memory`` growth) as the store grows, the start-up
cost of opening the finished store in a new instance (time to the first check), and figures
for 1,000,000 stories: measured with ``--articles 1000000``, else extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.dedupe.fingerprints import MinHashSigner  # noqa: E402
from newscrawler.dedupe.index import EXACT, NEAR, Story, StoryIndex  # noqa: E402
from newscrawler.dedupe.base import DedupeBackend  # noqa: E402
from newscrawler.dedupe.sqlite import SQLiteDedupeStore  # noqa: E402

GROUND_TRUTH = REPO.parent / "shared" / "extraction-benchmark" / "ground-truth.json"
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class Planted:
    """One synthetic article, as the seeds that rebuild it (100,000 bodies are not kept)."""

    index: int
    kind: str  # original, sibling, exact, near
    cluster: int  # originals and their copies share one; siblings have their own
    topic: int
    seed: int  # the story's sentences
    edit_rate: float = 0.0
    source_seed: int | None = None  # siblings: the original they share a topic and a quote with


class Corpus:
    """Real sentences, grouped by the body (topic) they came from, recombined into stories.

    Every sentence of a story is spliced from two real sentences at a random word, so distinct
    stories do not share verbatim sentences (4,000 sentences reused across 100,000 stories
    would otherwise make unrelated stories overlap far more than real ones do).
    """

    def __init__(self, path: Path) -> None:
        bodies = [v["articleBody"] for v in json.loads(path.read_text()).values()]
        self.sentences: list[list[str]] = []
        self.topics: list[list[int]] = []
        for body in bodies:
            ids = []
            for paragraph in body.split("\n"):
                for sentence in _SENTENCE_END.split(paragraph.strip()):
                    if len(sentence.split()) >= 5:
                        ids.append(len(self.sentences))
                        self.sentences.append(sentence.split())
            if len(ids) >= 12:
                self.topics.append(ids)
        self.vocabulary = sorted({w for s in self.sentences for w in s if w.isalpha()})

    def _spliced(self, rng: random.Random, first: int) -> str:
        a, b = self.sentences[first], self.sentences[rng.randrange(len(self.sentences))]
        return " ".join(a[: rng.randint(2, len(a) - 2)] + b[rng.randint(2, len(b) - 2) :])

    def story_sentences(self, topic: int, seed: int, exclude: frozenset[int] = frozenset()) -> tuple[list[str], list[int]]:
        """A story: 3 sentences from its topic's body, 8-25 from anywhere, shuffled."""
        rng = random.Random(seed)
        own = rng.sample([s for s in self.topics[topic] if s not in exclude], 3)
        picked = own + rng.sample(range(len(self.sentences)), rng.randint(8, 25))
        rng.shuffle(picked)
        return [self._spliced(rng, s) for s in picked], own

    def render(self, item: Planted) -> tuple[str, str]:
        """Headline and body of a planted article; near copies get their words edited here."""
        rng = random.Random(item.seed * 7 + item.index)
        if item.kind == "sibling":
            source, source_own = self.story_sentences(item.topic, item.source_seed)
            sentences, _ = self.story_sentences(item.topic, item.seed, frozenset(source_own))
            sentences.insert(rng.randrange(len(sentences)), rng.choice(source))  # the shared quote
        else:
            sentences, _ = self.story_sentences(item.topic, item.seed)
        body = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
        headline = " ".join(rng.choice(self.vocabulary) for _ in range(8)).capitalize()
        if item.kind == "near":
            body = self.reword(body, item.edit_rate, rng)
        return headline, body

    lone_words = False
    """Edit one word at a time (``--lone-words``): the hardest case for shingles."""

    def reword(self, body: str, rate: float, rng: random.Random) -> str:
        """Edit ``rate`` of the words as a sub-editor would: runs of 1-4 words replaced,
        dropped or inserted, spread over the whole text."""
        words = body.split(" ")
        budget = max(1, round(rate * len(words)))
        while budget > 0:
            run = min(1 if self.lone_words else rng.randint(1, 4), budget, len(words) - 1)
            position = rng.randrange(len(words) - run)
            operation = rng.random()
            if operation < 0.6:
                words[position : position + run] = [rng.choice(self.vocabulary) for _ in range(run)]
            elif operation < 0.8:
                del words[position : position + run]
            else:
                words[position:position] = [rng.choice(self.vocabulary) for _ in range(run)]
            budget -= run
        return " ".join(words)

    def plant(self, n: int, rng: random.Random) -> list[Planted]:
        """60% originals; then, each of a different original: 10% exact copies, 20% near
        copies, 10% distinct stories on the same topic. Shuffled."""
        n_exact, n_near, n_sibling = n // 10, n // 5, n // 10
        n_original = n - n_exact - n_near - n_sibling
        planted = [
            Planted(i, "original", i, rng.randrange(len(self.topics)), rng.getrandbits(48)) for i in range(n_original)
        ]
        for k, source in enumerate(rng.sample(range(n_original), n_exact + n_near + n_sibling)):
            original = planted[source]
            if k < n_exact:
                planted.append(Planted(len(planted), "exact", source, original.topic, original.seed))
            elif k < n_exact + n_near:
                rate = rng.uniform(0.01, 0.15)
                planted.append(Planted(len(planted), "near", source, original.topic, original.seed, rate))
            else:
                seed = rng.getrandbits(48)
                planted.append(Planted(len(planted), "sibling", len(planted), original.topic, seed, 0.0, original.seed))
        rng.shuffle(planted)
        return planted


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=None, help="default: the StoryIndex default")
    parser.add_argument("--num-perm", type=int, default=None)
    parser.add_argument("--shingle", type=int, default=None)
    parser.add_argument("--bands", type=int, default=None)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--commit-every", type=int, default=256)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--lone-words", action="store_true",
                        help="near copies edit one word at a time, not runs of 1-4 (a harder case)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument("--startup", type=Path, default=None, metavar="DB",
                        help="instead: time opening an existing store (e.g. a 1M run's --db) and 1,000 checks on it")
    parser.add_argument("--backend", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--redis-url", default=os.environ.get("NEWSCRAWLER_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--keep", action="store_true", help="redis: keep the bench's keys (default: deleted after)")
    args = parser.parse_args()
    if args.startup:
        if not args.startup.is_file():
            raise SystemExit(f"no store at {args.startup}: run with --db {args.startup} first")
        time_first_check(Backend("sqlite", args.startup), Corpus(GROUND_TRUTH), MinHashSigner())
        return

    defaults = MinHashSigner()
    signer = MinHashSigner(
        num_perm=args.num_perm or defaults.num_perm,
        shingle_size=args.shingle or defaults.shingle_size,
        bands=args.bands or defaults.bands,
        rows=args.rows or defaults.rows,
    )
    corpus = Corpus(GROUND_TRUTH)
    corpus.lone_words = args.lone_words
    planted = corpus.plant(args.articles, random.Random(args.seed))
    kinds = dict(Counter(p.kind for p in planted))
    print(f"corpus: {len(corpus.sentences)} sentences from {len(corpus.topics)} bodies; {kinds}")

    cluster = array("i", [0]) * len(planted)
    for item in planted:
        cluster[item.index] = item.cluster
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "dedupe.db"
        backend = Backend(args.backend, db, args.redis_url, keep=args.keep)
        store = backend.open()
        index = StoryIndex(store, signer, **({"threshold": args.threshold} if args.threshold else {}))
        rss_before, state_before, server_cpu = rss_mb(), backend.size_mb(), backend.server_cpu()
        commit_every = args.commit_every if store.group_commit else 1
        run = Run(kinds=array("b"), predicted=array("i"))
        step = max(1, len(planted) // 10)
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        for n, item in enumerate(planted, 1):
            headline, body = corpus.render(item)
            url = f"https://site{item.index % 50}.example/news/{item.index}"
            started, started_cpu = time.perf_counter(), time.process_time()
            verdict = index.check(Story(url=url, canonical_url=url, title=headline, body=body))
            if n % commit_every == 0:
                store.commit()
            run.wall += time.perf_counter() - started
            run.cpu += time.process_time() - started_cpu
            run.kinds.append(KIND_CODES[verdict.kind])
            run.predicted.append(cluster[int(verdict.original.rsplit("/", 1)[1])])
            if n % step == 0:
                run.checkpoints.append((n, run.wall, run.cpu))
                run.sizes.append(backend.size_mb() - state_before)
                print(
                    f"  {n:>9,} articles: {n / run.cpu:,.0f}/s per CPU second so far, RSS {rss_mb():,.0f} MB, "
                    f"{backend.name} {backend.size_mb() - state_before:,.0f} MB, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        store.commit()
        run.stories = store.count_stories()
        store.close()
        run.db_mb = backend.size_mb() - state_before
        run.server_cpu = backend.server_cpu() - server_cpu
        run.rss_before, run.hwm_after = rss_before, rss_mb("VmHWM")
        report(args, signer, index, planted, cluster, run, backend.name)
        time_first_check(backend, corpus, signer)
        backend.cleanup()


class Backend:
    """The store the bench fills: a SQLite file, or keys under a unique prefix in Redis."""

    def __init__(self, kind: str, db: Path, redis_url: str = "", *, keep: bool = False) -> None:
        self.kind, self.db = kind, db
        self.name = f"database {db.name}" if self.kind == "sqlite" else "Redis used_memory growth"
        if self.kind == "redis":
            import redis

            self.url, self.keep = redis_url, keep
            self.client = redis.Redis.from_url(self.url)
            self.prefix = f"newscrawler-bench-{os.getpid()}:dedupe"

    def open(self) -> DedupeBackend:
        if self.kind == "redis":
            from newscrawler.dedupe.redis import RedisDedupeStore

            return RedisDedupeStore(self.url, self.prefix)
        return SQLiteDedupeStore(self.db)

    def size_mb(self) -> float:
        if self.kind == "redis":
            return self.client.info("memory")["used_memory"] / 2**20
        return sum(f.stat().st_size for f in self.db.parent.glob(self.db.name + "*")) / 2**20

    def server_cpu(self) -> float:
        """CPU seconds the Redis server has used (its work is not in this process's CPU time)."""
        if self.kind == "redis":
            info = self.client.info("cpu")
            return info["used_cpu_user"] + info["used_cpu_sys"]
        return 0.0

    def cleanup(self) -> None:
        if self.kind == "redis" and not self.keep:
            from newscrawler.dedupe.redis import delete_state

            delete_state(self.client, self.prefix)


def time_first_check(backend: Backend, corpus: Corpus, signer: MinHashSigner) -> None:
    """A new crawl on the finished store: open it in a new instance and time the first checks."""
    planted = corpus.plant(200, random.Random(77))
    stories = [Story(url=f"https://startup.example/{p.index}", canonical_url=f"https://startup.example/{p.index}",
                     title=t, body=b) for p in planted for t, b in [corpus.render(p)]]
    rss_before = rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    store = backend.open()
    index = StoryIndex(store, signer)
    opened = time.perf_counter() - started
    index.check(stories[0])
    first, first_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    started = time.perf_counter()
    for story in stories[1:]:
        index.check(story)
    rest = (time.perf_counter() - started) / (len(stories) - 1)
    store.rollback()
    known = store.last_story_id()
    store.close()
    print(
        f"start-up on the finished store (~{known:,} stories, new instance): open {opened * 1000:.1f} ms, "
        f"open + first check {first * 1000:.1f} ms wall / {first_cpu * 1000:.1f} ms CPU, next checks "
        f"{rest * 1000:.2f} ms each (OS cache warm); RSS +{rss_mb() - rss_before:.0f} MB"
    )


KIND_CODES = {kind: code for code, kind in enumerate(("new", "update", "unchanged", "url", "canonical", EXACT, NEAR))}
KIND_NAMES = {code: kind for kind, code in KIND_CODES.items()}


@dataclass
class Run:
    """What the run measured, kept compact (a byte and an int per article) for 1M runs."""

    kinds: array
    predicted: array  # cluster of the story each article was matched to (or itself)
    wall: float = 0.0
    cpu: float = 0.0
    checkpoints: list = field(default_factory=list)
    sizes: list = field(default_factory=list)  # state size (MB) at each checkpoint
    stories: int = 0
    db_mb: float = 0.0
    server_cpu: float = 0.0  # Redis server CPU seconds during the run (0 for SQLite)
    rss_before: float = 0.0
    hwm_after: float = 0.0


def report(args, signer, index, planted, cluster, run: Run, state: str) -> None:  # noqa: ANN001
    near, exact = KIND_CODES[NEAR], KIND_CODES[EXACT]
    near_clusters = {item.cluster for item in planted if item.kind == "near"}
    exact_clusters = {item.cluster for item in planted if item.kind == "exact"}
    flagged_near = near_correct = false_dups = 0
    found = Counter()
    seen: set[int] = set()
    for item, kind, predicted in zip(planted, run.kinds, run.predicted):
        if kind == near:
            flagged_near += 1
            near_correct += predicted == item.cluster
        if kind in (near, exact) and predicted != item.cluster:
            false_dups += 1
        # a planted pair is found when whichever of the two came second is flagged a
        # duplicate (near or exact) of the other's cluster
        if item.cluster in seen and kind in (near, exact) and predicted == item.cluster:
            found["near" if item.cluster in near_clusters else "exact"] += 1
        seen.add(item.cluster)
    precision = near_correct / flagged_near if flagged_near else float("nan")
    recall = found["near"] / len(near_clusters) if near_clusters else float("nan")
    total = len(run.kinds)
    (n1, wall1, cpu1), (n9, wall9, cpu9) = run.checkpoints[0], run.checkpoints[-2]
    print(
        f"params: num_perm={signer.num_perm} shingle={signer.shingle_size} bands={signer.bands} "
        f"rows={signer.rows} threshold={index.threshold} commit_every={args.commit_every}"
    )
    print(f"verdicts: { {KIND_NAMES[k]: v for k, v in Counter(run.kinds).items()} }; stories stored: {run.stories:,}")
    print(
        f"near-duplicates: precision {precision:.4f}  recall {recall:.4f}  ({near_correct}/{flagged_near} "
        f"flagged correct, {found['near']}/{len(near_clusters)} planted pairs found)"
    )
    print(f"exact copies found: {found['exact']}/{len(exact_clusters)}; distinct stories wrongly flagged: {false_dups}")
    print(
        f"speed (checks + commits only, one thread): {total / run.cpu:,.0f} articles per CPU second; first 10%: "
        f"{n1 / cpu1:,.0f}/s, last 10%: {(total - n9) / (run.cpu - cpu9):,.0f}/s; wall clock {total / run.wall:,.0f}/s "
        f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work competes for the cores)"
    )
    if run.server_cpu:
        print(f"with the Redis server's CPU ({run.server_cpu:,.1f} s) counted too: "
              f"{total / (run.cpu + run.server_cpu):,.0f} articles per CPU second")
    print(
        f"memory: RSS {run.rss_before:,.0f} MB before the run (corpus plan), peak {run.hwm_after:,.0f} MB, "
        f"growth {run.hwm_after - run.rss_before:,.0f} MB; {state} {run.db_mb:,.0f} MB for {total:,} articles "
        f"({run.stories:,} stories)"
    )
    if total >= 1_000_000:
        print(f"measured at {total:,} articles: the figures above (speed of the last 10% is the speed at this size)")
    else:
        # from the growth over the second half: fixed costs (empty buckets, pages) are paid early
        half = len(run.sizes) // 2 - 1
        per_article = (run.sizes[-1] - run.sizes[half]) / (total - run.checkpoints[half][0])
        print(
            f"extrapolated to 1,000,000 articles: {state} ~{run.db_mb + per_article * (1_000_000 - total):,.0f} MB "
            f"({per_article * 2**20 * total / max(run.stories, 1):,.0f} bytes a stored story, from the second half); "
            f"process memory stays bounded (every lookup is an indexed query, SQLite's page cache is capped at 64 MB, "
            f"the word sequences kept for the word-order check at 64 MB): measure with --articles 1000000"
        )


if __name__ == "__main__":
    main()
