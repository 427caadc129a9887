"""The news archive's pages (``scrapy browse``): Datasette from PyPI, started here on a free
port with the README's plain command line, over the store of a real crawl of the demo site
that archived every response; pages driven in Debian's Chromium through Playwright, and the
archived-copy link followed into a pywb replay of that crawl's WARC files.

Every browser test saves a screenshot under ``output/screenshots/`` (kept by CI).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from newscrawler.browse import datasette_options
from newscrawler.demo.generate import build_demo_site
from newscrawler.demo.server import serve_directory
from newscrawler.items import Article
from newscrawler.storage.schema import to_row
from newscrawler.storage.sqlite import SQLiteStore
from tests.conftest import CrawlResult, run_crawl
from tests.replay import free_port, pywb_collection

SCREENSHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
HOSTILE_BODY = ("Officials said the plan <script>window.pwned = 1; document.title = 'pwned'</script> "
                "would go ahead.\n\nA second paragraph with <b>markup</b> and <img src=x onerror=\"window.pwned=2\">.")


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"nothing answered at {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _required(what: str, reason: str) -> None:
    """Skip without the part; under CI=true its absence is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true: {reason}")
    pytest.skip(f"{what} not available: {reason}")


@dataclass
class Archive:
    crawl: CrawlResult
    db: Path
    url: str
    """The search page: ``http://127.0.0.1:PORT/news``."""
    replay_base: str | None
    """The pywb collection the crawl's replay addresses point at, when pywb is running."""
    pywb_missing: str | None
    """Why pywb is not running."""
    hostile_id: int


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Iterator[Archive]:
    """A demo crawl with WARC archiving and replay addresses, served by Datasette (and pywb)."""
    root = tmp_path_factory.mktemp("demo-site")
    build_demo_site(root)
    work = tmp_path_factory.mktemp("browse")
    pywb_port = free_port()
    replay_base = f"http://127.0.0.1:{pywb_port}/news/"
    with serve_directory(root) as site:
        result = run_crawl(work / "crawl", "-a", f"start_url={site.base_url}", settings={
            "NEWSCRAWLER_WARC_DIR": str(work / "warc"), "NEWSCRAWLER_REPLAY_URL": replay_base})
    assert result.returncode == 0, result.log[-3000:]
    assert result.items, "the demo crawl emitted no article:\n" + result.log[-3000:]
    db = work / "crawl" / "news.db"
    # One story whose text holds markup, stored through the real store: it must show as text.
    store = SQLiteStore(db)
    store.upsert([to_row(Article(
        url="http://127.0.0.1:1/hostile-story/?utm_source=feed", canonical_url="http://127.0.0.1:1/hostile-story/",
        title="Council <em>votes</em> on the <script>alert(1)</script> plan",
        section="Hostile", site="127.0.0.1", authors=["<b>Mallory</b>"], body=HOSTILE_BODY,
        published_at="2022-09-01T10:00:00+05:30", word_count=20).to_dict())])
    store.close()
    with sqlite3.connect(db) as conn:
        hostile_id = conn.execute("SELECT id FROM articles WHERE section = 'Hostile'").fetchone()[0]
    port = free_port()
    # The README's plain command line; the replay address is the one the crawl stored.
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWLER_REPLAY_URL"}
    datasette = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), *datasette_options(), "-h", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with ExitStack() as stack:
        stack.callback(stop, datasette)
        wait_for(f"http://127.0.0.1:{port}/news", datasette)
        warcs = sorted((work / "warc").glob("*.warc.gz"))
        assert warcs, "the crawl wrote no WARC file"
        try:  # pywb's framed replay is off (tests/replay.py): the archived page is the whole page
            served = stack.enter_context(pywb_collection(work / "pywb", warcs, "news", port=pywb_port))
            missing = None
        except (FileNotFoundError, RuntimeError) as exc:
            served, missing = None, str(exc)
        assert served in (None, replay_base)
        yield Archive(result, db, f"http://127.0.0.1:{port}/news", served, missing, hostile_id)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright

        from newscrawler.rendering.chromium import BrowserNotFoundError, find_chromium
    except ImportError as exc:
        _required("Playwright", str(exc))
    try:
        chromium = find_chromium(os.environ.get("NEWSCRAWLER_CHROMIUM_PATH"))
    except BrowserNotFoundError as exc:
        _required("Chromium", str(exc))
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; its screenshot is saved under output/screenshots/<test name>.png at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs  # type: ignore[attr-defined]
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=False)
    context.close()


