"""The dedupe decision against a real SQLite file: duplicates, updates, state between runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from newscrawler.dedupe.fingerprints import MinHashSigner
from newscrawler.dedupe.index import Story, StoryIndex, is_newer
from newscrawler.dedupe.sqlite import SQLiteDedupeStore
from tests.test_dedupe_fingerprints import edit, prose

SITE = "https://news.example"


def open_index(path: Path, **kwargs: object) -> StoryIndex:
    return StoryIndex(SQLiteDedupeStore(path, params={"num_perm": "64"}), MinHashSigner(), **kwargs)


def story(slug: str, body: str, *, canonical: str | None = None, title: str = "Headline", **kw: str) -> Story:
    url = f"{SITE}/{slug}"
    return Story(url=url, canonical_url=canonical or url, title=title, body=body, **kw)


def aliases(path: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return {url: (canonical, kind) for url, canonical, kind in conn.execute("SELECT url, canonical_url, kind FROM aliases")}


def test_each_kind_of_duplicate_in_one_run(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    index = open_index(db)
    body = prose(10)
    assert index.check(story("world/flood", body)).kind == "new"
    assert index.check(story("world/flood", body)).kind == "url"
    moved = index.check(story("politics/flood", body, canonical=f"{SITE}/world/flood"))
    assert (moved.kind, moved.original) == ("canonical", f"{SITE}/world/flood")
    copy = index.check(story("wire/flood-copy", body, title="A different headline"))
    assert (copy.kind, copy.original) == ("exact", f"{SITE}/world/flood")
    near = index.check(story("partner/flood", edit(body, 0.05, seed=3), title="Syndicated: flood"))
    assert (near.kind, near.original) == ("near", f"{SITE}/world/flood")
    assert near.similarity is not None and near.similarity >= 0.5
    assert index.check(story("world/fire", prose(11))).kind == "new"
    index.store.commit()

    assert aliases(db) == {
        f"{SITE}/politics/flood": (f"{SITE}/world/flood", "canonical"),
        f"{SITE}/wire/flood-copy": (f"{SITE}/world/flood", "exact"),
        f"{SITE}/partner/flood": (f"{SITE}/world/flood", "near"),
    }


def test_same_topic_stories_sharing_a_quote_are_distinct(tmp_path: Path) -> None:
    index = open_index(tmp_path / "news.db")
    quote = "We will rebuild every house the river took, the mayor told reporters on Tuesday."
    assert index.check(story("a", prose(20) + " " + quote)).kind == "new"
    assert index.check(story("b", quote + " " + prose(21))).kind == "new"


def test_copies_edited_one_word_at_a_time_are_near_copies(tmp_path: Path) -> None:
    """14% lone-word edits break ~40% of the shingles: scores fall under the threshold, but
    the words stay in order, which a story of the same run is checked for."""
    index = open_index(tmp_path / "news.db")
    verdicts = []
    for seed in range(12):
        body = prose(100 + seed, words=400)
        assert index.check(story(f"world/{seed}", body)).kind == "new"
        copy = index.check(story(f"wire/{seed}", edit(body, 0.14, seed=seed), title="Syndicated"))
        verdicts.append((copy.kind, copy.similarity))
    found = [score for kind, score in verdicts if kind == "near"]
    assert len(found) >= 10, verdicts  # the rest are LSH misses: no band in common
    assert min(found) < index.threshold  # found below the threshold, by word order


def test_stories_sharing_shuffled_sentences_are_not_near_copies(tmp_path: Path) -> None:
    """Half the sentences of another story, reordered, plus new ones: shingles overlap, the
    order does not."""
    index = open_index(tmp_path / "news.db")
    sentences = [s.strip() + "." for s in prose(40, words=500).split(".") if s.strip()]
    assert index.check(story("a", " ".join(sentences))).kind == "new"
    shared = sentences[::2]
    shared.reverse()
    other = " ".join(shared) + " " + prose(41, words=250)
    verdict = index.check(story("b", other))
    assert verdict.kind == "new", verdict


def test_state_survives_reopening_and_tells_updates_from_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = open_index(db)
    for n in range(5):
        assert first.check(story(f"s{n}", prose(30 + n), modified_at="2024-05-01T10:00:00+00:00")).kind == "new"
    first.check(story("copy-of-s0", prose(30), title="Other"))
    first.store.close()

    second = open_index(db)
    assert second.check(story("s0", prose(30), modified_at="2024-05-01T10:00:00+00:00")).kind == "unchanged"
    changed = second.check(story("s1", prose(31) + " A late paragraph was added.", modified_at="2024-05-01T10:00:00+00:00"))
    assert (changed.kind, changed.original) == ("update", f"{SITE}/s1")
    assert second.check(story("s2", prose(32), modified_at="2024-05-02T08:00:00+00:00")).kind == "update"
    assert second.check(story("s3", prose(33), title="Headline, corrected")).kind == "update"
    # the copy's URL is known from the first run
    assert second.check(story("copy-of-s0", prose(30), title="Other")).kind == "url"
    assert second.check(story("s5", prose(35))).kind == "new"
    # the same story again in this run is a duplicate, not another update
    assert second.check(story("s1", prose(31) + " Yet another paragraph.")).kind == "url"
    second.store.close()

    third = open_index(db)
    # the update replaced the stored fingerprints: the new text is now unchanged
    assert third.check(story("s1", prose(31) + " A late paragraph was added.")).kind == "unchanged"
    # and a copy of the updated text is an exact duplicate of it
    assert third.check(story("mirror/s1", prose(31) + " A late paragraph was added.")).original == f"{SITE}/s1"
    third.store.close()


def test_short_bodies_are_compared_by_url_only(tmp_path: Path) -> None:
    index = open_index(tmp_path / "news.db", min_words=20)
    first = index.check(story("brief-1", "Markets closed higher."))
    assert (first.kind, first.content_checked) == ("new", False)
    assert index.check(story("brief-2", "Markets closed higher.")).kind == "new"
    assert index.check(story("brief-1", "Markets closed higher.")).kind == "url"


def test_a_store_built_with_other_minhash_parameters_is_refused(tmp_path: Path) -> None:
    SQLiteDedupeStore(tmp_path / "news.db", params={"num_perm": "64"}).close()
    with pytest.raises(ValueError, match="was built with"):
        SQLiteDedupeStore(tmp_path / "news.db", params={"num_perm": "128"})


def test_aliases_table_is_the_shared_one(tmp_path: Path) -> None:
    """The storage component creates the same table; whichever comes first, both work."""
    db = tmp_path / "news.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE aliases (url TEXT PRIMARY KEY, canonical_url TEXT NOT NULL, "
            "kind TEXT NOT NULL, seen_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO aliases VALUES ('https://x/amp', 'https://x/', 'canonical', '2024')")
    index = open_index(db)
    index.check(story("a", prose(40)))
    index.check(story("b", prose(40)))
    index.store.close()
    assert aliases(db)["https://x/amp"] == ("https://x/", "canonical")
    assert aliases(db)[f"{SITE}/b"] == (f"{SITE}/a", "exact")


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        ("2024-05-02T00:00:00+00:00", "2024-05-01T23:00:00+00:00", True),
        ("2024-05-01T23:00:00+00:00", "2024-05-02T00:00:00+00:00", False),
        ("2024-05-02T01:00:00+02:00", "2024-05-01T23:30:00+00:00", False),
        ("2024-05-02", "2024-05-01T10:00:00+00:00", True),
        ("2024-05-01T10:00:00+00:00", None, True),
        (None, "2024-05-01", False),
        ("2024-05-01", "2024-05-01", False),
        ("yesterday", "2024-05-01", False),
    ],
)
def test_is_newer(new: str | None, old: str | None, expected: bool) -> None:
    assert is_newer(new, old) is expected


def test_threshold_must_be_a_fraction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="threshold"):
        StoryIndex(SQLiteDedupeStore(tmp_path / "x.db"), threshold=1.5)


def check_forgetting(open_new_index: Callable[[], StoryIndex]) -> None:
    """A story a store refused is forgotten: a copy met later is new, and the next run takes the
    story itself for new (not unchanged, not an update). Shared by every backend's tests."""
    def decide(index: StoryIndex, *args: str, **kwargs: str) -> str:
        kind = index.check(story(*args, **kwargs)).kind
        index.store.commit()
        return kind

    first = open_new_index()
    body = prose(90)
    assert decide(first, "world/refused", body) == "new"
    assert decide(first, "wire/kept", body, title="Wire") == "exact"  # before the store refused it
    assert first.forget(f"{SITE}/world/refused") is True
    first.store.commit()
    assert first.forget(f"{SITE}/never/seen") is False
    assert decide(first, "agency/copy", body, title="Agency") == "new"  # no longer a copy of anything stored
    first.store.close()

    second = open_new_index()
    assert decide(second, "world/refused", body) == "new"
    second.store.close()


def test_a_story_a_store_refused_is_forgotten(tmp_path: Path) -> None:
    check_forgetting(lambda: open_index(tmp_path / "news.db"))
