"""Filler text for purpose-built test sites: each story its own words.

Stories cut from one paragraph are, rightly, near-duplicates of each other to the dedupe
pipeline; tests about discovery and routing need stories that are distinct.
"""

from __future__ import annotations

import random

VOCABULARY = (
    "council river harbour school budget court rail station farmers election police hospital museum festival "
    "bridge tunnel drought storm market bank factory union strike teachers nurses mayor minister village port "
    "airport ferry library stadium orchestra vaccine clinic landlord tenants prices wages tariffs exports "
    "inspectors engineers volunteers judges auditors archive satellite laboratory forest coast glacier"
).split()


def distinct_paragraphs(seed: str, count: int = 4, words: int = 45) -> list[str]:
    """``count`` paragraphs of words drawn for ``seed`` alone."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "." for _ in range(count)]
