"""Text fingerprints for story dedupe: exact hashes and MinHash signatures over word shingles.

Pure functions of text: no Scrapy, no database. Words are hashed in bulk with numpy
(a polynomial hash over UTF-8 bytes, position-independent per word), because a per-word
Python loop would cap the dedupe stage far below a few thousand articles a second.

MinHash is signed here with numpy alone, bit for bit as datasketch 2's ``affine32`` scheme
signs it (stored signatures and band keys came from datasketch and stay valid): importing
datasketch would pull in scipy, a second of start-up and ~100 MB for every crawl.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
_P = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_P_INV = np.uint64(pow(int(_P), -1, 2**64))
_MASK32 = np.uint64(0xFFFFFFFF)
_SHINGLE_MIX = np.uint32(0x01000193)
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)

_BMP = 0x10000

# MinHash permutations h -> a*h + b (mod 2**32) drawn as datasketch draws them for its
# default seed: numpy's legacy RandomState stream is fixed, so the draw is too.
_MINHASH_SEED = 1
_MAX_HASH32 = np.uint32(0xFFFFFFFF)
# MurmurHash3's 32-bit finalizer, which mixes every shingle hash once before the permutations.
_FMIX_SHIFTS = (np.uint32(16), np.uint32(13), np.uint32(16))
_FMIX_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


@lru_cache(maxsize=1)
def _word_characters() -> np.ndarray:
    """Lookup table over the BMP: a word character's lower-case form (when that is one code
    point, else itself), 0 for the rest (punctuation, spaces, symbols). Code points beyond the
    BMP (emoji, rare scripts) are looked up as U+FFFF, kept as a word character."""
    table = np.zeros(_BMP, dtype=np.uint32)
    for cp in range(_BMP):
        char = chr(cp)
        if unicodedata.category(char)[0] in "LNM":
            folded = char.lower()
            table[cp] = ord(folded) if len(folded) == 1 else cp
    table[0xFFFF] = 0xFFFF
    return table


@lru_cache(maxsize=8)
def _powers(bits: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**i`` and ``P**-i`` modulo 2**64 for ``i < 2**bits`` (constants, grown on demand)."""
    size = 1 << bits
    powers = np.empty(size, dtype=np.uint64)
    inverse = np.empty(size, dtype=np.uint64)
    powers[0] = inverse[0] = 1
    np.cumprod(np.full(size - 1, _P, dtype=np.uint64), out=powers[1:])
    np.cumprod(np.full(size - 1, _P_INV, dtype=np.uint64), out=inverse[1:])
    return powers, inverse


def normalize_text(text: str) -> str:
    """NFKC-normalised text, so typographic variants (ligatures, full-width) are one word."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):  # the quick check is 6x cheaper
        return text
    return unicodedata.normalize("NFKC", text)


def word_hashes(text: str) -> np.ndarray:
    """64-bit hash of every word of ``text`` in order; case, punctuation and spacing ignored.

    Works on the code points as one numpy array: a word is a run of letters/digits, its hash a
    polynomial over its lower-cased code points that does not depend on where the word stands.
    """
    text = normalize_text(text)
    if not text:
        return np.zeros(0, dtype=np.uint64)
    if text.isascii():
        points = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        points = np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), _BMP - 1)
    points = _word_characters()[points]
    in_word = np.zeros(points.size + 2, dtype=bool)
    np.not_equal(points, 0, out=in_word[1:-1])
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    powers, inverse = _powers(max(16, (points.size + 1).bit_length()))
    prefix = np.zeros(points.size + 1, dtype=np.uint64)
    np.cumsum(points.astype(np.uint64) * powers[: points.size], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


def words_digest(*word_arrays: np.ndarray) -> bytes:
    """16-byte digest of one or more :func:`word_hashes` arrays (kept apart by a separator)."""
    digest = hashlib.blake2b(digest_size=16)
    for words in word_arrays:
        digest.update(words.tobytes())
        digest.update(b"\x00")
    return digest.digest()


def text_fingerprint(*parts: str | None) -> str:
    """Hex digest of the words of ``parts``: equal for texts that differ only in case,
    punctuation or spacing."""
    return words_digest(*(word_hashes(part or "") for part in parts)).hex()


def shingle_hashes(words: np.ndarray, size: int) -> np.ndarray:
    """32-bit hashes of every run of ``size`` consecutive words (the whole text if shorter)."""
    folded = ((words >> np.uint64(32)) ^ (words & _MASK32)).astype(np.uint32)
    count = folded.size - size + 1
    if count < 1:
        return np.bitwise_xor.reduce(folded, keepdims=True) if folded.size else folded
    shingles = folded[:count].copy()
    for offset in range(1, size):
        shingles = shingles * _SHINGLE_MIX ^ folded[offset : offset + count]
    return shingles


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer on ``uint32`` values: a bijection that spreads every input bit."""
    shift1, shift2, shift3 = _FMIX_SHIFTS
    multiplier1, multiplier2 = _FMIX_MULTIPLIERS
    values = values ^ (values >> shift1)
    values = values * multiplier1
    values = values ^ (values >> shift2)
    values = values * multiplier2
    return values ^ (values >> shift3)


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` (odd, so each map is a bijection) and ``b`` of ``num_perm`` permutations."""
    generator = np.random.RandomState(_MINHASH_SEED)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


@dataclass(frozen=True)
class MinHashSigner:
    """MinHash signatures and LSH band keys of texts, for one (num_perm, shingle, bands) choice.

    A signature holds, for each of ``num_perm`` permutations ``a*h + b`` (mod 2**32) of the
    mixed word-shingle hashes, the smallest value: a ``uint32`` array stored in
    ``num_perm * 4`` bytes. Equal to datasketch's ``MinHash(num_perm, scheme="affine32")`` fed
    the shingle hashes. Signers share no state, so any thread may use one.
    """

    num_perm: int = 64
    shingle_size: int = 3
    bands: int = 21
    rows: int = 3

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"LSH needs bands * rows <= num_perm: got {self.bands} * {self.rows} for {self.num_perm}"
            )
        if self.shingle_size < 1:
            raise ValueError(f"shingle_size must be at least 1, got {self.shingle_size}")

    def signature(self, words: np.ndarray) -> np.ndarray:
        """MinHash of the word shingles of a text given as :func:`word_hashes`; a text without
        words has the empty signature (every value 2**32 - 1)."""
        a, b = _permutations(self.num_perm)
        shingles = shingle_hashes(words, self.shingle_size)
        if not shingles.size:
            return np.full(self.num_perm, _MAX_HASH32, dtype=np.uint32)
        # uint32 arithmetic wraps: the modulo 2**32 comes free.
        permuted = _fmix32(shingles)[:, np.newaxis] * a + b
        return permuted.min(axis=0)

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """One signed 64-bit key per LSH band (the band number is mixed in): texts sharing
        any key are candidates."""
        used = self.bands * self.rows
        rows = signature[:used].astype(np.uint64).reshape(self.bands, self.rows)
        keys = np.arange(1, self.bands + 1, dtype=np.uint64) * _BAND_MIX
        for column in range(self.rows):
            keys = (keys ^ rows[:, column]) * _P
        return keys.view(np.int64).tolist()

    def from_bytes(self, blob: bytes) -> np.ndarray:
        signature = np.frombuffer(blob, dtype=np.uint32)
        if signature.size != self.num_perm:
            raise ValueError(f"stored signature has {signature.size} values, expected {self.num_perm}")
        return signature


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.count_nonzero(a == b)) / a.size
