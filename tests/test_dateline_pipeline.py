"""DatelinePipeline on Article items, built by a real Crawler with the project's settings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawler import settings as project_settings
from newscrawler.items import Article, Dateline
from newscrawler.pipelines.dateline import DatelinePipeline

PIPELINE_PATH = "newscrawler.pipelines.dateline.DatelinePipeline"


def project_crawler(**overrides):
    values = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    # No spider runs here, so no site lock to take (it would write into the checkout).
    return get_crawler(settings_dict={**values, "NEWSCRAWLER_LOCK_DIR": "", **overrides})


@pytest.fixture
def crawler():
    return project_crawler()


@pytest.fixture
def pipeline(crawler):
    return build_from_crawler(DatelinePipeline, crawler)


def article(**fields) -> Article:
    return Article(url="http://127.0.0.1/story", title="A story", **fields)


def process(pipeline: DatelinePipeline, item):
    """One item through the pipeline, as the crawl's event loop would run it."""
    return asyncio.run(pipeline.process_item(item))


def stat(crawler, name: str):
    return crawler.stats.get_value(f"newscrawler/dateline/{name}")


def test_registered_in_the_project_at_200(crawler):
    assert crawler.settings.getdict("ITEM_PIPELINES")[PIPELINE_PATH] == 200


def test_body_dateline_dated_by_publication(pipeline, crawler):
    item = article(body="Srinagar, Dec 31 (PTI) Snow closed the highway.\n\nMore text.",
                   published_at="2024-01-02T08:00:00+05:30")
    process(pipeline, item)
    assert item.dateline == Dateline(raw="Srinagar, Dec 31 (PTI)", location="Srinagar", month=12, day=31,
                                     date="2023-12-31", agency="PTI", end=23)
    assert stat(crawler, "found") == 1
    assert stat(crawler, "found/body") == 1
    assert stat(crawler, "none") is None


def test_body_that_repeats_the_headline(pipeline):
    body = "A story\n\nCAIRO — Egypt's president spoke.\n\nMore."
    item = article(body=body, published_at="2024-01-02")
    process(pipeline, item)
    assert item.dateline.location == "CAIRO"
    assert body[item.dateline.end:].startswith("Egypt's president")


def test_after_a_short_first_paragraph(pipeline):
    body = "By Priya Sharma, Staff Reporter\n\nKOLKATA: The air quality worsened.\n\nMore."
    item = article(body=body, published_at="2024-01-02")
    process(pipeline, item)
    assert item.dateline.location == "KOLKATA"
    assert body[item.dateline.end:].startswith("The air quality")


def test_after_a_standfirst_that_is_the_description(pipeline):
    standfirst = ("The city woke to smog on Monday, and officials urged residents to stay indoors while "
                  "schools closed for the week.")
    body = f"{standfirst}\n\nKOLKATA: The air quality worsened.\n\nMore."
    item = article(body=body, description=standfirst, published_at="2024-01-02")
    process(pipeline, item)
    assert item.dateline.location == "KOLKATA"
    assert body[item.dateline.end:].startswith("The air quality")


def test_not_from_deep_in_the_body(pipeline):
    body = ("The city woke to smog on Monday, and officials urged residents to stay indoors while "
            "schools closed for the week.\n\nKOLKATA: a line deep in the story.")
    item = article(body=body, published_at="2024-01-02")
    process(pipeline, item)
    assert item.dateline is None


def test_lede_when_the_body_opens_otherwise(pipeline, crawler):
    item = article(body="Police said two men were arrested on Monday near the railway station in the city.",
                   lede="Pune, Oct 3 (PTI) Police said.", published_at="2024-01-02")
    process(pipeline, item)
    assert (item.dateline.location, item.dateline.agency) == ("Pune", "PTI")
    assert stat(crawler, "found/lede") == 1


def test_description_when_the_body_has_none(pipeline, crawler):
    item = article(body="Snow closed the highway on Sunday.", description="SRINAGAR: Snow closed the highway.",
                   published_at="2024-01-02")
    process(pipeline, item)
    assert item.dateline.location == "SRINAGAR"
    assert stat(crawler, "found/description") == 1


