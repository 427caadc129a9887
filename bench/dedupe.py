"""Benchmark the story dedupe stage: near-duplicate precision/recall, speed, memory.

A synthetic corpus built from the extraction benchmark's real article bodies, split into
sentences and recombined: original stories, exact copies, near copies (1-15% of words edited,
headline changed) and distinct stories on the same topic (same source body, different
sentences, one shared quote). Every article goes through ``StoryIndex.check`` against a real
SQLite file, committed in groups as the pipeline does under load.

    python bench/dedupe.py                      # 100,000 articles, default settings
    python bench/dedupe.py --articles 1000000   # the 1M run (about 10 minutes)
    python bench/dedupe.py --articles 20000 --threshold 0.4 --shingle 2

Prints precision/recall for near-duplicates (and exact), articles per second through the
dedupe stage (checks and commits only, one core), peak memory growth and database size,
and a linear extrapolation to 1,000,000 stories.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.dedupe.fingerprints import MinHashSigner  # noqa: E402
from newscrawler.dedupe.index import EXACT, NEAR, Story, StoryIndex  # noqa: E402
from newscrawler.dedupe.store import DedupeStore  # noqa: E402

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
            words = body.split(" ")
            edits = rng.sample(range(len(words)), max(1, round(item.edit_rate * len(words))))
            for position in sorted(edits, reverse=True):
                operation = rng.random()
                if operation < 0.6:
                    words[position] = rng.choice(self.vocabulary)
                elif operation < 0.8:
                    del words[position]
                else:
                    words.insert(position, rng.choice(self.vocabulary))
            body = " ".join(words)
        return headline, body

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
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()

    defaults = MinHashSigner()
    signer = MinHashSigner(
        num_perm=args.num_perm or defaults.num_perm,
        shingle_size=args.shingle or defaults.shingle_size,
        bands=args.bands or defaults.bands,
        rows=args.rows or defaults.rows,
    )
    corpus = Corpus(GROUND_TRUTH)
    planted = corpus.plant(args.articles, random.Random(args.seed))
    kinds = dict(Counter(p.kind for p in planted))
    print(f"corpus: {len(corpus.sentences)} sentences from {len(corpus.topics)} bodies; {kinds}")

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "dedupe.db"
        store = DedupeStore(db)
        index = StoryIndex(store, signer, **({"threshold": args.threshold} if args.threshold else {}))
        rss_before, hwm_before = rss_mb(), rss_mb("VmHWM")
        cluster_of: dict[str, int] = {}
        verdicts: list[tuple[Planted, str, int | None]] = []
        spent = cpu = 0.0
        checkpoints = []
        for n, item in enumerate(planted, 1):
            headline, body = corpus.render(item)
            url = f"https://site{item.index % 50}.example/news/{item.index}"
            cluster_of[url] = item.cluster
            started, started_cpu = time.perf_counter(), time.process_time()
            verdict = index.check(Story(url=url, canonical_url=url, title=headline, body=body))
            if n % args.commit_every == 0:
                store.commit()
            spent += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
            verdicts.append((item, verdict.kind, cluster_of.get(verdict.original)))
            if n % max(1, len(planted) // 10) == 0:
                checkpoints.append((n, spent))
        store.commit()
        stories = store.count_stories()
        store.close()
        db_mb = sum(p.stat().st_size for p in Path(db).parent.glob(Path(db).name + "*")) / 2**20
        hwm_after = rss_mb("VmHWM")

    report(args, signer, index, verdicts, planted, spent, cpu, checkpoints, stories, db_mb, rss_before, hwm_after)


def report(args, signer, index, verdicts, planted, spent, cpu, checkpoints, stories, db_mb, rss_before, hwm_after) -> None:  # noqa: ANN001, PLR0913
    kinds = Counter(kind for _, kind, _ in verdicts)
    flagged_near = [(item, cluster) for item, kind, cluster in verdicts if kind == NEAR]
    near_correct = sum(1 for item, cluster in flagged_near if cluster == item.cluster)
    # A planted near pair is found when whichever of the two came second is flagged a
    # duplicate (near or exact) of the other's cluster.
    near_clusters = {item.cluster for item in planted if item.kind == "near"}
    exact_clusters = {item.cluster for item in planted if item.kind == "exact"}
    seen: set[int] = set()
    found = Counter()
    for item, kind, cluster in verdicts:
        if item.cluster in seen and kind in (NEAR, EXACT) and cluster == item.cluster:
            found["near" if item.cluster in near_clusters else "exact"] += 1
        seen.add(item.cluster)
    false_dups = sum(1 for item, kind, cluster in verdicts if kind in (NEAR, EXACT) and cluster != item.cluster)
    precision = near_correct / len(flagged_near) if flagged_near else float("nan")
    recall = found["near"] / len(near_clusters) if near_clusters else float("nan")
    rate = len(verdicts) / spent
    n10, t10 = checkpoints[0]
    tail_rate = (len(verdicts) - checkpoints[-2][0]) / (spent - checkpoints[-2][1]) if len(checkpoints) > 1 else rate
    print(
        f"params: num_perm={signer.num_perm} shingle={signer.shingle_size} bands={signer.bands} "
        f"rows={signer.rows} threshold={index.threshold} commit_every={args.commit_every}"
    )
    print(f"verdicts: {dict(kinds)}; stories stored: {stories}")
    print(f"near-duplicates: precision {precision:.4f}  recall {recall:.4f}  ({near_correct}/{len(flagged_near)} flagged correct, {found['near']}/{len(near_clusters)} planted pairs found)")
    print(f"exact copies found: {found['exact']}/{len(exact_clusters)}; distinct stories wrongly flagged: {false_dups}")
    print(
        f"speed: {len(verdicts) / cpu:,.0f} articles/s per CPU second (one core); wall clock {rate:,.0f}/s "
        f"overall, first 10%: {n10 / t10:,.0f}/s, last 10%: {tail_rate:,.0f}/s (wall clock includes other load)"
    )
    growth = hwm_after - rss_before
    print(f"memory: RSS {rss_before:.0f} MB before the run, peak {hwm_after:.0f} MB (growth {growth:.0f} MB); database {db_mb:.0f} MB")
    if len(verdicts) < 1_000_000:
        factor = 1_000_000 / len(verdicts)
        print(
            f"extrapolated to 1,000,000 articles: database {db_mb * factor:,.0f} MB on disk (linear); "
            f"{1_000_000 / tail_rate / 60:.0f} min at the last-10% wall-clock rate. Memory does not grow "
            f"with the store (lookups are indexed queries, SQLite's page cache is capped at 64 MB); what "
            f"grows is this run's set of URLs decided, about 0.2 KB per article (~200 MB for a 1M-article "
            f"run). Measure it with --articles 1000000."
        )


if __name__ == "__main__":
    main()
