"""The site-template learner, pure: line keys, when a line becomes furniture, stripping, bounds."""

from __future__ import annotations

import random

import lxml.html
import pytest

from newscrawler.extract.template import (
    SiteTemplate,
    TemplatePolicy,
    body_lines,
    keyed_lines,
    line_key,
    literal_of,
    page_keys,
    strip_body,
    strip_html,
)

SUBSCRIBE = "Subscribe to our newsletter for 3 dollars a month."
WORDS = ("harbour council river budget school bridge water storm mayor court rail farm clinic port "
         "election library museum festival market tram ferry tunnel road police fire union strike").split()


def story(rng: random.Random, paragraphs: int = 4) -> list[str]:
    """Paragraphs of distinct made-up prose (no two stories share one)."""
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))).capitalize() + "." for _ in range(paragraphs)]


def learned(template: SiteTemplate) -> set[str]:
    return {line.sample for line in template.furniture.values()}


@pytest.mark.parametrize(("a", "b"), [
    ("4 minute read", "12 minute read"),
    ("4 minute read", "4 MINUTE READ."),
    ("Subscribe  to our newsletter!", "subscribe to our newsletter"),
    ("Ünïcode ﬁne", "ünïcode fine"),  # NFKC folds the ligature
])
def test_lines_differing_in_numbers_case_spacing_or_punctuation_share_a_key(a: str, b: str) -> None:
    assert line_key(a) == line_key(b) is not None


def test_different_words_give_different_keys_and_tiny_lines_none() -> None:
    assert line_key("4 minute read") != line_key("4 minute listen")
    assert line_key("—") is None and line_key("* *") is None and line_key("ab") is None
    assert -(2**63) <= line_key("x" * 500) < 2**63  # fits a signed 64-bit SQL integer


@pytest.mark.parametrize(("text", "literal"), [
    ("4 minute read", "minute read"),
    ("Subscribe for 3 dollars a month and get 2 free issues", "dollars a month and get"),
    ("12:30", None),
    ("Advertisement", "Advertisement"),
])
def test_literal_of_is_the_longest_run_without_digits(text: str, literal: str | None) -> None:
    assert literal_of(text) == literal


def test_body_lines_and_page_keys_count_a_repeated_line_once() -> None:
    body = "First para.\n\nSecond para.\n \nFirst para."
    assert body_lines(body) == ["First para.", "Second para.", "First para."]
    assert list(page_keys(body).values()) == ["First para.", "Second para."]


def test_a_line_on_every_page_is_learned_at_min_pages_and_not_before() -> None:
    rng = random.Random(1)
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=10, min_share=0.3))
    for page in range(1, 10):
        assert template.observe(page_keys("\n\n".join([f"{page + 2} minute read", *story(rng), SUBSCRIBE]))) == []
    assert not template.furniture
    newly = template.observe(page_keys("\n\n".join(["7 minute read", *story(rng), SUBSCRIBE])))
    assert len(newly) == 2
    assert learned(template) == {"3 minute read", SUBSCRIBE}


def test_a_line_below_the_share_is_not_learned_however_often_it_recurs() -> None:
    """Seen on 20 pages of 100: story text that recurs (a series' background paragraph) stays."""
    rng = random.Random(2)
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=10, min_share=0.3))
    background = "The bridge was closed in 2019 after inspectors found cracks in two of its piers."
    for page in range(100):
        lines = story(rng) + ([background] if page % 5 == 0 else [])
        template.observe(page_keys("\n\n".join(lines)))
    assert template.lines[line_key(background)].pages == 20
    assert not template.furniture


def test_a_sentence_writers_reuse_in_a_quarter_of_stories_is_not_learned_by_default() -> None:
    """Like the demo's closing lines: one of a handful of stock sentences ends each story."""
    rng = random.Random(6)
    closers = ["A final decision is expected before the end of the month.",
               "Officials said more details would be shared once the review is complete.",
               "Opposition parties have called for a debate on the issue.",
               "The matter will be taken up again at the next meeting."]
    template = SiteTemplate("example.com", TemplatePolicy())
    for _ in range(400):
        template.observe(page_keys("\n\n".join([*story(rng), rng.choice(closers)])))
    assert all(template.lines[line_key(c)].pages > 60 for c in closers)
    assert not template.furniture


def test_the_share_counts_from_when_a_line_first_appeared() -> None:
    """A line the site added after 500 pages (a redesign) is learned from its own pages."""
    rng = random.Random(3)
    template = SiteTemplate("example.com", TemplatePolicy())
    for _ in range(500):
        template.observe(page_keys("\n\n".join(story(rng, 2))))
    for _ in range(20):
        template.observe(page_keys("\n\n".join([*story(rng, 2), "Listen to this article"])))
    assert learned(template) == {"Listen to this article"}


