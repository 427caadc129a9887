"""Body extraction on a page shaped like the seed page: boilerplate, captions and sidebars stay out."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawler.extract.article import extract_article
from lxml import etree
from lxml import html as lxml_html

from newscrawler.extract.body import extract_body, blocks_from_xml, flatten_divisions, is_boilerplate_text, is_date_line, split_credit

CRAWLED = datetime(2022, 10, 1, tzinfo=timezone.utc)
URL = "https://news.example.in/2022/02/01/russia-quotes-1999-charter/"
CAPTION = ("FILE PHOTO: Russian Foreign Minister Sergei Lavrov and Swiss President Ignazio Cassis (not pictured) "
           "meet in Geneva, Switzerland, January 21, 2022.")
CREDIT = "Jean-Christophe Bott/Pool via REUTERS/File Photo"
LEDE = ("On Tuesday, Russia said it will demand that Western nations uphold a 1999 agreement that no country can "
        "bolster its own security at the price of others, a point it claims lies at the heart of the Ukraine problem.")
NEWS = ("The news: Foreign Minister Sergei Lavrov said he brought up the issue in a chat with U.S. Secretary of "
        "State Antony Blinken, who agreed that more discussion was needed.")
BULLETS = [
    "According to the State Department's summary of the call, Blinken encouraged Russia to quickly withdraw "
    "soldiers from Ukraine's border and stated that Washington was eager to continue discussing common security "
    "concerns.",
    "Russia's attitude, according to Lavrov, is based on a charter signed in Istanbul in 1999 by members of the "
    "Organization for Security and Cooperation in Europe, which includes the U.S. and Canada.",
]
GOING_ON = ("What's going on: Countries should be allowed to choose their own security arrangements and alliances, "
            "according to the charter, but they must not enhance their security at the price of the security of "
            "other states.")
CLOSING = ("Russia has yet to respond to last week's letters from the U.S. and NATO, which rejected Moscow's core "
           "security requests but signalled willingness to begin negotiations on arms limitation.")
SIDEBAR = [
    "New Delhi, Sept 29- According to data updated on Thursday by the Union Health Ministry, 4,272 new instances "
    "of infections have been registered throughout...",
    "J&K, Sept 29 – Two people were injured in two bombs that occurred within eight hours in the Udhampur "
    "district of Jammu and Kashmir...",
]
RELATED = [
    "The structure will be built for a Public Health Centre (PHC), which will be the sole government health "
    "facility near the crash site. The...",
    "Microsoft Corp. Chief Executive Officer Satya Nadella's son Zain Nadella, died Monday morning. The news: "
    "Zain was 26 years old and had been born...",
]


def seed_page(head: str = "", byline_date: str = "") -> str:
    """A WordPress news-theme article page with every trap of the seed page."""
    sidebar = "".join(
        f'<li class="post-item"><h4><a href="/2022/09/29/story-{i}/">Story {i}</a></h4><p>{text}</p></li>'
        for i, text in enumerate(SIDEBAR)
    )
    related = "".join(
        f'<article class="related-post"><h3><a href="/2022/01/{10 + i}/related-{i}/">Related {i}</a></h3>'
        f"<p>{text}</p></article>"
        for i, text in enumerate(RELATED)
    )
    bullets = "".join(f"<li>{b}</li>" for b in BULLETS)
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8">
<title>Russia quotes 1999 charter to resolve security issue | Newsline India</title>{head}
</head><body class="post-template-default single single-post">
<div class="top-bar"><span class="social-title">Connect with us</span>
<ul class="social"><li><a href="https://facebook.com/x">Facebook</a></li><li><a href="https://twitter.com/x">Twitter</a></li></ul></div>
<header id="masthead"><div class="site-title"><a href="/">Newsline India</a></div>
<form role="search" class="search-form" action="/"><input type="search" name="s" placeholder="Hi, what are you looking for?"></form>
<nav class="main-navigation"><ul><li><a href="/category/india/">India</a></li><li><a href="/category/world/">World</a></li></ul></nav>
</header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-77" class="post type-post category-world">
<header class="entry-header"><h1 class="entry-title">Russia quotes 1999 charter to resolve security issue</h1>
<div class="entry-meta"><span class="byline">By <a rel="author" href="/author/staff/">Anita Rao</a></span>{byline_date}</div>
</header>
<figure class="wp-block-image size-large"><img src="/wp-content/uploads/2022/02/lavrov-cassis.jpg" alt="Lavrov and Cassis">
<figcaption>{CAPTION} {CREDIT}</figcaption></figure>
<div class="entry-content">
<p>{LEDE}</p>
<p><strong>The news:</strong> {NEWS[len("The news: "):]}</p>
<ul>{bullets}</ul>
<p><strong>What's going on:</strong> {GOING_ON[len("What's going on: "):]}</p>
<p>{CLOSING}</p>
</div>
<footer class="entry-footer"><a href="#respond" class="comments-link">Click to comment</a></footer>
</article>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published.</p>
<p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" value="Post Comment"></p></form></div></div>
<section class="related-posts"><h2 class="widget-title">You May Also Like</h2>{related}</section>
</main>
<aside id="secondary" class="widget-area"><section class="widget"><ul>{sidebar}</ul></section></aside>
</div>
<footer id="colophon"><p>Copyright 2022 Newsline India. All rights reserved.</p></footer>
</body></html>"""


