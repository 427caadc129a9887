"""A small news site whose every story carries the same furniture inside its body.

Each article's body opens with a desk note ("Desk note 4: checked by the Lakeside night desk",
the number varying; the body extractor's own rules do not know it, as they know "4 minute read")
and ends with a newsletter box, both as ordinary paragraphs, where no markup tells them from
the story. Around them, the story text that must survive: every story's own paragraphs; a
background paragraph three stories share; a story quoting the newsletter line inside its own
sentence; and one story published again verbatim under a dozen wire URLs (copies are one
story, their lines must not be counted a dozen times).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from tests.prose import distinct_paragraphs

SITE_NAME = "Lakeside Ledger"
NEWSLETTER = "Subscribe to our newsletter for 3 dollars a month and get every story before anyone else."
BACKGROUND = ("The lakeside promenade was rebuilt in 2021 after the spring floods washed away its old "
              "wooden boardwalk and two of the piers that held it.")
QUOTE = ("'Subscribe to our newsletter for 3 dollars a month' was the slogan the old printer painted on his "
         "van, the mayor recalled, and half the town still knows it by heart.")
COPIED_STORY = 3
COPIES = 12
BACKGROUND_STORIES = (5, 17, 29)
QUOTE_STORY = 11


def reading_time(number: int) -> str:
    return f"Desk note {3 + number % 7}: checked by the Lakeside night desk"


@dataclass
class TemplateSite:
    """What was written: each story's URL and its own paragraphs, in order."""

    stories: dict[str, list[str]] = field(default_factory=dict)
    copies: list[str] = field(default_factory=list)


def story_paragraphs(number: int) -> list[str]:
    paragraphs = distinct_paragraphs(f"lakeside-{number}", count=4, words=45)
    if number in BACKGROUND_STORIES:
        paragraphs.insert(2, BACKGROUND)
    if number == QUOTE_STORY:
        paragraphs.insert(1, QUOTE)
    return paragraphs


def article_page(number: int, headline: str, paragraphs: list[str]) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
            "datePublished": f"2024-05-{1 + number % 28:02d}T09:00:00+00:00",
            "author": {"@type": "Person", "name": "Mara Lindqvist"}}
    body = "".join(f"<p>{escape(p)}</p>" for p in [reading_time(number), *paragraphs, NEWSLETTER])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)} | {SITE_NAME}</title><meta property="og:type" content="article">
<script type="application/ld+json">{json.dumps(data)}</script></head>
<body><header><a href="/">{SITE_NAME}</a></header>
<article><h1>{escape(headline)}</h1><div class="article-body">{body}</div></article>
<footer>© 2024 {SITE_NAME}</footer></body></html>"""


def build_template_site(root: Path, stories: int = 36) -> TemplateSite:
    """``stories`` articles (numbered from 1) linked from the home page, plus the copies."""
    site = TemplateSite()
    links = []
    for number in range(1, stories + 1):
        url = f"/news/story-{number}.html"
        headline = f"Lakeside story number {number} makes the front page"
        paragraphs = story_paragraphs(number)
        _write(root, url, article_page(number, headline, paragraphs))
        site.stories[url] = paragraphs
        links.append(url)
    for copy in range(1, COPIES + 1):
        url = f"/wire/copy-{copy}.html"
        _write(root, url, article_page(COPIED_STORY, f"Wire edition {copy} of a lakeside story", story_paragraphs(COPIED_STORY)))
        site.copies.append(url)
        links.append(url)
    items = "".join(f'<li><a href="{url}">Story {n}</a></li>' for n, url in enumerate(links))
    _write(root, "/index.html", f"<!doctype html><html><head><title>{SITE_NAME}</title></head>"
                                f"<body><h1>{SITE_NAME}</h1><ul>{items}</ul></body></html>")
    return site


def _write(root: Path, url: str, html: str) -> None:
    target = root / url.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
