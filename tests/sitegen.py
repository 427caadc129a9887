"""Test sites of other shapes than the demo, so generic mode is tested on what the demo is not.

The stories, the prose and the manifest come from ``newscrawler.demo``; only the themes
differ: a magazine with microdata and ``More stories`` pagination, and a bare site with
no metadata at all and undated, path-only URLs.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

from newscrawler.demo.generate import body_html, chunks
from newscrawler.demo.stories import (
    Section,
    SiteFolder,
    SiteManifest,
    Story,
    StoryWriter,
    cut_words,
    long_date,
    png_bytes,
    slugify,
)

EASTERN = timezone(timedelta(hours=-5))
UTC = timezone.utc


def articles_per_section(stories: list[Story], sections: list[Section]) -> dict[Section, list[Story]]:
    return {section: [s for s in stories if s.section == section] for section in sections}


# --- The magazine: microdata, two URL schemes, "More stories" pagination -------------------

MAGAZINE_NAME = "Harbour Times"
MAGAZINE_SECTIONS = [
    Section("World", "world"),
    Section("Business", "business"),
    Section("Technology", "technology"),
    Section("Health", "health"),
    Section("Sport", "sports"),
]


def magazine_url(story: Story) -> str:
    """Half the stories live under dated ``/news/...html`` paths, half under ``/story/ID/slug/``."""
    if story.number % 2:
        return f"/story/{story.number}/{story.slug}/"
    return f"/news/{story.section.slug}/{story.published:%Y/%m/%d}/{story.slug}-{story.number}.html"


def magazine_listing_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}index-{number}.html"


def author_bio(name: str, stories: list[Story]) -> str:
    """An author page's biography: prose enough to look like a story to a word counter."""
    beats = sorted({s.section.name.lower() for s in stories})
    return (
        f'<div class="author-bio"><p>{escape(name)} joined the {MAGAZINE_NAME} in 2016 and writes about '
        f"{', '.join(beats)}. Before that, {escape(name.split()[0])} spent six years as a local reporter, covering "
        "council meetings, court cases and the occasional flood, and later worked on the foreign desk of a wire "
        "agency. Readers can send tips and corrections through the newsletter page; every message is read, and "
        "sources who ask for confidentiality are protected.</p>"
        f"<p>Recent work includes {len(stories)} stories for this site, some of them listed below.</p></div>"
    )


def build_magazine_site(dest: Path) -> SiteManifest:
    """A non-WordPress magazine: microdata, no JSON-LD, "Most read", newsletter box, share bars."""
    writer = StoryWriter(random.Random(5301))
    stories = writer.newsroom(MAGAZINE_SECTIONS, 36, datetime(2024, 3, 5, 18, 45, tzinfo=EASTERN), brief_every=12)
    folder = SiteFolder(Path(dest))
    manifest = SiteManifest(MAGAZINE_NAME)
    most_read = stories[3:8]

    def chrome(title: str, main: str, head: str = "") -> str:
        nav = "".join(f'<a class="nav__link" href="/{s.slug}/">{escape(s.name)}</a>' for s in MAGAZINE_SECTIONS)
        popular = "".join(f'<li><a href="{magazine_url(s)}">{escape(s.title)}</a></li>' for s in most_read)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {MAGAZINE_NAME}</title>
