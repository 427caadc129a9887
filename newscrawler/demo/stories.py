"""Invented news stories and the manifest of what a generated site holds.

Every generated site (the bundled WordPress-style demo and the test sites of other
shapes) draws its stories from here, so the prose, the datelines and the expected
answers are written once; each site only decides how to render them.
Everything is driven by a seeded ``random.Random``: the same seed gives the same site.
"""

from __future__ import annotations

import json
import random
import re
import struct
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

IST = timezone(timedelta(hours=5, minutes=30))
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
# The short month forms Indian wires write in datelines ("Sept 29").
DATELINE_MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Section:
    """A section of a news site as readers see it in the menu."""

    name: str
    slug: str


@dataclass
class ExpectedArticle:
    """What a correct crawl must extract from one generated article page."""

    path: str
    """File holding the page, relative to the site folder (``2022/09/29/slug/index.html``)."""
    url_path: str
    """Root-relative URL the site links to (``/2022/09/29/slug/``)."""
    title: str
    """The headline as the page's ``<h1>`` shows it (the ``<title>`` adds the site name)."""
    published_at: str
    """ISO 8601 with the UTC offset (``2022-09-29T10:15:00+05:30``), even where the page
    itself shows only a date or a local time without offset."""
    section: str
    """Section name as the site's menu writes it ("Business")."""
    authors: list[str]
    """Person names in byline order."""
    metadata: str
    """Which structured data the page carries: ``jsonld``, ``og``, ``microdata`` or ``none``."""
    dateline: str | None
    """The dateline exactly as the body opens with it, separator included, or None."""
    lede: str
    """The first body paragraph, dateline included, as plain text."""
    word_count: int
    """Words in the body: paragraphs, subheads and list items, split on whitespace."""
    modified_at: str | None = None
    """Last update, ISO 8601, when the story was updated (shown in metadata and ``<time class=updated>``)."""
    tags: list[str] = field(default_factory=list)
    """Tags in page order (the demo's ``/tag/`` links)."""
    description: str | None = None
    """The lede without its dateline, cut to 30 words: what ``og:description`` says."""
    excerpt: str | None = None
    """The teaser the listing pages show for the story, as plain text."""
    images: list[str] = field(default_factory=list)
    """Root-relative image URLs of the article, featured photo first."""
    image_caption: str | None = None
    """The featured photo's caption as shown, credit included."""
    image_credit: str | None = None
    """The credit at the end of the featured photo's caption ("Adnan Abidi/REUTERS")."""


@dataclass
class SiteManifest:
    """What a generated site holds: the articles a crawl must find, and every other page."""

    site_name: str
    articles: list[ExpectedArticle] = field(default_factory=list)
    non_articles: list[str] = field(default_factory=list)
    """Root-relative URLs of every page that is not an article (listings, static pages, feeds)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SiteManifest:
        data = json.loads(text)
        return cls(data["site_name"], [ExpectedArticle(**a) for a in data["articles"]], data["non_articles"])


@dataclass
class Photo:
    """A news photo: its caption often names a place and an older date than the story's."""

    caption: str
    """Caption text without the credit."""
    credit: str
    alt: str

    @property
    def shown(self) -> str:
        return f"{self.caption} {self.credit}"