def test_learning_is_sticky_and_split_drops_only_furniture() -> None:
    rng = random.Random(4)
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=3, min_share=0.5))
    for _ in range(3):
        template.observe(page_keys("\n\n".join([*story(rng), SUBSCRIBE])))
    for _ in range(50):  # the line disappears from the site: it stays known
        template.observe(page_keys("\n\n".join(story(rng))))
    lines = [*story(rng), SUBSCRIBE.replace("3", "5"), "Another line"]
    kept, dropped = template.split(keyed_lines("\n\n".join(lines)))
    assert [line for line, _ in dropped] == ["Subscribe to our newsletter for 5 dollars a month."]
    assert [line for line, _ in kept] == [line for line in lines if "newsletter" not in line]


def test_strip_body_rewrites_text_html_and_lede_and_counts_drops() -> None:
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=2, min_share=0.5))
    for _ in range(2):
        template.observe(page_keys("5 minute read\n\n" + SUBSCRIBE))
    paragraphs = ["The council met on Monday to vote on the budget for the new year.", "It passed by nine votes."]
    body = "\n\n".join(["8 minute read", *paragraphs, SUBSCRIBE])
    html = ("<article><p>8 minute read</p><p>The council met on Monday to vote on the budget for the new year.</p>"
            "<ul><li>Subscribe to our newsletter for 3 dollars a month.</li></ul><p>It passed by nine votes.</p>"
            "<p>Subscribe to our <b>newsletter</b> for 3 dollars a month.</p></article>")
    result = strip_body(body, html, "8 minute read", template)
    assert result is not None
    assert result.body == "\n\n".join(paragraphs)
    assert result.lede == paragraphs[0]
    assert result.word_count == len(" ".join(paragraphs).replace(".", "").split())
    assert [line for line, _ in result.dropped] == ["8 minute read", SUBSCRIBE]
    doc = lxml.html.fromstring(result.body_html)
    assert [p.text_content() for p in doc.iter("p")] == paragraphs
    assert not doc.findall(".//ul") and doc.tag == "article"
    template.record_drops(key for _, key in result.dropped)
    assert sorted(line.dropped for line in template.furniture.values()) == [1, 1]


def test_strip_body_leaves_a_body_that_would_be_too_short_and_one_without_furniture() -> None:
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=2, min_share=0.5))
    for _ in range(2):
        template.observe(page_keys(SUBSCRIBE))
    assert strip_body("A short story of six words.\n\n" + SUBSCRIBE, None, None, template, min_words=20) is None
    assert strip_body("Nothing here is furniture.", "<p>Nothing here is furniture.</p>", None, template) is None


def test_strip_html_keeps_containers_tails_and_unrelated_markup() -> None:
    furniture = {line_key("Advertisement")}
    markup = '<div class="body"><p>Advertisement</p>tail text<h2>Sub</h2><blockquote><p>Advertisement</p></blockquote></div>'
    out = strip_html(markup, lambda key: key in furniture)
    assert out.count("Advertisement") == 0 and "tail text" in out and "<h2>Sub</h2>" in out
    assert out.startswith('<div class="body">') and "<blockquote>" in out
    assert strip_html("<p>Story</p>", lambda key: key in furniture) == "<p>Story</p>"


def test_the_table_stays_bounded_and_keeps_what_recurs() -> None:
    rng = random.Random(5)
    policy = TemplatePolicy(min_pages=10, min_share=0.3, max_lines=200)
    template = SiteTemplate("example.com", policy)
    for page in range(300):
        template.observe(page_keys("\n\n".join([*story(rng, 6), "Share this story", f"{page % 9} minute read"])))
        assert len(template.lines) <= policy.max_lines
    assert learned(template) == {"Share this story", "0 minute read"}
    changes = template.take_changes()
    assert changes.forgotten and all(pages == 1 for _, pages in changes.forgotten)


def test_take_changes_hands_over_increments_once() -> None:
    template = SiteTemplate("example.com", TemplatePolicy(min_pages=2, min_share=0.5))
    template.observe(page_keys("One line here\n\nTwo line here"))
    template.observe(page_keys("One line here"))
    changes = template.take_changes()
    assert changes.pages == 2
    assert changes.lines[line_key("One line here")].pages == 2
    assert changes.lines[line_key("One line here")].learned
    assert changes.lines[line_key("Two line here")].pages == 1
    template.observe(page_keys("Two line here"))
    again = template.take_changes()
    assert again.pages == 1 and again.lines[line_key("Two line here")].pages == 1
    assert again.lines[line_key("One line here")].pages == 0  # learned this run: resent, no new count
    assert not template.take_changes().pages


def test_a_template_loaded_from_earlier_runs_strips_from_the_first_page() -> None:
    first = SiteTemplate("example.com", TemplatePolicy(min_pages=2, min_share=0.5))
    for _ in range(2):
        first.observe(page_keys(SUBSCRIBE + "\n\nsome story text"))
    second = SiteTemplate("example.com", first.policy, first.pages, first.lines.items())
    kept, dropped = second.split(keyed_lines(SUBSCRIBE + "\n\nNew story"))
    assert ([line for line, _ in kept], [line for line, _ in dropped]) == (["New story"], [SUBSCRIBE])
    assert not second.learned_now


@pytest.mark.parametrize("kwargs", [{"min_pages": 1}, {"min_share": 0}, {"min_share": 1.5}, {"max_lines": 5}])
def test_bad_policies_are_refused_with_the_reason(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        TemplatePolicy(**kwargs)