@pytest.fixture
def seed_article():
    warnings: list[str] = []
    head = '<meta property="article:published_time" content="2022-02-01T10:15:00+05:30">'
    article = extract_article(seed_page(head), URL, crawled_at=CRAWLED, warnings=warnings)
    return article, warnings


def test_seed_body_keeps_the_story_in_order(seed_article):
    article, warnings = seed_article
    blocks = article.body.split("\n\n")
    assert blocks == [LEDE, NEWS, *BULLETS, GOING_ON, CLOSING]
    assert article.lede == LEDE
    assert article.word_count == len(article.body.split())
    assert warnings == []


@pytest.mark.parametrize("leak", [
    "Connect with us", "what are you looking for", "Click to comment", "Leave a Reply",
    "Your email address", "You May Also Like", "New Delhi, Sept 29", "J&K, Sept 29", "Public Health Centre",
    "Zain Nadella", "FILE PHOTO", "January 21, 2022", "Jean-Christophe", "Copyright 2022",
])
def test_seed_boilerplate_does_not_leak_into_body(seed_article, leak):
    article, _ = seed_article
    assert leak not in article.body
    assert leak not in article.body_html


def test_seed_body_html_keeps_paragraphs_and_lists(seed_article):
    article, _ = seed_article
    assert article.body_html.startswith("<article>")
    assert article.body_html.count("<li>") == len(BULLETS)
    assert "<p>" in article.body_html and "<script" not in article.body_html


def test_seed_featured_photo_has_caption_and_credit(seed_article):
    article, _ = seed_article
    assert len(article.images) == 1
    image = article.images[0]
    assert image.url == "https://news.example.in/wp-content/uploads/2022/02/lavrov-cassis.jpg"
    assert (image.caption, image.credit) == (CAPTION, CREDIT)


@pytest.mark.parametrize("byline_date, expected, source", [
    # the visible date next to the byline, no structured data: the caption's older date must not win
    ('<span class="posted-on">February 1, 2022</span>', "2022-02-01", "time"),
    ('<span class="posted-on">Published February 1, 2022 at 10:15 am</span>', "2022-02-01T10:15:00", "text"),
    # no date on the page but the caption's and the URL's: the URL's
    ("", "2022-02-01", "url"),
])
def test_caption_date_is_never_the_publication_date(byline_date, expected, source):
    if source == "time":
        byline_date = f'<time class="entry-date published" datetime="2022-02-01">{byline_date}</time>'
    article = extract_article(seed_page(byline_date=byline_date), URL, crawled_at=CRAWLED)
    assert (article.published_at, article.published_at_source) == (expected, source)