@dataclass
class Story:
    """One invented story, before any theme renders it."""

    number: int
    title: str
    slug: str
    section: Section
    authors: list[str]
    published: datetime
    modified: datetime | None
    dateline: str | None
    blocks: list[tuple[str, object]]
    """Body in order: ``("p", text)``, ``("h2", text)``, ``("ul", [items])``, ``("figure", Photo)``."""
    tags: list[str]
    photo: Photo
    kind: str
    """``explainer``, ``report`` or ``brief`` (60-90 words)."""

    @property
    def lede(self) -> str:
        return next(text for tag, text in self.blocks if tag == "p")  # type: ignore[misc]

    def text_blocks(self) -> list[str]:
        """The body as an extractor should see it: one string per paragraph, subhead or item."""
        out: list[str] = []
        for tag, value in self.blocks:
            if tag in ("p", "h2"):
                out.append(str(value))
            elif tag == "ul":
                out.extend(value)  # type: ignore[arg-type]
        return out

    @property
    def word_count(self) -> int:
        return sum(len(block.split()) for block in self.text_blocks())

    def excerpt(self, words: int = 24) -> str:
        """The WordPress-style teaser: the lede cut after ``words`` words."""
        return cut_words(self.lede, words)

    @property
    def description(self) -> str:
        """The summary a page's meta description gives: the lede without its dateline."""
        lede = self.lede[len(self.dateline) :].strip() if self.dateline else self.lede
        return " ".join(lede.split()[:30])

    def figures(self) -> list[Photo]:
        return [value for tag, value in self.blocks if tag == "figure"]  # type: ignore[misc]

    def expected(self, path: str, url_path: str, metadata: str, images: list[str], excerpt: str) -> ExpectedArticle:
        return ExpectedArticle(
            path=path,
            url_path=url_path,
            title=self.title,
            published_at=self.published.isoformat(),
            section=self.section.name,
            authors=list(self.authors),
            metadata=metadata,
            dateline=self.dateline,
            lede=self.lede,
            word_count=self.word_count,
            modified_at=self.modified.isoformat() if self.modified else None,
            tags=list(self.tags),
            description=self.description,
            excerpt=excerpt,
            images=images,
            image_caption=self.photo.shown,
            image_credit=self.photo.credit,
        )


# --- Word lists --------------------------------------------------------------------------
# Each section has its own actors, topics, places and tags, so stories read like that
# section's news; the sentence frames are shared.

