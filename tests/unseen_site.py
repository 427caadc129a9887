"""A newspaper of a shape the project was not built on, for end-to-end acceptance probes.

"The Western Courier", an Indian daily: four article templates side by side, none of them
WordPress-like and none shaped like ``tests/sitegen.py`` or the demo:

- ``/news/<section>/<id>-<slug>.html``: JSON-LD NewsArticle, ``<div class="story-content">``
  with an inline "Related stories" box, a reader-comment thread under it;
- ``/a/<id>``: OpenGraph only, ``<section itemprop="articleBody">``, the date in a byline
  line ("Published Nov 21, 2026 03:40 IST"), "Also read" links between paragraphs;
- ``/?p=<id>``: no metadata at all, ``<p>`` soup in a layout table, the date only in the
  byline, a photo caption carrying an older date;
- ``/<yyyy>/<mm>/<dd>/<slug>/``: ``<article>`` with ``<time>``, no structured data.

Section listings paginate as ``?page=N`` (numbered links), ``/world/page/N/`` ("Older
stories") and the front page has a "Load more" link; tag pages, writer pages with a
biography, About/Contact/search pages and a corrections page are not articles.

Stories are planted under many URLs (tracking parameters, AMP variants, two sections, a
canonical that disagrees with the URL, a ``?p=`` shortlink of a dated story, a canonical
wrongly naming the front page) and as syndicated copies (new headline, reworded
sentences, a wire byline). Optionally a JavaScript-only section (``/live/``) and a
``/briefs/`` section whose stories hit network faults.

Everything is served from a route table by :func:`tests.hostile_server.serve_site`
(query strings are part of the path), so the same site serves faults on demand.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape

from tests.hostile_server import PNG, HostileSite, Route, serve_site

IST = timezone(timedelta(hours=5, minutes=30))
NAME = "The Western Courier"

# --- Prose ---------------------------------------------------------------------------------------

# Every story has its own subject matter; sentences are composed from its facts and from pools
# big enough that two stories share no more than everyday phrases.
TOPICS = [
    ("city", "Water cuts to hit 14 wards as Bhandup plant valve is replaced", "MUMBAI",
     "the water supply", "the Bhandup treatment plant", "tanker operators", "a 2,400 mm valve"),
    ("city", "Coastal road tunnel opens to traffic after three-year dig", "MUMBAI",
     "the twin tunnel", "the Priyadarshini Park portal", "morning commuters", "ventilation fans"),
    ("business", "Textile exporters warn of layoffs as cotton prices climb", "SURAT",
     "yarn contracts", "the spinning mills of Bhiwandi", "power-loom owners", "a cotton candy of 356 kg"),
    ("business", "Rupee slips to record low as oil importers buy dollars", "MUMBAI",
     "the currency", "the interbank market", "state-run refiners", "forward premiums"),
    ("sport", "Mumbai clinch Ranji semi-final berth on rain-hit final day", "NAGPUR",
     "the first-innings lead", "the Jamtha stadium", "the spinners", "a damp outfield"),
    ("world", "Delta nations stall over who pays for flood barriers", "DHAKA",
     "the barrier fund", "the Meghna estuary", "rice farmers", "tidal sluice gates"),
    ("city", "Mahim bridge reopens with weight limits after monsoon damage", "MUMBAI",
     "the bridge deck", "the Mahim creek crossing", "bus drivers", "steel bearings"),
    ("health", "Dengue cases double in October as hospitals add fever wards", "PUNE",
     "the fever wards", "Sassoon General Hospital", "ward officers", "platelet kits"),
    ("technology", "Startup fits fishing boats with satellite tags to stop overfishing", "KOCHI",
     "the tracking tags", "the Vypeen fishing harbour", "trawler crews", "solar-powered beacons"),
    ("business", "Sugar mills seek export quota as cane harvest beats forecasts", "KOLHAPUR",
     "the crushing season", "cooperative sugar factories", "cane growers", "ethanol blending targets"),
    ("world", "Ferry crews strike in Colombo over cut to fuel subsidy", "COLOMBO",
     "the ferry timetable", "the Colombo harbour jetties", "island commuters", "diesel rations"),
    ("education", "University delays results after exam server outage", "NAGPUR",
     "the answer-sheet portal", "the examination building", "final-year students", "scanned scripts"),
    ("sport", "Marathon organisers cap entries at 40,000 after crush fears", "MUMBAI",
     "the start pens", "the Azad Maidan start line", "amateur runners", "timing chips"),
    ("city", "Bird flu scare shuts Crawford poultry market for a week", "MUMBAI",
     "the poultry stalls", "the Crawford market sheds", "wholesale traders", "culling teams"),
    ("business", "Regional airline orders 30 jets to fly smaller routes", "BENGALURU",
     "the aircraft order", "the Kempegowda airport hangars", "leasing firms", "turboprop slots"),
    ("science", "Glacier survey finds Himalayan lake swelling faster than feared", "GANGTOK",
     "the glacial lake", "the South Lhonak basin", "survey teams", "moraine dams"),
    ("city", "Metro line 3 trial runs pushed back by signalling faults", "MUMBAI",
     "the signalling software", "the Aarey car depot", "rolling-stock engineers", "axle counters"),
    ("health", "Nurses in state hospitals begin work-to-rule over overtime pay", "NASHIK",
     "the overtime roster", "the civil hospital", "nursing unions", "night shifts"),
    ("business", "Onion prices halve as late kharif crop floods mandis", "LASALGAON",
     "onion arrivals", "the Lasalgaon wholesale market", "commission agents", "cold-storage sheds"),
    ("world", "Port strike strands container ships off Chittagong", "CHITTAGONG",
     "the berthing queue", "the Chittagong container terminal", "dock workers", "reefer boxes"),
    ("science", "Observatory records longest solar storm in a decade", "BENGALURU",
     "the magnetometer readings", "the Gauribidanur array", "radio astronomers", "power-grid operators"),
    ("sport", "Kabaddi league moves final to Pune after stadium inspection", "PUNE",
     "the league final", "the Balewadi indoor arena", "franchise owners", "safety auditors"),
    ("education", "Schools told to shift morning classes as smog worsens", "NEW DELHI",
     "the school timetable", "government schools in east Delhi", "parents' associations", "air purifiers"),
    ("technology", "Telecom regulator fines two operators for dropped calls", "NEW DELHI",
     "the call-drop audit", "the regulator's test drives", "mobile subscribers", "tower outages"),
    ("city", "Housing society fights eviction notice over redevelopment deal", "THANE",
     "the redevelopment agreement", "the Naupada housing colony", "elderly tenants", "transit rent cheques"),
    ("markets", "Gold loan firms tighten lending as bullion swings", "CHENNAI",
     "gold-backed lending", "the pawnbrokers of Sowcarpet", "small borrowers", "loan-to-value ratios"),
    ("world", "Nepal reopens trekking routes closed by landslides", "KATHMANDU",
     "the Annapurna circuit", "the trailheads near Besisahar", "porters and guides", "suspension bridges"),
    ("health", "Cancer hospital opens night clinic to cut chemotherapy waits", "MUMBAI",
     "the waiting list", "the Parel cancer hospital", "out-of-town patients", "infusion chairs"),
]

PEOPLE = [
    "Anita Deshpande", "Rohan Mehta", "Farah Qureshi", "Vikram Iyer", "Meera Nair", "Sanjay Kulkarni",
    "Leela Fernandes", "Arjun Bhatt", "Nisha Rao", "Kabir Sethi", "Priya Menon", "Tomas Novak",
    "Grace Okafor", "Daniel Weiss", "Imran Shaikh", "Ketaki Joshi", "Harish Pillai", "Zoya Mirza",
]
ROLES = [
    "a senior official who asked not to be named", "the municipal commissioner", "a spokeswoman for the state government",
    "the chief economist at a Mumbai brokerage", "the head of the local traders' association",
    "a professor of civil engineering at IIT Bombay", "the district collector", "an independent analyst",
    "the union's general secretary", "a consultant who advised on the project",
]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "late on Thursday", "on Friday", "over the weekend", "this week"]
OPENERS = [
    "{Subject} will be disrupted for at least {n} days, officials said {day}, as work on {place} runs late.",
    "Officials said {day} that {subject} had been hit harder than expected, with {group} bearing most of the cost.",
    "{Group} say {subject} has been mishandled from the start, and that warnings about {thing} were ignored.",
    "A long-running dispute over {subject} came to a head {day} when {group} walked out of talks at {place}.",
]
SENTENCES = [
    "Figures seen by the Courier show that {n} per cent of the budget for {thing} has already been spent.",
    "{Person}, {role}, said the delay could have been avoided if {thing} had been ordered a year ago.",
    "\u201cWe were told this would take {n} weeks, and nobody has explained what went wrong,\u201d said {person}, one of the {group} affected.",
    "The last time {subject} was interrupted on this scale, in {year}, it took almost {n} months to recover.",
    "Engineers at {place} have been working in three shifts, according to two people familiar with the schedule.",
    "Opposition councillors demanded an inquiry into how contracts for {thing} were awarded.",
    "{Group} in the area said they had received no written notice and learned of the change from social media.",
    "A review commissioned after the {year} floods had recommended replacing {thing} within five years.",
    "{Person} said the state would cover part of the losses but gave no figure.",
    "Prices have risen by {n} per cent since August, data from the district office shows.",
    "The contractor, which has not commented publicly, is due to appear before a standing committee next month.",
    "Insurers have so far settled fewer than {n} claims linked to {subject}.",
    "Around {n},000 people depend on {place} for their daily needs, according to the last census.",
    "{Person}, {role}, warned that {group} could not absorb another increase before the festival season.",
    "Local newspapers had reported cracks near {place} as early as {year}, but repairs were postponed twice.",
    "A helpline has been set up, though callers complained it was busy for most of the first day.",
    "The decision will be reviewed after {n} days, when inspectors file their report on {thing}.",
    "{Group} staged a sit-in outside the collector's office, carrying placards about {subject}.",
    "In a written reply to the assembly, the minister said {n} inspections had been carried out since April.",
    "{Person} said {group} had been promised compensation in {year} and were still waiting for it.",
    "Satellite images taken in {month} show the extent of the problem around {place} more clearly than any survey.",
    "Banks have been asked to defer loan instalments for {group} by {n} months.",
    "\u201cThe numbers do not lie: {subject} is in worse shape than anyone in the department admits,\u201d {person} said.",
    "Traffic police diverted buses through side streets, adding up to {n} minutes to journeys across the city.",
    "A draft report prepared for the ministry, seen by the Courier, calls {thing} \u201cthe weakest link\u201d.",
    "{Person}, {role}, said the figures would be published once they had been checked by auditors.",
    "The state's disaster management cell said it had placed {n} teams on standby near {place}.",
    "Shopkeepers said takings had fallen by half since {subject} became front-page news.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def _fill(template: str, facts: dict[str, str], rng: random.Random) -> str:
    values = {
        "subject": facts["subject"], "place": facts["place"], "group": facts["group"], "thing": facts["thing"],
        "person": rng.choice(PEOPLE), "role": rng.choice(ROLES), "day": rng.choice(DAYS),
        "n": str(rng.randint(3, 95)), "year": str(rng.randint(2005, 2023)), "month": rng.choice(MONTHS),
    }
    values.update({k.capitalize(): v[0].upper() + v[1:] for k, v in list(values.items())})
    return template.format(**values)


def write_paragraphs(facts: dict[str, str], seed: int, count: int = 6) -> list[str]:
    """``count`` paragraphs of two or three sentences about ``facts``, in an order of their own."""
    rng = random.Random(seed)
    sentences = [_fill(rng.choice(OPENERS), facts, rng)]
    sentences += [_fill(t, facts, rng) for t in rng.sample(SENTENCES, min(len(SENTENCES), count * 3))]
    paragraphs, i = [], 0
    while len(paragraphs) < count and i < len(sentences):
        size = rng.choice((2, 3))
        paragraphs.append(" ".join(sentences[i:i + size]))
        i += size
    return paragraphs


SYNONYMS = {
    "said": "stated", "officials": "authorities", "people": "residents", "delay": "holdup",
    "warned": "cautioned", "days": "days in all", "expected": "forecast", "months": "months in total",
    "report": "assessment", "figures": "numbers", "contract": "deal", "state": "government",
    "city": "metropolis", "cost": "bill", "teams": "crews", "work": "repairs", "almost": "nearly",
    "according": "going by what was said", "fewer": "less", "since": "ever since", "asked": "told",
}


def reword(paragraphs: list[str], which: list[int], rate: float, seed: int) -> list[str]:
    """A syndication desk's edit: about ``rate`` of the words of the given paragraphs replaced."""
    rng = random.Random(seed)
    out = list(paragraphs)
    for index in which:
        words = out[index].split()
        positions = rng.sample(range(len(words)), max(1, round(rate * len(words))))
        for position in positions:
            word = words[position]
            bare = word.strip(".,\u201c\u201d").lower()
            words[position] = word.replace(bare, SYNONYMS[bare]) if bare in SYNONYMS else word.upper()
        out[index] = " ".join(words)
    return out


