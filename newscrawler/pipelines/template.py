"""Leaves each site's furniture lines out of article bodies, learning the template as it crawls.

Runs before the dateline and dedupe pipelines, so datelines are read and fingerprints taken
on the story's own text. A body's lines are counted once the article is emitted (the
``item_scraped`` signal): copies, aliases and unchanged re-crawls that dedupe drops are not
counted again, nor are updates of a story already counted. Counts live in the store (see
``newscrawler/storage/template.py``), so the next run starts knowing the template.

A line becomes furniture only after enough pages, so the first articles of a site new to
the store still carry it: their feed lines are written already, but their stored rows
(SQLite, PostgreSQL) are cleaned when the crawl closes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawler.extract.template import (
    SiteTemplate,
    TemplatePolicy,
    distinct_keys,
    keyed_lines,
    literal_of,
    strip_body,
)
from newscrawler.offload.worker import WorkerThread
from newscrawler.signals import collect_report_sections
from newscrawler.storage.base import StorageConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newscrawler.storage.template import TemplateStore

logger = logging.getLogger(__name__)

_SAVE_EVERY = 256
"""Articles counted between two writes of the counts to the store."""
_MAX_IN_FLIGHT = 10_000
_WARMUP_IN_FLIGHT = 4
"""While a site has fewer counted pages than a line needs to be learned, at most this many of
its items are past this stage and not yet counted; the next ones wait for them. Items are
counted only once emitted, after the later pipelines: without this, a backlog behind them
(the gazetteer loading, a busy store) would carry every early item past the stage before the
first line is learned."""
_WARMUP_WAIT = 30.0
"""Seconds an item waits for room at most: an item that never reports back cannot stall a crawl."""
"""Items between this pipeline and the end of the chain whose lines wait to be counted."""
REPORT_LINES = 50
"""Furniture lines listed in the crawl report, most dropped first."""


@dataclass(frozen=True)
class TemplateConfig:
    """The ``NEWSCRAWLER_TEMPLATE_*`` settings, read and checked once."""

    policy: TemplatePolicy
    sqlite_path: str
    postgres_dsn: str
    clean_stored: bool
    """Rewrite a site's stored articles at close when this run learned lines they hold."""
    min_body_words: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        if not settings.getbool("NEWSCRAWLER_TEMPLATE_ENABLED"):
            raise NotConfigured("NEWSCRAWLER_TEMPLATE_ENABLED is off")
        policy = TemplatePolicy(
            min_pages=settings.getint("NEWSCRAWLER_TEMPLATE_MIN_PAGES"),
            min_share=settings.getfloat("NEWSCRAWLER_TEMPLATE_MIN_SHARE"),
            max_lines=settings.getint("NEWSCRAWLER_TEMPLATE_MAX_LINES"),
        )
        storage = StorageConfig.from_settings(settings)
        return cls(policy, str(storage.sqlite_path or ""), storage.postgres_dsn,
                   settings.getbool("NEWSCRAWLER_TEMPLATE_CLEAN_STORED"),
                   settings.getint("NEWSCRAWLER_MIN_BODY_WORDS", 20))


@dataclass
class _Pending:
    """An item on its way through the later pipelines: what to count once it is emitted."""

    site: str
    keys: dict[int, str]
    dropped: list[int]
    """Keys of the furniture lines left out of its body (counted if it is emitted)."""