VOCABULARY: dict[str, dict[str, list[str]]] = {
    "india": {
        "actor": ["the Union Health Ministry", "the state government", "district officials in Udhampur",
                  "the Election Commission", "the Supreme Court", "the Narcotics Wing of the Central Crime Branch",
                  "the Brihanmumbai Municipal Corporation", "railway authorities", "the Home Ministry"],
        "short": ["Centre", "Election Commission", "Supreme Court", "Railways", "Home Ministry", "BMC",
                  "Police chief", "Karnataka cabinet", "Panchayat body"],
        "topic": ["a ban on single-use plastic", "new rules for inter-state buses", "a drive against drug cartels",
                  "voter roll revisions", "compensation for flood victims", "night patrols near the border",
                  "a plan to merge rural schools", "faster passport checks", "curbs on loudspeakers"],
        "place": ["New Delhi", "J&K", "Karnataka", "Mumbai", "Chennai", "Kolkata", "Hyderabad", "Lucknow", "Udhampur"],
        "unit": ["complaints", "arrests", "new cases", "applications", "families"],
        "tag": ["Covid-19", "Udhampur", "Monsoon", "Elections", "Railways", "Policing"],
    },
    "world": {
        "actor": ["the Russian Foreign Ministry", "NATO officials", "the UN Security Council", "European leaders",
                  "the U.S. State Department", "negotiators in Geneva", "the Swiss government", "Kyiv’s mayor"],
        "short": ["Moscow", "NATO", "UN", "EU", "Washington", "Geneva envoy", "Kyiv", "Berlin"],
        "topic": ["the 1999 security charter", "a grain corridor deal", "new sanctions on shipping firms",
                  "arms limitation talks", "a prisoner exchange", "visa curbs for diplomats",
                  "a ceasefire monitoring mission", "emergency gas sharing"],
        "place": ["Geneva", "Moscow", "Washington", "Kyiv", "Brussels", "London", "Istanbul", "Berlin"],
        "unit": ["diplomats", "soldiers", "tonnes of grain", "refugees", "letters"],
        "tag": ["Ukraine", "NATO", "Diplomacy", "United Nations", "Sanctions"],
    },
    "business": {
        "actor": ["the Reserve Bank of India", "the finance ministry", "Tata Steel", "exporters’ groups",
                  "the Securities and Exchange Board", "shareholders of Adani Ports", "small lenders", "the GST Council"],
        "short": ["RBI", "Sebi", "GST Council", "Tata Steel", "Exporters’ body", "Sensex", "Lenders’ lobby", "Infosys board"],
        "topic": ["tighter rules for digital lenders", "a cut in fuel duty", "the rupee’s slide",
                  "a cap on gold imports", "quarterly dividend payouts", "a windfall tax on refiners",
                  "faster refunds for exporters", "a bond buyback"],
        "place": ["Mumbai", "New Delhi", "Bengaluru", "Singapore", "Ahmedabad", "Pune"],
        "unit": ["borrowers", "investors", "accounts", "shipments", "shares"],
        "tag": ["Economy", "Markets", "Banking", "Rupee", "Trade"],
    },
    "health": {
        "actor": ["hospital administrators", "the Health Ministry", "doctors at AIIMS", "the World Health Organization",
                  "vaccine makers", "the Indian Council of Medical Research", "state health officials"],
        "short": ["AIIMS", "WHO", "ICMR", "Health Ministry", "Doctors’ body", "Serum Institute", "Apollo Hospitals"],
        "topic": ["a booster campaign for the elderly", "price caps on stents", "free dialysis centres",
                  "a dengue alert", "mandatory masks in clinics", "a cancer screening van programme",
                  "new rules for organ donation", "a shortage of nurses"],
        "place": ["New Delhi", "Pune", "Chennai", "Kochi", "Jaipur", "Geneva"],
        "unit": ["new infections", "patients", "doses", "beds", "samples"],
        "tag": ["Covid-19", "Dengue", "Vaccines", "Hospitals", "Public Health"],
    },
    "technology": {
        "actor": ["Microsoft", "Infosys", "app developers", "the IT ministry", "a Bengaluru start-up",
                  "chip makers", "Twitter users", "the telecom regulator"],
        "short": ["Microsoft", "Infosys", "IT ministry", "Trai", "Chip consortium", "Start-up lobby", "Twitter", "Wipro"],
        "topic": ["5G spectrum auctions", "a data protection bill", "moonlighting by engineers",
                  "a new semiconductor plant", "rules for online gaming", "cheaper satellite internet",
                  "cloud contracts for state portals", "curbs on loan apps"],
        "place": ["Bengaluru", "Hyderabad", "San Francisco", "Noida", "Chennai", "Seattle"],
        "unit": ["users", "engineers", "downloads", "towers", "patents"],
        "tag": ["5G", "Start-ups", "Privacy", "Semiconductors", "Apps"],
    },
    "sports": {
        "actor": ["the BCCI", "the national hockey team", "the selectors", "Kerala Blasters",
                  "the Indian Olympic Association", "the captain", "the All India Football Federation"],
        "short": ["BCCI", "Hockey India", "Selection panel", "Kerala Blasters", "IOA", "AIFF", "Mumbai Indians"],
        "topic": ["a new fast-bowling camp", "the women’s league schedule", "ticket prices for the final",
                  "a doping inquiry", "floodlights for the Eden Gardens", "an overseas coaching deal",
                  "the under-19 squad", "a bid to host the Asian Games"],
        "place": ["Kolkata", "Mumbai", "Lausanne", "Chennai", "Mohali", "Bhubaneswar"],
        "unit": ["players", "spectators", "matches", "medals", "tickets"],
        "tag": ["Cricket", "Hockey", "Football", "Olympics", "IPL"],
    },
}

VERBS = ["weighs", "rejects", "backs", "unveils", "probes", "defends", "delays", "expands", "questions",
         "revives", "scraps", "fast-tracks"]
PAST = ["announced", "rejected", "backed", "unveiled", "ordered a review of", "defended", "postponed",
        "widened", "questioned", "revived", "approved", "criticised"]
QUALIFIERS = ["after {place} audit", "ahead of winter session", "as talks stall in {place}", "amid record demand",
              "despite protests in {place}", "for second year running", "in {place} review",
              "as deadline nears", "after court rap", "with {n}-point plan", "over {place} dispute",
              "weeks before polls"]
PEOPLE = ["Anita Deshpande", "Vikram Sethi", "Sergei Lavrov", "Farah Khan", "Joseph Mathew", "Lena Hoffmann",
          "Ravi Kulkarni", "Meenakshi Rao", "Arvind Sharma", "Hannah Clarke"]
ROLES = ["a senior official", "a spokesperson", "the minister in charge", "a retired judge",
         "an analyst at Crisil", "the committee's chairperson", "a former ambassador"]