# --- The stories -----------------------------------------------------------------------------

KINDS = ("jsonld", "og", "bare", "dated")
AGENCIES = [None, "Reuters", None, "PTI", None, None, "AP", None]


@dataclass
class Story:
    number: int
    id: int
    section: str
    headline: str
    city: str
    kind: str
    published: datetime
    authors: list[str]
    paragraphs: list[str]
    agency: str | None
    tags: list[str]
    caption: str
    slug: str = ""

    def __post_init__(self) -> None:
        self.slug = "-".join(re.findall(r"[a-z0-9]+", self.headline.lower())[:7])

    @property
    def path(self) -> str:
        """The story's own URL path (its canonical)."""
        if self.kind == "jsonld":
            return f"/news/{self.section}/{self.id}-{self.slug}.html"
        if self.kind == "og":
            return f"/a/{self.id}"
        if self.kind == "bare":
            return f"/?p={self.id}"
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def dateline(self) -> str:
        month = self.published.strftime("%b")
        if self.agency:
            return f"{self.city}, {month} {self.published.day} ({self.agency}) -"
        return f"{self.city.title()}, {month} {self.published.day}:"

    def body_paragraphs(self) -> list[str]:
        return [f"{self.dateline} {self.paragraphs[0]}", *self.paragraphs[1:]]


