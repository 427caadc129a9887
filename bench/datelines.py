"""Dateline parser against the labelled corpus: detection, field accuracy, speed.

Usage: python bench/datelines.py [CORPUS.jsonl] [--errors]

Prints detection precision and recall, exact-match rates of location, month, day and
agency over the labelled datelines (and of all four together), the share of negative
lines detected as datelines, and lines per second on one core. ``--errors`` also lists
every line that is wrong and how.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newscrawler.extract.dateline import parse_dateline
from newscrawler.extract.places import is_place

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "datelines" / "dev.jsonl"
FIELDS = ("location", "month", "day", "agency")
# Enough passes over the corpus for a stable timing.
MIN_TIMED_LINES = 100_000
ROUNDS = 5


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict], show_errors: bool) -> dict[str, float]:
    """Detection and per-field exact-match figures for one pass over ``rows``."""
    positives = [row for row in rows if row["has_dateline"]]
    negatives = [row for row in rows if not row["has_dateline"]]
    detected_pos = detected_neg = all_right = 0
    field_right = dict.fromkeys(FIELDS, 0)
    year_right = 0
    for row in rows:
        found = parse_dateline(row["text"])
        if not row["has_dateline"]:
            if found is not None:
                detected_neg += 1
                if show_errors:
                    print(f"FALSE POSITIVE {found.raw!r} in {row['text'][:90]!r}")
            continue
        if found is None:
            if show_errors:
                print(f"MISSED {row['text'][:90]!r}")
            continue
        detected_pos += 1
        wrong = [name for name in FIELDS if getattr(found, name) != row[name]]
        for name in FIELDS:
            field_right[name] += name not in wrong
        all_right += not wrong
        year_right += found.year == row.get("year")
        if wrong and show_errors:
            got = {name: getattr(found, name) for name in wrong}
            want = {name: row[name] for name in wrong}
            print(f"WRONG {got} != {want} in {row['text'][:90]!r}")
    detected = detected_pos + detected_neg
    figures = {
        "labelled datelines": len(positives),
        "negatives": len(negatives),
        "precision": detected_pos / detected if detected else 1.0,
        "recall": detected_pos / len(positives) if positives else 1.0,
        **{f"{name} exact": field_right[name] / len(positives) for name in FIELDS},
        "all four exact": all_right / len(positives),
        "year exact": year_right / len(positives),
        "negatives detected": detected_neg / len(negatives) if negatives else 0.0,
    }
    return figures


def lines_per_second(rows: list[dict]) -> float:
    """Lines per CPU-second of this one-threaded process (so other load on the machine
    counts less than on a wall clock), after a warm-up pass loaded the gazetteer."""
    texts = [row["text"] for row in rows]
    for text in texts:
        parse_dateline(text, "2024-01-01")
    passes = max(1, MIN_TIMED_LINES // len(texts) // ROUNDS)
    best = float("inf")
    for _ in range(ROUNDS):  # the best round: other processes only ever slow a round down
        started = time.process_time()
        for _ in range(passes):
            for text in texts:
                parse_dateline(text, "2024-01-01")
        best = min(best, time.process_time() - started)
    return passes * len(texts) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every wrong line")
    args = parser.parse_args(argv)
    rows = load(args.corpus)
    is_place("London")  # load the gazetteer outside the timings
    figures = score(rows, args.errors)
    figures["lines per second"] = lines_per_second(rows)
    for name, value in figures.items():
        shown = f"{value:.1%}" if isinstance(value, float) and value <= 1 else f"{value:,.0f}"
        print(f"{name:>20}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
