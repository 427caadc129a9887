"""The dedupe decision: is this story new, an update, or another copy of a stored one?

Checks from cheapest to dearest: URLs seen this run, URLs in the store, the exact body
fingerprint, then MinHash LSH candidates verified by their estimated Jaccard similarity.
A story is recorded as it is decided, so the next check already sees it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from newscrawler.dedupe.alignment import pack_words, sequence_similarity, unpack_words
from newscrawler.dedupe.fingerprints import MinHashSigner, similarity, word_hashes, words_digest
from newscrawler.dedupe.base import DedupeBackend, StoredStory

NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"
NOT_STORED = b""
"""Content hash of a story a store refused: no real content matches it, so the story is new
again when next seen."""
URL, CANONICAL, EXACT, NEAR = "url", "canonical", "exact", "near"
DUPLICATE_KINDS = (URL, CANONICAL, EXACT, NEAR)
DEFAULT_THRESHOLD = 0.5
"""Near-duplicate threshold (estimated Jaccard of 3-word shingles). ``bench/dedupe.py``: copies
with 13-15% of words reworded in short runs score 0.59 and up (0.4 if every edit were a lone
word); distinct stories written from one template (the demo site) reach 0.33. 0.5 leaves room
for the estimate's noise (about 0.06 with 64 permutations) on both sides."""
DEFAULT_CLOSE_FLOOR = 0.3
"""Below the threshold, a candidate this similar is still a near copy when its words are known
and kept in order (:data:`DEFAULT_CLOSE_SIMILARITY`): a copy with 15% of its words changed one
at a time keeps 85% of its words in order but scores only about 0.44, as each lone edit breaks
three shingles."""
DEFAULT_CLOSE_SIMILARITY = 0.8
DEFAULT_MIN_WORDS = 20
DEFAULT_VERIFY_SIMILARITY = 0.7
"""Share of words two bodies keep in the same order (LCS) for a MinHash candidate to be a near
copy: edited copies keep 0.85 and more, template siblings on the demo site reach 0.6."""