<meta property="og:site_name" content="{MAGAZINE_NAME}">{head}
<link rel="stylesheet" href="/static/site.css"></head>
<body><div class="masthead"><a class="brand" href="/">{MAGAZINE_NAME}</a><nav class="nav">{nav}<a class="nav__link" href="/about/">About</a></nav></div>
<div class="layout"><div class="layout__main">{main}</div>
<div class="layout__rail"><section class="most-read"><h2>Most read</h2><ol>{popular}</ol></section>
<section class="newsletter"><h2>The Morning Brief</h2><p>Get the day's most important stories from our correspondents around the world, with analysis you will not find elsewhere, delivered to your inbox every weekday before breakfast. Free for readers; unsubscribe any time.</p>
<form action="/newsletter/" method="get"><input type="email" name="email" placeholder="Your email address"><button type="submit">Sign up</button></form><a href="/newsletter/">More about our newsletters</a></section></div></div>
<footer class="footer"><a href="/about/">About us</a> <a href="/newsletter/">Newsletters</a> © 2024 {MAGAZINE_NAME}</footer></body></html>
"""

    def card(story: Story) -> str:
        return (
            f'<div class="card"><a class="card__image" href="{magazine_url(story)}"><img src="/media/{story.number}-thumb.png" alt=""></a>'
            f'<h3 class="card__title"><a href="{magazine_url(story)}">{escape(story.title)}</a></h3>'
            f'<p class="card__standfirst">{escape(cut_words(story.description, 25))}</p>'
            f'<span class="card__meta">{escape(story.section.name)} · {long_date(story.published)}</span></div>'
        )

    def listing(base: str, heading: str, members: list[Story], more_text: str, per_page: int, intro: str = "") -> None:
        pages = chunks(members, per_page)
        for number, page in enumerate(pages, start=1):
            url = magazine_listing_url(base, number)
            more = (
                f'<a class="load-more" rel="next" href="{magazine_listing_url(base, number + 1)}">{more_text}</a>'
                if number < len(pages)
                else ""
            )
            main = f'<h1 class="listing__title">{escape(heading)}</h1>{intro}<div class="cards">{"".join(card(s) for s in page)}</div>{more}'
            folder.write(url, chrome(heading, main, '<meta property="og:type" content="website">'))
            manifest.non_articles.append(url)

    folder.write("/static/site.css", ".layout{display:grid}\n")
    for index, story in enumerate(stories):
        url = magazine_url(story)
        rgb = (40 + index * 5, 90, 140)
        folder.write(f"/media/{story.number}.png", png_bytes(160, 90, rgb))
        folder.write(f"/media/{story.number}-thumb.png", png_bytes(60, 40, rgb))
        for n in range(1, len(story.figures()) + 1):
            folder.write(f"/media/{story.number}-{n}.png", png_bytes(120, 80, rgb))
        iso = story.published.isoformat()
        # Two of three stories show a <time datetime>; the rest give the date as microdata only.
        date = (
            f'<time itemprop="datePublished" datetime="{iso}">{long_date(story.published)}</time>'
            if index % 3
            else f'<meta itemprop="datePublished" content="{iso}"><span class="article__date">{long_date(story.published)}</span>'
        )
        authors = ", ".join(
            f'<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
            f'<a itemprop="url" href="/authors/{slugify(a)}/"><span itemprop="name">{escape(a)}</span></a></span>'
            for a in story.authors
        )
        topics = "".join(f'<li><a href="/topics/{slugify(t)}/">{escape(t)}</a></li>' for t in story.tags)
        share = (
            '<div class="share-bar"><span>Share this story</span>'
            f'<a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a>'
            f'<a href="https://twitter.com/intent/tweet?url={url}">X</a><a href="mailto:?subject={escape(story.title)}">Email</a></div>'
        )
        main = f"""<article class="article" itemscope itemtype="https://schema.org/NewsArticle">