@dataclass
class Expected:
    """What a crawl must produce for one story."""

    story: Story
    paths: set[str]
    """Every path the story may come out under (its copies and aliases); the first is its own."""
    published_local: datetime | None


@dataclass
class UnseenSite:
    routes: dict[str, Route]
    expected: dict[str, Expected] = field(default_factory=dict)
    """Story path -> expectations; each must come out exactly once."""
    non_articles: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    """Story paths no crawl can get (a fault that never clears)."""
    scripted: set[str] = field(default_factory=set)
    """Story paths whose text only exists once scripts have run."""
    boilerplate: list[str] = field(default_factory=list)
    """Strings that must not appear in any stored body."""

    def story_of(self, path: str) -> str | None:
        for own, expected in self.expected.items():
            if path in expected.paths:
                return own
        return None


def write_stories(count: int, seed: int = 2611) -> list[Story]:
    rng = random.Random(seed)
    latest = datetime(2026, 11, 24, 21, 5, tzinfo=IST)
    stories = []
    for number in range(count):
        section, headline, city, subject, place, group, thing = TOPICS[number % len(TOPICS)]
        if number >= len(TOPICS):
            headline = f"{headline}, {rng.choice(['officials say', 'report finds', 'data show'])} ({number})"
        facts = {"subject": subject, "place": place, "group": group, "thing": thing}
        # Early-morning times on some: 03:40 IST is the day before in UTC.
        published = (latest - timedelta(hours=9 * number + rng.randint(0, 5))).replace(
            minute=rng.choice((0, 10, 15, 40, 55)), second=0)
        caption_year = rng.randint(2015, 2022)
        stories.append(Story(
            number=number, id=48100 + number * 37, section=section, headline=headline, city=city,
            kind=KINDS[number % len(KINDS)], published=published,
            authors=rng.sample(PEOPLE, rng.choice((1, 1, 2))),
            paragraphs=write_paragraphs(facts, seed * 1000 + number, count=rng.randint(5, 7)),
            agency=AGENCIES[number % len(AGENCIES)], tags=sorted(rng.sample([t[0] for t in TOPICS][:8] + [
                "monsoon", "infrastructure", "markets", "civic", "courts"], 2)),
            caption=(f"{place[0].upper() + place[1:]} in a file photo taken on "
                     f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {caption_year}."),
        ))
    return stories


# --- Markup ----------------------------------------------------------------------------------------

MOST_READ_NOTE = "Most read this week"
COMMENT_TEXT = ("I have lived in this neighbourhood for thirty years and the council never listens to anyone "
                "who does not own a shop on the main road, so forgive me if I do not believe a word of it")
NEWSLETTER = ("Sign up for the Courier Morning Edition: the five stories you need before your commute, "
              "written by our editors and delivered free every weekday at six")
COOKIE = "We use cookies to understand how readers use this site. By continuing you accept our cookie policy"
RELATED_HEAD = "Related stories"


def _date_line(when: datetime) -> str:
    return f"{when:%b} {when.day}, {when:%Y} {when:%H:%M} IST"


def _byline_names(story: Story) -> str:
    return " and ".join(f'<a href="/writer/{_slug(a)}.html">{escape(a)}</a>' for a in story.authors)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


class Chrome:
    """The header, rails and footer every page shares."""

    def __init__(self, base: str, sections: list[str], most_read: list[Story], live: bool) -> None:
        self.base = base
        self.sections = sections
        self.most_read = most_read
        self.live = live

    def page(self, title: str, main: str, head: str = "", body_class: str = "") -> str:
        nav = "".join(f'<li><a href="{"/world/" if s == "world" else f"/news/{s}/"}">{s.title()}</a></li>'
                      for s in self.sections)
        nav += '<li><a href="/briefs/">Briefs</a></li>'
        if self.live:
            nav += '<li><a href="/live/">Live</a></li>'
        popular = "".join(f'<li><a href="{s.path}">{escape(s.headline)}</a></li>' for s in self.most_read)
        return f"""<!DOCTYPE html>
<html lang="en-IN"><head><meta charset="utf-8"><title>{escape(title)}</title>{head}
<meta name="viewport" content="width=device-width"></head>
<body class="{body_class}"><div class="cookie-banner">{COOKIE}. <a href="/about/">Learn more</a></div>
<header class="top"><a class="logo" href="/">{NAME}</a><ul class="menu">{nav}</ul>
<form class="find" action="/search"><input name="q"><button>Search</button></form></header>
<div class="wrap"><div class="col-main">{main}</div>
<div class="col-side"><div class="box"><h3>{MOST_READ_NOTE}</h3><ol>{popular}</ol></div>
<div class="box"><h3>Newsletter</h3><p>{NEWSLETTER}.</p></div></div></div>
<div class="bottom"><a href="/about/">About the Courier</a> | <a href="/contact-us/">Contact</a> |
<a href="/corrections.html">Corrections</a> | <a href="/search?q=election">Search</a> | &copy; 2026 {NAME}</div>
</body></html>"""


def _related(stories: list[Story], story: Story) -> str:
    others = [s for s in stories if s.section == story.section and s is not story][:3]
    if not others:
        return ""
    items = "".join(f'<li><a href="{s.path}">{escape(s.headline)}</a></li>' for s in others)
    return f'<div class="related-box"><h4>{RELATED_HEAD}</h4><ul>{items}</ul></div>'


def _comments(story: Story) -> str:
    return (f'<div id="comments" class="reader-comments"><h3>Comments (2)</h3>'
            f'<div class="c"><b>kurla_resident</b> <span>{_date_line(story.published + timedelta(hours=3))}</span>'
            f"<p>{COMMENT_TEXT}.</p></div>"
            f'<div class="c"><b>Sunil P.</b><p>Same story every year, nothing changes until the next election.</p></div>'
            f'<form action="/comment" method="post"><textarea name="c"></textarea><button>Post</button></form></div>')


def article_page(chrome: Chrome, stories: list[Story], story: Story, *, headline: str | None = None,
                 paragraphs: list[str] | None = None, canonical: str | None = "", byline: str | None = None,
                 kind: str | None = None) -> str:
    """One story in its template; ``headline``/``paragraphs``/``byline`` override for copies,
    ``canonical`` names another canonical path (None: no canonical link)."""
    kind = kind or story.kind
    headline = headline or story.headline
    texts = paragraphs or story.body_paragraphs()
    names = byline or f"By {_byline_names(story)}"
    # The default: a canonical link to the story's own URL, except on the bare template.
    canonical_path = (None if kind == "bare" else story.path) if canonical == "" else canonical
    link = f'<link rel="canonical" href="{chrome.base}{canonical_path}">' if canonical_path else ""
    iso = story.published.isoformat()
    photo = (f'<figure class="lead-photo"><img src="/img/{story.id}.png" alt="">'
             f"<figcaption>{escape(story.caption)} Photo: Courier archive</figcaption></figure>")
    if kind == "jsonld":
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
                "datePublished": iso, "dateModified": (story.published + timedelta(hours=2)).isoformat(),
                "author": [{"@type": "Person", "name": a} for a in story.authors],
                "articleSection": story.section.title(), "keywords": ", ".join(story.tags),
                "publisher": {"@type": "Organization", "name": NAME}}
        paras = [f"<p>{escape(t)}</p>" for t in texts]
        paras.insert(2, _related(stories, story))
        main = (f'<div class="crumbs"><a href="/">Home</a> &rsaquo; <a href="/news/{story.section}/">'
                f"{story.section.title()}</a></div><h1 class=\"story-title\">{escape(headline)}</h1>"
                f'<div class="story-meta"><span class="byline">{names}</span> | '
                f'<span class="stamp">Updated: {_date_line(story.published + timedelta(hours=2))}</span></div>'
                f'{photo}<div class="story-content">{"".join(paras)}</div>{_comments(story)}')
        head = f'{link}<script type="application/ld+json">{json.dumps(data)}</script>'
        return chrome.page(f"{headline} - {NAME}", main, head, "story-page")
    if kind == "og":
        paras = [f"<p>{escape(t)}</p>" for t in texts]
        also = stories[(story.number + 5) % len(stories)]
        paras.insert(3, f'<p><strong>Also read:</strong> <a href="{also.path}">{escape(also.headline)}</a></p>')
        og_url = f"{chrome.base}{canonical_path}" if canonical_path else ""
        head = (f'{link}<meta property="og:type" content="article"><meta property="og:title" content="{escape(headline)}">'
                f'<meta property="og:site_name" content="{NAME}">'
                + (f'<meta property="og:url" content="{og_url}">' if og_url else "")
                + f'<meta property="og:description" content="{escape(texts[1][:150])}">'
                f'<meta property="og:image" content="{chrome.base}/img/{story.id}.png">')
        main = (f"<h1>{escape(headline)}</h1><p class=\"byline\">{names}, Staff Reporter<br>"
                f"Published {_date_line(story.published)}</p>{photo}"
                f'<section itemprop="articleBody">{"".join(paras)}</section>'
                f'<div class="tags">Tags: {" ".join(f"<a href=/tag/{t}/>{t}</a>" for t in story.tags)}</div>')
        return chrome.page(f"{headline} | {NAME}", main, head)
    if kind == "bare":
        paras = "".join(f"<p>{escape(t)}</p>" for t in texts)
        main = (f'<table width="100%"><tr><td class="main-cell"><h1>{escape(headline)}</h1>'
                f"<p><small>{names} | Published {_date_line(story.published)}</small></p>"
                f'<p><img src="/img/{story.id}.png"><br><i>{escape(story.caption)}</i></p>{paras}'
                f"<p>Tags: {', '.join(f'<a href=/tag/{t}/>{t}</a>' for t in story.tags)}</p></td></tr></table>")
        return chrome.page(f"{headline} | {NAME}", main, link)
    # dated: <article> and <time>, nothing structured
    paras = "".join(f"<p>{escape(t)}</p>" for t in texts)
    main = (f'<article class="post"><h1 class="post-title">{escape(headline)}</h1>'
            f'<div class="post-info">{names} &middot; <time datetime="{iso}">{_date_line(story.published)}</time></div>'
            f'{photo}<div class="entry">{paras}</div></article>{_comments(story)}')
    return chrome.page(f"{headline} | {NAME}", main, link)