def test_excerpt_when_the_page_has_none(pipeline, crawler):
    item = article(body="Two people were injured.", description="Two people were injured.",
                   excerpt="J&K, Sept 29 – Two people were injured in two blasts...",
                   published_at="2022-09-30T09:00:00+05:30")
    process(pipeline, item)
    assert (item.dateline.location, item.dateline.date) == ("J&K", "2022-09-29")
    assert stat(crawler, "found/excerpt") == 1


def test_counts_articles_without_one(pipeline, crawler):
    items = [article(body="On Tuesday, Russia said it will demand answers."), article()]
    for item in items:
        process(pipeline, item)
    assert [item.dateline for item in items] == [None, None]
    assert stat(crawler, "none") == 2
    assert stat(crawler, "found") is None


def test_never_overwrites_a_dateline_already_set(pipeline, crawler):
    kept = Dateline(raw="LONDON -", location="LONDON")
    item = article(body="PARIS (AFP) - Something happened.", dateline=kept)
    process(pipeline, item)
    assert item.dateline is kept
    assert stat(crawler, "kept") == 1


def test_bad_publication_date_falls_back_to_crawl_date(pipeline, crawler):
    item = article(body="Mumbai, Dec 31 (PTI) Markets closed.", published_at="yesterday",
                   crawled_at="2025-01-01T00:10:00+00:00")
    process(pipeline, item)
    assert item.dateline.date == "2024-12-31"
    assert stat(crawler, "bad_reference") == 1


def test_dict_items_and_plain_output(pipeline):
    item = {"url": "http://127.0.0.1/x", "body": "CAIRO — Egypt's president spoke.", "dateline": None}
    process(pipeline, item)
    assert ItemAdapter(item).asdict()["dateline"]["location"] == "CAIRO"


def test_switched_off_by_setting():
    with pytest.raises(NotConfigured):
        build_from_crawler(DatelinePipeline, project_crawler(NEWSCRAWLER_DATELINES_ENABLED=False))


ARTICLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Valley Times</title>
<script type="application/ld+json">{jsonld}</script></head>
<body><article><h1>{title}</h1>
<p>{lede}</p>
<p>Officials said the work would continue through the week, and residents were asked to
stay indoors while crews cleared the roads. Traffic police said several diversions were in
place and schools in the district would remain closed until further notice. Shopkeepers in
the main market said business had been slow since the weekend, and the weather office said
more snow was likely in the higher reaches over the next two days.</p>
</article></body></html>
"""


def write_site(root: Path) -> None:
    stories = {
        "snow.html": ("Snow shuts highway", "Srinagar, Dec 31 (PTI) Heavy snow shut the highway on Sunday.",
                      "2024-01-02T08:00:00+05:30"),
        "river.html": ("River rises", "The river rose above the danger mark on Monday.", "2024-01-03T08:00:00+05:30"),
    }
    links = []
    for name, (title, lede, published) in stories.items():
        jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                             "datePublished": published, "author": {"@type": "Person", "name": "A Reporter"}})
        (root / name).write_text(ARTICLE_PAGE.format(title=title, lede=lede, jsonld=jsonld), encoding="utf-8")
        links.append(f'<li><a href="/{name}">{title}</a></li>')
    (root / "index.html").write_text(f"<html><body><ul>{''.join(links)}</ul></body></html>", encoding="utf-8")


def test_real_crawl_fills_datelines(tmp_path, serve, crawl):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    write_site(site_dir)
    site = serve(site_dir)
    # Only the pipelines that lead up to the dateline: stores and dedupe are tested elsewhere.
    pipelines = {"newscrawler.pipelines.normalize.NormalizePipeline": 100, PIPELINE_PATH: 200}
    result = crawl("-a", f"start_urls={site.url('/index.html')}",
                   settings={"NEWSCRAWLER_SQLITE_PATH": "", "ITEM_PIPELINES": json.dumps(pipelines)})
    items = {Path(item["url"]).name: item for item in result.items}
    assert set(items) >= {"snow.html", "river.html"}, result.log[-3000:]
    snow = items["snow.html"]["dateline"]
    assert (snow["location"], snow["agency"], snow["date"]) == ("Srinagar", "PTI", "2023-12-31")
    assert items["snow.html"]["body"][snow["end"]:].startswith("Heavy snow shut")  # an offset in the body
    assert items["river.html"]["dateline"] is None
    assert result.stats.get("newscrawler/dateline/found") == 1
    assert result.stats.get("newscrawler/dateline/none") == 1
