"""The word-order check that keeps template siblings apart and edited copies together."""

from __future__ import annotations

import random

import numpy as np

from newscrawler.dedupe.alignment import pack_words, sequence_similarity, unpack_words
from newscrawler.dedupe.fingerprints import word_hashes

TEMPLATES = [
    "{who} said on {day} that the {what} in {where} would cost about {n} million. ",
    "The matter lay at the heart of a long-running dispute over funding in {where}, {who} added. ",
    "Residents near the {what} told reporters on {day} they had waited {n} weeks for an answer. ",
    "{who} is expected to publish a review of the {what} before the end of the year. ",
    "Work on the {what} stopped twice last year after inspectors found {n} faults. ",
    "Critics in {where} say the plan ignores the cost to households. ",
]
FILLERS = {
    "who": ["The mayor", "A union leader", "The health minister", "Engineers", "The court"],
    "day": ["Monday", "Tuesday", "Friday", "Sunday"],
    "what": ["new bridge", "hospital wing", "water plant", "metro line", "stadium roof"],
    "where": ["Pune", "Leeds", "Lyon", "Porto", "Austin", "Osaka"],
}


def story(seed: int, sentences: int = 12) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(TEMPLATES).format(n=rng.randint(2, 900), **{k: rng.choice(v) for k, v in FILLERS.items()})
                   for _ in range(sentences))


def edited(text: str, share: float, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(["", words[i] + " also", "reportedly", "officials"])
    return " ".join(w for w in words if w)


def similarity(a: str, b: str) -> float:
    return sequence_similarity(unpack_words(pack_words(word_hashes(a))), unpack_words(pack_words(word_hashes(b))))


def test_identical_and_empty() -> None:
    text = story(1)
    assert similarity(text, text) == 1.0
    assert similarity(text, "") == 0.0


def test_edited_copies_stay_close_and_template_siblings_stay_apart() -> None:
    originals = [story(seed) for seed in range(8)]
    copies = [similarity(text, edited(text, 0.15, seed)) for seed, text in enumerate(originals)]
    siblings = [similarity(a, b) for i, a in enumerate(originals) for b in originals[i + 1:]]
    assert min(copies) > 0.8
    assert max(siblings) < 0.75
    assert min(copies) - max(siblings) > 0.1


def test_matches_a_plain_lcs() -> None:
    rng = random.Random(7)
    for _ in range(30):
        a = np.array([rng.randint(0, 5) for _ in range(rng.randint(1, 40))], dtype=np.uint16)
        b = np.array([rng.randint(0, 5) for _ in range(rng.randint(1, 40))], dtype=np.uint16)
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a)):
            for j in range(len(b)):
                table[i + 1][j + 1] = table[i][j] + 1 if a[i] == b[j] else max(table[i][j + 1], table[i + 1][j])
        assert sequence_similarity(a, b) == 2 * table[-1][-1] / (len(a) + len(b))


def test_the_index_keeps_template_siblings_that_minhash_alone_would_merge() -> None:
    from newscrawler.dedupe.index import NEAR, NEW, Story, StoryIndex
    from newscrawler.dedupe.sqlite import SQLiteDedupeStore

    originals = [story(seed, sentences=20) for seed in range(12)]

    def run(verify: float) -> list[str]:
        # A threshold this low lets MinHash pass template siblings as candidates.
        index = StoryIndex(SQLiteDedupeStore(":memory:"), threshold=0.15, verify_similarity=verify)
        kinds = [index.check(Story(url=f"https://n.example/{i}", canonical_url=f"https://n.example/{i}", body=text)).kind
                 for i, text in enumerate(originals)]
        copy = edited(originals[3], 0.1, seed=99)
        kinds.append(index.check(Story(url="https://n.example/copy", canonical_url="https://n.example/copy",
                                       body=copy)).kind)
        return kinds

    without_check = run(verify=0.0)
    assert without_check[:-1].count(NEAR) > 0, "the siblings are not alike enough to test anything"
    with_check = run(verify=0.7)
    assert with_check[:-1] == [NEW] * len(originals)
    assert with_check[-1] == NEAR
