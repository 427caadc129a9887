"""The story's own text: main content without boilerplate, its lede, cleaned markup and figures.

trafilatura finds the main content; this module prepares the tree for it (captions, comment
forms and related-story blocks removed first, so they can never leak into the body) and
turns its result into the Article's plain-text and HTML forms.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.items import Image

# A precision-mode result shorter than this is checked against the balanced mode's, and
# replaced when it holds less than this share of it.
RETRY_BELOW_WORDS = 100
RETRY_SHARE = 0.6

# Removed before main-text extraction: never part of a story's body. trafilatura already
# drops most comment, share and related blocks; these are the ones it can let through.
_DROP_TAGS = ("figcaption", "aside", "nav", "form")
_DROP_XPATH = etree.XPath(
    "//*[contains(@class, 'caption-text') or contains(@class, 'comment-respond') or @id='respond']"
)
# A paragraph that is a picture and its caption: <p><img><br><small>Caption</small></p>.
_CAPTION_PARAGRAPH = etree.XPath(
    "//p[img or */img][small or em or i or span][string-length(normalize-space()) < 400]"
)
_FIGURE_XPATH = etree.XPath(
    ".//figure | .//*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption ')]"
    " | .//p[img or */img][small or em or i or span][string-length(normalize-space()) < 400]"
)
_FIGURE_OUTSIDE = re.compile(
    r"related|sidebar|widget|comment|footer|promo|recommend|also-like|popular|trending|newsletter|share"
    r"|author|avatar|logo"
    r"|advert|\bads?\b",
    re.IGNORECASE,
)
# Whole blocks that are page furniture, not the story (matched on short blocks only).
_FURNITURE = re.compile(
    r"^(?:\d+\s+)?(?:comments?|leave a (?:reply|comment)|click to comment|post a comment|add a comment|"
    r"share(?: this)?(?: article| story| post)?(?: on \w+)?|print(?: this)?(?: article| story)?|order reprints|"
    r"email(?: this)?(?: article| story)?|related(?: articles| stories| posts| content| coverage)?|read more|"
    r"read next|advertisement|sponsored|tell us what you think|you may also like|you might also like|"
    r"recommended(?: for you| stories| articles)?|more from [\w .'-]+|follow us(?: on [\w ,]+)?|"
    r"sign up for (?:our|the) [\w ]*newsletters?|subscribe(?: now| today)?|skip to (?:main )?content|"
    r"back to top|top stories|trending(?: now| stories)?|most (?:read|popular|viewed)|also read|"
    r"(?:also read|read also|see also|related|tags|topics|filed under|tagged)\s*:.*|"
    r"updated(?: on| at)? [\w ,:.]*\d[\w ,:.]*|posted(?: on| at)? [\w ,:.]*\d[\w ,:.]*)[.:!…]*$",
    re.IGNORECASE,
)
# The same furniture in the other languages news sites are written in: a cross-link label with the
# linked story's title after it, or a label alone.
_CROSS_LINK = re.compile(
    r"^(?:read more|read also|see also|see more|more on this|lea también|lee también|le puede interesar|te puede interesar|"
    r"vea también|ver también|mira también|notas? relacionadas?|noticias relacionadas|leia também|veja também|"
    r"leia mais|lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu|auch interessant|weiterlesen|"
    r"à lire aussi|lire aussi|voir aussi|à voir aussi|czytaj (?:też|także|więcej)|zobacz (?:też|także)|"
    r"leggi anche|potrebbe interessarti|lees ook)\s*[:»>|-]\s*\S.*$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:more|see more|don.?t miss|(?:by|von|por|par|door|przez):|schon gelesen\??|weitere (?:themen|artikel(?: zum thema)?|informationen|nachrichten|beiträge)|"
    r"mehr themen|kommentierte artikel|keine kommentare|kommentare|artikel teilen|teilen|drucken|"
    r"das könnte sie auch interessieren|lesen sie auch|mehr zum thema|inhaltsverzeichnis|table of contents|"
    r"hauptinhalt|main content|zum inhalt springen|bewerten|beitragsbild|titelbild|anzeige|werbung|"
    r"zum newsletter anmelden|newsletter abonnieren|notas relacionadas|noticias relacionadas|"
    r"artículos relacionados|comentarios|compartir|publicidad|te puede interesar|le puede interesar|"
    r"commentaires|partager|publicité|à lire aussi|lire aussi|dowiedz się więcej|czytaj też|czytaj także|"
    r"reklama|komentarze|udostępnij|leia também|comentários|compartilhe|publicidade|pubblicità|"
    r"leggi anche|condividi|commenti)[.:!…]*$",
    re.IGNORECASE,
)
# "3 min read", "5 minute read", "Lesezeit: 3 Minuten", "Reading time: 4 minutes", "Tiempo de lectura: 2 min".
_READING_TIME = re.compile(
    r"^(?:(?:estimated )?(?:reading time|read time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|"
    r"tempo de leitura|tempo di lettura|czas czytania|leestijd)\s*:?\s*(?:ca\.?\s*|about\s*)?)?"
    r"\d+(?:[-–]\d+)?\s*(?:min(?:ute)?s?|minuten?|minutos?|minuti|minut)\.?"
    r"(?:\s*(?:read|reading|to read|lesezeit|lesedauer|de lectura|de lecture|de leitura|di lettura|czytania))?$",
    re.IGNORECASE,
)
# Sponsorship disclosures ("Anzeige, enthält Affiliate Links", "*Werbung. Dieser Beitrag ...") and
# "more on this" headings ("Weitere Informationen zum Coronavirus:"), short lines only.
_DISCLOSURE = re.compile(
    r"^\*?(?:anzeige|werbung|advertisement|sponsored(?: content)?|publicidad|publicité|reklama)"
    r"\s*(?:[.:\-–|]|,\s*enthält)\s", re.IGNORECASE)
_MORE_ON = re.compile(
    r"^(?:weitere|mehr) (?:aktuelle |\w+ )?(?:themen|artikel|informationen|beiträge|nachrichten)\b"
    r"(?:(?:\s+\S+){0,4}|.*:)$"
    r"|^(?:last modified|last updated|letzte änderung|zuletzt aktualisiert|quellenangaben|quellen|sources)\s*:?$"
    r"|^alle angaben ohne gewähr",
    re.IGNORECASE)
# Subscription and newsletter prompts: "To view the full story, please subscribe", "Get our Daily Edition by email".
_PROMPT = re.compile(
    r"^(?:to (?:view|read|continue reading|access) (?:the|this) (?:full|entire|whole|rest of the) (?:story|article)"
    r"|subscribe (?:now|today) (?:to|for)\b|(?:if you(?:'|’)re )?already a subscriber|if you(?:'|’)re seeing this"
    r"|(?:get|never miss|sign up)\b.{0,80}\b(?:newsletter|by email|in your inbox|daily edition)\b"
    r"|we want to hear what you think)",
    re.IGNORECASE,
)
# "Follow The Gleaner on Twitter and Instagram", "Photo: Jane Doe", "Quelle: dpa" (short lines only).
_SOCIAL_FOLLOW = re.compile(
    r"^(?:follow|like|join)\b.{0,80}\b(?:on|at|in)\s+(?:twitter|facebook|instagram|telegram|whatsapp|"
    r"linkedin|youtube|tiktok)\b", re.IGNORECASE)
_CREDIT_LINE = re.compile(
    r"^(?:fotos?|photos?|bild(?:er)?|titelbild|beitragsbild|crédits? photos?|credits?|quelle|source|fuente|"
    r"fonte|źródło|image|imagen)\s*:\s*\S", re.IGNORECASE)
# WordPress shortcodes left unrendered: "[button link=...]Text[/button]".
_BYLINE_LINE = re.compile(r"^by\s+[^\W\d_]", re.IGNORECASE)
_SHORTCODE = re.compile(r"\[[a-z_]+(?:\s+[\w-]+=[^\]]*)+\].*|.*\[/[a-z_]+\]", re.IGNORECASE)
_URL_ONLY = re.compile(r"(?:https?://|www\.)\S+")
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved", re.IGNORECASE)
_CREDIT_WORDS = re.compile(
    r"\b(?:REUTERS|Reuters|AP|AFP|Getty|EPA|Shutterstock|Bloomberg|PTI|ANI|IANS|Xinhua|Alamy|iStock|Pool|"
    r"Photo|Photograph|Image|Picture|Credit|Courtesy|Handout|File Photo)\b"
)
_CREDIT_LABEL = re.compile(
    r"(?:^|\s)\(?(?:Photo|Image|Picture|Credit|Photograph|Foto)s?\s*(?:by|:|credit:)\s*(.+?)\)?$",
                           re.IGNORECASE)

# Text blocks inside a profile-selected body container; captions stay out here too.
_SELECTED_BLOCKS = etree.XPath(
    ".//*[self::p or self::h2 or self::h3 or self::h4 or self::li or self::blockquote[not(.//p)]]"
    "[not(ancestor::figure or ancestor::figcaption or ancestor::li)]"
)


@dataclass
class Body:
    """The main text of a page in the forms the Article stores."""

    text: str | None = None
    html: str | None = None
    lede: str | None = None
    blocks: list[str] = field(default_factory=list)


def extract_body(
    tree: HtmlElement, url: str, headlines: tuple[str, ...] = (), site_names: tuple[str, ...] = (),
    description: str | None = None,
) -> Body:
    """Main text of a page. ``tree`` is left as it was: the boilerplate is pruned from a copy, so
    other readers of the page (images, dates) may come before or after.

    ``headlines`` are the page's title and ``<h1>``: the main-text extractor often starts
    with the headline, which is not part of the body; ``site_names`` mark a closing line
    about the site ("Riverside Bulletin, printed since 1974") as furniture; ``description``
    (the page's meta description) finds a standfirst shown above the story that the
    extractor left out. Raises whatever trafilatura raises on a hopeless tree; the caller
    records the reason.
    """
    import trafilatura

    tree = copy.deepcopy(tree)
    for node in boilerplate_nodes(tree):
        _drop(node)
    unwrap_layout_tables(tree)
    options = dict(url=url, with_metadata=False, include_comments=False, include_tables=True,
                   include_images=False, include_formatting=True, output_format="python")
    # Precision mode leaves out more of the page's furniture; when it keeps very little,
    # it may have missed the story, and the balanced mode gets a say.
    document = trafilatura.bare_extraction(tree, favor_precision=True, fast=True, **options)
    words = _words(document)
    if words < RETRY_BELOW_WORDS:
        balanced = trafilatura.bare_extraction(tree, **options)
        if words < RETRY_SHARE * _words(balanced):
            document = balanced
    if document is None or document.body is None:
        return Body()
    flatten_divisions(document.body)
    drop_page_header_blocks(document.body, tree, headlines)
    _drop_boilerplate_blocks(document.body, site_names)
    restore_standfirst(document.body, tree, description, headlines)
    restore_lists(document.body, tree)
    blocks = blocks_from_xml(document.body)
    if not blocks:
        return Body()
    return Body(
        text="\n\n".join(text for _, text in blocks),
        html=_to_html(document.body),
        lede=next((text for kind, text in blocks if kind == "p" and len(text.split()) >= 5), blocks[0][1]),
        blocks=[text for _, text in blocks],
    )


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into plain blocks, innermost first.

    Old-style pages put the whole story in a table cell; extracted as a table, its
    paragraphs would run together in one "row". A table is layout when a cell holds a
    headline, several paragraphs or a long text: data tables do not.
    """
    for table in reversed(list(tree.iter("table"))):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./thead/tr/td | ./tr/th | ./tbody/tr/th")
        if not any(_is_layout_cell(cell) for cell in cells):
            continue
        for part in table.xpath("./tbody | ./thead | ./tfoot | ./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr"):
            part.drop_tag()
        for cell in cells:
            cell.tag = "div"
            for name in list(cell.attrib):
                if name not in ("class", "id"):
                    del cell.attrib[name]
        table.tag = "div"
        for name in list(table.attrib):
            if name not in ("class", "id"):
                del table.attrib[name]


def _is_layout_cell(cell: HtmlElement) -> bool:
    if cell.find(".//h1") is not None or cell.find(".//h2") is not None:
        return True
    return len(cell.findall("p")) >= 2 or len(cell.text_content().split()) > 80


def _words(document) -> int:
    if document is None or document.body is None:
        return 0
    return len(document.body.xpath("string()").split())


def flatten_divisions(body: etree._Element) -> None:
    """Lift the blocks of trafilatura's ``<div>`` wrappers to the top level, where every later step looks.

    Left nested, a wrapper's paragraphs would come out as one block, glued together. Text
    written straight into the wrapper (a ``<span>`` broken by ``<br><br>``) becomes
    paragraphs, one per double line break.
    """
    for division in [child for child in body.iter("div") if child is not body]:
        parent = division.getparent()
        if parent is None:
            continue
        blocks = _division_blocks(division)
        position = parent.index(division)
        parent.remove(division)
        for offset, block in enumerate(blocks):
            parent.insert(position + offset, block)


_BLOCK_TAGS = {"p", "head", "list", "table", "quote", "div", "graphic", "code"}


def _division_blocks(division: etree._Element) -> list[etree._Element]:
    """The wrapper's block children, with its loose text and inline elements gathered in paragraphs."""
    blocks: list[etree._Element] = []
    run: etree._Element | None = None

    def add_text(text: str | None) -> None:
        nonlocal run
        if not text or (run is None and not text.strip()):
            return
        if run is None:
            run = etree.Element("p")
            blocks.append(run)
        if len(run):
            run[-1].tail = (run[-1].tail or "") + text
        else:
            run.text = (run.text or "") + text

    add_text(division.text)
    for child in list(division):
        tail, child.tail = child.tail, None
        if child.tag in _BLOCK_TAGS:
            blocks.append(child)
            run = None
        elif child.tag == "lb" and run is not None and len(run) and run[-1].tag == "lb" \
                and not (run[-1].tail or "").strip():
            run.remove(run[-1])  # a double line break ends the paragraph
            run = None
        elif run is not None or child.tag != "lb":
            if run is None:
                run = etree.Element("p")
                blocks.append(run)
            run.append(child)
        add_text(tail)
    run = None  # text after the wrapper is a block of its own
    add_text(division.tail)
    return blocks


def drop_page_header_blocks(body: etree._Element, tree: HtmlElement, headlines: tuple[str, ...]) -> None:
    """Remove the page's header lines that open the body: kicker, headline, date and reading-time labels.

    The headline may come after a few short lines (a kicker, "Posted on", a date): all of them
    go. Without the headline, a short first line goes when it is a date or reading-time label,
    or the kicker printed right above the headline.
    """
    keys = [key for key in (_letters(h) for h in headlines if h) if key]
    top = [child for child in body[:6] if child.tag in ("p", "head")]
    for position, child in enumerate(top):
        text = collapse(child.xpath("string()"))
        if keys and _is_headline(_letters(text), keys):
            for block in top[: position + 1]:
                body.remove(block)
            break
        if len(text.split()) > 12:
            break
    while len(body) and body[0].tag in ("p", "head"):
        text = collapse(body[0].xpath("string()"))
        if not (is_date_line(text) or is_boilerplate_text(text) or _is_meta_line(text)
                or _is_kicker(text, tree, headlines)):
            break
        body.remove(body[0])


# "Posted on", "Published:" and the like, left alone when the date beside them is a separate block.
_DATE_LABEL = re.compile(
    r"^(?:posted|published|updated|veröffentlicht|publicado|publié|pubblicato|stand|datum|date)"
    r"(?:\s+(?:on|am|el|le|il))?\s*:?$",
    re.IGNORECASE,
)
_YEAR_OR_TIME = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")


def is_date_line(text: str) -> bool:
    """A line that only says when: "April 21, 2022", "Stand: 28.04.2020 18:00 Uhr", "Mo, 11:41 Uhr", "Posted on"."""
    tokens = text.replace("|", " ").split()
    if not tokens or len(tokens) > 7:
        return False
    if _DATE_LABEL.match(text):
        return True
    if not _YEAR_OR_TIME.search(text):
        return False
    words = [t for t in tokens if re.fullmatch(r"[^\W\d_]+[.,:]?", t)]
    return len(words) <= 3 and all(len(w) <= 15 for w in words)


# "Posted by:", "Categoria:", "Tags:": the labelled fields of a page's meta line.
_FIELD_LABEL = re.compile(r"(?:^|\s)[^\W\d_]{2,15}(?:\s[^\W\d_]{2,5})?\s?:(?=\s)")
_FIELD_SEPARATOR = re.compile(r"\s[-|·•–]\s|\n")
_DATE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")


def _is_meta_line(text: str) -> bool:
    """A short dated line of labelled fields ("05/10/2018 - Posted by: Ann Lee - Category: Health - Tags: ...")."""
    return (len(text.split()) <= 30 and len(_FIELD_LABEL.findall(text)) >= 2
            and bool(_FIELD_SEPARATOR.search(text)) and bool(_DATE.search(text)))


def _is_headline(text: str, keys: list[str]) -> bool:
    """The block repeats the headline, perhaps with a part more or less ("Headline - Site")."""
    for key in keys:
        if text == key:
            return True
        short, long_ = sorted((text, key), key=len)
        if len(short) > 15 and short in long_ and len(short) >= 0.7 * len(long_):
            return True
    return False


def _is_kicker(text: str, tree: HtmlElement, headlines: tuple[str, ...]) -> bool:
    """A short line printed just above the headline (a section or topic label)."""
    if not text or len(text.split()) > 6 or text[-1] in ".!?:":
        return False
    headline = next((node for h in headlines if h and (node := _block_with_text(tree, h)) is not None), None)
    if headline is None:
        return False
    wanted = _letters(text)
    for sibling in headline.itersiblings(preceding=True):
        if not isinstance(sibling.tag, str) or sibling.tag == "br":
            continue
        return _letters(sibling.text_content()) == wanted
    return False


def restore_standfirst(
    body: etree._Element, tree: HtmlElement, description: str | None, headlines: tuple[str, ...] = ()
) -> None:
    """Put back the standfirst: the summary printed between headline and story, outside the story's container.

    Many sites show their meta description as a lead paragraph in its own block ("teaser",
    "intro") above the story; the main-text extractor keeps the story's container and
    loses it. The block is found by the description's text, and restored only when it
    comes before the story's first paragraph and the body does not already hold it. A
    subheadline (the description in an ``<h2>`` under the headline) stays out.
    """
    if not description or len(description.split()) < 8 or len(body) == 0:
        return
    wanted = _letters(description)
    if wanted in {_letters(h) for h in headlines} or _letters(description[:200]) in _letters(body.xpath("string()")):
        return
    lead = _block_with_text(tree, description)
    if lead is None or lead.tag in _HEADINGS:  # a subheadline is a second title, not the story's text
        return
    text = collapse(lead.text_content())
    blocks = (collapse(child.xpath("string()")) for child in body if child.tag in ("p", "head"))
    story = next((found for block in islice(filter(None, blocks), 3)
                  if (found := _block_with_text(tree, block)) is not None), None)
    if story is None or not _precedes(lead, story) or _letters(text) in _letters(body.xpath("string()")):
        return
    paragraph = etree.Element("p")
    paragraph.text = text
    body.insert(0, paragraph)


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_CONTAINING = etree.XPath("//body//text()[contains(normalize-space(.), $words)]")
_NOT_STORY_TEXT = {"title", "script", "style", "noscript", "textarea", "option", "select", "button", "a", "nav",
                   "footer", "aside", "head"}


def _block_with_text(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The smallest element whose text is ``text`` (its first 80 letters at least, and not much more)."""
    words = " ".join(text.split()[:4])
    wanted = _letters(text)
    if len(words) < 8 or not wanted:
        return None
    head = wanted[: max(20, min(80, int(0.8 * len(wanted))))]
    for hit in _TEXT_CONTAINING(tree, words=words):
        node = hit.getparent()
        if hit.is_tail and node is not None:
            node = node.getparent()
        while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
            if node.tag in _NOT_STORY_TEXT:
                break
            have = _letters(node.text_content())
            if len(have) > 1.6 * len(wanted) + 40:
                break
            if head in have:
                if any(a.tag in _NOT_STORY_TEXT for a in node.iterancestors()):
                    break
                return node
            node = node.getparent()
    return None


def _precedes(first: etree._Element, second: etree._Element) -> bool:
    """True when ``first`` starts before ``second`` in document order and does not contain it."""
    ancestors = {id(a): a for a in second.iterancestors()}
    if id(first) in ancestors or first is second:
        return False
    node = first
    while node is not None and id(node.getparent()) not in ancestors and node.getparent() is not None:
        node = node.getparent()
    parent = node.getparent() if node is not None else None
    if parent is None:
        return False
    other = second
    while other.getparent() is not parent:
        other = other.getparent()
    return parent.index(node) < parent.index(other)


def restore_lists(body: etree._Element, tree: HtmlElement) -> None:
    """Put back the bullet lists and subheads the main-text extractor dropped between two story paragraphs.

    trafilatura can lose the ``<ul>`` or ``<h2>`` of a page without an article container
    ("The news:" paragraph, three bullets, next paragraph). One is restored only when it
    sits between two paragraphs that were both extracted, and list items are sentences, not links.
    """
    candidates = [p for p in tree.iter("p") if (following := p.getnext()) is not None and following.tag in _RESTORABLE]
    if not candidates:
        return
    extracted = {_letters(child.xpath("string()")): child for child in body if child.tag == "p"}
    extracted.pop("", None)
    if len(extracted) < 2:
        return
    present = {_letters(node.xpath("string()")) for node in body.iter("head", "item")}
    for paragraph in candidates:
        following = paragraph.getnext()
        block = extracted.get(_letters(paragraph.text_content()))
        if block is None:
            continue
        between, sibling = [], following
        while sibling is not None and sibling.tag in _RESTORABLE:
            between.append(sibling)
            sibling = sibling.getnext()
        if not between or sibling is None or sibling.tag != "p" or _letters(sibling.text_content()) not in extracted:
            continue
        anchor = block
        for source in between:
            restored = _restorable(source, present)
            if restored is not None:
                anchor.addnext(restored)
                anchor = restored


_RESTORABLE = {"ul", "ol", "h2", "h3", "h4"}


def _restorable(source: HtmlElement, present: set[str]) -> etree._Element | None:
    """trafilatura's XML for a dropped list or subhead, or None when it is not story text."""
    if source.tag in ("h2", "h3", "h4"):
        text = collapse(source.text_content())
        if not text or len(text.split()) > 20 or _letters(text) in present:
            return None
        head = etree.Element("head", rend=source.tag)
        head.text = text
        return head
    items = [collapse(li.text_content()) for li in source.iter("li")]
    link_text = sum(len(collapse(a.text_content())) for a in source.iter("a"))
    text = sum(len(item) for item in items)
    if not items or link_text > 0.3 * text or text / len(items) < 40 or any(_letters(i) in present for i in items):
        return None
    restored = etree.Element("list", rend=source.tag)
    for item in items:
        etree.SubElement(restored, "item").text = item
    return restored


def _drop_boilerplate_blocks(body: etree._Element, site_names: tuple[str, ...] = ()) -> None:
    """Remove top-level blocks that are page furniture: share/print links, copyright lines,
    shortcodes, a byline line at the top, a line naming the site at the end."""
    children = [child for child in body if child.tag in ("p", "head")]
    for position, child in enumerate(children):
        text = collapse(child.xpath("string()"))
        if is_boilerplate_text(text) or (position < 3 and _BYLINE_LINE.match(text) and len(text.split()) <= 20):
            body.remove(child)
    keys = {_letters(name) for name in site_names if name and len(name) > 3}
    while len(body) and body[-1].tag == "p" and keys:
        text = collapse(body[-1].xpath("string()"))
        if len(text.split()) > 15 or not any(key in _letters(text) for key in keys):
            break
        body.remove(body[-1])


def is_boilerplate_text(text: str) -> bool:
    """True for a short block that only a page's furniture says ("Order Reprints", "© 2019 ...")."""
    if not text:
        return False
    words = len(text.split())
    if words > 25:
        return False
    if _FURNITURE.match(text) or _SHORTCODE.fullmatch(text) or _URL_ONLY.fullmatch(text):
        return True
    if _LABEL.match(text) or _READING_TIME.match(text) or _CROSS_LINK.match(text):
        return True
    if words <= 6 and _CREDIT_LINE.match(text):
        return True
    if _SOCIAL_FOLLOW.match(text) or _PROMPT.match(text):
        return True
    if words <= 12 and (_DISCLOSURE.match(text) or _MORE_ON.match(text)):
        return True
    return words <= 15 and bool(_COPYRIGHT.search(text))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def boilerplate_nodes(tree: HtmlElement) -> list[HtmlElement]:
    """Captions, comment forms, asides and navigation: never the story's text.

    An ``<aside>`` holding most of the page's paragraphs is the story itself: it becomes a
    ``<div>`` (the tree is modified) and stays.
    """
    nodes = [node for node in tree.iter(*_DROP_TAGS) if node.tag != "form" or _is_input_form(node)]
    asides = [node for node in nodes if node.tag == "aside"]
    for story in _story_asides(tree, asides) if asides else []:
        story.tag = "div"  # the main-text extractor drops asides too
        nodes.remove(story)
    nodes += [node for node in tree.iter("table") if _link_share(node) > 0.5]
    nodes += [node for node in _CAPTION_PARAGRAPH(tree) if not (node.text or "").strip()
              and not any((child.tail or "").strip() for child in node)]
    return nodes + _DROP_XPATH(tree)


def _story_asides(tree: HtmlElement, asides: list[HtmlElement]) -> list[HtmlElement]:
    """The ``<aside>`` some sites put their whole story in: it holds most of the page's paragraph text."""
    total = sum(len(p.text_content()) for p in tree.iter("p"))
    return [aside for aside in asides
            if total and sum(len(p.text_content()) for p in aside.iter("p")) > 0.5 * total]


def _is_input_form(form: HtmlElement) -> bool:
    """A comment or search form; not the ``<form>`` some sites (ASP.NET) wrap around the whole page."""
    if form.find(".//textarea") is None and form.get("role") != "search":
        return False
    return form.find(".//h1") is None and len(form.text_content()) < 3000


def _link_share(node: HtmlElement) -> float:
    text = len(collapse(node.text_content()))
    links = sum(len(collapse(a.text_content())) for a in node.iter("a"))
    return links / text if text else 0.0


def body_from_selector_nodes(nodes: list[HtmlElement]) -> Body:
    """A Body from the elements a site profile's selector points at."""
    blocks: list[tuple[str, str]] = []
    for node in nodes:
        if not isinstance(node, HtmlElement):
            text = collapse(str(node))
            if text:
                blocks.append(("p", text))
            continue
        paragraphs = _SELECTED_BLOCKS(node)
        for child in paragraphs or [node]:
            text = collapse(child.text_content())
            if text:
                blocks.append(("head" if child.tag in ("h2", "h3", "h4") else "p", text))
    if not blocks:
        return Body()
    html = "".join(etree.tostring(n, encoding="unicode", with_tail=False) for n in nodes if isinstance(n, HtmlElement))
    return Body(
        text="\n\n".join(text for _, text in blocks),
        html=_clean_html(html) if html else None,
        lede=next((text for kind, text in blocks if kind == "p"), blocks[0][1]),
        blocks=[text for _, text in blocks],
    )


def body_from_text(text: str) -> Body:
    """A Body from a plain or HTML-escaped text (JSON-LD ``articleBody``): one block per line."""
    import html as html_lib

    plain = html_lib.unescape(text)
    if "<" in plain:
        plain = re.sub(r"<(?:br|/p|/div|/li|/h\d)\b[^>]*>", "\n", plain, flags=re.IGNORECASE)
        plain = re.sub(r"<[^>]+>", " ", plain)
    blocks = [collapse(line) for line in plain.splitlines()]
    blocks = [block for block in blocks if block]
    if not blocks:
        return Body()
    markup = "".join(f"<p>{html_lib.escape(block)}</p>" for block in blocks)
    return Body(text="\n\n".join(blocks), html=f"<article>{markup}</article>", lede=blocks[0], blocks=blocks)


def collapse(text: str | None) -> str:
    """Whitespace runs as one space, ends trimmed."""
    return " ".join((text or "").split())


def blocks_from_xml(body: etree._Element) -> list[tuple[str, str]]:
    """(kind, text) for each paragraph, subhead, list item and table row of trafilatura's XML."""
    blocks: list[tuple[str, str]] = []
    for child in body:
        tag = child.tag
        if tag == "list":
            for item in child.iter("item"):
                text = element_text(item, skip={"list"})
                if text:
                    blocks.append(("item", text))
        elif tag == "table":
            for row in child.iter("row"):
                text = " | ".join(element_text(cell) for cell in row.iter("cell"))
                if collapse(text.replace("|", "")):
                    blocks.append(("row", text))
        elif tag != "graphic":
            text = element_text(child)
            if text:
                blocks.append(("head" if tag == "head" else "p", text))
    return blocks


def element_text(element: etree._Element, skip: set[str] | None = None) -> str:
    """Text of an element with ``<lb/>`` as a line break; elements in ``skip`` left out."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            if skip is None or child.tag not in skip:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    lines = (collapse(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _to_html(body: etree._Element) -> str | None:
    from trafilatura.htmlprocessing import convert_to_html

    root = convert_to_html(body)
    article = root[0]
    article.tag = "article"
    return etree.tostring(article, encoding="unicode", method="html")


def _clean_html(markup: str) -> str:
    from lxml_html_clean import Cleaner

    cleaner = Cleaner(scripts=True, javascript=True, style=True, comments=True, forms=True, embedded=True,
                      frames=True, meta=True, page_structure=True, safe_attrs_only=True)
    try:
        return cleaner.clean_html(markup)
    except (etree.ParserError, ValueError):
        return markup


def _drop(node: HtmlElement) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    if tail and tail.strip():
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


# --- images ------------------------------------------------------------------------------


def extract_images(
    tree: HtmlElement, url: str, featured: list[str], roots: list[HtmlElement] | None = None
) -> list[Image]:
    """Featured image first, then the figures of the story with caption and credit.

    ``roots`` are the story containers metadata found; figures are looked for in the one
    with most paragraphs, else in the whole page.
    """
    images: list[Image] = [Image(url=u) for u in featured[:1]]
    scope = max(roots, key=lambda node: sum(1 for _ in node.iter("p"))) if roots else tree
    for figure in _FIGURE_XPATH(scope):
        if _outside_story(figure):
            continue
        img = next(iter(figure.iter("img")), None)
        if img is None:
            continue
        src = _image_src(img)
        if not src:
            continue
        absolute = urljoin(url, src)
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        caption, credit = figure_caption(figure)
        existing = next((i for i in images if _same_image(i.url, absolute)), None)
        if existing is not None:
            existing.caption = existing.caption or caption
            existing.credit = existing.credit or credit
            continue
        images.append(Image(url=absolute, caption=caption, credit=credit))
    return images


def _outside_story(node: HtmlElement) -> bool:
    for ancestor in node.iterancestors():
        if ancestor.tag in ("aside", "footer", "nav", "header") and ancestor.tag != "article":
            return True
        attrs = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if attrs.strip() and _FIGURE_OUTSIDE.search(attrs):
            return True
    return False


def _image_src(img: HtmlElement) -> str | None:
    for attribute in ("data-src", "data-lazy-src", "data-original", "src"):
        value = (img.get(attribute) or "").strip()
        if value and not value.startswith("data:"):
            return value
    srcset = img.get("srcset") or img.get("data-srcset")
    if srcset:
        return srcset.split(",")[0].split()[0]
    return None


def _same_image(a: str, b: str) -> bool:
    """Same picture at another size (``photo-300x200.jpg`` vs ``photo.jpg``) counts as the same."""
    def stem(u: str) -> str:
        path = urlsplit(u).path
        return re.sub(r"-\d+x\d+(?=\.\w+$)", "", path)

    return stem(a) == stem(b)


def figure_caption(figure: HtmlElement) -> tuple[str | None, str | None]:
    """(caption, credit) of a figure; the credit is split off the caption when marked or obvious."""
    caption_nodes = figure.xpath(
        ".//figcaption | .//*[contains(@class, 'caption') or @itemprop='caption' or @itemprop='description']"
    )
    credit_nodes = figure.xpath(
        ".//*[contains(@class, 'credit') or contains(@class, 'copyright') or @itemprop='copyrightHolder'"
        " or @itemprop='creator' or @itemprop='author']"
    )
    caption = collapse(caption_nodes[0].text_content()) if caption_nodes else ""
    if not caption and figure.tag == "p":
        caption = collapse(figure.text_content())
    if not caption:
        caption = collapse(next((i.get("alt") for i in figure.iter("img") if i.get("alt")), ""))
    credit = collapse(credit_nodes[0].text_content()) if credit_nodes else ""
    if credit and caption.endswith(credit):
        caption = caption[: -len(credit)].rstrip(" -–—|")
    elif caption and not credit:
        caption, credit = split_credit(caption)
    return caption or None, credit or None


def split_credit(caption: str) -> tuple[str, str]:
    """Split a trailing photo credit off a caption ("... 2022. Jane Doe/Pool via REUTERS")."""
    labelled = _CREDIT_LABEL.search(caption)
    if labelled and labelled.start() > 0 and not re.search(r"\bFILE\s*$", caption[: labelled.start() + 1], re.I):
        return caption[: labelled.start()].strip(), labelled.group(1).strip()
    parts = re.split(r"(?<=[.!?)])\s+", caption)
    if len(parts) >= 2:
        last = parts[-1]
        if len(last.split()) <= 10 and ("/" in last or _CREDIT_WORDS.search(last)) and not last.endswith("."):
            return " ".join(parts[:-1]).strip(), last.strip()
    return caption, ""