AUTHORS = ["Priya Raman", "Arjun Mehta", "Sara Quinn", "Daniel Okafor", "Meera Iyer", "Rahul Bose",
           "Kavya Nair", "Tom Whitfield"]
PHOTOGRAPHERS = ["Jean-Christophe Bott/Pool via REUTERS/File Photo", "Francis Mascarenhas/REUTERS/File Photo",
                 "Adnan Abidi/REUTERS", "PTI Photo", "Danish Siddiqui/REUTERS/File Photo", "AP Photo/Rafiq Maqbool"]
PHOTO_SUBJECTS = ["officials meet", "workers gather", "commuters wait", "protesters march", "delegates arrive",
                  "volunteers distribute supplies", "players train", "traders watch screens"]
QUOTES = ["We will insist on an honest conversation about what was promised",
          "This is not a decision anyone takes lightly",
          "The numbers speak for themselves, and they are not good",
          "People deserve to know what happens next",
          "We have asked for the full report and we will study it",
          "It is too early to say whether this will work",
          "Nobody should be surprised by this outcome"]
COUNTRIES = {"Geneva": "Switzerland", "Lausanne": "Switzerland", "Moscow": "Russia", "Washington": "United States",
             "Kyiv": "Ukraine", "Brussels": "Belgium", "London": "Britain", "Istanbul": "Turkey", "Berlin": "Germany",
             "San Francisco": "United States", "Seattle": "United States"}
CLOSERS = ["A final decision is expected before the end of the month.",
           "{actor} has yet to respond to last week’s letters on the matter.",
           "The matter will be taken up again at the next meeting in {place}.",
           "Officials said more details would be shared once the review is complete.",
           "Similar measures were tried in {place} in 2019 with mixed results.",
           "Opposition parties have called for a debate on the issue."]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", "")).strip("-")


def cut_words(text: str, words: int) -> str:
    """A teaser: the first ``words`` words, with "..." when something was cut."""
    parts = text.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


