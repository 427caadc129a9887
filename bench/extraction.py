"""Body and date extraction benchmark: extract_article against trafilatura, same pages, one run.

    python bench/extraction.py [--dir ../shared/extraction-benchmark] [--per-doc] [--repeat N] [--warmup N]

Prints, for both and for trafilatura's precision mode, mean word F1 and the share of pages
with F1 >= 0.9 (the metric of the benchmark's own ``score.py``, imported from it) and
milliseconds per page; then how many pages carrying a date signal (JSON-LD, meta or
``<time>``) got a published date. The time ratio is against trafilatura's default mode.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.extract.article import extract_article  # noqa: E402

DEFAULT_DIR = next((d for d in (REPO.parent / "shared" / "extraction-benchmark",  # beside the checkout
                                REPO.parent.parent / "shared" / "extraction-benchmark")  # from a worktree
                     if d.is_dir()), REPO.parent / "shared" / "extraction-benchmark")
_DATE_SIGNAL = re.compile(
    r"datePublished|article:published_time|<time[^>]+datetime=|itemprop=[\"']?datePublished"
    r"|name=[\"'](?:pubdate|publishdate|date|dc\.date|parsely-pub-date|sailthru\.date)[\"']",
    re.IGNORECASE,
)


def load_scorer(folder: Path):
    """The benchmark's own score.py, imported so the metric is exactly its metric."""
    spec = importlib.util.spec_from_file_location("benchmark_score", folder / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def word_f1(scorer, gold: str, predicted: str) -> float:
    return scorer.overlap_prf(scorer.tokens(gold), scorer.tokens(predicted), 1)[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--per-doc", action="store_true", help="print per-page F1 for both")
    parser.add_argument("--repeat", type=int, default=1, help="time each extractor N times per page")
    parser.add_argument("--warmup", type=int, default=1000,
                        help="pages run untimed through both extractors first (default: all)")
    args = parser.parse_args()

    import trafilatura

    scorer = load_scorer(args.dir)
    gold = json.loads((args.dir / "ground-truth.json").read_text(encoding="utf-8"))
    crawled_at = datetime.now(timezone.utc)
    pages = []
    for page_id in sorted(gold):
        with gzip.open(args.dir / "html" / f"{page_id}.html.gz") as handle:
            pages.append((page_id, handle.read()))

    # Warm both up outside the timed loop: imports, dateparser's locale data and the
    # language model load once per process, which a crawl pays once, not per page.
    for page_id, raw in pages[: args.warmup]:
        extract_article(raw, gold[page_id]["url"], crawled_at=crawled_at)
        trafilatura.extract(raw.decode("utf-8", "replace"))

    ours_f1, theirs_f1, ours_time, theirs_time = [], [], 0.0, 0.0
    precise_f1, precise_time = [], 0.0
    dated, dated_found = 0, 0
    for page_id, raw in pages:
        url, expected = gold[page_id]["url"], gold[page_id].get("articleBody") or ""
        html = raw.decode("utf-8", "replace")
        start = time.perf_counter()
        for _ in range(args.repeat):
            article = extract_article(raw, url, crawled_at=crawled_at)
        ours_time += (time.perf_counter() - start) / args.repeat
        start = time.perf_counter()
        for _ in range(args.repeat):
            theirs = trafilatura.extract(html) or ""
        theirs_time += (time.perf_counter() - start) / args.repeat
        start = time.perf_counter()
        for _ in range(args.repeat):
            precise = trafilatura.extract(html, favor_precision=True) or ""
        precise_time += (time.perf_counter() - start) / args.repeat
        precise_f1.append(word_f1(scorer, expected, precise))
        ours_f1.append(word_f1(scorer, expected, article.body or ""))
        theirs_f1.append(word_f1(scorer, expected, theirs))
        if _DATE_SIGNAL.search(html):
            dated += 1
            dated_found += bool(article.published_at)
        if args.per_doc:
            print(f"{page_id[:12]}\tours={ours_f1[-1]:.3f}\ttrafilatura={theirs_f1[-1]:.3f}\t"
                  f"date={article.published_at} ({article.published_at_source})\t{url}")

    n = len(pages)
    print(f"pages: {n}")
    print(f"{'extractor':<16}{'mean F1':>10}{'F1>=0.9':>10}{'ms/page':>10}")
    for name, scores, seconds in (("extract_article", ours_f1, ours_time), ("trafilatura", theirs_f1, theirs_time),
                                  ("traf. precision", precise_f1, precise_time)):
        share = sum(f >= 0.9 for f in scores) / n
        print(f"{name:<16}{sum(scores) / n:>10.4f}{share:>10.4f}{seconds / n * 1000:>10.1f}")
    print(f"time ratio (ours/trafilatura): {ours_time / theirs_time:.2f}x")
    print(f"published date found on {dated_found}/{dated} pages with a date signal "
          f"({dated_found / dated if dated else 0:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