class TemplatePipeline:
    """Strips learned furniture lines from bodies; learns them from emitted articles."""

    def __init__(self, crawler: Crawler, config: TemplateConfig) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.store: TemplateStore | None = None
        self.sites: dict[str, SiteTemplate] = {}
        self._loading: dict[str, asyncio.Future[SiteTemplate] | Any] = {}
        self._in_flight: dict[int, _Pending] = {}
        self._since_save = 0
        self._saving: Any = None
        self._worker = WorkerThread("newscrawler-template")
        self._resolved: asyncio.Event | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, TemplateConfig.from_settings(crawler.settings))
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_left, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_left, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.report_section, signal=collect_report_sections)
        return pipeline

    async def open_spider(self) -> None:
        try:
            self.store = await self._on_worker(self._open_store)
        except Exception as exc:  # sqlite3, psycopg or the connection: the store pipelines say the same
            self.stats.inc_value("newscrawler/template/errors")
            logger.error("Site templates: cannot open their store, learning them for this run only: %s", exc)
            return
        where = self.store.where if self.store is not None else "this run only (no store configured)"
        logger.info("Site templates: %s", where)

    def _open_store(self) -> TemplateStore | None:
        from newscrawler.storage.template import PostgresTemplateStore, TemplateStore

        if self.config.postgres_dsn:
            return PostgresTemplateStore(self.config.postgres_dsn)
        if self.config.sqlite_path:
            return TemplateStore(Path(self.config.sqlite_path))
        return None

    # --- items ------------------------------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        body, site = adapter.get("body"), adapter.get("site")
        if not isinstance(body, str) or not body or not isinstance(site, str) or not site:
            return item
        template = await self._template(site)
        await self._room_while_learning(site, template)
        lines = keyed_lines(body)
        keys = distinct_keys(lines)
        stripped = strip_body(lines, adapter.get("body_html"), adapter.get("lede"), template, self.config.min_body_words)
        if stripped is not None:
            adapter["body"], adapter["word_count"] = stripped.body, stripped.word_count
            if adapter.get("body_html") is not None:
                adapter["body_html"] = stripped.body_html
            adapter["lede"] = stripped.lede
        elif any(template.is_furniture(key) for key in keys):
            self.stats.inc_value("newscrawler/template/not_stripped/too_short")
            logger.debug("Kept the template lines of %s: its story alone would be too short", adapter.get("url"))
        if len(self._in_flight) >= _MAX_IN_FLIGHT:  # never expected: items always end scraped, dropped or failed
            logger.warning("Template: %d items never reported scraped or dropped; their lines are not counted",
                           len(self._in_flight))
            self._in_flight.clear()
        dropped = [key for _, key in stripped.dropped if key is not None] if stripped else []
        self._in_flight[id(item)] = _Pending(site, keys, dropped)
        return item

    async def _room_while_learning(self, site: str, template: SiteTemplate) -> None:
        """Wait, while the site is new, until few of its items are uncounted (see _WARMUP_IN_FLIGHT)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _WARMUP_WAIT
        while (template.pages < self.config.policy.min_pages
               and sum(1 for p in self._in_flight.values() if p.site == site) >= _WARMUP_IN_FLIGHT):
            self._resolved = self._resolved or asyncio.Event()
            self._resolved.clear()
            try:
                await asyncio.wait_for(self._resolved.wait(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                return

    def _one_resolved(self) -> None:
        if self._resolved is not None:
            self._resolved.set()

    async def _template(self, site: str) -> SiteTemplate:
        """The site's template, loaded from the store the first time the crawl meets the site."""
        template = self.sites.get(site)
        if template is not None:
            return template
        loading = self._loading.get(site)
        if loading is None:
            loading = self._loading[site] = asyncio.ensure_future(self._load(site))
        return await asyncio.shield(loading)

    async def _load(self, site: str) -> SiteTemplate:
        pages, lines = 0, []
        if self.store is not None:
            try:
                pages, lines = await self._on_worker(self.store.load, site, self.config.policy.max_lines)
            except self.store.errors as exc:
                self.stats.inc_value("newscrawler/template/errors")
                logger.error("Could not read the template of %s from %s, learning it afresh: %s", site, self.store.where, exc)
        template = self.sites[site] = SiteTemplate(site, self.config.policy, pages, lines)
        if template.furniture:
            logger.info("Template of %s: %d furniture lines known from %d earlier article pages",
                        site, len(template.furniture), pages)
        return template

    def item_scraped(self, item: Any) -> None:
        pending = self._in_flight.pop(id(item), None)
        if pending is None:
            return
        self._one_resolved()
        template = self.sites[pending.site]
        if pending.dropped:
            template.record_drops(pending.dropped)
            self.stats.inc_value("newscrawler/template/articles_stripped")
            self.stats.inc_value("newscrawler/template/lines_dropped", len(pending.dropped))
        if ItemAdapter(item).get("is_update"):
            return  # the story's lines were counted when it was first stored
        for key in template.observe(pending.keys):
            line = template.lines[key]
            self.stats.inc_value("newscrawler/template/lines_learned")
            logger.info("Template of %s: learned furniture line %r (on %d of the %d article pages since it first appeared)",
                        pending.site, line.sample, line.pages, template.pages - line.first_page + 1)
        self._since_save += 1
        if self._since_save >= _SAVE_EVERY and self.store is None:
            self._since_save = 0
            for each in self.sites.values():
                each.take_changes()  # nowhere to keep them: let them go rather than pile up
        elif self._since_save >= _SAVE_EVERY and self._saving is None:
            self._since_save = 0
            try:
                self._saving = asyncio.ensure_future(self._save())
            except RuntimeError:  # no asyncio loop (another reactor): saved at close only
                return
            self._saving.add_done_callback(lambda _: setattr(self, "_saving", None))

    def item_left(self, item: Any) -> None:
        """Dropped (a duplicate, unchanged) or failed: its lines are not counted."""
        if self._in_flight.pop(id(item), None) is not None:
            self._one_resolved()

    # --- persistence and close -----------------------------------------------------------
    async def _save(self) -> None:
        changes = [change for template in self.sites.values() if (change := template.take_changes())]
        if not changes or self.store is None:
            return
        store = self.store

        def save_all() -> None:
            for change in changes:
                try:
                    store.save(change)
                except store.errors:
                    store.rollback()
                    raise

        try:
            await self._on_worker(save_all)
        except store.errors as exc:
            self.stats.inc_value("newscrawler/template/errors")
            logger.error("Could not store the site templates in %s: %s", store.where, exc)

    async def spider_closed(self) -> None:
        if self._saving is not None:
            await self._saving
        await self._save()
        try:
            await self._clean_stored()
        finally:
            if self.store is not None:
                await self._on_worker(self.store.close)
                self.store = None
            self._worker.shutdown()

    def _to_clean(self) -> dict[str, SiteTemplate]:
        """Sites whose stored articles may hold lines this run learned."""
        if not self.config.clean_stored or not (self.config.sqlite_path or self.config.postgres_dsn):
            return {}
        return {site: template for site, template in self.sites.items() if template.learned_now}

    async def _clean_stored(self) -> None:
        """Rewrite the stored articles of each site that hold lines this run learned: the ones
        this run emitted before learning them, and those of earlier runs."""
        from newscrawler.storage import sqlite

        targets = []
        if self.config.sqlite_path and Path(self.config.sqlite_path).is_file():
            targets.append((self.config.sqlite_path, sqlite.rewrite_site))
        if self.config.postgres_dsn:
            from newscrawler.storage import postgres

            targets.append((self.config.postgres_dsn, postgres.rewrite_site))
        for site, template in self._to_clean().items():
            needles = [literal_of(template.lines[key].sample) for key in template.learned_now]
            # A line without a usable literal ("12:30") means reading all of the site's rows.
            found = [] if None in needles else [needle for needle in needles if needle]

            def fix(row: dict[str, Any], template: SiteTemplate = template) -> dict[str, Any] | None:
                if not isinstance(row.get("body"), str):
                    return None
                stripped = strip_body(row["body"], row.get("body_html"), row.get("lede"), template,
                                      self.config.min_body_words)
                if stripped is None:
                    return None
                return {"body": stripped.body, "body_html": stripped.body_html, "lede": stripped.lede,
                        "word_count": stripped.word_count}

            for where, rewrite in targets:
                try:
                    changed = await self._on_worker(rewrite, where, site, found, fix)
                except Exception as exc:  # sqlite3 or psycopg: the crawl's items are safe, say what was not done
                    self.stats.inc_value("newscrawler/template/errors")
                    logger.error("Template of %s: could not clean its stored articles: %s", site, exc)
                    continue
                self.stats.inc_value("newscrawler/template/stored_cleaned", changed)
                logger.info("Template of %s: cleaned %d stored articles stored before their lines were learned",
                            site, changed)

    def report_section(self) -> dict[str, Any]:
        """The crawl report's ``template`` section: furniture lines dropped, and how often."""
        dropped = []
        for site, template in self.sites.items():
            for key, line in template.furniture.items():
                if line.dropped or key in template.learned_now:
                    dropped.append({"site": site, "line": line.sample, "dropped": line.dropped,
                                    "seen_on_pages": line.pages,
                                    "learned": "this run" if key in template.learned_now else "earlier run"})
        dropped.sort(key=lambda entry: (-entry["dropped"], entry["site"], entry["line"]))
        stats = self.stats
        return {"template": {
            "sites": {site: {"article_pages": t.pages, "furniture_lines": len(t.furniture),
                             "learned_this_run": len(t.learned_now)} for site, t in sorted(self.sites.items())},
            "articles_stripped": stats.get_value("newscrawler/template/articles_stripped", 0),
            "lines_dropped": stats.get_value("newscrawler/template/lines_dropped", 0),
            "store_cleaned_at_close": sorted(self._to_clean()),
            "dropped": dropped[:REPORT_LINES],
        }}

    async def _on_worker(self, function: Any, *args: Any) -> Any:
        return await self._worker.run(function, *args)
