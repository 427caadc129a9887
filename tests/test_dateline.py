"""parse_dateline: every wire style the issue names, the negatives, year inference, fuzzing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.extract.dateline import parse_dateline
from newscrawler.extract.places import is_place, is_town
from newscrawler.items import Dateline

REFERENCE = "2022-10-01"

# (text, location, month, day, year, agency, raw)
POSITIVES = [
    # The seed site's excerpts: no year, the dash varies.
    ("New Delhi, Sept 29- According to data updated on Thursday", "New Delhi", 9, 29, None, None, "New Delhi, Sept 29-"),
    ("J&K, Sept 29 – Two people were injured in two blasts", "J&K", 9, 29, None, None, "J&K, Sept 29 –"),
    ("Karnataka, Sept 28 – The Narcotics Wing of the crime branch", "Karnataka", 9, 28, None, None, "Karnataka, Sept 28 –"),
    ("New Delhi, Sept 28–The health ministry said", "New Delhi", 9, 28, None, None, "New Delhi, Sept 28–"),
    # Reuters, 1980s to now.
    ("LAGOS, March 4 - Nigeria's central bank raised its rate", "LAGOS", 3, 4, None, None, "LAGOS, March 4 -"),
    ("HELSINKI, Oct 2 - Shr 1.10 markka vs 0.95", "HELSINKI", 10, 2, None, None, "HELSINKI, Oct 2 -"),
    ("OSLO, Feb 3, Reuter - Norway's oil output rose", "OSLO", 2, 3, None, "Reuter", "OSLO, Feb 3, Reuter -"),
    ("JAKARTA, May 8 (Reuters) - Indonesia's rupiah fell", "JAKARTA", 5, 8, None, "Reuters", "JAKARTA, May 8 (Reuters) -"),
    ("TORONTO (Reuters) - Canadian stocks rose on Friday", "TORONTO", None, None, None, "Reuters", "TORONTO (Reuters) -"),
    ("SAN JOSE/TOKYO (Reuters) - Two chipmakers agreed", "SAN JOSE/TOKYO", None, None, None, "Reuters", "SAN JOSE/TOKYO (Reuters) -"),
    ("May 5 - (DLRS PER TONNE) 44 PCT SOYMEAL 160.50", None, 5, 5, None, None, "May 5 -"),
    # AP, old and new.
    ("BOISE, Idaho (AP) — A wildfire forced hundreds to flee", "BOISE, Idaho", None, None, None, "AP", "BOISE, Idaho (AP) —"),
    ("DES MOINES, Iowa (AP) _ Farmers planted early", "DES MOINES, Iowa", None, None, None, "AP", "DES MOINES, Iowa (AP) _"),
    ("TULSA (AP) -- The city council voted", "TULSA", None, None, None, "AP", "TULSA (AP) --"),
    ("DENVER (AP) A judge ruled on Monday", "DENVER", None, None, None, "AP", "DENVER (AP)"),
    # PTI, IANS, ANI.
    ("Pune, Oct 3 (PTI) The city police arrested two men", "Pune", 10, 3, None, "PTI", "Pune, Oct 3 (PTI)"),
    ("Kota, Oct 3 (PTI) two students were hurt", "Kota", 10, 3, None, "PTI", "Kota, Oct 3 (PTI)"),
    ("Patna, Oct 03 (PTI): Bihar's cabinet met", "Patna", 10, 3, None, "PTI", "Patna, Oct 03 (PTI):"),
    ("Cuttack, Sept 3, PTI/SAMBAD: The court adjourned", "Cuttack", 9, 3, None, "PTI/SAMBAD", "Cuttack, Sept 3, PTI/SAMBAD:"),
    ("Lucknow, 29 September (IANS) Uttar Pradesh police", "Lucknow", 9, 29, None, "IANS", "Lucknow, 29 September (IANS)"),
    ("Mangaluru (Karnataka), Sept 1 (PTI) Police said", "Mangaluru (Karnataka)", 9, 1, None, "PTI", "Mangaluru (Karnataka), Sept 1 (PTI)"),
    ("Amethi (UP) (PTI) - The district court", "Amethi (UP)", None, None, None, "PTI", "Amethi (UP) (PTI) -"),
    ("OAKLAND , N.J., March 3 - Shr 5 cts", "OAKLAND , N.J.", 3, 3, None, None, "OAKLAND , N.J., March 3 -"),
    ("Guwahati [India], Sept 1 (ANI): The Assam government", "Guwahati [India]", 9, 1, None, "ANI", "Guwahati [India], Sept 1 (ANI):"),
    ("Bengaluru, Sept 29 (PTI):\xa0Setting the tone for polls", "Bengaluru", 9, 29, None, "PTI", "Bengaluru, Sept 29 (PTI):"),
    # Xinhua.
    ("HANOI, Jan. 14 (Xinhua) -- Vietnam's exports grew", "HANOI", 1, 14, None, "Xinhua", "HANOI, Jan. 14 (Xinhua) --"),
    # City: and CITY — with no date.
    ("Chennai: The state government on Monday announced", "Chennai", None, None, None, None, "Chennai:"),
    ("LUCKNOW: Police on Sunday arrested", "LUCKNOW", None, None, None, None, "LUCKNOW:"),
    ("CAIRO — Egypt's president met his Sudanese counterpart", "CAIRO", None, None, None, None, "CAIRO —"),
    ("Denver – Teachers rallied outside the capitol", "Denver", None, None, None, None, "Denver –"),
    ("FLAGSTAFF -- Snow closed the interstate", "FLAGSTAFF", None, None, None, None, "FLAGSTAFF --"),
    # City, State/Country, Mon DD.
    ("FRESNO, Calif., May 2 - Shr 10 cts vs 8 cts", "FRESNO, Calif.", 5, 2, None, None, "FRESNO, Calif., May 2 -"),
    ("LIMA, Peru, May 2 - Peru's copper output rose", "LIMA, Peru", 5, 2, None, None, "LIMA, Peru, May 2 -"),
    ("TOLEDO, Ohio March 9 - Qtly div 20 cts", "TOLEDO, Ohio", 3, 9, None, None, "TOLEDO, Ohio March 9 -"),
    ("ST. CLOUD, Minn., June 4 - Shr 5 cts", "ST. CLOUD, Minn.", 6, 4, None, None, "ST. CLOUD, Minn., June 4 -"),
    ("YORK, Pa. - A local plant will close", "YORK, Pa.", None, None, None, None, "YORK, Pa. -"),
    ("ATLANTA, Ga. Police said a man was arrested", "ATLANTA, Ga.", None, None, None, None, "ATLANTA, Ga."),
    # Case, dots and spacing.
    ("lima, may 2 - the peruvian central bank said", "lima", 5, 2, None, None, "lima, may 2 -"),
    ("MADRID, JUNE 3 - Spanish unemployment fell", "MADRID", 6, 3, None, None, "MADRID, JUNE 3 -"),
    ("Nairobi, Sept.29 - The Kenyan shilling weakened", "Nairobi", 9, 29, None, None, "Nairobi, Sept.29 -"),
    ("Accra, Sep 29 - Ghana's cedi", "Accra", 9, 29, None, None, "Accra, Sep 29 -"),
    ("Doha, Sept. 29—Qatar said", "Doha", 9, 29, None, None, "Doha, Sept. 29—"),
    ("OSLO, Sep 29 -- Norway's krone rose", "OSLO", 9, 29, None, None, "OSLO, Sep 29 --"),
    ("Hyderabad, Sept 29 : The state cabinet", "Hyderabad", 9, 29, None, None, "Hyderabad, Sept 29 :"),
    ("KABUL, Sept 29 -The Taliban said", "KABUL", 9, 29, None, None, "KABUL, Sept 29 -"),
    ("QUITO, Sept 29 ― Ecuador's president", "QUITO", 9, 29, None, None, "QUITO, Sept 29 ―"),
    ("   DAKAR, Sept 29 - Senegal's", "DAKAR", 9, 29, None, None, "DAKAR, Sept 29 -"),
    # Years written, press-release wires.
    ("SEATTLE, June 5, 2024 /PRNewswire/ -- Acme Corp today", "SEATTLE", 6, 5, 2024, "PRNewswire", "SEATTLE, June 5, 2024 /PRNewswire/ --"),
    ("AUSTIN, Texas--(BUSINESS WIRE)--Acme Corp today", "AUSTIN, Texas", None, None, None, "BUSINESS WIRE", "AUSTIN, Texas--(BUSINESS WIRE)--"),
    # Other wires and shapes seen on news sites.
    ("Rome (CNN) Italy's parliament voted", "Rome", None, None, None, "CNN", "Rome (CNN)"),
    ("Mumbai and PuneCNN\n —\nHeavy rain flooded", "Mumbai and Pune", None, None, None, "CNN", "Mumbai and PuneCNN\n —"),
    ("Washington, DCCNN\n —\nThe Senate voted", "Washington, DC", None, None, None, "CNN", "Washington, DCCNN\n —"),
    ("THE HAGUE, May 3 - The Dutch central bank", "THE HAGUE", 5, 3, None, None, "THE HAGUE, May 3 -"),
    ("ST. LOUIS • The city's aldermen voted", "ST. LOUIS", None, None, None, None, "ST. LOUIS •"),
    ("Denver\n\nThe Nuggets beat the Lakers", "Denver", None, None, None, None, "Denver"),
    ("Srinagar, Nov 18 (KNO): Traffic resumed", "Srinagar", 11, 18, None, "KNO", "Srinagar, Nov 18 (KNO):"),
    # Month names dateparser knows.
    ("SANTIAGO, 3 de marzo (EFE) - El gobierno chileno", "SANTIAGO", 3, 3, None, "EFE", "SANTIAGO, 3 de marzo (EFE) -"),
    ("PARIS, 5 janvier (AFP) - Le gouvernement", "PARIS", 1, 5, None, "AFP", "PARIS, 5 janvier (AFP) -"),
]

NEGATIVES = [
    "On Tuesday, Russia said it will demand that Western nations uphold a 1999 agreement",
    "New Delhi has said it will respond to the letter",
    "Russia quotes 1999 charter to resolve security issue",
    "FILE PHOTO: Russian Foreign Minister Sergei Lavrov and Swiss President Ignazio Cassis meet "
    "in Geneva, Switzerland, January 21, 2022. Jean-Christophe Bott/Pool via REUTERS/File Photo",
    "FILE - In this March 3, 2020, file photo, a man walks past a closed shop",
    "NEW DELHI, INDIA - JULY 31: People walk in the rain (Photo by A B/Hindustan Times via Getty Images)",
    "India\n\nThe country's exports rose in August",  # a section heading, not a dateline
    "(AP Photo/Evan Vucci) President Biden speaks",
    "Sports\n\nOct 3, 2021; Denver, CO, USA; Denver Nuggets guard (4) drives to the basket",
    "In this photo released by the ministry, soldiers march",
    "Srinagar: Security personnel stand guard near the secretariat, in Srinagar, Monday, Sept. 29, 2022.",
    "Jaipur: Devotees gather at a temple on the eve of Diwali. (PTI Photo/Name Surname)",
    "MUMBAI, INDIA: Commuters wade through water. Photo by Name Surname/Hindustan Times via Getty Images",
    "By Priya Sharma, New Delhi",
    "BY JOHN DOE - Staff Writer",
    "Updated: Sept 29, 2022 10:15 IST",
    "Published Sept 29, 2022 - 10:15 IST",
    "Sept 29, 2022 - 10:15 IST",
    "Sept 29 - Oct 3 is the filing window",
    "Monday, Sept 29 - Markets were closed",
    "Weather Today: Heavy rain expected across the state",
    "Pakistan: Five killed in blast",  # a country and a colon: a headline's shape
    "Stock Market Live: Sensex climbs 300 points",
    "EXCLUSIVE - Bank plans to cut jobs",
    "UPDATE 2-Oil prices rise",
    "LIVE UPDATES - Markets slide as rates rise",
    "COVID-19: India reports 636 new cases",
    "JOHN SMITH — Staff Writer",
    "Bengaluru, India's technology hub, saw heavy rain on December 27",
    "Nevada, Utah and Idaho are among the states with the fastest growth",
    "In October, lawmakers visited the border",
    "Apple Inc (AAPL.O) - Shares rose 2 pct",
    "Pakistan Tehreek-e-Insaf (PTI) has stirred up a row",
    "Pakistan Tehreek-e-Insaf (PTI) Chairman spoke",
    "Two militants were killed in an encounter on the outskirts of Srinagar on Saturday",
    "China said on Monday of January 5 that it had sent experts",
    "",
    "   ",
    "-",
    ": nothing",
    "(",
]


@pytest.mark.parametrize(("text", "location", "month", "day", "year", "agency", "raw"), POSITIVES)
def test_parses_every_style(text, location, month, day, year, agency, raw):
    dateline = parse_dateline(text, REFERENCE)
    assert dateline is not None, text
    assert (dateline.location, dateline.month, dateline.day, dateline.year, dateline.agency) == (
        location, month, day, year, agency)
    assert dateline.raw == raw
    # The story starts right after the dateline and the space that follows it.
    assert text[dateline.end:] == text[text.index(raw) + len(raw):].lstrip()


@pytest.mark.parametrize("dash", ["-", "--", "\u2010", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"])
@pytest.mark.parametrize("spacing", ["{} ", " {} ", "{}", " {}", "  {}  "])
def test_every_dash_with_any_spacing(dash, spacing):
    separator = spacing.format(dash)
    text = f"New Delhi, Sept 29{separator}According to data"
    dateline = parse_dateline(text, REFERENCE)
    assert (dateline.location, dateline.month, dateline.day) == ("New Delhi", 9, 29)
    assert dateline.raw == f"New Delhi, Sept 29{separator.rstrip()}"
    assert text[dateline.end:] == "According to data"


@pytest.mark.parametrize("text", NEGATIVES)
def test_rejects_what_is_not_a_dateline(text):
    assert parse_dateline(text, REFERENCE) is None


def test_story_begins_at_end():
    text = "HANOI, Jan. 14 (Xinhua) -- Vietnam's exports grew"
    dateline = parse_dateline(text, REFERENCE)
    assert text[dateline.end:] == "Vietnam's exports grew"


def test_returns_the_schema_dataclass():
    assert isinstance(parse_dateline("CAIRO — Egypt's president", REFERENCE), Dateline)


def test_only_the_opening_counts():
    assert parse_dateline("The minister said. NEW DELHI, Sept 29 (PTI) Something", REFERENCE) is None


def test_gazetteer_ignores_case_and_accents():
    assert is_place("SAO PAULO") and is_place("São Paulo") and is_place("kolkata")
    assert not is_place("Weather Today") and not is_place("Japan Earthquake")
    assert is_place("India") and not is_town("India") and is_town("Pittsburgh")


# (dateline text, reference, expected ISO date)
YEARS = [
    ("Dec 31", "2024-01-02", "2023-12-31"),  # filed on New Year's Eve, published after
    ("Jan 2", "2023-12-31", "2023-01-02"),  # two days after the reference: not next year
    ("Jan 1", "2023-12-31", "2024-01-01"),  # one day after: time zones allow it
    ("Sept 29", "2022-09-29T10:15:00+05:30", "2022-09-29"),
    ("Sept 30", "2022-09-29", "2022-09-30"),
    ("Oct 1", "2022-09-29", "2021-10-01"),
    ("Feb 29", "2023-03-01", "2020-02-29"),  # the nearest leap year before
    ("July 19, 2019", "2025-01-01", "2019-07-19"),  # a written year wins
]


@pytest.mark.parametrize(("written", "reference", "expected"), YEARS)
def test_year_is_inferred_from_the_reference(written, reference, expected):
    dateline = parse_dateline(f"SEOUL, {written} (Yonhap) -- South Korea said", reference)
    assert dateline.date == expected


def test_reference_may_be_a_date_or_datetime():
    text = "Dec 31 - Wheat stocks 2,602,000 bushels"
    assert parse_dateline(text, date(2024, 1, 2)).date == "2023-12-31"
    assert parse_dateline(text, datetime(2024, 1, 2, 3, 4)).date == "2023-12-31"


def test_no_reference_means_today():
    inferred = date.fromisoformat(parse_dateline("SEOUL, Jan 1 (Yonhap) -- Markets", None).date)
    today = date.today()
    assert today - timedelta(days=366) < inferred <= today + timedelta(days=1)


def test_impossible_day_keeps_what_was_written_without_a_date():
    dateline = parse_dateline("SEOUL, Feb 30 (Yonhap) -- Markets", REFERENCE)
    assert (dateline.month, dateline.day, dateline.date) == (2, 30, None)


def test_unreadable_reference_is_a_clear_error():
    with pytest.raises(ValueError, match="ISO date"):
        parse_dateline("SEOUL, Jan 1 (Yonhap) -- Markets", "last Tuesday")


_PIECES = st.sampled_from([
    "NEW YORK", "New Delhi", "J&K", ", ", ",", " ", "  ", "Sept", "Sept.", "sep", "29", "3", "2022",
    " - ", "-", "–", "—", "--", ":", "(", ")", "(Reuters)", "(PTI)", "/PRNewswire/", "[India]",
    "Calif.", "N.J.", "\n", "\n\n", "de", "marzo", "\xa0", "_", "Ore.", "The", "said", "FILE PHOTO",
])


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=25).map("".join)),
    reference=st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))),
)
def test_fuzz_never_raises(text, reference):
    dateline = parse_dateline(text, reference)
    if dateline is not None:
        assert dateline.raw and dateline.raw in text
        assert 0 < dateline.end <= len(text)
        assert dateline.month is None or 1 <= dateline.month <= 12
        assert dateline.day is None or 1 <= dateline.day <= 31