def test_caption_date_alone_gives_no_publication_date():
    article = extract_article(seed_page(), "https://news.example.in/russia-quotes-1999-charter/", crawled_at=CRAWLED)
    assert article.published_at is None
    assert article.body.startswith(LEDE)


@pytest.mark.parametrize("caption, expected", [
    (f"{CAPTION} {CREDIT}", (CAPTION, CREDIT)),
    ("Players train in Pune, India, November 15, 2021. Adnan Abidi/REUTERS",
     ("Players train in Pune, India, November 15, 2021.", "Adnan Abidi/REUTERS")),
    ("The old harbour at dawn. Photo: Jane Doe", ("The old harbour at dawn.", "Jane Doe")),
    ("The old harbour at dawn (Photo by Jane Doe)", ("The old harbour at dawn", "Jane Doe")),
    ("A caption with no credit at all.", ("A caption with no credit at all.", "")),
])
def test_split_credit(caption, expected):
    assert split_credit(caption) == expected


def test_in_body_figures_follow_the_featured_image():
    html = """<html><head><meta property="og:image" content="/img/lead.jpg"></head><body><article>
    <h1>Harbour reopens after storm repairs are finished</h1>
    <figure><img src="/img/lead-1024x683.jpg"><figcaption>The harbour in May. <span class="credit">Ana Lima</span></figcaption></figure>
    <p>The harbour reopened on Monday after six weeks of repairs to the sea wall and the two piers.</p>
    <figure class="wp-caption"><img data-src="/img/pier.jpg" src="data:image/gif;base64,R0lGOD"><p class="wp-caption-text">The new pier. Photo: Rui Costa</p></figure>
    <p>Fishing boats were the first to return, followed by the ferry to the islands later in the week.</p>
    </article><aside class="sidebar"><figure><img src="/img/ad.jpg"><figcaption>Advert</figcaption></figure></aside></body></html>"""
    article = extract_article(html, "https://port.example.com/news/harbour", crawled_at=CRAWLED)
    assert [(i.url, i.caption, i.credit) for i in article.images] == [
        ("https://port.example.com/img/lead.jpg", "The harbour in May.", "Ana Lima"),
        ("https://port.example.com/img/pier.jpg", "The new pier.", "Rui Costa"),
    ]
    assert "The new pier" not in article.body and "The harbour in May" not in article.body


@pytest.mark.parametrize("text, expected", [
    ("Order Reprints", True),
    ("Print Article", True),
    ("12 Comments", True),
    ("Click to comment", True),
    ("Share this article on Facebook", True),
    ("Updated at 1:23 p.m.", True),
    ("Copyright 2019 Hawaii News Now. All rights reserved.", True),
    ("© 2022 Newsline India", True),
    ("https://www.example.com/articles/some-story-123", True),
    ('[button link="http://example.com/submit/" type="big"] Send us YOUR review[/button]', True),
    # real story text, even when it opens like furniture
    ("Updated figures released on Monday show the deficit narrowed for the third quarter in a row, officials "
     "said, though economists warned that the improvement was driven by one-off receipts.", False),
    ("[1] Alarm fatigue: impacts on patient safety, Ruskin KJ. Curr Opin Anaesthesiol. 2015; 28: 685-690.", False),
    ("Share prices fell 3% in early trading.", False),
    ("Related coverage of the budget debate continued into the night as members argued.", False),
    ("", False),
])
def test_page_furniture_blocks(text, expected):
    assert is_boilerplate_text(text) is expected


def test_furniture_blocks_are_dropped_from_the_body():
    story = "".join(f"<p>{p}</p>" for p in (LEDE, NEWS, CLOSING))
    html = (f"<html><body><article><h1>Russia quotes 1999 charter</h1><p>Order Reprints</p><p>Print Article</p>"
            f"{story}<p>Copyright 2022 Newsline India. All rights reserved.</p></article></body></html>")
    article = extract_article(html, URL, crawled_at=CRAWLED)
    assert article.body.split("\n\n") == [LEDE, NEWS, CLOSING]