def teaser(story: Story, href: str | None = None) -> str:
    return (f'<div class="teaser"><h2><a href="{href or story.path}">{escape(story.headline)}</a></h2>'
            f"<p>{escape(' '.join(story.paragraphs[0].split()[:24]))}...</p>"
            f'<span class="when">{_date_line(story.published)}</span></div>')


def listing_page(chrome: Chrome, title: str, teasers: list[str], pager: str = "", intro: str = "") -> str:
    main = f'<h1 class="list-title">{escape(title)}</h1>{intro}<div class="list">{"".join(teasers)}</div>{pager}'
    return chrome.page(f"{title} - {NAME}", main, '<meta property="og:type" content="website">')


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


# --- Building the site -----------------------------------------------------------------------------

def build_unseen_site(base: str, *, stories: int = 20, copies: bool = True, js: int = 0,
                      faults: bool = False, decoy: str = "") -> UnseenSite:
    """The routes of the Western Courier served at ``base`` (no trailing slash).

    ``copies``: plant the URL variants and syndicated copies; ``js``: that many stories in a
    JavaScript-only section; ``faults``: a /briefs/ section of stories behind network faults,
    with ``decoy`` the base URL of an off-site server that must never be asked.
    """
    written = write_stories(stories + js + (len(FAULTY) if faults else 0))
    main, scripted, faulty = written[:stories], written[stories:stories + js], written[stories + js:]
    chrome = Chrome(base, list(dict.fromkeys(s.section for s in main)), main[2:7], live=bool(js))
    site = UnseenSite(routes={"/robots.txt": Route(b"User-agent: *\nDisallow: /comment\n", "text/plain")})
    routes = site.routes

    def put(path: str, html: str, **options: object) -> None:
        routes[path] = Route(html.encode("utf-8"), **options)  # type: ignore[arg-type]

    for story in main:
        put(story.path, article_page(chrome, main, story))
        routes[f"/img/{story.id}.png"] = Route(PNG, "image/png")
        site.expected[story.path] = Expected(story, {story.path}, story.published)
    site.boilerplate = [COMMENT_TEXT[:60], NEWSLETTER[:50], COOKIE[:40], MOST_READ_NOTE, RELATED_HEAD,
                        "Also read", "Photo: Courier archive"]

    # Links that lead to stories under other URLs: put in the front page's "Top stories".
    variants: list[tuple[str, str]] = []
    if copies:
        variants += _plant_copies(site, chrome, main, put)

    # Sections: ?page=N with numbered links ("city", "business", ...), /world/page/N/ with
    # "Older stories", the front page with "Load more".
    by_section: dict[str, list[Story]] = {}
    for story in main:
        by_section.setdefault(story.section, []).append(story)
    for section, members in by_section.items():
        if section == "world":
            continue
        pages = _chunks(members, 2)
        base_path = f"/news/{section}/"
        for number, chunk in enumerate(pages, start=1):
            path = base_path if number == 1 else f"{base_path}?page={number}"
            numbers = " ".join(
                f'<a href="{base_path}?page={n}">{n}</a>' if n != number else f"<b>{n}</b>"
                for n in range(1, len(pages) + 1))
            pager = f'<div class="pages">{numbers}</div>'
            put(path, listing_page(chrome, section.title(), [teaser(s) for s in chunk], pager))
            site.non_articles.add(path)
    world = by_section.get("world", [])
    for number, chunk in enumerate(_chunks(world, 1), start=1):
        path = "/world/" if number == 1 else f"/world/page/{number}/"
        older = f'<a class="older" href="/world/page/{number + 1}/">Older stories</a>' if number * 1 < len(world) else ""
        put(path, listing_page(chrome, "World", [teaser(s) for s in chunk], older))
        site.non_articles.add(path)
    front = sorted(main, key=lambda s: s.published, reverse=True)
    pages = _chunks(front, 6)
    for number, chunk in enumerate(pages, start=1):
        path = "/" if number == 1 else f"/latest.html?before={chunk[0].id}"
        more = (f'<a class="btn" href="/latest.html?before={pages[number][0].id}">Load more</a>'
                if number < len(pages) else "")
        extra = ""
        if number == 1:
            extra = '<div class="top-stories"><h3>Top stories</h3><ul>' + "".join(
                f'<li><a href="{href}">{escape(label)}</a></li>' for href, label in variants) + "</ul></div>"
        put(path, listing_page(chrome, "Latest news", [teaser(s) for s in chunk], more, extra))
        site.non_articles.add(path)

    # Tags, writers (with a biography long enough to pass for a story), static pages.
    # (Bylines and tags of the live and briefs stories lead to 404s: broken links are weather too.)
    for tag in sorted({t for s in main for t in s.tags}):
        path = f"/tag/{tag}/"
        put(path, listing_page(chrome, f"Stories tagged {tag}", [teaser(s) for s in main if tag in s.tags]))
        site.non_articles.add(path)
    for person in sorted({a for s in main for a in s.authors}):
        mine = [s for s in main if person in s.authors]
        path = f"/writer/{_slug(person)}.html"
        bio = (f'<div class="bio"><img src="/img/writer.png" alt=""><p>{escape(person)} is a senior correspondent '
               f"for {NAME} based in Mumbai, where {person.split()[0]} has covered city government, transport and "
               "the courts since 2014. Before joining the paper, they reported for a news agency in Delhi and "
               "spent two years at a business weekly, writing about banking and the commodity markets. They "
               "studied economics at the University of Pune and journalism in Chennai, and have won two state "
               "press awards for investigations into the water tanker trade. Send tips and documents through "
               "the contact page; sources are always protected.</p></div>")
        put(path, listing_page(chrome, person, [teaser(s) for s in mine], intro=bio))
        site.non_articles.add(path)
    statics = {
        "/about/": ("About the Courier", f"<p>{NAME} was founded in 1961 in a two-room office in Fort and is "
                    "now read by three million people a day in print and online. The paper is owned by a "
                    "trust whose deed forbids the sale of editorial influence to any advertiser, party or "
                    "government, and its editor answers only to the trustees.</p><p>Our newsroom of 240 "
                    "journalists works from Mumbai, Pune, Nagpur and Delhi, with stringers across the state.</p>"),
        "/contact-us/": ("Contact us", "<p>Write to the editor at 14 Dalal Street, Mumbai 400001, or call the "
                         "newsroom on 022 5550 1961 between 10 am and midnight. For subscriptions, call 1800 555 "
                         "0101.</p>"),
        "/corrections.html": ("Corrections and clarifications", "<p>The Courier corrects errors of fact as soon as "
                              "they are brought to our attention. Corrections are published on this page and at "
                              "the foot of the story concerned, with the date of the change. Readers who believe "
                              "we have got something wrong should write to the readers' editor, who is independent "
                              "of the newsroom and reports every quarter on the complaints received and what was "
                              "done about them. We do not remove stories from the archive except under a court "
                              "order or where a story puts someone at risk of harm.</p>"),
        "/search?q=election": ("Search results", "<p>No results for election.</p>"),
    }
    for path, (title, text) in statics.items():
        put(path, chrome.page(f"{title} - {NAME}", f"<h1>{title}</h1>{text}"))
        site.non_articles.add(path)
    routes["/img/writer.png"] = Route(PNG, "image/png")
    if scripted:
        _script_section(site, chrome, scripted, put)
    if faults:
        _fault_section(site, chrome, faulty, put, decoy)
    return site


