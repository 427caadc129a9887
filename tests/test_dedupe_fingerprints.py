"""Text fingerprints: word hashing, exact fingerprints, MinHash signatures and LSH band keys."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from datasketch import MinHash

from newscrawler.dedupe.fingerprints import (
    MinHashSigner,
    shingle_hashes,
    similarity,
    text_fingerprint,
    word_hashes,
)

WORDS = (
    "council minister flood river city police court election budget school hospital road "
    "bridge storm village farmers market price union strike talks border army report water "
    "power station train airport fire rescue families houses winter summer rain crops trade "
    "bank loans tax workers factory port ship coast island mountain valley forest park museum "
    "festival music film award team match coach season league players fans stadium mayor "
    "governor senator party vote campaign leader protest crowd square street district county"
).split()


def prose(seed: int, words: int = 300) -> str:
    """Made-up story text: distinct seeds give unrelated word sequences."""
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        sentences.append(sentence.capitalize() + ".")
    return " ".join(sentences)


def edit(text: str, rate: float, seed: int) -> str:
    """Substitute a share of the words, spread over the whole text."""
    rng = random.Random(seed)
    words = text.split()
    for position in rng.sample(range(len(words)), round(rate * len(words))):
        words[position] = rng.choice(["alpha", "bravo", "charlie", "delta", "echo"]) + str(position)
    return " ".join(words)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Cat sat.", "the cat sat"),
        ("“Quoted,” she said — loudly!", "quoted she said loudly"),
        ("tab\tand\nnewline", "tab and newline"),
        ("Café ÉLAN", "café élan"),
        ("ﬁnal ｆｕｌｌ", "final full"),
    ],
)
def test_word_hashes_ignore_case_punctuation_and_spacing(a: str, b: str) -> None:
    assert word_hashes(a).tolist() == word_hashes(b).tolist()


def test_word_hashes_keep_words_and_order() -> None:
    hashes = word_hashes("rain in the city, rain again")
    assert hashes.size == 6
    assert hashes[0] == hashes[4]
    assert len(set(hashes.tolist())) == 5
    assert word_hashes("ab").tolist() != word_hashes("a b").tolist()
    assert word_hashes("").size == 0
    assert word_hashes("  — … ").size == 0


def test_word_hashes_of_a_long_text() -> None:
    """Longer than the first power table (65,536 code points): the table grows."""
    text = " ".join(f"word{n % 700}" for n in range(15_000))
    hashes = word_hashes(text)
    assert len(text) > 65_536 and hashes.size == 15_000
    assert hashes[0] == hashes[700] == hashes[14_700]
    assert len(set(hashes.tolist())) == 700


def test_text_fingerprint() -> None:
    assert text_fingerprint("Flood waters rose.", "Body") == text_fingerprint("flood  waters rose", "body!")
    assert text_fingerprint("Flood waters rose") != text_fingerprint("Flood waters fell")
    assert text_fingerprint("a", "b") != text_fingerprint("a b")
    assert len(text_fingerprint(None)) == 32


def test_signature_equals_datasketch_fed_one_shingle_at_a_time() -> None:
    signer = MinHashSigner(num_perm=64, shingle_size=3, bands=16, rows=4)
    words = word_hashes(prose(2))
    reference = MinHash(num_perm=64, scheme="affine32", hashfunc=int)
    for value in shingle_hashes(words, 3).tolist():
        reference.update(value)
    assert signer.signature(words).tolist() == reference.hashvalues.tolist()
    assert signer.signature(words).dtype == np.uint32


@pytest.mark.parametrize(("num_perm", "shingle"), [(64, 3), (128, 3), (64, 1), (256, 5)])
def test_signatures_equal_datasketch_on_many_texts(num_perm: int, shingle: int) -> None:
    """Signatures stored by earlier runs came from datasketch's affine32 MinHash: ours must
    equal them for every text, length and parameter choice, or stored state goes stale."""
    signer = MinHashSigner(num_perm=num_perm, shingle_size=shingle, bands=1, rows=1)
    for seed in range(150):
        words = word_hashes(prose(seed, words=random.Random(seed).randint(1, 600)))
        reference = MinHash(num_perm=num_perm, scheme="affine32", hashfunc=int)
        reference.update_batch(shingle_hashes(words, shingle).tolist())
        assert signer.signature(words).tolist() == reference.hashvalues.tolist(), (seed, words.size)


@pytest.mark.parametrize(
    ("text", "first", "digest"),
    [
        ("New Delhi, Sept 29 (PTI) The ministry said on Thursday that the flood barrier on the river would be "
         "finished before the monsoon, after two winters of delays.",
         [67393292, 126405582, 94266997, 39244707, 479896067, 102355053, 71294834, 44067212],
         "e54de52d4aeccd9ff500b637c3ca896e6a6a2f7c002c9ecc972f49abb3de0bcf"),
        (prose(7), [23318288, 7477999, 18007158, 14480417, 4643890, 9511522, 4948912, 8650199],
         "d85fe32f1aaaeac981732ca5a8e5f1b946b23e58642440281f1dabc3b3018a2a"),
    ],
)
def test_signatures_equal_those_stored_by_earlier_runs(text: str, first: list[int], digest: str) -> None:
    """Fixed signatures, computed with datasketch 2.0 when the dedupe state was first stored:
    they hold even without datasketch installed."""
    signature = MinHashSigner(num_perm=64, shingle_size=3).signature(word_hashes(text))
    assert signature[:8].tolist() == first
    assert hashlib.sha256(signature.tobytes()).hexdigest() == digest


def test_a_text_without_words_has_the_empty_signature() -> None:
    signature = MinHashSigner(num_perm=64).signature(word_hashes(" — "))
    assert signature.dtype == np.uint32 and signature.tolist() == [2**32 - 1] * 64


def test_shingles_of_a_text_shorter_than_a_shingle() -> None:
    assert shingle_hashes(word_hashes("two words"), 3).size == 1
    assert shingle_hashes(word_hashes(""), 3).size == 0


def test_similarity_separates_near_copies_from_other_stories() -> None:
    signer = MinHashSigner(num_perm=128, shingle_size=3, bands=42, rows=3)
    original = signer.signature(word_hashes(prose(3)))
    assert similarity(original, signer.signature(word_hashes(prose(3)))) == 1.0
    near = signer.signature(word_hashes(edit(prose(3), 0.05, seed=1)))
    far = signer.signature(word_hashes(edit(prose(3), 0.15, seed=1)))
    other = signer.signature(word_hashes(prose(4)))
    assert similarity(original, near) > 0.6
    assert similarity(original, far) > 0.3
    assert similarity(original, other) < 0.1


def test_band_keys() -> None:
    signer = MinHashSigner(num_perm=64, shingle_size=3, bands=21, rows=3)
    signature = signer.signature(word_hashes(prose(5)))
    keys = signer.band_keys(signature)
    assert len(keys) == 21 and len(set(keys)) == 21
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert keys == signer.band_keys(signer.from_bytes(signature.tobytes()))
    near = signer.band_keys(signer.signature(word_hashes(edit(prose(5), 0.03, seed=2))))
    assert set(keys) & set(near)
    other = signer.band_keys(signer.signature(word_hashes(prose(6))))
    assert not set(keys) & set(other)


@pytest.mark.parametrize(("bands", "rows", "shingle"), [(0, 3, 3), (30, 3, 3), (8, 0, 3), (8, 4, 0)])
def test_signer_rejects_impossible_parameters(bands: int, rows: int, shingle: int) -> None:
    with pytest.raises(ValueError):
        MinHashSigner(num_perm=64, shingle_size=shingle, bands=bands, rows=rows)


def test_from_bytes_rejects_a_signature_of_another_size() -> None:
    with pytest.raises(ValueError, match="expected 64"):
        MinHashSigner(num_perm=64).from_bytes(b"\0" * 128 * 4)
