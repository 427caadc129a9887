"""The bundled demo: a WordPress-style news site written as static files.

Modelled on the seed page in ``shared/seed/``: "Connect with us", a search prompt, a
featured photo whose caption carries an older date, "Click to comment", a comment form,
"You May Also Like", and a sidebar of other stories whose excerpts open with datelines.
The site is deterministic (fixed seed, fixed dates) and meant to be served from its root
by a plain static server, so every link is root-relative. ``build_demo_site`` returns
the manifest of what a correct crawl must find there.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from newscrawler.demo.stories import (
    IST,
    MONTHS,
    SiteFolder,
    SiteManifest,
    Section,
    Story,
    StoryWriter,
    long_date,
    png_bytes,
    slugify,
)

SITE_NAME = "The Meridian Ledger"
SEED = 20220929
LATEST = datetime(2022, 9, 29, 21, 40, tzinfo=IST)
ARTICLE_COUNT = 66
PER_PAGE = 10
SECTIONS = [
    Section("India", "india"),
    Section("World", "world"),
    Section("Business", "business"),
    Section("Health", "health"),
    Section("Technology", "technology"),
    Section("Sports", "sports"),
]
# The newest stories open with the datelines of the seed page's sidebar: year missing, dash varying.
SEED_DATELINES = ("New Delhi, {mon} {day}-", "J&K, {mon} {day} –", "Karnataka, {mon} {day} –", "New Delhi, {mon} {day}–")
SOCIAL = [
    ("Facebook", "https://www.facebook.com/meridianledger"),
    ("Twitter", "https://twitter.com/meridianledger"),
    ("Instagram", "https://www.instagram.com/meridianledger/"),
    ("YouTube", "https://www.youtube.com/@meridianledger"),
]
COMMENTERS = ["Ramesh K", "Anjali", "concerned citizen", "Mohan Das", "Sunita P", "J. Fernandes"]
COMMENTS = [
    "Finally some clarity on this. Hope they follow through.",
    "The numbers in the third paragraph do not add up, please check.",
    "Same story every year. Nothing will change on the ground.",
    "Good reporting. Would like a follow-up on what happens in the districts.",
    "Who is going to pay for all this?",
]
# Searches the header's "Trending" bar links to; their result pages are static files.
TRENDING = ("Covid-19", "Ukraine", "5G")
FEED = "/feed/index.xml"
COMMENTS_FEED = "/comments/feed/index.xml"
STYLESHEET = "/wp-content/themes/meridian/style.css"
THEME = "/wp-content/themes/meridian"
LOGO = "/wp-content/uploads/2022/01/meridian-logo.png"
FONT = Path(__file__).with_name("meridian-display.woff2")
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
# The theme: a stylesheet that @imports another and loads a web font and a background
# through url(), as WordPress themes do, and a lazy-loading script for data-src images.
THEME_CSS = """@import url("css/widgets.css");
@font-face{font-family:"Meridian Display";src:url("fonts/meridian-display.woff2") format("woff2");font-display:block}
*{box-sizing:border-box}
body{font-family:Georgia,"Times New Roman",serif;margin:0;color:#222;background:#f3f1ec;line-height:1.55}
a{color:#14365e}
.screen-reader-text{position:absolute;left:-9999px}
.site{max-width:1180px;margin:0 auto;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.12)}
.top-bar{display:flex;justify-content:space-between;background:#14365e;color:#fff;font:13px/2.4 Arial,sans-serif;padding:0 18px}
.top-bar a{color:#ffd27a}.social-links{display:inline;list-style:none;margin:0;padding:0}.social-links li{display:inline;margin-left:10px}
.site-header{background:#fff url("images/masthead.png") repeat-x left bottom;padding:22px 18px 0;border-bottom:4px solid #c0392b}
.site-branding{display:flex;align-items:center;gap:18px}
.custom-logo{width:240px;height:60px;display:block}
.site-title{font-family:"Meridian Display",Impact,sans-serif;font-size:40px;letter-spacing:4px;margin:0;text-transform:uppercase}
.site-title a{color:#c0392b;text-decoration:none}
.site-description{font-style:italic;color:#666;margin:0 0 0 auto}
.header-search{display:flex;gap:14px;align-items:center;font:14px Arial,sans-serif;margin:12px 0}
.search-field{border:1px solid #bbb;padding:6px 10px;width:240px}.search-submit{background:#c0392b;color:#fff;border:0;padding:7px 14px}
.main-navigation{background:#1d1d1d;margin:0 -18px}
.main-navigation ul{list-style:none;margin:0;padding:0 10px;display:flex;flex-wrap:wrap}
.main-navigation a{display:block;color:#fff;text-decoration:none;padding:11px 14px;font:bold 13px Arial,sans-serif;text-transform:uppercase}
.site-content{display:flex;gap:28px;padding:24px 18px}
.content-area{flex:1 1 auto;min-width:0}
.entry-title{font-size:34px;line-height:1.2;margin:.3em 0}
.entry-categories a{background:#c0392b;color:#fff;font:bold 11px Arial,sans-serif;padding:3px 8px;text-transform:uppercase;text-decoration:none}
.entry-meta{font:13px Arial,sans-serif;color:#777;margin-bottom:14px}
figure{margin:0 0 18px}figure img{width:100%;height:auto;display:block;background:#ddd}
figcaption{font:italic 13px Arial,sans-serif;color:#666;padding:6px 0;border-bottom:1px solid #eee}
.entry-content p{font-size:18px}
.entry-footer{border-top:1px solid #ddd;margin-top:24px;padding-top:10px;font:13px Arial,sans-serif}
.post-thumbnail img{width:100%;height:auto}
.comments-area{background:#faf8f3;padding:14px 18px;margin-top:24px}
.site-footer{background:#1d1d1d;color:#bbb;padding:22px 18px;font:13px Arial,sans-serif}.site-footer a{color:#ffd27a}
"""
WIDGETS_CSS = """.widget-area{flex:0 0 320px}
.widget{margin-bottom:26px}
.widget-title{font-family:"Meridian Display",Impact,sans-serif;font-size:20px;letter-spacing:2px;border-bottom:3px solid #14365e;padding-bottom:4px}
.widget ul{list-style:none;margin:0;padding:0}.widget li{border-bottom:1px solid #eee;padding:6px 0}
.widget-post .post-thumb img{width:100%;height:auto;display:block}
.widget-post-title{font-size:16px;margin:6px 0 2px}.widget-post-excerpt{font-size:13px;color:#555;margin:0}
.related-posts{display:grid;grid-template-columns:repeat(2,1fr);gap:16px;margin-top:26px}
.related-title{grid-column:1/-1;font-family:"Meridian Display",Impact,sans-serif;letter-spacing:2px}
.related-post img{width:100%;height:auto;display:block;background:#ddd}
.posts-navigation,.pagination{font:14px Arial,sans-serif;margin:20px 0}
"""
LAZY_JS = """document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("img[data-src]").forEach(function (img) {
    if (img.dataset.srcset) { img.srcset = img.dataset.srcset; }
    img.src = img.dataset.src;
    img.classList.add("lazyloaded");
  });
});
"""


def build_demo_site(dest: Path, base_url: str = "") -> SiteManifest:
    """Write the demo site into ``dest`` and return what a crawl of it must find.

    ``base_url`` (``http://127.0.0.1:8000``) only goes into canonical links, og:url,
    JSON-LD and the feeds, where WordPress writes absolute URLs; with the default the
    site is fully root-relative and can be served on any port.
    """
    stories = StoryWriter(random.Random(SEED)).newsroom(SECTIONS, ARTICLE_COUNT, LATEST, first_datelines=SEED_DATELINES)
    return WordPressSite(SiteFolder(Path(dest)), stories, base_url.rstrip("/")).build()


@dataclass
class Comment:
    """A reader comment; its "Reply" link carries ``?replytocom=N`` as WordPress's does."""

    id: int
    author: str
    text: str
    posted: datetime


def article_url(story: Story) -> str:
    return f"/{story.published:%Y/%m/%d}/{story.slug}/"


def image_url(story: Story, suffix: str = "") -> str:
    return f"/wp-content/uploads/{story.published:%Y/%m}/{story.slug}{suffix}.png"


def metadata_kind(index: int, story: Story) -> str:
    """Half JSON-LD, a third OpenGraph only, the rest neither (briefs always carry some)."""
    kind = ["jsonld", "og", "jsonld", "og", "jsonld", "none"][index % 6]
    return "og" if kind == "none" and story.kind == "brief" else kind


def body_html(story: Story, figure_src: Callable[[int], str], figure_class: str = "") -> str:
    """The story's body as markup: paragraphs, subheads, lists and numbered in-body figures."""
    out, figures = [], 0
    for tag, value in story.blocks:
        if tag == "ul":
            out.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in value) + "</ul>")  # type: ignore[union-attr]
        elif tag == "figure":
            figures += 1
            out.append(
                f'<figure class="{figure_class}"><img src="{figure_src(figures)}" alt="{escape(value.alt)}" '  # type: ignore[union-attr]
                f'width="800" height="533"><figcaption>{escape(value.shown)}</figcaption></figure>'  # type: ignore[union-attr]
            )
        else:
            out.append(f"<{tag}>{escape(str(value))}</{tag}>")
    return "\n".join(out)


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


class WordPressSite:
    """Renders stories as a WordPress news theme would, page by page."""

    def __init__(self, folder: SiteFolder, stories: list[Story], base_url: str) -> None:
        self.folder, self.stories, self.base = folder, stories, base_url
        self.kinds = {story.number: metadata_kind(i, story) for i, story in enumerate(stories)}
        # One story has a page whose featured photo is its only image: no logo, no thumbnails.
        self.photo_only = next(s.number for s in stories[12:] if s.kind == "report" and not s.figures())
        self.comments = self._comments()
        self.manifest = SiteManifest(SITE_NAME)

    def absolute(self, path: str) -> str:
        return self.base + path

    def _comments(self) -> dict[int, list[Comment]]:
        rng = random.Random(SEED + 1)
        comments: dict[int, list[Comment]] = {}
        next_id = 101
        for story in reversed(self.stories):
            comments[story.number] = []
            for minutes in sorted(rng.sample(range(30, 2000), rng.choice([0, 0, 1, 2, 3]))):
                posted = story.published + timedelta(minutes=minutes)
                comments[story.number].append(Comment(next_id, rng.choice(COMMENTERS), rng.choice(COMMENTS), posted))
                next_id += 1
        return comments

    # --- building ------------------------------------------------------------------------
    def build(self) -> SiteManifest:
        self.write_assets()
        for story in self.stories:
            self.write_article(story)
        self.write_listing("/", "Latest News", self.stories, "home", SITE_NAME)
        for section in SECTIONS:
            members = [s for s in self.stories if s.section == section]
            self.write_listing(f"/category/{section.slug}/", f"Category: {section.name}", members, "category", section.name)
        for tag in sorted({tag for story in self.stories for tag in story.tags}):
            members = [s for s in self.stories if tag in s.tags]
            self.write_listing(f"/tag/{slugify(tag)}/", f"Tag: {tag}", members, "tag", tag)
        for author in sorted({name for story in self.stories for name in story.authors}):
            members = [s for s in self.stories if author in s.authors]
            self.write_listing(f"/author/{slugify(author)}/", f"Author: {author}", members, "author", author)
        for month in self.months():
            members = [s for s in self.stories if s.published.strftime("%Y/%m") == month.strftime("%Y/%m")]
            name = f"{MONTHS[month.month - 1]} {month.year}"
            self.write_listing(f"/{month:%Y/%m}/", f"Month: {name}", members, "date", name)
        for term in TRENDING:
            members = [s for s in self.stories if term in s.tags][:PER_PAGE]
            self.write_listing(f"/search/{slugify(term)}/", f"Search Results for: {term}", members, "search", f"You searched for {term}")
        self.write_static_pages()
        self.write_feeds()
        self.manifest.non_articles.sort()
        return self.manifest

    def months(self) -> list[datetime]:
        """The months that have stories, newest first: the "Archives" widget and its pages."""
        firsts = {s.published.replace(day=1, hour=0, minute=0): None for s in self.stories}
        return list(firsts)

    def write_page(self, url_path: str, html: str) -> str:
        return self.folder.write(url_path, html)

    def write_assets(self) -> None:
        self.folder.write("/robots.txt", "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n")
        self.folder.write(STYLESHEET, THEME_CSS)
        self.folder.write(f"{THEME}/css/widgets.css", WIDGETS_CSS)
        self.folder.write(f"{THEME}/fonts/meridian-display.woff2", FONT.read_bytes())
        self.folder.write(f"{THEME}/images/masthead.png", png_bytes(8, 24, (236, 230, 218)))
        self.folder.write(f"{THEME}/js/lazyload.js", LAZY_JS)
        self.folder.write(LOGO, png_bytes(120, 30, (20, 40, 90)))
        for story in self.stories:
            colour = zlib.crc32(story.slug.encode()).to_bytes(4, "big")[:3]
            rgb = (colour[0], colour[1], colour[2])
            self.folder.write(image_url(story), png_bytes(160, 90, rgb))
            self.folder.write(image_url(story, "-768x432"), png_bytes(96, 54, rgb))
            self.folder.write(image_url(story, "-300x200"), png_bytes(60, 40, rgb))
            for number, _ in enumerate(story.figures(), start=1):
                self.folder.write(image_url(story, f"-{number}"), png_bytes(120, 80, rgb[::-1]))

    # --- page chrome ---------------------------------------------------------------------
    def page(self, title: str, head: str, body_class: str, main: str, *, images: bool = True, exclude: int = 0) -> str:
        menu = "".join(
            f'<li class="menu-item menu-item-type-taxonomy"><a href="/category/{s.slug}/">{escape(s.name)}</a></li>'
            for s in SECTIONS
        )
        social = "".join(
            f'<li><a href="{url}" target="_blank" rel="noopener" aria-label="{name}">{name}</a></li>'
            for name, url in SOCIAL
        )
        trending = " ".join(f'<a href="/search/{slugify(t)}/">{escape(t)}</a>' for t in TRENDING)
        logo = f'<img class="custom-logo" src="{LOGO}" alt="{escape(SITE_NAME)}" width="240" height="60">' if images else ""
        return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – {escape(SITE_NAME)}</title>
{head}
<link rel="alternate" type="application/rss+xml" title="{escape(SITE_NAME)} » Feed" href="{FEED}">
<link rel="alternate" type="application/rss+xml" title="{escape(SITE_NAME)} » Comments Feed" href="{COMMENTS_FEED}">
<link rel="stylesheet" id="meridian-style-css" href="{STYLESHEET}" media="all">
<link rel="icon" href="{LOGO}" sizes="32x32">
<script src="{THEME}/js/lazyload.js" defer></script>
<meta name="generator" content="WordPress 6.0.2">
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div class="top-bar">
<div class="top-bar-date">{long_date(LATEST)}</div>
<div class="social-block"><span class="social-title">Connect with us</span>
<ul class="social-links">{social}</ul></div>
</div>
<header id="masthead" class="site-header">
<div class="site-branding"><a href="/" class="custom-logo-link" rel="home">{logo}</a>
<p class="site-title"><a href="/" rel="home">{escape(SITE_NAME)}</a></p>
<p class="site-description">News from India and the world</p></div>
<div class="header-search">
<p class="search-prompt">Hi, what are you looking for?</p>
<form role="search" method="get" class="search-form" action="/">
<label><span class="screen-reader-text">Search for:</span>
<input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s"></label>
<input type="submit" class="search-submit" value="Search">
</form>
<p class="trending">Trending: {trending}</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">
<ul id="primary-menu" class="menu"><li class="menu-item menu-item-home"><a href="/">Home</a></li>{menu}<li class="menu-item"><a href="/about-us/">About Us</a></li><li class="menu-item"><a href="/contact/">Contact</a></li></ul>
</nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
{main}
</main>
</div>
{self.sidebar(images=images, exclude=exclude)}
</div>
<footer id="colophon" class="site-footer">
<div class="site-info">© 2022 {escape(SITE_NAME)}. All rights reserved.
<a href="/about-us/">About Us</a> · <a href="/contact/">Contact</a> · <a href="{FEED}">Entries feed</a> · <a href="{COMMENTS_FEED}">Comments feed</a> · <a href="/wp-admin/">Log in</a></div>
</footer>
</div>
</body>
</html>
"""

    def sidebar(self, *, images: bool, exclude: int) -> str:
        """The "Top Stories" widget: other stories whose excerpts open with their datelines."""
        picks = [s for s in self.stories if s.dateline and s.number != exclude][:6]
        items = []
        for story in picks:
            url = article_url(story)
            thumb = (
                f'<a class="post-thumb" href="{url}"><img src="{image_url(story, "-300x200")}" alt="" width="300" height="200" loading="lazy"></a>'
                if images
                else ""
            )
            items.append(
                f'<li class="widget-post">{thumb}<h3 class="widget-post-title"><a href="{url}">{escape(story.title)}</a></h3>'
                f'<p class="widget-post-excerpt">{escape(story.excerpt(22))}</p></li>'
            )
        categories = "".join(
            f'<li class="cat-item"><a href="/category/{s.slug}/">{escape(s.name)}</a></li>' for s in SECTIONS
        )
        archives = "".join(
            f'<li><a href="/{month:%Y/%m}/">{MONTHS[month.month - 1]} {month.year}</a></li>' for month in self.months()
        )
        return f"""<aside id="secondary" class="widget-area">
<section class="widget widget-top-stories"><h2 class="widget-title">Top Stories</h2><ul>{''.join(items)}</ul></section>
<section class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{categories}</ul></section>
<section class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{archives}</ul></section>
</aside>"""

    def byline(self, story: Story, date_html: str, url: str) -> str:
        names = " and ".join(
            f'<span class="author vcard"><a class="url fn n" href="/author/{slugify(a)}/">{escape(a)}</a></span>'
            for a in story.authors
        )
        count = len(self.comments[story.number])
        comments = f"{count} Comment{'s' if count != 1 else ''}" if count else "Click to comment"
        return (
            f'<div class="entry-meta"><span class="byline">By {names}</span> <span class="posted-on">{date_html}</span> '
            f'<span class="comments-link"><a href="{url}#respond">{comments}</a></span></div>'
        )

    @staticmethod
    def time_html(story: Story) -> str:
        html = f'<time class="entry-date published" datetime="{story.published.isoformat()}">{long_date(story.published)}</time>'
        if story.modified:
            html += f'<time class="updated" datetime="{story.modified.isoformat()}">{long_date(story.modified)}</time>'
        return html

    # --- articles ------------------------------------------------------------------------
    def write_article(self, story: Story) -> None:
        url = article_url(story)
        kind = self.kinds[story.number]
        images = story.number != self.photo_only
        # Half of the stories without metadata show a <time>, half only a line of text.
        if kind != "none" or self.stories.index(story) // 6 % 2 == 0:
            date_html = self.time_html(story)
        else:
            date_html = f"Published {long_date(story.published)} at {story.published:%-I:%M %p}".replace("AM", "am").replace("PM", "pm")
        photo = story.photo
        figure = (
            f'<figure class="post-thumbnail wp-block-image"><img src="{image_url(story)}" alt="{escape(photo.alt)}" '
            f'srcset="{image_url(story, "-768x432")} 768w, {image_url(story)} 1200w" sizes="(max-width: 760px) 100vw, 800px" '
            f'width="1200" height="675"><figcaption class="wp-element-caption">{escape(photo.shown)}</figcaption></figure>'
        )
        figures = len(story.figures())
        body = body_html(story, lambda n: image_url(story, f"-{n}"), "wp-block-image size-large")
        tags = ", ".join(f'<a href="/tag/{slugify(t)}/" rel="tag">{escape(t)}</a>' for t in story.tags)
        share_target = quote(self.absolute(url), safe="")
        main = f"""<article id="post-{story.number}" class="post-{story.number} post type-post status-publish format-standard has-post-thumbnail category-{story.section.slug}">
<header class="entry-header">
<div class="entry-categories"><a href="/category/{story.section.slug}/" rel="category tag">{escape(story.section.name)}</a></div>
<h1 class="entry-title">{escape(story.title)}</h1>
{self.byline(story, date_html, url)}
</header>
{figure}
<div class="entry-content">
{body}
</div>
<footer class="entry-footer">
<span class="tags-links">Tags: {tags}</span>
<div class="share-bar">Share: <a href="https://www.facebook.com/sharer/sharer.php?u={share_target}">Facebook</a> <a href="https://twitter.com/intent/tweet?url={share_target}">Twitter</a> <a href="https://api.whatsapp.com/send?text={share_target}">WhatsApp</a></div>
</footer>
</article>
{self.comments_html(story, url)}
{self.related(story, images)}"""
        head = self.article_head(story, kind, url)
        path = self.write_page(url, self.page(story.title, head, f"post-template-default single single-post postid-{story.number}", main, images=images, exclude=story.number))
        images_list = [image_url(story)] + [image_url(story, f"-{n}") for n in range(1, figures + 1)]
        self.manifest.articles.append(story.expected(path, url, kind, images_list, story.excerpt(30)))

    def comments_html(self, story: Story, url: str) -> str:
        comments = self.comments[story.number]
        listing = ""
        if comments:
            entries = "".join(
                f'<li id="comment-{c.id}" class="comment"><article class="comment-body">'
                f'<footer class="comment-meta"><b class="fn">{escape(c.author)}</b> <span class="says">says:</span> '
                f'<a href="{url}#comment-{c.id}"><time datetime="{c.posted.isoformat()}">{long_date(c.posted)} at {c.posted:%H:%M}</time></a></footer>'
                f'<div class="comment-content"><p>{escape(c.text)}</p></div>'
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{url}?replytocom={c.id}#respond" '
                f'aria-label="Reply to {escape(c.author)}">Reply</a></div></article></li>'
                for c in comments
            )
            listing = f'<h2 class="comments-title">{len(comments)} thoughts on “{escape(story.title)}”</h2><ol class="comment-list">{entries}</ol>'
        return f"""<div id="comments" class="comments-area">
{listing}
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="{url}#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" maxlength="245" required></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> <input id="email" name="email" type="email" value="" size="30" maxlength="100" aria-describedby="email-notes" required></p>
<p class="comment-form-url"><label for="url">Website</label> <input id="url" name="url" type="url" value="" size="30" maxlength="200"></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"> <input type="hidden" name="comment_post_ID" value="{story.number}" id="comment_post_ID"> <input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>
</form>
</div>
</div>"""

    def related(self, story: Story, images: bool) -> str:
        """"You May Also Like": stories of the same section, excerpts without datelines."""
        others = [s for s in self.stories if s.section == story.section and s.number != story.number][:4]
        items = []
        for other in others:
            url = article_url(other)
            # Lazy-loaded the way WordPress plugins do it: a placeholder, the picture in data-src.
            thumb = (f'<a href="{url}"><img src="{PLACEHOLDER}" data-src="{image_url(other, "-300x200")}" class="lazyload" '
                     f'alt="" width="300" height="200"></a>' if images else "")
            words = other.description.split()
            excerpt = " ".join(words[:24]) + "..."
            items.append(f'<div class="related-post">{thumb}<h4><a href="{url}">{escape(other.title)}</a></h4><p>{escape(excerpt)}</p></div>')
        return f'<section class="related-posts"><h3 class="related-title">You May Also Like</h3>{"".join(items)}</section>'

    def article_head(self, story: Story, kind: str, url: str) -> str:
        canonical = f'<link rel="canonical" href="{self.absolute(url)}">'
        if kind == "none":
            return canonical
        og = [
            '<meta property="og:locale" content="en_US">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{escape(story.title)}">',
            f'<meta property="og:description" content="{escape(story.description)}">',
            f'<meta property="og:url" content="{self.absolute(url)}">',
            f'<meta property="og:site_name" content="{escape(SITE_NAME)}">',
            f'<meta property="article:published_time" content="{story.published.isoformat()}">',
        ]
        if story.modified:
            og.append(f'<meta property="article:modified_time" content="{story.modified.isoformat()}">')
        og.append(f'<meta property="article:section" content="{escape(story.section.name)}">')
        og += [f'<meta property="article:tag" content="{escape(t)}">' for t in story.tags]
        og += [
            f'<meta property="og:image" content="{self.absolute(image_url(story))}">',
            f'<meta name="author" content="{escape(", ".join(story.authors))}">',
            f'<meta name="description" content="{escape(story.description)}">',
        ]
        head = canonical + "\n" + "\n".join(og)
        if kind == "jsonld":
            head += "\n" + self.article_jsonld(story, url)
        return head

    def article_jsonld(self, story: Story, url: str) -> str:
        """A Yoast-style ``@graph``: NewsArticle, WebPage, ImageObject, WebSite, Organization, Person."""
        page, site = self.absolute(url), self.absolute("/")
        modified = (story.modified or story.published).isoformat()
        people = [
            {"@type": "Person", "@id": f"{site}#/schema/person/{slugify(a)}", "name": a, "url": self.absolute(f"/author/{slugify(a)}/")}
            for a in story.authors
        ]
        graph = [
            {
                "@type": "NewsArticle",
                "@id": f"{page}#article",
                "isPartOf": {"@id": page},
                "author": [{"name": p["name"], "@id": p["@id"]} for p in people],
                "headline": story.title,
                "datePublished": story.published.isoformat(),
                "dateModified": modified,
                "mainEntityOfPage": {"@id": page},
                "wordCount": story.word_count,
                "commentCount": len(self.comments[story.number]),
                "publisher": {"@id": f"{site}#organization"},
                "image": {"@id": f"{page}#primaryimage"},
                "thumbnailUrl": self.absolute(image_url(story)),
                "keywords": story.tags,
                "articleSection": [story.section.name],
                "inLanguage": "en-US",
            },
            {
                "@type": "WebPage",
                "@id": page,
                "url": page,
                "name": f"{story.title} – {SITE_NAME}",
                "isPartOf": {"@id": f"{site}#website"},
                "primaryImageOfPage": {"@id": f"{page}#primaryimage"},
                "datePublished": story.published.isoformat(),
                "dateModified": modified,
                "description": story.description,
                "inLanguage": "en-US",
            },
            {
                "@type": "ImageObject",
                "@id": f"{page}#primaryimage",
                "url": self.absolute(image_url(story)),
                "contentUrl": self.absolute(image_url(story)),
                "width": 1200,
                "height": 675,
                "caption": story.photo.shown,
            },
            self.website_node(),
            self.organization_node(),
            *people,
        ]
        return self.jsonld({"@context": "https://schema.org", "@graph": graph})

    def website_node(self) -> dict:
        site = self.absolute("/")
        return {
            "@type": "WebSite",
            "@id": f"{site}#website",
            "url": site,
            "name": SITE_NAME,
            "publisher": {"@id": f"{site}#organization"},
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {"@type": "EntryPoint", "urlTemplate": f"{site}?s={{search_term_string}}"},
                    "query-input": "required name=search_term_string",
                }
            ],
            "inLanguage": "en-US",
        }

    def organization_node(self) -> dict:
        site = self.absolute("/")
        return {
            "@type": "Organization",
            "@id": f"{site}#organization",
            "name": SITE_NAME,
            "url": site,
            "logo": {"@type": "ImageObject", "url": self.absolute(LOGO), "width": 240, "height": 60},
            "sameAs": [url for _, url in SOCIAL],
        }

    @staticmethod
    def jsonld(data: dict) -> str:
        text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return f'<script type="application/ld+json" class="yoast-schema-graph">{text}</script>'

    # --- listings ------------------------------------------------------------------------
    def write_listing(self, base: str, heading: str, stories: list[Story], kind: str, name: str) -> None:
        """Paginated lists of teasers: ``base``, ``base/page/2/``...; never articles.

        ``kind`` is the WordPress template: ``home``, ``category``, ``tag``, ``author``,
        ``date`` or ``search``.
        """
        pages = chunks(stories, PER_PAGE)
        home = kind == "home"
        for number, members in enumerate(pages, start=1):
            url = page_url(base, number)
            teasers = "\n".join(self.teaser(s) for s in members)
            nav = self.posts_navigation(base, number, len(pages)) if home else self.numbered_navigation(base, number, len(pages))
            header = "" if home else f'<header class="page-header"><h1 class="page-title">{escape(heading)}</h1></header>'
            main = f"{header}\n{teasers}\n{nav}"
            title = name + (f" – Page {number}" if number > 1 else "")
            head = self.listing_head(url, title, base, number, len(pages), kind=kind, name=name)
            body_class = "home blog" if home else ("search search-results" if kind == "search" else f"archive {kind}")
            page_title = "Latest News" if home and number == 1 else title
            self.write_page(url, self.page(page_title, head, body_class, main))
            self.manifest.non_articles.append(url)

    def teaser(self, story: Story) -> str:
        url = article_url(story)
        return f"""<article class="post-{story.number} post type-post status-publish category-{story.section.slug} teaser">
<a class="post-thumbnail" href="{url}"><img src="{image_url(story, '-300x200')}" alt="" width="300" height="200" loading="lazy"></a>
<header class="entry-header"><span class="cat-links"><a href="/category/{story.section.slug}/">{escape(story.section.name)}</a></span>
<h2 class="entry-title"><a href="{url}" rel="bookmark">{escape(story.title)}</a></h2>
{self.byline(story, self.time_html(story), url)}</header>
<div class="entry-summary"><p>{escape(story.excerpt(30))}</p></div>
<a class="more-link" href="{url}">Read More</a>
</article>"""

    @staticmethod
    def posts_navigation(base: str, number: int, total: int) -> str:
        older = f'<div class="nav-previous"><a href="{page_url(base, number + 1)}">Older posts</a></div>' if number < total else ""
        newer = f'<div class="nav-next"><a href="{page_url(base, number - 1)}">Newer posts</a></div>' if number > 1 else ""
        return f'<nav class="navigation posts-navigation" aria-label="Posts"><div class="nav-links">{older}{newer}</div></nav>'

    @staticmethod
    def numbered_navigation(base: str, number: int, total: int) -> str:
        if total == 1:
            return ""
        links = []
        if number > 1:
            links.append(f'<a class="prev page-numbers" rel="prev" href="{page_url(base, number - 1)}">« Previous</a>')
        for n in range(1, total + 1):
            links.append(
                f'<span aria-current="page" class="page-numbers current">{n}</span>'
                if n == number
                else f'<a class="page-numbers" href="{page_url(base, n)}">{n}</a>'
            )
        if number < total:
            links.append(f'<a class="next page-numbers" rel="next" href="{page_url(base, number + 1)}">Next »</a>')
        return f'<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">{" ".join(links)}</div></nav>'

    def listing_head(self, url: str, title: str, base: str, number: int, total: int, *, kind: str, name: str) -> str:
        page, site = self.absolute(url), self.absolute("/")
        person = kind == "author"
        page_type: str | list[str] = "CollectionPage"
        if person:
            page_type = ["WebPage", "ProfilePage"]
        elif kind == "search":
            page_type = ["CollectionPage", "SearchResultsPage"]
        head = ['<meta name="robots" content="noindex, follow">'] if kind == "search" else []
        head += [
            f'<link rel="canonical" href="{page}">',
            '<meta property="og:locale" content="en_US">',
            '<meta property="og:type" content="website">',
            f'<meta property="og:title" content="{escape(title)} – {escape(SITE_NAME)}">',
            f'<meta property="og:url" content="{page}">',
            f'<meta property="og:site_name" content="{escape(SITE_NAME)}">',
        ]
        if number > 1:
            head.append(f'<link rel="prev" href="{self.absolute(page_url(base, number - 1))}">')
        if number < total:
            head.append(f'<link rel="next" href="{self.absolute(page_url(base, number + 1))}">')
        graph: list[dict] = [
            {
                "@type": page_type,
                "@id": page,
                "url": page,
                "name": f"{title} – {SITE_NAME}",
                "isPartOf": {"@id": f"{site}#website"},
                "inLanguage": "en-US",
            },
            self.website_node(),
            self.organization_node(),
        ]
        if person:
            graph.append({"@type": "Person", "@id": f"{site}#/schema/person/{slugify(name)}", "name": name, "mainEntityOfPage": {"@id": page}})
        head.append(self.jsonld({"@context": "https://schema.org", "@graph": graph}))
        return "\n".join(head)

    # --- static pages and feeds ----------------------------------------------------------
    def static_head(self, url: str, title: str) -> str:
        page = self.absolute(url)
        graph = [{"@type": "WebPage", "@id": page, "url": page, "name": f"{title} – {SITE_NAME}", "inLanguage": "en-US"}, self.website_node()]
        return "\n".join([
            f'<link rel="canonical" href="{page}">',
            '<meta property="og:type" content="website">',
            f'<meta property="og:title" content="{escape(title)} – {escape(SITE_NAME)}">',
            f'<meta property="og:url" content="{page}">',
            self.jsonld({"@context": "https://schema.org", "@graph": graph}),
        ])

    def write_static_pages(self) -> None:
        about = [
            f"{SITE_NAME} was started in 2011 by a group of reporters who wanted a newsroom that answered to its "
            "readers first. We cover national politics, the economy, health, technology and sport from bureaus in "
            "New Delhi, Mumbai, Bengaluru and Chennai, with correspondents across the states.",
            "Our reporters follow a simple rule: say what is known, say how we know it, and say what is still "
            "unclear. Wire copy from agencies is marked as such, and every correction is published at the foot of "
            "the story it corrects, with the date it was made.",
            "We are funded by advertising and by readers who subscribe to our weekly newsletter. Advertisers have no "
            "say over what we report. Our editors meet every morning to decide which stories deserve a reporter's "
            "full day, and which are better told in a few lines.",
            "If you have a story we should look into, write to the desk through the contact page. We read every "
            "message, though we cannot answer all of them. Tips can be sent in confidence; we never reveal a source "
            "without consent.",
        ]
        main = '<article class="page type-page status-publish"><header class="entry-header"><h1 class="entry-title">About Us</h1></header><div class="entry-content">'
        main += "".join(f"<p>{escape(p)}</p>" for p in about) + "</div></article>"
        self.write_page("/about-us/", self.page("About Us", self.static_head("/about-us/", "About Us"), "page-template-default page", main))
        contact = """<article class="page type-page status-publish"><header class="entry-header"><h1 class="entry-title">Contact</h1></header>
<div class="entry-content"><p>Write to the news desk with tips, corrections or questions about our coverage.</p>
<p>Newsroom: 4th Floor, Meridian House, Connaught Place, New Delhi 110001</p>
<form class="wpcf7-form" action="/contact/" method="post"><p><label>Your name<br><input type="text" name="your-name"></label></p>
<p><label>Your email<br><input type="email" name="your-email"></label></p><p><label>Your message<br><textarea name="your-message"></textarea></label></p>
<p><input type="submit" value="Send"></p></form></div></article>"""
        self.write_page("/contact/", self.page("Contact", self.static_head("/contact/", "Contact"), "page-template-default page", contact))
        login = """<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>Log In ‹ The Meridian Ledger — WordPress</title><meta name="robots" content="noindex, nofollow"></head>
<body class="login"><form name="loginform" id="loginform" action="/wp-login.php" method="post"><p><label for="user_login">Username or Email Address</label><input type="text" name="log" id="user_login"></p>
<p><label for="user_pass">Password</label><input type="password" name="pwd" id="user_pass"></p><p><input type="submit" value="Log In"></p></form></body></html>
"""
        self.write_page("/wp-admin/", login)
        self.manifest.non_articles += ["/about-us/", "/contact/", "/wp-admin/"]

    def write_feeds(self) -> None:
        site = self.absolute("/")
        items = []
        for story in self.stories[:20]:
            link = self.absolute(article_url(story))
            categories = "".join(f"<category><![CDATA[{t}]]></category>" for t in [story.section.name, *story.tags])
            items.append(
                f"<item><title>{escape(story.title)}</title><link>{link}</link>"
                f"<dc:creator><![CDATA[{', '.join(story.authors)}]]></dc:creator>"
                f"<pubDate>{format_datetime(story.published)}</pubDate>{categories}"
                f'<guid isPermaLink="false">{site}?p={story.number}</guid>'
                f"<description><![CDATA[{story.excerpt(30)}]]></description>"
                f"<comments>{link}#respond</comments></item>"
            )
        self.folder.write(FEED, self.rss(f"{SITE_NAME}", site, "News from India and the world", items))
        comments = sorted(
            ((c, s) for s in self.stories for c in self.comments[s.number]), key=lambda pair: pair[0].posted, reverse=True
        )[:15]
        items = [
            f"<item><title>Comment on {escape(s.title)} by {escape(c.author)}</title>"
            f"<link>{self.absolute(article_url(s))}#comment-{c.id}</link><dc:creator><![CDATA[{c.author}]]></dc:creator>"
            f"<pubDate>{format_datetime(c.posted)}</pubDate><guid isPermaLink=\"false\">{site}?p={s.number}#comment-{c.id}</guid>"
            f"<description><![CDATA[{c.text}]]></description></item>"
            for c, s in comments
        ]
        self.folder.write(COMMENTS_FEED, self.rss(f"Comments for {SITE_NAME}", site, "Reader comments", items))
        self.manifest.non_articles += [FEED, COMMENTS_FEED]

    @staticmethod
    def rss(title: str, link: str, description: str, items: list[str]) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
            f"<channel><title>{escape(title)}</title><link>{link}</link><description>{escape(description)}</description>"
            f"<lastBuildDate>{format_datetime(LATEST)}</lastBuildDate><language>en-US</language>\n"
            + "\n".join(items)
            + "\n</channel></rss>\n"
        )