def stories(db: Path, sql: str, *params) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


@pytest.mark.chromium
def test_a_typed_query_shows_highlighted_results(archive: Archive, page) -> None:
    page.goto(archive.url)
    page.fill("input[name=q]", "minister")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.results li")
    expected = stories(archive.db, "SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH 'minister'")[0]["n"]
    assert expected > 1
    assert page.locator(".summary strong").first.inner_text() == str(expected)
    results = page.locator("ol.results li")
    assert results.count() == min(expected, 20)
    marks = page.locator("ol.results li mark")
    assert marks.count() >= results.count()
    assert {m.lower() for m in marks.all_inner_texts()} == {"minister"}
    first = results.first
    assert first.locator("h2 a").inner_text()
    assert re.search(r"\d{1,2} \w+ 20\d\d", first.locator(".meta").inner_text())  # a reader's date
    assert "By " in first.locator(".meta").inner_text()
    # Facets count the same matches: section counts add up to the total.
    section_counts = page.locator("aside ul").first.locator(".count").all_inner_texts()
    assert sum(int(n.replace(",", "")) for n in section_counts) == expected


@pytest.mark.chromium
def test_filter_by_section(archive: Archive, page) -> None:
    page.goto(f"{archive.url}?q=minister")
    section_facet = page.locator("aside ul").first.locator("li").first
    name = section_facet.locator("a").inner_text()
    count = int(section_facet.locator(".count").inner_text())
    section_facet.locator("a").click()
    page.wait_for_url(re.compile(r"section="))
    labels = page.locator("ol.results .section-label").all_inner_texts()
    assert len(labels) == count
    assert {label.lower() for label in labels} == {name.lower()}
    assert page.locator(".chips a").inner_text().startswith(f"section: {name}")
    # Sorted by date, the same stories come newest first.
    page.click("text=date")
    dates = [stories(archive.db, "SELECT published_at FROM articles WHERE id = ?", int(href.rsplit("/", 1)[1]))[0][0]
             for href in page.locator("ol.results h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert len(dates) == count and dates == sorted(dates, reverse=True)


@pytest.mark.chromium
def test_filter_by_month_and_by_author(archive: Archive, page) -> None:
    page.goto(f"{archive.url}?q=minister")
    month = page.locator("aside ul").nth(2).locator("li").first
    label, count = month.locator("a").inner_text(), int(month.locator(".count").inner_text())
    month.locator("a").click()
    page.wait_for_url(re.compile(r"until="))
    dates = page.locator("ol.results time").all_inner_texts()
    assert len(dates) == count and all(d.endswith(label) for d in dates)  # "13 August 2022" in "August 2022"
    author = stories(archive.db, "SELECT value FROM articles, json_each(articles.authors) "
                     "WHERE articles.section != 'Hostile' GROUP BY value ORDER BY count(*) DESC LIMIT 1")[0][0]
    page.goto(f"{archive.url}?author={quote(author)}")
    bylines = page.locator("ol.results .meta").all_inner_texts()
    assert bylines and all(author in line for line in bylines)


@pytest.mark.chromium
def test_open_a_story(archive: Archive, page) -> None:
    page.goto(f"{archive.url}?q=minister")
    link = page.locator("ol.results h2 a").first
    headline = link.inner_text()
    link.click()
    page.wait_for_selector("h1.headline")
    story_id = int(page.url.rsplit("/", 1)[1])
    row = stories(archive.db, "SELECT * FROM articles WHERE id = ?", story_id)[0]
    assert page.locator("h1.headline").inner_text() == headline == row["title"]
    assert page.locator(".byline").inner_text() == "By " + ", ".join(json.loads(row["authors"]))
    published = page.locator(".dates time").first
    assert published.get_attribute("datetime") == row["published_at"]
    if row["published_at"][-6] in "+-":  # the page gave an offset: it is shown
        assert f"(UTC{row['published_at'][-6:]})" in published.inner_text()
    paragraphs = page.locator(".body p").all_inner_texts()
    assert len(paragraphs) == len([p for p in row["body"].split("\n\n") if p.strip()]) >= 3
    assert page.locator(".kicker").inner_text().lower() == row["section"].lower()
    assert page.locator("a.original-link").get_attribute("href") == row["canonical_url"]
    assert page.locator("a.archived-link").get_attribute("href") == row["replay_url"]
    aliases = stories(archive.db, "SELECT url FROM aliases WHERE canonical_url = ? AND url != ?",
                      row["canonical_url"], row["canonical_url"])
    assert page.locator("dd.alias").count() == len(aliases)
    images = json.loads(row["images"])
    if images and images[0].get("caption"):
        assert images[0]["caption"] in page.locator("figcaption").first.inner_text()


@pytest.mark.chromium
def test_the_archived_copy_link_opens_the_replay(archive: Archive, page) -> None:
    row = stories(archive.db, "SELECT id, title, url, replay_url, warc_file FROM articles "
                  "WHERE replay_url IS NOT NULL ORDER BY id LIMIT 1")
    assert row, "the crawl archived its responses but no story has a replay address"
    story = row[0]
    assert story["warc_file"] and story["replay_url"].endswith("/" + story["url"])
    page.goto(f"{archive.url}/story/{story['id']}")
    link = page.locator("a.archived-link")
    assert link.get_attribute("href") == story["replay_url"]
    if archive.replay_base is None:
        _required("pywb (wayback)", archive.pywb_missing or "not running")
    assert story["replay_url"].startswith(archive.replay_base)
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(archive.replay_base) and page.url.endswith("/" + story["url"])
    # The archived page itself, as the crawl fetched it: the demo theme's headline and masthead.
    assert page.locator("h1").first.inner_text().strip() == story["title"]
    assert page.locator("h1.headline").count() == 0  # not the archive's own story page


@pytest.mark.chromium
def test_a_search_with_no_results(archive: Archive, page) -> None:
    page.goto(archive.url)
    page.fill("input[name=q]", "zqxjvwk")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("p.empty")
    assert "No stories match" in page.locator("p.empty").inner_text()
    assert page.locator("ol.results li").count() == 0


@pytest.mark.chromium
@pytest.mark.parametrize("query, says", [
    ('"sea wall', "searched as plain words"),
    ("NEAR(", "searched as plain words"),
    ("covid-19", "searched as plain words"),
    ("<script>alert(1)</script>", "searched as plain words"),
    ('"', "Could not search"),
    (("flood " * 2000)[:10_000], "characters long"),
], ids=["open-quote", "near", "covid-19", "html", "lone-quote", "10000-chars"])
def test_a_broken_query_gets_a_page_saying_what_happened(archive: Archive, page, query: str, says: str) -> None:
    response = page.goto(f"{archive.url}?q={quote(query)}")
    assert response is not None and response.status in (200, 400), response.status if response else None
    assert says in page.locator("section.content").inner_text()
    assert page.locator("form.search-form input[name=q]").input_value() == query.strip()
    assert page.dialogs == []  # type: ignore[attr-defined]
    if response.status == 400:
        assert page.locator(".problem").count() == 1


@pytest.mark.chromium
def test_a_page_past_the_end_says_so(archive: Archive, page) -> None:
    total = stories(archive.db, "SELECT count(*) FROM articles")[0][0]
    pages = -(-total // 20)
    assert pages >= 3
    response = page.goto(f"{archive.url}?page=999")  # every story, newest first
    assert response is not None and response.status == 404
    problem = page.locator(".problem").inner_text()
    assert f"Page 999 is past the end: this search has {pages} pages of results ({total} stories)" in problem
    page.click("text=Go to the last page")
    page.wait_for_selector("ol.results li")
    assert page.locator(".pager .current").inner_text() == str(pages)
    assert page.locator("ol.results li").count() == total - (pages - 1) * 20


@pytest.mark.chromium
def test_markup_in_a_story_is_shown_as_text(archive: Archive, page) -> None:
    page.goto(f"{archive.url}/story/{archive.hostile_id}")
    assert page.locator("h1.headline").inner_text() == "Council <em>votes</em> on the <script>alert(1)</script> plan"
    body = page.locator(".body").inner_text()
    assert "<script>window.pwned = 1; document.title = 'pwned'</script>" in body
    assert '<img src=x onerror="window.pwned=2">' in body
    assert page.locator(".byline").inner_text() == "By <b>Mallory</b>"
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert "pwned" not in page.title()
    assert page.locator(".body script, .body img, .headline em").count() == 0
    # The URL it was fetched under is one of its aliases, linked.
    assert page.locator("dd.alias a").get_attribute("href") == "http://127.0.0.1:1/hostile-story/?utm_source=feed"
    assert page.locator("a.original-link").get_attribute("href") == "http://127.0.0.1:1/hostile-story/"
    assert "Not archived" in page.locator(".sources").inner_text()
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.goto(f"{archive.url}?q=council+plan")
    assert page.evaluate("typeof window.pwned") == "undefined" and page.dialogs == []  # type: ignore[attr-defined]


def test_every_page_answers_as_json(archive: Archive) -> None:
    status, text = fetch(f"{archive.url}.json?q=minister&section=India")
    assert status == 200
    found = json.loads(text)
    assert found["total"] == len(found["results"]) > 0
    assert {r["section"] for r in found["results"]} == {"India"}
    assert all("minister" in r["snippet"].lower() for r in found["results"])
    assert {f["value"] for f in found["facets"]["section"]} == {"India"}
    story = json.loads(fetch(f"{archive.url}/story/{found['results'][0]['id']}.json")[1])
    assert story["title"] == found["results"][0]["title"] and isinstance(story["authors"], list)
    status, text = fetch(f"{archive.url}.json?q=" + quote('"'))
    assert status == 400 and json.loads(text)["error"].startswith("Could not search")
    assert fetch(f"{archive.url}/story/999999.json")[0] == 404


@pytest.mark.chromium
def test_crawl_history_has_one_row_per_run_linked_to_its_report(archive: Archive, page) -> None:
    history = json.loads(fetch(f"{archive.url}/history.json")[1])["crawls"]
    assert len(history) == 1
    run = history[0]
    report = archive.crawl.report
    assert run["finish_reason"] == report["finish_reason"] == "finished"
    assert run["pages"] == report["pages_fetched"]
    assert run["stories_new"] == len(archive.crawl.items) and run["stories_updated"] == 0
    assert run["started_at"] <= run["finished_at"]
    assert json.loads(Path(run["report_path"]).read_text())["crawl_id"] == report["crawl_id"]
    page.goto(archive.url)
    page.click("text=Crawl history")
    cells = page.locator("table.crawls tbody tr").first.locator("td").all_inner_texts()
    assert len(cells) == 8 and cells[0] == f"#{run['id']}" and cells[3] == "finished"
    assert cells[4:7] == [str(run["pages"]), str(run["stories_new"]), "0"]
    page.click("table.crawls tbody a:text-is('report')")
    assert f"Crawl {report['crawl_id']} finished (finished" in page.locator("pre.report").inner_text()


def test_scrapy_browse_serves_the_store_on_loopback(archive: Archive, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", "browse", "--port", str(port), str(archive.db)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first_line = proc.stdout.readline() if proc.stdout else ""
        assert first_line.strip() == f"News archive of {archive.db}: http://127.0.0.1:{port}/news (Ctrl-C stops it)"
        wait_for(f"http://127.0.0.1:{port}/news", proc)
        status, html = fetch(f"http://127.0.0.1:{port}/news?q=minister")
        assert status == 200 and "<mark>minister</mark>" in html.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as home:  # one store: / is its search
            assert home.url == f"http://127.0.0.1:{port}/news"
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        if listening:  # ss is there: the only listener is on loopback
            assert {line.split()[3] for line in listening.splitlines()} == {f"127.0.0.1:{port}"}
    finally:
        stop(proc)
    with pytest.raises(OSError):  # stopping the command stopped the server: nothing left behind
        urllib.request.urlopen(f"http://127.0.0.1:{port}/news", timeout=5)


def test_scrapy_browse_without_a_store_is_one_clear_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "browse", "-s", "NEWSCRAWLER_SQLITE_PATH=nowhere.db"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "no database at nowhere.db" in proc.stderr