@dataclass(frozen=True)
class Story:
    """The parts of an article the dedupe decision reads."""

    url: str
    canonical_url: str
    title: str | None = None
    body: str | None = None
    modified_at: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What became of a story: ``kind`` is new, update, unchanged, or a duplicate kind."""

    kind: str
    original: str
    """Canonical URL of the stored story this one is, updates or duplicates."""
    similarity: float | None = None
    """Estimated Jaccard similarity to ``original`` for near-duplicates."""
    content_checked: bool = True
    """False when the body was too short to fingerprint (only URLs were compared)."""

    @property
    def emit(self) -> bool:
        return self.kind in (NEW, UPDATE)


def is_newer(modified_at: str | None, stored: str | None) -> bool:
    """True when ``modified_at`` is a later time than ``stored`` (ISO 8601 strings; a date
    alone compares as its midnight, and False when either cannot be read)."""
    if not modified_at or modified_at == stored:
        return False
    if not stored:
        return True
    try:
        new, old = datetime.fromisoformat(modified_at), datetime.fromisoformat(stored)
        if (new.tzinfo is None) != (old.tzinfo is None):
            new, old = new.replace(tzinfo=None), old.replace(tzinfo=None)
        return new > old
    except ValueError:
        return False  # cannot tell; a changed body still makes it an update


def _content_hash(title: str | None, words: np.ndarray) -> bytes:
    """Headline and body together: a change to either makes a re-crawled story an update."""
    return words_digest(np.frombuffer(" ".join((title or "").casefold().split()).encode(), dtype=np.uint8), words)


class StoryIndex:
    """Decides and records, against a :class:`DedupeBackend`; one instance per crawl run."""

    def __init__(
        self,
        store: DedupeBackend,
        signer: MinHashSigner | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        min_words: int = DEFAULT_MIN_WORDS,
        verify_similarity: float = DEFAULT_VERIFY_SIMILARITY,
        close_floor: float = DEFAULT_CLOSE_FLOOR,
        close_similarity: float = DEFAULT_CLOSE_SIMILARITY,
        sequence_budget: int = 64 * 1024 * 1024,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.store = store
        self.signer = signer or MinHashSigner()
        self.threshold = threshold
        self.min_words = min_words
        self.verify_similarity = verify_similarity
        self.close_floor = min(close_floor, threshold)
        self.close_similarity = close_similarity
        # Word sequences of this run's stories, for the word-order check of near-duplicate
        # candidates (bounded: past the budget the oldest go, and those candidates are judged
        # by MinHash alone, as stories from earlier runs are).
        self._sequences: OrderedDict[int, bytes] = OrderedDict()
        self._sequence_bytes = 0
        self.sequence_budget = sequence_budget
        self.run = store.start_run()
        """This run's number: stories and URLs marked with it were seen in this run."""

    def check(self, story: Story) -> Verdict:
        """Decide what ``story`` is and record it in the store (uncommitted)."""
        canonical = story.canonical_url or story.url
        known = self.store.lookup_urls((canonical, story.url))
        fetched = known.get(story.url)
        if fetched and fetched.fetched_run == self.run:
            return Verdict(URL, fetched.story.canonical_url)
        match = known.get(canonical) or fetched
        if match:
            if match.kind == "story" and match.story.run_id != self.run:
                return self._recrawled(story, match.story)
            # A known other address of a story, or its canonical URL seen in this run. Counted
            # by how this page was recognised: its own URL fetched before, else its canonical.
            refetched = match is fetched and fetched.fetched_run is not None
            return self._duplicate(story, URL if refetched else CANONICAL, match.story)

        words = word_hashes(story.body or "")
        content_hash = _content_hash(story.title, words)
        if words.size < self.min_words:
            self._add(story, None, content_hash, None, [])
            return Verdict(NEW, canonical, content_checked=False)
        body_hash = words_digest(words)
        signature = self.signer.signature(words)
        band_keys = self.signer.band_keys(signature)
        # A store shared by several workers holds these bands until this decision is committed,
        # so a near copy checked by another worker at the same moment waits and then sees it.
        self.store.lock_bands(band_keys)
        exact = self.store.story_by_body_hash(body_hash)
        if exact:
            return self._duplicate(story, EXACT, exact)
        scored = []
        for candidate in self.store.candidates(band_keys):
            if candidate.signature is None:
                continue
            score = similarity(signature, self.signer.from_bytes(candidate.signature))
            if score >= self.close_floor:
                scored.append((score, candidate))
        packed = pack_words(words)
        for score, candidate in sorted(scored, key=lambda pair: -pair[0]):
            if self._same_words_in_order(packed, candidate.id, strict=score < self.threshold):
                return self._duplicate(story, NEAR, candidate, score)
        story_id = self._add(story, body_hash, content_hash, signature.tobytes(), band_keys)
        self._remember_sequence(story_id, packed)
        return Verdict(NEW, canonical)

    def forget(self, canonical_url: str) -> bool:
        """A store refused this story: drop its fingerprints, so copies of it are no longer its
        duplicates and the story itself is new again when next seen. False when unknown."""
        match = self.store.lookup_urls([canonical_url]).get(canonical_url)
        if match is None or match.kind != "story":
            return False
        stored = match.story
        band_keys = self.signer.band_keys(self.signer.from_bytes(stored.signature)) if stored.signature else []
        self.store.forget_story(stored, band_keys, content_hash=NOT_STORED, run_id=self.run)
        old = self._sequences.pop(stored.id, None)
        self._sequence_bytes -= len(old) if old else 0
        return True

    def _same_words_in_order(self, packed: bytes, story_id: int, strict: bool = False) -> bool:
        """Word-order check of a MinHash candidate: an edited copy keeps most words in order, a
        story written on the same template does not. Unknown sequences pass (MinHash decides),
        except for a ``strict`` check of a candidate scored below the threshold: that one
        needs its words known and ``close_similarity`` of them in order."""
        other = self._sequences.get(story_id)
        if other is None:
            return not strict
        needed = self.close_similarity if strict else self.verify_similarity
        return sequence_similarity(unpack_words(packed), unpack_words(other)) >= needed

    def _remember_sequence(self, story_id: int | None, packed: bytes) -> None:
        if story_id is None:
            return
        old = self._sequences.pop(story_id, None)
        self._sequence_bytes += len(packed) - (len(old) if old else 0)
        self._sequences[story_id] = packed
        while self._sequence_bytes > self.sequence_budget and self._sequences:
            _, dropped = self._sequences.popitem(last=False)
            self._sequence_bytes -= len(dropped)

    def _recrawled(self, story: Story, stored: StoredStory) -> Verdict:
        """The story's own URL from an earlier run: unchanged, or an update to store."""
        self._mark_fetched(story, stored)
        words = word_hashes(story.body or "")
        content_hash = _content_hash(story.title, words)
        never_stored = stored.content_hash == NOT_STORED
        if content_hash == stored.content_hash and not is_newer(story.modified_at, stored.modified_at):
            self.store.touch(stored, self.run)
            return Verdict(UNCHANGED, stored.canonical_url)
        fingerprinted = words.size >= self.min_words
        signature = self.signer.signature(words) if fingerprinted else None
        old_keys = self.signer.band_keys(self.signer.from_bytes(stored.signature)) if stored.signature else []
        self.store.update_story(
            stored,
            body_hash=words_digest(words) if fingerprinted else None,
            content_hash=content_hash,
            modified_at=story.modified_at or stored.modified_at,
            signature=signature.tobytes() if signature is not None else None,
            old_band_keys=old_keys,
            band_keys=self.signer.band_keys(signature) if signature is not None else [],
            run_id=self.run,
        )
        if fingerprinted:
            self._remember_sequence(stored.id, pack_words(words))
        return Verdict(NEW if never_stored else UPDATE, stored.canonical_url, content_checked=fingerprinted)

    def _duplicate(self, story: Story, kind: str, original: StoredStory, score: float | None = None) -> Verdict:
        """Record the duplicate's URLs as aliases of the original."""
        canonical = story.canonical_url or story.url
        if canonical not in (story.url, original.canonical_url):
            self.store.add_alias(canonical, original.id, original.canonical_url, kind)
        self._mark_fetched(story, original, kind)
        return Verdict(kind, original.canonical_url, score)

    def _mark_fetched(self, story: Story, original: StoredStory, kind: str = CANONICAL) -> None:
        if story.url == original.canonical_url:
            self.store.mark_fetched(story.url, self.run)
        else:
            self.store.add_alias(story.url, original.id, original.canonical_url, kind, fetched_run=self.run)

    def _add(
        self, story: Story, body_hash: bytes | None, content_hash: bytes, signature: bytes | None, band_keys: list[int]
    ) -> int | None:
        return self.store.add_story(
            story.canonical_url or story.url,
            body_hash=body_hash,
            content_hash=content_hash,
            modified_at=story.modified_at,
            signature=signature,
            band_keys=band_keys,
            run_id=self.run,
            fetch_url=story.url,
        )
