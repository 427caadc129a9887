"""Site-template learner: cost per article page, and memory of a site's table at its cap.

A synthetic site of N article pages (distinct story paragraphs, a reading-time label and a
newsletter box on every page, a stock closing sentence on a quarter of them) goes through
what the template pipeline does per article: strip with what is known, then count.

    python bench/template.py                 # 20,000 pages
    python bench/template.py --pages 100000 --max-lines 20000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscrawler.extract.template import (  # noqa: E402
    SiteTemplate,
    TemplatePolicy,
    distinct_keys,
    keyed_lines,
    strip_body,
)
from tests.prose import distinct_paragraphs  # noqa: E402

NEWSLETTER = "Subscribe to our newsletter for 3 dollars a month and get every story first."
CLOSERS = ["A final decision is expected before the end of the month.",
           "Officials said more details would be shared once the review is complete.",
           "Opposition parties have called for a debate on the issue.",
           "The matter will be taken up again at the next meeting."]


def page(number: int, rng: random.Random) -> str:
    story = distinct_paragraphs(f"bench-{number}", count=rng.randint(5, 12), words=rng.randint(30, 70))
    return "\n\n".join([f"{rng.randint(2, 14)} minute read", *story, rng.choice(CLOSERS), NEWSLETTER])


def run(bodies: list[str], policy: TemplatePolicy) -> tuple[SiteTemplate, int, int]:
    """What the pipeline does per article: strip with what is known, then count the page."""
    template = SiteTemplate("example.com", policy)
    stripped = dropped = 0
    for number, body in enumerate(bodies, start=1):
        lines = keyed_lines(body)  # once per article, as the pipeline does
        result = strip_body(lines, None, None, template, min_words=20)
        if result is not None:
            template.record_drops(key for _, key in result.dropped)
            stripped += 1
            dropped += len(result.dropped)
        template.observe(distinct_keys(lines))
        if number % 256 == 0:
            template.take_changes()  # the pipeline hands them to the store this often
    return template, stripped, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--max-lines", type=int, default=TemplatePolicy().max_lines)
    args = parser.parse_args()
    rng = random.Random(7)
    bodies = [page(n, rng) for n in range(args.pages)]
    policy = TemplatePolicy(max_lines=args.max_lines)
    started = time.perf_counter()
    template, stripped, dropped = run(bodies, policy)
    elapsed = time.perf_counter() - started
    tracemalloc.start()  # a second pass for memory: tracing slows every allocation
    traced, *_ = run(bodies, policy)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    learned = sorted(line.sample for line in template.furniture.values())
    print(f"pages: {args.pages}, lines per page: {sum(len(b.split(chr(10) * 2)) for b in bodies) / len(bodies):.1f}")
    print(f"time per page: {elapsed / args.pages * 1e6:.0f} µs ({args.pages / elapsed:,.0f} pages/s)")
    print(f"lines in the table: {len(template.lines)} (cap {args.max_lines}); "
          f"peak traced memory of the learner: {peak / 2**20:.1f} MB")
    print(f"learned: {learned}")
    print(f"articles stripped: {stripped}, lines dropped: {dropped}; "
          f"stock closers learned: {sum(c in learned for c in CLOSERS)} of {len(CLOSERS)}")


if __name__ == "__main__":
    main()