def long_date(day: datetime) -> str:
    """``September 29, 2022``: how captions and bylines write a date."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


class StoryWriter:
    """Writes varied news-like stories from the word lists above; one seed, one newsroom."""

    def __init__(self, rng: random.Random, brief_words: tuple[int, int] = (60, 90)) -> None:
        self.rng = rng
        self.brief_words = brief_words
        self.titles: set[str] = set()

    def pick(self, words: list[str]) -> str:
        return self.rng.choice(words)

    def pick_cap(self, words: list[str]) -> str:
        """A pick that can open a sentence."""
        word = self.rng.choice(words)
        return word[0].upper() + word[1:]

    def fill(self, template: str, vocab: dict[str, list[str]]) -> str:
        return template.format(
            place=self.pick(vocab["place"]), n=self.rng.randint(3, 12), actor=self.pick_cap(vocab["actor"])
        )

    def title(self, vocab: dict[str, list[str]]) -> tuple[str, str]:
        """A headline no other story on the site has, and the topic it is about."""
        while True:
            topic = self.pick(vocab["topic"])
            title = f"{self.pick(vocab['short'])} {self.pick(VERBS)} {topic} {self.fill(self.pick(QUALIFIERS), vocab)}"
            title = title[0].upper() + title[1:]
            if title not in self.titles:
                self.titles.add(title)
                return title, topic

    def dateline(self, vocab: dict[str, list[str]], day: datetime) -> str:
        """A dateline as Indian and wire copy writes it: year missing, the dash varies."""
        place, mon = self.pick(vocab["place"]), DATELINE_MONTHS[day.month - 1]
        form = self.rng.randrange(6)
        if form == 0:
            return f"{place}, {mon} {day.day}-"
        if form == 1:
            return f"{place}, {mon} {day.day} –"
        if form == 2:
            return f"{place}, {mon} {day.day}–"
        if form == 3:
            return f"{place}, {mon} {day.day} (PTI) -"
        if form == 4:
            return f"{place.upper()}, {mon} {day.day} (Reuters) -"
        return f"{place}, {mon} {day.day} (IANS) —"

    def sentence(self, vocab: dict[str, list[str]], day: datetime) -> str:
        """One body sentence; numbers, weekdays and earlier dates make it read like news."""
        r, v = self.rng, vocab
        earlier = day - timedelta(days=r.randint(20, 200))
        frames = [
            f"According to data released on {self.pick(WEEKDAYS)} by {self.pick(v['actor'])}, "
            f"{r.randint(120, 9800):,} {self.pick(v['unit'])} were recorded in {self.pick(v['place'])}, "
            f"up from {r.randint(80, 4000):,} a week earlier.",
            f"Officials familiar with the matter said {self.pick(v['topic'])} had been discussed at least "
            f"{r.randint(2, 9)} times since {MONTHS[earlier.month - 1]}.",
            f"The step follows a meeting in {self.pick(v['place'])} last week, where "
            f"{self.pick(v['actor'])} raised concerns about {self.pick(v['topic'])}.",
            f"{self.pick(PEOPLE)}, {self.pick(ROLES)}, told reporters that the move was overdue and that "
            f"those affected had been left waiting for too long.",
            f"Critics argue that {self.pick(v['topic'])} will do little unless {self.pick(v['actor'])} "
            f"sets aside more money for it.",
            f"{self.pick_cap(v['actor'])} wrote to {r.randint(3, 14)} state governments on "
            f"{DATELINE_MONTHS[earlier.month - 1]} {earlier.day} asking how they planned to follow through.",
            f"Analysts estimate the cost at Rs {r.randint(40, 900)} crore over {r.randint(2, 6)} years, "
            f"though the figure could rise if {self.pick(v['topic'])} is delayed.",
            f"Residents of {self.pick(v['place'])} said they had first heard of the plan on "
            f"{self.pick(WEEKDAYS)} and were still waiting for details.",
            f"The proposal was first floated in {earlier.year - r.randint(1, 4)} but was shelved after "
            f"objections from {self.pick(v['actor'])}.",
            f"On {self.pick(WEEKDAYS)}, {self.pick(v['actor'])} said it would review {self.pick(v['topic'])} "
            f"within {r.randint(2, 8)} weeks.",
        ]
        return self.pick(frames)

    def paragraph(self, vocab: dict[str, list[str]], day: datetime, sentences: int) -> str:
        return " ".join(self.sentence(vocab, day) for _ in range(sentences))

    def lede(self, vocab: dict[str, list[str]], day: datetime, dateline: str | None, topic: str) -> str:
        r = self.rng
        opening = (
            f"{self.pick_cap(vocab['actor'])} {self.pick(PAST)} {topic} on "
            f"{self.pick(WEEKDAYS)}, "
            + self.pick([
                f"a move officials said would affect about {r.randint(200, 9000):,} {self.pick(vocab['unit'])}.",
                f"weeks after a similar step in {self.pick(vocab['place'])} drew sharp criticism.",
                f"setting up a clash with {self.pick(vocab['actor'])} ahead of the winter session.",
                "saying the matter lay at the heart of a long-running dispute.",
            ])
        )
        return f"{dateline} {opening}" if dateline else opening

    def photo(self, vocab: dict[str, list[str]], day: datetime) -> Photo:
        """A photo whose caption carries an older date than the story, as file photos do."""
        r = self.rng
        taken = day - timedelta(days=r.randint(30, 400))
        place = self.pick(vocab["place"])
        subject = self.pick_cap(PHOTO_SUBJECTS)
        credit = self.pick(PHOTOGRAPHERS)
        prefix = "FILE PHOTO: " if "File Photo" in credit else ""
        where = f"{place}, {COUNTRIES.get(place, 'India')}" if place != "Singapore" else place
        caption = f"{prefix}{subject} in {where}, {long_date(taken)}."
        return Photo(caption=caption, credit=credit, alt=f"{subject} in {place}")

    def body(self, vocab: dict[str, list[str]], day: datetime, dateline: str | None, kind: str, topic: str) -> list[tuple[str, object]]:
        r = self.rng
        blocks: list[tuple[str, object]] = [("p", self.lede(vocab, day, dateline, topic))]
        if kind == "brief":
            blocks.append(("p", self.sentence(vocab, day)))
            return blocks
        if kind == "explainer":
            quote = self.pick(QUOTES)
            blocks += [
                ("p", f"The news: {self.paragraph(vocab, day, 1)}"),
                ("ul", [self.sentence(vocab, day) for _ in range(r.randint(2, 3))]),
                ("p", f"What’s going on: {self.paragraph(vocab, day, r.randint(1, 2))}"),
                ("ul", [self.sentence(vocab, day) for _ in range(2)]),
                ("p", f"What they’re saying: “{quote},” {self.pick(PEOPLE)} told reporters."),
            ]
        else:
            for index in range(r.randint(3, 6)):
                if index == 2 and r.random() < 0.4:
                    blocks.append(("h2", self.pick(["What happens next", "The background", "Why it matters",
                                                      "Reactions"])))
                blocks.append(("p", self.paragraph(vocab, day, r.randint(2, 4))))
            if r.random() < 0.3:
                blocks.insert(2, ("figure", self.photo(vocab, day)))
        blocks.append(("p", self.fill(self.pick(CLOSERS), vocab)))
        return blocks

    def brief_body(self, vocab: dict[str, list[str]], day: datetime, dateline: str | None, topic: str) -> list[tuple[str, object]]:
        """A body within ``brief_words`` (60-90 words by default): short, but still a story."""
        low, high = self.brief_words
        while True:
            blocks = self.body(vocab, day, dateline, "brief", topic)
            while sum(len(str(text).split()) for _, text in blocks) < low:
                blocks[-1] = ("p", f"{blocks[-1][1]} {self.sentence(vocab, day)}")
            if sum(len(str(text).split()) for _, text in blocks) <= high:
                return blocks

    def story(self, number: int, section: Section, published: datetime, kind: str, dateline: bool | str) -> Story:
        """One story; ``dateline`` is False, True (a random one) or a form like ``"J&K, {mon} {day} –"``."""
        vocab = VOCABULARY[section.slug] if section.slug in VOCABULARY else VOCABULARY[list(VOCABULARY)[number % 6]]
        r = self.rng
        title, topic = self.title(vocab)
        if isinstance(dateline, str):
            dateline = dateline.format(mon=DATELINE_MONTHS[published.month - 1], day=published.day)
        else:
            dateline = self.dateline(vocab, published) if dateline else None
        if kind == "brief":
            blocks = self.brief_body(vocab, published, dateline, topic)
        else:
            blocks = self.body(vocab, published, dateline, kind, topic)
        authors = [self.pick(AUTHORS)]
        if r.random() < 0.2:
            authors.append(self.pick([a for a in AUTHORS if a != authors[0]]))
        modified = published + timedelta(hours=r.randint(1, 30)) if r.random() < 0.4 else None
        tags = sorted(set(r.sample(vocab["tag"], r.randint(1, 3))), key=vocab["tag"].index)
        return Story(number, title, slugify(title), section, authors, published, modified, dateline, blocks,
                     tags, self.photo(vocab, published), kind)

    def newsroom(
        self, sections: list[Section], count: int, latest: datetime, brief_every: int = 20, first_datelines: tuple[str, ...] = ()
    ) -> list[Story]:
        """``count`` stories, newest first, one every ~22 hours back from ``latest``, sections in turn.

        The newest stories open with ``first_datelines`` (forms with ``{mon}`` and ``{day}``), in order.
        """
        stories = []
        for index in range(count):
            published = latest - timedelta(hours=index * 22 + self.rng.randint(0, 5), minutes=self.rng.randint(0, 59))
            published = published.replace(second=0, microsecond=0)
            kind = "brief" if index % brief_every == 7 % brief_every else self.pick(["explainer", "report", "report"])
            section = sections[(index * 7 + index // len(sections)) % len(sections)]
            with_dateline = self.rng.random() < 0.6
            dateline = first_datelines[index] if index < len(first_datelines) else with_dateline
            stories.append(self.story(1000 + index, section, published, kind, dateline))
        return stories


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid solid-colour PNG, so image URLs resolve to real images without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b"")


class SiteFolder:
    """Writes a static site: root-relative URLs in, files out (``/a/b/`` -> ``a/b/index.html``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def file_for(url_path: str) -> str:
        path = url_path.lstrip("/")
        return path + "index.html" if path.endswith("/") or not path else path

    def write(self, url_path: str, content: str | bytes) -> str:
        relative = self.file_for(url_path)
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        return relative