def _plant_copies(site: UnseenSite, chrome: Chrome, main: list[Story], put) -> list[tuple[str, str]]:
    """Other URLs and copies of some stories; returns the (link, label) pairs for the front page."""
    by_kind = {kind: [s for s in main if s.kind == kind] for kind in KINDS}
    a, b = by_kind["jsonld"][0], by_kind["og"][0]
    links = [
        f"{a.path}?utm_source=twitter&utm_medium=social&utm_campaign=nov",
        f"{a.path}?fbclid=IwAR0xYz12",
        a.path.replace(".html", ".amp.html"),
        "/amp" + a.path,
        f"{b.path}?gclid=Cj0KCQ&ref=home",
        f"{b.path}?amp=1",
    ]
    variants = [(link, (a if n < 4 else b).headline) for n, link in enumerate(links)]
    for variant in links[2:4]:  # the AMP files exist, but a crawler need never fetch them
        put(variant, article_page(chrome, main, a))

    def copy(story: Story, path: str, **options: object) -> None:
        put(path, article_page(chrome, main, story, **options))  # type: ignore[arg-type]
        site.expected[story.path].paths.add(path)
        variants.append((path, str(options.get("headline") or story.headline)))

    # The same story filed under two sections, the second naming the first as canonical.
    c = by_kind["jsonld"][1]
    copy(c, c.path.replace(f"/news/{c.section}/", "/news/markets/"))
    # A canonical that disagrees with the URL: the old slug, kept after the headline changed.
    d = by_kind["jsonld"][2]
    copy(d, d.path.replace(d.slug, "draft-" + d.slug.split("-", 1)[1]))
    # A WordPress shortlink of a dated story, with the permalink as canonical.
    e = by_kind["dated"][0]
    copy(e, f"/?p={e.id}")
    # A broken CMS template: stories whose canonical (and og:url) name the front page.
    for f in by_kind["og"][1:3]:
        put(f.path, article_page(chrome, main, f, canonical="/"))
    # Syndicated copies: new headline, a wire byline, reworded sentences, no canonical link.
    g, h = by_kind["bare"][0], by_kind["jsonld"][3]
    copy(g, f"/wire/{g.id + 1}-{_slug(g.city)}-copy.html", headline=f"{g.headline.split(' as ')[0]}: what we know",
         paragraphs=reword(g.body_paragraphs(), [1, 3], 0.35, seed=g.id), canonical=None,
         byline="By Courier Wire Desk", kind="jsonld")
    edited = reword(h.body_paragraphs(), list(range(len(h.paragraphs))), 0.05, seed=h.id)
    edited[-1] += " (Reporting by Courier staff; Editing by Neha Gupta)"
    copy(h, f"/partners/{h.id}/story.html", headline=f"UPDATE 1-{h.headline}", paragraphs=edited,
         canonical=None, byline="Reuters", kind="og")
    # An exact copy of the body under another headline and another template.
    i = by_kind["dated"][1]
    copy(i, f"/a/{i.id + 5}", headline=f"In brief: {i.headline.lower()}", canonical=None,
         byline="By Staff Reporter", kind="og")
    return variants