def bare_page() -> str:
    """A page without a single class or id: layout table, byline line, picture paragraph, lists."""
    bullets = "".join(f"<li>{b}</li>" for b in BULLETS)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Russia quotes 1999 charter to resolve security issue - Riverside Bulletin</title></head>
<body><table width="100%"><tr><td><a href="/"><b>Riverside Bulletin</b></a></td><td><a href="/s/1/">Local</a> |
<a href="/s/2/">Money</a> | <a href="/s/3/">Sport</a> | <a href="/contact.html">Contact</a></td></tr></table><hr>
<h1>Russia quotes 1999 charter to resolve security issue</h1>
<p><i>By Anita Rao. Filed February 1, 2022.</i></p>
<p><img src="/img/77.png" alt="Lavrov"><br><small>{CAPTION} {CREDIT}</small></p>
<p>{LEDE}</p><p>{NEWS}</p><ul>{bullets}</ul><h2>The background</h2><p>{GOING_ON}</p><p>{CLOSING}</p>
<p><a href="/s/2/">More from World</a></p><hr>
<p><small>Riverside Bulletin, printed weekly since 1974. <a href="/contact.html">Write to us</a>.</small></p>
</body></html>"""


def test_bare_page_keeps_lists_and_subheads_and_drops_the_furniture():
    warnings: list[str] = []
    article = extract_article(bare_page(), "http://127.0.0.1:8000/p/77.html", crawled_at=CRAWLED, warnings=warnings)
    assert article.body.split("\n\n") == [LEDE, NEWS, *BULLETS, "The background", GOING_ON, CLOSING]
    assert article.body_html.count("<li>") == len(BULLETS) and "<h2>The background</h2>" in article.body_html
    assert article.title == "Russia quotes 1999 charter to resolve security issue"
    assert article.authors == ["Anita Rao"]
    assert (article.published_at, article.published_at_source) == ("2022-02-01", "text")
    assert [(i.url, i.caption, i.credit) for i in article.images] == [
        ("http://127.0.0.1:8000/img/77.png", CAPTION, CREDIT)]
    assert warnings == []


def test_link_lists_between_paragraphs_are_not_restored():
    links = "".join(f'<li><a href="/s/{i}">Another story number {i} with a long enough title</a></li>'
                    for i in range(3))
    html = bare_page().replace("<h2>The background</h2>", f"<ul>{links}</ul>")
    article = extract_article(html, "http://127.0.0.1:8000/p/77.html", crawled_at=CRAWLED)
    assert "Another story" not in article.body


# --- real-world page shapes: standfirst, header lines, furniture in other languages ---------------------

STORY = [
    "The harbour authority said on Monday that the north pier will close for six weeks while divers replace "
    "the timber piles that the winter storms loosened, and that ferries will use the south basin meanwhile.",
    "Fishing crews were told to moor at the old quay, where the town has laid on extra mooring posts and a "
    "temporary fuel pump so that nobody has to sail round the headland to refuel before dawn.",
    "Traders on the promenade asked for signs pointing visitors to the south basin, and the council agreed to "
    "put them up before the Easter weekend, when the first of the summer ferries are due to arrive.",
]
STANDFIRST = ("The north pier closes for six weeks of repairs after the winter storms; ferries move to the south "
              "basin and fishing crews to the old quay.")


def harbour_page(header: str = "", lead: str = "", after: str = "", description: str = STANDFIRST) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return f"""<html><head><title>North pier to close for repairs</title>
<meta name="description" content="{description}"></head><body>
<nav><a href="/">Home</a> <a href="/port/">Port</a></nav>
<div class="page"><header class="story-head">{header}<h1>North pier to close for repairs</h1></header>
{lead}<div class="story-body">{paragraphs}</div>{after}</div>
<footer>Harbour Gazette</footer></body></html>"""


def test_standfirst_outside_the_story_container_opens_the_body():
    html = harbour_page(lead=f'<div class="teaser" itemprop="description">{STANDFIRST}</div>')
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert article.body.split("\n\n") == [STANDFIRST, *STORY]


def test_description_already_in_the_body_is_not_repeated():
    article = extract_article(harbour_page(description=STORY[0]), "https://gazette.example/port/north-pier",
                              crawled_at=CRAWLED)
    assert article.body.split("\n\n") == STORY


def test_description_shown_below_the_story_is_not_a_standfirst():
    html = harbour_page(after=f'<div class="teaser-box"><p>{STANDFIRST}</p></div>')
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert not article.body.startswith(STANDFIRST)


@pytest.mark.parametrize("header", [
    '<p class="kicker">Port</p>',
    '<p class="kicker">Port</p><p class="meta">Posted on</p><p class="meta">April 21, 2022</p>',
    '<p class="date">Mo, 11:41 Uhr</p><p class="date">06.11.2023</p>',
    '<p class="reading">3 min read</p>',
])
def test_kicker_date_and_reading_time_lines_do_not_open_the_body(header):
    html = harbour_page().replace('<div class="page"><header class="story-head">', '<div class="page"><article>')
    html = html.replace("</header>", "").replace(
        "<h1>North pier to close for repairs</h1>", f"{header}<h1>North pier to close for repairs</h1>")
    html = html.replace('<div class="story-body">', "").replace("</div></div>", "</article></div>")
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert article.body.split("\n\n") == STORY


def test_page_wrapped_in_a_form_keeps_its_story():
    html = harbour_page().replace('<div class="page">', '<form id="mainform" method="post"><div class="page">')
    html = html.replace("<footer>", '<textarea name="comment"></textarea></form><footer>')
    warnings: list[str] = []
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED,
                              warnings=warnings)
    assert article.body.split("\n\n")[-3:] == STORY and "no_body" not in warnings


@pytest.mark.parametrize("text, expected", [
    ("3 min read", True),
    ("5 minute read", True),
    ("Lesezeit: 3 Minuten", True),
    ("Reading time: 4 minutes", True),
    ("Tiempo de lectura: 2 min", True),
    ("Read more: Looted art returns home", True),
    ("Lea también: Impiden ingreso a reportero", True),
    ("LE PUEDE INTERESAR: La ficha del expresidente", True),
    ("Czytaj też: Były dowódca wojsk", True),
    ("Schon gelesen?", True),
    ("Weitere Themen", True),
    ("Inhaltsverzeichnis", True),
    ("Crédits photos : Bestimage", True),
    ("Follow The Gazette on Twitter and Instagram @gazette", True),
    ("Hauptinhalt", True),
    ("To view the full story, please subscribe to The Gazette.", True),
    ("If you're seeing this message but you're already a subscriber, you can log in.", True),
    ("Get The Gazette's Daily Edition by email and never miss our top stories", True),
    ("Subscribe now to our e-edition for the full story.", True),
    ("Anzeige, enthält Affiliate Links", True),
    ("*Werbung. Dieser Beitrag enthält Werbung für eine Marke.", True),
    ("Weitere Informationen zum Hafen in Kiel:", True),
    ("Last Modified:", True),
    # story text that shares words with the labels
    ("Read more carefully, the report shows the council knew of the cracks in 2019.", False),
    ("It takes 3 minutes to read the whole charter aloud, the clerk said.", False),
    ("Fotos zeigen, wie hoch das Wasser im Hafen stand.", False),
    ("Subscribers to the ferry pass get a discount from May.", False),
    ("Get the ferry timetable from the harbour office.", False),
    ("Werbung, die Kinder anspricht, soll im Hafen verboten werden.", False),
    ("Mehr Informationen finden Sie auf der Seite der Stadt und beim Bürgeramt.", False),
])
def test_furniture_in_other_languages(text, expected):
    assert is_boilerplate_text(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("April 21, 2022", True), ("Stand: 28.04.2020 18:00 Uhr", True), ("Mo, 11:41 Uhr", True),
    ("Posted on", True), ("06.11.2023", True),
    ("The pier will close in 2022 for repairs.", False), ("Six weeks of work", False),
])
def test_date_lines(text, expected):
    assert is_date_line(text) is expected


def test_nested_divisions_of_the_extractor_become_separate_blocks():
    body = etree.fromstring("<body><div><p>First paragraph.</p><div><p>Second one.</p></div></div>"
                            "<p>Third.</p></body>")
    flatten_divisions(body)
    assert blocks_from_xml(body) == [("p", "First paragraph."), ("p", "Second one."), ("p", "Third.")]


def test_text_in_a_span_broken_by_double_line_breaks_comes_out_in_paragraphs():
    html = ('<html><head><title>North pier to close</title></head><body><div class="menu"><a href="/">Home</a> | '
            '<a href="/port">Port</a></div><h1>North pier to close</h1><div class="content"><img src="/p.jpg"><br>'
            f'<span>{"<br><br>".join(STORY)}</span></div><div class="foot">Contact us</div></body></html>')
    warnings: list[str] = []
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED,
                              warnings=warnings)
    assert "no_body" not in warnings
    assert article.body.split("\n\n") == STORY


def test_loose_text_of_a_division_becomes_paragraphs():
    body = etree.fromstring("<body><div>One a.<lb/>one b.<lb/><lb/>Two <hi>x</hi> y.<lb/><lb/><p>Three.</p>"
                            "Four.</div>after</body>")
    flatten_divisions(body)
    assert blocks_from_xml(body) == [("p", "One a.\none b."), ("p", "Two x y."), ("p", "Three."), ("p", "Four."),
                                     ("p", "after")]


@pytest.mark.parametrize("meta_line, dropped", [
    ("05/10/2018 - Posted by: Ann Lee - Category: Port - Tags: piers", True),
    # labelled fields without a date are a review's facts, not the page's meta line
    ("Tested by: Ann Lee | Price: 40 pounds | More info: gazette.example", False),
])
def test_meta_line_at_the_top(meta_line, dropped):
    html = harbour_page().replace('<div class="story-body">', f'<div class="story-body"><p>{meta_line}</p>')
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert (meta_line not in article.body) is dropped
    assert article.body.endswith(STORY[-1])


def test_story_inside_an_aside_is_kept_and_the_sidebar_aside_is_not():
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    html = (f"<html><head><title>North pier to close</title></head><body><h1>North pier to close</h1>"
            f'<aside class="paid-content">{paragraphs}</aside>'
            f'<aside class="sidebar"><p>{SIDEBAR[0]}</p></aside></body></html>')
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert article.body.split("\n\n") == STORY


def test_description_as_a_subheadline_is_not_a_standfirst():
    html = harbour_page().replace("<h1>North pier to close for repairs</h1>",
                                  f"<h1>North pier to close for repairs</h1><h2>{STANDFIRST}</h2>")
    article = extract_article(html, "https://gazette.example/port/north-pier", crawled_at=CRAWLED)
    assert article.body.split("\n\n") == STORY


def test_extract_body_leaves_the_tree_as_it_was() -> None:
    story = "".join(f"<p>Paragraph {n} of the story, long enough to be kept as the text of the body here.</p>"
                    for n in range(6))
    tree = lxml_html.document_fromstring(
        "<html><body><nav><a href='/'>Home</a></nav><div class='share-buttons'>Share</div>"
        f"<table><tr><td><h1>Headline</h1>{story}</td></tr></table><footer>Footer</footer></body></html>")
    before = etree.tostring(tree)
    body = extract_body(tree, "https://example.com/story")
    assert "Paragraph 3 of the story" in body.text
    assert etree.tostring(tree) == before