<meta itemprop="mainEntityOfPage" content="{url}">
<a class="article__section" href="/{story.section.slug}/" itemprop="articleSection">{escape(story.section.name)}</a>
<h1 class="article__headline" itemprop="headline">{escape(story.title)}</h1>
<p class="article__byline">By {authors} · {date}</p>
{share}
<figure class="article__lead" itemprop="image" itemscope itemtype="https://schema.org/ImageObject"><img itemprop="url" src="/media/{story.number}.png" alt="{escape(story.photo.alt)}"><figcaption itemprop="caption">{escape(story.photo.shown)}</figcaption></figure>
<div class="article__body" itemprop="articleBody">
{body_html(story, lambda n, number=story.number: f"/media/{number}-{n}.png")}
</div>
<ul class="article__topics">{topics}</ul>
{share}
</article>"""
        path = folder.write(url, chrome(story.title, main))
        images = [f"/media/{story.number}.png"] + [f"/media/{story.number}-{n}.png" for n in range(1, len(story.figures()) + 1)]
        manifest.articles.append(story.expected(path, url, "microdata", images, cut_words(story.description, 25)))

    listing("/", "Latest", stories, "Load more", 8)
    for section, members in articles_per_section(stories, MAGAZINE_SECTIONS).items():
        listing(f"/{section.slug}/", section.name, members, "More stories", 4)
    for topic in sorted({t for s in stories for t in s.tags}):
        listing(f"/topics/{slugify(topic)}/", topic, [s for s in stories if topic in s.tags], "More stories", 6)
    for author in sorted({a for s in stories for a in s.authors}):
        members = [s for s in stories if author in s.authors]
        listing(f"/authors/{slugify(author)}/", author, members, "Load more", 6, author_bio(author, members))
    about = ("<h1>About the Harbour Times</h1><p>The Harbour Times is an independent magazine covering world affairs, "
             "business, technology, health and sport. It is owned by a trust and answers to no shareholder.</p>")
    newsletter = ("<h1>Newsletters</h1><p>The Morning Brief arrives every weekday. The Weekend Long Read arrives on "
                  "Saturdays with the week's best analysis.</p>")
    for url, title, main in (("/about/", "About", about), ("/newsletter/", "Newsletters", newsletter)):
        folder.write(url, chrome(title, main))
        manifest.non_articles.append(url)
    manifest.non_articles.sort()
    return manifest


# --- The bare site: no metadata, no <time>, undated path-only URLs -------------------------

BARE_NAME = "Riverside Bulletin"
BARE_SECTIONS = [Section("Local", "india"), Section("Money", "business"), Section("Sport", "sports"), Section("Health", "health")]


def bare_url(story: Story) -> str:
    return f"/p/{story.number}.html"


def bare_listing_url(section_number: int, page: int) -> str:
    return f"/sections/{section_number}/page-{page}.html"


def build_bare_site(dest: Path) -> SiteManifest:
    """Pages with no structured data at all; listings whose long teasers outweigh short stories."""
    writer = StoryWriter(random.Random(7702), brief_words=(95, 125))
    stories = writer.newsroom(BARE_SECTIONS, 32, datetime(2023, 11, 14, 16, 0, tzinfo=UTC), brief_every=5)
    folder = SiteFolder(Path(dest))
    manifest = SiteManifest(BARE_NAME)

    def chrome(title: str, main: str) -> str:
        nav = " | ".join(
            f'<a href="{bare_listing_url(n, 1)}">{escape(s.name)}</a>' for n, s in enumerate(BARE_SECTIONS, start=1)
        )
        return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{escape(title)} - {BARE_NAME}</title></head>
<body><table width="100%"><tr><td><a href="/"><b>{BARE_NAME}</b></a></td><td>{nav} | <a href="/contact.html">Contact</a></td></tr></table>
<hr>{main}<hr><p><small>{BARE_NAME}, printed weekly since 1974. <a href="/contact.html">Write to us</a>.</small></p></body></html>
"""

    def teaser(story: Story) -> str:
        # Long excerpts: a listing page carries more prose than a short story does.
        text = " ".join(story.text_blocks()[:3])
        return f'<div class="item"><h3><a href="{bare_url(story)}">{escape(story.title)}</a></h3><p>{escape(cut_words(text, 70))}</p></div>'

    def listing(url_for, heading: str, members: list[Story]) -> None:
        pages = chunks(members, 6)
        for number, page in enumerate(pages, start=1):
            url = url_for(number)
            links = []
            if number > 1:
                links.append(f'<a href="{url_for(number - 1)}">Previous page</a>')
            if number < len(pages):
                links.append(f'<a href="{url_for(number + 1)}">Next page</a>')
            main = f"<h2>{escape(heading)}</h2>{''.join(teaser(s) for s in page)}<p>{' '.join(links)}</p>"
            folder.write(url, chrome(heading, main))
            manifest.non_articles.append(url)

    for story in stories:
        paragraphs = body_html(story, lambda n, number=story.number: f"/img/{number}-{n}.png")
        byline = " and ".join(story.authors)
        main = f"""<h1>{escape(story.title)}</h1>
<p><i>By {escape(byline)}. Filed {long_date(story.published)}.</i></p>
<p><img src="/img/{story.number}.png" alt="{escape(story.photo.alt)}"><br><small>{escape(story.photo.shown)}</small></p>
{paragraphs}
<p><a href="{bare_listing_url(BARE_SECTIONS.index(story.section) + 1, 1)}">More from {escape(story.section.name)}</a></p>"""
        figures = range(1, len(story.figures()) + 1)
        for n in [0, *figures]:
            folder.write(f"/img/{story.number}-{n}.png" if n else f"/img/{story.number}.png", png_bytes(80, 45, (120, 110, 100)))
        path = folder.write(bare_url(story), chrome(story.title, main))
        images = [f"/img/{story.number}.png"] + [f"/img/{story.number}-{n}.png" for n in figures]
        manifest.articles.append(story.expected(path, bare_url(story), "none", images, cut_words(" ".join(story.text_blocks()[:3]), 70)))

    def home_url(number: int) -> str:
        return "/" if number == 1 else f"/front/page-{number}.html"

    listing(home_url, "Front page", stories)
    for number, (section, members) in enumerate(articles_per_section(stories, BARE_SECTIONS).items(), start=1):
        listing(lambda page, n=number: bare_listing_url(n, page), section.name, members)
    folder.write("/contact.html", chrome("Contact", "<h2>Contact</h2><p>Riverside Bulletin, 12 Mill Lane. Letters to the editor are welcome.</p>"))
    manifest.non_articles.append("/contact.html")
    manifest.non_articles.sort()
    return manifest