FAULTY: list[tuple[dict, bool]] = [
    ({"fault": "status:500", "times": 1}, True),
    ({"fault": "status:503", "times": 1}, True),
    ({"fault": "status:429", "times": 2}, True),
    ({"fault": "slow:3", "times": 1}, True),
    ({"fault": "reset", "times": 1}, True),
    ({"fault": "gzip_truncated"}, False),
    ({"fault": "status:500"}, False),
    ({}, True),  # declared UTF-8, sent as Windows-1252
    ({}, True),  # a 6 MB inline script
]


def _fault_section(site: UnseenSite, chrome: Chrome, stories: list[Story], put, decoy: str) -> None:
    """/briefs/: stories behind faults, plus loops, off-site redirects and pages that are not pages."""
    for story, (options, reachable) in zip(stories, FAULTY, strict=True):
        story.section = "briefs"
        html = article_page(chrome, stories, story)
        if story is stories[-2]:
            second = escape(story.paragraphs[1])
            html = html.replace(second, "Caf\u00e9 \u201cGoa\u201d \u2013 " + second, 1)
            site.routes[story.path] = Route(html.encode("cp1252", "replace"))
        elif story is stories[-1]:
            put(story.path, html.replace("</body>", "<script>window.__STATE__=\"" + "x" * 6_000_000 + "\"</script></body>"))
        else:
            put(story.path, html, **options)
        if reachable:
            site.expected[story.path] = Expected(story, {story.path}, story.published)
        else:
            site.lost.add(story.path)
    links = [teaser(s) for s in stories]
    extras = {
        "/briefs/loop-a.html": Route(fault="redirect:/briefs/loop-b.html"),
        "/briefs/loop-b.html": Route(fault="redirect:/briefs/loop-a.html"),
        "/briefs/partner.html": Route(fault=f"redirect:{decoy}/news/partner.html"),
        "/briefs/scan.html": Route(PNG, content_type="text/html"),
        "/briefs/archive.html": Route(b"<html>" + b" " * (21 * 1024 * 1024)),
    }
    site.routes.update(extras)
    links += [f'<div class="teaser"><h2><a href="{p}">Brief {n}</a></h2></div>' for n, p in enumerate(extras)]
    links.append(f'<div class="teaser"><h2><a href="{decoy}/news/linked.html">From our partners</a></h2></div>')
    put("/briefs/", listing_page(chrome, "Briefs", links))
    site.non_articles.add("/briefs/")


SCRIPTED_LIST = """<div id="live-list">Loading live coverage&hellip;</div>
<script>
fetch("/live/index.json").then(r => r.json()).then(items => {
  const box = document.getElementById("live-list");
  box.innerHTML = "";
  for (const item of items) {
    const div = document.createElement("div");
    div.className = "teaser";
    div.innerHTML = '<h2><a></a></h2>';
    div.querySelector("a").href = item.href;
    div.querySelector("a").textContent = item.headline;
    box.appendChild(div);
  }
});
</script>"""

SCRIPTED_STORY = """<div id="live-story"><h1>Live coverage</h1><p class="wait">Loading&hellip;</p></div>
<script>
fetch("/live/data/%s.json").then(r => r.json()).then(s => {
  const root = document.getElementById("live-story");
  document.title = s.headline + " | The Western Courier";
  root.innerHTML = "";
  const h1 = document.createElement("h1"); h1.textContent = s.headline; root.appendChild(h1);
  const by = document.createElement("p"); by.className = "byline";
  by.textContent = "By " + s.author + " | Published " + s.when; root.appendChild(by);
  for (const text of s.paragraphs) { const p = document.createElement("p"); p.textContent = text; root.appendChild(p); }
});
</script>"""


def _script_section(site: UnseenSite, chrome: Chrome, stories: list[Story], put) -> None:
    """/live/: the listing and every story's text are inserted by script from JSON."""
    index = []
    for story in stories:
        path = f"/live/{story.id}"
        story.section = "live"
        index.append({"href": path, "headline": story.headline})
        put(path, chrome.page(f"Live | {NAME}", SCRIPTED_STORY % story.id,
                              '<meta property="og:type" content="article">'))
        site.routes[f"/live/data/{story.id}.json"] = Route(json.dumps({
            "headline": story.headline, "author": story.authors[0], "when": _date_line(story.published),
            "paragraphs": story.body_paragraphs()}).encode(), "application/json")
        site.expected[path] = Expected(story, {path}, story.published)
        site.scripted.add(path)
    site.routes["/live/index.json"] = Route(json.dumps(index).encode(), "application/json")
    put("/live/", chrome.page(f"Live - {NAME}", f"<h1>Live</h1>{SCRIPTED_LIST}"))
    site.non_articles.add("/live/")


@contextmanager
def serve_unseen_site(delay: float = 0.0, **options: object) -> Iterator[tuple[HostileSite, HostileSite, UnseenSite]]:
    """Serve the Courier (and an off-site decoy that must never be asked) on 127.0.0.1."""
    with serve_site({}) as decoy:
        decoy_base = decoy.base_url.replace("127.0.0.1", "localhost").rstrip("/")
        routes: dict[str, Route] = {}
        with serve_site(routes, delay=delay) as site:
            built = build_unseen_site(site.base_url.rstrip("/"), decoy=decoy_base, **options)  # type: ignore[arg-type]
            routes.update(built.routes)
            yield site, decoy, built
